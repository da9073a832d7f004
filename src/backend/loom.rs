//! The loom backend: the exhaustive scheduler. Our primitives run on loom's threads, and loom's
//! model checker decides every interleaving.
//!
//! **Threads.** Each model thread is a loom thread. Each *section* of a thread (its code from one
//! scheduling point to the next, which runs without a switch) begins with a read-modify-write of
//! one loom atomic that all sections share, so that loom's DPOR sees every pair of sections as
//! dependent and, within the preemption bound, tries them in every order. A blocked thread parks
//! in loom before its next section; waking it unparks it. The runtime, not
//! loom, decides that an execution is over (every thread blocked, or the body returned and the
//! rest are stuck): loom never sees a deadlock, so none of its deadlock panics (and none of the
//! aborts that their unwinding causes) can happen.
//!
//! **Yields.** A yield is a scheduling point like any other (the thread may go on, or be
//! preempted there): it never rules out an order. A thread that spins, [`SPIN_YIELDS`] yields in
//! a row while no other thread ran, gives way with loom's own yield, so that loom runs another
//! thread first without counting a preemption.
//!
//! **Ending an execution.** loom only ends an execution when every thread has returned, so
//! when ours stops, every thread left is unwound with a private payload ([`Teardown`]) from the
//! scheduling point it waits at, and caught where the thread began. The registry is left as it
//! was at the stop, for the detectors; destructors run during that unwinding leave it alone, as
//! they do on the shuttle backend.
//! A thread that is unwinding already (a panic of its own, or the teardown, in a destructor) is
//! not unwound again, which would abort the process: it finishes unwinding (see `tear_down`).
//!
//! **Other choices.** loom only enumerates interleavings, so every other choice (which waiter
//! wakes, a spurious wake-up, a timeout) is enumerated here: loom checks the program once per
//! *script* of such choices. An execution takes the script's outcomes, then the first outcome (in
//! the search's order) of every later choice; each later choice with more outcomes adds, for each
//! other outcome, the script that takes it there. Every combination of choices is so checked
//! under every interleaving up to the bound.
//!
//! **Replay.** The thread that runs the section after each scheduling point and the outcome of
//! each choice are recorded as shuttle's schedulers record them, so a finding's replay token (and
//! the replay that captures stacks for its report) runs on the shuttle backend.
//!
//! **Limits.** loom runs at most [`MAX_THREADS`] threads per execution: one more is a
//! [`ConfigError::Unsupported`] that names the spawn. The test body gets a stack as large as the
//! other threads' (loom gives its main thread 32 KiB), and a stack overflow is an error too.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::rc::Rc;

use loom::sync::atomic::{AtomicUsize, Ordering};

use super::SPIN_YIELDS;
use crate::error::ConfigError;
use crate::report::location;
use crate::runtime::clock::Time;
use crate::runtime::{
    self, Backend, Control, Decision, EnterGuard, Exec, Stop, Teardown, Tid, BODY, STACK_SIZE,
};

/// The most threads loom runs in one execution, the test body's included.
pub(crate) const MAX_THREADS: usize = loom::MAX_THREADS;

/// Scheduling points in a row one thread may take while others could run before it must give
/// way, so that busy-wait loops that never yield end (loom would otherwise let them spin to the
/// step limit). Loops that yield give way sooner, after [`SPIN_YIELDS`] yields in a row.
const FAIRNESS: usize = 256;

/// The loom backend. Its state lives in thread-locals: loom runs all the threads of an
/// execution on the OS thread that checks the model.
#[derive(Debug)]
pub(crate) struct LoomBackend;

/// The one instance the runtime refers to.
pub(crate) static LOOM: LoomBackend = LoomBackend;

