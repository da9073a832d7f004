//! `tokio::sync::Semaphore`, with tokio's semantics: see [`Semaphore`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

pub use ::tokio::sync::{AcquireError, TryAcquireError};

use super::sem::{self, AcquireFut, Kind};
use crate::runtime::async_sem::AsyncSemState;
use crate::runtime::{self, Handle, Imp, Loc};

/// tokio's `AcquireError` (its field is private): the one a closed real semaphore returns.
fn acquire_error() -> AcquireError {
    let s = ::tokio::sync::Semaphore::new(0);
    s.close();
    let mut fut = std::pin::pin!(s.acquire());
    let out = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    match out {
        Poll::Ready(Err(e)) => e,
        _ => unreachable!("a closed semaphore fails at once"),
    }
}

/// A counting semaphore, as tokio's `Semaphore`: permits go to waiters first come first
/// served (a waiter at the head wanting more than there are holds back those behind it), and
/// `close` fails every waiter.
///
/// Inside a check it is a model (`semaphore#1` in reports): a task pending forever on
/// `acquire` is reported with the tasks holding permits and where they took them. Outside a
/// check it is tokio's own.
///
/// ```
/// use std::sync::Arc;
/// use leakcheck::tokio::{self, sync::Semaphore};
///
/// leakcheck::check(|| {
///     leakcheck::block_on(async {
///         let pool = Arc::new(Semaphore::new(2));
///         let mut tasks = Vec::new();
///         for _ in 0..4 {
///             let pool = pool.clone();
///             tasks.push(tokio::spawn(async move {
///                 let _permit = pool.acquire().await.unwrap();
///                 tokio::task::yield_now().await; // at most two tasks here at once
///             }));
///         }
///         for t in tasks {
///             t.await.unwrap();
///         }
///         assert_eq!(pool.available_permits(), 2);
///     });
/// });
/// ```
pub struct Semaphore {
    imp: Imp<Arc<::tokio::sync::Semaphore>>,
}

/// Permits taken from a [`Semaphore`], given back when dropped.
pub struct SemaphorePermit<'a> {
    imp: Imp<::tokio::sync::SemaphorePermit<'a>, (Handle, u64, usize)>,
}

/// An owned permit's implementation: tokio's (with the semaphore), or the model's.
type OwnedImp = Imp<
    (::tokio::sync::OwnedSemaphorePermit, Arc<Semaphore>),
    (Arc<Semaphore>, Handle, u64, usize),
>;

/// Permits taken from an `Arc<Semaphore>`, given back when dropped.
pub struct OwnedSemaphorePermit {
    imp: OwnedImp,
}

impl Semaphore {
    /// The most permits a semaphore can hold, as tokio's.
    pub const MAX_PERMITS: usize = ::tokio::sync::Semaphore::MAX_PERMITS;

