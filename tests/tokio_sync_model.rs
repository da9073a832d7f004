//! Model-based tests of `leakcheck::tokio::sync` against real tokio: random sequences of
//! operations run step by step, inside a check (one schedule, one task: the facade runs on
//! leakcheck's model) on a facade object and on a real tokio object made in the same body, every
//! result compared: values, error variants, `Pending` or `Ready` of a future polled once,
//! capacities, lengths and counts.
//!
//! Futures are polled once per step (nothing waits on a single task), and a pending future is
//! kept in a slot, to be polled again or dropped (cancelled) by a later step: so the queue of
//! waiting senders, a slot handed to a sender not polled since, and cancellation are compared
//! too.
#![cfg(feature = "tokio")]

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

const CASES: u32 = 128;
const MAX_OPS: usize = 40;
const SLOTS: usize = 3;

/// One generated operation on a bounded (or unbounded) mpsc channel.
#[derive(Clone, Copy, Debug)]
enum MpscOp {
    /// `try_send` on sender `i`.
    TrySend(usize),
    /// Polls pending send `slot` once, or starts it (on sender `i`) if the slot is empty.
    PollSend(usize, usize),
    /// Drops (cancels) pending send `slot`.
    DropSend(usize),
    /// Polls `recv` once (a fresh future each time: `recv` is cancel safe).
    PollRecv,
    TryRecv,
    /// `recv_many` with a limit, polled once.
    RecvMany(usize),
    /// `poll_recv_many` with a limit.
    PollRecvMany(usize),
    CloneSender(usize),
    DropSender(usize),
    Close,
    /// `try_reserve` on sender `i`, then send through the permit (`true`) or drop it.
    TryReserve(usize, bool),
    /// Polls pending `reserve_many(n)` `slot` once, or starts it (on sender `i`): once it
    /// completes, one value goes through the first permit and the rest are dropped.
    PollReserveMany(usize, usize, usize),
    /// `try_reserve_many(n)` on sender `i`, one value through the first permit, the rest
    /// dropped.
    TryReserveMany(usize, usize),
    /// `try_reserve_owned` on a clone of sender `i`, then send through the permit (`true`) or
    /// release it; the sender it gives back is dropped.
    TryReserveOwned(usize, bool),
    Inspect,
}

fn mpsc_op() -> impl Strategy<Value = MpscOp> {
    prop_oneof![
        3 => (0..4usize).prop_map(MpscOp::TrySend),
        4 => (0..SLOTS, 0..4usize).prop_map(|(s, i)| MpscOp::PollSend(s, i)),
        1 => (0..SLOTS).prop_map(MpscOp::DropSend),
        3 => Just(MpscOp::PollRecv),
        2 => Just(MpscOp::TryRecv),
        1 => (0..4usize).prop_map(MpscOp::RecvMany),
        1 => (0..4usize).prop_map(MpscOp::PollRecvMany),
        1 => (0..4usize).prop_map(MpscOp::CloneSender),
        1 => (0..4usize).prop_map(MpscOp::DropSender),
        1 => Just(MpscOp::Close),
        1 => (0..4usize, any::<bool>()).prop_map(|(i, s)| MpscOp::TryReserve(i, s)),
        1 => (0..SLOTS, 0..4usize, 0..5usize).prop_map(|(s, i, n)| MpscOp::PollReserveMany(s, i, n)),
        1 => (0..4usize, 0..5usize).prop_map(|(i, n)| MpscOp::TryReserveMany(i, n)),
        1 => (0..4usize, any::<bool>()).prop_map(|(i, s)| MpscOp::TryReserveOwned(i, s)),
        1 => Just(MpscOp::Inspect),
    ]
}

type SendFut = Pin<Box<dyn Future<Output = String>>>;

/// Polls `fut` once with `cx`.
fn once<F: Future + ?Sized>(fut: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    fut.poll(cx)
}

