//! `tokio::sync::broadcast`: a multi-producer, multi-consumer channel where every receiver sees
//! every value, with tokio's semantics.
//!
//! The channel holds the last `capacity` values (rounded up to a power of two). A send never
//! waits: it overwrites the oldest value, read or not, and fails only when no receiver is left.
//! A receiver that fell behind gets [`RecvError::Lagged(n)`](error::RecvError::Lagged) (it
//! missed `n` values) and goes on from the oldest value still held; once every [`Sender`] is
//! gone, receivers read what is left, then get [`RecvError::Closed`].
//!
//! Inside a check the channel is a model (`broadcast::channel` in reports): a task pending
//! forever on `recv().await` while a sender is kept alive (the subscriber loop
//! `while let Ok(ev) = rx.recv().await` that never ends) is reported as a leaked task awaiting
//! `Receiver::recv` on the channel, with the live senders, and the channel as an
//! `UnclosedChannel`. Outside a check each type is tokio's own.
//!
//! ```
//! use leakcheck::tokio::{self, sync::broadcast};
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         let (tx, mut rx) = broadcast::channel(16);
//!         let mut rx2 = tx.subscribe();
//!         let a = tokio::spawn(async move { rx.recv().await });
//!         let b = tokio::spawn(async move { rx2.recv().await });
//!         tx.send("event").unwrap();
//!         assert_eq!(a.await.unwrap(), Ok("event"));
//!         assert_eq!(b.await.unwrap(), Ok("event"));
//!     });
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::tokio::sync::broadcast as tk;

use super::broadcast_chan::{self, Bcast, Miss};
use super::chan::{key, Parked};
use super::closed::ClosedFut;
use super::futs::forbid_in_runtime;
use crate::runtime::channel::Dir;
use crate::runtime::{self, Exec, Imp, Loc, WaitOn};

/// tokio's error types of `broadcast`, as they are.
pub mod error {
    pub use ::tokio::sync::broadcast::error::{RecvError, SendError, TryRecvError};
}

use error::{RecvError, SendError, TryRecvError};

/// The model sender: the channel and its number among the channel's senders.
struct Tx<T> {
    b: Arc<Bcast<T>>,
    end: usize,
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        self.b.drop_sender(self.end);
    }
}

/// The model receiver: the channel, the next position it reads, its end, and what its
/// pending `recv` registered.
struct Rx<T> {
    b: Arc<Bcast<T>>,
    next: u64,
    end: usize,
    parked: Parked,
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.parked.release(self.b.handle);
        self.b.drop_receiver(self.end, self.next);
    }
}

/// The capacity tokio makes of `capacity`, with tokio's panics.
#[track_caller]
fn rounded(capacity: usize) -> usize {
    assert!(capacity > 0, "broadcast channel capacity cannot be zero");
    assert!(
        capacity <= usize::MAX >> 1,
        "broadcast channel capacity exceeded `usize::MAX / 2`"
    );
    capacity.next_power_of_two()
}

/// Makes a broadcast channel holding the last `capacity` values, as tokio's
/// `broadcast::channel` (the capacity is rounded up to a power of two).
///
/// ```
/// use leakcheck::tokio::sync::broadcast::{self, error::TryRecvError};
///
/// leakcheck::check(|| {
///     let (tx, mut rx) = broadcast::channel(2);
///     for n in 0..3 {
///         tx.send(n).unwrap();
///     }
///     // It fell behind by one: it goes on from the oldest value held.
///     assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
///     assert_eq!(rx.try_recv(), Ok(1));
///     assert_eq!(rx.try_recv(), Ok(2));
/// });
/// ```
///
/// # Panics
///
/// If `capacity` is 0 (or above `usize::MAX / 2`), with tokio's messages.
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let at = runtime::caller();
    let Some(exec) = runtime::current() else {
        let (s, r) = tk::channel(capacity);
        return (Sender { imp: Imp::Std(s) }, Receiver { imp: Imp::Std(r) });
    };
    let b = broadcast_chan::new(&exec, "broadcast::channel", rounded(capacity), 1, at);
    (
        Sender {
            imp: Imp::Model(Tx {
                b: b.clone(),
                end: 0,
            }),
        },
        Receiver {
            imp: Imp::Model(Rx {
                b,
                next: 0,
                end: 0,
                parked: Parked::default(),
            }),
        },
    )
}

