//! `cdp::customer_profiles` segment definitions, estimates, snapshots and errors: request shapes (insta)
//! and end to end against the sandbox, which checks the SigV4 signature of every request.

mod customer_profiles_common;

use std::time::Duration;

use cdp::customer_profiles::api::types::{
    AttributeDimensionType, DataFormat, DateDimensionType, EstimateStatus, IncludeOptions,
    SegmentSortOrder, SnapshotStatus, SortAttribute, StringDimensionType,
};
use cdp::customer_profiles::{
    AddressField, AddressKind, Condition, ErrorKind, GroupQuery, ProfileField, SegmentQuery,
    snapshot_done,
};
use cdp_sandbox::Sandbox;
use customer_profiles_common::{recorded, sandbox_client};
use futures::TryStreamExt as _;
use serde_json::json;

/// Every kind of dimension the builder makes, in two groups.
fn rich_query() -> SegmentQuery {
    SegmentQuery::any()
        .group(
            GroupQuery::all()
                .dimension(Condition::attribute(
                    "tier",
                    AttributeDimensionType::Inclusive,
                    ["gold", "platinum"],
                ))
                .dimension(Condition::field(
                    ProfileField::LastName,
                    StringDimensionType::BeginsWith,
                    ["Mc"],
                ))
                .dimension(Condition::birth_date(
                    DateDimensionType::Before,
                    ["1990-01-01"],
                ))
                .dimension(Condition::address(
                    AddressKind::Shipping,
                    AddressField::Country,
                    StringDimensionType::Inclusive,
                    ["IT", "FR"],
                ))
                .dimension(Condition::calculated(
                    "orders_30d",
                    AttributeDimensionType::GreaterThanOrEqual,
                    ["3"],
                )),
        )
        .group(
            GroupQuery::none()
                .source_segment("vip")
                .source_type(IncludeOptions::Any),
        )
}

