//! Findings and reports: typed values first, rendered as text (`Display`) and JSON
//! (`serde::Serialize`).
//!
//! A [`Report`] is what a failing check produces: the findings of the first failing schedule,
//! where that schedule came from, and the token that replays it. Reports are deterministic: the
//! same code and seed give the same bytes.

mod paths;
mod render;

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::config::Scheduler;
pub(crate) use paths::frames;
pub use paths::{Frame, SourceLocation};

/// The kinds of finding. `Display` gives the snake_case name that `expect = "..."` takes.
///
/// ```
/// use leakcheck::FindingKind;
///
/// assert_eq!(FindingKind::LeakedThread.to_string(), "leaked_thread");
/// assert_eq!("deadlock".parse::<FindingKind>(), Ok(FindingKind::Deadlock));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A thread spawned in the body had not finished when the body returned.
    LeakedThread,
    /// A channel kept open with a thread blocked on it, or holding messages nobody can read.
    UnclosedChannel,
    /// A thread blocked forever in a condvar wait whose signal was lost or misdirected.
    MissedSignal,
    /// The body cannot finish: every thread is blocked.
    Deadlock,
    /// A thread panicked, and nobody saw the panic through `join`.
    Panic,
    /// The body did not finish within the step budget.
    StepLimit,
    /// A thread stayed blocked after the cancellation token it uses was cancelled.
    UnresponsiveCancellation,
    /// Two locks were taken in opposite orders.
    LockOrderInversion,
}

impl FindingKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [FindingKind; 8] = [
        FindingKind::Deadlock,
        FindingKind::LeakedThread,
        FindingKind::UnclosedChannel,
        FindingKind::MissedSignal,
        FindingKind::UnresponsiveCancellation,
        FindingKind::LockOrderInversion,
        FindingKind::Panic,
        FindingKind::StepLimit,
    ];

    /// The snake_case name, as `expect` takes it.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::LeakedThread => "leaked_thread",
            FindingKind::UnclosedChannel => "unclosed_channel",
            FindingKind::MissedSignal => "missed_signal",
            FindingKind::Deadlock => "deadlock",
            FindingKind::Panic => "panic",
            FindingKind::StepLimit => "step_limit",
            FindingKind::UnresponsiveCancellation => "unresponsive_cancellation",
            FindingKind::LockOrderInversion => "lock_order_inversion",
        }
    }

    /// How a report's first line counts findings of this kind.
    pub(crate) fn noun(self, n: usize) -> String {
        let (one, many) = match self {
            FindingKind::LeakedThread => ("leaked thread", "leaked threads"),
            FindingKind::UnclosedChannel => ("unclosed channel", "unclosed channels"),
            FindingKind::MissedSignal => ("missed signal", "missed signals"),
            FindingKind::Deadlock => ("deadlock", "deadlocks"),
            FindingKind::Panic => ("panic", "panics"),
            FindingKind::StepLimit => ("step limit exceeded", "step limits exceeded"),
            FindingKind::UnresponsiveCancellation => {
                ("unresponsive cancellation", "unresponsive cancellations")
            }
            FindingKind::LockOrderInversion => ("lock order inversion", "lock order inversions"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for FindingKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = FindingKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "`{s}` is not a finding kind; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// A thread, as reports name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThreadInfo {
    /// Its number in the execution; 0 is the test body.
    pub id: usize,
    /// The name given with `Builder::name`.
    pub name: Option<String>,
    /// Where it was spawned (none for the test body).
    pub spawned_at: Option<SourceLocation>,
    /// The user's frames at the spawn, innermost first (filled when the report is enriched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spawn_stack: Vec<Frame>,
    /// Whether it had finished when the execution ended.
    pub finished: bool,
}

/// An object (mutex, channel, ...), as reports name it: `mutex#2`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectInfo {
    /// `mutex`, `channel`, ...
    pub kind: String,
    /// Its number among the objects of its kind, from 1.
    pub id: usize,
    /// Where it was created.
    pub created_at: SourceLocation,
}

/// One live end of a channel (a `Sender` or a `Receiver`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndInfo {
    /// Where it was made: the channel's constructor, or a `clone`.
    pub created_at: SourceLocation,
    /// Whether it was made by `clone`.
    pub cloned: bool,
    /// The thread that made it.
    pub created_by: usize,
    /// The thread that used it last (sent or received with it).
    pub last_used_by: usize,
    /// Where it was used last.
    pub last_used_at: Option<SourceLocation>,
}

