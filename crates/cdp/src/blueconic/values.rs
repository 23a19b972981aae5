//! Values of profile properties: BlueConic carries every value as text, so numbers, booleans and
//! date-times are written the way the API reads them.

use chrono::{DateTime, SecondsFormat, TimeZone};

/// One value of a profile property, from a string, a number, a bool or a date-time. A number that is
/// not finite (NaN, ±∞) is kept as refused: writing a change that holds it fails with
/// [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is sent.
///
/// ```
/// use cdp::blueconic::PropertyValue;
/// use chrono::{TimeZone, Utc};
///
/// assert_eq!(PropertyValue::from("tea").as_str(), Some("tea"));
/// assert_eq!(PropertyValue::from(42).as_str(), Some("42"));
/// assert_eq!(PropertyValue::from(2.5).as_str(), Some("2.5"));
/// assert_eq!(PropertyValue::from(true).as_str(), Some("true"));
/// let when = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
/// assert_eq!(PropertyValue::from(when).as_str(), Some("2026-01-02T03:04:05.000Z"));
/// assert_eq!(PropertyValue::from(f64::NAN).as_str(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PropertyValue(Result<String, Refused>);

/// Why a value cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Refused;

impl PropertyValue {
    /// The value as sent, or `None` for a number that is not finite.
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::PropertyValue::from("a").as_str(), Some("a"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref().ok()
    }

    /// The text sent; a refused value is caught before sending, so it never reaches here.
    pub(crate) fn into_wire(self) -> String {
        self.0.unwrap_or_default()
    }

    pub(crate) fn checked(self) -> Result<String, Refused> {
        self.0
    }
}

impl From<&str> for PropertyValue {
    fn from(value: &str) -> Self {
        Self(Ok(value.to_owned()))
    }
}

impl From<String> for PropertyValue {
    fn from(value: String) -> Self {
        Self(Ok(value))
    }
}

impl From<&String> for PropertyValue {
    fn from(value: &String) -> Self {
        Self(Ok(value.clone()))
    }
}

impl From<bool> for PropertyValue {
    fn from(value: bool) -> Self {
        Self(Ok(value.to_string()))
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl From<$t> for PropertyValue {
            fn from(value: $t) -> Self {
                Self(Ok(value.to_string()))
            }
        }
    )*};
}
integers!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl From<f64> for PropertyValue {
    fn from(value: f64) -> Self {
        Self(if value.is_finite() {
            Ok(value.to_string())
        } else {
            Err(Refused)
        })
    }
}

impl From<f32> for PropertyValue {
    fn from(value: f32) -> Self {
        Self::from(f64::from(value))
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for PropertyValue {
    /// In UTC, ISO 8601 with milliseconds, as the API writes dates itself.
    fn from(value: DateTime<Tz>) -> Self {
        Self(Ok(value
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true)))
    }
}
