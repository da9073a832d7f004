//! `yield_now` and `sleep` never make an order impossible, and correct polling loops still end.
//!
//! A yield or a sleep is a scheduling point like any other: the thread may run on before every
//! other thread, or after them. Only spinning (several yields in a row while no other thread
//! runs) makes a thread give way. So a bug that needs the sleeping thread to look again before
//! another thread moves is found by every scheduler, and a clean exhaustive run is a proof for
//! its bound; and a loop that polls for another thread's work is never reported.

mod common;

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::SeqCst as Std;
use std::time::Duration;

use common::{fails, Lines};
use leakcheck::channel::unbounded;
use leakcheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::{
    thread, Config, Detail, FindingKind, LeakState, ObjectKind, Report, Scheduler, Target,
};

const FILE: &str = "tests/soundness.rs";

/// How the shutdown loop gives the worker time.
#[derive(Clone, Copy, Debug)]
enum Pause {
    Sleep,
    Yield,
}

impl Pause {
    fn pause(self) {
        match self {
            Pause::Sleep => thread::sleep(Duration::from_millis(1)),
            Pause::Yield => thread::yield_now(),
        }
    }
}

/// The line of the worker's receive, where it waits for good.
static RECV_LINE: AtomicU32 = AtomicU32::new(0);
/// The line of the channel's creation.
static CHANNEL_LINE: AtomicU32 = AtomicU32::new(0);

/// A pool's shutdown, as a user writes it: it raises the stop flag (the stop message), sleeps
/// to give the busy worker time, and reads the count of busy workers again. If the worker is
/// idle, it is blocked in `recv` and needs a message to see the flag; if it is still busy, it
/// will see the flag when its job ends. The worker, still runnable, ends its job: it counts
/// itself idle, then waits for a message.
///
/// The bug: the worker does not look at the flag between the two. If the shutdown reads the
/// count after the raise but before the worker's decrement, it sends nothing, and the worker
/// waits for a message that never comes while the shutdown joins it. That needs the sleeping
/// thread to run again *before* the runnable worker. `fixed` looks at the flag there.
fn shutdown(pause: Pause, fixed: bool) {
    let busy = Arc::new(AtomicUsize::new(1)); // the worker is in a job
    let stop = Arc::new(AtomicBool::new(false));
    CHANNEL_LINE.store(line!() + 1, Std);
    let (wake, wakes) = unbounded::<()>();
    let worker = {
        let (busy, stop) = (Arc::clone(&busy), Arc::clone(&stop));
        thread::spawn(move || {
            // ... the job ends.
            busy.fetch_sub(1, SeqCst);
            if fixed && stop.load(SeqCst) {
                return;
            }
            // Idle: wait for the next message.
            RECV_LINE.store(line!() + 1, Std);
            while wakes.recv().is_ok() {
                if stop.load(SeqCst) {
                    return;
                }
            }
        })
    };
    // Shutdown.
    stop.store(true, SeqCst);
    pause.pause();
    if busy.load(SeqCst) == 0 {
        // The worker is idle, blocked in `recv`: wake it to see the flag (the fixed one may
        // have seen it already, and gone).
        let _ = wake.send(());
    }
    // Otherwise it is busy, and sees the flag when its job ends.
    worker.join().unwrap();
}

/// The report shows the worker blocked for good in its `recv` on the wake-up channel, while
/// the shutdown joins it.
fn assert_stuck_worker(report: &Report, what: &str) {
    assert!(report.has(FindingKind::Deadlock), "{what}:\n{report}");
    let f = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::Deadlock)
        .unwrap();
    let Detail::Deadlock { blocked, .. } = f.detail() else {
        unreachable!()
    };
    let recv = RECV_LINE.load(Std);
    let worker = blocked
        .iter()
        .find(|b| b.blocked.at.line == recv)
        .unwrap_or_else(|| panic!("{what}: the worker is not blocked in recv:\n{report}"));
    assert_eq!(worker.blocked.at.file, FILE, "{what}:\n{report}");
    assert_eq!(worker.thread.id, 1, "{what}:\n{report}");
    let channel = match &worker.blocked.on {
        Target::Object(o) => o,
        Target::Select { objects } if objects.len() == 1 => &objects[0],
        other => panic!("{what}: waits on {other:?}:\n{report}"),
    };
    assert_eq!(channel.kind, ObjectKind::Channel, "{what}:\n{report}");
    assert_eq!(
        channel.created_at.line,
        CHANNEL_LINE.load(Std),
        "{what}:\n{report}"
    );
    // The shutdown is the other one: joining the worker.
    assert!(
        blocked.iter().any(|b| b.thread.id == 0),
        "{what}: the shutdown is not in the cycle:\n{report}"
    );
}

fn exhaustive(bound: usize) -> Config {
    Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: bound,
        })
        .schedules(1_000_000)
}

/// Every scheduler the tests here run under, with the schedules each gets.
fn samplers() -> Vec<(Scheduler, u64)> {
    let mut all = vec![(Scheduler::Random, 1), (Scheduler::Dfs, 0)];
    for depth in [2, 3] {
        for seed in [1, 2, 3] {
            all.push((Scheduler::Pct { depth }, seed));
        }
    }
    all
}

