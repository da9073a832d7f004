use leakcheck::sync::atomic::{AtomicBool, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread::{self, JoinHandle};

pub struct Worker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn start() -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    thread::park();
                }
            })
            .unwrap();
        Worker {
            stop,
            handle: Some(handle),
        }
    }

    pub fn wake(&self) {
        if let Some(handle) = &self.handle {
            handle.thread().unpark();
        }
    }
}

/// Dropping the worker stops it and waits for it: no test can forget.
impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
            let result = handle.join();
            if !thread::panicking() {
                result.expect("the worker panicked");
            }
        }
    }
}

pub fn worker_is_stopped() {
    let worker = Worker::start();
    worker.wake();
}
