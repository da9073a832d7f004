//! Live mode: the body runs on real OS threads, unmodified, and the threads it leaves behind
//! are found from the operating system, as Go's goleak does.
//!
//! The deterministic checks see only code written against leakcheck's facade. Live mode sees
//! every thread of the process: a dependency's pool, a logging thread, a client's background
//! reader. It lists the process's threads before the body and after it, gives the new ones a
//! grace period to finish (polled with backoff, so a thread that is merely exiting is no leak),
//! and reports each survivor as a [`LeakedThread`](crate::FindingKind::LeakedThread) with its
//! OS name, id and what it is doing (blocked in the kernel, sleeping, running).
//!
//! ```
//! use std::sync::mpsc;
//! use std::time::Duration;
//!
//! // Joined: clean.
//! leakcheck::live::check(|| {
//!     std::thread::spawn(|| ()).join().unwrap();
//! });
//!
//! // A worker blocked on a channel whose sender the body keeps: leaked.
//! let report = leakcheck::live::Config::new()
//!     .grace(Duration::from_millis(100))
//!     .explore(|| {
//!         let (tx, rx) = mpsc::channel::<()>();
//!         std::thread::Builder::new()
//!             .name("doc-worker".into())
//!             .spawn(move || { let _ = rx.recv(); })
//!             .unwrap();
//!         std::mem::forget(tx);
//!     })
//!     .unwrap_err();
//! assert_eq!(report.findings()[0].kind(), leakcheck::FindingKind::LeakedThread);
//! assert_eq!(report.findings()[0].thread().unwrap().name.as_deref(), Some("doc-worker"));
//! ```
//!
//! A tokio body runs on a real current-thread runtime with `check_tokio` (cargo feature
//! `tokio`): the tasks tokio still counts alive after the grace period are a
//! [`LeakedTask`](crate::FindingKind::LeakedTask), and a `spawn_blocking` closure that never
//! ends is a leaked thread of the runtime's blocking pool.
//!
//! Attribution is exact when the process runs one test (nextest, or `cargo test` with
//! `--test-threads=1`); under `cargo test` with parallel tests, a new thread may belong to
//! another test that runs at the same time, and the report says so.

mod os;
#[cfg(feature = "tokio")]
mod tokio_rt;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::error::ConfigError;
use crate::report::{
    Detail, Finding, LeakState, LiveRun, OsActivity, OsThread, Report, ReportData, Role,
    ThreadInfo, FORMAT,
};

use self::os::{OsState, OsThread as Listed};
#[cfg(feature = "tokio")]
pub use self::tokio_rt::{check_tokio, TOKIO_BLOCKING_THREAD};

/// How long survivors may take to exit unless told otherwise.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(1);

/// The name prefix of leakcheck's own threads, which live mode never reports.
pub const OWN_THREAD_PREFIX: &str = "leakcheck-";

/// The longest pause between two looks at the survivors.
const MAX_POLL: Duration = Duration::from_millis(50);

