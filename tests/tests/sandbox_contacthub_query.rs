//! The query DSL end to end: queries built with typed fields go through the generated client to the
//! sandbox, and what comes back is checked against the sandbox's own customers, filtered here in plain
//! Rust over their JSON.

use std::collections::BTreeSet;

use cdp::contacthub::api::Client;
use cdp::contacthub::api::types::SchoolType;
use cdp::contacthub::query::kind;
use cdp::contacthub::query::prelude::*;
use cdp_sandbox::{Config, Sandbox};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;

use customer as c;

struct Hub {
    _sandbox: Sandbox,
    client: Client,
    workspace: String,
    node: String,
    customers: Vec<Value>,
}

impl Hub {
    async fn start() -> Hub {
        let sandbox = Sandbox::start_with(Config::default().customers(300))
            .await
            .unwrap();
        let credentials = sandbox.credentials().clone();
        let client = Client::new(
            &sandbox.urls().contacthub,
            cdp_transport::Inner::new(cdp_transport::Auth::bearer(
                credentials.contacthub_token.clone(),
            )),
        );
        let state = sandbox.contacthub();
        let customers = state
            .customer_ids()
            .iter()
            .map(|id| state.customer(id).unwrap())
            .collect();
        Hub {
            _sandbox: sandbox,
            client,
            workspace: credentials.contacthub_workspace,
            node: credentials.contacthub_node,
            customers,
        }
    }

    /// The ids the sandbox answers for `query`, all pages.
    async fn ids(&self, query: &Query) -> BTreeSet<String> {
        let value = query.to_query_value().unwrap();
        let mut ids = BTreeSet::new();
        for page in 0.. {
            let answer = self
                .client
                .list_customers()
                .workspace_id(&self.workspace)
                .node_id(&self.node)
                .query(value.clone())
                .page(page)
                .size(50)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{value}: {e}"))
                .into_inner();
            ids.extend(answer.elements.into_iter().map(|c| c.id));
            if i64::from(page) + 1 >= answer.page.total_pages {
                break;
            }
        }
        ids
    }

    /// The ids of the customers for which `keep` holds.
    fn expected(&self, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
        self.customers
            .iter()
            .filter(|c| keep(c))
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Checks that `query` selects exactly the customers `keep` holds for, and that this is a proper
    /// subset (neither none nor all), so the check can tell a wrong answer.
    async fn check(&self, what: &str, query: Query, keep: impl Fn(&Value) -> bool) {
        let expected = self.expected(keep);
        assert!(
            !expected.is_empty() && expected.len() < self.customers.len(),
            "{what}: the case selects {} of {}; pick another",
            expected.len(),
            self.customers.len()
        );
        let got = self.ids(&query).await;
        let missing: Vec<_> = expected.difference(&got).collect();
        let unexpected: Vec<_> = got.difference(&expected).collect();
        assert!(
            missing.is_empty() && unexpected.is_empty(),
            "{what}: {} selected, {} expected; missing {missing:?}, unexpected {unexpected:?}",
            got.len(),
            expected.len()
        );
    }
}

fn text<'a>(customer: &'a Value, pointer: &str) -> Option<&'a str> {
    customer.pointer(pointer).and_then(Value::as_str)
}

/// The members of every element of an array.
fn each<'a>(customer: &'a Value, array: &str, member: &str) -> Vec<&'a Value> {
    customer
        .pointer(array)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get(member))
        .filter(|v| !v.is_null())
        .collect()
}

fn date(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?, "%Y-%m-%d").ok()
}

