//! The text of reports: `Debug` of a `Report` is the report a person reads (what
//! `explore(..).unwrap()` and `{:?}` print is the text, not the structure), and an unclosed
//! channel says when it is only a consequence of the report's deadlock.

use leakcheck::channel::bounded;
use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, Detail, FindingKind, Report};

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

const CONSEQUENCE: &str =
    "  a consequence of the deadlock above: every thread blocked on it is part of that deadlock";

/// Whether each unclosed channel of the report is flagged as a consequence of the deadlock.
fn consequences(report: &Report) -> Vec<bool> {
    report
        .findings()
        .iter()
        .filter_map(|f| match f.detail() {
            Detail::UnclosedChannel {
                consequence_of_deadlock,
                ..
            } => Some(*consequence_of_deadlock),
            _ => None,
        })
        .collect()
}

/// The body joins a thread blocked sending on a channel whose receiver the body holds: one
/// deadlock, and the channel is unclosed only because of it.
#[test]
fn an_unclosed_channel_of_a_deadlock_says_it_is_a_consequence() {
    let report = Config::new()
        .schedules(20)
        .explore(|| {
            let (tx, rx) = bounded::<u32>(0);
            let sender = thread::spawn(move || tx.send(1).unwrap());
            sender.join().unwrap();
            drop(rx);
        })
        .expect_err("a deadlock");
    assert!(report.has(FindingKind::Deadlock), "{report}");
    assert_eq!(consequences(&report), [true], "{report}");
    let text = report.to_string();
    let block = text
        .split("\n\n")
        .find(|b| b.starts_with("unclosed channel#1"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(block.ends_with(&format!("\n{CONSEQUENCE}")), "{block}");
}

/// A leaked receiver with no deadlock: the channel is a finding of its own.
#[test]
fn an_unclosed_channel_without_a_deadlock_is_no_consequence() {
    let report = Config::new()
        .schedules(20)
        .explore(|| {
            let (tx, rx) = bounded::<u32>(0);
            thread::spawn(move || {
                let _ = rx.recv();
            });
            std::mem::forget(tx);
        })
        .expect_err("a leaked thread and an unclosed channel");
    assert!(!report.has(FindingKind::Deadlock), "{report}");
    assert_eq!(consequences(&report), [false], "{report}");
    assert!(!report.to_string().contains("a consequence of"), "{report}");
}
