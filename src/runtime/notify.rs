//! The model of tokio's `Notify`: one stored permit at most, the waiters in the order they
//! registered, and how many times `notify_waiters` was called (a `Notified` made before a call
//! completes when it is first polled after it, registered or not). `notify_one` wakes the
//! first waiter (FIFO), or stores the permit if none waits; `notify_last` wakes the last;
//! `notify_waiters` wakes every registered waiter and stores nothing. A waiter notified by
//! `notify_one` and dropped before it completed passes the notification on.
//! `crate::tokio::sync::Notify` is its shell.
//!
//! Every notify is recorded (where, by whom, whom it woke or who took the permit it stored), and
//! every completed wait, so that a task left waiting forever is reported with the signal it
//! missed (`MissedSignal`).

use std::collections::VecDeque;
use std::task::Waker;

use super::object::Model;
use super::{Loc, Tid};

/// How a waiter was notified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Notification {
    /// By `notify_one` or `notify_last` (the record's index): passed on if the waiter is
    /// dropped first.
    One(usize),
    /// By `notify_waiters`.
    All,
}

/// A registered `Notified`.
#[derive(Debug)]
pub(crate) struct NotifyWaiter {
    pub key: u64,
    pub tid: Tid,
    /// `None` for a `Notified` enabled but not polled yet.
    pub waker: Option<Waker>,
    /// How many notifies were recorded when it was made.
    pub since: usize,
}

/// One call of `notify_one`, `notify_last` or `notify_waiters`.
#[derive(Debug)]
pub(crate) struct NotifyRec {
    pub at: Loc,
    pub by: Tid,
    /// `notify_waiters`.
    pub all: bool,
    /// Who the notification went to: the waiter it woke, or who took the permit it stored.
    pub woke: Option<Tid>,
}

/// A `Notify`.
#[derive(Debug, Default)]
pub(crate) struct NotifyState {
    pub permit: bool,
    /// The record of the notify that stored the permit.
    permit_from: Option<usize>,
    /// How many times `notify_waiters` was called.
    pub calls: u64,
    /// Registered waiters, first registered first.
    pub waiters: VecDeque<NotifyWaiter>,
    /// Waiters notified and not yet completed (or dropped).
    pub notified: Vec<(u64, Notification)>,
    /// Every notify, in order.
    pub history: Vec<NotifyRec>,
    /// Per task, how many notifies were recorded when its last wait completed.
    pub done: Vec<(Tid, usize)>,
}

impl Model for NotifyState {}

impl NotifyState {
    /// `notify_one` (`last`: `notify_last`) by `by` at `at`: the waker of the waiter it
    /// notifies, if one was registered (else it stores the permit).
    pub(crate) fn notify_one(&mut self, last: bool, by: Tid, at: Loc) -> Option<Waker> {
        self.history.push(NotifyRec {
            at,
            by,
            all: false,
            woke: None,
        });
        self.pass_on(last, self.history.len() - 1)
    }

    /// Gives notification `rec` to the first (`last`: the last) waiter, or stores it.
    pub(crate) fn pass_on(&mut self, last: bool, rec: usize) -> Option<Waker> {
        let w = if last {
            self.waiters.pop_back()
        } else {
            self.waiters.pop_front()
        };
        match w {
            Some(w) => {
                self.notified.push((w.key, Notification::One(rec)));
                self.history[rec].woke = Some(w.tid);
                w.waker
            }
            None => {
                self.permit = true;
                self.permit_from = Some(rec);
                None
            }
        }
    }

    /// `notify_waiters` by `by` at `at`: the wakers of every registered waiter.
    pub(crate) fn notify_waiters(&mut self, by: Tid, at: Loc) -> Vec<Waker> {
        self.calls += 1;
        self.history.push(NotifyRec {
            at,
            by,
            all: true,
            woke: None,
        });
        let all = std::mem::take(&mut self.waiters);
        all.into_iter()
            .filter_map(|w| {
                self.notified.push((w.key, Notification::All));
                w.waker
            })
            .collect()
    }

    /// Task `tid` takes the stored permit.
    pub(crate) fn take_permit(&mut self, tid: Tid) {
        self.permit = false;
        if let Some(rec) = self.permit_from.take() {
            self.history[rec].woke = Some(tid);
        }
    }

    /// Takes waiter `key`'s notification, if it has one.
    pub(crate) fn take_notification(&mut self, key: u64) -> Option<Notification> {
        let i = self.notified.iter().position(|n| n.0 == key)?;
        Some(self.notified.remove(i).1)
    }

    /// A wait of task `tid` completed.
    pub(crate) fn completed(&mut self, tid: Tid) {
        let n = self.history.len();
        match self.done.iter_mut().find(|d| d.0 == tid) {
            Some(d) => d.1 = n,
            None => self.done.push((tid, n)),
        }
    }

    /// How many notifies were recorded when task `tid`'s last wait completed.
    pub(crate) fn last_done(&self, tid: Tid) -> usize {
        self.done.iter().find(|d| d.0 == tid).map_or(0, |d| d.1)
    }
}
