//! Listing and creating customers.

use std::sync::Arc;

use cdp_transport::attempts::{Attempt, observe};
use contacthub_api::MergePatch;
use contacthub_api::types::{ConflictData, Customer, CustomerUpdate, NewCustomer, PagedCustomer};
use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::listing::{CustomerPage, Direction, Fetch, FieldList, ListPage, sort_param};
use super::query::{Criterion, Field, Query};
use super::{Node, paging};
use crate::pagination::{self, Page, PageRef, PageStream, Pager};
use crate::{Error, Result, ServiceError};

const SERVICE: &str = "ContactHub";

/// ContactHub's page size when none is asked for.
const DEFAULT_SIZE: u32 = 20;

/// The customers of a node: which page, how big, which fields, in which order, filtered how. Pages are
/// numbered from 0, as on the wire: `page(2)` fetches the third page.
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// use cdp::contacthub::Direction;
/// use cdp::contacthub::query::customer as c;
/// use futures::TryStreamExt;
///
/// let page = node
///     .customers()
///     .size(5)
///     .page(2)
///     .fields([c::base::first_name(), c::base::last_name()])
///     .sort(c::base::last_name(), Direction::Descending)
///     .send()
///     .await?;
/// let next = page.next_page().await?;
/// let everyone: Vec<_> = node.customers().size(50).stream().try_collect().await?;
/// # let _ = (next, everyone); Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct CustomerList {
    node: Node,
    page: u32,
    size: u32,
    fields: Vec<String>,
    external_id: Option<String>,
    sort: Option<String>,
    query: Option<Query>,
    query_json: Option<String>,
    prefetch: bool,
    concurrency: usize,
    start: Option<PageRef>,
}

impl CustomerList {
    pub(crate) fn new(node: Node) -> Self {
        Self {
            node,
            page: 0,
            size: DEFAULT_SIZE,
            fields: Vec::new(),
            external_id: None,
            sort: None,
            query: None,
            query_json: None,
            prefetch: true,
            concurrency: pagination::DEFAULT_CONCURRENCY,
            start: None,
        }
    }

