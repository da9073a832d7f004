//! Probabilistic Concurrency Testing, with a fairness bound.

use shuttle_engine::scheduler::{Schedule, Scheduler as EngineScheduler, Task, TaskId};

use super::random::SplitMix;
use crate::backend::SPIN_YIELDS;

/// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): every thread gets a
/// random priority, the highest-priority runnable thread runs, and at `depth - 1` random steps
/// the running thread drops below every other. A yield (`yield_now`, a `sleep`) is an ordinary
/// scheduling point: the yielding thread keeps its priority, so it runs on before every thread of
/// lower priority and after every one of higher, and a change point there drops it below all.
/// Only spinning drops it: [`SPIN_YIELDS`] yields in a row while no other thread ran, so that a
/// polling loop lets the thread it waits for run. Ours rather than shuttle's `PctScheduler`, which panics on a body that never has
/// two runnable threads and takes its seed from `SHUTTLE_RANDOM_SEED` when that is set.
#[derive(Debug)]
pub(super) struct Pct {
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
    /// The thread that ran last, and how many times in a row it yielded while no other ran.
    spin: (Option<TaskId>, usize),
}

/// How many choices in a row a thread may win over runnable others before it drops, as at a
/// change point. Strict priorities would let a thread that busy-waits (without yielding) on
/// another starve it forever, a schedule no fair OS scheduler produces: a false alarm.
const PCT_FAIRNESS_BOUND: usize = 256;

impl Pct {
    pub(super) fn new(seed: u64, depth: usize, max: usize) -> Self {
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
            spin: (None, 0),
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
        self.spin = (None, 0);
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
        // Spin detection: yields of the current thread since another thread last ran.
        if self.spin.0 != current {
            self.spin = (current, 0);
        }
        if is_yielding {
            self.spin.1 += 1;
        }
        if runnable.len() > 1 {
            self.steps += 1;
            self.max_steps = self.max_steps.max(self.steps);
            if let Some(cur) = current {
                let starving = self.streak.0 == Some(cur) && self.streak.1 >= PCT_FAIRNESS_BOUND;
                let spinning = is_yielding && self.spin.1 >= SPIN_YIELDS;
                if spinning || starving || self.change_points.contains(&self.steps) {
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
