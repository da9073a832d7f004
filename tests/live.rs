//! Live mode on real threads. Each check runs in a process of its own (this test binary,
//! re-run on one test with `--test-threads=1`), because what it finds depends on every thread
//! of the process: tests running beside it in the same process would start threads of their
//! own. Every wait is bounded.
#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use leakcheck::live::{self, Config};
use leakcheck::{Detail, FindingKind, LeakState, OsActivity, Report};

/// Set in the child process: run the check itself.
const CHILD: &str = "LEAKCHECK_LIVE_TEST_CHILD";

/// In the parent, re-runs test `name` alone in a child process (with `env`) and asserts it
/// passed; in the child, runs `check`.
fn in_own_process(name: &str, env: &[(&str, &str)], args: &[&str], check: impl FnOnce()) {
    if std::env::var_os(CHILD).is_some() {
        return check();
    }
    let (ok, output) = run_child(name, env, args);
    assert!(
        ok,
        "the check of {name} failed in its own process:\n{output}"
    );
}

/// Runs test `name` of this binary in a child process; returns whether it passed and its
/// output. Kills it after 60 s.
fn run_child(name: &str, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([name, "--exact", "--nocapture", "--include-ignored"])
        .args(if args.is_empty() {
            &["--test-threads=1"][..]
        } else {
            args
        })
        .env(CHILD, "1")
        .env_remove("LEAKCHECK_MODE")
        .env_remove("NEXTEST")
        .env_remove("RUST_TEST_THREADS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{name} did not finish within 60 s:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The report's only finding, as an OS thread: its name and what it was doing.
fn only_leak(report: &Report) -> (Option<String>, leakcheck::OsThread) {
    assert_eq!(report.findings().len(), 1, "{report}");
    let finding = &report.findings()[0];
    assert_eq!(finding.kind(), FindingKind::LeakedThread);
    match finding.detail() {
        Detail::LeakedThread {
            thread,
            state: LeakState::StillAlive(os),
        } => (thread.name.clone(), os.clone()),
        other => panic!("not a live leak: {other:?}"),
    }
}

/// Starts a thread (named `name`) blocked on a channel until the returned sender drops.
fn stuck_reader(name: Option<&str>) -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    let mut builder = std::thread::Builder::new();
    if let Some(name) = name {
        builder = builder.name(name.into());
    }
    builder
        .spawn(move || {
            let _ = rx.recv();
        })
        .unwrap();
    tx
}

fn short() -> Config {
    Config::new().grace(Duration::from_millis(200))
}

#[test]
fn a_named_thread_blocked_on_a_channel_is_one_leak_blocked_in_the_kernel() {
    in_own_process(
        "a_named_thread_blocked_on_a_channel_is_one_leak_blocked_in_the_kernel",
        &[],
        &[],
        || {
            let keep = Arc::new(std::sync::Mutex::new(Vec::new()));
            let kept = keep.clone();
            let report = short()
                .explore(move || {
                    kept.lock()
                        .unwrap()
                        .push(stuck_reader(Some("stuck-reader")));
                })
                .unwrap_err();
            let (name, os) = only_leak(&report);
            assert_eq!(name.as_deref(), Some("stuck-reader"));
            assert!(
                matches!(os.activity, OsActivity::Blocked { .. }),
                "{:?}",
                os.activity
            );
            assert!(!os.maybe_other_test, "one test thread: exact attribution");
            assert_eq!(os.grace_ms, 200);
            let text = report.to_string();
            assert!(text.contains("leaked thread#1 \"stuck-reader\""), "{text}");
            assert!(
                text.contains("live, run 1 of 1, cargo test, one test thread"),
                "{text}"
            );
            assert!(text.contains("blocked in the kernel"), "{text}");
            // Let the reader go.
            keep.lock().unwrap().clear();
        },
    );
}

#[test]
fn a_thread_that_finishes_within_the_grace_period_is_no_leak() {
    in_own_process(
        "a_thread_that_finishes_within_the_grace_period_is_no_leak",
        &[],
        &[],
        || {
            let summary = Config::new()
                .grace(Duration::from_secs(5))
                .explore(|| {
                    std::thread::spawn(|| std::thread::sleep(Duration::from_millis(50)));
                })
                .unwrap();
            assert_eq!(summary.runs(), 1);
        },
    );
}

#[test]
fn ignore_thread_accepts_a_thread_by_its_name_prefix() {
    in_own_process(
        "ignore_thread_accepts_a_thread_by_its_name_prefix",
        &[],
        &[],
        || {
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            short()
                .ignore_thread("pool-keeper")
                .explore(move || {
                    let flag = flag.clone();
                    std::thread::Builder::new()
                        .name("pool-keeper-1".into())
                        .spawn(move || {
                            while !flag.load(Ordering::Relaxed) {
                                std::thread::sleep(Duration::from_millis(5));
                            }
                        })
                        .unwrap();
                })
                .unwrap();
            stop.store(true, Ordering::Relaxed);
        },
    );
}

#[test]
fn a_body_that_joins_everything_is_clean_over_fifty_runs() {
    in_own_process(
        "a_body_that_joins_everything_is_clean_over_fifty_runs",
        &[],
        &[],
        || {
            let summary = short()
                .runs(50)
                .explore(|| {
                    let (tx, rx) = mpsc::channel();
                    let workers: Vec<_> = (0..3)
                        .map(|i| {
                            let tx = tx.clone();
                            std::thread::spawn(move || tx.send(i).unwrap())
                        })
                        .collect();
                    drop(tx);
                    assert_eq!(rx.iter().sum::<i32>(), 3);
                    for w in workers {
                        w.join().unwrap();
                    }
                })
                .unwrap();
            assert_eq!(summary.runs(), 50);
        },
    );
}

#[test]
fn a_leaked_thread_that_spins_is_running() {
    in_own_process("a_leaked_thread_that_spins_is_running", &[], &[], || {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let report = short()
            .explore(move || {
                let flag = flag.clone();
                std::thread::Builder::new()
                    .name("spinner".into())
                    .spawn(move || {
                        while !flag.load(Ordering::Relaxed) {
                            std::hint::spin_loop();
                        }
                    })
                    .unwrap();
            })
            .unwrap_err();
        stop.store(true, Ordering::Relaxed);
        let (name, os) = only_leak(&report);
        assert_eq!(name.as_deref(), Some("spinner"));
        assert_eq!(os.activity, OsActivity::Running);
    });
}

#[test]
fn threads_that_existed_before_the_body_are_never_reported() {
    in_own_process(
        "threads_that_existed_before_the_body_are_never_reported",
        &[],
        &[],
        || {
            let (tx, rx) = mpsc::channel::<()>();
            let old = std::thread::Builder::new()
                .name("older".into())
                .spawn(move || {
                    let _ = rx.recv();
                })
                .unwrap();
            short()
                .explore(|| std::thread::spawn(|| ()).join().unwrap())
                .unwrap();
            drop(tx);
            old.join().unwrap();
        },
    );
}

#[test]
fn attribution_under_parallel_cargo_test_says_a_survivor_may_be_another_tests() {
    // The child runs with two test threads: a named survivor may be another test's; an
    // unnamed one carries the test thread's own name, so it is this test's.
    let name = "attribution_under_parallel_cargo_test_says_a_survivor_may_be_another_tests";
    in_own_process(name, &[], &["--test-threads=2"], || {
        let keep = Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = keep.clone();
        let report = short()
            .explore(move || {
                kept.lock().unwrap().push(stuck_reader(Some("named-leak")));
            })
            .unwrap_err();
        let (_, os) = only_leak(&report);
        assert!(os.maybe_other_test);
        let text = report.to_string();
        assert!(text.contains("cargo test, 2 test threads"), "{text}");
        assert!(
            text.contains("may belong to another test running in this process"),
            "{text}"
        );
        keep.lock().unwrap().clear();

        let kept = keep.clone();
        let report = short()
            .explore(move || {
                kept.lock().unwrap().push(stuck_reader(None));
            })
            .unwrap_err();
        let (_, os) = only_leak(&report);
        assert!(!os.maybe_other_test, "{report}");
        keep.lock().unwrap().clear();
    });
}

#[test]
fn attribution_under_nextest_is_exact() {
    in_own_process(
        "attribution_under_nextest_is_exact",
        &[("NEXTEST", "1")],
        &["--test-threads=4"],
        || {
            let keep = Arc::new(std::sync::Mutex::new(Vec::new()));
            let kept = keep.clone();
            let report = short()
                .explore(move || {
                    kept.lock().unwrap().push(stuck_reader(Some("named-leak")));
                })
                .unwrap_err();
            let (_, os) = only_leak(&report);
            assert!(!os.maybe_other_test);
            assert!(report.to_string().contains("nextest, one test per process"));
            keep.lock().unwrap().clear();
        },
    );
}

#[test]
fn the_attribute_runs_a_test_live() {
    // `expected_live_leak` below must pass (it expects its leak); run alone, it does.
    let (ok, output) = run_child("expected_live_leak", &[], &[]);
    assert!(ok, "{output}");
    assert!(output.contains("leaked thread#1 \"attr-leak\""), "{output}");
    assert!(
        output.contains(
            "rerun: cargo test -p leakcheck expected_live_leak -- --exact --include-ignored"
        ),
        "{output}"
    );
}

#[leakcheck::test(live, grace_ms = 100, expect = "leaked_thread")]
#[ignore = "run in a process of its own by the_attribute_runs_a_test_live"]
fn expected_live_leak() {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("attr-leak".into())
        .spawn(move || {
            let _ = rx.recv();
        })
        .unwrap();
    std::mem::forget(tx);
}

#[test]
fn leakcheck_mode_live_runs_every_test_live() {
    // A deterministic test whose body leaks a real std thread: the deterministic check cannot
    // see it, but LEAKCHECK_MODE=live can.
    let (ok, output) = run_child(
        "std_thread_leak_seen_only_live",
        &[("LEAKCHECK_MODE", "live")],
        &[],
    );
    assert!(!ok, "{output}");
    assert!(output.contains("leaked thread#1 \"std-leak\""), "{output}");
    assert!(
        output.contains(
            "rerun: LEAKCHECK_MODE=live cargo test -p leakcheck std_thread_leak_seen_only_live"
        ),
        "{output}"
    );
    let (ok, output) = run_child("std_thread_leak_seen_only_live", &[], &[]);
    assert!(ok, "deterministic mode does not see std threads: {output}");
    let (ok, output) = run_child(
        "std_thread_leak_seen_only_live",
        &[("LEAKCHECK_MODE", "sometimes")],
        &[],
    );
    assert!(!ok);
    assert!(
        output.contains("LEAKCHECK_MODE=\"sometimes\" is not valid: expected `live`"),
        "{output}"
    );
}

#[leakcheck::test(schedules = 3, grace_ms = 100)]
#[ignore = "run in a process of its own by leakcheck_mode_live_runs_every_test_live"]
fn std_thread_leak_seen_only_live() {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("std-leak".into())
        .spawn(move || {
            let _ = rx.recv();
        })
        .unwrap();
    std::mem::forget(tx);
}

#[test]
fn runs_of_zero_is_a_usage_error() {
    let err = std::panic::catch_unwind(|| Config::new().runs(0).check(|| ())).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("the setting `runs` must be at least 1"),
        "{msg}"
    );
}

