//! The modelled clock of one execution, and the time models that decide when its timed waits end.
//!
//! Every execution starts at the same instant, [`base`] (a process-wide `std::time::Instant`),
//! and its clock moves forward only when a timed wait ends by its time: a timeout that expires,
//! a sleep that ends, a timer channel that fires. It then moves to that wait's *deadline*: the
//! clock's value when the wait began plus its duration. Nothing reads the real clock, so an
//! execution replays exactly, and code that loops "until the deadline" terminates.
//!
//! A modelled instant is `base() + offset`, so a `std::time::Instant` made from the modelled
//! clock (through `leakcheck::time::Instant`) converts back to the same offset exactly.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::Loc;

/// How modelled time passes in a check: when a timed wait (a sleep, a timeout, a timer) ends.
///
/// Set it with [`Config::time`](crate::Config::time), the attribute's
/// `time = "adversarial" | "virtual"`, or `LEAKCHECK_TIME=adversarial|virtual`. Either way every
/// timed wait has a deadline in modelled time (see [`leakcheck::time`](crate::time)), and when
/// one ends the clock moves to its deadline.
///
/// ```
/// use std::time::Duration;
/// use leakcheck::{channel, thread, Config, Time};
///
/// // A test that orders its threads with sleeps, as many existing suites do.
/// let sleep_ordered = || {
///     let (tx, rx) = channel::unbounded();
///     let h = thread::spawn(move || {
///         thread::sleep(Duration::from_millis(10));
///         tx.send(()).unwrap();
///     });
///     thread::sleep(Duration::from_millis(50));
///     assert!(rx.try_recv().is_ok(), "the 10 ms sleep ended first");
///     h.join().unwrap();
/// };
/// // Under `Virtual` time behaves as the test assumes.
/// Config::new().time(Time::Virtual).schedules(200).check(sleep_ordered);
/// // Under `Adversarial` (the default) a sleep may end early: the assumption is found out.
/// let report = Config::new().schedules(200).explore(sleep_ordered).unwrap_err();
/// assert!(report.to_string().contains("time = \"virtual\""));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Time {
    /// The default. A timed wait may time out as it begins, while other threads could still
    /// run (a recorded scheduler choice; at most two per execution), and must when nothing else
    /// can run; timers still expire in deadline order among themselves (a 10 s sleep never ends
    /// while a 1 ms timeout that started no later is pending). This finds the bugs that hide on
    /// timeout paths, and code that relies on sleeps for ordering.
    #[default]
    Adversarial,
    /// Time moves only when no thread can run, straight to the earliest deadline (Go's
    /// `testing/synctest`, tokio's paused clock): a timed wait never ends while another thread
    /// could still run. Tests that order their work with `sleep` pass as their authors meant.
    Virtual,
}

impl Time {
    /// The name the attribute and `LEAKCHECK_TIME` use: `"adversarial"` or `"virtual"`.
    ///
    /// ```
    /// assert_eq!(leakcheck::Time::Virtual.name(), "virtual");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Time::Adversarial => "adversarial",
            Time::Virtual => "virtual",
        }
    }
}

/// What `LEAKCHECK_TIME` and the attribute's `time` accept.
pub const ACCEPTED_TIMES: &str = "`adversarial` or `virtual`";

impl std::str::FromStr for Time {
    type Err = UnknownTime;

    /// Parses `"adversarial"` or `"virtual"` (any case, surrounding spaces ignored).
    ///
    /// ```
    /// use leakcheck::Time;
    ///
    /// assert_eq!("virtual".parse::<Time>().unwrap(), Time::Virtual);
    /// let err = "paused".parse::<Time>().unwrap_err();
    /// assert!(err.to_string().contains("`adversarial` or `virtual`"));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "adversarial" => Ok(Time::Adversarial),
            "virtual" => Ok(Time::Virtual),
            _ => Err(UnknownTime(s.to_string())),
        }
    }
}

/// A time model's name that is neither `adversarial` nor `virtual`.
///
/// ```
/// let err = "fast".parse::<leakcheck::Time>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown time model `fast`: expected `adversarial` or `virtual`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown time model `{0}`: expected {ACCEPTED_TIMES}")]
pub struct UnknownTime(pub String);

/// The instant every execution's clock starts at: fixed for the process, so that a
/// `std::time::Instant` taken from the modelled clock converts back exactly.
pub(crate) fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// The `std::time::Instant` of modelled time `offset` (saturating far in the future, for the
/// deadline of a wait as long as `Duration::MAX`).
pub(crate) fn instant(offset: Duration) -> Instant {
    let base = base();
    base.checked_add(offset).unwrap_or_else(|| {
        // About a century: the farthest every platform's `Instant` can surely represent.
        base + Duration::from_secs(100 * 365 * 24 * 3600)
    })
}

/// The modelled time of a `std::time::Instant`: its offset from [`base`], 0 if before it.
pub(crate) fn offset(at: Instant) -> Duration {
    at.saturating_duration_since(base())
}

/// How long a timed wait may last, as the facade got it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Limit {
    /// A duration from the wait's start (`sleep`, `wait_timeout`, `recv_timeout`, ...).
    For(Duration),
    /// A deadline (`recv_deadline`, `channel::at`, parking_lot's `*_until`).
    Until(Instant),
}

/// One execution's clock: its modelled time, and the first timed wait that ended early.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// The modelled time, as an offset from [`base`].
    pub now: Duration,
    /// The timed waits whose time passed while another thread could still run (under
    /// [`Time::Adversarial`]): the operation and where, once per place, in order.
    pub early: Vec<(&'static str, Loc)>,
    /// How many timed waits ended early in this execution (at most [`EARLY_BOUND`]).
    pub early_count: usize,
}

/// The most timed waits that may end early (while other threads could still run) in one
/// execution, under [`Time::Adversarial`]; later ones end only when no thread can run. Like a
/// preemption bound, it keeps the choices of code that sleeps in a loop from multiplying the
/// exhaustive search's executions, and most bugs on timeout paths need one or two.
pub(crate) const EARLY_BOUND: usize = 2;

impl Clock {
    /// The deadline of a timed wait that begins now.
    pub(crate) fn deadline(&self, limit: Limit) -> Duration {
        match limit {
            Limit::For(d) => self.now.saturating_add(d),
            Limit::Until(at) => offset(at).max(self.now),
        }
    }

    /// A timed wait at `at` ended early.
    pub(crate) fn ended_early(&mut self, op: &'static str, at: Loc) {
        self.early_count += 1;
        if !self.early.iter().any(|e| e.1 == at) {
            self.early.push((op, at));
        }
    }

    /// Time passes up to `deadline` (never backwards).
    pub(crate) fn advance(&mut self, deadline: Duration) {
        self.now = self.now.max(deadline);
    }
}
