//! The event log as text, one line per event, appended to a report with `LEAKCHECK_TRACE=1`
//! (or the attribute's `trace` flag). Repeats are compressed: a run of identical steps (same
//! thread, operation, object and location), a spin of 10,000 yields say, is one line with its
//! count.

use std::fmt::Write as _;

use super::{EdgeKind, Timeline};

/// The log, ending with a newline.
pub(crate) fn render(t: &Timeline) -> String {
    let mut out = String::new();
    if t.is_empty() {
        out.push_str("schedule: no step was recorded\n");
        return out;
    }
    let _ = writeln!(
        out,
        "schedule ({} steps; identical steps in a row are counted):",
        t.len()
    );
    let mut i = 0usize;
    while i < t.steps.len() {
        let s = &t.steps[i];
        let mut n = 1;
        while i + n < t.steps.len() && t.steps[i + n] == *s {
            n += 1;
        }
        let lane = t
            .lane(s.thread)
            .map_or_else(|| format!("thread#{}", s.thread), |l| l.label());
        let _ = write!(out, "  {:>6}  {lane}: {}", i, s.op);
        if let Some(object) = &s.object {
            let _ = write!(out, " {object}");
        }
        if let Some(at) = &s.at {
            let _ = write!(out, " at {at}");
        }
        if n > 1 {
            let _ = write!(out, "  (x{n}, to step {})", i + n - 1);
        }
        out.push('\n');
        // The events that happened at the steps of this line.
        for e in &t.edges {
            if (e.from.1 as usize) >= i && (e.from.1 as usize) < i + n {
                let to = t
                    .lane(e.to.0)
                    .map_or_else(|| format!("thread#{}", e.to.0), |l| l.label());
                let verb = match e.kind {
                    EdgeKind::Spawn => "spawns",
                    EdgeKind::Sync => "reaches",
                };
                let _ = writeln!(out, "          -> {verb} {to} ({})", e.label);
            }
        }
        for lane in &t.lanes {
            for b in &lane.blocks {
                if (b.from as usize) >= i && (b.from as usize) < i + n {
                    let _ = write!(out, "          {} blocks in {}", lane.label(), b.op);
                    if let Some(object) = &b.object {
                        let _ = write!(out, " on {object}");
                    }
                    if b.to.is_none() {
                        out.push_str(", for good");
                    }
                    out.push('\n');
                }
            }
            if let Some(f) = lane.finished_step
                && (f as usize) >= i
                && (f as usize) < i + n
                && lane.id != 0
            {
                let _ = writeln!(out, "          {} finishes", lane.label());
            }
        }
        i += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{sample, Step};
    use super::*;

    #[test]
    fn each_step_is_a_line_with_its_events() {
        let text = render(&sample::timeline());
        assert!(text.starts_with("schedule (7 steps"), "{text}");
        assert!(
            text.contains("       1  thread#0 (the test body): thread::spawn at src/lib.rs:3:5\n          -> spawns thread#1 \"worker\""),
            "{text}"
        );
        assert!(
            text.contains("thread#1 \"worker\" blocks in Receiver::recv on channel#1, for good"),
            "{text}"
        );
        assert!(
            text.contains(
                "-> reaches thread#1 \"worker\" (MutexGuard::drop → Mutex::lock on mutex#1)"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_spin_of_ten_thousand_identical_steps_is_one_line() {
        let mut t = sample::timeline();
        let spin = Step {
            thread: 1,
            op: "thread::yield_now".into(),
            object: None,
            at: None,
        };
        t.steps.extend(std::iter::repeat_n(spin, 10_000));
        let text = render(&t);
        assert!(
            text.contains("thread#1 \"worker\": thread::yield_now  (x10000, to step 10006)"),
            "{text}"
        );
        assert!(text.lines().count() < 20, "{text}");
    }
}
