//! `leakcheck::tokio`'s tasks on the modelled runtime: leaked tasks in each of their states,
//! with their spawn and await lines; correct async code is never reported; a blocking call
//! inside a `current_thread` task deadlocks the runtime; abort; replay; the same code on real
//! tokio outside a check.
#![cfg(feature = "tokio")]

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use common::{fails, kinds, Lines};
use leakcheck::tokio;
use leakcheck::{Config, Detail, FindingKind, Role, Scheduler, TaskLeak};

fn random() -> Config {
    Config::new().scheduler(Scheduler::Random)
}

fn pct() -> Config {
    Config::new().scheduler(Scheduler::Pct { depth: 3 })
}

#[test]
fn a_detached_task_that_sleeps_past_the_body_completes_late() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let spawned = line!() + 1;
            drop(tokio::spawn(async {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }));
            LINES.set(&[spawned]);
        });
    });
    assert_eq!(kinds(&report), [FindingKind::LeakedTask]);
    let Detail::LeakedTask {
        task,
        state,
        detached,
    } = report.findings()[0].detail()
    else {
        unreachable!()
    };
    assert!(matches!(state, TaskLeak::FinishedLate), "{state:?}");
    assert!(*detached);
    assert_eq!(task.spawned_at.as_ref().unwrap().line, LINES.get()[0]);
}

#[test]
fn a_future_that_drops_its_waker_is_a_lost_waker() {
    struct Forgets;
    impl Future for Forgets {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }
    let report = fails(random().schedules(20), || {
        leakcheck::block_on(async {
            drop(tokio::spawn(Forgets));
        });
    });
    eprintln!("{report}");
    assert_eq!(kinds(&report), [FindingKind::LeakedTask]);
    let Detail::LeakedTask {
        task,
        state,
        detached,
    } = report.findings()[0].detail()
    else {
        panic!()
    };
    assert_eq!(task.role, Role::Task);
    assert!(*detached);
    assert!(
        matches!(
            state,
            TaskLeak::LostWaker {
                dropped_by: None,
                ..
            }
        ),
        "{state:?}"
    );
}

#[test]
fn awaited_tasks_are_clean() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let a = tokio::spawn(async {
                    tokio::task::yield_now().await;
                    1
                });
                let b = tokio::spawn(async { 2 });
                assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
            });
        });
    }
}

async fn blocking_pair() {
    let (tx, rx) = leakcheck::channel::bounded::<u32>(0);
    let consumer = tokio::spawn(async move { rx.recv().unwrap() });
    let producer = tokio::spawn(async move { tx.send(1).unwrap() });
    assert_eq!(consumer.await.unwrap(), 1);
    producer.await.unwrap();
}

#[test]
fn a_blocking_receive_inside_a_current_thread_task_deadlocks_the_runtime() {
    for config in [random(), pct()] {
        let report = fails(
            config.schedules(20),
            || leakcheck::block_on(blocking_pair()),
        );
        // The channel stays open only because of the deadlock, which the report says.
        assert_eq!(
            kinds(&report),
            [FindingKind::Deadlock, FindingKind::UnclosedChannel]
        );
        let Detail::Deadlock { blocked, .. } = report.findings()[0].detail() else {
            unreachable!()
        };
        // One task blocks the runtime's only worker inside its poll; the other waits for it.
        let in_poll = blocked
            .iter()
            .find(|b| {
                b.thread.role == Role::Task && b.blocked.on.to_string().starts_with("channel#")
            })
            .expect("a task blocked inside its poll");
        let waiting = blocked
            .iter()
            .find(|b| b.blocked.on.to_string() == "runtime#1")
            .expect("a task waiting for the worker");
        assert_eq!(waiting.thread.role, Role::Task);
        assert_eq!(waiting.blocked.held_by.len(), 1);
        assert_eq!(waiting.blocked.held_by[0].thread.id, in_poll.thread.id);
        let text = report.to_string();
        assert!(text.contains("waiting for a worker of runtime#1"), "{text}");
        assert!(
            text.contains("on a current_thread runtime every task with it"),
            "{text}"
        );
    }
}

#[test]
fn the_same_blocking_pair_runs_on_a_multi_thread_runtime() {
    for config in [random(), pct()] {
        config
            .schedules(500)
            .flavor(leakcheck::Flavor::MultiThread { worker_threads: 2 })
            .check(|| leakcheck::block_on(blocking_pair()));
    }
}

