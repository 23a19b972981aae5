//! `cdp::contacthub` events, sessions, tags and the four kinds of items: what they send (insta) and what
//! they do against the sandbox.

use cdp::contacthub::api::types::CustomerUpdate;
use cdp::contacthub::api::types::{
    Education, EventContext, EventMode, EventType, Job, Like, SchoolType, Subscription,
    SubscriptionKind,
};
use cdp::contacthub::{NewEvent, Node, Workspace};
use cdp_sandbox::{Config, Sandbox};
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

#[tokio::test]
async fn event_shapes_for_a_customer_a_session_and_an_external_id() {
    let (recorder, node) = recorded();
    recorder
        .reply(202, r#"{"id":"e1"}"#)
        .reply(202, r#"{"id":"e2"}"#)
        .reply(202, r#"{"id":"e3"}"#);
    let at = "2026-11-22T08:00:00Z".parse().unwrap();
    let page = |e: NewEvent| {
        e.property("url", "https://example.com/")
            .property("visits", 0)
            .property("returning", false)
            .date(at)
    };
    node.add_event(page(
        NewEvent::new(EventType::ViewedPage, EventContext::Web).customer_id("c1"),
    ))
    .await
    .unwrap();
    node.add_event(page(
        NewEvent::new(EventType::ViewedPage, EventContext::Web).session_id("s-1"),
    ))
    .await
    .unwrap();
    node.add_event(page(
        NewEvent::new(EventType::LoggedIn, EventContext::Mobile).external_id("crm-9"),
    ))
    .await
    .unwrap();
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn an_event_about_nobody_is_refused_before_sending() {
    let (recorder, node) = recorded();
    let err = node
        .add_event(NewEvent::new(EventType::Searched, EventContext::Web))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid input: `event` needs a customer id"),
        "{err}"
    );
    assert!(recorder.shapes().is_empty());
}

#[tokio::test]
async fn event_list_shape() {
    let (recorder, node) = recorded();
    recorder.reply(
        200,
        r#"{"elements":[],"page":{"size":10,"totalElements":0,"totalPages":0,"number":1}}"#,
    );
    node.events("c1")
        .types([EventType::ViewedPage, EventType::Searched])
        .contexts([EventContext::Web])
        .mode(EventMode::Active)
        .date_from("2026-01-01T00:00:00Z".parse().unwrap())
        .date_to("2026-02-01T00:00:00Z".parse().unwrap())
        .page(1)
        .size(10)
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

#[tokio::test]
async fn node_event_list_shape() {
    let (recorder, node) = recorded();
    recorder.reply(
        200,
        r#"{"elements":[],"page":{"size":20,"totalElements":0,"totalPages":0,"number":0}}"#,
    );
    node.all_events()
        .types([EventType::CompletedOrder])
        .send()
        .await
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}

fn item<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

async fn sandbox() -> (Sandbox, Node, String) {
    let sandbox = Sandbox::start_with(Config::default().customers(5).profiles(1))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let node = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&c.contacthub_node);
    let data = CustomerUpdate {
        external_id: Some("crm-1".into()),
        ..Default::default()
    };
    let id = node.add_customer(data).send().await.unwrap().id;
    (sandbox, node, id)
}

#[tokio::test]
async fn anonymous_events_join_their_customer_and_lists_filter() {
    let (sandbox, node, id) = sandbox().await;
    let session = node.create_session_id();
    node.add_event(
        NewEvent::new(EventType::ViewedPage, EventContext::Web)
            .session_id(&session)
            .property("url", "https://e.com/a"),
    )
    .await
    .unwrap();
    assert!(
        sandbox.contacthub().events_of(&id).is_empty(),
        "not tied to anyone yet"
    );
    node.add_customer_session(&id, &session).await.unwrap();
    assert_eq!(node.customer_sessions(&id).await.unwrap()[0].value, session);
    assert_eq!(
        sandbox.contacthub().events_of(&id).len(),
        1,
        "the session's events became the customer's"
    );

    node.add_event(
        NewEvent::new(EventType::Searched, EventContext::Web)
            .external_id("crm-1")
            .property("keyword", "tea"),
    )
    .await
    .unwrap();
    let stored_id = node
        .add_event(
            NewEvent::new(EventType::CompletedOrder, EventContext::Ecommerce)
                .customer_id(&id)
                .property("orderId", "o-1"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        node.event(&stored_id).await.unwrap().type_,
        EventType::CompletedOrder
    );

    let all: Vec<_> = node
        .events(&id)
        .size(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let web = node
        .events(&id)
        .contexts([EventContext::Web])
        .send()
        .await
        .unwrap();
    assert_eq!(web.total_elements(), 2);
    let searches = node
        .events(&id)
        .types([EventType::Searched])
        .send()
        .await
        .unwrap();
    assert_eq!(
        searches.items()[0].properties.as_ref().unwrap()["keyword"],
        "tea"
    );

    // Without a customer: every event of the node, an anonymous one too, newest first.
    node.add_event(
        NewEvent::new(EventType::ViewedPage, EventContext::Web)
            .session_id(node.create_session_id())
            .property("url", "https://e.com/b"),
    )
    .await
    .unwrap();
    let everything: Vec<_> = node
        .all_events()
        .size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let stored = sandbox.contacthub().event_count();
    assert_eq!(everything.len(), stored);
    assert_eq!(
        everything
            .iter()
            .filter(|e| e.customer_id.is_none())
            .count(),
        1,
        "the anonymous event is listed"
    );
    let orders = node
        .all_events()
        .types([EventType::CompletedOrder])
        .send()
        .await
        .unwrap();
    assert_eq!(orders.total_elements(), 1);
    assert_eq!(orders.items()[0].id, stored_id);
}

#[tokio::test]
async fn tags_are_added_once_and_removing_an_absent_one_is_an_error() {
    let (sandbox, node, id) = sandbox().await;
    node.add_tag(&id, "vip").await.unwrap();
    node.add_tag(&id, "vip").await.unwrap();
    node.add_tag(&id, "newsletter").await.unwrap();
    assert_eq!(
        sandbox.contacthub().customer(&id).unwrap()["tags"]["manual"],
        serde_json::json!(["vip", "newsletter"])
    );
    node.remove_tag(&id, "vip").await.unwrap();
    assert_eq!(
        sandbox.contacthub().customer(&id).unwrap()["tags"]["manual"],
        serde_json::json!(["newsletter"])
    );
    let err = node.remove_tag(&id, "vip").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("invalid input: `tag` `vip` is not a manual tag of customer {id}")
    );
}

#[tokio::test]
async fn educations_jobs_likes_and_subscriptions_are_added_read_updated_and_removed() {
    let (sandbox, node, id) = sandbox().await;
    let education: Education =
        item(json!({"id": "ed-1", "schoolType": "COLLEGE", "schoolName": "Poli"}));
    let school = node.add_education(&id, education).await.unwrap();
    assert_eq!(school.school_type, Some(SchoolType::College));
    assert_eq!(
        node.education(&id, &school.id)
            .await
            .unwrap()
            .school_name
            .as_deref(),
        Some("Poli")
    );
    let renamed = Education {
        school_name: Some("Politecnico".into()),
        ..school.clone()
    };
    node.update_education(&id, renamed).await.unwrap();
    assert_eq!(
        sandbox.contacthub().customer(&id).unwrap()["base"]["educations"][0]["schoolName"],
        "Politecnico"
    );
    node.remove_education(&id, &school.id).await.unwrap();
    assert!(
        node.education(&id, &school.id)
            .await
            .unwrap_err()
            .api()
            .is_some_and(|a| a.is_not_found())
    );

    let job = node
        .add_job(&id, item(json!({"id": "j-1", "companyName": "Acme"})))
        .await
        .unwrap();
    node.update_job(
        &id,
        Job {
            job_title: Some("CTO".into()),
            ..job.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        node.job(&id, "j-1").await.unwrap().job_title.as_deref(),
        Some("CTO")
    );
    node.remove_job(&id, "j-1").await.unwrap();

    let like: Like = node
        .add_like(&id, item(json!({"id": "l-1", "name": "tea"})))
        .await
        .unwrap();
    assert_eq!(
        node.like(&id, &like.id).await.unwrap().name.as_deref(),
        Some("tea")
    );
    node.update_like(
        &id,
        Like {
            category: Some("drinks".into()),
            ..like
        },
    )
    .await
    .unwrap();
    node.remove_like(&id, "l-1").await.unwrap();

    let sub: Subscription =
        item(json!({"id": "s-1", "kind": "DIGITAL_MESSAGE", "subscribed": true}));
    assert_eq!(sub.kind, Some(SubscriptionKind::DigitalMessage));
    node.add_subscription(&id, sub.clone()).await.unwrap();
    node.update_subscription(
        &id,
        Subscription {
            subscribed: Some(false),
            ..sub
        },
    )
    .await
    .unwrap();
    assert_eq!(
        node.subscription(&id, "s-1").await.unwrap().subscribed,
        Some(false)
    );
    node.remove_subscription(&id, "s-1").await.unwrap();
    let base = &sandbox.contacthub().customer(&id).unwrap()["base"];
    for list in ["jobs", "likes", "subscriptions"] {
        assert!(
            base.get(list)
                .is_none_or(|l| l.as_array().is_some_and(Vec::is_empty)),
            "{list}: {base}"
        );
    }
}

#[tokio::test]
async fn item_tag_session_and_lookup_shapes() {
    let (recorder, node) = recorded();
    let customer = r#"{"id":"c1","tags":{"manual":["old"]}}"#;
    // Each kind of item: add, get, update, remove.
    let items = [
        ("educations", json!({"id": "ed-1", "schoolType": "COLLEGE"})),
        ("jobs", json!({"id": "j-1", "jobTitle": "CTO"})),
        ("likes", json!({"id": "l-1", "name": "tea"})),
        (
            "subscriptions",
            json!({"id": "s-1", "kind": "SERVICE", "subscribed": true}),
        ),
    ];
    for (_, body) in &items {
        let text = body.to_string();
        recorder
            .reply(201, &text)
            .reply(200, &text)
            .reply(200, &text)
            .reply(200, "");
    }
    node.add_education("c1", item(items[0].1.clone()))
        .await
        .unwrap();
    node.education("c1", "ed-1").await.unwrap();
    node.update_education("c1", item(items[0].1.clone()))
        .await
        .unwrap();
    node.remove_education("c1", "ed-1").await.unwrap();
    node.add_job("c1", item(items[1].1.clone())).await.unwrap();
    node.job("c1", "j-1").await.unwrap();
    node.update_job("c1", item(items[1].1.clone()))
        .await
        .unwrap();
    node.remove_job("c1", "j-1").await.unwrap();
    node.add_like("c1", item(items[2].1.clone())).await.unwrap();
    node.like("c1", "l-1").await.unwrap();
    node.update_like("c1", item(items[2].1.clone()))
        .await
        .unwrap();
    node.remove_like("c1", "l-1").await.unwrap();
    node.add_subscription("c1", item(items[3].1.clone()))
        .await
        .unwrap();
    node.subscription("c1", "s-1").await.unwrap();
    node.update_subscription("c1", item(items[3].1.clone()))
        .await
        .unwrap();
    node.remove_subscription("c1", "s-1").await.unwrap();
    // Tags: read, PATCH the manual list whole, read again to see that no other writer overwrote it.
    let tagged = r#"{"id":"c1","tags":{"manual":["old","vip"]}}"#;
    recorder
        .reply(200, customer)
        .reply(200, tagged)
        .reply(200, tagged)
        .reply(200, tagged)
        .reply(200, customer)
        .reply(200, customer);
    node.add_tag("c1", "vip").await.unwrap();
    node.remove_tag("c1", "vip").await.unwrap();
    // Sessions, one stored event, a customer by external id.
    recorder
        .reply(201, r#"{"id":"se-1","value":"s-1"}"#)
        .reply(200, r#"{"elements":[{"id":"se-1","value":"s-1"}]}"#)
        .reply(200, r#"{"id":"e1","type":"viewedPage","context":"WEB","properties":{}}"#)
        .reply(200, r#"{"elements":[{"id":"c1"}],"page":{"size":1,"totalElements":1,"totalPages":1,"number":0}}"#);
    node.add_customer_session("c1", "s-1").await.unwrap();
    node.customer_sessions("c1").await.unwrap();
    node.event("e1").await.unwrap();
    node.customer_by_external_id("crm-1")
        .await
        .unwrap()
        .unwrap();
    insta::assert_yaml_snapshot!(recorder.shapes());
}

#[tokio::test]
async fn items_on_the_customer_object_keep_it_current() {
    let (_sandbox, node, id) = sandbox().await;
    let mut customer = node.customer(&id).await.unwrap();
    customer
        .add_job(item(json!({"id": "j-9", "jobTitle": "Engineer"})))
        .await
        .unwrap();
    assert_eq!(
        customer.base.as_ref().unwrap().jobs.as_ref().unwrap()[0]
            .job_title
            .as_deref(),
        Some("Engineer")
    );
    customer
        .update_job(item(json!({"id": "j-9", "jobTitle": "Analyst"})))
        .await
        .unwrap();
    assert_eq!(
        customer.job("j-9").await.unwrap().job_title.as_deref(),
        Some("Analyst")
    );
    customer.remove_job("j-9").await.unwrap();
    assert!(
        customer
            .base
            .as_ref()
            .unwrap()
            .jobs
            .as_ref()
            .is_none_or(Vec::is_empty)
    );
    assert!(!customer.tracked().is_changed(), "the object is as stored");
}

#[tokio::test]
async fn typed_properties_go_out_and_come_back_typed() {
    use cdp::contacthub::api::types::{SearchedProperties, ViewedPageProperties};
    use cdp::contacthub::typed_properties;
    let (_sandbox, node, id) = sandbox().await;
    let page = ViewedPageProperties {
        url: Some("https://example.com/tea".into()),
        title: Some("Tea".into()),
        page_tags: vec!["shop".into()],
        ..Default::default()
    };
    node.add_event(
        NewEvent::typed(EventContext::Web, &page)
            .unwrap()
            .customer_id(&id),
    )
    .await
    .unwrap();
    let search = SearchedProperties {
        keyword: Some("green tea".into()),
        result_count: Some(0.0),
        ..Default::default()
    };
    node.add_event(
        NewEvent::typed(EventContext::Web, &search)
            .unwrap()
            .customer_id(&id),
    )
    .await
    .unwrap();

    let events: Vec<_> = node.events(&id).stream().try_collect().await.unwrap();
    let pages: Vec<ViewedPageProperties> = events
        .iter()
        .filter_map(|e| typed_properties(e).unwrap())
        .collect();
    let searches: Vec<SearchedProperties> = events
        .iter()
        .filter_map(|e| typed_properties(e).unwrap())
        .collect();
    assert_eq!(pages, [page]);
    assert_eq!(
        searches,
        [search],
        "a zero result count is sent, not dropped"
    );
}

#[tokio::test]
async fn an_event_that_does_not_decode_is_reported_and_the_others_still_come() {
    let (recorder, node) = recorded();
    let page = |number: u32, events: serde_json::Value| {
        json!({"elements": events, "page": {"number": number, "size": 2, "totalElements": 4, "totalPages": 2}})
            .to_string()
    };
    recorder
        .reply(
            200,
            &page(
                0,
                json!([
                    {"id": "e0", "type": "viewedPage", "context": "WEB"},
                    {"id": "e1", "type": "viewedPage", "context": "WEB", "date": "last week"}
                ]),
            ),
        )
        .reply(
            200,
            &page(
                1,
                json!([
                    {"id": "e2", "type": "searched", "context": "WEB"},
                    {"id": "e3", "context": "WEB"}
                ]),
            ),
        );
    let results: Vec<cdp::Result<String>> =
        futures::StreamExt::collect(node.events("c1").size(2).stream().map_ok(|e| e.id)).await;
    let shown: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(id) => id.clone(),
            Err(cdp::Error::Decode(e)) => format!("!{:?}/{:?}", e.index, e.id),
            Err(e) => e.to_string(),
        })
        .collect();
    assert_eq!(
        shown,
        ["e0", "!Some(1)/Some(\"e1\")", "e2", "!Some(3)/Some(\"e3\")"]
    );
}
