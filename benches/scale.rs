//! Scale: parallel exploration's speed-up, a 1,000-thread execution's cost per thread, a
//! 100,000-schedule check's memory, and a 100,000-step execution's cost per step.
//!
//! ```text
//! cargo bench --bench scale               # the figures of docs/performance.md
//! cargo bench --bench scale -- --quick    # a smoke test: smaller sizes, one timed run
//! cargo bench --bench scale -- --only=threads   # one section: parallel, threads, long, memory
//! ```
//!
//! Started without `--bench` (as `cargo test --benches` does), it runs as with `--quick`. Every
//! figure is the median of [`REPEATS`] timed runs, the compared sides alternating within one
//! process (the memory figures come from child processes, one per size, reading their own peak
//! resident set). It measures, it does not gate: it exits with success either way, and says
//! which targets were met.

#![warn(missing_docs, clippy::missing_docs_in_private_items)]

// Only the helpers are used here, not the shuttle-versus-leakcheck harness.
#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use leakcheck::{Config, Scheduler};

/// Timed runs per figure, whose median is reported.
const REPEATS: usize = 5;

/// The argument that makes this binary a child measuring its own peak memory.
const CHILD: &str = "--rss-child=";

/// The 3-thread body of the parallel figure: the `overhead` benchmark's mutex workload (the
/// body and two threads, each taking the lock 8 times).
fn three_threads() {
    use leakcheck::sync::{Arc, Mutex};
    use leakcheck::thread;
    fn rounds(count: &Mutex<usize>) {
        for _ in 0..8 {
            *count.lock().unwrap() += 1;
        }
    }
    let count = Arc::new(Mutex::new(0usize));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let count = Arc::clone(&count);
            thread::spawn(move || rounds(&count))
        })
        .collect();
    rounds(&count);
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(*count.lock().unwrap(), 24);
}

/// [`round_trips`] on raw shuttle, to tell the engine's cost from leakcheck's.
fn shuttle_round_trips(n: usize) {
    use shuttle::sync::mpsc;
    use shuttle::thread;
    let (to_body, from_threads) = mpsc::channel();
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let to_body = to_body.clone();
            thread::spawn(move || {
                let (reply_tx, reply_rx) = mpsc::channel();
                to_body.send((i, reply_tx)).unwrap();
                assert_eq!(reply_rx.recv().unwrap(), i + 1);
            })
        })
        .collect();
    for _ in 0..n {
        let (i, reply) = from_threads.recv().unwrap();
        reply.send(i + 1).unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }
}

/// Runs `executions` executions of [`shuttle_round_trips`] on raw shuttle's random scheduler.
fn time_shuttle(n: usize, executions: usize) -> Duration {
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::None;
    let scheduler = shuttle::scheduler::RandomScheduler::new_from_seed(common::SEED, executions);
    let started = Instant::now();
    shuttle::Runner::new(scheduler, config).run(move || shuttle_round_trips(n));
    started.elapsed()
}

/// `n` threads, each sending its number and a reply channel to the body, which answers every
/// one; each checks its answer, and the body joins them all. Per thread: a spawn, a round trip,
/// a join.
fn round_trips(n: usize) {
    use leakcheck::sync::mpsc;
    use leakcheck::thread;
    let (to_body, from_threads) = mpsc::channel();
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let to_body = to_body.clone();
            thread::spawn(move || {
                let (reply_tx, reply_rx) = mpsc::channel();
                to_body.send((i, reply_tx)).unwrap();
                assert_eq!(reply_rx.recv().unwrap(), i + 1);
            })
        })
        .collect();
    for _ in 0..n {
        let (i, reply) = from_threads.recv().unwrap();
        reply.send(i + 1).unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }
}

/// Two threads taking one lock `rounds` times each: about `4 * rounds` scheduling steps.
fn long_execution(rounds: usize) {
    use leakcheck::sync::{Arc, Mutex};
    use leakcheck::thread;
    let count = Arc::new(Mutex::new(0usize));
    let c = Arc::clone(&count);
    let h = thread::spawn(move || {
        for _ in 0..rounds {
            *c.lock().unwrap() += 1;
        }
    });
    for _ in 0..rounds {
        *count.lock().unwrap() += 1;
    }
    h.join().unwrap();
    assert_eq!(*count.lock().unwrap(), 2 * rounds);
}

