//! Events: storing them for a customer or anonymously, listing a customer's, and sessions.

use chrono::{DateTime, Utc};
use contacthub_api::types::{
    BringBackProperties, BringBackType, EventContext, EventContextInfo, EventMode, EventProperties,
    EventTracking, EventType, NewEvent as NewEventBody, PagedEvent, Session, SessionList,
};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::{Map, Value};

use std::sync::Arc;

use super::listing::{EventPage, Fetch, ListPage};
use super::node::check_id;
use super::{Node, paging};
use crate::pagination::{self, Page, PageRef, PageStream, Pager};
use crate::{Error, Result};

/// A new session id (a random UUID), to tie a visitor's anonymous events to the customer they become.
///
/// ```
/// let id = cdp::contacthub::create_session_id();
/// assert_eq!(id.len(), 36);
/// ```
pub fn create_session_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The properties of one event type, typed (the spec describes the simple ones: `viewedPage`,
/// `clickedLink`, `searched`, `formCompiled`; the others take a JSON map through [`NewEvent::properties`]).
///
/// ```
/// use cdp::contacthub::{NewEvent, TypedProperties};
/// use cdp::contacthub::api::types::{EventContext, EventType, ViewedPageProperties};
///
/// let page = ViewedPageProperties { url: Some("https://example.com/".into()), ..Default::default() };
/// assert_eq!(ViewedPageProperties::EVENT_TYPE, EventType::ViewedPage);
/// let event = NewEvent::typed(EventContext::Web, &page)?.customer_id("c1");
/// # let _ = event;
/// # Ok::<(), cdp::Error>(())
/// ```
pub trait TypedProperties: serde::Serialize + serde::de::DeserializeOwned {
    /// The event type these properties belong to.
    const EVENT_TYPE: EventType;
}

macro_rules! typed_properties {
    ($($properties:ident => $variant:ident),* $(,)?) => {
        $(impl TypedProperties for contacthub_api::types::$properties {
            const EVENT_TYPE: EventType = EventType::$variant;
        })*
    };
}

typed_properties!(
    ViewedPageProperties => ViewedPage,
    ClickedLinkProperties => ClickedLink,
    SearchedProperties => Searched,
    FormCompiledProperties => FormCompiled,
);

/// The properties of a stored event as `P`, when the event is of `P`'s type (`None` otherwise).
///
/// ```
/// use cdp::contacthub::api::types::{Event, SearchedProperties};
///
/// let event: Event = serde_json::from_value(serde_json::json!({
///     "id": "e1", "type": "searched", "context": "WEB", "properties": {"keyword": "tea", "resultCount": 3}
/// })).unwrap();
/// let searched: SearchedProperties = cdp::contacthub::typed_properties(&event)?.unwrap();
/// assert_eq!(searched.keyword.as_deref(), Some("tea"));
/// # Ok::<(), cdp::Error>(())
/// ```
pub fn typed_properties<P: TypedProperties>(
    event: &contacthub_api::types::Event,
) -> Result<Option<P>> {
    if event.type_ != P::EVENT_TYPE {
        return Ok(None);
    }
    let properties = Value::Object(
        event
            .properties
            .as_ref()
            .map(|p| p.0.clone())
            .unwrap_or_default(),
    );
    serde_path_to_error::deserialize(properties)
        .map(Some)
        .map_err(|e| {
            Error::invalid_input(
                format!("properties.{}", e.path()),
                e.into_inner().to_string(),
            )
        })
}

/// Who an event is about: a known customer, or a session or external id that ContactHub ties to a
/// customer when it can (`bringBackProperties`).
#[derive(Clone, Debug, Default)]
enum Subject {
    #[default]
    Unknown,
    Customer(String),
    Session(String),
    ExternalId(String),
}

/// An event to store: what happened, where, its properties, and whom it is about.
///
/// ```
/// use cdp::contacthub::NewEvent;
/// use cdp::contacthub::api::types::{EventContext, EventType};
///
/// let event = NewEvent::new(EventType::ViewedPage, EventContext::Web)
///     .session_id(cdp::contacthub::create_session_id())
///     .property("url", "https://example.com/")
///     .property("title", "Home");
/// # let _ = event;
/// ```
#[derive(Clone, Debug)]
#[must_use = "an event is stored by `Node::add_event`"]
pub struct NewEvent {
    kind: EventType,
    context: EventContext,
    subject: Subject,
    properties: Map<String, Value>,
    context_info: Option<Map<String, Value>>,
    tracking: Option<Map<String, Value>>,
    date: Option<DateTime<Utc>>,
    /// A property that cannot be sent as given (a NaN, say): `(field, why)`, reported by `add_event`.
    refused: Option<(String, String)>,
}

impl NewEvent {
    /// An event of a type in a context, with no properties yet.
    pub fn new(kind: EventType, context: EventContext) -> Self {
        Self {
            kind,
            context,
            subject: Subject::Unknown,
            properties: Map::new(),
            context_info: None,
            tracking: None,
            date: None,
            refused: None,
        }
    }

    /// About the customer with this id.
    pub fn customer_id(mut self, customer_id: impl Into<String>) -> Self {
        self.subject = Subject::Customer(customer_id.into());
        self
    }

    /// About whoever has this session id (see [`create_session_id`]).
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.subject = Subject::Session(session_id.into());
        self
    }

    /// About the customer with this external id, when there is or will be one.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.subject = Subject::ExternalId(external_id.into());
        self
    }

    /// An event whose type comes from its typed properties.
    pub fn typed<P: TypedProperties>(context: EventContext, properties: &P) -> Result<Self> {
        crate::finite::check(properties, "properties")?;
        let properties = match serde_json::to_value(properties) {
            Ok(Value::Object(members)) => members,
            Ok(_) => return Err(Error::invalid_input("properties", "must be a JSON object")),
            Err(e) => return Err(Error::invalid_input("properties", e.to_string())),
        };
        Ok(Self::new(P::EVENT_TYPE, context).properties(properties))
    }

    /// Sets one property (its shape depends on the event type) to any serialisable value. A value JSON
    /// cannot hold (a NaN or an infinite number) makes [`Node::add_event`] refuse the event.
    pub fn property(mut self, name: impl Into<String>, value: impl serde::Serialize) -> Self {
        let name = name.into();
        match super::outgoing::property(&name, &value) {
            Ok(value) => drop(self.properties.insert(name, value)),
            Err(refused) => drop(self.refused.get_or_insert(refused)),
        }
        self
    }

    /// Sets all properties at once.
    pub fn properties(mut self, properties: Map<String, Value>) -> Self {
        self.properties = properties;
        self
    }

    /// Facts about the context, such as `{"client": {"ip": …}}` for WEB.
    pub fn context_info(mut self, info: Map<String, Value>) -> Self {
        self.context_info = Some(info);
        self
    }

    /// Campaign tracking data, such as Google Analytics UTM parameters.
    pub fn tracking(mut self, tracking: Map<String, Value>) -> Self {
        self.tracking = Some(tracking);
        self
    }

    /// When it happened (now, when not set).
    pub fn date(mut self, date: DateTime<Utc>) -> Self {
        self.date = Some(date);
        self
    }

    fn into_body(self, node_id: &str) -> Result<NewEventBody> {
        if let Some((field, why)) = self.refused {
            return Err(Error::invalid_input(field, why));
        }
        let bring_back = |kind: BringBackType, value: String| BringBackProperties {
            type_: kind,
            value,
            node_id: Some(node_id.to_owned()),
        };
        let (customer_id, bring_back_properties) = match self.subject {
            Subject::Unknown => {
                return Err(Error::invalid_input(
                    "event",
                    "needs a customer id, a session id or an external id to say whom it is about",
                ));
            }
            Subject::Customer(id) => (Some(id), None),
            Subject::Session(id) => (None, Some(bring_back(BringBackType::SessionId, id))),
            Subject::ExternalId(id) => (None, Some(bring_back(BringBackType::ExternalId, id))),
        };
        Ok(NewEventBody {
            bring_back_properties,
            context: self.context,
            context_info: self.context_info.map(EventContextInfo),
            customer_id,
            date: self.date,
            properties: EventProperties(self.properties),
            tracking: self.tracking.map(EventTracking),
            type_: self.kind,
        })
    }
}

