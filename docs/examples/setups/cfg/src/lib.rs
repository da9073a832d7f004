//! The code under test picks leakcheck's facade in builds with `--cfg leakcheck`.

#[cfg(leakcheck)]
use leakcheck::{sync, thread};
#[cfg(not(leakcheck))]
use std::{sync, thread};

use sync::mpsc;

/// Runs each job on its own thread and returns the results in order.
pub fn run_all(jobs: Vec<fn() -> u32>) -> Vec<u32> {
    let handles: Vec<_> = jobs.into_iter().map(thread::spawn).collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Starts a worker that serves requests until every sender is dropped, and forgets it.
pub fn start_worker() -> mpsc::Sender<u32> {
    let (tx, rx) = mpsc::channel::<u32>();
    thread::spawn(move || for _request in rx {});
    tx
}
