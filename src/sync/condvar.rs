use std::fmt;
use std::sync::{LockResult, PoisonError};
use std::time::Duration;

use super::mutex::{Mutex, MutexGuard};
use crate::runtime::clock::Limit;
use crate::runtime::condvar::{self as model, CondvarState};
use crate::runtime::slot::Slot;
use crate::runtime::{self, Exec, Handle, Imp, Loc};

/// A condition variable, as [`std::sync::Condvar`].
///
/// Inside a check, the runtime records every wait and every notify, so a thread left blocked in
/// `wait` is reported as a `MissedSignal` with its cause: the notify came while nobody waited
/// (*lost*), a `notify_one` woke a thread that went back to waiting (*misdirected*), or no notify
/// came at all (*never signalled*). As std permits, `wait` may return without a notify (with
/// [`Config::spurious_wakeups`](crate::Config::spurious_wakeups) on, the default), and which
/// waiter `notify_one` wakes is a scheduler choice: both are explored. Outside a check it is
/// std's condvar.
///
/// ```
/// use leakcheck::sync::{Arc, Condvar, Mutex};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let pair = Arc::new((Mutex::new(false), Condvar::new()));
///     let pair2 = Arc::clone(&pair);
///     let h = thread::spawn(move || {
///         let (ready, cv) = &*pair2;
///         *ready.lock().unwrap() = true;
///         cv.notify_one();
///     });
///     let (ready, cv) = &*pair;
///     let guard = cv.wait_while(ready.lock().unwrap(), |ready| !*ready).unwrap();
///     assert!(*guard);
///     drop(guard);
///     h.join().unwrap();
/// });
/// ```
pub struct Condvar {
    /// std's, outside a check.
    std: std::sync::Condvar,
    /// The model, per execution.
    slot: Slot,
}

