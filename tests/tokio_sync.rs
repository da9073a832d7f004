//! `leakcheck::tokio::sync`: mpsc, oneshot and Notify behave inside a check as tokio's do
//! (capacity, FIFO, closing, errors, permits), and as tokio's own outside one; a task pending
//! forever on `recv` is reported with the channel, the line and the live senders; correct
//! async code is never reported under Random and PCT.
#![cfg(feature = "tokio")]

mod common;

use std::sync::Arc;
use std::task::Poll;

use common::{fails, kinds, Lines};
use leakcheck::tokio::sync::mpsc::error::{TryRecvError, TrySendError};
use leakcheck::tokio::sync::{mpsc, oneshot, Notify};
use leakcheck::tokio::{self};
use leakcheck::{
    Config, Detail, FindingKind, ObjectKind, Scheduler, SignalCause, Target, TaskLeak,
};

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
fn bounded_capacity_fifo_and_errors_match_tokio() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(2);
            assert_eq!(tx.max_capacity(), 2);
            tx.send(1).await.unwrap();
            tx.try_send(2).unwrap();
            assert_eq!(tx.capacity(), 0);
            assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
            assert_eq!(rx.len(), 2);
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(tx.capacity(), 1);
            assert_eq!(rx.try_recv(), Ok(2));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            let tx2 = tx.clone();
            assert_eq!(tx.strong_count(), 2);
            let weak = tx.downgrade();
            assert_eq!(rx.sender_weak_count(), 1);
            tx2.send(7).await.unwrap();
            drop(tx);
            drop(tx2);
            assert!(weak.upgrade().is_none());
            assert_eq!(rx.recv().await, Some(7));
            assert_eq!(rx.recv().await, None);
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
            assert!(rx.is_closed());
        });
    });
}

#[test]
fn close_fails_senders_and_drains_the_buffer() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(4);
            tx.send(1).await.unwrap();
            let permit = tx.reserve().await.unwrap();
            rx.close();
            assert!(tx.is_closed());
            assert_eq!(tx.send(2).await.unwrap_err().0, 2);
            assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
            assert_eq!(rx.recv().await, Some(1));
            // A reserved slot can still send after `close`; until then `recv` waits for it.
            permit.send(4);
            assert_eq!(rx.recv().await, Some(4));
            assert_eq!(rx.recv().await, None);
            tx.closed().await;
        });
    });
}

/// Polls `fut` once.
async fn poll_once<F: std::future::Future>(mut fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await
}

#[test]
fn a_freed_slot_goes_to_the_first_waiting_sender_even_unpolled() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            tx.send(0).await.unwrap();
            let mut first = std::pin::pin!(tx.send(1));
            let mut second = std::pin::pin!(tx.send(2));
            assert!(poll_once(first.as_mut()).await.is_pending());
            assert!(poll_once(second.as_mut()).await.is_pending());
            assert_eq!(rx.recv().await, Some(0));
            // The freed slot is the first sender's, though it was not polled since.
            assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
            assert!(poll_once(second.as_mut()).await.is_pending());
            assert!(matches!(
                poll_once(first.as_mut()).await,
                Poll::Ready(Ok(()))
            ));
            assert_eq!(rx.recv().await, Some(1));
            assert!(matches!(
                poll_once(second.as_mut()).await,
                Poll::Ready(Ok(()))
            ));
            assert_eq!(rx.recv().await, Some(2));
        });
    });
}

#[test]
fn a_dropped_send_future_gives_its_place_to_the_next() {
    // The dropped send loses its value: inside a check that is a `LostMessage`, and only that.
    let body = || {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            tx.send(0).await.unwrap();
            let mut first = Box::pin(tx.send(1));
            let mut second = std::pin::pin!(tx.send(2));
            assert!(poll_once(first.as_mut()).await.is_pending());
            assert!(poll_once(second.as_mut()).await.is_pending());
            assert_eq!(rx.recv().await, Some(0));
            drop(first); // cancelled: its slot goes on to the second
            assert!(matches!(
                poll_once(second.as_mut()).await,
                Poll::Ready(Ok(()))
            ));
            assert_eq!(rx.recv().await, Some(2));
        });
    };
    let report = fails(Config::new(), body);
    assert_eq!(kinds(&report), [FindingKind::LostMessage]);
    body();
}

