//! Findings: what a failing schedule shows, as typed values.

use serde::{Deserialize, Serialize};

use crate::{FindingKind, Frame, ObjectInfo, SourceLocation, ThreadInfo};

/// One live end of a channel (a `Sender` or a `Receiver`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelWaiter {
    /// The thread.
    pub thread: ThreadInfo,
    /// The operation it is blocked in, e.g. `Sender::send` or `select!`.
    pub operation: String,
    /// Whether it waits to send (rather than to receive) on this channel.
    pub sending: bool,
}

/// A channel a blocked thread waits on, and which way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelWait {
    /// The channel, with its live ends.
    pub channel: ChannelInfo,
    /// Whether the thread waits to send (rather than to receive) on it.
    pub sending: bool,
}

/// What a blocked thread waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Nothing but time, in `sleep`.
    Sleep,
    /// A wake-up of its waker: an async task suspended on a future leakcheck does not know.
    Wake,
}

/// A thread that holds a lock, and where it took it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The thread.
    pub thread: ThreadInfo,
    /// Where it locked it.
    pub since: SourceLocation,
}

/// Where and how a thread is blocked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// The operation, e.g. `Mutex::lock`.
    pub operation: String,
    /// What it waits for.
    pub on: Target,
    /// Where the operation was called.
    pub at: SourceLocation,
    /// The user's frames at the operation, innermost first (filled when enriched).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<Frame>,
    /// For a lock: who holds it (one writer, or the readers), and where each took it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_by: Vec<Holder>,
    /// For channel operations: the channels, with who could still send or receive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelWait>,
}

/// The last facade operation a running thread made, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSeen {
    /// The operation, e.g. `thread::yield_now`.
    pub operation: String,
    /// Where it was called.
    pub at: SourceLocation,
}

/// What became of a leaked thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
        last_seen: Option<LastSeen>,
    },
    /// It finished, but only after the body returned, and nobody joined it.
    FinishedLate,
    /// Live mode: an OS thread that the body started and that was still alive when the grace
    /// period after the body ran out.
    StillAlive(OsThread),
}

/// What became of a leaked async task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskLeak {
    /// Pending, and nothing left could wake it: what it awaits (the operation, its object and
    /// the `.await`'s line) when it is a leakcheck future; otherwise `None`, and `last_seen`
    /// says where it was last.
    PendingForever {
        /// The operation it awaits, e.g. `Receiver::recv`, on what, and where it was awaited.
        awaiting: Option<Blocked>,
        /// The last operation it made before it suspended, and where.
        last_seen: Option<LastSeen>,
    },
    /// Pending with no live waker: every `Waker` for it was dropped (or its future never kept
    /// one), so nothing can ever wake it. Found, and reported, when it happened.
    LostWaker {
        /// Where the task was when its last waker went: the operation it awaited last, and
        /// where.
        last_seen: Option<LastSeen>,
        /// Who dropped the last waker, and where, if it was not the task's own poll (which
        /// returned `Pending` without keeping one).
        dropped_by: Option<LostWakerDrop>,
    },
    /// Still runnable when the execution ran out of steps: a retry or timer loop that never
    /// ends.
    StillRunnable {
        /// The step budget.
        max_steps: usize,
        /// The last operation it made, and where.
        last_seen: Option<LastSeen>,
    },
    /// It completed, but only after the body returned, and nobody awaited it.
    FinishedLate,
    /// Live mode (`live::check_tokio`): tokio counted it alive in the runtime when the grace
    /// period after the body ran out (tokio does not say which task it is on a stable build).
    AliveInRuntime {
        /// How many tasks were alive.
        alive: usize,
        /// How long the check drove the runtime after the body returned, in milliseconds.
        grace_ms: u64,
    },
}

/// Who dropped a pending task's last waker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostWakerDrop {
    /// The thread or task that dropped it.
    pub by: ThreadInfo,
    /// Its last operation before, and where.
    pub last_seen: Option<LastSeen>,
}

/// An OS thread that live mode found alive after the body returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsThread {
    /// The OS's id of the thread (the tid on Linux).
    pub os_id: u64,
    /// What the thread was doing when the grace period ran out.
    pub activity: OsActivity,
    /// How long the check waited for it to finish after the body returned, in milliseconds.
    pub grace_ms: u64,
    /// Whether the thread may belong to another test that ran in the same process at the same
    /// time (under `cargo test` with more than one test thread); never under nextest.
    pub maybe_other_test: bool,
}

