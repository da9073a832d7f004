//! The stall watchdog: a model thread blocked outside leakcheck (a std mutex used directly) ends
//! the check with a `Stall` report within the timeout instead of hanging it, and a long
//! computation that comes back is reported the normal way.
//!
//! A thread stuck for good cannot be unwound, so the watchdog ends the process: those checks run
//! in a child process (this test binary run again, with `STALL_CHILD` set and a filter), and
//! every wait for it is bounded.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leakcheck::{thread, Config, Detail, FindingKind, Scheduler};

use common::{fails, kinds, Lines};

/// Set in the child process: the name of the child check to run.
const CHILD: &str = "STALL_CHILD";

/// A worker holds a `std::sync::Mutex` across a scheduling point while the body locks it: the
/// one OS thread that runs both blocks in std's lock for good.
fn std_mutex_across_yield() {
    let m = Arc::new(std::sync::Mutex::new(0));
    let m2 = m.clone();
    let worker = thread::Builder::new()
        .name("holder".into())
        .spawn(move || {
            let mut g = m2.lock().unwrap();
            thread::yield_now();
            *g += 1;
        })
        .unwrap();
    thread::yield_now(); // the body's last scheduling point
    *m.lock().unwrap() += 1;
    worker.join().unwrap();
}

/// The child side: runs the check only when the parent asked for it.
#[test]
fn child_std_mutex_across_yield() {
    if std::env::var(CHILD).as_deref() != Ok("std_mutex_across_yield") {
        return;
    }
    Config::new()
        .schedules(200)
        .scheduler(Scheduler::Random)
        .stall_timeout(Duration::from_secs(1))
        .check(std_mutex_across_yield);
}

/// Runs this test binary again on one child check, with `env`, and waits for it at most
/// `limit`; returns its exit code and its stderr.
fn run_child(name: &str, env: &[(&str, &str)], limit: Duration) -> (Option<i32>, String, Duration) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args([
        &format!("child_{name}"),
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, name)
    .env_remove("LEAKCHECK_REPLAY")
    .env_remove("LEAKCHECK_STALL_TIMEOUT")
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the child check `{name}` still ran after {limit:?}: the watchdog did not end it"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    (status.code(), reader.join().unwrap(), took)
}

#[test]
fn a_std_mutex_held_across_a_scheduling_point_ends_with_a_stall_report_not_a_hang() {
    let dir = std::env::temp_dir().join(format!("leakcheck-stall-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, stderr, took) = run_child(
        "std_mutex_across_yield",
        &[("LEAKCHECK_REPORT_DIR", dir.to_str().unwrap())],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(101), "{stderr}");
    // The timeout (1 s), the grace (3 s), the child's start, and a margin.
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let file = file!();
    assert!(
        stderr.contains("leakcheck: 1 stalled thread (schedule "),
        "{stderr}"
    );
    // The body, blocked in std's lock, is the thread that stalled; it was last seen where it
    // spawned the worker, which had yielded while holding the lock.
    assert!(
        stderr.contains("stalled thread#0 (the test body)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did not come back to leakcheck's scheduler for more than 1 s"),
        "{stderr}"
    );
    let line = include_str!("stall.rs")
        .lines()
        .position(|l| l.ends_with("// the body's last scheduling point"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "(the stall timeout); last seen in thread::yield_now at {file}:{line}:5\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("leakcheck::sync::Mutex instead of std::sync::Mutex"),
        "{stderr}"
    );
    assert!(stderr.contains("it never came back"), "{stderr}");
    let token = stderr
        .lines()
        .find_map(|l| l.strip_prefix("replay: LEAKCHECK_REPLAY="))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no replay line: {stderr}"))
        .to_string();
    // The JSON report, for the CLI.
    let json = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.contains("\"kind\": \"stall\"") || t.contains("\"kind\":\"stall\""))
        .unwrap_or_else(|| panic!("no stall report in {}", dir.display()));
    let report = leakcheck::Report::from_json(&json).unwrap();
    assert_eq!(kinds(&report), [FindingKind::Stall]);
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().id, 0);
    assert_eq!(f.location().unwrap().file, file);
    assert_eq!(f.location().unwrap().line as usize, line);
    let Detail::Stall { came_back, .. } = f.detail() else {
        panic!("{f:?}")
    };
    assert!(!came_back);
    let _ = std::fs::remove_dir_all(&dir);

    // Its token replays the schedule: the same stall, the same report.
    let (code, replayed, _) = run_child(
        "std_mutex_across_yield",
        &[("LEAKCHECK_REPLAY", &token)],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(101), "{replayed}");
    assert!(
        replayed.contains("stalled thread#0 (the test body)\n"),
        "{replayed}"
    );
    assert!(replayed.contains("replayed schedule"), "{replayed}");
}

#[test]
fn a_long_computation_that_comes_back_is_a_stall_reported_the_normal_way() {
    static LINES: Lines = Lines::new();
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 2 },
        Scheduler::Dfs,
    ] {
        let started = Instant::now();
        let report = fails(
            Config::new()
                .schedules(20)
                .scheduler(scheduler)
                .stall_timeout(Duration::from_secs(1)),
            || {
                let h = thread::Builder::new()
                    .name("cruncher".into())
                    .spawn(|| {
                        LINES.set(&[line!() + 1]);
                        thread::yield_now();
                        // Stands for a long computation: away from the scheduler, then back.
                        std::thread::sleep(Duration::from_millis(2_000));
                        thread::yield_now();
                    })
                    .unwrap();
                h.join().unwrap();
            },
        );
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(kinds(&report), [FindingKind::Stall], "{report}");
        let f = &report.findings()[0];
        assert_eq!(f.thread().unwrap().name.as_deref(), Some("cruncher"));
        let at = f.location().unwrap();
        assert_eq!((at.file.as_str(), at.line), (file!(), LINES.get()[0]));
        let Detail::Stall {
            came_back,
            elapsed_ms,
            timeout_ms,
            last_seen,
            ..
        } = f.detail()
        else {
            panic!("{f:?}")
        };
        assert!(came_back);
        assert_eq!(*timeout_ms, 1_000);
        assert!(*elapsed_ms >= 1_000, "{elapsed_ms}");
        assert_eq!(last_seen.as_ref().unwrap().operation, "thread::yield_now");
        let text = report.to_string();
        assert!(text.contains("it came back later"), "{text}");
        assert!(text.contains("or raise stall_timeout"), "{text}");
    }
}

#[test]
fn quick_steps_are_never_a_stall() {
    // Many short executions, each well inside the timeout: nothing is reported.
    Config::new()
        .schedules(2_000)
        .stall_timeout(Duration::from_secs(2))
        .check(|| {
            let h = thread::spawn(|| {
                for _ in 0..3 {
                    thread::yield_now();
                }
            });
            thread::yield_now();
            h.join().unwrap();
        });
}

#[test]
fn a_bad_stall_timeout_is_a_clear_error() {
    let err = std::panic::catch_unwind(|| {
        Config::new().stall_timeout(Duration::ZERO).check(|| ());
    })
    .unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("stall_timeout"), "{msg}");
}

/// The attribute's `stall_timeout` (seconds): with the default 10 s this body would pass.
#[leakcheck::test(stall_timeout = 0.3, schedules = 1, expect = "stall")]
fn the_attribute_takes_a_stall_timeout() {
    let h = thread::spawn(|| {
        thread::yield_now();
        // Away from the scheduler for longer than the timeout, then back.
        std::thread::sleep(Duration::from_millis(700));
        thread::yield_now();
    });
    h.join().unwrap();
}
