//! Atomic types, as [`std::sync::atomic`]. Inside a check every operation is a scheduling point,
//! so the scheduler explores the interleavings of lock-free code too; all orderings behave as
//! `SeqCst` (threads of a check share one OS thread). Outside a check they are std's atomics.
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
#[track_caller]
pub fn fence(order: Ordering) {
    point("atomic::fence");
    std::sync::atomic::fence(order);
}

macro_rules! atomic_int {
    ($(#[$doc:meta] $name:ident $int:ty;)*) => {$(
        #[$doc]
        #[derive(Default)]
        #[repr(transparent)]
        pub struct $name(std::sync::atomic::$name);

        impl $name {
            /// A new atomic holding `v`.
            pub const fn new(v: $int) -> Self {
                Self(std::sync::atomic::$name::new(v))
            }
            /// Loads the value.
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::load"));
                self.0.load(order)
            }
            /// Stores a value.
            #[track_caller]
            pub fn store(&self, v: $int, order: Ordering) {
                point(concat!(stringify!($name), "::store"));
                self.0.store(v, order)
            }
            /// Stores a value and returns the previous one.
            #[track_caller]
            pub fn swap(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::swap"));
                self.0.swap(v, order)
            }
            /// Stores `new` if the value is `current`.
            ///
            /// # Errors
            /// The value found, if it was not `current`.
            #[track_caller]
            pub fn compare_exchange(&self, current: $int, new: $int, success: Ordering, failure: Ordering) -> Result<$int, $int> {
                point(concat!(stringify!($name), "::compare_exchange"));
                self.0.compare_exchange(current, new, success, failure)
            }
            /// As `compare_exchange` (it never fails spuriously here).
            ///
            /// # Errors
            /// The value found, if it was not `current`.
            #[track_caller]
            pub fn compare_exchange_weak(&self, current: $int, new: $int, success: Ordering, failure: Ordering) -> Result<$int, $int> {
                point(concat!(stringify!($name), "::compare_exchange_weak"));
                self.0.compare_exchange_weak(current, new, success, failure)
            }
            /// Adds to the value, returning the previous one.
            #[track_caller]
            pub fn fetch_add(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_add"));
                self.0.fetch_add(v, order)
            }
            /// Subtracts from the value, returning the previous one.
            #[track_caller]
            pub fn fetch_sub(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_sub"));
                self.0.fetch_sub(v, order)
            }
            /// Bitwise and, returning the previous value.
            #[track_caller]
            pub fn fetch_and(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_and"));
                self.0.fetch_and(v, order)
            }
            /// Bitwise or, returning the previous value.
            #[track_caller]
            pub fn fetch_or(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_or"));
                self.0.fetch_or(v, order)
            }
            /// Bitwise xor, returning the previous value.
            #[track_caller]
            pub fn fetch_xor(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_xor"));
                self.0.fetch_xor(v, order)
            }
            /// Maximum, returning the previous value.
            #[track_caller]
            pub fn fetch_max(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_max"));
                self.0.fetch_max(v, order)
            }
            /// Minimum, returning the previous value.
            #[track_caller]
            pub fn fetch_min(&self, v: $int, order: Ordering) -> $int {
                point(concat!(stringify!($name), "::fetch_min"));
                self.0.fetch_min(v, order)
            }
            /// Applies `f` until it succeeds or returns `None`.
            ///
            /// # Errors
            /// The value found, if `f` returned `None`.
            #[track_caller]
            pub fn fetch_update<F: FnMut($int) -> Option<$int>>(&self, set: Ordering, fetch: Ordering, f: F) -> Result<$int, $int> {
                point(concat!(stringify!($name), "::fetch_update"));
                self.0.fetch_update(set, fetch, f)
            }
            /// A mutable reference to the value.
            pub fn get_mut(&mut self) -> &mut $int {
                self.0.get_mut()
            }
            /// Consumes the atomic and returns the value.
            pub fn into_inner(self) -> $int {
                self.0.into_inner()
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
    /// An atomic `usize`.
    AtomicUsize usize;
    /// An atomic `isize`.
    AtomicIsize isize;
    /// An atomic `u8`.
    AtomicU8 u8;
    /// An atomic `u16`.
    AtomicU16 u16;
    /// An atomic `u32`.
    AtomicU32 u32;
    /// An atomic `u64`.
    AtomicU64 u64;
    /// An atomic `i8`.
    AtomicI8 i8;
    /// An atomic `i16`.
    AtomicI16 i16;
    /// An atomic `i32`.
    AtomicI32 i32;
    /// An atomic `i64`.
    AtomicI64 i64;
}

/// An atomic `bool`.
#[derive(Default)]
#[repr(transparent)]
pub struct AtomicBool(std::sync::atomic::AtomicBool);

impl AtomicBool {
    /// A new atomic holding `v`.
    pub const fn new(v: bool) -> Self {
        Self(std::sync::atomic::AtomicBool::new(v))
    }
    /// Loads the value.
    #[track_caller]
    pub fn load(&self, order: Ordering) -> bool {
        point("AtomicBool::load");
        self.0.load(order)
    }
    /// Stores a value.
    #[track_caller]
    pub fn store(&self, v: bool, order: Ordering) {
        point("AtomicBool::store");
        self.0.store(v, order)
    }
    /// Stores a value and returns the previous one.
    #[track_caller]
    pub fn swap(&self, v: bool, order: Ordering) -> bool {
        point("AtomicBool::swap");
        self.0.swap(v, order)
    }
    /// Stores `new` if the value is `current`.
    ///
    /// # Errors
    /// The value found, if it was not `current`.
    #[track_caller]
    pub fn compare_exchange(
        &self,
        current: bool,
        new: bool,
        success: Ordering,
        failure: Ordering,
    ) -> Result<bool, bool> {
        point("AtomicBool::compare_exchange");
        self.0.compare_exchange(current, new, success, failure)
    }
    /// Logical and, returning the previous value.
    #[track_caller]
    pub fn fetch_and(&self, v: bool, order: Ordering) -> bool {
        point("AtomicBool::fetch_and");
        self.0.fetch_and(v, order)
    }
    /// Logical or, returning the previous value.
    #[track_caller]
    pub fn fetch_or(&self, v: bool, order: Ordering) -> bool {
        point("AtomicBool::fetch_or");
        self.0.fetch_or(v, order)
    }
    /// Consumes the atomic and returns the value.
    pub fn into_inner(self) -> bool {
        self.0.into_inner()
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
