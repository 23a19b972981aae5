//! `CreateProfile`, `UpdateProfile` and `DeleteProfile`: profile writes with the model's length limits and
//! enum values (`sensitiveString1To255` on creation, `0To255` on update, where an empty string clears).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::extract::{JsonBody, Route};
use super::profiles::{Address, Profile, is_profile_id};
use super::{Answer, Failure, bad_request, not_found, ok};
use crate::server::Shared;

const PARTY_TYPES: &[&str] = &["INDIVIDUAL", "BUSINESS", "OTHER"];
const GENDERS: &[&str] = &["MALE", "FEMALE", "UNSPECIFIED"];
const PROFILE_TYPES: &[&str] = &["ACCOUNT_PROFILE", "PROFILE"];

/// An address as a request gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AddressFields {
    address1: Option<String>,
    address2: Option<String>,
    address3: Option<String>,
    address4: Option<String>,
    city: Option<String>,
    county: Option<String>,
    state: Option<String>,
    province: Option<String>,
    country: Option<String>,
    postal_code: Option<String>,
}

/// The members of `CreateProfileRequest` and `UpdateProfileRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProfileFields {
    profile_id: Option<String>,
    account_number: Option<String>,
    additional_information: Option<String>,
    party_type: Option<String>,
    business_name: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    birth_date: Option<String>,
    gender: Option<String>,
    phone_number: Option<String>,
    mobile_phone_number: Option<String>,
    home_phone_number: Option<String>,
    business_phone_number: Option<String>,
    email_address: Option<String>,
    personal_email_address: Option<String>,
    business_email_address: Option<String>,
    address: Option<AddressFields>,
    shipping_address: Option<AddressFields>,
    mailing_address: Option<AddressFields>,
    billing_address: Option<AddressFields>,
    attributes: Option<BTreeMap<String, String>>,
    party_type_string: Option<String>,
    gender_string: Option<String>,
    profile_type: Option<String>,
}

/// How a write treats an empty string: refused on creation, a removal on update.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Create,
    Update,
}

/// The AWS validation message of a member whose length is out of range.
fn length_error(member: &str, value: &str, max: usize) -> Failure {
    bad_request(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max} and greater than or equal to 1, got {} characters",
        value.chars().count()
    ))
}

/// Writes a text member: `None` leaves it, an empty string clears it on update.
fn set_text(
    slot: &mut Option<String>,
    value: Option<&String>,
    member: &str,
    max: usize,
    mode: Mode,
) -> Result<(), Failure> {
    let Some(value) = value else {
        return Ok(());
    };
    let length = value.chars().count();
    if length > max || (length == 0 && mode == Mode::Create) {
        return Err(length_error(member, value, max));
    }
    *slot = (!value.is_empty()).then(|| value.clone());
    Ok(())
}

/// Writes an enumerated member, keeping the model's wire text.
fn set_enum(
    slot: &mut Option<&'static str>,
    value: Option<&String>,
    member: &str,
    allowed: &'static [&'static str],
) -> Result<(), Failure> {
    let Some(value) = value else {
        return Ok(());
    };
    let known = allowed.iter().find(|a| **a == value.as_str()).ok_or_else(|| {
        bad_request(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ))
    })?;
    *slot = Some(known);
    Ok(())
}

fn set_address(
    slot: &mut Option<Address>,
    fields: Option<&AddressFields>,
    member: &str,
    mode: Mode,
) -> Result<(), Failure> {
    let Some(fields) = fields else {
        return Ok(());
    };
    let mut address = slot.clone().unwrap_or_default();
    let parts = [
        ("Address1", &fields.address1, &mut address.address1),
        ("Address2", &fields.address2, &mut address.address2),
        ("Address3", &fields.address3, &mut address.address3),
        ("Address4", &fields.address4, &mut address.address4),
        ("City", &fields.city, &mut address.city),
        ("County", &fields.county, &mut address.county),
        ("State", &fields.state, &mut address.state),
        ("Province", &fields.province, &mut address.province),
        ("Country", &fields.country, &mut address.country),
        ("PostalCode", &fields.postal_code, &mut address.postal_code),
    ];
    for (name, value, part) in parts {
        set_text(part, value.as_ref(), &format!("{member}.{name}"), 255, mode)?;
    }
    let empty = [
        &address.address1,
        &address.address2,
        &address.address3,
        &address.address4,
        &address.city,
        &address.county,
        &address.state,
        &address.province,
        &address.country,
        &address.postal_code,
    ]
    .iter()
    .all(|p| p.is_none());
    *slot = (!empty).then_some(address);
    Ok(())
}

