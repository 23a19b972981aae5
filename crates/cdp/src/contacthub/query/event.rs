//! The attributes of an event that the condition of a [`Did`](super::Did) can name, typed like the
//! customer's: paths into the stored event as the events listing returns it (`context`, `mode`, `date`,
//! `properties.url`, `contextInfo.client.ip`, …).
//!
//! ```
//! use cdp::contacthub::api::types::EventContext;
//! use cdp::contacthub::query::{event, kind, prelude::*};
//!
//! let big_online_order = event::context().eq(EventContext::Ecommerce)
//!     & event::properties("amount").of_kind::<kind::Number>().gte(500.0);
//! # let _ = big_online_order;
//! ```

use std::borrow::Cow;
use std::fmt;

use contacthub_api::types::{EventContext, EventMode};
use contacthub_api::{Field, Kind, kind};
use serde_json::Value;

use super::FieldOps as _;
use super::criterion::{EventCriterion, Events, sealed};

/// The path of an attribute of an event whose values are of kind `K`, for the condition of a [`Did`](super::Did).
/// Made by the functions of this module ([`context`], [`properties`], …).
///
/// ```
/// use cdp::contacthub::query::event;
/// assert_eq!(event::properties("product.price").path(), "properties.product.price");
/// ```
pub struct EventField<K>(Field<K>);

impl<K> EventField<K> {
    /// The dotted path, as the wire names the attribute.
    ///
    /// ```
    /// assert_eq!(cdp::contacthub::query::event::context().path(), "context");
    /// ```
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// The same path read as another kind: for event properties whose kind the event type's schema
    /// gives (`properties("price").of_kind::<kind::Number>()`).
    ///
    /// ```
    /// use cdp::contacthub::query::{event, kind, prelude::*};
    /// let dear = event::properties("price").of_kind::<kind::Number>().gt(100.0);
    /// # let _ = dear;
    /// ```
    pub fn of_kind<L>(self) -> EventField<L> {
        EventField(self.0.of_kind())
    }
}

// By hand: derives would ask `K: Clone`/`K: Debug` of the marker.
impl<K> Clone for EventField<K> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<K> fmt::Debug for EventField<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EventField").field(&self.0).finish()
    }
}

impl<K: Kind> sealed::Attribute for EventField<K> {
    type Kind = K;
    type On = Events;

    fn into_path(self) -> Cow<'static, str> {
        self.0.into_path()
    }
}

/// The kind of the event's `context`: an [`EventContext`]. A marker: no value has this type.
///
/// ```
/// use cdp::contacthub::api::types::EventContext;
/// use cdp::contacthub::query::{Kind, event::Context};
/// assert_eq!(Context::to_json(EventContext::Web), Some(serde_json::json!("WEB")));
/// ```
#[derive(Debug)]
pub enum Context {}

impl Kind for Context {
    type Value = EventContext;
    fn to_json(value: EventContext) -> Option<Value> {
        Some(Value::String(value.as_str().to_owned()))
    }
}

/// The kind of the event's `mode`: an [`EventMode`]. A marker: no value has this type.
///
/// ```
/// use cdp::contacthub::api::types::EventMode;
/// use cdp::contacthub::query::{Kind, event::Mode};
/// assert_eq!(Mode::to_json(EventMode::Passive), Some(serde_json::json!("PASSIVE")));
/// ```
#[derive(Debug)]
pub enum Mode {}

impl Kind for Mode {
    type Value = EventMode;
    fn to_json(value: EventMode) -> Option<Value> {
        Some(Value::String(value.as_str().to_owned()))
    }
}

/// `context`: where the event happened.
///
/// ```
/// use cdp::contacthub::api::types::EventContext;
/// use cdp::contacthub::query::prelude::*;
/// let in_shop = event::context().in_([EventContext::Retail, EventContext::Ecommerce]);
/// # let _ = in_shop;
/// ```
pub const fn context() -> EventField<Context> {
    EventField(Field::new("context"))
}

/// Every event: `context` is not null, and the spec requires a context on every event. For a
/// [`Did`](super::Did) that asks only for the event's type and timeframe.
///
/// ```
/// use cdp::contacthub::api::chrono::Utc;
/// use cdp::contacthub::api::types::EventType;
/// use cdp::contacthub::query::prelude::*;
///
/// let logged_in = Did::new(EventType::LoggedIn, event::any(), Timeframe::until(Utc::now()));
/// assert_eq!(
///     Query::from(logged_in).to_json()?["query"]["did"]["condition"],
///     serde_json::json!({"type": "atomic", "attribute": "context", "operator": "IS_NOT_NULL"})
/// );
/// # Ok::<(), cdp::Error>(())
/// ```
pub fn any() -> EventCriterion {
    context().is_not_null()
}

/// `mode`: whether the customer acted (`ACTIVE`) or the business acted on the customer (`PASSIVE`).
///
/// ```
/// use cdp::contacthub::api::types::EventMode;
/// use cdp::contacthub::query::prelude::*;
/// let active = event::mode().eq(EventMode::Active);
/// # let _ = active;
/// ```
pub const fn mode() -> EventField<Mode> {
    EventField(Field::new("mode"))
}

/// `date`: when the event happened. A [`Timeframe`](super::Timeframe) is the usual way to name it.
///
/// ```
/// use cdp::contacthub::api::chrono::Utc;
/// use cdp::contacthub::query::prelude::*;
/// let dated = event::date().lte(Utc::now());
/// # let _ = dated;
/// ```
pub const fn date() -> EventField<kind::DateTime> {
    EventField(Field::new(super::did::DATE))
}

/// `properties.<path>`: a property of the event; which ones exist depends on the event type. Its kind is
/// unknown until you say it with [`EventField::of_kind`].
///
/// ```
/// use cdp::contacthub::query::prelude::*;
/// let pricing = event::properties("url").eq("https://example.com/pricing");
/// # let _ = pricing;
/// ```
pub fn properties(path: &str) -> EventField<kind::Any> {
    EventField(Field::owned(format!("properties.{path}")))
}

/// `contextInfo.<path>`: what the event's context says about it (the client, the store, …).
///
/// ```
/// use cdp::contacthub::query::prelude::*;
/// let from_home = event::context_info("client.ip").eq("192.0.2.1");
/// # let _ = from_home;
/// ```
pub fn context_info(path: &str) -> EventField<kind::Any> {
    EventField(Field::owned(format!("contextInfo.{path}")))
}

/// `tracking.<path>`: the event's tracking data (campaign, medium, …).
///
/// ```
/// use cdp::contacthub::query::prelude::*;
/// let from_newsletter = event::tracking("ga.utm_source").eq("newsletter");
/// # let _ = from_newsletter;
/// ```
pub fn tracking(path: &str) -> EventField<kind::Any> {
    EventField(Field::owned(format!("tracking.{path}")))
}
