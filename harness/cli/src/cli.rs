//! The command line: options, parsed with clap, and how they turn into cargo's arguments.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use leakcheck_schema::parse_seed;

/// `cargo leakcheck [OPTIONS] [-- TEST ARGS]`: runs the workspace's tests with leakcheck's
/// reports collected, prints a summary, and exits 0 (no new findings), 1 (new findings) or 2
/// (usage, build or harness error).
#[derive(Debug, Parser)]
#[command(
    name = "cargo-leakcheck",
    bin_name = "cargo leakcheck",
    version,
    about = "Runs the workspace's tests under leakcheck and gates on new findings.",
    after_help = "Exit codes: 0 no new findings, 1 new findings, 2 usage, build or harness error.\n\
                  See docs/ci.md for the JSON schema, the baseline and CI set-ups."
)]
pub struct Cli {
    /// List the registered `#[leakcheck::test]`s with their settings, without running any check.
    #[arg(long)]
    pub list: bool,

    /// Run the tests with cargo-nextest (falls back to `cargo test` when it is not installed).
    #[arg(long)]
    pub nextest: bool,

    /// Run every `#[leakcheck::test]` live (`LEAKCHECK_MODE=live`): on real threads, with the
    /// threads it leaves behind found from the operating system. Tests that expect a finding
    /// other than `leaked_thread` stay deterministic. Runs through cargo-nextest when it is
    /// installed (one test per process: exact attribution), else `cargo test --test-threads=1`.
    #[arg(long)]
    pub live: bool,

    /// Run only the tests of shard M of N, as `cargo nextest run --partition` splits them
    /// (`hash:M/N`: by a hash of the binary and test names, stable across runs; `count:M/N`:
    /// round-robin within each binary). Runs through cargo-nextest, which must be installed.
    /// Join the shards' `--json` files with `cargo leakcheck merge`.
    #[arg(long, value_name = "hash:M/N|count:M/N", value_parser = parse_partition)]
    pub partition: Option<String>,

    /// Package to test (repeatable); the whole workspace by default.
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,

    /// Exclude a package from the workspace run (repeatable).
    #[arg(long, value_name = "SPEC")]
    pub exclude: Vec<String>,

    /// Path to the workspace's (or package's) Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// Build and test in release mode.
    #[arg(long)]
    pub release: bool,

    /// Features to activate (comma or space separated, repeatable).
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,

    /// Activate all features.
    #[arg(long)]
    pub all_features: bool,

    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,

    /// Schedules every check explores (sets `LEAKCHECK_SCHEDULES`, overriding the code).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub schedules: Option<u64>,

    /// Seed of every check, decimal or `0x` hex (sets `LEAKCHECK_SEED`, overriding the code).
    #[arg(long, value_name = "S", value_parser = parse_seed)]
    pub seed: Option<u64>,

    /// OS threads each check explores its schedules on: a number, or `auto` for one per core
    /// (sets `LEAKCHECK_WORKERS`). The random scheduler splits its schedules among them; the
    /// results are the same for any number.
    #[arg(long, value_name = "N|auto", value_parser = parse_workers)]
    pub workers: Option<String>,

    /// Write every report and the summary as JSON to PATH (schema in docs/ci.md).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write a JUnit XML file to PATH: one testcase per check, one failure per new finding.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Write the timeline page of every failing check to DIR (one self-contained HTML file per
    /// test, drawn from its failing schedule), and an `index.html` listing them.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,

    /// Accept the findings listed in FILE: only findings not in it gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings to the --baseline FILE (and exit 0 unless an error occurs).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,

    /// Tests that fail without a leakcheck report do not make the run an error (exit 2).
    #[arg(long)]
    pub allow_test_failures: bool,

    /// When to use colours and the progress bar.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print the JSON Schema of the --json document and exit.
    #[arg(long)]
    pub print_schema: bool,

    /// Show cargo's and the tests' output even on a terminal.
    #[arg(short, long)]
    pub verbose: bool,

