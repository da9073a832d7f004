//! `select!`: wait on several channel operations at once, in crossbeam-channel's syntax.

/// Waits until one of several channel operations can proceed, performs it, and evaluates its
/// arm; crossbeam-channel's syntax and meaning.
///
/// ```text
/// select! {
///     recv(receiver) -> msg => { /* msg: Result<T, RecvError> */ }
///     send(sender, value) -> res => { /* res: Result<(), SendError<T>> */ }
///     default => { /* no operation was ready */ }
///     // or: default(timeout) => { /* none became ready in time */ }
/// }
/// ```
///
/// When several operations are ready, which one runs is a scheduler choice inside a check, so
/// every choice is explored. A `default(timeout)` arm fires when its deadline on the
/// [modelled clock](crate::time) passes, as the [time model](crate::Time) says.
/// Unlike crossbeam, the message expressions of `send` arms are evaluated before selecting
/// (the unsent messages are dropped). At most 32 operations.
///
/// ```
/// use leakcheck::channel::{select, unbounded};
///
/// leakcheck::check(|| {
///     let (tx, rx) = unbounded();
///     let (cancel_tx, cancel_rx) = unbounded::<()>();
///     tx.send(1).unwrap();
///     drop(cancel_tx);
///     // Both arms are ready: either may run.
///     let got = select! {
///         recv(rx) -> msg => msg.ok(),
///         recv(cancel_rx) -> _ => None,
///     };
///     assert!(got == Some(1) || got.is_none());
/// });
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {{
        const __LC_BIASED: bool = false;
        $crate::__select_internal!(@parse () () ((0usize __lc_case0 __lc_ref0) (1usize __lc_case1 __lc_ref1) (2usize __lc_case2 __lc_ref2) (3usize __lc_case3 __lc_ref3) (4usize __lc_case4 __lc_ref4) (5usize __lc_case5 __lc_ref5) (6usize __lc_case6 __lc_ref6) (7usize __lc_case7 __lc_ref7) (8usize __lc_case8 __lc_ref8) (9usize __lc_case9 __lc_ref9) (10usize __lc_case10 __lc_ref10) (11usize __lc_case11 __lc_ref11) (12usize __lc_case12 __lc_ref12) (13usize __lc_case13 __lc_ref13) (14usize __lc_case14 __lc_ref14) (15usize __lc_case15 __lc_ref15) (16usize __lc_case16 __lc_ref16) (17usize __lc_case17 __lc_ref17) (18usize __lc_case18 __lc_ref18) (19usize __lc_case19 __lc_ref19) (20usize __lc_case20 __lc_ref20) (21usize __lc_case21 __lc_ref21) (22usize __lc_case22 __lc_ref22) (23usize __lc_case23 __lc_ref23) (24usize __lc_case24 __lc_ref24) (25usize __lc_case25 __lc_ref25) (26usize __lc_case26 __lc_ref26) (27usize __lc_case27 __lc_ref27) (28usize __lc_case28 __lc_ref28) (29usize __lc_case29 __lc_ref29) (30usize __lc_case30 __lc_ref30) (31usize __lc_case31 __lc_ref31)) $($tokens)*)
    }};
}

