//! The `#[leakcheck::test]` attribute. Use it through `leakcheck::test`, not from this crate:
//! the expansion names items of the `leakcheck` crate (`::leakcheck::Config`,
//! `::leakcheck::__private::run_test`), so `leakcheck` must be a dependency of the crate that
//! uses the attribute.
//!
//! ```ignore
//! #[leakcheck::test(schedules = 300, scheduler = "random", expect = "leaked_thread")]
//! fn detached_worker_leaks() {
//!     // ...
//! }
//! ```
//!
//! expands to (roughly)
//!
//! ```ignore
//! #[test]
//! fn detached_worker_leaks() {
//!     fn __leakcheck_body() {
//!         // ...
//!     }
//!     ::leakcheck::__private::run_test(
//!         ::leakcheck::Config::new()
//!             .schedules(300)
//!             .scheduler(::leakcheck::Scheduler::Random)
//!             .test_name("detached_worker_leaks")
//!             .package(env!("CARGO_PKG_NAME")),
//!         &[::leakcheck::FindingKind::LeakedThread],
//!         __leakcheck_body,
//!     );
//! }
//!
//! // Registers the test, so that `cargo leakcheck --list` can list it without running it.
//! #[cfg(test)]
//! const _: () = {
//!     ::leakcheck::__private::inventory::submit! {
//!         ::leakcheck::__private::TestEntry {
//!             module_path: module_path!(), function: "detached_worker_leaks",
//!             file: file!(), line: line!(), package: env!("CARGO_PKG_NAME"),
//!             given: &[("schedules", "300"), ("scheduler", "random")],
//!             expect: &[::leakcheck::FindingKind::LeakedThread],
//!             config: || ::leakcheck::Config::new().schedules(300) /* ... */,
//!             // ...
//!         }
//!     }
//! };
//! ```

#![deny(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::{Literal, Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, Ident, Item, ItemFn, Lit, LitInt, LitStr, Meta, ReturnType, Token,
};

