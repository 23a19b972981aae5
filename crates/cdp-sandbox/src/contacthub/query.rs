//! The customer query DSL of `GET /customers?query=`: parsed from its JSON, then evaluated over stored
//! customers and their events (see the module docs for the semantics on arrays and comparisons).
//!
//! A simple query's `did` (customers who did an event) is evaluated on the events the sandbox stores:
//! a customer matches when at least one of its events has the named type and satisfies both the
//! `condition` and the `timeframe`. Where it simplifies the real service:
//! - the `condition` and the `timeframe` are conditions on the stored event as `GET /events/{id}` returns
//!   it (`context`, `mode`, `date`, `properties.*`, `contextInfo.*`, `tracking.*`, …), evaluated like the
//!   customer's attributes; the timeframe may name any of them, though it is meant for `date`;
//! - only the events tied to the customer count: anonymous events count once their session or external id
//!   ties them to it (as `GET /events?customerId=` lists them);
//! - the event's name must be one of the spec's event types.

use std::cmp::Ordering;

use serde_json::Value;

use super::store::Store;
use super::{events, instant, schema};

/// A parsed query: `{"name": .., "query": SimpleQuery | CombinedQuery}`.
#[derive(Debug, PartialEq)]
pub(super) enum Query {
    /// `{"type": "simple", "are"?: {"condition": ..}, "did"?: ..}`, with at least one of the two.
    Simple {
        are: Option<Condition>,
        did: Option<Did>,
    },
    Combined(Combination, Vec<Query>),
}

/// `{"event": {"name": ..}, "condition": .., "timeframe": ..}`: the customer has an event of the type
/// that satisfies both conditions.
#[derive(Debug, PartialEq)]
pub(super) struct Did {
    event: String,
    condition: Condition,
    timeframe: Condition,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Combination {
    Intersect,
    Union,
    Except,
}

#[derive(Debug, PartialEq)]
pub(super) enum Condition {
    Atomic {
        attribute: String,
        operator: Operator,
        value: Value,
    },
    /// `and` when `all`, else `or`.
    Composite {
        all: bool,
        conditions: Vec<Condition>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
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

/// Parses the `query` parameter; the error says what is wrong.
pub(super) fn parse(text: &str) -> Result<Query, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("the query is not JSON: {e}"))?;
    let members = root.as_object().ok_or("the query must be an object")?;
    if let Some(name) = members.get("name")
        && !name.is_string()
    {
        return Err("`name` must be a string".into());
    }
    if let Some(other) = members.keys().find(|k| *k != "name" && *k != "query") {
        return Err(format!("unknown member `{other}`"));
    }
    parse_query(members.get("query").ok_or("`query` is required")?, "query")
}

fn parse_query(value: &Value, at: &str) -> Result<Query, String> {
    let kind = value.get("type").and_then(Value::as_str);
    match kind {
        Some("simple") => {
            let are = value
                .get("are")
                .map(|are| {
                    let condition = are
                        .get("condition")
                        .ok_or_else(|| format!("{at}.are.condition is required"))?;
                    parse_condition(
                        condition,
                        &format!("{at}.are.condition"),
                        customer_attribute,
                    )
                })
                .transpose()?;
            let did = value
                .get("did")
                .map(|did| parse_did(did, &format!("{at}.did")))
                .transpose()?;
            if are.is_none() && did.is_none() {
                return Err(format!("{at} needs `are` or `did`"));
            }
            Ok(Query::Simple { are, did })
        }
        Some("combined") => {
            let combination = match value.get("conjunction").and_then(Value::as_str) {
                Some("INTERSECT") => Combination::Intersect,
                Some("UNION") => Combination::Union,
                Some("EXCEPT") => Combination::Except,
                _ => {
                    return Err(format!(
                        "{at}.conjunction must be INTERSECT, UNION or EXCEPT"
                    ));
                }
            };
            let queries = value
                .get("queries")
                .and_then(Value::as_array)
                .filter(|q| !q.is_empty())
                .ok_or_else(|| format!("{at}.queries must be a non-empty array"))?;
            let queries = queries
                .iter()
                .enumerate()
                .map(|(i, q)| parse_query(q, &format!("{at}.queries[{i}]")))
                .collect::<Result<_, _>>()?;
            Ok(Query::Combined(combination, queries))
        }
        _ => Err(format!("{at}.type must be `simple` or `combined`")),
    }
}

fn parse_did(value: &Value, at: &str) -> Result<Did, String> {
    let members = value
        .as_object()
        .ok_or_else(|| format!("{at} must be an object"))?;
    if let Some(other) = members
        .keys()
        .find(|k| !["event", "condition", "timeframe"].contains(&k.as_str()))
    {
        return Err(format!("{at}: unknown member `{other}`"));
    }
    let event = value
        .get("event")
        .and_then(|e| e.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{at}.event.name must be a string"))?;
    if !events::TYPES.contains(&event) {
        return Err(format!("{at}.event.name: unknown event type `{event}`"));
    }
    let part = |name: &str| {
        let condition = value
            .get(name)
            .ok_or_else(|| format!("{at}.{name} is required"))?;
        parse_condition(condition, &format!("{at}.{name}"), event_attribute)
    };
    Ok(Did {
        event: event.to_owned(),
        condition: part("condition")?,
        timeframe: part("timeframe")?,
    })
}

/// Whether a customer query may name `path`.
fn customer_attribute(path: &str) -> bool {
    schema::attribute(path).is_some()
}

/// Whether an event condition may name `path`: a member of the stored event, or a path below one of its
/// free-form objects.
fn event_attribute(path: &str) -> bool {
    const MEMBERS: &[&str] = &[
        "id",
        "customerId",
        "type",
        "context",
        "mode",
        "date",
        "registeredAt",
        "bringBackProperties.type",
        "bringBackProperties.value",
        "bringBackProperties.nodeId",
    ];
    const FREE_FORM: &[&str] = &["properties.", "contextInfo.", "tracking."];
    MEMBERS.contains(&path)
        || FREE_FORM.iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && rest.split('.').all(|s| !s.is_empty()))
        })
}

