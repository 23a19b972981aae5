//! ContactHub emulation. (Placeholder: the routes come with the ContactHub part of the sandbox.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::Config;
use crate::http::json;
use crate::server::Shared;

/// ContactHub's state: customers, their sessions, and events.
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

/// ContactHub's error body: `{message, logref, data, errors}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    static LOGREF: AtomicU64 = AtomicU64::new(1);
    let logref = format!("sandbox-{:08x}", LOGREF.fetch_add(1, Ordering::Relaxed));
    json(
        status,
        &json!({"message": message, "logref": logref, "data": null, "errors": []}),
    )
}
