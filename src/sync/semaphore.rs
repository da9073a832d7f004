//! A counting semaphore: [`Semaphore`].

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Condvar as StdCondvar, Mutex as StdMutex, MutexGuard as StdGuard};

use crate::runtime::semaphore::{self as model, Acquired, SemaphoreState};
use crate::runtime::{self, Imp, Loc};

/// A counting semaphore: a pool of permits that threads acquire and give back, as tokio's
/// `Semaphore` (and Go's `semaphore.Weighted`), with blocking `acquire`. std has no semaphore;
/// the usual ones are a `Mutex` and a `Condvar` written by hand, or a bounded channel used as
/// one.
///
/// Permits go to waiters first come, first served: a waiter that wants more permits than are
/// free holds back those that came after it, even if they want fewer. Dropping a
/// [`SemaphorePermit`] gives its permits back; [`close`](Semaphore::close) makes every waiting
/// and later `acquire` fail.
///
/// Inside a check the runtime knows who waits for permits, so a thread left waiting forever
/// is reported where it waits, on `semaphore#1`. Outside a check it is a semaphore of std's
/// `Mutex` and `Condvar`, with the same semantics.
///
/// ```
/// use leakcheck::sync::{Arc, Semaphore};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     // At most two workers at a time.
///     let slots = Arc::new(Semaphore::new(2));
///     let workers: Vec<_> = (0..3)
///         .map(|_| {
///             let slots = Arc::clone(&slots);
///             thread::spawn(move || {
///                 let _slot = slots.acquire().unwrap();
///                 // ... at most two threads are here at once ...
///             })
///         })
///         .collect();
///     for w in workers {
///         w.join().unwrap();
///     }
///     assert_eq!(slots.available_permits(), 2);
/// });
/// ```
pub struct Semaphore {
    imp: Imp<StdSemaphore>,
}

/// Permits taken from a [`Semaphore`]; dropping it gives them back.
#[must_use = "dropping the permit gives it back at once"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: usize,
}

/// The error of [`Semaphore::acquire`]: the semaphore was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("semaphore closed")]
pub struct AcquireError(());

/// The error of [`Semaphore::try_acquire`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    #[error("semaphore closed")]
    Closed,
    /// Not enough permits are free (or others wait for them first).
    #[error("no permits available")]
    NoPermits,
}

