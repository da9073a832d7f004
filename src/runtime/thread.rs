//! The model of a thread: what the registry knows of each one (where it was spawned, what it
//! waits for, what became of its `JoinHandle`, its panic, its clock), and the operations on it:
//! start, finish, join, park and unpark. `crate::thread` is its shell.

use std::any::Any;
use std::fmt;

use backtrace::Backtrace;
use leakcheck_schema::Role;

use super::channel::Selection;
use super::clock::Limit;
use super::panic::PanicRec;
use super::task::TaskRec;
use super::{Exec, Loc, ObjId, Stop, Tid};

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitOn {
    /// An object (a mutex, a channel, ...).
    Object(ObjId),
    /// Another thread's end, in `join`.
    Thread(Tid),
    /// An `unpark`, in `park`.
    Park,
    /// Nothing: its time to pass, in `sleep`.
    Sleep,
    /// Any of the operations of its selection (one arm for a plain send or receive).
    Select,
    /// A wake-up of its waker: an async task suspended on a future leakcheck does not know.
    Wake,
}

/// Where and how a thread is blocked.
#[derive(Debug)]
pub(crate) struct Wait {
    pub op: &'static str,
    pub on: WaitOn,
    pub at: Loc,
    pub stack: Option<Backtrace>,
    /// The wait ends by itself when the scheduler lets time pass (a timeout, a timer).
    pub timed: bool,
    /// For a timed wait: its deadline in modelled time (see [`super::clock`]).
    pub deadline: std::time::Duration,
}

/// A thread's state.
#[derive(Debug)]
pub(crate) enum Status {
    Runnable,
    Blocked(Wait),
    Finished,
}

/// What became of a thread's `JoinHandle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinState {
    /// Still held by somebody (or the thread is the body, which has none).
    Held,
    /// `join` returned.
    Joined,
    /// Dropped without joining.
    Dropped,
}

/// What the registry knows of one thread.
#[derive(Debug)]
pub(crate) struct ThreadRec {
    pub name: Option<String>,
    pub spawned_at: Option<Loc>,
    pub spawn_stack: Option<Backtrace>,
    pub status: Status,
    /// The last facade operation the thread made, and where.
    pub last_op: Option<(&'static str, Loc)>,
    pub handle: JoinState,
    pub finished_after_body: bool,
    pub panic: Option<PanicRec>,
    /// `join` handed the panic to the caller, who saw it.
    pub panic_observed: bool,
    pub join_waiters: Vec<Tid>,
    pub unpark_token: bool,
    pub scoped: bool,
    /// The operations the thread waits on, while it waits in a channel operation.
    pub selection: Option<Selection>,
    /// Its timed wait was ended by letting time pass.
    pub timed_out: bool,
    /// The deadline of the timed operation it is in (from the operation's call until it
    /// returns), in modelled time: a pending timer, which no later timer may overtake.
    pub timer: Option<std::time::Duration>,
    /// The locks it holds now, in the order it took them, with where.
    pub held: Vec<(ObjId, Loc)>,
    /// Spurious wake-ups in a row, since the last real one.
    pub spurious_streak: usize,
    /// The notify that ended its last condvar wait (condvar, notify, mutex), until it releases
    /// that mutex: waiting again before that is a wake-up that ended in another wait.
    pub condvar_wake: Option<(ObjId, usize, ObjId)>,
    /// Its vector clock: what it knows happened before its current step, through spawns, joins
    /// and synchronising objects.
    pub clock: Vec<u32>,
    /// A panic of its own is unwinding its stack: set when the panic starts (by the panic hook),
    /// cleared when it is caught. std's `panicking()` is per OS thread, and every model thread
    /// runs on one, so this is what tells the model threads apart.
    pub unwinding: bool,
    /// Its thread-local values (`crate::thread_local!`).
    pub locals: Locals,
    /// A thread, or an async task's (see [`super::task`]).
    pub role: Role,
    /// The runtime whose context it is in: a task's, a blocking task's, or `block_on`'s
    /// caller's while it polls the root future.
    pub context: Option<ObjId>,
    /// What it polls, if it polls futures: a task, or `block_on`'s caller.
    pub task: Option<Box<TaskRec>>,
}

/// A model thread's thread-local values, in the order they were initialised, by the address of
/// their key; and the keys whose values were destroyed (a destructor that reads one of those
/// gets an `AccessError`, as std's). The values of a thread that never ends (blocked or running
/// when the execution stops) are never dropped, as std never runs the thread-local destructors
/// of a thread that never exits: their memory is leaked rather than freed while something might
/// still read it, and no destructor runs in a stopped execution.
#[derive(Default)]
pub(crate) struct Locals {
    values: Vec<(usize, Box<dyn Any>)>,
    destroyed: Vec<usize>,
}

impl fmt::Debug for Locals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locals")
            .field("values", &self.values.len())
            .field("destroyed", &self.destroyed.len())
            .finish()
    }
}

