//! Drop-in parity with std: one body that uses every stable item of `std::thread`, `std::sync`
//! and `std::sync::atomic` (deprecated ones included), compiled twice, once against std and once
//! against the facade, so a missing twin (or a different signature) is a compile error. Each
//! group of the body asserts its results, and runs against std, against the facade outside a
//! check, and inside checks under Random and PCT. Then the model's own behaviour for the newer
//! items (concurrent `LazyLock`, `downgrade`, `park_timeout`, `Once::wait`), and their findings.
//!
//! The items were enumerated from the rustdoc of the toolchain (1.95.0): each module's
//! `sidebar-items*.js` (which, unlike `index.html`, lists the deprecated items too), then each
//! item's page for its stability, and each type's page for its stable inherent methods (nightly
//! ones skipped). Stable items: `std::sync` 20 (with `ONCE_INIT`; plus the modules `atomic` and
//! `mpsc`), 84 methods (31 of them `Arc`'s and `Weak`'s, which the facade re-exports);
//! `std::sync::atomic` 19 (with the 3 `ATOMIC_*_INIT` and `spin_loop_hint`), 260 methods;
//! `std::thread` 20 (with `sleep_ms` and `park_timeout_ms`), 24 methods (plus `LocalKey`'s 8,
//! re-exported). Platform extension traits (`JoinHandleExt`, `AsRawHandle`) are not mirrored.
//!
//! `std::sync::mpsc`: 2 functions (`channel`, `sync_channel`), 8 structs (`Sender`,
//! `SyncSender`, `Receiver`, `Iter`, `TryIter`, `IntoIter`, `SendError`, `RecvError`), 3 enums
//! (`TryRecvError`, `RecvTimeoutError`, `TrySendError`), 8 stable methods (`Sender::send`,
//! `SyncSender::{send, try_send}`, `Receiver::{recv, try_recv, recv_timeout, iter, try_iter}`;
//! `recv_deadline` is nightly), in the `channels` group; the model's own behaviour for them has
//! its own tests, with the channels.

// The std side uses std's deprecated items and its newest ones, on purpose.
#![allow(deprecated)]
#![allow(clippy::incompatible_msrv)]

mod common;

use common::{fails, kinds, Lines};
use std::time::Duration;

use leakcheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use leakcheck::sync::{Arc, LazyLock, Mutex, Once, OnceLock, RwLock, RwLockWriteGuard};
use leakcheck::{thread, Config, Detail, FindingKind, LeakState, Scheduler, Target};

const FILE: &str = "tests/std_parity.rs";
const SCHEDULES: usize = 300;

/// Every operation of one atomic integer type, in the module that names `sync`.
macro_rules! int_ops {
    ($atomic:ty, $int:ty) => {{
        use std::sync::atomic::Ordering::{Relaxed, SeqCst};
        type A = $atomic;
        let a = A::new(5);
        assert_eq!(a.load(SeqCst), 5);
        a.store(6, SeqCst);
        assert_eq!(a.swap(7, SeqCst), 6);
        assert_eq!(a.compare_and_swap(7, 8, SeqCst), 7);
        assert_eq!(a.compare_and_swap(7, 9, SeqCst), 8);
        assert_eq!(a.compare_exchange(8, 9, SeqCst, SeqCst), Ok(8));
        assert_eq!(a.compare_exchange(8, 9, SeqCst, SeqCst), Err(9));
        while a.compare_exchange_weak(9, 10, SeqCst, Relaxed).is_err() {}
        assert_eq!(a.fetch_add(2, SeqCst), 10);
        assert_eq!(a.fetch_sub(1, SeqCst), 12);
        assert_eq!(a.fetch_and(0b1110, SeqCst), 11);
        assert_eq!(a.fetch_nand(0b11, SeqCst), 10);
        assert_eq!(a.load(SeqCst), !(10 & 0b11));
        a.store(3, SeqCst);
        assert_eq!(a.fetch_or(4, SeqCst), 3);
        assert_eq!(a.fetch_xor(1, SeqCst), 7);
        assert_eq!(a.fetch_max(9, SeqCst), 6);
        assert_eq!(a.fetch_min(2, SeqCst), 9);
        assert_eq!(a.fetch_update(SeqCst, SeqCst, |v| Some(v * 2)), Ok(2));
        assert_eq!(a.fetch_update(SeqCst, SeqCst, |_| None), Err(4));
        assert_eq!(a.try_update(SeqCst, SeqCst, |v| Some(v + 1)), Ok(4));
        assert_eq!(a.try_update(SeqCst, SeqCst, |_| None), Err(5));
        assert_eq!(a.update(SeqCst, SeqCst, |v| v + 1), 5);
        let p: *mut $int = a.as_ptr();
        // SAFETY: no other access meanwhile.
        assert_eq!(unsafe { *p }, 6);
        let mut a = a;
        *a.get_mut() += 1;
        assert_eq!(a.into_inner(), 7);
        let mut raw: $int = 3;
        // SAFETY: `raw` is only accessed through `r` while `r` is used.
        let r = unsafe { A::from_ptr(&mut raw) };
        r.fetch_add(1, SeqCst);
        assert_eq!(raw, 4);
        assert_eq!(format!("{:?}", A::from(5)), "5");
        assert_eq!(A::default().into_inner(), 0);
    }};
}

