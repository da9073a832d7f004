//! `tokio::sync::mpsc`: multi-producer, single-consumer channels, bounded ([`channel`]) and
//! unbounded ([`unbounded_channel`]), with tokio's semantics.
//!
//! Inside a check each channel is a model: a bounded channel's capacity is a queue of permits
//! that waiting senders get first come first served (a sender that is queued holds its place
//! even while nobody polls it), the receiver's [`Receiver::close`] fails senders but lets it
//! drain what is buffered, and [`Receiver::recv`] returns `None` once every sender is gone and
//! the buffer is empty. A task pending forever on `recv` while a sender is kept alive is reported
//! as a leaked task awaiting `Receiver::recv` on the channel, with the channel's live senders
//! (and the channel as an `UnclosedChannel`). Outside a check each type is tokio's own.
//!
//! ```
//! use leakcheck::tokio::{self, sync::mpsc};
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         let (tx, mut rx) = mpsc::channel(2);
//!         let worker = tokio::spawn(async move {
//!             let mut sum = 0;
//!             while let Some(n) = rx.recv().await {
//!                 sum += n;
//!             }
//!             sum
//!         });
//!         for n in 1..=3 {
//!             tx.send(n).await.unwrap();
//!         }
//!         drop(tx); // the last sender closes the channel: the worker's loop ends
//!         assert_eq!(worker.await.unwrap(), 6);
//!     });
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::tokio::sync::mpsc as tk;

use super::chan::{self, Acquire, Chan, Parked, Tx, WeakTx};
use super::futs::{self, AcquireFut, ClosedFut, RecvFut, RecvMany, RecvOne, SendFut, Slot};
use crate::runtime::{self, Imp, Loc};

/// tokio's error types of `mpsc`, as they are.
pub mod error {
    pub use ::tokio::sync::mpsc::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
}

use error::{SendError, SendTimeoutError, TryRecvError, TrySendError};

/// The receiving half's model: the channel, and what its pending receive registered.
struct Rx<T> {
    chan: Arc<Chan<T>>,
    parked: Parked,
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.parked.release(self.chan.handle);
        self.chan.drop_rx();
    }
}

/// Makes a bounded channel holding at most `buffer` messages, as tokio's `mpsc::channel`.
///
/// ```
/// use leakcheck::tokio::sync::mpsc;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let (tx, mut rx) = mpsc::channel(1);
///         tx.send("a").await.unwrap();
///         assert!(tx.try_send("b").is_err()); // full
///         assert_eq!(rx.recv().await, Some("a"));
///     });
/// });
/// ```
///
/// # Panics
///
/// If `buffer` is 0, as tokio's.
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let at = runtime::caller();
    match runtime::current() {
        None => {
            let (s, r) = tk::channel(buffer);
            (Sender { imp: Imp::Std(s) }, Receiver { imp: Imp::Std(r) })
        }
        Some(exec) => {
            let c = chan::new(&exec, "mpsc::channel", Some(buffer), at);
            (
                Sender {
                    imp: Imp::Model(Tx {
                        chan: c.clone(),
                        end: 0,
                    }),
                },
                Receiver {
                    imp: Imp::Model(Rx {
                        chan: c,
                        parked: Parked::default(),
                    }),
                },
            )
        }
    }
}

/// Makes an unbounded channel, as tokio's `mpsc::unbounded_channel`: sends never wait.
///
/// ```
/// use leakcheck::tokio::sync::mpsc;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let (tx, mut rx) = mpsc::unbounded_channel();
///         tx.send(1).unwrap();
///         drop(tx);
///         assert_eq!(rx.recv().await, Some(1));
///         assert_eq!(rx.recv().await, None);
///     });
/// });
/// ```
#[track_caller]
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let at = runtime::caller();
    match runtime::current() {
        None => {
            let (s, r) = tk::unbounded_channel();
            (
                UnboundedSender { imp: Imp::Std(s) },
                UnboundedReceiver { imp: Imp::Std(r) },
            )
        }
        Some(exec) => {
            let c = chan::new(&exec, "mpsc::unbounded_channel", None, at);
            (
                UnboundedSender {
                    imp: Imp::Model(Tx {
                        chan: c.clone(),
                        end: 0,
                    }),
                },
                UnboundedReceiver {
                    imp: Imp::Model(Rx {
                        chan: c,
                        parked: Parked::default(),
                    }),
                },
            )
        }
    }
}

