//! The one channel core that every flavor (bounded, rendezvous, unbounded, std mpsc, timers)
//! shares, and the one selection mechanism every blocking send and receive goes through: a plain
//! `recv` is a selection of one arm, so the detectors see one kind of wait.
//!
//! The registry keeps the untyped bookkeeping (ends, waiters, counts); the typed messages live
//! here, in [`Chan`]. A rendezvous hands a message from one thread straight to another: a
//! blocked sender *offers* its message, a blocked receiver has messages *delivered* to it, and
//! the partner completes the blocked thread's selection, as crossbeam's zero-capacity flavor does.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdGuard};
use std::time::{Duration, Instant};

use crate::runtime::clock::{self, Limit};

use crate::runtime::channel::{ChannelState, Dir, EndRec, Flavor, Selection};
use crate::runtime::{Exec, Handle, Loc, ObjId, ObjState, Registry, Tid, WaitOn};

/// What a timer channel does when its deadline passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// `after`, `at`: one message, then nothing.
    Once,
    /// `tick`: a message every period.
    Repeat(Duration),
}

/// What a timer channel sends when its deadline passes, from the instant it was due (as
/// crossbeam's timers send their delivery time).
pub(crate) type TimerMessage<T> = Box<dyn Fn(Instant) -> T + Send + Sync>;

/// A timer channel: what it is, what it sends, and its first deadline.
pub(crate) struct Timer<T> {
    pub kind: TimerKind,
    pub message: TimerMessage<T>,
    pub first: Limit,
}

/// The typed part of a model channel.
pub(crate) struct Chan<T> {
    pub handle: Handle,
    data: StdMutex<Data<T>>,
    /// For a timer channel: what it is, and the message it makes when its deadline passes.
    pub timer: Option<(TimerKind, TimerMessage<T>)>,
    pub never: bool,
}

impl<T> std::fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chan")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

struct Data<T> {
    queue: VecDeque<T>,
    /// Messages of blocked senders on a rendezvous: (sender, its arm, message).
    offers: Vec<(Tid, usize, T)>,
    /// Messages handed to blocked receivers on a rendezvous.
    delivered: Vec<(Tid, T)>,
    /// A once-timer has fired.
    spent: bool,
    /// A timer's next deadline, in modelled time: its message is ready once the clock is there.
    next: Duration,
    /// The instant a timer's next message carries (`at`'s own deadline, as given).
    deliver: Instant,
    /// Slots of a bounded channel that `Select` reserved for a send it selected and has not
    /// completed yet.
    reserved: usize,
    /// Messages `Select` received for a thread, until its `SelectedOperation::recv` takes them.
    picked: Vec<(Tid, T)>,
}

impl<T> Chan<T> {
    fn data(&self) -> StdGuard<'_, Data<T>> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn id(&self) -> ObjId {
        self.handle.id
    }
}

/// One end of a model channel, as a facade `Sender` or `Receiver` holds it: the channel, and
/// the end's number among its senders (or receivers).
pub(crate) struct End<T> {
    pub chan: Arc<Chan<T>>,
    pub end: usize,
}

/// Creates a model channel with one sender end and one receiver end (both made at `at`);
/// returns the channel and the two ends' numbers.
pub(crate) fn new_chan<T>(
    exec: &Exec,
    constructor: &'static str,
    capacity: Option<usize>,
    flavor: Flavor,
    timer: Option<Timer<T>>,
    at: Loc,
) -> Arc<Chan<T>> {
    let me = exec.me();
    let never = flavor == Flavor::Never;
    let mut state = ChannelState::new(constructor, capacity, flavor);
    let end = |cloned| EndRec {
        created_at: at,
        cloned,
        created_by: me,
        last_user: me,
        last_at: None,
        alive: true,
    };
    if timer.is_none() && !never {
        state.add_end(Dir::Send, end(false));
    }
    state.add_end(Dir::Recv, end(false));
    let handle = exec.new_object(at, state);
    let next = timer
        .as_ref()
        .map_or(Duration::ZERO, |t| exec.deadline(t.first));
    let deliver = match timer.as_ref().map(|t| t.first) {
        Some(Limit::Until(when)) => when,
        _ => clock::instant(next),
    };
    Arc::new(Chan {
        handle,
        data: StdMutex::new(Data {
            queue: VecDeque::new(),
            offers: Vec::new(),
            delivered: Vec::new(),
            spent: false,
            next,
            deliver,
            reserved: 0,
            picked: Vec::new(),
        }),
        timer: timer.map(|t| (t.kind, t.message)),
        never,
    })
}

