//! The per-execution registry: which threads and objects exist, who holds what, who is blocked on
//! what and where. It stores state and answers questions about it; it judges nothing (that is
//! `detect`) and renders nothing (that is `report`).

use std::fmt;
use std::panic::Location;

use backtrace::Backtrace;

/// A thread's index in the execution; 0 is the test body.
pub(crate) type Tid = usize;

/// An object's index in the registry.
pub(crate) type ObjId = usize;

/// A source location, as `#[track_caller]` gives it.
pub(crate) type Loc = &'static Location<'static>;

/// The kinds of objects the registry tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ObjKind {
    Mutex,
    Channel,
    Condvar,
    RwLock,
    Barrier,
    Once,
    Token,
}

impl ObjKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ObjKind::Mutex => "mutex",
            ObjKind::Channel => "channel",
            ObjKind::Condvar => "condvar",
            ObjKind::RwLock => "rwlock",
            ObjKind::Barrier => "barrier",
            ObjKind::Once => "once",
            ObjKind::Token => "token",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

const KINDS: usize = 7;

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

/// The state of an object, by kind.
#[derive(Debug)]
pub(crate) enum ObjState {
    Mutex(MutexState),
    Channel(ChannelState),
    Condvar(CondvarState),
    RwLock(RwLockState),
    Barrier(BarrierState),
    Once(OnceState),
    Token(TokenState),
}

/// One `notify_one` or `notify_all`, as the missed-signal detector needs it.
#[derive(Debug)]
pub(crate) struct Notify {
    pub at: Loc,
    pub by: Tid,
    pub all: bool,
    /// The threads waiting when it came (none: the notify was lost).
    pub waiting: Vec<Tid>,
    /// The thread `notify_one` woke.
    pub woke: Option<Tid>,
    /// The woken thread waited again on the same condvar (its wake-up was misdirected).
    pub rewaited: bool,
}

/// A condition variable: who waits, and every notify.
#[derive(Debug, Default)]
pub(crate) struct CondvarState {
    pub waiters: Vec<Tid>,
    pub notifies: Vec<Notify>,
    /// Per thread: wake-ups (by a notify) that ended in another wait on this condvar.
    pub rewaits: Vec<(Tid, usize)>,
    /// Per thread: the notify that woke it last, until it waits again or gives up.
    pub woken_by: Vec<(Tid, usize)>,
    /// Per thread: where its current (last) wait began, as an index into `notifies`, and the
    /// mutex it waits with, and how many critical sections that mutex had then.
    pub wait_began: Vec<(Tid, usize, ObjId, usize)>,
}

impl CondvarState {
    pub(crate) fn rewaits_of(&self, tid: Tid) -> usize {
        self.rewaits.iter().find(|r| r.0 == tid).map_or(0, |r| r.1)
    }
}

/// A reader-writer lock: who holds it (readers or one writer), and who waits.
#[derive(Debug, Default)]
pub(crate) struct RwLockState {
    pub readers: Vec<(Tid, Loc)>,
    pub writer: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
    /// Writers waiting now (a new reader may or may not queue behind them).
    pub waiting_writers: usize,
    /// The writers waiting now, in the order they began to wait (`waiting_writers` of them).
    pub queued_writers: Vec<Tid>,
    /// The readers waiting now only because they queued behind waiting writers (the scheduler
    /// chose "a waiting writer blocks new readers" and no writer held the lock).
    pub queued_readers: Vec<Tid>,
}

/// A barrier: how many must arrive, who has, and which round.
#[derive(Debug, Default)]
pub(crate) struct BarrierState {
    pub count: usize,
    pub arrived: Vec<Tid>,
    pub generation: usize,
}

/// A `Once`: whether it ran, who runs it, who waits.
#[derive(Debug, Default)]
pub(crate) struct OnceState {
    pub running: Option<Tid>,
    pub done: bool,
    pub poisoned: bool,
    pub waiters: Vec<Tid>,
}

/// A cancellation token: whether and where it was cancelled, and which threads use it.
#[derive(Debug, Default)]
pub(crate) struct TokenState {
    pub cancelled: Option<(Tid, Loc)>,
    /// Threads that called `is_cancelled` or `done` on it (or on a clone).
    pub users: Vec<Tid>,
    /// The channel its `done()` receivers belong to.
    pub done: Option<ObjId>,
    pub parent: Option<ObjId>,
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

/// A mutex: who holds it, since where, and who waits for it.
#[derive(Debug, Default)]
pub(crate) struct MutexState {
    pub holder: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
    /// Every critical section so far: who, and where it locked (the state it guards may have
    /// changed there). Sections entered by waking from a condvar wait are not counted.
    pub sections: Vec<(Tid, Loc)>,
    /// The holder took it back after a condvar wait.
    pub holder_waited: bool,
}

/// Which way an operation on a channel goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Send,
    Recv,
}

/// One end of a channel (a `Sender` or a `Receiver`): where it was made, who used it last.
#[derive(Debug)]
pub(crate) struct EndRec {
    pub created_at: Loc,
    pub cloned: bool,
    pub created_by: Tid,
    pub last_user: Tid,
    /// Where it was used last.
    pub last_at: Option<Loc>,
    pub alive: bool,
}

