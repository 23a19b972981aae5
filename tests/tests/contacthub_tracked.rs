//! Mutation tracking against the sandbox's ContactHub: fetch a customer as raw JSON, wrap it in a
//! `Tracked`, edit it, send `changes()` with the generated `patch_customer`, and check what the sandbox
//! stored.
//!
//! The sandbox, like the service's JSON Schemas, refuses members outside its customer schema (only
//! `extended` is free-form), and the generated `Customer` models that whole schema. So survival of
//! members "the typed model does not know" is shown with a narrower model (`Slim`) over the same
//! customers: through a PATCH of its changes and through a PUT of its `full_document()`.

use cdp::contacthub::api::types::Customer;
use cdp::contacthub::api::{Client, MergePatch};
use cdp::contacthub::tracked::{Document, Tracked};
use cdp::merge_patch;
use cdp_sandbox::{Config, Sandbox, Service};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

struct Hub {
    sandbox: Sandbox,
    client: Client,
    http: reqwest::Client,
    workspace: String,
    node: String,
}

async fn hub() -> Hub {
    let sandbox = Sandbox::start_with(Config::default().customers(3))
        .await
        .unwrap();
    let credentials = sandbox.credentials().clone();
    let client = Client::new(
        &sandbox.urls().contacthub,
        cdp::transport::Inner::new(cdp::transport::Auth::bearer(&credentials.contacthub_token)),
    );
    Hub {
        sandbox,
        client,
        http: reqwest::Client::new(),
        workspace: credentials.contacthub_workspace,
        node: credentials.contacthub_node,
    }
}

impl Hub {
    fn url(&self, rest: &str) -> String {
        format!(
            "{}/workspaces/{}/customers{rest}",
            self.sandbox.urls().contacthub,
            self.workspace
        )
    }

    fn token(&self) -> &str {
        &self.sandbox.credentials().contacthub_token
    }

