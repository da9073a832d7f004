use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread::{self, JoinHandle};
use leakcheck::Config;

/// Parses the port in the background; the caller polls `is_finished`.
pub fn load_port(text: &str, port: Arc<Mutex<Option<u16>>>) -> JoinHandle<()> {
    let text = text.to_string();
    thread::Builder::new()
        .name("loader".into())
        .spawn(move || {
            let parsed: u16 = text.trim().parse().expect("the port is a number");
            *port.lock().unwrap() = Some(parsed);
        })
        .unwrap()
}

pub fn config() -> Config {
    Config::new()
}

pub fn port_is_loaded() {
    let port = Arc::new(Mutex::new(None));
    let loader = load_port("80x", Arc::clone(&port));
    while !loader.is_finished() {
        thread::yield_now();
    }
    drop(loader); // the thread's result, and its panic, are thrown away
}
