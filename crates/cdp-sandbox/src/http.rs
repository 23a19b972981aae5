//! Small HTTP helpers shared by the service modules.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The largest request body the sandbox reads (a full BlueConic bulk write is far below it).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Reads a whole request body.
pub(crate) async fn buffer_body(body: Body) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("cannot read the request body: {e}"),
        )
            .into_response()
    })
}

/// A body as JSON when it parses, a form as its pairs, else text.
pub(crate) fn body_value(bytes: &[u8], content_type: &str) -> Value {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs = form_pairs(bytes);
        return Value::Array(
            pairs
                .into_iter()
                .map(|(k, v)| Value::from(vec![k, v]))
                .collect(),
        );
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// Decodes `application/x-www-form-urlencoded` pairs, repeated keys kept.
pub(crate) fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

/// A JSON response with a status.
pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, Json(body)).into_response()
}