/// The state of one execution.
struct Execution {
    /// Each model thread's loom handle, by [`Tid`] (none for one never spawned, over the limit).
    threads: Vec<Option<loom::thread::Thread>>,
    /// Which threads are parked in loom.
    parked: Vec<bool>,
    /// Which threads have returned.
    finished: Vec<bool>,
    /// The current thread called `block`: its next scheduling point parks it.
    blocking: bool,
    current: Tid,
    /// Threads that have not returned yet.
    alive: usize,
    /// A scheduling point was passed: the next thread to run records itself.
    pending: bool,
    /// The thread that took the last scheduling points, and how many in a row.
    streak: (Tid, usize),
    /// Yields the current thread has made since another thread last ran.
    spin: usize,
    /// Which threads this backend has begun to unwind (a stopped execution's teardown).
    unwinding: Vec<bool>,
    /// The atomic every section begins with a read-modify-write of.
    points: AtomicUsize,
    /// How many choices this execution has made.
    choices: usize,
    /// What the program looked like at each scheduling point, while its decisions so far are
    /// those of the previous execution (see [`Seen`]).
    seen: Vec<Seen>,
    /// The decisions so far are a prefix of the previous execution's.
    following: bool,
}

/// The program at one scheduling point: how many threads it has spawned, and the operation the
/// thread that runs next noted last. Two executions whose decisions agree up to a point must
/// agree on it there; when they do not, the program is not deterministic. loom notices some of
/// that itself, but not all: a program that does the same loom operations along another path
/// can leave loom's scheduler resuming a thread that has ended, forever.
type Seen = (usize, Option<(&'static str, runtime::Loc)>);

/// Makes the closure of the test body's thread for one execution (the explore layer's: it runs
/// the body, then lets the other threads run until nothing can).
pub(crate) type BodyThread = Rc<dyn Fn() -> Box<dyn FnOnce()>>;

/// Told when an execution has ended, with the stopped execution: returns whether the round goes
/// on (false ends it: a finding, or the cap).
pub(crate) type OnEnd = Box<dyn FnMut(&Exec) -> bool>;

impl Execution {
    /// Wakes `tid` if it is parked.
    fn unpark(&mut self, tid: Tid) {
        if std::mem::take(&mut self.parked[tid])
            && let Some(thread) = &self.threads[tid]
        {
            thread.unpark();
        }
    }
}

/// The state of one round: loom checking every interleaving under one script of choices.
struct Search {
    body: BodyThread,
    on_end: OnEnd,
    ctl: Rc<Control>,
    spurious_wakeups: bool,
    time: Time,
    /// The outcomes of the first choices, for every execution of this round of loom.
    script: Vec<usize>,
    /// Choices seen beyond the script: (index, outcomes).
    branches: BTreeSet<(usize, usize)>,
    exec: Option<(Rc<Exec>, EnterGuard)>,
    /// The previous execution's decisions, and what it looked like at each scheduling point.
    previous: (Vec<Decision>, Vec<Seen>),
    /// `on_end` ended the round.
    ended: bool,
    error: Option<ConfigError>,
    internal: Option<String>,
}

thread_local! {
    static SEARCH: RefCell<Option<Search>> = const { RefCell::new(None) };
    static EXECUTION: RefCell<Option<Execution>> = const { RefCell::new(None) };
}

fn with_search<R>(f: impl FnOnce(&mut Search) -> R) -> R {
    SEARCH.with(|s| {
        f(s.borrow_mut()
            .as_mut()
            .expect("leakcheck: no exhaustive search"))
    })
}

fn with_execution<R>(f: impl FnOnce(&mut Execution) -> R) -> R {
    EXECUTION.with(|e| {
        f(e.borrow_mut()
            .as_mut()
            .expect("leakcheck: no loom execution"))
    })
}

fn ctl() -> Rc<Control> {
    with_search(|s| s.ctl.clone())
}

/// The current thread runs on after a loom branch (or begins): it is the current one, and if a
/// scheduling point was passed, this is a decision, counted against the step limit and recorded
/// as shuttle would record it. A thread of a stopped execution unwinds instead.
fn resumed(me: Tid) {
    let ctl = ctl();
    let pending = with_execution(|e| {
        if e.current != me {
            // Another thread ran: whatever the current one polls for may have changed.
            e.spin = 0;
        }
        e.current = me;
        std::mem::take(&mut e.pending)
    });
    if ctl.stop.get().is_some() {
        tear_down(me);
        return;
    }
    if pending {
        let steps = ctl.steps.get() + 1;
        ctl.steps.set(steps);
        if steps > ctl.max_steps
            && let Some(exec) = runtime::current()
        {
            exec.stop(Stop::StepLimit);
            return;
        }
        record(&ctl, Decision::Thread(me));
        check_deterministic(me);
    }
}

/// Records a decision, and whether the execution still follows the previous one.
fn record(ctl: &Control, decision: Decision) {
    let i = {
        let mut trace = ctl.trace.borrow_mut();
        trace.push(decision);
        trace.len() - 1
    };
    let same = with_search(|s| s.previous.0.get(i) == Some(&decision));
    with_execution(|e| e.following &= same);
}

/// Checks, at a scheduling point where the execution still follows the previous one, that the
/// program is where it was then; if not, the search ends with a [`ConfigError::Nondeterministic`].
fn check_deterministic(me: Tid) {
    let Some(exec) = runtime::current() else {
        return;
    };
    let last_op = exec.reg().threads.get(me).and_then(|t| t.last_op);
    let (following, i, seen) = with_execution(|e| {
        let seen = (e.threads.len(), last_op);
        e.seen.push(seen);
        (e.following, e.seen.len() - 1, seen)
    });
    if !following {
        return;
    }
    let before = with_search(|s| s.previous.1.get(i).copied());
    let Some(before) = before else {
        return;
    };
    if before == seen {
        return;
    }
    let what = |(threads, op): Seen| {
        let op = op.map_or_else(
            || "nothing yet".to_string(),
            |(op, at)| format!("{op} at {}", location(at)),
        );
        format!("{threads} thread(s) spawned, the thread about to run last did {op}")
    };
    give_up(ConfigError::Nondeterministic {
        reason: format!(
            "after the same {} decisions, one execution had {} and the next {}",
            ctl().trace.borrow().len(),
            what(before),
            what(seen)
        ),
    });
    if runtime::thread::panicking(&exec) {
        // Unwinding again from a destructor would abort: the execution ends, the error stays.
        exec.stop(Stop::Unsupported);
    } else {
        resume_unwind(Box::new(Teardown::Search));
    }
}

/// Runs one call into loom. loom panics when the program takes another path on the same
/// schedule; the search cannot go on then, so it ends with the error.
fn loom_op<R>(f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let panic = runtime::panic::take_panic(payload.as_ref());
            let text = match &panic.at {
                Some((file, line, column)) => {
                    format!("{} (at {file}:{line}:{column})", panic.message)
                }
                None => panic.message,
            };
            let error = if text.contains("deterministic") {
                ConfigError::Nondeterministic {
                    reason: format!(
                        "on a path it had taken before, loom reached another state (\"{text}\")"
                    ),
                }
            } else {
                unsupported(
                    format!("loom, which it runs on, stopped: \"{text}\""),
                    "explore this test with scheduler = \"pct\" or \"random\"",
                )
            };
            give_up(error);
            resume_unwind(Box::new(Teardown::Search))
        }
    }
}

