//! How new values combine with current ones (`ValueStrategy`): for profile properties (text) and for
//! the data of timeline events (any JSON).

use serde::Deserialize;
use serde_json::Value;

/// A value strategy of a property or event data change.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum Strategy {
    Add,
    #[default]
    Set,
    SetIfEmpty,
    Increment,
    Remove,
}

/// A number as BlueConic keeps it: whole numbers stay whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        text.parse::<i64>().map(Self::Int).ok().or_else(|| {
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Self::Float)
        })
    }

    fn plus(self, other: Self) -> Self {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a
                .checked_add(b)
                .map_or(Self::Float(a as f64 + b as f64), Self::Int),
            (a, b) => Self::Float(a.as_f64() + b.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }
}

/// A value that combines: text (profile properties) or JSON (event data).
pub(super) trait Combinable: Clone + PartialEq {
    fn number(&self) -> Option<Number>;
    fn from_number(number: Number) -> Self;
}

impl Combinable for String {
    fn number(&self) -> Option<Number> {
        Number::parse(self)
    }

    fn from_number(number: Number) -> Self {
        match number {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => f.to_string(),
        }
    }
}

impl Combinable for Value {
    fn number(&self) -> Option<Number> {
        match self {
            Self::Number(n) => n
                .as_i64()
                .map(Number::Int)
                .or_else(|| n.as_f64().map(Number::Float)),
            Self::String(s) => Number::parse(s),
            _ => None,
        }
    }

    fn from_number(number: Number) -> Self {
        match number {
            Number::Int(i) => Self::from(i),
            Number::Float(f) => Self::from(f),
        }
    }
}

/// The values after applying `strategy` with `incoming` to `current`; an error for an `INCREMENT`
/// that is not numeric.
pub(super) fn combine<T: Combinable>(
    current: &[T],
    incoming: &[T],
    strategy: Strategy,
) -> Result<Vec<T>, String> {
    Ok(match strategy {
        Strategy::Set => dedup(incoming.to_vec()),
        Strategy::SetIfEmpty if current.is_empty() => dedup(incoming.to_vec()),
        Strategy::SetIfEmpty => current.to_vec(),
        Strategy::Add => {
            let mut all = current.to_vec();
            all.extend(incoming.iter().cloned());
            dedup(all)
        }
        // REMOVE with no values clears the property.
        Strategy::Remove if incoming.is_empty() => Vec::new(),
        Strategy::Remove => current
            .iter()
            .filter(|v| !incoming.contains(v))
            .cloned()
            .collect(),
        Strategy::Increment => {
            let start = match current.first() {
                None => Number::Int(0),
                Some(value) => value
                    .number()
                    .ok_or("INCREMENT needs a numeric current value")?,
            };
            let sum = incoming.iter().try_fold(start, |sum, v| {
                v.number()
                    .map(|n| sum.plus(n))
                    .ok_or("INCREMENT needs numeric values")
            })?;
            vec![T::from_number(sum)]
        }
    })
}

/// Drops repeated values, keeping the first of each (a property holds a set of values).
fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(values.len());
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn strategies_combine_as_documented() {
        let now = strings(&["a", "b"]);
        let run = |incoming: &[&str], strategy| combine(&now, &strings(incoming), strategy);
        assert_eq!(run(&["c"], Strategy::Set), Ok(strings(&["c"])));
        assert_eq!(
            run(&["b", "c"], Strategy::Add),
            Ok(strings(&["a", "b", "c"]))
        );
        assert_eq!(run(&["c"], Strategy::SetIfEmpty), Ok(now.clone()));
        assert_eq!(run(&["a"], Strategy::Remove), Ok(strings(&["b"])));
        assert_eq!(run(&[], Strategy::Remove), Ok(Vec::new()));
        assert!(run(&["1"], Strategy::Increment).is_err());
        assert_eq!(
            combine(&strings(&["2"]), &strings(&["3"]), Strategy::Increment),
            Ok(strings(&["5"]))
        );
        assert_eq!(
            combine(&[], &strings(&["1.5"]), Strategy::Increment),
            Ok(strings(&["1.5"]))
        );
        assert_eq!(
            combine(&[Value::from(1)], &[Value::from(2.5)], Strategy::Increment),
            Ok(vec![Value::from(3.5)])
        );
    }
}
