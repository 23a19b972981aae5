//! Segment estimates: counted when created, so a get always finds them `SUCCEEDED`.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::definitions::{Query, check_sources, query_of};
use super::extract::{JsonBody, Route};
use super::query::SegmentGroup;
use super::{Answer, bad_request, not_found, ok};
use crate::server::Shared;

/// A finished estimate.
#[derive(Clone, Debug)]
pub(super) struct Estimate {
    pub(super) profiles: usize,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateSegmentEstimateRequest {
    segment_query: Option<SegmentGroup>,
    segment_sql_query: Option<String>,
}

/// `POST /domains/{DomainName}/segment-estimates`: exactly one of `SegmentQuery` and `SegmentSqlQuery`.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    route: Route,
    JsonBody(request): JsonBody<CreateSegmentEstimateRequest>,
) -> Answer {
    let query = query_of(
        request.segment_query,
        request.segment_sql_query,
        "SegmentQuery",
    )
    .map_err(bad_request)?;
    let mut store = shared.customer_profiles.lock();
    let profiles = match &query {
        Query::Groups(groups) => {
            check_sources(&store, groups).map_err(bad_request)?;
            store.count_matching(groups)
        }
        // SQL is not run: it matches no profile.
        Query::Sql(_) => 0,
    };
    let id = store.new_id();
    store.estimates.insert(id.clone(), Estimate { profiles });
    ok(&json!({"DomainName": route.domain(), "EstimateId": id}))
}

/// `GET /domains/{DomainName}/segment-estimates/{EstimateId}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, route: Route) -> Answer {
    let id = route.param("EstimateId");
    let store = shared.customer_profiles.lock();
    let estimate = store
        .estimates
        .get(id)
        .ok_or_else(|| not_found(format!("Estimate {id} not found")))?;
    ok(&json!({
        "DomainName": route.domain(),
        "EstimateId": id,
        "Status": "SUCCEEDED",
        "Estimate": format!("{} profiles", estimate.profiles),
    }))
}