/// How a live check runs: how long survivors may take to exit, how many times to run the body,
/// and which threads are never a leak. [`explore`](Config::explore) and
/// [`check`](Config::check) run a body on real threads; with the cargo feature `tokio`,
/// `explore_tokio` and `check_tokio` run an async body on a real tokio runtime.
///
/// ```
/// use std::time::Duration;
///
/// let summary = leakcheck::live::Config::new()
///     .grace(Duration::from_millis(200))
///     .runs(3)
///     .ignore_thread("tokio-runtime-w")
///     .explore(|| {
///         std::thread::spawn(|| ()).join().unwrap();
///     })
///     .unwrap();
/// assert_eq!(summary.runs(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    grace: Duration,
    runs: usize,
    ignore: Vec<String>,
    test_name: Option<String>,
    package: Option<String>,
    from_env: bool,
    ignored: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    /// The defaults: a grace period of [`DEFAULT_GRACE`], one run, nothing ignored.
    pub fn new() -> Self {
        Config {
            grace: DEFAULT_GRACE,
            runs: 1,
            ignore: Vec::new(),
            test_name: None,
            package: None,
            from_env: false,
            ignored: false,
        }
    }

    /// How long threads the body started may take to exit after it returned; they are looked
    /// at again and again, more rarely as time passes, until none is left or the time is up.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Runs the body this many times (at least 1), stopping at the first run that leaks: a leak
    /// that depends on timing shows in some runs only.
    pub fn runs(mut self, runs: usize) -> Self {
        self.runs = runs;
        self
    }

    /// Never reports a thread whose OS name starts with `prefix` (goleak's `IgnoreTopFunction`
    /// in spirit): a runtime's workers, a global pool the process keeps on purpose. On Linux the
    /// OS keeps at most 15 bytes of a name, so give a prefix of at most that.
    pub fn ignore_thread(mut self, prefix: impl Into<String>) -> Self {
        self.ignore.push(prefix.into());
        self
    }

    /// The test's name and package, for the report (the attribute passes them).
    #[doc(hidden)]
    pub fn __test(mut self, name: &str, package: &str) -> Self {
        self.test_name = Some(name.to_string());
        self.package = Some(package.to_string());
        self
    }

    /// The test is `#[ignore]`d: its rerun command must include it.
    #[doc(hidden)]
    pub fn __ignored(mut self) -> Self {
        self.ignored = true;
        self
    }

    /// The test runs live because `LEAKCHECK_MODE=live` says so: its rerun command says it too.
    #[doc(hidden)]
    pub fn __from_env(mut self) -> Self {
        self.from_env = true;
        self
    }

    /// Runs the body and panics with the report if it leaked a thread.
    ///
    /// # Panics
    /// With the report; or with a usage error if a setting is invalid or this platform cannot
    /// list threads.
    #[track_caller]
    pub fn check<F: Fn()>(&self, f: F) {
        if let Err(report) = self.explore(f) {
            panic!("{report}");
        }
    }

    /// Runs the body [`runs`](Config::runs) times; returns the report of the first run that
    /// left a thread alive past the grace period.
    ///
    /// A panic of the body propagates as it is (the test fails with it), without a leak check.
    ///
    /// # Errors
    /// The report of the first run that leaked.
    ///
    /// # Panics
    /// With a usage error if a setting is invalid or this platform cannot list threads.
    #[track_caller]
    pub fn explore<F: Fn()>(&self, f: F) -> Result<Summary, Report> {
        match self.run(f) {
            Ok(outcome) => outcome,
            Err(error) => panic!("{error}"),
        }
    }

    fn run<F: Fn()>(&self, f: F) -> Result<Result<Summary, Report>, ConfigError> {
        let (me, runner) = self.start()?;
        for run in 1..=self.runs {
            let before = Before::take(me)?;
            f();
            let survivors = self.survivors(me, &before, Instant::now())?;
            if !survivors.is_empty() {
                let findings = self.thread_findings(&runner, &survivors, &before, 1, None);
                return self.leaked(run, &runner, findings).map(Err);
            }
        }
        Ok(Ok(self.summary()))
    }

    /// Checks the settings and the platform before the first run: the calling thread's id, and
    /// what runs the tests.
    fn start(&self) -> Result<(u64, Runner), ConfigError> {
        if self.runs == 0 {
            return Err(ConfigError::Invalid {
                setting: "runs",
                problem: "must be at least 1".into(),
            });
        }
        Ok((os::current().map_err(os_error)?, Runner::detect()))
    }

    /// The threads the body started (not `me`, not listed in `before`, not ignored) that are
    /// still alive: looked at again and again, more rarely as time passes, until none is left
    /// or the grace period counted from `since` has passed.
    fn survivors(
        &self,
        me: u64,
        before: &Before,
        since: Instant,
    ) -> Result<Vec<Listed>, ConfigError> {
        let mut pause = Duration::from_micros(100);
        loop {
            let survivors: Vec<Listed> = os::snapshot()
                .map_err(os_error)?
                .into_iter()
                .filter(|t| {
                    t.id != me
                        && !before.threads.contains(&(t.id, t.started))
                        && !self.ignored(t)
                        && !matches!(&t.state, OsState::Other(s) if s == "exiting")
                })
                .collect();
            let waited = since.elapsed();
            if survivors.is_empty() || waited >= self.grace {
                return Ok(survivors);
            }
            std::thread::sleep(pause.min(self.grace - waited));
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// The report of a run that leaked, written to `LEAKCHECK_REPORT_DIR` when it is set.
    fn leaked(
        &self,
        run: usize,
        runner: &Runner,
        findings: Vec<Finding>,
    ) -> Result<Report, ConfigError> {
        let report = self.report(run, runner, findings);
        if let Some(dir) = std::env::var_os("LEAKCHECK_REPORT_DIR") {
            crate::explore::write_report(std::path::Path::new(&dir), &report, None)?;
        }
        Ok(report)
    }

    fn summary(&self) -> Summary {
        Summary {
            runs: self.runs,
            grace: self.grace,
        }
    }

    fn grace_ms(&self) -> u64 {
        u64::try_from(self.grace.as_millis()).unwrap_or(u64::MAX)
    }

    fn ignored(&self, t: &Listed) -> bool {
        let name = t.name.as_deref().unwrap_or("");
        name.starts_with(OWN_THREAD_PREFIX)
            || self.ignore.iter().any(|p| name.starts_with(p.as_str()))
    }

    /// One `LeakedThread` finding per survivor, numbered from `first`. A survivor named
    /// `blocking` is a thread of a runtime's blocking pool, reported as a blocking task.
    fn thread_findings(
        &self,
        runner: &Runner,
        survivors: &[Listed],
        before: &Before,
        first: usize,
        blocking: Option<&str>,
    ) -> Vec<Finding> {
        let my_name = before.my_name.as_deref();
        survivors
            .iter()
            .enumerate()
            .map(|(i, t)| {
                // An unnamed thread inherits its creator's OS name: one named like this test's
                // thread was started from it.
                let inherited = my_name.is_some() && t.name.as_deref() == my_name;
                let pooled = blocking.is_some() && t.name.as_deref() == blocking;
                Finding::new(Detail::LeakedThread {
                    thread: ThreadInfo {
                        id: first + i,
                        name: t.name.clone(),
                        spawned_at: None,
                        spawn_stack: Vec::new(),
                        finished: false,
                        role: if pooled {
                            Role::BlockingTask
                        } else {
                            Role::Thread
                        },
                    },
                    state: LeakState::StillAlive(OsThread {
                        os_id: t.id,
                        activity: activity(&t.state),
                        grace_ms: self.grace_ms(),
                        // Even a pool thread may be another test's: every `check_tokio` names its
                        // pool's threads alike.
                        maybe_other_test: runner.concurrent && !inherited,
                    }),
                })
            })
            .collect()
    }

    fn report(&self, run: usize, runner: &Runner, findings: Vec<Finding>) -> Report {
        let test = self.test_name.clone().or_else(|| {
            std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(String::from)
        });
        let package = self
            .package
            .clone()
            .or_else(|| std::env::var("CARGO_PKG_NAME").ok());
        let rerun = match &test {
            Some(test) => {
                let mut cmd = String::new();
                if self.from_env {
                    cmd.push_str("LEAKCHECK_MODE=live ");
                }
                cmd.push_str("cargo test");
                if let Some(p) = &package {
                    cmd.push_str(&format!(" -p {p}"));
                }
                cmd.push_str(&format!(" {test} -- --exact"));
                if self.ignored {
                    cmd.push_str(" --include-ignored");
                }
                cmd
            }
            None => "run this check again".to_string(),
        };
        Report::new(ReportData {
            format: FORMAT,
            test,
            package,
            findings,
            schedule: run,
            schedules: self.runs,
            seed: 0,
            scheduler: crate::Scheduler::Random,
            replayed: false,
            replay_token: String::new(),
            replay_command: rerun,
            notes: vec![
                "live mode runs real threads: there is no schedule to replay; a run may leak or not depending on timing".into(),
            ],
            live: Some(LiveRun {
                run,
                runs: self.runs,
                runner: runner.name.clone(),
            }),
            schedule_log: None,
        })
    }
}

fn os_error(e: os::OsError) -> ConfigError {
    ConfigError::Invalid {
        setting: "live",
        problem: format!("cannot be used here: {e}"),
    }
}

/// What the OS listed before a run's body: its threads (by id and start time, so that a later
/// thread that reuses an id is still new), and the calling thread's OS name.
struct Before {
    threads: HashSet<(u64, Option<u64>)>,
    my_name: Option<String>,
}

impl Before {
    fn take(me: u64) -> Result<Before, ConfigError> {
        let listed = os::snapshot().map_err(os_error)?;
        let my_name = listed
            .iter()
            .find(|t| t.id == me)
            .and_then(|t| t.name.clone());
        Ok(Before {
            threads: listed.iter().map(|t| (t.id, t.started)).collect(),
            my_name,
        })
    }
}

fn activity(state: &OsState) -> OsActivity {
    match state {
        OsState::Blocked(w) => OsActivity::Blocked {
            wait_point: w.clone(),
        },
        OsState::Sleeping(w) => OsActivity::Sleeping {
            wait_point: w.clone(),
        },
        OsState::Running => OsActivity::Running,
        OsState::Other(s) => OsActivity::Other { state: s.clone() },
    }
}

/// What runs the tests of this process, which decides whether a new thread surely belongs to
/// the test that is checked.
struct Runner {
    name: String,
    /// Whether other tests may run in this process at the same time.
    concurrent: bool,
}

impl Runner {
    fn detect() -> Runner {
        if std::env::var_os("NEXTEST").is_some() {
            return Runner {
                name: "nextest, one test per process".into(),
                concurrent: false,
            };
        }
        let threads = test_threads();
        match threads {
            Some(1) => Runner {
                name: "cargo test, one test thread".into(),
                concurrent: false,
            },
            Some(n) => Runner {
                name: format!("cargo test, {n} test threads"),
                concurrent: true,
            },
            None => Runner {
                name: "one check at a time".into(),
                concurrent: false,
            },
        }
    }
}

/// How many tests libtest runs at once in this process: `--test-threads`, then
/// `RUST_TEST_THREADS`, then the machine's parallelism; `None` outside libtest (a program's
/// own `main`).
fn test_threads() -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    for (i, arg) in args.iter().enumerate() {
        if let Some(n) = arg.strip_prefix("--test-threads=") {
            return n.parse().ok();
        }
        if arg == "--test-threads" {
            return args.get(i + 1).and_then(|n| n.parse().ok());
        }
    }
    if let Some(n) = std::env::var("RUST_TEST_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return Some(n);
    }
    // libtest runs each test on a thread named after it; a program's own thread is `main`.
    let in_libtest = std::thread::current().name().is_some_and(|n| n != "main");
    in_libtest.then(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// A clean live check: how many runs left no thread behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    runs: usize,
    grace: Duration,
}

impl Summary {
    /// How many times the body ran.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// The grace period each run gave its threads.
    pub fn grace(&self) -> Duration {
        self.grace
    }
}

/// Runs `f` once on real threads and panics with the report if it left a thread alive past the
/// grace period (see [`Config`]).
///
/// ```
/// leakcheck::live::check(|| {
///     let worker = std::thread::spawn(|| 2 + 2);
///     assert_eq!(worker.join().unwrap(), 4);
/// });
/// ```
///
/// # Panics
/// With the report, if a thread leaked.
#[track_caller]
pub fn check<F: Fn()>(f: F) {
    Config::new().check(f)
}
