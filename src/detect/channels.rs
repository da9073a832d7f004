//! [`FindingKind::UnclosedChannel`](crate::FindingKind::UnclosedChannel): channels left open at
//! the end of an execution, with live senders and a live receiver and a thread blocked forever
//! on them, or holding messages that no thread can ever receive.

use super::view::{Ending, View};
use crate::report::{ChannelWaiter, Detail, Finding};
use crate::runtime::channel::{ChannelState, Dir, Flavor};
use crate::runtime::{State, Status, Tid};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    if !view.settled() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, object) in view.reg.objects.iter().enumerate() {
        let Some(c) = ChannelState::of(&object.state) else {
            continue;
        };
        // A token's `done` channel is a signal, not a channel the user opened: a thread
        // waiting on it forever is reported as unresponsive or leaked instead.
        if c.live_receivers() == 0 || c.flavor == Flavor::TokenDone {
            continue;
        }
        let mut stuck: Vec<(Tid, Dir)> = c
            .waiters
            .iter()
            .filter(|&&(t, _, _)| view.stuck(t))
            .map(|&(t, _, dir)| (t, dir))
            .collect();
        stuck.sort_unstable_by_key(|&(t, dir)| (t, dir == Dir::Send));
        stuck.dedup();
        let open = c.live_senders() > 0 && !stuck.is_empty();
        if !open && c.len == 0 {
            continue;
        }
        let blocked = stuck
            .into_iter()
            .filter_map(|(t, dir)| match &view.reg.threads[t].status {
                Status::Blocked(w) => Some(ChannelWaiter {
                    thread: view.thread(t),
                    operation: w.op.to_string(),
                    sending: dir == Dir::Send,
                }),
                _ => None,
            })
            .collect::<Vec<_>>();
        // The deadlock finding lists every blocked thread of a deadlocked execution: when those
        // are all this channel's waiters, the channel stays open only because of the deadlock.
        let consequence_of_deadlock = view.ending == Ending::Deadlocked
            && !blocked.is_empty()
            && blocked.iter().all(|w| view.blocked(w.thread.id).is_some());
        out.push(Finding::new(Detail::UnclosedChannel {
            channel: view.channel(id),
            blocked,
            consequence_of_deadlock,
        }));
    }
    out
}
