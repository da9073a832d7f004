//! `leakcheck::tokio::sync::{watch, broadcast}`: inside a check they behave as tokio's do
//! (versions, `changed`, `wait_for`, closing; the ring buffer, `Lagged(n)`, draining after the
//! last sender), and outside one they are tokio's own; a task pending forever on `changed()`
//! or `recv()` because a sender is kept alive is reported with the channel, the lines and the
//! live sender; correct code (an idle transition over `watch`, an event fan-out over
//! `broadcast` that handles lag) is never reported under Random and PCT.
#![cfg(feature = "tokio")]

mod common;

use std::sync::Arc;

use common::{fails, kinds, Lines};
use leakcheck::tokio::sync::broadcast::error::{RecvError as BRecvError, TryRecvError};
use leakcheck::tokio::sync::{broadcast, watch};
use leakcheck::tokio::{self};
use leakcheck::{Config, Detail, FindingKind, ObjectKind, Scheduler, Target, TaskLeak};

fn random() -> Config {
    Config::new().scheduler(Scheduler::Random)
}

fn pct() -> Config {
    Config::new().scheduler(Scheduler::Pct { depth: 3 })
}

/// Runs `body` inside a check (one schedule) and outside one, on real tokio.
fn both(body: fn()) {
    leakcheck::check(body);
    body();
}

#[test]
fn watch_versions_match_tokio() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = watch::channel(0u32);
            assert!(!rx.has_changed().unwrap());
            assert!(!rx.borrow().has_changed());
            tx.send(1).unwrap();
            assert!(rx.has_changed().unwrap());
            // A borrow does not mark it seen; a borrow_and_update does.
            assert!(rx.borrow().has_changed());
            assert_eq!(*rx.borrow(), 1);
            {
                let r = rx.borrow_and_update();
                assert!(r.has_changed());
                assert_eq!(*r, 1);
            }
            assert!(!rx.has_changed().unwrap());
            // A new receiver, and a clone, have seen what exists (or what the original saw).
            tx.send(2).unwrap();
            let sub = tx.subscribe();
            assert!(!sub.has_changed().unwrap());
            let clone = rx.clone();
            assert!(clone.has_changed().unwrap());
            assert!(rx.same_channel(&clone) && tx.same_channel(&tx.clone()));
            assert_eq!(tx.receiver_count(), 3);
            drop((sub, clone));
            // changed completes at once when the version differs, and takes it.
            rx.changed().await.unwrap();
            assert!(!rx.has_changed().unwrap());
            rx.mark_changed();
            assert!(rx.has_changed().unwrap());
            rx.changed().await.unwrap();
            tx.send(3).unwrap();
            rx.mark_unchanged();
            assert!(!rx.has_changed().unwrap());
            // send_if_modified notifies only when told to; send_replace returns the old value.
            assert!(!tx.send_if_modified(|_| false));
            assert!(!rx.has_changed().unwrap());
            assert!(tx.send_if_modified(|v| {
                *v += 1;
                true
            }));
            assert!(rx.has_changed().unwrap());
            assert_eq!(tx.send_replace(10), 4);
            tx.send_modify(|v| *v += 1);
            assert_eq!(*tx.borrow(), 11);
            assert!(!tx.borrow().has_changed());
            assert_eq!(tx.sender_count(), 1);
            // The sender gone: a change not seen yet is still reported once, then an error.
            drop(tx);
            assert!(rx.is_closed());
            assert!(rx.has_changed().is_err());
            assert!(rx.changed().await.is_ok());
            assert!(rx.changed().await.is_err());
            assert_eq!(*rx.borrow(), 11);
        });
    });
}

