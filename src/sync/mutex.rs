use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::poison;
use crate::runtime::mutex::{self as model, MutexState};
use crate::runtime::slot::{Gate, Slot};
use crate::runtime::{self, Exec, Handle, Imp, Loc};

/// A mutual exclusion lock, as [`std::sync::Mutex`], poisoning included.
///
/// Inside a check, the runtime knows which thread holds it (and since where) and which threads
/// wait for it, so a deadlock report shows the wait-for cycle and a leaked thread blocked in
/// `lock` names the holder. Outside a check it is a std mutex.
///
/// `Mutex::new` is `const`, as std's, so a `static` mutex is a facade mutex: inside a check it
/// gets its model on first use in each execution (made afresh each time), while a real lock
/// underneath keeps two checks running at once (or code outside any check) off the data.
///
/// ```
/// use leakcheck::sync::{Arc, Mutex};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let count = Arc::new(Mutex::new(0));
///     let handles: Vec<_> = (0..2)
///         .map(|_| {
///             let count = Arc::clone(&count);
///             thread::spawn(move || *count.lock().unwrap() += 1)
///         })
///         .collect();
///     for h in handles {
///         h.join().unwrap();
///     }
///     assert_eq!(*count.lock().unwrap(), 2);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    /// The real lock held for an execution whose model threads hold the mutex. Before `std`, so
    /// it drops first.
    gate: Gate<std::sync::MutexGuard<'static, ()>>,
    /// The real lock: all there is outside a check.
    std: std::sync::Mutex<()>,
    /// The model, per execution.
    slot: Slot,
    poison: poison::Flag,
    data: UnsafeCell<T>,
}

// SAFETY: as std's `Mutex`: the lock hands out access to `T` to one thread at a time.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as std's `Mutex`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

// As std's: poisoning tells of a panic while the mutex was held.
impl<T: ?Sized> std::panic::UnwindSafe for Mutex<T> {}
impl<T: ?Sized> std::panic::RefUnwindSafe for Mutex<T> {}

/// The guard of a locked [`Mutex`]; the lock is released when it drops.
///
/// ```
/// use leakcheck::sync::Mutex;
///
/// let m = Mutex::new(String::from("a"));
/// let mut guard = m.lock().unwrap();
/// guard.push('b');
/// assert_eq!(format!("{guard}"), "ab");
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized + 'a> {
    pub(super) lock: &'a Mutex<T>,
    /// std's guard (none while it is lent to a std condvar for the length of a wait), or the
    /// model's: the holder is recorded in the registry of the execution it names, which holds
    /// the real lock through the mutex's gate.
    pub(super) inner: Imp<Option<std::sync::MutexGuard<'a, ()>>, Handle>,
    poison: poison::Guard,
}