fn parse_condition(value: &Value, at: &str, known: fn(&str) -> bool) -> Result<Condition, String> {
    match value.get("type").and_then(Value::as_str) {
        Some("atomic") => parse_atomic(value, at, known),
        Some("composite") => {
            let all = match value.get("conjunction").and_then(Value::as_str) {
                Some("and") => true,
                Some("or") => false,
                _ => return Err(format!("{at}.conjunction must be `and` or `or`")),
            };
            let conditions = value
                .get("conditions")
                .and_then(Value::as_array)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| format!("{at}.conditions must be a non-empty array"))?;
            let conditions = conditions
                .iter()
                .enumerate()
                .map(|(i, c)| parse_condition(c, &format!("{at}.conditions[{i}]"), known))
                .collect::<Result<_, _>>()?;
            Ok(Condition::Composite { all, conditions })
        }
        _ => Err(format!("{at}.type must be `atomic` or `composite`")),
    }
}

fn parse_atomic(value: &Value, at: &str, known: fn(&str) -> bool) -> Result<Condition, String> {
    let attribute = value
        .get("attribute")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{at}.attribute must be a string"))?;
    if !known(attribute) {
        return Err(format!("{at}.attribute: unknown attribute `{attribute}`"));
    }
    let operator = match value.get("operator").and_then(Value::as_str) {
        Some("EQUALS") => Operator::Equals,
        Some("NOT_EQUALS") => Operator::NotEquals,
        Some("GT") => Operator::Gt,
        Some("GTE") => Operator::Gte,
        Some("LT") => Operator::Lt,
        Some("LTE") => Operator::Lte,
        Some("IN") => Operator::In,
        Some("NOT_IN") => Operator::NotIn,
        Some("BETWEEN") => Operator::Between,
        Some("IS_NULL") => Operator::IsNull,
        Some("IS_NOT_NULL") => Operator::IsNotNull,
        other => return Err(format!("{at}.operator: unknown operator {other:?}")),
    };
    let value = value.get("value").cloned().unwrap_or(Value::Null);
    let scalar = |v: &Value| v.is_string() || v.is_number() || v.is_boolean();
    let fits = match operator {
        Operator::IsNull | Operator::IsNotNull => true,
        Operator::In | Operator::NotIn => value
            .as_array()
            .is_some_and(|items| items.iter().all(scalar)),
        Operator::Between => value
            .as_array()
            .is_some_and(|items| items.len() == 2 && items.iter().all(scalar)),
        _ => scalar(&value),
    };
    if !fits {
        return Err(format!(
            "{at}.value does not fit the operator {operator:?}: {value}"
        ));
    }
    Ok(Condition::Atomic {
        attribute: attribute.to_owned(),
        operator,
        value,
    })
}

