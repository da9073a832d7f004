//! parking_lot's `ReentrantMutex`.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::time::{Duration, Instant};

use parking_lot::lock_api::RawReentrantMutex;

use crate::runtime::clock::Limit;
use crate::runtime::remutex::{self as model, RemutexState};
use crate::runtime::slot::{Gate, RawHold, Slot};
use crate::runtime::{self, Exec, Handle, Loc};

type StdRaw = RawReentrantMutex<parking_lot::RawMutex, parking_lot::RawThreadId>;

/// The lock of a reentrant mutex, without its data.
struct Raw {
    /// parking_lot's lock, held for an execution while its model threads hold the mutex, so
    /// two checks (or code outside any check) sharing a `static` never reach the data together.
    gate: Gate<RawHold>,
    /// parking_lot's lock: all there is outside a check.
    std: StdRaw,
    /// The model, per execution.
    slot: Slot,
}

impl Raw {
    #[track_caller]
    const fn new() -> Raw {
        Raw {
            gate: Gate::new(),
            std: StdRaw::INIT,
            slot: Slot::new(),
        }
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, RemutexState::default)
    }

    /// A model thread of execution `serial` took the mutex (once more).
    fn enter(&self, serial: u64) {
        self.gate.enter(serial, || {
            if !self.std.try_lock() {
                return None;
            }
            /// Unlocks one hold of the `StdRaw` at `r`.
            unsafe fn unlock(r: *const ()) {
                // SAFETY: the gate's hold of it, taken above.
                unsafe { (*(r as *const StdRaw)).unlock() }
            }
            // SAFETY: locked just above; the gate drops the hold once.
            Some(unsafe { RawHold::new(&self.std, unlock) })
        });
    }

    /// A model thread of execution `serial` let one hold go: the last lets the real lock go.
    fn exit(&self, serial: u64) {
        self.gate.exit(serial);
    }

    fn lock(&self, op: &'static str, at: Loc) {
        match runtime::current() {
            None => {
                if !self.std.try_lock() {
                    // An execution that has ended may have left it held.
                    self.gate.clear_stale();
                    self.std.lock();
                }
            }
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                model::acquire(&exec, h.id, op, at);
                self.enter(exec.serial);
            }
        }
    }

    fn try_lock(&self, at: Loc) -> bool {
        match runtime::current() {
            None => self.std.try_lock(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("ReentrantMutex::try_lock", at);
                let taken = model::try_acquire(&exec, h.id, at);
                if taken {
                    self.enter(exec.serial);
                }
                taken
            }
        }
    }

    fn try_lock_timed(
        &self,
        op: &'static str,
        at: Loc,
        limit: Limit,
        std: impl FnOnce(&StdRaw) -> bool,
    ) -> bool {
        match runtime::current() {
            None => std(&self.std),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                let taken = model::acquire_timed(&exec, h.id, limit, op, at);
                if taken {
                    self.enter(exec.serial);
                }
                taken
            }
        }
    }

    /// Unlocks once (fairly, if `fair`); the caller holds the lock.
    fn unlock(&self, fair: bool, at: Loc) {
        match runtime::current() {
            // SAFETY: the caller holds the lock.
            None if fair => unsafe { self.std.unlock_fair() },
            // SAFETY: as above.
            None => unsafe { self.std.unlock() },
            Some(exec) => {
                // The real lock first: a waiter that takes the mutex at the release's
                // scheduling point takes the real lock after it.
                self.exit(exec.serial);
                if exec.closed() {
                    return;
                }
                let Some(h) = self.slot.attached(&exec) else {
                    return;
                };
                model::release(&exec, h.id);
                let op = if fair {
                    "ReentrantMutexGuard::unlock_fair"
                } else {
                    "ReentrantMutexGuard::drop"
                };
                exec.switch(op, at);
            }
        }
    }

    fn bump(&self, at: Loc) {
        match runtime::current() {
            // SAFETY: the caller holds the lock.
            None => unsafe { self.std.bump() },
            Some(exec) => {
                // The execution keeps the real lock: the waiters are its own threads.
                let h = self.model(&exec);
                if !exec.switch("ReentrantMutexGuard::bump", at) {
                    return;
                }
                let yields = {
                    let mut reg = exec.reg();
                    let r = reg.remutex(h.id);
                    r.count == 1 && !r.waiters.is_empty()
                };
                if yields {
                    model::release(&exec, h.id);
                    exec.switch("ReentrantMutexGuard::bump", at);
                    model::acquire(&exec, h.id, "ReentrantMutexGuard::bump", at);
                }
            }
        }
    }

    /// Whether it is locked, and whether by the current thread.
    fn owned(&self, at: Loc) -> (bool, bool) {
        match runtime::current() {
            None => (self.std.is_locked(), self.std.is_owned_by_current_thread()),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("ReentrantMutex::is_locked", at);
                model::owned(&exec, h.id)
            }
        }
    }
}

