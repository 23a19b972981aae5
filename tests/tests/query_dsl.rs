//! The ContactHub query DSL: the exact wire JSON of every operator and combination, falsy values, dates,
//! the typed generated paths, and mistakes as typed errors.

use cdp::Error;
use cdp::contacthub::api::types::SchoolType;
use cdp::contacthub::query::prelude::*;
use cdp::contacthub::query::{Field, kind};
use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use customer as c;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The condition of a one-criterion simple query.
fn condition(criterion: Criterion) -> Value {
    let json = Query::from(criterion).to_json().unwrap();
    assert_eq!(json["query"]["type"], "simple");
    json["query"]["are"]["condition"].clone()
}

fn atomic(attribute: &str, operator: &str, value: Value) -> Value {
    json!({"type": "atomic", "attribute": attribute, "operator": operator, "value": value})
}

fn simple(condition: Value) -> Value {
    json!({"type": "simple", "are": {"condition": condition}})
}

fn invalid(query: &Query) -> String {
    match query.to_json() {
        Err(Error::InvalidInput { message, .. }) => message,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn every_operator_has_its_wire_json() {
    let cases = [
        (
            c::base::first_name().eq("Bruce"),
            atomic("base.firstName", "EQUALS", json!("Bruce")),
        ),
        (
            c::base::last_name().ne("Wayne"),
            atomic("base.lastName", "NOT_EQUALS", json!("Wayne")),
        ),
        (
            c::base::educations::start_year().gt(2000),
            atomic("base.educations.startYear", "GT", json!(2000)),
        ),
        (
            c::base::dob().gte(day(1980, 2, 19)),
            atomic("base.dob", "GTE", json!("1980-02-19")),
        ),
        (
            c::base::address::geo::lat().lt(45.5),
            atomic("base.address.geo.lat", "LT", json!(45.5)),
        ),
        (
            c::registered_at().lte(Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).unwrap()),
            atomic("registeredAt", "LTE", json!("2020-01-02T03:04:05Z")),
        ),
        (
            c::tags::manual().in_(["vip", "gold"]),
            atomic("tags.manual", "IN", json!(["vip", "gold"])),
        ),
        (
            c::base::address::city().not_in(vec!["Milano".to_owned()]),
            atomic("base.address.city", "NOT_IN", json!(["Milano"])),
        ),
        (
            c::base::jobs::start_date().between(day(2010, 1, 1), day(2019, 12, 31)),
            atomic(
                "base.jobs.startDate",
                "BETWEEN",
                json!(["2010-01-01", "2019-12-31"]),
            ),
        ),
        (
            c::base::contacts::email().is_null(),
            json!({"type": "atomic", "attribute": "base.contacts.email", "operator": "IS_NULL"}),
        ),
        (
            c::external_id().is_not_null(),
            json!({"type": "atomic", "attribute": "externalId", "operator": "IS_NOT_NULL"}),
        ),
    ];
    for (criterion, expected) in cases {
        assert_eq!(condition(criterion), expected);
    }
}

#[test]
fn falsy_values_are_sent() {
    assert_eq!(
        condition(c::enabled().eq(false)),
        atomic("enabled", "EQUALS", json!(false))
    );
    assert_eq!(
        condition(c::base::educations::start_year().eq(0)),
        atomic("base.educations.startYear", "EQUALS", json!(0))
    );
    assert_eq!(
        condition(c::extra().eq("")),
        atomic("extra", "EQUALS", json!(""))
    );
    assert_eq!(
        condition(c::base::address::geo::lon().eq(0.0)),
        atomic("base.address.geo.lon", "EQUALS", json!(0.0))
    );
    assert_eq!(
        condition(c::tags::auto().in_(Vec::<String>::new())),
        atomic("tags.auto", "IN", json!([]))
    );
}

#[test]
fn values_take_the_wire_format_of_their_kind() {
    let offset = FixedOffset::east_opt(3600).unwrap();
    let at = offset
        .with_ymd_and_hms(2024, 5, 6, 7, 8, 9)
        .unwrap()
        .with_timezone(&offset);
    assert_eq!(
        condition(c::updated_at().gt(at))["value"],
        "2024-05-06T07:08:09+01:00"
    );
    let millis = Utc.timestamp_millis_opt(1_700_000_000_123).unwrap();
    assert_eq!(
        condition(c::updated_at().gt(millis))["value"],
        "2023-11-14T22:13:20.123Z"
    );
    assert_eq!(
        condition(c::base::educations::school_type().eq(SchoolType::College))["value"],
        "COLLEGE"
    );
    // Open enums take values the spec does not know yet.
    assert_eq!(
        condition(c::base::educations::school_type().in_([SchoolType::from("PHD")]))["value"],
        json!(["PHD"])
    );
    assert_eq!(
        condition(c::extended("loyalty.tier").eq("gold")),
        atomic("extended.loyalty.tier", "EQUALS", json!("gold"))
    );
    let points = c::extended("loyalty.points").of_kind::<kind::Integer>();
    assert_eq!(
        condition(points.between(10, 20)),
        atomic("extended.loyalty.points", "BETWEEN", json!([10, 20]))
    );
}

#[test]
fn and_or_nest_and_flatten() {
    let a = || c::base::first_name().eq("A");
    let b = || c::base::first_name().eq("B");
    let x = || c::enabled().eq(true);
    assert_eq!(
        condition(a() & b() & x()),
        json!({"type": "composite", "conjunction": "and", "conditions": [
            atomic("base.firstName", "EQUALS", json!("A")),
            atomic("base.firstName", "EQUALS", json!("B")),
            atomic("enabled", "EQUALS", json!(true))]})
    );
    assert_eq!(
        condition((a() | b()) & x()),
        json!({"type": "composite", "conjunction": "and", "conditions": [
            {"type": "composite", "conjunction": "or", "conditions": [
                atomic("base.firstName", "EQUALS", json!("A")),
                atomic("base.firstName", "EQUALS", json!("B"))]},
            atomic("enabled", "EQUALS", json!(true))]})
    );
    assert_eq!(
        condition(a() | (b() | x())),
        json!({"type": "composite", "conjunction": "or", "conditions": [
            atomic("base.firstName", "EQUALS", json!("A")),
            atomic("base.firstName", "EQUALS", json!("B")),
            atomic("enabled", "EQUALS", json!(true))]})
    );
    // `filter` chains as AND.
    let chained = Query::new().filter(a() | b()).filter(x());
    assert_eq!(chained, Query::from((a() | b()) & x()));
}

#[test]
fn whole_queries_have_their_wire_json() {
    let q = Query::from(c::base::first_name().eq("Bruce"));
    assert_eq!(
        q.to_query_value().unwrap(),
        r#"{"name":"cdp","query":{"type":"simple","are":{"condition":{"type":"atomic","attribute":"base.firstName","operator":"EQUALS","value":"Bruce"}}}}"#
    );
    assert_eq!(
        q.clone().name("mine").to_json().unwrap()["name"],
        json!("mine")
    );
    assert_eq!(
        serde_json::to_value(&q).unwrap(),
        q.to_json().unwrap(),
        "Serialize is the same JSON"
    );
    assert!(q.to_url_query().unwrap().starts_with("query=%7B%22name%22"));
}

#[test]
fn combined_queries_intersect_unite_and_except() {
    let q = |name: &str| Query::from(c::base::first_name().eq(name));
    let s = |name: &str| simple(atomic("base.firstName", "EQUALS", json!(name)));
    let combined = |conjunction: &str, queries: Vec<Value>| json!({"type": "combined", "conjunction": conjunction, "queries": queries});

    assert_eq!(
        (q("A") & q("B")).to_json().unwrap(),
        json!({"name": "cdp", "query": combined("INTERSECT", vec![s("A"), s("B")])})
    );
    assert_eq!(
        (q("A") | q("B") | q("C")).to_json().unwrap()["query"],
        combined("UNION", vec![s("A"), s("B"), s("C")])
    );
    assert_eq!(
        q("A").except(q("B")).except(q("C")).to_json().unwrap()["query"],
        combined("EXCEPT", vec![s("A"), s("B"), s("C")])
    );
    // EXCEPT does not flatten on its right: A minus (B minus C).
    assert_eq!(
        q("A").except(q("B").except(q("C"))).to_json().unwrap()["query"],
        combined(
            "EXCEPT",
            vec![s("A"), combined("EXCEPT", vec![s("B"), s("C")])]
        )
    );
    assert_eq!(
        ((q("A") | q("B")) & q("C")).to_json().unwrap()["query"],
        combined(
            "INTERSECT",
            vec![combined("UNION", vec![s("A"), s("B")]), s("C")]
        )
    );
    assert_eq!(
        (q("A") & (q("B") & q("C"))).name("n").to_json().unwrap(),
        json!({"name": "n", "query": combined("INTERSECT", vec![s("A"), s("B"), s("C")])})
    );
}

#[test]
fn mistakes_are_invalid_input_not_panics() {
    let a = || Query::from(c::base::first_name().eq("A"));
    assert!(invalid(&Query::new()).contains("no criterion"));
    assert!(invalid(&(a() | a()).filter(c::enabled().eq(true))).contains("combined"));
    assert!(invalid(&(a() & Query::new())).contains("empty"));
    assert!(invalid(&Query::new().except(a())).contains("empty"));
    // A mistake survives later combinations.
    assert!(invalid(&((Query::new() | a()) & a())).contains("empty"));
    match Query::from(c::base::address::geo::lat().gt(f64::NAN)).to_json() {
        Err(Error::InvalidInput { field, .. }) => {
            assert_eq!(field.as_deref(), Some("base.address.geo.lat"))
        }
        other => panic!("{other:?}"),
    }
    let infinite = Query::from(c::base::address::geo::lat().in_([1.0, f64::INFINITY]));
    assert!(infinite.to_query_value().is_err());
    assert!(infinite.to_url_query().is_err());
    assert!(serde_json::to_string(&infinite).is_err());
}

#[test]
fn generated_paths_have_the_schema_kinds() {
    // Each binding only compiles when the generated function returns the kind the schema gives.
    let text: Field<kind::Text> = c::base::first_name();
    let date: Field<kind::Date> = c::base::dob();
    let job_start: Field<kind::Date> = c::base::jobs::start_date();
    let registered: Field<kind::DateTime> = c::registered_at();
    let created: Field<kind::DateTime> = c::base::likes::created_time();
    let subscribed_at: Field<kind::DateTime> = c::base::subscriptions::start_date();
    let year: Field<kind::Integer> = c::base::educations::start_year();
    let lat: Field<kind::Number> = c::base::address::geo::lat();
    let enabled: Field<kind::Boolean> = c::enabled();
    let consent: Field<kind::Boolean> = c::consents::marketing::automatic::email::status();
    let school: Field<SchoolType> = c::base::educations::school_type();
    let other: Field<cdp::contacthub::api::types::ContactType> =
        c::base::contacts::other_contacts::type_();
    let extended: Field<kind::Any> = c::extended("loyalty.tier");
    let paths = [
        (text.path().to_owned(), "base.firstName"),
        (date.path().to_owned(), "base.dob"),
        (job_start.path().to_owned(), "base.jobs.startDate"),
        (registered.path().to_owned(), "registeredAt"),
        (created.path().to_owned(), "base.likes.createdTime"),
        (
            subscribed_at.path().to_owned(),
            "base.subscriptions.startDate",
        ),
        (year.path().to_owned(), "base.educations.startYear"),
        (lat.path().to_owned(), "base.address.geo.lat"),
        (enabled.path().to_owned(), "enabled"),
        (
            consent.path().to_owned(),
            "consents.marketing.automatic.email.status",
        ),
        (school.path().to_owned(), "base.educations.schoolType"),
        (other.path().to_owned(), "base.contacts.otherContacts.type"),
        (extended.path().to_owned(), "extended.loyalty.tier"),
        (c::tags::auto().path().to_owned(), "tags.auto"),
        (c::tags::manual().path().to_owned(), "tags.manual"),
        (c::id().path().to_owned(), "id"),
        (c::external_id().path().to_owned(), "externalId"),
        (c::extra().path().to_owned(), "extra"),
        (c::updated_at().path().to_owned(), "updatedAt"),
        (
            c::base::contacts::email().path().to_owned(),
            "base.contacts.email",
        ),
        (
            c::base::credential::username().path().to_owned(),
            "base.credential.username",
        ),
        (
            c::base::social_profile::twitter().path().to_owned(),
            "base.socialProfile.twitter",
        ),
        (
            c::base::subscriptions::preferences::key().path().to_owned(),
            "base.subscriptions.preferences.key",
        ),
        (
            c::consents::third_party_transfer::marketing::objection()
                .path()
                .to_owned(),
            "consents.thirdPartyTransfer.marketing.objection",
        ),
    ];
    for (got, expected) in paths {
        assert_eq!(got, expected);
        assert!(
            c::PATHS.contains(&expected) || expected.starts_with("extended."),
            "{expected} not in PATHS"
        );
    }
    assert!(c::PATHS.contains(&"extended.*"));
    // Every path of the customer schema has a function: the schema has 95 attribute paths today.
    assert!(c::PATHS.len() > 90, "{}", c::PATHS.len());
}
