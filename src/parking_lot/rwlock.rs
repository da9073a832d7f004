//! parking_lot's `RwLock` and its guards.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use parking_lot::lock_api::{
    RawRwLock as _, RawRwLockDowngrade as _, RawRwLockFair as _, RawRwLockRecursive as _,
    RawRwLockRecursiveTimed as _, RawRwLockTimed as _, RawRwLockUpgrade as _,
    RawRwLockUpgradeDowngrade as _, RawRwLockUpgradeFair as _, RawRwLockUpgradeTimed as _,
};

use crate::runtime::clock::Limit;
use crate::runtime::fair_rwlock::{self as model, FairRwLockState, Mode};
use crate::runtime::slot::{Gate, RawHold, Slot};
use crate::runtime::{self, Exec, Handle, Loc};

/// A deadline or a duration.
#[derive(Clone, Copy)]
enum Timeout {
    For(Duration),
    Until(Instant),
}

/// The lock of an `RwLock`, without its data: parking_lot's raw lock outside a check, the model
/// inside.
struct Raw {
    /// parking_lot's raw lock, held exclusively for an execution while its model threads hold
    /// the lock in any mode, so two checks (or code outside any check) sharing a `static` never
    /// reach the data together.
    gate: Gate<RawHold>,
    /// parking_lot's raw lock: all there is outside a check.
    std: parking_lot::RawRwLock,
    /// The model, per execution.
    slot: Slot,
}

impl Raw {
    #[track_caller]
    const fn new() -> Raw {
        Raw {
            gate: Gate::new(),
            std: <parking_lot::RawRwLock as parking_lot::lock_api::RawRwLock>::INIT,
            slot: Slot::new(),
        }
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, FairRwLockState::default)
    }

    /// A model thread of execution `serial` took the lock in `mode`: unless it upgraded a hold
    /// it had, the execution holds the real lock one more time.
    fn enter(&self, mode: Mode, serial: u64) {
        if !matches!(mode, Mode::Upgrade) {
            self.gate.enter(serial, || {
                if !self.std.try_lock_exclusive() {
                    return None;
                }
                /// Unlocks the exclusive hold of the `RawRwLock` at `r`.
                unsafe fn unlock(r: *const ()) {
                    // SAFETY: the gate's hold of it, taken above.
                    unsafe { (*(r as *const parking_lot::RawRwLock)).unlock_exclusive() }
                }
                // SAFETY: locked just above; the gate drops the hold once.
                Some(unsafe { RawHold::new(&self.std, unlock) })
            });
        }
    }

    /// A model thread of execution `serial` let a hold go: the last lets the real lock go.
    fn exit(&self, serial: u64) {
        self.gate.exit(serial);
    }

    fn acquire(&self, mode: Mode, op: &'static str, at: Loc) {
        let r = &self.std;
        match runtime::current() {
            None if !matches!(mode, Mode::Upgrade) && self.try_std(mode) => {}
            None => match mode {
                Mode::Read => r.lock_shared(),
                Mode::ReadRecursive => r.lock_shared_recursive(),
                Mode::Upgradable => r.lock_upgradable(),
                Mode::Write => r.lock_exclusive(),
                // SAFETY: the caller holds the upgradable lock.
                Mode::Upgrade => unsafe { r.upgrade() },
            },
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                model::acquire(&exec, h.id, mode, op, at);
                self.enter(mode, exec.serial);
            }
        }
    }

    /// A try at parking_lot's lock outside a check, in `mode` (not an upgrade). If it fails, an
    /// execution that has ended may have left it held: that is released (the caller then waits).
    fn try_std(&self, mode: Mode) -> bool {
        let r = &self.std;
        let taken = match mode {
            Mode::Read => r.try_lock_shared(),
            Mode::ReadRecursive => r.try_lock_shared_recursive(),
            Mode::Upgradable => r.try_lock_upgradable(),
            Mode::Write | Mode::Upgrade => r.try_lock_exclusive(),
        };
        if !taken {
            self.gate.clear_stale();
        }
        taken
    }

    fn try_acquire(&self, mode: Mode, op: &'static str, at: Loc) -> bool {
        let r = &self.std;
        match runtime::current() {
            None => match mode {
                Mode::Read => r.try_lock_shared(),
                Mode::ReadRecursive => r.try_lock_shared_recursive(),
                Mode::Upgradable => r.try_lock_upgradable(),
                Mode::Write => r.try_lock_exclusive(),
                // SAFETY: the caller holds the upgradable lock.
                Mode::Upgrade => unsafe { r.try_upgrade() },
            },
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                let taken = model::try_acquire(&exec, h.id, mode, at);
                if taken {
                    self.enter(mode, exec.serial);
                }
                taken
            }
        }
    }

    fn acquire_timed(&self, mode: Mode, timeout: Timeout, op: &'static str, at: Loc) -> bool {
        let r = &self.std;
        match runtime::current() {
            None => match (mode, timeout) {
                (Mode::Read, Timeout::For(d)) => r.try_lock_shared_for(d),
                (Mode::Read, Timeout::Until(t)) => r.try_lock_shared_until(t),
                (Mode::ReadRecursive, Timeout::For(d)) => r.try_lock_shared_recursive_for(d),
                (Mode::ReadRecursive, Timeout::Until(t)) => r.try_lock_shared_recursive_until(t),
                (Mode::Upgradable, Timeout::For(d)) => r.try_lock_upgradable_for(d),
                (Mode::Upgradable, Timeout::Until(t)) => r.try_lock_upgradable_until(t),
                (Mode::Write, Timeout::For(d)) => r.try_lock_exclusive_for(d),
                (Mode::Write, Timeout::Until(t)) => r.try_lock_exclusive_until(t),
                // SAFETY: the caller holds the upgradable lock.
                (Mode::Upgrade, Timeout::For(d)) => unsafe { r.try_upgrade_for(d) },
                // SAFETY: as above.
                (Mode::Upgrade, Timeout::Until(t)) => unsafe { r.try_upgrade_until(t) },
            },
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                let limit = match timeout {
                    Timeout::For(d) => Limit::For(d),
                    Timeout::Until(t) => Limit::Until(t),
                };
                let taken = model::acquire_timed(&exec, h.id, mode, limit, op, at);
                if taken {
                    self.enter(mode, exec.serial);
                }
                taken
            }
        }
    }

    /// Releases the caller's hold taken in `mode` (fairly, if `fair`).
    fn release(&self, mode: Mode, fair: bool, op: &'static str, at: Loc) {
        let r = &self.std;
        match runtime::current() {
            // SAFETY (all arms): the caller holds the lock in `mode`.
            None => unsafe {
                match (mode, fair) {
                    (Mode::Read | Mode::ReadRecursive, false) => r.unlock_shared(),
                    (Mode::Read | Mode::ReadRecursive, true) => r.unlock_shared_fair(),
                    (Mode::Upgradable, false) => r.unlock_upgradable(),
                    (Mode::Upgradable, true) => r.unlock_upgradable_fair(),
                    (Mode::Write | Mode::Upgrade, false) => r.unlock_exclusive(),
                    (Mode::Write | Mode::Upgrade, true) => r.unlock_exclusive_fair(),
                }
            },
            Some(exec) => {
                // The real lock first: a waiter that takes the lock at the release's scheduling
                // point takes the real lock after it.
                self.exit(exec.serial);
                if exec.closed() {
                    return;
                }
                let Some(h) = self.slot.attached(&exec) else {
                    return;
                };
                model::release(&exec, h.id, mode);
                // A scheduling point after the release, so a waiter may take the lock at once.
                exec.switch(op, at);
            }
        }
    }

    /// Turns the caller's write or upgradable hold into a weaker one without letting go.
    fn downgrade(&self, from: Mode, to: Mode, op: &'static str, at: Loc) {
        let r = &self.std;
        match runtime::current() {
            // SAFETY (all arms): the caller holds the lock in `from`.
            None => unsafe {
                match (from, to) {
                    (Mode::Upgradable, _) => r.downgrade_upgradable(),
                    (_, Mode::Upgradable) => r.downgrade_to_upgradable(),
                    _ => r.downgrade(),
                }
            },
            Some(exec) => {
                // The execution keeps the real lock: the hold goes on, in another mode.
                if exec.closed() {
                    return;
                }
                let Some(h) = self.slot.attached(&exec) else {
                    return;
                };
                model::downgrade(&exec, h.id, from, to);
                exec.switch(op, at);
            }
        }
    }

    /// Lets waiting threads take the lock, if any wait, and takes it back in `mode`.
    fn bump(&self, mode: Mode, op: &'static str, at: Loc) {
        let r = &self.std;
        match runtime::current() {
            // SAFETY (all arms): the caller holds the lock in `mode`.
            None => unsafe {
                match mode {
                    Mode::Read | Mode::ReadRecursive => r.bump_shared(),
                    Mode::Upgradable => r.bump_upgradable(),
                    Mode::Write | Mode::Upgrade => r.bump_exclusive(),
                }
            },
            Some(exec) => {
                // The execution keeps the real lock: the waiters are its own threads.
                let h = self.model(&exec);
                if !exec.switch(op, at) {
                    return;
                }
                let waiters = !exec.reg().fair_rwlock(h.id).waiters.is_empty();
                if waiters {
                    model::release(&exec, h.id, mode);
                    exec.switch(op, at);
                    model::acquire(&exec, h.id, mode, op, at);
                }
            }
        }
    }

    /// Whether the lock is held, and whether exclusively.
    fn locked(&self, op: &'static str, at: Loc) -> (bool, bool) {
        match runtime::current() {
            None => (self.std.is_locked(), self.std.is_locked_exclusive()),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                model::locked(&exec, h.id)
            }
        }
    }
}

