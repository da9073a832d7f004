//! `tokio::sync::watch`: a channel that holds one value, the latest, with tokio's semantics.
//!
//! Receivers see the value's latest state, not every change: [`Receiver::changed`] completes
//! once the value has changed since the receiver last saw it (at once if it already has), and
//! fails with [`RecvError`] once every [`Sender`] is gone. A new receiver
//! ([`Sender::subscribe`], a clone) starts out having seen the current value.
//!
//! Inside a check the channel is a model (`watch::channel` in reports): a task pending forever
//! on `changed().await` (or `wait_for`) while a sender is kept alive and never sends again is
//! reported as a leaked task awaiting `Receiver::changed` on the channel, with the live
//! senders, and the channel as an `UnclosedChannel`. The value sits behind a reader-writer lock
//! as in tokio (a model `rwlock` made with the channel): a [`Ref`] is a read hold, so one kept
//! across an `.await` while a sender sends is reported too. Outside a check each type is
//! tokio's own.
//!
//! ```
//! use leakcheck::tokio::{self, sync::watch};
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         let (tx, mut rx) = watch::channel("starting");
//!         let observer = tokio::spawn(async move {
//!             // Waits until the state is "idle", however many changes it misses meanwhile.
//!             rx.wait_for(|s| *s == "idle").await.is_ok()
//!         });
//!         tx.send_replace("busy");
//!         tx.send_replace("idle");
//!         assert!(observer.await.unwrap());
//!     });
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::{Arc, RwLockReadGuard as StdReadGuard};
use std::task::{Context, Poll};

use ::tokio::sync::watch as tk;

use super::chan::{key, Parked};
use super::closed::ClosedFut;
use super::watch_chan::{self, ReadHold, Watch};
use crate::runtime::channel::Dir;
use crate::runtime::{self, Imp, Loc};

/// tokio's error types of `watch`, as they are.
pub mod error {
    pub use ::tokio::sync::watch::error::{RecvError, SendError};
}

use error::{RecvError, SendError};

/// tokio's `RecvError` (its field is private): the one a real receiver returns once its
/// sender is gone.
fn recv_error() -> RecvError {
    let (tx, rx) = tk::channel(());
    drop(tx);
    match rx.has_changed() {
        Err(e) => e,
        Ok(_) => unreachable!("a watch receiver whose sender is gone reports it"),
    }
}

/// The model sender: the channel and its number among the channel's senders.
struct Tx<T> {
    w: Arc<Watch<T>>,
    end: usize,
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        self.w.drop_end(Dir::Send, self.end);
    }
}

/// The model receiver: the channel, the version it saw last, its end, and what its pending
/// `changed` registered.
struct Rx<T> {
    w: Arc<Watch<T>>,
    version: u64,
    end: usize,
    parked: Parked,
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.parked.release(self.w.handle);
        self.w.drop_end(Dir::Recv, self.end);
    }
}

/// Makes a watch channel holding `init`, as tokio's `watch::channel`: the receiver starts out
/// having seen `init`.
///
/// ```
/// use leakcheck::tokio::sync::watch;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let (tx, mut rx) = watch::channel(0);
///         assert!(!rx.has_changed().unwrap());
///         tx.send(1).unwrap();
///         rx.changed().await.unwrap();
///         assert_eq!(*rx.borrow_and_update(), 1);
///     });
/// });
/// ```
#[track_caller]
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let at = runtime::caller();
    let Some(exec) = runtime::current() else {
        let (s, r) = tk::channel(init);
        return (Sender { imp: Imp::Std(s) }, Receiver { imp: Imp::Std(r) });
    };
    let w = watch_chan::new(&exec, init, at);
    (
        Sender {
            imp: Imp::Model(Tx {
                w: w.clone(),
                end: 0,
            }),
        },
        Receiver {
            imp: Imp::Model(Rx {
                w,
                version: 0,
                end: 0,
                parked: Parked::default(),
            }),
        },
    )
}

/// The sending half, as tokio's `watch::Sender`: it replaces or modifies the value, and every
/// receiver sees the change. Cloning it makes another sender; the receivers' `changed` fails
/// once the last one is dropped.
pub struct Sender<T> {
    imp: Imp<tk::Sender<T>, Tx<T>>,
}

/// The receiving half, as tokio's `watch::Receiver`: it reads the latest value and waits for
/// changes. Cloning it makes another receiver that has seen what this one has.
pub struct Receiver<T> {
    imp: Imp<tk::Receiver<T>, Rx<T>>,
}

