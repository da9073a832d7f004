use leakcheck::sync::atomic::{AtomicBool, Ordering};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::tokio;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The fix: the future keeps its waker where `set` will find it, registered before it checks
/// the flag (so a `set` in between is not missed).
#[derive(Default)]
pub struct Flag {
    set: AtomicBool,
    waiter: Mutex<Option<Waker>>,
}

impl Flag {
    pub fn set(&self) {
        self.set.store(true, Ordering::Release);
        if let Some(waker) = self.waiter.lock().unwrap().take() {
            waker.wake();
        }
    }
}

pub struct Ready(pub Arc<Flag>);

impl Future for Ready {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.0.waiter.lock().unwrap() = Some(cx.waker().clone());
        if self.0.set.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

pub fn service_becomes_ready() {
    leakcheck::block_on(async {
        let ready = Arc::new(Flag::default());
        let flag = Arc::clone(&ready);
        let announcer = tokio::spawn(async move {
            Ready(flag).await;
            // ... announce the service ...
        });
        tokio::task::yield_now().await;
        ready.set();
        announcer.await.unwrap();
    });
}
