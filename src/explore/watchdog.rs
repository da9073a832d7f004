//! The stall watchdog: one OS thread per running check, which watches the counter of
//! scheduling points the runtime bumps ([`Progress`]).
//!
//! When the counter has not moved for the stall timeout while model code runs, the running model
//! thread is stuck outside leakcheck (a std primitive used directly, real I/O, a very long
//! computation). The watchdog raises the stall flag: if the thread comes back, the runtime stops
//! the execution at its next scheduling point and the check reports a `Stall` finding the normal
//! way. If it has not come back after a second timeout (at least 3 s), it never will: the watchdog prints the
//! report (the same text, with the replay token), writes it to `LEAKCHECK_REPORT_DIR`, and ends
//! the process with a failure, so that CI does not hang.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::files::write_report;
use super::replay_command;
use crate::config::Settings;
use crate::detect::stall_finding;
use crate::replay::Token;
use crate::report::{location, LastSeen, Report, ReportData, ThreadInfo, FORMAT};
use crate::runtime::{Progress, Snapshot};

/// How long, at least, a stalled thread has to come back after the stall timeout before the
/// watchdog decides it never will (a slow computation just past a short timeout comes back).
const GRACE: Duration = Duration::from_secs(3);

/// The exit status of a process ended by the watchdog: libtest's for a failed test run.
const EXIT_STATUS: i32 = 101;

/// What the watchdog needs to write a report without the stuck thread.
struct Context {
    settings: Settings,
    test: Option<String>,
    package: Option<String>,
}

struct Shared {
    /// One per worker of the check (see `Config::workers`).
    progress: Vec<Arc<Progress>>,
    done: Mutex<bool>,
    wake: Condvar,
}

/// A running watchdog; dropping it stops it.
pub(super) struct Watchdog {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts watching `progress` (one per worker) for a check with these settings. Without an
    /// OS thread to spare (a spawn that fails), the check runs unwatched.
    pub(super) fn start(
        progress: Vec<Arc<Progress>>,
        settings: &Settings,
        test: Option<&str>,
        package: Option<String>,
    ) -> Watchdog {
        let shared = Arc::new(Shared {
            progress,
            done: Mutex::new(false),
            wake: Condvar::new(),
        });
        let context = Context {
            settings: settings.clone(),
            test: test.map(String::from),
            package,
        };
        let watched = shared.clone();
        let thread = std::thread::Builder::new()
            .name("leakcheck-watchdog".into())
            .spawn(move || watch(&watched, &context))
            .ok();
        Watchdog { shared, thread }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        *self.shared.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn watch(shared: &Shared, cx: &Context) {
    let timeout = cx.settings.stall_timeout;
    let poll = (timeout / 8).clamp(Duration::from_millis(5), Duration::from_millis(250));
    let grace = timeout.max(GRACE);
    // Per worker: the count seen last, since when, and whether the stall flag is up.
    let mut state: Vec<(u64, Instant, bool)> = shared
        .progress
        .iter()
        .map(|p| (p.count(), Instant::now(), false))
        .collect();
    let mut done = shared.done.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if *done {
            return;
        }
        done = match shared.wake.wait_timeout(done, poll) {
            Ok((d, _)) => d,
            Err(e) => e.into_inner().0,
        };
        if *done {
            return;
        }
        for (progress, (seen, since, raised)) in shared.progress.iter().zip(&mut state) {
            let now = progress.count();
            if now != *seen || !progress.is_active() {
                (*seen, *since, *raised) = (now, Instant::now(), false);
                continue;
            }
            let away = since.elapsed();
            if !*raised && away >= timeout {
                progress.set_stalled(*since);
                *raised = true;
            }
            if *raised
                && away >= timeout.saturating_add(grace)
                && let Some(snapshot) = progress.snapshot()
            {
                drop(done);
                give_up(cx, snapshot, away);
            }
        }
    }
}

/// The stuck thread is not coming back: report, and end the process.
fn give_up(cx: &Context, s: Snapshot, away: Duration) -> ! {
    let settings = &cx.settings;
    let thread = ThreadInfo {
        id: s.tid,
        name: s.name,
        spawned_at: s.spawned_at.map(location),
        spawn_stack: Vec::new(),
        finished: false,
        role: Default::default(),
    };
    let last_seen = s.last.map(|(op, at)| LastSeen {
        operation: op.to_string(),
        at: location(at),
    });
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let finding = stall_finding(
        thread,
        last_seen,
        ms(settings.stall_timeout),
        ms(away),
        false,
    );
    let mut notes = Vec::new();
    let (replay_token, command) = match (&settings.replay, s.decisions) {
        (Some(given), _) => (
            given.clone(),
            replay_command(settings, cx.test.as_deref(), given),
        ),
        (None, Some(decisions)) => {
            let token = Token {
                test: cx.test.clone().unwrap_or_default(),
                scheduler: settings.scheduler,
                seed: settings.seed,
                schedule: s.schedule,
                decisions,
            }
            .encode();
            let command = replay_command(settings, cx.test.as_deref(), &token);
            (token, command)
        }
        (None, None) => {
            notes.push(
                "the decisions of this schedule were not recorded (the exhaustive scheduler, or an \
                 execution longer than its log): run the check again to reproduce it"
                    .to_string(),
            );
            (String::new(), "run the check again".to_string())
        }
    };
    let report = Report::new(ReportData {
        format: FORMAT,
        test: cx.test.clone(),
        package: cx.package.clone(),
        findings: vec![finding],
        schedule: s.schedule,
        schedules: settings.schedules,
        seed: settings.seed,
        scheduler: settings.scheduler,
        replayed: settings.replay.is_some(),
        replay_token,
        replay_command: command,
        notes,
        live: None,
        schedule_log: None,
    });
    if let Some(dir) = &settings.report_dir
        && let Err(e) = write_report(dir, &report, None)
    {
        eprintln!("{e}");
    }
    eprintln!(
        "\n{report}\n\nleakcheck: a thread of this check is stuck outside leakcheck; ending the process (exit status {EXIT_STATUS}) so that it does not hang"
    );
    std::process::exit(EXIT_STATUS)
}
