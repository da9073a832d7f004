//! What a run found: reports matched to the tests that wrote them, findings sorted into new,
//! known (baseline) and expected, and the failures no report explains.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::baseline::{Baseline, Entry};
use crate::cargo::{Status, TestResult};
use crate::fingerprint::fingerprint;
use crate::headline::finding_headline;
use crate::registry::BinaryRegistry;
use crate::report_files::{Collected, ReportFile};
use leakcheck_schema::{SourceLocation, SummaryRecord};

/// Where a finding stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// It gates: a failing test's finding, not in the baseline.
    New,
    /// A failing test's finding that the baseline accepts.
    Baselined,
    /// A passing test's finding: the test expected it (`expect = ...`, or asserted it).
    Expected,
}

impl Standing {
    /// `new`, `baselined`, `expected`.
    pub fn name(self) -> &'static str {
        match self {
            Standing::New => "new",
            Standing::Baselined => "baselined",
            Standing::Expected => "expected",
        }
    }
}

/// One finding of one report.
#[derive(Clone, Debug)]
pub struct FindingView {
    /// The index of its report in [`Analysis::reports`].
    pub report: usize,
    /// Its index among the report's findings.
    pub index: usize,
    /// Its kind.
    pub kind: String,
    /// Its fingerprint and the canonical text hashed.
    pub fingerprint: String,
    /// The canonical text the fingerprint hashes.
    pub canonical: String,
    /// Its primary location.
    pub location: Option<SourceLocation>,
    /// It in one line.
    pub headline: String,
    /// New, baselined or expected.
    pub standing: Standing,
}

/// A report, with the test it belongs to.
#[derive(Clone, Debug)]
pub struct ReportView {
    /// The report.
    pub file: ReportFile,
    /// The test's name, from the report.
    pub test: Option<String>,
    /// The test's package, from the report.
    pub package: Option<String>,
    /// The index of the test's result in [`Analysis::results`], when found.
    pub result: Option<usize>,
    /// Whether the report gates (its test failed, or it could not be matched while some failure
    /// is unexplained).
    pub gating: bool,
}

/// Everything the run found.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The tests' results.
    pub results: Vec<TestResult>,
    /// The reports.
    pub reports: Vec<ReportView>,
    /// Every finding of every report.
    pub findings: Vec<FindingView>,
    /// The indices of failed tests that no report explains.
    pub unexplained: Vec<usize>,
    /// The registries of the binaries.
    pub registry: Vec<BinaryRegistry>,
    /// The summaries clean checks wrote, when leakcheck writes them.
    pub summaries: Vec<SummaryRecord>,
    /// Tests the runner skipped without a result line (nextest's skipped count): ignored too.
    pub unlisted_skipped: usize,
    /// How long each binary's tests ran, by binary id, where the runner does not time each
    /// test (`cargo test`).
    pub binary_seconds: BTreeMap<String, f64>,
}

/// Whether a binary id belongs to a package (`pkg`, `pkg::...`).
fn in_package(binary: Option<&str>, package: &str) -> bool {
    binary.is_some_and(|b| b == package || b.starts_with(&format!("{package}::")))
}

