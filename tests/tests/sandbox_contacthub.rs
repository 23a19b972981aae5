//! The ContactHub part of the sandbox over real HTTP, driven by the generated client through the
//! conformance transport, so that every answer is also checked against `specs/contacthub.yaml`.

use std::collections::BTreeSet;

use cdp_sandbox::{Config, Sandbox};
use cdp_tests::conformance::Conformance;
use contacthub_api::types::{self, ApiError};
use contacthub_api::{Client, Error, MergePatch, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A sandbox, a client of its ContactHub, and the conformance checker the client sends through.
struct Hub {
    sandbox: Sandbox,
    conformance: Conformance,
    client: Client,
    workspace: String,
    node: String,
}

async fn hub(customers: usize) -> Hub {
    let sandbox = Sandbox::start_with(Config::default().customers(customers))
        .await
        .unwrap();
    let conformance = Conformance::new("contacthub");
    let credentials = sandbox.credentials().clone();
    let client = Client::new(
        &sandbox.urls().contacthub,
        conformance.inner(cdp_transport::Auth::bearer(
            credentials.contacthub_token.clone(),
        )),
    );
    Hub {
        sandbox,
        conformance,
        client,
        workspace: credentials.contacthub_workspace,
        node: credentials.contacthub_node,
    }
}

/// A typed body from JSON.
fn body<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// The status and error body of a failed call; panics when it succeeded.
fn failure<T: std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<ApiError>>,
) -> (u16, ApiError) {
    match result {
        Err(Error::ErrorResponse(response)) => (response.status().as_u16(), response.into_inner()),
        other => panic!("expected an error answer, got {other:?}"),
    }
}

impl Hub {
    async fn create(&self, customer: Value) -> types::Customer {
        let mut customer = customer;
        customer["nodeId"] = json!(self.node);
        self.client
            .create_customer()
            .workspace_id(&self.workspace)
            .body(body::<types::NewCustomer>(customer))
            .send()
            .await
            .unwrap()
            .into_inner()
    }

    /// The first names of the customers a query selects (all pages of 50).
    async fn query(&self, query: Value) -> BTreeSet<String> {
        let page = self
            .client
            .list_customers()
            .workspace_id(&self.workspace)
            .node_id(&self.node)
            .query(json!({"name": "q", "query": query}).to_string())
            .size(50)
            .send()
            .await
            .unwrap()
            .into_inner();
        assert!(page.page.total_pages <= 1, "the test sets are small");
        page.elements
            .into_iter()
            .filter_map(|c| c.base.and_then(|b| b.first_name))
            .collect()
    }

    fn raw(&self) -> (reqwest::Client, String) {
        let base = format!(
            "{}/workspaces/{}",
            self.sandbox.urls().contacthub,
            self.workspace
        );
        (reqwest::Client::new(), base)
    }

    fn token(&self) -> String {
        self.sandbox.credentials().contacthub_token.clone()
    }
}

fn simple(condition: Value) -> Value {
    json!({"type": "simple", "are": {"condition": condition}})
}

fn atomic(attribute: &str, operator: &str, value: Value) -> Value {
    json!({"type": "atomic", "attribute": attribute, "operator": operator, "value": value})
}

