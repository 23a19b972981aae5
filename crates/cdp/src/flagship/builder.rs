//! Starting Flagship: the environment, the API key, the decision mode, the timeout, the three endpoints,
//! the event hook and the visitor cache; the handle every visitor is made from.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use cdp_transport::{Auth, ClientConfig, RetryPolicy};
use flagship_api::operations;

use super::bucketing::polling::Poller;
use super::cache::VisitorCache;
use super::events::{Event, Hook};
use super::visitor::VisitorBuilder;
use crate::client_core::{Problem, checked_base_url, connect, header_secret_problem};
use crate::{Error, Result};

/// The Decision API (`POST /v2/{envId}/campaigns`, `POST /v2/activate`, `POST /v2/{envId}/events`).
pub const DEFAULT_DECISION_URL: &str = "https://decision.flagship.io";
/// The CDN that serves the bucketing file (`GET /{envId}/bucketing.json`).
pub const DEFAULT_CDN_URL: &str = "https://cdn.flagship.io";
/// The hit collector.
pub const DEFAULT_HITS_URL: &str = "https://ariane.abtasty.com";
/// How long a call to a Flagship service may take before defaults are used, as in the SDK: 2 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the bucketing file is polled, as in the SDK: every 60 s.
pub const DEFAULT_POLLING_INTERVAL: Duration = Duration::from_secs(60);
/// The `x-sdk-client` header of decisions, activations and context events, where the Python SDK sends
/// `python`: this library's name, so that the service's figures never count it as an official SDK.
///
/// ```
/// assert_eq!(cdp::flagship::SDK_CLIENT, "cdp-rust");
/// ```
pub const SDK_CLIENT: &str = "cdp-rust";
/// The `x-sdk-version` header sent beside [`SDK_CLIENT`]: this crate's version.
///
/// ```
/// assert_eq!(cdp::flagship::SDK_VERSION, env!("CARGO_PKG_VERSION"));
/// ```
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How visitors are decided.
///
/// ```
/// use std::time::Duration;
/// use cdp::flagship::Mode;
/// assert_eq!(Mode::default(), Mode::DecisionApi);
/// let offline = Mode::Bucketing { polling_interval: Duration::from_secs(30) };
/// # let _ = offline;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Every synchronisation asks the Decision API.
    #[default]
    DecisionApi,
    /// Visitors are decided locally from the bucketing file, downloaded at start and polled (with
    /// `If-Modified-Since`) every `polling_interval`.
    Bucketing {
        /// The pause between two polls.
        polling_interval: Duration,
    },
}

/// A started Flagship environment. Cheap to clone (clones share the HTTP client, the bucketing file and
/// its polling, which stops when the last clone is dropped); there is no global instance. `Debug` hides
/// the API key.
///
/// ```no_run
/// # async fn run() -> cdp::Result<()> {
/// let fs = cdp::flagship::Flagship::builder("env-id", "api-key").bucketing().start().await?;
/// let visitor = fs.visitor("visitor-1").build()?;
/// # let _ = visitor; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Flagship {
    pub(crate) shared: Arc<Shared>,
}

/// What every clone of a [`Flagship`] shares.
pub(crate) struct Shared {
    pub(crate) env_id: String,
    pub(crate) mode: Mode,
    pub(crate) timeout: Duration,
    pub(crate) decision: flagship_api::Client,
    pub(crate) hits: flagship_api::Client,
    pub(crate) hook: Hook,
    pub(crate) cache: Option<Arc<dyn VisitorCache>>,
    pub(crate) poller: Option<Arc<Poller>>,
    polling: Option<tokio::task::AbortHandle>,
}

/// The service's name in errors, as the generated client's errors name it.
pub(crate) const SERVICE: &str = "Flagship";

impl Shared {
    /// `call`, given the layer's timeout: past it, an [`Error::Timeout`], as the transport's own
    /// timeouts are.
    pub(crate) async fn within<T>(&self, call: impl Future<Output = T>) -> Result<T> {
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| timed_out(self.timeout))
    }
}

/// The error of a Flagship call that got no answer within `after`.
pub(crate) fn timed_out(after: Duration) -> Error {
    Error::Timeout {
        service: SERVICE,
        after: Some(after),
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(polling) = &self.polling {
            polling.abort();
        }
    }
}

