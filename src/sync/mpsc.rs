//! Multi-producer single-consumer channels, mirroring [`std::sync::mpsc`], error types included.
//!
//! `channel()` is unbounded; `sync_channel(n)` holds at most `n` messages, and
//! `sync_channel(0)` is a rendezvous. The channel disconnects when every sender or the receiver
//! is gone; messages sent before the senders dropped are still delivered. Inside a check these
//! run on the same model as [`crate::channel`] (so leaked receivers and senders are reported the
//! same way); outside, they are std's own.
//!
//! ```
//! use leakcheck::sync::mpsc;
//! use leakcheck::thread;
//!
//! leakcheck::check(|| {
//!     let (tx, rx) = mpsc::sync_channel(0);
//!     let producer = thread::spawn(move || {
//!         for i in 0..3 {
//!             tx.send(i).unwrap();
//!         }
//!     });
//!     assert_eq!(rx.iter().sum::<i32>(), 3);
//!     producer.join().unwrap();
//! });
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

use crate::channel::core::{self, exec_of, Chan, Deadline, End, Received, Sent};
use crate::runtime::channel::{Dir, Flavor};
use crate::runtime::clock::Limit;
use crate::runtime::{self, Imp, Loc};

/// The sending half of [`channel`], as [`std::sync::mpsc::Sender`].
pub struct Sender<T> {
    inner: Imp<std::sync::mpsc::Sender<T>, End<T>>,
}

/// The sending half of [`sync_channel`], as [`std::sync::mpsc::SyncSender`].
pub struct SyncSender<T> {
    inner: Imp<std::sync::mpsc::SyncSender<T>, End<T>>,
}

/// The receiving half, as [`std::sync::mpsc::Receiver`].
pub struct Receiver<T> {
    inner: Imp<std::sync::mpsc::Receiver<T>, End<T>>,
}

fn model<T>(
    constructor: &'static str,
    capacity: Option<usize>,
    at: Loc,
) -> Option<(Arc<Chan<T>>, Receiver<T>)> {
    let exec = runtime::current()?;
    let chan = core::new_chan(&exec, constructor, capacity, Flavor::Messages, None, at);
    let rx = Receiver {
        inner: Imp::Model(End {
            chan: chan.clone(),
            end: 0,
        }),
    };
    Some((chan, rx))
}

/// An unbounded channel, as [`std::sync::mpsc::channel`].
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    match model("mpsc::channel", None, runtime::caller()) {
        Some((chan, rx)) => (
            Sender {
                inner: Imp::Model(End { chan, end: 0 }),
            },
            rx,
        ),
        None => {
            let (s, r) = std::sync::mpsc::channel();
            (
                Sender { inner: Imp::Std(s) },
                Receiver { inner: Imp::Std(r) },
            )
        }
    }
}

/// A channel holding at most `bound` messages (a rendezvous if 0), as
/// [`std::sync::mpsc::sync_channel`].
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    match model("mpsc::sync_channel", Some(bound), runtime::caller()) {
        Some((chan, rx)) => (
            SyncSender {
                inner: Imp::Model(End { chan, end: 0 }),
            },
            rx,
        ),
        None => {
            let (s, r) = std::sync::mpsc::sync_channel(bound);
            (
                SyncSender { inner: Imp::Std(s) },
                Receiver { inner: Imp::Std(r) },
            )
        }
    }
}

/// A blocking send on the model, as both kinds of sender make it.
fn send_model<T>(
    chan: &Chan<T>,
    end: usize,
    t: T,
    op: &'static str,
    at: Loc,
) -> Result<(), SendError<T>> {
    match core::send_one(chan, end, t, Deadline::Never, op, at) {
        Sent::Delivered => Ok(()),
        Sent::Disconnected(v) | Sent::NotNow(v) => Err(SendError(v)),
    }
}

impl<T> Sender<T> {
    /// Sends a message; never blocks.
    ///
    /// # Errors
    /// The message back, if the receiver is gone.
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        match &self.inner {
            Imp::Std(s) => s.send(t),
            Imp::Model(End { chan, end }) => {
                send_model(chan, *end, t, "mpsc::Sender::send", runtime::caller())
            }
        }
    }
}

