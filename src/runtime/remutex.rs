//! The model of a reentrant mutex (parking_lot's `ReentrantMutex`): the thread that owns it,
//! since where, how many times it locked it, and who waits. The owner may lock it again without
//! waiting; every other thread waits until the owner has unlocked it as many times as it locked
//! it. `parking_lot::ReentrantMutex` is its shell.

use super::object::Model;
use super::timed::wait_until_timed;
use super::{Exec, Loc, ObjId, Registry, Tid, WaitOn};

/// A reentrant mutex: its owner (and where it first locked it), the owner's lock count, and
/// who waits.
#[derive(Debug, Default)]
pub(crate) struct RemutexState {
    pub owner: Option<(Tid, Loc)>,
    pub count: usize,
    pub waiters: Vec<Tid>,
}

impl Model for RemutexState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.owner.into_iter().collect()
    }

    fn waits_for(&self, _: Tid, _: &Registry) -> Option<Tid> {
        self.owner.map(|(t, _)| t)
    }
}

/// The lock of `me`, if it owns the mutex already: one more count, no wait.
fn relock(reg: &mut Registry, id: ObjId, me: Tid, at: Loc) -> bool {
    let r = reg.remutex(id);
    if r.owner.is_some_and(|(t, _)| t == me) {
        r.count += 1;
        reg.lock_taken(me, id, at);
        true
    } else {
        false
    }
}

/// The attempt of the wait loop: take the free mutex, or join its waiters.
fn take(reg: &mut Registry, id: ObjId, me: Tid, at: Loc) -> bool {
    let r = reg.remutex(id);
    if r.owner.is_none() {
        r.owner = Some((me, at));
        r.count = 1;
        reg.lock_taken(me, id, at);
        true
    } else {
        r.waiters.push(me);
        false
    }
}

/// Locks reentrant mutex `id` for the current thread: at once if it owns it, else waiting
/// while another thread does.
pub(crate) fn acquire(exec: &Exec, id: ObjId, op: &'static str, at: Loc) {
    let me = exec.me();
    {
        let Some(mut reg) = exec.live() else {
            return;
        };
        if relock(&mut reg, id, me, at) {
            return;
        }
        reg.lock_attempt(me, id, at);
    }
    exec.wait_until(op, WaitOn::Object(id), at, |reg| take(reg, id, me, at));
}

/// Locks reentrant mutex `id` if the current thread owns it or nobody does; returns whether it
/// did (or the execution has stopped).
pub(crate) fn try_acquire(exec: &Exec, id: ObjId, at: Loc) -> bool {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return true;
    };
    if relock(&mut reg, id, me, at) {
        return true;
    }
    if reg.remutex(id).owner.is_some() {
        return false;
    }
    reg.lock_attempt(me, id, at);
    take(&mut reg, id, me, at)
}

/// As [`acquire`], but giving up when `limit` passes; returns whether it locked it.
pub(crate) fn acquire_timed(
    exec: &Exec,
    id: ObjId,
    limit: super::clock::Limit,
    op: &'static str,
    at: Loc,
) -> bool {
    let me = exec.me();
    {
        let Some(mut reg) = exec.live() else {
            return true;
        };
        if relock(&mut reg, id, me, at) {
            return true;
        }
        reg.lock_attempt(me, id, at);
    }
    wait_until_timed(
        exec,
        op,
        id,
        at,
        limit,
        |reg| take(reg, id, me, at),
        |reg| reg.remutex(id).waiters.retain(|&t| t != me),
    )
}

/// Unlocks reentrant mutex `id` once (the current thread owns it); the last unlock frees it and
/// every waiter tries again (which one wins is the scheduler's choice).
pub(crate) fn release(exec: &Exec, id: ObjId) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let r = reg.remutex(id);
    r.count = r.count.saturating_sub(1);
    let waiters = if r.count == 0 {
        r.owner = None;
        std::mem::take(&mut r.waiters)
    } else {
        Vec::new()
    };
    reg.lock_released(me, id);
    for w in waiters {
        exec.wake(&mut reg, w);
    }
}

/// Whether the mutex is locked, and whether by the current thread.
pub(crate) fn owned(exec: &Exec, id: ObjId) -> (bool, bool) {
    let me = exec.me();
    let owner = exec.reg().remutex(id).owner;
    (owner.is_some(), owner.is_some_and(|(t, _)| t == me))
}
