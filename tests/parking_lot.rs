//! `leakcheck::parking_lot`: every item has its twin of the parking_lot crate (a body compiled
//! against both), the locks behave as parking_lot's outside a check and inside one under Random
//! and PCT, the runtime finds what it finds on `sync`'s locks (lock-order inversions, threads
//! left waiting for a reentrant mutex, missed signals, parking_lot's writer-preferring read
//! deadlock), and a crate written against parking_lot runs its tests under a check by swapping
//! its imports.
#![cfg(feature = "parking_lot")]

mod common;

use common::{fails, kinds, Lines};
use std::time::Duration;

use leakcheck::parking_lot::{
    Condvar, FairMutex, Mutex, MutexGuard, Once, OnceState, ReentrantMutex, RwLock,
    RwLockUpgradableReadGuard, RwLockWriteGuard,
};
use leakcheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use leakcheck::sync::Arc;
use leakcheck::{thread, Config, Detail, FindingKind, LeakState, Scheduler, SignalCause};

const FILE: &str = "tests/parking_lot.rs";
const SCHEDULES: usize = 500;
const SCHEDULERS: [Scheduler; 2] = [Scheduler::Random, Scheduler::Pct { depth: 3 }];

/// Runs `body` outside a check (the locks are parking_lot's own there), then checks it under
/// Random and PCT, which must find nothing.
fn clean(body: impl Fn() + Send + Sync + Clone + 'static) {
    body();
    for scheduler in SCHEDULERS {
        match Config::new()
            .schedules(SCHEDULES)
            .scheduler(scheduler)
            .explore(body.clone())
        {
            Ok(summary) => assert_eq!(summary.schedules(), SCHEDULES, "{scheduler}"),
            Err(report) => panic!("false alarm under {scheduler}:\n{report}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parity: one body, compiled against parking_lot and against leakcheck::parking_lot

macro_rules! parity {
    ($name:ident = $root:ident $(:: $seg:ident)*) => {
        mod $name {
            #![allow(clippy::unit_cmp)]
            use std::time::{Duration, Instant};

            use $root $(:: $seg)* ::{
                const_fair_mutex, const_mutex, const_reentrant_mutex, const_rwlock, lock_api,
                Condvar, FairMutex, FairMutexGuard, MappedFairMutexGuard, MappedMutexGuard,
                MappedReentrantMutexGuard, MappedRwLockReadGuard, MappedRwLockWriteGuard, Mutex,
                MutexGuard, Once, OnceState, RawFairMutex, RawMutex, ReentrantMutex,
                ReentrantMutexGuard, RwLock, RwLockReadGuard, RwLockUpgradableReadGuard,
                RwLockWriteGuard, WaitTimeoutResult,
            };

            const MS: Duration = Duration::from_millis(1);

            /// Uses every item, single-threaded: the same results in both worlds.
            pub fn uses_every_item() {
                // Mutex and its guards.
                let mut m: Mutex<(i32, i32)> = Mutex::new((1, 2));
                {
                    let mut g: MutexGuard<'_, (i32, i32)> = m.lock();
                    g.0 += 10;
                    assert!(m.is_locked());
                    assert!(m.try_lock().is_none());
                    assert!(m.try_lock_for(MS).is_none());
                    assert!(m.try_lock_until(Instant::now() + MS).is_none());
                    let free = MutexGuard::unlocked(&mut g, || !m.is_locked());
                    assert!(free);
                    MutexGuard::unlocked_fair(&mut g, || assert!(m.try_lock().is_some()));
                    MutexGuard::bump(&mut g);
                    assert!(std::ptr::eq(MutexGuard::mutex(&g), &m));
                    let mut part: MappedMutexGuard<'_, i32> = MutexGuard::map(g, |p| &mut p.1);
                    *part += 20;
                    let part = MappedMutexGuard::map(part, |v| v);
                    MappedMutexGuard::unlock_fair(part);
                }
                assert!(MutexGuard::try_map(m.lock(), |_| None::<&mut i32>).is_err());
                let g = MutexGuard::try_map(m.lock(), |p| Some(&mut p.0)).ok().unwrap();
                assert!(MappedMutexGuard::try_map(g, |v| Some(v)).is_ok());
                let r = MutexGuard::try_map_or_err(m.lock(), |_| Err::<&mut i32, _>(7));
                assert_eq!(r.err().map(|(_, e)| e), Some(7));
                let g = MutexGuard::map(m.lock(), |p| &mut p.0);
                assert!(MappedMutexGuard::try_map_or_err(g, |v| Ok::<_, ()>(v)).is_ok());
                MutexGuard::unlock_fair(m.lock());
                assert!(m.try_lock_for(MS).is_some());
                assert!(m.try_lock_until(Instant::now() + MS).is_some());
                *m.get_mut() = (11, 22);
                std::mem::forget(m.lock());
                // SAFETY: locked above, guard forgotten.
                unsafe {
                    assert_eq!(*m.data_ptr(), (11, 22));
                    let g = m.make_guard_unchecked();
                    std::mem::forget(g);
                    m.force_unlock();
                    std::mem::forget(m.lock());
                    m.force_unlock_fair();
                }
                assert!(!m.is_locked());
                assert!(format!("{m:?}").contains("11"));
                assert_eq!(m.into_inner(), (11, 22));
                assert_eq!(*const_mutex(1).lock(), 1);
                assert_eq!(*Mutex::<u8>::default().lock(), 0);
                assert_eq!(*Mutex::from(2).lock(), 2);
                let leaked: &'static mut i32 = MutexGuard::leak(Box::leak(Box::new(Mutex::new(3))).lock());
                assert_eq!(*leaked, 3);
                // The generic types behind the aliases.
                let generic: lock_api::Mutex<RawMutex, i32> = Mutex::new(4);
                let gg: lock_api::MutexGuard<'_, RawMutex, i32> = generic.lock();
                assert_eq!(*gg, 4);
                drop(gg);

                // FairMutex.
                let f: FairMutex<i32> = const_fair_mutex(1);
                let mut g: FairMutexGuard<'_, i32> = f.lock();
                *g += 1;
                FairMutexGuard::bump(&mut g);
                let g: MappedFairMutexGuard<'_, i32> = FairMutexGuard::map(g, |v| v);
                assert_eq!(*g, 2);
                drop(g);
                assert!(f.try_lock_for(MS).is_some());
                let _generic: lock_api::Mutex<RawFairMutex, i32> = FairMutex::new(0);

                // RwLock and its guards.
                let lock: RwLock<(i32, i32)> = const_rwlock((1, 2));
                {
                    let r1: RwLockReadGuard<'_, (i32, i32)> = lock.read();
                    let r2 = lock.read_recursive();
                    assert!(lock.try_read().is_some());
                    assert!(lock.try_read_recursive().is_some());
                    assert!(lock.try_write().is_none());
                    assert!(lock.try_write_for(MS).is_none());
                    assert!(lock.try_write_until(Instant::now() + MS).is_none());
                    assert!(lock.is_locked() && !lock.is_locked_exclusive());
                    assert_eq!(r1.0 + r2.0, 2);
                    assert!(std::ptr::eq(RwLockReadGuard::rwlock(&r1), &lock));
                    let part: MappedRwLockReadGuard<'_, i32> = RwLockReadGuard::map(r1, |p| &p.1);
                    assert_eq!(*MappedRwLockReadGuard::map(part, |v| v), 2);
                    RwLockReadGuard::unlock_fair(r2);
                }
                assert!(lock.try_read_for(MS).is_some());
                assert!(lock.try_read_until(Instant::now() + MS).is_some());
                assert!(lock.try_read_recursive_for(MS).is_some());
                assert!(lock.try_read_recursive_until(Instant::now() + MS).is_some());
                assert!(RwLockReadGuard::try_map(lock.read(), |_| None::<&i32>).is_err());
                let r = RwLockReadGuard::try_map_or_err(lock.read(), |p| Ok::<_, ()>(&p.0));
                let r = r.ok().unwrap();
                assert!(MappedRwLockReadGuard::try_map(r, |v| Some(v)).is_ok());
                let r = RwLockReadGuard::map(lock.read(), |p| &p.0);
                assert!(MappedRwLockReadGuard::try_map_or_else(r, |v| Ok::<_, ()>(v)).is_ok());
                MappedRwLockReadGuard::unlock_fair(RwLockReadGuard::map(lock.read(), |p| &p.0));
                let mut r = lock.read();
                assert!(RwLockReadGuard::unlocked(&mut r, || lock.try_write().is_some()));
                RwLockReadGuard::unlocked_fair(&mut r, || ());
                RwLockReadGuard::bump(&mut r);
                drop(r);
                {
                    let mut w: RwLockWriteGuard<'_, (i32, i32)> = lock.write();
                    w.0 = 10;
                    assert!(lock.is_locked_exclusive());
                    assert!(lock.try_read().is_none());
                    assert!(lock.try_upgradable_read().is_none());
                    RwLockWriteGuard::bump(&mut w);
                    assert!(RwLockWriteGuard::unlocked(&mut w, || lock.try_read().is_some()));
                    RwLockWriteGuard::unlocked_fair(&mut w, || ());
                    assert!(std::ptr::eq(RwLockWriteGuard::rwlock(&w), &lock));
                    let r = RwLockWriteGuard::downgrade(w);
                    assert_eq!(r.0, 10);
                }
                let up = RwLockWriteGuard::downgrade_to_upgradable(lock.write());
                assert!(lock.try_read().is_some());
                drop(up);
                let mut part: MappedRwLockWriteGuard<'_, i32> =
                    RwLockWriteGuard::map(lock.write(), |p| &mut p.1);
                *part = 20;
                let part = MappedRwLockWriteGuard::map(part, |v| v);
                MappedRwLockWriteGuard::unlock_fair(part);
                assert!(RwLockWriteGuard::try_map(lock.write(), |_| None::<&mut i32>).is_err());
                let w = RwLockWriteGuard::try_map_or_err(lock.write(), |p| Ok::<_, ()>(&mut p.0));
                let w = w.ok().unwrap();
                assert!(MappedRwLockWriteGuard::try_map(w, |v| Some(v)).is_ok());
                let w = RwLockWriteGuard::map(lock.write(), |p| &mut p.0);
                assert!(MappedRwLockWriteGuard::try_map_or_err(w, |v| Ok::<_, ()>(v)).is_ok());
                RwLockWriteGuard::unlock_fair(lock.write());
                {
                    let mut up: RwLockUpgradableReadGuard<'_, (i32, i32)> = lock.upgradable_read();
                    assert!(lock.try_read().is_some());
                    assert!(lock.try_upgradable_read().is_none());
                    assert!(lock.try_upgradable_read_for(MS).is_none());
                    assert!(lock.try_upgradable_read_until(Instant::now() + MS).is_none());
                    up.with_upgraded(|p| p.0 += 1);
                    assert_eq!(up.try_with_upgraded(|p| p.0), Some(11));
                    assert_eq!(up.try_with_upgraded_for(MS, |p| p.0), Some(11));
                    let deadline = Instant::now() + MS;
                    assert_eq!(up.try_with_upgraded_until(deadline, |p| p.0), Some(11));
                    RwLockUpgradableReadGuard::bump(&mut up);
                    RwLockUpgradableReadGuard::unlocked(&mut up, || ());
                    RwLockUpgradableReadGuard::unlocked_fair(&mut up, || ());
                    assert!(std::ptr::eq(RwLockUpgradableReadGuard::rwlock(&up), &lock));
                    let r = lock.read();
                    let up = RwLockUpgradableReadGuard::try_upgrade(up).err().unwrap();
                    let up = RwLockUpgradableReadGuard::try_upgrade_for(up, MS).err().unwrap();
                    let up = RwLockUpgradableReadGuard::try_upgrade_until(up, Instant::now() + MS)
                        .err()
                        .unwrap();
                    drop(r);
                    let mut w = RwLockUpgradableReadGuard::upgrade(up);
                    w.1 += 1;
                }
                let up = lock.try_upgradable_read().unwrap();
                let r = RwLockUpgradableReadGuard::downgrade(up);
                drop(r);
                RwLockUpgradableReadGuard::unlock_fair(lock.upgradable_read());
                let up = lock.upgradable_read();
                assert!(RwLockUpgradableReadGuard::try_upgrade(up).is_ok());
                std::mem::forget(lock.read());
                // SAFETY: each forgotten guard's lock is released (or re-guarded) once.
                unsafe {
                    lock.force_unlock_read();
                    std::mem::forget(lock.write());
                    lock.force_unlock_write();
                    std::mem::forget(lock.read());
                    lock.force_unlock_read_fair();
                    std::mem::forget(lock.write());
                    lock.force_unlock_write_fair();
                    std::mem::forget(lock.read());
                    drop(lock.make_read_guard_unchecked());
                    std::mem::forget(lock.write());
                    drop(lock.make_write_guard_unchecked());
                    std::mem::forget(lock.upgradable_read());
                    drop(lock.make_upgradable_guard_unchecked());
                    assert_eq!(*lock.data_ptr(), (11, 21));
                }
                assert!(!lock.is_locked());
                assert!(format!("{lock:?}").contains("11"));
                let mut lock = lock;
                lock.get_mut().0 = 0;
                assert_eq!(lock.into_inner(), (0, 21));
                assert_eq!(*RwLock::<u8>::default().read(), 0);
                assert_eq!(*RwLock::from(1).read(), 1);

                // Condvar.
                let (m, cv) = (Mutex::new(0), Condvar::new());
                assert!(!cv.notify_one());
                assert_eq!(cv.notify_all(), 0);
                let mut g = m.lock();
                let r: WaitTimeoutResult = cv.wait_for(&mut g, MS);
                assert!(r.timed_out());
                assert!(cv.wait_until(&mut g, Instant::now() + MS).timed_out());
                cv.wait_while(&mut g, |v| *v != 0);
                assert!(cv.wait_while_for(&mut g, |v| *v == 0, MS).timed_out());
                let deadline = Instant::now() + MS;
                assert!(cv.wait_while_until(&mut g, |v| *v == 0, deadline).timed_out());
                assert!(!cv.wait_while_for(&mut g, |v| *v != 0, MS).timed_out());
                drop(g);
                let _ = Condvar::default();
                assert_eq!(format!("{cv:?}"), "Condvar { .. }");

                // Once.
                let once = Once::new();
                assert_eq!(once.state(), OnceState::New);
                let mut runs = 0;
                once.call_once(|| runs += 1);
                once.call_once(|| runs += 1);
                assert_eq!(runs, 1);
                assert!(once.state().done());
                let forced = Once::default();
                forced.call_once_force(|s: OnceState| assert!(!s.poisoned()));
                assert_eq!(forced.state(), OnceState::Done);

                // ReentrantMutex and its guards.
                let mut re: ReentrantMutex<(i32, i32)> = const_reentrant_mutex((1, 2));
                {
                    let a: ReentrantMutexGuard<'_, (i32, i32)> = re.lock();
                    let mut b = re.lock();
                    assert!(re.try_lock().is_some());
                    assert!(re.try_lock_for(MS).is_some());
                    assert!(re.try_lock_until(Instant::now() + MS).is_some());
                    assert!(re.is_locked() && re.is_owned_by_current_thread());
                    assert_eq!(a.0 + b.0, 2);
                    ReentrantMutexGuard::bump(&mut b);
                    ReentrantMutexGuard::unlocked(&mut b, || ());
                    ReentrantMutexGuard::unlocked_fair(&mut b, || ());
                    assert!(std::ptr::eq(ReentrantMutexGuard::remutex(&a), &re));
                    let part: MappedReentrantMutexGuard<'_, i32> =
                        ReentrantMutexGuard::map(a, |p| &p.1);
                    assert_eq!(*MappedReentrantMutexGuard::map(part, |v| v), 2);
                    ReentrantMutexGuard::unlock_fair(b);
                }
                assert!(!re.is_locked());
                assert!(ReentrantMutexGuard::try_map(re.lock(), |_| None::<&i32>).is_err());
                let g = ReentrantMutexGuard::try_map_or_err(re.lock(), |p| Ok::<_, ()>(&p.0));
                let g = g.ok().unwrap();
                assert!(MappedReentrantMutexGuard::try_map(g, |v| Some(v)).is_ok());
                let g = ReentrantMutexGuard::map(re.lock(), |p| &p.0);
                assert!(MappedReentrantMutexGuard::try_map_or_err(g, |v| Ok::<_, ()>(v)).is_ok());
                MappedReentrantMutexGuard::unlock_fair(ReentrantMutexGuard::map(re.lock(), |p| &p.0));
                std::mem::forget(re.lock());
                // SAFETY: locked once above, guard forgotten.
                unsafe {
                    assert_eq!(*re.data_ptr(), (1, 2));
                    drop(re.make_guard_unchecked());
                    std::mem::forget(re.lock());
                    re.force_unlock();
                    std::mem::forget(re.lock());
                    re.force_unlock_fair();
                }
                re.get_mut().0 = 5;
                assert!(format!("{re:?}").contains('5'));
                assert_eq!(re.into_inner(), (5, 2));
                assert_eq!(*ReentrantMutex::<u8>::default().lock(), 0);
                assert_eq!(*ReentrantMutex::from(1).lock(), 1);
            }
        }
    };
}

parity!(theirs = parking_lot);
parity!(ours = leakcheck::parking_lot);

#[test]
fn parking_lot_itself_passes_the_parity_body() {
    theirs::uses_every_item();
}

#[test]
fn the_facade_outside_a_check_passes_the_parity_body() {
    ours::uses_every_item();
}

#[test]
fn the_facade_inside_a_check_passes_the_parity_body() {
    for scheduler in SCHEDULERS {
        Config::new()
            .schedules(20)
            .scheduler(scheduler)
            .check(ours::uses_every_item);
    }
}

// ---------------------------------------------------------------------------------------------
// Behaviour under Random and PCT

#[test]
fn mutexes_count_exactly() {
    clean(|| {
        let m = Arc::new(Mutex::new(0));
        let f = Arc::new(FairMutex::new(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (m, f) = (Arc::clone(&m), Arc::clone(&f));
                thread::spawn(move || {
                    *m.lock() += 1;
                    let mut g = f.lock();
                    *g += 1;
                    MutexGuard::unlock_fair(m.lock());
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!((*m.lock(), *f.lock()), (2, 2));
    });
}

#[test]
fn a_timed_lock_both_gets_and_gives_up_across_schedules() {
    static GOT: AtomicUsizeStd = AtomicUsizeStd::new(0);
    static GAVE_UP: AtomicUsizeStd = AtomicUsizeStd::new(0);
    clean(|| {
        let m = Arc::new(Mutex::new(0));
        let m2 = Arc::clone(&m);
        let h = thread::spawn(move || {
            let mut g = m2.lock();
            *g += 1;
            thread::yield_now();
        });
        match m.try_lock_for(Duration::from_secs(1)) {
            Some(mut g) => {
                *g += 1;
                GOT.fetch_add(1, StdOrdering::Relaxed);
            }
            None => drop(GAVE_UP.fetch_add(1, StdOrdering::Relaxed)),
        }
        h.join().unwrap();
        assert!(!m.is_locked());
    });
    assert!(GOT.load(StdOrdering::Relaxed) > 0);
    assert!(GAVE_UP.load(StdOrdering::Relaxed) > 0);
}

use std::sync::atomic::{AtomicUsize as AtomicUsizeStd, Ordering as StdOrdering};

#[test]
fn condvar_hand_off_is_clean_and_notify_reports_whom_it_woke() {
    clean(|| {
        let pair = Arc::new((Mutex::new(None::<u32>), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let consumer = thread::spawn(move || {
            let (slot, cv) = &*p2;
            let mut g = slot.lock();
            cv.wait_while(&mut g, |v| v.is_none());
            g.take().unwrap()
        });
        let (slot, cv) = &*pair;
        *slot.lock() = Some(7);
        let woke = cv.notify_one();
        assert_eq!(consumer.join().unwrap(), 7);
        // Nothing waits now.
        assert!(!cv.notify_one());
        assert_eq!(cv.notify_all(), 0);
        let _ = woke;
    });
}

#[test]
fn readers_writers_and_an_upgrader_are_clean() {
    clean(|| {
        let lock = Arc::new(RwLock::new((0u32, 0u32)));
        let mut handles = Vec::new();
        {
            let lock = Arc::clone(&lock);
            handles.push(thread::spawn(move || {
                let g = lock.read();
                assert_eq!(g.0, g.1);
            }));
        }
        {
            let lock = Arc::clone(&lock);
            handles.push(thread::spawn(move || {
                let mut w = lock.write();
                w.0 += 1;
                thread::yield_now();
                w.1 += 1;
                let r = RwLockWriteGuard::downgrade(w);
                assert_eq!(r.0, r.1);
            }));
        }
        {
            let up = lock.upgradable_read();
            let seen = up.0;
            let mut w = RwLockUpgradableReadGuard::upgrade(up);
            assert_eq!(
                w.0, seen,
                "nobody wrote between the upgradable read and the upgrade"
            );
            w.0 += 1;
            w.1 += 1;
        }
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*lock.read(), (2, 2));
    });
}

#[test]
fn a_reentrant_mutex_is_shared_by_its_owner_only() {
    clean(|| {
        let m = Arc::new(ReentrantMutex::new(std::cell::Cell::new(0)));
        let inside = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (m, inside) = (Arc::clone(&m), Arc::clone(&inside));
                thread::spawn(move || {
                    let outer = m.lock();
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                    let inner = m.lock();
                    inner.set(outer.get() + 1);
                    thread::yield_now();
                    assert!(m.is_owned_by_current_thread());
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(m.lock().get(), 2);
    });
}

#[test]
fn once_runs_its_closure_once() {
    clean(|| {
        let once = Arc::new(Once::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
                thread::spawn(move || {
                    once.call_once(|| {
                        runs.fetch_add(1, Ordering::SeqCst);
                    });
                    assert_eq!(once.state(), OnceState::Done);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_panicking_closure_poisons_the_once_and_no_lock() {
    Config::new().schedules(50).check(|| {
        let once = Arc::new(Once::new());
        let m = Arc::new(Mutex::new(1));
        let (o2, m2) = (Arc::clone(&once), Arc::clone(&m));
        let r = thread::spawn(move || {
            let _g = m2.lock();
            o2.call_once(|| panic!("init fails"));
        })
        .join();
        assert!(r.is_err());
        assert_eq!(once.state(), OnceState::Poisoned);
        // parking_lot's locks know no poisoning.
        assert_eq!(*m.lock(), 1);
        once.call_once_force(|state| assert!(state.poisoned()));
        assert!(once.state().done());
    });
}

// ---------------------------------------------------------------------------------------------
// Findings

#[test]
fn two_mutexes_taken_in_both_orders_are_a_lock_order_inversion() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let (a, b) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
        // Objects are numbered in the order they are first used: `a` is mutex#1.
        assert!(!a.is_locked() && !b.is_locked());
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let ab = line!() + 2;
        let h = thread::spawn(move || {
            let _a = a2.lock();
            let _b = b2.lock();
        });
        let ba = line!() + 3;
        LINES.set(&[created, ab, ba]);
        {
            let _b = b.lock();
            let _a = a.lock();
        }
        h.join().unwrap();
    });
    let lines = LINES.get();
    // Some schedules deadlock as well; every one that took both orders shows the inversion.
    let f = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::LockOrderInversion)
        .unwrap_or_else(|| panic!("{report}"));
    let Detail::LockOrderInversion { first, second } = f.detail() else {
        unreachable!()
    };
    let obj = f.object().unwrap();
    assert_eq!(obj.kind, "mutex");
    assert_eq!(obj.created_at.line, lines[0]);
    let mut seen = [first, second].map(|o| {
        (
            o.first.lock.kind.as_str().to_string(),
            o.first.lock.id,
            o.then.lock.id,
            o.then.at.line,
        )
    });
    seen.sort();
    assert_eq!(
        seen,
        [
            ("mutex".into(), 1, 2, lines[1] + 1),
            ("mutex".into(), 2, 1, lines[2] + 1)
        ],
        "{report}"
    );
    assert_eq!(first.then.at.file, FILE);
    assert!(
        report.to_string().contains("mutex#1 and mutex#2"),
        "{report}"
    );
}

#[test]
fn a_reentrant_mutex_locked_twice_by_its_owner_is_fine_but_another_thread_waits_forever() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let m = Arc::new(ReentrantMutex::new(0));
        let held = line!() + 1;
        let outer = m.lock();
        let inner = m.lock();
        assert_eq!(*outer + *inner, 0);
        let m2 = Arc::clone(&m);
        let waits = line!() + 4;
        thread::Builder::new()
            .name("second".into())
            .spawn(move || {
                drop(m2.lock());
            })
            .unwrap();
        drop(inner);
        std::mem::forget(outer); // the owner never unlocks its first lock
        LINES.set(&[held, waits]);
    });
    let lines = LINES.get();
    assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{report}");
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().name.as_deref(), Some("second"));
    let obj = f.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("reentrant_mutex", 1));
    let at = f.location().unwrap();
    assert_eq!((at.file.as_str(), at.line), (FILE, lines[1]));
    let Detail::LeakedThread {
        state: LeakState::BlockedForever(b),
        ..
    } = f.detail()
    else {
        panic!("{report}")
    };
    assert_eq!(b.operation, "ReentrantMutex::lock");
    assert_eq!(b.held_by.len(), 1, "{report}");
    assert_eq!(b.held_by[0].thread.id, 0, "the body owns it");
    assert_eq!(b.held_by[0].since.line, lines[0]);
    assert!(report.to_string().contains(&format!(
        "blocked forever in ReentrantMutex::lock on reentrant_mutex#1 at {FILE}:{}:",
        lines[1]
    )));
}

#[test]
fn a_condvar_waiter_that_misses_its_notify_is_a_missed_signal() {
    static LINES: Lines = Lines::new();
    let report = fails(Config::new(), || {
        let created = line!() + 1;
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let waits = line!() + 6;
        let waiter = thread::Builder::new()
            .name("waiter".into())
            .spawn(move || {
                let (ready, cv) = &*p2;
                let mut g = ready.lock();
                cv.wait(&mut g); // no predicate: a notify before the wait is lost
            })
            .unwrap();
        let (ready, cv) = &*pair;
        *ready.lock() = true;
        cv.notify_one();
        LINES.set(&[created, waits]);
        waiter.join().unwrap();
    });
    let lines = LINES.get();
    assert!(report.has(FindingKind::MissedSignal), "{report}");
    let f = report
        .findings()
        .iter()
        .find(|f| f.kind() == FindingKind::MissedSignal)
        .unwrap();
    let Detail::MissedSignal {
        thread,
        operation,
        condvar,
        wait_at,
        cause,
        ..
    } = f.detail()
    else {
        unreachable!()
    };
    assert_eq!(thread.name.as_deref(), Some("waiter"));
    assert_eq!(operation, "Condvar::wait");
    assert_eq!((condvar.kind.as_str(), condvar.id), ("condvar", 1));
    assert_eq!(condvar.created_at.line, lines[0]);
    assert_eq!((wait_at.file.as_str(), wait_at.line), (FILE, lines[1]));
    assert!(matches!(cause, SignalCause::Lost { .. }), "{report}");
}

/// parking_lot's lock is writer-preferring: a second read while a writer waits deadlocks in
/// every schedule where the writer queues in between (std's leaves it to the platform), and
/// `read_recursive` is the cure.
#[test]
fn a_second_read_behind_a_waiting_writer_deadlocks_and_read_recursive_does_not() {
    static LINES: Lines = Lines::new();
    let body = |recursive: bool| {
        move || {
            let lock = Arc::new(RwLock::new(0));
            let r1 = lock.read();
            let l2 = Arc::clone(&lock);
            let queued = Arc::new(AtomicBool::new(false));
            let q2 = Arc::clone(&queued);
            let h = thread::Builder::new()
                .name("writer".into())
                .spawn(move || {
                    q2.store(true, Ordering::SeqCst);
                    *l2.write() += 1;
                })
                .unwrap();
            while !queued.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            // Let the writer queue.
            while !lock.is_locked_exclusive() && !writer_waits(&lock) {
                thread::yield_now();
            }
            let second = line!() + 5;
            LINES.set(&[second]);
            let r2 = if recursive {
                lock.read_recursive()
            } else {
                lock.read()
            };
            drop((r1, r2));
            h.join().unwrap();
        }
    };
    let report = fails(Config::new().schedules(50), body(false));
    assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    let f = &report.findings()[0];
    assert_eq!(f.thread().unwrap().id, 0);
    let obj = f.object().unwrap();
    assert_eq!((obj.kind.as_str(), obj.id), ("rwlock", 1));
    assert_eq!(f.location().unwrap().line, LINES.get()[0]);
    let Detail::Deadlock { blocked, cycle, .. } = f.detail() else {
        unreachable!()
    };
    assert_eq!(cycle.len(), 2, "{report}");
    assert_eq!(blocked[1].blocked.operation, "RwLock::write");
    clean(body(true));
}

/// Whether a writer waits for `lock` (seen from a reader: a try of an upgradable read fails
/// while the lock is only read-held).
fn writer_waits(lock: &RwLock<i32>) -> bool {
    lock.try_upgradable_read().is_none()
}

// ---------------------------------------------------------------------------------------------
// A crate written against parking_lot, its imports swapped for its tests

mod job_queue {
    //! A little crate written against parking_lot. Its one import line is the switch.
    #[cfg(test)]
    use leakcheck::parking_lot::{Condvar, Mutex};
    #[cfg(not(test))]
    use parking_lot::{Condvar, Mutex};

    use std::collections::VecDeque;

    #[derive(Default)]
    pub struct Queue {
        jobs: Mutex<(VecDeque<u32>, bool)>,
        ready: Condvar,
    }

    impl Queue {
        pub fn push(&self, job: u32) {
            self.jobs.lock().0.push_back(job);
            self.ready.notify_one();
        }

        pub fn close(&self) {
            self.jobs.lock().1 = true;
            self.ready.notify_all();
        }

        /// The next job; `None` once the queue is closed and empty.
        pub fn pop(&self) -> Option<u32> {
            let mut g = self.jobs.lock();
            self.ready
                .wait_while(&mut g, |(jobs, closed)| jobs.is_empty() && !*closed);
            g.0.pop_front()
        }

        /// The bug: closes without a notify, so an idle worker is never told.
        pub fn close_quietly(&self) {
            self.jobs.lock().1 = true;
        }
    }
}

mod job_queue_tests {
    use super::job_queue::Queue;
    use leakcheck::sync::Arc;
    use leakcheck::thread;

    #[leakcheck::test(schedules = 300)]
    fn workers_drain_the_queue_and_stop() {
        let q = Arc::new(Queue::default());
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let q = Arc::clone(&q);
                thread::spawn(move || {
                    let mut done = 0;
                    while q.pop().is_some() {
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        q.push(1);
        q.push(2);
        q.close();
        let done: u32 = workers.into_iter().map(|w| w.join().unwrap()).sum();
        assert_eq!(done, 2);
    }

    #[leakcheck::test(schedules = 300, expect = "missed_signal")]
    fn closing_without_a_notify_strands_the_worker() {
        let q = Arc::new(Queue::default());
        let q2 = Arc::clone(&q);
        let worker = thread::spawn(move || while q2.pop().is_some() {});
        q.push(1);
        q.close_quietly();
        worker.join().unwrap();
    }
}

#[test]
fn reports_name_a_reentrant_mutex_alike_in_text_and_json() {
    let kind = leakcheck::ObjectKind::ReentrantMutex;
    assert_eq!(kind.to_string(), "reentrant_mutex");
    assert_eq!(serde_json::to_string(&kind).unwrap(), "\"reentrant_mutex\"");
    let back: leakcheck::ObjectKind = serde_json::from_str("\"reentrant_mutex\"").unwrap();
    assert_eq!(back, kind);
}

#[test]
fn a_std_and_a_parking_lot_rwlock_are_numbered_apart() {
    // Both are reported as `rwlock`: one numbering for both, so no two share a name.
    let report = fails(Config::new(), || {
        let plain = Arc::new(leakcheck::sync::RwLock::new(()));
        let fair = Arc::new(RwLock::new(()));
        // Objects are numbered in the order they are first used: `plain` is rwlock#1.
        drop(plain.read());
        std::mem::forget(fair.write());
        let f = Arc::clone(&fair);
        thread::Builder::new()
            .name("reader".into())
            .spawn(move || drop(f.read()))
            .unwrap();
        drop(plain.read());
    });
    assert_eq!(kinds(&report), [FindingKind::LeakedThread], "{report}");
    let object = report.findings()[0]
        .object()
        .expect("the reader waits on the lock");
    assert_eq!((object.kind.as_str(), object.id), ("rwlock", 2), "{report}");
    assert!(report.to_string().contains("on rwlock#2"), "{report}");
}

// ---------------------------------------------------------------------------------------------
// Statics: `const` constructors, a model per execution, parking_lot's lock underneath

static PL_MUTEX: Mutex<Vec<u32>> = leakcheck::parking_lot::const_mutex(Vec::new());
static PL_FAIR: FairMutex<u32> = leakcheck::parking_lot::const_fair_mutex(0);
static PL_RW: RwLock<u32> = leakcheck::parking_lot::const_rwlock(0);
static PL_RE: ReentrantMutex<()> = leakcheck::parking_lot::const_reentrant_mutex(());
static PL_READY: Condvar = Condvar::new();
static PL_ONCE: Once = Once::new();
static PL_ONCE_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Two threads use every kind of static parking_lot lock, one holding each across a yield.
fn statics_body() {
    let other = thread::spawn(|| {
        let mut v = PL_MUTEX.lock();
        thread::yield_now();
        v.push(1);
        drop(v);
        *PL_FAIR.lock() += 1;
        *PL_RW.write() += 1;
        let _outer = PL_RE.lock();
        let _inner = PL_RE.lock();
        PL_ONCE.call_once(|| {
            PL_ONCE_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        PL_READY.notify_all();
    });
    PL_MUTEX.lock().push(0);
    PL_ONCE.call_once(|| {
        PL_ONCE_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    {
        let mut v = PL_MUTEX.lock();
        while v.len() < 2 {
            PL_READY.wait(&mut v);
        }
        v.clear();
    }
    other.join().unwrap();
    assert!(*PL_RW.read() >= 1);
    assert!(PL_ONCE.state().done());
}

#[test]
fn static_parking_lot_locks_work_in_every_schedule_and_outside() {
    let executions = std::sync::atomic::AtomicUsize::new(0);
    let executions = std::sync::Arc::new(executions);
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Dfs,
    ] {
        let runs = std::sync::Arc::clone(&executions);
        let outcome = Config::new()
            .scheduler(scheduler)
            .schedules(2_000)
            .explore(move || {
                runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                statics_body();
            });
        assert!(outcome.is_ok(), "{scheduler}: {outcome:?}");
    }
    // Once per execution.
    assert_eq!(
        PL_ONCE_RUNS.load(std::sync::atomic::Ordering::SeqCst),
        executions.load(std::sync::atomic::Ordering::SeqCst)
    );
    // Parity: parking_lot's own outside a check.
    statics_body();
}

static PL_SHARED: Mutex<u64> = leakcheck::parking_lot::const_mutex(0);
static PL_INSIDE: AtomicBool = AtomicBool::new(false);

fn pl_bump() {
    let mut v = PL_SHARED.lock();
    assert!(
        !PL_INSIDE.swap(true, Ordering::SeqCst),
        "two holders at once"
    );
    let read = *v;
    thread::yield_now();
    *v = read + 1;
    PL_INSIDE.store(false, Ordering::SeqCst);
}

#[test]
fn two_checks_sharing_a_static_parking_lot_mutex_never_race() {
    let checks: Vec<_> = SCHEDULERS
        .into_iter()
        .map(|scheduler| {
            std::thread::spawn(move || {
                Config::new()
                    .scheduler(scheduler)
                    .schedules(SCHEDULES)
                    .check(|| {
                        let t = thread::spawn(pl_bump);
                        pl_bump();
                        t.join().unwrap();
                    })
            })
        })
        .collect();
    for _ in 0..100 {
        pl_bump();
    }
    for check in checks {
        check.join().expect("the check passed");
    }
    assert_eq!(*PL_SHARED.lock(), (2 * 2 * SCHEDULES + 100) as u64);
}

static PL_HELD: Mutex<u32> = Mutex::new(0);
static PL_HELD_RW: RwLock<u32> = RwLock::new(0);

#[test]
fn a_deadlock_on_static_parking_lot_locks_releases_them_for_the_next_execution() {
    // Every execution deadlocks holding both statics; a stopped execution's threads never drop
    // their guards, so the next execution (and code after the check) finds them left held by an
    // execution that has ended, and takes them back.
    let body = || {
        let held = PL_HELD.lock();
        let written = PL_HELD_RW.write();
        let t = thread::spawn(|| *PL_HELD.lock() += *PL_HELD_RW.read());
        t.join().unwrap();
        drop((held, written));
    };
    for seed in 0..20 {
        let report = fails(Config::new().seed(seed), body);
        assert_eq!(kinds(&report), [FindingKind::Deadlock], "{report}");
    }
    assert_eq!(*PL_HELD.lock() + *PL_HELD_RW.read(), 0);
}
