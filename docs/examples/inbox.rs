use std::collections::VecDeque;

use leakcheck::cancel::Token;
use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// Messages for a consumer thread.
pub struct Inbox {
    messages: Mutex<VecDeque<String>>,
    arrived: Condvar,
}

impl Inbox {
    pub fn new() -> Arc<Inbox> {
        Arc::new(Inbox {
            messages: Mutex::new(VecDeque::new()),
            arrived: Condvar::new(),
        })
    }

    pub fn post(&self, message: &str) {
        self.messages.lock().unwrap().push_back(message.to_string());
        self.arrived.notify_one();
    }

    /// The next message, or `None` once `token` is cancelled. It checks the token before
    /// each wait, but a cancel cannot wake the wait itself.
    pub fn next(&self, token: &Token) -> Option<String> {
        let mut messages = self.messages.lock().unwrap();
        loop {
            if token.is_cancelled() {
                return None;
            }
            if let Some(message) = messages.pop_front() {
                return Some(message);
            }
            messages = self.arrived.wait(messages).unwrap();
        }
    }
}

pub fn config() -> Config {
    Config::new()
}

/// A consumer handles messages until it is cancelled; the test cancels it and waits for it.
pub fn consumer_stops_on_cancel() {
    let inbox = Inbox::new();
    let token = Token::new();
    let (shared, stop) = (Arc::clone(&inbox), token.clone());
    let consumer = thread::Builder::new()
        .name("consumer".into())
        .spawn(move || {
            let mut handled = 0;
            while let Some(_message) = shared.next(&stop) {
                handled += 1; // ... handle it
            }
            handled
        })
        .unwrap();
    inbox.post("hello");
    token.cancel();
    consumer.join().unwrap();
}
