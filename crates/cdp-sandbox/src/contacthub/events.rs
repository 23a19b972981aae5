//! `/workspaces/{workspaceId}/events`: store an event for a customer id or through `bringBackProperties`,
//! list a customer's events with filters, newest first, get, replace and delete one.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::customers::check_node;
use super::input::{Ids, Params, object_body};
use super::listing::Paging;
use super::store::Store;
use super::{Problem, error, instant, invalid};
use crate::http::json;
use crate::server::Shared;

/// Event types, as the spec's `EventType`.
pub(super) const TYPES: &[&str] = &[
    "abandonedCart",
    "abandonedSession",
    "addedCompare",
    "addedProduct",
    "addedReward",
    "addedWishlist",
    "campaignBlacklisted",
    "campaignBounced",
    "campaignLinkClicked",
    "campaignMarkedSpam",
    "campaignOpened",
    "campaignOptinRequested",
    "campaignSent",
    "campaignSubscribed",
    "campaignUnsubscribed",
    "changedSetting",
    "clickedLink",
    "closedTicket",
    "completedOrder",
    "eventConfirmed",
    "eventDeclined",
    "eventEligible",
    "eventInvited",
    "eventNoShow",
    "eventNotInvited",
    "eventParticipated",
    "eventRegistered",
    "formCompiled",
    "genericActiveEvent",
    "genericPassiveEvent",
    "grantedCoupon",
    "loggedIn",
    "loggedOut",
    "openedTicket",
    "orderShipped",
    "removedCompare",
    "removedProduct",
    "removedReward",
    "removedWishlist",
    "repliedTicket",
    "reviewedProduct",
    "searched",
    "serviceSubscribed",
    "serviceUnsubscribed",
    "viewedPage",
    "viewedProduct",
    "viewedProductCategory",
];

/// Event contexts, as the spec's `EventContext`.
pub(super) const CONTEXTS: &[&str] = &[
    "WEB",
    "MOBILE",
    "ECOMMERCE",
    "RETAIL",
    "SOCIAL",
    "DIGITAL_CAMPAIGN",
    "CONTACT_CENTER",
    "IOT",
    "OTHER",
];

/// The types that the business does to the customer, rather than the customer does (see the module docs).
const PASSIVE: &[&str] = &[
    "abandonedCart",
    "abandonedSession",
    "addedReward",
    "campaignBlacklisted",
    "campaignBounced",
    "campaignOptinRequested",
    "campaignSent",
    "eventEligible",
    "eventInvited",
    "eventNotInvited",
    "genericPassiveEvent",
    "grantedCoupon",
    "orderShipped",
    "removedReward",
    "repliedTicket",
];

/// `ACTIVE` or `PASSIVE`, from the event type.
pub(super) fn mode(event_type: &str) -> &'static str {
    if PASSIVE.contains(&event_type) {
        "PASSIVE"
    } else {
        "ACTIVE"
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/workspaces/{workspace_id}/events", get(list).post(create))
        .route(
            "/workspaces/{workspace_id}/events/{event_id}",
            get(read).put(replace).delete(remove),
        )
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Ids(_workspace): Ids<String>,
    bytes: Bytes,
) -> Response {
    let body = match object_body(&bytes).and_then(|b| valid_event(&b).map(|()| b)) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut store = shared.contacthub.lock();
    let customer = match owner(&shared, &store, &body) {
        Ok(customer) => customer,
        Err(response) => return response,
    };
    let id = store.new_id();
    let date = body
        .get("date")
        .and_then(Value::as_str)
        .and_then(instant::parse)
        .map_or_else(instant::now, instant::format);
    let mut event = Map::new();
    event.insert("id".into(), Value::from(id.clone()));
    event.insert(
        "customerId".into(),
        customer.map_or(Value::Null, Value::from),
    );
    for member in [
        "bringBackProperties",
        "type",
        "context",
        "properties",
        "contextInfo",
        "tracking",
    ] {
        if let Some(value) = body.get(member).filter(|v| !v.is_null()) {
            event.insert(member.into(), value.clone());
        }
    }
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    event.insert("mode".into(), Value::from(mode(kind)));
    event.insert("date".into(), Value::from(date));
    event.insert("registeredAt".into(), Value::from(instant::now()));
    store.insert_event(Value::Object(event));
    json(StatusCode::ACCEPTED, &json!({ "id": id }))
}

/// Checks the members of a new event; the problems go in one 400.
fn valid_event(body: &Value) -> Result<(), Response> {
    let problems = event_problems(body, true);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid("event is not valid", problems))
    }
}