/// A channel, with who keeps it open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelInfo {
    /// The channel.
    pub object: ObjectInfo,
    /// How it was made: `channel::bounded`, `mpsc::sync_channel`, ...
    pub constructor: String,
    /// Its capacity; `None` if unbounded.
    pub capacity: Option<usize>,
    /// Its live senders.
    pub senders: Vec<EndInfo>,
    /// Its live receivers.
    pub receivers: Vec<EndInfo>,
    /// Messages in its buffer.
    pub buffered: usize,
}

/// A thread waiting on a channel, and which way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelWaiter {
    /// The thread.
    pub thread: ThreadInfo,
    /// The operation it is blocked in, e.g. `Sender::send` or `select!`.
    pub operation: String,
    /// Whether it waits to send (rather than to receive) on this channel.
    pub sending: bool,
}

/// A channel a blocked thread waits on, and which way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelWait {
    /// The channel, with its live ends.
    pub channel: ChannelInfo,
    /// Whether the thread waits to send (rather than to receive) on it.
    pub sending: bool,
}

/// What a blocked thread waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "target", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// An object.
    Object(ObjectInfo),
    /// Any of several channels (a `select!`).
    Select {
        /// The channels of the selection's operations.
        objects: Vec<ObjectInfo>,
    },
    /// Another thread's end, in `join`.
    Thread(ThreadInfo),
    /// An `unpark`, in `park`.
    Unpark,
}

/// Where and how a thread is blocked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blocked {
    /// The operation, e.g. `Mutex::lock`.
    pub operation: String,
    /// What it waits for.
    pub on: Target,
    /// Where the operation was called.
    pub at: SourceLocation,
    /// The user's frames at the operation, innermost first (filled when enriched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<Frame>,
    /// For a lock: who holds it (one writer, or the readers), and where each took it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_by: Vec<(ThreadInfo, SourceLocation)>,
    /// For channel operations: the channels, with who could still send or receive.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelWait>,
}

/// What became of a leaked thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LeakState {
    /// Blocked, and nothing left could wake it.
    BlockedForever(Blocked),
    /// Still running when the execution ran out of steps: a spin loop or a livelock.
    StillRunning {
        /// The step budget.
        max_steps: usize,
        /// The last operation it made, and where.
        last_seen: Option<(String, SourceLocation)>,
    },
    /// It finished, but only after the body returned, and nobody joined it.
    FinishedLate,
}

/// What a finding says, by kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Detail {
    /// See [`FindingKind::LeakedThread`].
    LeakedThread {
        /// The thread.
        thread: ThreadInfo,
        /// What became of it.
        state: LeakState,
    },
    /// See [`FindingKind::UnclosedChannel`].
    UnclosedChannel {
        /// The channel and its live ends.
        channel: ChannelInfo,
        /// The threads blocked forever on it.
        blocked: Vec<ChannelWaiter>,
    },
    /// See [`FindingKind::MissedSignal`].
    MissedSignal {
        /// The thread blocked forever in the wait.
        thread: ThreadInfo,
        /// The wait, e.g. `Condvar::wait_while`.
        operation: String,
        /// The condvar.
        condvar: ObjectInfo,
        /// Where it waits.
        wait_at: SourceLocation,
        /// Why the signal was missed.
        cause: SignalCause,
        /// Its wake-ups (by a notify) that ended in another wait on this condvar: a large count
        /// is a starving waiter.
        rewaits: usize,
    },
    /// See [`FindingKind::UnresponsiveCancellation`].
    UnresponsiveCancellation {
        /// The thread that uses the token and stays blocked.
        thread: ThreadInfo,
        /// The token.
        token: ObjectInfo,
        /// Where it was cancelled, and by whom.
        cancelled: (SourceLocation, ThreadInfo),
        /// Where the thread is blocked, in an operation that cannot see the cancellation.
        blocked: Blocked,
    },
    /// See [`FindingKind::LockOrderInversion`].
    LockOrderInversion {
        /// One order, as one thread took the two locks.
        first: LockOrder,
        /// The opposite order, as another thread took them.
        second: LockOrder,
    },
    /// See [`FindingKind::Deadlock`].
    Deadlock {
        /// The blocked threads, and where.
        blocked: Vec<(ThreadInfo, Blocked)>,
        /// The ids of the threads that wait for each other in a cycle, if they do.
        cycle: Vec<usize>,
        /// Every thread is blocked (rather than one thread waiting for a lock it holds itself
        /// while others run on).
        all_blocked: bool,
    },
    /// See [`FindingKind::Panic`].
    Panic {
        /// The thread.
        thread: ThreadInfo,
        /// The panic message.
        message: String,
        /// Where it panicked.
        at: Option<SourceLocation>,
        /// The user's frames at the panic (filled when enriched).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        stack: Vec<Frame>,
        /// Its `JoinHandle` was dropped without joining: std drops such a panic silently.
        never_joined: bool,
    },
    /// See [`FindingKind::StepLimit`].
    StepLimit {
        /// The step budget.
        max_steps: usize,
        /// The threads still running, with the last operation each made.
        running: Vec<(ThreadInfo, Option<(String, SourceLocation)>)>,
    },
}

