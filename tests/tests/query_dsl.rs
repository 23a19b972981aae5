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

mod did {
    //! Event-based conditions (`did`): the exact wire JSON of each form, alone, beside `are`, and inside
    //! combined queries.

    use cdp::contacthub::api::types::{EventContext, EventMode, EventType};
    use chrono::{DateTime, Utc};

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn march() -> Timeframe {
        Timeframe::between(at("2024-03-01T00:00:00Z"), at("2024-03-31T23:59:59.5Z"))
    }

    fn march_json() -> Value {
        atomic(
            "date",
            "BETWEEN",
            json!(["2024-03-01T00:00:00Z", "2024-03-31T23:59:59.500Z"]),
        )
    }

    fn on_web() -> EventCriterion {
        event::context().eq(EventContext::Web)
    }

    fn viewed_on_web() -> Did {
        Did::new(EventType::ViewedPage, on_web(), march())
    }

    fn viewed_on_web_json() -> Value {
        json!({"event": {"name": "viewedPage"},
            "condition": atomic("context", "EQUALS", json!("WEB")),
            "timeframe": march_json()})
    }

    #[test]
    fn a_did_alone_is_a_simple_query_without_are() {
        assert_eq!(
            Query::from(viewed_on_web()).to_query_value().unwrap(),
            r#"{"name":"cdp","query":{"type":"simple","did":{"event":{"name":"viewedPage"},"condition":{"type":"atomic","attribute":"context","operator":"EQUALS","value":"WEB"},"timeframe":{"type":"atomic","attribute":"date","operator":"BETWEEN","value":["2024-03-01T00:00:00Z","2024-03-31T23:59:59.500Z"]}}}}"#
        );
    }

    #[test]
    fn a_did_sits_beside_are_in_one_simple_query() {
        let q = Query::new()
            .filter(c::base::first_name().eq("Bruce"))
            .did(viewed_on_web())
            .filter(c::enabled().eq(true));
        assert_eq!(
            q.to_json().unwrap(),
            json!({"name": "cdp", "query": {"type": "simple",
                "are": {"condition": {"type": "composite", "conjunction": "and", "conditions": [
                    atomic("base.firstName", "EQUALS", json!("Bruce")),
                    atomic("enabled", "EQUALS", json!(true))]}},
                "did": viewed_on_web_json()}})
        );
        // The order of `filter` and `did` does not matter.
        let other = Query::new()
            .did(viewed_on_web())
            .filter(c::base::first_name().eq("Bruce"))
            .filter(c::enabled().eq(true));
        assert_eq!(other.to_json().unwrap(), q.to_json().unwrap());
    }

