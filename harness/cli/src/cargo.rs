//! Cargo and the test binaries: building the tests, running them with `cargo test` or
//! `cargo nextest run`, and reading which test passed or failed from their output.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use serde_json::Value;

use crate::term::Ui;

/// A test binary cargo built.
#[derive(Clone, Debug)]
pub struct Binary {
    /// The package's name.
    pub package: String,
    /// The target's name (`demo`, `checks`, ...).
    pub target: String,
    /// The target's kind: `lib`, `bin`, `test`, `bench`, `example`, `proc-macro`.
    pub kind: String,
    /// The executable.
    pub executable: PathBuf,
    /// The directory of the package's Cargo.toml: cargo runs the tests there.
    pub manifest_dir: PathBuf,
}

impl Binary {
    /// A binary known only by its [`id`](Binary::id), as a run's JSON names it (`cargo
    /// leakcheck merge` reads binaries back this way; the executable is unknown).
    pub fn from_id(id: &str) -> Binary {
        let (package, rest) = id.split_once("::").unwrap_or((id, ""));
        let (kind, target) = match rest.split_once('/') {
            _ if rest.is_empty() => ("lib", package),
            Some((kind, target)) => (kind, target),
            None => ("test", rest),
        };
        Binary {
            package: package.to_string(),
            target: target.to_string(),
            kind: kind.to_string(),
            executable: PathBuf::new(),
            manifest_dir: PathBuf::new(),
        }
    }

    /// The binary's id, as nextest writes it: `pkg` for the library's unit tests, `pkg::name`
    /// for an integration test, `pkg::bin/name` for a binary's, and so on.
    pub fn id(&self) -> String {
        match self.kind.as_str() {
            "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" => {
                self.package.clone()
            }
            "test" => format!("{}::{}", self.package, self.target),
            other => format!("{}::{other}/{}", self.package, self.target),
        }
    }
}

/// How a test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It passed.
    Passed,
    /// It failed (or crashed, or timed out).
    Failed,
    /// It was ignored (skipped).
    Ignored,
}

impl Status {
    /// `passed`, `failed`, `ignored`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Ignored => "ignored",
        }
    }
}

/// One test's result, read from the runner's output.
#[derive(Clone, Debug)]
pub struct TestResult {
    /// The binary's id ([`Binary::id`]), or `pkg::doctest` for doc tests; `None` when the
    /// output did not say.
    pub binary: Option<String>,
    /// The test's name as libtest gives it.
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// How long it took, when the runner says (nextest does).
    pub seconds: Option<f64>,
}

/// What running the tests gave.
pub struct RunOutcome {
    /// The runner's exit status.
    pub status: ExitStatus,
    /// Every test result read from the output, in the order they were printed.
    pub results: Vec<TestResult>,
    /// The runner's output, stdout and stderr (interleaved as they arrived).
    pub output: String,
    /// Tests the runner skipped without a line of their own: nextest counts the tests it skips
    /// (ignored, or filtered out by its config) only in its `Starting` and `Summary` lines.
    pub unlisted_skipped: usize,
    /// How long each binary's tests ran, by binary id, as measured from the output of
    /// `cargo test` (which runs one binary after another); empty for nextest, which gives
    /// each test's own time.
    pub binary_seconds: BTreeMap<String, f64>,
}

