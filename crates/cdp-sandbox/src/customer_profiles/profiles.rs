//! Profiles as the API shows them (the spec's `Profile` members only, PascalCase), and `BatchGetProfile`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::extract::{JsonBody, Route};
use super::{Answer, Failure, bad_request, ok};
use crate::server::Shared;

/// A postal address.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) address2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) address3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) address4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) county: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) province: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) postal_code: Option<String>,
}

/// A customer profile. Enumerated members (`PartyType`, `Gender`, `ProfileType`) hold their wire text.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Profile {
    pub(super) profile_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) additional_information: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) party_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) business_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) gender: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) mobile_phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) home_phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) business_phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) personal_email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) business_email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) shipping_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) mailing_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) billing_address: Option<Address>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) party_type_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) gender_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) profile_type: Option<&'static str>,
}

impl Profile {
    pub(super) fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Whether `id` has the form of a profile id: 32 lowercase hex characters.
pub(super) fn is_profile_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Checks a `ProfileIds` list: present, `min..=max` items, each a profile id.
pub(super) fn check_profile_ids(ids: Option<&[String]>, max: usize) -> Result<&[String], Failure> {
    let ids = ids.ok_or_else(|| {
        bad_request(
            "1 validation error detected: Value null at 'profileIds' failed to satisfy constraint: Member must not be null",
        )
    })?;
    if ids.is_empty() || ids.len() > max {
        return Err(bad_request(format!(
            "1 validation error detected: Value at 'profileIds' failed to satisfy constraint: Member must have length between 1 and {max}, got {}",
            ids.len()
        )));
    }
    if let Some(bad) = ids.iter().find(|id| !is_profile_id(id)) {
        return Err(bad_request(format!(
            "1 validation error detected: Value '{bad}' at 'profileIds' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-f0-9]{{32}}"
        )));
    }
    Ok(ids)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchGetProfileRequest {
    profile_ids: Option<Vec<String>>,
}

/// `POST /domains/{DomainName}/batch-get-profiles`: 1 to 20 ids; those not found are `Errors`.
pub(super) async fn batch_get_profile(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    JsonBody(request): JsonBody<BatchGetProfileRequest>,
) -> Answer {
    let ids = check_profile_ids(request.profile_ids.as_deref(), 20)?;
    let store = shared.customer_profiles.lock();
    let mut profiles = Vec::new();
    let mut errors = Vec::new();
    for id in dedup(ids) {
        match store.profiles.get(id) {
            Some(profile) => profiles.push(profile.to_json()),
            None => errors.push(json!({
                "Code": "ResourceNotFoundException",
                "Message": "Profile not found",
                "ProfileId": id,
            })),
        }
    }
    ok(&json!({"Profiles": profiles, "Errors": errors}))
}

/// The ids in the order given, each once.
pub(super) fn dedup(ids: &[String]) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    ids.iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect()
}
