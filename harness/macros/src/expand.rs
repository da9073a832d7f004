//! The expansion: checks that the annotated item is a function the attribute supports, and
//! generates the `#[test]` that runs its body under leakcheck with the configuration the
//! arguments give, followed by the test's registration (see [`registration`]).

use proc_macro2::{Literal, Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Item, ItemFn, LitStr, ReturnType};

use crate::args::{Args, SchedulerKind};
use crate::registration;

/// Expands `#[leakcheck::test(args)] input`: the test and its registration.
pub(crate) fn test(args: TokenStream2, input: TokenStream2) -> syn::Result<TokenStream2> {
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
    if let Some(on) = args.trace {
        config.extend(quote!(.trace(#on)));
    }
    if let Some(allow) = args.allow_detached_panics {
        config.extend(quote!(.allow_detached_panics(#allow)));
    }
    if let Some(ms) = args.stall_timeout_ms {
        let ms = Literal::u64_unsuffixed(ms);
        config.extend(quote!(.stall_timeout(::std::time::Duration::from_millis(#ms))));
    }
    if let Some(virtual_time) = args.virtual_time {
        config.extend(if virtual_time {
            quote!(.time(::leakcheck::Time::Virtual))
        } else {
            quote!(.time(::leakcheck::Time::Adversarial))
        });
    }
    if let Some(token) = &args.replay {
        config.extend(quote!(.replay(#token)));
    }
    if args.multi_thread {
        let workers = Literal::usize_unsuffixed(args.worker_threads.as_ref().map_or(2, |w| w.0));
        config
            .extend(quote!(.flavor(::leakcheck::Flavor::MultiThread { worker_threads: #workers })));
    } else if args.flavor.is_some() {
        config.extend(quote!(.flavor(::leakcheck::Flavor::CurrentThread)));
    }
    if let Some(n) = args.workers {
        let n = Literal::usize_unsuffixed(n);
        config.extend(quote!(.workers(#n)));
    }
    // libtest names a test by its module path without the crate name: `name` at the crate
    // root, `module::name` below it. `module_path!()` starts with the crate name, and the
    // `::` added here makes sure there is a first `::` to split at.
    let fn_name = LitStr::new(&name.to_string(), name.span());
    let test_name = quote! {{
        const PATH: &str = ::core::concat!(::core::module_path!(), "::", #fn_name);
        match PATH.split_once("::") {
            ::core::option::Option::Some((_, name)) => name,
            ::core::option::Option::None => PATH,
        }
    }};
    config.extend(quote! {
        .test_name(#test_name)
        .package(::core::env!("CARGO_PKG_NAME"))
    });
    // An `#[ignore]`d test runs only when libtest is told to include it: so must its replay.
    let ignored = attrs.iter().any(|a| a.path().is_ident("ignore"));
    if ignored {
        config.extend(quote!(.ignored(true)));
    }

    // Spanned so that a return type that is neither `()` nor `Result<(), E: Debug>` is
    // reported at the return type.
    let span = match output {
        ReturnType::Default => name.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let run_test = quote_spanned!(span=> ::leakcheck::__private::run_test);
    let body_ref = Ident::new("__leakcheck_body", span);
    let kinds = &args.expect;
    let mut live = quote!(::leakcheck::live::Config::new()
        .__test(#test_name, ::core::env!("CARGO_PKG_NAME")));
    if let Some(n) = args.runs {
        let n = Literal::usize_unsuffixed(n);
        live.extend(quote!(.runs(#n)));
    }
    if let Some(ms) = args.grace_ms {
        let ms = Literal::u64_unsuffixed(ms);
        live.extend(quote!(.grace(::core::time::Duration::from_millis(#ms))));
    }
    for prefix in &args.ignore_thread {
        live.extend(quote!(.ignore_thread(#prefix)));
    }
    if ignored {
        live.extend(quote!(.__ignored()));
    }
    let live_flag = args.live;
    let registration = registration::entry(args, &attrs, name, &fn_name, &config);
    // An `async fn` runs on the modelled runtime: its body is the root future of `block_on`
    // (live, a real current-thread tokio runtime's).
    let (body, run_test) = if sig.asyncness.is_some() {
        (
            quote!(async fn #body_fn() #output #block),
            quote_spanned!(span=> ::leakcheck::__private::run_async_test),
        )
    } else {
        (quote!(fn #body_fn() #output #block), run_test)
    };
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #body
            #run_test(
                #config,
                #live,
                #live_flag,
                &[#(::leakcheck::FindingKind::#kinds),*],
                #body_ref,
            );
        }

        #registration
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
