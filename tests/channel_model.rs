//! Model-based tests of the channel facades: random sequences of operations run step by step on
//! a facade channel and on the real channel it mirrors (crossbeam-channel for
//! `leakcheck::channel`, std's `mpsc` for `leakcheck::sync::mpsc`), comparing every result:
//! `Ok` values, error variants and the messages carried in errors, lengths and capacities.
//!
//! Every generated sequence runs twice: outside any check (the facade then wraps the real
//! channel) and inside `leakcheck::Config::explore` on a single thread (the facade then runs on
//! leakcheck's model, the reference is a real channel created inside the body too).
//!
//! Nothing may block on a single thread, so a blocking operation is only run when the reference
//! says it cannot block (a `send` when the buffer has room or the receivers are gone, a `recv`
//! when a message is there or the senders are gone); otherwise the step runs its non-blocking
//! twin (`try_send`, `try_recv`) instead. `recv_timeout(0)` is compared exactly: outside a check
//! both sides time out on an empty channel; inside one, a timeout may only fire when nothing is
//! ready, and on a single thread nothing else can make anything ready, so with a message present
//! the model must return it, and on an empty connected channel it must return `Timeout`.
//!
//! crossbeam-style channels also run `Select` steps: a selection of one send or one receive
//! (`try_select`, then the `SelectedOperation` completed), and a biased selection of a send and
//! a receive (`try_ready`), all of which are deterministic on a single thread.

use std::fmt::Debug;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// Cases per property: the whole file runs in a few seconds in debug mode.
const CASES: u32 = 64;

/// The longest generated sequence.
const MAX_OPS: usize = 40;

/// One generated operation. Indices pick among the live senders / receivers (modulo their
/// number); an operation on an end that no longer exists is skipped.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// `try_send(next value)`; on std's unbounded `Sender` (which has no `try_send`): `send`.
    TrySend(usize),
    /// `send(next value)` when it cannot block, else `try_send`.
    Send(usize),
    /// `try_recv()`.
    TryRecv(usize),
    /// `recv()` when it cannot block, else `try_recv()`.
    Recv(usize),
    /// `recv_timeout(0ms)`.
    RecvTimeout(usize),
    /// `try_iter().collect()`.
    TryIter(usize),
    /// Clone a sender.
    CloneSender(usize),
    /// Drop one of the senders.
    DropSender(usize),
    /// Clone a receiver (crossbeam-style channels only).
    CloneReceiver(usize),
    /// Drop one of the receivers.
    DropReceiver(usize),
    /// `len()`, `is_empty()`, `capacity()`, `is_full()` on a sender (`true`) or a receiver
    /// (crossbeam only).
    Inspect(bool, usize),
    /// A `Select` of one send, `try_select`, then `SelectedOperation::send(next value)`
    /// (crossbeam only).
    SelectSend(usize),
    /// A `Select` of one receive, `try_select`, then `SelectedOperation::recv` (crossbeam only).
    SelectRecv(usize),
    /// A biased `Select` of a send and a receive: `try_ready` (crossbeam only).
    TryReady(usize),
}

/// An operation after resolution against the reference's state: which end, and the call that
/// is actually made (`Send` only when it cannot block, and so on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    TrySend {
        tx: usize,
        value: u32,
    },
    Send {
        tx: usize,
        value: u32,
    },
    TryRecv {
        rx: usize,
    },
    Recv {
        rx: usize,
    },
    RecvTimeout {
        rx: usize,
    },
    TryIter {
        rx: usize,
    },
    CloneSender {
        tx: usize,
    },
    DropSender {
        tx: usize,
    },
    CloneReceiver {
        rx: usize,
    },
    DropReceiver {
        rx: usize,
    },
    InspectSender {
        tx: usize,
    },
    InspectReceiver {
        rx: usize,
    },
    SelectSend {
        tx: usize,
        value: u32,
    },
    SelectRecv {
        rx: usize,
    },
    TryReady {
        tx: usize,
        rx: usize,
    },
    /// The op named an end that is gone.
    Skip,
}

/// What the test knows about the channel, from the reference's results: how many senders and
/// receivers are alive, how many messages are buffered, and the capacity (`None`: unbounded).
#[derive(Clone, Debug)]
struct Shadow {
    senders: usize,
    receivers: usize,
    queued: usize,
    capacity: Option<usize>,
    next_value: u32,
    /// Whether `len`/`is_empty` are asked of a sender once every receiver is gone (see
    /// [`crossbeam_style_matches_crossbeam`] for why that can be turned off).
    len_without_receivers: bool,
}

impl Shadow {
    fn new(capacity: Option<usize>) -> Shadow {
        Shadow {
            senders: 1,
            receivers: 1,
            queued: 0,
            capacity,
            next_value: 1,
            len_without_receivers: true,
        }
    }

    /// A send cannot block: the receivers are gone, or the buffer has room (never on a
    /// rendezvous, where nobody else could take the message).
    fn send_cannot_block(&self) -> bool {
        self.receivers == 0 || self.capacity.is_none_or(|cap| self.queued < cap)
    }