/// Takes the lock again when it drops: what `unlocked` runs its closure under.
struct Relock<'a>(&'a Raw, Mode, Loc);

impl Drop for Relock<'_> {
    fn drop(&mut self) {
        self.0.acquire(self.1, "RwLock::relock", self.2);
    }
}

/// A reader-writer lock, as [`parking_lot::RwLock`]: `read()` and `write()` return the guard
/// (no poisoning), with upgradable reads, downgrades, recursive reads, timed locks, guard
/// mapping and fair unlocking.
///
/// Inside a check it runs on a model of parking_lot's lock (reports name it `rwlock#1`), which
/// is **task-fair and writer-preferring** as parking_lot's is: a new reader (or upgradable
/// reader) waits while a writer holds the lock *or waits for it*, so a thread that takes a
/// second read guard while a writer waits deadlocks, as parking_lot documents (use
/// [`read_recursive`](Self::read_recursive), which passes waiting writers while the lock is
/// read-held). One upgradable reader at a time shares the lock with readers; its upgrade waits
/// for the readers to leave and meanwhile holds new readers back. Which of the waiters an unlock
/// wakes takes the lock first is the scheduler's choice (the hand-over order of parking_lot's
/// fair unlocks is not modelled). Deadlocks, leaked threads and lock-order inversions are
/// reported as for [`sync::RwLock`](crate::sync::RwLock). Outside a check it is parking_lot's
/// own lock.
///
/// ```
/// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
/// use leakcheck::sync::Arc;
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let lock = Arc::new(RwLock::new(0));
///     let l2 = Arc::clone(&lock);
///     let h = thread::spawn(move || *l2.write() += 1);
///     let seen = *lock.read();
///     assert!(seen <= 1);
///     let up = lock.upgradable_read();
///     let mut w = RwLockUpgradableReadGuard::upgrade(up);
///     *w += 1;
///     drop(w);
///     h.join().unwrap();
///     assert_eq!(*lock.read(), 2);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    raw: Raw,
    data: UnsafeCell<T>,
}

