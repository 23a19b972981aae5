//! Criteria: conditions on typed fields of a customer or of an event, combined with `&` (and) and `|` (or).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr};

use contacthub_api::{Field, Kind, Ordered};
use serde_json::Value;

/// The operators of an atomic condition, as the wire spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    Equals,
    NotEquals,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    NotIn,
    Between,
    IsNull,
    IsNotNull,
}

impl Operator {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Equals => "EQUALS",
            Self::NotEquals => "NOT_EQUALS",
            Self::Gt => "GT",
            Self::Gte => "GTE",
            Self::Lt => "LT",
            Self::Lte => "LTE",
            Self::In => "IN",
            Self::NotIn => "NOT_IN",
            Self::Between => "BETWEEN",
            Self::IsNull => "IS_NULL",
            Self::IsNotNull => "IS_NOT_NULL",
        }
    }
}

/// The value side of an atomic condition.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    /// `IS_NULL`, `IS_NOT_NULL`: no `value` member.
    Absent,
    One(Value),
    /// `IN`, `NOT_IN`, `BETWEEN`: an array.
    Many(Vec<Value>),
    /// A value JSON cannot hold (NaN, an infinity); reported when the query is serialised.
    Unrepresentable,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Condition {
    Atomic {
        attribute: Cow<'static, str>,
        operator: Operator,
        operand: Operand,
    },
    /// `and` when `all`, else `or`; never empty.
    Composite {
        all: bool,
        conditions: Vec<Condition>,
    },
}

impl Condition {
    /// `self` and `other` under one conjunction, flattening nested ones of the same conjunction.
    fn join(self, other: Self, all: bool) -> Self {
        let mut conditions = match self {
            Self::Composite { all: a, conditions } if a == all => conditions,
            single => vec![single],
        };
        match other {
            Self::Composite {
                all: a,
                conditions: more,
            } if a == all => conditions.extend(more),
            single => conditions.push(single),
        }
        Self::Composite { all, conditions }
    }
}

/// What a [`Criterion`] is about: the attributes of a customer. A marker: no value has this type.
///
/// ```
/// use cdp::contacthub::query::{Criterion, Customers, prelude::*};
/// let vip: Criterion<Customers> = customer::tags::manual().eq("vip");
/// # let _ = vip;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Customers {}

/// What a [`Criterion`] is about: the attributes of one event (inside a [`Did`](super::Did)). A marker: no
/// value has this type.
///
/// ```
/// use cdp::contacthub::query::{Criterion, Events, prelude::*};
/// let pricing: Criterion<Events> = event::properties("url").eq("/pricing");
/// # let _ = pricing;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Events {}

/// A condition on attributes: made by an operator on a typed field ([`FieldOps`]), combined with `&`
/// (and) and `|` (or). `Criterion` alone is about a customer's attributes; a `Criterion<Events>` (an
/// [`EventCriterion`]) is about an event's, made from [`event`](super::event) fields, and the two do not
/// mix.
///
/// ```
/// use cdp::contacthub::query::prelude::*;
///
/// let wayne = customer::base::first_name().eq("Bruce") & customer::base::last_name().eq("Wayne");
/// let vip = customer::tags::manual().in_(["vip", "gold"]) | customer::enabled().eq(false);
/// let query = Query::new().filter(wayne | vip);
/// assert!(query.to_json().is_ok());
/// ```
///
/// A customer criterion and an event criterion cannot be joined:
///
/// ```compile_fail
/// use cdp::contacthub::query::prelude::*;
/// let mixed = customer::base::first_name().eq("Bruce") & event::properties("url").eq("/");
/// ```
pub struct Criterion<On = Customers>(pub(super) Condition, PhantomData<fn() -> On>);

/// A condition on an event's attributes, for [`Did`](super::Did).
///
/// ```
/// use cdp::contacthub::api::types::EventContext;
/// use cdp::contacthub::query::prelude::*;
///
/// let on_the_web: EventCriterion = event::context().eq(EventContext::Web);
/// # let _ = on_the_web;
/// ```
pub type EventCriterion = Criterion<Events>;

impl<On> Criterion<On> {
    pub(super) fn new(condition: Condition) -> Self {
        Self(condition, PhantomData)
    }
}

// By hand: derives would ask the marker for `Clone`, `Debug` and `PartialEq`.
impl<On> Clone for Criterion<On> {
    fn clone(&self) -> Self {
        Self::new(self.0.clone())
    }
}

impl<On> fmt::Debug for Criterion<On> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Criterion").field(&self.0).finish()
    }
}

impl<On> PartialEq for Criterion<On> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<On> BitAnd for Criterion<On> {
    type Output = Criterion<On>;

    fn bitand(self, other: Criterion<On>) -> Criterion<On> {
        Criterion::new(self.0.join(other.0, true))
    }
}

impl<On> BitOr for Criterion<On> {
    type Output = Criterion<On>;

    fn bitor(self, other: Criterion<On>) -> Criterion<On> {
        Criterion::new(self.0.join(other.0, false))
    }
}

/// Attributes the operators apply to: the generated customer fields and the event fields. Sealed, so that
/// [`FieldOps`] stays the one way to make a criterion.
pub(super) mod sealed {
    use std::borrow::Cow;

