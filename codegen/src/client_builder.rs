//! Fix-up `client_builder`: the `reqwest::Client` that a generated `Client::new` builds follows no
//! redirect.
//!
//! progenitor's `Client::new` starts from `reqwest::ClientBuilder::new()`, whose default policy follows up
//! to ten redirects and hands API keys, AWS session tokens and request bodies to whatever origin a 3xx
//! names. The step rewrites each of those calls into `::cdp_transport::client_builder()`, the builder
//! every client of `cdp` starts from. It fails loudly when it stops applying: generation is an error unless
//! it rewrote exactly [`EXPECTED`] calls.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;

use crate::Error;

/// The step's name, as messages give it.
pub const STEP: &str = "client_builder";

/// Calls of `reqwest::ClientBuilder::new()` in progenitor 0.15's `Client::new`: one per target family
/// (`wasm32` and the rest).
pub const EXPECTED: usize = 2;

/// Rewrites progenitor's `tokens` as the module docs say; `file` names the spec in errors.
///
/// ```
/// let tokens = quote::quote! {
///     fn new() -> reqwest::ClientBuilder { reqwest::ClientBuilder::new() }
///     fn wasm() -> reqwest::ClientBuilder { reqwest::ClientBuilder::new() }
/// };
/// let code = cdp_codegen::client_builder::rewrite(tokens, "specs/t.yaml").unwrap().to_string();
/// assert!(code.contains(":: cdp_transport :: client_builder ()"));
/// assert!(!code.contains("ClientBuilder :: new"));
/// ```
pub fn rewrite(tokens: TokenStream, file: &str) -> Result<TokenStream, Error> {
    let mut rewritten = 0;
    let tokens = rewrite_stream(tokens, &mut rewritten);
    if rewritten != EXPECTED {
        return Err(Error::new(
            file,
            None,
            format!(
                "codegen step `{STEP}`: expected {EXPECTED} `reqwest::ClientBuilder::new()` call(s) in \
                 progenitor's `Client::new`, rewrote {rewritten}; progenitor's output has changed, update \
                 codegen/src/client_builder.rs"
            ),
        ));
    }
    Ok(tokens)
}

fn rewrite_stream(stream: TokenStream, rewritten: &mut usize) -> TokenStream {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        if is_builder_call(&tokens[at..]) {
            out.extend(quote! { ::cdp_transport::client_builder() });
            *rewritten += 1;
            at += CALL_LEN;
            continue;
        }
        match token {
            TokenTree::Group(group) => {
                let mut inner =
                    Group::new(group.delimiter(), rewrite_stream(group.stream(), rewritten));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
        at += 1;
    }
    out.into_iter().collect()
}

/// `reqwest :: ClientBuilder :: new ()` is eight tokens: three idents, two `::` of two puncts each, and
/// the empty argument group.
const CALL_LEN: usize = 8;

fn is_builder_call(tokens: &[TokenTree]) -> bool {
    let ident = |t: &TokenTree, name: &str| matches!(t, TokenTree::Ident(i) if i == name);
    let colon = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ':');
    match tokens {
        [a, c1, c2, b, c3, c4, n, TokenTree::Group(args), ..] => {
            ident(a, "reqwest")
                && colon(c1)
                && colon(c2)
                && ident(b, "ClientBuilder")
                && colon(c3)
                && colon(c4)
                && ident(n, "new")
                && args.delimiter() == Delimiter::Parenthesis
                && args.stream().is_empty()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_call_fails_the_step() {
        let err = rewrite(
            quote! { fn f() { reqwest::ClientBuilder::new() } },
            "t.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("rewrote 1"), "{err}");
    }

    #[test]
    fn other_builders_are_left_alone() {
        let code = rewrite(
            quote! {
                fn f() { reqwest::ClientBuilder::new().timeout(d) }
                fn g() { let c = { reqwest::ClientBuilder::new() }; other::ClientBuilder::new() }
            },
            "t.yaml",
        )
        .unwrap()
        .to_string();
        assert!(code.contains("other :: ClientBuilder :: new ()"), "{code}");
        assert_eq!(
            code.matches("cdp_transport :: client_builder ()").count(),
            2
        );
    }
}
