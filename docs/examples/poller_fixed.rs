use leakcheck::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread::{self, JoinHandle};

/// Polls for events until `stop` is set; the caller keeps the handle.
pub fn start_poller(stop: Arc<AtomicBool>, polls: Arc<AtomicU64>) -> JoinHandle<()> {
    thread::Builder::new()
        .name("poller".into())
        .spawn(move || {
            while !stop.load(Ordering::Acquire) {
                polls.fetch_add(1, Ordering::Relaxed);
            }
        })
        .unwrap()
}

pub fn poller_polls() {
    let stop = Arc::new(AtomicBool::new(false));
    let polls = Arc::new(AtomicU64::new(0));
    let poller = start_poller(Arc::clone(&stop), Arc::clone(&polls));
    // ... assertions on the polled events
    stop.store(true, Ordering::Release);
    poller.join().unwrap();
}
