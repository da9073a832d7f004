//! `tokio::time`: sleeping, timeouts and intervals, on the check's modelled clock.
//!
//! Inside a check, a timer's deadline is in modelled time (see [`crate::time`]): a task waiting
//! only for timers lets time pass when nothing else can run, and under the adversarial time
//! model a timer may also expire as soon as its task suspends (a recorded choice), so code that
//! relies on one task being faster than a timer is found. Outside a check, each item is tokio's.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

pub use std::time::Duration;

use crate::runtime::clock::{self, Limit};
use crate::runtime::{self, task as model, Imp, Loc, WaitOn};
pub use crate::time::Instant;

/// Timer keys, unique in the process.
static KEYS: AtomicU64 = AtomicU64::new(1);

impl Instant {
    /// The instant of a `std::time::Instant`, as tokio's `Instant::from_std`.
    pub fn from_std(std: std::time::Instant) -> Instant {
        std.into()
    }

    /// The `std::time::Instant` of this instant, as tokio's `Instant::into_std`.
    pub fn into_std(self) -> std::time::Instant {
        self.into()
    }
}

/// A timer in the model: its key, its deadline in modelled time, and whether a task holds it.
struct ModelSleep {
    serial: u64,
    /// `time::sleep`, or `Interval::tick` for an interval's.
    op: &'static str,
    key: u64,
    deadline: std::time::Duration,
    at: Loc,
}

/// The future of [`sleep`] and [`sleep_until`], as tokio's `Sleep`.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    imp: Imp<Pin<Box<::tokio::time::Sleep>>, ModelSleep>,
}

/// Waits until `duration` has passed, as tokio's `sleep`.
///
/// ```
/// use leakcheck::tokio::time::{sleep, Duration, Instant};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let start = Instant::now();
///         sleep(Duration::from_secs(5)).await;
///         assert!(start.elapsed() >= Duration::from_secs(5));
///     });
/// });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let at = runtime::caller();
    match runtime::current() {
        None => Sleep {
            imp: Imp::Std(Box::pin(::tokio::time::sleep(duration))),
        },
        Some(exec) => Sleep::model(
            exec.serial,
            exec.deadline(Limit::For(duration)),
            "time::sleep",
            at,
        ),
    }
}

/// Waits until `deadline`, as tokio's `sleep_until`.
///
/// ```
/// use leakcheck::tokio::time::{sleep_until, Duration, Instant};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let deadline = Instant::now() + Duration::from_millis(10);
///         sleep_until(deadline).await;
///         assert!(Instant::now() >= deadline);
///     });
/// });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    sleep_until_at(deadline, "time::sleep_until", runtime::caller())
}

impl Sleep {
    fn model(serial: u64, deadline: std::time::Duration, op: &'static str, at: Loc) -> Sleep {
        Sleep {
            imp: Imp::Model(ModelSleep {
                serial,
                op,
                key: KEYS.fetch_add(1, Ordering::Relaxed),
                deadline,
                at,
            }),
        }
    }

    /// When the sleep ends.
    pub fn deadline(&self) -> Instant {
        match &self.imp {
            Imp::Std(s) => s.deadline().into_std().into(),
            Imp::Model(m) => clock::instant(m.deadline).into(),
        }
    }

    /// Whether its deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.is_elapsed(),
            Imp::Model(m) => runtime::current()
                .filter(|e| e.serial == m.serial)
                .is_some_and(|e| e.now() >= m.deadline),
        }
    }

    /// Moves the deadline, as tokio's `Sleep::reset`.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        match &mut this.imp {
            Imp::Std(s) => s
                .as_mut()
                .reset(::tokio::time::Instant::from_std(deadline.into())),
            Imp::Model(m) => {
                if let Some(exec) = runtime::current().filter(|e| e.serial == m.serial) {
                    m.deadline = exec.deadline(Limit::Until(deadline.into()));
                }
            }
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let m = match &mut self.imp {
            Imp::Std(s) => return s.as_mut().poll(cx),
            Imp::Model(m) => m,
        };
        let Some(exec) = runtime::current().filter(|e| e.serial == m.serial) else {
            panic!("leakcheck: a tokio::time::Sleep made inside a check was polled outside it");
        };
        if !exec.switch(m.op, m.at) {
            return Poll::Pending;
        }
        if exec.now() >= m.deadline {
            model::cancel_timer(&exec, m.key);
            return Poll::Ready(());
        }
        if !model::set_timer(&exec, m.key, m.deadline, cx.waker()) {
            panic!(
                "leakcheck: a tokio::time::Sleep was polled outside leakcheck's runtime; inside a \
                 check, poll it in an async test, in leakcheck::block_on, or in a task"
            );
        }
        model::awaits(&exec, m.op, WaitOn::Sleep, m.at);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Imp::Model(m) = &self.imp
            && let Some(exec) = runtime::current().filter(|e| e.serial == m.serial)
        {
            model::cancel_timer(&exec, m.key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline())
            .finish()
    }
}

