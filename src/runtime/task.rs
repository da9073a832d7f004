//! The model of async tasks and of the runtime that polls them (`crate::tokio` is its shell).
//!
//! A task is a model thread of its own, scheduled by the same engine as every other: it polls
//! its future while it holds one of its runtime's workers, and between polls it is suspended
//! (blocked, in the registry) until its waker is woken, a timer of its own passes, or it is
//! aborted. So every poll is a scheduling point, which runnable task a worker polls next is the
//! scheduler's decision, and a blocking facade call inside a poll keeps the worker taken: on a
//! `current_thread` runtime (one worker) that blocks every task of the runtime, as it does under
//! `#[tokio::test]`, and the deadlock that follows is reported as one. The root future of
//! `block_on` is polled the same way on the calling thread (holding the worker on a
//! `current_thread` runtime, as tokio's does).
//!
//! Wakers are counted: a task that is pending while no waker for it is left can never be woken
//! again. When that happens (its poll returned `Pending` without keeping the waker, or the last
//! clone was dropped while it was suspended) is recorded, for the report.
//!
//! A timer (`sleep`, `timeout`, `interval`) belongs to the task that polls it: the task's
//! suspension is a timed wait until its earliest timer, so the modelled clock and the time model
//! apply to tasks exactly as to threads' timed waits.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::time::Duration;

use backtrace::Backtrace;
use leakcheck_schema::Role;

use super::object::Model;
use super::thread::{Status, Wait};
use super::{current, Exec, Loc, ObjId, Tid, WaitOn};

/// Which tokio runtime `block_on` (and an `async` test) models, as `#[tokio::test]`'s `flavor`
/// argument says: see [`Config::flavor`](crate::Config::flavor).
///
/// ```
/// use leakcheck::{Config, Flavor};
///
/// let config = Config::new().flavor(Flavor::MultiThread { worker_threads: 2 });
/// # let _ = config;
/// assert_eq!(Flavor::default(), Flavor::CurrentThread);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// One worker, which polls the root future of `block_on` and every task in turn: a task
    /// that blocks (a facade lock that must wait, a blocking receive) blocks them all.
    /// `#[tokio::test]`'s default.
    #[default]
    CurrentThread,
    /// `worker_threads` workers poll the tasks; `block_on`'s root future is polled on the
    /// calling thread, apart from them.
    MultiThread {
        /// How many workers (at least 1).
        worker_threads: usize,
    },
}

/// A runtime: its workers, and who holds them.
#[derive(Debug)]
pub(crate) struct RuntimeState {
    pub flavor: Flavor,
    /// The threads (tasks, or `block_on`'s caller) polling now, and where each was spawned.
    pub busy: Vec<(Tid, Loc)>,
    /// The threads waiting for a worker, woken (all of them: the scheduler picks who polls
    /// next) when one is released.
    pub waiting: Vec<Tid>,
    /// How many threads want a worker and have none: those waiting, and those woken that have
    /// not taken one yet.
    pub wanting: usize,
    /// For a `LocalSet` (one worker, lent by whoever drives the set): who drives it.
    pub local: Option<LocalDrive>,
}

/// Who drives a `LocalSet`: its tasks are polled only while a task (or `block_on`'s root) is
/// inside its `run_until`, on that one's worker, one at a time.
#[derive(Debug, Default)]
pub(crate) struct LocalDrive {
    /// The thread inside `run_until` now.
    pub driver: Option<Tid>,
    /// The waker of the last driver, woken when a task of the set wants to run while nobody
    /// drives it.
    pub waker: Option<Waker>,
}

impl RuntimeState {
    fn workers(&self) -> usize {
        match self.flavor {
            Flavor::CurrentThread => 1,
            Flavor::MultiThread { worker_threads } => worker_threads.max(1),
        }
    }

    /// Whether a thread may take a worker now: one is free (and, for a `LocalSet`, someone
    /// drives the set).
    fn worker_free(&self) -> bool {
        self.busy.len() < self.workers() && self.local.as_ref().is_none_or(|l| l.driver.is_some())
    }
}

impl Model for RuntimeState {
    fn holders(&self) -> Vec<(Tid, Loc)> {
        self.busy.clone()
    }

