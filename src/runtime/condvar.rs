//! The model of a condition variable: who waits, every notify, and what each waiter's wake-ups
//! became (the missed-signal detector reads them). `sync::Condvar` is its shell.

use super::clock::Limit;
use super::object::Model;
use super::{Exec, Loc, ObjId, Tid, WaitOn};

/// One `notify_one` or `notify_all`, as the missed-signal detector needs it.
#[derive(Debug)]
pub(crate) struct Notify {
    pub at: Loc,
    pub by: Tid,
    pub all: bool,
    /// The threads waiting when it came (none: the notify was lost).
    pub waiting: Vec<Tid>,
    /// The thread `notify_one` woke.
    pub woke: Option<Tid>,
    /// The woken thread waited again on the same condvar (its wake-up was misdirected).
    pub rewaited: bool,
}

/// A condition variable: who waits, and every notify.
#[derive(Debug, Default)]
pub(crate) struct CondvarState {
    pub waiters: Vec<Tid>,
    pub notifies: Vec<Notify>,
    /// Per thread: wake-ups (by a notify) that ended in another wait on this condvar.
    pub rewaits: Vec<(Tid, usize)>,
    /// Per thread: the notify that woke it last, until it waits again or gives up.
    pub woken_by: Vec<(Tid, usize)>,
    /// Per thread: where its current (last) wait began, as an index into `notifies`, and the
    /// mutex it waits with, and how many critical sections that mutex had then.
    pub wait_began: Vec<(Tid, usize, ObjId, usize)>,
}

impl CondvarState {
    pub(crate) fn rewaits_of(&self, tid: Tid) -> usize {
        self.rewaits.iter().find(|r| r.0 == tid).map_or(0, |r| r.1)
    }
}

impl Model for CondvarState {}

/// How many spurious wake-ups in a row one thread may get: enough to catch a missing `while`,
/// few enough that a correct wait loop always makes progress.
const SPURIOUS_BOUND: usize = 2;

/// One wait on condvar `cv`: atomically join the waiters and release mutex `mutex_id` (held by
/// the current thread), wait until notified, or (with a `timeout`) until its deadline in modelled
/// time passes, or spuriously (a recorded choice), then lock the mutex again. Returns whether
/// time passed.
pub(crate) fn wait(
    exec: &Exec,
    cv: ObjId,
    mutex_id: ObjId,
    timeout: Option<Limit>,
    op: &'static str,
    at: Loc,
) -> bool {
    wait_with(exec, cv, mutex_id, timeout, true, op, at)
}

/// As [`wait`], for a condvar that never wakes spuriously (parking_lot's promises that a wait
/// returns only when notified or timed out).
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) fn wait_no_spurious(
    exec: &Exec,
    cv: ObjId,
    mutex_id: ObjId,
    timeout: Option<Limit>,
    op: &'static str,
    at: Loc,
) -> bool {
    wait_with(exec, cv, mutex_id, timeout, false, op, at)
}

fn wait_with(
    exec: &Exec,
    cv: ObjId,
    mutex_id: ObjId,
    timeout: Option<Limit>,
    may_wake_spuriously: bool,
    op: &'static str,
    at: Loc,
) -> bool {
    let deadline = timeout.map(|limit| exec.timer_begins(limit));
    if !exec.switch(op, at) {
        exec.timer_ends();
        return false;
    }
    let me = exec.me();
    {
        let mut reg = exec.reg();
        // Woken by a notify and waiting again without releasing the mutex in between: the
        // wake-up ended in another wait.
        if let Some((c, n, _)) = reg.threads[me].condvar_wake.take()
            && c == cv
        {
            let state = reg.condvar(cv);
            state.notifies[n].rewaited = true;
            match state.rewaits.iter_mut().find(|r| r.0 == me) {
                Some(r) => r.1 += 1,
                None => state.rewaits.push((me, 1)),
            }
        }
        let state = reg.condvar(cv);
        state.waiters.push(me);
    }
    super::mutex::release(exec, mutex_id);
    {
        // Where this wait began: the notifies so far, and the critical sections so far (after
        // this thread's own, which the release just closed).
        let mut reg = exec.reg();
        let sections = reg.mutex(mutex_id).sections.len();
        let state = reg.condvar(cv);
        let began = (me, state.notifies.len(), mutex_id, sections);
        match state.wait_began.iter_mut().find(|w| w.0 == me) {
            Some(w) => *w = began,
            None => state.wait_began.push(began),
        }
    }
    let spurious = {
        let streak = exec.reg().threads[me].spurious_streak;
        may_wake_spuriously && streak < SPURIOUS_BOUND && exec.spurious_wakeup()
    };
    let timed_out = if spurious {
        exec.reg().threads[me].spurious_streak += 1;
        // A scheduling point, not a yield: whether others run before the thread looks again is
        // the scheduler's choice (a yield would let PCT always run the notifier first).
        exec.switch(op, at);
        false
    } else {
        exec.block_timed(op, WaitOn::Object(cv), at, deadline)
    };
    if deadline.is_some() {
        exec.timer_ends();
    }
    {
        let mut reg = exec.reg();
        let state = reg.condvar(cv);
        let still_waiting = state.waiters.iter().position(|&t| t == me);
        if let Some(i) = still_waiting {
            // Not notified: time passed, or a spurious wake-up.
            state.waiters.remove(i);
        } else if let Some(w) = state.woken_by.iter().position(|w| w.0 == me) {
            let n = state.woken_by.remove(w).1;
            reg.observe(me, cv);
            let t = &mut reg.threads[me];
            t.spurious_streak = 0;
            t.condvar_wake = Some((cv, n, mutex_id));
        }
    }
    super::mutex::acquire(exec, mutex_id, op, at);
    if let Some(mut reg) = exec.live() {
        reg.mutex(mutex_id).holder_waited = true;
    }
    timed_out
}

pub(crate) fn notify(exec: &Exec, cv: ObjId, all: bool, op: &'static str, at: Loc) {
    if !exec.switch(op, at) {
        return;
    }
    let me = exec.me();
    let waiting = exec.reg().condvar(cv).waiters.clone();
    let woken: Vec<usize> = if all {
        waiting.clone()
    } else if waiting.is_empty() {
        Vec::new()
    } else {
        // std promises no order: which waiter wakes is the scheduler's choice.
        let i = if waiting.len() > 1 {
            exec.choose(waiting.len())
        } else {
            0
        };
        vec![waiting[i]]
    };
    let mut reg = exec.reg();
    reg.publish(me, cv);
    let state = reg.condvar(cv);
    let index = state.notifies.len();
    state.notifies.push(Notify {
        at,
        by: me,
        all,
        waiting,
        woke: if all { None } else { woken.first().copied() },
        rewaited: false,
    });
    state.waiters.retain(|t| !woken.contains(t));
    for &t in &woken {
        state.woken_by.retain(|w| w.0 != t);
        state.woken_by.push((t, index));
    }
    for t in woken {
        exec.wake(&mut reg, t);
    }
}