impl Node {
    /// A new session id (a random UUID), as the Python SDK's `node.create_session_id()`: give it to a
    /// visitor's anonymous events, then link it to the customer they become
    /// ([`add_customer_session`](Node::add_customer_session) or [`AddCustomer::session_id`](super::AddCustomer::session_id)).
    ///
    /// ```
    /// let node = cdp::contacthub::Workspace::new("workspace-id", "token").node("node-id");
    /// let session = node.create_session_id();
    /// assert_eq!(session.len(), 36);
    /// assert_ne!(session, node.create_session_id());
    /// ```
    pub fn create_session_id(&self) -> String {
        create_session_id()
    }

    /// Stores an event; ContactHub accepts it for processing and gives its id, or `None` when it accepts
    /// it with an empty body (which is success, as for the Python SDK).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use cdp::contacthub::NewEvent;
    /// use cdp::contacthub::api::types::{EventContext, EventType};
    ///
    /// let id = node.add_event(NewEvent::new(EventType::ViewedPage, EventContext::Web).customer_id("c1")).await?;
    /// # let _ = id; Ok(()) }
    /// ```
    pub async fn add_event(&self, event: NewEvent) -> Result<Option<String>> {
        let body = event.into_body(self.id())?;
        let call = self
            .api()?
            .create_event()
            .workspace_id(self.workspace().id())
            .body(body);
        super::empty_body::optional(call.send().await).map(|accepted| accepted.and_then(|a| a.id))
    }

