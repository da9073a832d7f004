//! Timed lock acquisition (parking_lot's `try_lock_for`, `try_read_until`, ...): the wait loop of
//! a lock, but a timed one, with a deadline in modelled time. When its time passes is the time
//! model's rule, as for every timed wait (see [`Exec::block_timed`]).

use super::clock::Limit;
use super::{Exec, Loc, ObjId, Registry, WaitOn};

/// Waits for lock `id` as [`Exec::wait_until`] does, with a timeout (`limit`, from now):
/// `attempt` takes the lock (true) or joins its wait queue (false); when its deadline passes,
/// `give_up` takes the thread off the queue again. Returns whether the lock was taken (or the execution stopped, when nothing is
/// recorded any more and the caller goes on as if it had it).
pub(crate) fn wait_until_timed(
    exec: &Exec,
    op: &'static str,
    id: ObjId,
    at: Loc,
    limit: Limit,
    mut attempt: impl FnMut(&mut Registry) -> bool,
    mut give_up: impl FnMut(&mut Registry),
) -> bool {
    let deadline = exec.timer_begins(limit);
    let got = loop {
        if exec.closed() {
            break true;
        }
        if attempt(&mut exec.reg()) {
            break true;
        }
        if exec.block_timed(op, WaitOn::Object(id), at, Some(deadline)) {
            if let Some(mut reg) = exec.live() {
                give_up(&mut reg);
            }
            break exec.closed();
        }
    };
    exec.timer_ends();
    got
}

/// Takes mutex `id` for the current thread, waiting while another holds it, until `limit`
/// passes; returns whether it took it.
pub(crate) fn acquire_mutex(
    exec: &Exec,
    id: ObjId,
    limit: Limit,
    op: &'static str,
    at: Loc,
) -> bool {
    let me = exec.me();
    exec.reg().lock_attempt(me, id, at);
    wait_until_timed(
        exec,
        op,
        id,
        at,
        limit,
        |reg| super::mutex::take_or_queue(reg, id, me, at),
        |reg| reg.mutex(id).waiters.retain(|&t| t != me),
    )
}