impl<T> SyncSender<T> {
    /// Sends a message, waiting while the channel is full (for a rendezvous: until the
    /// receiver takes it).
    ///
    /// # Errors
    /// The message back, if the receiver is gone.
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        match &self.inner {
            Imp::Std(s) => s.send(t),
            Imp::Model(End { chan, end }) => {
                send_model(chan, *end, t, "mpsc::SyncSender::send", runtime::caller())
            }
        }
    }

    /// Sends a message if that needs no waiting.
    ///
    /// # Errors
    /// `Full` or `Disconnected`, with the message.
    #[track_caller]
    pub fn try_send(&self, t: T) -> Result<(), TrySendError<T>> {
        match &self.inner {
            Imp::Std(s) => s.try_send(t),
            Imp::Model(End { chan, end }) => {
                match core::send_one(
                    chan,
                    *end,
                    t,
                    Deadline::Now,
                    "mpsc::SyncSender::try_send",
                    runtime::caller(),
                ) {
                    Sent::Delivered => Ok(()),
                    Sent::Disconnected(v) => Err(TrySendError::Disconnected(v)),
                    Sent::NotNow(v) => Err(TrySendError::Full(v)),
                }
            }
        }
    }
}

impl<T> Receiver<T> {
    /// Receives a message, waiting until there is one.
    ///
    /// # Errors
    /// If the channel is empty and every sender is gone.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        match &self.inner {
            Imp::Std(r) => r.recv(),
            Imp::Model(End { chan, end }) => {
                match core::recv_one(
                    chan,
                    *end,
                    Deadline::Never,
                    "mpsc::Receiver::recv",
                    runtime::caller(),
                ) {
                    Received::Message(v) => Ok(v),
                    Received::Disconnected | Received::NotNow => Err(RecvError),
                }
            }
        }
    }

    /// Receives a message if there is one now.
    ///
    /// # Errors
    /// `Empty`, or `Disconnected` if the channel is empty and every sender is gone.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match &self.inner {
            Imp::Std(r) => r.try_recv(),
            Imp::Model(End { chan, end }) => {
                match core::recv_one(
                    chan,
                    *end,
                    Deadline::Now,
                    "mpsc::Receiver::try_recv",
                    runtime::caller(),
                ) {
                    Received::Message(v) => Ok(v),
                    Received::Disconnected => Err(TryRecvError::Disconnected),
                    Received::NotNow => Err(TryRecvError::Empty),
                }
            }
        }
    }

    /// Receives a message, waiting at most `timeout` (inside a check: until its deadline on the
    /// [modelled clock](crate::time) passes, as the [time model](crate::Time) says).
    ///
    /// # Errors
    /// `Timeout`, or `Disconnected` if the channel is empty and every sender is gone.
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        match &self.inner {
            Imp::Std(r) => r.recv_timeout(timeout),
            Imp::Model(End { chan, end }) => {
                match core::recv_one(
                    chan,
                    *end,
                    Deadline::Timeout(Limit::For(timeout)),
                    "mpsc::Receiver::recv_timeout",
                    runtime::caller(),
                ) {
                    Received::Message(v) => Ok(v),
                    Received::Disconnected => Err(RecvTimeoutError::Disconnected),
                    Received::NotNow => Err(RecvTimeoutError::Timeout),
                }
            }
        }
    }

    /// A blocking iterator over messages, until every sender is gone.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// An iterator over the messages there are now.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }
}

macro_rules! sender_common {
    ($name:ident) => {
        impl<T> Clone for $name<T> {
            #[track_caller]
            fn clone(&self) -> Self {
                let inner = match &self.inner {
                    Imp::Std(s) => Imp::Std(s.clone()),
                    Imp::Model(End { chan, .. }) => {
                        let exec = exec_of(chan);
                        let end = core::clone_end(&exec, chan.id(), Dir::Send, runtime::caller());
                        Imp::Model(End {
                            chan: chan.clone(),
                            end,
                        })
                    }
                };
                $name { inner }
            }
        }

        impl<T> Drop for $name<T> {
            fn drop(&mut self) {
                if let Imp::Model(End { chan, end }) = &self.inner {
                    core::drop_end(chan, *end, Dir::Send);
                }
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(concat!(stringify!($name), " { .. }"))
            }
        }
    };
}

sender_common!(Sender);
sender_common!(SyncSender);

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Imp::Model(End { chan, end }) = &self.inner {
            core::drop_end(chan, *end, Dir::Recv);
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Receiver { .. }")
    }
}

core::receiver_iterators!(Receiver);
