//! `POST /v2/activate`: a visitor saw a variation; one activation, or several in `batch`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::access::{check_env, check_key};
use super::{Failure, read_body};
use crate::server::Shared;

const MANDATORY: &str = "Field is mandatory.";

/// Validates, checks `cid` against the environment, records each activation; 204.
pub(crate) async fn activate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Failure> {
    check_key(&shared.config, &headers)?;
    let request = match serde_json::from_slice::<Value>(&read_body(body).await?) {
        Ok(Value::Object(request)) => request,
        Ok(_) => return Err(Failure::bad_request("the body must be a JSON object")),
        Err(e) => {
            return Err(Failure::bad_request(format!(
                "the body is not valid JSON: {e}"
            )));
        }
    };
    let activations = parse(&request).map_err(|errors| {
        // The service puts its validation report, as JSON text, in `message`.
        Failure::bad_request(json!({"status": "error", "errors": errors}).to_string())
    })?;
    let cid = request
        .get("cid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    check_env(&shared.config, cid)?;
    let mut records = shared.flagship.records();
    for activation in activations {
        records.activations.push(activation);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The activations of a request, each with `cid`, or the fields in error (`batch.0.vid` for an item).
fn parse(request: &Map<String, Value>) -> Result<Vec<Value>, Map<String, Value>> {
    let mut errors = Map::new();
    let cid = text(request, "cid", "", &mut errors);
    let mut activations = Vec::new();
    match request.get("batch") {
        None | Some(Value::Null) => {
            if let Some(activation) = item(request, "", &mut errors) {
                activations.push(activation);
            }
        }
        Some(Value::Array(batch)) if batch.is_empty() => {
            errors.insert("batch".into(), "Field must not be empty.".into());
        }
        Some(Value::Array(batch)) => {
            for (i, entry) in batch.iter().enumerate() {
                let prefix = format!("batch.{i}.");
                match entry {
                    Value::Object(entry) => {
                        if let Some(activation) = item(entry, &prefix, &mut errors) {
                            activations.push(activation);
                        }
                    }
                    _ => {
                        errors.insert(format!("batch.{i}"), "Field must be an object.".into());
                    }
                }
            }
        }
        Some(_) => {
            errors.insert("batch".into(), "Field must be an array.".into());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for activation in &mut activations {
        if let (Value::Object(activation), Some(cid)) = (activation, &cid) {
            activation.insert("cid".into(), cid.as_str().into());
        }
    }
    Ok(activations)
}

/// One activation: `vid`, `caid` (variation group id), `vaid` mandatory; `aid`, `qt`, `qa` optional.
fn item(
    entry: &Map<String, Value>,
    prefix: &str,
    errors: &mut Map<String, Value>,
) -> Option<Value> {
    let vid = text(entry, "vid", prefix, errors);
    let caid = text(entry, "caid", prefix, errors);
    let vaid = text(entry, "vaid", prefix, errors);
    let aid = match entry.get("aid") {
        None | Some(Value::Null) => None,
        Some(Value::String(aid)) => Some(aid.clone()),
        Some(_) => {
            errors.insert(format!("{prefix}aid"), "Field must be a string.".into());
            None
        }
    };
    let mut activation = json!({"vid": vid?, "aid": aid, "caid": caid?, "vaid": vaid?});
    if let Value::Object(activation) = &mut activation {
        for (key, valid) in [
            ("qt", Value::is_i64 as fn(&Value) -> bool),
            ("qa", Value::is_boolean),
        ] {
            match entry.get(key) {
                None | Some(Value::Null) => {}
                Some(value) if valid(value) => {
                    activation.insert(key.into(), value.clone());
                }
                Some(_) => {
                    errors.insert(format!("{prefix}{key}"), "Field has the wrong type.".into());
                }
            }
        }
    }
    Some(activation)
}

/// A mandatory, non-empty string field.
fn text(
    object: &Map<String, Value>,
    key: &str,
    prefix: &str,
    errors: &mut Map<String, Value>,
) -> Option<String> {
    match object.get(key) {
        Some(Value::String(value)) if !value.is_empty() => Some(value.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            errors.insert(format!("{prefix}{key}"), MANDATORY.into());
            None
        }
        Some(_) => {
            errors.insert(format!("{prefix}{key}"), "Field must be a string.".into());
            None
        }
    }
}
