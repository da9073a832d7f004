//! The user guide in `docs/`, checked against the code: every report a page shows is produced
//! here, and every Rust sample a page shows is compiled (and run) here.
//!
//! # Markers
//!
//! - `<!-- code: NAME -->`, followed by a ```` ```rust ```` block: the block is the file
//!   `docs/examples/NAME.rs`, byte for byte. That file is compiled into this test with `include!`
//!   (each in its own module), so the code a page shows is the code that runs. The file is the
//!   source of truth.
//! - `<!-- file: PATH -->`, followed by a ```` ```toml ```` block (for a `.toml` file) or a
//!   ```` ```rust ```` block: the block is the file `docs/examples/PATH`, byte for byte. The crates
//!   of `docs/examples/setups/` are shown this way, and built by `tests/setups.rs`.
//! - `<!-- report: NAME -->` or `<!-- output: NAME -->`, followed by a ```` ```text ```` block: the
//!   block is the text the test of that name produces (a report's `to_string()`, a summary, an
//!   error message). The code is the source of truth.
//! - Every other ```` ```rust ```` block in the guide must be marked `rust,ignore`: it is not
//!   compiled anywhere.
//!
//! # Stacks
//!
//! Reports carry `spawned from:` / `blocked from:` / `panicked from:` sections (captured when the
//! failing schedule is replayed) whose function names depend on the build: `{{closure}}` in
//! debug builds, `{closure#0}` and missing frames where release builds inline. The scheme is the
//! simplest robust one: those sections are removed from the produced text before it is compared,
//! and before it is written when blessing, so the pages never show them. Everything else (counts,
//! schedule, seed, names, `path:line:col` locations, the replay line) is compared byte for byte.
//!
//! # Updating
//!
//! `LEAKCHECK_BLESS=1 cargo test --features tokio --test docs_reports` rewrites the blocks that differ,
//! in place (the async examples need the `tokio` feature).
//! With `LEAKCHECK_SCHEDULES`, `LEAKCHECK_SEED`, `LEAKCHECK_SCHEDULER` or `LEAKCHECK_REPLAY` set,
//! the reports cannot match the pages: the scenario tests then print what they find instead of
//! comparing (so the replay lines the pages show can be run as they are).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex as StdMutex;

use leakcheck::{Config, Report};