/// The schedules within which the sampling schedulers must find the shutdown bug.
const BUDGET: usize = 1_000;

#[test]
fn the_shutdown_race_is_found_by_every_scheduler_with_yield_and_sleep() {
    for pause in [Pause::Yield, Pause::Sleep] {
        for (scheduler, seed) in samplers() {
            if matches!((scheduler, pause), (Scheduler::Dfs, Pause::Sleep)) {
                // DFS takes every choice but the thread's from a fixed sequence: once a sleep
                // is a timed wait whose end is such a choice, DFS may never end it early.
                continue;
            }
            let what = format!("{scheduler} seed {seed} with {pause:?}");
            let report = fails(
                Config::new()
                    .scheduler(scheduler)
                    .seed(seed)
                    .schedules(BUDGET),
                move || shutdown(pause, false),
            );
            assert_stuck_worker(&report, &what);
            eprintln!("{what}: found at schedule {}", report.schedule());
        }
        // PCT with its defaults, as a user runs it.
        let report = fails(Config::new().schedules(BUDGET), move || {
            shutdown(pause, false)
        });
        assert_stuck_worker(&report, &format!("default pct with {pause:?}"));
        eprintln!(
            "default pct with {pause:?}: found at schedule {}",
            report.schedule()
        );
        for bound in [0, 2] {
            let what = format!("exhaustive:{bound} with {pause:?}");
            let report = fails(exhaustive(bound), move || shutdown(pause, false));
            assert_stuck_worker(&report, &what);
            eprintln!("{what}: found at execution {}", report.schedule());
        }
    }
}

#[test]
fn the_fixed_shutdown_is_clean_under_every_scheduler_and_proven_exhaustively() {
    for pause in [Pause::Yield, Pause::Sleep] {
        for (scheduler, seed) in samplers() {
            let summary = Config::new()
                .scheduler(scheduler)
                .seed(seed)
                .schedules(2_000)
                .explore(move || shutdown(pause, true))
                .unwrap_or_else(|r| panic!("{scheduler} with {pause:?}: false alarm\n{r}"));
            assert!(summary.schedules() > 0);
        }
        let summary = exhaustive(2)
            .explore(move || shutdown(pause, true))
            .unwrap_or_else(|r| panic!("exhaustive with {pause:?}: false alarm\n{r}"));
        assert_eq!(summary.complete(), Some(true), "{summary}");
        eprintln!(
            "fixed shutdown with {pause:?}: {} executions within bound 2",
            summary.schedules()
        );
    }
}

/// Correct polling loops: waiting with `yield_now` or `sleep` for another thread's flag, and
/// spinning on `try_lock`, in the body and in a spawned thread.
fn poll_flag(pause: Pause, spin_in_body: bool) {
    let flag = Arc::new(AtomicBool::new(false));
    let data = Arc::new(AtomicUsize::new(0));
    let (f, d) = (Arc::clone(&flag), Arc::clone(&data));
    let setter = move || {
        d.store(42, SeqCst);
        f.store(true, SeqCst);
    };
    let (flag2, data2) = (Arc::clone(&flag), Arc::clone(&data));
    let spinner = move || {
        while !flag2.load(SeqCst) {
            pause.pause();
        }
        assert_eq!(data2.load(SeqCst), 42);
    };
    if spin_in_body {
        let h = thread::spawn(setter);
        spinner();
        h.join().unwrap();
    } else {
        let h = thread::spawn(spinner);
        setter();
        h.join().unwrap();
    }
}

fn poll_try_lock() {
    let m = Arc::new(Mutex::new(0));
    let m2 = Arc::clone(&m);
    let h = thread::spawn(move || {
        let mut g = m2.lock().unwrap();
        *g += 1;
        thread::yield_now();
        *g += 1;
    });
    loop {
        if let Ok(mut g) = m.try_lock() {
            *g += 10;
            break;
        }
        thread::yield_now();
    }
    h.join().unwrap();
    let total = *m.lock().unwrap();
    assert_eq!(total, 12);
}

/// Each correct polling loop, with a name for the messages.
fn polling_loops() -> Vec<(&'static str, fn())> {
    vec![
        ("body yields on a flag", || poll_flag(Pause::Yield, true)),
        ("thread yields on a flag", || poll_flag(Pause::Yield, false)),
        ("body sleeps on a flag", || poll_flag(Pause::Sleep, true)),
        ("thread sleeps on a flag", || poll_flag(Pause::Sleep, false)),
        ("try_lock spin", poll_try_lock),
    ]
}

#[test]
fn correct_polling_loops_are_never_reported_by_the_sampling_schedulers() {
    for (name, body) in polling_loops() {
        for (scheduler, seed) in samplers() {
            let summary = Config::new()
                .scheduler(scheduler)
                .seed(seed)
                .schedules(2_000)
                .explore(body)
                .unwrap_or_else(|r| panic!("{name} under {scheduler}: false alarm\n{r}"));
            assert!(summary.schedules() > 0);
        }
    }
}

