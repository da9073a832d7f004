//! The text rendering of reports: one summary line, one block per finding, the replay line.

use std::fmt::{self, Display, Formatter, Write as _};

use super::{
    Blocked, ChannelInfo, ChannelWaiter, Detail, EndInfo, Finding, FindingKind, Frame, LeakState,
    LockOrder, NotifyInfo, ObjectInfo, Report, SignalCause, Target, ThreadInfo,
};

impl Display for ThreadInfo {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "thread#{}", self.id)?;
        match (&self.name, self.id) {
            (Some(name), _) => write!(f, " {name:?}"),
            (None, 0) => f.write_str(" (the test body)"),
            (None, _) => Ok(()),
        }
    }
}

impl Display for ObjectInfo {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.kind, self.id)
    }
}

impl Display for Target {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Target::Object(o) => write!(f, "{o}"),
            Target::Select { objects } => {
                let names: Vec<String> = objects.iter().map(ToString::to_string).collect();
                f.write_str(&names.join(", "))
            }
            Target::Thread(t) => write!(f, "{t}"),
            Target::Unpark => f.write_str("an unpark"),
        }
    }
}

fn spawned(out: &mut String, t: &ThreadInfo) {
    let _ = write!(out, "{t}");
    if let Some(at) = &t.spawned_at {
        let _ = write!(out, ", spawned at {at}");
    }
    out.push('\n');
    stack(out, "spawned", &t.spawn_stack);
}

fn stack(out: &mut String, what: &str, frames: &[Frame]) {
    // One frame only repeats the location the line above gives.
    if frames.len() <= 1 {
        return;
    }
    let _ = writeln!(out, "    {what} from:");
    for frame in frames {
        let _ = writeln!(out, "      {} at {}", frame.function, frame.location);
    }
}

fn blocked(out: &mut String, verb: &str, b: &Blocked) {
    match &b.on {
        Target::Unpark => {
            let _ = writeln!(
                out,
                "  {verb} in {} at {}, waiting for an unpark",
                b.operation, b.at
            );
        }
        on => {
            let _ = writeln!(out, "  {verb} in {} on {on} at {}", b.operation, b.at);
        }
    }
    stack(out, "blocked", &b.stack);
    for w in &b.channels {
        let c = &w.channel;
        let (ends, what) = if w.sending {
            (&c.receivers, "Receiver")
        } else {
            (&c.senders, "Sender")
        };
        let _ = write!(
            out,
            "    {} ({} at {}) ",
            c.object, c.constructor, c.object.created_at
        );
        live_ends(out, ends, what, "has");
    }
    if !b.channels.is_empty() {
        return;
    }
    if let Target::Object(o) = &b.on {
        match b.held_by.as_slice() {
            [] => {
                let _ = writeln!(out, "    {o} was created at {}", o.created_at);
            }
            [(holder, since)] => {
                let gone = if holder.finished {
                    " (it has finished without releasing it: a guard forgotten or leaked?)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "    {o} (created at {}) is held by {holder}, locked at {since}{gone}",
                    o.created_at
                );
            }
            holders => {
                let list: Vec<String> = holders
                    .iter()
                    .map(|(t, since)| format!("{t} (locked at {since})"))
                    .collect();
                let _ = writeln!(
                    out,
                    "    {o} (created at {}) is held by {}",
                    o.created_at,
                    list.join(", ")
                );
            }
        }
    }
}

/// "has 1 live Sender, created at X" (one line), or one line per end.
fn live_ends(out: &mut String, ends: &[EndInfo], what: &str, verb: &str) {
    let end = |e: &EndInfo| {
        let mut s = format!(
            "{} at {}",
            if e.cloned { "cloned" } else { "created" },
            e.created_at
        );
        if e.last_used_by != e.created_by {
            let _ = write!(s, ", last used by thread#{}", e.last_used_by);
            if let Some(at) = &e.last_used_at {
                let _ = write!(s, " at {at}");
            }
        }
        s
    };
    match ends {
        [] => {
            let _ = writeln!(out, "{verb} no live {what} left");
        }
        [one] => {
            let _ = writeln!(out, "{verb} 1 live {what}, {}", end(one));
        }
        many => {
            let _ = writeln!(out, "{verb} {} live {what}s:", many.len());
            for e in many {
                let _ = writeln!(out, "      {}", end(e));
            }
        }
    }
}

