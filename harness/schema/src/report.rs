//! Reports of failing checks, and summaries of clean ones.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Finding, FindingKind, Scheduler};

/// The version of a report's JSON: the `format` field.
///
/// Version 2 names every part (`held_by[0].thread`, `last_seen.operation`) where version 1 had
/// tuples (`held_by[0][0]`, `last_seen[0]`), and object kinds are an enumeration
/// ([`ObjectKind`](crate::ObjectKind)).
pub const FORMAT: u32 = 2;

/// What a failing check found, in the first schedule that failed.
///
/// Small to move around (one pointer), so `Result<Summary, Report>` stays cheap. `Display`
/// (and `Debug`) render the report as a person reads it; serde gives its JSON: the fields of
/// [`ReportData`] and `text`, the report as `Display` renders it. Reading JSON back ignores
/// `text`: it follows from the rest.
///
/// ```
/// use leakcheck_schema::{Report, ReportData, Scheduler, FORMAT};
///
/// let report = Report::new(ReportData {
///     format: FORMAT,
///     test: Some("tests::leaky".into()),
///     package: Some("demo".into()),
///     findings: vec![],
///     schedule: 3,
///     schedules: 1000,
///     seed: 0x5eed,
///     scheduler: Scheduler::Pct { depth: 3 },
///     replayed: false,
///     replay_token: "token".into(),
///     replay_command: "LEAKCHECK_REPLAY=token cargo test -p demo leaky".into(),
///     notes: vec![],
///     live: None,
///     schedule_log: None,
/// });
/// let read = Report::from_json(&report.to_json()).unwrap();
/// assert_eq!(read, report);
/// assert_eq!(format!("{read:?}"), report.to_string());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Report(Box<ReportData>);

/// The content of a [`Report`], field by field as its JSON has them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportData {
    /// The format version of the JSON rendering: [`FORMAT`] for reports made by this version.
    pub format: u32,
    /// The test's name, when known.
    pub test: Option<String>,
    /// The test's package, when known.
    pub package: Option<String>,
    /// The findings, in the order the text lists them.
    pub findings: Vec<Finding>,
    /// Which schedule failed, counting from 1.
    pub schedule: usize,
    /// How many schedules the check was to explore.
    pub schedules: usize,
    /// The seed of the check.
    pub seed: u64,
    /// The scheduler that explored.
    pub scheduler: Scheduler,
    /// Whether the report comes from replaying a token rather than from exploring.
    pub replayed: bool,
    /// The token that replays the failing schedule.
    pub replay_token: String,
    /// The command that replays it.
    pub replay_command: String,
    /// Remarks on the report, one line each (`note: ...`).
    pub notes: Vec<String>,
    /// For a live-mode check (real OS threads), how it ran; absent for deterministic checks,
    /// whose schedule, seed and replay token the fields above give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveRun>,
    /// The failing schedule's event log as text, when asked for (`LEAKCHECK_TRACE=1`): one line
    /// per step, runs of identical steps counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_log: Option<String>,
}

/// How a live-mode check ran: the body on real threads, `runs` times, with no schedule to
/// replay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveRun {
    /// Which run of the body leaked, counting from 1.
    pub run: usize,
    /// How many runs the check was to make.
    pub runs: usize,
    /// What ran the test, which decides how exact the attribution of threads is: `nextest`
    /// (one test per process), `cargo test, one test thread` or `cargo test, N test threads`.
    pub runner: String,
}

/// Why a report's JSON could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The report is in another version of the format.
    #[error("the report is in format {found}, and this version reads format {FORMAT}: use the same version of leakcheck and cargo-leakcheck")]
    Format {
        /// The report's `format`.
        found: u64,
    },
    /// It is not JSON, or not a report.
    #[error("not a leakcheck report: {0}")]
    Json(#[from] serde_json::Error),
}

impl Report {
    /// A report of this content.
    pub fn new(data: ReportData) -> Self {
        Report(Box::new(data))
    }

    /// Its content.
    pub fn data(&self) -> &ReportData {
        &self.0
    }

    /// Its content, to change.
    pub fn data_mut(&mut self) -> &mut ReportData {
        &mut self.0
    }

    /// The findings, in the order the text lists them.
    pub fn findings(&self) -> &[Finding] {
        &self.0.findings
    }

    /// The token that replays the failing schedule (`LEAKCHECK_REPLAY`, `Config::replay`).
    pub fn replay_token(&self) -> &str {
        &self.0.replay_token
    }

    /// Which schedule failed, counting from 1.
    pub fn schedule(&self) -> usize {
        self.0.schedule
    }

    /// The seed of the check.
    pub fn seed(&self) -> u64 {
        self.0.seed
    }

    /// The test's name, when known.
    pub fn test(&self) -> Option<&str> {
        self.0.test.as_deref()
    }

    /// Whether any finding is of this kind.
    pub fn has(&self, kind: FindingKind) -> bool {
        self.0.findings.iter().any(|f| f.kind() == kind)
    }

