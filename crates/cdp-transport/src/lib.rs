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
mod body;
mod config;
mod error;
mod operation;
pub mod path;
mod retry;
mod scrub;
mod transport;

pub use auth::{Auth, AuthError, AwsCredentials, AwsProfileSource, ClientCredentials, SigV4};
pub use body::{
    DEFAULT_MAX_BODY, ERROR_TEXT_KEPT, MAX_ERROR_BODY, MAX_JSON_ERROR_BODY, MAX_TOKEN_BODY,
};
pub use config::{BuildError, ClientConfig, DEFAULT_CONNECT_TIMEOUT, client_builder};
pub use error::TransportError;
pub use operation::Operation;
pub use retry::RetryPolicy;
pub use transport::{BoxFuture, Direct, Transport};

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use tracing::Instrument as _;

use retry::Outcome;
use scrub::Secrets;

/// How long a call may take, all attempts and pauses together, unless the client says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long one attempt may take, unless the client says otherwise: a stalled attempt is given up
/// after this and, when the request is safe to repeat, sent again within the call's [`DEFAULT_TIMEOUT`].
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `User-Agent` every request carries, `cdp/<version>`; an application's name goes after it
/// ([`ClientConfig::user_agent`]).
///
/// ```
/// assert!(cdp_transport::USER_AGENT.starts_with("cdp/"));
/// ```
pub const USER_AGENT: &str = concat!("cdp/", env!("CARGO_PKG_VERSION"));

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
    attempt_timeout: Duration,
    max_body: u64,
    user_agent: reqwest::header::HeaderValue,
    /// Secrets besides the auth's own, such as a password in the base URL.
    extra_secrets: Arc<[String]>,
}

impl Inner {
    /// Sends with [`Direct`], the given authentication, the default [`RetryPolicy`],
    /// [`DEFAULT_TIMEOUT`] and [`USER_AGENT`].
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
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            user_agent: reqwest::header::HeaderValue::from_static(USER_AGENT),
            extra_secrets: Arc::from(Vec::new()),
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