fn instant(text: Option<&str>) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_str(text?, "%Y-%m-%dT%H:%M:%S%.3f%z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn every_operator_selects_what_the_data_says() {
    let hub = Hub::start().await;
    let is = |pointer: &'static str, wanted: &'static str| {
        move |c: &Value| text(c, pointer) == Some(wanted)
    };

    hub.check(
        "EQUALS text",
        Query::from(c::base::gender().eq("female")),
        is("/base/gender", "female"),
    )
    .await;
    hub.check(
        "NOT_EQUALS text",
        Query::from(c::base::address::country().ne("Italy")),
        |c| text(c, "/base/address/country") != Some("Italy"),
    )
    .await;
    hub.check(
        "GT integer in an array",
        Query::from(c::base::educations::start_year().gt(2000)),
        |c| {
            each(c, "/base/educations", "startYear")
                .iter()
                .any(|v| v.as_i64() > Some(2000))
        },
    )
    .await;
    hub.check(
        "GTE date",
        Query::from(c::base::dob().gte(day(1990, 1, 1))),
        |c| date(text(c, "/base/dob")).is_some_and(|d| d >= day(1990, 1, 1)),
    )
    .await;
    let cut = Utc.with_ymd_and_hms(2019, 6, 1, 12, 0, 0).unwrap();
    hub.check(
        "LT date-time",
        Query::from(c::registered_at().lt(cut)),
        |c| instant(text(c, "/registeredAt")).is_some_and(|at| at < cut),
    )
    .await;
    hub.check(
        "LTE number",
        Query::from(c::base::address::geo::lat().lte(45.46)),
        |c| {
            c.pointer("/base/address/geo/lat")
                .and_then(Value::as_f64)
                .is_some_and(|lat| lat <= 45.46)
        },
    )
    .await;
    hub.check(
        "IN text",
        Query::from(c::base::address::city().in_(["Milano", "Paris", "Tokyo"])),
        |c| {
            matches!(
                text(c, "/base/address/city"),
                Some("Milano" | "Paris" | "Tokyo")
            )
        },
    )
    .await;
    hub.check(
        "NOT_IN text in an array",
        Query::from(c::tags::auto().not_in(["new", "churn-risk"])),
        |c| {
            !c.pointer("/tags/auto")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|t| t == "new" || t == "churn-risk")
        },
    )
    .await;
    hub.check(
        "BETWEEN dates",
        Query::from(c::base::dob().between(day(1970, 1, 1), day(1979, 12, 31))),
        |c| {
            date(text(c, "/base/dob"))
                .is_some_and(|d| (day(1970, 1, 1)..=day(1979, 12, 31)).contains(&d))
        },
    )
    .await;
    hub.check(
        "IS_NULL",
        Query::from(c::base::contacts::mobile_phone().is_null()),
        |c| text(c, "/base/contacts/mobilePhone").is_none(),
    )
    .await;
    hub.check(
        "IS_NOT_NULL",
        Query::from(c::external_id().is_not_null()),
        |c| text(c, "/externalId").is_some(),
    )
    .await;
    hub.check(
        "EQUALS open enum",
        Query::from(c::base::educations::school_type().eq(SchoolType::College)),
        |c| {
            each(c, "/base/educations", "schoolType")
                .iter()
                .any(|v| *v == "COLLEGE")
        },
    )
    .await;
    hub.check(
        "EQUALS false (a falsy value is sent)",
        Query::from(c::consents::marketing::automatic::email::status().eq(false)),
        |c| c.pointer("/consents/marketing/automatic/email/status") == Some(&Value::Bool(false)),
    )
    .await;
    hub.check(
        "LT on an extended integer",
        Query::from(
            c::extended("loyalty.points")
                .of_kind::<kind::Integer>()
                .lt(1000),
        ),
        |c| {
            c.pointer("/extended/loyalty/points")
                .and_then(Value::as_i64)
                .is_some_and(|p| p < 1000)
        },
    )
    .await;
}

#[tokio::test]
async fn and_or_and_combined_queries_select_what_the_data_says() {
    let hub = Hub::start().await;
    let italian = |c: &Value| text(c, "/base/address/country") == Some("Italy");
    let female = |c: &Value| text(c, "/base/gender") == Some("female");
    let vip = |c: &Value| {
        c.pointer("/tags/manual")
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t == "vip" || t == "gold"))
    };
    let seventies = |c: &Value| {
        date(text(c, "/base/dob"))
            .is_some_and(|d| (day(1970, 1, 1)..=day(1979, 12, 31)).contains(&d))
    };
    let q_italian = || c::base::address::country().eq("Italy");
    let q_female = || c::base::gender().eq("female");
    let q_vip = || c::tags::manual().in_(["vip", "gold"]);
    let q_seventies = || c::base::dob().between(day(1970, 1, 1), day(1979, 12, 31));

    hub.check("and", Query::from(q_italian() & q_female()), |c| {
        italian(c) && female(c)
    })
    .await;
    hub.check(
        "filter chains as and",
        Query::new()
            .filter(q_italian())
            .filter(q_female())
            .name("chained"),
        |c| italian(c) && female(c),
    )
    .await;
    hub.check("or", Query::from(q_vip() | q_seventies()), |c| {
        vip(c) || seventies(c)
    })
    .await;
    hub.check(
        "and of or",
        Query::from((q_vip() | q_seventies()) & q_female()),
        |c| (vip(c) || seventies(c)) && female(c),
    )
    .await;
    hub.check(
        "INTERSECT",
        Query::from(q_italian()) & Query::from(q_seventies()),
        |c| italian(c) && seventies(c),
    )
    .await;
    hub.check(
        "UNION",
        Query::from(q_vip()) | Query::from(q_seventies()) | Query::from(q_italian() & q_female()),
        |c| vip(c) || seventies(c) || (italian(c) && female(c)),
    )
    .await;
    hub.check(
        "EXCEPT",
        Query::from(q_italian()).except(Query::from(q_female())),
        |c| italian(c) && !female(c),
    )
    .await;
    hub.check(
        "EXCEPT of a UNION, nested",
        (Query::from(q_italian()) | Query::from(q_vip()))
            .except(Query::from(q_female()) & Query::from(q_seventies())),
        |c| (italian(c) || vip(c)) && !(female(c) && seventies(c)),
    )
    .await;
}

/// The paths generated from the spec and the sandbox's own customer schema agree: every path is a known
/// attribute (the sandbox answers 400 to an unknown one, and `ids` fails on an error answer).
#[tokio::test]
async fn the_sandbox_accepts_every_generated_path() {
    let hub = Hub::start().await;
    let mut somewhere = 0;
    for path in c::PATHS {
        let path = path.replace(".*", ".loyalty.tier");
        let field = cdp::contacthub::query::Field::<kind::Any>::owned(path.clone());
        let found = hub.ids(&Query::from(field.is_not_null())).await;
        somewhere += usize::from(!found.is_empty());
    }
    assert!(
        somewhere > 40,
        "only {somewhere} paths hold values in the seed"
    );
}
