//! Multi-producer multi-consumer channels, mirroring
//! [crossbeam-channel](https://docs.rs/crossbeam-channel): the module for Go-style code.
//!
//! `bounded(0)` is a rendezvous (a Go unbuffered channel), `bounded(n)` a buffered channel,
//! `unbounded()` has no limit. Closing a channel is dropping its last [`Sender`]: receivers then
//! drain what is left and get `Err`. [`select!`](macro@crate::channel::select) waits on several
//! operations at once, in crossbeam's syntax; [`select_biased!`](macro@crate::channel::select_biased)
//! prefers the first ready one; [`Select`] builds the list of operations at run time.
//!
//! Every stable item of crossbeam-channel 0.5 is here with the same signature (the error types
//! are crossbeam's own); `tests/channel_parity.rs` compiles one body against both crates.
//!
//! Inside a check the runtime knows every live `Sender` and `Receiver` of every channel, so a
//! channel left open with a thread blocked on it is reported (`UnclosedChannel`) with where each
//! live sender was made. Every blocking operation, `select!`, `select_biased!` and `Select` are
//! one selection mechanism: which of several ready operations runs is a recorded scheduler
//! choice (the biased forms take the first ready one, as crossbeam does), and a selection that
//! blocks is one wait on all its operations.
//!
//! Time is modelled ([`crate::time`]): timeouts, [`after`], [`at`] and [`tick`] have deadlines
//! on the execution's modelled clock, and fire as the [time model](crate::Time) says (by a
//! recorded choice, or because nothing else can run), never after a real wait; the clock then
//! reads their deadline. Deadlines keep crossbeam's signatures (`std::time::Instant`: [`at`],
//! [`Receiver::recv_deadline`], [`Sender::send_deadline`], [`Select::select_deadline`],
//! [`Select::ready_deadline`]) and are read on the modelled clock, so an exploration replays
//! exactly. Outside a check every type here is crossbeam-channel's own.
//!
//! ```
//! use leakcheck::channel::{bounded, select};
//! use leakcheck::thread;
//!
//! leakcheck::check(|| {
//!     let (work_tx, work_rx) = bounded::<u32>(0);
//!     let (done_tx, done_rx) = bounded::<()>(0);
//!     let worker = thread::spawn(move || loop {
//!         select! {
//!             recv(work_rx) -> job => { if job.is_err() { break } }
//!             recv(done_rx) -> _ => break,
//!         }
//!     });
//!     work_tx.send(1).unwrap();
//!     drop(done_tx); // closing `done` stops the worker
//!     worker.join().unwrap();
//! });
//! ```

pub(crate) mod core;
mod select;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crossbeam_channel::{
    ReadyTimeoutError, RecvError, RecvTimeoutError, SelectTimeoutError, SendError,
    SendTimeoutError, TryReadyError, TryRecvError, TrySelectError, TrySendError,
};

use self::core::{exec_of, Chan, Deadline, End, Received, Sent, Timer, TimerKind};
use crate::runtime::channel::{Dir, Flavor};
use crate::runtime::clock::Limit;
use crate::runtime::{self, Imp, Loc};
pub use crate::select;
pub use crate::select_biased;
#[doc(hidden)]
pub use select::__private;
pub use select::{Select, SelectedOperation};

/// The sending side of a channel, as crossbeam's `Sender`. Cloning it makes another sender;
/// the channel closes when the last one is dropped.
pub struct Sender<T> {
    inner: Imp<crossbeam_channel::Sender<T>, End<T>>,
}

/// The receiving side of a channel, as crossbeam's `Receiver`. Cloning it makes another
/// receiver: each message goes to one of them.
pub struct Receiver<T> {
    inner: Imp<crossbeam_channel::Receiver<T>, End<T>>,
}

// As crossbeam's: a panic while a channel is in use leaves it consistent (the model's state
// is behind its own locks and the execution's registry).
impl<T> std::panic::UnwindSafe for Sender<T> {}
impl<T> std::panic::RefUnwindSafe for Sender<T> {}
impl<T> std::panic::UnwindSafe for Receiver<T> {}
impl<T> std::panic::RefUnwindSafe for Receiver<T> {}

pub(crate) fn pair<T>(chan: Arc<Chan<T>>) -> (Sender<T>, Receiver<T>) {
    (
        Sender {
            inner: Imp::Model(End {
                chan: chan.clone(),
                end: 0,
            }),
        },
        Receiver {
            inner: Imp::Model(End { chan, end: 0 }),
        },
    )
}