/// Registers a new end (a clone) of channel `id`; returns its number.
pub(crate) fn clone_end(exec: &Exec, id: ObjId, dir: Dir, at: Loc) -> usize {
    let me = exec.me();
    let mut reg = exec.reg();
    reg.channel(id).add_end(
        dir,
        EndRec {
            created_at: at,
            cloned: true,
            created_by: me,
            last_user: me,
            last_at: None,
            alive: true,
        },
    )
}

/// An end is dropped. The last sender disconnects the receivers; the last receiver discards the
/// buffered messages (as dropping a receiver does) and disconnects the senders.
pub(crate) fn drop_end<T>(chan: &Chan<T>, end: usize, dir: Dir) {
    let Some(exec) = chan.handle.live() else {
        return;
    };
    let discarded = {
        let Ok(mut reg) = exec.reg.try_borrow_mut() else {
            return;
        };
        let c = reg.channel(chan.id());
        let last = c.end_dropped(dir, end);
        if !last {
            return;
        }
        let discarded = if dir == Dir::Recv && c.discard_on_disconnect {
            c.len = 0;
            std::mem::take(&mut chan.data().queue)
        } else {
            VecDeque::new()
        };
        let waiters: Vec<Tid> = c.waiters.iter().map(|w| w.0).collect();
        for w in waiters {
            exec.wake(&mut reg, w);
        }
        discarded
    };
    // The messages' destructors run outside the registry: they may use the facade.
    drop(discarded);
}

/// The number of buffered messages.
pub(crate) fn len<T>(chan: &Chan<T>) -> usize {
    chan.data().queue.len()
}

/// Whether `tid` waits in a selection that a partner may complete (not yet completed, and not
/// a `Select::ready` that only watches).
fn waiting(reg: &Registry, tid: Tid) -> bool {
    reg.threads[tid]
        .selection
        .as_ref()
        .is_some_and(|s| s.chosen.is_none() && !s.observe)
}

fn note_user(reg: &mut Registry, id: ObjId, dir: Dir, end: usize, me: Tid) {
    // The operation's location: every operation notes it at its scheduling point.
    let last_op = reg.threads[me].last_op.map(|(_, at)| at);
    let c = reg.channel(id);
    let ends = match dir {
        Dir::Send => &mut c.senders,
        Dir::Recv => &mut c.receivers,
    };
    if let Some(e) = ends.get_mut(end) {
        e.last_user = me;
        e.last_at = last_op;
    }
}

/// One arm of a selection, on a model channel.
pub(crate) trait Arm {
    /// The channel, and which way.
    fn target(&self) -> (ObjId, Dir);
    /// For a timer channel that has a message to come: its deadline, in modelled time.
    fn timer(&self) -> Option<Duration>;
    /// Whether the operation can complete now (with a message, or with an error).
    fn ready(&self, reg: &Registry, me: Tid) -> bool;
    /// Completes the operation; the arm is ready.
    fn complete(&mut self, exec: &Exec, reg: &mut Registry, me: Tid);
    /// Waits on the channel as arm `arm` of the selection.
    fn register(&mut self, reg: &mut Registry, me: Tid, arm: usize);
    /// Stops waiting (takes back an offered message).
    fn unregister(&mut self, reg: &mut Registry, me: Tid, arm: usize);
    /// A partner completed this arm while the thread was blocked.
    fn completed_by_partner(&mut self, me: Tid);
    /// Whether the arm waits without being a partner a thread on the other side can complete
    /// (a `Select` send, which has no message to offer, or a `Select::ready` that only watches).
    fn passive(&self) -> bool {
        false
    }
}

