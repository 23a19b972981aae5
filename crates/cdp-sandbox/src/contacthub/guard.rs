//! What every ContactHub request passes first: the bearer token (401), then the workspace (403).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error;
use crate::server::Shared;

/// Middleware: answers 401 without the right bearer token and 403 for an unknown workspace.
pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let credentials = &shared.config.credentials;
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if token != Some(credentials.contacthub_token.as_str()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "The client is not authorized to access the API",
        );
    }
    let mut segments = request.uri().path().split('/').filter(|s| !s.is_empty());
    if segments.next() == Some("workspaces")
        && let Some(workspace) = segments.next().map(decode)
        && workspace != credentials.contacthub_workspace
    {
        return error(
            StatusCode::FORBIDDEN,
            &format!("workspace not found: {workspace}"),
        );
    }
    next.run(request).await
}

/// A percent-decoded path segment.
fn decode(segment: &str) -> String {
    // `form_urlencoded` decodes percent escapes; escape `+` and `&` first so that they stay themselves.
    let escaped = segment.replace('+', "%2B").replace('&', "%26");
    form_urlencoded::parse(format!("s={escaped}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
