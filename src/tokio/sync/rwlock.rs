//! `tokio::sync::RwLock`, with tokio's semantics: see [`RwLock`].

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use ::tokio::sync as real;

use super::mutex::TryLockError;
use super::sem::{self, AcquireFut, Kind};
use crate::runtime::async_sem::{AsyncRwLockState, AsyncSemState};
use crate::runtime::{self, Handle, Imp, Loc};

/// The most readers at once, as tokio's `RwLock::new`.
const MAX_READS: u32 = u32::MAX >> 3;

fn try_lock_error() -> TryLockError {
    let m = real::RwLock::new(());
    let _g = m.try_write().expect("a new lock is free");
    m.try_write().expect_err("a locked lock")
}

/// An async reader-writer lock, as tokio's `RwLock`: fair and write-preferring (waiters are
/// served first come first served, so a new reader waits behind a queued writer).
///
/// Inside a check it is a model (`rwlock#1` in reports): a task pending forever on `read` or
/// `write` is reported with who holds the lock and where they took it. Outside a check it is
/// tokio's own. Its guards are tokio's too: owned guards (`read_owned`, `write_owned`), mapped
/// guards (`map`, `try_map`), and a write guard's `downgrade`.
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
    imp: Imp<Arc<real::RwLock<()>>, Handle>,
    /// How many readers at once; a write takes all of them.
    max: u32,
    data: UnsafeCell<T>,
}

// SAFETY: as tokio's: the data is reached through guards the lock makes shared or exclusive.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// The model's hold of permits of a lock, given back when it drops.
struct Release {
    h: Handle,
    key: u64,
    n: usize,
}

impl Drop for Release {
    fn drop(&mut self) {
        sem::release(self.h, Kind::RwLock, self.key, self.n, false);
    }
}

/// What a guard gives back when it drops: tokio's own guard of the `()` lock outside a check,
/// the model's permits inside one.
type Hold<G> = Imp<G, Release>;

/// A write hold that can become a read hold, keeping its place.
trait Downgrade {
    type Read;
    fn downgrade(self) -> Self::Read;
}

impl<'a> Downgrade for real::RwLockWriteGuard<'a, ()> {
    type Read = real::RwLockReadGuard<'a, ()>;
    fn downgrade(self) -> Self::Read {
        real::RwLockWriteGuard::downgrade(self)
    }
}

impl Downgrade for real::OwnedRwLockWriteGuard<()> {
    type Read = real::OwnedRwLockReadGuard<()>;
    fn downgrade(self) -> Self::Read {
        real::OwnedRwLockWriteGuard::downgrade(self)
    }
}

/// A write hold becomes a read hold atomically: all its permits but one go back, so the
/// readers queued first get in and a queued writer still waits.
fn downgrade<G: Downgrade>(hold: Hold<G>) -> Hold<G::Read> {
    match hold {
        Imp::Std(g) => Imp::Std(g.downgrade()),
        Imp::Model(mut r) => {
            sem::give_back(r.h, Kind::RwLock, r.n - 1);
            r.n = 1;
            Imp::Model(r)
        }
    }
}

/// Waits for `n` permits of the model lock `h`.
async fn acquire(h: Handle, n: usize, op: &'static str, at: Loc) -> Release {
    let fut = AcquireFut::new(h, Kind::RwLock, n, op, at);
    let key = fut.key;
    assert!(fut.await, "a lock is never closed");
    Release { h, key, n }
}

/// Waits for `n` permits of the model lock `h`, blocking the thread.
fn acquire_blocking(h: Handle, n: usize, op: &'static str, at: Loc) -> Release {
    let fut = AcquireFut::new(h, Kind::RwLock, n, op, at);
    let key = fut.key;
    if !fut.blocking() {
        // The execution stopped while this thread waited: it unwinds.
        std::panic::resume_unwind(Box::new(runtime::Teardown::Execution));
    }
    Release { h, key, n }
}

