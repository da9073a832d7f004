// src/jobs.rs: the code under test picks leakcheck's facade in test builds only.
#[cfg(test)]
use leakcheck::{sync, thread};
#[cfg(not(test))]
use std::{sync, thread};

use sync::{Arc, Mutex};

/// Runs each job on its own thread and returns the results in order.
pub fn run_all(jobs: Vec<fn() -> u32>) -> Vec<u32> {
    let results = Arc::new(Mutex::new(vec![0; jobs.len()]));
    let handles: Vec<_> = jobs
        .into_iter()
        .enumerate()
        .map(|(i, job)| {
            let results = Arc::clone(&results);
            thread::spawn(move || results.lock().unwrap()[i] = job())
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let results = results.lock().unwrap();
    results.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Explored under leakcheck's scheduler.
    #[leakcheck::test]
    fn runs_every_job() {
        assert_eq!(run_all(vec![|| 1, || 2]), [1, 2]);
    }

    /// An ordinary test: outside a check, the facade is std, with real threads.
    #[test]
    fn runs_a_single_job() {
        assert_eq!(run_all(vec![|| 3]), [3]);
    }
}
