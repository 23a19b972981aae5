//! Checks on what is about to be sent, where a body would otherwise say something the caller did not
//! mean: a NaN or an infinity (written as `null`, which removes a stored value) or a time zone the
//! service's closed list refuses.

use contacthub_api::types::{CustomerUpdate, Timezone};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Error, Result, finite};

/// Refuses a customer body that holds a non-finite number or a time zone ContactHub does not accept.
pub(crate) fn customer(body: &CustomerUpdate) -> Result<()> {
    finite::check(body, "customer")?;
    match body.base.as_ref().and_then(|b| b.timezone.as_ref()) {
        Some(zone) if !zone.is_known() => Err(unknown_zone(zone.as_str())),
        _ => Ok(()),
    }
}

/// Refuses a customer document (full or a patch, as JSON) whose `base.timezone` is a name the spec does
/// not list: the service validates it against a closed list and would refuse the whole write.
pub(crate) fn time_zone(document: &Map<String, Value>) -> Result<()> {
    let name = document
        .get("base")
        .and_then(|base| base.get("timezone"))
        .and_then(Value::as_str);
    match name {
        Some(name) if !Timezone::from(name).is_known() => Err(unknown_zone(name)),
        _ => Ok(()),
    }
}

/// An event property as JSON, or `(field, why)` when it cannot be sent as given.
pub(crate) fn property<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
) -> std::result::Result<Value, (String, String)> {
    let field = format!("properties.{name}");
    if let Err(Error::InvalidInput { field: at, message }) = finite::check(value, &field) {
        return Err((at.unwrap_or(field), message));
    }
    serde_json::to_value(value).map_err(|e| (field, e.to_string()))
}

fn unknown_zone(name: &str) -> Error {
    Error::invalid_input(
        "base.timezone",
        format!("`{name}` is not a time zone ContactHub accepts"),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use contacthub_api::types::CustomerBase;

    fn members(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let zone = |v: Value| time_zone(&members(v));
        assert!(zone(json!({"base": {"timezone": "Europe/Rome"}})).is_ok());
        assert!(zone(json!({"base": {"timezone": null}})).is_ok());
        assert!(zone(json!({"base": null})).is_ok());
        assert!(zone(json!({})).is_ok());
        let Err(Error::InvalidInput { field, message }) =
            zone(json!({"base": {"timezone": "Mars/Olympus_Mons"}}))
        else {
            panic!("not a time zone");
        };
        assert_eq!(field.as_deref(), Some("base.timezone"));
        assert!(message.contains("Mars/Olympus_Mons"), "{message}");
    }

    #[test]
    fn a_property_is_json_or_refused() {
        assert_eq!(property("n", &1.5), Ok(json!(1.5)));
        assert_eq!(property("l", &vec!["a"]), Ok(json!(["a"])));
        assert_eq!(
            property("geo", &json!({"a": 1})).ok(),
            Some(json!({"a": 1}))
        );
        let (field, why) = property("price", &vec![1.0, f64::INFINITY]).unwrap_err();
        assert_eq!(field, "properties.price[1]");
        assert!(why.contains("null"), "{why}");
    }

    #[test]
    fn a_customer_body_is_checked_for_both() {
        let body = |zone: &str, lat: f64| {
            let mut base = CustomerBase {
                timezone: Some(Timezone::from(zone)),
                ..Default::default()
            };
            base.address_mut().geo_mut().lat = Some(lat);
            CustomerUpdate {
                base: Some(base),
                ..Default::default()
            }
        };
        assert!(customer(&body("Europe/Rome", 45.0)).is_ok());
        let field = |r: Result<()>| match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            field(customer(&body("Mars/Olympus_Mons", 45.0))).as_deref(),
            Some("base.timezone")
        );
        assert_eq!(
            field(customer(&body("Europe/Rome", f64::NAN))).as_deref(),
            Some("customer.base.address.geo.lat")
        );
    }
}
