//! The object table: every kind of object the registry tracks, generated from one list.
//!
//! Each line of [`objects!`]'s invocation below names a kind, the state struct its model keeps
//! (in the model's own file: `mutex.rs`, `condvar.rs`, ...), the kind reports name it by (the
//! schema's [`ObjectKind`]: `mutex#2`; the registry numbers objects per report kind), and the
//! registry accessor that reaches it. From that line come the kind enum, the state enum, the
//! conversions between them, the report kind and the accessor: adding a kind is adding a line.

use std::fmt;

use leakcheck_schema::ObjectKind;

use super::registry::Registry;
use super::{Loc, ObjId, Tid};

/// What every object's model answers for the detectors, beyond its own state.
pub(crate) trait Model: fmt::Debug {
    /// The threads that hold the object now, and where each took it (locks).
    fn holders(&self) -> Vec<(Tid, Loc)> {
        Vec::new()
    }

    /// The one thread that `tid`, blocked on this object, waits for, if it waits for one thread
    /// in particular (the holder of a lock, the thread running a `Once`).
    fn waits_for(&self, tid: Tid, reg: &Registry) -> Option<Tid> {
        let _ = (tid, reg);
        None
    }
}

/// A state struct that is the state of one kind of object.
pub(crate) trait State: Model + Sized {
    /// Its kind.
    const KIND: ObjKind;
    /// The object state that holds it.
    fn wrap(self) -> ObjState;
    /// It, if `state` is of its kind.
    fn of(state: &ObjState) -> Option<&Self>;
    /// It, mutably, if `state` is of its kind.
    fn of_mut(state: &mut ObjState) -> Option<&mut Self>;
}

macro_rules! objects {
    ($($(#[$doc:meta])* $kind:ident($state:ty) = $report:path, $accessor:ident;)*) => {
        /// The kinds of objects the registry tracks.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum ObjKind {
            $($(#[$doc])* $kind,)*
        }

        impl ObjKind {
            /// The kind reports name objects of this kind by (`mutex#2`).
            pub(crate) fn report(self) -> ObjectKind {
                match self {
                    $(ObjKind::$kind => $report,)*
                }
            }

            /// The name reports give objects of this kind.
            pub(crate) fn name(self) -> &'static str {
                self.report().as_str()
            }
        }

        /// The state of an object, by kind.
        #[derive(Debug)]
        pub(crate) enum ObjState {
            $($(#[$doc])* $kind($state),)*
        }

        impl ObjState {
            /// Its kind.
            pub(crate) fn kind(&self) -> ObjKind {
                match self {
                    $(ObjState::$kind(_) => ObjKind::$kind,)*
                }
            }

            /// Its model, for what every model answers.
            pub(crate) fn model(&self) -> &dyn Model {
                match self {
                    $(ObjState::$kind(s) => s,)*
                }
            }
        }

        $(
            impl State for $state {
                const KIND: ObjKind = ObjKind::$kind;

                fn wrap(self) -> ObjState {
                    ObjState::$kind(self)
                }

                fn of(state: &ObjState) -> Option<&Self> {
                    match state {
                        ObjState::$kind(s) => Some(s),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                fn of_mut(state: &mut ObjState) -> Option<&mut Self> {
                    match state {
                        ObjState::$kind(s) => Some(s),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*

        impl Registry {
            $(
                #[doc = concat!("The state of the ", stringify!($kind), " `id`.")]
                #[allow(dead_code)]
                pub(crate) fn $accessor(&mut self, id: ObjId) -> &mut $state {
                    self.state_mut::<$state>(id)
                }
            )*
        }
    };
}

objects! {
    /// A mutex (`sync::Mutex`).
    Mutex(super::mutex::MutexState) = ObjectKind::Mutex, mutex;
    /// A channel of any flavor (`channel`, `sync::mpsc`, timers, a token's `done`).
    Channel(super::channel::ChannelState) = ObjectKind::Channel, channel;
    /// A condition variable (`sync::Condvar`).
    Condvar(super::condvar::CondvarState) = ObjectKind::Condvar, condvar;
    /// A reader-writer lock (`sync::RwLock`).
    RwLock(super::rwlock::RwLockState) = ObjectKind::RwLock, rwlock;
    /// A barrier (`sync::Barrier`).
    Barrier(super::barrier::BarrierState) = ObjectKind::Barrier, barrier;
    /// A one-time initialisation (`sync::Once`, `OnceLock`).
    Once(super::once::OnceState) = ObjectKind::Once, once;
    /// A cancellation token (`cancel::Token`).
    Token(super::token::TokenState) = ObjectKind::Token, token;
    /// A counting semaphore (`sync::Semaphore`).
    Semaphore(super::semaphore::SemaphoreState) = ObjectKind::Semaphore, semaphore;
    /// parking_lot's reader-writer lock (`parking_lot::RwLock`): task-fair, upgradable.
    FairRwLock(super::fair_rwlock::FairRwLockState) = ObjectKind::RwLock, fair_rwlock;
    /// A reentrant mutex (`parking_lot::ReentrantMutex`).
    ReentrantMutex(super::remutex::RemutexState) = ObjectKind::ReentrantMutex, remutex;
    /// An async runtime (`block_on`, an `async` test): its workers.
    Runtime(super::task::RuntimeState) = ObjectKind::Runtime, runtime;
    /// tokio's `Notify`: a permit, its waiters, its `notify_waiters` calls.
    Notify(super::notify::NotifyState) = ObjectKind::Notify, notify;
    /// tokio's `Semaphore`: its permits and queue.
    AsyncSemaphore(super::async_sem::AsyncSemState) = ObjectKind::Semaphore, async_semaphore;
    /// tokio's `Mutex`: a semaphore of one permit, and who holds it.
    AsyncMutex(super::async_sem::AsyncMutexState) = ObjectKind::Mutex, async_mutex;
    /// tokio's `RwLock`: a semaphore of as many permits as readers, a writer taking all.
    AsyncRwLock(super::async_sem::AsyncRwLockState) = ObjectKind::RwLock, async_rwlock;
    /// tokio's `Barrier`.
    AsyncBarrier(super::async_barrier::AsyncBarrierState) = ObjectKind::Barrier, async_barrier;
}
