//! Drop-in parity of `leakcheck::channel` with crossbeam-channel 0.5.
//!
//! One body, `api!`, names every stable public item of crossbeam-channel with its exact
//! signature, and is compiled twice: against `crossbeam_channel` and against
//! `leakcheck::channel`. A missing twin, or one whose signature differs, does not compile.
//!
//! The items were enumerated from crossbeam-channel 0.5.17's source: the `pub use` list of
//! `lib.rs` (25 items: 6 functions `after`, `at`, `bounded`, `never`, `tick`, `unbounded`;
//! the types `Sender`, `Receiver`, `Iter`, `TryIter`, `IntoIter`, `Select`,
//! `SelectedOperation`; 10 error types; the macros `select!` and `select_biased!`; the
//! `#[doc(hidden)]` module `internal` is not public API), then every `pub fn` of each type
//! (`Sender` 9, `Receiver` 11, `Select` 13, `SelectedOperation` 3, and the error types' 11
//! inherent methods) and each trait impl (`Clone`, `Debug`, `Default`, `Send`, `Sync`,
//! `UnwindSafe`, `RefUnwindSafe`, `IntoIterator`, `Iterator`, `FusedIterator`, `Display`,
//! `Error`, `From`, `PartialEq`, `Eq`, `Copy`). The error types are crossbeam's own, re-exported.
//!
//! Then the behaviour, per group, in one body per group run three ways: on crossbeam itself,
//! on the facade outside a check, and on the facade inside a check under the random and PCT
//! schedulers; each asserts the results every schedule must give.

use std::fmt::Debug;
use std::iter::FusedIterator;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::time::{Duration, Instant};

use leakcheck::{Config, Scheduler};

fn traits_of_an_end<X: Send + Sync + Clone + Debug + UnwindSafe + RefUnwindSafe>() {}
fn traits_of_an_error<X: std::error::Error + Clone + Copy + PartialEq + Eq + Send + Sync>() {}
fn traits_of_a_plain_error<X: Debug + Clone + Copy + PartialEq + Eq + Send + Sync>() {}
fn traits_of_a_selection<X: Send + Sync + Clone + Default + Debug>() {}
fn fused<X: FusedIterator + Debug>() {}
fn iterator<X: Iterator<Item = u8> + Debug>() {}
fn debug<X: Debug>() {}