    /// A receive cannot block: a message is there, or every sender is gone.
    fn recv_cannot_block(&self) -> bool {
        self.queued > 0 || self.senders == 0
    }

    fn value(&mut self) -> u32 {
        let v = self.next_value;
        self.next_value += 1;
        v
    }

    /// Resolves `op` to the call to make on both sides.
    fn resolve(&mut self, op: Op) -> Step {
        let tx = |i: usize| (self.senders > 0).then(|| i % self.senders);
        let rx = |i: usize| (self.receivers > 0).then(|| i % self.receivers);
        let step = match op {
            Op::TrySend(i) => tx(i).map(|tx| Step::TrySend { tx, value: 0 }),
            Op::Send(i) => tx(i).map(|tx| {
                if self.send_cannot_block() {
                    Step::Send { tx, value: 0 }
                } else {
                    Step::TrySend { tx, value: 0 }
                }
            }),
            Op::TryRecv(i) => rx(i).map(|rx| Step::TryRecv { rx }),
            Op::Recv(i) => rx(i).map(|rx| {
                if self.recv_cannot_block() {
                    Step::Recv { rx }
                } else {
                    Step::TryRecv { rx }
                }
            }),
            Op::RecvTimeout(i) => rx(i).map(|rx| Step::RecvTimeout { rx }),
            Op::TryIter(i) => rx(i).map(|rx| Step::TryIter { rx }),
            Op::CloneSender(i) => tx(i).map(|tx| Step::CloneSender { tx }),
            Op::DropSender(i) => tx(i).map(|tx| Step::DropSender { tx }),
            Op::CloneReceiver(i) => rx(i).map(|rx| Step::CloneReceiver { rx }),
            Op::DropReceiver(i) => rx(i).map(|rx| Step::DropReceiver { rx }),
            Op::Inspect(true, _) if self.receivers == 0 && !self.len_without_receivers => None,
            Op::Inspect(true, i) => tx(i).map(|tx| Step::InspectSender { tx }),
            Op::Inspect(false, i) => rx(i).map(|rx| Step::InspectReceiver { rx }),
            Op::SelectSend(i) => tx(i).map(|tx| Step::SelectSend { tx, value: 0 }),
            Op::SelectRecv(i) => rx(i).map(|rx| Step::SelectRecv { rx }),
            Op::TryReady(i) => tx(i).and_then(|tx| rx(i).map(|rx| Step::TryReady { tx, rx })),
        };
        match step {
            Some(Step::TrySend { tx, .. }) => Step::TrySend {
                tx,
                value: self.value(),
            },
            Some(Step::Send { tx, .. }) => Step::Send {
                tx,
                value: self.value(),
            },
            Some(Step::SelectSend { tx, .. }) => Step::SelectSend {
                tx,
                value: self.value(),
            },
            Some(step) => step,
            None => Step::Skip,
        }
    }

    /// Updates the counts after `step`, from the reference's outcome.
    fn after(&mut self, step: Step, outcome: &Outcome) {
        match (step, outcome) {
            (Step::CloneSender { .. }, _) => self.senders += 1,
            (Step::DropSender { .. }, _) => self.senders -= 1,
            (Step::CloneReceiver { .. }, _) => self.receivers += 1,
            (Step::DropReceiver { .. }, _) => {
                self.receivers -= 1;
                if self.receivers == 0 {
                    // Nobody can receive them any more; sends fail from now on.
                    self.queued = 0;
                }
            }
            (_, Outcome::Sent) => self.queued += 1,
            (_, Outcome::Received) => self.queued -= 1,
            (_, Outcome::Drained(n)) => self.queued -= n,
            _ => {}
        }
    }
}

/// Classifies a step's result for the shadow (the comparison itself is on the real types).
#[derive(Debug)]
enum Outcome {
    Sent,
    Received,
    Drained(usize),
    Other,
}

/// Where the sequence runs.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Outside any check: the facade wraps the real channels.
    Outside,
    /// Inside `explore`, on a single thread: the facade runs on leakcheck's model.
    InsideCheck,
}

/// Compares one step's results, building the discrepancy message.
fn compare<R: Debug + PartialEq>(
    ctx: &Ctx<'_>,
    index: usize,
    op: Op,
    step: Step,
    facade: R,
    reference: R,
) -> Result<(), String> {
    if facade == reference {
        return Ok(());
    }
    Err(format!(
        "discrepancy at op #{index} {op:?} (ran as {step:?}) on {flavor} ({mode:?}):\n  \
         facade    returned {facade:?}\n  reference returned {reference:?}\n  ops: {ops:?}",
        flavor = ctx.flavor,
        mode = ctx.mode,
        ops = ctx.ops,
    ))
}

/// What a discrepancy message names.
struct Ctx<'a> {
    flavor: String,
    mode: Mode,
    ops: &'a [Op],
}

