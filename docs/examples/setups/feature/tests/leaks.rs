//! `cargo test --features leakcheck`: integration tests link the library with the feature on.

#[leakcheck::test]
fn runs_every_job() {
    assert_eq!(jobs::run_all(vec![|| 1, || 2]), [1, 2]);
}

/// Found only because the library spawns on the facade: std's threads are invisible.
#[leakcheck::test(expect = "leaked_thread")]
fn a_worker_kept_busy_is_found() {
    let requests = jobs::start_worker();
    std::mem::forget(requests);
}
