//! How a check runs: [`Config`], [`Scheduler`], and the environment overrides.
//!
//! A `Config` is built in code (or by `#[leakcheck::test(...)]`), then the environment is laid
//! over it once, when a check starts, into a resolved [`Settings`] value that flows down to the
//! runtime. Nothing reads the environment after that.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::ConfigError;

/// The number of schedules a check explores unless told otherwise.
///
/// A thousand executions of a small test take well under a second in release mode and a few
/// seconds in debug mode, and find the bugs of the bundled fixtures with a wide margin.
pub const DEFAULT_SCHEDULES: usize = 1_000;

/// The seed a check uses unless told otherwise: fixed, so that CI runs are reproducible and a
/// report seen on one machine is the report seen on every other.
pub const DEFAULT_SEED: u64 = 0x5eed;

/// The scheduling steps one execution may take unless told otherwise.
pub const DEFAULT_MAX_STEPS: usize = 100_000;

pub use leakcheck_schema::{parse_seed, Scheduler, DEFAULT_PCT_DEPTH, DEFAULT_PREEMPTION_BOUND};
use leakcheck_schema::{ACCEPTED_SCHEDULERS, ACCEPTED_SEEDS};

pub use crate::runtime::clock::{Time, UnknownTime, ACCEPTED_TIMES};
pub use crate::runtime::task::Flavor;

/// The most steps one execution may take under [`Scheduler::Exhaustive`], whatever
/// [`Config::max_steps`] says: each step is a write to one loom atomic, and loom counts the writes
/// to an atomic in 16 bits. An exhaustive search of executions that long would not end anyway.
pub const MAX_EXHAUSTIVE_STEPS: usize = 60_000;

