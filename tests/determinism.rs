//! The same seed gives the same report, to the byte; replay tokens reproduce their findings.

use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, FindingKind, Report, Scheduler};

/// A leak that needs a particular interleaving: the worker blocks only if the body takes the
/// lock between the worker's check and its lock.
fn racy_leak() {
    let lock = Arc::new(Mutex::new(false));
    let l2 = Arc::clone(&lock);
    thread::Builder::new()
        .name("late-locker".into())
        .spawn(move || {
            thread::yield_now();
            let _g = l2.lock().unwrap();
        })
        .unwrap();
    let g = lock.lock().unwrap();
    thread::yield_now();
    std::mem::forget(g);
}

fn report(config: Config) -> Report {
    config.explore(racy_leak).expect_err("the leak is found")
}

#[test]
fn same_seed_gives_identical_bytes() {
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Dfs,
    ] {
        let config = Config::new().scheduler(scheduler).seed(99);
        let a = report(config.clone());
        let b = report(config);
        assert_eq!(a.to_string(), b.to_string(), "{scheduler}");
        assert_eq!(a.to_json(), b.to_json(), "{scheduler}");
        assert_eq!(a.replay_token(), b.replay_token());
    }
}

#[test]
fn different_seeds_explore_different_schedules() {
    let tokens: std::collections::HashSet<String> = (0..8)
        .map(|seed| {
            report(Config::new().scheduler(Scheduler::Random).seed(seed))
                .replay_token()
                .to_string()
        })
        .collect();
    assert!(tokens.len() > 1, "every seed found the same schedule");
}

#[test]
fn replay_token_reproduces_the_findings_on_the_first_try() {
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        let original = report(Config::new().scheduler(scheduler).seed(5));
        let replayed = report(Config::new().replay(original.replay_token()));
        assert_eq!(replayed.findings(), original.findings());
        assert_eq!(replayed.schedule(), original.schedule());
        assert!(replayed.to_string().contains("replayed schedule"));
        assert_eq!(replayed.findings()[0].kind(), FindingKind::LeakedThread);
    }
}

fn usage_error(config: Config) -> String {
    let err = std::panic::catch_unwind(move || config.explore(racy_leak))
        .expect_err("a usage error panics");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn malformed_tokens_are_clear_errors() {
    let good = report(Config::new()).replay_token().to_string();
    for (token, needle) in [
        (
            "91010595eb9591cab2b9b63d8002",
            "not a leakcheck replay token",
        ),
        ("lc1_!!", "characters other than"),
        (&good[..good.len() - 4], "cut"),
    ] {
        let msg = usage_error(Config::new().replay(token));
        assert!(msg.contains("replay token is malformed"), "{msg}");
        assert!(msg.contains(needle), "{msg}");
        assert!(msg.contains("lc1_"), "says what a token looks like: {msg}");
    }
}

#[test]
fn a_token_from_another_test_is_refused() {
    let other = Config::new()
        .test_name("some_other_test")
        .explore(racy_leak)
        .unwrap_err();
    let msg = usage_error(
        Config::new()
            .test_name("this_test")
            .replay(other.replay_token()),
    );
    assert!(msg.contains("does not fit this test"), "{msg}");
    assert!(msg.contains("some_other_test"), "{msg}");
}

#[test]
fn a_token_for_other_code_diverges_with_a_clear_error() {
    let token = report(Config::new()).replay_token().to_string();
    let err = std::panic::catch_unwind(move || {
        Config::new().replay(token).explore(|| {
            // Different code: three threads instead of one.
            let hs: Vec<_> = (0..3).map(|_| thread::spawn(thread::yield_now)).collect();
            for h in hs {
                h.join().unwrap();
            }
        })
    })
    .expect_err("diverges");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("does not fit this test"), "{msg}");
}
