//! `tokio_util::task`: `TaskTracker`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Waker};

use ::tokio_util::either::Either;

use crate::runtime::{self, task, Imp, Loc, Tid, WaitOn};
use crate::tokio::sync::key;
use crate::tokio::task::JoinHandle;

/// What the tasks of a model tracker share.
#[derive(Default)]
struct Shared {
    closed: bool,
    /// Tracked tasks (and futures) not yet done.
    live: usize,
    waiters: Vec<Waker>,
    /// The tasks `spawn` started that have not ended, by their token's key: what `wait`
    /// waits for, in reports.
    tasks: Vec<(u64, Tid)>,
}

/// Counts tracked tasks, and lets the caller wait until the tracker is closed and they are all
/// done, as tokio-util's `TaskTracker`. Unlike a `JoinSet`, it keeps no outputs and aborts
/// nothing when it drops.
///
/// ```
/// use leakcheck::tokio_util::task::TaskTracker;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let tracker = TaskTracker::new();
///         for i in 0..3 {
///             tracker.spawn(async move { i });
///         }
///         tracker.close();
///         tracker.wait().await;
///         assert!(tracker.is_empty());
///     });
/// });
/// ```
#[derive(Clone)]
pub struct TaskTracker {
    imp: Imp<::tokio_util::task::TaskTracker, Arc<StdMutex<Shared>>>,
}

impl Default for TaskTracker {
    fn default() -> Self {
        Self::new()
    }
}

/// Marks one tracked task done when it drops (when the task completes or is cancelled).
struct Token(Arc<StdMutex<Shared>>, u64);

impl Token {
    /// A new token of the tracker `shared`: one more live future.
    fn new(shared: &Arc<StdMutex<Shared>>) -> Token {
        shared.lock().unwrap_or_else(|e| e.into_inner()).live += 1;
        Token(shared.clone(), key())
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
            s.live -= 1;
            let key = self.1;
            s.tasks.retain(|(k, _)| *k != key);
            if s.closed && s.live == 0 {
                std::mem::take(&mut s.waiters)
            } else {
                Vec::new()
            }
        };
        for w in wakers {
            w.wake();
        }
    }
}

impl TaskTracker {
    /// An open, empty tracker.
    pub fn new() -> TaskTracker {
        TaskTracker {
            imp: match runtime::current() {
                None => Imp::Std(::tokio_util::task::TaskTracker::new()),
                Some(_) => Imp::Model(Arc::default()),
            },
        }
    }

    fn shared(&self) -> Option<std::sync::MutexGuard<'_, Shared>> {
        match &self.imp {
            Imp::Std(_) => None,
            Imp::Model(s) => Some(s.lock().unwrap_or_else(|e| e.into_inner())),
        }
    }

    /// Spawns a task and tracks it, as [`spawn`](crate::tokio::spawn).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.imp {
            Imp::Std(t) => crate::tokio::task::spawn_tracked_by_tokio(t, future),
            Imp::Model(shared) => {
                let token = Token::new(shared);
                let key = token.1;
                let handle = crate::tokio::spawn(async move {
                    let _token = token;
                    future.await
                });
                if let Some(tid) = handle.model_tid() {
                    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                    s.tasks.push((key, tid));
                }
                handle
            }
        }
    }

    /// Wraps `future` so that the tracker counts it until it completes or drops.
    pub fn track_future<F: Future>(&self, future: F) -> impl Future<Output = F::Output> + use<F> {
        let token = match &self.imp {
            Imp::Std(t) => return Either::Left(t.track_future(future)),
            Imp::Model(shared) => Token::new(shared),
        };
        Either::Right(async move {
            let _token = token;
            future.await
        })
    }

    /// Closes the tracker: [`wait`](TaskTracker::wait) completes once it is empty.
    pub fn close(&self) -> bool {
        match &self.imp {
            Imp::Std(t) => t.close(),
            Imp::Model(_) => {
                let wakers = {
                    let mut s = self.shared().expect("a model tracker");
                    let was_open = !s.closed;
                    s.closed = true;
                    if s.live == 0 {
                        std::mem::take(&mut s.waiters)
                    } else if was_open {
                        Vec::new()
                    } else {
                        return false;
                    }
                };
                for w in wakers {
                    w.wake();
                }
                true
            }
        }
    }

    /// Opens it again.
    pub fn reopen(&self) -> bool {
        match &self.imp {
            Imp::Std(t) => t.reopen(),
            Imp::Model(_) => {
                std::mem::replace(&mut self.shared().expect("a model tracker").closed, false)
            }
        }
    }

    /// Whether it is closed.
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(t) => t.is_closed(),
            Imp::Model(_) => self.shared().expect("a model tracker").closed,
        }
    }

    /// How many tracked tasks are not done.
    pub fn len(&self) -> usize {
        match &self.imp {
            Imp::Std(t) => t.len(),
            Imp::Model(_) => self.shared().expect("a model tracker").live,
        }
    }

    /// Whether no tracked task is left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until the tracker is closed and every tracked task is done.
    #[track_caller]
    pub fn wait(&self) -> TrackerWait {
        TrackerWait {
            tracker: self.clone(),
            at: runtime::caller(),
            std: match &self.imp {
                Imp::Std(t) => {
                    let t = t.clone();
                    Some(Box::pin(async move { t.wait().await }))
                }
                Imp::Model(_) => None,
            },
        }
    }
}

impl fmt::Debug for TaskTracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskTracker")
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future of [`TaskTracker::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct TrackerWait {
    tracker: TaskTracker,
    at: Loc,
    std: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Future for TrackerWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(std) = &mut self.std {
            return std.as_mut().poll(cx);
        }
        if let Some(exec) = runtime::current()
            && !exec.switch("TaskTracker::wait", self.at)
        {
            return Poll::Pending;
        }
        let (done, first) = {
            let mut s = self.tracker.shared().expect("a model tracker");
            let done = s.closed && s.live == 0;
            if !done && !s.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                s.waiters.push(cx.waker().clone());
            }
            (done, s.tasks.first().map(|(_, tid)| *tid))
        };
        if done {
            return Poll::Ready(());
        }
        if let Some(exec) = runtime::current() {
            // Reports name a tracked task it waits for (the first spawned of those left), so a
            // deadlock's cycle runs through it.
            let on = first.map_or(WaitOn::Wake, WaitOn::Thread);
            task::awaits(&exec, "TaskTracker::wait", on, self.at);
        }
        Poll::Pending
    }
}

impl fmt::Debug for TrackerWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackerWait").finish_non_exhaustive()
    }
}
