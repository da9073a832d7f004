use leakcheck::sync::mpsc::{sync_channel, Receiver};
use leakcheck::thread::{self, JoinHandle};
use leakcheck::Config;

/// Reads the log in the background and hands its lines over one at a time.
pub fn stream_lines(lines: Vec<String>) -> (Receiver<String>, JoinHandle<()>) {
    let (tx, rx) = sync_channel(0);
    let reader = thread::Builder::new()
        .name("reader".into())
        .spawn(move || {
            for line in lines {
                if tx.send(line).is_err() {
                    return; // the consumer hung up
                }
            }
        })
        .unwrap();
    (rx, reader)
}

/// The first line that reports an error.
pub fn first_error(lines: Vec<String>) -> Option<String> {
    let (rx, reader) = stream_lines(lines);
    let found = rx.iter().find(|line| line.starts_with("ERROR"));
    reader.join().unwrap(); // still holding `rx`: the reader waits for us to take its next line
    found
}

pub fn config() -> Config {
    Config::new()
}

pub fn first_error_is_found() {
    let log = ["INFO start", "ERROR disk full", "INFO retrying"].map(String::from);
    let found = first_error(log.to_vec());
    assert_eq!(found.as_deref(), Some("ERROR disk full"));
}
