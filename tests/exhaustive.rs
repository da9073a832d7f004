//! The exhaustive scheduler: the detector scenarios of the other suites give the same findings
//! under it, correct code is clean with a count of every execution within the bound, and a
//! search cut short by the schedules limit says it is not a proof.

use leakcheck::cancel::Token;
use leakcheck::channel::{bounded, select, unbounded};
use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::{
    thread, Config, Detail, FindingKind, LeakState, ObjectKind, Report, Scheduler, SignalCause,
};

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
            if RUNS.fetch_add(1, Relaxed).is_multiple_of(2) {
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

/// What a finding is about, to compare the searches: its kind, thread, object and line.
type Key = (
    FindingKind,
    Option<usize>,
    Option<(String, usize)>,
    Option<u32>,
);

fn keys(report: &Report) -> Vec<Key> {
    report
        .findings()
        .iter()
        .map(|f| {
            (
                f.kind(),
                f.thread().map(|t| t.id),
                f.object().map(|o| (o.kind.to_string(), o.id)),
                f.location().map(|l| l.line),
            )
        })
        .collect()
}

/// The detector scenarios of the other suites whose bug shows in every schedule that has one:
/// the exhaustive search reports the same findings (kind, thread, object, line) as PCT and
/// Random do.
#[test]
fn detector_scenarios_give_the_same_findings_as_the_sampling_schedulers() {
    type Scenario = (&'static str, fn(), &'static [FindingKind]);
    let scenarios: &[Scenario] = &[
        (
            "a thread blocked on a mutex the body never unlocks",
            || {
                let m = Arc::new(Mutex::new(0));
                let m2 = Arc::clone(&m);
                std::mem::forget(m.lock().unwrap());
                thread::spawn(move || *m2.lock().unwrap() += 1);
            },
            &[FindingKind::LeakedThread],
        ),
        (
            "a parked thread nobody unparks",
            || {
                let woken = Arc::new(leakcheck::sync::atomic::AtomicBool::new(false));
                let w = Arc::clone(&woken);
                thread::spawn(move || {
                    while !w.load(leakcheck::sync::atomic::Ordering::SeqCst) {
                        thread::park();
                    }
                });
            },
            &[FindingKind::LeakedThread],
        ),
        (
            "a mutex locked twice by one thread",
            || {
                let m = Mutex::new(());
                let _a = m.lock().unwrap();
                let _b = m.lock();
            },
            &[FindingKind::Deadlock],
        ),
        (
            "a writer behind a read guard that is never dropped",
            || {
                let l = Arc::new(leakcheck::sync::RwLock::new(0));
                std::mem::forget(l.read().unwrap());
                let l2 = Arc::clone(&l);
                thread::spawn(move || *l2.write().unwrap() += 1);
            },
            &[FindingKind::LeakedThread],
        ),
        (
            "a barrier one party short",
            || {
                let b = Arc::new(leakcheck::sync::Barrier::new(3));
                let b2 = Arc::clone(&b);
                let h = thread::spawn(move || {
                    b2.wait();
                });
                b.wait();
                h.join().unwrap();
            },
            &[FindingKind::Deadlock],
        ),
        (
            "a thread that panics and is never joined",
            || {
                let h = thread::spawn(|| panic!("boom"));
                while !h.is_finished() {
                    thread::yield_now();
                }
            },
            &[FindingKind::Panic],
        ),
        (
            "a receiver thread whose sender is forgotten, with a message left",
            || {
                let (tx, rx) = unbounded::<u32>();
                tx.send(1).unwrap();
                thread::spawn(move || while rx.recv().is_ok() {});
                std::mem::forget(tx);
            },
            &[FindingKind::LeakedThread, FindingKind::UnclosedChannel],
        ),
        (
            "an std mpsc receiver whose sender outlives the body",
            || {
                let (tx, rx) = leakcheck::sync::mpsc::channel::<u32>();
                thread::spawn(move || for _ in rx {});
                std::mem::forget(tx);
            },
            &[FindingKind::LeakedThread, FindingKind::UnclosedChannel],
        ),
        (
            "a condvar waiter nobody signals",
            || {
                let q = Arc::new((Mutex::new(false), Condvar::new()));
                let q2 = Arc::clone(&q);
                thread::spawn(move || {
                    let mut ready = q2.0.lock().unwrap();
                    while !*ready {
                        ready = q2.1.wait(ready).unwrap();
                    }
                });
            },
            &[FindingKind::LeakedThread, FindingKind::MissedSignal],
        ),
        (
            "a select on a channel nobody sends on",
            || {
                let (_tx, rx) = bounded::<u32>(0);
                let (tx2, rx2) = bounded::<u32>(0);
                let h = thread::spawn(move || {
                    select! {
                        recv(rx) -> _ => {},
                        recv(rx2) -> _ => {},
                    }
                });
                std::mem::forget(tx2);
                h.join().unwrap();
            },
            &[FindingKind::Deadlock],
        ),
    ];
    for (name, body, kinds) in scenarios {
        let sampled = fails(Config::new(), *body);
        let random = fails(Config::new().scheduler(Scheduler::Random), *body);
        let searched = fails(exhaustive(2), *body);
        for k in *kinds {
            assert!(searched.has(*k), "{name}: no {k} in\n{searched}");
        }
        assert_eq!(
            keys(&searched),
            keys(&sampled),
            "{name}:\n{searched}\n{sampled}"
        );
        assert_eq!(
            keys(&searched),
            keys(&random),
            "{name}:\n{searched}\n{random}"
        );
        // The failing execution replayed on shuttle, which captured the stacks.
        assert!(
            !searched.to_string().contains("did not reproduce"),
            "{name}:\n{searched}"
        );
    }
}

#[test]
fn a_spin_in_the_body_is_a_step_limit_within_loom_s_count() {
    use leakcheck::sync::atomic::{AtomicBool, Ordering};
    let body = || {
        let flag = AtomicBool::new(false);
        while !flag.load(Ordering::SeqCst) {
            thread::yield_now();
        }
    };
    let report = fails(exhaustive(2).max_steps(500), body);
    let Detail::StepLimit { max_steps, .. } = report.findings()[0].detail() else {
        panic!("{report}")
    };
    assert_eq!(*max_steps, 500);
    // The default limit is more than loom can count: the search uses loom's.
    let report = fails(exhaustive(2), body);
    let Detail::StepLimit { max_steps, .. } = report.findings()[0].detail() else {
        panic!("{report}")
    };
    assert_eq!(*max_steps, leakcheck::MAX_EXHAUSTIVE_STEPS);
}

#[test]
fn more_threads_than_loom_runs_is_an_error_that_names_the_limit() {
    static LINE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let err = std::panic::catch_unwind(|| {
        exhaustive(2).explore(|| {
            let mut hs = Vec::new();
            for _ in 0..5 {
                LINE.store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
                hs.push(thread::spawn(|| {}));
            }
            for h in hs {
                h.join().unwrap();
            }
        })
    })
    .expect_err("a fifth spawned thread is over loom's limit");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("loom::MAX_THREADS"), "{msg}");
    assert!(msg.contains("5 threads"), "{msg}");
    let line = LINE.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        msg.contains(&format!("tests/exhaustive.rs:{line}:")),
        "names the spawn at line {line}: {msg}"
    );
    assert!(
        msg.contains("scheduler = \"pct\""),
        "says what to do: {msg}"
    );
    // Four spawned threads fit.
    proof(exhaustive(0), || {
        let hs: Vec<_> = (0..4).map(|_| thread::spawn(|| {})).collect();
        for h in hs {
            h.join().unwrap();
        }
    });
}

