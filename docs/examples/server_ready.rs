use leakcheck::sync::atomic::{AtomicBool, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread;
use leakcheck::Config;

fn bind(port: u16) -> Result<(), String> {
    Err(format!("port {port} is in use"))
}

/// Starts the server thread, and waits until it says it is ready.
pub fn start_server(port: u16) -> thread::JoinHandle<()> {
    let ready = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ready);
    let server = thread::spawn(move || {
        if bind(port).is_err() {
            return; // gives up without a word
        }
        flag.store(true, Ordering::Release);
    });
    while !ready.load(Ordering::Acquire) {
        thread::yield_now();
    }
    server
}

pub fn config() -> Config {
    Config::new().max_steps(10_000)
}

pub fn server_starts() {
    start_server(8080).join().unwrap();
}
