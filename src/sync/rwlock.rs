use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::poison;
use crate::runtime::rwlock::{self as model, RwLockState};
use crate::runtime::slot::{Gate, Slot};
use crate::runtime::{self, Exec, Handle, Imp};

/// A reader-writer lock, as [`std::sync::RwLock`], poisoning included.
///
/// Inside a check, the runtime knows which threads hold it (the readers, or the one writer, and
/// since where) and which threads wait for it, so a deadlock report shows who holds what, and a
/// thread left blocked in `read` or `write` names the holders. Both kinds of acquisition count
/// for the lock order, as a mutex's do.
///
/// std says that a writer waiting for the lock "might or might not" block new readers, depending
/// on the platform. Inside a check that is a scheduler choice, made each time a reader arrives
/// while a writer waits: so a thread that takes a second read guard while it holds one, with a
/// writer arriving in between, is found to deadlock (the reader waits for the writer, which waits
/// for the reader), as it does on writer-preferring platforms. A thread that asks for the write
/// lock while it holds a read or write guard on the same lock blocks forever (std: "might panic
/// or deadlock"), and the detectors report it.
///
/// `RwLock::new` is `const`, as std's, so a `static` lock is a facade lock: inside a check it
/// gets its model on first use in each execution, while a real lock underneath keeps two checks
/// running at once (or code outside any check) off the data. Outside a check it is a std lock.
///
/// ```
/// use leakcheck::sync::{Arc, RwLock};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let config = Arc::new(RwLock::new(1));
///     let writer = {
///         let config = Arc::clone(&config);
///         thread::spawn(move || *config.write().unwrap() += 1)
///     };
///     let seen = *config.read().unwrap();
///     assert!(seen == 1 || seen == 2);
///     writer.join().unwrap();
///     assert_eq!(*config.read().unwrap(), 2);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    /// The real lock, held for writing for an execution whose model threads hold the lock (in
    /// either mode). Before `std`, so it drops first.
    gate: Gate<std::sync::RwLockWriteGuard<'static, ()>>,
    /// The real lock: all there is outside a check.
    std: std::sync::RwLock<()>,
    /// The model, per execution.
    slot: Slot,
    poison: poison::Flag,
    data: UnsafeCell<T>,
}

// SAFETY: as std's `RwLock`: the lock hands out `&mut T` to one thread at a time, `&T` to
// several (hence `Sync` for `Sync` data only).
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as std's `RwLock`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

// As std's: poisoning tells of a panic while the lock was held for writing.
impl<T: ?Sized> UnwindSafe for RwLock<T> {}
impl<T: ?Sized> RefUnwindSafe for RwLock<T> {}

/// The guard of a shared read lock on an [`RwLock`]; the lock is released when it drops.
///
/// ```
/// use leakcheck::sync::RwLock;
///
/// let lock = RwLock::new(1);
/// let guard: leakcheck::sync::RwLockReadGuard<'_, i32> = lock.read().unwrap();
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized + 'a> {
    lock: &'a RwLock<T>,
    inner: Imp<std::sync::RwLockReadGuard<'a, ()>, Handle>,
}

/// The guard of an exclusive write lock on an [`RwLock`]; the lock is released when it drops.
/// If the thread panics while it holds one, the lock is poisoned.
///
/// ```
/// use leakcheck::sync::RwLock;
///
/// let lock = RwLock::new(1);
/// let mut guard: leakcheck::sync::RwLockWriteGuard<'_, i32> = lock.write().unwrap();
/// *guard += 1;
/// assert_eq!(*guard, 2);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized + 'a> {
    lock: &'a RwLock<T>,
    inner: Imp<std::sync::RwLockWriteGuard<'a, ()>, Handle>,
    poison: poison::Guard,
}

