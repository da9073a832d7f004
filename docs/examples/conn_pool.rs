use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::Config;

pub struct Conn {
    pub id: u32,
}

struct Slots {
    open: usize,
    idle: Vec<Conn>,
}

/// A connection pool: at most `limit` connections open; `acquire` waits for a free one.
pub struct Pool {
    slots: Mutex<Slots>,
    freed: Condvar,
    limit: usize,
}

impl Pool {
    pub fn new(limit: usize) -> Arc<Pool> {
        Arc::new(Pool {
            slots: Mutex::new(Slots {
                open: 0,
                idle: Vec::new(),
            }),
            freed: Condvar::new(),
            limit,
        })
    }

    pub fn acquire(&self) -> Conn {
        let mut slots = self.slots.lock().unwrap();
        loop {
            if let Some(conn) = slots.idle.pop() {
                return conn;
            }
            if slots.open < self.limit {
                slots.open += 1;
                return Conn {
                    id: slots.open as u32,
                }; // ... connect
            }
            slots = self.freed.wait(slots).unwrap();
        }
    }

    pub fn release(&self, conn: Conn) {
        self.slots.lock().unwrap().idle.push(conn);
        self.freed.notify_one();
    }

    /// Drops a broken connection, which frees its slot: added later, it forgets to notify.
    pub fn discard(&self, _broken: Conn) {
        self.slots.lock().unwrap().open -= 1;
    }
}

pub fn config() -> Config {
    Config::new()
}

/// The pool holds one connection. The test's own breaks, and a request waits for one.
pub fn broken_connection_is_replaced() {
    let pool = Pool::new(1);
    let conn = pool.acquire();
    let shared = Arc::clone(&pool);
    let request = thread::Builder::new()
        .name("request".into())
        .spawn(move || {
            let conn = shared.acquire();
            shared.release(conn);
        })
        .unwrap();
    pool.discard(conn); // the connection was broken
    request.join().unwrap();
}
