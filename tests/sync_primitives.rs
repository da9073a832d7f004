//! `RwLock`, `Barrier`, `Once`, `OnceLock` and `Semaphore`: correct code is clean under Random and PCT, each
//! way of getting stuck is found and reported with its thread, object and locations, and outside
//! a check each is std's own.

mod common;

use common::{fails, kinds, Lines};
use std::panic::{catch_unwind, AssertUnwindSafe};

use leakcheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use leakcheck::sync::{
    Arc, Barrier, Mutex, Once, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard, Semaphore,
    TryAcquireError, TryLockError,
};
use leakcheck::{thread, Config, Detail, FindingKind, LeakState, Scheduler, Target};

const FILE: &str = "tests/sync_primitives.rs";
const SCHEDULES: usize = 2_000;

fn clean(body: impl Fn() + Send + Sync + Clone + 'static) {
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        match Config::new()
            .schedules(SCHEDULES)
            .scheduler(scheduler)
            .spurious_wakeups(true)
            .explore(body.clone())
        {
            Ok(summary) => assert_eq!(summary.schedules(), SCHEDULES, "{scheduler}"),
            Err(report) => panic!("false alarm under {scheduler}:\n{report}"),
        }
    }
}

fn wait_for(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        thread::yield_now();
    }
}

// ---------------------------------------------------------------------------------------------
// Correct code is clean

#[test]
fn readers_and_a_writer_are_clean() {
    clean(|| {
        // The writer keeps both halves equal; a reader must never see them differ.
        let lock = Arc::new(RwLock::new((0u32, 0u32)));
        let readers_in = Arc::new(AtomicUsize::new(0));
        let writers_in = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for i in 0..2 {
            let (lock, readers_in, writers_in) = (
                Arc::clone(&lock),
                Arc::clone(&readers_in),
                Arc::clone(&writers_in),
            );
            let h = thread::Builder::new()
                .name(format!("reader-{i}"))
                .spawn(move || {
                    let mut last = 0;
                    for _ in 0..2 {
                        let g = lock.read().unwrap();
                        readers_in.fetch_add(1, Ordering::SeqCst);
                        assert_eq!(writers_in.load(Ordering::SeqCst), 0);
                        assert_eq!(g.0, g.1);
                        assert!(g.0 >= last, "values only grow");
                        last = g.0;
                        readers_in.fetch_sub(1, Ordering::SeqCst);
                    }
                })
                .unwrap();
            handles.push(h);
        }
        {
            let (lock, readers_in, writers_in) = (
                Arc::clone(&lock),
                Arc::clone(&readers_in),
                Arc::clone(&writers_in),
            );
            handles.push(
                thread::Builder::new()
                    .name("writer".into())
                    .spawn(move || {
                        for _ in 0..2 {
                            let mut g = lock.write().unwrap();
                            assert_eq!(writers_in.fetch_add(1, Ordering::SeqCst), 0);
                            assert_eq!(readers_in.load(Ordering::SeqCst), 0);
                            g.0 += 1;
                            thread::yield_now();
                            g.1 += 1;
                            writers_in.fetch_sub(1, Ordering::SeqCst);
                        }
                    })
                    .unwrap(),
            );
        }
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*lock.read().unwrap(), (2, 2));
    });
}

#[test]
fn try_read_and_try_write_are_clean() {
    clean(|| {
        let lock = Arc::new(RwLock::new(0));
        let l2 = Arc::clone(&lock);
        let h = thread::spawn(move || {
            for _ in 0..2 {
                if let Ok(mut g) = l2.try_write() {
                    *g += 1;
                }
            }
        });
        for _ in 0..2 {
            match lock.try_read() {
                Ok(g) => assert!(*g <= 2),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Poisoned(_)) => unreachable!(),
            }
        }
        h.join().unwrap();
        assert!(*lock.read().unwrap() <= 2);
    });
}

