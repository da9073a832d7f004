//! Thread-local storage: [`thread_local!`](crate::thread_local) and [`LocalKey`], mirroring std's.
//!
//! Every model thread of a check runs on one OS thread, so std's `thread_local!` would give all of
//! them one value. The facade's gives each model thread its own, kept in the thread's record in
//! the runtime (`crate::runtime::thread::Locals`), made afresh in every execution, and destroyed
//! when that model thread ends. Outside a check a key is std's own thread-local.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;

use crate::runtime::{self, thread as model};

/// Declares thread-local statics, as [`std::thread_local!`], with the same syntax: several
/// declarations, attributes, visibility and `const { ... }` initialisers.
///
/// Each declaration becomes a `static` [`LocalKey`](crate::thread::LocalKey). Inside a check,
/// each model thread (the test body included) has its own value, initialised on first use in
/// every execution, and destroyed (in std's order: the latest initialised first) when that model
/// thread ends, before a `join` of it returns. Outside a check the key is std's own
/// thread-local.
///
/// ```
/// use std::cell::Cell;
/// use leakcheck::thread;
///
/// leakcheck::thread_local! {
///     /// How many times this thread counted.
///     static COUNT: Cell<u32> = const { Cell::new(0) };
/// }
///
/// leakcheck::check(|| {
///     let other = thread::spawn(|| {
///         COUNT.set(COUNT.get() + 1);
///         COUNT.get()
///     });
///     for _ in 0..10 {
///         COUNT.set(COUNT.get() + 1);
///     }
///     assert_eq!((COUNT.get(), other.join().unwrap()), (10, 1));
/// });
/// ```
#[macro_export]
macro_rules! thread_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        $crate::__thread_local_one!($(#[$attr])* $vis $name, $t, const { $init });
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }) => {
        $crate::__thread_local_one!($(#[$attr])* $vis $name, $t, const { $init });
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::__thread_local_one!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr) => {
        $crate::__thread_local_one!($(#[$attr])* $vis $name, $t, $init);
    };
}

/// One declaration of [`thread_local!`]: std's thread-local for outside a check, and the
/// initialiser for each model thread inside one.
#[doc(hidden)]
#[macro_export]
macro_rules! __thread_local_one {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty, const { $init:expr }) => {
        $(#[$attr])*
        $vis static $name: $crate::thread::LocalKey<$t> = {
            ::std::thread_local!(static STD: $t = const { $init });
            fn init() -> $t {
                $init
            }
            $crate::thread::LocalKey::__new(&STD, init)
        };
    };
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty, $init:expr) => {
        $(#[$attr])*
        $vis static $name: $crate::thread::LocalKey<$t> = {
            ::std::thread_local!(static STD: $t = $init);
            fn init() -> $t {
                $init
            }
            $crate::thread::LocalKey::__new(&STD, init)
        };
    };
}

/// A key to a thread-local value, as [`std::thread::LocalKey`]; declared with
/// [`thread_local!`](crate::thread_local).
///
/// Inside a check each model thread has its own value; outside one, each OS thread (std's).
///
/// ```
/// use std::cell::RefCell;
///
/// leakcheck::thread_local!(static NAMES: RefCell<Vec<&'static str>> = RefCell::new(Vec::new()));
///
/// NAMES.with_borrow_mut(|v| v.push("a"));
/// NAMES.with(|v| assert_eq!(*v.borrow(), ["a"]));
/// ```
pub struct LocalKey<T: 'static> {
    std: &'static std::thread::LocalKey<T>,
    init: fn() -> T,
}

/// The error of [`LocalKey::try_with`] on a value already destroyed (from a thread-local
/// destructor), as [`std::thread::AccessError`].
///
/// ```
/// use leakcheck::thread::AccessError;
///
/// fn shown(e: AccessError) -> String {
///     e.to_string()
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessError;

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("already destroyed")
    }
}

impl std::error::Error for AccessError {}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

impl<T: 'static> LocalKey<T> {
    /// What [`thread_local!`](crate::thread_local) expands to; not a public API.
    #[doc(hidden)]
    pub const fn __new(std: &'static std::thread::LocalKey<T>, init: fn() -> T) -> Self {
        LocalKey { std, init }
    }

    /// Calls `f` with this thread's value, initialising it first if needed.
    ///
    /// # Panics
    /// If the value was already destroyed (from a thread-local destructor), as std.
    ///
    /// ```
    /// leakcheck::thread_local!(static ANSWER: u32 = 42);
    ///
    /// assert_eq!(ANSWER.with(|v| *v), 42);
    /// ```
    #[track_caller]
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        self.try_with(f).expect(
            "cannot access a Thread Local Storage value during or after destruction: AccessError",
        )
    }

    /// Calls `f` with this thread's value, initialising it first if needed, or returns an
    /// [`AccessError`] if the value was already destroyed.
    ///
    /// # Errors
    /// [`AccessError`] if the value was already destroyed (from a thread-local destructor).
    ///
    /// ```
    /// leakcheck::thread_local!(static ANSWER: u32 = 42);
    ///
    /// assert_eq!(ANSWER.try_with(|v| *v), Ok(42));
    /// ```
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        self.with_init(self.init, f)
    }

    /// `f` on this thread's value, initialised by `init` if it has none yet.
    fn with_init<I, F, R>(&'static self, init: I, f: F) -> Result<R, AccessError>
    where
        I: FnOnce() -> T,
        F: FnOnce(&T) -> R,
    {
        match runtime::current() {
            None => self.std.try_with(f).map_err(|_| AccessError),
            Some(exec) => {
                let key = self as *const Self as usize;
                let value = model::local(&exec, key, || Box::new(init()) as Box<dyn Any>)
                    .ok_or(AccessError)?;
                drop(exec);
                // SAFETY: the value is boxed in this model thread's record, which destroys it
                // only once the thread's code has returned (see `Locals`), never while `f` runs
                // on this thread; a value left at the end of the execution is never freed.
                let value = unsafe { &*value };
                let value = value
                    .downcast_ref::<T>()
                    .unwrap_or_else(|| unreachable!("a thread-local of another type"));
                Ok(f(value))
            }
        }
    }
}

