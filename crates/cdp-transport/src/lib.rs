//! The one way requests of the `cdp` clients go out.
//!
//! Every generated `*-api` client executes its requests through progenitor's hooks, and each crate
//! implements them with [`impl_client_hooks!`]: [`Inner::prepare`] authenticates a request before it is
//! sent (a bearer token, an API key, an OAuth2 token fetched and cached, or a SigV4 signature), and
//! [`Inner::execute`] sends it through a [`Transport`] — [`Direct`] over the network by default, or a test's
//! own transport that records requests. After a 401, a client with OAuth2 credentials drops its token,
//! fetches a new one and sends the request once more.
//!
//! ```
//! use cdp_transport::{Auth, Inner};
//!
//! let inner = Inner::new(Auth::bearer("token"));
//! assert!(!format!("{inner:?}").contains("token"));
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod transport;

pub use auth::{Auth, AuthError, AwsCredentials, AwsProfileSource, ClientCredentials, SigV4};
pub use transport::{BoxFuture, Direct, Transport};

use std::sync::Arc;

/// What every generated client carries besides its base URL and `reqwest::Client`: how to authenticate and
/// how to send. Its `Debug` never shows a secret.
///
/// ```
/// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None);
/// # let _ = inner;
/// ```
#[derive(Clone, Debug)]
pub struct Inner {
    auth: Auth,
    transport: Arc<dyn Transport>,
}

impl Inner {
    /// Sends with [`Direct`] and the given authentication.
    ///
    /// ```
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::api_key("x-api-key", "k"));
    /// # let _ = inner;
    /// ```
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            transport: Arc::new(Direct),
        }
    }

    /// Replaces the transport, for instance with one that records requests in tests.
    ///
    /// ```
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None).with_transport(cdp_transport::Direct);
    /// # let _ = inner;
    /// ```
    pub fn with_transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Arc::new(transport);
        self
    }

    /// The authentication in use.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Makes a built request ready to send: authenticates it. Called by the generated clients before
    /// [`Inner::execute`]; an error here is reported by the client without anything being sent.
    ///
    /// progenitor adds an `api-version` header (the spec's `info.version`) to every request. None of the
    /// services reads it, and AWS would have to sign it, so it is removed here.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::bearer("t"));
    /// let client = reqwest::Client::new();
    /// let mut request = client.get("http://127.0.0.1:8080/").build()?;
    /// inner.prepare(&client, &mut request).await?;
    /// assert_eq!(request.headers()["authorization"], "Bearer t");
    /// # Ok(()) }
    /// ```
    pub async fn prepare(
        &self,
        client: &reqwest::Client,
        request: &mut reqwest::Request,
    ) -> Result<(), AuthError> {
        request.headers_mut().remove("api-version");
        self.auth.authorize(client, request).await
    }

    /// Sends one prepared request of the operation `operation`; called by the generated clients.
    ///
    /// ```no_run
    /// # async fn run() -> reqwest::Result<()> {
    /// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None);
    /// let client = reqwest::Client::new();
    /// let request = client.get("http://127.0.0.1:8080/").build()?;
    /// let response = inner.execute(&client, request, "getRoot").await?;
    /// # let _ = response; Ok(()) }
    /// ```
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let again = request.try_clone();
        let response = self.transport.execute(client, request, operation).await?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(mut again) = again else {
            return Ok(response);
        };
        if !self.auth.unauthorized(&again).await
            || self.auth.authorize(client, &mut again).await.is_err()
        {
            return Ok(response);
        }
        self.transport.execute(client, again, operation).await
    }
}

#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
}

/// Implements progenitor's `ClientHooks` for a generated `Client` whose inner type is [`Inner`], so that
/// every request is prepared by [`Inner::prepare`] and sent by [`Inner::execute`]. Use it once in each
/// `*-api` crate (the orphan rule keeps the impl there).
///
/// ```ignore
/// cdp_transport::impl_client_hooks!(Client);
/// ```
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::Inner> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::__private::reqwest::Request,
                _info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                self.inner()
                    .prepare(self.client(), request)
                    .await
                    .map_err(|e| $crate::__private::progenitor_client::Error::Custom(e.to_string()))
            }

            async fn exec(
                &self,
                request: $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> $crate::__private::reqwest::Result<$crate::__private::reqwest::Response> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                self.inner()
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
        }
    };
}
