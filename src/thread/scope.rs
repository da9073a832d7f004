//! Scoped threads, as [`std::thread::scope`].

use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex as StdMutex;

use super::builder::{spawn_model, Builder};
use super::handle::{model_thread, JoinModel, Thread};
use super::Result;
use crate::runtime::thread as model;
use crate::runtime::{self, Imp, JoinState, Loc, Tid};

/// A scope for threads that borrow from the stack, as [`std::thread::Scope`]. Every thread spawned
/// in it is joined before [`scope`] returns.
///
/// ```
/// leakcheck::thread::scope(|s| {
///     let s: &leakcheck::thread::Scope<'_, '_> = s;
///     s.spawn(|| {});
/// });
/// ```
pub struct Scope<'scope, 'env: 'scope> {
    inner: Imp<AtomicUsize, ModelScope>,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

/// A scope inside a check: its execution, and the threads spawned in it. (Outside a check,
/// the address of std's scope, set before the closure runs.)
struct ModelScope {
    serial: u64,
    threads: StdMutex<Vec<Tid>>,
}

/// An owned permission to join a scoped thread, as [`std::thread::ScopedJoinHandle`].
///
/// ```
/// leakcheck::thread::scope(|s| {
///     let h: leakcheck::thread::ScopedJoinHandle<'_, u8> = s.spawn(|| 1);
///     assert_eq!(h.join().unwrap(), 1);
/// });
/// ```
pub struct ScopedJoinHandle<'scope, T> {
    inner: Imp<(std::thread::ScopedJoinHandle<'scope, T>, Thread), JoinModel<T>>,
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
                inner: Imp::Std(AtomicUsize::new(0)),
                _scope: PhantomData,
                _env: PhantomData,
            };
            std::thread::scope(|s| {
                if let Imp::Std(addr) = &ours.inner {
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
                inner: Imp::Model(ModelScope {
                    serial: exec.serial,
                    threads: StdMutex::new(Vec::new()),
                }),
                _scope: PhantomData,
                _env: PhantomData,
            };
            let result = catch_unwind(AssertUnwindSafe(|| f(&ours)));
            let Imp::Model(ModelScope { threads, .. }) = &ours.inner else {
                unreachable!()
            };
            let spawned = std::mem::take(&mut *threads.lock().unwrap_or_else(|e| e.into_inner()));
            if exec.closed() {
                // The threads may borrow from this frame: they unwind before it goes.
                exec.backend.wait_unwound(&spawned);
            }
            let mut unjoined_panic = false;
            for tid in spawned {
                model::wait_finished(&exec, tid, "thread::scope", at);
                if exec.closed() {
                    continue;
                }
                let reg = exec.reg();
                let t = &reg.threads[tid];
                unjoined_panic |= t.panic.is_some() && t.handle != JoinState::Joined;
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
    ///
    /// ```
    /// let data = [1, 2, 3];
    /// let sum = leakcheck::thread::scope(|s| s.spawn(|| data.iter().sum::<i32>()).join().unwrap());
    /// assert_eq!(sum, 6);
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.spawn_at(Builder::new(), f, runtime::caller())
            .expect("failed to spawn thread")
    }

    pub(super) fn spawn_at<F, T>(
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
            Imp::Std(addr) => {
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
                    inner: Imp::Std(handle.thread().clone()),
                };
                Ok(ScopedJoinHandle {
                    inner: Imp::Std((handle, thread)),
                })
            }
            Imp::Model(ModelScope { serial, threads }) => {
                let exec = runtime::current()
                    .filter(|e| e.serial == *serial)
                    .expect("leakcheck: a scope was used outside the execution that made it");
                // SAFETY: `scope` waits for every thread spawned here before it returns, so what
                // `f` borrows for 'scope outlives the thread.
                let (tid, packet) = unsafe { spawn_model(&exec, f, builder.name, at, true) };
                threads.lock().unwrap_or_else(|e| e.into_inner()).push(tid);
                let thread = model_thread(&exec, tid);
                Ok(ScopedJoinHandle {
                    inner: Imp::Model(JoinModel {
                        serial: *serial,
                        tid,
                        packet,
                        thread,
                    }),
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
    ///
    /// ```
    /// leakcheck::thread::scope(|s| assert!(s.spawn(|| panic!("boom")).join().is_err()));
    /// ```
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let at = runtime::caller();
        match self.inner {
            Imp::Std((h, _)) => h.join(),
            Imp::Model(m) => m.join(at),
        }
    }

    /// The handle's thread.
    ///
    /// ```
    /// leakcheck::thread::scope(|s| {
    ///     let h = s.spawn(|| {});
    ///     let _ = h.thread().id();
    /// });
    /// ```
    pub fn thread(&self) -> &Thread {
        match &self.inner {
            Imp::Std((_, t)) | Imp::Model(JoinModel { thread: t, .. }) => t,
        }
    }

    /// Whether the thread has finished running.
    ///
    /// ```
    /// leakcheck::thread::scope(|s| {
    ///     let h = s.spawn(|| {});
    ///     while !h.is_finished() {
    ///         leakcheck::thread::yield_now();
    ///     }
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Imp::Std((h, _)) => h.is_finished(),
            Imp::Model(m) => m.is_finished(),
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
