//! One error type for every call of every service.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cdp_transport::TransportError;
use cdp_transport::path::PathError;
use progenitor_client::Error as ApiCallError;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::pagination::PageRef;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The raw body kept in a decode error is cut to this many bytes.
const BODY_CAP: usize = 4096;

/// Everything that can go wrong in a call: the service said no ([`Error::Api`]), the network failed, the
/// answer could not be read, the input was invalid before anything was sent, or authentication failed.
/// Messages never contain a secret.
///
/// ```
/// let err = cdp::Error::invalid_input("ProfileIds", "must hold 1 to 100 ids");
/// assert_eq!(err.to_string(), "invalid input: `ProfileIds` must hold 1 to 100 ids");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status and, usually, its own error body.
    Api(Box<ApiError>),
    /// The request could not be sent or its answer not received (connection, timeout, TLS).
    Transport {
        /// The service called.
        service: &'static str,
        /// What the HTTP client reported.
        source: reqwest::Error,
    },
    /// The answer arrived but does not have the shape the spec gives it.
    Decode(Box<DecodeError>),
    /// The input was invalid; nothing was sent.
    InvalidInput {
        /// The field at fault, when one is.
        field: Option<String>,
        /// What is wrong with it.
        message: String,
    },
    /// The client is not configured right: a missing setting, an unreadable configuration file, an HTTP
    /// client that could not be built.
    Config {
        /// What is wrong.
        message: String,
    },
    /// Credentials could not be used: a token endpoint refused, AWS credentials were not found.
    Auth {
        /// The service called.
        service: &'static str,
        /// Why.
        message: String,
    },
    /// The service broke its own paging: it handed back a page reference it had already given.
    Pagination {
        /// The service called.
        service: &'static str,
        /// What happened.
        message: String,
    },
    /// A read-then-write change (a tag added or removed) kept being overwritten by other writers: it was
    /// tried a bounded number of times, and the service does not hold it now. Nothing says it is lost for
    /// good; reading the data again tells.
    Conflict {
        /// The service called.
        service: &'static str,
        /// What could not be kept.
        message: String,
    },
    /// The service answered with a status the spec does not give this operation.
    UnexpectedStatus {
        /// The service called.
        service: &'static str,
        /// The status.
        status: u16,
    },
    /// The answer was longer than the client's cap for it; reading stopped there. Not retried.
    TooLarge {
        /// The service called.
        service: &'static str,
        /// The cap, in bytes.
        limit: u64,
    },
    /// The service answered with a redirect, which is never followed (credentials and bodies must not
    /// go to another origin).
    Redirect {
        /// The service called.
        service: &'static str,
        /// The 3xx status.
        status: u16,
        /// Where it pointed: scheme, host and port only, when it said.
        origin: Option<String>,
    },
    /// No answer came in time: an attempt of the transport waited its whole budget (the client's
    /// per-attempt timeout, or what was left of the call's timeout), or a layer's own deadline passed
    /// (such as Flagship's [`timeout`](crate::flagship::FlagshipBuilder::timeout)). A write may or may not
    /// have taken effect. [`Error::is_timeout`] tells it from other errors, wherever it is wrapped.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let err = cdp::Error::Timeout { service: "Flagship", after: Some(Duration::from_secs(2)) };
    /// assert!(err.is_timeout());
    /// assert_eq!(err.to_string(), "Flagship did not answer within 2s");
    /// ```
    Timeout {
        /// The service called.
        service: &'static str,
        /// How long was waited, when known (a connection that could not be made in time does not say).
        after: Option<Duration>,
    },
    /// A generated client reported an error of its own hooks that is none of the above.
    Custom {
        /// The service called.
        service: &'static str,
        /// What it said.
        message: String,
    },
    /// A listing's stream stopped: a page could not be fetched (`source` says why: the network, the
    /// service, a page it got wrong). `resume` is the page to pick the listing up from (`None`: its first
    /// page), for the listing's `starting_at`.
    StreamStopped {
        /// Where to resume.
        resume: Option<PageRef>,
        /// Why the stream stopped.
        source: Box<Error>,
    },
    /// A write was sent but its answer never came (the connection dropped, the call timed out): it may or
    /// may not have taken effect. Look before writing again, or give the write a key that makes a repeat
    /// safe (a ContactHub customer's `externalId`), with which it is retried.
    OutcomeUnknown {
        /// The service called.
        service: &'static str,
        /// The operation, as the generated client names it.
        operation: &'static str,
        /// What the last attempt ran into.
        source: Box<Error>,
    },
}

