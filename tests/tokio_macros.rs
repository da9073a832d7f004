//! tokio's `select!`, `join!` and `try_join!` as leakcheck's (`__tokio_select`, `__tokio_join`,
//! `__tokio_try_join`, shown as `leakcheck::tokio::{select, join, try_join}`): outside a check,
//! on a real tokio runtime, every syntax form and tokio's semantics (disabled branches, `else`,
//! preconditions, `biased;`, the all-disabled panic, futures dropped before the handler,
//! `!Unpin` futures, `join!`'s polling order compared with tokio's own macros, `try_join!`'s
//! short circuit); inside a check, on a tiny executor of the test's own, the first branch of a
//! `select!` is a recorded choice: both ready branches are taken across schedules, `biased;`
//! takes the first, a failing schedule's replay takes the same branch, and `join!` records no
//! choice; and on leakcheck's modelled runtime (`leakcheck::block_on`), a `select!` over two
//! tasks' `JoinHandle`s is clean with either winning, and a replay takes the same branch.
#![cfg(feature = "tokio")]

mod common;

use std::cell::RefCell;
use std::future::{Future, IntoFuture};
use std::marker::PhantomPinned;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Wake, Waker};

use common::{fails, kinds};
use leakcheck::{
    __tokio_join as join, __tokio_select as select, __tokio_try_join as try_join, Config, Detail,
    FindingKind, Scheduler,
};

const SCHEDULES: usize = 200;
const SCHEDULERS: [Scheduler; 2] = [Scheduler::Random, Scheduler::Pct { depth: 3 }];

/// Runs `fut` on a real current-thread tokio runtime.
fn on_tokio<F: Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fut)
}

/// A future that returns `Pending` `n` times (waking itself each time), then `value`; it logs
/// `name` at each poll.
struct Pendings<T> {
    n: usize,
    value: Option<T>,
    name: &'static str,
    log: Rc<RefCell<Vec<&'static str>>>,
}

impl<T: Unpin> Future for Pendings<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.log.borrow_mut().push(self.name);
        if self.n == 0 {
            Poll::Ready(self.value.take().expect("polled after completion"))
        } else {
            self.n -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn pendings<T>(
    n: usize,
    value: T,
    name: &'static str,
    log: &Rc<RefCell<Vec<&'static str>>>,
) -> Pendings<T> {
    Pendings {
        n,
        value: Some(value),
        name,
        log: Rc::clone(log),
    }
}

/// A future that must never be polled.
struct NeverPoll;

impl Future for NeverPoll {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        panic!("a disabled branch's future was polled");
    }
}

/// A future that is pending forever and logs its drop.
struct PendingForever {
    name: &'static str,
    log: Rc<RefCell<Vec<&'static str>>>,
}

impl Future for PendingForever {
    type Output = Result<u32, String>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Pending
    }
}

impl Drop for PendingForever {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.name);
    }
}

/// A `!Unpin` future (it holds `PhantomPinned`).
struct Pinned {
    value: u32,
    _pin: PhantomPinned,
}

impl Future for Pinned {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(self.value)
    }
}

fn pinned(value: u32) -> Pinned {
    Pinned {
        value,
        _pin: PhantomPinned,
    }
}

/// Not a future, but `IntoFuture`.
struct Later(u32);