/// Unwinds thread `me` of a stopped execution from where it is, unless it is unwinding already
/// (a teardown begun before, or a panic of its own, in whose destructors it now is: unwinding
/// again from there would abort the process).
///
/// std's `thread::panicking()` cannot tell: every loom thread runs on one OS thread, so it is
/// true on all of them while any one unwinds (a thread switched to from another's destructor),
/// and a catch on one clears it for the others. So the backend keeps its own note of the
/// teardowns it began, and the runtime its note of each thread's own panics.
fn tear_down(me: Tid) {
    let began = with_execution(|e| e.unwinding.get(me).copied().unwrap_or(false));
    let panicking = runtime::current().is_some_and(|exec| runtime::thread::panicking(&exec));
    // A teardown the code under test caught (std then says it is over) is begun again.
    if (began || panicking) && std::thread::panicking() {
        return;
    }
    with_execution(|e| {
        if let Some(u) = e.unwinding.get_mut(me) {
            *u = true;
        }
    });
    resume_unwind(Box::new(Teardown::Execution));
}

/// A scheduling point: the current section ends (the thread parks if it blocked, or gives way if
/// it spins), and the next one begins with its access.
///
/// A yield is a scheduling point like any other: the thread may go on, or another may run (a
/// preemption, as at any point). Only a thread that has yielded [`SPIN_YIELDS`] times while no
/// other thread ran gives way (loom runs another first, and that switch is free), as does one
/// that took [`FAIRNESS`] points in a row.
fn point(yielding: bool) {
    if ctl().stop.get().is_some() {
        // A stopped execution's thread, in a destructor as it unwinds: nothing more is explored.
        let me = with_execution(|e| e.current);
        resumed(me);
        return;
    }
    let (me, park, give_way) = with_execution(|e| {
        e.pending = true;
        let me = e.current;
        let park = std::mem::take(&mut e.blocking);
        if park {
            e.parked[me] = true;
        }
        e.streak = if e.streak.0 == me {
            (me, e.streak.1 + 1)
        } else {
            (me, 1)
        };
        if yielding {
            e.spin += 1;
        }
        let spinning = yielding && e.spin >= SPIN_YIELDS;
        (me, park, spinning || e.streak.1 > FAIRNESS)
    });
    if park {
        loom_op(loom::thread::park);
    } else if give_way {
        loom_op(loom::thread::yield_now);
    }
    if ctl().stop.get().is_none() {
        access();
    }
    resumed(me);
}

