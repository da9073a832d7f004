//! The model of parking_lot's reader-writer lock: task-fair and writer-preferring, with an
//! upgradable read. Who holds it (readers, the upgradable reader, or one writer), who waits,
//! and which writers wait. `parking_lot::RwLock` is its shell; reports name it `rwlock`.
//!
//! The rules are parking_lot's (its `RawRwLock`): a reader waits while a writer holds the lock
//! *or waits for it* (so a thread that takes a second read guard while a writer waits
//! deadlocks, as parking_lot documents; `read_recursive` passes waiting writers while the lock
//! is read-held); one upgradable reader at a time shares the lock with plain readers and waits,
//! as readers do, behind waiting writers; a writer waits for every holder; an upgrade waits for
//! the plain readers to leave and meanwhile counts as a waiting writer. Which of the waiters
//! woken by an unlock takes the lock first is the scheduler's choice (parking_lot's own
//! unlocks let a newcomer barge in as well; its fair unlocks hand over in order: that ordering is
//! not modelled, every interleaving of the woken waiters is explored).

use super::object::Model;
use super::timed::wait_until_timed;
use super::{Exec, Loc, ObjId, Registry, Tid, WaitOn};

/// What a thread asks of the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A shared hold that waits behind waiting writers.
    Read,
    /// A shared hold that passes waiting writers while the lock is read-held.
    ReadRecursive,
    /// The one upgradable shared hold.
    Upgradable,
    /// The exclusive hold.
    Write,
    /// The upgradable reader's upgrade to the exclusive hold.
    Upgrade,
}

impl Mode {
    fn writes(self) -> bool {
        matches!(self, Mode::Write | Mode::Upgrade)
    }
}

/// parking_lot's reader-writer lock: its holders, its waiters, and its waiting writers.
#[derive(Debug, Default)]
pub(crate) struct FairRwLockState {
    pub readers: Vec<(Tid, Loc)>,
    pub upgradable: Option<(Tid, Loc)>,
    pub writer: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
    /// The writers (and upgrading readers) waiting now, in the order they began to wait.
    pub queued_writers: Vec<Tid>,
}

fn single(mut tids: impl Iterator<Item = Tid>) -> Option<Tid> {
    match (tids.next(), tids.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

impl Model for FairRwLockState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.writer
            .into_iter()
            .chain(self.upgradable)
            .chain(self.readers.iter().copied())
            .collect()
    }

    fn waits_for(&self, tid: Tid, _: &Registry) -> Option<Tid> {
        if let Some((t, _)) = self.writer {
            return Some(t);
        }
        if self.queued_writers.contains(&tid) {
            // A writer, or an upgrade, waits for the shared holders.
            let shared = self
                .readers
                .iter()
                .map(|r| r.0)
                .chain(self.upgradable.map(|u| u.0));
            return single(shared.filter(|&t| t != tid));
        }
        if !self.queued_writers.is_empty() {
            // A reader queued behind waiting writers.
            return single(self.queued_writers.iter().copied());
        }
        self.upgradable.map(|u| u.0)
    }
}

impl FairRwLockState {
    fn admits(&self, mode: Mode) -> bool {
        if self.writer.is_some() {
            return false;
        }
        let writers_wait = !self.queued_writers.is_empty();
        match mode {
            Mode::Read => !writers_wait,
            Mode::ReadRecursive => {
                !writers_wait || !self.readers.is_empty() || self.upgradable.is_some()
            }
            Mode::Upgradable => self.upgradable.is_none() && !writers_wait,
            Mode::Write => self.readers.is_empty() && self.upgradable.is_none(),
            Mode::Upgrade => self.readers.is_empty(),
        }
    }

    fn take(&mut self, me: Tid, mode: Mode, at: Loc) {
        match mode {
            Mode::Read | Mode::ReadRecursive => self.readers.push((me, at)),
            Mode::Upgradable => self.upgradable = Some((me, at)),
            Mode::Write => self.writer = Some((me, at)),
            Mode::Upgrade => {
                let since = self.upgradable.take().map_or(at, |u| u.1);
                self.writer = Some((me, since));
            }
        }
    }
}

