//! A report with findings of every kind survives JSON: what is read back equals what was
//! written, and renders the same text.

use leakcheck_schema::{
    Blocked, BlockedThread, Cancelled, ChannelInfo, ChannelWait, ChannelWaiter, CriticalSection,
    Detail, EndInfo, Finding, FindingKind, Frame, Holder, LastSeen, LeakState, LockOrder,
    LockTaken, LostWakerDrop, NotifyInfo, ObjectInfo, ObjectKind, ReadError, Report, ReportData,
    Role, RunningThread, Scheduler, SignalCause, SourceLocation, Target, TaskLeak, ThreadInfo,
    FORMAT,
};

fn at(line: u32) -> SourceLocation {
    SourceLocation {
        file: "src/lib.rs".into(),
        line,
        column: 9,
    }
}

fn thread(id: usize, name: Option<&str>) -> ThreadInfo {
    ThreadInfo {
        id,
        name: name.map(String::from),
        spawned_at: (id != 0).then(|| at(10 + id as u32)),
        spawn_stack: if id == 1 {
            vec![
                Frame {
                    function: "demo::spawn_worker".into(),
                    location: at(11),
                },
                Frame {
                    function: "demo::tests::leaky".into(),
                    location: at(40),
                },
            ]
        } else {
            vec![]
        },
        finished: false,
        role: Default::default(),
    }
}

fn object(kind: ObjectKind, id: usize) -> ObjectInfo {
    ObjectInfo {
        kind,
        id,
        created_at: at(5),
    }
}

fn channel() -> ChannelInfo {
    ChannelInfo {
        object: object(ObjectKind::Channel, 1),
        constructor: "channel::bounded".into(),
        capacity: Some(1),
        senders: vec![EndInfo {
            created_at: at(5),
            cloned: false,
            created_by: 0,
            last_used_by: 1,
            last_used_at: Some(at(20)),
        }],
        receivers: vec![],
        buffered: 2,
    }
}

fn lock_blocked(operation: &str, line: u32) -> Blocked {
    Blocked {
        operation: operation.into(),
        on: Target::Object(object(ObjectKind::Mutex, 1)),
        at: at(line),
        stack: vec![],
        held_by: vec![Holder {
            thread: thread(0, None),
            since: at(7),
        }],
        channels: vec![],
    }
}

fn notify(all: bool) -> NotifyInfo {
    NotifyInfo {
        at: at(30),
        by: thread(0, None),
        all,
        woke: (!all).then(|| thread(2, Some("other"))),
    }
}

/// One finding of every kind, and every variant of the parts.
fn task(id: usize) -> ThreadInfo {
    ThreadInfo {
        role: Role::Task,
        ..thread(id, None)
    }
}

fn seen(operation: &str, line: u32) -> Option<LastSeen> {
    Some(LastSeen {
        operation: operation.into(),
        at: at(line),
    })
}

fn task_leaks() -> Vec<Detail> {
    vec![
        Detail::LeakedTask {
            task: task(3),
            state: TaskLeak::PendingForever {
                awaiting: Some(Blocked {
                    operation: "Receiver::recv".into(),
                    on: Target::Object(object(ObjectKind::Channel, 1)),
                    at: at(60),
                    stack: vec![],
                    held_by: vec![],
                    channels: vec![ChannelWait {
                        channel: channel(),
                        sending: false,
                    }],
                }),
                last_seen: seen("Receiver::recv", 60),
            },
            detached: true,
        },
        Detail::LeakedTask {
            task: task(4),
            state: TaskLeak::PendingForever {
                awaiting: None,
                last_seen: seen("task::yield_now", 61),
            },
            detached: false,
        },
        Detail::LeakedTask {
            task: task(5),
            state: TaskLeak::LostWaker {
                last_seen: seen("task::poll", 62),
                dropped_by: Some(LostWakerDrop {
                    by: thread(1, Some("dropper")),
                    last_seen: seen("Mutex::lock", 63),
                }),
            },
            detached: true,
        },
        Detail::LeakedTask {
            task: ThreadInfo {
                role: Role::BlockingTask,
                ..thread(6, None)
            },
            state: TaskLeak::LostWaker {
                last_seen: None,
                dropped_by: None,
            },
            detached: true,
        },
        Detail::LeakedTask {
            task: task(7),
            state: TaskLeak::StillRunnable {
                max_steps: 100,
                last_seen: seen("time::sleep", 64),
            },
            detached: true,
        },
        Detail::LeakedTask {
            task: task(8),
            state: TaskLeak::FinishedLate,
            detached: true,
        },
        Detail::HeldAcrossAwait {
            task: thread(0, None),
            lock: object(ObjectKind::Mutex, 1),
            locked_at: at(65),
            suspended_at: at(66),
            awaiting: Some("time::sleep".into()),
            waiters: vec![task(3)],
        },
        Detail::LostMessage {
            task: task(2),
            channel: object(ObjectKind::Channel, 1),
            operation: "Sender::send".into(),
            sent_at: at(67),
            dropped_at: seen("select!", 68),
            count: 3,
        },
        Detail::UnresponsiveCancellation {
            thread: task(4),
            token: object(ObjectKind::Token, 1),
            cancelled: Cancelled {
                at: at(70),
                by: thread(0, None),
            },
            blocked: Blocked {
                operation: "Interval::tick".into(),
                on: Target::Wake,
                at: at(69),
                stack: vec![],
                held_by: vec![],
                channels: vec![],
            },
            still_runnable: Some(100),
        },
        Detail::LeakedTask {
            task: task(1),
            state: TaskLeak::AliveInRuntime {
                alive: 2,
                grace_ms: 100,
            },
            detached: true,
        },
    ]
}