/// How long a model thread may stay away from the scheduler (wall-clock time) unless told
/// otherwise, before the check fails with a `Stall` finding: see [`Config::stall_timeout`].
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of a check, built in code; the environment overrides them when the check
/// starts (see the [crate documentation](crate#environment)).
///
/// Every builder method takes and returns the `Config` by value.
///
/// # Examples
///
/// ```
/// use leakcheck::{Config, Scheduler};
///
/// let outcome = Config::new()
///     .schedules(300)
///     .scheduler(Scheduler::Pct { depth: 2 })
///     .seed(7)
///     .explore(|| {
///         let h = leakcheck::thread::spawn(|| ());
///         h.join().unwrap();
///     });
/// assert_eq!(outcome.unwrap().schedules(), 300);
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) schedules: usize,
    pub(crate) scheduler: Scheduler,
    pub(crate) seed: u64,
    pub(crate) max_steps: usize,
    pub(crate) allow_lingering: bool,
    pub(crate) spurious_wakeups: bool,
    pub(crate) time: Time,
    pub(crate) replay: Option<String>,
    pub(crate) test_name: Option<String>,
    pub(crate) package: Option<String>,
    pub(crate) ignored: bool,
    pub(crate) stall_timeout: Duration,
    pub(crate) allow_detached_panics: bool,
    pub(crate) trace: bool,
    pub(crate) report_dir: Option<std::path::PathBuf>,
    pub(crate) flavor: Flavor,
    pub(crate) workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl Config {
    /// The defaults: 1,000 schedules under PCT of depth 3, seed `0x5eed`, 100,000 steps per
    /// execution, no lingering threads, spurious wake-ups on.
    pub fn new() -> Self {
        Config {
            schedules: DEFAULT_SCHEDULES,
            scheduler: Scheduler::default(),
            seed: DEFAULT_SEED,
            max_steps: DEFAULT_MAX_STEPS,
            allow_lingering: false,
            spurious_wakeups: true,
            time: Time::Adversarial,
            replay: None,
            test_name: None,
            package: None,
            ignored: false,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            allow_detached_panics: false,
            trace: false,
            report_dir: None,
            flavor: Flavor::CurrentThread,
            workers: 1,
        }
    }

    /// How many executions (schedules) to explore. With [`Scheduler::Dfs`] and
    /// [`Scheduler::Exhaustive`], the most to explore: they stop earlier when they have seen them
    /// all.
    pub fn schedules(mut self, schedules: usize) -> Self {
        self.schedules = schedules;
        self
    }

    /// Which scheduler explores the schedules.
    ///
    /// ```
    /// use leakcheck::{thread, Config, Scheduler};
    ///
    /// let summary = Config::new()
    ///     .scheduler(Scheduler::Exhaustive { preemption_bound: 2 })
    ///     .schedules(1_000_000)
    ///     .explore(|| {
    ///         let h = thread::spawn(|| 1);
    ///         assert_eq!(h.join().unwrap(), 1);
    ///     })
    ///     .unwrap();
    /// assert_eq!(summary.complete(), Some(true));
    /// ```
    pub fn scheduler(mut self, scheduler: Scheduler) -> Self {
        self.scheduler = scheduler;
        self
    }

    /// The seed of the scheduler's random choices: the same seed gives the same schedules and
    /// the same report, to the byte.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The scheduling steps one execution may take. An execution that takes more is stopped and
    /// reported: as a `StepLimit` finding while the test body runs, as a `LeakedThread` that is
    /// still running once the body has returned. Under [`Scheduler::Exhaustive`] it is at most
    /// [`MAX_EXHAUSTIVE_STEPS`], which loom, the engine of that scheduler, can count.
    pub fn max_steps(mut self, max_steps: usize) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Whether a thread that finishes after the body returned (never joined, but not stuck) is
    /// accepted. Off by default: such a thread outlives its test.
    pub fn allow_lingering(mut self, allow: bool) -> Self {
        self.allow_lingering = allow;
        self
    }

    /// Whether `Condvar::wait` and `thread::park` may return without a notification, as std
    /// permits. On by default: it is how `if`-instead-of-`while` bugs are caught.
    pub fn spurious_wakeups(mut self, on: bool) -> Self {
        self.spurious_wakeups = on;
        self
    }

    /// How long a model thread may run without coming back to leakcheck's scheduler (wall-clock
    /// time; 10 s by default) before the check fails with a [`Stall`](crate::FindingKind::Stall)
    /// finding. Such a thread is blocked outside leakcheck: a `std::sync::Mutex` or other std
    /// primitive used directly, real I/O, or a very long computation. If it comes back later,
    /// the execution stops there and the check reports the stall as any finding; if it has not
    /// come back after twice the timeout (and at least 3 s more), the report is printed (and written to
    /// `LEAKCHECK_REPORT_DIR`) and the process exits with a failure, so CI never hangs.
    /// `LEAKCHECK_STALL_TIMEOUT=<seconds>` overrides it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use leakcheck::{Config, FindingKind};
    ///
    /// let report = Config::new()
    ///     .schedules(1)
    ///     .stall_timeout(Duration::from_millis(200))
    ///     .explore(|| {
    ///         // A computation that keeps the thread away from the scheduler for too long.
    ///         std::thread::sleep(Duration::from_millis(400));
    ///         leakcheck::thread::yield_now();
    ///     })
    ///     .unwrap_err();
    /// assert_eq!(report.findings()[0].kind(), FindingKind::Stall);
    /// ```
    pub fn stall_timeout(mut self, timeout: Duration) -> Self {
        self.stall_timeout = timeout;
        self
    }

    /// Whether a panic in a thread whose `JoinHandle` was dropped without joining is accepted:
    /// a program that handles its workers' panics itself (a pool that catches a job's panic with
    /// `catch_unwind` and reports it to the caller). Off by default: std drops such a panic
    /// silently, so it is reported.
    ///
    /// ```
    /// use leakcheck::Config;
    ///
    /// Config::new().schedules(50).allow_detached_panics(true).check(|| {
    ///     let (tx, rx) = leakcheck::channel::bounded(1);
    ///     drop(leakcheck::thread::spawn(move || {
    ///         let caught = std::panic::catch_unwind(|| panic!("job failed"));
    ///         tx.send(caught.is_err()).unwrap();
    ///         panic!("the worker gives up");
    ///     }));
    ///     assert!(rx.recv().unwrap());
    /// });
    /// ```
    pub fn allow_detached_panics(mut self, allow: bool) -> Self {
        self.allow_detached_panics = allow;
        self
    }

    /// The tokio runtime that [`block_on`](crate::block_on) and an `async` test model:
    /// [`Flavor::CurrentThread`] (the default, as `#[tokio::test]`) or
    /// [`Flavor::MultiThread`]. The attribute takes `flavor = "multi_thread", worker_threads = 2`.
    ///
    /// ```
    /// use leakcheck::{Config, Flavor};
    ///
    /// let outcome = Config::new()
    ///     .schedules(50)
    ///     .flavor(Flavor::MultiThread { worker_threads: 2 })
    ///     .explore(|| {});
    /// assert!(outcome.is_ok());
    /// ```
    pub fn flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// Whether a report ends with the failing schedule's event log: one line per step (the
    /// thread, its operation, the object, the location), the blocks, and what reached another
    /// thread (an unlock before a lock, a send before a receive), with runs of identical steps
    /// counted on one line. `LEAKCHECK_TRACE=1` turns it on for every check. Whatever this says,
    /// a report written to `LEAKCHECK_REPORT_DIR` gets the schedule beside it as a Perfetto trace
    /// (`.trace.json`) and a timeline page (`.html`); see `docs/timeline.md`.
    ///
    /// ```
    /// use leakcheck::Config;
    ///
    /// let report = Config::new()
    ///     .trace(true)
    ///     .explore(|| {
    ///         let (tx, rx) = leakcheck::channel::bounded::<()>(0);
    ///         leakcheck::thread::spawn(move || { let _ = rx.recv(); });
    ///         std::mem::forget(tx);
    ///     })
    ///     .unwrap_err();
    /// assert!(report.to_string().contains("schedule ("));
    /// ```
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Writes each failing check's report to `dir` as JSON, with the failing schedule beside it
    /// as a Perfetto trace (`.trace.json`) and a timeline page (`.html`), and each clean check's
    /// summary (`.summary.json`). Unlike the other settings, a directory set here wins over
    /// `LEAKCHECK_REPORT_DIR`: the code asked for its reports in that place (a test of its own
    /// reports, say), so `cargo leakcheck`, which collects reports through the variable, does not
    /// see them.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("leakcheck-doc-{}", std::process::id()));
    /// let _ = leakcheck::Config::new()
    ///     .report_dir(&dir)
    ///     .explore(|| drop(leakcheck::thread::spawn(|| loop { leakcheck::thread::yield_now() })));
    /// let pages = std::fs::read_dir(&dir).unwrap()
    ///     .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "html"))
    ///     .count();
    /// assert_eq!(pages, 1);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn report_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.report_dir = Some(dir.into());
        self
    }

    /// How modelled time passes: when a sleep, a timeout or a timer ends (see [`Time`]).
    /// [`Time::Adversarial`] by default; [`Time::Virtual`] for tests that order their work
    /// with `sleep`. `LEAKCHECK_TIME` overrides it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use leakcheck::{thread, Config, Time};
    ///
    /// Config::new().time(Time::Virtual).schedules(100).check(|| {
    ///     let slow = thread::spawn(|| thread::sleep(Duration::from_secs(1)));
    ///     thread::sleep(Duration::from_secs(2));
    ///     assert!(slow.is_finished(), "the 1 s sleep ended before the 2 s one");
    ///     slow.join().unwrap();
    /// });
    /// ```
    pub fn time(mut self, time: Time) -> Self {
        self.time = time;
        self
    }

    /// Runs exactly the one schedule a report's replay token recorded, instead of exploring.
    pub fn replay(mut self, token: impl Into<String>) -> Self {
        self.replay = Some(token.into());
        self
    }

    /// The test's name, used in the replay line of reports. `#[leakcheck::test]` sets it; without
    /// it the name of the libtest thread running the check is used.
    #[doc(hidden)]
    pub fn test_name(mut self, name: impl Into<String>) -> Self {
        self.test_name = Some(name.into());
        self
    }

    /// The package of the test, used in the replay line. `#[leakcheck::test]` sets it.
    #[doc(hidden)]
    pub fn package(mut self, name: impl Into<String>) -> Self {
        self.package = Some(name.into());
        self
    }

    /// Whether the test is `#[ignore]`d, so that the replay line of its reports runs it
    /// (`-- --exact --include-ignored`): libtest skips an ignored test otherwise, and the replay
    /// would run nothing. `#[leakcheck::test]` sets it when the function has `#[ignore]`.
    #[doc(hidden)]
    pub fn ignored(mut self, ignored: bool) -> Self {
        self.ignored = ignored;
        self
    }

    /// Lays the environment over this configuration.
    /// On how many OS threads one check explores its schedules (at least 1; the default is 1).
    /// `LEAKCHECK_WORKERS=<n>` or `LEAKCHECK_WORKERS=auto` (the machine's available parallelism)
    /// overrides it.
    ///
    /// Schedules are split by their index: worker `w` of `n` runs schedules `w + 1`,
    /// `w + 1 + n`, and so on. The first failure stops the other workers, and the check reports
    /// the failing schedule with the lowest index, so the result, and the report's bytes, are the
    /// same for any number of workers.
    ///
    /// Only [`Scheduler::Random`] explores in parallel: under it, each schedule is a function of
    /// the seed and its index alone. [`Scheduler::Pct`] learns the length of the executions it
    /// has run to place its change points, [`Scheduler::Dfs`] and [`Scheduler::Exhaustive`] walk a
    /// tree of schedules one after another, and a replay is one execution: they run on one worker
    /// whatever this says, with the same results. A body that shares state between executions (a
    /// `static` it changes) sees executions run at the same time on several workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use leakcheck::{Config, Scheduler};
    ///
    /// let summary = Config::new()
    ///     .scheduler(Scheduler::Random)
    ///     .schedules(200)
    ///     .workers(2)
    ///     .explore(|| {
    ///         let h = leakcheck::thread::spawn(|| ());
    ///         h.join().unwrap();
    ///     })
    ///     .unwrap();
    /// assert_eq!(summary.schedules(), 200);
    /// ```
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    pub(crate) fn resolve(&self) -> Result<Settings, ConfigError> {
        self.resolve_with(|name| std::env::var_os(name))
    }

    pub(crate) fn resolve_with(
        &self,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<Settings, ConfigError> {
        let get = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match env(name) {
                None => Ok(None),
                Some(value) => match value.into_string() {
                    Ok(s) if s.trim().is_empty() => Ok(None),
                    Ok(s) => Ok(Some(s)),
                    Err(_) => Err(ConfigError::Env {
                        variable: name,
                        value: "<not UTF-8>".into(),
                        accepted: "UTF-8 text",
                    }),
                },
            }
        };
        let mut settings = Settings {
            schedules: self.schedules,
            scheduler: self.scheduler,
            seed: self.seed,
            max_steps: self.max_steps,
            allow_lingering: self.allow_lingering,
            spurious_wakeups: self.spurious_wakeups,
            time: self.time,
            replay: self.replay.clone(),
            report_dir: self.report_dir.clone(),
            test_name: self.test_name.clone(),
            package: self.package.clone(),
            ignored: self.ignored,
            stall_timeout: self.stall_timeout,
            allow_detached_panics: self.allow_detached_panics,
            trace: self.trace,
            flavor: self.flavor,
            workers: self.workers,
        };
        if let Some(v) = get("LEAKCHECK_WORKERS")? {
            settings.workers = parse_workers(&v).ok_or_else(|| ConfigError::Env {
                variable: "LEAKCHECK_WORKERS",
                value: v.clone(),
                accepted: "a whole number of OS threads, at least 1, or auto (one per core)",
            })?;
        }
        if let Some(v) = get("LEAKCHECK_SCHEDULES")? {
            settings.schedules = match v.trim().replace('_', "").parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(ConfigError::Env {
                        variable: "LEAKCHECK_SCHEDULES",
                        value: v,
                        accepted: "a whole number of schedules, at least 1 (e.g. 1000)",
                    })
                }
            };
        }
        if let Some(v) = get("LEAKCHECK_SEED")? {
            settings.seed = parse_seed(&v).map_err(|_| ConfigError::Env {
                variable: "LEAKCHECK_SEED",
                value: v,
                accepted: ACCEPTED_SEEDS,
            })?;
        }
        if let Some(v) = get("LEAKCHECK_SCHEDULER")? {
            settings.scheduler = v.parse().map_err(|_| ConfigError::Env {
                variable: "LEAKCHECK_SCHEDULER",
                value: v.clone(),
                accepted: ACCEPTED_SCHEDULERS,
            })?;
        }
        if let Some(v) = get("LEAKCHECK_TIME")? {
            settings.time = v.parse().map_err(|_| ConfigError::Env {
                variable: "LEAKCHECK_TIME",
                value: v.clone(),
                accepted: ACCEPTED_TIMES,
            })?;
        }
        if let Some(v) = get("LEAKCHECK_REPLAY")? {
            settings.replay = Some(v);
        }
        if let Some(v) = get("LEAKCHECK_STALL_TIMEOUT")? {
            settings.stall_timeout = parse_seconds(&v).ok_or_else(|| ConfigError::Env {
                variable: "LEAKCHECK_STALL_TIMEOUT",
                value: v.clone(),
                accepted: "a positive number of seconds (e.g. 10 or 2.5)",
            })?;
        }
        if let Some(v) = get("LEAKCHECK_TRACE")? {
            settings.trace = match v.trim() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err(ConfigError::Env {
                    variable: "LEAKCHECK_TRACE",
                    value: v.clone(),
                    accepted:
                        "1 or true (append the failing schedule's event log to reports), 0 or false",
                }),
            };
        }
        if let Some(v) = get("LEAKCHECK_REPORT_DIR")? {
            // A directory the code chose wins (see `Config::report_dir`).
            settings.report_dir.get_or_insert_with(|| PathBuf::from(v));
        }
        if settings.workers == 0 {
            return Err(ConfigError::Invalid {
                setting: "workers",
                problem: "is 0; a check explores on at least one OS thread".into(),
            });
        }
        if settings.schedules == 0 {
            return Err(ConfigError::Invalid {
                setting: "schedules",
                problem: "is 0; a check explores at least one schedule".into(),
            });
        }
        if let Scheduler::Exhaustive { .. } = settings.scheduler {
            settings.max_steps = settings.max_steps.min(MAX_EXHAUSTIVE_STEPS);
        }
        if settings.max_steps == 0 {
            return Err(ConfigError::Invalid {
                setting: "max_steps",
                problem: "is 0; an execution needs at least one step".into(),
            });
        }
        if settings.stall_timeout.is_zero() {
            return Err(ConfigError::Invalid {
                setting: "stall_timeout",
                problem: "is 0; a thread needs some time to reach its next scheduling point".into(),
            });
        }
        if let Flavor::MultiThread { worker_threads: 0 } = settings.flavor {
            return Err(ConfigError::Invalid {
                setting: "flavor",
                problem: "is multi_thread with 0 worker threads; a runtime has at least 1".into(),
            });
        }
        if let Scheduler::Pct { depth: 0 } = settings.scheduler {
            return Err(ConfigError::Invalid {
                setting: "scheduler",
                problem: "is PCT with depth 0; the depth is at least 1".into(),
            });
        }
        Ok(settings)
    }
}

