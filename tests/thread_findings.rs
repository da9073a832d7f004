//! Each finding kind of the core, asserted on its kind, thread, object and locations, as a user
//! writing these tests would see them.

use leakcheck::sync::atomic::{AtomicBool, Ordering};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, Detail, FindingKind, LeakState, Report, Scheduler, Target};

const FILE: &str = "tests/thread_findings.rs";

fn fails(config: Config, body: impl Fn() + Send + Sync + 'static) -> Report {
    config
        .explore(body)
        .expect_err("the check should have found something")
}

fn kinds(report: &Report) -> Vec<FindingKind> {
    report.findings().iter().map(|f| f.kind()).collect()
}

#[test]
fn thread_blocked_forever_on_a_mutex_is_a_leaked_thread() {
    static LINES: std::sync::Mutex<(u32, u32, u32)> = std::sync::Mutex::new((0, 0, 0));
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let lock = Arc::new(Mutex::new(0));
        let guard = lock.lock().unwrap();
        let lock2 = Arc::clone(&lock);
        let (spawned, blocked) = (line!() + 4, line!() + 5);
        *LINES.lock().unwrap() = (created, spawned, blocked);
        thread::Builder::new()
            .name("waiter".into())
            .spawn(move || {
                let _g = lock2.lock().unwrap();
            })
            .unwrap();
        std::mem::forget(guard);
    });
    let (created, spawned, blocked) = *LINES.lock().unwrap();
    assert_eq!(kinds(&report), [FindingKind::LeakedThread]);
    let f = &report.findings()[0];
    let t = f.thread().unwrap();
    assert_eq!(t.name.as_deref(), Some("waiter"));
    assert_eq!(t.id, 1);
    let at = t.spawned_at.as_ref().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, spawned));
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = f.detail()
    else {
        panic!("not blocked forever: {report}")
    };
    assert_eq!(b.operation, "Mutex::lock");
    assert_eq!((b.at.file.as_str(), b.at.line), (FILE, blocked));
    let Target::Object(obj) = &b.on else {
        panic!("{report}")
    };
    assert_eq!((obj.kind.as_str(), obj.id), ("mutex", 1));
    assert_eq!(obj.created_at.line, created);
    let holder = &b.held_by[0].thread;
    assert_eq!(holder.id, 0, "the body holds the mutex");
    let text = report.to_string();
    assert!(text.contains(&format!(
        "leaked thread#1 \"waiter\", spawned at {FILE}:{spawned}:"
    )));
    assert!(text.contains(&format!(
        "blocked forever in Mutex::lock on mutex#1 at {FILE}:{blocked}:"
    )));
}

#[test]
fn detached_thread_that_finishes_after_the_body_is_a_leak_unless_lingering_is_allowed() {
    let body = || {
        thread::spawn(|| {
            thread::yield_now();
        });
    };
    let report = fails(Config::new(), body);
    assert_eq!(kinds(&report), [FindingKind::LeakedThread]);
    let f = &report.findings()[0];
    assert!(matches!(
        f.detail(),
        Detail::LeakedThread {
            state: LeakState::FinishedLate,
            ..
        }
    ));
    assert_eq!(f.location().unwrap().file, FILE);
    assert!(report
        .to_string()
        .contains("finished only after the test body returned"));

    let summary = Config::new()
        .allow_lingering(true)
        .schedules(500)
        .explore(body)
        .unwrap();
    assert_eq!(summary.schedules(), 500);
}

#[test]
fn thread_that_finishes_before_the_body_returns_is_never_a_finding() {
    // Not joined, but it always ends before the body does: the body waits for its flag.
    let summary = Config::new()
        .schedules(2_000)
        .explore(|| {
            let done = Arc::new(AtomicBool::new(false));
            let d = Arc::clone(&done);
            let h = thread::spawn(move || d.store(true, Ordering::SeqCst));
            while !done.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            while !h.is_finished() {
                thread::yield_now();
            }
        })
        .unwrap();
    assert_eq!(summary.schedules(), 2_000);
}