    /// A semaphore with `permits` permits.
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        let at = runtime::caller();
        let imp = match runtime::current() {
            None => Imp::Std(Arc::new(::tokio::sync::Semaphore::new(permits))),
            Some(exec) => Imp::Model(exec.new_object(
                at,
                AsyncSemState {
                    permits,
                    ..AsyncSemState::default()
                },
            )),
        };
        Semaphore { imp }
    }

    fn read<R>(h: Handle, f: impl FnOnce(&mut AsyncSemState) -> R) -> R {
        let exec = h.exec("a tokio Semaphore");
        let mut reg = exec.reg();
        f(sem::state(&mut reg, Kind::Semaphore, h))
    }

    /// The free permits now.
    pub fn available_permits(&self) -> usize {
        match &self.imp {
            Imp::Std(s) => s.available_permits(),
            Imp::Model(h) => Self::read(*h, |s| s.permits),
        }
    }

    /// Adds `n` permits (to the waiters first).
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.add_permits(n),
            Imp::Model(h) => {
                h.exec("a tokio Semaphore")
                    .switch("Semaphore::add_permits", at);
                sem::release(*h, Kind::Semaphore, 0, n, false);
            }
        }
    }

    /// Removes up to `n` free permits; how many it removed.
    pub fn forget_permits(&self, n: usize) -> usize {
        match &self.imp {
            Imp::Std(s) => s.forget_permits(n),
            Imp::Model(h) => Self::read(*h, |s| {
                let k = n.min(s.permits);
                s.permits -= k;
                k
            }),
        }
    }

    /// Closes it: waiting and later acquires fail; permits held stay valid.
    #[track_caller]
    pub fn close(&self) {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.close(),
            Imp::Model(h) => {
                let exec = h.exec("a tokio Semaphore");
                exec.switch("Semaphore::close", at);
                let wake = Self::read(*h, AsyncSemState::close);
                crate::runtime::waiter::wake_all(&exec, wake);
            }
        }
    }

    /// Whether it is closed.
    pub fn is_closed(&self) -> bool {
        match &self.imp {
            Imp::Std(s) => s.is_closed(),
            Imp::Model(h) => Self::read(*h, |s| s.closed),
        }
    }

    async fn acquire_at(
        &self,
        n: usize,
        op: &'static str,
        at: Loc,
    ) -> Result<SemaphorePermit<'_>, AcquireError> {
        {
            match &self.imp {
                Imp::Std(s) => s
                    .acquire_many(n as u32)
                    .await
                    .map(|p| SemaphorePermit { imp: Imp::Std(p) }),
                Imp::Model(h) => {
                    let fut = AcquireFut::new(*h, Kind::Semaphore, n, op, at);
                    let key = fut.key;
                    if fut.await {
                        Ok(SemaphorePermit {
                            imp: Imp::Model((*h, key, n)),
                        })
                    } else {
                        Err(acquire_error())
                    }
                }
            }
        }
    }

    /// Waits for a permit and takes it.
    ///
    /// # Errors
    ///
    /// If the semaphore is closed.
    #[track_caller]
    pub fn acquire(&self) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> + '_ {
        self.acquire_at(1, "Semaphore::acquire", runtime::caller())
    }

    /// Waits for `n` permits and takes them.
    ///
    /// # Errors
    ///
    /// If the semaphore is closed.
    #[track_caller]
    pub fn acquire_many(
        &self,
        n: u32,
    ) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> + '_ {
        self.acquire_at(n as usize, "Semaphore::acquire_many", runtime::caller())
    }

    /// Takes a permit if one is free now.
    ///
    /// # Errors
    ///
    /// `NoPermits` if none is, `Closed` if the semaphore is closed.
    #[track_caller]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_at(1, runtime::caller())
    }

    /// Takes `n` permits if they are free now.
    ///
    /// # Errors
    ///
    /// `NoPermits` if they are not, `Closed` if the semaphore is closed.
    #[track_caller]
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_at(n as usize, runtime::caller())
    }

    fn try_acquire_at(&self, n: usize, at: Loc) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        match &self.imp {
            Imp::Std(s) => s
                .try_acquire_many(n as u32)
                .map(|p| SemaphorePermit { imp: Imp::Std(p) }),
            Imp::Model(h) => {
                match sem::try_acquire(*h, Kind::Semaphore, n, "Semaphore::try_acquire", at) {
                    Ok(key) => Ok(SemaphorePermit {
                        imp: Imp::Model((*h, key, n)),
                    }),
                    Err(true) => Err(TryAcquireError::Closed),
                    Err(false) => Err(TryAcquireError::NoPermits),
                }
            }
        }
    }

    /// Waits for a permit of the shared semaphore and takes it.
    ///
    /// # Errors
    ///
    /// If the semaphore is closed.
    #[track_caller]
    pub fn acquire_owned(
        self: Arc<Self>,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        self.acquire_many_owned_at(1, runtime::caller())
    }

    /// Waits for `n` permits of the shared semaphore and takes them.
    ///
    /// # Errors
    ///
    /// If the semaphore is closed.
    #[track_caller]
    pub fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        self.acquire_many_owned_at(n as usize, runtime::caller())
    }

    async fn acquire_many_owned_at(
        self: Arc<Self>,
        n: usize,
        at: Loc,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        {
            match &self.imp {
                Imp::Std(s) => {
                    s.clone()
                        .acquire_many_owned(n as u32)
                        .await
                        .map(|p| OwnedSemaphorePermit {
                            imp: Imp::Std((p, self.clone())),
                        })
                }
                Imp::Model(h) => {
                    let h = *h;
                    let fut =
                        AcquireFut::new(h, Kind::Semaphore, n, "Semaphore::acquire_owned", at);
                    let key = fut.key;
                    if fut.await {
                        Ok(OwnedSemaphorePermit {
                            imp: Imp::Model((self.clone(), h, key, n)),
                        })
                    } else {
                        Err(acquire_error())
                    }
                }
            }
        }
    }

    /// Takes a permit of the shared semaphore if one is free now.
    ///
    /// # Errors
    ///
    /// `NoPermits` if none is, `Closed` if the semaphore is closed.
    #[track_caller]
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        let at = runtime::caller();
        match &self.imp {
            Imp::Std(s) => s.clone().try_acquire_owned().map(|p| OwnedSemaphorePermit {
                imp: Imp::Std((p, self.clone())),
            }),
            Imp::Model(h) => {
                let h = *h;
                match sem::try_acquire(h, Kind::Semaphore, 1, "Semaphore::try_acquire", at) {
                    Ok(key) => Ok(OwnedSemaphorePermit {
                        imp: Imp::Model((self, h, key, 1)),
                    }),
                    Err(true) => Err(TryAcquireError::Closed),
                    Err(false) => Err(TryAcquireError::NoPermits),
                }
            }
        }
    }
}

impl SemaphorePermit<'_> {
    /// Keeps the permits away from the semaphore for good.
    pub fn forget(mut self) {
        match &mut self.imp {
            Imp::Model((h, key, n)) => {
                sem::release(*h, Kind::Semaphore, *key, *n, true);
                *n = 0;
            }
            Imp::Std(_) => {
                let model = Imp::Model((Handle { serial: 0, id: 0 }, 0, 0));
                if let Imp::Std(p) = std::mem::replace(&mut self.imp, model) {
                    p.forget();
                }
            }
        }
    }

    /// How many permits it holds.
    pub fn num_permits(&self) -> usize {
        match &self.imp {
            Imp::Std(p) => p.num_permits(),
            Imp::Model((_, _, n)) => *n,
        }
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if let Imp::Model((h, key, n)) = &self.imp
            && *n > 0
        {
            sem::release(*h, Kind::Semaphore, *key, *n, false);
        }
    }
}

impl OwnedSemaphorePermit {
    /// How many permits it holds.
    pub fn num_permits(&self) -> usize {
        match &self.imp {
            Imp::Std((p, _)) => p.num_permits(),
            Imp::Model((_, _, _, n)) => *n,
        }
    }

    /// The semaphore it came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        match &self.imp {
            Imp::Std((_, s)) | Imp::Model((s, ..)) => s,
        }
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if let Imp::Model((_, h, key, n)) = &self.imp {
            sem::release(*h, Kind::Semaphore, *key, *n, false);
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .finish()
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.num_permits())
            .finish()
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.num_permits())
            .finish()
    }
}
