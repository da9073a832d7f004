//! `block_on`: the root of async code, on the modelled runtime inside a check and on a
//! current-thread tokio runtime outside one.

use std::future::Future;
use std::pin::pin;

use crate::runtime::task::{self, Flavor};
use crate::runtime::{self, Teardown};

/// Runs `future` to completion and returns its output, as tokio's `Runtime::block_on`.
///
/// Inside a check, it runs on leakcheck's modelled runtime, of the [`Flavor`] the check's
/// [`Config::flavor`](crate::Config::flavor) says (`current_thread` unless told otherwise): tasks
/// spawned from it are model threads of the execution, and those that have not completed when
/// the test body returns are reported. Outside a check, it builds a current-thread tokio
/// runtime with time enabled and runs `future` on it.
///
/// ```
/// use leakcheck::tokio;
///
/// leakcheck::check(|| {
///     let n = leakcheck::block_on(async {
///         let a = tokio::spawn(async { 1 });
///         let b = tokio::spawn(async { 2 });
///         a.await.unwrap() + b.await.unwrap()
///     });
///     assert_eq!(n, 3);
/// });
/// ```
///
/// # Panics
///
/// Inside a task or another `block_on` (a runtime's context), as tokio's: "Cannot start a
/// runtime from within a runtime".
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let at = runtime::caller();
    let Some(exec) = runtime::current() else {
        return ::tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("leakcheck::block_on: could not build a tokio runtime")
            .block_on(future);
    };
    if task::context(&exec).is_some() {
        panic!(
            "Cannot start a runtime from within a runtime. This happens because a function \
             (like `block_on`) attempted to block the current thread while the thread is being \
             used to drive asynchronous tasks."
        );
    }
    let flavor = exec.ctl.flavor.get();
    let rt = task::new_runtime(&exec, flavor, at);
    task::enter(&exec, rt, flavor == Flavor::CurrentThread);
    let mut future = pin!(future);
    let out = task::drive(&exec, future.as_mut(), at);
    task::leave(&exec);
    match out {
        Some(v) => v,
        // The execution stopped while this thread unwinds a panic (a destructor ran
        // `block_on`): it has no output to return, and unwinds on.
        None => std::panic::resume_unwind(Box::new(Teardown::Execution)),
    }
}
