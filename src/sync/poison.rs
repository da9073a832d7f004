//! The poison flag of [`Mutex`](super::Mutex) and [`RwLock`](super::RwLock), as std's: a lock is
//! poisoned when a thread panics while it holds the lock (for an `RwLock`, for writing).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LockResult, PoisonError};

/// Whether a thread panicked while holding the lock.
pub(super) struct Flag(AtomicBool);

/// What a guard remembers when it is taken: whether its thread was already panicking, so that
/// only a panic that starts while the lock is held poisons it.
pub(super) struct Guard {
    panicking: bool,
}

impl Flag {
    pub(super) const fn new() -> Flag {
        Flag(AtomicBool::new(false))
    }

    pub(super) fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub(super) fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
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
        if !guard.panicking && crate::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}
