use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::{RefUnwindSafe, UnwindSafe};

use super::OnceLock;
use crate::runtime;

const POISONED: &str = "LazyLock instance has previously been poisoned";

/// A value initialised on first access, as [`std::sync::LazyLock`], poisoning included.
///
/// Inside a check it runs on the model of a [`Once`](super::Once), as [`OnceLock`] does: threads
/// racing to force it wait for the one that runs the initialiser, so a thread left blocked in
/// `LazyLock::force` is reported blocked on the `once` (waiting for the initialising thread). If
/// the initialiser panics, the `LazyLock` is poisoned: every later access panics, as std's does.
/// Outside a check it behaves as std's (on std's `OnceLock`).
///
/// `LazyLock::new` is `const`, as std's, so a `static` works. Inside a check, a `static`'s
/// initialiser (a function pointer) runs once *per execution*, each execution starting with the
/// value uninitialised (and poisoning, too, lasts for the execution); the values of executions
/// are kept apart, and kept until the process ends, as a `static`'s value is. An initialiser that
/// cannot run again (a closure, in a `LazyLock` shared by several executions) runs in the first
/// execution that forces it, and later executions see that value.
///
/// ```
/// use leakcheck::sync::{Arc, LazyLock};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let table = Arc::new(LazyLock::new(|| vec![1, 2, 3]));
///     let t2 = Arc::clone(&table);
///     let h = thread::spawn(move || t2.len());
///     assert_eq!(table[0], 1);
///     assert_eq!(h.join().unwrap(), 3);
/// });
/// ```
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::sync::Mutex<Init<F>>,
}

/// A `LazyLock`'s initialiser, until the thread that runs it takes it out (inside a check, a
/// function pointer is copied instead, so each execution runs it afresh); and the executions in
/// which it panicked, where the `LazyLock` is poisoned.
struct Init<F> {
    f: Option<F>,
    poisoned_in: Vec<u64>,
}

/// A copy of `f` if it is a function pointer `fn() -> T`, which can run again.
fn rerunnable<T, F: FnOnce() -> T>(f: &F) -> Option<F> {
    let is_fn_pointer = std::any::type_name::<F>() == std::any::type_name::<fn() -> T>()
        && std::mem::size_of::<F>() == std::mem::size_of::<fn() -> T>();
    // SAFETY: `F` is the function pointer type `fn() -> T` (no other type has its name: a
    // closure's or a function item's names its definition), which is `Copy`.
    is_fn_pointer.then(|| unsafe { std::mem::transmute_copy::<F, F>(f) })
}

/// Marks the execution's `LazyLock` poisoned if its initialiser unwinds.
struct PoisonOnUnwind<'a, F> {
    init: &'a std::sync::Mutex<Init<F>>,
    serial: u64,
    done: bool,
}

impl<F> Drop for PoisonOnUnwind<'_, F> {
    fn drop(&mut self) {
        if !self.done {
            let mut init = self
                .init
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            init.poisoned_in.push(self.serial);
        }
    }
}

