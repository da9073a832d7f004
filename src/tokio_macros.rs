//! tokio's `select!`, `join!` and `try_join!`, with tokio's syntax and semantics, for any async
//! context (they need no runtime: each expands to a `poll_fn` polled by whoever awaits it).
//!
//! The one difference from tokio: the branch a `select!` polls first (random in tokio unless
//! `biased;`) is, inside a check, a choice the schedule records, so the scheduler explores
//! every order and a replay token takes the same branch again. `join!` and `try_join!` poll
//! their futures in tokio's deterministic rotation (one further each poll), which needs no
//! choice.
//!
//! The macros are exported at the crate root under hidden names (`__tokio_select`,
//! `__tokio_join`, `__tokio_try_join`: the root already has crossbeam's `select!`), and appear
//! to users as `leakcheck::tokio::{select, join, try_join}`.
//!
//! The expansions are tokio's (macros/select.rs, join.rs, try_join.rs of tokio 1.54, MIT),
//! with tokio's own `select_priv_clean_pattern!` proc macro, which strips `ref` and `mut` from a
//! branch's pattern so that it can be tried on a reference to the output.

/// What the macros expand to. Not a public API.
#[doc(hidden)]
pub mod support {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub use std::future::{poll_fn, IntoFuture};
    pub use std::pin::Pin as PinType;
    pub use std::task::Poll as PollType;
    pub use tokio::select_priv_clean_pattern;

    /// tokio's cooperative budget: a `select!` under a tokio runtime whose task has used up
    /// its budget yields (and asks to be polled again) before polling any branch. Always ready
    /// outside a tokio runtime, so inside a check too.
    #[inline]
    pub fn poll_budget_available(cx: &mut Context<'_>) -> Poll<()> {
        if tokio::task::coop::has_budget_remaining() {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    /// A `select!`'s place, and whether it is dropping the futures of the branches that did
    /// not complete: a send future dropped meanwhile is reported as dropped by this `select!`
    /// (a lost message). Made before the futures, so that it is dropped after them.
    #[derive(Debug)]
    pub struct SelectDrops {
        at: &'static std::panic::Location<'static>,
        dropping: Option<usize>,
    }

    impl SelectDrops {
        /// The `select!` at the caller's place (a macro's caller: the `select!` itself).
        #[track_caller]
        #[inline]
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            SelectDrops {
                at: std::panic::Location::caller(),
                dropping: None,
            }
        }

        /// A branch completed (or every branch is disabled): what is dropped from now on, the
        /// `select!` dropped.
        #[inline]
        pub fn completed(&mut self) {
            if self.dropping.is_none() {
                self.dropping = crate::runtime::task::select_dropping(self.at);
            }
        }
    }

    impl Drop for SelectDrops {
        fn drop(&mut self) {
            if let Some(tid) = self.dropping.take() {
                crate::runtime::task::select_dropped(tid, self.at);
            }
        }
    }

    /// `join!`'s rotation: which future a poll starts with. tokio's `Rotator` (one further
    /// each poll) or, `biased`, always the first.
    #[derive(Debug)]
    pub struct Rotator {
        next: u32,
        count: u32,
        biased: bool,
    }

    impl Rotator {
        /// A rotation over `count` futures.
        pub fn new(count: u32, biased: bool) -> Self {
            Rotator {
                next: 0,
                count,
                biased,
            }
        }

        /// How many futures this poll skips before it starts.
        #[inline]
        pub fn num_skip(&mut self) -> u32 {
            if self.biased {
                return 0;
            }
            let skip = self.next;
            self.next += 1;
            if self.next == self.count {
                self.next = 0;
            }
            skip
        }
    }

    /// A future, then its output, then nothing once the output is taken (tokio's
    /// `MaybeDone`, for `join!`).
    #[derive(Debug)]
    pub enum MaybeDone<F: Future> {
        /// Not finished.
        Future(F),
        /// Finished; its output not yet taken.
        Done(F::Output),
        /// The output was taken.
        Gone,
    }

    /// Wraps `future` for `join!`.
    pub fn maybe_done<F: IntoFuture>(future: F) -> MaybeDone<F::IntoFuture> {
        MaybeDone::Future(future.into_future())
    }

    impl<F: Future> MaybeDone<F> {
        /// The output, if finished and not taken.
        pub fn output_mut(self: Pin<&mut Self>) -> Option<&mut F::Output> {
            // SAFETY: the output is not pinned (only the future is); nothing is moved.
            match unsafe { self.get_unchecked_mut() } {
                MaybeDone::Done(output) => Some(output),
                _ => None,
            }
        }

        /// Takes the output, if finished and not taken.
        pub fn take_output(self: Pin<&mut Self>) -> Option<F::Output> {
            // SAFETY: in `Done` the future is gone, so replacing the value moves no pinned data.
            let this = unsafe { self.get_unchecked_mut() };
            match this {
                MaybeDone::Done(_) => match std::mem::replace(this, MaybeDone::Gone) {
                    MaybeDone::Done(output) => Some(output),
                    _ => unreachable!(),
                },
                _ => None,
            }
        }
    }

    impl<F: Future> Future for MaybeDone<F> {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            // SAFETY: the future is never moved out of `self`: it is polled in place, and
            // dropped in place when `self` becomes `Done`.
            let this = unsafe { self.get_unchecked_mut() };
            let output = match this {
                MaybeDone::Future(future) => match unsafe { Pin::new_unchecked(future) }.poll(cx) {
                    Poll::Ready(output) => output,
                    Poll::Pending => return Poll::Pending,
                },
                MaybeDone::Done(_) => return Poll::Ready(()),
                MaybeDone::Gone => panic!("MaybeDone polled after value taken"),
            };
            // Assigning drops the finished future in place, as `Pin::set` does.
            *this = MaybeDone::Done(output);
            Poll::Ready(())
        }
    }
}

