//! The generic mutex behind [`Mutex`](super::Mutex) and [`FairMutex`](super::FairMutex), and its
//! guards, over the raw lock, as in parking_lot (whose `Mutex<T>` is
//! `lock_api::Mutex<RawMutex, T>`): name these types where code names parking_lot's
//! `lock_api::MutexGuard<'a, RawMutex, T>`. Only parking_lot's two raw mutexes are accepted
//! ([`RawMutex`] is sealed).

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use parking_lot::lock_api as pl_api;

use crate::runtime::clock::Limit;
use crate::runtime::mutex::{self as model, MutexState};
use crate::runtime::slot::{Gate, RawHold, Slot};
use crate::runtime::{self, timed, Exec, Handle, Loc};

pub(crate) mod sealed {
    use std::time::{Duration, Instant};

    use parking_lot::lock_api::{RawMutex, RawMutexFair, RawMutexTimed};

    /// The raw locks leakcheck's mutexes are built on, and the names of their operations in
    /// reports.
    pub trait Sealed:
        RawMutex + RawMutexFair + RawMutexTimed<Duration = Duration, Instant = Instant> + 'static
    {
        /// `lock`, `try_lock`, `try_lock_for`, `try_lock_until`, the guard's drop, `bump`,
        /// `is_locked`, `unlock_fair`.
        const OPS: [&'static str; 8];
    }

    impl Sealed for parking_lot::RawMutex {
        const OPS: [&'static str; 8] = [
            "Mutex::lock",
            "Mutex::try_lock",
            "Mutex::try_lock_for",
            "Mutex::try_lock_until",
            "MutexGuard::drop",
            "MutexGuard::bump",
            "Mutex::is_locked",
            "MutexGuard::unlock_fair",
        ];
    }

    impl Sealed for parking_lot::RawFairMutex {
        const OPS: [&'static str; 8] = [
            "FairMutex::lock",
            "FairMutex::try_lock",
            "FairMutex::try_lock_for",
            "FairMutex::try_lock_until",
            "FairMutexGuard::drop",
            "FairMutexGuard::bump",
            "FairMutex::is_locked",
            "FairMutexGuard::unlock_fair",
        ];
    }
}

const LOCK: usize = 0;
const TRY_LOCK: usize = 1;
const TRY_LOCK_FOR: usize = 2;
const TRY_LOCK_UNTIL: usize = 3;
const DROP: usize = 4;
const BUMP: usize = 5;
const IS_LOCKED: usize = 6;
const UNLOCK_FAIR: usize = 7;

/// The raw locks a [`Mutex`] can be built on: parking_lot's
/// [`RawMutex`](parking_lot::RawMutex) (for [`Mutex`](super::Mutex)) and
/// [`RawFairMutex`](parking_lot::RawFairMutex) (for [`FairMutex`](super::FairMutex)).
/// Sealed: it names the operations in reports.
pub trait RawMutex: sealed::Sealed {}

impl RawMutex for parking_lot::RawMutex {}
impl RawMutex for parking_lot::RawFairMutex {}

/// The lock of a mutex, without its data: parking_lot's own outside a check, the model inside
/// (attached on first use in each execution), with parking_lot's lock held for the execution
/// while its model threads hold the mutex, so two checks (or code outside any check) sharing a
/// `static` never reach the data together.
pub(crate) struct RawLock<R> {
    gate: Gate<RawHold>,
    pub(crate) std: pl_api::Mutex<R, ()>,
    slot: Slot,
}

impl<R: RawMutex> RawLock<R> {
    #[track_caller]
    const fn new() -> Self {
        RawLock {
            gate: Gate::new(),
            std: pl_api::Mutex::new(()),
            slot: Slot::new(),
        }
    }

    fn std(m: &pl_api::Mutex<R, ()>) -> &R {
        // SAFETY: the raw lock is used only as the guards of this crate's shells use it: every
        // unlock matches a lock taken by the same guard.
        unsafe { m.raw() }
    }

