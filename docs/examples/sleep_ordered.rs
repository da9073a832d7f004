use std::time::Duration;

use leakcheck::channel::unbounded;
use leakcheck::thread;

/// A warm-up test as many suites have it: the loader "surely" finishes within 10 ms, so after
/// 50 ms its result is there.
pub fn cache_is_warm_after_startup() {
    let (loaded, results) = unbounded();
    let loader = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10)); // loading takes 10 ms
        let _ = loaded.send("config");
    });
    thread::sleep(Duration::from_millis(50));
    assert_eq!(results.try_recv().ok(), Some("config"), "loaded within 50 ms");
    loader.join().unwrap();
}