/// The loom access that begins each section of a thread (the code from one scheduling point to
/// the next, which runs without a switch): a read-modify-write of the one atomic they all
/// share, so loom's DPOR sees any two sections as dependent and tries them in every order.
fn access() {
    let points = with_execution(|e| &e.points as *const AtomicUsize);
    // SAFETY: the execution's state outlives every thread of the execution; the borrow of the
    // thread-local must not be held across the branch, where other threads run.
    loom_op(|| unsafe { &*points }.fetch_add(1, Ordering::SeqCst));
}

impl Backend for LoomBackend {
    fn current(&self) -> Tid {
        with_execution(|e| e.current)
    }

    fn try_current(&self) -> Option<Tid> {
        EXECUTION.with(|e| Some(e.try_borrow().ok()?.as_ref()?.current))
    }

    fn spawn(&self, f: Box<dyn FnOnce()>, name: Option<String>) -> Tid {
        // shuttle's spawn is a scheduling point; so is ours, so that tokens replay on shuttle.
        point(false);
        let tid = with_execution(|e| e.threads.len());
        if tid >= MAX_THREADS {
            let exec = runtime::current().expect("leakcheck: spawn outside an execution");
            let me = exec.me();
            let at = exec.reg().threads[me].last_op.map(|(_, at)| at);
            let at = at.map_or_else(String::new, |at| format!(" at {}", location(at)));
            give_up(unsupported(
                format!(
                    "it spawns more than {} threads in one execution (the next one{at}), and loom, \
                     which the exhaustive scheduler runs on, runs at most {MAX_THREADS} threads per \
                     execution, the test body's included (loom::MAX_THREADS)",
                    MAX_THREADS - 1
                ),
                "spawn at most 4 threads in the test, or explore it with scheduler = \"pct\" or \"random\"",
            ));
            exec.stop(Stop::Unsupported);
            // Still here: a destructor spawned while its thread unwinds a panic. The thread is
            // never run, and the search ends with the error.
            drop(f);
            with_execution(|e| {
                e.threads.push(None);
                e.parked.push(false);
                e.unwinding.push(false);
                e.finished.push(true);
            });
            return tid;
        }
        let f = SendBox(f);
        let handle = loom::thread::Builder::new()
            .name(name.unwrap_or_default())
            .stack_size(STACK_WORDS)
            .spawn(move || {
                let f = f;
                run_thread(tid, f.0);
            })
            .expect("leakcheck: loom could not spawn a thread");
        with_execution(|e| {
            e.threads.push(Some(handle.thread().clone()));
            e.parked.push(false);
            e.unwinding.push(false);
            e.finished.push(false);
            e.alive += 1;
        });
        tid
    }

