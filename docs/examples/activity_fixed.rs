use leakcheck::sync::{Arc, Condvar, Mutex};
use leakcheck::thread;

struct State {
    busy: bool,
    /// Batches done so far: it only grows, so once it is past a number it stays past it.
    done: u64,
}

pub struct Activity {
    state: Mutex<State>,
    idle: Condvar,
}

impl Activity {
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            state: Mutex::new(State {
                busy: false,
                done: 0,
            }),
            idle: Condvar::new(),
        })
    }

    pub fn set_busy(&self, busy: bool) {
        let mut state = self.state.lock().unwrap();
        if state.busy && !busy {
            state.done += 1;
            self.idle.notify_all();
        }
        state.busy = busy;
    }

    /// Waits until `n` batches are done, however busy the indexer is again by then.
    pub fn await_done(&self, n: u64) {
        let state = self.state.lock().unwrap();
        drop(self.idle.wait_while(state, |s| s.done < n).unwrap());
    }
}

pub fn batches_are_reported() {
    let activity = Activity::new();
    activity.set_busy(true);
    let shared = Arc::clone(&activity);
    let reporter = thread::Builder::new()
        .name("reporter".into())
        .spawn(move || shared.await_done(1))
        .unwrap();
    activity.set_busy(false);
    activity.set_busy(true);
    reporter.join().unwrap();
    activity.set_busy(false);
}
