//! `Sender::closed` of `watch` and `broadcast`: a future ready once the channel is closed to
//! the sender (no receiver left, or closed), registered with the channel's model while it waits.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::chan::key;
use crate::runtime::task as model;
use crate::runtime::{Exec, Loc, ObjId, WaitOn};

/// A channel model whose senders can await its closing.
pub(crate) trait ClosedSource {
    /// The execution the channel belongs to (which must be the current one).
    fn chan_exec(&self) -> Rc<Exec>;
    /// The channel's object, for reports.
    fn chan_id(&self) -> ObjId;
    /// One attempt: ready once closed; else future `key` is registered, woken through `waker`.
    fn poll_closed(&self, exec: &Exec, key: u64, waker: &Waker) -> Poll<()>;
    /// Future `key` waits no more.
    fn forget_closed(&self, key: u64);
}

/// The future of `Sender::closed`.
pub(crate) struct ClosedFut<'a, C: ClosedSource> {
    chan: &'a C,
    key: u64,
    at: Loc,
}

impl<'a, C: ClosedSource> ClosedFut<'a, C> {
    /// `Sender::closed` on `chan`, called at `at`.
    pub(crate) fn new(chan: &'a C, at: Loc) -> Self {
        ClosedFut {
            chan,
            key: key(),
            at,
        }
    }
}

impl<C: ClosedSource> Future for ClosedFut<'_, C> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let exec = self.chan.chan_exec();
        let op = "Sender::closed";
        if !exec.switch(op, self.at) {
            return Poll::Pending;
        }
        let out = self.chan.poll_closed(&exec, self.key, cx.waker());
        if out.is_pending() {
            model::awaits(&exec, op, WaitOn::Object(self.chan.chan_id()), self.at);
        }
        out
    }
}

impl<C: ClosedSource> Drop for ClosedFut<'_, C> {
    fn drop(&mut self) {
        self.chan.forget_closed(self.key);
    }
}
