use leakcheck::sync::atomic::{AtomicU8, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread;

const STARTING: u8 = 0;
const READY: u8 = 1;
const FAILED: u8 = 2;

fn bind(port: u16) -> Result<(), String> {
    Err(format!("port {port} is in use"))
}

/// Starts the server thread and waits until it is ready, or has failed.
pub fn start_server(port: u16) -> Result<thread::JoinHandle<()>, String> {
    let state = Arc::new(AtomicU8::new(STARTING));
    let shared = Arc::clone(&state);
    let server = thread::spawn(move || match bind(port) {
        Ok(()) => shared.store(READY, Ordering::Release),
        Err(_) => shared.store(FAILED, Ordering::Release),
    });
    loop {
        match state.load(Ordering::Acquire) {
            STARTING => thread::yield_now(),
            READY => return Ok(server),
            _ => {
                server.join().unwrap();
                return Err(format!("the server on port {port} failed to start"));
            }
        }
    }
}

pub fn start_failure_is_reported() {
    let err = start_server(8080).unwrap_err();
    assert!(err.contains("failed to start"));
}