/// The parity body: every item, used as std documents it, with its result asserted. `sync` and
/// `thread` are std's or the facade's, as the module that expands it says.
macro_rules! parity_body {
    () => {
        use std::cell::Cell;
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        use std::panic::{RefUnwindSafe, UnwindSafe};
        use std::time::Duration;

        use sync::atomic::Ordering::{self, AcqRel, Acquire, Relaxed, Release, SeqCst};
        use sync::atomic::{
            compiler_fence, fence, spin_loop_hint, AtomicBool, AtomicI16, AtomicI32, AtomicI64,
            AtomicI8, AtomicIsize, AtomicPtr, AtomicU16, AtomicU32, AtomicU64, AtomicU8,
            AtomicUsize, ATOMIC_BOOL_INIT, ATOMIC_ISIZE_INIT, ATOMIC_USIZE_INIT,
        };
        use sync::{
            Arc, Barrier, BarrierWaitResult, Condvar, LazyLock, LockResult, Mutex, MutexGuard,
            Once, OnceLock, OnceState, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard,
            TryLockError, TryLockResult, WaitTimeoutResult, Weak, ONCE_INIT,
        };
        use thread::{
            AccessError, Builder, JoinHandle, LocalKey, Scope, ScopedJoinHandle, Thread, ThreadId,
        };

        fn send_sync<T: Send + Sync>() {}
        fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}
        fn sync_only<T: Sync>() {}

        /// `sync::mpsc`: every stable item, with its results.
        pub fn channels() {
            use sync::mpsc::{
                channel, sync_channel, IntoIter, Iter, Receiver, RecvError, RecvTimeoutError,
                SendError, Sender, SyncSender, TryIter, TryRecvError, TrySendError,
            };
            let (tx, rx): (Sender<u32>, Receiver<u32>) = channel();
            let tx2 = tx.clone();
            tx.send(1).unwrap();
            tx2.send(2).unwrap();
            assert_eq!(rx.recv(), Ok(1));
            assert_eq!(rx.try_recv(), Ok(2));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            tx.send(3).unwrap();
            assert_eq!(rx.recv_timeout(Duration::from_millis(1)), Ok(3));
            assert_eq!(
                rx.recv_timeout(Duration::from_millis(1)),
                Err(RecvTimeoutError::Timeout)
            );
            tx.send(4).unwrap();
            let drained: TryIter<'_, u32> = rx.try_iter();
            assert_eq!(drained.collect::<Vec<_>>(), [4]);
            drop((tx, tx2));
            assert_eq!(rx.recv(), Err(RecvError));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
            assert_eq!(
                rx.recv_timeout(Duration::from_millis(1)),
                Err(RecvTimeoutError::Disconnected)
            );
            let ended: Iter<'_, u32> = rx.iter();
            assert_eq!(ended.count(), 0);

            let (stx, srx): (SyncSender<u32>, Receiver<u32>) = sync_channel(1);
            stx.try_send(5).unwrap();
            assert_eq!(stx.try_send(6), Err(TrySendError::Full(6)));
            // Blocks until 5 is received, then the channel closes as the thread ends.
            let producer = thread::spawn(move || stx.send(7).unwrap());
            assert_eq!(srx.iter().take(2).collect::<Vec<_>>(), [5, 7]);
            producer.join().unwrap();
            let rest: IntoIter<u32> = srx.into_iter();
            assert_eq!(rest.count(), 0);

            let (tx, rx) = channel::<u32>();
            drop(rx);
            assert_eq!(tx.send(8), Err(SendError(8)));
            let (stx, srx) = sync_channel::<u32>(0);
            drop(srx);
            assert_eq!(stx.try_send(9), Err(TrySendError::Disconnected(9)));
            assert_eq!(stx.send(10), Err(SendError(10)));
            assert_eq!(RecvError.to_string(), "receiving on a closed channel");
            assert_eq!(TryRecvError::Empty.to_string(), "receiving on an empty channel");
            send_sync::<SyncSender<u32>>();
        }

        /// The auto traits std's types have.
        pub fn traits() {
            send_sync::<Mutex<u8>>();
            send_sync::<RwLock<u8>>();
            send_sync::<Condvar>();
            send_sync::<Barrier>();
            send_sync::<Once>();
            send_sync::<OnceLock<u8>>();
            send_sync::<LazyLock<u8>>();
            send_sync::<AtomicBool>();
            send_sync::<AtomicUsize>();
            send_sync::<AtomicPtr<u8>>();
            send_sync::<JoinHandle<u8>>();
            send_sync::<Thread>();
            send_sync::<ThreadId>();
            send_sync::<Builder>();
            sync_only::<MutexGuard<'static, u8>>();
            sync_only::<RwLockReadGuard<'static, u8>>();
            sync_only::<RwLockWriteGuard<'static, u8>>();
            unwind_safe::<Mutex<u8>>();
            unwind_safe::<RwLock<u8>>();
            unwind_safe::<Condvar>();
            unwind_safe::<Barrier>();
            unwind_safe::<Once>();
            unwind_safe::<OnceLock<u8>>();
            unwind_safe::<LazyLock<u8>>();
            unwind_safe::<AtomicU32>();
            unwind_safe::<AtomicPtr<u8>>();
            let _: fn(Ordering) = fence;
            let _: fn(Ordering) = compiler_fence;
            let _: fn(Duration) = thread::sleep;
            let _: fn(Duration) = thread::park_timeout;
            let _: fn(u32) = thread::sleep_ms;
            let _: fn(u32) = thread::park_timeout_ms;
            let _: fn() -> std::io::Result<std::num::NonZeroUsize> = thread::available_parallelism;
            let _: fn() -> bool = thread::panicking;
            let _: fn() -> Thread = thread::current;
            let _: fn() = thread::park;
            let _: fn() = thread::yield_now;
            let _: fn() = spin_loop_hint;
        }

        /// Atomics: every type, every method, the deprecated constants, the fences.
        pub fn atomics() {
            int_ops!(AtomicU8, u8);
            int_ops!(AtomicU16, u16);
            int_ops!(AtomicU32, u32);
            int_ops!(AtomicU64, u64);
            int_ops!(AtomicUsize, usize);
            int_ops!(AtomicI8, i8);
            int_ops!(AtomicI16, i16);
            int_ops!(AtomicI32, i32);
            int_ops!(AtomicI64, i64);
            int_ops!(AtomicIsize, isize);

            let b = AtomicBool::new(false);
            assert!(!b.load(SeqCst));
            b.store(true, Release);
            assert!(b.swap(false, AcqRel));
            assert!(!b.compare_and_swap(false, true, SeqCst));
            assert_eq!(b.compare_exchange(true, false, SeqCst, Acquire), Ok(true));
            assert_eq!(b.compare_exchange(true, false, SeqCst, Acquire), Err(false));
            while b.compare_exchange_weak(false, true, SeqCst, Relaxed).is_err() {}
            assert!(b.fetch_and(true, SeqCst));
            assert!(b.fetch_nand(true, SeqCst));
            assert!(!b.load(SeqCst));
            assert!(!b.fetch_or(true, SeqCst));
            assert!(b.fetch_xor(true, SeqCst));
            assert!(!b.fetch_not(SeqCst));
            assert_eq!(b.fetch_update(SeqCst, SeqCst, |v| Some(!v)), Ok(true));
            assert_eq!(b.try_update(SeqCst, SeqCst, |_| None), Err(false));
            assert!(!b.update(SeqCst, SeqCst, |v| !v));
            // SAFETY: no other access meanwhile.
            assert!(unsafe { *b.as_ptr() });
            let mut b = b;
            *b.get_mut() = false;
            assert!(!b.into_inner());
            let mut raw = false;
            // SAFETY: `raw` is only accessed through the view while it is used.
            unsafe { AtomicBool::from_ptr(&mut raw) }.store(true, SeqCst);
            assert!(raw);
            assert_eq!(format!("{:?}", AtomicBool::from(true)), "true");
            assert!(!AtomicBool::default().into_inner());

            let mut xs = [10u32, 20, 30, 40];
            let base = xs.as_mut_ptr();
            let p = AtomicPtr::new(base);
            assert_eq!(p.load(SeqCst), base);
            // SAFETY: offsets within `xs`.
            let second = unsafe { base.add(1) };
            p.store(second, SeqCst);
            assert_eq!(p.swap(base, SeqCst), second);
            assert_eq!(p.compare_and_swap(base, second, SeqCst), base);
            assert_eq!(p.compare_exchange(second, base, SeqCst, SeqCst), Ok(second));
            assert_eq!(p.compare_exchange(second, base, SeqCst, SeqCst), Err(base));
            while p.compare_exchange_weak(base, second, SeqCst, Relaxed).is_err() {}
            assert_eq!(p.fetch_ptr_add(2, SeqCst), second);
            // SAFETY: within `xs`.
            assert_eq!(unsafe { *p.load(SeqCst) }, 40);
            assert_eq!(p.fetch_ptr_sub(1, SeqCst), unsafe { base.add(3) });
            assert_eq!(p.fetch_byte_add(4, SeqCst), unsafe { base.add(2) });
            assert_eq!(p.fetch_byte_sub(8, SeqCst), unsafe { base.add(3) });
            assert_eq!(p.load(SeqCst), second);
            assert_eq!(p.fetch_or(1, SeqCst), second);
            assert_eq!(p.fetch_and(!1, SeqCst) as usize, second as usize | 1);
            assert_eq!(p.fetch_xor(0, SeqCst), second);
            assert_eq!(p.fetch_update(SeqCst, SeqCst, |x| Some(x)), Ok(second));
            assert_eq!(p.try_update(SeqCst, SeqCst, |_| None), Err(second));
            assert_eq!(p.update(SeqCst, SeqCst, |_| base), second);
            // SAFETY: no other access meanwhile.
            assert_eq!(unsafe { *p.as_ptr() }, base);
            let mut p = p;
            *p.get_mut() = second;
            assert_eq!(p.into_inner(), second);
            let mut slot = base;
            // SAFETY: `slot` is only accessed through the view while it is used.
            unsafe { AtomicPtr::from_ptr(&mut slot) }.store(second, SeqCst);
            assert_eq!(slot, second);
            assert!(AtomicPtr::<u8>::default().load(SeqCst).is_null());
            let from = AtomicPtr::from(base);
            assert_eq!(format!("{from:?}"), format!("{base:?}"));
            assert_eq!(format!("{from:p}"), format!("{base:p}"));

            static INIT_B: AtomicBool = ATOMIC_BOOL_INIT;
            static INIT_I: AtomicIsize = ATOMIC_ISIZE_INIT;
            static INIT_U: AtomicUsize = ATOMIC_USIZE_INIT;
            assert!(!INIT_B.load(SeqCst));
            assert_eq!(INIT_I.load(SeqCst), 0);
            assert_eq!(INIT_U.load(SeqCst), 0);
            fence(SeqCst);
            compiler_fence(SeqCst);
            spin_loop_hint();
        }

        /// `Mutex`, `RwLock` (with `downgrade`), their guards, poisoning, `PoisonError`,
        /// `TryLockError`.
        pub fn locks() {
            let m = Mutex::new(1);
            {
                let mut g: MutexGuard<'_, i32> = m.lock().unwrap();
                *g += 1;
                assert_eq!(format!("{g:?} {g}"), "2 2");
                assert!(matches!(m.try_lock(), Err(TryLockError::WouldBlock)));
            }
            let r: TryLockResult<MutexGuard<'_, i32>> = m.try_lock();
            assert_eq!(*r.unwrap(), 2);
            assert!(format!("{m:?}").contains('2'));
            let m = Arc::new(m);
            let m2 = Arc::clone(&m);
            let h = thread::spawn(move || {
                let _g = m2.lock().unwrap();
                panic!("poisons the mutex");
            });
            assert!(h.join().is_err());
            assert!(m.is_poisoned());
            let e: PoisonError<MutexGuard<'_, i32>> = m.lock().unwrap_err();
            assert_eq!(**e.get_ref(), 2);
            drop(e.into_inner());
            assert!(matches!(m.try_lock(), Err(TryLockError::Poisoned(_))));
            m.clear_poison();
            assert!(!m.is_poisoned());
            let mut m = Arc::try_unwrap(m).unwrap();
            *m.get_mut().unwrap() = 3;
            let l: LockResult<i32> = m.into_inner();
            assert_eq!(l.unwrap(), 3);
            assert_eq!(*Mutex::<u8>::default().lock().unwrap(), 0);
            assert_eq!(*Mutex::from(4).lock().unwrap(), 4);
            let mut pe = PoisonError::new(5);
            *pe.get_mut() += 1;
            assert_eq!(pe.into_inner(), 6);
            let tle: TryLockError<u8> = TryLockError::from(PoisonError::new(1));
            assert!(tle.to_string().contains("poisoned"));

            let rw = RwLock::new(vec![1]);
            {
                let r1: RwLockReadGuard<'_, Vec<i32>> = rw.read().unwrap();
                let r2 = rw.try_read().unwrap();
                assert_eq!(r1.len() + r2.len(), 2);
                assert!(matches!(rw.try_write(), Err(TryLockError::WouldBlock)));
                assert_eq!(format!("{r1:?}"), "[1]");
            }
            {
                let mut w: RwLockWriteGuard<'_, Vec<i32>> = rw.write().unwrap();
                w.push(2);
                assert!(matches!(rw.try_read(), Err(TryLockError::WouldBlock)));
                let r = RwLockWriteGuard::downgrade(w);
                assert_eq!(*r, [1, 2]);
                assert_eq!(rw.try_read().unwrap().len(), 2, "readers may enter");
                assert!(rw.try_write().is_err(), "writers may not");
            }
            rw.try_write().unwrap().push(3);
            assert!(format!("{rw:?}").contains("[1, 2, 3]"));
            let rw = Arc::new(rw);
            let rw2 = Arc::clone(&rw);
            assert!(thread::spawn(move || {
                let _w = rw2.write().unwrap();
                panic!("poisons the lock");
            })
            .join()
            .is_err());
            assert!(rw.is_poisoned());
            assert!(rw.read().is_err());
            rw.clear_poison();
            let mut rw = Arc::try_unwrap(rw).unwrap();
            rw.get_mut().unwrap().clear();
            assert!(rw.into_inner().unwrap().is_empty());
            assert_eq!(*RwLock::<u8>::default().read().unwrap(), 0);
            assert_eq!(format!("{}", RwLock::from(7).read().unwrap()), "7");
            let d = RwLock::new(1);
            assert_eq!(format!("{}", d.write().unwrap()), "1");
        }

        /// `Condvar` (every wait), `WaitTimeoutResult`, `Barrier`, `BarrierWaitResult`.
        pub fn signals() {
            let pair = Arc::new((Mutex::new(false), Condvar::new()));
            let p2 = Arc::clone(&pair);
            let h = thread::spawn(move || {
                let (ready, cv) = &*p2;
                *ready.lock().unwrap() = true;
                cv.notify_one();
            });
            let (ready, cv) = &*pair;
            let mut g = ready.lock().unwrap();
            while !*g {
                g = cv.wait(g).unwrap();
            }
            drop(g);
            h.join().unwrap();
            let g = cv.wait_while(ready.lock().unwrap(), |r| !*r).unwrap();
            assert!(*g);
            let (g, r): (_, WaitTimeoutResult) = cv
                .wait_timeout_while(g, Duration::from_millis(1), |r| !*r)
                .unwrap();
            assert!(!r.timed_out());
            let (g, r) = cv
                .wait_timeout_while(g, Duration::from_millis(1), |r| *r)
                .unwrap();
            assert!(r.timed_out());
            let r2 = r;
            assert_eq!(r, r2);
            assert!(format!("{r:?}").contains("WaitTimeoutResult"));
            let (g, r) = cv.wait_timeout(g, Duration::from_millis(1)).unwrap();
            // A timed wait nobody notifies times out (or wakes spuriously, as std allows).
            let _ = r.timed_out();
            let (g, _timed_out): (_, bool) = cv.wait_timeout_ms(g, 1).unwrap();
            drop(g);
            cv.notify_one();
            cv.notify_all();
            let _ = format!("{:?}", Condvar::default());

            let barrier = Arc::new(Barrier::new(2));
            let b2 = Arc::clone(&barrier);
            let h = thread::spawn(move || b2.wait().is_leader());
            let mine: BarrierWaitResult = barrier.wait();
            assert_ne!(mine.is_leader(), h.join().unwrap(), "one leader per round");
            assert!(format!("{mine:?}").contains("is_leader"));
            assert!(Barrier::new(0).wait().is_leader());
            let _ = format!("{barrier:?}");
        }

        /// `Once` (and `ONCE_INIT`), `OnceState`, `OnceLock`, `LazyLock`, poisoning.
        pub fn once_cells() {
            let once = Once::new();
            let mut runs = 0;
            once.call_once(|| runs += 1);
            once.call_once(|| runs += 1);
            assert_eq!(runs, 1);
            assert!(once.is_completed());
            once.wait();
            once.wait_force();
            let _ = format!("{once:?}");
            let once = Arc::new(Once::new());
            let o2 = Arc::clone(&once);
            assert!(thread::spawn(move || o2.call_once(|| panic!("poisons the once")))
                .join()
                .is_err());
            assert!(!once.is_completed());
            once.call_once_force(|state: &OnceState| {
                assert!(state.is_poisoned());
                let _ = format!("{state:?}");
            });
            assert!(once.is_completed());
            static START: Once = ONCE_INIT;
            START.call_once(|| {});
            assert!(START.is_completed());

            let cell = OnceLock::new();
            assert_eq!(cell.get(), None);
            assert_eq!(cell.set(1), Ok(()));
            assert_eq!(cell.set(2), Err(2));
            assert_eq!(*cell.get_or_init(|| 3), 1);
            assert_eq!(*cell.wait(), 1);
            let mut cell = cell.clone();
            *cell.get_mut().unwrap() += 1;
            assert_eq!(cell, OnceLock::from(2));
            assert_eq!(format!("{cell:?}"), "OnceLock(2)");
            assert_eq!(cell.take(), Some(2));
            assert_eq!(format!("{cell:?}"), "OnceLock(<uninit>)");
            assert_eq!(OnceLock::<u8>::default().into_inner(), None);
            let shared = Arc::new(OnceLock::new());
            let s2 = Arc::clone(&shared);
            let h = thread::spawn(move || *s2.wait());
            assert!(shared.set(9).is_ok());
            assert_eq!(h.join().unwrap(), 9);

            let lazy = LazyLock::new(|| 92);
            assert_eq!(LazyLock::get(&lazy), None);
            assert_eq!(format!("{lazy:?}"), "LazyLock(<uninit>)");
            assert_eq!(*LazyLock::force(&lazy), 92);
            assert_eq!(*lazy, 92);
            assert_eq!(LazyLock::get(&lazy), Some(&92));
            assert_eq!(format!("{lazy:?}"), "LazyLock(92)");
            let mut lazy = lazy;
            *LazyLock::get_mut(&mut lazy).unwrap() += 1;
            *lazy += 1;
            assert_eq!(*LazyLock::force_mut(&mut lazy), 94);
            let mut fresh = LazyLock::new(|| String::from("x"));
            assert_eq!(LazyLock::get_mut(&mut fresh), None);
            LazyLock::force_mut(&mut fresh).push('y');
            assert_eq!(*fresh, "xy");
            let d: LazyLock<Vec<u8>> = LazyLock::default();
            assert!(d.is_empty());
            let boxed: LazyLock<u8, Box<dyn FnOnce() -> u8 + Send>> =
                LazyLock::new(Box::new(|| 5));
            assert_eq!(*boxed, 5);
            let poisoned: Arc<LazyLock<u8>> = Arc::new(LazyLock::new(|| panic!("no value")));
            let p2 = Arc::clone(&poisoned);
            assert!(thread::spawn(move || *LazyLock::force(&p2)).join().is_err());
            assert_eq!(LazyLock::get(&poisoned), None);
            let p3 = Arc::clone(&poisoned);
            assert!(thread::spawn(move || **p3).join().is_err(), "poisoned");

            let strong = Arc::new(5);
            let weak: Weak<i32> = Arc::downgrade(&strong);
            assert_eq!(weak.upgrade().as_deref(), Some(&5));
        }

        thread_local!(static LOCAL: Cell<u32> = const { Cell::new(1) });

        /// Threads: spawning (plain, built, scoped, unchecked), handles, ids, names, parking,
        /// sleeping, yielding, the parallelism, thread-locals' types.
        pub fn threads() {
            let h: JoinHandle<u32> = thread::spawn(|| 6 * 7);
            let _: &Thread = h.thread();
            let id: ThreadId = h.thread().id();
            let r: thread::Result<u32> = h.join();
            assert_eq!(r.unwrap(), 42);
            assert_ne!(id, thread::current().id());
            let hash = |id: ThreadId| {
                let mut s = DefaultHasher::new();
                id.hash(&mut s);
                s.finish()
            };
            assert_eq!(hash(id), hash(id));

            let b: Builder = Builder::new().name("worker".into()).stack_size(1 << 20);
            let _ = format!("{b:?}");
            let h = b
                .spawn(|| thread::current().name().map(String::from))
                .unwrap();
            assert_eq!(h.join().unwrap().as_deref(), Some("worker"));
            let h = thread::spawn(|| {});
            while !h.is_finished() {
                thread::yield_now();
            }
            let _ = format!("{h:?}");
            h.join().unwrap();

            let local = String::from("borrowed");
            // SAFETY: joined before `local` goes.
            let h = unsafe { Builder::new().spawn_unchecked(|| local.len()) }.unwrap();
            assert_eq!(h.join().unwrap(), 8);

            let mut counts = [0, 0];
            let n = thread::scope(|s| {
                let _: &Scope<'_, '_> = s;
                let [a, b] = &mut counts;
                let h: ScopedJoinHandle<'_, ()> = s.spawn(move || *a += 1);
                let h2 = Builder::new()
                    .name("scoped".into())
                    .spawn_scoped(s, move || *b += 2)
                    .unwrap();
                assert_eq!(h2.thread().name(), Some("scoped"));
                let _ = format!("{s:?} {h:?}");
                h.join().unwrap();
                while !h2.is_finished() {
                    thread::yield_now();
                }
                h2.join().unwrap();
                7
            });
            assert_eq!((n, counts), (7, [1, 2]));

            let me = thread::current();
            let _ = format!("{me:?}");
            me.unpark();
            thread::park(); // the token is there: returns at once
            me.unpark();
            thread::park_timeout(Duration::from_secs(10));
            thread::park_timeout(Duration::from_millis(1));
            thread::park_timeout_ms(1);
            thread::sleep(Duration::from_millis(1));
            thread::sleep_ms(1);
            thread::yield_now();
            assert!(thread::available_parallelism().unwrap().get() >= 1);
            assert!(!thread::panicking());

            let key: &'static LocalKey<Cell<u32>> = &LOCAL;
            let got: Result<u32, AccessError> = key.try_with(|v| v.get());
            assert_eq!(got, Ok(1));

            let woken = Arc::new(AtomicBool::new(false));
            let w2 = Arc::clone(&woken);
            let sleeper = thread::spawn(move || {
                while !w2.load(Ordering::SeqCst) {
                    thread::park_timeout(Duration::from_millis(5));
                }
            });
            woken.store(true, Ordering::SeqCst);
            sleeper.thread().unpark();
            sleeper.join().unwrap();
        }
    };
}

