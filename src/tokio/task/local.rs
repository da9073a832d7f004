//! `tokio::task::LocalSet` and `spawn_local`: tasks that need not be `Send`, polled only on the
//! thread that drives their set.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{start_task, JoinHandle};
use crate::runtime::{self, task as model, Handle, Imp, Loc};

/// A set of tasks that run on the thread that drives it, as tokio's `LocalSet`: its tasks need
/// not be `Send` (they may hold an `Rc`, a `RefCell` borrow, a std `MutexGuard`), and they are
/// polled one at a time, only while something awaits [`run_until`](LocalSet::run_until) (or the
/// set itself), on that task's worker.
///
/// Inside a check the set is a model (reported as a `runtime`, of one worker): a task of the set
/// is a task like any other for the reports (a leak, a lock held across an `.await`, a lost
/// waker), and one that blocks the thread blocks the task that drives the set, as in tokio.
/// Dropping the set drops its tasks' futures. Outside a check it is tokio's own.
///
/// ```
/// use std::rc::Rc;
/// use leakcheck::tokio::task::{self, LocalSet};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let local = LocalSet::new();
///         let shared = Rc::new(5); // not Send: tokio::spawn would not take it
///         let n = local
///             .run_until(async move {
///                 let s = shared.clone();
///                 task::spawn_local(async move { *s + 1 }).await.unwrap()
///             })
///             .await;
///         assert_eq!(n, 6);
///     });
/// });
/// ```
pub struct LocalSet {
    imp: Imp<::tokio::task::LocalSet, Handle>,
    /// Where it was made: where awaiting the set itself is reported.
    at: Loc,
}

impl LocalSet {
    /// A new set, with no tasks.
    #[track_caller]
    pub fn new() -> LocalSet {
        let at = runtime::caller();
        let imp = match runtime::current() {
            None => Imp::Std(::tokio::task::LocalSet::new()),
            Some(exec) => Imp::Model(model::new_local_set(&exec, at)),
        };
        LocalSet { imp, at }
    }

    /// Spawns `future` as a task of this set: it runs when the set is driven. The handle
    /// works as [`tokio::spawn`](crate::tokio::spawn)'s.
    ///
    /// ```
    /// use leakcheck::tokio::task::LocalSet;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let local = LocalSet::new();
    ///         let h = local.spawn_local(async { "ran" });
    ///         local.await; // until every task of the set is done
    ///         assert_eq!(h.await.unwrap(), "ran");
    ///     });
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(set) => JoinHandle::tokio(set.spawn_local(future)),
            Imp::Model(h) => spawn_on(h, future, at),
        }
    }

    /// Runs `future` to completion in this set's context: `spawn_local` inside it spawns onto
    /// the set, and the set's tasks run while it is pending.
    #[track_caller]
    pub fn run_until<F: Future>(&self, future: F) -> RunUntil<'_, F> {
        RunUntil {
            set: self,
            future,
            at: runtime::caller(),
        }
    }
}

/// Spawns `future` onto the modelled set `h`.
fn spawn_on<F>(h: &Handle, future: F, at: Loc) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let exec = h.exec("a LocalSet");
    let set = h.id;
    start_task(
        &exec,
        "task::spawn_local",
        at,
        move |exec, at| {
            let future = std::pin::pin!(future);
            model::drive(exec, future, at)
        },
        |exec, main| model::spawn_local(exec, set, main, at),
    )
}

/// Spawns `future` onto the [`LocalSet`] whose context the current task is in, as tokio's
/// `task::spawn_local`.
///
/// # Panics
///
/// Outside a `LocalSet`'s context (not inside its `run_until`, nor one of its tasks), as
/// tokio's.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use leakcheck::tokio::task::{self, LocalSet};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let log = Rc::new(RefCell::new(Vec::new()));
///         let l = log.clone();
///         LocalSet::new()
///             .run_until(async move {
///                 let a = task::spawn_local(async move { l.borrow_mut().push("a") });
///                 a.await.unwrap();
///             })
///             .await;
///         assert_eq!(*log.borrow(), ["a"]);
///     });
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let at = runtime::caller();
    let Some(exec) = runtime::current() else {
        return JoinHandle::tokio(::tokio::task::spawn_local(future));
    };
    let Some(set) = model::local_context(&exec) else {
        panic!(
            "`spawn_local` called from outside of a `task::LocalSet` or `runtime::LocalRuntime`"
        );
    };
    spawn_on(
        &Handle {
            serial: exec.serial,
            id: set,
        },
        future,
        at,
    )
}

/// The future of [`LocalSet::run_until`].
#[must_use = "futures do nothing unless awaited"]
pub struct RunUntil<'a, F> {
    set: &'a LocalSet,
    future: F,
    at: Loc,
}

impl<F: Future> Future for RunUntil<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        match &this.set.imp {
            Imp::Std(set) => {
                let mut run = std::pin::pin!(set.run_until(future));
                run.as_mut().poll(cx)
            }
            Imp::Model(h) => {
                let exec = h.exec("a LocalSet");
                model::drive_local(&exec, h.id, future, cx, this.at)
            }
        }
    }
}

impl Future for LocalSet {
    type Output = ();

    /// Drives the set until every task of it is done.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let at = self.at;
        match &mut self.imp {
            Imp::Std(set) => Pin::new(set).poll(cx),
            Imp::Model(h) => {
                let exec = h.exec("a LocalSet");
                let done = std::pin::pin!(AllDone { set: *h, at });
                model::drive_local(&exec, h.id, done, cx, at)
            }
        }
    }
}

/// Ready once every task of the set `set` is done; pending, it awaits the first left.
struct AllDone {
    set: Handle,
    at: Loc,
}

impl Future for AllDone {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let exec = self.set.exec("a LocalSet");
        match model::local_tasks(&exec, self.set.id).first() {
            None => Poll::Ready(()),
            Some(&tid) => {
                model::await_task(&exec, tid, cx.waker(), "LocalSet::await", self.at);
                Poll::Pending
            }
        }
    }
}

impl Default for LocalSet {
    #[track_caller]
    fn default() -> Self {
        LocalSet::new()
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        if let Imp::Model(h) = &self.imp
            && let Some(exec) = h.live()
        {
            model::drop_local_set(&exec, h.id);
        }
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet").finish_non_exhaustive()
    }
}

impl<F> fmt::Debug for RunUntil<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntil").finish_non_exhaustive()
    }
}
