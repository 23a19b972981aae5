//! The BlueConic bulk writer against the sandbox: batches, the 413 split, retries of 429 and 503,
//! resends after a lost answer only when safe, exactly once under faults, and the unfinished writer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cdp::blueconic::api::Error as ApiCallError;
use cdp::blueconic::api::types::{
    BulkInputEntry, BulkProfileError, BulkProfileRequest, BulkState, BulkStrategy, MatchCriterion,
    PropertyChange, ValueStrategy,
};
use cdp::blueconic::{Client, ProfileChange, ProfileEdits as _};
use cdp_sandbox::{Config, Faults, Sandbox, Service};

async fn sandbox(profiles: usize) -> Sandbox {
    Sandbox::start_with(Config::default().profiles(profiles))
        .await
        .unwrap()
}

fn client(sandbox: &Sandbox) -> Client {
    let credentials = sandbox.credentials();
    Client::new(
        "tenant.blueconic.net",
        &credentials.blueconic_client_id,
        &credentials.blueconic_client_secret,
    )
    .base_url(&sandbox.urls().blueconic)
}

/// A change that creates (or finds) the profile of `email` and sets `value` on it: safe to repeat.
fn upsert(email: &str, value: usize) -> ProfileChange {
    let mut change = ProfileChange::matching([("email", email)]).create_missing(true);
    change.set_value("bulk_value", value);
    change
}

/// The `bulk_value` of every profile that has one, by email, each email with how many profiles hold it.
fn stored(sandbox: &Sandbox) -> BTreeMap<String, (usize, String)> {
    let state = sandbox.blueconic();
    let mut out: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for id in state.segment_members("allvisitors").unwrap() {
        let profile = state.profile(&id).unwrap();
        let props = profile["properties"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let value = |name: &str| {
            props
                .iter()
                .find(|p| p["id"] == name)
                .and_then(|p| p["values"][0].as_str())
                .map(str::to_owned)
        };
        if let (Some(email), Some(v)) = (value("email"), value("bulk_value")) {
            let slot = out.entry(email).or_insert((0, v));
            slot.0 += 1;
        }
    }
    out
}

fn bulk_requests(sandbox: &Sandbox) -> Vec<cdp_sandbox::JournalEntry> {
    sandbox
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.method == "PUT" && e.path.ends_with("/profiles"))
        .collect()
}

#[tokio::test]
async fn batches_of_the_size_asked_and_a_callback_per_batch() {
    let sandbox = sandbox(0).await;
    let bc = client(&sandbox);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let mut bulk = bc
        .bulk_writer()
        .batch_size(40)
        .on_batch(move |r| sink.lock().unwrap().push(r.count("CREATED")));
    for i in 0..100 {
        bulk.write(upsert(&format!("b{i}@example.com"), i))
            .await
            .unwrap();
    }
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("CREATED"), 100, "{report:?}");
    assert_eq!(*seen.lock().unwrap(), [40, 40, 20]);
    let sizes: Vec<usize> = bulk_requests(&sandbox)
        .iter()
        .map(|e| e.body.as_ref().unwrap().as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [40, 40, 20]);
    assert_eq!(stored(&sandbox).len(), 100);
}

#[tokio::test]
async fn a_413_keeps_what_was_processed_and_sends_the_rest() {
    let sandbox = sandbox(0).await;
    sandbox.blueconic().set_bulk_limit(7);
    let bc = client(&sandbox);
    let mut bulk = bc.bulk_writer();
    for i in 0..20 {
        bulk.write(upsert(&format!("s{i}@example.com"), i))
            .await
            .unwrap();
    }
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("CREATED"), 20, "{report:?}");
    assert!(report.failed.is_empty() && report.outcome_unknown.is_empty());
    // The journal keeps no body of a refused request: statuses and the sizes of the accepted ones.
    let requests = bulk_requests(&sandbox);
    let statuses: Vec<Option<u16>> = requests.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(413), Some(200), Some(200)]);
    let sizes: Vec<usize> = requests[1..]
        .iter()
        .map(|e| e.body.as_ref().unwrap().as_array().unwrap().len())
        .collect();
    assert_eq!(
        sizes,
        [7, 6],
        "the first 7 kept, the other 13 sent in sevens"
    );
    assert_eq!(report.requests, 3);
    let held = stored(&sandbox);
    assert_eq!(held.len(), 20);
    assert!(held.values().all(|(n, _)| *n == 1), "{held:?}");
}