/// A receive on a model channel.
pub(crate) struct RecvArm<'a, T> {
    pub chan: &'a Chan<T>,
    pub end: usize,
    pub result: Option<Result<T, ()>>,
}

impl<T> Arm for RecvArm<'_, T> {
    fn target(&self) -> (ObjId, Dir) {
        (self.chan.id(), Dir::Recv)
    }

    fn timer(&self) -> Option<Duration> {
        let data = self.chan.data();
        (self.chan.timer.is_some() && !data.spent).then_some(data.next)
    }

    fn ready(&self, reg: &Registry, me: Tid) -> bool {
        if self.chan.timer.is_some() {
            // Its deadline has come.
            return self.timer().is_some_and(|next| next <= reg.clock.now);
        }
        if self.chan.never {
            return false;
        }
        let data = self.chan.data();
        !data.queue.is_empty()
            || data
                .offers
                .iter()
                .any(|(t, _, _)| *t != me && waiting(reg, *t))
            || match &reg.objects[self.chan.id()].state {
                ObjState::Channel(c) => c.live_senders() == 0,
                _ => false,
            }
    }

    fn complete(&mut self, exec: &Exec, reg: &mut Registry, me: Tid) {
        let id = self.chan.id();
        note_user(reg, id, Dir::Recv, self.end, me);
        if let Some((kind, make)) = &self.chan.timer {
            // A due timer: its message, and its next deadline.
            let mut data = self.chan.data();
            let message = make(data.deliver);
            match *kind {
                TimerKind::Once => data.spent = true,
                TimerKind::Repeat(period) => {
                    // As crossbeam's `tick`: the next tick is a period after this one, or
                    // after now if the receiver came late (missed ticks are not queued).
                    data.next = data.next.max(reg.clock.now).saturating_add(period);
                    data.deliver = clock::instant(data.next);
                }
            }
            drop(data);
            self.result = Some(Ok(message));
            return;
        }
        let mut data = self.chan.data();
        if let Some(v) = data.queue.pop_front() {
            drop(data);
            let c = reg.channel(id);
            c.len -= 1;
            // Room for one more message: one blocked sender tries again.
            wake_one(exec, reg, id, Dir::Send);
            self.result = Some(Ok(v));
            return;
        }
        let offer = data
            .offers
            .iter()
            .position(|(t, _, _)| *t != me && waiting(reg, *t));
        if let Some(i) = offer {
            let (sender, arm, v) = data.offers.remove(i);
            drop(data);
            if let Some(sel) = reg.threads[sender].selection.as_mut() {
                sel.chosen = Some(arm);
            }
            exec.wake(reg, sender);
            self.result = Some(Ok(v));
            return;
        }
        self.result = Some(Err(()));
    }

    fn register(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        note_user(reg, self.chan.id(), Dir::Recv, self.end, me);
        reg.channel(self.chan.id())
            .waiters
            .push((me, arm, Dir::Recv));
    }

    fn unregister(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        reg.channel(self.chan.id())
            .waiters
            .retain(|w| !(w.0 == me && w.1 == arm && w.2 == Dir::Recv));
    }

    fn completed_by_partner(&mut self, me: Tid) {
        let mut data = self.chan.data();
        if let Some(i) = data.delivered.iter().position(|(t, _)| *t == me) {
            self.result = Some(Ok(data.delivered.remove(i).1));
        }
    }
}

/// A send on a model channel.
pub(crate) struct SendArm<'a, T> {
    pub chan: &'a Chan<T>,
    pub end: usize,
    pub value: Option<T>,
    /// `Err` holds the message back when the channel is disconnected.
    pub result: Option<Result<(), T>>,
}

