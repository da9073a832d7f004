//! Fingerprints: a finding's identity across runs, seeds and unrelated edits, which baselines
//! hold (docs/ci.md, "Fingerprints").

use std::collections::BTreeSet;

use leakcheck_schema::{
    Blocked, Detail, Finding, Frame, LastSeen, LeakState, NotifyInfo, ObjectInfo, SignalCause,
    SourceLocation, Target, TaskLeak, ThreadInfo,
};

/// The fingerprint's version: the first part of every fingerprint.
pub const FINGERPRINT_VERSION: &str = "fp1";

/// A finding's identity across runs, seeds and unrelated edits (docs/ci.md, "Fingerprints").
///
/// The canonical text is `leakcheck-fingerprint-v1`, `kind=<kind>`, `test=<test>`, then the
/// finding's anchors, sorted and without repeats, one per line. The fingerprint is `fp1:` and
/// the 64-bit FNV-1a hash of that text, in 16 hexadecimal digits.
pub fn fingerprint(test: Option<&str>, finding: &Finding) -> (String, String) {
    let canonical = canonical(test, finding);
    let hash = fnv1a(canonical.as_bytes());
    (format!("{FINGERPRINT_VERSION}:{hash:016x}"), canonical)
}

/// The canonical text a fingerprint hashes.
pub fn canonical(test: Option<&str>, finding: &Finding) -> String {
    let mut anchors = Anchors::default();
    anchors.finding(finding);
    let mut out = format!(
        "leakcheck-fingerprint-v1\nkind={}\ntest={}",
        finding.kind(),
        test.unwrap_or("")
    );
    for a in anchors.0 {
        out.push('\n');
        out.push_str(&a);
    }
    out
}

/// 64-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A function name without what changes with unrelated edits: `{closure#N}` and
/// `{{closure}}` become `{closure}`, a trailing `::h<hash>` goes.
pub fn normalize_function(name: &str) -> String {
    let mut out = name.replace("{{closure}}", "{closure}");
    while let Some(start) = out.find("{closure#") {
        match out[start..].find('}') {
            Some(end) => out.replace_range(start..start + end + 1, "{closure}"),
            None => break,
        }
    }
    if let Some((head, hash)) = out.rsplit_once("::h")
        && hash.len() == 16
        && hash.chars().all(|c| c.is_ascii_hexdigit())
    {
        out = head.to_string();
    }
    out
}

/// Whether two report paths name the same file: equal, or one ends with `/` and the other
/// (locations and stack frames may be relative to different roots).
fn same_file(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_start_matches("./"), b.trim_start_matches("./"));
    a == b || a.ends_with(&format!("/{b}")) || b.ends_with(&format!("/{a}"))
}

/// `file::function` of a location: the function is that of the stack's first frame in the
/// same file (the enclosing function), `?` when the stack has none.
fn site(at: &SourceLocation, stack: &[Frame]) -> String {
    let function = stack
        .iter()
        .find(|f| same_file(&f.location.file, &at.file))
        .map_or_else(|| "?".to_string(), |f| normalize_function(&f.function));
    format!("{}::{function}", at.file)
}

/// The anchors of a finding (docs/ci.md): threads by name and spawn site, objects by kind and
/// creation file, operations by name and site, panics by site, last-seen operations by name
/// and file, and the states of leaked threads. Ids, lines, columns, messages, lock holders, a
/// channel's live ends and the deadlock cycle's order are left out: they change with the
/// schedule, the seed or unrelated edits.
#[derive(Default)]
struct Anchors(BTreeSet<String>);

impl Anchors {
    fn add(&mut self, anchor: String) {
        self.0.insert(anchor);
    }

    fn thread(&mut self, t: &ThreadInfo) {
        let name = t.name.as_deref().unwrap_or("");
        self.add(match &t.spawned_at {
            Some(at) => format!(
                "{} {name:?} spawned in {}",
                t.role.noun(),
                site(at, &t.spawn_stack)
            ),
            None => format!("thread {name:?} (the test body)"),
        });
    }

    fn object(&mut self, o: &ObjectInfo) {
        self.add(format!(
            "object {} created in {}",
            o.kind, o.created_at.file
        ));
    }

    fn operation(&mut self, operation: &str) {
        self.add(format!("operation {operation}"));
    }

    fn last_seen(&mut self, l: &LastSeen) {
        self.add(format!("{} last seen in {}", l.operation, l.at.file));
    }

    fn state(&mut self, state: &str) {
        self.add(format!("state {state}"));
    }