/// The sending half of a bounded channel, as tokio's `mpsc::Sender`. Cloning it makes another
/// sender; the channel closes for the receiver when the last one is dropped.
pub struct Sender<T> {
    imp: Imp<tk::Sender<T>, Tx<T>>,
}

/// The receiving half of a bounded channel, as tokio's `mpsc::Receiver`.
pub struct Receiver<T> {
    imp: Imp<tk::Receiver<T>, Rx<T>>,
}

/// A sender that does not keep the channel open, as tokio's `mpsc::WeakSender`.
pub struct WeakSender<T> {
    imp: Imp<tk::WeakSender<T>, WeakTx<T>>,
}

/// A permit's implementation: tokio's, or the model's sender and where it was reserved.
type PermitImp<'a, T> = Imp<tk::Permit<'a, T>, (&'a Tx<T>, Loc)>;

/// A reserved slot in a bounded channel, as tokio's `mpsc::Permit`: sending through it
/// cannot fail or wait; dropping it gives the slot back.
pub struct Permit<'a, T> {
    /// `None` once sent.
    imp: Option<PermitImp<'a, T>>,
}

/// Slots reserved at once ([`Sender::reserve_many`], [`Sender::try_reserve_many`]), as tokio's
/// `mpsc::PermitIterator`: each item is a [`Permit`]; dropping it gives back the slots not
/// taken.
pub struct PermitIterator<'a, T> {
    imp: Imp<tk::PermitIterator<'a, T>, ManyPermits<'a, T>>,
}

/// The model's reserved slots: the sender, how many are left, and where they were reserved.
struct ManyPermits<'a, T> {
    tx: &'a Tx<T>,
    n: usize,
    at: Loc,
}

/// A reserved slot that owns its sender ([`Sender::reserve_owned`]), as tokio's
/// `mpsc::OwnedPermit`: sending through it gives the sender back; dropping it gives the slot
/// back (and drops the sender).
pub struct OwnedPermit<T> {
    /// `None` once sent or released.
    imp: Option<OwnedPermitImp<T>>,
}