/// The sending half, as tokio's `broadcast::Sender`. Cloning it makes another sender; the
/// receivers get `Closed` (once they have read what is left) when the last one is dropped.
pub struct Sender<T> {
    imp: Imp<tk::Sender<T>, Tx<T>>,
}

/// The receiving half, as tokio's `broadcast::Receiver`: it reads every value sent after it
/// was made, unless it falls behind by more than the capacity.
pub struct Receiver<T> {
    imp: Imp<tk::Receiver<T>, Rx<T>>,
}

/// A sender that does not keep the channel open, as tokio's `broadcast::WeakSender`: it
/// [`upgrade`](WeakSender::upgrade)s to a [`Sender`] while one is alive.
pub struct WeakSender<T> {
    imp: Imp<tk::WeakSender<T>, WeakTx<T>>,
}

/// The model weak sender: the channel, counted apart from its senders.
struct WeakTx<T>(Arc<Bcast<T>>);

impl<T> WeakTx<T> {
    fn new(b: Arc<Bcast<T>>) -> Self {
        b.weak(true);
        WeakTx(b)
    }
}

impl<T> Drop for WeakTx<T> {
    fn drop(&mut self) {
        self.0.weak(false);
    }
}

impl<T> Sender<T> {
    /// A sender with no receiver, as tokio's `Sender::new`: receivers come from
    /// [`subscribe`](Sender::subscribe).
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let tx = broadcast::Sender::new(4);
    ///     assert!(tx.send(1).is_err()); // nobody listens yet
    ///     let mut rx = tx.subscribe();
    ///     tx.send(2).unwrap();
    ///     assert_eq!(rx.try_recv(), Ok(2));
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 (or above `usize::MAX / 2`), with tokio's messages.
    #[track_caller]
    pub fn new(capacity: usize) -> Self {
        let at = runtime::caller();
        let Some(exec) = runtime::current() else {
            return Sender {
                imp: Imp::Std(tk::Sender::new(capacity)),
            };
        };
        let b = broadcast_chan::new(&exec, "broadcast::Sender::new", rounded(capacity), 0, at);
        Sender {
            imp: Imp::Model(Tx { b, end: 0 }),
        }
    }