    /// One stored event.
    pub async fn event(&self, event_id: &str) -> Result<contacthub_api::types::Event> {
        check_id("event_id", event_id)?;
        self.api()?
            .get_event()
            .workspace_id(self.workspace().id())
            .event_id(event_id)
            .send()
            .await
            .map(|r| r.into_inner())
            .map_err(Error::from_call::<contacthub_api::types::Event, _>)
    }

    /// A customer's events, newest first; see [`EventList`].
    pub fn events(&self, customer_id: impl Into<String>) -> EventList {
        EventList {
            node: self.clone(),
            customer_id: customer_id.into(),
            types: Vec::new(),
            contexts: Vec::new(),
            mode: None,
            date_from: None,
            date_to: None,
            page: 0,
            size: 20,
            concurrency: pagination::DEFAULT_CONCURRENCY,
            start: None,
        }
    }

    /// Links a session id to a customer: the events stored for that session become the customer's.
    pub async fn add_customer_session(
        &self,
        customer_id: &str,
        session_id: &str,
    ) -> Result<Session> {
        self.api()?
            .create_session()
            .workspace_id(self.workspace().id())
            .customer_id(customer_id)
            .body_map(|b| b.value(session_id))
            .send()
            .await
            .map(|r| r.into_inner())
            .map_err(Error::from_call::<Session, _>)
    }

    /// The session ids linked to a customer.
    pub async fn customer_sessions(&self, customer_id: &str) -> Result<Vec<Session>> {
        check_id("customer_id", customer_id)?;
        self.api()?
            .list_sessions()
            .workspace_id(self.workspace().id())
            .customer_id(customer_id)
            .send()
            .await
            .map(|r| r.into_inner().elements)
            .map_err(Error::from_call::<SessionList, _>)
    }
}

/// A customer's events, filtered and paged (pages from 0, 1 to 50 events each). Streams fetch pages
/// ahead in the background, several at once, which needs a Tokio runtime.
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// use cdp::contacthub::api::types::{EventContext, EventType};
///
/// let page = node.events("c1").types([EventType::ViewedPage]).contexts([EventContext::Web]).size(10).send().await?;
/// println!("{} of {}", page.items().len(), page.total_elements());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct EventList {
    node: Node,
    customer_id: String,
    types: Vec<EventType>,
    contexts: Vec<EventContext>,
    mode: Option<EventMode>,
    date_from: Option<DateTime<Utc>>,
    date_to: Option<DateTime<Utc>>,
    page: u32,
    size: u32,
    concurrency: usize,
    start: Option<PageRef>,
}

impl EventList {
    /// Only events of these types.
    pub fn types(mut self, types: impl IntoIterator<Item = EventType>) -> Self {
        self.types = types.into_iter().collect();
        self
    }

    /// Only events in these contexts.
    pub fn contexts(mut self, contexts: impl IntoIterator<Item = EventContext>) -> Self {
        self.contexts = contexts.into_iter().collect();
        self
    }