macro_rules! mpsc_side {
    ($name:ident, $($mod:ident)::+) => {

        /// One side (facade or tokio) of a bounded-channel run.
        struct $name {
            senders: Vec<Rc<$($mod)::+::Sender<u32>>>,
            rx: $($mod)::+::Receiver<u32>,
            slots: Vec<Option<SendFut>>,
        }

        impl $name {
            fn new(cap: usize) -> Self {
                let (tx, rx) = $($mod)::+::channel(cap);
                $name {
                    senders: vec![Rc::new(tx)],
                    rx,
                    slots: (0..SLOTS).map(|_| None).collect(),
                }
            }

            fn step(&mut self, op: MpscOp, value: u32, cx: &mut Context<'_>) -> String {
                let n = self.senders.len();
                match op {
                    MpscOp::TrySend(i) if n > 0 => {
                        format!("{:?}", self.senders[i % n].try_send(value))
                    }
                    MpscOp::PollSend(s, i) => {
                        if self.slots[s].is_none() {
                            if n == 0 {
                                return "no sender".into();
                            }
                            let tx = self.senders[i % n].clone();
                            self.slots[s] = Some(Box::pin(async move {
                                format!("{:?}", tx.send(value).await)
                            }));
                        }
                        let fut = self.slots[s].as_mut().unwrap();
                        match once(fut.as_mut(), cx) {
                            Poll::Ready(r) => {
                                self.slots[s] = None;
                                r
                            }
                            Poll::Pending => "pending".into(),
                        }
                    }
                    MpscOp::DropSend(s) => format!("{}", self.slots[s].take().is_some()),
                    MpscOp::PollRecv => {
                        let mut fut = std::pin::pin!(self.rx.recv());
                        format!("{:?}", once(fut.as_mut(), cx))
                    }
                    MpscOp::TryRecv => format!("{:?}", self.rx.try_recv()),
                    MpscOp::RecvMany(limit) => {
                        let mut buf = Vec::new();
                        let r = {
                            let mut fut = std::pin::pin!(self.rx.recv_many(&mut buf, limit));
                            once(fut.as_mut(), cx)
                        };
                        format!("{r:?} {buf:?}")
                    }
                    MpscOp::PollRecvMany(limit) => {
                        let mut buf = Vec::new();
                        let r = self.rx.poll_recv_many(cx, &mut buf, limit);
                        format!("{r:?} {buf:?}")
                    }
                    MpscOp::CloneSender(i) if n > 0 => {
                        let tx = (*self.senders[i % n]).clone();
                        self.senders.push(Rc::new(tx));
                        String::new()
                    }
                    MpscOp::DropSender(i) if n > 0 => {
                        self.senders.remove(i % n);
                        String::new()
                    }
                    MpscOp::Close => {
                        self.rx.close();
                        String::new()
                    }
                    MpscOp::TryReserve(i, send) if n > 0 => {
                        match self.senders[i % n].try_reserve() {
                            Ok(p) => {
                                if send {
                                    p.send(value);
                                }
                                "reserved".into()
                            }
                            Err(e) => format!("{e:?}"),
                        }
                    }
                    MpscOp::PollReserveMany(s, i, many) => {
                        if self.slots[s].is_none() {
                            if n == 0 {
                                return "no sender".into();
                            }
                            let tx = self.senders[i % n].clone();
                            self.slots[s] = Some(Box::pin(async move {
                                match tx.reserve_many(many).await {
                                    Ok(mut permits) => {
                                        let left = permits.len();
                                        if let Some(p) = permits.next() {
                                            p.send(value);
                                        }
                                        format!("reserved {left}")
                                    }
                                    Err(e) => format!("{e:?}"),
                                }
                            }));
                        }
                        let fut = self.slots[s].as_mut().unwrap();
                        match once(fut.as_mut(), cx) {
                            Poll::Ready(r) => {
                                self.slots[s] = None;
                                r
                            }
                            Poll::Pending => "pending".into(),
                        }
                    }
                    MpscOp::TryReserveMany(i, many) if n > 0 => {
                        match self.senders[i % n].try_reserve_many(many) {
                            Ok(mut permits) => {
                                let left = permits.len();
                                if let Some(p) = permits.next() {
                                    p.send(value);
                                }
                                format!("reserved {left}")
                            }
                            Err(e) => format!("{e:?}"),
                        }
                    }
                    MpscOp::TryReserveOwned(i, send) if n > 0 => {
                        let tx = (*self.senders[i % n]).clone();
                        match tx.try_reserve_owned() {
                            Ok(p) => {
                                let back = if send { p.send(value) } else { p.release() };
                                format!("owned, closed {}", back.is_closed())
                            }
                            Err($($mod)::+::error::TrySendError::Full(_)) => "full".into(),
                            Err($($mod)::+::error::TrySendError::Closed(_)) => "closed".into(),
                        }
                    }
                    MpscOp::Inspect => format!(
                        "len {} empty {} closed {} cap {} max {} strong {} tx_closed {:?}",
                        self.rx.len(),
                        self.rx.is_empty(),
                        self.rx.is_closed(),
                        self.rx.capacity(),
                        self.rx.max_capacity(),
                        self.rx.sender_strong_count(),
                        self.senders.first().map(|s| (s.is_closed(), s.capacity())),
                    ),
                    _ => "no sender".into(),
                }
            }
        }
    };
}

mpsc_side!(Facade, leakcheck::tokio::sync::mpsc);
mpsc_side!(Tokio, tokio::sync::mpsc);

/// Runs `ops` on both sides inside a one-schedule check; the first discrepancy.
fn run_mpsc(cap: usize, ops: Vec<MpscOp>) -> Result<(), String> {
    let report = leakcheck::Config::new().schedules(1).explore(move || {
        let ops = ops.clone();
        leakcheck::block_on(std::future::poll_fn(move |cx| {
            let mut facade = Facade::new(cap);
            let mut tokio = Tokio::new(cap);
            for (i, &op) in ops.iter().enumerate() {
                let a = facade.step(op, i as u32, cx);
                let b = tokio.step(op, i as u32, cx);
                assert_eq!(a, b, "op #{i} {op:?} of {ops:?}");
            }
            // Cancel what is pending before the receivers go.
            facade.slots.clear();
            tokio.slots.clear();
            Poll::Ready(())
        }));
    });
    // A send cancelled while the receiver is open loses its value: the check reports that
    // (`LostMessage`), and nothing else.
    match report {
        Err(r)
            if r.findings()
                .iter()
                .any(|f| f.kind() != leakcheck::FindingKind::LostMessage) =>
        {
            Err(format!("discrepancy (inside a check):\n{r}"))
        }
        _ => Ok(()),
    }
}

#[derive(Clone, Copy, Debug)]
enum NotifyOp {
    /// Makes a `Notified` in slot `s` (replacing what was there).
    Make(usize),
    /// Polls slot `s` once.
    Poll(usize),
    /// `enable` on slot `s`.
    Enable(usize),
    /// Drops slot `s`.
    Drop(usize),
    NotifyOne,
    NotifyLast,
    NotifyWaiters,
}

fn notify_op() -> impl Strategy<Value = NotifyOp> {
    prop_oneof![
        1 => (0..SLOTS).prop_map(NotifyOp::Make),
        2 => (0..SLOTS).prop_map(NotifyOp::Poll),
        1 => (0..SLOTS).prop_map(NotifyOp::Enable),
        1 => (0..SLOTS).prop_map(NotifyOp::Drop),
        1 => Just(NotifyOp::NotifyOne),
        1 => Just(NotifyOp::NotifyLast),
        1 => Just(NotifyOp::NotifyWaiters),
    ]
}

