//! `allow_detached_panics`: a program that handles its detached workers' panics itself (a pool
//! whose worker, on panic, tells the caller) is accepted with the setting, and still reported
//! without it.

mod common;

use leakcheck::channel::{unbounded, Sender};
use leakcheck::{thread, Config, Detail, FindingKind, Scheduler};

use common::{fails, kinds, Lines};

static PANIC_LINE: Lines = Lines::new();

/// The pool's sentinel: dropped while its worker unwinds, it reports the panic to the caller.
struct Sentinel(Sender<String>);

impl Drop for Sentinel {
    fn drop(&mut self) {
        if thread::panicking() {
            let _ = self.0.send("worker panicked".to_string());
        }
    }
}

/// A pool of one worker runs a job that panics; the caller gets the pool's report of it. The
/// worker's `JoinHandle` is dropped: the pool owns its workers' fate.
fn pool_reports_a_worker_panic() {
    let (tx, rx) = unbounded();
    let worker = thread::Builder::new()
        .name("pool-worker".into())
        .spawn(move || {
            let _sentinel = Sentinel(tx);
            PANIC_LINE.set(&[line!() + 1]);
            panic!("job failed");
        })
        .unwrap();
    drop(worker);
    assert_eq!(rx.recv().unwrap(), "worker panicked");
}

fn schedulers() -> [(Scheduler, usize); 3] {
    [
        (Scheduler::Random, 2_000),
        (Scheduler::Pct { depth: 3 }, 2_000),
        (Scheduler::Dfs, 2_000),
    ]
}

#[test]
fn a_handled_worker_panic_is_accepted_with_allow_detached_panics() {
    for (scheduler, schedules) in schedulers() {
        let summary = Config::new()
            .scheduler(scheduler)
            .schedules(schedules)
            // The worker may end after the caller returned: that is the pool's business.
            .allow_lingering(true)
            .allow_detached_panics(true)
            .explore(pool_reports_a_worker_panic)
            .unwrap_or_else(|r| panic!("{scheduler}: {r}"));
        assert!(summary.schedules() >= 1);
    }
}

#[test]
fn without_the_setting_the_detached_panic_is_reported_and_names_the_setting() {
    for (scheduler, _) in schedulers() {
        let report = fails(
            Config::new()
                .scheduler(scheduler)
                .schedules(200)
                .allow_lingering(true),
            pool_reports_a_worker_panic,
        );
        assert_eq!(kinds(&report), [FindingKind::Panic], "{report}");
        let f = &report.findings()[0];
        assert_eq!(f.thread().unwrap().name.as_deref(), Some("pool-worker"));
        let at = f.location().unwrap();
        assert_eq!((at.file.as_str(), at.line), (file!(), PANIC_LINE.get()[0]));
        let Detail::Panic { never_joined, .. } = f.detail() else {
            panic!("{f:?}")
        };
        assert!(never_joined);
        assert!(
            report
                .to_string()
                .contains("allow_detached_panics accepts this"),
            "{report}"
        );
    }
}

#[test]
fn a_joined_or_body_panic_is_still_reported_with_the_setting() {
    // The setting is about detached threads only: a panic of the body is always a finding.
    let report = fails(
        Config::new().schedules(10).allow_detached_panics(true),
        || panic!("the body fails"),
    );
    assert_eq!(kinds(&report), [FindingKind::Panic]);
    assert_eq!(report.findings()[0].thread().unwrap().id, 0);
}

#[leakcheck::test(allow_lingering, allow_detached_panics, schedules = 300)]
fn the_attribute_takes_the_flag() {
    pool_reports_a_worker_panic();
}
