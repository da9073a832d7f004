//! The event log of one execution, recorded only when asked (the replay of a failing schedule),
//! so that exploring pays one branch per scheduling point for it: every step (the thread and
//! its operation), every block and wake-up, and the causal edges (who spawned or woke whom).
//! Explore turns it into the report layer's `Timeline`.

use std::collections::HashMap;

use super::{Loc, Tid, WaitOn};

/// A blocked span of a thread.
#[derive(Debug)]
pub(crate) struct BlockRec {
    pub thread: Tid,
    /// The step at which it blocked.
    pub from: usize,
    /// The step after which it could run again; `None` while it is blocked.
    pub to: Option<usize>,
    pub op: &'static str,
    pub on: WaitOn,
    pub at: Loc,
}

/// What an edge records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EdgeRec {
    Spawn,
    Wake,
}

/// A causal edge: `from` (thread, step) made `to` (thread, step) happen.
#[derive(Debug)]
pub(crate) struct CauseRec {
    pub kind: EdgeRec,
    pub from: (Tid, usize),
    pub to: (Tid, usize),
    /// The operation of the cause (`MutexGuard::drop`, `thread::spawn`, `time passes`).
    pub cause: &'static str,
    /// The block it ended, for a wake-up (an index into [`Recorder::blocks`]).
    pub block: Option<usize>,
}

/// The log.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    /// Every step: the thread that ran and the operation it made, where.
    pub steps: Vec<(Tid, &'static str, Loc)>,
    pub blocks: Vec<BlockRec>,
    pub edges: Vec<CauseRec>,
    /// The step at which each thread was spawned.
    pub spawned: HashMap<Tid, usize>,
    /// The step at which each thread finished.
    pub finished: HashMap<Tid, usize>,
    /// Each thread's open block.
    open: HashMap<Tid, usize>,
    /// Each thread's last operation.
    last_op: HashMap<Tid, &'static str>,
}

impl Recorder {
    /// The current step: the last one recorded.
    fn now(&self) -> usize {
        self.steps.len().saturating_sub(1)
    }

    /// Thread `t` made operation `op` at `at`: a scheduling step.
    pub(crate) fn step(&mut self, t: Tid, op: &'static str, at: Loc) {
        self.steps.push((t, op, at));
        self.last_op.insert(t, op);
    }

    /// Thread `t` blocked in `op` on `on`.
    pub(crate) fn block(&mut self, t: Tid, op: &'static str, on: WaitOn, at: Loc) {
        if self.open.contains_key(&t) {
            return;
        }
        self.open.insert(t, self.blocks.len());
        self.blocks.push(BlockRec {
            thread: t,
            from: self.now(),
            to: None,
            op,
            on,
            at,
        });
    }

    /// Thread `by` made the blocked thread `woken` runnable (`by == woken` when its own timed
    /// wait ran out).
    pub(crate) fn wake(&mut self, by: Tid, woken: Tid, time_passed: bool) {
        let Some(block) = self.open.remove(&woken) else {
            return;
        };
        let now = self.now();
        self.blocks[block].to = Some(now);
        let cause = if time_passed {
            "time passes"
        } else {
            self.last_op.get(&by).copied().unwrap_or("(runs)")
        };
        if by != woken || !time_passed {
            self.edges.push(CauseRec {
                kind: EdgeRec::Wake,
                from: (by, now),
                to: (woken, now + 1),
                cause,
                block: Some(block),
            });
        }
    }

    /// Thread `parent` spawned `child`.
    pub(crate) fn spawn(&mut self, parent: Tid, child: Tid) {
        let now = self.now();
        self.spawned.insert(child, now);
        self.edges.push(CauseRec {
            kind: EdgeRec::Spawn,
            from: (parent, now),
            to: (child, now + 1),
            cause: "thread::spawn",
            block: None,
        });
    }

    /// Thread `t` finished.
    pub(crate) fn finish(&mut self, t: Tid) {
        self.finished.insert(t, self.now());
    }
}