/// What an OS thread was doing, as the OS said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "activity", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OsActivity {
    /// Waiting in the kernel for something other than time: a lock, a channel, I/O.
    Blocked {
        /// The kernel function it waits in, when the OS tells it (Linux: `futex_do_wait`).
        wait_point: Option<String>,
    },
    /// Waiting for time to pass: a sleep or a timed wait.
    Sleeping {
        /// The kernel function it waits in, when the OS tells it.
        wait_point: Option<String>,
    },
    /// Running or ready to run: a spin loop, a long computation.
    Running,
    /// Something else the OS reports (stopped, exiting), or nothing more (Windows tells only
    /// that a thread is alive).
    Other {
        /// The OS's word for it.
        state: String,
    },
}

/// Where a cancellation token was cancelled, and by whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancelled {
    /// Where `cancel` was called.
    pub at: SourceLocation,
    /// The thread that called it.
    pub by: ThreadInfo,
}

/// A thread of a deadlock, and where it is blocked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedThread {
    /// The thread.
    pub thread: ThreadInfo,
    /// Where and how it is blocked.
    pub blocked: Blocked,
}

/// A thread still running at the step limit, and the last operation it made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningThread {
    /// The thread.
    pub thread: ThreadInfo,
    /// The last operation it made, and where, if it made one.
    pub last_seen: Option<LastSeen>,
}

/// A critical section of a mutex: who locked it, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalSection {
    /// The thread that locked the mutex.
    pub thread: ThreadInfo,
    /// Where it locked it.
    pub at: SourceLocation,
}

/// What a finding says, by kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// See [`FindingKind::LeakedTask`].
    LeakedTask {
        /// The task (its [`ThreadInfo::role`] says task or blocking task).
        task: ThreadInfo,
        /// What became of it.
        state: TaskLeak,
        /// Whether its `JoinHandle` was dropped (the task detached) rather than held by
        /// someone still alive.
        detached: bool,
    },
    /// See [`FindingKind::UnclosedChannel`].
    UnclosedChannel {
        /// The channel and its live ends.
        channel: ChannelInfo,
        /// The threads blocked forever on it.
        blocked: Vec<ChannelWaiter>,
        /// Whether this channel is left open only because of the execution's deadlock: every
        /// thread blocked on it is part of the deadlock the same report shows. Absent (false)
        /// in reports written before it existed.
        #[serde(default)]
        consequence_of_deadlock: bool,
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
        cancelled: Cancelled,
        /// Where the thread is blocked, in an operation that cannot see the cancellation; for
        /// a task still runnable (see `still_runnable`), where it last suspended.
        blocked: Blocked,
        /// `Some(max_steps)`: not blocked, but an async task still runnable when the execution
        /// ran out of steps after the body returned (a loop that never looks at the token
        /// again); also reported as a leaked task, still runnable. Absent in reports written
        /// before this existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        still_runnable: Option<usize>,
    },
    /// See [`FindingKind::LockOrderInversion`].
    LockOrderInversion {
        /// One order, as one thread took the two locks.
        first: LockOrder,
        /// The opposite order, as another thread took them.
        second: LockOrder,
    },
    /// See [`FindingKind::HeldAcrossAwait`].
    HeldAcrossAwait {
        /// The task (or `block_on`'s root future) that suspended.
        task: ThreadInfo,
        /// The lock it held.
        lock: ObjectInfo,
        /// Where it locked it.
        locked_at: SourceLocation,
        /// Where it suspended: the `.await` of a leakcheck future, or its last operation.
        suspended_at: SourceLocation,
        /// What it awaited there, e.g. `time::sleep`, if leakcheck knows.
        awaiting: Option<String>,
        /// The threads and tasks left blocked on the lock when the execution ended.
        waiters: Vec<ThreadInfo>,
    },
    /// See [`FindingKind::LostMessage`].
    LostMessage {
        /// The thread or task that dropped the send future (the one that called the send, as
        /// a send future borrows its sender).
        task: ThreadInfo,
        /// The channel the value was for.
        channel: ObjectInfo,
        /// The send, e.g. `Sender::send`.
        operation: String,
        /// Where it was called: where the value was given.
        sent_at: SourceLocation,
        /// Where the future was dropped: `select!` at the `select!` whose other branch
        /// completed first, else the dropper's last operation and where.
        dropped_at: Option<LastSeen>,
        /// How many values were lost there in this execution (a loop loses one a turn).
        count: usize,
    },
    /// See [`FindingKind::Deadlock`].
    Deadlock {
        /// The blocked threads, and where.
        blocked: Vec<BlockedThread>,
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
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        stack: Vec<Frame>,
        /// Its `JoinHandle` was dropped without joining: std drops such a panic silently.
        never_joined: bool,
    },
    /// See [`FindingKind::StepLimit`].
    StepLimit {
        /// The step budget.
        max_steps: usize,
        /// The threads still running, with the last operation each made.
        running: Vec<RunningThread>,
    },
    /// See [`FindingKind::Stall`].
    Stall {
        /// The thread that did not come back to the scheduler.
        thread: ThreadInfo,
        /// The last facade operation it made before it stalled, and where.
        last_seen: Option<LastSeen>,
        /// The stall timeout, in milliseconds of wall-clock time.
        timeout_ms: u64,
        /// How long it stayed away from the scheduler, in milliseconds of wall-clock time (at
        /// least the timeout; not deterministic, so the text shows the timeout).
        elapsed_ms: u64,
        /// Whether it came back to the scheduler in the end (a long computation), rather than
        /// staying blocked until the process was ended.
        came_back: bool,
    },
}

