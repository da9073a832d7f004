//! The bookkeeping of a channel that the detectors read: its flavor and capacity, its live ends,
//! its buffered count, who waits on it. The typed messages and the operations of every flavor
//! live in `crate::channel::core`, the one core all channel facades share.

use super::object::{Model, State};
use super::{Loc, ObjId, Registry, Tid};

/// Which way an operation on a channel goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Send,
    Recv,
}

/// What a channel is for, beyond its capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// A channel the program made to pass messages (`channel::bounded`, `mpsc::channel`, ...).
    Messages,
    /// A timer (`channel::after`, `channel::at`, `channel::tick`): ready once the modelled clock
    /// reaches its deadline.
    Timer,
    /// `channel::never`: never ready; a wait on it alone ends only by a timeout.
    Never,
    /// A cancellation token's `done()` signal: disconnected when the token is cancelled. Not a
    /// channel the user opened: a thread waiting on it forever is reported as unresponsive or
    /// leaked, not as an unclosed channel.
    TokenDone,
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
    /// What kind of channel it is.
    pub flavor: Flavor,
    /// Whether dropping the last receiver discards the buffered messages (std's mpsc and
    /// crossbeam's unbounded flavor do; crossbeam's bounded flavor keeps them until the
    /// channel itself is freed).
    pub discard_on_disconnect: bool,
    /// How many of `senders` and of `receivers` are alive (kept by [`ChannelState::add_end`]
    /// and [`ChannelState::end_dropped`]): a channel with a thousand senders answers "any
    /// left?" without counting them at every operation.
    live: [usize; 2],
}

impl ChannelState {
    pub(crate) fn new(constructor: &'static str, capacity: Option<usize>, flavor: Flavor) -> Self {
        ChannelState {
            constructor,
            capacity,
            len: 0,
            senders: Vec::new(),
            receivers: Vec::new(),
            waiters: Vec::new(),
            flavor,
            discard_on_disconnect: true,
            live: [0, 0],
        }
    }

    /// Adds a live end; returns its number among the ends of its direction.
    pub(crate) fn add_end(&mut self, dir: Dir, end: EndRec) -> usize {
        debug_assert!(end.alive);
        self.live[dir as usize] += 1;
        let ends = match dir {
            Dir::Send => &mut self.senders,
            Dir::Recv => &mut self.receivers,
        };
        ends.push(end);
        ends.len() - 1
    }

    /// End number `end` of direction `dir` is dropped; returns whether it was the last live one.
    pub(crate) fn end_dropped(&mut self, dir: Dir, end: usize) -> bool {
        let ends = match dir {
            Dir::Send => &mut self.senders,
            Dir::Recv => &mut self.receivers,
        };
        if std::mem::replace(&mut ends[end].alive, false) {
            self.live[dir as usize] -= 1;
        }
        self.live[dir as usize] == 0
    }

    pub(crate) fn live_senders(&self) -> usize {
        debug_assert_eq!(
            self.live[Dir::Send as usize],
            self.senders.iter().filter(|e| e.alive).count()
        );
        self.live[Dir::Send as usize]
    }

    pub(crate) fn live_receivers(&self) -> usize {
        debug_assert_eq!(
            self.live[Dir::Recv as usize],
            self.receivers.iter().filter(|e| e.alive).count()
        );
        self.live[Dir::Recv as usize]
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
    /// A `Select::ready`: it watches its arms and performs none, so no partner completes it.
    pub observe: bool,
    /// The arms (a bit each) that wait without offering themselves as a partner: a `Select`
    /// send (its message comes after the selection) or a watching arm. A partner arriving on a
    /// rendezvous wakes them to try again.
    pub passive: u64,
}

impl Model for ChannelState {
    fn waits_for(&self, tid: Tid, reg: &Registry) -> Option<Tid> {
        partner(reg, tid)
    }
}

/// For a thread blocked in channel operations (a selection of one arm or several): the one
/// thread that last used every live end on the other side of all of them, the thread that would
/// have to send (or receive) for it to go on. If those ends were used by several threads, or by
/// none, it waits for no thread in particular.
pub(crate) fn partner(reg: &Registry, tid: Tid) -> Option<Tid> {
    let arms = &reg.threads[tid].selection.as_ref()?.arms;
    let mut partner = None;
    for &(id, dir) in arms {
        let c = ChannelState::of(&reg.objects[id].state)?;
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
