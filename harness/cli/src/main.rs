//! `cargo leakcheck`: the CI gate for leakcheck.
//!
//! Builds and runs the workspace's tests (`cargo test`, or `cargo nextest run` with
//! `--nextest`) with `LEAKCHECK_REPORT_DIR` set to a fresh directory, reads every report the
//! failing checks wrote there, and prints a summary. Findings of failing tests gate the run
//! unless a baseline accepts them; findings of passing tests were expected by them.
//!
//! Exit codes: 0 no new findings, 1 new findings, 2 usage, build or harness error (the message
//! says which). See `docs/ci.md` for the JSON schema, the JUnit file, GitHub annotations,
//! baselines and fingerprints.

mod analysis;
mod baseline;
mod cargo;
mod cli;
mod fingerprint;
mod headline;
mod merge;
mod outputs;
mod pages;
mod registry;
mod report_files;
#[cfg(test)]
mod samples;
mod term;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clap::Parser;

use crate::analysis::{Analysis, Standing};
use crate::baseline::Baseline;
use crate::cargo::{Binary, Runner};
use crate::cli::{Cli, MergeCli};
use crate::outputs::{PathMap, RunInfo, Verdict};
use crate::registry::BinaryRegistry;
use crate::term::Ui;

/// Exit code: no new findings.
const EXIT_PASS: i32 = 0;
/// Exit code: new findings.
const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage, build or harness error.
const EXIT_ERROR: i32 = 2;

fn main() {
    let args = cli::args_without_subcommand(std::env::args_os());
    if args.get(1).is_some_and(|a| a == "merge") {
        let merge_cli = match MergeCli::try_parse_from(&args[1..]) {
            Ok(m) => m,
            Err(e) => usage_exit(e),
        };
        std::process::exit(merge(&merge_cli));
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => usage_exit(e),
    };
    std::process::exit(run(&cli));
}

/// Prints clap's message (help, version or a usage error) and exits: 0 for help and version,
/// 2 for an error.
fn usage_exit(e: clap::Error) -> ! {
    let code = if e.use_stderr() {
        EXIT_ERROR
    } else {
        EXIT_PASS
    };
    let _ = e.print();
    if code == EXIT_ERROR {
        eprintln!("cargo-leakcheck: usage error (exit 2)");
    }
    std::process::exit(code);
}