#[test]
fn the_same_search_gives_the_same_report_to_the_byte() {
    let body = || {
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
    };
    let a = fails(exhaustive(2), body);
    let b = fails(exhaustive(2), body);
    assert_eq!(a.to_string(), b.to_string());
    assert_eq!(a.to_json(), b.to_json());
}

/// When an execution stops, its threads are unwound: scoped threads that borrow from a frame
/// unwind before the frame does, and destructors that would block do not.
#[test]
fn stopped_executions_unwind_scoped_threads_and_blocking_destructors_safely() {
    struct JoinOnDrop(Option<thread::JoinHandle<()>>);
    impl Drop for JoinOnDrop {
        fn drop(&mut self) {
            if let Some(h) = self.0.take() {
                let _ = h.join();
            }
        }
    }
    let report = fails(exhaustive(2), || {
        let data = String::from("on the heap");
        let (tx, rx) = bounded::<usize>(0);
        // Blocked forever; joined by a destructor while the execution is torn down.
        let _joiner = JoinOnDrop(Some(thread::spawn(thread::park)));
        thread::scope(|s| {
            // Borrows `data`, then blocks forever: nobody receives.
            s.spawn(|| tx.send(data.len()).unwrap());
        });
        drop(rx);
    });
    assert!(report.has(FindingKind::Deadlock), "{report}");
    let count = proof(exhaustive(1), || {
        let data = String::from("on the heap");
        thread::scope(|s| {
            s.spawn(|| data.len());
            s.spawn(|| data.chars().count());
        });
    });
    assert!(count > 1, "{count}");
}

