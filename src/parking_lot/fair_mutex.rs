//! parking_lot's `FairMutex`: the generic mutex over parking_lot's `RawFairMutex`.

use super::lock_api;

/// A mutex that is always unlocked fairly, as [`parking_lot::FairMutex`].
///
/// Outside a check it is parking_lot's own: every unlock hands the lock to the next waiting
/// thread. Inside a check it is the runtime's mutex model (reports name it `mutex#1`, its
/// operations `FairMutex::lock`): the waiters an unlock wakes race for the lock and which one
/// takes it is the scheduler's choice, so every order parking_lot's hand-over could produce is
/// explored (and some it could not: code that relies on the hand-over order for progress may
/// reach the step limit).
///
/// ```
/// use leakcheck::parking_lot::FairMutex;
/// use leakcheck::sync::Arc;
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let m = Arc::new(FairMutex::new(0));
///     let m2 = Arc::clone(&m);
///     let h = thread::spawn(move || *m2.lock() += 1);
///     *m.lock() += 1;
///     h.join().unwrap();
///     assert_eq!(*m.lock(), 2);
/// });
/// ```
pub type FairMutex<T> = lock_api::Mutex<parking_lot::RawFairMutex, T>;

/// The guard of a locked [`FairMutex`].
///
/// ```
/// use leakcheck::parking_lot::{FairMutex, FairMutexGuard};
///
/// let m = FairMutex::new(1);
/// let g: FairMutexGuard<'_, i32> = m.lock();
/// assert_eq!(*g, 1);
/// ```
pub type FairMutexGuard<'a, T> = lock_api::MutexGuard<'a, parking_lot::RawFairMutex, T>;

/// The guard of a part of a locked [`FairMutex`]'s value.
///
/// ```
/// use leakcheck::parking_lot::{FairMutex, FairMutexGuard, MappedFairMutexGuard};
///
/// let m = FairMutex::new((1, 2));
/// let g: MappedFairMutexGuard<'_, i32> = FairMutexGuard::map(m.lock(), |p| &mut p.1);
/// assert_eq!(*g, 2);
/// ```
pub type MappedFairMutexGuard<'a, T> = lock_api::MappedMutexGuard<'a, parking_lot::RawFairMutex, T>;

/// A new [`FairMutex`], as [`parking_lot::const_fair_mutex`]: `const`, so a `static` works.
///
/// ```
/// let m = leakcheck::parking_lot::const_fair_mutex(1);
/// assert_eq!(*m.lock(), 1);
/// ```
#[track_caller]
pub const fn const_fair_mutex<T>(value: T) -> FairMutex<T> {
    FairMutex::new(value)
}
