//! The transport under the sandbox's faults, over real HTTP: what is safe to repeat is retried until it
//! lands, what is not is sent once, `Retry-After` is honoured, and the timeout bounds a call.

use std::time::{Duration, Instant};

use cdp_sandbox::{Config, Faults, Sandbox, Service};
use cdp_transport::{Auth, Inner, RetryPolicy};

async fn sandbox() -> Sandbox {
    Sandbox::start_with(Config::default().customers(40).profiles(10))
        .await
        .unwrap()
}

fn hub(sandbox: &Sandbox, retry: RetryPolicy, timeout: Duration) -> contacthub_api::Client {
    let inner = Inner::new(Auth::bearer(&sandbox.credentials().contacthub_token))
        .with_service("contacthub")
        .with_retry(retry)
        .with_timeout(timeout);
    contacthub_api::Client::new(&sandbox.urls().contacthub, inner)
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

#[tokio::test]
async fn idempotent_reads_are_retried_through_errors_throttling_and_dropped_connections() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            error_rate: 0.3,
            throttle_rate: 0.1,
            drop_rate: 0.1,
            retry_after_secs: 0,
            ..Faults::default()
        },
    );
    let client = hub(&sandbox, fast_retries(30), Duration::from_secs(20));
    for _ in 0..25 {
        let page = client
            .list_customers()
            .workspace_id(&c.contacthub_workspace)
            .node_id(&c.contacthub_node)
            .size(10)
            .send()
            .await
            .unwrap();
        assert_eq!(page.page.total_elements, 40);
    }
    let statuses: Vec<Option<u16>> = sandbox
        .journal()
        .of(Service::ContactHub)
        .into_iter()
        .map(|e| e.status)
        .collect();
    assert!(
        statuses.len() > 25,
        "faults were drawn, so some reads took more than one attempt: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == Some(200)).count(),
        25,
        "each read landed once"
    );
    assert!(
        statuses.contains(&None) && statuses.contains(&Some(429)),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_non_idempotent_post_is_never_sent_twice() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    let client = hub(&sandbox, fast_retries(5), Duration::from_secs(5));
    let err = client
        .create_customer()
        .workspace_id(&c.contacthub_workspace)
        .body_map(|b| b.node_id(&c.contacthub_node))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err.status().map(|s| s.as_u16()), Some(500 | 503)),
        "{err:?}"
    );
    assert_eq!(sandbox.journal().of(Service::ContactHub).len(), 1);

    sandbox.journal().clear();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            drop_rate: 1.0,
            ..Faults::default()
        },
    );
    assert!(
        client
            .create_customer()
            .workspace_id(&c.contacthub_workspace)
            .body_map(|b| b.node_id(&c.contacthub_node))
            .send()
            .await
            .is_err()
    );
    assert_eq!(
        sandbox.journal().of(Service::ContactHub).len(),
        1,
        "a POST whose connection dropped is not resent"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_attempts_are_bounded() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            throttle_rate: 1.0,
            retry_after_secs: 1,
            ..Faults::default()
        },
    );
    let client = hub(&sandbox, fast_retries(2), Duration::from_secs(10));
    let started = Instant::now();
    let err = client
        .get_customer()
        .workspace_id(&c.contacthub_workspace)
        .customer_id("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited the Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(sandbox.journal().of(Service::ContactHub).len(), 2);
}

#[tokio::test]
async fn a_4xx_is_not_retried() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    let client = hub(&sandbox, fast_retries(5), Duration::from_secs(5));
    let err = client
        .get_customer()
        .workspace_id(&c.contacthub_workspace)
        .customer_id("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(sandbox.journal().of(Service::ContactHub).len(), 1);
}

#[tokio::test]
async fn a_server_that_never_answers_costs_no_more_than_the_timeout() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            latency_ms: 60_000,
            ..Faults::default()
        },
    );
    let client = hub(&sandbox, fast_retries(5), Duration::from_millis(400));
    let started = Instant::now();
    let err = client
        .get_customer()
        .workspace_id(&c.contacthub_workspace)
        .customer_id("x")
        .send()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(3),
        "the timeout bounds every attempt together: {elapsed:?}"
    );
    let contacthub_api::Error::CommunicationError(source) = &err else {
        panic!("a transport error expected, got {err:?}")
    };
    assert!(source.is_timeout(), "{source:?}");
}

