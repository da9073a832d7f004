//! Replay tokens stay short for long executions whose schedule is regular, and a token too long
//! to paste goes to a file that `LEAKCHECK_REPLAY=@path` reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leakcheck::sync::{Condvar, Mutex};
use leakcheck::{thread, Config, FindingKind, Report, Scheduler};

/// A spin that never ends: the body waits for a worker that polls a flag nobody sets, until the
/// 100,000-step limit.
fn spin() {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    let h = thread::spawn(move || {
        while !f.load(Ordering::Acquire) {
            thread::yield_now();
        }
    });
    h.join().unwrap();
}

/// Two workers spin on a flag nobody sets while the body waits for them: two runnable
/// threads at every step, for 100,000 steps.
fn spin2() {
    let flag = Arc::new(AtomicBool::new(false));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let f = flag.clone();
            thread::spawn(move || {
                while !f.load(Ordering::Acquire) {
                    thread::yield_now();
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

/// A timer thread that waits "until the next deadline" forever, beside a poller: every wait is
/// a recorded choice (does its time pass now?).
fn timer_loop() {
    let state = Arc::new((Mutex::new(0u64), Condvar::new()));
    let s = state.clone();
    let timer = thread::spawn(move || {
        let (m, cv) = &*s;
        let mut g = m.lock().unwrap();
        loop {
            g = cv.wait_timeout(g, Duration::from_millis(10)).unwrap().0;
            *g += 1;
        }
    });
    let stop = Arc::new(AtomicBool::new(false));
    let st = stop.clone();
    let poller = thread::spawn(move || {
        while !st.load(Ordering::Acquire) {
            thread::yield_now();
        }
    });
    poller.join().unwrap();
    timer.join().unwrap();
}

/// Two threads that wake each other and wait with a timeout, forever: a recorded choice (does
/// the wait time out now?) at almost every wait.
fn timed_ping_pong() {
    let state = Arc::new((Mutex::new(0u64), Condvar::new()));
    let hs: Vec<_> = (0..2)
        .map(|_| {
            let s = state.clone();
            thread::spawn(move || {
                let (m, cv) = &*s;
                let mut g = m.lock().unwrap();
                loop {
                    *g += 1;
                    cv.notify_one();
                    g = cv.wait_timeout(g, Duration::from_millis(10)).unwrap().0;
                }
            })
        })
        .collect();
    // Neither thread ever returns: the body waits in the first join until the steps run out.
    let mut hs = hs.into_iter();
    match hs.next().unwrap().join().unwrap() {}
}

fn failing(body: fn(), scheduler: Scheduler) -> Report {
    Config::new()
        .schedules(1)
        .scheduler(scheduler)
        .max_steps(100_000)
        .explore(body)
        .expect_err("it runs out of steps")
}

/// Token sizes of 100,000-step executions. Before choices were recorded as their outcomes and
/// runs of them coded (format version 1), `timed_ping_pong` gave tokens of 688,695 (random),
/// 735,094 (pct) and 736,232 (dfs) bytes.
#[test]
fn tokens_of_100k_step_executions_stay_short_when_the_schedule_is_regular() {
    let bodies: [(&str, fn(), usize); 4] = [
        ("spin", spin, 200),
        ("spin2", spin2, 40_000),
        ("timer_loop", timer_loop, 300),
        ("timed_ping_pong", timed_ping_pong, 60_000),
    ];
    for (name, body, most) in bodies {
        for scheduler in [
            Scheduler::Random,
            Scheduler::Pct { depth: 3 },
            Scheduler::Dfs,
        ] {
            let report = failing(body, scheduler);
            assert!(report
                .findings()
                .iter()
                .any(|f| f.kind() == FindingKind::StepLimit));
            let len = report.replay_token().len();
            println!("{name} {scheduler}: token of {len} bytes");
            assert!(len <= most, "{name} {scheduler}: {len} bytes");
        }
    }
    // A regular schedule: one thread spinning while the other waits, whatever the scheduler.
    assert!(
        failing(spin2, Scheduler::Pct { depth: 3 })
            .replay_token()
            .len()
            < 200
    );
}

fn usage_error(config: Config, body: fn()) -> String {
    let payload =
        std::panic::catch_unwind(move || config.explore(body)).expect_err("a usage error");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_token_too_long_to_paste_goes_to_a_file_that_replays() {
    let report = failing(timed_ping_pong, Scheduler::Random);
    let token = report.replay_token();
    assert!(token.len() > 4096, "{} bytes", token.len());
    let text = report.to_string();
    let line = text.lines().last().unwrap();
    let path = line
        .strip_prefix("replay: LEAKCHECK_REPLAY=@")
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no @file in the replay line: {line}"));
    assert!(path.starts_with("target/leakcheck/replay/"), "{path}");
    assert!(line.len() < 300, "{line}");
    // The same report bytes every time: the file's name follows from the test and the token.
    assert_eq!(
        failing(timed_ping_pong, Scheduler::Random).to_string(),
        text
    );

    let replayed = Config::new()
        .replay(format!("@{path}"))
        .explore(timed_ping_pong)
        .expect_err("the replay finds it again");
    assert_eq!(
        replayed
            .findings()
            .iter()
            .map(|f| f.kind())
            .collect::<Vec<_>>(),
        report
            .findings()
            .iter()
            .map(|f| f.kind())
            .collect::<Vec<_>>()
    );
    assert_eq!(replayed.replay_token(), token);
}

#[test]
fn a_missing_token_file_is_a_clear_error() {
    let msg = usage_error(
        Config::new().replay("@target/leakcheck/replay/no-such-token.lc"),
        spin,
    );
    assert!(
        msg.contains(
            "cannot read the replay token file `target/leakcheck/replay/no-such-token.lc`"
        ),
        "{msg}"
    );
    assert!(msg.contains("LEAKCHECK_REPLAY=@<file>"), "{msg}");
}