    /// The operation and what it waits on; not who holds it, nor the channels' ends.
    fn blocked(&mut self, b: &Blocked) {
        self.add(format!("{} in {}", b.operation, site(&b.at, &b.stack)));
        match &b.on {
            Target::Object(o) => self.object(o),
            Target::Select { objects } => objects.iter().for_each(|o| self.object(o)),
            Target::Thread(t) => self.thread(t),
            _ => {}
        }
    }

    fn notify(&mut self, n: &NotifyInfo) {
        self.thread(&n.by);
        if let Some(t) = &n.woke {
            self.thread(t);
        }
    }

    fn finding(&mut self, f: &Finding) {
        match f.detail() {
            Detail::LeakedThread { thread, state } => {
                self.thread(thread);
                match state {
                    LeakState::BlockedForever(b) => {
                        self.state("blocked_forever");
                        self.blocked(b);
                    }
                    LeakState::StillRunning { last_seen, .. } => {
                        self.state("still_running");
                        if let Some(l) = last_seen {
                            self.last_seen(l);
                        }
                    }
                    LeakState::FinishedLate => self.state("finished_late"),
                    // Live mode: the OS id and what the thread did vary from run to run; the
                    // thread's name (hashed above) is what identifies it.
                    LeakState::StillAlive(_) => self.state("still_alive"),
                    _ => {}
                }
            }
            Detail::LeakedTask { task, state, .. } => {
                self.thread(task);
                match state {
                    TaskLeak::PendingForever {
                        awaiting,
                        last_seen,
                    } => {
                        self.state("pending_forever");
                        match (awaiting, last_seen) {
                            (Some(b), _) => self.blocked(b),
                            (None, Some(l)) => self.last_seen(l),
                            (None, None) => {}
                        }
                    }
                    TaskLeak::LostWaker { last_seen, .. } => {
                        self.state("lost_waker");
                        if let Some(l) = last_seen {
                            self.last_seen(l);
                        }
                    }
                    TaskLeak::StillRunnable { last_seen, .. } => {
                        self.state("still_runnable");
                        if let Some(l) = last_seen {
                            self.last_seen(l);
                        }
                    }
                    TaskLeak::FinishedLate => self.state("finished_late"),
                    // Live mode: a count, which varies with timing; the test names it.
                    TaskLeak::AliveInRuntime { .. } => self.state("alive_in_runtime"),
                    _ => {}
                }
            }
            Detail::UnclosedChannel {
                channel, blocked, ..
            } => {
                self.object(&channel.object);
                for w in blocked {
                    self.thread(&w.thread);
                    self.operation(&w.operation);
                }
            }
            Detail::MissedSignal {
                thread,
                operation,
                condvar,
                cause,
                ..
            } => {
                self.thread(thread);
                self.operation(operation);
                self.object(condvar);
                match cause {
                    SignalCause::Lost { notifies } | SignalCause::Misdirected { notifies } => {
                        notifies.iter().for_each(|n| self.notify(n));
                    }
                    SignalCause::Stale { notify } => self.notify(notify),
                    SignalCause::NeverSignalled { changed } => {
                        changed.iter().for_each(|s| self.thread(&s.thread));
                    }
                    _ => {}
                }
            }
            Detail::UnresponsiveCancellation {
                thread,
                token,
                cancelled,
                blocked,
                still_runnable,
            } => {
                self.thread(thread);
                self.object(token);
                self.thread(&cancelled.by);
                self.blocked(blocked);
                if still_runnable.is_some() {
                    self.state("still_runnable");
                }
            }
            Detail::LockOrderInversion { first, second } => {
                for order in [first, second] {
                    self.thread(&order.thread);
                    self.object(&order.first.lock);
                    self.object(&order.then.lock);
                }
            }
            Detail::HeldAcrossAwait {
                task,
                lock,
                locked_at,
                suspended_at,
                awaiting,
                ..
            } => {
                self.thread(task);
                self.object(lock);
                self.add(format!("locked in {}", locked_at.file));
                self.add(format!("suspended in {}", suspended_at.file));
                if let Some(op) = awaiting {
                    self.operation(op);
                }
            }
            Detail::LostMessage {
                task,
                channel,
                operation,
                sent_at,
                dropped_at,
                ..
            } => {
                self.thread(task);
                self.object(channel);
                self.operation(operation);
                self.add(format!("sent in {}", sent_at.file));
                if let Some(l) = dropped_at {
                    self.add(format!("dropped by {} in {}", l.operation, l.at.file));
                }
            }
            Detail::Deadlock { blocked, .. } => {
                for b in blocked {
                    self.thread(&b.thread);
                    self.blocked(&b.blocked);
                }
            }
            Detail::Panic {
                thread, at, stack, ..
            } => {
                self.thread(thread);
                if let Some(at) = at {
                    self.add(format!("panic in {}", site(at, stack)));
                }
            }
            Detail::StepLimit { running, .. } => {
                for r in running {
                    self.thread(&r.thread);
                    if let Some(l) = &r.last_seen {
                        self.last_seen(l);
                    }
                }
            }
            Detail::Stall {
                thread, last_seen, ..
            } => {
                self.thread(thread);
                if let Some(l) = last_seen {
                    self.last_seen(l);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::{every_kind, leaked};

    #[test]
    fn fingerprints_ignore_lines_ids_and_closure_numbers() {
        let a = fingerprint(
            Some("tests::leaky"),
            &leaked(14, 1, "demo::leak::{{closure}}"),
        );
        let b = fingerprint(
            Some("tests::leaky"),
            &leaked(20, 2, "demo::leak::{closure#0}"),
        );
        assert_eq!(a, b);
        assert!(a.0.starts_with("fp1:") && a.0.len() == 20, "{}", a.0);
        assert_eq!(
            a.1,
            "leakcheck-fingerprint-v1\nkind=leaked_thread\ntest=tests::leaky\n\
             Mutex::lock in src/lib.rs::demo::leak::{closure}\n\
             object mutex created in src/lib.rs\n\
             state blocked_forever\n\
             thread \"waiter\" spawned in src/lib.rs::demo::leak"
        );
        let other_test = fingerprint(Some("tests::other"), &leaked(14, 1, "demo::leak"));
        assert_ne!(a.0, other_test.0);
        let elsewhere = {
            let mut d = leaked(14, 1, "demo::leak::{{closure}}").detail().clone();
            if let Detail::LeakedThread {
                state: LeakState::BlockedForever(b),
                ..
            } = &mut d
            {
                b.stack[0].location.file = "crates/demo/src/lib.rs".into();
            }
            Finding::new(d)
        };
        assert_eq!(fingerprint(Some("tests::leaky"), &elsewhere), a);
        let other_fn = fingerprint(Some("tests::leaky"), &leaked(14, 1, "demo::other"));
        assert_ne!(a.0, other_fn.0);
    }

    /// The anchors of each kind, as docs/ci.md describes them (and as version 1 of the report
    /// format gave them: baselines written before format 2 still match).
    #[test]
    fn anchors_of_every_kind() {
        let anchors: Vec<String> = every_kind()
            .iter()
            .map(|f| {
                canonical(Some("t"), f)
                    .lines()
                    .skip(3)
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect();
        let waiter = "thread \"waiter\" spawned in src/lib.rs::demo::leak";
        let body = "thread \"\" (the test body)";
        assert_eq!(
            anchors,
            [
                format!("Mutex::lock in src/lib.rs::demo::leak | object mutex created in src/lib.rs | {waiter}"),
                format!("Mutex::lock in src/lib.rs::demo::leak | object mutex created in src/lib.rs | state blocked_forever | {waiter}"),
                format!("object channel created in src/lib.rs | operation Receiver::recv | {waiter}"),
                format!("object condvar created in src/lib.rs | operation Condvar::wait | {body} | {waiter}"),
                format!("Receiver::recv in src/lib.rs::? | object channel created in src/lib.rs | object token created in src/lib.rs | {body} | {waiter}"),
                format!("object mutex created in src/lib.rs | {waiter}"),
                format!("panic in src/lib.rs::? | {waiter}"),
                format!("{body} | thread::yield_now last seen in src/lib.rs"),
                format!("{waiter} | thread::yield_now last seen in src/lib.rs"),
                "Receiver::recv in src/lib.rs::? | object channel created in src/lib.rs | state pending_forever | task \"waiter\" spawned in src/lib.rs::demo::leak".to_string(),
                format!("locked in src/lib.rs | object mutex created in src/lib.rs | operation time::sleep | suspended in src/lib.rs | {body}"),
                "dropped by select! in src/lib.rs | object channel created in src/lib.rs | operation Sender::send | sent in src/lib.rs | task \"waiter\" spawned in src/lib.rs::demo::leak".to_string(),
            ]
        );
    }

    #[test]
    fn functions_are_normalized() {
        assert_eq!(
            normalize_function("a::b::{closure#3}::{closure#0}"),
            "a::b::{closure}::{closure}"
        );
        assert_eq!(normalize_function("a::b::h0123456789abcdef"), "a::b");
    }
}