fn names(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[tokio::test]
async fn every_operation_answers_as_the_spec_says() {
    let hub = hub(30).await;
    let (client, ws, node) = (&hub.client, hub.workspace.as_str(), hub.node.as_str());
    let state = hub.sandbox.contacthub();
    assert_eq!(state.customer_count(), 30);

    // Customers: create, get, list by external id, replace, patch.
    let created = hub
        .create(json!({"externalId": "crm-1", "extra": "note",
            "base": {"firstName": "Bruce", "lastName": "Wayne", "dob": "1972-02-19",
                "contacts": {"email": "bruce@wayne.example"}},
            "consents": {"marketing": {"automatic": {"email": {"status": true}}}},
            "extended": {"vip": true}, "tags": {"manual": ["bat"]}}))
        .await;
    assert_eq!(created.enabled, Some(true));
    assert_eq!(created.node_id.as_deref(), Some(node));
    assert!(created.registered_at.is_some() && created.updated_at.is_some());
    assert_eq!(state.customer_count(), 31);
    let stored = state.customer(&created.id).unwrap();
    assert!(
        stored["registeredAt"].as_str().unwrap().ends_with("+0000"),
        "{stored}"
    );

    let got = client
        .get_customer()
        .workspace_id(ws)
        .customer_id(&created.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, created);

    let by_external = client
        .list_customers()
        .workspace_id(ws)
        .node_id(node)
        .external_id("crm-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_external.elements.len(), 1);
    assert_eq!(by_external.elements[0].id, created.id);
    assert_eq!(by_external.page.total_unfiltered_elements, Some(31));

    let replaced = client
        .update_customer()
        .workspace_id(ws)
        .customer_id(&created.id)
        .body(body::<types::PutCustomer>(
            json!({"nodeId": node, "externalId": "crm-1",
            "base": {"firstName": "Bruce", "lastName": "Wayne"}}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replaced.id, created.id);
    assert_eq!(replaced.registered_at, created.registered_at);
    assert!(replaced.updated_at >= created.updated_at);
    assert_eq!(
        replaced.extra, None,
        "a full update removes what it leaves out"
    );
    assert_eq!(replaced.extended, None);

    let mut patch = MergePatch::new();
    patch.set("extra", json!("patched"));
    let patched = client
        .patch_customer()
        .workspace_id(ws)
        .customer_id(&created.id)
        .body(patch)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(patched.extra.as_deref(), Some("patched"));
    assert_eq!(
        patched.base.as_ref().and_then(|b| b.last_name.as_deref()),
        Some("Wayne")
    );

    // Educations, jobs, likes and subscriptions: create, get, update, delete.
    let id = created.id.as_str();
    let education = client
        .create_education()
        .workspace_id(ws)
        .customer_id(id)
        .body(body::<types::Education>(
            json!({"id": "edu-1", "schoolType": "COLLEGE", "schoolName": "Gotham U"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(education.id, "edu-1");
    let got = client
        .get_education()
        .workspace_id(ws)
        .customer_id(id)
        .education_id("edu-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, education);
    let updated = client
        .update_education()
        .workspace_id(ws)
        .customer_id(id)
        .education_id("edu-1")
        .body(body::<types::Education>(
            json!({"id": "edu-1", "schoolType": "HIGH_SCHOOL", "startYear": 1986}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.start_year, Some(1986));
    assert_eq!(updated.school_name, None);
    let (status, error) = failure(
        client
            .create_education()
            .workspace_id(ws)
            .customer_id(id)
            .body(body::<types::Education>(json!({"id": "edu-1"})))
            .send()
            .await,
    );
    assert_eq!(status, 409, "{error:?}");
    client
        .delete_education()
        .workspace_id(ws)
        .customer_id(id)
        .education_id("edu-1")
        .send()
        .await
        .unwrap();
    let (status, _) = failure(
        client
            .get_education()
            .workspace_id(ws)
            .customer_id(id)
            .education_id("edu-1")
            .send()
            .await,
    );
    assert_eq!(status, 404);

    let job = client
        .create_job()
        .workspace_id(ws)
        .customer_id(id)
        .body(body::<types::Job>(
            json!({"id": "job-1", "companyName": "Wayne Enterprises", "startDate": "1995-01-01"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    client
        .get_job()
        .workspace_id(ws)
        .customer_id(id)
        .job_id(&job.id)
        .send()
        .await
        .unwrap();
    let job = client
        .update_job()
        .workspace_id(ws)
        .customer_id(id)
        .job_id(&job.id)
        .body(body::<types::Job>(
            json!({"id": "job-1", "jobTitle": "CEO", "isCurrent": true}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(job.job_title.as_deref(), Some("CEO"));
    client
        .delete_job()
        .workspace_id(ws)
        .customer_id(id)
        .job_id(&job.id)
        .send()
        .await
        .unwrap();

    let like = client
        .create_like()
        .workspace_id(ws)
        .customer_id(id)
        .body(body::<types::Like>(
            json!({"id": "like-1", "category": "sport", "name": "Climbing",
                "createdTime": "2020-01-02T03:04:05.000+0000"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    client
        .get_like()
        .workspace_id(ws)
        .customer_id(id)
        .like_id(&like.id)
        .send()
        .await
        .unwrap();
    client
        .update_like()
        .workspace_id(ws)
        .customer_id(id)
        .like_id(&like.id)
        .body(body::<types::Like>(
            json!({"id": "like-1", "name": "Gliding"}),
        ))
        .send()
        .await
        .unwrap();
    let stored = state.customer(id).unwrap();
    assert_eq!(
        stored["base"]["likes"],
        json!([{"id": "like-1", "name": "Gliding"}])
    );
    client
        .delete_like()
        .workspace_id(ws)
        .customer_id(id)
        .like_id(&like.id)
        .send()
        .await
        .unwrap();

    let subscription = client
        .create_subscription()
        .workspace_id(ws)
        .customer_id(id)
        .body(body::<types::Subscription>(
            json!({"id": "sub-1", "name": "News", "kind": "DIGITAL_MESSAGE", "subscribed": true}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    client
        .get_subscription()
        .workspace_id(ws)
        .customer_id(id)
        .subscription_id(&subscription.id)
        .send()
        .await
        .unwrap();
    let subscription = client
        .update_subscription()
        .workspace_id(ws)
        .customer_id(id)
        .subscription_id(&subscription.id)
        .body(body::<types::Subscription>(
            json!({"id": "sub-1", "subscribed": false}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(subscription.subscribed, Some(false));
    client
        .delete_subscription()
        .workspace_id(ws)
        .customer_id(id)
        .subscription_id(&subscription.id)
        .send()
        .await
        .unwrap();

    // Sessions.
    let session = client
        .create_session()
        .workspace_id(ws)
        .customer_id(id)
        .body(body::<types::NewSession>(json!({"value": "sess-1"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(session.value, "sess-1");
    let sessions = client
        .list_sessions()
        .workspace_id(ws)
        .customer_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sessions.elements, std::slice::from_ref(&session));
    client
        .get_session()
        .workspace_id(ws)
        .customer_id(id)
        .session_id(&session.id)
        .send()
        .await
        .unwrap();
    assert_eq!(state.sessions_of(id), ["sess-1"]);
    client
        .delete_session()
        .workspace_id(ws)
        .customer_id(id)
        .session_id(&session.id)
        .send()
        .await
        .unwrap();
    assert!(state.sessions_of(id).is_empty());

    // Events.
    let accepted = client
        .create_event()
        .workspace_id(ws)
        .body(body::<types::NewEvent>(
            json!({"customerId": id, "type": "viewedPage",
            "context": "WEB", "properties": {"url": "https://example.com/"}}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    let event_id = accepted.id.unwrap();
    let event = client
        .get_event()
        .workspace_id(ws)
        .event_id(&event_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(event.customer_id.as_deref(), Some(id));
    assert_eq!(event.mode, Some(types::EventMode::Active));
    let events = client
        .list_events()
        .workspace_id(ws)
        .customer_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(events.elements.len(), 1);
    assert_eq!(state.events_of(id).len(), 1);

    // An event replaced (202 with the event), then deleted (204).
    let second = client
        .create_event()
        .workspace_id(ws)
        .body(body::<types::NewEvent>(
            json!({"customerId": id, "type": "searched", "context": "WEB",
            "properties": {"keyword": "bat"}}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    let stored = state.events_of(id)[1].clone();
    let replaced = client
        .update_event()
        .workspace_id(ws)
        .event_id(&second)
        .body(body::<types::PutEvent>(
            json!({"id": second, "type": "searched", "context": "MOBILE",
            "properties": {"keyword": "batmobile"},
            "registeredAt": stored["registeredAt"], "updatedAt": stored["registeredAt"]}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 202);
    assert_eq!(replaced.customer_id.as_deref(), Some(id));
    assert_eq!(replaced.context, types::EventContext::Mobile);
    let reread = client
        .get_event()
        .workspace_id(ws)
        .event_id(&second)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&reread).unwrap()["properties"]["keyword"],
        "batmobile"
    );
    assert_eq!(reread.registered_at, event_registered(&stored));
    let deleted = client
        .delete_event()
        .workspace_id(ws)
        .event_id(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(state.events_of(id).len(), 1);
    let (status, _) = failure(
        client
            .delete_event()
            .workspace_id(ws)
            .event_id(&second)
            .send()
            .await,
    );
    assert_eq!(status, 404);

    // The customer as its one source (the node) wrote it.
    let sources = client
        .list_customer_sources()
        .workspace_id(ws)
        .customer_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sources.elements.len(), 1);
    let source = &sources.elements[0];
    assert_eq!(source.id.as_deref(), Some(node));
    assert_eq!(source.node_id.as_deref(), Some(node));
    assert_eq!(
        source.base.as_ref().and_then(|b| b.first_name.clone()),
        state.customer(id).unwrap()["base"]["firstName"]
            .as_str()
            .map(str::to_owned)
    );
    let one = client
        .get_customer_source()
        .workspace_id(ws)
        .customer_id(id)
        .source_id(node)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(&one, source);
    let (status, _) = failure(
        client
            .get_customer_source()
            .workspace_id(ws)
            .customer_id(id)
            .source_id("another-source")
            .send()
            .await,
    );
    assert_eq!(status, 404);

    // Errors: 401, 403, 404 (node, customer, item, session, event), 400, 409.
    let stranger = Client::new(
        &hub.sandbox.urls().contacthub,
        hub.conformance
            .inner(cdp_transport::Auth::bearer("not-the-token")),
    );
    let (status, error) = failure(
        stranger
            .list_customers()
            .workspace_id(ws)
            .node_id(node)
            .send()
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(
        error.message.as_deref(),
        Some("The client is not authorized to access the API")
    );
    let (status, error) = failure(
        client
            .get_customer()
            .workspace_id("elsewhere")
            .customer_id(id)
            .send()
            .await,
    );
    assert_eq!(
        (status, error.message.as_deref()),
        (403, Some("workspace not found: elsewhere"))
    );
    let (status, error) = failure(
        client
            .list_customers()
            .workspace_id(ws)
            .node_id("other-node")
            .send()
            .await,
    );
    assert_eq!(
        (status, error.message.as_deref()),
        (404, Some("node not found: other-node"))
    );
    let (status, _) = failure(
        client
            .get_customer()
            .workspace_id(ws)
            .customer_id("nobody")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, _) = failure(
        client
            .get_job()
            .workspace_id(ws)
            .customer_id(id)
            .job_id("job-1")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, _) = failure(
        client
            .get_session()
            .workspace_id(ws)
            .customer_id(id)
            .session_id("sess-1")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, _) = failure(
        client
            .get_event()
            .workspace_id(ws)
            .event_id("no-event")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, error) = failure(
        client
            .list_customers()
            .workspace_id(ws)
            .node_id(node)
            .size(51)
            .send()
            .await,
    );
    assert_eq!(status, 400, "{error:?}");
    let (status, error) = failure(
        client
            .list_customers()
            .workspace_id(ws)
            .node_id(node)
            .query(r#"{"name": "", "query": {"type": "simple", "are": {}}}"#)
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(error.message.unwrap().contains("query"));
    let (status, error) = failure(
        client
            .create_customer()
            .workspace_id(ws)
            .body(body::<types::NewCustomer>(
                json!({"nodeId": node, "externalId": "crm-1"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    let conflict: types::ConflictData = serde_json::from_value(error.data.unwrap()).unwrap();
    assert_eq!(conflict.customer.id, id);
    assert_eq!(
        conflict.customer.href.unwrap(),
        format!(
            "{}/workspaces/{ws}/customers/{id}",
            hub.sandbox.urls().contacthub
        ),
        "the href leads to the customer"
    );
    assert_eq!(state.customer_count(), 31, "a conflict stores nothing");

    // Delete last: the customer goes, its events stay.
    client
        .delete_customer()
        .workspace_id(ws)
        .customer_id(id)
        .node_id(node)
        .send()
        .await
        .unwrap();
    assert!(state.customer(id).is_none());
    assert_eq!(state.customer_count(), 30);
    assert_eq!(state.events_of(id).len(), 1);
    let (status, _) = failure(
        client
            .delete_customer()
            .workspace_id(ws)
            .customer_id(id)
            .send()
            .await,
    );
    assert_eq!(status, 404);

    hub.conformance.assert_conforms();
    hub.conformance.assert_every_operation_succeeded();
}

#[tokio::test]
async fn every_query_operator_selects_the_right_customers() {
    let hub = hub(0).await;
    for (first, last, dob, email, score) in [
        ("Ann", "Smith", "1980-01-01", Some("ann@example.com"), 10),
        ("Bob", "Jones", "1985-06-15", None, 20),
        ("Cid", "Smith", "1990-12-31", Some("cid@example.com"), 30),
        ("Dan", "Brown", "2000-03-03", Some("dan@example.org"), 40),
    ] {
        let mut customer = json!({"base": {"firstName": first, "lastName": last, "dob": dob},
            "extended": {"score": score}});
        if let Some(email) = email {
            customer["base"]["contacts"] = json!({"email": email});
        }
        hub.create(customer).await;
    }
    let cases = [
        (
            atomic("base.firstName", "EQUALS", json!("Ann")),
            names(&["Ann"]),
        ),
        (
            atomic("base.lastName", "NOT_EQUALS", json!("Smith")),
            names(&["Bob", "Dan"]),
        ),
        (
            atomic("base.dob", "GT", json!("1985-06-15")),
            names(&["Cid", "Dan"]),
        ),
        (
            atomic("base.dob", "GTE", json!("1985-06-15")),
            names(&["Bob", "Cid", "Dan"]),
        ),
        (
            atomic("base.dob", "LT", json!("1985-06-15")),
            names(&["Ann"]),
        ),
        (
            atomic("base.dob", "LTE", json!("1985-06-15")),
            names(&["Ann", "Bob"]),
        ),
        (
            atomic("base.lastName", "IN", json!(["Jones", "Brown"])),
            names(&["Bob", "Dan"]),
        ),
        (
            atomic("base.lastName", "NOT_IN", json!(["Jones", "Brown"])),
            names(&["Ann", "Cid"]),
        ),
        (
            atomic("base.dob", "BETWEEN", json!(["1985-01-01", "1995-01-01"])),
            names(&["Bob", "Cid"]),
        ),
        (
            json!({"type": "atomic", "attribute": "base.contacts.email", "operator": "IS_NULL"}),
            names(&["Bob"]),
        ),
        (
            json!({"type": "atomic", "attribute": "base.contacts.email", "operator": "IS_NOT_NULL"}),
            names(&["Ann", "Cid", "Dan"]),
        ),
        (
            atomic("extended.score", "GT", json!(25)),
            names(&["Cid", "Dan"]),
        ),
        (
            json!({"type": "composite", "conjunction": "and", "conditions": [
                atomic("base.lastName", "EQUALS", json!("Smith")),
                atomic("extended.score", "GTE", json!(20))]}),
            names(&["Cid"]),
        ),
        (
            json!({"type": "composite", "conjunction": "or", "conditions": [
                atomic("base.firstName", "EQUALS", json!("Ann")),
                {"type": "composite", "conjunction": "and", "conditions": [
                    atomic("base.lastName", "EQUALS", json!("Brown")),
                    atomic("base.dob", "GT", json!("1999-01-01"))]}]}),
            names(&["Ann", "Dan"]),
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(
            hub.query(simple(condition.clone())).await,
            expected,
            "{condition}"
        );
    }

    let smiths = simple(atomic("base.lastName", "EQUALS", json!("Smith")));
    let with_email = simple(json!({"type": "atomic", "attribute": "base.contacts.email",
        "operator": "IS_NOT_NULL"}));
    let early = simple(atomic("base.dob", "LT", json!("1989-01-01")));
    let combined = |conjunction: &str, queries: Vec<Value>| json!({"type": "combined", "conjunction": conjunction, "queries": queries});
    assert_eq!(
        hub.query(combined(
            "INTERSECT",
            vec![with_email.clone(), early.clone()]
        ))
        .await,
        names(&["Ann"])
    );
    assert_eq!(
        hub.query(combined("UNION", vec![smiths.clone(), early.clone()]))
            .await,
        names(&["Ann", "Bob", "Cid"])
    );
    assert_eq!(
        hub.query(combined("EXCEPT", vec![with_email.clone(), smiths.clone()]))
            .await,
        names(&["Dan"])
    );
    assert_eq!(
        hub.query(combined(
            "UNION",
            vec![combined("EXCEPT", vec![with_email, smiths]), early]
        ))
        .await,
        names(&["Ann", "Bob", "Dan"])
    );

    // What is not a query: a 400 each.
    for bad in [
        json!({"type": "simple", "are": {"condition": atomic("base.nope", "EQUALS", json!("x"))}}),
        json!({"type": "simple", "are": {"condition": atomic("base.firstName", "LIKE", json!("x"))}}),
        json!({"type": "simple", "are": {"condition": atomic("base.firstName", "IN", json!("x"))}}),
        json!({"type": "simple", "are": {"condition": {"type": "composite", "conjunction": "AND",
            "conditions": [atomic("base.firstName", "EQUALS", json!("x"))]}}}),
        json!({"type": "combined", "conjunction": "union", "queries": []}),
    ] {
        let (status, _) = failure(
            hub.client
                .list_customers()
                .workspace_id(&hub.workspace)
                .node_id(&hub.node)
                .query(json!({"name": "", "query": bad}).to_string())
                .send()
                .await,
        );
        assert_eq!(status, 400, "{bad}");
    }
    hub.conformance.assert_conforms();
}

#[tokio::test]
async fn pages_count_sort_and_project() {
    let hub = hub(45).await;
    let list = || {
        hub.client
            .list_customers()
            .workspace_id(&hub.workspace)
            .node_id(&hub.node)
    };
    let first = list().send().await.unwrap().into_inner();
    assert_eq!(first.elements.len(), 20, "20 by default");
    assert_eq!(
        (
            first.page.size,
            first.page.total_elements,
            first.page.total_pages,
            first.page.number
        ),
        (20, 45, 3, 0)
    );
    assert_eq!(first.page.total_unfiltered_elements, Some(45));
    let last = list().page(2).send().await.unwrap().into_inner();
    assert_eq!(last.elements.len(), 5);
    assert_eq!(last.page.number, 2);
    let beyond = list().page(3).send().await.unwrap().into_inner();
    assert!(beyond.elements.is_empty());
    let mut everyone: Vec<String> = Vec::new();
    for page in 0..3 {
        let page = list().page(page).send().await.unwrap().into_inner();
        everyone.extend(page.elements.into_iter().map(|c| c.id));
    }
    assert_eq!(everyone, hub.sandbox.contacthub().customer_ids());

    let filtered = list()
        .query(
            json!({"name": "", "query": simple(atomic("enabled", "EQUALS", json!(true)))})
                .to_string(),
        )
        .size(50)
        .send()
        .await
        .unwrap()
        .into_inner();
    let enabled = hub
        .sandbox
        .contacthub()
        .customer_ids()
        .iter()
        .filter(|id| hub.sandbox.contacthub().customer(id).unwrap()["enabled"] == json!(true))
        .count();
    assert_eq!(filtered.page.total_elements, enabled as i64);
    assert_eq!(filtered.page.total_unfiltered_elements, Some(45));

    let sorted = list()
        .sort("base.firstName,desc")
        .fields("base.firstName,base.contacts.email")
        .size(50)
        .send()
        .await
        .unwrap()
        .into_inner();
    let firsts: Vec<String> = sorted
        .elements
        .iter()
        .map(|c| c.base.as_ref().unwrap().first_name.clone().unwrap())
        .collect();
    let mut expected = firsts.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(firsts, expected);
    let raw = serde_json::to_value(&sorted.elements[0]).unwrap();
    let members: BTreeSet<&str> = raw
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(members, BTreeSet::from(["id", "base"]));
    let base: BTreeSet<&str> = raw["base"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(base, BTreeSet::from(["firstName", "contacts"]));
    hub.conformance.assert_conforms();
}

#[tokio::test]
async fn a_merge_patch_removes_nulls_merges_objects_and_keeps_the_rest() {
    let hub = hub(0).await;
    let created = hub
        .create(json!({"externalId": "x-1", "extra": "keep me",
            "base": {"firstName": "Diana", "lastName": "Prince",
                "contacts": {"email": "diana@example.com", "phone": "+1 555"}},
            "extended": {"profile": {"hero": true, "city": "Themyscira"}, "untouched": [1, 2]},
            "tags": {"manual": ["amazon"]}}))
        .await;
    let stored_before = hub.sandbox.contacthub().customer(&created.id).unwrap();

    let mut patch = MergePatch::new();
    patch
        .set(
            "base",
            json!({"lastName": "of Themyscira", "contacts": {"phone": null, "mobilePhone": "+1 777"}}),
        )
        .set("extended", json!({"profile": {"city": null, "since": 1941}}))
        .remove("externalId");
    let patched = hub
        .client
        .patch_customer()
        .workspace_id(&hub.workspace)
        .customer_id(&created.id)
        .body(patch)
        .send()
        .await
        .unwrap()
        .into_inner();
    let after = hub.sandbox.contacthub().customer(&created.id).unwrap();
    assert_eq!(
        after["base"],
        json!({"firstName": "Diana", "lastName": "of Themyscira",
            "contacts": {"email": "diana@example.com", "mobilePhone": "+1 777"}})
    );
    assert_eq!(
        after["extended"],
        json!({"profile": {"hero": true, "since": 1941}, "untouched": [1, 2]})
    );
    assert!(after.get("externalId").is_none(), "null removes");
    assert_eq!(after["extra"], "keep me");
    assert_eq!(after["tags"], json!({"manual": ["amazon"]}));
    assert_eq!(after["registeredAt"], stored_before["registeredAt"]);
    assert_eq!(after["id"], stored_before["id"]);
    assert_eq!(patched.external_id, None);

    // Once removed, the external id is free again.
    hub.create(json!({"externalId": "x-1"})).await;

    // A patch that does not fit the schema changes nothing.
    let mut bad = MergePatch::new();
    bad.set("base", json!({"dob": "yesterday"}));
    let (status, error) = failure(
        hub.client
            .patch_customer()
            .workspace_id(&hub.workspace)
            .customer_id(&created.id)
            .body(bad)
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        error.errors.as_ref().unwrap()[0].path.as_deref(),
        Some("/base/dob")
    );
    assert_eq!(
        hub.sandbox.contacthub().customer(&created.id).unwrap(),
        after
    );
    hub.conformance.assert_conforms();
}

#[tokio::test]
async fn events_find_their_customer_and_filter() {
    let hub = hub(0).await;
    let (client, ws) = (&hub.client, hub.workspace.as_str());
    let state = hub.sandbox.contacthub();
    let customer = hub.create(json!({"externalId": "ext-42"})).await;
    let id = customer.id.as_str();
    let send = |event: Value| async move {
        client
            .create_event()
            .workspace_id(ws)
            .body(body::<types::NewEvent>(event))
            .send()
            .await
    };
    let props = json!({"url": "https://example.com/"});
    for (kind, context, date) in [
        ("viewedPage", "WEB", "2024-01-01T10:00:00.000Z"),
        (
            "campaignSent",
            "DIGITAL_CAMPAIGN",
            "2024-02-01T10:00:00.000Z",
        ),
        ("completedOrder", "ECOMMERCE", "2024-03-01T10:00:00.000Z"),
    ] {
        send(
            json!({"customerId": id, "type": kind, "context": context, "properties": props,
            "date": date}),
        )
        .await
        .unwrap();
    }
    // By external id: tied at once.
    send(json!({"bringBackProperties": {"type": "EXTERNAL_ID", "value": "ext-42", "nodeId": hub.node},
        "type": "loggedIn", "context": "MOBILE", "properties": {}, "date": "2024-04-01T10:00:00Z"}))
    .await
    .unwrap();
    assert_eq!(state.events_of(id).len(), 4);
    // By an unknown session: anonymous until the session is linked.
    let anonymous = send(
        json!({"bringBackProperties": {"type": "SESSION_ID", "value": "s-9"},
        "type": "viewedProduct", "context": "ECOMMERCE", "properties": {},
        "date": "2024-05-01T10:00:00Z"}),
    )
    .await
    .unwrap()
    .into_inner()
    .id
    .unwrap();
    let event = client
        .get_event()
        .workspace_id(ws)
        .event_id(&anonymous)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(event.customer_id, None);
    assert_eq!(state.anonymous_events().len(), 1);
    client
        .create_session()
        .workspace_id(ws)
        .customer_id(id)
        .body(body::<types::NewSession>(json!({"value": "s-9"})))
        .send()
        .await
        .unwrap();
    assert!(state.anonymous_events().is_empty());
    assert_eq!(state.events_of(id).len(), 5);
    // By a known session: tied at once.
    send(
        json!({"bringBackProperties": {"type": "SESSION_ID", "value": "s-9"},
        "type": "searched", "context": "WEB", "properties": {"keywords": "lasso"},
        "date": "2024-06-01T10:00:00Z"}),
    )
    .await
    .unwrap();
    assert_eq!(state.events_of(id).len(), 6);
    assert_eq!(state.event_count(), 6);

    let list = || client.list_events().workspace_id(ws).customer_id(id);
    let types_of = |page: types::PagedEvent| -> Vec<String> {
        page.elements
            .into_iter()
            .map(|e| e.type_.as_str().to_owned())
            .collect()
    };
    let all = list().send().await.unwrap().into_inner();
    assert_eq!(all.page.total_elements, 6);
    assert_eq!(
        types_of(all),
        [
            "searched",
            "viewedProduct",
            "loggedIn",
            "completedOrder",
            "campaignSent",
            "viewedPage"
        ],
        "newest first"
    );
    let page = list().size(2).page(1).send().await.unwrap().into_inner();
    assert_eq!((page.page.total_pages, page.page.total_elements), (3, 6));
    assert_eq!(types_of(page), ["loggedIn", "completedOrder"]);
    let by_type = list()
        .type_("viewedPage,searched")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(types_of(by_type), ["searched", "viewedPage"]);
    let by_context = list()
        .context("ECOMMERCE")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(types_of(by_context), ["viewedProduct", "completedOrder"]);
    let passive = list()
        .mode(types::EventMode::Passive)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(types_of(passive), ["campaignSent"]);
    let between = list()
        .date_from(
            "2024-02-01T00:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
        )
        .date_to(
            "2024-04-01T10:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(between.page.total_unfiltered_elements, Some(6));
    assert_eq!(
        types_of(between),
        ["loggedIn", "completedOrder", "campaignSent"]
    );

    // An unknown customer id is a 404 and stores nothing.
    let (status, _) = failure(
        send(
            json!({"customerId": "nobody", "type": "viewedPage", "context": "WEB",
            "properties": {}}),
        )
        .await,
    );
    assert_eq!(status, 404);
    assert_eq!(state.event_count(), 6);
    hub.conformance.assert_conforms();
}

#[tokio::test]
async fn bad_requests_get_contacthub_error_bodies() {
    let hub = hub(3).await;
    let (http, base) = hub.raw();
    let token = hub.token();
    let token = token.as_str();
    let node = hub.node.clone();
    let check = |status: u16, body: &Value, expected: u16| {
        assert_eq!(status, expected, "{body}");
        assert!(body["message"].is_string(), "{body}");
        assert!(body["logref"].is_string(), "{body}");
        assert!(body["errors"].is_array(), "{body}");
    };
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request.bearer_auth(token).send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        (status, body)
    };

    let (status, body) = send(http.get(format!("{base}/customers"))).await;
    check(status, &body, 400);
    let (status, body) = send(
        http.post(format!("{base}/customers"))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    check(status, &body, 400);
    let (status, body) = send(
        http.post(format!("{base}/customers"))
            .json(&json!({"base": {}})),
    )
    .await;
    check(status, &body, 400);
    assert_eq!(body["errors"][0]["path"], "/nodeId");
    let (status, body) = send(
        http.post(format!("{base}/customers"))
            .json(&json!({"nodeId": node, "base": {"nickname": "x", "dob": 1990}})),
    )
    .await;
    check(status, &body, 400);
    let paths: BTreeSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, BTreeSet::from(["/base/nickname", "/base/dob"]));
    let (status, body) = send(
        http.post(format!("{base}/customers"))
            .json(&json!({"nodeId": "other-node"})),
    )
    .await;
    check(status, &body, 404);
    let (status, body) = send(http.get(format!("{base}/customers?nodeId={node}&size=0"))).await;
    check(status, &body, 400);
    let (status, body) = send(http.get(format!("{base}/customers?nodeId={node}&page=-1"))).await;
    check(status, &body, 400);
    let (status, body) = send(http.get(format!("{base}/customers?nodeId={node}&query=%7B"))).await;
    check(status, &body, 400);
    let (status, body) =
        send(http.get(format!("{base}/customers?nodeId={node}&page=4294967296"))).await;
    check(status, &body, 400);
    let (status, body) = send(http.get(format!(
        "{base}/customers?nodeId={node}&fields=base.nickname"
    )))
    .await;
    check(status, &body, 400);
    let (status, body) = send(http.get(format!("{base}/customers/%FF%FE"))).await;
    check(status, &body, 400);
    // `customerId` is optional (the node's events are listed): an unknown mode is refused.
    let (status, body) = send(http.get(format!("{base}/events?mode=SOMETIMES"))).await;
    check(status, &body, 400);
    let (status, body) = send(
        http.post(format!("{base}/events"))
            .json(&json!({"customerId": "x"})),
    )
    .await;
    check(status, &body, 400);
    let missing: BTreeSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        BTreeSet::from(["/type", "/context", "/properties"])
    );
    let (status, body) = send(
        http.post(format!("{base}/events"))
            .json(&json!({"type": "viewedPage", "context": "WEB", "properties": {}})),
    )
    .await;
    check(status, &body, 400);
    let (status, body) = send(http.post(format!("{base}/events")).json(
        &json!({"customerId": "x", "type": "dancedTango", "context": "WEB", "properties": {}}),
    ))
    .await;
    check(status, &body, 400);
    let (status, body) = send(http.get(format!("{base}/nothing-here"))).await;
    check(status, &body, 404);
    let (status, body) = send(http.put(format!("{base}/events"))).await;
    check(status, &body, 405);
    // No token at all.
    let response = http
        .get(format!("{base}/customers?nodeId={node}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        hub.sandbox.contacthub().customer_count(),
        3,
        "nothing was stored"
    );
}

async fn first_page(hub: &Hub) -> types::PagedCustomer {
    hub.client
        .list_customers()
        .workspace_id(&hub.workspace)
        .node_id(&hub.node)
        .size(50)
        .send()
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn seeded_data_is_deterministic_and_varied() {
    let (a, b) = (hub(300).await, hub(300).await);
    let (page_a, page_b) = (first_page(&a).await, first_page(&b).await);
    assert_eq!(page_a, page_b);
    let state = a.sandbox.contacthub();
    let customers: Vec<Value> = state
        .customer_ids()
        .iter()
        .map(|id| state.customer(id).unwrap())
        .collect();
    let count = |pointer: &str| {
        customers
            .iter()
            .filter(|c| c.pointer(pointer).is_some())
            .count()
    };
    for pointer in [
        "/externalId",
        "/base/educations",
        "/base/jobs",
        "/base/likes",
        "/base/subscriptions",
        "/base/dob",
        "/tags/manual/0",
    ] {
        let n = count(pointer);
        assert!(0 < n && n < 300, "{pointer}: {n} of 300");
    }
    let first_names: BTreeSet<&str> = customers
        .iter()
        .filter_map(|c| c["base"]["firstName"].as_str())
        .collect();
    assert!(first_names.len() > 10);
    assert!(state.event_count() > 0);
    let with_events = customers
        .iter()
        .filter(|c| !state.events_of(c["id"].as_str().unwrap()).is_empty())
        .count();
    assert!(0 < with_events && with_events < 300);
    // The seeded events are served too.
    let some = customers
        .iter()
        .find(|c| !state.events_of(c["id"].as_str().unwrap()).is_empty())
        .unwrap();
    let events = a
        .client
        .list_events()
        .workspace_id(&a.workspace)
        .customer_id(some["id"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!events.elements.is_empty());
    // Queries reach the seeded customers.
    let rossi = a
        .query(simple(atomic("base.lastName", "EQUALS", json!("Rossi"))))
        .await;
    let expected = customers
        .iter()
        .filter(|c| c["base"]["lastName"] == "Rossi" && !c["base"]["firstName"].is_null())
        .count();
    assert!(expected > 0);
    assert!(!rossi.is_empty() && rossi.len() <= expected);
    a.conformance.assert_conforms();
}

#[tokio::test]
async fn writes_link_sessions_give_item_ids_and_guard_external_ids() {
    let hub = hub(0).await;
    let (client, ws) = (&hub.client, hub.workspace.as_str());
    let state = hub.sandbox.contacthub();
    // An anonymous event of a session, then a customer created with that session: the event is theirs.
    client
        .create_event()
        .workspace_id(ws)
        .body(body::<types::NewEvent>(json!({
            "bringBackProperties": {"type": "SESSION_ID", "value": "visit-1"},
            "type": "viewedPage", "context": "WEB", "properties": {}})))
        .send()
        .await
        .unwrap();
    assert_eq!(state.anonymous_events().len(), 1);
    let mut customer = json!({"nodeId": hub.node, "externalId": "a",
        "base": {"likes": [{"id": "mine", "name": "Tea"}]}});
    let created = client
        .create_customer()
        .workspace_id(ws)
        .session_id("visit-1")
        .body(body::<types::NewCustomer>(customer.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(state.anonymous_events().is_empty());
    assert_eq!(state.events_of(&created.id).len(), 1);
    assert_eq!(state.sessions_of(&created.id), ["visit-1"]);
    assert_eq!(created.base.unwrap().likes.unwrap()[0].id, "mine");
    // Items sent without an id (the typed client always has one, so this goes raw) get one.
    let (http, base) = hub.raw();
    let response = http
        .post(format!("{base}/customers/{}/jobs", created.id))
        .bearer_auth(hub.token())
        .json(&json!({"companyName": "Daily Planet"}))
        .send()
        .await
        .unwrap();
    // The official swagger answers 200 to a new job (201 only to a subscription).
    assert_eq!(response.status(), 200);
    let job: types::Job = response.json().await.unwrap();
    assert_eq!(job.id.len(), 36, "{job:?}");
    assert_eq!(
        state.customer(&created.id).unwrap()["base"]["jobs"][0]["id"],
        json!(job.id)
    );

    // A full update may not take another customer's external id.
    customer["externalId"] = json!("b");
    let other = client
        .create_customer()
        .workspace_id(ws)
        .body(body::<types::NewCustomer>(customer))
        .send()
        .await
        .unwrap()
        .into_inner();
    let (status, error) = failure(
        client
            .update_customer()
            .workspace_id(ws)
            .customer_id(&other.id)
            .body(body::<types::PutCustomer>(
                json!({"nodeId": hub.node, "externalId": "a"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(error.data.unwrap()["customer"]["id"], json!(created.id));
    assert_eq!(
        state.customer(&other.id).unwrap()["externalId"],
        "b",
        "the refused update changed nothing"
    );
    hub.conformance.assert_conforms();
}

/// The `registeredAt` of an event as the sandbox stores it.
fn event_registered(event: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    serde_json::from_value(event["registeredAt"].clone()).ok()
}
