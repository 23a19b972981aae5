//! Where a BlueConic tenant is, the OAuth2 client that reaches it, and the one HTTP client it sends with.

use std::fmt;
use std::sync::Arc;

use blueconic_api::ClientInfo as _;
use blueconic_api::operations::BULK_PROFILES;
use cdp_transport::{Auth, ClientConfig, ClientCredentials};

use super::{ProfileRequest, SegmentProfiles};
use crate::client_core::{Core, connect};
use crate::{Error, Result};

/// The scopes the layer uses, asked for in one token: reading profiles and segments, writing profiles.
pub const DEFAULT_SCOPES: [&str; 3] = ["read:profiles", "read:segments", "write:profiles"];

/// The name the transport and errors give the service.
pub(crate) const SERVICE: &str = "BlueConic";

/// A BlueConic tenant reached with OAuth2 client credentials. Cheap to clone: clones share the HTTP
/// client and the token; the clients derived with [`base_url`](Client::base_url),
/// [`configure`](Client::configure) or [`scopes`](Client::scopes) share the HTTP client once it is built
/// (and ask for a token of their own). `Debug` hides the client secret.
///
/// One token is asked for, for the union of the scopes the layer uses ([`DEFAULT_SCOPES`]), and renewed
/// before it expires. The host is checked to be `host[:port]`: a scheme, a path or user information in
/// it is an [`Error::Config`], so the credentials cannot be sent to another place than the tenant.
///
/// ```
/// use std::time::Duration;
///
/// let bc = cdp::blueconic::Client::builder("tenant.blueconic.net", "client-id", "s3cr3t")
///     .configure(|c| c.timeout(Duration::from_secs(10)))
///     .build()?;
/// assert_eq!(bc.url(), "https://tenant.blueconic.net/rest/v2");
/// assert!(!format!("{bc:?}").contains("s3cr3t"));
/// # Ok::<(), cdp::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    settings: Settings,
    /// The configuration and the generated client, built at the first call and shared by clones.
    core: Core<blueconic_api::Client>,
}

/// The settings of a [`Client`] before it is built: [`build`](ClientBuilder::build) checks them and
/// builds the HTTP client. `Debug` hides the client secret.
///
/// ```
/// let err = cdp::blueconic::Client::builder("https://tenant.blueconic.net", "id", "secret")
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, cdp::Error::Config { .. }));
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    settings: Settings,
    config: ClientConfig,
}

#[derive(Clone)]
struct Settings {
    client_id: String,
    client_secret: Arc<str>,
    scopes: Vec<String>,
    /// What is wrong with the host or the credentials, kept through later steps.
    identity_problem: Option<Arc<str>>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Client {
    /// The tenant at `host` (`tenant.blueconic.net`, or `host:port`), with these OAuth2 client
    /// credentials. Never fails: a configuration that cannot work makes every call return
    /// [`Error::Config`]; [`Client::builder`] reports it at once instead.
    ///
    /// ```
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net", "client-id", "client-secret");
    /// assert_eq!(bc.url(), "https://tenant.blueconic.net/rest/v2");
    /// ```
    pub fn new(
        host: impl AsRef<str>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self::builder(host, client_id, client_secret).assemble()
    }

    /// The settings of the tenant at `host`, to change before [`build`](ClientBuilder::build).
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let bc = cdp::blueconic::Client::builder("tenant.blueconic.net", "id", "secret")
    ///     .scopes(["read:profiles"])
    ///     .build()?;
    /// # let _ = bc; Ok(()) }
    /// ```
    pub fn builder(
        host: impl AsRef<str>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> ClientBuilder {
        let client_id = client_id.into();
        let client_secret: Arc<str> = Arc::from(client_secret.into());
        let (url, host_problem) = match base_url_of(host.as_ref()) {
            Ok(url) => (url, None),
            Err(problem) => (
                String::from("https://invalid.invalid/rest/v2"),
                Some(problem),
            ),
        };
        // Never the secret itself in a message.
        let identity_problem = host_problem.or_else(|| {
            if client_id.is_empty() {
                Some(Arc::from("the client id is empty"))
            } else if client_secret.is_empty() {
                Some(Arc::from("the client secret is empty"))
            } else {
                None
            }
        });
        ClientBuilder {
            settings: Settings {
                client_id,
                client_secret,
                scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
                identity_problem,
            },
            config: ClientConfig::new(url),
        }
    }

    /// From the environment: `BLUECONIC_HOST`, `BLUECONIC_CLIENT_ID` and `BLUECONIC_CLIENT_SECRET`; built
    /// at once, so a broken value is an error here.
    ///
    /// ```no_run
    /// let bc = cdp::blueconic::Client::from_env()?;
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`Client::from_env`], reading variables through `lookup`.
    fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| {
            lookup(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::Config {
                    message: format!("the environment variable {name} is not set"),
                })
        };
        Self::builder(
            var("BLUECONIC_HOST")?,
            var("BLUECONIC_CLIENT_ID")?,
            var("BLUECONIC_CLIENT_SECRET")?,
        )
        .build()
    }

