//! Where AWS Customer Profiles is, the credentials that sign for it, and the one HTTP client that reaches it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use cdp_transport::{Auth, AwsCredentials, AwsProfileSource, ClientConfig, SigV4};
use customer_profiles_api::ClientInfo as _;
use customer_profiles_api::operations::{
    BATCH_GET_PROFILE, GET_SEGMENT_MEMBERSHIP, SEARCH_PROFILES,
};

use crate::client_core::{Core, connect};
use crate::{Error, Result};

/// The signing name of the service (SigV4's "service").
const SIGNING_NAME: &str = "profile";

/// A Customer Profiles client for one region and one set of credentials. Cheap to clone: clones and the
/// clients derived with [`base_url`](Client::base_url) or [`configure`](Client::configure) share one HTTP
/// client, built at the first call. `Debug` shows the access key id, never the secret or session token.
///
/// Segment membership, profile search and `BatchGetProfile` are reads sent as POST: they are marked safe
/// to send again, so the retry policy retries them like `GET`s.
///
/// ```
/// use cdp::customer_profiles::Client;
/// use cdp::transport::AwsCredentials;
///
/// let client = Client::new("eu-west-1", AwsCredentials::new("AKIDEXAMPLE", "s3cr3t"));
/// assert_eq!(client.endpoint(), "https://profile.eu-west-1.amazonaws.com");
/// assert!(!format!("{client:?}").contains("s3cr3t"));
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    region: String,
    credentials: AwsCredentials,
    /// The configuration and the generated client, built at the first call and shared by clones.
    core: Core<customer_profiles_api::Client>,
    /// Credentials from a provider, fetched again before they expire.
    #[cfg(feature = "aws-config")]
    pub(super) refreshing: Option<super::refresh::Refreshing>,
}

/// The settings of a [`Client`] before its HTTP client is built: [`build`](ClientBuilder::build) checks
/// them, once.
///
/// ```
/// use cdp::customer_profiles::Client;
/// use cdp::transport::AwsCredentials;
///
/// let client = Client::builder("us-gov-west-1", AwsCredentials::new("AKIDEXAMPLE", "secret"))
///     .fips(true)
///     .dual_stack(true)
///     .build()?;
/// assert_eq!(client.endpoint(), "https://profile-fips.us-gov-west-1.api.aws");
/// # Ok::<(), cdp::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    region: String,
    credentials: AwsCredentials,
    fips: bool,
    dual_stack: bool,
    base_url: Option<String>,
    config: ClientConfig,
}

/// The service's endpoint in `region`: `https://profile[-fips].{region}.{amazonaws.com | api.aws}`.
///
/// ```
/// assert_eq!(
///     cdp::customer_profiles::endpoint("eu-west-1", false, false),
///     "https://profile.eu-west-1.amazonaws.com"
/// );
/// ```
pub fn endpoint(region: &str, fips: bool, dual_stack: bool) -> String {
    let host = if fips { "profile-fips" } else { "profile" };
    let suffix = if dual_stack {
        "api.aws"
    } else {
        "amazonaws.com"
    };
    format!("https://{host}.{region}.{suffix}")
}

impl Client {
    /// A client for `region` signing with `credentials`, at the region's standard endpoint. Never fails:
    /// a configuration that cannot work (an invalid region) makes every call return [`Error::Config`];
    /// [`Client::builder`] reports it at once.
    ///
    /// ```
    /// let client = cdp::customer_profiles::Client::new(
    ///     "eu-west-1",
    ///     cdp::transport::AwsCredentials::new("AKIDEXAMPLE", "secret"),
    /// );
    /// assert_eq!(client.region(), "eu-west-1");
    /// ```
    pub fn new(region: impl Into<String>, credentials: AwsCredentials) -> Self {
        Self::builder(region, credentials).assemble()
    }