/// The problems of an event body; `needs_owner`: it must name a customer id or `bringBackProperties`.
fn event_problems(body: &Value, needs_owner: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut one_of = |member: &str, allowed: &[&str]| match body.get(member) {
        None | Some(Value::Null) => {
            problems.push(Problem::new(format!("/{member}"), "the member is required"))
        }
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => {}
        Some(other) => problems.push(Problem::new(
            format!("/{member}"),
            format!("{other} is not a known {member}"),
        )),
    };
    one_of("type", TYPES);
    one_of("context", CONTEXTS);
    match body.get("properties") {
        Some(Value::Object(_)) => {}
        None | Some(Value::Null) => {
            problems.push(Problem::new("/properties", "the member is required"));
        }
        Some(_) => problems.push(Problem::new("/properties", "expected an object")),
    }
    for member in ["contextInfo", "tracking"] {
        if body
            .get(member)
            .is_some_and(|v| !v.is_object() && !v.is_null())
        {
            problems.push(Problem::new(format!("/{member}"), "expected an object"));
        }
    }
    if let Some(customer) = body.get("customerId")
        && !customer.is_string()
        && !customer.is_null()
    {
        problems.push(Problem::new("/customerId", "expected a string"));
    }
    if let Some(date) = body.get("date").filter(|v| !v.is_null())
        && date.as_str().and_then(instant::parse).is_none()
    {
        problems.push(Problem::new("/date", "expected a date-time"));
    }
    match body.get("bringBackProperties") {
        None | Some(Value::Null) => {
            if needs_owner && body.get("customerId").is_none_or(Value::is_null) {
                problems.push(Problem::new(
                    "/customerId",
                    "customerId or bringBackProperties is required",
                ));
            }
        }
        Some(bring_back) => {
            let kind = bring_back.get("type").and_then(Value::as_str);
            if !matches!(kind, Some("SESSION_ID" | "EXTERNAL_ID")) {
                problems.push(Problem::new(
                    "/bringBackProperties/type",
                    "expected SESSION_ID or EXTERNAL_ID",
                ));
            }
            if !bring_back.get("value").is_some_and(Value::is_string) {
                problems.push(Problem::new(
                    "/bringBackProperties/value",
                    "expected a string",
                ));
            }
            if bring_back.get("nodeId").is_some_and(|n| !n.is_string()) {
                problems.push(Problem::new(
                    "/bringBackProperties/nodeId",
                    "expected a string",
                ));
            }
        }
    }
    problems
}

/// The customer an event belongs to: its `customerId` (which must exist), else the customer its
/// `bringBackProperties` name, else nobody yet.
fn owner(shared: &Shared, store: &Store, body: &Value) -> Result<Option<String>, Response> {
    if let Some(id) = body.get("customerId").and_then(Value::as_str) {
        return match store.customer(id) {
            Some(_) => Ok(Some(id.to_owned())),
            None => Err(error(
                StatusCode::NOT_FOUND,
                &format!("customer not found: {id}"),
            )),
        };
    }
    let Some(bring_back) = body.get("bringBackProperties") else {
        return Ok(None);
    };
    if let Some(node) = bring_back.get("nodeId").and_then(Value::as_str) {
        check_node(shared, node)?;
    }
    let value = bring_back
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let found = match bring_back.get("type").and_then(Value::as_str) {
        Some("SESSION_ID") => store.session_owner(value),
        Some("EXTERNAL_ID") => store.by_external_id(value),
        _ => None,
    };
    Ok(found.map(str::to_owned))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Ids(_workspace): Ids<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref());
    match list_page(&shared, &params) {
        Ok(body) => json(StatusCode::OK, &body),
        Err(response) => response,
    }
}