    /// The same tenant at another base URL (the sandbox, a proxy): the API is at `url` and the token at
    /// `{url}/oauth/token`. An invalid URL makes every call return [`Error::Config`].
    ///
    /// ```
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net", "id", "secret")
    ///     .base_url("http://127.0.0.1:8080/blueconic/rest/v2/");
    /// assert_eq!(bc.url(), "http://127.0.0.1:8080/blueconic/rest/v2");
    /// ```
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.derived().base_url(url).assemble()
    }

    /// The same tenant with another client configuration (timeouts, retries, user agent, a transport for
    /// tests, your own `reqwest::Client`).
    ///
    /// ```
    /// use cdp::transport::RetryPolicy;
    ///
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net", "id", "secret")
    ///     .configure(|c| c.retry(RetryPolicy::none()));
    /// # let _ = bc;
    /// ```
    pub fn configure(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.derived().configure(change).assemble()
    }

    /// The same tenant, asking for these scopes rather than [`DEFAULT_SCOPES`].
    ///
    /// ```
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net", "id", "secret")
    ///     .scopes(["read:profiles", "read:segments"]);
    /// # let _ = bc;
    /// ```
    pub fn scopes<S: AsRef<str>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.derived().scopes(scopes).assemble()
    }

    /// The settings of this client, carrying its HTTP client once it is built, to derive another from.
    fn derived(self) -> ClientBuilder {
        ClientBuilder {
            config: self.core.current_config(),
            settings: self.settings,
        }
    }

    /// The base URL requests go to, without a trailing `/`.
    ///
    /// ```
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net:8443", "id", "secret");
    /// assert_eq!(bc.url(), "https://tenant.blueconic.net:8443/rest/v2");
    /// ```
    pub fn url(&self) -> &str {
        self.core.url()
    }

    /// The HTTP client this client sends with, to share with other clients, or the configuration error
    /// that keeps it from working.
    ///
    /// ```
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net", "id", "secret");
    /// let http = bc.http_client()?;
    /// # let _ = http;
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn http_client(&self) -> Result<reqwest::Client> {
        self.api().map(|api| api.client().clone())
    }

    /// The generated client, for the operations the ergonomic API does not cover; its errors convert
    /// into [`Error`] with `?`.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let bc = cdp::blueconic::Client::new("tenant.blueconic.net", "id", "secret");
    /// let segments = bc.api()?.list_segments().send().await?;
    /// # let _ = segments; Ok(()) }
    /// ```
    pub fn api(&self) -> Result<&blueconic_api::Client> {
        self.core.api(|config| {
            let s = &self.settings;
            let credentials = ClientCredentials::new(
                format!("{}/oauth/token", config.url()),
                s.client_id.clone(),
                s.client_secret.to_string(),
            )
            .scopes(&s.scopes);
            let (http, inner) = connect(config, "blueconic", Auth::oauth2(credentials))?;
            // A bulk write with ADD, INCREMENT or REMOVE entries applied twice is a duplicate: whatever
            // the policy, the transport never repeats it. The bulk writer resends the batches it knows
            // to be safe itself.
            let retry = inner.retry().clone().never_retry([BULK_PROFILES]);
            let inner = inner.with_retry(retry);
            Ok(blueconic_api::Client::new_with_client(
                config.url(),
                http,
                inner,
            ))
        })
    }

    /// One profile by its id: a builder for the parts to return, ended by
    /// [`send`](ProfileRequest::send).
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// use cdp::blueconic::ProfileExpand;
    ///
    /// let bc = cdp::blueconic::Client::from_env()?;
    /// let profile = bc.profile("p1").properties(["email"]).expand([ProfileExpand::Segments]).send().await?;
    /// println!("{:?}", profile.value("email"));
    /// # Ok(()) }
    /// ```
    pub fn profile(&self, id: impl Into<String>) -> ProfileRequest {
        ProfileRequest::new(self.clone(), id.into())
    }

    /// The profiles of a segment (`allvisitors` for every profile): a builder ended by
    /// [`stream`](SegmentProfiles::stream) or [`send`](SegmentProfiles::send).
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let bc = cdp::blueconic::Client::from_env()?;
    /// let mut all = bc.segment_profiles("allvisitors").limit(10).stream();
    /// while let Some(profile) = all.try_next().await? {
    ///     println!("{}", profile.id());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn segment_profiles(&self, segment: impl Into<String>) -> SegmentProfiles {
        SegmentProfiles::new(self.clone(), segment.into())
    }
}

