//! `/workspaces/{workspaceId}/customers` and `/customers/{customerId}`: list with query, projection, sort
//! and paging; create, get, full update, merge patch, delete.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::input::{Ids, Params, object_body};
use super::listing::{Paging, Sort, project};
use super::store::Store;
use super::{Problem, error, error_body, instant, invalid, merge_patch, query, schema};
use crate::http::json;
use crate::server::Shared;

/// Members the service sets, never the client.
const READ_ONLY: [&str; 4] = ["id", "nodeId", "registeredAt", "updatedAt"];

/// The lists of `base` whose items have ids.
pub(super) const ITEM_LISTS: [&str; 4] = ["educations", "likes", "jobs", "subscriptions"];

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/workspaces/{workspace_id}/customers",
            get(list).post(create),
        )
        .route(
            "/workspaces/{workspace_id}/customers/{customer_id}",
            get(read).put(replace).patch(patch).delete(remove),
        )
}

/// 404 unless `node` is the node that exists.
pub(super) fn check_node(shared: &Shared, node: &str) -> Result<(), Response> {
    if node == shared.config.credentials.contacthub_node {
        Ok(())
    } else {
        Err(error(
            StatusCode::NOT_FOUND,
            &format!("node not found: {node}"),
        ))
    }
}

pub(super) fn customer_not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("customer not found: {id}"))
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
    check_node(shared, params.required("nodeId")?)?;
    let paging = Paging::from(params)?;
    let sort = params.get("sort").map(Sort::parse).transpose()?;
    let query = params
        .get("query")
        .map(query::parse)
        .transpose()
        .map_err(|problem| {
            invalid(
                &format!("the query is not valid: {problem}"),
                vec![Problem::new("query", problem)],
            )
        })?;
    let fields = params.list("fields");
    if let Some(unknown) = fields.iter().find(|f| schema::attribute(f).is_none()) {
        return Err(invalid(
            &format!("unknown field `{unknown}`"),
            vec![Problem::new("fields", format!("unknown field `{unknown}`"))],
        ));
    }
    let external_id = params.get("externalId");

    let store = shared.contacthub.lock();
    let mut found: Vec<&Value> = match external_id {
        // The index answers an external id without a scan.
        Some(external) => store
            .by_external_id(external)
            .and_then(|id| store.customer(id))
            .into_iter()
            .collect(),
        None => store.customers().collect(),
    };
    if let Some(query) = &query {
        found.retain(|c| query.matches(c, &store));
    }
    if let Some(sort) = &sort {
        sort.apply(&mut found);
    }
    let elements: Vec<Value> = paging
        .slice(&found)
        .into_iter()
        .map(|c| {
            if fields.is_empty() {
                c.clone()
            } else {
                project(c, &fields)
            }
        })
        .collect();
    Ok(json!({
        "elements": elements,
        "page": paging.page(found.len(), store.customer_count()),
    }))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Ids(workspace): Ids<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    OriginalUri(original): OriginalUri,
    body: Bytes,
) -> Response {
    let params = Params::parse(raw.as_deref());
    let base = base_url(&headers, original.path());
    let result = (|| {
        let mut body = valid_customer(&body)?;
        let node = body
            .get("nodeId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                invalid(
                    "source customer is not valid",
                    vec![Problem::new("/nodeId", "the member is required")],
                )
            })?
            .to_owned();
        check_node(&shared, &node)?;
        let mut store = shared.contacthub.lock();
        let id = store.new_id();
        let now = instant::now();
        if let Some(members) = body.as_object_mut() {
            for member in READ_ONLY {
                members.remove(member);
            }
            members.insert("id".into(), Value::from(id.clone()));
            members.insert("nodeId".into(), Value::from(node));
            members.insert("registeredAt".into(), Value::from(now.clone()));
            members.insert("updatedAt".into(), Value::from(now));
            members.entry("enabled").or_insert(Value::Bool(true));
        }
        let external = body
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(external) = &external
            && let Some(existing) = store.by_external_id(external)
        {
            return Err(conflict(&base, &workspace, existing));
        }
        assign_item_ids(&mut store, &mut body);
        store.insert_customer(body);
        if let Some(external) = &external {
            store.adopt_anonymous(&id, "EXTERNAL_ID", external);
        }
        if let Some(session) = params.get("sessionId") {
            store.link_session(&id, session);
        }
        Ok(store.customer(&id).cloned().unwrap_or(Value::Null))
    })();
    match result {
        Ok(customer) => json(StatusCode::CREATED, &customer),
        Err(response) => response,
    }
}

async fn read(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, id)): Ids<(String, String)>,
) -> Response {
    match shared.contacthub.lock().customer(&id) {
        Some(customer) => json(StatusCode::OK, customer),
        None => customer_not_found(&id),
    }
}