/// Runs `body` per `mode`: directly, or inside a one-schedule check on a single thread, turning
/// a failure (a discrepancy panics inside the check) into the report's text.
fn run_in(
    mode: Mode,
    body: impl Fn() -> Result<(), String> + Send + Sync + 'static,
) -> Result<(), String> {
    match mode {
        Mode::Outside => body(),
        Mode::InsideCheck => leakcheck::Config::new()
            .schedules(1)
            .explore(move || {
                if let Err(message) = body() {
                    panic!("{message}");
                }
            })
            .map(|_| ())
            .map_err(|report| format!("the check failed (inside a check):\n{report}")),
    }
}

// ---------------------------------------------------------------------------------------------
// crossbeam-style: `leakcheck::channel` against `crossbeam_channel`.
// ---------------------------------------------------------------------------------------------

/// A crossbeam-style flavor.
#[derive(Clone, Copy, Debug)]
enum CbFlavor {
    /// `bounded(n)`; 0 is a rendezvous.
    Bounded(usize),
    /// `unbounded()`.
    Unbounded,
}

/// The crossbeam-style API, implemented by the facade and by crossbeam-channel itself with the
/// same body (the facade re-exports crossbeam's error types, so results compare directly).
trait CbApi {
    type Tx: Clone;
    type Rx: Clone;
    fn new(flavor: CbFlavor) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, v: u32) -> Result<(), crossbeam_channel::SendError<u32>>;
    fn try_send(tx: &Self::Tx, v: u32) -> Result<(), crossbeam_channel::TrySendError<u32>>;
    fn recv(rx: &Self::Rx) -> Result<u32, crossbeam_channel::RecvError>;
    fn try_recv(rx: &Self::Rx) -> Result<u32, crossbeam_channel::TryRecvError>;
    fn recv_timeout(rx: &Self::Rx, d: Duration)
        -> Result<u32, crossbeam_channel::RecvTimeoutError>;
    fn try_iter(rx: &Self::Rx) -> Vec<u32>;
    /// `(len, is_empty, capacity, is_full)` seen from a sender.
    fn inspect_tx(tx: &Self::Tx) -> (usize, bool, Option<usize>, bool);
    /// `(len, is_empty, capacity, is_full)` seen from a receiver.
    fn inspect_rx(rx: &Self::Rx) -> (usize, bool, Option<usize>, bool);
    /// `Select::try_select` on one send, completed with `v`.
    fn select_send(
        tx: &Self::Tx,
        v: u32,
    ) -> Result<Result<(), crossbeam_channel::SendError<u32>>, crossbeam_channel::TrySelectError>;
    /// `Select::try_select` on one receive, completed.
    fn select_recv(
        rx: &Self::Rx,
    ) -> Result<Result<u32, crossbeam_channel::RecvError>, crossbeam_channel::TrySelectError>;
    /// `Select::try_ready` on a biased selection of a send on `tx` and a receive on `rx`.
    fn try_ready(tx: &Self::Tx, rx: &Self::Rx) -> Result<usize, crossbeam_channel::TryReadyError>;
}

macro_rules! cb_api {
    ($marker:ident => $($m:ident)::+) => {
        struct $marker;
        impl CbApi for $marker {
            type Tx = $($m)::+::Sender<u32>;
            type Rx = $($m)::+::Receiver<u32>;
            fn new(flavor: CbFlavor) -> (Self::Tx, Self::Rx) {
                match flavor {
                    CbFlavor::Bounded(n) => $($m)::+::bounded(n),
                    CbFlavor::Unbounded => $($m)::+::unbounded(),
                }
            }
            fn send(tx: &Self::Tx, v: u32) -> Result<(), crossbeam_channel::SendError<u32>> {
                tx.send(v)
            }
            fn try_send(tx: &Self::Tx, v: u32) -> Result<(), crossbeam_channel::TrySendError<u32>> {
                tx.try_send(v)
            }
            fn recv(rx: &Self::Rx) -> Result<u32, crossbeam_channel::RecvError> {
                rx.recv()
            }
            fn try_recv(rx: &Self::Rx) -> Result<u32, crossbeam_channel::TryRecvError> {
                rx.try_recv()
            }
            fn recv_timeout(rx: &Self::Rx, d: Duration) -> Result<u32, crossbeam_channel::RecvTimeoutError> {
                rx.recv_timeout(d)
            }
            fn try_iter(rx: &Self::Rx) -> Vec<u32> {
                rx.try_iter().collect()
            }
            fn inspect_tx(tx: &Self::Tx) -> (usize, bool, Option<usize>, bool) {
                (tx.len(), tx.is_empty(), tx.capacity(), tx.is_full())
            }
            fn inspect_rx(rx: &Self::Rx) -> (usize, bool, Option<usize>, bool) {
                (rx.len(), rx.is_empty(), rx.capacity(), rx.is_full())
            }
            fn select_send(
                tx: &Self::Tx,
                v: u32,
            ) -> Result<Result<(), crossbeam_channel::SendError<u32>>, crossbeam_channel::TrySelectError> {
                let mut sel = $($m)::+::Select::new();
                sel.send(tx);
                sel.try_select().map(|oper| oper.send(tx, v))
            }
            fn select_recv(
                rx: &Self::Rx,
            ) -> Result<Result<u32, crossbeam_channel::RecvError>, crossbeam_channel::TrySelectError> {
                let mut sel = $($m)::+::Select::new();
                sel.recv(rx);
                sel.try_select().map(|oper| oper.recv(rx))
            }
            fn try_ready(tx: &Self::Tx, rx: &Self::Rx) -> Result<usize, crossbeam_channel::TryReadyError> {
                let mut sel = $($m)::+::Select::new_biased();
                sel.send(tx);
                sel.recv(rx);
                sel.try_ready()
            }
        }
    };
}