#[test]
fn watch_send_without_receivers_fails_and_closed_completes() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, rx) = watch::channel(String::from("a"));
            assert!(!tx.is_closed());
            let rx2 = rx.clone();
            let dropper = tokio::spawn(async move {
                drop(rx);
                drop(rx2);
            });
            tx.closed().await;
            dropper.await.unwrap();
            assert!(tx.is_closed());
            assert_eq!(tx.receiver_count(), 0);
            assert_eq!(tx.send("b".into()).unwrap_err().0, "b");
            assert_eq!(*tx.borrow(), "a");
            // send_replace and send_modify change it anyway.
            assert_eq!(tx.send_replace("c".into()), "a");
            let rx = tx.subscribe();
            assert_eq!(*rx.borrow(), "c");
            let lone = watch::Sender::new(5);
            assert!(lone.is_closed());
            assert!(lone.send(6).is_err());
            let d = watch::Sender::<u8>::default();
            assert_eq!(*d.borrow(), 0);
        });
    });
}

#[test]
fn watch_wait_for_matches_tokio() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = watch::channel(0u32);
            // The current value is checked first, seen or not.
            assert_eq!(*rx.wait_for(|v| *v == 0).await.unwrap(), 0);
            let sender = tokio::spawn(async move {
                for v in 1..=4 {
                    tx.send(v).unwrap();
                    tokio::task::yield_now().await;
                }
                tx
            });
            {
                let r = rx.wait_for(|v| *v >= 2).await.unwrap();
                assert!(*r >= 2);
            }
            let tx = sender.await.unwrap();
            assert_eq!(*rx.borrow_and_update(), 4);
            tx.send(9).unwrap();
            drop(tx);
            // Closed, but the last change satisfies it: Ok.
            assert_eq!(*rx.wait_for(|v| *v == 9).await.unwrap(), 9);
            // Closed and nothing new: Err.
            assert!(rx.wait_for(|v| *v == 100).await.is_err());
        });
    });
}

#[test]
fn watch_changed_wakes_a_waiting_task_and_every_receiver() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, rx) = watch::channel(0u32);
            let mut handles = Vec::new();
            for _ in 0..3 {
                let mut rx = rx.clone();
                handles.push(tokio::spawn(async move {
                    rx.changed().await.unwrap();
                    *rx.borrow_and_update()
                }));
            }
            drop(rx);
            tokio::task::yield_now().await;
            tx.send(7).unwrap();
            for h in handles {
                assert_eq!(h.await.unwrap(), 7);
            }
        });
    });
}

#[test]
fn broadcast_ring_buffer_and_lag_match_tokio() {
    both(|| {
        leakcheck::block_on(async {
            // A capacity of 3 is 4, as tokio rounds it.
            let (tx, mut rx) = broadcast::channel::<u32>(3);
            let mut slow = tx.subscribe();
            assert_eq!(tx.receiver_count(), 2);
            for v in 0..4 {
                assert_eq!(tx.send(v).unwrap(), 2);
            }
            assert_eq!(tx.len(), 4);
            assert!(!tx.is_empty());
            assert_eq!(rx.recv().await, Ok(0));
            assert_eq!(tx.len(), 4);
            for v in 4..7 {
                tx.send(v).unwrap();
            }
            // `slow` read nothing: it missed 0, 1, 2 and goes on from 3.
            assert_eq!(slow.len(), 7);
            assert_eq!(slow.recv().await, Err(BRecvError::Lagged(3)));
            assert_eq!(slow.try_recv(), Ok(3));
            // `rx` read 0: it missed 1 and 2.
            assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(2)));
            for v in 3..7 {
                assert_eq!(rx.recv().await, Ok(v));
            }
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            assert!(rx.is_empty());
            assert_eq!(tx.len(), 3);
            // A resubscribed receiver starts from now on.
            let mut again = slow.resubscribe();
            assert!(again.is_empty());
            assert!(again.same_channel(&rx));
            tx.send(8).unwrap();
            assert_eq!(again.try_recv(), Ok(8));
            // The last sender gone: what is left is read, then Closed.
            let tx2 = tx.clone();
            assert_eq!(tx.strong_count(), 2);
            drop(tx);
            assert!(!rx.is_closed());
            drop(tx2);
            assert!(rx.is_closed());
            assert_eq!(rx.recv().await, Ok(8));
            assert_eq!(rx.recv().await, Err(BRecvError::Closed));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
            for v in 4..7 {
                assert_eq!(slow.recv().await, Ok(v));
            }
            assert_eq!(slow.recv().await, Ok(8));
            assert_eq!(slow.recv().await, Err(BRecvError::Closed));
        });
    });
}

