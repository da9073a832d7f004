use leakcheck::sync::Arc;
use leakcheck::tokio;
use leakcheck::tokio::sync::Mutex;
use leakcheck::tokio_util::sync::CancellationToken;
use leakcheck::tokio_util::task::TaskTracker;
use leakcheck::Config;

#[derive(Default)]
pub struct Store {
    dirty: Vec<String>,
    saved: usize,
}

/// Saves the dirty entries, round after round, until `token` is cancelled.
async fn saver(store: Arc<Mutex<Store>>, token: CancellationToken) {
    while !token.is_cancelled() {
        let mut store = store.lock().await;
        store.saved += store.dirty.len();
        store.dirty.clear();
        drop(store);
        tokio::task::yield_now().await;
    }
}

async fn open_snapshot_file() {
    tokio::task::yield_now().await; // ... create the file
}

pub fn config() -> Config {
    Config::new()
}

/// On shutdown the service locks the store for its final snapshot, stops the saver, and waits
/// for its tasks before it writes the snapshot and lets the store go.
pub fn snapshot_on_shutdown() {
    leakcheck::block_on(async {
        let store = Arc::new(Mutex::new(Store::default()));
        let token = CancellationToken::new();
        let tracker = TaskTracker::new();
        drop(tracker.spawn(saver(Arc::clone(&store), token.clone())));
        store.lock().await.dirty.push("a".into());
        tokio::task::yield_now().await;

        let mut snapshot = store.lock().await;
        open_snapshot_file().await;
        token.cancel();
        tracker.close();
        tracker.wait().await;
        snapshot.saved += snapshot.dirty.len();
    });
}
