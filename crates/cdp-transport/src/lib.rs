//! The one way requests of the `cdp` clients go out.
//!
//! Every generated `*-api` client executes its requests through progenitor's hooks, and each crate
//! implements them with [`impl_client_hooks!`]: [`Inner::prepare`] authenticates a request before it is
//! sent (a bearer token, an API key, an OAuth2 token fetched and cached, or a SigV4 signature), and
//! [`Inner::execute`] sends it through a [`Transport`] ([`Direct`] over the network by default, or a test's
//! own transport that records requests), retrying what is safe to retry under a [`RetryPolicy`] within
//! the client's timeout, in a `tracing` span per request. After a 401, a client with OAuth2 credentials
//! drops its token, fetches a new one and sends the request once more.
//!
//! ```
//! use cdp_transport::{Auth, Inner};
//!
//! let inner = Inner::new(Auth::bearer("token"));
//! assert!(!format!("{inner:?}").contains("token"));
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod attempts;
mod auth;
mod config;
mod operation;
pub mod path;
mod retry;
mod transport;

pub use auth::{Auth, AuthError, AwsCredentials, AwsProfileSource, ClientCredentials, SigV4};
pub use config::{ClientConfig, DEFAULT_CONNECT_TIMEOUT};
pub use operation::Operation;
pub use retry::RetryPolicy;
pub use transport::{BoxFuture, Direct, Transport};

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tracing::Instrument as _;

use retry::Outcome;

/// How long a call may take, all attempts and pauses together, unless the client says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What every generated client carries besides its base URL and `reqwest::Client`: how to authenticate,
/// how to retry, how long a call may take, and how to send. Its `Debug` never shows a secret.
///
/// ```
/// use std::time::Duration;
/// use cdp_transport::{Auth, Inner, RetryPolicy};
///
/// let inner = Inner::new(Auth::bearer("token"))
///     .with_service("contacthub")
///     .with_timeout(Duration::from_secs(10))
///     .with_retry(RetryPolicy::default().max_attempts(5));
/// assert_eq!(inner.timeout(), Duration::from_secs(10));
/// ```
#[derive(Clone, Debug)]
pub struct Inner {
    auth: Auth,
    transport: Arc<dyn Transport>,
    service: &'static str,
    retry: RetryPolicy,
    timeout: Duration,
    user_agent: Option<reqwest::header::HeaderValue>,
}

