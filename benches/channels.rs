//! How much slower are channel workloads under leakcheck than under raw shuttle's own `mpsc`?
//!
//! Each workload is written once, as a macro instantiated per side: against `shuttle::sync::mpsc`
//! and `shuttle::thread`, run by a `shuttle::Runner`, and against `leakcheck::sync::mpsc` (or
//! `leakcheck::channel::bounded`) and `leakcheck::thread`, run by `leakcheck::Config::explore`.
//! Both run the same number of executions under the same scheduler (random, and PCT of depth 3)
//! with the same seed; the table compares executions per second.
//!
//! Workloads:
//! - **ping-pong**: two threads, [`ROUND_TRIPS`] round trips over two rendezvous channels
//!   (`sync_channel(0)`; on leakcheck also `channel::bounded(0)`, against the same shuttle run);
//! - **fan-in**: [`PRODUCERS`] producers each send [`MESSAGES`] messages into one
//!   `sync_channel(`[`FAN_IN_CAPACITY`]`)` (and one `channel()`), one consumer receives them all;
//!   every thread is joined.
//!
//! ```text
//! cargo bench --bench channels               # N = 10_000 executions, median of 3 runs
//! cargo bench --bench channels -- --quick    # N = 1_000, 1 run (a smoke test for CI)
//! LEAKCHECK_BENCH_EXECUTIONS=50000 cargo bench --bench channels
//! cargo bench --bench channels -- --only=fan-in   # the workloads whose name contains `fan-in`
//! ```
//!
//! Started without `--bench` (as `cargo test --benches` does), it runs as with `--quick`.
//!
//! The target is a time ratio (leakcheck / shuttle) of at most [`TARGET_RATIO`]; the last line
//! says whether it is met. The benchmark exits with success either way: it measures, it does not
//! gate.

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

use std::time::{Duration, Instant};

/// Round trips of the ping-pong workload.
const ROUND_TRIPS: u32 = 100;

/// Producers of the fan-in workload.
const PRODUCERS: u32 = 4;

/// Messages each producer of the fan-in workload sends.
const MESSAGES: u32 = 10;

/// The capacity of the fan-in workload's bounded channel.
const FAN_IN_CAPACITY: usize = 4;

/// The seed both runners start from.
const SEED: u64 = 0x5eed;

/// The depth of the PCT scheduler.
const PCT_DEPTH: usize = 3;

/// Executions run (and thrown away) before any timing, per runner, workload and scheduler.
const WARMUP: usize = 200;

/// Executions per timed run, unless `--quick` or [`EXECUTIONS_VAR`] says otherwise.
const DEFAULT_EXECUTIONS: usize = 10_000;

/// Executions per timed run with `--quick`.
const QUICK_EXECUTIONS: usize = 1_000;

/// Timed runs per runner, workload and scheduler, whose median is reported (1 with `--quick`).
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

