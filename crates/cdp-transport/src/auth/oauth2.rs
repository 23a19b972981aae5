//! OAuth2 client credentials: fetch a bearer token, keep it, refresh it before it expires.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use tokio::sync::watch;
use tokio::time::Instant;

use super::AuthError;
use crate::RetryPolicy;
use crate::body::{MAX_TOKEN_BODY, read_capped};
use crate::retry::{Outcome, ends_before, error_outcome, parse_retry_after, status_outcome};
use crate::scrub::Secrets;

/// Tokens are refreshed this long before they expire, so that a request never leaves with a token that
/// dies on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How long a token lives when the endpoint does not say.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A longer `expires_in` is taken as this: tokens are refreshed after a 401 anyway, and an absurd value
/// must not overflow the clock.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// After a failed fetch, calls get the same failure for this long instead of each asking again: a
/// token endpoint that is down is not hammered by every waiting call.
const NEGATIVE_CACHE: Duration = Duration::from_secs(2);

/// How long a fetch may take at least: it serves every call that waits for it, not only the one that
/// started it (a longer deadline of that call gives it longer). Each call waits within its own deadline.
const FETCH_BUDGET: Duration = crate::DEFAULT_TIMEOUT;

/// The client-credentials grant against a token endpoint, with the token it got. The client authenticates
/// with HTTP Basic (`client_id:client_secret`), as BlueConic expects.
///
/// One fetch at a time: calls that find no valid token wait for the fetch in flight (each for no longer
/// than its own deadline) and share its result, a failure included, which is kept for a short while so
/// that a failing endpoint is not asked again by every call. The fetch retries what is worth retrying
/// and honours the endpoint's `Retry-After`.
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
    grant: Arc<Grant>,
    state: Arc<Mutex<State>>,
}

struct Grant {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    scope: Option<String>,
}

/// What a fetch in flight will tell its waiters.
type Shared = Option<Result<SecretString, AuthError>>;

#[derive(Default)]
struct State {
    token: Option<Token>,
    /// The last failure, and until when it is handed out instead of fetching again.
    failed: Option<(AuthError, Instant)>,
    /// The fetch in flight, if one is.
    fetching: Option<watch::Receiver<Shared>>,
}

struct Token {
    value: SecretString,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lifetime")]
    expires_in: Option<Duration>,
}

/// `expires_in` as an integer, a float or a string holding either (all are seen in the wild); a value
/// that is none of these, or negative, means "not said".
fn lifetime<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    let seconds = match value {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    Ok(seconds
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(MAX_LIFETIME.as_secs_f64()))))
}

