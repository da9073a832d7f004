use leakcheck::channel::bounded;
use leakcheck::sync::Mutex;
use leakcheck::thread;

/// Runs each task on a thread of its own, at most `limit` at a time, and returns once all are
/// done: no thread outlives the call.
pub fn run_all(tasks: &[u32], limit: usize, work: fn(u32) -> u32) -> Vec<u32> {
    // A semaphore: a token in the channel is a task running.
    let (acquire, release) = bounded::<()>(limit);
    let results = Mutex::new(vec![0; tasks.len()]);
    thread::scope(|s| {
        for (i, &task) in tasks.iter().enumerate() {
            acquire.send(()).unwrap(); // waits while `limit` tasks run
            let (release, results) = (&release, &results);
            s.spawn(move || {
                let result = work(task);
                results.lock().unwrap()[i] = result;
                release.recv().unwrap();
            });
        }
    }); // joins every thread it spawned
    results.into_inner().unwrap()
}

pub fn pool_runs_a_job() {
    assert_eq!(run_all(&[6, 7, 8], 2, |x| x * 7), [42, 49, 56]);
}
