//! Fix-up `path_segments`: every value a generated client puts into a URL path goes through
//! `cdp_transport::path::segment`, the encoder the hand-written layer uses too.
//!
//! progenitor builds each path with `format!("…/{}", client.baseurl, encode_path(&x.to_string()))`, and its
//! `encode_path` leaves `\` as it is (a URL parser reads it as `/`) and lets `..` through, so an id could
//! walk a request to another resource. The step rewrites each of those calls into
//! `::cdp_transport::path::segment("x", &x.to_string())?`, so that a refused value ends `send()` with a
//! typed error (`cdp_transport::path::PathError` inside progenitor's `CommunicationError`) before anything
//! is sent, and drops `encode_path` from the imports. Like every fix-up here it fails loudly when it stops applying: generation is an error
//! when the number of calls rewritten differs from the number of path parameters of the spec's operations,
//! or when `encode_path` appears in any other shape.

use proc_macro2::{Delimiter, Group, Ident, Literal, TokenStream, TokenTree};
use quote::quote;

use crate::Error;

/// The step's name, as messages give it.
pub const STEP: &str = "path_segments";

/// How many path parameters the operations of `spec` have in all: one per `{name}` of an operation's
/// path, which is one `encode_path` call in progenitor's output.
///
/// ```
/// let spec: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
///     "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
///     "paths": {"/w/{w}/c/{c}": {
///         "get": {"operationId": "getC", "responses": {}},
///         "delete": {"operationId": "deleteC", "responses": {}}
///     }}
/// })).unwrap();
/// assert_eq!(cdp_codegen::path_segments::path_parameters(&spec), 4);
/// ```
pub fn path_parameters(spec: &openapiv3::OpenAPI) -> usize {
    spec.paths
        .paths
        .iter()
        .filter_map(|(path, item)| Some((path, item.as_item()?)))
        .map(|(path, item)| path.matches('{').count() * item.iter().count())
        .sum()
}

/// Rewrites progenitor's `tokens` as the module docs say; `expected` is [`path_parameters`] of the spec,
/// and `file` names it in errors.
///
/// ```
/// let tokens = quote::quote! {
///     use progenitor_client::{encode_path, ClientHooks};
///     fn url(base: &str, id: &str) -> String { format!("{}/c/{}", base, encode_path(&id.to_string())) }
/// };
/// let code = cdp_codegen::path_segments::rewrite(tokens, 1, "specs/t.yaml").unwrap().to_string();
/// assert!(code.contains("cdp_transport :: path :: segment (\"id\""));
/// assert!(!code.contains("encode_path"));
/// ```
pub fn rewrite(tokens: TokenStream, expected: usize, file: &str) -> Result<TokenStream, Error> {
    let mut state = State::default();
    let tokens = rewrite_stream(tokens, &mut state);
    if let Some(shape) = state.unmatched.first() {
        return Err(Error::new(
            file,
            None,
            format!(
                "codegen step `{STEP}`: progenitor's output has `encode_path` in a shape the step does \
                 not know ({shape}); update codegen/src/path_segments.rs"
            ),
        ));
    }
    if state.rewritten != expected {
        return Err(Error::new(
            file,
            None,
            format!(
                "codegen step `{STEP}`: the spec's operations have {expected} path parameter(s), but the \
                 step rewrote {} `encode_path` call(s); progenitor's output has changed, update \
                 codegen/src/path_segments.rs",
                state.rewritten
            ),
        ));
    }
    Ok(tokens)
}

#[derive(Default)]
struct State {
    rewritten: usize,
    unmatched: Vec<String>,
}

