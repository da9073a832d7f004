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
}

impl ObjKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ObjKind::Mutex => "mutex",
        }
    }

    fn index(self) -> usize {
        match self {
            ObjKind::Mutex => 0,
        }
    }
}

const KINDS: usize = 1;

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
}

/// A mutex: who holds it, since where, and who waits for it.
#[derive(Debug, Default)]
pub(crate) struct MutexState {
    pub holder: Option<(Tid, Loc)>,
    pub waiters: Vec<Tid>,
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
}

/// Where and how a thread is blocked.
#[derive(Debug)]
pub(crate) struct Wait {
    pub op: &'static str,
    pub on: WaitOn,
    pub at: Loc,
    pub stack: Option<Backtrace>,
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
        }
    }

    /// Whether any thread can still run.
    pub(crate) fn any_runnable(&self) -> bool {
        self.threads.iter().any(ThreadRec::is_runnable)
    }

    /// The thread that `tid` waits for, if it waits for one thread in particular: the holder of
    /// the mutex it wants, or the thread it joins.
    pub(crate) fn waits_for(&self, tid: Tid) -> Option<Tid> {
        let Status::Blocked(wait) = &self.threads[tid].status else {
            return None;
        };
        match wait.on {
            WaitOn::Thread(t) => Some(t),
            WaitOn::Park => None,
            WaitOn::Object(obj) => match &self.objects[obj].state {
                ObjState::Mutex(m) => m.holder.map(|(t, _)| t),
            },
        }
    }
}
