//! The exhaustive scheduler: the detector scenarios of the other suites give the same findings
//! under it, correct code is clean with a count of every execution within the bound, and a
//! search cut short by the schedules limit says it is not a proof.

use leakcheck::cancel::Token;
use leakcheck::channel::{bounded, select, unbounded};
use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::{thread, Config, Detail, FindingKind, LeakState, Report, Scheduler, SignalCause};

fn exhaustive(bound: usize) -> Config {
    Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: bound,
        })
        .schedules(1_000_000)
}

fn fails(config: Config, body: impl Fn() + Send + Sync + 'static) -> Report {
    config
        .explore(body)
        .expect_err("the search should find something")
}

fn proof(config: Config, body: impl Fn() + Send + Sync + 'static) -> usize {
    match config.explore(body) {
        Ok(summary) => {
            assert_eq!(summary.complete(), Some(true), "{summary}");
            summary.schedules()
        }
        Err(report) => panic!("false alarm:\n{report}"),
    }
}

#[test]
fn a_leaked_thread_is_found() {
    let report = fails(exhaustive(2), || {
        thread::Builder::new()
            .name("late".into())
            .spawn(thread::yield_now)
            .unwrap();
    });
    let f = &report.findings()[0];
    assert_eq!(f.kind(), FindingKind::LeakedThread);
    assert_eq!(f.thread().unwrap().name.as_deref(), Some("late"));
    assert!(matches!(
        f.detail(),
        Detail::LeakedThread {
            state: LeakState::FinishedLate,
            ..
        }
    ));
}

#[test]
fn ab_ba_gives_the_inversion_first_and_a_deadlock_within_the_bound() {
    let body = || {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let t = thread::spawn(move || {
            let _b = b2.lock().unwrap();
            let _a = a2.lock().unwrap();
        });
        {
            let _a = a.lock().unwrap();
            let _b = b.lock().unwrap();
        }
        t.join().unwrap();
    };
    let report = fails(exhaustive(2), body);
    assert!(report.has(FindingKind::LockOrderInversion), "{report}");
    // With no preemption at all, the two threads never hold one lock each at once.
    let report = fails(exhaustive(0), body);
    assert!(!report.has(FindingKind::Deadlock), "{report}");
}

#[test]
fn the_misdirected_notify_one_is_found_because_the_waiter_choice_is_enumerated() {
    let report = fails(exhaustive(1).spurious_wakeups(false), || {
        let q = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
        for (name, n) in [("get-2", 2), ("get-1", 1)] {
            let q = Arc::clone(&q);
            thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let (items, added) = &*q;
                    let mut items = items.lock().unwrap();
                    while items.len() < n {
                        items = added.wait(items).unwrap();
                    }
                })
                .unwrap();
        }
        q.0.lock().unwrap().push(1);
        q.1.notify_one();
    });
    assert!(report.has(FindingKind::LeakedThread), "{report}");
}

#[test]
fn if_instead_of_while_panics_because_spurious_wake_ups_are_enumerated() {
    let report = fails(exhaustive(1), || {
        let q = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || {
            let (items, added) = &*q2;
            let mut items = items.lock().unwrap();
            if items.is_empty() {
                items = added.wait(items).unwrap();
            }
            items.remove(0)
        });
        q.0.lock().unwrap().push(7);
        q.1.notify_one();
        let _ = getter.join();
    });
    assert!(report.has(FindingKind::Panic), "{report}");
}

#[test]
fn a_forgotten_notify_is_a_missed_signal() {
    let report = fails(exhaustive(2), || {
        let q = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || {
            let (items, added) = &*q2;
            let mut items = items.lock().unwrap();
            while items.is_empty() {
                items = added.wait(items).unwrap();
            }
        });
        q.0.lock().unwrap().push(1); // no notify
        getter.join().unwrap();
    });
    let cause = report.findings().iter().find_map(|f| match f.detail() {
        Detail::MissedSignal { cause, .. } => Some(cause),
        _ => None,
    });
    assert!(
        matches!(cause, Some(SignalCause::NeverSignalled { .. })),
        "{report}"
    );
}

