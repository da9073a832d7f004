//! The registry of `#[leakcheck::test]`s, read out of each test binary without running a check.
//!
//! The attribute submits an entry per test to `inventory`, and a test binary can only run code
//! through a test. So, for each test binary, `cargo leakcheck`
//! 1. finds the names of its registered tests: each entry holds a marker string,
//!    `\x01leakcheck-test\x02<module path>::<function>\x03`, that the executable's data keeps;
//! 2. runs the binary with one of them selected (`NAME --exact --include-ignored`) and
//!    `LEAKCHECK_LIST=<file>` set: the test sees the variable, writes the whole registry of its
//!    binary (what `inventory` collected: every entry, with its settings) to the file, and
//!    returns without running its check.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::cargo::{binary_command, Binary};

/// What starts an entry's marker in the executable.
const MARKER_START: &[u8] = b"\x01leakcheck-test\x02";
/// What ends it.
const MARKER_END: u8 = 0x03;

/// The registered tests of one binary.
#[derive(Clone, Debug)]
pub struct BinaryRegistry {
    /// The binary.
    pub binary: Binary,
    /// Its registered tests, as the binary wrote them (see `leakcheck::__private::registry_json`).
    pub tests: Vec<Value>,
}

/// The libtest names of the registered tests whose markers the executable holds.
pub fn marked_tests(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], MARKER_START) {
        let start = from + at + MARKER_START.len();
        let Some(len) = bytes[start..]
            .iter()
            .take(4096)
            .position(|&b| b == MARKER_END)
        else {
            from = start;
            continue;
        };
        let path = std::str::from_utf8(&bytes[start..start + len])
            .ok()
            .filter(|p| is_rust_path(p));
        if let Some(path) = path {
            // libtest names a test by its path without the crate's name.
            let name = path.split_once("::").map_or(path, |(_, rest)| rest);
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        from = start + len;
    }
    names
}

/// `crate::module::name`: identifiers separated by `::`.
fn is_rust_path(text: &str) -> bool {
    text.contains("::")
        && text.split("::").all(|seg| {
            let seg = seg.strip_prefix("r#").unwrap_or(seg);
            !seg.is_empty()
                && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !seg.starts_with(|c: char| c.is_ascii_digit())
        })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        let at = haystack[i..].iter().position(|&b| b == first)?;
        i += at;
        if haystack[i..].starts_with(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Reads the registry of one binary: `Ok(None)` when it has no registered test, an error when
/// it has some but did not write its registry.
pub fn read(
    binary: &Binary,
    scratch: &Path,
    index: usize,
    env: &[(&str, String)],
) -> Result<Option<BinaryRegistry>, String> {
    let bytes = std::fs::read(&binary.executable)
        .map_err(|e| format!("cannot read {}: {e}", binary.executable.display()))?;
    let mut names = marked_tests(&bytes);
    drop(bytes);
    if names.is_empty() {
        return Ok(None);
    }
    // Only names libtest knows: marker bytes that happen to be elsewhere in the data (the
    // marker's own constant, say) are not tests.
    let listed = list_tests(binary)?;
    names.retain(|n| listed.iter().any(|l| l == n));
    if names.is_empty() {
        return Ok(None);
    }
    let file = scratch.join(format!("registry-{index}.json"));
    let mut last_problem = String::new();
    for name in names.iter().take(3) {
        let _ = std::fs::remove_file(&file);
        let mut cmd = binary_command(binary);
        cmd.args([
            name.as_str(),
            "--exact",
            "--include-ignored",
            "--test-threads",
            "1",
        ])
        .env("LEAKCHECK_LIST", &file)
        .env_remove("LEAKCHECK_REPORT_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", binary.executable.display()))?;
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let registry: Value = serde_json::from_str(&text).map_err(|e| {
                    format!(
                        "{} wrote a registry that is not JSON ({e})",
                        binary.executable.display()
                    )
                })?;
                let tests = registry["tests"].as_array().cloned().ok_or_else(|| {
                    format!(
                        "{} wrote a registry without `tests`",
                        binary.executable.display()
                    )
                })?;
                return Ok(Some(BinaryRegistry {
                    binary: binary.clone(),
                    tests,
                }));
            }
            Err(_) => {
                last_problem = format!(
                    "running `{} {name} --exact` with LEAKCHECK_LIST set wrote no registry ({}){}",
                    binary.executable.display(),
                    out.status,
                    tail(&String::from_utf8_lossy(&out.stderr))
                );
            }
        }
    }
    Err(last_problem)
}

