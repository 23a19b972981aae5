//! Flagship emulation: the Decision API v2, the bucketing file on the CDN and the hit collector, on three
//! base URLs ([`Urls::flagship_decision`](crate::Urls::flagship_decision), `flagship_cdn`,
//! `flagship_hits`).
//!
//! One campaign configuration, in the shape of the bucketing file, is the source of truth: the CDN serves
//! it and the decision routes evaluate it with Flagship's own rules — targeting groups OR-ed and their
//! conditions AND-ed, case-insensitive text, lists meaning "any" (or "none" for the `NOT_*` operators),
//! then `murmur3(variationGroupId + visitorId) % 100` against the running sum of the allocations
//! ([`allocation_bucket`], [`pick_variation`]). So a visitor gets the same variation from the sandbox's
//! decision API as from an SDK deciding on the sandbox's bucketing file.
//!
//! The seed ([`Config::seed`](crate::Config::seed)) gives five campaigns: an A/B test on every visitor
//! (`btnColor`, reference and two variations), a toggle for `plan EQUALS pro` OR `isVIP EQUALS true`
//! (`showBanner`), a personalisation ANDing `age`, `country` and `email` conditions (`discount`), a
//! rollout limited by `bucketRanges` to half the visitors (`newSearch`), and a flag for visitor ids
//! starting with `beta-` (`betaFeatures`). [`State::set_bucketing_file`] replaces them.
//!
//! Auth: the decision and CDN routes want `x-api-key` to be
//! [`Credentials::flagship_api_key`](crate::Credentials::flagship_api_key) (401 otherwise), and an
//! environment id other than [`Credentials::flagship_env_id`](crate::Credentials::flagship_env_id) is a
//! 404 `{"message": "environment not found"}`; for `POST /v2/activate` that is the `cid` of the body
//! (missing fields are a 400 first). The hit collector takes no key: a hit names its environment in `cid`.
//!
//! Errors are Flagship's `{"message": "…"}`; a missing activation field is reported as the service does,
//! `{"message": "{\"status\":\"error\",\"errors\":{\"vid\":\"Field is mandatory.\"}}"}`.
//!
//! Simplifications, where a client could tell the difference:
//! - Decisions are computed from the configuration on every call: there is no visitor cache, no
//!   experience continuity (`anonymousId` is only echoed in activations) and `visitor_consent` is ignored.
//! - `decision_group`, when set, replaces the visitor id in both hashes (allocation and `bucketRanges`),
//!   so every visitor of a group shares its decisions; `fs_users` still compares the visitor id.
//! - Only the first variation group a visitor's targeting matches is tried in a campaign; values of
//!   different JSON types never match (the Go service reports a type error); a null context value counts as
//!   absent; a targeting group without conditions matches no one; the `SEMVER_*` operators compare
//!   `major.minor.patch` and ignore pre-release parts.
//! - `mergedModifications` and `/flags` take a key from the first campaign (in file order) that sets it.
//! - `sendContextEvent` records the context only when it is not empty; panic mode records none.
//! - `POST /v2/{envId}/campaigns/{campaignId}` answers 404 in panic mode (its answer has no `panic`).
//! - Activations are recorded as received (a batch flattened, `cid` added to each); their variation group
//!   and variation ids are not checked against the configuration.
//! - The collector checks `t` and the keys each type needs (`dl` absolute for PAGEVIEW, `dl` for
//!   SCREENVIEW, `ea` for EVENT, `tid` and `ta` for TRANSACTION, `tid`, `in` and `ic` for ITEM, `caid` and
//!   `vaid` for CAMPAIGN and ACTIVATE), `cid` and `vid` on every hit but TROUBLESHOOTING, and the JSON type
//!   of every key it knows; it answers 200 with an empty body.
//! - Recorded activations, context events and hits keep the latest 100 000 of each.
//! - `Last-Modified` starts at a date derived from the seed and moves forward (at least one second) with
//!   each change of the configuration or of the panic switch.

mod access;
mod activation;
mod allocation;
mod answer;
mod bucketing;
mod configuration;
mod decision;
mod decision_api;
mod decision_request;
mod hits;
mod records;
mod seed;
mod targeting;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub use allocation::{allocation_bucket, murmur3_hash, pick_variation};

use crate::Config;
use crate::http::json;
use crate::server::Shared;
use configuration::Configuration;
use records::Records;

/// Flagship's state: the campaign configuration (with the panic switch), activations, context events and
/// hits.
#[derive(Debug)]
pub struct State {
    configuration: Mutex<Versioned>,
    records: Mutex<Records>,
}

/// The configuration and when it last changed.
#[derive(Debug)]
struct Versioned {
    configuration: Configuration,
    last_modified: DateTime<Utc>,
}

impl State {
    pub(crate) fn seeded(config: &Config) -> Self {
        Self {
            configuration: Mutex::new(Versioned {
                configuration: seed::configuration(config.seed),
                last_modified: bucketing::seeded_last_modified(config.seed),
            }),
            records: Mutex::new(Records::default()),
        }
    }

