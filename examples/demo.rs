//! The main job until the pattern fixtures land: a few classical mistakes, each with the report
//! leakcheck prints for it, and their corrected versions, each clean over every schedule.
//!
//! Run it with `cargo run --release --example demo`.

use std::time::Instant;

use leakcheck::sync::{Arc, Mutex};
use leakcheck::{thread, Config};

/// Starts a thread that "calls back" later; the caller has no way to wait for it.
fn fetch_with_callback(name: &'static str, callback: impl FnOnce(String) + Send + 'static) {
    thread::Builder::new()
        .name(format!("fetch-{name}"))
        .spawn(move || callback(format!("item {name}")))
        .unwrap();
}

/// The rethought version: synchronous; the caller adds concurrency with a scope.
fn fetch(name: &str) -> String {
    format!("item {name}")
}

/// Locks two accounts in argument order: two transfers in opposite directions deadlock.
fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64) {
    let mut a = from.lock().unwrap();
    let mut b = to.lock().unwrap();
    *a -= amount;
    *b += amount;
}

/// The rethought version: one lock order for everyone (here: by address).
fn transfer_ordered(from: &Mutex<i64>, to: &Mutex<i64>, amount: i64) {
    let from_first = (from as *const Mutex<i64>) < (to as *const Mutex<i64>);
    let (first, second) = if from_first { (from, to) } else { (to, from) };
    let mut g1 = first.lock().unwrap();
    let mut g2 = second.lock().unwrap();
    let (src, dst) = if from_first {
        (&mut *g1, &mut *g2)
    } else {
        (&mut *g2, &mut *g1)
    };
    *src -= amount;
    *dst += amount;
}

fn run(title: &str, config: Config, body: impl Fn() + Send + Sync + 'static) -> bool {
    let start = Instant::now();
    let outcome = config.test_name(title).explore(body);
    let ms = start.elapsed().as_millis();
    println!("== {title} ({ms} ms)");
    match outcome {
        Ok(summary) => {
            println!("{summary}\n");
            true
        }
        Err(report) => {
            println!("{report}\n");
            false
        }
    }
}

fn main() {
    let mut expected = true;
    expected &= !run("callback_classical", Config::new(), || {
        let results = Arc::new(Mutex::new(Vec::new()));
        for name in ["a", "b"] {
            let results = Arc::clone(&results);
            fetch_with_callback(name, move |item| results.lock().unwrap().push(item));
        }
    });
    expected &= run("callback_rethought", Config::new().schedules(5_000), || {
        let (a, b) = thread::scope(|s| {
            let a = s.spawn(|| fetch("a"));
            let b = s.spawn(|| fetch("b"));
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!((a.as_str(), b.as_str()), ("item a", "item b"));
    });
    expected &= !run("transfer_classical", Config::new(), || {
        let alice = Arc::new(Mutex::new(100));
        let bob = Arc::new(Mutex::new(100));
        let (a2, b2) = (Arc::clone(&alice), Arc::clone(&bob));
        let t = thread::Builder::new()
            .name("bob-pays-alice".into())
            .spawn(move || transfer(&b2, &a2, 10))
            .unwrap();
        transfer(&alice, &bob, 20);
        t.join().unwrap();
    });
    expected &= run("transfer_rethought", Config::new().schedules(5_000), || {
        let alice = Arc::new(Mutex::new(100));
        let bob = Arc::new(Mutex::new(100));
        let (a2, b2) = (Arc::clone(&alice), Arc::clone(&bob));
        let t = thread::spawn(move || transfer_ordered(&b2, &a2, 10));
        transfer_ordered(&alice, &bob, 20);
        t.join().unwrap();
        assert_eq!(*alice.lock().unwrap() + *bob.lock().unwrap(), 200);
    });
    expected &= !run("forgotten_guard_classical", Config::new(), || {
        let queue = Arc::new(Mutex::new(vec![1, 2, 3]));
        let q2 = Arc::clone(&queue);
        thread::Builder::new()
            .name("consumer".into())
            .spawn(move || while q2.lock().unwrap().pop().is_some() {})
            .unwrap();
        std::mem::forget(queue.lock().unwrap());
    });
    if !expected {
        eprintln!("demo: a classical version passed or a rethought version failed");
        std::process::exit(1);
    }
    println!("demo: every classical version was flagged and every rethought version passed");
}