    fn switch(&self) {
        point(false);
    }

    fn yield_now(&self) {
        point(true);
    }

    fn block(&self) {
        with_execution(|e| e.blocking = true);
    }

    fn unblock(&self, tid: Tid) {
        with_execution(|e| e.unpark(tid));
    }

    fn next_u64(&self) -> u64 {
        let ctl = ctl();
        let n = ctl.arity.replace(0).max(1);
        let i = with_execution(|e| {
            e.choices += 1;
            e.choices - 1
        });
        let k = with_search(|s| match s.script.get(i) {
            Some(&k) => k,
            None => {
                if n > 1 {
                    s.branches.insert((i, n));
                }
                0
            }
        });
        // The search takes the outcomes last first: the runtime's choices make outcome 0 the
        // exceptional one (a spurious wake-up, a timeout that fires at once), so an execution
        // past its script makes none, and cannot wake spuriously forever.
        let value = n - 1 - k % n;
        record(&ctl, Decision::Random(value as u64));
        value as u64
    }

    fn stop(&self) {
        // Every parked thread wakes, to unwind.
        let me = with_execution(|e| {
            (0..e.parked.len()).for_each(|tid| e.unpark(tid));
            e.current
        });
        // A thread unwinding already (a destructor blocked) finishes unwinding, the execution
        // closed: unwinding again would abort.
        tear_down(me);
    }

    fn wait_unwound(&self, tids: &[Tid]) {
        let me = with_execution(|e| e.current);
        while with_execution(|e| tids.iter().any(|&t| !e.finished[t])) {
            loom_op(loom::thread::yield_now);
            with_execution(|e| e.current = me);
        }
    }
}

/// A closure loom may move to its thread: every thread of an execution runs on one OS thread.
struct SendBox(Box<dyn FnOnce()>);

// SAFETY: loom runs every thread of a model on the OS thread that checks it.
unsafe impl Send for SendBox {}

/// Runs a model thread's closure, then counts it out.
fn run_thread(tid: Tid, f: Box<dyn FnOnce()>) {
    if ctl().stop.get().is_none() {
        let ran = catch_unwind(AssertUnwindSafe(|| {
            access();
            resumed(tid);
            f();
        }));
        match ran {
            Ok(()) if tid == BODY && ctl().stop.get().is_none() => {
                // shuttle decides once more when the body's thread ends.
                let ctl = ctl();
                ctl.steps.set(ctl.steps.get() + 1);
                ctl.trace.borrow_mut().push(Decision::Thread(BODY));
            }
            Ok(()) => {}
            Err(payload) if matches!(payload.downcast_ref(), Some(Teardown::Search)) => {
                resume_unwind(payload)
            }
            Err(payload) if matches!(payload.downcast_ref(), Some(Teardown::Execution)) => {}
            Err(payload) if overflowed(payload.as_ref()) => {
                give_up(stack_overflow());
                resume_unwind(Box::new(Teardown::Search))
            }
            Err(payload) => {
                let text = runtime::panic::payload_text(payload.as_ref());
                with_search(|s| {
                    s.internal.get_or_insert(text);
                });
            }
        }
    } else {
        drop(f);
    }
    let last = with_execution(|e| {
        // shuttle decides which thread runs when one ends.
        e.pending = true;
        e.finished[tid] = true;
        e.alive -= 1;
        e.alive == 0
    });
    if last {
        end_execution();
    }
}

/// Whether a thread ended because it overflowed its stack (`generator` detects it).
fn overflowed(payload: &(dyn std::any::Any + Send)) -> bool {
    matches!(
        payload.downcast_ref::<generator::Error>(),
        Some(generator::Error::StackErr)
    )
}

fn stack_overflow() -> ConfigError {
    unsupported(
        format!("a thread overflowed its stack of {} KiB", STACK_SIZE / 1024),
        "keep large values on the heap (in a Box or a Vec)",
    )
}

