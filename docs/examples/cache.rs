use std::time::Duration;

use leakcheck::channel::{unbounded, RecvTimeoutError, Sender};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// A cache whose refresher thread polls for updates every 50 ms.
pub struct Cache {
    updates: Sender<String>,
    entries: Mutex<Vec<String>>,
}

impl Cache {
    pub fn start() -> Arc<Cache> {
        let (updates, queue) = unbounded();
        let cache = Arc::new(Cache {
            updates,
            entries: Mutex::new(Vec::new()),
        });
        let shared = Arc::clone(&cache);
        thread::Builder::new()
            .name("refresher".into())
            .spawn(move || loop {
                match queue.recv_timeout(Duration::from_millis(50)) {
                    Ok(entry) => shared.entries.lock().unwrap().push(entry),
                    Err(RecvTimeoutError::Timeout) => continue, // nothing new: poll again
                    Err(RecvTimeoutError::Disconnected) => return, // `shared` keeps `updates`
                }
            })
            .unwrap();
        cache
    }

    pub fn update(&self, entry: &str) {
        self.updates.send(entry.to_string()).unwrap();
    }
}

pub fn config() -> Config {
    Config::new().max_steps(10_000)
}

pub fn cache_is_refreshed() {
    let cache = Cache::start();
    cache.update("v2");
}