/// Locks again when it drops: what `unlocked` runs its closure under.
struct Relock<'a>(&'a Raw, Loc);

impl Drop for Relock<'_> {
    fn drop(&mut self) {
        self.0.lock("ReentrantMutexGuard::unlocked", self.1);
    }
}

/// A mutex that the thread holding it may lock again, as [`parking_lot::ReentrantMutex`]; its
/// guards give shared access only (`&T`).
///
/// Inside a check it is a model with an owner and a count (reports name it
/// `reentrant_mutex#1`): the owner locks it again at once, and every other thread waits until the
/// owner has unlocked it as many times as it locked it; a thread left waiting names the owner,
/// and a deadlock shows the wait-for cycle. Outside a check it is parking_lot's own.
///
/// ```
/// use leakcheck::parking_lot::ReentrantMutex;
/// use leakcheck::sync::Arc;
/// use leakcheck::thread;
/// use std::cell::Cell;
///
/// leakcheck::check(|| {
///     let m = Arc::new(ReentrantMutex::new(Cell::new(0)));
///     let m2 = Arc::clone(&m);
///     let h = thread::spawn(move || m2.lock().set(m2.lock().get() + 1));
///     {
///         let outer = m.lock();
///         let inner = m.lock(); // the owner locks it again
///         inner.set(outer.get() + 1);
///     }
///     h.join().unwrap();
///     assert_eq!(m.lock().get(), 2);
/// });
/// ```
pub struct ReentrantMutex<T: ?Sized> {
    raw: Raw,
    data: UnsafeCell<T>,
}

// SAFETY: as lock_api's: the guards give `&T` only, to one thread at a time.
unsafe impl<T: ?Sized + Send> Send for ReentrantMutex<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send> Sync for ReentrantMutex<T> {}

impl<T> ReentrantMutex<T> {
    /// A new unlocked reentrant mutex holding `value`; `const`, as parking_lot's, so a
    /// `static` works (inside a check it gets its model on first use in each execution).
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(1);
    /// assert_eq!(*m.lock(), 1);
    /// ```
    #[track_caller]
    pub const fn new(value: T) -> Self {
        ReentrantMutex {
            raw: Raw::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns its value.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// assert_eq!(ReentrantMutex::new(2).into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> ReentrantMutex<T> {
    fn guard(&self) -> ReentrantMutexGuard<'_, T> {
        ReentrantMutexGuard {
            remutex: self,
            marker: PhantomData,
        }
    }

    /// Locks the mutex: at once if this thread holds it already, else waiting until it is free.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(5);
    /// let a = m.lock();
    /// let b = m.lock();
    /// assert_eq!(*a + *b, 10);
    /// ```
    #[track_caller]
    pub fn lock(&self) -> ReentrantMutexGuard<'_, T> {
        self.raw.lock("ReentrantMutex::lock", runtime::caller());
        self.guard()
    }

