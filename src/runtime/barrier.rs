//! The model of a barrier: how many must arrive, who has, and which round. `sync::Barrier` is its
//! shell.

use super::object::Model;
use super::{Exec, Loc, ObjId, Tid, WaitOn};

/// A barrier: how many must arrive, who has, and which round.
#[derive(Debug, Default)]
pub(crate) struct BarrierState {
    pub count: usize,
    pub arrived: Vec<Tid>,
    pub generation: usize,
}

impl Model for BarrierState {}

/// Waits at barrier `id` until its round is complete; returns whether the current thread leads
/// the round (it arrived last).
pub(crate) fn wait(exec: &Exec, id: ObjId, at: Loc) -> bool {
    const OP: &str = "Barrier::wait";
    if !exec.switch(OP, at) {
        return false;
    }
    let me = exec.me();
    let generation = {
        let mut reg = exec.reg();
        reg.publish(me, id);
        let b = reg.barrier(id);
        b.arrived.push(me);
        if b.arrived.len() >= b.count {
            // The last to arrive completes the round, and leads it.
            let arrived = std::mem::take(&mut b.arrived);
            b.generation += 1;
            for t in arrived.into_iter().filter(|&t| t != me) {
                exec.wake(&mut reg, t);
            }
            reg.observe(me, id);
            return true;
        }
        b.generation
    };
    loop {
        exec.block(OP, WaitOn::Object(id), at);
        if exec.closed() {
            return false;
        }
        let mut reg = exec.reg();
        if reg.barrier(id).generation != generation {
            // Everyone of the round arrived: learn what they knew.
            reg.observe(me, id);
            return false;
        }
    }
}