/// An owned permit's implementation: tokio's, or the model's sender and where it reserved.
type OwnedPermitImp<T> = Imp<tk::OwnedPermit<T>, (Tx<T>, Loc)>;

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.clone()),
            Imp::Model(tx) => Imp::Model(tx.clone_at(runtime::caller())),
        };
        Sender { imp }
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.clone()),
            Imp::Model(w) => Imp::Model(WeakTx::new(w.chan.clone())),
        };
        WeakSender { imp }
    }
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for a free slot, as tokio's `Sender::send`. Dropping the future
    /// before it completes (a `select!` whose other branch completed first) loses `value` and
    /// the sender's place in the queue: inside a check that is a
    /// [`LostMessage`](crate::FindingKind::LostMessage) finding, unless the receiver was
    /// already closed. [`reserve`](Self::reserve) first loses nothing when it is cancelled.
    ///
    /// # Errors
    ///
    /// `SendError(value)` if the receiver is closed or dropped.
    ///
    /// ```
    /// use leakcheck::tokio::sync::mpsc;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, rx) = mpsc::channel(1);
    ///         drop(rx);
    ///         assert_eq!(tx.send(5).await.unwrap_err().0, 5);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> impl Future<Output = Result<(), SendError<T>>> + '_ {
        let at = runtime::caller();
        let op = "Sender::send";
        // The model's future is made now, holding the value: dropped before its first poll,
        // it loses the value as tokio's does.
        let fut = match &self.imp {
            Imp::Std(s) => Err((s, value)),
            Imp::Model(tx) => Ok(SendFut::new(tx, AcquireFut::new(tx, op, at), value, op, at)),
        };
        async move {
            match fut {
                Err((s, value)) => s.send(value).await,
                Ok(fut) => fut.await.map_err(|(value, _)| SendError(value)),
            }
        }
    }

    /// Sends `value`, waiting at most `timeout` for a free slot, as tokio's
    /// `Sender::send_timeout` (which reserves a slot under a `time::timeout`, then sends). The
    /// time is the check's modelled clock: whether the slot or the timeout comes first is the
    /// schedule's. Dropped before it completes, it loses `value` as [`send`](Self::send) does.
    ///
    /// # Errors
    ///
    /// `Timeout(value)` if no slot came in time, `Closed(value)` if the receiver is closed or
    /// dropped.
    ///
    /// ```
    /// use leakcheck::tokio::sync::mpsc::{self, error::SendTimeoutError};
    /// use leakcheck::tokio::time::Duration;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = mpsc::channel(1);
    ///         tx.send_timeout(1, Duration::from_millis(10)).await.unwrap();
    ///         // Full, and nobody receives: the timeout ends the wait, with the value back.
    ///         let err = tx.send_timeout(2, Duration::from_millis(10)).await.unwrap_err();
    ///         assert!(matches!(err, SendTimeoutError::Timeout(2)));
    ///         assert_eq!(rx.recv().await, Some(1));
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn send_timeout(
        &self,
        value: T,
        timeout: std::time::Duration,
    ) -> impl Future<Output = Result<(), SendTimeoutError<T>>> + '_ {
        let at = runtime::caller();
        let op = "Sender::send_timeout";
        let fut = match &self.imp {
            Imp::Std(s) => Err((s, value)),
            Imp::Model(tx) => {
                let slot = crate::tokio::time::timeout(timeout, AcquireFut::new(tx, op, at));
                Ok(SendFut::new(tx, slot, value, op, at))
            }
        };
        async move {
            match fut {
                Err((s, value)) => s.send_timeout(value, timeout).await,
                Ok(fut) => fut.await.map_err(|(value, why)| match why {
                    Slot::TimedOut => SendTimeoutError::Timeout(value),
                    _ => SendTimeoutError::Closed(value),
                }),
            }
        }
    }

    /// Sends `value` if there is a free slot now, as tokio's `Sender::try_send`.
    ///
    /// # Errors
    ///
    /// `Full(value)` if there is none, `Closed(value)` if the receiver is closed or dropped.
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.try_send(value),
            Imp::Model(tx) => {
                let exec = tx.chan.exec();
                exec.switch("Sender::try_send", at);
                match tx.chan.try_acquire() {
                    Ok(()) => tx
                        .chan
                        .push(&exec, tx, value, at)
                        .map_err(TrySendError::Closed),
                    Err(true) => Err(TrySendError::Closed(value)),
                    Err(false) => Err(TrySendError::Full(value)),
                }
            }
        }
    }

    /// Sends `value`, blocking the thread until there is a free slot, as tokio's
    /// `Sender::blocking_send`.
    ///
    /// # Errors
    ///
    /// `SendError(value)` if the receiver is closed or dropped.
    ///
    /// # Panics
    ///
    /// Called from a task or inside `block_on`, as tokio's.
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.blocking_send(value),
            Imp::Model(tx) => {
                if futs::acquire_blocking(tx, "Sender::blocking_send", at) {
                    let exec = tx.chan.exec();
                    tx.chan.push(&exec, tx, value, at).map_err(SendError)
                } else {
                    Err(SendError(value))
                }
            }
        }
    }

    /// Waits for a free slot and reserves it, as tokio's `Sender::reserve`.
    ///
    /// # Errors
    ///
    /// If the receiver is closed or dropped.
    ///
    /// ```
    /// use leakcheck::tokio::sync::mpsc;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = mpsc::channel(1);
    ///         let permit = tx.reserve().await.unwrap();
    ///         assert!(tx.try_send(1).is_err()); // the only slot is reserved
    ///         permit.send(2);
    ///         assert_eq!(rx.recv().await, Some(2));
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn reserve(&self) -> impl Future<Output = Result<Permit<'_, T>, SendError<()>>> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(s) => s.reserve().await.map(|p| Permit {
                    imp: Some(Imp::Std(p)),
                }),
                Imp::Model(tx) => {
                    if AcquireFut::new(tx, "Sender::reserve", at).await {
                        Ok(Permit {
                            imp: Some(Imp::Model((tx, at))),
                        })
                    } else {
                        Err(SendError(()))
                    }
                }
            }
        }
    }

    /// Waits until `n` slots are free and reserves them all, as tokio's `Sender::reserve_many`:
    /// like a send, it waits in the queue of senders in turn, taking slots as they come free
    /// and holding them until it has `n`; cancelled, it gives back what it had. A cancelled
    /// reservation loses nothing: no value was given.
    ///
    /// # Errors
    ///
    /// If `n` is more than the channel's capacity, or the receiver is closed or dropped.
    ///
    /// ```
    /// use leakcheck::tokio::sync::mpsc;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = mpsc::channel(2);
    ///         let mut permits = tx.reserve_many(2).await.unwrap();
    ///         assert_eq!(tx.capacity(), 0);
    ///         permits.next().unwrap().send(1);
    ///         drop(permits); // the slot not taken goes back
    ///         assert_eq!(tx.capacity(), 1);
    ///         assert_eq!(rx.recv().await, Some(1));
    ///         assert!(tx.reserve_many(3).await.is_err()); // more than the capacity
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn reserve_many(
        &self,
        n: usize,
    ) -> impl Future<Output = Result<PermitIterator<'_, T>, SendError<()>>> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(s) => s
                    .reserve_many(n)
                    .await
                    .map(|p| PermitIterator { imp: Imp::Std(p) }),
                Imp::Model(tx) => {
                    if n > self.max_capacity() {
                        return Err(SendError(()));
                    }
                    let mut fut = AcquireFut::new(tx, "Sender::reserve_many", at);
                    fut.acq = Acquire::many(n);
                    if fut.await {
                        Ok(PermitIterator {
                            imp: Imp::Model(ManyPermits { tx, n, at }),
                        })
                    } else {
                        Err(SendError(()))
                    }
                }
            }
        }
    }

    /// Reserves `n` slots if they are free now, as tokio's `Sender::try_reserve_many`.
    ///
    /// # Errors
    ///
    /// `Full(())` if they are not (or `n` is more than the capacity), `Closed(())` if the
    /// receiver is closed or dropped.
    #[track_caller]
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s
                .try_reserve_many(n)
                .map(|p| PermitIterator { imp: Imp::Std(p) }),
            Imp::Model(tx) => {
                if n > self.max_capacity() {
                    return Err(TrySendError::Full(()));
                }
                tx.chan.exec().switch("Sender::try_reserve_many", at);
                match tx.chan.try_acquire_n(n) {
                    Ok(()) => Ok(PermitIterator {
                        imp: Imp::Model(ManyPermits { tx, n, at }),
                    }),
                    Err(true) => Err(TrySendError::Closed(())),
                    Err(false) => Err(TrySendError::Full(())),
                }
            }
        }
    }

    /// Waits for a free slot and reserves it, moving the sender into the permit, as tokio's
    /// `Sender::reserve_owned`: the permit may live as long as it likes (`'static`).
    ///
    /// # Errors
    ///
    /// If the receiver is closed or dropped (the sender is dropped then, as tokio's).
    ///
    /// ```
    /// use leakcheck::tokio::{self, sync::mpsc};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = mpsc::channel(1);
    ///         let permit = tx.clone().reserve_owned().await.unwrap();
    ///         tokio::spawn(async move {
    ///             permit.send(7); // gives the sender back, dropped here
    ///         });
    ///         assert_eq!(rx.recv().await, Some(7));
    ///         drop(tx);
    ///         assert_eq!(rx.recv().await, None);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn reserve_owned(self) -> impl Future<Output = Result<OwnedPermit<T>, SendError<()>>> {
        let at = runtime::caller();
        async move {
            match self.imp {
                Imp::Std(s) => s.reserve_owned().await.map(|p| OwnedPermit {
                    imp: Some(Imp::Std(p)),
                }),
                Imp::Model(tx) => {
                    if AcquireFut::new(&tx, "Sender::reserve_owned", at).await {
                        Ok(OwnedPermit {
                            imp: Some(Imp::Model((tx, at))),
                        })
                    } else {
                        Err(SendError(()))
                    }
                }
            }
        }
    }

    /// Reserves a free slot if there is one now, moving the sender into the permit, as
    /// tokio's `Sender::try_reserve_owned`.
    ///
    /// # Errors
    ///
    /// `Full(sender)` if there is none, `Closed(sender)` if the receiver is closed or dropped:
    /// the sender back either way.
    #[track_caller]
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        let at = runtime::caller();
        match self.imp {
            Imp::Std(s) => s
                .try_reserve_owned()
                .map(|p| OwnedPermit {
                    imp: Some(Imp::Std(p)),
                })
                .map_err(|e| match e {
                    TrySendError::Full(s) => TrySendError::Full(Sender { imp: Imp::Std(s) }),
                    TrySendError::Closed(s) => TrySendError::Closed(Sender { imp: Imp::Std(s) }),
                }),
            Imp::Model(tx) => {
                tx.chan.exec().switch("Sender::try_reserve_owned", at);
                match tx.chan.try_acquire() {
                    Ok(()) => Ok(OwnedPermit {
                        imp: Some(Imp::Model((tx, at))),
                    }),
                    Err(true) => Err(TrySendError::Closed(Sender {
                        imp: Imp::Model(tx),
                    })),
                    Err(false) => Err(TrySendError::Full(Sender {
                        imp: Imp::Model(tx),
                    })),
                }
            }
        }
    }

    /// Reserves a free slot if there is one now, as tokio's `Sender::try_reserve`.
    ///
    /// # Errors
    ///
    /// `Full(())` if there is none, `Closed(())` if the receiver is closed or dropped.
    #[track_caller]
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.try_reserve().map(|p| Permit {
                imp: Some(Imp::Std(p)),
            }),
            Imp::Model(tx) => {
                tx.chan.exec().switch("Sender::try_reserve", at);
                match tx.chan.try_acquire() {
                    Ok(()) => Ok(Permit {
                        imp: Some(Imp::Model((tx, at))),
                    }),
                    Err(true) => Err(TrySendError::Closed(())),
                    Err(false) => Err(TrySendError::Full(())),
                }
            }
        }
    }

    /// Completes when the receiver is closed or dropped, as tokio's `Sender::closed`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::mpsc;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, rx) = mpsc::channel::<u8>(1);
    ///         drop(rx);
    ///         tx.closed().await;
    ///         assert!(tx.is_closed());
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(s) => s.closed().await,
                Imp::Model(tx) => ClosedFut::new(&tx.chan, at).await,
            }
        }
    }

    /// Whether the receiver is closed or dropped.
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.is_closed(),
            Imp::Model(tx) => tx.chan.is_closed(),
        }
    }

    /// The free slots now.
    pub fn capacity(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.capacity(),
            Imp::Model(tx) => tx.chan.capacity(),
        }
    }

    /// The channel's capacity, as made.
    pub fn max_capacity(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.max_capacity(),
            Imp::Model(tx) => tx.chan.cap.unwrap_or(0),
        }
    }

    /// Whether `other` sends on the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.chan, &b.chan),
            _ => false,
        }
    }

    /// A weak sender of the same channel, which does not keep it open.
    pub fn downgrade(&self) -> WeakSender<T> {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.downgrade()),
            Imp::Model(tx) => Imp::Model(WeakTx::new(tx.chan.clone())),
        };
        WeakSender { imp }
    }

    /// How many senders are alive.
    pub fn strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.strong_count(),
            Imp::Model(tx) => chan::counts(&tx.chan).0,
        }
    }

    /// How many weak senders are alive.
    pub fn weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.weak_count(),
            Imp::Model(tx) => chan::counts(&tx.chan).1,
        }
    }
}

