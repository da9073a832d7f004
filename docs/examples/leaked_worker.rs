use leakcheck::sync::atomic::{AtomicBool, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread::{self, JoinHandle};
use leakcheck::Config;

/// A background worker that sleeps in `park` until it is woken, and exits once told to stop.
pub struct Worker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

impl Worker {
    pub fn start() -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    thread::park(); // ... then do the queued work
                }
            })
            .unwrap();
        Worker { stop, handle }
    }

    /// Wakes the worker to do the queued work.
    pub fn wake(&self) {
        self.handle.thread().unpark();
    }

    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        self.handle.thread().unpark();
        self.handle.join().unwrap();
    }
}

pub fn config() -> Config {
    Config::new()
}

/// The test uses the worker and ends without `worker.stop()`.
pub fn worker_is_stopped() {
    let worker = Worker::start();
    worker.wake();
}