/// Defines `$name`, the ping-pong workload on the crate `$krate`'s `thread` module, with
/// rendezvous channels made by `$rendezvous` (called with capacity 0): the body sends
/// [`ROUND_TRIPS`] numbers to an echo thread, which sends each back plus one; then the body
/// closes the ping channel and joins the echo thread.
macro_rules! ping_pong {
    ($(#[$meta:meta])* $name:ident => $krate:ident, $rendezvous:path) => {
        $(#[$meta])*
        fn $name() {
            use $krate::thread;

            let (ping_tx, ping_rx) = $rendezvous(0);
            let (pong_tx, pong_rx) = $rendezvous(0);
            let echo = thread::spawn(move || {
                for v in ping_rx.iter() {
                    pong_tx.send(v + 1).unwrap();
                }
            });
            for i in 0..ROUND_TRIPS {
                ping_tx.send(i).unwrap();
                assert_eq!(pong_rx.recv().unwrap(), i + 1);
            }
            drop(ping_tx);
            echo.join().unwrap();
        }
    };
}

/// Defines `$name`, the fan-in workload on the crate `$krate`'s `thread` module, with the channel
/// made by `$make`: [`PRODUCERS`] threads send [`MESSAGES`] numbers each, a consumer thread
/// receives them all and sums them, the body joins every thread and checks the sum.
macro_rules! fan_in {
    ($(#[$meta:meta])* $name:ident => $krate:ident, $make:expr) => {
        $(#[$meta])*
        fn $name() {
            use $krate::thread;

            let (tx, rx) = $make;
            let producers: Vec<_> = (0..PRODUCERS)
                .map(|p| {
                    let tx = tx.clone();
                    thread::spawn(move || {
                        for i in 0..MESSAGES {
                            tx.send(p * MESSAGES + i).unwrap();
                        }
                    })
                })
                .collect();
            drop(tx);
            let consumer = thread::spawn(move || {
                let mut sum = 0;
                for _ in 0..PRODUCERS * MESSAGES {
                    sum += rx.recv().unwrap();
                }
                sum
            });
            for producer in producers {
                producer.join().unwrap();
            }
            let n = PRODUCERS * MESSAGES;
            assert_eq!(consumer.join().unwrap(), n * (n - 1) / 2);
        }
    };
}

ping_pong! {
    /// Ping-pong on raw shuttle (`shuttle::sync::mpsc::sync_channel(0)`).
    shuttle_ping_pong => shuttle, shuttle::sync::mpsc::sync_channel
}

ping_pong! {
    /// Ping-pong on leakcheck's std-style facade (`leakcheck::sync::mpsc::sync_channel(0)`).
    leakcheck_ping_pong_mpsc => leakcheck, leakcheck::sync::mpsc::sync_channel
}

ping_pong! {
    /// Ping-pong on leakcheck's crossbeam-style facade (`leakcheck::channel::bounded(0)`).
    leakcheck_ping_pong_bounded => leakcheck, leakcheck::channel::bounded
}

fan_in! {
    /// Fan-in on raw shuttle, into a `sync_channel(FAN_IN_CAPACITY)`.
    shuttle_fan_in_sync => shuttle, shuttle::sync::mpsc::sync_channel::<u32>(FAN_IN_CAPACITY)
}

fan_in! {
    /// Fan-in on leakcheck, into a `sync_channel(FAN_IN_CAPACITY)`.
    leakcheck_fan_in_sync => leakcheck, leakcheck::sync::mpsc::sync_channel::<u32>(FAN_IN_CAPACITY)
}

fan_in! {
    /// Fan-in on raw shuttle, into an unbounded `channel()`.
    shuttle_fan_in_unbounded => shuttle, shuttle::sync::mpsc::channel::<u32>()
}

fan_in! {
    /// Fan-in on leakcheck, into an unbounded `channel()`.
    leakcheck_fan_in_unbounded => leakcheck, leakcheck::sync::mpsc::channel::<u32>()
}

/// A workload as both runners run it.
struct Workload {
    /// The name in the table.
    name: &'static str,
    /// The workload on raw shuttle.
    shuttle: fn(),
    /// The workload on leakcheck's facade.
    leakcheck: fn(),
}

/// The workloads compared, in the table's order.
const WORKLOADS: [Workload; 4] = [
    Workload {
        name: "ping-pong mpsc::sync_channel(0)",
        shuttle: shuttle_ping_pong,
        leakcheck: leakcheck_ping_pong_mpsc,
    },
    Workload {
        name: "ping-pong channel::bounded(0)",
        shuttle: shuttle_ping_pong,
        leakcheck: leakcheck_ping_pong_bounded,
    },
    Workload {
        name: "fan-in mpsc::sync_channel(4)",
        shuttle: shuttle_fan_in_sync,
        leakcheck: leakcheck_fan_in_sync,
    },
    Workload {
        name: "fan-in mpsc::channel()",
        shuttle: shuttle_fan_in_unbounded,
        leakcheck: leakcheck_fan_in_unbounded,
    },
];

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

/// Runs `n` executions of `workload` under leakcheck and returns how long they took.
///
/// # Panics
/// If leakcheck reports a finding: the workloads have none.
fn time_leakcheck(workload: fn(), kind: Kind, n: usize) -> Duration {
    let config = leakcheck::Config::new()
        .schedules(n)
        .seed(SEED)
        .scheduler(kind.leakcheck());
    let started = Instant::now();
    let outcome = config.explore(workload);
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
    /// Timed runs per runner, workload and scheduler.
    repeats: usize,
    /// `--only=TEXT`: run only the workloads whose name contains `TEXT` (for profiling one).
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

/// One row of the table: a workload's median times under both runners, for one scheduler.
struct Row {
    /// The workload's name.
    workload: &'static str,
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

/// Warms both runners up on `workload` under `kind`, then times them alternately, so drift in
/// the machine's speed affects both alike.
fn measure(workload: &Workload, kind: Kind, plan: &Plan) -> Row {
    time_shuttle(workload.shuttle, kind, WARMUP);
    time_leakcheck(workload.leakcheck, kind, WARMUP);
    let mut shuttle = Vec::with_capacity(plan.repeats);
    let mut leakcheck = Vec::with_capacity(plan.repeats);
    for _ in 0..plan.repeats {
        shuttle.push(time_shuttle(workload.shuttle, kind, plan.executions));
        leakcheck.push(time_leakcheck(workload.leakcheck, kind, plan.executions));
    }
    Row {
        workload: workload.name,
        kind,
        shuttle: median(shuttle),
        leakcheck: median(leakcheck),
    }
}

/// Measures every workload under both schedulers and prints the table and whether the target
/// is met.
fn main() {
    let plan = Plan::from_env();
    let mut rows = Vec::new();
    let selected = WORKLOADS.iter().filter(|w| {
        plan.only
            .as_deref()
            .is_none_or(|text| w.name.contains(text))
    });
    for workload in selected {
        for kind in [Kind::Random, Kind::Pct] {
            rows.push(measure(workload, kind, &plan));
        }
    }

    let runs = if plan.repeats == 1 {
        "1 run".to_string()
    } else {
        format!("median of {}", plan.repeats)
    };
    println!(
        "channel workloads vs shuttle's mpsc: ping-pong {ROUND_TRIPS} round trips (2 threads), fan-in {PRODUCERS}x{MESSAGES} messages (1 consumer) ({} executions, {runs})",
        plan.executions
    );
    println!(
        "{:<31}  {:<9}  {:>14}  {:>16}  {:>11}",
        "workload", "scheduler", "shuttle exec/s", "leakcheck exec/s", "time ratio"
    );
    for row in &rows {
        println!(
            "{:<31}  {:<9}  {:>14.0}  {:>16.0}  {:>11.2}",
            row.workload,
            row.kind.label(),
            per_second(plan.executions, row.shuttle),
            per_second(plan.executions, row.leakcheck),
            row.ratio()
        );
    }
    let misses: Vec<String> = rows
        .iter()
        .filter(|row| row.ratio() > TARGET_RATIO)
        .map(|row| format!("{} {} {:.2}", row.workload, row.kind.label(), row.ratio()))
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