/// A configuration with the environment laid over it: what a check actually runs with.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub schedules: usize,
    pub scheduler: Scheduler,
    pub seed: u64,
    pub max_steps: usize,
    pub allow_lingering: bool,
    pub spurious_wakeups: bool,
    pub time: Time,
    pub replay: Option<String>,
    pub report_dir: Option<PathBuf>,
    pub test_name: Option<String>,
    pub package: Option<String>,
    /// Whether the test is `#[ignore]`d: its replay line must include ignored tests.
    pub ignored: bool,
    pub stall_timeout: Duration,
    pub allow_detached_panics: bool,
    pub trace: bool,
    pub flavor: Flavor,
    /// How many OS threads explore (see [`Config::workers`]).
    pub workers: usize,
}

/// `LEAKCHECK_WORKERS`: a whole number at least 1, or `auto` (the available parallelism).
fn parse_workers(text: &str) -> Option<usize> {
    match text.trim() {
        "auto" => Some(std::thread::available_parallelism().map_or(1, |n| n.get())),
        t => t.replace('_', "").parse::<usize>().ok().filter(|&n| n >= 1),
    }
}

/// A positive, finite number of seconds (`10`, `2.5`, `0.25`).
fn parse_seconds(text: &str) -> Option<Duration> {
    let secs: f64 = text.trim().parse().ok()?;
    (secs.is_finite() && secs > 0.0 && secs < 1e9).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn resolve(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Config::new().resolve_with(|k| map.get(k).cloned())
    }

    #[test]
    fn a_report_dir_set_in_code_wins_over_the_environment() {
        let env = |k: &str| (k == "LEAKCHECK_REPORT_DIR").then(|| OsString::from("/from/env"));
        let s = Config::new().resolve_with(env).unwrap();
        assert_eq!(s.report_dir, Some(PathBuf::from("/from/env")));
        let s = Config::new()
            .report_dir("/from/code")
            .resolve_with(env)
            .unwrap();
        assert_eq!(s.report_dir, Some(PathBuf::from("/from/code")));
    }

    #[test]
    fn environment_overrides_code() {
        let s = resolve(&[
            ("LEAKCHECK_SCHEDULES", "42"),
            ("LEAKCHECK_SEED", "0x10"),
            ("LEAKCHECK_SCHEDULER", "pct:5"),
        ])
        .unwrap();
        assert_eq!(s.schedules, 42);
        assert_eq!(s.seed, 16);
        assert_eq!(s.scheduler, Scheduler::Pct { depth: 5 });
        let s = resolve(&[("LEAKCHECK_STALL_TIMEOUT", "2.5")]).unwrap();
        assert_eq!(s.stall_timeout, Duration::from_millis(2500));
    }

    #[test]
    fn time_model_from_the_environment() {
        assert_eq!(resolve(&[]).unwrap().time, Time::Adversarial);
        let s = resolve(&[("LEAKCHECK_TIME", "virtual")]).unwrap();
        assert_eq!(s.time, Time::Virtual);
        let s = resolve(&[("LEAKCHECK_TIME", " Adversarial ")]).unwrap();
        assert_eq!(s.time, Time::Adversarial);
    }

    #[test]
    fn bad_values_name_the_variable_and_what_is_accepted() {
        for (var, value, needle) in [
            ("LEAKCHECK_SCHEDULES", "many", "whole number"),
            ("LEAKCHECK_SCHEDULES", "0", "at least 1"),
            ("LEAKCHECK_SEED", "-3", "unsigned 64-bit"),
            ("LEAKCHECK_SCHEDULER", "fifo", "`random`, `pct`"),
            ("LEAKCHECK_SCHEDULER", "pct:0", "depth at least 1"),
            (
                "LEAKCHECK_STALL_TIMEOUT",
                "ten",
                "positive number of seconds",
            ),
            ("LEAKCHECK_STALL_TIMEOUT", "0", "positive number of seconds"),
            (
                "LEAKCHECK_STALL_TIMEOUT",
                "-1",
                "positive number of seconds",
            ),
            ("LEAKCHECK_TIME", "paused", "`adversarial` or `virtual`"),
            ("LEAKCHECK_WORKERS", "0", "at least 1, or auto"),
            ("LEAKCHECK_WORKERS", "many", "at least 1, or auto"),
        ] {
            let err = resolve(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(var), "{err}");
            assert!(err.contains(value), "{err}");
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn workers_come_from_the_environment_or_the_machine() {
        assert_eq!(resolve(&[]).unwrap().workers, 1);
        assert_eq!(resolve(&[("LEAKCHECK_WORKERS", "3")]).unwrap().workers, 3);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(
            resolve(&[("LEAKCHECK_WORKERS", "auto")]).unwrap().workers,
            cores
        );
        let err = Config::new().workers(0).resolve_with(|_| None).unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
    }
}
