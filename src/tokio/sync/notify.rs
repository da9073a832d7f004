//! `tokio::sync::Notify`, with tokio's semantics: see [`Notify`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::chan::key;
use crate::runtime::notify::{Notification, NotifyState, NotifyWaiter};
use crate::runtime::task as model;
use crate::runtime::{self, Handle, Imp, Loc, WaitOn};

/// Notifies tasks, as tokio's `Notify`: a task awaits [`notified`](Notify::notified);
/// [`notify_one`](Notify::notify_one) wakes the first registered waiter, or stores one permit
/// if none is registered (the next `notified().await` completes at once);
/// [`notify_waiters`](Notify::notify_waiters) wakes every waiter registered and every
/// [`Notified`] made before the call, and stores nothing.
///
/// Inside a check it is a model (`notify#1` in reports): a task pending forever on
/// `notified().await` is reported as a leaked task awaiting `Notified::await` on it, with the
/// line of its `notified()`. The classic mistake (a `Notified` made after the `notify_waiters`
/// it needed) shows up that way. Outside a check it is tokio's own.
///
/// ```
/// use std::sync::Arc;
/// use leakcheck::tokio::{self, sync::Notify};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let notify = Arc::new(Notify::new());
///         let n = notify.clone();
///         let waiter = tokio::spawn(async move { n.notified().await });
///         notify.notify_one(); // stores a permit if the waiter is not registered yet
///         waiter.await.unwrap();
///     });
/// });
/// ```
pub struct Notify {
    imp: Imp<::tokio::sync::Notify>,
}

impl Default for Notify {
    #[track_caller]
    fn default() -> Self {
        Notify::new_at(runtime::caller())
    }
}

impl Notify {
    /// A new `Notify`, with no permit.
    #[track_caller]
    pub fn new() -> Notify {
        Notify::new_at(runtime::caller())
    }

    fn new_at(at: Loc) -> Notify {
        let imp = match runtime::current() {
            None => Imp::Std(::tokio::sync::Notify::new()),
            Some(exec) => Imp::Model(exec.new_object(at, NotifyState::default())),
        };
        Notify { imp }
    }

    /// A future that completes when this `Notify` is notified. It registers as a waiter when
    /// first polled (or [`enable`](Notified::enable)d), but a `notify_waiters` call made
    /// after this one wakes it even if it is not registered yet.
    #[track_caller]
    pub fn notified(&self) -> Notified<'_> {
        let at = runtime::caller();
        let imp = match &self.imp {
            Imp::Std(n) => Imp::Std(Box::pin(n.notified())),
            Imp::Model(h) => {
                let exec = h.exec("a Notify");
                exec.switch("Notify::notified", at);
                let (calls, since) = {
                    let mut reg = exec.reg();
                    let st = reg.notify(h.id);
                    (st.calls, st.history.len())
                };
                Imp::Model(Waiting {
                    handle: *h,
                    key: key(),
                    calls,
                    since,
                    state: State::Init,
                    at,
                })
            }
        };
        Notified { imp }
    }

    /// Wakes the first registered waiter, or stores a permit if none is (at most one).
    ///
    /// ```
    /// use leakcheck::tokio::sync::Notify;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let notify = Notify::new();
    ///         notify.notify_one();
    ///         notify.notify_one(); // still one permit
    ///         notify.notified().await; // takes it
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn notify_one(&self) {
        self.notify(false, "Notify::notify_one", runtime::caller());
    }

    /// Wakes the last registered waiter, or stores a permit if none is.
    #[track_caller]
    pub fn notify_last(&self) {
        self.notify(true, "Notify::notify_last", runtime::caller());
    }

    fn notify(&self, last: bool, op: &'static str, at: Loc) {
        match &self.imp {
            Imp::Std(n) if last => n.notify_last(),
            Imp::Std(n) => n.notify_one(),
            Imp::Model(h) => {
                let exec = h.exec("a Notify");
                exec.switch(op, at);
                let me = exec.me();
                let waker = exec
                    .live()
                    .and_then(|mut r| r.notify(h.id).notify_one(last, me, at));
                if let Some(w) = waker {
                    w.wake();
                }
            }
        }
    }

    /// Wakes every registered waiter and every [`Notified`] made before this call; stores no
    /// permit: a `Notified` made after it waits for the next notification.
    ///
    /// ```
    /// use leakcheck::tokio::sync::Notify;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let notify = Notify::new();
    ///         let before = notify.notified(); // made before the call: woken by it
    ///         notify.notify_waiters();
    ///         before.await;
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn notify_waiters(&self) {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(n) => n.notify_waiters(),
            Imp::Model(h) => {
                let exec = h.exec("a Notify");
                exec.switch("Notify::notify_waiters", at);
                let me = exec.me();
                let wakers = exec
                    .live()
                    .map(|mut r| r.notify(h.id).notify_waiters(me, at))
                    .unwrap_or_default();
                for w in wakers {
                    w.wake();
                }
            }
        }
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify").finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Init,
    Waiting,
    Done,
}