    /// The page to fetch, from 0.
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// Customers per page, 1 to 50 (20 when not set).
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// Only these fields of each customer (its id always comes), named by the generated paths: one
    /// field, an array of fields of one kind, or a tuple (see [`FieldList`]). It replaces any fields set
    /// before.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::query::customer as c;
    ///
    /// let page = node.customers().fields((c::base::first_name(), c::base::dob())).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn fields(mut self, fields: impl FieldList) -> Self {
        self.fields = fields.into_paths();
        self
    }

    /// Only these fields, as dotted paths written by hand (`base.firstName`): the escape hatch for a path
    /// the generated ones do not have. Prefer [`fields`](CustomerList::fields).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let page = node.customers().fields_raw(["extended.loyalty"]).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn fields_raw<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Only the customer with this external id.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Sorted by a field (a generated path), in a direction.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::Direction;
    /// use cdp::contacthub::query::customer as c;
    ///
    /// let newest = node.customers().sort(c::registered_at(), Direction::Descending).send().await?;
    /// # let _ = newest; Ok(()) }
    /// ```
    pub fn sort<K>(mut self, field: Field<K>, direction: Direction) -> Self {
        self.sort = Some(sort_param(field.path(), direction));
        self
    }

    /// Sorted by a dotted path written by hand: the escape hatch for a path the generated ones do not
    /// have. Prefer [`sort`](CustomerList::sort).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::Direction;
    ///
    /// let page = node.customers().sort_raw("extended.loyalty.points", Direction::Descending).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn sort_raw(mut self, path: impl Into<String>, direction: Direction) -> Self {
        self.sort = Some(sort_param(&path.into(), direction));
        self
    }

    /// Filtered by a customer query (see [`query`](super::query)): a [`Query`], a [`Criterion`] or a
    /// [`Did`](super::query::Did). It replaces any query set before.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::query::prelude::*;
    /// use customer as c;
    ///
    /// let page = node.customers().query(c::base::first_name().eq("Ada")).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn query(mut self, query: impl Into<Query>) -> Self {
        self.query = Some(query.into());
        self.query_json = None;
        self
    }

    /// Adds a criterion to the query, joined with AND.
    pub fn filter(mut self, criterion: Criterion) -> Self {
        self.query = Some(self.query.take().unwrap_or_default().filter(criterion));
        self.query_json = None;
        self
    }

    /// Filtered by a customer query written as the JSON text ContactHub takes: the escape hatch for a
    /// query the DSL cannot say. Prefer [`query`](CustomerList::query).
    pub fn query_json(mut self, query: impl Into<String>) -> Self {
        self.query_json = Some(query.into());
        self.query = None;
        self
    }

    /// Whether [`CustomerList::stream`] fetches pages in the background while the current one is read
    /// (on by default). Without it, the stream fetches only while it is polled and its items run out.
    pub fn prefetch(mut self, prefetch: bool) -> Self {
        self.prefetch = prefetch;
        self
    }

    /// How many pages [`CustomerList::stream`] fetches at once once the first page has said how many
    /// there are: 1 to [`MAX_CONCURRENCY`](pagination::MAX_CONCURRENCY), 4
    /// ([`DEFAULT_CONCURRENCY`](pagination::DEFAULT_CONCURRENCY)) when not set, `1` for one page at a
    /// time. Customers still come in page order, each once; memory holds at most this many pages
    /// besides the one being read. Another number makes the stream end at once with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput), before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let everyone: Vec<_> = node.customers().size(50).concurrency(8).stream().try_collect().await?;
    /// # let _ = everyone; Ok(()) }
    /// ```
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// From the page a stopped stream said to resume at ([`Error::resume_from`](crate::Error::resume_from));
    /// it overrides [`page`](CustomerList::page). ContactHub's pages are numbered: a cursor or a token is
    /// refused when the list is sent.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use futures::StreamExt;
    ///
    /// let mut customers = node.customers().size(50).stream();
    /// while let Some(customer) = customers.next().await {
    ///     match customer {
    ///         Ok(customer) => println!("{}", customer.id),
    ///         Err(e) => match e.resume_from() {
    ///             Some(at) => customers = node.customers().size(50).starting_at(at.clone()).stream(),
    ///             None => return Err(e),
    ///         },
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn starting_at(mut self, at: PageRef) -> Self {
        self.start = Some(at);
        self
    }

    /// The page asked for. Customers that do not decode do not fail the page: they are listed by
    /// [`ListPage::failed`].
    pub async fn send(self) -> Result<CustomerPage> {
        let number = paging::requested(self.start.clone(), self.page)?;
        self.fetch(number).await
    }

    /// Every customer from the page asked for on, in page order, several pages fetched at once (see
    /// [`concurrency`](CustomerList::concurrency); prefetch needs a Tokio runtime). A customer that does
    /// not decode comes as an
    /// [`Error::Decode`] with its index, id and JSON, and the stream goes on; a stream that stops ends with
    /// [`Error::StreamStopped`], which says where to resume ([`starting_at`](CustomerList::starting_at)).
    pub fn stream(self) -> PageStream<Customer> {
        let (prefetch, concurrency) = (self.prefetch, self.concurrency);
        let start = Some(
            self.start
                .clone()
                .unwrap_or(PageRef::Number(u64::from(self.page))),
        );
        pagination::stream_from(self, prefetch, start).concurrency(concurrency)
    }

    async fn fetch(&self, number: u32) -> Result<CustomerPage> {
        let (page, size) = paging::wire(number, self.size)?;
        let node = &self.node;
        let mut call = node
            .api()?
            .list_customers()
            .workspace_id(node.workspace().id())
            .node_id(node.id())
            .page(page)
            .size(size);
        if !self.fields.is_empty() {
            call = call.fields(self.fields.join(","));
        }
        if let Some(external_id) = &self.external_id {
            call = call.external_id(external_id.as_str());
        }
        if let Some(sort) = &self.sort {
            call = call.sort(sort.as_str());
        }
        // A query built wrong is reported here, before anything is sent.
        let query = match (&self.query, &self.query_json) {
            (Some(query), _) => Some(query.to_query_value()?),
            (None, json) => json.clone(),
        };
        if let Some(query) = query {
            call = call.query(query);
        }
        let (page, unfiltered) = page_of(call.send().await, number, self.size)?;
        Ok(ListPage::new(page, unfiltered, Arc::new(self.clone())))
    }

    /// Decodes the body of a page of customers as [`send`](Self::send) and [`stream`](Self::stream) do:
    /// the page in one pass, and item by item only when that fails, so that one bad customer is a
    /// [`DecodeError`](crate::DecodeError) in [`Page::failed`] and the others still arrive. `number` and
    /// `size` are the page asked for; an answer for another page is an [`Error::Pagination`].
    ///
    /// ```
    /// use cdp::contacthub::CustomerList;
    ///
    /// # fn main() -> cdp::Result<()> {
    /// let body = br#"{"elements": [{"id": "a"}, {"id": "b", "base": {"dob": 7}}],
    ///                 "page": {"number": 0, "size": 2, "totalElements": 2, "totalPages": 1}}"#;
    /// let page = CustomerList::decode_page(body, 0, 2)?;
    /// assert_eq!(page.items().len(), 1);
    /// assert_eq!(page.failed()[0].id.as_deref(), Some("b"));
    /// # Ok(()) }
    /// ```
    pub fn decode_page(bytes: &[u8], number: u32, size: u32) -> Result<Page<Customer>> {
        // What the generated client does with the body of a successful answer.
        let answer = match serde_json::from_slice::<PagedCustomer>(bytes) {
            Ok(page) => Ok(progenitor_client::ResponseValue::new(
                page,
                reqwest::StatusCode::OK,
                reqwest::header::HeaderMap::new(),
            )),
            Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(
                bytes.to_vec().into(),
                e,
            )),
        };
        page_of(answer, number, size).map(|(page, _)| page)
    }
}

