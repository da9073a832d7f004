//! A finding in one line: what, who and where. JUnit failure messages, annotations, the
//! `--json` document's `summary` and the baseline's entries use it.

use leakcheck_schema::{Blocked, Detail, Finding, LeakState, SourceLocation, Target, TaskLeak};

/// What a blocked thread waits on, in a headline: `mutex#1`, `thread#2 "worker"`, `any of
/// channel#1|channel#2`, `an unpark`.
fn target(on: &Target) -> String {
    match on {
        Target::Select { objects } => {
            let names: Vec<String> = objects.iter().map(ToString::to_string).collect();
            format!("any of {}", names.join("|"))
        }
        other => other.to_string(),
    }
}

fn blocked(verb: &str, b: &Blocked) -> String {
    format!("{verb} in {} on {} at {}", b.operation, target(&b.on), b.at)
}

/// `1 thread`, `2 threads`: a count and its noun, singular or plural.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn place(at: Option<&SourceLocation>) -> String {
    at.map_or_else(|| "?".into(), ToString::to_string)
}

/// A finding in one line. Leaked threads, deadlocks and panics say who is stuck (or panicked)
/// where; the other kinds give the first line of the finding's text.
pub fn finding_headline(f: &Finding) -> String {
    match f.detail() {
        Detail::LeakedThread { thread, state } => {
            let what = match state {
                LeakState::BlockedForever(b) => blocked("blocked forever", b),
                LeakState::StillRunning {
                    max_steps,
                    last_seen,
                } => format!(
                    "still running after {max_steps} steps, last seen at {}",
                    place(last_seen.as_ref().map(|l| &l.at))
                ),
                LeakState::FinishedLate => {
                    "finished after the test body returned, never joined".into()
                }
                _ => "leaked".into(),
            };
            format!("leaked {thread}: {what}")
        }
        Detail::LeakedTask { task, state, .. } => {
            let what = match state {
                TaskLeak::PendingForever {
                    awaiting: Some(b), ..
                } => blocked("pending forever", b),
                TaskLeak::PendingForever { last_seen, .. } => format!(
                    "pending forever, last seen at {}",
                    place(last_seen.as_ref().map(|l| &l.at))
                ),
                TaskLeak::LostWaker { last_seen, .. } => format!(
                    "lost waker, last seen at {}",
                    place(last_seen.as_ref().map(|l| &l.at))
                ),
                TaskLeak::StillRunnable {
                    max_steps,
                    last_seen,
                } => format!(
                    "still runnable after {max_steps} steps, last seen at {}",
                    place(last_seen.as_ref().map(|l| &l.at))
                ),
                TaskLeak::FinishedLate => {
                    "completed after the test body returned, never awaited".into()
                }
                TaskLeak::AliveInRuntime { alive, .. } => {
                    format!("{alive} alive in the runtime after the body")
                }
                _ => "leaked".into(),
            };
            format!("leaked {task}: {what}")
        }
        Detail::Deadlock {
            blocked: threads, ..
        } => match threads.first() {
            Some(first) => format!(
                "deadlock of {}: {} {}",
                count(threads.len(), "thread", "threads"),
                first.thread,
                blocked("blocked", &first.blocked)
            ),
            None => "deadlock".into(),
        },
        Detail::Panic {
            thread,
            message,
            at,
            ..
        } => format!(
            "panic in {thread} at {}: {}",
            place(at.as_ref()),
            message.lines().next().unwrap_or_default()
        ),
        Detail::HeldAcrossAwait {
            task,
            lock,
            suspended_at,
            ..
        } => format!("{lock} held across an await by {task} at {suspended_at}"),
        Detail::LostMessage {
            task,
            channel,
            operation,
            sent_at,
            count: n,
            ..
        } => format!(
            "lost {} on {channel}: {operation} at {sent_at} dropped by {task}",
            count(*n, "message", "messages")
        ),
        Detail::Stall {
            thread, last_seen, ..
        } => format!(
            "stalled {thread}: blocked outside leakcheck, last seen at {}",
            place(last_seen.as_ref().map(|l| &l.at))
        ),
        _ => f
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::every_kind;

    /// Every kind has a headline that names it: none is raw JSON or a bare kind name.
    #[test]
    fn headlines_of_every_kind() {
        let lines: Vec<String> = every_kind().iter().map(finding_headline).collect();
        assert_eq!(
            lines,
            [
                "deadlock of 1 thread: thread#1 \"waiter\" blocked in Mutex::lock on mutex#1 at src/lib.rs:14:32",
                "leaked thread#1 \"waiter\": blocked forever in Mutex::lock on mutex#1 at src/lib.rs:14:32",
                "unclosed channel#1 (channel::unbounded at src/lib.rs:3:25)",
                "missed signal: thread#1 \"waiter\" waits forever in Condvar::wait on condvar#1 at src/lib.rs:20:9",
                "unresponsive cancellation: thread#1 \"waiter\" uses token#1, cancelled at src/lib.rs:31:5 by thread#0 (the test body), and stays blocked",
                "lock order inversion: mutex#1 and mutex#2 are taken in opposite orders",
                "panic in thread#1 \"waiter\" at src/lib.rs:23:9: boom",
                "step limit: the execution took more than 100 steps before the test body returned",
                "stalled thread#1 \"waiter\": blocked outside leakcheck, last seen at src/lib.rs:26:9",
                "leaked task#2 \"waiter\": pending forever in Receiver::recv on channel#1 at src/lib.rs:31:9",
                "mutex#1 held across an await by thread#0 (the test body) at src/lib.rs:33:9",
                "lost 2 messages on channel#1: Sender::send at src/lib.rs:35:13 dropped by task#2 \"waiter\"",
            ]
        );
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(0, "thread", "threads"), "0 threads");
        assert_eq!(count(1, "thread", "threads"), "1 thread");
        assert_eq!(count(2, "entry", "entries"), "2 entries");
    }
}