pub(crate) fn model_channel<T>(
    constructor: &'static str,
    capacity: Option<usize>,
    flavor: Flavor,
    at: Loc,
) -> Option<(Sender<T>, Receiver<T>)> {
    let exec = runtime::current()?;
    let chan = core::new_chan(&exec, constructor, capacity, flavor, None, at);
    // crossbeam's bounded flavor keeps its messages when the last receiver goes.
    exec.reg().channel(chan.id()).discard_on_disconnect = capacity.is_none();
    Some(pair(chan))
}

/// A channel of capacity `cap`; `bounded(0)` is a rendezvous: each send waits for a receive.
///
/// ```
/// let (tx, rx) = leakcheck::channel::bounded(1);
/// tx.send(7).unwrap();
/// assert_eq!(rx.recv(), Ok(7));
/// ```
#[track_caller]
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    model_channel(
        "channel::bounded",
        Some(cap),
        Flavor::Messages,
        runtime::caller(),
    )
    .unwrap_or_else(|| {
        let (s, r) = crossbeam_channel::bounded(cap);
        (
            Sender { inner: Imp::Std(s) },
            Receiver { inner: Imp::Std(r) },
        )
    })
}

/// A channel without a capacity limit: sends never block.
///
/// ```
/// let (tx, rx) = leakcheck::channel::unbounded();
/// tx.send("hello").unwrap();
/// drop(tx);
/// assert_eq!(rx.iter().collect::<Vec<_>>(), ["hello"]);
/// ```
#[track_caller]
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    model_channel(
        "channel::unbounded",
        None,
        Flavor::Messages,
        runtime::caller(),
    )
    .unwrap_or_else(|| {
        let (s, r) = crossbeam_channel::unbounded();
        (
            Sender { inner: Imp::Std(s) },
            Receiver { inner: Imp::Std(r) },
        )
    })
}

fn timer(
    kind: TimerKind,
    constructor: &'static str,
    first: Limit,
    std: impl FnOnce() -> crossbeam_channel::Receiver<Instant>,
    at: Loc,
) -> Receiver<Instant> {
    match runtime::current() {
        Some(exec) => {
            let timer = Timer {
                kind,
                message: Box::new(|due| due),
                first,
            };
            let chan = core::new_chan(&exec, constructor, Some(1), Flavor::Timer, Some(timer), at);
            Receiver {
                inner: Imp::Model(End { chan, end: 0 }),
            }
        }
        None => Receiver {
            inner: Imp::Std(std()),
        },
    }
}

/// A receiver that gets one message, the instant it was due, when `duration` has passed.
///
/// Inside a check its deadline is the [modelled clock](crate::time) plus `duration`; when that
/// deadline passes is the [time model](crate::Time)'s rule (a recorded choice), so every outcome
/// of a race against a timer is explored, and the clock then reads the deadline.
///
/// ```
/// use leakcheck::channel::{after, select, unbounded};
/// use std::time::Duration;
///
/// leakcheck::check(|| {
///     let (_tx, rx) = unbounded::<u8>();
///     let timed_out = select! {
///         recv(rx) -> _ => false,
///         recv(after(Duration::from_millis(10))) -> _ => true,
///     };
///     assert!(timed_out);
/// });
/// ```
#[track_caller]
pub fn after(duration: Duration) -> Receiver<Instant> {
    timer(
        TimerKind::Once,
        "channel::after",
        Limit::For(duration),
        || crossbeam_channel::after(duration),
        runtime::caller(),
    )
}

/// A receiver that gets one message, the deadline `when`, once `when` has come; crossbeam's
/// `at`, with its signature (a `std::time::Instant`).
///
/// Inside a check `when` is read on the [modelled clock](crate::time) (a `std::time::Instant`
/// made from [`leakcheck::time::Instant`](crate::time::Instant) is exact): the timer is ready at
/// once if `when` has passed there, and otherwise its deadline passes as the
/// [time model](crate::Time) says, never by reading the real clock, so an exploration replays
/// exactly. A deadline taken from std's real clock lies at or after the modelled clock's start.
///
/// ```
/// use leakcheck::channel::{at, select, unbounded};
/// use std::time::{Duration, Instant};
///
/// let deadline = Instant::now() + Duration::from_millis(10);
/// leakcheck::check(move || {
///     let (_tx, rx) = unbounded::<u8>();
///     select! {
///         recv(rx) -> _ => unreachable!("nobody sends"),
///         recv(at(deadline)) -> fired => assert_eq!(fired, Ok(deadline)),
///     }
/// });
/// ```
#[track_caller]
pub fn at(when: Instant) -> Receiver<Instant> {
    timer(
        TimerKind::Once,
        "channel::at",
        Limit::Until(when),
        || crossbeam_channel::at(when),
        runtime::caller(),
    )
}

