//! How much slower is a condvar producer/consumer workload under leakcheck than under raw
//! shuttle's own `Condvar`?
//!
//! The workload is written once, as a macro instantiated per side: against
//! `shuttle::sync::{Arc, Mutex, Condvar}` and `shuttle::thread`, run by a `shuttle::Runner`, and
//! against `leakcheck::sync::{Arc, Mutex, Condvar}` and `leakcheck::thread`, run by
//! `leakcheck::Config::explore`. Both run the same number of executions under the same scheduler
//! (random, and PCT of depth 3) with the same seed; the table compares executions per second.
//! leakcheck drives shuttle's engine with its own random and PCT schedulers, so the schedules
//! themselves (and how many context switches an execution makes) differ between the two sides.
//!
//! Workload: a bounded buffer of capacity [`CAPACITY`] under one mutex, with two condvars
//! (`not_empty`, `not_full`); one producer thread puts [`ITEMS`] items, one consumer thread gets
//! them, both wait in `while` loops; the body joins both and checks the consumer's sum.
//!
//! leakcheck's `Condvar::wait` may wake spuriously (on by default), shuttle's never does: each
//! scheduler has two rows, leakcheck with spurious wake-ups on (its default, more executions of
//! the wait loops) and with `Config::spurious_wakeups(false)` (the same work as shuttle). Each
//! row times its own shuttle runs, alternating with its leakcheck runs.
//!
//! ```text
//! cargo bench --bench condvar               # N = 10_000 executions, median of 3 runs
//! cargo bench --bench condvar -- --quick    # N = 1_000, 1 run (a smoke test for CI)
//! LEAKCHECK_BENCH_EXECUTIONS=50000 cargo bench --bench condvar
//! cargo bench --bench condvar -- --only=off # the rows whose variant contains `off`
//! ```
//!
//! Started without `--bench` (as `cargo test --benches` does), it runs as with `--quick`.
//!
//! The target is a time ratio (leakcheck / shuttle) of at most [`TARGET_RATIO`]; the last line
//! says whether it is met. The benchmark exits with success either way: it measures, it does not
//! gate.

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

use std::time::{Duration, Instant};

/// Items the producer puts and the consumer gets.
const ITEMS: u32 = 10;

/// The capacity of the bounded buffer.
const CAPACITY: usize = 2;

/// The seed both runners start from.
const SEED: u64 = 0x5eed;

/// The depth of the PCT scheduler.
const PCT_DEPTH: usize = 3;

/// Executions run (and thrown away) before any timing, per runner, variant and scheduler.
const WARMUP: usize = 200;

/// Executions per timed run, unless `--quick` or [`EXECUTIONS_VAR`] says otherwise.
const DEFAULT_EXECUTIONS: usize = 10_000;

/// Executions per timed run with `--quick`.
const QUICK_EXECUTIONS: usize = 1_000;

/// Timed runs per runner, variant and scheduler, whose median is reported (1 with `--quick`).
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

