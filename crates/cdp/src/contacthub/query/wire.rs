//! The JSON of a query, member by member in the order of ContactHub's documentation (not a map's order).

use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};

use super::criterion::{Condition, Operand};
use super::{Body, Did, Query};

/// `{"name", "query"}`, for a query already checked.
pub(super) struct Wire<'a>(pub(super) &'a Query);

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("name", self.0.name.as_ref())?;
        map.serialize_entry("query", &WireBody(&self.0.body))?;
        map.end()
    }
}

struct WireBody<'a>(&'a Body);

impl Serialize for WireBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Body::Simple { are, did } if are.is_some() || did.is_some() => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("type", "simple")?;
                if let Some(condition) = are {
                    map.serialize_entry("are", &Are(condition))?;
                }
                if let Some(did) = did {
                    map.serialize_entry("did", &WireDid(did))?;
                }
                map.end()
            }
            Body::Combined(set, queries) => {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("type", "combined")?;
                map.serialize_entry("conjunction", set.as_str())?;
                let queries: Vec<WireBody<'_>> = queries.iter().map(WireBody).collect();
                map.serialize_entry("queries", &queries)?;
                map.end()
            }
            // `Query::check` turns these into errors first.
            Body::Simple { .. } => Err(S::Error::custom("a query needs a criterion")),
            Body::Invalid(message) => Err(S::Error::custom(message)),
        }
    }
}

struct Are<'a>(&'a Condition);

impl Serialize for Are<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("condition", &WireCondition(self.0))?;
        map.end()
    }
}

/// `{"event": {"name"}, "condition", "timeframe"}`.
struct WireDid<'a>(&'a Did);

impl Serialize for WireDid<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let timeframe = self.0.timeframe.as_ref().map_err(S::Error::custom)?;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("event", &EventName(&self.0.event))?;
        map.serialize_entry("condition", &WireCondition(&self.0.condition))?;
        map.serialize_entry("timeframe", &WireCondition(timeframe))?;
        map.end()
    }
}

struct EventName<'a>(&'a str);

impl Serialize for EventName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("name", self.0)?;
        map.end()
    }
}

struct WireCondition<'a>(&'a Condition);

impl Serialize for WireCondition<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Condition::Atomic {
                attribute,
                operator,
                operand,
            } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("type", "atomic")?;
                map.serialize_entry("attribute", attribute.as_ref())?;
                map.serialize_entry("operator", operator.as_str())?;
                match operand {
                    Operand::Absent => {}
                    Operand::One(value) => map.serialize_entry("value", value)?,
                    Operand::Many(values) => map.serialize_entry("value", values)?,
                    Operand::Unrepresentable => {
                        return Err(S::Error::custom(format!(
                            "`{attribute}` has a value JSON cannot hold"
                        )));
                    }
                }
                map.end()
            }
            Condition::Composite { all, conditions } => {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("type", "composite")?;
                map.serialize_entry("conjunction", if *all { "and" } else { "or" })?;
                let conditions: Vec<WireCondition<'_>> =
                    conditions.iter().map(WireCondition).collect();
                map.serialize_entry("conditions", &conditions)?;
                map.end()
            }
        }
    }
}