/// A read hold of the value, as tokio's `watch::Ref`: while it lives, senders wait. Keep it
/// short, and never across an `.await`.
pub struct Ref<'a, T> {
    imp: Imp<tk::Ref<'a, T>, ModelRef<'a, T>>,
}

/// The model's read hold: the real guard (released first), then the model lock's hold.
struct ModelRef<'a, T> {
    guard: StdReadGuard<'a, T>,
    _hold: ReadHold,
    has_changed: bool,
}

impl<'a, T> Ref<'a, T> {
    fn model(
        w: &'a Watch<T>,
        op: &'static str,
        at: Loc,
        version: &mut u64,
        update: bool,
        sender: bool,
    ) -> Self {
        let exec = w.exec();
        exec.switch(op, at);
        let (hold, guard) = w.read(&exec, op, at);
        let now = w.version();
        let has_changed = !sender && *version != now;
        if update {
            *version = now;
        }
        Ref {
            imp: Imp::Model(ModelRef {
                guard,
                _hold: hold,
                has_changed,
            }),
        }
    }

    /// Whether the value changed since the receiver last marked it seen, as tokio's
    /// `Ref::has_changed` (always false for a [`Sender::borrow`]).
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = watch::channel(0);
    ///     tx.send(1).unwrap();
    ///     assert!(rx.borrow().has_changed());
    ///     assert!(rx.borrow_and_update().has_changed());
    ///     assert!(!rx.borrow().has_changed());
    /// });
    /// ```
    pub fn has_changed(&self) -> bool {
        match &self.imp {
            Imp::Std(r) => r.has_changed(),
            Imp::Model(r) => r.has_changed,
        }
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.imp {
            Imp::Std(r) => r,
            Imp::Model(r) => &r.guard,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ref")
            .field("value", &**self)
            .field("has_changed", &self.has_changed())
            .finish()
    }
}

impl<T> Sender<T> {
    /// A sender with no receiver, as tokio's `Sender::new`: receivers come from
    /// [`subscribe`](Sender::subscribe); until one does, [`send`](Sender::send) fails (use
    /// [`send_replace`](Sender::send_replace) to change the value anyway).
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let tx = watch::Sender::new(1);
    ///     assert!(tx.send(2).is_err());
    ///     let rx = tx.subscribe();
    ///     tx.send(3).unwrap();
    ///     assert_eq!(*rx.borrow(), 3);
    /// });
    /// ```
    #[track_caller]
    pub fn new(init: T) -> Self {
        channel(init).0
    }