/// ContactHub customers as a numbered-page listing, over the generated client.
struct Customers {
    client: contacthub_api::Client,
    workspace: String,
    node: String,
    size: u64,
}

impl cdp::pagination::Pager for Customers {
    type Item = contacthub_api::types::Customer;

    fn service(&self) -> &'static str {
        "ContactHub"
    }

    fn page(
        &self,
        at: Option<cdp::pagination::PageRef>,
    ) -> futures::future::BoxFuture<'static, cdp::Result<cdp::pagination::Page<Self::Item>>> {
        use futures::FutureExt as _;
        let (client, workspace, node, size) = (
            self.client.clone(),
            self.workspace.clone(),
            self.node.clone(),
            self.size,
        );
        async move {
            let number = match at {
                Some(cdp::pagination::PageRef::Number(n)) => n,
                _ => 0,
            };
            let page = client
                .list_customers()
                .workspace_id(&workspace)
                .node_id(&node)
                .page(number as i32)
                .size(size as i32)
                .send()
                .await
                .map_err(cdp::Error::from_call::<contacthub_api::types::PagedCustomer, _>)?
                .into_inner();
            let (total_items, total_pages) = (
                page.page.total_elements as u64,
                page.page.total_pages as u64,
            );
            Ok(cdp::pagination::Page::numbered(
                page.elements,
                number,
                size,
                Some(total_items),
                Some(total_pages),
            ))
        }
        .boxed()
    }
}

#[tokio::test]
async fn twenty_thousand_customers_stream_through_faults_each_exactly_once() {
    use futures::TryStreamExt as _;
    let sandbox = Sandbox::start_with(Config::default().customers(20_000).profiles(10))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            error_rate: 0.10,
            drop_rate: 0.05,
            throttle_rate: 0.03,
            retry_after_secs: 0,
            ..Faults::default()
        },
    );
    let client = hub(&sandbox, fast_retries(12), Duration::from_secs(60));
    let pager = Customers {
        client,
        workspace: c.contacthub_workspace.clone(),
        node: c.contacthub_node.clone(),
        size: 50,
    };
    let ids: Vec<String> = cdp::pagination::stream(pager, true)
        .map_ok(|customer| customer.id)
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids.len(), 20_000);
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 20_000, "no customer twice");
    for id in ids.iter().step_by(997) {
        assert!(
            sandbox.contacthub().customer(id).is_some(),
            "{id} is a real customer"
        );
    }
    let faulted = sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .filter(|e| e.status != Some(200))
        .count();
    assert!(faulted > 20, "the faults were real: {faulted}");
}