cb_api!(CbFacade => leakcheck::channel);
cb_api!(CbReal => crossbeam_channel);

/// One side's live ends.
struct CbEnds<A: CbApi> {
    txs: Vec<A::Tx>,
    rxs: Vec<A::Rx>,
}

impl<A: CbApi> CbEnds<A> {
    fn new(flavor: CbFlavor) -> Self {
        let (tx, rx) = A::new(flavor);
        CbEnds {
            txs: vec![tx],
            rxs: vec![rx],
        }
    }
}

/// The result of a step on a crossbeam-style channel, in crossbeam's own types.
#[derive(PartialEq)]
enum CbResult {
    Send(Result<(), crossbeam_channel::SendError<u32>>),
    TrySend(Result<(), crossbeam_channel::TrySendError<u32>>),
    Recv(Result<u32, crossbeam_channel::RecvError>),
    TryRecv(Result<u32, crossbeam_channel::TryRecvError>),
    RecvTimeout(Result<u32, crossbeam_channel::RecvTimeoutError>),
    TryIter(Vec<u32>),
    /// `(len, is_empty, capacity, is_full)`.
    Inspect(usize, bool, Option<usize>, bool),
    SelectSend(
        Result<Result<(), crossbeam_channel::SendError<u32>>, crossbeam_channel::TrySelectError>,
    ),
    SelectRecv(
        Result<Result<u32, crossbeam_channel::RecvError>, crossbeam_channel::TrySelectError>,
    ),
    TryReady(Result<usize, crossbeam_channel::TryReadyError>),
    Done,
}

/// Shows the messages that errors carry (crossbeam's own `Debug` hides them).
impl Debug for CbResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crossbeam_channel::TrySendError::{Disconnected, Full};
        match self {
            CbResult::Send(Err(e)) => write!(f, "send → Err(SendError({}))", e.0),
            CbResult::Send(Ok(())) => write!(f, "send → Ok(())"),
            CbResult::TrySend(Err(Full(v))) => write!(f, "try_send → Err(Full({v}))"),
            CbResult::TrySend(Err(Disconnected(v))) => {
                write!(f, "try_send → Err(Disconnected({v}))")
            }
            CbResult::TrySend(Ok(())) => write!(f, "try_send → Ok(())"),
            CbResult::Recv(r) => write!(f, "recv → {r:?}"),
            CbResult::TryRecv(r) => write!(f, "try_recv → {r:?}"),
            CbResult::RecvTimeout(r) => write!(f, "recv_timeout → {r:?}"),
            CbResult::TryIter(values) => write!(f, "try_iter → {values:?}"),
            CbResult::Inspect(len, empty, cap, full) => {
                write!(
                    f,
                    "len → {len}, is_empty → {empty}, capacity → {cap:?}, is_full → {full}"
                )
            }
            CbResult::SelectSend(Ok(Err(e))) => {
                write!(f, "select send → Ok(Err(SendError({})))", e.0)
            }
            CbResult::SelectSend(r) => write!(f, "select send → {:?}", r.as_ref().map(|_| ())),
            CbResult::SelectRecv(r) => write!(f, "select recv → {r:?}"),
            CbResult::TryReady(r) => write!(f, "try_ready → {r:?}"),
            CbResult::Done => write!(f, "done"),
        }
    }
}

impl CbResult {
    fn outcome(&self) -> Outcome {
        match self {
            CbResult::Send(Ok(()))
            | CbResult::TrySend(Ok(()))
            | CbResult::SelectSend(Ok(Ok(()))) => Outcome::Sent,
            CbResult::Recv(Ok(_))
            | CbResult::TryRecv(Ok(_))
            | CbResult::RecvTimeout(Ok(_))
            | CbResult::SelectRecv(Ok(Ok(_))) => Outcome::Received,
            CbResult::TryIter(values) => Outcome::Drained(values.len()),
            _ => Outcome::Other,
        }
    }
}

