use leakcheck::sync::{Arc, Mutex};
use leakcheck::tokio;
use leakcheck::tokio::time::{sleep, Duration};
use leakcheck::{Config, Time};

pub fn config() -> Config {
    // Time passes only when nothing else can run: the reader's wait shows in the report.
    Config::new().time(Time::Virtual)
}

/// Refreshes the price: locks the cache, then fetches the new price with the guard held.
async fn refresh(cache: &Mutex<u32>) {
    let mut price = cache.lock().unwrap();
    sleep(Duration::from_millis(20)).await; // ... fetch the new price ...
    *price += 1;
}

pub fn prices_are_refreshed() {
    leakcheck::block_on(async {
        let cache = Arc::new(Mutex::new(100u32));
        let theirs = Arc::clone(&cache);
        let reader = tokio::spawn(async move { *theirs.lock().unwrap() });
        refresh(&cache).await;
        reader.await.unwrap();
    });
}
