//! What `#[leakcheck::test]` expands to. Not a public API: names here may change at any time.

use std::fmt::Debug;

use crate::{Config, FindingKind};

/// What a test body may return: `()` or `Result<(), E>` with `E: Debug`, as libtest accepts.
#[diagnostic::on_unimplemented(
    message = "`#[leakcheck::test]` functions return `()` or `Result<(), E>` with `E: Debug`, not `{Self}`"
)]
pub trait TestResult {
    /// `Err` with the error's text if the body failed.
    fn into_outcome(self) -> Result<(), String>;
}

impl TestResult for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> TestResult for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// The outcome of a test body: a panic if it returned an error.
fn outcome<R: TestResult>(r: R) {
    if let Err(e) = r.into_outcome() {
        panic!("the test body returned an error: {e}");
    }
}

/// Runs a `#[leakcheck::test]`: a plain check, or, with `expect`, a check that must find every
/// expected kind; deterministic, or live when the attribute says `live` or `LEAKCHECK_MODE=live`.
/// With [`LIST_ENV`] set, writes the registry instead and runs nothing.
#[track_caller]
pub fn run_test<R: TestResult + 'static>(
    config: Config,
    live: crate::live::Config,
    live_flag: bool,
    expect: &[FindingKind],
    body: fn() -> R,
) {
    let f = move || outcome(body());
    run(config, live, live_flag, expect, f, move |live| {
        live.explore(f)
    });
}

/// Runs a `#[leakcheck::test] async fn`: as [`run_test`], with the body the root future of
/// `block_on` on the modelled runtime; live, on a real current-thread tokio runtime
/// (`live::Config::explore_tokio`), whose tasks left alive are reported too.
#[cfg(feature = "tokio")]
#[track_caller]
pub fn run_async_test<R, Fut>(
    config: Config,
    live: crate::live::Config,
    live_flag: bool,
    expect: &[FindingKind],
    body: fn() -> Fut,
) where
    R: TestResult + 'static,
    Fut: std::future::Future<Output = R> + 'static,
{
    let f = move || outcome(crate::block_on(body()));
    let g = move || async move { outcome(body().await) };
    run(config, live, live_flag, expect, f, move |live| {
        live.explore_tokio(g)
    });
}

/// Without the `tokio` feature, an `async fn` test does not compile, with this message.
#[cfg(not(feature = "tokio"))]
#[diagnostic::on_unimplemented(
    message = "`#[leakcheck::test] async fn` needs leakcheck's `tokio` feature",
    label = "an async test runs on leakcheck's modelled tokio runtime",
    note = "enable it: leakcheck = { path = \"...\", features = [\"tokio\"] }"
)]
pub trait TokioFeature {}

/// An `async fn` test without the `tokio` feature: a compile error (see [`TokioFeature`]).
#[cfg(not(feature = "tokio"))]
pub fn run_async_test<R, Fut>(
    _config: Config,
    _live: crate::live::Config,
    _live_flag: bool,
    _expect: &[FindingKind],
    _body: fn() -> Fut,
) where
    Fut: std::future::Future<Output = R> + TokioFeature,
{
    unreachable!("TokioFeature has no implementation")
}

#[track_caller]
fn run(
    config: Config,
    live: crate::live::Config,
    live_flag: bool,
    expect: &[FindingKind],
    f: impl Fn() + Send + Sync + Copy + 'static,
    explore_live: impl FnOnce(crate::live::Config) -> Result<crate::live::Summary, crate::Report>,
) {
    if list_instead() {
        return;
    }
    // `LEAKCHECK_MODE=live` runs live the tests that live mode can answer: those that expect
    // nothing, or only leaked threads (or tasks). A test that expects a deadlock stays
    // deterministic: run on real threads, it would hang.
    let live_answers = expect
        .iter()
        .all(|k| matches!(k, FindingKind::LeakedThread | FindingKind::LeakedTask));
    let live = match mode() {
        Err(error) => panic!("{error}"),
        Ok(_) if live_flag => Some(live),
        Ok(Mode::Live) if live_answers => Some(live.__from_env()),
        Ok(_) => None,
    };
    let names = expect
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let report = match live {
        Some(live) => match explore_live(live) {
            Ok(_) if expect.is_empty() => return,
            Err(report) if expect.is_empty() => panic!("{report}"),
            Ok(summary) => panic!(
                "leakcheck: expected {names}, but none of the {} live runs leaked a thread",
                summary.runs()
            ),
            Err(report) => report,
        },
        None if expect.is_empty() => return config.check(f),
        None => match config.explore(f) {
            Ok(summary) => panic!(
                "leakcheck: expected {names}, but none of the {} schedules explored had a finding ({}, seed {:#x})",
                summary.schedules(),
                summary.scheduler(),
                summary.seed()
            ),
            Err(report) => report,
        },
    };
    let missing: Vec<String> = expect
        .iter()
        .filter(|k| !report.has(**k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        panic!(
            "leakcheck: expected {names}, but the failing {} has no {}\n\n{report}",
            if report.data().live.is_some() {
                "run"
            } else {
                "schedule"
            },
            missing.join(", ")
        );
    }
    println!("{report}");
}

/// How `#[leakcheck::test]`s run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Under the deterministic scheduler (the default).
    Deterministic,
    /// On real threads, in live mode.
    Live,
}

