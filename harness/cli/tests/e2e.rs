//! `cargo leakcheck` end to end, on a small workspace made here: a crate that depends on
//! leakcheck by path, with a leaky `#[leakcheck::test]`, a clean one and a plain `#[test]`.
//!
//! Every workspace builds into one shared target directory under the workspace's `target/`, so
//! leakcheck and its dependencies are compiled once; the tests that run cargo take turns.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;

/// Cargo runs are serialized: they share a target directory, and the machine is small.
static CARGO: Mutex<()> = Mutex::new(());

fn cargo_turn() -> MutexGuard<'static, ()> {
    CARGO.lock().unwrap_or_else(|e| e.into_inner())
}

/// The leakcheck workspace this crate lives in.
fn leakcheck_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the leakcheck workspace exists")
}

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-e2e")
}

/// A temporary workspace: one package, `demo`, depending on leakcheck by path.
struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    fn new(name: &str, lib_rs: &str) -> Workspace {
        let dir = scratch().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = format!(
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nleakcheck = {{ path = {:?} }}\n\n\
             # A workspace of its own, not a member of the one around it.\n[workspace]\n",
            leakcheck_root().display().to_string()
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        // leakcheck's lock file: the same versions, and no index update.
        let _ = std::fs::copy(leakcheck_root().join("Cargo.lock"), dir.join("Cargo.lock"));
        let ws = Workspace { dir };
        ws.write_lib(lib_rs);
        ws
    }

    fn write_lib(&self, lib_rs: &str) {
        std::fs::write(self.dir.join("src/lib.rs"), lib_rs).unwrap();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs `cargo-leakcheck leakcheck ARGS` in the workspace, as cargo runs the subcommand.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_in(&self.dir, args, env)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-leakcheck"));
    cmd.arg("leakcheck")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", scratch().join("target"))
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("LEAKCHECK_") || k.starts_with("NEXTEST") || k.starts_with("GITHUB_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("cargo-leakcheck runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

const LIB: &str = r#"//! The code under test.
use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;

/// Spawns a waiter that blocks forever on a mutex whose guard is never released.
pub fn leak_a_waiter() {
    let lock = Arc::new(Mutex::new(()));
    let held = lock.lock().unwrap();
    let l2 = Arc::clone(&lock);
    thread::Builder::new()
        .name("waiter".into())
        .spawn(move || drop(l2.lock())) // BLOCKED HERE
        .unwrap();
    std::mem::forget(held);
}

/// Starts a worker and forgets to join it.
pub fn detach_a_worker() {
    let stop = Arc::new(Mutex::new(false));
    let s2 = Arc::clone(&stop);
    thread::Builder::new()
        .name("worker".into())
        .spawn(move || loop {
            if *s2.lock().unwrap() {
                break;
            }
            thread::park(); // PARKED HERE
        })
        .unwrap();
}

#[cfg(test)]
mod tests {
    #[leakcheck::test(schedules = 20)]
    fn leaky() {
        super::leak_a_waiter();
    }

    #[leakcheck::test(scheduler = "random", schedules = 30, expect = "leaked_thread")]
    fn expected_leak() {
        super::leak_a_waiter();
    }

    #[leakcheck::test(schedules = 25)]
    fn clean() {
        let t = leakcheck::thread::spawn(|| 21 * 2);
        assert_eq!(t.join().unwrap(), 42);
    }

    #[test]
    fn plain() {}
    // MORE TESTS
}
"#;

fn line_of(source: &str, marker: &str) -> usize {
    source
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no {marker} in the source"))
        + 1
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema validator: type, const, enum, required, properties,
// additionalProperties, items, oneOf, $ref to #/$defs, pattern for `^fp1:[0-9a-f]{16}$`.

fn schema() -> Value {
    let text = include_str!("../schema/run.schema.json");
    serde_json::from_str(text).expect("the schema is JSON")
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("the validator does not know the type {other}"),
    }
}

fn validate(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/$defs/").expect("only local $defs");
        return validate(root, &root["$defs"][name], v, at, errors);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let ok = options
            .iter()
            .filter(|o| {
                let mut e = Vec::new();
                validate(root, o, v, at, &mut e);
                e.is_empty()
            })
            .count();
        if ok != 1 {
            errors.push(format!("{at}: matches {ok} of the oneOf options, not 1"));
        }
        return;
    }
    match &schema["type"] {
        Value::String(t) if !type_matches(t, v) => {
            errors.push(format!("{at}: expected {t}, got {v}"));
            return;
        }
        Value::Array(ts) if !ts.iter().any(|t| type_matches(t.as_str().unwrap(), v)) => {
            errors.push(format!("{at}: expected one of {ts:?}, got {v}"));
            return;
        }
        _ => {}
    }
    if let Some(c) = schema.get("const")
        && c != v
    {
        errors.push(format!("{at}: expected {c}, got {v}"));
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(v)
    {
        errors.push(format!("{at}: {v} is not one of {options:?}"));
    }
    if let Some(p) = schema["pattern"].as_str() {
        assert_eq!(p, "^fp1:[0-9a-f]{16}$", "the validator knows one pattern");
        let ok = v
            .as_str()
            .and_then(|s| s.strip_prefix("fp1:"))
            .is_some_and(|h| {
                h.len() == 16
                    && h.chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            });
        if !ok {
            errors.push(format!("{at}: {v} does not match {p}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap();
            if !obj.contains_key(key) {
                errors.push(format!("{at}: `{key}` is required"));
            }
        }
        for (key, child) in obj {
            let path = format!("{at}.{key}");
            if let Some(s) = schema["properties"].get(key) {
                validate(root, s, child, &path, errors);
            } else if let Some(s) = schema.get("additionalProperties") {
                if s == false {
                    errors.push(format!("{path}: not allowed"));
                } else {
                    validate(root, s, child, &path, errors);
                }
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            validate(root, items, x, &format!("{at}[{i}]"), errors);
        }
    }
}

fn assert_valid(doc: &Value) {
    let schema = schema();
    let mut errors = Vec::new();
    validate(&schema, &schema, doc, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let schema = schema();
    let mut bad = serde_json::json!({"schema_version": 1, "mode": "run"});
    let mut errors = Vec::new();
    validate(&schema, &schema, &bad, "$", &mut errors);
    assert!(
        errors.iter().any(|e| e.contains("expected 2")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("`tool` is required")),
        "{errors:?}"
    );
    bad["reports"] = serde_json::json!([{"findings": [{"fingerprint": "fp1:xyz"}]}]);
    errors.clear();
    validate(&schema, &schema, &bad, "$", &mut errors);
    assert!(
        errors.iter().any(|e| e.contains("does not match")),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// JUnit, parsed back

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    file: Option<String>,
    line: Option<String>,
    /// `(type, message, text)`.
    failures: Vec<(String, String, String)>,
    errors: usize,
    skipped: bool,
}

fn parse_junit(xml: &str) -> (Vec<(String, String)>, Vec<Case>) {
    let mut reader = Reader::from_str(xml);
    let mut suites = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
    let mut in_failure: Option<(String, String, String)> = None;
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<String> {
        e.try_get_attribute(name)
            .expect("well-formed attributes")
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .expect("escaped properly")
                    .into_owned()
            })
    };
    loop {
        match reader
            .read_event()
            .expect("the JUnit file is well-formed XML")
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                suites.push((attr(&e, "name").unwrap(), attr(&e, "failures").unwrap()));
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => cases.push(Case {
                name: attr(&e, "name").unwrap(),
                classname: attr(&e, "classname").unwrap(),
                file: attr(&e, "file"),
                line: attr(&e, "line"),
                ..Case::default()
            }),
            Event::Empty(e) if e.name().as_ref() == b"testcase" => cases.push(Case {
                name: attr(&e, "name").unwrap(),
                classname: attr(&e, "classname").unwrap(),
                file: attr(&e, "file"),
                line: attr(&e, "line"),
                ..Case::default()
            }),
            Event::Start(e) if e.name().as_ref() == b"failure" => {
                in_failure = Some((
                    attr(&e, "type").unwrap(),
                    attr(&e, "message").unwrap(),
                    String::new(),
                ));
            }
            Event::Text(t) => {
                if let Some(f) = &mut in_failure {
                    f.2.push_str(&t.decode().expect("UTF-8 text"));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(f) = &mut in_failure {
                    let name = String::from_utf8_lossy(&r);
                    f.2.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected entity {other}"),
                    });
                }
            }
            Event::End(e) if e.name().as_ref() == b"failure" => {
                let f = in_failure.take().unwrap();
                cases.last_mut().unwrap().failures.push(f);
            }
            Event::Empty(e) if e.name().as_ref() == b"error" => {
                cases.last_mut().unwrap().errors += 1;
            }
            Event::Empty(e) if e.name().as_ref() == b"skipped" => {
                cases.last_mut().unwrap().skipped = true;
            }
            _ => {}
        }
    }
    (suites, cases)
}

/// The `time` attribute of each element of a JUnit file, by `<element> <name>`.
fn times_of(xml: &str) -> std::collections::HashMap<String, f64> {
    let mut reader = Reader::from_str(xml);
    let mut out = std::collections::HashMap::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let get = |name: &str| {
                    e.try_get_attribute(name)
                        .expect("well-formed attributes")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                if let (Some(name), Some(time)) = (get("name"), get("time")) {
                    let element = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    let time = time.parse().expect("a time in seconds");
                    out.insert(format!("{element} {name}"), time);
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn an_unknown_option_is_a_usage_error() {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    let run = run_in(&dir, &["--frobnicate"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--frobnicate"), "{run:?}");
    assert!(run.stderr.contains("usage error"), "{run:?}");
    // `cargo-leakcheck` without the subcommand's name works the same.
    let direct = Command::new(env!("CARGO_BIN_EXE_cargo-leakcheck"))
        .arg("--update-baseline")
        .output()
        .unwrap();
    assert_eq!(direct.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&direct.stderr).contains("--baseline"));
    let help = run_in(&dir, &["--help"], &[]);
    assert_eq!(help.code, 0, "{help:?}");
    assert!(help.stdout.contains("Exit codes"), "{help:?}");
}

#[test]
fn a_malformed_baseline_is_an_error_before_anything_is_built() {
    let dir = scratch().join(format!("baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\"schema_version\": 1, \"findings\": [{\"kind\": \"x\"}]}",
    )
    .unwrap();
    let run = run_in(&dir, &["--baseline", bad.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("baseline error"), "{run:?}");
    assert!(run.stderr.contains("malformed"), "{run:?}");
    assert!(
        run.stderr
            .contains("findings[0] has no string `fingerprint`"),
        "{run:?}"
    );
    std::fs::write(&bad, "not json").unwrap();
    let run = run_in(&dir, &["--baseline", bad.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not JSON"), "{run:?}");
    let missing = dir.join("missing.json");
    let run = run_in(&dir, &["--baseline", missing.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("cannot read the baseline"), "{run:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_workspace_that_does_not_build_is_a_build_error() {
    let _turn = cargo_turn();
    let ws = Workspace::new(
        "broken",
        "#[cfg(test)]\nmod tests {\n    #[leakcheck::test]\n    fn t() { let x: u32 = \"no\"; }\n}\n",
    );
    let run = ws.run(&[], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("build error"), "{run:?}");
    assert!(run.stderr.contains("mismatched types"), "{run:?}");
}

#[test]
fn end_to_end() {
    let _turn = cargo_turn();
    let ws = Workspace::new("demo", LIB);

    // --list: the registered checks with their settings, nothing run.
    let list_json = ws.path("list.json");
    let run = ws.run(&["--list", "--json", list_json.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let (leaky_line, expected_line, clean_line) = (
        line_of(LIB, "fn leaky()"),
        line_of(LIB, "fn expected_leak()"),
        line_of(LIB, "fn clean()"),
    );
    for needle in [
        &format!("tests::leaky  src/lib.rs:{leaky_line}"),
        "given:     schedules = 20",
        "runs with: 20 schedules, pct:3, seed 0x5eed, max_steps 100000",
        &format!("tests::expected_leak  src/lib.rs:{expected_line}"),
        "given:     scheduler = random, schedules = 30",
        "expect:    leaked_thread",
        "runs with: 30 schedules, random, seed 0x5eed",
        &format!("tests::clean  src/lib.rs:{clean_line}"),
        "3 registered tests in 1 binary",
    ] {
        assert!(run.stdout.contains(needle), "no {needle:?} in {run:?}");
    }
    assert!(!run.stdout.contains("plain"), "{run:?}");
    assert!(
        !run.stderr.contains("running 4 tests"),
        "--list ran the tests: {run:?}"
    );
    let list = read_json(&list_json);
    assert_valid(&list);
    assert_eq!(list["mode"], "list");
    let names: Vec<&str> = list["registry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["tests::clean", "tests::expected_leak", "tests::leaky"]
    );
    // --schedules is laid over the code's settings, as in a run.
    let run = ws.run(&["--list", "--schedules", "7"], &[]);
    assert!(
        run.stdout.contains("runs with: 7 schedules, pct:3"),
        "{run:?}"
    );

    // A run: one new finding, exit 1, with JSON, JUnit and annotations.
    let (json, junit) = (ws.path("run.json"), ws.path("junit.xml"));
    let run = ws.run(
        &[
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("result: FAIL: 1 new finding (exit 1)"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("tests run:           4 (3 checks; 3 passed, 1 failed, 0 ignored)"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains(
            "findings:            1 (1 new, 0 in the baseline); 1 more expected by passing tests"
        ),
        "{run:?}"
    );

    let doc = read_json(&json);
    assert_valid(&doc);
    assert_eq!(doc["mode"], "run");
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(doc["verdict"], "new_findings");
    let s = &doc["summary"];
    assert_eq!(s["tests_run"], 4);
    assert_eq!(s["checks_run"], 3);
    assert_eq!(s["tests_with_findings"], 1);
    assert_eq!(s["new_findings"], 1);
    assert_eq!(s["expected_findings"], 1);
    assert_eq!(s["findings_per_kind"]["leaked_thread"]["new"], 1);
    let gating: Vec<&Value> = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["gating"] == true)
        .collect();
    assert_eq!(gating.len(), 1);
    assert_eq!(gating[0]["test"], "tests::leaky");
    assert_eq!(gating[0]["test_status"], "failed");
    let finding = &gating[0]["findings"][0];
    assert_eq!(finding["standing"], "new");
    let blocked_line = line_of(LIB, "BLOCKED HERE");
    assert_eq!(finding["location"]["file"], "src/lib.rs");
    assert_eq!(finding["location"]["line"], blocked_line);
    let fingerprint = finding["fingerprint"].as_str().unwrap().to_string();

    // JUnit: a testcase per check, the leaky one failing with its report.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let (suites, cases) = parse_junit(&xml);
    assert_eq!(suites, [("demo".to_string(), "1".to_string())]);
    // Real times: the binary's under `cargo test` (it times no single test), and a clean
    // check's own (from the summary it wrote).
    let times = times_of(&xml);
    let suite_time = times["testsuite demo"];
    assert!(suite_time > 0.0, "the suite's time is its binary's: {xml}");
    assert!(times["testsuites cargo-leakcheck"] >= suite_time, "{xml}");
    assert!(
        times.contains_key("testcase tests::clean"),
        "a clean check has its time: {xml}"
    );
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["tests::clean", "tests::expected_leak", "tests::leaky"]
    );
    let leaky = cases.iter().find(|c| c.name == "tests::leaky").unwrap();
    assert_eq!(leaky.classname, "demo");
    assert_eq!(
        (leaky.file.as_deref(), leaky.line.as_deref()),
        (Some("src/lib.rs"), Some(leaky_line.to_string().as_str()))
    );
    assert_eq!(leaky.failures.len(), 1, "{leaky:?}");
    let (kind, message, text) = &leaky.failures[0];
    assert_eq!(kind, "leaked_thread");
    assert!(
        message.contains("leaked thread#1 \"waiter\": blocked forever in Mutex::lock"),
        "{message}"
    );
    assert!(message.contains(&fingerprint), "{message}");
    assert!(
        text.starts_with("leakcheck: 1 leaked thread (schedule "),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "blocked forever in Mutex::lock on mutex#1 at src/lib.rs:{blocked_line}:"
        )),
        "{text}"
    );
    assert!(text.contains("replay: LEAKCHECK_REPLAY="), "{text}");
    for passing in ["tests::clean", "tests::expected_leak"] {
        let c = cases.iter().find(|c| c.name == passing).unwrap();
        assert!(
            c.failures.is_empty() && c.errors == 0 && !c.skipped,
            "{c:?}"
        );
    }

    // The annotation: at the line where the leaked thread is blocked.
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{run:?}");
    assert!(
        annotations[0].starts_with(&format!("::error file=src/lib.rs,line={blocked_line},col=")),
        "{}",
        annotations[0]
    );
    assert!(annotations[0].contains(",title=leakcheck%3A leaked_thread in tests%3A%3Aleaky::"));
    assert!(!annotations[0].contains('\n'));
    // Without GITHUB_ACTIONS, none.
    let quiet = ws.run(&["--schedules", "5"], &[]);
    assert_eq!(quiet.code, 1, "{quiet:?}");
    assert!(!quiet.stdout.contains("::error"), "{quiet:?}");

    // The baseline: written, then it silences the known finding, across seeds and line shifts.
    let baseline = ws.path("leakcheck-baseline.json");
    let b = baseline.to_str().unwrap();
    let run = ws.run(&["--baseline", b, "--update-baseline"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("written with 1 finding"), "{run:?}");
    let written = read_json(&baseline);
    assert_eq!(written["schema_version"], 1);
    assert_eq!(written["findings"].as_array().unwrap().len(), 1);
    assert_eq!(written["findings"][0]["fingerprint"], fingerprint.as_str());
    assert_eq!(written["findings"][0]["test"], "tests::leaky");

    let run = ws.run(
        &[
            "--baseline",
            b,
            "--seed",
            "0x1234",
            "--json",
            json.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let doc = read_json(&json);
    assert_valid(&doc);
    assert_eq!(doc["summary"]["baselined_findings"], 1);
    assert_eq!(doc["summary"]["new_findings"], 0);
    assert_eq!(doc["settings"]["seed"], 0x1234);

    // Unrelated lines above everything, and a second leaky check: only the new one gates.
    let edited = format!("//! Moved down by two lines.\n\n{LIB}").replace(
        "    // MORE TESTS",
        "    #[leakcheck::test(schedules = 20)]\n    fn leaky_too() {\n        super::detach_a_worker();\n    }",
    );
    ws.write_lib(&edited);
    let run = ws.run(
        &["--baseline", b, "--json", json.to_str().unwrap()],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let doc = read_json(&json);
    assert_valid(&doc);
    assert_eq!(doc["summary"]["baselined_findings"], 1, "{run:?}");
    assert_eq!(doc["summary"]["new_findings"], 1, "{run:?}");
    let new: Vec<&Value> = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["standing"] == "new")
        })
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["test"], "tests::leaky_too");
    let parked = line_of(&edited, "PARKED HERE");
    assert_eq!(new[0]["findings"][0]["location"]["line"], parked);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(
        errors[0].starts_with(&format!("::error file=src/lib.rs,line={parked},")),
        "{}",
        errors[0]
    );
    let known = format!("::warning file=src/lib.rs,line={},", blocked_line + 2);
    assert!(
        run.stdout.contains(&known),
        "the known one is a warning: {run:?}"
    );

    // An ordinary failing test is not a finding: exit 2, and it says so.
    ws.write_lib(&LIB.replace(
        "    // MORE TESTS",
        "    #[test]\n    fn ordinary_failure() {\n        assert_eq!(1, 2);\n    }",
    ));
    let run = ws.run(&["--baseline", b, "--junit", junit.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("test error: 1 failed without a leakcheck report"),
        "{run:?}"
    );
    assert!(run.stderr.contains("tests::ordinary_failure"), "{run:?}");
    let (_, cases) = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    let failed = cases
        .iter()
        .find(|c| c.name == "tests::ordinary_failure")
        .unwrap();
    assert_eq!(failed.errors, 1, "{failed:?}");
    let run = ws.run(&["--baseline", b, "--allow-test-failures"], &[]);
    assert_eq!(run.code, 0, "{run:?}");

    // The same gate with nextest (or cargo test, with a warning, where nextest is missing), with
    // two ignored tests: nextest prints no line for a test it skips, only its count.
    ws.write_lib(&LIB.replace(
        "    // MORE TESTS",
        "    #[test]\n    #[ignore]\n    fn slow() {}\n\n    #[leakcheck::test]\n    #[ignore]\n    fn slow_check() {}",
    ));
    let run = ws.run(&["--nextest", "--json", json.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let doc = read_json(&json);
    assert_valid(&doc);
    assert_eq!(doc["summary"]["new_findings"], 1);
    assert_eq!(doc["summary"]["tests_run"], 4);
    assert_eq!(doc["summary"]["tests_ignored"], 2, "{run:?}");
    assert!(
        run.stdout
            .contains("(3 checks; 3 passed, 1 failed, 2 ignored)"),
        "{run:?}"
    );
    let fp = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["gating"] == true)
        .map(|r| r["findings"][0]["fingerprint"].clone())
        .unwrap();
    assert_eq!(
        fp,
        fingerprint.as_str(),
        "the same fingerprint under nextest"
    );
}

const SIGNALS: &str = r#"//! Code with the findings that have no thread left blocked on a lock.
use leakcheck::cancel::Token;
use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

/// Sets the flag a sleeper waits for, and forgets to notify.
pub fn forget_the_signal() {
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    let s2 = Arc::clone(&state);
    thread::Builder::new()
        .name("sleeper".into())
        .spawn(move || {
            let (lock, cv) = &*s2;
            let mut ready = lock.lock().unwrap();
            while !*ready {
                ready = cv.wait(ready).unwrap(); // SLEEPS HERE
            }
        })
        .unwrap();
    *state.0.lock().unwrap() = true;
}

/// Cancels a getter that waits on a condvar, which cannot see the cancel.
pub fn cancel_a_getter() {
    let token = Token::new();
    let items = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
    let (t2, i2) = (token.clone(), Arc::clone(&items));
    thread::Builder::new()
        .name("getter".into())
        .spawn(move || {
            let (lock, cv) = &*i2;
            let mut guard = lock.lock().unwrap();
            loop {
                if t2.is_cancelled() || guard.pop().is_some() {
                    return;
                }
                guard = cv.wait(guard).unwrap(); // GETS HERE
            }
        })
        .unwrap();
    token.cancel();
}

/// Takes two locks in one order here and in the other order on a thread.
pub fn take_locks_in_both_orders() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    let t = thread::spawn(move || {
        let _b = b2.lock().unwrap();
        let _a = a2.lock().unwrap();
    });
    {
        let _a = a.lock().unwrap();
        let _b = b.lock().unwrap();
    }
    let _ = t.join();
}

#[cfg(test)]
mod tests {
    #[leakcheck::test(schedules = 200, spurious_wakeups = false)]
    fn forgotten() {
        super::forget_the_signal();
    }

    #[leakcheck::test(schedules = 200, spurious_wakeups = false)]
    fn unresponsive() {
        super::cancel_a_getter();
    }

    #[leakcheck::test(schedules = 200)]
    fn inverted() {
        super::take_locks_in_both_orders();
    }
}
"#;

/// The kinds whose findings have no thread of their own blocked on a lock (a missed signal, an
/// unresponsive cancellation, a lock order inversion) are rendered like every other kind: with
/// the report's own text and headline, at the finding's own location.
#[test]
fn signals_cancellations_and_lock_orders_are_rendered_like_every_kind() {
    let _turn = cargo_turn();
    let ws = Workspace::new("signals", SIGNALS);
    let json = ws.path("run.json");
    let junit = ws.path("junit.xml");
    let run = ws.run(
        &[
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let doc = read_json(&json);
    assert_valid(&doc);
    let reports = doc["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3, "{run:?}");
    let finding = |test: &str, kind: &str| -> &Value {
        reports
            .iter()
            .filter(|r| r["test"] == test)
            .flat_map(|r| r["findings"].as_array().unwrap())
            .find(|f| f["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} for {test} in {run:?}"))
    };
    let sleeps = line_of(SIGNALS, "SLEEPS HERE");
    let gets = line_of(SIGNALS, "GETS HERE");
    let missed = finding("tests::forgotten", "missed_signal");
    assert_eq!(missed["location"]["line"], sleeps);
    assert!(
        missed["summary"]
            .as_str()
            .unwrap()
            .starts_with("missed signal: thread#1 \"sleeper\" waits forever in Condvar::wait on condvar#1 at src/lib.rs:"),
        "{missed}"
    );
    let unresponsive = finding("tests::unresponsive", "unresponsive_cancellation");
    assert_eq!(unresponsive["location"]["line"], gets);
    assert!(
        unresponsive["summary"].as_str().unwrap().starts_with(
            "unresponsive cancellation: thread#1 \"getter\" uses token#1, cancelled at src/lib.rs:"
        ),
        "{unresponsive}"
    );
    let inverted = finding("tests::inverted", "lock_order_inversion");
    assert_eq!(inverted["location"]["file"], "src/lib.rs");
    let summary = inverted["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("lock order inversion: mutex#")
            && summary.ends_with(" are taken in opposite orders"),
        "{summary}"
    );
    // The text is leakcheck's own, whole: no raw JSON.
    for r in reports {
        let text = r["text"].as_str().unwrap();
        assert!(text.starts_with("leakcheck: "), "{text}");
        assert!(!text.contains("\"kind\""), "{text}");
        assert_eq!(r["report"]["format"], 2);
    }
    // JUnit: each failing test's failure names its finding in words.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let (_, cases) = parse_junit(&xml);
    for (test, kind, headline) in [
        ("tests::forgotten", "missed_signal", "missed signal: "),
        (
            "tests::unresponsive",
            "unresponsive_cancellation",
            "unresponsive cancellation: ",
        ),
        (
            "tests::inverted",
            "lock_order_inversion",
            "lock order inversion: ",
        ),
    ] {
        let case = cases.iter().find(|c| c.name == test).unwrap();
        let failure = case.failures.iter().find(|(k, ..)| k == kind);
        let (_, message, text) = failure.unwrap_or_else(|| panic!("{case:?}"));
        assert!(message.starts_with(headline), "{message}");
        assert!(text.starts_with("leakcheck: "), "{text}");
    }
    // Annotations: each at its finding's location, titled with its kind.
    let annotations: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    for (kind, line) in [
        ("missed_signal", sleeps),
        ("unresponsive_cancellation", gets),
    ] {
        assert!(
            annotations.iter().any(|a| a
                .starts_with(&format!("::error file=src/lib.rs,line={line},"))
                && a.contains(&format!("title=leakcheck%3A {kind} in "))),
            "{kind}: {annotations:#?}"
        );
    }
    assert!(
        annotations
            .iter()
            .any(|a| a.contains("title=leakcheck%3A lock_order_inversion in tests%3A%3Ainverted")),
        "{annotations:#?}"
    );
    // The terminal summary shows the reports in full.
    assert!(
        run.stdout
            .contains("    missed signal: thread#1 \"sleeper\""),
        "{run:?}"
    );
    assert!(run.stdout.contains("    lock order inversion: "), "{run:?}");
}

const LIVE_LIB: &str = r#"//! Unmodified code: std threads, which only live mode sees.
pub fn start_reader() -> std::sync::mpsc::Sender<()> {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("bg-reader".into())
        .spawn(move || {
            let _ = rx.recv();
        })
        .unwrap();
    tx
}

#[cfg(test)]
mod tests {
    #[leakcheck::test(schedules = 2, grace_ms = 100)]
    fn leaves_a_reader() {
        std::mem::forget(super::start_reader());
    }

    #[leakcheck::test(schedules = 2)]
    fn joins_everything() {
        std::thread::spawn(|| ()).join().unwrap();
    }
}
"#;

#[test]
fn live_mode_finds_the_std_threads_the_deterministic_mode_cannot_see() {
    let _turn = cargo_turn();
    let ws = Workspace::new("live", LIVE_LIB);
    let json = ws.path("live.json");

    // Deterministic: std threads are outside the model, so nothing is found.
    let run = ws.run(&["--json", json.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{run:?}");

    // Live: the leaked reader, by name, blocked in the kernel; the clean test stays clean.
    let run = ws.run(&["--live", "--json", json.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let doc = read_json(&json);
    assert_valid(&doc);
    assert_eq!(doc["summary"]["new_findings"], 1, "{run:?}");
    let report = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["test"] == "tests::leaves_a_reader")
        .unwrap_or_else(|| panic!("no report of tests::leaves_a_reader: {run:?}"));
    assert_eq!(report["findings"][0]["kind"], "leaked_thread");
    let text = report["text"].as_str().unwrap();
    assert!(text.contains("leaked thread#1 \"bg-reader\""), "{text}");
    assert!(text.contains("blocked in the kernel"), "{text}");
    assert!(
        text.contains(
            "rerun: LEAKCHECK_MODE=live cargo test -p demo tests::leaves_a_reader -- --exact"
        ),
        "{text}"
    );
    assert_eq!(report["report"]["live"]["runs"], 1, "{report}");
}

#[test]
fn shards_merged_give_the_result_of_one_run() {
    let _turn = cargo_turn();
    let lib = LIB.replace(
        "    // MORE TESTS",
        "    #[leakcheck::test(schedules = 10)]\n    fn detached() {\n        super::detach_a_worker();\n    }\n\n    \
         #[leakcheck::test(schedules = 15)]\n    fn clean_too() {\n        leakcheck::thread::spawn(|| ()).join().unwrap();\n    }\n\n    \
         #[test]\n    fn plain_too() {}",
    );
    let ws = Workspace::new("shards", &lib);
    let path = |name: &str| ws.path(name).to_str().unwrap().to_string();

    let full = ws.run(&["--json", &path("full.json")], &[]);
    assert_eq!(full.code, 1, "{full:?}");
    let mut codes = Vec::new();
    for shard in ["hash:1/2", "hash:2/2"] {
        let json = path(&format!("{}.json", shard.replace([':', '/'], "-")));
        let run = ws.run(&["--partition", shard, "--json", &json], &[]);
        assert!(run.code == 0 || run.code == 1, "{run:?}");
        let doc = read_json(Path::new(&json));
        assert_valid(&doc);
        assert_eq!(doc["settings"]["partition"], shard);
        codes.push(run.code);
    }
    assert!(codes.contains(&1), "some shard has the leaky tests");

    let merged = ws.run(
        &[
            "merge",
            &path("hash-1-2.json"),
            &path("hash-2-2.json"),
            "--json",
            &path("merged.json"),
            "--junit",
            &path("merged.xml"),
        ],
        &[],
    );
    assert_eq!(merged.code, 1, "{merged:?}");
    let (full, merged_doc) = (
        read_json(&ws.path("full.json")),
        read_json(&ws.path("merged.json")),
    );
    assert_valid(&merged_doc);
    for field in [
        "tests_run",
        "tests_passed",
        "tests_failed",
        "checks_run",
        "tests_with_findings",
        "findings",
        "new_findings",
        "expected_findings",
        "findings_per_kind",
        "schedules_in_reports",
        "schedules_in_summaries",
        "clean_check_summaries",
    ] {
        assert_eq!(
            merged_doc["summary"][field], full["summary"][field],
            "summary.{field}: merged {merged:?}"
        );
    }
    let fingerprints = |doc: &Value| {
        let mut fps: Vec<String> = doc["reports"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["findings"].as_array().unwrap().iter())
            .map(|f| format!("{} {}", f["fingerprint"], f["standing"]))
            .collect();
        fps.sort();
        fps
    };
    assert_eq!(fingerprints(&merged_doc), fingerprints(&full));
    let (_, cases) = parse_junit(&std::fs::read_to_string(ws.path("merged.xml")).unwrap());
    for test in [
        "tests::leaky",
        "tests::detached",
        "tests::clean",
        "tests::clean_too",
        "tests::expected_leak",
    ] {
        assert!(
            cases.iter().any(|c| c.name == test),
            "no {test} in the merged JUnit"
        );
    }

    // The baseline is applied once, to every shard's findings: accepting them all passes.
    let baseline = path("baseline.json");
    let run = ws.run(
        &[
            "merge",
            &path("hash-1-2.json"),
            &path("hash-2-2.json"),
            "--baseline",
            &baseline,
            "--update-baseline",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let run = ws.run(
        &[
            "merge",
            &path("hash-1-2.json"),
            &path("hash-2-2.json"),
            "--baseline",
            &baseline,
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("(0 new, 2 in the baseline)"), "{run:?}");

    // Bad input: a clear error naming the file.
    std::fs::write(ws.path("junk.json"), "not json").unwrap();
    let run = ws.run(&["merge", &path("junk.json")], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("junk.json is not JSON"), "{run:?}");
    let run = ws.run(&["--partition", "hash:3/2"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("shard 3 is not between 1 and the number of shards, 2"),
        "{run:?}"
    );
}
