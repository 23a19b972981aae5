//! Flagship in the sandbox, over real HTTP through the generated client and the conformance checker: the
//! allocation vectors, decisions and targeting, activations, context events, the bucketing file and hits.

use cdp_sandbox::Sandbox;
use cdp_sandbox::flagship::{allocation_bucket, murmur3_hash, pick_variation};
use cdp_tests::conformance::Conformance;
use cdp_transport::{Auth, Inner};
use flagship_api::types::{
    ActivateRequest, ContextEventType, DecisionMode, DecisionResponse, ErrorBody, Hit,
    VisitorContext,
};
use flagship_api::{Client, Error, ResponseValue};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------------
// Allocation: facts from the Flagship Python SDK's tests (`allocation_vectors.json` in the reference).

/// Variation group with a reference at 0 % and four variations of 25 % (`variation` = 1..4).
const VG_25: &str = "bs8qvmo4nlr01fl9bbbb";
/// Variation group with a reference at 0 % and two variations of 50 % (`variation50` = 1..2).
const VG_50: &str = "bs8r119sbs4016meiiii";

/// (visitor id, bucket in VG_25, expected `variation`, bucket in VG_50, expected `variation50`).
const VECTORS: &[(&str, u32, u64, u32, u64)] = &[
    ("202072017183814142", 75, 4, 32, 1),
    ("202072017183860649", 16, 1, 4, 1),
    ("202072017183828850", 33, 2, 23, 1),
    ("202072017183823773", 39, 2, 55, 2),
    ("202072017183842202", 70, 3, 39, 1),
    ("202072017233645009", 46, 2, 94, 2),
    ("202072017233690230", 0, 1, 96, 2),
    ("202072017183951364", 53, 3, 5, 1),
    ("202072017183920657", 76, 4, 85, 2),
    ("202072017183943575", 68, 3, 25, 1),
    ("202072017183972690", 5, 1, 99, 2),
];

#[test]
fn murmur3_matches_the_reference_values() {
    assert_eq!(murmur3_hash("hello"), 0x248b_fa47);
    assert_eq!(murmur3_hash(""), 0);
    assert_eq!(
        murmur3_hash("The quick brown fox jumps over the lazy dog"),
        0x2e4f_f723
    );
}

#[test]
fn allocation_reproduces_the_sdk_vectors() {
    for &(visitor, bucket_25, expected_25, bucket_50, expected_50) in VECTORS {
        assert_eq!(allocation_bucket(VG_25, visitor), bucket_25, "{visitor}");
        assert_eq!(allocation_bucket(VG_50, visitor), bucket_50, "{visitor}");
        // The index in the group is the flag value: the reference (index 0) takes no traffic.
        let index_25 = pick_variation(bucket_25, &[0.0, 25.0, 25.0, 25.0, 25.0]);
        let index_50 = pick_variation(bucket_50, &[0.0, 50.0, 50.0]);
        assert_eq!(index_25, Some(expected_25 as usize), "{visitor}");
        assert_eq!(index_50, Some(expected_50 as usize), "{visitor}");
    }
    assert_eq!(pick_variation(99, &[30.0, 0.0, 30.0]), None);
    assert_eq!(pick_variation(40, &[30.0, 0.0, 30.0]), Some(2));
}

#[tokio::test]
async fn the_seed_decides_the_campaigns() {
    let start = |seed| Sandbox::start_with(cdp_sandbox::Config::default().seed(seed).customers(1));
    let (a, b, c) = (
        start(7).await.unwrap(),
        start(7).await.unwrap(),
        start(8).await.unwrap(),
    );
    let (a, b, c) = (a.flagship(), b.flagship(), c.flagship());
    assert_eq!(a.bucketing_file(), b.bucketing_file());
    assert_eq!(a.last_modified(), b.last_modified());
    assert_ne!(
        a.bucketing_file()["campaigns"][0]["id"],
        c.bucketing_file()["campaigns"][0]["id"]
    );
    assert_eq!(
        a.bucketing_file()["campaigns"][0]["name"],
        c.bucketing_file()["campaigns"][0]["name"]
    );
    // The A/B test's allocations add up to 100.
    let total: f64 = a.bucketing_file()["campaigns"][0]["variationGroups"][0]["variations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["allocation"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 100.0);
}

// ---------------------------------------------------------------------------------------------------
// Over HTTP.

/// A sandbox with one generated client per Flagship host, all checked against the spec.
struct Flagship {
    sandbox: Sandbox,
    conformance: Conformance,
    decision: Client,
    cdn: Client,
    hits: Client,
    env: String,
    key: String,
}

async fn start() -> Flagship {
    let sandbox = Sandbox::start().await.unwrap();
    let conformance = Conformance::new("flagship");
    let key = sandbox.credentials().flagship_api_key.clone();
    let inner = conformance.inner(Auth::api_key("x-api-key", key.clone()));
    let urls = sandbox.urls();
    let decision = Client::new(&urls.flagship_decision, inner.clone());
    let cdn = Client::new(&urls.flagship_cdn, inner);
    // The collector takes no key.
    let hits_inner = conformance.inner(Auth::None);
    let hits = Client::new(&urls.flagship_hits, hits_inner);
    Flagship {
        env: sandbox.credentials().flagship_env_id.clone(),
        sandbox,
        conformance,
        decision,
        cdn,
        hits,
        key,
    }
}

fn context(value: Value) -> VisitorContext {
    serde_json::from_value(value).unwrap()
}

fn hit(value: Value) -> Hit {
    serde_json::from_value(value).unwrap()
}

fn activation(value: Value) -> ActivateRequest {
    serde_json::from_value(value).unwrap()
}

/// The status and message of an error answer; a test failure for anything else.
fn failure<T: std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<ErrorBody>>,
) -> (u16, String) {
    match result {
        Err(Error::ErrorResponse(response)) => (
            response.status().as_u16(),
            response.message.clone().unwrap_or_default(),
        ),
        other => panic!("expected an error answer, got {other:?}"),
    }
}