/// The settings of a [`Flagship`] before [`start`](FlagshipBuilder::start). `Debug` hides the API key.
///
/// ```
/// use std::time::Duration;
/// let builder = cdp::flagship::Flagship::builder("env-id", "s3cr3t")
///     .timeout(Duration::from_millis(500))
///     .decision_url("http://127.0.0.1:8080/flagship/decision");
/// assert!(!format!("{builder:?}").contains("s3cr3t"));
/// ```
#[must_use = "a builder does nothing until `start` is called"]
pub struct FlagshipBuilder {
    env_id: String,
    auth: Auth,
    problem: Option<String>,
    mode: Mode,
    timeout: Duration,
    decision_url: String,
    cdn_url: String,
    hits_url: String,
    config: ClientConfig,
    hook: Hook,
    cache: Option<Arc<dyn VisitorCache>>,
}

impl fmt::Debug for FlagshipBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlagshipBuilder")
            .field("env_id", &self.env_id)
            .field("auth", &self.auth)
            .field("mode", &self.mode)
            .field("timeout", &self.timeout)
            .field("decision_url", &self.decision_url)
            .field("cdn_url", &self.cdn_url)
            .field("hits_url", &self.hits_url)
            .field("hook", &self.hook)
            .field("cache", &self.cache.is_some())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Flagship {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flagship")
            .field("env_id", &self.shared.env_id)
            .field("mode", &self.shared.mode)
            .field("timeout", &self.shared.timeout)
            .finish_non_exhaustive()
    }
}

impl Flagship {
    /// The settings of environment `env_id` reached with `api_key`: Decision API mode, a 2 s timeout,
    /// the production endpoints.
    ///
    /// ```
    /// let builder = cdp::flagship::Flagship::builder("env-id", "api-key");
    /// # let _ = builder;
    /// ```
    pub fn builder(env_id: impl Into<String>, api_key: impl Into<String>) -> FlagshipBuilder {
        let env_id = env_id.into();
        let api_key = api_key.into();
        let problem = if env_id.is_empty() {
            Some("the Flagship environment id is empty".to_owned())
        } else {
            header_secret_problem("Flagship API key", &api_key).map(|p| p.to_string())
        };
        FlagshipBuilder {
            env_id,
            auth: Auth::api_key("x-api-key", api_key),
            problem,
            mode: Mode::DecisionApi,
            timeout: DEFAULT_TIMEOUT,
            decision_url: DEFAULT_DECISION_URL.to_owned(),
            cdn_url: DEFAULT_CDN_URL.to_owned(),
            hits_url: DEFAULT_HITS_URL.to_owned(),
            // Deciding is a read sent as POST: safe to repeat, once, within the timeout.
            config: ClientConfig::new(DEFAULT_DECISION_URL).retry(
                RetryPolicy::default()
                    .max_attempts(2)
                    .safe_operations([operations::GET_CAMPAIGNS]),
            ),
            hook: Hook::default(),
            cache: None,
        }
    }

    /// The settings from the environment: `FLAGSHIP_ENV_ID` and `FLAGSHIP_API_KEY` (both required).
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let fs = cdp::flagship::Flagship::from_env()?.start().await?;
    /// # let _ = fs; Ok(()) }
    /// ```
    pub fn from_env() -> Result<FlagshipBuilder> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<FlagshipBuilder> {
        let var = |name: &str| {
            lookup(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::Config {
                    message: format!("the environment variable {name} is not set"),
                })
        };
        Ok(Self::builder(
            var("FLAGSHIP_ENV_ID")?,
            var("FLAGSHIP_API_KEY")?,
        ))
    }

    /// A visitor with id `visitor_id` (an empty id gets a generated one), to give a context and build.
    ///
    /// ```no_run
    /// # async fn run(fs: cdp::flagship::Flagship) -> cdp::Result<()> {
    /// let visitor = fs.visitor("visitor-1").context([("plan", "pro".into())]).build()?;
    /// # let _ = visitor; Ok(()) }
    /// ```
    pub fn visitor(&self, visitor_id: impl Into<String>) -> VisitorBuilder {
        VisitorBuilder::new(self.clone(), visitor_id.into())
    }