#[test]
fn barrier_rounds_are_clean_with_one_leader_each() {
    clean(|| {
        const ROUNDS: usize = 2;
        let barrier = Arc::new(Barrier::new(3));
        let arrived: Arc<Vec<AtomicUsize>> =
            Arc::new((0..ROUNDS).map(|_| AtomicUsize::new(0)).collect());
        let leaders: Arc<Vec<AtomicUsize>> =
            Arc::new((0..ROUNDS).map(|_| AtomicUsize::new(0)).collect());
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let (barrier, arrived, leaders) = (
                    Arc::clone(&barrier),
                    Arc::clone(&arrived),
                    Arc::clone(&leaders),
                );
                thread::Builder::new()
                    .name(format!("party-{i}"))
                    .spawn(move || {
                        for round in 0..ROUNDS {
                            arrived[round].fetch_add(1, Ordering::SeqCst);
                            if barrier.wait().is_leader() {
                                leaders[round].fetch_add(1, Ordering::SeqCst);
                            }
                            // Nobody passes the barrier before all have arrived.
                            assert_eq!(arrived[round].load(Ordering::SeqCst), 3);
                        }
                    })
                    .unwrap()
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        for round in 0..ROUNDS {
            assert_eq!(leaders[round].load(Ordering::SeqCst), 1, "round {round}");
        }
    });
}

#[test]
fn once_races_are_clean_and_run_the_closure_once() {
    clean(|| {
        let once = Arc::new(Once::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
                thread::spawn(move || {
                    once.call_once(|| {
                        thread::yield_now();
                        runs.fetch_add(1, Ordering::SeqCst);
                    });
                    // call_once returns only after the closure has run.
                    assert_eq!(runs.load(Ordering::SeqCst), 1);
                    assert!(once.is_completed());
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn once_lock_races_are_clean() {
    clean(|| {
        let cell = Arc::new(OnceLock::new());
        let inits = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let (cell, inits) = (Arc::clone(&cell), Arc::clone(&inits));
                thread::spawn(move || {
                    let seen = cell.get().copied();
                    let v = *cell.get_or_init(|| {
                        inits.fetch_add(1, Ordering::SeqCst);
                        i
                    });
                    if let Some(s) = seen {
                        assert_eq!(s, v);
                    }
                    assert_eq!(cell.get(), Some(&v));
                    v
                })
            })
            .collect();
        let values: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(values.iter().all(|&v| v == values[0]));
        assert_eq!(inits.load(Ordering::SeqCst), 1);
        assert_eq!(cell.set(9), Err(9));
    });
}

// ---------------------------------------------------------------------------------------------
// RwLock findings

/// Thread "reader" takes a read guard, then a second one while it still holds the first; thread
/// "writer" asks for the write lock in between. Where a waiting writer blocks new readers, the
/// second read waits for the writer, which waits for the first read: a deadlock that some
/// platforms have and others do not, so a scheduler choice.
#[test]
fn reader_writer_reader_deadlock_is_found() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let lock = Arc::new(RwLock::new(0));
        let (l1, l2) = (Arc::clone(&lock), Arc::clone(&lock));
        let first = line!() + 5;
        let second = line!() + 6;
        let reader = thread::Builder::new()
            .name("reader".into())
            .spawn(move || {
                let r1 = l1.read().unwrap();
                thread::yield_now();
                let r2 = l1.read().unwrap();
                assert_eq!(*r1, *r2);
            })
            .unwrap();
        let write = line!() + 4;
        let writer = thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                *l2.write().unwrap() += 1;
            })
            .unwrap();
        LINES.set(&[created, first, second, write]);
        reader.join().unwrap();
        writer.join().unwrap();
    });
    let lines = LINES.get();
    let (created, first, second, write) = (lines[0], lines[1], lines[2], lines[3]);
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let f = &report.findings()[0];
    let Detail::Deadlock { blocked, cycle, .. } = f.detail() else {
        unreachable!()
    };
    // The body waits in `join`; the reader and the writer wait on the lock.
    assert_eq!(f.thread().unwrap().id, 0);
    assert!(
        matches!(&blocked[0].blocked.on, Target::Thread(t) if t.name.as_deref() == Some("reader"))
    );
    assert_eq!(blocked.len(), 3, "{report}");
    let (reader, r) = (&blocked[1].thread, &blocked[1].blocked);
    let (writer, w) = (&blocked[2].thread, &blocked[2].blocked);
    assert_eq!(reader.name.as_deref(), Some("reader"));
    assert_eq!(writer.name.as_deref(), Some("writer"));
    assert_eq!(r.operation, "RwLock::read");
    assert_eq!((r.at.file.as_str(), r.at.line), (FILE, second));
    assert_eq!(w.operation, "RwLock::write");
    assert_eq!((w.at.file.as_str(), w.at.line), (FILE, write));
    for b in [r, w] {
        let Target::Object(obj) = &b.on else {
            panic!("{report}")
        };
        assert_eq!((obj.kind.as_str(), obj.id), ("rwlock", 1));
        assert_eq!(
            (obj.created_at.file.as_str(), obj.created_at.line),
            (FILE, created)
        );
        // The lock is held by the reader's first guard, and by nobody else.
        assert_eq!(b.held_by.len(), 1, "{report}");
        let leakcheck::Holder {
            thread: holder,
            since,
        } = &b.held_by[0];
        assert_eq!(holder.id, reader.id);
        assert_eq!((since.file.as_str(), since.line), (FILE, first));
    }
    // The reader is in the cycle (through the writer it queued behind, or through its own read).
    assert!(cycle.contains(&reader.id), "{report}");
    let text = report.to_string();
    assert!(text.contains("RwLock::read"), "{text}");
    assert!(text.contains("rwlock#1"), "{text}");
}