/// A channel: its kind and capacity, its live ends, its messages, and who waits on it.
#[derive(Debug)]
pub(crate) struct ChannelState {
    /// The constructor, as reports name it: `channel::bounded`, `mpsc::sync_channel`, ...
    pub constructor: &'static str,
    /// `None` for unbounded; `Some(0)` for a rendezvous.
    pub capacity: Option<usize>,
    /// Messages in the buffer.
    pub len: usize,
    pub senders: Vec<EndRec>,
    pub receivers: Vec<EndRec>,
    /// Threads blocked with an operation on this channel, and the arm of their selection.
    pub waiters: Vec<(Tid, usize, Dir)>,
    /// A timer channel (`after`, `tick`): ready when the scheduler says time has passed.
    pub timer: bool,
    /// Whether dropping the last receiver discards the buffered messages (std's mpsc and
    /// crossbeam's unbounded flavor do; crossbeam's bounded flavor keeps them until the
    /// channel itself is freed).
    pub discard_on_disconnect: bool,
}

impl ChannelState {
    pub(crate) fn new(constructor: &'static str, capacity: Option<usize>) -> Self {
        ChannelState {
            constructor,
            capacity,
            len: 0,
            senders: Vec::new(),
            receivers: Vec::new(),
            waiters: Vec::new(),
            timer: false,
            discard_on_disconnect: true,
        }
    }

    pub(crate) fn live_senders(&self) -> usize {
        self.senders.iter().filter(|e| e.alive).count()
    }

    pub(crate) fn live_receivers(&self) -> usize {
        self.receivers.iter().filter(|e| e.alive).count()
    }

    /// Whether a thread waits to receive and has not been served yet.
    pub(crate) fn recv_waiters(&self) -> impl Iterator<Item = (Tid, usize)> + '_ {
        self.waiters
            .iter()
            .filter(|w| w.2 == Dir::Recv)
            .map(|w| (w.0, w.1))
    }
}

/// A thread's pending selection: the channels of its arms, and the arm a partner completed.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    pub arms: Vec<(ObjId, Dir)>,
    pub chosen: Option<usize>,
}

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitOn {
    /// An object (a mutex, a channel, ...).
    Object(ObjId),
    /// Another thread's end, in `join`.
    Thread(Tid),
    /// An `unpark`, in `park`.
    Park,
    /// Any of the operations of its selection (one arm for a plain send or receive).
    Select,
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

/// A panic, as the panic hook saw it.
#[derive(Debug, Clone)]
pub(crate) struct PanicRec {
    pub message: String,
    pub at: Option<(String, u32, u32)>,
    pub stack: Option<Backtrace>,
    /// Its place among the execution's panics, in the order they happened.
    pub seq: usize,
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
            held: Vec::new(),
            spurious_streak: 0,
            condvar_wake: None,
            clock: Vec::new(),
        }
    }

    pub(crate) fn is_runnable(&self) -> bool {
        matches!(self.status, Status::Runnable)
    }

    pub(crate) fn is_finished(&self) -> bool {
        matches!(self.status, Status::Finished)
    }
}

/// The registry of one execution.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub threads: Vec<ThreadRec>,
    pub objects: Vec<Object>,
    counts: [usize; KINDS],
    /// The test body has returned (or unwound).
    pub body_returned: bool,
    /// Whether stacks are captured (only when a failing schedule is replayed for its report).
    pub capture: bool,
    /// Every pair of locks taken in some order, once per order and thread.
    pub lock_edges: Vec<LockEdge>,
    /// Panics so far (the panic hook numbers them).
    pub panics: usize,
}

impl Registry {
    pub(crate) fn new(capture: bool) -> Self {
        Registry {
            capture,
            ..Default::default()
        }
    }

    pub(crate) fn stack(&self) -> Option<Backtrace> {
        self.capture.then(Backtrace::new_unresolved)
    }

    pub(crate) fn add_thread(&mut self, tid: Tid, rec: ThreadRec) {
        if self.threads.len() <= tid {
            self.threads
                .resize_with(tid + 1, || ThreadRec::new(None, None));
        }
        self.threads[tid] = rec;
    }

    pub(crate) fn add_object(&mut self, kind: ObjKind, at: Loc, state: ObjState) -> ObjId {
        let counter = &mut self.counts[kind.index()];
        *counter += 1;
        let name = ObjName {
            kind,
            ordinal: *counter,
        };
        self.objects.push(Object {
            name,
            created_at: at,
            state,
            clock: Vec::new(),
        });
        self.objects.len() - 1
    }

    pub(crate) fn mutex(&mut self, id: ObjId) -> &mut MutexState {
        match &mut self.objects[id].state {
            ObjState::Mutex(m) => m,
            _ => unreachable!("object {id} is not a mutex"),
        }
    }

    pub(crate) fn channel(&mut self, id: ObjId) -> &mut ChannelState {
        match &mut self.objects[id].state {
            ObjState::Channel(c) => c,
            _ => unreachable!("object {id} is not a channel"),
        }
    }

