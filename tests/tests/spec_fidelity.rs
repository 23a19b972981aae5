//! The specs say what the official documents say: every success status a write can get is a success (with
//! the HTTP status at hand), what a request must carry is required before it is sent, and what the
//! services refuse is refused by the sandbox too.

use cdp_sandbox::Sandbox;
use cdp_tests::Recorder;
use cdp_transport::Auth;
use serde_json::json;

const HUB: &str = "https://api.contactlab.it/hub/v1";

fn contacthub() -> (Recorder, contacthub_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::bearer("t"));
    (recorder, contacthub_api::Client::new(HUB, inner))
}

fn customer_profiles() -> (Recorder, customer_profiles_api::Client) {
    let (recorder, inner) = Recorder::new(Auth::None);
    (
        recorder,
        customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner),
    )
}

/// The official swagger answers 200 to a new education, job or like, and 201 to a new subscription.
#[tokio::test]
async fn contacthub_item_creations_accept_the_official_statuses() {
    let (recorder, client) = contacthub();
    recorder.reply(200, r#"{"id": "e1", "schoolType": "COLLEGE"}"#);
    let education = client
        .create_education()
        .workspace_id("w")
        .customer_id("c")
        .body_map(|b| b.id("e1"))
        .send()
        .await
        .unwrap();
    assert_eq!(education.status(), 200);
    assert_eq!(education.id, "e1");

    recorder.reply(200, r#"{"id": "j1", "jobTitle": "Engineer"}"#);
    let job = client
        .create_job()
        .workspace_id("w")
        .customer_id("c")
        .body_map(|b| b.id("j1"))
        .send()
        .await
        .unwrap();
    assert_eq!((job.status().as_u16(), job.id.as_str()), (200, "j1"));

    recorder.reply(200, r#"{"id": "l1", "name": "Tea"}"#);
    let like = client
        .create_like()
        .workspace_id("w")
        .customer_id("c")
        .body_map(|b| b.id("l1"))
        .send()
        .await
        .unwrap();
    assert_eq!((like.status().as_u16(), like.id.as_str()), (200, "l1"));

    recorder.reply(201, r#"{"id": "s1", "subscribed": true}"#);
    let subscription = client
        .create_subscription()
        .workspace_id("w")
        .customer_id("c")
        .body_map(|b| b.id("s1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (subscription.status().as_u16(), subscription.id.as_str()),
        (201, "s1")
    );
}

/// Any 2xx is a success of a write, whatever status the spec names; the status stays readable.
#[tokio::test]
async fn contacthub_writes_accept_any_success_status() {
    let (recorder, client) = contacthub();
    recorder.reply(200, r#"{"id": "c1", "nodeId": "n"}"#);
    let created = client
        .create_customer()
        .workspace_id("w")
        .body_map(|b| b.node_id("n"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (created.status().as_u16(), created.id.as_str()),
        (200, "c1")
    );

    recorder.reply(201, r#"{"id": "ev1"}"#);
    let event = client
        .create_event()
        .workspace_id("w")
        .body(
            serde_json::from_value::<contacthub_api::types::NewEvent>(json!({
                "customerId": "c1", "type": "viewedPage", "context": "WEB", "properties": {}
            }))
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(event.status(), 201);
    assert_eq!(event.id.as_deref(), Some("ev1"));

    recorder.reply(204, "");
    let deleted = client
        .delete_customer()
        .workspace_id("w")
        .customer_id("c1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    recorder.reply(204, "");
    let deleted = client
        .delete_event()
        .workspace_id("w")
        .event_id("ev1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

/// AWS binds the HTTP status of the estimates to their `StatusCode` output member: a 202 is a success,
/// and the caller reads it from the response.
#[tokio::test]
async fn aws_estimates_expose_the_http_status_of_any_success() {
    let (recorder, client) = customer_profiles();
    recorder.reply(202, r#"{"DomainName": "d", "EstimateId": "e1"}"#);
    let started = client
        .create_segment_estimate()
        .domain_name("d")
        .body_map(|b| b.segment_sql_query("SELECT 1".to_owned()))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    assert_eq!(started.estimate_id.as_deref(), Some("e1"));

    recorder.reply(
        202,
        r#"{"DomainName": "d", "EstimateId": "e1", "Status": "RUNNING"}"#,
    );
    let running = client
        .get_segment_estimate()
        .domain_name("d")
        .estimate_id("e1")
        .send()
        .await
        .unwrap();
    assert_eq!(running.status(), 202);
    assert_eq!(running.status.as_ref().map(|s| s.as_str()), Some("RUNNING"));

    recorder.reply(201, r#"{"ProfileId": "0123456789abcdef0123456789abcdef"}"#);
    let created = client
        .create_profile()
        .domain_name("d")
        .body_map(|b| b.first_name("Ada".to_owned()))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

/// The official `PutCustomer` requires `nodeId`: a replacement without it is refused before sending.
#[tokio::test]
async fn a_contacthub_replacement_without_a_node_is_refused_before_sending() {
    let (recorder, client) = contacthub();
    let refused = client
        .update_customer()
        .workspace_id("w")
        .customer_id("c1")
        .body_map(|b| b.external_id(Some("x".to_owned())))
        .send()
        .await;
    assert!(
        matches!(refused, Err(contacthub_api::Error::InvalidRequest(_))),
        "{refused:?}"
    );
    assert!(recorder.shapes().is_empty(), "nothing was sent");

    recorder.reply(200, r#"{"id": "c1", "nodeId": "n"}"#);
    client
        .update_customer()
        .workspace_id("w")
        .customer_id("c1")
        .body_map(|b| b.node_id("n"))
        .send()
        .await
        .unwrap();
    assert_eq!(recorder.single().body, Some(json!({"nodeId": "n"})));
}

/// The sandbox refuses what the real service refuses: a time zone outside the official list, a
/// replacement without `nodeId`, and an `INCREMENT` on timeline event data.
#[tokio::test]
async fn the_sandbox_refuses_what_the_official_documents_refuse() {
    let sandbox = Sandbox::start_with(cdp_sandbox::Config::default().customers(1).profiles(1))
        .await
        .unwrap();
    let credentials = sandbox.credentials();
    let http = reqwest::Client::new();
    let customers = format!(
        "{}/workspaces/{}/customers",
        sandbox.urls().contacthub,
        credentials.contacthub_workspace
    );
    let node = credentials.contacthub_node.clone();
    let post = |body: serde_json::Value| {
        http.post(&customers)
            .bearer_auth(&credentials.contacthub_token)
            .json(&body)
            .send()
    };
    let refused = post(json!({"nodeId": node, "base": {"timezone": "UTC"}}))
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["path"], "/base/timezone");
    let created = post(json!({"nodeId": node, "base": {"timezone": "Europe/Rome",
        "contacts": {"mobileDevices": [{"type": "ANDROID"}]}}}))
    .await
    .unwrap();
    assert_eq!(created.status(), 201, "a partial device is valid");
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let replaced = http
        .put(format!("{customers}/{id}"))
        .bearer_auth(&credentials.contacthub_token)
        .json(&json!({"base": {"firstName": "Ada"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 400);
    let body: serde_json::Value = replaced.json().await.unwrap();
    assert_eq!(body["errors"][0]["path"], "/nodeId");

    let token: serde_json::Value = http
        .post(format!("{}/oauth/token", sandbox.urls().blueconic))
        .basic_auth(
            &credentials.blueconic_client_id,
            Some(&credentials.blueconic_client_secret),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let profile = sandbox.blueconic().segment_members("allvisitors").unwrap()[0].clone();
    let results: serde_json::Value = http
        .put(format!("{}/profiles", sandbox.urls().blueconic))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&json!([{"profileId": profile, "timeline": [
            {"id": "o-1", "eventTypeId": "order", "date": "2024-01-01T00:00:00Z",
             "data": [{"id": "total_revenue", "values": [1], "strategy": "INCREMENT"}]},
            {"id": "o-2", "eventTypeId": "order", "date": "2024-01-01T00:00:00Z",
             "data": [{"id": "total_revenue", "values": [1], "strategy": "SET_IF_EMPTY"}]}
        ]}]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let timeline = &results[0]["timeline"];
    assert_eq!(timeline[0]["state"], "REJECTED", "{results}");
    assert_eq!(timeline[1]["state"], "CREATED", "{results}");
}
