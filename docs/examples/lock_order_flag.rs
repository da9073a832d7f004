use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::Config;

fn a_then_b(a: &Mutex<u32>, b: &Mutex<u32>) {
    let mut a = a.lock().unwrap();
    let mut b = b.lock().unwrap();
    *a += 1;
    *b += 1;
}

fn b_then_a(a: &Mutex<u32>, b: &Mutex<u32>) {
    let mut b = b.lock().unwrap();
    let mut a = a.lock().unwrap();
    *a += 1;
    *b += 1;
}

pub fn config() -> Config {
    Config::new()
}

/// The body waits for a "done" flag, kept under a mutex, before it takes its locks.
pub fn flag_under_a_mutex() {
    let (a, b) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    let done = Arc::new(Mutex::new(false));
    let (a2, b2, done2) = (Arc::clone(&a), Arc::clone(&b), Arc::clone(&done));
    let t = thread::spawn(move || {
        a_then_b(&a2, &b2);
        *done2.lock().unwrap() = true;
    });
    while !*done.lock().unwrap() {
        thread::yield_now();
    }
    b_then_a(&a, &b);
    t.join().unwrap();
}