fn cb_apply<A: CbApi>(ends: &mut CbEnds<A>, step: Step) -> CbResult {
    match step {
        Step::TrySend { tx, value } => CbResult::TrySend(A::try_send(&ends.txs[tx], value)),
        Step::Send { tx, value } => CbResult::Send(A::send(&ends.txs[tx], value)),
        Step::TryRecv { rx } => CbResult::TryRecv(A::try_recv(&ends.rxs[rx])),
        Step::Recv { rx } => CbResult::Recv(A::recv(&ends.rxs[rx])),
        Step::RecvTimeout { rx } => {
            CbResult::RecvTimeout(A::recv_timeout(&ends.rxs[rx], Duration::ZERO))
        }
        Step::TryIter { rx } => CbResult::TryIter(A::try_iter(&ends.rxs[rx])),
        Step::CloneSender { tx } => {
            let clone = ends.txs[tx].clone();
            ends.txs.push(clone);
            CbResult::Done
        }
        Step::DropSender { tx } => {
            drop(ends.txs.remove(tx));
            CbResult::Done
        }
        Step::CloneReceiver { rx } => {
            let clone = ends.rxs[rx].clone();
            ends.rxs.push(clone);
            CbResult::Done
        }
        Step::DropReceiver { rx } => {
            drop(ends.rxs.remove(rx));
            CbResult::Done
        }
        Step::InspectSender { tx } => {
            let (len, empty, cap, full) = A::inspect_tx(&ends.txs[tx]);
            CbResult::Inspect(len, empty, cap, full)
        }
        Step::InspectReceiver { rx } => {
            let (len, empty, cap, full) = A::inspect_rx(&ends.rxs[rx]);
            CbResult::Inspect(len, empty, cap, full)
        }
        Step::SelectSend { tx, value } => {
            CbResult::SelectSend(A::select_send(&ends.txs[tx], value))
        }
        Step::SelectRecv { rx } => CbResult::SelectRecv(A::select_recv(&ends.rxs[rx])),
        Step::TryReady { tx, rx } => CbResult::TryReady(A::try_ready(&ends.txs[tx], &ends.rxs[rx])),
        Step::Skip => CbResult::Done,
    }
}

/// Runs `ops` on a facade channel and a crossbeam channel of `flavor`, step by step.
/// `len_without_receivers`: whether a sender's `len`/`is_empty` is compared once every receiver
/// is gone.
fn cb_run(
    flavor: CbFlavor,
    ops: &[Op],
    mode: Mode,
    len_without_receivers: bool,
) -> Result<(), String> {
    let ctx = Ctx {
        flavor: format!("channel::{flavor:?}"),
        mode,
        ops,
    };
    let capacity = match flavor {
        CbFlavor::Bounded(n) => Some(n),
        CbFlavor::Unbounded => None,
    };
    let mut shadow = Shadow {
        len_without_receivers,
        ..Shadow::new(capacity)
    };
    let mut facade = CbEnds::<CbFacade>::new(flavor);
    let mut reference = CbEnds::<CbReal>::new(flavor);
    for (index, &op) in ops.iter().enumerate() {
        let step = shadow.resolve(op);
        let got = cb_apply(&mut facade, step);
        let want = cb_apply(&mut reference, step);
        shadow.after(step, &want.outcome());
        compare(&ctx, index, op, step, got, want)?;
    }
    Ok(())
}

fn cb_flavor() -> impl Strategy<Value = CbFlavor> {
    prop_oneof![
        3 => (1usize..4).prop_map(CbFlavor::Bounded),
        1 => Just(CbFlavor::Bounded(0)),
        2 => Just(CbFlavor::Unbounded),
    ]
}

/// Operations, weighted so that buffers fill up and ends are rarely dropped; receiver clones and
/// `len`/`is_empty`/`capacity` only for crossbeam-style channels (std's have neither).
fn ops(crossbeam: bool) -> impl Strategy<Value = Vec<Op>> {
    let i = || 0usize..4;
    let mut choices: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (8, i().prop_map(Op::TrySend).boxed()),
        (8, i().prop_map(Op::Send).boxed()),
        (6, i().prop_map(Op::TryRecv).boxed()),
        (6, i().prop_map(Op::Recv).boxed()),
        (4, i().prop_map(Op::RecvTimeout).boxed()),
        (2, i().prop_map(Op::TryIter).boxed()),
        (3, i().prop_map(Op::CloneSender).boxed()),
        (2, i().prop_map(Op::DropSender).boxed()),
        (1, i().prop_map(Op::DropReceiver).boxed()),
    ];
    if crossbeam {
        choices.push((2, i().prop_map(Op::CloneReceiver).boxed()));
        choices.push((4, i().prop_map(Op::SelectSend).boxed()));
        choices.push((4, i().prop_map(Op::SelectRecv).boxed()));
        choices.push((2, i().prop_map(Op::TryReady).boxed()));
        choices.push((
            4,
            (any::<bool>(), i())
                .prop_map(|(s, i)| Op::Inspect(s, i))
                .boxed(),
        ));
    }
    proptest::collection::vec(
        proptest::strategy::Union::new_weighted(choices),
        0..=MAX_OPS,
    )
}

// ---------------------------------------------------------------------------------------------
// std-style: `leakcheck::sync::mpsc` against `std::sync::mpsc`.
// ---------------------------------------------------------------------------------------------

/// A std mpsc flavor.
#[derive(Clone, Copy, Debug)]
enum MpscFlavor {
    /// `channel()`.
    Channel,
    /// `sync_channel(n)`; 0 is a rendezvous.
    Sync(usize),
}

