//! `PUT /profiles`: create, update or delete up to 1000 profiles, each found by id or by matching
//! unique properties, with per-property value strategies and timeline events. The whole batch is
//! applied under one lock, so no other request sees half of it.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::params::Params;
use super::properties::Properties;
use super::store::{ALL_VISITORS, Profile, Store};
use super::timeline::{EventChange, change_timeline};
use super::values::{Strategy, combine};
use super::{error, field_error};
use crate::http::{buffer_body, json};
use crate::server::Shared;

/// The most entries one request may hold, unless a test lowers it.
pub(super) const MAX_ENTRIES: usize = 1000;

/// The privacy legislations a bulk write may set: the official `BulkInputEntryV2` list.
const LEGISLATIONS: &[&str] = &[
    "NONE",
    "GDPR",
    "PIPEDA",
    "CCPA",
    "SB220",
    "NYPA",
    "PERU_DPL",
    "ARGENTINA_DPL",
    "SB1392",
    "SB190",
    "BRAZIL_LGPD",
    "ISRAEL_PPL",
    "JAPAN_APPI",
    "NEW_ZEALAND_PRIVACY_ACT",
    "SWITZERLAND_DPA",
    "UK_GDPR",
    "CHINA_PIPL",
    "AUSTRALIA_PRIVACY_ACT",
    "CDPA_CTCPDA",
    "UCPA",
    "MEXICO_LFPDPPP",
    "TDPSA",
    "MTCDPA",
    "FDBR",
    "OCPA",
    "DPDPA",
    "ICDPA",
    "NHPA",
    "NJDPA",
    "NEDPA",
    "HAITI_APD",
    "JAMAICA_DPA",
    "TRINIDAD_TOBAGO_DPA",
    "COSTA_RICA_L8968",
    "GUATEMALA_LAIP",
    "PANAMA_L81",
    "HONDURAS_LPDCP",
    "EL_SALVADOR",
    "COLOMBIA_L1581_D1377",
    "NICARAGUA_L787",
    "CHILE_L19_628",
    "BELIZE_DPA",
    "TENNESSEE_TIPA",
    "INDIANA_INCDPA",
    "KENTUCKY_KCDPA",
    "MINNESOTA_MCDPA",
    "MARYLAND_MODPA",
    "RHODE_ISLAND_RIDTPPA",
    "SOUTH_KOREA_PIPA",
];

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum EntryStrategy {
    Upsert,
    #[default]
    Update,
    Delete,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum PermissionLevel {
    DoNotTrack,
    Anonymous,
    #[default]
    Personal,
}

impl PermissionLevel {
    fn as_str(self) -> &'static str {
        match self {
            Self::DoNotTrack => "DO_NOT_TRACK",
            Self::Anonymous => "ANONYMOUS",
            Self::Personal => "PERSONAL",
        }
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Restriction {
    #[default]
    AllProfiles,
    ExistingProfilesOnly,
    NewProfilesOnly,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    strategy: Option<EntryStrategy>,
    profile_id: Option<String>,
    #[serde(default)]
    matching: Option<Vec<Vec<Criterion>>>,
    identifier: Option<String>,
    permission_level: Option<PermissionLevel>,
    privacy_legislation: Option<String>,
    restriction: Option<SegmentRestriction>,
    #[serde(default)]
    properties: Option<Vec<PropertyChange>>,
    #[serde(default)]
    timeline: Option<Vec<EventChange>>,
}

#[derive(Debug, Deserialize)]
struct Criterion {
    id: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SegmentRestriction {
    is_member_of_segment: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PropertyChange {
    id: String,
    values: Vec<String>,
    strategy: Option<Strategy>,
    restriction: Option<Restriction>,
}

/// `PUT /profiles`.
pub(super) async fn write(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let Some(_busy) = shared.blueconic.begin_bulk() else {
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "another bulk request is being processed",
        );
    };
    let bytes = match buffer_body(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is too large",
            );
        }
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not valid JSON: {e}"),
            );
        }
    };
    let Value::Array(mut items) = value else {
        return error(
            StatusCode::BAD_REQUEST,
            "the body must be an array of profile entries",
        );
    };
    // Past the limit, the first entries are processed and their results answered with 413.
    let limit = shared.blueconic.bulk_limit();
    let status = if items.len() > limit {
        items.truncate(limit);
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::OK
    };
    let mut entries = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match serde_json::from_value::<Entry>(item) {
            Ok(entry) => entries.push(entry),
            Err(e) => {
                return field_error(
                    StatusCode::BAD_REQUEST,
                    &format!("[{i}]"),
                    &format!("invalid entry {i}: {e}"),
                );
            }
        }
    }
    for (i, entry) in entries.iter().enumerate() {
        if let Some(legislation) = &entry.privacy_legislation
            && !LEGISLATIONS.contains(&legislation.as_str())
        {
            return field_error(
                StatusCode::BAD_REQUEST,
                &format!("[{i}].privacyLegislation"),
                &format!("unknown privacy legislation `{legislation}`"),
            );
        }
    }
    let params = Params::parse(query.as_deref());
    let objectives = params.list("objectiveIds");

    let results: Vec<Value> = {
        let mut store = shared.blueconic.store();
        entries
            .iter()
            .map(|entry| apply(&mut store, entry, &objectives))
            .collect()
    };
    let pause = shared.blueconic.bulk_duration();
    if !pause.is_zero() {
        tokio::time::sleep(pause).await;
    }
    json(status, &results)
}

