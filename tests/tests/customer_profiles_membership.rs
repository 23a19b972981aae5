//! `cdp::customer_profiles` segment membership: the request shape (insta, and field by field against the
//! service model), and end to end against the sandbox, which checks the SigV4 signature of every request.

mod customer_profiles_common;

use std::collections::BTreeSet;

use cdp::customer_profiles::{Client, MembershipStatus};
use cdp::transport::AwsCredentials;
use cdp_sandbox::{Config, Sandbox};
use customer_profiles_common::{recorded, sandbox_client};

use serde_json::json;

const A: &str = "0123456789abcdef0123456789abcdef";
const B: &str = "fedcba9876543210fedcba9876543210";

#[tokio::test]
async fn membership_request_shape() {
    let (signed, client) = recorded();
    signed.recorder.reply(
        200,
        &json!({
            "SegmentDefinitionName": "vip",
            "Profiles": [{"ProfileId": A, "QueryResult": "PRESENT"}],
            "Failures": [{"ProfileId": B, "Message": "Profile not found", "Status": 404}],
            "LastComputedAt": 1_764_000_000.5
        })
        .to_string(),
    );
    let membership = client
        .segment_membership("shop", "vip")
        .profile_ids([A, B, A])
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(signed.shapes());
    assert_eq!(membership.entries.len(), 3);
    assert!(membership.entries[0].status.is_present() && membership.entries[2].status.is_present());
    assert_eq!(
        membership.entries[1].status,
        MembershipStatus::Failed {
            message: "Profile not found".into(),
            status: Some(404)
        }
    );
    assert_eq!(
        membership.last_computed_at.map(|t| t.to_rfc3339()),
        Some("2025-11-24T16:00:00.500+00:00".to_owned())
    );
}

/// The request written out by hand from the service model
/// (`shared/reference/customer-profiles/service-2.json`, botocore 1.44.5, operation `GetSegmentMembership`):
/// `"http": {"method": "POST", "requestUri": "/domains/{DomainName}/segments/{SegmentDefinitionName}/membership"}`;
/// `DomainName` and `SegmentDefinitionName` are `location: uri` (shape `name`, pattern `^[a-zA-Z0-9_-]+$`);
/// `ProfileIds` (list of `uuid`, pattern `[a-f0-9]{32}`) is the one body member; metadata `protocol: rest-json`
/// (so `content-type: application/json`), `signatureVersion: v4`, `signingName: profile`.
#[tokio::test]
async fn membership_request_matches_the_service_model() {
    let (signed, client) = recorded();
    // Names at the edge of the pattern: `_` and `-` are unreserved and stay as they are in the path.
    client
        .segment_membership("my_domain-1", "vip_2024-q1")
        .profile_ids([B, A])
        .send()
        .await
        .unwrap();
    let shape = signed.recorder.single();
    assert_eq!(shape.op, "get_segment_membership");
    assert_eq!(shape.method, "POST");
    assert_eq!(
        shape.path,
        "/domains/my_domain-1/segments/vip_2024-q1/membership"
    );
    assert!(shape.query.is_empty(), "{:?}", shape.query);
    assert_eq!(
        shape.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    assert!(
        shape
            .headers
            .get("authorization")
            .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256")),
        "{:?}",
        shape.headers
    );
    assert!(shape.headers.contains_key("x-amz-date"));
    assert_eq!(shape.body, Some(json!({"ProfileIds": [B, A]})));
    let signed_headers = signed.signed_headers();
    let list: BTreeSet<&str> = signed_headers[0].split(';').collect();
    assert!(
        ["content-type", "host", "x-amz-date"]
            .iter()
            .all(|h| list.contains(h)),
        "{list:?}"
    );
}

#[tokio::test]
async fn ids_and_names_are_checked_before_anything_is_sent() {
    let (signed, client) = recorded();
    let err = client
        .segment_membership("shop", "vip")
        .profile_ids([A, "0123456789ABCDEF0123456789ABCDEF"])
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, cdp::Error::InvalidInput { field: Some(f), message } if f == "ProfileIds" && message.contains("0123456789ABCDEF0123456789ABCDEF")),
        "{err:?}"
    );
    let err = client
        .segment_membership("shop", "../vip")
        .profile_ids([A])
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "SegmentDefinitionName"),
        "{err:?}"
    );
    assert!(signed.recorder.shapes().is_empty());
    // No ids: an empty answer, nothing sent.
    let m = client
        .segment_membership("shop", "vip")
        .send()
        .await
        .unwrap();
    assert!(m.entries.is_empty());
    assert!(signed.recorder.shapes().is_empty());
}

