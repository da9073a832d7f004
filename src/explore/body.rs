//! What the test body's thread runs in every execution, on either backend.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Body;
use crate::runtime::{self, is_teardown, Status, Stop, ThreadRec, BODY};

/// The closure of the body's thread: run the body, then let the other threads run until nothing
/// can, and stop the execution if some are left unfinished, so the detectors see them as they are.
pub(crate) fn body_thread(body: Body) -> impl FnOnce() + Send + 'static {
    move || {
        let exec = runtime::current().expect("leakcheck: the body ran outside its execution");
        exec.reg().add_thread(BODY, ThreadRec::new(None, None));
        let result = match catch_unwind(AssertUnwindSafe(|| body())) {
            // The execution stopped: the registry stays as it was.
            Err(payload) if is_teardown(payload.as_ref()) => std::panic::resume_unwind(payload),
            result => result,
        };
        if !exec.closed() {
            // The body's thread ends here: its thread-locals go, as a std thread's do.
            runtime::thread::destroy_locals(&exec);
        }
        {
            let mut reg = exec.reg();
            if let Err(payload) = &result {
                reg.threads[BODY].panic = Some(runtime::panic::take_panic(payload.as_ref()));
                reg.threads[BODY].unwinding = false;
            }
            if exec.closed() {
                // The execution stopped while the body unwound a panic (a destructor blocked
                // forever): the registry stays as it was then, with the panic.
                return;
            }
            reg.body_returned = true;
        }
        drop(result);
        let at = runtime::caller();
        loop {
            let others_runnable = exec.reg().threads[1..].iter().any(ThreadRec::is_runnable);
            if others_runnable {
                // Wait, blocked in the engine, until none of them can run: the last one to
                // block or finish wakes the body (`Exec::unstick`). So this loop does not rely
                // on a scheduler honouring yields (shuttle's DFS does not).
                exec.note("(waiting for threads after the test body returned)", at);
                exec.reg().quiescing = true;
                exec.backend.block();
                exec.backend.switch();
                if exec.closed() {
                    return;
                }
            } else if !exec.let_time_pass() {
                break;
            }
        }
        let unfinished = exec.reg().threads[1..].iter().any(|t| !t.is_finished());
        if unfinished {
            exec.stop(Stop::Quiescent);
            return;
        }
        exec.reg().threads[BODY].status = Status::Finished;
    }
}