/// What one entry did, as a `BulkResult`.
#[derive(Debug, Default)]
struct Outcome {
    state: &'static str,
    profile_id: Option<String>,
    validation_errors: BTreeMap<String, Vec<String>>,
    timeline: Vec<Value>,
}

fn apply(store: &mut Store, entry: &Entry, objectives: &[String]) -> Value {
    let outcome = outcome(store, entry, objectives);
    let mut out = Map::new();
    out.insert("state".into(), json!(outcome.state));
    if let Some(id) = outcome.profile_id {
        out.insert("profileId".into(), json!(id));
    }
    if let Some(identifier) = &entry.identifier {
        out.insert("identifier".into(), json!(identifier));
    }
    if !outcome.validation_errors.is_empty() {
        out.insert("validationErrors".into(), json!(outcome.validation_errors));
    }
    if !outcome.timeline.is_empty() {
        out.insert("timeline".into(), Value::Array(outcome.timeline));
    }
    Value::Object(out)
}

fn outcome(store: &mut Store, entry: &Entry, objectives: &[String]) -> Outcome {
    let strategy = entry.strategy.unwrap_or_default();
    let found = match &entry.profile_id {
        Some(id) => store.profiles.contains_key(id).then(|| id.clone()),
        None => {
            let groups: Vec<Vec<(String, String)>> = entry
                .matching
                .iter()
                .flatten()
                .map(|group| {
                    group
                        .iter()
                        .map(|c| (c.id.clone(), c.value.clone()))
                        .collect()
                })
                .collect();
            store.find_matching(&groups)
        }
    };
    let not_found = || Outcome {
        state: "NOTFOUND",
        profile_id: entry.profile_id.clone(),
        ..Outcome::default()
    };
    let segment = entry
        .restriction
        .as_ref()
        .and_then(|r| r.is_member_of_segment.as_deref());
    let mismatch = |profile_id: Option<String>| Outcome {
        state: "RESTRICTION_MISMATCH",
        profile_id,
        ..Outcome::default()
    };

    let Some(id) = found else {
        if strategy != EntryStrategy::Upsert {
            return not_found();
        }
        // A profile that does not exist yet is in no segment but `allvisitors`.
        if segment.is_some_and(|s| s != ALL_VISITORS) {
            return mismatch(None);
        }
        if !consents(entry, None, objectives) {
            return Outcome {
                state: "CONSENT_MISMATCH",
                ..Outcome::default()
            };
        }
        return create(store, entry);
    };
    if let Some(segment_id) = segment {
        let member = store
            .segment(segment_id)
            .is_some_and(|s| store.is_member(s, &id));
        if !member {
            return mismatch(Some(id));
        }
    }
    if strategy == EntryStrategy::Delete {
        store.remove(&id);
        return Outcome {
            state: "DELETED",
            profile_id: Some(id),
            ..Outcome::default()
        };
    }
    if !consents(entry, store.profiles.get(&id), objectives) {
        return Outcome {
            state: "CONSENT_MISMATCH",
            profile_id: Some(id),
            ..Outcome::default()
        };
    }
    let mut outcome = Outcome {
        state: "UNCHANGED",
        profile_id: Some(id.clone()),
        ..Outcome::default()
    };
    // `permissionLevel` and `privacyLegislation` apply "when creating a profile" only.
    let mut changed = change_properties(store, &id, entry, false, &mut outcome.validation_errors);
    let (timeline_changed, results) =
        change_timeline(store, &id, entry.timeline.as_deref().unwrap_or_default());
    changed |= timeline_changed;
    outcome.timeline = results;
    if changed {
        if let Some(profile) = store.profiles.get_mut(&id) {
            profile.last_modified_date = Utc::now();
        }
        outcome.state = "MODIFIED";
    }
    outcome
}