/// What the exhaustive scheduler cannot run, and what to do instead.
fn unsupported(reason: String, instead: &'static str) -> ConfigError {
    ConfigError::Unsupported {
        scheduler: "exhaustive",
        reason,
        instead,
    }
}

/// Records the error that ends the search (the first one: what follows from it is not news).
fn give_up(error: ConfigError) {
    with_search(|s| {
        s.error.get_or_insert(error);
    });
}

/// The last thread of an execution has returned: tell the round's caller, and end the round if
/// it says so (or an error already ends it).
fn end_execution() {
    let (exec, guard) = with_search(|s| s.exec.take()).expect("leakcheck: no execution to end");
    drop(guard);
    let execution = EXECUTION.with(|e| e.borrow_mut().take());
    let trace = exec.ctl.trace.borrow().clone();
    with_search(|s| s.previous = (trace, execution.map(|e| e.seen).unwrap_or_default()));
    let end = with_search(|s| {
        if s.error.is_some() || s.internal.is_some() {
            return true;
        }
        let go_on = (s.on_end)(&exec);
        s.ended = !go_on;
        !go_on
    });
    drop(exec);
    if end {
        resume_unwind(Box::new(Teardown::Search));
    }
}

/// A model thread's stack, in the words that loom and `generator` count stack sizes in.
const STACK_WORDS: usize = STACK_SIZE / std::mem::size_of::<usize>();

/// A coroutine with a large stack that runs the test body of one execution after another: each
/// resume with a body runs it, and its outcome is left in [`RAN`].
type Runner = generator::Generator<'static, Option<SendBox>, ()>;

thread_local! {
    /// The runner between executions (kept, so that its stack is allocated once per search).
    static RUNNER: RefCell<Option<Runner>> = const { RefCell::new(None) };
    /// The outcome of the body the runner ran last.
    static RAN: RefCell<Option<std::thread::Result<()>>> = const { RefCell::new(None) };
}

/// The runner is built as loom builds its own threads, on `generator`'s unscoped API: loom's
/// switches inside the body yield with its free functions, which a scoped generator cannot take.
#[allow(deprecated)]
fn new_runner() -> Runner {
    let mut runner = generator::Gn::<Option<SendBox>>::new_opt(STACK_WORDS, || loop {
        if let Some(Some(f)) = generator::yield_::<Option<SendBox>, ()>(()) {
            let ran = catch_unwind(AssertUnwindSafe(f.0));
            RAN.with(|r| *r.borrow_mut() = Some(ran));
        }
    });
    // To its first yield, where it waits for a body.
    runner.resume();
    runner
}

/// Runs `f` on the runner: loom runs its main thread, which runs the test body, on a 32 KiB
/// stack, too small for user code in debug builds. A switch to another loom thread inside `f`
/// yields the runner, and is passed on to loom's coroutine.
fn on_large_stack(f: Box<dyn FnOnce()>) {
    let mut runner = RUNNER
        .with(|r| r.borrow_mut().take())
        .unwrap_or_else(new_runner);
    runner.set_para(Some(SendBox(f)));
    loop {
        // A stack overflow in `f` panics here, and the runner, abandoned, is dropped.
        runner.resume();
        if let Some(ran) = RAN.with(|r| r.borrow_mut().take()) {
            RUNNER.with(|r| *r.borrow_mut() = Some(runner));
            if let Err(payload) = ran {
                resume_unwind(payload);
            }
            return;
        }
        // The switch happened in loom's code, which yields with the free function too.
        #[allow(deprecated)]
        generator::yield_with(());
    }
}

/// One execution: loom calls this on its main thread, which is the test body's.
fn execution() {
    let (ctl, spurious, time, body) =
        with_search(|s| (s.ctl.clone(), s.spurious_wakeups, s.time, s.body.clone()));
    ctl.reset();
    let exec = Rc::new(Exec::new(ctl.clone(), &LOOM, false, spurious, time));
    EXECUTION.with(|e| {
        *e.borrow_mut() = Some(Execution {
            threads: vec![Some(loom::thread::current())],
            parked: vec![false],
            finished: vec![false],
            blocking: false,
            current: BODY,
            alive: 1,
            // shuttle's first decision runs the body.
            pending: true,
            streak: (BODY, 0),
            spin: 0,
            unwinding: vec![false],
            points: AtomicUsize::new(0),
            choices: 0,
            seen: Vec::new(),
            following: true,
        })
    });
    let guard = runtime::enter(exec.clone());
    with_search(|s| s.exec = Some((exec, guard)));
    let body = body();
    run_thread(BODY, Box::new(move || on_large_stack(body)));
}

