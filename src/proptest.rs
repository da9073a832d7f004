//! Property tests that explore inputs and schedules together (feature `proptest`).
//!
//! A strategy generates inputs; each input's body is checked under leakcheck, over all the
//! schedules the configuration asks for. A finding fails the case, and proptest shrinks the
//! input. Each input's exploration is deterministic (the seed is fixed), so shrinking sees a
//! stable verdict for every candidate, and the minimal input comes with its report and a
//! replay token that reproduces the failing schedule for that input. The inputs, too, come
//! from the check's seed (`Config::seed`, `LEAKCHECK_SEED`): the same seed gives the same
//! inputs and the same minimal failure.
//!
//! ```
//! use leakcheck::proptest::{explore, ProptestConfig};
//! use leakcheck::sync::{Arc, Condvar, Mutex};
//! use leakcheck::{thread, Config, FindingKind};
//! use proptest::collection::vec;
//!
//! /// A queue whose `push` skips the notify for a zero "to go faster": the planted bug.
//! fn deliver(items: Vec<u8>) {
//!     let q = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
//!     let q2 = Arc::clone(&q);
//!     let n = items.len();
//!     let consumer = thread::spawn(move || {
//!         for _ in 0..n {
//!             let (lock, cv) = &*q2;
//!             let mut items = cv.wait_while(lock.lock().unwrap(), |i| i.is_empty()).unwrap();
//!             items.remove(0);
//!         }
//!     });
//!     for item in items {
//!         q.0.lock().unwrap().push(item);
//!         if item != 0 {
//!             q.1.notify_one();
//!         }
//!     }
//!     consumer.join().unwrap();
//! }
//!
//! let failure = explore(
//!     ProptestConfig::with_cases(16),
//!     vec(0u8..4, 0..6),
//!     Config::new().schedules(200),
//!     deliver,
//! )
//! .unwrap_err();
//! assert_eq!(failure.input(), "[0]"); // shrunk to the smallest failing input
//! assert!(failure.report().has(FindingKind::MissedSignal));
//! ```

use std::fmt::{self, Debug};

use proptest::strategy::Strategy;
pub use proptest::test_runner::Config as ProptestConfig;
use proptest::test_runner::{RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::{Config, Report};

/// A property that failed: the minimal input proptest found, and leakcheck's report for it.
#[derive(Debug)]
pub struct PropertyFailure {
    input: String,
    report: Report,
}

impl PropertyFailure {
    /// The minimal failing input, as `Debug` prints it.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// leakcheck's report for the minimal input (its replay token replays that input's
    /// failing schedule: `Config::new().replay(token)` with the same input).
    pub fn report(&self) -> &Report {
        &self.report
    }
}

impl fmt::Display for PropertyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "leakcheck: the property fails for the minimal input {}",
            self.input
        )?;
        writeln!(f)?;
        writeln!(f, "{}", self.report)?;
        write!(
            f,
            "to replay it: Config::new().replay(\"{}\") on the body with the input {}",
            self.report.replay_token(),
            self.input
        )
    }
}

impl std::error::Error for PropertyFailure {}

fn run_input<V, F>(config: &Config, body: &F, value: V) -> Result<(), Report>
where
    V: Clone + Send + Sync + 'static,
    F: Fn(V) + Send + Sync + Clone + 'static,
{
    let body = body.clone();
    config.explore(move || body(value.clone())).map(|_| ())
}

/// Runs the property: for each input of `strategy`, `body(input)` under leakcheck with
/// `config`. Returns the minimal failing input with its report, if any input fails.
///
/// # Errors
/// The minimal failing input and leakcheck's report for it.
///
/// # Panics
/// If proptest gives up (too many rejected inputs), or on a usage error of leakcheck (at the
/// caller's line).
#[track_caller]
pub fn explore<S, F>(
    proptest: ProptestConfig,
    strategy: S,
    config: Config,
    body: F,
) -> Result<(), PropertyFailure>
where
    S: Strategy,
    S::Value: Clone + Debug + Send + Sync + 'static,
    F: Fn(S::Value) + Send + Sync + Clone + 'static,
{
    // The inputs come from the check's seed, as the schedules do: the same seed gives the same
    // inputs, the same minimal failure and the same report.
    let seed = match config.resolve() {
        Ok(settings) => settings.seed.to_le_bytes(),
        Err(e) => panic!("{e}"),
    };
    let mut bytes = [0u8; 32];
    bytes[..seed.len()].copy_from_slice(&seed);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(proptest, rng);
    let result = runner.run(&strategy, |value| {
        run_input(&config, &body, value).map_err(|report| TestCaseError::fail(report.to_string()))
    });
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(_, minimal)) => {
            let input = format!("{minimal:?}");
            // The exploration is deterministic: the minimal input fails again, the same way.
            let report = run_input(&config, &body, minimal)
                .expect_err("the minimal input failed under the same configuration before");
            Err(PropertyFailure { input, report })
        }
        Err(TestError::Abort(reason)) => panic!("leakcheck: proptest gave up: {reason}"),
    }
}

/// Like [`explore`], and panics with the minimal failing input and its report.
///
/// # Panics
/// If an input fails: with the minimal input and its report.
#[track_caller]
pub fn check<S, F>(proptest: ProptestConfig, strategy: S, config: Config, body: F)
where
    S: Strategy,
    S::Value: Clone + Debug + Send + Sync + 'static,
    F: Fn(S::Value) + Send + Sync + Clone + 'static,
{
    if let Err(failure) = explore(proptest, strategy, config, body) {
        panic!("{failure}");
    }
}
