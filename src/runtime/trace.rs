//! The event log of one execution, recorded only when asked (the replay of a failing schedule),
//! so that exploring pays one branch per scheduling point for it: every step (a thread going on
//! with an operation), every block, and the causal edges (who spawned whom, and what one thread
//! made known to another through an object: an unlock before a lock, a send before a receive, a
//! notify before a wake-up, a thread's end before its join). Explore turns it into the report
//! layer's `Timeline`.

use std::collections::HashMap;

use super::{Loc, ObjId, Tid, WaitOn};

/// A blocked span of a thread.
#[derive(Debug)]
pub(crate) struct BlockRec {
    pub thread: Tid,
    /// The step at which it blocked (its last step).
    pub from: usize,
    /// The step from which it could run again; `None` while it is blocked.
    pub to: Option<usize>,
    pub op: &'static str,
    pub on: WaitOn,
    pub at: Loc,
}

/// What an edge records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EdgeRec {
    /// A thread spawned another.
    Spawn,
    /// A thread learnt what another made known through an object.
    Sync(ObjId),
    /// A thread joined another that had finished.
    Join,
}

/// A causal edge: what thread `from.0` did at step `from.1` reached thread `to.0` at `to.1`.
#[derive(Debug)]
pub(crate) struct CauseRec {
    pub kind: EdgeRec,
    pub from: (Tid, usize),
    pub to: (Tid, usize),
}

/// One step: a thread going on with an operation.
#[derive(Debug)]
pub(crate) struct StepRec {
    pub thread: Tid,
    pub op: &'static str,
    pub at: Loc,
    /// The object it acted on, when one was named.
    pub object: Option<ObjId>,
}

/// The log.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub steps: Vec<StepRec>,
    pub blocks: Vec<BlockRec>,
    pub edges: Vec<CauseRec>,
    /// The step at which each thread finished.
    pub finished: HashMap<Tid, usize>,
    /// Each thread's open block.
    open: HashMap<Tid, usize>,
    /// Each thread's last step.
    last: HashMap<Tid, usize>,
    /// The last thread that made something known through each object, and its step.
    published: HashMap<ObjId, (Tid, usize)>,
}

impl Recorder {
    /// The latest step, of any thread.
    fn now(&self) -> usize {
        self.steps.len().saturating_sub(1)
    }

    /// Thread `t` goes on with operation `op` at `at`: a step.
    pub(crate) fn step(&mut self, t: Tid, op: &'static str, at: Loc) {
        self.last.insert(t, self.steps.len());
        self.steps.push(StepRec {
            thread: t,
            op,
            at,
            object: None,
        });
    }

    /// Thread `t`'s current step: its last one.
    fn current(&self, t: Tid) -> Option<usize> {
        self.last.get(&t).copied()
    }

    /// Thread `t` acts on object `obj` in its current step.
    pub(crate) fn touch(&mut self, t: Tid, obj: ObjId) {
        if let Some(i) = self.current(t) {
            self.steps[i].object.get_or_insert(obj);
        }
    }

    /// Thread `t` makes what it knows known through `obj` (a release, a send, a notify).
    pub(crate) fn publish(&mut self, t: Tid, obj: ObjId) {
        self.touch(t, obj);
        if let Some(i) = self.current(t) {
            self.published.insert(obj, (t, i));
        }
    }

    /// Thread `t` learns what was made known through `obj` (an acquire, a receive, a wake-up).
    pub(crate) fn observe(&mut self, t: Tid, obj: ObjId) {
        self.touch(t, obj);
        let (Some(&(from, at)), Some(i)) = (self.published.get(&obj), self.current(t)) else {
            return;
        };
        let known = self
            .edges
            .iter()
            .rev()
            .take(8)
            .any(|e| e.from == (from, at) && e.to.0 == t);
        if from != t && !known {
            self.edges.push(CauseRec {
                kind: EdgeRec::Sync(obj),
                from: (from, at),
                to: (t, i),
            });
        }
    }

    /// Thread `t` joined thread `other`, which had finished.
    pub(crate) fn join(&mut self, t: Tid, other: Tid) {
        if let (Some(&end), Some(i)) = (self.finished.get(&other), self.current(t)) {
            self.edges.push(CauseRec {
                kind: EdgeRec::Join,
                from: (other, end),
                to: (t, i),
            });
        }
    }

    /// Thread `t` blocked in `op` on `on`.
    pub(crate) fn block(&mut self, t: Tid, op: &'static str, on: WaitOn, at: Loc) {
        if self.open.contains_key(&t) {
            return;
        }
        let from = self.current(t).unwrap_or_else(|| self.now());
        self.open.insert(t, self.blocks.len());
        self.blocks.push(BlockRec {
            thread: t,
            from,
            to: None,
            op,
            on,
            at,
        });
    }

    /// Blocked thread `t` can run again.
    pub(crate) fn unblock(&mut self, t: Tid) {
        if let Some(block) = self.open.remove(&t) {
            self.blocks[block].to = Some(self.now() + 1);
        }
    }

    /// Thread `parent` spawned `child`.
    pub(crate) fn spawn(&mut self, parent: Tid, child: Tid) {
        let from = self.current(parent).unwrap_or_else(|| self.now());
        self.edges.push(CauseRec {
            kind: EdgeRec::Spawn,
            from: (parent, from),
            to: (child, self.now() + 1),
        });
    }

    /// Thread `t` finished.
    pub(crate) fn finish(&mut self, t: Tid) {
        let at = self.current(t).unwrap_or_else(|| self.now());
        self.finished.insert(t, at);
    }
}
