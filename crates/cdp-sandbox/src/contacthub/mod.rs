//! ContactHub emulation: customers of one node with their educations, jobs, likes, subscriptions and
//! sessions, and events, served on the routes of `specs/contacthub.yaml`.
//!
//! One workspace (`credentials.contacthub_workspace`) with one node (`credentials.contacthub_node`) exists;
//! requests need `Authorization: Bearer <credentials.contacthub_token>`. Errors use ContactHub's body
//! `{message, logref, data, errors}`; a customer whose `externalId` is taken gets the 409 conflict body with
//! `data.customer.{id, href}`.
//!
//! Where it simplifies the real service:
//! - **Nulls are not stored.** A `null` member of a stored body reads back as absent, so PUT with `null`
//!   and PATCH with `null` both remove the member.
//! - **Validation** checks the members, types, formats (`YYYY-MM-DD` dates, date-times) and enum values of
//!   the customer JSON Schemas (`base`, `consents`, `tags`); `extended` is free-form, as no workspace
//!   schema exists here.
//! - **Queries on arrays** (`base.educations.schoolType`, `tags.manual`) look at every element: a condition
//!   holds when any element satisfies it, and `NOT_EQUALS`/`NOT_IN` hold when no element matches (so a
//!   customer without the attribute satisfies them, as in the real, Elasticsearch-backed service).
//!   `GT`/`GTE`/`LT`/`LTE`/`BETWEEN` compare numbers as numbers, date-times as instants and other strings
//!   by code points. Behavioural queries (`did`) are evaluated on the stored events (see `query.rs`).
//! - **Projection** (`fields`) copies each listed path; a path that crosses an array copies the whole array.
//! - **Event mode** is derived from the type alone: events that the business does *to* the customer
//!   (campaign sends and bounces, invitations, shipped orders, replies to tickets, granted coupons and
//!   rewards, abandoned carts and sessions, `genericPassiveEvent`) are `PASSIVE`, every other type is
//!   `ACTIVE`.
//! - **Events** are stored at once (the real service answers 202 and stores later). An event with
//!   `bringBackProperties` that names no known customer is stored anonymously (`customerId: null`) and is
//!   tied to the customer later, when its session is linked (`POST .../sessions`, or `sessionId` on a
//!   customer write) or a customer with its external id is created.
//! - **Sessions** are found by their `id` or by their `value` on `GET`/`DELETE .../sessions/{sessionId}`.
//! - **Sources**: the one node is the one source (its id is the node id), so a customer's sources are that
//!   one, holding the customer as last written.
//! - **Event updates** (`PUT /events/{id}`) are applied at once (the real service answers 202 and applies
//!   later); the event keeps its id, customer and `registeredAt`.
//!
//! Seeded customers are generated from their seed on first access, so a large seed starts in seconds; the
//! first request that reads them all (a query, a sort) pays for generating them, later ones do not.

// Request checks end early with the finished error `Response`; it is large, but it is made once per
// refused request, so boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod customers;
mod dice;
mod events;
mod guard;
mod ids;
mod input;
mod instant;
mod items;
mod listing;
mod merge_patch;
mod query;
mod schema;
mod seed;
mod sessions;
mod sources;
mod store;
mod time_zones;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use serde_json::{Value, json};

use crate::Config;
use crate::http::json;
use crate::server::Shared;

use self::store::Store;

/// ContactHub's state: customers, their sessions, and events.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let sandbox = cdp_sandbox::Sandbox::start_with(cdp_sandbox::Config::default().customers(10)).await?;
/// assert_eq!(sandbox.contacthub().customer_count(), 10);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct State {
    store: Mutex<Store>,
}

impl State {
    pub(crate) fn seeded(config: &Config) -> Self {
        Self {
            store: Mutex::new(seed::seeded(config)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many customers exist.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// println!("{} customers", sandbox.contacthub().customer_count());
    /// # Ok(()) }
    /// ```
    pub fn customer_count(&self) -> usize {
        self.lock().customer_count()
    }

    /// A customer as stored (the body `GET /customers/{id}` answers), if it exists.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// if let Some(customer) = sandbox.contacthub().customer("some-id") {
    ///     println!("{}", customer["base"]["firstName"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn customer(&self, id: &str) -> Option<Value> {
        self.lock().customer(id).cloned()
    }

    /// The ids of every customer, in the order they are listed.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let first = sandbox.contacthub().customer_ids().into_iter().next();
    /// # let _ = first;
    /// # Ok(()) }
    /// ```
    pub fn customer_ids(&self) -> Vec<String> {
        self.lock()
            .customers()
            .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    /// How many events are stored, anonymous ones included.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// println!("{} events", sandbox.contacthub().event_count());
    /// # Ok(()) }
    /// ```
    pub fn event_count(&self) -> usize {
        self.lock().event_count()
    }

    /// The events of a customer as stored, oldest stored first.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// for event in sandbox.contacthub().events_of("some-id") {
    ///     println!("{} {}", event["type"], event["date"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events_of(&self, customer_id: &str) -> Vec<Value> {
        self.lock()
            .events_of(customer_id)
            .into_iter()
            .cloned()
            .collect()
    }

    /// The events stored without a customer (their `bringBackProperties` named nobody known yet).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// assert!(sandbox.contacthub().anonymous_events().iter().all(|e| e["customerId"].is_null()));
    /// # Ok(()) }
    /// ```
    pub fn anonymous_events(&self) -> Vec<Value> {
        self.lock()
            .anonymous_events()
            .into_iter()
            .cloned()
            .collect()
    }

    /// The session values linked to a customer.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// println!("{:?}", sandbox.contacthub().sessions_of("some-id"));
    /// # Ok(()) }
    /// ```
    pub fn sessions_of(&self, customer_id: &str) -> Vec<String> {
        self.lock()
            .sessions_of(customer_id)
            .iter()
            .map(|s| s.value.clone())
            .collect()
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let customer = "/workspaces/{workspace_id}/customers/{customer_id}";
    Router::new()
        .merge(customers::routes())
        .merge(items::routes(customer))
        .merge(sessions::routes(customer))
        .merge(sources::routes(customer))
        .merge(events::routes())
        .fallback(|| async { error(StatusCode::NOT_FOUND, "resource not found") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
        .layer(from_fn_with_state(shared.clone(), guard::authorize))
        .with_state(shared)
}

/// ContactHub's error body: `{message, logref, data, errors}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    error_body(status, message, Value::Null, Vec::new())
}

/// One problem with a request member: its message and its JSON pointer (`/base/dob`).
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    message: String,
    path: String,
}

impl Problem {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            path: path.into(),
        }
    }
}

/// The 400 of a body that does not fit its schema, one `errors[]` entry per problem.
fn invalid(message: &str, problems: Vec<Problem>) -> Response {
    let errors = problems
        .into_iter()
        .map(|p| json!({"message": p.message, "path": p.path, "code": null, "data": null}))
        .collect();
    error_body(StatusCode::BAD_REQUEST, message, Value::Null, errors)
}

fn error_body(status: StatusCode, message: &str, data: Value, errors: Vec<Value>) -> Response {
    static LOGREF: AtomicU64 = AtomicU64::new(1);
    let logref = format!("sandbox-{:08x}", LOGREF.fetch_add(1, Ordering::Relaxed));
    json(
        status,
        &json!({"message": message, "logref": logref, "data": data, "errors": errors}),
    )
}