/// The cargo to run: `$CARGO` (set when cargo runs a subcommand), or `cargo`.
pub fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// Whether `cargo nextest` is installed.
pub fn nextest_installed(cargo: &Path) -> bool {
    Command::new(cargo)
        .args(["nextest", "--version"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The package's name in a cargo package id, old (`name 0.1.0 (path+file://...)`) or new
/// (`path+file:///dir/name#0.1.0`, `registry+...#name@0.1.0`) style.
pub fn package_name(package_id: &str) -> String {
    if let Some((url, fragment)) = package_id.rsplit_once('#') {
        if let Some((name, _version)) = fragment.split_once('@') {
            return name.to_string();
        }
        return url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(url)
            .to_string();
    }
    package_id
        .split_whitespace()
        .next()
        .unwrap_or(package_id)
        .to_string()
}

/// Builds the tests (`cargo test --no-run`) and returns the binaries, or an error saying the
/// build failed; the compiler's messages have then been shown.
pub fn build(cargo: &Path, selection: &[String], ui: &Ui) -> Result<Vec<Binary>, String> {
    let mut cmd = Command::new(cargo);
    cmd.args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ])
    .args(selection)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(if ui.stream() {
        Stdio::inherit()
    } else {
        Stdio::piped()
    });
    if ui.color() {
        cmd.env("CARGO_TERM_COLOR", "always");
    }
    let spinner = ui.spinner("building the tests");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", cargo.display()))?;
    let stderr = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = s.read_to_string(&mut text);
            text
        })
    });
    let mut binaries = Vec::new();
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        if let Some(t) = msg["target"]["name"].as_str() {
            spinner.set_message(format!("building the tests: {t}"));
        }
        let Some(exe) = msg["executable"].as_str() else {
            continue;
        };
        if msg["profile"]["test"] != true {
            continue;
        }
        let manifest = msg["manifest_path"].as_str().unwrap_or_default();
        binaries.push(Binary {
            package: package_name(msg["package_id"].as_str().unwrap_or_default()),
            target: msg["target"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            kind: msg["target"]["kind"][0]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            executable: PathBuf::from(exe),
            manifest_dir: Path::new(manifest)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        });
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for cargo: {e}"))?;
    spinner.finish_and_clear();
    let messages = stderr.map(|h| h.join().unwrap_or_default());
    if !status.success() {
        if let Some(text) = messages {
            eprint!("{text}");
        }
        return Err(format!(
            "`cargo test --no-run` failed ({status}): the tests do not build; the compiler's messages are above"
        ));
    }
    binaries.sort_by_key(Binary::id);
    binaries.dedup_by(|a, b| a.executable == b.executable);
    Ok(binaries)
}

/// Runs a test binary directly, as cargo would: in its package's directory, with the package's
/// variables.
pub fn binary_command(binary: &Binary) -> Command {
    let mut cmd = Command::new(&binary.executable);
    cmd.current_dir(&binary.manifest_dir)
        .env("CARGO_MANIFEST_DIR", &binary.manifest_dir)
        .env("CARGO_PKG_NAME", &binary.package)
        .stdin(Stdio::null());
    if let Some(deps) = binary.executable.parent() {
        let var = if cfg!(windows) {
            "PATH"
        } else if cfg!(target_os = "macos") {
            "DYLD_FALLBACK_LIBRARY_PATH"
        } else {
            "LD_LIBRARY_PATH"
        };
        let mut paths = vec![deps.to_path_buf()];
        if let Some(old) = std::env::var_os(var) {
            paths.extend(std::env::split_paths(&old));
        }
        if let Ok(joined) = std::env::join_paths(paths) {
            cmd.env(var, joined);
        }
    }
    cmd
}

/// Which runner runs the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// `cargo test`.
    CargoTest,
    /// `cargo nextest run`.
    Nextest,
}

impl Runner {
    /// `cargo test` or `cargo nextest run`.
    pub fn name(self) -> &'static str {
        match self {
            Runner::CargoTest => "cargo test",
            Runner::Nextest => "cargo nextest run",
        }
    }
}

/// What to run: the runner, cargo's selection, the tests' arguments and environment.
pub struct RunSpec<'a> {
    /// `cargo test` or nextest.
    pub runner: Runner,
    /// Packages, manifest, profile, features.
    pub selection: &'a [String],
    /// Arguments for the test binaries.
    pub test_args: &'a [String],
    /// Variables for the tests (`LEAKCHECK_REPORT_DIR`, the overrides).
    pub env: &'a [(&'a str, String)],
    /// The binaries the build made, to name them in results.
    pub binaries: &'a [Binary],
    /// How many tests to expect, for the progress bar.
    pub total: Option<u64>,
    /// nextest's `--partition`: run one shard of the tests.
    pub partition: Option<&'a str>,
}