mod with_std {
    use std::{sync, thread};
    parity_body!();
}

mod with_facade {
    use leakcheck::{sync, thread, thread_local};
    parity_body!();
}

/// Runs a group against std, against the facade outside a check, and inside checks under Random
/// and PCT.
fn everywhere(std_side: fn(), facade: fn()) {
    std_side();
    facade();
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        if let Err(report) = Config::new()
            .schedules(SCHEDULES)
            .scheduler(scheduler)
            .explore(facade)
        {
            panic!("under {scheduler}:\n{report}");
        }
    }
}

#[test]
fn auto_traits() {
    with_std::traits();
    with_facade::traits();
}

#[test]
fn atomics() {
    everywhere(with_std::atomics, with_facade::atomics);
}

#[test]
fn channels() {
    everywhere(with_std::channels, with_facade::channels);
}

#[test]
fn locks() {
    everywhere(with_std::locks, with_facade::locks);
}

#[test]
fn signals() {
    everywhere(with_std::signals, with_facade::signals);
}

#[test]
fn once_cells() {
    everywhere(with_std::once_cells, with_facade::once_cells);
}

#[test]
fn threads() {
    everywhere(with_std::threads, with_facade::threads);
}

// ---------------------------------------------------------------------------------------------
// The model's behaviour for the newer items, under Random and PCT

