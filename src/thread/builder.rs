//! Spawning threads: [`spawn`] and [`Builder`], and the wrapper every model thread runs in.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use super::handle::{model_thread, new_packet, JoinHandle, JoinModel, Packet, Thread};
use super::Scope;
use super::ScopedJoinHandle;
use crate::runtime::thread as model;
use crate::runtime::{self, is_teardown, Exec, Imp, Loc, Tid};

/// Starts a model thread running `f`, and returns its id. `f` may borrow from the caller's stack
/// only if the caller joins the thread before those borrows end (as `scope` does).
///
/// # Safety
/// Everything `f` borrows must outlive the thread.
pub(super) unsafe fn spawn_model<'a, F, T>(
    exec: &Rc<Exec>,
    f: F,
    name: Option<String>,
    at: Loc,
    scoped: bool,
) -> (Tid, Packet<T>)
where
    F: FnOnce() -> T + 'a,
    T: 'a,
{
    let packet = new_packet::<T>();
    let their_packet = packet.clone();
    let their_exec = exec.clone();
    let main = move || {
        // The stall watchdog measures the new thread's first stretch from here.
        their_exec.resumed("thread::spawn", at);
        let result = match catch_unwind(AssertUnwindSafe(f)) {
            // The execution stopped: the registry stays as it was.
            Err(payload) if is_teardown(payload.as_ref()) => std::panic::resume_unwind(payload),
            result => result,
        };
        let panic = result
            .as_ref()
            .err()
            .map(|p| runtime::panic::take_panic(p.as_ref()));
        *their_packet.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        drop(their_packet);
        model::finish(&their_exec, panic);
    };
    let main: Box<dyn FnOnce() + 'a> = Box::new(main);
    // SAFETY: the caller promises that what `f` borrows outlives the thread.
    let main: Box<dyn FnOnce() + 'static> = unsafe { std::mem::transmute(main) };
    let tid = model::start(exec, main, name, at, scoped);
    (tid, packet)
}

/// Spawns a thread, as [`std::thread::spawn`]. Inside a check, the spawn location is recorded
/// for reports.
///
/// ```
/// leakcheck::check(|| {
///     let h = leakcheck::thread::spawn(|| "done");
///     assert_eq!(h.join().unwrap(), "done");
/// });
/// ```
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new()
        .spawn_at(f, runtime::caller())
        .expect("failed to spawn thread")
}

/// A thread factory with a name and a stack size, as [`std::thread::Builder`].
///
/// ```
/// leakcheck::check(|| {
///     let h = leakcheck::thread::Builder::new()
///         .name("reader".into())
///         .spawn(|| leakcheck::thread::current().name().map(String::from))
///         .unwrap();
///     assert_eq!(h.join().unwrap().as_deref(), Some("reader"));
/// });
/// ```
#[derive(Debug, Default)]
pub struct Builder {
    pub(super) name: Option<String>,
    pub(super) stack_size: Option<usize>,
}

impl Builder {
    /// A builder with no name and the default stack size.
    ///
    /// ```
    /// let b = leakcheck::thread::Builder::new();
    /// assert_eq!(b.spawn(|| 1).unwrap().join().unwrap(), 1);
    /// ```
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the thread; reports show the name.
    ///
    /// ```
    /// leakcheck::check(|| {
    ///     let h = leakcheck::thread::Builder::new()
    ///         .name("named".into())
    ///         .spawn(|| leakcheck::thread::current().name().map(String::from))
    ///         .unwrap();
    ///     assert_eq!(h.join().unwrap().as_deref(), Some("named"));
    /// });
    /// ```
    pub fn name(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the stack size of an OS thread; inside a check every thread gets the model's stack.
    ///
    /// ```
    /// let b = leakcheck::thread::Builder::new().stack_size(64 * 1024);
    /// b.spawn(|| {}).unwrap().join().unwrap();
    /// ```
    pub fn stack_size(mut self, size: usize) -> Self {
        self.stack_size = Some(size);
        self
    }

    /// Spawns the thread.
    ///
    /// # Errors
    /// As std: when the operating system cannot create a thread (never inside a check).
    ///
    /// ```
    /// leakcheck::check(|| {
    ///     let h = leakcheck::thread::Builder::new().spawn(|| 2 + 2).unwrap();
    ///     assert_eq!(h.join().unwrap(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_at(f, runtime::caller())
    }

    pub(super) fn spawn_at<F, T>(self, f: F, at: Loc) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // SAFETY: `f` and `T` are 'static.
        unsafe { self.spawn_unchecked_at(f, at) }
    }

    /// Spawns a thread whose closure and result need not be `'static`, as
    /// [`std::thread::Builder::spawn_unchecked`].
    ///
    /// # Safety
    /// As std's: everything `f` borrows, and its result, must outlive the thread (join it before
    /// they go).
    ///
    /// # Errors
    /// As std: when the operating system cannot create a thread (never inside a check).
    ///
    /// ```
    /// leakcheck::check(|| {
    ///     let local = String::from("borrowed");
    ///     let b = leakcheck::thread::Builder::new();
    ///     // SAFETY: joined before `local` goes.
    ///     let h = unsafe { b.spawn_unchecked(|| local.len()) }.unwrap();
    ///     assert_eq!(h.join().unwrap(), 8);
    /// });
    /// ```
    #[track_caller]
    pub unsafe fn spawn_unchecked<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        // SAFETY: the caller's promise.
        unsafe { self.spawn_unchecked_at(f, runtime::caller()) }
    }

    /// Spawns the thread, recorded as spawned at `at`.
    ///
    /// # Safety
    /// As [`Builder::spawn_unchecked`].
    unsafe fn spawn_unchecked_at<F, T>(self, f: F, at: Loc) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        match runtime::current() {
            Some(exec) => {
                // SAFETY: the caller promises that what `f` borrows outlives the thread.
                let (tid, packet) = unsafe { spawn_model(&exec, f, self.name, at, false) };
                let thread = model_thread(&exec, tid);
                Ok(JoinHandle {
                    inner: Imp::Model(JoinModel {
                        serial: exec.serial,
                        tid,
                        packet,
                        thread,
                    }),
                })
            }
            None => {
                let mut b = std::thread::Builder::new();
                if let Some(name) = self.name {
                    b = b.name(name);
                }
                if let Some(size) = self.stack_size {
                    b = b.stack_size(size);
                }
                // SAFETY: the caller's promise, which is std's.
                let handle = unsafe { b.spawn_unchecked(f) }?;
                let thread = Thread {
                    inner: Imp::Std(handle.thread().clone()),
                };
                Ok(JoinHandle {
                    inner: Imp::Std((Some(handle), thread)),
                })
            }
        }
    }

    /// Spawns a scoped thread, as [`std::thread::Builder::spawn_scoped`].
    ///
    /// # Errors
    /// As std: when the operating system cannot create a thread (never inside a check).
    ///
    /// ```
    /// let mut n = 0;
    /// leakcheck::thread::scope(|s| {
    ///     leakcheck::thread::Builder::new()
    ///         .spawn_scoped(s, || n += 1)
    ///         .unwrap();
    /// });
    /// assert_eq!(n, 1);
    /// ```
    #[track_caller]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        scope.spawn_at(self, f, runtime::caller())
    }
}