    /// The settings of a client for `region`, to change before [`build`](ClientBuilder::build).
    ///
    /// ```
    /// # fn run() -> cdp::Result<()> {
    /// let client = cdp::customer_profiles::Client::builder(
    ///     "eu-west-1",
    ///     cdp::transport::AwsCredentials::new("AKIDEXAMPLE", "secret"),
    /// )
    /// .base_url("http://127.0.0.1:8080/customer-profiles")
    /// .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn builder(region: impl Into<String>, credentials: AwsCredentials) -> ClientBuilder {
        let region = region.into();
        ClientBuilder {
            config: ClientConfig::new(endpoint(&region, false, false)),
            region,
            credentials,
            fips: false,
            dual_stack: false,
            base_url: None,
        }
    }

    /// From the environment, as the AWS CLI finds its settings without plugins: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; otherwise the profile `AWS_PROFILE` (or
    /// `default`) of the shared credentials and config files; the region from `AWS_REGION`,
    /// `AWS_DEFAULT_REGION` or the profile; the endpoint from `AWS_ENDPOINT_URL_CUSTOMER_PROFILES` when set
    /// (as the AWS SDKs read it), the region's otherwise. A profile that needs SSO, a role to assume, web identity, a
    /// credential process, a container or instance metadata is an [`Error::Config`] naming the `aws-config`
    /// feature, which this build does not use.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let client = cdp::customer_profiles::Client::from_env().await?;
    /// # let _ = client; Ok(()) }
    /// ```
    #[cfg(not(feature = "aws-config"))]
    pub async fn from_env() -> Result<Self> {
        let vars: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .collect();
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        from_settings(&vars, home)
    }

    /// The same client at another endpoint (a sandbox, a VPC endpoint, a proxy), sharing this one's HTTP
    /// client once it is built. Requests are still signed for this client's region.
    ///
    /// ```
    /// let client = cdp::customer_profiles::Client::new(
    ///     "eu-west-1",
    ///     cdp::transport::AwsCredentials::new("AKIDEXAMPLE", "secret"),
    /// )
    /// .base_url("http://127.0.0.1:8080/customer-profiles");
    /// assert_eq!(client.endpoint(), "http://127.0.0.1:8080/customer-profiles");
    /// ```
    pub fn base_url(self, url: impl Into<String>) -> Self {
        let config = self.current_config().base_url(url);
        self.rebuilt(config)
    }

    /// The same client with another configuration (timeouts, retries, user agent, a transport for tests,
    /// your own `reqwest::Client`). The reads sent as POST stay marked safe whatever retry policy is set.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = cdp::customer_profiles::Client::new(
    ///     "eu-west-1",
    ///     cdp::transport::AwsCredentials::new("AKIDEXAMPLE", "secret"),
    /// )
    /// .configure(|c| c.timeout(Duration::from_secs(5)));
    /// # let _ = client;
    /// ```
    pub fn configure(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        let config = change(self.current_config());
        self.rebuilt(config)
    }

    /// The region requests are signed for.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// assert_eq!(client.region(), "eu-west-1");
    /// ```
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint requests go to.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// assert_eq!(client.endpoint(), "https://profile.eu-west-1.amazonaws.com");
    /// ```
    pub fn endpoint(&self) -> &str {
        self.core.url()
    }

    /// The HTTP client this client sends with, to share with other clients, or the configuration error
    /// that keeps it from working.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let shared = client.http_client()?;
    /// # let _ = shared; Ok::<(), cdp::Error>(())
    /// ```
    pub fn http_client(&self) -> Result<reqwest::Client> {
        self.api().map(|api| api.client().clone())
    }

    /// The generated client, for the operations the ergonomic API does not cover; its errors convert into
    /// [`Error`] with `?`.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// use cdp::customer_profiles::api::ClientInfo as _;
    ///
    /// let api = client.api()?;
    /// assert_eq!(api.baseurl(), "https://profile.eu-west-1.amazonaws.com");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn api(&self) -> Result<&customer_profiles_api::Client> {
        self.core
            .api(|config| make_api(config, &self.region, self.credentials.clone()))
    }

    /// The generated client to send with now: with a credentials provider, one signing with credentials
    /// that are not about to expire.
    pub(crate) async fn current_api(&self) -> Result<customer_profiles_api::Client> {
        #[cfg(feature = "aws-config")]
        if let Some(refreshing) = &self.refreshing {
            return refreshing.api(self).await;
        }
        self.api().cloned()
    }

    pub(crate) fn current_config(&self) -> ClientConfig {
        self.core.current_config()
    }

    fn rebuilt(self, config: ClientConfig) -> Self {
        #[cfg(feature = "aws-config")]
        let refreshing = self
            .refreshing
            .as_ref()
            .map(super::refresh::Refreshing::renewed);
        let client = ClientBuilder {
            region: self.region,
            credentials: self.credentials,
            fips: false,
            dual_stack: false,
            base_url: None,
            config,
        }
        .assemble();
        #[cfg(feature = "aws-config")]
        let client = Client {
            refreshing,
            ..client
        };
        client
    }
}

