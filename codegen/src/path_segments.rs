//! Fix-up `path_segments`: every value a generated client puts into a URL path goes through
//! `cdp_transport::path::segment`, the encoder the hand-written layer uses too.
//!
//! progenitor builds each path with `format!("…/{}", client.baseurl, encode_path(&x.to_string()))`, and its
//! `encode_path` leaves `\` as it is (a URL parser reads it as `/`) and lets `..` through, so an id could
//! walk a request to another resource. The step rewrites each of those calls into
//! `::cdp_transport::path::segment("xId", &x_id.to_string())?` (the parameter's name on the wire, as the
//! spec and the service's documentation spell it), so that a refused value ends `send()` with a
//! typed error (`cdp_transport::path::PathError` inside progenitor's `CommunicationError`) before anything
//! is sent, and drops `encode_path` from the imports. Like every fix-up here it fails loudly when it stops applying: generation is an error
//! when the number of calls rewritten differs from the number of path parameters of the spec's operations,
//! or when `encode_path` appears in any other shape.

use std::collections::BTreeMap;

use heck::ToSnakeCase as _;
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

/// The wire name of every path parameter of `spec` (`customerId`, `DomainName`), by the name progenitor
/// gives its Rust argument (the wire name in snake case: `customer_id`, `domain_name`), or the two wire
/// names that would share one argument name.
///
/// ```
/// let spec: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
///     "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
///     "paths": {"/w/{workspaceId}/c/{DomainName}": {"get": {"operationId": "getC", "responses": {}}}}
/// })).unwrap();
/// let names = cdp_codegen::path_segments::wire_names(&spec).unwrap();
/// assert_eq!(names["workspace_id"], "workspaceId");
/// assert_eq!(names["domain_name"], "DomainName");
/// ```
pub fn wire_names(spec: &openapiv3::OpenAPI) -> Result<BTreeMap<String, String>, String> {
    let mut names = BTreeMap::new();
    for path in spec.paths.paths.keys() {
        for wire in path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
        {
            let rust = wire.to_snake_case();
            match names.insert(rust.clone(), wire.to_owned()) {
                Some(other) if other != wire => {
                    return Err(format!(
                        "the path parameters `{other}` and `{wire}` would both be `{rust}` in Rust"
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(names)
}

/// Rewrites progenitor's `tokens` as the module docs say; `expected` is [`path_parameters`] of the spec,
/// `names` its [`wire_names`], and `file` names it in errors.
///
/// ```
/// let tokens = quote::quote! {
///     use progenitor_client::{encode_path, ClientHooks};
///     fn url(base: &str, id: &str) -> String { format!("{}/c/{}", base, encode_path(&id.to_string())) }
/// };
/// let names = [("id".to_owned(), "Id".to_owned())].into();
/// let code = cdp_codegen::path_segments::rewrite(tokens, 1, &names, "specs/t.yaml").unwrap().to_string();
/// assert!(code.contains("cdp_transport :: path :: segment (\"Id\" , & id"));
/// assert!(!code.contains("encode_path"));
/// ```
pub fn rewrite(
    tokens: TokenStream,
    expected: usize,
    names: &BTreeMap<String, String>,
    file: &str,
) -> Result<TokenStream, Error> {
    let mut state = State {
        names,
        rewritten: 0,
        unmatched: Vec::new(),
    };
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

struct State<'a> {
    names: &'a BTreeMap<String, String>,
    rewritten: usize,
    unmatched: Vec<String>,
}

fn rewrite_stream(stream: TokenStream, state: &mut State<'_>) -> TokenStream {
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
                            Some(name) => match state.names.get(&name.to_string()) {
                                Some(wire) => {
                                    out.extend(checked_segment(name, wire));
                                    state.rewritten += 1;
                                }
                                None => state.unmatched.push(format!(
                                    "encode_path({}), of no path parameter of the spec",
                                    args.stream()
                                )),
                            },
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

fn checked_segment(name: Ident, wire: &str) -> TokenStream {
    let field = Literal::string(wire);
    quote! { ::cdp_transport::path::segment(#field, &#name.to_string())? }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(tokens: TokenStream, expected: usize) -> Result<String, String> {
        let names = [("a_id", "aId"), ("b_id", "bId"), ("id", "id")]
            .map(|(rust, wire)| (rust.to_owned(), wire.to_owned()))
            .into();
        rewrite(tokens, expected, &names, "t.yaml")
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
            code.contains("segment (\"aId\" , & a_id . to_string ())"),
            "{code}"
        );
        assert!(
            code.contains("segment (\"bId\" , & b_id . to_string ())"),
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
    fn a_call_of_no_spec_parameter_fails() {
        let err =
            rewritten(quote! { format!("{}", encode_path(&other.to_string())) }, 1).unwrap_err();
        assert!(err.contains("of no path parameter of the spec"), "{err}");
    }

    #[test]
    fn two_wire_names_of_one_rust_name_fail() {
        let spec: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {
                "/a/{customerId}": {"get": {"operationId": "a", "responses": {}}},
                "/b/{customer_id}": {"get": {"operationId": "b", "responses": {}}}
            }
        }))
        .unwrap();
        let err = wire_names(&spec).unwrap_err();
        assert!(err.contains("`customer_id`"), "{err}");
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
