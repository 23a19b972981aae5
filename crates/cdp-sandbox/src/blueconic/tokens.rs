//! OAuth2 client credentials: `POST /oauth/token` issues bearer tokens, and every other route checks
//! the `Authorization: Bearer` header against them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;

use super::error;
use crate::http::{buffer_body, form_pairs, json};
use crate::server::Shared;

/// How long a token lives, in seconds (BlueConic's `expires_in`).
pub(super) const LIFETIME_SECS: u64 = 3600;

/// The scopes granted when the request names none.
const DEFAULT_SCOPE: &str = "read:profiles write:profiles read:segments";

/// Issued tokens and when they expire.
#[derive(Debug)]
pub(super) struct Tokens {
    issued: HashMap<String, Instant>,
    rng: StdRng,
}

impl Tokens {
    pub(super) fn new(seed: u64) -> Self {
        Self {
            issued: HashMap::new(),
            rng: StdRng::seed_from_u64(seed ^ 0x746f_6b65_6e73),
        }
    }

    fn issue(&mut self) -> String {
        let now = Instant::now();
        // Forget expired tokens so that a long run does not grow without end.
        self.issued.retain(|_, expiry| *expiry > now);
        let token = format!("bc-{:032x}", self.rng.random::<u128>());
        self.issued
            .insert(token.clone(), now + Duration::from_secs(LIFETIME_SECS));
        token
    }

    fn is_valid(&self, token: &str) -> bool {
        self.issued
            .get(token)
            .is_some_and(|expiry| *expiry > Instant::now())
    }

    /// Makes every issued token expired.
    pub(super) fn expire_all(&mut self) {
        let now = Instant::now();
        for expiry in self.issued.values_mut() {
            *expiry = now;
        }
    }
}

/// An OAuth2 error body (`TokenError`).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// `POST /oauth/token`.
pub(super) async fn issue(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(body) = buffer_body(body).await else {
        return oauth_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "the request body is too large",
        );
    };
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let form = form_pairs(&body);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    let client = match basic {
        Some((_, encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| {
                text.split_once(':')
                    .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
            }),
        None => field("client_id").map(|id| {
            (
                id.to_owned(),
                field("client_secret").unwrap_or_default().to_owned(),
            )
        }),
    };
    let credentials = &shared.config.credentials;
    let authenticated = client.as_ref().is_some_and(|(id, secret)| {
        *id == credentials.blueconic_client_id && *secret == credentials.blueconic_client_secret
    });
    if !authenticated {
        let mut response = oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
        if basic.is_some() {
            response.headers_mut().insert(
                "www-authenticate",
                HeaderValue::from_static("Basic realm=\"oauth2/client\""),
            );
        }
        return response;
    }
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant type `{other}` is not supported for this client"),
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "missing grant_type",
            );
        }
    }
    let scope = field("scope")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_SCOPE)
        .to_owned();
    let token = shared.blueconic.tokens().issue();
    json(
        StatusCode::OK,
        &json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": LIFETIME_SECS,
            "scope": scope,
        }),
    )
}

/// Middleware: lets a request through only with a bearer token that was issued and has not expired.
pub(super) async fn require_bearer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let problem = match token {
        None => "Full authentication is required to access this resource",
        Some(token) if shared.blueconic.tokens().is_valid(&token) => {
            return next.run(request).await;
        }
        Some(_) => "Invalid or expired access token",
    };
    let mut response = error(StatusCode::UNAUTHORIZED, problem);
    response.headers_mut().insert(
        "www-authenticate",
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}