impl Analysis {
    /// Matches reports to results and sorts the findings.
    pub fn new(
        results: Vec<TestResult>,
        collected: Collected,
        registry: Vec<BinaryRegistry>,
        baseline: Option<&Baseline>,
    ) -> Analysis {
        let Collected {
            reports: files,
            summaries,
        } = collected;
        let mut reports: Vec<ReportView> = files
            .into_iter()
            .map(|file| {
                let test = file.test().map(String::from);
                let package = file.package();
                let result = test.as_deref().and_then(|name| {
                    let candidates: Vec<usize> = results
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.name == name)
                        .filter(|(_, r)| {
                            package.as_deref().is_none_or(|p| {
                                r.binary.is_none() || in_package(r.binary.as_deref(), p)
                            })
                        })
                        .map(|(i, _)| i)
                        .collect();
                    // Several binaries with a test of that name: a failed one is the likelier
                    // author of a report, and the safer one to gate on.
                    candidates
                        .iter()
                        .copied()
                        .find(|&i| results[i].status == Status::Failed)
                        .or_else(|| candidates.first().copied())
                });
                ReportView {
                    file,
                    test,
                    package,
                    result,
                    gating: false,
                }
            })
            .collect();
        let mut explained = vec![false; results.len()];
        for r in &mut reports {
            if let Some(i) = r.result
                && results[i].status == Status::Failed
            {
                r.gating = true;
                explained[i] = true;
            }
        }
        let unexplained: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(i, r)| r.status == Status::Failed && !explained[*i])
            .map(|(i, _)| i)
            .collect();
        // A report that matches no result (no test name, say) gates only while some failure is
        // unexplained: otherwise every failing test has its report, and this one came from a
        // passing test.
        for r in &mut reports {
            if r.result.is_none() && !unexplained.is_empty() {
                r.gating = true;
            }
        }
        let mut findings = Vec::new();
        for (ri, r) in reports.iter().enumerate() {
            for (index, f) in r.file.findings().iter().enumerate() {
                let (fingerprint, canonical) = fingerprint(r.test.as_deref(), f);
                let standing = if !r.gating {
                    Standing::Expected
                } else if baseline.is_some_and(|b| b.accepts(&fingerprint)) {
                    Standing::Baselined
                } else {
                    Standing::New
                };
                findings.push(FindingView {
                    report: ri,
                    index,
                    kind: f.kind().to_string(),
                    fingerprint,
                    canonical,
                    location: f.location().cloned(),
                    headline: finding_headline(f),
                    standing,
                });
            }
        }
        Analysis {
            results,
            reports,
            findings,
            unexplained,
            registry,
            summaries,
            unlisted_skipped: 0,
            binary_seconds: BTreeMap::new(),
        }
    }

    /// Accepts every new finding, as a freshly written baseline does.
    pub fn accept_all(&mut self) {
        for f in &mut self.findings {
            if f.standing == Standing::New {
                f.standing = Standing::Baselined;
            }
        }
    }

    /// The findings with this standing.
    pub fn with(&self, standing: Standing) -> impl Iterator<Item = &FindingView> {
        self.findings.iter().filter(move |f| f.standing == standing)
    }

    /// The registered test a result is, if it is one.
    pub fn registered(&self, result: &TestResult) -> Option<&Value> {
        self.registry
            .iter()
            .filter(|b| match &result.binary {
                Some(id) => b.binary.id() == *id,
                None => true,
            })
            .flat_map(|b| b.tests.iter())
            .find(|t| t["name"].as_str() == Some(result.name.as_str()))
    }

    /// Tests that ran (passed or failed).
    pub fn tests_run(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.status != Status::Ignored)
            .count()
    }

    /// Results with this status; ignored ones include those the runner skipped without a
    /// result line of their own.
    pub fn count(&self, status: Status) -> usize {
        let listed = self.results.iter().filter(|r| r.status == status).count();
        if status == Status::Ignored {
            listed + self.unlisted_skipped
        } else {
            listed
        }
    }

    /// Registered checks that ran.
    pub fn checks_run(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.status != Status::Ignored && self.registered(r).is_some())
            .count()
    }

    /// Distinct tests with gating reports.
    pub fn tests_with_findings(&self) -> usize {
        let mut tests: Vec<(Option<&str>, Option<&str>)> = self
            .reports
            .iter()
            .filter(|r| r.gating && !r.file.findings().is_empty())
            .map(|r| (r.package.as_deref(), r.test.as_deref()))
            .collect();
        tests.sort();
        tests.dedup();
        tests.len()
    }

    /// Gating findings (new and baselined) per kind: `(all, new)`.
    pub fn per_kind(&self) -> BTreeMap<String, (usize, usize)> {
        let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for f in &self.findings {
            if f.standing == Standing::Expected {
                continue;
            }
            let e = out.entry(f.kind.clone()).or_default();
            e.0 += 1;
            if f.standing == Standing::New {
                e.1 += 1;
            }
        }
        out
    }

    /// The schedules the reporting checks explored, up to and including their failing one.
    pub fn schedules_in_reports(&self) -> u64 {
        self.reports.iter().map(|r| r.file.schedule()).sum()
    }

    /// The schedules the clean checks explored, from their summaries; `None` when no check
    /// wrote a summary (leakcheck versions that do not write them).
    pub fn schedules_in_summaries(&self) -> Option<u64> {
        if self.summaries.is_empty() {
            return None;
        }
        Some(self.summaries.iter().map(|s| s.schedules as u64).sum())
    }

    /// The baseline entries of the gating findings: what `--update-baseline` writes.
    pub fn baseline_entries(&self) -> Vec<Entry> {
        self.findings
            .iter()
            .filter(|f| f.standing != Standing::Expected)
            .map(|f| {
                let r = &self.reports[f.report];
                Entry {
                    fingerprint: f.fingerprint.clone(),
                    kind: f.kind.clone(),
                    test: r.test.clone(),
                    package: r.package.clone(),
                    location: f.location.as_ref().map(ToString::to_string),
                    summary: f.headline.clone(),
                    canonical: f.canonical.clone(),
                }
            })
            .collect()
    }

    /// The binary id a report belongs to: its result's, or its package's.
    pub fn report_binary(&self, report: &ReportView) -> String {
        report
            .result
            .and_then(|i| self.results[i].binary.clone())
            .or_else(|| report.package.clone())
            .unwrap_or_else(|| "(unknown binary)".into())
    }
}
