use std::collections::VecDeque;

use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

pub struct Jobs {
    queue: Mutex<VecDeque<u32>>,
    added: Condvar,
}

impl Jobs {
    pub fn new() -> Arc<Jobs> {
        Arc::new(Jobs {
            queue: Mutex::new(VecDeque::new()),
            added: Condvar::new(),
        })
    }

    pub fn push(&self, job: u32) {
        self.queue.lock().unwrap().push_back(job);
        self.added.notify_one();
    }

    /// `wait_while` re-checks the condition after every wake-up, spurious or not.
    pub fn next(&self) -> u32 {
        let queue = self.queue.lock().unwrap();
        let mut queue = self.added.wait_while(queue, |q| q.is_empty()).unwrap();
        queue.pop_front().unwrap()
    }
}

pub fn job_is_run() {
    let jobs = Jobs::new();
    let shared = Arc::clone(&jobs);
    let worker = thread::Builder::new()
        .name("worker".into())
        .spawn(move || shared.next())
        .unwrap();
    jobs.push(7);
    assert_eq!(worker.join().unwrap(), 7);
}
