//! AWS Customer Profiles emulation. (Placeholder: the routes come with the AWS part of the sandbox.)

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::Config;
use crate::http::json;
use crate::server::Shared;

/// Customer Profiles' state: profiles, segment definitions, estimates and snapshots.
#[derive(Debug, Default)]
pub struct State {}

impl State {
    pub(crate) fn seeded(_config: &Config) -> Self {
        Self::default()
    }
}

pub(crate) fn router(_shared: Arc<Shared>) -> Router {
    Router::new().fallback(|| async { error(StatusCode::NOT_IMPLEMENTED, "not emulated yet") })
}

/// An AWS restJson1 error: `{"Message": …}` with the error type in `X-Amzn-ErrorType`, chosen by status.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let kind = match status.as_u16() {
        400 => "BadRequestException",
        401 | 403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        429 => "ThrottlingException",
        _ => "InternalServerException",
    };
    error_of_type(status, kind, message)
}

/// An AWS restJson1 error of a given type.
pub(crate) fn error_of_type(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut response = json(status, &json!({"Message": message}));
    if let Ok(value) = HeaderValue::from_str(kind) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}