/// The variable that runs every `#[leakcheck::test]` live: `LEAKCHECK_MODE=live`.
pub const MODE_ENV: &str = "LEAKCHECK_MODE";

fn mode() -> Result<Mode, crate::ConfigError> {
    match std::env::var(MODE_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(Mode::Deterministic),
        Ok(v) if v.trim() == "deterministic" || v.trim().is_empty() => Ok(Mode::Deterministic),
        Ok(v) if v.trim() == "live" => Ok(Mode::Live),
        Ok(v) => Err(crate::ConfigError::Env {
            variable: MODE_ENV,
            value: v,
            accepted: "`live` (run every #[leakcheck::test] on real threads) or `deterministic` (the default)",
        }),
        Err(std::env::VarError::NotUnicode(v)) => Err(crate::ConfigError::Env {
            variable: MODE_ENV,
            value: v.to_string_lossy().into_owned(),
            accepted: "`live` or `deterministic`",
        }),
    }
}

/// The registry of `#[leakcheck::test]`s: `inventory`, re-exported so that the expansion can
/// name it as `::leakcheck::__private::inventory` without the user depending on it.
pub use inventory;

/// The environment variable that turns a `#[leakcheck::test]` into a listing: when it names a
/// file, the test writes the registry of its test binary to that file as JSON (see
/// [`registry_json`]) and returns without running anything. `cargo leakcheck` sets it.
pub const LIST_ENV: &str = "LEAKCHECK_LIST";

/// The bytes that start [`TestEntry::marker`]: `cargo leakcheck` finds the registered tests of a
/// test binary by these, to select one of them for the listing.
pub const MARKER_START: &str = "\u{1}leakcheck-test\u{2}";

/// One `#[leakcheck::test]`, as the attribute registers it with [`inventory`].
#[derive(Debug)]
pub struct TestEntry {
    /// [`MARKER_START`], the test's module path, `::`, its function name, and `\u{3}`.
    pub marker: &'static str,
    /// `module_path!()` where the test is defined, starting with the crate name.
    pub module_path: &'static str,
    /// The function's name.
    pub function: &'static str,
    /// `file!()` of the test.
    pub file: &'static str,
    /// The line of the function's name.
    pub line: u32,
    /// The package the test belongs to (`CARGO_PKG_NAME`).
    pub package: &'static str,
    /// The attribute's arguments as written, except `expect`: name and value (flags as `true`
    /// or `false`, strings without quotes).
    pub given: &'static [(&'static str, &'static str)],
    /// The kinds the test expects (`expect = ...`).
    pub expect: &'static [FindingKind],
    /// Whether the function also has `#[ignore]`.
    pub ignored: bool,
    /// Whether the function also has `#[should_panic]`.
    pub should_panic: bool,
    /// The configuration the attribute builds, before the environment is laid over it.
    pub config: fn() -> Config,
}

inventory::collect!(TestEntry);