impl Error {
    /// Invalid input for `field`.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// The HTTP status, when the service answered.
    ///
    /// ```
    /// assert_eq!(cdp::Error::invalid_input("size", "too large").status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Decode(e) => e.status,
            Self::UnexpectedStatus { status, .. } => Some(*status),
            Self::StreamStopped { source, .. } => source.status(),
            _ => None,
        }
    }

    /// Whether the service answered 404 Not Found.
    ///
    /// ```
    /// assert!(!cdp::Error::invalid_input("id", "is empty").is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether no answer came in time ([`Error::Timeout`]), also when that is why a stream stopped or
    /// why a write's outcome is unknown. Every service's timeouts come out so: the transport's
    /// per-attempt and per-call timeouts, and a layer's own deadline.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timeout = cdp::Error::Timeout { service: "ContactHub", after: Some(Duration::from_secs(10)) };
    /// let stopped = cdp::Error::StreamStopped { resume: None, source: Box::new(timeout) };
    /// assert!(stopped.is_timeout());
    /// assert!(!cdp::Error::invalid_input("id", "is empty").is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::StreamStopped { source, .. } | Self::OutcomeUnknown { source, .. } => {
                source.is_timeout()
            }
            _ => false,
        }
    }

    /// Whether the service answered 409 Conflict, or a change kept meeting another writer's
    /// ([`Error::Conflict`]).
    ///
    /// ```
    /// assert!(!cdp::Error::invalid_input("id", "is empty").is_conflict());
    /// ```
    pub fn is_conflict(&self) -> bool {
        // A write that kept meeting another writer's change is a conflict too, though no 409 said so.
        matches!(self, Self::Conflict { .. }) || self.status() == Some(409)
    }

    /// An error of the transport in `service`: a typed refusal of the transport (a redirect, a body too
    /// large, a path segment refused, a token failure) and a timeout become their own variant, anything
    /// else [`Error::Transport`].
    ///
    /// ```
    /// let wrapped = cdp_transport::TransportError::TooLarge { limit: 10 }.into_reqwest();
    /// let err = cdp::Error::from_transport("ContactHub", wrapped);
    /// assert!(matches!(err, cdp::Error::TooLarge { limit: 10, .. }));
    /// ```
    pub fn from_transport(service: &'static str, source: reqwest::Error) -> Self {
        let typed = TransportError::find(&source).and_then(|typed| match typed {
            TransportError::TooLarge { limit } => Some(Self::TooLarge {
                service,
                limit: *limit,
            }),
            TransportError::Redirect { status, origin } => Some(Self::Redirect {
                service,
                status: *status,
                origin: origin.clone(),
            }),
            // A path segment refused in a generated call (progenitor's error type has no other room
            // for it): the caller's invalid input.
            TransportError::InvalidPathSegment(refused) => Some(refused.clone().into()),
            TransportError::Auth(e) => Some(Self::Auth {
                service,
                message: e.to_string(),
            }),
            TransportError::Timeout { after } => Some(Self::Timeout {
                service,
                after: Some(*after),
            }),
            _ => None,
        });
        // A timeout the transport did not type (a connection not made in time): the same variant.
        let typed = typed.or_else(|| {
            source.is_timeout().then_some(Self::Timeout {
                service,
                after: None,
            })
        });
        typed.unwrap_or(Self::Transport { service, source })
    }

    /// The service's error, when it answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            Self::StreamStopped { source, .. } => source.api(),
            _ => None,
        }
    }

    /// Where a stream that stopped can resume ([`Error::StreamStopped`]); `None` for other errors, and for
    /// a stream that stopped at its first page.
    ///
    /// ```
    /// use cdp::pagination::PageRef;
    ///
    /// let err = cdp::Error::StreamStopped {
    ///     resume: Some(PageRef::Number(7)),
    ///     source: Box::new(cdp::Error::invalid_input("page", "example")),
    /// };
    /// assert_eq!(err.resume_from(), Some(&PageRef::Number(7)));
    /// ```
    pub fn resume_from(&self) -> Option<&PageRef> {
        match self {
            Self::StreamStopped { resume, .. } => resume.as_ref(),
            _ => None,
        }
    }

    /// Converts the error of a generated client's call whose success type is `T`; a decode error then
    /// names the path in `T` where the answer went wrong. Plain `?` converts too (through `From`),
    /// without the path.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::contacthub::api::Client) -> cdp::Result<()> {
    /// let customer = client
    ///     .get_customer()
    ///     .workspace_id("w")
    ///     .customer_id("c")
    ///     .send()
    ///     .await
    ///     .map_err(cdp::Error::from_call::<cdp::contacthub::api::types::Customer, _>)?;
    /// // `?` alone turns the generated client's error into a `cdp::Error`.
    /// let page = client.list_customers().workspace_id("w").node_id("n").send().await?;
    /// # let _ = (customer, page); Ok(()) }
    /// ```
    // With no service feature there is no error body type, and the `Api` arm cannot be reached.
    #[cfg_attr(
        not(any(
            feature = "contacthub",
            feature = "blueconic",
            feature = "customer-profiles",
            feature = "flagship"
        )),
        allow(unreachable_code)
    )]
    pub fn from_call<T: DeserializeOwned, E: ServiceErrorBody>(error: ApiCallError<E>) -> Self {
        let service = E::SERVICE;
        match error {
            ApiCallError::ErrorResponse(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                Self::Api(Box::new(
                    response.into_inner().into_api_error(status, &headers),
                ))
            }
            ApiCallError::InvalidResponsePayload(bytes, e) => {
                let path = serde_path_to_error::deserialize::<_, T>(
                    &mut serde_json::Deserializer::from_slice(&bytes),
                )
                .err()
                .map(|e| e.path().to_string())
                .filter(|p| p != ".");
                // progenitor does not say which answer this was; nearly always the success body (T).
                let message = e.to_string();
                Self::Decode(Box::new(
                    DecodeError::new(service, None, path, message, &bytes).with_source(e),
                ))
            }
            ApiCallError::CommunicationError(source)
            | ApiCallError::ResponseBodyError(source)
            | ApiCallError::InvalidUpgrade(source) => Self::from_transport(service, source),
            ApiCallError::UnexpectedResponse(response) => Self::UnexpectedStatus {
                service,
                status: response.status().as_u16(),
            },
            ApiCallError::InvalidRequest(message) => Self::InvalidInput {
                field: None,
                message,
            },
            // The transport reports its failures typed, inside a `reqwest::Error`; a `Custom` error is
            // someone else's and says nothing about authentication.
            ApiCallError::Custom(message) => Self::Custom { service, message },
        }
    }
}

