//! The threads of this process, as the operating system lists them: one small interface
//! ([`snapshot`], [`current`]) with one file per platform.

use std::fmt;

#[cfg(target_os = "linux")]
#[path = "linux.rs"]
mod platform;

#[cfg(target_vendor = "apple")]
#[path = "macos.rs"]
mod platform;

#[cfg(windows)]
#[path = "windows.rs"]
mod platform;

#[cfg(not(any(target_os = "linux", target_vendor = "apple", windows)))]
#[path = "unsupported.rs"]
mod platform;

/// One OS thread of this process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OsThread {
    /// The kernel's id of the thread (Linux: the tid; macOS: the thread id of
    /// `THREAD_IDENTIFIER_INFO`; Windows: the thread id).
    pub id: u64,
    /// When the thread started, in the platform's own unit, where the platform tells it: with
    /// the id, it tells a thread from a later one that reuses the id.
    pub started: Option<u64>,
    /// The thread's name as the OS keeps it (Linux truncates it to 15 bytes), if it has one.
    pub name: Option<String>,
    /// What the thread is doing.
    pub state: OsState,
}

/// What an OS thread is doing, as the OS says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OsState {
    /// Waiting in the kernel for something other than time (a futex, a pipe, a socket), with
    /// the kernel's wait point when the OS tells it (Linux: `futex_do_wait`).
    #[cfg_attr(windows, allow(dead_code))]
    Blocked(Option<String>),
    /// Waiting for time to pass (a sleep or a timed wait), with the wait point when known.
    /// (Only Linux tells a sleep from another wait.)
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Sleeping(Option<String>),
    /// Running, or ready to run.
    #[cfg_attr(windows, allow(dead_code))]
    Running,
    /// Stopped, a zombie, or a state the OS reports that fits none of the above.
    Other(String),
}

impl fmt::Display for OsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OsState::Blocked(Some(at)) => write!(f, "blocked in the kernel at {at}"),
            OsState::Blocked(None) => f.write_str("blocked in the kernel"),
            OsState::Sleeping(Some(at)) => write!(f, "sleeping at {at}"),
            OsState::Sleeping(None) => f.write_str("sleeping"),
            OsState::Running => f.write_str("running"),
            OsState::Other(s) => write!(f, "in state {s}"),
        }
    }
}

/// Why the threads could not be listed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OsError {
    /// This platform has no thread listing leakcheck knows.
    #[cfg_attr(
        any(target_os = "linux", target_vendor = "apple", windows),
        allow(dead_code)
    )]
    #[error("live mode is not supported on this platform ({0}): it lists threads on Linux, macOS and Windows")]
    Unsupported(&'static str),
    /// The OS refused or failed.
    #[error("cannot list this process's threads: {0}")]
    Io(#[from] std::io::Error),
}

/// Every thread of this process, in the OS's order.
pub(crate) fn snapshot() -> Result<Vec<OsThread>, OsError> {
    platform::snapshot()
}

/// The id of the calling thread, as [`OsThread::id`] gives it.
pub(crate) fn current() -> Result<u64, OsError> {
    platform::current()
}
