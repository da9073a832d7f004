use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

struct Items {
    items: Vec<u32>,
    closed: bool,
    waiting: usize,
    /// Getters are served in arrival order: each takes a ticket, and waits for its turn.
    next_ticket: u64,
    serving: u64,
}

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
                next_ticket: 0,
                serving: 0,
            }),
            changed: Condvar::new(),
        })
    }

    /// Takes `n` items once every earlier getter has been served; `None` once closed with
    /// fewer.
    pub fn get_many(&self, n: usize) -> Option<Vec<u32>> {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.waiting += 1;
        while state.serving != ticket || (state.items.len() < n && !state.closed) {
            state = self.changed.wait(state).unwrap();
        }
        state.waiting -= 1;
        state.serving += 1;
        self.changed.notify_all(); // the next in line may be served now
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

    pub fn until_waiting(&self, n: usize) {
        while self.state.lock().unwrap().waiting < n {
            thread::yield_now();
        }
    }
}

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
    assert_eq!(batch, [0, 1, 2]);
    assert_eq!(batch.len() + rest.len(), 8);
}
