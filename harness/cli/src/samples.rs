//! Findings to test with, one of each kind, as leakcheck makes them.

use leakcheck_schema::{
    Blocked, BlockedThread, Cancelled, ChannelInfo, ChannelWaiter, CriticalSection, Detail,
    Finding, Frame, Holder, LastSeen, LeakState, LockOrder, LockTaken, ObjectInfo, ObjectKind,
    Report, ReportData, Role, RunningThread, Scheduler, SignalCause, SourceLocation, Target,
    TaskLeak, ThreadInfo, FORMAT,
};

pub fn at(line: u32, column: u32) -> SourceLocation {
    SourceLocation {
        file: "src/lib.rs".into(),
        line,
        column,
    }
}

pub fn body() -> ThreadInfo {
    ThreadInfo {
        id: 0,
        name: None,
        spawned_at: None,
        spawn_stack: vec![],
        finished: false,
        role: Default::default(),
    }
}

pub fn waiter(id: usize, line: u32) -> ThreadInfo {
    ThreadInfo {
        id,
        name: Some("waiter".into()),
        spawned_at: Some(at(line, 10)),
        spawn_stack: vec![
            Frame {
                function: "demo::leak".into(),
                location: at(line, 10),
            },
            Frame {
                function: "demo::tests::leaky::__leakcheck_body".into(),
                location: at(40, 5),
            },
        ],
        finished: false,
        role: Role::Thread,
    }
}

pub fn object(kind: ObjectKind, id: usize, line: u32) -> ObjectInfo {
    ObjectInfo {
        kind,
        id,
        created_at: at(line, 25),
    }
}

/// A thread blocked in `Mutex::lock` at `line`, on a mutex the body holds.
pub fn lock_wait(id: usize, line: u32, function: &str) -> Blocked {
    Blocked {
        operation: "Mutex::lock".into(),
        on: Target::Object(object(ObjectKind::Mutex, id, line - 5)),
        at: at(line, 32),
        stack: vec![Frame {
            function: function.into(),
            location: at(line, 32),
        }],
        held_by: vec![Holder {
            thread: body(),
            since: at(line - 4, 21),
        }],
        channels: vec![],
    }
}

/// A thread named "waiter", spawned at `line` and blocked forever in `Mutex::lock` there.
pub fn leaked(line: u32, id: usize, function: &str) -> Finding {
    Finding::new(Detail::LeakedThread {
        thread: waiter(id, line),
        state: LeakState::BlockedForever(lock_wait(id, line, function)),
    })
}

/// One finding of every kind.
pub fn every_kind() -> Vec<Finding> {
    let channel = ChannelInfo {
        object: object(ObjectKind::Channel, 1, 3),
        constructor: "channel::unbounded".into(),
        capacity: None,
        senders: vec![],
        receivers: vec![],
        buffered: 0,
    };
    let order = |thread: ThreadInfo, first: usize, then: usize, line: u32| LockOrder {
        thread,
        first: LockTaken {
            lock: object(ObjectKind::Mutex, first, 2),
            at: at(line, 5),
        },
        then: LockTaken {
            lock: object(ObjectKind::Mutex, then, 2),
            at: at(line + 1, 5),
        },
    };
    let details = vec![
        Detail::Deadlock {
            blocked: vec![BlockedThread {
                thread: waiter(1, 14),
                blocked: lock_wait(1, 14, "demo::leak"),
            }],
            cycle: vec![1],
            all_blocked: true,
        },
        leaked(14, 1, "demo::leak").detail().clone(),
        Detail::UnclosedChannel {
            channel: channel.clone(),
            blocked: vec![ChannelWaiter {
                thread: waiter(1, 14),
                operation: "Receiver::recv".into(),
                sending: false,
            }],
            consequence_of_deadlock: false,
        },
        Detail::MissedSignal {
            thread: waiter(1, 14),
            operation: "Condvar::wait".into(),
            condvar: object(ObjectKind::Condvar, 1, 4),
            wait_at: at(20, 9),
            cause: SignalCause::NeverSignalled {
                changed: vec![CriticalSection {
                    thread: body(),
                    at: at(30, 9),
                }],
            },
            rewaits: 0,
        },
        Detail::UnresponsiveCancellation {
            thread: waiter(1, 14),
            token: object(ObjectKind::Token, 1, 5),
            cancelled: Cancelled {
                at: at(31, 5),
                by: body(),
            },
            blocked: Blocked {
                operation: "Receiver::recv".into(),
                on: Target::Object(channel.object.clone()),
                at: at(21, 9),
                stack: vec![],
                held_by: vec![],
                channels: vec![],
            },
            still_runnable: None,
        },
        Detail::LockOrderInversion {
            first: order(waiter(1, 14), 1, 2, 22),
            second: order(waiter(2, 15), 2, 1, 25),
        },
        Detail::Panic {
            thread: waiter(1, 14),
            message: "boom\nmore".into(),
            at: Some(at(23, 9)),
            stack: vec![],
            never_joined: true,
        },
        Detail::StepLimit {
            max_steps: 100,
            running: vec![RunningThread {
                thread: body(),
                last_seen: Some(LastSeen {
                    operation: "thread::yield_now".into(),
                    at: at(24, 9),
                }),
            }],
        },
        Detail::Stall {
            thread: waiter(1, 14),
            last_seen: Some(LastSeen {
                operation: "thread::yield_now".into(),
                at: at(26, 9),
            }),
            timeout_ms: 10_000,
            elapsed_ms: 10_250,
            came_back: false,
        },
        Detail::LeakedTask {
            task: ThreadInfo {
                role: Role::Task,
                ..waiter(2, 30)
            },
            state: TaskLeak::PendingForever {
                awaiting: Some(Blocked {
                    operation: "Receiver::recv".into(),
                    on: Target::Object(channel.object.clone()),
                    at: at(31, 9),
                    stack: vec![],
                    held_by: vec![],
                    channels: vec![],
                }),
                last_seen: None,
            },
            detached: true,
        },
        Detail::HeldAcrossAwait {
            task: body(),
            lock: object(ObjectKind::Mutex, 1, 2),
            locked_at: at(32, 9),
            suspended_at: at(33, 9),
            awaiting: Some("time::sleep".into()),
            waiters: vec![ThreadInfo {
                role: Role::Task,
                ..waiter(2, 30)
            }],
        },
        Detail::LostMessage {
            task: ThreadInfo {
                role: Role::Task,
                ..waiter(2, 30)
            },
            channel: channel.object.clone(),
            operation: "Sender::send".into(),
            sent_at: at(35, 13),
            dropped_at: Some(LastSeen {
                operation: "select!".into(),
                at: at(34, 9),
            }),
            count: 2,
        },
    ];
    details.into_iter().map(Finding::new).collect()
}

/// A report of these findings, of test `t` in package `demo`.
pub fn report(findings: Vec<Finding>) -> Report {
    Report::new(ReportData {
        format: FORMAT,
        test: Some("t".into()),
        package: None,
        findings,
        schedule: 3,
        schedules: 1000,
        seed: 0x5eed,
        scheduler: Scheduler::default(),
        replayed: false,
        replay_token: "T".into(),
        replay_command: "LEAKCHECK_REPLAY=T cargo test -p demo t -- --exact".into(),
        notes: vec![],
        live: None,
        schedule_log: None,
    })
}
