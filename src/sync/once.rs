use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};

use crate::runtime::once as model;
use crate::runtime::slot::Slot;
use crate::runtime::{self, Exec, Handle, Loc};

/// A one-time initialisation, as [`std::sync::Once`], poisoning included.
///
/// Inside a check, the runtime knows which thread runs the closure and which threads wait for
/// it, so a thread left blocked in `call_once` names the runner (and a deadlock report shows the
/// wait for it). A panic in the closure poisons the `Once`: a later `call_once` panics, as std's
/// does, and `call_once_force` runs its closure again. Outside a check it is std's `Once`.
///
/// `Once::new` is `const`, as std's, so a `static` works: inside a check it runs once *per
/// execution* (each execution starts with it not run, unless it completed outside any check).
///
/// ```
/// use leakcheck::sync::atomic::{AtomicUsize, Ordering};
/// use leakcheck::sync::{Arc, Once};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let once = Arc::new(Once::new());
///     let runs = Arc::new(AtomicUsize::new(0));
///     let handles: Vec<_> = (0..2)
///         .map(|_| {
///             let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
///             thread::spawn(move || once.call_once(|| drop(runs.fetch_add(1, Ordering::SeqCst))))
///         })
///         .collect();
///     for h in handles {
///         h.join().unwrap();
///     }
///     assert!(once.is_completed());
///     assert_eq!(runs.load(Ordering::SeqCst), 1);
/// });
/// ```
pub struct Once {
    /// std's, outside a check; completed outside any check, it is completed in every execution.
    std: std::sync::Once,
    /// The model, per execution.
    slot: Slot,
}

/// What [`Once::call_once_force`] tells its closure: whether an earlier run panicked, as
/// [`std::sync::OnceState`].
///
/// ```
/// use leakcheck::sync::Once;
///
/// let once = Once::new();
/// once.call_once_force(|state| assert!(!state.is_poisoned()));
/// ```
#[derive(Debug)]
pub struct OnceState {
    poisoned: bool,
}

impl OnceState {
    /// Whether a closure run earlier on the same `Once` panicked.
    ///
    /// ```
    /// use leakcheck::sync::Once;
    ///
    /// let once = Once::new();
    /// once.call_once_force(|state| assert!(!state.is_poisoned()));
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }
}

impl Once {
    /// A new `Once` that has not run.
    ///
    /// ```
    /// use leakcheck::sync::Once;
    ///
    /// let once = Once::new();
    /// assert!(!once.is_completed());
    /// ```
    #[track_caller]
    #[allow(clippy::new_without_default)] // as std's `Once`, which has no `Default`
    pub const fn new() -> Once {
        Once {
            std: std::sync::Once::new(),
            slot: Slot::new(),
        }
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, || model::OnceState {
            done: self.std.is_completed(),
            ..Default::default()
        })
    }

    /// Runs `f` if no call on this `Once` has completed yet; returns once a call has: while
    /// another thread runs its closure, this one waits for it.
    ///
    /// # Panics
    /// If the `Once` is poisoned (an earlier closure panicked), or if `f` panics (which poisons
    /// it).
    ///
    /// ```
    /// use leakcheck::sync::Once;
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

    /// As [`call_once`](Once::call_once), but a poisoned `Once` runs `f` too: `f` learns from
    /// the [`OnceState`] whether an earlier closure panicked, and if it completes the `Once` is
    /// completed (no longer poisoned).
    ///
    /// ```
    /// use leakcheck::sync::Once;
    ///
    /// let once = Once::new();
    /// let _ = std::panic::catch_unwind(|| once.call_once(|| panic!("first try")));
    /// once.call_once_force(|state| assert!(state.is_poisoned()));
    /// assert!(once.is_completed());
    /// ```
    #[track_caller]
    pub fn call_once_force<F: FnOnce(&OnceState)>(&self, f: F) {
        let at = runtime::caller();
        match runtime::current() {
            None => self.std.call_once_force(|s| {
                f(&OnceState {
                    poisoned: s.is_poisoned(),
                })
            }),
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
                        (f.take().expect("the closure runs once"))(&OnceState { poisoned });
                    },
                );
            }
        }
    }

    /// Blocks until a call on this `Once` has completed, as [`std::sync::Once::wait`]. Inside a
    /// check, a thread left waiting here is reported blocked on the `once`.
    ///
    /// # Panics
    /// If the `Once` is poisoned (a closure run on it panicked).
    ///
    /// ```
    /// use leakcheck::sync::{Arc, Once};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let once = Arc::new(Once::new());
    ///     let o2 = Arc::clone(&once);
    ///     let h = thread::spawn(move || o2.wait());
    ///     once.call_once(|| {});
    ///     h.join().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) {
        self.wait_inner(false, "Once::wait", runtime::caller());
    }

    /// As [`wait`](Once::wait), ignoring poisoning: blocks until a call completes, as
    /// [`std::sync::Once::wait_force`].
    ///
    /// ```
    /// use leakcheck::sync::Once;
    ///
    /// let once = Once::new();
    /// once.call_once(|| {});
    /// once.wait_force();
    /// ```
    #[track_caller]
    pub fn wait_force(&self) {
        self.wait_inner(true, "Once::wait_force", runtime::caller());
    }

    #[track_caller]
    fn wait_inner(&self, force: bool, op: &'static str, at: Loc) {
        match runtime::current() {
            None if force => self.std.wait_force(),
            None => self.std.wait(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                model::wait(&exec, h.id, force, op, at);
            }
        }
    }

    /// Whether a call has completed (a poisoned `Once` has not).
    ///
    /// ```
    /// use leakcheck::sync::Once;
    ///
    /// let once = Once::new();
    /// once.call_once(|| {});
    /// assert!(once.is_completed());
    /// ```
    #[track_caller]
    pub fn is_completed(&self) -> bool {
        match runtime::current() {
            None => self.std.is_completed(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("Once::is_completed", runtime::caller());

                exec.reg().once(h.id).done
            }
        }
    }
}

