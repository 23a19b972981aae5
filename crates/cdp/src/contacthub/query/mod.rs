//! The customer query DSL: typed criteria on the attributes of the spec's `Customer` (paths generated into
//! [`customer`]) and on what the customer did ([`Did`]: an event type, a condition on the event's
//! attributes ([`event`]) and a [`Timeframe`]), combined into a [`Query`] that serialises to the JSON of
//! `GET /customers?query=`.
//!
//! ```
//! use cdp::contacthub::api::chrono::NaiveDate;
//! use cdp::contacthub::query::prelude::*;
//! use customer as c;
//!
//! let born = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
//! let bruce = Query::new()
//!     .filter(c::base::first_name().eq("Bruce") & c::base::last_name().eq("Wayne"))
//!     .filter(c::base::dob().lte(born));
//! let press = Query::from(c::tags::manual().in_(["press"]));
//! let json = (bruce | press).to_json()?;
//! assert_eq!(json["query"]["conjunction"], "UNION");
//! # Ok::<(), cdp::Error>(())
//! ```
//!
//! Mistakes a type cannot catch (filtering a combined query, combining an empty one, a NaN) are kept in
//! the query and reported as [`Error::InvalidInput`] when it is serialised; nothing panics.

mod criterion;
mod did;
pub mod event;
#[cfg(test)]
mod tests;
mod wire;

use std::borrow::Cow;
use std::ops::{BitAnd, BitOr};

pub use contacthub_api::fields::customer;
pub use contacthub_api::{Field, Kind, Ordered, kind};
pub use criterion::{Criterion, Customers, EventCriterion, Events, FieldOps};
pub use did::{Did, Timeframe};

use crate::{Error, Result};
use criterion::Condition;

/// What a query module user needs: the customer and event field paths, the operators, [`Query`],
/// [`Criterion`], [`Did`] and [`Timeframe`].
///
/// ```
/// use cdp::contacthub::query::prelude::*;
/// let q = Query::from(customer::base::gender().eq("female"));
/// # let _ = q;
/// ```
pub mod prelude {
    pub use super::{Criterion, Did, EventCriterion, FieldOps, Query, Timeframe, customer, event};
}

/// The name a query gets unless told otherwise; ContactHub keeps it as free text.
pub const DEFAULT_NAME: &str = "cdp";

/// A customer query: a simple query (criteria joined by AND) or a combination of queries (INTERSECT with
/// `&`, UNION with `|`, EXCEPT with [`Query::except`]).
///
/// ```
/// use cdp::contacthub::query::prelude::*;
///
/// let italians = Query::new().filter(customer::base::address::country().eq("Italy"));
/// let young = Query::new().filter(customer::base::educations::start_year().gte(2010));
/// let q = (italians & young).name("young italians");
/// assert_eq!(
///     q.to_json()?,
///     serde_json::json!({"name": "young italians", "query": {"type": "combined", "conjunction": "INTERSECT",
///         "queries": [
///             {"type": "simple", "are": {"condition": {"type": "atomic",
///                 "attribute": "base.address.country", "operator": "EQUALS", "value": "Italy"}}},
///             {"type": "simple", "are": {"condition": {"type": "atomic",
///                 "attribute": "base.educations.startYear", "operator": "GTE", "value": 2010}}}]}})
/// );
/// # Ok::<(), cdp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    name: Cow<'static, str>,
    body: Body,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// The AND of the criteria on the customer's attributes (`are`) and what the customer did (`did`);
    /// both `None` until something is added.
    Simple {
        are: Option<Condition>,
        did: Option<Did>,
    },
    Combined(Set, Vec<Body>),
    /// A mistake made while building, reported on serialisation.
    Invalid(String),
}

/// How a combined query joins its queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    Intersect,
    Union,
    Except,
}

impl Set {
    fn as_str(self) -> &'static str {
        match self {
            Self::Intersect => "INTERSECT",
            Self::Union => "UNION",
            Self::Except => "EXCEPT",
        }
    }
}

impl Default for Query {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Criterion> for Query {
    fn from(criterion: Criterion) -> Self {
        Self::new().filter(criterion)
    }
}

/// The customers who did the event, whatever their attributes.
impl From<Did> for Query {
    fn from(did: Did) -> Self {
        Self::new().did(did)
    }
}

impl Query {
    /// An empty simple query named [`DEFAULT_NAME`]; add criteria with [`Query::filter`].
    ///
    /// ```
    /// let q = cdp::contacthub::query::Query::new();
    /// assert!(q.to_json().is_err(), "a query needs a criterion");
    /// ```
    pub fn new() -> Self {
        Self {
            name: Cow::Borrowed(DEFAULT_NAME),
            body: Body::Simple {
                are: None,
                did: None,
            },
        }
    }

    /// Sets the query's name (free text kept by ContactHub).
    ///
    /// ```
    /// use cdp::contacthub::query::prelude::*;
    /// let q = Query::from(customer::id().eq("c1")).name("one");
    /// assert_eq!(q.to_json()?["name"], "one");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }

    /// Adds a criterion, joined to the others by AND. A combined query cannot be filtered: filter its
    /// parts before combining them (the mistake is an [`Error::InvalidInput`] on serialisation).
    ///
    /// ```
    /// use cdp::contacthub::query::prelude::*;
    /// let q = Query::new()
    ///     .filter(customer::base::first_name().eq("Bruce"))
    ///     .filter(customer::enabled().eq(true));
    /// assert_eq!(q.to_json()?["query"]["are"]["condition"]["conjunction"], "and");
    /// let combined = (q.clone() | q).filter(customer::enabled().eq(false));
    /// assert!(matches!(combined.to_json(), Err(cdp::Error::InvalidInput { .. })));
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn filter(mut self, criterion: Criterion) -> Self {
        self.body = match self.body {
            Body::Simple { are, did } => Body::Simple {
                are: Some(match are {
                    None => criterion.0,
                    Some(existing) => (Criterion::new(existing) & criterion).0,
                }),
                did,
            },
            Body::Combined(..) => Body::Invalid(
                "a combined query cannot be filtered; filter the queries before combining them"
                    .into(),
            ),
            invalid @ Body::Invalid(_) => invalid,
        };
        self
    }

    /// Keeps the customers who did an event (the query's `did`), besides satisfying its criteria. A simple
    /// query holds one `did`: a second one is an [`Error::InvalidInput`] on serialisation, as is a `did`
    /// on a combined query; join queries with `&` to ask for two events.
    ///
    /// ```
    /// use cdp::contacthub::api::chrono::{TimeZone, Utc};
    /// use cdp::contacthub::api::types::{EventMode, EventType};
    /// use cdp::contacthub::query::prelude::*;
    ///
    /// let since = Timeframe::since(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    /// let logged_in = Did::new(EventType::LoggedIn, event::mode().eq(EventMode::Active), since.clone());
    /// let ordered = Did::new(EventType::CompletedOrder, event::mode().eq(EventMode::Active), since);
    /// let q = Query::new().filter(customer::enabled().eq(true)).did(logged_in.clone());
    /// assert_eq!(q.to_json()?["query"]["did"]["event"]["name"], "loggedIn");
    ///
    /// let both = Query::from(logged_in.clone()) & Query::from(ordered.clone());
    /// assert_eq!(both.to_json()?["query"]["conjunction"], "INTERSECT");
    /// let twice = Query::new().did(logged_in).did(ordered);
    /// assert!(matches!(twice.to_json(), Err(cdp::Error::InvalidInput { .. })));
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn did(mut self, did: Did) -> Self {
        self.body = match self.body {
            Body::Simple { are, did: None } => Body::Simple {
                are,
                did: Some(did),
            },
            Body::Simple { did: Some(_), .. } => Body::Invalid(
                "a simple query holds one `did`; join queries with `&` to ask for two events"
                    .into(),
            ),
            Body::Combined(..) => Body::Invalid(
                "a combined query cannot take a `did`; add it to a query before combining them"
                    .into(),
            ),
            invalid @ Body::Invalid(_) => invalid,
        };
        self
    }

    /// The customers of `self` that are not in `other` (EXCEPT). `a.except(b).except(c)` is one EXCEPT of
    /// three queries: those of `a` in neither `b` nor `c`.
    ///
    /// ```
    /// use cdp::contacthub::query::prelude::*;
    /// let everyone = Query::from(customer::id().is_not_null());
    /// let staff = Query::from(customer::tags::manual().eq("staff"));
    /// assert_eq!(everyone.except(staff).to_json()?["query"]["conjunction"], "EXCEPT");
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn except(self, other: Query) -> Query {
        self.combine(other, Set::Except)
    }

    fn combine(self, other: Query, set: Set) -> Query {
        let body = match (self.body, other.body) {
            (invalid @ Body::Invalid(_), _) | (_, invalid @ Body::Invalid(_)) => invalid,
            (
                Body::Simple {
                    are: None,
                    did: None,
                },
                _,
            )
            | (
                _,
                Body::Simple {
                    are: None,
                    did: None,
                },
            ) => {
                Body::Invalid("an empty query cannot be combined; give it a criterion first".into())
            }
            (Body::Combined(s, mut queries), right) if s == set => {
                match right {
                    // EXCEPT keeps its first query apart: only its left side flattens.
                    Body::Combined(r, more) if r == set && set != Set::Except => {
                        queries.extend(more)
                    }
                    right => queries.push(right),
                }
                Body::Combined(set, queries)
            }
            (left, Body::Combined(r, more)) if r == set && set != Set::Except => {
                let mut queries = vec![left];
                queries.extend(more);
                Body::Combined(set, queries)
            }
            (left, right) => Body::Combined(set, vec![left, right]),
        };
        Query {
            name: self.name,
            body,
        }
    }