    /// Every activation received, oldest first: each item of a batch on its own, as
    /// `{cid, vid, aid, caid, vaid, …}`, and those a decision with `trigger_hit: true` made.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// // ... a client activates variations ...
    /// for activation in sandbox.flagship().activations() {
    ///     println!("{} saw {} of {}", activation["vid"], activation["vaid"], activation["caid"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn activations(&self) -> Vec<Value> {
        self.records().activations.all()
    }

    /// Every hit the collector accepted, oldest first; the hits of a `BATCH` come one by one, with the
    /// keys they inherit from the batch filled in.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// // ... a client sends hits ...
    /// let pageviews = sandbox.flagship().hits().iter().filter(|h| h["t"] == "PAGEVIEW").count();
    /// # let _ = pageviews;
    /// # Ok(()) }
    /// ```
    pub fn hits(&self) -> Vec<Value> {
        self.records().hits.all()
    }

    /// Every visitor context recorded, oldest first, as `{visitorId, type: "CONTEXT", data}`: those sent to
    /// `/v2/{envId}/events` and those decisions recorded (`sendContextEvent` true or absent).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// // ... a client asks for a decision with a context ...
    /// if let Some(last) = sandbox.flagship().context_events().last() {
    ///     println!("{} has plan {}", last["visitorId"], last["data"]["plan"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn context_events(&self) -> Vec<Value> {
        self.records().context_events.all()
    }

    /// Forgets the recorded activations, context events and hits (the configuration stays).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// sandbox.flagship().clear_records();
    /// assert!(sandbox.flagship().hits().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn clear_records(&self) {
        let mut records = self.records();
        records.activations.clear();
        records.context_events.clear();
        records.hits.clear();
    }

    /// The bucketing file as the CDN serves it: the whole campaign configuration.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let file = sandbox.flagship().bucketing_file();
    /// for campaign in file["campaigns"].as_array().into_iter().flatten() {
    ///     println!("{} ({})", campaign["name"], campaign["type"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn bucketing_file(&self) -> Value {
        serde_json::to_value(&self.versioned().configuration).unwrap_or_else(|_| json!({}))
    }

    /// Replaces the campaign configuration with a bucketing file (the panic switch comes from its
    /// `panic`), and moves `Last-Modified` forward. An error says what does not fit the file's shape.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let file = serde_json::json!({"campaigns": [{
    ///     "id": "c1", "type": "toggle",
    ///     "variationGroups": [{"id": "g1",
    ///         "targeting": {"targetingGroups": [{"targetings": [
    ///             {"operator": "EQUALS", "key": "fs_all_users", "value": ""}]}]},
    ///         "variations": [{"id": "v1", "allocation": 100,
    ///             "modifications": {"type": "FLAG", "value": {"dark": true}}}]}]}]});
    /// sandbox.flagship().set_bucketing_file(file).expect("a valid bucketing file");
    /// # Ok(()) }
    /// ```
    pub fn set_bucketing_file(&self, file: Value) -> Result<(), String> {
        let configuration: Configuration =
            serde_json::from_value(file).map_err(|e| format!("not a bucketing file: {e}"))?;
        let mut versioned = self.versioned();
        versioned.configuration = configuration;
        versioned.last_modified = bucketing::next_last_modified(versioned.last_modified);
        Ok(())
    }

    /// Turns panic mode on or off: on, decisions answer `{"visitorId", "campaigns": [], "panic": true}`
    /// and the bucketing file says `"panic": true`. A change moves `Last-Modified` forward.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// sandbox.flagship().set_panic(true);
    /// assert_eq!(sandbox.flagship().bucketing_file()["panic"], true);
    /// # Ok(()) }
    /// ```
    pub fn set_panic(&self, panic: bool) {
        let mut versioned = self.versioned();
        if versioned.configuration.panic != panic {
            versioned.configuration.panic = panic;
            versioned.last_modified = bucketing::next_last_modified(versioned.last_modified);
        }
    }

    /// Whether panic mode is on.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// assert!(!sandbox.flagship().panic());
    /// # Ok(()) }
    /// ```
    pub fn panic(&self) -> bool {
        self.versioned().configuration.panic
    }

    /// When the configuration last changed: the bucketing file's `Last-Modified` (whole seconds).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// println!("{}", sandbox.flagship().last_modified().to_rfc2822());
    /// # Ok(()) }
    /// ```
    pub fn last_modified(&self) -> DateTime<Utc> {
        self.versioned().last_modified
    }

    /// Runs `f` on the configuration (under the lock: `f` must not wait on anything).
    pub(crate) fn with_configuration<R>(&self, f: impl FnOnce(&Configuration) -> R) -> R {
        f(&self.versioned().configuration)
    }

    /// The configuration as served, and its `Last-Modified`, read together.
    pub(crate) fn snapshot(&self) -> (Value, DateTime<Utc>) {
        let versioned = self.versioned();
        let file = serde_json::to_value(&versioned.configuration).unwrap_or_else(|_| json!({}));
        (file, versioned.last_modified)
    }

    fn versioned(&self) -> MutexGuard<'_, Versioned> {
        self.configuration
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn records(&self) -> MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The decision API: campaigns, one campaign, flags, context events, activations.
pub(crate) fn decision_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2/activate", post(activation::activate))
        .route("/v2/{env_id}/campaigns", post(decision_api::campaigns))
        .route(
            "/v2/{env_id}/campaigns/{campaign_id}",
            post(decision_api::campaign),
        )
        .route("/v2/{env_id}/flags", post(decision_api::flags))
        .route("/v2/{env_id}/events", post(decision_api::events))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

/// The CDN: the bucketing file.
pub(crate) fn cdn_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{env_id}/bucketing.json",
            axum::routing::get(bucketing::bucketing_file),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

/// The hit collector.
pub(crate) fn hits_router(shared: Arc<Shared>, base: &str) -> Router {
    hits::router(shared, base).method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "route not found")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

/// The whole request body, or Flagship's error when it cannot be read.
async fn read_body(body: axum::body::Body) -> Result<axum::body::Bytes, Failure> {
    crate::http::buffer_body(body).await.map_err(|_| {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        )
    })
}

/// A Flagship error on its way to a response; small, so that the handlers' results stay small.
#[derive(Debug)]
pub(crate) struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        error(self.status, &self.message)
    }
}

/// Flagship's error body: `{message}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json(status, &json!({"message": message}))
}
