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

pub(crate) mod barrier;
pub(crate) mod channel;
pub(crate) mod condvar;
mod engine;
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) mod fair_rwlock;
pub(crate) mod mutex;
pub(crate) mod object;
pub(crate) mod once;
pub(crate) mod panic;
mod registry;
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) mod remutex;
pub(crate) mod rwlock;
pub(crate) mod semaphore;
pub(crate) mod slot;
pub(crate) mod thread;
#[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
pub(crate) mod timed;
pub(crate) mod token;

use std::cell::{RefCell, RefMut};
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub(crate) use engine::{is_teardown, Backend, Control, Decision, Stop, Teardown, STACK_SIZE};
pub(crate) use object::{ObjState, State};
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
    ) -> Self {
        Exec {
            reg: RefCell::new(Registry::new(capture)),
            ctl,
            backend,
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            spurious_wakeups,
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
        self.backend.current()
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
        if let Some(t) = self.reg().threads.get_mut(me) {
            t.last_op = Some((op, at));
            // A panic the code under test caught itself: nothing of this thread unwinds now.
            if t.unwinding && !std::thread::panicking() {
                t.unwinding = false;
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
        !self.closed()
    }

    /// A scheduling point at which the current thread waits for others.
    pub(crate) fn yield_now(&self, op: &'static str, at: Loc) {
        if self.closed() {
            return;
        }
        self.note(op, at);
        self.backend.yield_now();
    }

    /// Stops the execution from the current thread: the scheduler runs nothing more, and the
    /// execution's registry is left as it is for the detectors. Returns only to a thread that
    /// is unwinding a panic (see [`Backend::stop`]); the execution is closed then.
    pub(crate) fn stop(&self, why: Stop) {
        self.ctl.stop.set(Some(why));
        self.backend.stop();
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
        self.block_timed(op, on, at, false);
    }

    /// Blocks the current thread until another wakes it or, for a `timed` wait, until the
    /// scheduler lets time pass. Returns whether time passed (the wait timed out).
    ///
    /// When a timed wait begins while other threads can run, a recorded choice decides whether
    /// its time passes at once or it waits for a partner; either way, time passes when nothing
    /// else could run, so a timed wait never deadlocks the execution. (The choice is made here,
    /// not by offering the thread at every step, so that the scheduler's priorities do not
    /// decide every race against a timeout the same way.)
    pub(crate) fn block_timed(&self, op: &'static str, on: WaitOn, at: Loc, timed: bool) -> bool {
        if self.closed() {
            return false;
        }
        let me = self.me();
        if timed && self.reg().any_runnable() && self.choose(2) == 0 {
            self.note(op, at);
            return true;
        }
        let deadlock = {
            let mut reg = self.reg();
            let stack = reg.stack();
            let t = &mut reg.threads[me];
            t.status = Status::Blocked(Wait {
                op,
                on,
                at,
                stack,
                timed,
            });
            t.last_op = Some((op, at));
            t.timed_out = false;
            !reg.any_runnable()
        };
        if deadlock && !self.let_time_pass() {
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
        std::mem::take(&mut self.reg().threads[me].timed_out)
    }

    /// Lets time pass for one thread in a timed wait (which one is the scheduler's choice), so
    /// that it can run. Returns false if no thread waits with a timeout.
    pub(crate) fn let_time_pass(&self) -> bool {
        let timed = self.reg().timed_waiters();
        if timed.is_empty() {
            return false;
        }
        let tid = timed[if timed.len() > 1 {
            self.choose(timed.len())
        } else {
            0
        }];
        let mut reg = self.reg();
        reg.threads[tid].timed_out = true;
        if tid == self.me() {
            reg.threads[tid].status = Status::Runnable;
        } else {
            self.wake(&mut reg, tid);
        }
        true
    }

    /// Makes a blocked thread runnable. The caller has taken it off the wait queue.
    pub(crate) fn wake(&self, reg: &mut Registry, tid: Tid) {
        if let Status::Blocked(_) = reg.threads[tid].status {
            reg.threads[tid].status = Status::Runnable;
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
        others && self.choose(4) == 0
    }
}

/// Where a `#[track_caller]` function was called from.
#[inline]
#[track_caller]
pub(crate) fn caller() -> Loc {
    Location::caller()
}
