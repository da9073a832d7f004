use leakcheck::sync::Arc;
use leakcheck::tokio;
use leakcheck::tokio::sync::Notify;
use leakcheck::Config;

async fn load_config() {
    tokio::task::yield_now().await; // ... read the file
}

/// Serves until `shutdown` is notified, then closes its connections.
async fn serve(shutdown: Arc<Notify>) -> &'static str {
    load_config().await;
    // ... accept connections ...
    shutdown.notified().await;
    "closed"
}

pub fn config() -> Config {
    Config::new()
}

/// The test starts the server, shuts it down and waits for it to close.
pub fn server_shuts_down() {
    leakcheck::block_on(async {
        let shutdown = Arc::new(Notify::new());
        let server = tokio::spawn(serve(Arc::clone(&shutdown)));
        tokio::task::yield_now().await;
        shutdown.notify_waiters();
        assert_eq!(server.await.unwrap(), "closed");
    });
}
