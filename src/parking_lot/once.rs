//! parking_lot's `Once`.

use std::fmt;

pub use parking_lot::OnceState;

use crate::runtime::once::{self as model, OnceState as ModelState};
use crate::runtime::slot::Slot;
use crate::runtime::{self, Exec, Handle};

/// A one-time initialisation, as [`parking_lot::Once`]: `call_once`, `call_once_force` (whose
/// closure gets the [`OnceState`]) and `state`.
///
/// Inside a check it is the runtime's `Once` model (reports name it `once#1`): the runtime
/// knows which thread runs the closure and which wait for it, so a thread left blocked in
/// `call_once` names the runner. A panicking closure poisons it, as parking_lot's: a later
/// `call_once` panics, `call_once_force` runs again. Outside a check it is parking_lot's own.
///
/// ```
/// use leakcheck::parking_lot::Once;
/// use leakcheck::sync::atomic::{AtomicUsize, Ordering};
/// use leakcheck::sync::Arc;
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let once = Arc::new(Once::new());
///     let runs = Arc::new(AtomicUsize::new(0));
///     let (o2, r2) = (Arc::clone(&once), Arc::clone(&runs));
///     let h = thread::spawn(move || o2.call_once(|| drop(r2.fetch_add(1, Ordering::SeqCst))));
///     once.call_once(|| drop(runs.fetch_add(1, Ordering::SeqCst)));
///     h.join().unwrap();
///     assert_eq!(runs.load(Ordering::SeqCst), 1);
///     assert!(once.state().done());
/// });
/// ```
pub struct Once {
    /// parking_lot's, outside a check; done outside any check, it is done in every execution.
    std: parking_lot::Once,
    /// The model, per execution.
    slot: Slot,
}

impl Once {
    /// A new `Once` that has not run; `const`, as parking_lot's, so a `static` works (inside a
    /// check it gets its model on first use in each execution, and runs once per execution).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Once, OnceState};
    ///
    /// assert_eq!(Once::new().state(), OnceState::New);
    /// ```
    #[track_caller]
    pub const fn new() -> Once {
        Once {
            std: parking_lot::Once::new(),
            slot: Slot::new(),
        }
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, || ModelState {
            done: self.std.state().done(),
            ..Default::default()
        })
    }

    /// Where the `Once` is: new, running its closure, done, or poisoned.
    ///
    /// ```
    /// use leakcheck::parking_lot::{Once, OnceState};
    ///
    /// let once = Once::new();
    /// once.call_once(|| {});
    /// assert_eq!(once.state(), OnceState::Done);
    /// ```
    #[track_caller]
    pub fn state(&self) -> OnceState {
        match runtime::current() {
            None => self.std.state(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("Once::state", runtime::caller());
                let mut reg = exec.reg();
                let o = reg.once(h.id);
                if o.done {
                    OnceState::Done
                } else if o.running.is_some() {
                    OnceState::InProgress
                } else if o.poisoned {
                    OnceState::Poisoned
                } else {
                    OnceState::New
                }
            }
        }
    }

    /// Runs `f` if no call on this `Once` has completed; returns once one has (while another
    /// thread runs its closure, this one waits).
    ///
    /// # Panics
    /// If the `Once` is poisoned, or if `f` panics (which poisons it).
    ///
    /// ```
    /// use leakcheck::parking_lot::Once;
    ///
    /// let once = Once::new();
    /// let mut runs = 0;
    /// once.call_once(|| runs += 1);
    /// once.call_once(|| runs += 1);
    /// assert_eq!(runs, 1);
    /// ```
    #[track_caller]
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        let at = runtime::caller();
        match runtime::current() {
            None => self.std.call_once(f),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("Once::call_once", at);
                let mut f = Some(f);
                model::run(&exec, h.id, false, "Once::call_once", at, &mut |_| {
                    (f.take().expect("the closure runs once"))();
                });
            }
        }
    }

    /// As [`call_once`](Self::call_once), but a poisoned `Once` runs `f` too; `f` gets the
    /// state ([`OnceState::Poisoned`] after a panicked run, else [`OnceState::New`]).
    ///
    /// ```
    /// use leakcheck::parking_lot::{Once, OnceState};
    ///
    /// let once = Once::new();
    /// let _ = std::panic::catch_unwind(|| once.call_once(|| panic!("first try")));
    /// assert_eq!(once.state(), OnceState::Poisoned);
    /// once.call_once_force(|state| assert!(state.poisoned()));
    /// assert!(once.state().done());
    /// ```
    #[track_caller]
    pub fn call_once_force<F: FnOnce(OnceState)>(&self, f: F) {
        let at = runtime::caller();
        match runtime::current() {
            None => self.std.call_once_force(f),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("Once::call_once_force", at);
                let mut f = Some(f);
                model::run(
                    &exec,
                    h.id,
                    true,
                    "Once::call_once_force",
                    at,
                    &mut |poisoned| {
                        let state = if poisoned {
                            OnceState::Poisoned
                        } else {
                            OnceState::New
                        };
                        (f.take().expect("the closure runs once"))(state);
                    },
                );
            }
        }
    }
}

impl Default for Once {
    #[track_caller]
    fn default() -> Self {
        Once::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once")
            .field("state", &self.state())
            .finish()
    }
}
