//! Code that is nondeterministic beyond the scheduler (here, a `HashMap`'s iteration order, which
//! std's `RandomState` seeds at random for every map): its replay error says the execution left
//! its recorded schedule, at which decision, what the program asked for there, and the usual
//! causes, instead of blaming the token.

use std::collections::HashMap;

use leakcheck::{thread, Config, FindingKind, Report};

/// Spawns one worker per entry of a `HashMap`, in the map's order, each yielding as many times
/// as its entry says; the last worker is never joined (the finding).
fn hashmap_ordered() {
    let work: HashMap<&str, usize> = [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6)]
        .into_iter()
        .collect();
    let mut handles = Vec::new();
    for (_, yields) in work {
        handles.push(thread::spawn(move || {
            for _ in 0..yields {
                thread::yield_now();
            }
        }));
    }
    drop(handles.pop());
    for h in handles {
        h.join().unwrap();
    }
}

fn found() -> Report {
    Config::new()
        .schedules(1_000)
        .explore(hashmap_ordered)
        .expect_err("the unjoined worker finishes late in some schedule")
}

fn usage_error(config: Config) -> Option<String> {
    let outcome = std::panic::catch_unwind(move || config.explore(hashmap_ordered));
    match outcome {
        Ok(_) => None,
        Err(payload) => Some(
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default(),
        ),
    }
}

#[test]
fn a_hashmap_ordered_body_replays_with_an_error_that_names_nondeterminism_and_the_step() {
    let report = found();
    assert!(report
        .findings()
        .iter()
        .any(|f| f.kind() == FindingKind::LeakedThread));
    // Each replay makes new maps, with new random orders: most replays leave the schedule.
    let mut diverged = 0;
    for _ in 0..20 {
        let Some(msg) = usage_error(Config::new().replay(report.replay_token())) else {
            continue;
        };
        diverged += 1;
        assert!(
            msg.contains("the replay token does not fit this test's execution: at decision "),
            "{msg}"
        );
        let step: usize = msg
            .split("at decision ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no step in: {msg}"));
        assert!(step >= 1, "{msg}");
        assert!(
            msg.contains("nondeterministic beyond the scheduler"),
            "{msg}"
        );
        assert!(msg.contains("HashMap or HashSet"), "{msg}");
        assert!(msg.contains("std::time::Instant::now"), "{msg}");
        assert!(msg.contains("globals"), "{msg}");
        assert!(!msg.contains("older version of this code"), "{msg}");
        // What the program asked for there: the next thread or a random choice, by whom, where.
        assert!(
            msg.contains("the program asked which thread runs next (thread#")
                || msg.contains("the program made a random choice (thread#")
                || msg.contains("the program went on (thread#")
                || msg.contains("the program finished, after"),
            "{msg}"
        );
        if msg.contains("(thread#") {
            assert!(msg.contains(&format!(" at {}:", file!())), "{msg}");
        }
    }
    assert!(diverged > 0, "no replay of 20 left its schedule");
}

#[test]
fn a_malformed_token_is_still_a_usage_error_of_its_own() {
    let msg = usage_error(Config::new().replay("lc1_notatoken")).unwrap();
    assert!(msg.contains("the replay token is malformed"), "{msg}");
    assert!(!msg.contains("nondeterministic"), "{msg}");
}