impl IntoFuture for Later {
    type Output = u32;
    type IntoFuture = std::future::Ready<u32>;
    fn into_future(self) -> Self::IntoFuture {
        std::future::ready(self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// select!, outside a check

#[test]
fn select_accepts_every_syntax_form_of_tokio() {
    on_tokio(async {
        let yes = true;
        // A block handler with and without its comma, an expression handler with a comma and
        // at the end without one, each with and without a precondition.
        let a = select! {
            biased;
            v = async { 1 }, if yes => { v }
            v = async { 2 } => { v },
            v = async { 3 }, if yes => v,
            v = async { 4 } => v
        };
        assert_eq!(a, 1);
        let b = select! {
            biased;
            v = async { 1 }, if !yes => { v },
            v = async { 2 }, if !yes => { v }
            v = async { 3 }, if yes => v,
        };
        assert_eq!(b, 3);
        let c = select! {
            v = async { 5 } => { v }
        };
        assert_eq!(c, 5);
        let d = select! {
            v = async { 6 } => v,
        };
        assert_eq!(d, 6);
        let e = select! {
            v = async { 7 }, if yes => v
        };
        assert_eq!(e, 7);
        // `else`, with and without its comma, after any form of branch.
        let f = select! {
            Some(v) = async { None::<u32> } => { v }
            else => 8,
        };
        assert_eq!(f, 8);
        let g = select! {
            Some(v) = async { None::<u32> } => v,
            else => { 9 }
        };
        assert_eq!(g, 9);
        // Only `else`, biased or not.
        assert_eq!(select! { else => 10 }, 10);
        assert_eq!(select! { biased; else => 11, }, 11);
        // A unit handler and a `_` pattern.
        let mut hits = 0;
        select! {
            _ = async {} => hits += 1,
        }
        assert_eq!(hits, 1);
        // Anything `IntoFuture`, and `!Unpin` futures (async blocks, `PhantomPinned`).
        assert_eq!(select! { v = Later(12) => v }, 12);
        let text = String::from("thirteen");
        let borrowed = async {
            tokio::task::yield_now().await;
            text.len() as u32 // a reference held across an await: !Unpin
        };
        assert_eq!(
            select! { biased; v = borrowed => v, v = pinned(0), if false => v },
            8
        );
        assert_eq!(select! { v = pinned(14) => v }, 14);
    });
}

#[test]
fn a_pattern_that_does_not_match_disables_its_branch_and_the_others_go_on() {
    for _ in 0..100 {
        let log = Rc::new(RefCell::new(Vec::new()));
        let out = on_tokio(async {
            select! {
                Some(v) = async { None::<u32> } => v,
                v = pendings(2, 7, "other", &log) => v + 100,
            }
        });
        assert_eq!(out, 107);
        assert_eq!(*log.borrow(), ["other"; 3]);
    }
    // Within one poll: biased, the first branch completes without matching, the second runs.
    let out = on_tokio(async {
        select! {
            biased;
            Ok(v) = async { Err::<u32, u32>(1) } => v,
            Err(e) = async { Err::<u32, u32>(2) } => e + 10,
        }
    });
    assert_eq!(out, 12);
}

#[test]
fn else_runs_when_every_branch_is_disabled() {
    let out = on_tokio(async {
        select! {
            Some(v) = async { None::<u32> } => v,
            Ok(v) = async { Err::<u32, ()>(()) } => v,
            v = NeverPoll, if false => v,
            else => 42,
        }
    });
    assert_eq!(out, 42);
}

#[test]
fn preconditions_run_before_the_futures_are_made_and_disabled_futures_are_made_not_polled() {
    let order = RefCell::new(Vec::new());
    let out = on_tokio(async {
        let cond = |name: &'static str, value: bool| {
            order.borrow_mut().push(name);
            value
        };
        fn made<F>(order: &RefCell<Vec<&'static str>>, name: &'static str, future: F) -> F {
            order.borrow_mut().push(name);
            future
        }
        select! {
            v = made(&order, "future 1", NeverPoll), if cond("precondition 1", false) => v,
            v = made(&order, "future 2", async { 2 }), if cond("precondition 2", true) => v,
        }
    });
    assert_eq!(out, 2);
    assert_eq!(
        *order.borrow(),
        ["precondition 1", "precondition 2", "future 1", "future 2"]
    );
}

#[test]
fn biased_polls_top_to_bottom_and_unbiased_starts_anywhere() {
    let mut seen = [0usize; 3];
    for _ in 0..300 {
        let log = Rc::new(RefCell::new(Vec::new()));
        let out = on_tokio(async {
            select! {
                biased;
                v = pendings(1, 0, "a", &log) => v,
                v = pendings(0, 1, "b", &log) => v,
                v = pendings(0, 2, "c", &log) => v,
            }
        });
        assert_eq!(out, 1);
        assert_eq!(*log.borrow(), ["a", "b"]);
        let out = on_tokio(async {
            select! {
                v = async { 0 } => v,
                v = async { 1 } => v,
                v = async { 2 } => v,
            }
        });
        seen[out] += 1;
    }
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
}

#[test]
fn with_every_branch_disabled_and_no_else_it_panics_with_tokios_message() {
    fn message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(f).expect_err("must panic");
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap()
    }
    let ours = message(|| {
        on_tokio(async {
            select! {
                Some(v) = async { None::<u32> } => v,
                v = NeverPoll, if false => v,
            }
        });
    });
    let tokios = message(|| {
        on_tokio(async {
            tokio::select! {
                Some(v) = async { None::<u32> } => v,
                v = NeverPoll, if false => v,
            }
        });
    });
    assert_eq!(
        ours,
        "all branches are disabled and there is no else branch"
    );
    assert_eq!(ours, tokios);
}

#[test]
fn the_futures_are_dropped_before_the_handler_which_may_use_what_they_borrowed() {
    on_tokio(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
        tx.send(5).await.unwrap();
        let got = select! {
            biased;
            Some(v) = rx.recv() => {
                log.borrow_mut().push("handler");
                rx.close(); // `rx` was borrowed by the branch's future
                v
            }
            _ = PendingForever { name: "other dropped", log: Rc::clone(&log) } => 0,
        };
        assert_eq!(got, 5);
        assert_eq!(*log.borrow(), ["other dropped", "handler"]);
    });
}