/// A std-style sender: `Sender` of `channel()` or `SyncSender` of `sync_channel(n)`.
enum Tx<S, Y> {
    Async(S),
    Sync(Y),
}

/// The std-style API, implemented by the facade and by std itself with the same body (the
/// facade re-exports std's error types).
trait MpscApi {
    type Tx;
    type SyncTx;
    type Rx;
    fn new(flavor: MpscFlavor) -> (Tx<Self::Tx, Self::SyncTx>, Self::Rx);
    fn clone_tx(tx: &Tx<Self::Tx, Self::SyncTx>) -> Tx<Self::Tx, Self::SyncTx>;
    fn send(tx: &Tx<Self::Tx, Self::SyncTx>, v: u32)
        -> Result<(), std::sync::mpsc::SendError<u32>>;
    /// `try_send` of a `SyncSender`; `None` for a `Sender`, which has none.
    fn try_send(
        tx: &Tx<Self::Tx, Self::SyncTx>,
        v: u32,
    ) -> Option<Result<(), std::sync::mpsc::TrySendError<u32>>>;
    fn recv(rx: &Self::Rx) -> Result<u32, std::sync::mpsc::RecvError>;
    fn try_recv(rx: &Self::Rx) -> Result<u32, std::sync::mpsc::TryRecvError>;
    fn recv_timeout(rx: &Self::Rx, d: Duration) -> Result<u32, std::sync::mpsc::RecvTimeoutError>;
    fn try_iter(rx: &Self::Rx) -> Vec<u32>;
}

macro_rules! mpsc_api {
    ($marker:ident => $($m:ident)::+) => {
        struct $marker;
        impl MpscApi for $marker {
            type Tx = $($m)::+::Sender<u32>;
            type SyncTx = $($m)::+::SyncSender<u32>;
            type Rx = $($m)::+::Receiver<u32>;
            fn new(flavor: MpscFlavor) -> (Tx<Self::Tx, Self::SyncTx>, Self::Rx) {
                match flavor {
                    MpscFlavor::Channel => {
                        let (tx, rx) = $($m)::+::channel();
                        (Tx::Async(tx), rx)
                    }
                    MpscFlavor::Sync(n) => {
                        let (tx, rx) = $($m)::+::sync_channel(n);
                        (Tx::Sync(tx), rx)
                    }
                }
            }
            fn clone_tx(tx: &Tx<Self::Tx, Self::SyncTx>) -> Tx<Self::Tx, Self::SyncTx> {
                match tx {
                    Tx::Async(tx) => Tx::Async(tx.clone()),
                    Tx::Sync(tx) => Tx::Sync(tx.clone()),
                }
            }
            fn send(tx: &Tx<Self::Tx, Self::SyncTx>, v: u32) -> Result<(), std::sync::mpsc::SendError<u32>> {
                match tx {
                    Tx::Async(tx) => tx.send(v),
                    Tx::Sync(tx) => tx.send(v),
                }
            }
            fn try_send(tx: &Tx<Self::Tx, Self::SyncTx>, v: u32) -> Option<Result<(), std::sync::mpsc::TrySendError<u32>>> {
                match tx {
                    Tx::Async(_) => None,
                    Tx::Sync(tx) => Some(tx.try_send(v)),
                }
            }
            fn recv(rx: &Self::Rx) -> Result<u32, std::sync::mpsc::RecvError> {
                rx.recv()
            }
            fn try_recv(rx: &Self::Rx) -> Result<u32, std::sync::mpsc::TryRecvError> {
                rx.try_recv()
            }
            fn recv_timeout(rx: &Self::Rx, d: Duration) -> Result<u32, std::sync::mpsc::RecvTimeoutError> {
                rx.recv_timeout(d)
            }
            fn try_iter(rx: &Self::Rx) -> Vec<u32> {
                rx.try_iter().collect()
            }
        }
    };
}

mpsc_api!(MpscFacade => leakcheck::sync::mpsc);
mpsc_api!(MpscReal => std::sync::mpsc);

/// One side's live ends (std's receiver is not cloneable: at most one).
struct MpscEnds<A: MpscApi> {
    txs: Vec<Tx<A::Tx, A::SyncTx>>,
    rx: Option<A::Rx>,
}

impl<A: MpscApi> MpscEnds<A> {
    fn new(flavor: MpscFlavor) -> Self {
        let (tx, rx) = A::new(flavor);
        MpscEnds {
            txs: vec![tx],
            rx: Some(rx),
        }
    }

    fn rx(&self) -> &A::Rx {
        self.rx
            .as_ref()
            .expect("the shadow only picks a live receiver")
    }
}

/// The result of a step on a std-style channel, in std's own types.
#[derive(PartialEq)]
enum MpscResult {
    Send(Result<(), std::sync::mpsc::SendError<u32>>),
    TrySend(Result<(), std::sync::mpsc::TrySendError<u32>>),
    Recv(Result<u32, std::sync::mpsc::RecvError>),
    TryRecv(Result<u32, std::sync::mpsc::TryRecvError>),
    RecvTimeout(Result<u32, std::sync::mpsc::RecvTimeoutError>),
    TryIter(Vec<u32>),
    Done,
}

