use leakcheck::sync::{Arc, Mutex};
use leakcheck::tokio;

/// The fix: `close` returns the flush's handle, and the caller awaits it.
pub fn close_flushes_in_background(buffer: Arc<Mutex<Vec<u8>>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::task::yield_now().await;
        buffer.lock().unwrap().clear();
    })
}

pub fn close_flushes_the_buffer() {
    leakcheck::block_on(async {
        let buffer = Arc::new(Mutex::new(b"pending".to_vec()));
        close_flushes_in_background(Arc::clone(&buffer)).await.unwrap();
        assert!(buffer.lock().unwrap().is_empty());
    });
}