impl ClientBuilder {
    /// Sets the base URL (an absolute `http` or `https` URL without query or fragment; a trailing `/` is
    /// dropped); the token is asked for at `{url}/oauth/token`.
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let bc = cdp::blueconic::Client::builder("tenant.blueconic.net", "id", "secret")
    ///     .base_url("http://127.0.0.1:8080/blueconic/rest/v2")
    ///     .build()?;
    /// # let _ = bc; Ok(()) }
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config = self.config.base_url(url);
        self
    }

    /// Changes the client configuration: timeouts, retries, user agent, a transport for tests, your own
    /// `reqwest::Client`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = cdp::blueconic::Client::builder("tenant.blueconic.net", "id", "secret")
    ///     .configure(|c| c.connect_timeout(Duration::from_secs(3)));
    /// # let _ = builder;
    /// ```
    pub fn configure(mut self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.config = change(self.config);
        self
    }

    /// Asks for these scopes rather than [`DEFAULT_SCOPES`].
    ///
    /// ```
    /// let builder = cdp::blueconic::Client::builder("tenant.blueconic.net", "id", "secret")
    ///     .scopes(["read:profiles"]);
    /// # let _ = builder;
    /// ```
    pub fn scopes<S: AsRef<str>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.settings.scopes = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Sends with this HTTP client rather than building one.
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let shared = cdp::blueconic::Client::new("a.blueconic.net", "id", "secret").http_client()?;
    /// let b = cdp::blueconic::Client::builder("b.blueconic.net", "id", "secret").http_client(shared).build()?;
    /// # let _ = b; Ok(()) }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.config = self.config.http_client(client);
        self
    }

    /// Checks the settings and builds the HTTP client: a broken configuration is an [`Error::Config`]
    /// here, not at the first call.
    ///
    /// ```
    /// let err = cdp::blueconic::Client::builder("user@tenant.blueconic.net", "id", "secret")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("host"), "{err}");
    /// ```
    pub fn build(self) -> Result<Client> {
        let client = self.assemble();
        client.api()?;
        Ok(client)
    }

    fn assemble(self) -> Client {
        Client {
            core: Core::new(self.config, self.settings.identity_problem.clone()),
            settings: self.settings,
        }
    }
}

