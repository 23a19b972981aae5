//! `cdp::contacthub` customers: what each operation sends (insta), and the operations end to end against
//! the sandbox.

use std::collections::BTreeSet;

use cdp::contacthub::api::types::{CustomerBase, CustomerUpdate, Tags};
use cdp::contacthub::query::customer as c;
use cdp::contacthub::{Direction, Node, Workspace};
use cdp_sandbox::{Config, Sandbox, Service};
use cdp_tests::Recorder;
use cdp_transport::RetryPolicy;
use futures::TryStreamExt as _;
use serde_json::json;

fn recorded() -> (Recorder, Node) {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(RetryPolicy::none()))
        .node("n1");
    (recorder, node)
}

const PAGE: &str = r#"{"elements":[{"id":"c1"}],"page":{"size":5,"totalElements":12,"totalUnfilteredElements":40,"totalPages":3,"number":2}}"#;

/// `PAGE` as page `number` (a listing checks it got the page it asked for).
fn page_number(number: u32) -> String {
    PAGE.replace(r#""number":2"#, &format!(r#""number":{number}"#))
}

#[tokio::test]
async fn list_shape() {
    let (recorder, node) = recorded();
    recorder.reply(200, PAGE);
    let page = node
        .customers()
        .page(2)
        .size(5)
        .fields([c::base::first_name(), c::base::last_name()])
        .sort(c::base::last_name(), Direction::Descending)
        .external_id("crm-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            page.page_number(),
            page.total_elements(),
            page.total_pages()
        ),
        (2, 12, 3)
    );
    assert_eq!(page.total_unfiltered_elements(), Some(40));
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn neighbour_pages_are_the_adjacent_numbers() {
    let (recorder, node) = recorded();
    recorder.reply(200, &page_number(1));
    let page = node.customers().page(1).size(5).send().await.unwrap();
    recorder
        .reply(200, &page_number(2))
        .reply(200, &page_number(0));
    page.next_page().await.unwrap().unwrap();
    page.previous_page().await.unwrap().unwrap();
    let pages: Vec<Vec<String>> = recorder.shapes().into_iter().map(|s| s.query).collect();
    assert!(
        pages[1].contains(&"page=2".to_owned()) && pages[2].contains(&"page=0".to_owned()),
        "{pages:?}"
    );
}

#[tokio::test]
async fn a_size_above_fifty_is_refused_before_sending() {
    let (recorder, node) = recorded();
    let err = node.customers().size(51).send().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: `size` must be 1 to 50, not 51"
    );
    assert!(recorder.shapes().is_empty());
}

#[tokio::test]
async fn ids_that_would_leave_their_path_are_refused_before_sending() {
    let (recorder, node) = recorded();
    for id in ["", ".", ".."] {
        assert!(
            matches!(
                node.delete_customer(id).await,
                Err(cdp::Error::InvalidInput { .. })
            ),
            "{id:?}"
        );
        assert!(
            matches!(
                node.remove_job("c1", id).await,
                Err(cdp::Error::InvalidInput { .. })
            ),
            "{id:?}"
        );
        assert!(
            matches!(
                node.customer(id).await,
                Err(cdp::Error::InvalidInput { .. })
            ),
            "{id:?}"
        );
    }
    let err = node.remove_job("..", "j1").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: `customerId` cannot be a path segment: it reads as `..`"
    );
    assert!(recorder.shapes().is_empty());
    // A slash is no escape: it is percent-encoded into the one path segment.
    recorder.reply(200, "");
    node.delete_customer("a/../b").await.unwrap();
    assert_eq!(
        recorder.single().path,
        "/hub/v1/workspaces/w1/customers/a%2F..%2Fb"
    );
}

