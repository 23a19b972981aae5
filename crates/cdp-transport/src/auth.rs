//! How a request proves who sends it.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

/// The authentication a client applies to every request. Secrets are held as [`SecretString`]: `Debug`
/// prints the scheme, never the value.
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
    /// `Authorization: Bearer <token>` (ContactHub, BlueConic after its token exchange).
    Bearer(SecretString),
    /// A key in a header of its own, such as Flagship's `x-api-key`.
    ApiKey {
        /// The header's name.
        header: HeaderName,
        /// The key.
        key: SecretString,
    },
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

    /// An API key sent in `header`.
    ///
    /// ```
    /// let auth = cdp_transport::Auth::api_key("x-api-key", "key");
    /// # let _ = auth;
    /// ```
    pub fn api_key(header: &'static str, key: impl Into<String>) -> Self {
        Self::ApiKey {
            header: HeaderName::from_static(header),
            key: SecretString::from(key.into()),
        }
    }

    /// Sets the credentials on a request. A secret that cannot be a header value (a control character in
    /// it, say) is not sent, and the service answers 401, which names the problem better than a panic.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) {
        let (name, value) = match self {
            Self::None => return,
            Self::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose_secret())),
            Self::ApiKey { header, key } => (header.clone(), key.expose_secret().to_owned()),
        };
        if let Ok(mut value) = HeaderValue::from_str(&value) {
            value.set_sensitive(true);
            request.headers_mut().insert(name, value);
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer(_) => f.write_str("Bearer(***)"),
            Self::ApiKey { header, .. } => write!(f, "ApiKey({header}: ***)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> reqwest::Request {
        reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/".parse().unwrap())
    }

    #[test]
    fn bearer_sets_a_sensitive_authorization_header() {
        let mut req = request();
        Auth::bearer("t0k").apply(&mut req);
        let value = &req.headers()[AUTHORIZATION];
        assert_eq!(value, "Bearer t0k");
        assert!(value.is_sensitive());
    }

    #[test]
    fn api_key_goes_in_its_own_header() {
        let mut req = request();
        Auth::api_key("x-api-key", "k3y").apply(&mut req);
        assert_eq!(req.headers()["x-api-key"], "k3y");
        assert!(req.headers().get(AUTHORIZATION).is_none());
    }

    #[test]
    fn a_secret_that_is_no_header_value_is_not_sent() {
        let mut req = request();
        Auth::bearer("bad\nvalue").apply(&mut req);
        assert!(req.headers().get(AUTHORIZATION).is_none());
    }

    #[test]
    fn debug_hides_secrets() {
        let shown = format!(
            "{:?} {:?}",
            Auth::bearer("t0k3n"),
            Auth::api_key("x-api-key", "k3y")
        );
        assert!(
            !shown.contains("t0k3n") && !shown.contains("k3y"),
            "{shown}"
        );
    }
}