    /// The environment id.
    pub fn env_id(&self) -> &str {
        &self.shared.env_id
    }

    /// The decision mode.
    pub fn mode(&self) -> Mode {
        self.shared.mode
    }

    /// Downloads the bucketing file now (with `If-Modified-Since`), in bucketing mode: `Ok(true)` when
    /// a new file is in use, `Ok(false)` when it is unchanged (a 304); on an error the last good file is
    /// kept. In Decision API mode there is no file: `Ok(false)`.
    ///
    /// ```no_run
    /// # async fn run(fs: cdp::flagship::Flagship) -> cdp::Result<()> {
    /// let changed = fs.refresh_bucketing_file().await?;
    /// # let _ = changed; Ok(()) }
    /// ```
    pub async fn refresh_bucketing_file(&self) -> Result<bool> {
        match &self.shared.poller {
            Some(poller) => poller.refresh().await,
            None => Ok(false),
        }
    }

    /// The bucketing file in use, when one was downloaded (bucketing mode).
    pub fn bucketing_file(&self) -> Option<Arc<super::bucketing::Bucketing>> {
        self.shared.poller.as_ref().and_then(|p| p.current())
    }
}

impl FlagshipBuilder {
    /// Decides visitors with the Decision API (the default).
    pub fn decision_api(mut self) -> Self {
        self.mode = Mode::DecisionApi;
        self
    }

    /// Decides visitors locally from the bucketing file, polled every [`DEFAULT_POLLING_INTERVAL`].
    ///
    /// ```
    /// let builder = cdp::flagship::Flagship::builder("env-id", "api-key").bucketing();
    /// # let _ = builder;
    /// ```
    pub fn bucketing(mut self) -> Self {
        self.mode = Mode::Bucketing {
            polling_interval: DEFAULT_POLLING_INTERVAL,
        };
        self
    }

    /// The decision mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// How long a call to a Flagship service may take before defaults are used (2 s unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Decision API's base URL (without `/v2`), such as a sandbox's.
    pub fn decision_url(mut self, url: impl Into<String>) -> Self {
        self.decision_url = url.into();
        self
    }

    /// The CDN's base URL.
    pub fn cdn_url(mut self, url: impl Into<String>) -> Self {
        self.cdn_url = url.into();
        self
    }

    /// The hit collector's base URL.
    pub fn hits_url(mut self, url: impl Into<String>) -> Self {
        self.hits_url = url.into();
        self
    }

    /// The three endpoints of a running `cdp_sandbox`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let (urls, keys) = (sandbox.urls(), sandbox.credentials());
    /// let fs = cdp::flagship::Flagship::builder(&keys.flagship_env_id, &keys.flagship_api_key)
    ///     .endpoints(&urls.flagship_decision, &urls.flagship_cdn, &urls.flagship_hits)
    ///     .start()
    ///     .await?;
    /// # let _ = fs; Ok(()) }
    /// ```
    pub fn endpoints(self, decision: &str, cdn: &str, hits: &str) -> Self {
        self.decision_url(decision).cdn_url(cdn).hits_url(hits)
    }

    /// Tells `hook` about what goes wrong without failing a call (a service down, a garbled answer, a
    /// flag of another type than its default).
    ///
    /// ```
    /// let builder = cdp::flagship::Flagship::builder("env-id", "api-key")
    ///     .on_event(|event| eprintln!("flagship {event}"));
    /// # let _ = builder;
    /// ```
    pub fn on_event(mut self, hook: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.hook = Hook::new(hook);
        self
    }

    /// Keeps visitors' variations in `cache`, so that a visitor keeps them across restarts.
    pub fn visitor_cache(mut self, cache: impl VisitorCache + 'static) -> Self {
        self.cache = Some(Arc::new(cache));
        self
    }

    /// Changes the client configuration (retries, user agent, your own `reqwest::Client`, a transport
    /// for tests). Its timeouts are replaced by [`FlagshipBuilder::timeout`], and its base URL by the
    /// endpoints.
    ///
    /// ```
    /// let builder = cdp::flagship::Flagship::builder("env-id", "api-key")
    ///     .configure(|c| c.user_agent("my-app/1.0"));
    /// # let _ = builder;
    /// ```
    pub fn configure(mut self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.config = change(self.config);
        self
    }