/// Errors of `tokio::time`.
pub mod error {
    use std::fmt;

    /// A [`timeout`](super::timeout) whose time passed before its future completed.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Elapsed(pub(super) ());

    impl fmt::Display for Elapsed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("deadline has elapsed")
        }
    }

    impl std::error::Error for Elapsed {}

    impl From<Elapsed> for std::io::Error {
        fn from(_: Elapsed) -> Self {
            std::io::ErrorKind::TimedOut.into()
        }
    }
}

use error::Elapsed;

/// Runs `future` until it completes or `duration` passes, as tokio's `timeout`: the future is
/// polled first, then the timer.
///
/// ```
/// use leakcheck::tokio::time::{timeout, Duration};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let never = std::future::pending::<()>();
///         assert!(timeout(Duration::from_secs(1), never).await.is_err());
///         assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
///     });
/// });
/// ```
#[track_caller]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

/// Runs `future` until it completes or `deadline` comes, as tokio's `timeout_at`.
#[track_caller]
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep_until(deadline),
    }
}

/// The future of [`timeout`] and [`timeout_at`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Timeout<F> {
    future: F,
    sleep: Sleep,
}

impl<F> Timeout<F> {
    /// The future it runs.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The future it runs, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The future it runs, giving up the timeout.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned (never moved out while pinned); `sleep` is
        // `Unpin`.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(v) = future.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match Pin::new(&mut this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What an [`Interval`] does with ticks it missed (its task was late), as tokio's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Ticks as fast as it can until it has caught up (the default).
    #[default]
    Burst,
    /// Ticks now, then a period after each tick.
    Delay,
    /// Ticks now, then on the next multiple of the period from the start.
    Skip,
}

/// Ticks every `period`, the first tick at once, as tokio's `interval`.
///
/// ```
/// use leakcheck::tokio::time::{interval, Duration, Instant};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let start = Instant::now();
///         let mut ticks = interval(Duration::from_millis(10));
///         for _ in 0..3 {
///             ticks.tick().await;
///         }
///         assert_eq!(start.elapsed(), Duration::from_millis(20));
///     });
/// });
/// ```
///
/// # Panics
///
/// If `period` is zero, as tokio's.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period` from `start`, as tokio's `interval_at`.
///
/// # Panics
///
/// If `period` is zero, as tokio's.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    Interval {
        next: start,
        period,
        behavior: MissedTickBehavior::Burst,
        at: runtime::caller(),
    }
}

/// A stream of ticks, as tokio's `Interval`.
#[derive(Debug)]
pub struct Interval {
    next: Instant,
    period: Duration,
    behavior: MissedTickBehavior,
    at: Loc,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    pub async fn tick(&mut self) -> Instant {
        let at = self.at;
        let scheduled = self.next;
        sleep_until_at(scheduled, "Interval::tick", at).await;
        let now = Instant::now();
        self.next = match self.behavior {
            MissedTickBehavior::Burst => scheduled + self.period,
            MissedTickBehavior::Delay => now + self.period,
            MissedTickBehavior::Skip => {
                let behind = now.duration_since(scheduled).as_nanos() / self.period.as_nanos();
                scheduled + self.period * (behind as u32 + 1)
            }
        };
        scheduled
    }

    /// Restarts the interval a period from now.
    pub fn reset(&mut self) {
        self.next = Instant::now() + self.period;
    }

    /// Its period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What it does with missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// Sets what it does with missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }
}

/// [`sleep_until`], whose reports name operation `op` at `at` (an interval's ticks are
/// `Interval::tick` where the interval was made).
fn sleep_until_at(deadline: Instant, op: &'static str, at: Loc) -> Sleep {
    match runtime::current() {
        None => Sleep {
            imp: Imp::Std(Box::pin(::tokio::time::sleep_until(
                ::tokio::time::Instant::from_std(deadline.into()),
            ))),
        },
        Some(exec) => Sleep::model(
            exec.serial,
            exec.deadline(Limit::Until(deadline.into())),
            op,
            at,
        ),
    }
}
