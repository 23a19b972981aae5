//! Segment snapshots: taken when asked, so a get always finds them `COMPLETED`. Nothing is written to the
//! destination; the sandbox keeps how many profiles the snapshot holds.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{JsonBody, Route};
use super::{Answer, bad_request, not_found, ok};
use crate::server::Shared;

const DATA_FORMATS: [&str; 3] = ["CSV", "JSONL", "ORC"];

/// A finished snapshot of one segment.
#[derive(Clone, Debug)]
pub(super) struct Snapshot {
    segment: String,
    data_format: String,
    encryption_key: Option<String>,
    role_arn: Option<String>,
    destination_uri: Option<String>,
    profiles: usize,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateSegmentSnapshotRequest {
    data_format: Option<String>,
    encryption_key: Option<String>,
    role_arn: Option<String>,
    destination_uri: Option<String>,
}

/// The model's pattern for a role: `arn:aws:iam:.*:[0-9]+:.*`.
fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:iam:") else {
        return false;
    };
    // Some `:<digits>:` after the prefix.
    let parts: Vec<&str> = rest.split(':').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn check(request: &CreateSegmentSnapshotRequest) -> Result<String, String> {
    let format = match request.data_format.as_deref() {
        Some(f) if DATA_FORMATS.contains(&f) => f.to_owned(),
        Some(f) => {
            return Err(format!(
                "1 validation error detected: Value '{f}' at 'dataFormat' failed to satisfy constraint: Member must satisfy enum value set: [CSV, JSONL, ORC]"
            ));
        }
        None => {
            return Err(
                "1 validation error detected: Value null at 'dataFormat' failed to satisfy constraint: Member must not be null".into(),
            );
        }
    };
    if request
        .encryption_key
        .as_ref()
        .is_some_and(|k| k.chars().count() > 255)
    {
        return Err("EncryptionKey must be at most 255 characters".into());
    }
    if request
        .role_arn
        .as_ref()
        .is_some_and(|r| r.len() > 512 || !is_role_arn(r))
    {
        return Err("RoleArn must match arn:aws:iam:.*:[0-9]+:.*".into());
    }
    if request
        .destination_uri
        .as_ref()
        .is_some_and(|u| !(1..=255).contains(&u.chars().count()))
    {
        return Err("DestinationUri must be 1 to 255 characters".into());
    }
    Ok(format)
}

/// `POST …/segments/{SegmentDefinitionName}/snapshots`.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    route: Route,
    JsonBody(request): JsonBody<CreateSegmentSnapshotRequest>,
) -> Answer {
    let data_format = check(&request).map_err(bad_request)?;
    let segment = route.param("SegmentDefinitionName");
    let mut store = shared.customer_profiles.lock();
    store.definition(segment)?;
    let profiles = store.members_of(segment).len();
    let id = store.new_id();
    let snapshot = Snapshot {
        segment: segment.to_owned(),
        data_format,
        encryption_key: request.encryption_key,
        role_arn: request.role_arn,
        destination_uri: request.destination_uri,
        profiles,
    };
    store.snapshots.insert(id.clone(), snapshot);
    ok(&json!({"SnapshotId": id}))
}

/// `GET …/segments/{SegmentDefinitionName}/snapshots/{SnapshotId}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, route: Route) -> Answer {
    let segment = route.param("SegmentDefinitionName");
    let id = route.param("SnapshotId");
    let store = shared.customer_profiles.lock();
    store.definition(segment)?;
    let snapshot = store
        .snapshots
        .get(id)
        .filter(|s| s.segment == segment)
        .ok_or_else(|| not_found(format!("Snapshot {id} not found")))?;
    let mut body = json!({
        "SnapshotId": id,
        "Status": "COMPLETED",
        "StatusMessage": format!("{} profiles exported", snapshot.profiles),
        "DataFormat": snapshot.data_format,
    });
    let optional = [
        ("EncryptionKey", &snapshot.encryption_key),
        ("RoleArn", &snapshot.role_arn),
        ("DestinationUri", &snapshot.destination_uri),
    ];
    for (member, value) in optional {
        if let Some(value) = value {
            body[member] = Value::String(value.clone());
        }
    }
    ok(&body)
}