fn clean(body: impl Fn() + Send + Sync + Clone + 'static) {
    body();
    for scheduler in [Scheduler::Random, Scheduler::Pct { depth: 3 }] {
        match Config::new()
            .schedules(1_000)
            .scheduler(scheduler)
            .spurious_wakeups(true)
            .explore(body.clone())
        {
            Ok(summary) => assert_eq!(summary.schedules(), 1_000, "{scheduler}"),
            Err(report) => panic!("false alarm under {scheduler}:\n{report}"),
        }
    }
}

#[test]
fn lazy_lock_racing_forcers_run_the_initialiser_once() {
    clean(|| {
        let runs = Arc::new(AtomicUsize::new(0));
        let r = Arc::clone(&runs);
        let lazy = Arc::new(LazyLock::new(move || r.fetch_add(1, Ordering::SeqCst) + 10));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let lazy = Arc::clone(&lazy);
                thread::spawn(move || **lazy)
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 10);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_panicking_lazy_lock_initialiser_poisons_it_for_every_forcer() {
    clean(|| {
        let lazy: Arc<LazyLock<u32>> = Arc::new(LazyLock::new(|| panic!("no value")));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let lazy = Arc::clone(&lazy);
                thread::spawn(move || *LazyLock::force(&lazy))
            })
            .collect();
        for h in handles {
            assert!(
                h.join().is_err(),
                "the first panics, the second finds it poisoned"
            );
        }
        assert_eq!(LazyLock::get(&lazy), None);
    });
}