/// A campaign of the sandbox's bucketing file by type.
fn campaign_of(sandbox: &Sandbox, kind: &str) -> Value {
    let file = sandbox.flagship().bucketing_file();
    file["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} campaign in {file}"))
}

/// The variation id the allocation function gives `hashed_id` in a campaign's first group.
fn expected_variation(campaign: &Value, hashed_id: &str) -> Option<String> {
    let group = &campaign["variationGroups"][0];
    let variations = group["variations"].as_array().unwrap();
    let allocations: Vec<f64> = variations
        .iter()
        .map(|v| v["allocation"].as_f64().unwrap_or(0.0))
        .collect();
    let bucket = allocation_bucket(group["id"].as_str().unwrap(), hashed_id);
    let index = pick_variation(bucket, &allocations)?;
    Some(variations[index]["id"].as_str().unwrap().to_owned())
}

impl Flagship {
    /// A full-mode decision for a visitor with a context.
    async fn decide(&self, visitor: &str, ctx: Value) -> DecisionResponse {
        self.decision
            .get_campaigns()
            .env_id(&self.env)
            .mode(DecisionMode::Full)
            .body_map(|b| b.visitor_id(visitor).context(context(ctx)))
            .send()
            .await
            .unwrap()
            .into_inner()
    }

    /// The ids of the campaigns a visitor is in.
    async fn campaign_ids(&self, visitor: &str, ctx: Value) -> Vec<String> {
        self.decide(visitor, ctx)
            .await
            .campaigns
            .into_iter()
            .map(|c| c.id)
            .collect()
    }
}

