//! The runtime of one execution: the registry, the model of every primitive, the engine
//! interface it runs on, and the recipe every primitive follows (scheduling point, then act on
//! the registry, then block or wake).
//!
//! Each primitive's model is one file here (`mutex.rs`, `condvar.rs`, `thread.rs`, ...): its
//! state struct, what it answers the detectors ([`object::Model`]), and its operations. The
//! facade types (`crate::sync`, `crate::thread`, ...) are shells that map std's API onto them.
//! [`object`] lists every kind in one table.
//!
//! All state is per execution and reached through a thread-local that the driver sets while an
//! execution runs on this OS thread, so libtest may run many checks at once on its own threads.

#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) mod async_barrier;
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) mod async_sem;
pub(crate) mod barrier;
pub(crate) mod channel;
pub(crate) mod clock;
pub(crate) mod condvar;
mod engine;
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) mod fair_rwlock;
pub(crate) mod mutex;
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) mod notify;
pub(crate) mod object;
pub(crate) mod once;
pub(crate) mod panic;
mod progress;
mod registry;
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) mod remutex;
pub(crate) mod rwlock;
pub(crate) mod semaphore;
pub(crate) mod slot;
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) mod task;
pub(crate) mod thread;
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) mod timed;
pub(crate) mod token;
pub(crate) mod trace;
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) mod waiter;

use std::cell::{RefCell, RefMut};
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub(crate) use engine::{is_teardown, Backend, Control, Decision, Stop, Teardown, STACK_SIZE};
pub(crate) use object::{ObjState, State};
pub(crate) use progress::{Progress, Snapshot};
pub(crate) use registry::{happened_before, LockEdge, Registry};
pub(crate) use thread::{JoinState, Status, ThreadRec, Wait, WaitOn};

/// A thread's index in the execution; 0 is the test body.
pub(crate) type Tid = usize;

/// An object's index in the registry.
pub(crate) type ObjId = usize;

/// A source location, as `#[track_caller]` gives it.
pub(crate) type Loc = &'static Location<'static>;

/// The body's thread.
pub(crate) const BODY: Tid = 0;

static SERIAL: AtomicU64 = AtomicU64::new(1);

/// How many executions are current on some OS thread: while none is, [`current`] answers
/// without reading the thread-local, so facade objects outside checks pay one load.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// One execution.
pub(crate) struct Exec {
    pub reg: RefCell<Registry>,
    pub ctl: Rc<Control>,
    pub backend: &'static dyn Backend,
    /// Tells objects of this execution from those of another.
    pub serial: u64,
    /// Whether blocking operations that std lets wake spuriously may do so.
    pub spurious_wakeups: bool,
    /// When timed waits end (see [`clock::Time`]).
    pub time: clock::Time,
    /// The facade objects attached to a model in this execution, by address (see [`slot`]).
    pub slots: RefCell<slot::Slots>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Exec>>> = const { RefCell::new(None) };
}

/// The execution running on this OS thread, if any.
#[inline(always)]
pub(crate) fn current() -> Option<Rc<Exec>> {
    if ACTIVE.load(Ordering::Relaxed) == 0 {
        return None;
    }
    current_slow()
}

#[inline(never)]
fn current_slow() -> Option<Rc<Exec>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Makes `exec` the current execution until the guard drops.
pub(crate) fn enter(exec: Rc<Exec>) -> EnterGuard {
    let serial = exec.serial;
    slot::started(serial);
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    CURRENT.with(|c| *c.borrow_mut() = Some(exec));
    EnterGuard(serial)
}

/// The current execution until it drops; then the execution is over (see [`slot::live`]).
pub(crate) struct EnterGuard(u64);

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
        slot::ended(self.0);
    }
}

/// A reference from a facade object to its state in the registry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handle {
    pub serial: u64,
    pub id: ObjId,
}

