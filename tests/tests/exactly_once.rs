//! Writes whose answer is lost: a create with an external id is retried and lands once, one without is
//! an `OutcomeUnknown`, a delete whose answer was lost is Ok; and, under the full fault mix, a 20,000
//! customer stream and 1,000 keyed creates lose nothing and duplicate nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use cdp::Error;
use cdp::contacthub::api::types::CustomerUpdate;
use cdp::contacthub::{Node, Workspace};
use cdp_sandbox::{Config, Faults, Sandbox, Service};
use cdp_transport::RetryPolicy;
use futures::{StreamExt as _, TryStreamExt as _};

async fn sandbox(customers: usize) -> Sandbox {
    Sandbox::start_with(Config::default().customers(customers).profiles(1))
        .await
        .unwrap()
}

/// The sandbox's node, with quick retries (`attempts` in all) and a call timeout of `timeout`.
fn node(sandbox: &Sandbox, attempts: u32, timeout: Duration) -> Node {
    let c = sandbox.credentials();
    let retry = RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5));
    Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .configure(|config| config.retry(retry).timeout(timeout))
        .node(&c.contacthub_node)
}

fn keyed(external_id: &str) -> CustomerUpdate {
    CustomerUpdate {
        external_id: Some(external_id.to_owned()),
        ..Default::default()
    }
}

/// Every stored customer's id, by external id.
fn stored_by_external_id(sandbox: &Sandbox) -> BTreeMap<String, Vec<String>> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in sandbox.contacthub().customer_ids() {
        let customer = sandbox.contacthub().customer(&id).unwrap();
        if let Some(key) = customer["externalId"].as_str() {
            by_key.entry(key.to_owned()).or_default().push(id);
        }
    }
    by_key
}

fn lost_answers(sandbox: &Sandbox, method: &str) -> usize {
    sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .filter(|e| e.answer_lost && e.method == method)
        .count()
}

#[tokio::test]
async fn a_keyed_create_whose_answer_was_lost_is_retried_and_resolves_to_the_customer_it_made() {
    let sandbox = sandbox(3).await;
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            applied_lost_rate: 0.3,
            ..Faults::default()
        },
    );
    let node = node(&sandbox, 10, Duration::from_secs(20));
    for n in 0..30 {
        let key = format!("crm-{n}");
        let created = node.add_customer(keyed(&key)).send().await.unwrap();
        assert_eq!(created.external_id.as_deref(), Some(key.as_str()));
    }
    assert!(
        lost_answers(&sandbox, "POST") > 0,
        "some creates lost their answer"
    );
    let stored = stored_by_external_id(&sandbox);
    for n in 0..30 {
        assert_eq!(stored[&format!("crm-{n}")].len(), 1, "crm-{n} once");
    }
}

#[tokio::test]
async fn an_unkeyed_create_whose_answer_was_lost_is_outcome_unknown() {
    let sandbox = sandbox(3).await;
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            applied_lost_rate: 1.0,
            ..Faults::default()
        },
    );
    let node = node(&sandbox, 10, Duration::from_secs(20));
    let err = node
        .add_customer(CustomerUpdate::default())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutcomeUnknown {
                operation: "create_customer",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sandbox.contacthub().customer_count(), 4, "it did land");
    assert_eq!(
        sandbox.journal().of(Service::ContactHub).len(),
        1,
        "and was sent once"
    );
}

#[tokio::test]
async fn a_create_that_times_out_is_outcome_unknown() {
    let sandbox = sandbox(3).await;
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            latency_ms: 5_000,
            ..Faults::default()
        },
    );
    let node = node(&sandbox, 1, Duration::from_millis(300));
    let err = node
        .add_customer(CustomerUpdate::default())
        .send()
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**source, Error::Timeout { .. }), "{source:?}");
}

#[tokio::test]
async fn a_create_refused_outright_is_not_outcome_unknown() {
    let sandbox = sandbox(3).await;
    let node = node(&sandbox, 10, Duration::from_secs(20));
    node.add_customer(keyed("taken")).send().await.unwrap();
    let err = node.add_customer(keyed("taken")).send().await.unwrap_err();
    assert!(
        err.api().is_some_and(|api| api.is_conflict()),
        "a 409 on the first attempt is a real conflict: {err:?}"
    );
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_is_ok_and_a_plain_404_is_not() {
    let sandbox = sandbox(3).await;
    let id = sandbox.contacthub().customer_ids().remove(0);
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            applied_lost_rate: 1.0,
            ..Faults::default()
        },
    );
    let node = node(&sandbox, 10, Duration::from_secs(20));
    node.delete_customer(&id).await.unwrap();
    assert!(sandbox.contacthub().customer(&id).is_none());
    let statuses: Vec<Option<u16>> = sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(
        statuses,
        [None, Some(404)],
        "deleted, answer lost, then 404"
    );

    sandbox.set_faults(Service::ContactHub, Faults::default());
    let err = node.delete_customer(&id).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
}

/// The done-when of issue 8: the fault mix of item 12 (`Retry-After: 1`) plus "applied, answer lost" at 2%,
/// with the default retry policy. The clock is paused and the sandbox runs in this runtime, so the
/// service's `Retry-After` and the backoff cost no wall time.
#[tokio::test(start_paused = true)]
async fn under_the_fault_mix_a_big_stream_and_a_thousand_keyed_creates_lose_and_duplicate_nothing()
{
    let sandbox = sandbox(20_000).await;
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            error_rate: 0.10,
            drop_rate: 0.05,
            throttle_rate: 0.02,
            applied_lost_rate: 0.02,
            retry_after_secs: 1,
            ..Faults::default()
        },
    );
    let c = sandbox.credentials();
    let node = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&c.contacthub_node);

    let ids: Vec<String> = node
        .customers()
        .size(50)
        .stream()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 20_000);
    let unique: BTreeSet<String> = ids.into_iter().collect();
    let stored: BTreeSet<String> = sandbox.contacthub().customer_ids().into_iter().collect();
    assert_eq!(unique, stored, "every customer once");

    let results: Vec<(String, cdp::Result<String>)> = futures::stream::iter(0..1_000)
        .map(|n| {
            let node = node.clone();
            async move {
                let key = format!("done-when-{n}");
                let result = node.add_customer(keyed(&key)).send().await.map(|c| c.id);
                (key, result)
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let stored = stored_by_external_id(&sandbox);
    let (mut lost, mut duplicated, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for (key, result) in &results {
        let ids = stored.get(key).cloned().unwrap_or_default();
        if ids.len() > 1 {
            duplicated.push(key);
        }
        match result {
            Ok(id) if ids != [id.clone()] => lost.push(key),
            Ok(_) => {}
            Err(Error::OutcomeUnknown { .. }) => failed.push(key),
            // A plain error must mean nothing was stored.
            Err(_) if !ids.is_empty() => lost.push(key),
            Err(_) => failed.push(key),
        }
    }
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(duplicated.is_empty(), "duplicated: {duplicated:?}");
    assert!(failed.is_empty(), "every create completes: {failed:?}");
    assert!(lost_answers(&sandbox, "POST") > 0, "the case was exercised");
    let faulted = sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .filter(|e| e.status.is_none_or(|s| s >= 429))
        .count();
    assert!(faulted > 100, "the faults were real: {faulted}");
}