#[test]
fn broadcast_receivers_and_senders_come_and_go_as_tokios() {
    both(|| {
        leakcheck::block_on(async {
            let tx = broadcast::Sender::<u32>::new(2);
            assert_eq!(tx.send(1).unwrap_err().0, 1);
            // No receiver: closed completes at once.
            tx.closed().await;
            let mut rx = tx.subscribe();
            assert_eq!(tx.send(2).unwrap(), 1);
            let other = tx.subscribe();
            // A dropped receiver's unread values no longer count.
            tx.send(3).unwrap();
            assert_eq!(tx.len(), 2);
            drop(other);
            assert_eq!(rx.recv().await, Ok(2));
            assert_eq!(tx.len(), 1);
            assert_eq!(rx.recv().await, Ok(3));
            assert!(tx.is_empty());
            let waiter = tokio::spawn(async move { rx.recv().await });
            tokio::task::yield_now().await;
            tx.send(4).unwrap();
            assert_eq!(waiter.await.unwrap(), Ok(4));
            // The receiver went with its task: the senders' closed completes.
            tx.closed().await;
            assert_eq!(tx.receiver_count(), 0);
        });
    });
}

/// The futures are `Send` where tokio's are, so tasks on a multi-thread runtime can await them.
#[allow(dead_code)]
fn futures_are_send_as_tokios(
    wrx: &mut watch::Receiver<u32>,
    wtx: &watch::Sender<u32>,
    brx: &mut broadcast::Receiver<u32>,
    btx: &broadcast::Sender<u32>,
) {
    fn send<T: Send>(_: T) {}
    send(wrx.changed());
    send(wtx.closed());
    send(brx.recv());
    send(btx.closed());
    send(wrx.wait_for(|v| *v == 1));
}

#[test]
fn broadcast_blocking_recv_works_on_threads_and_panics_in_tasks_as_tokios() {
    both(|| {
        let (tx, mut rx) = broadcast::channel::<u32>(2);
        let weak = tx.downgrade();
        let reader = leakcheck::thread::spawn(move || {
            let mut got = Vec::new();
            while let Ok(v) = rx.blocking_recv() {
                got.push(v);
            }
            got
        });
        for v in 0..2 {
            weak.upgrade().unwrap().send(v).unwrap();
        }
        assert_eq!(tx.weak_count(), 1);
        drop(tx);
        assert!(weak.upgrade().is_none());
        // Two values fit: the reader sees both, whenever it reads them.
        assert_eq!(reader.join().unwrap(), [0, 1]);
    });
    let report = fails(random().schedules(5), || {
        leakcheck::block_on(async {
            let (_tx, mut rx) = broadcast::channel::<u32>(1);
            let _ = rx.blocking_recv();
        });
    });
    let Detail::Panic { message, .. } = report.findings()[0].detail() else {
        panic!("{report}")
    };
    assert!(
        message.starts_with("Cannot block the current thread from within a runtime"),
        "{message:?}"
    );
}

#[test]
fn broadcast_capacity_zero_panics_as_tokios() {
    let outside = std::panic::catch_unwind(|| broadcast::channel::<u8>(0)).unwrap_err();
    assert_eq!(
        outside.downcast_ref::<&str>(),
        Some(&"broadcast channel capacity cannot be zero")
    );
    let report = fails(random().schedules(1), || {
        let _ = broadcast::channel::<u8>(0);
    });
    let Detail::Panic { message, .. } = report.findings()[0].detail() else {
        panic!("{report}")
    };
    assert_eq!(message, "broadcast channel capacity cannot be zero");
}