impl<T> Arm for SendArm<'_, T> {
    fn target(&self) -> (ObjId, Dir) {
        (self.chan.id(), Dir::Send)
    }

    fn timer(&self) -> Option<Duration> {
        None
    }

    fn ready(&self, reg: &Registry, me: Tid) -> bool {
        send_ready(self.chan, reg, me)
    }

    fn complete(&mut self, exec: &Exec, reg: &mut Registry, me: Tid) {
        let id = self.chan.id();
        note_user(reg, id, Dir::Send, self.end, me);
        let v = self.value.take().expect("a send arm completes once");
        let c = reg.channel(id);
        if c.live_receivers() == 0 {
            self.result = Some(Err(v));
            return;
        }
        if c.capacity == Some(0) {
            let (r, arm) = {
                let reg = &*reg;
                let ObjState::Channel(c) = &reg.objects[id].state else {
                    unreachable!("object {id} is a channel")
                };
                c.recv_waiters()
                    .find(|&(t, _)| t != me && waiting(reg, t))
                    .expect("a ready rendezvous send has a waiting receiver")
            };
            self.chan.data().delivered.push((r, v));
            if let Some(sel) = reg.threads[r].selection.as_mut() {
                sel.chosen = Some(arm);
            }
            exec.wake(reg, r);
        } else {
            self.chan.data().queue.push_back(v);
            c.len += 1;
            // One more message: one blocked receiver tries again.
            wake_one(exec, reg, id, Dir::Recv);
        }
        self.result = Some(Ok(()));
    }

    fn register(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        note_user(reg, self.chan.id(), Dir::Send, self.end, me);
        // An offered message carries what its sender knew, like a sent one.
        reg.publish(me, self.chan.id());
        let c = reg.channel(self.chan.id());
        c.waiters.push((me, arm, Dir::Send));
        if c.capacity == Some(0) {
            let v = self.value.take().expect("an offer is made once");
            self.chan.data().offers.push((me, arm, v));
        }
    }

    fn unregister(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        reg.channel(self.chan.id())
            .waiters
            .retain(|w| !(w.0 == me && w.1 == arm && w.2 == Dir::Send));
        let mut data = self.chan.data();
        if let Some(i) = data
            .offers
            .iter()
            .position(|(t, a, _)| *t == me && *a == arm)
        {
            self.value = Some(data.offers.remove(i).2);
        }
    }

    fn completed_by_partner(&mut self, _me: Tid) {
        self.result = Some(Ok(()));
    }
}

/// Whether a send on `chan` can complete now (with the message delivered, or with an error).
fn send_ready<T>(chan: &Chan<T>, reg: &Registry, me: Tid) -> bool {
    let ObjState::Channel(c) = &reg.objects[chan.id()].state else {
        return false;
    };
    if c.live_receivers() == 0 {
        return true;
    }
    match c.capacity {
        None => true,
        Some(0) => c.recv_waiters().any(|(t, _)| t != me && waiting(reg, t)),
        Some(cap) => {
            let data = chan.data();
            data.queue.len() + data.reserved < cap
        }
    }
}

/// What a selected `Select` send holds until `SelectedOperation::send` gives its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reservation {
    /// Every receiver is gone: the send fails with its message.
    Disconnected,
    /// Room in the buffer: a reserved slot of a bounded channel, or an unbounded channel.
    Slot,
    /// A receiver blocked on a rendezvous, chosen for the message.
    Partner(Tid),
}

/// A send of `Select`, whose message comes only once it is selected (crossbeam's
/// `SelectedOperation::send`). Selecting it reserves what the message needs (a slot, or a
/// blocked receiver of a rendezvous); [`finish_send`] delivers the message. While it waits it
/// offers no message, so receivers do not take it as a partner: a receiver that blocks on the
/// rendezvous wakes it instead, and it takes the receiver.
pub(crate) struct LazySendArm<'a, T> {
    pub chan: &'a Chan<T>,
    pub end: usize,
    pub reserved: Option<Reservation>,
}

