use std::time::Duration;

use leakcheck::channel::{after, bounded, select};
use leakcheck::thread;
use leakcheck::Config;

fn slow_query() -> String {
    thread::yield_now(); // ... a round trip to the database
    "42 rows".to_string()
}

/// A line-by-line port of the Go function.
pub fn query(timeout: Duration) -> Result<String, String> {
    let (c, results) = bounded(0);
    thread::spawn(move || c.send(slow_query()));
    select! {
        recv(results) -> rows => Ok(rows.unwrap()),
        recv(after(timeout)) -> _ => Err("timed out".to_string()),
    }
}

pub fn config() -> Config {
    Config::new()
}

pub fn query_answers() {
    let _ = query(Duration::from_secs(1));
}
