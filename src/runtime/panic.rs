//! Panics of the code under test: the hook that records each one for the report, and what the
//! thread that catches it takes from there.

use std::cell::RefCell;
use std::sync::Once;

use backtrace::Backtrace;

use super::current;

/// A panic, as the panic hook saw it.
#[derive(Debug, Clone)]
pub(crate) struct PanicRec {
    pub message: String,
    pub at: Option<(String, u32, u32)>,
    pub stack: Option<Backtrace>,
    /// Its place among the execution's panics, in the order they happened.
    pub seq: usize,
}

thread_local! {
    /// The panic the hook saw last on this OS thread, taken by whoever catches it.
    static LAST_PANIC: RefCell<Option<PanicRec>> = const { RefCell::new(None) };
}

/// A panic hook.
pub(crate) type Hook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>;

/// Installs leakcheck's panic hook once per process. Inside an execution it records the panic's
/// message and location for the report and prints nothing (the report says it better); outside,
/// it hands over to the hook that was there before, which `previous` takes out (an engine that
/// installs a hook of its own takes that one out of the way first).
pub(crate) fn install_hook(previous: impl FnOnce() -> Hook) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = previous();
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
            // A hook must not panic (that aborts): the engine may be between threads.
            let me = exec.backend.try_current();
            let (capture, seq) = match exec.reg.try_borrow_mut() {
                Ok(mut reg) => {
                    reg.panics += 1;
                    if let Some(t) = me.and_then(|me| reg.threads.get_mut(me)) {
                        t.unwinding = true;
                    }
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