    /// Locks the mutex if this thread holds it or nobody does.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(());
    /// let _a = m.lock();
    /// assert!(m.try_lock().is_some());
    /// ```
    #[track_caller]
    pub fn try_lock(&self) -> Option<ReentrantMutexGuard<'_, T>> {
        self.raw.try_lock(runtime::caller()).then(|| self.guard())
    }

    /// Locks the mutex, waiting at most `timeout` (inside a check, a deadline on the
    /// [modelled clock](crate::time); whether it passes first is the [time model](crate::Time)'s
    /// rule).
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    /// use std::time::Duration;
    ///
    /// let m = ReentrantMutex::new(());
    /// assert!(m.try_lock_for(Duration::from_millis(1)).is_some());
    /// ```
    #[track_caller]
    pub fn try_lock_for(&self, timeout: Duration) -> Option<ReentrantMutexGuard<'_, T>> {
        let at = runtime::caller();
        self.raw
            .try_lock_timed(
                "ReentrantMutex::try_lock_for",
                at,
                Limit::For(timeout),
                |r| r.try_lock_for(timeout),
            )
            .then(|| self.guard())
    }

    /// Locks the mutex, waiting until `timeout` at the latest.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    /// use std::time::{Duration, Instant};
    ///
    /// let m = ReentrantMutex::new(());
    /// assert!(m.try_lock_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[track_caller]
    pub fn try_lock_until(&self, timeout: Instant) -> Option<ReentrantMutexGuard<'_, T>> {
        let at = runtime::caller();
        self.raw
            .try_lock_timed(
                "ReentrantMutex::try_lock_until",
                at,
                Limit::Until(timeout),
                |r| r.try_lock_until(timeout),
            )
            .then(|| self.guard())
    }

    /// A mutable reference to the value; no locking is needed, since the borrow is exclusive.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let mut m = ReentrantMutex::new(0);
    /// *m.get_mut() = 3;
    /// assert_eq!(*m.lock(), 3);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Whether some thread holds the mutex.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(());
    /// let g = m.lock();
    /// assert!(m.is_locked());
    /// drop(g);
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub fn is_locked(&self) -> bool {
        self.raw.owned(runtime::caller()).0
    }

    /// Whether the current thread holds the mutex.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(());
    /// let _g = m.lock();
    /// assert!(m.is_owned_by_current_thread());
    /// ```
    #[track_caller]
    pub fn is_owned_by_current_thread(&self) -> bool {
        self.raw.owned(runtime::caller()).1
    }

    /// A raw pointer to the value.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(4);
    /// let _g = m.lock();
    /// // SAFETY: locked, and nobody writes.
    /// assert_eq!(unsafe { *m.data_ptr() }, 4);
    /// ```
    pub fn data_ptr(&self) -> *mut T {
        self.data.get()
    }

    /// A guard for the mutex, without locking it.
    ///
    /// # Safety
    /// The current thread must hold one lock of the mutex whose guard was forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(1);
    /// std::mem::forget(m.lock());
    /// // SAFETY: locked above, guard forgotten.
    /// assert_eq!(*unsafe { m.make_guard_unchecked() }, 1);
    /// ```
    pub unsafe fn make_guard_unchecked(&self) -> ReentrantMutexGuard<'_, T> {
        self.guard()
    }

    /// Unlocks the mutex once, without a guard.
    ///
    /// # Safety
    /// As [`make_guard_unchecked`](Self::make_guard_unchecked).
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(());
    /// std::mem::forget(m.lock());
    /// // SAFETY: locked, guard forgotten.
    /// unsafe { m.force_unlock() };
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock(&self) {
        self.raw.unlock(false, runtime::caller());
    }

    /// Unlocks the mutex once, fairly, without a guard.
    ///
    /// # Safety
    /// As [`make_guard_unchecked`](Self::make_guard_unchecked).
    ///
    /// ```
    /// use leakcheck::parking_lot::ReentrantMutex;
    ///
    /// let m = ReentrantMutex::new(());
    /// std::mem::forget(m.lock());
    /// // SAFETY: locked, guard forgotten.
    /// unsafe { m.force_unlock_fair() };
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock_fair(&self) {
        self.raw.unlock(true, runtime::caller());
    }
}

