//! Baselines: the findings a project accepts for now, by fingerprint, so that only new ones
//! gate a merge.
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "tool": "cargo-leakcheck 0.1.0",
//!   "findings": [
//!     { "fingerprint": "fp1:4f3c2a1b0e9d8c7b", "kind": "leaked_thread", "test": "tests::leaky",
//!       "package": "demo", "location": "src/lib.rs:14:32", "summary": "...", "canonical": "..." }
//!   ]
//! }
//! ```
//!
//! Only `schema_version` and each entry's `fingerprint` are read; the rest is for people.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

/// The baseline format this version reads and writes.
pub const BASELINE_VERSION: u64 = 1;

/// A baseline: the accepted fingerprints.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// The fingerprints it accepts.
    pub fingerprints: BTreeSet<String>,
}

/// One accepted finding, as written to the file.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The fingerprint.
    pub fingerprint: String,
    /// The kind.
    pub kind: String,
    /// The test.
    pub test: Option<String>,
    /// The package.
    pub package: Option<String>,
    /// The primary location, `file:line:column`.
    pub location: Option<String>,
    /// The finding in one line.
    pub summary: String,
    /// The canonical text the fingerprint hashes.
    pub canonical: String,
}

impl Baseline {
    /// Reads a baseline; an error says what is wrong with the file.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        Baseline::parse(&text).map_err(|e| {
            format!(
                "the baseline {} is malformed: {e} (write a fresh one with --update-baseline)",
                path.display()
            )
        })
    }

    /// Parses a baseline's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
        let Some(obj) = v.as_object() else {
            return Err("not a JSON object".into());
        };
        match obj.get("schema_version").and_then(Value::as_u64) {
            Some(BASELINE_VERSION) => {}
            Some(other) => {
                return Err(format!(
                    "schema_version {other} is not supported (this cargo-leakcheck reads {BASELINE_VERSION})"
                ))
            }
            None => return Err("no numeric `schema_version`".into()),
        }
        let Some(findings) = obj.get("findings").and_then(Value::as_array) else {
            return Err("no `findings` array".into());
        };
        let mut fingerprints = BTreeSet::new();
        for (i, f) in findings.iter().enumerate() {
            let fp = f["fingerprint"]
                .as_str()
                .ok_or_else(|| format!("findings[{i}] has no string `fingerprint`"))?;
            let valid = fp
                .strip_prefix("fp1:")
                .is_some_and(|h| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()));
            if !valid {
                return Err(format!(
                    "findings[{i}].fingerprint `{fp}` is not a fingerprint (`fp1:` and 16 hexadecimal digits)"
                ));
            }
            fingerprints.insert(fp.to_string());
        }
        Ok(Baseline { fingerprints })
    }

    /// Whether the baseline accepts this fingerprint.
    pub fn accepts(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }
}

/// Writes a baseline holding exactly these findings (sorted, one entry per fingerprint).
pub fn write(path: &Path, entries: &[Entry]) -> Result<(), String> {
    let mut entries: Vec<&Entry> = entries.iter().collect();
    entries.sort_by(|a, b| (&a.test, &a.fingerprint).cmp(&(&b.test, &b.fingerprint)));
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let findings: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "fingerprint": e.fingerprint,
                "kind": e.kind,
                "test": e.test,
                "package": e.package,
                "location": e.location,
                "summary": e.summary,
                "canonical": e.canonical,
            })
        })
        .collect();
    let doc = json!({
        "schema_version": BASELINE_VERSION,
        "tool": concat!("cargo-leakcheck ", env!("CARGO_PKG_VERSION")),
        "findings": findings,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a baseline always serializes");
    text.push('\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text)
        .map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_baselines_say_what_is_wrong() {
        for (text, needle) in [
            ("{", "not JSON"),
            ("[]", "not a JSON object"),
            ("{\"findings\": []}", "schema_version"),
            ("{\"schema_version\": 9, \"findings\": []}", "not supported"),
            ("{\"schema_version\": 1}", "findings"),
            (
                "{\"schema_version\": 1, \"findings\": [{}]}",
                "findings[0] has no string",
            ),
            (
                "{\"schema_version\": 1, \"findings\": [{\"fingerprint\": \"x\"}]}",
                "is not a fingerprint",
            ),
        ] {
            let err = Baseline::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
        let ok = Baseline::parse(
            "{\"schema_version\": 1, \"findings\": [{\"fingerprint\": \"fp1:0123456789abcdef\"}]}",
        )
        .unwrap();
        assert!(ok.accepts("fp1:0123456789abcdef"));
    }
}
