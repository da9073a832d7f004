use std::time::Duration;

use leakcheck::channel::{unbounded, RecvTimeoutError, Sender};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread::{self, JoinHandle};

/// The refresher shares the entries only; the cache owns the `Sender` and the thread.
pub struct Cache {
    updates: Option<Sender<String>>,
    entries: Arc<Mutex<Vec<String>>>,
    refresher: Option<JoinHandle<()>>,
}

impl Cache {
    pub fn start() -> Cache {
        let (updates, queue) = unbounded();
        let entries = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&entries);
        let refresher = thread::Builder::new()
            .name("refresher".into())
            .spawn(move || loop {
                match queue.recv_timeout(Duration::from_millis(50)) {
                    Ok(entry) => shared.lock().unwrap().push(entry),
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            })
            .unwrap();
        Cache {
            updates: Some(updates),
            entries,
            refresher: Some(refresher),
        }
    }

    pub fn update(&self, entry: &str) {
        if let Some(updates) = &self.updates {
            updates.send(entry.to_string()).unwrap();
        }
    }
}

/// Closes the channel, then waits for the refresher to see it.
impl Drop for Cache {
    fn drop(&mut self) {
        drop(self.updates.take());
        if let Some(refresher) = self.refresher.take() {
            let result = refresher.join();
            if !thread::panicking() {
                result.expect("the refresher panicked");
            }
        }
    }
}

pub fn cache_is_refreshed() {
    let cache = Cache::start();
    cache.update("v2");
    let entries = Arc::clone(&cache.entries);
    drop(cache); // closes the channel and joins: every update is in
    assert_eq!(*entries.lock().unwrap(), ["v2"]);
}