/// Runs the tests with every binary's reports going to the environment's report directory.
pub fn run_tests(cargo: &Path, spec: &RunSpec<'_>, ui: &Ui) -> Result<RunOutcome, String> {
    let RunSpec {
        runner,
        selection,
        test_args,
        env,
        binaries,
        total,
        partition,
    } = *spec;
    let mut cmd = Command::new(cargo);
    match runner {
        Runner::CargoTest => cmd.args(["test", "--no-fail-fast"]),
        Runner::Nextest => cmd.args(["nextest", "run", "--no-fail-fast"]),
    };
    cmd.args(selection);
    if let Some(partition) = partition {
        cmd.args(["--partition", partition]);
    }
    if !test_args.is_empty() {
        cmd.arg("--").args(test_args);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run `{} {}`: {e}", cargo.display(), runner.name()))?;
    let (tx, rx) = mpsc::channel::<(bool, String)>();
    let mut readers = Vec::new();
    for (is_err, stream) in [
        (
            false,
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ),
        (
            true,
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ),
    ] {
        let Some(stream) = stream else { continue };
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf)
                            .trim_end_matches(['\n', '\r'])
                            .to_string();
                        if tx.send((is_err, line)).is_err() {
                            break;
                        }
                    }
                }
            }
        }));
    }
    drop(tx);

    let progress = ui.progress(total, "running the tests");
    let mut parser = OutputParser::new(runner, binaries);
    let mut output = String::new();
    for (is_err, line) in rx {
        if ui.stream() {
            eprintln!("{line}");
        }
        let clean = strip_ansi(&line);
        if let Some(result) = parser.line(is_err, &clean) {
            if progress
                .length()
                .is_some_and(|len| progress.position() >= len)
            {
                progress.inc_length(1);
            }
            progress.inc(1);
            progress.set_message(result.name.clone());
        }
        output.push_str(&line);
        output.push('\n');
    }
    for r in readers {
        let _ = r.join();
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for cargo: {e}"))?;
    progress.finish_and_clear();
    let unlisted_skipped = parser.unlisted_skipped();
    let binary_seconds = parser.binary_seconds();
    Ok(RunOutcome {
        status,
        results: parser.finish(),
        output,
        unlisted_skipped,
        binary_seconds,
    })
}

/// Removes ANSI escape sequences.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Reads test results out of `cargo test`'s or nextest's output, line by line.
pub struct OutputParser {
    runner: Runner,
    /// Executable file names to binary ids.
    executables: HashMap<String, String>,
    /// `cargo test`: the binaries in the order stderr's `Running` lines name them.
    running: Vec<Option<String>>,
    /// `cargo test`: how many `running N tests` lines stdout has shown.
    started: usize,
    /// Results with, for `cargo test`, the index of the binary they came from.
    results: Vec<(usize, TestResult)>,
    /// nextest: the tests its `Starting` or `Summary` line says it skipped.
    skipped: Option<usize>,
    /// `cargo test`: when each block of `running N tests` started, and when its last line came.
    blocks: Vec<(Instant, Instant)>,
}

impl OutputParser {
    /// A parser for this runner's output, knowing the binaries that were built.
    pub fn new(runner: Runner, binaries: &[Binary]) -> Self {
        let executables = binaries
            .iter()
            .filter_map(|b| {
                let name = b.executable.file_name()?.to_string_lossy().into_owned();
                Some((name, b.id()))
            })
            .collect();
        OutputParser {
            runner,
            executables,
            running: Vec::new(),
            started: 0,
            results: Vec::new(),
            skipped: None,
            blocks: Vec::new(),
        }
    }

    /// Reads one line of stdout (`is_err` false) or stderr; returns the result it holds.
    pub fn line(&mut self, is_err: bool, line: &str) -> Option<&TestResult> {
        self.line_at(is_err, line, Instant::now())
    }

