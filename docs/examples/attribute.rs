use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;

/// Default settings: 1,000 schedules, PCT of depth 3, seed 0x5eed.
#[leakcheck::test]
fn worker_is_joined() {
    let worker = thread::spawn(|| 6 * 7);
    assert_eq!(worker.join().unwrap(), 42);
}

/// Every setting, spelled out.
#[leakcheck::test(
    schedules = 500,
    scheduler = "pct",
    depth = 2,
    seed = 0x5eed,
    max_steps = 20_000,
    allow_lingering = false,
    spurious_wakeups = true
)]
fn counter_is_shared() {
    let count = Arc::new(Mutex::new(0));
    let c = Arc::clone(&count);
    let t = thread::spawn(move || *c.lock().unwrap() += 1);
    *count.lock().unwrap() += 1;
    t.join().unwrap();
    assert_eq!(*count.lock().unwrap(), 2);
}

/// Every interleaving of a small test, depth first.
#[leakcheck::test(scheduler = "dfs", schedules = 10_000)]
fn every_interleaving() {
    let t = thread::spawn(thread::yield_now);
    thread::yield_now();
    t.join().unwrap();
}

/// A detached thread that ends on its own is accepted (flags may be bare).
#[leakcheck::test(allow_lingering, scheduler = "random")]
fn detached_logger_may_finish_late() {
    thread::spawn(thread::yield_now);
}

/// The test passes only if the first failing schedule has every expected kind.
#[leakcheck::test(expect = "leaked_thread")]
fn forgotten_thread_is_found() {
    thread::spawn(thread::park);
}

#[leakcheck::test(expect = ["deadlock"])]
fn self_join_through_a_lock_is_found() {
    let lock = Arc::new(Mutex::new(()));
    let l = Arc::clone(&lock);
    let guard = lock.lock().unwrap();
    let t = thread::spawn(move || drop(l.lock().unwrap()));
    t.join().unwrap();
    drop(guard);
}

/// libtest's attributes compose: the check panics with the report.
#[leakcheck::test]
#[should_panic(expected = "1 leaked thread")]
fn report_is_the_panic_message() {
    thread::spawn(thread::park);
}

/// `Result` tests: an `Err` fails the test.
#[leakcheck::test]
fn returns_a_result() -> Result<(), String> {
    let t = thread::spawn(|| "done");
    let value = t.join().map_err(|_| "the thread panicked".to_string())?;
    assert_eq!(value, "done");
    Ok(())
}
