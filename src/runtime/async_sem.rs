//! The model of tokio's batch semaphore, which its `Semaphore` and `Mutex` are made of: free
//! permits, waiters first come first served, and closing. As tokio's: an acquire that cannot
//! be served at once takes what is free and queues for the rest; permits released while
//! waiters queue go to the head of the queue (a head that wants more than there are holds back
//! those behind it); a waiter whose permits are all assigned holds them even before it is
//! polled again; a queued waiter dropped gives back what was assigned to it. For a lock, the
//! holders (task or thread, and where each took it) are what the detectors show.

use std::collections::VecDeque;
use std::task::Waker;

use super::object::Model;
use super::waiter::Waiter;
use super::{Loc, Tid};

/// A queued acquire.
#[derive(Debug)]
pub(crate) struct SemWaiter {
    pub key: u64,
    pub wanted: usize,
    pub assigned: usize,
    /// Who to wake (taken when it is woken by a close).
    pub waiter: Option<Waiter>,
}

/// A batch semaphore (a tokio `Semaphore`, or the semaphore of a tokio `Mutex`).
#[derive(Debug, Default)]
pub(crate) struct AsyncSemState {
    pub permits: usize,
    pub queue: VecDeque<SemWaiter>,
    /// Queued acquires whose permits were all assigned, not polled since.
    pub granted: Vec<u64>,
    pub closed: bool,
    /// Who holds it, and where they took it (a lock's guards; a semaphore's permits).
    pub holders: Vec<(u64, Tid, Loc)>,
}

impl Model for AsyncSemState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.holders.iter().map(|h| (h.1, h.2)).collect()
    }
}

/// What one attempt to acquire came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Acquired {
    Yes,
    Closed,
    Queued,
}

impl AsyncSemState {
    /// One attempt of acquire `key` (`queued`: it queued before) for `n` permits.
    pub(crate) fn acquire(
        &mut self,
        key: u64,
        n: usize,
        queued: bool,
        waiter: impl FnOnce() -> Waiter,
    ) -> Acquired {
        if self.closed {
            return Acquired::Closed;
        }
        if queued {
            if let Some(i) = self.granted.iter().position(|k| *k == key) {
                self.granted.remove(i);
                return Acquired::Yes;
            }
            if let Some(w) = self.queue.iter_mut().find(|w| w.key == key) {
                w.waiter = Some(waiter());
            }
            return Acquired::Queued;
        }
        if self.permits >= n {
            self.permits -= n;
            return Acquired::Yes;
        }
        let assigned = std::mem::take(&mut self.permits);
        self.queue.push_back(SemWaiter {
            key,
            wanted: n,
            assigned,
            waiter: Some(waiter()),
        });
        Acquired::Queued
    }

    /// `try_acquire` of `n`: whether it took them.
    pub(crate) fn try_acquire(&mut self, n: usize) -> bool {
        if self.closed || self.permits < n {
            return false;
        }
        self.permits -= n;
        true
    }

    /// Gives back `n` permits: to the waiters at the head of the queue, then to the free ones.
    /// Returns the waiters to wake.
    pub(crate) fn release(&mut self, mut n: usize) -> Vec<Waiter> {
        let mut wake = Vec::new();
        while n > 0 && !self.closed {
            let Some(head) = self.queue.front_mut() else {
                break;
            };
            let give = n.min(head.wanted - head.assigned);
            head.assigned += give;
            n -= give;
            if head.assigned == head.wanted {
                let w = self.queue.pop_front().expect("the head");
                self.granted.push(w.key);
                wake.extend(w.waiter);
            }
        }
        self.permits += n;
        wake
    }

    /// Acquire `key` is dropped before it completed: what was assigned to it goes back.
    pub(crate) fn cancel(&mut self, key: u64, n: usize) -> Vec<Waiter> {
        if let Some(i) = self.granted.iter().position(|k| *k == key) {
            self.granted.remove(i);
            return self.release(n);
        }
        let Some(i) = self.queue.iter().position(|w| w.key == key) else {
            return Vec::new();
        };
        let w = self.queue.remove(i).expect("found");
        self.release(w.assigned)
    }

    /// Closes it: every queued acquire fails when polled (and gives back what was assigned to
    /// it when dropped, as tokio's).
    pub(crate) fn close(&mut self) -> Vec<Waiter> {
        self.closed = true;
        self.queue
            .iter_mut()
            .filter_map(|w| w.waiter.take())
            .collect()
    }

    /// Notes `key` as held by `tid` since `at`.
    pub(crate) fn hold(&mut self, key: u64, tid: Tid, at: Loc) {
        self.holders.push((key, tid, at));
    }

    /// `key` is no longer held.
    pub(crate) fn unhold(&mut self, key: u64) {
        self.holders.retain(|h| h.0 != key);
    }
}

/// A waker for [`Waiter::Task`], or the current thread.
pub(crate) fn waiter_of(tid: Tid, waker: Option<&Waker>) -> Waiter {
    match waker {
        Some(w) => Waiter::Task(w.clone()),
        None => Waiter::Thread(tid),
    }
}

/// A tokio `Mutex`: a batch semaphore of one permit, reported as a mutex.
#[derive(Debug, Default)]
pub(crate) struct AsyncMutexState(pub AsyncSemState);

impl Model for AsyncMutexState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.0.holders()
    }

    fn waits_for(&self, _tid: Tid, _reg: &super::Registry) -> Option<Tid> {
        match self.0.holders.as_slice() {
            [(_, holder, _)] => Some(*holder),
            _ => None,
        }
    }
}

/// A tokio `RwLock`: a batch semaphore of `max_reads` permits, a read taking one and a write
/// all of them, so the FIFO queue makes it fair and write-preferring, as tokio's.
#[derive(Debug, Default)]
pub(crate) struct AsyncRwLockState(pub AsyncSemState);

impl Model for AsyncRwLockState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.0.holders()
    }
}
