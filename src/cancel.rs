//! Cancellation tokens: the Rust shape of Go's `ctx.Done()`.
//!
//! A [`Token`] is cancelled once, by anyone holding a clone. Code that waits checks
//! [`Token::is_cancelled`] between steps, or waits on [`Token::done`] in a
//! [`select!`](crate::channel::select) next to its real work: that receiver never gets a
//! message and is disconnected when the token is cancelled, so its `recv` arm fires.
//!
//! Inside a check, a thread that *uses* a token (calls `is_cancelled` or `done` on it, or on a
//! clone of it) and is still blocked, after the token was cancelled, in an operation that cannot
//! observe it (a condvar wait, a plain `recv`, a `select!` without the token's `done()`) is
//! reported as an `UnresponsiveCancellation`.
//!
//! ```
//! use leakcheck::cancel::Token;
//! use leakcheck::channel::{bounded, select};
//! use leakcheck::thread;
//!
//! leakcheck::check(|| {
//!     let token = Token::new();
//!     let (_items_tx, items_rx) = bounded::<u32>(0);
//!     let getter = {
//!         let token = token.clone();
//!         thread::spawn(move || {
//!             select! {
//!                 recv(items_rx) -> item => item.ok(),
//!                 recv(token.done()) -> _ => None, // fires on cancel
//!             }
//!         })
//!     };
//!     token.cancel();
//!     assert_eq!(getter.join().unwrap(), None);
//! });
//! ```

use std::fmt;
use std::sync::{Arc, Mutex as StdMutex, Weak};

use crate::channel::{self, Receiver, Sender};
use crate::runtime::channel::Flavor;
use crate::runtime::token::{self as model, TokenState};
use crate::runtime::{self, Handle};

/// A cancellation token. Clones share one state: cancelling any cancels all.
#[derive(Clone)]
pub struct Token {
    inner: Arc<Inner>,
}

struct Inner {
    model: Option<Handle>,
    state: StdMutex<State>,
    done: Receiver<()>,
}

struct State {
    /// The sender that keeps `done` open; dropped on cancel.
    done_tx: Option<Sender<()>>,
    children: Vec<Weak<Inner>>,
}

impl Default for Token {
    #[track_caller]
    fn default() -> Self {
        Token::new()
    }
}

impl Token {
    /// A new, uncancelled token.
    #[track_caller]
    pub fn new() -> Token {
        let at = runtime::caller();
        let (done_tx, done) =
            channel::model_channel("cancel::Token", Some(0), Flavor::TokenDone, at)
                .unwrap_or_else(|| channel::bounded(0));
        let model = runtime::current().map(|exec| {
            exec.new_object(
                at,
                TokenState {
                    done: done.model_id(),
                    ..Default::default()
                },
            )
        });
        Token {
            inner: Arc::new(Inner {
                model,
                state: StdMutex::new(State {
                    done_tx: Some(done_tx),
                    children: Vec::new(),
                }),
                done,
            }),
        }
    }

    /// A new token that is cancelled when this one is (and may be cancelled on its own).
    ///
    /// ```
    /// let parent = leakcheck::cancel::Token::new();
    /// let child = parent.child();
    /// parent.cancel();
    /// assert!(child.is_cancelled());
    /// ```
    #[track_caller]
    pub fn child(&self) -> Token {
        let child = Token::new();
        if let (Some(exec), Some(parent), Some(me)) =
            (runtime::current(), self.inner.model, child.inner.model)
            && exec.serial == parent.serial
        {
            model::adopt(&exec, me.id, parent.id);
        }
        let cancelled = {
            let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            let cancelled = state.done_tx.is_none();
            if !cancelled {
                state.children.push(Arc::downgrade(&child.inner));
            }
            cancelled
        };
        if cancelled {
            child.cancel_at(runtime::caller());
        }
        child
    }

    /// Cancels the token, its clones and its children. Cancelling again does nothing.
    #[track_caller]
    pub fn cancel(&self) {
        self.cancel_at(runtime::caller());
    }

    fn cancel_at(&self, at: runtime::Loc) {
        if let Some(exec) = runtime::current() {
            exec.switch("Token::cancel", at);
        }
        let (done_tx, children) = {
            let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            (state.done_tx.take(), std::mem::take(&mut state.children))
        };
        let Some(done_tx) = done_tx else { return };
        if let Some((exec, h)) = self.inner.model.and_then(|h| Some((h.live()?, h))) {
            model::cancelled(&exec, h.id, at);
        }
        // Closing `done` wakes every thread that selects on it.
        drop(done_tx);
        for child in children.iter().filter_map(Weak::upgrade) {
            Token { inner: child }.cancel_at(at);
        }
    }

    /// Whether the token was cancelled.
    #[track_caller]
    pub fn is_cancelled(&self) -> bool {
        self.used("Token::is_cancelled");
        self.inner
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .done_tx
            .is_none()
    }

    /// A receiver that never gets a message and is disconnected when the token is cancelled,
    /// for a `recv(token.done()) -> _ => ...` arm of a `select!`.
    #[track_caller]
    pub fn done(&self) -> Receiver<()> {
        self.used("Token::done");
        self.inner.done.clone_at(runtime::caller())
    }

    #[track_caller]
    fn used(&self, op: &'static str) {
        let (Some(exec), Some(h)) = (runtime::current(), self.inner.model) else {
            return;
        };
        if exec.serial != h.serial {
            return;
        }
        exec.switch(op, runtime::caller());
        model::used(&exec, h.id);
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cancelled = self
            .inner
            .state
            .lock()
            .map(|s| s.done_tx.is_none())
            .unwrap_or(true);
        f.debug_struct("Token")
            .field("cancelled", &cancelled)
            .finish_non_exhaustive()
    }
}
