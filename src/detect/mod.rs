//! The detectors: they read the registry of a finished (or stopped) execution and judge what it
//! shows. Each finding is a typed value; `report` renders it.

use crate::report::{
    frames, location, source_location, Blocked, BlockedThread, Cancelled, ChannelInfo, ChannelWait,
    ChannelWaiter, CriticalSection, Detail, EndInfo, Finding, FindingKind, Holder, LastSeen,
    LeakState, LockOrder, LockTaken, NotifyInfo, ObjectInfo, RunningThread, SignalCause,
    SourceLocation, Target, ThreadInfo,
};
use crate::runtime::channel::{Dir, EndRec, Flavor};
use crate::runtime::condvar::Notify;
use crate::runtime::{
    happened_before, JoinState, Loc, LockEdge, ObjState, Registry, Status, Stop, Tid, WaitOn, BODY,
};

/// What the detectors need besides the registry.
#[derive(Clone, Debug)]
pub(crate) struct Judge {
    pub allow_lingering: bool,
    pub max_steps: usize,
}

fn loc(l: &std::panic::Location<'_>) -> SourceLocation {
    location(l)
}

fn thread_info(reg: &mut Registry, tid: Tid) -> ThreadInfo {
    let t = &mut reg.threads[tid];
    ThreadInfo {
        id: tid,
        name: t.name.clone(),
        spawned_at: t.spawned_at.map(loc),
        spawn_stack: t.spawn_stack.as_mut().map(frames).unwrap_or_default(),
        finished: t.is_finished(),
    }
}

fn object_info(reg: &Registry, id: usize) -> ObjectInfo {
    let o = &reg.objects[id];
    ObjectInfo {
        kind: o.name.kind.report(),
        id: o.name.ordinal,
        created_at: loc(o.created_at),
    }
}

fn end_info(e: &EndRec) -> EndInfo {
    EndInfo {
        created_at: loc(e.created_at),
        cloned: e.cloned,
        created_by: e.created_by,
        last_used_by: e.last_user,
        last_used_at: e.last_at.map(loc),
    }
}

fn channel_info(reg: &Registry, id: usize) -> ChannelInfo {
    let ObjState::Channel(c) = &reg.objects[id].state else {
        unreachable!("object {id} is not a channel")
    };
    let live = |ends: &[EndRec]| ends.iter().filter(|e| e.alive).map(end_info).collect();
    ChannelInfo {
        object: object_info(reg, id),
        constructor: c.constructor.to_string(),
        capacity: c.capacity,
        senders: live(&c.senders),
        receivers: live(&c.receivers),
        buffered: c.len,
    }
}

/// The channel operations a blocked thread waits in.
fn selection_of(reg: &Registry, tid: Tid) -> Vec<(usize, Dir)> {
    reg.threads[tid]
        .selection
        .as_ref()
        .map(|s| s.arms.clone())
        .unwrap_or_default()
}

fn blocked_info(reg: &mut Registry, tid: Tid) -> Option<Blocked> {
    let (op, on, at, stack) = match &mut reg.threads[tid].status {
        Status::Blocked(w) => (
            w.op,
            w.on,
            w.at,
            w.stack.as_mut().map(frames).unwrap_or_default(),
        ),
        _ => return None,
    };
    let arms = selection_of(reg, tid);
    let channels = arms
        .iter()
        .map(|&(id, dir)| ChannelWait {
            channel: channel_info(reg, id),
            sending: dir == Dir::Send,
        })
        .collect();
    let (target, held_by) = match on {
        WaitOn::Thread(t) => (Target::Thread(thread_info(reg, t)), Vec::new()),
        WaitOn::Park => (Target::Unpark, Vec::new()),
        WaitOn::Select => (
            Target::Select {
                objects: arms.iter().map(|&(id, _)| object_info(reg, id)).collect(),
            },
            Vec::new(),
        ),
        WaitOn::Object(id) => {
            let holders = reg.objects[id].state.model().holders();
            let held_by = holders
                .into_iter()
                .map(|(t, since)| Holder {
                    thread: thread_info(reg, t),
                    since: loc(since),
                })
                .collect();
            (Target::Object(object_info(reg, id)), held_by)
        }
    };
    Some(Blocked {
        operation: op.to_string(),
        on: target,
        at: loc(at),
        stack,
        held_by,
        channels,
    })
}

