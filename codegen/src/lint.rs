//! What progenitor 0.15 and typify 0.8 cannot generate, caught before they run.
//!
//! Each rule turns a generator panic, a silently wrong output or a forward-compatibility hazard (see
//! CODEGEN-NOTES §3) into an [`Error`] that names the spec and the place.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

use crate::Error;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const BODY_TYPES: [&str; 3] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
];

/// Checks a bundled spec; the first problem found is the error.
///
/// ```
/// let spec = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}});
/// let err = cdp_codegen::lint::check(&spec, "t.yaml").unwrap_err();
/// assert!(err.to_string().contains("3.0"));
/// ```
pub fn check(spec: &Value, name: &str) -> Result<(), Error> {
    let version = spec
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.0.") {
        return Err(Error::at(
            name,
            "openapi",
            format!("`{version}`: progenitor reads OpenAPI 3.0.x only"),
        ));
    }
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let paths = spec.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let place = format!("paths.{path}");
        if item.get("$ref").is_some() {
            return Err(Error::at(name, place, "a path item cannot be a `$ref`"));
        }
        check_parameters(spec, item.get("parameters"), name, &place)?;
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let place = format!("{place}.{method}");
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Error::at(
                        name,
                        place.as_str(),
                        "every operation needs an `operationId`",
                    )
                })?;
            if let Some(other) = seen_ids.insert(id.to_snake_case(), place.clone()) {
                return Err(Error::at(
                    name,
                    place,
                    format!("operationId `{id}` is also used at {other}"),
                ));
            }
            check_parameters(spec, op.get("parameters"), name, &place)?;
            check_body(spec, op.get("requestBody"), name, &place)?;
            check_responses(spec, op.get("responses"), name, &place)?;
        }
    }
    check_schemas(spec, name)
}

/// Follows a local `$ref` (`#/components/...`) once.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/"))
    {
        Some(pointer) => spec.pointer(&format!("/{pointer}")).unwrap_or(value),
        None => value,
    }
}

fn check_parameters(
    spec: &Value,
    params: Option<&Value>,
    name: &str,
    place: &str,
) -> Result<(), Error> {
    for (i, param) in params
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let param = resolve(spec, param);
        let pname = param.get("name").and_then(Value::as_str).unwrap_or("?");
        let here = format!("{place}.parameters[{i}] ({pname})");
        let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
        let style = param.get("style").and_then(Value::as_str);
        if location == "cookie" {
            return Err(Error::at(
                name,
                here,
                "cookie parameters are not supported by progenitor",
            ));
        }
        if style == Some("deepObject")
            || (location == "path" && style.is_some_and(|s| s != "simple"))
        {
            return Err(Error::at(
                name,
                here,
                format!(
                    "parameter style `{}` is not supported",
                    style.unwrap_or_default()
                ),
            ));
        }
        let schema = param.get("schema").map(|s| resolve(spec, s));
        if location == "query"
            && schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("object")
        {
            return Err(Error::at(
                name,
                here,
                "an object-typed query parameter makes progenitor panic",
            ));
        }
    }
    Ok(())
}

fn check_body(spec: &Value, body: Option<&Value>, name: &str, place: &str) -> Result<(), Error> {
    let Some(body) = body.map(|b| resolve(spec, b)) else {
        return Ok(());
    };
    let here = format!("{place}.requestBody");
    let content = body.get("content").and_then(Value::as_object);
    let media: Vec<&String> = content.into_iter().flat_map(|c| c.keys()).collect();
    let [media_type] = media.as_slice() else {
        return Err(Error::at(
            name,
            here,
            format!(
                "a request body needs exactly one media type, found {}",
                media.len()
            ),
        ));
    };
    if !BODY_TYPES.contains(&media_type.as_str()) {
        return Err(Error::at(
            name,
            here,
            format!("media type `{media_type}` is not supported; use one of {BODY_TYPES:?}"),
        ));
    }
    let schema = content.and_then(|c| c[media_type.as_str()].get("schema"));
    if media_type.as_str() != "application/octet-stream"
        && schema.and_then(|s| s.get("$ref")).is_none()
    {
        return Err(Error::at(
            name,
            here,
            "a request body schema must be a `$ref` to a named schema",
        ));
    }
    Ok(())
}