/// The same deadlock with the body as the reader: the finding's own thread and object are the
/// body and the lock.
#[test]
fn reader_writer_reader_deadlock_in_the_body_names_the_lock() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let lock = Arc::new(RwLock::new(0));
        let r1 = lock.read().unwrap();
        let l2 = Arc::clone(&lock);
        let h = thread::Builder::new()
            .name("writer".into())
            .spawn(move || *l2.write().unwrap() += 1)
            .unwrap();
        thread::yield_now();
        let second = line!() + 1;
        let r2 = lock.read().unwrap();
        LINES.set(&[second]);
        drop((r1, r2));
        h.join().unwrap();
    });
    let second = LINES.get()[0];
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().id, 0);
    let obj = f.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("rwlock", 1));
    let at = f.location().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, second));
    let Detail::Deadlock { blocked, .. } = f.detail() else {
        unreachable!()
    };
    assert_eq!(blocked.len(), 2);
    assert_eq!(blocked[1].thread.name.as_deref(), Some("writer"));
    assert_eq!(blocked[1].blocked.operation, "RwLock::write");
}

/// A reader may also pass a waiting writer: the same body runs clean in some schedules.
#[test]
fn a_reader_may_pass_a_waiting_writer() {
    static PASSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    for seed in 0..200 {
        let outcome = Config::new()
            .schedules(1)
            .seed(seed)
            .scheduler(Scheduler::Random)
            .explore(|| {
                let lock = Arc::new(RwLock::new(0));
                let r1 = lock.read().unwrap();
                let l2 = Arc::clone(&lock);
                let writing = Arc::new(AtomicBool::new(false));
                let w2 = Arc::clone(&writing);
                let h = thread::spawn(move || {
                    w2.store(true, Ordering::SeqCst);
                    *l2.write().unwrap() += 1;
                });
                wait_for(&writing);
                // The writer has asked, or is about to; let it queue.
                thread::yield_now();
                thread::yield_now();
                let r2 = lock.read().unwrap();
                drop((r1, r2));
                h.join().unwrap();
            });
        if outcome.is_ok() {
            PASSED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let passed = PASSED.load(std::sync::atomic::Ordering::Relaxed);
    assert!(passed > 0 && passed < 200, "{passed} of 200 clean");
}

#[test]
fn write_while_holding_a_read_guard_blocks_forever() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new().schedules(10), || {
        let lock = RwLock::new(0);
        let (held, asked) = (line!() + 2, line!() + 3);
        LINES.set(&[held, asked]);
        let r = lock.read().unwrap();
        let w = lock.write();
        drop((r, w));
    });
    let lines = LINES.get();
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let f = &report.findings()[0];
    let Detail::Deadlock { blocked, cycle, .. } = f.detail() else {
        unreachable!()
    };
    assert_eq!(cycle, &[0], "the body waits for itself");
    let b = &blocked[0].blocked;
    assert_eq!(b.operation, "RwLock::write");
    assert_eq!(b.at.line, lines[1]);
    assert_eq!(b.held_by[0].thread.id, 0);
    assert_eq!(b.held_by[0].since.line, lines[0]);
    assert_eq!(f.object().unwrap().kind, "rwlock");
}