#[tokio::test]
async fn a_hundred_thousand_bulk_updates_land_exactly_once() {
    use blueconic_api::types::{BulkInputEntry, PropertyChange};
    let profiles = 1_000;
    let batches = 100;
    let mut config = Config::default().profiles(profiles).customers(1);
    config.journal_capacity = 1_000;
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let c = sandbox.credentials().clone();
    let url = sandbox.urls().blueconic.clone();
    let credentials = cdp_transport::ClientCredentials::new(
        format!("{url}/oauth/token"),
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    );
    let inner = Inner::new(Auth::oauth2(credentials))
        .with_retry(fast_retries(12))
        .with_timeout(Duration::from_secs(60));
    let bc = blueconic_api::Client::new(&url, inner);

    let ids: Vec<String> = {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut call = bc
                .get_segment_profiles()
                .segment_id("allvisitors")
                .count(500);
            if let Some(c) = &cursor {
                call = call.cursor(c);
            }
            let page = call.send().await.unwrap().into_inner();
            ids.extend(page.profiles.into_iter().map(|p| p.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        ids
    };
    assert_eq!(ids.len(), profiles);

    sandbox.set_faults(
        Service::BlueConic,
        Faults {
            error_rate: 0.10,
            drop_rate: 0.05,
            throttle_rate: 0.05,
            retry_after_secs: 0,
            ..Faults::default()
        },
    );
    for batch in 0..batches {
        let entries: Vec<BulkInputEntry> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| BulkInputEntry {
                profile_id: Some(id.clone()),
                identifier: Some(format!("{batch}-{i}")),
                properties: vec![PropertyChange {
                    id: format!("batch_{batch}"),
                    values: vec![format!("{batch}-{i}")],
                    strategy: Some("SET".into()),
                    restriction: None,
                }],
                ..Default::default()
            })
            .collect();
        let results = bc.bulk_profiles().body(entries).send().await.unwrap();
        assert_eq!(results.len(), profiles);
        assert!(
            results
                .iter()
                .all(|r| r.state.as_ref().is_some_and(|s| s.as_str() == "MODIFIED"))
        );
    }

    // Every update is in the state...
    for (i, id) in ids.iter().enumerate() {
        let profile = sandbox.blueconic().profile(id).unwrap();
        let properties = profile["properties"].as_array().unwrap();
        for batch in 0..batches {
            let property = properties
                .iter()
                .find(|p| p["id"] == format!("batch_{batch}"))
                .unwrap_or_else(|| panic!("{id} lacks batch_{batch}"));
            assert_eq!(
                property["values"],
                serde_json::json!([format!("{batch}-{i}")])
            );
        }
    }
    // ...and each batch was applied by exactly one request: faulted attempts never reach the handler.
    let applied: Vec<_> = sandbox
        .journal()
        .of(Service::BlueConic)
        .into_iter()
        .filter(|e| e.method == "PUT" && e.status == Some(200))
        .map(|e| {
            e.body.unwrap()[0]["identifier"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(applied.len(), batches);
    let unique: std::collections::BTreeSet<_> = applied.iter().collect();
    assert_eq!(unique.len(), batches);
}

#[tokio::test]
async fn extreme_timeouts_and_retry_after_values_do_not_panic() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    let client = hub(&sandbox, fast_retries(2), Duration::MAX);
    let page = client
        .list_customers()
        .workspace_id(&c.contacthub_workspace)
        .node_id(&c.contacthub_node)
        .size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.page.total_elements, 40,
        "an endless timeout means no deadline"
    );

    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            throttle_rate: 1.0,
            retry_after_secs: u64::MAX,
            ..Faults::default()
        },
    );
    let policy = fast_retries(3).max_retry_after(Duration::MAX);
    let client = hub(&sandbox, policy, Duration::from_secs(5));
    let started = Instant::now();
    let err = client
        .get_customer()
        .workspace_id(&c.contacthub_workspace)
        .customer_id("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(429),
        "a wait past the end of time is not waited"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// The default policy, paused clock (the sandbox runs in this runtime, so its `Retry-After` of 1 s costs
/// no wall time): five concurrent streams of 20,000 customers under the fault mix of issue #8 all end,
/// each with every customer exactly once. With four attempts for reads, most runs lost a stream.
#[tokio::test(start_paused = true)]
async fn five_streams_of_twenty_thousand_survive_the_fault_mix_with_the_default_policy() {
    use futures::TryStreamExt as _;
    let mut config = Config::default().customers(20_000).profiles(1);
    config.journal_capacity = 2_000;
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            error_rate: 0.10,
            drop_rate: 0.05,
            throttle_rate: 0.02,
            retry_after_secs: 1,
            ..Faults::default()
        },
    );
    let streams: Vec<_> = (0..5)
        .map(|_| {
            let inner = Inner::new(Auth::bearer(&c.contacthub_token)).with_service("contacthub");
            let pager = Customers {
                client: contacthub_api::Client::new(&sandbox.urls().contacthub, inner),
                workspace: c.contacthub_workspace.clone(),
                node: c.contacthub_node.clone(),
                size: 50,
            };
            tokio::spawn(async move {
                cdp::pagination::stream(pager, true)
                    .map_ok(|customer| customer.id)
                    .try_collect::<Vec<String>>()
                    .await
            })
        })
        .collect();
    for stream in streams {
        let ids = stream
            .await
            .unwrap()
            .expect("the stream survived the faults");
        assert_eq!(ids.len(), 20_000);
        let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), 20_000, "no customer twice");
    }
    let journal = sandbox.journal().of(Service::ContactHub);
    let throttled = journal.iter().filter(|e| e.status == Some(429)).count();
    let failed = journal
        .iter()
        .filter(|e| matches!(e.status, Some(500 | 503) | None))
        .count();
    assert!(
        throttled > 0 && failed > 20,
        "the faults were real: {throttled} throttled, {failed} failed in the last {} requests",
        journal.len()
    );
}
