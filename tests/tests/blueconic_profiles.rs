//! `cdp::blueconic` end to end against the sandbox: the client and its token, one profile, the
//! profiles of a segment as a stream, filters, and profile changes written back.

use std::collections::BTreeSet;

use cdp::blueconic::{
    Client, Filter, ObjectiveId, PermissionLevel, PrivacyLegislation, Profile, ProfileChange,
    ProfileEdits as _, ProfileExpand, SegmentProfilesExpand, TimelineFilter,
};
use cdp_sandbox::{Config, Sandbox};
use futures::{StreamExt as _, TryStreamExt as _};

async fn sandbox(profiles: usize) -> Sandbox {
    Sandbox::start_with(Config::default().profiles(profiles))
        .await
        .unwrap()
}

fn client(sandbox: &Sandbox) -> Client {
    let credentials = sandbox.credentials();
    Client::builder(
        "tenant.blueconic.net",
        &credentials.blueconic_client_id,
        &credentials.blueconic_client_secret,
    )
    .base_url(&sandbox.urls().blueconic)
    .build()
    .unwrap()
}

/// The ids of the sandbox's profiles, in its order.
fn ids(sandbox: &Sandbox, segment: &str) -> Vec<String> {
    sandbox.blueconic().segment_members(segment).unwrap()
}

