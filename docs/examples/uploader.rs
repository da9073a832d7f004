use std::time::Duration;

use leakcheck::sync::atomic::{AtomicU32, Ordering};
use leakcheck::sync::Arc;
use leakcheck::thread;
use leakcheck::Config;

pub fn config() -> Config {
    // A short stall timeout for the example; the default is 10 s.
    Config::new().stall_timeout(Duration::from_secs(1))
}

/// The upload fails once, then succeeds.
fn try_upload(attempt: u32) -> bool {
    attempt > 0
}

/// An uploader that backs off between attempts, with std's sleep: the import was not swapped.
pub fn upload_is_retried() {
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&attempts);
    let uploader = thread::Builder::new()
        .name("uploader".into())
        .spawn(move || loop {
            let attempt = counter.fetch_add(1, Ordering::AcqRel);
            if try_upload(attempt) {
                return;
            }
            std::thread::sleep(Duration::from_secs(2));
        })
        .unwrap();
    uploader.join().unwrap();
    assert_eq!(attempts.load(Ordering::Acquire), 2);
}
