//! The driver of a check: runs executions one after another under the scheduler, judges each,
//! stops at the first failing one, replays it with stacks captured, and builds the report. With
//! several workers (`Config::workers`, the random scheduler only), each OS thread runs its part
//! of the schedules so, and the lowest failing schedule is the one reported (`search_parallel`).
//!
//! `body.rs` is what the test body's thread runs; `exhaustive.rs` drives the search on loom;
//! `files.rs` writes reports and summaries for `LEAKCHECK_REPORT_DIR`.

mod body;
mod exhaustive;
mod files;
mod log;
mod watchdog;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::backend::shuttle::{self, Driven, Sampler, SHUTTLE};
use crate::config::{Config, Scheduler, Settings};
use crate::detect::Judge;
use crate::error::{ConfigError, ReplayError};
use crate::replay::{Cursor, Token};
use crate::report::{Finding, FindingKind, Report, ReportData, Summary, FORMAT};
use crate::runtime::{self, Control, Decision, Exec, Progress};
use crate::timeline::Timeline;

use self::body::body_thread;
use self::exhaustive::Searched;
pub(crate) use self::files::write_report;
use self::files::write_summary;
use self::watchdog::Watchdog;

/// The test body, as the check was given it.
pub(crate) type Body = Arc<dyn Fn() + Send + Sync + 'static>;

/// Why a check did not come out clean.
pub(crate) enum Failure {
    /// A schedule had findings.
    Found(Report),
    /// A usage error: a setting, an environment variable or a replay token is malformed, or the
    /// scheduler cannot run the body. `Config::explore` panics with it at the user's line.
    Usage(ConfigError),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Usage(e)
    }
}

impl From<ReplayError> for Failure {
    fn from(e: ReplayError) -> Self {
        Failure::Usage(e.into())
    }
}

/// The outcome of one execution.
struct Outcome {
    findings: Vec<Finding>,
    /// The spurious wake-ups the execution had.
    spurious: usize,
    diverged: Option<ReplayError>,
    /// The scheduler had no execution left to run: none ran.
    no_more: bool,
    /// The report's note on a timed wait that ended early in this execution, if one did.
    early_timer: Option<String>,
    /// The execution's event log, when it was recorded (a replay with stacks captured).
    timeline: Option<Timeline>,
}

/// One check's fixed parts: what every execution runs, on what, and how it is judged.
pub(super) struct Run<'a> {
    pub(super) settings: &'a Settings,
    pub(super) judge: &'a Judge,
    pub(super) body: &'a Body,
    engine: shuttle_engine::Config,
    /// What the stall watchdog watches, shared by every execution of the check.
    progress: Arc<Progress>,
    /// The failing schedule's timeline, once it was replayed: written beside the report.
    timeline: RefCell<Option<Timeline>>,
}

impl Run<'_> {
    /// A control for an execution of this check, watched by its stall watchdog.
    fn control(&self) -> Rc<Control> {
        let ctl = Control::watched(self.settings.max_steps, self.progress.clone());
        ctl.flavor.set(self.settings.flavor);
        Rc::new(ctl)
    }
}

/// Runs one execution, number `schedule` of the check, and judges it.
fn run_one(
    run: &Run<'_>,
    scheduler: &Rc<RefCell<Driven>>,
    ctl: &Rc<Control>,
    capture: bool,
    schedule: usize,
) -> Outcome {
    let (body, judge) = (run.body, run.judge);
    let exec = Rc::new(Exec::new(
        ctl.clone(),
        &SHUTTLE,
        capture,
        run.settings.spurious_wakeups,
        run.settings.time,
    ));
    let guard = runtime::enter(exec.clone());
    run.progress.execution(Some(schedule));
    let ran = catch_unwind(AssertUnwindSafe(|| {
        shuttle::run_execution(scheduler, &run.engine, body_thread(body.clone()))
    }));
    run.progress.execution(None);
    drop(guard);
    let ran = ran.unwrap_or_else(|payload| {
        // Every panic of the code under test is caught in its thread: this one is the harness's.
        panic!(
            "leakcheck: internal error (a bug in leakcheck, please report it): {}",
            runtime::panic::payload_text(payload.as_ref())
        )
    });
    if !ran {
        return Outcome {
            findings: Vec::new(),
            spurious: 0,
            diverged: None,
            no_more: true,
            early_timer: None,
            timeline: None,
        };
    }
    let diverged = ctl.diverged.borrow_mut().take();
    let stop = ctl.stop.get();
    let mut reg = exec.reg();
    let findings = if diverged.is_some() {
        Vec::new()
    } else {
        judge.findings(&mut reg, stop)
    };
    let early_timer = early_timer_note(&reg.clock.early);
    let timeline = reg.trace.take().map(|log| log::timeline(&reg, &log));
    Outcome {
        findings,
        // Counted only when a thread panicked right after a spurious wake-up (no real one
        // since): the failure an `if` in place of a `while` makes.
        spurious: if reg
            .threads
            .iter()
            .any(|t| t.panic.is_some() && t.spurious_streak > 0)
        {
            reg.spurious_wakeups
        } else {
            0
        },
        diverged,
        no_more: false,
        early_timer,
        timeline,
    }
}

