//! BlueConic emulation. (Placeholder: the routes come with the BlueConic part of the sandbox.)

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::Config;
use crate::http::json;
use crate::server::Shared;

/// BlueConic's state: profiles, segments, issued tokens.
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

/// BlueConic's error body: `{code, message, errors}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        &json!({"code": status.as_u16(), "message": message, "errors": []}),
    )
}
