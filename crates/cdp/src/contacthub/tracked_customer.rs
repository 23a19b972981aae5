//! A fetched customer that remembers what it was, and saves exactly what changed.

use std::ops::{Deref, DerefMut};

use contacthub_api::types::Customer;
use reqwest::Method;

use super::Node;
use super::tracked::Tracked;
use crate::Result;

/// A customer as fetched by [`Node::customer`]: read and change it like a
/// [`Customer`](contacthub_api::types::Customer), then [`patch`](TrackedCustomer::patch) sends a PATCH of
/// exactly what changed (nothing when nothing did), and [`update`](TrackedCustomer::update) a full PUT
/// that keeps the members the model does not know.
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// let mut bruce = node.customer("customer-id").await?;
/// if let Some(base) = bruce.base.as_mut() {
///     base.contacts.get_or_insert_default().email = Some("bruce@example.com".into());
/// }
/// bruce.patch().await?; // PATCH {"base": {"contacts": {"email": "bruce@example.com"}}}
/// bruce.patch().await?; // sends nothing: nothing changed since
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TrackedCustomer {
    node: Node,
    customer: Tracked<Customer>,
}

impl TrackedCustomer {
    pub(crate) async fn fetch(node: &Node, customer_id: &str) -> Result<Self> {
        let raw = node
            .customer_json(Method::GET, customer_id, None, "get_customer")
            .await?;
        Ok(Self {
            node: node.clone(),
            customer: Tracked::from_json(raw)?,
        })
    }

    /// Sends a PATCH of exactly what changed since the customer was fetched or last saved; nothing is
    /// sent when nothing changed. Afterwards the customer is as the service stored it.
    pub async fn patch(&mut self) -> Result<()> {
        let Some(patch) = self.customer.changes()? else {
            return Ok(());
        };
        let id = self.customer.id.clone();
        let body = serde_json::Value::from(patch);
        let stored = self
            .node
            .customer_json(Method::PATCH, &id, Some(&body), "patch_customer")
            .await?;
        self.customer.mark_saved(stored)
    }

    /// Sends the whole customer (PUT): what was removed from it is removed at the service, and members the
    /// model does not know are sent back as they came.
    pub async fn update(&mut self) -> Result<()> {
        let mut document = self.customer.full_document()?;
        if let Some(members) = document.as_object_mut() {
            members.insert("nodeId".into(), self.node.id().into());
        }
        let id = self.customer.id.clone();
        let stored = self
            .node
            .customer_json(Method::PUT, &id, Some(&document), "update_customer")
            .await?;
        self.customer.mark_saved(stored)
    }

    /// Reads the customer again, dropping unsaved changes.
    pub async fn refresh(&mut self) -> Result<()> {
        *self = Self::fetch(&self.node, &self.customer.id.clone()).await?;
        Ok(())
    }

    /// Deletes the customer.
    pub async fn delete(self) -> Result<()> {
        self.node.delete_customer(&self.customer.id).await
    }

    /// Adds a manual tag (a PATCH of the tags alone) and reads the customer as stored.
    pub async fn add_tag(&mut self, tag: &str) -> Result<()> {
        self.node.add_tag(&self.customer.id, tag).await?;
        self.refresh().await
    }

    /// Removes a manual tag; one the customer does not have is an [`InvalidInput`](crate::Error::InvalidInput).
    pub async fn remove_tag(&mut self, tag: &str) -> Result<()> {
        self.node.remove_tag(&self.customer.id, tag).await?;
        self.refresh().await
    }

    /// The node it belongs to, for its items, events and sessions (`node().add_job(customer.id(), …)`).
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The customer's id.
    pub fn id(&self) -> &str {
        &self.customer.id
    }

    /// The tracking underneath: `changes()`, `is_changed()`, `full_document()`.
    pub fn tracked(&self) -> &Tracked<Customer> {
        &self.customer
    }

    /// The customer, without tracking.
    pub fn into_inner(self) -> Customer {
        self.customer.into_inner()
    }
}

impl Deref for TrackedCustomer {
    type Target = Customer;

    fn deref(&self) -> &Customer {
        &self.customer
    }
}

impl DerefMut for TrackedCustomer {
    fn deref_mut(&mut self) -> &mut Customer {
        &mut self.customer
    }
}
