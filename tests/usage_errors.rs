//! Usage errors point at the user's line: a malformed setting given to `Config::explore`, and a
//! facade object made inside a check but used outside it, panic with a message that says what
//! was wrong, at the line of this file that made the mistake (not inside leakcheck).
//!
//! One test in its own binary: it replaces the panic hook for the length of the test to see
//! where each panic was raised.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc as StdArc, Mutex as StdMutex, OnceLock as StdOnceLock};

use leakcheck::sync::{Arc, Barrier, Condvar, Mutex, OnceLock, RwLock, Semaphore};
use leakcheck::{thread, Config, Scheduler};

const FILE: &str = "tests/usage_errors.rs";

/// Runs `f`, which must panic; returns the panic's message and the line it was raised at.
fn panic_site(f: impl FnOnce()) -> (String, String, u32) {
    let seen: StdArc<StdMutex<Option<(String, u32)>>> = StdArc::new(StdMutex::new(None));
    let s = StdArc::clone(&seen);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(l) = info.location() {
            *s.lock().unwrap() = Some((l.file().to_string(), l.line()));
        }
    }));
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("it should have panicked");
    std::panic::set_hook(previous);
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let (file, line) = seen.lock().unwrap().take().expect("the hook saw the panic");
    (message, file, line)
}

/// Objects one check made, kept to be misused after it.
struct Leftovers {
    mutex: Arc<Mutex<u32>>,
    rwlock: Arc<RwLock<u32>>,
    condvar: Arc<Condvar>,
    barrier: Arc<Barrier>,
    once_lock: Arc<OnceLock<u32>>,
    semaphore: Arc<Semaphore>,
}

#[test]
fn usage_errors_point_at_the_callers_line() {
    // A malformed setting.
    let (message, file, line) = panic_site(|| {
        let _ = Config::new()
            .scheduler(Scheduler::Pct { depth: 0 })
            .explore(|| {});
    });
    assert_eq!((file.as_str(), line), (FILE, line!() - 2), "{message}");
    assert!(message.contains("depth"), "{message}");

    // Objects made inside a check, used after it.
    static LEFT: StdOnceLock<StdMutex<Option<Leftovers>>> = StdOnceLock::new();
    let left = LEFT.get_or_init(|| StdMutex::new(None));
    Config::new().schedules(1).check(|| {
        *LEFT.get().unwrap().lock().unwrap() = Some(Leftovers {
            mutex: Arc::new(Mutex::new(0)),
            rwlock: Arc::new(RwLock::new(0)),
            condvar: Arc::new(Condvar::new()),
            barrier: Arc::new(Barrier::new(1)),
            once_lock: Arc::new(OnceLock::new()),
            semaphore: Arc::new(Semaphore::new(1)),
        });
        thread::yield_now();
    });
    let objects = left.lock().unwrap().take().expect("the check ran");
    // Locks, condvars, barriers and once-cells are made by `const fn`s, as std's: one made
    // inside a check is std's own outside it (its value made in the check stays there).
    *objects.mutex.lock().unwrap() += 1;
    assert_eq!(*objects.mutex.lock().unwrap(), 1);
    assert_eq!(*objects.rwlock.read().unwrap(), 0);
    objects.condvar.notify_one();
    assert!(objects.barrier.wait().is_leader());
    assert_eq!(*objects.once_lock.get_or_init(|| 1), 1);
    // Each case: what the message names, the misuse, and the line it is on.
    macro_rules! case {
        ($what:literal, $misuse:expr) => {
            (
                $what,
                Box::new(|| {
                    let _ = $misuse;
                }) as Box<dyn FnOnce() + '_>,
                line!(),
            )
        };
    }
    let cases = [case!("a semaphore", objects.semaphore.acquire())];
    for (what, misuse, at) in cases {
        let (message, file, line) = panic_site(misuse);
        assert!(
            message.contains(&format!(
                "{what} created inside a check was used outside it"
            )),
            "{message}"
        );
        assert_eq!((file.as_str(), line), (FILE, at), "{what}: {message}");
    }
}
