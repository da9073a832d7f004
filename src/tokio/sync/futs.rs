//! The model futures every mpsc shell awaits: sending (a permit, then the message), reserving,
//! receiving, and waiting for the receiver to close. Each is a scheduling point when polled,
//! registers what it waits for when it returns `Pending`, and leaves the wait queue when it is
//! dropped before it completes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use leakcheck_schema::Role;

use super::chan::{key, Acquire, Chan, Parked, Tx};
use crate::runtime::channel::Dir;
use crate::runtime::task as model;
use crate::runtime::{Exec, Loc, Tid, WaitOn};

/// Panics as tokio's blocking calls do on a thread that drives async tasks (a task, or inside
/// `block_on`); a blocking task (`spawn_blocking`) or a plain thread may block.
pub(crate) fn forbid_in_runtime(exec: &Exec) {
    let me = exec.me();
    let in_task = {
        let reg = exec.reg();
        let t = &reg.threads[me];
        t.task.is_some() && t.role != Role::BlockingTask
    };
    if in_task {
        panic!(
            "Cannot block the current thread from within a runtime. This happens because a \
             function attempted to block the current thread while the thread is being used to \
             drive asynchronous tasks."
        );
    }
}

/// Acquiring a permit (bounded) for a send or a reservation.
pub(crate) struct AcquireFut<'a, T> {
    pub tx: &'a Tx<T>,
    pub acq: Acquire,
    pub op: &'static str,
    pub at: Loc,
    pub done: bool,
}

impl<'a, T> AcquireFut<'a, T> {
    pub(crate) fn new(tx: &'a Tx<T>, op: &'static str, at: Loc) -> Self {
        AcquireFut {
            tx,
            acq: Acquire::default(),
            op,
            at,
            done: false,
        }
    }
}

impl<T> Unpin for AcquireFut<'_, T> {}

impl<T> Future for AcquireFut<'_, T> {
    /// Whether a permit was taken (false: the receiver is closed).
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        let this = &mut *self;
        let chan = &this.tx.chan;
        let exec = chan.exec();
        if !exec.switch(this.op, this.at) {
            return Poll::Pending;
        }
        match chan.acquire(&exec, &mut this.acq, Some(cx.waker())) {
            Poll::Ready(ok) => {
                this.acq.parked.unpark(&exec);
                this.done = true;
                Poll::Ready(ok)
            }
            Poll::Pending => {
                this.acq
                    .parked
                    .park(&exec, chan.id(), Dir::Send, this.op, this.at);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for AcquireFut<'_, T> {
    fn drop(&mut self) {
        if !self.done {
            self.tx.chan.drop_acquire(&mut self.acq);
        }
    }
}

/// A blocking acquire (`blocking_send`): the thread recipe. Returns whether a permit was taken
/// (false: closed, or the execution stopped).
pub(crate) fn acquire_blocking<T>(tx: &Tx<T>, op: &'static str, at: Loc) -> bool {
    let chan = &tx.chan;
    let exec = chan.exec();
    forbid_in_runtime(&exec);
    let mut acq = Acquire::default();
    loop {
        if !exec.switch(op, at) {
            return false;
        }
        match chan.acquire(&exec, &mut acq, None) {
            Poll::Ready(ok) => {
                acq.parked.unpark(&exec);
                return ok;
            }
            Poll::Pending => {
                acq.parked.park(&exec, chan.id(), Dir::Send, op, at);
                exec.block(op, WaitOn::Object(chan.id()), at);
                if exec.closed() {
                    return false;
                }
            }
        }
    }
}

/// Receiving up to `limit` messages (`recv`: one).
pub(crate) struct RecvFut<'a, T> {
    pub chan: &'a Arc<Chan<T>>,
    pub parked: &'a mut Parked,
    pub op: &'static str,
    pub at: Loc,
}

impl<T> RecvFut<'_, T> {
    pub(crate) fn poll_one(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let exec = self.chan.exec();
        if !exec.switch(self.op, self.at) {
            return Poll::Pending;
        }
        match self.chan.poll_recv(&exec, Some(cx.waker()), self.at) {
            Poll::Ready(v) => {
                self.parked.unpark(&exec);
                Poll::Ready(v)
            }
            Poll::Pending => {
                self.parked
                    .park(&exec, self.chan.id(), Dir::Recv, self.op, self.at);
                Poll::Pending
            }
        }
    }

    /// Receives more without waiting, after a first message.
    pub(crate) fn more(&mut self, buffer: &mut Vec<T>, limit: usize) {
        let exec = self.chan.exec();
        while buffer.len() < limit {
            match self.chan.try_recv(&exec, self.at) {
                Ok(v) => buffer.push(v),
                Err(_) => break,
            }
        }
    }
}

impl<T> Drop for RecvFut<'_, T> {
    fn drop(&mut self) {
        self.chan.forget_rx();
        self.parked.release(self.chan.handle);
    }
}

/// `recv`.
pub(crate) struct RecvOne<'a, T>(pub RecvFut<'a, T>);

impl<T> Unpin for RecvOne<'_, T> {}

impl<T> Future for RecvOne<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.0.poll_one(cx)
    }
}

/// `recv_many`.
pub(crate) struct RecvMany<'a, 'b, T> {
    pub fut: RecvFut<'a, T>,
    pub buffer: &'b mut Vec<T>,
    pub limit: usize,
}

impl<T> Unpin for RecvMany<'_, '_, T> {}

