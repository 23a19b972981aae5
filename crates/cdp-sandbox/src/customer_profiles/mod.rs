//! AWS Customer Profiles emulation: the routes of `specs/customer-profiles.yaml` over one domain.
//!
//! It serves segment definitions (create, get, list, delete), segment membership, estimates, snapshots,
//! profile search and batch get, profile writes (create, update, delete) and profile objects (put, list),
//! with the real service's limits and restJson1 error bodies
//! (`{"Message": …}` with the type in `X-Amzn-ErrorType`). The domain [`Credentials::aws_domain`] exists
//! and holds [`Config::aws_profiles`] seeded profiles and three segment definitions: `vip` (tier gold or
//! platinum, or a lifetime value above 5000), `eu-customers` (address in an EU country) and `eu-vip`
//! (members of both, through `SourceSegments`).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sandbox = cdp_sandbox::Sandbox::start().await?;
//! let state = sandbox.customer_profiles();
//! let vip = state.segment_members("vip").unwrap_or_default();
//! println!("{} of {} profiles are VIPs", vip.len(), state.profile_count());
//! # Ok(()) }
//! ```
//!
//! # Simplifications
//!
//! - Signatures are verified as AWS does (SigV4 over the method, path, query, signed headers and body,
//!   with `X-Amz-Date` within 15 minutes), but only header signing is accepted: no presigned URLs, no
//!   `Date` header in place of `X-Amz-Date`, no session-token validation (any token is signed along).
//! - Segments are evaluated when asked, over the stored profiles, so `LastComputedAt` is always now.
//!   Text comparisons (`INCLUSIVE`, `EXCLUSIVE`, `CONTAINS`, `BEGINS_WITH`, `ENDS_WITH`) ignore case. A
//!   condition on an attribute a profile lacks is false, `EXCLUSIVE` included. Dates are `YYYY-MM-DD`;
//!   `BEFORE`/`AFTER` take one value, `BETWEEN`/`NOT_BETWEEN` two (bounds included), `ON` any number.
//!   Numeric operators compare a custom attribute's text as a number; `LIST_CONTAINS(_ALL)` read it as a
//!   comma-separated list. In a group, `Type` combines the dimensions and the source segments; when
//!   `SourceType` is set, the source segments first combine by it into one condition.
//!   `Include` and `Type` default to `ALL`; a query without groups matches every profile.
//!   A source segment must exist when a definition or estimate names it; one deleted later has no members,
//!   and a segment reached again through its own sources counts as not matching.
//! - Profiles have no calculated attributes: a `CalculatedAttributes` dimension matches no profile.
//! - `SegmentSqlQuery` definitions and estimates are stored but not run: they match no profile (an SQL
//!   estimate is `0 profiles`).
//! - Estimates and snapshots complete at once: `Status` is `SUCCEEDED` / `COMPLETED` on the first get. An
//!   estimate reads `"<n> profiles"`; nothing is written to a snapshot's `DestinationUri`.
//! - `SearchProfiles` matches values exactly (case included). Keys: `_profileId`, `_email` (the three
//!   email addresses), `_phone` (the four phone numbers), `_fullName` (`"First Last"`), `_account`
//!   (`AccountNumber`), and any other name as a custom `Attributes` key; other predefined keys
//!   (`_orderId`, `_caseId`, …) find nothing: profile objects are not searched.
//! - Profile writes (`CreateProfile`, `UpdateProfile`, `DeleteProfile`) check the model's lengths and enum
//!   values; `EngagementPreferences` is accepted and not kept. A deleted profile's objects go with it.
//! - Profile objects need no object type to be defined first: any name of the model's pattern is taken.
//!   `PutProfileObject` finds the profile by the object's `ProfileId` (or `_profileId`) member, else by
//!   an `EmailAddress` (or `email`) equal to one of a profile's email addresses, else creates a profile
//!   (with that email address). An object with an `Id` member replaces the object of the same type, profile
//!   and `Id`; otherwise each put adds one. `ListProfileObjects` pages by unique key; `ObjectFilter` keeps
//!   the objects whose `KeyName` member (text, or a number) is one of `Values`.
//! - Pages come in a fixed order (definitions by name, profiles by id); tokens are opaque, tied to the
//!   request they came from, and resume after the last item returned.
//!
//! [`Credentials::aws_domain`]: crate::Credentials::aws_domain
//! [`Config::aws_profiles`]: crate::Config::aws_profiles

mod auth;
mod definitions;
mod estimates;
mod evaluation;
mod extract;
mod membership;
mod objects;
mod pagination;
mod profiles;
mod query;
mod search;
mod seed;
mod snapshots;
mod store;
mod writes;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::Config;
use crate::http::json;
use crate::server::Shared;
use store::Store;

/// What a handler answers: a success, or an AWS error.
type Answer = Result<Response, Failure>;

/// An AWS error on its way to becoming a response; small, so that the `Result`s carrying it stay small.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        error(self.status, &self.message)
    }
}

/// Customer Profiles' state: profiles, segment definitions, estimates and snapshots.
#[derive(Debug)]
pub struct State {
    store: Mutex<Store>,
}

