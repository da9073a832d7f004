//! The schema of leakcheck's reports: findings and reports as typed values, their text and
//! their JSON.
//!
//! [leakcheck](https://docs.rs/leakcheck) makes these values when a check fails, and
//! `cargo-leakcheck` reads them back from the JSON files the checks write: both use the types
//! of this crate, so a report is rendered by the same code wherever it is shown, and the JSON
//! has one definition. Users of leakcheck never name this crate: leakcheck re-exports every
//! type in it.
//!
//! A [`Report`] holds [`Finding`]s; each has a [`FindingKind`] and a [`Detail`] that says
//! everything the finding knows, with threads ([`ThreadInfo`]), objects ([`ObjectInfo`]) and
//! places in the source ([`SourceLocation`]) named the way the report's text names them.
//!
//! # Example
//!
//! ```
//! use leakcheck_schema::{
//!     Blocked, Detail, Finding, FindingKind, LeakState, ObjectInfo, ObjectKind, Report,
//!     ReportData, Scheduler, SourceLocation, Target, ThreadInfo, FORMAT,
//! };
//!
//! let at = |line| SourceLocation { file: "src/lib.rs".into(), line, column: 9 };
//! let leak = Finding::new(Detail::LeakedThread {
//!     thread: ThreadInfo {
//!         id: 1,
//!         name: Some("worker".into()),
//!         spawned_at: Some(at(12)),
//!         spawn_stack: vec![],
//!         finished: false,
//!         role: Default::default(),
//!     },
//!     state: LeakState::BlockedForever(Blocked {
//!         operation: "Mutex::lock".into(),
//!         on: Target::Object(ObjectInfo { kind: ObjectKind::Mutex, id: 1, created_at: at(10) }),
//!         at: at(13),
//!         stack: vec![],
//!         held_by: vec![],
//!         channels: vec![],
//!     }),
//! });
//! let report = Report::new(ReportData {
//!     format: FORMAT,
//!     test: Some("leaky".into()),
//!     package: Some("demo".into()),
//!     findings: vec![leak],
//!     schedule: 1,
//!     schedules: 1000,
//!     seed: 0x5eed,
//!     scheduler: Scheduler::default(),
//!     replayed: false,
//!     replay_token: "T".into(),
//!     replay_command: "LEAKCHECK_REPLAY=T cargo test -p demo leaky".into(),
//!     notes: vec![],
//!     live: None,
//!     schedule_log: None,
//! });
//! assert!(report.has(FindingKind::LeakedThread));
//! assert_eq!(
//!     report.to_string(),
//!     "leakcheck: 1 leaked thread (schedule 1 of 1000, pct:3, seed 0x5eed)\n\
//!      \n\
//!      leaked thread#1 \"worker\", spawned at src/lib.rs:12:9\n  \
//!        blocked forever in Mutex::lock on mutex#1 at src/lib.rs:13:9\n    \
//!          mutex#1 was created at src/lib.rs:10:9\n\
//!      \n\
//!      replay: LEAKCHECK_REPLAY=T cargo test -p demo leaky"
//! );
//! // The JSON reads back into the same report.
//! assert_eq!(Report::from_json(&report.to_json()).unwrap(), report);
//! ```
//!
//! # JSON
//!
//! A report's JSON is [`ReportData`]'s fields and `text`; its `format` is [`FORMAT`]. Every
//! part has named fields; enumerations are tagged by a field that names the variant in
//! snake_case (`kind` for a finding's [`Detail`], `state` for a [`LeakState`], `target` for a
//! [`Target`], `cause` for a [`SignalCause`], `kind` for a [`Scheduler`]); object kinds are
//! their lowercase names.
//!
//! # Modules
//!
//! - `kind`: [`FindingKind`] and its names.
//! - `scheduler`: [`Scheduler`] and its names.
//! - `seed`: [`parse_seed`].
//! - `location`: [`SourceLocation`] and [`Frame`].
//! - `names`: threads and objects, as reports name them.
//! - `finding`: [`Finding`], [`Detail`] and their parts.
//! - `report`: [`Report`] and [`Summary`].
//! - `render`: the text of reports and findings (`Display`).

#![deny(missing_docs)]
// Findings are typed values with their details inline: they are made once per failing check,
// so the size of their largest variant costs nothing.
#![allow(clippy::large_enum_variant)]

mod finding;
mod kind;
mod location;
mod names;
mod render;
mod report;
mod scheduler;
mod seed;

pub use finding::{
    Blocked, BlockedThread, Cancelled, ChannelInfo, ChannelWait, ChannelWaiter, CriticalSection,
    Detail, EndInfo, Finding, Holder, LastSeen, LeakState, LockOrder, LockTaken, LostWakerDrop,
    NotifyInfo, OsActivity, OsThread, RunningThread, SignalCause, Target, TaskLeak,
};
pub use kind::{FindingKind, ParseFindingKindError};
pub use location::{Frame, SourceLocation};
pub use names::{ObjectInfo, ObjectKind, Role, ThreadInfo};
pub use report::{LiveRun, ReadError, Report, ReportData, Summary, SummaryRecord, FORMAT};
pub use scheduler::{
    ParseSchedulerError, Scheduler, ACCEPTED_SCHEDULERS, DEFAULT_PCT_DEPTH,
    DEFAULT_PREEMPTION_BOUND,
};
pub use seed::{parse_seed, SeedError, ACCEPTED_SEEDS};