#[test]
fn unbounded_and_recv_many_match_tokio() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
            for i in 0..5 {
                tx.send(i).unwrap();
            }
            let mut buf = Vec::new();
            assert_eq!(rx.recv_many(&mut buf, 3).await, 3);
            assert_eq!(rx.recv_many(&mut buf, 0).await, 0);
            assert_eq!(rx.recv_many(&mut buf, 10).await, 2);
            assert_eq!(buf, [0, 1, 2, 3, 4]);
            drop(rx);
            assert_eq!(tx.send(9).unwrap_err().0, 9);
            assert!(tx.is_closed());
        });
    });
}

#[test]
fn oneshot_matches_tokio() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, rx) = oneshot::channel::<u32>();
            tx.send(3).unwrap();
            assert_eq!(rx.await, Ok(3));

            let (tx, rx) = oneshot::channel::<u32>();
            drop(tx);
            assert!(rx.await.is_err());

            let (tx, rx) = oneshot::channel::<u32>();
            drop(rx);
            assert!(tx.is_closed());
            assert_eq!(tx.send(1), Err(1));

            let (mut tx, mut rx) = oneshot::channel::<u32>();
            assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty));
            rx.close();
            tx.closed().await;
            assert_eq!(tx.send(2), Err(2));
            assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));

            let (tx, rx) = oneshot::channel::<u32>();
            let h = tokio::spawn(rx);
            tx.send(5).unwrap();
            assert_eq!(h.await.unwrap(), Ok(5));
        });
    });
}

#[test]
fn notify_permit_semantics_match_tokio() {
    both(|| {
        leakcheck::block_on(async {
            let n = Notify::new();
            // One stored permit, however many notify_one.
            n.notify_one();
            n.notify_one();
            n.notified().await;
            let mut second = std::pin::pin!(n.notified());
            assert!(!second.as_mut().enable());
            // notify_waiters wakes a Notified made before it, and stores nothing.
            let before = n.notified();
            n.notify_waiters();
            before.await;
            second.await;
            let mut after = std::pin::pin!(n.notified());
            assert!(!after.as_mut().enable());
            n.notify_one();
            after.await;
        });
    });
}

#[test]
fn a_notify_one_for_a_dropped_waiter_goes_to_the_next() {
    both(|| {
        leakcheck::block_on(async {
            let n = Notify::new();
            let mut a = Box::pin(n.notified());
            let mut b = std::pin::pin!(n.notified());
            a.as_mut().enable();
            b.as_mut().enable();
            n.notify_one(); // a, the first registered
            drop(a); // passes it on to b
            b.await;
        });
    });
}

#[test]
fn a_worker_on_recv_with_the_sender_kept_alive_is_a_leaked_task_and_an_unclosed_channel() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(100), || {
        leakcheck::block_on(async {
            let chan_line = line!() + 1;
            let (tx, mut rx) = mpsc::channel::<u32>(8);
            let spawn_line = line!() + 1;
            let worker = tokio::spawn(async move {
                let recv_line = line!() + 1;
                while let Some(job) = rx.recv().await {
                    let _ = (job, recv_line);
                }
            });
            LINES.set(&[chan_line, spawn_line, chan_line + 9]);
            for job in 0..3 {
                tx.send(job).await.unwrap();
            }
            drop(worker);
            // The original `tx` is kept (here: leaked; in a service, held by a struct that
            // outlives the worker): the worker's loop never ends.
            std::mem::forget(tx);
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    let (chan_line, spawn_line) = (lines[0], lines[1]);
    let recv_line = spawn_line + 2;
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
    assert_eq!(blocked.at.line, recv_line);
    let Target::Object(obj) = &blocked.on else {
        panic!("{:?}", blocked.on)
    };
    assert_eq!(obj.kind, ObjectKind::Channel);
    assert_eq!(obj.created_at.line, chan_line);
    assert_eq!(blocked.channels.len(), 1);
    let chan = &blocked.channels[0].channel;
    assert_eq!(chan.constructor, "mpsc::channel");
    assert_eq!(chan.object.id, obj.id);
    // The original sender is alive, made with the channel, last used to send.
    assert_eq!(chan.senders.len(), 1, "{:?}", chan.senders);
    assert_eq!(chan.senders[0].created_at.line, chan_line);
    assert!(!chan.senders[0].cloned);
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
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].operation, "Receiver::recv");
    assert!(!blocked[0].sending);
}

