//! How fast is leakcheck's exhaustive search, per interleaving, next to loom?
//!
//! Each workload is written once, as a macro instantiated twice: against loom's own primitives
//! (`loom::sync`, `loom::thread`), checked by `loom::model::Builder::check`, and against
//! leakcheck's facade (`leakcheck::sync`, `leakcheck::thread`), explored by
//! `leakcheck::Config::explore` under `Scheduler::Exhaustive`. For each workload and preemption
//! bound (1 and 2), both sides search the whole space once per timed run; the table reports, per
//! side, the interleavings (executions) explored, the median time of a full search and
//! interleavings per second, then two ratios (leakcheck / loom): of the time per interleaving,
//! and of the total time of the search.
//!
//! ```text
//! cargo bench --bench exhaustive               # median of 5 full searches per side
//! cargo bench --bench exhaustive -- --quick    # 1 full search per side (a smoke test for CI)
//! cargo bench --bench exhaustive -- --only=handshake
//! ```
//!
//! Started without `--bench` (as `cargo test --benches` does), it runs as with `--quick`.
//!
//! **The two sides do not explore the same interleavings.** Both run on loom's model checker,
//! but they give it different programs. Loom's own primitives let its dynamic partial-order
//! reduction skip orders of independent accesses (two locks of different mutexes), and it also
//! branches on which store an atomic load may read. Leakcheck's exhaustive backend makes every
//! stretch of a thread between two scheduling points one access to a single shared atomic, so
//! every pair is dependent and tried in both orders (the detectors read global state at every
//! step), and it adds the facade's other choices. Even with the same preemption bound the counts
//! differ, so the comparable figure is the time per interleaving; the ratio of total times says
//! what the whole proof costs. Spurious wake-ups, one of leakcheck's extra choices, are turned
//! off here (`Config::spurious_wakeups(false)`): loom has none, and these
//! workloads have no wait they could wake.
//!
//! The target is a ratio of time per interleaving of at most [`TARGET_RATIO`]; the last line
//! says whether it is met. The benchmark exits with success either way: it measures, it does not
//! gate. Loom's settings that its environment variables would change (`LOOM_MAX_PREEMPTIONS`,
//! `LOOM_MAX_BRANCHES`, `LOOM_MAX_PERMUTATIONS`, `LOOM_MAX_DURATION`, `LOOM_CHECKPOINT_FILE`,
//! `LOOM_LOG`, `LOOM_LOCATION`) are set here explicitly; leakcheck's overrides make it refuse to
//! run, as the other benchmarks do (see [`common`], whose helpers it shares).

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

// Only the helpers are used here, not the shuttle-versus-leakcheck harness.
#[allow(dead_code)]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most leakcheck may take per interleaving, as a multiple of loom's time, for the target to
/// be met.
const TARGET_RATIO: f64 = 1.5;

/// The preemption bounds measured, in the table's order.
const BOUNDS: [usize; 2] = [1, 2];

/// The executions leakcheck may run: far more than any workload here has, so every search runs
/// to the end (which is checked).
const MAX_SCHEDULES: usize = 10_000_000;

/// Loom's default branch limit per execution (`LOOM_MAX_BRANCHES`), set explicitly.
const LOOM_MAX_BRANCHES: usize = 1_000;