/// Compiles each `docs/examples/NAME.rs` into a module `NAME`, and lists the names.
macro_rules! examples {
    ($($(#[$cfg:meta])* $name:ident),* $(,)?) => {
        $(
            #[allow(dead_code)]
            $(#[$cfg])*
            mod $name {
                include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/", stringify!($name), ".rs"));
            }
        )*
        const EXAMPLES: &[&str] = &[$(stringify!($name)),*];
    };
}

examples![
    // schedulers.md
    exhaustive_proof,
    // getting-started.md
    facade_imports,
    attribute,
    config_explore,
    // findings/threads.md
    leaked_worker,
    worker_fixed,
    poller,
    poller_fixed,
    audit_log,
    audit_log_fixed,
    transfer,
    transfer_fixed,
    flusher,
    flusher_fixed,
    loader,
    loader_fixed,
    server_ready,
    server_ready_fixed,
    // findings/channels.md
    worker_pool,
    worker_pool_fixed,
    log_stream,
    log_stream_fixed,
    peers,
    peers_fixed,
    mirrors,
    mirrors_fixed,
    handshake,
    handshake_fixed,
    cache,
    cache_fixed,
    // porting-go.md
    go_pipeline,
    go_select,
    go_leak,
    go_token,
    // findings/missed-signal.md
    index_event,
    index_event_fixed,
    line_queue,
    line_queue_fixed,
    conn_pool,
    conn_pool_fixed,
    activity,
    activity_fixed,
    batch_queue,
    batch_queue_fixed,
    job_queue,
    job_queue_fixed,
    // findings/unresponsive-cancellation.md
    inbox,
    inbox_fixed,
    // findings/lock-order.md
    shop,
    shop_fixed,
    lock_order_ok,
    lock_order_flag,
    sessions,
    sessions_fixed,
    routes,
    routes_fixed,
    // findings/stall.md
    uploader,
    uploader_fixed,
    // time.md
    sleep_ordered,
    // findings/tasks.md (the async examples need the `tokio` feature, which the workspace's
    // test run enables)
    #[cfg(feature = "tokio")]
    ready_flag,
    #[cfg(feature = "tokio")]
    ready_flag_fixed,
    #[cfg(feature = "tokio")]
    heartbeat,
    #[cfg(feature = "tokio")]
    heartbeat_fixed,
    #[cfg(feature = "tokio")]
    flush_on_close,
    #[cfg(feature = "tokio")]
    flush_on_close_fixed,
    // The "In async code" sections of findings/channels.md, missed-signal.md and
    // unresponsive-cancellation.md
    #[cfg(feature = "tokio")]
    log_writer,
    #[cfg(feature = "tokio")]
    log_writer_fixed,
    #[cfg(feature = "tokio")]
    shutdown_notify,
    #[cfg(feature = "tokio")]
    shutdown_notify_fixed,
    #[cfg(feature = "tokio")]
    snapshot,
    #[cfg(feature = "tokio")]
    snapshot_fixed,
    // findings/tasks.md, a lock held across an await
    #[cfg(feature = "tokio")]
    price_cache,
    #[cfg(feature = "tokio")]
    price_cache_fixed,
    // findings/lost-message.md
    #[cfg(feature = "tokio")]
    log_shipper,
    #[cfg(feature = "tokio")]
    log_shipper_fixed,
];

/// Every produced block: the page it is on, and its marker.
const BLOCKS: &[(&str, &str)] = &[
    ("schedulers.md", "output: exhaustive_summary"),
    ("getting-started.md", "output: clean_summary"),
    ("getting-started.md", "output: env_errors"),
    ("findings/threads.md", "report: worker_is_stopped"),
    ("findings/threads.md", "report: poller_polls"),
    ("findings/threads.md", "report: login_is_audited"),
    ("findings/threads.md", "report: concurrent_transfers"),
    ("findings/threads.md", "report: close_flushes"),
    ("findings/threads.md", "report: port_is_loaded"),
    ("findings/threads.md", "report: server_starts"),
    ("findings/channels.md", "report: pool_runs_a_job"),
    ("findings/channels.md", "report: first_error_is_found"),
    ("findings/channels.md", "report: friends_are_greeted"),
    ("findings/channels.md", "report: all_mirrors_down"),
    ("findings/channels.md", "report: handshake"),
    ("findings/channels.md", "report: cache_is_refreshed"),
    ("porting-go.md", "report: query_answers"),
    ("time.md", "report: cache_is_warm_after_startup"),
    ("findings/missed-signal.md", "report: index_is_built"),
    ("findings/missed-signal.md", "report: lines_are_written"),
    ("findings/missed-signal.md", "report: batches_are_reported"),
    ("findings/missed-signal.md", "report: batches_are_served"),
    (
        "findings/missed-signal.md",
        "report: broken_connection_is_replaced",
    ),
    ("findings/missed-signal.md", "report: job_is_run"),
    (
        "findings/unresponsive-cancellation.md",
        "report: consumer_stops_on_cancel",
    ),
    ("findings/lock-order.md", "report: orders_and_cancellations"),
    ("findings/lock-order.md", "report: flag_under_a_mutex"),
    ("findings/lock-order.md", "report: second_login_evicts"),
    ("findings/lock-order.md", "report: requests_during_reload"),
    ("findings/stall.md", "report: upload_is_retried"),
    ("findings/tasks.md", "report: service_becomes_ready"),
    ("findings/tasks.md", "report: connection_sends_heartbeats"),
    ("findings/tasks.md", "report: close_flushes_the_buffer"),
    ("findings/channels.md", "report: log_lines_are_written"),
    ("findings/missed-signal.md", "report: server_shuts_down"),
    (
        "findings/unresponsive-cancellation.md",
        "report: snapshot_on_shutdown",
    ),
    ("findings/tasks.md", "report: prices_are_refreshed"),
    ("findings/lost-message.md", "report: lines_are_shipped"),
    ("replay.md", "report: replayed"),
    ("replay.md", "output: replay_malformed"),
    ("replay.md", "output: replay_other_test"),
    ("replay.md", "output: replay_diverged"),
];

const BLESS: &str = "LEAKCHECK_BLESS";

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

fn blessing() -> bool {
    std::env::var_os(BLESS).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Pages are read and rewritten under this lock: tests run in parallel.
static PAGES: StdMutex<()> = StdMutex::new(());

/// The text without the stack sections (see the module documentation): a line `<what> from:`
/// and the more indented lines after it.
fn without_stacks(text: &str) -> String {
    let mut out = String::new();
    let mut skip_deeper_than: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(level) = skip_deeper_than {
            if indent > level {
                continue;
            }
            skip_deeper_than = None;
        }
        let trimmed = line.trim();
        if trimmed.ends_with(" from:") && !trimmed[..trimmed.len() - " from:".len()].contains(' ') {
            skip_deeper_than = Some(indent);
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A fenced block after a marker: its fence, its indentation (inside a list item), and the line
/// range of its content.
struct Block {
    fence: String,
    indent: String,
    content: std::ops::Range<usize>,
}

/// The blocks that follow `<!-- marker -->` in a page's lines.
fn blocks(lines: &[&str], marker: &str) -> Vec<Block> {
    let comment = format!("<!-- {marker} -->");
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != comment {
            continue;
        }
        let open = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
        assert!(
            open.starts_with("```"),
            "`{comment}` must be followed at once by a fenced block, not {open:?}"
        );
        let close = (i + 2..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .unwrap_or_else(|| panic!("the block after `{comment}` is not closed"));
        let fence_line = lines[i + 1];
        found.push(Block {
            fence: open.to_string(),
            indent: fence_line[..fence_line.len() - fence_line.trim_start().len()].to_string(),
            content: i + 2..close,
        });
    }
    found
}

/// Checks (or, when blessing, writes) the blocks after `<!-- marker -->` in `page`.
fn expect_block(page: &str, marker: &str, fence: &str, expected: &str) {
    let _lock = PAGES.lock().unwrap_or_else(|e| e.into_inner());
    let path = docs().join(page);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let lines: Vec<&str> = text.lines().collect();
    let found = blocks(&lines, marker);
    assert!(
        !found.is_empty(),
        "docs/{page} has no `<!-- {marker} -->` block"
    );
    let mut stale = Vec::new();
    for block in &found {
        assert_eq!(
            block.fence, fence,
            "the block after `<!-- {marker} -->` in docs/{page} must open with {fence}"
        );
        let shown: String = lines[block.content.clone()]
            .iter()
            .map(|l| format!("{}\n", l.strip_prefix(block.indent.as_str()).unwrap_or(l)))
            .collect();
        if shown != expected {
            stale.push((block, shown));
        }
    }
    if stale.is_empty() {
        return;
    }
    if blessing() {
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        for (block, _) in &stale {
            out.extend(lines[i..block.content.start].iter().map(|l| l.to_string()));
            out.extend(expected.lines().map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{}{l}", block.indent)
                }
            }));
            i = block.content.end;
        }
        out.extend(lines[i..].iter().map(|l| l.to_string()));
        let mut new_text = out.join("\n");
        new_text.push('\n');
        std::fs::write(&path, new_text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("blessed `<!-- {marker} -->` in docs/{page}");
        return;
    }
    let (_, shown) = &stale[0];
    panic!(
        "docs/{page}: the block after `<!-- {marker} -->` is out of date.\n\
         --- the page shows:\n{shown}--- the code produces:\n{expected}---\n\
         Run `{BLESS}=1 cargo test --test docs_reports` to update the page."
    );
}

/// Whether the environment overrides the settings the pages' reports were made with.
fn overridden() -> Option<&'static str> {
    [
        "LEAKCHECK_SCHEDULES",
        "LEAKCHECK_SEED",
        "LEAKCHECK_SCHEDULER",
        "LEAKCHECK_REPLAY",
        "LEAKCHECK_TIME",
    ]
    .into_iter()
    .find(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// Checks a produced text against its block, unless the environment changes what is produced.
fn expect_output(page: &str, marker: &str, text: &str) {
    assert!(
        BLOCKS.contains(&(page, marker)),
        "`{marker}` on {page} is missing from BLOCKS"
    );
    if let Some(var) = overridden() {
        eprintln!("{var} is set, so this is not compared with docs/{page}:\n{text}");
        return;
    }
    let mut expected = without_stacks(text);
    if !expected.ends_with('\n') {
        expected.push('\n');
    }
    expect_block(page, marker, "```text", &expected);
}

/// The report of a scenario that has a finding, under the settings of its example file.
fn report(config: Config, test: &str, body: fn()) -> Report {
    match config.test_name(test).package("leakcheck").explore(body) {
        Err(report) => report,
        Ok(summary) => panic!("the scenario `{test}` should have a finding: {summary}"),
    }
}

fn scenario(test: &str, config: Config, body: fn()) {
    let report = report(config, test, body);
    expect_output(
        "findings/threads.md",
        &format!("report: {test}"),
        &report.to_string(),
    );
}

fn clean(test: &str, body: fn()) -> String {
    match Config::new()
        .test_name(test)
        .package("leakcheck")
        .explore(body)
    {
        Ok(summary) => summary.to_string(),
        Err(report) if overridden() == Some("LEAKCHECK_REPLAY") => report.to_string(),
        Err(report) => panic!("the fixed `{test}` should be clean:\n{report}"),
    }
}

/// The message of a usage error (a panic with a `String`).
fn usage_error(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("a usage error panics");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The code blocks

#[test]
fn code_blocks_are_the_example_files() {
    for page in pages() {
        let rel = page
            .strip_prefix(docs())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&page).unwrap();
        for line in text.lines() {
            let Some(name) = line
                .trim()
                .strip_prefix("<!-- code: ")
                .and_then(|r| r.strip_suffix(" -->"))
            else {
                continue;
            };
            assert!(
                EXAMPLES.contains(&name),
                "docs/{rel} shows `{name}`, which is not compiled: add it to `examples!` in tests/docs_reports.rs"
            );
            let file = docs().join("examples").join(format!("{name}.rs"));
            let code = std::fs::read_to_string(&file).unwrap();
            expect_block(&rel, &format!("code: {name}"), "```rust", &code);
        }
    }
}

/// The fence a `<!-- file: PATH -->` block opens with.
fn file_fence(path: &str) -> &'static str {
    if path.ends_with(".toml") {
        "```toml"
    } else {
        "```rust"
    }
}

#[test]
fn file_blocks_are_the_files() {
    let mut shown = Vec::new();
    for page in pages() {
        let rel = page
            .strip_prefix(docs())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&page).unwrap();
        for line in text.lines() {
            let Some(path) = line
                .trim()
                .strip_prefix("<!-- file: ")
                .and_then(|r| r.strip_suffix(" -->"))
            else {
                continue;
            };
            let file = docs().join("examples").join(path);
            let content = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("docs/{rel} shows {}: {e}", file.display()));
            expect_block(&rel, &format!("file: {path}"), file_fence(path), &content);
            shown.push(path.to_string());
        }
    }
    // Every file of the setup crates is shown on a page.
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&docs().join("examples/setups"), &mut files);
    for file in files {
        let rel = file
            .strip_prefix(docs().join("examples"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(
            shown.contains(&rel),
            "docs/examples/{rel} is shown on no page (`<!-- file: {rel} -->`)"
        );
    }
}

/// The Markdown files a user reads: the guide's pages and the README.
fn pages_and_readme() -> Vec<PathBuf> {
    let mut all = pages();
    all.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    all
}

/// leakcheck is not published: every `leakcheck = ...` line of a TOML block (the README's, the
/// guide's) depends on it by path or git, never by a registry version.
#[test]
fn dependency_lines_name_a_path_or_git_source() {
    let mut seen = 0;
    for page in pages_and_readme() {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut in_toml = false;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.starts_with("```") {
                in_toml = trimmed == "```toml";
                continue;
            }
            // A dependency line (`leakcheck = "0.1"`, `leakcheck = { ... }`), not the feature
            // of that name (`leakcheck = ["dep:leakcheck"]`).
            let Some(value) = trimmed.strip_prefix("leakcheck =") else {
                continue;
            };
            if !in_toml || value.trim_start().starts_with('[') {
                continue;
            }
            seen += 1;
            assert!(
                (trimmed.contains("path = \"") || trimmed.contains("git = \""))
                    && !trimmed.contains("version"),
                "{}:{}: leakcheck is not on a registry; depend on it by path or git: {trimmed}",
                page.display(),
                i + 1
            );
        }
    }
    assert!(
        seen >= 3,
        "the README and the guide show how to depend on leakcheck"
    );
}

/// Claims that something is planned, in pages that describe what exists: each must name
/// something that does not exist yet. None does today.
#[test]
fn no_page_calls_a_feature_planned() {
    for page in pages_and_readme() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (i, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            for claim in [
                "is planned",
                "are planned",
                "not yet implemented",
                "until then",
            ] {
                assert!(
                    !lower.contains(claim),
                    "{}:{}: a stale claim (`{claim}`): {line}",
                    page.display(),
                    i + 1
                );
            }
        }
    }
}

#[test]
fn every_example_is_shown_and_every_block_is_known() {
    let mut shown = Vec::new();
    let mut markers = Vec::new();
    for page in pages() {
        let rel = page
            .strip_prefix(docs())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&page).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim();
            if let Some(marker) = line
                .strip_prefix("<!-- ")
                .and_then(|r| r.strip_suffix(" -->"))
            {
                if let Some(name) = marker.strip_prefix("code: ") {
                    shown.push(name.to_string());
                } else if marker.starts_with("report: ") || marker.starts_with("output: ") {
                    markers.push((rel.clone(), marker.to_string()));
                }
            }
            if line == "```rust" {
                let marked = i > 0
                    && (lines[i - 1].trim().starts_with("<!-- code: ")
                        || lines[i - 1].trim().starts_with("<!-- file: "));
                assert!(
                    marked,
                    "docs/{rel}:{}: a ```rust block must follow a `<!-- code: NAME -->` marker \
                     (it is then compiled here), or be marked ```rust,ignore",
                    i + 1
                );
            }
        }
    }
    for name in EXAMPLES {
        assert!(
            shown.iter().any(|s| s == name),
            "docs/examples/{name}.rs is shown on no page"
        );
    }
    for (page, marker) in &markers {
        assert!(
            BLOCKS.contains(&(page.as_str(), marker.as_str())),
            "docs/{page} has `<!-- {marker} -->`, which no test produces"
        );
    }
    for (page, marker) in BLOCKS {
        assert!(
            markers.iter().any(|(p, m)| p == page && m == marker),
            "docs/{page} lacks `<!-- {marker} -->`"
        );
    }
}

