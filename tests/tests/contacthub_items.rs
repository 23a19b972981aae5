//! A customer's items (educations, jobs, likes, subscriptions): removing one whose answer was lost is Ok
//! on the 404 that follows, while a plain 404 stays an error; an item create answered with an empty
//! body is the item as sent.

use std::time::Duration;

use cdp::contacthub::api::types::{Education, Job, Like, Subscription};
use cdp::contacthub::{Node, Workspace};
use cdp_sandbox::{Config, Faults, Sandbox, Service};
use cdp_transport::RetryPolicy;

async fn sandbox() -> Sandbox {
    Sandbox::start_with(Config::default().customers(2).profiles(1))
        .await
        .unwrap()
}

fn node(sandbox: &Sandbox) -> Node {
    let c = sandbox.credentials();
    let retry = RetryPolicy::default()
        .max_attempts(5)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5));
    Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .configure(|config| config.retry(retry).timeout(Duration::from_secs(20)))
        .node(&c.contacthub_node)
}

/// An item with only its id.
fn item<T: serde::de::DeserializeOwned>(id: &str) -> T {
    serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
}

fn lose_every_applied_answer(sandbox: &Sandbox) {
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            applied_lost_rate: 1.0,
            ..Faults::default()
        },
    );
}

/// The statuses the sandbox answered to the DELETEs, `None` for an answer lost after the write.
fn delete_statuses(sandbox: &Sandbox) -> Vec<Option<u16>> {
    sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .filter(|e| e.method == "DELETE")
        .map(|e| e.status)
        .collect()
}

fn items_of(sandbox: &Sandbox, customer: &str, list: &str) -> Vec<String> {
    let stored = sandbox.contacthub().customer(customer).unwrap();
    stored["base"][list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn removing_an_item_whose_answer_was_lost_is_ok_for_each_kind() {
    let sandbox = sandbox().await;
    let customer = sandbox.contacthub().customer_ids().remove(0);
    let node = node(&sandbox);
    let id = |kind: &str| format!("lost-{kind}");
    node.add_education(&customer, item::<Education>(&id("education")))
        .await
        .unwrap();
    node.add_job(&customer, item::<Job>(&id("job")))
        .await
        .unwrap();
    node.add_like(&customer, item::<Like>(&id("like")))
        .await
        .unwrap();
    node.add_subscription(&customer, item::<Subscription>(&id("subscription")))
        .await
        .unwrap();

    lose_every_applied_answer(&sandbox);
    node.remove_education(&customer, &id("education"))
        .await
        .unwrap();
    node.remove_job(&customer, &id("job")).await.unwrap();
    node.remove_like(&customer, &id("like")).await.unwrap();
    node.remove_subscription(&customer, &id("subscription"))
        .await
        .unwrap();

    assert_eq!(
        delete_statuses(&sandbox),
        [None, Some(404)].repeat(4),
        "each item removed, its answer lost, then a 404"
    );
    for list in ["educations", "jobs", "likes", "subscriptions"] {
        assert!(
            !items_of(&sandbox, &customer, list)
                .iter()
                .any(|i| i.starts_with("lost-")),
            "{list} still holds the item"
        );
    }
}

#[tokio::test]
async fn removing_an_item_that_is_not_there_is_still_a_404() {
    let sandbox = sandbox().await;
    let customer = sandbox.contacthub().customer_ids().remove(0);
    let node = node(&sandbox);
    let err = node
        .remove_education(&customer, "never-there")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = node
        .remove_like(&customer, "never-there")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(delete_statuses(&sandbox), [Some(404), Some(404)]);
}
