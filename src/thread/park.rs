//! Letting other threads run: [`park`], [`yield_now`] and [`sleep`].

use std::time::Duration;

use crate::runtime;
use crate::runtime::thread as model;

/// Lets other threads run. Inside a check, a scheduling point at which the scheduler lowers this
/// thread's priority, so polling loops make progress.
#[track_caller]
pub fn yield_now() {
    match runtime::current() {
        Some(exec) => exec.yield_now("thread::yield_now", runtime::caller()),
        None => std::thread::yield_now(),
    }
}

/// Sleeps, as [`std::thread::sleep`]. Inside a check it does not sleep: it is a scheduling point
/// like [`yield_now`], since model time passes only when the scheduler says so.
#[track_caller]
pub fn sleep(duration: Duration) {
    match runtime::current() {
        Some(exec) => exec.yield_now("thread::sleep", runtime::caller()),
        None => std::thread::sleep(duration),
    }
}

/// Blocks until [`Thread::unpark`](super::Thread::unpark) is called, as [`std::thread::park`]. As std permits, it may
/// also return without one: inside a check that is a recorded scheduler choice (with
/// [`Config::spurious_wakeups`](crate::Config::spurious_wakeups) on), so loops that park must
/// re-check their condition. A thread parked forever is reported.
#[track_caller]
pub fn park() {
    let Some(exec) = runtime::current() else {
        return std::thread::park();
    };
    model::park(&exec, runtime::caller());
}
