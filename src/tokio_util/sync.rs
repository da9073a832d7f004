//! `tokio_util::sync`: `CancellationToken` and its `DropGuard`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex, Weak};
use std::task::{Context, Poll, Waker};

use crate::runtime::token::{self as model, TokenState};
use crate::runtime::{self, task, Handle, Imp, Loc, WaitOn};

/// Keys of the futures waiting for a cancellation, unique in the process.
static KEYS: AtomicU64 = AtomicU64::new(1);

/// A token of the model: its object, and the state its clones share.
struct Node {
    model: Handle,
    state: StdMutex<NodeState>,
}

#[derive(Default)]
struct NodeState {
    cancelled: bool,
    children: Vec<Weak<Node>>,
    /// The futures waiting for the cancellation: (key, waker).
    waiters: Vec<(u64, Waker)>,
}

impl Node {
    fn lock(&self) -> std::sync::MutexGuard<'_, NodeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A token that tasks watch to stop, as tokio-util's `CancellationToken`: cancelling it (or an
/// ancestor) wakes every [`cancelled`](CancellationToken::cancelled) future of it and of its
/// children.
///
/// Inside a check, a task that uses a token (`is_cancelled`, `cancelled`) and is still blocked
/// elsewhere after it was cancelled (a lock, a receive, a `Notify`, without `cancelled()` in a
/// `select!`) is an [`UnresponsiveCancellation`](crate::FindingKind::UnresponsiveCancellation).
///
/// ```
/// use leakcheck::tokio;
/// use leakcheck::tokio_util::sync::CancellationToken;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let parent = CancellationToken::new();
///         let child = parent.child_token();
///         let worker = tokio::spawn(async move {
///             child.cancelled().await;
///             "stopped"
///         });
///         parent.cancel();
///         assert_eq!(worker.await.unwrap(), "stopped");
///     });
/// });
/// ```
#[derive(Clone)]
pub struct CancellationToken {
    imp: Imp<::tokio_util::sync::CancellationToken, Arc<Node>>,
}

impl Default for CancellationToken {
    #[track_caller]
    fn default() -> Self {
        Self::new()
    }
}

impl CancellationToken {
    /// A new, uncancelled token.
    #[track_caller]
    pub fn new() -> CancellationToken {
        let at = runtime::caller();
        match runtime::current() {
            None => CancellationToken {
                imp: Imp::Std(::tokio_util::sync::CancellationToken::new()),
            },
            Some(exec) => CancellationToken {
                imp: Imp::Model(Arc::new(Node {
                    model: exec.new_object(at, TokenState::default()),
                    state: StdMutex::default(),
                })),
            },
        }
    }

    /// A new token that is cancelled when this one is (and may be cancelled on its own).
    ///
    /// ```
    /// use leakcheck::tokio_util::sync::CancellationToken;
    ///
    /// let parent = CancellationToken::new();
    /// let child = parent.child_token();
    /// parent.cancel();
    /// assert!(child.is_cancelled());
    /// ```
    #[track_caller]
    pub fn child_token(&self) -> CancellationToken {
        let at = runtime::caller();
        let node = match &self.imp {
            Imp::Std(t) => {
                return CancellationToken {
                    imp: Imp::Std(t.child_token()),
                }
            }
            Imp::Model(node) => node,
        };
        let exec = node.model.exec("a CancellationToken");
        exec.switch("CancellationToken::child_token", at);
        let child = Arc::new(Node {
            model: exec.new_object(at, TokenState::default()),
            state: StdMutex::default(),
        });
        if !exec.closed() {
            model::adopt(&exec, child.model.id, node.model.id);
        }
        let cancelled = {
            let mut state = node.lock();
            state.children.retain(|c| c.strong_count() > 0);
            if !state.cancelled {
                state.children.push(Arc::downgrade(&child));
            }
            state.cancelled
        };
        if cancelled {
            cancel_node(&child, at);
        }
        CancellationToken {
            imp: Imp::Model(child),
        }
    }

    /// Cancels the token, its clones and its children, and wakes whoever awaits
    /// [`cancelled`](CancellationToken::cancelled). Cancelling again does nothing.
    #[track_caller]
    pub fn cancel(&self) {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(t) => t.cancel(),
            Imp::Model(node) => {
                if let Some(exec) = node.model.live() {
                    exec.switch("CancellationToken::cancel", at);
                }
                cancel_node(node, at);
            }
        }
    }

    /// Whether the token (or an ancestor) was cancelled.
    #[track_caller]
    pub fn is_cancelled(&self) -> bool {
        match &self.imp {
            Imp::Std(t) => t.is_cancelled(),
            Imp::Model(node) => {
                used(node, "CancellationToken::is_cancelled", runtime::caller());
                node.lock().cancelled
            }
        }
    }

    /// A future that completes when the token is cancelled.
    #[track_caller]
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        WaitForCancellationFuture {
            inner: Waiting::new(self.clone(), runtime::caller()),
            _token: std::marker::PhantomData,
        }
    }

