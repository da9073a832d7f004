//! [`FindingKind::LeakedThread`](crate::FindingKind::LeakedThread): after the body returned,
//! each thread that never finished (blocked forever, or still running at the step limit) or
//! finished late without being joined.

use super::view::{Ending, View};
use crate::report::{Detail, Finding, LeakState, Role};
use crate::runtime::{JoinState, Status, BODY};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    if !matches!(view.ending, Ending::Returned { .. }) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for tid in view.tids().filter(|&t| t != BODY) {
        let t = &view.reg.threads[tid];
        if t.role != Role::Thread {
            // Tasks are `LeakedTask` findings (`tasks.rs`).
            continue;
        }
        let state = match &t.status {
            Status::Blocked(_) => view.blocked(tid).map(LeakState::BlockedForever),
            Status::Runnable => Some(LeakState::StillRunning {
                max_steps: view.judge.max_steps,
                last_seen: view.last_seen(tid),
            }),
            Status::Finished => (t.finished_after_body
                && t.handle != JoinState::Joined
                && !view.judge.allow_lingering)
                .then_some(LeakState::FinishedLate),
        };
        if let Some(state) = state {
            out.push(Finding::new(Detail::LeakedThread {
                thread: view.thread(tid),
                state,
            }));
        }
    }
    out
}
