//! Handles to threads: [`JoinHandle`], [`Thread`], [`ThreadId`], and [`current`].

use std::fmt;
use std::sync::{Arc, Mutex as StdMutex};

use super::Result;
use crate::runtime::thread as model;
use crate::runtime::{self, Exec, Imp, Loc, Tid, BODY};

/// Where a thread leaves its result for whoever joins it.
pub(super) type Packet<T> = Arc<StdMutex<Option<Result<T>>>>;

pub(super) fn new_packet<T>() -> Packet<T> {
    Arc::new(StdMutex::new(None))
}

/// The [`Thread`] of model thread `tid`.
pub(super) fn model_thread(exec: &Exec, tid: Tid) -> Thread {
    // The test body is the check's main thread, named as std names the main thread.
    let name = match exec.reg().threads[tid].name.clone() {
        None if tid == BODY => Some(String::from("main")),
        name => name,
    };
    Thread {
        inner: Imp::Model(ModelThread {
            serial: exec.serial,
            tid,
            name: name.map(Arc::from),
        }),
    }
}

/// An owned permission to join a thread, as [`std::thread::JoinHandle`]. Dropping it detaches
/// the thread; inside a check a detached thread that outlives the test body is a leak.
///
/// ```
/// let h: leakcheck::thread::JoinHandle<u8> = leakcheck::thread::spawn(|| 1);
/// assert_eq!(h.join().unwrap(), 1);
/// ```
pub struct JoinHandle<T> {
    pub(super) inner: Imp<(Option<std::thread::JoinHandle<T>>, Thread), JoinModel<T>>,
}

/// A model thread's side of a join handle (plain or scoped).
pub(super) struct JoinModel<T> {
    pub(super) serial: u64,
    pub(super) tid: Tid,
    pub(super) packet: Packet<T>,
    pub(super) thread: Thread,
}

impl<T> JoinModel<T> {
    /// Waits for the thread and takes its result.
    #[track_caller]
    pub(super) fn join(&self, at: Loc) -> Result<T> {
        let exec = runtime::current()
            .filter(|e| e.serial == self.serial)
            .unwrap_or_else(|| {
                panic!("leakcheck: a thread spawned in one execution was joined outside it")
            });
        model::wait_finished(&exec, self.tid, "JoinHandle::join", at);
        let result = self.packet.lock().unwrap_or_else(|e| e.into_inner()).take();
        let result = result.unwrap_or_else(|| {
            Err(Box::new(
                "leakcheck: the execution stopped before the thread finished",
            ))
        });
        model::joined(&exec, self.tid, result.is_err());
        result
    }

    /// Whether the thread has finished (outside its execution: it has, for all anyone can see).
    pub(super) fn is_finished(&self) -> bool {
        match runtime::current() {
            Some(exec) if exec.serial == self.serial => exec.reg().threads[self.tid].is_finished(),
            _ => true,
        }
    }
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its result, or the payload of its panic.
    ///
    /// # Errors
    /// The thread's panic payload, as std.
    ///
    /// ```
    /// leakcheck::check(|| {
    ///     let h = leakcheck::thread::spawn(|| panic!("boom"));
    ///     assert!(h.join().is_err());
    /// });
    /// ```
    #[track_caller]
    pub fn join(mut self) -> Result<T> {
        let at = runtime::caller();
        match &mut self.inner {
            Imp::Std((handle, _)) => handle.take().expect("joined twice").join(),
            Imp::Model(m) => m.join(at),
        }
    }

    /// The handle's thread.
    ///
    /// ```
    /// let h = leakcheck::thread::Builder::new().name("t".into()).spawn(|| {}).unwrap();
    /// assert_eq!(h.thread().name(), Some("t"));
    /// h.join().unwrap();
    /// ```
    pub fn thread(&self) -> &Thread {
        match &self.inner {
            Imp::Std((_, t)) | Imp::Model(JoinModel { thread: t, .. }) => t,
        }
    }

    /// Whether the thread has finished running.
    ///
    /// ```
    /// leakcheck::check(|| {
    ///     let h = leakcheck::thread::spawn(|| {});
    ///     while !h.is_finished() {
    ///         leakcheck::thread::yield_now();
    ///     }
    ///     h.join().unwrap();
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Imp::Std((h, _)) => h.as_ref().is_none_or(|h| h.is_finished()),
            Imp::Model(m) => m.is_finished(),
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let Imp::Model(m) = &self.inner
            && let Some(exec) = runtime::current().filter(|e| e.serial == m.serial)
        {
            model::handle_dropped(&exec, m.tid);
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("thread", self.thread())
            .finish_non_exhaustive()
    }
}

/// A handle to a thread, as [`std::thread::Thread`].
///
/// ```
/// let me: leakcheck::thread::Thread = leakcheck::thread::current();
/// me.unpark();
/// ```
#[derive(Clone)]
pub struct Thread {
    pub(super) inner: Imp<std::thread::Thread, ModelThread>,
}

/// A model thread, as a [`Thread`] names it.
#[derive(Clone)]
pub(super) struct ModelThread {
    serial: u64,
    tid: Tid,
    name: Option<Arc<str>>,
}

/// A thread's identifier, as [`std::thread::ThreadId`].
///
/// ```
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let other = thread::spawn(|| thread::current().id());
///     let id = other.thread().id();
///     assert_eq!(other.join().unwrap(), id);
///     assert_ne!(id, thread::current().id());
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThreadId(Imp<std::thread::ThreadId, (u64, Tid)>);

impl Thread {
    /// The thread's name, if it has one. The test body's thread is named `main`.
    ///
    /// ```
    /// leakcheck::check(|| assert_eq!(leakcheck::thread::current().name(), Some("main")));
    /// ```
    pub fn name(&self) -> Option<&str> {
        match &self.inner {
            Imp::Std(t) => t.name(),
            Imp::Model(m) => m.name.as_deref(),
        }
    }

    /// The thread's identifier.
    ///
    /// ```
    /// let t = leakcheck::thread::current();
    /// assert_eq!(t.id(), leakcheck::thread::current().id());
    /// ```
    pub fn id(&self) -> ThreadId {
        match &self.inner {
            Imp::Std(t) => ThreadId(Imp::Std(t.id())),
            Imp::Model(m) => ThreadId(Imp::Model((m.serial, m.tid))),
        }
    }

    /// Wakes the thread from `park`, or makes its next `park` return at once.
    ///
    /// ```
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let parked = thread::spawn(|| thread::park());
    ///     parked.thread().unpark();
    ///     parked.join().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn unpark(&self) {
        match &self.inner {
            Imp::Std(t) => t.unpark(),
            Imp::Model(m) => {
                if let Some(exec) = runtime::current().filter(|e| e.serial == m.serial) {
                    model::unpark(&exec, m.tid, runtime::caller());
                }
            }
        }
    }
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

/// The current thread.
///
/// ```
/// leakcheck::check(|| {
///     let h = leakcheck::thread::Builder::new()
///         .name("me".into())
///         .spawn(|| leakcheck::thread::current().name().map(String::from))
///         .unwrap();
///     assert_eq!(h.join().unwrap().as_deref(), Some("me"));
/// });
/// ```
pub fn current() -> Thread {
    match runtime::current() {
        Some(exec) => model_thread(&exec, exec.me()),
        None => Thread {
            inner: Imp::Std(std::thread::current()),
        },
    }
}
