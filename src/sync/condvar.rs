use std::fmt;
use std::sync::{LockResult, PoisonError};
use std::time::Duration;

use super::mutex::{self, GuardImp, Imp, MutexGuard};
use crate::runtime::registry::Notify;
use crate::runtime::{self, Exec, Handle, Loc, ObjKind, ObjState, WaitOn};

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
    imp: CvImp,
}

enum CvImp {
    Std(std::sync::Condvar),
    Model(Handle),
}

/// Whether a timed wait timed out, as [`std::sync::WaitTimeoutResult`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Whether the wait ended because time passed.
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

/// How many spurious wake-ups in a row one thread may get: enough to catch a missing `while`,
/// few enough that a correct wait loop always makes progress.
const SPURIOUS_BOUND: usize = 2;

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl Condvar {
    /// A new condition variable.
    #[track_caller]
    pub fn new() -> Condvar {
        let imp = match runtime::current() {
            Some(exec) => CvImp::Model(exec.new_object(
                ObjKind::Condvar,
                runtime::caller(),
                ObjState::Condvar(Default::default()),
            )),
            None => CvImp::Std(std::sync::Condvar::new()),
        };
        Condvar { imp }
    }

    /// Releases the guard's mutex, waits for a notify (or a spurious wake-up), and locks the
    /// mutex again.
    ///
    /// # Errors
    /// If the mutex is poisoned when it is locked again, the guard inside a [`PoisonError`].
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

    /// Waits for a notify for at most `dur` (inside a check: until the scheduler lets time
    /// pass).
    ///
    /// # Errors
    /// If the mutex is poisoned, the guard and the result inside a [`PoisonError`].
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let at = runtime::caller();
        self.wait_inner(guard, Some(dur), "Condvar::wait_timeout", at)
    }

    /// Waits while `condition` holds, for at most `dur`.
    ///
    /// # Errors
    /// If the mutex is poisoned, the guard and the result inside a [`PoisonError`].
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
        while condition(&mut *guard) {
            let (g, result) =
                self.wait_inner(guard, Some(dur), "Condvar::wait_timeout_while", at)?;
            guard = g;
            if result.timed_out() {
                let still = condition(&mut *guard);
                return Ok((guard, WaitTimeoutResult(still)));
            }
        }
        Ok((guard, WaitTimeoutResult(false)))
    }

    fn wait_inner<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        timeout: Option<Duration>,
        op: &'static str,
        at: Loc,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let timed_out = match (&self.imp, &guard.lock.imp) {
            (CvImp::Std(cv), Imp::Std(_)) => {
                let GuardImp::Std(std_guard) = std::mem::replace(&mut guard.inner, GuardImp::Taken) else {
                    unreachable!("a std mutex has a std guard")
                };
                let (std_guard, timed_out) = match timeout {
                    None => (cv.wait(std_guard).unwrap_or_else(PoisonError::into_inner), false),
                    Some(d) => {
                        let (g, r) = cv.wait_timeout(std_guard, d).unwrap_or_else(PoisonError::into_inner);
                        (g, r.timed_out())
                    }
                };
                guard.inner = GuardImp::Std(std_guard);
                timed_out
            }
            (CvImp::Model(cv), Imp::Model(m)) => {
                let exec = runtime::current()
                    .filter(|e| e.serial == cv.serial && e.serial == m.serial)
                    .expect("leakcheck: a condvar or mutex created inside a check was used outside it");
                wait_model(&exec, cv.id, m.id, timeout.is_some(), op, at)
            }
            _ => panic!("leakcheck: a condvar and a mutex from different worlds (one made inside a check, one outside)"),
        };
        let result = WaitTimeoutResult(timed_out);
        if guard.lock.is_poisoned() {
            Err(PoisonError::new((guard, result)))
        } else {
            Ok((guard, result))
        }
    }

    /// Wakes one waiting thread (which one is the scheduler's choice inside a check).
    #[track_caller]
    pub fn notify_one(&self) {
        match &self.imp {
            CvImp::Std(cv) => cv.notify_one(),
            CvImp::Model(h) => notify_model(*h, false, "Condvar::notify_one", runtime::caller()),
        }
    }

    /// Wakes every waiting thread.
    #[track_caller]
    pub fn notify_all(&self) {
        match &self.imp {
            CvImp::Std(cv) => cv.notify_all(),
            CvImp::Model(h) => notify_model(*h, true, "Condvar::notify_all", runtime::caller()),
        }
    }
}