fn every_kind() -> Vec<Finding> {
    let mut details = vec![
        Detail::Deadlock {
            blocked: vec![
                BlockedThread {
                    thread: thread(1, Some("a")),
                    blocked: lock_blocked("Mutex::lock", 21),
                },
                BlockedThread {
                    thread: thread(2, None),
                    blocked: Blocked {
                        operation: "select!".into(),
                        on: Target::Select {
                            objects: vec![object(ObjectKind::Channel, 1)],
                        },
                        at: at(22),
                        stack: vec![],
                        held_by: vec![],
                        channels: vec![ChannelWait {
                            channel: channel(),
                            sending: false,
                        }],
                    },
                },
            ],
            cycle: vec![1, 2],
            all_blocked: true,
        },
        Detail::LeakedThread {
            thread: thread(1, Some("worker")),
            state: LeakState::BlockedForever(Blocked {
                operation: "JoinHandle::join".into(),
                on: Target::Thread(thread(2, None)),
                at: at(23),
                stack: vec![],
                held_by: vec![],
                channels: vec![],
            }),
        },
        Detail::LeakedThread {
            thread: thread(2, None),
            state: LeakState::StillRunning {
                max_steps: 100,
                last_seen: Some(LastSeen {
                    operation: "thread::yield_now".into(),
                    at: at(24),
                }),
            },
        },
        Detail::LeakedThread {
            thread: thread(3, None),
            state: LeakState::FinishedLate,
        },
        Detail::LeakedThread {
            thread: thread(4, None),
            state: LeakState::BlockedForever(Blocked {
                operation: "thread::park".into(),
                on: Target::Unpark,
                at: at(25),
                stack: vec![],
                held_by: vec![],
                channels: vec![],
            }),
        },
        Detail::UnclosedChannel {
            channel: channel(),
            blocked: vec![ChannelWaiter {
                thread: thread(1, None),
                operation: "Receiver::recv".into(),
                sending: false,
            }],
            consequence_of_deadlock: true,
        },
        Detail::MissedSignal {
            thread: thread(1, None),
            operation: "Condvar::wait".into(),
            condvar: object(ObjectKind::Condvar, 1),
            wait_at: at(26),
            cause: SignalCause::Lost {
                notifies: vec![notify(false)],
            },
            rewaits: 0,
        },
        Detail::MissedSignal {
            thread: thread(1, None),
            operation: "Condvar::wait_while".into(),
            condvar: object(ObjectKind::Condvar, 1),
            wait_at: at(26),
            cause: SignalCause::Misdirected {
                notifies: vec![notify(false)],
            },
            rewaits: 1,
        },
        Detail::MissedSignal {
            thread: thread(1, None),
            operation: "Condvar::wait".into(),
            condvar: object(ObjectKind::Condvar, 1),
            wait_at: at(26),
            cause: SignalCause::Stale {
                notify: notify(true),
            },
            rewaits: 4,
        },
        Detail::MissedSignal {
            thread: thread(1, None),
            operation: "Condvar::wait".into(),
            condvar: object(ObjectKind::Condvar, 1),
            wait_at: at(26),
            cause: SignalCause::NeverSignalled {
                changed: vec![CriticalSection {
                    thread: thread(0, None),
                    at: at(31),
                }],
            },
            rewaits: 0,
        },
        Detail::UnresponsiveCancellation {
            thread: thread(1, None),
            token: object(ObjectKind::Token, 1),
            cancelled: Cancelled {
                at: at(32),
                by: thread(0, None),
            },
            blocked: Blocked {
                operation: "Receiver::recv".into(),
                on: Target::Object(object(ObjectKind::Channel, 1)),
                at: at(27),
                stack: vec![],
                held_by: vec![],
                channels: vec![ChannelWait {
                    channel: channel(),
                    sending: false,
                }],
            },
            still_runnable: None,
        },
        Detail::LockOrderInversion {
            first: LockOrder {
                thread: thread(1, None),
                first: LockTaken {
                    lock: object(ObjectKind::Mutex, 1),
                    at: at(33),
                },
                then: LockTaken {
                    lock: object(ObjectKind::RwLock, 1),
                    at: at(34),
                },
            },
            second: LockOrder {
                thread: thread(2, None),
                first: LockTaken {
                    lock: object(ObjectKind::RwLock, 1),
                    at: at(35),
                },
                then: LockTaken {
                    lock: object(ObjectKind::Mutex, 1),
                    at: at(36),
                },
            },
        },
        Detail::Panic {
            thread: thread(1, None),
            message: "boom".into(),
            at: Some(at(28)),
            stack: vec![Frame {
                function: "demo::work".into(),
                location: at(28),
            }],
            never_joined: true,
        },
        Detail::StepLimit {
            max_steps: 100,
            running: vec![
                RunningThread {
                    thread: thread(0, None),
                    last_seen: Some(LastSeen {
                        operation: "Mutex::lock".into(),
                        at: at(29),
                    }),
                },
                RunningThread {
                    thread: thread(1, None),
                    last_seen: None,
                },
            ],
        },
        Detail::Stall {
            thread: thread(1, None),
            last_seen: Some(LastSeen {
                operation: "thread::yield_now".into(),
                at: at(30),
            }),
            timeout_ms: 1_500,
            elapsed_ms: 1_612,
            came_back: true,
        },
    ];
    details.extend(task_leaks());
    details.into_iter().map(Finding::new).collect()
}