    /// Only active (done by the customer) or passive (done to the customer) events.
    pub fn mode(mut self, mode: EventMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Only events from this instant on.
    pub fn date_from(mut self, from: DateTime<Utc>) -> Self {
        self.date_from = Some(from);
        self
    }

    /// Only events up to this instant.
    pub fn date_to(mut self, to: DateTime<Utc>) -> Self {
        self.date_to = Some(to);
        self
    }

    /// The page to fetch, from 0.
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// Events per page, 1 to 50.
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// How many pages [`EventList::stream`] fetches at once once the first page has said how many there
    /// are: 1 to [`MAX_CONCURRENCY`](pagination::MAX_CONCURRENCY), 4
    /// ([`DEFAULT_CONCURRENCY`](pagination::DEFAULT_CONCURRENCY)) when not set, `1` for one page at a
    /// time. Events still come in page order, each once. Another number makes the stream end at once
    /// with [`Error::InvalidInput`], before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let events: Vec<_> = node.events("c1").size(50).concurrency(2).stream().try_collect().await?;
    /// # let _ = events; Ok(()) }
    /// ```
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// From the page a stopped stream said to resume at ([`Error::resume_from`]); it overrides
    /// [`page`](EventList::page).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node, stopped: cdp::Error) -> cdp::Result<()> {
    /// if let Some(at) = stopped.resume_from() {
    ///     let rest = node.events("c1").starting_at(at.clone()).stream();
    ///     # let _ = rest;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn starting_at(mut self, at: PageRef) -> Self {
        self.start = Some(at);
        self
    }

    /// The page asked for. Events that do not decode do not fail the page: see [`ListPage::failed`].
    pub async fn send(self) -> Result<EventPage> {
        let number = paging::requested(self.start.clone(), self.page)?;
        let page = self.fetch(number).await?;
        Ok(ListPage::new(page, None, Arc::new(self)))
    }

    /// Every event from the page asked for on, in page order, several pages fetched at once (see
    /// [`concurrency`](EventList::concurrency)). An event that does not decode comes as an
    /// [`Error::Decode`] and the stream goes on; a stream that stops says where to resume.
    pub fn stream(self) -> PageStream<contacthub_api::types::Event> {
        let start = Some(
            self.start
                .clone()
                .unwrap_or(PageRef::Number(u64::from(self.page))),
        );
        let concurrency = self.concurrency;
        pagination::stream_from(self, true, start).concurrency(concurrency)
    }

    async fn fetch(&self, number: u32) -> Result<Page<contacthub_api::types::Event>> {
        check_id("customer_id", &self.customer_id)?;
        let (page, size) = paging::wire(number, self.size)?;
        let join = |items: Vec<String>| (!items.is_empty()).then(|| items.join(","));
        let mut call = self
            .node
            .api()?
            .list_events()
            .workspace_id(self.node.workspace().id())
            .customer_id(self.customer_id.as_str())
            .page(page)
            .size(size);
        if let Some(types) = join(self.types.iter().map(ToString::to_string).collect()) {
            call = call.type_(types);
        }
        if let Some(contexts) = join(self.contexts.iter().map(ToString::to_string).collect()) {
            call = call.context(contexts);
        }
        if let Some(mode) = &self.mode {
            call = call.mode(mode.clone());
        }
        if let Some(from) = self.date_from {
            call = call.date_from(from);
        }
        if let Some(to) = self.date_to {
            call = call.date_to(to);
        }
        let received = paging::receive(
            call.send().await,
            |p: PagedEvent| (p.elements, p.page),
            number,
            self.size,
        )?;
        paging::numbered(received, number, self.size, |e| &e.id)
    }
}

impl Fetch<contacthub_api::types::Event> for EventList {
    fn fetch_page(&self, number: u32) -> BoxFuture<'static, Result<EventPage>> {
        let list = self.clone();
        async move {
            let page = list.fetch(number).await?;
            Ok(ListPage::new(page, None, Arc::new(list)))
        }
        .boxed()
    }
}

impl Pager for EventList {
    type Item = contacthub_api::types::Event;

    fn service(&self) -> &'static str {
        "ContactHub"
    }

    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<Self::Item>>> {
        let list = self.clone();
        let number = paging::requested(at, self.page);
        async move { list.fetch(number?).await }.boxed()
    }
}