/// The note of a report whose schedule let timed waits end early (see `Time::Adversarial`).
fn early_timer_note(early: &[(&'static str, runtime::Loc)]) -> Option<String> {
    let waits: Vec<String> = early
        .iter()
        .map(|(op, at)| format!("{op} at {}", crate::report::location(at)))
        .collect();
    let (first, rest) = waits.split_first()?;
    let which = if rest.is_empty() {
        format!("a timer expired early in this schedule: {first} ended")
    } else {
        format!(
            "timers expired early in this schedule: {first} and {} ended",
            rest.join(", ")
        )
    };
    Some(format!(
        "{which} while other threads could still run (time = \"adversarial\", the default). If \
         the code relies on sleeps or timeouts for ordering, check it with time = \"virtual\" \
         (Config::time(Time::Virtual), LEAKCHECK_TIME=virtual), where time passes only when no \
         thread can run"
    ))
}

/// The test's name: from the attribute, or the name libtest gives the thread running it.
fn test_name(settings: &Settings) -> Option<String> {
    settings.test_name.clone().or_else(|| {
        std::thread::current()
            .name()
            .filter(|n| *n != "main")
            .map(String::from)
    })
}

/// The package of the test: from the attribute, or the one cargo runs the tests of.
fn package(settings: &Settings) -> Option<String> {
    settings
        .package
        .clone()
        .or_else(|| std::env::var("CARGO_PKG_NAME").ok())
}

/// Replay tokens longer than this are written to a file, and the replay line names the file
/// (`LEAKCHECK_REPLAY=@path`): a few KiB still paste into a terminal.
pub(crate) const MAX_INLINE_TOKEN: usize = 4096;

/// The report's replay line: the command that runs `token` again. A token too long to paste is
/// written to a file, which the line names instead.
fn replay_command(settings: &Settings, test: Option<&str>, token: &str) -> String {
    let written;
    let token = if token.len() > MAX_INLINE_TOKEN && !token.starts_with('@') {
        match files::write_token(token, test) {
            Ok(path) => {
                written = format!("@{path}");
                written.as_str()
            }
            Err(e) => {
                eprintln!("leakcheck: cannot write the replay token to a file ({e}); the report holds it whole");
                token
            }
        }
    } else {
        token
    };
    let package = package(settings);
    let Some(test) = test else {
        return format!("run this check again with LEAKCHECK_REPLAY={token}");
    };
    let mut cmd = format!("LEAKCHECK_REPLAY={token} cargo test");
    if let Some(p) = package {
        cmd.push_str(&format!(" -p {p}"));
    }
    cmd.push_str(&format!(" {test} -- --exact"));
    if settings.ignored {
        // libtest skips an `#[ignore]`d test unless told to run it.
        cmd.push_str(" --include-ignored");
    }
    cmd
}

/// Runs a check: explores, or replays one token, as the settings say.
pub(crate) fn explore(config: &Config, body: Body) -> Result<Summary, Failure> {
    let settings = config.resolve()?;
    runtime::panic::install_hook(shuttle::take_hook_from_shuttle);
    let judge = Judge {
        allow_lingering: settings.allow_lingering,
        max_steps: settings.max_steps,
        stall_timeout_ms: u64::try_from(settings.stall_timeout.as_millis()).unwrap_or(u64::MAX),
        allow_detached_panics: settings.allow_detached_panics,
    };
    let test = test_name(&settings);
    let started = Instant::now();
    let workers: Vec<Arc<Progress>> = (0..workers(&settings))
        .map(|_| Arc::new(Progress::new(settings.max_steps)))
        .collect();
    let _watchdog = Watchdog::start(
        workers.clone(),
        &settings,
        test.as_deref(),
        package(&settings),
    );
    let run = Run {
        settings: &settings,
        judge: &judge,
        body: &body,
        engine: shuttle::engine_config(),
        progress: workers[0].clone(),
        timeline: RefCell::new(None),
    };
    let result = shuttle::with_stack_pool(|| match &settings.replay {
        Some(text) => replay(&run, test.as_deref(), text),
        None if workers.len() > 1 => search_parallel(&run, test.as_deref(), &workers),
        None => search(&run, test.as_deref()),
    });
    match result {
        Ok((schedules, exhausted)) => {
            let exhaustive = matches!(settings.scheduler, Scheduler::Exhaustive { .. })
                && settings.replay.is_none();
            let summary = Summary::new(
                schedules,
                settings.scheduler,
                settings.seed,
                started.elapsed(),
                exhaustive.then_some(exhausted),
            );
            if let Some(dir) = &settings.report_dir {
                let written = write_summary(
                    dir,
                    &summary,
                    test.as_deref(),
                    package(&settings).as_deref(),
                );
                if let Err(e) = written {
                    eprintln!("{e}");
                }
            }
            Ok(summary)
        }
        Err(Failure::Found(report)) => {
            if let Some(dir) = &settings.report_dir
                && let Err(e) = write_report(dir, &report, run.timeline.borrow().as_ref())
            {
                eprintln!("{e}");
            }
            Err(Failure::Found(report))
        }
        Err(usage) => Err(usage),
    }
}

/// Explores; returns how many schedules ran, and whether an exhaustive search saw them all.
fn search(run: &Run<'_>, test: Option<&str>) -> Result<(usize, bool), Failure> {
    let settings = run.settings;
    let ctl = run.control();
    let sampler = match settings.scheduler {
        Scheduler::Random => Sampler::Random,
        Scheduler::Pct { depth } => Sampler::Pct { depth },
        Scheduler::Dfs => Sampler::Dfs,
        Scheduler::Exhaustive { preemption_bound } => {
            let searched = exhaustive::search(run, &ctl, preemption_bound)?;
            return match searched {
                Searched::Clean {
                    executions,
                    complete,
                } => Ok((executions, complete)),
                Searched::Found {
                    execution,
                    findings,
                } => {
                    let decisions = ctl.trace.borrow().clone();
                    Err(Failure::Found(failed(
                        run, test, decisions, execution, findings, 0,
                    )))
                }
            };
        }
    };
    let scheduler = Rc::new(RefCell::new(Driven::explore(
        sampler,
        settings.seed,
        settings.schedules,
        ctl.clone(),
    )));
    let mut schedule = 0;
    loop {
        let outcome = run_one(run, &scheduler, &ctl, false, schedule + 1);
        if outcome.no_more {
            return Ok((schedule, true));
        }
        schedule += 1;
        if !outcome.findings.is_empty() {
            let decisions = ctl.trace.borrow().clone();
            return Err(Failure::Found(failed(
                run,
                test,
                decisions,
                schedule,
                outcome.findings,
                outcome.spurious,
            )));
        }
    }
}

/// How many OS threads explore the check: what the settings say when the scheduler's schedules
/// can be split among them (see `Config::workers`), at most one per schedule; otherwise one.
fn workers(settings: &Settings) -> usize {
    let splits = match settings.scheduler {
        Scheduler::Random => Sampler::Random.splits(),
        Scheduler::Pct { depth } => Sampler::Pct { depth }.splits(),
        Scheduler::Dfs => Sampler::Dfs.splits(),
        Scheduler::Exhaustive { .. } => false,
    };
    if splits && settings.replay.is_none() {
        settings.workers.clamp(1, settings.schedules.max(1))
    } else {
        1
    }
}

/// What one worker of a parallel search ran, and the failure it found, if it found one.
struct Part {
    ran: usize,
    failed: Option<PartFailure>,
}

/// A failing schedule a worker found: its number, findings, spurious wake-ups and decisions.
struct PartFailure {
    schedule: usize,
    findings: Vec<Finding>,
    spurious: usize,
    decisions: Vec<Decision>,
}

/// Explores on one OS thread per entry of `workers` (each its progress, watched by the stall
/// watchdog): worker `w` of `n` runs the schedules numbered `w + 1`, `w + 1 + n`, ... A worker
/// stops when its next schedule comes after the lowest failing one found so far, so every
/// schedule before that one ran and the check reports the lowest failing schedule, whatever
/// `n` is and whichever worker finished first. Its report is made here, as `search` makes it.
fn search_parallel(
    run: &Run<'_>,
    test: Option<&str>,
    workers: &[Arc<Progress>],
) -> Result<(usize, bool), Failure> {
    let settings = run.settings;
    let sampler = match settings.scheduler {
        Scheduler::Random => Sampler::Random,
        Scheduler::Pct { depth } => Sampler::Pct { depth },
        _ => Sampler::Dfs,
    };
    let n = workers.len();
    let lowest = AtomicUsize::new(usize::MAX);
    let (settings, judge, body) = (run.settings, run.judge, run.body);
    let worker = |w: usize| {
        let run = Run {
            settings,
            judge,
            body,
            engine: shuttle::engine_config(),
            progress: workers[w].clone(),
            timeline: RefCell::new(None),
        };
        shuttle::with_stack_pool(|| part(&run, sampler, (w, n), &lowest))
    };
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let spawned: Vec<_> = (1..n)
            .map(|w| {
                let worker = &worker;
                let handle = std::thread::Builder::new()
                    .name(format!("leakcheck-worker-{w}"))
                    .spawn_scoped(scope, move || worker(w));
                (w, handle)
            })
            .collect();
        // This thread is worker 0, and runs the part of any worker that could not start.
        let mut parts = vec![worker(0)];
        for (w, handle) in spawned {
            parts.push(match handle {
                Ok(h) => h
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                Err(_) => worker(w),
            });
        }
        parts
    });
    let ran = parts.iter().map(|p| p.ran).sum();
    let first = parts
        .into_iter()
        .filter_map(|p| p.failed)
        .min_by_key(|f| f.schedule);
    match first {
        None => Ok((ran, true)),
        Some(f) => Err(Failure::Found(failed(
            run,
            test,
            f.decisions,
            f.schedule,
            f.findings,
            f.spurious,
        ))),
    }
}

