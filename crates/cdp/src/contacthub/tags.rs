//! A customer's manual tags. ContactHub has no tag endpoint: a tag change is a PATCH of `tags.manual`.

use contacthub_api::MergePatch;
use contacthub_api::types::Customer;
use serde_json::json;

use super::Node;
use crate::{Error, Result};

impl Node {
    /// Adds a manual tag to a customer (nothing is sent when it has it already).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let customer = node.add_tag("customer-id", "vip").await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub async fn add_tag(&self, customer_id: &str, tag: &str) -> Result<Customer> {
        let customer = self.customer(customer_id).await?.into_inner();
        let mut manual = manual_tags(&customer);
        if manual.iter().any(|t| t == tag) {
            return Ok(customer);
        }
        manual.push(tag.to_owned());
        self.patch_customer(customer_id, tags_patch(manual)).await
    }

    /// Removes a manual tag from a customer; a tag the customer does not have is an
    /// [`Error::InvalidInput`].
    pub async fn remove_tag(&self, customer_id: &str, tag: &str) -> Result<Customer> {
        let customer = self.customer(customer_id).await?.into_inner();
        let mut manual = manual_tags(&customer);
        let before = manual.len();
        manual.retain(|t| t != tag);
        if manual.len() == before {
            return Err(Error::invalid_input(
                "tag",
                format!("`{tag}` is not a manual tag of customer {customer_id}"),
            ));
        }
        self.patch_customer(customer_id, tags_patch(manual)).await
    }
}

fn manual_tags(customer: &Customer) -> Vec<String> {
    customer
        .tags
        .as_ref()
        .map(|t| t.manual.clone())
        .unwrap_or_default()
}

/// A list in a merge patch is sent whole.
fn tags_patch(manual: Vec<String>) -> MergePatch {
    let mut patch = MergePatch::new();
    patch.set("tags", json!({ "manual": manual }));
    patch
}
