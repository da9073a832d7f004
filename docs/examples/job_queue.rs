use std::collections::VecDeque;

use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// Jobs for a worker thread.
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

    /// Takes the next job, waiting for one: `if` where a `while` belongs.
    pub fn next(&self) -> u32 {
        let mut queue = self.queue.lock().unwrap();
        if queue.is_empty() {
            queue = self.added.wait(queue).unwrap();
        }
        queue.pop_front().expect("woken up, so there is a job")
    }
}

/// The defaults: spurious wake-ups on.
pub fn config() -> Config {
    Config::new()
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