#[test]
fn bindings_may_be_mut_or_ref_and_handlers_may_break_continue_return_and_await() {
    async fn first_even(values: &[u32]) -> Result<u32, String> {
        let mut i = 0;
        loop {
            let v = values.get(i).copied();
            i += 1;
            select! {
                Some(v) = async { v } => {
                    if v % 2 == 1 {
                        continue;
                    }
                    tokio::task::yield_now().await;
                    if v == 0 {
                        return Err("zero".into());
                    }
                    break Ok(v);
                }
                else => break Err("none".into()),
            }
        }
    }
    on_tokio(async {
        assert_eq!(first_even(&[1, 3, 4, 5]).await, Ok(4));
        assert_eq!(first_even(&[1, 0]).await, Err("zero".into()));
        assert_eq!(first_even(&[1]).await, Err("none".into()));
        let v = select! {
            Some(mut v) = async { Some(vec![1]) } => { v.push(2); v }
        };
        assert_eq!(v, [1, 2]);
        let n = select! {
            (ref a, mut b) = async { (String::from("ab"), 1) } => { b += a.len(); b }
        };
        assert_eq!(n, 3);
    });
}

// ---------------------------------------------------------------------------------------------
// join! and try_join!, outside a check

#[test]
fn join_gives_the_outputs_in_order_and_accepts_every_form() {
    on_tokio(async {
        #[allow(clippy::unit_cmp)]
        {
            assert_eq!(join!(), ());
            assert_eq!(join!(biased;), ());
        }
        let (a,) = join!(async { 1 });
        assert_eq!(a, 1);
        let (a, b, c) = join!(async { 1 }, async { "two" }, Later(3),);
        assert_eq!((a, b, c), (1, "two", 3));
        let (a, b) = join!(biased; pinned(4), async { tokio::task::yield_now().await; 5 });
        assert_eq!((a, b), (4, 5));
    });
}

/// The order in which `join` (ours or tokio's) polls three futures pending 0, 2 and 1 times.
macro_rules! poll_order {
    ($join:ident!($($biased:tt)*)) => {{
        let log = Rc::new(RefCell::new(Vec::new()));
        let out = on_tokio(async {
            $join!($($biased)* pendings(0, 'a', "a", &log), pendings(2, 'b', "b", &log), pendings(1, 'c', "c", &log))
        });
        assert_eq!(out, ('a', 'b', 'c'));
        let order = log.borrow().clone();
        order
    }};
}

/// The same for `try_join`.
macro_rules! try_poll_order {
    ($join:ident!($($biased:tt)*)) => {{
        let log = Rc::new(RefCell::new(Vec::new()));
        let out: Result<_, ()> = on_tokio(async {
            $join!($($biased)* pendings(0, Ok('a'), "a", &log), pendings(2, Ok('b'), "b", &log), pendings(1, Ok('c'), "c", &log))
        });
        assert_eq!(out, Ok(('a', 'b', 'c')));
        let order = log.borrow().clone();
        order
    }};
}

