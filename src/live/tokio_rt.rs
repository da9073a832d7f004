//! [`check_tokio`]: a tokio body on a real current-thread runtime, and what it leaves alive.
//!
//! The runtime is built for each run (time enabled, its blocking pool's threads named
//! [`TOKIO_BLOCKING_THREAD`]) and the body's future is run on it with `block_on`. When the future
//! returns, the check keeps driving the runtime, looking at tokio's count of live tasks
//! (`RuntimeMetrics::num_alive_tasks`) with backoff until it is 0 or the grace period has
//! passed: a task that is merely finishing is no leak. Then the runtime is shut down
//! (`shutdown_background`: the tasks still alive are dropped, the blocking pool is told to stop),
//! and the process's threads are looked at as [`Config::explore`] does, the grace period
//! counted from the shutdown: a blocking-pool thread still running a `spawn_blocking` closure
//! is a leak, like any thread the body started.

use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use ::tokio::runtime::{Builder, Handle, Runtime, RuntimeMetrics};

use super::{Before, Config, Summary, MAX_POLL};
use crate::error::ConfigError;
use crate::report::{Detail, Finding, Report, Role, TaskLeak, ThreadInfo};

/// The OS name of the threads of the runtime [`check_tokio`] builds: its blocking pool, where
/// `spawn_blocking` closures run. A leaked one is reported under this name, as a blocking task.
/// (14 bytes: Linux keeps it whole. A runtime the body builds itself names its threads as
/// tokio does, `tokio-runtime-worker`, which Linux cuts to `tokio-runtime-w`.)
pub const TOKIO_BLOCKING_THREAD: &str = "tokio-blocking";

impl Config {
    /// Runs the async body on a tokio runtime and panics with the report if it left a task or
    /// a thread alive past the grace period (see [`check_tokio`]).
    ///
    /// # Panics
    /// With the report; or with a usage error if a setting is invalid, this platform cannot
    /// list threads, or it is called inside a tokio runtime.
    #[track_caller]
    pub fn check_tokio<F, Fut>(&self, f: F)
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ()>,
    {
        if let Err(report) = self.explore_tokio(f) {
            panic!("{report}");
        }
    }

    /// Runs the async body [`runs`](Config::runs) times, each time on a new current-thread
    /// tokio runtime (see [`check_tokio`]); returns the report of the first run that left a
    /// task alive in the runtime, or a thread alive in the process, past the grace period.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // A task waits for a message that never comes: its sender is kept.
    /// let report = leakcheck::live::Config::new()
    ///     .grace(Duration::from_millis(100))
    ///     .explore_tokio(|| async {
    ///         let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    ///         tokio::spawn(async move {
    ///             let _ = rx.await;
    ///         });
    ///         std::mem::forget(tx);
    ///     })
    ///     .unwrap_err();
    /// assert_eq!(report.findings()[0].kind(), leakcheck::FindingKind::LeakedTask);
    /// assert!(matches!(
    ///     report.findings()[0].detail(),
    ///     leakcheck::Detail::LeakedTask {
    ///         state: leakcheck::TaskLeak::AliveInRuntime { alive: 1, .. },
    ///         ..
    ///     }
    /// ));
    /// ```
    ///
    /// A panic of the body propagates as it is (the runtime is shut down first, without
    /// waiting for its blocking pool).
    ///
    /// # Errors
    /// The report of the first run that leaked.
    ///
    /// # Panics
    /// With a usage error if a setting is invalid, this platform cannot list threads, or it is
    /// called inside a tokio runtime (it builds its own).
    #[track_caller]
    pub fn explore_tokio<F, Fut>(&self, f: F) -> Result<Summary, Report>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ()>,
    {
        match self.run_tokio(f) {
            Ok(outcome) => outcome,
            Err(error) => panic!("{error}"),
        }
    }

