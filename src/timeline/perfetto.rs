//! The schedule as Chrome trace-event JSON, which ui.perfetto.dev and chrome://tracing open.
//!
//! One track per thread, named with its id, name and spawn site; an `X` slice per run of
//! identical steps, with the step index as the timestamp (1 µs per step, so the file is the same
//! for the same schedule); `X` slices for blocked spans; `i` instants where a thread blocks, can run
//! again, or is left unfinished at the end; `s`/`f` flow arrows (`bp: "e"`) from the thread that spawned
//! another, or made something known to it through an object, to the step where it arrived. The replay token and the findings are
//! in `otherData`.

use serde_json::{json, Value};

use super::{EdgeKind, Timeline};
use crate::report::Report;

/// The process id every event carries.
const PID: u64 = 1;

/// The trace's track for thread `id` (Perfetto treats tid 0 specially).
fn tid(id: usize) -> u64 {
    id as u64 + 1
}

/// The trace as a JSON document.
pub(crate) fn render(t: &Timeline, report: &Report) -> String {
    let mut events: Vec<Value> = Vec::new();
    events.push(json!({
        "ph": "M", "name": "process_name", "pid": PID,
        "args": {"name": report.test().unwrap_or("leakcheck check")},
    }));
    for lane in &t.lanes {
        let mut name = lane.label();
        if let Some(at) = &lane.spawned_at {
            name.push_str(&format!(", spawned at {at}"));
        }
        events.push(json!({
            "ph": "M", "name": "thread_name", "pid": PID, "tid": tid(lane.id),
            "args": {"name": name},
        }));
        events.push(json!({
            "ph": "M", "name": "thread_sort_index", "pid": PID, "tid": tid(lane.id),
            "args": {"sort_index": lane.id},
        }));
    }
    // Runs of identical steps: one slice each.
    let mut i = 0usize;
    while i < t.steps.len() {
        let s = &t.steps[i];
        let mut n = 1;
        while i + n < t.steps.len() && t.steps[i + n] == *s {
            n += 1;
        }
        let mut args = json!({"step": i});
        if n > 1 {
            args["steps"] = json!(n);
        }
        if let Some(object) = &s.object {
            args["object"] = json!(object);
        }
        if let Some(at) = &s.at {
            args["at"] = json!(at.to_string());
        }
        events.push(json!({
            "ph": "X", "cat": "step", "name": s.op, "pid": PID, "tid": tid(s.thread),
            "ts": i, "dur": n, "args": args,
        }));
        i += n;
    }
    let end = t.len();
    for lane in &t.lanes {
        for b in &lane.blocks {
            let to = b.to.unwrap_or(end);
            let mut args = json!({"step": b.from});
            if let Some(object) = &b.object {
                args["object"] = json!(object);
            }
            if let Some(at) = &b.at {
                args["at"] = json!(at.to_string());
            }
            let name = match b.to {
                Some(_) => format!("blocks in {}", b.op),
                None => format!("blocks for good in {}", b.op),
            };
            events.push(json!({
                "ph": "i", "s": "t", "cat": "block", "name": name,
                "pid": PID, "tid": tid(lane.id), "ts": b.from, "args": args.clone(),
            }));
            if let Some(to) = b.to {
                events.push(json!({
                    "ph": "i", "s": "t", "cat": "wake", "name": "can run again",
                    "pid": PID, "tid": tid(lane.id), "ts": to,
                }));
            }
            // The span between the blocking step and the wake-up (empty when it was woken at
            // once).
            if to > b.from + 1 {
                events.push(json!({
                    "ph": "X", "cat": "blocked", "name": format!("blocked: {}", b.op),
                    "pid": PID, "tid": tid(lane.id), "ts": b.from + 1, "dur": to - b.from - 1,
                    "args": args,
                }));
            }
        }
        if lane.finished_step.is_none() {
            events.push(json!({
                "ph": "i", "s": "t", "cat": "leak", "name": "unfinished at the end",
                "pid": PID, "tid": tid(lane.id), "ts": end,
            }));
        }
    }
    for (k, e) in t.edges.iter().enumerate() {
        // The arrow ends at the first step the target ran from then on (if it never ran again,
        // there is no slice to end on, and no arrow).
        let Some(target) = t
            .steps
            .iter()
            .enumerate()
            .skip(e.to.1 as usize)
            .find(|(_, s)| s.thread == e.to.0)
            .map(|(i, _)| i)
        else {
            continue;
        };
        let cat = match e.kind {
            EdgeKind::Spawn => "spawn",
            EdgeKind::Sync => "sync",
        };
        events.push(json!({
            "ph": "s", "id": k, "cat": cat, "name": e.label,
            "pid": PID, "tid": tid(e.from.0), "ts": e.from.1,
        }));
        events.push(json!({
            "ph": "f", "bp": "e", "id": k, "cat": cat, "name": e.label,
            "pid": PID, "tid": tid(e.to.0), "ts": target,
        }));
    }
    let findings: Vec<Value> = report
        .findings()
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind().to_string(),
                "location": f.location().map(ToString::to_string),
                "text": f.to_string(),
            })
        })
        .collect();
    let doc = json!({
        "traceEvents": events,
        "displayTimeUnit": "ns",
        "otherData": {
            "generator": "leakcheck",
            "test": report.test(),
            "steps": end,
            "replay_token": report.replay_token(),
            "findings": findings,
            "note": "one microsecond per scheduling step",
        },
    });
    serde_json::to_string(&doc).expect("a trace always serializes")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::sample;
    use super::*;

    fn report() -> Report {
        sample::report("tests::sample")
    }

    #[test]
    fn the_sample_trace_names_its_tracks_and_draws_its_arrows() {
        let text = render(&sample::timeline(), &report());
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["otherData"]["replay_token"], "TOKEN");
        let names: Vec<&str> = doc["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .map(|e| e["args"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "thread#0 (the test body)",
                "thread#1 \"worker\", spawned at src/lib.rs:3:5"
            ]
        );
        // The sync arrow: from the unlock at step 4 to the worker's next step, 5.
        let flows: Vec<(&str, u64)> = doc["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["cat"] == "sync" && (e["ph"] == "s" || e["ph"] == "f"))
            .map(|e| (e["ph"].as_str().unwrap(), e["ts"].as_u64().unwrap()))
            .collect();
        assert_eq!(flows, [("s", 4), ("f", 5)]);
    }
}
