//! The `#[leakcheck::test]` attribute. Use it through `leakcheck::test`.

use proc_macro::TokenStream;

/// See `leakcheck::test`.
#[proc_macro_attribute]
pub fn test(_args: TokenStream, input: TokenStream) -> TokenStream {
    input
}