/// Takes `n` permits of the model lock `h` if they are free now.
fn try_acquire(h: Handle, n: usize, op: &'static str, at: Loc) -> Result<Release, TryLockError> {
    let key = sem::try_acquire(h, Kind::RwLock, n, op, at).map_err(|_| try_lock_error())?;
    Ok(Release { h, key, n })
}

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Self::make(value, MAX_READS, runtime::caller())
    }

    /// A new unlocked lock holding `value` that lets at most `max_reads` readers in at once.
    ///
    /// # Panics
    ///
    /// As tokio's: if `max_reads` is 0 or more than `u32::MAX >> 3`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::RwLock;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let lock = RwLock::with_max_readers(0, 1);
    ///         let first = lock.read().await;
    ///         assert!(lock.try_read().is_err()); // one reader at most
    ///         drop(first);
    ///         assert!(lock.try_read().is_ok());
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> Self {
        assert_ne!(max_reads, 0, "a RwLock may not be created with 0 readers");
        assert!(
            max_reads <= MAX_READS,
            "a RwLock may not be created with more than {MAX_READS} readers"
        );
        Self::make(value, max_reads, runtime::caller())
    }

    fn make(value: T, max: u32, at: Loc) -> Self {
        let imp = match runtime::current() {
            None => Imp::Std(Arc::new(real::RwLock::with_max_readers((), max))),
            Some(exec) => Imp::Model(exec.new_object(
                at,
                AsyncRwLockState(AsyncSemState {
                    permits: max as usize,
                    ..AsyncSemState::default()
                }),
            )),
        };
        RwLock {
            imp,
            max,
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
            let hold = match &self.imp {
                Imp::Std(l) => Imp::Std(l.read().await),
                Imp::Model(h) => Imp::Model(acquire(*h, 1, "RwLock::read", at).await),
            };
            RwLockReadGuard::new(self.data.get(), hold)
        }
    }

    /// Waits for the write lock and takes it.
    #[track_caller]
    pub fn write(&self) -> impl Future<Output = RwLockWriteGuard<'_, T>> + '_ {
        let at = runtime::caller();
        async move {
            let hold = match &self.imp {
                Imp::Std(l) => Imp::Std(l.write().await),
                Imp::Model(h) => {
                    Imp::Model(acquire(*h, self.max as usize, "RwLock::write", at).await)
                }
            };
            RwLockWriteGuard::new(self.data.get(), hold)
        }
    }

    /// Blocks the thread until it takes a read lock: for code outside the runtime
    /// (`spawn_blocking`, a plain thread).
    ///
    /// # Panics
    ///
    /// As tokio's, if called from a task or inside `block_on`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use leakcheck::tokio::{self, sync::RwLock};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let lock = Arc::new(RwLock::new(1));
    ///         let l = lock.clone();
    ///         let n = tokio::task::spawn_blocking(move || *l.blocking_read()).await.unwrap();
    ///         assert_eq!(n, 1);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        let at = runtime::caller();
        let hold = match &self.imp {
            Imp::Std(l) => Imp::Std(l.blocking_read()),
            Imp::Model(h) => Imp::Model(acquire_blocking(*h, 1, "RwLock::blocking_read", at)),
        };
        RwLockReadGuard::new(self.data.get(), hold)
    }

    /// Blocks the thread until it takes the write lock: for code outside the runtime.
    ///
    /// # Panics
    ///
    /// As tokio's, if called from a task or inside `block_on`.
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        let at = runtime::caller();
        let hold = match &self.imp {
            Imp::Std(l) => Imp::Std(l.blocking_write()),
            Imp::Model(h) => Imp::Model(acquire_blocking(
                *h,
                self.max as usize,
                "RwLock::blocking_write",
                at,
            )),
        };
        RwLockWriteGuard::new(self.data.get(), hold)
    }

    /// Takes a read lock if it can now.
    ///
    /// # Errors
    ///
    /// If a writer holds it or waits for it.
    #[track_caller]
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let at = runtime::caller();
        let hold = match &self.imp {
            Imp::Std(l) => Imp::Std(l.try_read()?),
            Imp::Model(h) => Imp::Model(try_acquire(*h, 1, "RwLock::try_read", at)?),
        };
        Ok(RwLockReadGuard::new(self.data.get(), hold))
    }

    /// Takes the write lock if it is free now.
    ///
    /// # Errors
    ///
    /// If it is held.
    #[track_caller]
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let at = runtime::caller();
        let hold = match &self.imp {
            Imp::Std(l) => Imp::Std(l.try_write()?),
            Imp::Model(h) => {
                Imp::Model(try_acquire(*h, self.max as usize, "RwLock::try_write", at)?)
            }
        };
        Ok(RwLockWriteGuard::new(self.data.get(), hold))
    }

    /// Waits for a read lock of the shared lock and takes it: a guard that owns an `Arc` of it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use leakcheck::tokio::{self, sync::RwLock};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let lock = Arc::new(RwLock::new(vec![1, 2]));
    ///         let guard = lock.clone().read_owned().await;
    ///         let t = tokio::spawn(async move { guard.len() }); // the guard moves into the task
    ///         assert_eq!(t.await.unwrap(), 2);
    ///         lock.write().await.push(3);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn read_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockReadGuard<T>> {
        let at = runtime::caller();
        async move {
            let hold = match &self.imp {
                Imp::Std(l) => Imp::Std(l.clone().read_owned().await),
                Imp::Model(h) => Imp::Model(acquire(*h, 1, "RwLock::read_owned", at).await),
            };
            OwnedRwLockReadGuard::new(self, hold)
        }
    }

    /// Waits for the write lock of the shared lock and takes it: a guard that owns an `Arc`
    /// of it.
    #[track_caller]
    pub fn write_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockWriteGuard<T>> {
        let at = runtime::caller();
        async move {
            let hold = match &self.imp {
                Imp::Std(l) => Imp::Std(l.clone().write_owned().await),
                Imp::Model(h) => {
                    Imp::Model(acquire(*h, self.max as usize, "RwLock::write_owned", at).await)
                }
            };
            OwnedRwLockWriteGuard::new(self, hold)
        }
    }

    /// Takes a read lock of the shared lock if it can now.
    ///
    /// # Errors
    ///
    /// If a writer holds it or waits for it.
    #[track_caller]
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        let at = runtime::caller();
        let hold = match &self.imp {
            Imp::Std(l) => Imp::Std(l.clone().try_read_owned()?),
            Imp::Model(h) => Imp::Model(try_acquire(*h, 1, "RwLock::try_read_owned", at)?),
        };
        Ok(OwnedRwLockReadGuard::new(self, hold))
    }

    /// Takes the write lock of the shared lock if it is free now.
    ///
    /// # Errors
    ///
    /// If it is held.
    #[track_caller]
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        let at = runtime::caller();
        let hold = match &self.imp {
            Imp::Std(l) => Imp::Std(l.clone().try_write_owned()?),
            Imp::Model(h) => Imp::Model(try_acquire(
                *h,
                self.max as usize,
                "RwLock::try_write_owned",
                at,
            )?),
        };
        Ok(OwnedRwLockWriteGuard::new(self, hold))
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