#[test]
fn lock_order_deadlock_shows_the_cycle() {
    let body = || {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let h = thread::Builder::new()
            .name("ba".into())
            .spawn(move || {
                let _b = b2.lock().unwrap();
                let _a = a2.lock().unwrap();
            })
            .unwrap();
        {
            let _a = a.lock().unwrap();
            let _b = b.lock().unwrap();
        }
        h.join().unwrap();
    };
    // Every schedule takes both orders (a lock-order inversion); some also deadlock.
    let report = (0..200)
        .map(|seed| {
            fails(
                Config::new()
                    .seed(seed)
                    .schedules(1)
                    .scheduler(Scheduler::Random),
                body,
            )
        })
        .find(|r| r.has(FindingKind::Deadlock))
        .expect("some schedule deadlocks");
    assert_eq!(
        kinds(&report),
        [FindingKind::Deadlock, FindingKind::LockOrderInversion]
    );
    let Detail::Deadlock { blocked, cycle, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert_eq!(cycle, &[0, 1]);
    assert_eq!(blocked.len(), 2);
    for leakcheck::BlockedThread {
        thread: t,
        blocked: b,
    } in blocked
    {
        assert_eq!(b.operation, "Mutex::lock");
        assert_eq!(b.at.file, FILE);
        let holder = &b.held_by[0].thread;
        assert_ne!(holder.id, t.id, "each waits for the other");
    }
    let text = report.to_string();
    assert!(
        text.contains(
            "cycle: thread#0 (the test body) -> mutex#2 -> thread#1 \"ba\" -> mutex#1 -> thread#0"
        ) || text.contains(
            "cycle: thread#0 (the test body) -> mutex#1 -> thread#1 \"ba\" -> mutex#2 -> thread#0"
        ),
        "{text}"
    );
}

#[test]
fn joining_a_thread_blocked_forever_is_a_deadlock_through_join() {
    let report = fails(Config::new(), || {
        let lock = Arc::new(Mutex::new(()));
        let guard = lock.lock().unwrap();
        let l2 = Arc::clone(&lock);
        let h = thread::spawn(move || drop(l2.lock().unwrap()));
        h.join().unwrap();
        drop(guard);
    });
    assert_eq!(kinds(&report), [FindingKind::Deadlock]);
    let Detail::Deadlock { blocked, cycle, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert_eq!(cycle, &[0, 1]);
    assert_eq!(blocked[0].blocked.operation, "JoinHandle::join");
    assert!(matches!(&blocked[0].blocked.on, Target::Thread(t) if t.id == 1));
}

#[test]
fn panic_in_a_thread_nobody_joined_is_reported() {
    static LINE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let report = fails(Config::new(), || {
        LINE.store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
        let h = thread::spawn(|| panic!("worker failed"));
        while !h.is_finished() {
            thread::yield_now();
        }
        drop(h);
    });
    assert_eq!(kinds(&report), [FindingKind::Panic]);
    let Detail::Panic {
        message,
        at,
        never_joined,
        thread,
        ..
    } = report.findings()[0].detail()
    else {
        unreachable!()
    };
    assert_eq!(message, "worker failed");
    assert!(never_joined);
    assert_eq!(thread.id, 1);
    let line = LINE.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        at.as_ref().map(|a| (a.file.as_str(), a.line)),
        Some((FILE, line))
    );
}

#[test]
fn panic_seen_through_join_is_not_a_finding() {
    Config::new().schedules(500).check(|| {
        let h = thread::spawn(|| panic!("expected"));
        assert!(h.join().is_err());
    });
}

#[test]
fn panic_in_the_body_is_reported_with_its_location() {
    let report = fails(Config::new().schedules(10), || {
        let v: Vec<u8> = Vec::new();
        let _ = v[3];
    });
    assert_eq!(kinds(&report), [FindingKind::Panic]);
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().id, 0);
    assert_eq!(f.location().unwrap().file, FILE);
}