#[tokio::test]
async fn segment_operation_request_shapes() {
    let (recorder, client) = recorded();
    recorder.reply(
        200,
        r#"{"SegmentDefinitionName":"gold-1","SegmentDefinitionArn":"arn:x"}"#,
    );
    client
        .create_segment_definition("shop", "gold-1")
        .display_name("Gold")
        .description("Tier gold, by last name")
        .query(rich_query())
        .sort_by(SortAttribute {
            name: "LastName".into(),
            order: SegmentSortOrder::Asc,
            data_type: None,
            type_: None,
        })
        .tag("team", "crm")
        .send()
        .await
        .unwrap();
    recorder.reply(
        200,
        r#"{"SegmentDefinitionArn":"arn:x","SegmentDefinitionName":"gold-1"}"#,
    );
    client.segment_definition("shop", "gold-1").await.unwrap();
    recorder.reply(200, r#"{"Items":[],"NextToken":"t2"}"#);
    let page = client
        .segment_definitions("shop")
        .page_size(20)
        .starting_at("t1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.next(),
        Some(&cdp::pagination::PageRef::Token("t2".into()))
    );
    recorder.reply(200, r#"{"Message":"deleted"}"#);
    client
        .delete_segment_definition("shop", "gold-1")
        .await
        .unwrap();
    recorder.reply(201, r#"{"DomainName":"shop","EstimateId":"e-1"}"#);
    client
        .create_segment_estimate("shop")
        .sql("SELECT * FROM profiles")
        .send()
        .await
        .unwrap();
    recorder.reply(
        200,
        r#"{"EstimateId":"e-1","Status":"SUCCEEDED","Estimate":"12"}"#,
    );
    client.segment_estimate("shop", "e-1").await.unwrap();
    recorder.reply(200, r#"{"SnapshotId":"s-1"}"#);
    client
        .create_segment_snapshot("shop", "vip", DataFormat::Jsonl)
        .destination_uri("s3://bucket/vip/")
        .role_arn("arn:aws:iam::123456789012:role/export")
        .send()
        .await
        .unwrap();
    recorder.reply(
        200,
        r#"{"SnapshotId":"s-1","Status":"COMPLETED","DataFormat":"JSONL"}"#,
    );
    client.segment_snapshot("shop", "vip", "s-1").await.unwrap();
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn definitions_end_to_end() {
    let sandbox = Sandbox::start().await.unwrap();
    let (client, domain) = sandbox_client(&sandbox);
    let query = SegmentQuery::all().group(GroupQuery::all().dimension(Condition::address(
        AddressKind::Address,
        AddressField::Country,
        StringDimensionType::Inclusive,
        ["IT"],
    )));
    let created = client
        .create_segment_definition(&domain, "italy")
        .display_name("Italy")
        .description("Customers in Italy")
        .query(query.clone())
        .tag("team", "crm")
        .send()
        .await
        .unwrap();
    assert_eq!(created.segment_definition_name, "italy");
    let got = client.segment_definition(&domain, "italy").await.unwrap();
    assert_eq!(got.display_name.as_deref(), Some("Italy"));
    assert_eq!(got.segment_groups, Some(query.into_segment_group()));
    assert!(cdp::customer_profiles::created_at(got.created_at).is_some());
    // The listing, one definition a page, follows NextToken to the end.
    let names: Vec<String> = client
        .segment_definitions(&domain)
        .page_size(1)
        .stream()
        .map_ok(|d| d.segment_definition_name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    let mut expected = vec!["eu-customers", "eu-vip", "italy", "vip"];
    let mut sorted = names.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected, "{names:?}");
    // The members agree with the sandbox.
    let state = sandbox.customer_profiles();
    let ids = state.profile_ids();
    let members = state.segment_members("italy").unwrap();
    let m = client
        .segment_membership(&domain, "italy")
        .profile_ids(ids.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(m.present().count(), members.len());
    client
        .delete_segment_definition(&domain, "italy")
        .await
        .unwrap();
    let err = client
        .segment_definition(&domain, "italy")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(ErrorKind::of(&err), Some(ErrorKind::ResourceNotFound));
    // The service's own refusal: a display name too long for it comes back as BadRequestException…
    let err = client
        .create_segment_definition(&domain, "bad")
        .display_name("x")
        .query(SegmentQuery::all().group(GroupQuery::all().source_segment("no-such-segment")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(ErrorKind::of(&err), Some(ErrorKind::BadRequest), "{err:?}");
    assert!(err.api().and_then(|a| a.message.as_deref()).is_some());
    // …and ours, before sending: neither a query nor SQL.
    let err = client
        .create_segment_definition(&domain, "bad")
        .display_name("x")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, cdp::Error::InvalidInput { .. }), "{err:?}");
}

#[tokio::test]
async fn estimates_and_snapshots_end_to_end() {
    let sandbox = Sandbox::start().await.unwrap();
    let (client, domain) = sandbox_client(&sandbox);
    let vip = sandbox.customer_profiles().segment_members("vip").unwrap();
    let started = client
        .create_segment_estimate(&domain)
        .query(SegmentQuery::all().group(GroupQuery::all().source_segment("vip")))
        .send()
        .await
        .unwrap();
    assert!((200..300).contains(&started.status_code));
    let done = client
        .wait_for_segment_estimate(&domain, &started.estimate_id, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(done.status, Some(EstimateStatus::Succeeded));
    assert_eq!(done.status_code, 200);
    assert!(
        done.estimate
            .as_deref()
            .is_some_and(|e| e.contains(&vip.len().to_string())),
        "{done:?}"
    );
    let id = client
        .create_segment_snapshot(&domain, "vip", DataFormat::Csv)
        .destination_uri("s3://bucket/vip/")
        .send()
        .await
        .unwrap();
    let snapshot = client
        .wait_for_segment_snapshot(&domain, "vip", &id, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(snapshot.status, SnapshotStatus::Completed);
    assert!(snapshot_done(&snapshot));
    let err = client
        .segment_estimate(&domain, "no-such-estimate")
        .await
        .unwrap_err();
    assert_eq!(
        ErrorKind::of(&err),
        Some(ErrorKind::ResourceNotFound),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_estimate_is_polled_with_growing_pauses_until_done_or_the_wait_ends() {
    let (recorder, client) = recorded();
    for status in ["RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"] {
        recorder.reply(
            200,
            &json!({"EstimateId": "e-1", "Status": status, "Estimate": "7"}).to_string(),
        );
    }
    let start = tokio::time::Instant::now();
    let done = client
        .wait_for_segment_estimate("shop", "e-1", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(done.is_done());
    assert_eq!(done.estimate.as_deref(), Some("7"));
    assert_eq!(recorder.shapes().len(), 4);
    // Pauses of 1, 2 and 4 seconds.
    assert_eq!(start.elapsed(), Duration::from_secs(7));
    // A wait too short: the last state seen, still running, after exactly the wait.
    let (recorder, client) = recorded();
    for _ in 0..10 {
        recorder.reply(200, r#"{"EstimateId":"e-2","Status":"RUNNING"}"#);
    }
    let start = tokio::time::Instant::now();
    let running = client
        .wait_for_segment_estimate("shop", "e-2", Duration::from_secs(5))
        .await
        .unwrap();
    assert!(!running.is_done());
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert_eq!(recorder.shapes().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_create_is_sent_again_and_errors_are_recognised() {
    let (recorder, client) = recorded();
    // Throttled twice (the type in the header, then in the body), then created.
    recorder.reply_with_headers(
        429,
        &[(
            "x-amzn-errortype",
            "ThrottlingException:http://internal.amazon.com/",
        )],
        r#"{"Message":"Rate exceeded"}"#,
    );
    recorder.reply(
        429,
        r#"{"__type":"com.amazonaws.profile#ThrottlingException","Message":"Rate exceeded"}"#,
    );
    recorder.reply(200, r#"{"SegmentDefinitionName":"gold"}"#);
    let created = client
        .create_segment_definition("shop", "gold")
        .display_name("Gold")
        .sql("SELECT * FROM profiles")
        .send()
        .await
        .unwrap();
    assert_eq!(created.segment_definition_name, "gold");
    assert_eq!(recorder.shapes().len(), 3);
    // The other errors, by header or body, with their message.
    for (status, header, body, kind) in [
        (
            400,
            Some("BadRequestException"),
            r#"{"Message":"bad"}"#,
            ErrorKind::BadRequest,
        ),
        (
            403,
            None,
            r#"{"__type":"AccessDeniedException","Message":"denied"}"#,
            ErrorKind::AccessDenied,
        ),
        (
            404,
            None,
            r#"{"__type":"com.amazonaws.profile#ResourceNotFoundException","Message":"gone"}"#,
            ErrorKind::ResourceNotFound,
        ),
        (
            500,
            Some("InternalServerException"),
            r#"{"Message":"oops"}"#,
            ErrorKind::InternalServer,
        ),
    ] {
        let (recorder, client) = recorded();
        let headers: Vec<(&str, &str)> = header
            .map(|h| ("x-amzn-errortype", h))
            .into_iter()
            .collect();
        for _ in 0..10 {
            recorder.reply_with_headers(status, &headers, body);
        }
        let err = client.segment_definition("shop", "gold").await.unwrap_err();
        assert_eq!(ErrorKind::of(&err), Some(kind.clone()), "{err:?}");
        assert_eq!(err.status(), Some(status));
        assert!(
            err.api().and_then(|a| a.message.as_deref()).is_some(),
            "{err:?}"
        );
        // A read is retried after an internal error, not after the others.
        let sent = recorder.shapes().len();
        assert_eq!(
            sent > 1,
            kind == ErrorKind::InternalServer,
            "{status}: {sent} requests"
        );
    }
    // A create that meets an internal error is not sent again: it may have been carried out.
    let (recorder, client) = recorded();
    for _ in 0..3 {
        recorder.reply(
            500,
            r#"{"__type":"InternalServerException","Message":"oops"}"#,
        );
    }
    let err = client
        .create_segment_estimate("shop")
        .sql("SELECT * FROM profiles")
        .send()
        .await
        .unwrap_err();
    assert_eq!(ErrorKind::of(&err), Some(ErrorKind::InternalServer));
    assert_eq!(recorder.shapes().len(), 1);
}
