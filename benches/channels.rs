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
//! cargo bench --bench channels               # N = 10_000 executions, median of 5 runs
//! cargo bench --bench channels -- --quick    # N = 1_000, 1 run (a smoke test for CI)
//! LEAKCHECK_BENCH_EXECUTIONS=50000 cargo bench --bench channels
//! cargo bench --bench channels -- --only=fan-in   # the workloads whose name contains `fan-in`
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

/// Round trips of the ping-pong workload.
const ROUND_TRIPS: u32 = 100;

/// Producers of the fan-in workload.
const PRODUCERS: u32 = 4;

/// Messages each producer of the fan-in workload sends.
const MESSAGES: u32 = 10;

/// The capacity of the fan-in workload's bounded channel.
const FAN_IN_CAPACITY: usize = 4;

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

/// The sizes of the runs, the shape of the table and the workloads compared, in the table's
/// order.
const BENCH: common::Bench = common::Bench {
    warmup: 200,
    default_executions: 10_000,
    quick_executions: 1_000,
    case_column: Some(("workload", 31)),
    ratio_column: ("time ratio", 11),
    target_name: "time ratio leakcheck/shuttle",
    target: common::TARGET_RATIO,
    cases: &[
        common::Case {
            name: "ping-pong mpsc::sync_channel(0)",
            shuttle: shuttle_ping_pong,
            leakcheck: leakcheck_ping_pong_mpsc,
            configure: std::convert::identity,
        },
        common::Case {
            name: "ping-pong channel::bounded(0)",
            shuttle: shuttle_ping_pong,
            leakcheck: leakcheck_ping_pong_bounded,
            configure: std::convert::identity,
        },
        common::Case {
            name: "fan-in mpsc::sync_channel(4)",
            shuttle: shuttle_fan_in_sync,
            leakcheck: leakcheck_fan_in_sync,
            configure: std::convert::identity,
        },
        common::Case {
            name: "fan-in mpsc::channel()",
            shuttle: shuttle_fan_in_unbounded,
            leakcheck: leakcheck_fan_in_unbounded,
            configure: std::convert::identity,
        },
    ],
};

/// Measures every workload under both schedulers and prints the table and whether the target
/// is met.
fn main() {
    common::run(
        &BENCH,
        &format!(
            "channel workloads vs shuttle's mpsc: ping-pong {ROUND_TRIPS} round trips (2 threads), fan-in {PRODUCERS}x{MESSAGES} messages (1 consumer)"
        ),
    );
}
