//! Retry policies name operations by the constants generated from the specs (`<crate>::operations`), so a
//! misspelt operation cannot compile; the constants are the operations the clients send.

use std::time::Duration;

use cdp_tests::Recorder;
use cdp_tests::conformance::Spec;
use cdp_transport::{Auth, Inner, Operation, RetryPolicy};

#[test]
fn each_crate_has_one_constant_per_operation_of_its_spec() {
    for (service, all) in [
        ("contacthub", contacthub_api::operations::ALL),
        ("blueconic", blueconic_api::operations::ALL),
        ("customer-profiles", customer_profiles_api::operations::ALL),
        ("flagship", flagship_api::operations::ALL),
    ] {
        let ids: std::collections::BTreeSet<String> =
            all.iter().map(|op| op.id().to_owned()).collect();
        assert_eq!(
            ids.len(),
            all.len(),
            "{service}: one constant per operation"
        );
        assert_eq!(ids, Spec::load(service).operations(), "{service}");
    }
    assert_eq!(
        customer_profiles_api::operations::GET_SEGMENT_MEMBERSHIP,
        Operation::unchecked("get_segment_membership")
    );
}

fn customer_profiles(policy: RetryPolicy) -> (Recorder, customer_profiles_api::Client) {
    let recorder = Recorder::default();
    // No pause between attempts: what is retried matters here, not when.
    let inner = Inner::new(Auth::None)
        .with_transport(recorder.clone())
        .with_retry(policy.initial_backoff(Duration::ZERO));
    let client =
        customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner);
    (recorder, client)
}

const MEMBERSHIP: &str = r#"{"SegmentDefinitionName":"vip","Profiles":[]}"#;

async fn membership(client: &customer_profiles_api::Client) -> bool {
    client
        .get_segment_membership()
        .domain_name("shop")
        .segment_definition_name("vip")
        .body_map(|b| b.profile_ids(vec!["a1".to_string()]))
        .send()
        .await
        .is_ok()
}

/// A POST read named safe by its constant is retried after a 503; unnamed, it is not.
#[tokio::test]
async fn a_post_named_safe_by_its_constant_is_retried() {
    let (recorder, client) = customer_profiles(
        RetryPolicy::default()
            .safe_operations([customer_profiles_api::operations::GET_SEGMENT_MEMBERSHIP]),
    );
    recorder.reply(503, "").reply(200, MEMBERSHIP);
    assert!(membership(&client).await);
    assert_eq!(recorder.shapes().len(), 2);

    let (recorder, client) = customer_profiles(
        RetryPolicy::default()
            .safe_operations([customer_profiles_api::operations::SEARCH_PROFILES]),
    );
    recorder.reply(503, "").reply(200, MEMBERSHIP);
    assert!(!membership(&client).await);
    assert_eq!(
        recorder.shapes().len(),
        1,
        "another operation's name does not count"
    );
}

/// A PUT named by `never_retry` is sent once, even after a 503.
#[tokio::test]
async fn an_operation_named_never_is_not_retried() {
    let recorder = Recorder::default();
    let inner = Inner::new(Auth::None)
        .with_transport(recorder.clone())
        .with_retry(
            RetryPolicy::default()
                .initial_backoff(Duration::ZERO)
                .never_retry([blueconic_api::operations::BULK_PROFILES]),
        );
    let client = blueconic_api::Client::new("https://tenant.blueconic.net/rest/v2", inner);
    recorder.reply(503, "").reply(200, "[]");
    let sent = client.bulk_profiles().body(Vec::new()).send().await;
    assert!(sent.is_err());
    assert_eq!(recorder.shapes().len(), 1);
}