#[test]
fn a_oneshot_whose_sender_is_kept_but_never_used_leaves_its_receiver_pending() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let (tx, rx) = oneshot::channel::<u32>();
            LINES.set(&[line!() + 2]);
            drop(tokio::spawn(async move {
                let _ = rx.await;
            }));
            tokio::task::yield_now().await;
            std::mem::forget(tx);
        });
    });
    eprintln!("{report}");
    let leak = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedTask)
        .expect("a leaked task");
    let Detail::LeakedTask {
        state: TaskLeak::PendingForever {
            awaiting: Some(b), ..
        },
        ..
    } = leak.detail()
    else {
        panic!("{:?}", leak.detail())
    };
    assert_eq!(b.operation, "Receiver::await");
    assert_eq!(b.at.line, LINES.get()[0]);
    assert_eq!(b.channels[0].channel.constructor, "oneshot::channel");
}

#[test]
fn a_notified_made_after_notify_waiters_waits_forever() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(200), || {
        leakcheck::block_on(async {
            let notify = Arc::new(Notify::new());
            let (stopped_tx, stopped_rx) = oneshot::channel::<()>();
            let n = notify.clone();
            let waiter = tokio::spawn(async move {
                stopped_rx.await.unwrap();
                let line = line!() + 1;
                n.notified().await; // made after the notify_waiters it waits for
                let _ = line;
            });
            LINES.set(&[line!() - 3, line!() + 1]);
            notify.notify_waiters();
            stopped_tx.send(()).unwrap();
            drop(waiter);
        });
    });
    eprintln!("{report}");
    let leak = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedTask)
        .expect("a leaked task");
    let Detail::LeakedTask {
        state: TaskLeak::PendingForever {
            awaiting: Some(b), ..
        },
        ..
    } = leak.detail()
    else {
        panic!("{:?}", leak.detail())
    };
    assert_eq!(b.operation, "Notified::await");
    assert_eq!(b.at.line, LINES.get()[0]);
    let Target::Object(obj) = &b.on else { panic!() };
    assert_eq!(obj.kind, ObjectKind::Notify);
    // And the signal it missed: the notify_waiters that came before its Notified was made.
    let missed = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::MissedSignal)
        .expect("a missed signal");
    let Detail::MissedSignal {
        condvar,
        wait_at,
        cause: SignalCause::Lost { notifies },
        operation,
        ..
    } = missed.detail()
    else {
        panic!("{:?}", missed.detail())
    };
    assert_eq!(condvar.id, obj.id);
    assert_eq!(condvar.kind, ObjectKind::Notify);
    assert_eq!(operation, "Notified::await");
    assert_eq!(wait_at.line, LINES.get()[0]);
    assert_eq!(notifies.len(), 1);
    assert!(notifies[0].all);
    assert_eq!(notifies[0].at.line, LINES.get()[1]);
}