/// A `Once` that has not run, as [`std::sync::ONCE_INIT`] (deprecated, as std's).
///
/// Unlike every other `Once`, one made from this constant is std's own even inside a check: a
/// constant cannot record where, nor in which execution, it was created. It works there as long as
/// its closure does not wait for another model thread; use [`Once::new`] for the model.
///
/// ```
/// #![allow(deprecated)]
/// use leakcheck::sync::{Once, ONCE_INIT};
///
/// static START: Once = ONCE_INIT;
/// START.call_once(|| {});
/// assert!(START.is_completed());
/// ```
#[deprecated(since = "1.38.0", note = "the `Once::new()` function is now preferred")]
#[allow(clippy::declare_interior_mutable_const)] // as std's
pub const ONCE_INIT: Once = Once::new();

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once").finish_non_exhaustive()
    }
}

/// A cell written at most once, as [`std::sync::OnceLock`].
///
/// Inside a check it runs on the model of a [`Once`] (threads racing to initialise it wait for
/// the one that runs its closure, and reports name it as a `once`); a panicking initialiser
/// leaves it uninitialised, as std's does. Outside a check it is std's `OnceLock`.
///
/// `OnceLock::new` is `const`, as std's, so a `static` cell works. Inside a check it is
/// initialised at most once *per execution*: each execution starts with it empty (unless it was
/// made with a value, or initialised outside any check), and the values of executions are kept
/// apart. A `static` cell keeps the value of each execution that initialised it until the
/// process ends (a reference to it may have been kept anywhere), as a `static`'s value is never
/// dropped.
///
/// ```
/// use leakcheck::sync::{Arc, OnceLock};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let cell = Arc::new(OnceLock::new());
///     let c2 = Arc::clone(&cell);
///     let h = thread::spawn(move || *c2.get_or_init(|| 1));
///     let mine = *cell.get_or_init(|| 2);
///     assert_eq!(h.join().unwrap(), mine, "both see the one value");
/// });
/// ```
pub struct OnceLock<T> {
    /// std's, outside a check. A value it holds (given at construction, or set outside any
    /// check) is the value in every execution too.
    std: std::sync::OnceLock<T>,
    /// The model of its `Once`, per execution.
    slot: Slot,
    /// The values set inside executions, by execution serial: each written once, by the thread
    /// that runs the initialiser, before the model `Once` completes, and never moved (boxed) nor
    /// removed while the cell is shared.
    values: std::sync::Mutex<Vec<(u64, Box<T>)>>,
}

