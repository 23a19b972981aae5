//! Where ContactHub is and who calls it.

use std::path::Path;
use std::sync::Arc;

use cdp_transport::{Auth, ClientConfig};

use super::Node;
use crate::{Error, Result};

/// ContactHub's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.contactlab.it/hub/v1";

/// A ContactHub workspace and the token that reaches it. Cheap to clone; `Debug` hides the token.
/// Proxies come from `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`.
///
/// ```
/// use std::time::Duration;
/// use cdp::contacthub::Workspace;
///
/// let hub = Workspace::new("workspace-id", "s3cr3t-token")
///     .base_url("http://127.0.0.1:8080/contacthub")
///     .configure(|c| c.timeout(Duration::from_secs(10)));
/// assert_eq!(hub.id(), "workspace-id");
/// assert!(!format!("{hub:?}").contains("s3cr3t-token"));
/// ```
#[derive(Clone, Debug)]
pub struct Workspace {
    id: String,
    auth: Auth,
    config: ClientConfig,
    client: Result<contacthub_api::Client, Arc<str>>,
}

impl Workspace {
    /// The workspace `workspace_id`, reached with `token` at [`DEFAULT_BASE_URL`].
    pub fn new(workspace_id: impl Into<String>, token: impl Into<String>) -> Self {
        Self::with(
            workspace_id.into(),
            Auth::bearer(token),
            ClientConfig::new(DEFAULT_BASE_URL),
        )
    }

    /// From the environment: `CONTACTHUB_WORKSPACE_ID`, `CONTACTHUB_TOKEN` and, optionally,
    /// `CONTACTHUB_BASE_URL`.
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
        let workspace = Self::new(id, token);
        Ok(match var("CONTACTHUB_BASE_URL") {
            Some(url) => workspace.base_url(url),
            None => workspace,
        })
    }

    /// From an INI file with the keys `workspace_id`, `token` and, optionally, `base_url`, with or
    /// without a section header (the first section that has `workspace_id` is used), as the Python SDK
    /// reads it.
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
        let workspace = Self::new(id, token);
        Ok(match key("base_url") {
            Some(url) => workspace.base_url(url),
            None => workspace,
        })
    }

    /// The same workspace at another base URL (a sandbox, a proxy).
    pub fn base_url(self, url: impl Into<String>) -> Self {
        let config = self.config.clone().base_url(url);
        Self::with(self.id, self.auth, config)
    }

    /// Changes the client configuration: timeouts, retries, user agent, your own `reqwest::Client`.
    pub fn configure(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        let config = change(self.config.clone());
        Self::with(self.id, self.auth, config)
    }

    /// The workspace id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A node of the workspace.
    pub fn node(&self, node_id: impl Into<String>) -> Node {
        Node::new(self.clone(), node_id.into())
    }

    /// The generated client, for the operations the ergonomic API does not cover.
    pub fn api(&self) -> Result<&contacthub_api::Client> {
        self.client.as_ref().map_err(|message| Error::Config {
            message: message.to_string(),
        })
    }

    fn with(id: String, auth: Auth, config: ClientConfig) -> Self {
        // Building the HTTP client fails only on a broken TLS setup; the error waits for the first call.
        let client = config
            .build("contacthub", auth.clone())
            .map(|(http, inner)| contacthub_api::Client::new_with_client(config.url(), http, inner))
            .map_err(|e| Arc::from(format!("cannot build the HTTP client: {e}")));
        Self {
            id,
            auth,
            config,
            client,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(hub.config.url(), "http://127.0.0.1:9/contacthub");
        let hub = Workspace::from_vars(lookup(&[
            ("CONTACTHUB_WORKSPACE_ID", "w1"),
            ("CONTACTHUB_TOKEN", "t0k"),
        ]))
        .unwrap();
        assert_eq!(hub.config.url(), DEFAULT_BASE_URL);
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
        assert_eq!((hub.id(), hub.config.url()), ("w2", "http://h/hub"));
        let hub =
            Workspace::from_ini_file(ini("[contacthub]\nworkspace_id = w3\ntoken = t\n")).unwrap();
        assert_eq!((hub.id(), hub.config.url()), ("w3", DEFAULT_BASE_URL));
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