/// Shows the messages that errors carry (std's own `Debug` hides them).
impl Debug for MpscResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::sync::mpsc::TrySendError::{Disconnected, Full};
        match self {
            MpscResult::Send(Err(e)) => write!(f, "send → Err(SendError({}))", e.0),
            MpscResult::Send(Ok(())) => write!(f, "send → Ok(())"),
            MpscResult::TrySend(Err(Full(v))) => write!(f, "try_send → Err(Full({v}))"),
            MpscResult::TrySend(Err(Disconnected(v))) => {
                write!(f, "try_send → Err(Disconnected({v}))")
            }
            MpscResult::TrySend(Ok(())) => write!(f, "try_send → Ok(())"),
            MpscResult::Recv(r) => write!(f, "recv → {r:?}"),
            MpscResult::TryRecv(r) => write!(f, "try_recv → {r:?}"),
            MpscResult::RecvTimeout(r) => write!(f, "recv_timeout → {r:?}"),
            MpscResult::TryIter(values) => write!(f, "try_iter → {values:?}"),
            MpscResult::Done => write!(f, "done"),
        }
    }
}

impl MpscResult {
    fn outcome(&self) -> Outcome {
        match self {
            MpscResult::Send(Ok(())) | MpscResult::TrySend(Ok(())) => Outcome::Sent,
            MpscResult::Recv(Ok(_))
            | MpscResult::TryRecv(Ok(_))
            | MpscResult::RecvTimeout(Ok(_)) => Outcome::Received,
            MpscResult::TryIter(values) => Outcome::Drained(values.len()),
            _ => Outcome::Other,
        }
    }
}

fn mpsc_apply<A: MpscApi>(ends: &mut MpscEnds<A>, step: Step) -> MpscResult {
    match step {
        // std's `Sender` has no `try_send`; its `send` never blocks.
        Step::TrySend { tx, value } => match A::try_send(&ends.txs[tx], value) {
            Some(result) => MpscResult::TrySend(result),
            None => MpscResult::Send(A::send(&ends.txs[tx], value)),
        },
        Step::Send { tx, value } => MpscResult::Send(A::send(&ends.txs[tx], value)),
        Step::TryRecv { .. } => MpscResult::TryRecv(A::try_recv(ends.rx())),
        Step::Recv { .. } => MpscResult::Recv(A::recv(ends.rx())),
        Step::RecvTimeout { .. } => {
            MpscResult::RecvTimeout(A::recv_timeout(ends.rx(), Duration::ZERO))
        }
        Step::TryIter { .. } => MpscResult::TryIter(A::try_iter(ends.rx())),
        Step::CloneSender { tx } => {
            let clone = A::clone_tx(&ends.txs[tx]);
            ends.txs.push(clone);
            MpscResult::Done
        }
        Step::DropSender { tx } => {
            drop(ends.txs.remove(tx));
            MpscResult::Done
        }
        Step::DropReceiver { .. } => {
            drop(ends.rx.take());
            MpscResult::Done
        }
        Step::CloneReceiver { .. }
        | Step::InspectSender { .. }
        | Step::InspectReceiver { .. }
        | Step::SelectSend { .. }
        | Step::SelectRecv { .. }
        | Step::TryReady { .. } => {
            unreachable!("not generated for std's mpsc: {step:?}")
        }
        Step::Skip => MpscResult::Done,
    }
}

/// Runs `ops` on a facade channel and a std channel of `flavor`, step by step.
fn mpsc_run(flavor: MpscFlavor, ops: &[Op], mode: Mode) -> Result<(), String> {
    let ctx = Ctx {
        flavor: format!("mpsc::{flavor:?}"),
        mode,
        ops,
    };
    let capacity = match flavor {
        MpscFlavor::Sync(n) => Some(n),
        MpscFlavor::Channel => None,
    };
    let mut shadow = Shadow::new(capacity);
    let mut facade = MpscEnds::<MpscFacade>::new(flavor);
    let mut reference = MpscEnds::<MpscReal>::new(flavor);
    for (index, &op) in ops.iter().enumerate() {
        let step = shadow.resolve(op);
        let got = mpsc_apply(&mut facade, step);
        let want = mpsc_apply(&mut reference, step);
        shadow.after(step, &want.outcome());
        compare(&ctx, index, op, step, got, want)?;
    }
    Ok(())
}

fn mpsc_flavor() -> impl Strategy<Value = MpscFlavor> {
    prop_oneof![
        2 => Just(MpscFlavor::Channel),
        3 => (1usize..4).prop_map(MpscFlavor::Sync),
        1 => Just(MpscFlavor::Sync(0)),
    ]
}

// ---------------------------------------------------------------------------------------------
// The properties.
// ---------------------------------------------------------------------------------------------

/// [`CASES`] cases, unless `PROPTEST_CASES` asks for another number (for a deeper local run).
fn config() -> ProptestConfig {
    let defaults = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            defaults.cases
        } else {
            CASES
        },
        // No regression files next to this test: a failure prints its minimal sequence.
        failure_persistence: None,
        ..defaults
    }
}