/// Marks a function as a test that runs under leakcheck: libtest runs it like a `#[test]`, and
/// its body is explored under leakcheck's deterministic scheduler.
///
/// The function takes no parameters, is not `async` and not generic, and returns `()` or
/// `Result<(), E>` with `E: Debug` (an `Err` fails the test). Other attributes on it
/// (`#[should_panic]`, `#[ignore]`, doc comments, lint levels) are kept. Do not add `#[test]`
/// as well: the attribute adds it.
///
/// # Arguments
///
/// Comma separated, in any order, each at most once:
///
/// | argument | value |
/// |---|---|
/// | `schedules = N` | schedules to explore, at least 1 |
/// | `scheduler = "random" \| "pct" \| "dfs" \| "exhaustive"` | the scheduler (default `"pct"`, depth 3) |
/// | `depth = N` | PCT's depth, at least 1; only with the PCT scheduler |
/// | `preemption_bound = N` | the exhaustive search's bound (default 2); only with the exhaustive scheduler |
/// | `seed = N` | the seed, a `u64` (decimal or hex: `0x5eed`) |
/// | `max_steps = N` | scheduling steps one execution may take, at least 1 |
/// | `allow_lingering` | accept threads that finish after the body returned (also `= true/false`) |
/// | `spurious_wakeups` | let `Condvar::wait` and `park` wake spuriously (also `= true/false`) |
/// | `replay = "token"` | run only the schedule a report's replay token recorded |
/// | `expect = "kind"` or `expect = ["kind", ...]` | the test must find every listed kind |
///
/// The kinds are `leaked_thread`, `unclosed_channel`, `missed_signal`, `deadlock`, `panic`,
/// `step_limit`, `unresponsive_cancellation` and `lock_order_inversion`. Without `expect`, the
/// test fails at the first schedule with a finding; with it, the test fails if no schedule has
/// a finding, or if the first failing one lacks an expected kind.
///
/// Anything else (an unknown argument, a repeated one, a value of the wrong type or out of
/// range) is a compile error that names what is accepted.
///
/// ```ignore
/// #[leakcheck::test]
/// fn workers_are_joined() {
///     let t = leakcheck::thread::spawn(|| ());
///     t.join().unwrap();
/// }
///
/// #[leakcheck::test(schedules = 500, scheduler = "random", seed = 0x5eed, expect = "leaked_thread")]
/// fn detached_worker_leaks() {
///     // ...
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, input: TokenStream) -> TokenStream {
    match expand(args.into(), input.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// Every argument name, in the order error messages list them.
const ARGUMENTS: &str =
    "schedules, scheduler, depth, preemption_bound, seed, max_steps, allow_lingering, spurious_wakeups, replay, expect";

/// The `expect` kinds: the `snake_case` name and the `FindingKind` variant.
const KINDS: [(&str, &str); 8] = [
    ("leaked_thread", "LeakedThread"),
    ("unclosed_channel", "UnclosedChannel"),
    ("missed_signal", "MissedSignal"),
    ("deadlock", "Deadlock"),
    ("panic", "Panic"),
    ("step_limit", "StepLimit"),
    ("unresponsive_cancellation", "UnresponsiveCancellation"),
    ("lock_order_inversion", "LockOrderInversion"),
];

fn expand(args: TokenStream2, input: TokenStream2) -> syn::Result<TokenStream2> {
    // Both are checked, so that every mistake is reported at once.
    match (Args::parse(args), parse_function(input)) {
        (Ok(args), Ok(function)) => Ok(generate(&args, function)),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            Err(error)
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    }
}

/// The settings given in the attribute; `None` for what was not given.
#[derive(Default)]
struct Args {
    schedules: Option<usize>,
    scheduler: Option<(SchedulerKind, LitStr)>,
    depth: Option<(usize, Ident)>,
    preemption_bound: Option<(usize, Ident)>,
    seed: Option<u64>,
    max_steps: Option<usize>,
    allow_lingering: Option<bool>,
    spurious_wakeups: Option<bool>,
    replay: Option<LitStr>,
    expect: Vec<Ident>,
    /// The arguments as written, except `expect`, for the registry: name and value text.
    given: Vec<(String, String)>,
    /// The arguments seen so far, to reject repeats.
    seen: Vec<Ident>,
}

#[derive(Clone, Copy, PartialEq)]
enum SchedulerKind {
    Random,
    Pct,
    Dfs,
    Exhaustive,
}

impl Args {
    fn parse(tokens: TokenStream2) -> syn::Result<Args> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
        let mut args = Args::default();
        for meta in metas {
            args.add(&meta)?;
        }
        if let (Some((_, depth)), Some((kind, lit))) = (&args.depth, &args.scheduler) {
            if *kind != SchedulerKind::Pct {
                return Err(syn::Error::new_spanned(
                    depth,
                    format!(
                        "`depth` applies only to the PCT scheduler, but the scheduler is {}; \
                         remove `depth` or use `scheduler = \"pct\"`",
                        lit.to_token_stream()
                    ),
                ));
            }
        }
        if let (Some((_, bound)), Some((kind, lit))) = (&args.preemption_bound, &args.scheduler) {
            if *kind != SchedulerKind::Exhaustive {
                return Err(syn::Error::new_spanned(
                    bound,
                    format!(
                        "`preemption_bound` applies only to the exhaustive scheduler, but the scheduler is {}; \
                         remove `preemption_bound` or use `scheduler = \"exhaustive\"`",
                        lit.to_token_stream()
                    ),
                ));
            }
        }
        if let (Some((_, depth)), Some((_, bound))) = (&args.depth, &args.preemption_bound) {
            return Err(syn::Error::new_spanned(
                depth,
                format!(
                    "`depth` (PCT) and `{bound}` (exhaustive) belong to different schedulers; keep one"
                ),
            ));
        }
        Ok(args)
    }

    fn add(&mut self, meta: &Meta) -> syn::Result<()> {
        let path = meta.path();
        let name = match path.get_ident() {
            Some(name) => name.clone(),
            None => {
                return Err(syn::Error::new_spanned(
                    path,
                    format!(
                        "unknown argument `{}`; expected one of: {ARGUMENTS}",
                        path.to_token_stream().to_string().replace(' ', "")
                    ),
                ))
            }
        };
        let key = name.to_string();
        if !ARGUMENTS.split(", ").any(|a| a == key) {
            return Err(syn::Error::new_spanned(
                &name,
                format!("unknown argument `{key}`; expected one of: {ARGUMENTS}"),
            ));
        }
        if let Some(first) = self.seen.iter().find(|seen| **seen == name) {
            let mut error =
                syn::Error::new_spanned(&name, format!("`{key}` is given more than once"));
            error.combine(syn::Error::new_spanned(
                first,
                format!("`{key}` is first given here"),
            ));
            return Err(error);
        }
        self.seen.push(name.clone());

        match key.as_str() {
            "allow_lingering" => {
                let on = flag(meta, &key)?;
                self.allow_lingering = Some(on);
                self.given.push((key, on.to_string()));
            }
            "spurious_wakeups" => {
                let on = flag(meta, &key)?;
                self.spurious_wakeups = Some(on);
                self.given.push((key, on.to_string()));
            }
            _ => {
                let value = value(meta, &key)?;
                if key != "expect" {
                    self.given.push((key.clone(), given_text(value)));
                }
                match key.as_str() {
                    "schedules" => {
                        self.schedules = Some(positive(
                            value,
                            &key,
                            "the number of schedules to explore, at least 1",
                        )?);
                    }
                    "max_steps" => {
                        self.max_steps = Some(positive(
                            value,
                            &key,
                            "the scheduling steps one execution may take, at least 1",
                        )?);
                    }
                    "depth" => {
                        self.depth =
                            Some((positive(value, &key, "PCT's bug depth, at least 1")?, name));
                    }
                    "preemption_bound" => {
                        let what = "the most preemptions per execution of the exhaustive search, 0 or more";
                        let lit = int(value, &key, "usize", what)?;
                        let bound = lit.base10_parse::<usize>().map_err(|_| {
                            syn::Error::new_spanned(
                                lit,
                                format!("`{key}` is too large for a `usize`; it takes {what}"),
                            )
                        })?;
                        self.preemption_bound = Some((bound, name));
                    }
                    "seed" => self.seed = Some(seed(value)?),
                    "scheduler" => self.scheduler = Some(scheduler(value)?),
                    "replay" => {
                        self.replay = Some(string(
                            value,
                            "`replay` takes a replay token from a report: `replay = \"...\"`",
                        )?);
                    }
                    "expect" => self.expect = expect(value)?,
                    _ => unreachable!("every argument name is handled"),
                }
            }
        }
        Ok(())
    }
}

/// A value as the registry shows it: a string's content, anything else as written.
fn given_text(value: &Expr) -> String {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => lit.value(),
        other => other.to_token_stream().to_string(),
    }
}

