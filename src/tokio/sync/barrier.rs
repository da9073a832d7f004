//! `tokio::sync::Barrier`, with tokio's semantics: see [`Barrier`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

pub use ::tokio::sync::BarrierWaitResult;

use super::chan::key;
use crate::runtime::async_barrier::AsyncBarrierState;
use crate::runtime::task as model;
use crate::runtime::{self, Handle, Imp, Loc, WaitOn};

/// tokio's `BarrierWaitResult` (its field is private), leader or not, from a real barrier.
fn wait_result(leader: bool) -> BarrierWaitResult {
    let b = ::tokio::sync::Barrier::new(2);
    let mut cx = Context::from_waker(Waker::noop());
    let mut first = std::pin::pin!(b.wait());
    let mut second = std::pin::pin!(b.wait());
    assert!(first.as_mut().poll(&mut cx).is_pending());
    let Poll::Ready(last) = second.as_mut().poll(&mut cx) else {
        unreachable!("the second of two arrivals releases the barrier")
    };
    let Poll::Ready(other) = first.as_mut().poll(&mut cx) else {
        unreachable!("a released waiter is ready")
    };
    if leader {
        last
    } else {
        other
    }
}

/// A barrier for `n` tasks, as tokio's `Barrier`: each [`wait`](Barrier::wait) waits until
/// `n` have arrived; the last to arrive is the leader, and the barrier is reusable.
///
/// Inside a check it is a model (`barrier#1` in reports): a task pending forever on `wait`
/// (fewer tasks arrived than the barrier needs) is reported as a leaked task awaiting
/// `Barrier::wait` on it. Outside a check it is tokio's own.
///
/// ```
/// use std::sync::Arc;
/// use leakcheck::tokio::{self, sync::Barrier};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let barrier = Arc::new(Barrier::new(2));
///         let b = barrier.clone();
///         let other = tokio::spawn(async move { b.wait().await.is_leader() });
///         let me = barrier.wait().await.is_leader();
///         assert!(me ^ other.await.unwrap()); // exactly one leader
///     });
/// });
/// ```
pub struct Barrier {
    imp: Imp<::tokio::sync::Barrier>,
}

impl Barrier {
    /// A barrier for `n` tasks (0 is taken as 1, as tokio's).
    #[track_caller]
    pub fn new(n: usize) -> Self {
        let at = runtime::caller();
        let imp = match runtime::current() {
            None => Imp::Std(::tokio::sync::Barrier::new(n)),
            Some(exec) => Imp::Model(exec.new_object(
                at,
                AsyncBarrierState {
                    n: n.max(1),
                    ..AsyncBarrierState::default()
                },
            )),
        };
        Barrier { imp }
    }

    /// Arrives, and waits for the others: whether this arrival was the leader (the last).
    #[track_caller]
    pub fn wait(&self) -> impl Future<Output = BarrierWaitResult> + '_ {
        let at = runtime::caller();
        async move {
            match &self.imp {
                Imp::Std(b) => b.wait().await,
                Imp::Model(h) => {
                    Wait {
                        handle: *h,
                        key: key(),
                        generation: None,
                        at,
                    }
                    .await
                }
            }
        }
    }
}

struct Wait {
    handle: Handle,
    key: u64,
    /// The generation it arrived in, once it did.
    generation: Option<u64>,
    at: Loc,
}

impl Future for Wait {
    type Output = BarrierWaitResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let op = "Barrier::wait";
        let exec = self.handle.exec("a tokio Barrier");
        if !exec.switch(op, self.at) {
            return Poll::Pending;
        }
        let (out, wake) = {
            let Some(mut reg) = exec.live() else {
                return Poll::Pending;
            };
            let st = reg.async_barrier(self.handle.id);
            match self.generation {
                None => {
                    st.arrived += 1;
                    if st.arrived == st.n {
                        st.arrived = 0;
                        st.generation += 1;
                        let wake: Vec<Waker> = st.waiters.drain(..).map(|w| w.1).collect();
                        (Poll::Ready(true), wake)
                    } else {
                        let g = st.generation;
                        st.waiters.push((self.key, cx.waker().clone()));
                        self.generation = Some(g);
                        (Poll::Pending, Vec::new())
                    }
                }
                Some(g) if st.generation != g => (Poll::Ready(false), Vec::new()),
                Some(_) => {
                    if let Some(w) = st.waiters.iter_mut().find(|w| w.0 == self.key) {
                        w.1 = cx.waker().clone();
                    }
                    (Poll::Pending, Vec::new())
                }
            }
        };
        for w in wake {
            w.wake();
        }
        match out {
            Poll::Ready(leader) => Poll::Ready(wait_result(leader)),
            Poll::Pending => {
                model::awaits(&exec, op, WaitOn::Object(self.handle.id), self.at);
                Poll::Pending
            }
        }
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        // Its arrival stays counted, as tokio's; only its waker goes.
        if let Some(exec) = self.handle.live() {
            let waker = exec.reg.try_borrow_mut().ok().and_then(|mut reg| {
                let st = reg.async_barrier(self.handle.id);
                let i = st.waiters.iter().position(|w| w.0 == self.key)?;
                Some(st.waiters.remove(i))
            });
            drop(waker);
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").finish_non_exhaustive()
    }
}