// SAFETY: as std's `OnceLock`: one thread writes the value, before any reads it; sharing the
// cell shares `&T` (hence `Sync`) and may move the value in from another thread (hence `Send`).
unsafe impl<T: Sync + Send> Sync for OnceLock<T> {}
impl<T: RefUnwindSafe + UnwindSafe> RefUnwindSafe for OnceLock<T> {}
impl<T: UnwindSafe> UnwindSafe for OnceLock<T> {}

impl<T> OnceLock<T> {
    /// A new empty cell.
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let cell: OnceLock<u8> = OnceLock::new();
    /// assert!(cell.get().is_none());
    /// ```
    #[track_caller]
    pub const fn new() -> OnceLock<T> {
        OnceLock {
            std: std::sync::OnceLock::new(),
            slot: Slot::new(),
            values: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A cell holding `value` in every execution.
    #[track_caller]
    fn with_value(value: T) -> OnceLock<T> {
        let cell = OnceLock::new();
        let _ = cell.std.set(value);
        cell
    }

    fn model(&self, exec: &Exec) -> Handle {
        self.slot.handle(exec, || model::OnceState {
            done: self.std.get().is_some(),
            ..Default::default()
        })
    }

    fn values(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Box<T>)>> {
        self.values
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value in execution `serial`: std's, or the one set in that execution.
    fn value_in(&self, serial: u64) -> Option<&T> {
        if let Some(v) = self.std.get() {
            return Some(v);
        }
        let values = self.values();
        let v: *const T = &*values.iter().find(|(s, _)| *s == serial)?.1;
        // SAFETY: the value is boxed and stays until the cell is dropped or mutably borrowed,
        // neither of which can happen while `self` is borrowed.
        Some(unsafe { &*v })
    }

    /// The value of the earliest execution that set one (for a `LazyLock` whose initialiser
    /// cannot run again).
    pub(super) fn earliest(&self) -> Option<&T> {
        let values = self.values();
        let v: *const T = &*values.first()?.1;
        // SAFETY: as in `value_in`.
        Some(unsafe { &*v })
    }

    /// Execution `serial`'s own value, mutably (std's if it holds one).
    fn value_mut(&mut self, serial: u64) -> Option<&mut T> {
        if self.std.get().is_some() {
            return self.std.get_mut();
        }
        let values = self
            .values
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        values
            .iter_mut()
            .find(|(s, _)| *s == serial)
            .map(|(_, v)| &mut **v)
    }

    /// Takes execution `serial`'s own value (std's if it holds one).
    fn take_value(&mut self, serial: u64) -> Option<T> {
        if self.std.get().is_some() {
            return self.std.take();
        }
        let values = self
            .values
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let i = values.iter().position(|(s, _)| *s == serial)?;
        Some(*values.remove(i).1)
    }

    /// The value, if the cell is initialised (never waits for an initialiser that runs).
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let cell = OnceLock::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set(3).unwrap();
    /// assert_eq!(cell.get(), Some(&3));
    /// ```
    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        self.get_at("OnceLock::get", runtime::caller())
    }

    /// [`get`](OnceLock::get), as operation `op` at `at`.
    #[track_caller]
    pub(super) fn get_at(&self, op: &'static str, at: Loc) -> Option<&T> {
        match runtime::current() {
            None => self.std.get(),
            Some(exec) => self.get_model(&exec, op, at),
        }
    }

    /// `get` inside a check (kept out of the std path, which stays as small as std's).
    #[inline(never)]
    fn get_model(&self, exec: &Exec, op: &'static str, at: Loc) -> Option<&T> {
        let h = self.model(exec);
        let running = exec.switch(op, at);
        let done = !running || exec.reg().once(h.id).done;
        done.then(|| self.value_in(exec.serial)).flatten()
    }

    /// A mutable reference to the value, if the cell is initialised; no waiting is needed,
    /// since the borrow is exclusive.
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let mut cell = OnceLock::new();
    /// cell.set(1).unwrap();
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match runtime::current() {
            None => self.std.get_mut(),
            Some(exec) => self.value_mut(exec.serial),
        }
    }

    /// Initialises the cell with `value`, unless it is initialised already; if another thread
    /// is initialising it, waits for that first.
    ///
    /// # Errors
    /// `value` back, if the cell was initialised already.
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let cell = OnceLock::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(2));
    /// ```
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.init("OnceLock::set", runtime::caller(), || {
            value.take().expect("the initialiser runs once")
        });
        match value {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    /// The value, initialising the cell with `f` first if no thread has; if another thread is
    /// initialising it, waits for that. If `f` panics, the panic goes on and the cell stays
    /// empty.
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let cell = OnceLock::new();
    /// assert_eq!(*cell.get_or_init(|| 1), 1);
    /// assert_eq!(*cell.get_or_init(|| 2), 1);
    /// ```
    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        self.init("OnceLock::get_or_init", runtime::caller(), f)
    }

