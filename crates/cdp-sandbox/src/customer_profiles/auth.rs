//! The SigV4 `Authorization` header: present, well formed, with the sandbox's key id and a credential scope
//! for this region and the `profile` service. The signature is not verified yet (see [`verify_signature`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error_of_type;
use crate::Credentials;
use crate::server::Shared;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "profile";

/// Why a request is refused, with the error type and message AWS uses.
#[derive(Debug, PartialEq, Eq)]
enum Denied {
    Missing,
    Incomplete(&'static str),
    UnknownKey,
    WrongScope(&'static str),
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

/// Middleware: refuses a request whose `Authorization` header AWS would refuse.
pub(super) async fn require_signature(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    match check(&request, &shared.config.credentials) {
        Ok(()) => next.run(request).await,
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
    verify_signature(request, &auth, &credentials.aws_secret_access_key)
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

/// The one place where the signature will be checked, once the transport signs requests: recompute it
/// from the canonical request (method, path, query, `signed_headers`, body hash) with the secret key and
/// compare. Until then only its shape is checked.
fn verify_signature(
    _request: &Request,
    auth: &Authorization<'_>,
    _secret_access_key: &str,
) -> Result<(), Denied> {
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
