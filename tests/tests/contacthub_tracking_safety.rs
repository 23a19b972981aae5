//! Mutation tracking that cannot hurt, against the sandbox's ContactHub (and scripted answers where a
//! race must be staged): cleared lists are sent as `[]`, tag and item calls keep unsaved edits, a write
//! goes where the customer was fetched from, nothing non-finite or outside the time-zone list is sent,
//! and concurrent tag changes never report a tag as stored when it is not.

use cdp::contacthub::api::types::{CustomerUpdate, Job, Timezone};
use cdp::contacthub::{NewEvent, Node, Workspace};
use cdp::transport::RetryPolicy;
use cdp_sandbox::{Config, Sandbox, Service};
use cdp_tests::Recorder;
use futures::future::join_all;
use serde_json::{Value, json};

async fn sandbox() -> (Sandbox, Node) {
    let sandbox = Sandbox::start_with(Config::default().customers(2))
        .await
        .unwrap();
    let node = node_of(&sandbox);
    (sandbox, node)
}

/// A client of the sandbox's node of its own, as another program would have.
fn node_of(sandbox: &Sandbox) -> Node {
    let c = sandbox.credentials().clone();
    Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&c.contacthub_node)
}

/// A customer with every list of the schema holding an item.
fn with_every_list() -> CustomerUpdate {
    serde_json::from_value(json!({
        "externalId": "bw-1",
        "base": {
            "firstName": "Bruce",
            "lastName": "Wayne",
            "contacts": {
                "email": "bruce@wayne.example",
                "otherContacts": [{"name": "office", "type": "PHONE", "value": "+1 555 0103"}],
                "mobileDevices": [{"identifier": "d-1", "appId": "gotham", "name": "phone", "type": "IOS"}]
            },
            "address": {"city": "Gotham", "geo": {"lat": 40.71, "lon": -74.0}},
            "educations": [{"id": "ed-1", "schoolType": "COLLEGE"}],
            "jobs": [{"id": "j-1", "jobTitle": "CEO"}],
            "likes": [{"id": "l-1", "name": "bats"}],
            "subscriptions": [{"id": "s-1", "kind": "SERVICE", "subscribed": true}]
        },
        "extended": {"loyalty": {"level": "gold"}, "visits": ["2026-01-01"]},
        "tags": {"auto": ["night-owl"], "manual": ["vip", "gotham"]}
    }))
    .unwrap()
}

fn sent(sandbox: &Sandbox, method: &str) -> Vec<Value> {
    sandbox
        .journal()
        .of(Service::ContactHub)
        .into_iter()
        .filter(|e| e.method == method)
        .map(|e| e.body.unwrap_or(Value::Null))
        .collect()
}

