//! `leakcheck::tokio_util`: `CancellationToken` (children, `DropGuard`, `cancelled` in a
//! select), `TaskTracker`, the unresponsive-cancellation finding for a task, graceful shutdown
//! clean over thousands of schedules, and the same code on real tokio outside a check.
#![cfg(feature = "tokio")]

mod common;

use common::{fails, kinds, Lines};
use leakcheck::tokio;
use leakcheck::tokio_util::sync::CancellationToken;
use leakcheck::tokio_util::task::TaskTracker;
use leakcheck::{Config, Detail, FindingKind, Role, Scheduler};

fn random() -> Config {
    Config::new().scheduler(Scheduler::Random)
}

fn pct() -> Config {
    Config::new().scheduler(Scheduler::Pct { depth: 3 })
}

/// Workers that stop when the token is cancelled, tracked, then the shutdown waits for them.
fn graceful_shutdown() {
    leakcheck::block_on(async {
        let token = CancellationToken::new();
        let tracker = TaskTracker::new();
        for _ in 0..2 {
            let token = token.child_token();
            drop(tracker.spawn(async move {
                let mut ticks = 0u32;
                while token
                    .run_until_cancelled(tokio::time::sleep(std::time::Duration::from_millis(10)))
                    .await
                    .is_some()
                {
                    ticks += 1;
                }
                ticks
            }));
        }
        tracker.close();
        let guard = token.clone().drop_guard();
        tokio::task::yield_now().await;
        drop(guard); // cancels
        tracker.wait().await;
        assert!(tracker.is_empty());
        assert!(token.is_cancelled());
    });
}

#[test]
fn graceful_shutdown_is_clean_over_thousands_of_schedules() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(graceful_shutdown);
    }
}

#[test]
fn graceful_shutdown_runs_on_real_tokio_outside_a_check() {
    graceful_shutdown();
}

#[test]
fn children_are_cancelled_with_their_parent_and_not_the_other_way() {
    leakcheck::check(|| {
        let parent = CancellationToken::new();
        let child = parent.child_token();
        let grandchild = child.child_token();
        child.cancel();
        assert!(!parent.is_cancelled());
        assert!(grandchild.is_cancelled());
        let other = parent.child_token();
        parent.cancel();
        assert!(other.is_cancelled());
        // A child of a cancelled token is born cancelled.
        assert!(parent.child_token().is_cancelled());
        let kept = CancellationToken::new().drop_guard().disarm();
        assert!(!kept.is_cancelled());
    });
}

#[test]
fn a_task_that_waits_elsewhere_after_the_cancel_is_unresponsive() {
    for config in [random(), pct()] {
        // Two workers: the root's blocking receive does not hold the task's worker.
        let config = config.flavor(leakcheck::Flavor::MultiThread { worker_threads: 2 });
        let report = fails(config.schedules(200), || {
            leakcheck::block_on(async {
                let token = CancellationToken::new();
                let (started_tx, started_rx) = leakcheck::channel::bounded::<()>(1);
                let stop = token.clone();
                drop(tokio::spawn(async move {
                    if stop.is_cancelled() {
                        return;
                    }
                    started_tx.send(()).unwrap();
                    // Waits for something that never comes, without `stop.cancelled()`.
                    std::future::pending::<()>().await;
                }));
                started_rx.recv().unwrap();
                token.cancel();
            })
        });
        let unresponsive = report
            .findings()
            .iter()
            .find(|f| f.kind() == FindingKind::UnresponsiveCancellation)
            .unwrap_or_else(|| panic!("no unresponsive cancellation in\n{report}"));
        let Detail::UnresponsiveCancellation {
            thread,
            token,
            blocked,
            ..
        } = unresponsive.detail()
        else {
            unreachable!()
        };
        assert_eq!(thread.role, Role::Task);
        assert_eq!(token.to_string(), "token#1");
        assert_eq!(blocked.on.to_string(), "a wake-up");
        assert!(kinds(&report).contains(&FindingKind::LeakedTask));
    }
}

#[test]
fn a_task_awaiting_recv_after_the_cancel_is_told_to_select_on_cancelled() {
    static LINES: Lines = Lines::new();
    for config in [random(), pct()] {
        let report = fails(config.schedules(500), || {
            leakcheck::block_on(async {
                let token = CancellationToken::new();
                let tracker = TaskTracker::new();
                let (jobs, mut rx) = tokio::sync::mpsc::channel::<u32>(4);
                let stop = token.clone();
                let recv_line = line!() + 3;
                drop(tracker.spawn(async move {
                    while !stop.is_cancelled() {
                        if rx.recv().await.is_none() {
                            return;
                        }
                    }
                }));
                let cancel_line = line!() + 2;
                tokio::task::yield_now().await;
                token.cancel();
                LINES.set(&[recv_line, cancel_line]);
                tracker.close();
                tracker.wait().await;
                drop(jobs);
            })
        });
        let lines = LINES.get();
        let unresponsive = report
            .findings()
            .iter()
            .find(|f| f.kind() == FindingKind::UnresponsiveCancellation)
            .unwrap_or_else(|| panic!("no unresponsive cancellation in\n{report}"));
        let Detail::UnresponsiveCancellation {
            thread,
            token,
            cancelled,
            blocked,
            still_runnable,
        } = unresponsive.detail()
        else {
            unreachable!()
        };
        assert_eq!(*still_runnable, None, "blocked, not still runnable");
        assert_eq!(thread.role, Role::Task);
        assert_eq!(token.to_string(), "token#1");
        assert_eq!(cancelled.at.line, lines[1]);
        assert_eq!(blocked.operation, "Receiver::recv");
        assert_eq!(blocked.at.line, lines[0]);
        // The remedy is tokio's: a task awaits `cancelled()`; a token's `done()` channel is
        // for threads.
        let text = report.to_string();
        assert!(
            text.contains(
                "Receiver::recv cannot see the cancellation: await it in a tokio::select! with a `token.cancelled()` branch instead"
            ),
            "{text}"
        );
        assert!(!text.contains("token.done()"), "{text}");
    }
}

