//! The exhaustive search: loom checks the body once per *script* of choice outcomes (which
//! waiter wakes, a spurious wake-up, a timeout), each round covering every interleaving within
//! the preemption bound; the loom backend reports each execution's end here, and this driver
//! judges it, counts it, and decides which scripts come next, depth first, until one execution
//! has findings, every script is done, or the schedules cap is reached.

use std::cell::RefCell;
use std::rc::Rc;

use super::body::body_thread;
use super::Run;
use crate::backend::loom::{self, BodyThread, Round, RoundSpec};
use crate::error::ConfigError;
use crate::report::Finding;
use crate::runtime::{Control, Exec};

/// How an exhaustive search ended.
pub(super) enum Searched {
    /// Every execution within the bound was clean (`complete`), or the cap was reached first.
    Clean { executions: usize, complete: bool },
    /// Execution number `execution` had findings; its decisions are in the control's trace.
    Found {
        execution: usize,
        findings: Vec<Finding>,
    },
}

/// What the executions of a search have come to so far.
#[derive(Default)]
struct Tally {
    executions: usize,
    found: Option<Vec<Finding>>,
    capped: bool,
}

/// Explores every execution within the preemption bound, at most `settings.schedules` of
/// them, until one has findings.
pub(super) fn search(
    run: &Run<'_>,
    ctl: &Rc<Control>,
    preemption_bound: usize,
) -> Result<Searched, ConfigError> {
    let body = run.body.clone();
    let spec = RoundSpec {
        body: Rc::new(move || -> Box<dyn FnOnce()> { Box::new(body_thread(body.clone())) })
            as BodyThread,
        ctl: ctl.clone(),
        spurious_wakeups: run.settings.spurious_wakeups,
        time: run.settings.time,
        preemption_bound,
    };
    let tally = Rc::new(RefCell::new(Tally::default()));
    let searched = rounds(run, &spec, &tally);
    loom::finish_search();
    searched?;
    let tally = Rc::try_unwrap(tally)
        .unwrap_or_else(|_| unreachable!("leakcheck: the search still holds its tally"))
        .into_inner();
    Ok(match tally.found {
        Some(findings) => Searched::Found {
            execution: tally.executions,
            findings,
        },
        None => Searched::Clean {
            executions: tally.executions,
            complete: !tally.capped,
        },
    })
}

/// Runs the rounds, depth first, the smallest script first, until one ends the search.
fn rounds(run: &Run<'_>, spec: &RoundSpec, tally: &Rc<RefCell<Tally>>) -> Result<(), ConfigError> {
    let mut todo = vec![Vec::new()];
    while let Some(script) = todo.pop() {
        let on_end = {
            let tally = tally.clone();
            let judge = run.judge.clone();
            let max = run.settings.schedules;
            Box::new(move |exec: &Exec| {
                let mut tally = tally.borrow_mut();
                tally.executions += 1;
                let findings = judge.findings(&mut exec.reg(), exec.ctl.stop.get());
                if !findings.is_empty() {
                    tally.found = Some(findings);
                    return false;
                }
                if tally.executions >= max {
                    tally.capped = true;
                    return false;
                }
                true
            })
        };
        match loom::round(spec, script.clone(), on_end)? {
            Round::Ended => return Ok(()),
            Round::Done { branches } => {
                // Pushed in reverse, so that the smallest script is checked next.
                for &(i, n) in branches.iter().rev() {
                    for outcome in (1..n).rev() {
                        let mut next = script.clone();
                        next.resize(i, 0);
                        next.push(outcome);
                        todo.push(next);
                    }
                }
            }
        }
    }
    Ok(())
}
