//! `/customers/{customerId}/sources` and `/sources/{sourceId}`: the customer as each source wrote it. The
//! sandbox's one node is its one source, so every customer has exactly that source, holding the customer
//! as last written (see the module docs of `contacthub`).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::customers::customer_not_found;
use super::error;
use super::input::Ids;
use crate::http::json;
use crate::server::Shared;

/// The members of a source customer, as the swagger's `SourceCustomer` (its `id` is the source's).
const MEMBERS: [&str; 10] = [
    "nodeId",
    "externalId",
    "extra",
    "enabled",
    "registeredAt",
    "updatedAt",
    "base",
    "consents",
    "extended",
    "tags",
];

pub(super) fn routes(customer: &str) -> Router<Arc<Shared>> {
    Router::new()
        .route(&format!("{customer}/sources"), get(list))
        .route(&format!("{customer}/sources/{{source_id}}"), get(read))
}

/// The customer `id` as its one source wrote it, if the customer exists.
fn source_customer(shared: &Shared, id: &str) -> Option<Value> {
    let store = shared.contacthub.lock();
    let customer = store.customer(id)?;
    let mut source = Map::new();
    source.insert(
        "id".into(),
        Value::from(shared.config.credentials.contacthub_node.clone()),
    );
    for member in MEMBERS {
        if let Some(value) = customer.get(member) {
            source.insert(member.into(), value.clone());
        }
    }
    Some(Value::Object(source))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer)): Ids<(String, String)>,
) -> Response {
    match source_customer(&shared, &customer) {
        Some(source) => json(StatusCode::OK, &json!({ "elements": [source] })),
        None => customer_not_found(&customer),
    }
}

async fn read(
    State(shared): State<Arc<Shared>>,
    Ids((_workspace, customer, source_id)): Ids<(String, String, String)>,
) -> Response {
    let Some(source) = source_customer(&shared, &customer) else {
        return customer_not_found(&customer);
    };
    if source.get("id").and_then(Value::as_str) == Some(source_id.as_str()) {
        json(StatusCode::OK, &source)
    } else {
        error(
            StatusCode::NOT_FOUND,
            &format!("source not found: {source_id}"),
        )
    }
}