/// Prints an error of the given kind (`usage`, `build`, `baseline`, `harness`, `output`) and
/// returns exit code 2.
fn fail(kind: &str, message: &str) -> i32 {
    eprintln!("cargo-leakcheck: {kind} error: {message}");
    EXIT_ERROR
}

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "cargo-leakcheck-{}-{nanos:08x}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("reports"))
            .map_err(|e| format!("cannot create the scratch directory {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The JSON Schema of the `--json` document.
const RUN_SCHEMA: &str = include_str!("../schema/run.schema.json");

fn run(cli: &Cli) -> i32 {
    if cli.print_schema {
        print!("{RUN_SCHEMA}");
        return EXIT_PASS;
    }
    let started = Instant::now();
    let ui = Ui::new(cli.color, cli.verbose);

    // The baseline is read first: a malformed one stops the run before anything is built.
    let baseline = match (&cli.baseline, cli.update_baseline) {
        (Some(path), false) => match Baseline::read(path) {
            Ok(b) => Some(b),
            Err(e) => return fail("baseline", &e),
        },
        _ => None,
    };
    if cli.list && (cli.baseline.is_some() || cli.junit.is_some()) {
        return fail(
            "usage",
            "--list runs no check: it takes no --baseline or --junit (--json writes the list)",
        );
    }

    let scratch = match Scratch::new() {
        Ok(s) => s,
        Err(e) => return fail("harness", &e),
    };
    let cargo = cargo::cargo_program();
    let selection = cli.cargo_selection();
    let env = cli.leakcheck_env();

    let binaries = match cargo::build(&cargo, &selection, &ui) {
        Ok(b) => b,
        Err(e) => return fail("build", &e),
    };

    let spinner = ui.spinner("reading the test registry");
    let mut registry: Vec<BinaryRegistry> = Vec::new();
    let mut registry_errors = Vec::new();
    for (i, b) in binaries.iter().enumerate() {
        spinner.set_message(format!("reading the test registry: {}", b.id()));
        match registry::read(b, &scratch.0, i, &env) {
            Ok(Some(r)) => registry.push(r),
            Ok(None) => {}
            Err(e) => registry_errors.push(format!("{}: {e}", b.id())),
        }
    }
    spinner.finish_and_clear();

    if cli.list {
        return list(cli, &registry, &registry_errors, &ui);
    }
    for e in &registry_errors {
        eprintln!("cargo-leakcheck: warning: the registry of {e}");
    }

    if cli.partition.is_some() && !cargo::nextest_installed(&cargo) {
        return fail(
            "usage",
            "--partition needs cargo-nextest, which decides which tests are in which shard \
             (install it: `cargo install cargo-nextest --locked`)",
        );
    }
    let runner = if cli.nextest || cli.live || cli.partition.is_some() {
        if cargo::nextest_installed(&cargo) {
            Runner::Nextest
        } else {
            if cli.nextest {
                eprintln!(
                    "cargo-leakcheck: warning: cargo-nextest is not installed; running `cargo test` instead"
                );
            }
            Runner::CargoTest
        }
    } else {
        Runner::CargoTest
    };
    // Live mode sees every thread of the process: under `cargo test`, one test at a time, so
    // that each leaked thread is attributed to its test.
    let mut test_args = cli.test_args.clone();
    if cli.live
        && runner == Runner::CargoTest
        && !test_args.iter().any(|a| a.starts_with("--test-threads"))
    {
        test_args.push("--test-threads=1".into());
    }

    let total = progress_total(&binaries, cli, &ui);
    let report_dir = scratch.0.join("reports");
    let mut run_env = env.clone();
    run_env.push(("LEAKCHECK_REPORT_DIR", report_dir.display().to_string()));
    let spec = cargo::RunSpec {
        runner,
        selection: &selection,
        test_args: &test_args,
        env: &run_env,
        binaries: &binaries,
        total,
        partition: cli.partition.as_deref(),
    };
    let outcome = match cargo::run_tests(&cargo, &spec, &ui) {
        Ok(o) => o,
        Err(e) => return fail("harness", &e),
    };
    let collected = match report_files::load(&report_dir) {
        Ok(c) => c,
        Err(e) => return fail("harness", &e),
    };
    let mut analysis = Analysis::new(outcome.results, collected, registry, baseline.as_ref());
    // nextest counts the tests of the other shards as skipped: they are not this run's.
    if cli.partition.is_none() {
        analysis.unlisted_skipped = outcome.unlisted_skipped;
    }
    analysis.binary_seconds = outcome.binary_seconds;

    // The verdict.
    let mut errors = Vec::new();
    let failed = analysis.count(cargo::Status::Failed);
    if !outcome.status.success() && failed == 0 && !analysis.reports.iter().any(|r| r.gating) {
        errors.push(format!(
            "harness: `{}` failed ({}) but no test failed: a test binary crashed, or its output could not be read",
            runner.name(),
            outcome.status
        ));
    }
    let gate = Gate {
        errors,
        allow_test_failures: cli.allow_test_failures,
        baseline_path: cli.baseline.as_deref(),
        baseline: baseline.as_ref(),
        update_baseline: cli.update_baseline,
        runner: runner.name(),
        schedules: cli.schedules,
        seed: cli.seed,
        partition: cli.partition.as_deref(),
        started,
        junit: cli.junit.as_deref(),
        json: cli.json.as_deref(),
        html: cli.html.as_deref(),
        workspace_root: || workspace_root(&cargo, cli),
        hidden_output: &outcome.output,
    };
    conclude(&mut analysis, gate, &ui)
}

/// What turns an analysis into a verdict, its outputs and an exit code.
struct Gate<'a, R: Fn() -> Option<PathBuf>> {
    /// Errors found so far (`kind: message`).
    errors: Vec<String>,
    allow_test_failures: bool,
    baseline_path: Option<&'a Path>,
    baseline: Option<&'a Baseline>,
    update_baseline: bool,
    runner: &'a str,
    schedules: Option<u64>,
    seed: Option<u64>,
    partition: Option<&'a str>,
    started: Instant,
    junit: Option<&'a Path>,
    json: Option<&'a Path>,
    /// `--html DIR`.
    html: Option<&'a Path>,
    /// The workspace's root, for the paths of GitHub annotations.
    workspace_root: R,
    /// The tests' output, shown when failures are unexplained and it was hidden.
    hidden_output: &'a str,
}

/// The verdict, the outputs (JUnit, JSON, annotations, the summary) and the exit code, for a
/// run and for a merge alike.
fn conclude<R: Fn() -> Option<PathBuf>>(
    analysis: &mut Analysis,
    gate: Gate<'_, R>,
    ui: &Ui,
) -> i32 {
    let Gate {
        mut errors,
        allow_test_failures,
        baseline_path,
        baseline,
        update_baseline,
        runner,
        schedules,
        seed,
        partition,
        started,
        junit,
        json,
        html,
        workspace_root,
        hidden_output,
    } = gate;
    if !analysis.unexplained.is_empty() && !allow_test_failures {
        let names: Vec<String> = analysis
            .unexplained
            .iter()
            .map(|&i| analysis.results[i].name.clone())
            .collect();
        errors.push(format!(
            "tests: {} failed without a leakcheck report (ordinary failures, not findings): {}",
            names.len(),
            names.join(", ")
        ));
    }
    let mut baseline_updated = false;
    if update_baseline && let Some(path) = baseline_path {
        match baseline::write(path, &analysis.baseline_entries()) {
            Ok(()) => {
                baseline_updated = true;
                analysis.accept_all();
            }
            Err(e) => errors.push(format!("baseline: {e}")),
        }
    }
    let new = analysis.with(Standing::New).count();
    let (exit_code, verdict) = if !errors.is_empty() {
        (EXIT_ERROR, "error")
    } else if new > 0 && !update_baseline {
        (EXIT_FINDINGS, "new_findings")
    } else {
        (EXIT_PASS, "pass")
    };
    let mut verdict = Verdict {
        exit_code,
        verdict,
        errors,
    };
    let stale: Vec<String> = baseline
        .map(|b| {
            b.fingerprints
                .iter()
                .filter(|fp| !analysis.findings.iter().any(|f| f.fingerprint == **fp))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let info = RunInfo {
        runner,
        schedules,
        seed,
        partition,
        baseline: baseline_path,
        baseline_updated,
        stale,
        elapsed: started.elapsed(),
    };

    // The outputs. A file that cannot be written is an error too.
    let mut write_errors = Vec::new();
    if let Some(path) = junit
        && let Err(e) = outputs::write_file(path, &outputs::junit(analysis, info.elapsed))
    {
        write_errors.push(format!("output: {e}"));
    }
    if let Some(dir) = html
        && let Err(e) = pages::write(dir, analysis)
    {
        write_errors.push(format!("output: {e}"));
    }
    if !write_errors.is_empty() {
        verdict.exit_code = EXIT_ERROR;
        verdict.verdict = "error";
        verdict.errors.append(&mut write_errors);
    }
    if let Some(path) = json {
        let doc = outputs::run_json(analysis, &info, &verdict);
        let text = serde_json::to_string_pretty(&doc).expect("the document always serializes");
        if let Err(e) = outputs::write_file(path, &(text + "\n")) {
            verdict.exit_code = EXIT_ERROR;
            verdict.verdict = "error";
            verdict.errors.push(format!("output: {e}"));
        }
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        let paths = PathMap {
            workspace_root: workspace_root(),
            repository: std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from),
        };
        for line in outputs::github_annotations(analysis, &paths) {
            println!("{line}");
        }
    }
    if verdict.exit_code == EXIT_ERROR && !ui.stream() && !analysis.unexplained.is_empty() {
        // The output was hidden behind the progress bar: show it, it explains the failures.
        eprintln!("{hidden_output}");
    }
    print!("{}", outputs::summary(analysis, &info, &verdict, ui));
    for e in &verdict.errors {
        let (kind, message) = e.split_once(": ").unwrap_or(("harness", e));
        let kind = if kind == "tests" { "test" } else { kind };
        eprintln!("cargo-leakcheck: {kind} error: {message}");
    }
    verdict.exit_code
}

/// `cargo leakcheck merge`: the shards' `--json` documents joined, and gated once.
fn merge(cli: &MergeCli) -> i32 {
    let started = Instant::now();
    let ui = Ui::new(cli.color, false);
    let baseline = match (&cli.baseline, cli.update_baseline) {
        (Some(path), false) => match Baseline::read(path) {
            Ok(b) => Some(b),
            Err(e) => return fail("baseline", &e),
        },
        _ => None,
    };
    let shards = match merge::read(&cli.files) {
        Ok(s) => s,
        Err(e) => return fail("usage", &e),
    };
    let runner = shards
        .runner
        .clone()
        .unwrap_or_else(|| "cargo nextest run".into());
    let mut analysis = Analysis::new(
        shards.results,
        shards.collected,
        shards.registry,
        baseline.as_ref(),
    );
    analysis.unlisted_skipped = shards.unlisted_skipped;
    let gate = Gate {
        errors: shards.errors,
        allow_test_failures: cli.allow_test_failures,
        baseline_path: cli.baseline.as_deref(),
        baseline: baseline.as_ref(),
        update_baseline: cli.update_baseline,
        runner: &runner,
        schedules: shards.schedules,
        seed: shards.seed,
        partition: None,
        started,
        junit: cli.junit.as_deref(),
        json: cli.json.as_deref(),
        html: None,
        workspace_root: || std::env::current_dir().ok(),
        hidden_output: "",
    };
    conclude(&mut analysis, gate, &ui)
}

/// `--list`: the registered tests with their settings.
fn list(cli: &Cli, registry: &[BinaryRegistry], errors: &[String], ui: &Ui) -> i32 {
    let mut count = 0;
    for b in registry {
        println!(
            "{} {}",
            ui.bold(&b.binary.id()),
            ui.dim(&format!("({})", b.binary.executable.display()))
        );
        for t in &b.tests {
            count += 1;
            let mut flags = Vec::new();
            if t["ignored"] == true {
                flags.push("ignored");
            }
            if t["should_panic"] == true {
                flags.push("should_panic");
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            };
            println!(
                "  {}  {}:{}{flags}",
                ui.bold(t["name"].as_str().unwrap_or("?")),
                t["file"].as_str().unwrap_or("?"),
                t["line"]
            );
            println!("      given:     {}", registry::given_line(t));
            let expect = registry::expect_line(t);
            if !expect.is_empty() {
                println!("      expect:    {expect}");
            }
            println!("      runs with: {}", registry::effective_line(t));
        }
    }
    println!(
        "{count} registered test{} in {} binar{}",
        if count == 1 { "" } else { "s" },
        registry.len(),
        if registry.len() == 1 { "y" } else { "ies" }
    );
    let mut code = EXIT_PASS;
    if let Some(path) = &cli.json {
        let doc = outputs::list_json(registry, errors);
        let text = serde_json::to_string_pretty(&doc).expect("the document always serializes");
        if let Err(e) = outputs::write_file(path, &(text + "\n")) {
            code = fail("output", &e);
        }
    }
    for e in errors {
        code = fail("harness", &format!("cannot list the tests of {e}"));
    }
    code
}

/// The number of tests the binaries hold, for the progress bar: only when one is shown and
/// no filter is given.
fn progress_total(binaries: &[Binary], cli: &Cli, ui: &Ui) -> Option<u64> {
    if !ui.shows_progress() || cli.verbose || !cli.test_args.is_empty() {
        return None;
    }
    let mut total = 0;
    for b in binaries {
        total += registry::list_tests(b).ok()?.len() as u64;
    }
    Some(total)
}

/// The root report paths are relative to, as leakcheck finds it: the outermost directory,
/// from cargo's workspace root up, whose Cargo.toml declares a `[workspace]`.
fn workspace_root(cargo: &Path, cli: &Cli) -> Option<PathBuf> {
    let mut cmd = Command::new(cargo);
    cmd.args(["locate-project", "--workspace", "--message-format", "plain"]);
    if let Some(p) = &cli.manifest_path {
        cmd.arg("--manifest-path").arg(p);
    }
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let start = manifest.parent()?.to_path_buf();
    let mut root = start.clone();
    for dir in start.ancestors() {
        if let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml"))
            && text.lines().any(|l| l.trim() == "[workspace]")
        {
            root = dir.to_path_buf();
        }
    }
    Some(root)
}
