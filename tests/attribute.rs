//! `#[leakcheck::test]` used as a user would: its arguments, its return types, and how it
//! composes with libtest's own attributes.

use leakcheck::__private::{inventory, TestEntry};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, FindingKind};

/// Spawns a thread that blocks forever on a mutex whose guard is never released.
fn leak_a_thread() {
    let lock = Arc::new(Mutex::new(()));
    let held = lock.lock().unwrap();
    let l2 = Arc::clone(&lock);
    thread::Builder::new()
        .name("waiter".into())
        .spawn(move || drop(l2.lock()))
        .unwrap();
    std::mem::forget(held);
}

/// Spawns a thread that is never joined but finishes on its own, possibly after the body.
fn detach_a_finite_thread() {
    thread::spawn(|| {
        for _ in 0..3 {
            thread::yield_now();
        }
    });
}

#[leakcheck::test]
fn clean_join() {
    let total = Arc::new(Mutex::new(0));
    let t = {
        let total = Arc::clone(&total);
        thread::spawn(move || *total.lock().unwrap() += 1)
    };
    *total.lock().unwrap() += 1;
    t.join().unwrap();
    assert_eq!(*total.lock().unwrap(), 2);
}

#[leakcheck::test(expect = "leaked_thread")]
fn forgotten_guard_leaks_the_waiter() {
    leak_a_thread();
}

#[leakcheck::test(schedules = 300, scheduler = "random", seed = 7, expect = ["leaked_thread"])]
fn expect_list_with_random_scheduler() {
    leak_a_thread();
}

#[leakcheck::test(
    seed = 0x5eed,
    scheduler = "dfs",
    schedules = 50,
    spurious_wakeups = false
)]
fn hex_seed_and_dfs() {
    let t = thread::spawn(|| 21 * 2);
    assert_eq!(t.join().unwrap(), 42);
}

/// Doc comments and other attributes stay on the test.
#[leakcheck::test]
#[should_panic(expected = "leaked thread")]
fn composes_with_should_panic() {
    leak_a_thread();
}

#[leakcheck::test]
#[ignore = "shows that #[ignore] is kept; it passes when run with --ignored"]
fn composes_with_ignore() {
    let t = thread::spawn(|| ());
    t.join().unwrap();
}

#[leakcheck::test]
fn returns_result() -> Result<(), String> {
    let t = thread::spawn(|| ());
    t.join().map_err(|_| "the thread panicked".to_string())?;
    Ok(())
}

#[leakcheck::test]
#[should_panic(expected = "the test body returned an error")]
fn returns_err() -> Result<(), String> {
    Err("nope".into())
}

#[leakcheck::test(allow_lingering)]
fn lingering_thread_is_allowed() {
    detach_a_finite_thread();
}

#[leakcheck::test(allow_lingering = true, max_steps = 10_000)]
fn lingering_thread_is_allowed_explicitly() {
    detach_a_finite_thread();
}

#[leakcheck::test(expect = "leaked_thread")]
fn lingering_thread_is_a_leak_by_default() {
    detach_a_finite_thread();
}

#[leakcheck::test(allow_lingering = false, expect = "leaked_thread")]
fn lingering_thread_is_a_leak_when_disallowed() {
    detach_a_finite_thread();
}

#[leakcheck::test(scheduler = "pct", depth = 2, max_steps = 500, expect = "step_limit")]
fn spinning_body_hits_the_step_limit() {
    loop {
        thread::yield_now();
    }
}

#[leakcheck::test(depth = 1, schedules = 20)]
fn depth_alone_means_pct() {
    let t = thread::spawn(|| ());
    t.join().unwrap();
}

pub mod nested {
    pub mod inner {
        use super::super::leak_a_thread;

        /// The report's replay line names the test as libtest does (`-- --exact` selects it):
        /// the module path without the crate name.
        #[leakcheck::test(schedules = 10)]
        #[should_panic(
            expected = "cargo test -p leakcheck nested::inner::replay_line_names_the_test -- --exact"
        )]
        pub fn replay_line_names_the_test() {
            leak_a_thread();
        }
    }
}

#[leakcheck::test(schedules = 10)]
#[should_panic(expected = "cargo test -p leakcheck replay_line_names_a_root_test -- --exact")]
fn replay_line_names_a_root_test() {
    leak_a_thread();
}

#[leakcheck::test(scheduler = "exhaustive", preemption_bound = 2)]
fn exhaustive_search_of_a_joined_thread_is_clean() {
    let h = thread::spawn(|| 1);
    assert_eq!(h.join().unwrap(), 1);
}

#[leakcheck::test(preemption_bound = 1, expect = "leaked_thread")]
fn preemption_bound_alone_means_exhaustive() {
    thread::spawn(thread::yield_now);
}