// SAFETY: as lock_api's `RwLock`: `&mut T` to one thread at a time, `&T` to several.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`; `const`, as parking_lot's, so a `static` works
    /// (inside a check it gets its model on first use in each execution).
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// assert_eq!(*RwLock::new(5).read(), 5);
    /// ```
    #[track_caller]
    pub const fn new(value: T) -> Self {
        RwLock {
            raw: Raw::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns its value.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// assert_eq!(RwLock::new("v").into_inner(), "v");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

/// A new [`RwLock`], as [`parking_lot::const_rwlock`]: `const`, so a `static` works.
///
/// ```
/// let lock = leakcheck::parking_lot::const_rwlock(1);
/// assert_eq!(*lock.read(), 1);
/// ```
#[track_caller]
pub const fn const_rwlock<T>(value: T) -> RwLock<T> {
    RwLock::new(value)
}

impl<T: ?Sized> RwLock<T> {
    fn read_guard(&self) -> RwLockReadGuard<'_, T> {
        RwLockReadGuard {
            rwlock: self,
            marker: PhantomData,
        }
    }

    fn write_guard(&self) -> RwLockWriteGuard<'_, T> {
        RwLockWriteGuard {
            rwlock: self,
            marker: PhantomData,
        }
    }

    fn upgradable_guard(&self) -> RwLockUpgradableReadGuard<'_, T> {
        RwLockUpgradableReadGuard {
            rwlock: self,
            marker: PhantomData,
        }
    }

    /// Locks for shared reading, waiting while a writer holds the lock or waits for it.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let (a, b) = (lock.read(), lock.read());
    /// assert_eq!(*a + *b, 2);
    /// ```
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        self.raw
            .acquire(Mode::Read, "RwLock::read", runtime::caller());
        self.read_guard()
    }

    /// Locks for shared reading if that needs no waiting.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let w = lock.write();
    /// assert!(lock.try_read().is_none());
    /// drop(w);
    /// assert!(lock.try_read().is_some());
    /// ```
    #[track_caller]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        let at = runtime::caller();
        (self.raw.try_acquire(Mode::Read, "RwLock::try_read", at)).then(|| self.read_guard())
    }

    /// Locks for shared reading, waiting at most `timeout` (inside a check, whether the time
    /// passes first is the scheduler's recorded choice).
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::Duration;
    ///
    /// let lock = RwLock::new(1);
    /// assert!(lock.try_read_for(Duration::from_millis(1)).is_some());
    /// ```
    #[track_caller]
    pub fn try_read_for(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::For(timeout));
        (self
            .raw
            .acquire_timed(Mode::Read, t, "RwLock::try_read_for", at))
        .then(|| self.read_guard())
    }

    /// Locks for shared reading, waiting until `timeout` at the latest.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = RwLock::new(1);
    /// let w = lock.write();
    /// assert!(lock.try_read_until(Instant::now() + Duration::from_millis(1)).is_none());
    /// drop(w);
    /// ```
    #[track_caller]
    pub fn try_read_until(&self, timeout: Instant) -> Option<RwLockReadGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::Until(timeout));
        (self
            .raw
            .acquire_timed(Mode::Read, t, "RwLock::try_read_until", at))
        .then(|| self.read_guard())
    }

    /// Locks for shared reading, passing waiting writers while the lock is read-held (so a
    /// thread that holds a read guard may take another without deadlocking behind a writer).
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let a = lock.read();
    /// let b = lock.read_recursive();
    /// assert_eq!(*a, *b);
    /// ```
    #[track_caller]
    pub fn read_recursive(&self) -> RwLockReadGuard<'_, T> {
        let at = runtime::caller();
        self.raw
            .acquire(Mode::ReadRecursive, "RwLock::read_recursive", at);
        self.read_guard()
    }

    /// As [`read_recursive`](Self::read_recursive), if that needs no waiting.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// assert!(lock.try_read_recursive().is_some());
    /// ```
    #[track_caller]
    pub fn try_read_recursive(&self) -> Option<RwLockReadGuard<'_, T>> {
        let at = runtime::caller();
        (self
            .raw
            .try_acquire(Mode::ReadRecursive, "RwLock::try_read_recursive", at))
        .then(|| self.read_guard())
    }

    /// As [`read_recursive`](Self::read_recursive), waiting at most `timeout`.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::Duration;
    ///
    /// let lock = RwLock::new(1);
    /// assert!(lock.try_read_recursive_for(Duration::from_millis(1)).is_some());
    /// ```
    #[track_caller]
    pub fn try_read_recursive_for(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::For(timeout));
        let op = "RwLock::try_read_recursive_for";
        (self.raw.acquire_timed(Mode::ReadRecursive, t, op, at)).then(|| self.read_guard())
    }

    /// As [`read_recursive`](Self::read_recursive), waiting until `timeout` at the latest.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = RwLock::new(1);
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(lock.try_read_recursive_until(deadline).is_some());
    /// ```
    #[track_caller]
    pub fn try_read_recursive_until(&self, timeout: Instant) -> Option<RwLockReadGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::Until(timeout));
        let op = "RwLock::try_read_recursive_until";
        (self.raw.acquire_timed(Mode::ReadRecursive, t, op, at)).then(|| self.read_guard())
    }

    /// Locks for exclusive writing, waiting while any thread holds the lock.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(vec![1]);
    /// lock.write().push(2);
    /// assert_eq!(*lock.read(), [1, 2]);
    /// ```
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.raw
            .acquire(Mode::Write, "RwLock::write", runtime::caller());
        self.write_guard()
    }

    /// Locks for exclusive writing if no thread holds the lock.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let r = lock.read();
    /// assert!(lock.try_write().is_none());
    /// drop(r);
    /// assert!(lock.try_write().is_some());
    /// ```
    #[track_caller]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        let at = runtime::caller();
        (self.raw.try_acquire(Mode::Write, "RwLock::try_write", at)).then(|| self.write_guard())
    }

    /// Locks for exclusive writing, waiting at most `timeout`.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::Duration;
    ///
    /// let lock = RwLock::new(1);
    /// let r = lock.read();
    /// assert!(lock.try_write_for(Duration::from_millis(1)).is_none());
    /// drop(r);
    /// ```
    #[track_caller]
    pub fn try_write_for(&self, timeout: Duration) -> Option<RwLockWriteGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::For(timeout));
        (self
            .raw
            .acquire_timed(Mode::Write, t, "RwLock::try_write_for", at))
        .then(|| self.write_guard())
    }

    /// Locks for exclusive writing, waiting until `timeout` at the latest.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = RwLock::new(1);
    /// assert!(lock.try_write_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[track_caller]
    pub fn try_write_until(&self, timeout: Instant) -> Option<RwLockWriteGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::Until(timeout));
        (self
            .raw
            .acquire_timed(Mode::Write, t, "RwLock::try_write_until", at))
        .then(|| self.write_guard())
    }

    /// Locks for an upgradable read: shared with plain readers, exclusive of writers and of
    /// other upgradable readers; waits behind waiting writers.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let up = lock.upgradable_read();
    /// assert!(lock.try_read().is_some(), "readers may share it");
    /// assert!(lock.try_upgradable_read().is_none());
    /// *RwLockUpgradableReadGuard::upgrade(up) += 1;
    /// ```
    #[track_caller]
    pub fn upgradable_read(&self) -> RwLockUpgradableReadGuard<'_, T> {
        let at = runtime::caller();
        self.raw
            .acquire(Mode::Upgradable, "RwLock::upgradable_read", at);
        self.upgradable_guard()
    }

    /// Locks for an upgradable read if that needs no waiting.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// assert!(lock.try_upgradable_read().is_some());
    /// ```
    #[track_caller]
    pub fn try_upgradable_read(&self) -> Option<RwLockUpgradableReadGuard<'_, T>> {
        let at = runtime::caller();
        (self
            .raw
            .try_acquire(Mode::Upgradable, "RwLock::try_upgradable_read", at))
        .then(|| self.upgradable_guard())
    }

    /// Locks for an upgradable read, waiting at most `timeout`.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::Duration;
    ///
    /// let lock = RwLock::new(1);
    /// let _up = lock.upgradable_read();
    /// assert!(lock.try_upgradable_read_for(Duration::from_millis(1)).is_none());
    /// ```
    #[track_caller]
    pub fn try_upgradable_read_for(
        &self,
        timeout: Duration,
    ) -> Option<RwLockUpgradableReadGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::For(timeout));
        let op = "RwLock::try_upgradable_read_for";
        (self.raw.acquire_timed(Mode::Upgradable, t, op, at)).then(|| self.upgradable_guard())
    }

    /// Locks for an upgradable read, waiting until `timeout` at the latest.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = RwLock::new(1);
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(lock.try_upgradable_read_until(deadline).is_some());
    /// ```
    #[track_caller]
    pub fn try_upgradable_read_until(
        &self,
        timeout: Instant,
    ) -> Option<RwLockUpgradableReadGuard<'_, T>> {
        let (at, t) = (runtime::caller(), Timeout::Until(timeout));
        let op = "RwLock::try_upgradable_read_until";
        (self.raw.acquire_timed(Mode::Upgradable, t, op, at)).then(|| self.upgradable_guard())
    }

    /// A mutable reference to the value; no locking is needed, since the borrow is exclusive.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let mut lock = RwLock::new(0);
    /// *lock.get_mut() = 9;
    /// assert_eq!(*lock.read(), 9);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Whether any thread holds the lock, in any mode.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// let r = lock.read();
    /// assert!(lock.is_locked());
    /// drop(r);
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub fn is_locked(&self) -> bool {
        self.raw.locked("RwLock::is_locked", runtime::caller()).0
    }

    /// Whether a writer holds the lock.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// let r = lock.read();
    /// assert!(!lock.is_locked_exclusive());
    /// drop(r);
    /// let _w = lock.write();
    /// assert!(lock.is_locked_exclusive());
    /// ```
    #[track_caller]
    pub fn is_locked_exclusive(&self) -> bool {
        self.raw
            .locked("RwLock::is_locked_exclusive", runtime::caller())
            .1
    }

    /// A raw pointer to the value.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(3);
    /// let _r = lock.read();
    /// // SAFETY: read-locked, and nobody writes.
    /// assert_eq!(unsafe { *lock.data_ptr() }, 3);
    /// ```
    pub fn data_ptr(&self) -> *mut T {
        self.data.get()
    }

    /// A read guard, without locking.
    ///
    /// # Safety
    /// The current thread must hold a read lock whose guard was forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// std::mem::forget(lock.read());
    /// // SAFETY: read-locked above, guard forgotten.
    /// assert_eq!(*unsafe { lock.make_read_guard_unchecked() }, 1);
    /// ```
    pub unsafe fn make_read_guard_unchecked(&self) -> RwLockReadGuard<'_, T> {
        self.read_guard()
    }

    /// A write guard, without locking.
    ///
    /// # Safety
    /// The current thread must hold the write lock, its guard forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// std::mem::forget(lock.write());
    /// // SAFETY: write-locked above, guard forgotten.
    /// *unsafe { lock.make_write_guard_unchecked() } = 2;
    /// assert_eq!(*lock.read(), 2);
    /// ```
    pub unsafe fn make_write_guard_unchecked(&self) -> RwLockWriteGuard<'_, T> {
        self.write_guard()
    }

    /// An upgradable read guard, without locking.
    ///
    /// # Safety
    /// The current thread must hold the upgradable read lock, its guard forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// std::mem::forget(lock.upgradable_read());
    /// // SAFETY: locked above, guard forgotten.
    /// assert_eq!(*unsafe { lock.make_upgradable_guard_unchecked() }, 1);
    /// ```
    pub unsafe fn make_upgradable_guard_unchecked(&self) -> RwLockUpgradableReadGuard<'_, T> {
        self.upgradable_guard()
    }

    /// Releases a read lock without a guard.
    ///
    /// # Safety
    /// The current thread must hold a read lock whose guard was forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// std::mem::forget(lock.read());
    /// // SAFETY: read-locked, guard forgotten.
    /// unsafe { lock.force_unlock_read() };
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock_read(&self) {
        let at = runtime::caller();
        self.raw
            .release(Mode::Read, false, "RwLock::force_unlock_read", at);
    }

    /// Releases the write lock without a guard.
    ///
    /// # Safety
    /// The current thread must hold the write lock, its guard forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// std::mem::forget(lock.write());
    /// // SAFETY: write-locked, guard forgotten.
    /// unsafe { lock.force_unlock_write() };
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock_write(&self) {
        let at = runtime::caller();
        self.raw
            .release(Mode::Write, false, "RwLock::force_unlock_write", at);
    }

    /// Releases a read lock fairly, without a guard.
    ///
    /// # Safety
    /// As [`force_unlock_read`](Self::force_unlock_read).
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// std::mem::forget(lock.read());
    /// // SAFETY: read-locked, guard forgotten.
    /// unsafe { lock.force_unlock_read_fair() };
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock_read_fair(&self) {
        let at = runtime::caller();
        self.raw
            .release(Mode::Read, true, "RwLock::force_unlock_read_fair", at);
    }

    /// Releases the write lock fairly, without a guard.
    ///
    /// # Safety
    /// As [`force_unlock_write`](Self::force_unlock_write).
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// std::mem::forget(lock.write());
    /// // SAFETY: write-locked, guard forgotten.
    /// unsafe { lock.force_unlock_write_fair() };
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock_write_fair(&self) {
        let at = runtime::caller();
        self.raw
            .release(Mode::Write, true, "RwLock::force_unlock_write_fair", at);
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Unlocks `raw` (held in `mode`) while `f` runs, and takes it again.
fn unlocked<U>(raw: &Raw, mode: Mode, fair: bool, at: Loc, f: impl FnOnce() -> U) -> U {
    raw.release(mode, fair, "RwLock::unlocked", at);
    let _relock = Relock(raw, mode, at);
    f()
}

/// The guard of a shared read lock on an [`RwLock`]; the lock is released when it drops.
///
/// ```
/// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
///
/// let lock = RwLock::new((1, 2));
/// let g = RwLockReadGuard::map(lock.read(), |p| &p.1);
/// assert_eq!(*g, 2);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    rwlock: &'a RwLock<T>,
    marker: PhantomData<(&'a T, *const ())>,
}

// SAFETY: as lock_api's guard: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// The lock the guard holds.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let g = lock.read();
    /// assert!(std::ptr::eq(RwLockReadGuard::rwlock(&g), &lock));
    /// ```
    pub fn rwlock(s: &Self) -> &'a RwLock<T> {
        s.rwlock
    }

    /// A guard for a part of the value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new([1, 2]);
    /// let g: MappedRwLockReadGuard<'_, i32> = RwLockReadGuard::map(lock.read(), |a| &a[1]);
    /// assert_eq!(*g, 2);
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        let raw = &s.rwlock.raw;
        // SAFETY: the guard holds a read lock.
        let data = f(unsafe { &*s.rwlock.data.get() }) as *const U;
        std::mem::forget(s);
        MappedRwLockReadGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(vec![1]);
    /// assert!(RwLockReadGuard::try_map(lock.read(), |v| v.get(2)).is_err());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        Self::try_map_or_err(s, |t| f(t).ok_or(())).map_err(|(s, ())| s)
    }

    /// As [`try_map`](Self::try_map), with the closure's error beside the guard.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(vec![1]);
    /// assert!(RwLockReadGuard::try_map_or_err(lock.read(), |v| v.first().ok_or(())).is_ok());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedRwLockReadGuard<'a, U>, (Self, E)>
    where
        F: FnOnce(&T) -> Result<&U, E>,
    {
        let raw = &s.rwlock.raw;
        // SAFETY: the guard holds a read lock.
        match f(unsafe { &*s.rwlock.data.get() }) {
            Ok(data) => {
                let data = data as *const U;
                std::mem::forget(s);
                Ok(MappedRwLockReadGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Releases the read lock while `f` runs, and takes it again.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let mut g = lock.read();
    /// assert!(RwLockReadGuard::unlocked(&mut g, || lock.try_write().is_some()));
    /// ```
    #[track_caller]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        unlocked(&s.rwlock.raw, Mode::Read, false, runtime::caller(), f)
    }

    /// As [`unlocked`](Self::unlocked), releasing fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let mut g = lock.read();
    /// RwLockReadGuard::unlocked_fair(&mut g, || assert!(!lock.is_locked()));
    /// ```
    #[track_caller]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        unlocked(&s.rwlock.raw, Mode::Read, true, runtime::caller(), f)
    }

    /// Releases the read lock fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// RwLockReadGuard::unlock_fair(lock.read());
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = &s.rwlock.raw;
        std::mem::forget(s);
        raw.release(
            Mode::Read,
            true,
            "RwLockReadGuard::unlock_fair",
            runtime::caller(),
        );
    }

    /// Lets waiting threads take the lock, if any wait, and takes it back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let mut g = lock.read();
    /// RwLockReadGuard::bump(&mut g);
    /// assert_eq!(*g, 1);
    /// ```
    #[track_caller]
    pub fn bump(s: &mut Self) {
        s.rwlock
            .raw
            .bump(Mode::Read, "RwLockReadGuard::bump", runtime::caller());
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.rwlock.raw.release(
            Mode::Read,
            false,
            "RwLockReadGuard::drop",
            runtime::caller(),
        );
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read lock.
        unsafe { &*self.rwlock.data.get() }
    }
}

