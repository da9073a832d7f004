//! `tokio::sync::oneshot`: a channel for one value, with tokio's semantics.
//!
//! Inside a check it is a model channel of capacity 1 (`oneshot::channel` in reports): a task
//! awaiting the [`Receiver`] while the [`Sender`] is kept alive and never used is reported as a
//! leaked task awaiting `Receiver::await` on the channel, with the live sender. Outside a check
//! each type is tokio's own.
//!
//! ```
//! use leakcheck::tokio::{self, sync::oneshot};
//!
//! leakcheck::check(|| {
//!     leakcheck::block_on(async {
//!         let (tx, rx) = oneshot::channel();
//!         tokio::spawn(async move {
//!             let _ = tx.send(6 * 7);
//!         });
//!         assert_eq!(rx.await, Ok(42));
//!     });
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdGuard};
use std::task::{Context, Poll, Waker};

use ::tokio::sync::oneshot as tk;

use super::chan::Parked;
use super::futs;
use crate::runtime::channel::{ChannelState, Dir, EndRec, Flavor};
use crate::runtime::task as model;
use crate::runtime::waiter::{self, Waiter};
use crate::runtime::{self, Exec, Handle, Imp, Loc, WaitOn};

/// tokio's error types of `oneshot`, as they are.
pub mod error {
    pub use ::tokio::sync::oneshot::error::{RecvError, TryRecvError};
}

use error::{RecvError, TryRecvError};

/// tokio's `RecvError` (its field is private): the one a real receiver returns when its sender
/// is dropped.
fn recv_error() -> RecvError {
    let (tx, mut rx) = tk::channel::<()>();
    drop(tx);
    match Pin::new(&mut rx).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Err(e)) => e,
        _ => unreachable!("a oneshot receiver whose sender is gone is ready with an error"),
    }
}

struct Inner<T> {
    value: Option<T>,
    sent: bool,
    tx_alive: bool,
    /// The receiver closed (`close`) or dropped.
    rx_closed: bool,
    /// The receiver took the value (or the error).
    terminated: bool,
    rx_waker: Option<Waiter>,
    tx_waker: Option<Waker>,
}

struct One<T> {
    handle: Handle,
    inner: StdMutex<Inner<T>>,
}

impl<T> One<T> {
    fn inner(&self) -> StdGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn exec(&self) -> std::rc::Rc<Exec> {
        self.handle.exec("a tokio oneshot channel")
    }

    fn used(&self, exec: &Exec, send: bool, at: Loc, len: usize) {
        let me = exec.me();
        if let Some(mut reg) = exec.live() {
            let c = reg.channel(self.handle.id);
            c.len = len;
            let e = if send {
                &mut c.senders[0]
            } else {
                &mut c.receivers[0]
            };
            e.last_user = me;
            e.last_at = Some(at);
        }
    }

    /// One attempt to receive: `Pending` registered (through `waker`, or the current thread).
    fn poll_recv(&self, exec: &Exec, waker: Option<&Waker>, at: Loc) -> Poll<Result<T, ()>> {
        let mut inner = self.inner();
        if let Some(v) = inner.value.take() {
            inner.terminated = true;
            inner.rx_waker = None;
            drop(inner);
            self.used(exec, false, at, 0);
            return Poll::Ready(Ok(v));
        }
        if !inner.tx_alive || inner.rx_closed || inner.sent {
            inner.terminated = true;
            inner.rx_waker = None;
            return Poll::Ready(Err(()));
        }
        inner.rx_waker = Some(Waiter::of(exec, waker));
        Poll::Pending
    }
}

/// Makes a oneshot channel, as tokio's `oneshot::channel`.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let at = runtime::caller();
    let Some(exec) = runtime::current() else {
        let (s, r) = tk::channel();
        return (Sender { imp: Imp::Std(s) }, Receiver { imp: Imp::Std(r) });
    };
    let me = exec.me();
    let end = || EndRec {
        created_at: at,
        cloned: false,
        created_by: me,
        last_user: me,
        last_at: None,
        alive: true,
    };
    let mut state = ChannelState::new("oneshot::channel", Some(1), Flavor::Messages);
    state.add_end(Dir::Send, end());
    state.add_end(Dir::Recv, end());
    let handle = exec.new_object(at, state);
    let one = Arc::new(One {
        handle,
        inner: StdMutex::new(Inner {
            value: None,
            sent: false,
            tx_alive: true,
            rx_closed: false,
            terminated: false,
            rx_waker: None,
            tx_waker: None,
        }),
    });
    (
        Sender {
            imp: Imp::Model(Tx1(one.clone())),
        },
        Receiver {
            imp: Imp::Model(Rx {
                one,
                parked: Parked::default(),
                at,
            }),
        },
    )
}