impl Drop for Locals {
    fn drop(&mut self) {
        for (_, value) in self.values.drain(..) {
            std::mem::forget(value);
        }
    }
}

impl ThreadRec {
    pub(crate) fn new(name: Option<String>, spawned_at: Option<Loc>) -> Self {
        ThreadRec {
            name,
            spawned_at,
            spawn_stack: None,
            status: Status::Runnable,
            last_op: None,
            handle: JoinState::Held,
            finished_after_body: false,
            panic: None,
            panic_observed: false,
            join_waiters: Vec::new(),
            unpark_token: false,
            scoped: false,
            selection: None,
            timed_out: false,
            timer: None,
            held: Vec::new(),
            spurious_streak: 0,
            condvar_wake: None,
            clock: Vec::new(),
            unwinding: false,
            locals: Locals::default(),
            role: Role::Thread,
            context: None,
            task: None,
        }
    }

    pub(crate) fn is_runnable(&self) -> bool {
        matches!(self.status, Status::Runnable)
    }

    pub(crate) fn is_finished(&self) -> bool {
        matches!(self.status, Status::Finished)
    }
}

/// Starts a model thread running `main` (the facade's closure, which calls [`finish`] when
/// the code under test returns), spawned by the current thread at `at`.
pub(crate) fn start(
    exec: &Exec,
    main: Box<dyn FnOnce()>,
    name: Option<String>,
    at: Loc,
    scoped: bool,
) -> Tid {
    exec.note("thread::spawn", at);
    let tid = exec.backend.spawn(main, name.clone());
    exec.ctl.progress.spawned(tid, name.clone(), at);
    let mut reg = exec.reg();
    let mut rec = ThreadRec::new(name, Some(at));
    rec.spawn_stack = reg.stack();
    rec.scoped = scoped;
    reg.add_thread(tid, rec);
    let parent = exec.me();
    reg.start_clock(parent, tid);
    tid
}

/// The current thread's code has returned (or unwound with `panic`): its thread-locals are
/// destroyed, then it is finished, and its joiners wake. If it was the last thread that could run while others wait, and no time can
/// pass to free one, the execution is deadlocked and stops here.
pub(crate) fn finish(exec: &Exec, panic: Option<PanicRec>) {
    if !exec.closed() {
        // Its thread-locals go first: a `join` returns after their destructors, as std's.
        destroy_locals(exec);
    }
    let me = exec.me();
    let mut reg = exec.reg();
    if exec.closed() {
        // The execution stopped while this thread unwound a panic (a destructor blocked
        // forever): the registry stays as it was then, with the panic.
        reg.threads[me].panic = panic;
        return;
    }
    let after_body = reg.body_returned;
    let t = &mut reg.threads[me];
    t.unwinding = false;
    t.panic = panic;
    t.status = Status::Finished;
    t.finished_after_body = after_body;
    let waiters = std::mem::take(&mut t.join_waiters);
    if let Some(trace) = reg.trace.as_mut() {
        trace.finish(me);
    }
    for waiter in waiters {
        exec.wake(&mut reg, waiter);
    }
    let stuck = !reg.any_runnable();
    drop(reg);
    if stuck && !exec.closed() && !exec.unstick() {
        exec.stop(Stop::Deadlock);
    }
}

/// The current thread's value for the thread-local `key` (its key's address), made by `init`
/// if it has none yet; `None` if it was already destroyed. The value stays where it is (boxed)
/// until the thread ends: see [`Locals`].
pub(crate) fn local(
    exec: &Exec,
    key: usize,
    init: impl FnOnce() -> Box<dyn Any>,
) -> Option<*const dyn Any> {
    let me = exec.me();
    let find = |locals: &Locals| -> Option<Option<*const dyn Any>> {
        if let Some((_, v)) = locals.values.iter().find(|(k, _)| *k == key) {
            return Some(Some(&**v as *const dyn Any));
        }
        locals.destroyed.contains(&key).then_some(None)
    };
    if let Some(found) = find(&exec.reg().threads[me].locals) {
        return found;
    }
    // The initialiser may use the facade (thread-locals included): the registry is not
    // borrowed while it runs.
    let value = init();
    let mut reg = exec.reg();
    let locals = &mut reg.threads[me].locals;
    if let Some(found) = find(locals) {
        // Initialised meanwhile, by its own initialiser: the first value stays.
        drop(reg);
        drop(value);
        return found;
    }
    let ptr = &*value as *const dyn Any;
    locals.values.push((key, value));
    Some(ptr)
}

