//! `tokio::sync::RwLock`, with tokio's semantics: see [`RwLock`].

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};

use super::mutex::TryLockError;
use super::sem::{self, AcquireFut, Kind};
use crate::runtime::async_sem::{AsyncRwLockState, AsyncSemState};
use crate::runtime::{self, Handle, Imp};

/// How many readers at once, as tokio's `RwLock::new`.
const MAX_READS: usize = (u32::MAX >> 3) as usize;

fn try_lock_error() -> TryLockError {
    let m = ::tokio::sync::RwLock::new(());
    let _g = m.try_write().expect("a new lock is free");
    m.try_write().expect_err("a locked lock")
}

/// An async reader-writer lock, as tokio's `RwLock`: fair and write-preferring (waiters are
/// served first come first served, so a new reader waits behind a queued writer).
///
/// Inside a check it is a model (`rwlock#1` in reports): a task pending forever on `read` or
/// `write` is reported with who holds the lock and where they took it. Outside a check it is
/// tokio's own.
///
/// ```
/// use leakcheck::tokio::sync::RwLock;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let lock = RwLock::new(5);
///         {
///             let a = lock.read().await;
///             let b = lock.read().await; // readers share it
///             assert_eq!(*a + *b, 10);
///         }
///         *lock.write().await += 1;
///         assert_eq!(*lock.read().await, 6);
///     });
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    imp: Imp<::tokio::sync::RwLock<()>, Handle>,
    data: UnsafeCell<T>,
}

// SAFETY: as tokio's: the data is reached through guards the lock makes shared or exclusive.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// A read lock of an [`RwLock`].
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    imp: Imp<::tokio::sync::RwLockReadGuard<'a, ()>, u64>,
}

/// A write lock of an [`RwLock`].
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    imp: Imp<::tokio::sync::RwLockWriteGuard<'a, ()>, u64>,
}

// SAFETY: as tokio's guards.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        let at = runtime::caller();
        let imp = match runtime::current() {
            None => Imp::Std(::tokio::sync::RwLock::new(())),
            Some(exec) => Imp::Model(exec.new_object(
                at,
                AsyncRwLockState(AsyncSemState {
                    permits: MAX_READS,
                    ..AsyncSemState::default()
                }),
            )),
        };
        RwLock {
            imp,
            data: UnsafeCell::new(value),
        }
    }

    /// The data.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// The data, through the exclusive borrow (no locking).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Waits for a read lock and takes it.
    #[track_caller]
    pub fn read(&self) -> impl Future<Output = RwLockReadGuard<'_, T>> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(l) => RwLockReadGuard {
                    lock: self,
                    imp: Imp::Std(l.read().await),
                },
                Imp::Model(h) => {
                    let fut = AcquireFut::new(*h, Kind::RwLock, 1, "RwLock::read", at);
                    let key = fut.key;
                    if !fut.await {
                        unreachable!("a lock is never closed");
                    }
                    RwLockReadGuard {
                        lock: self,
                        imp: Imp::Model(key),
                    }
                }
            }
        }
    }

    /// Waits for the write lock and takes it.
    #[track_caller]
    pub fn write(&self) -> impl Future<Output = RwLockWriteGuard<'_, T>> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(l) => RwLockWriteGuard {
                    lock: self,
                    imp: Imp::Std(l.write().await),
                },
                Imp::Model(h) => {
                    let fut = AcquireFut::new(*h, Kind::RwLock, MAX_READS, "RwLock::write", at);
                    let key = fut.key;
                    if !fut.await {
                        unreachable!("a lock is never closed");
                    }
                    RwLockWriteGuard {
                        lock: self,
                        imp: Imp::Model(key),
                    }
                }
            }
        }
    }

    /// Takes a read lock if it can now.
    ///
    /// # Errors
    ///
    /// If a writer holds it or waits for it.
    #[track_caller]
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let at = runtime::caller();
        let imp = match &self.imp {
            Imp::Std(l) => Imp::Std(l.try_read()?),
            Imp::Model(h) => Imp::Model(
                sem::try_acquire(*h, Kind::RwLock, 1, "RwLock::try_read", at)
                    .map_err(|_| try_lock_error())?,
            ),
        };
        Ok(RwLockReadGuard { lock: self, imp })
    }

    /// Takes the write lock if it is free now.
    ///
    /// # Errors
    ///
    /// If it is held.
    #[track_caller]
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let at = runtime::caller();
        let imp = match &self.imp {
            Imp::Std(l) => Imp::Std(l.try_write()?),
            Imp::Model(h) => Imp::Model(
                sem::try_acquire(*h, Kind::RwLock, MAX_READS, "RwLock::try_write", at)
                    .map_err(|_| try_lock_error())?,
            ),
        };
        Ok(RwLockWriteGuard { lock: self, imp })
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        if let (Imp::Model(key), Imp::Model(h)) = (&self.imp, &self.lock.imp) {
            sem::release(*h, Kind::RwLock, *key, 1, false);
        }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if let (Imp::Model(key), Imp::Model(h)) = (&self.imp, &self.lock.imp) {
            sem::release(*h, Kind::RwLock, *key, MAX_READS, false);
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the write lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the write lock.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLock").finish_non_exhaustive()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
