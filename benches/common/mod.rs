//! The harness the plain-`main` benchmarks (`overhead`, `channels`, `condvar`) share: each
//! describes itself as a [`Bench`] (its sizes, the shape of its table, its [`Case`]s) and hands
//! it to [`run`], which reads the command line and the environment, times every case under both
//! runners and both schedulers, and prints the table and the target line.
//!
//! A case is a workload written twice, once against raw shuttle (run by a `shuttle::Runner`) and
//! once against leakcheck's facade (run by `leakcheck::Config::explore`). Both sides run the same
//! number of executions under the same scheduler ([`Kind`]) with the same seed ([`SEED`]).
//!
//! Every benchmark accepts `--quick` (a smoke test: fewer executions, one timed run) and reads
//! [`EXECUTIONS_VAR`]; those whose cases are named also accept `--only=TEXT`. Started without
//! `--bench` (as `cargo test --benches` does), a benchmark runs as with `--quick`. It refuses to
//! run while one of [`LEAKCHECK_OVERRIDES`] is set. It exits with success whether the target is
//! met or not: it measures, it does not gate.
//!
//! The `exhaustive` benchmark compares leakcheck with loom rather than shuttle, full searches
//! rather than a number of executions, so it uses only the helpers: [`Args`],
//! [`refuse_overrides`], [`median`] and [`per_second`].
//!
//! This is a directory module, so cargo does not build it as a benchmark of its own; each
//! benchmark includes it with `mod common;`.

use std::time::{Duration, Instant};

/// The seed both runners start from.
pub const SEED: u64 = 0x5eed;

/// The depth of the PCT scheduler.
pub const PCT_DEPTH: usize = 3;

/// Timed runs per runner, case and scheduler, whose median is reported (1 with `--quick`).
pub const DEFAULT_REPEATS: usize = 5;

/// The environment variable that overrides the executions per timed run.
pub const EXECUTIONS_VAR: &str = "LEAKCHECK_BENCH_EXECUTIONS";

/// The most leakcheck may take, as a multiple of shuttle's time, for the target to be met.
#[allow(dead_code)] // benches with a target of their own (async) do not use it
pub const TARGET_RATIO: f64 = 1.1;

/// leakcheck's environment overrides: any of them would make `explore` run something else than
/// what a benchmark asks for, so the benchmarks refuse to run while one is set.
pub const LEAKCHECK_OVERRIDES: [&str; 4] = [
    "LEAKCHECK_SCHEDULES",
    "LEAKCHECK_SEED",
    "LEAKCHECK_SCHEDULER",
    "LEAKCHECK_REPLAY",
];

/// A benchmark: how much it runs, what it runs and how its table looks.
pub struct Bench {
    /// Executions run (and thrown away) before any timing, per runner, case and scheduler.
    pub warmup: usize,
    /// Executions per timed run, unless `--quick` or [`EXECUTIONS_VAR`] says otherwise.
    pub default_executions: usize,
    /// Executions per timed run with `--quick`.
    pub quick_executions: usize,
    /// The header and width of the table's first column, which names the case; `None` for a
    /// benchmark of one unnamed case, which has no such column and does not accept `--only=TEXT`.
    pub case_column: Option<(&'static str, usize)>,
    /// The header and width of the table's last column, the time ratio.
    pub ratio_column: (&'static str, usize),
    /// How the target line names the time ratio.
    pub target_name: &'static str,
    /// The most the ratio may be (most benchmarks: [`TARGET_RATIO`]).
    pub target: f64,
    /// The cases, in the table's order.
    pub cases: &'static [Case],
}

/// A workload as both runners run it, measured under every scheduler: a group of rows.
pub struct Case {
    /// The name in the table's first column, which `--only=TEXT` matches (unused without a
    /// [`Bench::case_column`]).
    pub name: &'static str,
    /// The workload on raw shuttle.
    pub shuttle: fn(),
    /// The workload on leakcheck's facade.
    pub leakcheck: fn(),
    /// Applied to leakcheck's configuration once the executions, the seed and the scheduler are
    /// set (`std::convert::identity` to leave it at that).
    pub configure: fn(leakcheck::Config) -> leakcheck::Config,
}

/// The schedulers compared, each as shuttle and leakcheck spell it.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A uniformly random runnable thread at every scheduling point.
    Random,
    /// PCT of depth [`PCT_DEPTH`].
    Pct,
}

impl Kind {
    /// Every scheduler, in the table's order.
    const ALL: [Kind; 2] = [Kind::Random, Kind::Pct];

    /// The name in the table, as `LEAKCHECK_SCHEDULER` spells it.
    fn label(self) -> String {
        self.leakcheck().to_string()
    }

