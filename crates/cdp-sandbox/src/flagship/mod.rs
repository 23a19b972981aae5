//! Flagship emulation. (Placeholder: the routes come with the Flagship part of the sandbox.)

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::Config;
use crate::http::json;
use crate::server::Shared;

/// Flagship's state: the campaign configuration, activations, context events and hits.
#[derive(Debug, Default)]
pub struct State {}

impl State {
    pub(crate) fn seeded(_config: &Config) -> Self {
        Self::default()
    }
}

fn placeholder() -> Router {
    Router::new().fallback(|| async { error(StatusCode::NOT_IMPLEMENTED, "not emulated yet") })
}

/// The decision API: campaigns, flags, context events, activations.
pub(crate) fn decision_router(_shared: Arc<Shared>) -> Router {
    placeholder()
}

/// The CDN: the bucketing file.
pub(crate) fn cdn_router(_shared: Arc<Shared>) -> Router {
    placeholder()
}

/// The hit collector.
pub(crate) fn hits_router(_shared: Arc<Shared>) -> Router {
    placeholder()
}

/// Flagship's error body: `{message}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json(status, &json!({"message": message}))
}
