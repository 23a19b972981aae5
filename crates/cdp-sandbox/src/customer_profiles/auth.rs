//! The SigV4 `Authorization` header: present, well formed, with the sandbox's key id and a credential scope
//! for this region and the `profile` service, and a signature that is right for the request as received
//! (recomputed with the `aws-sigv4` crate from the secret key; see [`verify_signature`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::error_of_type;
use crate::Credentials;
use crate::http::buffer_body;
use crate::server::Shared;

/// How far a request's signing time may be from the sandbox's clock, as AWS allows.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "profile";

/// Why a request is refused, with the error type and message AWS uses.
#[derive(Debug, PartialEq, Eq)]
enum Denied {
    Missing,
    Incomplete(&'static str),
    UnknownKey,
    WrongScope(&'static str),
    Expired,
    Mismatch,
}

impl Denied {
    fn response(&self) -> Response {
        let (kind, message) = match self {
            Self::Missing => (
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ),
            Self::Incomplete(message) => ("IncompleteSignatureException", *message),
            Self::UnknownKey => (
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            Self::WrongScope(message) => ("InvalidSignatureException", *message),
            Self::Expired => (
                "InvalidSignatureException",
                "Signature expired: the request time is more than 15 minutes from the server's.",
            ),
            Self::Mismatch => (
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            ),
        };
        error_of_type(StatusCode::FORBIDDEN, kind, message)
    }
}

/// The parts of `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

/// Middleware: refuses a request that AWS would refuse for its `Authorization` header or signature.
pub(super) async fn require_signature(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let credentials = &shared.config.credentials;
    if let Err(denied) = check(&request, credentials) {
        return denied.response();
    }
    let (parts, body) = request.into_parts();
    let body = match buffer_body(body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    match verify_signature(&parts, &body, credentials, SystemTime::now()) {
        Ok(()) => next.run(Request::from_parts(parts, Body::from(body))).await,
        Err(denied) => denied.response(),
    }
}

fn check(request: &Request, credentials: &Credentials) -> Result<(), Denied> {
    let header = request
        .headers()
        .get("authorization")
        .ok_or(Denied::Missing)?
        .to_str()
        .map_err(|_| Denied::Incomplete("Authorization header is not valid text."))?;
    let auth = parse(header)?;
    if auth.access_key_id != credentials.aws_access_key_id {
        return Err(Denied::UnknownKey);
    }
    if auth.service != SERVICE {
        return Err(Denied::WrongScope(
            "Credential should be scoped to correct service: 'profile'.",
        ));
    }
    if auth.region != credentials.aws_region {
        return Err(Denied::WrongScope(
            "Credential should be scoped to a valid region.",
        ));
    }
    check_shape(&auth)
}

fn parse(header: &str) -> Result<Authorization<'_>, Denied> {
    let (algorithm, rest) = header.trim().split_once(' ').ok_or(Denied::Incomplete(
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
    ))?;
    if algorithm != ALGORITHM {
        return Err(Denied::Incomplete(
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm.",
        ));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", value)) => credential = Some(value),
            Some(("SignedHeaders", value)) => signed_headers = Some(value),
            Some(("Signature", value)) => signature = Some(value),
            _ => {}
        }
    }
    let credential = credential.ok_or(Denied::Incomplete(
        "Authorization header requires 'Credential' parameter.",
    ))?;
    let signed_headers = signed_headers.ok_or(Denied::Incomplete(
        "Authorization header requires 'SignedHeaders' parameter.",
    ))?;
    let signature = signature.ok_or(Denied::Incomplete(
        "Authorization header requires 'Signature' parameter.",
    ))?;
    // <key id>/<yyyymmdd>/<region>/<service>/aws4_request
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(Denied::Incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
        ));
    };
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers,
        signature,
    })
}