    fn waits_for(&self, _tid: Tid, _reg: &super::Registry) -> Option<Tid> {
        match self.busy.as_slice() {
            [(holder, _)] if self.workers() == 1 => Some(*holder),
            _ => None,
        }
    }
}

/// What a pending task awaits, as the leakcheck future it last polled said (the operation, on
/// what, where it was made), with the stack captured inside that poll (in replays).
#[derive(Debug)]
pub(crate) struct Awaiting {
    pub op: &'static str,
    pub on: WaitOn,
    pub at: Loc,
    pub stack: Option<Backtrace>,
}

/// When a pending task's last waker went.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lost {
    /// Who dropped it, and their last operation; `None` if the task's own poll returned
    /// `Pending` without keeping one.
    pub by: Option<(Tid, Option<(&'static str, Loc)>)>,
}

/// A task (or `block_on`'s root future) suspended while it held a lock of the `sync` facade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeldAcrossAwait {
    pub task: Tid,
    pub lock: ObjId,
    pub locked_at: Loc,
    /// What it awaited (a leakcheck future's operation), or its last operation, and where.
    pub op: &'static str,
    pub at: Loc,
    /// Whether `op` is the leakcheck future it awaits (rather than its last operation).
    pub known: bool,
}

/// Send futures dropped with their value (see
/// [`FindingKind::LostMessage`](crate::FindingKind::LostMessage)): the values lost by one thread
/// at one send, dropped at one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LostMessage {
    /// The thread or task that dropped the future (the one that made it).
    pub task: Tid,
    pub channel: ObjId,
    /// The send, e.g. `Sender::send`, and where it was called.
    pub op: &'static str,
    pub sent_at: Loc,
    /// Where it was dropped: `select!` and the `select!`'s place when a `select!` dropped it
    /// after another branch completed, else the dropper's last operation.
    pub dropped: Option<(&'static str, Loc)>,
    /// How many values were lost so.
    pub count: usize,
}

/// The current thread drops a send future on `channel` (`op`, called at `sent_at`) that still
/// holds its value: the value is lost. Counted once per send, place and thread.
pub(crate) fn lost_message(exec: &Exec, channel: ObjId, op: &'static str, sent_at: Loc) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let dropped = reg
        .select_drops
        .iter()
        .rev()
        .find(|s| s.0 == me)
        .map(|s| ("select!", s.1))
        .or(reg.threads[me].last_op);
    let key = (me, channel, op, sent_at, dropped);
    match reg
        .lost_messages
        .iter_mut()
        .find(|e| (e.task, e.channel, e.op, e.sent_at, e.dropped) == key)
    {
        Some(e) => e.count += 1,
        None => reg.lost_messages.push(LostMessage {
            task: me,
            channel,
            op,
            sent_at,
            dropped,
            count: 1,
        }),
    }
}

/// A `select!` at `at` on the current thread starts dropping the futures of the branches that
/// did not complete. Returns the thread, for [`select_dropped`].
pub(crate) fn select_dropping(at: Loc) -> Option<Tid> {
    let exec = current()?;
    let me = exec.me();
    let mut reg = exec.live()?;
    reg.select_drops.push((me, at));
    Some(me)
}

/// The `select!` at `at` of thread `tid` has dropped them.
pub(crate) fn select_dropped(tid: Tid, at: Loc) {
    let Some(exec) = current() else {
        return;
    };
    let Some(mut reg) = exec.live() else {
        return;
    };
    if let Some(i) = reg.select_drops.iter().rposition(|s| *s == (tid, at)) {
        reg.select_drops.remove(i);
    }
}

/// A timer of a task: a leakcheck future waiting for a deadline in modelled time.
#[derive(Debug)]
pub(crate) struct Timer {
    pub key: u64,
    pub deadline: Duration,
    pub waker: Waker,
}

