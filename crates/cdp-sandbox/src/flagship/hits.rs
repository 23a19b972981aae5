//! The hit collector (`POST /` on its host): checks each hit for what its type needs and records it.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value};

use super::{Failure, read_body};
use crate::server::Shared;

const TYPES: &[&str] = &[
    "PAGEVIEW",
    "SCREENVIEW",
    "TRANSACTION",
    "ITEM",
    "EVENT",
    "SEGMENT",
    "CAMPAIGN",
    "ACTIVATE",
    "BATCH",
    "TROUBLESHOOTING",
];
const TEXT: &[&str] = &[
    "ds", "cid", "vid", "cuid", "dl", "pt", "dr", "vp", "de", "sd", "fl", "v", "uip", "sr", "ul",
    "ea", "el", "tid", "ta", "tc", "tcc", "pm", "sm", "in", "ic", "iv", "caid", "vaid", "pa",
];
const INTEGER: &[&str] = &["qt", "cst", "sn", "icn", "iq"];
const NUMBER: &[&str] = &["ev", "tr", "ts", "tt", "ip"];
const BOOLEAN: &[&str] = &["qa", "je", "vc"];
const EVENT_CATEGORIES: &[&str] = &["Action Tracking", "User Engagement"];

/// The collector's one route, `POST /`. Nested at `/flagship/hits` it serves `/flagship/hits` only; the
/// generated client posts to `<base>/`, i.e. `/flagship/hits/`, which the server must nest the collector
/// at as well (axum cannot reach it from inside a router nested without the slash).
/// The collector at `base` and at `base/`: the generated client posts to `<base>/`, and a router nested at
/// a prefix can serve only the bare prefix, so the collector is routed at both full paths.
pub(crate) fn router(shared: Arc<Shared>, base: &str) -> Router {
    Router::new()
        .route(base, post(collect))
        .route(&format!("{base}/"), post(collect))
        .with_state(shared)
}

/// Validates a hit (a `BATCH` item by item), records every hit; 200 with an empty body.
async fn collect(State(shared): State<Arc<Shared>>, body: Body) -> Result<Response, Failure> {
    let hit = match serde_json::from_slice::<Value>(&read_body(body).await?) {
        Ok(Value::Object(hit)) => hit,
        Ok(_) => return Err(Failure::bad_request("a hit must be a JSON object")),
        Err(e) => {
            return Err(Failure::bad_request(format!(
                "the body is not valid JSON: {e}"
            )));
        }
    };
    let hits = flatten(hit).map_err(Failure::bad_request)?;
    let mut records = shared.flagship.records();
    for hit in hits {
        records.hits.push(Value::Object(hit));
    }
    Ok(StatusCode::OK.into_response())
}

/// The hits a body carries, each valid: itself, or the items of a `BATCH` with the batch's keys they
/// do not set themselves (`cid`, `vid`, `ds`, `qt`, …).
fn flatten(hit: Map<String, Value>) -> Result<Vec<Map<String, Value>>, String> {
    if kind(&hit, "")? != "BATCH" {
        validate(&hit, "")?;
        return Ok(vec![hit]);
    }
    check_types(&hit, "")?;
    let items = match hit.get("h") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err("a BATCH hit carries its hits in a non-empty `h`".to_owned()),
    };
    let mut hits = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("h[{i}]: ");
        let Value::Object(item) = item else {
            return Err(format!("{at}a hit must be a JSON object"));
        };
        let mut item = item.clone();
        for (key, value) in &hit {
            if key != "t" && key != "h" && !item.contains_key(key) {
                item.insert(key.clone(), value.clone());
            }
        }
        if kind(&item, &at)? == "BATCH" {
            return Err(format!("{at}a BATCH cannot hold another BATCH"));
        }
        validate(&item, &at)?;
        hits.push(item);
    }
    Ok(hits)
}

fn kind<'a>(hit: &'a Map<String, Value>, at: &str) -> Result<&'a str, String> {
    match hit.get("t") {
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => Ok(t),
        Some(Value::String(t)) => Err(format!("{at}unknown hit type `{t}`")),
        _ => Err(format!("{at}`t` (the hit type) is required")),
    }
}

