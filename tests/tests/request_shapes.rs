//! Request shapes of raw generated calls, per service: method, path, sorted query, relevant headers with
//! secrets masked, and body. Later issues add one per ergonomic operation.

use cdp_tests::Recorder;
use cdp_transport::Auth;
use serde_json::json;

const HUB: &str = "https://api.contactlab.it/hub/v1";

/// Calls of the generated clients can be spawned on a multi-threaded runtime: every hook future is `Send`.
#[test]
fn generated_calls_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let inner = cdp_transport::Inner::new(Auth::None);
    let hub = contacthub_api::Client::new(HUB, inner.clone());
    assert_send(&hub.list_customers().workspace_id("w").node_id("n").send());
    let bc = blueconic_api::Client::new("http://b", inner.clone());
    assert_send(&bc.get_profile().profile_id("p").send());
    let cp = customer_profiles_api::Client::new("http://a", inner.clone());
    assert_send(&cp.list_segment_definitions().domain_name("d").send());
    let fs = flagship_api::Client::new("http://f", inner);
    assert_send(
        &fs.get_flags()
            .env_id("e")
            .body_map(|b| b.visitor_id("v"))
            .send(),
    );
}

fn contacthub() -> (Recorder, contacthub_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::bearer("hub-secret-token"));
    (recorder, contacthub_api::Client::new(HUB, inner))
}