#[test]
fn join_and_try_join_poll_in_tokios_rotation() {
    use tokio::{join as tokio_join, try_join as tokio_try_join};
    // Rotation: each poll starts one further along.
    let ours = poll_order!(join!());
    assert_eq!(ours, ["a", "b", "c", "b", "c", "b"]);
    assert_eq!(ours, poll_order!(tokio_join!()));
    let ours = poll_order!(join!(biased;));
    assert_eq!(ours, ["a", "b", "c", "b", "c", "b"]);
    assert_eq!(ours, poll_order!(tokio_join!(biased;)));
    assert_eq!(
        try_poll_order!(try_join!()),
        try_poll_order!(tokio_try_join!())
    );
    assert_eq!(
        try_poll_order!(try_join!(biased;)),
        try_poll_order!(tokio_try_join!(biased;))
    );
    // Four futures, where rotation and bias differ.
    let four = |biased: bool| {
        let log = Rc::new(RefCell::new(Vec::new()));
        on_tokio(async {
            if biased {
                join!(biased; pendings(1, (), "a", &log), pendings(3, (), "b", &log), pendings(0, (), "c", &log), pendings(2, (), "d", &log));
            } else {
                join!(
                    pendings(1, (), "a", &log),
                    pendings(3, (), "b", &log),
                    pendings(0, (), "c", &log),
                    pendings(2, (), "d", &log)
                );
            }
        });

        log.borrow().clone()
    };
    let tokio_four = |biased: bool| {
        let log = Rc::new(RefCell::new(Vec::new()));
        on_tokio(async {
            if biased {
                tokio::join!(biased; pendings(1, (), "a", &log), pendings(3, (), "b", &log), pendings(0, (), "c", &log), pendings(2, (), "d", &log));
            } else {
                tokio::join!(
                    pendings(1, (), "a", &log),
                    pendings(3, (), "b", &log),
                    pendings(0, (), "c", &log),
                    pendings(2, (), "d", &log)
                );
            }
        });

        log.borrow().clone()
    };
    assert_eq!(four(false), tokio_four(false));
    assert_eq!(four(true), tokio_four(true));
    assert_ne!(four(false), four(true));
}

#[test]
fn try_join_gives_ok_outputs_or_the_first_err_at_once() {
    on_tokio(async {
        assert_eq!(try_join!(), Ok::<(), ()>(()));
        assert_eq!(try_join!(biased;), Ok::<(), ()>(()));
        let ok: Result<(u32, &str), String> = try_join!(async { Ok(1) }, async { Ok("two") },);
        assert_eq!(ok, Ok((1, "two")));
        // The first `Err` ends it: the unfinished future is dropped, never completed.
        let log = Rc::new(RefCell::new(Vec::new()));
        let err: Result<(u32, u32, u32), String> = try_join!(
            PendingForever {
                name: "pending dropped",
                log: Rc::clone(&log)
            },
            async {
                tokio::task::yield_now().await;
                Err("second".to_string())
            },
            async {
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
                Err("third".to_string())
            },
        );
        assert_eq!(err, Err("second".to_string()));
        assert_eq!(*log.borrow(), ["pending dropped"]);
        let pinned_ok: Result<(u32,), ()> = try_join!(biased; async { Ok(pinned(6).await) });
        assert_eq!(pinned_ok, Ok((6,)));
    });
}

// ---------------------------------------------------------------------------------------------
// Inside a check

/// A waker that only raises a flag.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The test's own executor: polls `fut` until it is ready, with a scheduling point between
/// polls. No runtime: the macros need none.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let flag = Arc::new(Flag(AtomicBool::new(true)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    loop {
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        if !flag.0.load(Ordering::SeqCst) {
            leakcheck::thread::yield_now();
        }
    }
}

/// Which branch each execution took: set by the body, read after the check.
struct Taken(StdMutex<Vec<usize>>);

impl Taken {
    const fn new() -> Self {
        Taken(StdMutex::new(Vec::new()))
    }
    fn push(&self, branch: usize) {
        self.0.lock().unwrap().push(branch);
    }
    fn take(&self) -> Vec<usize> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn inside_a_check_both_ready_branches_are_taken_across_schedules() {
    static TAKEN: Taken = Taken::new();
    for scheduler in SCHEDULERS {
        Config::new()
            .scheduler(scheduler)
            .schedules(SCHEDULES)
            .check(|| {
                let branch = block_on(async {
                    select! {
                        _ = async {} => 0,
                        _ = async {} => 1,
                    }
                });
                TAKEN.push(branch);
            });
        let taken = TAKEN.take();
        assert_eq!(taken.len(), SCHEDULES, "{scheduler}");
        for branch in [0, 1] {
            assert!(taken.contains(&branch), "{scheduler}: {taken:?}");
        }
    }
    // The exhaustive search enumerates the choice: exactly two executions, one per branch.
    let summary = Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: 2,
        })
        .explore(|| {
            let branch = block_on(async {
                select! {
                    _ = async {} => 0,
                    _ = async {} => 1,
                }
            });
            TAKEN.push(branch);
        })
        .unwrap();
    assert_eq!(summary.complete(), Some(true));
    let mut taken = TAKEN.take();
    taken.sort();
    assert_eq!(taken, [0, 1]);
    assert_eq!(summary.schedules(), 2);
}