/// The markdown pages of the guide.
fn pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&docs(), &mut out);
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// findings/threads.md: each scenario's report, and its fix is clean. Each test is named as the
// scenario, so the replay line a page shows runs it.

#[test]
fn worker_is_stopped() {
    scenario(
        "worker_is_stopped",
        leaked_worker::config(),
        leaked_worker::worker_is_stopped,
    );
}

#[test]
fn worker_is_stopped_fixed() {
    clean("worker_is_stopped_fixed", worker_fixed::worker_is_stopped);
}

#[test]
fn poller_polls() {
    scenario("poller_polls", poller::config(), poller::poller_polls);
}

#[test]
fn poller_polls_fixed() {
    clean("poller_polls_fixed", poller_fixed::poller_polls);
}

#[test]
fn login_is_audited() {
    scenario(
        "login_is_audited",
        audit_log::config(),
        audit_log::login_is_audited,
    );
}

#[test]
fn login_is_audited_fixed() {
    clean("login_is_audited_fixed", audit_log_fixed::login_is_audited);
}

#[test]
fn login_is_audited_with_lingering_allowed() {
    let summary = audit_log::config()
        .allow_lingering(true)
        .explore(audit_log::login_is_audited);
    assert!(summary.is_ok() || overridden().is_some(), "{summary:?}");
}