/// [`select!`], but when several operations are ready it always takes the first of them in the
/// order written, as crossbeam's `select_biased!` does; inside a check that is no scheduler
/// choice either. Same syntax as `select!`.
///
/// ```
/// use leakcheck::channel::{select_biased, unbounded};
///
/// leakcheck::check(|| {
///     let (high_tx, high) = unbounded();
///     let (low_tx, low) = unbounded();
///     high_tx.send("high").unwrap();
///     low_tx.send("low").unwrap();
///     // Both are ready: the first arm wins, in every schedule.
///     let got = select_biased! {
///         recv(high) -> msg => msg.unwrap(),
///         recv(low) -> msg => msg.unwrap(),
///     };
///     assert_eq!(got, "high");
/// });
/// ```
#[macro_export]
macro_rules! select_biased {
    ($($tokens:tt)*) => {{
        const __LC_BIASED: bool = true;
        $crate::__select_internal!(@parse () () ((0usize __lc_case0 __lc_ref0) (1usize __lc_case1 __lc_ref1) (2usize __lc_case2 __lc_ref2) (3usize __lc_case3 __lc_ref3) (4usize __lc_case4 __lc_ref4) (5usize __lc_case5 __lc_ref5) (6usize __lc_case6 __lc_ref6) (7usize __lc_case7 __lc_ref7) (8usize __lc_case8 __lc_ref8) (9usize __lc_case9 __lc_ref9) (10usize __lc_case10 __lc_ref10) (11usize __lc_case11 __lc_ref11) (12usize __lc_case12 __lc_ref12) (13usize __lc_case13 __lc_ref13) (14usize __lc_case14 __lc_ref14) (15usize __lc_case15 __lc_ref15) (16usize __lc_case16 __lc_ref16) (17usize __lc_case17 __lc_ref17) (18usize __lc_case18 __lc_ref18) (19usize __lc_case19 __lc_ref19) (20usize __lc_case20 __lc_ref20) (21usize __lc_case21 __lc_ref21) (22usize __lc_case22 __lc_ref22) (23usize __lc_case23 __lc_ref23) (24usize __lc_case24 __lc_ref24) (25usize __lc_case25 __lc_ref25) (26usize __lc_case26 __lc_ref26) (27usize __lc_case27 __lc_ref27) (28usize __lc_case28 __lc_ref28) (29usize __lc_case29 __lc_ref29) (30usize __lc_case30 __lc_ref30) (31usize __lc_case31 __lc_ref31)) $($tokens)*)
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_internal {
    // ---- parsing: one arm at a time -----------------------------------------------------------
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) recv($r:expr $(,)?) -> $res:pat => $body:block, $($tail:tt)*) => {
        $crate::__select_internal!(@parse ($($cases)* (recv $id ($r) ($res) $body)) $default ($($ids)*) $($tail)*)
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) recv($r:expr $(,)?) -> $res:pat => $body:block $($tail:tt)*) => {
        $crate::__select_internal!(@parse ($($cases)* (recv $id ($r) ($res) $body)) $default ($($ids)*) $($tail)*)
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) recv($r:expr $(,)?) -> $res:pat => $body:expr, $($tail:tt)*) => {
        $crate::__select_internal!(@parse ($($cases)* (recv $id ($r) ($res) { $body })) $default ($($ids)*) $($tail)*)
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) recv($r:expr $(,)?) -> $res:pat => $body:expr) => {
        $crate::__select_internal!(@parse ($($cases)* (recv $id ($r) ($res) { $body })) $default ($($ids)*))
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) send($s:expr, $m:expr $(,)?) -> $res:pat => $body:block, $($tail:tt)*) => {
        $crate::__select_internal!(@parse ($($cases)* (send $id ($s, $m) ($res) $body)) $default ($($ids)*) $($tail)*)
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) send($s:expr, $m:expr $(,)?) -> $res:pat => $body:block $($tail:tt)*) => {
        $crate::__select_internal!(@parse ($($cases)* (send $id ($s, $m) ($res) $body)) $default ($($ids)*) $($tail)*)
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) send($s:expr, $m:expr $(,)?) -> $res:pat => $body:expr, $($tail:tt)*) => {
        $crate::__select_internal!(@parse ($($cases)* (send $id ($s, $m) ($res) { $body })) $default ($($ids)*) $($tail)*)
    };
    (@parse ($($cases:tt)*) $default:tt ($id:tt $($ids:tt)*) send($s:expr, $m:expr $(,)?) -> $res:pat => $body:expr) => {
        $crate::__select_internal!(@parse ($($cases)* (send $id ($s, $m) ($res) { $body })) $default ($($ids)*))
    };
    (@parse $cases:tt () $ids:tt default => $body:block, $($tail:tt)*) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::None) $body) $ids $($tail)*)
    };
    (@parse $cases:tt () $ids:tt default => $body:block $($tail:tt)*) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::None) $body) $ids $($tail)*)
    };
    (@parse $cases:tt () $ids:tt default => $body:expr, $($tail:tt)*) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::None) { $body }) $ids $($tail)*)
    };
    (@parse $cases:tt () $ids:tt default => $body:expr) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::None) { $body }) $ids)
    };
    (@parse $cases:tt () $ids:tt default($t:expr $(,)?) => $body:block, $($tail:tt)*) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::Some($t)) $body) $ids $($tail)*)
    };
    (@parse $cases:tt () $ids:tt default($t:expr $(,)?) => $body:block $($tail:tt)*) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::Some($t)) $body) $ids $($tail)*)
    };
    (@parse $cases:tt () $ids:tt default($t:expr $(,)?) => $body:expr, $($tail:tt)*) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::Some($t)) { $body }) $ids $($tail)*)
    };
    (@parse $cases:tt () $ids:tt default($t:expr $(,)?) => $body:expr) => {
        $crate::__select_internal!(@parse $cases ((::core::option::Option::Some($t)) { $body }) $ids)
    };
    (@parse $cases:tt ($($d:tt)+) $ids:tt default $($tail:tt)*) => {
        ::core::compile_error!("`select!` takes at most one `default` arm")
    };
    (@parse () () $ids:tt) => {
        ::core::compile_error!("`select!` needs at least one `recv(..)`, `send(..)` or `default` arm")
    };
    (@parse $cases:tt $default:tt ()  $($tail:tt)+) => {
        ::core::compile_error!("`select!` takes at most 32 operations")
    };
    (@parse $cases:tt $default:tt $ids:tt) => {
        $crate::__select_internal!(@emit $cases $default)
    };
    (@parse $cases:tt $default:tt $ids:tt $($tail:tt)+) => {
        ::core::compile_error!(
            "`select!` expects arms of the forms `recv(r) -> msg => body`, `send(s, value) -> res => body`, `default => body` and `default(timeout) => body`"
        )
    };

    // ---- code: bind every operation, select, run the chosen arm -------------------------------
    (@bind recv $c:ident $rr:ident ($r:expr)) => {
        let $rr: &$crate::channel::Receiver<_> = &$r;
        let mut $c = $crate::channel::__private::RecvCase::new($rr);
    };
    (@bind send $c:ident $rr:ident ($s:expr, $m:expr)) => {
        let $rr: &$crate::channel::Sender<_> = &$s;
        let mut $c = $crate::channel::__private::SendCase::new($rr, $m);
    };
    (@emit ($(($kind:ident ($idx:tt $c:ident $rr:ident) $args:tt ($res:pat) $body:block))*) ()) => {{
        $( $crate::__select_internal!(@bind $kind $c $rr $args); )*
        let __lc_index = $crate::channel::__private::select(
            &mut [$(&mut $c as &mut dyn $crate::channel::__private::Case<'_>),*],
            $crate::channel::__private::Wait::Block,
            __LC_BIASED,
        );
        match __lc_index {
            $( ::core::option::Option::Some($idx) => {
                let $res = $c.result();
                $body
            } )*
            _ => ::core::unreachable!("select! chose an operation it does not have"),
        }
    }};
    (@emit ($(($kind:ident ($idx:tt $c:ident $rr:ident) $args:tt ($res:pat) $body:block))*) (($timeout:expr) $default:block)) => {{
        $( $crate::__select_internal!(@bind $kind $c $rr $args); )*
        let __lc_index = $crate::channel::__private::select(
            &mut [$(&mut $c as &mut dyn $crate::channel::__private::Case<'_>),*],
            $crate::channel::__private::Wait::from_timeout($timeout),
            __LC_BIASED,
        );
        match __lc_index {
            $( ::core::option::Option::Some($idx) => {
                let $res = $c.result();
                $body
            } )*
            ::core::option::Option::None => $default,
            _ => ::core::unreachable!("select! chose an operation it does not have"),
        }
    }};
}

#[doc(hidden)]
pub mod __private {
    //! What `select!` expands to. Not a public API.

    use std::time::Duration;

    use super::super::core::End;
    use super::super::core::{self as chan_core, Arm, Deadline, How, RecvArm, SendArm};
    use super::super::{Receiver, RecvError, SendError, Sender};
    use crate::runtime;
    use crate::runtime::clock::Limit;
    use crate::runtime::Imp;

    /// How long a selection may wait.
    #[derive(Clone, Copy, Debug)]
    pub enum Wait {
        /// Until an operation completes.
        Block,
        /// Not at all (`default`).
        Now,
        /// At most this long (`default(timeout)`).
        For(Duration),
    }

    impl Wait {
        /// `None` is `default`, `Some(d)` is `default(d)`.
        pub fn from_timeout(t: Option<Duration>) -> Wait {
            match t {
                None => Wait::Now,
                Some(d) => Wait::For(d),
            }
        }
    }

    /// The model side of an operation; opaque outside leakcheck.
    pub struct ModelArm<'x>(pub(crate) &'x mut dyn Arm);

    /// One operation of a `select!`.
    pub trait Case<'a> {
        /// The operation on the model (inside a check); `None` if its channel is not a model
        /// channel.
        fn model(&mut self) -> Option<ModelArm<'_>>;
        /// Adds the operation to crossbeam's selection (outside a check); `None` if its
        /// channel is a model channel.
        fn add_std(&self, sel: &mut crossbeam_channel::Select<'a>) -> Option<usize>;
        /// Completes the operation crossbeam selected.
        fn complete_std(&mut self, op: crossbeam_channel::SelectedOperation<'_>);
    }

    /// A `recv(r)` operation.
    pub struct RecvCase<'a, T> {
        rx: &'a Receiver<T>,
        arm: Option<RecvArm<'a, T>>,
        result: Option<Result<T, RecvError>>,
    }

    impl<'a, T> RecvCase<'a, T> {
        /// The operation on `rx`.
        pub fn new(rx: &'a Receiver<T>) -> Self {
            let arm = match &rx.inner {
                Imp::Model(End { chan, end }) => Some(RecvArm {
                    chan,
                    end: *end,
                    result: None,
                }),
                Imp::Std(_) => None,
            };
            RecvCase {
                rx,
                arm,
                result: None,
            }
        }

        /// The message, once selected.
        pub fn result(&mut self) -> Result<T, RecvError> {
            if let Some(r) = self.result.take() {
                return r;
            }
            match self.arm.as_mut().and_then(|a| a.result.take()) {
                Some(Ok(v)) => Ok(v),
                _ => Err(RecvError),
            }
        }
    }

    impl<'a, T> Case<'a> for RecvCase<'a, T> {
        fn model(&mut self) -> Option<ModelArm<'_>> {
            self.arm.as_mut().map(|arm| ModelArm(arm as &mut dyn Arm))
        }

        fn add_std(&self, sel: &mut crossbeam_channel::Select<'a>) -> Option<usize> {
            match &self.rx.inner {
                Imp::Std(r) => Some(sel.recv(r)),
                Imp::Model(End { .. }) => None,
            }
        }

        fn complete_std(&mut self, op: crossbeam_channel::SelectedOperation<'_>) {
            if let Imp::Std(r) = &self.rx.inner {
                self.result = Some(op.recv(r));
            }
        }
    }

    /// A `send(s, value)` operation.
    pub struct SendCase<'a, T> {
        tx: &'a Sender<T>,
        arm: Option<SendArm<'a, T>>,
        value: Option<T>,
        result: Option<Result<(), SendError<T>>>,
    }

    impl<'a, T> SendCase<'a, T> {
        /// The operation of sending `value` on `tx`.
        pub fn new(tx: &'a Sender<T>, value: T) -> Self {
            match &tx.inner {
                Imp::Model(End { chan, end }) => SendCase {
                    tx,
                    arm: Some(SendArm {
                        chan,
                        end: *end,
                        value: Some(value),
                        result: None,
                    }),
                    value: None,
                    result: None,
                },
                Imp::Std(_) => SendCase {
                    tx,
                    arm: None,
                    value: Some(value),
                    result: None,
                },
            }
        }

        /// The outcome, once selected.
        pub fn result(&mut self) -> Result<(), SendError<T>> {
            if let Some(r) = self.result.take() {
                return r;
            }
            let arm = self.arm.as_mut().expect("a selected send has an outcome");
            match arm.result.take() {
                Some(Ok(())) => Ok(()),
                Some(Err(v)) => Err(SendError(v)),
                None => Err(SendError(
                    arm.value.take().expect("an unsent message is kept"),
                )),
            }
        }
    }

    impl<'a, T> Case<'a> for SendCase<'a, T> {
        fn model(&mut self) -> Option<ModelArm<'_>> {
            self.arm.as_mut().map(|arm| ModelArm(arm as &mut dyn Arm))
        }

        fn add_std(&self, sel: &mut crossbeam_channel::Select<'a>) -> Option<usize> {
            match &self.tx.inner {
                Imp::Std(s) => Some(sel.send(s)),
                Imp::Model(End { .. }) => None,
            }
        }

        fn complete_std(&mut self, op: crossbeam_channel::SelectedOperation<'_>) {
            if let Imp::Std(s) = &self.tx.inner {
                let value = self.value.take().expect("a send is completed once");
                self.result = Some(op.send(s, value));
            }
        }
    }

    /// Runs a selection; `None` means the `default` arm.
    #[track_caller]
    pub fn select<'a>(cases: &mut [&mut dyn Case<'a>], wait: Wait, biased: bool) -> Option<usize> {
        let at = runtime::caller();
        if let Some(exec) = runtime::current() {
            let deadline = match wait {
                Wait::Block => Deadline::Never,
                Wait::Now => Deadline::Now,
                Wait::For(d) => Deadline::Timeout(Limit::For(d)),
            };
            let mut arms: Vec<&mut dyn Arm> = Vec::with_capacity(cases.len());
            for case in cases.iter_mut() {
                match case.model() {
                    Some(arm) => arms.push(arm.0),
                    None => {
                        panic!("leakcheck: select! inside a check on a channel created outside it")
                    }
                }
            }
            let how = How {
                deadline,
                biased,
                observe: false,
            };
            let op = if biased { "select_biased!" } else { "select!" };
            return chan_core::select_with(&exec, &mut arms, how, op, at);
        }
        let mut sel = if biased {
            crossbeam_channel::Select::new_biased()
        } else {
            crossbeam_channel::Select::new()
        };
        for case in cases.iter() {
            if case.add_std(&mut sel).is_none() {
                panic!("leakcheck: select! outside a check on a channel created inside one");
            }
        }
        let op = match wait {
            Wait::Block => sel.select(),
            Wait::Now => sel.try_select().ok()?,
            Wait::For(d) => sel.select_timeout(d).ok()?,
        };
        let index = op.index();
        cases[index].complete_std(op);
        Some(index)
    }
}