/// A value refused as a path segment is invalid input for its field; nothing was sent.
///
/// ```
/// let refused = cdp::transport::path::segment("customerId", "..").unwrap_err();
/// let err = cdp::Error::from(refused);
/// assert_eq!(err.to_string(), "invalid input: `customerId` cannot be a path segment: it reads as `..`");
/// ```
impl From<PathError> for Error {
    fn from(refused: PathError) -> Self {
        Self::InvalidInput {
            field: Some(refused.field().to_owned()),
            message: refused.reason().to_owned(),
        }
    }
}

impl<E: ServiceErrorBody> From<ApiCallError<E>> for Error {
    fn from(error: ApiCallError<E>) -> Self {
        Self::from_call::<serde::de::IgnoredAny, E>(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(e) => e.fmt(f),
            Self::Transport { service, source } => write!(f, "could not reach {service}: {source}"),
            Self::Decode(e) => e.fmt(f),
            Self::InvalidInput {
                field: Some(field),
                message,
            } => write!(f, "invalid input: `{field}` {message}"),
            Self::InvalidInput {
                field: None,
                message,
            } => write!(f, "invalid input: {message}"),
            Self::Config { message } => write!(f, "configuration: {message}"),
            Self::Auth { service, message } => {
                write!(f, "{service} authentication failed: {message}")
            }
            Self::Pagination { service, message } => {
                write!(f, "{service} paging went wrong: {message}")
            }
            Self::Conflict { service, message } => {
                write!(f, "conflict with another {service} writer: {message}")
            }
            Self::UnexpectedStatus { service, status } => {
                write!(f, "{service} answered with the unexpected status {status}")
            }
            Self::TooLarge { service, limit } => {
                write!(f, "the answer of {service} is larger than {limit} bytes")
            }
            Self::Redirect {
                service,
                status,
                origin,
            } => {
                write!(f, "{service} redirected ({status})")?;
                if let Some(origin) = origin {
                    write!(f, " to {origin}")?;
                }
                f.write_str("; redirects are not followed")
            }
            Self::Timeout {
                service,
                after: Some(after),
            } => write!(f, "{service} did not answer within {after:?}"),
            Self::Timeout {
                service,
                after: None,
            } => write!(f, "{service} did not answer in time"),
            Self::Custom { service, message } => write!(f, "{service}: {message}"),
            Self::StreamStopped {
                resume: Some(at),
                source,
            } => write!(f, "{source} (the listing can resume at {at})"),
            Self::StreamStopped {
                resume: None,
                source,
            } => write!(f, "{source} (the listing can resume at its start)"),
            Self::OutcomeUnknown {
                service,
                operation,
                source,
            } => write!(
                f,
                "{service} may or may not have carried out `{operation}`: its answer was lost ({source})"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } => Some(source),
            Self::Api(e) => Some(e.as_ref()),
            Self::Decode(e) => Some(e.as_ref()),
            Self::StreamStopped { source, .. } | Self::OutcomeUnknown { source, .. } => {
                Some(source.as_ref())
            }
            _ => None,
        }
    }
}