    /// Sends `value` to every receiver, as tokio's `Sender::send`: never waits; overwrites
    /// the oldest value if the channel is full. Returns how many receivers will see it.
    ///
    /// # Errors
    ///
    /// `SendError(value)` if no receiver is left.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel(4);
    ///     let _rx2 = tx.subscribe();
    ///     assert_eq!(tx.send(1).unwrap(), 2);
    ///     drop(rx);
    ///     drop(_rx2);
    ///     assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// });
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.send(value),
            Imp::Model(tx) => {
                let exec = tx.b.exec();
                exec.switch("Sender::send", at);
                tx.b.used(&exec, Dir::Send, tx.end, at);
                tx.b.send(&exec, value).map_err(SendError)
            }
        }
    }

    /// A new receiver that reads the values sent from now on, as tokio's `Sender::subscribe`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel(4);
    ///     tx.send(1).unwrap();
    ///     let mut late = tx.subscribe();
    ///     tx.send(2).unwrap();
    ///     assert_eq!(late.try_recv(), Ok(2));
    /// });
    /// ```
    #[track_caller]
    pub fn subscribe(&self) -> Receiver<T> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => Receiver {
                imp: Imp::Std(s.subscribe()),
            },
            Imp::Model(tx) => Receiver {
                imp: Imp::Model(new_rx(&tx.b, "Sender::subscribe", at)),
            },
        }
    }

    /// How many receivers there are, as tokio's `Sender::receiver_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     let _rx2 = tx.subscribe();
    ///     assert_eq!(tx.receiver_count(), 2);
    /// });
    /// ```
    pub fn receiver_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.receiver_count(),
            Imp::Model(tx) => tx.b.receivers(),
        }
    }

    /// How many senders there are, as tokio's `Sender::strong_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     let tx2 = tx.clone();
    ///     assert_eq!(tx2.strong_count(), 2);
    /// });
    /// ```
    pub fn strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.strong_count(),
            Imp::Model(tx) => tx.b.senders(),
        }
    }

    /// How many weak senders there are, as tokio's `Sender::weak_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     let weak = tx.downgrade();
    ///     assert_eq!(tx.weak_count(), 1);
    ///     drop(weak);
    ///     assert_eq!(tx.weak_count(), 0);
    /// });
    /// ```
    pub fn weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.weak_count(),
            Imp::Model(tx) => tx.b.weak_senders(),
        }
    }

    /// A [`WeakSender`] of this channel, as tokio's `Sender::downgrade`: it does not keep the
    /// channel open.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     let weak = tx.downgrade();
    ///     assert!(weak.upgrade().is_some());
    ///     drop(tx);
    ///     assert!(weak.upgrade().is_none());
    /// });
    /// ```
    #[must_use = "Downgrade creates a WeakSender without destroying the original non-weak sender."]
    pub fn downgrade(&self) -> WeakSender<T> {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.downgrade()),
            Imp::Model(tx) => Imp::Model(WeakTx::new(tx.b.clone())),
        };
        WeakSender { imp }
    }

    /// How many values some receiver has still to read, as tokio's `Sender::len`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     tx.send(1).unwrap();
    ///     tx.send(2).unwrap();
    ///     assert_eq!(tx.len(), 2);
    ///     rx.try_recv().unwrap();
    ///     assert_eq!(tx.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.len(),
            Imp::Model(tx) => tx.b.len(),
        }
    }

    /// Whether every receiver has read the last value sent, as tokio's `Sender::is_empty`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     assert!(tx.is_empty());
    ///     tx.send(1).unwrap();
    ///     assert!(!tx.is_empty());
    ///     rx.try_recv().unwrap();
    ///     assert!(tx.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.is_empty(),
            Imp::Model(tx) => tx.b.is_empty(),
        }
    }

    /// Whether both senders belong to the same channel, as tokio's `Sender::same_channel`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     assert!(tx.same_channel(&tx.clone()));
    /// });
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.b, &b.b),
            _ => false,
        }
    }

    /// Completes once every receiver is gone, as tokio's `Sender::closed`.
    ///
    /// ```
    /// use leakcheck::tokio::{self, sync::broadcast};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, rx) = broadcast::channel::<u8>(4);
    ///         tokio::spawn(async move { drop(rx) });
    ///         tx.closed().await;
    ///         assert_eq!(tx.receiver_count(), 0);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(s) => s.closed().await,
                Imp::Model(tx) => ClosedFut::new(&*tx.b, at).await,
            }
        }
    }
}

/// A new model receiver of `b` (a subscription), made at `at`.
fn new_rx<T>(b: &Arc<Bcast<T>>, op: &'static str, at: Loc) -> Rx<T> {
    let exec = b.exec();
    exec.switch(op, at);
    let (end, next) = b.add_receiver(at);
    Rx {
        b: b.clone(),
        next,
        end,
        parked: Parked::default(),
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.clone()),
            Imp::Model(tx) => Imp::Model(Tx {
                b: tx.b.clone(),
                end: tx.b.add_sender(runtime::caller()),
            }),
        };
        Sender { imp }
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`], if one is still alive, as tokio's `WeakSender::upgrade`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     let weak = tx.downgrade();
    ///     weak.upgrade().unwrap().send(1).unwrap();
    ///     assert_eq!(rx.try_recv(), Ok(1));
    /// });
    /// ```
    #[track_caller]
    #[must_use]
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(w) => w.upgrade().map(|s| Sender { imp: Imp::Std(s) }),
            Imp::Model(w) => {
                let exec = w.0.exec();
                exec.switch("WeakSender::upgrade", at);
                let end = w.0.upgrade(at)?;
                Some(Sender {
                    imp: Imp::Model(Tx {
                        b: w.0.clone(),
                        end,
                    }),
                })
            }
        }
    }

    /// How many senders there are, as tokio's `WeakSender::strong_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     assert_eq!(tx.downgrade().strong_count(), 1);
    /// });
    /// ```
    pub fn strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(w) => w.strong_count(),
            Imp::Model(w) => w.0.senders(),
        }
    }

    /// How many weak senders there are, as tokio's `WeakSender::weak_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = broadcast::channel::<u8>(4);
    ///     let weak = tx.downgrade();
    ///     assert_eq!(weak.clone().weak_count(), 2);
    /// });
    /// ```
    pub fn weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(w) => w.weak_count(),
            Imp::Model(w) => w.0.weak_senders(),
        }
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(w) => Imp::Std(w.clone()),
            Imp::Model(w) => Imp::Model(WeakTx::new(w.0.clone())),
        };
        WeakSender { imp }
    }
}