impl Detail {
    /// The kind of finding this detail belongs to.
    pub fn kind(&self) -> FindingKind {
        match self {
            Detail::LeakedThread { .. } => FindingKind::LeakedThread,
            Detail::LeakedTask { .. } => FindingKind::LeakedTask,
            Detail::UnclosedChannel { .. } => FindingKind::UnclosedChannel,
            Detail::MissedSignal { .. } => FindingKind::MissedSignal,
            Detail::UnresponsiveCancellation { .. } => FindingKind::UnresponsiveCancellation,
            Detail::LockOrderInversion { .. } => FindingKind::LockOrderInversion,
            Detail::HeldAcrossAwait { .. } => FindingKind::HeldAcrossAwait,
            Detail::LostMessage { .. } => FindingKind::LostMessage,
            Detail::Deadlock { .. } => FindingKind::Deadlock,
            Detail::Panic { .. } => FindingKind::Panic,
            Detail::StepLimit { .. } => FindingKind::StepLimit,
            Detail::Stall { .. } => FindingKind::Stall,
        }
    }
}

/// One finding of a failing schedule.
///
/// In JSON: `kind` (the snake_case kind, from the detail's tag), `location` (see
/// [`Finding::location`]) and the fields of its [`Detail`]. Reading JSON back ignores
/// `location`: it follows from the detail.
///
/// ```
/// use leakcheck_schema::{Detail, Finding, FindingKind, SourceLocation, ThreadInfo};
///
/// let at = SourceLocation { file: "src/lib.rs".into(), line: 7, column: 5 };
/// let finding = Finding::new(Detail::Panic {
///     thread: ThreadInfo {
///         id: 1, name: None, spawned_at: None, spawn_stack: vec![], finished: true,
///         role: Default::default(),
///     },
///     message: "boom".into(),
///     at: Some(at.clone()),
///     stack: vec![],
///     never_joined: false,
/// });
/// assert_eq!(finding.kind(), FindingKind::Panic);
/// assert_eq!(finding.location(), Some(&at));
/// let json = serde_json::to_string(&finding).unwrap();
/// assert_eq!(serde_json::from_str::<Finding>(&json).unwrap(), finding);
/// ```
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

impl<'de> Deserialize<'de> for Finding {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `location` is left to the detail's own fields to ignore: it is derived, not stored.
        Detail::deserialize(deserializer).map(Finding::new)
    }
}

impl From<Detail> for Finding {
    fn from(detail: Detail) -> Self {
        Finding::new(detail)
    }
}