pub use dynamic::{Select, SelectedOperation};

mod dynamic {
    //! `Select`: crossbeam's dynamic selection, over the same core as `select!`.

    use std::fmt;
    use std::marker::PhantomData;

    use super::super::core::{
        self as chan_core, Arm, Deadline, End, How, LazySendArm, Probe, RecvArm, Reservation,
    };
    use super::super::{
        ReadyTimeoutError, Receiver, RecvError, SelectTimeoutError, SendError, Sender,
        TryReadyError, TrySelectError,
    };
    use crate::runtime::clock::Limit;
    use crate::runtime::{self, Imp, Loc, Tid};
    use std::time::{Duration, Instant};

    /// A channel end a [`Select`] holds, whatever its message type.
    trait Handle {
        /// The facade end's address: `SelectedOperation` checks it is given the same one.
        fn addr(&self) -> *const u8;
        /// The operation on the model, for one selection; `None` if the end is not a model
        /// channel's.
        fn op(&self) -> Option<Box<dyn Op + '_>>;
    }

    /// One operation of a selection on the model, typed.
    trait Op {
        fn arm(&mut self) -> &mut dyn Arm;
        /// Keeps what the selected operation came to, for `SelectedOperation`.
        fn settle(&mut self, me: Tid) -> Outcome;
    }

