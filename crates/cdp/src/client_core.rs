//! What every service client is built from, written once: a checked base URL, one [`ClientConfig`], and
//! the generated client (with its one `reqwest::Client`) built at most once from them and shared by
//! clones. ContactHub's `Workspace`, BlueConic's and Customer Profiles' `Client` keep only what is their
//! own (credentials, ids, endpoints) around a [`Core`], and Flagship checks its URLs and key here, so that
//! a fix to how clients are checked or built lands in one place.

// Every service uses some of it, not each all of it.
#![cfg_attr(
    not(all(
        feature = "contacthub",
        feature = "blueconic",
        feature = "customer-profiles",
        feature = "flagship"
    )),
    allow(dead_code)
)]

use std::fmt;
use std::sync::{Arc, OnceLock};

use cdp_transport::{Auth, ClientConfig, Inner};
use progenitor_client::ClientInfo;

use crate::{Error, Result};

/// A configuration that cannot work, in words that never repeat a secret or a URL.
pub(crate) type Problem = Arc<str>;

/// The generated client `A` of one service, built from a checked configuration at the first call and
/// shared by clones; or what keeps the configuration from working, reported by every call.
pub(crate) struct Core<A> {
    /// The configuration; its base URL checked and without a trailing `/` when there is no problem.
    config: ClientConfig,
    /// A configuration that cannot work: reported by every call, nothing is built.
    problem: Option<Problem>,
    /// The generated client, built once and shared by clones.
    api: Arc<OnceLock<std::result::Result<A, Problem>>>,
}

impl<A> Clone for Core<A> {
    fn clone(&self) -> Self {
        Self {
            config: self.config.clone(),
            problem: self.problem.clone(),
            api: self.api.clone(),
        }
    }
}

impl<A: fmt::Debug> fmt::Debug for Core<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("config", &self.config)
            .field("problem", &self.problem)
            .field("api", &self.api)
            .finish()
    }
}

impl<A: ClientInfo<Inner>> Core<A> {
    /// The core for `config`, nothing built yet. `problem` is what the caller already found wrong (an
    /// empty id, a bad region): it wins over the base URL's own check.
    pub(crate) fn new(config: ClientConfig, problem: Option<Problem>) -> Self {
        let (config, problem) = match problem {
            Some(problem) => (config, Some(problem)),
            None => match checked_base_url(config.url()) {
                Ok(url) => (config.base_url(url), None),
                Err(problem) => (config, Some(problem)),
            },
        };
        Self {
            config,
            problem,
            api: Arc::new(OnceLock::new()),
        }
    }

    /// The base URL requests go to.
    pub(crate) fn url(&self) -> &str {
        self.config.url()
    }

    /// The generated client, built by `make` at the first call; [`Error::Config`] when the configuration
    /// cannot work or the client could not be built.
    pub(crate) fn api(
        &self,
        make: impl FnOnce(&ClientConfig) -> std::result::Result<A, Problem>,
    ) -> Result<&A> {
        let config_error = |message: &Problem| Error::Config {
            message: message.to_string(),
        };
        if let Some(problem) = &self.problem {
            return Err(config_error(problem));
        }
        self.api
            .get_or_init(|| make(&self.config))
            .as_ref()
            .map_err(config_error)
    }

    /// The configuration, carrying the HTTP client once it is built, so that a client derived from it
    /// (another base URL, other timeouts) sends through the same one.
    pub(crate) fn current_config(&self) -> ClientConfig {
        match self.api.get() {
            Some(Ok(api)) => self.config.clone().http_client(api.client().clone()),
            _ => self.config.clone(),
        }
    }
}

/// The `reqwest::Client` (the configuration's, or one built now) and the [`Inner`] of a generated client
/// of `service` authenticating with `auth`. Builds count in tests.
pub(crate) fn connect(
    config: &ClientConfig,
    service: &'static str,
    auth: Auth,
) -> std::result::Result<(reqwest::Client, Inner), Problem> {
    #[cfg(test)]
    if !config.has_http_client() {
        tests::BUILDS.with(|builds| builds.set(builds.get() + 1));
    }
    config
        .build(service, auth)
        .map_err(|e| Arc::from(format!("cannot build the HTTP client: {e}")))
}

/// The base URL as sent (no trailing `/`), or what is wrong with it: it must be an absolute `http` or
/// `https` URL without query or fragment. The message never repeats the URL: it may hold a password.
pub(crate) fn checked_base_url(url: &str) -> std::result::Result<String, Problem> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Arc::from(format!("the base URL is not a valid absolute URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Arc::from(format!(
            "the base URL must be http or https, not `{}`",
            parsed.scheme()
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Arc::from("the base URL cannot have a query or a fragment"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// What is wrong with a credential sent as a header (a token, an API key), named `what`: empty, or
/// holding characters no header can carry. Never the value itself.
pub(crate) fn header_secret_problem(what: &str, value: &str) -> Option<Problem> {
    if value.is_empty() {
        Some(Arc::from(format!("the {what} is empty")))
    } else if reqwest::header::HeaderValue::from_str(value).is_err() {
        Some(Arc::from(format!(
            "the {what} holds characters an HTTP header cannot carry"
        )))
    } else {
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use super::*;

    thread_local! {
        /// How many HTTP clients this thread built.
        pub(crate) static BUILDS: Cell<usize> = const { Cell::new(0) };
    }

    /// The HTTP clients built while `f` runs.
    pub(crate) fn builds(f: impl FnOnce()) -> usize {
        let before = BUILDS.with(Cell::get);
        f();
        BUILDS.with(Cell::get) - before
    }

    #[test]
    fn base_urls_are_absolute_http_without_query() {
        for (url, says) in [
            ("api.example.com/v1", "not a valid absolute URL"),
            ("ftp://h/x", "http or https"),
            ("http://h/x?q=1", "query"),
            ("http://h/x#f", "fragment"),
            ("http://user:pa55word@/x", "not a valid absolute URL"),
        ] {
            let problem = checked_base_url(url).unwrap_err();
            assert!(problem.contains(says), "{url}: {problem}");
            assert!(!problem.contains("pa55word"), "{problem}");
        }
        assert_eq!(checked_base_url("https://h/v1//").unwrap(), "https://h/v1");
    }

    #[test]
    fn a_header_secret_is_checked_without_being_shown() {
        assert!(header_secret_problem("token", "t").is_none());
        assert_eq!(
            header_secret_problem("token", "").as_deref(),
            Some("the token is empty")
        );
        let problem = header_secret_problem("API key", "s3cr3t\nkey").unwrap();
        assert!(
            problem.contains("header") && !problem.contains("s3cr3t"),
            "{problem}"
        );
    }
}
