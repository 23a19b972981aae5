//! Values of a visitor's context: strings, booleans, integers and finite floats.

use serde_json::Value;

use crate::{Error, Result};

/// One value of a visitor's context. The `From` impls make any other type a compile error, where the
/// Python SDK checks at run time; a non-finite float is refused when the context is set
/// ([`VisitorBuilder::build`](super::VisitorBuilder::build), [`Visitor::update_context`](super::Visitor::update_context)).
///
/// ```
/// use cdp::flagship::ContextValue;
/// assert_eq!(ContextValue::from("pro"), ContextValue::String("pro".into()));
/// assert_eq!(ContextValue::from(31), ContextValue::Int(31));
/// assert_eq!(ContextValue::from(true), ContextValue::Bool(true));
/// assert_eq!(ContextValue::from(1.5), ContextValue::Float(1.5));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ContextValue {
    /// Text.
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (finite, once checked).
    Float(f64),
}

impl ContextValue {
    /// The value as JSON, as the Decision API takes it.
    ///
    /// ```
    /// assert_eq!(cdp::flagship::ContextValue::from(2).to_json(), serde_json::json!(2));
    /// ```
    pub fn to_json(&self) -> Value {
        match self {
            Self::String(s) => Value::String(s.clone()),
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(i) => Value::from(*i),
            // A non-finite float never gets here (refused when set); `null` is the safe fallback.
            Self::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        }
    }

    /// The value as a number, for numeric comparisons.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Self::Int(i) => Some(*i as f64),
            Self::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// `Err` for a non-finite float under `key`.
    pub(crate) fn check(&self, key: &str) -> Result<()> {
        match self {
            Self::Float(f) if !f.is_finite() => Err(Error::invalid_input(
                key,
                "a context value must be a finite number (not NaN or infinite)",
            )),
            _ => Ok(()),
        }
    }
}

impl From<&str> for ContextValue {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for ContextValue {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&String> for ContextValue {
    fn from(value: &String) -> Self {
        Self::String(value.clone())
    }
}

impl From<bool> for ContextValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for ContextValue {
            fn from(value: $t) -> Self {
                Self::Int(i64::from(value))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for ContextValue {
    fn from(value: f64) -> Self {
        Self::Float(value)
    }
}

impl From<f32> for ContextValue {
    fn from(value: f32) -> Self {
        Self::Float(f64::from(value))
    }
}