impl ClientCredentials {
    /// The grant for `client_id` against `token_url`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            grant: Arc::new(Grant {
                token_url: token_url.into(),
                client_id: client_id.into(),
                client_secret: SecretString::from(client_secret.into()),
                scope: None,
            }),
            state: Arc::default(),
        }
    }

    /// The scopes to ask for (sent space-separated).
    pub fn scopes<S: AsRef<str>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        let joined = scopes
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let grant = Grant {
            token_url: self.grant.token_url.clone(),
            client_id: self.grant.client_id.clone(),
            client_secret: self.grant.client_secret.clone(),
            scope: (!joined.is_empty()).then_some(joined),
        };
        self.grant = Arc::new(grant);
        self
    }

    /// Every credential this grant holds or got, to be scrubbed from what servers send back.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![
            self.grant.client_secret.expose_secret().to_owned(),
            self.grant.basic(),
        ];
        if let Some(token) = &self.lock().token {
            secrets.push(token.value.expose_secret().to_owned());
        }
        secrets
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent after every statement, so a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A valid token: the one kept, the result of the fetch in flight, or of a new fetch; waited for no
    /// longer than `budget`.
    pub(crate) async fn token(
        &self,
        client: &reqwest::Client,
        budget: Option<Duration>,
    ) -> Result<SecretString, AuthError> {
        let deadline = budget.and_then(|b| Instant::now().checked_add(b));
        // Decided under the lock, awaited after it: the guard never lives across an `.await`.
        let (mut waiting, fetch) = {
            let mut state = self.lock();
            let now = Instant::now();
            if let Some(token) = state.token.as_ref().filter(|t| now < t.refresh_at) {
                return Ok(token.value.clone());
            }
            if let Some((error, _)) = state.failed.as_ref().filter(|(_, until)| now < *until) {
                return Err(error.clone());
            }
            // A fetch whose task died with its runtime never tells anyone: it is as if none were on.
            match state.fetching.as_ref().filter(|w| w.has_changed().is_ok()) {
                Some(waiting) => (waiting.clone(), None),
                None => {
                    let (tell, waiting) = watch::channel(None);
                    state.fetching = Some(waiting.clone());
                    let fetch = fetch_and_share(
                        self.grant.clone(),
                        self.state.clone(),
                        client.clone(),
                        budget.map_or(FETCH_BUDGET, |b| b.max(FETCH_BUDGET)),
                        tell,
                    );
                    (waiting, Some(fetch))
                }
            }
        };
        if let Some(fetch) = fetch {
            // The fetch goes on when the call that started it gives up, for the others; without a
            // runtime to spawn on, the call runs it itself.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn(fetch)),
                Err(_) => return inline(fetch, waiting).await,
            }
        }
        let wait = waiting.wait_for(Option::is_some);
        let outcome = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, wait)
                .await
                .map_err(|_| AuthError::TokenTimedOut)?,
            None => wait.await,
        };
        match outcome {
            Ok(shared) => shared.clone().unwrap_or(Err(AuthError::TokenTimedOut)),
            // The fetch ended without a word (its task was cancelled with the runtime).
            Err(_) => Err(AuthError::TokenTimedOut),
        }
    }

    /// Forgets the kept token if it is `used` (or always, when `used` is unknown); a token already replaced
    /// by another request's refresh stays.
    pub(crate) async fn invalidate(&self, used: Option<&str>) {
        let mut state = self.lock();
        let stale = match (state.token.as_ref(), used) {
            (Some(token), Some(used)) => token.value.expose_secret() == used,
            _ => true,
        };
        if stale {
            state.token = None;
        }
    }
}

/// Without a runtime to spawn on, the call runs the fetch itself.
async fn inline(
    fetch: impl std::future::Future<Output = ()>,
    waiting: watch::Receiver<Shared>,
) -> Result<SecretString, AuthError> {
    fetch.await;
    let shared = waiting.borrow().clone();
    shared.unwrap_or(Err(AuthError::TokenTimedOut))
}

/// Fetches a token, keeps it (or the failure) in `state`, and tells every waiter.
async fn fetch_and_share(
    grant: Arc<Grant>,
    state: Arc<Mutex<State>>,
    client: reqwest::Client,
    budget: Duration,
    tell: watch::Sender<Shared>,
) {
    let result = grant.fetch_with_retries(&client, budget).await;
    {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.fetching = None;
        match &result {
            Ok(token) => {
                state.token = Some(Token {
                    value: token.value.clone(),
                    refresh_at: token.refresh_at,
                });
                state.failed = None;
            }
            Err(error) => {
                state.failed = Some((error.clone(), Instant::now() + NEGATIVE_CACHE));
            }
        }
    }
    tell.send_replace(Some(result.map(|t| t.value)));
}