/// Worker `w` of `n`: runs its schedules until none is left or a failure comes before its next
/// one (`lowest`, the lowest failing schedule number any worker found).
fn part(run: &Run<'_>, sampler: Sampler, (w, n): (usize, usize), lowest: &AtomicUsize) -> Part {
    let ctl = run.control();
    let scheduler = Rc::new(RefCell::new(Driven::explore_part(
        sampler,
        run.settings.seed,
        run.settings.schedules,
        (w, n),
        ctl.clone(),
    )));
    let mut ran = 0;
    let mut schedule = w + 1;
    loop {
        if schedule > lowest.load(Ordering::Acquire) {
            return Part { ran, failed: None };
        }
        let outcome = run_one(run, &scheduler, &ctl, false, schedule);
        if outcome.no_more {
            return Part { ran, failed: None };
        }
        ran += 1;
        if !outcome.findings.is_empty() {
            lowest.fetch_min(schedule, Ordering::AcqRel);
            let decisions = ctl.trace.borrow().clone();
            return Part {
                ran,
                failed: Some(PartFailure {
                    schedule,
                    findings: outcome.findings,
                    spurious: outcome.spurious,
                    decisions,
                }),
            };
        }
        schedule += n;
    }
}

/// The report of the failing execution number `schedule`, whose decisions these are: replayed
/// on shuttle with stacks captured.
fn failed(
    run: &Run<'_>,
    test: Option<&str>,
    decisions: Vec<Decision>,
    schedule: usize,
    findings: Vec<Finding>,
    spurious: usize,
) -> Report {
    let settings = run.settings;
    {
        let token = Token {
            test: test.unwrap_or_default().to_string(),
            scheduler: settings.scheduler,
            seed: settings.seed,
            schedule,
            decisions,
        };
        // Replay the failing schedule with stacks captured, for the report; not a stall, which
        // would take its timeout again.
        let mut notes = Vec::new();
        let stalled = findings.iter().any(|f| f.kind() == FindingKind::Stall);
        let findings = match (!stalled).then(|| enrich(run, &token)) {
            None => findings,
            Some(Ok((enriched, early_timer, timeline))) if same_kinds(&enriched, &findings) => {
                notes.extend(early_timer);
                *run.timeline.borrow_mut() = timeline;
                enriched
            }
            Some(Ok(_)) => {
                notes.push(
                    "replaying this schedule to capture stacks did not reproduce it: the code under test \
                     may be nondeterministic beyond the scheduler (HashMap or HashSet iteration order, \
                     the real clock, randomness, globals shared across executions, I/O)"
                        .to_string(),
                );
                findings
            }
            Some(Err(e)) => {
                notes.push(format!(
                    "replaying this schedule to capture stacks did not reproduce it, so this token may not \
                     replay either: {}",
                    e.to_string().trim_start_matches("leakcheck: ")
                ));
                findings
            }
        };
        if let Some(note) = spurious_note(&findings, spurious) {
            notes.push(note);
        }
        let mut report = report(settings, test, token, findings, notes, false);
        with_log(run, &mut report);
        report
    }
}

