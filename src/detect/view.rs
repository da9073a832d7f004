//! The detectors' read-only view of a stopped execution: how it ended, and its threads, objects
//! and waits in the names reports give them.

use super::Judge;
use crate::report::{
    frames, location, Blocked, ChannelInfo, ChannelWait, EndInfo, Frame, Holder, LastSeen,
    ObjectInfo, Target, ThreadInfo,
};
use crate::runtime::channel::{ChannelState, Dir, EndRec};
use crate::runtime::{ObjId, Registry, State, Status, Stop, Tid, WaitOn};

/// How an execution ended, as the detectors tell findings apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Every thread blocked before the body returned.
    Deadlocked,
    /// The step limit came before the body returned.
    OutOfSteps,
    /// The body returned; the other threads ran until nothing could (or, `out_of_steps`, until
    /// the step limit).
    Returned { out_of_steps: bool },
    /// Thread `tid` stayed away from the scheduler past the stall timeout, then came back.
    Stalled { tid: Tid, elapsed_ms: u64 },
    /// Stopped for another reason (a replay that diverged, something the backend cannot run).
    Other,
}

/// A stopped execution, as the detectors read it.
pub(crate) struct View<'a> {
    /// The registry as it was at the stop.
    pub reg: &'a Registry,
    pub ending: Ending,
    pub judge: &'a Judge,
    /// Per thread, the user's frames at its spawn, at its wait, and at its panic (empty unless
    /// stacks were captured, for a failing schedule's report).
    spawn_stacks: Vec<Vec<Frame>>,
    wait_stacks: Vec<Vec<Frame>>,
    panic_stacks: Vec<Vec<Frame>>,
}

impl<'a> View<'a> {
    /// The view of the execution whose registry is `reg`, stopped for `stop` (`None`: every
    /// thread finished). Captured stacks are resolved here, once.
    pub(crate) fn new(reg: &'a mut Registry, stop: Option<Stop>, judge: &'a Judge) -> Self {
        let (mut spawn_stacks, mut wait_stacks, mut panic_stacks) = (vec![], vec![], vec![]);
        if reg.capture {
            for t in &mut reg.threads {
                spawn_stacks.push(t.spawn_stack.as_mut().map(frames).unwrap_or_default());
                wait_stacks.push(match &mut t.status {
                    Status::Blocked(w) => w.stack.as_mut().map(frames).unwrap_or_default(),
                    _ => Vec::new(),
                });
                panic_stacks.push(
                    t.panic
                        .as_mut()
                        .and_then(|p| p.stack.as_mut())
                        .map(frames)
                        .unwrap_or_default(),
                );
            }
        }
        let ending = match stop {
            Some(Stop::Deadlock) => Ending::Deadlocked,
            Some(Stop::Stall { tid, elapsed_ms }) => Ending::Stalled { tid, elapsed_ms },
            Some(Stop::StepLimit) if !reg.body_returned => Ending::OutOfSteps,
            _ if reg.body_returned => Ending::Returned {
                out_of_steps: stop == Some(Stop::StepLimit),
            },
            _ => Ending::Other,
        };
        View {
            reg,
            ending,
            judge,
            spawn_stacks,
            wait_stacks,
            panic_stacks,
        }
    }

    /// Whether every thread left is where it will stay: the execution deadlocked, or the body
    /// returned and the rest ran until nothing could. (Not at a step limit: a thread still
    /// running might yet change what the others wait for.)
    pub(crate) fn settled(&self) -> bool {
        matches!(
            self.ending,
            Ending::Deadlocked
                | Ending::Returned {
                    out_of_steps: false
                }
        )
    }

    /// The threads of the execution, the body's (0) first.
    pub(crate) fn tids(&self) -> std::ops::Range<Tid> {
        0..self.reg.threads.len()
    }

    /// The user's frames at thread `tid`'s panic.
    pub(crate) fn panic_stack(&self, tid: Tid) -> Vec<Frame> {
        self.panic_stacks.get(tid).cloned().unwrap_or_default()
    }

