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
}

impl ObjKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ObjKind::Mutex => "mutex",
            ObjKind::Channel => "channel",
        }
    }

    fn index(self) -> usize {
        match self {
            ObjKind::Mutex => 0,
            ObjKind::Channel => 1,
        }
    }
}

const KINDS: usize = 2;

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
}

/// The state of an object, by kind.
#[derive(Debug)]
pub(crate) enum ObjState {
    Mutex(MutexState),
    Channel(ChannelState),
}

/// A mutex: who holds it, since where, and who waits for it.
#[derive(Debug, Default)]
pub(crate) struct MutexState {
    pub holder: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
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
pub(crate) enum Handle {
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
    pub handle: Handle,
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
}

impl ThreadRec {
    pub(crate) fn new(name: Option<String>, spawned_at: Option<Loc>) -> Self {
        ThreadRec {
            name,
            spawned_at,
            spawn_stack: None,
            status: Status::Runnable,
            last_op: None,
            handle: Handle::Held,
            finished_after_body: false,
            panic: None,
            panic_observed: false,
            join_waiters: Vec::new(),
            unpark_token: false,
            scoped: false,
            selection: None,
            timed_out: false,
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
            WaitOn::Object(obj) if matches!(self.objects[obj].state, ObjState::Mutex(_)) => match &self.objects[obj].state {
                ObjState::Mutex(m) => m.holder.map(|(t, _)| t),
                ObjState::Channel(_) => None,
            },
            WaitOn::Object(_) | WaitOn::Select => {
                let arms = &self.threads[tid].selection.as_ref()?.arms;
                let mut partner = None;
                for &(id, dir) in arms {
                    let ObjState::Channel(c) = &self.objects[id].state else { return None };
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
    }
}
