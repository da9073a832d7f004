//! The failing schedule as a person sees it: the event log appended to a report (`trace`), the
//! Perfetto trace and the timeline page written beside a report. Same seed, same bytes; the
//! trace follows the trace-event rules Perfetto relies on; a 100,000-step schedule stays small.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leakcheck::channel;
use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, FindingKind, Report};
use serde_json::Value;

/// A fresh directory under the target directory, for one test.
fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("timeline-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The one report written to `dir`, and the trace and page beside it.
fn written(dir: &Path) -> (String, String, String) {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // `<test>-<pid>-<n>.<suffix>`: keep the suffix.
        let suffix = name.split_once('.').map(|(_, s)| s.to_string()).unwrap();
        let previous = files.insert(suffix.clone(), std::fs::read_to_string(&path).unwrap());
        assert!(
            previous.is_none(),
            "two .{suffix} files in {}",
            dir.display()
        );
    }
    (
        files.remove("json").expect("a report"),
        files.remove("trace.json").expect("a trace"),
        files.remove("html").expect("a page"),
    )
}

/// Two workers wait on a channel the body keeps open: leaked.
fn leaky_pool() {
    let (tx, rx) = channel::unbounded::<u32>();
    for i in 0..2 {
        let rx = rx.clone();
        thread::Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || while rx.recv().is_ok() {})
            .unwrap();
    }
    tx.send(1).unwrap();
    std::mem::forget(tx);
}

/// Two threads take two locks in opposite orders.
fn two_locks() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let (a2, b2) = (a.clone(), b.clone());
    let t = thread::spawn(move || {
        let _b = b2.lock().unwrap();
        let _a = a2.lock().unwrap();
    });
    {
        let _a = a.lock().unwrap();
        let _b = b.lock().unwrap();
    }
    t.join().unwrap();
}

/// Checks the trace-event rules Perfetto relies on: every event has `ph` and `pid`, and (but
/// process metadata) a `tid`; `X` slices have `ts` and `dur` and nest per track; every flow end
/// has its start (same `id`, `cat`, `name`), binds to the enclosing slice (`bp: "e"`), and has a
/// slice around it.
fn validate(doc: &Value) -> Result<(), String> {
    let events = doc["traceEvents"]
        .as_array()
        .ok_or("no traceEvents array")?;
    let mut slices: BTreeMap<u64, Vec<(u64, u64)>> = BTreeMap::new();
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for e in events {
        let ph = e["ph"].as_str().ok_or_else(|| format!("no ph: {e}"))?;
        e["pid"].as_u64().ok_or_else(|| format!("no pid: {e}"))?;
        if ph != "M" || e["name"] != "process_name" {
            e["tid"].as_u64().ok_or_else(|| format!("no tid: {e}"))?;
        }
        match ph {
            "X" => {
                let ts = e["ts"].as_u64().ok_or_else(|| format!("no ts: {e}"))?;
                let dur = e["dur"].as_u64().ok_or_else(|| format!("no dur: {e}"))?;
                slices
                    .entry(e["tid"].as_u64().unwrap())
                    .or_default()
                    .push((ts, ts + dur));
            }
            "s" => starts.push((e["id"].clone(), e["cat"].clone(), e["name"].clone())),
            "f" => {
                if e["bp"] != "e" {
                    return Err(format!("a flow end without bp:e: {e}"));
                }
                ends.push((
                    (e["id"].clone(), e["cat"].clone(), e["name"].clone()),
                    e["tid"].as_u64().unwrap(),
                    e["ts"].as_u64().unwrap(),
                ));
            }
            "i" | "M" => {}
            other => return Err(format!("unexpected ph {other}")),
        }
    }
    for (tid, spans) in &mut slices {
        spans.sort();
        let mut open: Vec<(u64, u64)> = Vec::new();
        for &(a, b) in spans.iter() {
            while open.last().is_some_and(|&(_, end)| end <= a) {
                open.pop();
            }
            if let Some(&(_, end)) = open.last()
                && b > end
            {
                return Err(format!(
                    "slices overlap on track {tid}: ({a}, {b}) crosses {end}"
                ));
            }
            open.push((a, b));
        }
    }
    for (key, tid, ts) in &ends {
        if !starts.contains(key) {
            return Err(format!("a flow end without its start: {key:?}"));
        }
        let enclosed = slices
            .get(tid)
            .is_some_and(|s| s.iter().any(|&(a, b)| a <= *ts && *ts < b));
        if !enclosed {
            return Err(format!(
                "the flow end {key:?} at {ts} on track {tid} has no slice around it"
            ));
        }
    }
    Ok(())
}

