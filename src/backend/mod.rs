//! The engines that run an execution, each implementing the runtime's
//! [`Backend`](crate::runtime::Backend) interface: shuttle's engine for the sampling schedulers
//! (`driven`, with our `random` and `pct` schedulers and shuttle's DFS), and loom for the
//! exhaustive one. A backend runs threads and makes decisions; it never judges an execution:
//! the explore layer does, when the backend says the execution has ended.

pub(crate) mod loom;
pub(crate) mod shuttle;