#[test]
fn writer_left_waiting_for_a_forgotten_read_guard_is_a_leaked_thread() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let lock = Arc::new(RwLock::new(0));
        let held = line!() + 1;
        std::mem::forget(lock.read().unwrap());
        let l2 = Arc::clone(&lock);
        let asked = line!() + 4;
        thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                *l2.write().unwrap() = 1;
            })
            .unwrap();
        LINES.set(&[held, asked]);
    });
    let lines = LINES.get();
    assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{report}");
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().name.as_deref(), Some("writer"));
    let obj = f.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("rwlock", 1));
    assert_eq!(f.location().unwrap().line, lines[1]);
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = f.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "RwLock::write");
    assert_eq!(b.held_by[0].thread.id, 0, "the body holds a read guard");
    assert_eq!(b.held_by[0].since.line, lines[0]);
    assert!(report.to_string().contains(&format!(
        "blocked forever in RwLock::write on rwlock#1 at {FILE}:{}:",
        lines[1]
    )));
}

#[test]
fn rwlock_and_mutex_taken_in_opposite_orders_deadlock() {
    let body = || {
        let lock = Arc::new(RwLock::new(()));
        let m = Arc::new(Mutex::new(()));
        let (lock2, m2) = (Arc::clone(&lock), Arc::clone(&m));
        let h = thread::spawn(move || {
            let _g = m2.lock().unwrap();
            let _w = lock2.write().unwrap();
        });
        {
            let _r = lock.read().unwrap();
            let _g = m.lock().unwrap();
        }
        h.join().unwrap();
    };
    // Every schedule that takes both orders shows the inversion, the first one already.
    let report = fails(Config::new(), body);
    assert!(report.has(FindingKind::LockOrderInversion), "{report}");
    assert!(
        report.to_string().contains("mutex#1 and rwlock#1"),
        "{report}"
    );
    // Some schedules deadlock: each waits for the lock the other holds.
    let mut deadlocks = 0;
    for seed in 0..100 {
        let Err(report) = Config::new()
            .schedules(1)
            .seed(seed)
            .scheduler(Scheduler::Random)
            .explore(body)
        else {
            continue;
        };
        if !report.has(FindingKind::Deadlock) {
            continue;
        }
        deadlocks += 1;
        let Detail::Deadlock { cycle, blocked, .. } = report.findings()[0].detail() else {
            unreachable!()
        };
        assert_eq!(cycle, &[0, 1]);
        let ops: Vec<&str> = blocked
            .iter()
            .map(|x| x.blocked.operation.as_str())
            .collect();
        assert_eq!(ops, ["Mutex::lock", "RwLock::write"]);
    }
    assert!(deadlocks > 0);
}

#[test]
fn a_panicking_writer_poisons_and_a_panicking_reader_does_not() {
    Config::new().schedules(300).check(|| {
        let lock = Arc::new(RwLock::new(1));
        let l2 = Arc::clone(&lock);
        let r = thread::spawn(move || {
            let _g = l2.read().unwrap();
            panic!("a reader fails");
        })
        .join();
        assert!(r.is_err());
        assert!(!lock.is_poisoned());

        let l2 = Arc::clone(&lock);
        let r = thread::spawn(move || {
            let mut g = l2.write().unwrap();
            *g = 2;
            panic!("a writer fails");
        })
        .join();
        assert!(r.is_err());
        assert!(lock.is_poisoned());
        assert_eq!(*lock.read().unwrap_err().into_inner(), 2);
        assert!(matches!(lock.try_write(), Err(TryLockError::Poisoned(_))));
        lock.clear_poison();
        assert!(!lock.is_poisoned());
        assert_eq!(*lock.write().unwrap(), 2);
    });
}