/// A service's error answer: the status, what the service said, and its own error body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The service.
    pub service: &'static str,
    /// HTTP status.
    pub status: u16,
    /// The service's error type or code (AWS `ResourceNotFoundException`, BlueConic's `code`), if any.
    pub kind: Option<String>,
    /// The service's message, if any.
    pub message: Option<String>,
    /// A reference to quote to the service's support (ContactHub `logref`, AWS request id), if any.
    pub reference: Option<String>,
    /// The service's error body, parsed.
    pub body: ServiceError,
}

impl ApiError {
    /// 404.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// 409.
    pub fn is_conflict(&self) -> bool {
        self.status == 409
    }

    /// 429.
    pub fn is_throttled(&self) -> bool {
        self.status == 429
    }
}

impl std::error::Error for ApiError {}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}", self.service, self.status)?;
        if let Some(reason) = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        match (&self.kind, &self.message) {
            (Some(kind), Some(message)) => write!(f, ": {kind}: {message}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (Some(kind), None) => write!(f, ": {kind}")?,
            (None, None) => {}
        }
        if let Some(reference) = &self.reference {
            write!(f, " (ref {reference})")?;
        }
        Ok(())
    }
}

/// The error body of each service, as its spec gives it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ServiceError {
    /// ContactHub: `{message, logref, data, errors[]}`; `data` holds the matched customer of a 409.
    #[cfg(feature = "contacthub")]
    ContactHub(contacthub_api::types::ApiError),
    /// BlueConic: `{code, message, errors[]}`.
    #[cfg(feature = "blueconic")]
    BlueConic(blueconic_api::types::ErrorBody),
    /// BlueConic's OAuth2 token endpoint: `{error, error_description}`.
    #[cfg(feature = "blueconic")]
    BlueConicToken(blueconic_api::types::TokenError),
    /// AWS: `{Message}`, with the type from `X-Amzn-ErrorType` or `__type`.
    #[cfg(feature = "customer-profiles")]
    CustomerProfiles(customer_profiles_api::AwsError),
    /// Flagship: `{message}`.
    #[cfg(feature = "flagship")]
    Flagship(flagship_api::types::ErrorBody),
}

