//! BlueConic emulation: the routes of `specs/blueconic.yaml` under `/blueconic/rest/v2`.
//!
//! - `POST /oauth/token` issues bearer tokens for the client credentials of the sandbox's
//!   [`Credentials`](crate::Credentials) (HTTP Basic, or `client_id`/`client_secret` in the form), for
//!   the `client_credentials` grant only. Tokens live an hour; [`State::expire_tokens`] ends them early.
//! - Every other route needs `Authorization: Bearer <token>` and answers 401 otherwise.
//! - `GET /profiles/{profileId}`, `GET /profiles` (search), `PUT /profiles` (bulk writes), `GET /segments`
//!   and `GET /segments/{segmentId}/profiles` (cursor pagination) keep and change the state below.
//!
//! Errors use BlueConic's body `{code, message, errors: [{field, message}]}`; the token route uses the
//! OAuth2 body `{error, error_description}`.
//!
//! # Demo data
//!
//! `config.profiles` profiles drawn from `config.seed`: about 70% known (email, first and last name,
//! some with `customer_id` and `lifetime_value`), the rest anonymous; all with `country`, `visits`,
//! `last_visit_date`, often `interests` (multi-valued), a privacy legislation from the country,
//! consented and refused objectives, and timeline events (`order`, `email_click`) on about 30%.
//! Segments: `allvisitors` (every profile) and `newsletter_subscribers`, `high_value`,
//! `recent_visitors`, `churn_risk`.
//!
//! # Simplifications
//!
//! - Segment membership is assigned when the data is seeded, not computed from segment rules: a bulk
//!   write that changes a property does not move a profile in or out of a segment. A profile created by
//!   a bulk write is only in `allvisitors`; a deleted one leaves every segment.
//! - Scopes are echoed in the token response, not enforced per route. Only `client_credentials` is
//!   granted (no refresh tokens, no authorization code).
//! - `email` and `customer_id` are the unique identifier properties: `GET /profiles` searches only them
//!   (501 for others, as BlueConic). Bulk `matching` accepts any property (others are scanned).
//! - A profile created by an `UPSERT` that matched on properties gets the values of its first matching
//!   group, so that the same entry finds it next time. Its id is new even when the entry names a
//!   `profileId`. A `restriction.isMemberOfSegment` other than `allvisitors` is never met by a profile
//!   that does not exist yet (`RESTRICTION_MISMATCH`).
//! - An entry's `permissionLevel` and `privacyLegislation` apply when it creates a profile, as BlueConic
//!   documents them; the `privacy_legislation` property changes the legislation of an existing one.
//! - `objectiveIds`: a profile under the `NONE` legislation needs no consent; otherwise one of the
//!   objectives must be consented on the profile or in the entry's `consented_objectives`, else
//!   `CONSENT_MISMATCH`. `consented_objectives`, `refused_objectives` and `privacy_legislation`
//!   properties write those fields of the profile.
//! - Property values are text; `INCREMENT` keeps whole numbers whole; `REMOVE` without values clears the
//!   property. Values of a property are a set (repeats dropped).
//! - Timeline events are identified by their `id` alone; the strategy defaults to `SET`; a replaced
//!   event is `MODIFIED`. A profile keeps its newest 250 events. Event data with an `INCREMENT` or
//!   `REMOVE` strategy is `REJECTED` (the official schema allows `ADD`, `SET`, `SET_IF_EMPTY` there).
//! - `GET /profileEvents/{profileId}`: the history is recorded by bulk writes that change a profile's
//!   consented or refused objectives or its privacy legislation (one `ConsentChanged` event each, with
//!   its details as `properties`, as the official example writes them; newest first). Permission levels
//!   only change on creation here, so no `PermissionLevelChanged` events; seeded profiles start with an
//!   empty history.
//! - `GET /timelineEventTypes` (+ `/{id}`) lists the seeded event types (`order`, `email_click`), with
//!   their fields; types are not created by bulk writes.
//! - Refinements: `AND`, `OR`, `IS_EMPTY`, `NOT_IS_EMPTY`, `CONTAINS_ANY`, `CONTAINS_ALL`,
//!   `NOT_CONTAINS_ANY`, `NOT_CONTAINS_ALL` (text compared case-insensitively, as whole values) and
//!   `IN_RANGE` (numbers with `fromValue`/`toValue`, dates with `fromDate`/`toDate`, both ends inclusive)
//!   on profile properties. Other operators, `objective` and `groupProperty` are answered with 400.
//! - Segment pages are in profile id order. `nextCursor` resumes after the last profile returned and
//!   carries the total counted on the first page; it does not expire. `maxHitsAllowed`, `audienceId`,
//!   `autoCommit` and the `track*` parameters are accepted and ignored, and so are the expansions that
//!   have no data here (groups, matching groups, merge information).
//! - A bulk write of more than 1000 entries (or of the limit [`State::set_bulk_limit`] sets, so that a
//!   test can reach it) is answered as BlueConic does: the first entries up to the limit are processed
//!   and their results returned with status 413; the others are not applied.
//! - `filterTag` keeps the segments that have any of the tags.
//! - Answers are sent whole (BlueConic streams segment pages with chunked transfer). A bulk write that
//!   arrives while another is under way is answered 429, as BlueConic does.

