use leakcheck::channel::{bounded, select, Receiver};
use leakcheck::thread;
use leakcheck::Config;

fn download(mirror: &str) -> Result<String, String> {
    Err(format!("{mirror} is down"))
}

/// The first mirror's answer, or `None` if every mirror fails or the caller quits first.
pub fn first_response(mirrors: &[&str], quit: &Receiver<()>) -> Option<String> {
    let (tx, rx) = bounded(mirrors.len()); // room for every answer: no fetcher ever waits
    thread::scope(|s| {
        for &mirror in mirrors {
            let tx = tx.clone();
            s.spawn(move || {
                if let Ok(body) = download(mirror) {
                    let _ = tx.send(body);
                }
            });
        }
        select! {
            // `Err` once every fetcher has failed, and dropped its `Sender`... but not `tx`.
            recv(rx) -> body => body.ok(),
            recv(quit) -> _ => None,
        }
    })
}

pub fn config() -> Config {
    Config::new()
}

pub fn all_mirrors_down() {
    let (quit_tx, quit_rx) = bounded::<()>(0);
    assert_eq!(first_response(&["eu", "us"], &quit_rx), None);
    drop(quit_tx);
}