/// The value of `name = value`, or an error for `name` and `name(...)`.
fn value<'a>(meta: &'a Meta, key: &str) -> syn::Result<&'a Expr> {
    match meta {
        Meta::NameValue(nv) => Ok(&nv.value),
        Meta::Path(path) => Err(syn::Error::new_spanned(
            path,
            format!("`{key}` needs a value: `{}`", example(key)),
        )),
        Meta::List(list) => Err(syn::Error::new_spanned(
            list,
            format!("`{key}` takes its value after `=`: `{}`", example(key)),
        )),
    }
}

fn example(key: &str) -> &'static str {
    match key {
        "schedules" => "schedules = 1000",
        "max_steps" => "max_steps = 100000",
        "depth" => "depth = 3",
        "preemption_bound" => "preemption_bound = 2",
        "seed" => "seed = 0x5eed",
        "scheduler" => "scheduler = \"random\"",
        "replay" => "replay = \"<token>\"",
        _ => "expect = \"leaked_thread\"",
    }
}

/// A flag: bare (`true`), or `= true` / `= false`.
fn flag(meta: &Meta, key: &str) -> syn::Result<bool> {
    let accepted = format!("`{key}` is a flag: write `{key}`, `{key} = true` or `{key} = false`");
    match meta {
        Meta::Path(_) => Ok(true),
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Bool(b),
                attrs,
            }) if attrs.is_empty() => Ok(b.value),
            other => Err(syn::Error::new_spanned(
                other,
                format!("expected `true` or `false`; {accepted}"),
            )),
        },
        Meta::List(list) => Err(syn::Error::new_spanned(list, accepted)),
    }
}