impl ClientBuilder {
    /// Sends to this endpoint rather than the region's (a sandbox, a VPC endpoint); requests are still
    /// signed for the region.
    ///
    /// ```
    /// # let b = cdp::customer_profiles::Client::builder("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let client = b.base_url("http://127.0.0.1:9/customer-profiles").build()?;
    /// assert_eq!(client.endpoint(), "http://127.0.0.1:9/customer-profiles");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Uses the FIPS endpoint (`profile-fips.{region}…`).
    ///
    /// ```
    /// # let b = cdp::customer_profiles::Client::builder("us-east-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// assert_eq!(b.fips(true).build()?.endpoint(), "https://profile-fips.us-east-1.amazonaws.com");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn fips(mut self, on: bool) -> Self {
        self.fips = on;
        self
    }

    /// Uses the dual-stack (IPv4 and IPv6) endpoint (`…{region}.api.aws`).
    ///
    /// ```
    /// # let b = cdp::customer_profiles::Client::builder("us-east-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// assert_eq!(b.dual_stack(true).build()?.endpoint(), "https://profile.us-east-1.api.aws");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn dual_stack(mut self, on: bool) -> Self {
        self.dual_stack = on;
        self
    }

    /// Changes the client configuration: timeouts (the connect timeout included), retries, user agent, a
    /// transport for tests, your own `reqwest::Client`.
    ///
    /// ```
    /// # let b = cdp::customer_profiles::Client::builder("us-east-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let client = b.configure(|c| c.connect_timeout(std::time::Duration::from_secs(3))).build()?;
    /// # let _ = client; Ok::<(), cdp::Error>(())
    /// ```
    pub fn configure(mut self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.config = change(self.config);
        self
    }

    /// Sends with this HTTP client rather than building one.
    ///
    /// ```
    /// # let b = cdp::customer_profiles::Client::builder("us-east-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let client = b.http_client(cdp::transport::client_builder().build()?).build()?;
    /// # let _ = client; Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.config = self.config.http_client(client);
        self
    }

    /// Checks the settings and builds the HTTP client (unless one was given): a broken configuration is
    /// an [`Error::Config`] here.
    ///
    /// ```
    /// let err = cdp::customer_profiles::Client::builder("eu west", cdp::transport::AwsCredentials::new("A", "s"))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(err, cdp::Error::Config { .. }));
    /// ```
    pub fn build(self) -> Result<Client> {
        let client = self.assemble();
        client.api()?;
        Ok(client)
    }

    fn assemble(self) -> Client {
        let Self {
            region,
            credentials,
            fips,
            dual_stack,
            base_url,
            config,
        } = self;
        let config = match base_url {
            Some(url) => config.base_url(url),
            None if fips || dual_stack => config.base_url(endpoint(&region, fips, dual_stack)),
            None => config,
        };
        Client {
            core: Core::new(config, check_region(&region).err()),
            region,
            credentials,
            #[cfg(feature = "aws-config")]
            refreshing: None,
        }
    }
}

/// The generated client for `config`, signing with `credentials` for `region`; the reads sent as POST
/// marked safe to repeat.
pub(crate) fn make_api(
    config: &ClientConfig,
    region: &str,
    credentials: AwsCredentials,
) -> std::result::Result<customer_profiles_api::Client, Arc<str>> {
    let auth = Auth::sigv4(SigV4::new(credentials, region, SIGNING_NAME));
    let (http, inner) = connect(config, "customer-profiles", auth)?;
    let retry = inner.retry().clone().safe_operations([
        GET_SEGMENT_MEMBERSHIP,
        SEARCH_PROFILES,
        BATCH_GET_PROFILE,
    ]);
    Ok(customer_profiles_api::Client::new_with_client(
        config.url(),
        http,
        inner.with_retry(retry),
    ))
}

/// A region is a DNS label chain of lowercase letters, digits and `-` (it becomes part of a host name).
fn check_region(region: &str) -> std::result::Result<(), Arc<str>> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Arc::from(format!(
            "`{region}` is not an AWS region name (lowercase letters, digits and `-`, like `eu-west-1`)"
        )))
    }
}