/// Waits on multiple concurrent branches, returning when the **first** branch completes,
/// cancelling the remaining branches: tokio's
/// [`select!`](https://docs.rs/tokio/1/tokio/macro.select.html), with its syntax and semantics.
///
/// It must be used inside async functions, closures and blocks, and accepts one or more
/// branches:
///
/// ```text
/// <pattern> = <async expression> (, if <precondition>)? => <handler>,
/// ```
///
/// and an optional last `else => <expression>` branch, evaluated if no other branch can
/// complete. The lifecycle of a `select!` expression is tokio's:
///
/// 1. Evaluate every `<precondition>`; a branch whose precondition is `false` is disabled for
///    the rest of this `select!`.
/// 2. Evaluate every `<async expression>`, the disabled branches' too (their futures are
///    never polled). The futures are pinned on the stack: they may be `!Unpin`.
/// 3. If **all** branches are disabled, go to step 6.
/// 4. Poll the enabled futures, concurrently, on the current task.
/// 5. When a future completes, try its output on its `<pattern>`. If it matches, drop every
///    future and evaluate the branch's `<handler>` with the pattern's bindings: that is the
///    value of the `select!`. If it does not match, disable the branch and continue from
///    step 3.
/// 6. Evaluate the `else` expression; without one, panic with "all branches are disabled and
///    there is no else branch".
///
/// The handler runs after the other futures are dropped, so it may use what they borrowed,
/// and it may `break`, `continue`, `return` or `.await` as code written in its place could.
///
/// # Which branch first
///
/// In tokio each poll starts at a random branch, and `biased;` as the first line polls the
/// branches from top to bottom. **Inside a check, the starting branch is a choice the
/// schedule records**: the scheduler explores it like the order of threads (so a bug that
/// needs the second of two ready branches to win is found), and a replay token takes the same
/// branch again. `biased;` makes no choice. Outside a check the start is random, as tokio's.
///
/// ```
/// use leakcheck::tokio::select;
/// use leakcheck::{Config, FindingKind};
///
/// let report = Config::new()
///     .explore(|| {
///         leakcheck::block_on(async {
///             select! {
///                 _ = async {} => {}
///                 _ = async {} => panic!("the second branch won"),
///             }
///         })
///     })
///     .unwrap_err();
/// assert_eq!(report.findings()[0].kind(), FindingKind::Panic);
/// // Its replay token takes the second branch again.
/// ```
///
/// # Examples
///
/// Two ready branches: either may win (in a check, the scheduler tries both).
///
/// ```
/// use leakcheck::tokio::select;
/// # leakcheck::block_on(async {
/// let winner = select! {
///     a = async { 1 } => a,
///     b = async { 2 } => b,
/// };
/// assert!(winner == 1 || winner == 2);
/// # });
/// ```
///
/// A pattern that does not match disables its branch; `else` runs when every branch is
/// disabled, and a precondition disables a branch before anything is polled:
///
/// ```
/// use leakcheck::tokio::select;
/// # leakcheck::block_on(async {
/// let ready = false;
/// let out = select! {
///     Some(v) = async { None::<u32> } => v,
///     v = async { 7 }, if ready => v,
///     else => 0,
/// };
/// assert_eq!(out, 0);
/// # });
/// ```
///
/// `biased;` polls top to bottom, and a loop re-enables every branch on each pass:
///
/// ```
/// use leakcheck::tokio::select;
/// # leakcheck::block_on(async {
/// let mut count = 0;
/// loop {
///     select! {
///         biased;
///         _ = async {}, if count < 3 => count += 1,
///         _ = async {} => break,
///     }
/// }
/// assert_eq!(count, 3);
/// # });
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_select {
    // The normalized form: every branch `(skip) pattern = future, if precondition => handler,`
    // where `skip` holds one `_` per branch before it, then `; else`.
    (@ {
        biased=$biased:tt;
        ( $($count:tt)* )
        $( ( $($skip:tt)* ) $bind:pat = $fut:expr, if $c:expr => $handle:expr, )+
        ; $else:expr
    }) => {{
        const BRANCHES: u32 = $crate::__tokio_macros_count!( $($count)* );

        let mut disabled: u64 = 0;

        // Preconditions first, before any future is made.
        $(
            if !$c {
                let mask: u64 = 1 << $crate::__tokio_macros_count!( $($skip)* );
                disabled |= mask;
            }
        )*

        // The output of the branch that won, outside the futures' scope: they are dropped
        // before its handler runs.
        let mut outputs = ( $( $crate::__tokio_macros_none!( $($skip)* ), )+ );

        let index: ::core::option::Option<u32> = {
            // leakcheck's: where the futures of the other branches are dropped.
            let mut drops = $crate::__private::tokio_macros::SelectDrops::new();
            let futures_init = ( $( $fut, )+ );

            let mut futures = ( $(
                $crate::__private::tokio_macros::IntoFuture::into_future({
                    let ( $($skip,)* fut, .. ) = futures_init;
                    fut
                }),
            )+ );

            // Shadowed: the futures never move again, so pinning them in place is sound.
            let futures = &mut futures;
            let slots = &mut outputs;

            let index = $crate::__private::tokio_macros::poll_fn(|cx| {
                if $crate::__private::tokio_macros::poll_budget_available(cx).is_pending() {
                    return $crate::__private::tokio_macros::PollType::Pending;
                }

                let mut is_pending = false;

                let start = $crate::__private::__select_start($biased, BRANCHES, disabled);

                for i in 0..BRANCHES {
                    let branch;
                    // One branch: `% 1`, which clippy would flag in the user's code.
                    #[allow(clippy::modulo_one)]
                    {
                        branch = (start + i) % BRANCHES;
                    }
                    $(
                        #[allow(unreachable_code)]
                        if branch == $crate::__tokio_macros_count!( $($skip)* ) {
                            let mask: u64 = 1 << branch;

                            if disabled & mask == mask {
                                continue;
                            }

                            let ( $($skip,)* fut, .. ) = &mut *futures;

                            // SAFETY: the future stays where it is until the `select!` drops it.
                            let fut = unsafe { $crate::__private::tokio_macros::PinType::new_unchecked(fut) };

                            let out = match ::core::future::Future::poll(fut, cx) {
                                $crate::__private::tokio_macros::PollType::Ready(out) => out,
                                $crate::__private::tokio_macros::PollType::Pending => {
                                    is_pending = true;
                                    continue;
                                }
                            };

                            // Completed: never polled again, whatever the pattern says.
                            disabled |= mask;

                            #[allow(unused_variables, unused_mut, unreachable_patterns)]
                            match &out {
                                $crate::__private::tokio_macros::select_priv_clean_pattern!($bind) => {}
                                _ => continue,
                            }

                            let ( $($skip,)* slot, .. ) = &mut *slots;
                            *slot = ::core::option::Option::Some(out);
                            return $crate::__private::tokio_macros::PollType::Ready(
                                ::core::option::Option::Some(branch),
                            );
                        }
                    )*
                }

                if is_pending {
                    $crate::__private::tokio_macros::PollType::Pending
                } else {
                    // Every branch is disabled.
                    $crate::__private::tokio_macros::PollType::Ready(::core::option::Option::None)
                }
            }).await;
            drops.completed();
            index
        };

        match index {
            $(
                ::core::option::Option::Some(i) if i == $crate::__tokio_macros_count!( $($skip)* ) => {
                    let ( $($skip,)* slot, .. ) = &mut outputs;
                    #[allow(unreachable_patterns, unreachable_code)]
                    match slot.take().expect("the winning branch's output") {
                        $bind => $handle,
                        _ => unreachable!("failed to match bind"),
                    }
                }
            )*
            ::core::option::Option::None => $else,
            #[allow(unreachable_patterns)]
            _ => unreachable!("no such branch"),
        }
    }};

    // Normalizing the branches, one at a time (tokio's rules): a handler is a block (with or
    // without a comma) or an expression followed by a comma or the end; no precondition is
    // `if true`; no else is the panic.
    (@ { biased=$biased:tt; $($t:tt)* } ) => {
        $crate::__tokio_select!(@{ biased=$biased; $($t)*; ::core::panic!("all branches are disabled and there is no else branch") })
    };
    (@ { biased=$biased:tt; $($t:tt)* } else => $else:expr $(,)?) => {
        $crate::__tokio_select!(@{ biased=$biased; $($t)*; $else })
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr, if $c:expr => $h:block, $($r:tt)* ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if $c => $h, } $($r)*)
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr => $h:block, $($r:tt)* ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if true => $h, } $($r)*)
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr, if $c:expr => $h:block $($r:tt)* ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if $c => $h, } $($r)*)
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr => $h:block $($r:tt)* ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if true => $h, } $($r)*)
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr, if $c:expr => $h:expr ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if $c => $h, })
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr => $h:expr ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if true => $h, })
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr, if $c:expr => $h:expr, $($r:tt)* ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if $c => $h, } $($r)*)
    };
    (@ { biased=$biased:tt; ( $($s:tt)* ) $($t:tt)* } $p:pat = $f:expr => $h:expr, $($r:tt)* ) => {
        $crate::__tokio_select!(@{ biased=$biased; ($($s)* _) $($t)* ($($s)*) $p = $f, if true => $h, } $($r)*)
    };

    // The entry points.
    ($(biased;)? else => $else:expr $(,)? ) => {{
        $else
    }};
    (biased; $p:pat = $($t:tt)* ) => {
        $crate::__tokio_select!(@{ biased=true; () } $p = $($t)*)
    };
    ( $p:pat = $($t:tt)* ) => {
        $crate::__tokio_select!(@{ biased=false; () } $p = $($t)*)
    };
    () => {
        ::core::compile_error!("select! requires at least one branch.")
    };
}