#[tokio::test]
async fn one_profile_with_properties_and_expansions() {
    let sandbox = sandbox(50).await;
    let bc = client(&sandbox);
    let id = ids(&sandbox, "allvisitors")[0].clone();
    let profile = bc
        .profile(&id)
        .properties(["country", "visits"])
        .expand([ProfileExpand::Segments])
        .timeline(TimelineFilter::new().count(5))
        .send()
        .await
        .unwrap();
    assert_eq!(profile.id(), id);
    let held: BTreeSet<&str> = profile.property_ids().collect();
    assert!(held.contains("country"), "{held:?}");
    assert!(
        held.is_subset(&BTreeSet::from(["country", "visits"])),
        "{held:?}"
    );
    assert!(
        profile.value("email").is_none(),
        "not asked for: None, no panic"
    );
    assert!(
        profile
            .segments()
            .iter()
            .any(|s| s.id.as_deref() == Some("allvisitors")),
        "{:?}",
        profile.segments()
    );
    let stored = sandbox.blueconic().profile(&id).unwrap();
    assert_eq!(
        profile.value("country"),
        stored["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "country")
            .and_then(|p| p["values"][0].as_str())
    );
}

#[tokio::test]
async fn a_missing_profile_is_not_found_and_a_bad_id_is_refused_before_sending() {
    let sandbox = sandbox(5).await;
    let bc = client(&sandbox);
    let err = bc.profile("no-such-profile").send().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = bc.profile("..").send().await.unwrap_err();
    assert!(matches!(err, cdp::Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error_without_the_secret() {
    let sandbox = sandbox(5).await;
    let bc = Client::new("tenant.blueconic.net", "sandbox-client", "wr0ng-secret")
        .base_url(&sandbox.urls().blueconic);
    let err = bc.profile("p").send().await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("wr0ng-secret"), "{text}");
    assert!(
        err.status().is_some() || matches!(err, cdp::Error::Auth { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn every_profile_of_a_segment_once_in_pages_of_page_size() {
    let sandbox = sandbox(2_345).await;
    let bc = client(&sandbox);
    let streamed: Vec<String> = bc
        .segment_profiles("allvisitors")
        .page_size(500)
        .properties(["country"])
        .stream()
        .map_ok(|p| p.id().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, ids(&sandbox, "allvisitors"));
    let pages = sandbox
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.path.ends_with("/segments/allvisitors/profiles"))
        .count();
    assert_eq!(pages, 5, "2,345 profiles in pages of 500");
}

#[tokio::test]
async fn limit_stops_after_that_many_and_asks_no_more_than_needed() {
    let sandbox = sandbox(300).await;
    let bc = client(&sandbox);
    let first: Vec<Profile> = bc
        .segment_profiles("allvisitors")
        .limit(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 7);
    let got: Vec<&str> = first.iter().map(Profile::id).collect();
    let all = ids(&sandbox, "allvisitors");
    let expected: Vec<&str> = all.iter().take(7).map(String::as_str).collect();
    assert_eq!(got, expected);
    let asked = sandbox
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.path.ends_with("/segments/allvisitors/profiles"))
        .map(|e| e.query.unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].contains("count=7"), "{asked:?}");
}

#[tokio::test]
async fn filters_and_required_properties_select_on_the_service() {
    let sandbox = sandbox(400).await;
    let bc = client(&sandbox);
    let with_email: Vec<Profile> = bc
        .segment_profiles("allvisitors")
        .required_properties(["email"])
        .filter(Filter::contains_any("country", ["NL", "BE"]))
        .expand([SegmentProfilesExpand::Segments])
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!with_email.is_empty());
    for p in &with_email {
        let stored = sandbox.blueconic().profile(p.id()).unwrap();
        let props = stored["properties"].as_array().unwrap();
        let value = |id: &str| {
            props
                .iter()
                .find(|q| q["id"] == id)
                .and_then(|q| q["values"][0].as_str())
                .map(str::to_owned)
        };
        assert!(value("email").is_some(), "{stored}");
        assert!(
            matches!(value("country").as_deref(), Some("NL" | "BE")),
            "{stored}"
        );
    }
    // Every profile that matches came.
    let everyone: Vec<Profile> = bc
        .segment_profiles("allvisitors")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let expected = everyone
        .iter()
        .filter(|p| p.value("email").is_some() && matches!(p.value("country"), Some("NL" | "BE")))
        .count();
    assert_eq!(with_email.len(), expected);
}

#[tokio::test]
async fn an_unknown_segment_is_not_found() {
    let sandbox = sandbox(5).await;
    let bc = client(&sandbox);
    let first = bc.segment_profiles("no-such-segment").stream().next().await;
    let err = first.unwrap().unwrap_err();
    assert!(
        err.is_not_found()
            || err.status() == Some(404)
            || matches!(&err, cdp::Error::StreamStopped { source, .. } if source.is_not_found()),
        "{err:?}"
    );
}

#[tokio::test]
async fn profile_changes_are_written_with_their_strategies() {
    let sandbox = sandbox(20).await;
    let bc = client(&sandbox);
    let id = ids(&sandbox, "allvisitors")[3].clone();
    let mut profile = bc.profile(&id).send().await.unwrap();
    let visits: i64 = profile.value("visits").unwrap_or("0").parse().unwrap();
    profile
        .set_value("next_best_product", "tea")
        .add_values("interests", ["rust-test"])
        .increment("visits", 2)
        .set_if_empty("first_source", "test");
    let mut bulk = bc.bulk_writer();
    bulk.write(&mut profile).await.unwrap();
    assert!(profile.changes().is_empty(), "taken by the writer");
    bulk.write(&mut profile).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("MODIFIED"), 1, "{report:?}");
    assert_eq!(report.requests, 1, "an unchanged profile sends nothing");
    let back = bc.profile(&id).send().await.unwrap();
    assert_eq!(back.value("next_best_product"), Some("tea"));
    assert!(back.values("interests").iter().any(|v| v == "rust-test"));
    assert_eq!(
        back.value("visits"),
        Some((visits + 2).to_string().as_str())
    );
    assert_eq!(back.value("first_source"), Some("test"));
    // A change built without fetching, matched on a property, created when missing.
    let mut change =
        ProfileChange::matching([("email", "new.person@example.com")]).create_missing(true);
    change
        .set_value("first_name", "New")
        .remove_values("interests", ["x"]);
    let mut bulk = bc.bulk_writer();
    bulk.write(change).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("CREATED"), 1, "{report:?}");
}

#[tokio::test]
async fn consent_permission_level_and_legislation_are_written_stored_and_read_back() {
    let sandbox = sandbox(0).await;
    let bc = client(&sandbox);
    // A new profile: its permission level and legislation as the entry creates it, its consent.
    let mut change = ProfileChange::matching([("email", "consent@example.com")])
        .create_missing(true)
        .permission_level(PermissionLevel::Anonymous);
    change
        .set_privacy_legislation(PrivacyLegislation::Gdpr)
        .consent_to(["marketing", "analytics"]);
    let mut bulk = bc.bulk_writer();
    bulk.write(change).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("CREATED"), 1, "{report:?}");
    let id = ids(&sandbox, "allvisitors")[0].clone();
    let mut profile = bc.profile(&id).send().await.unwrap();
    assert_eq!(
        profile.permission_level(),
        Some(&PermissionLevel::Anonymous)
    );
    assert_eq!(
        profile.privacy_legislation(),
        Some(&PrivacyLegislation::Gdpr)
    );
    assert_eq!(profile.consented_objectives(), ["marketing", "analytics"]);
    assert!(profile.refused_objectives().is_empty());

    // The same profile read and changed: a refusal and another legislation.
    profile
        .refuse([ObjectiveId::from("marketing")])
        .set_privacy_legislation(PrivacyLegislation::UkGdpr);
    assert_eq!(
        profile.consented_objectives(),
        ["analytics"],
        "shown at once"
    );
    let mut bulk = bc.bulk_writer();
    bulk.write(&mut profile).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("MODIFIED"), 1, "{report:?}");
    let back = bc.profile(&id).send().await.unwrap();
    assert_eq!(
        back.privacy_legislation(),
        Some(&PrivacyLegislation::UkGdpr)
    );
    assert_eq!(back.consented_objectives(), ["analytics"]);
    assert_eq!(back.refused_objectives(), ["marketing"]);
    assert_eq!(back.permission_level(), Some(&PermissionLevel::Anonymous));

    // Writes under `objectiveIds` go through only for a profile that consented to one of them.
    let mut bulk = bc.bulk_writer().objective_ids(["marketing"]);
    let mut change = ProfileChange::for_profile(&id);
    change.set_value("newsletter", "weekly");
    bulk.write(change).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("CONSENT_MISMATCH"), 1, "{report:?}");
}