impl Handle {
    /// The execution the object belongs to, which must be the current one: a facade object
    /// made inside a check and used outside it (or in another execution) is a usage error.
    /// `what` names the object for the message, with its article: "a mutex".
    #[inline]
    #[track_caller]
    pub(crate) fn exec(self, what: &str) -> Rc<Exec> {
        match current() {
            Some(exec) if exec.serial == self.serial => exec,
            _ => panic!(
                "leakcheck: {what} created inside a check was used outside it, or in another execution"
            ),
        }
    }

    /// The execution the object belongs to, if it is current and still running: what a
    /// destructor updates. Once an execution has stopped, its registry stays as it was for the
    /// detectors, and destructors that run while its threads unwind leave it alone.
    #[inline]
    pub(crate) fn live(self) -> Option<Rc<Exec>> {
        current().filter(|e| e.serial == self.serial && !e.closed())
    }
}

/// A facade type's implementation: std's (or crossbeam's) own outside a check, the model inside
/// one. Every facade type holds one, so each of its methods is one match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Imp<S, M = Handle> {
    /// Outside a check: the real thing.
    Std(S),
    /// Inside a check: the model (usually a [`Handle`] to its state in the registry).
    Model(M),
}

impl Exec {
    pub(crate) fn new(
        ctl: Rc<Control>,
        backend: &'static dyn Backend,
        capture: bool,
        spurious_wakeups: bool,
        time: clock::Time,
    ) -> Self {
        Exec {
            reg: RefCell::new(Registry::new(capture)),
            ctl,
            backend,
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            spurious_wakeups,
            time,
            slots: RefCell::default(),
        }
    }

