use leakcheck::sync::{Arc, Mutex};
use leakcheck::tokio;
use leakcheck::tokio::time::{sleep, Duration};

/// The fix: fetch first, then lock only to store. The guard never lives across an `.await`.
async fn refresh(cache: &Mutex<u32>) {
    sleep(Duration::from_millis(20)).await; // ... fetch the new price ...
    *cache.lock().unwrap() += 1;
}

pub fn prices_are_refreshed() {
    leakcheck::block_on(async {
        let cache = Arc::new(Mutex::new(100u32));
        let theirs = Arc::clone(&cache);
        let reader = tokio::spawn(async move { *theirs.lock().unwrap() });
        refresh(&cache).await;
        let seen = reader.await.unwrap();
        assert!(seen == 100 || seen == 101);
    });
}
