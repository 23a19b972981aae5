//! The one way requests of the `cdp` clients go out.
//!
//! Every generated `*-api` client executes its requests through progenitor's `ClientHooks::exec`, and each
//! crate implements that hook with [`impl_client_hooks!`], which hands the request to [`Inner::execute`].
//! That is the single choke point where authentication is applied and where a [`Transport`] sends the
//! request: [`Direct`] over the network by default, or a test's own transport that records requests.
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

pub use auth::Auth;
pub use transport::{BoxFuture, Direct, Transport};

use std::sync::Arc;

/// What every generated client carries besides its base URL and `reqwest::Client`: how to authenticate and
/// how to send. Its `Debug` never shows a secret.
///
/// ```
/// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None);
/// let client = reqwest::Client::new();
/// # let _ = (inner, client);
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

    /// Prepares and sends one request of the operation `operation`; called by the generated clients.
    ///
    /// progenitor adds an `api-version` header (the spec's `info.version`) to every request. None of the
    /// services reads it, and AWS would have to sign it, so it is removed here.
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
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        request.headers_mut().remove("api-version");
        self.auth.apply(&mut request);
        self.transport.execute(client, request, operation).await
    }
}

#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;
}

/// Implements progenitor's `ClientHooks` for a generated `Client` whose inner type is [`Inner`], so that
/// every request goes through [`Inner::execute`]. Use it once in each `*-api` crate (the orphan rule keeps
/// the impl there).
///
/// ```ignore
/// cdp_transport::impl_client_hooks!(Client);
/// ```
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::Inner> for $client {
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
