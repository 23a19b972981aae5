//! `/customers/{customerId}/sessions`: the session ids linked to a customer, which tie its anonymous
//! events (sent with `bringBackProperties` of type `SESSION_ID`) to it.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::customers::customer_not_found;
use super::input::{Ids, object_body};
use super::store::Session;
use super::{Problem, error, invalid};
use crate::http::json;
use crate::server::Shared;

pub(super) fn routes(customer: &str) -> Router<Arc<Shared>> {
    Router::new()
        .route(&format!("{customer}/sessions"), get(list).post(create))
        .route(
            &format!("{customer}/sessions/{{session_id}}"),
            get(read).delete(remove),
        )
}

fn body(session: &Session) -> Value {
    json!({"id": session.id, "value": session.value})
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer)): Ids<(String, String)>,
) -> Response {
    let store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    let elements: Vec<Value> = store.sessions_of(&customer).iter().map(body).collect();
    json(StatusCode::OK, &json!({ "elements": elements }))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer)): Ids<(String, String)>,
    bytes: Bytes,
) -> Response {
    let request = match object_body(&bytes) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let Some(value) = request
        .get("value")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
    else {
        return invalid(
            "session is not valid",
            vec![Problem::new("/value", "a non-empty string is required")],
        );
    };
    let mut store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    let session = store.link_session(&customer, value);
    json(StatusCode::CREATED, &body(&session))
}

async fn read(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer, session)): Ids<(String, String, String)>,
) -> Response {
    let store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    match store
        .sessions_of(&customer)
        .iter()
        .find(|s| s.id == session || s.value == session)
    {
        Some(found) => json(StatusCode::OK, &body(found)),
        None => session_not_found(&session),
    }
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer, session)): Ids<(String, String, String)>,
) -> Response {
    let mut store = shared.contacthub.lock();
    if store.customer(&customer).is_none() {
        return customer_not_found(&customer);
    }
    if store.unlink_session(&customer, &session) {
        StatusCode::OK.into_response()
    } else {
        session_not_found(&session)
    }
}

fn session_not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("session not found: {id}"))
}
