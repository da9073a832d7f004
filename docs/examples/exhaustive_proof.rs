use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, Scheduler, Summary};

/// Two threads add one each under a lock; the body joins and checks.
fn counter() {
    let count = Arc::new(Mutex::new(0));
    let c = Arc::clone(&count);
    let h = thread::spawn(move || *c.lock().unwrap() += 1);
    *count.lock().unwrap() += 1;
    h.join().unwrap();
    assert_eq!(*count.lock().unwrap(), 2);
}

pub fn prove_counter() -> Summary {
    Config::new()
        .scheduler(Scheduler::Exhaustive { preemption_bound: 2 })
        // The most executions to try: the search stops when it has seen them all.
        .schedules(1_000_000)
        .explore(counter)
        .unwrap()
}

#[test]
fn counter_is_proven() {
    let summary = prove_counter();
    assert_eq!(summary.complete(), Some(true)); // a proof for the bound, not a sample
    println!("{summary}");
}