    /// The mutex's model in `exec`.
    pub(crate) fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, MutexState::default)
    }

    /// A model thread of execution `serial` took the mutex: the execution holds the real lock.
    pub(crate) fn enter(&self, serial: u64) {
        self.gate.enter(serial, || {
            if !Self::std(&self.std).try_lock() {
                return None;
            }
            /// Unlocks the `pl_api::Mutex<R, ()>` at `m`.
            unsafe fn unlock<R: RawMutex>(m: *const ()) {
                // SAFETY: the gate's hold of it, taken above.
                unsafe { (*(m as *const pl_api::Mutex<R, ()>)).force_unlock() }
            }
            // SAFETY: locked just above; the gate drops the hold once.
            Some(unsafe { RawHold::new(&self.std, unlock::<R>) })
        });
    }

    /// A model thread of execution `serial` let the mutex go: the last lets the real lock go.
    pub(crate) fn exit(&self, serial: u64) {
        self.gate.exit(serial);
    }

    pub(crate) fn lock(&self, at: Loc) {
        match runtime::current() {
            None => {
                let raw = Self::std(&self.std);
                if !raw.try_lock() {
                    // An execution that has ended may have left it held.
                    self.gate.clear_stale();
                    raw.lock();
                }
            }
            Some(exec) => self.lock_model(&exec, at),
        }
    }

    #[inline(never)]
    fn lock_model(&self, exec: &Exec, at: Loc) {
        let h = self.model(exec);
        exec.switch(R::OPS[LOCK], at);
        model::acquire(exec, h.id, R::OPS[LOCK], at);
        self.enter(exec.serial);
    }

    fn try_lock(&self, at: Loc) -> bool {
        match runtime::current() {
            None => Self::std(&self.std).try_lock(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(R::OPS[TRY_LOCK], at);
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
        op: usize,
        at: Loc,
        limit: Limit,
        std: impl FnOnce(&R) -> bool,
    ) -> bool {
        match runtime::current() {
            None => std(Self::std(&self.std)),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(R::OPS[op], at);
                let taken = timed::acquire_mutex(&exec, h.id, limit, R::OPS[op], at);
                if taken {
                    self.enter(exec.serial);
                }
                taken
            }
        }
    }

    /// Unlocks (fairly, if `fair`); the caller holds the lock.
    pub(crate) fn unlock(&self, fair: bool, at: Loc) {
        match runtime::current() {
            // SAFETY: the caller holds the lock.
            None if fair => unsafe { Self::std(&self.std).unlock_fair() },
            // SAFETY: as above.
            None => unsafe { Self::std(&self.std).unlock() },
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
                // A scheduling point after the release, so a waiter may take the lock at once.
                exec.switch(R::OPS[if fair { UNLOCK_FAIR } else { DROP }], at);
            }
        }
    }

    fn bump(&self, at: Loc) {
        match runtime::current() {
            // SAFETY: the caller holds the lock.
            None => unsafe { Self::std(&self.std).bump() },
            Some(exec) => {
                let h = self.model(&exec);
                if !exec.switch(R::OPS[BUMP], at) {
                    return;
                }
                let waiters = !exec.reg().mutex(h.id).waiters.is_empty();
                if waiters {
                    // The execution keeps the real lock: the waiters are its own threads.
                    model::release(&exec, h.id);
                    exec.switch(R::OPS[BUMP], at);
                    model::acquire(&exec, h.id, R::OPS[BUMP], at);
                }
            }
        }
    }

    fn is_locked(&self, at: Loc) -> bool {
        match runtime::current() {
            None => self.std.is_locked(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(R::OPS[IS_LOCKED], at);

                exec.reg().mutex(h.id).holder.is_some()
            }
        }
    }
}

/// Locks again when it drops: what `unlocked` runs its closure under.
struct Relock<'a, R: RawMutex>(&'a RawLock<R>, Loc);

impl<R: RawMutex> Drop for Relock<'_, R> {
    fn drop(&mut self) {
        self.0.lock(self.1);
    }
}

