//! The model of a counting semaphore: its permits, the waiters in the order they came (each
//! with how many permits it wants), and whether it is closed. Permits go to waiters in FIFO
//! order, as tokio's `Semaphore` hands them out: a waiter at the head that wants more than there
//! are holds back those behind it. `sync::Semaphore` is its shell.

use std::collections::VecDeque;

use super::object::Model;
use super::{Exec, Loc, ObjId, Tid, WaitOn};

/// A semaphore: its free permits, who waits for how many, and whether it is closed.
#[derive(Debug, Default)]
pub(crate) struct SemaphoreState {
    pub permits: usize,
    /// The waiters, first come first: (thread, permits it wants).
    pub queue: VecDeque<(Tid, usize)>,
    /// Waiters whose permits were handed to them, not yet woken to take them.
    pub granted: Vec<Tid>,
    pub closed: bool,
}

impl Model for SemaphoreState {}

impl SemaphoreState {
    /// Hands the free permits to the waiters at the head of the queue, in order, while there
    /// are enough for the first; returns those served.
    fn serve(&mut self) -> Vec<Tid> {
        let mut served = Vec::new();
        while let Some(&(tid, wanted)) = self.queue.front() {
            if wanted > self.permits {
                break;
            }
            self.permits -= wanted;
            self.queue.pop_front();
            self.granted.push(tid);
            served.push(tid);
        }
        served
    }
}

/// What a wait for permits came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acquired {
    /// The permits are the caller's.
    Permits,
    /// The semaphore was closed (before or while the caller waited).
    Closed,
}

/// Takes `n` permits of semaphore `id` for the current thread, waiting behind earlier waiters
/// until they are free, or until the semaphore is closed.
pub(crate) fn acquire(exec: &Exec, id: ObjId, n: usize, op: &'static str, at: Loc) -> Acquired {
    let me = exec.me();
    let mut outcome = Acquired::Closed;
    let mut queued = false;
    let got = exec.wait_until(op, WaitOn::Object(id), at, |reg| {
        let s = reg.semaphore(id);
        if let Some(i) = s.granted.iter().position(|&t| t == me) {
            s.granted.remove(i);
            outcome = Acquired::Permits;
            return true;
        }
        if s.closed {
            s.queue.retain(|w| w.0 != me);
            return true;
        }
        if !queued {
            if s.queue.is_empty() && s.permits >= n {
                s.permits -= n;
                outcome = Acquired::Permits;
                return true;
            }
            s.queue.push_back((me, n));
            queued = true;
        }
        false
    });
    if got {
        if outcome == Acquired::Permits {
            exec.reg().observe(me, id);
        }
        outcome
    } else {
        // The execution stopped: what the caller gets no longer matters to anyone.
        Acquired::Closed
    }
}

/// Takes `n` permits of semaphore `id` if they are free and nobody waits before the caller;
/// `Err` with whether it is closed otherwise.
pub(crate) fn try_acquire(exec: &Exec, id: ObjId, n: usize) -> Result<(), bool> {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return Ok(());
    };
    let s = reg.semaphore(id);
    if s.closed {
        return Err(true);
    }
    if !s.queue.is_empty() || s.permits < n {
        return Err(false);
    }
    s.permits -= n;
    reg.observe(me, id);
    Ok(())
}

/// Gives `n` permits back to semaphore `id` (or adds new ones), and wakes the waiters they serve.
pub(crate) fn release(exec: &Exec, id: ObjId, n: usize) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    reg.publish(me, id);
    let s = reg.semaphore(id);
    s.permits += n;
    for tid in s.serve() {
        exec.wake(&mut reg, tid);
    }
}

/// Closes semaphore `id`: every waiter wakes to an error, and later acquires fail.
pub(crate) fn close(exec: &Exec, id: ObjId) {
    let Some(mut reg) = exec.live() else {
        return;
    };
    let s = reg.semaphore(id);
    s.closed = true;
    let waiters: Vec<Tid> = s.queue.iter().map(|w| w.0).collect();
    for tid in waiters {
        exec.wake(&mut reg, tid);
    }
}
