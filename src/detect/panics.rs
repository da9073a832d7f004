//! [`FindingKind::Panic`](crate::FindingKind::Panic): every panic nobody saw through `join`, in
//! the order they happened (the first is usually the cause of the others). A panic in a thread
//! whose `JoinHandle` was dropped without joining is accepted under `allow_detached_panics`.

use super::view::View;
use crate::report::{source_location, Detail, Finding};
use crate::runtime::{JoinState, Tid, BODY};

pub(super) fn detect(view: &View<'_>) -> Vec<Finding> {
    let threads = &view.reg.threads;
    let body_panicked = threads.first().is_some_and(|t| t.panic.is_some());
    let mut panicked: Vec<Tid> = view
        .tids()
        .filter(|&t| threads[t].panic.is_some() && !threads[t].panic_observed)
        .collect();
    panicked.sort_by_key(|&t| threads[t].panic.as_ref().map_or(0, |p| p.seq));
    panicked
        .into_iter()
        .filter_map(|tid| {
            let t = &threads[tid];
            let p = t.panic.as_ref()?;
            // A handle dropped while the body unwound its own panic was not "never joined".
            let never_joined = tid != BODY && t.handle == JoinState::Dropped && !body_panicked;
            if never_joined && view.judge.allow_detached_panics {
                // The program handles its detached threads' panics itself (a pool that catches
                // a job's panic and reports it to the caller): accepted.
                return None;
            }
            Some(Finding::new(Detail::Panic {
                thread: view.thread(tid),
                message: p.message.clone(),
                at: p.at.as_ref().map(|(f, l, c)| source_location(f, *l, *c)),
                stack: view.panic_stack(tid),
                never_joined,
            }))
        })
        .collect()
}
