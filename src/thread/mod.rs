//! Threads, mirroring [`std::thread`].
//!
//! Inside a check, every thread is a task of the deterministic scheduler, and the runtime knows
//! where it was spawned, what it is named, and what it waits for. Outside a check, every function
//! here is std's own, so the same code serves ordinary `#[test]`s.
//!
//! ```
//! use leakcheck::thread;
//!
//! leakcheck::check(|| {
//!     let worker = thread::Builder::new()
//!         .name("worker".into())
//!         .spawn(|| 6 * 7)
//!         .unwrap();
//!     assert_eq!(worker.join().unwrap(), 42);
//! });
//! ```
//!
//! `sleep` does not sleep inside a check: it is a scheduling point at which the thread lets the
//! others run, so timing never decides what a test sees.

use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use crate::backend::loom::is_teardown;
use crate::backend::Stop;
use crate::runtime::{self, Exec, Loc, Status, ThreadRec, Tid, WaitOn};

pub use std::thread::{panicking, AccessError, LocalKey, Result};

type Packet<T> = Arc<StdMutex<Option<Result<T>>>>;

fn new_packet<T>() -> Packet<T> {
    Arc::new(StdMutex::new(None))
}

fn take_result<T>(packet: &Packet<T>) -> Option<Result<T>> {
    packet.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Starts a model thread running `f`, and returns its id. `f` may borrow from the caller's stack
/// only if the caller joins the thread before those borrows end (as `scope` does).
///
/// # Safety
/// Everything `f` borrows must outlive the thread.
unsafe fn spawn_model<'a, F, T>(
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
        let result = match catch_unwind(AssertUnwindSafe(f)) {
            // The execution stopped: the registry stays as it was.
            Err(payload) if is_teardown(payload.as_ref()) => std::panic::resume_unwind(payload),
            result => result,
        };
        let me = their_exec.me();
        let panic = result
            .as_ref()
            .err()
            .map(|p| runtime::take_panic(p.as_ref()));
        *their_packet.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        drop(their_packet);
        let mut reg = their_exec.reg();
        if their_exec.closed() {
            // The execution stopped while this thread unwound a panic (a destructor blocked
            // forever): the registry stays as it was then, with the panic.
            reg.threads[me].panic = panic;
            return;
        }
        let after_body = reg.body_returned;
        let t = &mut reg.threads[me];
        t.panic = panic;
        t.status = Status::Finished;
        t.finished_after_body = after_body;
        for waiter in std::mem::take(&mut t.join_waiters) {
            their_exec.wake(&mut reg, waiter);
        }
        let stuck = !reg.any_runnable();
        drop(reg);
        // The last thread that could run is ending while others wait: unless time passing
        // frees one, nothing will ever run again.
        if stuck && !their_exec.closed() && !their_exec.let_time_pass() {
            their_exec.stop(Stop::Deadlock);
        }
    };
    let main: Box<dyn FnOnce() + 'a> = Box::new(main);
    // SAFETY: the caller promises that what `f` borrows outlives the thread.
    let main: Box<dyn FnOnce() + 'static> = unsafe { std::mem::transmute(main) };
    exec.note("thread::spawn", at);
    let tid = exec.backend.spawn(main, name.clone());
    let mut reg = exec.reg();
    let mut rec = ThreadRec::new(name, Some(at));
    rec.spawn_stack = reg.stack();
    rec.scoped = scoped;
    reg.add_thread(tid, rec);
    let parent = exec.me();
    reg.start_clock(parent, tid);
    (tid, packet)
}

/// Waits in the model until thread `tid` has finished.
fn wait_finished(exec: &Exec, tid: Tid, op: &'static str, at: Loc) {
    exec.switch(op, at);
    loop {
        {
            let me = exec.me();
            let mut reg = exec.reg();
            if reg.threads[tid].is_finished() {
                reg.learn_from_thread(me, tid);
                return;
            }
            reg.threads[tid].join_waiters.push(me);
        }
        exec.block(op, WaitOn::Thread(tid), at);
        if exec.closed() {
            return;
        }
    }
}

fn join_model<T>(exec: &Exec, tid: Tid, packet: &Packet<T>, at: Loc) -> Result<T> {
    wait_finished(exec, tid, "JoinHandle::join", at);
    let result = take_result(packet).unwrap_or_else(|| {
        Err(Box::new(
            "leakcheck: the execution stopped before the thread finished",
        ))
    });
    if !exec.closed() {
        let mut reg = exec.reg();
        let t = &mut reg.threads[tid];
        t.handle = runtime::registry::JoinState::Joined;
        t.panic_observed |= result.is_err();
    }
    result
}

