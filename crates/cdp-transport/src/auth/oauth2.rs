//! OAuth2 client credentials: fetch a bearer token, keep it, refresh it before it expires.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::AuthError;
use crate::RetryPolicy;
use crate::retry::{Outcome, ends_before, error_outcome, status_outcome};

/// Tokens are refreshed this long before they expire, so that a request never leaves with a token that
/// dies on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How long a token lives when the endpoint does not say.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A longer `expires_in` is taken as this: tokens are refreshed after a 401 anyway, and an absurd value
/// must not overflow the clock.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// The client-credentials grant against a token endpoint, with the token it got. The client authenticates
/// with HTTP Basic (`client_id:client_secret`), as BlueConic expects. Concurrent requests that find no
/// valid token wait for one refresh instead of each starting their own.
///
/// ```
/// let credentials = cdp_transport::ClientCredentials::new(
///     "https://tenant.blueconic.net/rest/v2/oauth/token",
///     "client-id",
///     "client-secret",
/// )
/// .scopes(["read:profiles", "write:profiles"]);
/// assert!(!format!("{credentials:?}").contains("client-secret"));
/// ```
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    scope: Option<String>,
    current: Mutex<Option<Token>>,
}

struct Token {
    value: SecretString,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<u64>,
}

impl ClientCredentials {
    /// The grant for `client_id` against `token_url`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            scope: None,
            current: Mutex::new(None),
        }
    }

    /// The scopes to ask for (sent space-separated).
    pub fn scopes<S: AsRef<str>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        let joined = scopes
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        self.scope = (!joined.is_empty()).then_some(joined);
        self
    }

    /// A valid token: the one kept, or a new one from the endpoint, fetched within `budget`.
    pub(crate) async fn token(
        &self,
        client: &reqwest::Client,
        budget: Option<Duration>,
    ) -> Result<SecretString, AuthError> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(token.value.clone());
        }
        let fresh = self.fetch_with_retries(client, budget).await?;
        let value = fresh.value.clone();
        *current = Some(fresh);
        Ok(value)
    }

    /// Forgets the kept token if it is `used` (or always, when `used` is unknown); a token already replaced
    /// by another request's refresh stays.
    pub(crate) async fn invalidate(&self, used: Option<&str>) {
        let mut current = self.current.lock().await;
        let stale = match (current.as_ref(), used) {
            (Some(token), Some(used)) => token.value.expose_secret() == used,
            _ => true,
        };
        if stale {
            *current = None;
        }
    }

    /// The token request, sent again on a connection error or a 408/429/5xx, with backoff, within
    /// `budget`: every call of the client waits on it.
    async fn fetch_with_retries(
        &self,
        client: &reqwest::Client,
        budget: Option<Duration>,
    ) -> Result<Token, AuthError> {
        let deadline = budget.and_then(|b| Instant::now().checked_add(b));
        let policy = RetryPolicy::default();
        let mut pauses = policy.backoff();
        loop {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let result = self.fetch(client, remaining).await;
            let transient = match &result {
                Err(AuthError::TokenTransport(e)) => error_outcome(e) != Outcome::Final,
                Err(AuthError::TokenRefused { status, .. }) => {
                    reqwest::StatusCode::from_u16(*status)
                        .is_ok_and(|s| status_outcome(s, None, SystemTime::now()) != Outcome::Final)
                }
                _ => false,
            };
            let Some(pause) = pauses.next().filter(|_| transient) else {
                return result;
            };
            if !ends_before(pause, deadline) {
                return result;
            }
            tokio::time::sleep(pause).await;
        }
    }

    async fn fetch(
        &self,
        client: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<Token, AuthError> {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose_secret()
        ));
        // The serializer is not `Send`; it must be gone before the first `.await`.
        let form = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials");
            if let Some(scope) = &self.scope {
                form.append_pair("scope", scope);
            }
            form.finish()
        };
        let mut authorization = reqwest::header::HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| AuthError::InvalidSecret)?;
        authorization.set_sensitive(true);
        let mut request = client.post(&self.token_url);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout.max(Duration::from_millis(1)));
        }
        let response = request
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form)
            .send()
            .await
            .map_err(AuthError::TokenTransport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(AuthError::TokenTransport)?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body[..body.len().min(1024)]).into_owned();
            return Err(AuthError::TokenRefused {
                status: status.as_u16(),
                body: text,
            });
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| AuthError::TokenMalformed(e.to_string()))?;
        let value = parsed
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AuthError::TokenMalformed("no access_token".into()))?;
        let lifetime = parsed
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME)
            .min(MAX_LIFETIME);
        // A short-lived token is refreshed at half its life rather than never being used.
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        Ok(Token {
            value: SecretString::from(value),
            refresh_at: Instant::now() + lifetime - margin,
        })
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}