// SAFETY: as std's `LazyLock`: the initialiser is taken (and run) by the one thread that runs the
// `OnceLock`'s initialisation; the value is shared as `&T`.
unsafe impl<T: Sync + Send, F: Send> Sync for LazyLock<T, F> {}
impl<T: RefUnwindSafe + UnwindSafe, F: UnwindSafe> RefUnwindSafe for LazyLock<T, F> {}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// A new lazy value, initialised by `f` on first access.
    ///
    /// ```
    /// use leakcheck::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| 6 * 7);
    /// assert_eq!(*lazy, 42);
    /// ```
    ///
    /// It is `const`, so a `static` works:
    ///
    /// ```
    /// use leakcheck::sync::LazyLock;
    ///
    /// static PRIMES: LazyLock<Vec<u32>> = LazyLock::new(|| vec![2, 3, 5]);
    ///
    /// assert_eq!(PRIMES.len(), 3);
    /// ```
    #[track_caller]
    pub const fn new(f: F) -> LazyLock<T, F> {
        LazyLock {
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Init {
                f: Some(f),
                poisoned_in: Vec::new(),
            }),
        }
    }

    fn init(&self) -> std::sync::MutexGuard<'_, Init<F>> {
        self.init
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value, running the initialiser first if no thread has; if another thread runs it,
    /// waits for that one. The same as dereferencing.
    ///
    /// # Panics
    /// If the initialiser panics (the panic goes on, and the `LazyLock` is poisoned), or if it
    /// is poisoned.
    ///
    /// ```
    /// use leakcheck::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| 92);
    /// assert_eq!(LazyLock::force(&lazy), &92);
    /// ```
    #[track_caller]
    pub fn force(this: &LazyLock<T, F>) -> &T {
        let at = runtime::caller();
        let Some(serial) = runtime::current().map(|exec| exec.serial) else {
            return this
                .cell
                .init("LazyLock::force", at, || match this.init().f.take() {
                    Some(f) => f(),
                    None => panic!("{POISONED}"),
                });
        };
        {
            let init = this.init();
            if init.poisoned_in.contains(&serial) {
                panic!("{POISONED}");
            }
            if init.f.is_none() {
                drop(init);
                // Its initialiser ran in an earlier execution and cannot run again: the value
                // is that execution's.
                if let Some(v) = this.cell.earliest() {
                    return v;
                }
            }
        }
        this.cell.init("LazyLock::force", at, || {
            let f = {
                let mut init = this.init();
                match init.f.as_ref().and_then(rerunnable) {
                    Some(f) => Some(f),
                    None => init.f.take(),
                }
            };
            let Some(f) = f else {
                panic!("{POISONED}");
            };
            let mut poison = PoisonOnUnwind {
                init: &this.init,
                serial,
                done: false,
            };
            let value = f();
            poison.done = true;
            value
        })
    }

    /// As [`force`](LazyLock::force), with a mutable reference (no waiting: the borrow is
    /// exclusive).
    ///
    /// # Panics
    /// As [`force`](LazyLock::force).
    ///
    /// ```
    /// use leakcheck::sync::LazyLock;
    ///
    /// let mut lazy = LazyLock::new(|| 92);
    /// *LazyLock::force_mut(&mut lazy) = 44;
    /// assert_eq!(*lazy, 44);
    /// ```
    #[track_caller]
    pub fn force_mut(this: &mut LazyLock<T, F>) -> &mut T {
        if this.cell.get_mut().is_none() {
            let f = this
                .init
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .f
                .take()
                .unwrap_or_else(|| panic!("{POISONED}"));
            let value = f();
            this.cell
                .init("LazyLock::force_mut", runtime::caller(), || value);
        }
        match this.cell.get_mut() {
            Some(v) => v,
            None => panic!("leakcheck: the execution stopped before the LazyLock was initialised"),
        }
    }
}

impl<T, F> LazyLock<T, F> {
    /// The value if it is initialised (`None` if not yet, or poisoned); never runs the
    /// initialiser nor waits for it.
    ///
    /// ```
    /// use leakcheck::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| 92);
    /// assert_eq!(LazyLock::get(&lazy), None);
    /// LazyLock::force(&lazy);
    /// assert_eq!(LazyLock::get(&lazy), Some(&92));
    /// ```
    #[track_caller]
    pub fn get(this: &LazyLock<T, F>) -> Option<&T> {
        this.cell.get_at("LazyLock::get", runtime::caller())
    }

    /// A mutable reference to the value if it is initialised (`None` if not yet, or poisoned).
    ///
    /// ```
    /// use leakcheck::sync::LazyLock;
    ///
    /// let mut lazy = LazyLock::new(|| 92);
    /// assert_eq!(LazyLock::get_mut(&mut lazy), None);
    /// LazyLock::force(&lazy);
    /// *LazyLock::get_mut(&mut lazy).unwrap() = 44;
    /// assert_eq!(*lazy, 44);
    /// ```
    pub fn get_mut(this: &mut LazyLock<T, F>) -> Option<&mut T> {
        this.cell.get_mut()
    }
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;

    /// The value, forcing it first: see [`LazyLock::force`].
    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T, F: FnOnce() -> T> DerefMut for LazyLock<T, F> {
    /// The value, forcing it first: see [`LazyLock::force_mut`].
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        LazyLock::force_mut(self)
    }
}

impl<T: Default> Default for LazyLock<T> {
    /// A `LazyLock` initialised by `T::default`.
    #[track_caller]
    fn default() -> LazyLock<T> {
        LazyLock::new(T::default)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("LazyLock");
        match LazyLock::get(self) {
            Some(v) => d.field(v),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}
