//! [`FindingKind::UnresponsiveCancellation`](crate::FindingKind::UnresponsiveCancellation):
//! threads that use a cancelled token and stay blocked where they cannot see the cancellation.

use super::view::View;
use crate::report::{location, Cancelled, Detail, Finding};
use crate::runtime::token::TokenState;
use crate::runtime::{State, Status, WaitOn};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    if !view.settled() {
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
        for &t in &token.users {
            // The thread that cancelled knows; a thread joining another waits for that thread,
            // whose own wait is the one to report.
            let joining = matches!(
                &view.reg.threads[t].status,
                Status::Blocked(w) if matches!(w.on, WaitOn::Thread(_))
            );
            if !view.stuck(t) || t == by || joining {
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
                cancelled: Cancelled {
                    at: location(at),
                    by: view.thread(by),
                },
                blocked,
            }));
        }
    }
    out
}
