//! The errors of leakcheck itself: bad configuration and bad replay tokens.
//!
//! These are usage errors, not findings: `check` and `explore` panic with their message, and
//! `cargo leakcheck` turns them into exit code 2.

/// A setting, in code or in the environment, that leakcheck cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable holds a value of the wrong form.
    #[error(
        "leakcheck: environment variable {variable}={value:?} is not valid: expected {accepted}"
    )]
    Env {
        /// The variable, e.g. `LEAKCHECK_SCHEDULES`.
        variable: &'static str,
        /// The value found.
        value: String,
        /// What the variable accepts.
        accepted: &'static str,
    },
    /// A setting made in code is out of range.
    #[error("leakcheck: the setting `{setting}` {problem}")]
    Invalid {
        /// The setting, e.g. `schedules`.
        setting: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The replay token cannot be used.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// The code under test does not run the same way twice on the same decisions, so a
    /// systematic search cannot go on (nor a schedule be replayed).
    #[error("leakcheck: the code under test is not deterministic: {reason}. Checks need code whose behaviour depends only on the schedule: not on time, randomness, I/O or the iteration order of a HashMap")]
    Nondeterministic {
        /// Where it showed.
        reason: String,
    },
    /// The test does something the scheduler's engine cannot model, such as more threads than
    /// loom runs under the exhaustive scheduler.
    #[error(
        "leakcheck: the {scheduler} scheduler cannot run this test: {reason}. Instead: {instead}"
    )]
    Unsupported {
        /// The scheduler, e.g. `exhaustive`.
        scheduler: &'static str,
        /// What the test did, and the limit it passed.
        reason: String,
        /// What to do about it.
        instead: &'static str,
    },
    /// The report directory cannot be written.
    #[error("leakcheck: cannot write the report to LEAKCHECK_REPORT_DIR={dir}: {reason}")]
    ReportDir {
        /// The directory.
        dir: String,
        /// What the file system said.
        reason: String,
    },
}

/// Why a replay token cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The text is not a leakcheck replay token at all.
    #[error("leakcheck: the replay token is malformed: {reason}. A replay token is the text after `LEAKCHECK_REPLAY=` in a leakcheck report's replay line; it starts with `lc1_` followed by letters, digits, `-` and `_`")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
    /// The token is well formed but was recorded for other code: the program asked for a choice
    /// the recorded schedule cannot answer.
    #[error("leakcheck: the replay token does not fit this test: {reason}. It was recorded for another test or for an older version of this code; run the check without LEAKCHECK_REPLAY to explore again")]
    Diverged {
        /// Where the schedule and the program parted.
        reason: String,
    },
    /// `LEAKCHECK_REPLAY=@path` (or `Config::replay("@path")`) names a file that cannot be
    /// read.
    #[error("leakcheck: cannot read the replay token file `{path}` (given as `@{path}`): {reason}. A report whose token is too long to paste writes it to a file and says `LEAKCHECK_REPLAY=@<file>`; the path is relative to the current directory or to the workspace root")]
    File {
        /// The path, as given.
        path: String,
        /// What the file system said.
        reason: String,
    },
    /// The execution did not follow its own recorded schedule: at some decision the program
    /// asked for something the record cannot answer. The code under test is nondeterministic
    /// beyond the scheduler (or changed since the token was recorded).
    #[error("leakcheck: the replay token does not fit this test's execution: at decision {step}, {asked}. The code under test did something else than when the schedule was recorded: it is nondeterministic beyond the scheduler, or it changed since. The usual causes: iterating a HashMap or HashSet (std's RandomState hasher is seeded at random for every map: use a BTreeMap, or a fixed hasher such as BuildHasherDefault), the real clock (std::time::Instant::now, SystemTime::now: use leakcheck::time::Instant), random numbers, globals (statics, thread-locals) that carry state from one execution to the next, and real I/O. Run the check without LEAKCHECK_REPLAY to explore again")]
    Nondeterministic {
        /// The decision (from 1) at which the execution left its schedule.
        step: usize,
        /// What the program asked for there, and what the record holds.
        asked: String,
    },
}