#[tokio::test]
async fn contacthub_list_customers_with_query_and_paging() {
    let (recorder, client) = contacthub();
    recorder.reply(
        200,
        r#"{"elements":[],"page":{"size":5,"totalElements":0,"totalPages":0,"number":2}}"#,
    );
    let query = json!({"name": "", "query": {"type": "simple", "are": {"condition":
        {"type": "atomic", "attribute": "base.firstName", "operator": "EQUALS", "value": "Bruce"}}}});
    client
        .list_customers()
        .workspace_id("w 1")
        .node_id("n1")
        .query(query.to_string())
        .fields("base.firstName,base.lastName")
        .sort("base.firstName,desc")
        .page(2)
        .size(5)
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn contacthub_create_customer() {
    let (recorder, client) = contacthub();
    recorder.reply(201, r#"{"id":"c1","nodeId":"n1"}"#);
    let created = client
        .create_customer()
        .workspace_id("w1")
        .body_map(|b| {
            b.node_id("n1").external_id(Some("ext-1".to_string())).base(
                contacthub_api::types::CustomerBase {
                    first_name: Some("Bruce".into()),
                    dob: Some(chrono::NaiveDate::from_ymd_opt(1980, 2, 19).unwrap()),
                    ..Default::default()
                },
            )
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, "c1");
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn contacthub_patch_customer_sends_explicit_nulls() {
    let (recorder, client) = contacthub();
    recorder.reply(200, r#"{"id":"c1"}"#);
    let mut patch = contacthub_api::MergePatch::new();
    patch
        .set("base", json!({"contacts": {"email": "bruce@example.com"}}))
        .remove("extra");
    client
        .patch_customer()
        .workspace_id("w1")
        .customer_id("c/1")
        .body(patch)
        .send()
        .await
        .unwrap();
    let shape = recorder.single();
    assert_eq!(shape.path, "/hub/v1/workspaces/w1/customers/c%2F1");
    insta::assert_yaml_snapshot!(shape);
}

#[tokio::test]
async fn contacthub_create_event_is_accepted() {
    let (recorder, client) = contacthub();
    recorder.reply(202, r#"{"id":"e1"}"#);
    let accepted = client
        .create_event()
        .workspace_id("w1")
        .body_map(|b| {
            b.type_("viewedPage")
                .context("WEB")
                .bring_back_properties(contacthub_api::types::BringBackProperties {
                    type_: "SESSION_ID".into(),
                    value: "s-1".into(),
                    node_id: Some("n1".into()),
                })
                .properties(serde_json::Map::from_iter([(
                    "url".to_string(),
                    json!("https://example.com/"),
                )]))
                .date(Some("2017-03-08T10:18:17Z".parse().unwrap()))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.id.as_deref(), Some("e1"));
    insta::assert_yaml_snapshot!(recorder.single());
}

fn blueconic(auth: Auth) -> (Recorder, blueconic_api::Client) {
    let (recorder, inner) = Recorder::new(auth);
    (
        recorder,
        blueconic_api::Client::new("https://tenant.blueconic.net/rest/v2", inner),
    )
}

#[tokio::test]
async fn blueconic_token_request_is_a_form() {
    let (recorder, client) = blueconic(Auth::None);
    recorder.reply(
        200,
        r#"{"access_token":"at","expires_in":3600,"token_type":"bearer"}"#,
    );
    let token = client
        .create_token()
        .body_map(|b| {
            b.grant_type("client_credentials")
                .scope(Some("read:profiles write:profiles".into()))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(token.expires_in, Some(3600));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn blueconic_get_profile_repeats_array_parameters() {
    let (recorder, client) = blueconic(Auth::bearer("bc-access-token"));
    recorder.reply(
        200,
        r#"{"id":"p1","properties":[{"id":"email","values":["a@b.c"]}]}"#,
    );
    client
        .get_profile()
        .profile_id("p1")
        .expand(vec!["profile.segments".into(), "profile.timeline".into()])
        .properties("email,firstname")
        .event_count(5)
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn blueconic_segment_profiles_with_cursor() {
    let (recorder, client) = blueconic(Auth::bearer("bc-access-token"));
    recorder.reply(200, r#"{"nextCursor":"c2","profiles":[{"id":"p1"}]}"#);
    let page = client
        .get_segment_profiles()
        .segment_id("allvisitors")
        .cursor("*")
        .count(1000)
        .properties("email")
        .auto_commit(false)
        .send()
        .await
        .unwrap();
    assert_eq!(page.next_cursor.as_deref(), Some("c2"));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn blueconic_bulk_write() {
    use blueconic_api::types::{BulkInputEntry, PropertyChange};
    let (recorder, client) = blueconic(Auth::bearer("bc-access-token"));
    recorder.reply(
        200,
        r#"[{"state":"MODIFIED","profileId":"p1","identifier":"row-1"}]"#,
    );
    let entry = BulkInputEntry {
        profile_id: Some("p1".into()),
        identifier: Some("row-1".into()),
        strategy: Some("UPDATE".into()),
        properties: vec![PropertyChange {
            id: "next_best_product".into(),
            values: vec!["tea".into()],
            strategy: Some("SET_IF_EMPTY".into()),
            restriction: None,
        }],
        ..Default::default()
    };
    let results = client
        .bulk_profiles()
        .body(vec![entry])
        .send()
        .await
        .unwrap();
    assert_eq!(
        results[0].state.as_ref().map(|s| s.as_str()),
        Some("MODIFIED")
    );
    insta::assert_yaml_snapshot!(recorder.single());
}

fn customer_profiles() -> (Recorder, customer_profiles_api::Client) {
    use cdp_transport::{AwsCredentials, SigV4};
    let signer = SigV4::new(
        AwsCredentials::new("AKIDEXAMPLE", "aws-secret-key"),
        "eu-west-1",
        "profile",
    );
    let (recorder, inner) = Recorder::new(Auth::sigv4(signer));
    (
        recorder,
        customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner),
    )
}

#[tokio::test]
async fn customer_profiles_segment_membership() {
    let (recorder, client) = customer_profiles();
    recorder.reply(
        200,
        r#"{"SegmentDefinitionName":"vip","Profiles":[{"ProfileId":"a1","QueryResult":"PRESENT"}],"LastComputedAt":1.7e9}"#,
    );
    let membership = client
        .get_segment_membership()
        .domain_name("shop")
        .segment_definition_name("vip")
        .body_map(|b| b.profile_ids(vec!["a1".to_string(), "b2".to_string()]))
        .send()
        .await
        .unwrap();
    assert_eq!(membership.profiles[0].query_result.as_str(), "PRESENT");
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_create_segment_definition() {
    use customer_profiles_api::types::{
        Dimension, Group, ProfileAttributes, ProfileDimension, SegmentGroup,
    };
    let (recorder, client) = customer_profiles();
    recorder.reply(
        200,
        r#"{"SegmentDefinitionName":"vip","CreatedAt":1700000000}"#,
    );
    let group = Group {
        dimensions: vec![Dimension {
            profile_attributes: Some(ProfileAttributes {
                email_address: Some(ProfileDimension {
                    dimension_type: "ENDS_WITH".into(),
                    values: vec!["@example.com".into()],
                }),
                ..Default::default()
            }),
            ..Default::default()
        }],
        type_: Some("ALL".into()),
        ..Default::default()
    };
    client
        .create_segment_definition()
        .domain_name("shop")
        .segment_definition_name("vip")
        .body_map(|b| {
            b.display_name("VIP").segment_groups(Some(SegmentGroup {
                groups: vec![group],
                include: Some("ALL".into()),
            }))
        })
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_list_segment_definitions_with_token() {
    let (recorder, client) = customer_profiles();
    recorder.reply(
        200,
        r#"{"Items":[{"SegmentDefinitionName":"vip"}],"NextToken":"t2"}"#,
    );
    let page = client
        .list_segment_definitions()
        .domain_name("shop")
        .max_results(50)
        .next_token("t1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.next_token.as_deref(), Some("t2"));
    insta::assert_yaml_snapshot!(recorder.single());
}

fn flagship() -> (Recorder, flagship_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::api_key("x-api-key", "fs-api-key"));
    (
        recorder,
        flagship_api::Client::new("https://decision.flagship.io", inner),
    )
}

#[tokio::test]
async fn flagship_get_campaigns() {
    let (recorder, client) = flagship();
    recorder.reply(200, r#"{"visitorId":"v1","campaigns":[]}"#);
    client
        .get_campaigns()
        .env_id("env1")
        .expose_all_keys(true)
        .extras(vec!["accountSettings".to_string()])
        .body_map(|b| {
            b.visitor_id("v1")
                .context(Some(flagship_api::types::VisitorContext(
                    serde_json::Map::from_iter([
                        ("plan".to_string(), json!("pro")),
                        ("age".to_string(), json!(31)),
                        ("isVIP".to_string(), json!(true)),
                    ]),
                )))
                .visitor_consent(Some(true))
        })
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn flagship_activate_batch() {
    use flagship_api::types::ActivateItem;
    let (recorder, client) = flagship();
    recorder.reply(204, "");
    let item = ActivateItem {
        vid: "v1".into(),
        aid: None,
        caid: "vg1".into(),
        vaid: "var1".into(),
        qt: Some(12),
    };
    client
        .activate()
        .body_map(|b| b.cid("env1").batch(vec![item]))
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn flagship_bucketing_file_is_conditional() {
    let (recorder, inner) = Recorder::new(Auth::api_key("x-api-key", "fs-api-key"));
    let cdn = flagship_api::Client::new("https://cdn.flagship.io", inner);
    recorder.reply(304, "");
    let result = cdn
        .get_bucketing_file()
        .env_id("env1")
        .if_modified_since("Wed, 21 Oct 2026 07:28:00 GMT")
        .send()
        .await;
    match result {
        Err(flagship_api::Error::UnexpectedResponse(response)) => {
            assert_eq!(response.status(), 304)
        }
        other => panic!("a 304 must come back as an unexpected response, got {other:?}"),
    }
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn flagship_send_transaction_hit() {
    let (recorder, inner) = Recorder::new(Auth::api_key("x-api-key", "fs-api-key"));
    let collector = flagship_api::Client::new("https://ariane.abtasty.com", inner);
    collector
        .send_hit()
        .body_map(|b| {
            b.t("TRANSACTION")
                .ds(Some("APP".into()))
                .cid(Some("env1".into()))
                .vid(Some("v1".into()))
                .tid(Some("tid-1".into()))
                .ta(Some("checkout".into()))
                .tr(Some(19.9))
                .tc(Some("EUR".into()))
        })
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

/// `cdp::contacthub` sessions: a customer id with `\`, `/` and dots stays one segment of
/// `/customers/{id}/sessions`, and `..` (which once reached `POST /workspaces/w/sessions`) is refused
/// with nothing sent.
#[tokio::test]
async fn contacthub_add_customer_session_with_a_hostile_id() {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let node = cdp::contacthub::Workspace::new("w1", "hub-secret-token")
        .configure(|c| {
            c.transport(transport)
                .retry(cdp_transport::RetryPolicy::none())
        })
        .node("n1");
    recorder.reply(201, r#"{"id":"se-1","value":"s-1"}"#);
    node.add_customer_session("..\\../c 1", "s-1")
        .await
        .unwrap();
    let shape = recorder.single();
    assert_eq!(
        shape.path,
        "/hub/v1/workspaces/w1/customers/..%5C..%2Fc%201/sessions"
    );
    insta::assert_yaml_snapshot!(shape);
    for hostile in ["..", "%2E%2E", "."] {
        let err = node.add_customer_session(hostile, "s-1").await.unwrap_err();
        assert!(
            matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "customerId"),
            "{hostile}: {err:?}"
        );
    }
    assert_eq!(recorder.shapes().len(), 1, "nothing more was sent");
}
