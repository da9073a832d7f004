use std::collections::HashMap;

use leakcheck::sync::{Arc, RwLock};
use leakcheck::thread;
use leakcheck::{Config, Scheduler};

/// The routing table of a server: read by every request, replaced on reload.
pub struct Routes {
    table: RwLock<HashMap<String, String>>,
}

impl Routes {
    pub fn new() -> Arc<Routes> {
        let table = HashMap::from([("/404".to_string(), "not_found".to_string())]);
        Arc::new(Routes {
            table: RwLock::new(table),
        })
    }

    pub fn lookup(&self, path: &str) -> Option<String> {
        self.table.read().unwrap().get(path).cloned()
    }

    /// The handler for `path`, or the 404 handler: a second read lock, taken while this
    /// thread holds the first.
    pub fn resolve(&self, path: &str) -> String {
        let table = self.table.read().unwrap();
        match table.get(path) {
            Some(handler) => handler.clone(),
            None => self.lookup("/404").unwrap(),
        }
    }

    pub fn reload(&self, table: HashMap<String, String>) {
        *self.table.write().unwrap() = table;
    }
}

/// The random scheduler, with a seed whose first schedule has the reload ask for the lock
/// between the two reads, and the waiting writer keep the second reader out.
pub fn config() -> Config {
    Config::new().scheduler(Scheduler::Random).seed(1)
}

pub fn requests_during_reload() {
    let routes = Routes::new();
    let shared = Arc::clone(&routes);
    let reload = thread::Builder::new()
        .name("reload".into())
        .spawn(move || {
            let table = HashMap::from([("/404".to_string(), "gone".to_string())]);
            shared.reload(table);
        })
        .unwrap();
    let handler = routes.resolve("/missing");
    assert!(handler == "not_found" || handler == "gone");
    reload.join().unwrap();
}