/// Whether the profile may be written under `objectiveIds`: consent is needed unless its legislation
/// is `NONE`, and then one of the objectives must be consented (on the profile or in this entry).
fn consents(entry: &Entry, profile: Option<&Profile>, objectives: &[String]) -> bool {
    if objectives.is_empty() {
        return true;
    }
    let entry_values = |id: &str| -> Vec<String> {
        entry
            .properties
            .iter()
            .flatten()
            .filter(|c| c.id == id)
            .flat_map(|c| c.values.iter().cloned())
            .collect()
    };
    let legislation = entry_values("privacy_legislation")
        .into_iter()
        .next()
        .or_else(|| match profile {
            Some(profile) => Some(profile.privacy_legislation.clone()),
            None => entry.privacy_legislation.clone(),
        })
        .unwrap_or_else(|| "NONE".to_owned());
    if legislation == "NONE" {
        return true;
    }
    let mut consented = entry_values("consented_objectives");
    if let Some(profile) = profile {
        consented.extend(profile.consented_objectives.iter().cloned());
    }
    objectives.iter().any(|o| consented.contains(o))
}

fn create(store: &mut Store, entry: &Entry) -> Outcome {
    let id = store.new_id();
    let now = Utc::now();
    let mut profile = Profile {
        id: id.clone(),
        creation_date: now,
        last_modified_date: now,
        privacy_legislation: entry
            .privacy_legislation
            .clone()
            .unwrap_or_else(|| "NONE".to_owned()),
        permission_level: entry
            .permission_level
            .unwrap_or_default()
            .as_str()
            .to_owned(),
        consented_objectives: Vec::new(),
        refused_objectives: Vec::new(),
        properties: Properties::default(),
        events: Vec::new(),
        history: Vec::new(),
    };
    // The first matching group becomes the new profile's identity, so the same entry finds it next time.
    if let Some(group) = entry.matching.iter().flatten().next() {
        for criterion in group {
            profile
                .properties
                .insert_if_absent(&criterion.id, vec![criterion.value.clone()]);
        }
    }
    store.insert(profile);
    let mut outcome = Outcome {
        state: "CREATED",
        profile_id: Some(id.clone()),
        ..Outcome::default()
    };
    change_properties(store, &id, entry, true, &mut outcome.validation_errors);
    outcome.timeline = change_timeline(store, &id, entry.timeline.as_deref().unwrap_or_default()).1;
    outcome
}

