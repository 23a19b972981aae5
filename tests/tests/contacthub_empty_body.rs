//! A write ContactHub accepts with an empty body is a success, sent once: an event answered `202` with no
//! body (the Python SDK accepts it), and an item create or replace answered `200`/`201` with none.

mod hostile;

use cdp::contacthub::api::types::{Education, EventContext, EventType};
use cdp::contacthub::{NewEvent, Node, Workspace};
use hostile::{Hostile, json, reply};

fn node(server: &Hostile) -> Node {
    Workspace::new("w", "token").base_url(&server.url).node("n")
}

#[tokio::test]
async fn an_event_accepted_with_an_empty_body_is_stored_once_and_has_no_id() {
    for (status, body) in [(202, ""), (202, "  \r\n"), (200, ""), (201, "")] {
        let server = Hostile::start(move |_, _| reply(status, &[], body.as_bytes())).await;
        let id = node(&server)
            .add_event(NewEvent::new(EventType::ViewedPage, EventContext::Web).customer_id("c1"))
            .await
            .unwrap_or_else(|e| panic!("{status} {body:?}: {e:?}"));
        assert_eq!(id, None, "{status} {body:?}");
        let seen = server.seen();
        assert_eq!(seen.len(), 1, "sent once, not retried: {seen:?}");
        assert_eq!(
            (seen[0].method.as_str(), seen[0].path.as_str()),
            ("POST", "/workspaces/w/events")
        );
    }
}

#[tokio::test]
async fn an_event_accepted_with_its_id_answers_the_id_and_a_bad_body_is_still_an_error() {
    let server = Hostile::start(|_, _| json(202, r#"{"id": "e-1"}"#)).await;
    let id = node(&server)
        .add_event(NewEvent::new(EventType::ViewedPage, EventContext::Web).customer_id("c1"))
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some("e-1"));

    // A body that is there but is not the answer is not mistaken for an empty one.
    let server = Hostile::start(|_, _| json(202, "[1, 2]")).await;
    let err = node(&server)
        .add_event(NewEvent::new(EventType::ViewedPage, EventContext::Web).customer_id("c1"))
        .await
        .unwrap_err();
    assert!(matches!(err, cdp::Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn an_item_written_with_an_empty_answer_is_the_item_as_sent() {
    let server = Hostile::start(|_, n| reply(if n == 0 { 201 } else { 200 }, &[], b"")).await;
    let node = node(&server);
    let education: Education =
        serde_json::from_value(serde_json::json!({"id": "ed-1", "schoolName": "Politecnico"}))
            .unwrap();
    let added = node.add_education("c1", education.clone()).await.unwrap();
    assert_eq!(added, education);
    let replaced = node
        .update_education("c1", education.clone())
        .await
        .unwrap();
    assert_eq!(replaced, education);
    let seen = server.seen();
    let sent: Vec<_> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST", "/workspaces/w/customers/c1/educations"),
            ("PUT", "/workspaces/w/customers/c1/educations/ed-1")
        ]
    );
}

#[tokio::test]
async fn a_customer_created_with_an_empty_answer_stays_an_error() {
    // The id the service gave is in the answer and nowhere else: an empty one cannot be read as success.
    let server = Hostile::start(|_, _| reply(201, &[], b"")).await;
    let err = node(&server)
        .add_customer(Default::default())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, cdp::Error::Decode(_)), "{err:?}");
    assert_eq!(server.seen().len(), 1);
}
