use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::{Config, Scheduler};

/// Moves `amount` between two accounts, locking the source first.
pub fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64) {
    let mut from = from.lock().unwrap();
    let mut to = to.lock().unwrap();
    *from -= amount;
    *to += amount;
}

/// The random scheduler's first schedule with seed 0 is one that deadlocks.
pub fn config() -> Config {
    Config::new().scheduler(Scheduler::Random).seed(0)
}

pub fn concurrent_transfers() {
    let alice = Arc::new(Mutex::new(100));
    let bob = Arc::new(Mutex::new(100));
    let (a, b) = (Arc::clone(&alice), Arc::clone(&bob));
    let refund = thread::Builder::new()
        .name("refund".into())
        .spawn(move || transfer(&b, &a, 10))
        .unwrap();
    transfer(&alice, &bob, 30);
    refund.join().unwrap();
}