#[test]
fn concurrent_transfers() {
    scenario(
        "concurrent_transfers",
        transfer::config(),
        transfer::concurrent_transfers,
    );
}

#[test]
fn concurrent_transfers_fixed() {
    clean(
        "concurrent_transfers_fixed",
        transfer_fixed::concurrent_transfers,
    );
}

#[test]
fn close_flushes() {
    scenario("close_flushes", flusher::config(), flusher::close_flushes);
}

#[test]
fn close_flushes_fixed() {
    clean("close_flushes_fixed", flusher_fixed::close_flushes);
}

#[test]
fn port_is_loaded() {
    scenario("port_is_loaded", loader::config(), loader::port_is_loaded);
}

#[test]
fn port_is_loaded_fixed() {
    clean("port_is_loaded_fixed", loader_fixed::port_is_loaded);
}

#[test]
fn server_starts() {
    scenario(
        "server_starts",
        server_ready::config(),
        server_ready::server_starts,
    );
}

#[test]
fn server_starts_fixed() {
    clean(
        "server_starts_fixed",
        server_ready_fixed::start_failure_is_reported,
    );
}

// ---------------------------------------------------------------------------------------------
// findings/channels.md and porting-go.md: as above, on their own pages.

fn scenario_on(page: &str, test: &str, config: Config, body: fn()) {
    let report = report(config, test, body);
    expect_output(page, &format!("report: {test}"), &report.to_string());
}

