use std::num::ParseIntError;

use leakcheck::thread::{self, JoinHandle};

/// Parses the port in the background and hands back the outcome, error included.
pub fn load_port(text: &str) -> JoinHandle<Result<u16, ParseIntError>> {
    let text = text.to_string();
    thread::Builder::new()
        .name("loader".into())
        .spawn(move || text.trim().parse())
        .unwrap()
}

pub fn port_is_loaded() {
    let loaded = load_port("80x").join().expect("the loader does not panic");
    assert!(loaded.is_err(), "`80x` is not a port");
}