    /// [`OutputParser::line`], for a line that came at `now`.
    pub fn line_at(&mut self, is_err: bool, line: &str, now: Instant) -> Option<&TestResult> {
        let result = match self.runner {
            Runner::CargoTest => {
                let started = self.started;
                let result = self.libtest_line(is_err, line, now);
                // A line of the current block (not the one that starts the next) moves its end.
                if !is_err
                    && self.started == started
                    && let Some(block) = self.blocks.last_mut()
                {
                    block.1 = now;
                }
                result?
            }
            Runner::Nextest => {
                if let Some(n) = nextest_skipped(line) {
                    self.skipped = Some(self.skipped.map_or(n, |m| m.max(n)));
                }
                nextest_line(line)?
            }
        };
        self.results.push((self.started, result));
        self.results.last().map(|(_, r)| r)
    }

    fn libtest_line(&mut self, is_err: bool, line: &str, now: Instant) -> Option<TestResult> {
        let trimmed = line.trim();
        if is_err {
            if let Some(rest) = trimmed.strip_prefix("Running ") {
                let id = rest
                    .rsplit_once('(')
                    .and_then(|(_, path)| path.strip_suffix(')'))
                    .and_then(|path| Path::new(path).file_name())
                    .and_then(|name| self.executables.get(&*name.to_string_lossy()))
                    .cloned();
                self.running.push(id);
            } else if let Some(package) = trimmed.strip_prefix("Doc-tests ") {
                self.running
                    .push(Some(format!("{}::doctest", package.trim())));
            }
            return None;
        }
        if line.starts_with("running ") && line.ends_with(" tests") || line == "running 1 test" {
            self.started += 1;
            self.blocks.push((now, now));
            return None;
        }
        let rest = line.strip_prefix("test ")?;
        let (name, status) = rest.rsplit_once(" ... ")?;
        let status = match status {
            "ok" => Status::Passed,
            "FAILED" => Status::Failed,
            s if s.starts_with("ignored") => Status::Ignored,
            _ => return None,
        };
        let name = name.strip_suffix(" - should panic").unwrap_or(name);
        Some(TestResult {
            binary: None,
            name: name.to_string(),
            status,
            seconds: None,
        })
    }

    /// How many tests nextest skipped beyond those it printed a `SKIP` line for.
    pub fn unlisted_skipped(&self) -> usize {
        let listed = self
            .results
            .iter()
            .filter(|(_, r)| r.status == Status::Ignored)
            .map(|(_, r)| (&r.binary, &r.name))
            .collect::<std::collections::HashSet<_>>()
            .len();
        self.skipped.unwrap_or(0).saturating_sub(listed)
    }

    /// `cargo test`: how long each binary's block of tests took, from its `running N tests`
    /// line to its last line, by binary id (a binary's doc tests as `pkg::doctest`).
    pub fn binary_seconds(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for (i, (start, end)) in self.blocks.iter().enumerate() {
            if let Some(Some(id)) = self.running.get(i) {
                *out.entry(id.clone()).or_insert(0.0) += end.duration_since(*start).as_secs_f64();
            }
        }
        out
    }

    /// The results; for `cargo test`, each with the binary its `running N tests` block
    /// belongs to. A test nextest reports twice (the run, then the final summary) is kept once.
    pub fn finish(self) -> Vec<TestResult> {
        let mut out: Vec<TestResult> = Vec::new();
        let mut seen: HashMap<(Option<String>, String), usize> = HashMap::new();
        for (block, mut r) in self.results {
            if self.runner == Runner::CargoTest && block >= 1 {
                r.binary = self.running.get(block - 1).cloned().flatten();
            }
            let key = (r.binary.clone(), r.name.clone());
            match seen.get(&key) {
                Some(&i) => out[i] = r,
                None => {
                    seen.insert(key, out.len());
                    out.push(r);
                }
            }
        }
        out
    }
}

