//! The shuttle backend: our primitives run on shuttle's engine (task `block`/`unblock` and the
//! scheduling point `switch`), and every decision of shuttle's schedulers goes through
//! [`Driven`], which counts steps, records decisions for the replay token, stops an execution
//! when the runtime asks, and in replay mode answers from a token instead.

use std::cell::RefCell;
use std::panic::Location;
use std::rc::Rc;

use shuttle::scheduler::DfsScheduler;
use shuttle_engine::runtime::execution::{Execution, ExecutionState};
use shuttle_engine::runtime::thread::continuation::{ContinuationPool, CONTINUATION_POOL};
use shuttle_engine::scheduler::{Schedule, Scheduler as EngineScheduler, Task, TaskId};

use super::{Backend, Control, Stop, STACK_SIZE};
use crate::config::Scheduler;
use crate::replay::{Cursor, Decision};
use crate::runtime::Tid;

/// The backend itself holds nothing: shuttle keeps the execution in a scoped thread-local.
#[derive(Debug)]
pub(crate) struct ShuttleBackend;

/// The one instance the runtime refers to.
pub(crate) static SHUTTLE: ShuttleBackend = ShuttleBackend;

impl Backend for ShuttleBackend {
    fn current(&self) -> Tid {
        usize::from(ExecutionState::me())
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

enum Source {
    Explore(Box<dyn EngineScheduler>),
    Replay { cursor: Cursor, started: bool },
}

/// The scheduler every execution runs under: shuttle's scheduler (or a replay cursor), wrapped.
pub(crate) struct Driven {
    source: Source,
    ctl: Rc<Control>,
    record: bool,
}

impl Driven {
    /// Explores with shuttle's scheduler of the given kind.
    pub(crate) fn explore(kind: Scheduler, seed: u64, schedules: usize, ctl: Rc<Control>) -> Self {
        let inner: Box<dyn EngineScheduler> = match kind {
            Scheduler::Random => Box::new(UniformRandom::new(seed, schedules)),
            Scheduler::Pct { depth } => Box::new(Pct::new(seed, depth, schedules)),
            Scheduler::Dfs => Box::new(DfsScheduler::new(Some(schedules), true)),
            Scheduler::Exhaustive { .. } => {
                unreachable!("leakcheck: the exhaustive scheduler runs on loom, not shuttle")
            }
        };
        Driven {
            source: Source::Explore(inner),
            ctl,
            record: true,
        }
    }

    /// Replays the decisions of a token.
    pub(crate) fn replay(cursor: Cursor, ctl: Rc<Control>) -> Self {
        Driven {
            source: Source::Replay {
                cursor,
                started: false,
            },
            ctl,
            record: false,
        }
    }

    /// Whether a replayed schedule was used up exactly.
    pub(crate) fn replay_finished(&self) -> bool {
        match &self.source {
            Source::Replay { cursor, .. } => cursor.is_done(),
            Source::Explore(_) => true,
        }
    }
}

impl EngineScheduler for Driven {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.ctl.reset();
        match &mut self.source {
            Source::Explore(inner) => inner.new_execution(),
            Source::Replay { started, .. } => {
                if std::mem::replace(started, true) {
                    None
                } else {
                    Some(Schedule::new(0))
                }
            }
        }
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        if self.ctl.stop.get().is_some() {
            return None;
        }
        let steps = self.ctl.steps.get() + 1;
        self.ctl.steps.set(steps);
        if steps > self.ctl.max_steps {
            self.ctl.stop.set(Some(Stop::StepLimit));
            return None;
        }
        match &mut self.source {
            Source::Explore(inner) => {
                let next = inner.next_task(runnable, current, is_yielding)?;
                if self.record {
                    self.ctl
                        .trace
                        .borrow_mut()
                        .push(Decision::Thread(usize::from(next)));
                }
                Some(next)
            }
            Source::Replay { cursor, .. } => {
                let ids = runnable.iter().map(|t| usize::from(t.id()));
                match cursor.next_thread(ids) {
                    Ok(tid) => Some(TaskId::from(tid)),
                    Err(err) => {
                        self.ctl.diverge(err);
                        None
                    }
                }
            }
        }
    }

    fn next_u64(&mut self) -> u64 {
        match &mut self.source {
            Source::Explore(inner) => {
                let value = inner.next_u64();
                if self.record {
                    self.ctl.trace.borrow_mut().push(Decision::Random(value));
                }
                value
            }
            Source::Replay { cursor, .. } => match cursor.next_random() {
                Ok(value) => value,
                Err(err) => {
                    self.ctl.diverge(err);
                    0
                }
            },
        }
    }
}

/// SplitMix64: small, fast, and good enough to pick threads.
#[derive(Debug)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A uniformly random scheduler. Ours rather than shuttle's `RandomScheduler`, which takes its
/// seed from `SHUTTLE_RANDOM_SEED` when that is set and prints a "failing seed" whenever a run
/// stops early, as every failing check does.
#[derive(Debug)]
struct UniformRandom {
    seeds: SplitMix,
    rng: SplitMix,
    executions: usize,
    max: usize,
}

impl UniformRandom {
    fn new(seed: u64, max: usize) -> Self {
        UniformRandom {
            seeds: SplitMix(seed),
            rng: SplitMix(0),
            executions: 0,
            max,
        }
    }
}

impl EngineScheduler for UniformRandom {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.executions >= self.max {
            return None;
        }
        self.executions += 1;
        let seed = self.seeds.next();
        self.rng = SplitMix(seed);
        Some(Schedule::new(seed))
    }