impl<T> Arm for LazySendArm<'_, T> {
    fn target(&self) -> (ObjId, Dir) {
        (self.chan.id(), Dir::Send)
    }

    fn timer(&self) -> Option<Duration> {
        None
    }

    fn ready(&self, reg: &Registry, me: Tid) -> bool {
        send_ready(self.chan, reg, me)
    }

    fn complete(&mut self, _exec: &Exec, reg: &mut Registry, me: Tid) {
        let id = self.chan.id();
        note_user(reg, id, Dir::Send, self.end, me);
        let c = reg.channel(id);
        if c.live_receivers() == 0 {
            self.reserved = Some(Reservation::Disconnected);
            return;
        }
        match c.capacity {
            Some(0) => {
                let waiters: Vec<(Tid, usize)> = c.recv_waiters().collect();
                let (r, arm) = waiters
                    .into_iter()
                    .find(|&(t, _)| t != me && waiting(reg, t))
                    .expect("a ready rendezvous send has a waiting receiver");
                // The receiver is this send's: no other sender pairs with it.
                if let Some(sel) = reg.threads[r].selection.as_mut() {
                    sel.chosen = Some(arm);
                }
                self.reserved = Some(Reservation::Partner(r));
            }
            Some(_) => {
                self.chan.data().reserved += 1;
                self.reserved = Some(Reservation::Slot);
            }
            None => self.reserved = Some(Reservation::Slot),
        }
    }

    fn register(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        note_user(reg, self.chan.id(), Dir::Send, self.end, me);
        reg.channel(self.chan.id())
            .waiters
            .push((me, arm, Dir::Send));
    }

    fn unregister(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        reg.channel(self.chan.id())
            .waiters
            .retain(|w| !(w.0 == me && w.1 == arm && w.2 == Dir::Send));
    }

    fn completed_by_partner(&mut self, _me: Tid) {}

    fn passive(&self) -> bool {
        true
    }
}

/// Delivers the message of a selected `Select` send, with no scheduling point between the
/// selection and the delivery. `Err` gives the message back (every receiver is gone).
#[track_caller]
pub(crate) fn finish_send<T>(chan: &Chan<T>, reservation: Reservation, msg: T) -> Result<(), T> {
    let exec = exec_of(chan);
    if exec.closed() {
        return Err(msg);
    }
    let me = exec.me();
    let id = chan.id();
    let mut reg = exec.reg();
    let mut data = chan.data();
    match reservation {
        Reservation::Disconnected => Err(msg),
        Reservation::Slot => {
            let c = reg.channel(id);
            if c.capacity.is_some() {
                data.reserved = data.reserved.saturating_sub(1);
            }
            if c.live_receivers() == 0 {
                return Err(msg);
            }
            data.queue.push_back(msg);
            drop(data);
            c.len += 1;
            reg.publish(me, id);
            wake_one(&exec, &mut reg, id, Dir::Recv);
            Ok(())
        }
        Reservation::Partner(r) => {
            data.delivered.push((r, msg));
            drop(data);
            reg.publish(me, id);
            exec.wake(&mut reg, r);
            Ok(())
        }
    }
}

/// Keeps a message `Select` received for thread `me`, until `SelectedOperation::recv`.
pub(crate) fn stash_picked<T>(chan: &Chan<T>, me: Tid, msg: T) {
    chan.data().picked.push((me, msg));
}

/// Takes the message `Select` received for the current thread on `chan`.
#[track_caller]
pub(crate) fn take_picked<T>(chan: &Chan<T>) -> Option<T> {
    let me = exec_of(chan).me();
    let mut data = chan.data();
    let i = data.picked.iter().position(|(t, _)| *t == me)?;
    Some(data.picked.remove(i).1)
}

/// An arm of `Select::ready`: it waits and becomes ready as its inner arm does, and performs
/// nothing (a timer whose deadline has come stays ready, its message for whoever receives it).
pub(crate) struct Probe<'x>(pub &'x mut dyn Arm);

impl Arm for Probe<'_> {
    fn target(&self) -> (ObjId, Dir) {
        self.0.target()
    }

    fn timer(&self) -> Option<Duration> {
        self.0.timer()
    }

    fn ready(&self, reg: &Registry, me: Tid) -> bool {
        self.0.ready(reg, me)
    }

    fn complete(&mut self, _exec: &Exec, _reg: &mut Registry, _me: Tid) {}

    fn register(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        self.0.register(reg, me, arm);
    }

    fn unregister(&mut self, reg: &mut Registry, me: Tid, arm: usize) {
        self.0.unregister(reg, me, arm);
    }

    fn completed_by_partner(&mut self, _me: Tid) {}

    fn passive(&self) -> bool {
        true
    }
}

/// The execution a model channel belongs to, checked.
#[track_caller]
pub(crate) fn exec_of<T>(chan: &Chan<T>) -> std::rc::Rc<Exec> {
    chan.handle.exec("a channel")
}

