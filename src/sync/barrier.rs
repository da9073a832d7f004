use std::fmt;
use std::rc::Rc;

use crate::runtime::registry::BarrierState;
use crate::runtime::{self, Exec, Handle, Loc, ObjKind, ObjState, WaitOn};

/// A barrier, as [`std::sync::Barrier`]: `n` threads wait until all `n` have arrived, then all
/// go on, and the barrier is ready for the next round.
///
/// Inside a check, the runtime knows who has arrived in the current round, so a thread left
/// waiting for arrivals that never come is reported blocked forever in `Barrier::wait` on the
/// barrier. The last thread to arrive in a round is its leader. Outside a check it is std's
/// barrier.
///
/// Unlike std's, `Barrier::new` is not `const`: it records where the barrier was created.
///
/// ```
/// use leakcheck::sync::{Arc, Barrier};
/// use leakcheck::thread;
///
/// leakcheck::check(|| {
///     let barrier = Arc::new(Barrier::new(3));
///     let handles: Vec<_> = (0..3)
///         .map(|_| {
///             let barrier = Arc::clone(&barrier);
///             thread::spawn(move || barrier.wait().is_leader())
///         })
///         .collect();
///     let leaders = handles
///         .into_iter()
///         .map(|h| h.join().unwrap())
///         .filter(|&leader| leader)
///         .count();
///     assert_eq!(leaders, 1);
/// });
/// ```
pub struct Barrier {
    imp: Imp,
}

enum Imp {
    Std(std::sync::Barrier),
    Model(Handle),
}

/// What [`Barrier::wait`] returns: whether this thread is the round's leader.
///
/// ```
/// use leakcheck::sync::Barrier;
///
/// // A barrier of one: every wait completes a round, and leads it.
/// assert!(Barrier::new(1).wait().is_leader());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this thread is the leader of its round: exactly one thread of each round is
    /// (inside a check, the last to arrive).
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl fmt::Debug for BarrierWaitResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWaitResult")
            .field("is_leader", &self.is_leader())
            .finish()
    }
}

impl Barrier {
    /// A barrier for `n` threads. As std's, a barrier for 0 threads behaves as one for 1: no
    /// `wait` blocks.
    ///
    /// ```
    /// use leakcheck::sync::Barrier;
    ///
    /// let barrier = Barrier::new(1);
    /// assert!(barrier.wait().is_leader());
    /// ```
    #[track_caller]
    pub fn new(n: usize) -> Barrier {
        let imp = match runtime::current() {
            Some(exec) => Imp::Model(exec.new_object(
                ObjKind::Barrier,
                runtime::caller(),
                ObjState::Barrier(BarrierState {
                    count: n,
                    ..Default::default()
                }),
            )),
            None => Imp::Std(std::sync::Barrier::new(n)),
        };
        Barrier { imp }
    }

    /// Waits until all `n` threads have arrived in this round.
    ///
    /// ```
    /// use leakcheck::sync::{Arc, Barrier};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let barrier = Arc::new(Barrier::new(2));
    ///     let b2 = Arc::clone(&barrier);
    ///     let h = thread::spawn(move || b2.wait().is_leader());
    ///     let me = barrier.wait().is_leader();
    ///     let other = h.join().unwrap();
    ///     assert!(me != other, "one leader per round");
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        match &self.imp {
            Imp::Std(b) => BarrierWaitResult(b.wait().is_leader()),
            Imp::Model(h) => {
                let exec = exec_for(*h);
                BarrierWaitResult(wait_model(&exec, h.id, runtime::caller()))
            }
        }
    }
}

fn exec_for(h: Handle) -> Rc<Exec> {
    match runtime::current() {
        Some(exec) if exec.serial == h.serial => exec,
        _ => panic!(
            "leakcheck: a Barrier created inside a check was used outside it, or in another execution"
        ),
    }
}

/// One arrival at the model barrier `id`; returns whether the thread leads its round.
fn wait_model(exec: &Exec, id: usize, at: Loc) -> bool {
    const OP: &str = "Barrier::wait";
    exec.switch(OP, at);
    if exec.closed() {
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

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").finish_non_exhaustive()
    }
}
