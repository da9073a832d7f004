//! The model of tokio's `broadcast` channel, which the shells in `broadcast` map onto: tokio's
//! ring buffer, step for step.
//!
//! As tokio's: the capacity is rounded up to a power of two; each slot holds a value, the
//! position it was sent at, and how many receivers have still to read it. A send fails only if
//! no receiver is left; otherwise it overwrites the oldest slot, whether every receiver read it
//! or not. A receiver whose next position was overwritten gets `Lagged(n)` (how many values it
//! missed) and goes on from the oldest value still held. A receiver dropped reads what it had
//! not read, so the slots' counts stay right. The channel is closed when the last sender is
//! dropped (receivers drain what they have not read, then get `Closed`), and when the last
//! receiver is dropped (what the senders' `closed` waits for). The bookkeeping the detectors
//! read (ends, values not read yet, who waits) is the registry's `ChannelState`.

use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdGuard};
use std::task::{Poll, Waker};

use super::closed::ClosedSource;
use crate::runtime::channel::{ChannelState, Dir, EndRec, Flavor};
use crate::runtime::waiter::{self, Keyed, Waiter};
use crate::runtime::{Exec, Handle, Loc, ObjId};

/// Why a receive returned no value, as tokio's `TryRecvError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    Empty,
    Closed,
    Lagged(u64),
}

/// The typed part of a model broadcast channel.
pub(crate) struct Bcast<T> {
    pub handle: Handle,
    inner: StdMutex<Inner<T>>,
}

struct Slot<T> {
    /// Receivers that have still to read it.
    rem: usize,
    /// The position it was sent at.
    pos: u64,
    val: Option<T>,
}

struct Inner<T> {
    buffer: Vec<Slot<T>>,
    mask: usize,
    /// The next position to send at.
    pos: u64,
    rx_cnt: usize,
    closed: bool,
    num_tx: usize,
    num_weak_tx: usize,
    /// Pending `recv` futures, by key, first registered first.
    waiters: Keyed,
    /// Pending `Sender::closed` futures, by key.
    closed_waiters: Keyed,
}