/// A mutual exclusion lock over a raw lock `R`, as [`lock_api::Mutex`](parking_lot::lock_api::Mutex):
/// use it as [`Mutex<T>`](super::Mutex) or [`FairMutex<T>`](super::FairMutex).
///
/// Inside a check, it is the runtime's mutex model: the runtime knows which thread holds it (and
/// since where) and which threads wait, so deadlocks, leaked threads blocked in `lock` and
/// lock-order inversions are reported as for [`sync::Mutex`](crate::sync::Mutex); there is no
/// poisoning, as in parking_lot. Outside a check it is parking_lot's own lock.
pub struct Mutex<R, T: ?Sized> {
    pub(crate) raw: RawLock<R>,
    data: UnsafeCell<T>,
}

// SAFETY: as lock_api's `Mutex`: the lock hands out access to `T` to one thread at a time.
unsafe impl<R: RawMutex, T: ?Sized + Send> Send for Mutex<R, T> {}
// SAFETY: as above.
unsafe impl<R: RawMutex, T: ?Sized + Send> Sync for Mutex<R, T> {}

impl<R: RawMutex, T> Mutex<R, T> {
    /// A new unlocked mutex holding `value`; `const`, as parking_lot's, so a `static` works
    /// (inside a check it gets its model on first use in each execution).
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// static M: Mutex<u32> = Mutex::new(1);
    ///
    /// assert_eq!(*M.lock(), 1);
    /// ```
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Mutex {
            raw: RawLock::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns its value.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// assert_eq!(Mutex::new(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<R: RawMutex, T: ?Sized> Mutex<R, T> {
    fn guard(&self) -> MutexGuard<'_, R, T> {
        MutexGuard {
            mutex: self,
            marker: PhantomData,
        }
    }

    /// Acquires the mutex, blocking until it is free, and returns the guard (no poisoning).
    /// Locking a mutex the thread holds already blocks forever: inside a check, the detectors
    /// report it.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(vec![1]);
    /// m.lock().push(2);
    /// assert_eq!(*m.lock(), [1, 2]);
    /// ```
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, R, T> {
        self.raw.lock(runtime::caller());
        self.guard()
    }

    /// Acquires the mutex if it is free.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(0);
    /// let g = m.lock();
    /// assert!(m.try_lock().is_none());
    /// drop(g);
    /// assert!(m.try_lock().is_some());
    /// ```
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, R, T>> {
        self.raw.try_lock(runtime::caller()).then(|| self.guard())
    }