fn unclosed(out: &mut String, c: &ChannelInfo, blocked: &[ChannelWaiter]) {
    let _ = writeln!(
        out,
        "unclosed {} ({} at {})",
        c.object, c.constructor, c.object.created_at
    );
    // The ends to blame: the live senders when receivers wait for them, the live receivers
    // (that nobody reads) when senders wait or messages are left.
    let receivers_wait = blocked.iter().any(|w| !w.sending);
    if receivers_wait || c.receivers.is_empty() {
        out.push_str("  ");
        live_ends(out, &c.senders, "Sender", "kept open by");
    }
    if !receivers_wait {
        out.push_str("  ");
        live_ends(out, &c.receivers, "Receiver", "kept open by");
        out.push_str("    which no thread that can still run reads\n");
    }
    let list = |sending: bool| -> Vec<String> {
        blocked
            .iter()
            .filter(|w| w.sending == sending)
            .map(|w| format!("{} in {}", w.thread, w.operation))
            .collect()
    };
    let (receivers, senders) = (list(false), list(true));
    if !receivers.is_empty() {
        let _ = writeln!(out, "  receivers blocked forever: {}", receivers.join(", "));
    }
    if !senders.is_empty() {
        let _ = writeln!(out, "  senders blocked forever: {}", senders.join(", "));
    }
    if c.buffered > 0 {
        let _ = writeln!(
            out,
            "  {} message{} in it that nobody can receive: its receiver is still alive, and no thread that could read it can run",
            c.buffered,
            if c.buffered == 1 { "" } else { "s" }
        );
    }
}

fn notify(n: &NotifyInfo) -> String {
    let which = if n.all { "notify_all" } else { "notify_one" };
    format!("{which} at {} by {}", n.at, n.by)
}

fn missed(
    out: &mut String,
    thread: &ThreadInfo,
    operation: &str,
    condvar: &ObjectInfo,
    wait_at: &super::SourceLocation,
    cause: &SignalCause,
    rewaits: usize,
) {
    let _ = writeln!(
        out,
        "missed signal: {thread} waits forever in {operation} on {condvar} at {wait_at}"
    );
    match cause {
        SignalCause::Lost { notifies } => {
            for n in notifies {
                let _ = writeln!(
                    out,
                    "  lost: {} came while nobody waited on {condvar}",
                    notify(n)
                );
            }
        }
        SignalCause::Misdirected { notifies } => {
            for n in notifies {
                let woke = n.woke.as_ref().map_or_else(String::new, |t| {
                    format!(" woke {t}, which went back to waiting")
                });
                let _ = writeln!(
                    out,
                    "  misdirected: {}{woke}, while {thread} stayed blocked",
                    notify(n)
                );
            }
        }
        SignalCause::Stale { notify: n } => {
            let _ = writeln!(
                out,
                "  stale: {} woke it, but what it waits for was not there when it re-checked, so it waited again; no notify came after",
                notify(n)
            );
        }
        SignalCause::NeverSignalled { changed } => {
            let _ = writeln!(
                out,
                "  never signalled: no notify came after it began to wait"
            );
            for (t, at) in changed {
                let _ = writeln!(
                    out,
                    "    the state it waits for may have changed here, with no notify: {t} locked the mutex at {at}"
                );
            }
        }
    }
    if rewaits > 0 {
        let _ = writeln!(
            out,
            "  it was woken {rewaits} time{} only to wait again{}",
            if rewaits == 1 { "" } else { "s" },
            if rewaits >= 3 {
                " (a starving waiter)"
            } else {
                ""
            }
        );
    }
}

fn order(out: &mut String, o: &LockOrder) {
    let _ = writeln!(
        out,
        "  {} took {} at {}, then {} at {}",
        o.thread, o.first.0, o.first.1, o.then.0, o.then.1
    );
}

