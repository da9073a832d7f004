use std::collections::VecDeque;

use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::{Config, Scheduler};

/// A bounded queue of log lines, from the request threads to the writers. One condvar says
/// "the queue changed", to both kinds of waiter: pushers waiting for room, poppers waiting for
/// a line.
pub struct LineQueue {
    lines: Mutex<VecDeque<String>>,
    changed: Condvar,
    capacity: usize,
}

impl LineQueue {
    pub fn new(capacity: usize) -> Arc<LineQueue> {
        Arc::new(LineQueue {
            lines: Mutex::new(VecDeque::new()),
            changed: Condvar::new(),
            capacity,
        })
    }

    /// Adds a line, waiting while the queue is full.
    pub fn push(&self, line: String) {
        let lines = self.lines.lock().unwrap();
        let mut lines = self
            .changed
            .wait_while(lines, |lines| lines.len() == self.capacity)
            .unwrap();
        lines.push_back(line);
        self.changed.notify_one();
    }

    /// Takes a line, waiting while the queue is empty.
    pub fn pop(&self) -> String {
        let lines = self.lines.lock().unwrap();
        let mut lines = self
            .changed
            .wait_while(lines, |lines| lines.is_empty())
            .unwrap();
        let line = lines.pop_front().unwrap();
        self.changed.notify_one(); // meant for a pusher; may wake the other writer
        line
    }
}

/// The random scheduler, with a seed whose first schedule has both writers waiting when the
/// lines come, and `notify_one` choosing the wrong one.
pub fn config() -> Config {
    Config::new().scheduler(Scheduler::Random).seed(10)
}

pub fn lines_are_written() {
    let queue = LineQueue::new(1);
    let writers: Vec<_> = (0..2)
        .map(|i| {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name(format!("writer-{i}"))
                .spawn(move || queue.pop())
                .unwrap()
        })
        .collect();
    queue.push("GET /".to_string());
    queue.push("GET /health".to_string());
    for writer in writers {
        writer.join().unwrap();
    }
}