impl<T: Default> Default for ReentrantMutex<T> {
    #[track_caller]
    fn default() -> Self {
        ReentrantMutex::new(T::default())
    }
}

impl<T> From<T> for ReentrantMutex<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        ReentrantMutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for ReentrantMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ReentrantMutex");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// A new [`ReentrantMutex`], as [`parking_lot::const_reentrant_mutex`]: `const`, so a
/// `static` works.
///
/// ```
/// let m = leakcheck::parking_lot::const_reentrant_mutex(1);
/// assert_eq!(*m.lock(), 1);
/// ```
#[track_caller]
pub const fn const_reentrant_mutex<T>(value: T) -> ReentrantMutex<T> {
    ReentrantMutex::new(value)
}

/// One lock of a [`ReentrantMutex`]; it unlocks once when it drops. Shared access only.
///
/// ```
/// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
///
/// let m = ReentrantMutex::new((1, 2));
/// let g = ReentrantMutexGuard::map(m.lock(), |p| &p.1);
/// assert_eq!(*g, 2);
/// ```
#[must_use = "if unused the ReentrantMutex will immediately unlock"]
pub struct ReentrantMutexGuard<'a, T: ?Sized> {
    remutex: &'a ReentrantMutex<T>,
    marker: PhantomData<(&'a T, *const ())>,
}

// SAFETY: as lock_api's guard: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for ReentrantMutexGuard<'_, T> {}

impl<'a, T: ?Sized> ReentrantMutexGuard<'a, T> {
    /// The mutex the guard locks.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(0);
    /// let g = m.lock();
    /// assert!(std::ptr::eq(ReentrantMutexGuard::remutex(&g), &m));
    /// ```
    pub fn remutex(s: &Self) -> &'a ReentrantMutex<T> {
        s.remutex
    }

    /// A guard for a part of the value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new([1, 2]);
    /// assert_eq!(*ReentrantMutexGuard::map(m.lock(), |a| &a[0]), 1);
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedReentrantMutexGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        let raw = &s.remutex.raw;
        // SAFETY: the guard holds the lock.
        let data = f(unsafe { &*s.remutex.data.get() }) as *const U;
        std::mem::forget(s);
        MappedReentrantMutexGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(vec![1]);
    /// assert!(ReentrantMutexGuard::try_map(m.lock(), |v| v.get(3)).is_err());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedReentrantMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let raw = &s.remutex.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &*s.remutex.data.get() }) {
            Some(data) => {
                let data = data as *const U;
                std::mem::forget(s);
                Ok(MappedReentrantMutexGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            None => Err(s),
        }
    }

    /// As [`try_map`](Self::try_map), with the closure's error beside the guard.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(vec![1]);
    /// assert!(ReentrantMutexGuard::try_map_or_err(m.lock(), |v| v.first().ok_or(())).is_ok());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedReentrantMutexGuard<'a, U>, (Self, E)>
    where
        F: FnOnce(&T) -> Result<&U, E>,
    {
        let raw = &s.remutex.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &*s.remutex.data.get() }) {
            Ok(data) => {
                let data = data as *const U;
                std::mem::forget(s);
                Ok(MappedReentrantMutexGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Unlocks the mutex (this one lock) while `f` runs, and locks it again.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(());
    /// let mut g = m.lock();
    /// assert!(ReentrantMutexGuard::unlocked(&mut g, || !m.is_locked()));
    /// ```
    #[track_caller]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let at = runtime::caller();
        s.remutex.raw.unlock(false, at);
        let _relock = Relock(&s.remutex.raw, at);
        f()
    }

    /// As [`unlocked`](Self::unlocked), unlocking fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(());
    /// let mut g = m.lock();
    /// ReentrantMutexGuard::unlocked_fair(&mut g, || assert!(!m.is_locked()));
    /// ```
    #[track_caller]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let at = runtime::caller();
        s.remutex.raw.unlock(true, at);
        let _relock = Relock(&s.remutex.raw, at);
        f()
    }

    /// Unlocks once, fairly (inside a check, the hand-over order is the scheduler's choice).
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(());
    /// ReentrantMutexGuard::unlock_fair(m.lock());
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = &s.remutex.raw;
        std::mem::forget(s);
        raw.unlock(true, runtime::caller());
    }

    /// Lets a waiting thread take the mutex, if one waits and this is the thread's only lock,
    /// and takes it back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(1);
    /// let mut g = m.lock();
    /// ReentrantMutexGuard::bump(&mut g);
    /// assert_eq!(*g, 1);
    /// ```
    #[track_caller]
    pub fn bump(s: &mut Self) {
        s.remutex.raw.bump(runtime::caller());
    }
}

