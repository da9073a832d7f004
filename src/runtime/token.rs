//! The model of a cancellation token: whether and where it was cancelled, and which threads use
//! it (the unresponsive-cancellation detector reads them). `cancel::Token` is its shell.

use super::object::Model;
use super::{Exec, Loc, ObjId, Tid};

/// A cancellation token: whether and where it was cancelled, and which threads use it.
#[derive(Debug, Default)]
pub(crate) struct TokenState {
    pub cancelled: Option<(Tid, Loc)>,
    /// Threads that called `is_cancelled` or `done` on it (or on a clone).
    pub users: Vec<Tid>,
    /// The channel its `done()` receivers belong to.
    pub done: Option<ObjId>,
    pub parent: Option<ObjId>,
    /// Tasks whose pending poll awaits its cancellation (`CancellationToken::cancelled`): they
    /// see it.
    pub awaiting: Vec<Tid>,
}

impl Model for TokenState {}

/// Token `child` was made as a child of token `parent`.
pub(crate) fn adopt(exec: &Exec, child: ObjId, parent: ObjId) {
    exec.reg().token(child).parent = Some(parent);
}

/// The current thread cancelled token `id` at `at`.
pub(crate) fn cancelled(exec: &Exec, id: ObjId, at: Loc) {
    let me = exec.me();
    exec.reg().token(id).cancelled = Some((me, at));
}

/// The current thread looked at token `id` (`is_cancelled`, `done`): it uses the token, so it
/// is expected to respond to its cancellation.
pub(crate) fn used(exec: &Exec, id: ObjId) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let users = &mut reg.token(id).users;
    if !users.contains(&me) {
        users.push(me);
    }
}

/// The current task's poll awaits token `id`'s cancellation (`awaiting`), or no longer does.
pub(crate) fn awaiting(exec: &Exec, id: ObjId, awaiting: bool) {
    let me = exec.me();
    let Some(mut reg) = exec.live() else {
        return;
    };
    let list = &mut reg.token(id).awaiting;
    list.retain(|&t| t != me);
    if awaiting {
        list.push(me);
    }
}