    #[test]
    fn every_timeframe_has_its_wire_json() {
        let cases = [
            (
                Timeframe::since(at("2024-01-02T03:04:05Z")),
                atomic("date", "GTE", json!("2024-01-02T03:04:05Z")),
            ),
            (
                Timeframe::until(at("2024-01-02T03:04:05Z")),
                atomic("date", "LTE", json!("2024-01-02T03:04:05Z")),
            ),
            (
                Timeframe::between(
                    "2024-01-01T00:00:00+02:00"
                        .parse::<DateTime<FixedOffset>>()
                        .unwrap(),
                    at("2024-01-01T00:00:00Z"),
                ),
                atomic(
                    "date",
                    "BETWEEN",
                    json!(["2024-01-01T00:00:00+02:00", "2024-01-01T00:00:00Z"]),
                ),
            ),
            // One instant is a timeframe too.
            (
                Timeframe::between(at("2024-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z")),
                atomic(
                    "date",
                    "BETWEEN",
                    json!(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"]),
                ),
            ),
        ];
        for (timeframe, expected) in cases {
            let q = Query::from(Did::new(EventType::LoggedIn, on_web(), timeframe));
            assert_eq!(q.to_json().unwrap()["query"]["did"]["timeframe"], expected);
        }
    }

    #[test]
    fn event_conditions_take_typed_values_and_nest() {
        let amount = event::properties("amount").of_kind::<kind::Number>();
        let condition = (event::mode().eq(EventMode::Active)
            & (amount.clone().gte(100.0) | amount.between(0.0, 1.5)))
            | event::context().in_([EventContext::Retail, EventContext::Ecommerce])
            | event::context_info("store.id").eq("S1")
            | event::tracking("ga.utm_source").is_not_null()
            | event::date().lt(at("2020-01-01T00:00:00Z"));
        let q = Query::from(Did::new(EventType::CompletedOrder, condition, march()));
        assert_eq!(
            q.to_json().unwrap()["query"]["did"],
            json!({"event": {"name": "completedOrder"}, "condition": {"type": "composite",
                "conjunction": "or", "conditions": [
                    {"type": "composite", "conjunction": "and", "conditions": [
                        atomic("mode", "EQUALS", json!("ACTIVE")),
                        {"type": "composite", "conjunction": "or", "conditions": [
                            atomic("properties.amount", "GTE", json!(100.0)),
                            atomic("properties.amount", "BETWEEN", json!([0.0, 1.5]))]}]},
                    atomic("context", "IN", json!(["RETAIL", "ECOMMERCE"])),
                    atomic("contextInfo.store.id", "EQUALS", json!("S1")),
                    {"type": "atomic", "attribute": "tracking.ga.utm_source", "operator": "IS_NOT_NULL"},
                    atomic("date", "LT", json!("2020-01-01T00:00:00Z"))]},
                "timeframe": march_json()})
        );
    }

    #[test]
    fn every_event_type_is_sent_by_its_wire_name() {
        for name in EventType::KNOWN {
            let q = Query::from(Did::new(EventType::from(*name), on_web(), march()));
            assert_eq!(q.to_json().unwrap()["query"]["did"]["event"]["name"], *name);
        }
        // A type this version does not know goes out as named.
        let q = Query::from(Did::new(EventType::from("futureEvent"), on_web(), march()));
        assert_eq!(
            q.to_json().unwrap()["query"]["did"]["event"]["name"],
            "futureEvent"
        );
    }

    #[test]
    fn dids_combine_with_and_or_and_except() {
        let ordered = || {
            Query::from(Did::new(
                EventType::CompletedOrder,
                event::mode().eq(EventMode::Active),
                Timeframe::since(at("2024-01-01T00:00:00Z")),
            ))
        };
        let ordered_json = json!({"type": "simple", "did": {"event": {"name": "completedOrder"},
            "condition": atomic("mode", "EQUALS", json!("ACTIVE")),
            "timeframe": atomic("date", "GTE", json!("2024-01-01T00:00:00Z"))}});
        let viewed = || Query::from(viewed_on_web());
        let viewed_json = json!({"type": "simple", "did": viewed_on_web_json()});
        let italians = || Query::from(c::base::address::country().eq("Italy"));
        let italians_json = simple(atomic("base.address.country", "EQUALS", json!("Italy")));
        let combined = |conjunction: &str, queries: Vec<Value>| json!({"type": "combined", "conjunction": conjunction, "queries": queries});

        assert_eq!(
            (viewed() & ordered()).to_json().unwrap()["query"],
            combined("INTERSECT", vec![viewed_json.clone(), ordered_json.clone()])
        );
        assert_eq!(
            (viewed() | ordered() | italians()).to_json().unwrap()["query"],
            combined(
                "UNION",
                vec![
                    viewed_json.clone(),
                    ordered_json.clone(),
                    italians_json.clone()
                ]
            )
        );
        // Viewed a page but never ordered.
        assert_eq!(
            viewed().except(ordered()).to_json().unwrap()["query"],
            combined("EXCEPT", vec![viewed_json.clone(), ordered_json.clone()])
        );
        assert_eq!(
            ((italians() & viewed()) | ordered()).to_json().unwrap()["query"],
            combined(
                "UNION",
                vec![
                    combined("INTERSECT", vec![italians_json, viewed_json]),
                    ordered_json
                ]
            )
        );
    }

    #[test]
    fn did_mistakes_are_invalid_input_not_panics() {
        let field_of = |q: &Query| match q.to_json() {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        };
        // Two dids in one simple query: the schema has room for one.
        let twice = Query::new().did(viewed_on_web()).did(viewed_on_web());
        assert!(invalid(&twice).contains("one `did`"));
        // A did on a combined query.
        let combined =
            (Query::from(viewed_on_web()) | Query::from(viewed_on_web())).did(viewed_on_web());
        assert!(invalid(&combined).contains("combined"));
        // A timeframe that ends before it starts.
        let backwards = Timeframe::between(at("2024-02-01T00:00:00Z"), at("2024-01-01T00:00:00Z"));
        let q = Query::from(Did::new(EventType::LoggedIn, on_web(), backwards));
        assert_eq!(field_of(&q).as_deref(), Some("did.timeframe"));
        assert!(serde_json::to_string(&q).is_err());
        // An empty event name.
        let q = Query::from(Did::new(EventType::from(""), on_web(), march()));
        assert_eq!(field_of(&q).as_deref(), Some("did.event.name"));
        // A value JSON cannot hold in the event's condition.
        let nan = event::properties("amount")
            .of_kind::<kind::Number>()
            .eq(f64::NAN);
        let q = Query::from(Did::new(EventType::CompletedOrder, nan, march()));
        assert_eq!(field_of(&q).as_deref(), Some("properties.amount"));
        assert!(q.to_url_query().is_err());
        // The mistake survives a combination.
        let q = Query::from(c::enabled().eq(true))
            & Query::new().did(viewed_on_web()).did(viewed_on_web());
        assert!(invalid(&q).contains("one `did`"));
    }
}
