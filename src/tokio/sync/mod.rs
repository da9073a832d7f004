//! `tokio::sync`: tokio's async synchronization primitives, with tokio's semantics. Inside a
//! check each is a model whose every wait goes through the modelled runtime, so what a pending
//! task awaits (which channel, which `Notify`, where) is in the report; outside a check each is
//! tokio's own.
//!
//! ```
//! use leakcheck::tokio::{self, sync::{mpsc, oneshot}};
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         // A request and its reply.
//!         let (tx, mut rx) = mpsc::channel::<(u32, oneshot::Sender<u32>)>(4);
//!         let server = tokio::spawn(async move {
//!             while let Some((n, reply)) = rx.recv().await {
//!                 let _ = reply.send(n * 2);
//!             }
//!         });
//!         let (reply, answer) = oneshot::channel();
//!         tx.send((21, reply)).await.unwrap();
//!         assert_eq!(answer.await, Ok(42));
//!         drop(tx);
//!         server.await.unwrap();
//!     });
//! });
//! ```

mod barrier;
pub mod broadcast;
mod broadcast_chan;
mod chan;
mod closed;

pub(crate) use chan::key;
mod futs;
pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod rwlock;
mod sem;
mod semaphore;
pub mod watch;
mod watch_chan;

pub use barrier::{Barrier, BarrierWaitResult};
pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
