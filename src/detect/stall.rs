//! [`FindingKind::Stall`](crate::FindingKind::Stall): a thread stayed away from the scheduler
//! past the stall timeout, and came back: it was blocked outside leakcheck (a std primitive used
//! directly, real I/O) or computing. The watchdog reports a thread that never comes back itself
//! (`crate::explore`), with [`finding`].

use super::view::{Ending, View};
use crate::report::{Detail, Finding, LastSeen, ThreadInfo};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    let Ending::Stalled { tid, elapsed_ms } = view.ending else {
        return Vec::new();
    };
    vec![finding(
        view.thread(tid),
        view.last_seen(tid),
        view.judge.stall_timeout_ms,
        elapsed_ms,
        true,
    )]
}

/// The finding of a thread that stalled.
pub(crate) fn finding(
    thread: ThreadInfo,
    last_seen: Option<LastSeen>,
    timeout_ms: u64,
    elapsed_ms: u64,
    came_back: bool,
) -> Finding {
    Finding::new(Detail::Stall {
        thread,
        last_seen,
        timeout_ms,
        elapsed_ms: elapsed_ms.max(timeout_ms),
        came_back,
    })
}
