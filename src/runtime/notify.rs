//! The model of tokio's `Notify`: one stored permit at most, the waiters in the order they
//! registered, and how many times `notify_waiters` was called (a `Notified` made before a call
//! completes when it is first polled after it, registered or not). `notify_one` wakes the
//! first waiter (FIFO), or stores the permit if none waits; `notify_last` wakes the last;
//! `notify_waiters` wakes every registered waiter and stores nothing. A waiter notified by
//! `notify_one` and dropped before it completed passes the notification on. `crate::tokio::sync::Notify`
//! is its shell.

use std::collections::VecDeque;
use std::task::Waker;

use super::object::Model;
use super::Tid;

/// How a waiter was notified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Notification {
    /// By `notify_one` or `notify_last`: passed on if the waiter is dropped first.
    One,
    /// By `notify_waiters`.
    All,
}

/// A registered `Notified`.
#[derive(Debug)]
pub(crate) struct NotifyWaiter {
    pub key: u64,
    #[allow(dead_code)] // for the reports of missed signals
    pub tid: Tid,
    /// `None` for a `Notified` enabled but not polled yet.
    pub waker: Option<Waker>,
}

/// A `Notify`.
#[derive(Debug, Default)]
pub(crate) struct NotifyState {
    pub permit: bool,
    /// How many times `notify_waiters` was called.
    pub calls: u64,
    /// Registered waiters, first registered first.
    pub waiters: VecDeque<NotifyWaiter>,
    /// Waiters notified and not yet completed (or dropped).
    pub notified: Vec<(u64, Notification)>,
}

impl Model for NotifyState {}

impl NotifyState {
    /// `notify_one` (`last`: `notify_last`): the waker of the waiter it notifies, if one was
    /// registered (else it stores the permit).
    pub(crate) fn notify_one(&mut self, last: bool) -> Option<Waker> {
        let w = if last {
            self.waiters.pop_back()
        } else {
            self.waiters.pop_front()
        };
        match w {
            Some(w) => {
                self.notified.push((w.key, Notification::One));
                w.waker
            }
            None => {
                self.permit = true;
                None
            }
        }
    }

    /// `notify_waiters`: the wakers of every registered waiter.
    pub(crate) fn notify_waiters(&mut self) -> Vec<Waker> {
        self.calls += 1;
        let all = std::mem::take(&mut self.waiters);
        all.into_iter()
            .filter_map(|w| {
                self.notified.push((w.key, Notification::All));
                w.waker
            })
            .collect()
    }

    /// Takes waiter `key`'s notification, if it has one.
    pub(crate) fn take_notification(&mut self, key: u64) -> Option<Notification> {
        let i = self.notified.iter().position(|n| n.0 == key)?;
        Some(self.notified.remove(i).1)
    }
}