#[test]
fn the_validator_rejects_what_perfetto_would_misread() {
    let crossing = serde_json::json!({"traceEvents": [
        {"ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 5},
        {"ph": "X", "pid": 1, "tid": 1, "ts": 3, "dur": 5},
    ]});
    assert!(validate(&crossing).unwrap_err().contains("overlap"));
    let orphan = serde_json::json!({"traceEvents": [
        {"ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 5},
        {"ph": "f", "bp": "e", "id": 1, "cat": "sync", "name": "x", "pid": 1, "tid": 1, "ts": 1},
    ]});
    assert!(validate(&orphan).unwrap_err().contains("without its start"));
    let floating = serde_json::json!({"traceEvents": [
        {"ph": "s", "id": 1, "cat": "sync", "name": "x", "pid": 1, "tid": 1, "ts": 1},
        {"ph": "f", "bp": "e", "id": 1, "cat": "sync", "name": "x", "pid": 1, "tid": 2, "ts": 9},
    ]});
    assert!(validate(&floating)
        .unwrap_err()
        .contains("no slice around it"));
}

#[test]
fn trace_appends_the_failing_schedule_to_the_report() {
    let report = Config::new().trace(true).explore(leaky_pool).unwrap_err();
    let text = report.to_string();
    let line = |needle: &str| {
        assert!(
            text.lines().any(|l| l.contains(needle)),
            "no line with {needle:?} in:\n{text}"
        )
    };
    line("schedule (");
    let spawn_line = include_str!("timeline.rs")
        .lines()
        .position(|l| l.contains(".spawn(move || while rx.recv().is_ok() {})"))
        .unwrap()
        + 1;
    line(&format!(
        "thread#0 (the test body): thread::spawn at tests/timeline.rs:{spawn_line}:"
    ));
    line("-> spawns thread#1 \"worker-0\"");
    line("thread#1 \"worker-0\" blocks in Receiver::recv on channel#1");
    line("(Sender::send → Receiver::recv on channel#1)");
    // The log is part of the report's JSON too, and only when asked for.
    let read = Report::from_json(&report.to_json()).unwrap();
    assert_eq!(read.to_string(), text);
    let plain = Config::new().explore(leaky_pool).unwrap_err();
    assert!(!plain.to_string().contains("schedule ("));
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    for (name, body) in [("pool", leaky_pool as fn()), ("locks", two_locks)] {
        let (one, two) = (dir(&format!("{name}-1")), dir(&format!("{name}-2")));
        for d in [&one, &two] {
            let report = Config::new()
                .report_dir(d)
                .test_name(format!("timeline::{name}"))
                .explore(body)
                .unwrap_err();
            assert!(!report.findings().is_empty());
        }
        assert_eq!(written(&one), written(&two), "{name}");
    }
}

#[test]
fn the_traces_of_real_schedules_follow_the_trace_event_rules() {
    for (name, body, kind) in [
        ("pool", leaky_pool as fn(), FindingKind::LeakedThread),
        ("locks", two_locks, FindingKind::LockOrderInversion),
    ] {
        let d = dir(&format!("rules-{name}"));
        let report = Config::new().report_dir(&d).explore(body).unwrap_err();
        assert!(report.has(kind), "{report}");
        let (_, trace, page) = written(&d);
        let doc: Value = serde_json::from_str(&trace).unwrap();
        validate(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc["otherData"]["replay_token"], report.replay_token());
        let tracks = doc["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .count();
        assert_eq!(
            page.matches("<g class=\"lane\"").count(),
            tracks,
            "one lane per track"
        );
        assert_eq!(
            page.matches("<li class=\"finding\"").count(),
            report.findings().len()
        );
        assert!(!page.contains("<script"), "no script in the page");
    }
}

#[test]
fn a_deadlock_page_marks_its_wait_for_cycle() {
    let d = dir("cycle");
    let report = Config::new()
        .report_dir(&d)
        .explore(|| {
            let a = Arc::new(Mutex::new(()));
            let b = Arc::new(Mutex::new(()));
            let (a2, b2) = (a.clone(), b.clone());
            let (go, wait) = channel::bounded::<()>(0);
            let t = thread::spawn(move || {
                let _b = b2.lock().unwrap();
                wait.recv().unwrap();
                let _a = a2.lock().unwrap();
            });
            let _a = a.lock().unwrap();
            go.send(()).unwrap();
            let _b = b.lock().unwrap();
            drop(t);
        })
        .unwrap_err();
    assert!(report.has(FindingKind::Deadlock), "{report}");
    let (_, _, page) = written(&d);
    assert_eq!(
        page.matches("class=\"cycle-edge\"").count(),
        2,
        "a cycle of two"
    );
    assert!(page.contains("id=\"stuck-0\"") && page.contains("id=\"stuck-1\""));
    assert!(
        page.contains("href=\"#stuck-0\""),
        "the finding links to the stuck block"
    );
}

#[test]
fn a_hundred_thousand_steps_stay_light() {
    let d = dir("long");
    let report = Config::new()
        .report_dir(&d)
        .max_steps(100_000)
        .schedules(1)
        .explore(|| {
            let stop = Arc::new(leakcheck::sync::atomic::AtomicBool::new(false));
            let s = stop.clone();
            let (tx, rx) = channel::bounded::<u32>(0);
            thread::spawn(move || {
                while !s.load(leakcheck::sync::atomic::Ordering::Relaxed) {
                    if tx.send(1).is_err() {
                        break;
                    }
                }
            });
            loop {
                let _ = rx.recv();
            }
        })
        .unwrap_err();
    assert!(report.has(FindingKind::StepLimit), "{report}");
    let (_, trace, page) = written(&d);
    let doc: Value = serde_json::from_str(&trace).unwrap();
    validate(&doc).unwrap();
    let steps = doc["otherData"]["steps"].as_u64().unwrap();
    assert!(steps >= 100_000, "{steps} steps");
    println!(
        "100,000-step ping-pong: {steps} logged steps, page {} bytes, trace {} bytes",
        page.len(),
        trace.len()
    );
    assert!(page.len() < 600_000, "page of {} bytes", page.len());
}