impl Query {
    /// Whether a customer is in the query's result; `store` has its events.
    pub(super) fn matches(&self, customer: &Value, store: &Store) -> bool {
        match self {
            Self::Simple { are, did } => {
                are.as_ref().is_none_or(|c| c.matches(customer))
                    && did.as_ref().is_none_or(|d| d.matches(customer, store))
            }
            Self::Combined(Combination::Intersect, queries) => {
                queries.iter().all(|q| q.matches(customer, store))
            }
            Self::Combined(Combination::Union, queries) => {
                queries.iter().any(|q| q.matches(customer, store))
            }
            Self::Combined(Combination::Except, queries) => match queries.split_first() {
                Some((first, rest)) => {
                    first.matches(customer, store)
                        && !rest.iter().any(|q| q.matches(customer, store))
                }
                None => false,
            },
        }
    }
}

impl Did {
    fn matches(&self, customer: &Value, store: &Store) -> bool {
        let Some(id) = customer.get("id").and_then(Value::as_str) else {
            return false;
        };
        store.events_of(id).into_iter().any(|event| {
            event.get("type").and_then(Value::as_str) == Some(self.event.as_str())
                && self.condition.matches(event)
                && self.timeframe.matches(event)
        })
    }
}

impl Condition {
    /// Whether the condition holds on `root`: a customer, or an event of a `did`.
    fn matches(&self, root: &Value) -> bool {
        match self {
            Self::Composite {
                all: true,
                conditions,
            } => conditions.iter().all(|c| c.matches(root)),
            Self::Composite {
                all: false,
                conditions,
            } => conditions.iter().any(|c| c.matches(root)),
            Self::Atomic {
                attribute,
                operator,
                value,
            } => {
                let mut found = Vec::new();
                resolve(root, attribute, &mut found);
                holds(*operator, &found, value)
            }
        }
    }
}

fn holds(operator: Operator, found: &[&Value], value: &Value) -> bool {
    let list = || value.as_array().map_or(&[][..], Vec::as_slice);
    let cmp =
        |wanted: fn(Ordering) -> bool| found.iter().any(|v| compare(v, value).is_some_and(wanted));
    match operator {
        Operator::IsNull => found.is_empty(),
        Operator::IsNotNull => !found.is_empty(),
        Operator::Equals => found.iter().any(|v| equal(v, value)),
        Operator::NotEquals => !found.iter().any(|v| equal(v, value)),
        Operator::In => found.iter().any(|v| list().iter().any(|w| equal(v, w))),
        Operator::NotIn => !found.iter().any(|v| list().iter().any(|w| equal(v, w))),
        Operator::Gt => cmp(Ordering::is_gt),
        Operator::Gte => cmp(Ordering::is_ge),
        Operator::Lt => cmp(Ordering::is_lt),
        Operator::Lte => cmp(Ordering::is_le),
        Operator::Between => match list() {
            [low, high] => found.iter().any(|v| {
                compare(v, low).is_some_and(Ordering::is_ge)
                    && compare(v, high).is_some_and(Ordering::is_le)
            }),
            _ => false,
        },
    }
}