/// A receiver that gets a message, the instant it was due, every `duration`.
///
/// Inside a check its deadlines are in [modelled time](crate::time): the first a `duration`
/// after it is made, each next one a `duration` after the last (or after the receive, if that
/// came later: missed ticks are not queued, as crossbeam's). When each passes is the
/// [time model](crate::Time)'s rule.
///
/// ```
/// use leakcheck::channel::tick;
/// use leakcheck::time::{Duration, Instant};
///
/// leakcheck::check(|| {
///     let start = Instant::now();
///     let ticks = tick(Duration::from_millis(10));
///     let first = Instant::from(ticks.recv().unwrap());
///     let second = Instant::from(ticks.recv().unwrap());
///     assert_eq!(first - start, Duration::from_millis(10));
///     assert_eq!(second - first, Duration::from_millis(10));
///     assert_eq!(Instant::now(), second);
/// });
/// ```
#[track_caller]
pub fn tick(duration: Duration) -> Receiver<Instant> {
    timer(
        TimerKind::Repeat(duration),
        "channel::tick",
        Limit::For(duration),
        || crossbeam_channel::tick(duration),
        runtime::caller(),
    )
}

/// A receiver that never gets a message and never closes.
#[track_caller]
pub fn never<T>() -> Receiver<T> {
    match runtime::current() {
        Some(exec) => Receiver {
            inner: Imp::Model(End {
                chan: core::new_chan(
                    &exec,
                    "channel::never",
                    Some(0),
                    Flavor::Never,
                    None,
                    runtime::caller(),
                ),
                end: 0,
            }),
        },
        None => Receiver {
            inner: Imp::Std(crossbeam_channel::never()),
        },
    }
}