#[test]
fn pool_runs_a_job() {
    scenario_on(
        "findings/channels.md",
        "pool_runs_a_job",
        worker_pool::config(),
        worker_pool::pool_runs_a_job,
    );
}

#[test]
fn pool_runs_a_job_fixed() {
    clean("pool_runs_a_job_fixed", worker_pool_fixed::pool_runs_a_job);
}

#[test]
fn first_error_is_found() {
    scenario_on(
        "findings/channels.md",
        "first_error_is_found",
        log_stream::config(),
        log_stream::first_error_is_found,
    );
}

#[test]
fn first_error_is_found_fixed() {
    clean(
        "first_error_is_found_fixed",
        log_stream_fixed::first_error_is_found,
    );
}

#[test]
fn friends_are_greeted() {
    scenario_on(
        "findings/channels.md",
        "friends_are_greeted",
        peers::config(),
        peers::friends_are_greeted,
    );
}

#[test]
fn friends_are_greeted_fixed() {
    clean(
        "friends_are_greeted_fixed",
        peers_fixed::friends_are_greeted,
    );
}

#[test]
fn all_mirrors_down() {
    scenario_on(
        "findings/channels.md",
        "all_mirrors_down",
        mirrors::config(),
        mirrors::all_mirrors_down,
    );
}

#[test]
fn all_mirrors_down_fixed() {
    clean("all_mirrors_down_fixed", mirrors_fixed::all_mirrors_down);
}

#[test]
fn handshake() {
    scenario_on(
        "findings/channels.md",
        "handshake",
        handshake::config(),
        handshake::handshake,
    );
}

#[test]
fn handshake_fixed() {
    clean("handshake_fixed", handshake_fixed::handshake);
}

#[test]
fn cache_is_refreshed() {
    scenario_on(
        "findings/channels.md",
        "cache_is_refreshed",
        cache::config(),
        cache::cache_is_refreshed,
    );
}

#[test]
fn cache_is_refreshed_fixed() {
    clean("cache_is_refreshed_fixed", cache_fixed::cache_is_refreshed);
}

#[test]
fn pipeline() {
    clean("pipeline", go_pipeline::pipeline);
}

#[test]
fn cache_is_warm_after_startup() {
    scenario_on(
        "time.md",
        "cache_is_warm_after_startup",
        Config::new(),
        sleep_ordered::cache_is_warm_after_startup,
    );
}

#[test]
fn cache_is_warm_after_startup_under_virtual_time() {
    Config::new()
        .time(leakcheck::Time::Virtual)
        .check(sleep_ordered::cache_is_warm_after_startup);
}

#[test]
fn query_answers() {
    scenario_on(
        "porting-go.md",
        "query_answers",
        go_leak::config(),
        go_leak::query_answers,
    );
}

