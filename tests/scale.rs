//! Scale: parallel exploration gives the same result for any number of workers, and an execution
//! with a thousand threads completes.

mod common;

use leakcheck::sync::{mpsc, Arc, Mutex};
use leakcheck::{channel, thread, Config, FindingKind, Report, Scheduler};

use common::{fails, kinds};

/// Four threads append their number under a lock; the body panics when they ran in exactly
/// reverse order, which few schedules do.
fn rare_order() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let order = Arc::clone(&order);
            thread::spawn(move || {
                thread::yield_now();
                order.lock().unwrap().push(i);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let order = order.lock().unwrap();
    assert!(*order != [3, 2, 1, 0], "the threads ran in reverse order");
}

fn random(workers: usize) -> Config {
    Config::new()
        .scheduler(Scheduler::Random)
        .schedules(2_000)
        .seed(11)
        .workers(workers)
}

#[test]
fn every_worker_count_reports_the_lowest_failing_schedule_to_the_byte() {
    let one: Report = fails(random(1), rare_order);
    assert_eq!(kinds(&one), [FindingKind::Panic]);
    // Not the first schedule: with several workers, later failures race the lowest one.
    assert!(one.schedule() > 4, "schedule {}", one.schedule());
    for n in [2, 4] {
        let many = fails(random(n), rare_order);
        assert_eq!(many.schedule(), one.schedule(), "{n} workers");
        assert_eq!(many.to_string(), one.to_string(), "{n} workers");
        assert_eq!(many.to_json(), one.to_json(), "{n} workers");
    }
}

#[test]
fn every_worker_count_explores_the_same_clean_schedules() {
    let clean = || {
        let (tx, rx) = channel::bounded(0);
        let h = thread::spawn(move || tx.send(1).unwrap());
        assert_eq!(rx.recv().unwrap(), 1);
        h.join().unwrap();
    };
    let one = random(1).schedules(500).explore(clean).unwrap();
    for n in [2, 3, 4] {
        let many = random(n).schedules(500).explore(clean).unwrap();
        assert_eq!(many.schedules(), 500, "{n} workers");
        assert_eq!(
            (
                many.schedules(),
                many.scheduler(),
                many.seed(),
                many.complete()
            ),
            (one.schedules(), one.scheduler(), one.seed(), one.complete()),
            "{n} workers"
        );
    }
}

#[test]
fn workers_are_ignored_by_the_schedulers_that_cannot_split() {
    let config = Config::new()
        .scheduler(Scheduler::Pct { depth: 3 })
        .schedules(2_000)
        .seed(11);
    let one = fails(config.clone(), rare_order);
    let many = fails(config.workers(4), rare_order);
    assert_eq!(many.to_string(), one.to_string());
    for scheduler in [
        Scheduler::Dfs,
        Scheduler::Exhaustive {
            preemption_bound: 2,
        },
    ] {
        let config = Config::new().scheduler(scheduler).schedules(300);
        let body = || thread::spawn(|| ()).join().unwrap();
        let one = config.clone().explore(body).unwrap();
        let many = config.workers(4).explore(body).unwrap();
        assert_eq!(
            (many.schedules(), many.complete()),
            (one.schedules(), one.complete()),
            "{scheduler}"
        );
    }
}

/// A thousand threads, each doing a round trip over a channel with the body, all joined.
fn thousand_threads() {
    let (to_body, from_threads) = mpsc::channel();
    let handles: Vec<_> = (0..1_000)
        .map(|i| {
            let to_body = to_body.clone();
            thread::spawn(move || {
                let (reply_tx, reply_rx) = mpsc::channel();
                to_body.send((i, reply_tx)).unwrap();
                assert_eq!(reply_rx.recv().unwrap(), i * 2);
            })
        })
        .collect();
    for _ in 0..1_000 {
        let (i, reply) = from_threads.recv().unwrap();
        reply.send(i * 2).unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn an_execution_with_a_thousand_threads_completes() {
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        let summary = Config::new()
            .scheduler(scheduler)
            .schedules(2)
            .explore(thousand_threads)
            .unwrap_or_else(|r| panic!("{scheduler}: {r}"));
        assert_eq!(summary.schedules(), 2);
    }
}

#[leakcheck::test(workers = 2, scheduler = "random", schedules = 200)]
fn the_attribute_takes_workers() {
    let h = thread::spawn(|| ());
    h.join().unwrap();
}
