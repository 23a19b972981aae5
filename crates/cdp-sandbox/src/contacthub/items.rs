//! Educations, jobs, likes and subscriptions: items of the lists in a customer's `base`, each with its own
//! routes (`POST .../educations`, `GET`/`PUT`/`DELETE .../educations/{id}`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value};

use super::customers::customer_not_found;
use super::input::{Ids, object_body};
use super::schema::{self, Object};
use super::store::Store;
use super::{error, instant, invalid};
use crate::http::json;
use crate::server::Shared;

/// One kind of item: its list in `base`, its name in messages, its schema, and the status a creation
/// answers (the official swagger: 200 for educations, jobs and likes, 201 for subscriptions).
#[derive(Debug, Clone, Copy)]
struct Kind {
    list: &'static str,
    name: &'static str,
    shape: &'static Object,
    created: StatusCode,
}

const KINDS: [Kind; 4] = [
    Kind {
        list: "educations",
        name: "education",
        shape: &schema::EDUCATION,
        created: StatusCode::OK,
    },
    Kind {
        list: "jobs",
        name: "job",
        shape: &schema::JOB,
        created: StatusCode::OK,
    },
    Kind {
        list: "likes",
        name: "like",
        shape: &schema::LIKE,
        created: StatusCode::OK,
    },
    Kind {
        list: "subscriptions",
        name: "subscription",
        shape: &schema::SUBSCRIPTION,
        created: StatusCode::CREATED,
    },
];

type CustomerPath = Ids<(String, String)>;
type ItemPath = Ids<(String, String, String)>;

pub(super) fn routes(customer: &str) -> Router<Arc<Shared>> {
    let mut router = Router::new();
    for kind in KINDS {
        router = router
            .route(
                &format!("{customer}/{}", kind.list),
                post(move |s: State<Arc<Shared>>, p: CustomerPath, b: Bytes| create(kind, s, p, b)),
            )
            .route(
                &format!("{customer}/{}/{{item_id}}", kind.list),
                axum::routing::get(move |s: State<Arc<Shared>>, p: ItemPath| read(kind, s, p))
                    .put(move |s: State<Arc<Shared>>, p: ItemPath, b: Bytes| replace(kind, s, p, b))
                    .delete(move |s: State<Arc<Shared>>, p: ItemPath| remove(kind, s, p)),
            );
    }
    router
}

async fn create(
    kind: Kind,
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer)): CustomerPath,
    body: Bytes,
) -> Response {
    let mut item = match valid_item(kind, &body) {
        Ok(item) => item,
        Err(response) => return response,
    };
    let mut store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    let id = match item.get("id").and_then(Value::as_str) {
        Some(id) => id.to_owned(),
        None => store.new_id(),
    };
    item.insert("id".into(), Value::from(id.clone()));
    let Some(items) = list_mut(&mut store, &customer, kind) else {
        return customer_not_found(&customer);
    };
    if position(items, &id).is_some() {
        return error(
            StatusCode::CONFLICT,
            &format!("{} already exists: {id}", kind.name),
        );
    }
    items.push(Value::Object(item.clone()));
    touch(&mut store, &customer);
    json(kind.created, &item)
}

async fn read(
    kind: Kind,
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer, id)): ItemPath,
) -> Response {
    let store = shared.contacthub.lock();
    let Some(stored) = store.customer(&customer) else {
        return customer_not_found(&customer);
    };
    let found = stored
        .pointer(&format!("/base/{}", kind.list))
        .and_then(Value::as_array)
        .and_then(|items| position(items, &id).and_then(|i| items.get(i)));
    match found {
        Some(item) => json(StatusCode::OK, item),
        None => item_not_found(kind, &id),
    }
}

async fn replace(
    kind: Kind,
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer, id)): ItemPath,
    body: Bytes,
) -> Response {
    let mut item = match valid_item(kind, &body) {
        Ok(item) => item,
        Err(response) => return response,
    };
    // The path names the item; an id in the body cannot move it.
    item.insert("id".into(), Value::from(id.clone()));
    let mut store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    let Some(items) = existing_list_mut(&mut store, &customer, kind) else {
        return item_not_found(kind, &id);
    };
    let Some(slot) = position(items, &id).and_then(|i| items.get_mut(i)) else {
        return item_not_found(kind, &id);
    };
    *slot = Value::Object(item.clone());
    touch(&mut store, &customer);
    json(StatusCode::OK, &item)
}

async fn remove(
    kind: Kind,
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer, id)): ItemPath,
) -> Response {
    let mut store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    let Some(items) = existing_list_mut(&mut store, &customer, kind) else {
        return item_not_found(kind, &id);
    };
    let Some(at) = position(items, &id) else {
        return item_not_found(kind, &id);
    };
    items.remove(at);
    touch(&mut store, &customer);
    StatusCode::OK.into_response()
}

fn valid_item(kind: Kind, bytes: &[u8]) -> Result<Map<String, Value>, Response> {
    let mut body = object_body(bytes)?;
    let problems = schema::check_body(&body, kind.shape);
    if !problems.is_empty() {
        return Err(invalid(&format!("{} is not valid", kind.name), problems));
    }
    schema::strip_nulls(&mut body);
    match body {
        Value::Object(item) => Ok(item),
        _ => Ok(Map::new()),
    }
}

/// The customer's list of this kind, created empty when missing; `None` when the customer is unknown.
fn list_mut<'a>(store: &'a mut Store, customer: &str, kind: Kind) -> Option<&'a mut Vec<Value>> {
    let base = store
        .customer_mut(customer)?
        .entry("base")
        .or_insert_with(|| Value::Object(Map::new()));
    if !base.is_object() {
        *base = Value::Object(Map::new());
    }
    let list = base
        .as_object_mut()?
        .entry(kind.list)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    list.as_array_mut()
}

/// The customer's list of this kind, if it has one.
fn existing_list_mut<'a>(
    store: &'a mut Store,
    customer: &str,
    kind: Kind,
) -> Option<&'a mut Vec<Value>> {
    store
        .customer_mut(customer)?
        .get_mut("base")?
        .get_mut(kind.list)?
        .as_array_mut()
}

fn position(items: &[Value], id: &str) -> Option<usize> {
    items
        .iter()
        .position(|item| item.get("id").and_then(Value::as_str) == Some(id))
}

/// Bumps the customer's `updatedAt` after a change to its items.
fn touch(store: &mut Store, customer: &str) {
    if let Some(members) = store.customer_mut(customer) {
        members.insert("updatedAt".into(), Value::from(instant::now()));
    }
}

fn item_not_found(kind: Kind, id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("{} not found: {id}", kind.name),
    )
}