/// Defines `$name`, the `mutex` workload written against the crate `$krate`'s `sync` and
/// `thread` modules: two threads each add one to a shared `Mutex<u32>` twice, under the lock each
/// time; the body joins both and checks the count.
macro_rules! mutex_workload {
    ($(#[$meta:meta])* $name:ident => $krate:ident) => {
        $(#[$meta])*
        fn $name() {
            use $krate::sync::{Arc, Mutex};
            use $krate::thread;

            let count = Arc::new(Mutex::new(0u32));
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let count = Arc::clone(&count);
                    thread::spawn(move || {
                        for _ in 0..2 {
                            *count.lock().unwrap() += 1;
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.join().unwrap();
            }
            assert_eq!(*count.lock().unwrap(), 4);
        }
    };
}

/// Defines `$name`, the `handshake` workload written against the crate `$krate`'s `sync` and
/// `thread` modules: a sender puts a message in a `Mutex<Option<u32>>` and then raises an atomic
/// flag (release); a receiver polls the flag (acquire, yielding while it is down), then takes the
/// message; the body joins both and checks that the message arrived.
macro_rules! handshake_workload {
    ($(#[$meta:meta])* $name:ident => $krate:ident) => {
        $(#[$meta])*
        fn $name() {
            use $krate::sync::atomic::{AtomicBool, Ordering};
            use $krate::sync::{Arc, Mutex};
            use $krate::thread;

            let slot = Arc::new(Mutex::new(None::<u32>));
            let ready = Arc::new(AtomicBool::new(false));
            let sender = {
                let slot = Arc::clone(&slot);
                let ready = Arc::clone(&ready);
                thread::spawn(move || {
                    *slot.lock().unwrap() = Some(42);
                    ready.store(true, Ordering::Release);
                })
            };
            let receiver = thread::spawn(move || {
                while !ready.load(Ordering::Acquire) {
                    thread::yield_now();
                }
                slot.lock().unwrap().take()
            });
            sender.join().unwrap();
            assert_eq!(receiver.join().unwrap(), Some(42));
        }
    };
}

mutex_workload! {
    /// The `mutex` workload on loom (`loom::sync`, `loom::thread`).
    loom_mutex => loom
}

mutex_workload! {
    /// The `mutex` workload on leakcheck's facade (`leakcheck::sync`, `leakcheck::thread`).
    leakcheck_mutex => leakcheck
}

handshake_workload! {
    /// The `handshake` workload on loom (`loom::sync`, `loom::thread`).
    loom_handshake => loom
}

handshake_workload! {
    /// The `handshake` workload on leakcheck's facade (`leakcheck::sync`, `leakcheck::thread`).
    leakcheck_handshake => leakcheck
}

/// A workload as both sides run it.
struct Case {
    /// The name in the table's first column, which `--only=TEXT` matches.
    name: &'static str,
    /// The workload on loom.
    loom: fn(),
    /// The workload on leakcheck's facade.
    leakcheck: fn(),
}

/// The workloads, in the table's order.
const CASES: [Case; 2] = [
    Case {
        name: "mutex",
        loom: loom_mutex,
        leakcheck: leakcheck_mutex,
    },
    Case {
        name: "handshake",
        loom: loom_handshake,
        leakcheck: leakcheck_handshake,
    },
];

/// One full search: how many interleavings it explored and how long it took.
#[derive(Clone, Copy)]
struct Search {
    /// Interleavings (executions) explored.
    interleavings: usize,
    /// The time of the whole search.
    time: Duration,
}

/// Checks `workload` with loom, every interleaving up to `bound` preemptions, and returns what
/// the search explored. Loom's interleavings are counted with a std (not loom) atomic that each
/// execution bumps.
///
/// # Panics
/// If loom finds something: the workloads are correct.
fn search_loom(workload: fn(), bound: usize) -> Search {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.max_branches = LOOM_MAX_BRANCHES;
    builder.max_permutations = None;
    builder.max_duration = None;
    builder.checkpoint_file = None;
    builder.log = false;
    builder.location = false;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let started = Instant::now();
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        workload();
    });
    let time = started.elapsed();
    Search {
        interleavings: count.load(Ordering::Relaxed),
        time,
    }
}

/// Explores `workload` with leakcheck's exhaustive search, every execution up to `bound`
/// preemptions, spurious wake-ups off, and returns what the search explored.
///
/// # Panics
/// If leakcheck reports a finding (the workloads are correct), or stops before it saw every
/// execution.
fn search_leakcheck(workload: fn(), bound: usize) -> Search {
    let config = leakcheck::Config::new()
        .scheduler(leakcheck::Scheduler::Exhaustive {
            preemption_bound: bound,
        })
        .schedules(MAX_SCHEDULES)
        .spurious_wakeups(false);
    let started = Instant::now();
    let outcome = config.explore(workload);
    let time = started.elapsed();
    match outcome {
        Ok(summary) => {
            assert_eq!(
                summary.complete(),
                Some(true),
                "leakcheck's exhaustive search stopped after {} executions, before the end",
                summary.schedules()
            );
            Search {
                interleavings: summary.schedules(),
                time,
            }
        }
        Err(report) => panic!("leakcheck found something in a correct workload:\n{report}"),
    }
}

/// The median of `searches`, which must all have explored as many interleavings (the searches
/// are deterministic).
///
/// # Panics
/// If they did not.
fn median_search(side: &str, case: &str, searches: &[Search]) -> Search {
    let interleavings = searches[0].interleavings;
    assert!(
        searches.iter().all(|s| s.interleavings == interleavings),
        "{side} explored a different number of interleavings of `{case}` from one search to the next"
    );
    Search {
        interleavings,
        time: common::median(searches.iter().map(|s| s.time).collect()),
    }
}

/// One row of the table: a workload under one bound, on both sides.
struct Row {
    /// The workload's name.
    case: &'static str,
    /// The preemption bound.
    bound: usize,
    /// Loom's search (median time).
    loom: Search,
    /// leakcheck's search (median time).
    leakcheck: Search,
}

impl Row {
    /// How many times longer leakcheck takes per interleaving than loom.
    fn per_interleaving_ratio(&self) -> f64 {
        let per = |s: Search| s.time.as_secs_f64() / s.interleavings as f64;
        per(self.leakcheck) / per(self.loom)
    }

    /// How many times longer leakcheck's whole search takes than loom's.
    fn total_ratio(&self) -> f64 {
        self.leakcheck.time.as_secs_f64() / self.loom.time.as_secs_f64()
    }
}

/// Warms both sides up with one untimed search each, then runs `repeats` full searches per
/// side, alternately, so drift in the machine's speed affects both alike.
fn measure(case: &Case, bound: usize, repeats: usize) -> Row {
    search_loom(case.loom, bound);
    search_leakcheck(case.leakcheck, bound);
    let mut loom = Vec::with_capacity(repeats);
    let mut leakcheck = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        loom.push(search_loom(case.loom, bound));
        leakcheck.push(search_leakcheck(case.leakcheck, bound));
    }
    Row {
        case: case.name,
        bound,
        loom: median_search("loom", case.name, &loom),
        leakcheck: median_search("leakcheck", case.name, &leakcheck),
    }
}

/// A duration in milliseconds, for the table.
fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1e3
}

/// Measures every selected workload under every bound, then prints the table and whether the
/// target is met.
fn main() {
    let args = common::Args::parse(true);
    common::refuse_overrides();
    let repeats = if args.quick {
        1
    } else {
        common::DEFAULT_REPEATS
    };
    let mut rows = Vec::new();
    let selected = CASES.iter().filter(|case| {
        args.only
            .as_deref()
            .is_none_or(|text| case.name.contains(text))
    });
    for case in selected {
        for bound in BOUNDS {
            rows.push(measure(case, bound, repeats));
        }
    }

    let runs = if repeats == 1 {
        "1 full search per side".to_string()
    } else {
        format!("median of {repeats} full searches per side")
    };
    println!("exhaustive search, leakcheck vs loom 0.7.3 ({runs}; both searches complete)");
    println!(
        "note: the sides explore different sets of interleavings: loom's primitives let its DPOR skip"
    );
    println!(
        "      independent accesses; leakcheck's backend makes every step of the facade dependent on every"
    );
    println!("      other (spurious wake-ups off here); compare time per interleaving, not counts");
    println!(
        "{:<9}  {:>5}  {:>10}  {:>9}  {:>8}  {:>10}  {:>9}  {:>8}  {:>15}  {:>11}",
        "workload",
        "bound",
        "loom execs",
        "loom ms",
        "loom e/s",
        "lc execs",
        "lc ms",
        "lc e/s",
        "ratio per exec",
        "ratio total"
    );
    for row in &rows {
        println!(
            "{:<9}  {:>5}  {:>10}  {:>9.2}  {:>8.0}  {:>10}  {:>9.2}  {:>8.0}  {:>15.2}  {:>11.2}",
            row.case,
            row.bound,
            row.loom.interleavings,
            millis(row.loom.time),
            common::per_second(row.loom.interleavings, row.loom.time),
            row.leakcheck.interleavings,
            millis(row.leakcheck.time),
            common::per_second(row.leakcheck.interleavings, row.leakcheck.time),
            row.per_interleaving_ratio(),
            row.total_ratio()
        );
    }
    let misses: Vec<String> = rows
        .iter()
        .filter(|row| row.per_interleaving_ratio() > TARGET_RATIO)
        .map(|row| {
            format!(
                "{} bound {} {:.2}",
                row.case,
                row.bound,
                row.per_interleaving_ratio()
            )
        })
        .collect();
    let target = "time per interleaving, leakcheck/loom";
    if misses.is_empty() {
        println!("target ({target} <= {TARGET_RATIO}): met");
    } else {
        println!(
            "target ({target} <= {TARGET_RATIO}): NOT met ({})",
            misses.join(", ")
        );
    }
}
