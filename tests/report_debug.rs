//! `Debug` of a `Report` is the report a person reads: what `explore(..).unwrap()` and
//! `{:?}` print is the text, not the structure.

use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, FindingKind};

/// A thread blocked forever on a mutex whose guard is never released.
fn leak_a_thread() {
    let lock = Arc::new(Mutex::new(()));
    let held = lock.lock().unwrap();
    let l2 = Arc::clone(&lock);
    thread::spawn(move || drop(l2.lock()));
    std::mem::forget(held);
}

#[test]
fn debug_of_a_report_is_its_text() {
    let report = Config::new()
        .schedules(20)
        .explore(leak_a_thread)
        .expect_err("the body leaks a thread");
    assert!(report.has(FindingKind::LeakedThread));
    assert_eq!(format!("{report:?}"), report.to_string());
    assert_eq!(format!("{:?}", report), report.to_string());
    assert!(format!("{report:?}").starts_with("leakcheck: 1 leaked thread"));
}

/// What `unwrap_err` on a clean outcome, or `unwrap` on a failing one, panics with: the text.
#[test]
fn unwrap_of_a_failing_outcome_panics_with_the_text() {
    let outcome = Config::new().schedules(20).explore(leak_a_thread);
    let text = outcome.as_ref().unwrap_err().to_string();
    let payload = std::panic::catch_unwind(|| {
        outcome.unwrap();
    })
    .expect_err("unwrap of an Err panics");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.ends_with(&text), "{message}");
}
