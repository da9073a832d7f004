//! The `#[leakcheck::test]` attribute. Use it through `leakcheck::test`, not from this crate:
//! the expansion names items of the `leakcheck` crate (`::leakcheck::Config`,
//! `::leakcheck::__private::run_test`), so `leakcheck` must be a dependency of the crate that
//! uses the attribute.
//!
//! ```ignore
//! #[leakcheck::test(schedules = 300, scheduler = "random", expect = "leaked_thread")]
//! fn detached_worker_leaks() {
//!     // ...
//! }
//! ```
//!
//! expands to (roughly)
//!
//! ```ignore
//! #[test]
//! fn detached_worker_leaks() {
//!     fn __leakcheck_body() {
//!         // ...
//!     }
//!     ::leakcheck::__private::run_test(
//!         ::leakcheck::Config::new()
//!             .schedules(300)
//!             .scheduler(::leakcheck::Scheduler::Random)
//!             .test_name("detached_worker_leaks")
//!             .package(env!("CARGO_PKG_NAME")),
//!         &[::leakcheck::FindingKind::LeakedThread],
//!         __leakcheck_body,
//!     );
//! }
//!
//! // Registers the test, so that `cargo leakcheck --list` can list it without running it.
//! #[cfg(test)]
//! const _: () = {
//!     ::leakcheck::__private::inventory::submit! {
//!         ::leakcheck::__private::TestEntry {
//!             module_path: module_path!(), function: "detached_worker_leaks",
//!             file: file!(), line: line!(), package: env!("CARGO_PKG_NAME"),
//!             given: &[("schedules", "300"), ("scheduler", "random")],
//!             expect: &[::leakcheck::FindingKind::LeakedThread],
//!             config: || ::leakcheck::Config::new().schedules(300) /* ... */,
//!             // ...
//!         }
//!     }
//! };
//! ```

#![deny(missing_docs)]

mod args;
mod expand;
mod registration;

use proc_macro::TokenStream;

/// Marks a function as a test that runs under leakcheck: libtest runs it like a `#[test]`, and
/// its body is explored under leakcheck's deterministic scheduler.
///
/// The function takes no parameters, is not generic, and returns `()` or `Result<(), E>` with
/// `E: Debug` (an `Err` fails the test). An `async fn` (with leakcheck's `tokio` feature) runs
/// as the root future of `leakcheck::block_on`, on the modelled tokio runtime, as
/// `#[tokio::test]` runs it on a real one: tasks it spawns and leaves unfinished are reported. Other attributes on it
/// (`#[should_panic]`, `#[ignore]`, doc comments, lint levels) are kept. Do not add `#[test]`
/// as well: the attribute adds it.
///
/// # Arguments
///
/// Comma separated, in any order, each at most once:
///
/// | argument | value |
/// |---|---|
/// | `schedules = N` | schedules to explore, at least 1 |
/// | `scheduler = "random" \| "pct" \| "dfs" \| "exhaustive"` | the scheduler (default `"pct"`, depth 3) |
/// | `depth = N` | PCT's depth, at least 1; only with the PCT scheduler |
/// | `preemption_bound = N` | the exhaustive search's bound (default 2); only with the exhaustive scheduler |
/// | `seed = N` | the seed, a `u64` (decimal or hex: `0x5eed`) |
/// | `max_steps = N` | scheduling steps one execution may take, at least 1 |
/// | `allow_lingering` | accept threads that finish after the body returned (also `= true/false`) |
/// | `spurious_wakeups` | let `Condvar::wait` and `park` wake spuriously (also `= true/false`) |
/// | `allow_detached_panics` | accept a panic in a thread whose `JoinHandle` was dropped unjoined (also `= true/false`) |
/// | `stall_timeout = S` | seconds a thread may stay away from the scheduler before a `Stall` finding (default 10) |
/// | `workers = N` | OS threads exploring the schedules, at least 1 (the random scheduler only; the result is the same for any N) |
/// | `replay = "token"` | run only the schedule a report's replay token recorded |
/// | `expect = "kind"` or `expect = ["kind", ...]` | the test must find every listed kind |
/// | `flavor = "current_thread" \| "multi_thread"` | the modelled tokio runtime (default `"current_thread"`, one worker, as `#[tokio::test]`) |
/// | `worker_threads = N` | the multi-thread runtime's workers, at least 1 (default 2); only with `flavor = "multi_thread"` |
///
/// The kinds are `leaked_thread`, `leaked_task`, `unclosed_channel`, `missed_signal`,
/// `deadlock`, `panic`, `step_limit`, `unresponsive_cancellation`, `lock_order_inversion` and
/// `stall`. Without `expect`, the
/// test fails at the first schedule with a finding; with it, the test fails if no schedule has
/// a finding, or if the first failing one lacks an expected kind.
///
/// Anything else (an unknown argument, a repeated one, a value of the wrong type or out of
/// range) is a compile error that names what is accepted.
///
/// ```ignore
/// #[leakcheck::test]
/// fn workers_are_joined() {
///     let t = leakcheck::thread::spawn(|| ());
///     t.join().unwrap();
/// }
///
/// #[leakcheck::test(schedules = 500, scheduler = "random", seed = 0x5eed, expect = "leaked_thread")]
/// fn detached_worker_leaks() {
///     // ...
/// }
///
/// #[leakcheck::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn tasks_are_awaited() {
///     let h = leakcheck::tokio::spawn(async { 1 });
///     assert_eq!(h.await.unwrap(), 1);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, input: TokenStream) -> TokenStream {
    match expand::test(args.into(), input.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