fn rewrite_stream(stream: TokenStream, state: &mut State) -> TokenStream {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        match token {
            TokenTree::Ident(ident) if ident == "encode_path" => {
                let previous = at.checked_sub(1).and_then(|p| tokens.get(p));
                match tokens.get(at + 1) {
                    // A call: `encode_path(&name.to_string())`.
                    Some(TokenTree::Group(args)) if args.delimiter() == Delimiter::Parenthesis => {
                        match argument(args.stream()) {
                            Some(name) => {
                                out.extend(checked_segment(name));
                                state.rewritten += 1;
                            }
                            None => state
                                .unmatched
                                .push(format!("encode_path({})", args.stream())),
                        }
                        at += 2;
                        continue;
                    }
                    // An import in a `use` list, `{encode_path, …}` or `{…, encode_path}`: dropped with
                    // its comma.
                    next if in_list(previous) && (is_comma(next) || next.is_none()) => {
                        at += if next.is_some() { 2 } else { 1 };
                        continue;
                    }
                    _ => state.unmatched.push("encode_path".to_owned()),
                }
                out.push(token.clone());
            }
            TokenTree::Group(group) => {
                let mut rewritten =
                    Group::new(group.delimiter(), rewrite_stream(group.stream(), state));
                rewritten.set_span(group.span());
                out.push(TokenTree::Group(rewritten));
            }
            other => out.push(other.clone()),
        }
        at += 1;
    }
    out.into_iter().collect()
}

fn in_list(previous: Option<&TokenTree>) -> bool {
    previous.is_none_or(|p| is_comma(Some(p)))
}

fn is_comma(token: Option<&TokenTree>) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == ',')
}

/// The `name` of `&name.to_string()`.
fn argument(args: TokenStream) -> Option<Ident> {
    let tokens: Vec<TokenTree> = args.into_iter().collect();
    match tokens.as_slice() {
        [
            TokenTree::Punct(amp),
            TokenTree::Ident(name),
            TokenTree::Punct(dot),
            TokenTree::Ident(method),
            TokenTree::Group(call),
        ] if amp.as_char() == '&'
            && dot.as_char() == '.'
            && method == "to_string"
            && call.delimiter() == Delimiter::Parenthesis
            && call.stream().is_empty() =>
        {
            Some(name.clone())
        }
        _ => None,
    }
}

fn checked_segment(name: Ident) -> TokenStream {
    let field = Literal::string(&name.to_string());
    quote! { ::cdp_transport::path::segment(#field, &#name.to_string())? }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(tokens: TokenStream, expected: usize) -> Result<String, String> {
        rewrite(tokens, expected, "t.yaml")
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn calls_and_imports_are_rewritten() {
        let code = rewritten(
            quote! {
                use progenitor_client::{encode_path, ClientHooks};
                mod builder { use super::{ByteStream, encode_path}; }
                fn f() { let url = format!("{}/{}/{}", b, encode_path(&a_id.to_string()), encode_path(&b_id.to_string())); }
            },
            2,
        )
        .unwrap();
        assert!(!code.contains("encode_path"), "{code}");
        assert!(
            code.contains("use progenitor_client :: { ClientHooks }"),
            "{code}"
        );
        assert!(code.contains("use super :: { ByteStream , }"), "{code}");
        assert!(
            code.contains("segment (\"a_id\" , & a_id . to_string ())"),
            "{code}"
        );
        assert!(
            code.contains("segment (\"b_id\" , & b_id . to_string ())"),
            "{code}"
        );
    }

    #[test]
    fn a_count_that_differs_from_the_spec_fails() {
        let err = rewritten(quote! { format!("{}", encode_path(&id.to_string())) }, 2).unwrap_err();
        assert!(err.contains("`path_segments`"), "{err}");
        assert!(
            err.contains("2 path parameter(s), but the step rewrote 1"),
            "{err}"
        );
        let err = rewritten(quote! { format!("{}", other(&id.to_string())) }, 1).unwrap_err();
        assert!(err.contains("rewrote 0"), "{err}");
    }

    #[test]
    fn an_unknown_shape_fails() {
        for tokens in [
            quote! { format!("{}", encode_path(id)) },
            quote! { use progenitor_client::encode_path; },
            quote! { let f = encode_path; },
        ] {
            let err = rewritten(tokens, 0).unwrap_err();
            assert!(err.contains("in a shape the step does not know"), "{err}");
        }
    }
}
