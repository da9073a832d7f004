//! `cargo leakcheck merge`: the `--json` documents of several runs (the shards of a
//! `--partition`ed suite) read back into one [`Analysis`](crate::analysis::Analysis), so that the baseline gate, the JUnit
//! file, the annotations and the summary are made once, as for a single run.

use std::collections::BTreeMap;
use std::path::Path;

use leakcheck_schema::{Report, SummaryRecord};
use serde_json::Value;

use crate::cargo::{Binary, Status, TestResult};
use crate::outputs::SCHEMA_VERSION;
use crate::registry::BinaryRegistry;
use crate::report_files::{Collected, ReportFile};

/// What the shards' documents hold, joined.
#[derive(Debug, Default)]
pub struct Shards {
    /// Every test result of every shard.
    pub results: Vec<TestResult>,
    /// Every report, and every clean check's summary.
    pub collected: Collected,
    /// The registries of every binary the shards saw (each binary once).
    pub registry: Vec<BinaryRegistry>,
    /// Tests the runners skipped without a result line.
    pub unlisted_skipped: usize,
    /// The errors the shards ended with, each prefixed with its file.
    pub errors: Vec<String>,
    /// The runner of the shards (`cargo test`, `cargo nextest run`), when they agree.
    pub runner: Option<String>,
    /// The shards' `--schedules` and `--seed`, when they agree.
    pub schedules: Option<u64>,
    /// See [`Shards::schedules`].
    pub seed: Option<u64>,
}

/// Reads and joins the documents. A file that cannot be read, is not JSON, or is not a run's
/// document of this schema version is an error naming the file.
pub fn read(files: &[impl AsRef<Path>]) -> Result<Shards, String> {
    let mut shards = Shards::default();
    let mut registry: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut runners = Vec::new();
    let mut settings = Vec::new();
    for file in files {
        let path = file.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("{name} is not JSON: {e}"))?;
        if doc["schema_version"] != SCHEMA_VERSION {
            return Err(format!(
                "{name} has schema_version {}, but this cargo-leakcheck reads {SCHEMA_VERSION}: \
                 merge the outputs of the same cargo-leakcheck version",
                doc["schema_version"]
            ));
        }
        if doc["mode"] != "run" {
            return Err(format!(
                "{name} is a `{}` document: merge takes the --json files of runs (`cargo leakcheck --json FILE`)",
                doc["mode"].as_str().unwrap_or("?")
            ));
        }
        runners.push(doc["runner"].as_str().map(String::from));
        settings.push((
            doc["settings"]["schedules"].as_u64(),
            doc["settings"]["seed"].as_u64(),
        ));
        for e in doc["errors"].as_array().into_iter().flatten() {
            if let Some(e) = e.as_str() {
                let (kind, message) = e.split_once(": ").unwrap_or(("harness", e));
                shards.errors.push(format!("{kind}: {name}: {message}"));
            }
        }
        for t in array(&doc, "tests", &name)? {
            shards
                .results
                .push(test_result(t).ok_or_else(|| malformed(&name, "tests", t))?);
        }
        for r in array(&doc, "reports", &name)? {
            let report = Report::from_json(&r["report"].to_string())
                .map_err(|e| format!("{name}: a report cannot be read: {e}"))?;
            shards
                .collected
                .reports
                .push(ReportFile { report, page: None });
        }
        for s in doc["summaries"].as_array().into_iter().flatten() {
            let s: SummaryRecord = serde_json::from_value(s.clone())
                .map_err(|e| format!("{name}: a clean check's summary cannot be read: {e}"))?;
            shards.collected.summaries.push(s);
        }
        for t in array(&doc, "registry", &name)? {
            let Some(binary) = t["binary"].as_str() else {
                return Err(malformed(&name, "registry", t));
            };
            let tests = registry.entry(binary.to_string()).or_default();
            // A binary's registry is the same in every shard that ran it.
            if !tests.iter().any(|u| u["name"] == t["name"]) {
                tests.push(t.clone());
            }
        }
        shards.unlisted_skipped += doc["unlisted_skipped"].as_u64().unwrap_or(0) as usize;
    }
    shards.registry = registry
        .into_iter()
        .map(|(id, tests)| BinaryRegistry {
            binary: Binary::from_id(&id),
            tests,
        })
        .collect();
    shards.runner = agreed(runners).flatten();
    shards.schedules = agreed(settings.iter().map(|s| s.0).collect()).flatten();
    shards.seed = agreed(settings.iter().map(|s| s.1).collect()).flatten();
    Ok(shards)
}

/// The one value every shard has, if they agree.
fn agreed<T: PartialEq>(mut values: Vec<T>) -> Option<T> {
    let first = values.pop()?;
    values.iter().all(|v| *v == first).then_some(first)
}

fn array<'a>(doc: &'a Value, field: &str, name: &str) -> Result<&'a Vec<Value>, String> {
    doc[field].as_array().ok_or_else(|| {
        format!("{name} has no `{field}` array: is it a cargo leakcheck --json file?")
    })
}

fn malformed(name: &str, field: &str, value: &Value) -> String {
    format!("{name}: an entry of `{field}` is not what a run writes: {value}")
}

fn test_result(t: &Value) -> Option<TestResult> {
    let status = match t["status"].as_str()? {
        "passed" => Status::Passed,
        "failed" => Status::Failed,
        "ignored" => Status::Ignored,
        _ => return None,
    };
    Some(TestResult {
        binary: t["binary"].as_str().map(String::from),
        name: t["name"].as_str()?.to_string(),
        status,
        seconds: t["duration_s"].as_f64(),
    })
}