/// The names of the tests in a binary, as `--list` gives them.
pub fn list_tests(binary: &Binary) -> Result<Vec<String>, String> {
    let out = binary_command(binary)
        .args(["--list", "--format", "terse"])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.executable.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`{} --list` failed ({}){}",
            binary.executable.display(),
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr))
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(String::from)
        .collect())
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines.len().saturating_sub(5);
    format!(": {}", lines[start..].join(" | "))
}

/// One line of settings for a registered test: what it runs with.
pub fn effective_line(test: &Value) -> String {
    let e = &test["effective"];
    if let Some(err) = e["error"].as_str() {
        return format!("settings error: {err}");
    }
    let mut parts = vec![
        format!("{} schedules", e["schedules"]),
        e["scheduler"].as_str().unwrap_or("?").to_string(),
        match e["seed"].as_u64() {
            Some(s) => format!("seed {s:#x}"),
            None => "seed ?".into(),
        },
        format!("max_steps {}", e["max_steps"]),
    ];
    if e["allow_lingering"] == true {
        parts.push("lingering allowed".into());
    }
    if e["spurious_wakeups"] == false {
        parts.push("no spurious wake-ups".into());
    }
    if e["replay"].is_string() {
        parts.push("replays a token".into());
    }
    parts.join(", ")
}

/// The arguments as written in the attribute, `k = v, ...`, or `(defaults)`.
pub fn given_line(test: &Value) -> String {
    let Some(given) = test["given"].as_object().filter(|g| !g.is_empty()) else {
        return "(defaults)".into();
    };
    given
        .iter()
        .map(|(k, v)| match v.as_str() {
            Some("true") if k == "allow_lingering" || k == "spurious_wakeups" => k.clone(),
            Some(s) => format!("{k} = {s}"),
            None => format!("{k} = {v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The expected kinds, comma separated (empty when none).
pub fn expect_line(test: &Value) -> String {
    test["expect"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_and_the_crate_dropped() {
        // Built at run time, so that this test's own binary holds no marker.
        let marker = |path: &str| [MARKER_START, path.as_bytes(), &[MARKER_END]].concat();
        let mut bytes = b"junk".to_vec();
        bytes.extend(marker("demo::tests::leaky"));
        bytes.extend(b"more");
        bytes.extend(marker("demo::clean"));
        bytes.extend(marker("demo::clean"));
        bytes.extend(marker("not a path: {}"));
        bytes.extend(MARKER_START);
        assert_eq!(marked_tests(&bytes), ["tests::leaky", "clean"]);
        assert!(marked_tests(b"nothing here").is_empty());
    }

    #[test]
    fn settings_lines() {
        let t: Value = serde_json::json!({
            "given": {"schedules": "50", "allow_lingering": "true"},
            "expect": ["leaked_thread"],
            "effective": {"schedules": 50, "scheduler": "pct:3", "seed": 24301,
                          "max_steps": 100000, "allow_lingering": true,
                          "spurious_wakeups": true, "replay": null}
        });
        assert_eq!(given_line(&t), "allow_lingering, schedules = 50");
        assert_eq!(expect_line(&t), "leaked_thread");
        assert_eq!(
            effective_line(&t),
            "50 schedules, pct:3, seed 0x5eed, max_steps 100000, lingering allowed"
        );
    }
}