    /// leakcheck's name for this scheduler.
    fn leakcheck(self) -> leakcheck::Scheduler {
        match self {
            Kind::Random => leakcheck::Scheduler::Random,
            Kind::Pct => leakcheck::Scheduler::Pct { depth: PCT_DEPTH },
        }
    }
}

/// Runs `n` executions of `workload` on raw shuttle and returns how long they took.
fn time_shuttle(workload: fn(), kind: Kind, n: usize) -> Duration {
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::None;
    let started = Instant::now();
    let ran = match kind {
        Kind::Random => {
            let scheduler = shuttle::scheduler::RandomScheduler::new_from_seed(SEED, n);
            shuttle::Runner::new(scheduler, config).run(workload)
        }
        Kind::Pct => {
            let scheduler = shuttle::scheduler::PctScheduler::new_from_seed(SEED, PCT_DEPTH, n);
            shuttle::Runner::new(scheduler, config).run(workload)
        }
    };
    let elapsed = started.elapsed();
    assert_eq!(ran, n, "shuttle ran {ran} executions instead of {n}");
    elapsed
}

/// Runs `n` executions of `case`'s leakcheck workload, configured by `case`, under leakcheck
/// and returns how long they took.
///
/// # Panics
/// If leakcheck reports a finding: the workloads have none.
fn time_leakcheck(case: &Case, kind: Kind, n: usize) -> Duration {
    let config = (case.configure)(
        leakcheck::Config::new()
            .schedules(n)
            .seed(SEED)
            .scheduler(kind.leakcheck()),
    );
    let started = Instant::now();
    let outcome = config.explore(case.leakcheck);
    let elapsed = started.elapsed();
    match outcome {
        Ok(summary) => assert_eq!(
            summary.schedules(),
            n,
            "leakcheck ran {} executions instead of {n}",
            summary.schedules()
        ),
        Err(report) => panic!("leakcheck found something in a correct workload:\n{report}"),
    }
    elapsed
}

/// The median of a non-empty list of durations (the lower middle one for an even count).
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[(times.len() - 1) / 2]
}

/// Executions per second, for `n` executions that took `time`.
pub fn per_second(n: usize, time: Duration) -> f64 {
    n as f64 / time.as_secs_f64()
}

/// What a benchmark's command line asks for.
pub struct Args {
    /// `--quick`, or started without `--bench`: a smoke test, one timed run.
    pub quick: bool,
    /// `--only=TEXT`: run only the cases whose name contains `TEXT` (for profiling one).
    pub only: Option<String>,
}

impl Args {
    /// Reads `--quick` (and, if `accepts_only`, `--only=TEXT`) from the arguments.
    ///
    /// `cargo bench` passes `--bench`; without it the binary was started by `cargo test
    /// --benches` (or `--all-targets`), which wants a smoke test, not numbers, so it runs as with
    /// `--quick`. Other arguments (`cargo bench <filter>` passes its filter to every benchmark)
    /// are ignored, with a note.
    pub fn parse(accepts_only: bool) -> Args {
        let accepted = if accepts_only {
            "`--quick` and `--only=TEXT`"
        } else {
            "`--quick`"
        };
        let mut quick = false;
        let mut is_bench = false;
        let mut only = None;
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--quick" => quick = true,
                "--bench" => is_bench = true,
                other => match other.strip_prefix("--only=").filter(|_| accepts_only) {
                    Some(text) => only = Some(text.to_string()),
                    None => eprintln!(
                        "note: ignoring the argument `{other}`; this benchmark accepts {accepted}"
                    ),
                },
            }
        }
        if !is_bench && !quick {
            eprintln!("note: not started by `cargo bench` (no `--bench` argument): running as with `--quick`");
            quick = true;
        }
        Args { quick, only }
    }
}

/// Refuses to go on while one of [`LEAKCHECK_OVERRIDES`] is set.
///
/// # Panics
/// If one is set.
pub fn refuse_overrides() {
    for var in LEAKCHECK_OVERRIDES {
        if std::env::var_os(var).is_some() {
            panic!("{var} is set: it would change what leakcheck runs; unset it to benchmark");
        }
    }
}

/// How the benchmark runs, from the command line and the environment.
struct Plan {
    /// Executions per timed run.
    executions: usize,
    /// Timed runs per runner, case and scheduler.
    repeats: usize,
    /// `--only=TEXT`: run only the cases whose name contains `TEXT` (for profiling one).
    only: Option<String>,
}