    /// Arguments for the test binaries (filters, `--exact`, `--ignored`, ...).
    #[arg(last = true, value_name = "TEST ARGS")]
    pub test_args: Vec<String>,
}

/// `cargo leakcheck merge [OPTIONS] FILE...`: joins the `--json` documents of several runs (the
/// shards of a `--partition`ed suite) into one result, with the baseline gate applied once.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-leakcheck merge",
    bin_name = "cargo leakcheck merge",
    about = "Joins the --json files of several cargo leakcheck runs (CI shards) into one result.",
    after_help = "Exit codes: 0 no new findings, 1 new findings, 2 usage or harness error, or a shard had one."
)]
pub struct MergeCli {
    /// The `--json` files of the runs, one per shard.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the merged JSON document to PATH (the same schema as a run's).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write a JUnit XML file of the merged result to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Accept the findings listed in FILE: only findings not in it gate (applied here, once,
    /// to the findings of every shard).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the merged findings to the --baseline FILE (and exit 0 unless an error occurs).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,

    /// Tests that fail without a leakcheck report do not make the result an error (exit 2).
    #[arg(long)]
    pub allow_test_failures: bool,

    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// What `--partition` accepts, for error messages.
const ACCEPTED_PARTITIONS: &str = "`hash:M/N` or `count:M/N`, with 1 <= M <= N";

/// Checks a `--partition` value the way nextest reads it.
fn parse_partition(value: &str) -> Result<String, String> {
    let bad = || format!("`{value}` is not a partition; expected {ACCEPTED_PARTITIONS}");
    let (kind, shards) = value.split_once(':').ok_or_else(bad)?;
    if kind != "hash" && kind != "count" {
        return Err(bad());
    }
    let (m, n) = shards.split_once('/').ok_or_else(bad)?;
    let (m, n) = (
        m.parse::<u64>().map_err(|_| bad())?,
        n.parse::<u64>().map_err(|_| bad())?,
    );
    if !(1..=n).contains(&m) {
        return Err(format!(
            "`{value}`: shard {m} is not between 1 and the number of shards, {n}; expected {ACCEPTED_PARTITIONS}"
        ));
    }
    Ok(value.to_string())
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours and a progress bar when the output is a terminal (and `NO_COLOR` is not set).
    Auto,
    /// Always colours.
    Always,
    /// Never colours.
    Never,
}

/// The arguments without the program name and the `leakcheck` that cargo passes when it runs
/// the subcommand (`cargo leakcheck ...` runs `cargo-leakcheck leakcheck ...`).
pub fn args_without_subcommand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "leakcheck") {
        args.remove(1);
    }
    args
}

impl Cli {
    /// The cargo options that select what to build, shared by the build, the run and the
    /// listing: packages, manifest, profile, features.
    pub fn cargo_selection(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(path) = &self.manifest_path {
            out.push("--manifest-path".into());
            out.push(path.display().to_string());
        }
        if self.packages.is_empty() {
            out.push("--workspace".into());
            for e in &self.exclude {
                out.push("--exclude".into());
                out.push(e.clone());
            }
        } else {
            for p in &self.packages {
                out.push("-p".into());
                out.push(p.clone());
            }
        }
        if self.release {
            out.push("--release".into());
        }
        for f in &self.features {
            out.push("--features".into());
            out.push(f.clone());
        }
        if self.all_features {
            out.push("--all-features".into());
        }
        if self.no_default_features {
            out.push("--no-default-features".into());
        }
        out
    }

    /// The environment the tests run with: the schedule and seed overrides.
    pub fn leakcheck_env(&self) -> Vec<(&'static str, String)> {
        let mut env = Vec::new();
        if let Some(n) = self.schedules {
            env.push(("LEAKCHECK_SCHEDULES", n.to_string()));
        }
        if let Some(s) = self.seed {
            env.push(("LEAKCHECK_SEED", s.to_string()));
        }
        if self.live {
            env.push(("LEAKCHECK_MODE", "live".to_string()));
        }
        if let Some(w) = &self.workers {
            env.push(("LEAKCHECK_WORKERS", w.clone()));
        }
        env
    }
}