// With `aws-config`, `from_env` follows the official chain instead; this loader stays built and tested.
#[cfg_attr(feature = "aws-config", allow(dead_code))]
/// Profile keys that name a credential source only the official `aws-config` crate follows.
const NEEDS_AWS_CONFIG: [(&str, &str); 7] = [
    ("sso_session", "SSO"),
    ("sso_start_url", "SSO"),
    ("role_arn", "a role to assume"),
    ("web_identity_token_file", "web identity"),
    ("credential_process", "a credential process"),
    ("credential_source", "a container or instance metadata"),
    ("source_profile", "a role to assume"),
];

// With `aws-config`, `from_env` follows the official chain instead; this loader stays built and tested.
#[cfg_attr(feature = "aws-config", allow(dead_code))]
/// Environment variables that name a credential source only the official `aws-config` crate follows.
const ENV_NEEDS_AWS_CONFIG: [(&str, &str); 3] = [
    ("AWS_WEB_IDENTITY_TOKEN_FILE", "web identity"),
    ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "a container"),
    ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "a container"),
];

// With `aws-config`, `from_env` follows the official chain instead; this loader stays built and tested.
#[cfg_attr(feature = "aws-config", allow(dead_code))]
/// The client the settings (`AWS_*` variables and a home directory) describe.
fn from_settings(vars: &BTreeMap<String, String>, home: Option<PathBuf>) -> Result<Client> {
    let mut source = AwsProfileSource::default();
    for (name, value) in vars {
        source = source.var(name, value);
    }
    if let Some(home) = &home {
        source = source.home(home);
    }
    let region = source.region().ok_or_else(|| Error::Config {
        message: format!(
            "no AWS region: set AWS_REGION, or `region` in profile `{}` of ~/.aws/config",
            source.profile()
        ),
    })?;
    let credentials = match source.credentials() {
        Ok(credentials) => credentials,
        Err(not_found) => {
            let needs = needs_aws_config(vars, home.as_deref(), source.profile());
            return Err(Error::Config {
                message: match needs {
                    Some(what) => format!(
                        "the AWS credentials come from {what}, which needs the `aws-config` feature of \
                         `cdp` (this build reads only keys from the environment and the shared files)"
                    ),
                    None => format!("AWS credentials: {not_found}"),
                },
            });
        }
    };
    let builder = Client::builder(region, credentials);
    match vars
        .get("AWS_ENDPOINT_URL_CUSTOMER_PROFILES")
        .filter(|v| !v.is_empty())
    {
        Some(url) => builder.base_url(url.as_str()),
        None => builder,
    }
    .build()
}