struct Waiting {
    handle: Handle,
    key: u64,
    /// `notify_waiters` calls when it was made.
    calls: u64,
    /// Notifies recorded when it was made.
    since: usize,
    state: State,
    at: Loc,
}

/// The future [`Notify::notified`] returns, as tokio's `Notified`.
pub struct Notified<'a> {
    imp: Imp<Pin<Box<::tokio::sync::futures::Notified<'a>>>, Waiting>,
}

impl Waiting {
    /// Tries to complete (registering with `waker` if it cannot): whether it is notified.
    fn attempt(&mut self, waker: Option<&Waker>, poll: bool) -> bool {
        let exec = self.handle.exec("a Notify");
        let op = "Notified::await";
        if poll && !exec.switch(op, self.at) {
            return false;
        }
        let me = exec.me();
        let Some(mut reg) = exec.live() else {
            return false;
        };
        let st = reg.notify(self.handle.id);
        let done = match self.state {
            State::Done => return true,
            // A `notify_waiters` since it was made wakes it, leaving the permit for others.
            State::Init if st.calls != self.calls => true,
            State::Init if st.permit => {
                st.take_permit(me);
                true
            }
            State::Init => {
                st.waiters.push_back(NotifyWaiter {
                    key: self.key,
                    tid: me,
                    waker: waker.cloned(),
                    since: self.since,
                });
                self.state = State::Waiting;
                false
            }
            State::Waiting => {
                // A notified waiter completes here, polled or enabled (tokio's `enable` is a
                // poll without a waker): dropped afterwards, it passes nothing on.
                if st.take_notification(self.key).is_some() {
                    true
                } else {
                    if let Some(w) = st.waiters.iter_mut().find(|w| w.key == self.key)
                        && !w
                            .waker
                            .as_ref()
                            .zip(waker)
                            .is_some_and(|(a, b)| a.will_wake(b))
                    {
                        w.waker = waker.cloned();
                    }
                    false
                }
            }
        };
        if done {
            st.completed(me);
        }
        drop(reg);
        if done {
            self.state = State::Done;
        } else if poll {
            model::awaits(&exec, op, WaitOn::Object(self.handle.id), self.at);
        }
        done
    }
}

impl Notified<'_> {
    /// Registers it as a waiter without waiting, as tokio's `Notified::enable`: a
    /// `notify_one` from now on can pick it. Returns whether it is notified already.
    pub fn enable(self: Pin<&mut Self>) -> bool {
        match &mut self.get_mut().imp {
            Imp::Std(n) => n.as_mut().enable(),
            Imp::Model(w) => w.attempt(None, false),
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.get_mut().imp {
            Imp::Std(n) => n.as_mut().poll(cx),
            Imp::Model(w) => {
                if w.attempt(Some(cx.waker()), true) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.state != State::Waiting {
            return;
        }
        let Some(exec) = self.handle.live() else {
            return;
        };
        let waker = {
            let Ok(mut reg) = exec.reg.try_borrow_mut() else {
                return;
            };
            let st = reg.notify(self.handle.id);
            st.waiters.retain(|w| w.key != self.key);
            // A notification from `notify_one` that this waiter will never take goes on.
            match st.take_notification(self.key) {
                Some(Notification::One(rec)) => st.pass_on(false, rec),
                _ => None,
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").finish_non_exhaustive()
    }
}