#[test]
fn correct_polling_loops_are_proven_by_the_exhaustive_search() {
    for (name, body) in polling_loops() {
        for bound in [0, 1, 2] {
            let summary = exhaustive(bound)
                .explore(body)
                .unwrap_or_else(|r| panic!("{name} at bound {bound}: false alarm\n{r}"));
            assert_eq!(summary.complete(), Some(true), "{name}: {summary}");
            eprintln!(
                "{name}: {} executions within bound {bound}",
                summary.schedules()
            );
        }
    }
}

/// The spin bound gives way only after several yields in a row: a bug that needs a thread to
/// yield twice in a row and go on before the other moves (a retry loop that gives up after two
/// tries) is found, by the exhaustive search with no preemption at all.
#[test]
fn a_thread_that_yields_twice_and_goes_on_first_is_explored() {
    static LINES: Lines = Lines::new();
    let body = || {
        let ready = Arc::new(AtomicBool::new(false));
        let (tx, rx) = unbounded::<u32>();
        let r = Arc::clone(&ready);
        let producer = thread::spawn(move || {
            r.store(true, SeqCst);
            tx.send(1).unwrap();
        });
        // Two tries, then the consumer gives up: a bug when the producer is just slow.
        let mut tries = 0;
        while !ready.load(SeqCst) && tries < 2 {
            thread::yield_now();
            tries += 1;
        }
        if !ready.load(SeqCst) {
            // Gave up: leaves the producer's message, and the producer, behind.
            LINES.set(&[line!() + 1]);
            std::mem::forget(rx);
            return;
        }
        rx.recv().unwrap();
        producer.join().unwrap();
    };
    for config in [
        exhaustive(0),
        Config::new().scheduler(Scheduler::Dfs).schedules(1_000),
        Config::new().schedules(1_000),
    ] {
        let report = fails(config, body);
        assert!(report.has(FindingKind::LeakedThread), "{report}");
        assert_eq!(LINES.get().len(), 1);
    }
}

/// Spinning that never ends is still reported: the spin bound lets others run, it does not cut
/// the execution, so a thread polling for what no thread will ever do runs to the step limit.
#[test]
fn a_real_livelock_still_reaches_the_step_limit() {
    static SPIN: AtomicU32 = AtomicU32::new(0);
    let body = || {
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let h = thread::spawn(move || {
            // Waits for a flag nobody sets.
            SPIN.store(line!() + 1, Std);
            while !f.load(SeqCst) {
                thread::yield_now();
            }
        });
        h.join().unwrap();
    };
    for config in [
        exhaustive(1).max_steps(2_000),
        Config::new()
            .scheduler(Scheduler::Dfs)
            .schedules(10)
            .max_steps(2_000),
        Config::new().schedules(10).max_steps(2_000),
    ] {
        let report = fails(config, body);
        assert!(report.has(FindingKind::StepLimit), "{report}");
        let f = &report.findings()[0];
        let at = f.location().expect("where the spinner was last seen");
        assert_eq!(at.file, FILE, "{report}");
        let spin = SPIN.load(Std);
        assert!(
            (spin..=spin + 1).contains(&at.line),
            "last seen in its loop:\n{report}"
        );
    }
}

/// shuttle's DFS ignores yields; the body waits for the threads that outlive it without relying
/// on them (blocked, woken when none of them can run), so DFS ends.
#[test]
fn dfs_with_a_lingering_thread_terminates() {
    static SPAWNED: AtomicU32 = AtomicU32::new(0);
    let body = || {
        SPAWNED.store(line!() + 1, Std);
        thread::spawn(|| ());
    };
    let dfs = || {
        Config::new()
            .scheduler(Scheduler::Dfs)
            .schedules(1_000)
            .max_steps(1_000)
    };
    let summary = dfs()
        .allow_lingering(true)
        .explore(body)
        .unwrap_or_else(|r| panic!("lingering is allowed:\n{r}"));
    assert!(summary.schedules() >= 1);

    let report = fails(dfs(), body);
    assert_eq!(common::kinds(&report), [FindingKind::LeakedThread]);
    let f = &report.findings()[0];
    assert!(
        matches!(
            f.detail(),
            Detail::LeakedThread {
                state: LeakState::FinishedLate,
                ..
            }
        ),
        "{report}"
    );
    let at = f.location().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, SPAWNED.load(Std)));

    // A lingering thread that itself polls and blocks, under every scheduler.
    let body = || {
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        thread::spawn(move || {
            let m = Mutex::new(0);
            for _ in 0..3 {
                thread::yield_now();
                *m.lock().unwrap() += 1;
            }
            f.store(true, SeqCst);
        });
    };
    for (scheduler, seed) in samplers() {
        Config::new()
            .scheduler(scheduler)
            .seed(seed)
            .schedules(500)
            .allow_lingering(true)
            .explore(body)
            .unwrap_or_else(|r| panic!("{scheduler}: lingering is allowed:\n{r}"));
    }
}