/// One finding of a failing schedule.
///
/// In JSON: `kind` (the snake_case kind, from the detail's tag), `location` (see
/// [`Finding::location`]) and the fields of its [`Detail`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    kind: FindingKind,
    detail: Detail,
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            location: Option<&'a SourceLocation>,
            #[serde(flatten)]
            detail: &'a Detail,
        }
        Json {
            location: self.location(),
            detail: &self.detail,
        }
        .serialize(serializer)
    }
}

impl Finding {
    pub(crate) fn new(detail: Detail) -> Self {
        let kind = match &detail {
            Detail::LeakedThread { .. } => FindingKind::LeakedThread,
            Detail::UnclosedChannel { .. } => FindingKind::UnclosedChannel,
            Detail::MissedSignal { .. } => FindingKind::MissedSignal,
            Detail::UnresponsiveCancellation { .. } => FindingKind::UnresponsiveCancellation,
            Detail::LockOrderInversion { .. } => FindingKind::LockOrderInversion,
            Detail::Deadlock { .. } => FindingKind::Deadlock,
            Detail::Panic { .. } => FindingKind::Panic,
            Detail::StepLimit { .. } => FindingKind::StepLimit,
        };
        Finding { kind, detail }
    }

    /// The finding's kind.
    pub fn kind(&self) -> FindingKind {
        self.kind
    }

    /// Everything the finding says.
    pub fn detail(&self) -> &Detail {
        &self.detail
    }

    /// The thread the finding is about: the leaked or panicking thread, the first blocked thread
    /// of a deadlock, the first running thread past the step limit.
    pub fn thread(&self) -> Option<&ThreadInfo> {
        match &self.detail {
            Detail::LeakedThread { thread, .. } | Detail::Panic { thread, .. } => Some(thread),
            Detail::UnclosedChannel { blocked, .. } => blocked.first().map(|w| &w.thread),
            Detail::MissedSignal { thread, .. }
            | Detail::UnresponsiveCancellation { thread, .. } => Some(thread),
            Detail::LockOrderInversion { first, .. } => Some(&first.thread),
            Detail::Deadlock { blocked, .. } => blocked.first().map(|(t, _)| t),
            Detail::StepLimit { running, .. } => running.first().map(|(t, _)| t),
        }
    }

    /// Where the finding happens: where the thread is blocked, where it panicked, where a
    /// thread that finished late was spawned, where a running thread was last seen.
    pub fn location(&self) -> Option<&SourceLocation> {
        match &self.detail {
            Detail::LeakedThread { thread, state } => match state {
                LeakState::BlockedForever(b) => Some(&b.at),
                LeakState::StillRunning { last_seen, .. } => last_seen.as_ref().map(|(_, l)| l),
                LeakState::FinishedLate => thread.spawned_at.as_ref(),
            },
            Detail::UnclosedChannel { channel, .. } => Some(&channel.object.created_at),
            Detail::MissedSignal { wait_at, .. } => Some(wait_at),
            Detail::UnresponsiveCancellation { blocked, .. } => Some(&blocked.at),
            Detail::LockOrderInversion { first, .. } => Some(&first.then.1),
            Detail::Deadlock { blocked, .. } => blocked.first().map(|(_, b)| &b.at),
            Detail::Panic { at, .. } => at.as_ref(),
            Detail::StepLimit { running, .. } => running
                .first()
                .and_then(|(_, l)| l.as_ref().map(|(_, l)| l)),
        }
    }

