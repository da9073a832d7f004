use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;

/// Locks the two accounts in one global order (by address), whatever the direction.
pub fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64) {
    let from_first = std::ptr::from_ref(from) < std::ptr::from_ref(to);
    let (first, second) = if from_first { (from, to) } else { (to, from) };
    let mut first = first.lock().unwrap();
    let mut second = second.lock().unwrap();
    let (from, to) = if from_first {
        (&mut *first, &mut *second)
    } else {
        (&mut *second, &mut *first)
    };
    *from -= amount;
    *to += amount;
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
    assert_eq!(*alice.lock().unwrap() + *bob.lock().unwrap(), 200);
}