#[test]
fn downgrade_lets_waiting_readers_in_and_no_writer_between() {
    clean(|| {
        let lock = Arc::new(RwLock::new(0));
        let read = Arc::new(AtomicBool::new(false));
        let w = lock.write().unwrap();
        let (l2, r2) = (Arc::clone(&lock), Arc::clone(&read));
        let reader = thread::spawn(move || {
            let v = *l2.read().unwrap();
            r2.store(true, Ordering::SeqCst);
            v
        });
        let l3 = Arc::clone(&lock);
        let writer = thread::spawn(move || *l3.write().unwrap() = 2);
        let mut w = w;
        *w = 1;
        let r = RwLockWriteGuard::downgrade(w);
        // No writer got in between: the value is still ours.
        assert_eq!(*r, 1);
        drop(r);
        let seen = reader.join().unwrap();
        writer.join().unwrap();
        assert!(seen == 1 || seen == 2, "{seen}");
        assert_eq!(*lock.read().unwrap(), 2);
    });
}

#[test]
fn a_reader_blocked_behind_the_writer_runs_while_the_downgraded_guard_is_held() {
    clean(|| {
        let lock = Arc::new(RwLock::new(0));
        let read = Arc::new(AtomicBool::new(false));
        let mut w = lock.write().unwrap();
        let (l2, r2) = (Arc::clone(&lock), Arc::clone(&read));
        let reader = thread::spawn(move || {
            let v = *l2.read().unwrap();
            r2.store(true, Ordering::SeqCst);
            v
        });
        *w = 1;
        let r = RwLockWriteGuard::downgrade(w);
        // If downgrade left the blocked reader asleep, this loop would never end.
        while !read.load(Ordering::SeqCst) {
            thread::yield_now();
        }
        assert_eq!(*r, 1);
        drop(r);
        assert_eq!(reader.join().unwrap(), 1);
    });
}