macro_rules! notify_run {
    ($notify:expr, $ops:expr, $cx:expr) => {{
        let notify = $notify;
        let mut slots: Vec<Option<Pin<Box<_>>>> = (0..SLOTS).map(|_| None).collect();
        let mut out = Vec::new();
        for &op in $ops {
            out.push(match op {
                NotifyOp::Make(s) => {
                    slots[s] = Some(Box::pin(notify.notified()));
                    String::new()
                }
                NotifyOp::Poll(s) => match slots[s].as_mut() {
                    Some(f) => {
                        let r = once(f.as_mut(), $cx);
                        if r.is_ready() {
                            slots[s] = None;
                        }
                        format!("{r:?}")
                    }
                    None => "empty".into(),
                },
                NotifyOp::Enable(s) => match slots[s].as_mut() {
                    Some(f) => format!("{}", f.as_mut().enable()),
                    None => "empty".into(),
                },
                NotifyOp::Drop(s) => format!("{}", slots[s].take().is_some()),
                NotifyOp::NotifyOne => {
                    notify.notify_one();
                    String::new()
                }
                NotifyOp::NotifyLast => {
                    notify.notify_last();
                    String::new()
                }
                NotifyOp::NotifyWaiters => {
                    notify.notify_waiters();
                    String::new()
                }
            });
        }
        drop(slots);
        out
    }};
}

fn run_notify(ops: Vec<NotifyOp>) -> Result<(), String> {
    leakcheck::Config::new()
        .schedules(1)
        .explore(move || {
            let ops = ops.clone();
            leakcheck::block_on(std::future::poll_fn(move |cx| {
                let a = notify_run!(leakcheck::tokio::sync::Notify::new(), &ops, cx);
                let b = notify_run!(tokio::sync::Notify::new(), &ops, cx);
                assert_eq!(a, b, "{ops:?}");
                Poll::Ready(())
            }));
        })
        .map(|_| ())
        .map_err(|r| format!("discrepancy (inside a check):\n{r}"))
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// `mpsc::channel(1..4)` behaves as tokio's, every operation compared.
    #[test]
    fn bounded_mpsc_matches_tokio(cap in 1..4usize, ops in prop::collection::vec(mpsc_op(), 1..MAX_OPS)) {
        run_mpsc(cap, ops).map_err(TestCaseError::fail)?;
    }

    /// `Notify` behaves as tokio's: permits, FIFO and LIFO wakes, `notify_waiters` and the
    /// `Notified` made before it, `enable`, and a dropped notified waiter passing it on.
    #[test]
    fn notify_matches_tokio(ops in prop::collection::vec(notify_op(), 1..MAX_OPS)) {
        run_notify(ops).map_err(TestCaseError::fail)?;
    }
}

/// One generated operation on an unbounded channel.
#[derive(Clone, Copy, Debug)]
enum UnboundedOp {
    Send(usize),
    PollRecv,
    TryRecv,
    RecvMany(usize),
    CloneSender(usize),
    DropSender(usize),
    Close,
    Inspect,
}

fn unbounded_op() -> impl Strategy<Value = UnboundedOp> {
    prop_oneof![
        3 => (0..4usize).prop_map(UnboundedOp::Send),
        3 => Just(UnboundedOp::PollRecv),
        2 => Just(UnboundedOp::TryRecv),
        1 => (0..4usize).prop_map(UnboundedOp::RecvMany),
        1 => (0..4usize).prop_map(UnboundedOp::CloneSender),
        1 => (0..4usize).prop_map(UnboundedOp::DropSender),
        1 => Just(UnboundedOp::Close),
        1 => Just(UnboundedOp::Inspect),
    ]
}

macro_rules! unbounded_run {
    ($($mod:ident)::+, $ops:expr, $cx:expr) => {{
        let (tx, mut rx) = $($mod)::+::unbounded_channel::<u32>();
        let mut senders = vec![tx];
        let mut out = Vec::new();
        for (v, &op) in $ops.iter().enumerate() {
            let n = senders.len();
            let v = v as u32;
            out.push(match op {
                UnboundedOp::Send(i) if n > 0 => format!("{:?}", senders[i % n].send(v)),
                UnboundedOp::PollRecv => {
                    let mut fut = std::pin::pin!(rx.recv());
                    format!("{:?}", once(fut.as_mut(), $cx))
                }
                UnboundedOp::TryRecv => format!("{:?}", rx.try_recv()),
                UnboundedOp::RecvMany(limit) => {
                    let mut buf = Vec::new();
                    let r = {
                        let mut fut = std::pin::pin!(rx.recv_many(&mut buf, limit));
                        once(fut.as_mut(), $cx)
                    };
                    format!("{r:?} {buf:?}")
                }
                UnboundedOp::CloneSender(i) if n > 0 => {
                    let tx = senders[i % n].clone();
                    senders.push(tx);
                    String::new()
                }
                UnboundedOp::DropSender(i) if n > 0 => {
                    senders.remove(i % n);
                    String::new()
                }
                UnboundedOp::Close => {
                    rx.close();
                    String::new()
                }
                UnboundedOp::Inspect => format!(
                    "len {} closed {} strong {} weak {} tx_closed {:?}",
                    rx.len(),
                    rx.is_closed(),
                    rx.sender_strong_count(),
                    rx.sender_weak_count(),
                    senders.first().map(|s| s.is_closed()),
                ),
                _ => "no sender".into(),
            });
        }
        out
    }};
}

/// One generated operation on a oneshot channel.
#[derive(Clone, Copy, Debug)]
enum OneshotOp {
    Send,
    DropSender,
    PollReceiver,
    TryRecv,
    Close,
    DropReceiver,
    PollClosed,
    Inspect,
}

fn oneshot_op() -> impl Strategy<Value = OneshotOp> {
    prop_oneof![
        Just(OneshotOp::Send),
        Just(OneshotOp::DropSender),
        Just(OneshotOp::PollReceiver),
        Just(OneshotOp::TryRecv),
        Just(OneshotOp::Close),
        Just(OneshotOp::DropReceiver),
        Just(OneshotOp::PollClosed),
        Just(OneshotOp::Inspect),
    ]
}