/// Runs a clean check and returns how long it took.
///
/// # Panics
/// If the check finds something: the bodies here are correct.
fn time(config: Config, body: impl Fn() + Send + Sync + 'static) -> Duration {
    let started = Instant::now();
    if let Err(report) = config.explore(body) {
        panic!("a correct body was reported:\n{report}");
    }
    started.elapsed()
}

/// The median of `repeats` timed runs of each of `sides`, alternating.
fn medians(repeats: usize, sides: &mut [&mut dyn FnMut() -> Duration]) -> Vec<Duration> {
    let mut times = vec![Vec::new(); sides.len()];
    for _ in 0..repeats {
        for (side, t) in sides.iter_mut().zip(&mut times) {
            t.push(side());
        }
    }
    times.into_iter().map(common::median).collect()
}

/// The CPU time (user and system) this process has used so far, from `/proc/self/stat` (in
/// clock ticks of 10 ms); `None` where there is no such file.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's closing parenthesis; utime and stime are the 14th and 15th
    // fields of the line, the 12th and 13th after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// This process's peak resident set, in KiB (`VmHWM` in `/proc/self/status`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// In a child: runs a clean check of `schedules` schedules of the 3-thread body and prints the
/// peak resident set.
fn rss_child(schedules: usize) {
    time(
        Config::new()
            .scheduler(Scheduler::Random)
            .schedules(schedules),
        three_threads,
    );
    println!("{}", peak_rss_kib().unwrap_or(0));
}