impl<T> WeakSender<T> {
    /// A sender, if the channel still has one alive.
    #[track_caller]
    pub fn upgrade(&self) -> Option<Sender<T>> {
        match &self.imp {
            Imp::Std(w) => w.upgrade().map(|s| Sender { imp: Imp::Std(s) }),
            Imp::Model(w) => w.upgrade(runtime::caller()).map(|tx| Sender {
                imp: Imp::Model(tx),
            }),
        }
    }

    /// How many senders are alive.
    pub fn strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(w) => w.strong_count(),
            Imp::Model(w) => chan::counts(&w.chan).0,
        }
    }

    /// How many weak senders are alive.
    pub fn weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(w) => w.weak_count(),
            Imp::Model(w) => chan::counts(&w.chan).1,
        }
    }
}

impl<T> Permit<'_, T> {
    /// Sends `value` in the reserved slot.
    pub fn send(mut self, value: T) {
        match self.imp.take() {
            None => {}
            Some(Imp::Std(p)) => p.send(value),
            Some(Imp::Model((tx, at))) => {
                let exec = tx.chan.exec();
                exec.switch("Permit::send", at);
                // A bounded channel buffers even when closed (the slot was reserved).
                let _ = tx.chan.push(&exec, tx, value, at);
            }
        }
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        if let Some(Imp::Model((tx, _))) = &self.imp {
            tx.chan.give_back();
        }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        match &mut self.imp {
            Imp::Std(p) => p.next().map(|p| Permit {
                imp: Some(Imp::Std(p)),
            }),
            Imp::Model(m) => {
                if m.n == 0 {
                    return None;
                }
                m.n -= 1;
                Some(Permit {
                    imp: Some(Imp::Model((m.tx, m.at))),
                })
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.imp {
            Imp::Std(p) => p.size_hint(),
            Imp::Model(m) => (m.n, Some(m.n)),
        }
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        if let Imp::Model(m) = &self.imp
            && m.n > 0
        {
            m.tx.chan.give_back_n(m.n);
        }
    }
}

impl<T> OwnedPermit<T> {
    /// Sends `value` in the reserved slot, and gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        match self.imp.take() {
            Some(Imp::Std(p)) => Sender {
                imp: Imp::Std(p.send(value)),
            },
            Some(Imp::Model((tx, at))) => {
                let exec = tx.chan.exec();
                exec.switch("OwnedPermit::send", at);
                // A bounded channel buffers even when closed (the slot was reserved).
                let _ = tx.chan.push(&exec, &tx, value, at);
                Sender {
                    imp: Imp::Model(tx),
                }
            }
            None => unreachable!("an OwnedPermit is only emptied when it is consumed"),
        }
    }

    /// Gives the slot back without sending, and the sender too.
    pub fn release(mut self) -> Sender<T> {
        match self.imp.take() {
            Some(Imp::Std(p)) => Sender {
                imp: Imp::Std(p.release()),
            },
            Some(Imp::Model((tx, _))) => {
                tx.chan.give_back();
                Sender {
                    imp: Imp::Model(tx),
                }
            }
            None => unreachable!("an OwnedPermit is only emptied when it is consumed"),
        }
    }

    /// Whether `other` is a permit of the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Some(Imp::Std(a)), Some(Imp::Std(b))) => a.same_channel(b),
            (Some(Imp::Model(a)), Some(Imp::Model(b))) => Arc::ptr_eq(&a.0.chan, &b.0.chan),
            _ => false,
        }
    }

    /// Whether `sender` sends on this permit's channel.
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        match (&self.imp, &sender.imp) {
            (Some(Imp::Std(a)), Imp::Std(b)) => a.same_channel_as_sender(b),
            (Some(Imp::Model(a)), Imp::Model(b)) => Arc::ptr_eq(&a.0.chan, &b.chan),
            _ => false,
        }
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(Imp::Model((tx, _))) = &self.imp {
            tx.chan.give_back();
        }
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}

