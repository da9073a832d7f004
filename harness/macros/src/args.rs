//! The attribute's arguments: [`Args::parse`] reads `#[leakcheck::test(...)]`'s arguments into
//! [`Args`] and checks them (names, repeats, each value's type and range, and arguments that
//! exclude each other), with errors that name what is accepted.

use leakcheck_schema::FindingKind;
use proc_macro2::TokenStream as TokenStream2;
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Ident, Lit, LitInt, LitStr, Meta, Token};

/// Every argument name, in the order error messages list them.
const ARGUMENTS: &str =
    "schedules, scheduler, depth, preemption_bound, seed, max_steps, allow_lingering, spurious_wakeups, time, replay, expect, allow_detached_panics, stall_timeout, trace, live, runs, grace_ms, ignore_thread, flavor, worker_threads, workers";

/// The arguments that apply only to the deterministic checks, which a `live` test cannot take.
const DETERMINISTIC_ONLY: [&str; 16] = [
    "schedules",
    "scheduler",
    "depth",
    "preemption_bound",
    "seed",
    "max_steps",
    "allow_lingering",
    "spurious_wakeups",
    "replay",
    "allow_detached_panics",
    "stall_timeout",
    "time",
    "trace",
    "flavor",
    "worker_threads",
    "workers",
];

/// The finding kinds `expect` takes, as (name, `FindingKind` variant), in the order the
/// kinds are declared (which is how error messages list them): the library's own list,
/// `FindingKind::ALL`, from the schema crate both share.
fn finding_kinds() -> Vec<(&'static str, String)> {
    let mut kinds = FindingKind::ALL.to_vec();
    kinds.sort();
    kinds
        .into_iter()
        .map(|k| (k.name(), format!("{k:?}")))
        .collect()
}

/// The settings given in the attribute; `None` for what was not given.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) schedules: Option<usize>,
    pub(crate) scheduler: Option<(SchedulerKind, LitStr)>,
    /// With the argument's name, where errors about it point.
    pub(crate) depth: Option<(usize, Ident)>,
    /// With the argument's name, where errors about it point.
    pub(crate) preemption_bound: Option<(usize, Ident)>,
    pub(crate) seed: Option<u64>,
    pub(crate) max_steps: Option<usize>,
    pub(crate) allow_lingering: Option<bool>,
    pub(crate) spurious_wakeups: Option<bool>,
    pub(crate) allow_detached_panics: Option<bool>,
    /// `trace`: append the failing schedule's event log to the report.
    pub(crate) trace: Option<bool>,
    /// The stall timeout, in milliseconds.
    pub(crate) stall_timeout_ms: Option<u64>,
    /// The time model: `true` for `"virtual"`, `false` for `"adversarial"`.
    pub(crate) virtual_time: Option<bool>,
    pub(crate) replay: Option<LitStr>,
    /// The `FindingKind` variants `expect` lists, in order, spanned at their names.
    pub(crate) expect: Vec<Ident>,
    /// `live`: run the body on real threads (live mode), always.
    pub(crate) live: bool,
    /// Live mode: how many times to run the body.
    pub(crate) runs: Option<usize>,
    /// Live mode: the grace period, in milliseconds.
    pub(crate) grace_ms: Option<u64>,
    /// Live mode: thread-name prefixes that are never a leak.
    pub(crate) ignore_thread: Vec<LitStr>,
    /// `flavor = "multi_thread"`: the modelled runtime has several workers (`worker_threads`,
    /// with the argument's name for errors); `None` for `"current_thread"` or no `flavor`.
    pub(crate) flavor: Option<Ident>,
    pub(crate) multi_thread: bool,
    pub(crate) worker_threads: Option<(usize, Ident)>,
    /// `workers`: how many OS threads explore the schedules.
    pub(crate) workers: Option<usize>,
    /// The arguments as written, except `expect`, for the registry: name and value text.
    pub(crate) given: Vec<(String, String)>,
    /// The arguments seen so far, to reject repeats.
    seen: Vec<Ident>,
}

