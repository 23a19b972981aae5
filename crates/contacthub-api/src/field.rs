//! A typed attribute path of a customer, as queries name it (`base.firstName`), and the kinds of value a
//! path holds. The paths themselves are generated from the spec into [`crate::fields`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde_json::Value;

/// The dotted path of an attribute whose values are of kind `K` (see [`kind`]).
///
/// ```
/// use contacthub_api::fields::customer;
///
/// let dob = customer::base::dob();
/// assert_eq!(dob.path(), "base.dob");
/// assert_eq!(customer::extended("loyalty.tier").path(), "extended.loyalty.tier");
/// ```
pub struct Field<K> {
    path: Cow<'static, str>,
    // `fn() -> K`: the kind is a marker, so a field is `Send + Sync` whatever `K` is.
    kind: PhantomData<fn() -> K>,
}

impl<K> Field<K> {
    /// A field at a fixed path.
    ///
    /// ```
    /// let f = contacthub_api::Field::<contacthub_api::kind::Text>::new("base.firstName");
    /// assert_eq!(f.path(), "base.firstName");
    /// ```
    pub const fn new(path: &'static str) -> Self {
        Self {
            path: Cow::Borrowed(path),
            kind: PhantomData,
        }
    }

    /// A field at a path built at run time (below a free-form object).
    ///
    /// ```
    /// let f = contacthub_api::Field::<contacthub_api::kind::Any>::owned(format!("extended.{}", "tier"));
    /// assert_eq!(f.path(), "extended.tier");
    /// ```
    pub fn owned(path: String) -> Self {
        Self {
            path: Cow::Owned(path),
            kind: PhantomData,
        }
    }

    /// The dotted path, as the wire names the attribute.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path, owned.
    ///
    /// ```
    /// let path = contacthub_api::fields::customer::id().into_path();
    /// assert_eq!(path, "id");
    /// ```
    pub fn into_path(self) -> Cow<'static, str> {
        self.path
    }

    /// The same path read as another kind: for values below a free-form object whose kind the workspace
    /// knows (`extended("loyalty.points").of_kind::<kind::Integer>()`).
    ///
    /// ```
    /// use contacthub_api::{fields::customer, kind};
    ///
    /// let points = customer::extended("loyalty.points").of_kind::<kind::Integer>();
    /// assert_eq!(points.path(), "extended.loyalty.points");
    /// ```
    pub fn of_kind<L>(self) -> Field<L> {
        Field {
            path: self.path,
            kind: PhantomData,
        }
    }
}

// By hand: derives would ask `K: Clone`/`K: Debug` of the marker.
impl<K> Clone for Field<K> {
    fn clone(&self) -> Self {
        Self {
            path: self.path.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> fmt::Debug for Field<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field<{}>({:?})", std::any::type_name::<K>(), self.path)
    }
}

/// A kind of attribute value: the Rust type a query compares the attribute with, and its JSON.
///
/// ```
/// use contacthub_api::{Kind, kind::Date};
///
/// let day = chrono::NaiveDate::from_ymd_opt(1980, 2, 19).unwrap();
/// assert_eq!(Date::to_json(day), Some(serde_json::json!("1980-02-19")));
/// ```
pub trait Kind {
    /// What a value of this kind is in Rust.
    type Value;

    /// The value as JSON; `None` when JSON cannot hold it (a NaN or infinite number).
    fn to_json(value: Self::Value) -> Option<Value>;
}

/// Kinds whose values have an order, so `GT`, `LT` and `BETWEEN` make sense (not booleans nor enums).
///
/// ```
/// fn ordered<K: contacthub_api::Ordered>() {}
/// ordered::<contacthub_api::kind::Date>();
/// ```
pub trait Ordered: Kind {}

/// The kinds of attribute value. They are markers: no value has these types.
pub mod kind {
    use chrono::{FixedOffset, NaiveDate, SecondsFormat};
    use serde_json::Value;

    use super::{Kind, Ordered};

    /// A string.
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// assert_eq!(contacthub_api::kind::Text::to_json("".into()), Some(serde_json::json!("")));
    /// ```
    #[derive(Debug)]
    pub enum Text {}

    /// A calendar date, `YYYY-MM-DD` on the wire (`format: date`).
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    /// assert_eq!(contacthub_api::kind::Date::to_json(day), Some(serde_json::json!("2024-01-02")));
    /// ```
    #[derive(Debug)]
    pub enum Date {}

    /// An instant, RFC 3339 on the wire (`format: date-time`).
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// let at: chrono::DateTime<chrono::FixedOffset> = "2024-01-02T03:04:05+01:00".parse().unwrap();
    /// assert_eq!(contacthub_api::kind::DateTime::to_json(at), Some(serde_json::json!("2024-01-02T03:04:05+01:00")));
    /// ```
    #[derive(Debug)]
    pub enum DateTime {}

    /// A whole number.
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// assert_eq!(contacthub_api::kind::Integer::to_json(0), Some(serde_json::json!(0)));
    /// ```
    #[derive(Debug)]
    pub enum Integer {}

    /// A number; NaN and the infinities have no JSON.
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// assert_eq!(contacthub_api::kind::Number::to_json(f64::NAN), None);
    /// ```
    #[derive(Debug)]
    pub enum Number {}

    /// `true` or `false`.
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// assert_eq!(contacthub_api::kind::Boolean::to_json(false), Some(serde_json::json!(false)));
    /// ```
    #[derive(Debug)]
    pub enum Boolean {}

    /// Anything: a value below a free-form object, whose kind the spec does not know.
    ///
    /// ```
    /// use contacthub_api::Kind;
    /// assert_eq!(contacthub_api::kind::Any::to_json(serde_json::json!(3)), Some(serde_json::json!(3)));
    /// ```
    #[derive(Debug)]
    pub enum Any {}

    impl Kind for Text {
        type Value = String;
        fn to_json(value: String) -> Option<Value> {
            Some(Value::String(value))
        }
    }

    impl Kind for Date {
        type Value = NaiveDate;
        fn to_json(value: NaiveDate) -> Option<Value> {
            Some(Value::String(value.format("%Y-%m-%d").to_string()))
        }
    }

    impl Kind for DateTime {
        type Value = chrono::DateTime<FixedOffset>;
        fn to_json(value: Self::Value) -> Option<Value> {
            // RFC 3339 has no seconds in an offset, and chrono writes one without them, which would
            // move the instant: such an instant is sent in UTC instead, unmoved.
            let value = if value.offset().local_minus_utc() % 60 == 0 {
                value
            } else {
                value.with_timezone(&chrono::Utc).fixed_offset()
            };
            // Fractions only when there are some; `Z` for UTC.
            Some(Value::String(
                value.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            ))
        }
    }

    impl Kind for Integer {
        type Value = i64;
        fn to_json(value: i64) -> Option<Value> {
            Some(Value::from(value))
        }
    }

    impl Kind for Number {
        type Value = f64;
        fn to_json(value: f64) -> Option<Value> {
            serde_json::Number::from_f64(value).map(Value::Number)
        }
    }

    impl Kind for Boolean {
        type Value = bool;
        fn to_json(value: bool) -> Option<Value> {
            Some(Value::Bool(value))
        }
    }

    impl Kind for Any {
        type Value = Value;
        fn to_json(value: Value) -> Option<Value> {
            Some(value)
        }
    }

    impl Ordered for Text {}
    impl Ordered for Date {}
    impl Ordered for DateTime {}
    impl Ordered for Integer {}
    impl Ordered for Number {}
    impl Ordered for Any {}
}