#[test]
fn inside_a_check_biased_always_takes_the_first_ready_branch() {
    static TAKEN: Taken = Taken::new();
    let body = || {
        let branch = block_on(async {
            select! {
                biased;
                _ = async {} => 0,
                _ = async {} => 1,
                Some(_) = async { None::<()> } => 2,
            }
        });
        TAKEN.push(branch);
    };
    for scheduler in SCHEDULERS {
        Config::new()
            .scheduler(scheduler)
            .schedules(SCHEDULES)
            .check(body);
        let taken = TAKEN.take();
        assert_eq!(taken, vec![0; SCHEDULES], "{scheduler}");
    }
    // No choice is recorded: the exhaustive search has one execution to run.
    let summary = Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: 2,
        })
        .explore(body)
        .unwrap();
    assert_eq!(summary.complete(), Some(true));
    assert_eq!(summary.schedules(), 1);
    assert_eq!(TAKEN.take(), [0]);
}

#[test]
fn inside_a_check_join_records_no_choice() {
    let summary = Config::new()
        .scheduler(Scheduler::Exhaustive {
            preemption_bound: 2,
        })
        .explore(|| {
            let (a, b) = block_on(async { join!(async { 1 }, async { 2 }) });
            assert_eq!((a, b), (1, 2));
            let ok: Result<(u32, u32), ()> =
                block_on(async { try_join!(async { Ok(1) }, async { Ok(2) }) });
            assert_eq!(ok, Ok((1, 2)));
        })
        .unwrap();
    assert_eq!(summary.complete(), Some(true));
    assert_eq!(summary.schedules(), 1);
}

/// Panics when the second of two ready branches wins.
fn second_branch_panics() {
    block_on(async {
        select! {
            _ = async {} => {}
            _ = async {} => panic!("the second branch ran"),
        }
    });
}

#[test]
fn a_failing_schedules_replay_takes_the_same_branch() {
    for scheduler in SCHEDULERS {
        let original = fails(
            Config::new().scheduler(scheduler).schedules(SCHEDULES),
            second_branch_panics,
        );
        assert_eq!(kinds(&original), [FindingKind::Panic], "{original}");
        let Detail::Panic { message, at, .. } = original.findings()[0].detail() else {
            panic!("not a panic: {original}");
        };
        assert_eq!(message, "the second branch ran");
        assert!(
            at.as_ref()
                .is_some_and(|at| at.file.ends_with("tokio_macros.rs")),
            "{at:?}"
        );
        for _ in 0..3 {
            let replayed = fails(
                Config::new().replay(original.replay_token()),
                second_branch_panics,
            );
            assert_eq!(replayed.findings(), original.findings());
            assert_eq!(replayed.schedule(), original.schedule());
            assert!(replayed.to_string().contains("replayed schedule"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// On leakcheck's modelled runtime (`leakcheck::block_on`, `leakcheck::tokio::spawn`)

#[test]
fn on_the_modelled_runtime_select_over_join_handles_is_clean_and_either_may_win() {
    static TAKEN: Taken = Taken::new();
    for scheduler in SCHEDULERS {
        Config::new()
            .scheduler(scheduler)
            .schedules(SCHEDULES)
            .check(|| {
                leakcheck::block_on(async {
                    let mut a = leakcheck::tokio::spawn(async { 1 });
                    let mut b = leakcheck::tokio::spawn(async { 2 });
                    let first = select! {
                        v = &mut a => v.unwrap(),
                        v = &mut b => v.unwrap(),
                    };
                    let second = if first == 1 { b.await } else { a.await }.unwrap();
                    assert_eq!(first + second, 3);
                    TAKEN.push(first);
                });
            });
        let taken = TAKEN.take();
        assert_eq!(taken.len(), SCHEDULES, "{scheduler}");
        for first in [1, 2] {
            assert!(taken.contains(&first), "{scheduler}: {taken:?}");
        }
    }
}

#[test]
fn on_the_modelled_runtime_a_replay_takes_the_same_branch() {
    fn body() {
        leakcheck::block_on(async {
            let h = leakcheck::tokio::spawn(async { 7 });
            let (v,) = join!(h);
            assert_eq!(v.unwrap(), 7);
            select! {
                _ = async {} => {}
                _ = async {} => panic!("the second branch ran"),
            }
        });
    }
    for scheduler in SCHEDULERS {
        let original = fails(
            Config::new().scheduler(scheduler).schedules(SCHEDULES),
            body,
        );
        assert_eq!(kinds(&original), [FindingKind::Panic], "{original}");
        for _ in 0..3 {
            let replayed = fails(Config::new().replay(original.replay_token()), body);
            assert_eq!(replayed.findings(), original.findings());
            assert_eq!(replayed.schedule(), original.schedule());
        }
    }
}
