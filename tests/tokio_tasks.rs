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
fn a_detached_task_waiting_on_a_channel_the_body_keeps_open_is_a_leaked_task() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let (tx, rx) = leakcheck::channel::unbounded::<u32>();
            let (atx, arx) = leakcheck::channel::bounded::<()>(1);
            let spawn_line = line!() + 1;
            drop(tokio::spawn(async move {
                let await_line = line!() + 1;
                tokio::time::sleep(std::time::Duration::from_secs(3600 * 24 * 365 * 100)).await;
                let _ = (await_line, &rx, &atx);
            }));
            LINES.set(&[spawn_line]);
            let _keep = tx;
            let _ = arx;
        });
    });
    eprintln!("{report}");
    assert_eq!(kinds(&report), [FindingKind::LeakedTask]);
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