    /// The value, initialising the cell with `f` first if no thread has, as operation `op` at
    /// `at` (for `get_or_init`, `set`, and [`LazyLock`](super::LazyLock)).
    #[track_caller]
    pub(super) fn init<F: FnOnce() -> T>(&self, op: &'static str, at: Loc, f: F) -> &T {
        match runtime::current() {
            None => self.std.get_or_init(f),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch(op, at);
                let mut f = Some(f);
                let serial = exec.serial;
                model::run(&exec, h.id, true, op, at, &mut |_| {
                    let v = (f.take().expect("the initialiser runs once"))();
                    // This thread runs the `Once`: nobody reads this execution's value before
                    // it completes.
                    self.values().push((serial, Box::new(v)));
                });
                match self.value_in(serial) {
                    Some(v) => v,
                    None => panic!(
                        "leakcheck: the execution stopped before the OnceLock was initialised"
                    ),
                }
            }
        }
    }

    /// Blocks until the cell is initialised (by another thread), and returns the value, as
    /// [`std::sync::OnceLock::wait`]. Inside a check, a thread left waiting here is reported
    /// blocked on the cell's `once`.
    ///
    /// ```
    /// use leakcheck::sync::{Arc, OnceLock};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let cell = Arc::new(OnceLock::new());
    ///     let c2 = Arc::clone(&cell);
    ///     let h = thread::spawn(move || *c2.wait());
    ///     cell.set(7).unwrap();
    ///     assert_eq!(h.join().unwrap(), 7);
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) -> &T {
        let at = runtime::caller();
        match runtime::current() {
            None => self.std.wait(),
            Some(exec) => {
                let h = self.model(&exec);
                exec.switch("OnceLock::wait", at);
                model::wait(&exec, h.id, true, "OnceLock::wait", at);
                match self.value_in(exec.serial) {
                    Some(v) => v,
                    None => panic!(
                        "leakcheck: the execution stopped before the OnceLock was initialised"
                    ),
                }
            }
        }
    }

    /// Consumes the cell and returns its value, if it was initialised.
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let cell = OnceLock::new();
    /// cell.set("hello").unwrap();
    /// assert_eq!(cell.into_inner(), Some("hello"));
    /// ```
    pub fn into_inner(mut self) -> Option<T> {
        match runtime::current() {
            None => self.std.take(),
            Some(exec) => self.take_value(exec.serial),
        }
    }

    /// Takes the value out, leaving the cell empty (and ready to be initialised again).
    ///
    /// ```
    /// use leakcheck::sync::OnceLock;
    ///
    /// let mut cell = OnceLock::new();
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.take(), Some(1));
    /// assert_eq!(cell.get(), None);
    /// ```
    pub fn take(&mut self) -> Option<T> {
        match runtime::current() {
            None => self.std.take(),
            Some(exec) => {
                let taken = self.take_value(exec.serial);
                if let Some(h) = self.slot.attached(&exec)
                    && !exec.closed()
                {
                    model::reset(&exec, h.id);
                }
                taken
            }
        }
    }
}

impl<T> Default for OnceLock<T> {
    #[track_caller]
    fn default() -> Self {
        Self::new()
    }
}

impl<T> From<T> for OnceLock<T> {
    /// A cell initialised with `value`.
    #[track_caller]
    fn from(value: T) -> Self {
        Self::with_value(value)
    }
}

impl<T: Clone> Clone for OnceLock<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let cell = Self::new();
        if let Some(v) = self.get() {
            // The clone holds its value in every execution, as a cell made with one.
            let _ = cell.std.set(v.clone());
        }
        cell
    }
}

impl<T: PartialEq> PartialEq for OnceLock<T> {
    #[track_caller]
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceLock<T> {}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("OnceLock");
        match self.get() {
            Some(v) => d.field(v),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}
