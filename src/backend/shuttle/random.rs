//! The uniformly random scheduler, and the small generator the sampling schedulers draw from.

use shuttle_engine::scheduler::{Schedule, Scheduler as EngineScheduler, Task, TaskId};

/// SplitMix64: small, fast, and good enough to pick threads.
#[derive(Debug)]
pub(super) struct SplitMix(pub(super) u64);

impl SplitMix {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
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
    seed: u64,
    rng: SplitMix,
    /// The index (from 0) of the next schedule to run, and how far apart this one's are.
    next: usize,
    stride: usize,
    max: usize,
}

/// SplitMix64's increment: its state after `k` draws is the seed plus `k` of these.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl UniformRandom {
    #[cfg(test)]
    pub(super) fn new(seed: u64, max: usize) -> Self {
        Self::part(seed, max, 0, 1)
    }

    /// Only the schedules `first`, `first + stride`, ... (indices from 0) of the `max` that
    /// `new(seed, max)` runs, each the same as there: schedule `k` is a function of the seed and
    /// `k` alone (its seed is the generator's `k`-th draw from `seed`, computed directly).
    pub(super) fn part(seed: u64, max: usize, first: usize, stride: usize) -> Self {
        UniformRandom {
            seed,
            rng: SplitMix(0),
            next: first,
            stride: stride.max(1),
            max,
        }
    }
}

impl EngineScheduler for UniformRandom {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.next >= self.max {
            return None;
        }
        let k = self.next as u64;
        self.next = self.next.saturating_add(self.stride);
        let seed = SplitMix(self.seed.wrapping_add(k.wrapping_mul(GAMMA))).next();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds(mut s: UniformRandom) -> Vec<u64> {
        std::iter::from_fn(|| s.new_execution().map(|_| s.rng.0)).collect()
    }

    #[test]
    fn parts_run_the_same_schedules_as_the_whole() {
        let whole = seeds(UniformRandom::new(0x5eed, 10));
        assert_eq!(whole.len(), 10);
        // The sequential generator's draws, as before parts existed.
        let mut g = SplitMix(0x5eed);
        assert_eq!(whole, (0..10).map(|_| g.next()).collect::<Vec<_>>());
        for n in 1..4 {
            let mut merged = vec![0; 10];
            for w in 0..n {
                for (i, s) in seeds(UniformRandom::part(0x5eed, 10, w, n))
                    .into_iter()
                    .enumerate()
                {
                    merged[w + i * n] = s;
                }
            }
            assert_eq!(merged, whole, "{n} parts");
        }
    }
}