    /// An attribute path whose values are of kind `Kind`, naming an attribute of `On`.
    pub trait Attribute {
        /// The kind of value at the path.
        type Kind: contacthub_api::Kind;
        /// Customers or events.
        type On;
        /// The dotted path, as the wire names it.
        fn into_path(self) -> Cow<'static, str>;
    }
}

impl<K: Kind> sealed::Attribute for Field<K> {
    type Kind = K;
    type On = Customers;

    fn into_path(self) -> Cow<'static, str> {
        Field::into_path(self)
    }
}

fn atomic<On>(attribute: Cow<'static, str>, operator: Operator, operand: Operand) -> Criterion<On> {
    Criterion::new(Condition::Atomic {
        attribute,
        operator,
        operand,
    })
}

fn one<K: Kind>(value: impl Into<K::Value>) -> Operand {
    K::to_json(value.into()).map_or(Operand::Unrepresentable, Operand::One)
}

fn many<K: Kind>(values: impl IntoIterator<Item = impl Into<K::Value>>) -> Operand {
    values
        .into_iter()
        .map(|v| K::to_json(v.into()))
        .collect::<Option<Vec<Value>>>()
        .map_or(Operand::Unrepresentable, Operand::Many)
}

/// The eleven operators on a typed field. Each takes values of the field's kind only: a date field takes
/// `chrono::NaiveDate`, a number field numbers, an enum field its enum; ordering operators exist only for
/// kinds with an order ([`Ordered`]). In scope with `use cdp::contacthub::query::prelude::*`.
///
/// ```
/// use cdp::contacthub::api::chrono::NaiveDate;
/// use cdp::contacthub::query::prelude::*;
///
/// let day = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
/// let born_before = customer::base::dob().lt(day);
/// let near_milan = customer::base::address::geo::lat().between(45.0, 46.0);
/// let no_email = customer::base::contacts::email().is_null();
/// # let _ = (born_before, near_milan, no_email);
/// ```
///
/// A value of another kind does not compile:
///
/// ```compile_fail
/// use cdp::contacthub::query::prelude::*;
/// let wrong = customer::base::dob().eq("1980-01-01");
/// ```
pub trait FieldOps<K: Kind>: sealed::Attribute<Kind = K> {
    /// `EQUALS`.
    fn eq(self, value: impl Into<K::Value>) -> Criterion<Self::On>;
    /// `NOT_EQUALS`.
    fn ne(self, value: impl Into<K::Value>) -> Criterion<Self::On>;
    /// `GT`.
    fn gt(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered;
    /// `GTE`.
    fn gte(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered;
    /// `LT`.
    fn lt(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered;
    /// `LTE`.
    fn lte(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered;
    /// `IN`: equal to one of `values`.
    fn in_(self, values: impl IntoIterator<Item = impl Into<K::Value>>) -> Criterion<Self::On>;
    /// `NOT_IN`: equal to none of `values`.
    fn not_in(self, values: impl IntoIterator<Item = impl Into<K::Value>>) -> Criterion<Self::On>;
    /// `BETWEEN`: from `low` to `high`, both included.
    fn between(self, low: impl Into<K::Value>, high: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered;
    /// `IS_NULL`: the attribute is absent or null.
    // Named after the wire operator; like every operator it turns the field into a criterion.
    #[allow(clippy::wrong_self_convention)]
    fn is_null(self) -> Criterion<Self::On>;
    /// `IS_NOT_NULL`: the attribute has a value.
    #[allow(clippy::wrong_self_convention)]
    fn is_not_null(self) -> Criterion<Self::On>;
}

impl<K: Kind, A: sealed::Attribute<Kind = K>> FieldOps<K> for A {
    fn eq(self, value: impl Into<K::Value>) -> Criterion<Self::On> {
        atomic(self.into_path(), Operator::Equals, one::<K>(value))
    }

    fn ne(self, value: impl Into<K::Value>) -> Criterion<Self::On> {
        atomic(self.into_path(), Operator::NotEquals, one::<K>(value))
    }

    fn gt(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered,
    {
        atomic(self.into_path(), Operator::Gt, one::<K>(value))
    }

    fn gte(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered,
    {
        atomic(self.into_path(), Operator::Gte, one::<K>(value))
    }

    fn lt(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered,
    {
        atomic(self.into_path(), Operator::Lt, one::<K>(value))
    }

    fn lte(self, value: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered,
    {
        atomic(self.into_path(), Operator::Lte, one::<K>(value))
    }

    fn in_(self, values: impl IntoIterator<Item = impl Into<K::Value>>) -> Criterion<Self::On> {
        atomic(self.into_path(), Operator::In, many::<K>(values))
    }

    fn not_in(self, values: impl IntoIterator<Item = impl Into<K::Value>>) -> Criterion<Self::On> {
        atomic(self.into_path(), Operator::NotIn, many::<K>(values))
    }

    fn between(self, low: impl Into<K::Value>, high: impl Into<K::Value>) -> Criterion<Self::On>
    where
        K: Ordered,
    {
        let operand = many::<K>([low.into(), high.into()]);
        atomic(self.into_path(), Operator::Between, operand)
    }

    fn is_null(self) -> Criterion<Self::On> {
        atomic(self.into_path(), Operator::IsNull, Operand::Absent)
    }

    fn is_not_null(self) -> Criterion<Self::On> {
        atomic(self.into_path(), Operator::IsNotNull, Operand::Absent)
    }
}