impl<T: ?Sized> Drop for ReentrantMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.remutex.raw.unlock(false, runtime::caller());
    }
}

impl<T: ?Sized> Deref for ReentrantMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock; access is shared only.
        unsafe { &*self.remutex.data.get() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for ReentrantMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for ReentrantMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The guard of a part of a locked [`ReentrantMutex`]'s value ([`ReentrantMutexGuard::map`]).
///
/// ```
/// use leakcheck::parking_lot::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
///
/// let m = ReentrantMutex::new((1, (2, 3)));
/// let g = MappedReentrantMutexGuard::map(ReentrantMutexGuard::map(m.lock(), |t| &t.1), |p| &p.0);
/// assert_eq!(*g, 2);
/// ```
#[must_use = "if unused the ReentrantMutex will immediately unlock"]
pub struct MappedReentrantMutexGuard<'a, T: ?Sized> {
    raw: &'a Raw,
    data: *const T,
    marker: PhantomData<&'a T>,
}

// SAFETY: as lock_api's: sharing it shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for MappedReentrantMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MappedReentrantMutexGuard<'a, T> {
    /// A guard for a part of this guard's value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(((1, 2), 3));
    /// let g = ReentrantMutexGuard::map(m.lock(), |t| &t.0);
    /// assert_eq!(*MappedReentrantMutexGuard::map(g, |p| &p.1), 2);
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedReentrantMutexGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the lock.
        let data = f(unsafe { &*s.data }) as *const U;
        std::mem::forget(s);
        MappedReentrantMutexGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(vec![vec![1]]);
    /// let g = ReentrantMutexGuard::map(m.lock(), |v| &v[0]);
    /// assert!(MappedReentrantMutexGuard::try_map(g, |v| v.first()).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedReentrantMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &*s.data }) {
            Some(data) => {
                let data = data as *const U;
                std::mem::forget(s);
                Ok(MappedReentrantMutexGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            None => Err(s),
        }
    }

    /// As [`try_map`](Self::try_map), with the closure's error beside the guard.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new(vec![vec![1]]);
    /// let g = ReentrantMutexGuard::map(m.lock(), |v| &v[0]);
    /// assert!(MappedReentrantMutexGuard::try_map_or_err(g, |v| v.get(9).ok_or(())).is_err());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedReentrantMutexGuard<'a, U>, (Self, E)>
    where
        F: FnOnce(&T) -> Result<&U, E>,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &*s.data }) {
            Ok(data) => {
                let data = data as *const U;
                std::mem::forget(s);
                Ok(MappedReentrantMutexGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Unlocks once, fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    ///
    /// let m = ReentrantMutex::new((0, 1));
    /// MappedReentrantMutexGuard::unlock_fair(ReentrantMutexGuard::map(m.lock(), |p| &p.0));
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = s.raw;
        std::mem::forget(s);
        raw.unlock(true, runtime::caller());
    }
}

impl<T: ?Sized> Drop for MappedReentrantMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.raw.unlock(false, runtime::caller());
    }
}

impl<T: ?Sized> Deref for MappedReentrantMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedReentrantMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MappedReentrantMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
