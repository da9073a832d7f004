//! Channel findings, asserted on kind, channel, thread and location.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::Duration;

use leakcheck::channel::{self, bounded, select, unbounded, Sender};
use leakcheck::sync::{mpsc, Arc, Mutex};
use leakcheck::{thread, Config, Detail, FindingKind, LeakState, Report, Scheduler, Target};

const FILE: &str = "tests/channel_findings.rs";

fn fails(config: Config, body: impl Fn() + Send + Sync + 'static) -> Report {
    config
        .explore(body)
        .expect_err("the check should have found something")
}

fn kinds(report: &Report) -> Vec<FindingKind> {
    report.findings().iter().map(|f| f.kind()).collect()
}

fn unclosed(report: &Report) -> (&leakcheck::ChannelInfo, &[leakcheck::ChannelWaiter]) {
    report
        .findings()
        .iter()
        .find_map(|f| match f.detail() {
            Detail::UnclosedChannel {
                channel, blocked, ..
            } => Some((channel, blocked.as_slice())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no unclosed channel in:\n{report}"))
}

/// The talk's worker pool, in Rust: the pool keeps the work `Sender`, and every worker holds an
/// `Arc` of the pool, so the channel can never close.
struct Pool {
    work: Mutex<Option<Sender<u32>>>,
}

#[test]
fn worker_pool_whose_workers_keep_the_sender_alive() {
    static CHANNEL_LINE: AtomicU32 = AtomicU32::new(0);
    let report = fails(Config::new(), || {
        CHANNEL_LINE.store(line!() + 1, Relaxed);
        let (tx, rx) = unbounded::<u32>();
        let pool = Arc::new(Pool {
            work: Mutex::new(Some(tx)),
        });
        for i in 0..2 {
            let (rx, pool) = (rx.clone(), Arc::clone(&pool));
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    let _pool = pool;
                    for job in rx.iter() {
                        let _ = job;
                    }
                })
                .unwrap();
        }
        pool.work.lock().unwrap().as_ref().unwrap().send(7).unwrap();
    });
    let line = CHANNEL_LINE.load(Relaxed);
    let mut found = kinds(&report);
    found.sort();
    assert_eq!(
        found,
        [
            FindingKind::LeakedThread,
            FindingKind::LeakedThread,
            FindingKind::UnclosedChannel
        ],
        "{report}"
    );
    for f in report
        .findings()
        .iter()
        .filter(|f| f.kind() == FindingKind::LeakedThread)
    {
        assert!(f
            .thread()
            .unwrap()
            .name
            .as_deref()
            .unwrap()
            .starts_with("worker-"));
        let Detail::LeakedThread {
            state: LeakState::BlockedForever(b),
            ..
        } = f.detail()
        else {
            panic!("{report}")
        };
        assert_eq!(b.operation, "Receiver::recv");
        assert!(matches!(&b.on, Target::Object(o) if o.kind == "channel" && o.id == 1));
        assert_eq!(b.at.file, FILE);
    }
    let (chan, blocked) = unclosed(&report);
    assert_eq!(chan.constructor, "channel::unbounded");
    assert_eq!(
        (
            chan.object.created_at.file.as_str(),
            chan.object.created_at.line
        ),
        (FILE, line)
    );
    assert_eq!(chan.senders.len(), 1, "one live Sender keeps it open");
    assert_eq!(chan.senders[0].created_at.line, line);
    assert_eq!(blocked.len(), 2);
    assert!(blocked
        .iter()
        .all(|w| !w.sending && w.operation == "Receiver::recv"));
    let text = report.to_string();
    assert!(
        text.contains(&format!(
            "unclosed channel#1 (channel::unbounded at {FILE}:{line}:"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "kept open by 1 live Sender, created at {FILE}:{line}:"
        )),
        "{text}"
    );
    assert!(
        text.contains("receivers blocked forever: thread#1 \"worker-0\" in Receiver::recv"),
        "{text}"
    );
}

#[test]
fn producer_blocked_on_a_rendezvous_while_the_consumer_joins_it() {
    static SEND_LINE: AtomicU32 = AtomicU32::new(0);
    let report = fails(Config::new(), || {
        let (tx, rx) = bounded::<u32>(0);
        SEND_LINE.store(line!() + 5, Relaxed);
        let producer = thread::Builder::new()
            .name("producer".into())
            .spawn(move || {
                for i in 0..3 {
                    if tx.send(i).is_err() {
                        return;
                    }
                }
            })
            .unwrap();
        assert_eq!(rx.recv(), Ok(0));
        producer.join().unwrap(); // still holding `rx`
    });
    assert_eq!(
        kinds(&report),
        [FindingKind::Deadlock, FindingKind::UnclosedChannel],
        "{report}"
    );
    let Detail::Deadlock { blocked, cycle, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert_eq!(
        cycle,
        &[0, 1],
        "the body joins the producer, which waits for the body to receive: {report}"
    );
    let (producer, b) = (&blocked[1].thread, &blocked[1].blocked);
    assert_eq!(producer.name.as_deref(), Some("producer"));
    assert_eq!(b.operation, "Sender::send");
    assert_eq!(b.at.line, SEND_LINE.load(Relaxed));
    assert_eq!(b.channels.len(), 1);
    assert!(b.channels[0].sending);
    assert_eq!(
        b.channels[0].channel.receivers.len(),
        1,
        "the body's receiver is alive"
    );
    let (chan, waiters) = unclosed(&report);
    assert_eq!(chan.capacity, Some(0));
    assert_eq!(waiters.len(), 1);
    assert!(waiters[0].sending);
    assert_eq!(waiters[0].thread.name.as_deref(), Some("producer"));
}

#[test]
fn messages_left_in_a_channel_whose_receiver_was_leaked() {
    let report = fails(Config::new().schedules(50), || {
        let (tx, rx) = mpsc::channel::<String>();
        tx.send("lost".into()).unwrap();
        tx.send("also lost".into()).unwrap();
        drop(tx);
        std::mem::forget(rx);
    });
    assert_eq!(kinds(&report), [FindingKind::UnclosedChannel]);
    let (chan, blocked) = unclosed(&report);
    assert_eq!(chan.constructor, "mpsc::channel");
    assert_eq!(chan.buffered, 2);
    assert!(chan.senders.is_empty());
    assert!(blocked.is_empty());
    assert!(report
        .to_string()
        .contains("2 messages in it that nobody can receive"));
}

#[test]
fn dropping_a_receiver_with_messages_is_not_a_finding() {
    Config::new().schedules(200).check(|| {
        // The "buffer of one so the sender never blocks" idiom: the result may never be read.
        let (tx, rx) = bounded::<u32>(1);
        let h = thread::spawn(move || {
            let _ = tx.send(42);
        });
        drop(rx);
        h.join().unwrap();
    });
}

#[test]
fn select_that_only_an_exited_sender_could_satisfy() {
    let report = fails(Config::new(), || {
        let (results_tx, results_rx) = bounded::<u32>(0);
        let (cancel_tx, cancel_rx) = bounded::<()>(0);
        // The only thread that would send exits early; the body keeps a Sender in its state.
        let keep = results_tx.clone();
        thread::spawn(move || drop(results_tx)).join().unwrap();
        thread::Builder::new()
            .name("waiter".into())
            .spawn(move || {
                select! {
                    recv(results_rx) -> _ => {},
                    recv(cancel_rx) -> _ => {},
                }
            })
            .unwrap();
        std::mem::forget((keep, cancel_tx));
    });
    let leaked = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedThread)
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(leaked.thread().unwrap().name.as_deref(), Some("waiter"));
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = leaked.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "select!");
    let Target::Select { objects } = &b.on else {
        panic!("{report}")
    };
    assert_eq!(objects.iter().map(|o| o.id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(b.channels.len(), 2);
    let text = report.to_string();
    assert!(
        text.contains("blocked forever in select! on channel#1, channel#2 at"),
        "{text}"
    );
    assert!(report.has(FindingKind::UnclosedChannel));
}

#[test]
fn channel_cycle_is_a_deadlock() {
    let report = fails(Config::new(), || {
        let (a_tx, a_rx) = bounded::<()>(0);
        let (b_tx, b_rx) = bounded::<()>(0);
        let t = thread::spawn(move || {
            a_rx.recv().unwrap();
            b_tx.send(()).unwrap();
        });
        b_rx.recv().unwrap(); // waits for the thread, which waits for us
        a_tx.send(()).unwrap();
        t.join().unwrap();
    });
    assert_eq!(
        report.findings()[0].kind(),
        FindingKind::Deadlock,
        "{report}"
    );
    let Detail::Deadlock { blocked, .. } = report.findings()[0].detail() else {
        unreachable!()
    };
    assert_eq!(blocked.len(), 2);
    assert!(blocked
        .iter()
        .all(|x| x.blocked.operation == "Receiver::recv"));
}

#[test]
fn recv_timeout_both_times_out_and_succeeds_and_replays_each() {
    use std::sync::Mutex as StdMutex;
    static SEEN: StdMutex<Vec<String>> = StdMutex::new(Vec::new());
    let body = || {
        let (tx, rx) = bounded::<u32>(1);
        let h = thread::spawn(move || tx.send(5).unwrap());
        let outcome = rx.recv_timeout(Duration::from_millis(10));
        SEEN.lock().unwrap().push(format!("{outcome:?}"));
        h.join().unwrap();
        // Make each outcome a finding, so each has a replay token.
        panic!("outcome {outcome:?}");
    };
    let mut tokens = std::collections::BTreeMap::new();
    for seed in 0..40 {
        let report = fails(
            Config::new()
                .scheduler(Scheduler::Random)
                .seed(seed)
                .schedules(1),
            body,
        );
        let Detail::Panic { message, .. } = report.findings()[0].detail() else {
            panic!("{report}")
        };
        tokens
            .entry(message.clone())
            .or_insert_with(|| report.replay_token().to_string());
    }
    assert!(tokens.contains_key("outcome Ok(5)"), "{tokens:?}");
    assert!(tokens.contains_key("outcome Err(Timeout)"), "{tokens:?}");
    for (message, token) in tokens {
        let replayed = fails(Config::new().replay(token), body);
        let Detail::Panic { message: again, .. } = replayed.findings()[0].detail() else {
            panic!("{replayed}")
        };
        assert_eq!(again, &message);
    }
}

#[test]
fn after_fires_when_nothing_else_can_happen() {
    Config::new().schedules(500).check(|| {
        let (_tx, rx) = unbounded::<u32>();
        let fired = select! {
            recv(rx) -> _ => false,
            recv(channel::after(Duration::from_secs(3600))) -> t => t.is_ok(),
        };
        assert!(fired, "the hour passes at once: time is modelled");
    });
}

#[test]
fn never_blocks_forever() {
    let report = fails(Config::new(), || {
        thread::spawn(|| {
            let _ = channel::never::<u8>().recv();
        });
    });
    assert_eq!(kinds(&report), [FindingKind::LeakedThread]);
}

/// A `Select` whose channels nobody sends on, kept open by a sender nobody drops: the thread
/// is leaked, blocked in `Select::select` at the user's line on both channels, and the channel
/// is unclosed with the thread among its blocked receivers.
#[test]
fn dynamic_select_waiting_forever_on_channels_nobody_sends_on() {
    static SELECT_LINE: AtomicU32 = AtomicU32::new(0);
    let report = fails(Config::new(), || {
        let (work_tx, work_rx) = unbounded::<u32>();
        let (stop_tx, stop_rx) = bounded::<()>(0);
        thread::Builder::new()
            .name("selector".into())
            .spawn(move || {
                let mut sel = channel::Select::new();
                sel.recv(&work_rx);
                sel.recv(&stop_rx);
                SELECT_LINE.store(line!() + 1, Relaxed);
                let oper = sel.select();
                let _ = oper.index();
                unreachable!("nobody sends");
            })
            .unwrap();
        std::mem::forget((work_tx, stop_tx));
    });
    let leaked = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LeakedThread)
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(leaked.thread().unwrap().name.as_deref(), Some("selector"));
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = leaked.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "Select::select");
    assert_eq!(
        (b.at.file.as_str(), b.at.line),
        (FILE, SELECT_LINE.load(Relaxed))
    );
    let Target::Select { objects } = &b.on else {
        panic!("{report}")
    };
    assert_eq!(objects.iter().map(|o| o.id).collect::<Vec<_>>(), [1, 2]);
    let (chan, blocked) = unclosed(&report);
    assert_eq!(chan.constructor, "channel::unbounded");
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].operation, "Select::select");
    assert!(!blocked[0].sending);
    let text = report.to_string();
    assert!(
        text.contains("blocked forever in Select::select on channel#1, channel#2 at"),
        "{text}"
    );
}

