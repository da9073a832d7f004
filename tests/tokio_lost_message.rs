//! `LostMessage`: a send future of `leakcheck::tokio::sync::mpsc` dropped while it held its
//! value (a `select!` that completed another branch first) is reported with the channel, the
//! send's line, the `select!`'s line and the task (an aborted task's pending send, and a send
//! future dropped unpolled, too; `expect = "lost_message"` takes it); a cancelled `reserve()`, an
//! unused `Permit`
//! and a send to a closed channel lose nothing and are not; correct code (reserve then send in
//! a `select!`, pipelines, fan-in over `select!`) is clean under Random and PCT; the report of a
//! failing schedule is the same byte for byte when the seed or the replay token is reused.
#![cfg(feature = "tokio")]

mod common;

use std::time::Duration;

use common::{fails, kinds, Lines};
use leakcheck::tokio::sync::mpsc::{self, error::SendTimeoutError};
use leakcheck::tokio::{self};
use leakcheck::{Config, Detail, FindingKind, ObjectKind, Role, Scheduler};

fn random() -> Config {
    Config::new().scheduler(Scheduler::Random)
}

fn pct() -> Config {
    Config::new().scheduler(Scheduler::Pct { depth: 3 })
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

static LEAKY: Lines = Lines::new();

/// A forwarder as users write it: it takes jobs from `input` and sends them on, and reports a
/// heartbeat on every tick. When the tick wins the `select!`, the job in the send is dropped.
fn leaky_forwarder() {
    leakcheck::block_on(async {
        let (jobs, mut input) = mpsc::channel::<u32>(4);
        let channel_line = line!() + 1;
        let (tx, mut output) = mpsc::channel::<u32>(1);
        let spawn_line = line!() + 1;
        let forwarder = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(ms(1));
            let mut beats = 0;
            while let Some(job) = input.recv().await {
                let select_line = line!() + 1;
                tokio::select! {
                    sent = tx.send(job) => sent.unwrap(),
                    _ = ticks.tick() => beats += 1,
                }
                LEAKY.set(&[channel_line, spawn_line, select_line, select_line + 1]);
            }
            beats
        });
        for job in 0..3 {
            jobs.send(job).await.unwrap();
        }
        drop(jobs);
        let mut got = Vec::new();
        while let Some(job) = output.recv().await {
            got.push(job);
            tokio::time::sleep(ms(2)).await;
        }
        forwarder.await.unwrap();
    });
}

#[test]
fn a_select_that_cancels_a_send_loses_the_message() {
    for config in [random(), pct()] {
        let report = fails(config.schedules(500), leaky_forwarder);
        assert_eq!(kinds(&report), [FindingKind::LostMessage], "{report}");
        let [channel_line, spawn_line, select_line, send_line] = LEAKY.get()[..] else {
            panic!("the body recorded no lines");
        };
        let finding = &report.findings()[0];
        let Detail::LostMessage {
            task,
            channel,
            operation,
            sent_at,
            dropped_at,
            count,
        } = finding.detail()
        else {
            unreachable!()
        };
        assert_eq!(channel.kind, ObjectKind::Channel);
        assert_eq!(channel.to_string(), "channel#2", "the output channel");
        assert_eq!(channel.created_at.line, channel_line);
        assert_eq!(operation, "Sender::send");
        assert_eq!(sent_at.line, send_line);
        assert!(sent_at.file.ends_with("tests/tokio_lost_message.rs"));
        let dropped = dropped_at.as_ref().expect("where it was dropped");
        assert_eq!(dropped.operation, "select!");
        assert_eq!(dropped.at.line, select_line);
        assert_eq!(task.role, Role::Task);
        assert_eq!(task.spawned_at.as_ref().unwrap().line, spawn_line);
        assert!(*count >= 1);
        assert_eq!(finding.location(), Some(sent_at));
        assert_eq!(finding.object(), Some(channel));
        let text = report.to_string();
        assert!(text.contains("lost message: task#"), "{text}");
        assert!(text.contains("tx.reserve().await"), "{text}");
    }
}

#[test]
fn the_report_is_the_same_byte_for_byte_on_the_same_seed_and_on_replay() {
    let a = fails(random().schedules(500).seed(11), leaky_forwarder);
    let b = fails(random().schedules(500).seed(11), leaky_forwarder);
    assert_eq!(a.to_string(), b.to_string());
    assert_eq!(a.to_json(), b.to_json());
    let replayed = fails(Config::new().replay(a.replay_token()), leaky_forwarder);
    assert_eq!(replayed.findings(), a.findings());
    assert_eq!(replayed.schedule(), a.schedule());
    let text = |r: &leakcheck::Report| -> Vec<String> {
        r.findings().iter().map(ToString::to_string).collect()
    };
    assert_eq!(text(&replayed), text(&a));
}

