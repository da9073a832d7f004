//! The poison flag of [`Mutex`](super::Mutex) and [`RwLock`](super::RwLock), as std's: a lock is
//! poisoned when a thread panics while it holds the lock (for an `RwLock`, for writing).
//!
//! A lock is `const`-made and may be a `static` that many executions use: a poisoning inside a
//! check is seen in that execution only (each starts with the lock as it was outside checks),
//! while one outside any check is seen everywhere, as the lock's real state.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LockResult, PoisonError};

/// Whether a thread panicked while holding the lock.
/// 0: not poisoned; [`OUTSIDE`]: poisoned outside any check; otherwise the serial of the
/// execution in which it was poisoned.
pub(super) struct Flag(AtomicU64);

const OUTSIDE: u64 = u64::MAX;

/// Whether a lock poisoned in `poisoned_in` is poisoned for the caller.
#[cold]
fn poisoned_here(poisoned_in: u64) -> bool {
    poisoned_in == OUTSIDE || poisoned_in == serial()
}

fn serial() -> u64 {
    crate::runtime::current().map_or(OUTSIDE, |exec| exec.serial)
}

/// What a guard remembers when it is taken: whether its thread was already panicking, so that
/// only a panic that starts while the lock is held poisons it.
pub(super) struct Guard {
    panicking: bool,
}

impl Flag {
    pub(super) const fn new() -> Flag {
        Flag(AtomicU64::new(0))
    }

    #[inline]
    pub(super) fn get(&self) -> bool {
        let poisoned_in = self.0.load(Ordering::Relaxed);
        poisoned_in != 0 && poisoned_here(poisoned_in)
    }

    pub(super) fn clear(&self) {
        self.0.store(0, Ordering::Relaxed);
    }

    /// `value`, inside a [`PoisonError`] if the lock is poisoned.
    pub(super) fn result<V>(&self, value: V) -> LockResult<V> {
        if self.get() {
            Err(PoisonError::new(value))
        } else {
            Ok(value)
        }
    }

    /// The note a guard keeps from the moment the lock is taken.
    pub(super) fn guard() -> Guard {
        Guard {
            panicking: crate::thread::panicking(),
        }
    }

    /// Called as a guard drops: poisons the lock if the thread began panicking meanwhile.
    pub(super) fn done(&self, guard: &Guard) {
        // A poisoning outside any check stays, seen everywhere.
        if !guard.panicking
            && crate::thread::panicking()
            && self.0.load(Ordering::Relaxed) != OUTSIDE
        {
            self.0.store(serial(), Ordering::Relaxed);
        }
    }
}
