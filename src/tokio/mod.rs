//! tokio's API, for async code under a check (cargo feature `tokio`): the same paths as the
//! `tokio` crate, so porting a test is swapping `tokio::` for `leakcheck::tokio::`.
//!
//! Inside a check, every task is scheduled by leakcheck's engine on a modelled runtime (see
//! [`Flavor`](crate::Flavor)): every poll is a scheduling point, which runnable task a worker polls
//! next is the scheduler's decision, and time is the check's modelled clock. A task that has not
//! completed when the test body returns is a [`LeakedTask`](crate::FindingKind::LeakedTask)
//! finding: pending forever (on what, where), pending with no waker left, still runnable at the
//! step limit, or completed late and never awaited. Outside a check, each item is tokio's own.
//!
//! ```
//! use leakcheck::tokio;
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         let h = tokio::spawn(async { 6 * 7 });
//!         assert_eq!(h.await.unwrap(), 42);
//!     });
//! });
//! ```
//!
//! The same code on a real tokio runtime, outside a check:
//!
//! ```
//! use leakcheck::tokio;
//!
//! leakcheck::block_on(async {
//!     let h = tokio::spawn(async { 6 * 7 });
//!     assert_eq!(h.await.unwrap(), 42);
//! });
//! ```

pub mod sync;
pub mod task;
pub mod time;

pub use task::spawn;

#[doc(inline)]
pub use crate::{__tokio_join as join, __tokio_select as select, __tokio_try_join as try_join};

mod block_on;

pub use block_on::block_on;