/// loom runs the body on a small stack; leakcheck gives it and every thread 256 KiB, as on the
/// other schedulers, and overflowing that is an error, not an abort.
#[test]
fn threads_have_large_stacks_and_an_overflow_is_an_error() {
    fn big_frame<const N: usize>() {
        let buf = [7u8; N];
        std::hint::black_box(&buf);
    }
    proof(exhaustive(1), || {
        big_frame::<{ 100 * 1024 }>();
        thread::spawn(big_frame::<{ 100 * 1024 }>).join().unwrap();
    });
    let bodies: [fn(); 2] = [
        || big_frame::<{ 1024 * 1024 }>(),
        || thread::spawn(big_frame::<{ 1024 * 1024 }>).join().unwrap(),
    ];
    for body in bodies {
        let err = std::panic::catch_unwind(|| exhaustive(1).explore(body))
            .expect_err("an overflow stops the search");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("overflowed its stack of 256 KiB"), "{msg}");
    }
}

/// A destructor that blocks forever while its thread unwinds from a panic: the execution stops
/// there, with the thread unable to unwind a second time, and the search still reports it.
#[test]
fn a_destructor_blocking_during_a_panic_is_reported_not_aborted() {
    struct DrainOnDrop(Option<leakcheck::channel::Receiver<u32>>);
    impl Drop for DrainOnDrop {
        fn drop(&mut self) {
            if let Some(rx) = self.0.take() {
                let _ = rx.recv();
            }
        }
    }
    let body = || {
        let (tx, rx) = unbounded::<u32>();
        // Dropped after the drain (in reverse order), so the drain's `recv` waits for good.
        let _keep = tx;
        let _drain = DrainOnDrop(Some(rx));
        panic!("the body gives up");
    };
    let searched = fails(exhaustive(2), body);
    let sampled = fails(Config::new(), body);
    assert!(searched.has(FindingKind::Deadlock), "{searched}");
    assert!(
        searched.to_string().contains("the body gives up"),
        "{searched}"
    );
    assert_eq!(keys(&searched), keys(&sampled), "{searched}\n{sampled}");
}

/// loom's own gaps (research notes, shuttle_loom.md §4) are not inherited: a receiver whose
/// senders all dropped gets `Err` (loom reports a false deadlock), and a thread that panics while
/// another holds objects is a finding (loom aborts on the double panic).
#[test]
fn loom_s_own_gaps_are_not_inherited() {
    let count = proof(exhaustive(2), || {
        let (tx, rx) = leakcheck::sync::mpsc::channel::<u32>();
        let h = thread::spawn(move || {
            tx.send(1).unwrap();
            drop(tx);
        });
        assert_eq!(rx.recv(), Ok(1));
        assert!(rx.recv().is_err(), "every sender dropped");
        h.join().unwrap();
    });
    assert!(count > 1, "{count}");

    let report = fails(exhaustive(2), || {
        let m = Arc::new(Mutex::new(0));
        let m2 = Arc::clone(&m);
        let _held = m.lock().unwrap();
        let h = thread::spawn(move || {
            let _arc = m2;
            panic!("worker failed");
        });
        while !h.is_finished() {
            thread::yield_now();
        }
    });
    assert_eq!(kinds_of(&report), [FindingKind::Panic], "{report}");
}

fn kinds_of(report: &Report) -> Vec<FindingKind> {
    report.findings().iter().map(|f| f.kind()).collect()
}

mod pubsub {
    use leakcheck::channel::{unbounded, Receiver, Sender};
    use leakcheck::sync::{Arc, Mutex};

    /// A bus whose subscriptions unsubscribe themselves when dropped.
    #[derive(Default)]
    pub struct Bus {
        subscribers: Mutex<Vec<(usize, Sender<u32>)>>,
        next: Mutex<usize>,
    }

