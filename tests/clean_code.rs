//! Correct code is never reported: each body runs thousands of schedules under Random and PCT.

use leakcheck::sync::atomic::{AtomicUsize, Ordering};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config, Scheduler};

const SCHEDULES: usize = 2_000;

fn clean(body: impl Fn() + Send + Sync + Clone + 'static) {
    for scheduler in [
        Scheduler::Random,
        Scheduler::Pct { depth: 3 },
        Scheduler::Pct { depth: 2 },
    ] {
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

#[test]
fn joined_threads_sharing_a_mutex() {
    clean(|| {
        let total = Arc::new(Mutex::new(0));
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let total = Arc::clone(&total);
                thread::Builder::new()
                    .name(format!("adder-{i}"))
                    .spawn(move || {
                        for _ in 0..3 {
                            *total.lock().unwrap() += 1;
                        }
                    })
                    .unwrap()
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*total.lock().unwrap(), 9);
    });
}

#[test]
fn scoped_threads_borrowing_the_stack() {
    clean(|| {
        let mut slots = [0u32; 3];
        let lock = Mutex::new(0);
        thread::scope(|s| {
            for (i, slot) in slots.iter_mut().enumerate() {
                let lock = &lock;
                s.spawn(move || {
                    *slot = i as u32 + 1;
                    *lock.lock().unwrap() += 1;
                });
            }
        });
        assert_eq!(slots, [1, 2, 3]);
        assert_eq!(*lock.lock().unwrap(), 3);
    });
}

#[test]
fn scoped_thread_joined_explicitly_returns_its_value() {
    clean(|| {
        let data = [1, 2, 3];
        let sum = thread::scope(|s| {
            let h = s.spawn(|| data.iter().sum::<i32>());
            h.join().unwrap()
        });
        assert_eq!(sum, 6);
    });
}

#[test]
fn park_and_unpark_handshake() {
    clean(|| {
        let ready = Arc::new(AtomicUsize::new(0));
        let r2 = Arc::clone(&ready);
        let waiter = thread::spawn(move || {
            while r2.load(Ordering::SeqCst) == 0 {
                thread::park();
            }
        });
        ready.store(1, Ordering::SeqCst);
        waiter.thread().unpark();
        waiter.join().unwrap();
    });
}

#[test]
fn nested_spawns_all_joined() {
    clean(|| {
        let count = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&count);
        let outer = thread::spawn(move || {
            let c2 = Arc::clone(&c);
            let inner = thread::spawn(move || c2.fetch_add(1, Ordering::SeqCst));
            c.fetch_add(1, Ordering::SeqCst);
            inner.join().unwrap();
        });
        outer.join().unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn try_lock_spin_with_yield_terminates() {
    clean(|| {
        let lock = Arc::new(Mutex::new(0));
        let l2 = Arc::clone(&lock);
        let h = thread::spawn(move || *l2.lock().unwrap() += 1);
        loop {
            if let Ok(mut g) = lock.try_lock() {
                *g += 1;
                break;
            }
            thread::yield_now();
        }
        h.join().unwrap();
        assert_eq!(*lock.lock().unwrap(), 2);
    });
}

#[test]
fn dfs_explores_a_small_body_exhaustively_without_findings() {
    let summary = Config::new()
        .scheduler(Scheduler::Dfs)
        .schedules(100_000)
        .explore(|| {
            let lock = Arc::new(Mutex::new(0));
            let l2 = Arc::clone(&lock);
            let h = thread::spawn(move || *l2.lock().unwrap() += 1);
            *lock.lock().unwrap() += 1;
            h.join().unwrap();
        })
        .unwrap();
    // DFS stops when it has seen every schedule: far fewer than the budget.
    assert!(
        summary.schedules() > 1 && summary.schedules() < 100_000,
        "{summary}"
    );
}

#[test]
fn every_schedule_really_runs_the_body() {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let summary = Config::new()
        .schedules(1_234)
        .explore(|| {
            RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let h = thread::spawn(|| ());
            h.join().unwrap();
        })
        .unwrap();
    assert_eq!(summary.schedules(), 1_234);
    assert_eq!(RUNS.load(std::sync::atomic::Ordering::Relaxed), 1_234);
}