/// An integer literal, unsuffixed or with the given suffix.
fn int<'a>(value: &'a Expr, key: &str, suffix: &str, what: &str) -> syn::Result<&'a LitInt> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit),
            attrs,
        }) if attrs.is_empty() => {
            if lit.suffix().is_empty() || lit.suffix() == suffix {
                Ok(lit)
            } else {
                Err(syn::Error::new_spanned(
                    lit,
                    format!(
                        "`{key}` is a `{suffix}`; write the number without the `{}` suffix",
                        lit.suffix()
                    ),
                ))
            }
        }
        other => Err(syn::Error::new_spanned(
            other,
            format!(
                "`{key}` takes an integer literal: {what} (e.g. `{}`)",
                example(key)
            ),
        )),
    }
}

/// A `usize` of at least 1; `what` says what it counts.
fn positive(value: &Expr, key: &str, what: &str) -> syn::Result<usize> {
    let lit = int(value, key, "usize", what)?;
    match lit.base10_parse::<usize>() {
        Ok(0) => Err(syn::Error::new_spanned(
            lit,
            format!("`{key}` is 0; it takes {what}"),
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(syn::Error::new_spanned(
            lit,
            format!("`{key}` is too large for a `usize`; it takes {what}"),
        )),
    }
}

fn seed(value: &Expr) -> syn::Result<u64> {
    let what = "an unsigned 64-bit number, decimal (24301) or hexadecimal (0x5eed)";
    let lit = int(value, "seed", "u64", what)?;
    lit.base10_parse::<u64>().map_err(|_| {
        syn::Error::new_spanned(
            lit,
            format!("`seed` does not fit in a `u64`; it takes {what}"),
        )
    })
}

fn string(value: &Expr, accepted: &str) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit),
            attrs,
        }) if attrs.is_empty() => Ok(lit.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected a string literal; {accepted}"),
        )),
    }
}

fn scheduler(value: &Expr) -> syn::Result<(SchedulerKind, LitStr)> {
    let accepted =
        "expected one of: \"random\", \"pct\", \"dfs\", \"exhaustive\" (set PCT's depth with \
                    `depth = N`, the exhaustive search's bound with `preemption_bound = N`)";
    let lit = string(value, &format!("`scheduler` takes a name: {accepted}"))?;
    let kind = match lit.value().as_str() {
        "random" => SchedulerKind::Random,
        "pct" => SchedulerKind::Pct,
        "dfs" => SchedulerKind::Dfs,
        "exhaustive" => SchedulerKind::Exhaustive,
        other => {
            return Err(syn::Error::new_spanned(
                &lit,
                format!("unknown scheduler `{other}`; {accepted}"),
            ))
        }
    };
    Ok((kind, lit))
}