/// Channels left open at the end of an execution: live senders and a live receiver with a
/// thread blocked forever on them, or messages that no thread can ever receive.
fn unclosed_channels(reg: &mut Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    for id in 0..reg.objects.len() {
        let ObjState::Channel(c) = &reg.objects[id].state else {
            continue;
        };
        // A token's `done` channel is a signal, not a channel the user opened: a thread
        // waiting on it forever is reported as unresponsive or leaked instead.
        if c.live_receivers() == 0 || c.flavor == Flavor::TokenDone {
            continue;
        }
        let stuck: Vec<(Tid, Dir)> = c
            .waiters
            .iter()
            .filter(|&&(t, _, _)| matches!(&reg.threads[t].status, Status::Blocked(w) if !w.timed))
            .map(|&(t, _, dir)| (t, dir))
            .collect();
        let mut stuck = stuck;
        stuck.sort_unstable_by_key(|&(t, dir)| (t, dir == Dir::Send));
        stuck.dedup();
        let open = c.live_senders() > 0 && !stuck.is_empty();
        if !open && c.len == 0 {
            continue;
        }
        let mut blocked = Vec::new();
        for (t, dir) in stuck {
            let operation = match &reg.threads[t].status {
                Status::Blocked(w) => w.op.to_string(),
                _ => continue,
            };
            blocked.push(ChannelWaiter {
                thread: thread_info(reg, t),
                operation,
                sending: dir == Dir::Send,
            });
        }
        out.push(Finding::new(Detail::UnclosedChannel {
            channel: channel_info(reg, id),
            blocked,
        }));
    }
    out
}

fn last_seen(reg: &Registry, tid: Tid) -> Option<LastSeen> {
    reg.threads[tid].last_op.map(|(op, at)| LastSeen {
        operation: op.to_string(),
        at: loc(at),
    })
}

/// The threads that wait for each other in a cycle, starting from the lowest, if any do.
fn cycle(reg: &Registry) -> Vec<Tid> {
    for start in 0..reg.threads.len() {
        let mut path = vec![start];
        let mut next = reg.waits_for(start);
        while let Some(t) = next {
            if let Some(pos) = path.iter().position(|&p| p == t) {
                let cycle = path.split_off(pos);
                let min = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, t)| **t)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                let mut rotated = cycle[min..].to_vec();
                rotated.extend_from_slice(&cycle[..min]);
                return rotated;
            }
            path.push(t);
            next = reg.waits_for(t);
        }
    }
    Vec::new()
}

/// Whether thread `t` is blocked for good: blocked, and not in a wait that time would end.
fn stuck(reg: &Registry, t: Tid) -> bool {
    matches!(&reg.threads[t].status, Status::Blocked(w) if !w.timed)
}

fn notify_info(reg: &mut Registry, n: (Loc, Tid, bool, Option<Tid>)) -> NotifyInfo {
    NotifyInfo {
        at: loc(n.0),
        by: thread_info(reg, n.1),
        all: n.2,
        woke: n.3.map(|t| thread_info(reg, t)),
    }
}

