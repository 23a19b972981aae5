//! Decoding one page of 50 ContactHub customers (the sandbox's demo data): through cdp's whole stack
//! (`node.customers().size(50).send()` answered from memory, so no network) against the floor,
//! `serde_json::from_slice` of the same bytes into the generated `PagedCustomer`.

use std::hint::black_box;

use cdp_transport::{BoxFuture, Transport};
use contacthub_api::types::PagedCustomer;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Answers every request with the same page.
#[derive(Debug)]
struct Memory(bytes::Bytes);

impl Transport for Memory {
    fn execute<'a>(
        &'a self,
        _client: &'a reqwest::Client,
        _request: reqwest::Request,
        _operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let answer = http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(self.0.clone());
        Box::pin(async move {
            Ok(reqwest::Response::from(answer.unwrap_or_else(|_| {
                http::Response::new(bytes::Bytes::new())
            })))
        })
    }
}

/// One page of 50 customers as the sandbox sends it.
async fn page_bytes() -> Option<bytes::Bytes> {
    let sandbox = cdp_sandbox::Sandbox::start().await.ok()?;
    let c = sandbox.credentials();
    let url = format!(
        "{}/workspaces/{}/customers",
        sandbox.urls().contacthub,
        c.contacthub_workspace
    );
    let bytes = reqwest::Client::new()
        .get(url)
        .bearer_auth(&c.contacthub_token)
        .query(&[("nodeId", c.contacthub_node.as_str()), ("size", "50")])
        .send()
        .await
        .ok()?
        .bytes()
        .await
        .ok()?;
    sandbox.shutdown().await;
    Some(bytes)
}

fn decode(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let Some(bytes) = runtime.block_on(page_bytes()) else {
        return;
    };
    let creds = cdp_sandbox::Credentials::default();
    let node =
        cdp::contacthub::Workspace::new(&creds.contacthub_workspace, &creds.contacthub_token)
            .base_url("http://127.0.0.1:9")
            .configure(|config| config.transport(Memory(bytes.clone())))
            .node(&creds.contacthub_node);

    let mut group = c.benchmark_group("contacthub_page_decode");
    group.throughput(Throughput::Elements(50));
    group.bench_function("floor_serde_json_from_slice", |b| {
        b.iter(|| {
            let page = serde_json::from_slice::<PagedCustomer>(black_box(&bytes));
            black_box(page.map(|p| p.elements.len()).unwrap_or_default())
        });
    });
    group.bench_function("cdp_customers_send", |b| {
        b.iter(|| {
            let page = runtime.block_on(node.customers().size(50).send());
            black_box(page.map(|p| p.items().len()).unwrap_or_default())
        });
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