impl Grant {
    fn basic(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose_secret()
        ))
    }

    /// The token request, sent again on a connection error or a 408/429/5xx, after the endpoint's
    /// `Retry-After` or with backoff, within `budget`.
    async fn fetch_with_retries(
        &self,
        client: &reqwest::Client,
        budget: Duration,
    ) -> Result<Token, AuthError> {
        let deadline = Instant::now().checked_add(budget);
        let policy = RetryPolicy::default();
        let mut pauses = policy.backoff(policy.attempts());
        let mut attempt = 1;
        loop {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let (result, retry_after) = match self.fetch(client, remaining).await {
                Ok(token) => return Ok(token),
                Err(failure) => failure,
            };
            let transient = match &result {
                AuthError::TokenTransport(e) => error_outcome(e) != Outcome::Final,
                AuthError::TokenRefused { status, .. } => reqwest::StatusCode::from_u16(*status)
                    .is_ok_and(|s| status_outcome(s, None, SystemTime::now()) != Outcome::Final),
                _ => false,
            };
            let backoff = pauses.next();
            if !transient || attempt >= policy.attempts() {
                return Err(result);
            }
            let pause = match retry_after {
                Some(wait) if policy.honours(wait) => wait,
                Some(_) => return Err(result),
                None => backoff.unwrap_or_default(),
            };
            if !ends_before(pause, deadline) {
                return Err(result);
            }
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    /// One token request; a failure comes with the endpoint's `Retry-After`, when it gave one.
    async fn fetch(
        &self,
        client: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<Token, (AuthError, Option<Duration>)> {
        let basic = self.basic();
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
            .map_err(|_| (AuthError::InvalidSecret, None))?;
        authorization.set_sensitive(true);
        let mut request = client.post(&self.token_url);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout.max(Duration::from_millis(1)));
        }
        let transport =
            |e: reqwest::Error| (AuthError::TokenTransport(Arc::new(e.without_url())), None);
        let mut response = request
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
            let origin = crate::redirect_origin(response.url(), response.headers());
            return Err((
                AuthError::TokenRedirected {
                    status: status.as_u16(),
                    origin,
                },
                None,
            ));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = read_capped(&mut response, MAX_TOKEN_BODY)
            .await
            .map_err(transport)?;
        if !status.is_success() {
            let secrets = Secrets::new([self.client_secret.expose_secret().to_owned(), basic]);
            let text = String::from_utf8_lossy(&body.bytes[..body.bytes.len().min(1024)]);
            return Err((
                AuthError::TokenRefused {
                    status: status.as_u16(),
                    body: secrets.text(&text),
                },
                retry_after,
            ));
        }
        if body.truncated {
            return Err((
                AuthError::TokenTooLarge {
                    limit: MAX_TOKEN_BODY,
                },
                None,
            ));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body.bytes)
            .map_err(|e| (AuthError::TokenMalformed(e.to_string()), None))?;
        let value = parsed
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| (AuthError::TokenMalformed("no access_token".into()), None))?;
        let lifetime = parsed
            .expires_in
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
            .field("token_url", &self.grant.token_url)
            .field("client_id", &self.grant.client_id)
            .field("client_secret", &"***")
            .field("scope", &self.grant.scope)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetime_of(json: &str) -> Option<Duration> {
        serde_json::from_str::<TokenResponse>(json)
            .unwrap()
            .expires_in
    }

    #[test]
    fn expires_in_as_an_integer_a_float_or_a_string() {
        let hour = Some(Duration::from_secs(3600));
        assert_eq!(lifetime_of(r#"{"expires_in": 3600}"#), hour);
        assert_eq!(lifetime_of(r#"{"expires_in": 3600.0}"#), hour);
        assert_eq!(lifetime_of(r#"{"expires_in": "3600"}"#), hour);
        assert_eq!(
            lifetime_of(r#"{"expires_in": " 1.5 "}"#),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(lifetime_of(r#"{"expires_in": 1e300}"#), Some(MAX_LIFETIME));
        for unsaid in [
            r#"{}"#,
            r#"{"expires_in": null}"#,
            r#"{"expires_in": -5}"#,
            r#"{"expires_in": "soon"}"#,
            r#"{"expires_in": [1]}"#,
        ] {
            assert_eq!(lifetime_of(unsaid), None, "{unsaid}");
        }
    }
}
