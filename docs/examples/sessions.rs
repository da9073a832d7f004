use std::collections::HashMap;

use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::Config;

/// Logged-in users by session id, at most `capacity` of them.
pub struct Sessions {
    users: Mutex<HashMap<u64, String>>,
    capacity: usize,
}

impl Sessions {
    pub fn new(capacity: usize) -> Arc<Sessions> {
        Arc::new(Sessions {
            users: Mutex::new(HashMap::new()),
            capacity,
        })
    }

    pub fn len(&self) -> usize {
        self.users.lock().unwrap().len()
    }

    fn evict_oldest(&self) {
        let mut users = self.users.lock().unwrap();
        if let Some(&oldest) = users.keys().min() {
            users.remove(&oldest);
        }
    }

    pub fn log_in(&self, id: u64, user: &str) {
        let mut users = self.users.lock().unwrap();
        if users.len() >= self.capacity {
            self.evict_oldest(); // locks `users` again, while this thread holds it
        }
        users.insert(id, user.to_string());
    }
}

pub fn config() -> Config {
    Config::new()
}

/// With room for one session, the second login evicts the first.
pub fn second_login_evicts() {
    let sessions = Sessions::new(1);
    sessions.log_in(1, "alice");
    let shared = Arc::clone(&sessions);
    let login = thread::Builder::new()
        .name("login".into())
        .spawn(move || shared.log_in(2, "bob"))
        .unwrap();
    login.join().unwrap();
    assert_eq!(sessions.len(), 1);
}
