use std::fmt;

use crate::runtime;
use crate::runtime::barrier::{self as model, BarrierState};
use crate::runtime::slot::Slot;

/// A barrier, as [`std::sync::Barrier`]: `n` threads wait until all `n` have arrived, then all
/// go on, and the barrier is ready for the next round.
///
/// Inside a check, the runtime knows who has arrived in the current round, so a thread left
/// waiting for arrivals that never come is reported blocked forever in `Barrier::wait` on the
/// barrier. The last thread to arrive in a round is its leader. Outside a check it is std's
/// barrier.
///
/// `Barrier::new` is `const`, as std's, so a `static` works: inside a check it gets its model
/// on first use in each execution.
///
/// ```
/// use leakcheck::sync::{Arc, Barrier};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let barrier = Arc::new(Barrier::new(3));
///     let handles: Vec<_> = (0..3)
///         .map(|_| {
///             let barrier = Arc::clone(&barrier);
///             thread::spawn(move || barrier.wait().is_leader())
///         })
///         .collect();
///     let leaders = handles
///         .into_iter()
///         .map(|h| h.join().unwrap())
///         .filter(|&leader| leader)
///         .count();
///     assert_eq!(leaders, 1);
/// });
/// ```
pub struct Barrier {
    /// std's, outside a check.
    std: std::sync::Barrier,
    /// How many threads each round waits for.
    n: usize,
    /// The model, per execution.
    slot: Slot,
}

/// What [`Barrier::wait`] returns: whether this thread is the round's leader.
///
/// ```
/// use leakcheck::sync::Barrier;
///
/// // A barrier of one: every wait completes a round, and leads it.
/// assert!(Barrier::new(1).wait().is_leader());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this thread is the leader of its round: exactly one thread of each round is
    /// (inside a check, the last to arrive).
    ///
    /// ```
    /// assert!(leakcheck::sync::Barrier::new(1).wait().is_leader());
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl fmt::Debug for BarrierWaitResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWaitResult")
            .field("is_leader", &self.is_leader())
            .finish()
    }
}

impl Barrier {
    /// A barrier for `n` threads. As std's, a barrier for 0 threads behaves as one for 1: no
    /// `wait` blocks.
    ///
    /// ```
    /// use leakcheck::sync::Barrier;
    ///
    /// let barrier = Barrier::new(1);
    /// assert!(barrier.wait().is_leader());
    /// ```
    ///
    /// It is `const`, as std's, so a `static` works; inside a check it gets its model on first
    /// use in each execution.
    #[track_caller]
    pub const fn new(n: usize) -> Barrier {
        Barrier {
            std: std::sync::Barrier::new(n),
            n,
            slot: Slot::new(),
        }
    }

    /// Waits until all `n` threads have arrived in this round.
    ///
    /// ```
    /// use leakcheck::sync::{Arc, Barrier};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let barrier = Arc::new(Barrier::new(2));
    ///     let b2 = Arc::clone(&barrier);
    ///     let h = thread::spawn(move || b2.wait().is_leader());
    ///     let me = barrier.wait().is_leader();
    ///     let other = h.join().unwrap();
    ///     assert!(me != other, "one leader per round");
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        match runtime::current() {
            None => BarrierWaitResult(self.std.wait().is_leader()),
            Some(exec) => {
                let h = self.slot.handle(&exec, || BarrierState {
                    count: self.n,
                    ..Default::default()
                });
                BarrierWaitResult(model::wait(&exec, h.id, runtime::caller()))
            }
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").finish_non_exhaustive()
    }
}