/// One wait on the model: atomically join the waiters and release the mutex, wait (or wake
/// spuriously), lock the mutex again. Returns whether time passed.
fn wait_model(
    exec: &Exec,
    cv: usize,
    mutex_id: usize,
    timed: bool,
    op: &'static str,
    at: Loc,
) -> bool {
    exec.switch(op, at);
    if exec.closed() {
        return false;
    }
    let me = exec.me();
    {
        let mut reg = exec.reg();
        // Woken by a notify and waiting again without releasing the mutex in between: the
        // wake-up ended in another wait.
        if let Some((c, n, _)) = reg.threads[me].condvar_wake.take() {
            if c == cv {
                let state = reg.condvar(cv);
                state.notifies[n].rewaited = true;
                match state.rewaits.iter_mut().find(|r| r.0 == me) {
                    Some(r) => r.1 += 1,
                    None => state.rewaits.push((me, 1)),
                }
            }
        }
        let state = reg.condvar(cv);
        state.waiters.push(me);
    }
    mutex::release(exec, mutex_id);
    {
        // Where this wait began: the notifies so far, and the critical sections so far (after
        // this thread's own, which the release just closed).
        let mut reg = exec.reg();
        let sections = reg.mutex(mutex_id).sections.len();
        let state = reg.condvar(cv);
        let began = (me, state.notifies.len(), mutex_id, sections);
        match state.wait_began.iter_mut().find(|w| w.0 == me) {
            Some(w) => *w = began,
            None => state.wait_began.push(began),
        }
    }
    let spurious = {
        let streak = exec.reg().threads[me].spurious_streak;
        streak < SPURIOUS_BOUND && exec.spurious_wakeup()
    };
    let timed_out = if spurious {
        exec.reg().threads[me].spurious_streak += 1;
        // A scheduling point, not a yield: whether others run before the thread looks again is
        // the scheduler's choice (a yield would let PCT always run the notifier first).
        exec.switch(op, at);
        false
    } else {
        exec.block_timed(op, WaitOn::Object(cv), at, timed)
    };
    {
        let mut reg = exec.reg();
        let state = reg.condvar(cv);
        let still_waiting = state.waiters.iter().position(|&t| t == me);
        if let Some(i) = still_waiting {
            // Not notified: time passed, or a spurious wake-up.
            state.waiters.remove(i);
        } else if let Some(w) = state.woken_by.iter().position(|w| w.0 == me) {
            let n = state.woken_by.remove(w).1;
            reg.observe(me, cv);
            let t = &mut reg.threads[me];
            t.spurious_streak = 0;
            t.condvar_wake = Some((cv, n, mutex_id));
        }
    }
    mutex::acquire(exec, mutex_id, op, at);
    if !exec.closed() {
        exec.reg().mutex(mutex_id).holder_waited = true;
    }
    timed_out
}

fn notify_model(h: Handle, all: bool, op: &'static str, at: Loc) {
    let exec = runtime::current()
        .filter(|e| e.serial == h.serial)
        .expect("leakcheck: a condvar created inside a check was used outside it");
    exec.switch(op, at);
    if exec.closed() {
        return;
    }
    let me = exec.me();
    let waiting = exec.reg().condvar(h.id).waiters.clone();
    let woken: Vec<usize> = if all {
        waiting.clone()
    } else if waiting.is_empty() {
        Vec::new()
    } else {
        // std promises no order: which waiter wakes is the scheduler's choice.
        let i = if waiting.len() > 1 {
            exec.choose(waiting.len())
        } else {
            0
        };
        vec![waiting[i]]
    };
    let mut reg = exec.reg();
    reg.publish(me, h.id);
    let state = reg.condvar(h.id);
    let index = state.notifies.len();
    state.notifies.push(Notify {
        at,
        by: me,
        all,
        waiting,
        woke: if all { None } else { woken.first().copied() },
        rewaited: false,
    });
    state.waiters.retain(|t| !woken.contains(t));
    for &t in &woken {
        state.woken_by.retain(|w| w.0 != t);
        state.woken_by.push((t, index));
    }
    for t in woken {
        exec.wake(&mut reg, t);
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Condvar { .. }")
    }
}
