//! Atomic types, as [`std::sync::atomic`]: every atomic type std has ([`AtomicBool`], every
//! integer width, [`AtomicPtr`]), every stable method (deprecated ones included, with std's
//! deprecation), the deprecated `ATOMIC_*_INIT` constants, [`fence`], [`compiler_fence`] and
//! [`spin_loop_hint`].
//!
//! Inside a check every operation is a scheduling point, so the scheduler explores the
//! interleavings of lock-free code too; all orderings behave as `SeqCst` (threads of a check share
//! one OS thread). Outside a check they are std's atomics (each facade type is a
//! `#[repr(transparent)]` wrapper of std's, with the same size and alignment).
//!
//! ```
//! use leakcheck::sync::atomic::{AtomicUsize, Ordering};
//! use leakcheck::sync::Arc;
//!
//! leakcheck::check(|| {
//!     let hits = Arc::new(AtomicUsize::new(0));
//!     let h = {
//!         let hits = Arc::clone(&hits);
//!         leakcheck::thread::spawn(move || hits.fetch_add(1, Ordering::SeqCst))
//!     };
//!     hits.fetch_add(1, Ordering::SeqCst);
//!     h.join().unwrap();
//!     assert_eq!(hits.load(Ordering::SeqCst), 2);
//! });
//! ```

pub use std::sync::atomic::{compiler_fence, Ordering};

use crate::runtime;

#[inline]
#[track_caller]
fn point(op: &'static str) {
    if let Some(exec) = runtime::current() {
        exec.switch(op, runtime::caller());
    }
}

/// A memory fence, as [`std::sync::atomic::fence`]; a scheduling point inside a check.
///
/// ```
/// use leakcheck::sync::atomic::{fence, Ordering};
///
/// fence(Ordering::SeqCst);
/// ```
#[track_caller]
pub fn fence(order: Ordering) {
    point("atomic::fence");
    std::sync::atomic::fence(order);
}

/// Signals a busy-wait loop, as [`std::sync::atomic::spin_loop_hint`] (deprecated, as std's:
/// use [`std::hint::spin_loop`]). Inside a check it is a yield, as
/// [`thread::yield_now`](crate::thread::yield_now): a scheduling point, and a thread that spins
/// on it gives way, so a spinning loop lets the thread it waits for run.
///
/// ```
/// #![allow(deprecated)]
/// leakcheck::sync::atomic::spin_loop_hint();
/// ```
#[deprecated(since = "1.51.0", note = "use hint::spin_loop instead")]
#[track_caller]
pub fn spin_loop_hint() {
    match runtime::current() {
        Some(exec) => exec.yield_now("atomic::spin_loop_hint", runtime::caller()),
        None => std::hint::spin_loop(),
    }
}

/// An [`AtomicBool`] initialised to `false`, as [`std::sync::atomic::ATOMIC_BOOL_INIT`].
///
/// ```
/// #![allow(deprecated)]
/// use leakcheck::sync::atomic::{Ordering, ATOMIC_BOOL_INIT};
///
/// let flag = ATOMIC_BOOL_INIT;
/// assert!(!flag.load(Ordering::SeqCst));
/// ```
#[deprecated(since = "1.34.0", note = "the `new` function is now preferred")]
#[allow(clippy::declare_interior_mutable_const)] // as std's
pub const ATOMIC_BOOL_INIT: AtomicBool = AtomicBool::new(false);

/// An [`AtomicIsize`] initialised to 0, as [`std::sync::atomic::ATOMIC_ISIZE_INIT`].
///
/// ```
/// #![allow(deprecated)]
/// use leakcheck::sync::atomic::{Ordering, ATOMIC_ISIZE_INIT};
///
/// assert_eq!(ATOMIC_ISIZE_INIT.load(Ordering::SeqCst), 0);
/// ```
#[deprecated(since = "1.34.0", note = "the `new` function is now preferred")]
#[allow(clippy::declare_interior_mutable_const)] // as std's
pub const ATOMIC_ISIZE_INIT: AtomicIsize = AtomicIsize::new(0);

/// An [`AtomicUsize`] initialised to 0, as [`std::sync::atomic::ATOMIC_USIZE_INIT`].
///
/// ```
/// #![allow(deprecated)]
/// use leakcheck::sync::atomic::{Ordering, ATOMIC_USIZE_INIT};
///
/// static COUNT: leakcheck::sync::atomic::AtomicUsize = ATOMIC_USIZE_INIT;
/// COUNT.fetch_add(1, Ordering::SeqCst);
/// assert_eq!(COUNT.load(Ordering::SeqCst), 1);
/// ```
#[deprecated(since = "1.34.0", note = "the `new` function is now preferred")]
#[allow(clippy::declare_interior_mutable_const)] // as std's
pub const ATOMIC_USIZE_INIT: AtomicUsize = AtomicUsize::new(0);

