//! `GetSegmentMembership`: whether each of 1 to 100 profiles is in a segment, evaluated now.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::definitions::now;
use super::extract::{JsonBody, Route};
use super::profiles::{check_profile_ids, dedup};
use super::{Answer, ok};
use crate::server::Shared;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetSegmentMembershipRequest {
    profile_ids: Option<Vec<String>>,
}

/// `POST …/segments/{SegmentDefinitionName}/membership`.
pub(super) async fn get_segment_membership(
    State(shared): State<Arc<Shared>>,
    route: Route,
    JsonBody(request): JsonBody<GetSegmentMembershipRequest>,
) -> Answer {
    let name = route.param("SegmentDefinitionName");
    // Input is validated before anything is looked up, as AWS does.
    let ids = check_profile_ids(request.profile_ids.as_deref(), 100)?;
    let store = shared.customer_profiles.lock();
    store.definition(name)?;
    let mut profiles = Vec::new();
    let mut failures = Vec::new();
    for id in dedup(ids) {
        match store.profiles.get(id) {
            Some(profile) => {
                let result = if store.is_member(name, profile) {
                    "PRESENT"
                } else {
                    "ABSENT"
                };
                profiles.push(json!({"ProfileId": id, "QueryResult": result}));
            }
            None => failures.push(json!({
                "ProfileId": id,
                "Message": "Profile not found",
                "Status": 404,
            })),
        }
    }
    ok(&json!({
        "SegmentDefinitionName": name,
        "Profiles": profiles,
        "Failures": failures,
        "LastComputedAt": now(),
    }))
}
