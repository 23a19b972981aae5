//! A node of a workspace: where customers live.

use contacthub_api::MergePatch;
use contacthub_api::types::{Customer, CustomerUpdate, PutCustomer};

use cdp_transport::attempts::{Attempt, observe};

use super::{AddCustomer, CustomerList, TrackedCustomer, Workspace};
use crate::{Error, Result};

/// A node of a ContactHub workspace. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> cdp::Result<()> {
/// let node = cdp::contacthub::Workspace::new("workspace-id", "token").node("node-id");
/// let customer = node.customer("customer-id").await?;
/// node.delete_customer(customer.id()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Node {
    workspace: Workspace,
    id: String,
}

impl Node {
    pub(crate) fn new(workspace: Workspace, id: String) -> Self {
        Self { workspace, id }
    }

    /// The node id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The workspace of the node.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The customers of the node, a page at a time or as a stream; see [`CustomerList`].
    pub fn customers(&self) -> CustomerList {
        CustomerList::new(self.clone())
    }

    /// The customers matching a query (a [`Query`](super::query::Query), a
    /// [`Criterion`](super::query::Criterion) or a [`Did`](super::query::Did)); chain
    /// [`CustomerList::filter`] to add criteria, then [`send`](CustomerList::send) for a page or
    /// [`stream`](CustomerList::stream) for all of them.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::query::prelude::*;
    /// use customer as c;
    ///
    /// let bruces = node
    ///     .query(c::base::first_name().eq("Bruce") & c::base::last_name().eq("Wayne"))
    ///     .filter(c::enabled().eq(true))
    ///     .send()
    ///     .await?;
    /// # let _ = bruces; Ok(()) }
    /// ```
    pub fn query(&self, query: impl Into<super::query::Query>) -> CustomerList {
        self.customers().query(query)
    }

    /// One customer, tracked: change it and [`TrackedCustomer::patch`] sends exactly the changes.
    pub async fn customer(&self, customer_id: &str) -> Result<TrackedCustomer> {
        check_id("customerId", customer_id)?;
        TrackedCustomer::fetch(self, customer_id).await
    }

    /// The customer with this external id, if there is one.
    pub async fn customer_by_external_id(&self, external_id: &str) -> Result<Option<Customer>> {
        let page = self
            .customers()
            .external_id(external_id)
            .size(1)
            .send()
            .await?;
        Ok(page.into_items().into_iter().next())
    }

    /// Creates a customer: a builder (`force_update`, `session_id`) that ends in [`send`](AddCustomer::send).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::api::types::{CustomerBase, CustomerUpdate};
    ///
    /// let data = CustomerUpdate {
    ///     external_id: Some("crm-42".into()),
    ///     base: Some(CustomerBase { first_name: Some("Ada".into()), ..Default::default() }),
    ///     ..Default::default()
    /// };
    /// let customer = node.add_customer(data).force_update(true).send().await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub fn add_customer(&self, customer: CustomerUpdate) -> AddCustomer {
        AddCustomer::new(self.clone(), customer)
    }

    /// Replaces a customer (PUT): members left out of `customer` are removed.
    pub async fn update_customer(
        &self,
        customer_id: &str,
        customer: CustomerUpdate,
    ) -> Result<Customer> {
        super::outgoing::customer(&customer)?;
        // A PUT must name the node (the spec's `PutCustomer` requires `nodeId`).
        let body = PutCustomer {
            id: Some(customer_id.to_owned()),
            node_id: self.id.clone(),
            external_id: customer.external_id,
            extra: customer.extra,
            enabled: customer.enabled,
            base: customer.base,
            consents: customer.consents,
            extended: customer.extended,
            tags: customer.tags,
        };
        self.api()?
            .update_customer()
            .workspace_id(self.workspace.id())
            .customer_id(customer_id)
            .body(body)
            .send()
            .await
            .map(|r| r.into_inner())
            .map_err(Error::from_call::<Customer, _>)
    }

    /// Changes part of a customer (PATCH) with a JSON merge patch. An empty patch changes nothing: no
    /// PATCH is sent, and the customer is read (GET) as it is.
    pub async fn patch_customer(&self, customer_id: &str, patch: MergePatch) -> Result<Customer> {
        self.patch_customer_in_session(customer_id, patch, None)
            .await
    }

    pub(crate) async fn patch_customer_in_session(
        &self,
        customer_id: &str,
        patch: MergePatch,
        session_id: Option<&str>,
    ) -> Result<Customer> {
        check_id("customerId", customer_id)?;
        super::outgoing::time_zone(patch.as_map())?;
        if patch.is_empty() {
            return self
                .customer(customer_id)
                .await
                .map(TrackedCustomer::into_inner);
        }
        let mut call = self
            .api()?
            .patch_customer()
            .workspace_id(self.workspace.id())
            .customer_id(customer_id)
            .body(patch);
        if let Some(session_id) = session_id {
            call = call.session_id(session_id);
        }
        call.send()
            .await
            .map(|r| r.into_inner())
            .map_err(Error::from_call::<Customer, _>)
    }

    /// Deletes a customer. A delete is retried when its answer is lost; a 404 that follows such an
    /// attempt means that attempt deleted the customer, and is Ok. A 404 on the first attempt is an error.
    pub async fn delete_customer(&self, customer_id: &str) -> Result<()> {
        check_id("customerId", customer_id)?;
        let call = self
            .api()?
            .delete_customer()
            .workspace_id(self.workspace.id())
            .customer_id(customer_id)
            .node_id(self.id.as_str())
            .send();
        let (answer, attempts) = observe(false, call).await;
        match answer.map_err(Error::from) {
            Ok(_) => Ok(()),
            Err(Error::Api(api)) if api.is_not_found() && lost_before_last(&attempts) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn api(&self) -> Result<&contacthub_api::Client> {
        self.workspace.api()
    }
}

/// Whether an attempt before the last one got no answer (and so may have been carried out).
pub(crate) fn lost_before_last(attempts: &[Attempt]) -> bool {
    attempts
        .split_last()
        .is_some_and(|(_, earlier)| earlier.contains(&Attempt::Lost))
}

/// An id that goes into a URL path, checked before anything is sent by the one path encoder's rules
/// (`cdp_transport::path::segment`): empty, `.` and `..` in any encoding would address another resource.
pub(crate) fn check_id(field: &'static str, id: &str) -> Result<()> {
    cdp_transport::path::segment(field, id)?;
    Ok(())
}
