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
}