    /// Creates a customer from raw JSON; the status and the answer.
    async fn create(&self, mut customer: Value) -> (u16, Value) {
        customer["nodeId"] = json!(self.node);
        let response = self
            .http
            .post(self.url(""))
            .bearer_auth(self.token())
            .json(&customer)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// A customer as raw JSON, as the service answers it.
    async fn fetch(&self, id: &str) -> Value {
        let response = self
            .http
            .get(self.url(&format!("/{id}")))
            .bearer_auth(self.token())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// PATCHes `patch` with the generated client.
    async fn patch(&self, id: &str, patch: MergePatch) -> Customer {
        self.client
            .patch_customer()
            .workspace_id(&self.workspace)
            .customer_id(id)
            .body(patch)
            .send()
            .await
            .unwrap()
            .into_inner()
    }

    /// Sends what changed, and only when something did: the way a save uses `Tracked`.
    async fn save<T: Document>(&self, id: &str, tracked: &mut Tracked<T>) {
        if let Some(patch) = tracked.changes().unwrap() {
            self.patch(id, patch).await;
            tracked.mark_saved(self.fetch(id).await).unwrap();
        }
    }

    fn patches_sent(&self) -> usize {
        self.sandbox
            .journal()
            .of(Service::ContactHub)
            .iter()
            .filter(|e| e.method == "PATCH")
            .count()
    }

    /// The customer as the sandbox stores it, without `updatedAt` (which every write sets).
    fn stored(&self, id: &str) -> Value {
        let mut customer = self.sandbox.contacthub().customer(id).unwrap();
        customer.as_object_mut().unwrap().remove("updatedAt");
        customer
    }
}

fn bruce() -> Value {
    json!({
        "externalId": "bw-1",
        "extra": "imported",
        "base": {
            "firstName": "Bruce",
            "lastName": "Wayne",
            "contacts": {"phone": "+1 555 0102"},
            "address": {"city": "Gotham", "geo": {"lat": 40.71, "lon": -74.0}},
            "educations": [{"schoolType": "COLLEGE", "schoolName": "Gotham University", "startYear": 1990}]
        },
        "consents": {"disclaimer": {"date": "2018-05-25T14:05:00.000+0000", "version": "v2"}},
        "extended": {"loyalty": {"level": "gold", "points": 12500}},
        "tags": {"auto": ["night-owl"], "manual": ["vip", "gotham"]}
    })
}

#[tokio::test]
async fn a_tracked_customer_patches_exactly_its_edits() {
    let hub = hub().await;
    let (status, created) = hub.create(bruce()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let before = hub.fetch(&id).await;

    let mut bruce = Tracked::<Customer>::from_json(before.clone()).unwrap();
    bruce.base_mut().contacts_mut().email = Some("bruce@example.com".into());
    bruce.base_mut().last_name = None;
    bruce.tags_mut().manual = vec!["vip".into(), "batman".into()];

    let patch = bruce.changes().unwrap().unwrap();
    assert_eq!(
        Value::from(patch.clone()),
        json!({
            "base": {"contacts": {"email": "bruce@example.com"}, "lastName": null},
            "tags": {"manual": ["vip", "batman"]}
        })
    );
    hub.patch(&id, patch).await;
    assert_eq!(hub.patches_sent(), 1);

    // What the sandbox stores is the document fetched with exactly those three edits.
    let mut expected = before.clone();
    expected["base"]["contacts"]["email"] = json!("bruce@example.com");
    expected["base"].as_object_mut().unwrap().remove("lastName");
    expected["tags"]["manual"] = json!(["vip", "batman"]);
    expected.as_object_mut().unwrap().remove("updatedAt");
    assert_eq!(hub.stored(&id), expected);
    // The untouched parts kept their exact wire form (dates with `+0000`, item ids).
    assert_eq!(hub.stored(&id)["consents"], before["consents"]);
    assert_eq!(
        hub.stored(&id)["base"]["educations"],
        before["base"]["educations"]
    );

    // After the save, it is unchanged again.
    bruce.mark_saved(hub.fetch(&id).await).unwrap();
    assert!(bruce.changes().unwrap().is_none());
    let mut full = bruce.full_document().unwrap();
    full.as_object_mut().unwrap().remove("updatedAt");
    assert_eq!(full, expected);
}

#[tokio::test]
async fn nothing_is_sent_when_nothing_changed() {
    let hub = hub().await;
    for id in hub.sandbox.contacthub().customer_ids() {
        let raw = hub.fetch(&id).await;
        let mut customer = Tracked::<Customer>::from_json(raw.clone()).unwrap();
        assert!(customer.changes().unwrap().is_none());

        // Edits that end where they started are no change either.
        let base = customer.base.take();
        customer.base = base;
        let tags = customer.tags.clone();
        customer.tags_mut().manual.push("tmp".into());
        assert!(customer.is_changed());
        customer.tags = tags;
        assert!(!customer.is_changed(), "{:?}", customer.changes());
        assert_eq!(customer.full_document().unwrap(), raw);

        hub.save(&id, &mut customer).await;
    }
    assert_eq!(hub.patches_sent(), 0);
}

/// A model that knows only part of a customer: everything else is unknown to it.
#[derive(Debug, Deserialize, Serialize)]
struct Slim {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base: Option<SlimBase>,
}

impl Document for Slim {
    const NAME: &'static str = "customer";
}

#[derive(Debug, Deserialize, Serialize)]
struct SlimBase {
    #[serde(rename = "firstName", default, skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
}

#[tokio::test]
async fn members_the_model_does_not_know_survive() {
    let hub = hub().await;

    // The sandbox keeps no member outside the customer schema (nor does the service's schema allow
    // one), so a member unknown to the generated `Customer` cannot be stored there.
    let mut unknown = bruce();
    unknown["base"]["nickname"] = json!("Batman");
    let (status, answer) = hub.create(unknown).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["errors"][0]["path"], "/base/nickname");

    let (_, created) = hub.create(bruce()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let before = hub.fetch(&id).await;

    // A PATCH of what changed leaves everything `Slim` does not model alone.
    let mut slim = Tracked::<Slim>::from_json(before.clone()).unwrap();
    slim.base.as_mut().unwrap().first_name = Some("B.".into());
    assert_eq!(
        slim.changes().unwrap().map(Value::from),
        Some(json!({"base": {"firstName": "B."}}))
    );
    hub.save(&id, &mut slim).await;
    let mut expected = before.clone();
    expected["base"]["firstName"] = json!("B.");
    expected.as_object_mut().unwrap().remove("updatedAt");
    assert_eq!(hub.stored(&id), expected);

    // A PUT of `full_document()` keeps them too, where `Slim` written alone would drop them.
    slim.base.as_mut().unwrap().first_name = Some("Bruce".into());
    let full = slim.full_document().unwrap();
    assert_eq!(full["extended"], before["extended"]);
    assert_eq!(full["base"]["lastName"], "Wayne");
    assert!(
        serde_json::to_value(&*slim)
            .unwrap()
            .get("extended")
            .is_none()
    );
    let response = hub
        .http
        .put(hub.url(&format!("/{id}")))
        .bearer_auth(hub.token())
        .json(&full)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut expected = before.clone();
    expected.as_object_mut().unwrap().remove("updatedAt");
    assert_eq!(hub.stored(&id), expected);

    // The same holds with the merge patch functions on raw JSON: diff and apply agree with the sandbox.
    let now = hub.fetch(&id).await;
    let mut edited = now.clone();
    edited["extended"]["loyalty"]["points"] = json!(13000);
    let patch = merge_patch::diff(&now, &edited).unwrap();
    assert_eq!(patch, json!({"extended": {"loyalty": {"points": 13000}}}));
    let patch: MergePatch = serde_json::from_value(patch).unwrap();
    hub.patch(&id, patch).await;
    let mut expected = now;
    merge_patch::apply(
        &mut expected,
        &json!({"extended": {"loyalty": {"points": 13000}}}),
    );
    expected.as_object_mut().unwrap().remove("updatedAt");
    assert_eq!(hub.stored(&id), expected);
}

#[tokio::test]
async fn a_fetched_customer_is_kept_as_answered_and_saves_exactly_its_edits() {
    let hub = hub().await;
    let (status, created) = hub.create(bruce()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let answered = hub
        .http
        .get(hub.url(&format!("/{id}")))
        .bearer_auth(hub.token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let node = cdp::contacthub::Workspace::new(&hub.workspace, hub.token())
        .base_url(&hub.sandbox.urls().contacthub)
        .node(&hub.node);

    // Decoded once from the answer's bytes, which are kept verbatim for a full update.
    let mut customer = node.customer(&id).await.unwrap();
    assert_eq!(customer.tracked().raw_json(), answered);
    assert!(!customer.tracked().is_changed());
    customer.patch().await.unwrap();
    assert_eq!(hub.patches_sent(), 0);

    customer.base_mut().contacts_mut().email = Some("bruce@example.com".into());
    customer.base_mut().last_name = None;
    customer.tags_mut().manual.push("batman".into());
    customer.patch().await.unwrap();
    let sent: Vec<Value> = hub
        .sandbox
        .journal()
        .of(Service::ContactHub)
        .into_iter()
        .filter(|e| e.method == "PATCH")
        .filter_map(|e| e.body)
        .collect();
    assert_eq!(
        sent,
        [json!({
            "base": {"contacts": {"email": "bruce@example.com"}, "lastName": null},
            "tags": {"manual": ["vip", "gotham", "batman"]}
        })]
    );
    // Taken as the service answered the save: nothing left to send.
    assert!(!customer.tracked().is_changed());
    let stored: Value = serde_json::from_str(customer.tracked().raw_json()).unwrap();
    assert_eq!(stored["base"]["contacts"]["email"], "bruce@example.com");
    customer.patch().await.unwrap();
    assert_eq!(hub.patches_sent(), 1);
}
