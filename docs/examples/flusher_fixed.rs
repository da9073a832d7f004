use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread::{self, JoinHandle};

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
                drop(batch);
            })
            .unwrap();
        Buffer {
            pending,
            flusher: Some(flusher),
        }
    }

    /// Waits for the flush first, and only then takes the lock.
    pub fn close(mut self) -> usize {
        if let Some(flusher) = self.flusher.take() {
            flusher.join().unwrap();
        }
        let pending = self.pending.lock().unwrap();
        pending.len()
    }
}

pub fn close_flushes() {
    let buffer = Buffer::new(vec!["a".into(), "b".into()]);
    assert_eq!(buffer.close(), 0);
}