/// A nextest status line: `PASS [   0.004s] ( 1/15) pkg::binary test::name`.
fn nextest_line(line: &str) -> Option<TestResult> {
    let mut rest = line.trim_start();
    let mut status_word = take_word(&mut rest)?;
    if status_word == "TRY" {
        take_word(&mut rest)?;
        status_word = take_word(&mut rest)?;
    }
    let status = match status_word {
        "PASS" | "LEAK" | "FLAKY" => Status::Passed,
        "SKIP" => Status::Ignored,
        "FAIL" | "TIMEOUT" | "ABORT" | "LEAK-FAIL" | "SIGSEGV" | "SIGABRT" | "SIGBUS"
        | "SIGILL" | "SIGFPE" | "SIGKILL" | "SIGTERM" | "SIGTRAP" => Status::Failed,
        s if s.starts_with("SIG") && s.chars().all(|c| c.is_ascii_uppercase()) => Status::Failed,
        _ => return None,
    };
    let rest = rest.trim_start().strip_prefix('[')?;
    let (duration, rest) = rest.split_once(']')?;
    let seconds = duration.trim().trim_end_matches('s').parse::<f64>().ok();
    let mut rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('(') {
        rest = after.split_once(')')?.1.trim_start();
    }
    let (binary, name) = rest.split_once(' ')?;
    let name = name.trim();
    if binary.is_empty() || name.is_empty() {
        return None;
    }
    Some(TestResult {
        binary: Some(binary.to_string()),
        name: name.to_string(),
        status,
        seconds,
    })
}

/// The count of skipped tests in nextest's `Starting 2 tests across 1 binary (2 tests skipped)`
/// or `Summary [   0.1s] 2 tests run: 1 passed, 1 failed, 2 skipped` line.
fn nextest_skipped(line: &str) -> Option<usize> {
    let rest = line.trim_start();
    if !(rest.starts_with("Starting ") || rest.starts_with("Summary ")) {
        return None;
    }
    rest.split([',', '(', ')', ':'])
        .map(str::trim)
        .filter(|part| part.ends_with(" skipped"))
        .find_map(|part| part.split_whitespace().next()?.parse().ok())
}