#[test]
fn summer_stops_on_cancel() {
    clean("summer_stops_on_cancel", go_token::summer_stops_on_cancel);
}

#[test]
fn query_answers_fixed() {
    clean("query_answers_fixed", go_select::query_answers);
}

// ---------------------------------------------------------------------------------------------
// findings/missed-signal.md, findings/unresponsive-cancellation.md and findings/lock-order.md:
// as above, on their own pages.

#[test]
fn index_is_built() {
    scenario_on(
        "findings/missed-signal.md",
        "index_is_built",
        index_event::config(),
        index_event::index_is_built,
    );
}

#[test]
fn index_is_built_fixed() {
    clean("index_is_built_fixed", index_event_fixed::index_is_built);
}

#[test]
fn lines_are_written() {
    scenario_on(
        "findings/missed-signal.md",
        "lines_are_written",
        line_queue::config(),
        line_queue::lines_are_written,
    );
}

#[test]
fn lines_are_written_fixed() {
    clean(
        "lines_are_written_fixed",
        line_queue_fixed::lines_are_written,
    );
}

#[test]
fn batches_are_reported() {
    scenario_on(
        "findings/missed-signal.md",
        "batches_are_reported",
        activity::config(),
        activity::batches_are_reported,
    );
}

#[test]
fn batches_are_reported_fixed() {
    clean(
        "batches_are_reported_fixed",
        activity_fixed::batches_are_reported,
    );
}

#[test]
fn batches_are_served() {
    scenario_on(
        "findings/missed-signal.md",
        "batches_are_served",
        batch_queue::config(),
        batch_queue::batches_are_served,
    );
}

#[test]
fn batches_are_served_fixed() {
    clean(
        "batches_are_served_fixed",
        batch_queue_fixed::batches_are_served,
    );
}

#[test]
fn broken_connection_is_replaced() {
    scenario_on(
        "findings/missed-signal.md",
        "broken_connection_is_replaced",
        conn_pool::config(),
        conn_pool::broken_connection_is_replaced,
    );
}

#[test]
fn broken_connection_is_replaced_fixed() {
    clean(
        "broken_connection_is_replaced_fixed",
        conn_pool_fixed::broken_connection_is_replaced,
    );
}

#[test]
fn job_is_run() {
    scenario_on(
        "findings/missed-signal.md",
        "job_is_run",
        job_queue::config(),
        job_queue::job_is_run,
    );
}

#[test]
fn job_is_run_fixed() {
    clean("job_is_run_fixed", job_queue_fixed::job_is_run);
}

/// Without spurious wake-ups, the `if` is never caught: the only wake-up is the notify.
#[test]
fn job_is_run_without_spurious_wakeups() {
    let summary = job_queue::config()
        .spurious_wakeups(false)
        .explore(job_queue::job_is_run);
    assert!(summary.is_ok() || overridden().is_some(), "{summary:?}");
}

#[test]
fn consumer_stops_on_cancel() {
    scenario_on(
        "findings/unresponsive-cancellation.md",
        "consumer_stops_on_cancel",
        inbox::config(),
        inbox::consumer_stops_on_cancel,
    );
}

#[test]
fn consumer_stops_on_cancel_fixed() {
    clean(
        "consumer_stops_on_cancel_fixed",
        inbox_fixed::consumer_stops_on_cancel,
    );
}

#[test]
fn orders_and_cancellations() {
    scenario_on(
        "findings/lock-order.md",
        "orders_and_cancellations",
        shop::config(),
        shop::orders_and_cancellations,
    );
}

#[test]
fn orders_and_cancellations_fixed() {
    clean(
        "orders_and_cancellations_fixed",
        shop_fixed::orders_and_cancellations,
    );
}

#[test]
fn ordered_lock_orders_are_clean() {
    clean("set_up_then_spawn", lock_order_ok::set_up_then_spawn);
    clean(
        "handed_over_a_channel",
        lock_order_ok::handed_over_a_channel,
    );
    clean("under_a_common_lock", lock_order_ok::under_a_common_lock);
}

#[test]
fn flag_under_a_mutex() {
    scenario_on(
        "findings/lock-order.md",
        "flag_under_a_mutex",
        lock_order_flag::config(),
        lock_order_flag::flag_under_a_mutex,
    );
}

#[test]
fn second_login_evicts() {
    scenario_on(
        "findings/lock-order.md",
        "second_login_evicts",
        sessions::config(),
        sessions::second_login_evicts,
    );
}

#[test]
fn second_login_evicts_fixed() {
    clean(
        "second_login_evicts_fixed",
        sessions_fixed::second_login_evicts,
    );
}

#[test]
fn requests_during_reload() {
    scenario_on(
        "findings/lock-order.md",
        "requests_during_reload",
        routes::config(),
        routes::requests_during_reload,
    );
}

#[test]
fn requests_during_reload_fixed() {
    clean(
        "requests_during_reload_fixed",
        routes_fixed::requests_during_reload,
    );
}

