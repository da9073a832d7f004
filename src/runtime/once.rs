//! The model of a `Once`: whether it ran, who runs it, who waits. `sync::Once` and `OnceLock` are
//! its shells.

use super::object::Model;
use super::{Exec, Loc, ObjId, Registry, Tid, WaitOn};

/// A `Once`: whether it ran, who runs it, who waits.
#[derive(Debug, Default)]
pub(crate) struct OnceState {
    pub running: Option<Tid>,
    pub done: bool,
    pub poisoned: bool,
    pub waiters: Vec<Tid>,
}

impl Model for OnceState {
    fn waits_for(&self, _: Tid, _: &Registry) -> Option<Tid> {
        self.running
    }
}

const POISONED: &str = "Once instance has previously been poisoned";

/// The run of a closure on a model `Once`: when it ends, the `Once` is completed (the closure
/// returned) or poisoned (it panicked), and the waiters try again.
struct Running<'a> {
    exec: &'a Exec,
    id: ObjId,
    completed: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let Some(mut reg) = self.exec.live() else {
            return;
        };
        let me = self.exec.me();
        reg.publish(me, self.id);
        let o = reg.once(self.id);
        o.running = None;
        if self.completed {
            o.done = true;
            o.poisoned = false;
        } else {
            o.poisoned = true;
        }
        let waiters = std::mem::take(&mut o.waiters);
        for w in waiters {
            self.exec.wake(&mut reg, w);
        }
    }
}

/// Returns once the model `Once` `id` has completed: runs `init` (with whether the `Once` was
/// poisoned) if no other thread runs or ran it, or waits while another thread runs it. Panics
/// if it is poisoned, unless `force`.
pub(crate) fn run(
    exec: &Exec,
    id: ObjId,
    force: bool,
    op: &'static str,
    at: Loc,
    init: &mut dyn FnMut(bool),
) {
    let me = exec.me();
    let poisoned = loop {
        if exec.closed() {
            return;
        }
        let poisoned = {
            let mut reg = exec.reg();
            if reg.once(id).done {
                reg.observe(me, id);
                return;
            }
            let o = reg.once(id);
            if o.running.is_none() {
                if !o.poisoned || force {
                    o.running = Some(me);
                    break o.poisoned;
                }
                true
            } else {
                o.waiters.push(me);
                false
            }
        };
        if poisoned {
            panic!("{POISONED}");
        }
        exec.block(op, WaitOn::Object(id), at);
    };
    let mut running = Running {
        exec,
        id,
        completed: false,
    };
    init(poisoned);
    running.completed = true;
}

/// Returns once the model `Once` `id` has completed, waiting while it has not (never running a
/// closure). Panics if it is poisoned and no thread runs it, unless `force` (which waits on).
pub(crate) fn wait(exec: &Exec, id: ObjId, force: bool, op: &'static str, at: Loc) {
    let me = exec.me();
    loop {
        if exec.closed() {
            return;
        }
        let poisoned = {
            let mut reg = exec.reg();
            if reg.once(id).done {
                reg.observe(me, id);
                return;
            }
            let o = reg.once(id);
            if o.poisoned && o.running.is_none() && !force {
                true
            } else {
                o.waiters.push(me);
                false
            }
        };
        if poisoned {
            panic!("{POISONED}");
        }
        exec.block(op, WaitOn::Object(id), at);
    }
}

/// Makes `Once` `id` new again (its `OnceLock`'s value was taken).
pub(crate) fn reset(exec: &Exec, id: ObjId) {
    let mut reg = exec.reg();
    let o = reg.once(id);
    o.done = false;
    o.poisoned = false;
}