#[test]
fn a_send_timeout_cancelled_by_a_select_loses_the_message_too() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<String>(1);
            tx.send("first".to_string()).await.unwrap();
            let (stop_tx, stop) = tokio::sync::oneshot::channel::<()>();
            stop_tx.send(()).unwrap();
            // Full: the send waits, and the stop signal is already there.
            let send_line = line!() + 4;
            tokio::select! {
                biased;
                _ = stop => {}
                _ = tx.send_timeout("second".to_string(), ms(50)) => {}
            }
            LINES.set(&[send_line]);
            assert_eq!(rx.recv().await.as_deref(), Some("first"));
        });
    });
    assert_eq!(kinds(&report), [FindingKind::LostMessage]);
    let Detail::LostMessage {
        task,
        operation,
        sent_at,
        count,
        ..
    } = report.findings()[0].detail()
    else {
        unreachable!()
    };
    assert_eq!(operation, "Sender::send_timeout");
    assert_eq!(sent_at.line, LINES.get()[0]);
    assert_eq!(task.id, 0, "block_on's root future");
    assert_eq!(*count, 1);
}

#[test]
fn a_send_future_dropped_unpolled_loses_its_value() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(10), || {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            let fut = tx.send(1);
            let send_line = line!() - 1;
            drop(fut);
            LINES.set(&[send_line]);
            drop(tx);
            assert_eq!(rx.recv().await, None);
        });
    });
    assert_eq!(kinds(&report), [FindingKind::LostMessage]);
    let Detail::LostMessage {
        sent_at,
        dropped_at,
        ..
    } = report.findings()[0].detail()
    else {
        unreachable!()
    };
    assert_eq!(sent_at.line, LINES.get()[0]);
    let dropped = dropped_at.as_ref().map(|l| l.operation.as_str());
    assert_ne!(dropped, Some("select!"), "no select! dropped it");
}

/// What loses nothing: a cancelled `reserve()`, an unused `Permit` (dropped), a send whose
/// receiver is already gone (the value would come back as an error), a `try_send` that fails.
#[test]
fn cancelled_reservations_unused_permits_and_closed_channels_lose_nothing() {
    for config in [random(), pct()] {
        config.schedules(300).check(|| {
            leakcheck::block_on(async {
                let (tx, mut rx) = mpsc::channel::<u32>(1);
                let permit = tx.reserve().await.unwrap();
                drop(permit);
                tx.send(0).await.unwrap();
                // Full: the reserve waits, and the sleep wins.
                tokio::select! {
                    permit = tx.reserve() => permit.unwrap().send(1),
                    _ = tokio::time::sleep(ms(1)) => {}
                }
                assert!(tx.try_send(2).is_err() || rx.recv().await.is_some());
                let (closed_tx, closed_rx) = mpsc::channel::<u32>(1);
                drop(closed_rx);
                drop(closed_tx.send(3));
                tokio::select! {
                    _ = closed_tx.send(4) => {}
                    _ = async {} => {}
                }
                while rx.try_recv().is_ok() {}
            });
        });
    }
}

/// The forwarder, fixed: the `select!` waits for a slot (`reserve` loses nothing when the tick
/// wins), and the job is sent into the slot it got.
fn reserving_forwarder() {
    leakcheck::block_on(async {
        let (jobs, mut input) = mpsc::channel::<u32>(4);
        let (tx, mut output) = mpsc::channel::<u32>(1);
        let forwarder = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(ms(1));
            let mut beats = 0u32;
            while let Some(job) = input.recv().await {
                loop {
                    tokio::select! {
                        permit = tx.reserve() => {
                            permit.unwrap().send(job);
                            break;
                        }
                        _ = ticks.tick() => beats += 1,
                    }
                }
            }
            beats
        });
        for job in 0..3 {
            jobs.send(job).await.unwrap();
        }
        drop(jobs);
        let mut got = Vec::new();
        while let Some(job) = output.recv().await {
            got.push(job);
            tokio::time::sleep(ms(2)).await;
        }
        assert_eq!(got, [0, 1, 2]);
        forwarder.await.unwrap();
    });
}