    /// Sets how long one attempt may take; a stalled attempt is then retried (when the request is safe
    /// to repeat) within the call's timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None).with_attempt_timeout(Duration::from_secs(3));
    /// assert_eq!(inner.attempt_timeout(), Duration::from_secs(3));
    /// ```
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets the most bytes a success body may have ([`DEFAULT_MAX_BODY`] unless set); a longer one is
    /// a [`TransportError::TooLarge`], and reading stops at the cap.
    ///
    /// ```
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None).with_max_body(1 << 20);
    /// assert_eq!(inner.max_body(), 1 << 20);
    /// ```
    pub fn with_max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    pub(crate) fn with_extra_secrets(mut self, secrets: Vec<String>) -> Self {
        self.extra_secrets = Arc::from(secrets);
        self
    }

    /// How long one attempt may take.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// The most bytes a success body may have.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    /// Sets the whole `User-Agent` of every request ([`USER_AGENT`] unless set). A header value, so that
    /// one no header can carry is refused where it is made, not dropped here;
    /// [`ClientConfig::user_agent`] builds one with the crate's name first.
    ///
    /// ```
    /// use cdp_transport::{Auth, Inner, USER_AGENT};
    /// let value = reqwest::header::HeaderValue::from_str(&format!("{USER_AGENT} my-app/2"))?;
    /// let inner = Inner::new(Auth::None).with_user_agent(value);
    /// # let _ = inner;
    /// # Ok::<(), reqwest::header::InvalidHeaderValue>(())
    /// ```
    pub fn with_user_agent(mut self, user_agent: reqwest::header::HeaderValue) -> Self {
        self.user_agent = user_agent;
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
    /// [`Inner::execute`]; an error here is reported by the client without anything being sent. An
    /// OAuth2 token is got by [`Inner::execute`] instead, so that waiting for it counts in the call's
    /// deadline.
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
        request
            .headers_mut()
            .insert(reqwest::header::USER_AGENT, self.user_agent.clone());
        if self.auth.fetches_tokens() {
            return Ok(());
        }
        self.auth
            .authorize(client, request, Some(self.timeout))
            .await
    }

    /// Reads the body of an answer that [`Inner::execute`] gave, within the client's cap for success
    /// bodies: for code that sends through `execute` itself instead of a generated client. A longer body
    /// is a [`TransportError::TooLarge`] inside the `reqwest::Error`.
    ///
    /// ```no_run
    /// # async fn run() -> reqwest::Result<()> {
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None);
    /// let client = reqwest::Client::new();
    /// let request = client.get("http://127.0.0.1:8080/").build()?;
    /// let response = inner.execute(&client, request, "get_root").await?;
    /// let body = inner.read_body(response).await?;
    /// # let _ = body; Ok(()) }
    /// ```
    pub async fn read_body(
        &self,
        mut response: reqwest::Response,
    ) -> reqwest::Result<bytes::Bytes> {
        let body = body::read_capped(&mut response, self.max_body).await?;
        if body.truncated {
            return Err(TransportError::TooLarge {
                limit: self.max_body,
            }
            .into_reqwest());
        }
        Ok(body.bytes)
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
        // A caller may declare a POST safe to repeat for this call (it carries an idempotency key, such as
        // a ContactHub customer's `externalId`): it is then as patient as a read, since a repeat cannot
        // write twice.
        let declared = crate::attempts::declared_repeatable();
        let attempts = if declared {
            self.retry.attempts_of_reads()
        } else {
            self.retry.attempts_for(request.method(), operation)
        };
        let repeatable =
            self.retry.may_repeat(request.method(), operation) || (declared && attempts > 1);
        let mut pauses = self.retry.backoff(attempts);
        let mut refreshed = false;
        let mut attempt = 1;
        let mut request = request;
        if self.auth.fetches_tokens() {
            // The token (fetched, or waited for) is part of the call, inside its deadline.
            if let Err(e) = self.auth.authorize(client, &mut request, remaining()).await {
                return self.finish(Err(TransportError::Auth(e).into_reqwest()), 0, started);
            }
        }
        loop {
            let spare = request.try_clone();
            let budget = remaining().map_or(self.attempt_timeout, |r| r.min(self.attempt_timeout));
            *request.timeout_mut() = Some(budget.max(Duration::from_millis(1)));
            let Attempt { result, outcome } = self.attempt(client, request, operation).await;
            crate::attempts::note(&result);
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            tracing::debug!(
                attempt,
                status,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "attempt"
            );

            let outcome = match (&result, outcome) {
                (_, Some(outcome)) => outcome,
                (Ok(response), None)
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
                (Ok(response), None) => {
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok());
                    retry::status_outcome(response.status(), retry_after, SystemTime::now())
                }
                (Err(error), None) => retry::error_outcome(error),
            };
            let Outcome::Retry(retry_after) = outcome else {
                return self.finish(result, attempt, started);
            };
            let Some(mut again) = spare.filter(|_| repeatable && attempt < attempts) else {
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

    /// One attempt: sends, refuses a redirect, reads the body within its cap, and scrubs the client's
    /// credentials from an error answer. The outcome, when given, overrides the usual rules.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> Attempt {
        let secrets = self.secrets(&request);
        let url = request.url().clone();
        let budget = request.timeout().copied();
        let mut response = match self.transport.execute(client, request, operation).await {
            Ok(response) => response,
            Err(error) => return Attempt::plain(Err(timed_out(error, budget))),
        };
        let status = response.status();
        let version = response.version();
        if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
            let origin = redirect_origin(&url, response.headers());
            let error = TransportError::Redirect {
                status: status.as_u16(),
                origin,
            };
            return Attempt::fatal(error);
        }
        let is_error = status.is_client_error() || status.is_server_error();
        // A JSON error answer may carry data (BlueConic's 413 answers the results of the entries it
        // processed, ~70 bytes each): it gets a larger cap than any other error page.
        let cap = if is_error && !declares_json(response.headers()) {
            MAX_ERROR_BODY
        } else if is_error {
            self.max_body.min(MAX_JSON_ERROR_BODY)
        } else {
            if response.content_length().is_some_and(|n| n > self.max_body) {
                return Attempt::fatal(TransportError::TooLarge {
                    limit: self.max_body,
                });
            }
            self.max_body
        };
        let body = match body::read_capped(&mut response, cap).await {
            Ok(body) => body,
            // Cut short: reqwest calls it a decode error, but nothing was decoded; another attempt may
            // get the whole body.
            Err(error) if TransportError::find(&error).is_none() => {
                return Attempt {
                    result: Err(timed_out(error, budget)),
                    outcome: Some(Outcome::Retry(None)),
                };
            }
            Err(error) => return Attempt::plain(Err(error)),
        };
        let mut headers = response.headers().clone();
        secrets.headers(&mut headers);
        if body.truncated && !is_error {
            return Attempt::fatal(TransportError::TooLarge {
                limit: self.max_body,
            });
        }
        let mut bytes = body.bytes;
        let mut outcome = None;
        if is_error {
            if body.truncated || !is_json_document(&bytes) {
                bytes = error_envelope(&bytes, &secrets);
                headers.insert(
                    reqwest::header::CONTENT_TYPE,
                    reqwest::header::HeaderValue::from_static("application/json"),
                );
            } else if let Some(clean) = secrets.json(&bytes) {
                bytes = clean;
            }
            headers.insert(
                reqwest::header::CONTENT_LENGTH,
                reqwest::header::HeaderValue::from(bytes.len()),
            );
            // An error page past its cap is not worth downloading again.
            if body.truncated {
                outcome = Some(Outcome::Final);
            }
        } else if let Some(clean) = secrets.body(&bytes) {
            // A success body that echoes a credential: a decode error keeps the body, and the caller
            // may print what it decodes.
            bytes = clean;
            headers.insert(
                reqwest::header::CONTENT_LENGTH,
                reqwest::header::HeaderValue::from(bytes.len()),
            );
        }
        let mut rebuilt = http::Response::new(bytes);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Attempt {
            result: Ok(reqwest::Response::from(rebuilt)),
            outcome,
        }
    }

    /// The credentials to scrub from the answer to `request`: the auth's, the base URL's password, and
    /// every sensitive header the request carries (a token, a signature, a session token).
    fn secrets(&self, request: &reqwest::Request) -> Secrets {
        let mut values = self.auth.secrets();
        values.extend(self.extra_secrets.iter().cloned());
        for value in request.headers().values().filter(|v| v.is_sensitive()) {
            if let Ok(value) = value.to_str() {
                values.extend(
                    ["Bearer ", "Basic "]
                        .iter()
                        .filter_map(|scheme| value.strip_prefix(scheme))
                        .map(str::to_owned),
                );
                values.push(value.to_owned());
            }
        }
        Secrets::new(values)
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
        result.map_err(without_password)
    }
}