/// The page of customers in an answer, and the number of customers before filtering when it says.
fn page_of(
    answer: std::result::Result<
        progenitor_client::ResponseValue<PagedCustomer>,
        progenitor_client::Error<contacthub_api::types::ApiError>,
    >,
    number: u32,
    size: u32,
) -> Result<(Page<Customer>, Option<u64>)> {
    let received = paging::receive(
        answer,
        |p: PagedCustomer| (p.elements, p.page),
        number,
        size,
    )?;
    let unfiltered = received
        .meta
        .total_unfiltered_elements
        .map(paging::non_negative);
    let page = paging::numbered(received, number, size, |c| &c.id)?;
    Ok((page, unfiltered))
}

impl Fetch<Customer> for CustomerList {
    fn fetch_page(&self, number: u32) -> BoxFuture<'static, Result<CustomerPage>> {
        let list = self.clone();
        async move { list.fetch(number).await }.boxed()
    }
}

impl Pager for CustomerList {
    type Item = Customer;

    fn service(&self) -> &'static str {
        "ContactHub"
    }

    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<Customer>>> {
        let list = self.clone();
        let number = paging::requested(at, self.page);
        async move { list.fetch(number?).await.map(ListPage::into_page) }.boxed()
    }
}

/// Creating a customer; [`send`](AddCustomer::send) it. With `force_update`, a customer that matches an existing one (ContactHub
/// answers 409) updates that one instead, with the given members (a merge: members not given are kept),
/// as the Python SDK does.
///
/// A create is a POST, which the transport does not repeat on its own. A customer with an `externalId`
/// is different: a second create of it is answered 409, so it is retried like a read (connection lost,
/// timeout, 429, 5xx), and a 409 that follows an attempt that may have landed resolves to the customer
/// that attempt created. Without an external id, a create whose answer was lost is an
/// [`Error::OutcomeUnknown`]: look before creating again.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct AddCustomer {
    node: Node,
    customer: CustomerUpdate,
    force_update: bool,
    session_id: Option<String>,
}

impl AddCustomer {
    pub(crate) fn new(node: Node, customer: CustomerUpdate) -> Self {
        Self {
            node,
            customer,
            force_update: false,
            session_id: None,
        }
    }

    /// On a conflict with an existing customer, update that one.
    pub fn force_update(mut self, force: bool) -> Self {
        self.force_update = force;
        self
    }