fn report(findings: Vec<Finding>) -> Report {
    Report::new(ReportData {
        format: FORMAT,
        test: Some("tests::every_kind".into()),
        package: Some("demo".into()),
        findings,
        schedule: 3,
        schedules: 1000,
        seed: 0x5eed,
        scheduler: Scheduler::Exhaustive {
            preemption_bound: 2,
        },
        replayed: false,
        replay_token: "T".into(),
        replay_command: "LEAKCHECK_REPLAY=T cargo test -p demo every_kind".into(),
        notes: vec!["a note".into()],
        live: None,
        schedule_log: None,
    })
}

#[test]
fn a_report_of_every_kind_reads_back_equal_and_renders_the_same() {
    let written = report(every_kind());
    let kinds: Vec<FindingKind> = written.findings().iter().map(Finding::kind).collect();
    for kind in FindingKind::ALL {
        assert!(kinds.contains(&kind), "no {kind} in the sample");
    }
    let json = written.to_json();
    let read = Report::from_json(&json).unwrap();
    assert_eq!(read, written);
    assert_eq!(read.to_string(), written.to_string());
    assert_eq!(read.to_json(), json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["text"], written.to_string());
}

#[test]
fn the_json_names_every_part() {
    let json: serde_json::Value = serde_json::from_str(&report(every_kind()).to_json()).unwrap();
    assert_eq!(json["format"], 2);
    let f = &json["findings"];
    // Findings: the kind, the location, then the detail's fields.
    assert_eq!(f[0]["kind"], "deadlock");
    assert_eq!(f[0]["location"]["line"], 21);
    assert_eq!(f[0]["blocked"][0]["thread"]["name"], "a");
    assert_eq!(
        f[0]["blocked"][0]["blocked"]["held_by"][0]["thread"]["id"],
        0
    );
    assert_eq!(
        f[0]["blocked"][0]["blocked"]["held_by"][0]["since"]["line"],
        7
    );
    assert_eq!(f[0]["blocked"][0]["blocked"]["on"]["target"], "object");
    assert_eq!(f[0]["blocked"][0]["blocked"]["on"]["kind"], "mutex");
    assert_eq!(f[2]["state"]["state"], "still_running");
    assert_eq!(f[2]["state"]["last_seen"]["operation"], "thread::yield_now");
    assert_eq!(f[9]["cause"]["changed"][0]["at"]["line"], 31);
    assert_eq!(f[10]["cancelled"]["by"]["id"], 0);
    assert_eq!(f[11]["first"]["then"]["lock"]["kind"], "rwlock");
    assert_eq!(f[13]["running"][0]["last_seen"]["at"]["line"], 29);
    assert_eq!(f[14]["kind"], "stall");
    assert_eq!(f[14]["elapsed_ms"], 1_612);
    assert_eq!(f[14]["came_back"], true);
    assert_eq!(f[15]["kind"], "leaked_task");
    assert_eq!(f[15]["task"]["role"], "task");
    assert_eq!(f[15]["state"]["state"], "pending_forever");
    assert_eq!(f[15]["state"]["awaiting"]["operation"], "Receiver::recv");
    assert_eq!(f[15]["detached"], true);
    assert_eq!(f[17]["state"]["dropped_by"]["by"]["name"], "dropper");
    assert_eq!(f[18]["task"]["role"], "blocking_task");
    assert_eq!(f[21]["kind"], "held_across_await");
    assert_eq!(f[21]["lock"]["kind"], "mutex");
    assert_eq!(f[21]["waiters"][0]["role"], "task");
    assert_eq!(f[22]["kind"], "lost_message");
    assert_eq!(f[22]["channel"]["kind"], "channel");
    assert_eq!(f[22]["sent_at"]["line"], 67);
    assert_eq!(f[22]["dropped_at"]["operation"], "select!");
    assert_eq!(f[22]["count"], 3);
    assert_eq!(f[23]["kind"], "unresponsive_cancellation");
    assert_eq!(f[23]["still_runnable"], 100);
    assert!(f[10].get("still_runnable").is_none());
    assert_eq!(f[24]["state"]["alive"], 2);
    assert!(f[0]["blocked"][0]["thread"].get("role").is_none());
    assert_eq!(json["scheduler"]["kind"], "exhaustive");
}