/// Waits on multiple concurrent futures, returning when **all** of them complete: tokio's
/// [`join!`](https://docs.rs/tokio/1/tokio/macro.join.html), with its syntax and semantics.
///
/// It must be used inside async functions, closures and blocks. It takes a list of async
/// expressions (anything [`IntoFuture`](std::future::IntoFuture)), runs them concurrently on
/// the current task, and evaluates to the tuple of their outputs, in the order written. The
/// futures are pinned on the stack: they may be `!Unpin`. `join!()` is `()`.
///
/// Each poll polls every unfinished future once, starting one further along than the poll
/// before (tokio's rotation, deterministic: no choice is recorded inside a check); with
/// `biased;` first, every poll starts at the first future.
///
/// # Examples
///
/// ```
/// use leakcheck::tokio::join;
/// # leakcheck::block_on(async {
/// async fn double(x: u32) -> u32 {
///     x * 2
/// }
/// let (a, b, c) = join!(double(1), double(2), async { "three" });
/// assert_eq!((a, b, c), (2, 4, "three"));
///
/// let (x,) = join!(biased; async { 1 });
/// assert_eq!(x, 1);
/// # });
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_join {
    (@ {
        biased=$biased:tt;
        ( $($count:tt)* )
        ( $($total:tt)* )
        $( ( $($skip:tt)* ) $e:expr, )*
    }) => {{
        let mut futures = ( $( $crate::__private::tokio_macros::maybe_done($e), )* );

        // Shadowed: the futures never move again, so pinning them in place is sound.
        let futures = &mut futures;

        const COUNT: u32 = $($total)*;

        let mut rotator = $crate::__private::tokio_macros::Rotator::new(COUNT, $biased);

        $crate::__private::tokio_macros::poll_fn(move |cx| {
            let mut is_pending = false;
            let mut to_run = COUNT;

            // How many futures to skip before this poll starts.
            let mut skip = rotator.num_skip();

            loop {
                $(
                    if skip == 0 {
                        if to_run == 0 {
                            break;
                        }
                        to_run -= 1;

                        let ( $($skip,)* fut, .. ) = &mut *futures;

                        // SAFETY: the future stays where it is until the `join!` drops it.
                        let mut fut = unsafe { $crate::__private::tokio_macros::PinType::new_unchecked(fut) };

                        if ::core::future::Future::poll(fut.as_mut(), cx).is_pending() {
                            is_pending = true;
                        }
                    } else {
                        skip -= 1;
                    }
                )*
            }

            if is_pending {
                $crate::__private::tokio_macros::PollType::Pending
            } else {
                #[allow(unreachable_code)]
                {
                    $crate::__private::tokio_macros::PollType::Ready(($({
                        let ( $($skip,)* fut, .. ) = &mut *futures;

                        // SAFETY: as above.
                        let fut = unsafe { $crate::__private::tokio_macros::PinType::new_unchecked(fut) };

                        fut.take_output().expect("expected completed future")
                    },)*))
                }
            }
        }).await
    }};

    (@ { biased=$biased:tt; ( $($s:tt)* ) ( $($n:tt)* ) $($t:tt)* } $e:expr, $($r:tt)* ) => {
        $crate::__tokio_join!(@{ biased=$biased; ($($s)* _) ($($n)* + 1) $($t)* ($($s)*) $e, } $($r)*)
    };

    ( biased; $($e:expr),+ $(,)?) => {
        $crate::__tokio_join!(@{ biased=true; () (0) } $($e,)*)
    };

    ( $($e:expr),+ $(,)?) => {
        $crate::__tokio_join!(@{ biased=false; () (0) } $($e,)*)
    };

    (biased;) => { async {}.await };

    () => { async {}.await }
}

