//! Properties of event-based conditions: whatever the caller gives, serialising never panics, refuses
//! exactly the invalid inputs with a typed error, and sends the valid ones as given.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use contacthub_api::types::EventType;
use proptest::prelude::*;

use super::{Did, Query, Timeframe, event, kind};
use crate::Error;
use crate::contacthub::query::FieldOps as _;

/// An instant between 1900 and 2100, at any offset within a day.
fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (-2_208_988_800i64..4_102_444_800, -86_399i32..86_400).prop_map(|(seconds, offset)| {
        let offset = FixedOffset::east_opt(offset).unwrap_or(FixedOffset::east_opt(0).unwrap());
        offset.from_utc_datetime(&Utc.timestamp_opt(seconds, 0).unwrap().naive_utc())
    })
}

/// Any number, the non-finite ones included.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn a_did_is_sent_as_given_or_refused_with_a_typed_error(
        name in prop_oneof![any::<String>(), Just(String::new()), Just(" ".to_owned())],
        path in any::<String>(),
        value in number(),
        from in instant(),
        to in instant(),
        with_are in any::<bool>(),
    ) {
        let condition = event::properties(&path).of_kind::<kind::Number>().gte(value);
        let did = Did::new(EventType::from(name.as_str()), condition, Timeframe::between(from, to));
        let mut query = Query::new();
        if with_are {
            query = query.filter(super::customer::enabled().eq(true));
        }
        let query = query.did(did);
        let valid = !name.trim().is_empty()
            && !path.split('.').any(str::is_empty)
            && value.is_finite()
            && from <= to;
        match query.to_json() {
            Ok(json) => {
                prop_assert!(valid, "accepted {json}");
                let sent = &json["query"]["did"];
                prop_assert_eq!(sent["event"]["name"].as_str(), Some(name.as_str()));
                let attribute = format!("properties.{path}");
                prop_assert_eq!(sent["condition"]["attribute"].as_str(), Some(attribute.as_str()));
                prop_assert_eq!(sent["condition"]["value"].as_f64(), Some(value));
                let bounds: Vec<DateTime<FixedOffset>> = sent["timeframe"]["value"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str()?.parse().ok())
                    .collect();
                prop_assert_eq!(bounds, vec![from, to]);
                prop_assert_eq!(json["query"].get("are").is_some(), with_are);
                let text = query.to_query_value().unwrap_or_default();
                // The same JSON as text (read back the same way: parsing a float may round its last bit).
                let read = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
                prop_assert_eq!(read(&text), read(&json.to_string()));
            }
            Err(Error::InvalidInput { .. }) => {
                prop_assert!(!valid, "refused a valid did");
                prop_assert!(query.to_query_value().is_err());
                prop_assert!(serde_json::to_string(&query).is_err());
            }
            Err(other) => prop_assert!(false, "not an invalid-input error: {other:?}"),
        }
    }

    /// A date-time criterion on a customer field or an event's date is sent as the very instant given,
    /// whatever its offset (one with seconds too, which RFC 3339 cannot write).
    #[test]
    fn a_date_time_criterion_is_sent_as_the_same_instant(at in instant()) {
        let queries = [
            Query::new().filter(super::customer::registered_at().gte(at)),
            Query::new().did(Did::new(
                EventType::ViewedPage,
                event::date().lte(at),
                Timeframe::since(at),
            )),
        ];
        for query in queries {
            let json = query.to_json().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let sent = instants(&json);
            prop_assert!(!sent.is_empty(), "{json}");
            for instant in sent {
                prop_assert_eq!(instant, at, "{}", json);
            }
        }
    }
}

/// Every string of `json` that reads as an RFC 3339 date-time.
fn instants(json: &serde_json::Value) -> Vec<DateTime<FixedOffset>> {
    match json {
        serde_json::Value::String(s) => DateTime::parse_from_rfc3339(s).into_iter().collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(instants).collect(),
        serde_json::Value::Object(members) => members.values().flat_map(instants).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn an_offset_with_seconds_is_sent_in_utc() {
    let offset = FixedOffset::east_opt(3600 + 30).unwrap();
    let at = offset.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    let json = Query::new()
        .filter(super::customer::registered_at().gte(at))
        .to_json()
        .unwrap();
    assert_eq!(instants(&json), [at]);
    assert!(json.to_string().contains("2024-05-01T10:59:30Z"), "{json}");
}