/// The guard of the exclusive write lock on an [`RwLock`]; the lock is released when it drops.
///
/// ```
/// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
///
/// let lock = RwLock::new(1);
/// let mut w = lock.write();
/// *w = 2;
/// let r = RwLockWriteGuard::downgrade(w);
/// assert_eq!(*r, 2);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    rwlock: &'a RwLock<T>,
    marker: PhantomData<(&'a mut T, *const ())>,
}

// SAFETY: as lock_api's guard: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// The lock the guard holds.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let g = lock.write();
    /// assert!(std::ptr::eq(RwLockWriteGuard::rwlock(&g), &lock));
    /// ```
    pub fn rwlock(s: &Self) -> &'a RwLock<T> {
        s.rwlock
    }

    /// A guard for a part of the value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new((1, 2));
    /// *RwLockWriteGuard::map(lock.write(), |p| &mut p.0) = 10;
    /// assert_eq!(*lock.read(), (10, 2));
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let raw = &s.rwlock.raw;
        // SAFETY: the guard holds the write lock.
        let data = f(unsafe { &mut *s.rwlock.data.get() }) as *mut U;
        std::mem::forget(s);
        MappedRwLockWriteGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(vec![1]);
    /// assert!(RwLockWriteGuard::try_map(lock.write(), |v| v.get_mut(0)).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        Self::try_map_or_err(s, |t| f(t).ok_or(())).map_err(|(s, ())| s)
    }

    /// As [`try_map`](Self::try_map), with the closure's error beside the guard.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(vec![1]);
    /// assert!(RwLockWriteGuard::try_map_or_err(lock.write(), |v| v.get_mut(4).ok_or(())).is_err());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedRwLockWriteGuard<'a, U>, (Self, E)>
    where
        F: FnOnce(&mut T) -> Result<&mut U, E>,
    {
        let raw = &s.rwlock.raw;
        // SAFETY: the guard holds the write lock.
        match f(unsafe { &mut *s.rwlock.data.get() }) {
            Ok(data) => {
                let data = data as *mut U;
                std::mem::forget(s);
                Ok(MappedRwLockWriteGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Releases the write lock while `f` runs, and takes it again.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let mut g = lock.write();
    /// assert!(RwLockWriteGuard::unlocked(&mut g, || lock.try_read().is_some()));
    /// ```
    #[track_caller]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        unlocked(&s.rwlock.raw, Mode::Write, false, runtime::caller(), f)
    }

    /// As [`unlocked`](Self::unlocked), releasing fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let mut g = lock.write();
    /// RwLockWriteGuard::unlocked_fair(&mut g, || assert!(!lock.is_locked()));
    /// ```
    #[track_caller]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        unlocked(&s.rwlock.raw, Mode::Write, true, runtime::caller(), f)
    }

    /// Turns the write lock into a read lock without letting go: waiting readers may enter.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let r = RwLockWriteGuard::downgrade(lock.write());
    /// assert!(lock.try_read().is_some());
    /// drop(r);
    /// ```
    #[track_caller]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, T> {
        let rwlock = s.rwlock;
        std::mem::forget(s);
        let at = runtime::caller();
        rwlock
            .raw
            .downgrade(Mode::Write, Mode::Read, "RwLockWriteGuard::downgrade", at);
        rwlock.read_guard()
    }

    /// Turns the write lock into an upgradable read lock without letting go.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let up = RwLockWriteGuard::downgrade_to_upgradable(lock.write());
    /// assert!(lock.try_read().is_some());
    /// drop(up);
    /// ```
    #[track_caller]
    pub fn downgrade_to_upgradable(s: Self) -> RwLockUpgradableReadGuard<'a, T> {
        let rwlock = s.rwlock;
        std::mem::forget(s);
        let (at, op) = (
            runtime::caller(),
            "RwLockWriteGuard::downgrade_to_upgradable",
        );
        rwlock.raw.downgrade(Mode::Write, Mode::Upgradable, op, at);
        rwlock.upgradable_guard()
    }

    /// Releases the write lock fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(0);
    /// RwLockWriteGuard::unlock_fair(lock.write());
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = &s.rwlock.raw;
        std::mem::forget(s);
        raw.release(
            Mode::Write,
            true,
            "RwLockWriteGuard::unlock_fair",
            runtime::caller(),
        );
    }

    /// Lets waiting threads take the lock, if any wait, and takes it back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let mut g = lock.write();
    /// RwLockWriteGuard::bump(&mut g);
    /// assert_eq!(*g, 1);
    /// ```
    #[track_caller]
    pub fn bump(s: &mut Self) {
        s.rwlock
            .raw
            .bump(Mode::Write, "RwLockWriteGuard::bump", runtime::caller());
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.rwlock.raw.release(
            Mode::Write,
            false,
            "RwLockWriteGuard::drop",
            runtime::caller(),
        );
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the write lock.
        unsafe { &*self.rwlock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the write lock.
        unsafe { &mut *self.rwlock.data.get() }
    }
}