    /// Checks the settings, builds the HTTP client and, in bucketing mode, downloads the bucketing file
    /// (within the timeout) and starts polling it. Fails only on an invalid configuration (an empty id
    /// or key, a wrong URL, an HTTP client that cannot be built), never because a service is down: the
    /// file is then fetched at the next poll, and visitors keep their defaults until then.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let fs = cdp::flagship::Flagship::builder("env-id", "api-key").start().await?;
    /// # let _ = fs; Ok(()) }
    /// ```
    pub async fn start(self) -> Result<Flagship> {
        if let Some(problem) = self.problem {
            return Err(Error::Config { message: problem });
        }
        // Timeouts and polling need tokio's timers, which panic outside a runtime: a typed error instead.
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::Config {
            message: "Flagship needs a tokio runtime: start it inside one".to_owned(),
        })?;
        if self.timeout.is_zero() {
            return Err(Error::Config {
                message: "the Flagship timeout must be more than zero".to_owned(),
            });
        }
        let decision_url = checked_url("decision", &self.decision_url)?;
        let cdn_url = checked_url("CDN", &self.cdn_url)?;
        let hits_url = checked_url("hit collector", &self.hits_url)?;
        let config = self
            .config
            .timeout(self.timeout)
            .attempt_timeout(self.timeout);
        let config_error = |message: Problem| Error::Config {
            message: message.to_string(),
        };
        let (http, inner) =
            connect(&config, "flagship", self.auth.clone()).map_err(config_error)?;
        let decision =
            flagship_api::Client::new_with_client(&decision_url, http.clone(), inner.clone());
        let cdn = flagship_api::Client::new_with_client(&cdn_url, http.clone(), inner.clone());
        // The collector takes no key: the API key does not go to that host.
        let (_, hits_inner) = connect(
            &config.clone().http_client(http.clone()),
            "flagship",
            Auth::None,
        )
        .map_err(config_error)?;
        let hits = flagship_api::Client::new_with_client(&hits_url, http, hits_inner);
        let (poller, polling) = match self.mode {
            Mode::DecisionApi => (None, None),
            Mode::Bucketing { polling_interval } => {
                if polling_interval.is_zero() {
                    return Err(Error::Config {
                        message: "the polling interval must be more than zero".to_owned(),
                    });
                }
                let poller = Arc::new(Poller::new(
                    cdn,
                    self.env_id.clone(),
                    self.timeout,
                    self.hook.clone(),
                ));
                // A failure is logged by the poller; the next poll tries again.
                let _ = poller.refresh().await;
                let task = runtime.spawn(Poller::poll(poller.clone(), polling_interval));
                (Some(poller), Some(task.abort_handle()))
            }
        };
        Ok(Flagship {
            shared: Arc::new(Shared {
                env_id: self.env_id,
                mode: self.mode,
                timeout: self.timeout,
                decision,
                hits,
                hook: self.hook,
                cache: self.cache,
                poller,
                polling,
            }),
        })
    }
}

/// `url` if it is an absolute `http(s)` URL without query or fragment, without its trailing `/`.
fn checked_url(what: &str, url: &str) -> Result<String> {
    checked_base_url(url).map_err(|problem| Error::Config {
        message: format!("the Flagship {what} URL: {problem}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_vars_needs_both_variables() {
        let none = Flagship::from_vars(|_| None).unwrap_err();
        assert!(none.to_string().contains("FLAGSHIP_ENV_ID"), "{none}");
        let key_missing =
            Flagship::from_vars(|n| (n == "FLAGSHIP_ENV_ID").then(|| "env".to_owned()))
                .unwrap_err();
        assert!(
            key_missing.to_string().contains("FLAGSHIP_API_KEY"),
            "{key_missing}"
        );
        let both = Flagship::from_vars(|n| Some(format!("{n}-value")));
        assert!(both.is_ok());
    }

    #[test]
    fn urls_are_checked() {
        assert!(checked_url("x", "decision.flagship.io").is_err());
        assert!(checked_url("x", "ftp://decision.flagship.io").is_err());
        assert!(checked_url("x", "https://h/?q=1").is_err());
        assert_eq!(
            checked_url("x", "https://h/v/").ok().as_deref(),
            Some("https://h/v")
        );
    }
}