// ---------------------------------------------------------------------------------------------
// Barrier findings

#[test]
fn barrier_short_of_one_arrival_leaks_the_waiting_threads() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let barrier = Arc::new(Barrier::new(3));
        let waits = line!() + 6;
        for i in 0..2 {
            let b = Arc::clone(&barrier);
            thread::Builder::new()
                .name(format!("arrival-{i}"))
                .spawn(move || {
                    b.wait();
                })
                .unwrap();
        }
        LINES.set(&[created, waits]);
    });
    let lines = LINES.get();
    assert_eq!(
        kinds(&report),
        [FindingKind::LeakedThread, FindingKind::LeakedThread],
        "{report}"
    );
    for (i, f) in report.findings().iter().enumerate() {
        assert_eq!(f.thread().unwrap().name, Some(format!("arrival-{i}")));
        let obj = f.object().unwrap();
        assert_eq!((obj.kind.as_str(), obj.id), ("barrier", 1));
        assert_eq!(obj.created_at.line, lines[0]);
        let at = f.location().unwrap();
        assert_eq!((at.file.as_str(), at.line), (FILE, lines[1]));
        let Detail::LeakedThread {
            state: LeakState::BlockedForever(b),
            ..
        } = f.detail()
        else {
            panic!("{report}")
        };
        assert_eq!(b.operation, "Barrier::wait");
    }
    assert!(report.to_string().contains(&format!(
        "blocked forever in Barrier::wait on barrier#1 at {FILE}:{}:",
        lines[1]
    )));
}

#[test]
fn barrier_the_body_waits_on_short_of_one_is_a_deadlock() {
    let report = fails(Config::new(), || {
        let barrier = Arc::new(Barrier::new(3));
        let b = Arc::clone(&barrier);
        let h = thread::spawn(move || {
            b.wait();
        });
        barrier.wait();
        h.join().unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let f = &report.findings()[0];
    let obj = f.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("barrier", 1));
    let Detail::Deadlock { blocked, cycle, .. } = f.detail() else {
        unreachable!()
    };
    assert!(cycle.is_empty(), "a barrier waits for nobody in particular");
    assert_eq!(blocked.len(), 2);
    assert!(blocked
        .iter()
        .all(|x| x.blocked.operation == "Barrier::wait"));
}

// ---------------------------------------------------------------------------------------------
// Semaphore

#[test]
fn a_semaphore_bounds_how_many_threads_are_inside_and_is_clean() {
    clean(|| {
        let slots = Arc::new(Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let (slots, inside) = (Arc::clone(&slots), Arc::clone(&inside));
                thread::spawn(move || {
                    let _slot = slots.acquire().unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    assert!(now <= 2, "{now} threads hold one of 2 permits");
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(slots.available_permits(), 2);
    });
}

#[test]
fn semaphore_permits_go_first_come_first_served() {
    // A waiter that wants 2 of the 1 free permit holds it back from later callers.
    clean(|| {
        let sem = Arc::new(Semaphore::new(1));
        let s = Arc::clone(&sem);
        let big = thread::spawn(move || s.acquire_many(2).unwrap().num_permits());
        // `try_acquire` fails with a permit free only while someone waits before it.
        loop {
            match sem.try_acquire() {
                Ok(permit) => {
                    drop(permit);
                    thread::yield_now();
                }
                Err(TryAcquireError::NoPermits) => break,
                Err(TryAcquireError::Closed) => unreachable!("nobody closes it"),
            }
        }
        assert_eq!(
            sem.available_permits(),
            1,
            "the free permit waits for the first waiter"
        );
        sem.add_permits(1);
        assert_eq!(big.join().unwrap(), 2);
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn closing_a_semaphore_wakes_its_waiters_with_an_error() {
    clean(|| {
        let sem = Arc::new(Semaphore::new(0));
        let s = Arc::clone(&sem);
        let waiter = thread::spawn(move || s.acquire().map(|p| p.num_permits()));
        sem.close();
        assert!(
            waiter.join().unwrap().is_err(),
            "the waiter got a permit of a closed semaphore"
        );
    });
}

#[test]
fn a_forgotten_permit_leaves_its_waiter_blocked_forever() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let sem = Arc::new(Semaphore::new(1));
        sem.acquire().unwrap().forget();
        let s = Arc::clone(&sem);
        let waits = line!() + 3;
        thread::Builder::new()
            .name("waiter".into())
            .spawn(move || drop(s.acquire()))
            .unwrap();
        LINES.set(&[created, waits]);
    });
    let lines = LINES.get();
    assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{report}");
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().name.as_deref(), Some("waiter"));
    let obj = f.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("semaphore", 1));
    assert_eq!(obj.created_at.line, lines[0]);
    let at = f.location().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, lines[1]));
    assert!(report.to_string().contains(&format!(
        "blocked forever in Semaphore::acquire on semaphore#1 at {FILE}:{}:",
        lines[1]
    )));
}

