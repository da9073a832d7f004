//! The detectors: they read a stopped execution and judge what it shows, one module per finding
//! kind, each a function from the execution's [`View`] to findings. Each finding is a typed
//! value; `report` renders it.

mod cancellation;
mod channels;
mod deadlock;
mod held_across_await;
mod leaked;
mod lock_order;
mod lost_message;
mod missed_signal;
mod panics;
mod stall;
mod step_limit;
mod tasks;
mod view;

use crate::report::{Finding, FindingKind};
use crate::runtime::{Registry, Stop};

pub(crate) use self::stall::finding as stall_finding;
use self::view::View;

/// A detector: the findings of one kind that a stopped execution shows.
type Detector = fn(&View<'_>) -> Vec<Finding>;

/// Every detector, with the kind it finds, in report order ([`FindingKind::ALL`]'s).
const DETECTORS: [(FindingKind, Detector); 12] = [
    (FindingKind::Deadlock, deadlock::detect),
    (FindingKind::LeakedThread, leaked::detect),
    (FindingKind::LeakedTask, tasks::detect),
    (FindingKind::UnclosedChannel, channels::detect),
    (FindingKind::MissedSignal, missed_signal::detect),
    (FindingKind::UnresponsiveCancellation, cancellation::detect),
    (FindingKind::LockOrderInversion, lock_order::detect),
    (FindingKind::HeldAcrossAwait, held_across_await::detect),
    (FindingKind::LostMessage, lost_message::detect),
    (FindingKind::Panic, panics::detect),
    (FindingKind::StepLimit, step_limit::detect),
    (FindingKind::Stall, stall::detect),
];

/// The judge of a check's executions: the detectors, with the settings they need.
#[derive(Clone, Debug)]
pub(crate) struct Judge {
    pub allow_lingering: bool,
    pub max_steps: usize,
    /// The stall timeout, in milliseconds.
    pub stall_timeout_ms: u64,
    /// Whether a panic in a thread whose `JoinHandle` was dropped without joining is accepted.
    pub allow_detached_panics: bool,
}

impl Judge {
    /// The findings of one execution, whose registry is `reg`, stopped for `stop`, in report
    /// order: by kind (as [`FindingKind::ALL`] lists them), then as found.
    pub(crate) fn findings(&self, reg: &mut Registry, stop: Option<Stop>) -> Vec<Finding> {
        let view = View::new(reg, stop, self);
        let mut out = Vec::new();
        for (kind, detect) in DETECTORS {
            let found = detect(&view);
            debug_assert!(found.iter().all(|f| f.kind() == kind), "{kind} detector");
            out.extend(found);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_one_detector_per_kind_in_report_order() {
        assert_eq!(DETECTORS.map(|(kind, _)| kind), FindingKind::ALL);
    }
}