fn refused_field(result: cdp::Result<impl std::fmt::Debug>) -> Option<String> {
    match result {
        Err(cdp::Error::InvalidInput { field, .. }) => field,
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
}

#[tokio::test]
async fn cleared_lists_are_sent_as_empty_lists_never_null() {
    let (sandbox, node) = sandbox().await;
    let id = node
        .add_customer(with_every_list())
        .send()
        .await
        .unwrap()
        .id;
    let mut customer = node.customer(&id).await.unwrap();
    sandbox.journal().clear();

    // Every list of the schema, cleared in each of the ways a caller may: emptied or set to `None`.
    let contacts = customer.base_mut().contacts_mut();
    contacts.other_contacts = None;
    contacts.mobile_devices_mut().clear();
    customer.base_mut().educations = None;
    customer.base_mut().jobs_mut().clear();
    customer.base_mut().likes = Some(Vec::new());
    customer.base_mut().subscriptions = None;
    customer.tags_mut().manual.clear();
    customer.tags_mut().auto.clear();
    // In the free-form `extended`: an emptied list is `[]`, a removed key `null`.
    customer.extended_mut().insert("visits".into(), json!([]));
    customer.extended_mut().remove("loyalty");
    customer.patch().await.unwrap();

    assert_eq!(
        sent(&sandbox, "PATCH"),
        [json!({
            "base": {
                "contacts": {"otherContacts": [], "mobileDevices": []},
                "educations": [], "jobs": [], "likes": [], "subscriptions": []
            },
            "tags": {"manual": [], "auto": []},
            "extended": {"visits": [], "loyalty": null}
        })]
    );
    let stored = sandbox.contacthub().customer(&id).unwrap();
    for list in [
        "/base/contacts/otherContacts",
        "/base/contacts/mobileDevices",
        "/base/educations",
        "/base/jobs",
        "/base/likes",
        "/base/subscriptions",
        "/tags/manual",
        "/tags/auto",
        "/extended/visits",
    ] {
        assert_eq!(stored.pointer(list), Some(&json!([])), "{list} in {stored}");
    }
    assert!(stored["extended"].get("loyalty").is_none());
    assert_eq!(stored["base"]["contacts"]["email"], "bruce@wayne.example");
    assert!(!customer.tracked().is_changed());
}

#[tokio::test]
async fn tag_and_item_calls_keep_unsaved_edits() {
    let (sandbox, node) = sandbox().await;
    let id = node
        .add_customer(with_every_list())
        .send()
        .await
        .unwrap()
        .id;
    let mut customer = node.customer(&id).await.unwrap();

    // Unsaved edits, then a tag and an item call.
    customer.base_mut().first_name = Some("B.".into());
    customer.extra = Some("draft".into());
    customer.add_tag("batman").await.unwrap();
    let job: Job = serde_json::from_value(json!({"id": "j-2", "jobTitle": "Vigilante"})).unwrap();
    customer.add_job(job).await.unwrap();
    customer.remove_tag("gotham").await.unwrap();

    // The edits are still there, still unsaved, on top of what the calls stored.
    assert_eq!(
        customer.base.as_ref().unwrap().first_name.as_deref(),
        Some("B.")
    );
    assert_eq!(customer.tags.as_ref().unwrap().manual, ["vip", "batman"]);
    assert_eq!(
        customer.base.as_ref().unwrap().jobs.as_ref().unwrap().len(),
        2
    );
    assert_eq!(
        customer.tracked().changes().unwrap().map(Value::from),
        Some(json!({"base": {"firstName": "B."}, "extra": "draft"}))
    );
    sandbox.journal().clear();
    customer.patch().await.unwrap();
    assert_eq!(
        sent(&sandbox, "PATCH"),
        [json!({"base": {"firstName": "B."}, "extra": "draft"})]
    );
    let stored = sandbox.contacthub().customer(&id).unwrap();
    assert_eq!(stored["base"]["firstName"], "B.");
    assert_eq!(stored["tags"]["manual"], json!(["vip", "batman"]));
    assert_eq!(stored["base"]["jobs"][1]["id"], "j-2");

    // Unsaved edits of the very lists a call changes: the call's change is made in them too, so the
    // next save neither loses the edit nor undoes the call.
    customer.tags_mut().manual.push("local".into());
    customer.base_mut().jobs_mut().retain(|j| j.id != "j-1");
    customer.add_tag("remote").await.unwrap();
    let job: Job = serde_json::from_value(json!({"id": "j-3", "jobTitle": "Heir"})).unwrap();
    customer.add_job(job).await.unwrap();
    customer.patch().await.unwrap();
    let stored = sandbox.contacthub().customer(&id).unwrap();
    assert_eq!(
        stored["tags"]["manual"],
        json!(["vip", "batman", "local", "remote"])
    );
    let jobs: Vec<&str> = stored["base"]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(jobs, ["j-2", "j-3"]);
}

#[tokio::test]
async fn an_edited_id_or_node_is_refused_before_sending() {
    let (sandbox, node) = sandbox().await;
    let victim = sandbox.contacthub().customer_ids()[0].clone();
    let before = sandbox.contacthub().customer(&victim).unwrap();
    let id = node
        .add_customer(with_every_list())
        .send()
        .await
        .unwrap()
        .id;
    let mut customer = node.customer(&id).await.unwrap();
    sandbox.journal().clear();

    customer.id = victim.clone();
    customer.extra = Some("meant for another customer".into());
    assert_eq!(refused_field(customer.patch().await).as_deref(), Some("id"));
    assert_eq!(
        refused_field(customer.update().await).as_deref(),
        Some("id")
    );
    assert_eq!(
        refused_field(customer.add_tag("x").await).as_deref(),
        Some("id")
    );
    let job: Job = serde_json::from_value(json!({"id": "j-9"})).unwrap();
    assert_eq!(
        refused_field(customer.add_job(job).await).as_deref(),
        Some("id")
    );
    assert_eq!(customer.id(), id, "the target is the customer fetched");
    assert_eq!(
        refused_field(customer.clone().delete().await).as_deref(),
        Some("id")
    );

    customer.id = id.clone();
    customer.node_id = Some("another-node".into());
    assert_eq!(
        refused_field(customer.patch().await).as_deref(),
        Some("nodeId")
    );

    assert!(sandbox.journal().entries().is_empty(), "nothing was sent");
    assert_eq!(sandbox.contacthub().customer(&victim).unwrap(), before);

    // Set back, the edit goes to the customer it was fetched as.
    customer.node_id = node_of(&sandbox)
        .customer(&id)
        .await
        .unwrap()
        .node_id
        .clone();
    customer.patch().await.unwrap();
    assert_eq!(
        sandbox.contacthub().customer(&id).unwrap()["extra"],
        "meant for another customer"
    );
}

#[tokio::test]
async fn non_finite_numbers_are_refused_before_sending() {
    let (sandbox, node) = sandbox().await;
    let id = node
        .add_customer(with_every_list())
        .send()
        .await
        .unwrap()
        .id;
    let before = sandbox.contacthub().customer(&id).unwrap();
    sandbox.journal().clear();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        // A tracked change: `lat = NaN` would be `"lat": null`, which removes the stored latitude.
        let mut customer = node.customer(&id).await.unwrap();
        customer.base_mut().address_mut().geo_mut().lat = Some(bad);
        assert_eq!(
            refused_field(customer.patch().await).as_deref(),
            Some("customer.base.address.geo.lat")
        );
        assert!(refused_field(customer.update().await).is_some());

        // A customer body, new or full.
        let mut body = with_every_list();
        body.external_id = Some("nan".into());
        body.base.as_mut().unwrap().address_mut().geo_mut().lon = Some(bad);
        assert_eq!(
            refused_field(node.add_customer(body.clone()).send().await).as_deref(),
            Some("customer.base.address.geo.lon")
        );
        assert!(refused_field(node.update_customer(&id, body).await).is_some());

        // An event property, of its own or inside a list.
        let event = NewEvent::new(
            cdp::contacthub::api::types::EventType::ViewedPage,
            cdp::contacthub::api::types::EventContext::Web,
        )
        .customer_id(&id)
        .property("url", "https://example.com/")
        .property("scores", vec![1.0, bad]);
        assert_eq!(
            refused_field(node.add_event(event).await).as_deref(),
            Some("properties.scores[1]")
        );
    }
    let gets_only = sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .all(|e| e.method == "GET");
    assert!(gets_only, "nothing but reads was sent");
    assert_eq!(sandbox.contacthub().customer(&id).unwrap(), before);
}

