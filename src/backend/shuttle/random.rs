//! The uniformly random scheduler, and the small generator the sampling schedulers draw from.

use shuttle_engine::scheduler::{Schedule, Scheduler as EngineScheduler, Task, TaskId};

/// SplitMix64: small, fast, and good enough to pick threads.
#[derive(Debug)]
pub(super) struct SplitMix(pub(super) u64);

impl SplitMix {
    pub(super) fn next(&mut self) -> u64 {
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
pub(super) struct UniformRandom {
    seeds: SplitMix,
    rng: SplitMix,
    executions: usize,
    max: usize,
}

impl UniformRandom {
    pub(super) fn new(seed: u64, max: usize) -> Self {
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
