//! Everything a client is configured with, except its credentials.

use std::sync::Arc;
use std::time::Duration;

use crate::{Auth, DEFAULT_TIMEOUT, Inner, RetryPolicy, Transport};

/// How long connecting may take on a `reqwest::Client` built here.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The configuration of one client: base URL, timeouts, retry policy, user agent, and optionally a
/// `reqwest::Client` of your own (its connection pool, proxy, TLS settings). The defaults suit production:
/// a 30 s budget per call, 10 s to connect, four attempts for what is safe to repeat, `cdp/<version>` as
/// user agent. Proxies come from `HTTP_PROXY`/`HTTPS_PROXY` through reqwest.
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
/// # Ok::<(), reqwest::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientConfig {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
    transport: Option<Arc<dyn Transport>>,
}

impl ClientConfig {
    /// The defaults, for the service at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: concat!("cdp/", env!("CARGO_PKG_VERSION")).to_owned(),
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

    /// The `User-Agent` sent with every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends with this `reqwest::Client` instead of building one.
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

    /// The `reqwest::Client` and the [`Inner`] that a generated client is built from
    /// (`Client::new_with_client(config.url(), http, inner)`); `service` names it in tracing.
    pub fn build(
        &self,
        service: &'static str,
        auth: Auth,
    ) -> Result<(reqwest::Client, Inner), reqwest::Error> {
        let http = match &self.http {
            Some(client) => client.clone(),
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()?,
        };
        let mut inner = Inner::new(auth)
            .with_service(service)
            .with_timeout(self.timeout)
            .with_retry(self.retry.clone())
            .with_user_agent(&self.user_agent);
        if let Some(transport) = &self.transport {
            inner = inner.with_shared_transport(transport.clone());
        }
        Ok((http, inner))
    }
}