impl<T> Receiver<T> {
    /// How many senders there are, as tokio's `Receiver::sender_strong_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel::<u8>(4);
    ///     let _tx2 = tx.clone();
    ///     assert_eq!(rx.sender_strong_count(), 2);
    /// });
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        match &self.imp {
            Imp::Std(r) => r.sender_strong_count(),
            Imp::Model(rx) => rx.b.senders(),
        }
    }

    /// How many weak senders there are, as tokio's `Receiver::sender_weak_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel::<u8>(4);
    ///     let _weak = tx.downgrade();
    ///     assert_eq!(rx.sender_weak_count(), 1);
    /// });
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        match &self.imp {
            Imp::Std(r) => r.sender_weak_count(),
            Imp::Model(rx) => rx.b.weak_senders(),
        }
    }

    /// How many values this receiver has not read, as tokio's `Receiver::len` (counting
    /// those it lagged past).
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel(4);
    ///     tx.send(1).unwrap();
    ///     assert_eq!(rx.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        match &self.imp {
            Imp::Std(r) => r.len(),
            Imp::Model(rx) => rx.b.unread(rx.next),
        }
    }

    /// Whether this receiver has read everything sent, as tokio's `Receiver::is_empty`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     assert!(rx.is_empty());
    ///     tx.send(1).unwrap();
    ///     assert!(!rx.is_empty());
    ///     rx.try_recv().unwrap();
    ///     assert!(rx.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone, as tokio's `Receiver::is_closed` (values may be left
    /// to read).
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel::<u8>(4);
    ///     drop(tx);
    ///     assert!(rx.is_closed());
    /// });
    /// ```
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(r) => r.is_closed(),
            Imp::Model(rx) => rx.b.senders() == 0,
        }
    }

    /// Whether both receivers belong to the same channel, as tokio's
    /// `Receiver::same_channel`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel::<u8>(4);
    ///     assert!(rx.same_channel(&tx.subscribe()));
    /// });
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.b, &b.b),
            _ => false,
        }
    }
}

impl<T: Clone> Receiver<T> {
    /// A new receiver that reads the values sent from now on (not what this one has left to
    /// read), as tokio's `Receiver::resubscribe`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast::{self, error::TryRecvError};
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = broadcast::channel(4);
    ///     tx.send(1).unwrap();
    ///     let mut again = rx.resubscribe();
    ///     assert_eq!(again.try_recv(), Err(TryRecvError::Empty));
    /// });
    /// ```
    #[track_caller]
    pub fn resubscribe(&self) -> Self {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(r) => Receiver {
                imp: Imp::Std(r.resubscribe()),
            },
            Imp::Model(rx) => Receiver {
                imp: Imp::Model(new_rx(&rx.b, "Receiver::resubscribe", at)),
            },
        }
    }

    /// Receives the next value, waiting for one, as tokio's `Receiver::recv`. Cancel safe.
    ///
    /// # Errors
    ///
    /// `Lagged(n)` if it fell behind and missed `n` values (the next `recv` reads the oldest
    /// value held); `Closed` once every sender is gone and it read everything left.
    ///
    /// ```
    /// use leakcheck::tokio::{self, sync::broadcast::{self, error::RecvError}};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = broadcast::channel(4);
    ///         let subscriber = tokio::spawn(async move {
    ///             let mut seen = Vec::new();
    ///             loop {
    ///                 match rx.recv().await {
    ///                     Ok(ev) => seen.push(ev),
    ///                     Err(RecvError::Lagged(_)) => continue,
    ///                     Err(RecvError::Closed) => return seen,
    ///                 }
    ///             }
    ///         });
    ///         tx.send(1).unwrap();
    ///         drop(tx); // the subscriber's loop ends
    ///         assert_eq!(subscriber.await.unwrap(), [1]);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn recv(&mut self) -> impl Future<Output = Result<T, RecvError>> + '_ {
        let at = runtime::caller();
        async move {
            match &mut self.imp {
                Imp::Std(r) => r.recv().await,
                Imp::Model(rx) => {
                    RecvFut {
                        b: &rx.b,
                        next: &mut rx.next,
                        parked: &mut rx.parked,
                        end: rx.end,
                        key: key(),
                        at,
                    }
                    .await
                }
            }
        }
    }

    /// Receives the next value if there is one, as tokio's `Receiver::try_recv`.
    ///
    /// # Errors
    ///
    /// `Empty` if it read everything sent, `Lagged(n)` as for [`recv`](Receiver::recv),
    /// `Closed` once every sender is gone and it read everything left.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast::{self, error::TryRecvError};
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    ///     tx.send(1).unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.try_recv(), Ok(1));
    ///     assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// });
    /// ```
    #[track_caller]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let at = runtime::caller();
        match &mut self.imp {
            Imp::Std(r) => r.try_recv(),
            Imp::Model(rx) => {
                let exec = rx.b.exec();
                exec.switch("Receiver::try_recv", at);
                rx.b.used(&exec, Dir::Recv, rx.end, at);
                rx.b.recv(&exec, &mut rx.next, None).map_err(|m| match m {
                    Miss::Empty => TryRecvError::Empty,
                    Miss::Closed => TryRecvError::Closed,
                    Miss::Lagged(n) => TryRecvError::Lagged(n),
                })
            }
        }
    }
}

