//! ContactHub: every customer of the node through `stream()`, pages of 50, one or several pages in
//! flight.

use contacthub_api::types::PagedCustomer;
use futures::{StreamExt as _, TryStreamExt as _};

use crate::sample::{self, Args, BoxError, Meter, Sample};

/// Customers per page, the most ContactHub gives.
const PAGE: usize = 50;

/// The node the sandbox serves.
fn node() -> Result<cdp::contacthub::Node, BoxError> {
    let c = sample::credentials();
    let hub = cdp::contacthub::Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(sample::url("CONTACTHUB")?);
    Ok(hub.node(&c.contacthub_node))
}

/// `items` customers (all of them by default) through `node.customers().size(50).stream()` with
/// `concurrency` pages in flight (4 is cdp's default, 1 one page at a time).
pub(crate) async fn cdp_stream(args: &Args, concurrency: usize) -> Result<Sample, BoxError> {
    let items = args.items_or(usize::MAX);
    let node = node()?;
    let list = node.customers().size(PAGE as u32).concurrency(concurrency);
    let meter = Meter::start();
    let mut stream = list.stream().take(items);
    let mut count = 0u64;
    while let Some(customer) = stream.try_next().await? {
        std::hint::black_box(&customer);
        count += 1;
    }
    let pages = count.div_ceil(PAGE as u64);
    Ok(meter.stop(count, pages))
}

/// The same with plain reqwest: page 0 says how many pages there are, then the pages in order with
/// `concurrency` of them in flight, each decoded with `serde_json::from_slice` into `PagedCustomer`.
pub(crate) async fn floor_stream(args: &Args, concurrency: usize) -> Result<Sample, BoxError> {
    let items = args.items_or(usize::MAX);
    let c = sample::credentials();
    let http = sample::floor_client()?;
    let url = format!(
        "{}/workspaces/{}/customers",
        sample::url("CONTACTHUB")?,
        c.contacthub_workspace
    );
    let fetch = |number: u64| {
        let request = http.get(&url).bearer_auth(&c.contacthub_token).query(&[
            ("nodeId", c.contacthub_node.as_str()),
            ("page", &number.to_string()),
            ("size", &PAGE.to_string()),
        ]);
        async move {
            let bytes = sample::body(request).await?;
            Ok::<_, BoxError>(serde_json::from_slice::<PagedCustomer>(&bytes)?)
        }
    };
    let meter = Meter::start();
    let first = fetch(0).await?;
    let total_pages = u64::try_from(first.page.total_pages).unwrap_or(0);
    let wanted_pages = (items as u64).div_ceil(PAGE as u64).min(total_pages);
    let mut count = 0u64;
    let mut requests = 1u64;
    let mut take = |page: PagedCustomer| {
        for customer in page.elements {
            if count < items as u64 {
                std::hint::black_box(&customer);
                count += 1;
            }
        }
    };
    take(first);
    let mut rest = futures::stream::iter(1..wanted_pages)
        .map(fetch)
        .buffered(concurrency);
    while let Some(page) = rest.try_next().await? {
        requests += 1;
        take(page);
    }
    Ok(meter.stop(count, requests))
}