#[test]
fn unclosed_channels_and_unresponsive_cancellation_are_found() {
    let report = fails(exhaustive(2), || {
        let (tx, rx) = unbounded::<u32>();
        thread::spawn(move || for _ in rx.iter() {});
        std::mem::forget(tx);
    });
    assert!(report.has(FindingKind::UnclosedChannel), "{report}");

    // Lingering allowed: the schedules where the thread sees the cancel and ends late are clean.
    let report = fails(
        exhaustive(1).spurious_wakeups(false).allow_lingering(true),
        || {
            let token = Token::new();
            let pair = Arc::new((Mutex::new(()), Condvar::new()));
            let (t2, p2) = (token.clone(), Arc::clone(&pair));
            thread::spawn(move || {
                let guard = p2.0.lock().unwrap();
                if !t2.is_cancelled() {
                    drop(p2.1.wait(guard).unwrap());
                }
            });
            token.cancel();
        },
    );
    assert!(
        report.has(FindingKind::UnresponsiveCancellation),
        "{report}"
    );
}

#[test]
fn correct_code_is_clean_with_a_proof_count() {
    let counter = proof(exhaustive(2), || {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let m = Arc::clone(&m);
                thread::spawn(move || *m.lock().unwrap() += 1)
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*m.lock().unwrap(), 2);
    });
    assert!(counter > 10, "{counter}");

    let queue = proof(exhaustive(2), || {
        let q = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || {
            let (items, added) = &*q2;
            let mut items = added
                .wait_while(items.lock().unwrap(), |i| i.is_empty())
                .unwrap();
            items.remove(0)
        });
        q.0.lock().unwrap().push(7);
        q.1.notify_one();
        assert_eq!(getter.join().unwrap(), 7);
    });
    assert!(queue > 10, "{queue}");

    let cancel = proof(exhaustive(2), || {
        let token = Token::new();
        let (_tx, rx) = bounded::<u32>(0);
        let t2 = token.clone();
        let getter = thread::spawn(move || {
            select! {
                recv(rx) -> v => v.ok(),
                recv(t2.done()) -> _ => None,
            }
        });
        token.cancel();
        assert_eq!(getter.join().unwrap(), None);
    });
    assert!(cancel > 1, "{cancel}");
}

#[test]
fn more_preemptions_explore_more_executions() {
    let body = || {
        let (tx, rx) = bounded::<u32>(1);
        let h = thread::spawn(move || {
            for i in 0..3 {
                tx.send(i).unwrap();
            }
        });
        assert_eq!(rx.iter().sum::<u32>(), 3);
        h.join().unwrap();
    };
    let counts: Vec<usize> = (0..3).map(|b| proof(exhaustive(b), body)).collect();
    assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
}

#[test]
fn a_search_cut_short_by_the_schedules_limit_is_not_a_proof() {
    let summary = exhaustive(3)
        .schedules(5)
        .explore(|| {
            let hs: Vec<_> = (0..3).map(|_| thread::spawn(thread::yield_now)).collect();
            for h in hs {
                h.join().unwrap();
            }
        })
        .unwrap();
    assert_eq!(summary.schedules(), 5);
    assert_eq!(summary.complete(), Some(false));
    assert!(summary.to_string().contains("not a proof"), "{summary}");
}

#[test]
fn a_program_that_is_not_deterministic_is_a_clear_error() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let err = std::panic::catch_unwind(|| {
        exhaustive(1).explore(|| {
            // State kept across executions decides whether a thread exists: on the second
            // execution, the path the search replays asks for a thread that is not there.
            if RUNS.fetch_add(1, Relaxed) % 2 == 0 {
                let h = thread::spawn(thread::yield_now);
                thread::yield_now();
                h.join().unwrap();
            } else {
                thread::yield_now();
            }
        })
    })
    .expect_err("the search stops with an error");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("not deterministic"), "{msg}");
    assert!(msg.contains("HashMap"), "says what to look for: {msg}");
}

#[test]
fn replay_tokens_from_the_exhaustive_search_reproduce() {
    let body = || {
        thread::spawn(thread::yield_now);
    };
    let report = fails(exhaustive(2), body);
    let replayed = fails(Config::new().replay(report.replay_token()), body);
    assert_eq!(replayed.findings(), report.findings());
    assert!(replayed.to_string().contains("exhaustive:2"), "{replayed}");
}