#[tokio::test]
async fn a_value_that_is_not_finite_is_refused_before_sending() {
    let sandbox = sandbox(5).await;
    let bc = client(&sandbox);
    let mut change = ProfileChange::for_profile("p1");
    change.set_value("score", f64::NAN);
    let mut bulk = bc.bulk_writer();
    let err = bulk.write(change).await.unwrap_err();
    assert!(matches!(err, cdp::Error::InvalidInput { .. }), "{err:?}");
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.requests, 0);
}

#[tokio::test]
async fn one_token_for_the_union_of_scopes_shared_by_clones() {
    let sandbox = sandbox(10).await;
    let bc = client(&sandbox);
    let copy = bc.clone();
    let id = ids(&sandbox, "allvisitors")[0].clone();
    bc.profile(&id).send().await.unwrap();
    copy.segment_profiles("allvisitors")
        .limit(3)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let tokens: Vec<_> = sandbox
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.path.ends_with("/oauth/token"))
        .collect();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let body = format!("{:?}", tokens[0].body);
    assert!(
        body.contains("read:profiles read:segments write:profiles")
            || body.contains("read%3Aprofiles+read%3Asegments+write%3Aprofiles"),
        "{body}"
    );
    // `.scopes(…)` overrides.
    let credentials = sandbox.credentials();
    let narrow = Client::new(
        "t.blueconic.net",
        &credentials.blueconic_client_id,
        &credentials.blueconic_client_secret,
    )
    .base_url(&sandbox.urls().blueconic)
    .scopes(["read:profiles"]);
    narrow.profile(&id).send().await.unwrap();
    let last = sandbox
        .journal()
        .entries()
        .into_iter()
        .rev()
        .find(|e| e.path.ends_with("/oauth/token"))
        .unwrap();
    let body = format!("{:?}", last.body);
    assert!(
        body.contains("read:profiles") || body.contains("read%3Aprofiles"),
        "{body}"
    );
    assert!(!body.contains("write"), "{body}");
}

#[tokio::test]
async fn a_timeline_event_written_with_a_change_is_read_back() {
    use cdp::blueconic::api::types::{TimelineDataChange, TimelineEventChange};
    let sandbox = sandbox(5).await;
    let bc = client(&sandbox);
    let id = ids(&sandbox, "allvisitors")[1].clone();
    let mut profile = bc.profile(&id).send().await.unwrap();
    profile
        .set_value("last_order", "o-77")
        .add_event(TimelineEventChange {
            id: Some("o-77".into()),
            event_type_id: Some("order".into()),
            date: Some("2026-05-06T07:08:09.000Z".into()),
            data: vec![TimelineDataChange {
                id: "total_revenue".into(),
                values: vec![serde_json::json!(12.5)],
                strategy: None,
            }],
            identifier: None,
            strategy: None,
        });
    let mut bulk = bc.bulk_writer();
    bulk.write(&mut profile).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(
        report.timeline_counts.get("CREATED"),
        Some(&1),
        "{report:?}"
    );
    let back = bc
        .profile(&id)
        .timeline(TimelineFilter::new().event_types(["order"]).count(250))
        .send()
        .await
        .unwrap();
    let event = back
        .timeline()
        .iter()
        .find(|e| e.id.as_deref() == Some("o-77"))
        .expect("the event is stored");
    assert_eq!(event.data[0].values, [serde_json::json!(12.5)]);
}