async fn replace(
    State(shared): State<Arc<Shared>>,
    Ids((workspace, id)): Ids<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    OriginalUri(original): OriginalUri,
    body: Bytes,
) -> Response {
    let params = Params::parse(raw.as_deref());
    let base = base_url(&headers, original.path());
    let result = (|| {
        let mut body = valid_customer(&body)?;
        // The official `PutCustomer` requires `nodeId`, as a creation does.
        let node = body.get("nodeId").and_then(Value::as_str).ok_or_else(|| {
            invalid(
                "source customer is not valid",
                vec![Problem::new("/nodeId", "the member is required")],
            )
        })?;
        check_node(&shared, node)?;
        let mut store = shared.contacthub.lock();
        let old = store.customer(&id).ok_or_else(|| customer_not_found(&id))?;
        let kept: Vec<(&str, Value)> = ["id", "nodeId", "registeredAt"]
            .into_iter()
            .filter_map(|m| old.get(m).map(|v| (m, v.clone())))
            .collect();
        if let Some(members) = body.as_object_mut() {
            for member in READ_ONLY {
                members.remove(member);
            }
            for (member, value) in kept {
                members.insert(member.into(), value);
            }
            members.insert("updatedAt".into(), Value::from(instant::now()));
            members.entry("enabled").or_insert(Value::Bool(true));
        }
        store_update(&mut store, &base, &workspace, &id, body, &params)
    })();
    match result {
        Ok(customer) => json(StatusCode::OK, &customer),
        Err(response) => response,
    }
}

async fn patch(
    State(shared): State<Arc<Shared>>,
    Ids((workspace, id)): Ids<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    OriginalUri(original): OriginalUri,
    body: Bytes,
) -> Response {
    let params = Params::parse(raw.as_deref());
    let base = base_url(&headers, original.path());
    let result = (|| {
        let mut patch = valid_patch(&body)?;
        if let Some(members) = patch.as_object_mut() {
            for member in READ_ONLY {
                members.remove(member);
            }
        }
        let mut store = shared.contacthub.lock();
        let mut customer = store
            .customer(&id)
            .cloned()
            .ok_or_else(|| customer_not_found(&id))?;
        merge_patch::apply(&mut customer, &patch);
        schema::strip_nulls(&mut customer);
        if let Some(members) = customer.as_object_mut() {
            members.insert("updatedAt".into(), Value::from(instant::now()));
        }
        store_update(&mut store, &base, &workspace, &id, customer, &params)
    })();
    match result {
        Ok(customer) => json(StatusCode::OK, &customer),
        Err(response) => response,
    }
}

/// Stores the new state of an existing customer: checks its external id is not another customer's,
/// gives ids to new items, links the `sessionId` parameter.
fn store_update(
    store: &mut Store,
    base: &str,
    workspace: &str,
    id: &str,
    mut customer: Value,
    params: &Params,
) -> Result<Value, Response> {
    let external = customer
        .get("externalId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(external) = &external
        && let Some(other) = store.by_external_id(external)
        && other != id
    {
        return Err(conflict(base, workspace, other));
    }
    assign_item_ids(store, &mut customer);
    store.replace_customer(id, customer);
    if let Some(external) = &external {
        store.adopt_anonymous(id, "EXTERNAL_ID", external);
    }
    if let Some(session) = params.get("sessionId") {
        store.link_session(id, session);
    }
    Ok(store.customer(id).cloned().unwrap_or(Value::Null))
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, id)): Ids<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref());
    if let Some(node) = params.get("nodeId")
        && let Err(response) = check_node(&shared, node)
    {
        return response;
    }
    if shared.contacthub.lock().remove_customer(&id) {
        StatusCode::OK.into_response()
    } else {
        customer_not_found(&id)
    }
}

/// A customer body that parses and fits the schema, with its nulls removed.
fn valid_customer(bytes: &[u8]) -> Result<Value, Response> {
    let mut body = valid_patch(bytes)?;
    schema::strip_nulls(&mut body);
    Ok(body)
}

/// A merge patch of a customer that parses and fits the schema; its nulls say what to remove.
fn valid_patch(bytes: &[u8]) -> Result<Value, Response> {
    let body = object_body(bytes)?;
    let problems = schema::check_body(&body, &schema::CUSTOMER);
    if !problems.is_empty() {
        return Err(invalid("source customer is not valid", problems));
    }
    Ok(body)
}

/// Gives an id to every education, like, job and subscription that has none.
fn assign_item_ids(store: &mut Store, customer: &mut Value) {
    let Some(base) = customer.get_mut("base").and_then(Value::as_object_mut) else {
        return;
    };
    for list in ITEM_LISTS {
        for item in base
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(item) = item.as_object_mut()
                && !item.get("id").is_some_and(Value::is_string)
            {
                item.insert("id".into(), Value::from(store.new_id()));
            }
        }
    }
}

/// The URL this ContactHub is served at, from the request: its host, and the path before `/workspaces/`
/// (the sandbox nests the service below a prefix).
fn base_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let prefix = path.find("/workspaces/").map_or("", |at| &path[..at]);
    format!("http://{host}{prefix}")
}

/// The 409 of a customer that matches an existing one, pointing at it.
fn conflict(base: &str, workspace: &str, existing: &str) -> Response {
    let href = format!("{base}/workspaces/{workspace}/customers/{existing}");
    let mut data = Map::new();
    data.insert("customer".into(), json!({"id": existing, "href": href}));
    error_body(
        StatusCode::CONFLICT,
        &format!("Conflict with exiting customer {existing}"),
        Value::Object(data),
        Vec::new(),
    )
}
