//! Letting other threads run: [`park`], [`park_timeout`], [`yield_now`], [`sleep`], their
//! deprecated `_ms` forms, and [`available_parallelism`].

use std::io;
use std::num::NonZeroUsize;
use std::time::Duration;

use crate::runtime;
use crate::runtime::clock::Limit;
use crate::runtime::thread as model;

/// Lets other threads run. Inside a check, a scheduling point like any other: this thread may run
/// on, or others first. A thread that yields again and again while no other thread runs (a
/// polling loop) is made to give way, so polling loops make progress.
///
/// ```
/// leakcheck::thread::yield_now();
/// ```
#[track_caller]
pub fn yield_now() {
    match runtime::current() {
        Some(exec) => exec.yield_now("thread::yield_now", runtime::caller()),
        None => std::thread::yield_now(),
    }
}

/// Sleeps, as [`std::thread::sleep`]. Inside a check it never sleeps for real: it is a timed
/// wait on nothing in [modelled time](crate::time), whose deadline is the modelled clock plus
/// `duration`. When it ends is the [time model](crate::Time)'s rule, a recorded choice: under
/// `Adversarial` (the default) it may end at once, while other threads could still run, or only
/// once no other thread can (so a thread that sleeps and re-checks may be overtaken by no one or
/// by everyone); under `Virtual` it ends only once no other thread can run. Either way the
/// modelled clock then reads its deadline, and sleeps end in deadline order among themselves. A
/// zero `duration` is a yield.
///
/// ```
/// use std::time::Duration;
/// use leakcheck::time::Instant;
///
/// leakcheck::thread::sleep(Duration::from_millis(1));
/// leakcheck::check(|| {
///     let start = Instant::now();
///     leakcheck::thread::sleep(Duration::from_secs(3600)); // returns at once, in real time
///     assert_eq!(start.elapsed(), Duration::from_secs(3600)); // an hour of modelled time
/// });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) {
    match runtime::current() {
        Some(exec) => model::sleep(
            &exec,
            Limit::For(duration),
            "thread::sleep",
            runtime::caller(),
        ),
        None => std::thread::sleep(duration),
    }
}

/// Blocks until [`Thread::unpark`](super::Thread::unpark) is called, as [`std::thread::park`]. As std permits, it may
/// also return without one: inside a check that is a recorded scheduler choice (with
/// [`Config::spurious_wakeups`](crate::Config::spurious_wakeups) on), so loops that park must
/// re-check their condition. A thread parked forever is reported.
///
/// ```
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     thread::current().unpark();
///     thread::park(); // the token is there: returns at once
/// });
/// ```
#[track_caller]
pub fn park() {
    let Some(exec) = runtime::current() else {
        return std::thread::park();
    };
    model::park(&exec, runtime::caller());
}

/// Sleeps for `ms` milliseconds, as [`std::thread::sleep_ms`] (deprecated, as std's): the same as
/// [`sleep`], inside a check too.
///
/// ```
/// #![allow(deprecated)]
/// leakcheck::thread::sleep_ms(1);
/// ```
#[deprecated(since = "1.6.0", note = "replaced by `std::thread::sleep`")]
#[track_caller]
pub fn sleep_ms(ms: u32) {
    let duration = Duration::from_millis(u64::from(ms));
    match runtime::current() {
        Some(exec) => model::sleep(
            &exec,
            Limit::For(duration),
            "thread::sleep_ms",
            runtime::caller(),
        ),
        None => std::thread::sleep(duration),
    }
}

/// Blocks until [`Thread::unpark`](super::Thread::unpark) is called or `dur` has passed, as
/// [`std::thread::park_timeout`]; as std permits, it may also return spuriously.
///
/// Inside a check it never sleeps: the wait is a timed wait on the park, with a deadline in
/// [modelled time](crate::time). When its time passes is the [time model](crate::Time)'s rule
/// (under the default, `Adversarial`, possibly at once, by a recorded scheduler choice), and it
/// always passes when no other thread could run, so a thread that parks with a timeout is never
/// blocked forever (a loop that waits in it for an unpark that never comes runs until the step
/// limit, and is reported as still running).
///
/// ```
/// use std::time::Duration;
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     // Nobody unparks this thread: time passes, and the call returns.
///     thread::park_timeout(Duration::from_secs(1));
/// });
/// ```
#[track_caller]
pub fn park_timeout(dur: Duration) {
    let Some(exec) = runtime::current() else {
        return std::thread::park_timeout(dur);
    };
    model::park_timeout(
        &exec,
        Limit::For(dur),
        "thread::park_timeout",
        runtime::caller(),
    );
}

/// As [`park_timeout`], with the timeout in milliseconds, as [`std::thread::park_timeout_ms`]
/// (deprecated, as std's).
///
/// ```
/// #![allow(deprecated)]
/// leakcheck::check(|| leakcheck::thread::park_timeout_ms(10));
/// ```
#[deprecated(since = "1.6.0", note = "replaced by `std::thread::park_timeout`")]
#[track_caller]
pub fn park_timeout_ms(ms: u32) {
    let Some(exec) = runtime::current() else {
        return std::thread::park_timeout(Duration::from_millis(u64::from(ms)));
    };
    model::park_timeout(
        &exec,
        Limit::For(Duration::from_millis(u64::from(ms))),
        "thread::park_timeout_ms",
        runtime::caller(),
    );
}

/// The parallelism the machine offers, as [`std::thread::available_parallelism`]: std's value,
/// inside a check too (model threads take turns on one OS thread, but code that sizes a pool by
/// this number should see what it sees in production; the scheduler explores the interleavings of
/// however many threads it spawns).
///
/// # Errors
/// As std's: when the platform cannot tell.
///
/// ```
/// let n = leakcheck::thread::available_parallelism().map_or(1, |n| n.get());
/// assert!(n >= 1);
/// ```
pub fn available_parallelism() -> io::Result<NonZeroUsize> {
    std::thread::available_parallelism()
}

/// Whether the current thread is unwinding because of a panic, as [`std::thread::panicking`].
///
/// Inside a check it is true only on the model thread that is unwinding: every model thread
/// runs on one OS thread, where std's own `panicking` would say true for all of them while
/// any one unwinds (and a lock another thread unlocks meanwhile would be poisoned). A lock is
/// poisoned only by a guard its own thread drops while unwinding.
///
/// ```
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     assert!(!thread::panicking());
///     let h = thread::spawn(|| {
///         struct Probe;
///         impl Drop for Probe {
///             fn drop(&mut self) {
///                 assert!(thread::panicking(), "this thread unwinds");
///             }
///         }
///         let _probe = Probe;
///         panic!("on purpose");
///     });
///     assert!(h.join().is_err());
///     assert!(!thread::panicking(), "the body does not");
/// });
/// ```
pub fn panicking() -> bool {
    match runtime::current() {
        Some(exec) => model::panicking(&exec),
        None => std::thread::panicking(),
    }
}
