use leakcheck::sync::atomic::{AtomicBool, Ordering};
use leakcheck::sync::Arc;
use leakcheck::tokio;
use leakcheck::Config;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A hand-written future that completes once a flag is set.
pub struct Ready(pub Arc<AtomicBool>);

impl Future for Ready {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.0.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending // nobody will wake this task: the waker was not kept
        }
    }
}

pub fn config() -> Config {
    Config::new()
}

/// A task announces the service once it is ready; the body makes it ready.
pub fn service_becomes_ready() {
    leakcheck::block_on(async {
        let ready = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ready);
        drop(tokio::spawn(async move {
            Ready(flag).await;
            // ... announce the service ...
        }));
        tokio::task::yield_now().await;
        ready.store(true, Ordering::Release);
    });
}