#[test]
fn a_permit_taken_by_another_task_is_a_misdirected_signal() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(200), || {
        leakcheck::block_on(async {
            let notify = Arc::new(Notify::new());
            let (ready_tx, ready_rx) = oneshot::channel::<()>();
            let (n1, n2) = (notify.clone(), notify.clone());
            // Two consumers each expect one notification; the producer sends one.
            let greedy = tokio::spawn(async move {
                n1.notified().await;
                ready_tx.send(()).unwrap();
            });
            let wait_line = line!() + 1;
            let starved = tokio::spawn(async move { n2.notified().await });
            let notify_line = line!() + 1;
            notify.notify_one();
            LINES.set(&[wait_line, notify_line]);
            ready_rx.await.unwrap();
            greedy.await.unwrap();
            drop(starved);
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    let missed = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::MissedSignal)
        .expect("a missed signal");
    let Detail::MissedSignal {
        thread,
        wait_at,
        cause: SignalCause::Misdirected { notifies },
        ..
    } = missed.detail()
    else {
        panic!("{:?}", missed.detail())
    };
    assert_eq!(wait_at.line, lines[0]);
    assert_eq!(notifies.len(), 1);
    assert!(!notifies[0].all);
    assert_eq!(notifies[0].at.line, lines[1]);
    let went_to = notifies[0].woke.as_ref().expect("who took it");
    assert_ne!(went_to.id, thread.id);
}

#[test]
fn correct_async_code_is_clean() {
    for config in [random(), pct()] {
        config.clone().schedules(2_000).check(|| {
            leakcheck::block_on(async {
                // A pipeline: producer -> stage -> sink over bounded channels.
                let (a_tx, mut a_rx) = mpsc::channel::<u32>(1);
                let (b_tx, mut b_rx) = mpsc::channel::<u32>(1);
                let producer = tokio::spawn(async move {
                    for i in 0..3 {
                        a_tx.send(i).await.unwrap();
                    }
                });
                let stage = tokio::spawn(async move {
                    while let Some(v) = a_rx.recv().await {
                        b_tx.send(v * 10).await.unwrap();
                    }
                });
                let mut got = Vec::new();
                while let Some(v) = b_rx.recv().await {
                    got.push(v);
                }
                assert_eq!(got, [0, 10, 20]);
                producer.await.unwrap();
                stage.await.unwrap();
            });
        });
        config.clone().schedules(2_000).check(|| {
            leakcheck::block_on(async {
                // Fan-in: several senders, each dropped when done.
                let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
                for i in 0..3 {
                    let tx = tx.clone();
                    drop(tokio::spawn(async move { tx.send(i).unwrap() }));
                }
                drop(tx);
                let mut sum = 0;
                while let Some(v) = rx.recv().await {
                    sum += v;
                }
                assert_eq!(sum, 3);
                // Request and response over oneshot.
                let (req_tx, mut req_rx) = mpsc::channel::<oneshot::Sender<u32>>(1);
                let server = tokio::spawn(async move {
                    while let Some(reply) = req_rx.recv().await {
                        let _ = reply.send(42);
                    }
                });
                let (reply, answer) = oneshot::channel();
                req_tx.send(reply).await.unwrap();
                assert_eq!(answer.await, Ok(42));
                drop(req_tx);
                server.await.unwrap();
            });
        });
        config.clone().schedules(2_000).check(|| {
            leakcheck::block_on(async {
                // Notify used correctly: the Notified is made (and enabled) before the check of
                // the condition, so a notify_waiters between them is not missed.
                let notify = Arc::new(Notify::new());
                let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let (n, f) = (notify.clone(), flag.clone());
                let waiter = tokio::spawn(async move {
                    loop {
                        let notified = n.notified();
                        if f.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        notified.await;
                    }
                });
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                notify.notify_waiters();
                // notify_one stores a permit for a waiter not yet there.
                let other = Arc::new(Notify::new());
                let (n2, ack) = (other.clone(), oneshot::channel::<()>());
                let one = tokio::spawn(async move {
                    n2.notified().await;
                    ack.0.send(()).unwrap();
                });
                other.notify_one();
                ack.1.await.unwrap();
                waiter.await.unwrap();
                one.await.unwrap();
            });
        });
    }
}

#[test]
fn blocking_calls_work_on_threads_and_blocking_tasks() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            let consumer = tokio::task::spawn_blocking(move || {
                let mut got = Vec::new();
                while let Some(v) = rx.blocking_recv() {
                    got.push(v);
                }
                got
            });
            let producer = leakcheck::thread::spawn(move || {
                for i in 0..3 {
                    tx.blocking_send(i).unwrap();
                }
            });
            assert_eq!(consumer.await.unwrap(), [0, 1, 2]);
            producer.join().unwrap();
            let (otx, orx) = oneshot::channel::<u32>();
            let h = leakcheck::thread::spawn(move || orx.blocking_recv());
            otx.send(8).unwrap();
            assert_eq!(h.join().unwrap(), Ok(8));
        });
    });
}