macro_rules! oneshot_run {
    ($($mod:ident)::+, $ops:expr, $cx:expr) => {{
        let (tx, rx) = $($mod)::+::channel::<u32>();
        let (mut tx, mut rx) = (Some(tx), Some(rx));
        let mut out = Vec::new();
        for (v, &op) in $ops.iter().enumerate() {
            out.push(match op {
                OneshotOp::Send => match tx.take() {
                    Some(tx) => format!("{:?}", tx.send(v as u32)),
                    None => "-".into(),
                },
                OneshotOp::DropSender => format!("{}", tx.take().is_some()),
                // A receiver that returned is terminated: tokio panics if it is polled again.
                OneshotOp::PollReceiver => match rx.as_mut().filter(|r| !r.is_terminated()) {
                    Some(r) => format!("{:?}", once(Pin::new(r), $cx)),
                    None => "-".into(),
                },
                OneshotOp::TryRecv => match rx.as_mut().filter(|r| !r.is_terminated()) {
                    Some(r) => format!("{:?}", r.try_recv()),
                    None => "-".into(),
                },
                OneshotOp::Close => match rx.as_mut() {
                    Some(r) => {
                        r.close();
                        String::new()
                    }
                    None => "-".into(),
                },
                OneshotOp::DropReceiver => format!("{}", rx.take().is_some()),
                OneshotOp::PollClosed => match tx.as_mut() {
                    Some(t) => format!("{:?}", t.poll_closed($cx)),
                    None => "-".into(),
                },
                OneshotOp::Inspect => format!(
                    "{:?} {:?}",
                    tx.as_ref().map(|t| t.is_closed()),
                    rx.as_ref().map(|r| (r.is_empty(), r.is_terminated())),
                ),
            });
        }
        out
    }};
}