// ---------------------------------------------------------------------------------------------
// findings/stall.md

#[test]
fn upload_is_retried() {
    scenario_on(
        "findings/stall.md",
        "upload_is_retried",
        uploader::config(),
        uploader::upload_is_retried,
    );
}

#[test]
fn upload_is_retried_fixed() {
    clean("upload_is_retried_fixed", uploader_fixed::upload_is_retried);
}

// ---------------------------------------------------------------------------------------------
// schedulers.md

#[test]
fn exhaustive_summary() {
    let summary = exhaustive_proof::prove_counter();
    assert_eq!(summary.complete(), Some(true));
    expect_output(
        "schedulers.md",
        "output: exhaustive_summary",
        &summary.to_string(),
    );
}

// getting-started.md

#[test]
fn clean_summary() {
    let summary = clean("worker_is_stopped_fixed", worker_fixed::worker_is_stopped);
    expect_output("getting-started.md", "output: clean_summary", &summary);
}

/// A `Mutex` kept in a `static` across executions: each execution gives it a model of its own.
fn shared_static() {
    static CACHE: std::sync::OnceLock<leakcheck::sync::Mutex<u32>> = std::sync::OnceLock::new();
    let worker = leakcheck::thread::spawn(|| 1);
    let value = worker.join().unwrap();
    *CACHE
        .get_or_init(|| leakcheck::sync::Mutex::new(0))
        .lock()
        .unwrap() += value;
}

#[test]
fn cross_execution() {
    // What getting-started.md's caveats say: an object kept across executions is fine.
    let outcome = Config::new().schedules(20).explore(shared_static);
    assert!(outcome.is_ok(), "{outcome:?}");
}

/// Set in the child processes that `env_errors` starts.
const PROBE: &str = "DOCS_REPORTS_ENV_PROBE";

/// In a child process of `env_errors` (with `DOCS_REPORTS_ENV_PROBE` set), prints the usage
/// error its environment causes; otherwise does nothing. The environment is process-wide, so
/// setting bad values here would break the other tests of this binary.
#[test]
fn env_probe() {
    if std::env::var_os(PROBE).is_none() {
        return;
    }
    let message = usage_error(|| {
        let _ = Config::new().explore(|| ());
    });
    println!("<<<{message}>>>");
}

#[test]
fn env_errors() {
    let mut out = String::new();
    for (var, value) in [
        ("LEAKCHECK_SCHEDULES", "1k"),
        ("LEAKCHECK_SEED", "-1"),
        ("LEAKCHECK_SCHEDULER", "pct:0"),
    ] {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["env_probe", "--exact", "--nocapture", "--test-threads=1"])
            .env(PROBE, "1")
            .env(var, value)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&child.stdout);
        let message = stdout
            .split_once("<<<")
            .and_then(|(_, rest)| rest.split_once(">>>"))
            .map(|(message, _)| message)
            .unwrap_or_else(|| panic!("the probe printed no error for {var}={value}: {stdout}"));
        out.push_str(&format!("$ {var}={value} cargo test\n{message}\n"));
    }
    expect_output("getting-started.md", "output: env_errors", &out);
}

// ---------------------------------------------------------------------------------------------
// replay.md

fn transfers_report() -> Report {
    report(
        transfer::config(),
        "concurrent_transfers",
        transfer::concurrent_transfers,
    )
}

#[test]
fn replayed() {
    let token = transfers_report().replay_token().to_string();
    let replayed = report(
        transfer::config().replay(token),
        "concurrent_transfers",
        transfer::concurrent_transfers,
    );
    expect_output("replay.md", "report: replayed", &replayed.to_string());
}