/// The guard of the upgradable read lock on an [`RwLock`]: shared with plain readers, and
/// [`upgrade`](Self::upgrade)-able to the write lock without letting go.
///
/// ```
/// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
///
/// let lock = RwLock::new(1);
/// let up = lock.upgradable_read();
/// if *up == 1 {
///     *RwLockUpgradableReadGuard::upgrade(up) = 2;
/// }
/// assert_eq!(*lock.read(), 2);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockUpgradableReadGuard<'a, T: ?Sized> {
    rwlock: &'a RwLock<T>,
    marker: PhantomData<(&'a T, *const ())>,
}

// SAFETY: as lock_api's guard: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockUpgradableReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockUpgradableReadGuard<'a, T> {
    /// The lock the guard holds.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let g = lock.upgradable_read();
    /// assert!(std::ptr::eq(RwLockUpgradableReadGuard::rwlock(&g), &lock));
    /// ```
    pub fn rwlock(s: &Self) -> &'a RwLock<T> {
        s.rwlock
    }

    /// Releases the upgradable lock while `f` runs, and takes it again.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let mut g = lock.upgradable_read();
    /// assert!(RwLockUpgradableReadGuard::unlocked(&mut g, || lock.try_write().is_some()));
    /// ```
    #[track_caller]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        unlocked(&s.rwlock.raw, Mode::Upgradable, false, runtime::caller(), f)
    }

    /// As [`unlocked`](Self::unlocked), releasing fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// let mut g = lock.upgradable_read();
    /// RwLockUpgradableReadGuard::unlocked_fair(&mut g, || assert!(!lock.is_locked()));
    /// ```
    #[track_caller]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        unlocked(&s.rwlock.raw, Mode::Upgradable, true, runtime::caller(), f)
    }

    /// Upgrades to the write lock, waiting for the plain readers to leave (new readers wait
    /// meanwhile). Two threads cannot both wait to upgrade: only one holds the upgradable lock.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let mut w = RwLockUpgradableReadGuard::upgrade(lock.upgradable_read());
    /// *w += 1;
    /// drop(w);
    /// assert_eq!(*lock.read(), 2);
    /// ```
    #[track_caller]
    pub fn upgrade(s: Self) -> RwLockWriteGuard<'a, T> {
        let rwlock = s.rwlock;
        std::mem::forget(s);
        let at = runtime::caller();
        rwlock
            .raw
            .acquire(Mode::Upgrade, "RwLockUpgradableReadGuard::upgrade", at);
        rwlock.write_guard()
    }

    /// Upgrades to the write lock if no plain reader holds the lock; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let up = lock.upgradable_read();
    /// let r = lock.read();
    /// let up = RwLockUpgradableReadGuard::try_upgrade(up).unwrap_err();
    /// drop(r);
    /// assert!(RwLockUpgradableReadGuard::try_upgrade(up).is_ok());
    /// ```
    #[track_caller]
    #[allow(clippy::result_large_err)]
    pub fn try_upgrade(s: Self) -> Result<RwLockWriteGuard<'a, T>, Self> {
        let at = runtime::caller();
        let op = "RwLockUpgradableReadGuard::try_upgrade";
        if s.rwlock.raw.try_acquire(Mode::Upgrade, op, at) {
            let rwlock = s.rwlock;
            std::mem::forget(s);
            Ok(rwlock.write_guard())
        } else {
            Err(s)
        }
    }

    /// Upgrades to the write lock, waiting at most `timeout`; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    /// use std::time::Duration;
    ///
    /// let lock = RwLock::new(1);
    /// let up = lock.upgradable_read();
    /// assert!(RwLockUpgradableReadGuard::try_upgrade_for(up, Duration::from_millis(1)).is_ok());
    /// ```
    #[track_caller]
    #[allow(clippy::result_large_err)]
    pub fn try_upgrade_for(s: Self, timeout: Duration) -> Result<RwLockWriteGuard<'a, T>, Self> {
        Self::upgrade_timed(s, Timeout::For(timeout), runtime::caller())
    }

    /// Upgrades to the write lock, waiting until `timeout` at the latest; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = RwLock::new(1);
    /// let up = lock.upgradable_read();
    /// let r = lock.read();
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(RwLockUpgradableReadGuard::try_upgrade_until(up, deadline).is_err());
    /// drop(r);
    /// ```
    #[track_caller]
    #[allow(clippy::result_large_err)]
    pub fn try_upgrade_until(s: Self, timeout: Instant) -> Result<RwLockWriteGuard<'a, T>, Self> {
        Self::upgrade_timed(s, Timeout::Until(timeout), runtime::caller())
    }

    #[allow(clippy::result_large_err)]
    fn upgrade_timed(s: Self, timeout: Timeout, at: Loc) -> Result<RwLockWriteGuard<'a, T>, Self> {
        let op = match timeout {
            Timeout::For(_) => "RwLockUpgradableReadGuard::try_upgrade_for",
            Timeout::Until(_) => "RwLockUpgradableReadGuard::try_upgrade_until",
        };
        if s.rwlock.raw.acquire_timed(Mode::Upgrade, timeout, op, at) {
            let rwlock = s.rwlock;
            std::mem::forget(s);
            Ok(rwlock.write_guard())
        } else {
            Err(s)
        }
    }

    /// Turns the upgradable lock into a plain read lock.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let r = RwLockUpgradableReadGuard::downgrade(lock.upgradable_read());
    /// assert!(lock.try_upgradable_read().is_some());
    /// drop(r);
    /// ```
    #[track_caller]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, T> {
        let rwlock = s.rwlock;
        std::mem::forget(s);
        let (at, op) = (runtime::caller(), "RwLockUpgradableReadGuard::downgrade");
        rwlock.raw.downgrade(Mode::Upgradable, Mode::Read, op, at);
        rwlock.read_guard()
    }

    /// Runs `f` with the write lock: upgrades, then goes back to the upgradable lock (also if
    /// `f` panics).
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let mut up = lock.upgradable_read();
    /// up.with_upgraded(|v| *v += 1);
    /// assert_eq!(*up, 2);
    /// ```
    #[track_caller]
    pub fn with_upgraded<Ret, F: FnOnce(&mut T) -> Ret>(&mut self, f: F) -> Ret {
        let at = runtime::caller();
        let op = "RwLockUpgradableReadGuard::with_upgraded";
        self.rwlock.raw.acquire(Mode::Upgrade, op, at);
        self.upgraded(op, at, f)
    }

    /// As [`with_upgraded`](Self::with_upgraded), if the upgrade needs no waiting.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let mut up = lock.upgradable_read();
    /// assert_eq!(up.try_with_upgraded(|v| { *v += 1; *v }), Some(2));
    /// ```
    #[track_caller]
    pub fn try_with_upgraded<Ret, F: FnOnce(&mut T) -> Ret>(&mut self, f: F) -> Option<Ret> {
        let at = runtime::caller();
        let op = "RwLockUpgradableReadGuard::try_with_upgraded";
        let got = self.rwlock.raw.try_acquire(Mode::Upgrade, op, at);
        got.then(|| self.upgraded(op, at, f))
    }

    /// As [`with_upgraded`](Self::with_upgraded), if the upgrade succeeds within `timeout`.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::Duration;
    ///
    /// let lock = RwLock::new(1);
    /// let mut up = lock.upgradable_read();
    /// let r = lock.read();
    /// assert_eq!(up.try_with_upgraded_for(Duration::from_millis(1), |v| *v), None);
    /// drop(r);
    /// ```
    #[track_caller]
    pub fn try_with_upgraded_for<Ret, F: FnOnce(&mut T) -> Ret>(
        &mut self,
        timeout: Duration,
        f: F,
    ) -> Option<Ret> {
        let at = runtime::caller();
        let op = "RwLockUpgradableReadGuard::try_with_upgraded_for";
        let got = self
            .rwlock
            .raw
            .acquire_timed(Mode::Upgrade, Timeout::For(timeout), op, at);
        got.then(|| self.upgraded(op, at, f))
    }

    /// As [`with_upgraded`](Self::with_upgraded), if the upgrade succeeds by `timeout`.
    ///
    /// ```
    /// use leakcheck::parking_lot::RwLock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = RwLock::new(1);
    /// let mut up = lock.upgradable_read();
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert_eq!(up.try_with_upgraded_until(deadline, |v| *v + 1), Some(2));
    /// ```
    #[track_caller]
    pub fn try_with_upgraded_until<Ret, F: FnOnce(&mut T) -> Ret>(
        &mut self,
        timeout: Instant,
        f: F,
    ) -> Option<Ret> {
        let at = runtime::caller();
        let op = "RwLockUpgradableReadGuard::try_with_upgraded_until";
        let got = self
            .rwlock
            .raw
            .acquire_timed(Mode::Upgrade, Timeout::Until(timeout), op, at);
        got.then(|| self.upgraded(op, at, f))
    }

    /// Runs `f` under the write lock the caller just took by upgrading, and goes back to the
    /// upgradable lock when it returns or panics.
    fn upgraded<Ret>(&mut self, op: &'static str, at: Loc, f: impl FnOnce(&mut T) -> Ret) -> Ret {
        struct Back<'a>(&'a Raw, &'static str, Loc);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                self.0
                    .downgrade(Mode::Write, Mode::Upgradable, self.1, self.2);
            }
        }
        let _back = Back(&self.rwlock.raw, op, at);
        // SAFETY: the write lock is held until `_back` drops.
        f(unsafe { &mut *self.rwlock.data.get() })
    }

    /// Releases the upgradable lock fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(0);
    /// RwLockUpgradableReadGuard::unlock_fair(lock.upgradable_read());
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = &s.rwlock.raw;
        std::mem::forget(s);
        let op = "RwLockUpgradableReadGuard::unlock_fair";
        raw.release(Mode::Upgradable, true, op, runtime::caller());
    }

    /// Lets waiting threads take the lock, if any wait, and takes it back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{RwLock, RwLockUpgradableReadGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let mut g = lock.upgradable_read();
    /// RwLockUpgradableReadGuard::bump(&mut g);
    /// assert_eq!(*g, 1);
    /// ```
    #[track_caller]
    pub fn bump(s: &mut Self) {
        let op = "RwLockUpgradableReadGuard::bump";
        s.rwlock.raw.bump(Mode::Upgradable, op, runtime::caller());
    }
}

