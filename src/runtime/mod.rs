//! The runtime of one execution: the registry, the backend it runs on, and the recipe every
//! primitive follows (scheduling point, then act on the registry, then block or wake).
//!
//! All state is per execution and reached through a thread-local that the driver sets while an
//! execution runs on this OS thread, so libtest may run many checks at once on its own threads.

pub(crate) mod registry;

use std::cell::{RefCell, RefMut};
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

use crate::backend::Backend;
use crate::backend::{Control, Stop};
pub(crate) use registry::{
    Loc, ObjId, ObjKind, ObjState, PanicRec, Registry, Status, ThreadRec, Tid, Wait, WaitOn,
};

/// The body's thread.
pub(crate) const BODY: Tid = 0;

static SERIAL: AtomicU64 = AtomicU64::new(1);

/// One execution.
pub(crate) struct Exec {
    pub reg: RefCell<Registry>,
    pub ctl: Rc<Control>,
    pub backend: &'static dyn Backend,
    /// Tells objects of this execution from those of another.
    pub serial: u64,
    /// Whether blocking operations that std lets wake spuriously may do so.
    pub spurious_wakeups: bool,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Exec>>> = const { RefCell::new(None) };
}

/// The execution running on this OS thread, if any.
#[inline]
pub(crate) fn current() -> Option<Rc<Exec>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Makes `exec` the current execution until the guard drops.
pub(crate) fn enter(exec: Rc<Exec>) -> EnterGuard {
    CURRENT.with(|c| *c.borrow_mut() = Some(exec));
    EnterGuard(())
}

pub(crate) struct EnterGuard(());

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
    }
}

/// A reference from a facade object to its state in the registry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handle {
    pub serial: u64,
    pub id: ObjId,
}

impl Exec {
    pub(crate) fn new(
        ctl: Rc<Control>,
        backend: &'static dyn Backend,
        capture: bool,
        spurious_wakeups: bool,
    ) -> Self {
        Exec {
            reg: RefCell::new(Registry::new(capture)),
            ctl,
            backend,
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            spurious_wakeups,
        }
    }