impl<T: ?Sized> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLock").finish_non_exhaustive()
    }
}

/// A read lock of an [`RwLock`] (of a part of its data, once mapped).
pub struct RwLockReadGuard<'a, T: ?Sized> {
    data: *const T,
    hold: Hold<real::RwLockReadGuard<'a, ()>>,
    marker: PhantomData<&'a T>,
}

/// The write lock of an [`RwLock`].
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    data: *mut T,
    hold: Hold<real::RwLockWriteGuard<'a, ()>>,
    marker: PhantomData<&'a mut T>,
}

/// The write lock of an [`RwLock`], mapped to a part of its data: it can no longer be
/// downgraded.
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    data: *mut T,
    hold: Hold<real::RwLockWriteGuard<'a, ()>>,
    marker: PhantomData<&'a mut T>,
}

/// A read lock of a shared `Arc<RwLock<T>>` (of a part `U` of its data, once mapped).
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    data: *const U,
    hold: Hold<real::OwnedRwLockReadGuard<()>>,
    lock: Arc<RwLock<T>>,
}

/// The write lock of a shared `Arc<RwLock<T>>`.
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    data: *mut T,
    hold: Hold<real::OwnedRwLockWriteGuard<()>>,
    lock: Arc<RwLock<T>>,
}

/// The write lock of a shared `Arc<RwLock<T>>`, mapped to a part `U` of its data.
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    data: *mut U,
    hold: Hold<real::OwnedRwLockWriteGuard<()>>,
    lock: Arc<RwLock<T>>,
}