/// One hit that is not a batch: key types, then what its type needs.
fn validate(hit: &Map<String, Value>, at: &str) -> Result<(), String> {
    check_types(hit, at)?;
    let kind = kind(hit, at)?;
    let needs: &[&str] = match kind {
        "PAGEVIEW" | "SCREENVIEW" => &["dl"],
        "EVENT" => &["ea"],
        "TRANSACTION" => &["tid", "ta"],
        "ITEM" => &["tid", "in", "ic"],
        "CAMPAIGN" | "ACTIVATE" => &["caid", "vaid"],
        _ => &[],
    };
    let identity: &[&str] = if kind == "TROUBLESHOOTING" {
        &[]
    } else {
        &["cid", "vid"]
    };
    for key in identity.iter().chain(needs) {
        if !present(hit, key) {
            return Err(format!("{at}a hit of type {kind} needs `{key}`"));
        }
    }
    if kind == "PAGEVIEW" {
        let dl = hit.get("dl").and_then(Value::as_str).unwrap_or_default();
        if !is_absolute_url(dl) {
            return Err(format!(
                "{at}a PAGEVIEW's `dl` must be an absolute URL, got `{dl}`"
            ));
        }
    }
    Ok(())
}

/// A non-empty text.
fn present(hit: &Map<String, Value>, key: &str) -> bool {
    hit.get(key)
        .and_then(Value::as_str)
        .is_some_and(|v| !v.is_empty())
}

/// Every key the collector knows has its JSON type (null counts as absent); others pass.
fn check_types(hit: &Map<String, Value>, at: &str) -> Result<(), String> {
    for (key, value) in hit {
        let key = key.as_str();
        let expected = if value.is_null() {
            continue;
        } else if TEXT.contains(&key) {
            (value.is_string(), "a string")
        } else if INTEGER.contains(&key) {
            (value.is_i64() || value.is_u64(), "an integer")
        } else if NUMBER.contains(&key) {
            (value.is_number(), "a number")
        } else if BOOLEAN.contains(&key) {
            (value.is_boolean(), "a boolean")
        } else if key == "ec" {
            let known = value
                .as_str()
                .is_some_and(|category| EVENT_CATEGORIES.contains(&category));
            (known, "`Action Tracking` or `User Engagement`")
        } else if key == "s" {
            let strings = value
                .as_object()
                .is_some_and(|s| s.values().all(Value::is_string));
            (strings, "an object of strings")
        } else if key == "h" {
            (value.is_array(), "an array")
        } else {
            continue;
        };
        if let (false, what) = expected {
            return Err(format!("{at}`{key}` must be {what}"));
        }
    }
    Ok(())
}

/// `scheme://host…`.
fn is_absolute_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && rest
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|host| !host.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hits(value: Value) -> Result<Vec<Map<String, Value>>, String> {
        flatten(value.as_object().cloned().unwrap())
    }

    #[test]
    fn absolute_urls() {
        assert!(is_absolute_url("https://shop.example/cart?x=1"));
        assert!(!is_absolute_url("/cart"));
        assert!(!is_absolute_url("https:///cart"));
        assert!(!is_absolute_url("1http://x"));
    }

    #[test]
    fn batches_inherit_and_are_checked_item_by_item() {
        let batch = json!({"t": "BATCH", "cid": "env", "vid": "v", "ds": "APP", "qt": 5, "h": [
            {"t": "SCREENVIEW", "dl": "home"},
            {"t": "EVENT", "ea": "click", "vid": "other"}
        ]});
        let flat = hits(batch).unwrap();
        assert_eq!(flat.len(), 2);
        assert_eq!(flat[0]["cid"], "env");
        assert_eq!(flat[0]["qt"], 5);
        assert_eq!(flat[1]["vid"], "other");
        let bad = json!({"t": "BATCH", "cid": "env", "vid": "v", "h": [{"t": "EVENT"}]});
        assert_eq!(
            hits(bad).unwrap_err(),
            "h[0]: a hit of type EVENT needs `ea`"
        );
        assert!(hits(json!({"t": "BATCH", "h": []})).is_err());
        assert!(
            hits(json!({"t": "EVENT", "cid": "e", "vid": "v", "ea": "a", "qt": "soon"})).is_err()
        );
        assert!(hits(json!({"t": "TROUBLESHOOTING"})).is_ok());
    }
}
