//! tokio-util's API for async code under a check (cargo feature `tokio`): the same paths as
//! the `tokio_util` crate. Inside a check each item is modelled; outside one it is tokio-util's
//! own.
//!
//! ```
//! use leakcheck::tokio;
//! use leakcheck::tokio_util::sync::CancellationToken;
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         let token = CancellationToken::new();
//!         let worker = tokio::spawn({
//!             let token = token.clone();
//!             async move { token.cancelled().await }
//!         });
//!         token.cancel();
//!         worker.await.unwrap();
//!     });
//! });
//! ```

pub mod sync;
pub mod task;