#[test]
fn poisoning_follows_std() {
    Config::new().schedules(300).check(|| {
        let lock = Arc::new(Mutex::new(1));
        let l2 = Arc::clone(&lock);
        let r = thread::spawn(move || {
            let _g = l2.lock().unwrap();
            panic!("poison it");
        })
        .join();
        assert!(r.is_err());
        assert!(lock.is_poisoned());
        let g = lock.lock().unwrap_err().into_inner();
        assert_eq!(*g, 1);
        drop(g);
        lock.clear_poison();
        assert!(!lock.is_poisoned());
    });
}

#[test]
fn spin_in_the_body_is_a_step_limit() {
    let report = fails(Config::new().max_steps(2_000), || {
        let flag = AtomicBool::new(false);
        while !flag.load(Ordering::SeqCst) {
            thread::yield_now();
        }
    });
    assert_eq!(kinds(&report), [FindingKind::StepLimit]);
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().id, 0);
    assert_eq!(f.location().unwrap().file, FILE);
}

#[test]
fn thread_spinning_after_the_body_returned_is_still_running() {
    let report = fails(Config::new().max_steps(2_000), || {
        thread::Builder::new()
            .name("spinner".into())
            .spawn(|| loop {
                thread::yield_now();
            })
            .unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::LeakedThread]);
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().name.as_deref(), Some("spinner"));
    let Detail::LeakedThread {
        state: LeakState::StillRunning {
            last_seen,
            max_steps,
        },
        ..
    } = f.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(*max_steps, 2_000);
    assert_eq!(last_seen.as_ref().unwrap().operation, "thread::yield_now");
}

#[test]
fn parked_thread_never_unparked_is_a_leak() {
    let report = fails(Config::new(), || {
        let woken = Arc::new(AtomicBool::new(false));
        let w = Arc::clone(&woken);
        // `park` may return spuriously (std allows it), so it is used in a loop, as it must be.
        thread::spawn(move || {
            while !w.load(Ordering::SeqCst) {
                thread::park();
            }
        });
    });
    let f = &report.findings()[0];
    assert_eq!(f.kind(), FindingKind::LeakedThread);
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = f.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "thread::park");
    assert_eq!(b.on, Target::Unpark);
}

#[test]
fn findings_appear_under_every_scheduler() {
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Dfs,
    ] {
        let report = fails(Config::new().scheduler(scheduler), || {
            thread::spawn(|| thread::yield_now());
        });
        assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{scheduler}");
    }
}

#[test]
fn park_wakes_spuriously_only_when_asked_to() {
    let body = || {
        let _ = thread::spawn(thread::park);
    };
    let states = |config: Config| -> Vec<&'static str> {
        (0..60)
            .map(|seed| {
                let report = fails(config.clone().scheduler(Scheduler::Random).seed(seed), body);
                match report.findings()[0].detail() {
                    Detail::LeakedThread {
                        state: LeakState::FinishedLate,
                        ..
                    } => "finished late",
                    Detail::LeakedThread {
                        state: LeakState::BlockedForever(_),
                        ..
                    } => "blocked forever",
                    _ => panic!("{report}"),
                }
            })
            .collect()
    };
    // With spurious wake-ups on, some schedules let the parked thread return by itself.
    let on = states(Config::new());
    assert!(
        on.contains(&"finished late") && on.contains(&"blocked forever"),
        "{on:?}"
    );
    // With them off, it is always blocked forever.
    let off = states(Config::new().spurious_wakeups(false));
    assert!(off.iter().all(|s| *s == "blocked forever"), "{off:?}");
}

#[test]
fn the_last_runnable_thread_ending_while_others_wait_is_a_deadlock() {
    // The body waits on a channel nobody sends on; the other thread ends. When it ends last,
    // nothing can run any more: a deadlock, not an error of the harness.
    let report = fails(Config::new().schedules(100), || {
        let (tx, rx) = leakcheck::channel::bounded::<()>(0);
        let helper = thread::spawn(thread::yield_now);
        let _ = rx.recv();
        drop(tx);
        helper.join().unwrap();
    });
    assert_eq!(kinds(&report)[0], FindingKind::Deadlock, "{report}");
    let Detail::Deadlock { blocked, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].blocked.operation, "Receiver::recv");
}
