//! Sending a prepared request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future, as [`Transport::execute`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends a request that is ready to go (authenticated, headers final). The default is [`Direct`]; tests
/// plug in one that records the request and answers from memory.
///
/// ```
/// use cdp_transport::{BoxFuture, Transport};
///
/// #[derive(Debug)]
/// struct Logging;
///
/// impl Transport for Logging {
///     fn execute<'a>(
///         &'a self,
///         client: &'a reqwest::Client,
///         request: reqwest::Request,
///         operation: &'static str,
///     ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
///         println!("{operation}: {} {}", request.method(), request.url());
///         Box::pin(client.execute(request))
///     }
/// }
/// ```
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends `request`, which belongs to the spec operation `operation`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
}

/// Sends over the network with the client's `reqwest::Client`.
///
/// ```
/// let inner = cdp_transport::Inner::new(cdp_transport::Auth::None).with_transport(cdp_transport::Direct);
/// # let _ = inner;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Direct;

impl Transport for Direct {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(client.execute(request))
    }
}
