use leakcheck::tokio;
use leakcheck::tokio::time::{interval, Duration};
use leakcheck::{Config, Time};

pub fn config() -> Config {
    Config::new().max_steps(5_000).time(Time::Virtual)
}

/// A connection that sends a heartbeat every second while it is open.
pub fn connection_sends_heartbeats() {
    leakcheck::block_on(async {
        let _heartbeat = tokio::spawn(async {
            let mut every = interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                // ... send a heartbeat ...
            }
        });
        // ... use the connection, then return: the heartbeat task runs on ...
    });
}
