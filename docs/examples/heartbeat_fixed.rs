use leakcheck::tokio;
use leakcheck::tokio::time::{interval, Duration};

/// The fix: the connection owns its heartbeat task and aborts it when it closes.
pub fn connection_sends_heartbeats() {
    leakcheck::block_on(async {
        let heartbeat = tokio::spawn(async {
            let mut every = interval(Duration::from_secs(1));
            loop {
                every.tick().await;
            }
        });
        // ... use the connection, then close it:
        heartbeat.abort();
        assert!(heartbeat.await.unwrap_err().is_cancelled());
    });
}
