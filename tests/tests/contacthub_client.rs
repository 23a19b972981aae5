//! One HTTP client per ContactHub client: built once whatever the builder steps, shared by clones, nodes
//! and derived workspaces (seen from the server: one connection serves them all), shareable on purpose;
//! a broken configuration fails at construction; and the crate's User-Agent on every request, whichever
//! path built the client and whichever path sends (typed, generated, raw JSON).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cdp::contacthub::api::types::CustomerUpdate;
use cdp::contacthub::{Node, Workspace};
use cdp::transport::RetryPolicy;
use cdp_sandbox::{Sandbox, Service};

/// An HTTP/1.1 server on loopback that answers every request with an empty customer page, keeps
/// connections alive, and counts the connections it accepts.
struct CountingServer {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl CountingServer {
    fn start() -> CountingServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (accepted, served) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                accepted.fetch_add(1, Ordering::SeqCst);
                let served = served.clone();
                std::thread::spawn(move || serve(stream, &served));
            }
        });
        CountingServer {
            url,
            connections,
            requests,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, served: &AtomicUsize) {
    const PAGE: &str = r#"{"elements":[],"page":{"size":20,"totalElements":0,"totalUnfilteredElements":0,"totalPages":0,"number":0}}"#;
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::SeqCst);
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{PAGE}",
            PAGE.len()
        );
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

async fn list(node: &Node) {
    node.customers().size(20).send().await.unwrap();
}

#[tokio::test]
async fn clones_nodes_and_derived_workspaces_share_one_connection() {
    let server = CountingServer::start();
    let hub = Workspace::new("w", "token")
        .base_url(&server.url)
        .configure(|c| c.timeout(Duration::from_secs(10)));
    list(&hub.node("n")).await;
    list(&hub.clone().node("m")).await;
    // Derived workspaces keep the client: another configuration, the same base URL given again.
    let patient = hub
        .clone()
        .configure(|c| c.retry(RetryPolicy::default().max_attempts(6)));
    list(&patient.node("n")).await;
    list(&hub.clone().base_url(&server.url).node("n")).await;
    // The generated client of the ergonomic one, too.
    hub.api()
        .unwrap()
        .list_customers()
        .workspace_id("w")
        .node_id("n")
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests(), 5);
    assert_eq!(
        server.connections(),
        1,
        "every request went through the pool of one HTTP client"
    );
}

#[tokio::test]
async fn a_client_shared_on_purpose_serves_other_workspaces() {
    let server = CountingServer::start();
    let first = Workspace::builder("w1", "token-1")
        .base_url(&server.url)
        .build()
        .unwrap();
    let second = Workspace::builder("w2", "token-2")
        .base_url(&server.url)
        .http_client(first.http_client().unwrap())
        .build()
        .unwrap();
    list(&first.node("n")).await;
    list(&second.node("n")).await;
    list(&first.node("n")).await;
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 1);
    // Without sharing, a workspace has a client, and a pool, of its own.
    let apart = Workspace::builder("w3", "token-3")
        .base_url(&server.url)
        .build()
        .unwrap();
    list(&apart.node("n")).await;
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_broken_configuration_fails_at_construction_and_sends_nothing() {
    let server = CountingServer::start();
    let broken = format!("{}?debug=1", server.url);
    let err = Workspace::builder("w", "token")
        .base_url(&broken)
        .build()
        .unwrap_err();
    assert!(matches!(err, cdp::Error::Config { .. }), "{err:?}");
    let err = Workspace::builder("w", "tok\nen")
        .base_url(&server.url)
        .build()
        .unwrap_err();
    assert!(matches!(err, cdp::Error::Config { .. }), "{err:?}");
    // The infallible way reports the same mistake on every call, before sending.
    let node = Workspace::new("w", "token").base_url(&broken).node("n");
    let err = node.customers().send().await.unwrap_err();
    assert!(matches!(err, cdp::Error::Config { .. }), "{err:?}");
    assert_eq!(server.requests(), 0);
}

