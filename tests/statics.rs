//! `static` facade locks, condvars, barriers and once-cells: `const fn new` as std's, a model
//! attached on first use in each execution, and a real lock underneath, so that two checks using
//! one static at once never reach its data together. The same statics work outside a check.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use common::{fails, kinds};
use leakcheck::sync::{Arc, Barrier, Condvar, LazyLock, Mutex, Once, OnceLock, RwLock};
use leakcheck::{thread, Config, Detail, FindingKind, Scheduler, SignalCause};

const FILE: &str = "tests/statics.rs";
const SCHEDULES: usize = 2_000;

fn every_scheduler(body: fn()) {
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Dfs,
    ] {
        let outcome = Config::new()
            .scheduler(scheduler)
            .schedules(SCHEDULES)
            .explore(body);
        assert!(outcome.is_ok(), "{scheduler}: {outcome:?}");
    }
}

static COUNTER: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Two threads push under a static mutex, one yielding while it holds it.
fn contended() {
    let other = thread::spawn(|| {
        let mut v = COUNTER.lock().unwrap();
        thread::yield_now();
        v.push(1);
    });
    COUNTER.lock().unwrap().push(0);
    other.join().unwrap();
    let mut v = COUNTER.lock().unwrap();
    v.sort();
    assert_eq!(*v, [0, 1]);
    v.clear();
}

#[test]
fn a_contended_static_mutex_finishes_clean_in_every_schedule() {
    every_scheduler(contended);
    // Parity: the same code outside a check, on std's threads.
    contended();
    assert!(!COUNTER.is_poisoned());
}

static FIRST: Mutex<u32> = Mutex::new(0);
static SECOND: Mutex<u32> = Mutex::new(0);

#[test]
fn a_lock_order_inversion_between_static_mutexes_is_found() {
    let report = fails(Config::new().schedules(SCHEDULES), || {
        let t = thread::spawn(|| {
            let _a = FIRST.lock().unwrap();
            let _b = SECOND.lock().unwrap();
        });
        {
            let _b = SECOND.lock().unwrap();
            let _a = FIRST.lock().unwrap();
        }
        t.join().unwrap();
    });
    assert!(
        kinds(&report).contains(&FindingKind::LockOrderInversion),
        "{report}"
    );
    let (one, other) = report
        .findings()
        .iter()
        .find_map(|f| match f.detail() {
            Detail::LockOrderInversion { first, second } => Some((first, second)),
            _ => None,
        })
        .unwrap();
    assert_ne!(one.thread.id, other.thread.id);
    assert_eq!(one.first.lock.id, other.then.lock.id);
    assert_eq!(one.then.lock.id, other.first.lock.id);
    for taken in [&one.first, &one.then, &other.first, &other.then] {
        assert_eq!(taken.lock.kind.as_str(), "mutex");
        assert_eq!(taken.at.file, FILE);
        // Each static was made on its own line at the top of this file.
        assert_eq!(taken.lock.created_at.file, FILE);
    }
    let made_at: Vec<u32> = [&one.first, &one.then]
        .iter()
        .map(|t| t.lock.created_at.line)
        .collect();
    assert_ne!(made_at[0], made_at[1], "two statics, two creation sites");
}

static ITEMS: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static ADDED: Condvar = Condvar::new();