#[tokio::test]
async fn every_operation_succeeds_and_conforms() {
    let f = start().await;
    let ab = campaign_of(&f.sandbox, "ab");
    let toggle = campaign_of(&f.sandbox, "toggle");
    let ab_id = ab["id"].as_str().unwrap();
    let green = ab["variationGroups"][0]["variations"][2]["id"]
        .as_str()
        .unwrap();

    // The bucketing file, with its caching headers.
    let file = f
        .cdn
        .get_bucketing_file()
        .env_id(&f.env)
        .send()
        .await
        .unwrap();
    let last_modified = file.headers()["last-modified"].to_str().unwrap().to_owned();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");
    assert!(
        file.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let file = file.into_inner();
    assert_eq!(file.panic, Some(false));
    assert_eq!(file.campaigns.len(), 5);
    assert!(file.campaigns.iter().any(|c| !c.bucket_ranges.is_empty()));
    assert!(file.campaigns.iter().all(|c| c.id.len() == 20));

    // A visitor whom the A/B test does not put on the green button: `exposeAllKeys` shows `btnText`.
    let visitor = (0..100)
        .map(|i| format!("visitor-{i}"))
        .find(|v| expected_variation(&ab, v).as_deref() != Some(green))
        .unwrap();
    let expected = expected_variation(&ab, &visitor).unwrap();
    let full = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .mode(DecisionMode::Full)
        .expose_all_keys(true)
        .extras(vec!["accountSettings".to_owned()])
        .body_map(|b| b.visitor_id(visitor.as_str()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(full.visitor_id.as_deref(), Some(visitor.as_str()));
    assert_eq!(full.panic, None);
    assert!(full.extras.unwrap().account_settings.is_some());
    let decided = full.campaigns.iter().find(|c| c.id == ab_id).unwrap();
    assert_eq!(decided.variation.id, expected);
    assert_eq!(
        decided.variation_group_id,
        ab["variationGroups"][0]["id"].as_str().unwrap()
    );
    let values = &decided.variation.modifications.as_ref().unwrap().value;
    assert!(values["btnColor"].is_string());
    assert_eq!(values.get("btnText"), Some(&Value::Null), "{values:?}");
    assert!(
        full.campaigns_variation
            .iter()
            .any(|r| r.campaign_id.as_deref() == Some(ab_id)
                && r.variation_id.as_deref() == Some(expected.as_str()))
    );
    assert_eq!(full.merged_modifications["btnColor"], values["btnColor"]);

    // Normal mode (the default) without exposeAllKeys: no `btnText`, no simple-mode members.
    let normal = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .body_map(|b| b.visitor_id(visitor.as_str()))
        .send()
        .await
        .unwrap()
        .into_inner();
    let decided = normal.campaigns.iter().find(|c| c.id == ab_id).unwrap();
    let values = &decided.variation.modifications.as_ref().unwrap().value;
    assert!(!values.contains_key("btnText"), "{values:?}");
    assert!(normal.campaigns_variation.is_empty() && normal.merged_modifications.is_empty());
    assert!(normal.extras.is_none());

    // Simple mode: only the variation references and the merged values.
    let simple = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .mode(DecisionMode::Simple)
        .body_map(|b| b.visitor_id(visitor.as_str()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(simple.campaigns.is_empty() && simple.visitor_id.is_none());
    assert!(!simple.campaigns_variation.is_empty());
    assert!(simple.merged_modifications.contains_key("btnColor"));

    // One campaign.
    let one = f
        .decision
        .get_campaign()
        .env_id(&f.env)
        .campaign_id(ab_id)
        .body_map(|b| b.visitor_id(visitor.as_str()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(one.variation.id, expected);
    assert_eq!(one.name.as_deref(), Some("Checkout button colour"));
    let toggle_id = toggle["id"].as_str().unwrap();
    let not_targeted = f
        .decision
        .get_campaign()
        .env_id(&f.env)
        .campaign_id(toggle_id)
        .body_map(|b| b.visitor_id(visitor.as_str()))
        .send()
        .await;
    assert_eq!(failure(not_targeted).0, 404);
    let unknown = f
        .decision
        .get_campaign()
        .env_id(&f.env)
        .campaign_id("nosuchcampaign000000")
        .body_map(|b| b.visitor_id(visitor.as_str()))
        .send()
        .await;
    assert_eq!(failure(unknown), (404, "campaign not found".to_owned()));

    // Flags, with where each comes from.
    let flags = f
        .decision
        .get_flags()
        .env_id(&f.env)
        .body_map(|b| {
            b.visitor_id(visitor.as_str())
                .context(context(json!({"plan": "pro"})))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let banner = &flags["showBanner"];
    assert_eq!(banner.value, Some(json!(true)));
    let metadata = banner.metadata.as_ref().unwrap();
    assert_eq!(metadata.campaign_id.as_deref(), Some(toggle_id));
    assert_eq!(metadata.type_.as_deref(), Some("toggle"));
    assert_eq!(metadata.reference, Some(false));
    assert_eq!(metadata.slug.as_deref(), Some("vip-banner"));
    assert_eq!(
        flags["btnColor"].metadata.as_ref().unwrap().variation_id,
        Some(expected.clone())
    );

    // A context event.
    f.decision
        .send_context_event()
        .env_id(&f.env)
        .body_map(|b| {
            b.visitor_id("ctx-visitor")
                .type_(ContextEventType::Context)
                .data(context(json!({"plan": "free", "age": 40})))
        })
        .send()
        .await
        .unwrap();
    let events = f.sandbox.flagship().context_events();
    let last = events.last().unwrap();
    assert_eq!(
        last,
        &json!({"visitorId": "ctx-visitor", "type": "CONTEXT", "data": {"plan": "free", "age": 40}})
    );

    // Activations, one and a batch.
    let group_id = ab["variationGroups"][0]["id"].as_str().unwrap();
    f.decision
        .activate()
        .body(activation(json!({
            "cid": f.env, "vid": visitor, "caid": group_id, "vaid": expected, "qt": 12
        })))
        .send()
        .await
        .unwrap();
    f.decision
        .activate()
        .body(activation(json!({"cid": f.env, "batch": [
            {"vid": "a", "aid": "anon-a", "caid": group_id, "vaid": expected},
            {"vid": "b", "caid": group_id, "vaid": expected, "qt": 3}
        ]})))
        .send()
        .await
        .unwrap();
    let activations = f.sandbox.flagship().activations();
    assert_eq!(activations.len(), 3);
    assert_eq!(activations[0]["vid"], visitor.as_str());
    assert_eq!(activations[0]["qt"], 12);
    assert_eq!(activations[1]["aid"], "anon-a");
    assert!(activations.iter().all(|a| a["cid"] == f.env.as_str()));

    // A hit.
    f.hits
        .send_hit()
        .body(hit(json!({
            "t": "PAGEVIEW", "cid": f.env, "vid": visitor, "ds": "APP",
            "dl": "https://shop.example/cart"
        })))
        .send()
        .await
        .unwrap();
    assert_eq!(f.sandbox.flagship().hits().len(), 1);

    // Errors: a wrong key, an unknown environment, no visitor id, bad activations, a bad hit.
    let wrong_key = Client::new(
        &f.sandbox.urls().flagship_decision,
        f.conformance
            .inner(Auth::api_key("x-api-key", "not-the-key")),
    );
    let unauthorised = wrong_key
        .get_campaigns()
        .env_id(&f.env)
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await;
    assert_eq!(failure(unauthorised).0, 401);
    let wrong_cdn_key = Client::new(
        &f.sandbox.urls().flagship_cdn,
        f.conformance
            .inner(Auth::api_key("x-api-key", "not-the-key")),
    );
    let unauthorised = wrong_cdn_key
        .get_bucketing_file()
        .env_id(&f.env)
        .send()
        .await;
    assert_eq!(failure(unauthorised).0, 401);
    let unauthorised = wrong_key
        .activate()
        .body(activation(
            json!({"cid": f.env, "vid": "v", "caid": "g", "vaid": "x"}),
        ))
        .send()
        .await;
    assert_eq!(failure(unauthorised).0, 401);

    let not_found = (404, "environment not found".to_owned());
    let unknown_env = f
        .decision
        .get_campaigns()
        .env_id("other-env")
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await;
    assert_eq!(failure(unknown_env), not_found);
    let unknown_env = f
        .decision
        .get_flags()
        .env_id("other-env")
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await;
    assert_eq!(failure(unknown_env), not_found);
    let unknown_env = f
        .decision
        .get_campaign()
        .env_id("other-env")
        .campaign_id(ab_id)
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await;
    assert_eq!(failure(unknown_env), not_found);
    let unknown_env = f
        .decision
        .send_context_event()
        .env_id("other-env")
        .body_map(|b| {
            b.visitor_id("v")
                .type_(ContextEventType::Context)
                .data(context(json!({})))
        })
        .send()
        .await;
    assert_eq!(failure(unknown_env), not_found);
    let unknown_env = f.cdn.get_bucketing_file().env_id("other-env").send().await;
    assert_eq!(failure(unknown_env), not_found);
    let unknown_env = f
        .decision
        .activate()
        .body(activation(
            json!({"cid": "other-env", "vid": "v", "caid": "g", "vaid": "x"}),
        ))
        .send()
        .await;
    assert_eq!(failure(unknown_env), not_found);

    let no_visitor = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .body_map(|b| b.visitor_id(""))
        .send()
        .await;
    assert_eq!(
        failure(no_visitor),
        (400, "visitorId is required".to_owned())
    );
    let no_visitor = f
        .decision
        .get_flags()
        .env_id(&f.env)
        .body_map(|b| b.visitor_id(""))
        .send()
        .await;
    assert_eq!(failure(no_visitor).0, 400);
    let no_visitor = f
        .decision
        .send_context_event()
        .env_id(&f.env)
        .body_map(|b| {
            b.visitor_id("")
                .type_(ContextEventType::Context)
                .data(context(json!({})))
        })
        .send()
        .await;
    assert_eq!(failure(no_visitor).0, 400);
    let bad_mode = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .mode(DecisionMode::Unknown("verbose".into()))
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await;
    assert_eq!(failure(bad_mode).0, 400);

    let (status, message) = failure(
        f.decision
            .activate()
            .body(activation(json!({"cid": f.env, "vid": "v"})))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    let report: Value = serde_json::from_str(&message).unwrap();
    assert_eq!(
        report,
        json!({"status": "error", "errors": {
            "caid": "Field is mandatory.", "vaid": "Field is mandatory."
        }})
    );
    let (status, message) = failure(
        f.decision
            .activate()
            .body(activation(json!({"cid": f.env, "batch": [
                {"vid": "v", "caid": "", "vaid": "x"}
            ]})))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(message.contains("batch.0.caid"), "{message}");
    let (status, message) = failure(
        f.hits
            .send_hit()
            .body(hit(
                json!({"t": "PAGEVIEW", "cid": f.env, "vid": "v", "dl": "/cart"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(message.contains("absolute URL"), "{message}");
    assert_eq!(
        f.sandbox.flagship().activations().len(),
        3,
        "refused activations are not recorded"
    );
    assert_eq!(
        f.sandbox.flagship().hits().len(),
        1,
        "refused hits are not recorded"
    );

    f.conformance.assert_conforms();
    f.conformance.assert_every_operation_succeeded();
}

#[tokio::test]
async fn targeting_decides_who_is_in_each_campaign() {
    let f = start().await;
    let toggle = campaign_of(&f.sandbox, "toggle")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let perso = campaign_of(&f.sandbox, "perso")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let beta = campaign_of(&f.sandbox, "flag")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ab = campaign_of(&f.sandbox, "ab")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Everyone is in the A/B test; without a context, no one is in the toggle or the personalisation.
    let plain = f.campaign_ids("v-1", json!({})).await;
    assert!(plain.contains(&ab));
    assert!(!plain.contains(&toggle) && !plain.contains(&perso) && !plain.contains(&beta));

    // The toggle's two targeting groups are OR-ed; text compares case-insensitively.
    assert!(
        f.campaign_ids("v-1", json!({"plan": "PRO"}))
            .await
            .contains(&toggle)
    );
    assert!(
        f.campaign_ids("v-1", json!({"isVIP": true}))
            .await
            .contains(&toggle)
    );
    assert!(
        !f.campaign_ids("v-1", json!({"isVIP": false}))
            .await
            .contains(&toggle)
    );
    assert!(
        !f.campaign_ids("v-1", json!({"plan": "free"}))
            .await
            .contains(&toggle)
    );
    // Types are compared natively: the text "true" is not the boolean.
    assert!(
        !f.campaign_ids("v-1", json!({"isVIP": "true"}))
            .await
            .contains(&toggle)
    );

    // The personalisation ANDs three conditions; `country` is any of a list.
    let adult = json!({"age": 31, "country": "it", "email": "ada@EXAMPLE.com"});
    let decision = f.decide("v-1", adult).await;
    let discount = decision.campaigns.iter().find(|c| c.id == perso).unwrap();
    assert_eq!(
        discount.variation.modifications.as_ref().unwrap().value["discount"],
        json!({"percent": 10, "code": "SUD10"})
    );
    for missing_one in [
        json!({"age": 17, "country": "IT", "email": "ada@example.com"}),
        json!({"age": 31, "country": "DE", "email": "ada@example.com"}),
        json!({"age": 31, "country": "IT", "email": "ada@example.org"}),
        json!({"country": "IT", "email": "ada@example.com"}),
    ] {
        let ids = f.campaign_ids("v-1", missing_one.clone()).await;
        assert!(!ids.contains(&perso), "{missing_one}");
    }

    // `fs_users` compares the visitor id.
    assert!(f.campaign_ids("beta-42", json!({})).await.contains(&beta));
    assert!(f.campaign_ids("BETA-7", json!({})).await.contains(&beta));

    f.conformance.assert_conforms();
}

#[tokio::test]
async fn decisions_agree_with_the_allocation_function() {
    let f = start().await;
    let ab = campaign_of(&f.sandbox, "ab");
    let rollout = campaign_of(&f.sandbox, "deployment");
    let range = rollout["bucketRanges"][0]["r"].as_array().unwrap();
    let (from, to) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
    let mut seen_variations = std::collections::BTreeSet::new();
    let (mut inside, mut outside) = (0, 0);
    for i in 0..60 {
        let visitor = format!("alloc-{i}");
        let decision = f.decide(&visitor, json!({})).await;
        let ab_variation = decision
            .campaigns
            .iter()
            .find(|c| c.id == ab["id"].as_str().unwrap())
            .map(|c| c.variation.id.clone());
        assert_eq!(ab_variation, expected_variation(&ab, &visitor), "{visitor}");
        seen_variations.extend(ab_variation);

        // The rollout: `murmur3("" + visitorId) % 100` in `[from, to)`.
        let bucket = f64::from(allocation_bucket("", &visitor));
        let in_rollout = decision
            .campaigns
            .iter()
            .any(|c| c.id == rollout["id"].as_str().unwrap());
        assert_eq!(in_rollout, from <= bucket && bucket < to, "{visitor}");
        if in_rollout {
            inside += 1;
        } else {
            outside += 1;
        }
    }
    assert_eq!(
        seen_variations.len(),
        3,
        "60 visitors see all three variations"
    );
    assert!(inside > 0 && outside > 0, "the rollout splits visitors");

    // A decision group replaces the visitor id in the hash: every member gets the group's variation.
    let group = "household-7";
    for visitor in ["member-1", "member-2", "member-3"] {
        let decision = f
            .decision
            .get_campaigns()
            .env_id(&f.env)
            .body_map(|b| b.visitor_id(visitor).decision_group(group.to_owned()))
            .send()
            .await
            .unwrap()
            .into_inner();
        let variation = decision
            .campaigns
            .iter()
            .find(|c| c.id == ab["id"].as_str().unwrap())
            .map(|c| c.variation.id.clone());
        assert_eq!(variation, expected_variation(&ab, group), "{visitor}");
    }

    f.conformance.assert_conforms();
}

#[tokio::test]
async fn the_decision_api_reproduces_the_sdk_vectors() {
    let f = start().await;
    let variations = |prefix: &str, key: &str, shares: &[f64]| -> Value {
        let mut list = vec![json!({
            "id": format!("{prefix}ref"), "reference": true,
            "modifications": {"type": "JSON", "value": {key: null}}
        })];
        for (i, share) in shares.iter().enumerate() {
            list.push(json!({
                "id": format!("{prefix}{}", i + 1), "allocation": share,
                "modifications": {"type": "JSON", "value": {key: i + 1}}
            }));
        }
        Value::Array(list)
    };
    let everyone = json!({"targetingGroups": [{"targetings": [
        {"operator": "EQUALS", "key": "fs_all_users", "value": ""}
    ]}]});
    let file = json!({"panic": false, "campaigns": [
        {"id": "campaign25", "type": "ab", "variationGroups": [{
            "id": VG_25, "targeting": everyone,
            "variations": variations("quarter-", "variation", &[25.0, 25.0, 25.0, 25.0])
        }]},
        {"id": "campaign50", "type": "ab", "variationGroups": [{
            "id": VG_50, "targeting": everyone,
            "variations": variations("half-", "variation50", &[50.0, 50.0])
        }]}
    ]});
    f.sandbox.flagship().set_bucketing_file(file).unwrap();
    assert!(
        f.sandbox
            .flagship()
            .set_bucketing_file(json!({"campaigns": [{"name": "no id"}]}))
            .is_err()
    );

    for &(visitor, _, expected_25, _, expected_50) in VECTORS {
        let decision = f.decide(visitor, json!({})).await;
        let merged = &decision.merged_modifications;
        assert_eq!(merged["variation"], json!(expected_25), "{visitor}");
        assert_eq!(merged["variation50"], json!(expected_50), "{visitor}");
    }
    f.conformance.assert_conforms();
}

#[tokio::test]
async fn decisions_record_contexts_and_trigger_activations() {
    let f = start().await;
    let ab = campaign_of(&f.sandbox, "ab");

    // `sendContextEvent` (true when absent) records the context; false does not; an empty one is skipped.
    f.decide("ctx-1", json!({"plan": "pro"})).await;
    f.decision
        .get_campaigns()
        .env_id(&f.env)
        .send_context_event(false)
        .body_map(|b| {
            b.visitor_id("ctx-2")
                .context(context(json!({"plan": "free"})))
        })
        .send()
        .await
        .unwrap();
    f.decide("ctx-3", json!({})).await;
    assert_eq!(
        f.sandbox.flagship().context_events(),
        vec![json!({"visitorId": "ctx-1", "type": "CONTEXT", "data": {"plan": "pro"}})]
    );
    assert!(f.sandbox.flagship().activations().is_empty());

    // `trigger_hit` activates every decided variation, with the anonymous id as `aid`.
    let decision = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .body_map(|b| {
            b.visitor_id("trigger-1")
                .anonymous_id("anon-1".to_owned())
                .trigger_hit(true)
                .context(context(json!({"isVIP": true})))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let activations = f.sandbox.flagship().activations();
    assert_eq!(activations.len(), decision.campaigns.len());
    assert!(decision.campaigns.len() >= 2, "the A/B test and the toggle");
    for (activation, campaign) in activations.iter().zip(&decision.campaigns) {
        assert_eq!(
            activation,
            &json!({
                "cid": f.env, "vid": "trigger-1", "aid": "anon-1",
                "caid": campaign.variation_group_id, "vaid": campaign.variation.id
            })
        );
    }
    assert_eq!(
        activations[0]["caid"], ab["variationGroups"][0]["id"],
        "campaigns come in file order"
    );

    f.sandbox.flagship().clear_records();
    assert!(f.sandbox.flagship().activations().is_empty());
    assert!(f.sandbox.flagship().context_events().is_empty());
    f.conformance.assert_conforms();
}

#[tokio::test]
async fn panic_mode_empties_decisions_and_marks_the_bucketing_file() {
    let f = start().await;
    let ab_id = campaign_of(&f.sandbox, "ab")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.sandbox.flagship().set_panic(true);
    assert!(f.sandbox.flagship().panic());

    let decision = f
        .decision
        .get_campaigns()
        .env_id(&f.env)
        .body_map(|b| b.visitor_id("v-1").context(context(json!({"plan": "pro"}))))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decision.panic, Some(true));
    assert!(decision.campaigns.is_empty());
    assert_eq!(decision.visitor_id.as_deref(), Some("v-1"));
    assert!(
        f.sandbox.flagship().context_events().is_empty(),
        "nothing runs in panic mode"
    );
    let flags = f
        .decision
        .get_flags()
        .env_id(&f.env)
        .body_map(|b| b.visitor_id("v-1"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(flags.is_empty());
    let one = f
        .decision
        .get_campaign()
        .env_id(&f.env)
        .campaign_id(&ab_id)
        .body_map(|b| b.visitor_id("v-1"))
        .send()
        .await;
    assert_eq!(failure(one).0, 404);
    let file = f
        .cdn
        .get_bucketing_file()
        .env_id(&f.env)
        .send()
        .await
        .unwrap();
    assert_eq!(file.into_inner().panic, Some(true));

    f.sandbox.flagship().set_panic(false);
    let decision = f.decide("v-1", json!({})).await;
    assert_eq!(decision.panic, None);
    assert!(decision.campaigns.iter().any(|c| c.id == ab_id));
    f.conformance.assert_conforms();
}

#[tokio::test]
async fn the_bucketing_file_is_conditional_on_if_modified_since() {
    let f = start().await;
    // A 304 is not in the spec (the conformance checker would count it as a failure), so the conditional
    // requests go through a plain client; the generated code reports the 304 as an unexpected response.
    let plain = Client::new(
        &f.sandbox.urls().flagship_cdn,
        Inner::new(Auth::api_key("x-api-key", f.key.clone())),
    );
    let first = plain
        .get_bucketing_file()
        .env_id(&f.env)
        .send()
        .await
        .unwrap();
    let last_modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        last_modified,
        f.sandbox
            .flagship()
            .last_modified()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string()
    );

    let not_modified = plain
        .get_bucketing_file()
        .env_id(&f.env)
        .if_modified_since(last_modified.clone())
        .send()
        .await;
    match not_modified {
        Err(Error::UnexpectedResponse(response)) => {
            assert_eq!(response.status(), 304);
            assert_eq!(response.headers()["last-modified"], last_modified.as_str());
            assert!(response.bytes().await.unwrap().is_empty());
        }
        other => panic!("expected a 304, got {other:?}"),
    }

    // An older date, or a date that does not parse, gets the file.
    let older = plain
        .get_bucketing_file()
        .env_id(&f.env)
        .if_modified_since("Mon, 01 Jan 2001 00:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(older.status(), 200);
    let unreadable = plain
        .get_bucketing_file()
        .env_id(&f.env)
        .if_modified_since("yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(unreadable.status(), 200);

    // A change of the panic switch moves Last-Modified forward: the old copy is stale.
    f.sandbox.flagship().set_panic(true);
    let changed = plain
        .get_bucketing_file()
        .env_id(&f.env)
        .if_modified_since(last_modified.clone())
        .send()
        .await
        .unwrap();
    assert_ne!(changed.headers()["last-modified"], last_modified.as_str());
    assert_eq!(changed.into_inner().panic, Some(true));

    let unauthorised = plain_without_key(&f)
        .get_bucketing_file()
        .env_id(&f.env)
        .send()
        .await;
    assert_eq!(failure(unauthorised).0, 401);
}

fn plain_without_key(f: &Flagship) -> Client {
    Client::new(&f.sandbox.urls().flagship_cdn, Inner::new(Auth::None))
}

#[tokio::test]
async fn the_collector_checks_each_hit_type_and_flattens_batches() {
    let f = start().await;
    let env = f.env.as_str();
    let valid = [
        json!({"t": "PAGEVIEW", "dl": "https://shop.example/", "pt": "Home"}),
        json!({"t": "SCREENVIEW", "dl": "home screen"}),
        json!({"t": "EVENT", "ec": "Action Tracking", "ea": "click", "el": "cta", "ev": 3.0}),
        json!({"t": "TRANSACTION", "tid": "T-1", "ta": "web", "tr": 42.5, "tc": "EUR"}),
        json!({"t": "ITEM", "tid": "T-1", "in": "Shoe", "ic": "SKU-1", "ip": 42.5, "iq": 1}),
        json!({"t": "SEGMENT", "s": {"plan": "pro"}}),
        json!({"t": "CAMPAIGN", "caid": "group", "vaid": "variation"}),
        json!({"t": "ACTIVATE", "caid": "group", "vaid": "variation"}),
    ];
    for (i, body) in valid.iter().enumerate() {
        let mut body = body.clone();
        body["cid"] = json!(env);
        body["vid"] = json!(format!("hit-{i}"));
        f.hits
            .send_hit()
            .body(hit(body.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(f.sandbox.flagship().hits().last(), Some(&body));
    }
    f.hits
        .send_hit()
        .body(hit(json!({"t": "TROUBLESHOOTING", "cid": env})))
        .send()
        .await
        .unwrap();

    let invalid = [
        (json!({"t": "PAGEVIEW"}), "`dl`"),
        (
            json!({"t": "PAGEVIEW", "dl": "shop.example/cart"}),
            "absolute URL",
        ),
        (json!({"t": "SCREENVIEW"}), "`dl`"),
        (json!({"t": "EVENT", "ec": "Action Tracking"}), "`ea`"),
        (json!({"t": "TRANSACTION", "tid": "T-1"}), "`ta`"),
        (json!({"t": "TRANSACTION", "ta": "web"}), "`tid`"),
        (json!({"t": "ITEM", "tid": "T-1", "in": "Shoe"}), "`ic`"),
        (json!({"t": "ITEM", "tid": "T-1", "ic": "SKU-1"}), "`in`"),
        (json!({"t": "CAMPAIGN", "caid": "group"}), "`vaid`"),
    ];
    for (body, named) in invalid {
        let mut body = body;
        body["cid"] = json!(env);
        body["vid"] = json!("bad");
        let (status, message) = failure(f.hits.send_hit().body(hit(body.clone())).send().await);
        assert_eq!(status, 400, "{body}");
        assert!(message.contains(named), "{body}: {message}");
    }
    let (status, message) = failure(
        f.hits
            .send_hit()
            .body(hit(json!({"t": "EVENT", "ea": "click"})))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert!(message.contains("`cid`"), "{message}");
    assert_eq!(f.sandbox.flagship().hits().len(), valid.len() + 1);

    // A batch: its items inherit the common keys and are recorded one by one.
    f.sandbox.flagship().clear_records();
    let batch = json!({"t": "BATCH", "cid": env, "vid": "batcher", "ds": "APP", "qt": 40, "h": [
        {"t": "SCREENVIEW", "dl": "cart"},
        {"t": "EVENT", "ea": "checkout", "qt": 5},
        {"t": "ITEM", "tid": "T-9", "in": "Hat", "ic": "SKU-9", "vid": "someone-else"}
    ]});
    f.hits.send_hit().body(hit(batch)).send().await.unwrap();
    let hits = f.sandbox.flagship().hits();
    assert_eq!(hits.len(), 3);
    assert!(
        hits.iter()
            .all(|h| h["cid"] == env && h["ds"] == "APP" && h.get("h").is_none())
    );
    assert_eq!(hits[0]["vid"], "batcher");
    assert_eq!(hits[0]["qt"], 40);
    assert_eq!(hits[1]["qt"], 5);
    assert_eq!(hits[2]["vid"], "someone-else");
    assert_eq!(hits[2]["t"], "ITEM");

    // One bad item refuses the whole batch; so does an empty one.
    let bad_batch = json!({"t": "BATCH", "cid": env, "vid": "batcher", "h": [
        {"t": "SCREENVIEW", "dl": "cart"},
        {"t": "TRANSACTION", "tid": "T-2"}
    ]});
    let (status, message) = failure(f.hits.send_hit().body(hit(bad_batch)).send().await);
    assert_eq!(status, 400);
    assert!(message.starts_with("h[1]"), "{message}");
    let empty_batch = json!({"t": "BATCH", "cid": env, "vid": "batcher"});
    assert_eq!(
        failure(f.hits.send_hit().body(hit(empty_batch)).send().await).0,
        400
    );
    assert_eq!(f.sandbox.flagship().hits().len(), 3);
    f.conformance.assert_conforms();
}

#[tokio::test]
async fn requests_the_typed_client_cannot_send_are_refused_cleanly() {
    let f = start().await;
    let http = reqwest::Client::new();
    let decision = &f.sandbox.urls().flagship_decision;
    let hits = f.sandbox.urls().flagship_hits.clone();
    let post = |url: String, body: &'static str| {
        http.post(url)
            .header("x-api-key", f.key.as_str())
            .header("content-type", "application/json")
            .body(body)
    };
    let cases = [
        (format!("{decision}/v2/{}/campaigns", f.env), "{}", 400),
        (
            format!("{decision}/v2/{}/campaigns", f.env),
            "not json",
            400,
        ),
        (format!("{decision}/v2/{}/campaigns", f.env), "[1, 2]", 400),
        (
            format!("{decision}/v2/{}/campaigns", f.env),
            r#"{"visitorId": 7}"#,
            400,
        ),
        (
            format!("{decision}/v2/{}/campaigns", f.env),
            r#"{"visitorId": "v", "context": "pro"}"#,
            400,
        ),
        (
            format!("{decision}/v2/{}/campaigns?exposeAllKeys=maybe", f.env),
            r#"{"visitorId": "v"}"#,
            400,
        ),
        (
            format!("{decision}/v2/{}/events", f.env),
            r#"{"visitorId": "v", "type": "SEGMENT", "data": {}}"#,
            400,
        ),
        (
            format!("{decision}/v2/{}/events", f.env),
            r#"{"visitorId": "v", "type": "CONTEXT"}"#,
            400,
        ),
        (format!("{decision}/v2/activate"), "{}", 400),
        (format!("{decision}/v2/activate"), r#"{"cid": 1}"#, 400),
        (
            format!("{decision}/v2/activate"),
            r#"{"cid": "sandbox-env", "batch": "all of them"}"#,
            400,
        ),
        (
            format!("{decision}/v2/activate"),
            r#"{"cid": "sandbox-env", "batch": [1]}"#,
            400,
        ),
        (
            format!("{decision}/v2/activate"),
            r#"{"cid": "sandbox-env", "vid": "v", "caid": "g", "vaid": "x", "qt": "soon"}"#,
            400,
        ),
        (hits.clone(), r#"{"t": 5}"#, 400),
        (
            hits.clone(),
            r#"{"t": "LOGIN", "cid": "e", "vid": "v"}"#,
            400,
        ),
        (hits.clone(), "[]", 400),
        (
            hits.clone(),
            r#"{"t": "BATCH", "cid": "e", "vid": "v", "h": [1]}"#,
            400,
        ),
        (
            hits.clone(),
            r#"{"t": "BATCH", "cid": "e", "vid": "v", "h": [{"t": "BATCH", "h": []}]}"#,
            400,
        ),
        (
            hits.clone(),
            r#"{"t": "SEGMENT", "cid": "e", "vid": "v", "s": {"age": 31}}"#,
            400,
        ),
        (format!("{decision}/v2/nope"), "{}", 404),
    ];
    for (url, body, status) in cases {
        let response = post(url.clone(), body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{url} {body}");
        if status == 400 {
            let error: Value = response.json().await.unwrap();
            assert!(error["message"].is_string(), "{url} {body}: {error}");
        }
    }

    // The protojson spelling of the fields is read too.
    let response = post(
        format!("{decision}/v2/{}/campaigns", f.env),
        r#"{"visitor_id": "snake", "trigger_hit": true}"#,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["visitorId"], "snake");
    assert!(!f.sandbox.flagship().activations().is_empty());

    // A wrong method is Flagship's error too.
    let response = http
        .get(format!("{decision}/v2/{}/campaigns", f.env))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let error: Value = response.json().await.unwrap();
    assert!(error["message"].is_string());
}

#[tokio::test]
async fn the_collector_answers_without_a_trailing_slash_and_needs_no_key() {
    let f = start().await;
    let response = reqwest::Client::new()
        .post(&f.sandbox.urls().flagship_hits)
        .json(&json!({"t": "SCREENVIEW", "cid": f.env, "vid": "v", "dl": "home"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(f.sandbox.flagship().hits().len(), 1);
}

/// What the generated client sends: `POST <base>/`.
#[tokio::test]
async fn the_collector_answers_with_a_trailing_slash() {
    let f = start().await;
    let direct = Client::new(&f.sandbox.urls().flagship_hits, Inner::new(Auth::None));
    direct
        .send_hit()
        .body(hit(
            json!({"t": "SCREENVIEW", "cid": f.env, "vid": "v", "dl": "home"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(f.sandbox.flagship().hits().len(), 1);
}