/// What one send on the model came to.
pub(crate) enum Sent<T> {
    /// The message was delivered (or buffered).
    Delivered,
    /// Every receiver is gone: the message back.
    Disconnected(T),
    /// It could not complete before the deadline: the message back.
    NotNow(T),
}

/// What one receive on the model came to.
pub(crate) enum Received<T> {
    Message(T),
    /// The channel is empty and every sender is gone.
    Disconnected,
    /// Nothing came before the deadline.
    NotNow,
}

/// One send on the model: a selection of one arm.
#[track_caller]
pub(crate) fn send_one<T>(
    chan: &Chan<T>,
    end: usize,
    msg: T,
    deadline: Deadline,
    op: &'static str,
    at: Loc,
) -> Sent<T> {
    let exec = exec_of(chan);
    let mut arm = SendArm {
        chan,
        end,
        value: Some(msg),
        result: None,
    };
    select(&exec, &mut [&mut arm], deadline, op, at);
    match (arm.result, arm.value) {
        (Some(Ok(())), _) => Sent::Delivered,
        (Some(Err(v)), _) => Sent::Disconnected(v),
        (None, Some(v)) => Sent::NotNow(v),
        (None, None) => unreachable!("an unsent message is kept"),
    }
}

/// One receive on the model: a selection of one arm.
#[track_caller]
pub(crate) fn recv_one<T>(
    chan: &Chan<T>,
    end: usize,
    deadline: Deadline,
    op: &'static str,
    at: Loc,
) -> Received<T> {
    let exec = exec_of(chan);
    let mut arm = RecvArm {
        chan,
        end,
        result: None,
    };
    select(&exec, &mut [&mut arm], deadline, op, at);
    match arm.result {
        Some(Ok(v)) => Received::Message(v),
        Some(Err(())) => Received::Disconnected,
        None => Received::NotNow,
    }
}

/// How a selection may end without any arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// It waits until an arm completes.
    Never,
    /// It gives up at once if no arm is ready (`default`, `try_*`).
    Now,
    /// It gives up when its deadline in modelled time passes (`default(timeout)`, `*_timeout`,
    /// `*_deadline`), as the time model says.
    Timeout(Limit),
}

/// How a selection chooses and what it does with its choice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct How {
    /// How it may end without any arm.
    pub deadline: Deadline,
    /// Whether it takes the first ready arm (`select_biased!`, `Select::new_biased`) instead of
    /// a recorded choice among the ready ones.
    pub biased: bool,
    /// Whether it only watches (`Select::ready`): its arms are [`Probe`]s, and it waits as an
    /// observer no partner completes.
    pub observe: bool,
}

/// The most arms one selection on the model takes.
pub(crate) const MAX_ARMS: usize = 64;

/// Runs a selection on the model. Returns the arm that completed, or `None` if the deadline
/// passed first (or the execution was stopped).
/// At most 64 arms (`select!` takes 32).
pub(crate) fn select(
    exec: &Exec,
    arms: &mut [&mut dyn Arm],
    deadline: Deadline,
    op: &'static str,
    at: Loc,
) -> Option<usize> {
    let how = How {
        deadline,
        biased: false,
        observe: false,
    };
    select_with(exec, arms, how, op, at)
}

/// [`select`], chosen and performed as `how` says.
pub(crate) fn select_with(
    exec: &Exec,
    arms: &mut [&mut dyn Arm],
    how: How,
    op: &'static str,
    at: Loc,
) -> Option<usize> {
    debug_assert!(arms.len() <= MAX_ARMS);
    // The selection's own deadline, in modelled time, fixed when it is called.
    let own = match how.deadline {
        Deadline::Timeout(limit) => Some(exec.timer_begins(limit)),
        Deadline::Never | Deadline::Now => None,
    };
    exec.switch(op, at);
    let chosen = select_loop(exec, arms, how, own, op, at);
    if own.is_some() {
        exec.timer_ends();
    }
    chosen
}