/// Threads blocked forever in a condvar wait whose signal was lost, misdirected or never sent.
fn missed_signals(reg: &mut Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    for tid in 0..reg.threads.len() {
        if !stuck(reg, tid) {
            continue;
        }
        let (cv, wait_at, operation) = match &reg.threads[tid].status {
            Status::Blocked(w) => match w.on {
                WaitOn::Object(id) if matches!(reg.objects[id].state, ObjState::Condvar(_)) => {
                    (id, w.at, w.op)
                }
                _ => continue,
            },
            _ => continue,
        };
        let ObjState::Condvar(c) = &reg.objects[cv].state else {
            continue;
        };
        let (began, mutex, sections) = c
            .wait_began
            .iter()
            .find(|w| w.0 == tid)
            .map_or((0, None, 0), |w| (w.1, Some(w.2), w.3));
        let rewaits = c.rewaits_of(tid);
        let since: Vec<&Notify> = c.notifies[began..]
            .iter()
            .filter(|n| n.waiting.contains(&tid))
            .collect();
        let misdirected: Vec<_> = since
            .iter()
            .filter(|n| !n.all && n.rewaited && n.woke != Some(tid))
            .map(|n| (n.at, n.by, n.all, n.woke))
            .collect();
        // The notifies that found nobody waiting since this thread last woke from a notify (an
        // earlier one went to nobody, but this thread has been woken since: not its loss), one
        // per place.
        let last_woken = c.notifies[..began]
            .iter()
            .rposition(|n| n.waiting.contains(&tid) && (n.all || n.woke == Some(tid)))
            .map_or(0, |i| i + 1);
        let mut lost: Vec<_> = Vec::new();
        for n in c.notifies[last_woken..began]
            .iter()
            .filter(|n| n.waiting.is_empty())
        {
            let n = (n.at, n.by, n.all, n.woke);
            if !lost
                .iter()
                .any(|m: &(Loc, Tid, bool, Option<Tid>)| m.0 == n.0 && m.1 == n.1)
            {
                lost.push(n);
            }
        }
        let cause = if !misdirected.is_empty() {
            SignalCause::Misdirected {
                notifies: misdirected
                    .into_iter()
                    .map(|n| notify_info(reg, n))
                    .collect(),
            }
        } else if !lost.is_empty() {
            SignalCause::Lost {
                notifies: lost.into_iter().map(|n| notify_info(reg, n)).collect(),
            }
        } else if since.is_empty() {
            let woke_last = c.notifies[..began]
                .iter()
                .rev()
                .find(|n| n.waiting.contains(&tid) && (n.all || n.woke == Some(tid)))
                .map(|n| (n.at, n.by, n.all, n.woke));
            match woke_last {
                Some(n) if rewaits > 0 => SignalCause::Stale {
                    notify: notify_info(reg, n),
                },
                _ => {
                    let sections = match mutex.map(|m| &reg.objects[m].state) {
                        Some(ObjState::Mutex(m)) => {
                            m.sections.get(sections..).unwrap_or_default().to_vec()
                        }
                        _ => Vec::new(),
                    };
                    let mut sections: Vec<(Tid, Loc)> =
                        sections.into_iter().filter(|&(t, _)| t != tid).collect();
                    let mut seen = Vec::new();
                    sections.retain(|s| {
                        let new = !seen.contains(s);
                        seen.push(*s);
                        new
                    });
                    let changed = sections
                        .into_iter()
                        .map(|(t, at)| CriticalSection {
                            thread: thread_info(reg, t),
                            at: loc(at),
                        })
                        .collect();
                    SignalCause::NeverSignalled { changed }
                }
            }
        } else {
            // Notifies came and served others: the thread is left waiting, but no signal was
            // missed; the leak is reported as such.
            continue;
        };
        let thread = thread_info(reg, tid);
        out.push(Finding::new(Detail::MissedSignal {
            thread,
            operation: operation.to_string(),
            condvar: object_info(reg, cv),
            wait_at: loc(wait_at),
            cause,
            rewaits,
        }));
    }
    out
}

/// Threads blocked waiting for a lock they hold themselves.
fn self_deadlocks(reg: &mut Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    for tid in 0..reg.threads.len() {
        if stuck(reg, tid) && reg.waits_for(tid) == Some(tid) {
            if let Some(b) = blocked_info(reg, tid) {
                let thread = thread_info(reg, tid);
                out.push(Finding::new(Detail::Deadlock {
                    blocked: vec![BlockedThread { thread, blocked: b }],
                    cycle: vec![tid],
                    all_blocked: false,
                }));
            }
        }
    }
    out
}

/// Pairs of locks two threads took in opposite orders, with no common lock held around both.
fn lock_inversions(reg: &mut Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    let edges = reg.lock_edges.clone();
    for (i, a) in edges.iter().enumerate() {
        for b in &edges[i + 1..] {
            let inverse = a.first == b.then && a.then == b.first && a.thread != b.thread;
            let guarded = a.also_held.iter().any(|l| b.also_held.contains(l));
            // Orders that cannot overlap in time (one thread joined the other, or heard from it
            // through a channel, a condvar, a barrier or a `Once` before taking its locks) cannot
            // deadlock. Lock hand-offs themselves order nothing here: they are what is judged.
            let ordered =
                happened_before(&a.clock, &b.clock) || happened_before(&b.clock, &a.clock);
            let pair = (a.first.min(a.then), a.first.max(a.then));
            if !inverse || guarded || ordered || seen.contains(&pair) {
                continue;
            }
            seen.push(pair);
            let mut order = |e: &LockEdge| LockOrder {
                thread: thread_info(reg, e.thread),
                first: LockTaken {
                    lock: object_info(reg, e.first),
                    at: loc(e.first_at),
                },
                then: LockTaken {
                    lock: object_info(reg, e.then),
                    at: loc(e.then_at),
                },
            };
            let (first, second) = (order(a), order(b));
            out.push(Finding::new(Detail::LockOrderInversion { first, second }));
        }
    }
    out
}

