//! [`FindingKind::MissedSignal`](crate::FindingKind::MissedSignal): threads blocked forever in a
//! condvar wait whose signal was lost (notified while nobody waited), misdirected (a
//! `notify_one` woke a thread that went back to waiting), stale, or never sent; and async tasks
//! pending forever on a tokio `Notify` whose signal was lost (a `notify_waiters` that came
//! before the task's `Notified` was made: while nobody was registered, or before the task made
//! the `Notified` it needed), misdirected (a `notify_one` whose permit or wake another task
//! took), or never sent.

use super::view::View;
use crate::report::{location, CriticalSection, Detail, Finding, NotifyInfo, SignalCause};
use crate::runtime::condvar::{CondvarState, Notify};
use crate::runtime::mutex::MutexState;
use crate::runtime::notify::{NotifyRec, NotifyState};
use crate::runtime::{ObjId, State, Status, Tid, WaitOn};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    if !view.settled() {
        return Vec::new();
    }
    view.tids().filter_map(|t| missed(view, t)).collect()
}

fn notify_info(view: &View<'_>, n: &Notify) -> NotifyInfo {
    NotifyInfo {
        at: location(n.at),
        by: view.thread(n.by),
        all: n.all,
        woke: n.woke.map(|t| view.thread(t)),
    }
}

/// The missed signal of thread `tid`, if it is blocked forever in a condvar wait that missed one.
fn missed(view: &View<'_>, tid: Tid) -> Option<Finding> {
    let reg = view.reg;
    if !view.stuck(tid) {
        return None;
    }
    let Status::Blocked(wait) = &reg.threads[tid].status else {
        return None;
    };
    let WaitOn::Object(cv) = wait.on else {
        return None;
    };
    if let Some(n) = NotifyState::of(&reg.objects[cv].state) {
        return missed_notify(view, tid, cv, n);
    }
    let c = CondvarState::of(&reg.objects[cv].state)?;
    let (began, mutex, sections) = c
        .wait_began
        .iter()
        .find(|w| w.0 == tid)
        .map_or((0, None, 0), |w| (w.1, Some(w.2), w.3));
    let rewaits = c.rewaits_of(tid);
    let since: Vec<&Notify> = c.notifies[began..]
        .iter()
        .filter(|n| n.waiting.contains(&tid))
        .collect();
    let misdirected: Vec<&Notify> = since
        .iter()
        .copied()
        .filter(|n| !n.all && n.rewaited && n.woke != Some(tid))
        .collect();
    // The notifies that found nobody waiting since this thread last woke from a notify (an
    // earlier one went to nobody, but this thread has been woken since: not its loss), one per
    // place.
    let last_woken = c.notifies[..began]
        .iter()
        .rposition(|n| n.waiting.contains(&tid) && (n.all || n.woke == Some(tid)))
        .map_or(0, |i| i + 1);
    let mut lost: Vec<&Notify> = Vec::new();
    for n in c.notifies[last_woken..began]
        .iter()
        .filter(|n| n.waiting.is_empty())
    {
        if !lost.iter().any(|m| m.at == n.at && m.by == n.by) {
            lost.push(n);
        }
    }
    let cause = if !misdirected.is_empty() {
        SignalCause::Misdirected {
            notifies: misdirected
                .into_iter()
                .map(|n| notify_info(view, n))
                .collect(),
        }
    } else if !lost.is_empty() {
        SignalCause::Lost {
            notifies: lost.into_iter().map(|n| notify_info(view, n)).collect(),
        }
    } else if since.is_empty() {
        let woke_last = c.notifies[..began]
            .iter()
            .rev()
            .find(|n| n.waiting.contains(&tid) && (n.all || n.woke == Some(tid)));
        match woke_last {
            Some(n) if rewaits > 0 => SignalCause::Stale {
                notify: notify_info(view, n),
            },
            _ => {
                // The critical sections other threads ran on the wait's mutex after the wait
                // began, one per (thread, place): where the state changed without a notify.
                let all = mutex
                    .and_then(|m| MutexState::of(&reg.objects[m].state))
                    .map_or(&[][..], |m| m.sections.get(sections..).unwrap_or_default());
                let mut changed: Vec<(Tid, crate::runtime::Loc)> = Vec::new();
                for &s in all.iter().filter(|s| s.0 != tid) {
                    if !changed.contains(&s) {
                        changed.push(s);
                    }
                }
                SignalCause::NeverSignalled {
                    changed: changed
                        .into_iter()
                        .map(|(t, at)| CriticalSection {
                            thread: view.thread(t),
                            at: location(at),
                        })
                        .collect(),
                }
            }
        }
    } else {
        // Notifies came and served others: the thread is left waiting, but no signal was
        // missed; the leak is reported as such.
        return None;
    };
    Some(Finding::new(Detail::MissedSignal {
        thread: view.thread(tid),
        operation: wait.op.to_string(),
        condvar: view.object(cv),
        wait_at: location(wait.at),
        cause,
        rewaits,
    }))
}

fn rec_info(view: &View<'_>, n: &NotifyRec) -> NotifyInfo {
    NotifyInfo {
        at: location(n.at),
        by: view.thread(n.by),
        all: n.all,
        woke: n.woke.map(|t| view.thread(t)),
    }
}

/// The missed signal of task `tid`, pending forever on `Notify` `id` (state `n`).
fn missed_notify(view: &View<'_>, tid: Tid, id: ObjId, n: &NotifyState) -> Option<Finding> {
    let Status::Blocked(wait) = &view.reg.threads[tid].status else {
        return None;
    };
    // Its registration, if its `Notified` was polled (or enabled): when that was made.
    let since = n
        .waiters
        .iter()
        .find(|w| w.tid == tid)
        .map_or(n.history.len(), |w| w.since);
    let start = n.last_done(tid).min(since);
    let recs = &n.history[start..];
    // Notifications of `notify_one` that went to another task since its last wait completed.
    let misdirected: Vec<NotifyInfo> = recs
        .iter()
        .filter(|r| !r.all && r.woke.is_some_and(|w| w != tid))
        .map(|r| rec_info(view, r))
        .collect();
    // `notify_waiters` calls after its last wait and before it made its `Notified`.
    let lost: Vec<NotifyInfo> = n.history[start..since]
        .iter()
        .filter(|r| r.all)
        .map(|r| rec_info(view, r))
        .collect();
    let cause = if !misdirected.is_empty() {
        SignalCause::Misdirected {
            notifies: misdirected,
        }
    } else if !lost.is_empty() {
        SignalCause::Lost { notifies: lost }
    } else {
        SignalCause::NeverSignalled {
            changed: Vec::new(),
        }
    };
    Some(Finding::new(Detail::MissedSignal {
        thread: view.thread(tid),
        operation: wait.op.to_string(),
        condvar: view.object(id),
        wait_at: location(wait.at),
        cause,
        rewaits: 0,
    }))
}