/// Sends the value, as tokio's `oneshot::Sender`. Dropping it unsent makes the receiver's
/// await return `RecvError`.
pub struct Sender<T> {
    imp: Imp<tk::Sender<T>, Tx1<T>>,
}

/// The model sender: the channel (its drop tells the receiver).
struct Tx1<T>(Arc<One<T>>);

struct Rx<T> {
    one: Arc<One<T>>,
    parked: Parked,
    at: Loc,
}

/// Receives the value: await it, as tokio's `oneshot::Receiver`.
pub struct Receiver<T> {
    imp: Imp<tk::Receiver<T>, Rx<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, as tokio's `Sender::send`.
    ///
    /// # Errors
    ///
    /// `Err(value)` if the receiver is closed or dropped.
    #[track_caller]
    pub fn send(self, value: T) -> Result<(), T> {
        let at = runtime::caller();
        match self.imp {
            Imp::Std(s) => s.send(value),
            Imp::Model(tx) => {
                let one = &tx.0;
                let exec = one.exec();
                exec.switch("Sender::send", at);
                let wake = {
                    let mut inner = one.inner();
                    if inner.rx_closed {
                        return Err(value);
                    }
                    inner.value = Some(value);
                    inner.sent = true;
                    inner.rx_waker.take()
                };
                one.used(&exec, true, at, 1);
                waiter::wake_all(&exec, wake);
                Ok(())
            }
        }
    }

