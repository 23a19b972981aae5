//! A fetched customer that remembers what it was, and saves exactly what changed.

use std::ops::{Deref, DerefMut};

use contacthub_api::types::Customer;
use reqwest::Method;
use serde_json::Value;

use super::tags::Change;
use super::tracked::Tracked;
use super::{Node, outgoing};
use crate::{Error, Result};

/// A customer as fetched by [`Node::customer`]: read and change it like a
/// [`Customer`](contacthub_api::types::Customer), then [`patch`](TrackedCustomer::patch) sends a PATCH of
/// exactly what changed (nothing when nothing did), and [`update`](TrackedCustomer::update) a full PUT
/// that keeps the members the model does not know.
///
/// Where a write goes is fixed when the customer is fetched: changing its `id` or `nodeId` is refused
/// with an [`Error::InvalidInput`] before anything is sent. Tag and item calls
/// ([`add_tag`](TrackedCustomer::add_tag), `add_job`, …) keep the changes not saved yet: they stay
/// changes, on top of the customer as stored after the call.
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// let mut bruce = node.customer("customer-id").await?;
/// bruce.base_mut().contacts_mut().email = Some("bruce@example.com".into());
/// bruce.patch().await?; // PATCH {"base": {"contacts": {"email": "bruce@example.com"}}}
/// bruce.patch().await?; // sends nothing: nothing changed since
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TrackedCustomer {
    node: Node,
    /// The id it was fetched by: every write goes there.
    id: String,
    /// Its node as fetched, which a PATCH must not move it from.
    node_id: Option<String>,
    customer: Tracked<Customer>,
}

impl TrackedCustomer {
    pub(crate) async fn fetch(node: &Node, customer_id: &str) -> Result<Self> {
        // Decoded once, straight from the answer's bytes.
        let customer = node
            .customer_answer(
                Method::GET,
                customer_id,
                None,
                "get_customer",
                |_, bytes| Tracked::<Customer>::from_slice(bytes),
            )
            .await?;
        Ok(Self {
            node: node.clone(),
            id: customer.id.clone(),
            node_id: customer.node_id.clone(),
            customer,
        })
    }

    /// Sends a PATCH of exactly what changed since the customer was fetched or last saved; nothing is
    /// sent when nothing changed. Afterwards the customer is as the service stored it.
    ///
    /// Refused before sending, with an [`Error::InvalidInput`]: a changed `id` or `nodeId`, a NaN or an
    /// infinite number, a time zone ContactHub does not accept.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let mut customer = node.customer("customer-id").await?;
    /// customer.tags_mut().manual.clear();
    /// customer.patch().await?; // PATCH {"tags": {"manual": []}}
    /// # Ok(()) }
    /// ```
    pub async fn patch(&mut self) -> Result<()> {
        self.check_target()?;
        let Some(patch) = self.customer.changes()? else {
            return Ok(());
        };
        outgoing::time_zone(patch.as_map())?;
        let body = Value::from(patch);
        let stored = self
            .node
            .customer_answer(
                Method::PATCH,
                &self.id,
                Some(&body),
                "patch_customer",
                |_, bytes| Tracked::<Customer>::from_slice(bytes),
            )
            .await?;
        self.customer = stored;
        Ok(())
    }

