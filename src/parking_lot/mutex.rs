//! parking_lot's `Mutex`: the generic mutex over parking_lot's `RawMutex`.

use super::lock_api;

/// A mutual exclusion lock, as [`parking_lot::Mutex`]: `lock()` returns the guard (no
/// poisoning), with `try_lock_for`, guard mapping, `unlocked`, `bump` and fair unlocking.
///
/// Inside a check it is the runtime's mutex model (reports name it `mutex#1`): a deadlock
/// shows its wait-for cycle, a thread left blocked in `lock` names the holder, and two mutexes
/// taken in both orders are a lock-order inversion, exactly as for
/// [`sync::Mutex`](crate::sync::Mutex). Outside a check it is parking_lot's own lock.
///
/// ```
/// use leakcheck::parking_lot::Mutex;
/// use leakcheck::sync::Arc;
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let count = Arc::new(Mutex::new(0));
///     let c2 = Arc::clone(&count);
///     let h = thread::spawn(move || *c2.lock() += 1);
///     *count.lock() += 1;
///     h.join().unwrap();
///     assert_eq!(*count.lock(), 2);
/// });
/// ```
pub type Mutex<T> = lock_api::Mutex<parking_lot::RawMutex, T>;

/// The guard of a locked [`Mutex`]; the lock is released when it drops.
///
/// ```
/// use leakcheck::parking_lot::{Mutex, MutexGuard};
///
/// let m = Mutex::new(1);
/// let mut g: MutexGuard<'_, i32> = m.lock();
/// *g += 1;
/// drop(g);
/// assert_eq!(*m.lock(), 2);
/// ```
pub type MutexGuard<'a, T> = lock_api::MutexGuard<'a, parking_lot::RawMutex, T>;

/// The guard of a part of a locked [`Mutex`]'s value ([`MutexGuard::map`]).
///
/// ```
/// use leakcheck::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
///
/// let m = Mutex::new((1, 2));
/// let g: MappedMutexGuard<'_, i32> = MutexGuard::map(m.lock(), |p| &mut p.0);
/// assert_eq!(*g, 1);
/// ```
pub type MappedMutexGuard<'a, T> = lock_api::MappedMutexGuard<'a, parking_lot::RawMutex, T>;

/// A new [`Mutex`], as [`parking_lot::const_mutex`]: `const`, so a `static` works.
///
/// ```
/// let m = leakcheck::parking_lot::const_mutex(5);
/// assert_eq!(*m.lock(), 5);
/// ```
#[track_caller]
pub const fn const_mutex<T>(value: T) -> Mutex<T> {
    Mutex::new(value)
}
