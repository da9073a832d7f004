//! The reports the checks wrote: reading them, their findings' primary locations, their text,
//! and the fingerprints that baselines hold.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A report file a failing check wrote to `LEAKCHECK_REPORT_DIR`.
#[derive(Clone, Debug)]
pub struct ReportFile {
    /// Its content, as the check wrote it.
    pub json: Value,
}

impl ReportFile {
    /// The test's name, when the report knows it.
    pub fn test(&self) -> Option<&str> {
        self.json["test"].as_str()
    }

    /// The test's package: the report's `package`, or the `-p` of its replay command.
    pub fn package(&self) -> Option<String> {
        if let Some(p) = self.json["package"].as_str() {
            return Some(p.to_string());
        }
        let cmd = self.json["replay_command"].as_str()?;
        let mut words = cmd.split_whitespace();
        while let Some(w) = words.next() {
            if w == "-p" || w == "--package" {
                return words.next().map(String::from);
            }
        }
        None
    }

    /// Its findings.
    pub fn findings(&self) -> &[Value] {
        self.json["findings"].as_array().map_or(&[], Vec::as_slice)
    }

    /// The failing schedule (how many schedules the check explored).
    pub fn schedule(&self) -> u64 {
        self.json["schedule"].as_u64().unwrap_or(0)
    }
}

/// What the checks wrote to the report directory.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    /// The reports of the checks that found something.
    pub reports: Vec<ReportFile>,
    /// The summaries of clean checks, for leakcheck versions that write them: JSON objects
    /// with `"kind": "summary"` and `schedules` (see docs/ci.md).
    pub summaries: Vec<Value>,
}

/// Reads every `*.json` file in the directory, sorted by file name: reports (with a
/// `findings` array) and summaries of clean checks (`"kind": "summary"`).
pub fn load(dir: &Path) -> Result<Collected, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Collected::default()),
        Err(e) => {
            return Err(format!(
                "cannot read the report directory {}: {e}",
                dir.display()
            ))
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Collected::default();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the report {}: {e}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| format!("the report {} is not JSON: {e}", path.display()))?;
        if json["kind"] == "summary" {
            out.summaries.push(json);
            continue;
        }
        if !json["findings"].is_array() {
            return Err(format!(
                "the report {} has no `findings` array: is leakcheck's report format newer than this cargo-leakcheck?",
                path.display()
            ));
        }
        out.reports.push(ReportFile { json });
    }
    Ok(out)
}

/// A source location of a report: `{"file", "line", "column"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, relative to the workspace root when inside it.
    pub file: String,
    /// The line, from 1.
    pub line: u64,
    /// The column, from 1 (0 when unknown).
    pub column: u64,
}

