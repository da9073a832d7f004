//! parking_lot's `Condvar`.

use std::fmt;
use std::time::{Duration, Instant};

use super::lock_api::RawLock;
use super::MutexGuard;
use crate::runtime::clock::Limit;
use crate::runtime::condvar::{self as model, CondvarState};
use crate::runtime::slot::Slot;
use crate::runtime::{self, Exec, Handle, Loc};

/// A condition variable, as [`parking_lot::Condvar`]: `wait` takes the guard by `&mut`,
/// `notify_one` says whether it woke a thread and `notify_all` how many, and a wait never
/// wakes spuriously.
///
/// Inside a check, the runtime records every wait and every notify, so a thread left blocked in
/// `wait` is reported as a `MissedSignal` with its cause (the notify came while nobody waited,
/// woke a thread that went back to waiting, or never came), exactly as for
/// [`sync::Condvar`](crate::sync::Condvar); which waiter `notify_one` wakes, and whether a timed
/// wait times out, are the scheduler's recorded choices. As parking_lot promises, a wait returns
/// only when notified or timed out (no spurious wake-ups, whatever
/// [`Config::spurious_wakeups`](crate::Config::spurious_wakeups) says). Outside a check it is
/// parking_lot's own condvar.
///
/// ```
/// use leakcheck::parking_lot::{Condvar, Mutex};
/// use leakcheck::sync::Arc;
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let pair = Arc::new((Mutex::new(false), Condvar::new()));
///     let pair2 = Arc::clone(&pair);
///     let h = thread::spawn(move || {
///         let (ready, cv) = &*pair2;
///         *ready.lock() = true;
///         cv.notify_one();
///     });
///     let (ready, cv) = &*pair;
///     let mut guard = ready.lock();
///     cv.wait_while(&mut guard, |ready| !*ready);
///     assert!(*guard);
///     drop(guard);
///     h.join().unwrap();
/// });
/// ```
pub struct Condvar {
    /// parking_lot's, outside a check.
    std: parking_lot::Condvar,
    /// The model, per execution.
    slot: Slot,
}