/// `blocking_recv_many` on a blocking task: it waits for the first message, then takes what is
/// there up to the limit; 0 once the channel is closed and drained, and 0 for a limit of 0.
#[test]
fn blocking_recv_many_takes_what_is_there_after_the_first() {
    both(|| {
        leakcheck::block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(4);
            let consumer = tokio::task::spawn_blocking(move || {
                let mut got = Vec::new();
                assert_eq!(rx.blocking_recv_many(&mut got, 0), 0);
                while rx.blocking_recv_many(&mut got, 2) > 0 {}
                got
            });
            for i in 0..5 {
                tx.send(i).await.unwrap();
            }
            drop(tx);
            assert_eq!(consumer.await.unwrap(), [0, 1, 2, 3, 4]);
        });
    });
}

#[test]
fn blocking_recv_inside_a_task_panics_as_tokios() {
    let report = fails(random().schedules(5), || {
        leakcheck::block_on(async {
            let (_tx, mut rx) = mpsc::channel::<u32>(1);
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
fn a_sender_waiting_on_a_full_channel_nobody_reads_is_a_leaked_task() {
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let (tx, rx) = mpsc::channel::<u32>(1);
            let send_line = line!() + 3;
            drop(tokio::spawn(async move {
                for i in 0.. {
                    tx.send(i).await.unwrap();
                }
            }));
            LINES.set(&[send_line]);
            tokio::task::yield_now().await;
            std::mem::forget(rx); // kept, never read
        });
    });
    eprintln!("{report}");
    let leak = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedTask)
        .expect("a leaked task");
    let Detail::LeakedTask {
        state: TaskLeak::PendingForever {
            awaiting: Some(b), ..
        },
        ..
    } = leak.detail()
    else {
        panic!("{:?}", leak.detail())
    };
    assert_eq!(b.operation, "Sender::send");
    assert_eq!(b.at.line, LINES.get()[0]);
    assert_eq!(b.channels.len(), 1);
    assert!(b.channels[0].sending);
    assert_eq!(b.channels[0].channel.buffered, 1);
    assert_eq!(b.channels[0].channel.receivers.len(), 1);
}

#[test]
fn a_recv_cancelled_by_select_leaves_no_waiter_behind() {
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let (tx, mut rx) = mpsc::channel::<u32>(1);
                let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
                let worker = tokio::spawn(async move {
                    let mut got = 0;
                    loop {
                        ::tokio::select! {
                            biased;
                            _ = &mut stop_rx => break,
                            v = rx.recv() => match v {
                                Some(v) => got += v,
                                None => break,
                            },
                        }
                    }
                    got
                });
                tx.send(1).await.unwrap();
                stop_tx.send(()).unwrap();
                let got = worker.await.unwrap();
                assert!(got <= 1);
                drop(tx);
            });
        });
    }
}

#[test]
fn mutex_and_semaphore_match_tokio() {
    use leakcheck::tokio::sync::{Mutex, Semaphore, TryAcquireError};
    both(|| {
        leakcheck::block_on(async {
            let m = Arc::new(Mutex::new(1));
            {
                let mut g = m.lock().await;
                *g += 1;
                assert!(m.try_lock().is_err());
            }
            let owned = m.clone().lock_owned().await;
            assert_eq!(*owned, 2);
            assert!(m.clone().try_lock_owned().is_err());
            drop(owned);
            assert_eq!(*m.try_lock().unwrap(), 2);

            let s = Arc::new(Semaphore::new(2));
            let a = s.acquire().await.unwrap();
            let b = s.try_acquire().unwrap();
            assert_eq!(s.available_permits(), 0);
            assert!(matches!(s.try_acquire(), Err(TryAcquireError::NoPermits)));
            drop(a);
            b.forget();
            assert_eq!(s.available_permits(), 1);
            s.add_permits(2);
            let many = s.acquire_many(3).await.unwrap();
            assert_eq!(many.num_permits(), 3);
            drop(many);
            let owned = s.clone().acquire_owned().await.unwrap();
            assert_eq!(s.available_permits(), 2);
            drop(owned);
            assert_eq!(s.forget_permits(1), 1);
            s.close();
            assert!(s.is_closed());
            assert!(s.acquire().await.is_err());
            assert!(matches!(s.try_acquire(), Err(TryAcquireError::Closed)));
        });
    });
}

