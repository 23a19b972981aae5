//! AWS Signature Version 4, with the `aws-sigv4` crate.

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use super::{AuthError, AwsCredentials};

/// Signs requests for one AWS service in one region.
///
/// ```
/// use cdp_transport::{AwsCredentials, SigV4};
///
/// let signer = SigV4::new(AwsCredentials::new("AKIDEXAMPLE", "secret"), "eu-west-1", "profile");
/// assert_eq!(signer.region(), "eu-west-1");
/// ```
pub struct SigV4 {
    credentials: AwsCredentials,
    region: String,
    service: String,
}

impl SigV4 {
    /// A signer for `service` (the signing name, `profile` for Customer Profiles) in `region`.
    pub fn new(
        credentials: AwsCredentials,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Self {
            credentials,
            region: region.into(),
            service: service.into(),
        }
    }

    /// The credentials' secrets, to be scrubbed from what servers send back.
    pub(crate) fn secrets(&self) -> Vec<String> {
        self.credentials.secrets()
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Adds `x-amz-date`, `x-amz-security-token` (with a session token) and `authorization` to a request
    /// whose method, URL, headers and body are final, signing them as of `time`.
    ///
    /// ```
    /// use cdp_transport::{AwsCredentials, SigV4};
    ///
    /// let signer = SigV4::new(AwsCredentials::new("AKIDEXAMPLE", "secret"), "us-east-1", "service");
    /// let mut request = reqwest::Request::new(reqwest::Method::GET, "https://example.amazonaws.com/".parse().unwrap());
    /// signer.sign(&mut request, std::time::SystemTime::now()).unwrap();
    /// assert!(request.headers()["authorization"].to_str().unwrap().starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    /// ```
    pub fn sign(&self, request: &mut reqwest::Request, time: SystemTime) -> Result<(), AuthError> {
        let identity = self.credentials.to_sdk().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| AuthError::Signing(e.to_string()))?
            .into();
        let body = match request.body() {
            None => SignableBody::Bytes(&[]),
            Some(body) => match body.as_bytes() {
                Some(bytes) => SignableBody::Bytes(bytes),
                // A streamed body cannot be hashed up front.
                None => SignableBody::UnsignedPayload,
            },
        };
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter_map(|(name, value)| value.to_str().ok().map(|v| (name.as_str(), v)))
            .collect();
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.url().as_str(),
            headers.into_iter(),
            body,
        )
        .map_err(|e| AuthError::Signing(e.to_string()))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| AuthError::Signing(e.to_string()))?
            .into_parts();
        let (headers, _params) = instructions.into_parts();
        for header in headers {
            let mut value = reqwest::header::HeaderValue::from_str(header.value())
                .map_err(|_| AuthError::InvalidSecret)?;
            // The signature is not a secret to AWS, but it authorizes the request: keep it out of logs.
            value.set_sensitive(
                header.sensitive()
                    || matches!(header.name(), "authorization" | "x-amz-security-token"),
            );
            request.headers_mut().insert(header.name(), value);
        }
        Ok(())
    }
}

impl fmt::Debug for SigV4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("service", &self.service)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    //! Known values from AWS's published SigV4 test suite (shipped inside the aws-sigv4 crate as
    //! `aws-signing-test-suite/v4`): credentials AKIDEXAMPLE, region us-east-1, service `service`,
    //! 2015-08-30T12:36:00Z.

    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn time() -> SystemTime {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160)
    }

    fn signed(method: reqwest::Method, credentials: AwsCredentials) -> reqwest::Request {
        let mut request =
            reqwest::Request::new(method, "https://example.amazonaws.com/".parse().unwrap());
        SigV4::new(credentials, "us-east-1", "service")
            .sign(&mut request, time())
            .unwrap();
        request
    }

    #[test]
    fn get_vanilla() {
        let request = signed(
            reqwest::Method::GET,
            AwsCredentials::new("AKIDEXAMPLE", SECRET),
        );
        assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
        assert_eq!(
            request.headers()["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert!(request.headers()["authorization"].is_sensitive());
    }

    #[test]
    fn post_vanilla() {
        let request = signed(
            reqwest::Method::POST,
            AwsCredentials::new("AKIDEXAMPLE", SECRET),
        );
        assert_eq!(
            request.headers()["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
    }

    #[test]
    fn post_with_a_session_token_signs_the_token() {
        const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
        let request = signed(
            reqwest::Method::POST,
            AwsCredentials::new("AKIDEXAMPLE", SECRET).with_session_token(TOKEN),
        );
        assert_eq!(request.headers()["x-amz-security-token"], TOKEN);
        assert_eq!(
            request.headers()["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date;x-amz-security-token, \
             Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        );
    }
}