#[tokio::test]
async fn more_than_100_ids_are_split_and_each_distinct_id_asked_once() {
    let (signed, client) = recorded();
    let ids: Vec<String> = (0..250u32).map(|i| format!("{i:032x}")).collect();
    let mut asked = ids.clone();
    asked.extend(ids.iter().take(30).cloned());
    client
        .segment_membership("shop", "vip")
        .profile_ids(asked)
        .concurrency(1)
        .send()
        .await
        .unwrap();
    let shapes = signed.recorder.shapes();
    let sizes: Vec<usize> = shapes
        .iter()
        .map(|s| {
            s.body.as_ref().unwrap()["ProfileIds"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    let sent: Vec<String> = shapes
        .iter()
        .flat_map(|s| {
            s.body.as_ref().unwrap()["ProfileIds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(sent, ids);
}

#[tokio::test]
async fn membership_end_to_end_agrees_with_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let (client, domain) = sandbox_client(&sandbox);
    let state = sandbox.customer_profiles();
    let all = state.profile_ids();
    let vip: BTreeSet<String> = state.segment_members("vip").unwrap().into_iter().collect();
    let unknown = "00000000000000000000000000000000".to_owned();
    let mut asked: Vec<String> = all.iter().take(150).cloned().collect();
    asked.push(unknown.clone());
    asked.push(all[0].clone());
    let m = client
        .segment_membership(&domain, "vip")
        .profile_ids(asked.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(m.segment, "vip");
    assert!(m.last_computed_at.is_some());
    assert_eq!(m.entries.len(), asked.len());
    for (entry, id) in m.entries.iter().zip(&asked) {
        assert_eq!(&entry.profile_id, id);
        if *id == unknown {
            assert!(
                matches!(
                    entry.status,
                    MembershipStatus::Failed {
                        status: Some(404),
                        ..
                    }
                ),
                "{entry:?}"
            );
        } else {
            assert_eq!(entry.status.is_present(), vip.contains(id), "{id}");
            assert!(matches!(
                entry.status,
                MembershipStatus::Present { .. } | MembershipStatus::Absent { .. }
            ));
        }
    }
    // A segment that does not exist is the service's 404, recognisable.
    let err = client
        .segment_membership(&domain, "no-such-segment")
        .profile_ids([all[0].clone()])
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.api().and_then(|a| a.kind.as_deref()),
        Some("ResourceNotFoundException")
    );
    // Wrong credentials: the sandbox refuses the signature.
    let c = sandbox.credentials();
    let wrong = Client::new(
        &c.aws_region,
        AwsCredentials::new(&c.aws_access_key_id, "not-the-secret"),
    )
    .base_url(&sandbox.urls().customer_profiles);
    let err = wrong
        .segment_membership(&domain, "vip")
        .profile_ids([all[0].clone()])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403), "{err:?}");
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn membership_of_10000_ids_answers_each_position_once_in_order() {
    let sandbox = Sandbox::start_with(Config {
        aws_profiles: 2000,
        ..Config::default()
    })
    .await
    .unwrap();
    let (client, domain) = sandbox_client(&sandbox);
    let state = sandbox.customer_profiles();
    let all = state.profile_ids();
    let known: BTreeSet<&String> = all.iter().collect();
    let members: BTreeSet<String> = state
        .segment_members("eu-customers")
        .unwrap()
        .into_iter()
        .collect();
    // 10,000 positions: every profile, then profiles again (repeats), then ids no profile has.
    let mut asked: Vec<String> = Vec::with_capacity(10_000);
    for i in 0..10_000usize {
        asked.push(match i % 5 {
            4 => format!("{:032x}", 0xdead_0000_u64 + i as u64),
            _ => all[(i * 7) % all.len()].clone(),
        });
    }
    let m = client
        .segment_membership(&domain, "eu-customers")
        .profile_ids(asked.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(m.entries.len(), 10_000);
    for (i, (entry, id)) in m.entries.iter().zip(&asked).enumerate() {
        assert_eq!(&entry.profile_id, id, "position {i}");
        match &entry.status {
            MembershipStatus::Present { .. } => assert!(members.contains(id), "{i}"),
            MembershipStatus::Absent { .. } => {
                assert!(!members.contains(id) && known.contains(id), "{i}")
            }
            MembershipStatus::Failed { status, .. } => {
                assert_eq!(*status, Some(404));
                assert!(!known.contains(id), "{i}");
            }
            other => panic!("position {i}: {other:?}"),
        }
    }
}

/// Membership is a read sent as POST: the client marks it safe, so an internal error or a throttle is
/// retried as a `GET` would be, while a create is not.
#[tokio::test(start_paused = true)]
async fn membership_is_retried_after_internal_errors_and_throttling() {
    let (signed, client) = recorded();
    signed.recorder.reply(
        500,
        r#"{"__type":"InternalServerException","Message":"oops"}"#,
    );
    signed.recorder.reply_with_headers(
        429,
        &[("x-amzn-errortype", "ThrottlingException")],
        r#"{"Message":"Rate exceeded"}"#,
    );
    signed.recorder.reply(
        200,
        &json!({"Profiles": [{"ProfileId": A, "QueryResult": "ABSENT"}]}).to_string(),
    );
    let m = client
        .segment_membership("shop", "vip")
        .profile_ids([A])
        .send()
        .await
        .unwrap();
    assert!(matches!(
        m.entries[0].status,
        MembershipStatus::Absent { .. }
    ));
    assert_eq!(signed.recorder.shapes().len(), 3);
}

/// A retry policy of the caller's own still retries membership: the client marks it safe whatever the
/// policy.
#[tokio::test(start_paused = true)]
async fn a_retry_policy_of_your_own_keeps_membership_safe() {
    let (signed, client) = recorded();
    let client =
        client.configure(|c| c.retry(cdp::transport::RetryPolicy::default().max_attempts(2)));
    signed.recorder.reply(503, r#"{"Message":"unavailable"}"#);
    signed.recorder.reply(
        200,
        &json!({"Profiles": [{"ProfileId": A, "QueryResult": "PRESENT"}]}).to_string(),
    );
    let m = client
        .segment_membership("shop", "vip")
        .profile_ids([A])
        .send()
        .await
        .unwrap();
    assert!(m.entries[0].status.is_present());
    assert_eq!(signed.recorder.shapes().len(), 2);
}

/// Counts the calls in flight and answers each after a pause, with no profile.
#[derive(Debug, Default)]
struct Gauge {
    now: std::sync::atomic::AtomicUsize,
    max: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
}

impl cdp::transport::Transport for Gauge {
    fn execute<'a>(
        &'a self,
        _client: &'a reqwest::Client,
        _request: reqwest::Request,
        _operation: &'static str,
    ) -> cdp::transport::BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        use std::sync::atomic::Ordering::SeqCst;
        Box::pin(async move {
            let now = self.now.fetch_add(1, SeqCst) + 1;
            self.max.fetch_max(now, SeqCst);
            self.calls.fetch_add(1, SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            self.now.fetch_sub(1, SeqCst);
            let answer = http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(r#"{"Profiles":[]}"#.to_owned())
                .unwrap();
            Ok(reqwest::Response::from(answer))
        })
    }
}

#[tokio::test(start_paused = true)]
async fn calls_run_at_most_the_concurrency_at_once() {
    use std::sync::atomic::Ordering::SeqCst;
    let ids: Vec<String> = (0..1_000u32).map(|i| format!("{i:032x}")).collect();
    for (concurrency, expected) in [(None, 4), (Some(2), 2), (Some(1), 1)] {
        let gauge = std::sync::Arc::new(Gauge::default());
        let shared = gauge.clone();
        let client = Client::new("eu-west-1", AwsCredentials::new("AKIDEXAMPLE", "secret"))
            .configure(move |c| c.transport(SharedTransport(shared)));
        let mut request = client
            .segment_membership("shop", "vip")
            .profile_ids(ids.clone());
        if let Some(n) = concurrency {
            request = request.concurrency(n);
        }
        let m = request.send().await.unwrap();
        assert_eq!(m.entries.len(), 1_000);
        assert_eq!(gauge.calls.load(SeqCst), 10);
        assert_eq!(gauge.max.load(SeqCst), expected, "{concurrency:?}");
    }
}

/// A transport shared with the test, to read its counts afterwards.
#[derive(Debug)]
struct SharedTransport(std::sync::Arc<Gauge>);

impl cdp::transport::Transport for SharedTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> cdp::transport::BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        self.0.execute(client, request, operation)
    }
}