    pub(crate) fn condvar(&mut self, id: ObjId) -> &mut CondvarState {
        match &mut self.objects[id].state {
            ObjState::Condvar(c) => c,
            _ => unreachable!("object {id} is not a condvar"),
        }
    }

    pub(crate) fn rwlock(&mut self, id: ObjId) -> &mut RwLockState {
        match &mut self.objects[id].state {
            ObjState::RwLock(l) => l,
            _ => unreachable!("object {id} is not an rwlock"),
        }
    }

    pub(crate) fn barrier(&mut self, id: ObjId) -> &mut BarrierState {
        match &mut self.objects[id].state {
            ObjState::Barrier(b) => b,
            _ => unreachable!("object {id} is not a barrier"),
        }
    }

    pub(crate) fn once(&mut self, id: ObjId) -> &mut OnceState {
        match &mut self.objects[id].state {
            ObjState::Once(o) => o,
            _ => unreachable!("object {id} is not a once"),
        }
    }

    pub(crate) fn token(&mut self, id: ObjId) -> &mut TokenState {
        match &mut self.objects[id].state {
            ObjState::Token(t) => t,
            _ => unreachable!("object {id} is not a token"),
        }
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
        self.tick(parent);
        self.threads[child].clock = self.threads[parent].clock.clone();
        self.tick(child);
    }

    /// Thread `tid` learns what thread `other` knew (it joined it).
    pub(crate) fn learn_from_thread(&mut self, tid: Tid, other: Tid) {
        let theirs = self.threads[other].clock.clone();
        join_into(&mut self.threads[tid].clock, &theirs);
    }

    /// Thread `tid` makes what it knows known through object `obj` (a send, a notify...).
    pub(crate) fn publish(&mut self, tid: Tid, obj: ObjId) {
        self.tick(tid);
        join_into(&mut self.objects[obj].clock, &self.threads[tid].clock);
    }

    /// Thread `tid` learns what was made known through object `obj` (a receive, a wake-up...).
    pub(crate) fn observe(&mut self, tid: Tid, obj: ObjId) {
        join_into(&mut self.threads[tid].clock, &self.objects[obj].clock);
    }

    /// Thread `tid` is about to take lock `lock` at `at`: record the order against every lock it
    /// holds (the lock-order graph, as Linux's lockdep keeps it).
    pub(crate) fn lock_attempt(&mut self, tid: Tid, lock: ObjId, at: Loc) {
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

    /// The threads blocked in a timed wait, which letting time pass would wake.
    pub(crate) fn timed_waiters(&self) -> Vec<Tid> {
        (0..self.threads.len())
            .filter(|&t| matches!(&self.threads[t].status, Status::Blocked(w) if w.timed))
            .collect()
    }

    /// Whether any thread can still run.
    pub(crate) fn any_runnable(&self) -> bool {
        self.threads.iter().any(ThreadRec::is_runnable)
    }

    /// The thread that `tid` waits for, if it waits for one thread in particular: the holder of
    /// the mutex it wants, or the thread it joins.
    ///
    /// For a channel operation (or a selection of several), that is the one thread that last
    /// used every live end on the other side of all its operations: the thread that would have
    /// to send (or receive) for it to go on. If those ends were used by several threads, or by
    /// none, it waits for no thread in particular.
    pub(crate) fn waits_for(&self, tid: Tid) -> Option<Tid> {
        let Status::Blocked(wait) = &self.threads[tid].status else {
            return None;
        };
        match wait.on {
            WaitOn::Thread(t) => Some(t),
            WaitOn::Park => None,
            WaitOn::Object(obj) => match &self.objects[obj].state {
                ObjState::Mutex(m) => m.holder.map(|(t, _)| t),
                ObjState::RwLock(l) => match (l.writer, l.readers.as_slice()) {
                    (Some((t, _)), _) => Some(t),
                    // A reader queued behind waiting writers waits for them.
                    _ if l.queued_readers.contains(&tid) => match l.queued_writers.as_slice() {
                        [w] => Some(*w),
                        _ => None,
                    },
                    (None, [(t, _)]) => Some(*t),
                    _ => None,
                },
                ObjState::Once(o) => o.running,
                ObjState::Channel(_) => self.channel_partner(tid),
                ObjState::Condvar(_) | ObjState::Barrier(_) | ObjState::Token(_) => None,
            },
            WaitOn::Select => self.channel_partner(tid),
        }
    }

    /// For a thread blocked in channel operations: the one thread that last used every live end
    /// on the other side of all of them, if there is one.
    fn channel_partner(&self, tid: Tid) -> Option<Tid> {
        let arms = &self.threads[tid].selection.as_ref()?.arms;
        let mut partner = None;
        for &(id, dir) in arms {
            let ObjState::Channel(c) = &self.objects[id].state else {
                return None;
            };
            let ends = match dir {
                Dir::Send => &c.receivers,
                Dir::Recv => &c.senders,
            };
            for e in ends.iter().filter(|e| e.alive) {
                match partner {
                    None => partner = Some(e.last_user),
                    Some(p) if p == e.last_user => {}
                    Some(_) => return None,
                }
            }
        }
        partner.filter(|&p| p != tid)
    }
}