    /// Acquires the mutex, waiting at most `timeout`. Inside a check the wait has a deadline on
    /// the [modelled clock](crate::time), and whether it passes before the holder unlocks is the
    /// [time model](crate::Time)'s rule (under the default, a recorded choice; always when
    /// nothing else can run), so both outcomes are explored.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    /// use std::time::Duration;
    ///
    /// let m = Mutex::new(0);
    /// let g = m.lock();
    /// assert!(m.try_lock_for(Duration::from_millis(1)).is_none());
    /// drop(g);
    /// assert!(m.try_lock_for(Duration::from_millis(1)).is_some());
    /// ```
    #[track_caller]
    pub fn try_lock_for(&self, timeout: Duration) -> Option<MutexGuard<'_, R, T>> {
        self.raw
            .try_lock_timed(TRY_LOCK_FOR, runtime::caller(), Limit::For(timeout), |r| {
                r.try_lock_for(timeout)
            })
            .then(|| self.guard())
    }

    /// Acquires the mutex, waiting until `timeout` at the latest (inside a check, as
    /// [`try_lock_for`](Self::try_lock_for)).
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    /// use std::time::{Duration, Instant};
    ///
    /// let m = Mutex::new(0);
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(m.try_lock_until(deadline).is_some());
    /// ```
    #[track_caller]
    pub fn try_lock_until(&self, timeout: Instant) -> Option<MutexGuard<'_, R, T>> {
        self.raw
            .try_lock_timed(
                TRY_LOCK_UNTIL,
                runtime::caller(),
                Limit::Until(timeout),
                |r| r.try_lock_until(timeout),
            )
            .then(|| self.guard())
    }

    /// A mutable reference to the value; no locking is needed, since the borrow is exclusive.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let mut m = Mutex::new(0);
    /// *m.get_mut() = 5;
    /// assert_eq!(*m.lock(), 5);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Whether some thread holds the mutex now (inside a check, a scheduling point).
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(());
    /// let g = m.lock();
    /// assert!(m.is_locked());
    /// drop(g);
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked(runtime::caller())
    }

    /// A raw pointer to the value, as parking_lot's: using it is up to the caller's care.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(7);
    /// let g = m.lock();
    /// // SAFETY: the guard is held.
    /// assert_eq!(unsafe { *m.data_ptr() }, 7);
    /// drop(g);
    /// ```
    pub fn data_ptr(&self) -> *mut T {
        self.data.get()
    }

    /// A guard for the mutex, without locking it.
    ///
    /// # Safety
    /// The mutex must be locked by the current thread, with no guard left for that lock (one
    /// that was [`mem::forget`](std::mem::forget)-ed, say).
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(1);
    /// std::mem::forget(m.lock());
    /// // SAFETY: locked above, and its guard forgotten.
    /// let g = unsafe { m.make_guard_unchecked() };
    /// assert_eq!(*g, 1);
    /// ```
    pub unsafe fn make_guard_unchecked(&self) -> MutexGuard<'_, R, T> {
        self.guard()
    }

    /// Unlocks the mutex without a guard.
    ///
    /// # Safety
    /// The mutex must be locked by the current thread, with its guard forgotten.
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(());
    /// std::mem::forget(m.lock());
    /// // SAFETY: locked, guard forgotten.
    /// unsafe { m.force_unlock() };
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub unsafe fn force_unlock(&self) {
        self.raw.unlock(false, runtime::caller());
    }

    /// Unlocks the mutex without a guard, fairly (see [`MutexGuard::unlock_fair`]).
    ///
    /// # Safety
    /// As [`force_unlock`](Self::force_unlock).
    ///
    /// ```
    /// use leakcheck::parking_lot::Mutex;
    ///
    /// let m = Mutex::new(());
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