/// Runs the current thread's thread-local destructors, as its thread ends: the latest
/// initialised first, as std does, each marked destroyed before it drops. A destructor may
/// initialise another thread-local, which is destroyed in turn.
pub(crate) fn destroy_locals(exec: &Exec) {
    let me = exec.me();
    loop {
        let value = {
            let mut reg = exec.reg();
            let Some(t) = reg.threads.get_mut(me) else {
                return;
            };
            match t.locals.values.pop() {
                Some((key, value)) => {
                    t.locals.destroyed.push(key);
                    value
                }
                None => return,
            }
        };
        drop(value);
    }
}

/// Waits until thread `tid` has finished, and learns what it knew.
pub(crate) fn wait_finished(exec: &Exec, tid: Tid, op: &'static str, at: Loc) {
    exec.switch(op, at);
    let me = exec.me();
    exec.wait_until(op, WaitOn::Thread(tid), at, |reg| {
        if reg.threads[tid].is_finished() {
            reg.learn_from_thread(me, tid);
            true
        } else {
            reg.threads[tid].join_waiters.push(me);
            false
        }
    });
}

/// `join` returned thread `tid`'s result (`panicked`: its panic, which the caller now sees).
pub(crate) fn joined(exec: &Exec, tid: Tid, panicked: bool) {
    let Some(mut reg) = exec.live() else {
        return;
    };
    let t = &mut reg.threads[tid];
    t.handle = JoinState::Joined;
    t.panic_observed |= panicked;
}

/// Thread `tid`'s `JoinHandle` was dropped: unless it was joined, the thread is detached.
pub(crate) fn handle_dropped(exec: &Exec, tid: Tid) {
    if exec.closed() {
        return;
    }
    if let Ok(mut reg) = exec.reg.try_borrow_mut() {
        let t = &mut reg.threads[tid];
        if t.handle == JoinState::Held {
            t.handle = JoinState::Dropped;
        }
    }
}

/// Gives thread `tid` its unpark token, waking it if it is parked.
pub(crate) fn unpark(exec: &Exec, tid: Tid, at: Loc) {
    if !exec.switch("Thread::unpark", at) {
        return;
    }
    let mut reg = exec.reg();
    let t = &mut reg.threads[tid];
    t.unpark_token = true;
    let parked = matches!(&t.status, Status::Blocked(w) if w.on == WaitOn::Park);
    if parked {
        exec.wake(&mut reg, tid);
    }
}

/// Blocks the current thread until it has an unpark token (which it takes), or a spurious
/// wake-up (a recorded choice) ends the wait.
pub(crate) fn park(exec: &Exec, at: Loc) {
    exec.switch("thread::park", at);
    let me = exec.me();
    loop {
        if std::mem::take(&mut exec.reg().threads[me].unpark_token) {
            return;
        }
        if exec.spurious_wakeup() {
            return;
        }
        exec.block("thread::park", WaitOn::Park, at);
        if exec.closed() {
            return;
        }
    }
}

/// As [`park`], but a timed wait of `limit` in modelled time: it also ends when its deadline
/// passes (as the time model says, see [`Exec::block_timed`]), never by a real sleep. An unpark
/// token that arrived meanwhile is taken.
pub(crate) fn park_timeout(exec: &Exec, limit: Limit, op: &'static str, at: Loc) {
    let deadline = exec.timer_begins(limit);
    if exec.switch(op, at) {
        park_timeout_until(exec, deadline, op, at);
    }
    exec.timer_ends();
}

fn park_timeout_until(exec: &Exec, deadline: std::time::Duration, op: &'static str, at: Loc) {
    let me = exec.me();
    if std::mem::take(&mut exec.reg().threads[me].unpark_token) {
        return;
    }
    if exec.spurious_wakeup() {
        return;
    }
    exec.block_timed(op, WaitOn::Park, at, Some(deadline));
    if let Some(mut reg) = exec.live() {
        reg.threads[me].unpark_token = false;
    }
}

/// A sleep of `limit` in modelled time: a timed wait on nothing, which ends when its deadline
/// passes (as the time model says, see [`Exec::block_timed`]), and moves the clock there.
pub(crate) fn sleep(exec: &Exec, limit: Limit, op: &'static str, at: Loc) {
    if limit == Limit::For(std::time::Duration::ZERO) {
        // No time to pass: a yield, as std's `sleep(ZERO)` is on most platforms.
        exec.yield_now(op, at);
        return;
    }
    let deadline = exec.timer_begins(limit);
    if exec.switch(op, at) {
        exec.block_timed(op, WaitOn::Sleep, at, Some(deadline));
    }
    exec.timer_ends();
}

/// Whether the current thread is unwinding a panic of its own: what `thread::panicking` says
/// inside a check. (std's own answer is true on every model thread while any one of them
/// unwinds, since they share one OS thread.)
pub(crate) fn panicking(exec: &Exec) -> bool {
    if !std::thread::panicking() {
        return false;
    }
    let me = exec.me();
    match exec.reg.try_borrow() {
        Ok(reg) => reg.threads.get(me).is_some_and(|t| t.unwinding),
        Err(_) => true,
    }
}
