//! `GET /segments` and `GET /segments/{segmentId}/profiles` with cursor pagination.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::dates;
use super::params::Params;
use super::refinement::Refinement;
use super::view::View;
use super::{error, field_error};
use crate::http::json;
use crate::server::Shared;

/// BlueConic's default and largest `count` of segment profiles.
const DEFAULT_COUNT: i64 = 100;
const MAX_COUNT: i64 = 1_000_000;

/// `GET /segments`.
pub(super) async fn list(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let (start, count) = match (
        params.int("startIndex", 0, i64::from(i32::MAX)),
        params.int("count", 1, i64::from(i32::MAX)),
    ) {
        (Ok(start), Ok(count)) => (start.unwrap_or(0), count.unwrap_or(DEFAULT_COUNT)),
        (Err(refusal), _) | (_, Err(refusal)) => return refusal.into_response(),
    };
    let tags = params.all("filterTag");
    let store = shared.blueconic.store();
    let matching: Vec<Value> = store
        .segments
        .iter()
        .filter(|s| tags.is_empty() || s.tags.iter().any(|t| tags.contains(&t.as_str())))
        .map(|s| {
            json!({
                "id": s.id,
                "name": s.name,
                "description": s.description,
                "creationDate": dates::format(s.creation_date),
                "lastModifiedDate": dates::format(s.creation_date),
                "tags": s.tags,
            })
        })
        .collect();
    drop(store);
    let total = matching.len() as i64;
    let page: Vec<Value> = matching
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .collect();
    json(
        StatusCode::OK,
        &json!({
            "itemsPerPage": count,
            "startIndex": start,
            "totalPages": (total + count - 1) / count,
            "totalResults": total,
            "segments": page,
        }),
    )
}

/// What a `nextCursor` holds: the segment, the last profile id returned, and the total counted on the
/// first page (so later pages need not count again). Sent as base64url JSON, opaque to clients.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "s")]
    segment: String,
    #[serde(rename = "a")]
    after: String,
    #[serde(rename = "t")]
    total: u64,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// `GET /segments/{segmentId}/profiles`.
pub(super) async fn profiles(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(Path(segment_id)) = path else {
        return error(StatusCode::BAD_REQUEST, "invalid segment id");
    };
    let params = Params::parse(query.as_deref());
    let count = match params.int("count", 1, MAX_COUNT) {
        Ok(count) => count.unwrap_or(DEFAULT_COUNT),
        Err(refusal) => return refusal.into_response(),
    };
    if let Err(refusal) = params.int("maxHitsAllowed", i64::from(i32::MIN), i64::from(i32::MAX)) {
        return refusal.into_response();
    }
    let view = match View::from_params(&params, "profiles.profile.", false) {
        Ok(view) => view,
        Err(refusal) => return refusal.into_response(),
    };
    let refinement = match params.first("refinement").filter(|r| !r.trim().is_empty()) {
        None => None,
        Some(text) => match Refinement::parse(text) {
            Ok(refinement) => Some(refinement),
            Err(problem) => return field_error(StatusCode::BAD_REQUEST, "refinement", &problem),
        },
    };
    let cursor_text = params
        .first("cursor")
        .filter(|c| !c.is_empty() && *c != "*");
    let cursor = match cursor_text.map(Cursor::decode) {
        None => None,
        Some(Some(cursor)) if cursor.segment == segment_id => Some(cursor),
        Some(_) => {
            return field_error(
                StatusCode::BAD_REQUEST,
                "cursor",
                "invalid cursor: pass back the `nextCursor` of the previous page",
            );
        }
    };

    let (total, next_cursor, profiles) = {
        let store = shared.blueconic.store();
        let Some(segment) = store.segment(&segment_id) else {
            return error(
                StatusCode::NOT_FOUND,
                &format!("segment `{segment_id}` not found"),
            );
        };
        let passes = |p: &&super::store::Profile| refinement.as_ref().is_none_or(|r| r.matches(p));
        let total = match &cursor {
            Some(cursor) => cursor.total,
            None if refinement.is_none() => store.segment_size(segment) as u64,
            None => store.members_after(segment, None).filter(passes).count() as u64,
        };
        let page_size = usize::try_from(count).unwrap_or(usize::MAX);
        let mut members = store
            .members_after(segment, cursor.as_ref().map(|c| c.after.as_str()))
            .filter(passes);
        let page: Vec<_> = members.by_ref().take(page_size).collect();
        let more = members.next().is_some();
        let next_cursor = match (more, page.last()) {
            (true, Some(last)) => Some(
                Cursor {
                    segment: segment_id.clone(),
                    after: last.id.clone(),
                    total,
                }
                .encode(),
            ),
            _ => None,
        };
        let profiles: Vec<Value> = page.iter().map(|p| view.render(&store, p)).collect();
        (total, next_cursor, profiles)
    };

    let total = i64::try_from(total).unwrap_or(i64::MAX);
    let mut body = json!({
        "cursor": cursor_text.unwrap_or("*"),
        "itemsPerPage": count,
        "totalPages": (total + count - 1) / count,
        "totalResults": total,
        "profiles": profiles,
    });
    if let (Some(next), Some(object)) = (next_cursor, body.as_object_mut()) {
        object.insert("nextCursor".into(), Value::String(next));
    }
    json(StatusCode::OK, &body)
}
