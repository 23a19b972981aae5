//! With the `aws-config` feature: credentials from the official default chain (or any provider), fetched
//! again before they expire.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use cdp_transport::AwsCredentials;

use super::Client;
use super::client::make_api;
use super::errors::SERVICE;
use crate::{Error, Result};

/// Credentials this close to their expiry are replaced before a call.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// The client of the latest credentials and when they expire (`None`: never).
type Current = Arc<tokio::sync::Mutex<Option<(customer_profiles_api::Client, Option<SystemTime>)>>>;

/// A provider and the generated client signing with its latest credentials.
#[derive(Clone)]
pub(crate) struct Refreshing {
    provider: SharedCredentialsProvider,
    current: Current,
}

impl fmt::Debug for Refreshing {
    /// Never the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Refreshing { .. }")
    }
}

/// The provider's next credentials, and when they expire.
async fn fetch(
    provider: &SharedCredentialsProvider,
) -> Result<(AwsCredentials, Option<SystemTime>)> {
    let fetched = provider
        .provide_credentials()
        .await
        .map_err(|e| Error::Auth {
            service: SERVICE,
            message: format!("the AWS credentials provider failed: {e}"),
        })?;
    let credentials = AwsCredentials::new(fetched.access_key_id(), fetched.secret_access_key());
    let credentials = match fetched.session_token() {
        Some(token) => credentials.with_session_token(token),
        None => credentials,
    };
    Ok((credentials, fetched.expiry()))
}

impl Refreshing {
    /// The same provider for a client whose configuration changed: its next call builds a client of its own.
    pub(crate) fn renewed(&self) -> Self {
        Self {
            provider: self.provider.clone(),
            current: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// The generated client signing with credentials good for at least [`REFRESH_BEFORE`].
    pub(crate) async fn api(&self, client: &Client) -> Result<customer_profiles_api::Client> {
        // Configuration problems first, and the HTTP client built once and shared.
        client.api()?;
        let mut current = self.current.lock().await;
        if let Some((api, expiry)) = current.as_ref() {
            let fresh = expiry.is_none_or(|at| {
                at.duration_since(SystemTime::now())
                    .is_ok_and(|left| left > REFRESH_BEFORE)
            });
            if fresh {
                return Ok(api.clone());
            }
        }
        let (credentials, expiry) = fetch(&self.provider).await?;
        let api = make_api(&client.current_config(), client.region(), credentials).map_err(
            |message| Error::Config {
                message: message.to_string(),
            },
        )?;
        *current = Some((api.clone(), expiry));
        Ok(api)
    }
}

impl Client {
    /// From the official default chain of the `aws-config` crate: the environment, the shared files (SSO
    /// included), web identity (EKS's IRSA), the ECS container endpoint and EC2 instance metadata; the
    /// region from the same chain, and the endpoint from `AWS_ENDPOINT_URL_CUSTOMER_PROFILES` when set.
    /// Temporary credentials are fetched again five minutes before they expire.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let client = cdp::customer_profiles::Client::from_env().await?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub async fn from_env() -> Result<Self> {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let region = sdk.region().ok_or_else(|| Error::Config {
            message: "no AWS region: set AWS_REGION, or `region` in your AWS profile".to_owned(),
        })?;
        let provider = sdk.credentials_provider().ok_or_else(|| Error::Config {
            message: "the AWS default chain gave no credentials provider".to_owned(),
        })?;
        let client = Self::with_credentials_provider(region.to_string(), provider).await?;
        match std::env::var("AWS_ENDPOINT_URL_CUSTOMER_PROFILES") {
            Ok(url) if !url.is_empty() => Ok(client.base_url(url)),
            _ => Ok(client),
        }
    }

    /// A client for `region` whose credentials come from `provider` (any `aws-config` provider: a role to
    /// assume, SSO, IMDS…), fetched now (so that a provider that fails is an error here) and again five
    /// minutes before they expire.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let provider = aws_config::default_provider::credentials::default_provider().await;
    /// let client = cdp::customer_profiles::Client::with_credentials_provider("eu-west-1", provider).await?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub async fn with_credentials_provider(
        region: impl Into<String>,
        provider: impl ProvideCredentials + 'static,
    ) -> Result<Self> {
        let provider = SharedCredentialsProvider::new(provider);
        let (credentials, expiry) = fetch(&provider).await?;
        let client = Self::builder(region, credentials.clone()).build()?;
        let api = make_api(&client.current_config(), client.region(), credentials).map_err(
            |message| Error::Config {
                message: message.to_string(),
            },
        )?;
        let mut client = client;
        client.refreshing = Some(Refreshing {
            provider,
            current: Arc::new(tokio::sync::Mutex::new(Some((api, expiry)))),
        });
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_credential_types::Credentials;
    use aws_credential_types::provider::future;

    use super::*;

    /// Hands out numbered credentials that live `lifetime`, counting the calls.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        lifetime: Duration,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("AKID{n}"),
                "s3cr3t",
                Some("t0ken".to_owned()),
                Some(SystemTime::now() + self.lifetime),
                "test",
            )))
        }
    }

    async fn client(lifetime: Duration) -> (Client, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let provider = Counting {
            calls: calls.clone(),
            lifetime,
        };
        let client = Client::with_credentials_provider("eu-west-1", provider)
            .await
            .unwrap();
        (client, calls)
    }

    #[tokio::test]
    async fn credentials_are_fetched_again_only_near_their_expiry() {
        let (lasting, calls) = client(Duration::from_secs(3600)).await;
        for _ in 0..3 {
            lasting.current_api().await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "an hour left: kept");
        let (expiring, calls) = client(Duration::from_secs(60)).await;
        for _ in 0..3 {
            expiring.current_api().await.unwrap();
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            4,
            "a minute left: fetched before each call"
        );
        // A client derived with another configuration keeps the provider.
        let derived = lasting.base_url("http://127.0.0.1:9/cp");
        derived.current_api().await.unwrap();
        assert!(derived.refreshing.is_some());
        assert!(!format!("{derived:?}").contains("s3cr3t"));
    }

    #[tokio::test]
    async fn a_failing_provider_is_an_auth_error() {
        #[derive(Debug)]
        struct Failing;
        impl ProvideCredentials for Failing {
            fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                future::ProvideCredentials::ready(Err(
                    aws_credential_types::provider::error::CredentialsError::not_loaded(
                        "no IMDS here",
                    ),
                ))
            }
        }
        let err = Client::with_credentials_provider("eu-west-1", Failing)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    }
}
