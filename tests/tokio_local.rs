//! `leakcheck::tokio::task::{LocalSet, spawn_local}`: tasks that need not be `Send` run inside a
//! check as under tokio (only while the set is driven, one at a time, on the driver's worker),
//! a std guard held across an `.await` in one is reported, dropping the set cancels its tasks,
//! and correct code is clean under Random and PCT.
#![cfg(feature = "tokio")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use common::{fails, Lines};
use leakcheck::tokio::sync::{mpsc, oneshot};
use leakcheck::tokio::task::{self, LocalSet};
use leakcheck::tokio::{self};
use leakcheck::{Config, Detail, FindingKind, Scheduler};

fn random() -> Config {
    Config::new().scheduler(Scheduler::Random)
}

fn pct() -> Config {
    Config::new().scheduler(Scheduler::Pct { depth: 3 })
}

/// Runs `body` inside a check (many schedules) and outside one, on real tokio.
fn both(body: fn()) {
    random().schedules(200).check(body);
    body();
}

#[test]
fn local_tasks_run_while_the_set_is_driven_as_tokios() {
    both(|| {
        leakcheck::block_on(async {
            let log = Rc::new(RefCell::new(Vec::new()));
            let local = LocalSet::new();
            let l = log.clone();
            // Spawned before the set is driven: it waits for the driver.
            let early = local.spawn_local(async move {
                l.borrow_mut().push("early");
                1
            });
            let l = log.clone();
            let sum = local
                .run_until(async move {
                    let inner = task::spawn_local(async move {
                        l.borrow_mut().push("inner");
                        // A local task spawns onto its set too.
                        task::spawn_local(async { 2 }).await.unwrap()
                    });
                    // tokio::spawn inside run_until goes to the runtime, as tokio's.
                    let sent = tokio::spawn(async { 3 });
                    inner.await.unwrap() + sent.await.unwrap()
                })
                .await;
            assert_eq!(sum, 5);
            assert_eq!(early.await.unwrap(), 1);
            let mut seen = log.borrow().clone();
            seen.sort_unstable();
            assert_eq!(seen, ["early", "inner"]);
            // Awaiting the set runs its tasks to the end.
            let l = log.clone();
            drop(local.spawn_local(async move {
                tokio::task::yield_now().await;
                l.borrow_mut().push("last");
            }));
            local.await;
            assert_eq!(log.borrow().last(), Some(&"last"));
        });
    });
}

#[test]
fn spawn_local_outside_a_set_panics_as_tokios() {
    fn outside() -> String {
        let err = std::panic::catch_unwind(|| {
            leakcheck::block_on(async {
                drop(task::spawn_local(async {}));
            })
        })
        .expect_err("spawn_local outside a LocalSet panics");
        err.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| err.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    }
    static MODELLED: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    let real = outside();
    leakcheck::check(|| *MODELLED.lock().unwrap() = outside());
    assert!(
        real.contains("`spawn_local` called from outside of a `task::LocalSet`"),
        "{real}"
    );
    assert_eq!(*MODELLED.lock().unwrap(), real);
}

#[test]
fn dropping_the_set_drops_its_tasks_futures_and_is_no_leak() {
    struct Flag(Rc<RefCell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            *self.0.borrow_mut() = true;
        }
    }
    both(|| {
        leakcheck::block_on(async {
            let dropped = Rc::new(RefCell::new(false));
            let (_keep, rx) = oneshot::channel::<()>();
            let local = LocalSet::new();
            let flag = Flag(dropped.clone());
            let h = local.spawn_local(async move {
                let _flag = flag;
                let _ = rx.await; // never sent: only dropping the set ends it
            });
            local.run_until(tokio::task::yield_now()).await;
            drop(local);
            assert!(h.await.unwrap_err().is_cancelled());
            assert!(*dropped.borrow());
        });
    });
}

#[test]
fn a_std_guard_held_across_an_await_in_a_local_task_is_reported() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(200), || {
        leakcheck::block_on(async {
            let cache = Rc::new(leakcheck::sync::Mutex::new(0u32));
            let local = LocalSet::new();
            let theirs = cache.clone();
            local
                .run_until(async move {
                    let lock_line = line!() + 3;
                    let sleep_line = line!() + 4;
                    let writer = task::spawn_local(async move {
                        let mut n = theirs.lock().unwrap();
                        *n += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    });
                    LINES.set(&[lock_line, sleep_line]);
                    let reader = task::spawn_local(async move { *cache.lock().unwrap() });
                    writer.await.unwrap();
                    reader.await.unwrap();
                })
                .await;
        });
    });
    let lines = LINES.get();
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
    assert!(
        task.to_string().starts_with("task#"),
        "a local task: {task}"
    );
    assert_eq!(lock.to_string(), "mutex#1");
    assert_eq!(locked_at.line, lines[0]);
    assert_eq!(suspended_at.line, lines[1]);
    assert_eq!(awaiting.as_deref(), Some("time::sleep"));
}

#[test]
fn local_pipelines_are_clean() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let total = Rc::new(RefCell::new(0));
                let local = LocalSet::new();
                let t = total.clone();
                local
                    .run_until(async move {
                        let (tx, mut rx) = mpsc::channel::<u32>(1);
                        let consumer = task::spawn_local(async move {
                            while let Some(n) = rx.recv().await {
                                *t.borrow_mut() += n;
                            }
                        });
                        let producers: Vec<_> = (1..=2)
                            .map(|i| {
                                let tx = tx.clone();
                                task::spawn_local(async move { tx.send(i).await.unwrap() })
                            })
                            .collect();
                        drop(tx);
                        for p in producers {
                            p.await.unwrap();
                        }
                        consumer.await.unwrap();
                    })
                    .await;
                assert_eq!(*total.borrow(), 3);
            });
        });
    }
}
