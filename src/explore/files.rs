//! Reports and summaries written to `LEAKCHECK_REPORT_DIR`, for `cargo leakcheck`.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::ConfigError;
use crate::report::{Report, Summary, SummaryRecord};

/// Writes `json` to a new file of `dir`, named after the test, the process and a counter, with
/// `suffix` (`.json` for reports, `.summary.json` for clean checks).
fn write_to_dir(
    dir: &Path,
    test: Option<&str>,
    suffix: &str,
    json: &str,
) -> Result<(), ConfigError> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let err = |e: std::io::Error| ConfigError::ReportDir {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let name: String = test
        .unwrap_or("check")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let file = dir.join(format!(
        "{name}-{}-{}{suffix}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(file, json).map_err(err)
}

pub(crate) fn write_report(dir: &Path, report: &Report) -> Result<(), ConfigError> {
    write_to_dir(dir, report.test(), ".json", &report.to_json())
}

/// A clean check's record for `cargo leakcheck`: what it explored.
pub(super) fn write_summary(
    dir: &Path,
    summary: &Summary,
    test: Option<&str>,
    package: Option<&str>,
) -> Result<(), ConfigError> {
    let record = SummaryRecord {
        test: test.map(String::from),
        package: package.map(String::from),
        schedules: summary.schedules(),
        scheduler: Some(summary.scheduler()),
        seed: Some(summary.seed()),
        elapsed_ms: Some(u64::try_from(summary.elapsed().as_millis()).unwrap_or(u64::MAX)),
    };
    let json = serde_json::to_string(&record).expect("a summary always serializes");
    write_to_dir(dir, test, ".summary.json", &json)
}