/// The wait loop of [`select_with`], after its scheduling point: `own` is its own deadline.
fn select_loop(
    exec: &Exec,
    arms: &mut [&mut dyn Arm],
    how: How,
    own: Option<Duration>,
    op: &'static str,
    at: Loc,
) -> Option<usize> {
    let me = exec.me();
    loop {
        if exec.closed() {
            return None;
        }
        // Which arms are ready, as a bit set (no allocation on this path: every send and
        // receive comes through here).
        let ready: u64 = {
            let reg = exec.reg();
            (0..arms.len())
                .filter(|&i| arms[i].ready(&reg, me))
                .fold(0, |set, i| set | 1 << i)
        };
        if ready != 0 {
            let count = ready.count_ones() as usize;
            // Biased: the first ready arm, as crossbeam's biased selection takes it.
            let nth = if count == 1 || how.biased {
                0
            } else {
                exec.choose(count)
            };
            let pick = nth_bit(ready, nth);
            let mut reg = exec.reg();
            arms[pick].complete(exec, &mut reg, me);
            if how.observe {
                // Nothing was taken: nobody else's wake-up was used.
                return Some(pick);
            }
            synchronise(&mut reg, me, arms[pick].target());
            // The other ready arms stay ready: what made them so (a message, a free slot) may
            // have woken this thread instead of another, which must try in its place.
            for (i, arm) in arms.iter().enumerate() {
                if i != pick && ready & (1 << i) != 0 {
                    let (id, dir) = arm.target();
                    wake_one(exec, &mut reg, id, dir);
                }
            }
            return Some(pick);
        }
        if how.deadline == Deadline::Now || own.is_some_and(|d| d <= exec.now()) {
            return None;
        }
        // The wait ends by its time at the earliest of its own deadline and its timers'.
        let deadline = arms.iter().filter_map(|a| a.timer()).chain(own).min();
        let on = {
            let mut reg = exec.reg();
            let mut selection = Selection {
                arms: Vec::with_capacity(arms.len()),
                chosen: None,
                observe: how.observe,
                passive: 0,
            };
            for (i, arm) in arms.iter_mut().enumerate() {
                arm.register(&mut reg, me, i);
                selection.arms.push(arm.target());
                if arm.passive() {
                    selection.passive |= 1 << i;
                }
            }
            let on = match selection.arms.as_slice() {
                [(id, _)] => WaitOn::Object(*id),
                _ => WaitOn::Select,
            };
            reg.threads[me].selection = Some(selection);
            // A partner now waits on a rendezvous: the threads that wait there without
            // offering themselves (a `Select` send, a watcher) try again.
            for arm in arms.iter() {
                if !arm.passive() {
                    let (id, dir) = arm.target();
                    wake_passive(exec, &mut reg, id, dir);
                }
            }
            on
        };
        exec.block_timed(op, on, at, deadline);
        let mut reg = exec.reg();
        let chosen = reg.threads[me].selection.take().and_then(|s| s.chosen);
        for (i, arm) in arms.iter_mut().enumerate() {
            arm.unregister(&mut reg, me, i);
        }
        if let Some(i) = chosen {
            arms[i].completed_by_partner(me);
            synchronise(&mut reg, me, arms[i].target());
            return Some(i);
        }
        // Woken, or its time passed: try again. A timer whose deadline has come is ready now,
        // and the selection's own deadline, once passed, ends it.
    }
}

/// Wakes the first thread blocked waiting to `dir` on channel `id`, if one is still blocked
/// (one already woken has not run yet: it will take what was freed). One message or one free
/// slot serves one thread; a woken thread that takes another arm of its `select!` passes the
/// wake-up on (see `select`). Watchers (`Select::ready`) take nothing: they are all woken, and
/// none of them counts as the one.
fn wake_one(exec: &Exec, reg: &mut Registry, id: ObjId, dir: Dir) {
    let ObjState::Channel(c) = &reg.objects[id].state else {
        return;
    };
    let blocked = |t: Tid| matches!(reg.threads[t].status, crate::runtime::Status::Blocked(_));
    let observer = |t: Tid| reg.threads[t].selection.as_ref().is_some_and(|s| s.observe);
    let next = c
        .waiters
        .iter()
        .find(|w| w.2 == dir && blocked(w.0) && !observer(w.0))
        .map(|w| w.0);
    let watchers: Vec<Tid> = if c.waiters.iter().any(|w| observer(w.0)) {
        c.waiters
            .iter()
            .filter(|w| w.2 == dir && blocked(w.0) && observer(w.0))
            .map(|w| w.0)
            .collect()
    } else {
        Vec::new()
    };
    if let Some(t) = next {
        exec.wake(reg, t);
    }
    for t in watchers {
        exec.wake(reg, t);
    }
}

