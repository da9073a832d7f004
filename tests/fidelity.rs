//! A model thread behaves like an OS thread where std's own per-OS-thread state would tell them
//! apart wrongly: `thread::panicking()` is true only on the model thread that unwinds, and a lock
//! is poisoned only by a guard its own thread drops while unwinding.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::SeqCst;

use leakcheck::sync::atomic::AtomicBool;
use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread::{self, JoinHandle};
use leakcheck::{Config, Detail, FindingKind, Scheduler};

/// Joins its thread when dropped: while the body unwinds, the worker runs.
struct JoinOnDrop(Option<JoinHandle<()>>);

impl Drop for JoinOnDrop {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

#[test]
fn a_worker_running_while_the_body_unwinds_is_not_panicking_and_poisons_nothing() {
    static LINE: AtomicU32 = AtomicU32::new(0);
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        let report = Config::new()
            .schedules(500)
            .scheduler(scheduler)
            .explore(|| {
                let counter = Arc::new(Mutex::new(0));
                let worker_saw_panicking = Arc::new(AtomicBool::new(false));
                let (c, seen) = (Arc::clone(&counter), Arc::clone(&worker_saw_panicking));
                let worker = thread::spawn(move || {
                    seen.store(thread::panicking(), SeqCst);
                    // On std this never poisons: this thread does not panic.
                    *c.lock().unwrap() += 1;
                });
                // The worker is joined while the body's panic unwinds through `_join`.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                    let _join = JoinOnDrop(Some(worker));
                    panic!("the body fails while a worker runs");
                }));
                assert!(
                    !worker_saw_panicking.load(SeqCst),
                    "the worker saw thread::panicking() while the body unwound"
                );
                assert!(
                    !counter.is_poisoned(),
                    "the worker's guard poisoned the mutex"
                );
                assert_eq!(*counter.lock().unwrap(), 1);
            });
        // The body caught its own panic: clean.
        if let Err(report) = report {
            panic!("under {scheduler}:\n{report}");
        }
    }

    // The same worker, while the body's panic escapes: the body's panic is the one finding.
    let report = Config::new()
        .explore(|| {
            let counter = Arc::new(Mutex::new(0));
            let c = Arc::clone(&counter);
            let worker = thread::spawn(move || {
                assert!(!thread::panicking(), "the worker is not unwinding");
                *c.lock().unwrap() += 1;
            });
            let _join = JoinOnDrop(Some(worker));
            LINE.store(line!() + 1, SeqCst);
            panic!("the body fails while a worker runs");
        })
        .expect_err("the body panics");
    let kinds: Vec<FindingKind> = report.findings().iter().map(|f| f.kind()).collect();
    assert_eq!(kinds, [FindingKind::Panic], "{report}");
    let Detail::Panic {
        thread,
        message,
        at,
        ..
    } = report.findings()[0].detail()
    else {
        unreachable!()
    };
    assert_eq!(thread.id, 0, "the body's panic: {report}");
    assert_eq!(message, "the body fails while a worker runs");
    let at = at.as_ref().expect("where it panicked");
    assert_eq!(
        (at.file.as_str(), at.line),
        ("tests/fidelity.rs", LINE.load(SeqCst))
    );
}