/// Collects the non-null values at a dotted path, looking through arrays (elements of a final array too).
pub(super) fn resolve<'a>(value: &'a Value, path: &str, found: &mut Vec<&'a Value>) {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    match value {
        Value::Array(items) => items.iter().for_each(|v| resolve(v, path, found)),
        Value::Object(members) => match (members.get(head), rest) {
            (Some(next), Some(rest)) => resolve(next, rest, found),
            (Some(Value::Array(items)), None) => {
                found.extend(items.iter().filter(|v| !v.is_null()));
            }
            (Some(Value::Null), None) | (None, _) => {}
            (Some(leaf), None) => found.push(leaf),
        },
        _ => {}
    }
}

/// Equality, with numbers compared as numbers (so `1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Equal)
}

/// Orders a stored value against a query value: numbers numerically (a numeric string counts as a
/// number beside a number), two instants as instants, other strings by code points.
pub(super) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::Number(x), Value::String(y)) => x.as_f64()?.partial_cmp(&y.parse::<f64>().ok()?),
        (Value::String(x), Value::Number(y)) => x.parse::<f64>().ok()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => match (timestamp(x), timestamp(y)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => Some(x.as_str().cmp(y.as_str())),
        },
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// An instant, for strings that look like one (dates are left as text: they order right as text).
fn timestamp(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if text.len() > 10 && text.as_bytes().get(10) == Some(&b'T') {
        instant::parse(text)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use serde_json::json;

    use super::*;

    fn empty_store() -> Store {
        Store::new(StdRng::seed_from_u64(0), "node".into())
    }

    fn did(did: Value) -> String {
        json!({"name": "", "query": {"type": "simple", "did": did}}).to_string()
    }

    fn viewed(condition: Value, timeframe: Value) -> Value {
        json!({"event": {"name": "viewedPage"}, "condition": condition, "timeframe": timeframe})
    }

    fn atomic(attribute: &str, operator: &str, value: Value) -> String {
        json!({"name": "", "query": {"type": "simple", "are": {"condition":
            {"type": "atomic", "attribute": attribute, "operator": operator, "value": value}}}})
        .to_string()
    }

    #[test]
    fn every_operator_evaluates() {
        let customer = json!({"id": "c", "base": {"firstName": "Bruce", "dob": "1980-02-19",
            "educations": [{"startYear": 1990}, {"startYear": 2001}]},
            "registeredAt": "2017-03-02T12:12:53.074+0000", "tags": {"manual": ["vip", "gold"]}});
        let cases = [
            ("base.firstName", "EQUALS", json!("Bruce"), true),
            ("base.firstName", "NOT_EQUALS", json!("Bruce"), false),
            ("base.dob", "GT", json!("1980-01-01"), true),
            ("base.dob", "GTE", json!("1980-02-19"), true),
            ("base.dob", "LT", json!("1980-02-19"), false),
            ("base.dob", "LTE", json!("1980-02-19"), true),
            ("base.educations.startYear", "GT", json!(2000), true),
            (
                "base.educations.startYear",
                "BETWEEN",
                json!([1991, 2000]),
                false,
            ),
            ("registeredAt", "LT", json!("2017-03-02T13:00:00Z"), true),
            ("tags.manual", "IN", json!(["vip", "x"]), true),
            ("tags.manual", "NOT_IN", json!(["vip"]), false),
            ("base.lastName", "IS_NULL", Value::Null, true),
            ("base.lastName", "NOT_EQUALS", json!("Wayne"), true),
            ("base.firstName", "IS_NOT_NULL", Value::Null, true),
        ];
        let store = empty_store();
        for (attribute, operator, value, expected) in cases {
            let query = parse(&atomic(attribute, operator, value.clone())).unwrap();
            assert_eq!(
                query.matches(&customer, &store),
                expected,
                "{attribute} {operator} {value}"
            );
        }
    }

    #[test]
    fn invalid_queries_are_refused() {
        for text in [
            "not json",
            r#"{"name": ""}"#,
            r#"{"query": {"type": "simple"}}"#,
            &atomic("base.nope", "EQUALS", json!("x")),
            &atomic("base.firstName", "LIKE", json!("x")),
            &atomic("base.firstName", "IN", json!("x")),
            &atomic("base.firstName", "BETWEEN", json!([1])),
            r#"{"query": {"type": "simple", "are": {"condition": {"type": "composite", "conjunction": "AND", "conditions": []}}}}"#,
            r#"{"query": {"type": "combined", "conjunction": "union", "queries": []}}"#,
            r#"{"query": {"type": "simple", "did": {"event": {"name": "viewedPage"}}}}"#,
            &did(
                json!({"event": {"name": "viewedPage"}, "condition": {"type": "atomic",
                "attribute": "context", "operator": "EQUALS", "value": "WEB"}}),
            ),
            &did(
                json!({"event": {"name": "teleported"}, "condition": {"type": "atomic",
                "attribute": "context", "operator": "EQUALS", "value": "WEB"}, "timeframe": {"type": "atomic",
                "attribute": "date", "operator": "GTE", "value": "2020-01-01T00:00:00Z"}}),
            ),
            &did(viewed(
                json!({"type": "atomic", "attribute": "base.firstName", "operator": "EQUALS", "value": "x"}),
                json!({"type": "atomic", "attribute": "date", "operator": "GTE", "value": "2020-01-01T00:00:00Z"}),
            )),
            &did(viewed(
                json!({"type": "atomic", "attribute": "properties.", "operator": "EQUALS", "value": "x"}),
                json!({"type": "atomic", "attribute": "date", "operator": "GTE", "value": "2020-01-01T00:00:00Z"}),
            )),
            &did(
                json!({"event": {"name": "viewedPage"}, "condition": {"type": "atomic",
                "attribute": "context", "operator": "EQUALS", "value": "WEB"}, "timeframe": {"type": "atomic",
                "attribute": "date", "operator": "GTE", "value": "2020-01-01T00:00:00Z"}, "count": 2}),
            ),
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn did_looks_at_the_customers_events() {
        let mut store = empty_store();
        let event = |id: &str, customer: &str, kind: &str, url: &str, date: &str| {
            json!({"id": id, "customerId": customer, "type": kind, "context": "WEB", "mode": "ACTIVE",
                "properties": {"url": url}, "date": date})
        };
        store.insert_event(event(
            "e1",
            "a",
            "viewedPage",
            "/pricing",
            "2024-03-10T10:00:00.000+0000",
        ));
        store.insert_event(event(
            "e2",
            "b",
            "viewedPage",
            "/home",
            "2024-03-10T10:00:00.000+0000",
        ));
        store.insert_event(event(
            "e3",
            "c",
            "viewedPage",
            "/pricing",
            "2023-01-01T10:00:00.000+0000",
        ));
        store.insert_event(event(
            "e4",
            "d",
            "clickedLink",
            "/pricing",
            "2024-03-10T10:00:00.000+0000",
        ));
        let march = json!({"type": "atomic", "attribute": "date", "operator": "BETWEEN",
            "value": ["2024-03-01T00:00:00Z", "2024-03-31T23:59:59Z"]});
        let pricing = json!({"type": "atomic", "attribute": "properties.url", "operator": "EQUALS",
            "value": "/pricing"});
        let query = parse(&did(viewed(pricing, march))).unwrap();
        let who: Vec<&str> = ["a", "b", "c", "d", "nobody"]
            .into_iter()
            .filter(|id| query.matches(&json!({"id": id}), &store))
            .collect();
        assert_eq!(who, ["a"]);
    }
}
