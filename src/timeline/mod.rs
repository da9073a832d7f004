//! The failing schedule as a person can see it: its event log ([`Timeline`]), rendered as text
//! ([`text`]), as a Chrome / Perfetto trace ([`perfetto`]) and as a self-contained HTML page with
//! SVG swimlanes ([`html`]).
//!
//! The runtime records the log only while the failing schedule is replayed, so exploration pays
//! nothing for it; explore turns the record into a [`Timeline`], which holds plain values only
//! (no runtime types), so every renderer is a pure function of it and the report. Every output
//! is deterministic: the step index is the clock.

pub(crate) mod html;
pub(crate) mod perfetto;
pub(crate) mod text;

use crate::report::{Role, SourceLocation};

/// The event log of one schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// The threads, by id (index 0 is the test body).
    pub lanes: Vec<Lane>,
    /// One entry per scheduling step, in order.
    pub steps: Vec<Step>,
    /// The causal edges: who made whom runnable, who spawned whom.
    pub edges: Vec<Edge>,
}

/// One thread's track.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Its id (`thread#N`, or `task#N` for an async task).
    pub id: usize,
    /// A thread or an async task.
    pub role: Role,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Where it was spawned (none for the body).
    pub spawned_at: Option<SourceLocation>,
    /// The step at which it was spawned (0 for the body).
    pub spawned_step: u64,
    /// The step at which it finished, if it did.
    pub finished_step: Option<u64>,
    /// The spans during which it was blocked, in order.
    pub blocks: Vec<BlockSpan>,
}

impl Lane {
    /// `thread#N "name"`, as reports write it.
    pub fn label(&self) -> String {
        let noun = self.role.noun();
        match &self.name {
            Some(name) => format!("{noun}#{} \"{name}\"", self.id),
            None if self.id == 0 => "thread#0 (the test body)".to_string(),
            None => format!("{noun}#{}", self.id),
        }
    }
}

/// A span during which a thread was blocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSpan {
    /// The step at which it blocked.
    pub from: u64,
    /// The step at which it was woken; `None` if it was still blocked at the end.
    pub to: Option<u64>,
    /// The blocking operation, e.g. `Mutex::lock`.
    pub op: String,
    /// What it waited for (`mutex#1`, `channel#2`, ...), when known.
    pub object: Option<String>,
    /// Where the operation was called.
    pub at: Option<SourceLocation>,
}

/// One scheduling step: the thread that ran, and the operation it made there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The thread.
    pub thread: usize,
    /// The operation, e.g. `Mutex::lock`.
    pub op: String,
    /// The object it acted on, when known.
    pub object: Option<String>,
    /// Where it was called.
    pub at: Option<SourceLocation>,
}

/// What an edge says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// The source thread spawned the target.
    Spawn,
    /// What the source thread did reached the target through an object or a join: an unlock
    /// before a lock, a send before a receive, a notify before a wake-up, a cancel before its
    /// check, a thread's end before its join.
    Sync,
}

/// A causal edge between two threads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Spawn or wake.
    pub kind: EdgeKind,
    /// The thread that caused it, and the step.
    pub from: (usize, u64),
    /// The thread it reached, and the step at which it did.
    pub to: (usize, u64),
    /// What happened, e.g. `MutexGuard::drop → Mutex::lock on mutex#1`.
    pub label: String,
}

impl Timeline {
    /// How many steps the schedule took.
    pub fn len(&self) -> u64 {
        self.steps.len() as u64
    }

    /// Whether no step was recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The lane of thread `id`, if it exists.
    pub fn lane(&self, id: usize) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.id == id)
    }

    /// Runs of consecutive steps by the same thread: `(thread, first step, steps)`. What the
    /// swimlanes draw as one "running" bar.
    pub fn runs(&self) -> Vec<(usize, u64, u64)> {
        let mut runs: Vec<(usize, u64, u64)> = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            match runs.last_mut() {
                Some((t, _, n)) if *t == s.thread => *n += 1,
                _ => runs.push((s.thread, i as u64, 1)),
            }
        }
        runs
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! A small timeline for the renderers' tests: two threads, a lock handed over, one left
    //! blocked at the end.

    use super::*;

    fn at(line: u32) -> Option<SourceLocation> {
        Some(SourceLocation {
            file: "src/lib.rs".into(),
            line,
            column: 5,
        })
    }

    fn step(thread: usize, op: &str, object: Option<&str>, line: u32) -> Step {
        Step {
            thread,
            op: op.into(),
            object: object.map(String::from),
            at: at(line),
        }
    }

    /// A report to render the sample with.
    pub(crate) fn report(test: &str) -> crate::report::Report {
        crate::report::Report::new(crate::report::ReportData {
            format: crate::report::FORMAT,
            test: Some(test.into()),
            package: None,
            findings: vec![],
            schedule: 1,
            schedules: 1,
            seed: 1,
            scheduler: crate::Scheduler::Random,
            replayed: false,
            replay_token: "TOKEN".into(),
            replay_command: String::new(),
            notes: vec![],
            live: None,
            schedule_log: None,
        })
    }

    pub(crate) fn timeline() -> Timeline {
        Timeline {
            lanes: vec![
                Lane {
                    id: 0,
                    role: Role::Thread,
                    name: None,
                    spawned_at: None,
                    spawned_step: 0,
                    finished_step: Some(6),
                    blocks: vec![],
                },
                Lane {
                    id: 1,
                    role: Role::Thread,
                    name: Some("worker".into()),
                    spawned_at: at(3),
                    spawned_step: 1,
                    finished_step: None,
                    blocks: vec![
                        BlockSpan {
                            from: 3,
                            to: Some(5),
                            op: "Mutex::lock".into(),
                            object: Some("mutex#1".into()),
                            at: at(4),
                        },
                        BlockSpan {
                            from: 6,
                            to: None,
                            op: "Receiver::recv".into(),
                            object: Some("channel#1".into()),
                            at: at(8),
                        },
                    ],
                },
            ],
            steps: vec![
                step(0, "Mutex::lock", Some("mutex#1"), 2),
                step(0, "thread::spawn", None, 3),
                step(1, "thread::yield_now", None, 4),
                step(1, "Mutex::lock", Some("mutex#1"), 4),
                step(0, "MutexGuard::drop", Some("mutex#1"), 5),
                step(1, "Receiver::recv", Some("channel#1"), 8),
                step(0, "thread::yield_now", None, 9),
            ],
            edges: vec![
                Edge {
                    kind: EdgeKind::Spawn,
                    from: (0, 1),
                    to: (1, 2),
                    label: "thread::spawn".into(),
                },
                Edge {
                    kind: EdgeKind::Sync,
                    from: (0, 4),
                    to: (1, 5),
                    label: "MutexGuard::drop → Mutex::lock on mutex#1".into(),
                },
            ],
        }
    }
}