#[test]
fn an_aborted_task_runs_its_destructors_and_is_not_a_leak() {
    struct Flag(leakcheck::sync::Arc<leakcheck::sync::atomic::AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0
                .store(true, leakcheck::sync::atomic::Ordering::SeqCst);
        }
    }
    for config in [random(), pct()] {
        config.schedules(1_000).check(|| {
            leakcheck::block_on(async {
                let dropped =
                    leakcheck::sync::Arc::new(leakcheck::sync::atomic::AtomicBool::new(false));
                let flag = Flag(dropped.clone());
                let h = tokio::spawn(async move {
                    let _flag = flag;
                    std::future::pending::<()>().await;
                });
                h.abort();
                let err = h.await.unwrap_err();
                assert!(err.is_cancelled());
                assert!(dropped.load(leakcheck::sync::atomic::Ordering::SeqCst));
            });
        });
    }
}

#[test]
fn the_same_code_runs_on_real_tokio_outside_a_check() {
    let n = leakcheck::block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..4u32 {
            set.spawn(async move {
                tokio::task::yield_now().await;
                i
            });
        }
        let mut sum = 0;
        while let Some(v) = set.join_next().await {
            sum += v.unwrap();
        }
        let h = tokio::spawn(std::future::pending::<()>());
        h.abort();
        assert!(h.await.unwrap_err().is_cancelled());
        let timed_out = tokio::time::timeout(
            std::time::Duration::from_millis(5),
            std::future::pending::<()>(),
        )
        .await;
        assert!(timed_out.is_err());
        sum
    });
    assert_eq!(n, 6);
}

/// A detached task that polls, with a timer, for a flag nobody sets: still runnable at the
/// step limit.
fn polling_body() {
    leakcheck::block_on(async {
        let ready = leakcheck::sync::Arc::new(leakcheck::sync::atomic::AtomicBool::new(false));
        let seen = ready.clone();
        drop(tokio::spawn(async move {
            tokio::task::yield_now().await;
            while !seen.load(leakcheck::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }));
        tokio::task::yield_now().await;
    });
}

#[test]
fn an_async_failure_replays_to_a_byte_identical_report() {
    for config in [random(), pct()] {
        let original = fails(config.clone().schedules(200).max_steps(2_000), polling_body);
        assert_eq!(kinds(&original), [FindingKind::LeakedTask]);
        let again = fails(config.schedules(200).max_steps(2_000), polling_body);
        assert_eq!(again.to_json(), original.to_json());
        let replayed = fails(
            Config::new()
                .max_steps(2_000)
                .replay(original.replay_token()),
            polling_body,
        );
        assert_eq!(replayed.findings(), original.findings());
        assert_eq!(replayed.replay_token(), original.replay_token());
    }
}

#[leakcheck::test(schedules = 300)]
async fn an_async_test_runs_on_the_modelled_runtime() {
    let a = tokio::spawn(async { 20 });
    let b = tokio::task::spawn_blocking(|| 22);
    assert_eq!(a.await.unwrap() + b.await.unwrap(), 42);
}

#[leakcheck::test(schedules = 100, expect = "leaked_task")]
async fn an_async_test_that_leaves_a_task_pending_fails() {
    drop(tokio::spawn(std::future::pending::<()>()));
}

#[leakcheck::test(flavor = "multi_thread", worker_threads = 2, schedules = 300)]
async fn a_multi_thread_async_test_has_two_workers() {
    blocking_pair().await;
}

#[leakcheck::test(flavor = "current_thread", schedules = 50, expect = "deadlock")]
async fn a_current_thread_async_test_has_one_worker() {
    blocking_pair().await;
}

/// Correct async code: every task is awaited, a `JoinSet` is drained or dropped (which aborts
/// its tasks), a timeout ends a wait that never completes, an interval ticks.
fn correct_async_code() {
    leakcheck::block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..3u32 {
            set.spawn(async move {
                tokio::task::yield_now().await;
                i
            });
        }
        let mut sum = 0;
        while let Some(v) = set.join_next().await {
            sum += v.unwrap();
        }
        assert_eq!(sum, 3);

        let mut dropped = tokio::task::JoinSet::new();
        dropped.spawn(std::future::pending::<()>());
        dropped.spawn(async { tokio::time::sleep(std::time::Duration::from_secs(60)).await });
        drop(dropped);

        // A receive that never completes, ended by its timeout (the sender stays alive).
        let (_keep, mut never) = tokio::sync::mpsc::channel::<u32>(1);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(50), never.recv()).await;
        assert!(waited.is_err());

        let mut ticks = tokio::time::interval(std::time::Duration::from_millis(10));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            ticks.tick().await;
        }
        assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    });
}

#[test]
fn correct_async_code_is_clean_over_thousands_of_schedules() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(correct_async_code);
    }
    Config::new()
        .scheduler(Scheduler::Dfs)
        .schedules(500)
        .check(correct_async_code);
}