    /// Sends `value` to every receiver, as tokio's `Sender::send`.
    ///
    /// # Errors
    ///
    /// `SendError(value)` if no receiver is left (the value is not stored).
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(0);
    ///     tx.send(1).unwrap();
    ///     drop(rx);
    ///     assert_eq!(tx.send(2).unwrap_err().0, 2);
    ///     assert_eq!(*tx.borrow(), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.send(value),
            Imp::Model(tx) => {
                let exec = tx.w.exec();
                let op = "Sender::send";
                exec.switch(op, at);
                tx.w.used(&exec, Dir::Send, tx.end, at);
                if tx.w.receivers() == 0 {
                    return Err(SendError(value));
                }
                let mut value = Some(value);
                let mut old = None;
                tx.w.modify(&exec, op, at, |v| {
                    old = value.take().map(|new| std::mem::replace(v, new));
                    true
                });
                drop(old);
                Ok(())
            }
        }
    }

    /// Replaces the value, receivers or not, and returns the old one, as tokio's
    /// `Sender::send_replace`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let tx = watch::Sender::new(1);
    ///     assert_eq!(tx.send_replace(2), 1);
    ///     assert_eq!(*tx.borrow(), 2);
    /// });
    /// ```
    #[track_caller]
    pub fn send_replace(&self, value: T) -> T {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.send_replace(value),
            Imp::Model(tx) => {
                let mut value = Some(value);
                let mut old = None;
                tx.modify("Sender::send_replace", at, |v| {
                    old = value.take().map(|new| std::mem::replace(v, new));
                    true
                });
                old.unwrap_or_else(|| unreachable!("the value was swapped"))
            }
        }
    }

    /// Modifies the value in place and notifies every receiver, receivers or not, as tokio's
    /// `Sender::send_modify`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(vec![1]);
    ///     tx.send_modify(|v| v.push(2));
    ///     assert!(rx.has_changed().unwrap());
    ///     assert_eq!(*rx.borrow(), [1, 2]);
    /// });
    /// ```
    #[track_caller]
    pub fn send_modify<F: FnOnce(&mut T)>(&self, modify: F) {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.send_modify(modify),
            Imp::Model(tx) => {
                tx.modify("Sender::send_modify", at, |v| {
                    modify(v);
                    true
                });
            }
        }
    }

    /// Modifies the value in place and notifies the receivers only if `modify` returns true,
    /// as tokio's `Sender::send_if_modified`. Returns what `modify` returned.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(0);
    ///     assert!(!tx.send_if_modified(|v| std::mem::replace(v, 0) != 0));
    ///     assert!(!rx.has_changed().unwrap());
    ///     assert!(tx.send_if_modified(|v| std::mem::replace(v, 5) != 5));
    ///     assert!(rx.has_changed().unwrap());
    /// });
    /// ```
    #[track_caller]
    pub fn send_if_modified<F: FnOnce(&mut T) -> bool>(&self, modify: F) -> bool {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.send_if_modified(modify),
            Imp::Model(tx) => tx.modify("Sender::send_if_modified", at, modify),
        }
    }

    /// Reads the value, as tokio's `Sender::borrow` (its [`Ref::has_changed`] is false).
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = watch::channel("a");
    ///     assert_eq!(*tx.borrow(), "a");
    /// });
    /// ```
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => Ref {
                imp: Imp::Std(s.borrow()),
            },
            Imp::Model(tx) => {
                let mut version = 0;
                Ref::model(&tx.w, "Sender::borrow", at, &mut version, false, true)
            }
        }
    }

    /// A new receiver that has seen the current value, as tokio's `Sender::subscribe`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = watch::channel(0);
    ///     tx.send(1).unwrap();
    ///     let rx2 = tx.subscribe();
    ///     assert!(!rx2.has_changed().unwrap());
    ///     assert_eq!(tx.receiver_count(), 2);
    /// });
    /// ```
    #[track_caller]
    pub fn subscribe(&self) -> Receiver<T> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => Receiver {
                imp: Imp::Std(s.subscribe()),
            },
            Imp::Model(tx) => {
                let exec = tx.w.exec();
                exec.switch("Sender::subscribe", at);
                let end = tx.w.add_end(Dir::Recv, at);
                Receiver {
                    imp: Imp::Model(Rx {
                        w: tx.w.clone(),
                        version: tx.w.version(),
                        end,
                        parked: Parked::default(),
                    }),
                }
            }
        }
    }

    /// How many receivers there are, as tokio's `Sender::receiver_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(0);
    ///     let rx2 = rx.clone();
    ///     assert_eq!(tx.receiver_count(), 2);
    ///     drop((rx, rx2));
    ///     assert_eq!(tx.receiver_count(), 0);
    /// });
    /// ```
    pub fn receiver_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.receiver_count(),
            Imp::Model(tx) => tx.w.receivers(),
        }
    }

    /// How many senders there are, as tokio's `Sender::sender_count`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = watch::channel(0);
    ///     let tx2 = tx.clone();
    ///     assert_eq!(tx2.sender_count(), 2);
    /// });
    /// ```
    pub fn sender_count(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.sender_count(),
            Imp::Model(tx) => tx.w.senders(),
        }
    }

    /// Whether every receiver is gone, as tokio's `Sender::is_closed`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(0);
    ///     assert!(!tx.is_closed());
    ///     drop(rx);
    ///     assert!(tx.is_closed());
    /// });
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Completes once every receiver is gone, as tokio's `Sender::closed`.
    ///
    /// ```
    /// use leakcheck::tokio::{self, sync::watch};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, rx) = watch::channel(0);
    ///         tokio::spawn(async move { drop(rx) });
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
                Imp::Model(tx) => ClosedFut::new(&*tx.w, at).await,
            }
        }
    }

    /// Whether both senders belong to the same channel, as tokio's `Sender::same_channel`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = watch::channel(0);
    ///     let (other, _) = watch::channel(0);
    ///     assert!(tx.same_channel(&tx.clone()));
    ///     assert!(!tx.same_channel(&other));
    /// });
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.w, &b.w),
            _ => false,
        }
    }
}

impl<T> Tx<T> {
    /// A send that modifies the value (its own scheduling point first).
    fn modify(&self, op: &'static str, at: Loc, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let exec = self.w.exec();
        exec.switch(op, at);
        self.w.used(&exec, Dir::Send, self.end, at);
        self.w.modify(&exec, op, at, modify)
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(s) => Imp::Std(s.clone()),
            Imp::Model(tx) => Imp::Model(Tx {
                w: tx.w.clone(),
                end: tx.w.add_end(Dir::Send, runtime::caller()),
            }),
        };
        Sender { imp }
    }
}

