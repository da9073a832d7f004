//! The detectors: they read the registry of a finished (or stopped) execution and judge what it
//! shows. Each finding is a typed value; `report` renders it.

use crate::backend::shuttle::Stop;
use crate::report::{
    frames, Blocked, Detail, Finding, LeakState, ObjectInfo, SourceLocation, Target, ThreadInfo,
};
use crate::runtime::registry::{Handle, ObjState, Registry, Status, Tid, WaitOn};
use crate::runtime::BODY;

/// What the detectors need besides the registry.
pub(crate) struct Judge {
    pub allow_lingering: bool,
    pub max_steps: usize,
}

fn loc(l: &std::panic::Location<'_>) -> SourceLocation {
    SourceLocation::from_std(l)
}

fn thread_info(reg: &mut Registry, tid: Tid) -> ThreadInfo {
    let t = &mut reg.threads[tid];
    ThreadInfo {
        id: tid,
        name: t.name.clone(),
        spawned_at: t.spawned_at.map(loc),
        spawn_stack: t.spawn_stack.as_mut().map(frames).unwrap_or_default(),
    }
}

fn object_info(reg: &Registry, id: usize) -> ObjectInfo {
    let o = &reg.objects[id];
    ObjectInfo {
        kind: o.name.kind.name().to_string(),
        id: o.name.ordinal,
        created_at: loc(o.created_at),
    }
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
    let (target, held_by) = match on {
        WaitOn::Thread(t) => (Target::Thread(thread_info(reg, t)), None),
        WaitOn::Park => (Target::Unpark, None),
        WaitOn::Object(id) => {
            let holder = match &reg.objects[id].state {
                ObjState::Mutex(m) => m.holder,
            };
            let held_by = holder.map(|(t, since)| (thread_info(reg, t), loc(since)));
            (Target::Object(object_info(reg, id)), held_by)
        }
    };
    Some(Blocked {
        operation: op.to_string(),
        on: target,
        at: loc(at),
        stack,
        held_by,
    })
}

fn last_seen(reg: &Registry, tid: Tid) -> Option<(String, SourceLocation)> {
    reg.threads[tid]
        .last_op
        .map(|(op, at)| (op.to_string(), loc(at)))
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
                        Some((thread_info(reg, t), b))
                    })
                    .collect();
                out.push(Finding::new(Detail::Deadlock { blocked, cycle }));
            }
            Some(Stop::StepLimit) if !reg.body_returned => {
                let ids: Vec<Tid> = (0..reg.threads.len())
                    .filter(|&t| reg.threads[t].is_runnable())
                    .collect();
                let running = ids
                    .into_iter()
                    .map(|t| (thread_info(reg, t), last_seen(reg, t)))
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
                                && t.handle != Handle::Joined
                                && !self.allow_lingering)
                                .then_some(LeakState::FinishedLate)
                        }
                    };
                    if let Some(state) = state {
                        let thread = thread_info(reg, tid);
                        out.push(Finding::new(Detail::LeakedThread { thread, state }));
                    }
                }
            }
            _ => {}
        }
        for tid in 0..reg.threads.len() {
            let t = &mut reg.threads[tid];
            if t.panic_observed {
                continue;
            }
            let Some(p) = t.panic.as_mut() else { continue };
            let message = p.message.clone();
            let at =
                p.at.as_ref()
                    .map(|(f, l, c)| SourceLocation::new(f, *l, *c));
            let stack = p.stack.as_mut().map(frames).unwrap_or_default();
            let never_joined = tid != BODY && t.handle == Handle::Dropped;
            let thread = thread_info(reg, tid);
            out.push(Finding::new(Detail::Panic {
                thread,
                message,
                at,
                stack,
                never_joined,
            }));
        }
        out
    }
}