/// What the registry knows of a thread that polls futures: a task, or `block_on`'s caller.
#[derive(Debug)]
pub(crate) struct TaskRec {
    /// The runtime whose workers poll it.
    pub runtime: ObjId,
    /// Whether it needs a worker to be polled (not `block_on`'s root on a multi-thread runtime).
    pub needs_worker: bool,
    /// Its waker's data: who it wakes, and how many wakers exist.
    pub waker: Arc<WakerData>,
    /// Woken since its poll began: it is polled again.
    pub notified: bool,
    /// Being polled now.
    pub polling: bool,
    /// Suspended: blocked between two polls, until a wake.
    pub suspended: bool,
    /// `abort` was called: its future is dropped at its next poll.
    pub aborted: bool,
    pub awaiting: Option<Awaiting>,
    /// The leakcheck future it awaited last, and where: where a task that never stops
    /// polling was last seen.
    pub last_await: Option<(&'static str, Loc)>,
    pub timers: Vec<Timer>,
    /// Who awaits its `JoinHandle`.
    pub join_wakers: Vec<Waker>,
    /// Its waker was lost while it was pending.
    pub lost: Option<Lost>,
    /// When it completed, among the tasks of the execution (1 first): `JoinSet` returns tasks
    /// in the order they completed.
    pub completed: u64,
    /// The `LocalSet` whose context it is in: a task of the set, or a driver inside the set's
    /// `run_until`.
    pub local: Option<ObjId>,
    /// Blocked inside a poll while it drives a `LocalSet`: a wake reaches it there too.
    pub driving: bool,
    /// It wants a worker and has none (counted in its runtime's `wanting`).
    pub wants_worker: bool,
}

/// A waker's data: the execution and the task it wakes, and how many wakers exist for it
/// besides the one each poll lends.
#[derive(Debug)]
pub(crate) struct WakerData {
    serial: u64,
    tid: Tid,
    count: AtomicUsize,
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

/// A waker for `data`'s task, counted.
fn waker(data: &Arc<WakerData>) -> Waker {
    data.count.fetch_add(1, Ordering::Relaxed);
    let ptr = Arc::into_raw(data.clone()).cast::<()>();
    // SAFETY: the vtable's functions treat the pointer as the `Arc<WakerData>` it is.
    unsafe { Waker::from_raw(RawWaker::new(ptr, &VTABLE)) }
}

unsafe fn clone_raw(ptr: *const ()) -> RawWaker {
    // SAFETY: `ptr` came from `Arc::into_raw` of a live waker.
    let data = unsafe { &*ptr.cast::<WakerData>() };
    data.count.fetch_add(1, Ordering::Relaxed);
    unsafe { Arc::increment_strong_count(ptr.cast::<WakerData>()) };
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake_raw(ptr: *const ()) {
    unsafe {
        wake_by_ref_raw(ptr);
        drop_raw(ptr);
    }
}

unsafe fn wake_by_ref_raw(ptr: *const ()) {
    // SAFETY: `ptr` came from `Arc::into_raw` of a live waker.
    let data = unsafe { &*ptr.cast::<WakerData>() };
    wake(data.serial, data.tid);
}

unsafe fn drop_raw(ptr: *const ()) {
    // SAFETY: `ptr` came from `Arc::into_raw` of a live waker, which this drop ends.
    let data = unsafe { Arc::from_raw(ptr.cast::<WakerData>()) };
    if data.count.fetch_sub(1, Ordering::Relaxed) == 1 {
        gone(data.serial, data.tid);
    }
}

/// The execution `serial`, if it is current here and still running.
fn live_exec(serial: u64) -> Option<std::rc::Rc<Exec>> {
    current().filter(|e| e.serial == serial && !e.closed())
}

/// A waker of task `tid` was woken: it is polled again (it becomes runnable, it does not run).
/// A wake from outside the execution (another OS thread, or after it ended) does nothing.
fn wake(serial: u64, tid: Tid) {
    let Some(exec) = live_exec(serial) else {
        return;
    };
    // Wakers are woken by code under test and by leakcheck's futures, never while the registry
    // is borrowed; if it ever were, the wake is lost and the report shows the task pending.
    let Ok(mut reg) = exec.reg.try_borrow_mut() else {
        debug_assert!(
            false,
            "leakcheck: a waker woken while the registry was borrowed"
        );
        return;
    };
    let Some(task) = reg.threads.get_mut(tid).and_then(|t| t.task.as_mut()) else {
        return;
    };
    task.notified = true;
    task.lost = None;
    if task.suspended || task.driving {
        task.suspended = false;
        exec.wake(&mut reg, tid);
    }
}

/// The last waker of task `tid` went: if the task is suspended, nothing can wake it any more.
fn gone(serial: u64, tid: Tid) {
    let Some(exec) = live_exec(serial) else {
        return;
    };
    let Ok(mut reg) = exec.reg.try_borrow_mut() else {
        return;
    };
    let me = exec.backend.try_current();
    let by = me.map(|me| (me, reg.threads.get(me).and_then(|t| t.last_op)));
    let Some(task) = reg.threads.get_mut(tid).and_then(|t| t.task.as_mut()) else {
        return;
    };
    if task.suspended && !task.notified && !task.aborted && task.lost.is_none() {
        task.lost = Some(Lost {
            by: by.filter(|(t, _)| *t != tid),
        });
    }
}

/// Makes a runtime of `flavor`.
pub(crate) fn new_runtime(exec: &Exec, flavor: Flavor, at: Loc) -> ObjId {
    exec.new_object(
        at,
        RuntimeState {
            flavor,
            busy: Vec::new(),
            waiting: Vec::new(),
            wanting: 0,
            local: None,
        },
    )
    .id
}

fn task_rec(serial: u64, tid: Tid, rt: ObjId, needs_worker: bool) -> Box<TaskRec> {
    Box::new(TaskRec {
        runtime: rt,
        needs_worker,
        waker: Arc::new(WakerData {
            serial,
            tid,
            count: AtomicUsize::new(0),
        }),
        notified: false,
        polling: false,
        suspended: false,
        aborted: false,
        awaiting: None,
        last_await: None,
        timers: Vec::new(),
        join_wakers: Vec::new(),
        lost: None,
        completed: 0,
        local: None,
        driving: false,
        wants_worker: false,
    })
}

/// Makes the current thread `block_on`'s caller for runtime `rt`: it polls the root future
/// (holding a worker if `needs_worker`: on a `current_thread` runtime).
pub(crate) fn enter(exec: &Exec, rt: ObjId, needs_worker: bool) {
    let me = exec.me();
    let rec = task_rec(exec.serial, me, rt, needs_worker);
    let mut reg = exec.reg();
    let t = &mut reg.threads[me];
    t.context = Some(rt);
    t.task = Some(rec);
}

/// `block_on`'s caller is done polling: it leaves the runtime's context.
pub(crate) fn leave(exec: &Exec) {
    if let Some(mut reg) = exec.live() {
        let me = exec.me();
        reg.threads[me].context = None;
        reg.threads[me].task = None;
    }
}

/// The runtime whose context the current thread is in (a task, a blocking task, or inside
/// `block_on`), if any.
pub(crate) fn context(exec: &Exec) -> Option<ObjId> {
    let me = exec.me();
    exec.reg().threads[me].context
}

/// Starts a task (or, with `Role::BlockingTask`, a blocking task) of runtime `rt`, running
/// `main` (the facade's closure, which drives the future and finishes the thread).
pub(crate) fn spawn(
    exec: &Exec,
    rt: ObjId,
    role: Role,
    main: Box<dyn FnOnce()>,
    name: Option<String>,
    at: Loc,
) -> Tid {
    let tid = super::thread::start(exec, main, name, at, false);
    let rec = task_rec(exec.serial, tid, rt, role == Role::Task);
    let mut reg = exec.reg();
    let t = &mut reg.threads[tid];
    t.role = role;
    t.context = Some(rt);
    t.task = Some(rec);
    // A task spawned while every worker is busy waits for one from the start, as a task queued
    // on tokio's run queue does: it is not scheduled only to find the workers taken. (A task
    // of a `LocalSet` nobody drives starts runnable: its first step wakes the set's driver.)
    let state = reg.runtime(rt);
    if role == Role::Task && state.busy.len() >= state.workers() && exec.backend.block_new(tid) {
        state.waiting.push(tid);
        want_worker(&mut reg, rt, tid, true);
        reg.threads[tid].last_op = Some((POLL, at));
        reg.threads[tid].status = Status::Blocked(Wait {
            op: POLL,
            on: WaitOn::Object(rt),
            at,
            stack: None,
            timed: false,
            deadline: Duration::ZERO,
        });
        if let Some(trace) = reg.trace.as_mut() {
            trace.block(tid, POLL, WaitOn::Object(rt), at);
        }
    }
    tid
}

/// Releases the worker the current thread holds, if it holds one, and wakes the threads
/// waiting for one (the scheduler picks which of them polls next).
fn release_worker(exec: &Exec, rt: ObjId, me: Tid) {
    let Some(mut reg) = exec.live() else {
        return;
    };
    let state = reg.runtime(rt);
    let Some(i) = state.busy.iter().position(|b| b.0 == me) else {
        return;
    };
    state.busy.remove(i);
    // A `LocalSet`'s driver, waiting for its tasks to be done, looks again.
    let driver = state.local.as_ref().and_then(|l| l.driver);
    for t in std::mem::take(&mut state.waiting).into_iter().chain(driver) {
        exec.wake(&mut reg, t);
    }
}

/// Whether `me` wants a worker of `rt` (counted in its `wanting`) from now on.
fn want_worker(reg: &mut super::Registry, rt: ObjId, me: Tid, wants: bool) {
    let Some(task) = reg.threads[me].task.as_mut() else {
        return;
    };
    if task.wants_worker != wants {
        task.wants_worker = wants;
        let state = reg.runtime(rt);
        if wants {
            state.wanting += 1;
        } else {
            state.wanting -= 1;
        }
    }
}

/// Takes a worker of runtime `rt` for `me` (polling from `at`) if one is free; else queues
/// `me` for one.
fn take_worker(reg: &mut super::Registry, rt: ObjId, me: Tid, at: Loc) -> bool {
    let free = reg.runtime(rt).worker_free();
    want_worker(reg, rt, me, !free);
    let state = reg.runtime(rt);
    if free {
        state.busy.push((me, at));
    } else if !state.waiting.contains(&me) {
        state.waiting.push(me);
    }
    free
}

/// The operation of a task waiting for a worker, and of each poll.
pub(crate) const POLL: &str = "task::poll";

/// Releases the worker when a poll unwinds (a panic in the future).
struct Worker<'a> {
    exec: &'a Exec,
    rt: ObjId,
    me: Tid,
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        release_worker(self.exec, self.rt, self.me);
    }
}

/// Polls `fut` on the current thread (entered with [`enter`]) until it completes: `None` if
/// it was aborted first (the caller drops it) or the execution stopped. `at` is where the
/// task was spawned (or `block_on` called).
pub(crate) fn drive<F: Future + ?Sized>(
    exec: &Exec,
    mut fut: Pin<&mut F>,
    at: Loc,
) -> Option<F::Output> {
    let me = exec.me();
    let (rt, needs_worker, data) = {
        let reg = exec.reg();
        let task = reg.threads[me].task.as_ref()?;
        (task.runtime, task.needs_worker, task.waker.clone())
    };
    // A task's first poll, and a poll after the task was woken from its suspension, follow
    // the scheduler's decision to run it: a scheduling point there would offer the same choice
    // again. A task polled again at once (it woke itself: `yield_now`) gets one.
    let mut decided = exec.reg().threads[me].role != Role::Thread;
    loop {
        if !decided && !exec.switch(POLL, at) {
            return None;
        }
        if exec.closed() || aborted(exec, me) {
            return None;
        }
        if needs_worker {
            wake_local_driver(exec, rt);
            let got = exec.wait_until(POLL, WaitOn::Object(rt), at, |reg| {
                if reg.threads[me].task.as_ref().is_some_and(|t| t.aborted) {
                    // Aborted while it waited (its `LocalSet` was dropped): it polls no more.
                    reg.runtime(rt).waiting.retain(|t| *t != me);
                    want_worker(reg, rt, me, false);
                    return true;
                }
                take_worker(reg, rt, me, at)
            });
            if !got {
                return None;
            }
        }
        let worker = needs_worker.then_some(Worker { exec, rt, me });
        if aborted(exec, me) {
            return None;
        }
        {
            let mut reg = exec.reg();
            let task = reg.threads[me].task.as_mut()?;
            task.notified = false;
            task.polling = true;
            task.awaiting = None;
        }
        let w = waker(&data);
        let poll = fut.as_mut().poll(&mut Context::from_waker(&w));
        drop(w);
        drop(worker);
        if exec.closed() {
            return None;
        }
        if let Poll::Ready(v) = poll {
            if let Some(task) = exec.reg().threads[me].task.as_mut() {
                task.polling = false;
            }
            return Some(v);
        }
        decided = suspend(exec, me, &data, at)?;
    }
}

fn aborted(exec: &Exec, me: Tid) -> bool {
    exec.reg().threads[me]
        .task
        .as_ref()
        .is_some_and(|t| t.aborted)
}

/// The current task's poll returned `Pending`: unless it was woken meanwhile, it stays
/// suspended until a wake, an abort, or its earliest timer. Returns whether it was suspended
/// (rather than polled again at once); `None` if the execution stopped.
fn suspend(exec: &Exec, me: Tid, data: &WakerData, at: Loc) -> Option<bool> {
    let (op, on, wait_at, stack, deadline) = {
        let mut reg = exec.reg();
        let last_op = reg.threads[me].last_op;
        let task = reg.threads[me].task.as_mut()?;
        task.polling = false;
        if task.notified || task.aborted {
            return Some(false);
        }
        if data.count.load(Ordering::Relaxed) == 0 && task.lost.is_none() {
            task.lost = Some(Lost { by: None });
        }
        task.suspended = true;
        let deadline = task.timers.iter().map(|t| t.deadline).min();
        let known = task.awaiting.is_some();
        let (op, on, wait_at, stack) = match task.awaiting.take() {
            Some(a) => (a.op, a.on, a.at, a.stack),
            None => {
                let (op, at) = last_op.unwrap_or((POLL, at));
                (op, WaitOn::Wake, at, None)
            }
        };
        reg.threads[me].timer = deadline;
        let held: Vec<(ObjId, Loc)> = reg.threads[me].held.clone();
        for (lock, locked_at) in held {
            let event = HeldAcrossAwait {
                task: me,
                lock,
                locked_at,
                op,
                at: wait_at,
                known,
            };
            if !reg.held_across_await.contains(&event) {
                reg.held_across_await.push(event);
            }
        }
        (op, on, wait_at, stack, deadline)
    };
    exec.block_with(op, on, wait_at, deadline, stack);
    if exec.closed() {
        return None;
    }
    let due = {
        let mut reg = exec.reg();
        let now = reg.clock.now;
        let task = reg.threads[me].task.as_mut()?;
        task.suspended = false;
        let (due, pending): (Vec<Timer>, Vec<Timer>) = std::mem::take(&mut task.timers)
            .into_iter()
            .partition(|t| t.deadline <= now);
        task.timers = pending;
        due
    };
    for timer in due {
        timer.waker.wake();
    }
    Some(true)
}

/// The current thread's leakcheck future returns `Pending`, awaiting `op` on `on` (made at
/// `at`): what reports show of the task while it is suspended.
pub(crate) fn awaits(exec: &Exec, op: &'static str, on: WaitOn, at: Loc) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let stack = reg.stack();
    if let Some(task) = reg.threads[me].task.as_mut() {
        task.awaiting = Some(Awaiting { op, on, at, stack });
        task.last_await = Some((op, at));
    }
}

/// Sets (or moves) timer `key` of the current task to `deadline`, woken through `waker`.
/// Returns false if the current thread polls no futures for a runtime (a future polled by
/// another executor).
pub(crate) fn set_timer(exec: &Exec, key: u64, deadline: Duration, waker: &Waker) -> bool {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return true;
    };
    let Some(task) = reg.threads[me].task.as_mut() else {
        return false;
    };
    match task.timers.iter_mut().find(|t| t.key == key) {
        Some(t) => {
            t.deadline = deadline;
            if !t.waker.will_wake(waker) {
                t.waker = waker.clone();
            }
        }
        None => task.timers.push(Timer {
            key,
            deadline,
            waker: waker.clone(),
        }),
    }
    true
}

