use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread::{self, JoinHandle};
use leakcheck::Config;

/// A buffer whose pending entries a background thread writes out.
pub struct Buffer {
    pending: Arc<Mutex<Vec<String>>>,
    flusher: Option<JoinHandle<()>>,
}

impl Buffer {
    pub fn new(entries: Vec<String>) -> Buffer {
        let pending = Arc::new(Mutex::new(entries));
        let queue = Arc::clone(&pending);
        let flusher = thread::Builder::new()
            .name("flusher".into())
            .spawn(move || {
                let batch = std::mem::take(&mut *queue.lock().unwrap());
                drop(batch); // ... written out
            })
            .unwrap();
        Buffer {
            pending,
            flusher: Some(flusher),
        }
    }

    /// Waits for the flush, then reports what is left.
    pub fn close(mut self) -> usize {
        let pending = self.pending.lock().unwrap();
        if let Some(flusher) = self.flusher.take() {
            flusher.join().unwrap(); // joins while holding the lock the flusher needs
        }
        pending.len()
    }
}

pub fn config() -> Config {
    Config::new()
}

pub fn close_flushes() {
    let buffer = Buffer::new(vec!["a".into(), "b".into()]);
    assert_eq!(buffer.close(), 0);
}
