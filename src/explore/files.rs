//! Reports and summaries written to `LEAKCHECK_REPORT_DIR`, for `cargo leakcheck`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{ConfigError, ReplayError};
use crate::report::workspace_root;
use crate::report::{Report, Summary, SummaryRecord};
use crate::timeline::Timeline;

/// A test's name as a file name: what a file name cannot hold becomes `_`.
fn file_name(test: Option<&str>) -> String {
    test.unwrap_or("check")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A new file stem in `dir` for a check of `test`: the test's name, the process and a counter,
/// so that checks running at once never share one.
fn new_stem(dir: &Path, test: Option<&str>) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = file_name(test);
    dir.join(format!(
        "{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Writes files `<stem><suffix>` (`.json` for a report, `.summary.json` for a clean check,
/// `.trace.json` and `.html` for the failing schedule) to a new stem of `dir`.
fn write_to_dir(dir: &Path, test: Option<&str>, files: &[(&str, &str)]) -> Result<(), ConfigError> {
    let err = |e: std::io::Error| ConfigError::ReportDir {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let stem = new_stem(dir, test);
    for (suffix, text) in files {
        let mut file = stem.clone().into_os_string();
        file.push(suffix);
        std::fs::write(file, text).map_err(err)?;
    }
    Ok(())
}

/// The directory long replay tokens are written to: `leakcheck/replay` in the target directory.
fn token_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    workspace_root()
        .join(target)
        .join("leakcheck")
        .join("replay")
}

/// Writes a replay token too long to paste to a file named after the test and the token, and
/// returns the file's path as the replay line gives it: relative to the workspace root when it
/// is below it, so that reports stay the same bytes on every machine.
pub(super) fn write_token(token: &str, test: Option<&str>) -> std::io::Result<String> {
    let dir = token_dir();
    std::fs::create_dir_all(&dir)?;
    let hash = token.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let name = file_name(test);
    let file = dir.join(format!("{name}-{hash:08x}.lc"));
    std::fs::write(&file, token)?;
    let shown = file
        .strip_prefix(workspace_root())
        .map_or_else(|_| file.clone(), Path::to_path_buf);
    Ok(shown.to_string_lossy().replace('\\', "/"))
}

/// The token `LEAKCHECK_REPLAY=@path` names: the file's content. A relative path is looked up
/// in the current directory, then in the workspace root (where the replay line's paths start).
pub(super) fn read_token(path: &str) -> Result<String, ReplayError> {
    let given = Path::new(path);
    let candidates = if given.is_absolute() {
        vec![given.to_path_buf()]
    } else {
        vec![given.to_path_buf(), workspace_root().join(given)]
    };
    let mut last = None;
    for file in candidates {
        match std::fs::read_to_string(&file) {
            Ok(text) => return Ok(text.trim().to_string()),
            Err(e) => last = Some(e),
        }
    }
    Err(ReplayError::File {
        path: path.to_string(),
        reason: last.map_or_else(|| "not found".into(), |e| e.to_string()),
    })
}

/// Writes a report, and beside it, when the failing schedule's timeline is known, its
/// Perfetto trace (`.trace.json`) and its page (`.html`).
pub(crate) fn write_report(
    dir: &Path,
    report: &Report,
    timeline: Option<&Timeline>,
) -> Result<(), ConfigError> {
    let json = report.to_json();
    match timeline {
        Some(t) => {
            let trace = crate::timeline::perfetto::render(t, report);
            let page = crate::timeline::html::render(t, report);
            write_to_dir(
                dir,
                report.test(),
                &[(".trace.json", &trace), (".html", &page), (".json", &json)],
            )
        }
        None => write_to_dir(dir, report.test(), &[(".json", &json)]),
    }
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
    write_to_dir(dir, test, &[(".summary.json", &json)])
}