#[tokio::test]
async fn an_unknown_time_zone_is_refused_before_sending() {
    let (sandbox, node) = sandbox().await;
    let id = node
        .add_customer(with_every_list())
        .send()
        .await
        .unwrap()
        .id;
    sandbox.journal().clear();
    let mars = Timezone::from("Mars/Olympus_Mons");
    assert!(!mars.is_known());

    let mut body = with_every_list();
    body.external_id = Some("mars".into());
    body.base.as_mut().unwrap().timezone = Some(mars.clone());
    assert_eq!(
        refused_field(node.add_customer(body.clone()).send().await).as_deref(),
        Some("base.timezone")
    );
    assert_eq!(
        refused_field(node.update_customer(&id, body).await).as_deref(),
        Some("base.timezone")
    );
    let mut customer = node.customer(&id).await.unwrap();
    customer.base_mut().timezone = Some(mars);
    assert_eq!(
        refused_field(customer.patch().await).as_deref(),
        Some("base.timezone")
    );
    assert_eq!(
        refused_field(customer.update().await).as_deref(),
        Some("base.timezone")
    );
    let mut patch = cdp::contacthub::api::MergePatch::new();
    patch.set("base", json!({"timezone": "Mars/Olympus_Mons"}));
    assert_eq!(
        refused_field(node.patch_customer(&id, patch).await).as_deref(),
        Some("base.timezone")
    );
    assert!(sent(&sandbox, "POST").is_empty());
    assert!(sent(&sandbox, "PUT").is_empty());
    assert!(sent(&sandbox, "PATCH").is_empty());

    // A listed one goes out.
    customer.base_mut().timezone = Some(Timezone::from("Europe/Rome"));
    customer.patch().await.unwrap();
    assert_eq!(
        sandbox.contacthub().customer(&id).unwrap()["base"]["timezone"],
        "Europe/Rome"
    );
}