impl Finding {
    /// The finding that `detail` describes; its kind follows from the detail. Detectors make
    /// findings this way.
    pub fn new(detail: Detail) -> Self {
        Finding {
            kind: detail.kind(),
            detail,
        }
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
            Detail::LeakedThread { thread, .. }
            | Detail::LeakedTask { task: thread, .. }
            | Detail::Panic { thread, .. }
            | Detail::Stall { thread, .. } => Some(thread),
            Detail::UnclosedChannel { blocked, .. } => blocked.first().map(|w| &w.thread),
            Detail::MissedSignal { thread, .. }
            | Detail::UnresponsiveCancellation { thread, .. } => Some(thread),
            Detail::LockOrderInversion { first, .. } => Some(&first.thread),
            Detail::HeldAcrossAwait { task, .. } | Detail::LostMessage { task, .. } => Some(task),
            Detail::Deadlock { blocked, .. } => blocked.first().map(|b| &b.thread),
            Detail::StepLimit { running, .. } => running.first().map(|r| &r.thread),
        }
    }

    /// Where the finding happens: where the thread is blocked, where it panicked, where a
    /// thread that finished late was spawned, where a running thread was last seen.
    pub fn location(&self) -> Option<&SourceLocation> {
        match &self.detail {
            Detail::LeakedThread { thread, state } => match state {
                LeakState::BlockedForever(b) => Some(&b.at),
                LeakState::StillRunning { last_seen, .. } => last_seen.as_ref().map(|l| &l.at),
                LeakState::FinishedLate => thread.spawned_at.as_ref(),
                LeakState::StillAlive(_) => None,
            },
            Detail::LeakedTask { task, state, .. } => match state {
                TaskLeak::PendingForever {
                    awaiting: Some(b), ..
                } => Some(&b.at),
                TaskLeak::PendingForever { last_seen, .. }
                | TaskLeak::LostWaker { last_seen, .. }
                | TaskLeak::StillRunnable { last_seen, .. } => last_seen
                    .as_ref()
                    .map(|l| &l.at)
                    .or(task.spawned_at.as_ref()),
                TaskLeak::FinishedLate => task.spawned_at.as_ref(),
                TaskLeak::AliveInRuntime { .. } => None,
            },
            Detail::UnclosedChannel { channel, .. } => Some(&channel.object.created_at),
            Detail::MissedSignal { wait_at, .. } => Some(wait_at),
            Detail::UnresponsiveCancellation { blocked, .. } => Some(&blocked.at),
            Detail::LockOrderInversion { first, .. } => Some(&first.then.at),
            Detail::HeldAcrossAwait { suspended_at, .. } => Some(suspended_at),
            Detail::LostMessage { sent_at, .. } => Some(sent_at),
            Detail::Deadlock { blocked, .. } => blocked.first().map(|b| &b.blocked.at),
            Detail::Panic { at, .. } => at.as_ref(),
            Detail::StepLimit { running, .. } => running
                .first()
                .and_then(|r| r.last_seen.as_ref().map(|l| &l.at)),
            Detail::Stall { last_seen, .. } => last_seen.as_ref().map(|l| &l.at),
        }
    }

    /// The object the finding is about: the unclosed channel, or the object the finding's
    /// thread is blocked on, if it is blocked on one.
    pub fn object(&self) -> Option<&ObjectInfo> {
        let blocked = match &self.detail {
            Detail::UnclosedChannel { channel, .. } => return Some(&channel.object),
            Detail::MissedSignal { condvar, .. } => return Some(condvar),
            Detail::UnresponsiveCancellation { token, .. } => return Some(token),
            Detail::LockOrderInversion { first, .. } => return Some(&first.first.lock),
            Detail::HeldAcrossAwait { lock, .. } => return Some(lock),
            Detail::LostMessage { channel, .. } => return Some(channel),
            Detail::LeakedThread {
                state: LeakState::BlockedForever(b),
                ..
            } => b,
            Detail::LeakedTask {
                state:
                    TaskLeak::PendingForever {
                        awaiting: Some(b), ..
                    },
                ..
            } => b,
            Detail::Deadlock { blocked, .. } => &blocked.first()?.blocked,
            _ => return None,
        };
        match &blocked.on {
            Target::Object(o) => Some(o),
            _ => None,
        }
    }
}

/// One `notify_one` or `notify_all` of a condvar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
        changed: Vec<CriticalSection>,
    },
}

/// A lock a thread took, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockTaken {
    /// The lock.
    pub lock: ObjectInfo,
    /// Where it was taken.
    pub at: SourceLocation,
}

/// One order in which a thread took two locks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockOrder {
    /// The thread.
    pub thread: ThreadInfo,
    /// The lock it took first, and where.
    pub first: LockTaken,
    /// The lock it took while holding the first, and where.
    pub then: LockTaken,
}