impl<T: Default> Default for Sender<T> {
    #[track_caller]
    fn default() -> Self {
        Sender::new(T::default())
    }
}

impl<T> Receiver<T> {
    /// Reads the value without marking it seen, as tokio's `Receiver::borrow`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(1);
    ///     tx.send(2).unwrap();
    ///     assert_eq!(*rx.borrow(), 2);
    ///     assert!(rx.has_changed().unwrap()); // still unseen
    /// });
    /// ```
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(r) => Ref {
                imp: Imp::Std(r.borrow()),
            },
            Imp::Model(rx) => {
                let mut version = rx.version;
                Ref::model(&rx.w, "Receiver::borrow", at, &mut version, false, false)
            }
        }
    }

    /// Reads the value and marks it seen, as tokio's `Receiver::borrow_and_update`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = watch::channel(1);
    ///     tx.send(2).unwrap();
    ///     assert_eq!(*rx.borrow_and_update(), 2);
    ///     assert!(!rx.has_changed().unwrap());
    /// });
    /// ```
    #[track_caller]
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let at = runtime::caller();
        match &mut self.imp {
            Imp::Std(r) => Ref {
                imp: Imp::Std(r.borrow_and_update()),
            },
            Imp::Model(rx) => Ref::model(
                &rx.w,
                "Receiver::borrow_and_update",
                at,
                &mut rx.version,
                true,
                false,
            ),
        }
    }

    /// Whether the value changed since this receiver last saw it, as tokio's
    /// `Receiver::has_changed`.
    ///
    /// # Errors
    ///
    /// `RecvError` once every sender is gone (changed or not).
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(0);
    ///     assert_eq!(rx.has_changed().ok(), Some(false));
    ///     tx.send(1).unwrap();
    ///     assert_eq!(rx.has_changed().ok(), Some(true));
    ///     drop(tx);
    ///     assert!(rx.has_changed().is_err());
    /// });
    /// ```
    #[track_caller]
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(r) => r.has_changed(),
            Imp::Model(rx) => {
                let exec = rx.w.exec();
                exec.switch("Receiver::has_changed", at);
                if rx.w.closed() {
                    return Err(recv_error());
                }
                Ok(rx.w.version() != rx.version)
            }
        }
    }

    /// Marks the value unseen: the next [`changed`](Receiver::changed) completes at once, as
    /// tokio's `Receiver::mark_changed`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (_tx, mut rx) = watch::channel(0);
    ///         rx.mark_changed();
    ///         rx.changed().await.unwrap();
    ///     });
    /// });
    /// ```
    pub fn mark_changed(&mut self) {
        match &mut self.imp {
            Imp::Std(r) => r.mark_changed(),
            Imp::Model(rx) => rx.version = rx.version.wrapping_sub(1),
        }
    }

    /// Marks the current value seen, as tokio's `Receiver::mark_unchanged`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = watch::channel(0);
    ///     tx.send(1).unwrap();
    ///     rx.mark_unchanged();
    ///     assert!(!rx.has_changed().unwrap());
    /// });
    /// ```
    #[track_caller]
    pub fn mark_unchanged(&mut self) {
        let at = runtime::caller();
        match &mut self.imp {
            Imp::Std(r) => r.mark_unchanged(),
            Imp::Model(rx) => {
                let exec = rx.w.exec();
                exec.switch("Receiver::mark_unchanged", at);
                rx.version = rx.w.version();
            }
        }
    }

    /// Whether every sender is gone, as tokio's `Receiver::is_closed`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (tx, rx) = watch::channel(0);
    ///     drop(tx);
    ///     assert!(rx.is_closed());
    /// });
    /// ```
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(r) => r.is_closed(),
            Imp::Model(rx) => rx.w.closed(),
        }
    }

    /// Waits until the value changed since this receiver last saw it, and marks it seen, as
    /// tokio's `Receiver::changed`: completes at once if it already has. Cancel safe.
    ///
    /// # Errors
    ///
    /// `RecvError` once every sender is gone and the value has not changed since it was seen.
    ///
    /// ```
    /// use leakcheck::tokio::{self, sync::watch};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = watch::channel(0);
    ///         tokio::spawn(async move {
    ///             tx.send(1).unwrap();
    ///         });
    ///         rx.changed().await.unwrap();
    ///         assert_eq!(*rx.borrow(), 1);
    ///         assert!(rx.changed().await.is_err()); // the sender is gone
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn changed(&mut self) -> impl Future<Output = Result<(), RecvError>> + '_ {
        let at = runtime::caller();
        async move {
            match &mut self.imp {
                Imp::Std(r) => r.changed().await,
                Imp::Model(rx) => ChangedFut {
                    w: &rx.w,
                    version: &mut rx.version,
                    parked: &mut rx.parked,
                    key: key(),
                    op: "Receiver::changed",
                    at,
                }
                .await
                .map_err(|()| recv_error()),
            }
        }
    }

    /// Waits until the value satisfies `f`, as tokio's `Receiver::wait_for`: `f` sees the
    /// current value first (whether seen or not), then each change; the value is marked seen.
    /// Returns a [`Ref`] to the value that satisfied it.
    ///
    /// # Errors
    ///
    /// `RecvError` once every sender is gone and the last value did not satisfy `f`.
    ///
    /// ```
    /// use leakcheck::tokio::{self, sync::watch};
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let (tx, mut rx) = watch::channel(0);
    ///         tokio::spawn(async move {
    ///             for n in 1..=3 {
    ///                 tx.send(n).unwrap();
    ///             }
    ///         });
    ///         assert_eq!(*rx.wait_for(|n| *n == 3).await.unwrap(), 3);
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn wait_for<'a>(
        &'a mut self,
        mut f: impl FnMut(&T) -> bool + 'a,
    ) -> impl Future<Output = Result<Ref<'a, T>, RecvError>> + 'a {
        let at = runtime::caller();
        async move {
            let rx = match &mut self.imp {
                Imp::Std(r) => {
                    return r.wait_for(f).await.map(|r| Ref { imp: Imp::Std(r) });
                }
                Imp::Model(rx) => rx,
            };
            let op = "Receiver::wait_for";
            let w: &'a Watch<T> = &rx.w;
            let mut closed = false;
            loop {
                {
                    // Scoped, as tokio's: the read hold never lives across the await below.
                    let r = Ref::model(w, op, at, &mut rx.version, true, false);
                    if (!closed || r.has_changed()) && f(&r) {
                        return Ok(r);
                    }
                }
                if closed {
                    return Err(recv_error());
                }
                closed = ChangedFut {
                    w,
                    version: &mut rx.version,
                    parked: &mut rx.parked,
                    key: key(),
                    op,
                    at,
                }
                .await
                .is_err();
            }
        }
    }

    /// Whether both receivers belong to the same channel, as tokio's
    /// `Receiver::same_channel`.
    ///
    /// ```
    /// use leakcheck::tokio::sync::watch;
    ///
    /// leakcheck::check(|| {
    ///     let (_tx, rx) = watch::channel(0);
    ///     assert!(rx.same_channel(&rx.clone()));
    /// });
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        match (&self.imp, &other.imp) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.w, &b.w),
            _ => false,
        }
    }
}

