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
//! cargo bench --bench condvar               # N = 10_000 executions, median of 5 runs
//! cargo bench --bench condvar -- --quick    # N = 1_000, 1 run (a smoke test for CI)
//! LEAKCHECK_BENCH_EXECUTIONS=50000 cargo bench --bench condvar
//! cargo bench --bench condvar -- --only=off # the rows whose variant contains `off`
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

/// Items the producer puts and the consumer gets.
const ITEMS: u32 = 10;

/// The capacity of the bounded buffer.
const CAPACITY: usize = 2;

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

/// The sizes of the runs, the shape of the table and the two leakcheck configurations compared
/// (shuttle is the same in both), in the table's order.
const BENCH: common::Bench = common::Bench {
    warmup: 200,
    default_executions: 10_000,
    quick_executions: 1_000,
    case_column: Some(("leakcheck", 21)),
    ratio_column: ("time ratio", 11),
    target_name: "time ratio leakcheck/shuttle",
    target: common::TARGET_RATIO,
    cases: &[
        common::Case {
            // leakcheck's default: `Condvar::wait` may wake spuriously.
            name: "spurious on (default)",
            shuttle: shuttle_workload,
            leakcheck: leakcheck_workload,
            configure: |config| config.spurious_wakeups(true),
        },
        common::Case {
            // The same wake-ups as shuttle's condvar.
            name: "spurious off",
            shuttle: shuttle_workload,
            leakcheck: leakcheck_workload,
            configure: |config| config.spurious_wakeups(false),
        },
    ],
};

/// Measures both leakcheck configurations under both schedulers and prints the table and
/// whether the target is met.
fn main() {
    common::run(
        &BENCH,
        &format!(
            "condvar producer/consumer vs shuttle's Condvar: {ITEMS} items through a buffer of capacity {CAPACITY}, 1 mutex, 2 condvars, 3 threads"
        ),
    );
}
