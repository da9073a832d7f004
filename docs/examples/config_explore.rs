use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, FindingKind, Scheduler};

fn forgets_its_thread() {
    let lock = Arc::new(Mutex::new(()));
    let l = Arc::clone(&lock);
    let guard = lock.lock().unwrap();
    thread::spawn(move || drop(l.lock().unwrap()));
    std::mem::forget(guard); // never unlocked
}

#[test]
fn check_panics_with_the_report() {
    // The defaults, and the environment's overrides.
    leakcheck::check(|| {
        let t = thread::spawn(|| ());
        t.join().unwrap();
    });
}

#[test]
fn explore_returns_the_report() {
    let config = Config::new()
        .schedules(200)
        .scheduler(Scheduler::Pct { depth: 2 })
        .seed(42)
        .max_steps(10_000)
        .allow_lingering(false)
        .spurious_wakeups(true);
    let report = config.explore(forgets_its_thread).unwrap_err();
    assert!(report.has(FindingKind::LeakedThread));
    assert!(report.replay_token().starts_with("lc1_"));

    // Replaying the token gives the same findings, on the first try.
    let replayed = Config::new()
        .replay(report.replay_token())
        .explore(forgets_its_thread);
    assert_eq!(replayed.unwrap_err().findings(), report.findings());
}

#[test]
fn explore_returns_a_summary_when_clean() {
    let summary = Config::new()
        .scheduler(Scheduler::Random)
        .explore(|| {
            let t = thread::spawn(|| ());
            t.join().unwrap();
        })
        .unwrap();
    assert_eq!(summary.schedules(), 1_000);
}