#[test]
fn a_task_awaiting_changed_while_the_sender_is_kept_is_a_leaked_task_and_an_unclosed_channel() {
    static LINES: Lines = Lines::new();
    /// A service that keeps its state's sender (and never changes it again).
    struct Service {
        _state: watch::Sender<bool>,
    }
    let report = fails(random().schedules(100), || {
        leakcheck::block_on(async {
            let chan_line = line!() + 1;
            let (tx, mut idle) = watch::channel(false);
            let spawn_line = line!() + 1;
            let observer = tokio::spawn(async move {
                let changed_line = line!() + 1;
                while idle.changed().await.is_ok() {
                    if *idle.borrow() {
                        break;
                    }
                    let _ = changed_line;
                }
            });
            LINES.set(&[chan_line, spawn_line]);
            drop(observer);
            // The service outlives the body (here: leaked; in a program, held by a global).
            Box::leak(Box::new(Service { _state: tx }));
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    let (chan_line, spawn_line) = (lines[0], lines[1]);
    let changed_line = spawn_line + 2;
    let k = kinds(&report);
    assert_eq!(k.len(), 2, "{k:?}");
    assert!(k.contains(&FindingKind::LeakedTask) && k.contains(&FindingKind::UnclosedChannel));
    let leak = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedTask)
        .unwrap();
    let Detail::LeakedTask {
        task,
        state,
        detached,
    } = leak.detail()
    else {
        unreachable!()
    };
    assert!(*detached);
    assert_eq!(task.spawned_at.as_ref().unwrap().line, spawn_line);
    let TaskLeak::PendingForever {
        awaiting: Some(blocked),
        ..
    } = state
    else {
        panic!("{state:?}")
    };
    assert_eq!(blocked.operation, "Receiver::changed");
    assert_eq!(blocked.at.line, changed_line);
    assert!(blocked.at.file.ends_with("tokio_watch_broadcast.rs"));
    let Target::Object(obj) = &blocked.on else {
        panic!("{:?}", blocked.on)
    };
    assert_eq!(obj.kind, ObjectKind::Channel);
    assert_eq!(obj.created_at.line, chan_line);
    let chan = &blocked.channels[0].channel;
    assert_eq!(chan.constructor, "watch::channel");
    assert_eq!(chan.senders.len(), 1, "{:?}", chan.senders);
    assert_eq!(chan.senders[0].created_at.line, chan_line);
    let unclosed = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::UnclosedChannel)
        .unwrap();
    let Detail::UnclosedChannel {
        channel, blocked, ..
    } = unclosed.detail()
    else {
        unreachable!()
    };
    assert_eq!(channel.object.created_at.line, chan_line);
    assert_eq!(channel.constructor, "watch::channel");
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].operation, "Receiver::changed");
    assert!(!blocked[0].sending);
}

