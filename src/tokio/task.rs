//! `tokio::task`: spawning tasks, their handles, and cooperating with the scheduler.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use leakcheck_schema::Role;

use crate::runtime::{self, is_teardown, task as model, Exec, Imp, Loc, Tid};

mod join_set;
mod local;

pub use join_set::JoinSet;
pub use local::{spawn_local, LocalSet, RunUntil};

/// What a task's `JoinHandle` reads its output from.
type Packet<T> = Arc<Mutex<Option<Result<T, JoinError>>>>;

/// Spawns a task, as [`tokio::spawn`](https://docs.rs/tokio/latest/tokio/fn.spawn.html).
///
/// Inside a check, the task is a model thread that polls `future` while it holds one of its
/// runtime's workers; dropping the returned handle detaches it, and a task that has not
/// completed when the test body returns is a leak. Outside a check, it is `tokio::spawn`.
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let h = tokio::spawn(async { "done" });
///         assert_eq!(h.await.unwrap(), "done");
///     });
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime's context (not in `block_on`, an async test, or a task), as tokio's.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let at = runtime::caller();
    match runtime::current() {
        None => JoinHandle::tokio(::tokio::spawn(future)),
        Some(exec) => spawn_task(&exec, Role::Task, at, move |exec, at| {
            let future = std::pin::pin!(future);
            model::drive(exec, future, at)
        }),
    }
}

/// Runs `f` on the runtime's blocking pool, as tokio's `spawn_blocking`: inside a check, on a
/// model thread of its own (a blocking task), which needs no worker and may block.
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let (tx, rx) = leakcheck::channel::bounded(1);
///         let h = tokio::task::spawn_blocking(move || rx.recv().unwrap());
///         tx.send(5).unwrap();
///         assert_eq!(h.await.unwrap(), 5);
///     });
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime's context, as tokio's.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let at = runtime::caller();
    match runtime::current() {
        None => JoinHandle::tokio(::tokio::task::spawn_blocking(f)),
        Some(exec) => spawn_task(&exec, Role::BlockingTask, at, move |_, _| Some(f())),
    }
}

/// `tracker.spawn(future)` on tokio-util's own tracker, outside a check: tokio's task, behind
/// leakcheck's `JoinHandle`.
pub(crate) fn spawn_tracked_by_tokio<F>(
    tracker: &::tokio_util::task::TaskTracker,
    future: F,
) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    JoinHandle::tokio(tracker.spawn(future))
}

/// Starts a task of the current thread's runtime whose model thread runs `run` (which returns
/// `None` if the task was aborted before it completed).
fn spawn_task<T: Send + 'static>(
    exec: &Rc<Exec>,
    role: Role,
    at: Loc,
    run: impl FnOnce(&Exec, Loc) -> Option<T> + 'static,
) -> JoinHandle<T> {
    let Some(rt) = model::context(exec) else {
        panic!(
            "there is no reactor running, must be called from the context of a Tokio 1.x runtime \
             (inside a check: in an async test, in leakcheck::block_on, or in a task)"
        );
    };
    let op = if role == Role::Task {
        "tokio::spawn"
    } else {
        "task::spawn_blocking"
    };
    start_task(exec, op, at, run, |exec, main| {
        model::spawn(exec, rt, role, main, None, at)
    })
}

/// Starts a task whose model thread (made by `start` from its main function) runs `run`, and
/// returns its handle. `op` names the spawn.
fn start_task<T: 'static>(
    exec: &Rc<Exec>,
    op: &'static str,
    at: Loc,
    run: impl FnOnce(&Exec, Loc) -> Option<T> + 'static,
    start: impl FnOnce(&Exec, Box<dyn FnOnce()>) -> Tid,
) -> JoinHandle<T> {
    let packet: Packet<T> = Arc::new(Mutex::new(None));
    let theirs = packet.clone();
    let their_exec = exec.clone();
    let main = move || {
        let exec = their_exec;
        exec.resumed(op, at);
        let result = catch_unwind(AssertUnwindSafe(|| run(&exec, at)));
        let (out, panic) = match result {
            Err(payload) if is_teardown(payload.as_ref()) => std::panic::resume_unwind(payload),
            Err(payload) => {
                let panic = runtime::panic::take_panic(payload.as_ref());
                (Err(JoinError::panic(payload)), Some(panic))
            }
            Ok(Some(v)) => (Ok(v), None),
            Ok(None) if exec.closed() => return,
            // Aborted: its future was dropped (its destructors ran) before it completed.
            Ok(None) => (Err(JoinError::cancelled()), None),
        };
        *theirs.lock().unwrap_or_else(|e| e.into_inner()) = Some(out);
        drop(theirs);
        model::completed(&exec);
        runtime::thread::finish(&exec, panic);
    };
    let tid = start(exec, Box::new(main));
    JoinHandle {
        imp: Imp::Model(ModelHandle {
            serial: exec.serial,
            tid,
            packet,
            at,
            done: false,
        }),
    }
}