#[test]
fn a_semaphore_head_waiter_wanting_more_holds_back_the_others() {
    use leakcheck::tokio::sync::{Semaphore, TryAcquireError};
    both(|| {
        leakcheck::block_on(async {
            let s = Semaphore::new(1);
            let mut big = std::pin::pin!(s.acquire_many(2));
            assert!(poll_once(big.as_mut()).await.is_pending()); // takes the 1, waits for 1
            assert_eq!(s.available_permits(), 0);
            let mut small = std::pin::pin!(s.acquire());
            assert!(poll_once(small.as_mut()).await.is_pending());
            s.add_permits(1); // to the head, which now has its 2
            assert!(poll_once(small.as_mut()).await.is_pending());
            assert!(matches!(s.try_acquire(), Err(TryAcquireError::NoPermits)));
            let Poll::Ready(Ok(p)) = poll_once(big.as_mut()).await else {
                panic!("the head is served")
            };
            drop(p);
            assert!(matches!(
                poll_once(small.as_mut()).await,
                Poll::Ready(Ok(_))
            ));
        });
    });
}

#[test]
fn a_task_waiting_for_a_lock_held_by_a_leaked_task_is_reported_with_the_holder() {
    use leakcheck::tokio::sync::Mutex;
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let m = Arc::new(Mutex::new(()));
            let (n1, m2) = (Arc::new(Notify::new()), m.clone());
            let n2 = n1.clone();
            let hold_line = line!() + 2;
            drop(tokio::spawn(async move {
                let _g = m2.lock().await;
                n2.notify_one();
                std::future::pending::<()>().await; // never unlocks
            }));
            n1.notified().await;
            let lock_line = line!() + 1;
            drop(tokio::spawn(async move { drop(m.lock().await) }));
            LINES.set(&[hold_line, lock_line]);
            tokio::task::yield_now().await;
        });
    });
    eprintln!("{report}");
    let lines = LINES.get();
    let waiting = report
        .findings()
        .iter()
        .find_map(|f| match f.detail() {
            Detail::LeakedTask {
                state:
                    TaskLeak::PendingForever {
                        awaiting: Some(b), ..
                    },
                ..
            } if b.operation == "Mutex::lock" && b.at.line == lines[1] => Some(b.clone()),
            _ => None,
        })
        .expect("the task waiting for the lock");
    let Target::Object(obj) = &waiting.on else {
        panic!()
    };
    assert_eq!(obj.kind, ObjectKind::Mutex);
    assert_eq!(waiting.held_by.len(), 1);
    assert_eq!(waiting.held_by[0].since.line, lines[0]);
}

#[test]
fn semaphore_and_mutex_code_is_clean() {
    use leakcheck::tokio::sync::{Mutex, Semaphore};
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                // A semaphore-limited pool updating shared state under an async mutex.
                let pool = Arc::new(Semaphore::new(2));
                let total = Arc::new(Mutex::new(0));
                let mut tasks = Vec::new();
                for i in 0..3 {
                    let (pool, total) = (pool.clone(), total.clone());
                    tasks.push(tokio::spawn(async move {
                        let _permit = pool.acquire_owned().await.unwrap();
                        let mut t = total.lock().await;
                        tokio::task::yield_now().await;
                        *t += i;
                    }));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                assert_eq!(*total.lock().await, 3);
                assert_eq!(pool.available_permits(), 2);
            });
        });
    }
}

#[test]
fn barrier_matches_tokio() {
    use leakcheck::tokio::sync::Barrier;
    both(|| {
        leakcheck::block_on(async {
            let b = Arc::new(Barrier::new(3));
            let mut tasks = Vec::new();
            for _ in 0..2 {
                let b = b.clone();
                tasks.push(tokio::spawn(async move { b.wait().await.is_leader() }));
            }
            let mut leaders = usize::from(b.wait().await.is_leader());
            for t in tasks {
                leaders += usize::from(t.await.unwrap());
            }
            assert_eq!(leaders, 1);
            // Reusable, and a barrier of 0 is a barrier of 1.
            assert!(Barrier::new(0).wait().await.is_leader());
        });
    });
}

