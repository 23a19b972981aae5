//! The sandbox's own machinery over real HTTP: the journal, the admin routes and every fault knob.

use std::time::{Duration, Instant};

use cdp_sandbox::{Config, Faults, Sandbox, Service};

async fn small() -> Sandbox {
    Sandbox::start_with(Config::default().customers(10).profiles(10))
        .await
        .unwrap()
}

/// A ContactHub route; what it answers without faults does not matter here.
fn hub_url(sandbox: &Sandbox) -> String {
    format!(
        "{}/workspaces/{}/customers/nobody",
        sandbox.urls().contacthub,
        sandbox.credentials().contacthub_workspace
    )
}

#[tokio::test]
async fn the_journal_records_requests_in_order_with_secrets_masked() {
    let sandbox = small().await;
    let http = reqwest::Client::new();
    http.get(hub_url(&sandbox))
        .bearer_auth("top-secret")
        .send()
        .await
        .unwrap();
    http.post(format!("{}/v2/activate", sandbox.urls().flagship_decision))
        .header("x-api-key", "key-secret")
        .json(&serde_json::json!({"cid": "env", "vid": "v"}))
        .send()
        .await
        .unwrap();

    let entries = sandbox.journal().entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].service, Service::ContactHub);
    assert_eq!(entries[0].method, "GET");
    assert!(
        entries[0].path.ends_with("/customers/nobody"),
        "{}",
        entries[0].path
    );
    assert_eq!(entries[0].headers["authorization"], "Bearer <redacted>");
    assert!(entries[0].status.is_some());
    assert_eq!(entries[1].service, Service::Flagship);
    assert_eq!(entries[1].headers["x-api-key"], "<redacted>");
    // An unknown environment: the activation is refused, and a refused request's body is not kept.
    assert!(
        entries[1].status.is_some_and(|s| s >= 400),
        "{:?}",
        entries[1].status
    );
    assert_eq!(entries[1].body, None);
    let shown = format!("{entries:?}");
    assert!(!shown.contains("top-secret") && !shown.contains("key-secret"));

    assert_eq!(sandbox.journal().of(Service::Flagship).len(), 1);
    sandbox.journal().clear();
    assert!(sandbox.journal().entries().is_empty());
}

#[tokio::test]
async fn the_journal_keeps_the_most_recent_entries_up_to_its_capacity() {
    let mut config = Config::default().customers(1);
    config.journal_capacity = 3;
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let http = reqwest::Client::new();
    for i in 0..5 {
        http.get(format!("{}?i={i}", hub_url(&sandbox)))
            .send()
            .await
            .unwrap();
    }
    let queries: Vec<_> = sandbox
        .journal()
        .entries()
        .into_iter()
        .map(|e| e.query.unwrap())
        .collect();
    assert_eq!(queries, ["i=2", "i=3", "i=4"]);
    assert!(
        sandbox
            .journal()
            .entries()
            .iter()
            .all(|e| e.status.is_some()),
        "statuses land on the right entries"
    );
}

#[tokio::test]
async fn admin_routes_read_the_journal_and_set_faults_at_run_time() {
    let sandbox = small().await;
    let http = reqwest::Client::new();
    let admin = &sandbox.urls().admin;
    assert_eq!(
        http.get(format!("{admin}/health"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );

    let faults = Faults {
        error_rate: 1.0,
        ..Faults::default()
    };
    let put = http
        .put(format!("{admin}/faults/contacthub"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 204);
    assert_eq!(sandbox.faults(Service::ContactHub), faults);
    let got: Faults = http
        .get(format!("{admin}/faults/contacthub"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, faults);
    assert_eq!(
        http.get(format!("{admin}/faults/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let status = http
        .get(hub_url(&sandbox))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert!(status == 500 || status == 503, "{status}");
    let journal: Vec<serde_json::Value> = http
        .get(format!("{admin}/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal.len(), 1, "admin requests are not journaled");
    assert_eq!(journal[0]["status"], status);
    assert_eq!(
        http.delete(format!("{admin}/journal"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(sandbox.journal().entries().is_empty());
}

#[tokio::test]
async fn errors_come_in_each_services_own_body() {
    let sandbox = small().await;
    for service in Service::ALL {
        sandbox.set_faults(
            service,
            Faults {
                error_rate: 1.0,
                ..Faults::default()
            },
        );
    }
    let http = reqwest::Client::new();
    let hub: serde_json::Value = http
        .get(hub_url(&sandbox))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        hub["message"].is_string() && hub["logref"].is_string() && hub["errors"].is_array(),
        "{hub}"
    );
    let bc = http
        .get(format!("{}/profiles/p", sandbox.urls().blueconic))
        .send()
        .await
        .unwrap();
    let bc_status = bc.status().as_u16();
    let bc: serde_json::Value = bc.json().await.unwrap();
    assert_eq!(bc["code"], bc_status);
    let aws = http
        .get(format!(
            "{}/domains/d/segment-definitions/s",
            sandbox.urls().customer_profiles
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(aws.headers()["x-amzn-errortype"], "InternalServerException");
    let aws: serde_json::Value = aws.json().await.unwrap();
    assert!(aws["Message"].is_string());
    let fs: serde_json::Value = http
        .post(format!("{}/v2/activate", sandbox.urls().flagship_decision))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(fs["message"].is_string());
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let sandbox = small().await;
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            throttle_rate: 1.0,
            retry_after_secs: 7,
            ..Faults::default()
        },
    );
    let response = reqwest::get(hub_url(&sandbox)).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
}

#[tokio::test]
async fn a_dropped_connection_is_no_answer_at_all() {
    let sandbox = small().await;
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            drop_rate: 1.0,
            ..Faults::default()
        },
    );
    let result = match reqwest::get(hub_url(&sandbox)).await {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    let err = result.expect_err("a dropped connection must not read as a complete answer");
    assert!(!err.is_status(), "{err:?}");
    assert_eq!(sandbox.journal().entries()[0].status, None);
}

#[tokio::test]
async fn latency_and_slow_bodies_delay_but_keep_the_answer() {
    let sandbox = small().await;
    let plain = reqwest::get(hub_url(&sandbox)).await.unwrap();
    let (status, body) = (plain.status(), plain.bytes().await.unwrap());

    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            latency_ms: 150,
            slow_body_ms: 30,
            ..Faults::default()
        },
    );
    let started = Instant::now();
    let slow = reqwest::get(hub_url(&sandbox)).await.unwrap();
    assert_eq!(slow.status(), status);
    let slow_body = slow.bytes().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150 + 30),
        "{:?}",
        started.elapsed()
    );
    // Only the error body's logref differs from one answer to the next.
    let strip = |b: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
        v.as_object_mut().map(|o| o.remove("logref"));
        v
    };
    assert_eq!(strip(&slow_body), strip(&body));
}

#[tokio::test]
async fn faults_are_drawn_from_a_seed_and_repeat() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let sandbox = Sandbox::start_with(Config::default().customers(1).seed(seed))
            .await
            .unwrap();
        sandbox.set_faults(
            Service::ContactHub,
            Faults {
                error_rate: 0.3,
                throttle_rate: 0.2,
                ..Faults::default()
            },
        );
        let http = reqwest::Client::new();
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(
                http.get(hub_url(&sandbox))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        out
    }
    let first = statuses(9).await;
    assert_eq!(first, statuses(9).await);
    assert_ne!(first, statuses(10).await);
    let faulted = first.iter().filter(|s| [429, 500, 503].contains(s)).count();
    assert!(
        (8..=32).contains(&faulted),
        "about half should be faulted, got {faulted} of 40"
    );
}
