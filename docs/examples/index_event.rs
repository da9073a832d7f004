use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// A one-shot event: `set` wakes whoever waits for it.
pub struct Event {
    lock: Mutex<()>,
    cv: Condvar,
}

impl Event {
    pub fn new() -> Event {
        Event {
            lock: Mutex::new(()),
            cv: Condvar::new(),
        }
    }

    pub fn set(&self) {
        let _guard = self.lock.lock().unwrap();
        self.cv.notify_all();
    }

    /// Waits for `set`: a wait with nothing to check, so it relies on the notify coming later.
    pub fn wait(&self) {
        let guard = self.lock.lock().unwrap();
        drop(self.cv.wait(guard).unwrap());
    }
}

pub fn config() -> Config {
    Config::new()
}

/// A loader thread builds the search index; the test waits until it is built.
pub fn index_is_built() {
    let built = Arc::new(Event::new());
    let event = Arc::clone(&built);
    let loader = thread::Builder::new()
        .name("loader".into())
        .spawn(move || {
            // ... build the index
            event.set();
        })
        .unwrap();
    built.wait();
    loader.join().unwrap();
}
