//! leakcheck finds **concurrency leaks** in tests: threads that outlive the test that started
//! them, threads blocked forever, deadlocks, and panics nobody saw. It runs the test body many
//! times under a deterministic scheduler (built on [shuttle](https://docs.rs/shuttle)), explains
//! each finding with names and source locations, and prints a token that replays the failing
//! schedule exactly.
//!
//! # Quick start
//!
//! Write the code under test against leakcheck's facade (`leakcheck::thread`, `leakcheck::sync`),
//! which behaves exactly like std outside a check, and check it:
//!
//! ```
//! use leakcheck::sync::{Arc, Mutex};
//! use leakcheck::thread;
//!
//! let outcome = leakcheck::Config::new().schedules(100).explore(|| {
//!     let total = Arc::new(Mutex::new(0));
//!     let t = {
//!         let total = Arc::clone(&total);
//!         thread::spawn(move || *total.lock().unwrap() += 1)
//!     };
//!     *total.lock().unwrap() += 1;
//!     t.join().unwrap();
//! });
//! assert!(outcome.is_ok());
//! ```
//!
//! A test that forgets its thread is reported, with where the thread was spawned and where it
//! is stuck:
//!
//! ```
//! use leakcheck::sync::{Arc, Mutex};
//! use leakcheck::{thread, FindingKind};
//!
//! let report = leakcheck::Config::new().explore(|| {
//!     let lock = Arc::new(Mutex::new(()));
//!     let held = lock.lock().unwrap();
//!     let l2 = Arc::clone(&lock);
//!     thread::Builder::new()
//!         .name("waiter".into())
//!         .spawn(move || drop(l2.lock()))
//!         .unwrap();
//!     std::mem::forget(held); // the guard is never released
//! }).unwrap_err();
//! let finding = &report.findings()[0];
//! assert_eq!(finding.kind(), FindingKind::LeakedThread);
//! assert_eq!(finding.thread().unwrap().name.as_deref(), Some("waiter"));
//! assert_eq!(finding.object().unwrap().kind, "mutex");
//! ```
//!
//! In a test suite, use the attribute: `#[leakcheck::test]` runs the body under [`check`] with
//! the given settings, and `expect = "leaked_thread"` turns a test into one that must find a
//! leak.
//!
//! # Environment
//!
//! Read once when a check starts, overriding what the code says (a bad value is an error naming
//! the variable and what it accepts):
//!
//! | variable | accepts |
//! |---|---|
//! | `LEAKCHECK_SCHEDULES` | schedules to explore, at least 1 |
//! | `LEAKCHECK_SEED` | the seed, decimal or `0x` hex |
//! | `LEAKCHECK_SCHEDULER` | `random`, `pct`, `pct:<depth>`, `dfs`, `exhaustive`, `exhaustive:<bound>` |
//! | `LEAKCHECK_REPLAY` | a replay token from a report |
//! | `LEAKCHECK_REPORT_DIR` | a directory; each failing check writes its report there as JSON |
//! | `LEAKCHECK_STALL_TIMEOUT` | seconds a thread may stay away from the scheduler before a `Stall` finding (default 10) |
//! | `LEAKCHECK_TIME` | the [time model](Time): `adversarial` or `virtual` |
//! | `LEAKCHECK_TRACE` | `1`: reports end with the failing schedule's event log ([`Config::trace`]) |
//! | `LEAKCHECK_WORKERS` | `<n>` or `auto`: explore one check's schedules on n OS threads, same result ([`Config::workers`]) |
//!
//! # Defaults
//!
//! 1,000 schedules under PCT of depth 3 with the fixed seed `0x5eed`: PCT finds shallow ordering
//! bugs with a known probability per schedule, and a fixed seed makes CI runs and their reports
//! identical everywhere. Each execution may take 100,000 scheduling steps.

#![deny(missing_docs)]
// Findings are typed values with their details inline: they are made once per failing check,
// so the size of their largest variant costs nothing.
#![allow(clippy::large_enum_variant)]

mod backend;
pub mod cancel;
pub mod channel;
mod config;
mod detect;
mod error;
mod explore;
pub mod live;
/// The parking_lot crate's locks (`Mutex`, `FairMutex`, `RwLock`, `Condvar`, `Once`,
/// `ReentrantMutex`) with parking_lot's API: modelled inside a check, parking_lot's own outside.
#[cfg(feature = "parking_lot")]
pub mod parking_lot;
#[cfg(feature = "proptest")]
pub mod proptest;
mod replay;
mod report;
mod runtime;
pub mod sync;
pub mod thread;
pub mod time;
mod timeline;
#[cfg(feature = "tokio")]
pub mod tokio;
#[cfg(feature = "tokio")]
pub mod tokio_util;
// tokio's `select!`, `join!` and `try_join!` (exported as `__tokio_*`, shown as `leakcheck::tokio::*`).
#[cfg(feature = "tokio")]
mod tokio_macros;