/// Defines `$name`, the producer/consumer workload written against the crate `$krate`'s `sync`
/// and `thread` modules: a producer thread puts [`ITEMS`] numbers into a buffer of capacity
/// [`CAPACITY`], waiting on `not_full` while it is full and notifying `not_empty` after each put;
/// a consumer thread gets them all, waiting on `not_empty` while it is empty and notifying
/// `not_full` after each get, and returns their sum; the body joins both and checks the sum.
macro_rules! workload {
    ($(#[$meta:meta])* $name:ident => $krate:ident) => {
        $(#[$meta])*
        fn $name() {
            use std::collections::VecDeque;

            use $krate::sync::{Arc, Condvar, Mutex};
            use $krate::thread;

            /// The buffer and its two condition variables.
            struct Buffer {
                /// The items put and not yet got, at most [`CAPACITY`].
                items: Mutex<VecDeque<u32>>,
                /// Notified after each put.
                not_empty: Condvar,
                /// Notified after each get.
                not_full: Condvar,
            }

            let buffer = Arc::new(Buffer {
                items: Mutex::new(VecDeque::with_capacity(CAPACITY)),
                not_empty: Condvar::new(),
                not_full: Condvar::new(),
            });

            let producer = {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || {
                    for i in 0..ITEMS {
                        let mut items = buffer.items.lock().unwrap();
                        while items.len() == CAPACITY {
                            items = buffer.not_full.wait(items).unwrap();
                        }
                        items.push_back(i);
                        buffer.not_empty.notify_one();
                        drop(items);
                    }
                })
            };
            let consumer = {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || {
                    let mut sum = 0;
                    for _ in 0..ITEMS {
                        let mut items = buffer.items.lock().unwrap();
                        while items.is_empty() {
                            items = buffer.not_empty.wait(items).unwrap();
                        }
                        sum += items.pop_front().unwrap();
                        buffer.not_full.notify_one();
                        drop(items);
                    }
                    sum
                })
            };
            producer.join().unwrap();
            assert_eq!(consumer.join().unwrap(), ITEMS * (ITEMS - 1) / 2);
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

/// How leakcheck is configured in a row; shuttle is the same in every row.
#[derive(Clone, Copy, Debug)]
enum Variant {
    /// leakcheck's default: `Condvar::wait` may wake spuriously.
    SpuriousOn,
    /// `Config::spurious_wakeups(false)`: the same wake-ups as shuttle's condvar.
    SpuriousOff,
}

impl Variant {
    /// The name in the table.
    fn label(self) -> &'static str {
        match self {
            Variant::SpuriousOn => "spurious on (default)",
            Variant::SpuriousOff => "spurious off",
        }
    }

    /// Whether leakcheck's condvars may wake spuriously.
    fn spurious_wakeups(self) -> bool {
        matches!(self, Variant::SpuriousOn)
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
fn time_leakcheck(kind: Kind, variant: Variant, n: usize) -> Duration {
    let config = leakcheck::Config::new()
        .schedules(n)
        .seed(SEED)
        .scheduler(kind.leakcheck())
        .spurious_wakeups(variant.spurious_wakeups());
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
    /// Timed runs per runner, variant and scheduler.
    repeats: usize,
    /// `--only=TEXT`: run only the rows whose variant's name contains `TEXT` (for profiling one).
    only: Option<String>,
}

impl Plan {
    /// Reads `--quick` and `--only=TEXT` from the arguments and [`EXECUTIONS_VAR`] from the
    /// environment.
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
        let mut only = None;
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--quick" => quick = true,
                "--bench" => bench = true,
                other => match other.strip_prefix("--only=") {
                    Some(text) => only = Some(text.to_string()),
                    None => eprintln!(
                        "note: ignoring the argument `{other}`; this benchmark accepts `--quick` and `--only=TEXT`"
                    ),
                },
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
                only,
            }
        } else {
            Plan {
                executions: DEFAULT_EXECUTIONS,
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
        for var in LEAKCHECK_OVERRIDES {
            if std::env::var_os(var).is_some() {
                panic!("{var} is set: it would change what leakcheck runs; unset it to benchmark");
            }
        }
        plan
    }
}

/// One row of the table: the median times under both runners, for one variant and scheduler.
struct Row {
    /// How leakcheck was configured.
    variant: Variant,
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
fn measure(variant: Variant, kind: Kind, plan: &Plan) -> Row {
    time_shuttle(kind, WARMUP);
    time_leakcheck(kind, variant, WARMUP);
    let mut shuttle = Vec::with_capacity(plan.repeats);
    let mut leakcheck = Vec::with_capacity(plan.repeats);
    for _ in 0..plan.repeats {
        shuttle.push(time_shuttle(kind, plan.executions));
        leakcheck.push(time_leakcheck(kind, variant, plan.executions));
    }
    Row {
        variant,
        kind,
        shuttle: median(shuttle),
        leakcheck: median(leakcheck),
    }
}

/// Measures both variants under both schedulers and prints the table and whether the target is
/// met.
fn main() {
    let plan = Plan::from_env();
    let mut rows = Vec::new();
    let selected = [Variant::SpuriousOn, Variant::SpuriousOff]
        .into_iter()
        .filter(|v| {
            plan.only
                .as_deref()
                .is_none_or(|text| v.label().contains(text))
        });
    for variant in selected {
        for kind in [Kind::Random, Kind::Pct] {
            rows.push(measure(variant, kind, &plan));
        }
    }

    let runs = if plan.repeats == 1 {
        "1 run".to_string()
    } else {
        format!("median of {}", plan.repeats)
    };
    println!(
        "condvar producer/consumer vs shuttle's Condvar: {ITEMS} items through a buffer of capacity {CAPACITY}, 1 mutex, 2 condvars, 3 threads ({} executions, {runs})",
        plan.executions
    );
    println!(
        "{:<21}  {:<9}  {:>14}  {:>16}  {:>11}",
        "leakcheck", "scheduler", "shuttle exec/s", "leakcheck exec/s", "time ratio"
    );
    for row in &rows {
        println!(
            "{:<21}  {:<9}  {:>14.0}  {:>16.0}  {:>11.2}",
            row.variant.label(),
            row.kind.label(),
            per_second(plan.executions, row.shuttle),
            per_second(plan.executions, row.leakcheck),
            row.ratio()
        );
    }
    let misses: Vec<String> = rows
        .iter()
        .filter(|row| row.ratio() > TARGET_RATIO)
        .map(|row| {
            format!(
                "{} {} {:.2}",
                row.variant.label(),
                row.kind.label(),
                row.ratio()
            )
        })
        .collect();
    if misses.is_empty() {
        println!("target (time ratio leakcheck/shuttle <= {TARGET_RATIO}): met");
    } else {
        println!(
            "target (time ratio leakcheck/shuttle <= {TARGET_RATIO}): NOT met ({})",
            misses.join(", ")
        );
    }
}