/// Every stable public item, by its exact signature. `c` is the crate under test.
macro_rules! api {
    () => {
        #[allow(dead_code, clippy::type_complexity)]
        pub fn signatures() {
            // Constructors.
            let _: fn() -> (c::Sender<u8>, c::Receiver<u8>) = c::unbounded::<u8>;
            let _: fn(usize) -> (c::Sender<u8>, c::Receiver<u8>) = c::bounded::<u8>;
            let _: fn(Duration) -> c::Receiver<Instant> = c::after;
            let _: fn(Instant) -> c::Receiver<Instant> = c::at;
            let _: fn(Duration) -> c::Receiver<Instant> = c::tick;
            let _: fn() -> c::Receiver<u8> = c::never::<u8>;

            // Sender.
            let _: fn(&c::Sender<u8>, u8) -> Result<(), c::TrySendError<u8>> =
                c::Sender::<u8>::try_send;
            let _: fn(&c::Sender<u8>, u8) -> Result<(), c::SendError<u8>> = c::Sender::<u8>::send;
            let _: fn(&c::Sender<u8>, u8, Duration) -> Result<(), c::SendTimeoutError<u8>> =
                c::Sender::<u8>::send_timeout;
            let _: fn(&c::Sender<u8>, u8, Instant) -> Result<(), c::SendTimeoutError<u8>> =
                c::Sender::<u8>::send_deadline;
            let _: fn(&c::Sender<u8>) -> bool = c::Sender::<u8>::is_empty;
            let _: fn(&c::Sender<u8>) -> bool = c::Sender::<u8>::is_full;
            let _: fn(&c::Sender<u8>) -> usize = c::Sender::<u8>::len;
            let _: fn(&c::Sender<u8>) -> Option<usize> = c::Sender::<u8>::capacity;
            let _: fn(&c::Sender<u8>, &c::Sender<u8>) -> bool = c::Sender::<u8>::same_channel;

            // Receiver.
            let _: fn(&c::Receiver<u8>) -> Result<u8, c::TryRecvError> =
                c::Receiver::<u8>::try_recv;
            let _: fn(&c::Receiver<u8>) -> Result<u8, c::RecvError> = c::Receiver::<u8>::recv;
            let _: fn(&c::Receiver<u8>, Duration) -> Result<u8, c::RecvTimeoutError> =
                c::Receiver::<u8>::recv_timeout;
            let _: fn(&c::Receiver<u8>, Instant) -> Result<u8, c::RecvTimeoutError> =
                c::Receiver::<u8>::recv_deadline;
            let _: fn(&c::Receiver<u8>) -> bool = c::Receiver::<u8>::is_empty;
            let _: fn(&c::Receiver<u8>) -> bool = c::Receiver::<u8>::is_full;
            let _: fn(&c::Receiver<u8>) -> usize = c::Receiver::<u8>::len;
            let _: fn(&c::Receiver<u8>) -> Option<usize> = c::Receiver::<u8>::capacity;
            let _: fn(&c::Receiver<u8>) -> c::Iter<'_, u8> = c::Receiver::<u8>::iter;
            let _: fn(&c::Receiver<u8>) -> c::TryIter<'_, u8> = c::Receiver::<u8>::try_iter;
            let _: fn(&c::Receiver<u8>, &c::Receiver<u8>) -> bool = c::Receiver::<u8>::same_channel;
            let _: fn(c::Receiver<u8>) -> c::IntoIter<u8> =
                <c::Receiver<u8> as IntoIterator>::into_iter;
            let _: fn(&'static c::Receiver<u8>) -> c::Iter<'static, u8> =
                <&'static c::Receiver<u8> as IntoIterator>::into_iter;

            // Select.
            let _: fn() -> c::Select<'static> = c::Select::new;
            let _: fn() -> c::Select<'static> = c::Select::new_biased;
            let _: fn(&mut c::Select<'static>, &'static c::Sender<u8>) -> usize =
                c::Select::send::<u8>;
            let _: fn(&mut c::Select<'static>, &'static c::Receiver<u8>) -> usize =
                c::Select::recv::<u8>;
            let _: fn(&mut c::Select<'static>, usize) = c::Select::remove;
            let _: fn(
                &mut c::Select<'static>,
            ) -> Result<c::SelectedOperation<'static>, c::TrySelectError> = c::Select::try_select;
            let _: fn(&mut c::Select<'static>) -> c::SelectedOperation<'static> = c::Select::select;
            let _: fn(
                &mut c::Select<'static>,
                Duration,
            ) -> Result<c::SelectedOperation<'static>, c::SelectTimeoutError> =
                c::Select::select_timeout;
            let _: fn(
                &mut c::Select<'static>,
                Instant,
            ) -> Result<c::SelectedOperation<'static>, c::SelectTimeoutError> =
                c::Select::select_deadline;
            let _: fn(&mut c::Select<'static>) -> Result<usize, c::TryReadyError> =
                c::Select::try_ready;
            let _: fn(&mut c::Select<'static>) -> usize = c::Select::ready;
            let _: fn(&mut c::Select<'static>, Duration) -> Result<usize, c::ReadyTimeoutError> =
                c::Select::ready_timeout;
            let _: fn(&mut c::Select<'static>, Instant) -> Result<usize, c::ReadyTimeoutError> =
                c::Select::ready_deadline;

            // SelectedOperation.
            let _: fn(&c::SelectedOperation<'static>) -> usize = c::SelectedOperation::index;
            let _: fn(
                c::SelectedOperation<'static>,
                &c::Sender<u8>,
                u8,
            ) -> Result<(), c::SendError<u8>> = c::SelectedOperation::send::<u8>;
            let _: fn(c::SelectedOperation<'static>, &c::Receiver<u8>) -> Result<u8, c::RecvError> =
                c::SelectedOperation::recv::<u8>;

            // The errors' methods.
            let _: fn(c::SendError<u8>) -> u8 = c::SendError::<u8>::into_inner;
            let _: fn(c::TrySendError<u8>) -> u8 = c::TrySendError::<u8>::into_inner;
            let _: fn(&c::TrySendError<u8>) -> bool = c::TrySendError::<u8>::is_full;
            let _: fn(&c::TrySendError<u8>) -> bool = c::TrySendError::<u8>::is_disconnected;
            let _: fn(c::SendTimeoutError<u8>) -> u8 = c::SendTimeoutError::<u8>::into_inner;
            let _: fn(&c::SendTimeoutError<u8>) -> bool = c::SendTimeoutError::<u8>::is_timeout;
            let _: fn(&c::SendTimeoutError<u8>) -> bool =
                c::SendTimeoutError::<u8>::is_disconnected;
            let _: fn(&c::TryRecvError) -> bool = c::TryRecvError::is_empty;
            let _: fn(&c::TryRecvError) -> bool = c::TryRecvError::is_disconnected;
            let _: fn(&c::RecvTimeoutError) -> bool = c::RecvTimeoutError::is_timeout;
            let _: fn(&c::RecvTimeoutError) -> bool = c::RecvTimeoutError::is_disconnected;
            let _: fn(c::SendError<u8>) -> c::TrySendError<u8> = From::from;
            let _: fn(c::SendError<u8>) -> c::SendTimeoutError<u8> = From::from;
            let _: fn(c::RecvError) -> c::TryRecvError = From::from;
            let _: fn(c::RecvError) -> c::RecvTimeoutError = From::from;

            // Traits.
            traits_of_an_end::<c::Sender<u8>>();
            traits_of_an_end::<c::Receiver<u8>>();
            traits_of_a_selection::<c::Select<'static>>();
            debug::<c::SelectedOperation<'static>>();
            fused::<c::Iter<'static, u8>>();
            fused::<c::IntoIter<u8>>();
            iterator::<c::Iter<'static, u8>>();
            iterator::<c::TryIter<'static, u8>>();
            iterator::<c::IntoIter<u8>>();
            traits_of_an_error::<c::SendError<u8>>();
            traits_of_an_error::<c::TrySendError<u8>>();
            traits_of_an_error::<c::SendTimeoutError<u8>>();
            traits_of_an_error::<c::RecvError>();
            traits_of_an_error::<c::TryRecvError>();
            traits_of_an_error::<c::RecvTimeoutError>();
            traits_of_an_error::<c::TrySelectError>();
            traits_of_an_error::<c::SelectTimeoutError>();
            // crossbeam implements neither `Display` nor `Error` for these two.
            traits_of_a_plain_error::<c::TryReadyError>();
            traits_of_a_plain_error::<c::ReadyTimeoutError>();

            // The macros, in every arm form.
            let (s, r) = c::bounded::<u8>(1);
            let _ = c::select! {
                recv(r) -> m => m.ok(),
                send(s, 1) -> res => res.ok().map(|()| 0),
                default => None,
            };
            let _ = c::select_biased! {
                recv(r) -> m => m.ok(),
                send(s, 1) -> res => res.ok().map(|()| 0),
                default(Duration::from_millis(1)) => None,
            };
        }

        /// Lengths, capacities, identity, and the errors of a closed channel.
        pub fn queries() {
            let (s, r) = c::bounded::<u8>(2);
            assert!(s.is_empty() && r.is_empty() && !s.is_full() && !r.is_full());
            assert_eq!((s.capacity(), r.capacity()), (Some(2), Some(2)));
            s.send(1).unwrap();
            s.try_send(2).unwrap();
            assert_eq!((s.len(), r.len()), (2, 2));
            assert!(s.is_full() && r.is_full());
            assert_eq!(s.try_send(3), Err(c::TrySendError::Full(3)));
            assert!(s.same_channel(&s.clone()) && r.same_channel(&r.clone()));
            let (s2, r2) = c::unbounded::<u8>();
            assert!(!s.same_channel(&s2) && !r.same_channel(&r2));
            assert_eq!(s2.capacity(), None);
            assert!(!s2.is_full());
            let (z, _zr) = c::bounded::<u8>(0);
            assert!(z.is_full(), "a rendezvous is always full");
            assert!(c::never::<u8>().same_channel(&c::never()));
            drop(s);
            assert_eq!(r.iter().collect::<Vec<_>>(), [1, 2]);
            assert_eq!(r.try_recv(), Err(c::TryRecvError::Disconnected));
            drop(r2);
            assert_eq!(s2.send(4).unwrap_err().into_inner(), 4);
        }

        /// Deadlines: a message before the deadline is received, a closed channel is reported,
        /// nothing before the deadline times out, and `at` fires with its deadline.
        pub fn deadlines() {
            let soon = || Instant::now() + Duration::from_millis(2);
            let (s, r) = c::bounded::<u8>(1);
            s.send_deadline(1, soon()).unwrap();
            assert_eq!(
                s.send_deadline(2, soon()),
                Err(c::SendTimeoutError::Timeout(2))
            );
            assert_eq!(r.recv_deadline(soon()), Ok(1));
            assert_eq!(r.recv_deadline(soon()), Err(c::RecvTimeoutError::Timeout));
            drop(s);
            assert_eq!(
                r.recv_deadline(soon()),
                Err(c::RecvTimeoutError::Disconnected)
            );
            let when = soon();
            assert_eq!(c::at(when).recv(), Ok(when));
            let (_s, r) = c::unbounded::<u8>();
            let fired = c::select! {
                recv(r) -> _ => false,
                recv(c::at(soon())) -> _ => true,
            };
            assert!(fired);
        }

        /// `Select` with another thread: a receive, a send on a rendezvous, `remove`, the
        /// timeouts, `ready`, and a biased choice.
        pub fn dynamic_select() {
            // Nothing to select.
            let mut empty = c::Select::new();
            assert!(empty.try_select().is_err());
            assert!(empty.try_ready().is_err());
            assert!(empty.select_timeout(Duration::from_millis(1)).is_err());

            // A receive from another thread, and a closed channel removed.
            let (s1, r1) = c::unbounded::<u8>();
            let (s2, r2) = c::unbounded::<u8>();
            drop(s2);
            let t = th::spawn(move || s1.send(10).unwrap());
            let mut sel = c::Select::new();
            let op1 = sel.recv(&r1);
            let op2 = sel.recv(&r2);
            let mut got = None;
            while got.is_none() {
                let oper = sel.select();
                let i = oper.index();
                if i == op2 {
                    assert_eq!(oper.recv(&r2), Err(c::RecvError));
                    sel.remove(op2);
                } else {
                    assert_eq!(i, op1);
                    got = Some(oper.recv(&r1));
                }
            }
            assert_eq!(got, Some(Ok(10)));
            t.join().unwrap();

            // A send on a rendezvous to a receiving thread.
            let (s, r) = c::bounded::<u8>(0);
            let t = th::spawn(move || r.recv());
            let mut sel = c::Select::new();
            let op = sel.send(&s);
            let oper = sel.select();
            assert_eq!(oper.index(), op);
            oper.send(&s, 7).unwrap();
            assert_eq!(t.join().unwrap(), Ok(7));

            // A send to a thread that receives through `Select` too.
            let (s, r) = c::bounded::<u8>(0);
            let t = th::spawn(move || {
                let mut sel = c::Select::new();
                sel.recv(&r);
                sel.select().recv(&r)
            });
            let mut sel = c::Select::new();
            sel.send(&s);
            sel.select().send(&s, 8).unwrap();
            assert_eq!(t.join().unwrap(), Ok(8));

            // Timeouts and deadlines with nothing ready.
            let (_s, r) = c::unbounded::<u8>();
            let mut sel = c::Select::new();
            sel.recv(&r);
            assert!(sel.select_timeout(Duration::from_millis(1)).is_err());
            assert!(sel
                .select_deadline(Instant::now() + Duration::from_millis(1))
                .is_err());
            assert!(sel.ready_timeout(Duration::from_millis(1)).is_err());
            assert!(sel
                .ready_deadline(Instant::now() + Duration::from_millis(1))
                .is_err());

            // `ready` waits for a message from another thread without taking it.
            let (s, r) = c::unbounded::<u8>();
            let t = th::spawn(move || s.send(3).unwrap());
            let mut sel = c::Select::new();
            let op = sel.recv(&r);
            assert_eq!(sel.ready(), op);
            assert_eq!(sel.try_ready(), Ok(op));
            assert_eq!(r.try_recv(), Ok(3));
            t.join().unwrap();

            // Biased: the first ready operation, always.
            let (s1, r1) = c::unbounded::<u8>();
            let (s2, r2) = c::unbounded::<u8>();
            s1.send(1).unwrap();
            s2.send(2).unwrap();
            let mut sel = c::Select::new_biased();
            let first = sel.recv(&r1);
            sel.recv(&r2);
            assert_eq!(sel.ready(), first);
            let oper = sel.select();
            assert_eq!(oper.index(), first);
            assert_eq!(oper.recv(&r1), Ok(1));
            let mut copy = sel.clone();
            let oper = copy.try_select().unwrap();
            assert_eq!(oper.index(), 1);
            assert_eq!(oper.recv(&r2), Ok(2));
        }

        /// `select_biased!` takes the first ready arm; `select!` takes either.
        pub fn macros() {
            let (s1, r1) = c::unbounded::<u8>();
            let (s2, r2) = c::unbounded::<u8>();
            s1.send(1).unwrap();
            s2.send(2).unwrap();
            let got = c::select_biased! {
                recv(r2) -> m => m.unwrap(),
                recv(r1) -> m => m.unwrap(),
            };
            assert_eq!(got, 2);
            let got = c::select! {
                recv(r1) -> m => m.unwrap(),
                recv(r2) -> m => m.unwrap(),
                default => 0,
            };
            assert_eq!(got, 1, "only `r1` still has a message");
            let (s, r) = c::bounded::<u8>(1);
            let sent = c::select_biased! {
                send(s, 5) -> res => res.is_ok(),
                default(Duration::from_millis(1)) => false,
            };
            assert!(sent);
            assert_eq!(r.recv(), Ok(5));
        }
    };
}

mod crossbeam {
    use super::*;
    use crossbeam_channel as c;
    use std::thread as th;
    api!();
}

mod facade {
    use super::*;
    use leakcheck::channel as c;
    use leakcheck::thread as th;
    api!();
}

/// Runs a group on crossbeam, on the facade outside a check, and inside checks under the
/// random and PCT schedulers.
fn every_way(crossbeam: fn(), facade: fn()) {
    crossbeam();
    facade();
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        let outcome = Config::new()
            .schedules(200)
            .scheduler(scheduler)
            .explore(facade);
        if let Err(report) = outcome {
            panic!("under {scheduler:?}:\n{report}");
        }
    }
}

#[test]
fn signatures_compile_against_both() {
    // The test is that this file compiles; the bodies only name the items.
    let _ = (crossbeam::signatures, facade::signatures);
}

#[test]
fn queries() {
    every_way(crossbeam::queries, facade::queries);
}

#[test]
fn deadlines() {
    every_way(crossbeam::deadlines, facade::deadlines);
}

#[test]
fn dynamic_select() {
    every_way(crossbeam::dynamic_select, facade::dynamic_select);
}

#[test]
fn macros() {
    every_way(crossbeam::macros, facade::macros);
}

/// Inside a check, which ready operation a selection takes is a recorded choice, explored;
/// a biased one takes the first ready operation in every schedule.
mod choices {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use std::sync::Arc;

    use leakcheck::channel::{select, select_biased, unbounded, Receiver, Select};
    use leakcheck::thread;
    use leakcheck::{Config, Scheduler};

    type Pick = fn(&Receiver<u8>, &Receiver<u8>) -> u8;

    /// Both operations are ready when `pick` runs: which did the schedules take? (bit 0: the
    /// first, bit 1: the second.)
    fn taken(pick: Pick) -> usize {
        let seen = Arc::new(AtomicUsize::new(0));
        for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
            let seen = Arc::clone(&seen);
            Config::new()
                .schedules(100)
                .scheduler(scheduler)
                .explore(move || {
                    let (tx1, rx1) = unbounded();
                    let (tx2, rx2) = unbounded();
                    let a = thread::spawn(move || tx1.send(1).unwrap());
                    let b = thread::spawn(move || tx2.send(2).unwrap());
                    a.join().unwrap();
                    b.join().unwrap();
                    let got = pick(&rx1, &rx2);
                    seen.fetch_or(1 << (got - 1), Relaxed);
                })
                .unwrap_or_else(|report| panic!("{report}"));
        }
        seen.load(Relaxed)
    }

    fn dynamic<'a>(rx1: &'a Receiver<u8>, rx2: &'a Receiver<u8>, mut sel: Select<'a>) -> u8 {
        let op1 = sel.recv(rx1);
        let op2 = sel.recv(rx2);
        let oper = sel.select();
        match oper.index() {
            i if i == op1 => oper.recv(rx1).unwrap(),
            i if i == op2 => oper.recv(rx2).unwrap(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn select_explores_both_ready_arms() {
        assert_eq!(
            taken(|rx1, rx2| select! {
                recv(rx1) -> m => m.unwrap(),
                recv(rx2) -> m => m.unwrap(),
            }),
            0b11
        );
    }

    #[test]
    fn select_biased_always_takes_the_first_ready_arm() {
        assert_eq!(
            taken(|rx1, rx2| select_biased! {
                recv(rx1) -> m => m.unwrap(),
                recv(rx2) -> m => m.unwrap(),
            }),
            0b01
        );
        assert_eq!(
            taken(|rx1, rx2| select_biased! {
                recv(rx2) -> m => m.unwrap(),
                recv(rx1) -> m => m.unwrap(),
            }),
            0b10
        );
    }

    #[test]
    fn dynamic_select_explores_both_and_biased_takes_the_first() {
        assert_eq!(taken(|a, b| dynamic(a, b, Select::new())), 0b11);
        assert_eq!(taken(|a, b| dynamic(a, b, Select::new_biased())), 0b01);
        assert_eq!(
            taken(|a, b| {
                let mut sel = Select::new();
                sel.recv(a);
                sel.recv(b);
                let i = sel.ready();
                [a, b][i].try_recv().unwrap()
            }),
            0b11
        );
        assert_eq!(
            taken(|a, b| {
                let mut sel = Select::new_biased();
                sel.recv(a);
                sel.recv(b);
                let i = sel.ready();
                [a, b][i].try_recv().unwrap()
            }),
            0b01
        );
    }

    /// `select_biased!` with arms that become ready while it waits: whatever the order, when
    /// it takes the second arm the first was not ready then.
    #[test]
    fn select_biased_while_waiting_takes_a_ready_arm_only() {
        for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
            Config::new()
                .schedules(200)
                .scheduler(scheduler)
                .explore(|| {
                    let (tx1, rx1) = unbounded::<u8>();
                    let (tx2, rx2) = unbounded::<u8>();
                    let a = thread::spawn(move || tx1.send(1).unwrap());
                    let b = thread::spawn(move || tx2.send(2).unwrap());
                    let got = select_biased! {
                        recv(rx1) -> m => m.unwrap(),
                        recv(rx2) -> m => m.unwrap(),
                    };
                    if got == 2 {
                        // The first arm was not ready when the second was taken: its message
                        // is still to come, or just came.
                        assert_eq!(rx1.recv(), Ok(1));
                    }
                    a.join().unwrap();
                    b.join().unwrap();
                })
                .unwrap_or_else(|report| panic!("{report}"));
        }
    }
}

/// The paths only `Select` takes, under every schedule explored: no false alarm, and every
/// message arrives.
mod select_paths {
    use std::time::Duration;

    use leakcheck::channel::{after, bounded, unbounded, Select};
    use leakcheck::thread;
    use leakcheck::{Config, Scheduler};

    fn clean(body: fn()) {
        for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
            Config::new()
                .schedules(300)
                .scheduler(scheduler)
                .explore(body)
                .unwrap_or_else(|report| panic!("under {scheduler:?}:\n{report}"));
        }
    }

    /// A thread in `ready` takes no wake-up meant for a receiver.
    #[test]
    fn a_watcher_and_a_receiver_share_a_channel() {
        clean(|| {
            let (tx, rx) = unbounded::<u8>();
            let rx2 = rx.clone();
            let watcher = thread::spawn(move || {
                let mut sel = Select::new();
                sel.recv(&rx2);
                sel.ready();
                rx2.recv().unwrap()
            });
            let receiver = thread::spawn(move || rx.recv().unwrap());
            tx.send(1).unwrap();
            tx.send(2).unwrap();
            let mut got = [watcher.join().unwrap(), receiver.join().unwrap()];
            got.sort();
            assert_eq!(got, [1, 2]);
        });
    }

    /// A `Select` send and a plain send compete for one receiver of a rendezvous.
    #[test]
    fn a_select_send_and_a_plain_send_on_a_rendezvous() {
        clean(|| {
            let (tx, rx) = bounded::<u8>(0);
            let tx2 = tx.clone();
            let lazy = thread::spawn(move || {
                let mut sel = Select::new();
                sel.send(&tx2);
                sel.select().send(&tx2, 1).unwrap();
            });
            let eager = thread::spawn(move || tx.send(2).unwrap());
            let mut got = [rx.recv().unwrap(), rx.recv().unwrap()];
            got.sort();
            assert_eq!(got, [1, 2]);
            lazy.join().unwrap();
            eager.join().unwrap();
        });
    }

    /// Two `Select` sends on a one-slot channel: each reserves the slot it fills.
    #[test]
    fn select_sends_reserve_their_slot() {
        clean(|| {
            let (tx, rx) = bounded::<u8>(1);
            let senders: Vec<_> = (1..=2)
                .map(|v| {
                    let tx = tx.clone();
                    thread::spawn(move || {
                        let mut sel = Select::new();
                        sel.send(&tx);
                        sel.select().send(&tx, v).unwrap();
                    })
                })
                .collect();
            drop(tx);
            let mut got: Vec<u8> = rx.iter().collect();
            got.sort();
            assert_eq!(got, [1, 2]);
            for s in senders {
                s.join().unwrap();
            }
        });
    }

    /// A `Select` receive that races a `Select` send on a rendezvous, both waiting.
    #[test]
    fn select_send_meets_select_recv_on_a_rendezvous() {
        clean(|| {
            let (tx, rx) = bounded::<u8>(0);
            let (_idle_tx, idle_rx) = unbounded::<u8>();
            let receiver = thread::spawn(move || {
                let mut sel = Select::new();
                let op = sel.recv(&rx);
                sel.recv(&idle_rx);
                let oper = sel.select();
                assert_eq!(oper.index(), op);
                oper.recv(&rx)
            });
            let mut sel = Select::new();
            sel.send(&tx);
            sel.select().send(&tx, 9).unwrap();
            assert_eq!(receiver.join().unwrap(), Ok(9));
        });
    }

    /// A timer seen by `ready` keeps its message for the receive that follows.
    #[test]
    fn a_timer_seen_ready_keeps_its_message() {
        clean(|| {
            let timer = after(Duration::from_millis(1));
            let mut sel = Select::new();
            sel.recv(&timer);
            assert_eq!(sel.ready(), 0);
            assert!(timer.recv().is_ok());
            assert!(timer
                .recv_timeout(Duration::from_millis(1))
                .is_err_and(|e| e.is_timeout()));
        });
    }
}

/// A usage error panics with crossbeam's message, at the caller's line: inside a check (the
/// panic finding's location) and outside one.
mod usage_errors {
    use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    use std::sync::{Arc, Mutex, OnceLock};

    use leakcheck::channel::{unbounded, Receiver, Select, Sender};
    use leakcheck::{Config, Detail, FindingKind};

    const FILE: &str = "tests/channel_parity.rs";

    /// The tests here take turns: they share `LINE` and the panic hook.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    /// The message and line of the panic `f` raises on this thread.
    fn panic_outside(f: impl FnOnce()) -> (String, u32) {
        // leakcheck installs its panic hook once, at its first check: let it do so first, so
        // that the hook in place here (which ours hands other threads' panics to) stays.
        leakcheck::check(|| {});
        type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync>;
        let previous: Arc<Hook> = Arc::new(panic::take_hook());
        let seen = Arc::new(Mutex::new(None));
        let me = std::thread::current().id();
        {
            let (previous, seen) = (Arc::clone(&previous), Arc::clone(&seen));
            panic::set_hook(Box::new(move |info| {
                if std::thread::current().id() == me {
                    let at = info.location().unwrap();
                    *seen.lock().unwrap() = Some((at.file().to_string(), at.line()));
                } else {
                    previous(info);
                }
            }));
        }
        let outcome = panic::catch_unwind(AssertUnwindSafe(f));
        panic::set_hook(Box::new(move |info| previous(info)));
        let message = match outcome {
            Ok(()) => panic!("no panic"),
            Err(p) => p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        };
        let (file, line) = seen.lock().unwrap().take().expect("the hook saw the panic");
        assert_eq!(file, FILE);
        (message, line)
    }

    /// The message and line of the panic of the thread `f` runs on, inside a check.
    fn panic_inside(f: fn()) -> (String, u32) {
        let report = Config::new()
            .schedules(1)
            .explore(f)
            .expect_err("the panic is a finding");
        let finding = report
            .findings()
            .iter()
            .find(|f| f.kind() == FindingKind::Panic)
            .unwrap_or_else(|| panic!("{report}"));
        let Detail::Panic { message, at, .. } = finding.detail() else {
            unreachable!()
        };
        let at = at.as_ref().expect("the panic's location");
        assert_eq!(at.file, FILE);
        (message.clone(), at.line)
    }

    /// A channel made outside any check.
    static OUTSIDE: OnceLock<(Sender<u8>, Receiver<u8>)> = OnceLock::new();

    /// The line a body below says it panics at.
    static LINE: AtomicU32 = AtomicU32::new(0);

    fn remove_seven() {
        LINE.store(line!() + 1, Relaxed);
        Select::new().remove(7);
    }

    fn remove_twice() {
        let (_tx, rx) = unbounded::<u8>();
        let mut sel = Select::new();
        let op = sel.recv(&rx);
        sel.remove(op);
        LINE.store(line!() + 1, Relaxed);
        sel.remove(op);
    }

    fn wrong_receiver() {
        let (tx, rx) = unbounded::<u8>();
        let (_, other) = unbounded::<u8>();
        tx.send(1).unwrap();
        let mut sel = Select::new();
        sel.recv(&rx);
        let oper = sel.select();
        LINE.store(line!() + 1, Relaxed);
        let _ = oper.recv(&other);
    }

    fn wrong_sender() {
        let (tx, _rx) = unbounded::<u8>();
        let (other, _) = unbounded::<u8>();
        let mut sel = Select::new();
        sel.send(&tx);
        let oper = sel.select();
        LINE.store(line!() + 1, Relaxed);
        let _ = oper.send(&other, 1);
    }

    fn outside_channel() {
        let rx = &OUTSIDE.get().expect("made before the check").1;
        let mut sel = Select::new();
        LINE.store(line!() + 1, Relaxed);
        sel.recv(rx);
    }

    fn expect(message: &str, (got, line): (String, u32)) {
        assert_eq!((got.as_str(), line), (message, LINE.load(Relaxed)));
    }

    #[test]
    fn remove_of_an_operation_never_added() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        expect("index out of bounds; 7 >= 0", panic_outside(remove_seven));
        expect("index out of bounds; 7 >= 0", panic_inside(remove_seven));
        expect("no operation with this index", panic_outside(remove_twice));
        expect("no operation with this index", panic_inside(remove_twice));
    }

    #[test]
    fn completing_on_another_end() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // Inside a check only: outside one, crossbeam's unfinished operation aborts the
        // process as it is dropped, as crossbeam's own check does.
        expect(
            "passed a receiver that wasn't selected",
            panic_inside(wrong_receiver),
        );
        expect(
            "passed a sender that wasn't selected",
            panic_inside(wrong_sender),
        );
    }

    #[test]
    fn a_channel_from_outside_the_check() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        OUTSIDE.get_or_init(unbounded);
        expect(
            "leakcheck: a `Select` made inside a check on a channel created outside it",
            panic_inside(outside_channel),
        );
    }
}
