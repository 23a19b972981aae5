//! ContactHub listings fetch several numbered pages at once (`concurrency(n)`, issue 14): the sandbox sees
//! exactly `n` requests under way, items still come in page order and each once (under the fault mix too),
//! a listing that grows or shrinks while it is read is followed to its new end, a failing page stops the
//! stream where it failed with nothing after it, and a dropped stream leaves no request running.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use cdp::Error;
use cdp::contacthub::api::types::{CustomerUpdate, EventContext, EventType};
use cdp::contacthub::{NewEvent, Node, Workspace};
use cdp::pagination::PageRef;
use cdp_sandbox::{Config, Faults, Sandbox, Service};
use cdp_transport::RetryPolicy;
use futures::{StreamExt as _, TryStreamExt as _};
use serde_json::{Value, json};

async fn sandbox(customers: usize) -> Sandbox {
    Sandbox::start_with(Config::default().customers(customers).profiles(1))
        .await
        .unwrap()
}

/// The sandbox's node, reached at `base` (the sandbox itself or a proxy in front of it).
fn node_at(sandbox: &Sandbox, base: &str) -> Node {
    let c = sandbox.credentials();
    Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(base)
        .node(&c.contacthub_node)
}

fn node(sandbox: &Sandbox) -> Node {
    node_at(sandbox, &sandbox.urls().contacthub)
}

/// Requests under way now, and the most seen at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl Gauge {
    /// Counts one request for as long as the returned guard lives.
    fn enter(self: &Arc<Self>) -> Counted {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        Counted(self.clone())
    }

    fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }

    fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }
}