#[test]
fn a_subscriber_looping_on_recv_while_the_sender_is_kept_is_a_leaked_task_and_an_unclosed_channel()
{
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(100), subscriber_kept_open);
    // The same seed gives the same report, byte for byte.
    assert_eq!(
        report.to_string(),
        fails(random().schedules(100), subscriber_kept_open).to_string()
    );
    fn subscriber_kept_open() {
        leakcheck::block_on(async {
            let chan_line = line!() + 1;
            let (events, _) = broadcast::channel::<u32>(16);
            let sub_line = line!() + 1;
            let mut rx = events.subscribe();
            let spawn_line = line!() + 1;
            let subscriber = tokio::spawn(async move {
                let recv_line = line!() + 1;
                while let Ok(ev) = rx.recv().await {
                    let _ = (ev, recv_line);
                }
            });
            LINES.set(&[chan_line, sub_line, spawn_line]);
            events.send(1).unwrap();
            drop(subscriber);
            // The bus is kept for later publishers that never come.
            std::mem::forget(events);
        });
    }
    eprintln!("{report}");
    let lines = LINES.get();
    let (chan_line, sub_line, spawn_line) = (lines[0], lines[1], lines[2]);
    let k = kinds(&report);
    assert_eq!(k.len(), 2, "{k:?}");
    assert!(k.contains(&FindingKind::LeakedTask) && k.contains(&FindingKind::UnclosedChannel));
    let leak = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedTask)
        .unwrap();
    let Detail::LeakedTask { task, state, .. } = leak.detail() else {
        unreachable!()
    };
    assert_eq!(task.spawned_at.as_ref().unwrap().line, spawn_line);
    let TaskLeak::PendingForever {
        awaiting: Some(blocked),
        ..
    } = state
    else {
        panic!("{state:?}")
    };
    assert_eq!(blocked.operation, "Receiver::recv");
    assert_eq!(blocked.at.line, spawn_line + 2);
    let Target::Object(obj) = &blocked.on else {
        panic!("{:?}", blocked.on)
    };
    assert_eq!(obj.kind, ObjectKind::Channel);
    assert_eq!(obj.created_at.line, chan_line);
    let chan = &blocked.channels[0].channel;
    assert_eq!(chan.constructor, "broadcast::channel");
    assert_eq!(chan.capacity, Some(16));
    assert_eq!(chan.senders.len(), 1);
    assert_eq!(chan.senders[0].created_at.line, chan_line);
    // The subscriber read everything: nothing is left unread.
    assert_eq!(chan.buffered, 0);
    assert_eq!(chan.receivers.len(), 1);
    assert_eq!(chan.receivers[0].created_at.line, sub_line);
    let unclosed = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::UnclosedChannel)
        .unwrap();
    let Detail::UnclosedChannel { blocked, .. } = unclosed.detail() else {
        unreachable!()
    };
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].operation, "Receiver::recv");
}

#[test]
fn a_task_awaiting_closed_while_a_receiver_is_kept_is_a_leaked_task_on_the_channel() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let chan_line = line!() + 1;
            let (tx, rx) = watch::channel(0u8);
            let spawn_line = line!() + 1;
            drop(tokio::spawn(async move {
                tx.closed().await; // waits for every receiver to go
            }));
            LINES.set(&[chan_line, spawn_line]);
            tokio::task::yield_now().await;
            std::mem::forget(rx);
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    assert_eq!(kinds(&report), [FindingKind::LeakedTask]);
    let Detail::LeakedTask {
        state: TaskLeak::PendingForever {
            awaiting: Some(b), ..
        },
        ..
    } = report.findings()[0].detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "Sender::closed");
    assert_eq!(b.at.line, lines[1] + 1);
    let Target::Object(obj) = &b.on else {
        panic!("{:?}", b.on)
    };
    assert_eq!(obj.kind, ObjectKind::Channel);
    assert_eq!(obj.created_at.line, lines[0]);
}

