//! The decision routes: `POST /v2/{envId}/campaigns`, `/campaigns/{campaignId}`, `/flags`, `/events`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::access::check;
use super::answer;
use super::configuration::Configuration;
use super::decision::{Assignment, decide, decide_campaign};
use super::decision_request::{Options, Visitor};
use super::{Failure, read_body};
use crate::http::json;
use crate::server::Shared;

/// What a decision answers, and the activations it makes when `trigger_hit` is set.
struct Decided {
    answer: Value,
    activations: Vec<(String, String)>,
    panic: bool,
}

impl Decided {
    fn of(answer: Value, assignments: &[Assignment<'_>]) -> Self {
        Self {
            answer,
            activations: assignments
                .iter()
                .map(|a| (a.group.id.clone(), a.variation.id.clone()))
                .collect(),
            panic: false,
        }
    }

    fn panic(answer: Value) -> Self {
        Self {
            answer,
            activations: Vec::new(),
            panic: true,
        }
    }
}

/// `POST /v2/{envId}/campaigns`.
pub(crate) async fn campaigns(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    let env_id = check(&shared.config, &headers, path, String::as_str)?;
    decision(&shared, &env_id, query, body, |config, visitor, options| {
        if config.panic {
            return Ok(Decided::panic(answer::panic(&visitor.id)));
        }
        let assignments = decide(config, visitor);
        let answer = answer::campaigns(
            &visitor.id,
            &assignments,
            options,
            config.account_settings.as_ref(),
        );
        Ok(Decided::of(answer, &assignments))
    })
    .await
}

/// `POST /v2/{envId}/campaigns/{campaignId}`: 404 when the campaign is unknown or the visitor not in it.
pub(crate) async fn campaign(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    let (env_id, campaign_id) = check(&shared.config, &headers, path, |(env_id, _)| env_id)?;
    decision(&shared, &env_id, query, body, |config, visitor, options| {
        if config.panic {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                "the environment is in panic mode: no campaign runs",
            ));
        }
        let campaign = config
            .campaign(&campaign_id)
            .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, "campaign not found"))?;
        let assignment = decide_campaign(campaign, visitor).ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                "the visitor is not targeted or not allocated in this campaign",
            )
        })?;
        let answer = answer::campaign(&assignment, options.expose_all_keys);
        Ok(Decided::of(answer, &[assignment]))
    })
    .await
}

/// `POST /v2/{envId}/flags`.
pub(crate) async fn flags(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    let env_id = check(&shared.config, &headers, path, String::as_str)?;
    decision(&shared, &env_id, query, body, |config, visitor, _| {
        if config.panic {
            return Ok(Decided::panic(json!({})));
        }
        let assignments = decide(config, visitor);
        Ok(Decided::of(answer::flags(&assignments), &assignments))
    })
    .await
}

/// What every decision route does once the caller is checked: read the query and the body, `decide` on
/// the configuration, then record what the decision records (the context, and activations for
/// `trigger_hit`).
async fn decision(
    shared: &Shared,
    env_id: &str,
    query: Option<String>,
    body: Body,
    decide: impl FnOnce(&Configuration, &Visitor, Options) -> Result<Decided, Failure>,
) -> Result<Response, Failure> {
    let options = Options::parse(query.as_deref()).map_err(Failure::bad_request)?;
    let visitor = Visitor::parse(&read_body(body).await?).map_err(Failure::bad_request)?;
    let decided = shared
        .flagship
        .with_configuration(|config| decide(config, &visitor, options))?;
    let mut records = shared.flagship.records();
    if options.send_context_event && !decided.panic && !visitor.context.is_empty() {
        records
            .context_events
            .push(context_event(&visitor.id, visitor.context.clone()));
    }
    if visitor.trigger_hit {
        for (group_id, variation_id) in decided.activations {
            records.activations.push(json!({
                "cid": env_id,
                "vid": visitor.id,
                "aid": visitor.anonymous_id,
                "caid": group_id,
                "vaid": variation_id,
            }));
        }
    }
    drop(records);
    Ok(json(StatusCode::OK, &decided.answer))
}

/// `POST /v2/{envId}/events`: a `CONTEXT` event, recorded; 204.
pub(crate) async fn events(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    check(&shared.config, &headers, path, String::as_str)?;
    let (visitor_id, data) = parse_event(&read_body(body).await?).map_err(Failure::bad_request)?;
    shared
        .flagship
        .records()
        .context_events
        .push(context_event(&visitor_id, data));
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn parse_event(bytes: &[u8]) -> Result<(String, Map<String, Value>), String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Value::Object(object) = value else {
        return Err("the body must be a JSON object".to_owned());
    };
    let visitor_id = match object.get("visitorId").or_else(|| object.get("visitor_id")) {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err("visitorId is required".to_owned()),
    };
    match object.get("type") {
        Some(Value::String(kind)) if kind == "CONTEXT" => {}
        Some(Value::String(kind)) => {
            return Err(format!(
                "event type `{kind}` is not supported (only CONTEXT)"
            ));
        }
        _ => return Err("type is required (CONTEXT)".to_owned()),
    }
    match object.get("data") {
        Some(Value::Object(data)) => Ok((visitor_id, data.clone())),
        _ => Err("data is required and must be an object".to_owned()),
    }
}

fn context_event(visitor_id: &str, data: Map<String, Value>) -> Value {
    json!({"visitorId": visitor_id, "type": "CONTEXT", "data": data})
}