struct Counted(Arc<Gauge>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Proxy {
    client: reqwest::Client,
    target: String,
    gauge: Arc<Gauge>,
}

/// A loopback proxy in front of the sandbox that counts the requests under way at once; the node, through
/// it.
async fn counted(sandbox: &Sandbox) -> (Node, Arc<Gauge>) {
    let gauge = Arc::new(Gauge::default());
    let proxy = Arc::new(Proxy {
        client: reqwest::Client::new(),
        target: format!("http://{}", sandbox.addr()),
        gauge: gauge.clone(),
    });
    let app = axum::Router::new().fallback(forward).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let base = sandbox
        .urls()
        .contacthub
        .replace(&sandbox.addr().to_string(), &addr.to_string());
    assert_ne!(base, sandbox.urls().contacthub, "the proxy is in the way");
    (node_at(sandbox, &base), gauge)
}

/// Forwards one request to the sandbox and its answer back, counted while under way.
async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let _counted = proxy.gauge.enter();
    let (mut parts, body) = request.into_parts();
    let target = format!(
        "{}{}",
        proxy.target,
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    );
    parts.headers.remove("host");
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let answer = proxy
        .client
        .request(parts.method, target)
        .headers(parts.headers)
        .body(body)
        .send()
        .await;
    let Ok(answer) = answer else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status();
    let mut headers = answer.headers().clone();
    headers.remove("transfer-encoding");
    let Ok(bytes) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let mut response = Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn latency(sandbox: &Sandbox, ms: u64) {
    sandbox.set_faults(
        Service::ContactHub,
        Faults {
            latency_ms: ms,
            ..Faults::default()
        },
    );
}

/// The stored customers' ids, in the order ContactHub lists them (creation order).
fn stored(sandbox: &Sandbox) -> Vec<String> {
    sandbox.contacthub().customer_ids()
}

#[tokio::test(start_paused = true)]
async fn the_sandbox_sees_exactly_n_page_requests_at_once_and_items_come_in_order() {
    let sandbox = sandbox(1_000).await;
    // Every answer takes 20 ms (of the paused clock), so the requests a stream sends together meet at
    // the sandbox.
    latency(&sandbox, 20);
    for n in [1, 2, 4, 6] {
        let (node, gauge) = counted(&sandbox).await;
        let ids: Vec<String> = node
            .customers()
            .size(50)
            .concurrency(n)
            .stream()
            .map_ok(|c| c.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            ids,
            stored(&sandbox),
            "concurrency {n}: each once, in order"
        );
        assert_eq!(gauge.most(), n, "requests under way at once");
    }
    // The default is 4.
    let (node, gauge) = counted(&sandbox).await;
    let count = node.customers().size(50).stream().count().await;
    assert_eq!((count, gauge.most()), (1_000, 4));
    // Without prefetch, pages are fetched only while the stream is polled, still several at once.
    let (node, gauge) = counted(&sandbox).await;
    let ids: Vec<String> = node
        .customers()
        .size(50)
        .prefetch(false)
        .concurrency(3)
        .stream()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!((ids, gauge.most()), (stored(&sandbox), 3));
}

#[tokio::test(start_paused = true)]
async fn events_are_fetched_n_pages_at_once_in_the_same_order_as_one_at_a_time() {
    let sandbox = sandbox(3).await;
    let id = stored(&sandbox).remove(0);
    let node = node(&sandbox);
    let before = sandbox.contacthub().events_of(&id).len();
    for n in 0..60 {
        node.add_event(
            NewEvent::new(EventType::ViewedPage, EventContext::Web)
                .customer_id(&id)
                .property("url", format!("https://example.com/{n}")),
        )
        .await
        .unwrap();
    }
    latency(&sandbox, 20);
    let (node, gauge) = counted(&sandbox).await;
    let one_at_a_time: Vec<String> = node
        .events(&id)
        .size(5)
        .concurrency(1)
        .stream()
        .map_ok(|e| e.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(gauge.most(), 1);
    let (node, gauge) = counted(&sandbox).await;
    let three_at_once: Vec<String> = node
        .events(&id)
        .size(5)
        .concurrency(3)
        .stream()
        .map_ok(|e| e.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(gauge.most(), 3);
    assert_eq!(one_at_a_time.len(), before + 60);
    assert_eq!(three_at_once, one_at_a_time);
}

/// The fault mix of `exactly_once.rs` (issue 8's done-when), with four pages in flight.
#[tokio::test(start_paused = true)]
async fn twenty_thousand_customers_four_pages_at_once_under_the_fault_mix_none_lost_none_twice() {
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
    let ids: Vec<String> = node(&sandbox)
        .customers()
        .size(50)
        .concurrency(4)
        .stream()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 20_000);
    assert_eq!(ids, stored(&sandbox), "every customer once, in order");
    let faulted = sandbox
        .journal()
        .of(Service::ContactHub)
        .iter()
        .filter(|e| e.status.is_none_or(|s| s >= 429))
        .count();
    assert!(faulted > 20, "the faults were real: {faulted}");
}

#[tokio::test(start_paused = true)]
async fn a_listing_that_grows_while_it_is_read_is_read_to_its_new_end() {
    let sandbox = sandbox(95).await;
    latency(&sandbox, 20);
    let node = node(&sandbox);
    let mut customers = node.customers().size(10).concurrency(4).stream();
    let first = customers.try_next().await.unwrap().unwrap();
    // Pages 1 to 4 are under way; the first page said 10 pages. New customers come last.
    for n in 0..30 {
        let update = CustomerUpdate {
            external_id: Some(format!("late-{n}")),
            ..Default::default()
        };
        node.add_customer(update).send().await.unwrap();
    }
    let mut ids = vec![first.id];
    ids.extend(
        customers
            .map_ok(|c| c.id)
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(ids.len(), 125);
    assert_eq!(
        ids,
        stored(&sandbox),
        "each once, in order, the late ones too"
    );
}

#[tokio::test(start_paused = true)]
async fn a_listing_that_shrinks_while_it_is_read_ends_at_its_new_end() {
    let sandbox = sandbox(95).await;
    latency(&sandbox, 20);
    let node = node(&sandbox);
    let all = stored(&sandbox);
    let mut customers = node.customers().size(10).concurrency(4).stream();
    let first = customers.try_next().await.unwrap().unwrap();
    // The first page said 10 pages; the last 40 customers go while pages 1 to 4 are under way.
    for id in &all[55..] {
        node.delete_customer(id).await.unwrap();
    }
    let mut ids = vec![first.id];
    ids.extend(
        customers
            .map_ok(|c| c.id)
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(ids, all[..55], "the 55 left, each once, in order");
}

// ContactHub on a hostile loopback server: pages that answer in any order, one that fails.

#[derive(serde::Deserialize)]
struct Paging {
    page: u64,
    size: u64,
}

/// What the hostile server answers for a page, after how long (of the paused clock).
type Answer = dyn Fn(u64, u64) -> (Duration, StatusCode, Value) + Send + Sync;

/// A ContactHub whose customer listing answers with `answer`, counting the requests under way.
async fn hostile(
    answer: impl Fn(u64, u64) -> (Duration, StatusCode, Value) + Send + Sync + 'static,
) -> (Node, Arc<Gauge>) {
    let gauge = Arc::new(Gauge::default());
    let state: (Arc<Answer>, Arc<Gauge>) = (Arc::new(answer), gauge.clone());
    let app = axum::Router::new()
        .route(
            "/workspaces/w/customers",
            axum::routing::get(
                |State((answer, gauge)): State<(Arc<Answer>, Arc<Gauge>)>,
                 Query(p): Query<Paging>| async move {
                    let _counted = gauge.enter();
                    let (after, status, body) = answer(p.page, p.size);
                    tokio::time::sleep(after).await;
                    (status, axum::Json(body))
                },
            ),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let node = Workspace::new("w", "token")
        .base_url(format!("http://{addr}"))
        .configure(|c| c.retry(RetryPolicy::none()))
        .node("n");
    (node, gauge)
}

/// Page `number` of `size` of `total` customers `c0`, `c1`, ...
fn customers_page(number: u64, size: u64, total: u64) -> Value {
    let from = (number * size).min(total);
    let to = (from + size).min(total);
    let elements: Vec<Value> = (from..to).map(|n| json!({"id": format!("c{n}")})).collect();
    json!({
        "elements": elements,
        "page": {"number": number, "size": size, "totalElements": total, "totalPages": total.div_ceil(size)}
    })
}

#[tokio::test(start_paused = true)]
async fn a_failing_page_in_the_middle_stops_the_stream_there_and_nothing_after_it_comes() {
    let healthy = Arc::new(AtomicBool::new(false));
    let healthy_now = healthy.clone();
    // 200 customers in pages of 10; page 7 fails while the server is unwell, and answers before the
    // pages around it, which take longer the earlier they are.
    let (node, gauge) = hostile(move |number, size| {
        if number == 7 && !healthy_now.load(Ordering::SeqCst) {
            let body = json!({"message": "try later"});
            return (
                Duration::from_millis(1),
                StatusCode::SERVICE_UNAVAILABLE,
                body,
            );
        }
        let after = Duration::from_millis(10 + 5 * 20u64.saturating_sub(number));
        (after, StatusCode::OK, customers_page(number, size, 200))
    })
    .await;
    let results: Vec<cdp::Result<String>> = node
        .customers()
        .size(10)
        .concurrency(4)
        .stream()
        .map_ok(|c| c.id)
        .collect()
        .await;
    assert_eq!(gauge.most(), 4);
    assert_eq!(
        results.len(),
        71,
        "pages 0 to 6, then the error, then the end"
    );
    let ids: Vec<String> = results[..70]
        .iter()
        .map(|r| r.as_ref().unwrap().clone())
        .collect();
    assert_eq!(ids, (0..70).map(|n| format!("c{n}")).collect::<Vec<_>>());
    let err = results[70].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::StreamStopped { .. }),
        "stopped, not a plain error: {err:?}"
    );
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.resume_from(), Some(&PageRef::Number(7)));

    healthy.store(true, Ordering::SeqCst);
    let rest: Vec<String> = node
        .customers()
        .size(10)
        .concurrency(4)
        .starting_at(err.resume_from().unwrap().clone())
        .stream()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    let mut all = ids;
    all.extend(rest);
    assert_eq!(all, (0..200).map(|n| format!("c{n}")).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_stream_dropped_mid_way_leaves_no_request_running() {
    // Page 0 answers at once; the pages after it take an hour.
    let (node, gauge) = hostile(|number, size| {
        let after = Duration::from_secs(if number == 0 { 0 } else { 3_600 });
        (after, StatusCode::OK, customers_page(number, size, 1_000))
    })
    .await;
    let tasks = tokio::runtime::Handle::current().metrics();
    let mut customers = node.customers().size(10).concurrency(4).stream();
    assert_eq!(customers.try_next().await.unwrap().unwrap().id, "c0");
    for _ in 0..1_000 {
        if gauge.now() == 4 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(gauge.now(), 4, "pages 1 to 4 under way");
    let running = tasks.num_alive_tasks();
    drop(customers);
    for _ in 0..1_000 {
        if gauge.now() == 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(gauge.now(), 0, "the server saw every request go");
    assert_eq!(gauge.most(), 4);
    assert!(
        tasks.num_alive_tasks() <= running - 4,
        "the four fetch tasks ended: {} of {running} left",
        tasks.num_alive_tasks()
    );
}