/// Runs a comparison inside a one-schedule check, on one task.
fn run_inside(body: impl Fn(&mut Context<'_>) + Send + Sync + 'static) -> Result<(), String> {
    leakcheck::Config::new()
        .schedules(1)
        .explore(move || {
            leakcheck::block_on(std::future::poll_fn(|cx| {
                body(cx);
                Poll::Ready(())
            }));
        })
        .map(|_| ())
        .map_err(|r| format!("discrepancy (inside a check):\n{r}"))
}

proptest! {
    #![proptest_config(config())]

    /// `mpsc::unbounded_channel` behaves as tokio's.
    #[test]
    fn unbounded_mpsc_matches_tokio(ops in prop::collection::vec(unbounded_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = unbounded_run!(leakcheck::tokio::sync::mpsc, &ops, cx);
            let b = unbounded_run!(tokio::sync::mpsc, &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }

    /// `oneshot` behaves as tokio's.
    #[test]
    fn oneshot_matches_tokio(ops in prop::collection::vec(oneshot_op(), 1..16)) {
        run_inside(move |cx| {
            let a = oneshot_run!(leakcheck::tokio::sync::oneshot, &ops, cx);
            let b = oneshot_run!(tokio::sync::oneshot, &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }
}

/// One generated operation on a semaphore.
#[derive(Clone, Copy, Debug)]
enum SemOp {
    /// Polls pending acquire `slot` once, or starts one of `n` permits if the slot is empty.
    Acquire(usize, u32),
    /// Drops (cancels) pending acquire `slot`.
    Cancel(usize),
    TryAcquire(u32),
    /// Drops held permit `i`.
    Release(usize),
    /// Forgets held permit `i`.
    Forget(usize),
    AddPermits(usize),
    ForgetPermits(usize),
    Close,
    Inspect,
}

fn sem_op() -> impl Strategy<Value = SemOp> {
    prop_oneof![
        4 => (0..SLOTS, 1..4u32).prop_map(|(s, n)| SemOp::Acquire(s, n)),
        1 => (0..SLOTS).prop_map(SemOp::Cancel),
        2 => (1..4u32).prop_map(SemOp::TryAcquire),
        3 => (0..4usize).prop_map(SemOp::Release),
        1 => (0..4usize).prop_map(SemOp::Forget),
        2 => (0..3usize).prop_map(SemOp::AddPermits),
        1 => (0..3usize).prop_map(SemOp::ForgetPermits),
        1 => Just(SemOp::Close),
        1 => Just(SemOp::Inspect),
    ]
}

macro_rules! sem_run {
    ($sem:expr, $ops:expr, $cx:expr) => {{
        let sem = $sem;
        let mut slots: Vec<Option<Pin<Box<_>>>> = (0..SLOTS).map(|_| None).collect();
        let mut held = Vec::new();
        let mut out = Vec::new();
        for &op in $ops {
            out.push(match op {
                SemOp::Acquire(s, n) => {
                    if slots[s].is_none() {
                        slots[s] = Some(Box::pin(sem.acquire_many(n)));
                    }
                    match once(slots[s].as_mut().unwrap().as_mut(), $cx) {
                        Poll::Ready(r) => {
                            slots[s] = None;
                            match r {
                                Ok(p) => {
                                    let n = p.num_permits();
                                    held.push(p);
                                    format!("acquired {n}")
                                }
                                Err(_) => "closed".into(),
                            }
                        }
                        Poll::Pending => "pending".into(),
                    }
                }
                SemOp::Cancel(s) => format!("{}", slots[s].take().is_some()),
                SemOp::TryAcquire(n) => match sem.try_acquire_many(n) {
                    Ok(p) => {
                        held.push(p);
                        "acquired".into()
                    }
                    Err(e) => format!("{e:?}"),
                },
                SemOp::Release(i) if !held.is_empty() => {
                    let n = held.len();
                    drop(held.remove(i % n));
                    String::new()
                }
                SemOp::Forget(i) if !held.is_empty() => {
                    let n = held.len();
                    held.remove(i % n).forget();
                    String::new()
                }
                SemOp::AddPermits(n) => {
                    sem.add_permits(n);
                    String::new()
                }
                SemOp::ForgetPermits(n) => format!("{}", sem.forget_permits(n)),
                SemOp::Close => {
                    sem.close();
                    String::new()
                }
                SemOp::Inspect | SemOp::Release(_) | SemOp::Forget(_) => {
                    format!("{} {}", sem.available_permits(), sem.is_closed())
                }
            });
        }
        drop(slots);
        drop(held);
        out
    }};
}

proptest! {
    #![proptest_config(config())]

    /// `Semaphore` behaves as tokio's: FIFO, partial assignment to the head, cancellation,
    /// forget, add_permits, close.
    #[test]
    fn semaphore_matches_tokio(permits in 0..4usize, ops in prop::collection::vec(sem_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = sem_run!(leakcheck::tokio::sync::Semaphore::new(permits), &ops, cx);
            let b = sem_run!(tokio::sync::Semaphore::new(permits), &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }
}

/// One generated operation on an `RwLock`.
#[derive(Clone, Copy, Debug)]
enum LockOp {
    /// Polls pending lock `slot` once, or starts a read (`false`) or a write (`true`).
    Lock(usize, bool),
    /// Drops (cancels) pending lock `slot`.
    Cancel(usize),
    TryRead,
    TryWrite,
    /// Drops held guard `i`.
    Unlock(usize),
    /// Downgrades held guard `i` if it is a write guard.
    Downgrade(usize),
}

fn lock_op() -> impl Strategy<Value = LockOp> {
    prop_oneof![
        4 => (0..SLOTS, any::<bool>()).prop_map(|(s, w)| LockOp::Lock(s, w)),
        1 => (0..SLOTS).prop_map(LockOp::Cancel),
        1 => Just(LockOp::TryRead),
        1 => Just(LockOp::TryWrite),
        3 => (0..4usize).prop_map(LockOp::Unlock),
        1 => (0..4usize).prop_map(LockOp::Downgrade),
    ]
}

/// A held guard of either kind.
enum Guard<R, W> {
    Read(R),
    Write(W),
}

macro_rules! rwlock_run {
    ($lock:expr, $ops:expr, $cx:expr) => {{
        let lock = $lock;
        let mut slots: Vec<Option<Pin<Box<dyn Future<Output = Guard<_, _>> + '_>>>> =
            (0..SLOTS).map(|_| None).collect();
        let mut held = Vec::new();
        let mut out = Vec::new();
        for &op in $ops {
            out.push(match op {
                LockOp::Lock(s, write) => {
                    if slots[s].is_none() {
                        slots[s] = Some(if write {
                            Box::pin(async { Guard::Write(lock.write().await) })
                        } else {
                            Box::pin(async { Guard::Read(lock.read().await) })
                        });
                    }
                    match once(slots[s].as_mut().unwrap().as_mut(), $cx) {
                        Poll::Ready(g) => {
                            slots[s] = None;
                            held.push(g);
                            "locked".to_string()
                        }
                        Poll::Pending => "pending".into(),
                    }
                }
                LockOp::Cancel(s) => format!("{}", slots[s].take().is_some()),
                LockOp::TryRead => match lock.try_read() {
                    Ok(g) => {
                        held.push(Guard::Read(g));
                        "read".into()
                    }
                    Err(_) => "busy".into(),
                },
                LockOp::TryWrite => match lock.try_write() {
                    Ok(g) => {
                        held.push(Guard::Write(g));
                        "write".into()
                    }
                    Err(_) => "busy".into(),
                },
                LockOp::Unlock(i) => {
                    if held.is_empty() {
                        "-".into()
                    } else {
                        let n = held.len();
                        drop(held.remove(i % n));
                        String::new()
                    }
                }
                LockOp::Downgrade(i) => {
                    if held.is_empty() {
                        "-".into()
                    } else {
                        let n = held.len();
                        match held.remove(i % n) {
                            Guard::Write(w) => {
                                held.push(Guard::Read(w.downgrade()));
                                "downgraded".into()
                            }
                            read => {
                                held.push(read);
                                "read".into()
                            }
                        }
                    }
                }
            });
        }
        drop(slots);
        drop(held);
        out
    }};
}

#[derive(Clone, Copy, Debug)]
enum MutexOp {
    /// Polls pending lock `slot` once (starting it if needed).
    Lock(usize),
    /// Drops (cancels) pending lock `slot`.
    Cancel(usize),
    TryLock,
    /// Drops held guard `i`.
    Unlock(usize),
}

fn mutex_op() -> impl Strategy<Value = MutexOp> {
    prop_oneof![
        4 => (0..SLOTS).prop_map(MutexOp::Lock),
        1 => (0..SLOTS).prop_map(MutexOp::Cancel),
        1 => Just(MutexOp::TryLock),
        3 => (0..4usize).prop_map(MutexOp::Unlock),
    ]
}

macro_rules! mutex_run {
    ($mutex:expr, $ops:expr, $cx:expr) => {{
        let mutex = $mutex;
        let mut slots: Vec<Option<Pin<Box<dyn Future<Output = _> + '_>>>> =
            (0..SLOTS).map(|_| None).collect();
        let mut held = Vec::new();
        let mut out = Vec::new();
        for &op in $ops {
            out.push(match op {
                MutexOp::Lock(s) => {
                    if slots[s].is_none() {
                        slots[s] = Some(Box::pin(mutex.lock()));
                    }
                    match once(slots[s].as_mut().unwrap().as_mut(), $cx) {
                        Poll::Ready(mut g) => {
                            slots[s] = None;
                            *g += 1;
                            let seen = *g;
                            held.push(g);
                            format!("locked {seen}")
                        }
                        Poll::Pending => "pending".into(),
                    }
                }
                MutexOp::Cancel(s) => format!("{}", slots[s].take().is_some()),
                MutexOp::TryLock => match mutex.try_lock() {
                    Ok(g) => {
                        held.push(g);
                        "locked".into()
                    }
                    Err(_) => "busy".into(),
                },
                MutexOp::Unlock(i) => {
                    if held.is_empty() {
                        "-".into()
                    } else {
                        let n = held.len();
                        drop(held.remove(i % n));
                        String::new()
                    }
                }
            });
        }
        drop(slots);
        drop(held);
        out
    }};
}

proptest! {
    #![proptest_config(config())]

    /// `RwLock` behaves as tokio's: fair, write-preferring, cancellation gives the place up.
    #[test]
    fn rwlock_matches_tokio(ops in prop::collection::vec(lock_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = rwlock_run!(leakcheck::tokio::sync::RwLock::new(0u32), &ops, cx);
            let b = rwlock_run!(tokio::sync::RwLock::new(0u32), &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }

    /// `Mutex` behaves as tokio's: FIFO, a cancelled lock gives its place up.
    #[test]
    fn mutex_matches_tokio(ops in prop::collection::vec(mutex_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = mutex_run!(leakcheck::tokio::sync::Mutex::new(0u32), &ops, cx);
            let b = mutex_run!(tokio::sync::Mutex::new(0u32), &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }
}

/// The sequence proptest found once: a notified waiter dropped passes its notification on to
/// the next waiter, which is dropped in turn (unpolled) and passes it on again, to a permit.
#[test]
fn a_notification_passed_on_twice_ends_as_a_permit() {
    use NotifyOp::*;
    run_notify(vec![
        Make(0),
        Poll(0),
        NotifyOne,
        Make(2),
        Poll(2),
        Drop(0),
        Enable(2),
        Make(2),
        Poll(2),
    ])
    .unwrap();
}

/// One generated operation on a watch channel. Receivers and senders are picked by index
/// modulo how many there are; a receiver with a pending `changed` (or `wait_for`) is busy.
#[derive(Clone, Copy, Debug)]
enum WatchOp {
    Send(usize),
    SendReplace(usize),
    SendModify(usize),
    SendIfModified(usize, bool),
    /// Polls receiver `r`'s pending `changed` once, or starts one.
    PollChanged(usize),
    /// Polls receiver `r`'s pending `wait_for(v % 3 == k)` once, or starts one.
    PollWaitFor(usize, u32),
    /// Drops (cancels) receiver `r`'s pending future.
    Cancel(usize),
    Borrow(usize),
    BorrowAndUpdate(usize),
    HasChanged(usize),
    MarkChanged(usize),
    MarkUnchanged(usize),
    CloneRx(usize),
    Subscribe(usize),
    DropRx(usize),
    CloneTx(usize),
    DropTx(usize),
    /// Polls the pending `Sender::closed` once, or starts one on sender `i`.
    PollClosed(usize),
    Inspect,
}

fn watch_op() -> impl Strategy<Value = WatchOp> {
    prop_oneof![
        3 => (0..3usize).prop_map(WatchOp::Send),
        1 => (0..3usize).prop_map(WatchOp::SendReplace),
        1 => (0..3usize).prop_map(WatchOp::SendModify),
        1 => (0..3usize, any::<bool>()).prop_map(|(i, m)| WatchOp::SendIfModified(i, m)),
        3 => (0..3usize).prop_map(WatchOp::PollChanged),
        2 => (0..3usize, 0..3u32).prop_map(|(r, k)| WatchOp::PollWaitFor(r, k)),
        1 => (0..3usize).prop_map(WatchOp::Cancel),
        1 => (0..3usize).prop_map(WatchOp::Borrow),
        1 => (0..3usize).prop_map(WatchOp::BorrowAndUpdate),
        2 => (0..3usize).prop_map(WatchOp::HasChanged),
        1 => (0..3usize).prop_map(WatchOp::MarkChanged),
        1 => (0..3usize).prop_map(WatchOp::MarkUnchanged),
        1 => (0..3usize).prop_map(WatchOp::CloneRx),
        1 => (0..3usize).prop_map(WatchOp::Subscribe),
        1 => (0..3usize).prop_map(WatchOp::DropRx),
        1 => (0..3usize).prop_map(WatchOp::CloneTx),
        1 => (0..3usize).prop_map(WatchOp::DropTx),
        1 => (0..3usize).prop_map(WatchOp::PollClosed),
        1 => Just(WatchOp::Inspect),
    ]
}

type Slot = Option<Pin<Box<dyn Future<Output = String>>>>;

/// Polls `slot` once, or fills it with `start()` first: the result, or "pending".
fn poll_slot(
    slot: &mut Slot,
    start: impl FnOnce() -> Option<Pin<Box<dyn Future<Output = String>>>>,
    cx: &mut Context<'_>,
) -> String {
    if slot.is_none() {
        match start() {
            Some(f) => *slot = Some(f),
            None => return "-".into(),
        }
    }
    match once(slot.as_mut().unwrap().as_mut(), cx) {
        Poll::Ready(r) => {
            *slot = None;
            r
        }
        Poll::Pending => "pending".into(),
    }
}

macro_rules! watch_run {
    ($($m:ident)::+, $ops:expr, $cx:expr) => {{
        use std::cell::RefCell;
        let (tx, rx) = $($m)::+::channel(0u32);
        let mut txs: Vec<Rc<$($m)::+::Sender<u32>>> = vec![Rc::new(tx)];
        let mut rxs: Vec<Rc<RefCell<$($m)::+::Receiver<u32>>>> = vec![Rc::new(RefCell::new(rx))];
        let mut pending: Vec<Slot> = vec![None, None, None];
        let mut closed: Slot = None;
        let mut out = Vec::new();
        for (v, &op) in $ops.iter().enumerate() {
            let v = v as u32;
            let (nt, nr) = (txs.len(), rxs.len());
            let tx = |i: usize| (nt > 0).then(|| txs[i % nt].clone());
            let rx = |r: usize| (nr > 0).then(|| rxs[r % nr].clone());
            out.push(match op {
                WatchOp::Send(i) => tx(i).map_or("-".into(), |t| format!("{:?}", t.send(v).map_err(|e| e.0))),
                WatchOp::SendReplace(i) => tx(i).map_or("-".into(), |t| format!("{}", t.send_replace(v))),
                WatchOp::SendModify(i) => tx(i).map_or("-".into(), |t| { t.send_modify(|x| *x += 100); String::new() }),
                WatchOp::SendIfModified(i, m) => tx(i).map_or("-".into(), |t| format!("{}", t.send_if_modified(|x| { if m { *x += 1 } m }))),
                WatchOp::PollChanged(r) | WatchOp::PollWaitFor(r, _) => {
                    let slot = &mut pending[r % 3];
                    poll_slot(slot, || {
                        let rc = rx(r)?;
                        if rc.try_borrow_mut().is_err() { return None; }
                        Some(match op {
                            WatchOp::PollWaitFor(_, k) => Box::pin(async move {
                                let mut g = rc.borrow_mut();
                                let r = g.wait_for(|x| x % 3 == k).await.map(|r| *r);
                                format!("{r:?}")
                            }),
                            _ => Box::pin(async move {
                                let mut g = rc.borrow_mut();
                                format!("{:?}", g.changed().await.is_ok())
                            }),
                        })
                    }, $cx)
                }
                WatchOp::Cancel(r) => format!("{}", pending[r % 3].take().is_some()),
                WatchOp::Borrow(r) => rx(r).and_then(|rc| rc.try_borrow().ok().map(|g| { let b = g.borrow(); format!("{} {}", *b, b.has_changed()) })).unwrap_or("-".into()),
                WatchOp::BorrowAndUpdate(r) => rx(r).and_then(|rc| rc.try_borrow_mut().ok().map(|mut g| { let b = g.borrow_and_update(); format!("{} {}", *b, b.has_changed()) })).unwrap_or("-".into()),
                WatchOp::HasChanged(r) => rx(r).and_then(|rc| rc.try_borrow().ok().map(|g| format!("{:?}", g.has_changed().ok()))).unwrap_or("-".into()),
                WatchOp::MarkChanged(r) => rx(r).and_then(|rc| rc.try_borrow_mut().ok().map(|mut g| { g.mark_changed(); String::new() })).unwrap_or("-".into()),
                WatchOp::MarkUnchanged(r) => rx(r).and_then(|rc| rc.try_borrow_mut().ok().map(|mut g| { g.mark_unchanged(); String::new() })).unwrap_or("-".into()),
                WatchOp::CloneRx(r) => match rx(r).and_then(|rc| rc.try_borrow().ok().map(|g| g.clone())) {
                    Some(c) => { rxs.push(Rc::new(RefCell::new(c))); String::new() }
                    None => "-".into(),
                },
                WatchOp::Subscribe(i) => match tx(i) {
                    Some(t) => { rxs.push(Rc::new(RefCell::new(t.subscribe()))); String::new() }
                    None => "-".into(),
                },
                WatchOp::DropRx(r) if nr > 0 => { rxs.remove(r % nr); String::new() }
                WatchOp::CloneTx(i) => match tx(i) {
                    Some(t) => { txs.push(Rc::new((*t).clone())); String::new() }
                    None => "-".into(),
                },
                WatchOp::DropTx(i) if nt > 0 => { txs.remove(i % nt); String::new() }
                WatchOp::PollClosed(i) => poll_slot(&mut closed, || {
                    let t = tx(i)?;
                    Some(Box::pin(async move { t.closed().await; "closed".to_string() }))
                }, $cx),
                WatchOp::Inspect => format!(
                    "{:?} {:?}",
                    txs.first().map(|t| (t.receiver_count(), t.sender_count(), t.is_closed(), *t.borrow())),
                    rxs.iter().map(|r| r.try_borrow().map(|g| g.is_closed()).ok()).collect::<Vec<_>>(),
                ),
                _ => "-".into(),
            });
        }
        drop(pending);
        drop(closed);
        out
    }};
}

/// One generated operation on a broadcast channel.
#[derive(Clone, Copy, Debug)]
enum BcastOp {
    Send(usize),
    /// Polls receiver `r`'s pending `recv` once, or starts one.
    PollRecv(usize),
    /// Drops (cancels) receiver `r`'s pending `recv`.
    Cancel(usize),
    TryRecv(usize),
    Subscribe(usize),
    Resubscribe(usize),
    DropRx(usize),
    CloneTx(usize),
    DropTx(usize),
    /// Polls the pending `Sender::closed` once, or starts one on sender `i`.
    PollClosed(usize),
    /// Downgrades sender `i` to a weak sender (kept).
    Downgrade(usize),
    /// Upgrades weak sender `w` (kept if it upgrades).
    Upgrade(usize),
    DropWeak(usize),
    Inspect,
}

fn bcast_op() -> impl Strategy<Value = BcastOp> {
    prop_oneof![
        5 => (0..3usize).prop_map(BcastOp::Send),
        3 => (0..3usize).prop_map(BcastOp::PollRecv),
        1 => (0..3usize).prop_map(BcastOp::Cancel),
        3 => (0..3usize).prop_map(BcastOp::TryRecv),
        1 => (0..3usize).prop_map(BcastOp::Subscribe),
        1 => (0..3usize).prop_map(BcastOp::Resubscribe),
        1 => (0..3usize).prop_map(BcastOp::DropRx),
        1 => (0..3usize).prop_map(BcastOp::CloneTx),
        1 => (0..3usize).prop_map(BcastOp::DropTx),
        1 => (0..3usize).prop_map(BcastOp::PollClosed),
        1 => (0..3usize).prop_map(BcastOp::Downgrade),
        1 => (0..3usize).prop_map(BcastOp::Upgrade),
        1 => (0..3usize).prop_map(BcastOp::DropWeak),
        2 => Just(BcastOp::Inspect),
    ]
}

macro_rules! bcast_run {
    ($($m:ident)::+, $cap:expr, $ops:expr, $cx:expr) => {{
        use std::cell::RefCell;
        let (tx, rx) = $($m)::+::channel::<u32>($cap);
        let mut txs: Vec<Rc<$($m)::+::Sender<u32>>> = vec![Rc::new(tx)];
        let mut rxs: Vec<Rc<RefCell<$($m)::+::Receiver<u32>>>> = vec![Rc::new(RefCell::new(rx))];
        let mut weak: Vec<$($m)::+::WeakSender<u32>> = Vec::new();
        let mut pending: Vec<Slot> = vec![None, None, None];
        let mut closed: Slot = None;
        let mut out = Vec::new();
        for (v, &op) in $ops.iter().enumerate() {
            let v = v as u32;
            let (nt, nr, nw) = (txs.len(), rxs.len(), weak.len());
            let tx = |i: usize| (nt > 0).then(|| txs[i % nt].clone());
            let rx = |r: usize| (nr > 0).then(|| rxs[r % nr].clone());
            out.push(match op {
                BcastOp::Downgrade(i) => match tx(i) {
                    Some(t) => { weak.push(t.downgrade()); String::new() }
                    None => "-".into(),
                },
                BcastOp::Upgrade(w) if nw > 0 => match weak[w % nw].upgrade() {
                    Some(t) => { txs.push(Rc::new(t)); "up".into() }
                    None => "none".into(),
                },
                BcastOp::DropWeak(w) if nw > 0 => { weak.remove(w % nw); String::new() }
                BcastOp::Send(i) => tx(i).map_or("-".into(), |t| format!("{:?}", t.send(v).map_err(|e| e.0))),
                BcastOp::PollRecv(r) => poll_slot(&mut pending[r % 3], || {
                    let rc = rx(r)?;
                    if rc.try_borrow_mut().is_err() { return None; }
                    Some(Box::pin(async move {
                        let mut g = rc.borrow_mut();
                        format!("{:?}", g.recv().await)
                    }))
                }, $cx),
                BcastOp::Cancel(r) => format!("{}", pending[r % 3].take().is_some()),
                BcastOp::TryRecv(r) => rx(r).and_then(|rc| rc.try_borrow_mut().ok().map(|mut g| format!("{:?}", g.try_recv()))).unwrap_or("-".into()),
                BcastOp::Subscribe(i) => match tx(i) {
                    Some(t) => { rxs.push(Rc::new(RefCell::new(t.subscribe()))); String::new() }
                    None => "-".into(),
                },
                BcastOp::Resubscribe(r) => match rx(r).and_then(|rc| rc.try_borrow().ok().map(|g| g.resubscribe())) {
                    Some(c) => { rxs.push(Rc::new(RefCell::new(c))); String::new() }
                    None => "-".into(),
                },
                BcastOp::DropRx(r) if nr > 0 => { rxs.remove(r % nr); String::new() }
                BcastOp::CloneTx(i) => match tx(i) {
                    Some(t) => { txs.push(Rc::new((*t).clone())); String::new() }
                    None => "-".into(),
                },
                BcastOp::DropTx(i) if nt > 0 => { txs.remove(i % nt); String::new() }
                BcastOp::PollClosed(i) => poll_slot(&mut closed, || {
                    let t = tx(i)?;
                    Some(Box::pin(async move { t.closed().await; "closed".to_string() }))
                }, $cx),
                BcastOp::Inspect => format!(
                    "{:?} {:?}",
                    txs.first().map(|t| (t.len(), t.is_empty(), t.receiver_count(), t.strong_count(), t.weak_count())),
                    rxs.iter().map(|r| r.try_borrow().map(|g| (g.len(), g.is_empty(), g.is_closed(), g.sender_strong_count(), g.sender_weak_count())).ok()).collect::<Vec<_>>(),
                ),
                _ => "-".into(),
            });
        }
        drop(pending);
        drop(closed);
        out
    }};
}

proptest! {
    #![proptest_config(config())]

    /// `watch` behaves as tokio's: versions, `changed` and `wait_for` (pending, woken,
    /// cancelled), `mark_changed`/`mark_unchanged`, closing from both sides.
    // A pending future holds its receiver's `RefCell` borrow: that is what marks it busy.
    #[allow(clippy::await_holding_refcell_ref)]
    #[test]
    fn watch_matches_tokio(ops in prop::collection::vec(watch_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = watch_run!(leakcheck::tokio::sync::watch, &ops, cx);
            let b = watch_run!(tokio::sync::watch, &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }

    /// `broadcast::channel(1..6)` behaves as tokio's: the rounded capacity, `Lagged(n)`,
    /// lengths, receivers and senders coming and going, `closed`.
    // A pending future holds its receiver's `RefCell` borrow: that is what marks it busy.
    #[allow(clippy::await_holding_refcell_ref)]
    #[test]
    fn broadcast_matches_tokio(cap in 1..6usize, ops in prop::collection::vec(bcast_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = bcast_run!(leakcheck::tokio::sync::broadcast, cap, &ops, cx);
            let b = bcast_run!(tokio::sync::broadcast, cap, &ops, cx);
            assert_eq!(a, b, "{ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }
}

#[derive(Clone, Copy, Debug)]
enum BarrierOp {
    /// Polls pending wait `slot` once (starting it if needed).
    Wait(usize),
    /// Drops pending wait `slot`.
    Cancel(usize),
}

fn barrier_op() -> impl Strategy<Value = BarrierOp> {
    prop_oneof![
        4 => (0..SLOTS).prop_map(BarrierOp::Wait),
        1 => (0..SLOTS).prop_map(BarrierOp::Cancel),
    ]
}

macro_rules! barrier_run {
    ($barrier:expr, $ops:expr, $cx:expr) => {{
        let barrier = $barrier;
        let mut slots: Vec<Option<Pin<Box<dyn Future<Output = _> + '_>>>> =
            (0..SLOTS).map(|_| None).collect();
        let mut out = Vec::new();
        for &op in $ops {
            out.push(match op {
                BarrierOp::Wait(s) => {
                    if slots[s].is_none() {
                        slots[s] = Some(Box::pin(barrier.wait()));
                    }
                    match once(slots[s].as_mut().unwrap().as_mut(), $cx) {
                        Poll::Ready(r) => {
                            slots[s] = None;
                            format!("released, leader {}", r.is_leader())
                        }
                        Poll::Pending => "pending".into(),
                    }
                }
                BarrierOp::Cancel(s) => format!("{}", slots[s].take().is_some()),
            });
        }
        drop(slots);
        out
    }};
}

proptest! {
    #![proptest_config(config())]

    /// `Barrier` behaves as tokio's: a wait counts from its first poll, the last arrival of a
    /// generation is its leader, and a cancelled wait still counts.
    #[test]
    fn barrier_matches_tokio(n in 1..4usize, ops in prop::collection::vec(barrier_op(), 1..MAX_OPS)) {
        run_inside(move |cx| {
            let a = barrier_run!(leakcheck::tokio::sync::Barrier::new(n), &ops, cx);
            let b = barrier_run!(tokio::sync::Barrier::new(n), &ops, cx);
            assert_eq!(a, b, "{n} {ops:?}");
        })
        .map_err(TestCaseError::fail)?;
    }
}