#[test]
fn park_timeout_returns_on_unpark_or_time() {
    clean(|| {
        let go = Arc::new(AtomicBool::new(false));
        let g2 = Arc::clone(&go);
        let waiter = thread::spawn(move || {
            while !g2.load(Ordering::SeqCst) {
                thread::park_timeout(Duration::from_millis(10));
            }
            g2.load(Ordering::SeqCst)
        });
        go.store(true, Ordering::SeqCst);
        waiter.thread().unpark();
        assert!(waiter.join().unwrap());
        // Nobody unparks the body: time passes.
        thread::park_timeout(Duration::from_millis(1));
    });
}

#[test]
fn once_wait_returns_when_another_thread_completes_it() {
    clean(|| {
        let once = Arc::new(Once::new());
        let cell = Arc::new(OnceLock::new());
        let (o2, c2) = (Arc::clone(&once), Arc::clone(&cell));
        let waiter = thread::spawn(move || {
            o2.wait();
            *c2.wait()
        });
        let c3 = Arc::clone(&cell);
        once.call_once(move || c3.set(5).unwrap());
        assert_eq!(waiter.join().unwrap(), 5);
    });
}

#[test]
fn atomics_are_scheduling_points_and_read_modify_writes_never_lose_an_update() {
    clean(|| {
        use leakcheck::sync::atomic::{AtomicI8, AtomicPtr, AtomicU64};
        let n = Arc::new(AtomicU64::new(0));
        let flags = Arc::new(AtomicI8::new(0));
        let ptr = Arc::new(AtomicPtr::new(std::ptr::null_mut::<u8>()));
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let (n, flags, ptr) = (Arc::clone(&n), Arc::clone(&flags), Arc::clone(&ptr));
                thread::spawn(move || {
                    n.fetch_add(1, Ordering::SeqCst);
                    let _ = n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(v + 10));
                    flags.fetch_or(1 << i, Ordering::SeqCst);
                    ptr.fetch_byte_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(n.load(Ordering::SeqCst), 22);
        assert_eq!(flags.load(Ordering::SeqCst), 0b11);
        assert_eq!(ptr.load(Ordering::SeqCst) as usize, 2);
    });
}

// ---------------------------------------------------------------------------------------------
// Findings

#[test]
fn a_thread_polling_park_timeout_for_an_unpark_that_never_comes_is_still_running() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new().max_steps(2_000), || {
        let spawned = line!() + 6;
        let parks = line!() + 7;
        LINES.set(&[spawned, parks]);
        let unparked = Arc::new(AtomicBool::new(false));
        thread::Builder::new()
            .name("poller".into())
            .spawn(move || {
                while !unparked.load(Ordering::SeqCst) {
                    thread::park_timeout(Duration::from_millis(10));
                }
            })
            .unwrap();
    });
    let lines = LINES.get();
    assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{report}");
    let f = &report.findings()[0];
    let t = f.thread().unwrap();
    assert_eq!(t.name.as_deref(), Some("poller"));
    assert_eq!(t.id, 1);
    let at = t.spawned_at.as_ref().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, lines[0]));
    let Detail::LeakedThread {
        state: LeakState::StillRunning {
            max_steps,
            last_seen,
        },
        ..
    } = f.detail()
    else {
        panic!("not still running: {report}")
    };
    assert_eq!(*max_steps, 2_000);
    let last = last_seen.as_ref().unwrap();
    assert!(
        last.operation == "thread::park_timeout" || last.operation == "AtomicBool::load",
        "{report}"
    );
    assert_eq!(last.at.file, FILE);
    assert!(
        last.at.line == lines[1] || last.at.line == lines[1] - 1,
        "{report}"
    );
}

