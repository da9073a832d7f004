//! Condvar, cancellation and lock-order findings: missed signals (lost, misdirected, never
//! signalled), spurious wake-ups, unresponsive cancellation, lock-order inversions and
//! self-deadlock.

use leakcheck::cancel::Token;
use leakcheck::channel::{bounded, select, Receiver};
use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::{thread, Config, Detail, FindingKind, Report, Scheduler, SignalCause, Target};

const FILE: &str = "tests/signal_findings.rs";

fn fails(config: Config, body: impl Fn() + Send + Sync + 'static) -> Report {
    config
        .explore(body)
        .expect_err("the check should have found something")
}

fn missed(
    report: &Report,
) -> (
    &SignalCause,
    usize,
    &leakcheck::ObjectInfo,
    &leakcheck::SourceLocation,
) {
    report
        .findings()
        .iter()
        .find_map(|f| match f.detail() {
            Detail::MissedSignal {
                cause,
                rewaits,
                condvar,
                wait_at,
                ..
            } => Some((cause, *rewaits, condvar, wait_at)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no missed signal in:\n{report}"))
}

/// The talk's condvar queue: items under a mutex, one condvar for "items were added".
struct Queue {
    items: Mutex<Vec<u32>>,
    added: Condvar,
}

impl Queue {
    fn new() -> Arc<Queue> {
        Arc::new(Queue {
            items: Mutex::new(Vec::new()),
            added: Condvar::new(),
        })
    }

    fn put(&self, item: u32) {
        self.items.lock().unwrap().push(item);
        self.added.notify_one();
    }

    /// A new path that forgets the signal.
    fn put_all(&self, items: &[u32]) {
        self.items.lock().unwrap().extend_from_slice(items);
    }

    fn get_many(&self, n: usize) -> Vec<u32> {
        let mut items = self.items.lock().unwrap();
        while items.len() < n {
            items = self.added.wait(items).unwrap();
        }
        items.drain(..n).collect()
    }

    /// `if` instead of `while`: trusts a wake-up to mean an item is there.
    fn get_if(&self) -> u32 {
        let mut items = self.items.lock().unwrap();
        if items.is_empty() {
            items = self.added.wait(items).unwrap();
        }
        items.remove(0)
    }
}

#[test]
fn notify_before_the_wait_is_a_lost_signal() {
    static NOTIFY_LINE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let report = fails(Config::new(), || {
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let waiter = thread::Builder::new()
            .name("waiter".into())
            .spawn(move || {
                let (lock, cv) = &*p2;
                // No predicate: a notify that came first is lost.
                let guard = lock.lock().unwrap();
                drop(cv.wait(guard).unwrap());
            })
            .unwrap();
        NOTIFY_LINE.store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
        pair.1.notify_one();
        waiter.join().unwrap();
    });
    let (cause, _, condvar, wait_at) = missed(&report);
    let SignalCause::Lost { notifies } = cause else {
        panic!("not lost: {report}")
    };
    assert_eq!((condvar.kind.as_str(), condvar.id), ("condvar", 1));
    assert_eq!(wait_at.file, FILE);
    assert_eq!(
        notifies[0].at.line,
        NOTIFY_LINE.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert!(!notifies[0].all);
    assert_eq!(notifies[0].by.id, 0);
    assert!(
        report.has(FindingKind::Deadlock),
        "the body joins the waiter: {report}"
    );
    assert!(
        report.to_string().contains("lost: notify_one at"),
        "{report}"
    );
}

/// The first report, over seeds tried one schedule each, that has a finding `pred` accepts.
fn find(
    config: Config,
    body: impl Fn() + Send + Sync + Clone + 'static,
    pred: impl Fn(&Detail) -> bool,
) -> Report {
    (0..500)
        .find_map(|seed| {
            let config = config
                .clone()
                .seed(seed)
                .schedules(1)
                .scheduler(Scheduler::Random);
            let report = config.explore(body.clone()).err()?;
            report
                .findings()
                .iter()
                .any(|f| pred(f.detail()))
                .then_some(report)
        })
        .expect("some schedule shows the finding")
}

#[test]
fn misdirected_notify_one_strands_a_waiter() {
    // get-2 needs two items and only one comes, so every schedule leaks it. In the schedules
    // where both wait when the item comes and notify_one wakes get-2, get-1 is stranded too,
    // with an item in the queue: its signal went to the wrong waiter.
    let body = || {
        let q = Queue::new();
        let (q2, q1) = (Arc::clone(&q), Arc::clone(&q));
        thread::Builder::new()
            .name("get-2".into())
            .spawn(move || q2.get_many(2))
            .unwrap();
        thread::Builder::new()
            .name("get-1".into())
            .spawn(move || q1.get_many(1))
            .unwrap();
        q.put(1);
    };
    let misdirected = |d: &Detail| {
        matches!(
            d,
            Detail::MissedSignal {
                cause: SignalCause::Misdirected { .. },
                ..
            }
        )
    };
    let report = find(Config::new().spurious_wakeups(false), body, misdirected);
    let f = report
        .findings()
        .iter()
        .find(|f| misdirected(f.detail()))
        .unwrap();
    assert_eq!(f.thread().unwrap().name.as_deref(), Some("get-1"));
    let Detail::MissedSignal {
        cause: SignalCause::Misdirected { notifies },
        ..
    } = f.detail()
    else {
        unreachable!()
    };
    assert_eq!(
        notifies[0].woke.as_ref().and_then(|t| t.name.as_deref()),
        Some("get-2")
    );
    assert_eq!(notifies[0].at.file, FILE);
    assert!(report.has(FindingKind::LeakedThread));
    assert!(
        report.to_string().contains("went back to waiting"),
        "{report}"
    );
}

#[test]
fn an_append_that_forgets_to_notify_is_never_signalled() {
    let body = || {
        let q = Queue::new();
        let q2 = Arc::clone(&q);
        thread::Builder::new()
            .name("getter".into())
            .spawn(move || q2.get_many(1))
            .unwrap();
        q.put_all(&[1, 2]);
    };
    // In the schedules where the getter waits before the items come, it sleeps with items present.
    let report = find(Config::new(), body, |d| {
        matches!(d, Detail::MissedSignal { .. })
    });
    let (cause, ..) = missed(&report);
    let SignalCause::NeverSignalled { changed } = cause else {
        panic!("{report}")
    };
    // The body's `put_all` changed the queue under the mutex, without a notify.
    assert_eq!(changed.len(), 1, "{report}");
    assert_eq!(changed[0].thread.id, 0);
    assert_eq!(changed[0].at.file, FILE);
    let put_all = include_str!("signal_findings.rs")
        .lines()
        .position(|l| l.contains("self.items.lock().unwrap().extend_from_slice(items);"))
        .unwrap() as u32
        + 1;
    assert_eq!(changed[0].at.line, put_all);
    assert!(report.has(FindingKind::LeakedThread));
    assert!(report.to_string().contains("never signalled"), "{report}");
}

#[test]
fn if_instead_of_while_panics_only_with_spurious_wakeups() {
    let body = || {
        let q = Queue::new();
        let q2 = Arc::clone(&q);
        let getter = thread::spawn(move || q2.get_if());
        q.put(7);
        assert_eq!(getter.join().unwrap(), 7);
    };
    let with = Config::new()
        .schedules(2_000)
        .scheduler(Scheduler::Random)
        .explore(body);
    let report = with.expect_err("a spurious wake-up returns with an empty queue");
    let panic = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::Panic && f.thread().unwrap().id == 1)
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(panic.location().unwrap().file, FILE);
    let without = Config::new()
        .schedules(2_000)
        .scheduler(Scheduler::Random)
        .spurious_wakeups(false)
        .explore(body);
    assert!(without.is_ok(), "{}", without.unwrap_err());
}

#[test]
fn ab_ba_deadlocks_in_some_schedules_and_is_an_inversion_in_all_that_take_both_orders() {
    let body = || {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let t = thread::Builder::new()
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
        t.join().unwrap();
    };
    let mut deadlocks = 0;
    for seed in 0..100 {
        let report = fails(
            Config::new()
                .seed(seed)
                .schedules(1)
                .scheduler(Scheduler::Random),
            body,
        );
        assert!(
            report.has(FindingKind::LockOrderInversion),
            "every schedule takes both orders: {report}"
        );
        deadlocks += usize::from(report.has(FindingKind::Deadlock));
        let inversion = report
            .findings()
            .iter()
            .find_map(|f| match f.detail() {
                Detail::LockOrderInversion { first, second } => Some((first, second)),
                _ => None,
            })
            .unwrap();
        assert_ne!(inversion.0.thread.id, inversion.1.thread.id);
        assert_eq!(inversion.0.first.lock.id, inversion.1.then.lock.id);
        assert_eq!(inversion.0.then.lock.id, inversion.1.first.lock.id);
        assert_eq!(inversion.0.first.at.file, FILE);
    }
    assert!(
        deadlocks > 0 && deadlocks < 100,
        "deadlocks in {deadlocks} of 100 schedules"
    );
}

#[test]
fn opposite_orders_under_a_common_lock_are_not_an_inversion() {
    Config::new().schedules(2_000).check(|| {
        let gate = Arc::new(Mutex::new(()));
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (g2, a2, b2) = (Arc::clone(&gate), Arc::clone(&a), Arc::clone(&b));
        let t = thread::spawn(move || {
            let _g = g2.lock().unwrap();
            let _b = b2.lock().unwrap();
            let _a = a2.lock().unwrap();
        });
        {
            let _g = gate.lock().unwrap();
            let _a = a.lock().unwrap();
            let _b = b.lock().unwrap();
        }
        t.join().unwrap();
    });
}

#[test]
fn locking_a_mutex_twice_is_a_deadlock_that_says_so() {
    let report = fails(Config::new().schedules(5), || {
        let m = Mutex::new(0);
        let _first = m.lock().unwrap();
        let _second = m.lock().unwrap();
    });
    assert_eq!(report.findings()[0].kind(), FindingKind::Deadlock);
    let Detail::Deadlock { blocked, cycle, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert_eq!(cycle, &[0]);
    assert_eq!(blocked[0].blocked.held_by[0].thread.id, 0);
    assert!(
        report
            .to_string()
            .contains("locks mutex#1 again while it holds it"),
        "{report}"
    );
}

fn cancellable_getter(token: Token, items: Arc<(Mutex<Vec<u32>>, Condvar)>) -> Option<u32> {
    let (lock, cv) = &*items;
    let mut guard = lock.lock().unwrap();
    loop {
        if token.is_cancelled() {
            return None;
        }
        if let Some(v) = guard.pop() {
            return Some(v);
        }
        guard = cv.wait(guard).unwrap();
    }
}

#[test]
fn a_getter_parked_on_a_condvar_does_not_see_the_cancel() {
    let report = fails(Config::new().spurious_wakeups(false), || {
        let token = Token::new();
        let items = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let (t2, i2) = (token.clone(), Arc::clone(&items));
        thread::Builder::new()
            .name("getter".into())
            .spawn(move || cancellable_getter(t2, i2))
            .unwrap();
        // In the schedules where the getter is parked by now, it never sees this.
        token.cancel();
    });
    let f = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::UnresponsiveCancellation)
        .unwrap_or_else(|| panic!("{report}"));
    let Detail::UnresponsiveCancellation {
        thread,
        token,
        blocked,
        ..
    } = f.detail()
    else {
        unreachable!()
    };
    assert_eq!(thread.name.as_deref(), Some("getter"));
    assert_eq!((token.kind.as_str(), token.id), ("token", 1));
    assert_eq!(blocked.operation, "Condvar::wait");
    assert!(matches!(&blocked.on, Target::Object(o) if o.kind == "condvar"));
    assert!(
        report.to_string().contains("cannot see the cancellation"),
        "{report}"
    );
}

fn select_getter(token: Token, items: Receiver<u32>) -> Option<u32> {
    select! {
        recv(items) -> item => item.ok(),
        recv(token.done()) -> _ => None,
    }
}

#[test]
fn the_same_getter_written_with_select_is_clean() {
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        Config::new()
            .schedules(2_000)
            .scheduler(scheduler)
            .check(|| {
                let token = Token::new();
                let (items_tx, items_rx) = bounded::<u32>(0);
                let t2 = token.clone();
                let getter = thread::spawn(move || select_getter(t2, items_rx));
                token.cancel();
                assert_eq!(getter.join().unwrap(), None);
                drop(items_tx);
            });
    }
}

#[test]
fn correct_condvar_queues_are_clean_with_spurious_wakeups() {
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        Config::new()
            .schedules(2_000)
            .scheduler(scheduler)
            .check(|| {
                let q = Queue::new();
                let getters: Vec<_> = (0..2)
                    .map(|_| {
                        let q = Arc::clone(&q);
                        thread::spawn(move || q.get_many(1))
                    })
                    .collect();
                q.put(1);
                q.put(2);
                let mut got: Vec<u32> = getters
                    .into_iter()
                    .flat_map(|g| g.join().unwrap())
                    .collect();
                got.sort_unstable();
                assert_eq!(got, [1, 2]);
            });
        Config::new()
            .schedules(2_000)
            .scheduler(scheduler)
            .check(|| {
                let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
                let p2 = Arc::clone(&pair);
                let h = thread::spawn(move || {
                    let (m, cv) = &*p2;
                    *m.lock().unwrap() += 1;
                    cv.notify_all();
                });
                let (m, cv) = &*pair;
                let g = cv.wait_while(m.lock().unwrap(), |n| *n == 0).unwrap();
                assert_eq!(*g, 1);
                drop(g);
                h.join().unwrap();
            });
    }
}

#[test]
fn wait_timeout_both_times_out_and_is_notified() {
    use std::time::Duration;
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..60 {
        let seen = Arc::new(std::sync::Mutex::new(None));
        let s2 = seen.clone();
        Config::new()
            .seed(seed)
            .schedules(1)
            .scheduler(Scheduler::Random)
            .check(move || {
                let pair = Arc::new((Mutex::new(false), Condvar::new()));
                let p2 = Arc::clone(&pair);
                let h = thread::spawn(move || {
                    *p2.0.lock().unwrap() = true;
                    p2.1.notify_one();
                });
                let (m, cv) = &*pair;
                let (g, r) = cv
                    .wait_timeout_while(m.lock().unwrap(), Duration::from_millis(1), |ready| {
                        !*ready
                    })
                    .unwrap();
                *s2.lock().unwrap() = Some((r.timed_out(), *g));
                drop(g);
                h.join().unwrap();
            });
        outcomes.insert(seen.lock().unwrap().unwrap());
    }
    assert!(outcomes.contains(&(true, false)), "{outcomes:?}");
    assert!(outcomes.contains(&(false, true)), "{outcomes:?}");
}