impl State {
    pub(crate) fn seeded(config: &Config) -> Self {
        Self {
            store: Mutex::new(seed::store(config)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many profiles the domain holds.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// assert_eq!(sandbox.customer_profiles().profile_count(), sandbox.config().aws_profiles);
    /// # Ok(()) }
    /// ```
    pub fn profile_count(&self) -> usize {
        self.lock().profiles.len()
    }

    /// The id of every profile, in the order searches page through them.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let ids = sandbox.customer_profiles().profile_ids();
    /// assert!(ids.iter().all(|id| id.len() == 32));
    /// # Ok(()) }
    /// ```
    pub fn profile_ids(&self) -> Vec<String> {
        self.lock().profiles.keys().cloned().collect()
    }

    /// One profile as the API shows it (PascalCase members), if it exists.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let state = sandbox.customer_profiles();
    /// let first = state.profile_ids().remove(0);
    /// println!("{}", state.profile(&first).unwrap()["EmailAddress"]);
    /// # Ok(()) }
    /// ```
    pub fn profile(&self, id: &str) -> Option<Value> {
        let store = self.lock();
        let profile = store.profiles.get(id)?;
        serde_json::to_value(profile).ok()
    }

    /// A segment definition as `GetSegmentDefinition` answers it, if it exists.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let vip = sandbox.customer_profiles().segment_definition("vip").unwrap();
    /// assert_eq!(vip["SegmentType"], "CLASSIC");
    /// # Ok(()) }
    /// ```
    pub fn segment_definition(&self, name: &str) -> Option<Value> {
        self.lock().definitions.get(name).map(|d| d.to_json())
    }

    /// The ids of a segment's members, by the sandbox's own evaluation, in id order; `None` when there is
    /// no such definition. Membership answers must agree with it.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let members = sandbox.customer_profiles().segment_members("eu-customers").unwrap();
    /// println!("{} EU customers", members.len());
    /// # Ok(()) }
    /// ```
    pub fn segment_members(&self, name: &str) -> Option<Vec<String>> {
        let store = self.lock();
        store.definitions.get(name)?;
        Some(store.members_of(name))
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let segment = "/domains/{DomainName}/segments/{SegmentDefinitionName}";
    Router::new()
        .route(
            &format!("{segment}/membership"),
            post(membership::get_segment_membership),
        )
        .route(
            "/domains/{DomainName}/segment-definitions/{SegmentDefinitionName}",
            post(definitions::create)
                .get(definitions::get)
                .delete(definitions::delete),
        )
        .route(
            "/domains/{DomainName}/segment-definitions",
            get(definitions::list),
        )
        .route(
            "/domains/{DomainName}/segment-estimates",
            post(estimates::create),
        )
        .route(
            "/domains/{DomainName}/segment-estimates/{EstimateId}",
            get(estimates::get),
        )
        .route(&format!("{segment}/snapshots"), post(snapshots::create))
        .route(
            &format!("{segment}/snapshots/{{SnapshotId}}"),
            get(snapshots::get),
        )
        .route(
            "/domains/{DomainName}/profiles/search",
            post(search::search_profiles),
        )
        .route(
            "/domains/{DomainName}/batch-get-profiles",
            post(profiles::batch_get_profile),
        )
        .route(
            "/domains/{DomainName}/profiles",
            post(writes::create_profile).put(writes::update_profile),
        )
        .route(
            "/domains/{DomainName}/profiles/delete",
            post(writes::delete_profile),
        )
        .route(
            "/domains/{DomainName}/profiles/objects",
            post(objects::list_profile_objects).put(objects::put_profile_object),
        )
        .fallback(unknown_operation)
        .method_not_allowed_fallback(unknown_operation)
        // Outermost, so that an unsigned request is refused before anything looks at it (as AWS does).
        .layer(from_fn_with_state(shared.clone(), auth::require_signature))
        .with_state(shared)
}

async fn unknown_operation() -> Response {
    error_of_type(
        StatusCode::NOT_FOUND,
        "UnknownOperationException",
        "no such operation",
    )
}

/// An AWS restJson1 error: `{"Message": …}` with the error type in `X-Amzn-ErrorType`, chosen by status.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let kind = match status.as_u16() {
        400 => "BadRequestException",
        401 | 403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        429 => "ThrottlingException",
        _ => "InternalServerException",
    };
    error_of_type(status, kind, message)
}

/// An AWS restJson1 error of a given type.
pub(crate) fn error_of_type(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut response = json(status, &json!({"Message": message}));
    if let Ok(value) = HeaderValue::from_str(kind) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

/// `400 BadRequestException`.
fn bad_request(message: impl Into<String>) -> Failure {
    Failure {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    }
}

/// `404 ResourceNotFoundException`.
fn not_found(message: impl Into<String>) -> Failure {
    Failure {
        status: StatusCode::NOT_FOUND,
        message: message.into(),
    }
}

/// `200` with a JSON body.
fn ok(body: &Value) -> Answer {
    Ok(json(StatusCode::OK, body))
}