#[test]
fn joining_a_thread_that_waits_for_the_permit_the_body_holds_is_a_deadlock() {
    let report = fails(Config::new(), || {
        let sem = Arc::new(Semaphore::new(1));
        let _mine = sem.acquire().unwrap();
        let s = Arc::clone(&sem);
        thread::spawn(move || drop(s.acquire())).join().unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let Detail::Deadlock { blocked, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    let operations: Vec<&str> = blocked
        .iter()
        .map(|b| b.blocked.operation.as_str())
        .collect();
    assert_eq!(
        operations,
        ["JoinHandle::join", "Semaphore::acquire"],
        "{report}"
    );
}

#[test]
fn semaphore_outside_a_check_serves_waiters_in_order() {
    let sem = std::sync::Arc::new(Semaphore::new(1));
    let s = std::sync::Arc::clone(&sem);
    let big = std::thread::spawn(move || s.acquire_many(2).unwrap().num_permits());
    // Wait (bounded) until the thread waits: then the free permit is held back for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sem.try_acquire().map(drop).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the waiter never queued"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(sem.available_permits(), 1);
    sem.add_permits(1);
    assert_eq!(big.join().unwrap(), 2);
    assert_eq!(sem.available_permits(), 2);
    sem.acquire().unwrap().forget();
    assert_eq!(sem.available_permits(), 1);
    sem.close();
    assert!(sem.is_closed());
    assert_eq!(sem.try_acquire().err(), Some(TryAcquireError::Closed));
    assert!(sem.acquire().is_err());
}

// ---------------------------------------------------------------------------------------------
// Once findings and poisoning

#[test]
fn thread_waiting_for_a_stuck_once_runner_is_reported() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let once = Arc::new(Once::new());
        let lock = Arc::new(Mutex::new(()));
        std::mem::forget(lock.lock().unwrap());
        let running = Arc::new(AtomicBool::new(false));
        let (o1, l1, r1) = (Arc::clone(&once), Arc::clone(&lock), Arc::clone(&running));
        let stuck = line!() + 6;
        thread::Builder::new()
            .name("runner".into())
            .spawn(move || {
                o1.call_once(|| {
                    r1.store(true, Ordering::SeqCst);
                    drop(l1.lock());
                });
            })
            .unwrap();
        wait_for(&running);
        let o2 = Arc::clone(&once);
        let waits = line!() + 3;
        thread::Builder::new()
            .name("waiter".into())
            .spawn(move || o2.call_once(|| {}))
            .unwrap();
        LINES.set(&[created, stuck, waits]);
    });
    let lines = LINES.get();
    assert_eq!(
        kinds(&report),
        [FindingKind::LeakedThread, FindingKind::LeakedThread],
        "{report}"
    );
    let runner = &report.findings()[0];
    assert_eq!(runner.thread().unwrap().name.as_deref(), Some("runner"));
    assert_eq!(runner.object().unwrap().kind, "mutex");
    assert_eq!(runner.location().unwrap().line, lines[1]);
    let waiter = &report.findings()[1];
    assert_eq!(waiter.thread().unwrap().name.as_deref(), Some("waiter"));
    let obj = waiter.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("once", 1));
    assert_eq!(obj.created_at.line, lines[0]);
    let at = waiter.location().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, lines[2]));
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = waiter.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "Once::call_once");
}

