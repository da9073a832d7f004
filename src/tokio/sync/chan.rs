//! The model of tokio's mpsc channels (bounded and unbounded), which the shells in `mpsc` map
//! onto: the typed messages and the wait queues live here, the bookkeeping the detectors read
//! (ends, buffered count, waiters) in the registry's `ChannelState`.
//!
//! As tokio's: a bounded channel is a semaphore of `capacity` permits; a send takes one (a
//! waiting sender queues, and a permit released while senders wait goes to the first of them,
//! FIFO, which holds it even before it is polled again), and the receiver gives it back when it
//! takes the message. The receiver's `close` (or its drop) closes the semaphore: senders fail,
//! and `recv` drains what is buffered and returns `None` once no permit is out. The last
//! sender's drop closes the channel for the receiver.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdGuard};
use std::task::{Poll, Waker};

use crate::runtime::channel::{ChannelState, Dir, EndRec, Flavor};
use crate::runtime::task as model;
use crate::runtime::waiter::{self, Waiter};
use crate::runtime::{Exec, Handle, Loc, ObjId, Tid, WaitOn};

static KEYS: AtomicU64 = AtomicU64::new(1);

/// A fresh key for a future's place in a wait queue.
pub(crate) fn key() -> u64 {
    KEYS.fetch_add(1, Ordering::Relaxed)
}

/// The typed part of a model mpsc channel.
pub(crate) struct Chan<T> {
    pub handle: Handle,
    /// `None`: unbounded.
    pub cap: Option<usize>,
    inner: StdMutex<Inner<T>>,
}

/// A sender waiting in the permit queue.
struct Queued {
    key: u64,
    waiter: Waiter,
    need: usize,
    got: usize,
}

struct Inner<T> {
    buf: VecDeque<T>,
    /// Free permits (bounded).
    free: usize,
    /// Senders waiting for permits, first come first: each with how many it needs and how many
    /// it has been given so far (`reserve_many` takes what is free and queues for the rest).
    queue: VecDeque<Queued>,
    /// Waiting senders a permit was handed to, not polled since.
    assigned: Vec<u64>,
    /// Senders that were queued when the receiver closed, with the permits they had been
    /// given: theirs until they leave.
    held_at_close: Vec<(u64, usize)>,
    rx_waker: Option<Waiter>,
    /// `Sender::closed` futures.
    closed_wakers: Vec<(u64, Waker)>,
    senders: usize,
    weak: usize,
    rx_closed: bool,
}

impl<T> Chan<T> {
    fn inner(&self) -> StdGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn id(&self) -> ObjId {
        self.handle.id
    }

