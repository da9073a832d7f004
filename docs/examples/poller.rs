use leakcheck::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread;
use leakcheck::Config;

/// Polls for events until `stop` is set.
pub fn start_poller(stop: Arc<AtomicBool>, polls: Arc<AtomicU64>) {
    thread::Builder::new()
        .name("poller".into())
        .spawn(move || {
            while !stop.load(Ordering::Acquire) {
                polls.fetch_add(1, Ordering::Relaxed); // ... poll the source
            }
        })
        .unwrap();
}

pub fn config() -> Config {
    Config::new()
}

/// The test never sets `stop`.
pub fn poller_polls() {
    let stop = Arc::new(AtomicBool::new(false));
    let polls = Arc::new(AtomicU64::new(0));
    start_poller(Arc::clone(&stop), Arc::clone(&polls));
    // ... assertions on the polled events
}