/// Applies the given members to `profile`; on an error the caller drops the partly changed copy.
fn apply(profile: &mut Profile, fields: &ProfileFields, mode: Mode) -> Result<(), Failure> {
    let info_max = 1000;
    set_text(
        &mut profile.additional_information,
        fields.additional_information.as_ref(),
        "additionalInformation",
        info_max,
        mode,
    )?;
    let texts = [
        (
            "accountNumber",
            &fields.account_number,
            &mut profile.account_number,
        ),
        (
            "businessName",
            &fields.business_name,
            &mut profile.business_name,
        ),
        ("firstName", &fields.first_name, &mut profile.first_name),
        ("middleName", &fields.middle_name, &mut profile.middle_name),
        ("lastName", &fields.last_name, &mut profile.last_name),
        ("birthDate", &fields.birth_date, &mut profile.birth_date),
        (
            "phoneNumber",
            &fields.phone_number,
            &mut profile.phone_number,
        ),
        (
            "mobilePhoneNumber",
            &fields.mobile_phone_number,
            &mut profile.mobile_phone_number,
        ),
        (
            "homePhoneNumber",
            &fields.home_phone_number,
            &mut profile.home_phone_number,
        ),
        (
            "businessPhoneNumber",
            &fields.business_phone_number,
            &mut profile.business_phone_number,
        ),
        (
            "emailAddress",
            &fields.email_address,
            &mut profile.email_address,
        ),
        (
            "personalEmailAddress",
            &fields.personal_email_address,
            &mut profile.personal_email_address,
        ),
        (
            "businessEmailAddress",
            &fields.business_email_address,
            &mut profile.business_email_address,
        ),
        (
            "partyTypeString",
            &fields.party_type_string,
            &mut profile.party_type_string,
        ),
        (
            "genderString",
            &fields.gender_string,
            &mut profile.gender_string,
        ),
    ];
    for (member, value, slot) in texts {
        set_text(slot, value.as_ref(), member, 255, mode)?;
    }
    set_enum(
        &mut profile.party_type,
        fields.party_type.as_ref(),
        "partyType",
        PARTY_TYPES,
    )?;
    set_enum(
        &mut profile.gender,
        fields.gender.as_ref(),
        "gender",
        GENDERS,
    )?;
    set_enum(
        &mut profile.profile_type,
        fields.profile_type.as_ref(),
        "profileType",
        PROFILE_TYPES,
    )?;
    let addresses = [
        ("address", &fields.address, &mut profile.address),
        (
            "shippingAddress",
            &fields.shipping_address,
            &mut profile.shipping_address,
        ),
        (
            "mailingAddress",
            &fields.mailing_address,
            &mut profile.mailing_address,
        ),
        (
            "billingAddress",
            &fields.billing_address,
            &mut profile.billing_address,
        ),
    ];
    for (member, value, slot) in addresses {
        set_address(slot, value.as_ref(), member, mode)?;
    }
    for (key, value) in fields.attributes.iter().flatten() {
        if key.is_empty() || key.chars().count() > 255 {
            return Err(length_error("attributes", key, 255));
        }
        let mut slot = profile.attributes.get(key).cloned();
        set_text(
            &mut slot,
            Some(value),
            &format!("attributes.{key}"),
            255,
            mode,
        )?;
        match slot {
            Some(value) => profile.attributes.insert(key.clone(), value),
            None => profile.attributes.remove(key),
        };
    }
    Ok(())
}

/// `POST /domains/{DomainName}/profiles`.
pub(super) async fn create_profile(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    JsonBody(fields): JsonBody<ProfileFields>,
) -> Answer {
    let mut store = shared.customer_profiles.lock();
    let mut profile = Profile {
        profile_id: store.new_id(),
        ..Profile::default()
    };
    apply(&mut profile, &fields, Mode::Create)?;
    let id = profile.profile_id.clone();
    store.profiles.insert(id.clone(), profile);
    ok(&json!({ "ProfileId": id }))
}

/// The profile a request names: a well-formed id of a stored profile.
fn named(fields: &ProfileFields) -> Result<&str, Failure> {
    let id = fields.profile_id.as_deref().ok_or_else(|| {
        bad_request(
            "1 validation error detected: Value null at 'profileId' failed to satisfy constraint: Member must not be null",
        )
    })?;
    if !is_profile_id(id) {
        return Err(bad_request(format!(
            "1 validation error detected: Value '{id}' at 'profileId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-f0-9]{{32}}"
        )));
    }
    Ok(id)
}

/// `PUT /domains/{DomainName}/profiles`: the given members change, the others stay.
pub(super) async fn update_profile(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    JsonBody(fields): JsonBody<ProfileFields>,
) -> Answer {
    let id = named(&fields)?;
    let mut store = shared.customer_profiles.lock();
    let mut profile = store
        .profiles
        .get(id)
        .cloned()
        .ok_or_else(|| not_found(format!("Profile {id} not found")))?;
    apply(&mut profile, &fields, Mode::Update)?;
    store.profiles.insert(id.to_owned(), profile);
    ok(&json!({ "ProfileId": id }))
}

/// `POST /domains/{DomainName}/profiles/delete`: the profile and its objects.
pub(super) async fn delete_profile(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    JsonBody(fields): JsonBody<ProfileFields>,
) -> Answer {
    let id = named(&fields)?;
    let mut store = shared.customer_profiles.lock();
    if store.profiles.remove(id).is_none() {
        return Err(not_found(format!("Profile {id} not found")));
    }
    store.objects.retain(|_, object| object.profile_id != id);
    ok(&json!({ "Message": "Profile deleted" }))
}
