//! Start-up: what a fresh process pays to build a client and make its first call (one page of one
//! customer). `cargo xtask bench` times the whole process, from spawn to exit; the sample's own seconds
//! are those of building the client and the call.

use contacthub_api::types::PagedCustomer;

use crate::sample::{self, BoxError, Meter, Sample};

/// `Workspace::new(..).node(..).customers().size(1).send()`.
pub(crate) async fn cdp() -> Result<Sample, BoxError> {
    let meter = Meter::start();
    let c = sample::credentials();
    let node = cdp::contacthub::Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(sample::url("CONTACTHUB")?)
        .node(&c.contacthub_node);
    let page = node.customers().size(1).send().await?;
    let items = page.items().len() as u64;
    Ok(meter.stop(items, 1))
}

/// The same call with a plain reqwest client and `serde_json::from_slice`.
pub(crate) async fn floor() -> Result<Sample, BoxError> {
    let meter = Meter::start();
    let c = sample::credentials();
    let http = sample::floor_client()?;
    let url = format!(
        "{}/workspaces/{}/customers",
        sample::url("CONTACTHUB")?,
        c.contacthub_workspace
    );
    let request = http
        .get(url)
        .bearer_auth(&c.contacthub_token)
        .query(&[("nodeId", c.contacthub_node.as_str()), ("size", "1")]);
    let page: PagedCustomer = serde_json::from_slice(&sample::body(request).await?)?;
    Ok(meter.stop(page.elements.len() as u64, 1))
}