fn model_thread(exec: &Exec, tid: Tid) -> Thread {
    let name = exec.reg().threads[tid].name.clone();
    Thread {
        inner: ThreadInner::Model {
            serial: exec.serial,
            tid,
            name: name.map(Arc::from),
        },
    }
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
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder with no name and the default stack size.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the thread; reports show the name.
    pub fn name(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the stack size of an OS thread; inside a check every thread gets the model's stack.
    pub fn stack_size(mut self, size: usize) -> Self {
        self.stack_size = Some(size);
        self
    }

    /// Spawns the thread.
    ///
    /// # Errors
    /// As std: when the operating system cannot create a thread (never inside a check).
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_at(f, runtime::caller())
    }

    fn spawn_at<F, T>(self, f: F, at: Loc) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        match runtime::current() {
            Some(exec) => {
                // SAFETY: `f` is 'static.
                let (tid, packet) = unsafe { spawn_model(&exec, f, self.name, at, false) };
                let thread = model_thread(&exec, tid);
                Ok(JoinHandle {
                    inner: JoinInner::Model {
                        serial: exec.serial,
                        tid,
                        packet,
                        thread,
                    },
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
                let handle = b.spawn(f)?;
                let thread = Thread {
                    inner: ThreadInner::Std(handle.thread().clone()),
                };
                Ok(JoinHandle {
                    inner: JoinInner::Std(Some(handle), thread),
                })
            }
        }
    }

    /// Spawns a scoped thread, as [`std::thread::Builder::spawn_scoped`].
    ///
    /// # Errors
    /// As std: when the operating system cannot create a thread (never inside a check).
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

/// An owned permission to join a thread, as [`std::thread::JoinHandle`]. Dropping it detaches
/// the thread; inside a check a detached thread that outlives the test body is a leak.
pub struct JoinHandle<T> {
    inner: JoinInner<T>,
}

enum JoinInner<T> {
    Std(Option<std::thread::JoinHandle<T>>, Thread),
    Model {
        serial: u64,
        tid: Tid,
        packet: Packet<T>,
        thread: Thread,
    },
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its result, or the payload of its panic.
    ///
    /// # Errors
    /// The thread's panic payload, as std.
    #[track_caller]
    pub fn join(mut self) -> Result<T> {
        let at = runtime::caller();
        match &mut self.inner {
            JoinInner::Std(handle, _) => handle.take().expect("joined twice").join(),
            JoinInner::Model {
                serial,
                tid,
                packet,
                ..
            } => {
                let exec = runtime::current()
                    .filter(|e| e.serial == *serial)
                    .unwrap_or_else(|| {
                        panic!("leakcheck: a thread spawned in one execution was joined outside it")
                    });
                join_model(&exec, *tid, packet, at)
            }
        }
    }

    /// The handle's thread.
    pub fn thread(&self) -> &Thread {
        match &self.inner {
            JoinInner::Std(_, t) | JoinInner::Model { thread: t, .. } => t,
        }
    }

    /// Whether the thread has finished running.
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            JoinInner::Std(h, _) => h.as_ref().is_none_or(|h| h.is_finished()),
            JoinInner::Model { serial, tid, .. } => match runtime::current() {
                Some(exec) if exec.serial == *serial => exec.reg().threads[*tid].is_finished(),
                _ => true,
            },
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let JoinInner::Model { serial, tid, .. } = &self.inner {
            if let Some(exec) = runtime::current().filter(|e| e.serial == *serial && !e.closed()) {
                if let Ok(mut reg) = exec.reg.try_borrow_mut() {
                    let t = &mut reg.threads[*tid];
                    if t.handle == runtime::registry::JoinState::Held {
                        t.handle = runtime::registry::JoinState::Dropped;
                    }
                }
            }
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
#[derive(Clone)]
pub struct Thread {
    inner: ThreadInner,
}

#[derive(Clone)]
enum ThreadInner {
    Std(std::thread::Thread),
    Model {
        serial: u64,
        tid: Tid,
        name: Option<Arc<str>>,
    },
}

/// A thread's identifier, as [`std::thread::ThreadId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThreadId(IdInner);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum IdInner {
    Std(std::thread::ThreadId),
    Model(u64, Tid),
}

impl Thread {
    /// The thread's name, if it has one. The test body's thread is named `main`.
    pub fn name(&self) -> Option<&str> {
        match &self.inner {
            ThreadInner::Std(t) => t.name(),
            ThreadInner::Model { name, .. } => name.as_deref(),
        }
    }

    /// The thread's identifier.
    pub fn id(&self) -> ThreadId {
        match &self.inner {
            ThreadInner::Std(t) => ThreadId(IdInner::Std(t.id())),
            ThreadInner::Model { serial, tid, .. } => ThreadId(IdInner::Model(*serial, *tid)),
        }
    }

    /// Wakes the thread from `park`, or makes its next `park` return at once.
    #[track_caller]
    pub fn unpark(&self) {
        match &self.inner {
            ThreadInner::Std(t) => t.unpark(),
            ThreadInner::Model { serial, tid, .. } => {
                let Some(exec) = runtime::current().filter(|e| e.serial == *serial) else {
                    return;
                };
                exec.switch("Thread::unpark", runtime::caller());
                if exec.closed() {
                    return;
                }
                let mut reg = exec.reg();
                let t = &mut reg.threads[*tid];
                t.unpark_token = true;
                let parked = matches!(&t.status, Status::Blocked(w) if w.on == WaitOn::Park);
                if parked {
                    exec.wake(&mut reg, *tid);
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
pub fn current() -> Thread {
    match runtime::current() {
        Some(exec) => model_thread(&exec, exec.me()),
        None => Thread {
            inner: ThreadInner::Std(std::thread::current()),
        },
    }
}

/// Lets other threads run. Inside a check, a scheduling point at which the scheduler lowers this
/// thread's priority, so polling loops make progress.
#[track_caller]
pub fn yield_now() {
    match runtime::current() {
        Some(exec) => exec.yield_now("thread::yield_now", runtime::caller()),
        None => std::thread::yield_now(),
    }
}

/// Sleeps, as [`std::thread::sleep`]. Inside a check it does not sleep: it is a scheduling point
/// like [`yield_now`], since model time passes only when the scheduler says so.
#[track_caller]
pub fn sleep(duration: Duration) {
    match runtime::current() {
        Some(exec) => exec.yield_now("thread::sleep", runtime::caller()),
        None => std::thread::sleep(duration),
    }
}

/// Blocks until [`Thread::unpark`] is called, as [`std::thread::park`]. As std permits, it may
/// also return without one: inside a check that is a recorded scheduler choice (with
/// [`Config::spurious_wakeups`](crate::Config::spurious_wakeups) on), so loops that park must
/// re-check their condition. A thread parked forever is reported.
#[track_caller]
pub fn park() {
    let Some(exec) = runtime::current() else {
        return std::thread::park();
    };
    let at = runtime::caller();
    exec.switch("thread::park", at);
    loop {
        {
            let me = exec.me();
            let mut reg = exec.reg();
            let t = &mut reg.threads[me];
            if std::mem::take(&mut t.unpark_token) {
                return;
            }
        }
        if exec.spurious_wakeup() {
            return;
        }
        exec.block("thread::park", WaitOn::Park, at);
        if exec.closed() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scoped threads

/// A scope for threads that borrow from the stack, as [`std::thread::Scope`]. Every thread spawned
/// in it is joined before [`scope`] returns.
pub struct Scope<'scope, 'env: 'scope> {
    inner: ScopeInner,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

enum ScopeInner {
    /// The address of std's scope, set before the closure runs.
    Std(AtomicUsize),
    Model {
        serial: u64,
        threads: StdMutex<Vec<Tid>>,
    },
}

/// An owned permission to join a scoped thread, as [`std::thread::ScopedJoinHandle`].
pub struct ScopedJoinHandle<'scope, T> {
    inner: ScopedInner<'scope, T>,
}

enum ScopedInner<'scope, T> {
    Std(std::thread::ScopedJoinHandle<'scope, T>, Thread),
    Model {
        serial: u64,
        tid: Tid,
        packet: Packet<T>,
        thread: Thread,
    },
}

/// Runs `f` with a scope in which threads may borrow from the caller, and joins them all before
/// returning, as [`std::thread::scope`]. If a thread panicked and was not joined, `scope` panics.
///
/// ```
/// let mut counts = [0, 0];
/// leakcheck::check(move || {
///     let mut counts = counts;
///     leakcheck::thread::scope(|s| {
///         for c in counts.iter_mut() {
///             s.spawn(move || *c += 1);
///         }
///     });
///     assert_eq!(counts, [1, 1]);
/// });
/// # counts[0] += 1;
/// ```
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let at = runtime::caller();
    match runtime::current() {
        None => {
            let ours = Scope {
                inner: ScopeInner::Std(AtomicUsize::new(0)),
                _scope: PhantomData,
                _env: PhantomData,
            };
            std::thread::scope(|s| {
                if let ScopeInner::Std(addr) = &ours.inner {
                    addr.store(
                        s as *const std::thread::Scope<'_, 'env> as usize,
                        Ordering::Release,
                    );
                }
                f(&ours)
            })
        }
        Some(exec) => {
            let ours = Scope {
                inner: ScopeInner::Model {
                    serial: exec.serial,
                    threads: StdMutex::new(Vec::new()),
                },
                _scope: PhantomData,
                _env: PhantomData,
            };
            let result = catch_unwind(AssertUnwindSafe(|| f(&ours)));
            let ScopeInner::Model { threads, .. } = &ours.inner else {
                unreachable!()
            };
            let spawned = std::mem::take(&mut *threads.lock().unwrap_or_else(|e| e.into_inner()));
            if exec.closed() {
                // The threads may borrow from this frame: they unwind before it goes.
                crate::backend::loom::wait_unwound(&spawned);
            }
            let mut unjoined_panic = false;
            for tid in spawned {
                wait_finished(&exec, tid, "thread::scope", at);
                if exec.closed() {
                    continue;
                }
                let reg = exec.reg();
                let t = &reg.threads[tid];
                unjoined_panic |=
                    t.panic.is_some() && t.handle != runtime::registry::JoinState::Joined;
            }
            match result {
                Err(payload) => std::panic::resume_unwind(payload),
                Ok(_) if unjoined_panic => panic!("a scoped thread panicked"),
                Ok(value) => value,
            }
        }
    }
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns a thread that may borrow from outside the scope.
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.spawn_at(Builder::new(), f, runtime::caller())
            .expect("failed to spawn thread")
    }

    fn spawn_at<F, T>(
        &'scope self,
        builder: Builder,
        f: F,
        at: Loc,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        match &self.inner {
            ScopeInner::Std(addr) => {
                let ptr = addr.load(Ordering::Acquire) as *const std::thread::Scope<'scope, 'env>;
                // SAFETY: `scope` stored the address of std's scope before running the closure,
                // and std's scope outlives every use of this one: threads spawned through it are
                // joined before `std::thread::scope` returns.
                let std_scope = unsafe { &*ptr };
                let mut b = std::thread::Builder::new();
                if let Some(name) = builder.name {
                    b = b.name(name);
                }
                if let Some(size) = builder.stack_size {
                    b = b.stack_size(size);
                }
                let handle = b.spawn_scoped(std_scope, f)?;
                let thread = Thread {
                    inner: ThreadInner::Std(handle.thread().clone()),
                };
                Ok(ScopedJoinHandle {
                    inner: ScopedInner::Std(handle, thread),
                })
            }
            ScopeInner::Model { serial, threads } => {
                let exec = runtime::current()
                    .filter(|e| e.serial == *serial)
                    .expect("leakcheck: a scope was used outside the execution that made it");
                // SAFETY: `scope` waits for every thread spawned here before it returns, so what
                // `f` borrows for 'scope outlives the thread.
                let (tid, packet) = unsafe { spawn_model(&exec, f, builder.name, at, true) };
                threads.lock().unwrap_or_else(|e| e.into_inner()).push(tid);
                let thread = model_thread(&exec, tid);
                Ok(ScopedJoinHandle {
                    inner: ScopedInner::Model {
                        serial: *serial,
                        tid,
                        packet,
                        thread,
                    },
                })
            }
        }
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread to finish and returns its result.
    ///
    /// # Errors
    /// The thread's panic payload, as std.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let at = runtime::caller();
        match self.inner {
            ScopedInner::Std(h, _) => h.join(),
            ScopedInner::Model {
                serial,
                tid,
                packet,
                ..
            } => {
                let exec = runtime::current()
                    .filter(|e| e.serial == serial)
                    .expect("leakcheck: a scoped thread was joined outside its execution");
                join_model(&exec, tid, &packet, at)
            }
        }
    }

    /// The handle's thread.
    pub fn thread(&self) -> &Thread {
        match &self.inner {
            ScopedInner::Std(_, t) | ScopedInner::Model { thread: t, .. } => t,
        }
    }

    /// Whether the thread has finished running.
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            ScopedInner::Std(h, _) => h.is_finished(),
            ScopedInner::Model { serial, tid, .. } => match runtime::current() {
                Some(exec) if exec.serial == *serial => exec.reg().threads[*tid].is_finished(),
                _ => true,
            },
        }
    }
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopedJoinHandle")
            .field("thread", self.thread())
            .finish_non_exhaustive()
    }
}