#[test]
fn a_missed_signal_on_a_static_condvar_is_found() {
    let report = fails(Config::new().schedules(SCHEDULES), || {
        ITEMS.lock().unwrap().clear();
        let waiter = thread::spawn(|| {
            let items = ITEMS.lock().unwrap();
            // No predicate: a notify that came first is lost.
            drop(ADDED.wait(items).unwrap());
        });
        ITEMS.lock().unwrap().push(1);
        ADDED.notify_one();
        waiter.join().unwrap();
    });
    let (cause, condvar, wait_at) = report
        .findings()
        .iter()
        .find_map(|f| match f.detail() {
            Detail::MissedSignal {
                cause,
                condvar,
                wait_at,
                ..
            } => Some((cause, condvar, wait_at)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no missed signal in:\n{report}"));
    assert!(matches!(cause, SignalCause::Lost { .. }), "{report}");
    assert_eq!(condvar.kind.as_str(), "condvar");
    assert_eq!(condvar.created_at.file, FILE);
    assert_eq!(wait_at.file, FILE);
}

static ONCE: Once = Once::new();
static CELL: OnceLock<u32> = OnceLock::new();
static LAZY: LazyLock<u32> = LazyLock::new(|| {
    LAZY_RUNS.fetch_add(1, SeqCst);
    7
});
static ONCE_RUNS: AtomicUsize = AtomicUsize::new(0);
static CELL_RUNS: AtomicUsize = AtomicUsize::new(0);
static LAZY_RUNS: AtomicUsize = AtomicUsize::new(0);
static EXECUTIONS: AtomicUsize = AtomicUsize::new(0);

fn init_cell() -> u32 {
    CELL_RUNS.fetch_add(1, SeqCst);
    5
}

/// Two threads race to initialise each once-cell.
fn initialise() {
    assert!(!ONCE.is_completed(), "fresh in every execution");
    assert_eq!(CELL.get(), None, "fresh in every execution");
    let t = thread::spawn(|| {
        ONCE.call_once(|| {
            ONCE_RUNS.fetch_add(1, SeqCst);
        });
        assert_eq!(*CELL.get_or_init(init_cell), 5);
        assert_eq!(*LAZY, 7);
    });
    ONCE.call_once(|| {
        ONCE_RUNS.fetch_add(1, SeqCst);
    });
    assert_eq!(*CELL.get_or_init(init_cell), 5);
    assert_eq!(*LAZY, 7);
    t.join().unwrap();
    assert!(ONCE.is_completed());
}

#[test]
fn static_once_cells_run_once_per_execution() {
    Config::new()
        .schedules(SCHEDULES)
        .scheduler(Scheduler::Random)
        .check(|| {
            EXECUTIONS.fetch_add(1, SeqCst);
            initialise();
        });
    let executions = EXECUTIONS.load(SeqCst);
    assert_eq!(executions, SCHEDULES);
    for (name, runs) in [
        ("Once", &ONCE_RUNS),
        ("OnceLock", &CELL_RUNS),
        ("LazyLock", &LAZY_RUNS),
    ] {
        assert_eq!(runs.load(SeqCst), executions, "{name}: once per execution");
    }
}

static SHARED: Mutex<u64> = Mutex::new(0);
static SHARED_RW: RwLock<u64> = RwLock::new(0);
static INSIDE: AtomicBool = AtomicBool::new(false);
static INCREMENTS: AtomicUsize = AtomicUsize::new(0);

/// A read-modify-write that yields in its critical section, and notices if anyone else (another
/// check's execution, on another OS thread) is in it at the same time.
fn bump() {
    let mut v = SHARED.lock().unwrap();
    assert!(
        !INSIDE.swap(true, SeqCst),
        "two holders of one mutex at once"
    );
    let read = *v;
    thread::yield_now();
    *v = read + 1;
    INSIDE.store(false, SeqCst);
    drop(v);
    let mut w = SHARED_RW.write().unwrap();
    let read = *w;
    thread::yield_now();
    *w = read + 1;
    drop(w);
    let _r = SHARED_RW.read().unwrap();
    INCREMENTS.fetch_add(1, SeqCst);
}

#[test]
fn two_checks_sharing_a_static_never_race_and_both_finish() {
    let checks: Vec<_> = [Scheduler::Random, Scheduler::Pct { depth: 3 }]
        .into_iter()
        .map(|scheduler| {
            std::thread::spawn(move || {
                Config::new().scheduler(scheduler).schedules(500).check(|| {
                    let t = thread::spawn(bump);
                    bump();
                    t.join().unwrap();
                })
            })
        })
        .collect();
    // Meanwhile, code outside any check uses them too.
    for _ in 0..200 {
        bump();
    }
    for check in checks {
        check.join().expect("the check passed");
    }
    let increments = INCREMENTS.load(SeqCst) as u64;
    assert_eq!(increments, 2 * 2 * 500 + 200);
    assert_eq!(*SHARED.lock().unwrap(), increments, "no update was lost");
    assert_eq!(*SHARED_RW.read().unwrap(), increments, "no update was lost");
}

static GATE: Barrier = Barrier::new(2);

#[test]
fn a_static_barrier_starts_each_execution_afresh() {
    let body = || {
        let t = thread::spawn(|| GATE.wait().is_leader());
        let mine = GATE.wait().is_leader();
        assert!(mine ^ t.join().unwrap(), "one leader per round");
    };
    every_scheduler(body);
    body();
}

#[test]
fn a_value_built_where_another_was_gets_a_fresh_model() {
    every_scheduler(|| {
        let mut m = Mutex::new(0);
        // Held forever by this execution's model...
        std::mem::forget(m.lock().unwrap());
        // ...but this is another mutex, at the same address.
        m = Mutex::new(1);
        assert_eq!(*m.lock().unwrap(), 1);
        let shared = Arc::new(m);
        let s2 = Arc::clone(&shared);
        thread::spawn(move || *s2.lock().unwrap() += 1)
            .join()
            .unwrap();
        assert_eq!(*shared.lock().unwrap(), 2);
    });
}

#[test]
fn a_poisoned_static_is_poisoned_in_its_execution_only() {
    static POISONED: Mutex<u32> = Mutex::new(0);
    Config::new().schedules(50).check(|| {
        assert!(!POISONED.is_poisoned(), "each execution starts clean");
        let t = thread::spawn(|| {
            let _g = POISONED.lock().unwrap();
            panic!("poison it");
        });
        assert!(t.join().is_err());
        assert!(POISONED.is_poisoned());
    });
    assert!(!POISONED.is_poisoned(), "nor is it outside the check");
}

static HELD: Mutex<u32> = Mutex::new(0);

#[test]
fn a_deadlock_on_a_static_releases_its_real_lock_for_the_next_execution() {
    // Every execution deadlocks: the body holds the static while it joins a thread that waits
    // for it. Each stopped execution's threads are unwound and their guards release the real
    // lock, so the next execution (and code after the check) takes it afresh.
    let body = || {
        let held = HELD.lock().unwrap();
        let t = thread::spawn(|| *HELD.lock().unwrap() += 1);
        t.join().unwrap();
        drop(held);
    };
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Exhaustive {
            preemption_bound: 2,
        },
    ] {
        // Every schedule fails: explore them all by replaying one after another.
        for seed in 0..20 {
            let report = fails(Config::new().scheduler(scheduler).seed(seed), body);
            assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
        }
    }
    assert_eq!(*HELD.lock().unwrap(), 0, "free again outside any check");
}
