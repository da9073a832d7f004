//! Correct channel code is never reported: each body runs thousands of schedules under Random
//! and under PCT.

use std::time::Duration;

use leakcheck::channel::{bounded, select, tick, unbounded, Receiver};
use leakcheck::sync::{mpsc, Arc, Mutex};
use leakcheck::{thread, Config, Scheduler};

const SCHEDULES: usize = 2_000;

fn clean(body: impl Fn() + Send + Sync + Clone + 'static) {
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        if let Err(report) = Config::new()
            .schedules(SCHEDULES)
            .scheduler(scheduler)
            .explore(body.clone())
        {
            panic!("false alarm under {scheduler}:\n{report}");
        }
    }
}

#[test]
fn pipeline_of_three_stages() {
    clean(|| {
        let (numbers_tx, numbers_rx) = bounded::<u32>(0);
        let (squares_tx, squares_rx) = bounded::<u32>(1);
        let source = thread::spawn(move || {
            for i in 1..=3 {
                numbers_tx.send(i).unwrap();
            }
        });
        let square = thread::spawn(move || {
            for n in numbers_rx {
                squares_tx.send(n * n).unwrap();
            }
        });
        let total: u32 = squares_rx.iter().sum();
        assert_eq!(total, 14);
        source.join().unwrap();
        square.join().unwrap();
    });
}

#[test]
fn fan_out_fan_in() {
    clean(|| {
        let (jobs_tx, jobs_rx) = bounded::<u32>(2);
        let (results_tx, results_rx) = unbounded::<u32>();
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (jobs, results) = (jobs_rx.clone(), results_tx.clone());
                thread::spawn(move || {
                    for j in jobs.iter() {
                        results.send(j * 10).unwrap();
                    }
                })
            })
            .collect();
        drop((jobs_rx, results_tx));
        for j in 0..4 {
            jobs_tx.send(j).unwrap();
        }
        drop(jobs_tx);
        let mut all: Vec<u32> = results_rx.iter().collect();
        all.sort_unstable();
        assert_eq!(all, [0, 10, 20, 30]);
        for w in workers {
            w.join().unwrap();
        }
    });
}

#[test]
fn select_with_a_cancel_channel() {
    clean(|| {
        let (items_tx, items_rx) = bounded::<u32>(0);
        let (cancel_tx, cancel_rx) = bounded::<()>(0);
        let getter = thread::spawn(move || -> Option<u32> {
            select! {
                recv(items_rx) -> item => item.ok(),
                recv(cancel_rx) -> _ => None,
            }
        });
        // Either an item is taken, or the getter is cancelled: never both, never neither.
        let sent = select! {
            send(items_tx, 7) -> res => res.is_ok(),
            default => false,
        };
        drop(cancel_tx);
        let got = getter.join().unwrap();
        assert_eq!(got.is_some(), sent);
    });
}

#[test]
fn semaphore_made_of_a_bounded_channel() {
    clean(|| {
        const LIMIT: usize = 2;
        let sem = bounded::<()>(LIMIT);
        let (sem_tx, sem_rx) = sem;
        let running = Arc::new(Mutex::new((0usize, 0usize))); // (now, most)
        thread::scope(|s| {
            for _ in 0..3 {
                sem_tx.send(()).unwrap(); // acquire before starting the work
                let (running, sem_rx) = (Arc::clone(&running), sem_rx.clone());
                s.spawn(move || {
                    {
                        let mut r = running.lock().unwrap();
                        r.0 += 1;
                        r.1 = r.1.max(r.0);
                    }
                    running.lock().unwrap().0 -= 1;
                    sem_rx.recv().unwrap(); // release
                });
            }
            // Wait for all by filling the semaphore.
            for _ in 0..LIMIT {
                sem_tx.send(()).unwrap();
            }
        });
        assert!(running.lock().unwrap().1 <= LIMIT);
    });
}

#[test]
fn std_mpsc_producers_and_a_consumer() {
    clean(|| {
        let (tx, rx) = mpsc::sync_channel::<u8>(1);
        let producers: Vec<_> = (0..2)
            .map(|i| {
                let tx = tx.clone();
                thread::spawn(move || tx.send(i).unwrap())
            })
            .collect();
        drop(tx);
        let mut got: Vec<u8> = rx.iter().collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1]);
        for p in producers {
            p.join().unwrap();
        }
    });
}

#[test]
fn recv_timeout_polling_loop_ends_when_the_sender_closes() {
    clean(|| {
        let (tx, rx) = mpsc::channel::<u8>();
        let h = thread::spawn(move || {
            let mut got = Vec::new();
            loop {
                match rx.recv_timeout(Duration::from_millis(5)) {
                    Ok(v) => got.push(v),
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return got,
                }
            }
        });
        tx.send(1).unwrap();
        drop(tx);
        assert_eq!(h.join().unwrap(), [1]);
    });
}

fn drain_with_ticks(rx: Receiver<u8>) -> usize {
    let ticker = tick(Duration::from_millis(1));
    let mut ticks = 0;
    loop {
        select! {
            recv(rx) -> msg => if msg.is_err() { return ticks },
            recv(ticker) -> _ => ticks += 1,
        }
    }
}

#[test]
fn ticker_alongside_a_channel_that_closes() {
    clean(|| {
        let (tx, rx) = unbounded::<u8>();
        let h = thread::spawn(move || drain_with_ticks(rx));
        tx.send(1).unwrap();
        drop(tx);
        h.join().unwrap();
    });
}

/// One message wakes one waiter: a `select!` over two channels and a plain receiver share the
/// messages without any interleaving stranding one of them (searched exhaustively too).
#[test]
fn a_select_and_a_receiver_share_the_messages() {
    let body = || {
        let (a_tx, a_rx) = unbounded::<u32>();
        let (b_tx, b_rx) = unbounded::<u32>();
        let a2 = a_rx.clone();
        let either = thread::spawn(move || {
            select! {
                recv(a_rx) -> m => m.unwrap(),
                recv(b_rx) -> m => m.unwrap(),
            }
        });
        let only_a = thread::spawn(move || a2.recv().unwrap());
        // Later sends may find every receiver gone: both may be served already.
        a_tx.send(1).unwrap();
        let _ = b_tx.send(2);
        let _ = a_tx.send(3);
        let got = either.join().unwrap() + only_a.join().unwrap();
        assert!([3, 4, 5].contains(&got), "{got}");
    };
    clean(body);
    let summary = Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: 3,
        })
        .schedules(1_000_000)
        .explore(body)
        .unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(summary.complete(), Some(true));
}

/// Several free slots wake several blocked senders, one each.
#[test]
fn freed_slots_each_wake_a_blocked_sender() {
    clean(|| {
        let (tx, rx) = bounded::<u32>(1);
        let senders: Vec<_> = (0..3)
            .map(|i| {
                let tx = tx.clone();
                thread::spawn(move || tx.send(i).unwrap())
            })
            .collect();
        drop(tx);
        let mut got: Vec<u32> = rx.iter().collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2]);
        for s in senders {
            s.join().unwrap();
        }
    });
}
