//! Everything a client is configured with, except its credentials.

use std::fmt;

use base64::Engine as _;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::{
    Auth, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, Inner, RetryPolicy,
    Transport, USER_AGENT,
};

/// How long connecting may take on a `reqwest::Client` built here.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The configuration of one client: base URL, timeouts, retry policy, user agent, body cap, and
/// optionally a `reqwest::Client` of your own (its connection pool, proxy, TLS settings). The defaults
/// suit production: a 30 s budget per call and 10 s per attempt, 10 s to connect, four attempts for what
/// is safe to repeat (ten for reads), success bodies up to 64 MiB, [`USER_AGENT`] as user agent (an
/// application's own name goes after it: see [`ClientConfig::user_agent`]).
/// Proxies come from `HTTP_PROXY`/`HTTPS_PROXY` through reqwest. Redirects are never followed: an
/// answer 3xx is an error naming where it pointed. Its `Debug` hides a password in the base URL.
///
/// ```
/// use std::time::Duration;
/// use cdp_transport::{Auth, ClientConfig, RetryPolicy};
///
/// let config = ClientConfig::new("https://api.contactlab.it/hub/v1")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_attempts(6))
///     .user_agent("my-service/1.2");
/// let (http, inner) = config.build("contacthub", Auth::bearer("token"))?;
/// # let _ = (http, inner);
/// # Ok::<(), cdp_transport::BuildError>(())
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    base_url: String,
    timeout: Duration,
    attempt_timeout: Duration,
    max_body: u64,
    connect_timeout: Duration,
    retry: RetryPolicy,
    /// The application's part of the `User-Agent`, after [`USER_AGENT`].
    app_name: Option<String>,
    http: Option<reqwest::Client>,
    transport: Option<Arc<dyn Transport>>,
}

impl ClientConfig {
    /// The defaults, for the service at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: DEFAULT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            app_name: None,
            http: None,
            transport: None,
        }
    }

    /// Sets the base URL.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// How long a call may take, all attempts and pauses together.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long one attempt may take; a stalled attempt is retried (when safe) within
    /// [`ClientConfig::timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080").attempt_timeout(Duration::from_secs(5));
    /// # let _ = config;
    /// ```
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The most bytes a success body may have (64 MiB unless set). Reading stops there, and the call
    /// fails with a typed "too large" error that is not retried.
    ///
    /// ```
    /// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080").max_body_size(256 << 20);
    /// # let _ = config;
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// How long connecting may take (only on a `reqwest::Client` built here).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Names the application in the `User-Agent` of every request: it goes after the crate's own,
    /// `cdp/<version> my-service/1.2`, as the AWS SDKs add an application name, so that the service (and
    /// its support) can still tell which client sent a request. Setting it again replaces the
    /// application's part. A value no HTTP header can carry (a line break, a control character) makes
    /// [`ClientConfig::build`] fail with [`BuildError::InvalidUserAgent`].
    ///
    /// ```
    /// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080").user_agent("my-service/1.2");
    /// assert_eq!(config.user_agent_header().unwrap(), concat!("cdp/", env!("CARGO_PKG_VERSION"), " my-service/1.2"));
    /// let broken = cdp_transport::ClientConfig::new("http://127.0.0.1:8080").user_agent("a\nb");
    /// assert!(matches!(broken.build("x", cdp_transport::Auth::None), Err(cdp_transport::BuildError::InvalidUserAgent)));
    /// ```
    pub fn user_agent(mut self, app_name: impl Into<String>) -> Self {
        self.app_name = Some(app_name.into());
        self
    }

    /// The `User-Agent` header every request carries: [`USER_AGENT`], then the application's name when
    /// one is set; an error if that name cannot be in a header.
    ///
    /// ```
    /// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080");
    /// assert_eq!(config.user_agent_header().unwrap(), cdp_transport::USER_AGENT);
    /// ```
    pub fn user_agent_header(&self) -> Result<HeaderValue, BuildError> {
        let app = self
            .app_name
            .as_deref()
            .map(|a| a.trim_matches(|c| c == ' ' || c == '\t'))
            .filter(|a| !a.is_empty());
        match app {
            None => Ok(HeaderValue::from_static(USER_AGENT)),
            Some(app) => HeaderValue::from_str(&format!("{USER_AGENT} {app}"))
                .map_err(|_| BuildError::InvalidUserAgent),
        }
    }

    /// Sends with this `reqwest::Client` instead of building one. Build it with
    /// `.redirect(reqwest::redirect::Policy::none())` (or start from [`client_builder`]), as this crate
    /// builds its own: reqwest's default policy follows redirects to other hosts with API keys, AWS
    /// session tokens and request bodies.
    ///
    /// ```
    /// let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    /// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080").http_client(http);
    /// # let _ = config;
    /// # Ok::<(), reqwest::Error>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sends through this transport instead of over the network, for instance one that records
    /// requests or answers from memory in your tests.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base_url
    }

    /// Whether [`ClientConfig::build`] reuses a `reqwest::Client` given with
    /// [`ClientConfig::http_client`] rather than building one.
    ///
    /// ```
    /// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080");
    /// assert!(!config.has_http_client());
    /// assert!(config.http_client(reqwest::Client::new()).has_http_client());
    /// ```
    pub fn has_http_client(&self) -> bool {
        self.http.is_some()
    }

    /// The `reqwest::Client` and the [`Inner`] that a generated client is built from
    /// (`Client::new_with_client(config.url(), http, inner)`); `service` names it in tracing. Fails on a
    /// user agent no header can carry, and when reqwest cannot build a client (no usable TLS).
    pub fn build(
        &self,
        service: &'static str,
        auth: Auth,
    ) -> Result<(reqwest::Client, Inner), BuildError> {
        let user_agent = self.user_agent_header()?;
        let http = match &self.http {
            Some(client) => client.clone(),
            None => client_builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(BuildError::Http)?,
        };
        // A password in the base URL goes out as HTTP Basic: both forms are scrubbed from answers.
        let password: Vec<String> = reqwest::Url::parse(&self.base_url)
            .ok()
            .and_then(|url| {
                let password = url.password()?.to_owned();
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{password}", url.username()));
                Some(vec![password, basic])
            })
            .unwrap_or_default();
        let mut inner = Inner::new(auth)
            .with_service(service)
            .with_timeout(self.timeout)
            .with_attempt_timeout(self.attempt_timeout)
            .with_max_body(self.max_body)
            .with_extra_secrets(password)
            .with_retry(self.retry.clone())
            .with_user_agent(user_agent);
        if let Some(transport) = &self.transport {
            inner = inner.with_shared_transport(transport.clone());
        }
        Ok((http, inner))
    }
}

