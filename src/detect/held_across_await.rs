//! [`FindingKind::HeldAcrossAwait`](crate::FindingKind::HeldAcrossAwait): a task suspended at an
//! `.await` while it held a lock of the `sync` facade (a std-style guard across an await). The
//! runtime records each time it happens; the finding says where the lock was taken, where the
//! task suspended, and who was left waiting for the lock.

use super::view::View;
use crate::report::{location, Detail, Finding};
use crate::runtime::{Status, WaitOn};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    view.reg
        .held_across_await
        .iter()
        .map(|e| {
            let waiters = view
                .tids()
                .filter(|&t| {
                    matches!(&view.reg.threads[t].status,
                        Status::Blocked(w) if w.on == WaitOn::Object(e.lock) && t != e.task)
                })
                .map(|t| view.thread(t))
                .collect();
            Finding::new(Detail::HeldAcrossAwait {
                task: view.thread(e.task),
                lock: view.object(e.lock),
                locked_at: location(e.locked_at),
                suspended_at: location(e.at),
                awaiting: e.known.then(|| e.op.to_string()),
                waiters,
            })
        })
        .collect()
}
