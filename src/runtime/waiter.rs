//! Who waits on an async primitive (`crate::tokio::sync`), and how the detectors see the wait.
//!
//! A waiter is a task (its waker, woken like tokio's) or a thread in a blocking call
//! (`blocking_recv`, `blocking_send`: woken as the thread recipe wakes threads). Wakers are
//! woken with the registry released ([`wake_all`]): a wake looks at the registry.
//!
//! A pending channel operation is registered as the waiting thread's selection arm and among the
//! channel's waiters ([`park`]), exactly as a blocked crossbeam operation is, so the view's
//! `Blocked.channels` lists the channel's live ends and `UnclosedChannel` sees the waiter; the
//! future that made it removes it when it completes or is dropped ([`unpark`]).

use std::task::Waker;

use super::channel::{Dir, Selection};
use super::{Exec, ObjId, Tid};

/// A task or a thread waiting on an object.
#[derive(Debug)]
pub(crate) enum Waiter {
    /// A task's future, pending: woken through its waker.
    Task(Waker),
    /// A thread blocked in a blocking call.
    Thread(Tid),
}

impl Waiter {
    /// The waiter for the current poll's context (`Some` waker) or the current thread.
    pub(crate) fn of(exec: &Exec, waker: Option<&Waker>) -> Self {
        match waker {
            Some(w) => Waiter::Task(w.clone()),
            None => Waiter::Thread(exec.me()),
        }
    }
}

/// The pending futures waiting on one thing, each by its key: a future sets its waiter each
/// time it returns `Pending`, and takes it out when it completes or is dropped.
#[derive(Debug, Default)]
pub(crate) struct Keyed(Vec<(u64, Waiter)>);

impl Keyed {
    /// Future `key` waits, as `w` (replacing the waiter it set before, if any).
    pub(crate) fn set(&mut self, key: u64, w: Waiter) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = w,
            None => self.0.push((key, w)),
        }
    }

    /// Future `key` waits no more: its waiter, if it had one, to be dropped by the caller once
    /// its borrows are released (dropping a waker may look at the registry).
    #[must_use]
    pub(crate) fn remove(&mut self, key: u64) -> Option<Waiter> {
        let i = self.0.iter().position(|(k, _)| *k == key)?;
        Some(self.0.remove(i).1)
    }

    /// Every waiter, taken out (to wake with [`wake_all`]).
    pub(crate) fn take(&mut self) -> Vec<Waiter> {
        std::mem::take(&mut self.0)
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }
}

/// Wakes `waiters`; the caller holds no borrow of the registry.
pub(crate) fn wake_all(exec: &Exec, waiters: impl IntoIterator<Item = Waiter>) {
    for w in waiters {
        match w {
            Waiter::Task(w) => w.wake(),
            Waiter::Thread(tid) => {
                if let Some(mut reg) = exec.live() {
                    exec.wake(&mut reg, tid);
                }
            }
        }
    }
}

/// The current thread waits (pending or blocked) on channel `id` in direction `dir`: one arm of
/// its selection, and one of the channel's waiters.
pub(crate) fn park(exec: &Exec, id: ObjId, dir: Dir) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let c = reg.channel(id);
    if !c.waiters.iter().any(|w| w.0 == me && w.2 == dir) {
        c.waiters.push((me, 0, dir));
    }
    let sel = reg.threads[me]
        .selection
        .get_or_insert_with(Selection::default);
    if !sel.arms.contains(&(id, dir)) {
        sel.arms.push((id, dir));
    }
}

/// Thread `tid` no longer waits on channel `id` in direction `dir`.
pub(crate) fn unpark(exec: &Exec, tid: Tid, id: ObjId, dir: Dir) {
    let Some(mut reg) = exec.live() else {
        return;
    };
    reg.channel(id)
        .waiters
        .retain(|w| !(w.0 == tid && w.2 == dir));
    let t = &mut reg.threads[tid];
    if let Some(sel) = t.selection.as_mut() {
        sel.arms.retain(|a| *a != (id, dir));
        if sel.arms.is_empty() {
            t.selection = None;
        }
    }
}
