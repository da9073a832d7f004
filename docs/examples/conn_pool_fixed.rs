use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

pub struct Conn {
    pub id: u32,
}

struct Slots {
    open: usize,
    idle: Vec<Conn>,
}

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
                };
            }
            slots = self.freed.wait(slots).unwrap();
        }
    }

    pub fn release(&self, conn: Conn) {
        self.slots.lock().unwrap().idle.push(conn);
        self.freed.notify_one();
    }

    /// Every change that can let a waiter go on is followed by a notify.
    pub fn discard(&self, _broken: Conn) {
        self.slots.lock().unwrap().open -= 1;
        self.freed.notify_one();
    }
}

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
    pool.discard(conn);
    request.join().unwrap();
}