#[test]
fn findings_locate_themselves_by_kind() {
    let lines: Vec<Option<u32>> = every_kind()
        .iter()
        .map(|f| f.location().map(|l| l.line))
        .collect();
    assert_eq!(
        lines,
        [
            Some(21), // deadlock: where the first thread is blocked
            Some(23), // leaked, blocked: where it is blocked
            Some(24), // leaked, running: where it was last seen
            Some(13), // leaked, finished late: where it was spawned
            Some(25),
            Some(5),  // unclosed channel: where it was created
            Some(26), // missed signal: where it waits
            Some(26),
            Some(26),
            Some(26),
            Some(27), // unresponsive: where it is blocked
            Some(34), // inversion: where the first order took its second lock
            Some(28), // panic: where it panicked
            Some(29), // step limit: where the first running thread was last seen
            Some(30), // stall: where the thread was last seen
            Some(60), // leaked task, pending on a known operation: its await
            Some(61), // pending on an unknown future: where it was last seen
            Some(62), // lost waker: where it was last seen
            Some(16), // lost waker, never seen: where it was spawned
            Some(64), // still runnable: where it was last seen
            Some(18), // finished late: where it was spawned
            Some(66), // lock held across an await: where the task suspended
            Some(67), // lost message: where the value was sent
            Some(69), // unresponsive and still runnable: where the task last suspended
            None,     // live: tokio names no task
        ]
    );
}

#[test]
fn another_format_is_a_clear_error() {
    let mut old: serde_json::Value = serde_json::from_str(&report(every_kind()).to_json()).unwrap();
    old["format"] = 1.into();
    let err = Report::from_json(&old.to_string()).unwrap_err();
    assert!(matches!(err, ReadError::Format { found: 1 }), "{err}");
    assert!(err.to_string().contains("format 1"), "{err}");
    assert!(matches!(
        Report::from_json("{}").unwrap_err(),
        ReadError::Json(_)
    ));
}

#[test]
fn debug_is_the_text() {
    let r = report(every_kind());
    assert_eq!(format!("{r:?}"), r.to_string());
}

/// An unclosed channel whose blocked threads are all part of the report's deadlock says that it
/// is a consequence of it; a report written before the flag existed reads it as false.
#[test]
fn an_unclosed_channel_says_when_it_is_a_consequence_of_the_deadlock() {
    let written = report(every_kind());
    let text = written.to_string();
    let block = text
        .split("\n\n")
        .find(|b| b.starts_with("unclosed channel#"))
        .expect("an unclosed channel block");
    assert!(
        block.ends_with(
            "\n  a consequence of the deadlock above: every thread blocked on it is part of that deadlock"
        ),
        "{block}"
    );
    let mut json: serde_json::Value = serde_json::from_str(&written.to_json()).unwrap();
    let finding = json["findings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["kind"] == "unclosed_channel")
        .unwrap();
    assert_eq!(finding["consequence_of_deadlock"], true);
    finding
        .as_object_mut()
        .unwrap()
        .remove("consequence_of_deadlock");
    let old = Report::from_json(&json.to_string()).unwrap();
    let detail = old
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::UnclosedChannel)
        .unwrap()
        .detail();
    assert!(
        matches!(
            detail,
            Detail::UnclosedChannel {
                consequence_of_deadlock: false,
                ..
            }
        ),
        "{detail:?}"
    );
    assert!(!old.to_string().contains("a consequence of the deadlock"));
}
