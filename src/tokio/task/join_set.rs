//! `JoinSet`: a collection of tasks, awaited in the order they complete.

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use super::{spawn, spawn_blocking, AbortHandle, JoinError, JoinHandle};
use crate::runtime::{self, Imp};

/// A set of tasks, as tokio's `JoinSet`: [`join_next`](JoinSet::join_next) gives their outputs
/// in the order they complete, and dropping the set aborts the tasks still in it.
///
/// ```
/// use leakcheck::tokio::task::JoinSet;
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let mut set = JoinSet::new();
///         for i in 0..3 {
///             set.spawn(async move { i * 10 });
///         }
///         let mut sum = 0;
///         while let Some(out) = set.join_next().await {
///             sum += out.unwrap();
///         }
///         assert_eq!(sum, 30);
///     });
/// });
/// ```
pub struct JoinSet<T> {
    imp: Imp<::tokio::task::JoinSet<T>, Vec<JoinHandle<T>>>,
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        JoinSet {
            imp: match runtime::current() {
                None => Imp::Std(::tokio::task::JoinSet::new()),
                Some(_) => Imp::Model(Vec::new()),
            },
        }
    }

    /// How many tasks are in the set (completed ones not yet joined included).
    pub fn len(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.len(),
            Imp::Model(v) => v.len(),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Aborts every task in the set; they stay in it until joined (as cancelled).
    pub fn abort_all(&mut self) {
        match &mut self.imp {
            Imp::Std(s) => s.abort_all(),
            Imp::Model(v) => v.iter().for_each(JoinHandle::abort),
        }
    }

    /// Removes every task from the set without aborting them: they run on, detached.
    pub fn detach_all(&mut self) {
        match &mut self.imp {
            Imp::Std(s) => s.detach_all(),
            Imp::Model(v) => v.clear(),
        }
    }

    /// Spawns a task into the set, as [`spawn`](super::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        match &mut self.imp {
            Imp::Std(s) => AbortHandle {
                imp: Imp::Std(s.spawn(future)),
            },
            Imp::Model(v) => {
                let h = spawn(future);
                let a = h.abort_handle();
                v.push(h);
                a
            }
        }
    }

    /// Runs `f` on the blocking pool as a task of the set, as
    /// [`spawn_blocking`](super::spawn_blocking).
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        match &mut self.imp {
            Imp::Std(s) => AbortHandle {
                imp: Imp::Std(s.spawn_blocking(f)),
            },
            Imp::Model(v) => {
                let h = spawn_blocking(f);
                let a = h.abort_handle();
                v.push(h);
                a
            }
        }
    }

    /// The output of the next task to complete, `None` once the set is empty.
    ///
    /// ```
    /// use leakcheck::tokio::task::JoinSet;
    ///
    /// leakcheck::check(|| {
    ///     leakcheck::block_on(async {
    ///         let mut set = JoinSet::new();
    ///         set.spawn(async { 1 });
    ///         assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    ///         assert!(set.join_next().await.is_none());
    ///     });
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        let v = match &mut self.imp {
            Imp::Std(s) => {
                return s.join_next().await.map(|r| {
                    r.map_err(|e| JoinError {
                        repr: super::Repr::Tokio(e),
                    })
                })
            }
            Imp::Model(v) => v,
        };
        poll_fn(|cx| {
            if v.is_empty() {
                return Poll::Ready(None);
            }
            // The first to complete, as tokio's: its handle is ready.
            if let Some(i) = first_completed(v) {
                let mut h = v.swap_remove(i);
                return Pin::new(&mut h).poll(cx).map(Some);
            }
            for i in 0..v.len() {
                if let Poll::Ready(out) = Pin::new(&mut v[i]).poll(cx) {
                    // Completed while we looked: joined now.
                    drop(v.swap_remove(i));
                    return Poll::Ready(Some(out));
                }
            }
            Poll::Pending
        })
        .await
    }

    /// The output of a task that has completed, if one has, without waiting.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let v = match &mut self.imp {
            Imp::Std(s) => {
                return s.try_join_next().map(|r| {
                    r.map_err(|e| JoinError {
                        repr: super::Repr::Tokio(e),
                    })
                })
            }
            Imp::Model(v) => v,
        };
        let i = first_completed(v)?;
        let mut h = v.swap_remove(i);
        let waker = std::task::Waker::noop();
        match Pin::new(&mut h).poll(&mut std::task::Context::from_waker(waker)) {
            Poll::Ready(out) => Some(out),
            Poll::Pending => None,
        }
    }

    /// Aborts every task and waits until each has ended.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in the order they completed.
    ///
    /// # Panics
    ///
    /// If a task panicked (the panic goes on), as tokio's; a cancelled task is a panic too.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(r) = self.join_next().await {
            match r {
                Ok(v) => out.push(v),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("{e}"),
            }
        }
        out
    }
}

/// The index of the handle whose task completed first, if one has: `JoinSet` gives outputs in
/// the order the tasks completed.
fn first_completed<T>(handles: &[JoinHandle<T>]) -> Option<usize> {
    (0..handles.len())
        .filter_map(|i| handles[i].completion().map(|c| (c, i)))
        .min()
        .map(|(_, i)| i)
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        // tokio's JoinSet aborts its tasks when it drops (tokio's own does that itself).
        if let Imp::Model(v) = &self.imp {
            v.iter().for_each(JoinHandle::abort);
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
