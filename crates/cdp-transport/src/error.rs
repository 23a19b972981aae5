//! Failures of the transport itself, carried typed through code that only passes `reqwest::Error`s on.

use std::fmt;
use std::future::Future as _;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use std::io;
use std::sync::LazyLock;
use std::time::Duration;

use crate::AuthError;
use crate::path::PathError;

/// The cause a [`TransportError::Timeout`] gives as its `source()`: an I/O timeout, which is what makes
/// `reqwest::Error::is_timeout` recognise the error that carries it.
static TIMED_OUT: LazyLock<io::Error> = LazyLock::new(|| io::Error::from(io::ErrorKind::TimedOut));

/// What the transport refused or could not do, as opposed to what the network or the service did.
///
/// progenitor's hooks can return only a `reqwest::Error` (or a string), so the transport hands these on
/// inside one: [`TransportError::into_reqwest`] wraps it as the `source()` of a `reqwest::Error`, and
/// [`TransportError::find`] gets it back from any error chain. `cdp::Error` does that, so its callers see
/// which of these happened. Messages never contain a secret or a URL's path or query.
///
/// ```
/// use cdp_transport::TransportError;
///
/// let wrapped = TransportError::TooLarge { limit: 1024 }.into_reqwest();
/// assert!(matches!(
///     TransportError::find(&wrapped),
///     Some(TransportError::TooLarge { limit: 1024 })
/// ));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TransportError {
    /// An answer's body was longer than the limit for its kind; reading stopped there.
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The service answered with a redirect, which is never followed: credentials and bodies must not
    /// go to another origin.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Where it pointed (scheme, host and port only), when it said.
        origin: Option<String>,
    },
    /// A value that would become a path segment can not be one (empty, `.` or `..`, in any encoding or
    /// look-alike); nothing was sent. The one way a refused segment travels: [`crate::path::segment`]'s
    /// refusal, carried as it is (a generated client's `send()` puts it here).
    InvalidPathSegment(PathError),
    /// The request could not be authenticated (a token endpoint failed, credentials were unusable).
    Auth(AuthError),
    /// An attempt got no (whole) answer within its budget: the client's per-attempt timeout, or what was
    /// left of the call's timeout. The `reqwest::Error` carrying it still says `is_timeout()`.
    Timeout {
        /// How long the last attempt waited.
        after: Duration,
    },
}

impl TransportError {
    /// This error as the `source()` of a `reqwest::Error`, for code that can only return those (the hooks
    /// of a generated client). [`TransportError::find`] recovers it.
    ///
    /// ```
    /// use cdp_transport::TransportError;
    ///
    /// let refused = cdp_transport::path::segment("customerId", "..").unwrap_err();
    /// let wrapped: reqwest::Error = TransportError::InvalidPathSegment(refused).into_reqwest();
    /// assert!(matches!(
    ///     TransportError::find(&wrapped),
    ///     Some(TransportError::InvalidPathSegment(e)) if e.field() == "customerId"
    /// ));
    /// ```
    pub fn into_reqwest(self) -> reqwest::Error {
        let fallback_status = self.status_hint();
        carried(self).unwrap_or_else(|| fallback(fallback_status))
    }

    /// The transport error in `error` or anywhere in its chain of sources.
    ///
    /// ```
    /// let plain = std::io::Error::other("no");
    /// assert!(cdp_transport::TransportError::find(&plain).is_none());
    /// ```
    pub fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a TransportError> {
        let mut current = Some(error);
        while let Some(error) = current {
            if let Some(found) = error.downcast_ref::<TransportError>() {
                return Some(found);
            }
            current = error.source();
        }
        None
    }

    fn status_hint(&self) -> u16 {
        match self {
            Self::Redirect { status, .. } => *status,
            Self::Timeout { .. } => 504,
            _ => 500,
        }
    }
}

/// Unreachable in practice (the in-memory body is read on the first poll), but never a panic: an error
/// without the typed source.
/// A `reqwest::Error` whose `source()` is `error`. reqwest offers no constructor for one, so this reads a
/// response whose only body frame is `error`: reading it makes reqwest wrap the error as its source. The
/// body is in memory, so the read ends at the first poll, without a runtime; it is polled a few times to be
/// sure and never blocks. `None` if reqwest ever stopped behaving so (a test would show it).
pub(crate) fn carried<E>(error: E) -> Option<reqwest::Error>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let stream = futures::stream::once(std::future::ready(Err::<bytes::Bytes, _>(error)));
    let response = reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)));
    let mut read = pin!(response.bytes());
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..8 {
        if let Poll::Ready(result) = read.as_mut().poll(&mut cx) {
            return result.err().map(reqwest::Error::without_url);
        }
    }
    None
}

fn fallback(status: u16) -> reqwest::Error {
    let status = reqwest::StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = http::Response::new(reqwest::Body::from(""));
    *response.status_mut() = status;
    match reqwest::Response::from(response).error_for_status() {
        Err(error) => error.without_url(),
        // An error status always gives an error; this arm only keeps the function total.
        Ok(_) => fallback(500),
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit } => {
                write!(f, "the answer is larger than the limit of {limit} bytes")
            }
            Self::Redirect {
                status,
                origin: Some(origin),
            } => write!(
                f,
                "the service redirected ({status}) to {origin}; redirects are not followed"
            ),
            Self::Redirect {
                status,
                origin: None,
            } => write!(
                f,
                "the service redirected ({status}); redirects are not followed"
            ),
            Self::InvalidPathSegment(e) => e.fmt(f),
            Self::Auth(e) => e.fmt(f),
            Self::Timeout { after } => write!(f, "no answer within {after:?}"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Auth(e) => Some(e),
            Self::InvalidPathSegment(e) => Some(e),
            Self::Timeout { .. } => Some(&*TIMED_OUT),
            _ => None,
        }
    }
}

impl From<PathError> for TransportError {
    fn from(error: PathError) -> Self {
        Self::InvalidPathSegment(error)
    }
}

impl From<AuthError> for TransportError {
    fn from(error: AuthError) -> Self {
        Self::Auth(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_survives_the_trip_through_reqwest() {
        let cases = [
            TransportError::TooLarge { limit: 7 },
            TransportError::Redirect {
                status: 307,
                origin: Some("http://127.0.0.1:9".into()),
            },
            TransportError::InvalidPathSegment(crate::path::segment("id", "").unwrap_err()),
            TransportError::Auth(AuthError::InvalidSecret),
            TransportError::Timeout {
                after: Duration::from_millis(1500),
            },
        ];
        for case in cases {
            let shown = case.to_string();
            let wrapped = case.into_reqwest();
            let found = TransportError::find(&wrapped).map(ToString::to_string);
            assert_eq!(found.as_deref(), Some(shown.as_str()));
            assert!(wrapped.url().is_none());
        }
    }

    #[test]
    fn a_carried_timeout_is_still_a_timeout_to_reqwest() {
        let wrapped = TransportError::Timeout {
            after: Duration::from_secs(2),
        }
        .into_reqwest();
        assert!(wrapped.is_timeout());
        assert!(
            !TransportError::TooLarge { limit: 1 }
                .into_reqwest()
                .is_timeout()
        );
    }

    #[test]
    fn the_fallback_is_an_error_too() {
        assert_eq!(
            fallback(200).status(),
            Some(reqwest::StatusCode::INTERNAL_SERVER_ERROR)
        );
        assert_eq!(fallback(404).status(), Some(reqwest::StatusCode::NOT_FOUND));
    }
}
