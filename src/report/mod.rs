//! Findings and reports: typed values first, rendered as text (`Display`) and JSON
//! (`serde::Serialize`).
//!
//! The types live in the `leakcheck-schema` crate, which `cargo-leakcheck` shares, so both
//! render a report with the same code and read its JSON with the same definitions. What only
//! the library does lives here: turning `#[track_caller]` locations and captured stacks into
//! workspace-relative [`SourceLocation`]s and [`Frame`]s.
//!
//! A [`Report`] is what a failing check produces: the findings of the first failing schedule,
//! where that schedule came from, and the token that replays it. Reports are deterministic: the
//! same code and seed give the same bytes.

mod paths;

pub(crate) use paths::{frames, location, source_location, workspace_root};

pub use leakcheck_schema::{
    Blocked, BlockedThread, Cancelled, ChannelInfo, ChannelWait, ChannelWaiter, CriticalSection,
    Detail, EndInfo, Finding, FindingKind, Frame, Holder, LastSeen, LeakState, LiveRun, LockOrder,
    LockTaken, NotifyInfo, ObjectInfo, ObjectKind, OsActivity, OsThread, ParseFindingKindError,
    Report, RunningThread, SignalCause, SourceLocation, Summary, Target, ThreadInfo,
};
// Async tasks in reports: what a finding's thread is, and what became of a leaked task.
pub(crate) use leakcheck_schema::{ReportData, SummaryRecord, FORMAT};
pub use leakcheck_schema::{Role, TaskLeak};