/// The scheduler named by `scheduler = "..."`.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum SchedulerKind {
    Random,
    Pct,
    Dfs,
    Exhaustive,
}

impl Args {
    /// Parses and checks the arguments; the error is the first mistake found.
    pub(crate) fn parse(tokens: TokenStream2) -> syn::Result<Args> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
        let mut args = Args::default();
        for meta in metas {
            args.add(&meta)?;
        }
        if let (Some((_, depth)), Some((kind, lit))) = (&args.depth, &args.scheduler)
            && *kind != SchedulerKind::Pct
        {
            return Err(syn::Error::new_spanned(
                depth,
                format!(
                    "`depth` applies only to the PCT scheduler, but the scheduler is {}; \
                         remove `depth` or use `scheduler = \"pct\"`",
                    lit.to_token_stream()
                ),
            ));
        }
        if let (Some((_, bound)), Some((kind, lit))) = (&args.preemption_bound, &args.scheduler)
            && *kind != SchedulerKind::Exhaustive
        {
            return Err(syn::Error::new_spanned(
                    bound,
                    format!(
                        "`preemption_bound` applies only to the exhaustive scheduler, but the scheduler is {}; \
                         remove `preemption_bound` or use `scheduler = \"exhaustive\"`",
                        lit.to_token_stream()
                    ),
                ));
        }
        if args.live
            && let Some(other) = args
                .seen
                .iter()
                .find(|seen| DETERMINISTIC_ONLY.contains(&seen.to_string().as_str()))
        {
            return Err(syn::Error::new_spanned(
                    other,
                    format!(
                        "`{other}` applies to the deterministic checks, but this test is `live` (its body \
                         runs once per run on real threads, with no scheduler); remove `{other}`, or \
                         remove `live` (then `LEAKCHECK_MODE=live` can still run it live)"
                    ),
                ));
        }
        if let Some((_, name)) = &args.worker_threads
            && !args.multi_thread
        {
            return Err(syn::Error::new_spanned(
                    name,
                    "`worker_threads` requires the `multi_thread` runtime flavor: add `flavor = \"multi_thread\"` (the default flavor, \"current_thread\", has one worker)",
                ));
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
            "allow_detached_panics" => {
                let on = flag(meta, &key)?;
                self.allow_detached_panics = Some(on);
                self.given.push((key, on.to_string()));
            }
            "trace" => {
                let on = flag(meta, &key)?;
                self.trace = Some(on);
                self.given.push((key, on.to_string()));
            }
            "live" => {
                let on = flag(meta, &key)?;
                self.live = on;
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
                    "stall_timeout" => self.stall_timeout_ms = Some(seconds(value, &key)?),
                    "scheduler" => self.scheduler = Some(scheduler(value)?),
                    "time" => self.virtual_time = Some(time(value)?),
                    "replay" => {
                        self.replay = Some(string(
                            value,
                            "`replay` takes a replay token from a report: `replay = \"...\"`",
                        )?);
                    }
                    "expect" => self.expect = expect(value)?,
                    "runs" => {
                        self.runs = Some(positive(
                            value,
                            &key,
                            "how many times a live test runs its body, at least 1",
                        )?);
                    }
                    "grace_ms" => {
                        let what = "how long, in milliseconds, a live test waits for the threads its body started to exit";
                        let lit = int(value, &key, "u64", what)?;
                        self.grace_ms = Some(lit.base10_parse::<u64>().map_err(|_| {
                            syn::Error::new_spanned(
                                lit,
                                format!("`{key}` is too large for a `u64`; it takes {what}"),
                            )
                        })?);
                    }
                    "ignore_thread" => self.ignore_thread = prefixes(value)?,
                    "flavor" => {
                        self.multi_thread = flavor(value)?;
                        self.flavor = Some(name);
                    }
                    "worker_threads" => {
                        self.worker_threads = Some((
                            positive(
                                value,
                                &key,
                                "how many workers the modelled multi-thread runtime has, at least 1",
                            )?,
                            name,
                        ));
                    }
                    "workers" => {
                        self.workers = Some(positive(
                            value,
                            &key,
                            "how many OS threads explore the schedules, at least 1",
                        )?);
                    }
                    _ => unreachable!("every argument name is handled"),
                }
            }
        }
        Ok(())
    }
}

