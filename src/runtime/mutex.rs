//! The model of a mutex: who holds it and since where, who waits, and every critical section
//! (the missed-signal detector reads them). `sync::Mutex` is its shell.

use super::object::Model;
use super::{Exec, Loc, ObjId, Registry, Tid, WaitOn};

/// A mutex: who holds it, since where, and who waits for it.
#[derive(Debug, Default)]
pub(crate) struct MutexState {
    pub holder: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
    /// Every critical section so far: who, and where it locked (the state it guards may have
    /// changed there). Sections entered by waking from a condvar wait are not counted.
    pub sections: Vec<(Tid, Loc)>,
    /// The holder took it back after a condvar wait.
    pub holder_waited: bool,
}

impl Model for MutexState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.holder.into_iter().collect()
    }

    fn waits_for(&self, _: Tid, _: &Registry) -> Option<Tid> {
        self.holder.map(|(t, _)| t)
    }
}

/// Takes mutex `id` for the current thread, waiting while another holds it. A thread that locks
/// a mutex it already holds waits forever: the detectors report it as a deadlock.
pub(crate) fn acquire(exec: &Exec, id: ObjId, op: &'static str, at: Loc) {
    let me = exec.me();
    exec.reg().lock_attempt(me, id, at);
    exec.wait_until(op, WaitOn::Object(id), at, |reg| {
        take_or_queue(reg, id, me, at)
    });
}

/// One attempt of thread `me` at mutex `id`: takes it if it is free, or joins its waiters.
pub(crate) fn take_or_queue(reg: &mut Registry, id: ObjId, me: Tid, at: Loc) -> bool {
    let m = reg.mutex(id);
    if m.holder.is_none() {
        m.holder = Some((me, at));
        reg.lock_taken(me, id, at);
        true
    } else {
        m.waiters.push(me);
        false
    }
}

/// Takes mutex `id` for the current thread if it is free; returns whether it did (or the
/// execution has stopped, when nothing is recorded any more).
pub(crate) fn try_acquire(exec: &Exec, id: ObjId, at: Loc) -> bool {
    let me = exec.me();
    let mut reg = exec.reg();
    let m = reg.mutex(id);
    if m.holder.is_none() {
        m.holder = Some((me, at));
        reg.lock_attempt(me, id, at);
        reg.lock_taken(me, id, at);
        true
    } else {
        exec.closed()
    }
}

/// Releases mutex `id`, held by the current thread, without a scheduling point; every waiter
/// tries again (which one wins is the scheduler's choice).
pub(crate) fn release(exec: &Exec, id: ObjId) {
    let me = exec.me();
    let mut reg = exec.reg();
    let m = reg.mutex(id);
    if let Some(section) = m.holder.take()
        && !std::mem::take(&mut m.holder_waited)
    {
        m.sections.push(section);
    }
    let waiters = std::mem::take(&mut m.waiters);
    reg.lock_released(me, id);
    for w in waiters {
        exec.wake(&mut reg, w);
    }
}