#[tokio::test]
async fn add_customer_shape() {
    let (recorder, node) = recorded();
    recorder.reply(201, r#"{"id":"c1","nodeId":"n1"}"#);
    let data = CustomerUpdate {
        external_id: Some("crm-42".into()),
        base: Some(CustomerBase {
            first_name: Some("Ada".into()),
            ..Default::default()
        }),
        tags: Some(Tags {
            auto: vec![],
            manual: vec!["vip".into()],
        }),
        ..Default::default()
    };
    node.add_customer(data)
        .session_id("s-1")
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

/// A create with an external id after an answer that does not say it failed: sent again, and the 409 of
/// the repeat resolves to the customer the first attempt made (read back with a GET). Without the id it is
/// sent once.
#[tokio::test]
async fn keyed_create_retry_shape() {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let retry = RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1));
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(retry))
        .node("n1");
    recorder
        .reply(504, r#"{"message":"gateway timeout"}"#)
        .reply(409, r#"{"message":"Conflict","logref":"l","data":{"customer":{"id":"c-7","href":"h"}},"errors":[]}"#)
        .reply(200, r#"{"id":"c-7","externalId":"crm-42"}"#);
    let customer = node
        .add_customer(CustomerUpdate {
            external_id: Some("crm-42".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(customer.id, "c-7");
    insta::assert_yaml_snapshot!(recorder.shapes());

    let recorder = Recorder::default();
    let transport = recorder.clone();
    let retry = RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1));
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(retry))
        .node("n1");
    recorder.reply(504, r#"{"message":"gateway timeout"}"#);
    let err = node
        .add_customer(CustomerUpdate::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(504));
    assert_eq!(recorder.shapes().len(), 1, "without a key, sent once");
}

/// The 409 of a retry says the customer exists; when it then cannot be read, the caller must not be told
/// the create failed.
#[tokio::test]
async fn a_keyed_create_whose_customer_cannot_be_read_back_is_outcome_unknown() {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let retry = RetryPolicy::default()
        .max_attempts(2)
        .initial_backoff(std::time::Duration::from_millis(1));
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(retry))
        .node("n1");
    recorder
        .reply(502, "")
        .reply(
            409,
            r#"{"message":"Conflict","data":{"customer":{"id":"c-7","href":"h"}},"errors":[]}"#,
        )
        .reply(503, "")
        .reply(503, "");
    let err = node
        .add_customer(CustomerUpdate {
            external_id: Some("crm-42".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, cdp::Error::OutcomeUnknown { source, .. } if source.status() == Some(503)),
        "{err:?}"
    );
    assert_eq!(recorder.shapes().len(), 4);
}

#[tokio::test]
async fn force_update_patches_the_conflicting_customer() {
    let (recorder, node) = recorded();
    recorder
        .reply(409, r#"{"message":"Conflict","logref":"l","data":{"customer":{"id":"c-7","href":"h"}},"errors":[]}"#)
        .reply(200, r#"{"id":"c-7"}"#);
    let data = CustomerUpdate {
        external_id: Some("crm-42".into()),
        extra: Some("gold".into()),
        ..Default::default()
    };
    let customer = node
        .add_customer(data)
        .force_update(true)
        .session_id("s-9")
        .send()
        .await
        .unwrap();
    assert_eq!(customer.id, "c-7");
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn update_patch_and_delete_shapes() {
    let (recorder, node) = recorded();
    recorder
        .reply(200, r#"{"id":"c1"}"#)
        .reply(200, r#"{"id":"c1"}"#)
        .reply(200, "");
    let data = CustomerUpdate {
        extra: Some("x".into()),
        ..Default::default()
    };
    node.update_customer("c1", data).await.unwrap();
    let mut patch = cdp::contacthub::api::MergePatch::new();
    patch.remove("extra");
    node.patch_customer("c1", patch).await.unwrap();
    node.delete_customer("c1").await.unwrap();
    insta::assert_yaml_snapshot!(recorder.shapes());
}

async fn sandbox(customers: usize) -> (Sandbox, Node) {
    let sandbox = Sandbox::start_with(Config::default().customers(customers).profiles(1))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let node = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&c.contacthub_node);
    (sandbox, node)
}

#[tokio::test]
async fn pages_and_the_stream_cover_every_customer() {
    let (sandbox, node) = sandbox(123).await;
    let page = node.customers().size(10).page(2).send().await.unwrap();
    assert_eq!(
        page.page_number(),
        2,
        "the page asked for is the page fetched"
    );
    assert_eq!(
        (
            page.items().len(),
            page.total_elements(),
            page.total_pages()
        ),
        (10, 123, 13)
    );
    let next = page.next_page().await.unwrap().unwrap();
    assert_eq!(next.page_number(), 3);
    let first = page
        .previous_page()
        .await
        .unwrap()
        .unwrap()
        .previous_page()
        .await
        .unwrap()
        .unwrap();
    assert!(first.previous_page().await.unwrap().is_none());

    let all: Vec<String> = node
        .customers()
        .size(50)
        .stream()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    let expected: BTreeSet<String> = sandbox.contacthub().customer_ids().into_iter().collect();
    assert_eq!(all.len(), 123);
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), expected);

    let sorted = node
        .customers()
        .size(50)
        .sort(c::base::last_name(), Direction::Ascending)
        .fields(c::base::last_name())
        .send()
        .await
        .unwrap();
    let names: Vec<String> = sorted
        .items()
        .iter()
        .filter_map(|c| c.base.as_ref()?.last_name.clone())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    assert!(
        sorted
            .items()
            .iter()
            .all(|c| c.base.as_ref().is_none_or(|b| b.first_name.is_none()))
    );
}

#[tokio::test]
async fn create_conflict_force_update_and_the_rest_of_the_life_of_a_customer() {
    let (sandbox, node) = sandbox(20).await;
    let data = CustomerUpdate {
        external_id: Some("crm-42".into()),
        base: Some(CustomerBase {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let ada = node.add_customer(data.clone()).send().await.unwrap();
    assert_eq!(
        node.customer_by_external_id("crm-42")
            .await
            .unwrap()
            .unwrap()
            .id,
        ada.id
    );

    let err = node.add_customer(data).send().await.unwrap_err();
    assert!(err.api().is_some_and(|a| a.is_conflict()), "{err}");

    let again = CustomerUpdate {
        external_id: Some("crm-42".into()),
        extra: Some("gold".into()),
        ..Default::default()
    };
    let updated = node
        .add_customer(again)
        .force_update(true)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.id, ada.id, "the existing customer was updated");
    let stored = sandbox.contacthub().customer(&ada.id).unwrap();
    assert_eq!(stored["extra"], "gold");
    assert_eq!(
        stored["base"]["firstName"], "Ada",
        "a merge: members not given are kept"
    );

    let mut patch = cdp::contacthub::api::MergePatch::new();
    patch
        .set("base", json!({"contacts": {"email": "ada@example.com"}}))
        .remove("extra");
    node.patch_customer(&ada.id, patch).await.unwrap();
    let stored = sandbox.contacthub().customer(&ada.id).unwrap();
    assert_eq!(stored["base"]["contacts"]["email"], "ada@example.com");
    assert!(stored.get("extra").is_none());

    let replaced = CustomerUpdate {
        base: Some(CustomerBase {
            first_name: Some("Augusta".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    node.update_customer(&ada.id, replaced).await.unwrap();
    let stored = sandbox.contacthub().customer(&ada.id).unwrap();
    assert_eq!(stored["base"]["firstName"], "Augusta");
    assert!(
        stored["base"].get("lastName").is_none(),
        "a full update removes what it leaves out"
    );

    sandbox.journal().clear();
    assert_eq!(
        node.patch_customer(&ada.id, cdp::contacthub::api::MergePatch::new())
            .await
            .unwrap()
            .id,
        ada.id
    );
    assert!(
        sandbox
            .journal()
            .of(Service::ContactHub)
            .iter()
            .all(|e| e.method != "PATCH"),
        "an empty patch sends nothing"
    );

    node.delete_customer(&ada.id).await.unwrap();
    assert!(sandbox.contacthub().customer(&ada.id).is_none());
    let err = node.customer(&ada.id).await.unwrap_err();
    assert!(err.api().is_some_and(|a| a.is_not_found()), "{err}");
    assert!(
        node.customer_by_external_id("crm-42")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_node_that_does_not_exist_is_an_api_error() {
    let (sandbox, _) = sandbox(1).await;
    let c = sandbox.credentials();
    let node = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node("nowhere");
    let err = node.customers().send().await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().contains("node not found"), "{err}");
}

#[tokio::test]
async fn a_fetched_customer_patches_exactly_what_changed_and_nothing_when_nothing_did() {
    let (sandbox, node) = sandbox(10).await;
    let id = sandbox.contacthub().customer_ids()[3].clone();
    let before = sandbox.contacthub().customer(&id).unwrap();
    let mut customer = node.customer(&id).await.unwrap();
    assert!(customer.patch().await.is_ok());
    sandbox.journal().clear();

    // Three edits: set an email, remove the last name, change the manual tags.
    let base = customer.base.get_or_insert_default();
    base.contacts.get_or_insert_default().email = Some("tracked@example.com".into());
    base.last_name = None;
    customer.tags.get_or_insert_default().manual = vec!["tracked".into()];
    customer.patch().await.unwrap();

    let patches: Vec<serde_json::Value> = sandbox
        .journal()
        .of(Service::ContactHub)
        .into_iter()
        .filter(|e| e.method == "PATCH")
        .map(|e| e.body.unwrap())
        .collect();
    let mut expected = json!({"base": {"contacts": {"email": "tracked@example.com"}}, "tags": {"manual": ["tracked"]}});
    if before["base"].get("lastName").is_some() {
        expected["base"]["lastName"] = serde_json::Value::Null;
    }
    assert_eq!(patches, [expected], "one PATCH with exactly the edits");

    let stored = sandbox.contacthub().customer(&id).unwrap();
    assert_eq!(stored["base"]["contacts"]["email"], "tracked@example.com");
    assert!(stored["base"].get("lastName").is_none());
    assert_eq!(
        stored["extended"], before["extended"],
        "what was not edited is untouched"
    );

    sandbox.journal().clear();
    customer.patch().await.unwrap();
    assert!(
        sandbox.journal().entries().is_empty(),
        "nothing changed since: nothing sent"
    );

    // A full update keeps everything, edits included.
    customer.extra = Some("full".into());
    customer.update().await.unwrap();
    let stored = sandbox.contacthub().customer(&id).unwrap();
    assert_eq!(stored["extra"], "full");
    assert_eq!(stored["extended"], before["extended"]);
    assert_eq!(stored["base"]["contacts"]["email"], "tracked@example.com");

    customer.add_tag("again").await.unwrap();
    assert_eq!(customer.tags.as_ref().unwrap().manual, ["tracked", "again"]);
    customer.delete().await.unwrap();
    assert!(sandbox.contacthub().customer(&id).is_none());
}

#[tokio::test]
async fn tracked_customer_shapes() {
    let (recorder, node) = recorded();
    let fetched = r#"{"id":"c1","nodeId":"n1","base":{"firstName":"Ada","lastName":"King","nickname":"the Enchantress"},"extra":"x"}"#;
    recorder.reply(200, fetched);
    let mut ada = node.customer("c1").await.unwrap();
    ada.base.as_mut().unwrap().last_name = Some("Lovelace".into());
    ada.extra = None;
    recorder.reply(200, r#"{"id":"c1","nodeId":"n1","base":{"firstName":"Ada","lastName":"Lovelace","nickname":"the Enchantress"}}"#);
    ada.patch().await.unwrap();
    ada.base.as_mut().unwrap().first_name = Some("Augusta Ada".into());
    recorder.reply(200, r#"{"id":"c1"}"#);
    ada.update().await.unwrap();
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn a_dsl_query_shape_and_a_bad_query_sends_nothing() {
    use cdp::contacthub::query::prelude::*;
    use customer as c;
    let (recorder, node) = recorded();
    recorder.reply(200, &page_number(0));
    node.query(Query::from(c::base::first_name().eq("Bruce")).name("bruces"))
        .filter(c::base::contacts::email().is_not_null())
        .size(5)
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());

    let (recorder, node) = recorded();
    let err = node.query(Query::new()).send().await.unwrap_err();
    assert!(matches!(err, cdp::Error::InvalidInput { .. }), "{err}");
    assert!(recorder.shapes().is_empty());
}

#[tokio::test]
async fn queries_through_the_node_find_what_the_sandbox_holds() {
    use cdp::contacthub::query::prelude::*;
    use customer as c;
    let (sandbox, node) = sandbox(200).await;
    let all: Vec<serde_json::Value> = sandbox
        .contacthub()
        .customer_ids()
        .iter()
        .map(|id| sandbox.contacthub().customer(id).unwrap())
        .collect();
    let first = all[0]["base"]["firstName"].as_str().unwrap().to_owned();
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|c| {
            c["base"]["firstName"] == first.as_str() && c["base"]["contacts"]["email"].is_string()
        })
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!expected.is_empty());
    let found: Vec<String> = node
        .query(Query::from(c::base::first_name().eq(first.as_str())))
        .filter(c::base::contacts::email().is_not_null())
        .size(3)
        .stream()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), expected);
    let page = node
        .query(c::base::first_name().eq(first.as_str()))
        .send()
        .await
        .unwrap();
    assert!(page.total_elements() >= expected.len() as u64);
    assert_eq!(page.total_unfiltered_elements(), Some(200));
}
