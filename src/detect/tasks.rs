//! [`FindingKind::LeakedTask`](crate::FindingKind::LeakedTask): after the body returned, each
//! async task that never completed (pending forever, pending with no waker left, still runnable
//! at the step limit) or completed late without being awaited. A task that was aborted is not a
//! leak: it ends at its next poll, as tokio's do.

use super::view::{seen, Ending, View};
use crate::report::Role;
use crate::report::{Detail, Finding, LostWakerDrop, TaskLeak};
use crate::runtime::task::POLL;
use crate::runtime::{JoinState, Status, WaitOn, BODY};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    if !matches!(view.ending, Ending::Returned { .. }) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for tid in view.tids().filter(|&t| t != BODY) {
        let t = &view.reg.threads[tid];
        if t.role == Role::Thread {
            continue;
        }
        let task = t.task.as_deref();
        if task.is_some_and(|task| task.aborted) {
            continue;
        }
        let state = match &t.status {
            Status::Blocked(w) => {
                // Lost only if it is still suspended (not blocked inside a poll).
                let lost = task
                    .filter(|task| task.suspended)
                    .and_then(|task| task.lost);
                match lost {
                    Some(lost) => Some(TaskLeak::LostWaker {
                        last_seen: view.last_seen(tid),
                        dropped_by: lost.by.map(|(by, last)| LostWakerDrop {
                            by: view.thread(by),
                            last_seen: last.map(seen),
                        }),
                    }),
                    None => Some(TaskLeak::PendingForever {
                        // A task suspended on a future leakcheck does not know, or waiting
                        // for a worker, shows where it was last; otherwise what it awaits.
                        awaiting: (w.on != WaitOn::Wake && w.op != POLL)
                            .then(|| view.blocked(tid))
                            .flatten(),
                        last_seen: view.last_seen(tid),
                    }),
                }
            }
            Status::Runnable => Some(TaskLeak::StillRunnable {
                max_steps: view.judge.max_steps,
                // Where it awaited last says more than its polls, which are all at its spawn.
                last_seen: task
                    .and_then(|task| task.last_await)
                    .map(seen)
                    .or_else(|| view.last_seen(tid)),
            }),
            Status::Finished => (t.finished_after_body
                && t.handle != JoinState::Joined
                && !view.judge.allow_lingering)
                .then_some(TaskLeak::FinishedLate),
        };
        if let Some(state) = state {
            out.push(Finding::new(Detail::LeakedTask {
                task: view.thread(tid),
                state,
                detached: t.handle == JoinState::Dropped,
            }));
        }
    }
    out
}
