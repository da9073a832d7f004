//! Every finding's text names the setting that accepts it, when one does: `allow_lingering` for
//! a thread that finished late, `max_steps` for a loop that ends later, `allow_detached_panics`
//! for a panic in a detached thread (tests/detached_panics.rs), `stall_timeout` for a stall
//! (tests/stall.rs), and `spurious_wakeups` for a failure that follows a spurious wake-up.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::{thread, Config, FindingKind};

use common::{fails, kinds};

#[test]
fn a_thread_that_finished_late_names_allow_lingering() {
    let report = fails(Config::new(), || {
        drop(thread::spawn(thread::yield_now));
    });
    assert_eq!(kinds(&report), [FindingKind::LeakedThread]);
    assert!(
        report
            .to_string()
            .contains("(allow_lingering accepts this)"),
        "{report}"
    );
}

#[test]
fn a_loop_past_the_step_limit_names_max_steps() {
    let report = fails(Config::new().max_steps(500).schedules(10), || {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let h = thread::spawn(move || {
            while !s.load(Ordering::Acquire) {
                thread::yield_now();
            }
        });
        h.join().unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::StepLimit]);
    assert!(
        report.to_string().contains("needs a larger max_steps"),
        "{report}"
    );
}

/// `if` where a `while` belongs: a spurious wake-up lets the body read a value not yet set.
fn waits_with_if() {
    let state = Arc::new((Mutex::new(None::<u32>), Condvar::new()));
    let s = Arc::clone(&state);
    let producer = thread::spawn(move || {
        let (m, cv) = &*s;
        *m.lock().unwrap() = Some(7);
        cv.notify_one();
    });
    let (m, cv) = &*state;
    let mut g = m.lock().unwrap();
    if g.is_none() {
        g = cv.wait(g).unwrap();
    }
    assert_eq!(*g, Some(7), "woken, so the value is there");
    drop(g);
    producer.join().unwrap();
}

#[test]
fn a_failure_after_a_spurious_wakeup_names_spurious_wakeups() {
    let report = fails(Config::new().schedules(2_000), waits_with_if);
    // The body's assertion fails (and the producer then finds the mutex poisoned).
    assert!(kinds(&report).contains(&FindingKind::Panic), "{report}");
    let body_panic = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::Panic && f.thread().unwrap().id == 0)
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(body_panic.location().unwrap().file, file!());
    let text = report.to_string();
    assert!(
        text.contains("note: this schedule has 1 spurious wake-up"),
        "{text}"
    );
    assert!(
        text.contains("spurious_wakeups = false turns them off"),
        "{text}"
    );
    // Its replay says so too.
    let replayed = fails(Config::new().replay(report.replay_token()), waits_with_if);
    assert!(
        replayed.to_string().contains("spurious_wakeups = false"),
        "{replayed}"
    );
    // Without spurious wake-ups, the same code passes: the setting accepts it.
    Config::new()
        .schedules(2_000)
        .spurious_wakeups(false)
        .check(waits_with_if);
}

#[test]
fn a_deadlock_names_no_setting() {
    let report = fails(Config::new(), || {
        let m = Arc::new(Mutex::new(()));
        let _g = m.lock().unwrap();
        let _again = m.lock().unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::Deadlock]);
    let text = report.to_string();
    for setting in [
        "allow_lingering",
        "max_steps",
        "allow_detached_panics",
        "spurious_wakeups",
        "stall_timeout",
    ] {
        assert!(!text.contains(setting), "{setting}: {text}");
    }
}