/// Threads that use a cancelled token and stay blocked where they cannot see it.
fn unresponsive(reg: &mut Registry) -> Vec<Finding> {
    let mut out = Vec::new();
    for id in 0..reg.objects.len() {
        let ObjState::Token(tok) = &reg.objects[id].state else {
            continue;
        };
        let Some((by, at)) = tok.cancelled else {
            continue;
        };
        let (users, done) = (tok.users.clone(), tok.done);
        for t in users {
            // The thread that cancelled knows; a thread joining another waits for that thread,
            // whose own wait is the one to report.
            let joining = matches!(&reg.threads[t].status, Status::Blocked(w) if matches!(w.on, WaitOn::Thread(_)));
            if !stuck(reg, t) || t == by || joining {
                continue;
            }
            let watches_done =
                done.is_some_and(|d| selection_of(reg, t).iter().any(|&(c, _)| c == d));
            if watches_done {
                continue;
            }
            let Some(blocked) = blocked_info(reg, t) else {
                continue;
            };
            let thread = thread_info(reg, t);
            let cancelled = Cancelled {
                at: loc(at),
                by: thread_info(reg, by),
            };
            out.push(Finding::new(Detail::UnresponsiveCancellation {
                thread,
                token: object_info(reg, id),
                cancelled,
                blocked,
            }));
        }
    }
    out
}

impl Judge {
    /// The findings of one execution, in report order.
    pub(crate) fn findings(&self, reg: &mut Registry, stop: Option<Stop>) -> Vec<Finding> {
        let mut out = Vec::new();
        match stop {
            Some(Stop::Deadlock) => {
                let cycle = cycle(reg);
                let blocked = (0..reg.threads.len())
                    .filter_map(|t| {
                        let b = blocked_info(reg, t)?;
                        Some(BlockedThread {
                            thread: thread_info(reg, t),
                            blocked: b,
                        })
                    })
                    .collect();
                out.push(Finding::new(Detail::Deadlock {
                    blocked,
                    cycle,
                    all_blocked: true,
                }));
                out.extend(unclosed_channels(reg));
                out.extend(missed_signals(reg));
                out.extend(unresponsive(reg));
            }
            Some(Stop::StepLimit) if !reg.body_returned => {
                let ids: Vec<Tid> = (0..reg.threads.len())
                    .filter(|&t| reg.threads[t].is_runnable())
                    .collect();
                let running = ids
                    .into_iter()
                    .map(|t| RunningThread {
                        thread: thread_info(reg, t),
                        last_seen: last_seen(reg, t),
                    })
                    .collect();
                out.push(Finding::new(Detail::StepLimit {
                    max_steps: self.max_steps,
                    running,
                }));
            }
            _ if reg.body_returned => {
                for tid in 1..reg.threads.len() {
                    let state = match &reg.threads[tid].status {
                        Status::Blocked(_) => blocked_info(reg, tid).map(LeakState::BlockedForever),
                        Status::Runnable => Some(LeakState::StillRunning {
                            max_steps: self.max_steps,
                            last_seen: last_seen(reg, tid),
                        }),
                        Status::Finished => {
                            let t = &reg.threads[tid];
                            (t.finished_after_body
                                && t.handle != JoinState::Joined
                                && !self.allow_lingering)
                                .then_some(LeakState::FinishedLate)
                        }
                    };
                    if let Some(state) = state {
                        let thread = thread_info(reg, tid);
                        out.push(Finding::new(Detail::LeakedThread { thread, state }));
                    }
                }
                if stop != Some(Stop::StepLimit) {
                    out.extend(self_deadlocks(reg));
                    out.extend(unclosed_channels(reg));
                    out.extend(missed_signals(reg));
                    out.extend(unresponsive(reg));
                }
            }
            _ => {}
        }
        out.extend(lock_inversions(reg));
        let body_panicked = reg.threads.first().is_some_and(|t| t.panic.is_some());
        // Panics in the order they happened: the first is usually the cause of the others.
        let mut panicked: Vec<Tid> = (0..reg.threads.len())
            .filter(|&t| reg.threads[t].panic.is_some() && !reg.threads[t].panic_observed)
            .collect();
        panicked.sort_by_key(|&t| reg.threads[t].panic.as_ref().map_or(0, |p| p.seq));
        for tid in panicked {
            let t = &mut reg.threads[tid];
            let Some(p) = t.panic.as_mut() else { continue };
            let message = p.message.clone();
            let at = p.at.as_ref().map(|(f, l, c)| source_location(f, *l, *c));
            let stack = p.stack.as_mut().map(frames).unwrap_or_default();
            // A handle dropped while the body unwound its own panic was not "never joined".
            let never_joined = tid != BODY && t.handle == JoinState::Dropped && !body_panicked;
            let thread = thread_info(reg, tid);
            out.push(Finding::new(Detail::Panic {
                thread,
                message,
                at,
                stack,
                never_joined,
            }));
        }
        // Report order: by kind, then as found.
        out.sort_by_key(|f| FindingKind::ALL.iter().position(|k| *k == f.kind()));
        out
    }
}