fn finding(out: &mut String, finding: &Finding) {
    match finding.detail() {
        Detail::LeakedThread { thread, state } => {
            out.push_str("leaked ");
            spawned(out, thread);
            match state {
                LeakState::BlockedForever(b) => blocked(out, "blocked forever", b),
                LeakState::StillRunning {
                    max_steps,
                    last_seen,
                } => {
                    let _ = write!(
                        out,
                        "  still running after {max_steps} steps (a spin loop or a livelock?)"
                    );
                    if let Some((op, at)) = last_seen {
                        let _ = write!(out, ", last seen in {op} at {at}");
                    }
                    out.push('\n');
                }
                LeakState::FinishedLate => {
                    out.push_str("  finished only after the test body returned, and nobody joined it (allow_lingering accepts this)\n");
                }
            }
        }
        Detail::UnclosedChannel { channel, blocked } => unclosed(out, channel, blocked),
        Detail::MissedSignal {
            thread,
            operation,
            condvar,
            wait_at,
            cause,
            rewaits,
        } => missed(out, thread, operation, condvar, wait_at, cause, *rewaits),
        Detail::UnresponsiveCancellation {
            thread,
            token,
            cancelled,
            blocked: b,
        } => {
            let _ = writeln!(
                out,
                "unresponsive cancellation: {thread} uses {token}, cancelled at {} by {}, and stays blocked",
                cancelled.0, cancelled.1
            );
            blocked(out, "blocked forever", b);
            let _ = writeln!(
                out,
                "  {} cannot see the cancellation: wait in a select! with a `recv(token.done())` arm instead",
                b.operation
            );
        }
        Detail::LockOrderInversion { first, second } => {
            let _ = writeln!(
                out,
                "lock order inversion: {} and {} are taken in opposite orders",
                first.first.0, first.then.0
            );
            order(out, first);
            order(out, second);
            out.push_str("  two threads taking them at once can deadlock: take them in one order everywhere\n");
        }
        Detail::Deadlock {
            blocked: threads,
            cycle,
            all_blocked,
        } => {
            if *all_blocked {
                out.push_str("deadlock: every thread is blocked, so the test body cannot finish\n");
            } else {
                out.push_str("deadlock: a thread waits for a lock it holds itself\n");
            }
            for (t, b) in threads {
                let _ = write!(out, "  ");
                spawned(out, t);
                let mut inner = String::new();
                blocked(&mut inner, "blocked", b);
                for line in inner.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
            if !cycle.is_empty() {
                // A thread that waits for a lock goes through the lock; one that joins goes
                // straight to the thread it joins.
                let name = |id: usize| {
                    threads.iter().find(|(t, _)| t.id == id).map(|(t, b)| {
                        let via = match &b.on {
                            Target::Object(o) => format!(" -> {o}"),
                            Target::Select { objects } if !objects.is_empty() => {
                                let names: Vec<String> =
                                    objects.iter().map(ToString::to_string).collect();
                                format!(" -> {}", names.join("|"))
                            }
                            _ => String::new(),
                        };
                        (t.to_string(), via)
                    })
                };
                let mut line = String::from("  cycle: ");
                for &id in cycle {
                    if let Some((t, via)) = name(id) {
                        let _ = write!(line, "{t}{via} -> ");
                    }
                }
                if let Some((t, _)) = name(cycle[0]) {
                    line.push_str(&t);
                }
                let _ = writeln!(out, "{line}");
                if let [only] = cycle.as_slice() {
                    if let Some((t, b)) = threads.iter().find(|(t, _)| t.id == *only) {
                        if let (Target::Object(o), Some((_, since))) = (&b.on, b.held_by.first()) {
                            let _ = writeln!(
                                out,
                                "  {t} locks {o} again while it holds it (locked at {since}); std says this might panic or deadlock"
                            );
                        }
                    }
                }
            }
        }
        Detail::Panic {
            thread,
            message,
            at,
            stack: frames,
            never_joined,
        } => {
            out.push_str("panic in ");
            spawned(out, thread);
            match at {
                Some(at) => {
                    let _ = writeln!(out, "  panicked at {at}: {message}");
                }
                None => {
                    let _ = writeln!(out, "  panicked: {message}");
                }
            }
            stack(out, "panicked", frames);
            if *never_joined {
                out.push_str("  its JoinHandle was dropped without joining: under std, this panic would not fail the test\n");
            }
        }
        Detail::StepLimit { max_steps, running } => {
            let _ = writeln!(
                out,
                "step limit: the execution took more than {max_steps} steps before the test body returned"
            );
            for (t, last) in running {
                let _ = write!(out, "  {t} still running");
                if let Some((op, at)) = last {
                    let _ = write!(out, ", last seen in {op} at {at}");
                }
                out.push('\n');
            }
        }
    }
}

impl Display for Report {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut counts = Vec::new();
        for kind in FindingKind::ALL {
            let n = self.0.findings.iter().filter(|x| x.kind() == kind).count();
            if n > 0 {
                counts.push(kind.noun(n));
            }
        }
        let origin = if self.0.replayed {
            format!(
                "replayed schedule {}, {}, seed {:#x}",
                self.0.schedule, self.0.scheduler, self.0.seed
            )
        } else {
            format!(
                "schedule {} of {}, {}, seed {:#x}",
                self.0.schedule, self.0.schedules, self.0.scheduler, self.0.seed
            )
        };
        writeln!(f, "leakcheck: {} ({origin})", counts.join(", "))?;
        for x in &self.0.findings {
            let mut block = String::new();
            finding(&mut block, x);
            write!(f, "\n{block}")?;
        }
        if !self.0.notes.is_empty() {
            writeln!(f)?;
            for note in &self.0.notes {
                writeln!(f, "note: {note}")?;
            }
        }
        write!(f, "\nreplay: {}", self.0.replay_command)
    }
}