impl<T> Inner<T> {
    /// tokio's `Sender::len`: how many values some receiver has still to read.
    fn len(&self) -> usize {
        let base = (self.pos & self.mask as u64) as usize;
        let (mut low, mut high) = (0, self.buffer.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let idx = base.wrapping_add(mid) & self.mask;
            if self.buffer[idx].rem == 0 {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        self.buffer.len() - low
    }
}

fn end_rec(exec: &Exec, at: Loc, cloned: bool) -> EndRec {
    let me = exec.me();
    EndRec {
        created_at: at,
        cloned,
        created_by: me,
        last_user: me,
        last_at: None,
        alive: true,
    }
}

/// A new channel of `capacity` (rounded up to a power of two by the caller) with one sender
/// and `receivers` (0 or 1) receivers, ends number 0.
pub(crate) fn new<T>(
    exec: &Exec,
    constructor: &'static str,
    capacity: usize,
    receivers: usize,
    at: Loc,
) -> Arc<Bcast<T>> {
    let mut state = ChannelState::new(constructor, Some(capacity), Flavor::Messages);
    state.add_end(Dir::Send, end_rec(exec, at, false));
    if receivers > 0 {
        state.add_end(Dir::Recv, end_rec(exec, at, false));
    }
    let handle = exec.new_object(at, state);
    let buffer = (0..capacity)
        .map(|i| Slot {
            rem: 0,
            pos: (i as u64).wrapping_sub(capacity as u64),
            val: None,
        })
        .collect();
    Arc::new(Bcast {
        handle,
        inner: StdMutex::new(Inner {
            buffer,
            mask: capacity - 1,
            pos: 0,
            rx_cnt: receivers,
            closed: receivers == 0,
            num_tx: 1,
            num_weak_tx: 0,
            waiters: Keyed::default(),
            closed_waiters: Keyed::default(),
        }),
    })
}

impl<T> Bcast<T> {
    fn inner(&self) -> StdGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn id(&self) -> ObjId {
        self.handle.id
    }

    pub(crate) fn exec(&self) -> std::rc::Rc<Exec> {
        self.handle.exec("a tokio broadcast channel")
    }

    /// The registry's count of values not read yet follows the model's.
    fn sync_len(&self, exec: &Exec, len: usize) {
        if let Some(mut reg) = exec.live() {
            reg.channel(self.id()).len = len;
        }
    }

    /// Notes a use of end `end` (direction `dir`) by the current thread at `at`.
    pub(crate) fn used(&self, exec: &Exec, dir: Dir, end: usize, at: Loc) {
        let me = exec.me();
        if let Some(mut reg) = exec.live() {
            let c = reg.channel(self.id());
            let e = match dir {
                Dir::Send => &mut c.senders[end],
                Dir::Recv => &mut c.receivers[end],
            };
            e.last_user = me;
            e.last_at = Some(at);
        }
    }

    /// A new sender (a clone) made at `at`: its end number.
    pub(crate) fn add_sender(&self, at: Loc) -> usize {
        let exec = self.exec();
        let end = exec
            .reg()
            .channel(self.id())
            .add_end(Dir::Send, end_rec(&exec, at, true));
        self.inner().num_tx += 1;
        end
    }

    /// A weak sender upgrades, at `at`: the new sender's end number, unless no sender is
    /// left.
    pub(crate) fn upgrade(&self, at: Loc) -> Option<usize> {
        if self.inner().num_tx == 0 {
            return None;
        }
        Some(self.add_sender(at))
    }

    /// A weak sender is made (`true`) or dropped.
    pub(crate) fn weak(&self, made: bool) {
        let mut inner = self.inner();
        if made {
            inner.num_weak_tx += 1;
        } else {
            inner.num_weak_tx -= 1;
        }
    }

    pub(crate) fn weak_senders(&self) -> usize {
        self.inner().num_weak_tx
    }

    /// A new receiver (`subscribe`, `resubscribe`) made at `at`: its end number and its next
    /// position (the next value sent).
    pub(crate) fn add_receiver(&self, at: Loc) -> (usize, u64) {
        let exec = self.exec();
        let end = exec
            .reg()
            .channel(self.id())
            .add_end(Dir::Recv, end_rec(&exec, at, true));
        let mut inner = self.inner();
        if inner.rx_cnt == 0 {
            inner.closed = false;
        }
        inner.rx_cnt += 1;
        (end, inner.pos)
    }

    /// Sender `end` is dropped: the last one closes the channel and wakes the receivers.
    pub(crate) fn drop_sender(&self, end: usize) {
        let wake = {
            let mut inner = self.inner();
            inner.num_tx -= 1;
            if inner.num_tx == 0 {
                inner.closed = true;
                inner.waiters.take()
            } else {
                Vec::new()
            }
        };
        let Some(exec) = self.handle.live() else {
            return;
        };
        if let Ok(mut reg) = exec.reg.try_borrow_mut() {
            reg.channel(self.id()).end_dropped(Dir::Send, end);
        }
        waiter::wake_all(&exec, wake);
    }

    /// Receiver `end`, at position `next`, is dropped: it reads what it had not read (so that
    /// each slot's count is right), and the last one closes the channel for the senders.
    pub(crate) fn drop_receiver(&self, end: usize, mut next: u64) {
        let (dropped, wake, len) = {
            let mut inner = self.inner();
            inner.rx_cnt -= 1;
            let until = inner.pos;
            let last = inner.rx_cnt == 0;
            if last {
                inner.closed = true;
            }
            let mut dropped = Vec::new();
            while next < until {
                match read(&inner, &mut next) {
                    Ok(idx) => dropped.extend(consumed(&mut inner, idx)),
                    Err(Miss::Lagged(_)) => {}
                    Err(Miss::Closed | Miss::Empty) => break,
                }
            }
            let wake = if last {
                inner.closed_waiters.take()
            } else {
                Vec::new()
            };
            (dropped, wake, inner.len())
        };
        if let Some(exec) = self.handle.live() {
            if let Ok(mut reg) = exec.reg.try_borrow_mut() {
                let c = reg.channel(self.id());
                c.end_dropped(Dir::Recv, end);
                c.len = len;
            }
            waiter::wake_all(&exec, wake);
        }
        drop(dropped);
    }

    /// `send` (after the caller's scheduling point): `Ok` with how many receivers will see
    /// it, or the value back if no receiver is left.
    pub(crate) fn send(&self, exec: &Exec, value: T) -> Result<usize, T> {
        let (rem, old, wake, len) = {
            let mut inner = self.inner();
            if inner.rx_cnt == 0 {
                return Err(value);
            }
            let pos = inner.pos;
            let rem = inner.rx_cnt;
            let idx = (pos & inner.mask as u64) as usize;
            inner.pos = pos.wrapping_add(1);
            let slot = &mut inner.buffer[idx];
            slot.pos = pos;
            slot.rem = rem;
            let old = slot.val.replace(value);
            let wake = inner.waiters.take();
            (rem, old, wake, inner.len())
        };
        self.sync_len(exec, len);
        waiter::wake_all(exec, wake);
        drop(old);
        Ok(rem)
    }

    /// One attempt to receive at position `next`: the value, or why not; if `Empty` and
    /// `key` is given, registered as a waiter (through `waker`, or the current thread).
    pub(crate) fn recv(
        &self,
        exec: &Exec,
        next: &mut u64,
        register: Option<(u64, Option<&Waker>)>,
    ) -> Result<T, Miss>
    where
        T: Clone,
    {
        let (out, dropped, len) = {
            let mut inner = self.inner();
            match read(&inner, next) {
                Ok(idx) => {
                    let v = inner.buffer[idx].val.clone();
                    let d = consumed(&mut inner, idx);
                    if let Some((key, _)) = register {
                        drop(inner.waiters.remove(key));
                    }
                    let len = inner.len();
                    (v.ok_or(Miss::Closed), d, Some(len))
                }
                Err(Miss::Empty) => {
                    if let Some((key, waker)) = register {
                        let w = Waiter::of(exec, waker);
                        inner.waiters.set(key, w);
                    }
                    (Err(Miss::Empty), None, None)
                }
                Err(e) => {
                    if let Some((key, _)) = register {
                        drop(inner.waiters.remove(key));
                    }
                    (Err(e), None, None)
                }
            }
        };
        if let Some(len) = len {
            self.sync_len(exec, len);
        }
        drop(dropped);
        out
    }

    /// A pending `recv` (key `key`) is gone.
    pub(crate) fn forget_recv(&self, key: u64) {
        let gone = self.inner().waiters.remove(key);
        drop(gone);
    }

    /// tokio's `Sender::len`.
    pub(crate) fn len(&self) -> usize {
        self.inner().len()
    }

    /// tokio's `Sender::is_empty`: whether the last value sent was read by every receiver.
    pub(crate) fn is_empty(&self) -> bool {
        let inner = self.inner();
        let idx = (inner.pos.wrapping_sub(1) & inner.mask as u64) as usize;
        inner.buffer[idx].rem == 0
    }

    /// How many values a receiver at `next` has not read (tokio's `Receiver::len`).
    pub(crate) fn unread(&self, next: u64) -> usize {
        (self.inner().pos - next) as usize
    }

    pub(crate) fn receivers(&self) -> usize {
        self.inner().rx_cnt
    }

    pub(crate) fn senders(&self) -> usize {
        self.inner().num_tx
    }
}

/// tokio's `recv_ref`: the slot a receiver at `next` reads (`next` moves past it), or why
/// it reads none (a lagging receiver's `next` moves to the oldest value held).
fn read<T>(inner: &Inner<T>, next: &mut u64) -> Result<usize, Miss> {
    let cap = inner.buffer.len() as u64;
    let idx = (*next & inner.mask as u64) as usize;
    let slot = &inner.buffer[idx];
    if slot.pos != *next {
        let next_pos = slot.pos.wrapping_add(cap);
        if next_pos == *next {
            return Err(if inner.closed {
                Miss::Closed
            } else {
                Miss::Empty
            });
        }
        let oldest = inner.pos.wrapping_sub(cap);
        let missed = oldest.wrapping_sub(*next);
        if missed != 0 {
            *next = oldest;
            return Err(Miss::Lagged(missed));
        }
    }
    *next = next.wrapping_add(1);
    Ok(idx)
}

/// The drop of tokio's `RecvGuard`: slot `idx` was read once more; returns its value if that
/// was its last reader, to be dropped with the lock released.
fn consumed<T>(inner: &mut Inner<T>, idx: usize) -> Option<T> {
    let slot = &mut inner.buffer[idx];
    slot.rem -= 1;
    if slot.rem == 0 {
        slot.val.take()
    } else {
        None
    }
}

impl<T> ClosedSource for Bcast<T> {
    fn chan_exec(&self) -> std::rc::Rc<Exec> {
        self.exec()
    }

    fn chan_id(&self) -> ObjId {
        self.id()
    }

    /// One attempt of `Sender::closed`: ready once the channel is closed, else registered.
    fn poll_closed(&self, exec: &Exec, key: u64, waker: &Waker) -> Poll<()> {
        let mut inner = self.inner();
        if inner.closed {
            drop(inner.closed_waiters.remove(key));
            return Poll::Ready(());
        }
        let w = Waiter::of(exec, Some(waker));
        inner.closed_waiters.set(key, w);
        Poll::Pending
    }

    /// A pending `Sender::closed` (key `key`) is gone.
    fn forget_closed(&self, key: u64) {
        let gone = self.inner().closed_waiters.remove(key);
        drop(gone);
    }
}