    /// The object the finding is about: the unclosed channel, or the object the finding's
    /// thread is blocked on, if it is blocked on one.
    pub fn object(&self) -> Option<&ObjectInfo> {
        let blocked = match &self.detail {
            Detail::UnclosedChannel { channel, .. } => return Some(&channel.object),
            Detail::MissedSignal { condvar, .. } => return Some(condvar),
            Detail::UnresponsiveCancellation { token, .. } => return Some(token),
            Detail::LockOrderInversion { first, .. } => return Some(&first.first.0),
            Detail::LeakedThread {
                state: LeakState::BlockedForever(b),
                ..
            } => b,
            Detail::Deadlock { blocked, .. } => &blocked.first()?.1,
            _ => return None,
        };
        match &blocked.on {
            Target::Object(o) => Some(o),
            _ => None,
        }
    }
}

/// One `notify_one` or `notify_all` of a condvar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotifyInfo {
    /// Where it was called.
    pub at: SourceLocation,
    /// Who called it.
    pub by: ThreadInfo,
    /// `notify_all` rather than `notify_one`.
    pub all: bool,
    /// The thread a `notify_one` woke.
    pub woke: Option<ThreadInfo>,
}

/// Why a thread blocked forever in a condvar wait missed its signal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignalCause {
    /// The condvar was notified while nobody waited: the signal went nowhere.
    Lost {
        /// The notifies that came while nobody waited.
        notifies: Vec<NotifyInfo>,
    },
    /// A `notify_one` woke another thread, which went back to waiting, while this one stayed
    /// blocked.
    Misdirected {
        /// The notifies that woke the wrong thread.
        notifies: Vec<NotifyInfo>,
    },
    /// A notify woke the thread, but what it waits for was not there when it re-checked (a
    /// short-lived state it missed, or not enough for it), and it waited again; no notify came
    /// after that. A starving waiter when it happens again and again.
    Stale {
        /// The notify that woke it last.
        notify: NotifyInfo,
    },
    /// No notify came after the thread began to wait: the forgotten signal.
    NeverSignalled {
        /// The critical sections of the wait's mutex that other threads ran after the thread
        /// began to wait (who, and where they locked it): where the state changed without a
        /// notify.
        changed: Vec<(ThreadInfo, SourceLocation)>,
    },
}

/// One order in which a thread took two locks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockOrder {
    /// The thread.
    pub thread: ThreadInfo,
    /// The lock it took first, and where.
    pub first: (ObjectInfo, SourceLocation),
    /// The lock it took while holding the first, and where.
    pub then: (ObjectInfo, SourceLocation),
}

/// What a failing check found, in the first schedule that failed.
///
/// Small to move around (one pointer), so `Result<Summary, Report>` stays cheap.
///
/// In JSON (format 1): `format`, `test`, `package`, `findings`, `schedule`, `schedules`,
/// `seed`, `scheduler`, `replayed`, `replay_token`, `replay_command`, `notes`, and `text`, the
/// report as `Display` renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report(pub(crate) Box<ReportData>);

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

/// The content of a [`Report`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ReportData {
    /// The format version of the JSON rendering.
    pub(crate) format: u32,
    pub(crate) test: Option<String>,
    pub(crate) package: Option<String>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) schedule: usize,
    pub(crate) schedules: usize,
    pub(crate) seed: u64,
    pub(crate) scheduler: Scheduler,
    pub(crate) replayed: bool,
    pub(crate) replay_token: String,
    pub(crate) replay_command: String,
    pub(crate) notes: Vec<String>,
}

impl Report {
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
        self.0.findings.iter().any(|f| f.kind == kind)
    }

    /// The report as JSON (the same as serializing it with serde).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}

/// What a clean check explored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub(crate) schedules: usize,
    pub(crate) scheduler: Scheduler,
    pub(crate) seed: u64,
    #[serde(skip)]
    pub(crate) elapsed: Duration,
    pub(crate) complete: Option<bool>,
}

impl Summary {
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
