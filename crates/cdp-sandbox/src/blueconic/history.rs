//! `GET /profileEvents/{profileId}` (a profile's consent history) and `GET /timelineEventTypes`
//! (+ `/{id}`, the kinds of timeline events the seed writes).

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::params::Params;
use super::{Refusal, error};
use crate::http::json;
use crate::server::Shared;

/// BlueConic's default `count` of these lists.
const DEFAULT_COUNT: i64 = 20;

/// The paging parameters `startIndex` (from 0) and `count`.
fn paging(query: Option<&str>) -> Result<(i64, i64), Refusal> {
    let params = Params::parse(query);
    let start = params.int("startIndex", 0, i64::from(i32::MAX))?;
    let count = params.int("count", 1, i64::from(i32::MAX))?;
    Ok((start.unwrap_or(0), count.unwrap_or(DEFAULT_COUNT)))
}

/// One page of `items` with BlueConic's counters, the items under `key`.
fn page(items: Vec<Value>, start: i64, count: i64, key: &str) -> Value {
    let total = items.len() as i64;
    let items: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .collect();
    json!({
        "itemsPerPage": count,
        "startIndex": start,
        "totalPages": (total + count - 1) / count,
        "totalResults": total,
        key: items,
    })
}

/// `GET /profileEvents/{profileId}`: the profile's consent changes, newest first.
pub(super) async fn profile_events(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(Path(id)) = path else {
        return error(StatusCode::BAD_REQUEST, "invalid profile id");
    };
    let (start, count) = match paging(query.as_deref()) {
        Ok(paging) => paging,
        Err(refusal) => return refusal.into_response(),
    };
    let history = shared
        .blueconic
        .store()
        .profiles
        .get(&id)
        .map(|p| p.history.clone());
    match history {
        Some(events) => json(StatusCode::OK, &page(events, start, count, "events")),
        None => error(StatusCode::NOT_FOUND, &format!("profile `{id}` not found")),
    }
}

/// The timeline event types of the demo data: what the seed's `order` and `email_click` events hold.
fn event_types() -> Vec<Value> {
    let field = |key: &str, kind: &str| json!({"key": key, "name": key, "value": kind, "multiple": false, "dataSensitivity": "NON_PII"});
    let kind = |id: &str, name: &str, fields: Vec<Value>| {
        json!({
            "id": id,
            "name": name,
            "description": format!("{name} (sandbox demo data)"),
            "creationDate": "2024-01-01T00:00:00.000Z",
            "lastModifiedDate": "2024-01-01T00:00:00.000Z",
            "fieldTypes": fields,
            "priority": "HIGH",
            "source": "REST",
            "tags": ["sandbox"],
        })
    };
    vec![
        kind(
            "email_click",
            "Email click",
            vec![field("campaign", "TEXT")],
        ),
        kind(
            "order",
            "Order",
            vec![field("order_id", "TEXT"), field("total_revenue", "DECIMAL")],
        ),
    ]
}

/// `GET /timelineEventTypes`.
pub(super) async fn event_types_list(RawQuery(query): RawQuery) -> Response {
    match paging(query.as_deref()) {
        Ok((start, count)) => json(
            StatusCode::OK,
            &page(event_types(), start, count, "timelineEventTypes"),
        ),
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /timelineEventTypes/{id}`.
pub(super) async fn event_type(path: Result<Path<String>, PathRejection>) -> Response {
    let Ok(Path(id)) = path else {
        return error(StatusCode::BAD_REQUEST, "invalid timeline event type id");
    };
    match event_types().into_iter().find(|t| t["id"] == id.as_str()) {
        Some(found) => json(StatusCode::OK, &found),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("timeline event type `{id}` not found"),
        ),
    }
}