impl<T> Future for RecvMany<'_, '_, T> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        if this.limit == 0 {
            return Poll::Ready(0);
        }
        match this.fut.poll_one(cx) {
            Poll::Ready(Some(v)) => {
                let before = this.buffer.len();
                this.buffer.push(v);
                this.fut.more(this.buffer, before + this.limit);
                Poll::Ready(this.buffer.len() - before)
            }
            Poll::Ready(None) => Poll::Ready(0),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A blocking receive (`blocking_recv`): the thread recipe.
pub(crate) fn recv_blocking<T>(chan: &Chan<T>, parked: &mut Parked, at: Loc) -> Option<T> {
    let exec = chan.exec();
    forbid_in_runtime(&exec);
    let op = "Receiver::blocking_recv";
    loop {
        if !exec.switch(op, at) {
            return None;
        }
        match chan.poll_recv(&exec, None, at) {
            Poll::Ready(v) => {
                parked.unpark(&exec);
                return v;
            }
            Poll::Pending => {
                parked.park(&exec, chan.id(), Dir::Recv, op, at);
                exec.block(op, WaitOn::Object(chan.id()), at);
                if exec.closed() {
                    return None;
                }
            }
        }
    }
}

/// `Sender::closed`.
pub(crate) struct ClosedFut<'a, T> {
    pub chan: &'a Chan<T>,
    pub key: u64,
    pub at: Loc,
}

impl<'a, T> ClosedFut<'a, T> {
    pub(crate) fn new(chan: &'a Chan<T>, at: Loc) -> Self {
        ClosedFut {
            chan,
            key: key(),
            at,
        }
    }
}

impl<T> Future for ClosedFut<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let exec = self.chan.exec();
        let op = "Sender::closed";
        if !exec.switch(op, self.at) {
            return Poll::Pending;
        }
        let out = self.chan.poll_closed(self.key, cx.waker());
        if out.is_pending() {
            model::awaits(&exec, op, WaitOn::Object(self.chan.id()), self.at);
        }
        out
    }
}

impl<T> Drop for ClosedFut<'_, T> {
    fn drop(&mut self) {
        self.chan.forget_closed(self.key);
    }
}

/// What a send's wait for a slot ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A permit was taken: the value goes in.
    Taken,
    /// The receiver is closed or dropped.
    Closed,
    /// `send_timeout`'s time ran out first.
    TimedOut,
}

/// A send's wait for a slot: plain (`send`), or under a timeout (`send_timeout`).
pub(crate) trait SlotFut: Unpin {
    fn poll_slot(&mut self, cx: &mut Context<'_>) -> Poll<Slot>;
}

impl<T> SlotFut for AcquireFut<'_, T> {
    fn poll_slot(&mut self, cx: &mut Context<'_>) -> Poll<Slot> {
        Pin::new(self)
            .poll(cx)
            .map(|ok| if ok { Slot::Taken } else { Slot::Closed })
    }
}

impl<T> SlotFut for crate::tokio::time::Timeout<AcquireFut<'_, T>> {
    fn poll_slot(&mut self, cx: &mut Context<'_>) -> Poll<Slot> {
        Pin::new(self).poll(cx).map(|out| match out {
            Ok(true) => Slot::Taken,
            Ok(false) => Slot::Closed,
            Err(_) => Slot::TimedOut,
        })
    }
}

/// A send (`Sender::send`, `send_timeout`): the value, held until a slot is taken (then it is
/// buffered) or the send fails (then it is handed back). Dropped still holding it, by the
/// thread or task that made it, while the receiver could still have taken it, the value is
/// lost: recorded for [`FindingKind::LostMessage`](crate::FindingKind::LostMessage).
pub(crate) struct SendFut<'a, T, S> {
    tx: &'a Tx<T>,
    slot: S,
    value: Option<T>,
    op: &'static str,
    at: Loc,
    /// The thread that made it.
    owner: Tid,
}

impl<'a, T, S> SendFut<'a, T, S> {
    pub(crate) fn new(tx: &'a Tx<T>, slot: S, value: T, op: &'static str, at: Loc) -> Self {
        let owner = tx.chan.exec().me();
        SendFut {
            tx,
            slot,
            value: Some(value),
            op,
            at,
            owner,
        }
    }
}

impl<T, S: Unpin> Unpin for SendFut<'_, T, S> {}

impl<T, S: SlotFut> Future for SendFut<'_, T, S> {
    /// The value back, and why, if it was not sent.
    type Output = Result<(), (T, Slot)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let slot = match this.slot.poll_slot(cx) {
            Poll::Ready(slot) => slot,
            Poll::Pending => return Poll::Pending,
        };
        let Some(value) = this.value.take() else {
            panic!("`async fn` resumed after completion");
        };
        Poll::Ready(match slot {
            Slot::Taken => {
                let exec = this.tx.chan.exec();
                this.tx
                    .chan
                    .push(&exec, this.tx, value, this.at)
                    .map_err(|v| (v, Slot::Closed))
            }
            why => Err((value, why)),
        })
    }
}

impl<T, S> Drop for SendFut<'_, T, S> {
    fn drop(&mut self) {
        if self.value.is_none() {
            return;
        }
        let Some(exec) = self.tx.chan.handle.live() else {
            return;
        };
        // A closed receiver takes nothing more: polled, the send would hand the value back.
        if self.tx.chan.is_closed() || exec.me() != self.owner {
            return;
        }
        model::lost_message(&exec, self.tx.chan.id(), self.op, self.at);
    }
}