/// Yields to the scheduler, as tokio's `yield_now`: the task is woken at once and returns
/// `Pending`, so its worker may poll another task first (a scheduling decision).
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let h = tokio::spawn(async { tokio::task::yield_now().await; 1 });
///         tokio::task::yield_now().await;
///         assert_eq!(h.await.unwrap(), 1);
///     });
/// });
/// ```
#[track_caller]
pub fn yield_now() -> YieldNow {
    YieldNow {
        at: runtime::caller(),
        yielded: false,
    }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    at: Loc,
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        if let Some(exec) = runtime::current() {
            exec.yield_now("task::yield_now", self.at);
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A task's model thread, as its handle knows it.
struct ModelHandle<T> {
    serial: u64,
    tid: Tid,
    packet: Packet<T>,
    at: Loc,
    /// Its output was taken.
    done: bool,
}

impl<T> ModelHandle<T> {
    /// The execution, which must be the current one.
    fn exec(&self) -> Rc<Exec> {
        match runtime::current() {
            Some(exec) if exec.serial == self.serial => exec,
            _ => panic!(
                "leakcheck: a JoinHandle made inside a check was used outside it, or in another execution"
            ),
        }
    }

    fn live(&self) -> Option<Rc<Exec>> {
        runtime::current().filter(|e| e.serial == self.serial && !e.closed())
    }
}

/// An owned permission to await a task's output, as tokio's `JoinHandle`: a future of
/// `Result<T, JoinError>`. Dropping it detaches the task.
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let h = tokio::spawn(async { 1 + 1 });
///         assert_eq!(h.await.unwrap(), 2);
///     });
/// });
/// ```
#[must_use = "dropping a JoinHandle detaches the task"]
pub struct JoinHandle<T> {
    imp: Imp<::tokio::task::JoinHandle<T>, ModelHandle<T>>,
}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    fn tokio(h: ::tokio::task::JoinHandle<T>) -> Self {
        JoinHandle { imp: Imp::Std(h) }
    }

    /// The model thread of the task, inside a check.
    pub(crate) fn model_tid(&self) -> Option<Tid> {
        match &self.imp {
            Imp::Std(_) => None,
            Imp::Model(m) => Some(m.tid),
        }
    }

    /// Aborts the task: its future is dropped at its next poll (now, if it is suspended), its
    /// destructors run, and awaiting the handle gives a cancelled [`JoinError`]. A blocking
    /// task that has started runs on, as tokio's.
    ///
    /// ```
    /// use leakcheck::tokio;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let h = tokio::spawn(std::future::pending::<()>());
    ///         h.abort();
    ///         assert!(h.await.unwrap_err().is_cancelled());
    ///     });
    /// });
    /// ```
    pub fn abort(&self) {
        match &self.imp {
            Imp::Std(h) => h.abort(),
            Imp::Model(m) => {
                if let Some(exec) = m.live() {
                    model::abort(&exec, m.tid);
                }
            }
        }
    }

    /// Whether the task has completed (or was cancelled), as tokio's.
    ///
    /// ```
    /// use leakcheck::tokio;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let h = tokio::spawn(async {});
    ///         while !h.is_finished() {
    ///             tokio::task::yield_now().await;
    ///         }
    ///     });
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.imp {
            Imp::Std(h) => h.is_finished(),
            Imp::Model(m) => {
                let exec = m.exec();
                exec.switch("JoinHandle::is_finished", m.at);
                m.done || model::completion(&exec, m.tid).is_some()
            }
        }
    }

    /// A handle that can abort the task without awaiting it.
    ///
    /// ```
    /// use leakcheck::tokio;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let h = tokio::spawn(std::future::pending::<()>());
    ///         let abort = h.abort_handle();
    ///         abort.abort();
    ///         assert!(h.await.unwrap_err().is_cancelled());
    ///     });
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            imp: match &self.imp {
                Imp::Std(h) => Imp::Std(h.abort_handle()),
                Imp::Model(m) => Imp::Model((m.serial, m.tid)),
            },
        }
    }

    /// Its task, if it has completed, and when (for `JoinSet`'s completion order).
    pub(super) fn completion(&self) -> Option<u64> {
        match &self.imp {
            Imp::Std(_) => None,
            Imp::Model(m) => m.live().and_then(|exec| model::completion(&exec, m.tid)),
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let m = match &mut self.imp {
            Imp::Std(h) => {
                return Pin::new(h).poll(cx).map_err(|e| JoinError {
                    repr: Repr::Tokio(e),
                })
            }
            Imp::Model(m) => m,
        };
        assert!(!m.done, "`JoinHandle` polled after completion");
        let exec = m.exec();
        // A finished task's result stays there: taking it is no scheduling point (nothing
        // another thread does can change what this poll sees, and the next operation of this
        // one is a scheduling point of its own), as with shuttle's `JoinHandle`. Until the task
        // has finished, whether it has is a race, decided at a scheduling point.
        let finished = exec
            .live()
            .is_some_and(|reg| reg.threads[m.tid].is_finished());
        if finished {
            exec.note("JoinHandle::await", m.at);
        } else if !exec.switch("JoinHandle::await", m.at) {
            return Poll::Pending;
        }
        let out = m.packet.lock().unwrap_or_else(|e| e.into_inner()).take();
        match out {
            Some(out) => {
                m.done = true;
                let me = exec.me();
                exec.reg().learn_from_thread(me, m.tid);
                let panicked = out.as_ref().is_err_and(JoinError::is_panic);
                runtime::thread::joined(&exec, m.tid, panicked);
                Poll::Ready(out)
            }
            None => {
                model::await_task(&exec, m.tid, cx.waker(), "JoinHandle::await", m.at);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let Imp::Model(m) = &self.imp
            && !m.done
            && let Some(exec) = m.live()
        {
            runtime::thread::handle_dropped(&exec, m.tid);
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.imp {
            Imp::Std(h) => f.debug_struct("JoinHandle").field("id", &h.id()).finish(),
            Imp::Model(m) => f.debug_struct("JoinHandle").field("task", &m.tid).finish(),
        }
    }
}

/// A handle that aborts a task, as tokio's `AbortHandle`.
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let h = tokio::spawn(std::future::pending::<()>());
///         let a = h.abort_handle();
///         assert!(!a.is_finished());
///         a.abort();
///         assert!(h.await.unwrap_err().is_cancelled());
///     });
/// });
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    imp: Imp<::tokio::task::AbortHandle, (u64, Tid)>,
}

impl AbortHandle {
    /// Aborts the task, as [`JoinHandle::abort`].
    pub fn abort(&self) {
        match &self.imp {
            Imp::Std(h) => h.abort(),
            Imp::Model((serial, tid)) => {
                if let Some(exec) =
                    runtime::current().filter(|e| e.serial == *serial && !e.closed())
                {
                    model::abort(&exec, *tid);
                }
            }
        }
    }

    /// Whether the task has completed (or was cancelled).
    pub fn is_finished(&self) -> bool {
        match &self.imp {
            Imp::Std(h) => h.is_finished(),
            Imp::Model((serial, tid)) => runtime::current()
                .filter(|e| e.serial == *serial)
                .is_some_and(|exec| model::completion(&exec, *tid).is_some()),
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.imp {
            Imp::Std(h) => h.fmt(f),
            Imp::Model((_, tid)) => f.debug_struct("AbortHandle").field("task", tid).finish(),
        }
    }
}

enum Repr {
    Tokio(::tokio::task::JoinError),
    Cancelled,
    Panic(Mutex<Box<dyn Any + Send + 'static>>),
}

/// Why a task did not give its output, as tokio's `JoinError`: it was cancelled (aborted), or
/// it panicked.
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let h = tokio::spawn(async { panic!("boom") });
///         let err = h.await.unwrap_err();
///         assert!(err.is_panic());
///         assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
///     });
/// });
/// ```
pub struct JoinError {
    repr: Repr,
}

impl JoinError {
    fn cancelled() -> Self {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    fn panic(payload: Box<dyn Any + Send + 'static>) -> Self {
        JoinError {
            repr: Repr::Panic(Mutex::new(payload)),
        }
    }

    /// Whether the task was cancelled (aborted).
    pub fn is_cancelled(&self) -> bool {
        match &self.repr {
            Repr::Tokio(e) => e.is_cancelled(),
            Repr::Cancelled => true,
            Repr::Panic(_) => false,
        }
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        match &self.repr {
            Repr::Tokio(e) => e.is_panic(),
            Repr::Cancelled => false,
            Repr::Panic(_) => true,
        }
    }

    /// The panic's payload.
    ///
    /// # Panics
    ///
    /// If the task did not panic, as tokio's.
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError` reason is not a panic.")
    }

    /// The panic's payload, or the error back if the task did not panic.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Tokio(e) => e.try_into_panic().map_err(|e| JoinError {
                repr: Repr::Tokio(e),
            }),
            Repr::Panic(p) => Ok(p.into_inner().unwrap_or_else(|e| e.into_inner())),
            repr => Err(JoinError { repr }),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Tokio(e) => e.fmt(f),
            Repr::Cancelled => f.write_str("task was cancelled"),
            Repr::Panic(p) => {
                let p = p.lock().unwrap_or_else(|e| e.into_inner());
                match payload_str(p.as_ref()) {
                    Some(msg) => write!(f, "task panicked with message {msg:?}"),
                    None => f.write_str("task panicked"),
                }
            }
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Tokio(e) => e.fmt(f),
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
            Repr::Panic(_) => write!(f, "JoinError::Panic({self})"),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(e: JoinError) -> Self {
        std::io::Error::other(e.to_string())
    }
}

/// A panic payload's message, if it is a string.
fn payload_str(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}