/// The note of a failing schedule in which a thread panicked after a spurious wake-up: code that
/// takes a wake-up to mean its condition holds. It names the setting that turns them off.
fn spurious_note(findings: &[Finding], spurious: usize) -> Option<String> {
    let related = findings.iter().any(|f| f.kind() == FindingKind::Panic);
    (related && spurious > 0).then(|| {
        format!(
            "this schedule has {spurious} spurious wake-up{} (a wait that returned without a notify, as std allows): \
             code that takes a wake-up to mean its condition holds fails on one; re-check the condition in a loop \
             (spurious_wakeups = false turns them off, and stops looking for this bug)",
            if spurious == 1 { "" } else { "s" }
        )
    })
}

fn same_kinds(a: &[Finding], b: &[Finding]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.kind() == y.kind())
}

/// The findings of the failing schedule replayed with stacks captured, its early-timer note and
/// its timeline.
type Enriched = (Vec<Finding>, Option<String>, Option<Timeline>);

fn enrich(run: &Run<'_>, token: &Token) -> Result<Enriched, ReplayError> {
    let ctl = run.control();
    let scheduler = Rc::new(RefCell::new(Driven::replay(
        Cursor::new(token.decisions.clone()),
        ctl.clone(),
    )));
    let outcome = run_one(run, &scheduler, &ctl, true, token.schedule);
    match outcome.diverged {
        Some(e) => Err(e),
        None => Ok((outcome.findings, outcome.early_timer, outcome.timeline)),
    }
}

