use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// Appends an event to the audit log in the background, so the caller never waits.
pub fn audit(log: &Arc<Mutex<Vec<String>>>, event: &str) {
    let log = Arc::clone(log);
    let event = event.to_string();
    thread::spawn(move || log.lock().unwrap().push(event));
}

pub fn config() -> Config {
    Config::new()
}

pub fn login_is_audited() {
    let log = Arc::new(Mutex::new(Vec::new()));
    audit(&log, "login");
}