    /// A future that completes when the token is cancelled, owning a clone of it.
    #[track_caller]
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        WaitForCancellationFutureOwned {
            inner: Waiting::new(self, runtime::caller()),
        }
    }

    /// A guard that cancels the token when it drops (unless disarmed).
    ///
    /// ```
    /// use leakcheck::tokio_util::sync::CancellationToken;
    ///
    /// let token = CancellationToken::new();
    /// drop(token.clone().drop_guard());
    /// assert!(token.is_cancelled());
    /// ```
    pub fn drop_guard(self) -> DropGuard {
        DropGuard { token: Some(self) }
    }

    /// Runs `future` until it completes or the token is cancelled (then `None`).
    ///
    /// ```
    /// use leakcheck::tokio_util::sync::CancellationToken;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let token = CancellationToken::new();
    ///         token.cancel();
    ///         assert_eq!(token.run_until_cancelled(std::future::pending::<()>()).await, None);
    ///     });
    /// });
    /// ```
    pub async fn run_until_cancelled<F: Future>(&self, future: F) -> Option<F::Output> {
        let mut cancelled = std::pin::pin!(self.cancelled());
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            if cancelled.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            future.as_mut().poll(cx).map(Some)
        })
        .await
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cancelled = match &self.imp {
            Imp::Std(t) => t.is_cancelled(),
            Imp::Model(node) => node.lock().cancelled,
        };
        f.debug_struct("CancellationToken")
            .field("is_cancelled", &cancelled)
            .finish()
    }
}

/// The current thread looked at `node` with `op`: it uses the token.
fn used(node: &Node, op: &'static str, at: Loc) {
    if let Some(exec) = node.model.live() {
        exec.switch(op, at);
        model::used(&exec, node.model.id);
    }
}

/// Cancels `node` and its descendants; wakes their waiters.
fn cancel_node(node: &Arc<Node>, at: Loc) {
    let mut pending = vec![node.clone()];
    let mut wakers = Vec::new();
    while let Some(node) = pending.pop() {
        let children = {
            let mut state = node.lock();
            if state.cancelled {
                continue;
            }
            state.cancelled = true;
            wakers.extend(state.waiters.drain(..).map(|(_, w)| w));
            std::mem::take(&mut state.children)
        };
        if let Some(exec) = node.model.live() {
            model::cancelled(&exec, node.model.id, at);
        }
        pending.extend(children.iter().filter_map(Weak::upgrade));
    }
    for waker in wakers {
        waker.wake();
    }
}

/// What both cancellation futures are: the token, where the future was made, and its place
/// among the token's waiters.
struct Waiting {
    token: CancellationToken,
    at: Loc,
    key: u64,
    /// Outside a check: tokio-util's own future.
    std: Option<Pin<Box<::tokio_util::sync::WaitForCancellationFutureOwned>>>,
}

impl Waiting {
    fn new(token: CancellationToken, at: Loc) -> Waiting {
        let std = match &token.imp {
            Imp::Std(t) => Some(Box::pin(t.clone().cancelled_owned())),
            Imp::Model(_) => None,
        };
        Waiting {
            token,
            at,
            key: KEYS.fetch_add(1, Ordering::Relaxed),
            std,
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(std) = &mut self.std {
            return std.as_mut().poll(cx);
        }
        let Imp::Model(node) = &self.token.imp else {
            unreachable!("a model token's future")
        };
        let exec = node.model.exec("a CancellationToken");
        if !exec.switch("CancellationToken::cancelled", self.at) {
            return Poll::Pending;
        }
        model::used(&exec, node.model.id);
        let cancelled = {
            let mut state = node.lock();
            if !state.cancelled {
                match state.waiters.iter_mut().find(|(k, _)| *k == self.key) {
                    Some((_, w)) => {
                        if !w.will_wake(cx.waker()) {
                            *w = cx.waker().clone();
                        }
                    }
                    None => state.waiters.push((self.key, cx.waker().clone())),
                }
            }
            state.cancelled
        };
        model::awaiting(&exec, node.model.id, !cancelled);
        if cancelled {
            return Poll::Ready(());
        }
        task::awaits(
            &exec,
            "CancellationToken::cancelled",
            WaitOn::Object(node.model.id),
            self.at,
        );
        Poll::Pending
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Imp::Model(node) = &self.token.imp {
            let removed = {
                let mut state = node.lock();
                let i = state.waiters.iter().position(|(k, _)| *k == self.key);
                i.map(|i| state.waiters.remove(i))
            };
            if let Some(exec) = node.model.live() {
                model::awaiting(&exec, node.model.id, false);
            }
            drop(removed);
        }
    }
}

/// The future of [`CancellationToken::cancelled`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitForCancellationFuture<'a> {
    inner: Waiting,
    _token: std::marker::PhantomData<&'a CancellationToken>,
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.poll(cx)
    }
}

impl fmt::Debug for WaitForCancellationFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFuture")
            .finish_non_exhaustive()
    }
}

/// The future of [`CancellationToken::cancelled_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitForCancellationFutureOwned {
    inner: Waiting,
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.poll(cx)
    }
}

impl fmt::Debug for WaitForCancellationFutureOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFutureOwned")
            .finish_non_exhaustive()
    }
}

/// Cancels its token when it drops, unless [`disarm`](DropGuard::disarm)ed, as tokio-util's.
///
/// ```
/// use leakcheck::tokio_util::sync::CancellationToken;
///
/// let token = CancellationToken::new();
/// let kept = token.clone().drop_guard().disarm();
/// assert!(!kept.is_cancelled());
/// ```
#[must_use = "the token is cancelled when the guard drops"]
#[derive(Debug)]
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    /// Gives the token back without cancelling it.
    pub fn disarm(mut self) -> CancellationToken {
        self.token
            .take()
            .expect("a DropGuard has its token until it drops")
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            token.cancel();
        }
    }
}
