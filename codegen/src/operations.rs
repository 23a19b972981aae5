//! One constant per operation of a spec, `operations::GET_CUSTOMER: cdp_transport::Operation`, so that a
//! retry policy names operations the compiler has checked rather than strings that fail silently when
//! misspelt.
//!
//! The ids are the spec's `operationId`s in snake case, which is what progenitor hands the transport; the
//! step checks them against the `operation_id`s in progenitor's output and fails when they differ, so a
//! constant can never name an operation the client does not send.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase as _, ToSnakeCase as _};
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};

use crate::Error;

/// One operation of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The snake-case id the generated client uses (`get_customer`).
    pub id: String,
    /// The spec's `operationId` (`getCustomer`).
    pub operation_id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path template (`/workspaces/{workspaceId}/customers/{customerId}`).
    pub path: String,
}

/// The operations of `spec`, in the order of their constants (by id). An operation without an
/// `operationId` is skipped: loading the spec has refused it already.
///
/// ```
/// let spec: openapiv3::OpenAPI = serde_json::from_value(serde_json::json!({
///     "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
///     "paths": {"/segments/{s}/membership": {"post": {"operationId": "GetSegmentMembership", "responses": {}}}}
/// })).unwrap();
/// let ops = cdp_codegen::operations::find(&spec);
/// assert_eq!(ops[0].id, "get_segment_membership");
/// assert_eq!(ops[0].method, "POST");
/// ```
pub fn find(spec: &openapiv3::OpenAPI) -> Vec<Operation> {
    let mut found: Vec<Operation> = spec
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| Some((path, item.as_item()?)))
        .flat_map(|(path, item)| {
            item.iter().filter_map(move |(method, op)| {
                let operation_id = op.operation_id.clone()?;
                Some(Operation {
                    id: operation_id.to_snake_case(),
                    operation_id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                })
            })
        })
        .collect();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// Checks `operations` against the operation ids in progenitor's `tokens` (`OperationInfo { operation_id:
/// "…" }`): both must name the same set, or the constants would not match what the client sends.
///
/// ```
/// let tokens = quote::quote! { let info = OperationInfo { operation_id: "get_x" }; };
/// let ops = vec![cdp_codegen::operations::Operation {
///     id: "get_x".into(), operation_id: "getX".into(), method: "GET".into(), path: "/x".into(),
/// }];
/// cdp_codegen::operations::check(&tokens, &ops, "specs/t.yaml")?;
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn check(tokens: &TokenStream, operations: &[Operation], file: &str) -> Result<(), Error> {
    let mut sent = BTreeSet::new();
    collect_ids(tokens.clone(), &mut sent);
    let named: BTreeSet<String> = operations.iter().map(|o| o.id.clone()).collect();
    if sent != named || named.len() != operations.len() {
        let missing: Vec<&String> = named.difference(&sent).collect();
        let unknown: Vec<&String> = sent.difference(&named).collect();
        return Err(Error::new(
            file,
            None,
            format!(
                "codegen step `operations`: the operation ids progenitor generates differ from the spec's \
                 operationIds in snake case (only in the spec: {missing:?}; only in the client: \
                 {unknown:?}; or two operationIds share a snake case); update codegen/src/operations.rs"
            ),
        ));
    }
    if let Some(op) = operations
        .iter()
        .find(|o| o.id.to_shouty_snake_case() == "ALL")
    {
        return Err(Error::new(
            file,
            None,
            format!(
                "codegen step `operations`: the constant of operationId `{}` would be `ALL`, the name of \
                 the list of every operation; rename the operation",
                op.operation_id
            ),
        ));
    }
    Ok(())
}

fn collect_ids(stream: TokenStream, ids: &mut BTreeSet<String>) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    for (at, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) if ident == "operation_id" => {
                if let (Some(TokenTree::Punct(colon)), Some(TokenTree::Literal(lit))) =
                    (tokens.get(at + 1), tokens.get(at + 2))
                    && colon.as_char() == ':'
                    && let Ok(lit) =
                        syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into())
                {
                    ids.insert(lit.value());
                }
            }
            TokenTree::Group(group) => {
                collect_ids(group.stream(), ids);
            }
            _ => {}
        }
    }
}

/// The `operations` module: one documented constant per operation.
///
/// ```
/// let ops = vec![cdp_codegen::operations::Operation {
///     id: "get_x".into(), operation_id: "getX".into(), method: "GET".into(), path: "/x".into(),
/// }];
/// let code = cdp_codegen::operations::render(&ops).to_string();
/// assert!(code.contains("pub const GET_X"));
/// assert!(code.contains("pub const ALL"));
/// ```
pub fn render(operations: &[Operation]) -> TokenStream {
    let names: Vec<_> = operations
        .iter()
        .map(|op| format_ident!("{}", op.id.to_shouty_snake_case()))
        .collect();
    let constants = operations.iter().zip(&names).map(|(op, name)| {
        let id = &op.id;
        let doc = format!(
            " `{} {}` (operationId `{}`).",
            op.method, op.path, op.operation_id
        );
        quote! {
            #[doc = #doc]
            pub const #name: ::cdp_transport::Operation = ::cdp_transport::Operation::unchecked(#id);
        }
    });
    quote! {
        /// One constant per operation of the spec, to name operations in a `cdp_transport::RetryPolicy`
        /// (`safe_operations`, `never_retry`).
        pub mod operations {
            #(#constants)*

            /// Every operation of the spec.
            pub const ALL: &[::cdp_transport::Operation] = &[#(#names),*];
        }
    }
}