/// Whether a timed wait timed out, as [`parking_lot::WaitTimeoutResult`].
///
/// ```
/// use leakcheck::parking_lot::{Condvar, Mutex};
/// use std::time::Duration;
///
/// let (m, cv) = (Mutex::new(()), Condvar::new());
/// let mut g = m.lock();
/// assert!(cv.wait_for(&mut g, Duration::from_millis(1)).timed_out());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Whether the wait ended because time passed.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let (m, cv) = (Mutex::new(()), Condvar::new());
    /// let mut g = m.lock();
    /// let r = cv.wait_until(&mut g, Instant::now() + Duration::from_millis(1));
    /// assert!(r.timed_out());
    /// ```
    pub fn timed_out(self) -> bool {
        self.0
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

/// A deadline or a duration of a timed wait outside a check.
#[derive(Clone, Copy)]
enum Timeout {
    For(Duration),
    Until(Instant),
}

impl Condvar {
    /// A new condition variable; `const`, as parking_lot's, so a `static` works (inside a check
    /// it gets its model on first use in each execution).
    ///
    /// ```
    /// use leakcheck::parking_lot::Condvar;
    ///
    /// let cv = Condvar::new();
    /// assert!(!cv.notify_one(), "nobody waits");
    /// ```
    #[track_caller]
    pub const fn new() -> Condvar {
        Condvar {
            std: parking_lot::Condvar::new(),
            slot: Slot::new(),
        }
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, CondvarState::default)
    }

    /// Wakes one waiting thread (inside a check, which one is the scheduler's choice); returns
    /// whether there was one.
    ///
    /// ```
    /// use leakcheck::parking_lot::Condvar;
    ///
    /// assert!(!Condvar::new().notify_one());
    /// ```
    #[track_caller]
    pub fn notify_one(&self) -> bool {
        match runtime::current() {
            None => self.std.notify_one(),
            Some(exec) => {
                notify_model(
                    &exec,
                    self.model(&exec),
                    false,
                    "Condvar::notify_one",
                    runtime::caller(),
                ) > 0
            }
        }
    }

    /// Wakes every waiting thread; returns how many there were.
    ///
    /// ```
    /// use leakcheck::parking_lot::Condvar;
    ///
    /// assert_eq!(Condvar::new().notify_all(), 0);
    /// ```
    #[track_caller]
    pub fn notify_all(&self) -> usize {
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

    /// Releases the guard's mutex, waits for a notify, and locks the mutex again.
    ///
    /// # Panics
    /// Inside a check, if the mutex and the condvar belong to different worlds (one made inside
    /// the check, one outside).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    /// use leakcheck::sync::Arc;
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let pair = Arc::new((Mutex::new(0), Condvar::new()));
    ///     let p2 = Arc::clone(&pair);
    ///     let h = thread::spawn(move || {
    ///         *p2.0.lock() = 1;
    ///         p2.1.notify_all();
    ///     });
    ///     let mut g = pair.0.lock();
    ///     while *g == 0 {
    ///         pair.1.wait(&mut g);
    ///     }
    ///     drop(g);
    ///     h.join().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn wait<T: ?Sized>(&self, mutex_guard: &mut MutexGuard<'_, T>) {
        self.wait_inner(mutex_guard, None, "Condvar::wait", runtime::caller());
    }

    /// As [`wait`](Self::wait), for at most `timeout` (inside a check: until its deadline on the
    /// [modelled clock](crate::time) passes, as the [time model](crate::Time) says).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let (m, cv) = (Mutex::new(()), Condvar::new());
    /// assert!(cv.wait_for(&mut m.lock(), Duration::from_millis(1)).timed_out());
    /// ```
    #[track_caller]
    pub fn wait_for<T: ?Sized>(
        &self,
        mutex_guard: &mut MutexGuard<'_, T>,
        timeout: Duration,
    ) -> WaitTimeoutResult {
        let at = runtime::caller();
        self.wait_inner(
            mutex_guard,
            Some(Timeout::For(timeout)),
            "Condvar::wait_for",
            at,
        )
    }

    /// As [`wait`](Self::wait), until `timeout` at the latest (inside a check, as
    /// [`wait_for`](Self::wait_for)).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let (m, cv) = (Mutex::new(()), Condvar::new());
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(cv.wait_until(&mut m.lock(), deadline).timed_out());
    /// ```
    #[track_caller]
    pub fn wait_until<T: ?Sized>(
        &self,
        mutex_guard: &mut MutexGuard<'_, T>,
        timeout: Instant,
    ) -> WaitTimeoutResult {
        let at = runtime::caller();
        let timeout = Some(Timeout::Until(timeout));
        self.wait_inner(mutex_guard, timeout, "Condvar::wait_until", at)
    }

    /// Waits while `condition` holds of the guarded value.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    ///
    /// let (m, cv) = (Mutex::new(3), Condvar::new());
    /// let mut g = m.lock();
    /// cv.wait_while(&mut g, |v| *v == 0); // 3: no wait
    /// assert_eq!(*g, 3);
    /// ```
    #[track_caller]
    pub fn wait_while<T, F>(&self, mutex_guard: &mut MutexGuard<'_, T>, condition: F)
    where
        T: ?Sized,
        F: FnMut(&mut T) -> bool,
    {
        let at = runtime::caller();
        self.wait_while_inner(mutex_guard, condition, None, "Condvar::wait_while", at);
    }

    /// Waits while `condition` holds, until `timeout` at the latest; as parking_lot's, the
    /// result says whether the last wait timed out (the condition is not checked again).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let (m, cv) = (Mutex::new(0), Condvar::new());
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(cv.wait_while_until(&mut m.lock(), |v| *v == 0, deadline).timed_out());
    /// ```
    #[track_caller]
    pub fn wait_while_until<T, F>(
        &self,
        mutex_guard: &mut MutexGuard<'_, T>,
        condition: F,
        timeout: Instant,
    ) -> WaitTimeoutResult
    where
        T: ?Sized,
        F: FnMut(&mut T) -> bool,
    {
        let at = runtime::caller();
        let timeout = Some(Timeout::Until(timeout));
        self.wait_while_inner(
            mutex_guard,
            condition,
            timeout,
            "Condvar::wait_while_until",
            at,
        )
    }

    /// Waits while `condition` holds, for at most `timeout` in all.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let (m, cv) = (Mutex::new(1), Condvar::new());
    /// let r = cv.wait_while_for(&mut m.lock(), |v| *v == 0, Duration::from_millis(1));
    /// assert!(!r.timed_out(), "the condition did not hold: no wait");
    /// ```
    #[track_caller]
    pub fn wait_while_for<T: ?Sized, F>(
        &self,
        mutex_guard: &mut MutexGuard<'_, T>,
        condition: F,
        timeout: Duration,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = runtime::caller();
        // One deadline for all the waits, as parking_lot's (on the modelled clock inside a check).
        let timeout = Some(match crate::time::Instant::now().checked_add(timeout) {
            Some(deadline) => Timeout::Until(deadline.into()),
            None => Timeout::For(timeout),
        });
        self.wait_while_inner(
            mutex_guard,
            condition,
            timeout,
            "Condvar::wait_while_for",
            at,
        )
    }

    fn wait_while_inner<T, F>(
        &self,
        mutex_guard: &mut MutexGuard<'_, T>,
        mut condition: F,
        timeout: Option<Timeout>,
        op: &'static str,
        at: Loc,
    ) -> WaitTimeoutResult
    where
        T: ?Sized,
        F: FnMut(&mut T) -> bool,
    {
        let mut result = WaitTimeoutResult(false);
        while !result.timed_out() && condition(&mut **mutex_guard) {
            result = self.wait_inner(mutex_guard, timeout, op, at);
        }
        result
    }

    fn wait_inner<T: ?Sized>(
        &self,
        mutex_guard: &mut MutexGuard<'_, T>,
        timeout: Option<Timeout>,
        op: &'static str,
        at: Loc,
    ) -> WaitTimeoutResult {
        let mutex = MutexGuard::mutex(mutex_guard);
        let timed_out = match runtime::current() {
            None => {
                let (cv, m) = (&self.std, &mutex.raw.std);
                // SAFETY: the caller's guard holds the lock; this stand-in guard lends it to
                // parking_lot's condvar for the wait and is forgotten after, so the lock is
                // unlocked once, by the caller's guard.
                let mut stand_in = unsafe { m.make_guard_unchecked() };
                let timed_out = match timeout {
                    None => {
                        cv.wait(&mut stand_in);
                        false
                    }
                    Some(Timeout::For(d)) => cv.wait_for(&mut stand_in, d).timed_out(),
                    Some(Timeout::Until(t)) => cv.wait_until(&mut stand_in, t).timed_out(),
                };
                std::mem::forget(stand_in);
                timed_out
            }
            Some(exec) => {
                let cv = self.model(&exec);
                let m = mutex.raw.model(&exec);
                // The execution lets the real lock go while its thread waits, and takes it back
                // with the mutex (or as the thread unwinds, whose guard then drops).
                mutex.raw.exit(exec.serial);
                let _back = Reenter(&mutex.raw, exec.serial);
                let limit = timeout.map(|t| match t {
                    Timeout::For(d) => Limit::For(d),
                    Timeout::Until(t) => Limit::Until(t),
                });
                model::wait_no_spurious(&exec, cv.id, m.id, limit, op, at)
            }
        };
        WaitTimeoutResult(timed_out)
    }
}

/// Takes the real lock back for the execution when a condvar wait ends, returning or unwinding.
struct Reenter<'a, R: super::lock_api::RawMutex>(&'a RawLock<R>, u64);

impl<R: super::lock_api::RawMutex> Drop for Reenter<'_, R> {
    fn drop(&mut self) {
        self.0.enter(self.1);
    }
}

/// Notifies the model condvar; returns how many threads it woke.
fn notify_model(exec: &Exec, h: Handle, all: bool, op: &'static str, at: Loc) -> usize {
    let me = exec.me();
    let before = exec.reg().condvar(h.id).notifies.len();
    model::notify(exec, h.id, all, op, at);
    let mut reg = exec.reg();
    let state = reg.condvar(h.id);
    // Others may have notified during the notify's scheduling point: this thread's is its last.
    match state.notifies[before..].iter().rev().find(|n| n.by == me) {
        Some(n) if n.all => n.waiting.len(),
        Some(n) => usize::from(n.woke.is_some()),
        // The execution stopped at the notify's scheduling point.
        None => 0,
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Condvar { .. }")
    }
}
