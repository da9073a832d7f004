//! How much slower is a check under leakcheck than the same test under raw shuttle?
//!
//! The workload of the issue ("3 threads, a Mutex, about 50 synchronisation operations") is
//! written once, as a macro instantiated twice: against `shuttle::{sync, thread}`, run by a
//! `shuttle::Runner`, and against `leakcheck::{sync, thread}`, run by
//! `leakcheck::Config::explore`. Both run the same number of executions under the same scheduler
//! (random, and PCT of depth 3) with the same seed; the table compares executions per second.
//!
//! ```text
//! cargo bench --bench overhead               # N = 20_000 executions, median of 3 runs
//! cargo bench --bench overhead -- --quick    # N = 2_000, 1 run (a smoke test for CI)
//! LEAKCHECK_BENCH_EXECUTIONS=50000 cargo bench --bench overhead
//! ```
//!
//! Started without `--bench` (as `cargo test --benches` does), it runs as with `--quick`.
//!
//! The target is a time ratio (leakcheck / shuttle) of at most [`TARGET_RATIO`]; the last line
//! says whether it is met. The benchmark exits with success either way: it measures, it does not
//! gate.

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

use std::time::{Duration, Instant};

/// The threads each execution runs, the body's thread included.
const THREADS: usize = 3;

/// The `lock(); *g += 1; drop(g)` rounds each of the [`THREADS`] threads makes.
const ITERATIONS: usize = 8;

/// Synchronisation operations per execution: a lock and an unlock per round of every thread,
/// two spawns, two joins, and the final lock and unlock that read the count.
const SYNC_OPS: usize = THREADS * ITERATIONS * 2 + 2 * (THREADS - 1) + 2;

/// The seed both runners start from.
const SEED: u64 = 0x5eed;

/// The depth of the PCT scheduler.
const PCT_DEPTH: usize = 3;

/// Executions run (and thrown away) before any timing, per runner and scheduler.
const WARMUP: usize = 500;

/// Executions per timed run, unless `--quick` or [`EXECUTIONS_VAR`] says otherwise.
const DEFAULT_EXECUTIONS: usize = 20_000;

/// Executions per timed run with `--quick`.
const QUICK_EXECUTIONS: usize = 2_000;

/// Timed runs per runner and scheduler, whose median is reported (1 with `--quick`).
const DEFAULT_REPEATS: usize = 3;

/// The environment variable that overrides the executions per timed run.
const EXECUTIONS_VAR: &str = "LEAKCHECK_BENCH_EXECUTIONS";

/// The most leakcheck may take, as a multiple of shuttle's time, for the target to be met.
const TARGET_RATIO: f64 = 1.3;

/// leakcheck's environment overrides: any of them would make `explore` run something else than
/// what this benchmark asks for, so the benchmark refuses to run while one is set.
const LEAKCHECK_OVERRIDES: [&str; 4] = [
    "LEAKCHECK_SCHEDULES",
    "LEAKCHECK_SEED",
    "LEAKCHECK_SCHEDULER",
    "LEAKCHECK_REPLAY",
];

