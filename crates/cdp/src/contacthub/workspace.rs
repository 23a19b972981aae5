//! Where ContactHub is and who calls it, and the one HTTP client that reaches it.

use std::path::Path;
use std::sync::Arc;

use cdp_transport::{Auth, ClientConfig};
use contacthub_api::ClientInfo as _;

use super::Node;
use crate::client_core::{Core, Problem, connect, header_secret_problem};
use crate::{Error, Result};

/// ContactHub's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.contactlab.it/hub/v1";

/// A ContactHub workspace and the token that reaches it. Cheap to clone: clones, nodes and the
/// workspaces derived with [`base_url`](Workspace::base_url) or [`configure`](Workspace::configure) share
/// one HTTP client (its connection pool, its TLS setup), built once. `Debug` hides the token. Proxies come
/// from `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`.
///
/// [`Workspace::builder`] checks the configuration and builds the HTTP client when it is built, so a
/// broken configuration (an invalid base URL or token, an HTTP client that cannot be built) is an error
/// there rather than at the first call. [`Workspace::new`] never fails, for ergonomic use: it checks the
/// same at once but reports a mistake on every call, and builds the HTTP client at the first call, so
/// that the steps chained after it do not build one each.
///
/// ```
/// use std::time::Duration;
/// use cdp::contacthub::Workspace;
///
/// let hub = Workspace::builder("workspace-id", "s3cr3t-token")
///     .base_url("http://127.0.0.1:8080/contacthub")
///     .configure(|c| c.timeout(Duration::from_secs(10)))
///     .build()?;
/// assert_eq!(hub.id(), "workspace-id");
/// assert!(!format!("{hub:?}").contains("s3cr3t-token"));
/// # Ok::<(), cdp::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Workspace {
    id: String,
    auth: Auth,
    /// What is wrong with the id or the token, kept through `base_url` and `configure`.
    identity_problem: Option<Problem>,
    /// The configuration and the generated client, built at the first call (or by
    /// `WorkspaceBuilder::build`) and shared by clones.
    core: Core<contacthub_api::Client>,
}

/// The settings of a [`Workspace`] before its HTTP client is built: [`build`](WorkspaceBuilder::build)
/// checks them and builds the client, once. `Debug` hides the token.
///
/// ```
/// let err = cdp::contacthub::Workspace::builder("workspace-id", "token")
///     .base_url("api.contactlab.it/hub/v1")
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, cdp::Error::Config { .. }));
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct WorkspaceBuilder {
    id: String,
    auth: Auth,
    config: ClientConfig,
    /// What is wrong with the id or the token, reported by `build`.
    problem: Option<Problem>,
}

impl Workspace {
    /// The workspace `workspace_id`, reached with `token` at [`DEFAULT_BASE_URL`]. Never fails: a
    /// configuration that cannot work (an empty id, a token no HTTP header can carry, no usable TLS) makes
    /// every call return [`Error::Config`]; [`Workspace::builder`] reports it at once instead. The HTTP
    /// client is built at the first call.
    ///
    /// ```
    /// let hub = cdp::contacthub::Workspace::new("workspace-id", "token");
    /// assert_eq!(hub.id(), "workspace-id");
    /// ```
    pub fn new(workspace_id: impl Into<String>, token: impl Into<String>) -> Self {
        Self::builder(workspace_id, token).assemble()
    }

    /// The settings of the workspace `workspace_id` reached with `token`, to change before
    /// [`build`](WorkspaceBuilder::build) checks them and builds the HTTP client.
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let hub = cdp::contacthub::Workspace::builder("workspace-id", "token")
    ///     .base_url("https://api.contactlab.it/hub/v1")
    ///     .build()?;
    /// # let _ = hub; Ok(()) }
    /// ```
    pub fn builder(workspace_id: impl Into<String>, token: impl Into<String>) -> WorkspaceBuilder {
        let id = workspace_id.into();
        let token = token.into();
        let problem = if id.is_empty() {
            Some(Arc::from("the workspace id is empty"))
        } else {
            header_secret_problem("token", &token)
        };
        WorkspaceBuilder {
            id,
            auth: Auth::bearer(token),
            config: ClientConfig::new(DEFAULT_BASE_URL),
            problem,
        }
    }