impl<T: ?Sized> Drop for RwLockUpgradableReadGuard<'_, T> {
    fn drop(&mut self) {
        let op = "RwLockUpgradableReadGuard::drop";
        self.rwlock
            .raw
            .release(Mode::Upgradable, false, op, runtime::caller());
    }
}

impl<T: ?Sized> Deref for RwLockUpgradableReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a shared lock.
        unsafe { &*self.rwlock.data.get() }
    }
}

/// The guard of a part of a read-locked [`RwLock`]'s value ([`RwLockReadGuard::map`]).
///
/// ```
/// use leakcheck::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
///
/// let lock = RwLock::new((1, (2, 3)));
/// let g = MappedRwLockReadGuard::map(RwLockReadGuard::map(lock.read(), |t| &t.1), |p| &p.1);
/// assert_eq!(*g, 3);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct MappedRwLockReadGuard<'a, T: ?Sized> {
    raw: &'a Raw,
    data: *const T,
    marker: PhantomData<&'a T>,
}

// SAFETY: as lock_api's: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for MappedRwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> MappedRwLockReadGuard<'a, T> {
    /// A guard for a part of this guard's value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(((1, 2), 3));
    /// let g = RwLockReadGuard::map(lock.read(), |t| &t.0);
    /// assert_eq!(*MappedRwLockReadGuard::map(g, |p| &p.0), 1);
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        let raw = s.raw;
        // SAFETY: the guard holds a read lock.
        let data = f(unsafe { &*s.data }) as *const U;
        std::mem::forget(s);
        MappedRwLockReadGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(vec![vec![1]]);
    /// let g = RwLockReadGuard::map(lock.read(), |v| &v[0]);
    /// assert!(MappedRwLockReadGuard::try_map(g, |v| v.get(1)).is_err());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        Self::try_map_or_else(s, |t| f(t).ok_or(())).map_err(|(s, ())| s)
    }

    /// As [`try_map`](Self::try_map), with the closure's error beside the guard (lock_api names
    /// it so for this guard).
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(vec![vec![1]]);
    /// let g = RwLockReadGuard::map(lock.read(), |v| &v[0]);
    /// assert!(MappedRwLockReadGuard::try_map_or_else(g, |v| v.first().ok_or(())).is_ok());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_else<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedRwLockReadGuard<'a, U>, (Self, E)>
    where
        F: FnOnce(&T) -> Result<&U, E>,
    {
        let raw = s.raw;
        // SAFETY: the guard holds a read lock.
        match f(unsafe { &*s.data }) {
            Ok(data) => {
                let data = data as *const U;
                std::mem::forget(s);
                Ok(MappedRwLockReadGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Releases the read lock fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new((0, 1));
    /// MappedRwLockReadGuard::unlock_fair(RwLockReadGuard::map(lock.read(), |p| &p.0));
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = s.raw;
        std::mem::forget(s);
        let op = "MappedRwLockReadGuard::unlock_fair";
        raw.release(Mode::Read, true, op, runtime::caller());
    }
}

impl<T: ?Sized> Drop for MappedRwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        let op = "MappedRwLockReadGuard::drop";
        self.raw.release(Mode::Read, false, op, runtime::caller());
    }
}