#[tokio::test]
async fn a_lost_answer_of_a_batch_that_is_not_idempotent_is_outcome_unknown_not_resent() {
    let sandbox = sandbox(10).await;
    let bc = client(&sandbox);
    let id = sandbox.blueconic().segment_members("allvisitors").unwrap()[0].clone();
    let before = bc.profile(&id).send().await.unwrap();
    let visits: i64 = before.value("visits").unwrap_or("0").parse().unwrap();
    sandbox.set_faults(
        Service::BlueConic,
        Faults {
            applied_lost_rate: 1.0,
            ..Faults::default()
        },
    );
    let mut change = ProfileChange::for_profile(&id);
    change.increment("visits", 1);
    let mut bulk = bc.bulk_writer();
    bulk.write(change).await.unwrap();
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.outcome_unknown.len(), 1, "{report:?}");
    assert_eq!(
        report.outcome_unknown[0].profile_id.as_deref(),
        Some(id.as_str())
    );
    assert_eq!(report.retries_lost, 0);
    assert_eq!(bulk_requests(&sandbox).len(), 1, "not sent again");
    sandbox.set_faults(Service::BlueConic, Faults::default());
    let after = bc.profile(&id).send().await.unwrap();
    assert_eq!(
        after.value("visits"),
        Some((visits + 1).to_string().as_str()),
        "applied once"
    );
}

#[tokio::test]
async fn a_lost_answer_of_an_idempotent_batch_is_sent_again() {
    let sandbox = sandbox(0).await;
    let bc = client(&sandbox);
    sandbox.set_faults(
        Service::BlueConic,
        Faults {
            applied_lost_rate: 0.5,
            seed: Some(7),
            ..Faults::default()
        },
    );
    let mut bulk = bc.bulk_writer().batch_size(5);
    for i in 0..50 {
        bulk.write(upsert(&format!("l{i}@example.com"), i))
            .await
            .unwrap();
    }
    let report = bulk.finish().await.unwrap();
    assert!(report.retries_lost > 0, "{report:?}");
    assert!(report.outcome_unknown.is_empty(), "{report:?}");
    assert_eq!(
        report.count("CREATED") + report.count("UNCHANGED"),
        50,
        "{report:?}"
    );
    let held = stored(&sandbox);
    assert_eq!(held.len(), 50);
    assert!(
        held.values().all(|(n, _)| *n == 1),
        "exactly once: {held:?}"
    );
}

#[tokio::test]
async fn concurrent_batches_get_429_and_are_retried() {
    let sandbox = sandbox(0).await;
    sandbox
        .blueconic()
        .set_bulk_duration(std::time::Duration::from_millis(20));
    let bc = client(&sandbox);
    let mut bulk = bc.bulk_writer().batch_size(50).max_in_flight(4);
    for i in 0..400 {
        bulk.write(upsert(&format!("c{i}@example.com"), i))
            .await
            .unwrap();
    }
    let report = bulk.finish().await.unwrap();
    assert_eq!(report.count("CREATED"), 400, "{report:?}");
    let throttled = bulk_requests(&sandbox)
        .iter()
        .filter(|e| e.status == Some(429))
        .count();
    assert!(
        throttled > 0,
        "batches overlapped: the service refused some"
    );
    assert_eq!(report.retries_busy as usize, throttled, "{report:?}");
    let held = stored(&sandbox);
    assert!(held.len() == 400 && held.values().all(|(n, _)| *n == 1));
}

#[tokio::test]
async fn a_hundred_thousand_changes_under_faults_are_held_exactly_once() {
    let sandbox = sandbox(0).await;
    sandbox.set_faults(
        Service::BlueConic,
        Faults {
            error_rate: 0.10,
            throttle_rate: 0.02,
            retry_after_secs: 0,
            applied_lost_rate: 0.02,
            seed: Some(11),
            ..Faults::default()
        },
    );
    let bc = client(&sandbox);
    let mut bulk = bc.bulk_writer();
    for i in 0..100_000 {
        bulk.write(upsert(&format!("u{i}@example.com"), i))
            .await
            .unwrap();
    }
    let report = bulk.finish().await.unwrap();
    assert!(
        report.failed.is_empty() && report.outcome_unknown.is_empty(),
        "{:?}",
        report.counts
    );
    assert_eq!(
        report.count("CREATED") + report.count("UNCHANGED"),
        100_000,
        "{:?}",
        report.counts
    );
    assert!(
        report.retries_busy > 0 && report.retries_lost > 0,
        "{report:?}"
    );
    let answered = bulk_requests(&sandbox)
        .iter()
        .filter(|e| e.status == Some(200) && !e.answer_lost)
        .count();
    assert_eq!(answered, 100, "100 batches of 1,000 answered");
    sandbox.set_faults(Service::BlueConic, Faults::default());
    let held = stored(&sandbox);
    assert_eq!(held.len(), 100_000);
    for (email, (count, value)) in &held {
        assert_eq!(*count, 1, "{email} held {count} times");
        assert_eq!(format!("u{value}@example.com"), *email);
    }
}