/// The User-Agent of every request the sandbox received.
fn user_agents(sandbox: &Sandbox) -> Vec<(String, Option<String>)> {
    sandbox
        .journal()
        .of(Service::ContactHub)
        .into_iter()
        .map(|e| {
            (
                format!("{} {}", e.method, e.path),
                e.headers.get("user-agent").cloned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_request_carries_the_crate_user_agent() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = sandbox.credentials().clone();
    let url = sandbox.urls().contacthub.clone();
    let workspaces = [
        Workspace::new(&c.contacthub_workspace, &c.contacthub_token).base_url(&url),
        Workspace::builder(&c.contacthub_workspace, &c.contacthub_token)
            .base_url(&url)
            .configure(|c| c.timeout(Duration::from_secs(20)))
            .build()
            .unwrap(),
        // A client of the caller's own, set either way.
        Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
            .base_url(&url)
            .configure(|c| c.http_client(reqwest::Client::new())),
        Workspace::builder(&c.contacthub_workspace, &c.contacthub_token)
            .base_url(&url)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap(),
    ];
    for hub in &workspaces {
        let node = hub.node(&c.contacthub_node);
        // Typed calls of the ergonomic API.
        let id = node
            .add_customer(CustomerUpdate::default())
            .send()
            .await
            .unwrap()
            .id;
        node.customers().send().await.unwrap();
        // Raw JSON calls (the tracked customer reads and writes documents as JSON).
        let mut tracked = node.customer(&id).await.unwrap();
        tracked.extra = Some("seen".into());
        tracked.patch().await.unwrap();
        // The generated client.
        hub.api()
            .unwrap()
            .get_customer()
            .workspace_id(hub.id())
            .customer_id(&id)
            .send()
            .await
            .unwrap();
    }
    let seen = user_agents(&sandbox);
    assert!(seen.len() >= 4 * 5, "{seen:?}");
    let expected = format!("cdp/{}", env!("CARGO_PKG_VERSION"));
    for (request, agent) in &seen {
        assert_eq!(agent.as_deref(), Some(expected.as_str()), "{request}");
    }
    let paths: std::collections::BTreeSet<&str> = seen
        .iter()
        .map(|(r, _)| r.split(' ').next().unwrap_or(""))
        .collect();
    assert!(
        paths.is_superset(&["GET", "POST", "PATCH"].into()),
        "{paths:?}"
    );
}

#[tokio::test]
async fn an_application_name_follows_the_crate_user_agent() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = sandbox.credentials().clone();
    let hub = Workspace::builder(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .configure(|c| c.user_agent("my-app/2.1"))
        .build()
        .unwrap();
    hub.node(&c.contacthub_node)
        .customers()
        .send()
        .await
        .unwrap();
    let seen = user_agents(&sandbox);
    let expected = format!("cdp/{} my-app/2.1", env!("CARGO_PKG_VERSION"));
    assert!(!seen.is_empty());
    for (request, agent) in &seen {
        assert_eq!(agent.as_deref(), Some(expected.as_str()), "{request}");
    }
}

#[tokio::test]
async fn a_user_agent_no_header_can_carry_fails_every_client_at_build() {
    let bad = |c: cdp::transport::ClientConfig| c.user_agent("my-app\r\nX-Injected: yes");
    let says = |err: cdp::Error| {
        assert!(matches!(err, cdp::Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains("User-Agent"), "{err}");
    };
    says(
        Workspace::builder("w", "t")
            .configure(bad)
            .build()
            .unwrap_err(),
    );
    // The infallible way reports it on use, without sending anything.
    says(Workspace::new("w", "t").configure(bad).api().unwrap_err());
    says(
        cdp::blueconic::Client::builder("t.blueconic.net", "id", "secret")
            .configure(bad)
            .build()
            .unwrap_err(),
    );
    says(
        cdp::customer_profiles::Client::builder(
            "eu-west-1",
            cdp::transport::AwsCredentials::new("AKID", "secret"),
        )
        .configure(bad)
        .build()
        .unwrap_err(),
    );
    says(
        cdp::flagship::Flagship::builder("env", "key")
            .configure(bad)
            .start()
            .await
            .unwrap_err(),
    );
}