    /// The query as the JSON ContactHub reads, or [`Error::InvalidInput`] for a mistake made while building
    /// it (an empty query, a filtered combined query, a value JSON cannot hold).
    ///
    /// ```
    /// use cdp::contacthub::query::prelude::*;
    /// let q = Query::from(customer::base::contacts::email().is_null()).name("no email");
    /// assert_eq!(q.to_json()?, serde_json::json!({"name": "no email", "query": {"type": "simple",
    ///     "are": {"condition": {"type": "atomic", "attribute": "base.contacts.email", "operator": "IS_NULL"}}}}));
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<serde_json::Value> {
        self.check()?;
        serde_json::to_value(wire::Wire(self)).map_err(serialisation)
    }

    /// The value of the `query` parameter of `GET /customers`: the JSON as compact text (the HTTP client
    /// percent-encodes it).
    ///
    /// ```no_run
    /// # async fn run(client: cdp::contacthub::api::Client) -> cdp::Result<()> {
    /// use cdp::contacthub::query::prelude::*;
    /// let q = Query::from(customer::base::first_name().eq("Bruce"));
    /// let page = client.list_customers().workspace_id("w").node_id("n").query(q.to_query_value()?).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn to_query_value(&self) -> Result<String> {
        self.check()?;
        serde_json::to_string(&wire::Wire(self)).map_err(serialisation)
    }

    /// The query as a URL query string, `query=` and the percent-encoded JSON, for building a URL by hand.
    ///
    /// ```
    /// use cdp::contacthub::query::prelude::*;
    /// let q = Query::from(customer::id().eq("c 1")).name("n");
    /// assert_eq!(
    ///     q.to_url_query()?,
    ///     "query=%7B%22name%22%3A%22n%22%2C%22query%22%3A%7B%22type%22%3A%22simple%22%2C%22are%22%3A%7B%22condition%22%3A%7B%22type%22%3A%22atomic%22%2C%22attribute%22%3A%22id%22%2C%22operator%22%3A%22EQUALS%22%2C%22value%22%3A%22c+1%22%7D%7D%7D%7D"
    /// );
    /// # Ok::<(), cdp::Error>(())
    /// ```
    pub fn to_url_query(&self) -> Result<String> {
        let value = self.to_query_value()?;
        // Form encoding, as the generated client encodes its query parameters.
        let mut url = reqwest::Url::parse("http://query.invalid/")
            .map_err(|e| Error::invalid_input("query", e.to_string()))?;
        url.query_pairs_mut().append_pair("query", &value);
        Ok(url.query().unwrap_or_default().to_owned())
    }

    fn check(&self) -> Result<()> {
        check_body(&self.body)
    }
}

fn check_body(body: &Body) -> Result<()> {
    match body {
        Body::Invalid(message) => Err(Error::invalid_input("query", message.clone())),
        Body::Simple {
            are: None,
            did: None,
        } => Err(Error::invalid_input(
            "query",
            "has no criterion; add one with `filter` or `did`",
        )),
        Body::Simple { are, did } => {
            are.iter().try_for_each(check_condition)?;
            did.iter().try_for_each(check_did)
        }
        Body::Combined(_, queries) => queries.iter().try_for_each(check_body),
    }
}

fn check_condition(condition: &Condition) -> Result<()> {
    match condition {
        Condition::Atomic {
            attribute,
            operand: criterion::Operand::Unrepresentable,
            ..
        } => Err(Error::invalid_input(
            attribute.as_ref(),
            "has a value JSON cannot hold (NaN or infinite)",
        )),
        Condition::Atomic { attribute, .. } if attribute.split('.').any(str::is_empty) => {
            Err(Error::invalid_input(
                attribute.as_ref(),
                "is no attribute path: a segment is empty",
            ))
        }
        Condition::Atomic { .. } => Ok(()),
        Condition::Composite { conditions, .. } => conditions.iter().try_for_each(check_condition),
    }
}

fn check_did(did: &Did) -> Result<()> {
    if did.event.trim().is_empty() {
        return Err(Error::invalid_input("did.event.name", "is empty"));
    }
    check_condition(&did.condition)?;
    match &did.timeframe {
        Ok(timeframe) => check_condition(timeframe),
        Err(message) => Err(Error::invalid_input("did.timeframe", message.clone())),
    }
}

fn serialisation(e: serde_json::Error) -> Error {
    Error::invalid_input("query", e.to_string())
}

/// INTERSECT: the customers in both queries.
impl BitAnd for Query {
    type Output = Query;

    fn bitand(self, other: Query) -> Query {
        self.combine(other, Set::Intersect)
    }
}

/// UNION: the customers in either query.
impl BitOr for Query {
    type Output = Query;

    fn bitor(self, other: Query) -> Query {
        self.combine(other, Set::Union)
    }
}

/// Serialises to the wire JSON; a query with a mistake fails to serialise, with the mistake as message.
impl serde::Serialize for Query {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.check().map_err(serde::ser::Error::custom)?;
        wire::Wire(self).serialize(serializer)
    }
}