/// Runs this binary as a child measuring a check of `schedules` schedules; its peak RSS in KiB.
fn rss_of(schedules: usize) -> Option<u64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .arg(format!("{CHILD}{schedules}"))
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Measures and prints every figure.
fn main() {
    if let Some(n) = std::env::args().find_map(|a| a.strip_prefix(CHILD).map(String::from)) {
        rss_child(n.parse().expect("a number of schedules"));
        return;
    }
    let args = common::Args::parse(true);
    let runs = |section: &str| args.only.as_deref().is_none_or(|o| section.contains(o));
    common::refuse_overrides();
    let repeats = if args.quick { 1 } else { REPEATS };
    let scale = |full: usize, quick: usize| if args.quick { quick } else { full };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("scale (release, {repeats} timed run(s) per figure, median; {cores} cores available)");

    // Parallel exploration.
    if runs("parallel") {
        let schedules = scale(20_000, 2_000);
        let random = |workers: usize| {
            Config::new()
                .scheduler(Scheduler::Random)
                .schedules(schedules)
                .workers(workers)
        };
        time(random(2), three_threads);
        let mut cpu = [Vec::new(), Vec::new(), Vec::new()];
        let timed = |w: usize, i: usize, cpu: &mut [Vec<Duration>; 3]| {
            let before = cpu_time();
            let d = time(random(w), three_threads);
            if let (Some(a), Some(b)) = (before, cpu_time()) {
                cpu[i].push(b.saturating_sub(a));
            }
            d
        };
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..repeats {
            for (i, w) in [1, 2, 4].into_iter().enumerate() {
                let d = timed(w, i, &mut cpu);
                times[i].push(d);
            }
        }
        let t: Vec<Duration> = times.into_iter().map(common::median).collect();
        let cpu: Vec<Option<Duration>> = cpu
            .into_iter()
            .map(|c| (!c.is_empty()).then(|| common::median(c)))
            .collect();
        println!("\nparallel exploration: a clean check of {schedules} schedules, 3 threads, random scheduler");
        println!(
            "{:<8}  {:>10}  {:>14}  {:>8}  {:>10}",
            "workers", "wall time", "schedules/s", "speed-up", "CPU time"
        );
        for ((w, d), c) in [1, 2, 4].iter().zip(&t).zip(&cpu) {
            println!(
                "{w:<8}  {:>8.1}ms  {:>14.0}  {:>7.2}x  {:>10}",
                d.as_secs_f64() * 1e3,
                common::per_second(schedules, *d),
                t[0].as_secs_f64() / d.as_secs_f64(),
                c.map_or("-".to_string(), |c| format!("{}ms", c.as_millis()))
            );
        }
        let speedup = t[0].as_secs_f64() / t[1].as_secs_f64();
        println!(
            "target: >= 1.8x with 2 workers on 2 cores: {speedup:.2}x, {}",
            if cores < 2 {
                "not applicable (fewer than 2 cores)"
            } else if speedup >= 1.8 {
                "met"
            } else {
                "NOT met"
            }
        );
    }

    // Threads. As many spawned threads in all on both sides: many executions of 2 threads, a
    // few of 1,000.
    if runs("threads") {
        let executions = scale(20, 2);
        let small_execs = executions * 500;
        let threads_check = |n: usize, executions: usize| {
            time(
                Config::new()
                    .scheduler(Scheduler::Random)
                    .schedules(executions)
                    .max_steps(10_000_000),
                move || round_trips(n),
            )
        };
        let t = medians(
            repeats,
            &mut [
                &mut || threads_check(2, small_execs),
                &mut || threads_check(1_000, executions),
                &mut || time_shuttle(2, small_execs),
                &mut || time_shuttle(1_000, executions),
            ],
        );
        let per = |d: Duration, execs: usize, n: usize| d.as_secs_f64() * 1e6 / (execs * n) as f64;
        let (small, large) = (per(t[0], small_execs, 2), per(t[1], executions, 1_000));
        let (raw_small, raw_large) = (per(t[2], small_execs, 2), per(t[3], executions, 1_000));
        println!("\nthreads: each spawned, one round trip over a channel with the body, joined; random scheduler");
        println!(
            "{:<24}  {:>10}  {:>22}  {:>24}",
            "execution", "executions", "leakcheck, per thread", "raw shuttle, per thread"
        );
        for (name, execs, lc, raw) in [
            ("3 threads (2 spawned)", small_execs, small, raw_small),
            ("1,001 threads (1,000)", executions, large, raw_large),
        ] {
            println!("{name:<24}  {execs:>10}  {lc:>20.2}µs  {raw:>22.2}µs");
        }
        let ratio = large / small;
        println!(
            "1,000 threads / 3 threads, per thread: leakcheck {ratio:.2}x, raw shuttle {:.2}x",
            raw_large / raw_small
        );
        println!(
            "target: 1,000 threads within 2x of 3 threads per thread: {ratio:.2}x, {}",
            if ratio <= 2.0 { "met" } else { "NOT met" }
        );
    }

    // Long executions.
    if runs("long") {
        let long = |rounds: usize, executions: usize| {
            let d = time(
                Config::new()
                    .scheduler(Scheduler::Random)
                    .schedules(executions)
                    .max_steps(10_000_000),
                move || long_execution(rounds),
            );
            d.as_secs_f64() * 1e9 / (executions * rounds * 2) as f64
        };
        let (short_rounds, long_rounds) = (500, scale(50_000, 5_000));
        let short_execs = 100 * long_rounds / 50_000 * 10;
        let mut a = Vec::new();
        let mut b = Vec::new();
        for _ in 0..repeats {
            a.push(long(short_rounds, short_execs.max(1)));
            b.push(long(long_rounds, 1));
        }
        let med = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[(v.len() - 1) / 2]
        };
        let (a, b) = (med(a), med(b));
        println!("\nlong executions: two threads taking one lock in turn, random scheduler");
        println!("{:<32}  {:>16}", "execution", "time per lock");
        println!(
            "{:<32}  {:>14.0}ns",
            format!("{} locks (~{} steps)", 2 * short_rounds, 4 * short_rounds),
            a
        );
        println!(
            "{:<32}  {:>14.0}ns",
            format!("{} locks (~{} steps)", 2 * long_rounds, 4 * long_rounds),
            b
        );
        println!(
            "target: cost per step flat: {:.2}x, {}",
            b / a,
            if b / a <= 1.5 {
                "met (within 1.5x)"
            } else {
                "NOT met"
            }
        );
    }

    // Memory.
    if runs("memory") {
        let (few, many) = (1_000, scale(100_000, 10_000));
        println!(
            "\nmemory: peak RSS of a child process running one clean check (3 threads, random)"
        );
        let few_rss = rss_of(few);
        let many_rss = rss_of(many);
        match (few_rss, many_rss) {
            (Some(f), Some(m)) => {
                println!("{:<20}  {:>10}", "schedules", "peak RSS");
                println!("{few:<20}  {:>7.1}MiB", f as f64 / 1024.0);
                println!("{many:<20}  {:>7.1}MiB", m as f64 / 1024.0);
                let diff = (m as f64 - f as f64) / 1024.0;
                println!(
                    "target: flat (a few MiB at most): {diff:+.1}MiB, {}",
                    if diff.abs() <= 4.0 { "met" } else { "NOT met" }
                );
            }
            _ => println!("(no /proc/self/status here: not measured)"),
        }
    }
}
