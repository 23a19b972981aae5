//! Request shapes of the raw generated calls added to match the official documents: ContactHub event
//! updates and deletions and customer sources, BlueConic profile events and timeline event types, AWS
//! profile writes and profile objects. One snapshot per operation.

use cdp_tests::Recorder;
use cdp_transport::Auth;
use serde_json::json;

fn contacthub() -> (Recorder, contacthub_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::bearer("hub-secret-token"));
    (
        recorder,
        contacthub_api::Client::new("https://api.contactlab.it/hub/v1", inner),
    )
}

fn blueconic() -> (Recorder, blueconic_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::bearer("bc-access-token"));
    (
        recorder,
        blueconic_api::Client::new("https://tenant.blueconic.net/rest/v2", inner),
    )
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
async fn contacthub_update_event() {
    let (recorder, client) = contacthub();
    let event = json!({"id": "ev 1", "customerId": "c1", "type": "viewedPage", "context": "WEB",
        "properties": {"url": "https://example.com/"},
        "registeredAt": "2024-05-01T10:00:00Z", "updatedAt": "2024-05-01T10:00:00Z"});
    recorder.reply(202, &event.to_string());
    let answer = client
        .update_event()
        .workspace_id("w1")
        .event_id("ev 1")
        .body(serde_json::from_value::<contacthub_api::types::PutEvent>(event).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn contacthub_delete_event() {
    let (recorder, client) = contacthub();
    recorder.reply(204, "");
    client
        .delete_event()
        .workspace_id("w1")
        .event_id("ev1")
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn contacthub_list_customer_sources() {
    let (recorder, client) = contacthub();
    recorder.reply(200, r#"{"elements": [{"id": "src1", "nodeId": "n1"}]}"#);
    let sources = client
        .list_customer_sources()
        .workspace_id("w1")
        .customer_id("c1")
        .send()
        .await
        .unwrap();
    assert_eq!(sources.elements[0].id.as_deref(), Some("src1"));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn contacthub_get_customer_source() {
    let (recorder, client) = contacthub();
    recorder.reply(
        200,
        r#"{"id": "src1", "nodeId": "n1", "base": {"firstName": "Ada"}}"#,
    );
    client
        .get_customer_source()
        .workspace_id("w1")
        .customer_id("c1")
        .source_id("src1")
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn blueconic_get_profile_events() {
    let (recorder, client) = blueconic();
    recorder.reply(
        200,
        r#"{"events": [{"date": "2022-08-13T19:35:21.951Z", "type": "ConsentChanged",
            "properties": [{"id": "ToConsented", "values": ["o1"]}]}],
            "itemsPerPage": 5, "startIndex": 10, "totalPages": 3, "totalResults": 11}"#,
    );
    let events = client
        .get_profile_events()
        .profile_id("p1")
        .start_index(10)
        .count(5)
        .send()
        .await
        .unwrap();
    assert_eq!(
        events.events[0].properties[0].id.as_deref(),
        Some("ToConsented")
    );
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn blueconic_list_timeline_event_types() {
    let (recorder, client) = blueconic();
    recorder.reply(
        200,
        r#"{"itemsPerPage": 10, "startIndex": 0, "timelineEventTypes": [{"id": "order",
            "fieldTypes": [{"key": "product", "value": [{"key": "name", "value": "TEXT"}]}]}]}"#,
    );
    let types = client
        .list_timeline_event_types()
        .start_index(0)
        .count(10)
        .send()
        .await
        .unwrap();
    assert_eq!(types.timeline_event_types[0].id.as_deref(), Some("order"));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn blueconic_get_timeline_event_type() {
    let (recorder, client) = blueconic();
    recorder.reply(
        200,
        r#"{"id": "order", "name": "Order", "priority": "LOW", "source": "PLUGIN"}"#,
    );
    client
        .get_timeline_event_type()
        .timeline_event_type_id("order")
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_create_profile() {
    let (recorder, client) = customer_profiles();
    recorder.reply(200, r#"{"ProfileId": "0123456789abcdef0123456789abcdef"}"#);
    client
        .create_profile()
        .domain_name("my-domain")
        .body(
            serde_json::from_value::<customer_profiles_api::types::CreateProfileRequest>(json!({
                "FirstName": "Ada", "EmailAddress": "ada@example.com", "Gender": "FEMALE",
                "Address": {"City": "London"}, "Attributes": {"tier": "gold"}
            }))
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_update_profile() {
    let (recorder, client) = customer_profiles();
    recorder.reply(200, r#"{"ProfileId": "0123456789abcdef0123456789abcdef"}"#);
    client
        .update_profile()
        .domain_name("my-domain")
        .body_map(|b| {
            b.profile_id("0123456789abcdef0123456789abcdef")
                .last_name(String::new())
        })
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_delete_profile() {
    let (recorder, client) = customer_profiles();
    recorder.reply(200, r#"{"Message": "Profile deleted"}"#);
    client
        .delete_profile()
        .domain_name("my-domain")
        .body_map(|b| b.profile_id("0123456789abcdef0123456789abcdef"))
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_put_profile_object() {
    let (recorder, client) = customer_profiles();
    recorder.reply(200, r#"{"ProfileObjectUniqueKey": "k1"}"#);
    client
        .put_profile_object()
        .domain_name("my-domain")
        .body_map(|b| {
            b.object_type_name("Order")
                .object(json!({"Id": "o-1", "EmailAddress": "ada@example.com"}).to_string())
        })
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn customer_profiles_list_profile_objects() {
    let (recorder, client) = customer_profiles();
    recorder.reply(
        200,
        r#"{"Items": [{"ObjectTypeName": "Order", "ProfileObjectUniqueKey": "k1", "Object": "{}"}],
            "NextToken": "t2"}"#,
    );
    let page = client
        .list_profile_objects()
        .domain_name("my-domain")
        .max_results(50)
        .next_token("t1")
        .body(
            serde_json::from_value::<customer_profiles_api::types::ListProfileObjectsRequest>(
                json!({"ObjectTypeName": "Order", "ProfileId": "0123456789abcdef0123456789abcdef",
                    "ObjectFilter": {"KeyName": "Id", "Values": ["o-1"]}}),
            )
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(page.next_token.as_deref(), Some("t2"));
    insta::assert_yaml_snapshot!(recorder.single());
}
