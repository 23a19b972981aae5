//! How a request proves who sends it.

mod aws_credentials;
mod oauth2;
mod sigv4;

pub use aws_credentials::{AwsCredentials, AwsProfileSource};
pub use oauth2::ClientCredentials;
pub use sigv4::SigV4;

use std::fmt;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

/// The authentication a client applies to every request. Secrets are held as [`SecretString`]: `Debug`
/// prints the scheme, never a secret.
///
/// ```
/// let auth = cdp_transport::Auth::bearer("s3cr3t");
/// assert_eq!(format!("{auth:?}"), "Bearer(***)");
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (a sandbox without auth, say).
    #[default]
    None,
    /// `Authorization: Bearer <token>` (ContactHub).
    Bearer(SecretString),
    /// A key in a header of its own, such as Flagship's `x-api-key`.
    ApiKey {
        /// The header's name.
        header: HeaderName,
        /// The key.
        key: SecretString,
    },
    /// OAuth2 client credentials: a bearer token fetched from a token endpoint, cached and refreshed
    /// (BlueConic).
    OAuth2(Arc<ClientCredentials>),
    /// AWS Signature Version 4 (AWS Customer Profiles).
    SigV4(Arc<SigV4>),
    /// An API key whose header name is not a valid header name; every request fails to prepare.
    InvalidHeader(String),
}

impl Auth {
    /// A bearer token.
    ///
    /// ```
    /// let auth = cdp_transport::Auth::bearer("token");
    /// # let _ = auth;
    /// ```
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(SecretString::from(token.into()))
    }

    /// An API key sent in `header` (any case). A name that cannot be a header is reported as an
    /// [`AuthError::InvalidHeaderName`] when a request is prepared.
    ///
    /// ```
    /// let auth = cdp_transport::Auth::api_key("X-Api-Key", "key");
    /// # let _ = auth;
    /// ```
    pub fn api_key(header: &str, key: impl Into<String>) -> Self {
        match HeaderName::from_bytes(header.to_ascii_lowercase().as_bytes()) {
            Ok(header) => Self::ApiKey {
                header,
                key: SecretString::from(key.into()),
            },
            Err(_) => Self::InvalidHeader(header.to_owned()),
        }
    }

    /// OAuth2 client credentials against `token_url`.
    ///
    /// ```
    /// let auth = cdp_transport::Auth::oauth2(cdp_transport::ClientCredentials::new(
    ///     "https://tenant.blueconic.net/rest/v2/oauth/token",
    ///     "client-id",
    ///     "client-secret",
    /// ));
    /// # let _ = auth;
    /// ```
    pub fn oauth2(credentials: ClientCredentials) -> Self {
        Self::OAuth2(Arc::new(credentials))
    }

    /// AWS SigV4 signing.
    ///
    /// ```
    /// use cdp_transport::{Auth, AwsCredentials, SigV4};
    /// let auth = Auth::sigv4(SigV4::new(AwsCredentials::new("AKID", "secret"), "eu-west-1", "profile"));
    /// # let _ = auth;
    /// ```
    pub fn sigv4(signer: SigV4) -> Self {
        Self::SigV4(Arc::new(signer))
    }

    /// Sets the credentials on a request that is otherwise final; fetching a token may take at most
    /// `budget` (`None`: no limit).
    pub(crate) async fn authorize(
        &self,
        client: &reqwest::Client,
        request: &mut reqwest::Request,
        budget: Option<std::time::Duration>,
    ) -> Result<(), AuthError> {
        let (name, value) = match self {
            Self::None => return Ok(()),
            Self::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose_secret())),
            Self::ApiKey { header, key } => (header.clone(), key.expose_secret().to_owned()),
            Self::OAuth2(credentials) => {
                let token = credentials.token(client, budget).await?;
                (AUTHORIZATION, format!("Bearer {}", token.expose_secret()))
            }
            Self::SigV4(signer) => return signer.sign(request, std::time::SystemTime::now()),
            Self::InvalidHeader(name) => return Err(AuthError::InvalidHeaderName(name.clone())),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| AuthError::InvalidSecret)?;
        value.set_sensitive(true);
        request.headers_mut().insert(name, value);
        Ok(())
    }

    /// Whether authorizing may wait for a token endpoint: such a wait belongs inside the call's deadline.
    pub(crate) fn fetches_tokens(&self) -> bool {
        matches!(self, Self::OAuth2(_))
    }

    /// Every credential this authentication holds (and the OAuth2 token it got), to be scrubbed from
    /// what a server sends back.
    pub(crate) fn secrets(&self) -> Vec<String> {
        match self {
            Self::None | Self::InvalidHeader(_) => Vec::new(),
            Self::Bearer(token) => vec![token.expose_secret().to_owned()],
            Self::ApiKey { key, .. } => vec![key.expose_secret().to_owned()],
            Self::OAuth2(credentials) => credentials.secrets(),
            Self::SigV4(signer) => signer.secrets(),
        }
    }

    /// After a 401: drops a cached token that the request used, so the next [`Auth::authorize`] fetches a
    /// new one. True when a retry with fresh credentials can help.
    pub(crate) async fn unauthorized(&self, request: &reqwest::Request) -> bool {
        match self {
            Self::OAuth2(credentials) => {
                let used = request
                    .headers()
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok());
                credentials
                    .invalidate(used.and_then(|v| v.strip_prefix("Bearer ")))
                    .await;
                true
            }
            _ => false,
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer(_) => f.write_str("Bearer(***)"),
            Self::ApiKey { header, .. } => write!(f, "ApiKey({header}: ***)"),
            Self::OAuth2(credentials) => write!(f, "OAuth2({credentials:?})"),
            Self::SigV4(signer) => write!(f, "SigV4({signer:?})"),
            Self::InvalidHeader(name) => write!(f, "InvalidHeader({name:?})"),
        }
    }
}