#[test]
fn a_task_that_selects_on_cancelled_is_not_reported() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let token = CancellationToken::new();
                let stop = token.clone();
                let worker = tokio::spawn(async move {
                    stop.run_until_cancelled(std::future::pending::<()>()).await
                });
                tokio::task::yield_now().await;
                token.cancel();
                assert_eq!(worker.await.unwrap(), None);
            })
        });
    }
}

/// A task that looked at the token once, then ticks forever without looking again: after the
/// body cancelled it and returned, the task is still runnable when the steps run out. That is a
/// leaked task, still runnable, and an unresponsive cancellation, with where it last suspended.
#[test]
fn a_task_looping_past_its_cancelled_token_is_unresponsive() {
    let report = fails(random().schedules(200).max_steps(3_000), || {
        leakcheck::block_on(async {
            let token = CancellationToken::new();
            let theirs = token.clone();
            let started = std::sync::Arc::new(tokio::sync::Notify::new());
            let ready = started.clone();
            drop(tokio::spawn(async move {
                if theirs.is_cancelled() {
                    return;
                }
                ready.notify_one();
                let mut ticks = tokio::time::interval(std::time::Duration::from_millis(1));
                loop {
                    ticks.tick().await; // never looks at `theirs` again
                }
            }));
            started.notified().await;
            token.cancel();
        });
    });
    assert_eq!(
        kinds(&report),
        [
            FindingKind::LeakedTask,
            FindingKind::UnresponsiveCancellation
        ],
        "{report}"
    );
    let Detail::UnresponsiveCancellation {
        thread,
        token,
        blocked,
        still_runnable,
        ..
    } = report.findings()[1].detail()
    else {
        unreachable!()
    };
    assert_eq!(thread.role, Role::Task);
    assert_eq!(token.to_string(), "token#1");
    assert_eq!(*still_runnable, Some(3_000));
    assert_eq!(blocked.operation, "Interval::tick");
    assert!(blocked.at.file.ends_with("tests/tokio_util.rs"));
    let text = report.to_string();
    assert!(text.contains("and runs on"), "{text}");
    assert!(text.contains("last suspended in Interval::tick"), "{text}");
}

/// The same loop, looking at the token on every turn: it ends, and nothing is reported.
#[test]
fn a_task_looping_until_its_token_is_cancelled_is_clean() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let token = CancellationToken::new();
                let theirs = token.clone();
                let worker = tokio::spawn(async move {
                    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(1));
                    loop {
                        tokio::select! {
                            _ = theirs.cancelled() => break,
                            _ = ticks.tick() => {}
                        }
                    }
                });
                tokio::task::yield_now().await;
                token.cancel();
                worker.await.unwrap();
            });
        });
    }
}

#[test]
fn waiting_on_a_tracker_names_the_tracked_task_it_waits_for() {
    static LINES: Lines = Lines::new();
    for config in [random(), pct()] {
        let report = fails(config.schedules(100), || {
            leakcheck::block_on(async {
                let tracker = TaskTracker::new();
                let (keep, rx) = tokio::sync::oneshot::channel::<()>();
                let spawn_line = line!() + 1;
                drop(tracker.spawn(async move {
                    let _ = rx.await; // the body keeps the sender and never sends
                }));
                tracker.close();
                LINES.set(&[spawn_line, line!() + 1]);
                tracker.wait().await;
                drop(keep);
            });
        });
        let lines = LINES.get();
        assert_eq!(
            kinds(&report),
            [FindingKind::Deadlock, FindingKind::UnclosedChannel]
        );
        let text = report.to_string();
        let wait = format!(
            "blocked in TaskTracker::wait on task#1 at tests/tokio_util.rs:{}",
            lines[1]
        );
        assert!(text.contains(&wait), "{text}");
        assert!(
            text.contains(&format!(
                "task#1, spawned at tests/tokio_util.rs:{}",
                lines[0]
            )),
            "{text}"
        );
        assert!(
            text.contains("cycle: thread#0 (the test body) -> task#1 -> channel#1"),
            "{text}"
        );
    }
}
