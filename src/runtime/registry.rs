//! The per-execution registry: which threads and objects exist, who holds what, who is blocked on
//! what and where. It stores state and answers questions about it; it judges nothing (that is
//! `detect`) and renders nothing (that is `report`).

use std::cell::Cell;
use std::fmt;

use backtrace::Backtrace;
use leakcheck_schema::ObjectKind;

use super::object::{ObjKind, ObjState, State};
use super::thread::{Status, ThreadRec, WaitOn};
use super::{Loc, ObjId, Tid};

/// An object as reports name it: its kind and its number among the objects of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ObjName {
    pub kind: ObjKind,
    pub ordinal: usize,
}

impl fmt::Display for ObjName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.kind.name(), self.ordinal)
    }
}

/// What the registry knows of one object.
#[derive(Debug)]
pub(crate) struct Object {
    pub name: ObjName,
    pub created_at: Loc,
    pub state: ObjState,
    /// What synchronising through the object has made known (a vector clock): a message sent,
    /// a notify, a barrier round, a `Once` done. Locks carry none (see `lock_inversions`).
    pub clock: Vec<u32>,
}

/// A lock taken while another was held: the edge of the lock-order graph.
#[derive(Debug, Clone)]
pub(crate) struct LockEdge {
    pub first: ObjId,
    pub first_at: Loc,
    pub then: ObjId,
    pub then_at: Loc,
    pub thread: Tid,
    /// The other locks held at the time (a common one guards both orders).
    pub also_held: Vec<ObjId>,
    /// The thread's clock when it took `then`.
    pub clock: Vec<u32>,
}

/// `a ⊔= b` for vector clocks.
fn join_into(a: &mut Vec<u32>, b: &[u32]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x = (*x).max(*y);
    }
}

/// Whether the event with clock `a` happened before (or is) the one with clock `b`.
pub(crate) fn happened_before(a: &[u32], b: &[u32]) -> bool {
    a.iter()
        .enumerate()
        .all(|(i, x)| *x <= b.get(i).copied().unwrap_or(0))
}

thread_local! {
    /// How many thread records the registries on this OS thread have made room for so far: a
    /// new registry makes as much room at its first thread (see [`Registry::add_thread`]).
    static THREADS_HINT: Cell<usize> = const { Cell::new(0) };
}

/// The registry of one execution.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub threads: Vec<ThreadRec>,
    pub objects: Vec<Object>,
    /// How many objects of each report kind exist: models that reports name alike (std's and
    /// parking_lot's `rwlock`) share one numbering, so no two objects share a name.
    counts: Vec<(ObjectKind, usize)>,
    /// The test body has returned (or unwound).
    pub body_returned: bool,
    /// The body, having returned, waits until no other thread can run (blocked in the engine,
    /// though its status stays runnable): the last thread to block or finish wakes it.
    pub quiescing: bool,
    /// Whether stacks are captured (only when a failing schedule is replayed for its report).
    pub capture: bool,
    /// Every pair of locks taken in some order, once per order and thread.
    pub lock_edges: Vec<LockEdge>,
    /// Panics so far (the panic hook numbers them).
    pub panics: usize,
    /// Spurious wake-ups so far (waits that returned without a notify).
    pub spurious_wakeups: usize,
    /// The modelled clock.
    pub clock: super::clock::Clock,
    /// The event log, kept only when stacks are captured (the replay of a failing schedule).
    pub trace: Option<Box<super::trace::Recorder>>,
    /// Async tasks completed so far (see [`super::task::TaskRec::completed`]).
    pub tasks_completed: u64,
    /// Each time a task suspended while it held a lock (see [`super::task::HeldAcrossAwait`]),
    /// once per task, lock and place.
    pub held_across_await: Vec<super::task::HeldAcrossAwait>,
    /// Send futures dropped with their value (see [`super::task::LostMessage`]).
    pub lost_messages: Vec<super::task::LostMessage>,
    /// The `select!`s dropping the futures of their other branches now, by thread, innermost
    /// last: where a send future dropped meanwhile was dropped.
    pub select_drops: Vec<(Tid, Loc)>,
}

impl Registry {
    pub(crate) fn new(capture: bool) -> Self {
        Registry {
            capture,
            trace: capture.then(Box::default),
            ..Default::default()
        }
    }

    pub(crate) fn stack(&self) -> Option<Backtrace> {
        self.capture.then(Backtrace::new_unresolved)
    }

    pub(crate) fn add_thread(&mut self, tid: Tid, rec: ThreadRec) {
        if self.threads.len() == tid {
            if self.threads.capacity() == tid {
                // Room for as many threads as the executions before on this OS thread needed:
                // an execution like the last one moves no record once it is under way.
                let most = THREADS_HINT.get().max(2 * tid).max(4);
                THREADS_HINT.set(most);
                self.threads.reserve(most - tid);
            }
            self.threads.push(rec);
            return;
        }
        if self.threads.len() < tid {
            self.threads
                .resize_with(tid + 1, || ThreadRec::new(None, None));
        }
        self.threads[tid] = rec;
    }