/// `ignore_thread`'s thread-name prefixes: one string or a list of them.
fn prefixes(value: &Expr) -> syn::Result<Vec<LitStr>> {
    let usage = "`ignore_thread` takes a thread-name prefix or a list of them: \
                 `ignore_thread = \"tokio-runtime-w\"` or `ignore_thread = [\"rayon\", \"log\"]`";
    match value {
        Expr::Array(array) if array.attrs.is_empty() && !array.elems.is_empty() => {
            array.elems.iter().map(|e| string(e, usage)).collect()
        }
        other => Ok(vec![string(other, usage)?]),
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
        "stall_timeout" => "stall_timeout = 10",
        "runs" => "runs = 20",
        "grace_ms" => "grace_ms = 500",
        "ignore_thread" => "ignore_thread = \"tokio-runtime-w\"",
        "time" => "time = \"virtual\"",
        "flavor" => "flavor = \"multi_thread\"",
        "worker_threads" => "worker_threads = 2",
        "workers" => "workers = 2",
        _ => "expect = \"leaked_thread\"",
    }
}

/// A positive number of seconds, an integer or a decimal literal (`10`, `2.5`), in
/// milliseconds.
fn seconds(value: &Expr, key: &str) -> syn::Result<u64> {
    let accepted = format!(
        "`{key}` takes a positive number of seconds of wall-clock time: `{key} = 10` or `{key} = 2.5`"
    );
    let secs = match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit),
            attrs,
        }) if attrs.is_empty() => lit.base10_parse::<f64>().ok(),
        Expr::Lit(ExprLit {
            lit: Lit::Float(lit),
            attrs,
        }) if attrs.is_empty() => lit.base10_parse::<f64>().ok(),
        _ => None,
    };
    match secs {
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 && (s * 1000.0).round() >= 1.0 => {
            Ok((s * 1000.0).round() as u64)
        }
        _ => Err(syn::Error::new_spanned(value, accepted)),
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

/// `time = "adversarial" | "virtual"`: whether the time model is the virtual one.
fn time(value: &Expr) -> syn::Result<bool> {
    let accepted = "expected \"adversarial\" (the default: a timed wait may end early) or \
                    \"virtual\" (time passes only when no thread can run)";
    let lit = string(value, &format!("`time` takes a time model: {accepted}"))?;
    match lit.value().as_str() {
        "adversarial" => Ok(false),
        "virtual" => Ok(true),
        other => Err(syn::Error::new_spanned(
            &lit,
            format!("unknown time model `{other}`; {accepted}"),
        )),
    }
}

/// `flavor = "..."`: whether the runtime is `"multi_thread"` (rather than `"current_thread"`).
fn flavor(value: &Expr) -> syn::Result<bool> {
    let accepted = "expected \"current_thread\" (the default, as #[tokio::test]: one worker) or \
                    \"multi_thread\" (with `worker_threads = N`, 2 unless given)";
    let lit = string(
        value,
        &format!("`flavor` takes a tokio runtime flavor: {accepted}"),
    )?;
    match lit.value().as_str() {
        "current_thread" => Ok(false),
        "multi_thread" => Ok(true),
        other => Err(syn::Error::new_spanned(
            &lit,
            format!("unknown runtime flavor `{other}`; {accepted}"),
        )),
    }
}

/// `expect = "kind"` or `expect = ["kind", ...]`: the `FindingKind` variants, in order.
fn expect(value: &Expr) -> syn::Result<Vec<Ident>> {
    let names = || {
        finding_kinds()
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
        let kinds_known = finding_kinds();
        let Some((_, variant)) = kinds_known.iter().find(|(kind, _)| *kind == name) else {
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
