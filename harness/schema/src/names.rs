//! Threads and objects, as reports name them: `thread#3 "worker-2"`, `mutex#2`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Frame, SourceLocation};

/// A thread, as reports name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadInfo {
    /// Its number in the execution; 0 is the test body.
    pub id: usize,
    /// The name given with `Builder::name`.
    pub name: Option<String>,
    /// Where it was spawned (none for the test body).
    pub spawned_at: Option<SourceLocation>,
    /// The user's frames at the spawn, innermost first (filled when the report is enriched).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spawn_stack: Vec<Frame>,
    /// Whether it had finished when the execution ended.
    pub finished: bool,
    /// A thread, or an async task (`task#3`): tasks and threads share one numbering. Absent
    /// (a thread) in reports written before tasks existed.
    #[serde(default, skip_serializing_if = "Role::is_thread")]
    pub role: Role,
}

/// What a model thread is: an OS thread's model, or an async task's (each task runs on a model
/// thread of its own, polled while it holds one of its runtime's workers).
///
/// ```
/// use leakcheck_schema::{Role, ThreadInfo};
///
/// let task = ThreadInfo {
///     id: 2, name: None, spawned_at: None, spawn_stack: vec![], finished: false,
///     role: Role::Task,
/// };
/// assert_eq!(task.to_string(), "task#2");
/// assert_eq!(Role::BlockingTask.noun(), "blocking task");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// A thread (`thread::spawn`, or the test body).
    #[default]
    Thread,
    /// An async task (`tokio::spawn`, `JoinSet::spawn`).
    Task,
    /// A blocking task (`tokio::task::spawn_blocking`): a closure on the runtime's blocking pool.
    BlockingTask,
}

impl Role {
    /// Whether this is a thread (what JSON leaves out).
    pub fn is_thread(&self) -> bool {
        *self == Role::Thread
    }

    /// How reports call it: `thread`, `task`, `blocking task`.
    pub fn noun(self) -> &'static str {
        match self {
            Role::Thread => "thread",
            Role::Task => "task",
            Role::BlockingTask => "blocking task",
        }
    }
}

/// What kind of object a report names. `Display`, [`as_str`](ObjectKind::as_str) and JSON all
/// give the same lowercase name, the one reports write before `#`: `mutex#2`, `rwlock#1`.
///
/// It compares equal to its name, so `object.kind == "mutex"` reads as it should:
///
/// ```
/// use leakcheck_schema::ObjectKind;
///
/// assert_eq!(ObjectKind::RwLock.to_string(), "rwlock");
/// assert_eq!(ObjectKind::Condvar, "condvar");
/// assert_eq!(serde_json::to_string(&ObjectKind::RwLock).unwrap(), "\"rwlock\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ObjectKind {
    /// A `Mutex`.
    Mutex,
    /// A channel: crossbeam's, std's `mpsc`, or a token's `done` channel.
    Channel,
    /// A `Condvar`.
    Condvar,
    /// An `RwLock`.
    RwLock,
    /// A `Barrier`.
    Barrier,
    /// A `Once`.
    Once,
    /// A cancellation token (`cancel::Token`).
    Token,
    /// A counting `Semaphore`.
    Semaphore,
    /// A `ReentrantMutex` (parking_lot's): `reentrant_mutex#1`.
    #[serde(rename = "reentrant_mutex")]
    ReentrantMutex,
    /// An async runtime (`block_on`, an `async` test): its workers are what its tasks wait
    /// for to be polled.
    Runtime,
    /// tokio's `Notify`.
    Notify,
}

impl ObjectKind {
    /// Its name: `mutex`, `channel`, `condvar`, `rwlock`, `barrier`, `once`, `token`,
    /// `semaphore`, `reentrant_mutex`, `runtime`, `notify`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Mutex => "mutex",
            ObjectKind::Channel => "channel",
            ObjectKind::Condvar => "condvar",
            ObjectKind::RwLock => "rwlock",
            ObjectKind::Barrier => "barrier",
            ObjectKind::Once => "once",
            ObjectKind::Token => "token",
            ObjectKind::Semaphore => "semaphore",
            ObjectKind::ReentrantMutex => "reentrant_mutex",
            ObjectKind::Runtime => "runtime",
            ObjectKind::Notify => "notify",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ObjectKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ObjectKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ObjectKind> for str {
    fn eq(&self, other: &ObjectKind) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<ObjectKind> for &str {
    fn eq(&self, other: &ObjectKind) -> bool {
        *self == other.as_str()
    }
}

/// An object (mutex, channel, ...), as reports name it: `mutex#2`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInfo {
    /// What it is.
    pub kind: ObjectKind,
    /// Its number among the objects of its kind, from 1.
    pub id: usize,
    /// Where it was created.
    pub created_at: SourceLocation,
}
