//! Reading requests: query parameters and JSON bodies, with ContactHub's 400 when they do not parse.

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Problem, error, invalid};
use crate::http::form_pairs;

/// The query parameters of a request (the last value wins when a name repeats).
#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(raw: Option<&str>) -> Self {
        Self(form_pairs(raw.unwrap_or_default().as_bytes()))
    }

    /// A parameter, `None` when absent or empty.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A parameter that must be there.
    pub(super) fn required(&self, name: &str) -> Result<&str, Response> {
        self.get(name).ok_or_else(|| {
            invalid(
                &format!("the query parameter `{name}` is required"),
                vec![Problem::new(name, "the parameter is required")],
            )
        })
    }

    /// A non-negative 32-bit integer parameter (the spec's `int32`), `default` when absent.
    pub(super) fn number(&self, name: &str, default: u64) -> Result<u64, Response> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        text.parse::<u64>()
            .ok()
            .filter(|n| *n <= i32::MAX as u64)
            .ok_or_else(|| {
                invalid(
                    &format!("the query parameter `{name}` must be a non-negative integer"),
                    vec![Problem::new(
                        name,
                        format!("`{text}` is not a non-negative 32-bit integer"),
                    )],
                )
            })
    }

    /// A comma-separated list parameter, empty when absent.
    pub(super) fn list(&self, name: &str) -> Vec<&str> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A request body that must be a JSON object.
pub(super) fn object_body(bytes: &[u8]) -> Result<Value, Response> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(error(
            StatusCode::BAD_REQUEST,
            "the request body must be a JSON object",
        )),
        Err(e) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("the request body is not valid JSON: {e}"),
        )),
    }
}

/// The path parameters of a route, like axum's `Path`, but a path that does not decode (bad percent
/// escapes, say) gets ContactHub's 400 body rather than axum's plain text.
#[derive(Debug)]
pub(super) struct Ids<T>(pub(super) T);

impl<T, S> FromRequestParts<S> for Ids<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(ids)| Self(ids))
            .map_err(|rejection| error(StatusCode::BAD_REQUEST, &rejection.body_text()))
    }
}