/// Defines `$name`, the workload written against the crate `$krate`'s `sync` and `thread`
/// modules: the body spawns two threads, each of the three threads takes the mutex
/// [`ITERATIONS`] times to add one to the count, then the body joins both and checks the count.
macro_rules! workload {
    ($(#[$meta:meta])* $name:ident => $krate:ident) => {
        $(#[$meta])*
        fn $name() {
            use $krate::sync::{Arc, Mutex};
            use $krate::thread;

            /// One thread's share: [`ITERATIONS`] increments, each under the lock.
            fn rounds(count: &Mutex<usize>) {
                for _ in 0..ITERATIONS {
                    let mut g = count.lock().unwrap();
                    *g += 1;
                    drop(g);
                }
            }

            let count = Arc::new(Mutex::new(0usize));
            let workers: Vec<_> = (1..THREADS)
                .map(|_| {
                    let count = Arc::clone(&count);
                    thread::spawn(move || rounds(&count))
                })
                .collect();
            rounds(&count);
            for worker in workers {
                worker.join().unwrap();
            }
            assert_eq!(*count.lock().unwrap(), THREADS * ITERATIONS);
        }
    };
}

workload! {
    /// The workload on raw shuttle (`shuttle::sync`, `shuttle::thread`).
    shuttle_workload => shuttle
}

workload! {
    /// The workload on leakcheck's facade (`leakcheck::sync`, `leakcheck::thread`).
    leakcheck_workload => leakcheck
}

/// The schedulers compared, each as shuttle and leakcheck spell it.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A uniformly random runnable thread at every scheduling point.
    Random,
    /// PCT of depth [`PCT_DEPTH`].
    Pct,
}

impl Kind {
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

/// Runs `n` executions of the workload on raw shuttle and returns how long they took.
fn time_shuttle(kind: Kind, n: usize) -> Duration {
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::None;
    let started = Instant::now();
    let ran = match kind {
        Kind::Random => {
            let scheduler = shuttle::scheduler::RandomScheduler::new_from_seed(SEED, n);
            shuttle::Runner::new(scheduler, config).run(shuttle_workload)
        }
        Kind::Pct => {
            let scheduler = shuttle::scheduler::PctScheduler::new_from_seed(SEED, PCT_DEPTH, n);
            shuttle::Runner::new(scheduler, config).run(shuttle_workload)
        }
    };
    let elapsed = started.elapsed();
    assert_eq!(ran, n, "shuttle ran {ran} executions instead of {n}");
    elapsed
}

/// Runs `n` executions of the workload under leakcheck and returns how long they took.
///
/// # Panics
/// If leakcheck reports a finding: the workload has none.
fn time_leakcheck(kind: Kind, n: usize) -> Duration {
    let config = leakcheck::Config::new()
        .schedules(n)
        .seed(SEED)
        .scheduler(kind.leakcheck());
    let started = Instant::now();
    let outcome = config.explore(leakcheck_workload);
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
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[(times.len() - 1) / 2]
}

/// Executions per second, for `n` executions that took `time`.
fn per_second(n: usize, time: Duration) -> f64 {
    n as f64 / time.as_secs_f64()
}

/// How the benchmark runs, from the command line and the environment.
struct Plan {
    /// Executions per timed run.
    executions: usize,
    /// Timed runs per runner and scheduler.
    repeats: usize,
}

impl Plan {
    /// Reads `--quick` from the arguments and [`EXECUTIONS_VAR`] from the environment.
    ///
    /// `cargo bench` passes `--bench`; without it the binary was started by `cargo test
    /// --benches` (or `--all-targets`), which wants a smoke test, not numbers, so it runs as with
    /// `--quick`. Other arguments (`cargo bench <filter>` passes its filter to every benchmark)
    /// are ignored.
    ///
    /// # Panics
    /// On a malformed [`EXECUTIONS_VAR`], or a leakcheck override in the environment.
    fn from_env() -> Plan {
        let mut quick = false;
        let mut bench = false;
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--quick" => quick = true,
                "--bench" => bench = true,
                other => eprintln!(
                    "note: ignoring the argument `{other}`; this benchmark accepts `--quick`"
                ),
            }
        }
        if !bench && !quick {
            eprintln!("note: not started by `cargo bench` (no `--bench` argument): running as with `--quick`");
            quick = true;
        }
        let mut plan = if quick {
            Plan {
                executions: QUICK_EXECUTIONS,
                repeats: 1,
            }
        } else {
            Plan {
                executions: DEFAULT_EXECUTIONS,
                repeats: DEFAULT_REPEATS,
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
        for var in LEAKCHECK_OVERRIDES {
            if std::env::var_os(var).is_some() {
                panic!("{var} is set: it would change what leakcheck runs; unset it to benchmark");
            }
        }
        plan
    }
}

/// One row of the table: a scheduler's median times under both runners.
struct Row {
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

/// Warms both runners up under `kind`, then times them alternately, so drift in the machine's
/// speed affects both alike.
fn measure(kind: Kind, plan: &Plan) -> Row {
    time_shuttle(kind, WARMUP);
    time_leakcheck(kind, WARMUP);
    let mut shuttle = Vec::with_capacity(plan.repeats);
    let mut leakcheck = Vec::with_capacity(plan.repeats);
    for _ in 0..plan.repeats {
        shuttle.push(time_shuttle(kind, plan.executions));
        leakcheck.push(time_leakcheck(kind, plan.executions));
    }
    Row {
        kind,
        shuttle: median(shuttle),
        leakcheck: median(leakcheck),
    }
}

/// Measures both schedulers and prints the table and whether the target is met.
fn main() {
    let plan = Plan::from_env();
    let rows: Vec<Row> = [Kind::Random, Kind::Pct]
        .into_iter()
        .map(|kind| measure(kind, &plan))
        .collect();

    let runs = if plan.repeats == 1 {
        "1 run".to_string()
    } else {
        format!("median of {}", plan.repeats)
    };
    println!(
        "workload: {THREADS} threads, 1 mutex, ~{SYNC_OPS} sync operations per execution ({} executions, {runs})",
        plan.executions
    );
    println!("scheduler  shuttle exec/s  leakcheck exec/s  time ratio (leakcheck/shuttle)");
    for row in &rows {
        println!(
            "{:<9}  {:>14.0}  {:>16.0}  {:>30.2}",
            row.kind.label(),
            per_second(plan.executions, row.shuttle),
            per_second(plan.executions, row.leakcheck),
            row.ratio()
        );
    }
    let misses: Vec<String> = rows
        .iter()
        .filter(|row| row.ratio() > TARGET_RATIO)
        .map(|row| format!("{} {:.2}", row.kind.label(), row.ratio()))
        .collect();
    if misses.is_empty() {
        println!("target (time ratio <= {TARGET_RATIO}): met");
    } else {
        println!(
            "target (time ratio <= {TARGET_RATIO}): NOT met ({})",
            misses.join(", ")
        );
    }
}