/// The error body type of a generated client, turned into an [`ApiError`].
pub trait ServiceErrorBody {
    /// The service's name in messages.
    const SERVICE: &'static str;

    /// The [`ApiError`] of an answer with this body, status and headers.
    fn into_api_error(self, status: u16, headers: &HeaderMap) -> ApiError;
}

#[cfg(feature = "customer-profiles")]
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(feature = "contacthub")]
impl ServiceErrorBody for contacthub_api::types::ApiError {
    const SERVICE: &'static str = "ContactHub";

    fn into_api_error(self, status: u16, _headers: &HeaderMap) -> ApiError {
        let details: Vec<String> = self
            .errors
            .iter()
            .flatten()
            .filter_map(|e| match (&e.path, &e.message) {
                (Some(path), Some(message)) => Some(format!("{path}: {message}")),
                (None, Some(message)) => Some(message.clone()),
                _ => None,
            })
            .collect();
        let message = match (&self.message, details.is_empty()) {
            (Some(m), true) => Some(m.clone()),
            (Some(m), false) => Some(format!("{m} ({})", details.join("; "))),
            (None, false) => Some(details.join("; ")),
            (None, true) => None,
        };
        ApiError {
            service: Self::SERVICE,
            status,
            kind: None,
            message,
            reference: self.logref.clone(),
            body: ServiceError::ContactHub(self),
        }
    }
}

#[cfg(feature = "blueconic")]
impl ServiceErrorBody for blueconic_api::types::ErrorBody {
    const SERVICE: &'static str = "BlueConic";

    fn into_api_error(self, status: u16, _headers: &HeaderMap) -> ApiError {
        let fields: Vec<String> = self
            .errors
            .iter()
            .flatten()
            .filter_map(|e| {
                Some(format!(
                    "{}: {}",
                    e.field.as_deref()?,
                    e.message.as_deref().unwrap_or_default()
                ))
            })
            .collect();
        let message = match (&self.message, fields.is_empty()) {
            (Some(m), false) => Some(format!("{m} ({})", fields.join("; "))),
            (m, _) => m.clone(),
        };
        ApiError {
            service: Self::SERVICE,
            status,
            kind: self.code.map(|c| c.to_string()),
            message,
            reference: None,
            body: ServiceError::BlueConic(self),
        }
    }
}

#[cfg(feature = "blueconic")]
impl ServiceErrorBody for blueconic_api::types::TokenError {
    const SERVICE: &'static str = "BlueConic";

    fn into_api_error(self, status: u16, _headers: &HeaderMap) -> ApiError {
        ApiError {
            service: Self::SERVICE,
            status,
            kind: self.error.clone(),
            message: self.error_description.clone(),
            reference: None,
            body: ServiceError::BlueConicToken(self),
        }
    }
}

#[cfg(feature = "customer-profiles")]
impl ServiceErrorBody for customer_profiles_api::AwsError {
    const SERVICE: &'static str = "AWS Customer Profiles";

    fn into_api_error(self, status: u16, headers: &HeaderMap) -> ApiError {
        // restJson1: the type is in X-Amzn-ErrorType (`Type:uri`) or `__type` (`namespace#Type`).
        let kind = header(headers, "x-amzn-errortype")
            .or_else(|| self.type_.clone())
            .map(|t| {
                let t = t.split(':').next().unwrap_or_default();
                t.rsplit('#').next().unwrap_or(t).to_owned()
            })
            .filter(|t| !t.is_empty());
        ApiError {
            service: Self::SERVICE,
            status,
            kind,
            message: self.message.clone(),
            reference: header(headers, "x-amzn-requestid"),
            body: ServiceError::CustomerProfiles(self),
        }
    }
}