impl Plan {
    /// Reads `--quick` (and, if `bench` names its cases, `--only=TEXT`) from the arguments (see
    /// [`Args::parse`]) and [`EXECUTIONS_VAR`] from the environment.
    ///
    /// # Panics
    /// On a malformed [`EXECUTIONS_VAR`], or a leakcheck override in the environment.
    fn from_env(bench: &Bench) -> Plan {
        let Args { quick, only } = Args::parse(bench.case_column.is_some());
        let mut plan = if quick {
            Plan {
                executions: bench.quick_executions,
                repeats: 1,
                only,
            }
        } else {
            Plan {
                executions: bench.default_executions,
                repeats: DEFAULT_REPEATS,
                only,
            }
        };
        if let Ok(value) = std::env::var(EXECUTIONS_VAR) {
            plan.executions = match value.trim().replace('_', "").parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => panic!(
                    "{EXECUTIONS_VAR}={value}: expected a whole number of executions, at least 1"
                ),
            };
        }
        refuse_overrides();
        plan
    }
}

/// One row of the table: a case's median times under both runners, for one scheduler.
struct Row {
    /// The case's name.
    case: &'static str,
    /// The scheduler.
    kind: Kind,
    /// The median time of a timed run on raw shuttle.
    shuttle: Duration,
    /// The median time of a timed run under leakcheck.
    leakcheck: Duration,
}

impl Row {
    /// How many times longer leakcheck takes than shuttle.
    fn ratio(&self) -> f64 {
        self.leakcheck.as_secs_f64() / self.shuttle.as_secs_f64()
    }
}

/// Warms both runners up on `case` under `kind`, then times them alternately, so drift in the
/// machine's speed affects both alike.
fn measure(bench: &Bench, case: &Case, kind: Kind, plan: &Plan) -> Row {
    time_shuttle(case.shuttle, kind, bench.warmup);
    time_leakcheck(case, kind, bench.warmup);
    let mut shuttle = Vec::with_capacity(plan.repeats);
    let mut leakcheck = Vec::with_capacity(plan.repeats);
    for _ in 0..plan.repeats {
        shuttle.push(time_shuttle(case.shuttle, kind, plan.executions));
        leakcheck.push(time_leakcheck(case, kind, plan.executions));
    }
    Row {
        case: case.name,
        kind,
        shuttle: median(shuttle),
        leakcheck: median(leakcheck),
    }
}

/// The first cell of a table line, with the two spaces after it: `text` in the case column, or
/// nothing for a benchmark without one.
fn case_cell(bench: &Bench, text: &str) -> String {
    match bench.case_column {
        Some((_, width)) => format!("{text:<width$}  "),
        None => String::new(),
    }
}

/// Measures every selected case of `bench` under every scheduler, then prints `title` (followed
/// by the executions and runs), the table and whether the target is met.
pub fn run(bench: &Bench, title: &str) {
    let plan = Plan::from_env(bench);
    let mut rows = Vec::new();
    let selected = bench.cases.iter().filter(|case| {
        plan.only
            .as_deref()
            .is_none_or(|text| case.name.contains(text))
    });
    for case in selected {
        for kind in Kind::ALL {
            rows.push(measure(bench, case, kind, &plan));
        }
    }

    let runs = if plan.repeats == 1 {
        "1 run".to_string()
    } else {
        format!("median of {}", plan.repeats)
    };
    println!("{title} ({} executions, {runs})", plan.executions);
    let (ratio_header, ratio_width) = bench.ratio_column;
    println!(
        "{}{:<9}  {:>14}  {:>16}  {:>ratio_width$}",
        case_cell(bench, bench.case_column.map_or("", |(header, _)| header)),
        "scheduler",
        "shuttle exec/s",
        "leakcheck exec/s",
        ratio_header
    );
    for row in &rows {
        println!(
            "{}{:<9}  {:>14.0}  {:>16.0}  {:>ratio_width$.2}",
            case_cell(bench, row.case),
            row.kind.label(),
            per_second(plan.executions, row.shuttle),
            per_second(plan.executions, row.leakcheck),
            row.ratio()
        );
    }
    let misses: Vec<String> = rows
        .iter()
        .filter(|row| row.ratio() > bench.target)
        .map(|row| {
            let case = match bench.case_column {
                Some(_) => format!("{} ", row.case),
                None => String::new(),
            };
            format!("{case}{} {:.2}", row.kind.label(), row.ratio())
        })
        .collect();
    let target = bench.target_name;
    if misses.is_empty() {
        println!("target ({target} <= {}): met", bench.target);
    } else {
        println!(
            "target ({target} <= {}): NOT met ({})",
            bench.target,
            misses.join(", ")
        );
    }
}
