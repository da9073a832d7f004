//! `leakcheck::thread_local!`: each model thread (the body included) has its own value, made
//! afresh in every execution and destroyed when that thread ends, as each OS thread has under
//! std; outside a check the same code is std's.

use std::cell::{Cell, RefCell};

use leakcheck::sync::mpsc::{self, Sender};
use leakcheck::thread::{self, AccessError, LocalKey};
use leakcheck::{Config, Scheduler};

const SCHEDULES: usize = 2_000;

leakcheck::thread_local! {
    /// How many times this thread counted.
    static COUNT: Cell<u32> = const { Cell::new(0) };
    static LOG: RefCell<Vec<u32>> = RefCell::new(Vec::new());
}

leakcheck::thread_local!(pub(crate) static PUBLIC: u8 = 7);

/// The body of the report: the body counts 10 times, a spawned thread once.
fn counters() -> (u32, u32) {
    let other = thread::spawn(|| {
        COUNT.set(COUNT.get() + 1);
        COUNT.get()
    });
    for _ in 0..10 {
        COUNT.with(|c| c.set(c.get() + 1));
        thread::yield_now();
    }
    let mine = COUNT.get();
    (mine, other.join().unwrap())
}

fn every_scheduler(body: impl Fn() + Send + Sync + Clone + 'static) {
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Dfs,
    ] {
        let outcome = Config::new()
            .scheduler(scheduler)
            .schedules(SCHEDULES)
            .explore(body.clone());
        assert!(outcome.is_ok(), "{scheduler}: {outcome:?}");
    }
}

#[test]
fn each_model_thread_counts_its_own_as_std() {
    // std (the facade outside a check, on a fresh OS thread so the counter starts at 0).
    let std_side = std::thread::spawn(counters).join().unwrap();
    assert_eq!(std_side, (10, 1));
    every_scheduler(|| {
        // Fresh in every execution: the body's counter starts at 0 each time.
        assert_eq!(COUNT.get(), 0);
        assert_eq!(counters(), (10, 1));
        LOG.with_borrow_mut(|l| l.push(1));
        assert_eq!(LOG.take(), [1]);
        assert_eq!(PUBLIC.with(|p| *p), 7);
    });
}

#[test]
fn every_accessor_mirrors_std() {
    fn accessors() {
        let key: &'static LocalKey<Cell<u32>> = &COUNT;
        assert_eq!(key.try_with(Cell::get), Ok(0));
        COUNT.set(3);
        assert_eq!(COUNT.replace(4), 3);
        assert_eq!(COUNT.take(), 4);
        assert_eq!(COUNT.get(), 0);
        LOG.set(vec![1, 2]);
        assert_eq!(LOG.with_borrow(Vec::len), 2);
        LOG.with_borrow_mut(|l| l.push(3));
        assert_eq!(LOG.replace(Vec::new()), [1, 2, 3]);
        assert!(LOG.take().is_empty());
    }
    std::thread::spawn(accessors).join().unwrap();
    leakcheck::check(accessors);
}

/// Sends its tag on the channel it holds when it drops, reading the other thread-local from its
/// destructor.
struct Reporter {
    tag: &'static str,
    reads: fn() -> Option<u32>,
    tx: Sender<(&'static str, Option<u32>)>,
}

impl Drop for Reporter {
    fn drop(&mut self) {
        let read = (self.reads)();
        let _ = self.tx.send((self.tag, read));
    }
}

leakcheck::thread_local! {
    static FIRST: RefCell<Option<Reporter>> = const { RefCell::new(None) };
    static SECOND: RefCell<Option<Reporter>> = const { RefCell::new(None) };
    static NUMBER: Cell<u32> = const { Cell::new(5) };
}

fn read_first() -> Option<u32> {
    FIRST.try_with(|_| 1).ok()
}

fn read_second() -> Option<u32> {
    SECOND.try_with(|_| 2).ok()
}

/// A thread that fills FIRST then SECOND; what their destructors saw, in the order they ran,
/// once `join` has returned.
fn destructors() -> Vec<(&'static str, Option<u32>)> {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        FIRST.set(Some(Reporter {
            tag: "first",
            reads: read_second,
            tx: tx.clone(),
        }));
        SECOND.set(Some(Reporter {
            tag: "second",
            reads: read_first,
            tx,
        }));
        NUMBER.set(6);
    });
    worker.join().unwrap();
    // Every destructor has run by the time `join` returns.
    rx.try_iter().collect()
}

#[test]
fn destructors_run_when_the_thread_ends_in_std_order() {
    // The latest initialised goes first: SECOND's destructor still reads FIRST; FIRST's finds
    // SECOND destroyed.
    let expected = vec![("second", Some(1)), ("first", None)];
    assert_eq!(destructors(), expected, "std");
    every_scheduler(move || {
        assert_eq!(destructors(), vec![("second", Some(1)), ("first", None)]);
        // The body's own values are its own.
        assert_eq!(NUMBER.get(), 5);
    });
}

#[test]
fn with_panics_after_destruction_as_std() {
    struct Reads;
    impl Drop for Reads {
        fn drop(&mut self) {
            // Its own key is destroyed while it drops.
            let own = std::panic::catch_unwind(|| OWN.with(|_| ()));
            assert!(own.is_err(), "with on a destroyed thread-local panics");
            let err: AccessError = OWN.try_with(|_| ()).unwrap_err();
            assert_eq!(err.to_string(), "already destroyed");
        }
    }
    leakcheck::thread_local!(static OWN: RefCell<Option<Reads>> = const { RefCell::new(None) });
    let body = || {
        thread::spawn(|| OWN.set(Some(Reads))).join().unwrap();
    };
    std::thread::spawn(body).join().unwrap();
    leakcheck::check(body);
}
