//! Synchronisation primitives, mirroring [`std::sync`], and a counting [`Semaphore`] (std has
//! none; this one has tokio's semantics, with a blocking `acquire`).
//!
//! Inside a check, each primitive is a state machine in the runtime's registry: the runtime knows
//! who holds it and who waits for it, and every operation is a scheduling point. Outside a check,
//! each is std's own. Switch the code under test by its imports:
//!
//! ```
//! # mod example {
//! #[cfg(test)]
//! use leakcheck::sync::{Arc, Mutex};
//! #[cfg(not(test))]
//! use std::sync::{Arc, Mutex};
//! # }
//! ```

pub mod atomic;
mod barrier;
mod condvar;
mod lazy;
pub mod mpsc;
mod mutex;
mod once;
mod poison;
mod rwlock;
mod semaphore;

pub use barrier::{Barrier, BarrierWaitResult};
pub use condvar::{Condvar, WaitTimeoutResult};
pub use lazy::LazyLock;
pub use mutex::{Mutex, MutexGuard};
#[allow(deprecated)]
pub use once::ONCE_INIT;
pub use once::{Once, OnceLock, OnceState};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{AcquireError, Semaphore, SemaphorePermit, TryAcquireError};
pub use std::sync::{Arc, LockResult, PoisonError, TryLockError, TryLockResult, Weak};