#[test]
fn the_free_function_checks_with_the_defaults() {
    in_own_process(
        "the_free_function_checks_with_the_defaults",
        &[],
        &[],
        || {
            live::check(|| std::thread::spawn(|| ()).join().unwrap());
        },
    );
}

/// `live::check_tokio`: a tokio body on a real current-thread runtime (feature `tokio`).
#[cfg(feature = "tokio")]
mod tokio_bodies {
    use super::*;
    use leakcheck::{Role, TaskLeak};
    use std::panic::AssertUnwindSafe;

    /// The runtime's blocking pool's threads, as Linux names them.
    const BLOCKING: &str = leakcheck::live::TOKIO_BLOCKING_THREAD;

    /// Keeps what a body must not drop (a sender) until the assertions are done.
    type Kept<T> = Arc<std::sync::Mutex<Vec<T>>>;

    /// The finding's task and state, if it is a task that tokio counted alive.
    fn alive_task(finding: &leakcheck::Finding) -> (leakcheck::ThreadInfo, usize, u64, bool) {
        assert_eq!(finding.kind(), FindingKind::LeakedTask);
        match finding.detail() {
            Detail::LeakedTask {
                task,
                state: TaskLeak::AliveInRuntime { alive, grace_ms },
                detached,
            } => (task.clone(), *alive, *grace_ms, *detached),
            other => panic!("not a task alive in the runtime: {other:?}"),
        }
    }