    pub(crate) fn exec(&self) -> std::rc::Rc<Exec> {
        self.handle.exec("a tokio channel")
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

/// A new channel (`cap`: `None` for unbounded), with one sender and its receiver.
pub(crate) fn new<T>(
    exec: &Exec,
    constructor: &'static str,
    cap: Option<usize>,
    at: Loc,
) -> Arc<Chan<T>> {
    let mut state = ChannelState::new(constructor, cap, Flavor::Messages);
    state.add_end(Dir::Send, end_rec(exec, at, false));
    state.add_end(Dir::Recv, end_rec(exec, at, false));
    let handle = exec.new_object(at, state);
    Arc::new(Chan {
        handle,
        cap,
        inner: StdMutex::new(Inner {
            buf: VecDeque::new(),
            free: cap.unwrap_or(0),
            queue: VecDeque::new(),
            assigned: Vec::new(),
            held_at_close: Vec::new(),
            rx_waker: None,
            closed_wakers: Vec::new(),
            senders: 1,
            weak: 0,
            rx_closed: false,
        }),
    })
}

/// A sender end: the channel and its number among the channel's senders.
pub(crate) struct Tx<T> {
    pub chan: Arc<Chan<T>>,
    pub end: usize,
}

impl<T> Tx<T> {
    pub(crate) fn clone_at(&self, at: Loc) -> Self {
        let exec = self.chan.exec();
        let end = {
            let mut reg = exec.reg();
            let c = reg.channel(self.chan.id());
            c.add_end(Dir::Send, end_rec(&exec, at, true));
            c.senders.len() - 1
        };
        self.chan.inner().senders += 1;
        Tx {
            chan: self.chan.clone(),
            end,
        }
    }

    /// Notes a use of this end by the current thread at `at`.
    fn used(&self, exec: &Exec, at: Loc) {
        let me = exec.me();
        if let Some(mut reg) = exec.live() {
            let e = &mut reg.channel(self.chan.id()).senders[self.end];
            e.last_user = me;
            e.last_at = Some(at);
        }
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        let rx = {
            let mut inner = self.chan.inner();
            inner.senders -= 1;
            if inner.senders == 0 {
                inner.rx_waker.take()
            } else {
                None
            }
        };
        let Some(exec) = self.chan.handle.live() else {
            return;
        };
        if let Ok(mut reg) = exec.reg.try_borrow_mut() {
            reg.channel(self.chan.id()).end_dropped(Dir::Send, self.end);
        }
        waiter::wake_all(&exec, rx);
    }
}

/// A weak sender: the channel, counted apart from its senders.
pub(crate) struct WeakTx<T> {
    pub chan: Arc<Chan<T>>,
}

impl<T> WeakTx<T> {
    pub(crate) fn new(chan: Arc<Chan<T>>) -> Self {
        chan.inner().weak += 1;
        WeakTx { chan }
    }

    /// A sender, if one is still alive.
    pub(crate) fn upgrade(&self, at: Loc) -> Option<Tx<T>> {
        let exec = self.chan.exec();
        {
            let mut inner = self.chan.inner();
            if inner.senders == 0 {
                return None;
            }
            inner.senders += 1;
        }
        let mut reg = exec.reg();
        let c = reg.channel(self.chan.id());
        c.add_end(Dir::Send, end_rec(&exec, at, true));
        let end = c.senders.len() - 1;
        Some(Tx {
            chan: self.chan.clone(),
            end,
        })
    }
}

impl<T> Drop for WeakTx<T> {
    fn drop(&mut self) {
        self.chan.inner().weak -= 1;
    }
}

/// Counts: (live senders, weak senders).
pub(crate) fn counts<T>(chan: &Chan<T>) -> (usize, usize) {
    let inner = chan.inner();
    (inner.senders, inner.weak)
}

/// What a pending future registered, to take back when it completes or is dropped.
#[derive(Debug, Default)]
pub(crate) struct Parked {
    on: Option<(Tid, ObjId, Dir)>,
}

impl Parked {
    /// The current thread waits on `id` in direction `dir`: for the detectors, and for what
    /// the task awaits (`op` at `at`), unless `waker` is `None` (a thread in a blocking call).
    pub(crate) fn park(&mut self, exec: &Exec, id: ObjId, dir: Dir, op: &'static str, at: Loc) {
        let me = exec.me();
        if self.on.is_some_and(|(t, _, _)| t != me) {
            self.unpark(exec);
        }
        waiter::park(exec, id, dir);
        self.on = Some((me, id, dir));
        model::awaits(exec, op, WaitOn::Object(id), at);
    }

    pub(crate) fn unpark(&mut self, exec: &Exec) {
        if let Some((tid, id, dir)) = self.on.take() {
            waiter::unpark(exec, tid, id, dir);
        }
    }

    /// On drop: unpark if the execution is live.
    pub(crate) fn release(&mut self, handle: Handle) {
        if self.on.is_some()
            && let Some(exec) = handle.live()
        {
            self.unpark(&exec);
        }
    }
}

/// A sender's place in the permit queue, and how many permits it acquires.
#[derive(Debug)]
pub(crate) struct Acquire {
    key: u64,
    queued: bool,
    need: usize,
    pub parked: Parked,
}

impl Default for Acquire {
    fn default() -> Self {
        Acquire::many(1)
    }
}

impl Acquire {
    /// Acquiring `need` permits at once (`reserve_many`).
    pub(crate) fn many(need: usize) -> Self {
        Acquire {
            key: key(),
            queued: false,
            need,
            parked: Parked::default(),
        }
    }
}

impl<T> Chan<T> {
    /// Returns one permit (bounded): to the first waiting sender, or to the free ones.
    /// Returns who to wake.
    fn release(&self, inner: &mut Inner<T>) -> Vec<Waiter> {
        if self.cap.is_none() {
            return Vec::new();
        }
        if !inner.rx_closed
            && let Some(first) = inner.queue.front_mut()
        {
            first.got += 1;
            if first.got < first.need {
                return Vec::new();
            }
            let Some(first) = inner.queue.pop_front() else {
                unreachable!("the front was just seen");
            };
            inner.assigned.push(first.key);
            return vec![first.waiter];
        }
        inner.free += 1;
        if inner.rx_closed && self.idle(inner) {
            inner.rx_waker.take().into_iter().collect()
        } else {
            Vec::new()
        }
    }

    /// Returns `n` permits, one at a time. Returns who to wake.
    fn release_n(&self, inner: &mut Inner<T>, n: usize) -> Vec<Waiter> {
        let mut wake = Vec::new();
        for _ in 0..n {
            wake.extend(self.release(inner));
        }
        wake
    }

    fn idle(&self, inner: &Inner<T>) -> bool {
        match self.cap {
            Some(cap) => inner.free == cap,
            None => inner.buf.is_empty(),
        }
    }

    /// One attempt to take a permit: `Ready(true)` taken, `Ready(false)` the receiver is
    /// closed, `Pending` queued (woken through `waker`, or the current thread if `None`).
    pub(crate) fn acquire(
        &self,
        exec: &Exec,
        a: &mut Acquire,
        waker: Option<&Waker>,
    ) -> Poll<bool> {
        let mut inner = self.inner();
        if inner.rx_closed {
            let wake = self.leave_queue(&mut inner, a);
            drop(inner);
            waiter::wake_all(exec, wake);
            return Poll::Ready(false);
        }
        if self.cap.is_none() {
            return Poll::Ready(true);
        }
        if a.queued {
            if let Some(i) = inner.assigned.iter().position(|k| *k == a.key) {
                inner.assigned.remove(i);
                a.queued = false;
                return Poll::Ready(true);
            }
            if let Some(q) = inner.queue.iter_mut().find(|q| q.key == a.key) {
                q.waiter = Waiter::of(exec, waker);
            }
            return Poll::Pending;
        }
        if inner.free >= a.need {
            inner.free -= a.need;
            return Poll::Ready(true);
        }
        // As tokio's batch semaphore: take what is free, and queue for the rest.
        let got = std::mem::take(&mut inner.free);
        inner.queue.push_back(Queued {
            key: a.key,
            waiter: Waiter::of(exec, waker),
            need: a.need,
            got,
        });
        a.queued = true;
        Poll::Pending
    }

    /// A queued sender leaves (it completed with an error, or was dropped): a permit handed
    /// to it goes on.
    fn leave_queue(&self, inner: &mut Inner<T>, a: &mut Acquire) -> Vec<Waiter> {
        if !std::mem::take(&mut a.queued) {
            return Vec::new();
        }
        // The permits it was given go on: all of them if its turn had come, else those it had.
        let given = match inner.assigned.iter().position(|k| *k == a.key) {
            Some(i) => {
                inner.assigned.remove(i);
                a.need
            }
            None => match inner.queue.iter().position(|q| q.key == a.key) {
                Some(i) => inner.queue.remove(i).map_or(0, |q| q.got),
                None => match inner.held_at_close.iter().position(|h| h.0 == a.key) {
                    Some(i) => inner.held_at_close.remove(i).1,
                    None => 0,
                },
            },
        };
        self.release_n(inner, given)
    }

    /// A sender's acquire future is dropped.
    pub(crate) fn drop_acquire(&self, a: &mut Acquire) {
        let wake = {
            let mut inner = self.inner();
            self.leave_queue(&mut inner, a)
        };
        a.parked.release(self.handle);
        if let Some(exec) = self.handle.live() {
            waiter::wake_all(&exec, wake);
        }
    }

    /// A permit taken and not used (a `Permit` dropped): it goes back.
    pub(crate) fn give_back(&self) {
        self.give_back_n(1);
    }

    /// `n` permits taken and not used (a `PermitIterator` dropped): they go back.
    pub(crate) fn give_back_n(&self, n: usize) {
        let wake = {
            let mut inner = self.inner();
            self.release_n(&mut inner, n)
        };
        if let Some(exec) = self.handle.live() {
            waiter::wake_all(&exec, wake);
        }
    }

    /// Buffers `value` (the permit, if bounded, already taken) sent by `tx` at `at`, and wakes
    /// the receiver. Returns the value back if the receiver is gone (unbounded sends check it
    /// here).
    pub(crate) fn push(&self, exec: &Exec, tx: &Tx<T>, value: T, at: Loc) -> Result<(), T> {
        tx.used(exec, at);
        let wake = {
            let mut inner = self.inner();
            if inner.rx_closed && self.cap.is_none() {
                return Err(value);
            }
            inner.buf.push_back(value);
            if let Some(mut reg) = exec.live() {
                reg.channel(self.id()).len += 1;
            }
            inner.rx_waker.take()
        };
        waiter::wake_all(exec, wake);
        Ok(())
    }

    /// `try_send`'s check: `Err(true)` closed, `Err(false)` full, `Ok` a permit taken.
    pub(crate) fn try_acquire(&self) -> Result<(), bool> {
        self.try_acquire_n(1)
    }

    /// `try_reserve_many`'s: `n` permits, all or none.
    pub(crate) fn try_acquire_n(&self, n: usize) -> Result<(), bool> {
        let mut inner = self.inner();
        if inner.rx_closed {
            return Err(true);
        }
        if self.cap.is_some() {
            if inner.free < n {
                return Err(false);
            }
            inner.free -= n;
        }
        Ok(())
    }

    /// One attempt to receive: `Ready(Some)` a message, `Ready(None)` closed and drained,
    /// `Pending` registered (through `waker`, or the current thread if `None`).
    pub(crate) fn poll_recv(&self, exec: &Exec, waker: Option<&Waker>, at: Loc) -> Poll<Option<T>> {
        let (out, wake) = {
            let mut inner = self.inner();
            match inner.buf.pop_front() {
                Some(v) => {
                    let wake = self.release(&mut inner);
                    self.received(exec, at);
                    (Poll::Ready(Some(v)), wake)
                }
                None if inner.senders == 0 || (inner.rx_closed && self.idle(&inner)) => {
                    (Poll::Ready(None), Vec::new())
                }
                None => {
                    inner.rx_waker = Some(Waiter::of(exec, waker));
                    (Poll::Pending, Vec::new())
                }
            }
        };
        waiter::wake_all(exec, wake);
        out
    }

    fn received(&self, exec: &Exec, at: Loc) {
        let me = exec.me();
        if let Some(mut reg) = exec.live() {
            let c = reg.channel(self.id());
            c.len = c.len.saturating_sub(1);
            let e = &mut c.receivers[0];
            e.last_user = me;
            e.last_at = Some(at);
        }
    }

    /// `try_recv`: `Err(true)` disconnected, `Err(false)` empty.
    pub(crate) fn try_recv(&self, exec: &Exec, at: Loc) -> Result<T, bool> {
        match self.poll_recv(exec, None, at) {
            Poll::Ready(Some(v)) => Ok(v),
            Poll::Ready(None) => Err(true),
            Poll::Pending => {
                self.inner().rx_waker = None;
                Err(false)
            }
        }
    }

    /// The receiver stopped waiting (its future completed or was dropped).
    pub(crate) fn forget_rx(&self) {
        self.inner().rx_waker = None;
    }

    /// The receiver's `close`: senders fail from now on; what is buffered stays.
    pub(crate) fn close(&self, exec: Option<&Exec>) {
        let wake: Vec<Waiter> = {
            let mut inner = self.inner();
            if inner.rx_closed {
                return;
            }
            inner.rx_closed = true;
            // Queued senders fail; each keeps what it was given so far until it leaves (sees
            // the close, or is dropped), as tokio's batch semaphore.
            let queued: Vec<Queued> = inner.queue.drain(..).collect();
            let held: Vec<(u64, usize)> = queued
                .iter()
                .filter(|q| q.got > 0)
                .map(|q| (q.key, q.got))
                .collect();
            inner.held_at_close.extend(held);
            let mut wake: Vec<Waiter> = queued.into_iter().map(|q| q.waiter).collect();
            wake.extend(inner.closed_wakers.drain(..).map(|(_, w)| Waiter::Task(w)));
            wake
        };
        if let Some(exec) = exec {
            waiter::wake_all(exec, wake);
        }
    }

    /// The receiver is dropped: the channel closes and its messages are dropped.
    pub(crate) fn drop_rx(&self) {
        let exec = self.handle.live();
        self.close(exec.as_deref());
        let (drained, wake) = {
            let mut inner = self.inner();
            inner.rx_waker = None;
            let drained: Vec<T> = inner.buf.drain(..).collect();
            let mut wake = Vec::new();
            for _ in &drained {
                wake.extend(self.release(&mut inner));
            }
            (drained, wake)
        };
        if let Some(exec) = &exec {
            if let Ok(mut reg) = exec.reg.try_borrow_mut() {
                let c = reg.channel(self.id());
                c.end_dropped(Dir::Recv, 0);
                c.len = 0;
            }
            waiter::wake_all(exec, wake);
        }
        drop(drained);
    }

    /// Whether the receiver is closed (or gone).
    pub(crate) fn is_closed(&self) -> bool {
        self.inner().rx_closed
    }

    /// The receiver's `is_closed`: closed by it, or every sender gone.
    pub(crate) fn rx_is_closed(&self) -> bool {
        let inner = self.inner();
        inner.rx_closed || inner.senders == 0
    }

    /// How many messages are buffered.
    pub(crate) fn len(&self) -> usize {
        self.inner().buf.len()
    }

    /// Free permits (bounded).
    pub(crate) fn capacity(&self) -> usize {
        self.inner().free
    }

    /// `Sender::closed`: ready once the receiver is closed, else registered as `key`.
    pub(crate) fn poll_closed(&self, key: u64, waker: &Waker) -> Poll<()> {
        let mut inner = self.inner();
        if inner.rx_closed {
            return Poll::Ready(());
        }
        match inner.closed_wakers.iter_mut().find(|w| w.0 == key) {
            Some(w) => w.1 = waker.clone(),
            None => inner.closed_wakers.push((key, waker.clone())),
        }
        Poll::Pending
    }

    /// A `Sender::closed` future is dropped.
    pub(crate) fn forget_closed(&self, key: u64) {
        self.inner().closed_wakers.retain(|w| w.0 != key);
    }
}