#[cfg(feature = "flagship")]
impl ServiceErrorBody for flagship_api::types::ErrorBody {
    const SERVICE: &'static str = "Flagship";

    fn into_api_error(self, status: u16, _headers: &HeaderMap) -> ApiError {
        ApiError {
            service: Self::SERVICE,
            status,
            kind: None,
            message: self.message.clone(),
            reference: None,
            body: ServiceError::Flagship(self),
        }
    }
}

/// An answer that does not have the shape the spec gives it. The raw body is kept (its first 4 KiB).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The service.
    pub service: &'static str,
    /// HTTP status of the answer, when known.
    pub status: Option<u16>,
    /// Where in the answer it went wrong, such as `elements[3].base.dob`, when known.
    pub path: Option<String>,
    /// What went wrong.
    pub message: String,
    /// The body as received, cut at 4 KiB; for one item of a listing, the item's JSON.
    pub body: String,
    /// The decoder's own error, when there is one.
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    /// For one item of a listing that did not decode: its index in the listing, from 0.
    pub index: Option<u64>,
    /// For one item of a listing that did not decode: its id, when it has one.
    pub id: Option<String>,
}

impl DecodeError {
    pub(crate) fn new(
        service: &'static str,
        status: Option<u16>,
        path: Option<String>,
        message: String,
        body: &[u8],
    ) -> Self {
        let cut = &body[..body.len().min(BODY_CAP)];
        Self {
            service,
            status,
            path,
            message,
            body: String::from_utf8_lossy(cut).into_owned(),
            source: None,
            index: None,
            id: None,
        }
    }

    /// Keeps the decoder's error as this error's `source()`.
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The error of one item of a listing that did not decode: its index in the listing, its id when it
    /// has one, what went wrong and its raw JSON (kept up to 4 KiB), for a [`Pager`](crate::pagination::Pager)
    /// to report with [`Page::with_failed`](crate::pagination::Page::with_failed).
    ///
    /// ```
    /// let e = cdp::DecodeError::for_item("example", 7, Some("c7".into()), "bad date", br#"{"id":"c7"}"#);
    /// assert_eq!(e.to_string(), "could not read the answer of example, item 7 (id `c7`): bad date");
    /// ```
    pub fn for_item(
        service: &'static str,
        index: u64,
        id: Option<String>,
        message: impl Into<String>,
        raw_json: &[u8],
    ) -> Self {
        Self::new(service, None, None, message.into(), raw_json).item(index, id)
    }

    /// The same error as the error of one item of a listing, at `index`, with its id.
    pub(crate) fn item(mut self, index: u64, id: Option<String>) -> Self {
        self.index = Some(index);
        self.id = id;
        self
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not read the answer of {}", self.service)?;
        if let Some(status) = self.status {
            write!(f, " ({status})")?;
        }
        if let Some(index) = self.index {
            write!(f, ", item {index}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " (id `{id}`)")?;
        }
        if let Some(path) = &self.path {
            write!(f, " at `{path}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_out_attempt_is_a_timeout_of_whichever_service_called() {
        for service in [
            "ContactHub",
            "BlueConic",
            "AWS Customer Profiles",
            "Flagship",
        ] {
            let after = Duration::from_millis(2500);
            let wrapped = TransportError::Timeout { after }.into_reqwest();
            let err = Error::from_transport(service, wrapped);
            assert!(err.is_timeout(), "{err:?}");
            assert!(
                matches!(err, Error::Timeout { service: s, after: Some(a) } if s == service && a == after),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("{service} did not answer within 2.5s")
            );
        }
        // Not a timeout: a body too large stays its own kind.
        let err = Error::from_transport(
            "Flagship",
            TransportError::TooLarge { limit: 1 }.into_reqwest(),
        );
        assert!(!err.is_timeout(), "{err:?}");
    }
}