// SAFETY: as std's guards, which are `Sync` when `T` is: sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T> RwLock<T> {
    /// A new unlocked reader-writer lock holding `value`.
    ///
    /// ```
    /// use leakcheck::sync::RwLock;
    ///
    /// let lock = RwLock::new(5);
    /// assert_eq!(*lock.read().unwrap(), 5);
    /// ```
    ///
    /// It is `const`, as std's, so a `static` works; inside a check it gets its model on first
    /// use in each execution.
    #[track_caller]
    pub const fn new(value: T) -> Self {
        RwLock {
            gate: Gate::new(),
            std: std::sync::RwLock::new(()),
            slot: Slot::new(),
            poison: poison::Flag::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns its value.
    ///
    /// # Errors
    /// If the lock is poisoned, the value inside the error.
    ///
    /// ```
    /// use leakcheck::sync::RwLock;
    ///
    /// let lock = RwLock::new(String::from("hello"));
    /// assert_eq!(lock.into_inner().unwrap(), "hello");
    /// ```
    pub fn into_inner(self) -> LockResult<T> {
        self.poison.result(self.data.into_inner())
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Locks for shared reading, blocking while a writer holds the lock (inside a check, also
    /// while a writer waits, if the scheduler so chooses).
    ///
    /// # Errors
    /// If a thread panicked while holding the write lock, the guard inside a [`PoisonError`].
    ///
    /// ```
    /// use leakcheck::sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let r1 = lock.read().unwrap();
    /// let r2 = lock.read().unwrap();
    /// assert_eq!(*r1 + *r2, 2);
    /// ```
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let at = runtime::caller();
        let inner = match runtime::current() {
            None => Imp::Std(match self.std.try_read() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    // An execution that has ended may have left it held.
                    self.gate.clear_stale();
                    self.std.read().unwrap_or_else(PoisonError::into_inner)
                }
            }),
            Some(exec) => Imp::Model(self.read_model(&exec, at)),
        };
        self.poison.result(RwLockReadGuard { lock: self, inner })
    }

    /// Locks for shared reading if that needs no waiting.
    ///
    /// # Errors
    /// [`TryLockError::WouldBlock`] if a writer holds the lock (inside a check, also if a writer
    /// waits and the scheduler lets it block new readers), [`TryLockError::Poisoned`] if a
    /// thread panicked while holding the write lock.
    ///
    /// ```
    /// use leakcheck::sync::{RwLock, TryLockError};
    ///
    /// let lock = RwLock::new(1);
    /// let w = lock.write().unwrap();
    /// assert!(matches!(lock.try_read(), Err(TryLockError::WouldBlock)));
    /// drop(w);
    /// assert_eq!(*lock.try_read().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let at = runtime::caller();
        let inner = match runtime::current() {
            None => match self.std.try_read() {
                Ok(g) => Imp::Std(g),
                Err(TryLockError::Poisoned(p)) => Imp::Std(p.into_inner()),
                Err(TryLockError::WouldBlock) => return Err(TryLockError::WouldBlock),
            },
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("RwLock::try_read", at);
                if !model::try_read(&exec, h.id, at) {
                    return Err(TryLockError::WouldBlock);
                }
                self.enter(h);
                Imp::Model(h)
            }
        };
        self.poison
            .result(RwLockReadGuard { lock: self, inner })
            .map_err(TryLockError::Poisoned)
    }

    /// Locks for exclusive writing, blocking while any thread holds the lock.
    ///
    /// # Errors
    /// If a thread panicked while holding the write lock, the guard inside a [`PoisonError`].
    ///
    /// ```
    /// use leakcheck::sync::RwLock;
    ///
    /// let lock = RwLock::new(vec![1]);
    /// lock.write().unwrap().push(2);
    /// assert_eq!(*lock.read().unwrap(), [1, 2]);
    /// ```
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let at = runtime::caller();
        let inner = match runtime::current() {
            None => Imp::Std(match self.std.try_write() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    // An execution that has ended may have left it held.
                    self.gate.clear_stale();
                    self.std.write().unwrap_or_else(PoisonError::into_inner)
                }
            }),
            Some(exec) => Imp::Model(self.write_model(&exec, at)),
        };
        self.poison.result(RwLockWriteGuard {
            lock: self,
            inner,
            poison: poison::Flag::guard(),
        })
    }

    /// Locks for exclusive writing if no thread holds the lock.
    ///
    /// # Errors
    /// [`TryLockError::WouldBlock`] if a thread holds the lock, [`TryLockError::Poisoned`] if a
    /// thread panicked while holding the write lock.
    ///
    /// ```
    /// use leakcheck::sync::{RwLock, TryLockError};
    ///
    /// let lock = RwLock::new(1);
    /// let r = lock.read().unwrap();
    /// assert!(matches!(lock.try_write(), Err(TryLockError::WouldBlock)));
    /// drop(r);
    /// *lock.try_write().unwrap() = 2;
    /// ```
    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let at = runtime::caller();
        let inner = match runtime::current() {
            None => match self.std.try_write() {
                Ok(g) => Imp::Std(g),
                Err(TryLockError::Poisoned(p)) => Imp::Std(p.into_inner()),
                Err(TryLockError::WouldBlock) => return Err(TryLockError::WouldBlock),
            },
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("RwLock::try_write", at);
                if !model::try_write(&exec, h.id, at) {
                    return Err(TryLockError::WouldBlock);
                }
                self.enter(h);
                Imp::Model(h)
            }
        };
        self.poison
            .result(RwLockWriteGuard {
                lock: self,
                inner,
                poison: poison::Flag::guard(),
            })
            .map_err(TryLockError::Poisoned)
    }

    /// `read` inside a check (kept out of the std path, which stays as small as std's).
    #[inline(never)]
    fn read_model(&self, exec: &Exec, at: runtime::Loc) -> Handle {
        let h = self.model(exec);
        exec.switch("RwLock::read", at);
        model::acquire_read(exec, h.id, "RwLock::read", at);
        self.enter(h);
        h
    }

    /// `write` inside a check.
    #[inline(never)]
    fn write_model(&self, exec: &Exec, at: runtime::Loc) -> Handle {
        let h = self.model(exec);
        exec.switch("RwLock::write", at);
        model::acquire_write(exec, h.id, "RwLock::write", at);
        self.enter(h);
        h
    }

    /// The lock's model in `exec`.
    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, RwLockState::default)
    }

    /// A model thread of execution `h.serial` took the lock (either mode): the execution holds
    /// the real lock, for writing, so no other execution (nor code outside a check) reads or
    /// writes meanwhile; within the execution, the model decides.
    fn enter(&self, h: Handle) {
        self.gate.enter(h.serial, || {
            let guard = match self.std.try_write() {
                Ok(guard) => guard,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return None,
            };
            // SAFETY: the gate holds the guard no longer than the lock it borrows: the gate is
            // a field of this lock that drops before `std`, and forgets the guard if the lock
            // moved meanwhile.
            Some(unsafe {
                std::mem::transmute::<
                    std::sync::RwLockWriteGuard<'_, ()>,
                    std::sync::RwLockWriteGuard<'static, ()>,
                >(guard)
            })
        });
    }

    /// Whether a thread panicked while holding the write lock.
    ///
    /// ```
    /// use leakcheck::sync::RwLock;
    ///
    /// assert!(!RwLock::new(0).is_poisoned());
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.poison.get()
    }

    /// Clears the poisoned state.
    ///
    /// ```
    /// use leakcheck::sync::{Arc, RwLock};
    ///
    /// let lock = Arc::new(RwLock::new(0));
    /// let l2 = Arc::clone(&lock);
    /// let _ = std::thread::spawn(move || {
    ///     let _w = l2.write().unwrap();
    ///     panic!("poison");
    /// })
    /// .join();
    /// assert!(lock.is_poisoned());
    /// lock.clear_poison();
    /// assert!(!lock.is_poisoned());
    /// ```
    pub fn clear_poison(&self) {
        self.poison.clear();
    }

    /// A mutable reference to the value; no locking is needed, since the borrow is exclusive.
    ///
    /// # Errors
    /// If the lock is poisoned, the reference inside the error.
    ///
    /// ```
    /// use leakcheck::sync::RwLock;
    ///
    /// let mut lock = RwLock::new(0);
    /// *lock.get_mut().unwrap() = 10;
    /// assert_eq!(*lock.read().unwrap(), 10);
    /// ```
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.poison.result(self.data.get_mut())
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns the write lock into a read lock, atomically (no writer can take the lock in
    /// between), as [`std::sync::RwLockWriteGuard::downgrade`]. Other readers may then enter:
    /// inside a check, the threads waiting for the lock wake and try again.
    ///
    /// ```
    /// use leakcheck::sync::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let mut w = lock.write().unwrap();
    /// *w += 1;
    /// let r = RwLockWriteGuard::downgrade(w);
    /// assert_eq!(*r, 2);
    /// assert_eq!(*lock.try_read().unwrap(), 2, "readers may enter");
    /// assert!(lock.try_write().is_err(), "writers may not");
    /// ```
    #[track_caller]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, T> {
        let at = runtime::caller();
        let s = std::mem::ManuallyDrop::new(s);
        let lock = s.lock;
        lock.poison.done(&s.poison);
        // SAFETY: `s` is never used nor dropped again: its guard moves into the read guard.
        let inner = unsafe { std::ptr::read(&s.inner) };
        let inner = match inner {
            Imp::Std(g) => Imp::Std(std::sync::RwLockWriteGuard::downgrade(g)),
            Imp::Model(h) => {
                // The execution keeps the real lock: the hold goes on, in the other mode.
                if let Some(exec) = h.live() {
                    model::downgrade(&exec, h.id, at);
                    exec.switch("RwLockWriteGuard::downgrade", at);
                }
                Imp::Model(h)
            }
        };
        RwLockReadGuard { lock, inner }
    }
}

/// Releases one hold of the model lock (`write`: the write hold), then makes a scheduling point,
/// so a waiter may take the lock at once.
#[inline(never)]
fn release<T: ?Sized>(lock: &RwLock<T>, h: Handle, write: bool, op: &'static str) {
    // The real lock first: a waiter that takes the lock at the release's scheduling point takes
    // the real lock after it.
    lock.gate.exit(h.serial);
    let Some(exec) = h.live() else {
        return;
    };
    model::release(&exec, h.id, write);
    exec.switch(op, runtime::caller());
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        if let Imp::Model(h) = self.inner {
            release(self.lock, h, false, "RwLockReadGuard::drop");
        }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.poison.done(&self.poison);
        if let Imp::Model(h) = self.inner {
            release(self.lock, h, true, "RwLockWriteGuard::drop");
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read lock: no thread writes.
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

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(TryLockError::Poisoned(p)) => d.field("data", &&**p.get_ref()),
            Err(TryLockError::WouldBlock) => d.field("data", &format_args!("<locked>")),
        };
        d.field("poisoned", &self.is_poisoned())
            .finish_non_exhaustive()
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