    /// Starts a blocking closure that waits on a std channel until the returned sender drops,
    /// and waits until it runs (a closure still queued when the runtime shuts down never runs
    /// at all).
    async fn stuck_blocking_closure() -> mpsc::Sender<()> {
        let (tx, rx) = mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        tokio::task::spawn_blocking(move || {
            let _ = started.send(());
            let _ = rx.recv();
        });
        running.await.unwrap();
        tx
    }

    /// The live report a page shows after `<!-- live-report: NAME -->`: compared with `text`
    /// except for what changes from run to run and kernel to kernel (the OS thread ids, the
    /// kernel's wait points); `LEAKCHECK_BLESS=1` writes `text` there instead.
    fn expect_page_report(page: &str, name: &str, text: &str) {
        fn steady(text: &str) -> String {
            text.lines()
                .map(|line| {
                    let Some(at) = line.find("OS thread ") else {
                        return line.to_string();
                    };
                    let rest = &line[at + "OS thread ".len()..];
                    let id_end = rest
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(rest.len());
                    let mut out = format!("{}OS thread N{}", &line[..at], &rest[id_end..]);
                    if let Some(w) = out.find("blocked in the kernel at ") {
                        out.truncate(w + "blocked in the kernel at ".len());
                        out.push_str("WAIT");
                    }
                    out
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(page);
        let doc = std::fs::read_to_string(&path).unwrap();
        let marker = format!("<!-- live-report: {name} -->\n```text\n");
        let start = doc
            .find(&marker)
            .unwrap_or_else(|| panic!("{page} lacks `{marker}`"))
            + marker.len();
        let end = start + doc[start..].find("```\n").expect("a closed block");
        if std::env::var_os("LEAKCHECK_BLESS").is_some() {
            let text = format!("{}\n", text.trim_end_matches('\n'));
            let blessed = format!("{}{}{}", &doc[..start], text, &doc[end..]);
            std::fs::write(&path, blessed).unwrap();
            return;
        }
        assert_eq!(
            steady(&doc[start..end]),
            steady(text),
            "{page} shows another report (LEAKCHECK_BLESS=1 rewrites it)"
        );
    }

    /// The shipper's handles, as the guide's application keeps them.
    type ShipperHandle = (tokio::sync::mpsc::Sender<String>, mpsc::Sender<String>);

    /// What keeps the guide's shipper's channels open: a registry the process keeps.
    static REGISTRY: std::sync::Mutex<Vec<ShipperHandle>> = std::sync::Mutex::new(Vec::new());

    /// The example of docs/live.md: a log shipper (a task) forwards lines to a writer (a
    /// blocking closure); a registry keeps a handle to both channels, so both outlive the body.
    #[test]
    fn log_shipper_stops() {
        in_own_process("tokio_bodies::log_shipper_stops", &[], &[], || {
            let report = Config::new()
                .grace(Duration::from_millis(200))
                .explore_tokio(|| async {
                    let (lines, mut incoming) = tokio::sync::mpsc::channel::<String>(16);
                    let (to_disk, on_disk) = mpsc::channel::<String>();
                    let handle = (lines.clone(), to_disk.clone()); // the shipper's, for the app
                    let (written, mut done) = tokio::sync::mpsc::unbounded_channel();
                    // The shipper: forwards lines to the writer until `lines` is dropped.
                    tokio::spawn(async move {
                        while let Some(line) = incoming.recv().await {
                            let _ = to_disk.send(line);
                        }
                    });
                    // The writer, on the blocking pool: until every sender to it is dropped.
                    tokio::task::spawn_blocking(move || {
                        for line in on_disk {
                            let _ = written.send(line);
                        }
                    });
                    lines.send("started".into()).await.unwrap();
                    assert_eq!(done.recv().await.as_deref(), Some("started"));
                    REGISTRY.lock().unwrap().push(handle); // a global keeps both channels open
                })
                .unwrap_err();
            let text = report.to_string();
            assert_eq!(report.findings().len(), 2, "{text}");
            let (task, alive, _, _) = alive_task(&report.findings()[0]);
            assert_eq!((task.id, alive), (1, 1));
            let (name, os) = match report.findings()[1].detail() {
                Detail::LeakedThread {
                    thread,
                    state: LeakState::StillAlive(os),
                } => (thread.name.clone(), os.clone()),
                other => panic!("not a live leak: {other:?}"),
            };
            assert_eq!(name.as_deref(), Some(BLOCKING));
            assert!(matches!(os.activity, OsActivity::Blocked { .. }), "{text}");
            expect_page_report("docs/live.md", "check_tokio", &text);
            REGISTRY.lock().unwrap().clear();
        });
    }

    #[test]
    fn a_task_waiting_forever_on_a_oneshot_is_one_task_alive_in_the_runtime() {
        in_own_process(
            "tokio_bodies::a_task_waiting_forever_on_a_oneshot_is_one_task_alive_in_the_runtime",
            &[],
            &[],
            || {
                let keep: Kept<tokio::sync::oneshot::Sender<()>> = Arc::default();
                let kept = keep.clone();
                let report = short()
                    .explore_tokio(move || {
                        let kept = kept.clone();
                        async move {
                            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                            tokio::spawn(async move {
                                let _ = rx.await;
                            });
                            kept.lock().unwrap().push(tx);
                        }
                    })
                    .unwrap_err();
                assert_eq!(report.findings().len(), 1, "{report}");
                let (task, alive, grace_ms, detached) = alive_task(&report.findings()[0]);
                assert_eq!(task.role, Role::Task);
                assert_eq!(task.name, None, "tokio names no task on a stable build");
                assert_eq!((alive, grace_ms, detached), (1, 200, true));
                let text = report.to_string();
                assert!(
                    text.starts_with(
                        "leakcheck: 1 leaked task (live, run 1 of 1, cargo test, one test thread)"
                    ),
                    "{text}"
                );
                assert!(
                    text.contains(
                        "leaked task#1\n  tokio counted 1 task alive 200 ms after the body returned"
                    ),
                    "{text}"
                );
                keep.lock().unwrap().clear();
            },
        );
    }

    #[test]
    fn a_spawn_blocking_closure_blocked_on_a_std_channel_is_a_leaked_pool_thread() {
        in_own_process(
            "tokio_bodies::a_spawn_blocking_closure_blocked_on_a_std_channel_is_a_leaked_pool_thread",
            &[],
            &[],
            || {
                let keep: Kept<mpsc::Sender<()>> = Arc::default();
                let kept = keep.clone();
                let report = short()
                    .explore_tokio(move || {
                        let kept = kept.clone();
                        async move {
                            let tx = stuck_blocking_closure().await;
                            kept.lock().unwrap().push(tx);
                        }
                    })
                    .unwrap_err();
                // No task is alive (tokio does not count blocking closures as tasks): the pool's
                // thread is the one finding.
                let (name, os) = only_leak(&report);
                assert_eq!(name.as_deref(), Some(BLOCKING));
                assert!(
                    matches!(os.activity, OsActivity::Blocked { .. }),
                    "{:?}",
                    os.activity
                );
                assert!(!os.maybe_other_test);
                assert_eq!(os.grace_ms, 200);
                assert_eq!(report.findings()[0].thread().unwrap().role, Role::BlockingTask);
                let text = report.to_string();
                assert!(
                    text.contains("leaked blocking task#1 \"tokio-blocking\"\n  OS thread "),
                    "{text}"
                );
                assert!(text.contains("blocked in the kernel"), "{text}");
                keep.lock().unwrap().clear();
            },
        );
    }

    #[test]
    fn a_leaked_task_a_leaked_blocking_closure_and_a_leaked_thread_are_three_findings() {
        in_own_process(
            "tokio_bodies::a_leaked_task_a_leaked_blocking_closure_and_a_leaked_thread_are_three_findings",
            &[],
            &[],
            || {
                let keep: Kept<mpsc::Sender<()>> = Arc::default();
                let kept = keep.clone();
                let report = short()
                    .explore_tokio(move || {
                        let kept = kept.clone();
                        async move {
                            tokio::spawn(std::future::pending::<()>());
                            let tx = stuck_blocking_closure().await;
                            kept.lock().unwrap().push(tx);
                            kept.lock().unwrap().push(stuck_reader(Some("std-reader")));
                        }
                    })
                    .unwrap_err();
                let text = report.to_string();
                assert_eq!(report.findings().len(), 3, "{text}");
                let (task, alive, _, _) = alive_task(&report.findings()[0]);
                assert_eq!((task.id, alive), (1, 1));
                let threads: Vec<(usize, Option<String>, Role)> = report.findings()[1..]
                    .iter()
                    .map(|f| {
                        assert_eq!(f.kind(), FindingKind::LeakedThread);
                        let t = f.thread().unwrap();
                        (t.id, t.name.clone(), t.role)
                    })
                    .collect();
                // The OS lists them by id: either may come first.
                assert!(
                    threads.contains(&(2, Some(BLOCKING.into()), Role::BlockingTask))
                        || threads.contains(&(3, Some(BLOCKING.into()), Role::BlockingTask)),
                    "{text}"
                );
                assert!(
                    threads.iter().any(|(id, name, role)| *id >= 2
                        && name.as_deref() == Some("std-reader")
                        && *role == Role::Thread),
                    "{text}"
                );
                assert!(
                    text.starts_with("leakcheck: 2 leaked threads, 1 leaked task (live, run 1 of 1"),
                    "{text}"
                );
                keep.lock().unwrap().clear();
            },
        );
    }

    #[test]
    fn tasks_and_blocking_closures_that_finish_within_the_grace_period_are_no_leak() {
        in_own_process(
            "tokio_bodies::tasks_and_blocking_closures_that_finish_within_the_grace_period_are_no_leak",
            &[],
            &[],
            || {
                let summary = Config::new()
                    .grace(Duration::from_secs(5))
                    .runs(5)
                    .explore_tokio(|| async {
                        // Detached, and done soon after the body returns.
                        tokio::spawn(tokio::time::sleep(Duration::from_millis(20)));
                        tokio::spawn(async {
                            tokio::task::yield_now().await;
                        });
                        tokio::task::spawn_blocking(|| {
                            std::thread::sleep(Duration::from_millis(20));
                        });
                        // A task that ends when the body's sender drops.
                        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
                        tokio::spawn(async move { while rx.recv().await.is_some() {} });
                        tx.send(1).await.unwrap();
                    })
                    .unwrap();
                assert_eq!(summary.runs(), 5);
            },
        );
    }

    #[test]
    fn a_tokio_body_that_awaits_everything_is_clean_over_twenty_runs() {
        in_own_process(
            "tokio_bodies::a_tokio_body_that_awaits_everything_is_clean_over_twenty_runs",
            &[],
            &[],
            || {
                // A clean run ends as soon as the pool's idle thread has exited: the long grace
                // period costs nothing, and keeps a loaded machine from failing the test.
                let summary = Config::new()
                    .grace(Duration::from_secs(5))
                    .runs(20)
                    .explore_tokio(|| async {
                        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(2);
                        let mut tasks = tokio::task::JoinSet::new();
                        for i in 0..3 {
                            let tx = tx.clone();
                            tasks.spawn(async move { tx.send(i).await.unwrap() });
                        }
                        drop(tx);
                        let blocking = tokio::task::spawn_blocking(|| 2 + 2);
                        let mut sum = 0;
                        while let Some(i) = rx.recv().await {
                            sum += i;
                        }
                        assert_eq!(sum, 3);
                        while let Some(done) = tasks.join_next().await {
                            done.unwrap();
                        }
                        assert_eq!(blocking.await.unwrap(), 4);
                        let timed = tokio::time::timeout(
                            Duration::from_secs(5),
                            tokio::time::sleep(Duration::from_millis(1)),
                        );
                        timed.await.unwrap();
                    })
                    .unwrap();
                assert_eq!(summary.runs(), 20);
            },
        );
    }

    #[test]
    fn threads_that_existed_before_a_tokio_body_are_never_reported() {
        in_own_process(
            "tokio_bodies::threads_that_existed_before_a_tokio_body_are_never_reported",
            &[],
            &[],
            || {
                // An earlier runtime's blocking-pool thread, idle for its keep-alive, and a
                // thread blocked on a channel: both older than the body.
                let older = tokio::runtime::Builder::new_current_thread()
                    .thread_name(BLOCKING)
                    .build()
                    .unwrap();
                older.block_on(older.spawn_blocking(|| ())).unwrap();
                let (tx, rx) = mpsc::channel::<()>();
                let old = std::thread::Builder::new()
                    .name("older".into())
                    .spawn(move || {
                        let _ = rx.recv();
                    })
                    .unwrap();
                Config::new()
                    .grace(Duration::from_secs(5))
                    .runs(3)
                    .explore_tokio(|| async {
                        tokio::task::spawn_blocking(|| ()).await.unwrap();
                    })
                    .unwrap();
                drop(tx);
                old.join().unwrap();
                older.shutdown_timeout(Duration::from_secs(5));
            },
        );
    }

    #[test]
    fn a_panicking_body_panics_as_it_is_without_waiting_for_its_blocking_closure() {
        in_own_process(
            "tokio_bodies::a_panicking_body_panics_as_it_is_without_waiting_for_its_blocking_closure",
            &[],
            &[],
            || {
                let keep: Kept<mpsc::Sender<()>> = Arc::default();
                let kept = keep.clone();
                let started = Instant::now();
                let panic = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    short().check_tokio(move || {
                        let kept = kept.clone();
                        async move {
                            let tx = stuck_blocking_closure().await;
                            kept.lock().unwrap().push(tx);
                            panic!("the body's own panic");
                        }
                    })
                }))
                .unwrap_err();
                assert_eq!(
                    panic.downcast_ref::<&str>(),
                    Some(&"the body's own panic")
                );
                // The shutdown waited at most the grace period for the stuck closure.
                assert!(started.elapsed() < Duration::from_secs(10));
                keep.lock().unwrap().clear();
            },
        );
    }

