//! Schedulers, as settings and reports name them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The depth PCT uses unless told otherwise: most concurrency bugs need three ordering
/// constraints or fewer.
pub const DEFAULT_PCT_DEPTH: usize = 3;

/// The preemption bound `exhaustive` uses unless told otherwise.
pub const DEFAULT_PREEMPTION_BOUND: usize = 2;

/// What `LEAKCHECK_SCHEDULER` and `scheduler = "..."` accept, for error messages.
pub const ACCEPTED_SCHEDULERS: &str =
    "`random`, `pct`, `pct:<depth>` (depth at least 1), `dfs`, `exhaustive` or `exhaustive:<preemption bound>`";

/// How the scheduler chooses which thread runs next.
///
/// `Display` and `FromStr` use the short names of `LEAKCHECK_SCHEDULER` (`random`, `pct:3`,
/// `dfs`, `exhaustive:2`); in JSON it is an object tagged by `kind`
/// (`{"kind": "pct", "depth": 3}`).
///
/// # Examples
///
/// ```
/// use leakcheck_schema::Scheduler;
///
/// assert_eq!("pct:5".parse::<Scheduler>(), Ok(Scheduler::Pct { depth: 5 }));
/// assert_eq!(Scheduler::default().to_string(), "pct:3");
/// assert!("fifo".parse::<Scheduler>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scheduler {
    /// At every scheduling point, a uniformly random runnable thread.
    Random,
    /// Probabilistic Concurrency Testing: threads run by priority, and the priorities change at
    /// `depth - 1` random points. A bug that needs `d` ordering constraints is found with
    /// probability at least `1 / (n * k^(d-1))` per schedule (`n` threads, `k` steps).
    Pct {
        /// The bug depth to aim for (at least 1).
        depth: usize,
    },
    /// Depth-first enumeration of schedules: systematic, useful for tiny tests.
    Dfs,
    /// Every execution, up to a preemption bound: every interleaving in which threads are
    /// preempted (switched away from while they could go on) at most `preemption_bound` times,
    /// combined with every outcome of every other choice (spurious wake-ups, which waiter a
    /// `notify_one` wakes, which ready `select!` arm runs, whether a timeout fires). A clean run
    /// that explored them all (`Summary::complete`) is a proof for that bound, not a sample.
    ///
    /// It runs on loom, whose limits it states: at most 4 spawned threads per execution (more is
    /// a `ConfigError::Unsupported` that names the spawn), and at most `MAX_EXHAUSTIVE_STEPS`
    /// steps per execution.
    Exhaustive {
        /// The most preemptions per execution (2 finds most bugs; each more multiplies the
        /// executions).
        preemption_bound: usize,
    },
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::Pct {
            depth: DEFAULT_PCT_DEPTH,
        }
    }
}

impl fmt::Display for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheduler::Random => f.write_str("random"),
            Scheduler::Pct { depth } => write!(f, "pct:{depth}"),
            Scheduler::Dfs => f.write_str("dfs"),
            Scheduler::Exhaustive { preemption_bound } => {
                write!(f, "exhaustive:{preemption_bound}")
            }
        }
    }
}

/// A scheduler name that [`Scheduler`]'s `FromStr` could not read; the message lists what it
/// accepts ([`ACCEPTED_SCHEDULERS`]).
///
/// ```
/// use leakcheck_schema::Scheduler;
///
/// let err = "pct:0".parse::<Scheduler>().unwrap_err();
/// assert!(err.to_string().starts_with("`pct:0` has no valid depth; expected `random`, `pct`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseSchedulerError {
    /// No scheduler has this name.
    #[error("`{0}` is not a scheduler; expected {ACCEPTED_SCHEDULERS}")]
    Unknown(String),
    /// `pct:` followed by something other than a depth of at least 1.
    #[error("`{0}` has no valid depth; expected {ACCEPTED_SCHEDULERS}")]
    Depth(String),
    /// `exhaustive:` followed by something other than a number.
    #[error("`{0}` has no valid preemption bound; expected {ACCEPTED_SCHEDULERS}")]
    PreemptionBound(String),
}

impl std::str::FromStr for Scheduler {
    type Err = ParseSchedulerError;

    /// Parses `random`, `pct` (depth 3), `pct:N`, `dfs`, `exhaustive` (bound 2) or
    /// `exhaustive:N`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "random" => Ok(Scheduler::Random),
            "pct" => Ok(Scheduler::default()),
            "dfs" => Ok(Scheduler::Dfs),
            "exhaustive" => Ok(Scheduler::Exhaustive {
                preemption_bound: DEFAULT_PREEMPTION_BOUND,
            }),
            other => {
                if let Some(depth) = other.strip_prefix("pct:") {
                    return match depth.parse::<usize>() {
                        Ok(depth) if depth >= 1 => Ok(Scheduler::Pct { depth }),
                        _ => Err(ParseSchedulerError::Depth(other.to_string())),
                    };
                }
                if let Some(bound) = other.strip_prefix("exhaustive:") {
                    return match bound.parse::<usize>() {
                        Ok(preemption_bound) => Ok(Scheduler::Exhaustive { preemption_bound }),
                        _ => Err(ParseSchedulerError::PreemptionBound(other.to_string())),
                    };
                }
                Err(ParseSchedulerError::Unknown(other.to_string()))
            }
        }
    }
}