impl Inner {
    /// Sends with [`Direct`], the given authentication, the default [`RetryPolicy`] and
    /// [`DEFAULT_TIMEOUT`].
    ///
    /// ```
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::api_key("x-api-key", "k"));
    /// # let _ = inner;
    /// ```
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            transport: Arc::new(Direct),
            service: "cdp",
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: None,
        }
    }

    /// Replaces the transport, for instance with one that records requests in tests.
    ///
    /// ```
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None).with_transport(cdp_transport::Direct);
    /// # let _ = inner;
    /// ```
    pub fn with_transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Arc::new(transport);
        self
    }

    /// Replaces the transport with one already shared.
    pub fn with_shared_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = transport;
        self
    }

    /// Names the service in tracing spans.
    pub fn with_service(mut self, service: &'static str) -> Self {
        self.service = service;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets how long a call may take, all attempts and the pauses between them together.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the `User-Agent` of every request (a value that is no valid header is ignored).
    pub fn with_user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = reqwest::header::HeaderValue::from_str(user_agent).ok();
        self
    }

    /// The authentication in use.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The retry policy in use.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// How long a call may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Makes a built request ready to send: authenticates it. Called by the generated clients before
    /// [`Inner::execute`]; an error here is reported by the client without anything being sent.
    ///
    /// progenitor adds an `api-version` header (the spec's `info.version`) to every request. None of the
    /// services reads it, and AWS would have to sign it, so it is removed here.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::bearer("t"));
    /// let client = reqwest::Client::new();
    /// let mut request = client.get("http://127.0.0.1:8080/").build()?;
    /// inner.prepare(&client, &mut request).await?;
    /// assert_eq!(request.headers()["authorization"], "Bearer t");
    /// # Ok(()) }
    /// ```
    pub async fn prepare(
        &self,
        client: &reqwest::Client,
        request: &mut reqwest::Request,
    ) -> Result<(), AuthError> {
        request.headers_mut().remove("api-version");
        if let Some(user_agent) = &self.user_agent {
            request
                .headers_mut()
                .insert(reqwest::header::USER_AGENT, user_agent.clone());
        }
        self.auth
            .authorize(client, request, Some(self.timeout))
            .await
    }

    /// Sends one prepared request of the operation `operation` (snake case, as the generated client names
    /// it), retrying as the policy allows within the timeout; called by the generated clients. The answer's
    /// body is read here, so that a connection lost in the middle of it counts as a failed attempt.
    ///
    /// ```no_run
    /// # async fn run() -> reqwest::Result<()> {
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None);
    /// let client = reqwest::Client::new();
    /// let request = client.get("http://127.0.0.1:8080/").build()?;
    /// let response = inner.execute(&client, request, "get_root").await?;
    /// # let _ = response; Ok(()) }
    /// ```
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "cdp.request",
            service = self.service,
            operation,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.send(client, request, operation).instrument(span).await
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        // A timeout too long for the clock means no deadline.
        let deadline = started.checked_add(self.timeout);
        let remaining = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        // A caller may declare a POST safe to repeat for this call (it carries an idempotency key).
        let repeatable = self.retry.may_repeat(request.method(), operation)
            || (attempts::declared_repeatable() && self.retry.attempts() > 1);
        let mut pauses = self.retry.backoff();
        let mut refreshed = false;
        let mut attempt = 1;
        let mut request = request;
        loop {
            let spare = request.try_clone();
            *request.timeout_mut() = remaining().map(|r| r.max(Duration::from_millis(1)));
            let result = self.attempt(client, request, operation).await;
            attempts::note(&result);
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            tracing::debug!(
                attempt,
                status,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "attempt"
            );

            let outcome = match &result {
                Ok(response)
                    if response.status() == reqwest::StatusCode::UNAUTHORIZED && !refreshed =>
                {
                    // A token that expired or was revoked: one more try with a fresh one, if the auth has one.
                    match spare {
                        Some(mut again) if self.auth.unauthorized(&again).await => {
                            refreshed = true;
                            if self
                                .auth
                                .authorize(client, &mut again, remaining())
                                .await
                                .is_ok()
                            {
                                request = again;
                                attempt += 1;
                                continue;
                            }
                        }
                        _ => {}
                    }
                    return self.finish(result, attempt, started);
                }
                Ok(response) => {
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok());
                    retry::status_outcome(response.status(), retry_after, SystemTime::now())
                }
                Err(error) => retry::error_outcome(error),
            };
            let Outcome::Retry(retry_after) = outcome else {
                return self.finish(result, attempt, started);
            };
            let Some(mut again) = spare.filter(|_| repeatable && attempt < self.retry.attempts())
            else {
                return self.finish(result, attempt, started);
            };
            let pause = match retry_after {
                Some(wait) if self.retry.honours(wait) => wait,
                Some(_) => return self.finish(result, attempt, started),
                None => pauses.next().unwrap_or_default(),
            };
            if !retry::ends_before(pause, deadline) {
                return self.finish(result, attempt, started);
            }
            tokio::time::sleep(pause).await;
            // A new signature time, or a token refreshed meanwhile.
            if self
                .auth
                .authorize(client, &mut again, remaining())
                .await
                .is_err()
            {
                return self.finish(result, attempt, started);
            }
            request = again;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.transport.execute(client, request, operation).await?;
        let status = response.status();
        let version = response.version();
        let mut headers = response.headers().clone();
        let mut body = response.bytes().await?;
        if (status.is_client_error() || status.is_server_error()) && !is_json_object(&body) {
            body = error_envelope(&body);
            headers.insert(
                reqwest::header::CONTENT_TYPE,
                reqwest::header::HeaderValue::from_static("application/json"),
            );
            headers.insert(
                reqwest::header::CONTENT_LENGTH,
                reqwest::header::HeaderValue::from(body.len()),
            );
        }
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }

    fn finish(
        &self,
        result: reqwest::Result<reqwest::Response>,
        attempts: u32,
        started: Instant,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::Span::current();
        span.record("attempts", attempts);
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::info!(status = response.status().as_u16(), attempts, "done");
            }
            Err(error) => tracing::warn!(attempts, error = %error, "failed"),
        }
        result
    }
}

fn is_json_object(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_ok()
}

/// An error answer whose body is not a JSON object (empty, HTML from a proxy, plain text, a JSON array)
/// would make the generated client drop the status and report a decoding failure. Every service's error
/// type has a `message` (AWS: `Message`), so the text goes there and the status survives.
fn error_envelope(body: &[u8]) -> bytes::Bytes {
    // A whole HTML error page is not a message; its first 4 KiB say what it is.
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let text = text.trim();
    let envelope = if text.is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({"message": text, "Message": text})
    };
    bytes::Bytes::from(envelope.to_string())
}

#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
}

/// Implements progenitor's `ClientHooks` for a generated `Client` whose inner type is [`Inner`], so that
/// every request is prepared by [`Inner::prepare`] and sent by [`Inner::execute`]. Use it once in each
/// `*-api` crate (the orphan rule keeps the impl there).
///
/// ```ignore
/// cdp_transport::impl_client_hooks!(Client);
/// ```
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::Inner> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::__private::reqwest::Request,
                _info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                self.inner()
                    .prepare(self.client(), request)
                    .await
                    .map_err(|e| $crate::__private::progenitor_client::Error::Custom(e.to_string()))
            }

            async fn exec(
                &self,
                request: $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> $crate::__private::reqwest::Result<$crate::__private::reqwest::Response> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                self.inner()
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
        }
    };
}
