//! The registry of `#[leakcheck::test]`s, from which `cargo leakcheck --list` lists a test
//! binary's tests without running them: each test submits a `::leakcheck::__private::TestEntry`
//! to `inventory` (re-exported as `::leakcheck::__private::inventory`).

use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned};
use syn::{Attribute, Ident, LitStr};

use crate::args::Args;

/// The test's entry in the registry (`::leakcheck::__private::TestEntry`), submitted to
/// `inventory` under the same `cfg`s as the test itself, so that only the test binary that holds
/// the test lists it.
pub(crate) fn entry(
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