/// Timer `key` is gone (its future completed or was dropped), from whichever task had it.
pub(crate) fn cancel_timer(exec: &Exec, key: u64) {
    let Some(mut reg) = exec.live() else {
        return;
    };
    let mut dropped = Vec::new();
    for t in reg.threads.iter_mut() {
        if let Some(task) = t.task.as_mut()
            && let Some(i) = task.timers.iter().position(|x| x.key == key)
        {
            dropped.push(task.timers.remove(i));
        }
    }
    drop(reg);
    // Their wakers drop with the registry released: dropping the last one looks at it.
    drop(dropped);
}

/// Aborts task `tid`: its future is dropped at its next poll (now, if it is suspended).
pub(crate) fn abort(exec: &Exec, tid: Tid) {
    let Some(mut reg) = exec.live() else {
        return;
    };
    let Some(task) = reg.threads[tid].task.as_mut() else {
        return;
    };
    task.aborted = true;
    if task.suspended {
        task.suspended = false;
        exec.wake(&mut reg, tid);
    }
}

/// The current task completed (or was cancelled): whoever awaits its `JoinHandle` is woken.
/// Call before [`super::thread::finish`].
pub(crate) fn completed(exec: &Exec) {
    let me = exec.me();
    let wakers = {
        let Some(mut reg) = exec.live() else {
            return;
        };
        reg.tasks_completed += 1;
        let n = reg.tasks_completed;
        let Some(task) = reg.threads[me].task.as_mut() else {
            return;
        };
        task.completed = n;
        let timers = std::mem::take(&mut task.timers);
        (std::mem::take(&mut task.join_wakers), timers)
    };
    drop(wakers.1);
    for w in wakers.0 {
        w.wake();
    }
}

