//! Request extractors that answer with AWS errors (axum's own rejections are plain text): the path with
//! its domain checked, a JSON body, and the paging query parameters.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::{Failure, bad_request, not_found};
use crate::server::Shared;

/// The path parameters of a route under `/domains/{DomainName}`, once the domain is known to exist.
#[derive(Debug)]
pub(super) struct Route {
    params: HashMap<String, String>,
}

impl Route {
    /// A path parameter (empty when the route has none of that name, which then finds nothing).
    pub(super) fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    pub(super) fn domain(&self) -> &str {
        self.param("DomainName")
    }
}

impl FromRequestParts<Arc<Shared>> for Route {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, shared)
            .await
            .map_err(|e| bad_request(format!("invalid path: {e}")))?;
        let route = Self { params };
        if route.domain() != shared.config.credentials.aws_domain {
            return Err(not_found(format!("Domain {} not found", route.domain())));
        }
        Ok(route)
    }
}

/// A JSON request body; a body that does not parse, or lacks a required member, is a `400`.
#[derive(Debug)]
pub(super) struct JsonBody<T>(pub(super) T);

impl<T: DeserializeOwned> FromRequest<Arc<Shared>> for JsonBody<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, shared: &Arc<Shared>) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, shared)
            .await
            .map_err(|e| bad_request(format!("cannot read the request body: {e}")))?;
        // An absent body reads as `{}`, so that a missing required member gets its own message.
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(text)
            .map(Self)
            .map_err(|e| bad_request(format!("Invalid request body: {e}")))
    }
}

/// `max-results` and `next-token`, as sent (their checks depend on the operation).
#[derive(Debug, Default)]
pub(super) struct Paging {
    pub(super) max_results: Option<String>,
    pub(super) next_token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut paging = Self::default();
        let query = parts.uri.query().unwrap_or_default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "max-results" => paging.max_results = Some(value.into_owned()),
                "next-token" => paging.next_token = Some(value.into_owned()),
                _ => {}
            }
        }
        Ok(paging)
    }
}