    /// Completes when the receiver is closed or dropped, as tokio's `Sender::closed`.
    #[track_caller]
    pub fn closed(&mut self) -> impl Future<Output = ()> + '_ {
        let at = runtime::caller();
        std::future::poll_fn(move |cx| self.poll_closed_at(cx, at))
    }

    /// Whether the receiver is closed or dropped.
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.is_closed(),
            Imp::Model(Tx1(one)) => one.inner().rx_closed,
        }
    }

    /// Polls for the receiver's closing, as tokio's `Sender::poll_closed`.
    #[track_caller]
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_closed_at(cx, runtime::caller())
    }

    fn poll_closed_at(&mut self, cx: &mut Context<'_>, at: Loc) -> Poll<()> {
        match &mut self.imp {
            Imp::Std(s) => s.poll_closed(cx),
            Imp::Model(Tx1(one)) => {
                let exec = one.exec();
                let op = "Sender::closed";
                if !exec.switch(op, at) {
                    return Poll::Pending;
                }
                let mut inner = one.inner();
                if inner.rx_closed {
                    return Poll::Ready(());
                }
                inner.tx_waker = Some(cx.waker().clone());
                drop(inner);
                model::awaits(&exec, op, WaitOn::Object(one.handle.id), at);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Tx1<T> {
    fn drop(&mut self) {
        let one = &self.0;
        let wake = {
            let mut inner = one.inner();
            inner.tx_alive = false;
            inner.tx_waker = None;
            inner.rx_waker.take()
        };
        let Some(exec) = one.handle.live() else {
            return;
        };
        if let Ok(mut reg) = exec.reg.try_borrow_mut() {
            reg.channel(one.handle.id).end_dropped(Dir::Send, 0);
        }
        waiter::wake_all(&exec, wake);
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent, as tokio's `Receiver::try_recv`.
    ///
    /// # Errors
    ///
    /// `Empty` if it was not sent yet, `Closed` if the sender is gone without sending (or the
    /// value was taken already).
    ///
    /// ```
    /// use leakcheck::tokio::sync::oneshot::{self, error::TryRecvError};
    ///
    /// leakcheck::check(|| {
    ///     let (tx, mut rx) = oneshot::channel::<u8>();
    ///     assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    ///     drop(tx);
    ///     assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// });
    /// ```
    #[track_caller]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let at = runtime::caller();
        match &mut self.imp {
            Imp::Std(r) => r.try_recv(),
            Imp::Model(rx) => {
                let exec = rx.one.exec();
                exec.switch("Receiver::try_recv", at);
                match rx.one.poll_recv(&exec, None, at) {
                    Poll::Ready(Ok(v)) => Ok(v),
                    Poll::Ready(Err(())) => Err(TryRecvError::Closed),
                    Poll::Pending => {
                        let mut inner = rx.one.inner();
                        inner.rx_waker = None;
                        inner.terminated = false;
                        Err(TryRecvError::Empty)
                    }
                }
            }
        }
    }

    /// Closes the channel: the sender's `send` fails from now on; a value sent before can
    /// still be received.
    #[track_caller]
    pub fn close(&mut self) {
        let at = runtime::caller();
        match &mut self.imp {
            Imp::Std(r) => r.close(),
            Imp::Model(rx) => {
                let exec = rx.one.exec();
                exec.switch("Receiver::close", at);
                let wake = {
                    let mut inner = rx.one.inner();
                    inner.rx_closed = true;
                    inner.tx_waker.take()
                };
                if let Some(w) = wake {
                    w.wake();
                }
            }
        }
    }

    /// Whether the receiver has returned its value or error (it must not be polled again).
    pub fn is_terminated(&self) -> bool {
        match &self.imp {
            Imp::Std(r) => r.is_terminated(),
            Imp::Model(rx) => rx.one.inner().terminated,
        }
    }

    /// Whether no value is waiting to be received.
    pub fn is_empty(&self) -> bool {
        match &self.imp {
            Imp::Std(r) => r.is_empty(),
            Imp::Model(rx) => rx.one.inner().value.is_none(),
        }
    }

    /// Receives the value, blocking the thread until it is sent, as tokio's `blocking_recv`.
    ///
    /// # Errors
    ///
    /// If the sender is dropped without sending.
    ///
    /// # Panics
    ///
    /// Called from a task or inside `block_on`, as tokio's.
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        let at = runtime::caller();
        let mut rx = match self.imp {
            Imp::Std(r) => return r.blocking_recv(),
            Imp::Model(rx) => rx,
        };
        let exec = rx.one.exec();
        futs::forbid_in_runtime(&exec);
        let op = "Receiver::blocking_recv";
        loop {
            if !exec.switch(op, at) {
                return Err(recv_error());
            }
            match rx.one.poll_recv(&exec, None, at) {
                Poll::Ready(v) => {
                    rx.parked.unpark(&exec);
                    return v.map_err(|()| recv_error());
                }
                Poll::Pending => {
                    rx.parked.park(&exec, rx.one.handle.id, Dir::Recv, op, at);
                    exec.block(op, WaitOn::Object(rx.one.handle.id), at);
                    if exec.closed() {
                        return Err(recv_error());
                    }
                }
            }
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let rx = match &mut self.imp {
            Imp::Std(r) => return Pin::new(r).poll(cx),
            Imp::Model(rx) => rx,
        };
        // The `.await` of the user's code polls it there; a poll from leakcheck's own code (a
        // receiver spawned as a task) names where the channel was made instead.
        let at = Some(runtime::caller())
            .filter(|at| !internal(at))
            .unwrap_or(rx.at);
        let op = "Receiver::await";
        let exec = rx.one.exec();
        if !exec.switch(op, at) {
            return Poll::Pending;
        }
        match rx.one.poll_recv(&exec, Some(cx.waker()), at) {
            Poll::Ready(v) => {
                rx.parked.unpark(&exec);
                Poll::Ready(v.map_err(|()| recv_error()))
            }
            Poll::Pending => {
                rx.parked.park(&exec, rx.one.handle.id, Dir::Recv, op, at);
                Poll::Pending
            }
        }
    }
}

/// Whether `at` is in leakcheck's own sources.
fn internal(at: Loc) -> bool {
    let own = file!();
    let root = &own[..own.len() - "tokio/sync/oneshot.rs".len()];
    at.file().starts_with(root)
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.parked.release(self.one.handle);
        let (value, wake) = {
            let mut inner = self.one.inner();
            inner.rx_closed = true;
            inner.rx_waker = None;
            (inner.value.take(), inner.tx_waker.take())
        };
        if let Some(exec) = self.one.handle.live()
            && let Ok(mut reg) = exec.reg.try_borrow_mut()
        {
            let c = reg.channel(self.one.handle.id);
            c.end_dropped(Dir::Recv, 0);
            c.len = 0;
        }
        if let Some(w) = wake {
            w.wake();
        }
        drop(value);
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