/// Writes the finding kinds' names once, into `EVERY_KIND_NAME` and into the `expect` of the
/// test it defines, so that the test below can compare what the attribute was given with
/// `FindingKind::ALL`.
macro_rules! expect_every_kind {
    ($($name:tt),+) => {
        /// The names `expect_lists_every_finding_kind` expects.
        const EVERY_KIND_NAME: &[&str] = &[$($name),+];

        /// An empty body finds nothing, so a test that expects findings fails.
        #[leakcheck::test(schedules = 1, expect = [$($name),+])]
        #[should_panic(expected = "but none of the 1 schedules explored had a finding")]
        fn expect_lists_every_finding_kind() {}
    };
}

expect_every_kind!(
    "deadlock",
    "leaked_thread",
    "leaked_task",
    "unclosed_channel",
    "missed_signal",
    "unresponsive_cancellation",
    "lock_order_inversion",
    "held_across_await",
    "lost_message",
    "panic",
    "step_limit",
    "stall"
);

/// The attribute takes its finding kinds from `FindingKind::ALL` (the schema crate both share):
/// `expect` takes every kind's name and expands it to that kind, and knows no other name.
#[test]
fn expect_takes_exactly_the_library_finding_kinds() {
    let mut names: Vec<&str> = FindingKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        EVERY_KIND_NAME, names,
        "`expect_every_kind!` lists the names of `FindingKind::ALL`, in order"
    );
    // The attribute accepted every name (or this would not compile); the registry shows what
    // each one expanded to.
    let entry = inventory::iter::<TestEntry>
        .into_iter()
        .find(|e| {
            e.module_path == module_path!() && e.function == "expect_lists_every_finding_kind"
        })
        .expect("`expect_lists_every_finding_kind` is registered");
    assert_eq!(
        entry.expect,
        FindingKind::ALL,
        "`expect` expands each name to the kind of that name (`finding_kinds` in \
         harness/macros/src/args.rs)"
    );
    // And no other name: an unknown kind's error lists every name the attribute knows, and
    // `tests/ui` checks that this file holds that error as the attribute gives it.
    let error = include_str!("ui/unknown_expect_kind.stderr");
    let mut known: Vec<&str> = error
        .lines()
        .next()
        .and_then(|line| line.split_once("expected one of: "))
        .map(|(_, list)| list.split(", ").collect())
        .expect("the error lists the kinds after `expected one of: `");
    known.sort_unstable();
    names.sort_unstable();
    assert_eq!(
        known, names,
        "`finding_kinds` in harness/macros/src/args.rs names exactly `FindingKind::ALL`"
    );
}

/// An `#[ignore]`d check: libtest runs it only with `--ignored` or `--include-ignored`, so the
/// replay line of its report must say so, or replaying it would run nothing. (Run it with
/// `cargo test -p leakcheck --test attribute -- --exact ignored_leak --include-ignored`.)
#[leakcheck::test(schedules = 10)]
#[ignore = "shows the replay line of an ignored test"]
#[should_panic(expected = "cargo test -p leakcheck ignored_leak -- --exact --include-ignored")]
fn ignored_leak() {
    leak_a_thread();
}

/// The configuration the attribute registered for a test of this file.
fn registered_config(function: &str) -> leakcheck::Config {
    let entry = inventory::iter::<TestEntry>
        .into_iter()
        .find(|e| e.module_path == module_path!() && e.function == function)
        .unwrap_or_else(|| panic!("`{function}` is registered"));
    (entry.config)()
}

/// `ignored_leak` does not run by default, so its configuration is checked here: the one the
/// attribute generated for it (the one its test runs with) gives a replay line that includes
/// ignored tests; a test without `#[ignore]` gets the plain `-- --exact`.
#[test]
fn replay_line_of_an_ignored_test_includes_ignored_tests() {
    let report = registered_config("ignored_leak")
        .explore(leak_a_thread)
        .expect_err("the body leaks a thread");
    assert!(
        report.to_string().lines().any(|line| line
            .ends_with("cargo test -p leakcheck ignored_leak -- --exact --include-ignored")),
        "{report}"
    );
    assert_eq!(
        report.data().replay_command,
        format!(
            "LEAKCHECK_REPLAY={} cargo test -p leakcheck ignored_leak -- --exact --include-ignored",
            report.replay_token()
        )
    );
    let plain = registered_config("replay_line_names_a_root_test")
        .explore(leak_a_thread)
        .expect_err("the body leaks a thread");
    assert!(
        plain
            .data()
            .replay_command
            .ends_with(" replay_line_names_a_root_test -- --exact"),
        "{plain}"
    );
}
