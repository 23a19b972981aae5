//! The JSON answers of the decision routes, built from assignments.

use serde_json::{Map, Value, json};

use super::configuration::AccountSettings;
use super::decision::Assignment;
use super::decision_request::{Mode, Options};

/// `POST /v2/{envId}/campaigns` in panic mode.
pub(crate) fn panic(visitor_id: &str) -> Value {
    json!({"visitorId": visitor_id, "campaigns": [], "panic": true})
}

/// `POST /v2/{envId}/campaigns`, shaped by `mode`, `exposeAllKeys` and `extras[]`.
pub(crate) fn campaigns(
    visitor_id: &str,
    assignments: &[Assignment<'_>],
    options: Options,
    account_settings: Option<&AccountSettings>,
) -> Value {
    let mut answer = Map::new();
    if options.mode != Mode::Simple {
        answer.insert("visitorId".into(), visitor_id.into());
        let campaigns = assignments
            .iter()
            .map(|a| campaign(a, options.expose_all_keys))
            .collect();
        answer.insert("campaigns".into(), Value::Array(campaigns));
    }
    if options.mode != Mode::Normal {
        let refs = assignments
            .iter()
            .map(|a| json!({"campaignId": a.campaign.id, "variationId": a.variation.id}))
            .collect();
        answer.insert("campaignsVariation".into(), Value::Array(refs));
        let mut merged = Map::new();
        for a in assignments {
            for (key, value) in values(a, options.expose_all_keys) {
                // The first campaign that sets a key wins, as the SDKs read flags in campaign order.
                merged.entry(key).or_insert(value);
            }
        }
        answer.insert("mergedModifications".into(), Value::Object(merged));
    }
    // An empty `extras` is left out, as the service strips it.
    if options.account_settings {
        let settings = account_settings.cloned().unwrap_or_default();
        answer.insert("extras".into(), json!({"accountSettings": settings}));
    }
    Value::Object(answer)
}

/// One campaign with the visitor's variation (`CampaignDecision`).
pub(crate) fn campaign(a: &Assignment<'_>, expose_all_keys: bool) -> Value {
    let mut modifications = Map::new();
    if let Some(kind) = &a.variation.modifications.kind {
        modifications.insert("type".into(), kind.as_str().into());
    }
    modifications.insert("value".into(), Value::Object(values(a, expose_all_keys)));
    let mut campaign = json!({
        "id": a.campaign.id,
        "name": a.campaign.name.as_deref().unwrap_or_default(),
        "slug": a.campaign.slug,
        "variationGroupId": a.group.id,
        "variationGroupName": a.group.name.as_deref().unwrap_or_default(),
        "variation": {
            "id": a.variation.id,
            "name": a.variation.name.as_deref().unwrap_or_default(),
            "reference": a.variation.reference,
            "modifications": modifications,
        },
    });
    // The type is an enum in the answer: left out rather than null when a loaded file has none.
    if let (Some(kind), Value::Object(object)) = (&a.campaign.kind, &mut campaign) {
        object.insert("type".into(), kind.as_str().into());
    }
    campaign
}

/// The flag values of the chosen variation. With `exposeAllKeys` every key any variation of the group
/// sets is there (`null` when this one does not set it); without it `null` values are left out
/// (`flagship-common` `buildCampaignResponse`).
fn values(a: &Assignment<'_>, expose_all_keys: bool) -> Map<String, Value> {
    let own = &a.variation.modifications.value;
    if !expose_all_keys {
        return own
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    let mut all = own.clone();
    for other in &a.group.variations {
        for key in other.modifications.value.keys() {
            all.entry(key.clone()).or_insert(Value::Null);
        }
    }
    all
}

/// `POST /v2/{envId}/flags`: every key the chosen variations set, with where it comes from; the first
/// campaign that sets a key wins.
pub(crate) fn flags(assignments: &[Assignment<'_>]) -> Value {
    let mut flags = Map::new();
    for a in assignments {
        for (key, value) in &a.variation.modifications.value {
            if flags.contains_key(key) {
                continue;
            }
            let metadata = json!({
                "campaignId": a.campaign.id,
                "campaignName": a.campaign.name.as_deref().unwrap_or_default(),
                "variationGroupId": a.group.id,
                "variationGroupName": a.group.name.as_deref().unwrap_or_default(),
                "variationId": a.variation.id,
                "variationName": a.variation.name.as_deref().unwrap_or_default(),
                "slug": a.campaign.slug,
                "type": a.campaign.kind.as_deref().unwrap_or_default(),
                "reference": a.variation.reference,
            });
            flags.insert(key.clone(), json!({"value": value, "metadata": metadata}));
        }
    }
    Value::Object(flags)
}
