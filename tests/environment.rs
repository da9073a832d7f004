//! The environment overrides, their strict parsing, and the report directory. Environment
//! variables are process-wide, so every test here holds one lock while it sets them.

use std::sync::Mutex as StdMutex;

use leakcheck::{thread, Config, FindingKind};

static ENV: StdMutex<()> = StdMutex::new(());

fn with_env<R>(vars: &[(&str, &str)], f: impl FnOnce() -> R) -> R {
    let _lock = ENV.lock().unwrap_or_else(|e| e.into_inner());
    for (k, v) in vars {
        // SAFETY: every test in this binary runs inside `with_env` and holds `ENV`, so no other
        // thread reads or writes the environment meanwhile.
        unsafe { std::env::set_var(k, v) };
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    for (k, _) in vars {
        // SAFETY: as above, `ENV` is still held.
        unsafe { std::env::remove_var(k) };
    }
    result.unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn usage_error(vars: &[(&str, &str)]) -> String {
    with_env(vars, || {
        let err = std::panic::catch_unwind(|| Config::new().explore(|| ()))
            .expect_err("a bad value panics");
        err.downcast_ref::<String>().cloned().unwrap_or_default()
    })
}

#[test]
fn each_bad_value_names_the_variable_and_what_it_accepts() {
    for (var, value, accepted) in [
        ("LEAKCHECK_SCHEDULES", "lots", "a whole number of schedules"),
        ("LEAKCHECK_SCHEDULES", "0", "at least 1"),
        (
            "LEAKCHECK_SEED",
            "0xZZ",
            "decimal (24301) or hexadecimal (0x5eed)",
        ),
        (
            "LEAKCHECK_SCHEDULER",
            "roundrobin",
            "`random`, `pct`, `pct:<depth>` (depth at least 1), `dfs`, `exhaustive` or `exhaustive:<preemption bound>`",
        ),
        ("LEAKCHECK_SCHEDULER", "pct:0", "depth at least 1"),
        ("LEAKCHECK_TIME", "paused", "`adversarial` or `virtual`"),
    ] {
        let msg = usage_error(&[(var, value)]);
        assert!(msg.contains(var), "{msg}");
        assert!(msg.contains(&format!("{value:?}")), "{msg}");
        assert!(msg.contains(accepted), "{msg}");
    }
}

#[test]
fn a_malformed_replay_token_in_the_environment_is_an_error() {
    let msg = usage_error(&[("LEAKCHECK_REPLAY", "not-a-token")]);
    assert!(msg.contains("replay token is malformed"), "{msg}");
}

#[test]
fn the_environment_overrides_the_code() {
    let summary = with_env(
        &[
            ("LEAKCHECK_SCHEDULES", "37"),
            ("LEAKCHECK_SEED", "0x10"),
            ("LEAKCHECK_SCHEDULER", "random"),
        ],
        || Config::new().schedules(5).explore(|| ()).unwrap(),
    );
    assert_eq!(summary.schedules(), 37);
    assert_eq!(summary.seed(), 16);
    assert_eq!(summary.scheduler(), leakcheck::Scheduler::Random);
}

#[test]
fn replay_through_the_environment_reproduces_the_report() {
    let body = || {
        thread::spawn(|| thread::yield_now());
    };
    let original = with_env(&[], || Config::new().explore(body).unwrap_err());
    let replayed = with_env(&[("LEAKCHECK_REPLAY", original.replay_token())], || {
        Config::new().explore(body).unwrap_err()
    });
    assert_eq!(replayed.findings(), original.findings());
}

#[test]
fn failing_checks_write_json_reports_to_the_report_dir() {
    let dir = std::env::temp_dir().join(format!("leakcheck-reports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let report = with_env(&[("LEAKCHECK_REPORT_DIR", dir.to_str().unwrap())], || {
        Config::new()
            .test_name("json_report_case")
            .explore(|| {
                thread::spawn(|| thread::yield_now());
            })
            .unwrap_err()
    });
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    // The report, and beside it the failing schedule as a page and a Perfetto trace.
    assert_eq!(files.len(), 3, "{files:?}");
    let stem = files[0].strip_suffix(".html").expect("the page");
    assert_eq!(files[1], format!("{stem}.json"));
    assert_eq!(files[2], format!("{stem}.trace.json"));
    let files = [std::path::PathBuf::from(&files[1])];
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(json["test"], "json_report_case");
    assert_eq!(json["format"], 2);
    assert_eq!(json["findings"][0]["kind"], "leaked_thread");
    assert_eq!(
        json["findings"][0]["thread"]["spawned_at"]["file"],
        "tests/environment.rs"
    );
    assert_eq!(json["replay_token"], report.replay_token());
    assert_eq!(json["text"], report.to_string());
    assert_eq!(
        json["findings"][0]["location"]["file"],
        "tests/environment.rs"
    );
    assert_eq!(json["package"], "leakcheck");
    assert_eq!(report.findings()[0].kind(), FindingKind::LeakedThread);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn clean_checks_write_a_summary_to_the_report_dir() {
    let dir = std::env::temp_dir().join(format!("leakcheck-summaries-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    with_env(&[("LEAKCHECK_REPORT_DIR", dir.to_str().unwrap())], || {
        Config::new()
            .schedules(12)
            .test_name("clean_case")
            .explore(|| thread::spawn(|| ()).join().unwrap())
            .unwrap()
    });
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].to_string_lossy().ends_with(".summary.json"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(json["kind"], "summary");
    assert_eq!(json["test"], "clean_case");
    assert_eq!(json["schedules"], 12);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_time_model_comes_from_the_environment() {
    use leakcheck::time::Duration;
    // A test that orders its threads with a sleep: it fails when a sleep may end early.
    let sleep_ordered = || {
        let (tx, rx) = leakcheck::channel::unbounded();
        let h = thread::spawn(move || {
            thread::sleep(Duration::from_millis(10));
            let _ = tx.send(());
        });
        thread::sleep(Duration::from_millis(50));
        assert!(rx.try_recv().is_ok());
        h.join().unwrap();
    };
    // The code says adversarial (the default); the environment says virtual.
    with_env(&[("LEAKCHECK_TIME", "virtual")], || {
        Config::new().schedules(300).check(sleep_ordered);
    });
    // And the other way round.
    let report = with_env(&[("LEAKCHECK_TIME", "adversarial")], || {
        Config::new()
            .time(leakcheck::Time::Virtual)
            .explore(sleep_ordered)
            .unwrap_err()
    });
    assert!(
        report.to_string().contains("LEAKCHECK_TIME=virtual"),
        "{report}"
    );
}