#[test]
fn a_watch_ref_held_across_an_await_deadlocks_the_sender_as_on_tokio() {
    // tokio: a `Ref` is a read lock on the value; kept across an `.await` on a current_thread
    // runtime, a sender polled meanwhile blocks the worker, and the holder is never polled.
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(200), || {
        leakcheck::block_on(async {
            let chan_line = line!() + 1;
            let (tx, rx) = watch::channel(0u32);
            let send_line = line!() + 1;
            let writer = tokio::spawn(async move { tx.send(1) });
            let borrow_line = line!() + 1;
            let seen = rx.borrow();
            LINES.set(&[chan_line, send_line, borrow_line]);
            tokio::task::yield_now().await; // the read hold is kept across the await
            drop(seen);
            writer.await.unwrap().unwrap();
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    let (chan_line, send_line, borrow_line) = (lines[0], lines[1], lines[2]);
    assert_eq!(kinds(&report)[0], FindingKind::Deadlock, "{report}");
    let Detail::Deadlock { blocked, cycle, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert!(!cycle.is_empty());
    let sender = blocked
        .iter()
        .find(|b| b.blocked.operation == "Sender::send")
        .expect("the sender is blocked");
    assert_eq!(sender.blocked.at.line, send_line);
    let Target::Object(lock) = &sender.blocked.on else {
        panic!("{:?}", sender.blocked.on)
    };
    assert_eq!(lock.kind, ObjectKind::RwLock);
    assert_eq!(lock.created_at.line, chan_line);
    assert_eq!(sender.blocked.held_by.len(), 1);
    assert_eq!(sender.blocked.held_by[0].thread.id, 0);
    assert_eq!(sender.blocked.held_by[0].since.line, borrow_line);
}

/// Workers report busy and idle over a watch; the supervisor waits for idle, then shuts down.
fn idle_transition() {
    leakcheck::block_on(async {
        // Workers report busy/idle; the supervisor waits for idle, then shuts down.
        let (state, mut idle) = watch::channel(0usize); // requests in flight
        let state = Arc::new(state);
        let mut workers = Vec::new();
        for _ in 0..2 {
            state.send_modify(|n| *n += 1); // dispatched: in flight
            let state = state.clone();
            workers.push(tokio::spawn(async move {
                tokio::task::yield_now().await; // the request's work
                state.send_modify(|n| *n -= 1);
            }));
        }
        // Idle: every request done, whatever order the workers ran in.
        assert_eq!(*idle.wait_for(|n| *n == 0).await.unwrap(), 0);
        for w in workers {
            w.await.unwrap();
        }
        // An observer that follows every change ends when the state's sender goes.
        let mut follower = idle.clone();
        let observer = tokio::spawn(async move {
            let mut changes = 0;
            while follower.changed().await.is_ok() {
                changes += 1;
            }
            changes
        });
        state.send_replace(0);
        drop(state);
        assert!(observer.await.unwrap() <= 1);
        // Closed: nothing satisfies it any more.
        assert!(idle.wait_for(|n| *n == 1).await.is_err());
    });
}

#[test]
fn a_task_suspended_with_a_watch_ref_is_held_across_await() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let chan_line = line!() + 1;
            let (tx, rx) = watch::channel(0u32);
            let (go, wait) = tokio::sync::oneshot::channel::<()>();
            let borrow_line = line!() + 1;
            let seen = rx.borrow();
            let writer = tokio::spawn(async move {
                let sent = tx.send(1);
                let _ = go.send(());
                sent
            });
            LINES.set(&[chan_line, borrow_line]);
            let _ = wait.await; // suspends with the read hold kept
            drop(seen);
            writer.await.unwrap().unwrap();
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    let held = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::HeldAcrossAwait)
        .unwrap_or_else(|| panic!("{report}"));
    let Detail::HeldAcrossAwait {
        lock, locked_at, ..
    } = held.detail()
    else {
        unreachable!()
    };
    assert_eq!(lock.kind, ObjectKind::RwLock);
    assert_eq!(lock.created_at.line, lines[0]);
    assert_eq!(locked_at.line, lines[1]);
}

#[test]
fn an_idle_transition_over_watch_is_clean() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(idle_transition);
    }
    // Outside a check: the same code on real tokio.
    idle_transition();
}

/// Events fanned out to subscribers that count lag and end when the bus closes.
fn event_fan_out() {
    leakcheck::block_on(async {
        let (events, _) = broadcast::channel::<u32>(2);
        let mut subscribers = Vec::new();
        for _ in 0..2 {
            let mut rx = events.subscribe();
            subscribers.push(tokio::spawn(async move {
                let (mut seen, mut missed) = (0u64, 0u64);
                loop {
                    match rx.recv().await {
                        Ok(_) => seen += 1,
                        Err(BRecvError::Lagged(n)) => missed += n,
                        Err(BRecvError::Closed) => return seen + missed,
                    }
                }
            }));
        }
        for ev in 0..5 {
            events.send(ev).unwrap();
            if ev % 2 == 0 {
                tokio::task::yield_now().await;
            }
        }
        drop(events); // the subscribers' loops end
        for s in subscribers {
            // Every event was either seen or counted as missed.
            assert_eq!(s.await.unwrap(), 5);
        }
    });
}

#[test]
fn an_event_fan_out_over_broadcast_that_handles_lag_is_clean() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(event_fan_out);
    }
    // Outside a check: the same code on real tokio.
    event_fan_out();
}