mod bulk;
mod dates;
mod history;
mod params;
mod profiles;
mod properties;
mod refinement;
mod seed;
mod segments;
mod store;
mod timeline;
mod tokens;
mod values;
mod view;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::Config;
use crate::http::json;
use crate::server::Shared;

use store::Store;

/// A bulk write under way; dropping it lets the next one in.
pub(crate) struct BulkGuard<'a>(&'a AtomicBool);

impl Drop for BulkGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}
use tokens::Tokens;
use view::View;

/// BlueConic's state: profiles, segments, issued tokens.
#[derive(Debug)]
pub struct State {
    store: Mutex<Store>,
    tokens: Mutex<Tokens>,
    /// The most entries a bulk write may hold before it is answered 413.
    bulk_limit: AtomicUsize,
    /// A bulk write is under way.
    bulk_busy: AtomicBool,
    /// How long a bulk write takes after it is applied, in milliseconds, while others get 429.
    bulk_millis: AtomicU64,
}

impl State {
    pub(crate) fn seeded(config: &Config) -> Self {
        Self {
            store: Mutex::new(seed::seed(config.seed, config.profiles)),
            tokens: Mutex::new(Tokens::new(config.seed)),
            bulk_limit: AtomicUsize::new(bulk::MAX_ENTRIES),
            bulk_busy: AtomicBool::new(false),
            bulk_millis: AtomicU64::new(0),
        }
    }

    /// Makes every bulk write take this long before it is answered (none by default), as the real
    /// service takes its time: a bulk write that arrives meanwhile is answered 429.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// sandbox.blueconic().set_bulk_duration(std::time::Duration::from_millis(20));
    /// # Ok(()) }
    /// ```
    pub fn set_bulk_duration(&self, duration: std::time::Duration) {
        let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        self.bulk_millis.store(millis, Ordering::SeqCst);
    }