impl Location {
    /// The location a JSON value holds, if it is one.
    pub fn from_json(v: &Value) -> Option<Location> {
        Some(Location {
            file: v["file"].as_str()?.to_string(),
            line: v["line"].as_u64()?,
            column: v["column"].as_u64().unwrap_or(0),
        })
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

fn is_location(v: &Value) -> bool {
    v["file"].is_string() && v["line"].is_u64()
}

/// A finding's primary location: where the user looks first. The finding's own `location`
/// when the report has one; else, by kind: where a leaked thread is blocked (or last seen, or
/// spawned when it finished late), where an unclosed channel was created, where the first
/// deadlocked thread is blocked, where the
/// thread panicked, where the first running thread was last seen at the step limit; for other
/// kinds, the first `at` in the finding, then the first location of any kind.
pub fn primary_location(finding: &Value) -> Option<Location> {
    if let Some(l) = Location::from_json(&finding["location"]) {
        return Some(l);
    }
    let kind = finding["kind"].as_str().unwrap_or_default();
    let found = match kind {
        "leaked_thread" => {
            let state = &finding["state"];
            match state["state"].as_str() {
                Some("blocked_forever") => Location::from_json(&state["at"]),
                Some("still_running") => Location::from_json(&state["last_seen"][1]),
                _ => Location::from_json(&finding["thread"]["spawned_at"]),
            }
        }
        "unclosed_channel" => Location::from_json(&finding["channel"]["object"]["created_at"]),
        "deadlock" => Location::from_json(&finding["blocked"][0][1]["at"]),
        "panic" => Location::from_json(&finding["at"]),
        "step_limit" => Location::from_json(&finding["running"][0][1][1]),
        _ => None,
    };
    found
        .or_else(|| first_at(finding))
        .or_else(|| Location::from_json(&finding["thread"]["spawned_at"]))
        .or_else(|| first_location(finding))
}

fn first_at(v: &Value) -> Option<Location> {
    match v {
        Value::Object(m) => {
            if let Some(l) = m.get("at").and_then(Location::from_json) {
                return Some(l);
            }
            m.iter()
                .filter(|(k, _)| *k != "held_by")
                .find_map(|(_, c)| first_at(c))
        }
        Value::Array(a) => a.iter().find_map(first_at),
        _ => None,
    }
}

fn first_location(v: &Value) -> Option<Location> {
    if let Some(l) = Location::from_json(v) {
        return Some(l);
    }
    match v {
        Value::Object(m) => m.values().find_map(first_location),
        Value::Array(a) => a.iter().find_map(first_location),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Text

fn thread_name(t: &Value) -> String {
    let id = t["id"].as_u64().unwrap_or(0);
    match t["name"].as_str() {
        Some(name) => format!("thread#{id} {name:?}"),
        None if id == 0 => format!("thread#{id} (the test body)"),
        None => format!("thread#{id}"),
    }
}

fn target_name(on: &Value) -> String {
    if on.get("created_at").is_some() {
        let kind = on["object_kind"]
            .as_str()
            .or_else(|| on["kind"].as_str())
            .unwrap_or("object");
        return format!("{kind}#{}", on["id"]);
    }
    if on.get("spawned_at").is_some() {
        return thread_name(on);
    }
    if let Some(objects) = on["objects"].as_array() {
        let names: Vec<String> = objects.iter().map(target_name).collect();
        return format!("any of {}", names.join("|"));
    }
    match on["kind"].as_str() {
        Some("unpark") => "an unpark".into(),
        Some(k) => k.to_string(),
        None => "?".into(),
    }
}

fn loc_text(v: &Value) -> String {
    Location::from_json(v).map_or_else(|| "?".into(), |l| l.to_string())
}

fn spawned(out: &mut String, t: &Value) {
    out.push_str(&thread_name(t));
    if is_location(&t["spawned_at"]) {
        let _ = write!(out, ", spawned at {}", loc_text(&t["spawned_at"]));
    }
    out.push('\n');
    stack(out, "spawned", &t["spawn_stack"]);
}

fn stack(out: &mut String, what: &str, frames: &Value) {
    let Some(frames) = frames.as_array().filter(|f| f.len() > 1) else {
        return;
    };
    let _ = writeln!(out, "    {what} from:");
    for f in frames {
        let _ = writeln!(
            out,
            "      {} at {}",
            f["function"].as_str().unwrap_or("?"),
            loc_text(&f["location"])
        );
    }
}

fn blocked(out: &mut String, verb: &str, b: &Value) {
    let op = b["operation"].as_str().unwrap_or("?");
    let on = &b["on"];
    if on["kind"] == "unpark" {
        let _ = writeln!(
            out,
            "  {verb} in {op} at {}, waiting for an unpark",
            loc_text(&b["at"])
        );
    } else {
        let _ = writeln!(
            out,
            "  {verb} in {op} on {} at {}",
            target_name(on),
            loc_text(&b["at"])
        );
    }
    stack(out, "blocked", &b["stack"]);
    if on.get("created_at").is_some() {
        // One `[thread, location]` pair, or a list of them.
        let holders: Vec<&Value> = match &b["held_by"] {
            Value::Array(a) if a.first().is_some_and(Value::is_array) => a.iter().collect(),
            Value::Array(a) if !a.is_empty() => vec![&b["held_by"]],
            _ => Vec::new(),
        };
        if !holders.is_empty() {
            let list: Vec<String> = holders
                .iter()
                .map(|h| format!("{}, locked at {}", thread_name(&h[0]), loc_text(&h[1])))
                .collect();
            let _ = writeln!(
                out,
                "    {} (created at {}) is held by {}",
                target_name(on),
                loc_text(&on["created_at"]),
                list.join("; ")
            );
        } else {
            let _ = writeln!(
                out,
                "    {} was created at {}",
                target_name(on),
                loc_text(&on["created_at"])
            );
        }
    }
}

/// One finding as text, close to leakcheck's own rendering.
pub fn finding_text(f: &Value) -> String {
    let mut out = String::new();
    match f["kind"].as_str().unwrap_or_default() {
        "leaked_thread" => {
            out.push_str("leaked ");
            spawned(&mut out, &f["thread"]);
            let state = &f["state"];
            match state["state"].as_str() {
                Some("blocked_forever") => blocked(&mut out, "blocked forever", state),
                Some("still_running") => {
                    let _ = write!(
                        out,
                        "  still running after {} steps (a spin loop or a livelock?)",
                        state["max_steps"]
                    );
                    if let Some(op) = state["last_seen"][0].as_str() {
                        let _ = write!(
                            out,
                            ", last seen in {op} at {}",
                            loc_text(&state["last_seen"][1])
                        );
                    }
                    out.push('\n');
                }
                Some("finished_late") => out.push_str(
                    "  finished only after the test body returned, and nobody joined it (allow_lingering accepts this)\n",
                ),
                _ => {}
            }
        }
        "unclosed_channel" => {
            let c = &f["channel"];
            let _ = writeln!(
                out,
                "unclosed {} ({} at {})",
                target_name(&c["object"]),
                c["constructor"].as_str().unwrap_or("?"),
                loc_text(&c["object"]["created_at"])
            );
            for w in f["blocked"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "  {} blocked forever: {} in {}",
                    if w["sending"] == true {
                        "sender"
                    } else {
                        "receiver"
                    },
                    thread_name(&w["thread"]),
                    w["operation"].as_str().unwrap_or("?")
                );
            }
            if let Some(n) = c["buffered"].as_u64().filter(|n| *n > 0) {
                let _ = writeln!(out, "  {n} messages in it that nobody can receive");
            }
        }
        "deadlock" => {
            out.push_str("deadlock: every thread is blocked, so the test body cannot finish\n");
            for pair in f["blocked"].as_array().into_iter().flatten() {
                out.push_str("  ");
                spawned(&mut out, &pair[0]);
                let mut inner = String::new();
                blocked(&mut inner, "blocked", &pair[1]);
                for line in inner.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
        "panic" => {
            out.push_str("panic in ");
            spawned(&mut out, &f["thread"]);
            let message = f["message"].as_str().unwrap_or_default();
            if is_location(&f["at"]) {
                let _ = writeln!(out, "  panicked at {}: {message}", loc_text(&f["at"]));
            } else {
                let _ = writeln!(out, "  panicked: {message}");
            }
            stack(&mut out, "panicked", &f["stack"]);
            if f["never_joined"] == true {
                out.push_str("  its JoinHandle was dropped without joining: std would have lost this panic silently\n");
            }
        }
        "step_limit" => {
            let _ = writeln!(
                out,
                "step limit: the execution took more than {} steps before the test body returned",
                f["max_steps"]
            );
            for pair in f["running"].as_array().into_iter().flatten() {
                let _ = write!(out, "  {} still running", thread_name(&pair[0]));
                if let Some(op) = pair[1][0].as_str() {
                    let _ = write!(out, ", last seen in {op} at {}", loc_text(&pair[1][1]));
                }
                out.push('\n');
            }
        }
        other => {
            let _ = writeln!(out, "{other}");
            let pretty = serde_json::to_string_pretty(f).unwrap_or_default();
            for line in pretty.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    out
}

/// The whole report as text: the report's own `text` when it has one, else a rendering close
/// to leakcheck's.
pub fn report_text(report: &Value) -> String {
    if let Some(text) = report["text"].as_str() {
        return text.to_string();
    }
    let findings = report["findings"].as_array().map_or(&[][..], Vec::as_slice);
    let mut counts: Vec<(String, usize)> = Vec::new();
    for f in findings {
        let k = f["kind"].as_str().unwrap_or("?").to_string();
        match counts.iter_mut().find(|(n, _)| *n == k) {
            Some((_, c)) => *c += 1,
            None => counts.push((k, 1)),
        }
    }
    let counts: Vec<String> = counts
        .iter()
        .map(|(k, n)| {
            let noun = k.replace('_', " ");
            format!("{n} {noun}{}", if *n == 1 { "" } else { "s" })
        })
        .collect();
    let scheduler = scheduler_text(&report["scheduler"]);
    let seed = report["seed"].as_u64().unwrap_or(0);
    let origin = if report["replayed"] == true {
        format!(
            "replayed schedule {}, {scheduler}, seed {seed:#x}",
            report["schedule"]
        )
    } else {
        format!(
            "schedule {} of {}, {scheduler}, seed {seed:#x}",
            report["schedule"], report["schedules"]
        )
    };
    let mut out = format!("leakcheck: {} ({origin})\n", counts.join(", "));
    for f in findings {
        out.push('\n');
        out.push_str(&finding_text(f));
    }
    let notes = report["notes"].as_array().map_or(&[][..], Vec::as_slice);
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            let _ = writeln!(out, "note: {}", n.as_str().unwrap_or_default());
        }
    }
    let _ = write!(
        out,
        "\nreplay: {}",
        report["replay_command"].as_str().unwrap_or_default()
    );
    out
}

/// `pct:3`, `random`, `dfs`, `exhaustive:2`, from the report's `scheduler` object.
pub fn scheduler_text(s: &Value) -> String {
    match s["kind"].as_str() {
        Some("pct") => format!("pct:{}", s["depth"]),
        Some("exhaustive") => format!("exhaustive:{}", s["preemption_bound"]),
        Some(k) => k.to_string(),
        None => s.as_str().unwrap_or("?").to_string(),
    }
}

/// A finding in one line: what, who and where.
pub fn finding_headline(f: &Value) -> String {
    let blocked_line = |b: &Value| {
        format!(
            "blocked in {} on {} at {}",
            b["operation"].as_str().unwrap_or("?"),
            target_name(&b["on"]),
            loc_text(&b["at"])
        )
    };
    match f["kind"].as_str().unwrap_or_default() {
        "leaked_thread" => {
            let state = &f["state"];
            let what = match state["state"].as_str() {
                Some("blocked_forever") => {
                    blocked_line(state).replacen("blocked", "blocked forever", 1)
                }
                Some("still_running") => format!(
                    "still running after {} steps, last seen at {}",
                    state["max_steps"],
                    loc_text(&state["last_seen"][1])
                ),
                Some("finished_late") => {
                    "finished after the test body returned, never joined".into()
                }
                _ => "leaked".into(),
            };
            format!("leaked {}: {what}", thread_name(&f["thread"]))
        }
        "deadlock" => {
            let blocked = f["blocked"].as_array().map_or(&[][..], Vec::as_slice);
            match blocked.first() {
                Some(first) => format!(
                    "deadlock of {} threads: {} {}",
                    blocked.len(),
                    thread_name(&first[0]),
                    blocked_line(&first[1])
                ),
                None => "deadlock".into(),
            }
        }
        "panic" => format!(
            "panic in {} at {}: {}",
            thread_name(&f["thread"]),
            loc_text(&f["at"]),
            f["message"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
        ),
        _ => finding_text(f)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Fingerprints

/// The fingerprint's version: the first part of every fingerprint.
pub const FINGERPRINT_VERSION: &str = "fp1";

/// A finding's identity across runs, seeds and unrelated edits (docs/ci.md, "Fingerprints").
///
/// The canonical text is `leakcheck-fingerprint-v1`, `kind=<kind>`, `test=<test>`, then the
/// finding's anchors, sorted and without repeats, one per line. The fingerprint is `fp1:` and
/// the 64-bit FNV-1a hash of that text, in 16 hexadecimal digits.
pub fn fingerprint(test: Option<&str>, finding: &Value) -> (String, String) {
    let canonical = canonical(test, finding);
    let hash = fnv1a(canonical.as_bytes());
    (format!("{FINGERPRINT_VERSION}:{hash:016x}"), canonical)
}

/// The canonical text a fingerprint hashes.
pub fn canonical(test: Option<&str>, finding: &Value) -> String {
    let mut anchors = BTreeSet::new();
    collect_anchors(finding, &mut anchors);
    let mut out = format!(
        "leakcheck-fingerprint-v1\nkind={}\ntest={}",
        finding["kind"].as_str().unwrap_or("?"),
        test.unwrap_or("")
    );
    for a in anchors {
        out.push('\n');
        out.push_str(&a);
    }
    out
}

/// 64-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A function name without what changes with unrelated edits: `{closure#N}` and
/// `{{closure}}` become `{closure}`, a trailing `::h<hash>` goes.
pub fn normalize_function(name: &str) -> String {
    let mut out = name.replace("{{closure}}", "{closure}");
    while let Some(start) = out.find("{closure#") {
        match out[start..].find('}') {
            Some(end) => out.replace_range(start..start + end + 1, "{closure}"),
            None => break,
        }
    }
    if let Some((head, hash)) = out.rsplit_once("::h") {
        if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) {
            out = head.to_string();
        }
    }
    out
}

/// Whether two report paths name the same file: equal, or one ends with `/` and the other
/// (locations and stack frames may be relative to different roots).
fn same_file(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_start_matches("./"), b.trim_start_matches("./"));
    a == b || a.ends_with(&format!("/{b}")) || b.ends_with(&format!("/{a}"))
}

/// `file::function` of a location: the function is that of the stack's first frame in the
/// same file (the enclosing function), `?` when the stack has none.
fn site(at: &Value, stack: &Value) -> String {
    let file = at["file"].as_str().unwrap_or("?");
    let function = stack
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| {
            f["location"]["file"]
                .as_str()
                .is_some_and(|g| same_file(g, file))
        })
        .and_then(|f| f["function"].as_str())
        .map_or_else(|| "?".to_string(), normalize_function);
    format!("{file}::{function}")
}

fn thread_anchor(t: &Value) -> String {
    let name = t["name"].as_str().unwrap_or("");
    if is_location(&t["spawned_at"]) {
        format!(
            "thread {name:?} spawned in {}",
            site(&t["spawned_at"], &t["spawn_stack"])
        )
    } else {
        format!("thread {name:?} (the test body)")
    }
}

/// The anchors of a finding (docs/ci.md): threads by name and spawn site, objects by kind and
/// creation file, operations by name and site, panics by site, last-seen operations by name
/// and file, and `state` words. Ids, lines, columns, messages, lock holders, a channel's live
/// ends and the deadlock cycle's order are left out: they change with the schedule, the seed or
/// unrelated edits.
fn collect_anchors(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("spawned_at") && m.contains_key("id") {
                out.insert(thread_anchor(v));
                return;
            }
            if let Some(created) = m.get("created_at") {
                let kind = m
                    .get("object_kind")
                    .and_then(Value::as_str)
                    .or_else(|| m.get("kind").and_then(Value::as_str))
                    .unwrap_or("object");
                out.insert(format!(
                    "object {kind} created in {}",
                    created["file"].as_str().unwrap_or("?")
                ));
                return;
            }
            if let Some(op) = m.get("operation").and_then(Value::as_str) {
                match m.get("at").filter(|at| is_location(at)) {
                    Some(at) => out.insert(format!(
                        "{op} in {}",
                        site(at, m.get("stack").unwrap_or(&Value::Null))
                    )),
                    None => out.insert(format!("operation {op}")),
                };
            } else if let (Some(_), Some(at)) = (m.get("message"), m.get("at")) {
                if is_location(at) {
                    out.insert(format!(
                        "panic in {}",
                        site(at, m.get("stack").unwrap_or(&Value::Null))
                    ));
                }
            }
            if let Some(state) = m.get("state").and_then(Value::as_str) {
                out.insert(format!("state {state}"));
            }
            for (k, child) in m {
                if matches!(
                    k.as_str(),
                    "held_by"
                        | "at"
                        | "stack"
                        | "spawn_stack"
                        | "location"
                        | "message"
                        | "senders"
                        | "receivers"
                        | "channels"
                        | "cycle"
                ) {
                    continue;
                }
                collect_anchors(child, out);
            }
        }
        Value::Array(a) => {
            if let [Value::String(op), loc] = a.as_slice() {
                if is_location(loc) {
                    out.insert(format!(
                        "{op} last seen in {}",
                        loc["file"].as_str().unwrap_or("?")
                    ));
                    return;
                }
            }
            for x in a {
                collect_anchors(x, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaked(line: u64, id: u64, function: &str) -> Value {
        json!({
            "kind": "leaked_thread",
            "thread": {
                "id": id, "name": "waiter",
                "spawned_at": {"file": "src/lib.rs", "line": line, "column": 10},
                "spawn_stack": [
                    {"function": "demo::leak", "location": {"file": "src/lib.rs", "line": line, "column": 10}},
                    {"function": "demo::tests::leaky::__leakcheck_body", "location": {"file": "src/lib.rs", "line": 40, "column": 5}}
                ]
            },
            "state": {
                "state": "blocked_forever",
                "operation": "Mutex::lock",
                "on": {"kind": "mutex", "id": id, "created_at": {"file": "src/lib.rs", "line": line - 5, "column": 25}},
                "at": {"file": "src/lib.rs", "line": line, "column": 32},
                "stack": [{"function": function, "location": {"file": "src/lib.rs", "line": line, "column": 32}}],
                "held_by": [{"id": 0, "name": null, "spawned_at": null},
                            {"file": "src/lib.rs", "line": line - 4, "column": 21}]
            }
        })
    }

    #[test]
    fn fingerprints_ignore_lines_ids_and_closure_numbers() {
        let a = fingerprint(
            Some("tests::leaky"),
            &leaked(14, 1, "demo::leak::{{closure}}"),
        );
        let b = fingerprint(
            Some("tests::leaky"),
            &leaked(20, 2, "demo::leak::{closure#0}"),
        );
        assert_eq!(a, b);
        assert!(a.0.starts_with("fp1:") && a.0.len() == 20, "{}", a.0);
        assert_eq!(
            a.1,
            "leakcheck-fingerprint-v1\nkind=leaked_thread\ntest=tests::leaky\n\
             Mutex::lock in src/lib.rs::demo::leak::{closure}\n\
             object mutex created in src/lib.rs\n\
             state blocked_forever\n\
             thread \"waiter\" spawned in src/lib.rs::demo::leak"
        );
        let other_test = fingerprint(Some("tests::other"), &leaked(14, 1, "demo::leak"));
        assert_ne!(a.0, other_test.0);
        let mut elsewhere = leaked(14, 1, "demo::leak::{{closure}}");
        elsewhere["state"]["stack"][0]["location"]["file"] = json!("crates/demo/src/lib.rs");
        assert_eq!(fingerprint(Some("tests::leaky"), &elsewhere), a);
        let other_fn = fingerprint(Some("tests::leaky"), &leaked(14, 1, "demo::other"));
        assert_ne!(a.0, other_fn.0);
    }

    #[test]
    fn primary_locations_by_kind() {
        let f = leaked(14, 1, "demo::leak");
        assert_eq!(
            primary_location(&f).unwrap().to_string(),
            "src/lib.rs:14:32"
        );
        let panic = json!({"kind": "panic", "thread": {"id": 1, "name": null, "spawned_at": null},
                           "message": "boom", "at": {"file": "a.rs", "line": 3, "column": 1}});
        assert_eq!(primary_location(&panic).unwrap().line, 3);
        let unknown = json!({"kind": "missed_signal", "waiter": {"wait": {"at": {"file": "b.rs", "line": 9, "column": 2}}}});
        assert_eq!(primary_location(&unknown).unwrap().file, "b.rs");
    }

    #[test]
    fn text_of_a_leaked_thread() {
        let text = finding_text(&leaked(14, 1, "demo::leak"));
        assert!(text.starts_with("leaked thread#1 \"waiter\", spawned at src/lib.rs:14:10\n"));
        assert!(text.contains("  blocked forever in Mutex::lock on mutex#1 at src/lib.rs:14:32\n"));
        assert!(text.contains("is held by thread#0 (the test body), locked at src/lib.rs:10:21"));
        let mut list = leaked(14, 1, "demo::leak");
        let pair = list["state"]["held_by"].clone();
        list["state"]["held_by"] = json!([pair]);
        assert_eq!(finding_text(&list), text);
    }

    #[test]
    fn reports_and_summaries_are_told_apart() {
        let dir = std::env::temp_dir().join(format!("cargo-leakcheck-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let report = json!({"format": 1, "test": "t", "findings": [leaked(14, 1, "f")],
                            "schedule": 3, "replay_command": "cargo test -p demo t -- --exact"});
        std::fs::write(dir.join("t-1-0.json"), report.to_string()).unwrap();
        let summary = json!({"kind": "summary", "test": "u", "schedules": 100});
        std::fs::write(dir.join("u-1-1.summary.json"), summary.to_string()).unwrap();
        std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
        let c = load(&dir).unwrap();
        assert_eq!(c.reports.len(), 1);
        assert_eq!(c.reports[0].package().as_deref(), Some("demo"));
        assert_eq!(c.reports[0].schedule(), 3);
        assert_eq!(c.summaries.len(), 1);
        std::fs::write(dir.join("v-1-2.json"), "{}").unwrap();
        assert!(load(&dir).unwrap_err().contains("no `findings` array"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn headlines() {
        assert_eq!(
            finding_headline(&leaked(14, 1, "demo::leak")),
            "leaked thread#1 \"waiter\": blocked forever in Mutex::lock on mutex#1 at src/lib.rs:14:32"
        );
    }

    #[test]
    fn functions_are_normalized() {
        assert_eq!(
            normalize_function("a::b::{closure#3}::{closure#0}"),
            "a::b::{closure}::{closure}"
        );
        assert_eq!(normalize_function("a::b::h0123456789abcdef"), "a::b");
    }
}
