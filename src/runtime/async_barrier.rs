//! The model of tokio's `Barrier`: `n` tasks arrive, the last one is the leader and releases
//! the generation. An arrival counts from the first poll of its `wait` future, even if the
//! future is dropped after (as tokio's). `crate::tokio::sync::Barrier` is its shell.

use std::task::Waker;

use super::object::Model;

/// A tokio `Barrier`.
#[derive(Debug, Default)]
pub(crate) struct AsyncBarrierState {
    pub n: usize,
    pub arrived: usize,
    pub generation: u64,
    /// The waiters of the current generation.
    pub waiters: Vec<(u64, Waker)>,
}

impl Model for AsyncBarrierState {}
