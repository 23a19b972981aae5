//! The service's errors by name, and throttled writes tried again.

use std::future::Future;
use std::time::Duration;

use crate::{Error, Result};

/// The error types Customer Profiles answers with (restJson1: from `X-Amzn-ErrorType` or `__type`).
///
/// ```
/// use cdp::customer_profiles::ErrorKind;
/// assert_eq!(ErrorKind::from_type("ThrottlingException"), ErrorKind::Throttling);
/// assert_eq!(ErrorKind::from_type("Other").as_str(), "Other");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `BadRequestException` (400): the input was refused.
    BadRequest,
    /// `AccessDeniedException` (403): the credentials may not do this.
    AccessDenied,
    /// `ResourceNotFoundException` (404): the domain, segment, estimate or snapshot does not exist.
    ResourceNotFound,
    /// `ThrottlingException` (429): too many requests; nothing was done.
    Throttling,
    /// `InternalServerException` (500): the service failed.
    InternalServer,
    /// Another type, as named.
    Other(String),
}

impl ErrorKind {
    /// The kind an error type name gives.
    ///
    /// ```
    /// use cdp::customer_profiles::ErrorKind;
    /// assert_eq!(ErrorKind::from_type("BadRequestException"), ErrorKind::BadRequest);
    /// ```
    pub fn from_type(name: &str) -> Self {
        match name {
            "BadRequestException" => Self::BadRequest,
            "AccessDeniedException" => Self::AccessDenied,
            "ResourceNotFoundException" => Self::ResourceNotFound,
            "ThrottlingException" => Self::Throttling,
            "InternalServerException" => Self::InternalServer,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The error type's name.
    ///
    /// ```
    /// assert_eq!(cdp::customer_profiles::ErrorKind::AccessDenied.as_str(), "AccessDeniedException");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::BadRequest => "BadRequestException",
            Self::AccessDenied => "AccessDeniedException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Throttling => "ThrottlingException",
            Self::InternalServer => "InternalServerException",
            Self::Other(name) => name,
        }
    }

    /// The kind of a call's error, when the service answered with a Customer Profiles error; with no type
    /// named, the status says (400, 403, 404, 429, 500).
    ///
    /// ```
    /// let err = cdp::Error::invalid_input("ProfileIds", "is empty");
    /// assert_eq!(cdp::customer_profiles::ErrorKind::of(&err), None);
    /// ```
    pub fn of(error: &Error) -> Option<Self> {
        let api = error.api()?;
        if api.service != SERVICE {
            return None;
        }
        if let Some(kind) = &api.kind {
            return Some(Self::from_type(kind));
        }
        Some(match api.status {
            400 => Self::BadRequest,
            403 => Self::AccessDenied,
            404 => Self::ResourceNotFound,
            429 => Self::Throttling,
            500 => Self::InternalServer,
            _ => return None,
        })
    }
}

/// The service name errors of this module carry.
pub(crate) const SERVICE: &str = "AWS Customer Profiles";

/// How many times a throttled write is sent in all.
const THROTTLED_ATTEMPTS: u32 = 5;

/// Sends a write again while the service answers that it is throttled: a throttled request was not
/// carried out, so another attempt cannot do it twice (reads and safe operations are already retried by
/// the transport). Pauses double from 200 ms, at most 5 s.
pub(crate) async fn retry_throttled<T, F, Fut>(mut call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut pause = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e)
                if attempt < THROTTLED_ATTEMPTS
                    && ErrorKind::of(&e) == Some(ErrorKind::Throttling) =>
            {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
                attempt += 1;
            }
            other => return other,
        }
    }
}
