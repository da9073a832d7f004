use std::time::Duration;

use leakcheck::channel::{after, bounded, select, Receiver, Sender};
use leakcheck::thread;

/// Go: `select { case updates <- v: return true; default: return false }`.
/// Like Go, and unlike crossbeam, `select!` evaluates `v` whether or not the send is chosen.
pub fn try_publish(updates: &Sender<u32>, v: u32) -> bool {
    select! {
        send(updates, v) -> sent => sent.is_ok(),
        default => false,
    }
}

/// Go: `slowQuery(ctx)`. `done` never gets a message: it is disconnected when the caller
/// cancels.
fn slow_query(done: &Receiver<()>) -> Option<String> {
    for _step in 0..3 {
        select! {
            recv(done) -> _ => return None, // case <-ctx.Done(): return ctx.Err()
            default => {}, // ... one step of the query
        }
    }
    Some("42 rows".to_string())
}

/// Go: `query(timeout)`, whose goroutine cannot outlive the call.
pub fn query(timeout: Duration) -> Result<String, String> {
    let (cancel, done) = bounded::<()>(0); // ctx.Done(); dropping `cancel` cancels
    let (result_tx, result_rx) = bounded(1); // a buffer of one: the send never waits
    thread::scope(|s| {
        s.spawn(move || {
            if let Some(rows) = slow_query(&done) {
                let _ = result_tx.send(rows);
            }
        });
        let outcome = select! {
            recv(result_rx) -> rows => rows.map_err(|_| "the query stopped".to_string()),
            recv(after(timeout)) -> _ => Err("timed out".to_string()), // case <-time.After(timeout)
        };
        drop(cancel); // cancel(): `done` is disconnected, and the query stops at its next step
        outcome
    }) // the query's thread is joined here, whichever arm won
}

pub fn query_answers() {
    // Either outcome, depending on the schedule; both end with the query's thread joined.
    let outcome = query(Duration::from_secs(1));
    assert!(outcome == Ok("42 rows".into()) || outcome == Err("timed out".into()));
    let (updates, subscriber) = bounded(1);
    assert!(try_publish(&updates, 1));
    assert!(!try_publish(&updates, 2), "the buffer is full: dropped");
    assert_eq!(subscriber.recv(), Ok(1));
}