impl<T: Clone> Receiver<T> {
    /// Receives the next value, blocking the thread until there is one, as tokio's
    /// `Receiver::blocking_recv`: for a plain thread or a `spawn_blocking` task.
    ///
    /// # Errors
    ///
    /// As [`recv`](Receiver::recv).
    ///
    /// # Panics
    ///
    /// Called from a task or inside `block_on`, as tokio's.
    ///
    /// ```
    /// use leakcheck::tokio::sync::broadcast;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     let reader = leakcheck::thread::spawn(move || rx.blocking_recv());
    ///     tx.send(5).unwrap();
    ///     assert_eq!(reader.join().unwrap(), Ok(5));
    /// });
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        let at = runtime::caller();
        let rx = match &mut self.imp {
            Imp::Std(r) => return r.blocking_recv(),
            Imp::Model(rx) => rx,
        };
        let exec = rx.b.exec();
        forbid_in_runtime(&exec);
        let op = "Receiver::blocking_recv";
        let key = key();
        let out = loop {
            if !exec.switch(op, at) {
                break Err(RecvError::Closed);
            }
            match rx.b.recv(&exec, &mut rx.next, Some((key, None))) {
                Ok(v) => break Ok(v),
                Err(Miss::Empty) => {
                    rx.parked.park(&exec, rx.b.id(), Dir::Recv, op, at);
                    exec.block(op, WaitOn::Object(rx.b.id()), at);
                    if exec.closed() {
                        break Err(RecvError::Closed);
                    }
                }
                Err(Miss::Closed) => break Err(RecvError::Closed),
                Err(Miss::Lagged(n)) => break Err(RecvError::Lagged(n)),
            }
        };
        rx.b.forget_recv(key);
        if !exec.closed() {
            rx.b.used(&exec, Dir::Recv, rx.end, at);
            rx.parked.unpark(&exec);
        }
        out
    }
}

/// `recv`: a scheduling point per poll, registered among the channel's waiters while
/// pending.
struct RecvFut<'a, T> {
    b: &'a Bcast<T>,
    next: &'a mut u64,
    parked: &'a mut Parked,
    end: usize,
    key: u64,
    at: Loc,
}

impl<T: Clone> RecvFut<'_, T> {
    fn attempt(&mut self, exec: &Exec, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        let op = "Receiver::recv";
        let out = match self
            .b
            .recv(exec, self.next, Some((self.key, Some(cx.waker()))))
        {
            Ok(v) => Ok(v),
            Err(Miss::Empty) => {
                self.parked.park(exec, self.b.id(), Dir::Recv, op, self.at);
                return Poll::Pending;
            }
            Err(Miss::Closed) => Err(RecvError::Closed),
            Err(Miss::Lagged(n)) => Err(RecvError::Lagged(n)),
        };
        self.b.used(exec, Dir::Recv, self.end, self.at);
        self.parked.unpark(exec);
        Poll::Ready(out)
    }
}

impl<T: Clone> Future for RecvFut<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let exec = this.b.exec();
        if !exec.switch("Receiver::recv", this.at) {
            return Poll::Pending;
        }
        this.attempt(&exec, cx)
    }
}

impl<T> Drop for RecvFut<'_, T> {
    fn drop(&mut self) {
        self.b.forget_recv(self.key);
        self.parked.release(self.b.handle);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast::Sender")
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast::WeakSender")
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast::Receiver")
    }
}