/// `--workers`: a whole number at least 1, or `auto`.
fn parse_workers(text: &str) -> Result<String, String> {
    match text.trim() {
        "auto" => Ok("auto".to_string()),
        t => match t.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n.to_string()),
            _ => Err(format!(
                "`{text}` is not a number of workers: give a whole number at least 1, or auto"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subcommand_name_is_dropped_once() {
        let a = |v: &[&str]| -> Vec<String> {
            args_without_subcommand(v.iter().map(OsString::from))
                .into_iter()
                .map(|s| s.into_string().unwrap())
                .collect()
        };
        assert_eq!(
            a(&["cargo-leakcheck", "leakcheck", "--list"]),
            ["cargo-leakcheck", "--list"]
        );
        assert_eq!(
            a(&["cargo-leakcheck", "--list"]),
            ["cargo-leakcheck", "--list"]
        );
        assert_eq!(
            a(&["cargo-leakcheck", "leakcheck", "--", "leakcheck"]),
            ["cargo-leakcheck", "--", "leakcheck"]
        );
    }

    #[test]
    fn seeds_in_decimal_and_hex() {
        assert_eq!(parse_seed("24301"), Ok(24301));
        assert_eq!(parse_seed("0x5eed"), Ok(0x5eed));
        assert!(parse_seed("-1")
            .unwrap_err()
            .to_string()
            .contains("not a seed"));
    }

    #[test]
    fn options_parse() {
        let cli = Cli::try_parse_from([
            "cargo-leakcheck",
            "--schedules",
            "50",
            "--seed",
            "0x10",
            "-p",
            "demo",
            "--",
            "leaky",
            "--exact",
        ])
        .unwrap();
        assert_eq!(cli.schedules, Some(50));
        assert_eq!(cli.seed, Some(16));
        assert_eq!(cli.test_args, ["leaky", "--exact"]);
        assert_eq!(cli.cargo_selection(), ["-p", "demo"]);
        assert!(Cli::try_parse_from(["x", "--schedules", "0"]).is_err());
        assert!(Cli::try_parse_from(["x", "--update-baseline"]).is_err());
    }

    #[test]
    fn workers_pass_through_to_the_tests() {
        let env = |args: &[&str]| {
            let mut all = vec!["cargo-leakcheck"];
            all.extend(args);
            Cli::try_parse_from(all).map(|c| c.leakcheck_env())
        };
        assert_eq!(
            env(&["--workers", "2"]).unwrap(),
            [("LEAKCHECK_WORKERS", "2".to_string())]
        );
        assert_eq!(
            env(&["--workers", "auto"]).unwrap(),
            [("LEAKCHECK_WORKERS", "auto".to_string())]
        );
        for bad in ["0", "many", "1.5"] {
            let err = env(&["--workers", bad]).unwrap_err().to_string();
            assert!(err.contains("at least 1, or auto"), "{err}");
        }
        assert!(env(&[]).unwrap().is_empty());
    }

    #[test]
    fn partitions_parse_as_nextest_reads_them() {
        for good in ["hash:1/2", "hash:2/2", "count:3/5", "hash:1/1"] {
            let cli = Cli::try_parse_from(["x", "--partition", good]).unwrap();
            assert_eq!(cli.partition.as_deref(), Some(good));
        }
        for bad in [
            "hash",
            "hash:",
            "hash:1",
            "hash:0/2",
            "hash:3/2",
            "hash:m/2",
            "slice:1/2",
            "1/2",
        ] {
            let err = Cli::try_parse_from(["x", "--partition", bad])
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("expected `hash:M/N` or `count:M/N`"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn merge_takes_files_and_the_outputs() {
        let m =
            MergeCli::try_parse_from(["merge", "a.json", "b.json", "--junit", "j.xml"]).unwrap();
        assert_eq!(m.files, [PathBuf::from("a.json"), PathBuf::from("b.json")]);
        assert_eq!(m.junit, Some(PathBuf::from("j.xml")));
        assert!(MergeCli::try_parse_from(["merge"]).is_err());
    }
}
