//! [`FindingKind::LockOrderInversion`](crate::FindingKind::LockOrderInversion): two locks taken
//! in opposite orders by two threads that could overlap in time, with no common lock held
//! around both orders.

use super::view::View;
use crate::report::{location, Detail, Finding, LockOrder, LockTaken};
use crate::runtime::{happened_before, LockEdge};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    let edges = &view.reg.lock_edges;
    let mut out = Vec::new();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for (i, a) in edges.iter().enumerate() {
        for b in &edges[i + 1..] {
            let inverse = a.first == b.then && a.then == b.first && a.thread != b.thread;
            let guarded = a.also_held.iter().any(|l| b.also_held.contains(l));
            // Orders that cannot overlap in time (one thread joined the other, or heard from it
            // through a channel, a condvar, a barrier or a `Once` before taking its locks) cannot
            // deadlock. Lock hand-offs themselves order nothing here: they are what is judged.
            let ordered =
                happened_before(&a.clock, &b.clock) || happened_before(&b.clock, &a.clock);
            let pair = (a.first.min(a.then), a.first.max(a.then));
            if !inverse || guarded || ordered || seen.contains(&pair) {
                continue;
            }
            seen.push(pair);
            out.push(Finding::new(Detail::LockOrderInversion {
                first: order(view, a),
                second: order(view, b),
            }));
        }
    }
    out
}

/// One thread's order of two locks.
fn order(view: &View<'_>, e: &LockEdge) -> LockOrder {
    LockOrder {
        thread: view.thread(e.thread),
        first: LockTaken {
            lock: view.object(e.first),
            at: location(e.first_at),
        },
        then: LockTaken {
            lock: view.object(e.then),
            at: location(e.then_at),
        },
    }
}
