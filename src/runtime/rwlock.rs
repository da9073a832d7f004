//! The model of a reader-writer lock: who holds it (readers or one writer), who waits, and which
//! writers new readers queue behind. `sync::RwLock` is its shell.

use super::object::Model;
use super::{Exec, Loc, ObjId, Registry, Tid, WaitOn};

/// A reader-writer lock: who holds it (readers or one writer), and who waits.
#[derive(Debug, Default)]
pub(crate) struct RwLockState {
    pub readers: Vec<(Tid, Loc)>,
    pub writer: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
    /// Writers waiting now (a new reader may or may not queue behind them).
    pub waiting_writers: usize,
    /// The writers waiting now, in the order they began to wait (`waiting_writers` of them).
    pub queued_writers: Vec<Tid>,
    /// The readers waiting now only because they queued behind waiting writers (the scheduler
    /// chose "a waiting writer blocks new readers" and no writer held the lock).
    pub queued_readers: Vec<Tid>,
}

impl Model for RwLockState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.writer
            .into_iter()
            .chain(self.readers.iter().copied())
            .collect()
    }

    fn waits_for(&self, tid: Tid, _: &Registry) -> Option<Tid> {
        match (self.writer, self.readers.as_slice()) {
            (Some((t, _)), _) => Some(t),
            // A reader queued behind waiting writers waits for them.
            _ if self.queued_readers.contains(&tid) => match self.queued_writers.as_slice() {
                [w] => Some(*w),
                _ => None,
            },
            (None, [(t, _)]) => Some(*t),
            _ => None,
        }
    }
}

/// Whether a reader may pass the writers waiting now: std leaves it to the platform, so it is a
/// recorded scheduler choice.
fn reader_passes_writers(exec: &Exec) -> bool {
    exec.choose(2) == 0
}

/// Takes a shared hold of lock `id` for the current thread, waiting while a writer holds it or
/// (as the scheduler chooses) while writers wait for it.
pub(crate) fn acquire_read(exec: &Exec, id: ObjId, op: &'static str, at: Loc) {
    let me = exec.me();
    exec.reg().lock_attempt(me, id, at);
    exec.wait_until(op, WaitOn::Object(id), at, |reg| {
        let l = reg.rwlock(id);
        l.queued_readers.retain(|&t| t != me);
        let free = l.writer.is_none();
        if free && (l.waiting_writers == 0 || reader_passes_writers(exec)) {
            l.readers.push((me, at));
            reg.lock_taken(me, id, at);
            return true;
        }
        if free {
            // The lock is free of writers: this reader waits only behind the waiting ones.
            l.queued_readers.push(me);
        }
        l.waiters.push(me);
        false
    });
}

/// Takes lock `id` for writing, waiting while any thread holds it. A thread that asks for it
/// while holding it (for reading or writing) waits forever: the detectors report it.
pub(crate) fn acquire_write(exec: &Exec, id: ObjId, op: &'static str, at: Loc) {
    let me = exec.me();
    exec.reg().lock_attempt(me, id, at);
    let mut queued = false;
    exec.wait_until(op, WaitOn::Object(id), at, |reg| {
        let l = reg.rwlock(id);
        if l.writer.is_none() && l.readers.is_empty() {
            l.writer = Some((me, at));
            if queued {
                l.waiting_writers -= 1;
                l.queued_writers.retain(|&t| t != me);
            }
            reg.lock_taken(me, id, at);
            return true;
        }
        if !queued {
            queued = true;
            l.waiting_writers += 1;
            l.queued_writers.push(me);
        }
        l.waiters.push(me);
        false
    });
}

/// Takes a shared hold of lock `id` if no writer holds it (and, as the scheduler chooses, none
/// waits); returns whether it did (or the execution has stopped).
pub(crate) fn try_read(exec: &Exec, id: ObjId, at: Loc) -> bool {
    if exec.closed() {
        return true;
    }
    let me = exec.me();
    let (free, writers_wait) = {
        let mut reg = exec.reg();
        let l = reg.rwlock(id);
        (l.writer.is_none(), l.waiting_writers > 0)
    };
    if !(free && (!writers_wait || reader_passes_writers(exec))) {
        return false;
    }
    let mut reg = exec.reg();
    reg.rwlock(id).readers.push((me, at));
    reg.lock_attempt(me, id, at);
    reg.lock_taken(me, id, at);
    true
}

/// Takes lock `id` for writing if no thread holds it; returns whether it did (or the execution
/// has stopped).
pub(crate) fn try_write(exec: &Exec, id: ObjId, at: Loc) -> bool {
    if exec.closed() {
        return true;
    }
    let me = exec.me();
    let mut reg = exec.reg();
    let l = reg.rwlock(id);
    if l.writer.is_some() || !l.readers.is_empty() {
        return false;
    }
    l.writer = Some((me, at));
    reg.lock_attempt(me, id, at);
    reg.lock_taken(me, id, at);
    true
}

/// Releases one hold of lock `id` by the current thread (a read hold, or the write hold), and
/// wakes the waiters if that frees it (they all try again: which one wins is the scheduler's
/// choice).
pub(crate) fn release(exec: &Exec, id: ObjId, write: bool) {
    let me = exec.me();
    let mut reg = exec.reg();
    let l = reg.rwlock(id);
    if write {
        l.writer = None;
    } else if let Some(i) = l.readers.iter().rposition(|r| r.0 == me) {
        l.readers.remove(i);
    }
    // While readers remain, nothing a waiter waits for has changed.
    let waiters = if l.readers.is_empty() {
        std::mem::take(&mut l.waiters)
    } else {
        Vec::new()
    };
    reg.lock_released(me, id);
    for w in waiters {
        exec.wake(&mut reg, w);
    }
}

/// Turns the current thread's write hold of lock `id` into a read hold, in one step (no writer
/// can take the lock in between), and wakes the waiters: waiting readers may now enter.
pub(crate) fn downgrade(exec: &Exec, id: ObjId, at: Loc) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let l = reg.rwlock(id);
    if l.writer.is_some_and(|(t, _)| t == me) {
        l.writer = None;
        l.readers.push((me, at));
    }
    let waiters = std::mem::take(&mut l.waiters);
    for w in waiters {
        exec.wake(&mut reg, w);
    }
}
