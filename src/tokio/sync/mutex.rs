//! `tokio::sync::Mutex`, with tokio's semantics: see [`Mutex`].

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

pub use ::tokio::sync::TryLockError;

use super::sem::{self, AcquireFut, Kind};
use crate::runtime::async_sem::{AsyncMutexState, AsyncSemState};
use crate::runtime::{self, Handle, Imp, Loc};

/// tokio's `TryLockError` (its field is private): the one a locked real mutex returns.
fn try_lock_error() -> TryLockError {
    let m = ::tokio::sync::Mutex::new(());
    let _g = m.try_lock().expect("a new mutex is free");
    m.try_lock().expect_err("a locked mutex")
}

/// An async mutex, as tokio's `Mutex`: `lock().await` waits without blocking the thread, and
/// waiters get the lock first come first served. Its guard may be held across an `.await`.
///
/// Inside a check it is a model (`mutex#1` in reports): a task pending forever on `lock` is
/// reported with the task or thread holding it and where it took it (and a cycle of tasks
/// waiting for each other's locks as a deadlock when nothing else can run). Outside a check it
/// is tokio's own.
///
/// ```
/// use std::sync::Arc;
/// use leakcheck::tokio::{self, sync::Mutex};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let count = Arc::new(Mutex::new(0));
///         let c = count.clone();
///         let t = tokio::spawn(async move {
///             let mut n = c.lock().await;
///             tokio::task::yield_now().await; // held across an await: fine for tokio's Mutex
///             *n += 1;
///         });
///         *count.lock().await += 1;
///         t.await.unwrap();
///         assert_eq!(*count.lock().await, 2);
///     });
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    imp: Imp<Arc<::tokio::sync::Mutex<()>>, Handle>,
    data: UnsafeCell<T>,
}

// SAFETY: as tokio's: the data is reached only through a guard, which the lock (tokio's own
// outside a check, the model inside one) makes exclusive.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// A held [`Mutex`]: the data, until it is dropped.
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    imp: Imp<::tokio::sync::MutexGuard<'a, ()>, u64>,
}

/// A held `Arc<Mutex>`: the data, until it is dropped.
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    imp: Imp<::tokio::sync::OwnedMutexGuard<()>, u64>,
}

// SAFETY: as tokio's guards.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `t`.
    #[track_caller]
    pub fn new(t: T) -> Self {
        let at = runtime::caller();
        let imp = match runtime::current() {
            None => Imp::Std(Arc::new(::tokio::sync::Mutex::new(()))),
            Some(exec) => Imp::Model(exec.new_object(
                at,
                AsyncMutexState(AsyncSemState {
                    permits: 1,
                    ..AsyncSemState::default()
                }),
            )),
        };
        Mutex {
            imp,
            data: UnsafeCell::new(t),
        }
    }

    /// The data.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// The data, through the exclusive borrow (no locking).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    fn acquire_fut(h: Handle, op: &'static str, at: Loc) -> AcquireFut {
        AcquireFut::new(h, Kind::Mutex, 1, op, at)
    }

    /// Waits for the lock and takes it.
    ///
    /// ```
    /// use leakcheck::tokio::sync::Mutex;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let m = Mutex::new(vec![1]);
    ///         m.lock().await.push(2);
    ///         assert_eq!(*m.lock().await, [1, 2]);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T>> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(m) => MutexGuard {
                    lock: self,
                    imp: Imp::Std(m.lock().await),
                },
                Imp::Model(h) => {
                    let fut = Self::acquire_fut(*h, "Mutex::lock", at);
                    let key = fut.key;
                    if !fut.await {
                        unreachable!("a mutex is never closed");
                    }
                    MutexGuard {
                        lock: self,
                        imp: Imp::Model(key),
                    }
                }
            }
        }
    }

    /// Takes the lock if it is free now.
    ///
    /// # Errors
    ///
    /// If it is held.
    #[track_caller]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(m) => m.try_lock().map(|g| MutexGuard {
                lock: self,
                imp: Imp::Std(g),
            }),
            Imp::Model(h) => sem::try_acquire(*h, Kind::Mutex, 1, "Mutex::try_lock", at)
                .map(|key| MutexGuard {
                    lock: self,
                    imp: Imp::Model(key),
                })
                .map_err(|_| try_lock_error()),
        }
    }

    /// Takes the lock, blocking the thread until it is free.
    ///
    /// # Panics
    ///
    /// Called from a task or inside `block_on`, as tokio's.
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(m) => MutexGuard {
                lock: self,
                imp: Imp::Std(m.blocking_lock()),
            },
            Imp::Model(h) => {
                let fut = Self::acquire_fut(*h, "Mutex::blocking_lock", at);
                let key = fut.key;
                if !fut.blocking() {
                    // The execution stopped while this thread waited: it unwinds.
                    std::panic::resume_unwind(Box::new(runtime::Teardown::Execution));
                }
                MutexGuard {
                    lock: self,
                    imp: Imp::Model(key),
                }
            }
        }
    }

    /// Waits for the lock of the shared mutex and takes it: a guard that owns an `Arc` of it.
    #[track_caller]
    pub fn lock_owned(self: Arc<Self>) -> impl Future<Output = OwnedMutexGuard<T>> {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(m) => {
                    let g = m.clone().lock_owned().await;
                    OwnedMutexGuard {
                        lock: self,
                        imp: Imp::Std(g),
                    }
                }
                Imp::Model(h) => {
                    let fut = Self::acquire_fut(*h, "Mutex::lock_owned", at);
                    let key = fut.key;
                    if !fut.await {
                        unreachable!("a mutex is never closed");
                    }
                    OwnedMutexGuard {
                        lock: self,
                        imp: Imp::Model(key),
                    }
                }
            }
        }
    }

    /// Takes the lock of the shared mutex if it is free now.
    ///
    /// # Errors
    ///
    /// If it is held.
    #[track_caller]
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        let at = runtime::caller();
        let imp = match &self.imp {
            Imp::Std(m) => Imp::Std(m.clone().try_lock_owned()?),
            Imp::Model(h) => Imp::Model(
                sem::try_acquire(*h, Kind::Mutex, 1, "Mutex::try_lock", at)
                    .map_err(|_| try_lock_error())?,
            ),
        };
        Ok(OwnedMutexGuard { lock: self, imp })
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(t: T) -> Self {
        Mutex::new(t)
    }
}

fn unlock(imp: &Imp<impl Sized, u64>, h: &Imp<Arc<::tokio::sync::Mutex<()>>, Handle>) {
    if let (Imp::Model(key), Imp::Model(h)) = (imp, h) {
        sem::release(*h, Kind::Mutex, *key, 1, false);
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        unlock(&self.imp, &self.lock.imp);
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        unlock(&self.imp, &self.lock.imp);
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex it locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex it locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex").finish_non_exhaustive()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
