use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;
use leakcheck::{Config, Scheduler};

/// Whether the indexer is running a batch.
pub struct Activity {
    busy: Mutex<bool>,
    idle: Condvar,
}

impl Activity {
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            busy: Mutex::new(false),
            idle: Condvar::new(),
        })
    }

    pub fn set_busy(&self, busy: bool) {
        *self.busy.lock().unwrap() = busy;
        if !busy {
            self.idle.notify_all();
        }
    }

    /// Waits until the batch in progress is done: a wait for a state that may not last.
    pub fn await_idle(&self) {
        let busy = self.busy.lock().unwrap();
        drop(self.idle.wait_while(busy, |busy| *busy).unwrap());
    }
}

/// The random scheduler, with a seed whose first schedule has the reporter wake up too late.
pub fn config() -> Config {
    Config::new().scheduler(Scheduler::Random).seed(0)
}

/// The indexer runs two batches back to back; a reporter waits for the first to be done.
pub fn batches_are_reported() {
    let activity = Activity::new();
    activity.set_busy(true);
    let shared = Arc::clone(&activity);
    let reporter = thread::Builder::new()
        .name("reporter".into())
        .spawn(move || shared.await_idle()) // ... then report on the batch
        .unwrap();
    // ... first batch
    activity.set_busy(false);
    activity.set_busy(true);
    // ... second batch
    reporter.join().unwrap();
    activity.set_busy(false);
}
