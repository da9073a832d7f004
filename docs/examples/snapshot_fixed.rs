use leakcheck::sync::Arc;
use leakcheck::tokio;
use leakcheck::tokio::sync::Mutex;
use leakcheck::tokio_util::sync::CancellationToken;
use leakcheck::tokio_util::task::TaskTracker;

#[derive(Default)]
pub struct Store {
    dirty: Vec<String>,
    saved: usize,
}

/// The fix: the saver waits for the lock and for the cancel at once.
async fn saver(store: Arc<Mutex<Store>>, token: CancellationToken) {
    loop {
        let mut store = tokio::select! {
            () = token.cancelled() => return,
            store = store.lock() => store,
        };
        store.saved += store.dirty.len();
        store.dirty.clear();
        drop(store);
        tokio::task::yield_now().await;
    }
}

async fn open_snapshot_file() {
    tokio::task::yield_now().await;
}

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
        assert_eq!(snapshot.saved, 1);
    });
}
