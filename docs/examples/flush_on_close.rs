use leakcheck::sync::{Arc, Mutex};
use leakcheck::tokio;
use leakcheck::Config;

pub fn config() -> Config {
    Config::new()
}

/// `close` flushes the buffer in the background and returns at once.
pub fn close_flushes_in_background(buffer: Arc<Mutex<Vec<u8>>>) {
    drop(tokio::spawn(async move {
        tokio::task::yield_now().await;
        buffer.lock().unwrap().clear(); // ... write it out ...
    }));
}

pub fn close_flushes_the_buffer() {
    leakcheck::block_on(async {
        let buffer = Arc::new(Mutex::new(b"pending".to_vec()));
        close_flushes_in_background(Arc::clone(&buffer));
    });
}