macro_rules! receiver {
    ($name:ident) => {
        impl<T> $name<T> {
            /// Receives the next message, waiting for one, as tokio's `recv`: `None` once the
            /// channel is closed (every sender dropped, or `close` called) and drained. Cancel
            /// safe.
            #[track_caller]
            pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
                let at = runtime::caller();
                async move {
                    match &mut self.imp {
                        Imp::Std(r) => r.recv().await,
                        Imp::Model(rx) => {
                            RecvOne(RecvFut {
                                chan: &rx.chan,
                                parked: &mut rx.parked,
                                op: "Receiver::recv",
                                at,
                            })
                            .await
                        }
                    }
                }
            }

            /// Receives up to `limit` messages into `buffer`, waiting for the first, as tokio's
            /// `recv_many`: how many it received; 0 if the channel is closed and drained (or
            /// `limit` is 0).
            #[track_caller]
            pub fn recv_many<'a>(
                &'a mut self,
                buffer: &'a mut Vec<T>,
                limit: usize,
            ) -> impl Future<Output = usize> + 'a {
                let at = runtime::caller();
                async move {
                    match &mut self.imp {
                        Imp::Std(r) => r.recv_many(buffer, limit).await,
                        Imp::Model(rx) => {
                            RecvMany {
                                fut: RecvFut {
                                    chan: &rx.chan,
                                    parked: &mut rx.parked,
                                    op: "Receiver::recv_many",
                                    at,
                                },
                                buffer,
                                limit,
                            }
                            .await
                        }
                    }
                }
            }

            /// Receives a message if there is one now.
            ///
            /// # Errors
            ///
            /// `Empty` if there is none, `Disconnected` if there is none and the channel is
            /// closed.
            #[track_caller]
            pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
                let at = runtime::caller();
                match &mut self.imp {
                    Imp::Std(r) => r.try_recv(),
                    Imp::Model(rx) => {
                        let exec = rx.chan.exec();
                        exec.switch("Receiver::try_recv", at);
                        rx.chan.try_recv(&exec, at).map_err(|closed| {
                            if closed {
                                TryRecvError::Disconnected
                            } else {
                                TryRecvError::Empty
                            }
                        })
                    }
                }
            }

            /// Receives a message, blocking the thread until there is one; `None` once the
            /// channel is closed and drained.
            ///
            /// # Panics
            ///
            /// Called from a task or inside `block_on`, as tokio's.
            #[track_caller]
            pub fn blocking_recv(&mut self) -> Option<T> {
                let at = runtime::caller();
                match &mut self.imp {
                    Imp::Std(r) => r.blocking_recv(),
                    Imp::Model(rx) => futs::recv_blocking(&rx.chan, &mut rx.parked, at),
                }
            }

            /// Receives up to `limit` messages into `buffer`, blocking the thread until there is
            /// one, as tokio's `blocking_recv_many`: how many it received; 0 once the channel is
            /// closed and drained (or if `limit` is 0).
            ///
            /// # Panics
            ///
            /// Called from a task or inside `block_on`, as tokio's.
            #[track_caller]
            pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
                let at = runtime::caller();
                match &mut self.imp {
                    Imp::Std(r) => r.blocking_recv_many(buffer, limit),
                    Imp::Model(rx) => {
                        if limit == 0 {
                            futs::forbid_in_runtime(&rx.chan.exec());
                            return 0;
                        }
                        match futs::recv_blocking(&rx.chan, &mut rx.parked, at) {
                            Some(first) => {
                                let before = buffer.len();
                                buffer.push(first);
                                let exec = rx.chan.exec();
                                while buffer.len() - before < limit {
                                    match rx.chan.try_recv(&exec, at) {
                                        Ok(v) => buffer.push(v),
                                        Err(_) => break,
                                    }
                                }
                                buffer.len() - before
                            }
                            None => 0,
                        }
                    }
                }
            }

            /// Polls for up to `limit` messages into `buffer`, as tokio's `poll_recv_many`:
            /// `Ready(n)` with how many it received (0 once the channel is closed and drained,
            /// or at once if `limit` is 0), `Pending` (registered to be woken) if none is there.
            #[track_caller]
            pub fn poll_recv_many(
                &mut self,
                cx: &mut Context<'_>,
                buffer: &mut Vec<T>,
                limit: usize,
            ) -> Poll<usize> {
                let at = runtime::caller();
                match &mut self.imp {
                    Imp::Std(r) => r.poll_recv_many(cx, buffer, limit),
                    Imp::Model(rx) => {
                        if limit == 0 {
                            return Poll::Ready(0);
                        }
                        let mut fut = RecvFut {
                            chan: &rx.chan,
                            parked: &mut rx.parked,
                            op: "Receiver::poll_recv_many",
                            at,
                        };
                        let out = match fut.poll_one(cx) {
                            Poll::Ready(Some(v)) => {
                                let before = buffer.len();
                                buffer.push(v);
                                fut.more(buffer, before + limit);
                                Poll::Ready(buffer.len() - before)
                            }
                            Poll::Ready(None) => Poll::Ready(0),
                            Poll::Pending => Poll::Pending,
                        };
                        // A pending poll stays registered, as tokio's: its waker is woken.
                        std::mem::forget(fut);
                        out
                    }
                }
            }

            /// Closes the channel: senders fail from now on; what is buffered can still be
            /// received.
            #[track_caller]
            pub fn close(&mut self) {
                let at = runtime::caller();
                match &mut self.imp {
                    Imp::Std(r) => r.close(),
                    Imp::Model(rx) => {
                        let exec = rx.chan.exec();
                        exec.switch("Receiver::close", at);
                        rx.chan.close(Some(&exec));
                    }
                }
            }

            /// Whether the channel is closed: `close` was called or every sender is gone.
            pub fn is_closed(&self) -> bool {
                match &self.imp {
                    Imp::Std(r) => r.is_closed(),
                    Imp::Model(rx) => rx.chan.rx_is_closed(),
                }
            }

            /// Whether no message is buffered.
            pub fn is_empty(&self) -> bool {
                match &self.imp {
                    Imp::Std(r) => r.is_empty(),
                    Imp::Model(rx) => rx.chan.len() == 0,
                }
            }

            /// How many messages are buffered.
            pub fn len(&self) -> usize {
                match &self.imp {
                    Imp::Std(r) => r.len(),
                    Imp::Model(rx) => rx.chan.len(),
                }
            }

            /// Polls for the next message, as tokio's `poll_recv`.
            #[track_caller]
            pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
                let at = runtime::caller();
                match &mut self.imp {
                    Imp::Std(r) => r.poll_recv(cx),
                    Imp::Model(rx) => {
                        let mut fut = RecvFut {
                            chan: &rx.chan,
                            parked: &mut rx.parked,
                            op: "Receiver::poll_recv",
                            at,
                        };
                        let out = fut.poll_one(cx);
                        // A pending poll stays registered, as tokio's: its waker is woken.
                        std::mem::forget(fut);
                        out
                    }
                }
            }

            /// How many senders are alive.
            pub fn sender_strong_count(&self) -> usize {
                match &self.imp {
                    Imp::Std(r) => r.sender_strong_count(),
                    Imp::Model(rx) => chan::counts(&rx.chan).0,
                }
            }

            /// How many weak senders are alive.
            pub fn sender_weak_count(&self) -> usize {
                match &self.imp {
                    Imp::Std(r) => r.sender_weak_count(),
                    Imp::Model(rx) => chan::counts(&rx.chan).1,
                }
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

receiver!(Receiver);
receiver!(UnboundedReceiver);

impl<T> Receiver<T> {
    /// The free slots now.
    pub fn capacity(&self) -> usize {
        match &self.imp {
            Imp::Std(r) => r.capacity(),
            Imp::Model(rx) => rx.chan.capacity(),
        }
    }

    /// The channel's capacity, as made.
    pub fn max_capacity(&self) -> usize {
        match &self.imp {
            Imp::Std(r) => r.max_capacity(),
            Imp::Model(rx) => rx.chan.cap.unwrap_or(0),
        }
    }
}

/// The sending half of an unbounded channel, as tokio's `mpsc::UnboundedSender`.
pub struct UnboundedSender<T> {
    imp: Imp<tk::UnboundedSender<T>, Tx<T>>,
}

/// The receiving half of an unbounded channel, as tokio's `mpsc::UnboundedReceiver`.
pub struct UnboundedReceiver<T> {
    imp: Imp<tk::UnboundedReceiver<T>, Rx<T>>,
}

/// An unbounded sender that does not keep the channel open, as tokio's
/// `mpsc::WeakUnboundedSender`.
pub struct WeakUnboundedSender<T> {
    imp: Imp<tk::WeakUnboundedSender<T>, WeakTx<T>>,
}

impl<T> Clone for UnboundedSender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.clone()),
            Imp::Model(tx) => Imp::Model(tx.clone_at(runtime::caller())),
        };
        UnboundedSender { imp }
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.clone()),
            Imp::Model(w) => Imp::Model(WeakTx::new(w.chan.clone())),
        };
        WeakUnboundedSender { imp }
    }
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting, as tokio's `UnboundedSender::send`.
    ///
    /// # Errors
    ///
    /// `SendError(value)` if the receiver is closed or dropped.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.send(value),
            Imp::Model(tx) => {
                let exec = tx.chan.exec();
                exec.switch("UnboundedSender::send", at);
                tx.chan.push(&exec, tx, value, at).map_err(SendError)
            }
        }
    }

    /// Completes when the receiver is closed or dropped.
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(s) => s.closed().await,
                Imp::Model(tx) => ClosedFut::new(&tx.chan, at).await,
            }
        }
    }

    /// Whether the receiver is closed or dropped.
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.is_closed(),
            Imp::Model(tx) => tx.chan.is_closed(),
        }
    }

    /// Whether `other` sends on the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.chan, &b.chan),
            _ => false,
        }
    }

    /// A weak sender of the same channel.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.downgrade()),
            Imp::Model(tx) => Imp::Model(WeakTx::new(tx.chan.clone())),
        };
        WeakUnboundedSender { imp }
    }

    /// How many senders are alive.
    pub fn strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.strong_count(),
            Imp::Model(tx) => chan::counts(&tx.chan).0,
        }
    }

    /// How many weak senders are alive.
    pub fn weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.weak_count(),
            Imp::Model(tx) => chan::counts(&tx.chan).1,
        }
    }
}

impl<T> WeakUnboundedSender<T> {
    /// A sender, if the channel still has one alive.
    #[track_caller]
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        match &self.imp {
            Imp::Std(w) => w.upgrade().map(|s| UnboundedSender { imp: Imp::Std(s) }),
            Imp::Model(w) => w.upgrade(runtime::caller()).map(|tx| UnboundedSender {
                imp: Imp::Model(tx),
            }),
        }
    }

    /// How many senders are alive.
    pub fn strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(w) => w.strong_count(),
            Imp::Model(w) => chan::counts(&w.chan).0,
        }
    }

    /// How many weak senders are alive.
    pub fn weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(w) => w.weak_count(),
            Imp::Model(w) => chan::counts(&w.chan).1,
        }
    }
}

macro_rules! debug {
    ($($name:ident),*) => {$(
        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    )*};
}

debug!(Sender, WeakSender, UnboundedSender, WeakUnboundedSender);

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}
