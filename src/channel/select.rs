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
/// every choice is explored. A `default(timeout)` arm fires when the scheduler lets time pass.
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
    ($($tokens:tt)*) => {
        $crate::__select_internal!(@parse () () ((0usize __lc_case0 __lc_ref0) (1usize __lc_case1 __lc_ref1) (2usize __lc_case2 __lc_ref2) (3usize __lc_case3 __lc_ref3) (4usize __lc_case4 __lc_ref4) (5usize __lc_case5 __lc_ref5) (6usize __lc_case6 __lc_ref6) (7usize __lc_case7 __lc_ref7) (8usize __lc_case8 __lc_ref8) (9usize __lc_case9 __lc_ref9) (10usize __lc_case10 __lc_ref10) (11usize __lc_case11 __lc_ref11) (12usize __lc_case12 __lc_ref12) (13usize __lc_case13 __lc_ref13) (14usize __lc_case14 __lc_ref14) (15usize __lc_case15 __lc_ref15) (16usize __lc_case16 __lc_ref16) (17usize __lc_case17 __lc_ref17) (18usize __lc_case18 __lc_ref18) (19usize __lc_case19 __lc_ref19) (20usize __lc_case20 __lc_ref20) (21usize __lc_case21 __lc_ref21) (22usize __lc_case22 __lc_ref22) (23usize __lc_case23 __lc_ref23) (24usize __lc_case24 __lc_ref24) (25usize __lc_case25 __lc_ref25) (26usize __lc_case26 __lc_ref26) (27usize __lc_case27 __lc_ref27) (28usize __lc_case28 __lc_ref28) (29usize __lc_case29 __lc_ref29) (30usize __lc_case30 __lc_ref30) (31usize __lc_case31 __lc_ref31)) $($tokens)*)
    };
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
    use super::super::core::{self as chan_core, Arm, Deadline, RecvArm, SendArm};
    use super::super::{Receiver, RecvError, SendError, Sender};
    use crate::runtime;
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
        /// The operation on the model (inside a check).
        fn model(&mut self) -> ModelArm<'_>;
        /// Adds the operation to crossbeam's selection (outside a check).
        fn add_std(&self, sel: &mut crossbeam_channel::Select<'a>) -> usize;
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
        fn model(&mut self) -> ModelArm<'_> {
            match &mut self.arm {
                Some(arm) => ModelArm(arm),
                None => panic!("leakcheck: select! inside a check on a channel created outside it"),
            }
        }

        fn add_std(&self, sel: &mut crossbeam_channel::Select<'a>) -> usize {
            match &self.rx.inner {
                Imp::Std(r) => sel.recv(r),
                Imp::Model(End { .. }) => {
                    panic!("leakcheck: select! outside a check on a channel created inside one")
                }
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
        fn model(&mut self) -> ModelArm<'_> {
            match &mut self.arm {
                Some(arm) => ModelArm(arm),
                None => panic!("leakcheck: select! inside a check on a channel created outside it"),
            }
        }

        fn add_std(&self, sel: &mut crossbeam_channel::Select<'a>) -> usize {
            match &self.tx.inner {
                Imp::Std(s) => sel.send(s),
                Imp::Model(End { .. }) => {
                    panic!("leakcheck: select! outside a check on a channel created inside one")
                }
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
    pub fn select<'a>(cases: &mut [&mut dyn Case<'a>], wait: Wait) -> Option<usize> {
        let at = runtime::caller();
        if let Some(exec) = runtime::current() {
            let deadline = match wait {
                Wait::Block => Deadline::Never,
                Wait::Now => Deadline::Now,
                Wait::For(_) => Deadline::Timeout,
            };
            let mut arms: Vec<&mut dyn Arm> = cases.iter_mut().map(|c| c.model().0).collect();
            return chan_core::select(&exec, &mut arms, deadline, "select!", at);
        }
        let mut sel = crossbeam_channel::Select::new();
        for case in cases.iter() {
            case.add_std(&mut sel);
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
