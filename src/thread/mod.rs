//! Threads, mirroring [`std::thread`].
//!
//! Inside a check, every thread is a task of the deterministic scheduler, and the runtime knows
//! where it was spawned, what it is named, and what it waits for. Outside a check, every function
//! here is std's own, so the same code serves ordinary `#[test]`s.
//!
//! ```
//! use leakcheck::thread;
//!
//! leakcheck::check(|| {
//!     let worker = thread::Builder::new()
//!         .name("worker".into())
//!         .spawn(|| 6 * 7)
//!         .unwrap();
//!     assert_eq!(worker.join().unwrap(), 42);
//! });
//! ```
//!
//! `sleep` does not sleep inside a check: it is a timed wait on the [modelled clock](crate::time),
//! which ends as the [time model](crate::Time) says, so real timing never decides what a test
//! sees.
//!
//! The model of a thread (its record in the registry, start, finish, join, park) is
//! `crate::runtime::thread`; this module maps std's API onto it: `builder.rs` spawns,
//! `handle.rs` holds `JoinHandle`, `Thread` and `current`, `scope.rs` scoped threads, and
//! `park.rs` parking, yielding and sleeping.

mod builder;
mod handle;
mod local;
mod park;
mod scope;

pub use builder::{spawn, Builder};
pub use handle::{current, JoinHandle, Thread, ThreadId};
pub use local::{AccessError, LocalKey};
pub use park::panicking;
pub use park::{available_parallelism, park, park_timeout, sleep, yield_now};
#[allow(deprecated)]
pub use park::{park_timeout_ms, sleep_ms};
pub use scope::{scope, Scope, ScopedJoinHandle};
pub use std::thread::Result;