impl<T> Sender<T> {
    /// Sends a message, waiting while the channel is full (for a rendezvous: until a receiver
    /// takes it).
    ///
    /// # Errors
    /// The message back, if every receiver is gone.
    #[track_caller]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        match &self.inner {
            Imp::Std(s) => s.send(msg),
            Imp::Model(End { chan, end }) => {
                match core::send_one(
                    chan,
                    *end,
                    msg,
                    Deadline::Never,
                    "Sender::send",
                    runtime::caller(),
                ) {
                    Sent::Delivered => Ok(()),
                    Sent::Disconnected(v) | Sent::NotNow(v) => Err(SendError(v)),
                }
            }
        }
    }

    /// Sends a message if that needs no waiting.
    ///
    /// # Errors
    /// `Full` if it would wait, `Disconnected` if every receiver is gone; both hold the message.
    #[track_caller]
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        match &self.inner {
            Imp::Std(s) => s.try_send(msg),
            Imp::Model(End { chan, end }) => {
                match core::send_one(
                    chan,
                    *end,
                    msg,
                    Deadline::Now,
                    "Sender::try_send",
                    runtime::caller(),
                ) {
                    Sent::Delivered => Ok(()),
                    Sent::Disconnected(v) => Err(TrySendError::Disconnected(v)),
                    Sent::NotNow(v) => Err(TrySendError::Full(v)),
                }
            }
        }
    }

    /// Sends a message, waiting at most `timeout` (inside a check: until its deadline on the
    /// [modelled clock](crate::time) passes, as the [time model](crate::Time) says).
    ///
    /// # Errors
    /// `Timeout` or `Disconnected`, with the message.
    #[track_caller]
    pub fn send_timeout(&self, msg: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        match &self.inner {
            Imp::Std(s) => s.send_timeout(msg, timeout),
            Imp::Model(End { chan, end }) => {
                match core::send_one(
                    chan,
                    *end,
                    msg,
                    Deadline::Timeout(Limit::For(timeout)),
                    "Sender::send_timeout",
                    runtime::caller(),
                ) {
                    Sent::Delivered => Ok(()),
                    Sent::Disconnected(v) => Err(SendTimeoutError::Disconnected(v)),
                    Sent::NotNow(v) => Err(SendTimeoutError::Timeout(v)),
                }
            }
        }
    }

    /// Sends a message, waiting at most until `deadline` (crossbeam's `send_deadline`).
    ///
    /// Inside a check the deadline is modelled as [`send_timeout`](Self::send_timeout)'s
    /// timeout: it passes by a recorded choice of the scheduler or when nothing else can run,
    /// never by reading the real clock (see [`at`]).
    ///
    /// ```
    /// use leakcheck::channel::{bounded, SendTimeoutError};
    /// use std::time::{Duration, Instant};
    ///
    /// leakcheck::check(|| {
    ///     let (tx, _rx) = bounded(0);
    ///     // Nobody receives: the deadline passes.
    ///     let deadline = Instant::now() + Duration::from_millis(5);
    ///     assert_eq!(tx.send_deadline(1, deadline), Err(SendTimeoutError::Timeout(1)));
    /// });
    /// ```
    ///
    /// # Errors
    /// `Timeout` or `Disconnected`, with the message.
    #[track_caller]
    pub fn send_deadline(&self, msg: T, deadline: Instant) -> Result<(), SendTimeoutError<T>> {
        match &self.inner {
            Imp::Std(s) => s.send_deadline(msg, deadline),
            Imp::Model(End { chan, end }) => {
                match core::send_one(
                    chan,
                    *end,
                    msg,
                    Deadline::Timeout(Limit::Until(deadline)),
                    "Sender::send_deadline",
                    runtime::caller(),
                ) {
                    Sent::Delivered => Ok(()),
                    Sent::Disconnected(v) => Err(SendTimeoutError::Disconnected(v)),
                    Sent::NotNow(v) => Err(SendTimeoutError::Timeout(v)),
                }
            }
        }
    }

    /// Whether the channel is full (a rendezvous always is).
    ///
    /// ```
    /// let (tx, _rx) = leakcheck::channel::bounded(1);
    /// assert!(!tx.is_full());
    /// tx.send(1).unwrap();
    /// assert!(tx.is_full());
    /// ```
    #[track_caller]
    pub fn is_full(&self) -> bool {
        match &self.inner {
            Imp::Std(s) => s.is_full(),
            Imp::Model(End { chan, .. }) => is_full(chan),
        }
    }

    /// Whether both senders send on the same channel.
    ///
    /// ```
    /// let (tx, _rx) = leakcheck::channel::unbounded::<u8>();
    /// let (other, _) = leakcheck::channel::unbounded::<u8>();
    /// assert!(tx.same_channel(&tx.clone()));
    /// assert!(!tx.same_channel(&other));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        match (&self.inner, &other.inner) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => Arc::ptr_eq(&a.chan, &b.chan),
            _ => false,
        }
    }

    /// The number of messages in the channel.
    pub fn len(&self) -> usize {
        match &self.inner {
            Imp::Std(s) => s.len(),
            Imp::Model(End { chan, .. }) => core::len(chan),
        }
    }

    /// Whether the channel holds no message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The channel's capacity; `None` if unbounded.
    #[track_caller]
    pub fn capacity(&self) -> Option<usize> {
        match &self.inner {
            Imp::Std(s) => s.capacity(),
            Imp::Model(End { chan, .. }) => capacity(chan),
        }
    }
}

#[track_caller]
fn is_full<T>(chan: &Chan<T>) -> bool {
    capacity(chan).is_some_and(|cap| core::len(chan) >= cap)
}

