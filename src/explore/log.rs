//! The runtime's event log of a replayed execution, turned into the report layer's
//! [`Timeline`]: threads and objects named as reports name them.

use crate::report::location;
use crate::runtime::trace::{EdgeRec, Recorder};
use crate::runtime::{ObjId, Registry, WaitOn};
use crate::timeline::{BlockSpan, Edge, EdgeKind, Lane, Step, Timeline};

/// `mutex#1`, `channel#2`: object `id` as reports name it.
fn object(reg: &Registry, id: ObjId) -> String {
    let o = &reg.objects[id];
    format!("{}#{}", o.name.kind.report(), o.name.ordinal)
}

fn waits_on(reg: &Registry, on: WaitOn) -> Option<String> {
    match on {
        WaitOn::Object(id) => Some(object(reg, id)),
        WaitOn::Thread(t) => Some(format!("{}#{t}", reg.threads[t].role.noun())),
        WaitOn::Park => Some("an unpark".to_string()),
        WaitOn::Wake => Some("a wake-up".to_string()),
        WaitOn::Select | WaitOn::Sleep => None,
    }
}

/// The timeline of the execution whose registry this is, from its log.
pub(super) fn timeline(reg: &Registry, log: &Recorder) -> Timeline {
    let steps: Vec<Step> = log
        .steps
        .iter()
        .map(|s| Step {
            thread: s.thread,
            op: s.op.to_string(),
            object: s.object.map(|id| object(reg, id)),
            at: Some(location(s.at)),
        })
        .collect();
    let lanes = reg
        .threads
        .iter()
        .enumerate()
        .map(|(id, t)| Lane {
            id,
            role: t.role,
            name: t.name.clone(),
            spawned_at: t.spawned_at.map(location),
            spawned_step: log
                .edges
                .iter()
                .find(|e| e.kind == EdgeRec::Spawn && e.to.0 == id)
                .map_or(0, |e| e.to.1 as u64),
            finished_step: if t.is_finished() {
                log.finished.get(&id).map(|&s| s as u64)
            } else {
                None
            },
            blocks: log
                .blocks
                .iter()
                .filter(|b| b.thread == id)
                .map(|b| BlockSpan {
                    from: b.from as u64,
                    to: b.to.map(|t| t as u64),
                    op: b.op.to_string(),
                    object: waits_on(reg, b.on),
                    at: Some(location(b.at)),
                })
                .collect(),
        })
        .collect();
    let op_at = |i: usize| log.steps.get(i).map_or("(start)", |s| s.op);
    let edges = log
        .edges
        .iter()
        .map(|e| {
            let (kind, label) = match e.kind {
                EdgeRec::Spawn => (EdgeKind::Spawn, "thread::spawn".to_string()),
                EdgeRec::Sync(obj) => (
                    EdgeKind::Sync,
                    format!(
                        "{} → {} on {}",
                        op_at(e.from.1),
                        op_at(e.to.1),
                        object(reg, obj)
                    ),
                ),
                EdgeRec::Join => (
                    EdgeKind::Sync,
                    format!(
                        "{}#{} ends → {}",
                        reg.threads[e.from.0].role.noun(),
                        e.from.0,
                        op_at(e.to.1)
                    ),
                ),
            };
            Edge {
                kind,
                from: (e.from.0, e.from.1 as u64),
                to: (e.to.0, e.to.1 as u64),
                label,
            }
        })
        .collect();
    Timeline {
        lanes,
        steps,
        edges,
    }
}