/// Collects what a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn dropping_an_unfinished_writer_logs_the_unsent_count_and_a_finished_one_does_not() {
    let sandbox = sandbox(0).await;
    let bc = client(&sandbox);
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut bulk = bc.bulk_writer();
    for i in 0..3 {
        bulk.write(upsert(&format!("d{i}@example.com"), i))
            .await
            .unwrap();
    }
    drop(bulk);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("ERROR") && text.contains("3 entries were not written"),
        "{text}"
    );
    assert!(bulk_requests(&sandbox).is_empty(), "nothing was sent");
    logs.0.lock().unwrap().clear();
    let mut bulk = bc.bulk_writer();
    bulk.write(upsert("e@example.com", 1)).await.unwrap();
    bulk.finish().await.unwrap();
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("not written"), "{text}");
}

/// Entries of the generated client that create (or find) the profile of `prefix{i}@example.com` and add
/// a value to it: not safe to repeat.
fn raw_adds(prefix: &str, n: usize) -> Vec<BulkInputEntry> {
    (0..n)
        .map(|i| BulkInputEntry {
            strategy: Some(BulkStrategy::Upsert),
            matching: vec![vec![MatchCriterion {
                id: "email".into(),
                value: format!("{prefix}{i}@example.com"),
            }]],
            properties: vec![PropertyChange {
                id: "interests".into(),
                values: vec!["tea".into()],
                strategy: Some(ValueStrategy::Add),
                restriction: None,
            }],
            ..BulkInputEntry::default()
        })
        .collect()
}

#[tokio::test]
async fn a_413_of_1000_processed_results_reaches_the_generated_client_typed_and_whole() {
    let sandbox = sandbox(0).await;
    let bc = client(&sandbox);
    let err = bc
        .api()
        .unwrap()
        .bulk_profiles()
        .body(BulkProfileRequest(raw_adds("t", 1001)))
        .send()
        .await
        .unwrap_err();
    let ApiCallError::ErrorResponse(answer) = err else {
        panic!("an error answer expected, got {err:?}")
    };
    assert_eq!(answer.status().as_u16(), 413);
    let BulkProfileError::BulkProfileResponse(results) = answer.into_inner() else {
        panic!("the processed results expected")
    };
    // About 70 bytes a result: far past the 4 KiB of an error text, and past 64 KiB.
    assert_eq!(results.len(), 1000);
    assert!(
        results
            .iter()
            .all(|r| r.state == Some(BulkState::Created) && r.profile_id.is_some())
    );
    assert_eq!(stored_interests(&sandbox), 1000);
}

#[tokio::test]
async fn a_413_past_4_kib_keeps_every_processed_result_of_a_batch_not_safe_to_repeat() {
    let sandbox = sandbox(0).await;
    sandbox.blueconic().set_bulk_limit(999);
    let bc = client(&sandbox);
    let mut bulk = bc.bulk_writer();
    for i in 0..1000 {
        let mut change =
            ProfileChange::matching([("email", format!("k{i}@example.com"))]).create_missing(true);
        change.add_value("interests", "tea");
        bulk.write(change).await.unwrap();
    }
    let report = bulk.finish().await.unwrap();
    assert!(
        report.outcome_unknown.is_empty() && report.failed.is_empty(),
        "{} unknown, {} failed",
        report.outcome_unknown.len(),
        report.failed.len()
    );
    assert_eq!(report.count("CREATED"), 1000, "{:?}", report.counts);
    assert_eq!((report.retries_lost, report.requests), (0, 2));
    let requests = bulk_requests(&sandbox);
    let statuses: Vec<Option<u16>> = requests.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(413), Some(200)]);
    assert_eq!(
        requests[1].body.as_ref().unwrap().as_array().unwrap().len(),
        1
    );
    assert_eq!(stored_interests(&sandbox), 1000);
}

#[tokio::test]
async fn the_generated_bulk_call_is_not_sent_again_after_a_lost_answer() {
    let sandbox = sandbox(0).await;
    let bc = client(&sandbox);
    // A token first: the faults below would keep the token route from answering too.
    bc.api().unwrap().list_segments().send().await.unwrap();
    sandbox.set_faults(
        Service::BlueConic,
        Faults {
            applied_lost_rate: 1.0,
            ..Faults::default()
        },
    );
    let err = bc
        .api()
        .unwrap()
        .bulk_profiles()
        .body(BulkProfileRequest(raw_adds("r", 3)))
        .send()
        .await
        .unwrap_err();
    let err = cdp::Error::from(err);
    assert!(matches!(err, cdp::Error::Transport { .. }), "{err:?}");
    assert_eq!(bulk_requests(&sandbox).len(), 1, "sent once, not again");
    sandbox.set_faults(Service::BlueConic, Faults::default());
    assert_eq!(stored_interests(&sandbox), 3, "applied once");
}

/// How many profiles hold `interests` = `tea` exactly once.
fn stored_interests(sandbox: &Sandbox) -> usize {
    let state = sandbox.blueconic();
    state
        .segment_members("allvisitors")
        .unwrap()
        .iter()
        .filter(|id| {
            let profile = state.profile(id).unwrap();
            profile["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["id"] == "interests" && p["values"] == serde_json::json!(["tea"]))
        })
        .count()
}
