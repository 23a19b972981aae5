use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::{Faults, Service};

/// How a sandbox starts: the seed of its demo data, how much of it, the port, faults from the start, and
/// the credentials it accepts.
///
/// ```
/// use cdp_sandbox::{Config, Faults, Service};
///
/// let config = Config::default()
///     .seed(7)
///     .customers(100)
///     .faults(Service::ContactHub, Faults { error_rate: 0.1, ..Faults::default() });
/// assert_eq!(config.customers, 100);
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    /// Seed of the demo data (and of the faults, unless a [`Faults`] sets its own).
    pub seed: u64,
    /// ContactHub customers to seed.
    pub customers: usize,
    /// BlueConic profiles to seed.
    pub profiles: usize,
    /// AWS Customer Profiles profiles to seed.
    pub aws_profiles: usize,
    /// The port to listen on (on 127.0.0.1); 0 picks a free one.
    pub port: u16,
    /// How many requests the journal keeps (the oldest go first).
    pub journal_capacity: usize,
    /// Faults in force from the start, per service.
    pub faults: BTreeMap<Service, Faults>,
    /// The credentials the sandbox accepts.
    pub credentials: Credentials,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 42,
            customers: 2_000,
            profiles: 2_000,
            aws_profiles: 500,
            port: 0,
            journal_capacity: 10_000,
            faults: BTreeMap::new(),
            credentials: Credentials::default(),
        }
    }
}

impl Config {
    /// Sets the seed of the demo data.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets how many ContactHub customers are seeded.
    pub fn customers(mut self, customers: usize) -> Self {
        self.customers = customers;
        self
    }

    /// Sets how many BlueConic profiles are seeded.
    pub fn profiles(mut self, profiles: usize) -> Self {
        self.profiles = profiles;
        self
    }

    /// Sets the port (0 for a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the faults of one service from the start.
    pub fn faults(mut self, service: Service, faults: Faults) -> Self {
        self.faults.insert(service, faults);
        self
    }
}

/// The credentials a sandbox accepts; they are demo values, not secrets.
///
/// ```
/// let credentials = cdp_sandbox::Credentials::default();
/// assert!(!credentials.contacthub_token.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Credentials {
    /// ContactHub bearer token.
    pub contacthub_token: String,
    /// The ContactHub workspace that exists.
    pub contacthub_workspace: String,
    /// The ContactHub node that exists.
    pub contacthub_node: String,
    /// BlueConic OAuth2 client id.
    pub blueconic_client_id: String,
    /// BlueConic OAuth2 client secret.
    pub blueconic_client_secret: String,
    /// AWS access key id.
    pub aws_access_key_id: String,
    /// AWS secret access key.
    pub aws_secret_access_key: String,
    /// AWS region.
    pub aws_region: String,
    /// The Customer Profiles domain that exists.
    pub aws_domain: String,
    /// Flagship environment id.
    pub flagship_env_id: String,
    /// Flagship API key.
    pub flagship_api_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            contacthub_token: "sandbox-contacthub-token".into(),
            contacthub_workspace: "sandbox-workspace".into(),
            contacthub_node: "sandbox-node".into(),
            blueconic_client_id: "sandbox-client".into(),
            blueconic_client_secret: "sandbox-client-secret".into(),
            aws_access_key_id: "AKIASANDBOX000000000".into(),
            aws_secret_access_key: "sandbox/aws/secret/access/key/000000000".into(),
            aws_region: "eu-west-1".into(),
            aws_domain: "sandbox-domain".into(),
            flagship_env_id: "sandbox-env".into(),
            flagship_api_key: "sandbox-flagship-api-key".into(),
        }
    }
}

/// Where each service of a running sandbox answers: give these to the clients as base URLs.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let sandbox = cdp_sandbox::Sandbox::start().await?;
/// assert!(sandbox.urls().blueconic.ends_with("/blueconic/rest/v2"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Urls {
    /// ContactHub (in place of `https://api.contactlab.it/hub/v1`).
    pub contacthub: String,
    /// BlueConic (in place of `https://<tenant>.blueconic.net/rest/v2`).
    pub blueconic: String,
    /// AWS Customer Profiles (in place of `https://profile.<region>.amazonaws.com`).
    pub customer_profiles: String,
    /// Flagship decision API (in place of `https://decision.flagship.io`).
    pub flagship_decision: String,
    /// Flagship bucketing file host (in place of `https://cdn.flagship.io`).
    pub flagship_cdn: String,
    /// Flagship hit collector (in place of `https://ariane.abtasty.com`).
    pub flagship_hits: String,
    /// The sandbox's own routes: `GET`/`DELETE /journal`, `GET`/`PUT /faults/{service}`.
    pub admin: String,
}

impl Urls {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        let base = format!("http://{addr}");
        Self {
            contacthub: format!("{base}/contacthub"),
            blueconic: format!("{base}/blueconic/rest/v2"),
            customer_profiles: format!("{base}/aws"),
            flagship_decision: format!("{base}/flagship/decision"),
            flagship_cdn: format!("{base}/flagship/cdn"),
            flagship_hits: format!("{base}/flagship/hits"),
            admin: format!("{base}/_sandbox"),
        }
    }
}
