//! The engines that run an execution, each implementing the runtime's
//! [`Backend`](crate::runtime::Backend) interface: shuttle's engine for the sampling schedulers
//! (`driven`, with our `random` and `pct` schedulers and shuttle's DFS), and loom for the
//! exhaustive one. A backend runs threads and makes decisions; it never judges an execution:
//! the explore layer does, when the backend says the execution has ended.

pub(crate) mod loom;
pub(crate) mod shuttle;

/// Yields one thread may make in a row, while no other thread runs, before the schedulers treat
/// it as spinning (`thread::yield_now`, `thread::sleep` as a yield, `spin_loop_hint`). Below
/// this, a yield is an ordinary scheduling point: the yielding thread may run on before every
/// other thread, or after them, so no order is made impossible. At the bound, the thread gives
/// way: the exhaustive search runs another thread first (without spending a preemption), PCT
/// drops the thread's priority below every other. A correct polling loop so ends, and a loop
/// that polls for something no other thread will ever do still runs to the step limit.
pub(crate) const SPIN_YIELDS: usize = 3;