/// Why [`ClientConfig::build`] could not build a client.
///
/// ```
/// let err = cdp_transport::ClientConfig::new("http://127.0.0.1:8080")
///     .user_agent("app\r\nX-Evil: 1")
///     .build("example", cdp_transport::Auth::None)
///     .unwrap_err();
/// assert!(err.to_string().contains("User-Agent"), "{err}");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The application name given to [`ClientConfig::user_agent`] holds characters an HTTP header
    /// cannot carry (a line break, a control character).
    InvalidUserAgent,
    /// reqwest could not build the HTTP client (no usable TLS backend, say).
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUserAgent => f.write_str(
                "the application name for the User-Agent holds characters an HTTP header cannot carry",
            ),
            Self::Http(e) => write!(f, "the HTTP client could not be built: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(e) => Some(e),
            Self::InvalidUserAgent => None,
        }
    }
}

/// A `reqwest::ClientBuilder` with the settings every client of this crate needs: redirects are not
/// followed (reqwest's default policy would send API keys, AWS session tokens and request bodies to
/// whatever host a 3xx names) and connecting may take [`DEFAULT_CONNECT_TIMEOUT`]. Start from it when
/// you build a `reqwest::Client` of your own for [`ClientConfig::http_client`].
///
/// ```
/// let http = cdp_transport::client_builder().pool_max_idle_per_host(4).build()?;
/// let config = cdp_transport::ClientConfig::new("http://127.0.0.1:8080").http_client(http);
/// # let _ = config;
/// # Ok::<(), reqwest::Error>(())
/// ```
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &redacted(&self.base_url))
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_body", &self.max_body)
            .field("retry", &self.retry)
            .field("app_name", &self.app_name)
            .field("http", &self.http)
            .field("transport", &self.transport)
            .finish()
    }
}

/// A URL with its password masked; a URL that does not parse is shown only as that.
fn redacted(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only URLs that cannot have a password refuse this, and this one has one.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) if url.contains('@') => "<unparsable URL>".to_owned(),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_a_password_in_the_base_url() {
        let config = ClientConfig::new("https://user:pa55w0rd@host.example/api");
        let shown = format!("{config:?}");
        assert!(!shown.contains("pa55w0rd"), "{shown}");
        assert!(shown.contains("user:***@host.example"), "{shown}");
    }
}
