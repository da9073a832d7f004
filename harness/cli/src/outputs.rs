//! What a run writes: the JSON document (`--json`), the JUnit XML file (`--junit`), GitHub
//! Actions annotations, and the summary people read.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::analysis::{Analysis, FindingView, Standing};
use crate::cargo::Status;
use crate::headline::count;
use crate::registry::BinaryRegistry;
use crate::term::Ui;
use leakcheck_schema::SourceLocation;

/// The version of the `--json` document's schema (`harness/cli/schema/run.schema.json`).
pub const SCHEMA_VERSION: u64 = 2;

/// How the run ended, for the JSON document and the exit code.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// 0, 1 or 2.
    pub exit_code: i32,
    /// `pass`, `new_findings` or `error`.
    pub verdict: &'static str,
    /// What went wrong, for exit code 2: each message starts with what kind of error it is.
    pub errors: Vec<String>,
}

/// What the run was asked to do.
pub struct RunInfo<'a> {
    /// `cargo test` or `cargo nextest run`.
    pub runner: &'a str,
    /// `--schedules`.
    pub schedules: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--partition`.
    pub partition: Option<&'a str>,
    /// `--baseline`.
    pub baseline: Option<&'a Path>,
    /// Whether `--update-baseline` wrote the baseline.
    pub baseline_updated: bool,
    /// Baseline fingerprints that no finding of this run has (fixed, or not run).
    pub stale: Vec<String>,
    /// How long the run took.
    pub elapsed: Duration,
}

fn tool() -> Value {
    json!({"name": "cargo-leakcheck", "version": env!("CARGO_PKG_VERSION")})
}

fn location_json(l: &Option<SourceLocation>) -> Value {
    match l {
        Some(l) => json!({"file": l.file, "line": l.line, "column": l.column}),
        None => Value::Null,
    }
}

/// The registry as JSON: one entry per registered test, with its binary.
pub fn registry_json(registry: &[BinaryRegistry]) -> Vec<Value> {
    let mut out = Vec::new();
    for b in registry {
        for t in &b.tests {
            let mut t = t.clone();
            if let Some(obj) = t.as_object_mut() {
                obj.insert("binary".into(), json!(b.binary.id()));
            }
            out.push(t);
        }
    }
    out
}

/// The `--json` document of a run (see docs/ci.md for every field).
pub fn run_json(a: &Analysis, info: &RunInfo<'_>, verdict: &Verdict) -> Value {
    let per_kind: serde_json::Map<String, Value> = a
        .per_kind()
        .into_iter()
        .map(|(k, (all, new))| (k, json!({"total": all, "new": new})))
        .collect();
    let tests: Vec<Value> = a
        .results
        .iter()
        .map(|r| {
            json!({
                "binary": r.binary,
                "name": r.name,
                "status": r.status.name(),
                "check": a.registered(r).is_some(),
                "duration_s": r.seconds,
            })
        })
        .collect();
    let reports: Vec<Value> = a
        .reports
        .iter()
        .enumerate()
        .map(|(ri, r)| {
            let findings: Vec<Value> = a
                .findings
                .iter()
                .filter(|f| f.report == ri)
                .map(|f| {
                    json!({
                        "index": f.index,
                        "kind": f.kind,
                        "fingerprint": f.fingerprint,
                        "standing": f.standing.name(),
                        "location": location_json(&f.location),
                        "summary": f.headline,
                    })
                })
                .collect();
            json!({
                "test": r.test,
                "package": r.package,
                "binary": a.report_binary(r),
                "test_status": r.result.map(|i| a.results[i].status.name()),
                "gating": r.gating,
                "findings": findings,
                "text": r.file.text(),
                "report": r.file.report,
            })
        })
        .collect();
    let unexplained: Vec<Value> = a
        .unexplained
        .iter()
        .map(|&i| json!({"binary": a.results[i].binary, "name": a.results[i].name}))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "mode": "run",
        "tool": tool(),
        "runner": info.runner,
        "exit_code": verdict.exit_code,
        "verdict": verdict.verdict,
        "errors": verdict.errors,
        "duration_s": info.elapsed.as_secs_f64(),
        "settings": {"schedules": info.schedules, "seed": info.seed, "partition": info.partition},
        "summary": {
            "tests_run": a.tests_run(),
            "tests_passed": a.count(Status::Passed),
            "tests_failed": a.count(Status::Failed),
            "tests_ignored": a.count(Status::Ignored),
            "checks_run": a.checks_run(),
            "tests_with_findings": a.tests_with_findings(),
            "findings": a.findings.iter().filter(|f| f.standing != Standing::Expected).count(),
            "new_findings": a.with(Standing::New).count(),
            "baselined_findings": a.with(Standing::Baselined).count(),
            "expected_findings": a.with(Standing::Expected).count(),
            "findings_per_kind": per_kind,
            "schedules_in_reports": a.schedules_in_reports(),
            "schedules_in_summaries": a.schedules_in_summaries(),
            "clean_check_summaries": a.summaries.len(),
            "failed_without_report": unexplained,
        },
        "baseline": info.baseline.map(|p| json!({
            "path": p.display().to_string(),
            "updated": info.baseline_updated,
            "stale": info.stale,
        })),
        "registry": registry_json(&a.registry),
        "tests": tests,
        "reports": reports,
        "summaries": a.summaries,
        "unlisted_skipped": a.unlisted_skipped,
    })
}

/// The `--json` document of `--list`.
pub fn list_json(registry: &[BinaryRegistry], errors: &[String]) -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "mode": "list",
        "tool": tool(),
        "runner": Value::Null,
        "exit_code": if errors.is_empty() { 0 } else { 2 },
        "verdict": if errors.is_empty() { "pass" } else { "error" },
        "errors": errors,
        "duration_s": 0.0,
        "settings": {"schedules": Value::Null, "seed": Value::Null},
        "summary": Value::Null,
        "baseline": Value::Null,
        "registry": registry_json(registry),
        "tests": [],
        "reports": [],
    })
}

/// Writes a file, creating its directory.
pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// JUnit

/// Escapes text for XML, dropping the characters XML 1.0 cannot hold.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// How long a check ran, from the summary it wrote when clean (`elapsed_ms`), for a runner
/// that does not time each test.
fn check_seconds(a: &Analysis, r: &crate::cargo::TestResult) -> Option<f64> {
    a.summaries
        .iter()
        .filter(|s| s.test.as_deref() == Some(r.name.as_str()))
        .find(|s| match (s.package.as_deref(), r.binary.as_deref()) {
            (Some(p), Some(b)) => b == p || b.starts_with(&format!("{p}::")),
            _ => true,
        })
        .and_then(|s| s.elapsed_ms)
        .map(|ms| ms as f64 / 1000.0)
}

struct Case {
    name: String,
    classname: String,
    file: Option<String>,
    line: Option<u64>,
    seconds: Option<f64>,
    /// `(type, message, text)`.
    failures: Vec<(String, String, String)>,
    error: Option<String>,
    skipped: bool,
    out: String,
}

/// The JUnit XML of a run: a testsuite per binary; a testcase per registered check, per test
/// with a report and per failed test; a `<failure>` per new finding (its text the whole
/// report); an `<error>` for a test that failed without a report; `<skipped/>` for ignored
/// checks. Known and expected findings are listed in `<system-out>`.
pub fn junit(a: &Analysis, elapsed: Duration) -> String {
    let mut cases: Vec<Case> = Vec::new();
    let mut index_of: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, r) in a.results.iter().enumerate() {
        let registered = a.registered(r);
        let has_report = a.reports.iter().any(|rep| rep.result == Some(i));
        if registered.is_none() && !has_report && r.status != Status::Failed {
            continue;
        }
        let classname = r
            .binary
            .clone()
            .unwrap_or_else(|| "(unknown binary)".into());
        index_of.insert((classname.clone(), r.name.clone()), cases.len());
        cases.push(Case {
            name: r.name.clone(),
            classname,
            file: registered.and_then(|t| t["file"].as_str().map(String::from)),
            line: registered.and_then(|t| t["line"].as_u64()),
            seconds: r.seconds.or_else(|| check_seconds(a, r)),
            failures: Vec::new(),
            error: None,
            skipped: r.status == Status::Ignored,
            out: String::new(),
        });
    }
    for (ri, rep) in a.reports.iter().enumerate() {
        let classname = a.report_binary(rep);
        let name = rep.test.clone().unwrap_or_else(|| "(unnamed check)".into());
        let ci = match index_of.get(&(classname.clone(), name.clone())) {
            Some(&ci) => ci,
            None => {
                index_of.insert((classname.clone(), name.clone()), cases.len());
                cases.push(Case {
                    name,
                    classname,
                    file: None,
                    line: None,
                    seconds: None,
                    failures: Vec::new(),
                    error: None,
                    skipped: false,
                    out: String::new(),
                });
                cases.len() - 1
            }
        };
        let text = rep.file.text();
        let case = &mut cases[ci];
        for f in a.findings.iter().filter(|f| f.report == ri) {
            match f.standing {
                Standing::New => {
                    if case.file.is_none() {
                        case.file = f.location.as_ref().map(|l| l.file.clone());
                        case.line = f.location.as_ref().map(|l| u64::from(l.line));
                    }
                    case.failures.push((
                        f.kind.clone(),
                        format!("{} [{}]", f.headline, f.fingerprint),
                        text.clone(),
                    ));
                }
                Standing::Baselined | Standing::Expected => {
                    let what = if f.standing == Standing::Baselined {
                        "known finding (in the baseline)"
                    } else {
                        "expected finding (the test passed)"
                    };
                    let _ = writeln!(case.out, "{what} {}: {}", f.fingerprint, f.headline);
                }
            }
        }
    }
    for &i in &a.unexplained {
        let r = &a.results[i];
        let classname = r
            .binary
            .clone()
            .unwrap_or_else(|| "(unknown binary)".into());
        if let Some(&ci) = index_of.get(&(classname, r.name.clone()))
            && cases[ci].failures.is_empty()
        {
            cases[ci].error = Some(
                    "the test failed without a leakcheck report: an ordinary failure, see the test's output"
                        .into(),
                );
        }
    }

    let mut suites: BTreeMap<String, Vec<&Case>> = BTreeMap::new();
    for c in &cases {
        suites.entry(c.classname.clone()).or_default().push(c);
    }
    let count = |cs: &[&Case]| {
        (
            cs.len(),
            cs.iter().filter(|c| !c.failures.is_empty()).count(),
            cs.iter()
                .filter(|c| c.failures.is_empty() && c.error.is_some())
                .count(),
            cs.iter().filter(|c| c.skipped).count(),
        )
    };
    let all: Vec<&Case> = cases.iter().collect();
    let (t, f, e, s) = count(&all);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"cargo-leakcheck\" tests=\"{t}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{s}\" time=\"{:.3}\">",
        elapsed.as_secs_f64()
    );
    for (suite, cs) in &suites {
        let (t, f, e, s) = count(cs);
        // The binary's own time where the runner ran it as a whole (`cargo test`), or the sum
        // of its tests' times (nextest times each test).
        let time = a
            .binary_seconds
            .get(suite)
            .copied()
            .unwrap_or_else(|| cs.iter().filter_map(|c| c.seconds).fold(0.0, |a, b| a + b));
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{t}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{s}\" time=\"{time:.3}\">",
            xml_escape(suite)
        );
        for c in cs {
            let _ = write!(
                x,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_escape(&c.name),
                xml_escape(&c.classname)
            );
            if let Some(file) = &c.file {
                let _ = write!(x, " file=\"{}\"", xml_escape(file));
            }
            if let Some(line) = c.line {
                let _ = write!(x, " line=\"{line}\"");
            }
            if let Some(sec) = c.seconds {
                let _ = write!(x, " time=\"{sec:.3}\"");
            }
            if c.failures.is_empty() && c.error.is_none() && !c.skipped && c.out.is_empty() {
                x.push_str("/>\n");
                continue;
            }
            x.push_str(">\n");
            if c.skipped {
                x.push_str("      <skipped/>\n");
            }
            for (kind, message, text) in &c.failures {
                let _ = writeln!(
                    x,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    xml_escape(kind),
                    xml_escape(message),
                    xml_escape(text)
                );
            }
            if let Some(err) = &c.error {
                let _ = writeln!(
                    x,
                    "      <error type=\"test_failure\" message=\"{}\"/>",
                    xml_escape(err)
                );
            }
            if !c.out.is_empty() {
                let _ = writeln!(x, "      <system-out>{}</system-out>", xml_escape(&c.out));
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Paths for annotations: relative to the repository (`GITHUB_WORKSPACE`) when the report's
/// path, resolved against the workspace root, lies inside it.
pub struct PathMap {
    /// The root report paths are relative to.
    pub workspace_root: Option<PathBuf>,
    /// The repository's checkout.
    pub repository: Option<PathBuf>,
}

impl PathMap {
    /// The path GitHub should annotate.
    pub fn map(&self, file: &str) -> String {
        let path = Path::new(file);
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else if let Some(root) = &self.workspace_root {
            root.join(path)
        } else {
            return file.to_string();
        };
        if let Some(repo) = &self.repository
            && let Ok(rel) = absolute.strip_prefix(repo)
        {
            return rel.to_string_lossy().replace('\\', "/");
        }
        if path.is_relative() {
            return file.to_string();
        }
        absolute.to_string_lossy().into_owned()
    }
}

fn annotation(level: &str, title: &str, f: &FindingView, body: &str, paths: &PathMap) -> String {
    let mut props = Vec::new();
    if let Some(l) = &f.location {
        props.push(format!("file={}", escape_property(&paths.map(&l.file))));
        props.push(format!("line={}", l.line));
        if l.column > 0 {
            props.push(format!("col={}", l.column));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{level} {}::{}", props.join(","), escape_data(body))
}

/// The workflow commands for GitHub Actions: `::error` per new finding, at its primary
/// location; `::warning` per finding the baseline accepts; `::error` per test that failed
/// without a report.
pub fn github_annotations(a: &Analysis, paths: &PathMap) -> Vec<String> {
    let mut out = Vec::new();
    for f in &a.findings {
        let r = &a.reports[f.report];
        let test = r.test.as_deref().unwrap_or("a check");
        let body = format!(
            "{}\n\n{}\n\nfingerprint: {}",
            f.headline,
            r.file.text(),
            f.fingerprint
        );
        match f.standing {
            Standing::New => out.push(annotation(
                "error",
                &format!("leakcheck: {} in {test}", f.kind),
                f,
                &body,
                paths,
            )),
            Standing::Baselined => out.push(annotation(
                "warning",
                &format!("leakcheck: known {} in {test} (baseline)", f.kind),
                f,
                &body,
                paths,
            )),
            Standing::Expected => {}
        }
    }
    for &i in &a.unexplained {
        let r = &a.results[i];
        out.push(format!(
            "::error title={}::{}",
            escape_property(&format!("test failed: {}", r.name)),
            escape_data(&format!(
                "{} ({}) failed without a leakcheck report: an ordinary test failure",
                r.name,
                r.binary.as_deref().unwrap_or("unknown binary")
            ))
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Summary

/// The summary people read, on stdout.
pub fn summary(a: &Analysis, info: &RunInfo<'_>, verdict: &Verdict, ui: &Ui) -> String {
    let mut s = String::new();
    let new: Vec<&FindingView> = a.with(Standing::New).collect();
    // The reports with new findings, in full: the point of the run.
    let mut shown = Vec::new();
    for f in &new {
        if shown.contains(&f.report) {
            continue;
        }
        shown.push(f.report);
        let r = &a.reports[f.report];
        let _ = writeln!(
            s,
            "{} {} ({})",
            ui.red("new finding in"),
            ui.bold(r.test.as_deref().unwrap_or("a check")),
            a.report_binary(r)
        );
        for line in r.file.text().lines() {
            let _ = writeln!(s, "    {line}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "{}", ui.bold("cargo leakcheck summary"));
    let _ = writeln!(
        s,
        "  tests run:           {} ({}; {} passed, {} failed, {} ignored) with {}",
        a.tests_run(),
        count(a.checks_run(), "check", "checks"),
        a.count(Status::Passed),
        a.count(Status::Failed),
        a.count(Status::Ignored),
        info.runner
    );
    let _ = writeln!(s, "  tests with findings: {}", a.tests_with_findings());
    let gating = a
        .findings
        .iter()
        .filter(|f| f.standing != Standing::Expected)
        .count();
    let _ = writeln!(
        s,
        "  findings:            {gating} ({} new, {} in the baseline); {} more expected by passing tests",
        new.len(),
        a.with(Standing::Baselined).count(),
        a.with(Standing::Expected).count()
    );
    for (kind, (all, n)) in a.per_kind() {
        let _ = writeln!(s, "    {kind:<26} {all:>4}  ({n} new)");
    }
    match a.schedules_in_summaries() {
        Some(clean) => {
            let _ = writeln!(
                s,
                "  schedules explored:  {} ({} by {} clean checks, {} by {} reporting checks up to their findings)",
                clean + a.schedules_in_reports(),
                clean,
                a.summaries.len(),
                a.schedules_in_reports(),
                a.reports.len()
            );
        }
        None => {
            let _ = writeln!(
                s,
                "  schedules explored:  {} by the {} reporting checks, up to their findings (clean checks do not report theirs)",
                a.schedules_in_reports(),
                a.reports.len()
            );
        }
    }
    if let Some(n) = info.schedules {
        let _ = writeln!(s, "  schedules per check: {n} (--schedules)");
    }
    if let Some(seed) = info.seed {
        let _ = writeln!(s, "  seed:                {seed:#x} (--seed)");
    }
    let _ = writeln!(
        s,
        "  time:                {:.1}s",
        info.elapsed.as_secs_f64()
    );
    if let Some(path) = info.baseline {
        if info.baseline_updated {
            let _ = writeln!(
                s,
                "  baseline:            {} written with {}",
                path.display(),
                count(
                    a.baseline_entries()
                        .iter()
                        .map(|e| &e.fingerprint)
                        .collect::<std::collections::BTreeSet<_>>()
                        .len(),
                    "finding",
                    "findings"
                )
            );
        } else if !info.stale.is_empty() {
            let _ = writeln!(
                s,
                "  baseline:            {} not found in this run (fixed? run --update-baseline to drop them)",
                count(info.stale.len(), "entry", "entries")
            );
        }
    }
    for f in &new {
        let r = &a.reports[f.report];
        let _ = writeln!(
            s,
            "  {} {} {}: {} {}",
            ui.red("NEW"),
            r.test.as_deref().unwrap_or("?"),
            f.kind,
            f.location
                .as_ref()
                .map_or_else(|| "?".to_string(), ToString::to_string),
            ui.dim(&f.fingerprint)
        );
    }
    for &i in &a.unexplained {
        let r = &a.results[i];
        let _ = writeln!(
            s,
            "  {} {} ({}) failed without a leakcheck report",
            ui.yellow("FAILED"),
            r.name,
            r.binary.as_deref().unwrap_or("unknown binary")
        );
    }
    for e in &verdict.errors {
        let _ = writeln!(s, "  {} {e}", ui.red("error:"));
    }
    let result = match verdict.exit_code {
        0 if info.baseline_updated => ui.green("PASS: the baseline holds every finding"),
        0 => ui.green("PASS: no new findings"),
        1 => ui.red(&format!(
            "FAIL: {}",
            count(new.len(), "new finding", "new findings")
        )),
        _ => ui.red("ERROR: the run could not be judged"),
    };
    let _ = writeln!(s, "result: {result} (exit {})", verdict.exit_code);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_workflow_escapes() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(escape_data("50%\nx"), "50%25%0Ax");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn annotation_paths_are_relative_to_the_repository() {
        let paths = PathMap {
            workspace_root: Some("/repo/rust".into()),
            repository: Some("/repo".into()),
        };
        assert_eq!(paths.map("src/lib.rs"), "rust/src/lib.rs");
        assert_eq!(paths.map("/repo/x.rs"), "x.rs");
        assert_eq!(paths.map("/elsewhere/y.rs"), "/elsewhere/y.rs");
        let none = PathMap {
            workspace_root: None,
            repository: None,
        };
        assert_eq!(none.map("src/lib.rs"), "src/lib.rs");
    }
}