/// `https://{host}/rest/v2`, or why `host` is not a plain `host[:port]`. The message never repeats the
/// host: a mistaken one may hold a password.
fn base_url_of(host: &str) -> std::result::Result<String, Arc<str>> {
    let refuse = |why: &str| Err(Arc::from(format!("the host must be `host[:port]`: {why}")));
    if host.is_empty() {
        return refuse("it is empty");
    }
    if host.contains("://") {
        return refuse("it holds a scheme");
    }
    if let Some(c) = host
        .chars()
        .find(|c| matches!(c, '/' | '\\' | '@' | '?' | '#') || c.is_whitespace() || c.is_control())
    {
        return refuse(&format!("it holds `{}`", c.escape_default()));
    }
    let url = format!("https://{host}/rest/v2");
    let parsed = match reqwest::Url::parse(&url) {
        Ok(parsed) => parsed,
        Err(e) => return refuse(&e.to_string()),
    };
    if parsed.host_str().is_none() || parsed.path() != "/rest/v2" {
        return refuse("it is not a host name");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_core::tests::builds;

    fn config_message(r: Result<Client>) -> String {
        match r {
            Err(Error::Config { message }) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn the_host_is_only_a_host_and_a_port() {
        for (host, says) in [
            ("https://tenant.blueconic.net", "scheme"),
            ("tenant.blueconic.net/evil", "`/`"),
            ("user:pa55@evil.example", "`@`"),
            ("evil.example#tenant.blueconic.net", "`#`"),
            ("", "empty"),
            ("tenant blueconic", "holds ` `"),
        ] {
            let message = config_message(Client::builder(host, "id", "secret").build());
            assert!(message.contains(says), "{host}: {message}");
            assert!(!message.contains("pa55"), "{message}");
            assert!(matches!(
                Client::new(host, "id", "secret").api(),
                Err(Error::Config { .. })
            ));
        }
        // A bad host stays bad through later steps, except an explicit base URL does not fix it either.
        let bc = Client::new("a/b", "id", "secret").configure(|c| c);
        assert!(matches!(bc.api(), Err(Error::Config { .. })));
        assert_eq!(
            Client::new("tenant.blueconic.net:8443", "id", "secret").url(),
            "https://tenant.blueconic.net:8443/rest/v2"
        );
    }

    #[test]
    fn one_http_client_is_built_whatever_the_steps() {
        let n = builds(|| {
            let bc = Client::new("t.blueconic.net", "id", "secret")
                .base_url("http://127.0.0.1:9/bc")
                .configure(|c| c.timeout(std::time::Duration::from_secs(3)))
                .scopes(["read:profiles"]);
            let copy = bc.clone();
            let _ = (bc.api().unwrap(), copy.api().unwrap());
            // Derived after the first call: the HTTP client is kept (the token is asked for anew).
            let derived = bc
                .base_url("http://127.0.0.1:9/other")
                .scopes(["read:segments"])
                .configure(|c| c.retry(cdp_transport::RetryPolicy::none()));
            assert_eq!(derived.url(), "http://127.0.0.1:9/other");
            derived.api().unwrap();
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn credentials_are_checked_and_never_shown() {
        let message = config_message(Client::builder("t.blueconic.net", "", "secret").build());
        assert!(message.contains("client id"), "{message}");
        let message = config_message(Client::builder("t.blueconic.net", "id", "").build());
        assert!(message.contains("client secret"), "{message}");
        let bc = Client::new("t.blueconic.net", "id", "s3cr3t-value");
        assert!(!format!("{bc:?}").contains("s3cr3t-value"));
        assert!(!format!("{:?}", Client::builder("t", "id", "s3cr3t-value")).contains("s3cr3t"));
    }

    #[test]
    fn the_environment_names_host_and_credentials() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let bc = Client::from_vars(vars(&[
            ("BLUECONIC_HOST", "t.blueconic.net"),
            ("BLUECONIC_CLIENT_ID", "id"),
            ("BLUECONIC_CLIENT_SECRET", "secret"),
        ]))
        .unwrap();
        assert_eq!(bc.url(), "https://t.blueconic.net/rest/v2");
        let err = Client::from_vars(vars(&[("BLUECONIC_HOST", "t.blueconic.net")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: the environment variable BLUECONIC_CLIENT_ID is not set"
        );
    }
}