    /// Thread `tid`, as reports name it.
    pub(crate) fn thread(&self, tid: Tid) -> ThreadInfo {
        let t = &self.reg.threads[tid];
        ThreadInfo {
            id: tid,
            name: t.name.clone(),
            spawned_at: t.spawned_at.map(location),
            spawn_stack: self.spawn_stacks.get(tid).cloned().unwrap_or_default(),
            finished: t.is_finished(),
            role: t.role,
        }
    }

    /// Object `id`, as reports name it.
    pub(crate) fn object(&self, id: ObjId) -> ObjectInfo {
        let o = &self.reg.objects[id];
        ObjectInfo {
            kind: o.name.kind.report(),
            id: o.name.ordinal,
            created_at: location(o.created_at),
        }
    }

    /// Channel `id`, with its live ends.
    pub(crate) fn channel(&self, id: ObjId) -> ChannelInfo {
        let c = ChannelState::of(&self.reg.objects[id].state)
            .unwrap_or_else(|| unreachable!("object {id} is not a channel"));
        let live = |ends: &[EndRec]| ends.iter().filter(|e| e.alive).map(end_info).collect();
        ChannelInfo {
            object: self.object(id),
            constructor: c.constructor.to_string(),
            capacity: c.capacity,
            senders: live(&c.senders),
            receivers: live(&c.receivers),
            buffered: c.len,
        }
    }

    /// The channel operations thread `tid` waits in: (channel, direction) per arm.
    pub(crate) fn selection(&self, tid: Tid) -> &[(ObjId, Dir)] {
        self.reg.threads[tid]
            .selection
            .as_ref()
            .map_or(&[], |s| s.arms.as_slice())
    }

    /// Whether thread `tid` is blocked for good: blocked, and not in a wait that time would end.
    pub(crate) fn stuck(&self, tid: Tid) -> bool {
        matches!(&self.reg.threads[tid].status, Status::Blocked(w) if !w.timed)
    }

    /// The last operation thread `tid` made, and where.
    pub(crate) fn last_seen(&self, tid: Tid) -> Option<LastSeen> {
        self.reg.threads[tid].last_op.map(seen)
    }

    /// Where and how thread `tid` is blocked, if it is: the operation, what it waits for, who
    /// holds that, and for channel operations who could still send or receive.
    pub(crate) fn blocked(&self, tid: Tid) -> Option<Blocked> {
        let Status::Blocked(wait) = &self.reg.threads[tid].status else {
            return None;
        };
        let arms = self.selection(tid);
        let channels = arms
            .iter()
            .map(|&(id, dir)| ChannelWait {
                channel: self.channel(id),
                sending: dir == Dir::Send,
            })
            .collect();
        let (on, held_by) = match wait.on {
            WaitOn::Thread(t) => (Target::Thread(self.thread(t)), Vec::new()),
            WaitOn::Park => (Target::Unpark, Vec::new()),
            WaitOn::Sleep => (Target::Sleep, Vec::new()),
            WaitOn::Wake => (Target::Wake, Vec::new()),
            WaitOn::Select => (
                Target::Select {
                    objects: arms.iter().map(|&(id, _)| self.object(id)).collect(),
                },
                Vec::new(),
            ),
            WaitOn::Object(id) => {
                let held_by = self.reg.objects[id]
                    .state
                    .model()
                    .holders()
                    .into_iter()
                    .map(|(t, since)| Holder {
                        thread: self.thread(t),
                        since: location(since),
                    })
                    .collect();
                (Target::Object(self.object(id)), held_by)
            }
        };
        Some(Blocked {
            operation: wait.op.to_string(),
            on,
            at: location(wait.at),
            stack: self.wait_stacks.get(tid).cloned().unwrap_or_default(),
            held_by,
            channels,
        })
    }
}

/// An operation and where it was made, as reports show it.
pub(crate) fn seen((op, at): (&'static str, crate::runtime::Loc)) -> LastSeen {
    LastSeen {
        operation: op.to_string(),
        at: location(at),
    }
}

fn end_info(e: &EndRec) -> EndInfo {
    EndInfo {
        created_at: location(e.created_at),
        cloned: e.cloned,
        created_by: e.created_by,
        last_used_by: e.last_user,
        last_used_at: e.last_at.map(location),
    }
}
