use leakcheck::sync::Arc;
use leakcheck::tokio;
use leakcheck::tokio::sync::Notify;

async fn load_config() {
    tokio::task::yield_now().await;
}

async fn serve(shutdown: Arc<Notify>) -> &'static str {
    load_config().await;
    shutdown.notified().await;
    "closed"
}

/// The fix: `notify_one` stores a permit when the server is not waiting yet, and its
/// `notified().await` takes it.
pub fn server_shuts_down() {
    leakcheck::block_on(async {
        let shutdown = Arc::new(Notify::new());
        let server = tokio::spawn(serve(Arc::clone(&shutdown)));
        tokio::task::yield_now().await;
        shutdown.notify_one();
        assert_eq!(server.await.unwrap(), "closed");
    });
}