impl<T: 'static> LocalKey<Cell<T>> {
    /// Sets this thread's value, without running the initialiser if it had none.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// leakcheck::thread_local!(static X: Cell<u32> = const { Cell::new(1) });
    ///
    /// X.set(2);
    /// assert_eq!(X.get(), 2);
    /// ```
    pub fn set(&'static self, value: T) {
        if runtime::current().is_none() {
            return self.std.set(value);
        }
        let value = Cell::new(Some(value));
        self.with_init(
            || Cell::new(value.take().expect("set once")),
            |cell| {
                if let Some(v) = value.take() {
                    cell.set(v);
                }
            },
        )
        .expect("cannot access a Thread Local Storage value during or after destruction")
    }

    /// A copy of this thread's value.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// leakcheck::thread_local!(static X: Cell<u32> = const { Cell::new(1) });
    ///
    /// assert_eq!(X.get(), 1);
    /// ```
    pub fn get(&'static self) -> T
    where
        T: Copy,
    {
        self.with(Cell::get)
    }

    /// Takes this thread's value, leaving `Default::default()`.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// leakcheck::thread_local!(static X: Cell<Option<u32>> = const { Cell::new(Some(1)) });
    ///
    /// assert_eq!(X.take(), Some(1));
    /// assert_eq!(X.take(), None);
    /// ```
    pub fn take(&'static self) -> T
    where
        T: Default,
    {
        self.with(Cell::take)
    }

    /// Replaces this thread's value, returning the old one.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// leakcheck::thread_local!(static X: Cell<u32> = const { Cell::new(1) });
    ///
    /// assert_eq!(X.replace(2), 1);
    /// assert_eq!(X.get(), 2);
    /// ```
    pub fn replace(&'static self, value: T) -> T {
        self.with(|cell| cell.replace(value))
    }
}

impl<T: 'static> LocalKey<RefCell<T>> {
    /// Calls `f` with a shared borrow of this thread's value.
    ///
    /// # Panics
    /// If the value is mutably borrowed, or was already destroyed.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// leakcheck::thread_local!(static V: RefCell<Vec<u32>> = RefCell::new(vec![1]));
    ///
    /// assert_eq!(V.with_borrow(|v| v.len()), 1);
    /// ```
    pub fn with_borrow<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        self.with(|cell| f(&cell.borrow()))
    }

    /// Calls `f` with a mutable borrow of this thread's value.
    ///
    /// # Panics
    /// If the value is borrowed, or was already destroyed.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// leakcheck::thread_local!(static V: RefCell<Vec<u32>> = RefCell::new(Vec::new()));
    ///
    /// V.with_borrow_mut(|v| v.push(1));
    /// assert_eq!(V.take(), [1]);
    /// ```
    pub fn with_borrow_mut<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&mut T) -> R,
    {
        self.with(|cell| f(&mut cell.borrow_mut()))
    }

    /// Sets this thread's value, without running the initialiser if it had none.
    ///
    /// # Panics
    /// If the value is borrowed, or was already destroyed.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// leakcheck::thread_local!(static V: RefCell<u32> = panic!("not run by set"));
    ///
    /// V.set(2);
    /// assert_eq!(V.with_borrow(|v| *v), 2);
    /// ```
    pub fn set(&'static self, value: T) {
        if runtime::current().is_none() {
            return self.std.set(value);
        }
        let value = Cell::new(Some(value));
        self.with_init(
            || RefCell::new(value.take().expect("set once")),
            |cell| {
                if let Some(v) = value.take() {
                    *cell.borrow_mut() = v;
                }
            },
        )
        .expect("cannot access a Thread Local Storage value during or after destruction")
    }

    /// Takes this thread's value, leaving `Default::default()`.
    ///
    /// # Panics
    /// If the value is borrowed, or was already destroyed.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// leakcheck::thread_local!(static V: RefCell<Vec<u32>> = RefCell::new(vec![1]));
    ///
    /// assert_eq!(V.take(), [1]);
    /// assert!(V.take().is_empty());
    /// ```
    pub fn take(&'static self) -> T
    where
        T: Default,
    {
        self.with(RefCell::take)
    }

    /// Replaces this thread's value, returning the old one.
    ///
    /// # Panics
    /// If the value is borrowed, or was already destroyed.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// leakcheck::thread_local!(static V: RefCell<u32> = const { RefCell::new(1) });
    ///
    /// assert_eq!(V.replace(2), 1);
    /// ```
    pub fn replace(&'static self, value: T) -> T {
        self.with(|cell| cell.replace(value))
    }
}