fn check_responses(
    spec: &Value,
    responses: Option<&Value>,
    name: &str,
    place: &str,
) -> Result<(), Error> {
    let responses = responses
        .and_then(Value::as_object)
        .ok_or_else(|| Error::at(name, place, "an operation needs `responses`"))?;
    let mut success = BTreeSet::new();
    let mut failure = BTreeSet::new();
    for (status, response) in responses {
        let here = format!("{place}.responses.{status}");
        if status == "default" {
            return Err(Error::at(
                name,
                here,
                "`default` beside a typed response makes progenitor panic; use 4XX and 5XX",
            ));
        }
        let response = resolve(spec, response);
        let content = response.get("content").and_then(Value::as_object);
        let media: Vec<&String> = content.into_iter().flat_map(|c| c.keys()).collect();
        let body = match media.as_slice() {
            [] => None,
            [m] if m.as_str() == "application/json" => {
                let schema = content.and_then(|c| c[m.as_str()].get("schema"));
                match schema.and_then(|s| s.get("$ref")).and_then(Value::as_str) {
                    Some(r) => Some(r.to_owned()),
                    // Inline response schemas of one operation all get the same name and collapse into one type.
                    None => {
                        return Err(Error::at(
                            name,
                            here,
                            "a response schema must be a `$ref` to a named schema",
                        ));
                    }
                }
            }
            [m] => {
                return Err(Error::at(
                    name,
                    here,
                    format!("response media type `{m}` would be untyped; use application/json"),
                ));
            }
            _ => {
                return Err(Error::at(
                    name,
                    here,
                    "a response needs at most one media type",
                ));
            }
        };
        if status.starts_with('2') {
            success.insert(body)
        } else {
            failure.insert(body)
        };
    }
    if success.len() > 1 {
        return Err(Error::at(
            name,
            place,
            "all success responses must share one type (or all have no body)",
        ));
    }
    if failure.len() > 1 {
        return Err(Error::at(
            name,
            place,
            "all error responses must share one type",
        ));
    }
    Ok(())
}

/// Every enum must be a named component (so codegen can make it open), and no schema may forbid unknown
/// properties (typify would deny unknown fields and a new server field would break decoding).
fn check_schemas(spec: &Value, name: &str) -> Result<(), Error> {
    let named: BTreeSet<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys().map(|k| format!("components.schemas.{k}")))
        .collect();
    walk(spec, "", &mut |place, obj| {
        if obj.contains_key("enum") && !named.contains(place) {
            return Err(Error::at(
                name,
                place,
                "name this enum in components.schemas so that it can be an open enum",
            ));
        }
        if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
            return Err(Error::at(
                name,
                place,
                "`additionalProperties: false` would reject new fields from the service",
            ));
        }
        // typify names fields in snake case and silently emits both when two properties collide.
        let mut fields: BTreeMap<String, &str> = BTreeMap::new();
        for key in obj
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.keys())
        {
            if let Some(other) = fields.insert(key.to_snake_case(), key) {
                return Err(Error::at(
                    name,
                    place,
                    format!(
                        "properties `{other}` and `{key}` would both be the field `{}`",
                        key.to_snake_case()
                    ),
                ));
            }
        }
        Ok(())
    })
}

/// Called with the place and the members of every object in the spec.
type Visit<'a> = dyn FnMut(&str, &serde_json::Map<String, Value>) -> Result<(), Error> + 'a;

fn walk(value: &Value, place: &str, visit: &mut Visit<'_>) -> Result<(), Error> {
    match value {
        Value::Object(map) => {
            visit(place, map)?;
            for (key, v) in map {
                let here = if place.is_empty() {
                    key.clone()
                } else {
                    format!("{place}.{key}")
                };
                walk(v, &here, visit)?;
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{place}[{i}]"), visit)?;
            }
        }
        _ => {}
    }
    Ok(())
}
