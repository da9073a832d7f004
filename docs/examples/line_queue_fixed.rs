use std::collections::VecDeque;

use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

/// One condvar per condition: a notify reaches only threads that wait for it.
pub struct LineQueue {
    lines: Mutex<VecDeque<String>>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
}

impl LineQueue {
    pub fn new(capacity: usize) -> Arc<LineQueue> {
        Arc::new(LineQueue {
            lines: Mutex::new(VecDeque::new()),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
        })
    }

    pub fn push(&self, line: String) {
        let lines = self.lines.lock().unwrap();
        let mut lines = self
            .not_full
            .wait_while(lines, |lines| lines.len() == self.capacity)
            .unwrap();
        lines.push_back(line);
        self.not_empty.notify_one();
    }

    pub fn pop(&self) -> String {
        let lines = self.lines.lock().unwrap();
        let mut lines = self
            .not_empty
            .wait_while(lines, |lines| lines.is_empty())
            .unwrap();
        let line = lines.pop_front().unwrap();
        self.not_full.notify_one();
        line
    }
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
    let mut written: Vec<String> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    written.sort();
    assert_eq!(written, ["GET /", "GET /health"]);
}
