//! [`FindingKind::Deadlock`](crate::FindingKind::Deadlock): every thread blocked before the
//! body returned (with the wait-for cycle, if the threads wait for each other in one), or a
//! thread blocked on a lock it holds itself while others went on.

use super::view::{Ending, View};
use crate::report::{BlockedThread, Detail, Finding};
use crate::runtime::Tid;

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    match view.ending {
        Ending::Deadlocked => {
            let blocked = view
                .tids()
                .filter_map(|t| {
                    Some(BlockedThread {
                        blocked: view.blocked(t)?,
                        thread: view.thread(t),
                    })
                })
                .collect();
            vec![Finding::new(Detail::Deadlock {
                blocked,
                cycle: cycle(view),
                all_blocked: true,
            })]
        }
        Ending::Returned {
            out_of_steps: false,
        } => self_deadlocks(view),
        _ => Vec::new(),
    }
}

/// Threads blocked waiting for a lock they hold themselves.
fn self_deadlocks(view: &View<'_>) -> Vec<Finding> {
    view.tids()
        .filter(|&t| view.stuck(t) && view.reg.waits_for(t) == Some(t))
        .filter_map(|t| {
            Some(Finding::new(Detail::Deadlock {
                blocked: vec![BlockedThread {
                    blocked: view.blocked(t)?,
                    thread: view.thread(t),
                }],
                cycle: vec![t],
                all_blocked: false,
            }))
        })
        .collect()
}

/// The threads that wait for each other in a cycle, starting from the lowest, if any do.
fn cycle(view: &View<'_>) -> Vec<Tid> {
    let reg = view.reg;
    for start in view.tids() {
        let mut path = vec![start];
        let mut next = reg.waits_for(start);
        while let Some(t) = next {
            if let Some(pos) = path.iter().position(|&p| p == t) {
                let cycle = path.split_off(pos);
                let min = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, t)| **t)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                let mut rotated = cycle[min..].to_vec();
                rotated.extend_from_slice(&cycle[..min]);
                return rotated;
            }
            path.push(t);
            next = reg.waits_for(t);
        }
    }
    Vec::new()
}