#[track_caller]
fn capacity<T>(chan: &Chan<T>) -> Option<usize> {
    let exec = exec_of(chan);
    let mut reg = exec.reg();
    reg.channel(chan.id()).capacity
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
                    "Receiver::recv",
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
    /// `Empty` if there is none, `Disconnected` if there is none and every sender is gone.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match &self.inner {
            Imp::Std(r) => r.try_recv(),
            Imp::Model(End { chan, end }) => {
                match core::recv_one(
                    chan,
                    *end,
                    Deadline::Now,
                    "Receiver::try_recv",
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
                    "Receiver::recv_timeout",
                    runtime::caller(),
                ) {
                    Received::Message(v) => Ok(v),
                    Received::Disconnected => Err(RecvTimeoutError::Disconnected),
                    Received::NotNow => Err(RecvTimeoutError::Timeout),
                }
            }
        }
    }

    /// Receives a message, waiting at most until `deadline` (crossbeam's `recv_deadline`).
    ///
    /// Inside a check the deadline is modelled as
    /// [`recv_timeout`](Self::recv_timeout)'s timeout: it passes by a recorded choice of the
    /// scheduler or when nothing else can run, never by reading the real clock (see [`at`]).
    ///
    /// ```
    /// use leakcheck::channel::{unbounded, RecvTimeoutError};
    /// use std::time::{Duration, Instant};
    ///
    /// leakcheck::check(|| {
    ///     let (_tx, rx) = unbounded::<u8>();
    ///     let deadline = Instant::now() + Duration::from_millis(5);
    ///     assert_eq!(rx.recv_deadline(deadline), Err(RecvTimeoutError::Timeout));
    /// });
    /// ```
    ///
    /// # Errors
    /// `Timeout`, or `Disconnected` if the channel is empty and every sender is gone.
    #[track_caller]
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        match &self.inner {
            Imp::Std(r) => r.recv_deadline(deadline),
            Imp::Model(End { chan, end }) => {
                match core::recv_one(
                    chan,
                    *end,
                    Deadline::Timeout(Limit::Until(deadline)),
                    "Receiver::recv_deadline",
                    runtime::caller(),
                ) {
                    Received::Message(v) => Ok(v),
                    Received::Disconnected => Err(RecvTimeoutError::Disconnected),
                    Received::NotNow => Err(RecvTimeoutError::Timeout),
                }
            }
        }
    }

    /// Whether the channel is full (a rendezvous always is).
    ///
    /// ```
    /// let (tx, rx) = leakcheck::channel::bounded(1);
    /// tx.send(1).unwrap();
    /// assert!(rx.is_full());
    /// ```
    #[track_caller]
    pub fn is_full(&self) -> bool {
        match &self.inner {
            Imp::Std(r) => r.is_full(),
            Imp::Model(End { chan, .. }) => is_full(chan),
        }
    }

    /// Whether both receivers receive from the same channel (all [`never()`] receivers are one
    /// channel, as in crossbeam).
    ///
    /// ```
    /// let (_tx, rx) = leakcheck::channel::unbounded::<u8>();
    /// assert!(rx.same_channel(&rx.clone()));
    /// assert!(leakcheck::channel::never::<u8>().same_channel(&leakcheck::channel::never()));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        match (&self.inner, &other.inner) {
            (Imp::Std(a), Imp::Std(b)) => a.same_channel(b),
            (Imp::Model(a), Imp::Model(b)) => {
                Arc::ptr_eq(&a.chan, &b.chan) || (a.chan.never && b.chan.never)
            }
            _ => false,
        }
    }

    /// A blocking iterator over messages, until the channel is closed and empty.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// An iterator over the messages there are now.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }

    /// The number of messages in the channel.
    pub fn len(&self) -> usize {
        match &self.inner {
            Imp::Std(r) => r.len(),
            Imp::Model(End { chan, .. }) => core::len(chan),
        }
    }

    /// Whether the channel holds no message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The channel's capacity; `None` if unbounded.
    #[track_caller]
    pub fn capacity(&self) -> Option<usize> {
        match &self.inner {
            Imp::Std(r) => r.capacity(),
            Imp::Model(End { chan, .. }) => capacity(chan),
        }
    }
}

impl<T> Clone for Sender<T> {
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
        Sender { inner }
    }
}

impl<T> Receiver<T> {
    /// The channel's object in the registry, for a model channel.
    pub(crate) fn model_id(&self) -> Option<crate::runtime::ObjId> {
        match &self.inner {
            Imp::Model(End { chan, .. }) => Some(chan.id()),
            Imp::Std(_) => None,
        }
    }

    /// A clone whose end is recorded as made at `at`.
    pub(crate) fn clone_at(&self, at: Loc) -> Self {
        let inner = match &self.inner {
            Imp::Std(r) => Imp::Std(r.clone()),
            Imp::Model(End { chan, .. }) => {
                let exec = exec_of(chan);
                let end = core::clone_end(&exec, chan.id(), Dir::Recv, at);
                Imp::Model(End {
                    chan: chan.clone(),
                    end,
                })
            }
        };
        Receiver { inner }
    }
}

impl<T> Clone for Receiver<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        self.clone_at(runtime::caller())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Imp::Model(End { chan, end }) = &self.inner {
            core::drop_end(chan, *end, Dir::Send);
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Imp::Model(End { chan, end }) = &self.inner {
            core::drop_end(chan, *end, Dir::Recv);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Receiver { .. }")
    }
}

core::receiver_iterators!(Receiver);

// As crossbeam's: once the channel is closed and empty, it stays so.
impl<T> std::iter::FusedIterator for Iter<'_, T> {}
impl<T> std::iter::FusedIterator for IntoIter<T> {}