#[test]
fn the_exhaustive_search_explores_tasks() {
    // Every interleaving of two tasks and the root: clean...
    Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: 2,
        })
        .schedules(20_000)
        .check(|| {
            leakcheck::block_on(async {
                let a = tokio::spawn(async {
                    tokio::task::yield_now().await;
                    1
                });
                let b = tokio::spawn(async { 2 });
                assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
            })
        });
    // ...and a leak found.
    let report = fails(
        Config::new()
            .scheduler(Scheduler::Exhaustive {
                preemption_bound: 2,
            })
            .schedules(20_000),
        || leakcheck::block_on(async { drop(tokio::spawn(std::future::pending::<()>())) }),
    );
    assert_eq!(kinds(&report), [FindingKind::LeakedTask]);
}

#[test]
fn a_failing_schedules_event_log_names_tasks() {
    let report = fails(random().schedules(20).trace(true), || {
        leakcheck::block_on(async { drop(tokio::spawn(std::future::pending::<()>())) })
    });
    let log = report.data().schedule_log.clone().expect("trace is on");
    assert!(log.contains("task#1"), "{log}");
    assert!(log.contains("task::poll"), "{log}");
}

/// The root future holds a guard of a `sync` mutex across a sleep, while a task wants it.
fn guard_across_sleep(drop_first: bool) {
    leakcheck::block_on(async move {
        let cache = leakcheck::sync::Arc::new(leakcheck::sync::Mutex::new(0u32));
        let theirs = cache.clone();
        let reader = tokio::spawn(async move { *theirs.lock().unwrap() });
        let mut guard = cache.lock().unwrap();
        *guard += 1;
        if drop_first {
            drop(guard);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        } else {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            drop(guard);
        }
        let _ = reader.await.unwrap();
    });
}

#[test]
fn a_guard_held_across_an_await_is_reported_with_the_lock_and_the_await() {
    for config in [random(), pct()] {
        let report = fails(config.schedules(200), || guard_across_sleep(false));
        let held = report
            .findings()
            .iter()
            .find(|f| f.kind() == FindingKind::HeldAcrossAwait)
            .unwrap_or_else(|| panic!("no held_across_await in\n{report}"));
        let Detail::HeldAcrossAwait {
            task,
            lock,
            locked_at,
            suspended_at,
            awaiting,
            ..
        } = held.detail()
        else {
            unreachable!()
        };
        assert_eq!(task.id, 0, "the root future of block_on");
        assert_eq!(lock.to_string(), "mutex#1");
        assert_eq!(awaiting.as_deref(), Some("time::sleep"));
        assert!(locked_at.line < suspended_at.line);
        assert!(suspended_at.file.ends_with("tests/tokio_tasks.rs"));
    }
    // When the sleep does not end early, the reader blocks the only worker in `lock`, and the
    // root cannot go on: a deadlock, with the reader left waiting for the lock.
    let report = fails(
        random().schedules(200).time(leakcheck::Time::Virtual),
        || guard_across_sleep(false),
    );
    assert_eq!(
        kinds(&report),
        [FindingKind::Deadlock, FindingKind::HeldAcrossAwait]
    );
    let text = report.to_string();
    assert!(text.contains("left waiting for mutex#1: task#1"), "{text}");
}

#[test]
fn a_guard_released_before_the_await_is_clean() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| guard_across_sleep(true));
    }
}

#[test]
fn a_detached_task_pending_on_a_channel_the_body_keeps_open_names_its_spawn_and_await() {
    static LINES: Lines = Lines::new();
    for config in [random(), pct()] {
        let report = fails(config.schedules(50), || {
            leakcheck::block_on(async {
                let (jobs, mut queue) = tokio::sync::mpsc::channel::<u32>(8);
                let spawned = line!() + 1;
                drop(tokio::spawn(async move {
                    while let Some(_job) = queue.recv().await {}
                }));
                LINES.set(&[spawned, spawned + 1]);
                jobs.send(1).await.unwrap();
                // The body keeps its sender (as a struct it never drops would): the worker's
                // `recv` never ends.
                std::mem::forget(jobs);
            })
        });
        let [spawned, awaited] = LINES.get()[..] else {
            unreachable!()
        };
        let leak = report
            .findings()
            .iter()
            .find(|f| f.kind() == FindingKind::LeakedTask)
            .unwrap_or_else(|| panic!("no leaked task in\n{report}"));
        let Detail::LeakedTask {
            task,
            state,
            detached,
        } = leak.detail()
        else {
            unreachable!()
        };
        assert!(*detached);
        assert_eq!(task.spawned_at.as_ref().unwrap().line, spawned, "{report}");
        let TaskLeak::PendingForever {
            awaiting: Some(blocked),
            ..
        } = state
        else {
            panic!("not pending forever on a known operation: {state:?}\n{report}")
        };
        assert_eq!(blocked.operation, "Receiver::recv", "{report}");
        assert_eq!(blocked.at.line, awaited, "{report}");
        assert!(blocked.on.to_string().starts_with("channel#"), "{report}");
    }
}