/// A partner registered on channel `id` to `dir`: on a rendezvous, wakes the threads blocked
/// on the other side with a passive arm (a `Select` send, a watcher), which can go on now.
fn wake_passive(exec: &Exec, reg: &mut Registry, id: ObjId, dir: Dir) {
    let ObjState::Channel(c) = &reg.objects[id].state else {
        return;
    };
    if c.capacity != Some(0) {
        return;
    }
    let other = match dir {
        Dir::Send => Dir::Recv,
        Dir::Recv => Dir::Send,
    };
    let passive = |t: Tid, arm: usize| {
        matches!(reg.threads[t].status, crate::runtime::Status::Blocked(_))
            && reg.threads[t]
                .selection
                .as_ref()
                .is_some_and(|s| s.chosen.is_none() && s.passive & (1 << arm) != 0)
    };
    if !c.waiters.iter().any(|w| w.2 == other && passive(w.0, w.1)) {
        return;
    }
    let wake: Vec<Tid> = c
        .waiters
        .iter()
        .filter(|w| w.2 == other && passive(w.0, w.1))
        .map(|w| w.0)
        .collect();
    for t in wake {
        exec.wake(reg, t);
    }
}

/// A completed send makes what the sender knows known through the channel; a completed receive
/// learns it.
fn synchronise(reg: &mut Registry, me: Tid, (chan, dir): (ObjId, Dir)) {
    match dir {
        Dir::Send => reg.publish(me, chan),
        Dir::Recv => reg.observe(me, chan),
    }
}

/// The index of the `n`th set bit of `set` (from the lowest).
fn nth_bit(mut set: u64, n: usize) -> usize {
    for _ in 0..n {
        set &= set - 1;
    }
    set.trailing_zeros() as usize
}

/// The iterators of a receiver type (`Iter`, `TryIter`, `IntoIter` and the `IntoIterator`
/// impls), the same for crossbeam-style and std-style receivers.
macro_rules! receiver_iterators {
    ($receiver:ident) => {
        /// A blocking iterator over a receiver's messages, until the channel is closed and empty.
        #[derive(Debug)]
        pub struct Iter<'a, T> {
            rx: &'a $receiver<T>,
        }

        impl<T> Iterator for Iter<'_, T> {
            type Item = T;
            #[track_caller]
            fn next(&mut self) -> Option<T> {
                self.rx.recv().ok()
            }
        }

        /// A non-blocking iterator over the messages there are now.
        #[derive(Debug)]
        pub struct TryIter<'a, T> {
            rx: &'a $receiver<T>,
        }

        impl<T> Iterator for TryIter<'_, T> {
            type Item = T;
            #[track_caller]
            fn next(&mut self) -> Option<T> {
                self.rx.try_recv().ok()
            }
        }

        /// An owning blocking iterator over a receiver's messages.
        #[derive(Debug)]
        pub struct IntoIter<T> {
            rx: $receiver<T>,
        }

        impl<T> Iterator for IntoIter<T> {
            type Item = T;
            #[track_caller]
            fn next(&mut self) -> Option<T> {
                self.rx.recv().ok()
            }
        }

        impl<'a, T> IntoIterator for &'a $receiver<T> {
            type Item = T;
            type IntoIter = Iter<'a, T>;
            fn into_iter(self) -> Iter<'a, T> {
                self.iter()
            }
        }

        impl<T> IntoIterator for $receiver<T> {
            type Item = T;
            type IntoIter = IntoIter<T>;
            fn into_iter(self) -> IntoIter<T> {
                IntoIter { rx: self }
            }
        }
    };
}

pub(crate) use receiver_iterators;
