//! [`FindingKind::UnresponsiveCancellation`](crate::FindingKind::UnresponsiveCancellation):
//! threads that use a cancelled token and stay blocked where they cannot see the cancellation;
//! and async tasks that use one and are still runnable when the steps run out after the body
//! returned (a loop that never looks at the token again).

use super::view::{Ending, View};
use crate::report::{location, Blocked, Cancelled, Detail, Finding, Role, Target};
use crate::runtime::token::TokenState;
use crate::runtime::{State, Status, Tid, WaitOn};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    let runnable = view.ending == Ending::Returned { out_of_steps: true };
    if !view.settled() && !runnable {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, object) in view.reg.objects.iter().enumerate() {
        let Some(token) = TokenState::of(&object.state) else {
            continue;
        };
        let Some((by, at)) = token.cancelled else {
            continue;
        };
        let cancelled = || Cancelled {
            at: location(at),
            by: view.thread(by),
        };
        for &t in &token.users {
            if t == by {
                // The thread that cancelled knows.
                continue;
            }
            if runnable {
                if token.awaiting.contains(&t) {
                    continue;
                }
                if let Some(blocked) = still_runnable(view, t) {
                    out.push(Finding::new(Detail::UnresponsiveCancellation {
                        thread: view.thread(t),
                        token: view.object(id),
                        cancelled: cancelled(),
                        blocked,
                        still_runnable: Some(view.judge.max_steps),
                    }));
                }
                continue;
            }
            // A thread joining another waits for that thread, whose own wait is the one to
            // report.
            let joining = matches!(
                &view.reg.threads[t].status,
                Status::Blocked(w) if matches!(w.on, WaitOn::Thread(_))
            );
            if !view.stuck(t) || joining {
                continue;
            }
            let watches_done = token
                .done
                .is_some_and(|d| view.selection(t).iter().any(|&(c, _)| c == d))
                || token.awaiting.contains(&t);
            if watches_done {
                continue;
            }
            let Some(blocked) = view.blocked(t) else {
                continue;
            };
            out.push(Finding::new(Detail::UnresponsiveCancellation {
                thread: view.thread(t),
                token: view.object(id),
                cancelled: cancelled(),
                blocked,
                still_runnable: None,
            }));
        }
    }
    out
}

/// For an async task (not aborted) still runnable at the step limit: where it last suspended
/// (or was last seen), as the place it does not look at the token.
fn still_runnable(view: &View<'_>, t: Tid) -> Option<Blocked> {
    let rec = &view.reg.threads[t];
    if rec.role == Role::Thread || !matches!(rec.status, Status::Runnable) {
        return None;
    }
    let task = rec.task.as_deref()?;
    if task.aborted {
        return None;
    }
    let (op, at) = task.last_await.or(rec.last_op)?;
    Some(Blocked {
        operation: op.to_string(),
        on: Target::Wake,
        at: location(at),
        stack: Vec::new(),
        held_by: Vec::new(),
        channels: Vec::new(),
    })
}