    #[inline]
    pub(crate) fn reg(&self) -> RefMut<'_, Registry> {
        self.reg.borrow_mut()
    }

    /// Whether the execution was stopped: objects' destructors then leave the registry alone.
    #[inline]
    pub(crate) fn closed(&self) -> bool {
        self.ctl.stop.get().is_some()
    }

    #[inline]
    pub(crate) fn me(&self) -> Tid {
        // The thread the scheduler chose runs until the next scheduling point: no need to ask
        // the engine (a thread-local lookup and a borrow) at every operation. Once the execution
        // has stopped, the engine resumes threads of its own accord to unwind them: ask it then.
        match self.ctl.running.get() {
            Some(tid) if !self.closed() => {
                debug_assert_eq!(tid, self.backend.current(), "the cached running thread");
                tid
            }
            _ => self.backend.current(),
        }
    }

    /// Registers a new object with its model's initial state, and returns the facade's
    /// reference to it.
    pub(crate) fn new_object(&self, at: Loc, state: impl State) -> Handle {
        let id = self.reg().add_object(at, state.wrap());
        Handle {
            serial: self.serial,
            id,
        }
    }

    /// Remembers the operation the current thread makes, for "last seen at" in reports.
    #[inline]
    pub(crate) fn note(&self, op: &'static str, at: Loc) {
        let me = self.me();
        self.progressed(me, op, at);
        let mut reg = self.reg();
        if let Some(trace) = reg.trace.as_mut() {
            trace.step(me, op, at);
        }
        if let Some(t) = reg.threads.get_mut(me) {
            t.last_op = Some((op, at));
            // A panic the code under test caught itself: nothing of this thread unwinds now.
            if t.unwinding && !std::thread::panicking() {
                t.unwinding = false;
            }
        }
    }

    /// Tells the stall watchdog that thread `me` is at a scheduling point (before `op` at `at`,
    /// or running again after it). If the watchdog found a thread away from the scheduler past
    /// the stall timeout, that thread has come back: the execution stops here, for a `Stall`
    /// finding (its last operation is still the one before it went away).
    #[inline]
    fn progressed(&self, me: Tid, op: &'static str, at: Loc) {
        if let Some(tid) = self.ctl.progress.tick(me, op, at) {
            let elapsed_ms = self.ctl.progress.take_stall();
            if !self.closed() {
                self.stop(Stop::Stall { tid, elapsed_ms });
            }
        }
    }

    /// The current thread runs again after a scheduling point of `op` at `at` (or, a new
    /// thread, for the first time): the stall watchdog measures from here.
    #[inline]
    pub(crate) fn resumed(&self, op: &'static str, at: Loc) {
        if !self.closed() {
            let me = self.me();
            self.progressed(me, op, at);
            if let Some(trace) = self.reg().trace.as_mut() {
                // Others ran since this thread's scheduling point: it goes on with its
                // operation now, a step of its own in the log.
                if trace.steps.last().is_some_and(|s| s.thread != me) {
                    trace.step(me, op, at);
                }
            }
        }
    }

    /// The registry, for an update, unless the execution has stopped. Once it has, the
    /// registry stays as it was at the stop, for the detectors: what threads still do while
    /// they unwind (destructors, mostly) leaves it alone.
    #[inline]
    pub(crate) fn live(&self) -> Option<RefMut<'_, Registry>> {
        (!self.closed()).then(|| self.reg())
    }

    /// A scheduling point before an operation. Returns whether the execution still runs: false
    /// once it has stopped (before or at this point), when the operation leaves the registry
    /// alone.
    #[inline]
    pub(crate) fn switch(&self, op: &'static str, at: Loc) -> bool {
        if self.closed() {
            return false;
        }
        self.note(op, at);
        self.backend.switch();
        self.resumed(op, at);
        !self.closed()
    }

    /// A scheduling point at which the current thread lets others run if the scheduler so
    /// decides: a yield is an ordinary scheduling point, except that schedulers tell a thread
    /// that yields again and again while no other runs (a spinning loop) to give way.
    pub(crate) fn yield_now(&self, op: &'static str, at: Loc) {
        if self.closed() {
            return;
        }
        self.note(op, at);
        self.backend.yield_now();
        self.resumed(op, at);
    }

    /// Stops the execution from the current thread: the scheduler runs nothing more, and the
    /// execution's registry is left as it is for the detectors. Returns only to a thread that
    /// is unwinding a panic (see [`Backend::stop`]); the execution is closed then.
    pub(crate) fn stop(&self, why: Stop) {
        self.ctl.stop.set(Some(why));
        self.release_unwinding();
        self.backend.stop();
    }

    /// The execution has stopped: a thread blocked in a destructor while it unwinds a panic
    /// cannot be unwound again (that aborts), so the engine resumes it to finish unwinding, every
    /// operation of the stopped execution returning at once. Its status in the registry stays as
    /// it was at the stop, for the detectors.
    pub(crate) fn release_unwinding(&self) {
        let unwinding: Vec<Tid> = {
            let reg = self.reg();
            (0..reg.threads.len())
                .filter(|&t| {
                    let t = &reg.threads[t];
                    t.unwinding && matches!(t.status, Status::Blocked(_))
                })
                .collect()
        };
        for tid in unwinding {
            self.backend.unblock(tid);
        }
    }

    /// The wait loop of every blocking operation of the current thread: `attempt` runs with
    /// the registry borrowed and either takes what the thread waits for (and returns true) or
    /// puts the thread on the wait queue of what it waits for (and returns false); then the
    /// thread blocks until it is woken, and tries again. Returns whether it got it: false if the
    /// execution stopped (before or while it waited), when the caller leaves the registry alone.
    #[inline]
    pub(crate) fn wait_until(
        &self,
        op: &'static str,
        on: WaitOn,
        at: Loc,
        mut attempt: impl FnMut(&mut Registry) -> bool,
    ) -> bool {
        loop {
            if self.closed() {
                return false;
            }
            if attempt(&mut self.reg()) {
                return true;
            }
            self.block(op, on, at);
        }
    }

    /// Blocks the current thread until another wakes it. The caller has put it on the wait queue
    /// of what it waits for. If no thread can run any more, this is a deadlock, and the execution
    /// stops here.
    pub(crate) fn block(&self, op: &'static str, on: WaitOn, at: Loc) {
        self.block_timed(op, on, at, None);
    }

    /// The modelled time now.
    pub(crate) fn now(&self) -> std::time::Duration {
        self.reg.borrow().clock.now
    }

    /// The deadline, in modelled time, of a timed wait that begins now.
    pub(crate) fn deadline(&self, limit: clock::Limit) -> std::time::Duration {
        self.reg.borrow().clock.deadline(limit)
    }

    /// A timed operation of the current thread begins (before its scheduling point): its
    /// deadline, now pending until [`Exec::timer_ends`], so that no timer with a later deadline
    /// ends before it.
    pub(crate) fn timer_begins(&self, limit: clock::Limit) -> std::time::Duration {
        let deadline = self.deadline(limit);
        let me = self.me();
        if let Ok(mut reg) = self.reg.try_borrow_mut()
            && let Some(t) = reg.threads.get_mut(me)
        {
            t.timer = Some(deadline);
        }
        deadline
    }

    /// The current thread's timed operation has returned.
    pub(crate) fn timer_ends(&self) {
        let me = self.me();
        if let Ok(mut reg) = self.reg.try_borrow_mut()
            && let Some(t) = reg.threads.get_mut(me)
        {
            t.timer = None;
        }
    }

    /// Blocks the current thread until another wakes it or, for a timed wait (`deadline`, in
    /// modelled time), until its time passes. Returns whether time passed (the wait timed out);
    /// the clock is then at the deadline (or later).
    ///
    /// When time passes is the time model's rule ([`clock::Time`]):
    /// - always when no thread can run any more: the earliest deadline among the waiting threads
    ///   passes (every thread waiting for that deadline wakes), so a timed wait never deadlocks
    ///   the execution, and timers expire in deadline order;
    /// - under [`clock::Time::Adversarial`], also at once when the wait begins, by a recorded
    ///   choice (outcome 0, the exceptional one), offered while another thread can run and no
    ///   other waiting thread has an earlier deadline. (The choice is made here, not by offering
    ///   the thread at every step, so that the scheduler's priorities do not decide every race
    ///   against a timeout the same way.)
    pub(crate) fn block_timed(
        &self,
        op: &'static str,
        on: WaitOn,
        at: Loc,
        deadline: Option<std::time::Duration>,
    ) -> bool {
        let stack = self.reg().stack();
        self.block_with(op, on, at, deadline, stack)
    }

    /// [`Exec::block_timed`], with the stack the reports show for the wait (captured in
    /// replays): an async task's is the one its future's poll captured, not the task's own.
    pub(crate) fn block_with(
        &self,
        op: &'static str,
        on: WaitOn,
        at: Loc,
        deadline: Option<std::time::Duration>,
        stack: Option<backtrace::Backtrace>,
    ) -> bool {
        if self.closed() {
            return false;
        }
        let me = self.me();
        if let Some(deadline) = deadline {
            if deadline <= self.now() {
                // Its time has passed already (a deadline in the past, a zero timeout).
                self.note(op, at);
                return true;
            }
            if self.may_expire_early(me, deadline) && self.choose(2) == 0 {
                self.note(op, at);
                let mut reg = self.reg();
                reg.clock.advance(deadline);
                reg.clock.ended_early(op, at);
                return true;
            }
        }
        let deadlock = {
            let mut reg = self.reg();
            let t = &mut reg.threads[me];
            t.status = Status::Blocked(Wait {
                op,
                on,
                at,
                stack,
                timed: deadline.is_some(),
                deadline: deadline.unwrap_or_default(),
            });
            t.last_op = Some((op, at));
            t.timed_out = false;
            if let Some(trace) = reg.trace.as_mut() {
                trace.block(me, op, on, at);
            }
            !reg.any_runnable()
        };
        if deadlock && !self.unstick() {
            self.stop(Stop::Deadlock);
            return false;
        }
        {
            let mut reg = self.reg();
            if reg.threads[me].is_runnable() {
                // Time passed for this very thread.
                reg.threads[me].timed_out = false;
                return true;
            }
        }
        self.backend.block();
        self.backend.switch();
        self.resumed(op, at);
        std::mem::take(&mut self.reg().threads[me].timed_out)
    }

    /// Nothing can run: wakes the test body if, having returned, it waits for the other threads
    /// (it then lets time pass, or ends the execution), or else lets time pass. Returns false if
    /// neither could be done: every thread is blocked for good.
    pub(crate) fn unstick(&self) -> bool {
        if std::mem::take(&mut self.reg().quiescing) {
            self.backend.unblock(BODY);
            return true;
        }
        self.let_time_pass()
    }

    /// Whether a timed wait of the current thread `me` with `deadline` may end as it begins
    /// (under the adversarial time model): another thread can run, and no other thread's timer
    /// with an earlier deadline is pending (in a timed operation that began, whose deadline the
    /// clock has not reached).
    fn may_expire_early(&self, me: Tid, deadline: std::time::Duration) -> bool {
        if self.time != clock::Time::Adversarial {
            return false;
        }
        let reg = self.reg();
        if reg.clock.early_count >= clock::EARLY_BOUND {
            return false;
        }
        let now = reg.clock.now;
        let others = (0..reg.threads.len()).any(|t| t != me && reg.threads[t].is_runnable());
        let pending = |t: Tid| {
            let r = &reg.threads[t];
            [r.timer, reg.deadline_of(t)]
                .into_iter()
                .flatten()
                .min()
                .filter(|&d| d > now && !r.is_finished())
        };
        others
            && (0..reg.threads.len()).all(|t| t == me || pending(t).is_none_or(|d| d >= deadline))
    }

    /// Lets time pass up to the earliest deadline of the threads in a timed wait: the clock
    /// moves there, and every thread waiting for it wakes. Returns false if no thread waits with
    /// a timeout. Called when no thread can run.
    pub(crate) fn let_time_pass(&self) -> bool {
        let mut reg = self.reg();
        let Some((deadline, due)) = reg.earliest_timed() else {
            return false;
        };
        reg.clock.advance(deadline);
        let me = self.me();
        for tid in due {
            reg.threads[tid].timed_out = true;
            if tid == me {
                reg.threads[tid].status = Status::Runnable;
                if let Some(trace) = reg.trace.as_mut() {
                    trace.unblock(tid);
                }
            } else {
                self.wake(&mut reg, tid);
            }
        }
        true
    }

    /// Makes a blocked thread runnable. The caller has taken it off the wait queue.
    pub(crate) fn wake(&self, reg: &mut Registry, tid: Tid) {
        if let Status::Blocked(_) = reg.threads[tid].status {
            reg.threads[tid].status = Status::Runnable;
            if let Some(trace) = reg.trace.as_mut() {
                trace.unblock(tid);
            }
            self.backend.unblock(tid);
        }
    }

    /// A random number the schedule records, for choices other than the next thread. Where one
    /// outcome is the exceptional one (a spurious wake-up, a timeout that fires at once, a reader
    /// passing waiting writers), it is outcome 0: the exhaustive search tries it last.
    pub(crate) fn choose(&self, n: usize) -> usize {
        debug_assert!(n > 0);
        // An exhaustive scheduler enumerates the `n` outcomes; the others draw a number.
        self.ctl.arity.set(n);
        (self.backend.next_u64() % n as u64) as usize
    }

    /// Whether the current thread wakes spuriously instead of blocking: a recorded choice, offered
    /// only when spurious wake-ups are on and another thread can run (so that a thread with
    /// nothing coming is still reported as blocked forever), and taken one time in four.
    pub(crate) fn spurious_wakeup(&self) -> bool {
        if !self.spurious_wakeups || self.closed() {
            return false;
        }
        let me = self.me();
        let others = self
            .reg()
            .threads
            .iter()
            .enumerate()
            .any(|(t, r)| t != me && r.is_runnable());
        let spurious = others && self.choose(4) == 0;
        if spurious {
            self.reg().spurious_wakeups += 1;
        }
        spurious
    }
}

/// Where a `#[track_caller]` function was called from.
#[inline]
#[track_caller]
pub(crate) fn caller() -> Loc {
    Location::caller()
}