#[test]
fn a_thread_forcing_a_lazy_lock_whose_initialiser_blocks_is_reported_on_the_once() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let lock = Arc::new(Mutex::new(()));
        std::mem::forget(lock.lock().unwrap());
        let running = Arc::new(AtomicBool::new(false));
        let (l1, r1) = (Arc::clone(&lock), Arc::clone(&running));
        let created = line!() + 1;
        let lazy = Arc::new(LazyLock::new(move || {
            r1.store(true, Ordering::SeqCst);
            drop(l1.lock()); // blocks forever: the body holds the lock
            1
        }));
        let stuck = line!() - 3;
        let first = Arc::clone(&lazy);
        thread::Builder::new()
            .name("initialiser".into())
            .spawn(move || **first)
            .unwrap();
        while !running.load(Ordering::SeqCst) {
            thread::yield_now();
        }
        let second = Arc::clone(&lazy);
        let forces = line!() + 3;
        thread::Builder::new()
            .name("forcer".into())
            .spawn(move || *LazyLock::force(&second))
            .unwrap();
        LINES.set(&[created, stuck, forces]);
    });
    let lines = LINES.get();
    assert_eq!(
        kinds(&report),
        [FindingKind::LeakedThread, FindingKind::LeakedThread],
        "{report}"
    );
    let initialiser = &report.findings()[0];
    assert_eq!(
        initialiser.thread().unwrap().name.as_deref(),
        Some("initialiser")
    );
    assert_eq!(initialiser.object().unwrap().kind, "mutex");
    assert_eq!(initialiser.location().unwrap().line, lines[1]);
    let forcer = &report.findings()[1];
    assert_eq!(forcer.thread().unwrap().name.as_deref(), Some("forcer"));
    let obj = forcer.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("once", 1));
    assert_eq!(
        (obj.created_at.file.as_str(), obj.created_at.line),
        (FILE, lines[0])
    );
    let at = forcer.location().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, lines[2]));
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = forcer.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "LazyLock::force");
    let Target::Object(on) = &b.on else {
        panic!("{report}")
    };
    assert_eq!(on.kind.as_str(), "once");
}