/// Waits on multiple concurrent fallible futures, returning when **all** of them complete
/// with `Ok` or **one** of them with `Err`: tokio's
/// [`try_join!`](https://docs.rs/tokio/1/tokio/macro.try_join.html), with its syntax and
/// semantics.
///
/// Each async expression must output a `Result<T, E>` with the same `E`. The macro evaluates
/// to `Ok((t1, t2, ...))` once every future is `Ok`, or to the first `Err` as soon as it
/// appears: the other futures are then dropped, unfinished. Polling order is `join!`'s
/// (tokio's rotation, or top to bottom with `biased;`). `try_join!()` is `Ok(())`.
///
/// # Examples
///
/// ```
/// use leakcheck::tokio::try_join;
/// # leakcheck::block_on(async {
/// async fn parse(s: &str) -> Result<u32, String> {
///     s.parse().map_err(|_| format!("not a number: {s}"))
/// }
/// assert_eq!(try_join!(parse("1"), parse("2")), Ok((1, 2)));
/// assert_eq!(
///     try_join!(parse("1"), parse("x")),
///     Err("not a number: x".to_string())
/// );
/// # });
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_try_join {
    (@ {
        biased=$biased:tt;
        ( $($count:tt)* )
        ( $($total:tt)* )
        $( ( $($skip:tt)* ) $e:expr, )*
    }) => {{
        let mut futures = ( $( $crate::__private::tokio_macros::maybe_done($e), )* );

        // Shadowed: the futures never move again, so pinning them in place is sound.
        let futures = &mut futures;

        const COUNT: u32 = $($total)*;

        let mut rotator = $crate::__private::tokio_macros::Rotator::new(COUNT, $biased);

        $crate::__private::tokio_macros::poll_fn(move |cx| {
            let mut is_pending = false;
            let mut to_run = COUNT;

            // How many futures to skip before this poll starts.
            let mut skip = rotator.num_skip();

            loop {
                $(
                    if skip == 0 {
                        if to_run == 0 {
                            break;
                        }
                        to_run -= 1;

                        let ( $($skip,)* fut, .. ) = &mut *futures;

                        // SAFETY: the future stays where it is until the `try_join!` drops it.
                        let mut fut = unsafe { $crate::__private::tokio_macros::PinType::new_unchecked(fut) };

                        if ::core::future::Future::poll(fut.as_mut(), cx).is_pending() {
                            is_pending = true;
                        } else if fut.as_mut().output_mut().expect("expected completed future").is_err() {
                            return $crate::__private::tokio_macros::PollType::Ready(
                                ::core::result::Result::Err(
                                    fut.take_output()
                                        .expect("expected completed future")
                                        .err()
                                        .unwrap(),
                                ),
                            );
                        }
                    } else {
                        skip -= 1;
                    }
                )*
            }

            if is_pending {
                $crate::__private::tokio_macros::PollType::Pending
            } else {
                #[allow(unreachable_code)]
                {
                    $crate::__private::tokio_macros::PollType::Ready(::core::result::Result::Ok(($({
                        let ( $($skip,)* fut, .. ) = &mut *futures;

                        // SAFETY: as above.
                        let fut = unsafe { $crate::__private::tokio_macros::PinType::new_unchecked(fut) };

                        fut.take_output()
                            .expect("expected completed future")
                            .ok()
                            .expect("expected Ok(_)")
                    },)*)))
                }
            }
        }).await
    }};

    (@ { biased=$biased:tt; ( $($s:tt)* ) ( $($n:tt)* ) $($t:tt)* } $e:expr, $($r:tt)* ) => {
        $crate::__tokio_try_join!(@{ biased=$biased; ($($s)* _) ($($n)* + 1) $($t)* ($($s)*) $e, } $($r)*)
    };

    ( biased; $($e:expr),+ $(,)?) => {
        $crate::__tokio_try_join!(@{ biased=true; () (0) } $($e,)*)
    };

    ( $($e:expr),+ $(,)?) => {
        $crate::__tokio_try_join!(@{ biased=false; () (0) } $($e,)*)
    };

    (biased;) => { async { ::core::result::Result::Ok(()) }.await };

    () => { async { ::core::result::Result::Ok(()) }.await }
}

/// The number of `_` tokens given: a `select!` branch's index, or the number of branches.
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_macros_count {
    ($($t:tt)*) => {
        0u32 $( + $crate::__tokio_macros_one!($t) )*
    };
}

/// 1, whatever the token.
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_macros_one {
    ($t:tt) => {
        1u32
    };
}

/// `None`, whatever the tokens: one empty output slot per `select!` branch.
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_macros_none {
    ($($t:tt)*) => {
        ::core::option::Option::None
    };
}