    fn run_tokio<F, Fut>(&self, f: F) -> Result<Result<Summary, Report>, ConfigError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = ()>,
    {
        if Handle::try_current().is_ok() {
            return Err(ConfigError::Invalid {
                setting: "live",
                problem: "cannot run check_tokio inside a tokio runtime (a #[tokio::test], or a future on a runtime): it builds a runtime of its own; call it from a plain #[test] or a synchronous function".into(),
            });
        }
        let (me, runner) = self.start()?;
        for run in 1..=self.runs {
            let before = Before::take(me)?;
            let rt = runtime()?;
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| rt.block_on(f()))) {
                rt.shutdown_background();
                resume_unwind(panic);
            }
            let alive = rt.block_on(settle(rt.metrics(), Instant::now(), self.grace));
            // Dropping the runtime would wait for its blocking pool forever, and
            // `shutdown_timeout` would wait for it before it drops the tasks (a current-thread
            // runtime drops them last), though a task may hold what a blocking closure waits
            // for. So: drop the tasks and tell the pool to stop, without waiting; the pool's
            // threads then get the grace period, counted from here, to exit.
            let shutdown = Instant::now();
            rt.shutdown_background();
            let survivors = self.survivors(me, &before, shutdown)?;
            if alive == 0 && survivors.is_empty() {
                continue;
            }
            let mut findings = Vec::new();
            if alive > 0 {
                findings.push(Finding::new(Detail::LeakedTask {
                    task: ThreadInfo {
                        id: 1,
                        name: None,
                        spawned_at: None,
                        spawn_stack: Vec::new(),
                        finished: false,
                        role: Role::Task,
                    },
                    state: TaskLeak::AliveInRuntime {
                        alive,
                        grace_ms: self.grace_ms(),
                    },
                    // Nothing can await a task of a runtime that is gone.
                    detached: true,
                }));
            }
            findings.extend(self.thread_findings(
                &runner,
                &survivors,
                &before,
                findings.len() + 1,
                Some(TOKIO_BLOCKING_THREAD),
            ));
            return self.leaked(run, &runner, findings).map(Err);
        }
        Ok(Ok(self.summary()))
    }
}

/// A current-thread runtime with time, whose blocking pool's threads are named
/// [`TOKIO_BLOCKING_THREAD`].
fn runtime() -> Result<Runtime, ConfigError> {
    Builder::new_current_thread()
        .enable_time()
        .thread_name(TOKIO_BLOCKING_THREAD)
        .build()
        .map_err(|e| ConfigError::Invalid {
            setting: "live",
            problem: format!("cannot be used here: cannot build a tokio runtime: {e}"),
        })
}

/// Drives the runtime (run inside its `block_on`) until no task is alive in it or `grace` has
/// passed since `returned`; gives how many tasks are alive then. Each look first lets every
/// ready task run; between looks it sleeps, 1 ms doubling to [`MAX_POLL`].
async fn settle(metrics: RuntimeMetrics, returned: Instant, grace: Duration) -> usize {
    let mut pause = Duration::from_millis(1);
    loop {
        ::tokio::task::yield_now().await;
        let alive = metrics.num_alive_tasks();
        let waited = returned.elapsed();
        if alive == 0 || waited >= grace {
            return alive;
        }
        ::tokio::time::sleep(pause.min(grace - waited)).await;
        pause = (pause * 2).min(MAX_POLL);
    }
}

/// Runs the async body once on a new current-thread tokio runtime (time enabled) and panics
/// with the report if, once the grace period has passed, a task is still alive in the runtime
/// or a thread the body started is still alive in the process (a `spawn_blocking` closure that
/// never ends shows as a blocking-pool thread named [`TOKIO_BLOCKING_THREAD`]).
///
/// After the body's future returns, the runtime keeps running until tokio counts no live task
/// (looked at with backoff, as [`check`](super::check) looks at threads), so tasks that finish
/// soon after the body are no leak. What tokio can tell on a stable build is how many tasks are
/// alive, not which: the report gives one `LeakedTask` finding with the count
/// ([`TaskLeak::AliveInRuntime`]), no name and no spawn location. For that, run the test in the
/// deterministic mode.
///
/// ```
/// leakcheck::live::check_tokio(|| async {
///     let worker = tokio::spawn(async { 2 + 2 });
///     assert_eq!(worker.await.unwrap(), 4);
///     // Detached, but done within the grace period: no leak.
///     tokio::spawn(tokio::time::sleep(std::time::Duration::from_millis(10)));
/// });
/// ```
///
/// A task that never yields (a loop with no `.await` that waits) keeps the runtime's only
/// thread, so the check cannot end; tokio cannot preempt it.
///
/// # Panics
/// With the report, if a task or a thread leaked; with a usage error if it is called inside a
/// tokio runtime (it builds its own).
#[track_caller]
pub fn check_tokio<F, Fut>(f: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    Config::new().check_tokio(f)
}
