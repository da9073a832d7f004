//! The shuttle backend: our primitives run on shuttle's engine (task `block`/`unblock` and the
//! scheduling point `switch`), and every decision of the scheduler goes through [`Driven`]
//! (`driven.rs`), which counts steps, records decisions for the replay token, stops an execution
//! when the runtime asks, and in replay mode answers from a token instead. The sampling
//! schedulers it drives are ours (`random.rs`, `pct.rs`) or shuttle's DFS (with spin detection,
//! `spin.rs`).

mod driven;
mod pct;
mod random;
mod spin;

use std::cell::RefCell;
use std::panic::Location;
use std::rc::Rc;

use shuttle_engine::runtime::execution::{Execution, ExecutionState};
use shuttle_engine::runtime::thread::continuation::{ContinuationPool, CONTINUATION_POOL};
use shuttle_engine::scheduler::{Scheduler as EngineScheduler, TaskId};

use crate::runtime::{Backend, Control, Tid, STACK_SIZE};

pub(crate) use driven::{Driven, Sampler};

/// The backend itself holds nothing: shuttle keeps the execution in a scoped thread-local.
#[derive(Debug)]
pub(crate) struct ShuttleBackend;

/// The one instance the runtime refers to.
pub(crate) static SHUTTLE: ShuttleBackend = ShuttleBackend;

impl Backend for ShuttleBackend {
    fn current(&self) -> Tid {
        usize::from(ExecutionState::me())
    }

    fn try_current(&self) -> Option<Tid> {
        ExecutionState::try_with(|s| s.try_current().map(|t| usize::from(t.id())))
            .ok()
            .flatten()
    }

    fn spawn(&self, f: Box<dyn FnOnce()>, name: Option<String>) -> Tid {
        usize::from(ExecutionState::spawn_thread(
            f,
            STACK_SIZE,
            name,
            None,
            Location::caller(),
        ))
    }

    fn switch(&self) {
        shuttle_engine::runtime::thread::switch();
    }

    fn yield_now(&self) {
        shuttle_engine::thread_support::yield_now();
    }

    fn block(&self) {
        ExecutionState::with(|s| s.current_mut().block(false));
    }

    fn unblock(&self, tid: Tid) {
        ExecutionState::with(|s| s.get_mut(TaskId::from(tid)).unblock());
    }

    fn block_new(&self, tid: Tid) -> bool {
        ExecutionState::with(|s| s.get_mut(TaskId::from(tid)).block(false));
        true
    }

    fn next_u64(&self) -> u64 {
        ExecutionState::next_u64()
    }

    fn stop(&self) {
        // The scheduler sees the stop and runs nothing more. The engine's teardown then unwinds
        // the threads' stacks, or resumes a thread that was unwinding a panic to let it finish.
        self.switch();
        assert!(
            std::thread::panicking(),
            "leakcheck: a stopped execution resumed a thread"
        );
    }
}

/// The engine's configuration: we detect deadlocks, step limits and panics ourselves, so the
/// engine must neither print schedules nor stop on its own.
pub(crate) fn engine_config() -> shuttle_engine::Config {
    let mut config = shuttle_engine::Config::new();
    config.failure_persistence = shuttle_engine::FailurePersistence::None;
    config.max_steps = shuttle_engine::MaxSteps::None;
    config.silence_warnings = true;
    config.stack_size = STACK_SIZE;
    config
}

/// Runs `f` with the pool of thread stacks that executions share.
pub(crate) fn with_stack_pool<R>(f: impl FnOnce() -> R) -> R {
    CONTINUATION_POOL.set(&ContinuationPool::new(), f)
}

/// Runs one execution of `body` (the closure of the test body's thread) under `scheduler`.
/// Returns false when the scheduler has no further execution to run.
#[track_caller]
pub(crate) fn run_execution(
    scheduler: &Rc<RefCell<Driven>>,
    config: &shuttle_engine::Config,
    body: impl FnOnce() + Send + 'static,
) -> bool {
    let Some(schedule) = scheduler.borrow_mut().new_execution() else {
        return false;
    };
    let dyn_scheduler: Rc<RefCell<dyn EngineScheduler>> = scheduler.clone();
    Execution::new(dyn_scheduler, schedule).run(config, body, Location::caller());
    true
}

/// Makes shuttle install its panic hook now, and hands back the hook that was in place before it,
/// so that ours can take over: shuttle's hook prints a schedule on every panic, even panics that
/// a test catches on purpose, and even outside any check.
pub(crate) fn take_hook_from_shuttle() -> crate::runtime::panic::Hook {
    let original = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    with_stack_pool(|| {
        let ctl = Rc::new(Control::new(10));
        let scheduler = Rc::new(RefCell::new(Driven::explore(Sampler::Random, 0, 1, ctl)));
        run_execution(&scheduler, &engine_config(), || {});
    });
    // Shuttle's hook now wraps the no-op one; drop both.
    drop(std::panic::take_hook());
    original
}