impl<R: RawMutex, T: Default> Default for Mutex<R, T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<R: RawMutex, T> From<T> for Mutex<R, T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<R: RawMutex, T: ?Sized + fmt::Debug> fmt::Debug for Mutex<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The guard of a locked [`Mutex`] (as [`MutexGuard<'a, T>`](super::MutexGuard)
/// or [`FairMutexGuard<'a, T>`](super::FairMutexGuard)); the lock is released when it drops.
/// Like parking_lot's (without its `send_guard` feature), it is not `Send`.
///
/// ```
/// use leakcheck::parking_lot::{Mutex, MutexGuard};
///
/// let m = Mutex::new((1, 2));
/// let g = m.lock();
/// let second = MutexGuard::map(g, |pair| &mut pair.1);
/// assert_eq!(*second, 2);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, R: RawMutex, T: ?Sized> {
    mutex: &'a Mutex<R, T>,
    marker: PhantomData<(&'a mut T, *const ())>,
}

// SAFETY: as lock_api's guard: sharing it shares `&T` only.
unsafe impl<R: RawMutex, T: ?Sized + Sync> Sync for MutexGuard<'_, R, T> {}

impl<'a, R: RawMutex, T: ?Sized> MutexGuard<'a, R, T> {
    /// The mutex the guard locks.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(0);
    /// let g = m.lock();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(s: &Self) -> &'a Mutex<R, T> {
        s.mutex
    }

    /// A guard for a part of the locked value (the lock stays held until it drops).
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let m = Mutex::new([1, 2, 3]);
    /// let mut last: MappedMutexGuard<'_, i32> = MutexGuard::map(m.lock(), |a| &mut a[2]);
    /// *last = 30;
    /// drop(last);
    /// assert_eq!(*m.lock(), [1, 2, 30]);
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedMutexGuard<'a, R, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let raw = &s.mutex.raw;
        // SAFETY: the guard holds the lock.
        let data = f(unsafe { &mut *s.mutex.data.get() }) as *mut U;
        std::mem::forget(s);
        MappedMutexGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(vec![1]);
    /// assert!(MutexGuard::try_map(m.lock(), |v| v.get_mut(5)).is_err());
    /// assert!(MutexGuard::try_map(m.lock(), |v| v.get_mut(0)).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedMutexGuard<'a, R, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let raw = &s.mutex.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &mut *s.mutex.data.get() }) {
            Some(data) => {
                let data = data as *mut U;
                std::mem::forget(s);
                Ok(MappedMutexGuard {
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
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(vec![1]);
    /// let r = MutexGuard::try_map_or_err(m.lock(), |v| v.get_mut(5).ok_or("none"));
    /// assert_eq!(r.err().map(|(_, e)| e), Some("none"));
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedMutexGuard<'a, R, U>, (Self, E)>
    where
        F: FnOnce(&mut T) -> Result<&mut U, E>,
    {
        let raw = &s.mutex.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &mut *s.mutex.data.get() }) {
            Ok(data) => {
                let data = data as *mut U;
                std::mem::forget(s);
                Ok(MappedMutexGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Unlocks the mutex while `f` runs, and locks it again (also if `f` panics).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(0);
    /// let mut g = m.lock();
    /// let free = MutexGuard::unlocked(&mut g, || !m.is_locked());
    /// assert!(free);
    /// ```
    #[track_caller]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let at = runtime::caller();
        s.mutex.raw.unlock(false, at);
        let _relock = Relock(&s.mutex.raw, at);
        f()
    }

    /// As [`unlocked`](Self::unlocked), but unlocking fairly.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(0);
    /// let mut g = m.lock();
    /// MutexGuard::unlocked_fair(&mut g, || assert!(m.try_lock().is_some()));
    /// ```
    #[track_caller]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let at = runtime::caller();
        s.mutex.raw.unlock(true, at);
        let _relock = Relock(&s.mutex.raw, at);
        f()
    }

    /// Unlocks the mutex fairly: outside a check, parking_lot hands it to a waiting thread
    /// directly. Inside a check, the waiters are woken and which takes it first is the
    /// scheduler's choice (the hand-over order is not modelled: a superset of parking_lot's
    /// interleavings is explored).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(0);
    /// MutexGuard::unlock_fair(m.lock());
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = &s.mutex.raw;
        std::mem::forget(s);
        raw.unlock(true, runtime::caller());
    }

    /// Lets a waiting thread take the mutex, if one waits, and takes it back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(1);
    /// let mut g = m.lock();
    /// MutexGuard::bump(&mut g);
    /// assert_eq!(*g, 1);
    /// ```
    #[track_caller]
    pub fn bump(s: &mut Self) {
        s.mutex.raw.bump(runtime::caller());
    }

    /// Keeps the mutex locked for good and returns the value for the rest of the program.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Mutex, MutexGuard};
    ///
    /// let m = Box::leak(Box::new(Mutex::new(1)));
    /// let v: &'static mut i32 = MutexGuard::leak(m.lock());
    /// *v = 2;
    /// assert!(m.is_locked());
    /// ```
    pub fn leak(s: Self) -> &'a mut T {
        let data = s.mutex.data.get();
        std::mem::forget(s);
        // SAFETY: the lock stays held for good.
        unsafe { &mut *data }
    }
}

impl<R: RawMutex, T: ?Sized> Drop for MutexGuard<'_, R, T> {
    fn drop(&mut self) {
        self.mutex.raw.unlock(false, runtime::caller());
    }
}