/// What one attempt gave, and what to make of it when the usual rules do not apply.
struct Attempt {
    result: reqwest::Result<reqwest::Response>,
    outcome: Option<Outcome>,
}

impl Attempt {
    fn plain(result: reqwest::Result<reqwest::Response>) -> Self {
        Self {
            result,
            outcome: None,
        }
    }

    /// A refusal of the transport's own: typed, and never retried.
    fn fatal(error: TransportError) -> Self {
        Self {
            result: Err(error.into_reqwest()),
            outcome: Some(Outcome::Final),
        }
    }
}

/// A timed-out attempt as a [`TransportError::Timeout`] that says how long it waited (reqwest's own
/// error does not). A connect timeout stays as it is: it tells that nothing was sent.
fn timed_out(error: reqwest::Error, budget: Option<Duration>) -> reqwest::Error {
    match budget {
        Some(after)
            if error.is_timeout()
                && !error.is_connect()
                && TransportError::find(&error).is_none() =>
        {
            TransportError::Timeout { after }.into_reqwest()
        }
        _ => error,
    }
}

/// A reqwest error names the URL; a password in it must not be printed.
fn without_password(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut().filter(|url| url.password().is_some()) {
        // Only URLs that cannot have a password refuse this, and this one has one.
        let _ = url.set_password(Some("***"));
    }
    error
}

/// The origin (scheme, host, port) a redirect points to: never its path or query, which may hold
/// anything.
pub(crate) fn redirect_origin(
    from: &reqwest::Url,
    headers: &reqwest::header::HeaderMap,
) -> Option<String> {
    let location = headers.get(reqwest::header::LOCATION)?.to_str().ok()?;
    let target = from.join(location).ok()?;
    let origin = target.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Whether the answer says its body is JSON (`application/json`, or a `+json` type).
fn declares_json(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

/// A JSON object or array: an error document the generated client decodes as it is (an array is how
/// BlueConic answers the results of a partly processed bulk write).
fn is_json_document(body: &[u8]) -> bool {
    match body.trim_ascii_start().first() {
        Some(b'{' | b'[') => serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok(),
        _ => false,
    }
}

/// An error answer whose body is not a JSON document (empty, HTML from a proxy, plain text, a bare JSON
/// string) would make the generated client drop the status and report a decoding failure. Every
/// service's error type has a `message` (AWS: `Message`), so the text goes there and the status survives.
fn error_envelope(body: &[u8], secrets: &Secrets) -> bytes::Bytes {
    // A whole HTML error page is not a message; its first 4 KiB say what it is. Scrubbed before the
    // cut, so that no part of a credential survives at the edge.
    let text = secrets.text(&String::from_utf8_lossy(body));
    let mut end = text.len().min(ERROR_TEXT_KEPT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = text[..end].trim();
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
                    .map_err(|e| {
                        $crate::__private::progenitor_client::Error::CommunicationError(
                            $crate::TransportError::Auth(e).into_reqwest(),
                        )
                    })
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
