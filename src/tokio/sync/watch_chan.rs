//! The model of tokio's `watch` channel, which the shells in `watch` map onto: one value behind
//! a reader-writer lock, a version that every change bumps, and whether every sender is gone.
//!
//! As tokio's: the value sits in an `RwLock` (std's, in tokio), so a `Ref` is a read hold and a
//! send takes the write hold; here that lock is a model `rwlock` object made with the channel,
//! so a `Ref` held across an `.await` while a sender sends is seen for what it is (the sender's
//! thread blocks). A receiver keeps the version it saw last: `changed` completes at once if the
//! channel's version differs (and takes it), else waits for a send, or fails once every sender
//! is gone. The bookkeeping the detectors read (ends, who waits) is the registry's
//! `ChannelState` (`watch::channel`).

use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdGuard};
use std::sync::{RwLock as StdRwLock, RwLockReadGuard as StdReadGuard};
use std::task::{Poll, Waker};

use super::closed::ClosedSource;
use crate::runtime::channel::{ChannelState, Dir, EndRec, Flavor};
use crate::runtime::rwlock::{self as lock_model, RwLockState};
use crate::runtime::waiter::{self, Keyed, Waiter};
use crate::runtime::{Exec, Handle, Loc, ObjId};

/// The typed part of a model watch channel.
pub(crate) struct Watch<T> {
    /// The channel object (`channel#N`, `watch::channel`).
    pub handle: Handle,
    /// The value's lock (`rwlock#N`, made with the channel).
    lock: Handle,
    value: StdRwLock<T>,
    inner: StdMutex<Inner>,
}

struct Inner {
    version: u64,
    /// Every sender is gone.
    closed: bool,
    senders: usize,
    receivers: usize,
    /// Pending `changed` (and `wait_for`) futures, by key.
    rx_waiters: Keyed,
    /// Pending `Sender::closed` futures, by key.
    tx_waiters: Keyed,
}

/// A read hold of the value: the model lock's, then the real one's.
pub(crate) struct ReadHold {
    lock: Handle,
    live: bool,
}