impl<R: RawMutex, T: ?Sized> Deref for MutexGuard<'_, R, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<R: RawMutex, T: ?Sized> DerefMut for MutexGuard<'_, R, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<R: RawMutex, T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<R: RawMutex, T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The guard of a part of a locked mutex's value, made by [`MutexGuard::map`]; the lock is
/// released when it drops. It has no way back to the mutex (so no `unlocked` or `bump`).
///
/// ```
/// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
///
/// let m = Mutex::new((1, (2, 3)));
/// let inner = MutexGuard::map(m.lock(), |t| &mut t.1);
/// let last = MappedMutexGuard::map(inner, |p| &mut p.1);
/// assert_eq!(*last, 3);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MappedMutexGuard<'a, R: RawMutex, T: ?Sized> {
    raw: &'a RawLock<R>,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

// SAFETY: as lock_api's mapped guard: sharing it shares `&T` only.
unsafe impl<R: RawMutex, T: ?Sized + Sync> Sync for MappedMutexGuard<'_, R, T> {}

impl<'a, R: RawMutex, T: ?Sized> MappedMutexGuard<'a, R, T> {
    /// A guard for a part of this guard's value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(((1, 2), 3));
    /// let g = MappedMutexGuard::map(MutexGuard::map(m.lock(), |t| &mut t.0), |p| &mut p.0);
    /// assert_eq!(*g, 1);
    /// ```
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedMutexGuard<'a, R, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the lock.
        let data = f(unsafe { &mut *s.data }) as *mut U;
        std::mem::forget(s);
        MappedMutexGuard {
            raw,
            data,
            marker: PhantomData,
        }
    }

    /// As [`map`](Self::map), if `f` finds the part; else the guard back.
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(vec![vec![1]]);
    /// let g = MutexGuard::map(m.lock(), |v| &mut v[0]);
    /// assert!(MappedMutexGuard::try_map(g, |v| v.get_mut(0)).is_ok());
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedMutexGuard<'a, R, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &mut *s.data }) {
            Some(data) => {
                let data = data as *mut U;
                std::mem::forget(s);
                Ok(MappedMutexGuard {
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
    /// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(vec![vec![1]]);
    /// let g = MutexGuard::map(m.lock(), |v| &mut v[0]);
    /// assert!(MappedMutexGuard::try_map_or_err(g, |v| v.get_mut(3).ok_or(())).is_err());
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn try_map_or_err<U: ?Sized, F, E>(
        s: Self,
        f: F,
    ) -> Result<MappedMutexGuard<'a, R, U>, (Self, E)>
    where
        F: FnOnce(&mut T) -> Result<&mut U, E>,
    {
        let raw = s.raw;
        // SAFETY: the guard holds the lock.
        match f(unsafe { &mut *s.data }) {
            Ok(data) => {
                let data = data as *mut U;
                std::mem::forget(s);
                Ok(MappedMutexGuard {
                    raw,
                    data,
                    marker: PhantomData,
                })
            }
            Err(e) => Err((s, e)),
        }
    }

    /// Unlocks the mutex fairly (see [`MutexGuard::unlock_fair`]).
    ///
    /// ```
    /// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let m = Mutex::new((0, 1));
    /// MappedMutexGuard::unlock_fair(MutexGuard::map(m.lock(), |p| &mut p.0));
    /// assert!(!m.is_locked());
    /// ```
    #[track_caller]
    pub fn unlock_fair(s: Self) {
        let raw = s.raw;
        std::mem::forget(s);
        raw.unlock(true, runtime::caller());
    }
}

impl<R: RawMutex, T: ?Sized> Drop for MappedMutexGuard<'_, R, T> {
    fn drop(&mut self) {
        self.raw.unlock(false, runtime::caller());
    }
}

impl<R: RawMutex, T: ?Sized> Deref for MappedMutexGuard<'_, R, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.data }
    }
}

impl<R: RawMutex, T: ?Sized> DerefMut for MappedMutexGuard<'_, R, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.data }
    }
}

impl<R: RawMutex, T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<R: RawMutex, T: ?Sized + fmt::Display> fmt::Display for MappedMutexGuard<'_, R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