// SAFETY: the bounds are tokio's own for its guards: a guard hands out `&T` (read) or `&mut T`
// (write) wherever it goes, and an owned guard may drop the last `Arc` of the lock.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockReadGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockMappedWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockMappedWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedRwLockReadGuard<T, U> {}
unsafe impl<T: ?Sized + Send + Sync> Send for OwnedRwLockWriteGuard<T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Send
    for OwnedRwLockMappedWriteGuard<T, U>
{
}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync
    for OwnedRwLockMappedWriteGuard<T, U>
{
}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    fn new(data: *const T, hold: Hold<real::RwLockReadGuard<'a, ()>>) -> Self {
        RwLockReadGuard {
            data,
            hold,
            marker: PhantomData,
        }
    }

    /// The guard of a part of the data, still holding the read lock.
    ///
    /// ```
    /// use leakcheck::tokio::sync::{RwLock, RwLockReadGuard};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let lock = RwLock::new((1, "one"));
    ///         let name = RwLockReadGuard::map(lock.read().await, |pair| &pair.1);
    ///         assert_eq!(*name, "one");
    ///     });
    /// });
    /// ```
    pub fn map<F, U: ?Sized>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        RwLockReadGuard::new(f(&*this), this.hold)
    }

    /// The guard of a part of the data if `f` finds one; else the guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_map<F, U: ?Sized>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        match f(&*this).map(|d| d as *const U) {
            Some(data) => Ok(RwLockReadGuard::new(data, this.hold)),
            None => Err(this),
        }
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    fn new(data: *mut T, hold: Hold<real::RwLockWriteGuard<'a, ()>>) -> Self {
        RwLockWriteGuard {
            data,
            hold,
            marker: PhantomData,
        }
    }

    /// The guard of a part of the data, still holding the write lock.
    ///
    /// ```
    /// use leakcheck::tokio::sync::{RwLock, RwLockWriteGuard};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let lock = RwLock::new((1, 2));
    ///         *RwLockWriteGuard::map(lock.write().await, |pair| &mut pair.1) = 5;
    ///         assert_eq!(*lock.read().await, (1, 5));
    ///     });
    /// });
    /// ```
    pub fn map<F, U: ?Sized>(mut this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        RwLockMappedWriteGuard::new(f(&mut *this), this.hold)
    }

    /// The guard of a part of the data if `f` finds one; else the guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_map<F, U: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        match f(&mut *this).map(|d| d as *mut U) {
            Some(data) => Ok(RwLockMappedWriteGuard::new(data, this.hold)),
            None => Err(this),
        }
    }

    /// The guard, mapped to the whole data: it can no longer be downgraded.
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        RwLockMappedWriteGuard::new(this.data, this.hold)
    }

    /// Turns the write lock into a read lock without letting a writer in between; the
    /// readers queued first get in with it (a writer queued before them still waits).
    ///
    /// ```
    /// use leakcheck::tokio::sync::RwLock;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let lock = RwLock::new(1);
    ///         let mut w = lock.write().await;
    ///         *w = 2;
    ///         let r = w.downgrade();
    ///         assert_eq!(*r, 2);
    ///         assert_eq!(*lock.try_read().unwrap(), 2); // readers share it now
    ///         assert!(lock.try_write().is_err());
    ///     });
    /// });
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard::new(self.data, downgrade(self.hold))
    }

    /// Downgrades the lock (as [`downgrade`](Self::downgrade)) to a read guard of a part of
    /// the data.
    pub fn downgrade_map<F, U: ?Sized>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        RwLockReadGuard::new(f(&*this), downgrade(this.hold))
    }

    /// Downgrades the lock to a read guard of a part of the data if `f` finds one; else the
    /// write guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_downgrade_map<F, U: ?Sized>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        match f(&*this).map(|d| d as *const U) {
            Some(data) => Ok(RwLockReadGuard::new(data, downgrade(this.hold))),
            None => Err(this),
        }
    }
}

impl<'a, T: ?Sized> RwLockMappedWriteGuard<'a, T> {
    fn new(data: *mut T, hold: Hold<real::RwLockWriteGuard<'a, ()>>) -> Self {
        RwLockMappedWriteGuard {
            data,
            hold,
            marker: PhantomData,
        }
    }

    /// The guard of a part of this part.
    pub fn map<F, U: ?Sized>(mut this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        RwLockMappedWriteGuard::new(f(&mut *this), this.hold)
    }