impl Drop for ReadHold {
    fn drop(&mut self) {
        if !self.live {
            return;
        }
        if let Some(exec) = self.lock.live() {
            lock_model::release(&exec, self.lock.id, false);
        }
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

/// A new channel holding `init`, with one sender and one receiver (ends number 0).
pub(crate) fn new<T>(exec: &Exec, init: T, at: Loc) -> Arc<Watch<T>> {
    let mut state = ChannelState::new("watch::channel", Some(1), Flavor::Messages);
    state.add_end(Dir::Send, end_rec(exec, at, false));
    state.add_end(Dir::Recv, end_rec(exec, at, false));
    let handle = exec.new_object(at, state);
    let lock = exec.new_object(at, RwLockState::default());
    Arc::new(Watch {
        handle,
        lock,
        value: StdRwLock::new(init),
        inner: StdMutex::new(Inner {
            version: 0,
            closed: false,
            senders: 1,
            receivers: 1,
            rx_waiters: Keyed::default(),
            tx_waiters: Keyed::default(),
        }),
    })
}

impl<T> Watch<T> {
    fn inner(&self) -> StdGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn id(&self) -> ObjId {
        self.handle.id
    }

    pub(crate) fn exec(&self) -> std::rc::Rc<Exec> {
        self.handle.exec("a tokio watch channel")
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

    /// A new end of direction `dir` made at `at` (a clone, or a subscription): its number.
    pub(crate) fn add_end(&self, dir: Dir, at: Loc) -> usize {
        let exec = self.exec();
        let end = exec
            .reg()
            .channel(self.id())
            .add_end(dir, end_rec(&exec, at, true));
        let mut inner = self.inner();
        match dir {
            Dir::Send => inner.senders += 1,
            Dir::Recv => inner.receivers += 1,
        }
        end
    }

    /// End `end` of direction `dir` is dropped: the last sender closes the channel for the
    /// receivers, the last receiver completes the senders' `closed`.
    pub(crate) fn drop_end(&self, dir: Dir, end: usize) {
        let wake = {
            let mut inner = self.inner();
            match dir {
                Dir::Send => {
                    inner.senders -= 1;
                    if inner.senders == 0 {
                        inner.closed = true;
                        inner.rx_waiters.take()
                    } else {
                        Vec::new()
                    }
                }
                Dir::Recv => {
                    inner.receivers -= 1;
                    if inner.receivers == 0 {
                        inner.tx_waiters.take()
                    } else {
                        Vec::new()
                    }
                }
            }
        };
        let Some(exec) = self.handle.live() else {
            return;
        };
        if let Ok(mut reg) = exec.reg.try_borrow_mut() {
            reg.channel(self.id()).end_dropped(dir, end);
        }
        waiter::wake_all(&exec, wake);
    }

    /// The version now.
    pub(crate) fn version(&self) -> u64 {
        self.inner().version
    }

    /// Whether every sender is gone.
    pub(crate) fn closed(&self) -> bool {
        self.inner().closed
    }

    pub(crate) fn receivers(&self) -> usize {
        self.inner().receivers
    }

    pub(crate) fn senders(&self) -> usize {
        self.inner().senders
    }

    /// Takes a read hold of the value for the current thread (after the caller's scheduling
    /// point): waits, as a thread does, while a sender holds the write lock.
    pub(crate) fn read(
        &self,
        exec: &Exec,
        op: &'static str,
        at: Loc,
    ) -> (ReadHold, StdReadGuard<'_, T>) {
        lock_model::acquire_read(exec, self.lock.id, op, at);
        let hold = ReadHold {
            lock: self.lock,
            live: !exec.closed(),
        };
        let guard = self.value.read().unwrap_or_else(|e| e.into_inner());
        (hold, guard)
    }

    /// `send_if_modified` (after the caller's scheduling point): the write lock while `modify`
    /// runs; a change bumps the version and wakes every pending `changed`. Returns whether it
    /// changed.
    pub(crate) fn modify(
        &self,
        exec: &Exec,
        op: &'static str,
        at: Loc,
        modify: impl FnOnce(&mut T) -> bool,
    ) -> bool {
        lock_model::acquire_write(exec, self.lock.id, op, at);
        /// Releases the write hold, also when `modify` panics.
        struct Release<'a>(&'a Exec, ObjId, bool);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                if self.2 && !self.0.closed() {
                    lock_model::release(self.0, self.1, true);
                }
            }
        }
        let release = Release(exec, self.lock.id, !exec.closed());
        let modified = {
            let mut value = self.value.write().unwrap_or_else(|e| e.into_inner());
            modify(&mut value)
        };
        let wake = if modified {
            let mut inner = self.inner();
            inner.version += 1;
            inner.rx_waiters.take()
        } else {
            Vec::new()
        };
        drop(release);
        waiter::wake_all(exec, wake);
        modified
    }

    /// One attempt of `changed` for a receiver at `version`: `Ready(Ok)` the version moved on
    /// (taken), `Ready(Err)` every sender is gone, `Pending` registered as `key`.
    pub(crate) fn poll_changed(
        &self,
        exec: &Exec,
        version: &mut u64,
        key: u64,
        waker: Option<&Waker>,
    ) -> Poll<Result<(), ()>> {
        let mut inner = self.inner();
        if inner.version != *version {
            *version = inner.version;
            drop(inner.rx_waiters.remove(key));
            return Poll::Ready(Ok(()));
        }
        if inner.closed {
            drop(inner.rx_waiters.remove(key));
            return Poll::Ready(Err(()));
        }
        let w = Waiter::of(exec, waker);
        inner.rx_waiters.set(key, w);
        Poll::Pending
    }

    /// A pending `changed` (key `key`) is gone.
    pub(crate) fn forget_changed(&self, key: u64) {
        let gone = self.inner().rx_waiters.remove(key);
        drop(gone);
    }
}

impl<T> ClosedSource for Watch<T> {
    fn chan_exec(&self) -> std::rc::Rc<Exec> {
        self.exec()
    }

    fn chan_id(&self) -> ObjId {
        self.id()
    }

    /// One attempt of `Sender::closed`: ready once no receiver is left, else registered.
    fn poll_closed(&self, exec: &Exec, key: u64, waker: &Waker) -> Poll<()> {
        let mut inner = self.inner();
        if inner.receivers == 0 {
            drop(inner.tx_waiters.remove(key));
            return Poll::Ready(());
        }
        let w = Waiter::of(exec, Some(waker));
        inner.tx_waiters.set(key, w);
        Poll::Pending
    }

    /// A pending `Sender::closed` (key `key`) is gone.
    fn forget_closed(&self, key: u64) {
        let gone = self.inner().tx_waiters.remove(key);
        drop(gone);
    }
}