fn take_word<'a>(text: &mut &'a str) -> Option<&'a str> {
    let t = text.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    if end == 0 {
        return None;
    }
    let (word, rest) = t.split_at(end);
    *text = rest;
    Some(word)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_binary_reads_back_from_its_id() {
        for (kind, target) in [
            ("lib", "demo"),
            ("test", "checks"),
            ("bin", "tool"),
            ("bench", "b"),
        ] {
            let b = super::Binary {
                package: "demo".into(),
                target: target.into(),
                kind: kind.into(),
                executable: Default::default(),
                manifest_dir: Default::default(),
            };
            assert_eq!(super::Binary::from_id(&b.id()).id(), b.id());
        }
    }

    use super::*;
    use std::time::Duration;

    #[test]
    fn package_ids_old_and_new() {
        assert_eq!(package_name("demo 0.1.0 (path+file:///tmp/demo)"), "demo");
        assert_eq!(package_name("path+file:///tmp/demo#0.1.0"), "demo");
        assert_eq!(package_name("path+file:///tmp/x#demo@0.1.0"), "demo");
        assert_eq!(
            package_name("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0"),
            "serde"
        );
    }

    #[test]
    fn nextest_lines() {
        let r = nextest_line("        PASS [   0.568s] ( 1/15) leakcheck::attribute clean_join")
            .unwrap();
        assert_eq!(r.binary.as_deref(), Some("leakcheck::attribute"));
        assert_eq!(r.name, "clean_join");
        assert_eq!(r.status, Status::Passed);
        assert_eq!(r.seconds, Some(0.568));
        let r = nextest_line("        FAIL [   0.010s] demo tests::leaky").unwrap();
        assert_eq!(
            (r.status, r.name.as_str()),
            (Status::Failed, "tests::leaky")
        );
        let r = nextest_line("  SIGSEGV [   0.010s] demo tests::crash").unwrap();
        assert_eq!(r.status, Status::Failed);
        assert!(nextest_line("    Starting 15 tests across 1 binary").is_none());
        assert!(nextest_line("     Summary [   5.807s] 15 tests run: 15 passed").is_none());
    }

    #[test]
    fn libtest_blocks_are_paired_with_running_lines() {
        let bins = [Binary {
            package: "demo".into(),
            target: "checks".into(),
            kind: "test".into(),
            executable: "/t/debug/deps/checks-abc".into(),
            manifest_dir: "/w".into(),
        }];
        let mut p = OutputParser::new(Runner::CargoTest, &bins);
        p.line(
            true,
            "     Running tests/checks.rs (target/debug/deps/checks-abc)",
        );
        p.line(false, "");
        p.line(false, "running 2 tests");
        p.line(false, "test leaky - should panic ... ok");
        p.line(false, "test tests::clean ... FAILED");
        p.line(true, "   Doc-tests demo");
        p.line(false, "running 1 test");
        p.line(false, "test src/lib.rs - f (line 3) ... ignored, slow");
        let r = p.finish();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].binary.as_deref(), Some("demo::checks"));
        assert_eq!((r[0].name.as_str(), r[0].status), ("leaky", Status::Passed));
        assert_eq!(r[1].status, Status::Failed);
        assert_eq!(r[2].binary.as_deref(), Some("demo::doctest"));
        assert_eq!(r[2].status, Status::Ignored);
    }

    #[test]
    fn nextest_counts_the_tests_it_skips_without_a_line() {
        let mut p = OutputParser::new(Runner::Nextest, &[]);
        for line in [
            "    Starting 2 tests across 1 binary (2 tests skipped)",
            "        PASS [   0.032s] (1/2) nx tests::a",
            "        FAIL [   0.149s] (2/2) nx tests::d",
            "     Summary [   0.178s] 2 tests run: 1 passed, 1 failed, 2 skipped",
            "        FAIL [   0.149s] (2/2) nx tests::d",
        ] {
            p.line(false, line);
        }
        assert_eq!(p.unlisted_skipped(), 2);
        assert_eq!(p.finish().len(), 2);
        assert_eq!(
            nextest_skipped("     Summary [   0.1s] 3 tests run: 3 passed"),
            None
        );
        assert_eq!(
            nextest_skipped("     Summary [   0.1s] 1 test run: 1 passed, 1 skipped"),
            Some(1)
        );
        // With `--status-level skip`, the skipped tests have lines of their own.
        let mut p = OutputParser::new(Runner::Nextest, &[]);
        p.line(false, "        SKIP [         ] (─/─) nx tests::b");
        p.line(
            false,
            "     Summary [   0.1s] 1 test run: 1 passed, 1 skipped",
        );
        assert_eq!(p.unlisted_skipped(), 0);
    }

    #[test]
    fn libtest_blocks_are_timed() {
        let bins = [Binary {
            package: "demo".into(),
            target: "checks".into(),
            kind: "test".into(),
            executable: "/t/debug/deps/checks-abc".into(),
            manifest_dir: "/w".into(),
        }];
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut p = OutputParser::new(Runner::CargoTest, &bins);
        p.line_at(
            true,
            "     Running tests/checks.rs (target/debug/deps/checks-abc)",
            at(0),
        );
        p.line_at(false, "running 2 tests", at(100));
        p.line_at(false, "test a ... ok", at(400));
        p.line_at(false, "test b ... ok", at(1_600));
        p.line_at(false, "", at(1_600));
        p.line_at(false, "test result: ok. 2 passed", at(1_600));
        p.line_at(true, "   Doc-tests demo", at(2_000));
        p.line_at(false, "running 0 tests", at(2_100));
        p.line_at(false, "test result: ok.", at(2_350));
        let times = p.binary_seconds();
        assert!((times["demo::checks"] - 1.5).abs() < 1e-9, "{times:?}");
        assert!((times["demo::doctest"] - 0.25).abs() < 1e-9, "{times:?}");
    }

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(strip_ansi("\u{1b}[32mPASS\u{1b}[0m x"), "PASS x");
    }
}
