use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread::{self, JoinHandle};

/// Appends an event to the audit log in the background; the caller decides when to wait.
pub fn audit(log: &Arc<Mutex<Vec<String>>>, event: &str) -> JoinHandle<()> {
    let log = Arc::clone(log);
    let event = event.to_string();
    thread::spawn(move || log.lock().unwrap().push(event))
}

pub fn login_is_audited() {
    let log = Arc::new(Mutex::new(Vec::new()));
    audit(&log, "login").join().unwrap();
    assert_eq!(*log.lock().unwrap(), ["login"]);
}