    /// What a selected operation came to, inside a check.
    #[derive(Clone, Copy, Debug)]
    enum Outcome {
        /// A receive: whether a message was taken (kept on the channel for this thread), or
        /// the channel is disconnected.
        Received(bool),
        /// A send: what it reserved.
        Send(Reservation),
    }

    struct RecvOp<'s, T>(RecvArm<'s, T>);

    impl<T> Op for RecvOp<'_, T> {
        fn arm(&mut self) -> &mut dyn Arm {
            &mut self.0
        }

        fn settle(&mut self, me: Tid) -> Outcome {
            match self.0.result.take() {
                Some(Ok(v)) => {
                    chan_core::stash_picked(self.0.chan, me, v);
                    Outcome::Received(true)
                }
                _ => Outcome::Received(false),
            }
        }
    }

    struct SendOp<'s, T>(LazySendArm<'s, T>);

    impl<T> Op for SendOp<'_, T> {
        fn arm(&mut self) -> &mut dyn Arm {
            &mut self.0
        }

        fn settle(&mut self, _me: Tid) -> Outcome {
            Outcome::Send(self.0.reserved.take().unwrap_or(Reservation::Disconnected))
        }
    }

    impl<T> Handle for Receiver<T> {
        fn addr(&self) -> *const u8 {
            self as *const Receiver<T> as *const u8
        }

        fn op(&self) -> Option<Box<dyn Op + '_>> {
            match &self.inner {
                Imp::Model(End { chan, end }) => Some(Box::new(RecvOp(RecvArm {
                    chan,
                    end: *end,
                    result: None,
                }))),
                Imp::Std(_) => None,
            }
        }
    }

    impl<T> Handle for Sender<T> {
        fn addr(&self) -> *const u8 {
            self as *const Sender<T> as *const u8
        }

        fn op(&self) -> Option<Box<dyn Op + '_>> {
            match &self.inner {
                Imp::Model(End { chan, end }) => Some(Box::new(SendOp(LazySendArm {
                    chan,
                    end: *end,
                    reserved: None,
                }))),
                Imp::Std(_) => None,
            }
        }
    }

    /// The model side of a `Select`: its operations in crossbeam's order, with their indices.
    #[derive(Clone)]
    struct Model<'a> {
        handles: Vec<(&'a dyn Handle, usize)>,
        next_index: usize,
        biased: bool,
    }

    /// What a selection on the model chose.
    struct Chosen {
        index: usize,
        addr: *const u8,
        outcome: Outcome,
    }

    impl Model<'_> {
        /// Runs one selection (or, if `observe`, one `ready`) over the operations.
        #[track_caller]
        fn run(&self, deadline: Deadline, observe: bool, op: &'static str) -> Option<Chosen> {
            let at: Loc = runtime::caller();
            let Some(exec) = runtime::current() else {
                panic!("leakcheck: a `Select` made inside a check was used outside it");
            };
            if self.handles.len() > chan_core::MAX_ARMS {
                panic!(
                    "leakcheck: a `Select` inside a check takes at most {} operations, this one has {}",
                    chan_core::MAX_ARMS,
                    self.handles.len()
                );
            }
            let mut ops: Vec<Box<dyn Op + '_>> = Vec::with_capacity(self.handles.len());
            for (handle, _) in &self.handles {
                match handle.op() {
                    Some(op) => ops.push(op),
                    None => panic!(
                        "leakcheck: a `Select` inside a check on a channel created outside it"
                    ),
                }
            }
            let how = How {
                deadline,
                biased: self.biased,
                observe,
            };
            let pick = if observe {
                let mut probes: Vec<Probe<'_>> = ops.iter_mut().map(|o| Probe(o.arm())).collect();
                let mut arms: Vec<&mut dyn Arm> =
                    probes.iter_mut().map(|p| p as &mut dyn Arm).collect();
                chan_core::select_with(&exec, &mut arms, how, op, at)?
            } else {
                let mut arms: Vec<&mut dyn Arm> = ops.iter_mut().map(|o| o.arm()).collect();
                chan_core::select_with(&exec, &mut arms, how, op, at)?
            };
            let (handle, index) = self.handles[pick];
            Some(Chosen {
                index,
                addr: handle.addr(),
                outcome: ops[pick].settle(exec.me()),
            })
        }
    }

    /// crossbeam's dynamic selection: a list of send and receive operations built at run time,
    /// waited on together. [`select`](Self::select) returns the [`SelectedOperation`] that
    /// was chosen, which must then be completed with [`SelectedOperation::send`] or
    /// [`SelectedOperation::recv`] on the same `Sender` or `Receiver`;
    /// [`ready`](Self::ready) only says which operation is ready.
    ///
    /// Inside a check it runs on the same selection core as [`select!`](crate::channel::select):
    /// which of several ready operations is chosen is a recorded scheduler choice (a
    /// [`new_biased`](Self::new_biased) selection takes the first ready one in the order they
    /// were added, as crossbeam does), and a selection that blocks is one wait on all its
    /// operations, so a thread left waiting is reported with the selection's location and its
    /// channels. Timeouts and deadlines pass by a recorded choice or when nothing else can run,
    /// as for [`Receiver::recv_timeout`]. A selected send holds its slot (or its receiver)
    /// until [`SelectedOperation::send`]: complete it before the thread's next channel
    /// operation. Inside a check a selection takes at most 64 operations. Outside a check it is
    /// crossbeam-channel's own `Select`.
    ///
    /// ```
    /// use leakcheck::channel::{unbounded, Select};
    /// use leakcheck::thread;
    ///
    /// leakcheck::check(|| {
    ///     let (tx1, rx1) = unbounded::<i32>();
    ///     let (tx2, rx2) = unbounded();
    ///     let t = thread::spawn(move || tx2.send(2).unwrap());
    ///     drop(tx1);
    ///
    ///     let mut sel = Select::new();
    ///     let op1 = sel.recv(&rx1);
    ///     let op2 = sel.recv(&rx2);
    ///     let oper = sel.select();
    ///     match oper.index() {
    ///         i if i == op1 => assert!(oper.recv(&rx1).is_err()), // closed
    ///         i if i == op2 => assert_eq!(oper.recv(&rx2), Ok(2)),
    ///         _ => unreachable!(),
    ///     }
    ///     t.join().unwrap();
    /// });
    /// ```
    pub struct Select<'a> {
        inner: Imp<StdSelect<'a>, Model<'a>>,
    }

    /// crossbeam's `Select`, with the facade end of each operation by index: a usage error
    /// (an index never added, a `SelectedOperation` completed on another end) is caught here,
    /// and reported at the caller's line, before crossbeam would catch it in its own code.
    #[derive(Clone)]
    struct StdSelect<'a> {
        sel: crossbeam_channel::Select<'a>,
        ends: Vec<(usize, *const u8)>,
        next_index: usize,
    }

    impl<'a> StdSelect<'a> {
        fn add(&mut self, addr: *const u8, index: usize) -> usize {
            debug_assert_eq!(index, self.next_index);
            self.ends.push((index, addr));
            self.next_index += 1;
            index
        }

        fn chosen(&self, op: crossbeam_channel::SelectedOperation<'a>) -> SelectedOperation<'a> {
            let index = op.index();
            let addr = self
                .ends
                .iter()
                .find(|&&(i, _)| i == index)
                .map_or(std::ptr::null(), |&(_, a)| a);
            SelectedOperation {
                inner: Imp::Std((op, addr)),
            }
        }
    }

    /// Where operation `index` is among `indices`, checked as crossbeam checks it.
    #[track_caller]
    fn position(indices: impl Iterator<Item = usize>, next_index: usize, index: usize) -> usize {
        assert!(
            index < next_index,
            "index out of bounds; {} >= {}",
            index,
            next_index,
        );
        let mut indices = indices;
        match indices.position(|i| i == index) {
            Some(i) => i,
            None => panic!("no operation with this index"),
        }
    }

    // SAFETY: as crossbeam's `Select`, which is `Send` and `Sync` whatever it holds: it keeps
    // only shared references to channel ends and uses them through `&self` methods. The model
    // side is used only by the execution's own threads, which take turns.
    unsafe impl Send for Select<'_> {}
    // SAFETY: see `Send`; every method that uses the ends takes `&mut self`.
    unsafe impl Sync for Select<'_> {}

    /// The operation a [`Select`] chose, to be completed with [`send`](Self::send) or
    /// [`recv`](Self::recv) on the `Sender` or `Receiver` it was added with; crossbeam's
    /// `SelectedOperation`. Dropping it without completing it panics, as crossbeam's does.
    ///
    /// ```
    /// use leakcheck::channel::{bounded, Select};
    ///
    /// let (tx, rx) = bounded(1);
    /// let mut sel = Select::new();
    /// let op = sel.send(&tx);
    /// let oper = sel.select();
    /// assert_eq!(oper.index(), op);
    /// oper.send(&tx, 5).unwrap();
    /// assert_eq!(rx.recv(), Ok(5));
    /// ```
    #[must_use]
    pub struct SelectedOperation<'a> {
        /// Outside a check: crossbeam's, and the address of the facade end it was chosen on.
        inner: Imp<(crossbeam_channel::SelectedOperation<'a>, *const u8), ModelSelected<'a>>,
    }

    /// A selected operation on the model.
    struct ModelSelected<'a> {
        chosen: Chosen,
        done: bool,
        _ends: PhantomData<&'a ()>,
    }

    impl Drop for ModelSelected<'_> {
        fn drop(&mut self) {
            if !self.done && !crate::thread::panicking() {
                panic!("dropped `SelectedOperation` without completing the operation");
            }
        }
    }

    impl<'a> Select<'a> {
        /// An empty selection: when several operations are ready, any of them may be chosen
        /// (inside a check, a recorded scheduler choice).
        ///
        /// ```
        /// let mut sel = leakcheck::channel::Select::new();
        /// // Nothing to select.
        /// assert!(sel.try_select().is_err());
        /// ```
        pub fn new() -> Select<'a> {
            Select::make(false)
        }

        /// An empty selection that always chooses the first ready operation in the order they
        /// were added (inside a check too: no scheduler choice).
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        ///
        /// let (tx1, rx1) = unbounded();
        /// let (tx2, rx2) = unbounded();
        /// tx1.send(1).unwrap();
        /// tx2.send(2).unwrap();
        /// let mut sel = Select::new_biased();
        /// let first = sel.recv(&rx1);
        /// sel.recv(&rx2);
        /// assert_eq!(sel.ready(), first);
        /// ```
        pub fn new_biased() -> Self {
            Select::make(true)
        }

        fn make(biased: bool) -> Self {
            let inner = if runtime::current().is_some() {
                Imp::Model(Model {
                    handles: Vec::with_capacity(4),
                    next_index: 0,
                    biased,
                })
            } else {
                Imp::Std(StdSelect {
                    sel: if biased {
                        crossbeam_channel::Select::new_biased()
                    } else {
                        crossbeam_channel::Select::new()
                    },
                    ends: Vec::with_capacity(4),
                    next_index: 0,
                })
            };
            Select { inner }
        }

        /// Adds a send on `s`; returns the operation's index.
        ///
        /// ```
        /// let (tx, _rx) = leakcheck::channel::unbounded::<u8>();
        /// let mut sel = leakcheck::channel::Select::new();
        /// assert_eq!(sel.send(&tx), 0);
        /// ```
        #[track_caller]
        pub fn send<T>(&mut self, s: &'a Sender<T>) -> usize {
            match (&mut self.inner, &s.inner) {
                (Imp::Std(sel), Imp::Std(cs)) => {
                    let index = sel.sel.send(cs);
                    sel.add(s as *const Sender<T> as *const u8, index)
                }
                (Imp::Model(m), Imp::Model(_)) => m.add(s),
                (Imp::Std(_), Imp::Model(_)) => {
                    panic!("leakcheck: a `Select` made outside a check on a channel created inside one")
                }
                (Imp::Model(_), Imp::Std(_)) => {
                    panic!(
                        "leakcheck: a `Select` made inside a check on a channel created outside it"
                    )
                }
            }
        }

        /// Adds a receive on `r`; returns the operation's index.
        ///
        /// ```
        /// let (_tx, rx) = leakcheck::channel::unbounded::<u8>();
        /// let mut sel = leakcheck::channel::Select::new();
        /// assert_eq!(sel.recv(&rx), 0);
        /// ```
        #[track_caller]
        pub fn recv<T>(&mut self, r: &'a Receiver<T>) -> usize {
            match (&mut self.inner, &r.inner) {
                (Imp::Std(sel), Imp::Std(cr)) => {
                    let index = sel.sel.recv(cr);
                    sel.add(r as *const Receiver<T> as *const u8, index)
                }
                (Imp::Model(m), Imp::Model(_)) => m.add(r),
                (Imp::Std(_), Imp::Model(_)) => {
                    panic!("leakcheck: a `Select` made outside a check on a channel created inside one")
                }
                (Imp::Model(_), Imp::Std(_)) => {
                    panic!(
                        "leakcheck: a `Select` made inside a check on a channel created outside it"
                    )
                }
            }
        }

        /// Removes the operation with index `index` (indices of removed operations are not
        /// reused).
        ///
        /// # Panics
        /// If there is no such operation, or it was removed already.
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        ///
        /// let (tx1, rx1) = unbounded::<i32>();
        /// let (_, rx2) = unbounded::<i32>();
        /// let mut sel = Select::new();
        /// let op1 = sel.recv(&rx1);
        /// let op2 = sel.recv(&rx2);
        /// // `rx2`'s channel is closed: its operation is ready, with an error.
        /// let oper = sel.select();
        /// assert_eq!(oper.index(), op2);
        /// assert!(oper.recv(&rx2).is_err());
        /// sel.remove(op2);
        /// tx1.send(10).unwrap();
        /// let oper = sel.select();
        /// assert_eq!(oper.index(), op1);
        /// assert_eq!(oper.recv(&rx1), Ok(10));
        /// ```
        #[track_caller]
        pub fn remove(&mut self, index: usize) {
            match &mut self.inner {
                Imp::Std(sel) => {
                    let i = position(sel.ends.iter().map(|e| e.0), sel.next_index, index);
                    sel.ends.swap_remove(i);
                    sel.sel.remove(index);
                }
                Imp::Model(m) => {
                    let i = position(m.handles.iter().map(|h| h.1), m.next_index, index);
                    m.handles.swap_remove(i);
                }
            }
        }

        /// Chooses a ready operation if there is one now.
        ///
        /// # Errors
        /// If no operation is ready.
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        ///
        /// let (tx, rx) = unbounded();
        /// let mut sel = Select::new();
        /// sel.recv(&rx);
        /// assert!(sel.try_select().is_err());
        /// tx.send(1).unwrap();
        /// let oper = sel.try_select().unwrap();
        /// assert_eq!(oper.recv(&rx), Ok(1));
        /// ```
        #[track_caller]
        pub fn try_select(&mut self) -> Result<SelectedOperation<'a>, TrySelectError> {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.try_select().map(|op| sel.chosen(op)),
                Imp::Model(m) => m
                    .run(Deadline::Now, false, "Select::try_select")
                    .map(SelectedOperation::model)
                    .ok_or(TrySelectError),
            }
        }

        /// Waits until an operation is ready and chooses it. With no operation it waits
        /// forever (inside a check the thread is then reported as blocked forever).
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        /// use leakcheck::thread;
        ///
        /// leakcheck::check(|| {
        ///     let (tx, rx) = unbounded();
        ///     let t = thread::spawn(move || tx.send("hi").unwrap());
        ///     let mut sel = Select::new();
        ///     sel.recv(&rx);
        ///     assert_eq!(sel.select().recv(&rx), Ok("hi"));
        ///     t.join().unwrap();
        /// });
        /// ```
        #[track_caller]
        pub fn select(&mut self) -> SelectedOperation<'a> {
            match &mut self.inner {
                Imp::Std(sel) => {
                    let op = sel.sel.select();
                    sel.chosen(op)
                }
                Imp::Model(m) => match m.run(Deadline::Never, false, "Select::select") {
                    Some(chosen) => SelectedOperation::model(chosen),
                    None => stopped(),
                },
            }
        }

        /// Waits at most `timeout` for an operation to be ready, and chooses it. Inside a
        /// check the timeout passes by a recorded choice or when nothing else can run.
        ///
        /// # Errors
        /// If the timeout passed first.
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        /// use std::time::Duration;
        ///
        /// leakcheck::check(|| {
        ///     let (_tx, rx) = unbounded::<u8>();
        ///     let mut sel = Select::new();
        ///     sel.recv(&rx);
        ///     assert!(sel.select_timeout(Duration::from_millis(5)).is_err());
        /// });
        /// ```
        #[track_caller]
        pub fn select_timeout(
            &mut self,
            timeout: Duration,
        ) -> Result<SelectedOperation<'a>, SelectTimeoutError> {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.select_timeout(timeout).map(|op| sel.chosen(op)),
                Imp::Model(m) => m
                    .run(
                        Deadline::Timeout(Limit::For(timeout)),
                        false,
                        "Select::select_timeout",
                    )
                    .map(SelectedOperation::model)
                    .ok_or(SelectTimeoutError),
            }
        }

        /// Waits until `deadline` at most for an operation to be ready, and chooses it. Inside
        /// a check the deadline is read on the modelled clock (see [`crate::time`]).
        ///
        /// # Errors
        /// If the deadline passed first.
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        /// use std::time::{Duration, Instant};
        ///
        /// let (tx, rx) = unbounded();
        /// tx.send(1).unwrap();
        /// let mut sel = Select::new();
        /// sel.recv(&rx);
        /// let oper = sel.select_deadline(Instant::now() + Duration::from_secs(1)).unwrap();
        /// assert_eq!(oper.recv(&rx), Ok(1));
        /// ```
        #[track_caller]
        pub fn select_deadline(
            &mut self,
            deadline: Instant,
        ) -> Result<SelectedOperation<'a>, SelectTimeoutError> {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.select_deadline(deadline).map(|op| sel.chosen(op)),
                Imp::Model(m) => m
                    .run(
                        Deadline::Timeout(Limit::Until(deadline)),
                        false,
                        "Select::select_deadline",
                    )
                    .map(SelectedOperation::model)
                    .ok_or(SelectTimeoutError),
            }
        }

        /// The index of an operation that is ready now, without performing it (another thread
        /// may still take what made it ready).
        ///
        /// # Errors
        /// If no operation is ready.
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        ///
        /// let (tx, rx) = unbounded();
        /// let mut sel = Select::new();
        /// let op = sel.recv(&rx);
        /// assert!(sel.try_ready().is_err());
        /// tx.send(1).unwrap();
        /// assert_eq!(sel.try_ready(), Ok(op));
        /// assert_eq!(rx.try_recv(), Ok(1));
        /// ```
        #[track_caller]
        pub fn try_ready(&mut self) -> Result<usize, TryReadyError> {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.try_ready(),
                Imp::Model(m) => m
                    .run(Deadline::Now, true, "Select::try_ready")
                    .map(|c| c.index)
                    .ok_or(TryReadyError),
            }
        }

        /// Waits until an operation is ready and returns its index, without performing it.
        /// Inside a check the thread waits as a watcher: no partner hands it a message.
        ///
        /// ```
        /// use leakcheck::channel::{unbounded, Select};
        /// use leakcheck::thread;
        ///
        /// leakcheck::check(|| {
        ///     let (tx, rx) = unbounded();
        ///     let t = thread::spawn(move || tx.send(1).unwrap());
        ///     let mut sel = Select::new();
        ///     sel.recv(&rx);
        ///     assert_eq!(sel.ready(), 0);
        ///     assert_eq!(rx.try_recv(), Ok(1));
        ///     t.join().unwrap();
        /// });
        /// ```
        #[track_caller]
        pub fn ready(&mut self) -> usize {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.ready(),
                Imp::Model(m) => match m.run(Deadline::Never, true, "Select::ready") {
                    Some(c) => c.index,
                    None => stopped(),
                },
            }
        }

        /// Waits at most `timeout` until an operation is ready and returns its index.
        ///
        /// # Errors
        /// If the timeout passed first.
        ///
        /// ```
        /// use leakcheck::channel::{never, Select};
        /// use std::time::Duration;
        ///
        /// leakcheck::check(|| {
        ///     let rx = never::<u8>();
        ///     let mut sel = Select::new();
        ///     sel.recv(&rx);
        ///     assert!(sel.ready_timeout(Duration::from_millis(5)).is_err());
        /// });
        /// ```
        #[track_caller]
        pub fn ready_timeout(&mut self, timeout: Duration) -> Result<usize, ReadyTimeoutError> {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.ready_timeout(timeout),
                Imp::Model(m) => m
                    .run(
                        Deadline::Timeout(Limit::For(timeout)),
                        true,
                        "Select::ready_timeout",
                    )
                    .map(|c| c.index)
                    .ok_or(ReadyTimeoutError),
            }
        }

        /// Waits until `deadline` at most for an operation to be ready and returns its index.
        /// Inside a check the deadline is read on the modelled clock (see [`crate::time`]).
        ///
        /// # Errors
        /// If the deadline passed first.
        ///
        /// ```
        /// use leakcheck::channel::{never, Select};
        /// use std::time::{Duration, Instant};
        ///
        /// let rx = never::<u8>();
        /// let mut sel = Select::new();
        /// sel.recv(&rx);
        /// assert!(sel.ready_deadline(Instant::now() + Duration::from_millis(1)).is_err());
        /// ```
        #[track_caller]
        pub fn ready_deadline(&mut self, deadline: Instant) -> Result<usize, ReadyTimeoutError> {
            match &mut self.inner {
                Imp::Std(sel) => sel.sel.ready_deadline(deadline),
                Imp::Model(m) => m
                    .run(
                        Deadline::Timeout(Limit::Until(deadline)),
                        true,
                        "Select::ready_deadline",
                    )
                    .map(|c| c.index)
                    .ok_or(ReadyTimeoutError),
            }
        }
    }

    /// A blocking selection whose execution was stopped (it returns only then): the thread is
    /// unwound as leakcheck unwinds a stopped execution's threads.
    fn stopped() -> ! {
        std::panic::resume_unwind(Box::new(runtime::Teardown::Execution))
    }

    impl<'a> Model<'a> {
        fn add(&mut self, end: &'a dyn Handle) -> usize {
            let i = self.next_index;
            self.handles.push((end, i));
            self.next_index += 1;
            i
        }
    }

    impl Clone for Select<'_> {
        fn clone(&self) -> Self {
            let inner = match &self.inner {
                Imp::Std(sel) => Imp::Std(sel.clone()),
                Imp::Model(m) => Imp::Model(m.clone()),
            };
            Select { inner }
        }
    }

    impl Default for Select<'_> {
        fn default() -> Self {
            Select::new()
        }
    }

    impl fmt::Debug for Select<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.pad("Select { .. }")
        }
    }

    impl<'a> SelectedOperation<'a> {
        fn model(chosen: Chosen) -> Self {
            SelectedOperation {
                inner: Imp::Model(ModelSelected {
                    chosen,
                    done: false,
                    _ends: PhantomData,
                }),
            }
        }

        /// The index of the chosen operation, as [`Select::send`] or [`Select::recv`]
        /// returned it.
        ///
        /// ```
        /// use leakcheck::channel::{bounded, Select};
        ///
        /// let (tx1, _rx1) = bounded::<()>(0);
        /// let (tx2, _rx2) = bounded::<()>(1);
        /// let mut sel = Select::new();
        /// sel.send(&tx1);
        /// let op2 = sel.send(&tx2);
        /// // Only the buffered channel has room.
        /// let oper = sel.select();
        /// assert_eq!(oper.index(), op2);
        /// oper.send(&tx2, ()).unwrap();
        /// ```
        pub fn index(&self) -> usize {
            match &self.inner {
                Imp::Std((op, _)) => op.index(),
                Imp::Model(m) => m.chosen.index,
            }
        }

        /// Completes the chosen send with `msg`.
        ///
        /// # Errors
        /// The message back, if every receiver is gone.
        ///
        /// # Panics
        /// If `s` is not the `Sender` the operation was added with (outside a check, as with
        /// crossbeam, the process then aborts as the unfinished operation is dropped).
        ///
        /// ```
        /// use leakcheck::channel::{bounded, Select, SendError};
        ///
        /// let (tx, rx) = bounded::<i32>(0);
        /// drop(rx);
        /// let mut sel = Select::new();
        /// sel.send(&tx);
        /// assert_eq!(sel.select().send(&tx, 10), Err(SendError(10)));
        /// ```
        #[track_caller]
        pub fn send<T>(self, s: &Sender<T>, msg: T) -> Result<(), SendError<T>> {
            match (self.inner, &s.inner) {
                (Imp::Std((op, addr)), Imp::Std(cs)) => {
                    if addr != s as *const Sender<T> as *const u8 {
                        // crossbeam's own check, at the caller's line. As with crossbeam, its
                        // unfinished operation panics again as it is dropped (and the process
                        // aborts): forgetting it instead would leave its channel waiting for a
                        // message that never comes.
                        let _unfinished = op;
                        panic!("passed a sender that wasn't selected");
                    }
                    op.send(cs, msg)
                }
                (Imp::Model(mut m), Imp::Model(End { chan, .. })) => {
                    let same = m.chosen.addr == s as *const Sender<T> as *const u8;
                    let reservation = match m.chosen.outcome {
                        Outcome::Send(r) if same => r,
                        _ => panic!("passed a sender that wasn't selected"),
                    };
                    m.done = true;
                    chan_core::finish_send(chan, reservation, msg).map_err(SendError)
                }
                (Imp::Std((op, _)), Imp::Model(_)) => {
                    let _unfinished = op;
                    panic!("passed a sender that wasn't selected")
                }
                (Imp::Model(mut m), Imp::Std(_)) => {
                    m.done = true;
                    panic!("passed a sender that wasn't selected")
                }
            }
        }

        /// Completes the chosen receive.
        ///
        /// # Errors
        /// If the channel is empty and every sender is gone.
        ///
        /// # Panics
        /// If `r` is not the `Receiver` the operation was added with (outside a check, as with
        /// crossbeam, the process then aborts as the unfinished operation is dropped).
        ///
        /// ```
        /// use leakcheck::channel::{bounded, RecvError, Select};
        ///
        /// let (tx, rx) = bounded::<i32>(0);
        /// drop(tx);
        /// let mut sel = Select::new();
        /// sel.recv(&rx);
        /// assert_eq!(sel.select().recv(&rx), Err(RecvError));
        /// ```
        #[track_caller]
        pub fn recv<T>(self, r: &Receiver<T>) -> Result<T, RecvError> {
            match (self.inner, &r.inner) {
                (Imp::Std((op, addr)), Imp::Std(cr)) => {
                    if addr != r as *const Receiver<T> as *const u8 {
                        let _unfinished = op;
                        panic!("passed a receiver that wasn't selected");
                    }
                    op.recv(cr)
                }
                (Imp::Model(mut m), Imp::Model(End { chan, .. })) => {
                    let same = m.chosen.addr == r as *const Receiver<T> as *const u8;
                    let got = match m.chosen.outcome {
                        Outcome::Received(got) if same => got,
                        _ => panic!("passed a receiver that wasn't selected"),
                    };
                    m.done = true;
                    if got {
                        Ok(chan_core::take_picked(chan)
                            .expect("a selected receive keeps its message"))
                    } else {
                        Err(RecvError)
                    }
                }
                (Imp::Std((op, _)), Imp::Model(_)) => {
                    let _unfinished = op;
                    panic!("passed a receiver that wasn't selected")
                }
                (Imp::Model(mut m), Imp::Std(_)) => {
                    m.done = true;
                    panic!("passed a receiver that wasn't selected")
                }
            }
        }
    }

    impl fmt::Debug for SelectedOperation<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.pad("SelectedOperation { .. }")
        }
    }
}
