//! The text rendering of reports (`Display`): one summary line, one block per finding, the
//! replay line. Both leakcheck and cargo-leakcheck render with this code, so a report reads the
//! same wherever it is shown.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::{
    Blocked, BlockedThread, ChannelInfo, ChannelWaiter, Detail, EndInfo, Finding, FindingKind,
    Frame, Holder, LastSeen, LeakState, LockOrder, NotifyInfo, ObjectInfo, ObjectKind, OsActivity,
    OsThread, Report, Role, SignalCause, SourceLocation, Target, TaskLeak, ThreadInfo,
};

impl Display for ThreadInfo {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.role.noun(), self.id)?;
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
            // A selection with no operation (an empty `Select`) waits on nothing at all.
            Target::Select { objects } if objects.is_empty() => f.write_str("no channel at all"),
            Target::Select { objects } => {
                let names: Vec<String> = objects.iter().map(ToString::to_string).collect();
                f.write_str(&names.join(", "))
            }
            Target::Thread(t) => write!(f, "{t}"),
            Target::Unpark => f.write_str("an unpark"),
            Target::Sleep => f.write_str("its time to pass"),
            Target::Wake => f.write_str("a wake-up"),
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
        Target::Sleep => {
            let _ = writeln!(out, "  {verb} in {} at {}, sleeping", b.operation, b.at);
        }
        Target::Wake => {
            let _ = writeln!(
                out,
                "  {verb}: suspended at an await, waiting for a wake-up (last seen in {} at {})",
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
        if o.kind == ObjectKind::Runtime {
            runtime_workers(out, o, &b.held_by);
            return;
        }
        match b.held_by.as_slice() {
            [] => {
                let _ = writeln!(out, "    {o} was created at {}", o.created_at);
            }
            [Holder {
                thread: holder,
                since,
            }] => {
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
                    .map(|h| format!("{} (locked at {})", h.thread, h.since))
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

/// A task waiting for a runtime's worker: who keeps the workers busy.
fn runtime_workers(out: &mut String, o: &ObjectInfo, busy: &[Holder]) {
    let _ = writeln!(
        out,
        "    waiting for a worker of {o} (block_on at {}), and every worker is taken:",
        o.created_at
    );
    for h in busy {
        let _ = writeln!(
            out,
            "      {} holds one (polled from {})",
            h.thread, h.since
        );
    }
    out.push_str("    a blocking call inside a task (a lock that waits, a blocking receive, a join, a sleep) blocks its worker, and on a current_thread runtime every task with it: use the async version, or spawn_blocking\n");
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

fn unclosed(out: &mut String, c: &ChannelInfo, blocked: &[ChannelWaiter], consequence: bool) {
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
    if consequence {
        out.push_str(
            "  a consequence of the deadlock above: every thread blocked on it is part of that deadlock\n",
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
    wait_at: &SourceLocation,
    cause: &SignalCause,
    rewaits: usize,
) {
    let _ = writeln!(
        out,
        "missed signal: {thread} waits forever in {operation} on {condvar} at {wait_at}"
    );
    let tokio = condvar.kind == ObjectKind::Notify;
    match cause {
        // tokio's `Notify`: `notify_waiters` wakes only the `Notified` futures made before it.
        SignalCause::Lost { notifies } if tokio => {
            for n in notifies {
                let _ = writeln!(
                    out,
                    "  lost: notify_waiters at {} by {} came before {thread} made the Notified it awaits, and stores no permit: make the Notified (and enable it) before checking the condition",
                    n.at, n.by
                );
            }
        }
        SignalCause::Misdirected { notifies } if tokio => {
            for n in notifies {
                let to = n
                    .woke
                    .as_ref()
                    .map_or_else(String::new, |t| format!(" went to {t}"));
                let _ = writeln!(
                    out,
                    "  misdirected: the notification of {}{to}, while {thread} stayed pending",
                    notify(n)
                );
            }
        }
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
            for s in changed {
                let _ = writeln!(
                    out,
                    "    the state it waits for may have changed here, with no notify: {} locked the mutex at {}",
                    s.thread, s.at
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

fn alive(out: &mut String, os: &OsThread) {
    let activity = match &os.activity {
        OsActivity::Blocked {
            wait_point: Some(w),
        } => format!("blocked in the kernel at {w}"),
        OsActivity::Blocked { wait_point: None } => "blocked in the kernel".to_string(),
        OsActivity::Sleeping {
            wait_point: Some(w),
        } => format!("sleeping at {w}"),
        OsActivity::Sleeping { wait_point: None } => "sleeping".to_string(),
        OsActivity::Running => "running (a spin loop or a long computation?)".to_string(),
        OsActivity::Other { state } => state.clone(),
    };
    let _ = writeln!(
        out,
        "  OS thread {}, still alive {} ms after the body returned: {activity}",
        os.os_id, os.grace_ms
    );
    if os.maybe_other_test {
        out.push_str("  it may belong to another test running in this process at the same time: run under nextest, or with --test-threads=1, for exact attribution (ignore_thread accepts a thread by name)\n");
    } else {
        out.push_str("  ignore_thread accepts a thread by its name's prefix\n");
    }
}

fn last_seen(out: &mut String, l: Option<&LastSeen>) {
    if let Some(l) = l {
        let _ = write!(out, ", last seen in {} at {}", l.operation, l.at);
    }
}

fn leaked_task(out: &mut String, task: &ThreadInfo, state: &TaskLeak, detached: bool) {
    out.push_str("leaked ");
    spawned(out, task);
    match state {
        TaskLeak::PendingForever {
            awaiting: Some(b), ..
        } => blocked(out, "pending forever, awaiting", b),
        TaskLeak::PendingForever {
            awaiting: None,
            last_seen: l,
        } => {
            out.push_str("  pending forever: nothing left can wake it");
            last_seen(out, l.as_ref());
            out.push('\n');
        }
        TaskLeak::LostWaker {
            last_seen: l,
            dropped_by,
        } => {
            out.push_str("  lost waker: it is pending and no waker for it is left, so it can never run again");
            last_seen(out, l.as_ref());
            out.push('\n');
            match dropped_by {
                Some(d) => {
                    let _ = write!(out, "  the last waker was dropped by {}", d.by);
                    last_seen(out, d.last_seen.as_ref());
                    out.push('\n');
                }
                None => out.push_str(
                    "  its future returned Pending without keeping the waker (store cx.waker().clone() where the wake will come from)\n",
                ),
            }
        }
        TaskLeak::StillRunnable {
            max_steps,
            last_seen: l,
        } => {
            let _ = write!(
                out,
                "  still runnable after {max_steps} steps (a retry or timer loop that never ends?)"
            );
            last_seen(out, l.as_ref());
            out.push('\n');
            out.push_str("  (a loop that does end, only later, needs a larger max_steps)\n");
        }
        TaskLeak::FinishedLate => {
            out.push_str("  completed only after the test body returned, and nobody awaited it (allow_lingering accepts this)\n");
        }
        TaskLeak::AliveInRuntime { alive, grace_ms } => {
            let _ = writeln!(
                out,
                "  tokio counted {alive} task{} alive {grace_ms} ms after the body returned (tokio names no task on a stable build)",
                if *alive == 1 { "" } else { "s" }
            );
        }
    }
    if !matches!(state, TaskLeak::AliveInRuntime { .. }) {
        out.push_str(if detached {
            "  detached: its JoinHandle was dropped, so nobody would have seen it end\n"
        } else {
            "  its JoinHandle is still held\n"
        });
    }
}

fn order(out: &mut String, o: &LockOrder) {
    let _ = writeln!(
        out,
        "  {} took {} at {}, then {} at {}",
        o.thread, o.first.lock, o.first.at, o.then.lock, o.then.at
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
                    if let Some(l) = last_seen {
                        let _ = write!(out, ", last seen in {} at {}", l.operation, l.at);
                    }
                    out.push('\n');
                    out.push_str(
                        "  (a loop that does end, only later, needs a larger max_steps)\n",
                    );
                }
                LeakState::FinishedLate => {
                    out.push_str("  finished only after the test body returned, and nobody joined it (allow_lingering accepts this)\n");
                }
                LeakState::StillAlive(os) => alive(out, os),
            }
        }
        Detail::LeakedTask {
            task,
            state,
            detached,
        } => leaked_task(out, task, state, *detached),
        Detail::UnclosedChannel {
            channel,
            blocked,
            consequence_of_deadlock,
        } => unclosed(out, channel, blocked, *consequence_of_deadlock),
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
            still_runnable: Some(max_steps),
        } => {
            let _ = writeln!(
                out,
                "unresponsive cancellation: {thread} uses {token}, cancelled at {} by {}, and runs on",
                cancelled.at, cancelled.by
            );
            let _ = writeln!(
                out,
                "  still runnable after {max_steps} steps, last suspended in {} at {}",
                b.operation, b.at
            );
            out.push_str("  its loop never looks at the token again: check token.is_cancelled() on every turn, or select! on token.cancelled() next to what it awaits\n");
        }
        Detail::UnresponsiveCancellation {
            thread,
            token,
            cancelled,
            blocked: b,
            still_runnable: None,
        } => {
            let _ = writeln!(
                out,
                "unresponsive cancellation: {thread} uses {token}, cancelled at {} by {}, and stays blocked",
                cancelled.at, cancelled.by
            );
            blocked(out, "blocked forever", b);
            // A task waits at an `.await`: tokio_util's token is awaited there. A thread waits
            // in a blocking call: the token's `done()` channel is selected there.
            let remedy = if thread.role == Role::Task {
                "await it in a tokio::select! with a `token.cancelled()` branch instead"
            } else {
                "wait in a select! with a `recv(token.done())` arm instead"
            };
            let _ = writeln!(
                out,
                "  {} cannot see the cancellation: {remedy}",
                b.operation
            );
        }
        Detail::LockOrderInversion { first, second } => {
            let _ = writeln!(
                out,
                "lock order inversion: {} and {} are taken in opposite orders",
                first.first.lock, first.then.lock
            );
            order(out, first);
            order(out, second);
            out.push_str("  two threads taking them at once can deadlock: take them in one order everywhere\n");
        }
        Detail::HeldAcrossAwait {
            task,
            lock,
            locked_at,
            suspended_at,
            awaiting,
            waiters,
        } => {
            let what = awaiting
                .as_ref()
                .map_or_else(String::new, |op| format!(" (awaiting {op})"));
            let _ = writeln!(
                out,
                "lock held across an await: {task} suspended at {suspended_at}{what} while it held {lock}, locked at {locked_at}"
            );
            if !waiters.is_empty() {
                let names: Vec<String> = waiters.iter().map(ToString::to_string).collect();
                let _ = writeln!(out, "  left waiting for {lock}: {}", names.join(", "));
            }
            out.push_str("  while the task is suspended nobody else can take the lock, and on a current_thread runtime a task that tries blocks the runtime: release the guard before the .await, or use tokio::sync::Mutex\n");
        }
        Detail::LostMessage {
            task,
            channel,
            operation,
            sent_at,
            dropped_at,
            count,
        } => {
            let values = if *count == 1 {
                "1 value".to_string()
            } else {
                format!("{count} values")
            };
            let _ = writeln!(
                out,
                "lost message: {task} dropped a {operation} future on {channel} (created at {}) before it delivered its value: {values} lost",
                channel.created_at
            );
            let _ = writeln!(out, "  the value was given to {operation} at {sent_at}");
            match dropped_at {
                Some(l) if l.operation == "select!" => {
                    let _ = writeln!(
                        out,
                        "  the select! at {} completed another branch first and dropped the send with the value in it",
                        l.at
                    );
                }
                Some(l) => {
                    let _ = writeln!(
                        out,
                        "  the send future was dropped after {} at {}",
                        l.operation, l.at
                    );
                }
                None => out.push_str("  the send future was dropped before it completed\n"),
            }
            out.push_str("  a dropped send future drops its value and nobody is told: in a select! wait for a slot instead (`let permit = tx.reserve().await?` as the branch, then `permit.send(v)`; a cancelled reserve() loses nothing), or keep the send future alive across the loop's turns\n");
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
            for BlockedThread {
                thread: t,
                blocked: b,
            } in threads
            {
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
                    threads.iter().find(|x| x.thread.id == id).map(|x| {
                        let via = match &x.blocked.on {
                            Target::Object(o) => format!(" -> {o}"),
                            Target::Select { objects } if !objects.is_empty() => {
                                let names: Vec<String> =
                                    objects.iter().map(ToString::to_string).collect();
                                format!(" -> {}", names.join("|"))
                            }
                            _ => String::new(),
                        };
                        (x.thread.to_string(), via)
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
                if let [only] = cycle.as_slice()
                    && let Some(x) = threads.iter().find(|x| x.thread.id == *only)
                    && let (Target::Object(o), Some(h)) = (&x.blocked.on, x.blocked.held_by.first())
                {
                    let _ = writeln!(
                                out,
                                "  {} locks {o} again while it holds it (locked at {}); std says this might panic or deadlock",
                                x.thread, h.since
                            );
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
                out.push_str("  (allow_detached_panics accepts this, for a program that handles its threads' panics itself)\n");
            }
        }
        Detail::StepLimit { max_steps, running } => {
            let _ = writeln!(
                out,
                "step limit: the execution took more than {max_steps} steps before the test body returned"
            );
            for r in running {
                let _ = write!(out, "  {} still running", r.thread);
                if let Some(l) = &r.last_seen {
                    let _ = write!(out, ", last seen in {} at {}", l.operation, l.at);
                }
                out.push('\n');
            }
            out.push_str("  (a body that does end, only later, needs a larger max_steps)\n");
        }
        Detail::Stall {
            thread,
            last_seen,
            timeout_ms,
            came_back,
            ..
        } => {
            out.push_str("stalled ");
            spawned(out, thread);
            let _ = write!(
                out,
                "  did not come back to leakcheck's scheduler for more than {} (the stall timeout)",
                seconds(*timeout_ms)
            );
            match last_seen {
                Some(l) => {
                    let _ = writeln!(out, "; last seen in {} at {}", l.operation, l.at);
                }
                None => out.push_str(", before its first leakcheck operation\n"),
            }
            if *came_back {
                out.push_str("  it came back later: a long computation, or a wait outside leakcheck that ended by itself\n");
            } else {
                out.push_str("  it never came back: the process was ended with this report\n");
            }
            out.push_str(
                "  it is blocked outside leakcheck (a std primitive used directly, real I/O) or computing for very long:\n    \
                 use leakcheck's twins instead of std's (leakcheck::sync::Mutex instead of std::sync::Mutex, \
                 leakcheck::thread::sleep instead of std::thread::sleep, leakcheck::channel instead of a real socket),\n    \
                 or raise stall_timeout (LEAKCHECK_STALL_TIMEOUT) for a computation that is only slow\n",
            );
        }
    }
}

/// A wall-clock duration in milliseconds, as a report shows it: `1 s`, `1.5 s`, `250 ms`.
fn seconds(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{}.{:03} s", ms / 1000, ms % 1000)
            .trim_end_matches('0')
            .to_string()
    }
}

impl Display for Finding {
    /// The finding's block of a report: its first line says what it is, the lines after it
    /// (indented) where and why. It ends with a newline.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut block = String::new();
        finding(&mut block, self);
        f.write_str(&block)
    }
}

impl Display for Report {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut counts = Vec::new();
        for kind in FindingKind::ALL {
            let n = self
                .data()
                .findings
                .iter()
                .filter(|x| x.kind() == kind)
                .count();
            if n > 0 {
                counts.push(kind.noun(n));
            }
        }
        let origin = if let Some(live) = &self.data().live {
            format!("live, run {} of {}, {}", live.run, live.runs, live.runner)
        } else if self.data().replayed {
            format!(
                "replayed schedule {}, {}, seed {:#x}",
                self.data().schedule,
                self.data().scheduler,
                self.data().seed
            )
        } else {
            format!(
                "schedule {} of {}, {}, seed {:#x}",
                self.data().schedule,
                self.data().schedules,
                self.data().scheduler,
                self.data().seed
            )
        };
        writeln!(f, "leakcheck: {} ({origin})", counts.join(", "))?;
        for x in &self.data().findings {
            write!(f, "\n{x}")?;
        }
        if !self.data().notes.is_empty() {
            writeln!(f)?;
            for note in &self.data().notes {
                writeln!(f, "note: {note}")?;
            }
        }
        if let Some(log) = &self.data().schedule_log {
            write!(f, "\n{log}")?;
        }
        if self.data().live.is_some() {
            write!(f, "\nrerun: {}", self.data().replay_command)
        } else {
            write!(f, "\nreplay: {}", self.data().replay_command)
        }
    }
}
