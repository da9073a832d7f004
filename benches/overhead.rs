//! How much slower is a check under leakcheck than the same test under raw shuttle?
//!
//! The workload of the issue ("3 threads, a Mutex, about 50 synchronisation operations") is
//! written once, as a macro instantiated twice: against `shuttle::{sync, thread}`, run by a
//! `shuttle::Runner`, and against `leakcheck::{sync, thread}`, run by
//! `leakcheck::Config::explore`. Both run the same number of executions under the same scheduler
//! (random, and PCT of depth 3) with the same seed; the table compares executions per second.
//!
//! ```text
//! cargo bench --bench overhead               # N = 20_000 executions, median of 5 runs
//! cargo bench --bench overhead -- --quick    # N = 2_000, 1 run (a smoke test for CI)
//! LEAKCHECK_BENCH_EXECUTIONS=50000 cargo bench --bench overhead
//! ```
//!
//! Started without `--bench` (as `cargo test --benches` does), it runs as with `--quick`.
//!
//! The target is a time ratio (leakcheck / shuttle) of at most
//! [`TARGET_RATIO`](common::TARGET_RATIO); the last line says whether it is met. The benchmark
//! exits with success either way: it measures, it does not gate. The harness (options, timing,
//! table) is shared with the other benchmarks, in [`common`].

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

mod common;

/// The threads each execution runs, the body's thread included.
const THREADS: usize = 3;

/// The `lock(); *g += 1; drop(g)` rounds each of the [`THREADS`] threads makes.
const ITERATIONS: usize = 8;

/// Synchronisation operations per execution: a lock and an unlock per round of every thread,
/// two spawns, two joins, and the final lock and unlock that read the count.
const SYNC_OPS: usize = THREADS * ITERATIONS * 2 + 2 * (THREADS - 1) + 2;

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

/// The sizes of the runs and the shape of the table: one case, no case column.
const BENCH: common::Bench = common::Bench {
    warmup: 500,
    default_executions: 20_000,
    quick_executions: 2_000,
    case_column: None,
    ratio_column: ("time ratio (leakcheck/shuttle)", 30),
    target_name: "time ratio",
    target: common::TARGET_RATIO,
    cases: &[common::Case {
        name: "mutex",
        shuttle: shuttle_workload,
        leakcheck: leakcheck_workload,
        configure: std::convert::identity,
    }],
};

/// Measures the workload under both schedulers and prints the table and whether the target is
/// met.
fn main() {
    common::run(
        &BENCH,
        &format!("workload: {THREADS} threads, 1 mutex, ~{SYNC_OPS} sync operations per execution"),
    );
}