#[test]
fn joining_a_thread_that_waits_for_a_stuck_once_is_a_deadlock_through_the_runner() {
    let report = fails(Config::new(), || {
        let once = Arc::new(Once::new());
        let lock = Arc::new(Mutex::new(()));
        let guard = lock.lock().unwrap();
        let running = Arc::new(AtomicBool::new(false));
        let (o1, l1, r1) = (Arc::clone(&once), Arc::clone(&lock), Arc::clone(&running));
        let runner = thread::spawn(move || {
            o1.call_once(|| {
                r1.store(true, Ordering::SeqCst);
                drop(l1.lock());
            });
        });
        wait_for(&running);
        let o2 = Arc::clone(&once);
        let waiter = thread::spawn(move || o2.call_once(|| {}));
        waiter.join().unwrap();
        drop(guard);
        runner.join().unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let Detail::Deadlock { blocked, cycle, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    // body -> waiter (join) -> runner (once) -> body (mutex)
    assert_eq!(cycle, &[0, 2, 1]);
    assert_eq!(blocked[2].blocked.operation, "Once::call_once");
}

#[test]
fn a_panic_in_call_once_poisons_it_for_callers_and_waiters() {
    Config::new().schedules(500).check(|| {
        let once = Arc::new(Once::new());
        let running = Arc::new(AtomicBool::new(false));
        let (o1, r1) = (Arc::clone(&once), Arc::clone(&running));
        let runner = thread::spawn(move || {
            o1.call_once(|| {
                r1.store(true, Ordering::SeqCst);
                thread::yield_now();
                panic!("initialisation failed");
            })
        });
        wait_for(&running);
        // Arrives while the closure runs, or after it panicked: either way it panics too.
        let o2 = Arc::clone(&once);
        let waiter = thread::spawn(move || o2.call_once(|| unreachable!()));
        assert!(runner.join().is_err());
        let err = waiter.join().unwrap_err();
        assert_eq!(
            err.downcast_ref::<String>().map(String::as_str),
            Some("Once instance has previously been poisoned")
        );
        assert!(!once.is_completed());
        let later = catch_unwind(AssertUnwindSafe(|| once.call_once(|| {})));
        assert!(later.is_err());
        let mut forced = false;
        once.call_once_force(|state| {
            assert!(state.is_poisoned());
            forced = true;
        });
        assert!(forced);
        assert!(once.is_completed());
        once.call_once(|| unreachable!());
        once.call_once_force(|_| unreachable!());
    });
}

#[test]
fn a_panicking_once_lock_initialiser_leaves_it_empty() {
    Config::new().schedules(300).check(|| {
        let cell = Arc::new(OnceLock::new());
        let c2 = Arc::clone(&cell);
        let failed = thread::spawn(move || {
            c2.get_or_init(|| panic!("no value"));
        })
        .join();
        assert!(failed.is_err());
        assert_eq!(cell.get(), None);
        let c3 = Arc::clone(&cell);
        let h = thread::spawn(move || *c3.get_or_init(|| 1));
        let mine = *cell.get_or_init(|| 2);
        assert_eq!(h.join().unwrap(), mine);
    });
}

#[test]
fn once_lock_helpers_inside_a_check() {
    Config::new().schedules(50).check(|| {
        let mut cell = OnceLock::new();
        assert_eq!(format!("{cell:?}"), "OnceLock(<uninit>)");
        assert_eq!(cell.get_mut(), None);
        assert_eq!(cell.set(String::from("a")), Ok(()));
        assert_eq!(format!("{cell:?}"), "OnceLock(\"a\")");
        cell.get_mut().unwrap().push('b');
        let copy = cell.clone();
        assert_eq!(copy, cell);
        assert_eq!(cell.take().as_deref(), Some("ab"));
        assert_eq!(cell.get(), None);
        assert_eq!(*cell.get_or_init(|| String::from("c")), "c");
        assert_eq!(cell.into_inner().as_deref(), Some("c"));
        assert_eq!(OnceLock::from(3).into_inner(), Some(3));
        assert_eq!(copy.get().map(String::as_str), Some("ab"));
    });
}

// ---------------------------------------------------------------------------------------------
// Outside a check: std's own

#[test]
fn rwlock_outside_a_check_is_std() {
    let lock = std::sync::Arc::new(RwLock::new(vec![1]));
    {
        let r1: RwLockReadGuard<'_, Vec<i32>> = lock.read().unwrap();
        let r2 = lock.try_read().unwrap();
        assert_eq!(*r1, *r2);
        assert!(matches!(lock.try_write(), Err(TryLockError::WouldBlock)));
    }
    {
        let mut w: RwLockWriteGuard<'_, Vec<i32>> = lock.write().unwrap();
        w.push(2);
        assert!(matches!(lock.try_read(), Err(TryLockError::WouldBlock)));
        assert_eq!(
            format!("{lock:?}"),
            "RwLock { data: <locked>, poisoned: false, .. }"
        );
    }
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let lock = std::sync::Arc::clone(&lock);
            std::thread::spawn(move || {
                if i % 2 == 0 {
                    lock.write().unwrap().push(i);
                } else {
                    assert!(!lock.read().unwrap().is_empty());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(lock.read().unwrap().len(), 4);
    let l2 = std::sync::Arc::clone(&lock);
    let _ = std::thread::spawn(move || {
        let _w = l2.write().unwrap();
        panic!("poison");
    })
    .join();
    assert!(lock.is_poisoned());
    assert!(lock.read().is_err());
    lock.clear_poison();
    let mut lock = std::sync::Arc::try_unwrap(lock).unwrap();
    lock.get_mut().unwrap().clear();
    assert_eq!(lock.into_inner().unwrap(), Vec::<i32>::new());
    assert_eq!(*RwLock::<u8>::default().read().unwrap(), 0);
    assert_eq!(*RwLock::from(7).read().unwrap(), 7);
}

#[test]
fn barrier_outside_a_check_is_std() {
    let barrier = std::sync::Arc::new(Barrier::new(3));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let b = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || b.wait().is_leader())
        })
        .collect();
    let leaders = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|&l| l)
        .count();
    assert_eq!(leaders, 1);
    assert!(Barrier::new(0).wait().is_leader());
    assert_eq!(
        format!("{:?}", Barrier::new(1).wait()),
        "BarrierWaitResult { is_leader: true }"
    );
}

#[test]
fn once_and_once_lock_outside_a_check_are_std() {
    let once = std::sync::Arc::new(Once::new());
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (once, runs) = (std::sync::Arc::clone(&once), std::sync::Arc::clone(&runs));
            std::thread::spawn(move || {
                once.call_once(|| {
                    runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                })
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(once.is_completed());

    let poisoned = Once::new();
    assert!(catch_unwind(AssertUnwindSafe(|| poisoned.call_once(|| panic!("boom")))).is_err());
    let again = catch_unwind(AssertUnwindSafe(|| poisoned.call_once(|| {})));
    assert!(again.is_err());
    poisoned.call_once_force(|s| assert!(s.is_poisoned()));
    assert!(poisoned.is_completed());

    let cell = std::sync::Arc::new(OnceLock::new());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let cell = std::sync::Arc::clone(&cell);
            std::thread::spawn(move || *cell.get_or_init(|| i))
        })
        .collect();
    let values: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(values.iter().all(|&v| v == values[0]));
    assert_eq!(cell.set(10), Err(10));
    let mut cell = std::sync::Arc::try_unwrap(cell).unwrap();
    assert_eq!(cell.take(), Some(values[0]));
    assert_eq!(cell.get(), None);
    assert_eq!(format!("{cell:?}"), "OnceLock(<uninit>)");
}

#[test]
fn types_are_send_and_sync_like_std() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RwLock<u8>>();
    send_sync::<Barrier>();
    send_sync::<Once>();
    send_sync::<OnceLock<u8>>();
    fn sync<T: Sync>() {}
    sync::<RwLockReadGuard<'static, u8>>();
    sync::<RwLockWriteGuard<'static, u8>>();
}