// With `aws-config`, `from_env` follows the official chain instead; this loader stays built and tested.
#[cfg_attr(feature = "aws-config", allow(dead_code))]
/// Which credential source beyond static keys the settings name, if any.
fn needs_aws_config(
    vars: &BTreeMap<String, String>,
    home: Option<&std::path::Path>,
    profile: &str,
) -> Option<&'static str> {
    let set = |name: &str| vars.get(name).is_some_and(|v| !v.is_empty());
    if let Some((_, what)) = ENV_NEEDS_AWS_CONFIG.iter().find(|(name, _)| set(name)) {
        return Some(what);
    }
    let file = |var: &str, name: &str| match vars.get(var).filter(|v| !v.is_empty()) {
        Some(path) => Some(PathBuf::from(path)),
        None => home.map(|h| h.join(".aws").join(name)),
    };
    let config_section = if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    };
    let places = [
        (file("AWS_CONFIG_FILE", "config"), config_section),
        (
            file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            profile.to_owned(),
        ),
    ];
    for (path, section) in places {
        let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
            continue;
        };
        let Ok(ini) = ini::Ini::load_from_str(&text) else {
            continue;
        };
        let Some(keys) = ini.section(Some(section.as_str())) else {
            continue;
        };
        if let Some((_, what)) = NEEDS_AWS_CONFIG
            .iter()
            .find(|(key, _)| keys.contains_key(key))
        {
            return Some(what);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn home(config: &str, credentials: &str) -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cdp-aws-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        std::fs::write(dir.join(".aws/config"), config).unwrap();
        std::fs::write(dir.join(".aws/credentials"), credentials).unwrap();
        dir
    }

    #[test]
    fn endpoints_by_region_fips_and_dual_stack() {
        let creds = || AwsCredentials::new("AKID", "secret");
        let c = Client::new("eu-central-1", creds());
        assert_eq!(c.endpoint(), "https://profile.eu-central-1.amazonaws.com");
        let c = Client::builder("us-east-1", creds())
            .fips(true)
            .build()
            .unwrap();
        assert_eq!(c.endpoint(), "https://profile-fips.us-east-1.amazonaws.com");
        let c = Client::builder("us-east-1", creds())
            .dual_stack(true)
            .build()
            .unwrap();
        assert_eq!(c.endpoint(), "https://profile.us-east-1.api.aws");
        // An explicit base URL wins over the options, and a derived client keeps its region.
        let c = Client::builder("us-east-1", creds())
            .fips(true)
            .base_url("http://127.0.0.1:9/cp/")
            .build()
            .unwrap();
        assert_eq!(c.endpoint(), "http://127.0.0.1:9/cp");
        let c = c.base_url("http://127.0.0.1:9/other");
        assert_eq!(
            (c.region(), c.endpoint()),
            ("us-east-1", "http://127.0.0.1:9/other")
        );
        for bad in ["", "eu west 1", "EU-WEST-1", "eu-west-1.evil.com/", "-x"] {
            let err = Client::builder(bad, creds()).build().unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{bad}: {err:?}");
            assert!(matches!(
                Client::new(bad, creds()).api(),
                Err(Error::Config { .. })
            ));
        }
    }

    #[test]
    fn one_http_client_is_built_whatever_the_steps() {
        let n = crate::client_core::tests::builds(|| {
            let c = Client::new("eu-west-1", AwsCredentials::new("AKID", "secret"))
                .base_url("http://127.0.0.1:9/cp")
                .configure(|c| c.timeout(std::time::Duration::from_secs(3)));
            let copy = c.clone();
            let _ = (c.api().unwrap(), copy.api().unwrap());
            let derived = c.base_url("http://127.0.0.1:9/other");
            assert_eq!(derived.endpoint(), "http://127.0.0.1:9/other");
            derived.api().unwrap();
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn environment_keys_and_region() {
        let c = from_settings(
            &vars(&[
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "s3cr3t"),
                ("AWS_SESSION_TOKEN", "t0ken"),
                ("AWS_REGION", "ap-south-1"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(c.endpoint(), "https://profile.ap-south-1.amazonaws.com");
        let local = from_settings(
            &vars(&[
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "s3cr3t"),
                ("AWS_REGION", "ap-south-1"),
                (
                    "AWS_ENDPOINT_URL_CUSTOMER_PROFILES",
                    "http://127.0.0.1:9/cp",
                ),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(
            (local.region(), local.endpoint()),
            ("ap-south-1", "http://127.0.0.1:9/cp")
        );
        let shown = format!("{c:?}");
        assert!(shown.contains("AKIDENV") && !shown.contains("s3cr3t") && !shown.contains("t0ken"));
        let err = from_settings(
            &vars(&[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "s")]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no AWS region"), "{err}");
    }

    #[test]
    fn named_profiles_from_the_shared_files() {
        let dir = home(
            "[default]\nregion = eu-west-1\n[profile work]\nregion = eu-south-1\n",
            "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = s1\n\
             [work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = s2\n",
        );
        let c = from_settings(&vars(&[("AWS_PROFILE", "work")]), Some(dir.clone())).unwrap();
        assert_eq!(c.region(), "eu-south-1");
        assert!(format!("{c:?}").contains("AKIDWORK"));
        let c = from_settings(&vars(&[]), Some(dir)).unwrap();
        assert_eq!(c.region(), "eu-west-1");
        assert!(format!("{c:?}").contains("AKIDDEF"));
    }

    #[test]
    fn sources_beyond_static_keys_name_the_feature() {
        let cases = [
            (
                "[profile sso]\nregion = eu-west-1\nsso_session = corp\n",
                "sso",
                "SSO",
            ),
            (
                "[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n",
                "role",
                "a role to assume",
            ),
            (
                "[profile ec2]\nregion = eu-west-1\ncredential_source = Ec2InstanceMetadata\n",
                "ec2",
                "instance metadata",
            ),
        ];
        for (config, profile, says) in cases {
            let dir = home(config, "");
            let err = from_settings(&vars(&[("AWS_PROFILE", profile)]), Some(dir)).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
            assert!(
                message.contains("`aws-config` feature") && message.contains(says),
                "{message}"
            );
        }
        let err = from_settings(
            &vars(&[
                ("AWS_REGION", "eu-west-1"),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
            ]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("web identity"), "{err}");
        // Nothing at all: the plain "none found" message, no feature named.
        let err = from_settings(&vars(&[("AWS_REGION", "eu-west-1")]), None).unwrap_err();
        assert!(!err.to_string().contains("aws-config"), "{err}");
    }
}