/// Runs one sequence outside a check, then inside one.
fn both_modes(run: impl Fn(Mode) -> Result<(), String>) -> Result<(), TestCaseError> {
    for mode in [Mode::Outside, Mode::InsideCheck] {
        run(mode).map_err(TestCaseError::fail)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// `leakcheck::channel` (bounded 0..4, unbounded) behaves as crossbeam-channel, every
    /// operation compared.
    ///
    /// It found that crossbeam's `bounded(n)` keeps its buffered messages when the last
    /// receiver goes (its list flavor, like std's mpsc, discards them), which the model now
    /// does too; [`bounded_sender_len_after_every_receiver_dropped`] pins that sequence.
    #[test]
    fn crossbeam_style_matches_crossbeam(flavor in cb_flavor(), ops in ops(true)) {
        both_modes(|mode| {
            let ops = ops.clone();
            run_in(mode, move || cb_run(flavor, &ops, mode, true))
        })?;
    }

    /// `leakcheck::sync::mpsc` (channel, sync_channel 0..4) behaves as std's mpsc.
    #[test]
    fn mpsc_matches_std(flavor in mpsc_flavor(), ops in ops(false)) {
        both_modes(|mode| {
            let ops = ops.clone();
            run_in(mode, move || mpsc_run(flavor, &ops, mode))
        })?;
    }
}

// ---------------------------------------------------------------------------------------------
// Rendezvous channels, which a single thread can only drive without blocking in a few ways.
// ---------------------------------------------------------------------------------------------

/// Both modes of a fixed sequence, failing with the discrepancy or the report.
fn fixed(run: impl Fn(Mode) -> Result<(), String> + Send + Sync + Clone + 'static) {
    for mode in [Mode::Outside, Mode::InsideCheck] {
        let run = run.clone();
        if let Err(message) = run_in(mode, move || run(mode)) {
            panic!("{message}");
        }
    }
}

#[test]
fn rendezvous_try_send_without_a_waiting_receiver_is_full() {
    use Op::*;
    // try_send → Full(1), Full(2) (from a clone); recv_timeout → Timeout; the receiver goes:
    // try_send → Disconnected(3), send → SendError(4).
    let ops = [
        TrySend(0),
        CloneSender(0),
        TrySend(1),
        RecvTimeout(0),
        TryRecv(0),
        DropReceiver(0),
        TrySend(0),
        Send(1),
    ];
    fixed(move |mode| cb_run(CbFlavor::Bounded(0), &ops, mode, true));
    fixed(move |mode| mpsc_run(MpscFlavor::Sync(0), &ops, mode));
}

#[test]
fn rendezvous_recv_after_every_sender_dropped_is_err() {
    use Op::*;
    // Two senders, both dropped: recv → Err(RecvError), try_recv → Disconnected,
    // recv_timeout → Disconnected.
    let ops = [
        CloneSender(0),
        DropSender(0),
        TryRecv(0),
        RecvTimeout(0),
        DropSender(0),
        Recv(0),
        TryRecv(0),
        RecvTimeout(0),
    ];
    fixed(move |mode| cb_run(CbFlavor::Bounded(0), &ops, mode, true));
    fixed(move |mode| mpsc_run(MpscFlavor::Sync(0), &ops, mode));
}

/// The minimal sequence [`crossbeam_style_matches_crossbeam`] finds, as a plain test.
#[test]
fn bounded_sender_len_after_every_receiver_dropped() {
    use Op::*;
    let ops = [TrySend(0), DropReceiver(0), Inspect(true, 0)];
    fixed(move |mode| cb_run(CbFlavor::Bounded(1), &ops, mode, true));
}

/// The expected values themselves, not only agreement: guards against both sides being wrong in
/// the same way through a mistake in this file's plumbing.
#[test]
fn rendezvous_results_are_the_documented_ones() {
    fixed(|mode| {
        let (tx, rx) = leakcheck::channel::bounded::<u32>(0);
        let check = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("{what} ({mode:?})"))
            }
        };
        check(
            tx.try_send(1) == Err(crossbeam_channel::TrySendError::Full(1)),
            "try_send → Full(1)",
        )?;
        check(
            rx.recv_timeout(Duration::ZERO) == Err(crossbeam_channel::RecvTimeoutError::Timeout),
            "recv_timeout → Timeout",
        )?;
        check(
            tx.capacity() == Some(0) && tx.is_empty(),
            "capacity 0, empty",
        )?;
        drop(tx);
        check(rx.recv() == Err(crossbeam_channel::RecvError), "recv → Err")?;

        let (tx, rx) = leakcheck::sync::mpsc::sync_channel::<u32>(0);
        check(
            tx.try_send(1) == Err(std::sync::mpsc::TrySendError::Full(1)),
            "mpsc try_send → Full(1)",
        )?;
        drop(rx);
        check(
            tx.send(2) == Err(std::sync::mpsc::SendError(2)),
            "mpsc send → SendError(2)",
        )?;
        Ok(())
    });
}
