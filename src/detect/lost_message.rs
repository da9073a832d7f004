//! [`FindingKind::LostMessage`](crate::FindingKind::LostMessage): a send future dropped while it
//! held its value (a `select!` that completed another branch first, an aborted task, a dropped
//! future), the receiver still open to take it. The runtime records each loss; the finding says
//! which channel, where the value was given, where the future was dropped, and by whom.

use super::view::View;
use crate::report::{location, Detail, Finding, LastSeen};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    view.reg
        .lost_messages
        .iter()
        .map(|e| {
            Finding::new(Detail::LostMessage {
                task: view.thread(e.task),
                channel: view.object(e.channel),
                operation: e.op.to_string(),
                sent_at: location(e.sent_at),
                dropped_at: e.dropped.map(|(op, at)| LastSeen {
                    operation: op.to_string(),
                    at: location(at),
                }),
                count: e.count,
            })
        })
        .collect()
}