impl TestEntry {
    /// The test's name as libtest gives it: the module path without the crate's name, then the
    /// function (`tests::leaks`, or `leaks` at the crate root).
    pub fn name(&self) -> String {
        match self.module_path.split_once("::") {
            Some((_, module)) => format!("{module}::{}", self.function),
            None => self.function.to_string(),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let config = (self.config)();
        let effective = match config.resolve() {
            Ok(s) => serde_json::json!({
                "schedules": s.schedules,
                "scheduler": s.scheduler.to_string(),
                "seed": s.seed,
                "max_steps": s.max_steps,
                "allow_lingering": s.allow_lingering,
                "spurious_wakeups": s.spurious_wakeups,
                "replay": s.replay,
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        let given: serde_json::Map<String, serde_json::Value> = self
            .given
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect();
        serde_json::json!({
            "name": self.name(),
            "module_path": self.module_path,
            "function": self.function,
            "package": self.package,
            "file": self.file,
            "line": self.line,
            "given": given,
            "expect": self.expect.iter().map(|k| k.name()).collect::<Vec<_>>(),
            "ignored": self.ignored,
            "should_panic": self.should_panic,
            "effective": effective,
        })
    }
}

/// The registry of this test binary as JSON: `{"registry_version": 1, "leakcheck": "<version>",
/// "tests": [...]}`, the tests sorted by name, each with its name, module path, function,
/// package, file, line, the arguments as given, the expected kinds, `ignored`, `should_panic`
/// and the `effective` settings (the environment laid over the configuration, or an `error`).
pub fn registry_json() -> String {
    let mut entries: Vec<&TestEntry> = inventory::iter::<TestEntry>.into_iter().collect();
    entries.sort_by_key(|e| (e.name(), e.file, e.line));
    let tests: Vec<serde_json::Value> = entries.iter().map(|e| e.to_json()).collect();
    let registry = serde_json::json!({
        "registry_version": 1,
        "leakcheck": env!("CARGO_PKG_VERSION"),
        "tests": tests,
    });
    serde_json::to_string_pretty(&registry).expect("the registry always serializes")
}

/// If [`LIST_ENV`] is set, writes the registry there and says so.
fn list_instead() -> bool {
    let Some(path) = std::env::var_os(LIST_ENV).filter(|p| !p.is_empty()) else {
        return false;
    };
    if let Err(e) = std::fs::write(&path, registry_json()) {
        panic!(
            "leakcheck: cannot write the test registry to {} ({LIST_ENV}): {e}",
            std::path::Path::new(&path).display()
        );
    }
    true
}

/// Which of `branches` a `select!` polls first: inside a check a recorded choice (explored by
/// the scheduler and replayed by the token), outside one a thread-local random number, as
/// tokio's `thread_rng_n`. Always 0 for 0 or 1 branches (no choice is recorded then).
pub fn __async_start(branches: u32) -> u32 {
    if branches <= 1 {
        return 0;
    }
    if let Some(exec) = crate::runtime::current()
        && !exec.closed()
    {
        return exec.choose(branches as usize) as u32;
    }
    fast_rand_n(branches)
}

/// The branch a `select!` polls first this time: 0 if it is `biased` or at most one branch is
/// still enabled (nothing to choose), else [`__async_start`].
#[inline]
pub fn __select_start(biased: bool, branches: u32, disabled: u64) -> u32 {
    if biased || branches.saturating_sub(disabled.count_ones()) <= 1 {
        0
    } else {
        __async_start(branches)
    }
}

/// A thread-local xorshift generator seeded from the process's hash keys: tokio's `FastRand`.
fn fast_rand_n(n: u32) -> u32 {
    use std::cell::Cell;
    use std::hash::{BuildHasher, Hasher};
    thread_local! {
        static STATE: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
    }
    STATE.with(|state| {
        let (mut one, mut two) = state.get();
        if one == 0 && two == 0 {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(0x5eed);
            let seed = hasher.finish();
            one = (seed >> 32) as u32 | 1;
            two = seed as u32 | 1;
        }
        // xorshift+ on two words, as tokio's `FastRand::fastrand`.
        let mut s1 = one;
        let s0 = two;
        s1 ^= s1 << 17;
        s1 = s1 ^ s0 ^ (s1 >> 7) ^ (s0 >> 16);
        state.set((s0, s1));
        let random = s0.wrapping_add(s1);
        // Lemire's multiply-shift reduction, as tokio's `fastrand_n`.
        ((u64::from(random) * u64::from(n)) >> 32) as u32
    })
}

/// What `select!`, `join!` and `try_join!` expand to (`src/tokio_macros.rs`).
#[cfg(feature = "tokio")]
pub use crate::tokio_macros::support as tokio_macros;
