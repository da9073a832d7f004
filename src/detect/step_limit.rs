//! [`FindingKind::StepLimit`](crate::FindingKind::StepLimit): the body did not return within the
//! step budget; the threads still running, with where each was last seen.

use super::view::{Ending, View};
use crate::report::{Detail, Finding, RunningThread};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    if view.ending != Ending::OutOfSteps {
        return Vec::new();
    }
    let running = view
        .tids()
        .filter(|&t| view.reg.threads[t].is_runnable())
        .map(|t| RunningThread {
            thread: view.thread(t),
            last_seen: view.last_seen(t),
        })
        .collect();
    vec![Finding::new(Detail::StepLimit {
        max_steps: view.judge.max_steps,
        running,
    })]
}
