use std::collections::HashMap;

use leakcheck::sync::{Arc, RwLock};
use leakcheck::thread;

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

    /// One read lock: the fallback is looked up in the table already held.
    pub fn resolve(&self, path: &str) -> String {
        let table = self.table.read().unwrap();
        table
            .get(path)
            .or_else(|| table.get("/404"))
            .cloned()
            .unwrap()
    }

    pub fn reload(&self, table: HashMap<String, String>) {
        *self.table.write().unwrap() = table;
    }
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