// SAFETY: as std's `MutexGuard`, which is `Sync` when `T` is.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    ///
    /// ```
    /// use leakcheck::sync::Mutex;
    ///
    /// let m = Mutex::new(0);
    /// assert_eq!(*m.lock().unwrap(), 0);
    /// ```
    ///
    /// It is `const`, so a `static` works:
    ///
    /// ```
    /// use leakcheck::sync::Mutex;
    ///
    /// static LOG: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    ///
    /// LOG.lock().unwrap().push(1);
    /// assert_eq!(*LOG.lock().unwrap(), [1]);
    /// ```
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Mutex {
            gate: Gate::new(),
            std: std::sync::Mutex::new(()),
            slot: Slot::new(),
            poison: poison::Flag::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns its value.
    ///
    /// # Errors
    /// If the mutex is poisoned, the value inside the error.
    ///
    /// ```
    /// use leakcheck::sync::Mutex;
    ///
    /// assert_eq!(Mutex::new(vec![1]).into_inner().unwrap(), [1]);
    /// ```
    pub fn into_inner(self) -> LockResult<T> {
        self.poison.result(self.data.into_inner())
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Acquires the mutex, blocking until it is free.
    ///
    /// # Errors
    /// If a thread panicked while holding the mutex, the guard inside a [`PoisonError`].
    ///
    /// ```
    /// use leakcheck::sync::{Arc, Mutex};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let m = Arc::new(Mutex::new(0));
    ///     let m2 = Arc::clone(&m);
    ///     thread::spawn(move || *m2.lock().unwrap() += 1).join().unwrap();
    ///     assert_eq!(*m.lock().unwrap(), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let at = runtime::caller();
        let inner = match runtime::current() {
            None => Imp::Std(Some(self.std_lock())),
            Some(exec) => Imp::Model(self.lock_model(&exec, at)),
        };
        self.guard(inner)
    }

    /// `lock` inside a check (kept out of the std path, which stays as small as std's).
    #[inline(never)]
    fn lock_model(&self, exec: &Exec, at: Loc) -> Handle {
        let h = self.model(exec);
        lock_model(exec, h, at);
        self.enter(h);
        h
    }

    /// std's lock, outside a check. If it is taken, an execution that has ended may have left
    /// it held (its threads never dropped their guards): that is released first.
    fn std_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        match self.std.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                self.gate.clear_stale();
                self.std.lock().unwrap_or_else(PoisonError::into_inner)
            }
        }
    }

    /// The mutex's model in `exec`.
    pub(super) fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, MutexState::default)
    }

    /// A model thread of execution `h.serial` took the mutex: the execution holds the real lock.
    pub(super) fn enter(&self, h: Handle) {
        self.gate.enter(h.serial, || {
            let guard = match self.std.try_lock() {
                Ok(guard) => guard,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return None,
            };
            // SAFETY: the gate holds the guard no longer than the lock it borrows: the gate is
            // a field of this mutex that drops before `std`, and forgets the guard if the
            // mutex moved meanwhile.
            Some(unsafe {
                std::mem::transmute::<
                    std::sync::MutexGuard<'_, ()>,
                    std::sync::MutexGuard<'static, ()>,
                >(guard)
            })
        });
    }

    /// A model thread of execution `h.serial` let the mutex go.
    pub(super) fn exit(&self, h: Handle) {
        self.gate.exit(h.serial);
    }

    /// Acquires the mutex if it is free.
    ///
    /// # Errors
    /// [`TryLockError::WouldBlock`] if another thread holds it, [`TryLockError::Poisoned`] if
    /// a thread panicked while holding it.
    ///
    /// ```
    /// use leakcheck::sync::{Mutex, TryLockError};
    ///
    /// let m = Mutex::new(1);
    /// let g = m.lock().unwrap();
    /// assert!(matches!(m.try_lock(), Err(TryLockError::WouldBlock)));
    /// drop(g);
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = runtime::caller();
        let inner = match runtime::current() {
            None => match self.std.try_lock() {
                Ok(g) => Imp::Std(Some(g)),
                Err(TryLockError::Poisoned(p)) => Imp::Std(Some(p.into_inner())),
                Err(TryLockError::WouldBlock) => return Err(TryLockError::WouldBlock),
            },
            Some(exec) => {
                let h = self.model(&exec);
                if !try_lock_model(&exec, h, at) {
                    return Err(TryLockError::WouldBlock);
                }
                self.enter(h);
                Imp::Model(h)
            }
        };
        self.guard(inner).map_err(TryLockError::Poisoned)
    }

    fn guard<'a>(
        &'a self,
        inner: Imp<Option<std::sync::MutexGuard<'a, ()>>, Handle>,
    ) -> LockResult<MutexGuard<'a, T>> {
        let guard = MutexGuard {
            lock: self,
            inner,
            poison: poison::Flag::guard(),
        };
        self.poison.result(guard)
    }

    /// Whether a thread panicked while holding the mutex.
    ///
    /// ```
    /// use leakcheck::sync::{Arc, Mutex};
    ///
    /// let m = Arc::new(Mutex::new(0));
    /// let m2 = Arc::clone(&m);
    /// let _ = std::thread::spawn(move || {
    ///     let _g = m2.lock().unwrap();
    ///     panic!("poison");
    /// })
    /// .join();
    /// assert!(m.is_poisoned());
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.poison.get()
    }

    /// Clears the poisoned state.
    ///
    /// ```
    /// use leakcheck::sync::Mutex;
    ///
    /// let m = Mutex::new(0);
    /// m.clear_poison();
    /// assert!(!m.is_poisoned());
    /// ```
    pub fn clear_poison(&self) {
        self.poison.clear();
    }

    /// A mutable reference to the value; no locking is needed, since the borrow is exclusive.
    ///
    /// # Errors
    /// If the mutex is poisoned, the reference inside the error.
    ///
    /// ```
    /// use leakcheck::sync::Mutex;
    ///
    /// let mut m = Mutex::new(0);
    /// *m.get_mut().unwrap() = 10;
    /// assert_eq!(*m.lock().unwrap(), 10);
    /// ```
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.poison.result(self.data.get_mut())
    }
}

fn lock_model(exec: &Exec, h: Handle, at: Loc) {
    exec.switch("Mutex::lock", at);
    model::acquire(exec, h.id, "Mutex::lock", at);
}

fn try_lock_model(exec: &Exec, h: Handle, at: Loc) -> bool {
    exec.switch("Mutex::try_lock", at);
    model::try_acquire(exec, h.id, at)
}

fn unlock_model(h: Handle) {
    let Some(exec) = h.live() else {
        return;
    };
    model::release(&exec, h.id);
    // A scheduling point after the release, so a waiter may take the lock at once.
    exec.switch("MutexGuard::drop", runtime::caller());
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.poison.done(&self.poison);
        if let Imp::Model(h) = self.inner {
            // The real lock first: a waiter that takes the mutex at the release's scheduling
            // point takes the real lock after it.
            self.lock.exit(h);
            unlock_model(h);
        }
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

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(TryLockError::Poisoned(p)) => d.field("data", &&**p.get_ref()),
            Err(TryLockError::WouldBlock) => d.field("data", &format_args!("<locked>")),
        };
        d.field("poisoned", &self.is_poisoned())
            .finish_non_exhaustive()
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
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}