fn replay(run: &Run<'_>, test: Option<&str>, text: &str) -> Result<(usize, bool), Failure> {
    let settings = run.settings;
    let token = match text.trim().strip_prefix('@') {
        Some(path) => Token::decode(&files::read_token(path)?)?,
        None => Token::decode(text)?,
    };
    if let Some(test) = test
        && !token.test.is_empty()
        && token.test != test
    {
        return Err(ReplayError::Diverged {
            reason: format!(
                "it was recorded for the test `{}`, and this is `{test}`",
                token.test
            ),
        }
        .into());
    }
    let ctl = run.control();
    let scheduler = Rc::new(RefCell::new(Driven::replay(
        Cursor::new(token.decisions.clone()),
        ctl.clone(),
    )));
    let outcome = run_one(run, &scheduler, &ctl, true, token.schedule);
    if let Some(e) = outcome.diverged {
        return Err(e.into());
    }
    if outcome.findings.is_empty() {
        return Ok((1, false));
    }
    if !scheduler.borrow().replay_finished() && ctl.stop.get().is_none() {
        let (used, recorded) = scheduler.borrow().replay_used().unwrap_or_default();
        return Err(ReplayError::Nondeterministic {
            step: used + 1,
            asked: format!(
                "the program finished, after {used} of the {recorded} recorded decisions"
            ),
        }
        .into());
    }
    let replay_settings = Settings {
        scheduler: token.scheduler,
        seed: token.seed,
        ..settings.clone()
    };
    let schedule = token.schedule;
    let notes = spurious_note(&outcome.findings, outcome.spurious)
        .into_iter()
        .chain(outcome.early_timer)
        .collect();
    *run.timeline.borrow_mut() = outcome.timeline;
    let mut report = report(&replay_settings, test, token, outcome.findings, notes, true);
    report.data_mut().schedule = schedule;
    with_log(run, &mut report);
    Err(Failure::Found(report))
}

/// Appends the failing schedule's event log to the report, when the settings ask for it.
fn with_log(run: &Run<'_>, report: &mut Report) {
    if run.settings.trace
        && let Some(t) = run.timeline.borrow().as_ref()
    {
        report.data_mut().schedule_log = Some(crate::timeline::text::render(t));
    }
}

fn report(
    settings: &Settings,
    test: Option<&str>,
    token: Token,
    findings: Vec<Finding>,
    notes: Vec<String>,
    replayed: bool,
) -> Report {
    let replay_token = token.encode();
    Report::new(ReportData {
        format: FORMAT,
        test: test.map(String::from),
        package: package(settings),
        findings,
        schedule: token.schedule,
        schedules: settings.schedules,
        seed: settings.seed,
        scheduler: settings.scheduler,
        replayed,
        replay_command: replay_command(settings, test, &replay_token),
        replay_token,
        notes,
        live: None,
        schedule_log: None,
    })
}
