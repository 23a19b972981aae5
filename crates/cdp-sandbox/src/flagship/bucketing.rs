//! `GET /{envId}/bucketing.json` on the CDN: the configuration, conditional on `If-Modified-Since`.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, IF_MODIFIED_SINCE, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SubsecRound, Utc};

use super::Failure;
use super::access::check;
use crate::http::json;
use crate::server::Shared;

/// What the real CDN answers (observed).
const CACHE: &str = "s-maxage=86400,max-age=30";

/// 2026-01-01T00:00:00Z; the seeded `Last-Modified` is up to 30 days before it.
const SEED_EPOCH: i64 = 1_767_225_600;

/// The file, or 304 with no body when `If-Modified-Since` is not older than `Last-Modified`.
pub(crate) async fn bucketing_file(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    check(&shared.config, &headers, path, String::as_str)?;
    let (file, last_modified) = shared.flagship.snapshot();
    let since = headers
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date);
    let mut response = match since {
        Some(since) if last_modified <= since => StatusCode::NOT_MODIFIED.into_response(),
        // An unreadable date is ignored, as HTTP says.
        _ => json(StatusCode::OK, &file),
    };
    if let Ok(value) = HeaderValue::from_str(&http_date(last_modified)) {
        response.headers_mut().insert(LAST_MODIFIED, value);
    }
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(CACHE));
    Ok(response)
}

/// The `Last-Modified` of a freshly seeded configuration: fixed for a seed.
pub(crate) fn seeded_last_modified(seed: u64) -> DateTime<Utc> {
    let offset = i64::try_from(seed % (30 * 86_400)).unwrap_or(0);
    DateTime::from_timestamp(SEED_EPOCH - offset, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// The `Last-Modified` after a change: now, but always at least a second after the previous one, since
/// HTTP dates count whole seconds and a client must see every change.
pub(crate) fn next_last_modified(previous: DateTime<Utc>) -> DateTime<Utc> {
    let now = Utc::now().trunc_subsecs(0);
    let after = previous
        .checked_add_signed(Duration::seconds(1))
        .unwrap_or(previous);
    now.max(after)
}

/// An IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip_and_changes_move_forward() {
        let seeded = seeded_last_modified(42);
        let text = http_date(seeded);
        assert!(text.ends_with(" GMT"), "{text}");
        assert_eq!(parse_http_date(&text), Some(seeded));
        assert_eq!(parse_http_date("yesterday"), None);
        let next = next_last_modified(seeded);
        assert!(next > seeded);
        let far_future = DateTime::from_timestamp(4_102_444_800, 0).unwrap();
        assert_eq!(
            next_last_modified(far_future),
            far_future + Duration::seconds(1)
        );
    }
}
