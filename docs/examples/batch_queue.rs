use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::Config;

struct Items {
    items: Vec<u32>,
    closed: bool,
    /// Callers of `get_many` waiting for items.
    waiting: usize,
}

/// A queue whose getters take several items at once. Since nobody knows which getter a `put`
/// can satisfy, it wakes them all and lets them decide.
pub struct BatchQueue {
    state: Mutex<Items>,
    changed: Condvar,
}

impl BatchQueue {
    pub fn new() -> Arc<BatchQueue> {
        Arc::new(BatchQueue {
            state: Mutex::new(Items {
                items: Vec::new(),
                closed: false,
                waiting: 0,
            }),
            changed: Condvar::new(),
        })
    }

    /// Takes `n` items, waiting until there are that many; `None` once closed with fewer.
    pub fn get_many(&self, n: usize) -> Option<Vec<u32>> {
        let mut state = self.state.lock().unwrap();
        state.waiting += 1;
        while state.items.len() < n && !state.closed {
            state = self.changed.wait(state).unwrap();
        }
        state.waiting -= 1;
        (state.items.len() >= n).then(|| state.items.drain(..n).collect())
    }

    pub fn put(&self, item: u32) {
        self.state.lock().unwrap().items.push(item);
        self.changed.notify_all();
    }

    pub fn close(&self) {
        self.state.lock().unwrap().closed = true;
        self.changed.notify_all();
    }

    /// Returns once `n` callers of `get_many` wait (so the test knows who came first).
    pub fn until_waiting(&self, n: usize) {
        while self.state.lock().unwrap().waiting < n {
            thread::yield_now();
        }
    }
}

pub fn config() -> Config {
    Config::new()
}

/// A picky getter wants three items at once; a greedy one takes them one at a time.
pub fn batches_are_served() {
    let queue = BatchQueue::new();
    let q = Arc::clone(&queue);
    let picky = thread::Builder::new()
        .name("picky".into())
        .spawn(move || q.get_many(3))
        .unwrap();
    queue.until_waiting(1);
    let q = Arc::clone(&queue);
    let greedy = thread::Builder::new()
        .name("greedy".into())
        .spawn(move || {
            let mut got = Vec::new();
            while let Some(items) = q.get_many(1) {
                got.extend(items);
            }
            got
        })
        .unwrap();
    for item in 0..8 {
        queue.put(item);
    }
    let batch = picky.join().unwrap().unwrap();
    queue.close();
    let rest = greedy.join().unwrap();
    assert_eq!(batch.len() + rest.len(), 8);
}
