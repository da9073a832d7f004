//! [`GiveWay`]: spin detection for a scheduler that ignores yields (shuttle's DFS), so that a
//! correct polling loop ends there too.

use shuttle_engine::scheduler::{Schedule, Scheduler as EngineScheduler, Task, TaskId};

use crate::backend::SPIN_YIELDS;

/// Wraps a scheduler that takes a yield for an ordinary scheduling point. A yield stays one (the
/// yielding thread may run on, or another may run first), except for a thread that spins: once
/// it has yielded [`SPIN_YIELDS`] times in a row while no other thread ran, it is left out of the
/// choice (if another thread can run) until another thread has run.
#[derive(Debug)]
pub(super) struct GiveWay<S> {
    inner: S,
    /// The thread that ran last, and how many times in a row it yielded while no other ran.
    spin: (Option<TaskId>, usize),
}

impl<S> GiveWay<S> {
    pub(super) fn new(inner: S) -> Self {
        GiveWay {
            inner,
            spin: (None, 0),
        }
    }
}

impl<S: EngineScheduler> EngineScheduler for GiveWay<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.spin = (None, 0);
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        if self.spin.0 != current {
            self.spin = (current, 0);
        }
        if is_yielding {
            self.spin.1 += 1;
        }
        let spinning = is_yielding && self.spin.1 >= SPIN_YIELDS;
        if spinning && runnable.len() > 1 {
            let others: Vec<&Task> = runnable
                .iter()
                .copied()
                .filter(|t| Some(t.id()) != current)
                .collect();
            if !others.is_empty() {
                return self.inner.next_task(&others, current, is_yielding);
            }
        }
        self.inner.next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}
