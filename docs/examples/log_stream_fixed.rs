use leakcheck::sync::mpsc::{sync_channel, Receiver};
use leakcheck::thread::{self, JoinHandle};

pub fn stream_lines(lines: Vec<String>) -> (Receiver<String>, JoinHandle<()>) {
    let (tx, rx) = sync_channel(0);
    let reader = thread::Builder::new()
        .name("reader".into())
        .spawn(move || {
            for line in lines {
                if tx.send(line).is_err() {
                    return;
                }
            }
        })
        .unwrap();
    (rx, reader)
}

pub fn first_error(lines: Vec<String>) -> Option<String> {
    let (rx, reader) = stream_lines(lines);
    let found = rx.iter().find(|line| line.starts_with("ERROR"));
    drop(rx); // hang up first: the reader's next `send` fails, and it returns
    reader.join().unwrap();
    found
}

pub fn first_error_is_found() {
    let log = ["INFO start", "ERROR disk full", "INFO retrying"].map(String::from);
    let found = first_error(log.to_vec());
    assert_eq!(found.as_deref(), Some("ERROR disk full"));
}