    /// How long a bulk write takes.
    pub(crate) fn bulk_duration(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.bulk_millis.load(Ordering::SeqCst))
    }

    /// Lowers (or restores) the number of entries a bulk write may hold: the first `limit` entries of
    /// a longer write are processed and answered with 413, as BlueConic does at 1000. At least 1.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// sandbox.blueconic().set_bulk_limit(10);
    /// # Ok(()) }
    /// ```
    pub fn set_bulk_limit(&self, limit: usize) {
        self.bulk_limit.store(limit.max(1), Ordering::SeqCst);
    }

    /// The number of entries a bulk write may hold.
    pub(crate) fn bulk_limit(&self) -> usize {
        self.bulk_limit.load(Ordering::SeqCst)
    }

    /// Marks a bulk write as under way; `None` when one already is (the caller answers 429).
    pub(crate) fn begin_bulk(&self) -> Option<BulkGuard<'_>> {
        (!self.bulk_busy.swap(true, Ordering::SeqCst)).then_some(BulkGuard(&self.bulk_busy))
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many profiles there are.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start_with(cdp_sandbox::Config::default().profiles(10)).await?;
    /// assert_eq!(sandbox.blueconic().profile_count(), 10);
    /// # Ok(()) }
    /// ```
    pub fn profile_count(&self) -> usize {
        self.store().profiles.len()
    }

    /// A profile as `GET /profiles/{id}` would return it with every property, its segments and its
    /// whole timeline; `None` when there is no such profile.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let state = sandbox.blueconic();
    /// let id = state.segment_members("allvisitors").unwrap_or_default().remove(0);
    /// let profile = state.profile(&id).expect("seeded");
    /// println!("{}", profile["properties"]);
    /// # Ok(()) }
    /// ```
    pub fn profile(&self, id: &str) -> Option<serde_json::Value> {
        let store = self.store();
        store
            .profiles
            .get(id)
            .map(|p| View::full().render(&store, p))
    }

    /// How many profiles a segment has; `None` for an unknown segment.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// assert_eq!(sandbox.blueconic().segment_size("allvisitors"), Some(2_000));
    /// assert_eq!(sandbox.blueconic().segment_size("nope"), None);
    /// # Ok(()) }
    /// ```
    pub fn segment_size(&self, segment_id: &str) -> Option<usize> {
        let store = self.store();
        store.segment(segment_id).map(|s| store.segment_size(s))
    }

    /// The ids of a segment's profiles, in the order its pages list them; `None` for an unknown segment.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// let vips = sandbox.blueconic().segment_members("high_value").unwrap_or_default();
    /// println!("{} high-value customers", vips.len());
    /// # Ok(()) }
    /// ```
    pub fn segment_members(&self, segment_id: &str) -> Option<Vec<String>> {
        let store = self.store();
        let segment = store.segment(segment_id)?;
        Some(
            store
                .members_after(segment, None)
                .map(|p| p.id.clone())
                .collect(),
        )
    }

    /// The ids of the segments there are, in the order `GET /segments` lists them.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// assert!(sandbox.blueconic().segment_ids().contains(&"allvisitors".to_owned()));
    /// # Ok(()) }
    /// ```
    pub fn segment_ids(&self) -> Vec<String> {
        self.store().segments.iter().map(|s| s.id.clone()).collect()
    }

    /// Makes every token issued so far expired, so that the next request with one gets 401 (to test a
    /// client's token refresh).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let sandbox = cdp_sandbox::Sandbox::start().await?;
    /// // ... a client gets a token and uses it ...
    /// sandbox.blueconic().expire_tokens();
    /// // ... its next request is answered 401; it should fetch a new token ...
    /// # Ok(()) }
    /// ```
    pub fn expire_tokens(&self) {
        self.tokens().expire_all();
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let protected = Router::new()
        .route("/profiles", get(profiles::search).put(bulk::write))
        .route("/profiles/{profileId}", get(profiles::get_one))
        .route("/segments", get(segments::list))
        .route("/segments/{segmentId}/profiles", get(segments::profiles))
        .route("/profileEvents/{profileId}", get(history::profile_events))
        .route("/timelineEventTypes", get(history::event_types_list))
        .route("/timelineEventTypes/{typeId}", get(history::event_type))
        .route_layer(from_fn_with_state(shared.clone(), tokens::require_bearer));
    Router::new()
        .route("/oauth/token", post(tokens::issue))
        .merge(protected)
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such resource") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
        .with_state(shared)
}

/// BlueConic's error body: `{code, message, errors}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        &json!({"code": status.as_u16(), "message": message, "errors": []}),
    )
}

/// A request refused with 400, naming the parameter at fault; it answers with [`field_error`].
#[derive(Debug)]
struct Refusal {
    field: String,
    message: String,
}

impl Refusal {
    fn bad_field(field: &str, message: String) -> Self {
        Self {
            field: field.to_owned(),
            message,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        field_error(StatusCode::BAD_REQUEST, &self.field, &self.message)
    }
}

/// BlueConic's error body naming the field at fault.
fn field_error(status: StatusCode, field: &str, message: &str) -> Response {
    json(
        status,
        &json!({
            "code": status.as_u16(),
            "message": message,
            "errors": [{"field": field, "message": message}],
        }),
    )
}
