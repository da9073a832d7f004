use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

/// A one-shot event that remembers it was set.
pub struct Event {
    set: Mutex<bool>,
    cv: Condvar,
}

impl Event {
    pub fn new() -> Event {
        Event {
            set: Mutex::new(false),
            cv: Condvar::new(),
        }
    }

    pub fn set(&self) {
        *self.set.lock().unwrap() = true;
        self.cv.notify_all();
    }

    /// Waits until the event is set: returns at once if it already is.
    pub fn wait(&self) {
        let set = self.set.lock().unwrap();
        drop(self.cv.wait_while(set, |set| !*set).unwrap());
    }
}

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