impl Semaphore {
    /// The most permits a semaphore holds, as tokio's.
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    /// If `permits` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        assert!(
            permits <= Self::MAX_PERMITS,
            "a semaphore holds at most {} permits",
            Self::MAX_PERMITS
        );
        let imp = match runtime::current() {
            Some(exec) => Imp::Model(exec.new_object(
                runtime::caller(),
                SemaphoreState {
                    permits,
                    ..Default::default()
                },
            )),
            None => Imp::Std(StdSemaphore::new(permits)),
        };
        Semaphore { imp }
    }

    /// Takes one permit, waiting behind earlier waiters until one is free.
    ///
    /// # Errors
    /// [`AcquireError`] if the semaphore is closed, or is closed while waiting.
    #[track_caller]
    pub fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_n(1, "Semaphore::acquire", runtime::caller())
    }

    /// Takes `n` permits at once, waiting behind earlier waiters until they are free.
    ///
    /// # Errors
    /// [`AcquireError`] if the semaphore is closed, or is closed while waiting.
    ///
    /// ```
    /// use leakcheck::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(5);
    /// let three = sem.acquire_many(3).unwrap();
    /// assert_eq!(three.num_permits(), 3);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_n(n as usize, "Semaphore::acquire_many", runtime::caller())
    }

    #[track_caller]
    fn acquire_n(
        &self,
        n: usize,
        op: &'static str,
        at: Loc,
    ) -> Result<SemaphorePermit<'_>, AcquireError> {
        let acquired = match &self.imp {
            Imp::Std(s) => s.acquire(n),
            Imp::Model(h) => {
                let exec = h.exec("a semaphore");
                exec.switch(op, at);
                model::acquire(&exec, h.id, n, op, at) == Acquired::Permits
            }
        };
        if acquired {
            Ok(self.permit(n))
        } else {
            Err(AcquireError(()))
        }
    }

    /// Takes one permit if one is free and nobody waits for permits.
    ///
    /// # Errors
    /// [`TryAcquireError::NoPermits`] if none is free (or others wait first),
    /// [`TryAcquireError::Closed`] if the semaphore is closed.
    ///
    /// ```
    /// use leakcheck::sync::{Semaphore, TryAcquireError};
    ///
    /// let sem = Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert_eq!(sem.try_acquire().err(), Some(TryAcquireError::NoPermits));
    /// drop(permit);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    #[track_caller]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_n(1, "Semaphore::try_acquire", runtime::caller())
    }

    /// Takes `n` permits if they are free and nobody waits for permits.
    ///
    /// # Errors
    /// As [`try_acquire`](Semaphore::try_acquire).
    #[track_caller]
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_n(n as usize, "Semaphore::try_acquire_many", runtime::caller())
    }

    #[track_caller]
    fn try_acquire_n(
        &self,
        n: usize,
        op: &'static str,
        at: Loc,
    ) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let taken = match &self.imp {
            Imp::Std(s) => s.try_acquire(n),
            Imp::Model(h) => {
                let exec = h.exec("a semaphore");
                exec.switch(op, at);
                model::try_acquire(&exec, h.id, n)
            }
        };
        match taken {
            Ok(()) => Ok(self.permit(n)),
            Err(true) => Err(TryAcquireError::Closed),
            Err(false) => Err(TryAcquireError::NoPermits),
        }
    }

    fn permit(&self, permits: usize) -> SemaphorePermit<'_> {
        SemaphorePermit { sem: self, permits }
    }

    /// Adds `n` permits, which go to the waiters first.
    ///
    /// ```
    /// use leakcheck::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        self.release(n, "Semaphore::add_permits", runtime::caller());
    }

    fn release(&self, n: usize, op: &'static str, at: Loc) {
        match &self.imp {
            Imp::Std(s) => s.release(n),
            Imp::Model(h) => {
                if let Some(exec) = h.live() {
                    model::release(&exec, h.id, n);
                    // A scheduling point after the release, so a waiter may go on at once.
                    exec.switch(op, at);
                }
            }
        }
    }

    /// How many permits are free now.
    #[track_caller]
    pub fn available_permits(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.state().permits,
            Imp::Model(h) => {
                let exec = h.exec("a semaphore");
                exec.switch("Semaphore::available_permits", runtime::caller());

                exec.reg().semaphore(h.id).permits
            }
        }
    }

    /// Closes the semaphore: every thread waiting in `acquire` wakes with an [`AcquireError`],
    /// and so does every later `acquire`. Permits already taken stay valid.
    ///
    /// ```
    /// use leakcheck::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.acquire().is_err());
    /// ```
    #[track_caller]
    pub fn close(&self) {
        match &self.imp {
            Imp::Std(s) => s.close(),
            Imp::Model(h) => {
                let exec = h.exec("a semaphore");
                if exec.switch("Semaphore::close", runtime::caller()) {
                    model::close(&exec, h.id);
                }
            }
        }
    }

    /// Whether the semaphore is closed.
    #[track_caller]
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.state().closed,
            Imp::Model(h) => {
                let exec = h.exec("a semaphore");
                exec.switch("Semaphore::is_closed", runtime::caller());

                exec.reg().semaphore(h.id).closed
            }
        }
    }
}

impl SemaphorePermit<'_> {
    /// How many permits it holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Keeps the permits from ever going back to the semaphore.
    ///
    /// ```
    /// use leakcheck::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(1);
    /// sem.acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if self.permits > 0 {
            self.sem
                .release(self.permits, "SemaphorePermit::drop", runtime::caller());
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore").finish_non_exhaustive()
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// The semaphore outside a check: std's `Mutex` and `Condvar`, waiters served in the order they
/// came, as the model serves them.
struct StdSemaphore {
    state: StdMutex<StdState>,
    changed: StdCondvar,
}

struct StdState {
    permits: usize,
    closed: bool,
    /// The tickets of the waiters, first come first.
    queue: VecDeque<u64>,
    next_ticket: u64,
}

impl StdSemaphore {
    fn new(permits: usize) -> Self {
        StdSemaphore {
            state: StdMutex::new(StdState {
                permits,
                closed: false,
                queue: VecDeque::new(),
                next_ticket: 0,
            }),
            changed: StdCondvar::new(),
        }
    }

    fn state(&self) -> StdGuard<'_, StdState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for `n` permits; false if the semaphore is closed.
    fn acquire(&self, n: usize) -> bool {
        let mut state = self.state();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back(ticket);
        loop {
            if state.closed {
                state.queue.retain(|&t| t != ticket);
                self.changed.notify_all();
                return false;
            }
            if state.queue.front() == Some(&ticket) && state.permits >= n {
                state.queue.pop_front();
                state.permits -= n;
                // The next waiter may be served by what is left.
                self.changed.notify_all();
                return true;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn try_acquire(&self, n: usize) -> Result<(), bool> {
        let mut state = self.state();
        if state.closed {
            return Err(true);
        }
        if !state.queue.is_empty() || state.permits < n {
            return Err(false);
        }
        state.permits -= n;
        Ok(())
    }

    fn release(&self, n: usize) {
        self.state().permits += n;
        self.changed.notify_all();
    }

    fn close(&self) {
        self.state().closed = true;
        self.changed.notify_all();
    }
}