/// Whether a timed wait timed out, as [`std::sync::WaitTimeoutResult`].
///
/// ```
/// use std::time::Duration;
/// use leakcheck::sync::{Condvar, Mutex};
///
/// let (m, cv) = (Mutex::new(()), Condvar::new());
/// let (_g, result) = cv.wait_timeout(m.lock().unwrap(), Duration::from_millis(1)).unwrap();
/// let _ = result.timed_out();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Whether the wait ended because time passed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use leakcheck::sync::{Condvar, Mutex};
    ///
    /// leakcheck::check(|| {
    ///     let (m, cv) = (Mutex::new(()), Condvar::new());
    ///     let g = m.lock().unwrap();
    ///     let (_g, r) = cv.wait_timeout_while(g, Duration::from_secs(1), |_| true).unwrap();
    ///     assert!(r.timed_out(), "nobody notifies");
    /// });
    /// ```
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl Condvar {
    /// A new condition variable.
    ///
    /// ```
    /// use leakcheck::sync::Condvar;
    ///
    /// let cv = Condvar::new();
    /// cv.notify_all(); // nobody waits
    /// ```
    ///
    /// It is `const`, as std's, so a `static` works; inside a check it gets its model on first
    /// use in each execution.
    #[track_caller]
    pub const fn new() -> Condvar {
        Condvar {
            std: std::sync::Condvar::new(),
            slot: Slot::new(),
        }
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, CondvarState::default)
    }

    /// Releases the guard's mutex, waits for a notify (or a spurious wake-up), and locks the
    /// mutex again.
    ///
    /// # Errors
    /// If the mutex is poisoned when it is locked again, the guard inside a [`PoisonError`].
    ///
    /// ```
    /// use leakcheck::sync::{Arc, Condvar, Mutex};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let pair = Arc::new((Mutex::new(false), Condvar::new()));
    ///     let p2 = Arc::clone(&pair);
    ///     let h = thread::spawn(move || {
    ///         *p2.0.lock().unwrap() = true;
    ///         p2.1.notify_one();
    ///     });
    ///     let mut ready = pair.0.lock().unwrap();
    ///     while !*ready {
    ///         ready = pair.1.wait(ready).unwrap();
    ///     }
    ///     drop(ready);
    ///     h.join().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let at = runtime::caller();
        self.wait_inner(guard, None, "Condvar::wait", at)
            .map_or_else(|e| Err(PoisonError::new(e.into_inner().0)), |(g, _)| Ok(g))
    }

    /// Waits while `condition` holds, as [`std::sync::Condvar::wait_while`].
    ///
    /// # Errors
    /// If the mutex is poisoned, the guard inside a [`PoisonError`].
    ///
    /// ```
    /// use leakcheck::sync::{Condvar, Mutex};
    ///
    /// let (m, cv) = (Mutex::new(3), Condvar::new());
    /// // The condition does not hold: returns at once.
    /// let g = cv.wait_while(m.lock().unwrap(), |n| *n == 0).unwrap();
    /// assert_eq!(*g, 3);
    /// ```
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = runtime::caller();
        while condition(&mut *guard) {
            guard = match self.wait_inner(guard, None, "Condvar::wait_while", at) {
                Ok((g, _)) => g,
                Err(e) => return Err(PoisonError::new(e.into_inner().0)),
            };
        }
        Ok(guard)
    }

    /// Waits for a notify for at most `dur` (inside a check: until its deadline on the
    /// [modelled clock](crate::time) passes, as the [time model](crate::Time) says).
    ///
    /// # Errors
    /// If the mutex is poisoned, the guard and the result inside a [`PoisonError`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use leakcheck::sync::{Condvar, Mutex};
    ///
    /// leakcheck::check(|| {
    ///     let (m, cv) = (Mutex::new(()), Condvar::new());
    ///     let (_g, r) = cv.wait_timeout(m.lock().unwrap(), Duration::from_secs(1)).unwrap();
    ///     let _ = r.timed_out(); // timed out, or woke spuriously
    /// });
    /// ```
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let at = runtime::caller();
        self.wait_inner(guard, Some(Limit::For(dur)), "Condvar::wait_timeout", at)
    }

    /// Waits for a notify for at most `ms` milliseconds, as [`std::sync::Condvar::wait_timeout_ms`]
    /// (deprecated, as std's); the `bool` is whether the wait timed out. Inside a check, as
    /// [`wait_timeout`](Condvar::wait_timeout).
    ///
    /// # Errors
    /// If the mutex is poisoned, the guard and the result inside a [`PoisonError`].
    ///
    /// ```
    /// #![allow(deprecated)]
    /// use leakcheck::sync::{Condvar, Mutex};
    ///
    /// leakcheck::check(|| {
    ///     let (lock, cv) = (Mutex::new(()), Condvar::new());
    ///     let (_guard, timed_out) = cv.wait_timeout_ms(lock.lock().unwrap(), 10).unwrap();
    ///     assert!(timed_out, "nobody notifies");
    /// });
    /// ```
    #[deprecated(
        since = "1.6.0",
        note = "replaced by `std::sync::Condvar::wait_timeout`"
    )]
    #[track_caller]
    pub fn wait_timeout_ms<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        ms: u32,
    ) -> LockResult<(MutexGuard<'a, T>, bool)> {
        let at = runtime::caller();
        let dur = Duration::from_millis(u64::from(ms));
        match self.wait_inner(guard, Some(Limit::For(dur)), "Condvar::wait_timeout_ms", at) {
            Ok((g, r)) => Ok((g, r.timed_out())),
            Err(e) => {
                let (g, r) = e.into_inner();
                Err(PoisonError::new((g, r.timed_out())))
            }
        }
    }

    /// Waits while `condition` holds, for at most `dur`.
    ///
    /// # Errors
    /// If the mutex is poisoned, the guard and the result inside a [`PoisonError`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use leakcheck::sync::{Condvar, Mutex};
    ///
    /// let (m, cv) = (Mutex::new(1), Condvar::new());
    /// let (g, r) = cv
    ///     .wait_timeout_while(m.lock().unwrap(), Duration::from_millis(1), |n| *n == 0)
    ///     .unwrap();
    /// assert_eq!((*g, r.timed_out()), (1, false));
    /// ```
    #[track_caller]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        dur: Duration,
        mut condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = runtime::caller();
        // One deadline for all the waits, as std's (on the modelled clock inside a check).
        let limit = match crate::time::Instant::now().checked_add(dur) {
            Some(deadline) => Limit::Until(deadline.into()),
            None => Limit::For(dur),
        };
        while condition(&mut *guard) {
            let (g, result) =
                self.wait_inner(guard, Some(limit), "Condvar::wait_timeout_while", at)?;
            guard = g;
            if result.timed_out() {
                let still = condition(&mut *guard);
                return Ok((guard, WaitTimeoutResult(still)));
            }
        }
        Ok((guard, WaitTimeoutResult(false)))
    }

    #[track_caller]
    fn wait_inner<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        timeout: Option<Limit>,
        op: &'static str,
        at: Loc,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let timed_out = match guard.inner {
            Imp::Std(_) => {
                let cv = &self.std;
                let Imp::Std(Some(std_guard)) = std::mem::replace(&mut guard.inner, Imp::Std(None))
                else {
                    unreachable!("a std mutex has a std guard")
                };
                let (std_guard, timed_out) = match timeout {
                    None => (
                        cv.wait(std_guard).unwrap_or_else(PoisonError::into_inner),
                        false,
                    ),
                    Some(limit) => {
                        let d = match limit {
                            Limit::For(d) => d,
                            Limit::Until(t) => {
                                t.saturating_duration_since(std::time::Instant::now())
                            }
                        };
                        let (g, r) = cv
                            .wait_timeout(std_guard, d)
                            .unwrap_or_else(PoisonError::into_inner);
                        (g, r.timed_out())
                    }
                };
                guard.inner = Imp::Std(Some(std_guard));
                timed_out
            }
            Imp::Model(m) => {
                let exec = m.exec("a mutex");
                let cv = self.model(&exec);
                // The execution lets the real lock go while its thread waits, and takes it back
                // with the mutex (or as the thread unwinds, whose guard then drops).
                guard.lock.exit(m);
                let _back = Reenter(guard.lock, m);
                model::wait(&exec, cv.id, m.id, timeout, op, at)
            }
        };
        let result = WaitTimeoutResult(timed_out);
        if guard.lock.is_poisoned() {
            Err(PoisonError::new((guard, result)))
        } else {
            Ok((guard, result))
        }
    }

    /// Wakes one waiting thread (which one is the scheduler's choice inside a check).
    ///
    /// ```
    /// use leakcheck::sync::Condvar;
    ///
    /// Condvar::new().notify_one(); // nobody waits: the notify is lost
    /// ```
    #[track_caller]
    pub fn notify_one(&self) {
        match runtime::current() {
            None => self.std.notify_one(),
            Some(exec) => notify_model(
                &exec,
                self.model(&exec),
                false,
                "Condvar::notify_one",
                runtime::caller(),
            ),
        }
    }

    /// Wakes every waiting thread.
    ///
    /// ```
    /// use leakcheck::sync::Condvar;
    ///
    /// Condvar::new().notify_all();
    /// ```
    #[track_caller]
    pub fn notify_all(&self) {
        match runtime::current() {
            None => self.std.notify_all(),
            Some(exec) => notify_model(
                &exec,
                self.model(&exec),
                true,
                "Condvar::notify_all",
                runtime::caller(),
            ),
        }
    }
}

fn notify_model(exec: &Exec, h: Handle, all: bool, op: &'static str, at: Loc) {
    model::notify(exec, h.id, all, op, at);
}

/// Takes the real lock back for the execution when a condvar wait ends, returning or unwinding.
struct Reenter<'a, T: ?Sized>(&'a Mutex<T>, Handle);

impl<T: ?Sized> Drop for Reenter<'_, T> {
    fn drop(&mut self) {
        self.0.enter(self.1);
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Condvar { .. }")
    }
}