/// The credential date and the signature parts have the shape AWS requires.
fn check_shape(auth: &Authorization<'_>) -> Result<(), Denied> {
    let is_date = auth.date.len() == 8 && auth.date.bytes().all(|b| b.is_ascii_digit());
    if !is_date {
        return Err(Denied::Incomplete(
            "Credential date must be in the form yyyyMMdd.",
        ));
    }
    if auth.signed_headers.is_empty() || auth.signature.is_empty() {
        return Err(Denied::Incomplete(
            "Authorization header requires non-empty 'SignedHeaders' and 'Signature'.",
        ));
    }
    Ok(())
}

/// Recomputes the signature of the request as received (method, original path and query, the headers
/// named in `SignedHeaders`, the body, the `X-Amz-Date` time) with the secret key, and compares.
fn verify_signature(
    parts: &Parts,
    body: &[u8],
    credentials: &Credentials,
    now: SystemTime,
) -> Result<(), Denied> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};

    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let auth = parse(header("authorization").ok_or(Denied::Missing)?)?;
    let amz_date = header("x-amz-date").ok_or(Denied::Incomplete(
        "Authorization header requires existence of a 'X-Amz-Date' header.",
    ))?;
    if !amz_date.starts_with(auth.date) {
        return Err(Denied::WrongScope(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.",
        ));
    }
    let time = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| Denied::Incomplete("X-Amz-Date must be in the form yyyyMMddTHHmmssZ."))?
        .and_utc();
    let time = SystemTime::from(time);
    let skew = now.duration_since(time).unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err(Denied::Expired);
    }
    let host = header("host").ok_or(Denied::Mismatch)?;
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let url = format!(
        "http://{host}{}",
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    // The signer adds host, x-amz-date and the session token itself, as it did for the client.
    let mut signed = Vec::new();
    for name in auth.signed_headers.split(';') {
        if !matches!(
            name,
            "host" | "x-amz-date" | "x-amz-security-token" | "authorization"
        ) {
            signed.push((name, header(name).ok_or(Denied::Mismatch)?));
        }
    }
    let identity = aws_credential_types::Credentials::new(
        auth.access_key_id,
        credentials.aws_secret_access_key.clone(),
        header("x-amz-security-token").map(str::to_owned),
        None,
        "cdp-sandbox",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| Denied::Mismatch)?
        .into();
    let signable = SignableRequest::new(
        parts.method.as_str(),
        url,
        signed.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|_| Denied::Mismatch)?;
    let (_, signature) = sign(signable, &params)
        .map_err(|_| Denied::Mismatch)?
        .into_parts();
    if signature == auth.signature {
        Ok(())
    } else {
        Err(Denied::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(header: Option<&str>) -> Result<(), Denied> {
        let mut request = Request::new(axum::body::Body::empty());
        if let Some(header) = header {
            request
                .headers_mut()
                .insert("authorization", header.parse().unwrap());
        }
        check(&request, &Credentials::default())
    }

    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIASANDBOX000000000/20261122/eu-west-1/profile/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

    #[test]
    fn a_well_formed_header_with_the_right_scope_passes() {
        assert_eq!(checked(Some(GOOD)), Ok(()));
    }

    #[test]
    fn each_kind_of_bad_header_is_told_apart() {
        assert_eq!(checked(None), Err(Denied::Missing));
        assert!(matches!(
            checked(Some("Bearer x")),
            Err(Denied::Incomplete(_))
        ));
        assert!(matches!(
            checked(Some(&GOOD.replace("Signature=00", ""))),
            Err(Denied::Incomplete(_))
        ));
        assert_eq!(
            checked(Some(&GOOD.replace("AKIASANDBOX", "AKIAOTHER"))),
            Err(Denied::UnknownKey)
        );
        assert!(matches!(
            checked(Some(&GOOD.replace("/profile/", "/s3/"))),
            Err(Denied::WrongScope(_))
        ));
        assert!(matches!(
            checked(Some(&GOOD.replace("eu-west-1", "us-east-1"))),
            Err(Denied::WrongScope(_))
        ));
        assert!(matches!(
            checked(Some(&GOOD.replace("20261122", "2026-11-22"))),
            Err(Denied::Incomplete(_))
        ));
    }
}
