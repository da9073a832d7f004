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