    /// From the environment: `CONTACTHUB_WORKSPACE_ID`, `CONTACTHUB_TOKEN` and, optionally,
    /// `CONTACTHUB_BASE_URL`; built at once, so a broken value is an error here.
    ///
    /// ```no_run
    /// let hub = cdp::contacthub::Workspace::from_env()?;
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`Workspace::from_env`], reading variables through `lookup`.
    fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let missing = |name: &str| Error::Config {
            message: format!("the environment variable {name} is not set"),
        };
        let id =
            var("CONTACTHUB_WORKSPACE_ID").ok_or_else(|| missing("CONTACTHUB_WORKSPACE_ID"))?;
        let token = var("CONTACTHUB_TOKEN").ok_or_else(|| missing("CONTACTHUB_TOKEN"))?;
        let builder = Self::builder(id, token);
        match var("CONTACTHUB_BASE_URL") {
            Some(url) => builder.base_url(url),
            None => builder,
        }
        .build()
    }

    /// From an INI file with the keys `workspace_id`, `token` and, optionally, `base_url`, with or
    /// without a section header (the first section that has `workspace_id` is used), as the Python SDK
    /// reads it; built at once, so a broken value is an error here.
    ///
    /// ```no_run
    /// let hub = cdp::contacthub::Workspace::from_ini_file("contacthub.ini")?;
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn from_ini_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            message: format!("cannot read {shown}: {e}"),
        })?;
        let ini = ini::Ini::load_from_str(&text).map_err(|e| Error::Config {
            message: format!("{shown} is not a valid INI file: {e}"),
        })?;
        let section = ini
            .iter()
            .map(|(_, properties)| properties)
            .find(|properties| properties.contains_key("workspace_id"))
            .ok_or_else(|| Error::Config {
                message: format!("{shown} has no `workspace_id`"),
            })?;
        let key = |name: &str| section.get(name).map(str::trim).filter(|v| !v.is_empty());
        let id = key("workspace_id").ok_or_else(|| Error::Config {
            message: format!("{shown}: `workspace_id` is empty"),
        })?;
        let token = key("token").ok_or_else(|| Error::Config {
            message: format!("{shown} has no `token`"),
        })?;
        let builder = Self::builder(id, token);
        match key("base_url") {
            Some(url) => builder.base_url(url),
            None => builder,
        }
        .build()
    }

    /// The same workspace at another base URL (a sandbox, a proxy), sharing this one's HTTP client once
    /// it is built. An invalid URL makes every call of the new workspace return [`Error::Config`]; to be
    /// told at once, set it on [`Workspace::builder`].
    ///
    /// ```
    /// let hub = cdp::contacthub::Workspace::new("workspace-id", "token")
    ///     .base_url("http://127.0.0.1:8080/contacthub");
    /// assert!(hub.api().is_ok());
    /// ```
    pub fn base_url(self, url: impl Into<String>) -> Self {
        let config = self.current_config().base_url(url);
        self.rebuilt(config)
    }

    /// The same workspace with another client configuration (timeouts, retries, user agent, a transport
    /// for tests, your own `reqwest::Client`), sharing this one's HTTP client once it is built, unless the
    /// change gives one. Settings of the HTTP client itself (`connect_timeout`) take effect only before
    /// the client is built: on [`Workspace::builder`], or chained after [`Workspace::new`] before the
    /// first call.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cdp::transport::RetryPolicy;
    ///
    /// let hub = cdp::contacthub::Workspace::new("workspace-id", "token")
    ///     .configure(|c| c.timeout(Duration::from_secs(5)).retry(RetryPolicy::none()));
    /// # let _ = hub;
    /// ```
    pub fn configure(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        let config = change(self.current_config());
        self.rebuilt(config)
    }

    /// The workspace id.
    ///
    /// ```
    /// assert_eq!(cdp::contacthub::Workspace::new("w1", "token").id(), "w1");
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A node of the workspace; it shares the workspace's HTTP client.
    ///
    /// ```
    /// let node = cdp::contacthub::Workspace::new("w1", "token").node("n1");
    /// assert_eq!(node.id(), "n1");
    /// ```
    pub fn node(&self, node_id: impl Into<String>) -> Node {
        Node::new(self.clone(), node_id.into())
    }

    /// The HTTP client this workspace sends with, to share with other clients (its connection pool, its
    /// TLS setup), or the configuration error that keeps the workspace from working.
    ///
    /// ```
    /// use cdp::contacthub::Workspace;
    ///
    /// let hub = Workspace::new("workspace-id", "token");
    /// let other = Workspace::builder("other-workspace", "other-token")
    ///     .http_client(hub.http_client()?)
    ///     .build()?;
    /// # let _ = other;
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn http_client(&self) -> Result<reqwest::Client> {
        self.api().map(|api| api.client().clone())
    }

    /// The generated client, for the operations the ergonomic API does not cover; its errors convert into
    /// [`Error`] with `?`.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let hub = cdp::contacthub::Workspace::new("workspace-id", "token");
    /// let page = hub.api()?.list_customers().workspace_id(hub.id()).node_id("node-id").send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn api(&self) -> Result<&contacthub_api::Client> {
        self.core.api(|config| {
            let (http, inner) = connect(config, "contacthub", self.auth.clone())?;
            Ok(contacthub_api::Client::new_with_client(
                config.url(),
                http,
                inner,
            ))
        })
    }

    /// The configuration, carrying the HTTP client once it is built, so that what is derived from it
    /// reuses the client.
    fn current_config(&self) -> ClientConfig {
        self.core.current_config()
    }

    /// This workspace with `config`, made by [`Workspace::current_config`].
    fn rebuilt(self, config: ClientConfig) -> Self {
        WorkspaceBuilder {
            id: self.id,
            auth: self.auth,
            config,
            problem: self.identity_problem,
        }
        .assemble()
    }
}