    pub struct Subscription {
        bus: Arc<Bus>,
        id: usize,
        pub rx: Receiver<u32>,
    }

    impl Bus {
        pub fn subscribe(self: &Arc<Self>) -> Subscription {
            let (tx, rx) = unbounded();
            let id = {
                let mut next = self.next.lock().unwrap();
                *next += 1;
                *next
            };
            self.subscribers.lock().unwrap().push((id, tx));
            Subscription {
                bus: Arc::clone(self),
                id,
                rx,
            }
        }

        /// Holds the bus (no one subscribes, unsubscribes or publishes meanwhile).
        pub fn hold(&self) -> leakcheck::sync::MutexGuard<'_, Vec<(usize, Sender<u32>)>> {
            self.subscribers.lock().unwrap()
        }

        pub fn publish(&self, value: u32) {
            for (_, tx) in self.subscribers.lock().unwrap().iter() {
                let _ = tx.send(value);
            }
        }
    }

    impl Drop for Subscription {
        fn drop(&mut self) {
            self.bus
                .subscribers
                .lock()
                .unwrap()
                .retain(|(id, _)| *id != self.id);
        }
    }
}

#[test]
fn a_drop_that_unsubscribes_under_a_lock_while_the_stopped_body_unwinds_gives_a_report() {
    use pubsub::Bus;
    let body = || {
        let bus = Arc::new(Bus::default());
        let first = bus.subscribe();
        let second = bus.subscribe();
        let listener = thread::spawn(move || {
            // Waits for a second message that is never published.
            let _ = second.rx.recv();
            let _ = second.rx.recv();
        });
        bus.publish(1);
        let _ = first.rx.recv();
        listener.join().unwrap();
    };
    let report = fails(exhaustive(2), body);
    // The listener waits for good in its second `recv`, on its subscription's channel, while
    // the body joins it; both subscriptions unsubscribe, under the bus's mutex, as the stopped
    // threads unwind.
    assert_eq!(
        report.findings()[0].kind(),
        FindingKind::Deadlock,
        "{report}"
    );
    let Detail::Deadlock { blocked, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    let listener = blocked
        .iter()
        .find(|b| b.thread.id == 1)
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(listener.blocked.operation, "Receiver::recv", "{report}");
    assert!(blocked.iter().any(|b| b.thread.id == 0), "{report}");
    // The same under PCT.
    let sampled = fails(Config::new(), body);
    assert_eq!(keys(&report), keys(&sampled), "{report}\n{sampled}");
}

/// The body panics while it holds a subscription; unsubscribing, as it unwinds, waits for the
/// bus's lock, which the listener holds while it waits for good: the execution stops while the
/// body is in a destructor, and while another thread of the same OS thread is mid-unwind. The
/// listener must be unwound (not run on, in a stopped execution), and the body must finish its
/// unwinding: a report, no abort, no hang.
#[test]
fn an_execution_stopped_while_a_destructor_of_a_panicking_body_waits_gives_a_report() {
    use pubsub::Bus;
    for config in [exhaustive(2), Config::new().schedules(200)] {
        let report = fails(config, || {
            let bus = Arc::new(Bus::default());
            // Dropped after the subscription: the listener's `recv` waits for good.
            let (never_tx, never) = unbounded::<()>();
            let mine = bus.subscribe();
            let (held_tx, held) = unbounded::<()>();
            let b = Arc::clone(&bus);
            let _listener = thread::spawn(move || {
                let theirs = b.subscribe();
                let _held = b.hold();
                held_tx.send(()).unwrap();
                // Waits for good, holding the bus, and polls again whatever it gets.
                loop {
                    if never.recv().is_ok() {
                        break;
                    }
                }
                drop(theirs);
            });
            held.recv().unwrap();
            let _keep = (&never_tx, &mine);
            panic!("the body fails while it holds a subscription");
        });
        assert!(report.has(FindingKind::Panic), "{report}");
        assert!(report.has(FindingKind::Deadlock), "{report}");
        let deadlock = &report.findings()[0];
        assert_eq!(deadlock.kind(), FindingKind::Deadlock, "{report}");
        // The body is blocked unsubscribing, on the bus's mutex.
        let body = deadlock.thread().unwrap();
        assert_eq!(body.id, 0, "{report}");
        assert_eq!(
            deadlock.object().unwrap().kind,
            ObjectKind::Mutex,
            "{report}"
        );
    }
}