    /// Sends the whole customer (PUT): what was removed from it is removed at the service, and members the
    /// model does not know are sent back as they came. Refused before sending as [`patch`](Self::patch)
    /// is.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let mut customer = node.customer("customer-id").await?;
    /// customer.base_mut().credential = None;
    /// customer.update().await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(&mut self) -> Result<()> {
        self.check_target()?;
        let mut document = self.customer.full_document()?;
        if let Some(members) = document.as_object_mut() {
            outgoing::time_zone(members)?;
            members.insert("nodeId".into(), self.node.id().into());
        }
        let stored = self
            .node
            .customer_answer(
                Method::PUT,
                &self.id,
                Some(&document),
                "update_customer",
                |_, bytes| Tracked::<Customer>::from_slice(bytes),
            )
            .await?;
        self.customer = stored;
        Ok(())
    }

    /// Reads the customer again, dropping unsaved changes (an edited `id` too).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let mut customer = node.customer("customer-id").await?;
    /// customer.extra = Some("draft".into());
    /// customer.refresh().await?;
    /// assert!(!customer.tracked().is_changed());
    /// # Ok(()) }
    /// ```
    pub async fn refresh(&mut self) -> Result<()> {
        *self = Self::fetch(&self.node, &self.id).await?;
        Ok(())
    }

    /// Deletes the customer it was fetched as (an edited `id` is refused).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// node.customer("customer-id").await?.delete().await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self) -> Result<()> {
        self.check_target()?;
        self.node.delete_customer(&self.id).await
    }

    /// Adds a manual tag at the service (see [`Node::add_tag`]), and takes the customer as stored; changes
    /// not saved yet are kept, and when they hold a list of manual tags of their own, the tag goes there
    /// too.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let mut customer = node.customer("customer-id").await?;
    /// customer.base_mut().first_name = Some("Bruce".into());
    /// customer.add_tag("vip").await?; // the first name is still to be saved
    /// customer.patch().await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_tag(&mut self, tag: &str) -> Result<()> {
        self.change_tag(tag, Change::Add).await
    }

    /// Removes a manual tag at the service (see [`Node::remove_tag`]); one the customer does not have is
    /// an [`InvalidInput`](crate::Error::InvalidInput). Changes not saved yet are kept, as by
    /// [`add_tag`](Self::add_tag).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// node.customer("customer-id").await?.remove_tag("vip").await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_tag(&mut self, tag: &str) -> Result<()> {
        self.change_tag(tag, Change::Remove).await
    }

    async fn change_tag(&mut self, tag: &str, change: Change) -> Result<()> {
        self.check_target()?;
        let stored = self.node.change_tag(&self.id, tag, change).await?;
        self.customer.rebase(stored)?;
        let manual = self
            .customer
            .tags
            .as_ref()
            .map(|t| t.manual.clone())
            .unwrap_or_default();
        if !change.holds(&manual, tag) {
            // The unsaved changes carry a list of manual tags of their own: make the change there too.
            let manual = &mut self.customer.tags_mut().manual;
            match change {
                Change::Add => manual.push(tag.to_owned()),
                Change::Remove => manual.retain(|t| t != tag),
            }
        }
        Ok(())
    }

    /// Takes the customer as stored after an item call, keeping the changes not saved yet; `local`
    /// makes the item call's change in the customer's own list when those changes hold that list.
    pub(crate) async fn after_item_call(
        &mut self,
        list: &str,
        local: impl FnOnce(&mut Customer),
    ) -> Result<()> {
        let customer = &mut self.customer;
        self.node
            .customer_answer(Method::GET, &self.id, None, "get_customer", |_, bytes| {
                customer.rebase_slice(bytes)
            })
            .await?;
        let pending = self.customer.changes()?.map(Value::from);
        if pending.is_some_and(|p| p.pointer(list).is_some()) {
            local(&mut self.customer);
        }
        Ok(())
    }

    /// Refuses a change of what decides where a write goes.
    pub(crate) fn check_target(&self) -> Result<()> {
        if self.customer.id != self.id {
            return Err(Error::invalid_input(
                "id",
                format!(
                    "was changed from `{}` to `{}`: a tracked customer is saved where it was fetched from; \
                     fetch the other customer to change it",
                    self.id, self.customer.id
                ),
            ));
        }
        if self.customer.node_id != self.node_id {
            return Err(Error::invalid_input(
                "nodeId",
                "was changed: a customer cannot be moved to another node by saving it",
            ));
        }
        Ok(())
    }

    /// The node it belongs to, for its events and sessions.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let customer = node.customer("customer-id").await?;
    /// let sessions = customer.node().customer_sessions(customer.id()).await?;
    /// # let _ = sessions; Ok(()) }
    /// ```
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The customer's id, as fetched: where its writes go.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// assert_eq!(node.customer("customer-id").await?.id(), "customer-id");
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The tracking underneath: `changes()`, `is_changed()`, `full_document()`.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let customer = node.customer("customer-id").await?;
    /// assert!(customer.tracked().changes()?.is_none());
    /// # Ok(()) }
    /// ```
    pub fn tracked(&self) -> &Tracked<Customer> {
        &self.customer
    }

    /// The customer, without tracking.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let customer: cdp::contacthub::api::types::Customer = node.customer("customer-id").await?.into_inner();
    /// # let _ = customer; Ok(()) }
    /// ```
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