impl WorkspaceBuilder {
    /// Sets the base URL (an absolute `http` or `https` URL, without query or fragment; a trailing `/` is
    /// dropped).
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let hub = cdp::contacthub::Workspace::builder("workspace-id", "token")
    ///     .base_url("http://127.0.0.1:8080/contacthub/")
    ///     .build()?;
    /// # let _ = hub; Ok(()) }
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config = self.config.base_url(url);
        self
    }

    /// Changes the client configuration: timeouts (the connect timeout included), retries, user agent,
    /// a transport for tests, your own `reqwest::Client`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # fn run() -> cdp::Result<()> {
    /// let hub = cdp::contacthub::Workspace::builder("workspace-id", "token")
    ///     .configure(|c| c.connect_timeout(Duration::from_secs(3)).timeout(Duration::from_secs(20)))
    ///     .build()?;
    /// # let _ = hub; Ok(()) }
    /// ```
    pub fn configure(mut self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.config = change(self.config);
        self
    }

    /// Sends with this HTTP client rather than building one: share one client (its connection pool) between
    /// workspaces and services. See [`Workspace::http_client`].
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let shared = cdp::contacthub::Workspace::new("a", "token-a").http_client()?;
    /// let b = cdp::contacthub::Workspace::builder("b", "token-b").http_client(shared).build()?;
    /// # let _ = b; Ok(()) }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.config = self.config.http_client(client);
        self
    }

    /// Checks the settings and builds the HTTP client (unless one was given), once: a broken configuration
    /// is an [`Error::Config`] here, not at the first call.
    ///
    /// ```
    /// let err = cdp::contacthub::Workspace::builder("workspace-id", "token")
    ///     .base_url("ftp://files.example.com/")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("http or https"), "{err}");
    /// ```
    pub fn build(self) -> Result<Workspace> {
        let workspace = self.assemble();
        workspace.api()?;
        Ok(workspace)
    }

    /// The workspace, its configuration checked; its HTTP client is built at the first call.
    fn assemble(self) -> Workspace {
        Workspace {
            id: self.id,
            auth: self.auth,
            core: Core::new(self.config, self.problem.clone()),
            identity_problem: self.problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::client_core::tests::builds;

    #[test]
    fn one_http_client_is_built_whatever_the_steps() {
        let n = builds(|| {
            let hub = Workspace::new("w", "t")
                .base_url("http://127.0.0.1:9/hub")
                .configure(|c| c.timeout(Duration::from_secs(3)))
                .base_url("http://127.0.0.1:9/other");
            let _ = (hub.node("n"), hub.clone().node("m"));
        });
        assert_eq!(n, 0, "nothing is built before the first call");
        let n = builds(|| {
            let hub = Workspace::new("w", "t")
                .base_url("http://127.0.0.1:9/hub")
                .configure(|c| c.timeout(Duration::from_secs(3)));
            let (node, copy) = (hub.node("n"), hub.clone());
            let _ = (
                hub.api().unwrap(),
                node.workspace().api().unwrap(),
                copy.api().unwrap(),
            );
            // Derived after the first call: the client is kept.
            let derived = hub.configure(|c| c.retry(cdp_transport::RetryPolicy::none()));
            let _ = derived.base_url("http://127.0.0.1:9/other").api().unwrap();
        });
        assert_eq!(
            n, 1,
            "new, base_url, configure, clones, then derived workspaces"
        );
        let n = builds(|| {
            Workspace::builder("w", "t")
                .base_url("http://127.0.0.1:9/hub")
                .configure(|c| c.connect_timeout(Duration::from_secs(1)))
                .build()
                .unwrap();
        });
        assert_eq!(n, 1, "a builder builds once");
        let hub = Workspace::new("w", "t");
        hub.api().unwrap();
        let n = builds(|| {
            let shared = hub.http_client().unwrap();
            Workspace::builder("w2", "t2")
                .http_client(shared)
                .build()
                .unwrap();
        });
        assert_eq!(n, 0, "a shared client is not built again");
        // A workspace whose URL was broken builds its client once the URL is right.
        let n = builds(|| {
            let hub = Workspace::new("w", "t");
            hub.api().unwrap();
            let hub = hub.base_url("nope").base_url("http://127.0.0.1:9/");
            assert_eq!(hub.api().unwrap().baseurl(), "http://127.0.0.1:9");
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn a_broken_configuration_fails_at_construction() {
        let config_error = |r: Result<Workspace>| match r {
            Err(Error::Config { message }) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        };
        for (url, says) in [
            ("api.contactlab.it/hub/v1", "not a valid absolute URL"),
            ("ftp://h/hub", "http or https"),
            ("http://h/hub?x=1", "query"),
            ("http://user:pa55word@/hub", "not a valid absolute URL"),
        ] {
            let message = config_error(Workspace::builder("w", "t").base_url(url).build());
            assert!(message.contains(says), "{url}: {message}");
            assert!(!message.contains("pa55word"), "{message}");
            // The infallible way reports the same error on use, without sending anything.
            let hub = Workspace::new("w", "t").base_url(url);
            assert!(matches!(hub.api(), Err(Error::Config { .. })));
        }
        let message = config_error(Workspace::builder("w", "s3cr3t\ntoken").build());
        assert!(
            message.contains("header") && !message.contains("s3cr3t"),
            "{message}"
        );
        assert!(config_error(Workspace::builder("w", "").build()).contains("token is empty"));
        assert!(config_error(Workspace::builder("", "t").build()).contains("workspace id"));
        // A wrong token stays wrong through later steps.
        let hub = Workspace::new("w", "").base_url("http://127.0.0.1:9/hub");
        assert!(matches!(hub.api(), Err(Error::Config { .. })));
        let err = Workspace::from_vars(lookup(&[
            ("CONTACTHUB_WORKSPACE_ID", "w1"),
            ("CONTACTHUB_TOKEN", "t0k"),
            ("CONTACTHUB_BASE_URL", "localhost:8080"),
        ]))
        .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
    }

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn the_environment_names_workspace_token_and_base_url() {
        let hub = Workspace::from_vars(lookup(&[
            ("CONTACTHUB_WORKSPACE_ID", "w1"),
            ("CONTACTHUB_TOKEN", "t0k"),
            ("CONTACTHUB_BASE_URL", "http://127.0.0.1:9/contacthub"),
        ]))
        .unwrap();
        assert_eq!(hub.id(), "w1");
        assert_eq!(hub.core.url(), "http://127.0.0.1:9/contacthub");
        let hub = Workspace::from_vars(lookup(&[
            ("CONTACTHUB_WORKSPACE_ID", "w1"),
            ("CONTACTHUB_TOKEN", "t0k"),
        ]))
        .unwrap();
        assert_eq!(hub.core.url(), DEFAULT_BASE_URL);
        let err = Workspace::from_vars(lookup(&[("CONTACTHUB_WORKSPACE_ID", "w1")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: the environment variable CONTACTHUB_TOKEN is not set"
        );
    }

    fn ini(text: &str) -> std::path::PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "cdp-hub-{}-{}.ini",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn an_ini_file_with_or_without_a_section() {
        let hub = Workspace::from_ini_file(ini(
            "workspace_id = w2\ntoken = t\nbase_url = http://h/hub\n",
        ))
        .unwrap();
        assert_eq!((hub.id(), hub.core.url()), ("w2", "http://h/hub"));
        let hub =
            Workspace::from_ini_file(ini("[contacthub]\nworkspace_id = w3\ntoken = t\n")).unwrap();
        assert_eq!((hub.id(), hub.core.url()), ("w3", DEFAULT_BASE_URL));
        let err = Workspace::from_ini_file(ini("[contacthub]\nworkspace_id = w3\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no `token`"), "{err}");
        let err = Workspace::from_ini_file(ini("token = s3cr3t\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("has no `workspace_id`") && !err.contains("s3cr3t"),
            "{err}"
        );
        let err = Workspace::from_ini_file("/nonexistent/contacthub.ini")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("configuration: cannot read /nonexistent/contacthub.ini"),
            "{err}"
        );
    }
}