/// Applies the property changes that concern a new (or an existing) profile; says whether any
/// value changed.
fn change_properties(
    store: &mut Store,
    id: &str,
    entry: &Entry,
    new: bool,
    errors: &mut BTreeMap<String, Vec<String>>,
) -> bool {
    let mut changed = false;
    for change in entry.properties.iter().flatten() {
        let applies = match change.restriction.unwrap_or_default() {
            Restriction::AllProfiles => true,
            Restriction::ExistingProfilesOnly => !new,
            Restriction::NewProfilesOnly => new,
        };
        if !applies {
            continue;
        }
        let Some(profile) = store.profiles.get(id) else {
            return changed;
        };
        let current = special(profile, &change.id)
            .cloned()
            .unwrap_or_else(|| profile.values(&change.id).to_vec());
        let strategy = change.strategy.unwrap_or_default();
        let next = match combine(&current, &change.values, strategy) {
            Ok(next) => next,
            Err(problem) => {
                errors.entry(change.id.clone()).or_default().push(problem);
                continue;
            }
        };
        changed |= assign(store, id, &change.id, next, errors);
    }
    changed
}

/// The profile fields that bulk writes address as properties.
fn special<'a>(profile: &'a Profile, property: &str) -> Option<&'a Vec<String>> {
    match property {
        "consented_objectives" => Some(&profile.consented_objectives),
        "refused_objectives" => Some(&profile.refused_objectives),
        _ => None,
    }
}

fn assign(
    store: &mut Store,
    id: &str,
    property: &str,
    values: Vec<String>,
    errors: &mut BTreeMap<String, Vec<String>>,
) -> bool {
    if !matches!(
        property,
        "consented_objectives" | "refused_objectives" | "privacy_legislation"
    ) {
        return store.set_values(id, property, values);
    }
    let Some(profile) = store.profiles.get_mut(id) else {
        return false;
    };
    let before = ConsentState::of(profile);
    let changed = assign_consent(profile, property, values, errors);
    if changed {
        before.record_change(profile);
    }
    changed
}

/// The consent fields of a profile, to tell what a change did.
struct ConsentState {
    consented: Vec<String>,
    refused: Vec<String>,
    legislation: String,
}

impl ConsentState {
    fn of(profile: &Profile) -> Self {
        Self {
            consented: profile.consented_objectives.clone(),
            refused: profile.refused_objectives.clone(),
            legislation: profile.privacy_legislation.clone(),
        }
    }

    /// Adds a `ConsentChanged` event from this state to the profile's current one to its history.
    fn record_change(self, profile: &mut Profile) {
        let property = |id: &str, values: &[String]| json!({"id": id, "values": values});
        let event = json!({
            "date": super::dates::format(Utc::now()),
            "type": "ConsentChanged",
            "properties": [
                property("FromConsented", &self.consented),
                property("ToConsented", &profile.consented_objectives),
                property("FromRefused", &self.refused),
                property("ToRefused", &profile.refused_objectives),
                property("FromLegislation", std::slice::from_ref(&self.legislation)),
                property("ToLegislation", std::slice::from_ref(&profile.privacy_legislation)),
                property("Source", &["REST".to_owned()]),
            ],
        });
        profile.history.insert(0, event);
    }
}

/// Writes one of the consent fields of a profile; says whether it changed.
fn assign_consent(
    profile: &mut Profile,
    property: &str,
    values: Vec<String>,
    errors: &mut BTreeMap<String, Vec<String>>,
) -> bool {
    let field = match property {
        "consented_objectives" => &mut profile.consented_objectives,
        "refused_objectives" => &mut profile.refused_objectives,
        "privacy_legislation" => {
            let Some(legislation) = values.first() else {
                return false;
            };
            if !LEGISLATIONS.contains(&legislation.as_str()) {
                errors
                    .entry(property.to_owned())
                    .or_default()
                    .push(format!("unknown privacy legislation `{legislation}`"));
                return false;
            }
            let changed = profile.privacy_legislation != *legislation;
            profile.privacy_legislation = legislation.clone();
            return changed;
        }
        _ => return false,
    };
    let changed = *field != values;
    *field = values;
    changed
}
