//! The reports the checks wrote: reading them from the report directory into leakcheck's own
//! typed [`Report`]s, and telling them apart from the summaries of clean checks.

use std::path::{Path, PathBuf};

use leakcheck_schema::{Finding, Report, SummaryRecord};
use serde_json::Value;

/// A report file a failing check wrote to `LEAKCHECK_REPORT_DIR`.
#[derive(Clone, Debug)]
pub struct ReportFile {
    /// The report, as the check wrote it.
    pub report: Report,
    /// The timeline page leakcheck wrote beside it (`<name>.html`), when there is one.
    pub page: Option<PathBuf>,
}

impl ReportFile {
    /// The test's name, when the report knows it.
    pub fn test(&self) -> Option<&str> {
        self.report.test()
    }

    /// The test's package: the report's `package`, or the `-p` of its replay command.
    pub fn package(&self) -> Option<String> {
        let data = self.report.data();
        if let Some(p) = &data.package {
            return Some(p.clone());
        }
        let mut words = data.replay_command.split_whitespace();
        while let Some(w) = words.next() {
            if w == "-p" || w == "--package" {
                return words.next().map(String::from);
            }
        }
        None
    }

    /// Its findings.
    pub fn findings(&self) -> &[Finding] {
        self.report.findings()
    }

    /// The failing schedule (how many schedules the check explored).
    pub fn schedule(&self) -> u64 {
        self.report.schedule() as u64
    }

    /// The report as text, as leakcheck renders it.
    pub fn text(&self) -> String {
        self.report.to_string()
    }
}

/// What the checks wrote to the report directory.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    /// The reports of the checks that found something.
    pub reports: Vec<ReportFile>,
    /// The summaries of clean checks, for leakcheck versions that write them (see docs/ci.md).
    pub summaries: Vec<SummaryRecord>,
}

/// Reads every `*.json` file in the directory, sorted by file name: reports (leakcheck's
/// report format) and summaries of clean checks (`"kind": "summary"`). The traces beside the
/// reports (`*.trace.json`) are not reports; each report's page (`*.html`) is noted.
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
        .filter(|p| !p.to_string_lossy().ends_with(".trace.json"))
        .collect();
    paths.sort();
    let mut out = Collected::default();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the report {}: {e}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| format!("the report {} is not JSON: {e}", path.display()))?;
        if json["kind"] == "summary" {
            let summary = serde_json::from_value(json)
                .map_err(|e| format!("cannot read the summary {}: {e}", path.display()))?;
            out.summaries.push(summary);
            continue;
        }
        let report = Report::from_json(&text)
            .map_err(|e| format!("cannot read the report {}: {e}", path.display()))?;
        let page = Some(path.with_extension("html")).filter(|p| p.is_file());
        out.reports.push(ReportFile { report, page });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{every_kind, report};

    #[test]
    fn reports_and_summaries_are_told_apart() {
        let dir = std::env::temp_dir().join(format!("cargo-leakcheck-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = report(every_kind());
        std::fs::write(dir.join("t-1-0.json"), written.to_json()).unwrap();
        let summary = serde_json::json!({"kind": "summary", "test": "u", "schedules": 100});
        std::fs::write(dir.join("u-1-1.summary.json"), summary.to_string()).unwrap();
        std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
        std::fs::write(dir.join("t-1-0.trace.json"), "{\"traceEvents\": []}").unwrap();
        std::fs::write(dir.join("t-1-0.html"), "<!DOCTYPE html>").unwrap();
        let c = load(&dir).unwrap();
        assert_eq!(c.reports.len(), 1);
        assert_eq!(c.reports[0].report, written);
        assert_eq!(c.reports[0].text(), written.to_string());
        assert_eq!(c.reports[0].package().as_deref(), Some("demo"));
        assert_eq!(c.reports[0].schedule(), 3);
        assert_eq!(c.reports[0].page, Some(dir.join("t-1-0.html")));
        assert_eq!(c.summaries.len(), 1);
        std::fs::write(dir.join("v-1-2.json"), "{}").unwrap();
        assert!(load(&dir).unwrap_err().contains("not a leakcheck report"));
        let mut old: Value = serde_json::from_str(&written.to_json()).unwrap();
        old["format"] = 1.into();
        std::fs::write(dir.join("v-1-2.json"), old.to_string()).unwrap();
        assert!(load(&dir).unwrap_err().contains("is in format 1"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
