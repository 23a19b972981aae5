//! Event-based conditions (`did`) end to end: customers and events are stored in the sandbox through the
//! ergonomic API, queried with `did`, alone and with attribute criteria and in combined queries, and what
//! comes back is checked twice: against the customers made here for the case, and against a plain Rust
//! evaluation over every customer's stored events (the seeded ones included).

use std::collections::BTreeSet;

use cdp::contacthub::api::types::{
    Address, CustomerBase, CustomerUpdate, EventContext, EventMode, EventType,
};
use cdp::contacthub::query::kind;
use cdp::contacthub::query::prelude::*;
use cdp::contacthub::{NewEvent, Node, Workspace};
use cdp_sandbox::{Config, Sandbox};
use cdp_tests::Recorder;
use cdp_transport::RetryPolicy;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde_json::Value;

use customer as c;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// March 2024, the timeframe of most cases.
fn march() -> Timeframe {
    Timeframe::between(at("2024-03-01T00:00:00Z"), at("2024-03-31T23:59:59Z"))
}

fn in_march(event: &Value) -> bool {
    let date = stored_instant(event);
    date >= Some(at("2024-03-01T00:00:00Z")) && date <= Some(at("2024-03-31T23:59:59Z"))
}

fn stored_instant(event: &Value) -> Option<DateTime<Utc>> {
    let text = event.get("date")?.as_str()?;
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.3f%z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn is(event: &Value, member: &str, value: &str) -> bool {
    event.pointer(member).and_then(Value::as_str) == Some(value)
}

struct Hub {
    sandbox: Sandbox,
    node: Node,
    /// The customers made here, by name.
    made: Vec<(&'static str, String)>,
}

impl Hub {
    async fn start() -> Hub {
        let sandbox = Sandbox::start_with(Config::default().customers(400))
            .await
            .unwrap();
        let c = sandbox.credentials().clone();
        let node = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
            .base_url(&sandbox.urls().contacthub)
            .node(&c.contacthub_node);
        Hub {
            sandbox,
            node,
            made: Vec::new(),
        }
    }

    async fn customer(&mut self, name: &'static str, country: &str) -> String {
        let data = CustomerUpdate {
            base: Some(CustomerBase {
                first_name: Some(name.into()),
                address: Some(Address {
                    country: Some(country.into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = self.node.add_customer(data).send().await.unwrap().id;
        self.made.push((name, id.clone()));
        id
    }

    async fn event(
        &self,
        customer: &str,
        kind: EventType,
        context: EventContext,
        date: &str,
        property: (&str, Value),
    ) {
        let event = NewEvent::new(kind, context)
            .customer_id(customer)
            .property(property.0, property.1)
            .date(at(date));
        self.node.add_event(event).await.unwrap();
    }

    /// Every customer the sandbox answers for `query`, all pages.
    async fn ids(&self, query: Query) -> BTreeSet<String> {
        self.node
            .query(query)
            .size(50)
            .stream()
            .map_ok(|customer| customer.id)
            .try_collect()
            .await
            .unwrap()
    }

    /// The names of the customers made here among `ids`.
    fn names(&self, ids: &BTreeSet<String>) -> BTreeSet<&'static str> {
        self.made
            .iter()
            .filter(|(_, id)| ids.contains(id))
            .map(|(name, _)| *name)
            .collect()
    }

    /// The ids of every stored customer for which `keep` holds, given the customer and its events.
    fn expected(&self, keep: impl Fn(&Value, &[Value]) -> bool) -> BTreeSet<String> {
        let state = self.sandbox.contacthub();
        state
            .customer_ids()
            .into_iter()
            .filter(|id| {
                let customer = state.customer(id).unwrap();
                keep(&customer, &state.events_of(id))
            })
            .collect()
    }

    /// `query` selects exactly what `keep` says over the stored data, and among the customers made here,
    /// exactly `names`.
    async fn check(
        &self,
        what: &str,
        query: Query,
        names: &[&str],
        keep: impl Fn(&Value, &[Value]) -> bool,
    ) {
        let got = self.ids(query).await;
        assert_eq!(
            self.names(&got),
            names.iter().copied().collect(),
            "{what}: the customers made for the case"
        );
        assert_eq!(got, self.expected(keep), "{what}: every customer");
    }
}

#[tokio::test]
async fn did_selects_the_customers_whose_events_match() {
    let mut hub = Hub::start().await;
    let ada = hub.customer("ada", "Italy").await;
    let bob = hub.customer("bob", "Italy").await;
    let cy = hub.customer("cy", "France").await;
    hub.customer("dee", "Italy").await;
    let pricing = || ("url", Value::from("https://example.com/pricing"));
    let home = || ("url", Value::from("https://example.com/"));
    let amount = |n: f64| ("amount", Value::from(n));
    use EventContext::{Ecommerce, Mobile, Web};
    use EventType::{CompletedOrder, ViewedPage};
    hub.event(&ada, ViewedPage, Web, "2024-03-10T10:00:00Z", pricing())
        .await;
    hub.event(
        &ada,
        CompletedOrder,
        Ecommerce,
        "2024-03-12T10:00:00Z",
        amount(120.0),
    )
    .await;
    hub.event(&bob, ViewedPage, Web, "2024-03-11T10:00:00Z", home())
        .await;
    hub.event(&bob, ViewedPage, Mobile, "2024-03-15T10:00:00Z", pricing())
        .await;
    hub.event(&cy, ViewedPage, Web, "2023-12-01T10:00:00Z", pricing())
        .await;
    hub.event(
        &cy,
        CompletedOrder,
        Ecommerce,
        "2024-03-20T10:00:00Z",
        amount(40.0),
    )
    .await;

    let url = || event::properties("url").of_kind::<kind::Text>();
    let viewed_pricing = |e: &Value| {
        is(e, "/type", "viewedPage") && is(e, "/properties/url", "https://example.com/pricing")
    };
    let ordered = |e: &Value| is(e, "/type", "completedOrder");
    let italian = |c: &Value| is(c, "/base/address/country", "Italy");

    hub.check(
        "viewed the pricing page in March",
        Query::from(Did::new(
            ViewedPage,
            url().eq("https://example.com/pricing"),
            march(),
        )),
        &["ada", "bob"],
        |_, events| events.iter().any(|e| viewed_pricing(e) && in_march(e)),
    )
    .await;

    hub.check(
        "viewed the pricing page on the web in March",
        Query::from(Did::new(
            ViewedPage,
            url().eq("https://example.com/pricing") & event::context().eq(Web),
            march(),
        )),
        &["ada"],
        |_, events| {
            events
                .iter()
                .any(|e| viewed_pricing(e) && is(e, "/context", "WEB") && in_march(e))
        },
    )
    .await;

    hub.check(
        "French, or viewed a page on mobile, in one simple query with an or inside the did",
        Query::new()
            .filter(c::base::address::country().in_(["Italy", "France"]))
            .did(Did::new(
                ViewedPage,
                event::context().eq(Mobile) | url().eq("https://example.com/"),
                Timeframe::since(at("2024-01-01T00:00:00Z")),
            )),
        &["bob"],
        |c, events| {
            (italian(c) || is(c, "/base/address/country", "France"))
                && events.iter().any(|e| {
                    is(e, "/type", "viewedPage")
                        && (is(e, "/context", "MOBILE")
                            || is(e, "/properties/url", "https://example.com/"))
                        && stored_instant(e) >= Some(at("2024-01-01T00:00:00Z"))
                })
        },
    )
    .await;

    let big = event::properties("amount")
        .of_kind::<kind::Number>()
        .gte(100.0);
    hub.check(
        "ordered for 100 or more since 2024",
        Query::from(Did::new(
            CompletedOrder,
            big,
            Timeframe::since(at("2024-01-01T00:00:00Z")),
        )),
        &["ada"],
        |_, events| {
            events.iter().any(|e| {
                ordered(e)
                    && e.pointer("/properties/amount").and_then(Value::as_f64) >= Some(100.0)
                    && stored_instant(e) >= Some(at("2024-01-01T00:00:00Z"))
            })
        },
    )
    .await;

    // The seeded events take part too: any page viewed on the web until mid-2025, by any customer.
    let until = || at("2025-06-30T23:59:59Z");
    let viewed_on_web = move |e: &Value| {
        is(e, "/type", "viewedPage")
            && is(e, "/context", "WEB")
            && stored_instant(e) <= Some(until())
    };
    let seeded = hub.expected(|_, events| events.iter().any(viewed_on_web));
    let made = hub.names(&seeded).len();
    assert!(
        seeded.len() - made >= 2,
        "the seed has pages viewed: pick another case"
    );
    hub.check(
        "viewed any page on the web until mid-2025",
        Query::from(Did::new(
            ViewedPage,
            event::context().eq(Web) & event::mode().eq(EventMode::Active),
            Timeframe::until(until()),
        )),
        &["ada", "bob", "cy"],
        |_, events| events.iter().any(viewed_on_web),
    )
    .await;

    let viewed_in_march =
        || Query::from(Did::new(ViewedPage, event::mode().is_not_null(), march()));
    let ordered_in_march = || {
        Query::from(Did::new(
            CompletedOrder,
            event::mode().is_not_null(),
            march(),
        ))
    };
    hub.check(
        "viewed a page in March but ordered nothing then (EXCEPT)",
        viewed_in_march().except(ordered_in_march()),
        &["bob"],
        |_, events| {
            events
                .iter()
                .any(|e| is(e, "/type", "viewedPage") && in_march(e))
                && !events.iter().any(|e| ordered(e) && in_march(e))
        },
    )
    .await;

    hub.check(
        "Italians who viewed and ordered in March (INTERSECT)",
        Query::from(c::base::address::country().eq("Italy"))
            & viewed_in_march()
            & ordered_in_march(),
        &["ada"],
        |c, events| {
            italian(c)
                && events
                    .iter()
                    .any(|e| is(e, "/type", "viewedPage") && in_march(e))
                && events.iter().any(|e| ordered(e) && in_march(e))
        },
    )
    .await;

    hub.check(
        "viewed the pricing page before 2024, or ordered under 50 (UNION)",
        Query::from(Did::new(
            ViewedPage,
            url().eq("https://example.com/pricing"),
            Timeframe::until(at("2023-12-31T23:59:59Z")),
        )) | Query::from(Did::new(
            CompletedOrder,
            event::properties("amount")
                .of_kind::<kind::Number>()
                .lt(50.0),
            march(),
        )),
        &["cy"],
        |_, events| {
            events
                .iter()
                .any(|e| viewed_pricing(e) && stored_instant(e) <= Some(at("2023-12-31T23:59:59Z")))
                || events.iter().any(|e| {
                    ordered(e)
                        && e.pointer("/properties/amount").and_then(Value::as_f64) < Some(50.0)
                        && in_march(e)
                })
        },
    )
    .await;

    hub.check(
        "nothing happens in the future",
        Query::from(Did::new(
            ViewedPage,
            event::mode().is_not_null(),
            Timeframe::since(at("2030-01-01T00:00:00Z")),
        )),
        &[],
        |_, _| false,
    )
    .await;
}

/// A query the sandbox cannot read is a typed error naming the problem; a mistake in the DSL is refused
/// before anything is sent.
#[tokio::test]
async fn invalid_dids_are_typed_errors() {
    let hub = Hub::start().await;
    let before = hub.sandbox.journal().entries().len();
    let backwards = Timeframe::between(at("2024-02-01T00:00:00Z"), at("2024-01-01T00:00:00Z"));
    let err = hub
        .node
        .query(Query::from(Did::new(
            EventType::LoggedIn,
            event::mode().is_not_null(),
            backwards,
        )))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, cdp::Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(
        hub.sandbox.journal().entries().len(),
        before,
        "nothing was sent"
    );

    // An event type the sandbox does not know reaches it, and its 400 comes back typed.
    let unknown = Did::new(
        EventType::from("teleported"),
        event::mode().is_not_null(),
        march(),
    );
    let err = hub
        .node
        .query(Query::from(unknown))
        .send()
        .await
        .unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.status, 400);
    assert!(err.to_string().contains("teleported"), "{err}");
}

/// What a query with attribute criteria and a `did` sends: the JSON, compact, in the `query` parameter.
#[tokio::test]
async fn a_did_query_request_shape() {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let node = Workspace::new("w1", "hub-secret-token")
        .configure(|c| c.transport(transport).retry(RetryPolicy::none()))
        .node("n1");
    recorder.reply(
        200,
        r#"{"elements":[],"page":{"size":10,"totalElements":0,"totalPages":0,"number":0}}"#,
    );
    let ordered = Did::new(
        EventType::CompletedOrder,
        event::context().eq(EventContext::Ecommerce)
            & event::properties("amount")
                .of_kind::<kind::Number>()
                .gte(100.0),
        Timeframe::between(at("2024-03-01T00:00:00Z"), at("2024-03-31T23:59:59Z")),
    );
    let query = Query::new()
        .filter(c::base::address::country().eq("Italy"))
        .did(ordered)
        .name("big orders in March");
    node.query(query).size(10).send().await.unwrap();
    insta::assert_yaml_snapshot!(recorder.single());
}
