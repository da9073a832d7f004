//! The async acquire every tokio `Semaphore` and `Mutex` shell awaits, on the batch semaphore
//! model (`runtime::async_sem`): a scheduling point per poll, a place in the FIFO queue while it
//! is pending (what the task awaits, for reports), and its place given up when it is dropped.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::key;
use super::futs::forbid_in_runtime;
use crate::runtime::async_sem::{waiter_of, Acquired, AsyncSemState};
use crate::runtime::task as model;
use crate::runtime::waiter;
use crate::runtime::{Exec, Handle, Loc, Registry, WaitOn};

/// Which kind of object the semaphore is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Semaphore,
    Mutex,
    RwLock,
}

/// The semaphore state of object `h`.
pub(crate) fn state(reg: &mut Registry, kind: Kind, h: Handle) -> &mut AsyncSemState {
    match kind {
        Kind::Semaphore => reg.async_semaphore(h.id),
        Kind::Mutex => &mut reg.async_mutex(h.id).0,
        Kind::RwLock => &mut reg.async_rwlock(h.id).0,
    }
}

/// An acquire of `n` permits; its key is the holder's once it completes.
pub(crate) struct AcquireFut {
    pub handle: Handle,
    pub kind: Kind,
    pub key: u64,
    pub n: usize,
    queued: bool,
    done: bool,
    pub op: &'static str,
    pub at: Loc,
}

impl AcquireFut {
    pub(crate) fn new(handle: Handle, kind: Kind, n: usize, op: &'static str, at: Loc) -> Self {
        AcquireFut {
            handle,
            kind,
            key: key(),
            n,
            queued: false,
            done: false,
            op,
            at,
        }
    }

    fn what(&self) -> &'static str {
        match self.kind {
            Kind::Semaphore => "a tokio Semaphore",
            Kind::Mutex => "a tokio Mutex",
            Kind::RwLock => "a tokio RwLock",
        }
    }

    /// One attempt: `Ready(true)` acquired (and held), `Ready(false)` closed.
    fn attempt(&mut self, exec: &Exec, cx: Option<&mut Context<'_>>) -> Poll<bool> {
        let me = exec.me();
        let Some(mut reg) = exec.live() else {
            return Poll::Pending;
        };
        let st = state(&mut reg, self.kind, self.handle);
        let waker = cx.map(|cx| cx.waker().clone());
        match st.acquire(self.key, self.n, self.queued, || {
            waiter_of(me, waker.as_ref())
        }) {
            Acquired::Yes => {
                st.hold(self.key, me, self.at);
                self.done = true;
                Poll::Ready(true)
            }
            Acquired::Closed => Poll::Ready(false),
            Acquired::Queued => {
                self.queued = true;
                Poll::Pending
            }
        }
    }

    /// The thread recipe (`blocking_lock`, `blocking_acquire`): whether it acquired (false:
    /// closed, or the execution stopped).
    pub(crate) fn blocking(mut self) -> bool {
        let exec = self.handle.exec(self.what());
        forbid_in_runtime(&exec);
        loop {
            if !exec.switch(self.op, self.at) {
                return false;
            }
            match self.attempt(&exec, None) {
                Poll::Ready(ok) => return ok,
                Poll::Pending => {
                    exec.block(self.op, WaitOn::Object(self.handle.id), self.at);
                    if exec.closed() {
                        return false;
                    }
                }
            }
        }
    }
}

impl Future for AcquireFut {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let exec = self.handle.exec(self.what());
        if !exec.switch(self.op, self.at) {
            return Poll::Pending;
        }
        let out = self.attempt(&exec, Some(cx));
        if out.is_pending() {
            model::awaits(&exec, self.op, WaitOn::Object(self.handle.id), self.at);
        }
        out
    }
}

impl Drop for AcquireFut {
    fn drop(&mut self) {
        if self.done || !self.queued {
            return;
        }
        let Some(exec) = self.handle.live() else {
            return;
        };
        let wake = {
            let Ok(mut reg) = exec.reg.try_borrow_mut() else {
                return;
            };
            state(&mut reg, self.kind, self.handle).cancel(self.key, self.n)
        };
        waiter::wake_all(&exec, wake);
    }
}

/// `try_acquire` of `n` on `h` at `at`: the holder's key if it took them, else whether it is
/// closed (`Err(true)`).
pub(crate) fn try_acquire(
    h: Handle,
    kind: Kind,
    n: usize,
    op: &'static str,
    at: Loc,
) -> Result<u64, bool> {
    let exec = h.exec("a tokio lock");
    exec.switch(op, at);
    let me = exec.me();
    let mut reg = exec.reg();
    let st = state(&mut reg, kind, h);
    if st.try_acquire(n) {
        let k = key();
        st.hold(k, me, at);
        Ok(k)
    } else {
        Err(st.closed)
    }
}

/// Holder `key` gives back `n` permits (`forget`: keeps them away).
pub(crate) fn release(h: Handle, kind: Kind, key: u64, n: usize, forget: bool) {
    give(h, kind, Some(key), if forget { 0 } else { n });
}

/// A holder gives back `n` of its permits and keeps the rest (a write lock downgraded to a
/// read lock).
pub(crate) fn give_back(h: Handle, kind: Kind, n: usize) {
    give(h, kind, None, n);
}

/// `n` permits go back to `h`; holder `ends`, if any, holds no more.
fn give(h: Handle, kind: Kind, ends: Option<u64>, n: usize) {
    let Some(exec) = h.live() else {
        return;
    };
    let wake = {
        let Ok(mut reg) = exec.reg.try_borrow_mut() else {
            return;
        };
        let st = state(&mut reg, kind, h);
        if let Some(key) = ends {
            st.unhold(key);
        }
        st.release(n)
    };
    waiter::wake_all(&exec, wake);
}
