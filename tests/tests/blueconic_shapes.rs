//! Request shapes of every `cdp::blueconic` operation: the token is fetched from the sandbox, every API
//! request is recorded (and answered) by a recorder in place of the network.

use cdp::blueconic::{
    Client, Filter, ObjectiveId, PermissionLevel, PrivacyLegislation, ProfileChange,
    ProfileEdits as _, ProfileExpand, SegmentProfilesExpand, TimelineFilter,
};
use cdp::transport::RetryPolicy;
use cdp_sandbox::Sandbox;
use cdp_tests::Recorder;
use chrono::{TimeZone, Utc};
use futures::TryStreamExt as _;

async fn recorded() -> (Sandbox, Recorder, Client) {
    let sandbox = Sandbox::start().await.unwrap();
    let credentials = sandbox.credentials();
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let bc = Client::new(
        "tenant.blueconic.net",
        &credentials.blueconic_client_id,
        &credentials.blueconic_client_secret,
    )
    .base_url(&sandbox.urls().blueconic)
    .configure(|c| c.transport(transport).retry(RetryPolicy::none()));
    (sandbox, recorder, bc)
}

#[tokio::test]
async fn one_profile_with_repeated_expand_keys_and_a_timeline_filter() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(
        200,
        r#"{"id":"p 1","properties":[{"id":"email","values":["a@b.c"]}]}"#,
    );
    let profile = bc
        .profile("p 1")
        .properties(["email", "visits"])
        .group_properties(["name"])
        .expand([ProfileExpand::Segments, ProfileExpand::SegmentTags])
        .timeline(
            TimelineFilter::new()
                .event_types(["order", "email_click"])
                .from(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
                .to(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())
                .count(10),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(profile.value("email"), Some("a@b.c"));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn segment_profiles_with_the_encoded_refinement_then_the_cursor() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(
        200,
        r#"{"profiles":[{"id":"a"},{"id":"b"}],"nextCursor":"c2","totalResults":3}"#,
    );
    recorder.reply(200, r#"{"profiles":[{"id":"c"}],"totalResults":3}"#);
    let ids: Vec<String> = bc
        .segment_profiles("high value")
        .page_size(2)
        .properties(["email", "country"])
        .group_properties(["name"])
        .required_properties(["email"])
        .filter(Filter::contains_any("country", ["NL", "BE"]) | Filter::in_range("visits", 1, 10))
        .expand([
            SegmentProfilesExpand::Segments,
            SegmentProfilesExpand::MergeInfo,
        ])
        .stream()
        .map_ok(|p| p.id().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn a_bulk_write_with_every_strategy_and_objectives() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(
        200,
        r#"[{"state":"MODIFIED","profileId":"p1"},{"state":"CREATED","profileId":"new"}]"#,
    );
    let mut bulk = bc.bulk_writer().objective_ids(["marketing", "analytics"]);
    let mut by_id = ProfileChange::for_profile("p1");
    by_id
        .set_value("next_best_product", "tea")
        .add_values("interests", ["cake", "scones"])
        .set_if_empty(
            "first_seen",
            Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap(),
        )
        .increment("visits", 1)
        .remove_values("interests", ["coffee"])
        .add_event(cdp::blueconic::api::types::TimelineEventChange {
            id: Some("order-1".into()),
            event_type_id: Some("order".into()),
            date: Some("2026-03-04T05:06:07.000Z".into()),
            data: vec![cdp::blueconic::api::types::TimelineDataChange {
                id: "total_revenue".into(),
                values: vec![serde_json::json!(12.5)],
                strategy: None,
            }],
            identifier: None,
            strategy: None,
        });
    bulk.write(by_id).await.unwrap();
    let mut matched = ProfileChange::matching([("email", "ann@example.com")]).create_missing(true);
    matched.set_value("opted_in", true).set_value("score", 2.5);
    bulk.write(matched).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!((report.count("MODIFIED"), report.count("CREATED")), (1, 1));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn consent_permission_and_legislation_writes_as_the_official_schema_documents_them() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(
        200,
        r#"[{"state":"CREATED","profileId":"new"},{"state":"MODIFIED","profileId":"p1"}]"#,
    );
    let mut bulk = bc
        .bulk_writer()
        .objective_ids([ObjectiveId::from("marketing")]);
    let mut created = ProfileChange::matching([("email", "ann@example.com")])
        .create_missing(true)
        .permission_level(PermissionLevel::Anonymous);
    created
        .set_privacy_legislation(PrivacyLegislation::Gdpr)
        .consent_to(["marketing", "analytics"]);
    bulk.write(created).await.unwrap();
    let mut existing = ProfileChange::for_profile("p1");
    existing
        .set_privacy_legislation(PrivacyLegislation::UkGdpr)
        .refuse([ObjectiveId::from("marketing")]);
    bulk.write(existing).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!((report.count("CREATED"), report.count("MODIFIED")), (1, 1));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn a_legislation_or_permission_level_the_spec_does_not_list_is_refused_before_sending() {
    let (_sandbox, recorder, bc) = recorded().await;
    let mut bulk = bc.bulk_writer();
    let mut change = ProfileChange::for_profile("p1");
    change.set_privacy_legislation(PrivacyLegislation::Unknown("MOON_ACT".into()));
    let err = bulk.write(change).await.unwrap_err();
    assert!(
        matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "privacy_legislation"),
        "{err:?}"
    );
    let change = ProfileChange::matching([("email", "a@b.c")])
        .create_missing(true)
        .permission_level(PermissionLevel::Unknown("GODLIKE".into()));
    let mut change = change;
    change.set_value("x", 1);
    let err = bulk.write(change).await.unwrap_err();
    assert!(
        matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "permissionLevel"),
        "{err:?}"
    );
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.requests, 0);
    assert!(recorder.shapes().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_profile_that_does_not_decode_is_reported_with_its_id_and_the_others_still_come() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(
        200,
        r#"{"profiles":[{"id":"a"},{"id":"b"}],"nextCursor":"c2"}"#,
    );
    recorder.reply(
        200,
        r#"{"profiles":[{"id":"c","properties":"not a list"},{"id":"d"}]}"#,
    );
    let results: Vec<cdp::Result<cdp::blueconic::Profile>> =
        futures::StreamExt::collect(bc.segment_profiles("allvisitors").stream()).await;
    assert_eq!(results.len(), 4);
    let ok: Vec<&str> = results.iter().flatten().map(|p| p.id()).collect();
    assert_eq!(ok, ["a", "b", "d"]);
    match &results[2] {
        Err(cdp::Error::Decode(e)) => {
            assert_eq!((e.index, e.id.as_deref()), (Some(2), Some("c")));
            assert!(e.body.contains("not a list"), "{}", e.body);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bad_profile_in_the_middle_of_a_page_costs_only_itself_and_keeps_its_place() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(
        200,
        r#"{"profiles":[{"id":"a"},{"id":"b"},{"id":"c"}],"nextCursor":"c2","totalResults":7}"#,
    );
    recorder.reply(
        200,
        r#"{"profiles":[{"id":"d"},{"id":"e","creationDate":"yesterday"},{"id":"f"},{"id":"g"}]}"#,
    );
    let results: Vec<cdp::Result<cdp::blueconic::Profile>> =
        futures::StreamExt::collect(bc.segment_profiles("allvisitors").stream()).await;
    let ok: Vec<&str> = results.iter().flatten().map(|p| p.id()).collect();
    assert_eq!(ok, ["a", "b", "c", "d", "f", "g"]);
    assert_eq!(results.len(), 7);
    match &results[4] {
        Err(cdp::Error::Decode(e)) => {
            // Its index counts the profiles of the pages before it; its JSON is its own, not the page's.
            assert_eq!((e.index, e.id.as_deref()), (Some(4), Some("e")));
            assert!(e.body.contains("yesterday"), "{}", e.body);
            assert!(
                !e.body.contains("\"f\""),
                "only the bad profile: {}",
                e.body
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(recorder.shapes().len(), 2);
}

#[tokio::test]
async fn a_cursor_handed_out_twice_stops_the_stream() {
    let (_sandbox, recorder, bc) = recorded().await;
    recorder.reply(200, r#"{"profiles":[{"id":"a"}],"nextCursor":"same"}"#);
    recorder.reply(200, r#"{"profiles":[{"id":"b"}],"nextCursor":"same"}"#);
    recorder.reply(200, r#"{"profiles":[{"id":"b"}],"nextCursor":"same"}"#);
    let results: Vec<cdp::Result<cdp::blueconic::Profile>> =
        futures::StreamExt::collect(bc.segment_profiles("allvisitors").stream()).await;
    let last = results.last().unwrap();
    assert!(
        matches!(last, Err(cdp::Error::StreamStopped { .. })),
        "{results:?}"
    );
    assert!(recorder.shapes().len() <= 3, "no loop");
}
