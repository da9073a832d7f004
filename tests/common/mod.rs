//! Helpers the integration tests share (`mod common;`): a check that must fail, the kinds of its
//! findings, and the source lines a body records for the assertions made after the check.
//!
//! A directory module, so cargo does not build it as a test of its own; each test file uses
//! what it needs of it.
#![allow(dead_code)]

use std::sync::Mutex as StdMutex;

use leakcheck::{Config, FindingKind, Report};

/// The report of a check that must find something.
pub fn fails(config: Config, body: impl Fn() + Send + Sync + 'static) -> Report {
    config
        .explore(body)
        .expect_err("the check should have found something")
}

/// The kinds of a report's findings, in report order.
pub fn kinds(report: &Report) -> Vec<FindingKind> {
    report.findings().iter().map(|f| f.kind()).collect()
}

/// Lines recorded by a body, for the assertions after the check (the body runs many times; the
/// lines are the same each time).
pub struct Lines(StdMutex<Vec<u32>>);

impl Lines {
    pub const fn new() -> Self {
        Lines(StdMutex::new(Vec::new()))
    }

    pub fn set(&self, lines: &[u32]) {
        *self.0.lock().unwrap() = lines.to_vec();
    }

    pub fn get(&self) -> Vec<u32> {
        self.0.lock().unwrap().clone()
    }
}