#[tokio::test]
async fn twenty_concurrent_tag_changes_keep_every_tag_they_report() {
    let (sandbox, node) = sandbox().await;
    let id = node
        .add_customer(CustomerUpdate::default())
        .send()
        .await
        .unwrap()
        .id;
    // Half the calls share one client, half come from clients of their own.
    let nodes: Vec<Node> = (0..20)
        .map(|i| {
            if i % 2 == 0 {
                node.clone()
            } else {
                node_of(&sandbox)
            }
        })
        .collect();
    let tags: Vec<String> = (0..20).map(|i| format!("tag-{i:02}")).collect();
    let added = join_all(
        nodes
            .iter()
            .zip(&tags)
            .map(|(node, tag)| node.add_tag(&id, tag)),
    )
    .await;
    let stored = sandbox.contacthub().customer(&id).unwrap();
    let manual: Vec<&str> = stored["tags"]["manual"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for (tag, result) in tags.iter().zip(&added) {
        match result {
            Ok(customer) => {
                assert!(manual.contains(&tag.as_str()), "{tag} reported Ok but lost");
                assert!(customer.tags.as_ref().unwrap().manual.contains(tag));
            }
            Err(e) => assert!(matches!(e, cdp::Error::Conflict { .. }), "{e:?}"),
        }
    }
    assert!(
        added.iter().all(Result::is_ok),
        "no writer outside: no conflict"
    );

    // The same for removals.
    let removed = join_all(
        nodes
            .iter()
            .zip(&tags)
            .map(|(node, tag)| node.remove_tag(&id, tag)),
    )
    .await;
    let stored = sandbox.contacthub().customer(&id).unwrap();
    for (tag, result) in tags.iter().zip(&removed) {
        match result {
            Ok(_) => assert!(
                !stored["tags"]["manual"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(tag)),
                "{tag} reported removed but still there"
            ),
            Err(e) => assert!(matches!(e, cdp::Error::Conflict { .. }), "{e:?}"),
        }
    }
    assert!(removed.iter().all(Result::is_ok));
}

/// A node whose answers are scripted: each call gets the next queued reply.
fn scripted() -> (Recorder, Node) {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(RetryPolicy::none()))
        .node("n1");
    (recorder, node)
}

#[tokio::test(start_paused = true)]
async fn a_tag_overwritten_by_another_writer_is_made_again() {
    let (recorder, node) = scripted();
    let plain = r#"{"id":"c1","tags":{"manual":["old"]}}"#;
    let tagged = r#"{"id":"c1","tags":{"manual":["old","vip"]}}"#;
    let theirs = r#"{"id":"c1","tags":{"manual":["old","theirs"]}}"#;
    let both = r#"{"id":"c1","tags":{"manual":["old","theirs","vip"]}}"#;
    // Read, PATCH, read again: another writer's list has replaced ours. Then again, and it holds.
    recorder
        .reply(200, plain)
        .reply(200, tagged)
        .reply(200, theirs)
        .reply(200, theirs)
        .reply(200, both)
        .reply(200, both);
    let customer = node.add_tag("c1", "vip").await.unwrap();
    assert_eq!(customer.tags.unwrap().manual, ["old", "theirs", "vip"]);
    let shapes = recorder.shapes();
    let methods: Vec<&str> = shapes.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PATCH", "GET", "GET", "PATCH", "GET"]);
    assert_eq!(
        shapes[4].body,
        Some(json!({"tags": {"manual": ["old", "theirs", "vip"]}}))
    );
}

#[tokio::test(start_paused = true)]
async fn a_tag_that_keeps_being_overwritten_is_a_typed_conflict() {
    let (recorder, node) = scripted();
    let plain = r#"{"id":"c1","tags":{"manual":["old"]}}"#;
    let tagged = r#"{"id":"c1","tags":{"manual":["old","vip"]}}"#;
    for _ in 0..5 {
        recorder
            .reply(200, plain)
            .reply(200, tagged)
            .reply(200, plain);
    }
    let err = node.add_tag("c1", "vip").await.unwrap_err();
    assert!(matches!(err, cdp::Error::Conflict { .. }), "{err:?}");
    assert!(err.to_string().contains("vip"), "{err}");
    let patches = recorder
        .shapes()
        .iter()
        .filter(|s| s.method == "PATCH")
        .count();
    assert_eq!(patches, 5, "bounded");

    // A removal that keeps being undone, likewise.
    let (recorder, node) = scripted();
    for _ in 0..5 {
        recorder
            .reply(200, tagged)
            .reply(200, plain)
            .reply(200, tagged);
    }
    let err = node.remove_tag("c1", "vip").await.unwrap_err();
    assert!(matches!(err, cdp::Error::Conflict { .. }), "{err:?}");
}