#[test]
fn replay_malformed() {
    let token = transfers_report().replay_token().to_string();
    // One character changed: a letter the token does not have at that place.
    let middle = token.len() / 2;
    let changed = if &token[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let edited = format!("{}{changed}{}", &token[..middle], &token[middle + 1..]);
    let mut out = String::new();
    for (what, bad) in [
        ("A token cut short when copied", &token[..token.len() - 5]),
        ("A token with one character changed", edited.as_str()),
        ("A shuttle schedule", "910102f3a1e4c8a7d0e6b3f2c201"),
    ] {
        let message = usage_error(|| {
            let _ = transfer::config()
                .test_name("concurrent_transfers")
                .replay(bad)
                .explore(transfer::concurrent_transfers);
        });
        out.push_str(&format!("{what}:\n{message}\n"));
    }
    expect_output("replay.md", "output: replay_malformed", &out);
}

#[test]
fn replay_other_test() {
    let token = transfers_report().replay_token().to_string();
    let message = usage_error(|| {
        let _ = flusher::config()
            .test_name("close_flushes")
            .replay(token)
            .explore(flusher::close_flushes);
    });
    expect_output("replay.md", "output: replay_other_test", &message);
}

/// `concurrent_transfers` after a change: the refund now runs in two threads.
fn concurrent_transfers_changed() {
    use leakcheck::sync::{Arc, Mutex};
    let alice = Arc::new(Mutex::new(100));
    let bob = Arc::new(Mutex::new(100));
    let refunds: Vec<_> = (0..2)
        .map(|_| {
            let (a, b) = (Arc::clone(&alice), Arc::clone(&bob));
            leakcheck::thread::spawn(move || transfer::transfer(&b, &a, 5))
        })
        .collect();
    transfer::transfer(&alice, &bob, 30);
    for refund in refunds {
        refund.join().unwrap();
    }
}

#[test]
fn replay_diverged() {
    let token = transfers_report().replay_token().to_string();
    let message = usage_error(|| {
        let _ = transfer::config()
            .test_name("concurrent_transfers")
            .replay(token)
            .explore(concurrent_transfers_changed);
    });
    expect_output("replay.md", "output: replay_diverged", &message);
}

#[test]
fn stack_sections_are_removed() {
    let text = "leakcheck: 1 deadlock\n\ndeadlock: x\n  thread#0 (the test body)\n    blocked in Mutex::lock on mutex#2 at a.rs:8:21\n      blocked from:\n        f at a.rs:8:21\n        g::{{closure}} at a.rs:25:5\n      mutex#2 (created at a.rs:19:24) is held by thread#1\n    spawned from:\n      h at b.rs:1:1\n  panicked at b.rs:2:2: boom\n";
    assert_eq!(
        without_stacks(text),
        "leakcheck: 1 deadlock\n\ndeadlock: x\n  thread#0 (the test body)\n    blocked in Mutex::lock on mutex#2 at a.rs:8:21\n      mutex#2 (created at a.rs:19:24) is held by thread#1\n  panicked at b.rs:2:2: boom\n"
    );
}

// ---------------------------------------------------------------------------------------------
// findings/tasks.md

#[cfg(feature = "tokio")]
#[test]
fn service_becomes_ready() {
    scenario_on(
        "findings/tasks.md",
        "service_becomes_ready",
        ready_flag::config(),
        ready_flag::service_becomes_ready,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn service_becomes_ready_fixed() {
    clean(
        "service_becomes_ready_fixed",
        ready_flag_fixed::service_becomes_ready,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn connection_sends_heartbeats() {
    scenario_on(
        "findings/tasks.md",
        "connection_sends_heartbeats",
        heartbeat::config(),
        heartbeat::connection_sends_heartbeats,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn connection_sends_heartbeats_fixed() {
    clean(
        "connection_sends_heartbeats_fixed",
        heartbeat_fixed::connection_sends_heartbeats,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn close_flushes_the_buffer() {
    scenario_on(
        "findings/tasks.md",
        "close_flushes_the_buffer",
        flush_on_close::config(),
        flush_on_close::close_flushes_the_buffer,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn close_flushes_the_buffer_fixed() {
    clean(
        "close_flushes_the_buffer_fixed",
        flush_on_close_fixed::close_flushes_the_buffer,
    );
}

// ---------------------------------------------------------------------------------------------
// The "In async code" sections of findings/channels.md, missed-signal.md and
// unresponsive-cancellation.md

#[cfg(feature = "tokio")]
#[test]
fn log_lines_are_written() {
    scenario_on(
        "findings/channels.md",
        "log_lines_are_written",
        log_writer::config(),
        log_writer::log_lines_are_written,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn log_lines_are_written_fixed() {
    clean(
        "log_lines_are_written_fixed",
        log_writer_fixed::log_lines_are_written,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn server_shuts_down() {
    scenario_on(
        "findings/missed-signal.md",
        "server_shuts_down",
        shutdown_notify::config(),
        shutdown_notify::server_shuts_down,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn server_shuts_down_fixed() {
    clean(
        "server_shuts_down_fixed",
        shutdown_notify_fixed::server_shuts_down,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn snapshot_on_shutdown() {
    scenario_on(
        "findings/unresponsive-cancellation.md",
        "snapshot_on_shutdown",
        snapshot::config(),
        snapshot::snapshot_on_shutdown,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn snapshot_on_shutdown_fixed() {
    clean(
        "snapshot_on_shutdown_fixed",
        snapshot_fixed::snapshot_on_shutdown,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn prices_are_refreshed() {
    scenario_on(
        "findings/tasks.md",
        "prices_are_refreshed",
        price_cache::config(),
        price_cache::prices_are_refreshed,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn prices_are_refreshed_fixed() {
    clean(
        "prices_are_refreshed_fixed",
        price_cache_fixed::prices_are_refreshed,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn lines_are_shipped() {
    scenario_on(
        "findings/lost-message.md",
        "lines_are_shipped",
        log_shipper::config(),
        log_shipper::lines_are_shipped,
    );
}

#[cfg(feature = "tokio")]
#[test]
fn lines_are_shipped_fixed() {
    clean(
        "lines_are_shipped_fixed",
        log_shipper_fixed::lines_are_shipped,
    );
}