/// A `Select` send on a rendezvous nobody receives from, and a `Select::ready` on a channel
/// nobody sends on: both threads are leaked, each at its own operation, on its channel.
#[test]
fn dynamic_select_send_and_ready_waiting_forever() {
    let report = fails(Config::new().scheduler(Scheduler::Random), || {
        let (tx, rx) = bounded::<u32>(0);
        let (quiet_tx, quiet_rx) = unbounded::<u32>();
        thread::Builder::new()
            .name("sender".into())
            .spawn(move || {
                let mut sel = channel::Select::new();
                sel.send(&tx);
                let _ = sel.select().send(&tx, 1);
            })
            .unwrap();
        thread::Builder::new()
            .name("watcher".into())
            .spawn(move || {
                let mut sel = channel::Select::new();
                sel.recv(&quiet_rx);
                let _ = sel.ready();
            })
            .unwrap();
        std::mem::forget((rx, quiet_tx));
    });
    let mut ops: Vec<(String, String, u64)> = report
        .findings()
        .iter()
        .filter(|f| f.kind() == FindingKind::LeakedThread)
        .map(|f| {
            let Detail::LeakedThread {
                state: LeakState::BlockedForever(b),
                ..
            } = f.detail()
            else {
                panic!("{report}")
            };
            assert_eq!(b.at.file, FILE);
            let Target::Object(o) = &b.on else {
                panic!("{report}")
            };
            (
                f.thread().unwrap().name.clone().unwrap(),
                b.operation.clone(),
                o.id as u64,
            )
        })
        .collect();
    ops.sort();
    assert_eq!(
        ops,
        [
            ("sender".to_string(), "Select::select".to_string(), 1),
            ("watcher".to_string(), "Select::ready".to_string(), 2),
        ],
        "{report}"
    );
}

#[test]
fn an_empty_select_waits_on_no_channel_at_all() {
    static SELECT_LINE: AtomicU32 = AtomicU32::new(0);
    let report = fails(Config::new(), || {
        thread::Builder::new()
            .name("empty".into())
            .spawn(|| {
                SELECT_LINE.store(line!() + 1, Relaxed);
                let _ = channel::Select::new().select();
            })
            .unwrap();
    });
    assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{report}");
    let line = SELECT_LINE.load(Relaxed);
    assert!(
        report.to_string().contains(&format!(
            "blocked forever in Select::select on no channel at all at {FILE}:{line}:"
        )),
        "{report}"
    );
}