/// The methods every atomic type has: `$v` is the value's type. Each operation is one
/// scheduling point inside a check, then std's own.
macro_rules! common {
    ($name:ident, $v:ty) => {
        /// Loads the value.
        #[track_caller]
        pub fn load(&self, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::load"));
            self.0.load(order)
        }

        /// Stores a value.
        #[track_caller]
        pub fn store(&self, val: $v, order: Ordering) {
            point(concat!(stringify!($name), "::store"));
            self.0.store(val, order)
        }

        /// Stores a value and returns the previous one.
        #[track_caller]
        pub fn swap(&self, val: $v, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::swap"));
            self.0.swap(val, order)
        }

        /// Stores `new` if the value is `current`; returns the previous value either way
        /// (deprecated, as std's).
        #[deprecated(
            since = "1.50.0",
            note = "Use `compare_exchange` or `compare_exchange_weak` instead"
        )]
        #[track_caller]
        pub fn compare_and_swap(&self, current: $v, new: $v, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::compare_and_swap"));
            #[allow(deprecated)]
            self.0.compare_and_swap(current, new, order)
        }

        /// Stores `new` if the value is `current`.
        ///
        /// # Errors
        /// The value found, if it was not `current`.
        #[track_caller]
        pub fn compare_exchange(
            &self,
            current: $v,
            new: $v,
            success: Ordering,
            failure: Ordering,
        ) -> Result<$v, $v> {
            point(concat!(stringify!($name), "::compare_exchange"));
            self.0.compare_exchange(current, new, success, failure)
        }

        /// As `compare_exchange`, but may fail spuriously outside a check (never inside one).
        ///
        /// # Errors
        /// The value found, if it was not `current` (or spuriously).
        #[track_caller]
        pub fn compare_exchange_weak(
            &self,
            current: $v,
            new: $v,
            success: Ordering,
            failure: Ordering,
        ) -> Result<$v, $v> {
            point(concat!(stringify!($name), "::compare_exchange_weak"));
            self.0.compare_exchange_weak(current, new, success, failure)
        }

        /// Applies `f` to the value until it stores what `f` returns, or `f` returns `None`;
        /// returns the previous value. Inside a check, one scheduling point.
        ///
        /// # Errors
        /// The value found, if `f` returned `None`.
        #[track_caller]
        pub fn fetch_update<F>(
            &self,
            set_order: Ordering,
            fetch_order: Ordering,
            f: F,
        ) -> Result<$v, $v>
        where
            F: FnMut($v) -> Option<$v>,
        {
            point(concat!(stringify!($name), "::fetch_update"));
            self.0.fetch_update(set_order, fetch_order, f)
        }

        /// As `fetch_update` (std's newer name for it).
        ///
        /// # Errors
        /// The value found, if `f` returned `None`.
        #[track_caller]
        pub fn try_update(
            &self,
            set_order: Ordering,
            fetch_order: Ordering,
            f: impl FnMut($v) -> Option<$v>,
        ) -> Result<$v, $v> {
            point(concat!(stringify!($name), "::try_update"));
            self.0.fetch_update(set_order, fetch_order, f)
        }

        /// Stores what `f` makes of the value, and returns the previous value.
        #[track_caller]
        pub fn update(
            &self,
            set_order: Ordering,
            fetch_order: Ordering,
            mut f: impl FnMut($v) -> $v,
        ) -> $v {
            point(concat!(stringify!($name), "::update"));
            match self.0.fetch_update(set_order, fetch_order, |v| Some(f(v))) {
                Ok(v) | Err(v) => v,
            }
        }

        /// A mutable reference to the value; no synchronisation is needed, since the borrow is
        /// exclusive (and no scheduling point).
        pub fn get_mut(&mut self) -> &mut $v {
            self.0.get_mut()
        }

        /// Consumes the atomic and returns the value.
        pub fn into_inner(self) -> $v {
            self.0.into_inner()
        }

        /// A pointer to the value, as std's `as_ptr` (accesses through it are not scheduling
        /// points).
        pub const fn as_ptr(&self) -> *mut $v {
            self.0.as_ptr()
        }
    };
}