impl<T> Clone for Receiver<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let imp = match &self.imp {
            Imp::Std(r) => Imp::Std(r.clone()),
            Imp::Model(rx) => Imp::Model(Rx {
                w: rx.w.clone(),
                version: rx.version,
                end: rx.w.add_end(Dir::Recv, runtime::caller()),
                parked: Parked::default(),
            }),
        };
        Receiver { imp }
    }
}

/// `changed` (and `wait_for`'s waits): a scheduling point per poll, registered among the
/// channel's waiters while pending.
struct ChangedFut<'a, T> {
    w: &'a Watch<T>,
    version: &'a mut u64,
    parked: &'a mut Parked,
    key: u64,
    op: &'static str,
    at: Loc,
}

impl<T> Future for ChangedFut<'_, T> {
    type Output = Result<(), ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
        let this = &mut *self;
        let exec = this.w.exec();
        if !exec.switch(this.op, this.at) {
            return Poll::Pending;
        }
        match this
            .w
            .poll_changed(&exec, this.version, this.key, Some(cx.waker()))
        {
            Poll::Ready(r) => {
                this.parked.unpark(&exec);
                Poll::Ready(r)
            }
            Poll::Pending => {
                this.parked
                    .park(&exec, this.w.id(), Dir::Recv, this.op, this.at);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for ChangedFut<'_, T> {
    fn drop(&mut self) {
        self.w.forget_changed(self.key);
        self.parked.release(self.w.handle);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