    /// Links a session id to the new customer, so its anonymous events become the customer's.
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// Sends the create, and answers the customer as stored.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::api::types::CustomerUpdate;
    ///
    /// let data = CustomerUpdate { external_id: Some("crm-42".into()), ..Default::default() };
    /// let customer = node.add_customer(data).session_id(node.create_session_id()).send().await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Customer> {
        super::outgoing::customer(&self.customer)?;
        let node = &self.node;
        let body = NewCustomer {
            node_id: node.id().to_owned(),
            external_id: self.customer.external_id.clone(),
            extra: self.customer.extra.clone(),
            enabled: self.customer.enabled,
            base: self.customer.base.clone(),
            consents: self.customer.consents.clone(),
            extended: self.customer.extended.clone(),
            tags: self.customer.tags.clone(),
        };
        let mut call = node
            .api()?
            .create_customer()
            .workspace_id(node.workspace().id())
            .body(body);
        if let Some(session_id) = &self.session_id {
            call = call.session_id(session_id.as_str());
        }
        // An external id makes a repeat harmless (a second create of it is a 409), so with one the
        // create is retried like a read, whatever happened to the first attempt.
        let keyed = self.customer.external_id.is_some();
        let (answer, attempts) = observe(keyed, call.send()).await;
        let error = match answer {
            Ok(created) => return Ok(created.into_inner()),
            Err(e) => Error::from_call::<Customer, _>(e),
        };
        let (last, earlier) = attempts.split_last().unwrap_or((&Attempt::NotSent, &[]));
        let conflict = matches!(&error, Error::Api(api) if api.is_conflict());
        if conflict && keyed && earlier.iter().any(|a| a.may_have_applied()) {
            // The 409 of a retry after an attempt that may have landed: most likely that attempt.
            return self.existing(error).await;
        }
        if *last == Attempt::Lost || earlier.contains(&Attempt::Lost) {
            // Whatever the last attempt said, a lost one may have created the customer.
            return Err(unknown(error));
        }
        let existing = match (&error, self.force_update) {
            (Error::Api(api), true) if api.is_conflict() => conflicting_id(&api.body),
            _ => None,
        };
        let Some(existing) = existing else {
            return Err(error);
        };
        // The session links the returning visitor's anonymous events to the customer, as on a create.
        node.patch_customer_in_session(
            &existing,
            patch_of(&self.customer)?,
            self.session_id.as_deref(),
        )
        .await
    }

    /// The customer a 409 points at (or, when it does not say, the one with the external id). When it
    /// cannot be read, the create's outcome stays unknown to the caller: not a plain error, which would
    /// say that nothing was stored.
    async fn existing(&self, conflict: Error) -> Result<Customer> {
        let named = conflict.api().and_then(|api| conflicting_id(&api.body));
        if let Some(id) = named {
            return self
                .node
                .customer(&id)
                .await
                .map(super::TrackedCustomer::into_inner)
                .map_err(unknown);
        }
        let external_id = self.customer.external_id.as_deref().unwrap_or_default();
        match self.node.customer_by_external_id(external_id).await {
            Ok(Some(customer)) => Ok(customer),
            Ok(None) => Err(unknown(conflict)),
            Err(e) => Err(unknown(e)),
        }
    }
}

/// A create that may or may not have landed.
fn unknown(error: Error) -> Error {
    Error::OutcomeUnknown {
        service: SERVICE,
        operation: "create_customer",
        source: Box::new(error),
    }
}

/// The id of the customer a 409 names.
fn conflicting_id(body: &ServiceError) -> Option<String> {
    #[allow(unreachable_patterns)]
    let data = match body {
        ServiceError::ContactHub(error) => error.data.clone()?,
        _ => return None,
    };
    serde_json::from_value::<ConflictData>(data)
        .ok()
        .map(|d| d.customer.id)
}

/// The members of `customer` as a merge patch: what is given is set, what is not is left alone.
fn patch_of(customer: &CustomerUpdate) -> Result<MergePatch> {
    let mut value = serde_json::to_value(customer)
        .map_err(|e| Error::invalid_input("customer", e.to_string()))?;
    let mut members = value
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    // The id and node come from the existing customer, not from the update.
    members.remove("id");
    members.remove("nodeId");
    Ok(MergePatch::from(members))
}
