//! The one convention of ContactHub listings: typed fields and sort (strings only through `fields_raw` and
//! `sort_raw`), a query from anything that makes one, `send` for a page and `stream` for everything, and
//! one generic page for customers and events.

use cdp::contacthub::api::types::{CustomerUpdate, EventContext, EventType};
use cdp::contacthub::query::FieldOps as _;
use cdp::contacthub::query::customer as c;
use cdp::contacthub::{Direction, ListPage, NewEvent, Node, Workspace};
use cdp_sandbox::{Config, Sandbox};
use cdp_tests::Recorder;
use cdp_transport::RetryPolicy;
use futures::TryStreamExt as _;

const PAGE: &str =
    r#"{"elements":[{"id":"c1"}],"page":{"size":5,"totalElements":1,"totalPages":1,"number":0}}"#;

fn recorded() -> (Recorder, Node) {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(RetryPolicy::none()))
        .node("n1");
    (recorder, node)
}

#[tokio::test]
async fn typed_fields_of_different_kinds_and_a_typed_sort_shape() {
    let (recorder, node) = recorded();
    recorder.reply(200, PAGE);
    node.customers()
        .size(5)
        .fields((c::base::first_name(), c::base::dob(), c::enabled()))
        .sort(c::registered_at(), Direction::Ascending)
        .query(c::base::last_name().eq("Wayne"))
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn the_escape_hatches_send_what_the_typed_calls_send() {
    let (typed, node) = recorded();
    typed.reply(200, PAGE);
    node.customers()
        .fields([c::base::first_name(), c::base::last_name()])
        .sort(c::base::last_name(), Direction::Descending)
        .send()
        .await
        .unwrap();
    let (raw, node) = recorded();
    raw.reply(200, PAGE);
    node.customers()
        .fields_raw(["base.firstName", "base.lastName"])
        .sort_raw("base.lastName", Direction::Descending)
        .send()
        .await
        .unwrap();
    let typed = typed.single();
    assert_eq!(typed, raw.single());
    assert!(
        typed.query.contains(&"sort=base.lastName,desc".to_owned()),
        "{typed:?}"
    );
    assert!(
        typed
            .query
            .contains(&"fields=base.firstName,base.lastName".to_owned()),
        "{typed:?}"
    );
}

#[tokio::test]
async fn an_event_property_takes_any_serialisable_value_a_date_time_too() {
    let (recorder, node) = recorded();
    recorder.reply(202, r#"{"id":"e1"}"#);
    let at: chrono::DateTime<chrono::Utc> = "2026-11-22T08:00:00Z".parse().unwrap();
    node.add_event(
        NewEvent::new(EventType::ViewedPage, EventContext::Web)
            .customer_id("c1")
            .property("seenAt", at)
            .property("tags", ["a", "b"]),
    )
    .await
    .unwrap();
    let body = recorder.single().body.unwrap();
    assert_eq!(body["properties"]["seenAt"], "2026-11-22T08:00:00Z");
    assert_eq!(body["properties"]["tags"], serde_json::json!(["a", "b"]));
}

#[tokio::test]
async fn customer_and_event_pages_are_one_type_and_reach_their_neighbours() {
    let sandbox = Sandbox::start_with(Config::default().customers(12).profiles(1))
        .await
        .unwrap();
    let creds = sandbox.credentials();
    let node = Workspace::new(&creds.contacthub_workspace, &creds.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&creds.contacthub_node);
    let id = node
        .add_customer(CustomerUpdate::default())
        .send()
        .await
        .unwrap()
        .id;
    for n in 0..3 {
        node.add_event(
            NewEvent::new(EventType::Searched, EventContext::Web)
                .customer_id(&id)
                .property("keyword", format!("k{n}")),
        )
        .await
        .unwrap();
    }

    // One function for both: the page type is the same, generic in its item.
    async fn walk<T>(first: ListPage<T>) -> Vec<u64> {
        let mut numbers = vec![first.page_number()];
        let mut page = first;
        while let Some(next) = page.next_page().await.unwrap() {
            numbers.push(next.page_number());
            page = next;
        }
        numbers
    }
    let events = node.events(&id).size(1).send().await.unwrap();
    assert_eq!(events.total_elements(), 3);
    assert_eq!(walk(events).await, [0, 1, 2]);
    let customers = node.customers().size(5).send().await.unwrap();
    assert_eq!(customers.total_elements(), 13);
    assert_eq!(walk(customers).await, [0, 1, 2]);

    // `send` for one page, `stream` for everything, with the same options.
    let found = node.query(c::id().eq(id.as_str())).send().await.unwrap();
    assert_eq!(found.items().len(), 1);
    let streamed: Vec<_> = node
        .query(c::id().eq(id.as_str()))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 1);
}

#[tokio::test]
async fn a_session_id_from_the_node_ties_anonymous_events_to_their_customer() {
    let sandbox = Sandbox::start_with(Config::default().customers(1).profiles(1))
        .await
        .unwrap();
    let creds = sandbox.credentials();
    let node = Workspace::new(&creds.contacthub_workspace, &creds.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&creds.contacthub_node);
    let session = node.create_session_id();
    node.add_event(
        NewEvent::new(EventType::ViewedPage, EventContext::Web)
            .session_id(&session)
            .property("url", "https://example.com/"),
    )
    .await
    .unwrap();
    let customer = node
        .add_customer(CustomerUpdate::default())
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox.contacthub().events_of(&customer.id).len(), 1);
}
