//! Time, mirroring [`std::time`]: [`Instant`] reads the **modelled clock** inside a check, and
//! std's clock outside one. [`Duration`] is std's own.
//!
//! Inside a check every execution's clock starts at the same fixed instant and moves forward
//! only when a timed wait ends by its time: a `sleep` that ends, a `wait_timeout`,
//! `recv_timeout` or `park_timeout` that times out, a timer channel (`after`, `tick`, `at`) or a
//! `select!` timeout that fires. It then moves to that wait's deadline: the clock's value when
//! the wait began plus its duration. So code that loops "until the deadline" terminates, an
//! execution never depends on how fast the machine is, and a replay token replays it exactly.
//! When timed waits end is the [time model](crate::Time)'s rule.
//!
//! `Instant` converts to and from [`std::time::Instant`] (`From` both ways) exactly, and the
//! facade functions that take a deadline keep their originals' signatures
//! ([`channel::at`](crate::channel::at), `Receiver::recv_deadline`, parking_lot's `*_until`):
//! inside a check a `std::time::Instant` made from the modelled clock is read on it.
//!
//! One caveat: code that calls `std::time::Instant::now()` directly inside a check reads the
//! real clock, which the scheduler does not control (a deadline made from it lies far in the
//! modelled future, and elapsed times measured with it change from run to run). Swap the import:
//! `use leakcheck::time::Instant;`.
//!
//! ```
//! use leakcheck::sync::{Condvar, Mutex};
//! use leakcheck::time::{Duration, Instant};
//!
//! leakcheck::check(|| {
//!     let (lock, cv) = (Mutex::new(()), Condvar::new());
//!     // A timer loop: wait until the deadline, whatever wakes the wait earlier.
//!     let deadline = Instant::now() + Duration::from_millis(10);
//!     let mut guard = lock.lock().unwrap();
//!     loop {
//!         let now = Instant::now();
//!         if now >= deadline {
//!             break;
//!         }
//!         guard = cv.wait_timeout(guard, deadline - now).unwrap().0;
//!     }
//!     assert_eq!(Instant::now(), deadline, "the clock moved to the wait's deadline");
//! });
//! ```

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

pub use std::time::Duration;

use crate::runtime;
use crate::runtime::clock;

/// A measurement of a monotonically nondecreasing clock, as [`std::time::Instant`]: inside a
/// check, of the execution's modelled clock; outside one, of std's.
///
/// It holds a `std::time::Instant` (the modelled clock's instants are a fixed start plus the
/// modelled time), so arithmetic, ordering and the conversions to and from std's type are std's
/// own, and exact.
///
/// ```
/// use leakcheck::time::{Duration, Instant};
///
/// leakcheck::check(|| {
///     let start = Instant::now();
///     leakcheck::thread::sleep(Duration::from_secs(2));
///     assert_eq!(start.elapsed(), Duration::from_secs(2));
///     let std_start: std::time::Instant = start.into();
///     assert_eq!(Instant::from(std_start), start);
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(std::time::Instant);

impl Instant {
    /// The current instant: the modelled clock inside a check, std's clock outside.
    ///
    /// ```
    /// use leakcheck::time::Instant;
    ///
    /// let a = Instant::now();
    /// assert!(Instant::now() >= a);
    /// leakcheck::check(|| {
    ///     // Nothing timed happened: modelled time stands still.
    ///     let a = Instant::now();
    ///     assert_eq!(Instant::now(), a);
    /// });
    /// ```
    #[must_use]
    pub fn now() -> Instant {
        match runtime::current() {
            Some(exec) => Instant(clock::instant(exec.now())),
            None => Instant(std::time::Instant::now()),
        }
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later, as
    /// [`std::time::Instant::duration_since`].
    ///
    /// ```
    /// use leakcheck::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(b.duration_since(a), Duration::from_secs(1));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    #[must_use]
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// The time from `earlier` to `self`, or `None` if `earlier` is later.
    ///
    /// ```
    /// use leakcheck::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// let b = a + Duration::from_millis(5);
    /// assert_eq!(b.checked_duration_since(a), Some(Duration::from_millis(5)));
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    #[must_use]
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.0.checked_duration_since(earlier.0)
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// ```
    /// use leakcheck::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// assert_eq!(a.saturating_duration_since(a + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    #[must_use]
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// The time since this instant was taken: modelled time inside a check.
    ///
    /// ```
    /// use leakcheck::time::{Duration, Instant};
    ///
    /// leakcheck::check(|| {
    ///     let start = Instant::now();
    ///     assert_eq!(start.elapsed(), Duration::ZERO, "no timed wait ended yet");
    /// });
    /// ```
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` if it cannot be represented.
    ///
    /// ```
    /// use leakcheck::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// assert!(a.checked_add(Duration::from_secs(1)).is_some());
    /// assert!(a.checked_add(Duration::MAX).is_none());
    /// ```
    #[must_use]
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.0.checked_add(duration).map(Instant)
    }

    /// `self - duration`, or `None` if it cannot be represented.
    ///
    /// ```
    /// use leakcheck::time::{Duration, Instant};
    ///
    /// let a = Instant::now() + Duration::from_secs(2);
    /// assert_eq!(a.checked_sub(Duration::from_secs(1)).unwrap() + Duration::from_secs(1), a);
    /// ```
    #[must_use]
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.0.checked_sub(duration).map(Instant)
    }
}

impl fmt::Debug for Instant {
    /// std's `Debug` of the instant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<std::time::Instant> for Instant {
    /// The same instant. Inside a check, a `std::time::Instant` made from the modelled clock
    /// reads as that modelled time.
    fn from(at: std::time::Instant) -> Instant {
        Instant(at)
    }
}

impl From<Instant> for std::time::Instant {
    /// The same instant, for the APIs that take std's (`channel::at`,
    /// `Receiver::recv_deadline`, ...), which read it on the modelled clock inside a check.
    fn from(at: Instant) -> std::time::Instant {
        at.0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// If the result cannot be represented, as std's.
    fn add(self, other: Duration) -> Instant {
        Instant(self.0 + other)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, other: Duration) {
        self.0 += other;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// If the result cannot be represented, as std's.
    fn sub(self, other: Duration) -> Instant {
        Instant(self.0 - other)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, other: Duration) {
        self.0 -= other;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// The time from `other` to `self`, zero if `other` is later (as std's).
    fn sub(self, other: Instant) -> Duration {
        self.duration_since(other)
    }
}