#[test]
fn a_task_at_a_barrier_nobody_else_reaches_is_a_leaked_task() {
    use leakcheck::tokio::sync::Barrier;
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(20), || {
        leakcheck::block_on(async {
            let b = Arc::new(Barrier::new(2));
            let wait_line = line!() + 1;
            drop(tokio::spawn(async move { b.wait().await }));
            LINES.set(&[wait_line]);
            tokio::task::yield_now().await;
        });
    });
    let Detail::LeakedTask {
        state: TaskLeak::PendingForever {
            awaiting: Some(b), ..
        },
        ..
    } = report.findings()[0].detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "Barrier::wait");
    assert_eq!(b.at.line, LINES.get()[0]);
    let Target::Object(obj) = &b.on else { panic!() };
    assert_eq!(obj.kind, ObjectKind::Barrier);
}

#[test]
fn rwlock_is_fair_and_write_preferring_as_tokios() {
    use leakcheck::tokio::sync::RwLock;
    both(|| {
        leakcheck::block_on(async {
            let lock = RwLock::new(0);
            let first = lock.read().await;
            let mut writer = std::pin::pin!(lock.write());
            assert!(poll_once(writer.as_mut()).await.is_pending());
            // A new reader waits behind the queued writer.
            assert!(lock.try_read().is_err());
            let mut reader = std::pin::pin!(lock.read());
            assert!(poll_once(reader.as_mut()).await.is_pending());
            drop(first);
            assert!(poll_once(reader.as_mut()).await.is_pending());
            let Poll::Ready(mut w) = poll_once(writer.as_mut()).await else {
                panic!("the writer is served first")
            };
            *w = 7;
            drop(w);
            let Poll::Ready(r) = poll_once(reader.as_mut()).await else {
                panic!("then the reader")
            };
            assert_eq!(*r, 7);
            assert!(lock.try_write().is_err());
            drop(r);
            assert_eq!(*lock.try_write().unwrap(), 7);
        });
    });
}

#[test]
fn rwlock_code_is_clean() {
    use leakcheck::tokio::sync::RwLock;
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let lock = Arc::new(RwLock::new(Vec::new()));
                let mut tasks = Vec::new();
                for i in 0..2 {
                    let lock = lock.clone();
                    tasks.push(tokio::spawn(async move {
                        lock.write().await.push(i);
                        let n = lock.read().await.len();
                        assert!(n >= 1);
                    }));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                assert_eq!(lock.read().await.len(), 2);
            });
        });
    }
}

#[test]
fn rwlock_guards_map_downgrade_and_own_as_tokios() {
    use leakcheck::tokio::sync::{
        OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
    };
    both(|| {
        leakcheck::block_on(async {
            let lock = Arc::new(RwLock::new((1, String::from("one"))));
            // Mapped guards keep the lock.
            let name = RwLockReadGuard::map(lock.read().await, |p| &p.1);
            assert_eq!(&*name, "one");
            assert!(lock.try_write().is_err());
            drop(name);
            let mut num = RwLockWriteGuard::map(lock.write().await, |p| &mut p.0);
            *num = 2;
            assert!(lock.try_read().is_err());
            drop(num);
            let w = lock.write().await;
            let w = RwLockWriteGuard::try_map(w, |_| None::<&mut u8>).expect_err("unchanged");
            let r = RwLockWriteGuard::downgrade_map(w, |p| &p.0);
            assert_eq!(*r, 2);
            assert!(lock.try_read().is_ok());
            assert!(lock.try_write().is_err());
            drop(r);
            // Owned guards, mapped and downgraded.
            let mut w = lock.clone().write_owned().await;
            w.1.push('!');
            assert!(Arc::ptr_eq(OwnedRwLockWriteGuard::rwlock(&w), &lock));
            let r = w.downgrade();
            let len = OwnedRwLockReadGuard::map(r, |p| &p.1);
            assert_eq!(len.len(), 4);
            assert!(lock.clone().try_read_owned().is_ok());
            assert!(lock.clone().try_write_owned().is_err());
            drop(len);
            let mut part =
                OwnedRwLockWriteGuard::map(lock.clone().write_owned().await, |p| &mut p.0);
            *part += 1;
            drop(part);
            assert_eq!(lock.read().await.0, 3);
            // A lock of one reader.
            let one = RwLock::with_max_readers(0u8, 1);
            let first = one.read().await;
            assert!(one.try_read().is_err());
            drop(first);
            assert!(one.try_read().is_ok());
        });
    });
}

