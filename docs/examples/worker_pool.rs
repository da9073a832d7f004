use leakcheck::channel::{bounded, unbounded, Sender};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;
use leakcheck::Config;

type Job = Box<dyn FnOnce() + Send>;

/// The classical worker pool: workers started up front, fed through a channel.
pub struct Pool {
    jobs: Sender<Job>,
    /// How many jobs have run; each worker updates it through its `Arc` of the pool.
    finished: Mutex<usize>,
}

impl Pool {
    pub fn new(workers: usize) -> Arc<Pool> {
        let (jobs, queue) = unbounded::<Job>();
        let pool = Arc::new(Pool {
            jobs,
            finished: Mutex::new(0),
        });
        for i in 0..workers {
            let (queue, pool) = (queue.clone(), Arc::clone(&pool));
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    // Ends when the channel closes: when the pool's `Sender` is dropped.
                    for job in queue.iter() {
                        job();
                        *pool.finished.lock().unwrap() += 1;
                    }
                })
                .unwrap();
        }
        pool
    }

    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        self.jobs.send(Box::new(job)).unwrap();
    }
}

pub fn config() -> Config {
    Config::new()
}

pub fn pool_runs_a_job() {
    let pool = Pool::new(2);
    let (reply_tx, reply_rx) = bounded(1);
    pool.execute(move || reply_tx.send(6 * 7).unwrap());
    assert_eq!(reply_rx.recv(), Ok(42));
    // `pool` is dropped here, but the workers hold `Arc`s of it, and so its `Sender`.
}