use std::sync::Arc;

pub use config::{
    parse_seed, Config, Scheduler, DEFAULT_MAX_STEPS, DEFAULT_PCT_DEPTH, DEFAULT_PREEMPTION_BOUND,
    DEFAULT_SCHEDULES, DEFAULT_SEED, DEFAULT_STALL_TIMEOUT, MAX_EXHAUSTIVE_STEPS,
};
pub use config::{Flavor, Time, UnknownTime, ACCEPTED_TIMES};
pub use error::{ConfigError, ReplayError};
pub use leakcheck_schema::{ParseSchedulerError, SeedError};
pub use report::{
    Blocked, BlockedThread, Cancelled, ChannelInfo, ChannelWait, ChannelWaiter, CriticalSection,
    Detail, EndInfo, Finding, FindingKind, Frame, Holder, LastSeen, LeakState, LiveRun, LockOrder,
    LockTaken, LostWakerDrop, NotifyInfo, ObjectInfo, ObjectKind, OsActivity, OsThread,
    ParseFindingKindError, Report, Role, RunningThread, SignalCause, SourceLocation, Summary,
    Target, TaskLeak, ThreadInfo,
};
#[cfg(feature = "tokio")]
pub use tokio::block_on;

/// Marks a test to run under leakcheck.
///
/// ```ignore
/// #[leakcheck::test]
/// fn workers_are_joined() { /* ... */ }
///
/// #[leakcheck::test(schedules = 500, scheduler = "random", expect = "leaked_thread")]
/// fn detached_worker_leaks() { /* ... */ }
/// ```
///
/// Arguments: `schedules`, `scheduler` (`"random"`, `"pct"`, `"dfs"`, `"exhaustive"`), `depth`
/// (PCT), `preemption_bound` (exhaustive), `seed`, `max_steps`, `allow_lingering`, `spurious_wakeups` (flags, or `= true/false`),
/// `replay` (a token), `time` (`"adversarial"` or `"virtual"`, see [`Time`]), and `expect`: one kind or a list (`expect = ["leaked_thread",
/// "deadlock"]`); the test then passes only if every expected kind is found. `live` runs the
/// test in [live mode](crate::live) (real threads), with `runs`, `grace_ms` and
/// `ignore_thread` (a prefix or a list); `LEAKCHECK_MODE=live` runs every test live. `trace`
/// appends the failing schedule's event log to the report (see `docs/timeline.md`).
pub use leakcheck_macros::test;

impl Config {
    /// Explores the body's schedules and panics with the report at the first failing one.
    ///
    /// # Panics
    /// With the report, if a schedule has a finding; with a usage error, if a setting, an
    /// environment variable or the replay token is malformed.
    #[track_caller]
    pub fn check<F>(&self, f: F)
    where
        F: Fn() + Send + Sync + 'static,
    {
        if let Err(report) = self.explore(f) {
            panic!("{report}");
        }
    }

    /// Explores the body's schedules; stops at the first failing schedule and returns its report.
    ///
    /// # Errors
    /// The report of the first schedule with a finding.
    ///
    /// # Panics
    /// With a usage error, if a setting, an environment variable or the replay token is
    /// malformed, or the scheduler cannot run the body; the panic points at the caller's line.
    #[track_caller]
    pub fn explore<F>(&self, f: F) -> Result<Summary, Report>
    where
        F: Fn() + Send + Sync + 'static,
    {
        match explore::explore(self, Arc::new(f)) {
            Ok(summary) => Ok(summary),
            Err(explore::Failure::Found(report)) => Err(report),
            Err(explore::Failure::Usage(error)) => panic!("{error}"),
        }
    }
}

/// Checks `f` with the default settings (and the environment's overrides).
///
/// ```
/// leakcheck::check(|| {
///     let h = leakcheck::thread::spawn(|| ());
///     h.join().unwrap();
/// });
/// ```
///
/// # Panics
/// With the report, if a schedule has a finding.
#[track_caller]
pub fn check<F>(f: F)
where
    F: Fn() + Send + Sync + 'static,
{
    Config::new().check(f)
}

#[doc(hidden)]
pub mod __private;