    /// The report as JSON (the same as serializing it with serde).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }

    /// Reads a report's JSON, as [`to_json`](Report::to_json) writes it.
    ///
    /// # Errors
    /// [`ReadError::Format`] if the report is in another format version, [`ReadError::Json`]
    /// if it is not a report's JSON.
    pub fn from_json(json: &str) -> Result<Report, ReadError> {
        #[derive(Deserialize)]
        struct Version {
            format: u64,
        }
        let version: Version = serde_json::from_str(json)?;
        if version.format != u64::from(FORMAT) {
            return Err(ReadError::Format {
                found: version.format,
            });
        }
        Ok(serde_json::from_str(json)?)
    }
}

impl From<ReportData> for Report {
    fn from(data: ReportData) -> Self {
        Report::new(data)
    }
}

impl fmt::Debug for Report {
    /// The report as a person reads it: the same as `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            #[serde(flatten)]
            data: &'a ReportData,
            text: String,
        }
        Json {
            data: &self.0,
            text: self.to_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Report {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ReportData::deserialize(deserializer).map(Report::new)
    }
}

/// What a clean check explored.
///
/// ```
/// use std::time::Duration;
/// use leakcheck_schema::{Scheduler, Summary};
///
/// let summary = Summary::new(100, Scheduler::Random, 7, Duration::from_millis(20), None);
/// assert_eq!(summary.to_string(), "leakcheck: no findings in 100 schedules (random, seed 0x7)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    schedules: usize,
    scheduler: Scheduler,
    seed: u64,
    #[serde(skip)]
    elapsed: Duration,
    complete: Option<bool>,
}

impl Summary {
    /// What a check explored: how many schedules, how, with which seed, in how long, and (for
    /// [`Scheduler::Exhaustive`]) whether it saw every execution within the bound.
    pub fn new(
        schedules: usize,
        scheduler: Scheduler,
        seed: u64,
        elapsed: Duration,
        complete: Option<bool>,
    ) -> Self {
        Summary {
            schedules,
            scheduler,
            seed,
            elapsed,
            complete,
        }
    }

    /// How many schedules (executions) ran, all clean.
    pub fn schedules(&self) -> usize {
        self.schedules
    }

    /// The scheduler that explored them.
    pub fn scheduler(&self) -> Scheduler {
        self.scheduler
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How long the exploration took.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// For [`Scheduler::Exhaustive`]: whether every execution within the preemption bound was
    /// explored (a proof for that bound), rather than stopping at the `schedules` limit.
    /// `None` for the other schedulers.
    pub fn complete(&self) -> Option<bool> {
        self.complete
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.complete {
            Some(true) => write!(
                f,
                "leakcheck: no findings in all {} executions within the bound ({})",
                self.schedules, self.scheduler
            ),
            Some(false) => write!(
                f,
                "leakcheck: no findings in {} executions ({}), but the search stopped at the schedules limit before it saw them all: not a proof",
                self.schedules, self.scheduler
            ),
            None => write!(
                f,
                "leakcheck: no findings in {} schedule{} ({}, seed {:#x})",
                self.schedules,
                if self.schedules == 1 { "" } else { "s" },
                self.scheduler,
                self.seed
            ),
        }
    }
}

/// What a clean check writes to `LEAKCHECK_REPORT_DIR` (next to the reports of failing checks)
/// for `cargo leakcheck`: which test it was and what it explored. Its JSON carries
/// `"kind": "summary"`, which tells it from a report.
///
/// The fields after `schedules` are optional when read, so a summary written by an older
/// leakcheck (which wrote only `test` and `schedules`) still reads.
///
/// ```
/// use leakcheck_schema::{Scheduler, SummaryRecord};
///
/// let record = SummaryRecord {
///     test: Some("pool::workers_are_joined".into()),
///     package: Some("pool".into()),
///     schedules: 1000,
///     scheduler: Some(Scheduler::default()),
///     seed: Some(0x5eed),
///     elapsed_ms: Some(42),
/// };
/// let json = serde_json::to_string(&record).unwrap();
/// assert!(json.starts_with(r#"{"kind":"summary","#));
/// assert_eq!(serde_json::from_str::<SummaryRecord>(&json).unwrap(), record);
/// let old: SummaryRecord =
///     serde_json::from_str(r#"{"kind":"summary","test":"t","schedules":5}"#).unwrap();
/// assert_eq!((old.schedules, old.elapsed_ms), (5, None));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename = "summary")]
pub struct SummaryRecord {
    /// The test's name, when known.
    #[serde(default)]
    pub test: Option<String>,
    /// The test's package, when known.
    #[serde(default)]
    pub package: Option<String>,
    /// How many schedules it explored, all clean.
    pub schedules: usize,
    /// The scheduler that explored them.
    #[serde(default)]
    pub scheduler: Option<Scheduler>,
    /// The seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// How long the exploration took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: Option<u64>,
}