/// `expect = "kind"` or `expect = ["kind", ...]`: the `FindingKind` variants, in order.
fn expect(value: &Expr) -> syn::Result<Vec<Ident>> {
    let names = || {
        KINDS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let usage = "`expect` takes a finding kind or a list of them: `expect = \"leaked_thread\"` or \
                 `expect = [\"leaked_thread\", \"deadlock\"]`";
    let items: Vec<&Expr> = match value {
        Expr::Array(array) if array.attrs.is_empty() => {
            if array.elems.is_empty() {
                return Err(syn::Error::new_spanned(
                    array,
                    format!(
                        "`expect` lists no finding kind; list at least one of: {}",
                        names()
                    ),
                ));
            }
            array.elems.iter().collect()
        }
        single => vec![single],
    };
    let mut kinds: Vec<(String, Ident)> = Vec::new();
    for item in items {
        let lit = string(item, usage)?;
        let name = lit.value();
        let Some((_, variant)) = KINDS.iter().find(|(kind, _)| *kind == name) else {
            return Err(syn::Error::new_spanned(
                &lit,
                format!(
                    "unknown finding kind `{name}`; expected one of: {}",
                    names()
                ),
            ));
        };
        if kinds.iter().any(|(seen, _)| *seen == name) {
            return Err(syn::Error::new_spanned(
                &lit,
                format!("`{name}` is listed more than once in `expect`"),
            ));
        }
        kinds.push((name, Ident::new(variant, lit.span())));
    }
    Ok(kinds.into_iter().map(|(_, variant)| variant).collect())
}

/// The annotated item, if it is a function the attribute supports.
fn parse_function(input: TokenStream2) -> syn::Result<ItemFn> {
    let item: Item = syn::parse2(input)?;
    let function = match item {
        Item::Fn(function) => function,
        other => {
            let what = match &other {
                Item::Struct(s) => {
                    let (t, i) = (&s.struct_token, &s.ident);
                    quote!(#t #i)
                }
                Item::Enum(e) => {
                    let (t, i) = (&e.enum_token, &e.ident);
                    quote!(#t #i)
                }
                Item::Union(u) => {
                    let (t, i) = (&u.union_token, &u.ident);
                    quote!(#t #i)
                }
                Item::Mod(m) => {
                    let (t, i) = (&m.mod_token, &m.ident);
                    quote!(#t #i)
                }
                Item::Impl(i) => i.impl_token.to_token_stream(),
                Item::Trait(t) => {
                    let (k, i) = (&t.trait_token, &t.ident);
                    quote!(#k #i)
                }
                Item::Const(c) => {
                    let (k, i) = (&c.const_token, &c.ident);
                    quote!(#k #i)
                }
                Item::Static(s) => {
                    let (k, i) = (&s.static_token, &s.ident);
                    quote!(#k #i)
                }
                _ => other.to_token_stream(),
            };
            return Err(syn::Error::new_spanned(
                what,
                "`#[leakcheck::test]` applies only to functions: `fn name() { ... }`",
            ));
        }
    };
    let sig = &function.sig;
    if let Some(asyncness) = &sig.asyncness {
        return Err(syn::Error::new_spanned(
            asyncness,
            "`#[leakcheck::test]` does not support `async fn`; leakcheck checks threads, so write \
             the test as a plain `fn` that spawns threads with `leakcheck::thread`",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        return Err(syn::Error::new_spanned(
            unsafety,
            "`#[leakcheck::test]` does not support `unsafe fn`; use an `unsafe` block in the body",
        ));
    }
    if let Some(abi) = &sig.abi {
        return Err(syn::Error::new_spanned(
            abi,
            "`#[leakcheck::test]` does not support `extern` functions; remove the ABI",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let span = if sig.generics.params.is_empty() {
            sig.generics.where_clause.to_token_stream()
        } else {
            sig.generics.to_token_stream()
        };
        return Err(syn::Error::new_spanned(
            span,
            "`#[leakcheck::test]` functions cannot be generic: remove the generic parameters and \
             the `where` clause",
        ));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            "`#[leakcheck::test]` functions take no parameters: write `fn name()`",
        ));
    }
    if let Some(attr) = function.attrs.iter().find(|a| is_test_attribute(a)) {
        return Err(syn::Error::new_spanned(
            attr,
            "`#[leakcheck::test]` already makes the function a test; remove this attribute",
        ));
    }
    Ok(function)
}

/// `#[test]`, `#[leakcheck::test]`, `#[tokio::test]` and the like.
fn is_test_attribute(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

fn generate(args: &Args, function: ItemFn) -> TokenStream2 {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let name = &sig.ident;
    let output = &sig.output;
    let body_fn = Ident::new("__leakcheck_body", Span::call_site());

    let mut config = quote!(::leakcheck::Config::new());
    if let Some(n) = args.schedules {
        let n = Literal::usize_unsuffixed(n);
        config.extend(quote!(.schedules(#n)));
    }
    let scheduler = match (args.scheduler.as_ref().map(|(kind, _)| *kind), &args.depth) {
        (Some(SchedulerKind::Random), _) => Some(quote!(::leakcheck::Scheduler::Random)),
        (Some(SchedulerKind::Dfs), _) => Some(quote!(::leakcheck::Scheduler::Dfs)),
        (Some(SchedulerKind::Exhaustive), _) => Some(exhaustive(args.preemption_bound.as_ref())),
        (None, None) if args.preemption_bound.is_some() => {
            Some(exhaustive(args.preemption_bound.as_ref()))
        }
        (Some(SchedulerKind::Pct) | None, Some((depth, _))) => {
            let depth = Literal::usize_unsuffixed(*depth);
            Some(quote!(::leakcheck::Scheduler::Pct { depth: #depth }))
        }
        (Some(SchedulerKind::Pct), None) => Some(quote!(::leakcheck::Scheduler::Pct {
            depth: ::leakcheck::DEFAULT_PCT_DEPTH
        })),
        (None, None) => None,
    };
    if let Some(scheduler) = scheduler {
        config.extend(quote!(.scheduler(#scheduler)));
    }
    if let Some(seed) = args.seed {
        let seed = Literal::u64_unsuffixed(seed);
        config.extend(quote!(.seed(#seed)));
    }
    if let Some(n) = args.max_steps {
        let n = Literal::usize_unsuffixed(n);
        config.extend(quote!(.max_steps(#n)));
    }
    if let Some(allow) = args.allow_lingering {
        config.extend(quote!(.allow_lingering(#allow)));
    }
    if let Some(on) = args.spurious_wakeups {
        config.extend(quote!(.spurious_wakeups(#on)));
    }
    if let Some(token) = &args.replay {
        config.extend(quote!(.replay(#token)));
    }
    // libtest names a test by its module path without the crate name: `name` at the crate
    // root, `module::name` below it. `module_path!()` starts with the crate name, and the
    // `::` added here makes sure there is a first `::` to split at.
    let fn_name = LitStr::new(&name.to_string(), name.span());
    config.extend(quote! {
        .test_name({
            const PATH: &str = ::core::concat!(::core::module_path!(), "::", #fn_name);
            match PATH.split_once("::") {
                ::core::option::Option::Some((_, name)) => name,
                ::core::option::Option::None => PATH,
            }
        })
        .package(::core::env!("CARGO_PKG_NAME"))
    });

    // Spanned so that a return type that is neither `()` nor `Result<(), E: Debug>` is
    // reported at the return type.
    let span = match output {
        ReturnType::Default => name.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let run_test = quote_spanned!(span=> ::leakcheck::__private::run_test);
    let body_ref = Ident::new("__leakcheck_body", span);
    let kinds = &args.expect;
    let registration = registration(args, &attrs, name, &fn_name, &config);
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            fn #body_fn() #output #block
            #run_test(
                #config,
                &[#(::leakcheck::FindingKind::#kinds),*],
                #body_ref,
            );
        }

        #registration
    }
}

/// The test's entry in the registry (`::leakcheck::__private::TestEntry`), submitted to
/// `inventory` under the same `cfg`s as the test itself, so that only the test binary that holds
/// the test lists it.
fn registration(
    args: &Args,
    attrs: &[Attribute],
    name: &Ident,
    fn_name: &LitStr,
    config: &TokenStream2,
) -> TokenStream2 {
    let cfgs = attrs.iter().filter(|a| a.path().is_ident("cfg"));
    let has = |attr: &str| attrs.iter().any(|a| a.path().is_ident(attr));
    let (ignored, should_panic) = (has("ignore"), has("should_panic"));
    let given = args.given.iter().map(|(k, v)| quote!((#k, #v)));
    let kinds = &args.expect;
    // `line!()` spanned at the name: the line of the test as the user sees it.
    let line = quote_spanned!(name.span()=> ::core::line!());
    quote! {
        #(#cfgs)*
        #[cfg(test)]
        const _: () = {
            ::leakcheck::__private::inventory::submit! {
                ::leakcheck::__private::TestEntry {
                    marker: ::core::concat!(
                        "\u{1}leakcheck-test\u{2}",
                        ::core::module_path!(),
                        "::",
                        #fn_name,
                        "\u{3}"
                    ),
                    module_path: ::core::module_path!(),
                    function: #fn_name,
                    file: ::core::file!(),
                    line: #line,
                    package: ::core::env!("CARGO_PKG_NAME"),
                    given: &[#(#given),*],
                    expect: &[#(::leakcheck::FindingKind::#kinds),*],
                    ignored: #ignored,
                    should_panic: #should_panic,
                    config: || #config,
                }
            }
        };
    }
}

/// `Scheduler::Exhaustive` with the given bound, or the default one.
fn exhaustive(bound: Option<&(usize, Ident)>) -> TokenStream2 {
    let bound = bound.map_or_else(
        || quote!(::leakcheck::DEFAULT_PREEMPTION_BOUND),
        |(b, _)| {
            let b = Literal::usize_unsuffixed(*b);
            quote!(#b)
        },
    );
    quote!(::leakcheck::Scheduler::Exhaustive { preemption_bound: #bound })
}
