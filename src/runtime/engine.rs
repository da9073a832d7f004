//! The engine interface: what the runtime needs from the engine that runs an execution's threads,
//! and the state the engine and the runtime share.
//!
//! The runtime owns every wait queue; an engine only knows how to run threads, block and wake
//! them, pick the next one at a scheduling point, and draw the recorded random numbers that make
//! every other choice (which waiter to wake, whether a timeout fires) replayable. The engines
//! themselves (shuttle's, loom's) live in `crate::backend` and implement [`Backend`].

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::error::ReplayError;

use super::progress::Progress;
use super::Tid;

/// Each model thread's stack. Generous, since user code in debug builds has large frames.
pub(crate) const STACK_SIZE: usize = 0x40000;

/// What the runtime needs from an execution engine.
pub(crate) trait Backend {
    /// The running thread.
    fn current(&self) -> Tid;
    /// The running thread, if the engine has one now (not while it tears an execution down
    /// between threads): what the panic hook asks, which must not panic itself.
    fn try_current(&self) -> Option<Tid> {
        Some(self.current())
    }
    /// Starts a thread; it runs from a later scheduling point on.
    fn spawn(&self, f: Box<dyn FnOnce()>, name: Option<String>) -> Tid;
    /// A scheduling point: the scheduler may run another thread here.
    fn switch(&self);
    /// A scheduling point at which the current thread says it waits for others (spin loops,
    /// `yield_now`, `sleep`). It must not make an order impossible: the thread may run on, or
    /// others first. Only a thread that yields again and again while no other runs (spinning)
    /// is made to give way (see `backend::SPIN_YIELDS`).
    fn yield_now(&self);
    /// Marks the current thread blocked; the next `switch` leaves it until `unblock`.
    fn block(&self);
    /// Makes a blocked thread runnable again.
    fn unblock(&self, tid: Tid);
    /// Marks thread `tid`, just spawned and not yet run, blocked until `unblock`: it is not
    /// scheduled only to find it must wait. Returns false if the engine cannot (the thread then
    /// runs, and blocks itself).
    fn block_new(&self, _tid: Tid) -> bool {
        false
    }
    /// A recorded random number, for choices that are not "which thread runs next".
    fn next_u64(&self) -> u64;
    /// Ends the execution from the current thread (the runtime has recorded why): no thread
    /// runs again but to unwind. Returns only to a thread that is unwinding a panic already (a
    /// destructor blocked), which cannot unwind again: it finishes unwinding with the execution
    /// closed.
    fn stop(&self);
    /// In a stopped execution, waits until the threads `tids` have unwound (a scope calls it
    /// before its frame, which they may borrow from, goes away). Engines that unwind every
    /// thread before the stopping one goes on need not wait.
    fn wait_unwound(&self, tids: &[Tid]) {
        let _ = tids;
    }
}

/// The payload a thread of a stopped execution is unwound with: leakcheck ending the execution
/// (or the whole search), not the code under test panicking. Wrappers that catch panics of the
/// code under test pass it on.
#[derive(Debug)]
pub(crate) enum Teardown {
    /// The execution stopped.
    Execution,
    /// The search ended (a finding, an error, or its cap).
    Search,
}

/// Whether a caught panic is leakcheck unwinding the thread (see [`Teardown`]).
pub(crate) fn is_teardown(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<Teardown>()
}

/// Why an execution was stopped before all its threads finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Every thread is blocked while the body has not returned.
    Deadlock,
    /// The body returned, nothing can run any more, and some threads are left blocked.
    Quiescent,
    /// The execution took more than `max_steps` steps.
    StepLimit,
    /// A replayed schedule did not fit the program.
    Diverged,
    /// The program did something the backend cannot run (the error says what).
    Unsupported,
    /// Thread `tid` came back to the scheduler after `elapsed_ms` milliseconds of wall-clock
    /// time away, past the stall timeout: it was blocked outside leakcheck or computing.
    Stall { tid: Tid, elapsed_ms: u64 },
}

/// One decision of an execution, as a replay token records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// This thread ran next.
    Thread(Tid),
    /// This random number was drawn.
    Random(u64),
}

/// State shared by the scheduler and the runtime of one check.
#[derive(Debug)]
pub(crate) struct Control {
    pub steps: Cell<usize>,
    pub max_steps: usize,
    pub stop: Cell<Option<Stop>>,
    /// The decisions of the current execution, for its replay token.
    pub trace: RefCell<Vec<Decision>>,
    pub diverged: RefCell<Option<ReplayError>>,
    /// How many outcomes the choice being drawn has (set by `Exec::choose`), for the exhaustive
    /// search, which enumerates them.
    pub arity: Cell<usize>,
    /// What the stall watchdog reads of the executions, from its own OS thread.
    pub progress: Arc<Progress>,
    /// The runtime `block_on` models.
    pub flavor: Cell<super::task::Flavor>,
    /// The thread the scheduler chose last, which runs until the next scheduling point, when
    /// the engine's scheduler knows it (see `Exec::me`); `None` when it does not.
    pub running: Cell<Option<Tid>>,
}

impl Control {
    pub(crate) fn new(max_steps: usize) -> Self {
        Self::watched(max_steps, Arc::new(Progress::new(max_steps)))
    }

    /// A control whose executions show their progress to a watchdog through `progress`.
    pub(crate) fn watched(max_steps: usize, progress: Arc<Progress>) -> Self {
        Control {
            progress,
            steps: Cell::new(0),
            max_steps,
            stop: Cell::new(None),
            trace: RefCell::new(Vec::new()),
            diverged: RefCell::new(None),
            arity: Cell::new(0),
            flavor: Cell::new(super::task::Flavor::CurrentThread),
            running: Cell::new(None),
        }
    }

    pub(crate) fn reset(&self) {
        self.running.set(None);
        self.steps.set(0);
        self.stop.set(None);
        self.trace.borrow_mut().clear();
    }

    pub(crate) fn diverge(&self, err: ReplayError) {
        self.diverged.borrow_mut().get_or_insert(err);
        self.stop.set(Some(Stop::Diverged));
    }
}
