//! The [parking_lot](https://docs.rs/parking_lot/0.12) crate's locks, with its API (no
//! poisoning: `lock()` returns the guard; `try_lock_for`, guard mapping, `unlocked`, `bump`,
//! fair unlocking, upgradable reads), modelled inside a check and parking_lot's own outside one.
//! Cargo feature `parking_lot`.
//!
//! Inside a check each type runs on the runtime's models ([`Mutex`](crate::parking_lot::Mutex) and [`FairMutex`](crate::parking_lot::FairMutex) on the
//! mutex, [`RwLock`](crate::parking_lot::RwLock) on a task-fair reader-writer lock, [`Condvar`](crate::parking_lot::Condvar), [`Once`](crate::parking_lot::Once), and
//! [`ReentrantMutex`](crate::parking_lot::ReentrantMutex) on a mutex with an owner and a count), so deadlocks, leaked threads,
//! lock-order inversions and missed signals are found exactly as for [`crate::sync`]. Code
//! written against parking_lot switches by its imports:
//!
//! ```
//! # mod example {
//! #[cfg(test)]
//! use leakcheck::parking_lot::{Condvar, Mutex, RwLock};
//! #[cfg(not(test))]
//! use parking_lot::{Condvar, Mutex, RwLock};
//! # }
//! ```
//!
//! The constructors are `const`, as parking_lot's (`const_mutex` and its kin too), so a
//! `static` lock works: inside a check it gets its model on first use in each execution, and
//! parking_lot's own lock stays underneath, held for an execution while its threads hold the
//! lock, so two checks sharing a `static` never reach its data together. Timed operations
//! (`try_lock_for`, `wait_until`, ...) have deadlines on the [modelled clock](crate::time) inside
//! a check (an `Instant` made from `leakcheck::time::Instant` is read on it exactly), and time
//! out as the [time model](crate::Time) says, as every timed wait does there.

mod condvar;
mod fair_mutex;
pub mod lock_api;
mod mutex;
mod once;
mod remutex;
mod rwlock;

pub use condvar::{Condvar, WaitTimeoutResult};
pub use fair_mutex::{const_fair_mutex, FairMutex, FairMutexGuard, MappedFairMutexGuard};
pub use mutex::{const_mutex, MappedMutexGuard, Mutex, MutexGuard};
pub use once::{Once, OnceState};
pub use parking_lot::{RawFairMutex, RawMutex};
pub use remutex::{
    const_reentrant_mutex, MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard,
};
pub use rwlock::{
    const_rwlock, MappedRwLockReadGuard, MappedRwLockWriteGuard, RwLock, RwLockReadGuard,
    RwLockUpgradableReadGuard, RwLockWriteGuard,
};