    fn next_task(&mut self, runnable: &[&Task], _: Option<TaskId>, _: bool) -> Option<TaskId> {
        let i = (self.rng.next() % runnable.len() as u64) as usize;
        Some(runnable[i].id())
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next()
    }
}

/// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): every thread gets a
/// random priority, the highest-priority runnable thread runs, and at `depth - 1` random steps
/// the running thread drops below every other. A thread that yields drops too, so polling loops
/// progress. Ours rather than shuttle's `PctScheduler`, which panics on a body that never has
/// two runnable threads and takes its seed from `SHUTTLE_RANDOM_SEED` when that is set.
#[derive(Debug)]
struct Pct {
    rng: SplitMix,
    data: SplitMix,
    depth: usize,
    executions: usize,
    max: usize,
    /// Priority by thread; higher runs first.
    priorities: Vec<Option<u64>>,
    /// The next priority to give a thread that drops (below every initial one).
    next_low: u64,
    change_points: Vec<usize>,
    steps: usize,
    /// The most steps with a choice any execution took: where change points are drawn from.
    max_steps: usize,
    /// The thread chosen last, and how many choices in a row it won while others could run.
    streak: (Option<TaskId>, usize),
}

/// How many choices in a row a thread may win over runnable others before it drops, as at a
/// change point. Strict priorities would let a thread that busy-waits (without yielding) on
/// another starve it forever, a schedule no fair OS scheduler produces: a false alarm.
const PCT_FAIRNESS_BOUND: usize = 256;

impl Pct {
    fn new(seed: u64, depth: usize, max: usize) -> Self {
        Pct {
            rng: SplitMix(seed),
            data: SplitMix(0),
            depth,
            executions: 0,
            max,
            priorities: Vec::new(),
            next_low: 1 << 62,
            change_points: Vec::new(),
            steps: 0,
            max_steps: 0,
            streak: (None, 0),
        }
    }

    fn priority(&mut self, tid: usize) -> u64 {
        if self.priorities.len() <= tid {
            self.priorities.resize(tid + 1, None);
        }
        match self.priorities[tid] {
            Some(p) => p,
            None => {
                let p = (1 << 63) | (self.rng.next() >> 1);
                self.priorities[tid] = Some(p);
                p
            }
        }
    }
}

impl EngineScheduler for Pct {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.executions >= self.max {
            return None;
        }
        self.executions += 1;
        self.priorities.clear();
        self.next_low = 1 << 62;
        self.steps = 0;
        self.streak = (None, 0);
        self.change_points.clear();
        let points = (self.depth - 1).min(self.max_steps);
        while self.change_points.len() < points {
            let p = 1 + (self.rng.next() % self.max_steps as u64) as usize;
            if !self.change_points.contains(&p) {
                self.change_points.push(p);
            }
        }
        let seed = self.rng.next();
        self.data = SplitMix(seed);
        Some(Schedule::new(seed))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        if runnable.len() > 1 {
            self.steps += 1;
            self.max_steps = self.max_steps.max(self.steps);
            if let Some(cur) = current {
                let starving = self.streak.0 == Some(cur) && self.streak.1 >= PCT_FAIRNESS_BOUND;
                if is_yielding || starving || self.change_points.contains(&self.steps) {
                    let tid = usize::from(cur);
                    self.priority(tid);
                    self.priorities[tid] = Some(self.next_low);
                    self.next_low -= 1;
                }
            }
        }
        let mut best = None;
        for t in runnable {
            let p = self.priority(usize::from(t.id()));
            if best.is_none_or(|(bp, _)| p > bp) {
                best = Some((p, t.id()));
            }
        }
        let chosen = best.map(|(_, id)| id);
        if runnable.len() > 1 && chosen == self.streak.0 {
            self.streak.1 += 1;
        } else {
            self.streak = (chosen, 0);
        }
        chosen
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next()
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
pub(crate) fn take_hook_from_shuttle() -> Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>
{
    let original = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    with_stack_pool(|| {
        let ctl = Rc::new(Control::new(10));
        let scheduler = Rc::new(RefCell::new(Driven::explore(Scheduler::Random, 0, 1, ctl)));
        run_execution(&scheduler, &engine_config(), || {});
    });
    // Shuttle's hook now wraps the no-op one; drop both.
    drop(std::panic::take_hook());
    original
}