    #[test]
    fn check_tokio_inside_a_tokio_runtime_is_a_usage_error() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = rt.block_on(async {
            std::panic::catch_unwind(|| leakcheck::live::check_tokio(|| async {})).unwrap_err()
        });
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(
            msg.contains("cannot run check_tokio inside a tokio runtime"),
            "{msg}"
        );
    }

    #[test]
    fn the_free_function_checks_a_tokio_body_with_the_defaults() {
        in_own_process(
            "tokio_bodies::the_free_function_checks_a_tokio_body_with_the_defaults",
            &[],
            &[],
            || {
                leakcheck::live::check_tokio(|| async {
                    tokio::spawn(async { 1 }).await.unwrap();
                });
            },
        );
    }
}

/// An async test, under `LEAKCHECK_MODE=live`, runs on a real tokio runtime: a task it leaves
/// pending is reported from tokio's count; deterministic, the same test is a leaked task too.
#[cfg(feature = "tokio")]
#[test]
fn an_async_test_runs_live_on_a_real_tokio_runtime() {
    let (ok, output) = run_child("async_task_leak", &[("LEAKCHECK_MODE", "live")], &[]);
    assert!(!ok, "{output}");
    assert!(output.contains("1 leaked task (live"), "{output}");
    assert!(output.contains("tokio counted 1 task alive"), "{output}");
    let (ok, output) = run_child("async_task_leak", &[], &[]);
    assert!(!ok, "{output}");
    assert!(
        output.contains("leaked task#1, spawned at tests/live.rs"),
        "{output}"
    );
}

#[cfg(feature = "tokio")]
#[leakcheck::test(schedules = 20, grace_ms = 100)]
#[ignore = "run in a process of its own by an_async_test_runs_live_on_a_real_tokio_runtime"]
async fn async_task_leak() {
    drop(leakcheck::tokio::spawn(std::future::pending::<()>()));
}