#[test]
fn a_downgrade_lets_the_queued_readers_in_but_not_a_writer_queued_after_them() {
    use leakcheck::tokio::sync::RwLock;
    both(|| {
        leakcheck::block_on(async {
            let lock = RwLock::new(0);
            let mut w = lock.write().await;
            let mut reader = std::pin::pin!(lock.read());
            assert!(poll_once(reader.as_mut()).await.is_pending());
            let mut writer = std::pin::pin!(lock.write());
            assert!(poll_once(writer.as_mut()).await.is_pending());
            *w = 1;
            let r = w.downgrade();
            let Poll::Ready(r2) = poll_once(reader.as_mut()).await else {
                panic!("the reader queued first gets in with the downgraded lock")
            };
            assert_eq!((*r, *r2), (1, 1));
            assert!(poll_once(writer.as_mut()).await.is_pending());
            drop((r, r2));
            assert!(poll_once(writer.as_mut()).await.is_ready());
        });
    });
}

#[test]
fn blocking_rwlock_calls_work_on_blocking_tasks_and_panic_in_a_task() {
    use leakcheck::tokio::sync::RwLock;
    both(|| {
        leakcheck::block_on(async {
            let lock = Arc::new(RwLock::new(1));
            let l = lock.clone();
            let n = tokio::task::spawn_blocking(move || {
                *l.blocking_write() += 1;
                *l.blocking_read()
            })
            .await
            .unwrap();
            assert_eq!(n, 2);
            let l = lock.clone();
            let err = tokio::spawn(async move { *l.blocking_read() })
                .await
                .expect_err("blocking inside a task panics");
            assert!(err.is_panic());
        });
    });
}

#[test]
fn a_task_waiting_for_a_write_lock_behind_a_leaked_owned_read_guard_names_its_holder() {
    use leakcheck::tokio::sync::RwLock;
    static LINES: Lines = Lines::new();
    let report = fails(random().schedules(50), || {
        leakcheck::block_on(async {
            let lock = Arc::new(RwLock::new(0));
            let hold_line = line!() + 1;
            let guard = lock.clone().read_owned().await;
            drop(tokio::spawn(async move {
                let _guard = guard; // kept by a task that never ends
                std::future::pending::<()>().await;
            }));
            let write_line = line!() + 1;
            drop(tokio::spawn(async move { *lock.write().await += 1 }));
            LINES.set(&[hold_line, write_line]);
            tokio::task::yield_now().await;
        });
    });
    let lines = LINES.get();
    let waiting = report
        .findings()
        .iter()
        .find_map(|f| match f.detail() {
            Detail::LeakedTask {
                state:
                    TaskLeak::PendingForever {
                        awaiting: Some(b), ..
                    },
                ..
            } if b.operation == "RwLock::write" && b.at.line == lines[1] => Some(b.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the task waiting for the write lock:\n{report}"));
    let Target::Object(obj) = &waiting.on else {
        panic!("waits on the lock: {waiting:?}")
    };
    assert_eq!(obj.kind, ObjectKind::RwLock);
    assert_eq!(waiting.held_by.len(), 1);
    assert_eq!(waiting.held_by[0].since.line, lines[0]);
}

#[test]
fn rwlock_code_with_owned_and_downgraded_guards_is_clean() {
    use leakcheck::tokio::sync::RwLock;
    for config in [random(), pct()] {
        config.schedules(2_000).check(|| {
            leakcheck::block_on(async {
                let lock = Arc::new(RwLock::new(0u32));
                let writer = {
                    let lock = lock.clone();
                    tokio::spawn(async move {
                        let mut w = lock.clone().write_owned().await;
                        *w += 1;
                        let r = w.downgrade();
                        assert!(*r >= 1);
                    })
                };
                let reader = {
                    let lock = lock.clone();
                    tokio::spawn(async move {
                        let r = lock.read_owned().await;
                        assert!(*r <= 2);
                    })
                };
                *lock.write().await += 1;
                writer.await.unwrap();
                reader.await.unwrap();
                assert_eq!(*lock.read().await, 2);
            });
        });
    }
}