/// Whether task `tid` has completed, and when (see [`TaskRec::completed`]).
pub(crate) fn completion(exec: &Exec, tid: Tid) -> Option<u64> {
    let reg = exec.reg();
    let t = &reg.threads[tid];
    t.is_finished()
        .then(|| t.task.as_ref().map_or(u64::MAX, |t| t.completed))
}

/// The current task awaits task `tid`'s completion: `waker` is woken when it completes.
pub(crate) fn await_task(exec: &Exec, tid: Tid, waker: &Waker, op: &'static str, at: Loc) {
    {
        let Some(mut reg) = exec.live() else {
            return;
        };
        let finished = reg.threads[tid].is_finished();
        if let Some(task) = reg.threads[tid].task.as_mut().filter(|_| !finished)
            && !task.join_wakers.iter().any(|w| w.will_wake(waker))
        {
            task.join_wakers.push(waker.clone());
        }
    }
    awaits(exec, op, WaitOn::Thread(tid), at);
}

/// Makes a `LocalSet`: a runtime of one worker, which only its driver lends (see
/// [`drive_local`]).
pub(crate) fn new_local_set(exec: &Exec, at: Loc) -> super::Handle {
    exec.new_object(
        at,
        RuntimeState {
            flavor: Flavor::CurrentThread,
            busy: Vec::new(),
            waiting: Vec::new(),
            wanting: 0,
            local: Some(LocalDrive::default()),
        },
    )
}

