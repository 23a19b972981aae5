//! The `refinement` filter of `GET /segments/{segmentId}/profiles`: a JSON `RefinementBean`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::dates;
use super::store::Profile;

/// Operators BlueConic has that the sandbox does not evaluate: they are answered with 400.
const UNSUPPORTED: &[&str] = &[
    "NOT_IN_RANGE",
    "IN_LAST_DAYS",
    "NOT_IN_LAST_DAYS",
    "IN_NEXT_DAYS",
    "NOT_IN_NEXT_DAYS",
    "IN_LAST_HOURS",
    "NOT_IN_LAST_HOURS",
    "IN_NEXT_HOURS",
    "NOT_IN_NEXT_HOURS",
];

/// A parsed refinement.
#[derive(Debug, PartialEq)]
pub(super) enum Refinement {
    And(Vec<Refinement>),
    Or(Vec<Refinement>),
    IsEmpty(String),
    NotIsEmpty(String),
    ContainsAny(String, Vec<String>),
    ContainsAll(String, Vec<String>),
    NotContainsAny(String, Vec<String>),
    NotContainsAll(String, Vec<String>),
    InRange(String, Range),
}

/// The bounds of `IN_RANGE`, both inclusive, either open.
#[derive(Debug, PartialEq)]
pub(super) enum Range {
    Number(Option<f64>, Option<f64>),
    Date(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

impl Refinement {
    /// Parses the JSON text of `refinement`; the error says what is wrong.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("refinement is not valid JSON: {e}"))?;
        Self::from_value(&value)
    }

    fn from_value(value: &Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or("a refinement must be a JSON object")?;
        let operator = object
            .get("operator")
            .and_then(Value::as_str)
            .ok_or("a refinement needs an `operator`")?;
        if object.get("objective").is_some_and(|v| !v.is_null()) {
            return Err("refinement `objective` is not supported by the sandbox".into());
        }
        if object.get("groupProperty").is_some_and(|v| !v.is_null()) {
            return Err("refinement `groupProperty` is not supported by the sandbox".into());
        }
        let filters = || -> Result<Vec<Self>, String> {
            object
                .get("filters")
                .and_then(Value::as_array)
                .map(|filters| filters.iter().map(Self::from_value).collect())
                .unwrap_or(Ok(Vec::new()))
        };
        let property = || -> Result<String, String> {
            object
                .get("property")
                .and_then(Value::as_str)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("refinement operator {operator} needs a `property`"))
        };
        let values = || -> Result<Vec<String>, String> {
            let values = object
                .get("values")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("refinement operator {operator} needs `values`"))?;
            values
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    Value::Bool(b) => Ok(b.to_string()),
                    _ => Err(format!("refinement values must be text, got {v}")),
                })
                .collect()
        };
        Ok(match operator {
            "AND" => Self::And(filters()?),
            "OR" => Self::Or(filters()?),
            "IS_EMPTY" => Self::IsEmpty(property()?),
            "NOT_IS_EMPTY" => Self::NotIsEmpty(property()?),
            "CONTAINS_ANY" => Self::ContainsAny(property()?, values()?),
            "CONTAINS_ALL" => Self::ContainsAll(property()?, values()?),
            "NOT_CONTAINS_ANY" => Self::NotContainsAny(property()?, values()?),
            "NOT_CONTAINS_ALL" => Self::NotContainsAll(property()?, values()?),
            "IN_RANGE" => Self::InRange(property()?, range(object)?),
            other if UNSUPPORTED.contains(&other) => {
                return Err(format!(
                    "refinement operator {other} is not supported by the sandbox"
                ));
            }
            other => return Err(format!("unknown refinement operator {other}")),
        })
    }

    /// Whether a profile passes the filter.
    pub(super) fn matches(&self, profile: &Profile) -> bool {
        match self {
            Self::And(filters) => filters.iter().all(|f| f.matches(profile)),
            Self::Or(filters) => filters.iter().any(|f| f.matches(profile)),
            Self::IsEmpty(property) => profile.values(property).is_empty(),
            Self::NotIsEmpty(property) => !profile.values(property).is_empty(),
            Self::ContainsAny(property, values) => contains(profile, property, values).any(|c| c),
            Self::ContainsAll(property, values) => contains(profile, property, values).all(|c| c),
            Self::NotContainsAny(property, values) => {
                !contains(profile, property, values).any(|c| c)
            }
            Self::NotContainsAll(property, values) => {
                !contains(profile, property, values).all(|c| c)
            }
            Self::InRange(property, range) => {
                profile.values(property).iter().any(|v| range.contains(v))
            }
        }
    }
}

/// For each wanted value, whether the profile has it (case-insensitively, as BlueConic compares text).
fn contains<'a>(
    profile: &'a Profile,
    property: &'a str,
    wanted: &'a [String],
) -> impl Iterator<Item = bool> + 'a {
    let have = profile.values(property);
    wanted
        .iter()
        .map(move |w| have.iter().any(|h| h.eq_ignore_ascii_case(w)))
}

fn range(object: &serde_json::Map<String, Value>) -> Result<Range, String> {
    let text = |key: &str| -> Option<String> {
        match object.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let number = |key: &str| -> Result<Option<f64>, String> {
        text(key)
            .map(|t| {
                t.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("refinement `{key}` must be a number, got `{t}`"))
            })
            .transpose()
    };
    let date = |key: &str| -> Result<Option<DateTime<Utc>>, String> {
        text(key)
            .map(|t| {
                dates::parse(&t).ok_or_else(|| {
                    format!("refinement `{key}` must be an ISO 8601 date, got `{t}`")
                })
            })
            .transpose()
    };
    let (from_value, to_value) = (number("fromValue")?, number("toValue")?);
    let (from_date, to_date) = (date("fromDate")?, date("toDate")?);
    match (from_value.or(to_value), from_date.or(to_date)) {
        (Some(_), None) => Ok(Range::Number(from_value, to_value)),
        (None, Some(_)) => Ok(Range::Date(from_date, to_date)),
        (Some(_), Some(_)) => Err("refinement IN_RANGE takes values or dates, not both".into()),
        (None, None) => {
            Err("refinement IN_RANGE needs `fromValue`/`toValue` or `fromDate`/`toDate`".into())
        }
    }
}

impl Range {
    fn contains(&self, value: &str) -> bool {
        match self {
            Self::Number(from, to) => value
                .trim()
                .parse::<f64>()
                .is_ok_and(|v| from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t)),
            Self::Date(from, to) => dates::parse(value)
                .is_some_and(|v| from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_filters_parse() {
        let parsed = Refinement::parse(
            r#"{"operator":"AND","filters":[{"operator":"IS_EMPTY","property":"email"},
                {"operator":"IN_RANGE","property":"visits","fromValue":"3","toValue":5}]}"#,
        );
        assert_eq!(
            parsed,
            Ok(Refinement::And(vec![
                Refinement::IsEmpty("email".into()),
                Refinement::InRange("visits".into(), Range::Number(Some(3.0), Some(5.0))),
            ]))
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |text: &str| Refinement::parse(text).err().unwrap_or_default();
        assert!(err("{").contains("not valid JSON"));
        assert!(err(r#"{"operator":"IN_LAST_DAYS","property":"x"}"#).contains("IN_LAST_DAYS"));
        assert!(err(r#"{"operator":"NOPE"}"#).contains("NOPE"));
        assert!(err(r#"{"operator":"CONTAINS_ANY","values":["a"]}"#).contains("property"));
    }
}
