//! `leakcheck::proptest`: inputs and schedules explored together, and a planted bug shrunk to a
//! short sequence of operations with its report. (Compiled when the `proptest` feature is on,
//! which the workspace's fixtures crate turns on.)
#![cfg(feature = "proptest")]

use leakcheck::proptest::{explore, ProptestConfig};
use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::{thread, Config, Detail, FindingKind};
use proptest::collection::vec;
use proptest::prelude::*;

/// An operation on the queue, run by the producer thread.
#[derive(Clone, Debug, PartialEq)]
enum Op {
    /// Push one item (the consumer takes it).
    Push(u8),
    /// Push several at once.
    PushAll(Vec<u8>),
}

/// A bounded queue (capacity 2) with a planted bug: `push_all` forgets to notify.
struct Queue {
    items: Mutex<Vec<u8>>,
    not_empty: Condvar,
    not_full: Condvar,
}

const CAPACITY: usize = 2;

impl Queue {
    fn push(&self, item: u8) {
        let mut items = self
            .not_full
            .wait_while(self.items.lock().unwrap(), |i| i.len() >= CAPACITY)
            .unwrap();
        items.push(item);
        self.not_empty.notify_one();
    }

    fn push_all(&self, batch: &[u8]) {
        for &item in batch {
            let mut items = self
                .not_full
                .wait_while(self.items.lock().unwrap(), |i| i.len() >= CAPACITY)
                .unwrap();
            items.push(item);
            // BUG: no notify here.
        }
    }

    fn pop(&self) -> u8 {
        let mut items = self
            .not_empty
            .wait_while(self.items.lock().unwrap(), |i| i.is_empty())
            .unwrap();
        let item = items.remove(0);
        self.not_full.notify_one();
        item
    }
}

fn run(ops: Vec<Op>) {
    let q = Arc::new(Queue {
        items: Mutex::new(Vec::new()),
        not_empty: Condvar::new(),
        not_full: Condvar::new(),
    });
    let total: usize = ops
        .iter()
        .map(|op| match op {
            Op::Push(_) => 1,
            Op::PushAll(b) => b.len(),
        })
        .sum();
    let q2 = Arc::clone(&q);
    let consumer = thread::spawn(move || (0..total).map(|_| q2.pop() as u32).sum::<u32>());
    for op in &ops {
        match op {
            Op::Push(item) => q.push(*item),
            Op::PushAll(batch) => q.push_all(batch),
        }
    }
    consumer.join().unwrap();
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Push),
        vec(any::<u8>(), 0..4).prop_map(Op::PushAll)
    ]
}

#[test]
fn the_planted_bug_shrinks_to_a_short_sequence_with_its_report() {
    let failure = explore(
        ProptestConfig::with_cases(64),
        vec(op(), 0..8),
        Config::new().schedules(300),
        run,
    )
    .expect_err("the forgotten notify is found for some input");
    // The minimal sequence: one batch of one item, which the consumer waits for forever.
    assert_eq!(failure.input(), "[PushAll([0])]", "{failure}");
    let report = failure.report();
    assert!(report.has(FindingKind::MissedSignal), "{report}");
    let never = report.findings().iter().any(|f| {
        matches!(
            f.detail(),
            Detail::MissedSignal {
                cause: leakcheck::SignalCause::NeverSignalled { .. },
                ..
            }
        )
    });
    assert!(never, "{report}");
    // The token replays the minimal input's failing schedule.
    let replayed = Config::new()
        .replay(report.replay_token())
        .explore(|| run(vec![Op::PushAll(vec![0])]))
        .unwrap_err();
    let summary = |r: &leakcheck::Report| -> Vec<_> {
        r.findings()
            .iter()
            .map(|f| (f.kind(), f.location().cloned()))
            .collect()
    };
    assert_eq!(summary(&replayed), summary(report));
    let text = failure.to_string();
    assert!(text.contains("minimal input [PushAll([0])]"), "{text}");
    assert!(text.contains("Config::new().replay("), "{text}");
}

#[test]
fn a_correct_queue_passes_for_every_input_and_schedule() {
    leakcheck::proptest::check(
        ProptestConfig::with_cases(16),
        vec(any::<u8>(), 0..5),
        Config::new().schedules(200),
        |items: Vec<u8>| {
            let q = Arc::new(Queue {
                items: Mutex::new(Vec::new()),
                not_empty: Condvar::new(),
                not_full: Condvar::new(),
            });
            let n = items.len();
            let q2 = Arc::clone(&q);
            let consumer = thread::spawn(move || (0..n).map(|_| q2.pop()).collect::<Vec<u8>>());
            for &item in &items {
                q.push(item);
            }
            assert_eq!(consumer.join().unwrap(), items);
        },
    );
}

/// Inputs under the exhaustive search: each input's verdict is a proof for the bound, and the
/// planted bug shrinks to the same minimal input.
#[test]
fn inputs_under_the_exhaustive_search_shrink_the_same_and_prove_the_correct_queue() {
    let exhaustive = || {
        Config::new()
            .scheduler(leakcheck::Scheduler::Exhaustive {
                preemption_bound: 1,
            })
            .schedules(1_000_000)
    };
    let failure = explore(
        ProptestConfig::with_cases(32),
        vec(op(), 0..6),
        exhaustive(),
        run,
    )
    .expect_err("the forgotten notify is found for some input");
    assert_eq!(failure.input(), "[PushAll([0])]", "{failure}");
    assert!(failure.report().has(FindingKind::MissedSignal), "{failure}");
    assert!(failure.to_string().contains("exhaustive:1"), "{failure}");

    leakcheck::proptest::check(
        ProptestConfig::with_cases(8),
        vec(any::<u8>(), 0..4),
        exhaustive(),
        |items: Vec<u8>| {
            let q = Arc::new(Queue {
                items: Mutex::new(Vec::new()),
                not_empty: Condvar::new(),
                not_full: Condvar::new(),
            });
            let n = items.len();
            let q2 = Arc::clone(&q);
            let consumer = thread::spawn(move || (0..n).map(|_| q2.pop()).collect::<Vec<u8>>());
            for &item in &items {
                q.push(item);
            }
            assert_eq!(consumer.join().unwrap(), items);
        },
    );
}

/// The inputs come from the check's seed: the same seed gives the same minimal failure and the
/// same report, to the byte.
#[test]
fn the_same_seed_gives_the_same_inputs_and_the_same_failure() {
    let failure = || {
        explore(
            ProptestConfig::with_cases(64),
            vec(op(), 0..8),
            Config::new().schedules(100).seed(7),
            run,
        )
        .expect_err("the forgotten notify is found for some input")
        .to_string()
    };
    assert_eq!(failure(), failure());
}
