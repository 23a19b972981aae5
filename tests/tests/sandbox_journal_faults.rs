//! The sandbox's "applied, answer lost" fault and the bounds of its journal.

use cdp_sandbox::{Config, Faults, Sandbox, Service};
use serde_json::json;

async fn sandbox() -> Sandbox {
    Sandbox::start_with(Config::default().customers(5).profiles(1))
        .await
        .unwrap()
}

fn customers_url(sandbox: &Sandbox) -> String {
    format!(
        "{}/workspaces/{}/customers",
        sandbox.urls().contacthub,
        sandbox.credentials().contacthub_workspace
    )
}

#[tokio::test]
async fn an_applied_write_is_stored_and_its_answer_lost() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            applied_lost_rate: 1.0,
            ..Faults::default()
        },
    );
    let before = sandbox.contacthub().customer_count();
    let sent = reqwest::Client::new()
        .post(customers_url(&sandbox))
        .bearer_auth(&c.contacthub_token)
        .json(&json!({"nodeId": c.contacthub_node, "externalId": "lost-1"}))
        .send()
        .await;
    assert!(sent.is_err(), "no answer: {sent:?}");
    assert_eq!(
        sandbox.contacthub().customer_count(),
        before + 1,
        "but the customer was stored"
    );
    let entry = sandbox.journal().of(Service::ContactHub).pop().unwrap();
    assert_eq!((entry.status, entry.answer_lost), (None, true));
    assert_eq!(entry.body.unwrap()["externalId"], "lost-1");

    // A request the service refuses is answered: there is nothing applied to lose.
    let refused = reqwest::Client::new()
        .post(customers_url(&sandbox))
        .bearer_auth(&c.contacthub_token)
        .json(&json!({"externalId": "no node"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(sandbox.contacthub().customer_count(), before + 1);
}

#[tokio::test]
async fn the_applied_lost_draws_are_seeded() {
    let run = || async {
        let sandbox = sandbox().await;
        let c = sandbox.credentials().clone();
        sandbox.set_faults(
            Service::ContactHub,
            Faults {
                applied_lost_rate: 0.5,
                seed: Some(7),
                ..Faults::default()
            },
        );
        let http = reqwest::Client::new();
        let mut answered = Vec::new();
        for n in 0..20 {
            let sent = http
                .post(customers_url(&sandbox))
                .bearer_auth(&c.contacthub_token)
                .json(&json!({"nodeId": c.contacthub_node, "externalId": format!("s-{n}")}))
                .send()
                .await;
            answered.push(sent.is_ok());
        }
        assert_eq!(sandbox.contacthub().customer_count(), 25, "all were stored");
        answered
    };
    let first = run().await;
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");
    assert_eq!(first, run().await);
}

#[tokio::test]
async fn refused_bodies_are_not_kept() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials().clone();
    let http = reqwest::Client::new();
    // Six 10 MB bodies the service refuses.
    let big = format!("{{\"externalId\": \"{}\"}}", "x".repeat(10 * 1024 * 1024));
    for _ in 0..6 {
        let answer = http
            .post(customers_url(&sandbox))
            .bearer_auth(&c.contacthub_token)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_client_error(), "{}", answer.status());
    }
    let entries = sandbox.journal().of(Service::ContactHub);
    assert_eq!(entries.len(), 6, "each is recorded");
    assert!(entries.iter().all(|e| e.body.is_none()));
    assert_eq!(sandbox.journal().body_bytes(), 0);

    // An accepted one keeps its body.
    let accepted = http
        .post(customers_url(&sandbox))
        .bearer_auth(&c.contacthub_token)
        .json(&json!({"nodeId": c.contacthub_node, "externalId": "kept"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 201);
    let last = sandbox.journal().of(Service::ContactHub).pop().unwrap();
    assert_eq!(last.body.unwrap()["externalId"], "kept");
    assert!(sandbox.journal().body_bytes() > 0);
}
