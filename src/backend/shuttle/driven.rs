//! [`Driven`]: the scheduler every shuttle execution runs under. It wraps a sampling scheduler
//! (or a replay cursor), counts steps against the limit, records every decision for the replay
//! token, and stops the execution when the runtime asks.

use std::rc::Rc;

use shuttle::scheduler::DfsScheduler;
use shuttle_engine::scheduler::{Schedule, Scheduler as EngineScheduler, Task, TaskId};

use super::pct::Pct;
use super::random::UniformRandom;
use super::spin::GiveWay;
use crate::replay::Cursor;
use crate::report::location;
use crate::runtime::{Control, Decision, Stop};

/// The sampling schedulers `Driven` can explore with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sampler {
    /// Uniformly random.
    Random,
    /// Probabilistic Concurrency Testing of this depth.
    Pct { depth: usize },
    /// shuttle's depth-first search.
    Dfs,
}

impl Sampler {
    /// Whether each schedule is a function of the seed and its index alone, so that the
    /// schedules can be split among workers: only the random scheduler's. PCT places its change
    /// points from the lengths of the executions before; DFS walks its tree in order.
    pub(crate) fn splits(self) -> bool {
        matches!(self, Sampler::Random)
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
    pub(crate) fn explore(kind: Sampler, seed: u64, schedules: usize, ctl: Rc<Control>) -> Self {
        Self::explore_part(kind, seed, schedules, (0, 1), ctl)
    }

    /// Explores the part `(w, n)` of the schedules: those whose index (from 0) is `w` modulo
    /// `n`, each the same as in the whole. Only [`Sampler::Random`] can be split: the others run
    /// the whole whatever `part` says (see [`Sampler::splits`]).
    pub(crate) fn explore_part(
        kind: Sampler,
        seed: u64,
        schedules: usize,
        part: (usize, usize),
        ctl: Rc<Control>,
    ) -> Self {
        let inner: Box<dyn EngineScheduler> = match kind {
            Sampler::Random => Box::new(UniformRandom::part(seed, schedules, part.0, part.1)),
            Sampler::Pct { depth } => Box::new(Pct::new(seed, depth, schedules)),
            Sampler::Dfs => Box::new(GiveWay::new(DfsScheduler::new(Some(schedules), true))),
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

    /// The thread that asks for a decision now, its operation and where, as an error message
    /// names them: the last scheduling point the runtime announced.
    fn asking(&self) -> Option<String> {
        let (tid, op, at) = self.ctl.progress.last()?;
        let at = location(at);
        Some(format!("thread#{tid} in {op} at {at}"))
    }

    /// How many recorded decisions a replay used, and how many there are.
    pub(crate) fn replay_used(&self) -> Option<(usize, usize)> {
        match &self.source {
            Source::Replay { cursor, .. } => Some(cursor.used()),
            Source::Explore(_) => None,
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
        self.ctl.progress.recording();
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
        let next = self.choose(runnable, current, is_yielding);
        self.ctl.running.set(next.map(usize::from));
        next
    }

    fn next_u64(&mut self) -> u64 {
        self.draw()
    }
}

impl Driven {
    /// The scheduler's choice of the next thread to run, if the execution goes on.
    fn choose(
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
                self.ctl
                    .progress
                    .record(Decision::Thread(usize::from(next)));
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
                    Ok(tid) => {
                        self.ctl.progress.record(Decision::Thread(tid));
                        Some(TaskId::from(tid))
                    }
                    Err(d) => {
                        self.ctl.diverge(d.error(self.asking()));
                        None
                    }
                }
            }
        }
    }

    /// A random number for the program, drawn or replayed.
    fn draw(&mut self) -> u64 {
        match &mut self.source {
            Source::Explore(inner) => {
                // A choice among `arity` outcomes only needs its outcome: recorded as such, it
                // takes a byte in the token instead of ten (and repeats compress), and the
                // program, which takes the number modulo `arity`, sees the same outcome.
                let arity = self.ctl.arity.replace(0) as u64;
                let value = match inner.next_u64() {
                    v if arity > 0 => v % arity,
                    v => v,
                };
                self.ctl.progress.record(Decision::Random(value));
                if self.record {
                    self.ctl.trace.borrow_mut().push(Decision::Random(value));
                }
                value
            }
            Source::Replay { cursor, .. } => match cursor.next_random() {
                Ok(value) => {
                    self.ctl.arity.set(0);
                    self.ctl.progress.record(Decision::Random(value));
                    value
                }
                Err(d) => {
                    self.ctl.diverge(d.error(self.asking()));
                    0
                }
            },
        }
    }
}
