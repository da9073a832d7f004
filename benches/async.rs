//! How much slower is an async check under leakcheck than the same test under the nearest
//! peer, shuttle-tokio (a tokio drop-in on shuttle's engine)?
//!
//! Each workload is written once, as a macro instantiated twice: against `shuttle_tokio` (with
//! its `shuttle` feature: tasks are shuttle tasks), run by a `shuttle::Runner` with
//! `shuttle::future::block_on` as the root; and against `leakcheck::tokio`, run by
//! `leakcheck::Config::explore` with `leakcheck::block_on` as the root. Both run the same number
//! of executions under the same scheduler (random, and PCT of depth 3) with the same seed; the
//! table compares executions per second. The workloads:
//!
//! - `ping-pong`: two tasks pass a counter back and forth 10 times over two `mpsc` channels;
//! - `fan-in`: 8 tasks each send one message into one `mpsc` channel, the root receives them;
//! - `spawn-join`: the root spawns 100 tasks and awaits each.
//!
//! A second table measures what leakcheck's items cost *outside* a check, where each is
//! tokio's own behind an enum: 2,000 spawn-and-await round trips on a real current-thread
//! runtime, through `leakcheck::tokio` and through `tokio` directly.
//!
//! ```text
//! cargo bench --bench async               # N = 5_000 executions, median of 3 runs
//! cargo bench --bench async -- --quick    # N = 500, 1 run (a smoke test)
//! cargo bench --bench async -- --only=fan # one workload (for profiling)
//! ```

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

mod common;

use std::time::{Duration, Instant};

/// The issue's target: leakcheck's time per execution at most this many times the peer's.
const TARGET: f64 = 1.2;

/// Round trips of the ping-pong workload.
const ROUND_TRIPS: u32 = 10;

/// Senders of the fan-in workload.
const FAN_IN: u32 = 8;

/// Tasks of the spawn-and-join workload.
const SPAWNED: u32 = 100;

/// Defines the three workloads against the tokio-like crate `$t`, each run from `$block_on`.
macro_rules! workloads {
    ($module:ident => $t:path, $block_on:path) => {
        /// The workloads on one runtime.
        mod $module {
            use super::{FAN_IN, ROUND_TRIPS, SPAWNED};
            use $t as t;

            /// Two tasks pass a counter back and forth over two channels.
            pub fn ping_pong() {
                $block_on(async {
                    let (to_b, mut from_a) = t::sync::mpsc::channel::<u32>(1);
                    let (to_a, mut from_b) = t::sync::mpsc::channel::<u32>(1);
                    let b = t::spawn(async move {
                        while let Some(n) = from_a.recv().await {
                            if to_a.send(n + 1).await.is_err() {
                                break;
                            }
                        }
                    });
                    let mut n = 0;
                    for _ in 0..ROUND_TRIPS {
                        to_b.send(n).await.unwrap();
                        n = from_b.recv().await.unwrap();
                    }
                    drop(to_b);
                    b.await.unwrap();
                    assert_eq!(n, ROUND_TRIPS);
                });
            }

            /// Eight tasks send one message each into one channel.
            pub fn fan_in() {
                $block_on(async {
                    let (tx, mut rx) = t::sync::mpsc::channel::<u32>(FAN_IN as usize);
                    for i in 0..FAN_IN {
                        let tx = tx.clone();
                        drop(t::spawn(async move {
                            tx.send(i).await.unwrap();
                        }));
                    }
                    drop(tx);
                    let mut sum = 0;
                    while let Some(i) = rx.recv().await {
                        sum += i;
                    }
                    assert_eq!(sum, FAN_IN * (FAN_IN - 1) / 2);
                });
            }

            /// The root spawns a hundred tasks and awaits each.
            pub fn spawn_join() {
                $block_on(async {
                    let handles: Vec<_> =
                        (0..SPAWNED).map(|i| t::spawn(async move { i })).collect();
                    let mut sum = 0;
                    for h in handles {
                        sum += h.await.unwrap();
                    }
                    assert_eq!(sum, SPAWNED * (SPAWNED - 1) / 2);
                });
            }
        }
    };
}

workloads!(peer => shuttle_tokio, shuttle::future::block_on);
workloads!(ours => leakcheck::tokio, leakcheck::block_on);

/// The sizes of the runs and the shape of the table.
const BENCH: common::Bench = common::Bench {
    warmup: 200,
    default_executions: 5_000,
    quick_executions: 500,
    case_column: Some(("workload", 10)),
    ratio_column: ("time ratio (leakcheck/shuttle-tokio)", 36),
    target_name: "time ratio",
    target: TARGET,
    cases: &[
        common::Case {
            name: "ping-pong",
            shuttle: peer::ping_pong,
            leakcheck: ours::ping_pong,
            configure: std::convert::identity,
        },
        common::Case {
            name: "fan-in",
            shuttle: peer::fan_in,
            leakcheck: ours::fan_in,
            configure: std::convert::identity,
        },
        common::Case {
            name: "spawn-join",
            shuttle: peer::spawn_join,
            leakcheck: ours::spawn_join,
            configure: std::convert::identity,
        },
    ],
};

/// Spawn-and-await round trips outside a check, through `leakcheck::tokio` (`ours`) or tokio.
fn outside(ours: bool, n: u32) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    rt.block_on(async {
        for i in 0..n {
            let v = if ours {
                leakcheck::tokio::spawn(async move { i }).await.unwrap()
            } else {
                tokio::spawn(async move { i }).await.unwrap()
            };
            assert_eq!(v, i);
        }
    });
    started.elapsed()
}

/// Measures the workloads under both runners, then the cost outside a check.
fn main() {
    common::run(
        &BENCH,
        &format!(
            "async workloads: ping-pong ({ROUND_TRIPS} round trips), fan-in ({FAN_IN} senders), spawn-join ({SPAWNED} tasks)"
        ),
    );
    let n = 2_000;
    outside(true, n);
    outside(false, n);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        with.push(outside(true, n));
        without.push(outside(false, n));
    }
    let (with, without) = (common::median(with), common::median(without));
    println!(
        "outside a check ({n} spawn-and-await round trips on a real current-thread runtime, median of 5): tokio {:.0} µs, leakcheck::tokio {:.0} µs, ratio {:.2}",
        without.as_secs_f64() * 1e6,
        with.as_secs_f64() * 1e6,
        with.as_secs_f64() / without.as_secs_f64()
    );
}
