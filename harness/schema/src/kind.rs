//! The kinds of finding, and their names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kinds of finding. `Display` gives the snake_case name that `expect = "..."` takes, and
/// JSON holds the same name.
///
/// ```
/// use leakcheck_schema::FindingKind;
///
/// assert_eq!(FindingKind::LeakedThread.to_string(), "leaked_thread");
/// assert_eq!("deadlock".parse::<FindingKind>(), Ok(FindingKind::Deadlock));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A thread spawned in the body had not finished when the body returned.
    LeakedThread,
    /// An async task spawned in the body had not completed when the body returned: pending
    /// forever, pending with no live waker, still runnable at the step limit, or finished late.
    LeakedTask,
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
    /// An async task suspended at an `.await` while it held a lock guard of the `sync` facade:
    /// every other user of the lock waits for the task, and on a `current_thread` runtime the
    /// runtime deadlocks.
    HeldAcrossAwait,
    /// A value moved into a send future (`Sender::send`, `send_timeout`) that was dropped
    /// before it delivered the value, typically by a `select!` whose other branch completed
    /// first: the value is gone, and nobody is told.
    LostMessage,
    /// A thread did not come back to the scheduler within the stall timeout: it is blocked
    /// outside leakcheck (a std primitive used directly, real I/O) or computing for very long.
    Stall,
}

impl FindingKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [FindingKind; 12] = [
        FindingKind::Deadlock,
        FindingKind::LeakedThread,
        FindingKind::LeakedTask,
        FindingKind::UnclosedChannel,
        FindingKind::MissedSignal,
        FindingKind::UnresponsiveCancellation,
        FindingKind::LockOrderInversion,
        FindingKind::HeldAcrossAwait,
        FindingKind::LostMessage,
        FindingKind::Panic,
        FindingKind::StepLimit,
        FindingKind::Stall,
    ];

    /// The snake_case name, as `expect` takes it.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::LeakedThread => "leaked_thread",
            FindingKind::LeakedTask => "leaked_task",
            FindingKind::UnclosedChannel => "unclosed_channel",
            FindingKind::MissedSignal => "missed_signal",
            FindingKind::Deadlock => "deadlock",
            FindingKind::Panic => "panic",
            FindingKind::StepLimit => "step_limit",
            FindingKind::UnresponsiveCancellation => "unresponsive_cancellation",
            FindingKind::LockOrderInversion => "lock_order_inversion",
            FindingKind::HeldAcrossAwait => "held_across_await",
            FindingKind::LostMessage => "lost_message",
            FindingKind::Stall => "stall",
        }
    }

    /// How a report's first line counts `n` findings of this kind: the number and the noun,
    /// singular or plural.
    ///
    /// ```
    /// use leakcheck_schema::FindingKind;
    ///
    /// assert_eq!(FindingKind::LeakedThread.noun(1), "1 leaked thread");
    /// assert_eq!(FindingKind::StepLimit.noun(2), "2 step limits exceeded");
    /// ```
    pub fn noun(self, n: usize) -> String {
        let (one, many) = match self {
            FindingKind::LeakedThread => ("leaked thread", "leaked threads"),
            FindingKind::LeakedTask => ("leaked task", "leaked tasks"),
            FindingKind::UnclosedChannel => ("unclosed channel", "unclosed channels"),
            FindingKind::MissedSignal => ("missed signal", "missed signals"),
            FindingKind::Deadlock => ("deadlock", "deadlocks"),
            FindingKind::Panic => ("panic", "panics"),
            FindingKind::StepLimit => ("step limit exceeded", "step limits exceeded"),
            FindingKind::UnresponsiveCancellation => {
                ("unresponsive cancellation", "unresponsive cancellations")
            }
            FindingKind::LockOrderInversion => ("lock order inversion", "lock order inversions"),
            FindingKind::HeldAcrossAwait => {
                ("lock held across an await", "locks held across an await")
            }
            FindingKind::LostMessage => ("lost message", "lost messages"),
            FindingKind::Stall => ("stalled thread", "stalled threads"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a finding kind's.
///
/// ```
/// use leakcheck_schema::FindingKind;
///
/// let err = "leak".parse::<FindingKind>().unwrap_err();
/// assert!(err.to_string().starts_with("`leak` is not a finding kind; expected one of deadlock,"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a finding kind; expected one of {}", expected())]
#[non_exhaustive]
pub struct ParseFindingKindError {
    /// The name, as given.
    pub name: String,
}

fn expected() -> String {
    let names: Vec<_> = FindingKind::ALL.iter().map(|k| k.name()).collect();
    names.join(", ")
}

impl std::str::FromStr for FindingKind {
    type Err = ParseFindingKindError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ParseFindingKindError {
                name: s.to_string(),
            })
    }
}