impl<T: ?Sized> Deref for MappedRwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read lock.
        unsafe { &*self.data }
    }
}

/// The guard of a part of a write-locked [`RwLock`]'s value ([`RwLockWriteGuard::map`]).
///
/// ```
/// use leakcheck::parking_lot::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
///
/// let lock = RwLock::new((1, 2));
/// let mut g: MappedRwLockWriteGuard<'_, i32> = RwLockWriteGuard::map(lock.write(), |p| &mut p.1);
/// *g = 20;
/// drop(g);
/// assert_eq!(*lock.read(), (1, 20));
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct MappedRwLockWriteGuard<'a, T: ?Sized> {
    raw: &'a Raw,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

// SAFETY: as lock_api's: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for MappedRwLockWriteGuard<'_, T> {}

impl<'a, T: ?Sized> MappedRwLockWriteGuard<'a, T> {
    /// A guard for a part of this guard's value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(((1, 2), 3));
    /// let g = RwLockWriteGuard::map(lock.write(), |t| &mut t.0);
    /// *MappedRwLockWriteGuard::map(g, |p| &mut p.1) = 5;
    /// assert_eq!(*lock.read(), ((1, 5), 3));
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the write lock.
        let data = f(unsafe { &mut *s.data }) as *mut U;
        std::mem::forget(s);
        MappedRwLockWriteGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(vec![vec![1]]);
    /// let g = RwLockWriteGuard::map(lock.write(), |v| &mut v[0]);
    /// assert!(MappedRwLockWriteGuard::try_map(g, |v| v.get_mut(0)).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        Self::try_map_or_err(s, |t| f(t).ok_or(())).map_err(|(s, ())| s)
    }

    /// As [`try_map`](Self::try_map), with the closure's error beside the guard.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(vec![vec![1]]);
    /// let g = RwLockWriteGuard::map(lock.write(), |v| &mut v[0]);
    /// assert!(MappedRwLockWriteGuard::try_map_or_err(g, |v| v.get_mut(7).ok_or(())).is_err());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedRwLockWriteGuard<'a, U>, (Self, E)>
    where
        F: FnOnce(&mut T) -> Result<&mut U, E>,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the write lock.
        match f(unsafe { &mut *s.data }) {
            Ok(data) => {
                let data = data as *mut U;
                std::mem::forget(s);
                Ok(MappedRwLockWriteGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Releases the write lock fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new((0, 1));
    /// MappedRwLockWriteGuard::unlock_fair(RwLockWriteGuard::map(lock.write(), |p| &mut p.0));
    /// assert!(!lock.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = s.raw;
        std::mem::forget(s);
        let op = "MappedRwLockWriteGuard::unlock_fair";
        raw.release(Mode::Write, true, op, runtime::caller());
    }
}

impl<T: ?Sized> Drop for MappedRwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        let op = "MappedRwLockWriteGuard::drop";
        self.raw.release(Mode::Write, false, op, runtime::caller());
    }
}

impl<T: ?Sized> Deref for MappedRwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the write lock.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedRwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the write lock.
        unsafe { &mut *self.data }
    }
}

macro_rules! fmt_guards {
    ($($guard:ident),*) => {$(
        impl<T: ?Sized + fmt::Debug> fmt::Debug for $guard<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<T: ?Sized + fmt::Display> fmt::Display for $guard<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    )*};
}

fmt_guards!(
    RwLockReadGuard,
    RwLockWriteGuard,
    RwLockUpgradableReadGuard,
    MappedRwLockReadGuard,
    MappedRwLockWriteGuard
);
