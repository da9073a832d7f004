use leakcheck::channel::bounded;
use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;

/// Two locks, `a` and `b`, that the threads below take in both orders.
fn locks() -> (Arc<Mutex<u32>>, Arc<Mutex<u32>>) {
    (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)))
}

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

/// Set-up before the spawn: the thread starts after the body's `a_then_b` is over.
pub fn set_up_then_spawn() {
    let (a, b) = locks();
    a_then_b(&a, &b);
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    thread::spawn(move || b_then_a(&a2, &b2)).join().unwrap();
}

/// A channel orders them: the body takes its locks after the thread said it was done with its.
pub fn handed_over_a_channel() {
    let (a, b) = locks();
    let (done_tx, done_rx) = bounded(1);
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    let t = thread::spawn(move || {
        a_then_b(&a2, &b2);
        done_tx.send(()).unwrap();
    });
    done_rx.recv().unwrap();
    b_then_a(&a, &b);
    t.join().unwrap();
}

/// A common lock held around both orders: only one thread at a time takes either pair.
pub fn under_a_common_lock() {
    let (a, b) = locks();
    let gate = Arc::new(Mutex::new(()));
    let (a2, b2, gate2) = (Arc::clone(&a), Arc::clone(&b), Arc::clone(&gate));
    let t = thread::spawn(move || {
        let _gate = gate2.lock().unwrap();
        a_then_b(&a2, &b2);
    });
    {
        let _gate = gate.lock().unwrap();
        b_then_a(&a, &b);
    }
    t.join().unwrap();
}
