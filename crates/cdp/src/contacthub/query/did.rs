//! Event-based conditions: the `did` part of a simple query, "customers who did event X, where the
//! event satisfies a condition, within a timeframe".
//!
//! ContactHub's query schema requires the three parts of a `did`: the event's name, a condition on the
//! event ([`event`](super::event) fields) and a timeframe, each condition atomic or composite as in `are`;
//! the timeframe is a condition on the event's `date`. A simple query holds at most one `did`: join more
//! with `&` (INTERSECT) or `|` (UNION).

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use contacthub_api::types::EventType;
use contacthub_api::{Kind, kind};
use serde_json::Value;

use super::criterion::{Condition, EventCriterion, Operand, Operator};

/// Customers who did an event: its type, a condition on the event, and a timeframe. Add it to a query
/// with [`Query::did`](super::Query::did), or make a query of it alone with `Query::from`.
///
/// ```
/// use cdp::contacthub::api::chrono::{TimeZone, Utc};
/// use cdp::contacthub::api::types::{EventContext, EventType};
/// use cdp::contacthub::query::prelude::*;
///
/// let march = Timeframe::between(
///     Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2024, 3, 31, 23, 59, 59).unwrap(),
/// );
/// let bought = Did::new(
///     EventType::CompletedOrder,
///     event::context().eq(EventContext::Ecommerce),
///     march,
/// );
/// let q = Query::new().filter(customer::base::address::country().eq("Italy")).did(bought);
/// assert_eq!(
///     q.to_json()?["query"]["did"],
///     serde_json::json!({
///         "event": {"name": "completedOrder"},
///         "condition": {"type": "atomic", "attribute": "context", "operator": "EQUALS", "value": "ECOMMERCE"},
///         "timeframe": {"type": "atomic", "attribute": "date", "operator": "BETWEEN",
///             "value": ["2024-03-01T00:00:00Z", "2024-03-31T23:59:59Z"]}
///     })
/// );
/// # Ok::<(), cdp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Did {
    pub(super) event: String,
    pub(super) condition: Condition,
    pub(super) timeframe: std::result::Result<Condition, String>,
}

impl Did {
    /// Customers with at least one event of type `event` that satisfies `condition` and whose date is
    /// within `timeframe`. An unknown event type is sent by its name; an empty name is refused when the
    /// query is serialised.
    ///
    /// ```
    /// use cdp::contacthub::api::chrono::{TimeZone, Utc};
    /// use cdp::contacthub::api::types::EventType;
    /// use cdp::contacthub::query::prelude::*;
    ///
    /// let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let viewed = Did::new(
    ///     EventType::ViewedPage,
    ///     event::properties("url").eq("https://example.com/pricing"),
    ///     Timeframe::since(since),
    /// );
    /// assert_eq!(Query::from(viewed).to_json()?["query"]["did"]["event"]["name"], "viewedPage");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn new(event: EventType, condition: EventCriterion, timeframe: Timeframe) -> Self {
        Self {
            event: event.as_str().to_owned(),
            condition: condition.0,
            timeframe: timeframe.0,
        }
    }

    /// The event type's name, as the wire spells it.
    ///
    /// ```
    /// use cdp::contacthub::api::chrono::Utc;
    /// use cdp::contacthub::api::types::EventType;
    /// use cdp::contacthub::query::prelude::*;
    ///
    /// let did = Did::new(EventType::LoggedIn, event::mode().is_not_null(), Timeframe::until(Utc::now()));
    /// assert_eq!(did.event_name(), "loggedIn");
    /// ```
    pub fn event_name(&self) -> &str {
        &self.event
    }
}

/// When the event happened: a condition on its `date`, from an instant, up to an instant, or between
/// two (both included).
///
/// ```
/// use cdp::contacthub::api::chrono::{TimeZone, Utc};
/// use cdp::contacthub::api::types::EventType;
/// use cdp::contacthub::query::prelude::*;
///
/// let start = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
/// let end = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
/// let backwards = Did::new(EventType::LoggedIn, event::mode().is_not_null(), Timeframe::between(start, end));
/// assert!(matches!(Query::from(backwards).to_json(), Err(cdp::Error::InvalidInput { .. })));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Timeframe(std::result::Result<Condition, String>);

impl Timeframe {
    /// Events dated `from` or later (`GTE`).
    ///
    /// ```
    /// use cdp::contacthub::api::chrono::Utc;
    /// let recent = cdp::contacthub::query::Timeframe::since(Utc::now());
    /// # let _ = recent;
    /// ```
    pub fn since(from: impl Into<DateTime<FixedOffset>>) -> Self {
        Self::on_date(Operator::Gte, Operand::One(instant(from.into())))
    }

    /// Events dated `to` or earlier (`LTE`).
    ///
    /// ```
    /// use cdp::contacthub::api::chrono::Utc;
    /// let past = cdp::contacthub::query::Timeframe::until(Utc::now());
    /// # let _ = past;
    /// ```
    pub fn until(to: impl Into<DateTime<FixedOffset>>) -> Self {
        Self::on_date(Operator::Lte, Operand::One(instant(to.into())))
    }

    /// Events dated from `from` to `to`, both included (`BETWEEN`); `from` after `to` is refused when the
    /// query is serialised.
    ///
    /// ```
    /// use cdp::contacthub::api::chrono::{Duration, Utc};
    /// let now = Utc::now();
    /// let last_week = cdp::contacthub::query::Timeframe::between(now - Duration::days(7), now);
    /// # let _ = last_week;
    /// ```
    pub fn between(
        from: impl Into<DateTime<FixedOffset>>,
        to: impl Into<DateTime<FixedOffset>>,
    ) -> Self {
        let (from, to) = (from.into(), to.into());
        if from > to {
            return Self(Err(format!(
                "the timeframe starts ({}) after it ends ({})",
                instant(from),
                instant(to)
            )));
        }
        Self::on_date(
            Operator::Between,
            Operand::Many(vec![instant(from), instant(to)]),
        )
    }

    fn on_date(operator: Operator, operand: Operand) -> Self {
        Self(Ok(Condition::Atomic {
            attribute: Cow::Borrowed(DATE),
            operator,
            operand,
        }))
    }
}

/// The attribute a timeframe names.
pub(super) const DATE: &str = "date";

fn instant(at: DateTime<FixedOffset>) -> Value {
    // `kind::DateTime` always has JSON for an instant (an offset with seconds sent in UTC, unmoved); the
    // fallback is never taken.
    kind::DateTime::to_json(at).unwrap_or(Value::Null)
}