/// One attempt of a wait loop: take the lock in `mode`, or join its waiters (and, a writer,
/// its waiting writers).
fn attempt(reg: &mut Registry, id: ObjId, me: Tid, mode: Mode, at: Loc) -> bool {
    let l = reg.fair_rwlock(id);
    if l.admits(mode) {
        l.queued_writers.retain(|&t| t != me);
        l.take(me, mode, at);
        if mode != Mode::Upgrade {
            reg.lock_taken(me, id, at);
        }
        return true;
    }
    if mode.writes() && !l.queued_writers.contains(&me) {
        l.queued_writers.push(me);
    }
    l.waiters.push(me);
    false
}

/// Wakes every waiter of lock `id`: they all try again.
fn wake_all(exec: &Exec, reg: &mut Registry, id: ObjId) {
    let waiters = std::mem::take(&mut reg.fair_rwlock(id).waiters);
    for w in waiters {
        exec.wake(reg, w);
    }
}

/// Takes lock `id` in `mode` for the current thread, waiting as parking_lot's lock makes it.
pub(crate) fn acquire(exec: &Exec, id: ObjId, mode: Mode, op: &'static str, at: Loc) {
    let me = exec.me();
    if mode != Mode::Upgrade {
        exec.reg().lock_attempt(me, id, at);
    }
    exec.wait_until(op, WaitOn::Object(id), at, |reg| {
        attempt(reg, id, me, mode, at)
    });
}

/// Takes lock `id` in `mode` if that needs no waiting; returns whether it did (or the
/// execution has stopped).
pub(crate) fn try_acquire(exec: &Exec, id: ObjId, mode: Mode, at: Loc) -> bool {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return true;
    };
    let l = reg.fair_rwlock(id);
    if !l.admits(mode) {
        return false;
    }
    l.take(me, mode, at);
    if mode != Mode::Upgrade {
        reg.lock_attempt(me, id, at);
        reg.lock_taken(me, id, at);
    }
    true
}

/// As [`acquire`], but giving up when `limit` passes; returns whether it took the lock.
pub(crate) fn acquire_timed(
    exec: &Exec,
    id: ObjId,
    mode: Mode,
    limit: super::clock::Limit,
    op: &'static str,
    at: Loc,
) -> bool {
    let me = exec.me();
    if mode != Mode::Upgrade {
        exec.reg().lock_attempt(me, id, at);
    }
    wait_until_timed(
        exec,
        op,
        id,
        at,
        limit,
        |reg| attempt(reg, id, me, mode, at),
        |reg| {
            let l = reg.fair_rwlock(id);
            l.waiters.retain(|&t| t != me);
            let was_queued = l.queued_writers.contains(&me);
            l.queued_writers.retain(|&t| t != me);
            if was_queued {
                // Readers queued behind this writer may go now.
                wake_all(exec, reg, id);
            }
        },
    )
}

/// Releases the current thread's hold of lock `id` taken in `mode` (`Upgrade`: the write hold),
/// and wakes the waiters.
pub(crate) fn release(exec: &Exec, id: ObjId, mode: Mode) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let l = reg.fair_rwlock(id);
    match mode {
        Mode::Read | Mode::ReadRecursive => {
            if let Some(i) = l.readers.iter().rposition(|r| r.0 == me) {
                l.readers.remove(i);
            }
        }
        Mode::Upgradable => l.upgradable = None,
        Mode::Write | Mode::Upgrade => l.writer = None,
    }
    reg.lock_released(me, id);
    wake_all(exec, &mut reg, id);
}

/// Turns the current thread's exclusive or upgradable hold of lock `id` into a weaker one
/// (`to`: `Read` or `Upgradable`) without letting go, and wakes the waiters that may now enter.
pub(crate) fn downgrade(exec: &Exec, id: ObjId, from: Mode, to: Mode) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let l = reg.fair_rwlock(id);
    let since = match from {
        Mode::Upgradable => l.upgradable.take(),
        _ => l.writer.take(),
    };
    let Some((_, since)) = since else { return };
    match to {
        Mode::Upgradable => l.upgradable = Some((me, since)),
        _ => l.readers.push((me, since)),
    }
    wake_all(exec, &mut reg, id);
}

/// Whether lock `id` is held at all, and whether exclusively.
pub(crate) fn locked(exec: &Exec, id: ObjId) -> (bool, bool) {
    let mut reg = exec.reg();
    let l = reg.fair_rwlock(id);
    let exclusive = l.writer.is_some();
    (
        exclusive || l.upgradable.is_some() || !l.readers.is_empty(),
        exclusive,
    )
}
