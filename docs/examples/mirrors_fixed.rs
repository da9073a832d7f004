use leakcheck::channel::{bounded, select, Receiver};
use leakcheck::thread;

fn download(mirror: &str) -> Result<String, String> {
    Err(format!("{mirror} is down"))
}

pub fn first_response(mirrors: &[&str], quit: &Receiver<()>) -> Option<String> {
    let (tx, rx) = bounded(mirrors.len());
    thread::scope(|s| {
        for &mirror in mirrors {
            let tx = tx.clone();
            s.spawn(move || {
                if let Ok(body) = download(mirror) {
                    let _ = tx.send(body);
                }
            });
        }
        drop(tx); // one Sender per fetcher, and no other
        select! {
            recv(rx) -> body => body.ok(),
            recv(quit) -> _ => None,
        }
    })
}

pub fn all_mirrors_down() {
    let (quit_tx, quit_rx) = bounded::<()>(0);
    assert_eq!(first_response(&["eu", "us"], &quit_rx), None);
    drop(quit_tx);
}
