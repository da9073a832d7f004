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

/// Runs a `#[leakcheck::test]`: a plain check, or, with `expect`, a check that must find every
/// expected kind.
#[track_caller]
pub fn run_test<R: TestResult + 'static>(config: Config, expect: &[FindingKind], body: fn() -> R) {
    let f = move || {
        if let Err(e) = body().into_outcome() {
            panic!("the test body returned an error: {e}");
        }
    };
    if expect.is_empty() {
        return config.check(f);
    }
    let names = expect
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match config.explore(f) {
        Ok(summary) => panic!(
            "leakcheck: expected {names}, but none of the {} schedules explored had a finding ({}, seed {:#x})",
            summary.schedules(),
            summary.scheduler(),
            summary.seed()
        ),
        Err(report) => {
            let missing: Vec<String> = expect
                .iter()
                .filter(|k| !report.has(**k))
                .map(|k| k.to_string())
                .collect();
            if !missing.is_empty() {
                panic!(
                    "leakcheck: expected {names}, but the failing schedule has no {}\n\n{report}",
                    missing.join(", ")
                );
            }
            println!("{report}");
        }
    }
}