/// Why a request could not be authenticated. Messages never contain a secret. It is `Clone` so that
/// one failed token fetch can be handed to every call that waited for it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthError {
    /// A token, key or credential that cannot be an HTTP header value (a control character in it, say).
    InvalidSecret,
    /// An API key's header name that cannot be an HTTP header name.
    InvalidHeaderName(String),
    /// The token endpoint could not be reached or its answer could not be read.
    TokenTransport(Arc<reqwest::Error>),
    /// The token endpoint refused: its status and its answer (an OAuth2 error such as `invalid_client`).
    TokenRefused {
        /// HTTP status of the token endpoint's answer.
        status: u16,
        /// The answer's body, at most 1 KiB of it.
        body: String,
    },
    /// The token endpoint answered 2xx without a usable `access_token`.
    TokenMalformed(String),
    /// The token endpoint's answer was longer than its cap (64 KiB).
    TokenTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The token endpoint answered with a redirect, which is not followed.
    TokenRedirected {
        /// The 3xx status.
        status: u16,
        /// Where it pointed (scheme, host and port only), when it said.
        origin: Option<String>,
    },
    /// No token arrived within the call's deadline.
    TokenTimedOut,
    /// AWS credentials could not be found or read.
    Credentials(String),
    /// The request could not be signed.
    Signing(String),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidSecret => f.write_str("the credential is not a valid HTTP header value"),
            Self::InvalidHeaderName(name) => write!(f, "`{name}` is not a valid HTTP header name"),
            Self::TokenTransport(e) => {
                write!(f, "the OAuth2 token endpoint could not be reached: {e}")
            }
            Self::TokenRefused { status, body } => {
                write!(f, "the OAuth2 token endpoint refused ({status}): {body}")
            }
            Self::TokenMalformed(why) => {
                write!(f, "the OAuth2 token endpoint gave no usable token: {why}")
            }
            Self::TokenTooLarge { limit } => write!(
                f,
                "the OAuth2 token endpoint's answer is larger than {limit} bytes"
            ),
            Self::TokenRedirected { status, origin } => {
                write!(f, "the OAuth2 token endpoint redirected ({status})")?;
                if let Some(origin) = origin {
                    write!(f, " to {origin}")?;
                }
                f.write_str("; redirects are not followed")
            }
            Self::TokenTimedOut => {
                f.write_str("no OAuth2 token could be had within the call's deadline")
            }
            Self::Credentials(why) => write!(f, "AWS credentials: {why}"),
            Self::Signing(why) => write!(f, "SigV4 signing failed: {why}"),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::TokenTransport(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> reqwest::Request {
        reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/".parse().unwrap())
    }

    #[tokio::test]
    async fn bearer_sets_a_sensitive_authorization_header() {
        let mut req = request();
        Auth::bearer("t0k")
            .authorize(&reqwest::Client::new(), &mut req, None)
            .await
            .unwrap();
        let value = &req.headers()[AUTHORIZATION];
        assert_eq!(value, "Bearer t0k");
        assert!(value.is_sensitive());
    }

    #[tokio::test]
    async fn api_key_goes_in_its_own_header() {
        let mut req = request();
        Auth::api_key("x-api-key", "k3y")
            .authorize(&reqwest::Client::new(), &mut req, None)
            .await
            .unwrap();
        assert_eq!(req.headers()["x-api-key"], "k3y");
        assert!(req.headers().get(AUTHORIZATION).is_none());
    }

    #[tokio::test]
    async fn header_names_of_any_case_work_and_bad_ones_are_an_error() {
        let mut req = request();
        Auth::api_key("X-Api-Key", "k")
            .authorize(&reqwest::Client::new(), &mut req, None)
            .await
            .unwrap();
        assert_eq!(req.headers()["x-api-key"], "k");
        let err = Auth::api_key("bad header", "k")
            .authorize(&reqwest::Client::new(), &mut request(), None)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`bad header` is not a valid HTTP header name"
        );
    }

    #[tokio::test]
    async fn a_secret_that_is_no_header_value_is_an_error() {
        let mut req = request();
        let err = Auth::bearer("bad\nvalue")
            .authorize(&reqwest::Client::new(), &mut req, None)
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::InvalidSecret));
        assert!(!err.to_string().contains("bad"));
        assert!(req.headers().get(AUTHORIZATION).is_none());
    }

    #[test]
    fn debug_hides_secrets() {
        let shown = format!(
            "{:?} {:?} {:?} {:?}",
            Auth::bearer("t0k3n"),
            Auth::api_key("x-api-key", "k3y"),
            Auth::oauth2(ClientCredentials::new(
                "http://t/token",
                "id",
                "cl13nt-s3cr3t"
            )),
            Auth::sigv4(SigV4::new(
                AwsCredentials::new("AKID", "aws-s3cr3t").with_session_token("s3ss10n"),
                "eu-west-1",
                "profile"
            )),
        );
        for secret in ["t0k3n", "k3y", "cl13nt-s3cr3t", "aws-s3cr3t", "s3ss10n"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