    #[inline]
    pub(crate) fn reg(&self) -> RefMut<'_, Registry> {
        self.reg.borrow_mut()
    }

    /// Whether the execution was stopped: objects' destructors then leave the registry alone.
    #[inline]
    pub(crate) fn closed(&self) -> bool {
        self.ctl.stop.get().is_some()
    }

    #[inline]
    pub(crate) fn me(&self) -> Tid {
        self.backend.current()
    }

    /// Registers a new object and returns the facade's reference to it.
    pub(crate) fn new_object(&self, kind: ObjKind, at: Loc, state: ObjState) -> Handle {
        let id = self.reg().add_object(kind, at, state);
        Handle {
            serial: self.serial,
            id,
        }
    }

    /// Remembers the operation the current thread makes, for "last seen at" in reports.
    #[inline]
    pub(crate) fn note(&self, op: &'static str, at: Loc) {
        let me = self.me();
        if let Some(t) = self.reg().threads.get_mut(me) {
            t.last_op = Some((op, at));
        }
    }

    /// A scheduling point before an operation.
    #[inline]
    pub(crate) fn switch(&self, op: &'static str, at: Loc) {
        if self.closed() {
            return;
        }
        self.note(op, at);
        self.backend.switch();
    }

    /// A scheduling point at which the current thread waits for others.
    pub(crate) fn yield_now(&self, op: &'static str, at: Loc) {
        if self.closed() {
            return;
        }
        self.note(op, at);
        self.backend.yield_now();
    }

    /// Stops the execution from the current thread: the scheduler runs nothing more, and the
    /// execution's registry is left as it is for the detectors. Returns only to a thread that
    /// is unwinding a panic (see [`Backend::stop`]); the execution is closed then.
    pub(crate) fn stop(&self, why: Stop) {
        self.ctl.stop.set(Some(why));
        self.backend.stop();
    }

    /// Blocks the current thread until another wakes it. The caller has put it on the wait queue
    /// of what it waits for. If no thread can run any more, this is a deadlock, and the execution
    /// stops here.
    pub(crate) fn block(&self, op: &'static str, on: WaitOn, at: Loc) {
        self.block_timed(op, on, at, false);
    }

    /// Blocks the current thread until another wakes it or, for a `timed` wait, until the
    /// scheduler lets time pass. Returns whether time passed (the wait timed out).
    ///
    /// When a timed wait begins while other threads can run, a recorded choice decides whether
    /// its time passes at once or it waits for a partner; either way, time passes when nothing
    /// else could run, so a timed wait never deadlocks the execution. (The choice is made here,
    /// not by offering the thread at every step, so that the scheduler's priorities do not
    /// decide every race against a timeout the same way.)
    pub(crate) fn block_timed(&self, op: &'static str, on: WaitOn, at: Loc, timed: bool) -> bool {
        if self.closed() {
            return false;
        }
        let me = self.me();
        if timed && self.reg().any_runnable() && self.choose(2) == 0 {
            self.note(op, at);
            return true;
        }
        let deadlock = {
            let mut reg = self.reg();
            let stack = reg.stack();
            let t = &mut reg.threads[me];
            t.status = Status::Blocked(Wait {
                op,
                on,
                at,
                stack,
                timed,
            });
            t.last_op = Some((op, at));
            t.timed_out = false;
            !reg.any_runnable()
        };
        if deadlock && !self.let_time_pass() {
            self.stop(Stop::Deadlock);
            return false;
        }
        {
            let mut reg = self.reg();
            if reg.threads[me].is_runnable() {
                // Time passed for this very thread.
                reg.threads[me].timed_out = false;
                return true;
            }
        }
        self.backend.block();
        self.backend.switch();
        std::mem::take(&mut self.reg().threads[me].timed_out)
    }

    /// Lets time pass for one thread in a timed wait (which one is the scheduler's choice), so
    /// that it can run. Returns false if no thread waits with a timeout.
    pub(crate) fn let_time_pass(&self) -> bool {
        let timed = self.reg().timed_waiters();
        if timed.is_empty() {
            return false;
        }
        let tid = timed[if timed.len() > 1 {
            self.choose(timed.len())
        } else {
            0
        }];
        let mut reg = self.reg();
        reg.threads[tid].timed_out = true;
        if tid == self.me() {
            reg.threads[tid].status = Status::Runnable;
        } else {
            self.wake(&mut reg, tid);
        }
        true
    }

    /// Makes a blocked thread runnable. The caller has taken it off the wait queue.
    pub(crate) fn wake(&self, reg: &mut Registry, tid: Tid) {
        if let Status::Blocked(_) = reg.threads[tid].status {
            reg.threads[tid].status = Status::Runnable;
            self.backend.unblock(tid);
        }
    }

    /// A random number the schedule records, for choices other than the next thread. Where one
    /// outcome is the exceptional one (a spurious wake-up, a timeout that fires at once, a reader
    /// passing waiting writers), it is outcome 0: the exhaustive search tries it last.
    pub(crate) fn choose(&self, n: usize) -> usize {
        debug_assert!(n > 0);
        // An exhaustive scheduler enumerates the `n` outcomes; the others draw a number.
        self.ctl.arity.set(n);
        (self.backend.next_u64() % n as u64) as usize
    }

    /// Whether the current thread wakes spuriously instead of blocking: a recorded choice, offered
    /// only when spurious wake-ups are on and another thread can run (so that a thread with
    /// nothing coming is still reported as blocked forever), and taken one time in four.
    pub(crate) fn spurious_wakeup(&self) -> bool {
        if !self.spurious_wakeups || self.closed() {
            return false;
        }
        let me = self.me();
        let others = self
            .reg()
            .threads
            .iter()
            .enumerate()
            .any(|(t, r)| t != me && r.is_runnable());
        others && self.choose(4) == 0
    }
}

// ---------------------------------------------------------------------------------------------
// Panics

thread_local! {
    /// The panic the hook saw last on this OS thread, taken by whoever catches it.
    static LAST_PANIC: RefCell<Option<PanicRec>> = const { RefCell::new(None) };
}

/// Installs leakcheck's panic hook once per process. Inside an execution it records the panic's
/// message and location for the report and prints nothing (the report says it better); outside,
/// it hands over to the hook that was there before.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = crate::backend::shuttle::take_hook_from_shuttle();
        std::panic::set_hook(Box::new(move |info| {
            let Some(exec) = current() else {
                return previous(info);
            };
            let message = payload_text(info.payload());
            let at = info
                .location()
                .map(|l| (l.file().to_string(), l.line(), l.column()));
            // Number the panic now, when it happens: the thread that catches it may record it
            // later than another thread's panic that it caused.
            let (capture, seq) = match exec.reg.try_borrow_mut() {
                Ok(mut reg) => {
                    reg.panics += 1;
                    (reg.capture, reg.panics)
                }
                Err(_) => (false, 0),
            };
            let stack = capture.then(backtrace::Backtrace::new_unresolved);
            LAST_PANIC.with(|p| {
                *p.borrow_mut() = Some(PanicRec {
                    message,
                    at,
                    stack,
                    seq,
                })
            });
        }));
    });
}

/// The text of a panic payload.
pub(crate) fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<a panic payload that is not a string>".to_string()
    }
}

/// The panic the hook recorded last, for the thread that caught it.
pub(crate) fn take_panic(payload: &(dyn std::any::Any + Send)) -> PanicRec {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| PanicRec {
            message: payload_text(payload),
            at: None,
            stack: None,
            seq: 0,
        })
}

/// Where a `#[track_caller]` function was called from.
#[inline]
#[track_caller]
pub(crate) fn caller() -> Loc {
    Location::caller()
}