/// How a round ended.
pub(crate) enum Round {
    /// Every interleaving under the script was checked; these are the choices seen beyond it,
    /// as (index, outcomes): each other outcome of each is a script for another round.
    Done { branches: BTreeSet<(usize, usize)> },
    /// `on_end` ended it.
    Ended,
}

/// What one round runs: the body, under which control, within which bound.
pub(crate) struct RoundSpec {
    pub body: BodyThread,
    pub ctl: Rc<Control>,
    pub spurious_wakeups: bool,
    pub time: Time,
    pub preemption_bound: usize,
}

/// Runs loom once: every interleaving of the body within the preemption bound, every choice
/// taking its outcome from `script` and, past it, its first outcome in the search's order.
/// `on_end` hears of every execution as it ends.
///
/// # Errors
/// What the exhaustive scheduler cannot run (too many threads, a stack overflow, a panic of
/// loom's own), and nondeterminism that loom detects.
pub(crate) fn round(
    spec: &RoundSpec,
    script: Vec<usize>,
    on_end: OnEnd,
) -> Result<Round, ConfigError> {
    SEARCH.with(|s| {
        *s.borrow_mut() = Some(Search {
            body: spec.body.clone(),
            on_end,
            ctl: spec.ctl.clone(),
            spurious_wakeups: spec.spurious_wakeups,
            time: spec.time,
            script,
            branches: BTreeSet::new(),
            exec: None,
            previous: (Vec::new(), Vec::new()),
            ended: false,
            error: None,
            internal: None,
        })
    });
    check(&spec.ctl, spec.preemption_bound);
    let search = SEARCH
        .with(|s| s.borrow_mut().take())
        .expect("leakcheck: no exhaustive search");
    // An error ends the search at once; what follows from it (a thread left stuck) is not news.
    if let Some(error) = search.error {
        return Err(error);
    }
    if let Some(text) = search.internal {
        panic!("leakcheck: internal error (a bug in leakcheck, please report it): {text}");
    }
    Ok(if search.ended {
        Round::Ended
    } else {
        Round::Done {
            branches: search.branches,
        }
    })
}

/// Drops the body's runner, at the end of a search: now, while `generator`'s own thread-locals
/// are there for it to unwind its stack.
pub(crate) fn finish_search() {
    drop(RUNNER.with(|r| r.borrow_mut().take()));
}

/// Runs loom's model checker once over the round.
fn check(ctl: &Control, preemption_bound: usize) {
    let mut builder = loom::model::Builder::new();
    // The environment's LOOM_* settings are not ours: the bound and limits come from the config.
    builder.max_threads = MAX_THREADS;
    // Each step is at most two loom branches (a park or yield, then the access): the step limit
    // is reached first, and reported as ours.
    builder.max_branches = ctl.max_steps.saturating_mul(4).saturating_add(1_000);
    builder.preemption_bound = Some(preemption_bound);
    builder.max_permutations = None;
    builder.max_duration = None;
    builder.checkpoint_file = None;
    builder.location = false;
    builder.log = false;
    match catch_unwind(AssertUnwindSafe(|| builder.check(execution))) {
        Ok(()) => {}
        Err(payload) if matches!(payload.downcast_ref(), Some(Teardown::Search)) => {}
        Err(payload) if overflowed(payload.as_ref()) => {
            // A spawned thread's overflow reaches loom's scheduler, not the thread.
            give_up(stack_overflow());
        }
        Err(payload) => {
            let text = runtime::panic::payload_text(payload.as_ref());
            with_search(|s| {
                s.internal.get_or_insert(format!("loom: {text}"));
            });
        }
    }
}