/// A task of `LocalSet` `set` wants to run while nobody drives the set: the last driver's
/// waker is woken, as tokio's `LocalSet` wakes the task that polls it.
fn wake_local_driver(exec: &Exec, set: ObjId) {
    let waker = {
        let Some(mut reg) = exec.live() else {
            return;
        };
        let state = reg.runtime(set);
        state
            .local
            .as_mut()
            .filter(|l| l.driver.is_none())
            .and_then(|l| l.waker.take())
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// The `LocalSet` whose context the current thread is in, if any.
pub(crate) fn local_context(exec: &Exec) -> Option<ObjId> {
    let me = exec.me();
    exec.reg().threads[me].task.as_ref().and_then(|t| t.local)
}

/// Starts a task of `LocalSet` `set`, running `main`: it is polled only while the set is
/// driven, and spawns onto the runtime its spawner was in.
pub(crate) fn spawn_local(exec: &Exec, set: ObjId, main: Box<dyn FnOnce()>, at: Loc) -> Tid {
    let outer = context(exec);
    let tid = spawn(exec, set, Role::Task, main, None, at);
    let mut reg = exec.reg();
    let t = &mut reg.threads[tid];
    t.context = outer.or(Some(set));
    if let Some(task) = t.task.as_mut() {
        task.local = Some(set);
    }
    tid
}

/// The tasks of `LocalSet` `set` that have not finished.
pub(crate) fn local_tasks(exec: &Exec, set: ObjId) -> Vec<Tid> {
    let reg = exec.reg();
    (0..reg.threads.len())
        .filter(|&t| {
            let r = &reg.threads[t];
            !r.is_finished()
                && r.task
                    .as_ref()
                    .is_some_and(|k| k.local == Some(set) && k.runtime == set)
        })
        .collect()
}

/// `LocalSet` `set` is dropped: its unfinished tasks are aborted (their futures dropped, as
/// tokio drops them), including those waiting for the set's worker.
pub(crate) fn drop_local_set(exec: &Exec, set: ObjId) {
    if exec.closed() {
        return;
    }
    for tid in local_tasks(exec, set) {
        abort(exec, tid);
        let Some(mut reg) = exec.live() else {
            return;
        };
        let state = reg.runtime(set);
        if let Some(i) = state.waiting.iter().position(|t| *t == tid) {
            state.waiting.remove(i);
            exec.wake(&mut reg, tid);
        }
    }
}

/// The operation of a `LocalSet`'s driver waiting for the set's tasks.
const RUN_UNTIL: &str = "LocalSet::run_until";

/// One poll of `LocalSet::run_until` (or of the set itself) by the current thread: it takes
/// the set's worker and polls `fut` in the set's context, then lends the worker to the set's
/// tasks until none wants it, or `fut` was woken (then it polls `fut` again). `Pending` once the
/// set is idle and `fut` not woken; the driver's waker is kept, for the set's tasks to wake.
pub(crate) fn drive_local<F: Future + ?Sized>(
    exec: &Exec,
    set: ObjId,
    mut fut: Pin<&mut F>,
    cx: &mut Context<'_>,
    at: Loc,
) -> Poll<F::Output> {
    let me = exec.me();
    if let Some(l) = exec.reg().runtime(set).local.as_mut() {
        l.driver = Some(me);
    }
    let out = loop {
        // The set's worker, for `fut`: between two tasks of the set.
        let got = exec.wait_until(POLL, WaitOn::Object(set), at, |reg| {
            take_worker(reg, set, me, at)
        });
        if !got {
            return Poll::Pending;
        }
        let outer = {
            let mut reg = exec.reg();
            reg.threads[me].task.as_mut().map(|t| {
                t.notified = false;
                t.local.replace(set)
            })
        };
        let worker = Worker { exec, rt: set, me };
        let poll = fut.as_mut().poll(cx);
        drop(worker);
        if let Some(mut reg) = exec.live()
            && let (Some(t), Some(outer)) = (reg.threads[me].task.as_mut(), outer)
        {
            t.local = outer;
        }
        if exec.closed() {
            return Poll::Pending;
        }
        if poll.is_ready() {
            break poll;
        }
        // The set's tasks run until none wants the worker, or `fut` is woken.
        let woken = {
            if let Some(t) = exec.reg().threads[me].task.as_mut() {
                t.driving = true;
            }
            let mut woken = false;
            let got = exec.wait_until(RUN_UNTIL, WaitOn::Object(set), at, |reg| {
                woken = reg.threads[me].task.as_ref().is_some_and(|t| t.notified);
                let state = reg.runtime(set);
                woken || (state.busy.is_empty() && state.wanting == 0)
            });
            if let Some(mut reg) = exec.live()
                && let Some(t) = reg.threads[me].task.as_mut()
            {
                t.driving = false;
            }
            if !got {
                return Poll::Pending;
            }
            woken
        };
        if !woken {
            break Poll::Pending;
        }
    };
    if let Some(mut reg) = exec.live()
        && let Some(l) = reg.runtime(set).local.as_mut()
    {
        l.driver = None;
        l.waker = out.is_pending().then(|| cx.waker().clone());
    }
    out
}