/// The read-modify-write operations on bits, for `AtomicBool` and the integers.
macro_rules! bitwise {
    ($name:ident, $v:ty) => {
        /// Bitwise (logical) and, returning the previous value.
        #[track_caller]
        pub fn fetch_and(&self, val: $v, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::fetch_and"));
            self.0.fetch_and(val, order)
        }

        /// Bitwise (logical) nand, returning the previous value.
        #[track_caller]
        pub fn fetch_nand(&self, val: $v, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::fetch_nand"));
            self.0.fetch_nand(val, order)
        }

        /// Bitwise (logical) or, returning the previous value.
        #[track_caller]
        pub fn fetch_or(&self, val: $v, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::fetch_or"));
            self.0.fetch_or(val, order)
        }

        /// Bitwise (logical) xor, returning the previous value.
        #[track_caller]
        pub fn fetch_xor(&self, val: $v, order: Ordering) -> $v {
            point(concat!(stringify!($name), "::fetch_xor"));
            self.0.fetch_xor(val, order)
        }
    };
}

macro_rules! atomic_int {
    ($($name:ident $int:ty;)*) => {$(
        #[doc = concat!("An atomic `", stringify!($int), "`, as [`std::sync::atomic::", stringify!($name), "`].")]
        ///
        /// ```
        #[doc = concat!("use leakcheck::sync::atomic::{", stringify!($name), ", Ordering};")]
        ///
        #[doc = concat!("let a = ", stringify!($name), "::new(5);")]
        /// assert_eq!(a.fetch_add(2, Ordering::SeqCst), 5);
        /// assert_eq!(a.fetch_max(10, Ordering::SeqCst), 7);
        /// assert_eq!(a.compare_exchange(10, 1, Ordering::SeqCst, Ordering::SeqCst), Ok(10));
        /// assert_eq!(a.into_inner(), 1);
        /// ```
        #[derive(Default)]
        #[repr(transparent)]
        pub struct $name(std::sync::atomic::$name);

        impl $name {
            /// A new atomic holding `v`.
            pub const fn new(v: $int) -> Self {
                Self(std::sync::atomic::$name::new(v))
            }

            /// An atomic view of the value `ptr` points to, as std's `from_ptr`.
            ///
            /// # Safety
            /// As std's: `ptr` is aligned for the atomic type, valid for reads and writes for
            /// `'a`, and only accessed atomically meanwhile.
            pub const unsafe fn from_ptr<'a>(ptr: *mut $int) -> &'a Self {
                // SAFETY: the caller's promise, and `Self` is a transparent std atomic, which has
                // the layout std's `from_ptr` asks for.
                unsafe { &*ptr.cast::<Self>() }
            }

            common!($name, $int);
            bitwise!($name, $int);

            /// Adds to the value (wrapping), returning the previous one.
            #[track_caller]
            pub fn fetch_add(&self, val: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_add"));
                self.0.fetch_add(val, order)
            }

            /// Subtracts from the value (wrapping), returning the previous one.
            #[track_caller]
            pub fn fetch_sub(&self, val: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_sub"));
                self.0.fetch_sub(val, order)
            }

            /// Stores the maximum of the value and `val`, returning the previous value.
            #[track_caller]
            pub fn fetch_max(&self, val: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_max"));
                self.0.fetch_max(val, order)
            }

            /// Stores the minimum of the value and `val`, returning the previous value.
            #[track_caller]
            pub fn fetch_min(&self, val: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_min"));
                self.0.fetch_min(val, order)
            }
        }

        impl From<$int> for $name {
            fn from(v: $int) -> Self {
                Self::new(v)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }
    )*};
}

atomic_int! {
    AtomicUsize usize;
    AtomicIsize isize;
    AtomicU8 u8;
    AtomicU16 u16;
    AtomicU32 u32;
    AtomicU64 u64;
    AtomicI8 i8;
    AtomicI16 i16;
    AtomicI32 i32;
    AtomicI64 i64;
}

/// An atomic `bool`, as [`std::sync::atomic::AtomicBool`].
///
/// ```
/// use leakcheck::sync::atomic::{AtomicBool, Ordering};
///
/// let flag = AtomicBool::new(false);
/// assert!(!flag.fetch_not(Ordering::SeqCst));
/// assert!(flag.fetch_xor(true, Ordering::SeqCst));
/// assert!(!flag.load(Ordering::SeqCst));
/// ```
#[derive(Default)]
#[repr(transparent)]
pub struct AtomicBool(std::sync::atomic::AtomicBool);

impl AtomicBool {
    /// A new atomic holding `v`.
    pub const fn new(v: bool) -> Self {
        Self(std::sync::atomic::AtomicBool::new(v))
    }

    /// An atomic view of the `bool` `ptr` points to, as std's `from_ptr`.
    ///
    /// # Safety
    /// As std's: `ptr` is valid for reads and writes for `'a`, and only accessed atomically
    /// meanwhile.
    pub const unsafe fn from_ptr<'a>(ptr: *mut bool) -> &'a Self {
        // SAFETY: the caller's promise, and `Self` is a transparent std `AtomicBool`.
        unsafe { &*ptr.cast::<Self>() }
    }

    common!(AtomicBool, bool);
    bitwise!(AtomicBool, bool);

    /// Logical not, returning the previous value.
    #[track_caller]
    pub fn fetch_not(&self, order: Ordering) -> bool {
        point("AtomicBool::fetch_not");
        self.0.fetch_xor(true, order)
    }
}

impl From<bool> for AtomicBool {
    fn from(v: bool) -> Self {
        Self::new(v)
    }
}

impl std::fmt::Debug for AtomicBool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

/// An atomic raw pointer, as [`std::sync::atomic::AtomicPtr`].
///
/// ```
/// use leakcheck::sync::atomic::{AtomicPtr, Ordering};
///
/// let mut a = 1;
/// let mut b = 2;
/// let ptr = AtomicPtr::new(&mut a as *mut i32);
/// let old = ptr.swap(&mut b, Ordering::SeqCst);
/// assert_eq!(unsafe { *old }, 1);
/// assert_eq!(unsafe { *ptr.load(Ordering::SeqCst) }, 2);
/// ```
#[repr(transparent)]
pub struct AtomicPtr<T>(std::sync::atomic::AtomicPtr<T>);

impl<T> AtomicPtr<T> {
    /// A new atomic holding `p`.
    pub const fn new(p: *mut T) -> AtomicPtr<T> {
        AtomicPtr(std::sync::atomic::AtomicPtr::new(p))
    }

    /// An atomic view of the pointer `ptr` points to, as std's `from_ptr`.
    ///
    /// # Safety
    /// As std's: `ptr` is aligned for an atomic pointer, valid for reads and writes for `'a`,
    /// and only accessed atomically meanwhile.
    pub const unsafe fn from_ptr<'a>(ptr: *mut *mut T) -> &'a AtomicPtr<T> {
        // SAFETY: the caller's promise, and `Self` is a transparent std `AtomicPtr`.
        unsafe { &*ptr.cast::<Self>() }
    }

    common!(AtomicPtr, *mut T);

    /// Applies `f` to the pointer's address, in one atomic step.
    #[track_caller]
    fn rmw(&self, op: &'static str, order: Ordering, f: impl Fn(*mut T) -> *mut T) -> *mut T {
        point(op);
        let fetch = match order {
            Ordering::Release => Ordering::Relaxed,
            Ordering::AcqRel => Ordering::Acquire,
            o => o,
        };
        match self.0.fetch_update(order, fetch, |p| Some(f(p))) {
            Ok(p) | Err(p) => p,
        }
    }

    /// Offsets the pointer by `val` elements of `T` (wrapping), returning the previous pointer.
    #[track_caller]
    pub fn fetch_ptr_add(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_ptr_add", order, |p| p.wrapping_add(val))
    }

    /// Offsets the pointer back by `val` elements of `T` (wrapping), returning the previous
    /// pointer.
    #[track_caller]
    pub fn fetch_ptr_sub(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_ptr_sub", order, |p| p.wrapping_sub(val))
    }

    /// Offsets the pointer by `val` bytes (wrapping), returning the previous pointer.
    #[track_caller]
    pub fn fetch_byte_add(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_byte_add", order, |p| {
            p.wrapping_byte_add(val)
        })
    }

    /// Offsets the pointer back by `val` bytes (wrapping), returning the previous pointer.
    #[track_caller]
    pub fn fetch_byte_sub(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_byte_sub", order, |p| {
            p.wrapping_byte_sub(val)
        })
    }

    /// Bitwise or on the pointer's address (keeping its provenance), returning the previous
    /// pointer.
    #[track_caller]
    pub fn fetch_or(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_or", order, |p| p.map_addr(|a| a | val))
    }

    /// Bitwise and on the pointer's address (keeping its provenance), returning the previous
    /// pointer.
    #[track_caller]
    pub fn fetch_and(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_and", order, |p| p.map_addr(|a| a & val))
    }

    /// Bitwise xor on the pointer's address (keeping its provenance), returning the previous
    /// pointer.
    #[track_caller]
    pub fn fetch_xor(&self, val: usize, order: Ordering) -> *mut T {
        self.rmw("AtomicPtr::fetch_xor", order, |p| p.map_addr(|a| a ^ val))
    }
}

impl<T> Default for AtomicPtr<T> {
    /// A null pointer.
    fn default() -> AtomicPtr<T> {
        AtomicPtr::new(std::ptr::null_mut())
    }
}

impl<T> From<*mut T> for AtomicPtr<T> {
    fn from(p: *mut T) -> Self {
        Self::new(p)
    }
}

impl<T> std::fmt::Debug for AtomicPtr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl<T> std::fmt::Pointer for AtomicPtr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Pointer::fmt(&self.0, f)
    }
}