/// A pipeline of three stages over bounded channels, sends awaited to the end.
fn pipeline() {
    leakcheck::block_on(async {
        let (a_tx, mut a_rx) = mpsc::channel::<u32>(1);
        let (b_tx, mut b_rx) = mpsc::channel::<u32>(1);
        let source = tokio::spawn(async move {
            for n in 1..=3 {
                a_tx.send(n).await.unwrap();
            }
        });
        let double = tokio::spawn(async move {
            while let Some(n) = a_rx.recv().await {
                b_tx.send(n * 2).await.unwrap();
            }
        });
        let mut sum = 0;
        while let Some(n) = b_rx.recv().await {
            sum += n;
        }
        assert_eq!(sum, 12);
        source.await.unwrap();
        double.await.unwrap();
    });
}

/// Fan-in: one task receives from two producers through a `select!` over `recv` (cancel safe),
/// until both are closed; one producer uses `send_timeout`, sending again what a timeout hands
/// back.
fn fan_in() {
    leakcheck::block_on(async {
        let (a_tx, mut a_rx) = mpsc::channel::<u32>(1);
        let (b_tx, mut b_rx) = mpsc::channel::<u32>(1);
        let a = tokio::spawn(async move {
            for n in 0..2 {
                a_tx.send(n).await.unwrap();
            }
        });
        let b = tokio::spawn(async move {
            // A timeout hands the value back: it is sent again, never lost.
            for mut n in 10..12 {
                loop {
                    match b_tx.send_timeout(n, ms(5)).await {
                        Ok(()) => break,
                        Err(SendTimeoutError::Timeout(back)) => n = back,
                        Err(SendTimeoutError::Closed(_)) => panic!("the receiver left early"),
                    }
                }
            }
        });
        let mut got = Vec::new();
        loop {
            tokio::select! {
                Some(n) = a_rx.recv() => got.push(n),
                Some(n) = b_rx.recv() => got.push(n),
                else => break,
            }
        }
        got.sort_unstable();
        assert_eq!(got, [0, 1, 10, 11]);
        a.await.unwrap();
        b.await.unwrap();
    });
}

#[test]
fn correct_senders_are_clean_under_random_and_pct() {
    for config in [random(), pct()] {
        config.clone().schedules(2_000).check(reserving_forwarder);
        config.clone().schedules(2_000).check(pipeline);
        config.schedules(2_000).check(fan_in);
    }
}

#[test]
fn send_timeout_matches_tokio_inside_and_outside_a_check() {
    fn body() {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            tx.send_timeout(1, ms(10)).await.unwrap();
            let err = tx.send_timeout(2, ms(10)).await.unwrap_err();
            assert!(matches!(err, SendTimeoutError::Timeout(2)), "{err:?}");
            assert_eq!(rx.recv().await, Some(1));
            drop(rx);
            let err = tx.send_timeout(3, ms(10)).await.unwrap_err();
            assert!(matches!(err, SendTimeoutError::Closed(3)), "{err:?}");
        });
    }
    leakcheck::check(body);
    body();
}

/// A task aborted while its send waits for a slot loses the value too: the report names the
/// aborted task and its send.
#[test]
fn an_aborted_task_loses_the_value_of_its_pending_send() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            tx.send(0).await.unwrap();
            let send_line = line!() + 1;
            let sender = tokio::spawn(async move { tx.send(1).await.unwrap() });
            LINES.set(&[send_line]);
            tokio::task::yield_now().await;
            sender.abort();
            assert!(sender.await.unwrap_err().is_cancelled());
            assert_eq!(rx.recv().await, Some(0));
        });
    });
    let lost: Vec<_> = report
        .findings()
        .iter()
        .filter(|f| f.kind() == FindingKind::LostMessage)
        .collect();
    assert_eq!(lost.len(), 1, "{report}");
    let Detail::LostMessage { task, sent_at, .. } = lost[0].detail() else {
        unreachable!()
    };
    assert_eq!(task.role, Role::Task);
    assert_eq!(sent_at.line, LINES.get()[0]);
}

/// `expect = "lost_message"` in the attribute: the test passes because the loss is found.
#[leakcheck::test(schedules = 200, expect = "lost_message")]
async fn the_attribute_expects_a_lost_message() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.send(0).await.unwrap();
    tokio::select! {
        _ = tx.send(1) => {}
        _ = tokio::time::sleep(ms(1)) => {}
    }
    assert_eq!(rx.recv().await, Some(0));
}
