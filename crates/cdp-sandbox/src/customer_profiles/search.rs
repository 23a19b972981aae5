//! `SearchProfiles`: profiles whose search key has one of the values, with up to four more keys combined
//! by `AND` or `OR`, paged by id.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{JsonBody, Paging, Route};
use super::pagination::Pages;
use super::profiles::Profile;
use super::query::is_name;
use super::{Answer, bad_request, ok};
use crate::server::Shared;

const SEARCH: Pages = Pages {
    list: "profiles-search",
    default_size: 20,
    max_size: 100,
};

#[derive(Debug, Deserialize, Hash)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SearchKey {
    key_name: Option<String>,
    values: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Hash)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SearchProfilesRequest {
    key_name: Option<String>,
    values: Option<Vec<String>>,
    additional_search_keys: Option<Vec<SearchKey>>,
    logical_operator: Option<String>,
}

/// A checked search key.
struct Key<'a> {
    name: &'a str,
    values: &'a [String],
}

fn key<'a>(name: Option<&'a String>, values: Option<&'a Vec<String>>) -> Result<Key<'a>, String> {
    let name = name.ok_or("KeyName is required")?;
    if !is_name(name) {
        return Err(format!(
            "KeyName `{name}` must be 1 to 64 characters of [a-zA-Z0-9_-]"
        ));
    }
    let values = values.ok_or("Values is required")?;
    if values
        .iter()
        .any(|v| !(1..=255).contains(&v.chars().count()))
    {
        return Err("each search value must be 1 to 255 characters".into());
    }
    Ok(Key { name, values })
}

/// The values a profile has under a search key.
fn values_of<'p>(profile: &'p Profile, key: &str) -> Vec<String> {
    let some = |fields: &[&'p Option<String>]| -> Vec<String> {
        fields.iter().filter_map(|f| f.as_ref().cloned()).collect()
    };
    match key {
        "_profileId" => vec![profile.profile_id.clone()],
        "_email" => some(&[
            &profile.email_address,
            &profile.personal_email_address,
            &profile.business_email_address,
        ]),
        "_phone" => some(&[
            &profile.phone_number,
            &profile.mobile_phone_number,
            &profile.home_phone_number,
            &profile.business_phone_number,
        ]),
        "_fullName" => match (&profile.first_name, &profile.last_name) {
            (Some(first), Some(last)) => vec![format!("{first} {last}")],
            _ => Vec::new(),
        },
        "_account" => some(&[&profile.account_number]),
        // Other predefined keys index profile objects, which the sandbox does not keep.
        other if other.starts_with('_') => Vec::new(),
        custom => profile
            .attributes
            .get(custom)
            .cloned()
            .into_iter()
            .collect(),
    }
}

/// The request's values that a profile has under a key.
fn found<'a>(profile: &Profile, key: &Key<'a>) -> Vec<&'a String> {
    let have = values_of(profile, key.name);
    key.values.iter().filter(|v| have.contains(v)).collect()
}

/// `POST /domains/{DomainName}/profiles/search`.
pub(super) async fn search_profiles(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    paging: Paging,
    JsonBody(request): JsonBody<SearchProfilesRequest>,
) -> Answer {
    let main = key(request.key_name.as_ref(), request.values.as_ref()).map_err(bad_request)?;
    let mut keys = vec![main];
    let additional = request.additional_search_keys.as_deref();
    if let Some(additional) = additional {
        if !(1..=4).contains(&additional.len()) {
            return Err(bad_request("AdditionalSearchKeys must have 1 to 4 items"));
        }
        for extra in additional {
            keys.push(key(extra.key_name.as_ref(), extra.values.as_ref()).map_err(bad_request)?);
        }
    }
    let any = match request.logical_operator.as_deref() {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(other) => {
            return Err(bad_request(format!(
                "LogicalOperator `{other}` is not one of AND, OR"
            )));
        }
    };
    let mut hasher = DefaultHasher::new();
    request.hash(&mut hasher);
    let page = SEARCH.page(&paging, hasher.finish())?;

    let store = shared.customer_profiles.lock();
    let mut hits: Vec<(&Profile, Vec<Vec<&String>>)> = Vec::new();
    for profile in store.profiles.values() {
        let per_key: Vec<Vec<&String>> = keys.iter().map(|k| found(profile, k)).collect();
        let matched = if any {
            per_key.iter().any(|f| !f.is_empty())
        } else {
            per_key.iter().all(|f| !f.is_empty())
        };
        if matched {
            hits.push((profile, per_key));
        }
    }
    let (items, next) = page.take(hits, |(p, _)| p.profile_id.as_str());
    let items: Vec<Value> = items
        .into_iter()
        .map(|(profile, per_key)| {
            let mut item = profile.to_json();
            if additional.is_some() {
                item["FoundByItems"] = found_by(&keys, &per_key, any);
            }
            item
        })
        .collect();
    let mut body = json!({"Items": items});
    if let Some(next) = next {
        body["NextToken"] = json!(next);
    }
    ok(&body)
}

/// With `AND` every key of the request, with its values; with `OR` the keys that found the profile, with
/// the values that did.
fn found_by(keys: &[Key<'_>], per_key: &[Vec<&String>], any: bool) -> Value {
    let items: Vec<Value> = keys
        .iter()
        .zip(per_key)
        .filter(|(_, found)| !any || !found.is_empty())
        .map(|(key, found)| {
            let values: Vec<&String> = if any {
                found.clone()
            } else {
                key.values.iter().collect()
            };
            json!({"KeyName": key.name, "Values": values})
        })
        .collect();
    Value::Array(items)
}
