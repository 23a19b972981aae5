//! `cdp::customer_profiles` profile search, `BatchGetProfile` and `profile(domain, id)`: request shapes
//! (insta) and end to end against the sandbox.

mod customer_profiles_common;

use std::collections::BTreeSet;

use cdp::customer_profiles::api::types::LogicalOperator;
use cdp::customer_profiles::{Gender, PartyType, Profile};
use cdp_sandbox::{Config, Sandbox};
use customer_profiles_common::{recorded, sandbox_client};
use futures::TryStreamExt as _;
use serde_json::json;

const A: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn search_request_shapes() {
    let (recorder, client) = recorded();
    recorder.reply(200, r#"{"Items":[],"NextToken":null}"#);
    client
        .search_profiles("shop", "_email", ["ada@example.com"])
        .additional_key("_phone", ["+441234567890"])
        .logical_operator(LogicalOperator::Or)
        .page_size(25)
        .starting_at("tok-1")
        .send()
        .await
        .unwrap();
    recorder.reply(200, r#"{"Profiles":[],"Errors":[]}"#);
    client.batch_get_profiles("shop", [A]).await.unwrap();
    recorder.reply(200, &json!({"Items": [{"ProfileId": A}]}).to_string());
    assert!(client.profile("shop", A).await.unwrap().is_some());
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn profiles_are_typed_as_the_service_returns_them() {
    let (recorder, client) = recorded();
    recorder.reply(
        200,
        &json!({"Items": [{
            "ProfileId": A,
            "FirstName": "Ada", "LastName": "Lovelace",
            "EmailAddress": "ada@example.com", "MobilePhoneNumber": "+441234567890",
            "Gender": "FEMALE", "PartyType": "INDIVIDUAL", "GenderString": "female",
            "Address": {"City": "London", "Country": "GB"},
            "ShippingAddress": {"City": "Paris"}, "MailingAddress": {"City": "Rome"},
            "BillingAddress": {"City": "Berlin"},
            "Attributes": {"tier": "gold"},
            "FoundByItems": [{"KeyName": "_email", "Values": ["ada@example.com"]}],
            "ProfileType": "SOMETHING_NEW"
        }]})
        .to_string(),
    );
    let p: Profile = client.profile("shop", A).await.unwrap().unwrap();
    assert_eq!(p.gender, Some(Gender::Female));
    assert_eq!(p.party_type, Some(PartyType::Individual));
    assert_eq!(p.gender_string.as_deref(), Some("female"));
    let cities: Vec<Option<String>> = [
        &p.address,
        &p.shipping_address,
        &p.mailing_address,
        &p.billing_address,
    ]
    .iter()
    .map(|a| a.as_ref().and_then(|a| a.city.clone()))
    .collect();
    assert_eq!(
        cities,
        [
            Some("London".into()),
            Some("Paris".into()),
            Some("Rome".into()),
            Some("Berlin".into())
        ]
    );
    assert_eq!(p.attributes.get("tier").map(String::as_str), Some("gold"));
    assert_eq!(p.found_by_items.len(), 1);
    // An enum value this version does not know still decodes.
    assert_eq!(
        p.profile_type.map(|t| t.as_str().to_owned()).as_deref(),
        Some("SOMETHING_NEW")
    );
}

#[tokio::test]
async fn search_batch_get_and_profile_end_to_end() {
    let sandbox = Sandbox::start_with(Config {
        aws_profiles: 120,
        ..Config::default()
    })
    .await
    .unwrap();
    let (client, domain) = sandbox_client(&sandbox);
    let state = sandbox.customer_profiles();
    let ids = state.profile_ids();
    // Every profile by id, through a stream of small pages.
    let found: Vec<Profile> = client
        .search_profiles(&domain, "_profileId", ids.iter().take(30).cloned())
        .page_size(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let found_ids: BTreeSet<String> = found.into_iter().filter_map(|p| p.profile_id).collect();
    let expected: BTreeSet<String> = ids.iter().take(30).cloned().collect();
    assert_eq!(found_ids, expected);
    // Two keys with OR: the union of both.
    let either: Vec<Profile> = client
        .search_profiles(&domain, "_profileId", [ids[0].clone()])
        .additional_key("_profileId", [ids[1].clone()])
        .logical_operator(LogicalOperator::Or)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(either.len(), 2);
    // 45 ids (one unknown, one repeated): split into calls of 20 and merged in input order.
    let unknown = "00000000000000000000000000000000".to_owned();
    let mut asked: Vec<String> = ids.iter().take(43).cloned().collect();
    asked.insert(5, unknown.clone());
    asked.push(ids[0].clone());
    let batch = client
        .batch_get_profiles(&domain, asked.clone())
        .await
        .unwrap();
    let got: Vec<String> = batch
        .profiles
        .iter()
        .filter_map(|p| p.profile_id.clone())
        .collect();
    assert_eq!(got, ids.iter().take(43).cloned().collect::<Vec<_>>());
    assert_eq!(batch.errors.len(), 1);
    assert_eq!(batch.errors[0].profile_id, unknown);
    // One profile by id, and one that does not exist.
    let one = client.profile(&domain, &ids[3]).await.unwrap().unwrap();
    assert_eq!(
        Some(json!(one.first_name)),
        state.profile(&ids[3]).map(|p| p["FirstName"].clone())
    );
    assert!(client.profile(&domain, &unknown).await.unwrap().is_none());
    // Ids are checked before anything is sent.
    let err = client
        .batch_get_profiles(&domain, ["nope"])
        .await
        .unwrap_err();
    assert!(matches!(err, cdp::Error::InvalidInput { .. }), "{err:?}");
}