    pub(crate) fn add_object(&mut self, at: Loc, state: ObjState) -> ObjId {
        let kind = state.kind();
        let report = kind.report();
        let ordinal = match self.counts.iter_mut().find(|(k, _)| *k == report) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.counts.push((report, 1));
                1
            }
        };
        let name = ObjName { kind, ordinal };
        self.objects.push(Object {
            name,
            created_at: at,
            state,
            clock: Vec::new(),
        });
        self.objects.len() - 1
    }

    /// The state of object `id`, which is of kind `S`.
    pub(crate) fn state_mut<S: State>(&mut self, id: ObjId) -> &mut S {
        S::of_mut(&mut self.objects[id].state)
            .unwrap_or_else(|| unreachable!("object {id} is not a {}", S::KIND.name()))
    }

    /// Advances thread `tid`'s own entry of its clock: a new event of it.
    pub(crate) fn tick(&mut self, tid: Tid) {
        let clock = &mut self.threads[tid].clock;
        if clock.len() <= tid {
            clock.resize(tid + 1, 0);
        }
        clock[tid] += 1;
    }

    /// A new thread `child` starts knowing what its parent knew.
    pub(crate) fn start_clock(&mut self, parent: Tid, child: Tid) {
        if let Some(trace) = self.trace.as_mut() {
            trace.spawn(parent, child);
        }
        self.tick(parent);
        let parents = &self.threads[parent].clock;
        let mut clock = Vec::with_capacity(parents.len().max(child + 1));
        clock.extend_from_slice(parents);
        self.threads[child].clock = clock;
        self.tick(child);
    }

    /// Thread `tid` learns what thread `other` knew (it joined it).
    pub(crate) fn learn_from_thread(&mut self, tid: Tid, other: Tid) {
        if let Some(trace) = self.trace.as_mut() {
            trace.join(tid, other);
        }
        let theirs = std::mem::take(&mut self.threads[other].clock);
        join_into(&mut self.threads[tid].clock, &theirs);
        self.threads[other].clock = theirs;
    }

    /// Thread `tid` makes what it knows known through object `obj` (a send, a notify...).
    pub(crate) fn publish(&mut self, tid: Tid, obj: ObjId) {
        if let Some(trace) = self.trace.as_mut() {
            trace.publish(tid, obj);
        }
        self.tick(tid);
        join_into(&mut self.objects[obj].clock, &self.threads[tid].clock);
    }

    /// Thread `tid` learns what was made known through object `obj` (a receive, a wake-up...).
    pub(crate) fn observe(&mut self, tid: Tid, obj: ObjId) {
        if let Some(trace) = self.trace.as_mut() {
            trace.observe(tid, obj);
        }
        join_into(&mut self.threads[tid].clock, &self.objects[obj].clock);
    }

    /// Thread `tid` is about to take lock `lock` at `at`: record the order against every lock it
    /// holds (the lock-order graph, as Linux's lockdep keeps it).
    pub(crate) fn lock_attempt(&mut self, tid: Tid, lock: ObjId, at: Loc) {
        if let Some(trace) = self.trace.as_mut() {
            trace.touch(tid, lock);
        }
        self.tick(tid);
        if self.threads[tid].held.is_empty() {
            // No order to record: the usual case.
            return;
        }
        let clock = self.threads[tid].clock.clone();
        let held = self.threads[tid].held.clone();
        for (i, &(first, first_at)) in held.iter().enumerate() {
            if first == lock {
                continue;
            }
            let known = self
                .lock_edges
                .iter()
                .any(|e| e.first == first && e.then == lock && e.thread == tid);
            if !known {
                let also_held = held
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, h)| h.0)
                    .collect();
                self.lock_edges.push(LockEdge {
                    first,
                    first_at,
                    then: lock,
                    then_at: at,
                    thread: tid,
                    also_held,
                    clock: clock.clone(),
                });
            }
        }
    }

    /// Thread `tid` took lock `lock`.
    pub(crate) fn lock_taken(&mut self, tid: Tid, lock: ObjId, at: Loc) {
        self.threads[tid].held.push((lock, at));
    }

    /// Thread `tid` released (one hold of) lock `lock`.
    pub(crate) fn lock_released(&mut self, tid: Tid, lock: ObjId) {
        let t = &mut self.threads[tid];
        if let Some(i) = t.held.iter().rposition(|h| h.0 == lock) {
            t.held.remove(i);
        }
        if t.condvar_wake.is_some_and(|w| w.2 == lock) {
            t.condvar_wake = None;
        }
    }

    /// The deadline of thread `tid`'s timed wait, if it is blocked in one.
    pub(crate) fn deadline_of(&self, tid: Tid) -> Option<std::time::Duration> {
        match &self.threads[tid].status {
            Status::Blocked(w) if w.timed => Some(w.deadline),
            _ => None,
        }
    }

    /// The earliest deadline of the threads blocked in a timed wait, and those threads (all
    /// whose deadline it is): letting time pass wakes them.
    pub(crate) fn earliest_timed(&self) -> Option<(std::time::Duration, Vec<Tid>)> {
        let earliest = (0..self.threads.len())
            .filter_map(|t| self.deadline_of(t))
            .min()?;
        let due = (0..self.threads.len())
            .filter(|&t| self.deadline_of(t) == Some(earliest))
            .collect();
        Some((earliest, due))
    }

    /// Whether any thread can still run (the body waiting for the others after it returned does
    /// not count: it runs again when none of them can).
    pub(crate) fn any_runnable(&self) -> bool {
        let skip = usize::from(self.quiescing);
        self.threads.iter().skip(skip).any(ThreadRec::is_runnable)
    }

    /// The thread that `tid` waits for, if it waits for one thread in particular: the holder of
    /// the lock it wants, the thread it joins, the partner of its channel operations (see
    /// [`Model::waits_for`](super::object::Model::waits_for)).
    pub(crate) fn waits_for(&self, tid: Tid) -> Option<Tid> {
        let Status::Blocked(wait) = &self.threads[tid].status else {
            return None;
        };
        match wait.on {
            WaitOn::Thread(t) => Some(t),
            WaitOn::Park | WaitOn::Sleep | WaitOn::Wake => None,
            WaitOn::Object(obj) => self.objects[obj].state.model().waits_for(tid, self),
            WaitOn::Select => super::channel::partner(self, tid),
        }
    }
}