    /// The guard of a part of this part if `f` finds one; else the guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_map<F, U: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        match f(&mut *this).map(|d| d as *mut U) {
            Some(data) => Ok(RwLockMappedWriteGuard::new(data, this.hold)),
            None => Err(this),
        }
    }
}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    fn new(lock: Arc<RwLock<T>>, hold: Hold<real::OwnedRwLockReadGuard<()>>) -> Self {
        OwnedRwLockReadGuard {
            data: lock.data.get(),
            hold,
            lock,
        }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// The guard of a part of the data, still holding the read lock.
    pub fn map<F, V: ?Sized>(this: Self, f: F) -> OwnedRwLockReadGuard<T, V>
    where
        F: FnOnce(&U) -> &V,
    {
        OwnedRwLockReadGuard {
            data: f(&*this),
            hold: this.hold,
            lock: this.lock,
        }
    }

    /// The guard of a part of the data if `f` finds one; else the guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_map<F, V: ?Sized>(this: Self, f: F) -> Result<OwnedRwLockReadGuard<T, V>, Self>
    where
        F: FnOnce(&U) -> Option<&V>,
    {
        match f(&*this).map(|d| d as *const V) {
            Some(data) => Ok(OwnedRwLockReadGuard {
                data,
                hold: this.hold,
                lock: this.lock,
            }),
            None => Err(this),
        }
    }

    /// The lock it holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    fn new(lock: Arc<RwLock<T>>, hold: Hold<real::OwnedRwLockWriteGuard<()>>) -> Self {
        OwnedRwLockWriteGuard {
            data: lock.data.get(),
            hold,
            lock,
        }
    }

    /// The guard of a part of the data, still holding the write lock.
    pub fn map<F, U: ?Sized>(mut this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        OwnedRwLockMappedWriteGuard {
            data: f(&mut *this),
            hold: this.hold,
            lock: this.lock,
        }
    }

    /// The guard of a part of the data if `f` finds one; else the guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_map<F, U: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        match f(&mut *this).map(|d| d as *mut U) {
            Some(data) => Ok(OwnedRwLockMappedWriteGuard {
                data,
                hold: this.hold,
                lock: this.lock,
            }),
            None => Err(this),
        }
    }

    /// The guard, mapped to the whole data: it can no longer be downgraded.
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        OwnedRwLockMappedWriteGuard {
            data: this.data,
            hold: this.hold,
            lock: this.lock,
        }
    }

    /// Turns the write lock into a read lock without letting a writer in between.
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        OwnedRwLockReadGuard {
            data: self.data,
            hold: downgrade(self.hold),
            lock: self.lock,
        }
    }

    /// Downgrades the lock to a read guard of a part of the data.
    pub fn downgrade_map<F, U: ?Sized>(this: Self, f: F) -> OwnedRwLockReadGuard<T, U>
    where
        F: FnOnce(&T) -> &U,
    {
        OwnedRwLockReadGuard {
            data: f(&*this),
            hold: downgrade(this.hold),
            lock: this.lock,
        }
    }

    /// Downgrades the lock to a read guard of a part of the data if `f` finds one; else the
    /// write guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_downgrade_map<F, U: ?Sized>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockReadGuard<T, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        match f(&*this).map(|d| d as *const U) {
            Some(data) => Ok(OwnedRwLockReadGuard {
                data,
                hold: downgrade(this.hold),
                lock: this.lock,
            }),
            None => Err(this),
        }
    }

    /// The lock it holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockMappedWriteGuard<T, U> {
    /// The guard of a part of this part.
    pub fn map<F, V: ?Sized>(mut this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, V>
    where
        F: FnOnce(&mut U) -> &mut V,
    {
        OwnedRwLockMappedWriteGuard {
            data: f(&mut *this),
            hold: this.hold,
            lock: this.lock,
        }
    }

    /// The guard of a part of this part if `f` finds one; else the guard, unchanged.
    ///
    /// # Errors
    ///
    /// `this`, if `f` returns `None`.
    pub fn try_map<F, V: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut V>,
    {
        match f(&mut *this).map(|d| d as *mut V) {
            Some(data) => Ok(OwnedRwLockMappedWriteGuard {
                data,
                hold: this.hold,
                lock: this.lock,
            }),
            None => Err(this),
        }
    }

    /// The lock it holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

/// `Deref`, `Debug` and `Display` through to the data for a guard; with `mut`, `DerefMut` too.
macro_rules! guard_access {
    ([$($g:tt)*] $guard:ty => $target:ident) => {
        impl<$($g)*> Deref for $guard {
            type Target = $target;

            fn deref(&self) -> &$target {
                // SAFETY: the guard holds the lock, shared or exclusive, while it lives.
                unsafe { &*self.data }
            }
        }

        impl<$($g)*> fmt::Debug for $guard
        where
            $target: fmt::Debug,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($g)*> fmt::Display for $guard
        where
            $target: fmt::Display,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    };
    ([$($g:tt)*] $guard:ty => $target:ident, mut) => {
        guard_access!([$($g)*] $guard => $target);

        impl<$($g)*> DerefMut for $guard {
            fn deref_mut(&mut self) -> &mut $target {
                // SAFETY: the guard holds the write lock while it lives.
                unsafe { &mut *self.data }
            }
        }
    };
}

guard_access!(['a, T: ?Sized] RwLockReadGuard<'a, T> => T);
guard_access!(['a, T: ?Sized] RwLockWriteGuard<'a, T> => T, mut);
guard_access!(['a, T: ?Sized] RwLockMappedWriteGuard<'a, T> => T, mut);
guard_access!([T: ?Sized, U: ?Sized] OwnedRwLockReadGuard<T, U> => U);
guard_access!([T: ?Sized] OwnedRwLockWriteGuard<T> => T, mut);
guard_access!([T: ?Sized, U: ?Sized] OwnedRwLockMappedWriteGuard<T, U> => U, mut);