fn list_page(shared: &Shared, params: &Params) -> Result<Value, Response> {
    // Both optional, as in the swagger: without a customer, every event of the workspace's one node.
    let customer = params.get("customerId");
    if let Some(node) = params.get("nodeId") {
        check_node(shared, node)?;
    }
    let paging = Paging::from(params)?;
    let types = params.list("type");
    let contexts = params.list("context");
    let mode_filter = params.get("mode");
    if let Some(mode) = mode_filter
        && mode != "ACTIVE"
        && mode != "PASSIVE"
    {
        return Err(invalid(
            "mode must be ACTIVE or PASSIVE",
            vec![Problem::new("mode", format!("unknown mode `{mode}`"))],
        ));
    }
    let date_from = date_param(params, "dateFrom")?;
    let date_to = date_param(params, "dateTo")?;

    let store = shared.contacthub.lock();
    let all = match customer {
        Some(customer) => store.events_of(customer),
        None => store.all_events(),
    };
    let text = |e: &Value, m: &str| {
        e.get(m)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut found: Vec<(DateTime<Utc>, usize, &Value)> = all
        .iter()
        .enumerate()
        .filter(|(_, e)| types.is_empty() || types.contains(&text(e, "type").as_str()))
        .filter(|(_, e)| contexts.is_empty() || contexts.contains(&text(e, "context").as_str()))
        .filter(|(_, e)| mode_filter.is_none_or(|m| text(e, "mode") == m))
        .filter_map(|(i, e)| {
            let date = instant::parse(&text(e, "date"))?;
            let inside =
                date_from.is_none_or(|from| date >= from) && date_to.is_none_or(|to| date <= to);
            inside.then_some((date, i, *e))
        })
        .collect();
    // Newest first; among equal dates, the last stored first.
    found.sort_by_key(|&(date, index, _)| std::cmp::Reverse((date, index)));
    let events: Vec<&Value> = found.iter().map(|(_, _, e)| *e).collect();
    let elements: Vec<Value> = paging.slice(&events).into_iter().cloned().collect();
    Ok(json!({
        "elements": elements,
        "page": paging.page(events.len(), all.len()),
    }))
}

fn date_param(params: &Params, name: &str) -> Result<Option<DateTime<Utc>>, Response> {
    params
        .get(name)
        .map(|text| {
            instant::parse(text).ok_or_else(|| {
                invalid(
                    &format!("`{name}` must be a date-time"),
                    vec![Problem::new(name, format!("`{text}` is not a date-time"))],
                )
            })
        })
        .transpose()
}

async fn read(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, id)): Ids<(String, String)>,
) -> Response {
    match shared.contacthub.lock().event(&id) {
        Some(event) => json(StatusCode::OK, event),
        None => error(StatusCode::NOT_FOUND, &format!("event not found: {id}")),
    }
}

/// `PUT /events/{id}`: the body is the whole event (the swagger's `PutEvent`); its `id` must be the path's.
/// The event keeps its customer and `registeredAt`; `updatedAt` becomes now. Answers 202 with the event
/// as stored, in the shape of the swagger's `PutEvent`.
async fn replace(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, id)): Ids<(String, String)>,
    bytes: Bytes,
) -> Response {
    let body = match object_body(&bytes).and_then(|b| valid_update(&b, &id).map(|()| b)) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut store = shared.contacthub.lock();
    let Some(old) = store.event(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, &format!("event not found: {id}"));
    };
    let mut event = Map::new();
    for member in ["id", "customerId", "registeredAt"] {
        if let Some(value) = old.get(member) {
            event.insert(member.into(), value.clone());
        }
    }
    for member in [
        "bringBackProperties",
        "type",
        "context",
        "properties",
        "contextInfo",
        "tracking",
    ] {
        if let Some(value) = body.get(member).filter(|v| !v.is_null()) {
            event.insert(member.into(), value.clone());
        }
    }
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    event.insert("mode".into(), Value::from(mode(kind)));
    let date = body
        .get("date")
        .and_then(Value::as_str)
        .and_then(instant::parse)
        .map(instant::format)
        .or_else(|| old.get("date").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(instant::now);
    event.insert("date".into(), Value::from(date));
    event.insert("updatedAt".into(), Value::from(instant::now()));
    let mut answer = event.clone();
    store.replace_event(&id, Value::Object(event));
    // The answer is the swagger's `PutEvent`, which has no `mode`.
    answer.remove("mode");
    json(StatusCode::ACCEPTED, &Value::Object(answer))
}

/// Checks an event replacement: the members of a new event, and the swagger's `PutEvent` requirements
/// (`id` equal to the path's, `registeredAt` and `updatedAt` present).
fn valid_update(body: &Value, id: &str) -> Result<(), Response> {
    // The owner of a stored event does not change, so the body need not name it.
    let mut problems = event_problems(body, false);
    if body.get("id").and_then(Value::as_str) != Some(id) {
        problems.push(Problem::new("/id", "the member must be the event's id"));
    }
    for member in ["registeredAt", "updatedAt"] {
        match body.get(member) {
            Some(Value::String(s)) if instant::parse(s).is_some() => {}
            None | Some(Value::Null) => {
                problems.push(Problem::new(format!("/{member}"), "the member is required"))
            }
            Some(_) => problems.push(Problem::new(format!("/{member}"), "expected a date-time")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid("event is not valid", problems))
    }
}

/// `DELETE /events/{id}`: 204, as the swagger says.
async fn remove(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, id)): Ids<(String, String)>,
) -> Response {
    if shared.contacthub.lock().remove_event(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(StatusCode::NOT_FOUND, &format!("event not found: {id}"))
    }
}
