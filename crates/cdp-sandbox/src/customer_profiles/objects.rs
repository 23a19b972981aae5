//! `PutProfileObject` and `ListProfileObjects`: objects (orders, cases, anything of a mapped type) attached
//! to profiles. The simplifications are in the module docs of `customer_profiles`.

use std::sync::Arc;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::extract::{JsonBody, Paging, Route};
use super::pagination::Pages;
use super::profiles::Profile;
use super::store::Store;
use super::{Answer, Failure, bad_request, not_found, ok};
use crate::server::Shared;

const OBJECTS: Pages = Pages {
    list: "objects",
    default_size: 20,
    max_size: 100,
};

/// The most characters of an object's JSON text (`stringifiedJson`).
const MAX_OBJECT: usize = 256_000;

/// One stored object.
#[derive(Clone, Debug)]
pub(super) struct ProfileObject {
    pub(super) profile_id: String,
    object_type_name: String,
    /// As sent (`ListProfileObjects` returns the text).
    text: String,
    /// Parsed, for filters and matching.
    members: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PutRequest {
    object_type_name: Option<String>,
    object: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, Hash)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Filter {
    key_name: String,
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListRequest {
    object_type_name: Option<String>,
    profile_id: Option<String>,
    object_filter: Option<Filter>,
}

fn required<'a>(value: Option<&'a String>, member: &str) -> Result<&'a str, Failure> {
    value.map(String::as_str).ok_or_else(|| {
        bad_request(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// Checks an object type name against the model's `typeName` (1 to 255, `^[a-zA-Z_][a-zA-Z_0-9-]*$`).
fn check_type_name(name: &str) -> Result<(), Failure> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if first_ok && rest_ok && name.len() <= 255 {
        Ok(())
    } else {
        Err(bad_request(format!(
            "1 validation error detected: Value '{name}' at 'objectTypeName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z_][a-zA-Z_0-9-]*$"
        )))
    }
}

/// A member of an object as text (strings as they are, numbers written out).
fn text_of(members: &Map<String, Value>, key: &str) -> Option<String> {
    match members.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The profile an object belongs to, creating one when nothing matches.
fn owner(store: &mut Store, members: &Map<String, Value>) -> String {
    let named = ["ProfileId", "_profileId"]
        .iter()
        .filter_map(|k| text_of(members, k))
        .find(|id| store.profiles.contains_key(id));
    if let Some(id) = named {
        return id;
    }
    let email = ["EmailAddress", "email"]
        .iter()
        .find_map(|k| text_of(members, k));
    if let Some(email) = &email {
        let found = store.profiles.values().find(|p| {
            [
                &p.email_address,
                &p.personal_email_address,
                &p.business_email_address,
            ]
            .iter()
            .any(|e| e.as_deref() == Some(email.as_str()))
        });
        if let Some(found) = found {
            return found.profile_id.clone();
        }
    }
    let id = store.new_id();
    let profile = Profile {
        profile_id: id.clone(),
        email_address: email,
        ..Profile::default()
    };
    store.profiles.insert(id.clone(), profile);
    id
}

/// `PUT /domains/{DomainName}/profiles/objects`.
pub(super) async fn put_profile_object(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    JsonBody(request): JsonBody<PutRequest>,
) -> Answer {
    let type_name = required(request.object_type_name.as_ref(), "objectTypeName")?;
    check_type_name(type_name)?;
    let text = required(request.object.as_ref(), "object")?;
    if text.is_empty() || text.chars().count() > MAX_OBJECT {
        return Err(bad_request(format!(
            "1 validation error detected: Value at 'object' failed to satisfy constraint: Member must have length less than or equal to {MAX_OBJECT} and greater than or equal to 1"
        )));
    }
    let Ok(Value::Object(members)) = serde_json::from_str::<Value>(text) else {
        return Err(bad_request("Object is not a JSON object"));
    };
    let mut store = shared.customer_profiles.lock();
    let profile_id = owner(&mut store, &members);
    let own_id = text_of(&members, "Id");
    let replaced = own_id.as_ref().and_then(|own| {
        store
            .objects
            .iter()
            .find(|(_, o)| {
                o.profile_id == profile_id
                    && o.object_type_name == type_name
                    && text_of(&o.members, "Id").as_ref() == Some(own)
            })
            .map(|(key, _)| key.clone())
    });
    let key = replaced.unwrap_or_else(|| store.new_id());
    store.objects.insert(
        key.clone(),
        ProfileObject {
            profile_id,
            object_type_name: type_name.to_owned(),
            text: text.to_owned(),
            members,
        },
    );
    ok(&json!({ "ProfileObjectUniqueKey": key }))
}

/// `POST /domains/{DomainName}/profiles/objects`: one page of a profile's objects of one type.
pub(super) async fn list_profile_objects(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    paging: Paging,
    JsonBody(request): JsonBody<ListRequest>,
) -> Answer {
    let type_name = required(request.object_type_name.as_ref(), "objectTypeName")?;
    check_type_name(type_name)?;
    let profile_id = required(request.profile_id.as_ref(), "profileId")?;
    let scope = {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        (type_name, profile_id, &request.object_filter).hash(&mut hasher);
        hasher.finish()
    };
    let page = OBJECTS.page(&paging, scope)?;
    let store = shared.customer_profiles.lock();
    if !store.profiles.contains_key(profile_id) {
        return Err(not_found(format!("Profile {profile_id} not found")));
    }
    let found: Vec<(&String, &ProfileObject)> = store
        .objects
        .iter()
        .filter(|(_, o)| o.profile_id == profile_id && o.object_type_name == type_name)
        .filter(|(_, o)| {
            request.object_filter.as_ref().is_none_or(|f| {
                text_of(&o.members, &f.key_name).is_some_and(|v| f.values.contains(&v))
            })
        })
        .collect();
    let (items, next) = page.take(found, |(key, _)| key.as_str());
    let items: Vec<Value> = items
        .into_iter()
        .map(|(key, o)| {
            json!({
                "ObjectTypeName": o.object_type_name,
                "ProfileObjectUniqueKey": key,
                "Object": o.text,
            })
        })
        .collect();
    let mut body = json!({ "Items": items });
    if let Some(next) = next {
        body["NextToken"] = json!(next);
    }
    ok(&body)
}
