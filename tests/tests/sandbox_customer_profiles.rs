//! The AWS Customer Profiles part of the sandbox, end to end over real HTTP with the generated client: every
//! operation succeeds and conforms to `specs/customer-profiles.yaml`, errors come with the real error
//! types, segment membership agrees with conditions written out here, and pages cover every item once.

use std::collections::BTreeSet;
use std::fmt::Debug;

use cdp_sandbox::{Config, Sandbox};
use cdp_tests::conformance::Conformance;
use cdp_transport::{Auth, AwsCredentials, SigV4};
use customer_profiles_api::types::{DataFormat, LogicalOperator, SearchKey, SegmentGroup};
use customer_profiles_api::{AwsError, Client, Error, ResponseValue};
use serde_json::{Value, json};

/// A SigV4 header with the sandbox's key id and scope but a made-up signature, for the refusals.
const SIGNED: &str = "AWS4-HMAC-SHA256 Credential=AKIASANDBOX000000000/20261122/eu-west-1/profile/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

/// Real SigV4 signing with the sandbox's key id and the given secret.
fn signed(sandbox: &Sandbox, secret: &str) -> Auth {
    let c = sandbox.credentials();
    Auth::sigv4(SigV4::new(
        AwsCredentials::new(&c.aws_access_key_id, secret),
        &c.aws_region,
        "profile",
    ))
}

/// Sends a request the generated client cannot build, signed with the sandbox's credentials.
async fn send_signed(sandbox: &Sandbox, request: reqwest::RequestBuilder) -> reqwest::Response {
    let c = sandbox.credentials();
    let signer = SigV4::new(
        AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
        &c.aws_region,
        "profile",
    );
    let mut request = request.build().unwrap();
    signer
        .sign(&mut request, std::time::SystemTime::now())
        .unwrap();
    reqwest::Client::new().execute(request).await.unwrap()
}

const EU: [&str; 6] = ["IT", "FR", "DE", "ES", "IE", "NL"];

struct Env {
    sandbox: Sandbox,
    conformance: Conformance,
    client: Client,
    domain: String,
}

impl Env {
    async fn start(profiles: usize) -> Self {
        let config = Config {
            aws_profiles: profiles,
            ..Config::default()
        };
        let sandbox = Sandbox::start_with(config).await.unwrap();
        let conformance = Conformance::new("customer-profiles");
        let client = Client::new(
            &sandbox.urls().customer_profiles,
            conformance.inner(signed(
                &sandbox,
                &sandbox.credentials().aws_secret_access_key,
            )),
        );
        let domain = sandbox.credentials().aws_domain.clone();
        Self {
            sandbox,
            conformance,
            client,
            domain,
        }
    }

    /// A client of the same sandbox and checker, with other credentials.
    fn client_with(&self, auth: Auth) -> Client {
        Client::new(
            &self.sandbox.urls().customer_profiles,
            self.conformance.inner(auth),
        )
    }

    /// The ids of the profiles in `segment`, asked 100 at a time over the API.
    async fn present(&self, segment: &str) -> BTreeSet<String> {
        let ids = self.sandbox.customer_profiles().profile_ids();
        let mut present = BTreeSet::new();
        for chunk in ids.chunks(100) {
            let answer = self
                .client
                .get_segment_membership()
                .domain_name(&self.domain)
                .segment_definition_name(segment)
                .body_map(|b| b.profile_ids(chunk.to_vec()))
                .send()
                .await
                .unwrap()
                .into_inner();
            assert_eq!(answer.profiles.len(), chunk.len());
            assert!(answer.failures.is_empty());
            present.extend(
                answer
                    .profiles
                    .into_iter()
                    .filter(|p| p.query_result.as_str() == "PRESENT")
                    .map(|p| p.profile_id),
            );
        }
        present
    }

    /// The ids of the profiles for which `keep` holds, reading the profiles the sandbox stores.
    fn expected(&self, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
        let state = self.sandbox.customer_profiles();
        state
            .profile_ids()
            .into_iter()
            .filter(|id| keep(&state.profile(id).unwrap()))
            .collect()
    }

    async fn define(&self, name: &str, groups: Value) {
        let groups: SegmentGroup = serde_json::from_value(groups).unwrap();
        self.client
            .create_segment_definition()
            .domain_name(&self.domain)
            .segment_definition_name(name)
            .body_map(|b| b.display_name(name).segment_groups(groups))
            .send()
            .await
            .unwrap();
    }
}

/// The status, `X-Amzn-ErrorType` and `Message` of an error answer; panics on anything else.
fn failure<T: Debug>(result: Result<ResponseValue<T>, Error<AwsError>>) -> (u16, String, String) {
    match result {
        Err(Error::ErrorResponse(answer)) => {
            let kind = answer
                .headers()
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let status = answer.status().as_u16();
            (
                status,
                kind,
                answer.into_inner().message.unwrap_or_default(),
            )
        }
        other => panic!("expected an error answer, got {other:?}"),
    }
}

/// Asserts two sets of ids are equal, showing only where they differ.
#[track_caller]
fn assert_same(got: &BTreeSet<String>, want: &BTreeSet<String>, what: &str) {
    let extra: Vec<_> = got.difference(want).collect();
    let missing: Vec<_> = want.difference(got).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{what}: {} unexpected {extra:?}, {} missing {missing:?}",
        extra.len(),
        missing.len()
    );
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{i:032x}")).collect()
}

fn text<'a>(profile: &'a Value, pointer: &str) -> &'a str {
    profile
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn number(profile: &Value, attribute: &str) -> f64 {
    text(profile, &format!("/Attributes/{attribute}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn every_operation_succeeds_and_conforms_to_the_spec() {
    let env = Env::start(150).await;
    let (client, domain) = (&env.client, env.domain.as_str());
    let state = env.sandbox.customer_profiles();
    let all = state.profile_ids();
    assert_eq!(state.profile_count(), 150);

    // Seeded definitions work out of the box.
    let vip = state.segment_members("vip").unwrap();
    assert!(!vip.is_empty() && vip.len() < all.len(), "{}", vip.len());
    let listed = client
        .list_segment_definitions()
        .domain_name(domain)
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = listed
        .items
        .iter()
        .filter_map(|i| i.segment_definition_name.clone())
        .collect();
    assert_eq!(names, ["eu-customers", "eu-vip", "vip"]);
    assert!(listed.next_token.is_none());

    // Create, get, list, membership, estimate, snapshot, delete.
    let groups: SegmentGroup = serde_json::from_value(json!({
        "Include": "ALL",
        "Groups": [{"Type": "ALL", "Dimensions": [
            {"ProfileAttributes": {"Attributes": {"tier": {"DimensionType": "INCLUSIVE", "Values": ["silver"]}}}}
        ]}]
    }))
    .unwrap();
    let created = client
        .create_segment_definition()
        .domain_name(domain)
        .segment_definition_name("silver")
        .body_map(|b| {
            b.display_name("Silver tier")
                .description("Everyone on the silver tier.".to_owned())
                .segment_groups(groups.clone())
                .tags(
                    serde_json::from_value::<customer_profiles_api::types::Tags>(
                        json!({"team": "crm"}),
                    )
                    .unwrap(),
                )
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.segment_definition_name, "silver");
    assert_eq!(created.display_name.as_deref(), Some("Silver tier"));
    assert_eq!(
        created.segment_definition_arn.as_deref(),
        Some(
            "arn:aws:profile:eu-west-1:123456789012:domains/sandbox-domain/segment-definitions/silver"
        )
    );
    assert!(created.created_at.unwrap() > 1.7e9);

    let got = client
        .get_segment_definition()
        .domain_name(domain)
        .segment_definition_name("silver")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.segment_type.as_ref().unwrap().as_str(), "CLASSIC");
    assert_eq!(got.segment_groups.as_ref(), Some(&groups));
    assert_eq!(
        got.description.as_deref(),
        Some("Everyone on the silver tier.")
    );
    assert_eq!(
        state.segment_definition("silver").unwrap()["SegmentDefinitionArn"],
        created.segment_definition_arn.clone().unwrap()
    );

    let silver: BTreeSet<String> = state
        .segment_members("silver")
        .unwrap()
        .into_iter()
        .collect();
    let expected = env.expected(|p| text(p, "/Attributes/tier") == "silver");
    assert_same(&silver, &expected, "silver");
    let mut asked = all[..3].to_vec();
    asked.push("ffffffffffffffffffffffffffffffff".into());
    let membership = client
        .get_segment_membership()
        .domain_name(domain)
        .segment_definition_name("silver")
        .body_map(|b| b.profile_ids(asked.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        membership.segment_definition_name.as_deref(),
        Some("silver")
    );
    assert!(membership.last_computed_at.unwrap() > 1.7e9);
    for (answer, id) in membership.profiles.iter().zip(&asked) {
        assert_eq!(&answer.profile_id, id);
        let want = if silver.contains(id) {
            "PRESENT"
        } else {
            "ABSENT"
        };
        assert_eq!(answer.query_result.as_str(), want);
    }
    assert_eq!(membership.profiles.len(), 3);
    assert_eq!(membership.failures.len(), 1);
    assert_eq!(membership.failures[0].profile_id, asked[3]);
    assert_eq!(membership.failures[0].message, "Profile not found");
    assert_eq!(membership.failures[0].status, Some(404));

    let estimate = client
        .create_segment_estimate()
        .domain_name(domain)
        .body_map(|b| b.segment_query(groups.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(estimate.domain_name.as_deref(), Some(domain));
    let estimate_id = estimate.estimate_id.unwrap();
    let estimated = client
        .get_segment_estimate()
        .domain_name(domain)
        .estimate_id(&estimate_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(estimated.status.unwrap().as_str(), "SUCCEEDED");
    assert_eq!(
        estimated.estimate.as_deref(),
        Some(format!("{} profiles", silver.len()).as_str())
    );
    assert_eq!(estimated.estimate_id.as_deref(), Some(estimate_id.as_str()));

    let snapshot = client
        .create_segment_snapshot()
        .domain_name(domain)
        .segment_definition_name("silver")
        .body_map(|b| {
            b.data_format(DataFormat::Jsonl)
                .destination_uri("s3://exports/silver/".to_owned())
                .role_arn("arn:aws:iam::123456789012:role/export".to_owned())
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(snapshot.snapshot_id.len(), 32);
    let taken = client
        .get_segment_snapshot()
        .domain_name(domain)
        .segment_definition_name("silver")
        .snapshot_id(&snapshot.snapshot_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(taken.snapshot_id, snapshot.snapshot_id);
    assert_eq!(taken.status.as_str(), "COMPLETED");
    assert_eq!(taken.data_format.as_str(), "JSONL");
    assert_eq!(
        taken.destination_uri.as_deref(),
        Some("s3://exports/silver/")
    );
    assert_eq!(
        taken.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/export")
    );
    assert!(taken.encryption_key.is_none());

    let first = state.profile(&all[0]).unwrap();
    let email = text(&first, "/EmailAddress").to_owned();
    let found = client
        .search_profiles()
        .domain_name(domain)
        .body_map(|b| b.key_name("_email").values(vec![email.clone()]))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].profile_id.as_deref(), Some(all[0].as_str()));
    assert_eq!(serde_json::to_value(&found.items[0]).unwrap(), first);

    let batch = client
        .batch_get_profile()
        .domain_name(domain)
        .body_map(|b| {
            b.profile_ids(vec![
                all[1].clone(),
                "0123456789abcdef0123456789abcdef".into(),
            ])
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(batch.profiles.len(), 1);
    assert_eq!(
        batch.profiles[0].profile_id.as_deref(),
        Some(all[1].as_str())
    );
    assert_eq!(batch.errors.len(), 1);
    assert_eq!(batch.errors[0].code, "ResourceNotFoundException");
    assert_eq!(
        batch.errors[0].profile_id,
        "0123456789abcdef0123456789abcdef"
    );

    let deleted = client
        .delete_segment_definition()
        .domain_name(domain)
        .segment_definition_name("silver")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(deleted.message.unwrap().contains("silver"));
    assert!(state.segment_definition("silver").is_none());
    let (status, kind, _) = failure(
        client
            .get_segment_definition()
            .domain_name(domain)
            .segment_definition_name("silver")
            .send()
            .await,
    );
    assert_eq!((status, kind.as_str()), (404, "ResourceNotFoundException"));

    profile_writes_and_objects(&env).await;

    env.conformance.assert_conforms();
    env.conformance.assert_every_operation_succeeded();
}

/// Create, update and delete a profile, and put and list its objects, checking the stored state.
async fn profile_writes_and_objects(env: &Env) {
    let (client, domain) = (&env.client, env.domain.as_str());
    let state = env.sandbox.customer_profiles();
    let before = state.profile_count();

    let created = client
        .create_profile()
        .domain_name(domain)
        .body(
            serde_json::from_value::<customer_profiles_api::types::CreateProfileRequest>(json!({
                "FirstName": "Ada", "LastName": "Lovelace", "EmailAddress": "ada@example.com",
                "Gender": "FEMALE", "Address": {"Address1": "12 St James's Square", "City": "London"},
                "Attributes": {"tier": "gold"}
            }))
            .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = created.profile_id;
    assert_eq!(state.profile_count(), before + 1);
    let stored = state.profile(&id).unwrap();
    assert_eq!(stored["Gender"], "FEMALE");
    assert_eq!(stored["Address"]["City"], "London");

    let updated = client
        .update_profile()
        .domain_name(domain)
        .body(
            serde_json::from_value::<customer_profiles_api::types::UpdateProfileRequest>(json!({
                "ProfileId": id, "FirstName": "Augusta Ada", "LastName": "",
                "Address": {"City": "Marylebone"}, "Attributes": {"tier": "", "newsletter": "true"}
            }))
            .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.profile_id, id);
    let stored = state.profile(&id).unwrap();
    assert_eq!(stored["FirstName"], "Augusta Ada");
    assert!(stored.get("LastName").is_none(), "an empty string clears");
    assert_eq!(stored["Address"]["Address1"], "12 St James's Square");
    assert_eq!(stored["Address"]["City"], "Marylebone");
    assert_eq!(stored["Attributes"], json!({"newsletter": "true"}));

    let put = |object: Value| {
        client
            .put_profile_object()
            .domain_name(domain)
            .body_map(move |b| b.object_type_name("Order").object(object.to_string()))
            .send()
    };
    let first = put(json!({"ProfileId": id, "Id": "o-1", "Total": 12}))
        .await
        .unwrap()
        .into_inner()
        .profile_object_unique_key
        .unwrap();
    let again = put(json!({"EmailAddress": "ada@example.com", "Id": "o-1", "Total": 15}))
        .await
        .unwrap()
        .into_inner()
        .profile_object_unique_key
        .unwrap();
    assert_eq!(
        again, first,
        "the same type, profile and Id replace the object"
    );
    put(json!({"ProfileId": id, "Id": "o-2", "Total": 30}))
        .await
        .unwrap();

    let list = |filter: Option<Value>, token: Option<String>| {
        let mut request = json!({"ObjectTypeName": "Order", "ProfileId": id});
        if let Some(filter) = filter {
            request["ObjectFilter"] = filter;
        }
        let mut call = client
            .list_profile_objects()
            .domain_name(domain)
            .max_results(1)
            .body(
                serde_json::from_value::<customer_profiles_api::types::ListProfileObjectsRequest>(
                    request,
                )
                .unwrap(),
            );
        if let Some(token) = token {
            call = call.next_token(token);
        }
        call.send()
    };
    let page = list(None, None).await.unwrap().into_inner();
    assert_eq!(page.items.len(), 1);
    let rest = list(None, page.next_token.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next_token.is_none());
    let totals: BTreeSet<i64> = page
        .items
        .iter()
        .chain(&rest.items)
        .map(|item| {
            let object: Value = serde_json::from_str(item.object.as_deref().unwrap()).unwrap();
            object["Total"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(totals, BTreeSet::from([15, 30]));
    let filtered = list(Some(json!({"KeyName": "Id", "Values": ["o-2"]})), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(filtered.items.len(), 1);
    assert_ne!(
        filtered.items[0].profile_object_unique_key.as_deref(),
        Some(first.as_str())
    );

    // An object that names no known profile makes one.
    put(json!({"EmailAddress": "grace@example.com", "Id": "o-9"}))
        .await
        .unwrap();
    assert_eq!(state.profile_count(), before + 2);

    let (status, kind, _) = failure(
        client
            .create_profile()
            .domain_name(domain)
            .body_map(|b| b.first_name("x".repeat(256)))
            .send()
            .await,
    );
    assert_eq!((status, kind.as_str()), (400, "BadRequestException"));
    let (status, _, _) = failure(
        client
            .update_profile()
            .domain_name(domain)
            .body_map(|b| b.profile_id("0123456789abcdef0123456789abcdef"))
            .send()
            .await,
    );
    assert_eq!(status, 404);

    let deleted = client
        .delete_profile()
        .domain_name(domain)
        .body_map(|b| b.profile_id(id.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(deleted.message.is_some());
    assert!(state.profile(&id).is_none());
    let (status, _, _) = failure(list(None, None).await);
    assert_eq!(status, 404, "the profile and its objects are gone");
    let (status, _, _) = failure(
        client
            .delete_profile()
            .domain_name(domain)
            .body_map(|b| b.profile_id(id.clone()))
            .send()
            .await,
    );
    assert_eq!(status, 404);
}

#[tokio::test]
async fn requests_without_the_right_signature_are_refused_with_403() {
    let env = Env::start(20).await;
    let cases = [
        (Auth::None, "MissingAuthenticationTokenException"),
        (
            Auth::api_key(
                "authorization",
                SIGNED.replace("AKIASANDBOX", "AKIAELSEWHERE"),
            ),
            "UnrecognizedClientException",
        ),
        (
            Auth::api_key("authorization", SIGNED.replace("/profile/", "/s3/")),
            "InvalidSignatureException",
        ),
        (
            Auth::api_key("authorization", SIGNED.replace("eu-west-1", "us-east-1")),
            "InvalidSignatureException",
        ),
        (
            Auth::api_key("authorization", "AWS4-HMAC-SHA256 Signature=00"),
            "IncompleteSignatureException",
        ),
        (
            // Well formed, right key and scope, but no X-Amz-Date and a signature that is not one.
            Auth::api_key("authorization", SIGNED),
            "IncompleteSignatureException",
        ),
        (
            // Signed for real, with the wrong secret.
            signed(&env.sandbox, "not-the-secret-access-key"),
            "InvalidSignatureException",
        ),
    ];
    for (auth, expected) in cases {
        let client = env.client_with(auth);
        let (status, kind, message) = failure(
            client
                .list_segment_definitions()
                .domain_name(&env.domain)
                .send()
                .await,
        );
        assert_eq!((status, kind.as_str()), (403, expected), "{message}");
        assert!(!message.is_empty());
        // Refused before anything is looked at: an unknown domain is still a 403.
        let (status, ..) = failure(
            client
                .create_segment_definition()
                .domain_name("nowhere")
                .segment_definition_name("x")
                .body_map(|b| b.display_name("x").segment_sql_query("SELECT 1".to_owned()))
                .send()
                .await,
        );
        assert_eq!(status, 403);
    }
    let state = env.sandbox.customer_profiles();
    assert!(state.segment_definition("x").is_none());
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn unknown_domains_segments_estimates_and_snapshots_are_404() {
    let env = Env::start(20).await;
    let (client, domain) = (&env.client, env.domain.as_str());
    let id = env.sandbox.customer_profiles().profile_ids().remove(0);
    let not_found = |(status, kind, _): (u16, String, String)| {
        assert_eq!((status, kind.as_str()), (404, "ResourceNotFoundException"));
    };

    not_found(failure(
        client
            .list_segment_definitions()
            .domain_name("other")
            .send()
            .await,
    ));
    not_found(failure(
        client
            .get_segment_membership()
            .domain_name("other")
            .segment_definition_name("vip")
            .body_map(|b| b.profile_ids(vec![id.clone()]))
            .send()
            .await,
    ));
    not_found(failure(
        client
            .batch_get_profile()
            .domain_name("other")
            .body_map(|b| b.profile_ids(vec![id.clone()]))
            .send()
            .await,
    ));
    not_found(failure(
        client
            .search_profiles()
            .domain_name("other")
            .body_map(|b| b.key_name("_profileId").values(vec![id.clone()]))
            .send()
            .await,
    ));
    not_found(failure(
        client
            .get_segment_membership()
            .domain_name(domain)
            .segment_definition_name("nobody")
            .body_map(|b| b.profile_ids(vec![id.clone()]))
            .send()
            .await,
    ));
    not_found(failure(
        client
            .get_segment_definition()
            .domain_name(domain)
            .segment_definition_name("nobody")
            .send()
            .await,
    ));
    not_found(failure(
        client
            .delete_segment_definition()
            .domain_name(domain)
            .segment_definition_name("nobody")
            .send()
            .await,
    ));
    not_found(failure(
        client
            .get_segment_estimate()
            .domain_name(domain)
            .estimate_id("0123456789abcdef0123456789abcdef")
            .send()
            .await,
    ));
    not_found(failure(
        client
            .create_segment_snapshot()
            .domain_name(domain)
            .segment_definition_name("nobody")
            .body_map(|b| b.data_format(DataFormat::Csv))
            .send()
            .await,
    ));
    not_found(failure(
        client
            .get_segment_snapshot()
            .domain_name(domain)
            .segment_definition_name("vip")
            .snapshot_id("0123456789abcdef0123456789abcdef")
            .send()
            .await,
    ));
    // A route the service does not have.
    let http = reqwest::Client::new();
    let url = format!(
        "{}/domains/{domain}/no-such-thing",
        env.sandbox.urls().customer_profiles
    );
    let answer = send_signed(&env.sandbox, http.get(&url)).await;
    assert_eq!(answer.status(), 404);
    assert_eq!(
        answer.headers()["x-amzn-errortype"],
        "UnknownOperationException"
    );
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 403);
    // A snapshot is found only under its own segment.
    let snapshot = client
        .create_segment_snapshot()
        .domain_name(domain)
        .segment_definition_name("vip")
        .body_map(|b| b.data_format(DataFormat::Orc))
        .send()
        .await
        .unwrap()
        .into_inner();
    not_found(failure(
        client
            .get_segment_snapshot()
            .domain_name(domain)
            .segment_definition_name("eu-customers")
            .snapshot_id(&snapshot.snapshot_id)
            .send()
            .await,
    ));
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn limits_and_conflicts_are_400() {
    let env = Env::start(30).await;
    let (client, domain) = (&env.client, env.domain.as_str());
    let bad_request = |(status, kind, message): (u16, String, String)| {
        assert_eq!(
            (status, kind.as_str()),
            (400, "BadRequestException"),
            "{message}"
        );
        message
    };
    let membership = |ids: Vec<String>| {
        client
            .get_segment_membership()
            .domain_name(domain)
            .segment_definition_name("vip")
            .body_map(|b| b.profile_ids(ids))
            .send()
    };
    bad_request(failure(membership(Vec::new()).await));
    bad_request(failure(membership(ids(101)).await));
    assert_eq!(membership(ids(100)).await.unwrap().failures.len(), 100);
    bad_request(failure(membership(vec!["NOT-A-PROFILE-ID".into()]).await));

    let batch = |ids: Vec<String>| {
        client
            .batch_get_profile()
            .domain_name(domain)
            .body_map(|b| b.profile_ids(ids))
            .send()
    };
    bad_request(failure(batch(Vec::new()).await));
    bad_request(failure(batch(ids(21)).await));
    assert_eq!(batch(ids(20)).await.unwrap().errors.len(), 20);

    for max in [0, 501] {
        bad_request(failure(
            client
                .list_segment_definitions()
                .domain_name(domain)
                .max_results(max)
                .send()
                .await,
        ));
    }
    let search = |max: i32| {
        client
            .search_profiles()
            .domain_name(domain)
            .max_results(max)
            .body_map(|b| b.key_name("tier").values(vec!["gold".to_owned()]))
            .send()
    };
    bad_request(failure(search(0).await));
    bad_request(failure(search(101).await));
    search(100).await.unwrap();

    for token in ["not a token", "bm90LWEtdG9rZW4"] {
        bad_request(failure(
            client
                .list_segment_definitions()
                .domain_name(domain)
                .next_token(token)
                .send()
                .await,
        ));
    }
    // A list token is not a search token.
    let page = client
        .list_segment_definitions()
        .domain_name(domain)
        .max_results(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    let list_token = page.next_token.unwrap();
    bad_request(failure(
        client
            .search_profiles()
            .domain_name(domain)
            .next_token(list_token)
            .body_map(|b| b.key_name("tier").values(vec!["gold".to_owned()]))
            .send()
            .await,
    ));

    let message = bad_request(failure(
        client
            .create_segment_definition()
            .domain_name(domain)
            .segment_definition_name("vip")
            .body_map(|b| {
                b.display_name("again")
                    .segment_sql_query("SELECT 1".to_owned())
            })
            .send()
            .await,
    ));
    assert!(message.contains("already exists"), "{message}");

    let create = |name: &'static str, display: String, groups: Option<Value>, sql: Option<&str>| {
        let groups = groups.map(|g| serde_json::from_value::<SegmentGroup>(g).unwrap());
        client
            .create_segment_definition()
            .domain_name(domain)
            .segment_definition_name(name)
            .body_map(move |b| {
                b.display_name(display)
                    .segment_groups(groups)
                    .segment_sql_query(sql.map(str::to_owned))
            })
            .send()
    };
    let tiers = json!({"Groups": [{"Dimensions": [{"ProfileAttributes": {
        "Attributes": {"tier": {"DimensionType": "INCLUSIVE", "Values": ["gold"]}}}}]}]});
    bad_request(failure(
        create("empty-name", String::new(), Some(tiers.clone()), None).await,
    ));
    bad_request(failure(
        create("long-name", "x".repeat(256), Some(tiers.clone()), None).await,
    ));
    bad_request(failure(
        create("both", "Both".into(), Some(tiers.clone()), Some("SELECT 1")).await,
    ));
    bad_request(failure(
        create("neither", "Neither".into(), None, None).await,
    ));
    bad_request(failure(
        create("bad/name!", "Bad name".into(), Some(tiers.clone()), None).await,
    ));
    let unknown_source =
        json!({"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "missing"}]}]});
    bad_request(failure(
        create("orphan", "Orphan".into(), Some(unknown_source), None).await,
    ));
    let no_values = json!({"Groups": [{"Dimensions": [{"ProfileAttributes": {
        "FirstName": {"DimensionType": "INCLUSIVE", "Values": []}}}]}]});
    bad_request(failure(
        create("no-values", "No values".into(), Some(no_values), None).await,
    ));
    let bad_date = json!({"Groups": [{"Dimensions": [{"ProfileAttributes": {
        "BirthDate": {"DimensionType": "BETWEEN", "Values": ["1990-01-01"]}}}]}]});
    bad_request(failure(
        create("bad-date", "Bad date".into(), Some(bad_date), None).await,
    ));
    let not_a_number = json!({"Groups": [{"Dimensions": [{"ProfileAttributes": {
        "Attributes": {"lifetime_value": {"DimensionType": "GREATER_THAN", "Values": ["lots"]}}}}]}]});
    bad_request(failure(
        create("nan", "NaN".into(), Some(not_a_number), None).await,
    ));
    create("fine", "Fine".into(), Some(tiers), None)
        .await
        .unwrap();

    bad_request(failure(
        client
            .create_segment_snapshot()
            .domain_name(domain)
            .segment_definition_name("vip")
            .body_map(|b| b.data_format(DataFormat::Unknown("PARQUET".into())))
            .send()
            .await,
    ));
    bad_request(failure(
        client
            .create_segment_estimate()
            .domain_name(domain)
            .body_map(|b| b)
            .send()
            .await,
    ));
    let five: Vec<SearchKey> = (0..5)
        .map(|_| serde_json::from_value(json!({"KeyName": "tier", "Values": ["gold"]})).unwrap())
        .collect();
    bad_request(failure(
        client
            .search_profiles()
            .domain_name(domain)
            .body_map(|b| {
                b.key_name("tier")
                    .values(vec!["gold".to_owned()])
                    .additional_search_keys(five)
            })
            .send()
            .await,
    ));

    // What the generated client cannot send: bodies that are not JSON, or lack required members.
    let http = reqwest::Client::new();
    let url = format!(
        "{}/domains/{domain}/segments/vip/membership",
        env.sandbox.urls().customer_profiles
    );
    for body in ["not json", "", "{\"ProfileIds\": \"abc\"}", "[]"] {
        let answer = send_signed(&env.sandbox, http.post(&url).body(body)).await;
        assert_eq!(answer.status(), 400, "{body}");
        assert_eq!(answer.headers()["x-amzn-errortype"], "BadRequestException");
        let answer: Value = answer.json().await.unwrap();
        assert!(answer["Message"].is_string());
    }
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn membership_agrees_with_the_conditions_of_each_dimension_kind() {
    let env = Env::start(300).await;
    let vip = |p: &Value| {
        ["gold", "platinum"].contains(&text(p, "/Attributes/tier"))
            || number(p, "lifetime_value") > 5000.0
    };
    let eu = |p: &Value| EU.contains(&text(p, "/Address/Country"));
    let born = |p: &Value| text(p, "/BirthDate").to_owned();

    // The seeded definitions.
    assert_same(&env.present("vip").await, &env.expected(vip), "vip");
    assert_same(
        &env.present("eu-customers").await,
        &env.expected(eu),
        "eu-customers",
    );
    let both = env.expected(|p| vip(p) && eu(p));
    assert_same(&env.present("eu-vip").await, &both, "eu-vip");

    type Case = (&'static str, Value, Box<dyn Fn(&Value) -> bool>);
    let cases: Vec<Case> = vec![
        (
            "italians-born-before-1970",
            json!({"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [
                {"ProfileAttributes": {"BirthDate": {"DimensionType": "BEFORE", "Values": ["1970-01-01"]}}},
                {"ProfileAttributes": {"Address": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["it"]}}}}
            ]}]}),
            Box::new(move |p| {
                born(p).as_str() < "1970-01-01" && text(p, "/Address/Country") == "IT"
            }),
        ),
        (
            "lu-or-mail-ending-in-0",
            json!({"Groups": [{"Type": "ANY", "Dimensions": [
                {"ProfileAttributes": {"FirstName": {"DimensionType": "BEGINS_WITH", "Values": ["LU"]}}},
                {"ProfileAttributes": {"EmailAddress": {"DimensionType": "ENDS_WITH", "Values": ["0@example.com"]}}}
            ]}]}),
            Box::new(|p| {
                text(p, "/FirstName").starts_with("Lu")
                    || text(p, "/EmailAddress").ends_with("0@example.com")
            }),
        ),
        (
            "rich-music-fans",
            json!({"Groups": [{"Dimensions": [{"ProfileAttributes": {"Attributes": {
                "lifetime_value": {"DimensionType": "GREATER_THAN_OR_EQUAL", "Values": ["6000"]},
                "interests": {"DimensionType": "LIST_CONTAINS", "Values": ["music"]}
            }}}]}]}),
            Box::new(|p| {
                number(p, "lifetime_value") >= 6000.0
                    && text(p, "/Attributes/interests")
                        .split(',')
                        .any(|i| i == "music")
            }),
        ),
        (
            "neither-bronze-nor-eu",
            json!({"Include": "NONE", "Groups": [
                {"Dimensions": [{"ProfileAttributes": {"Attributes": {
                    "tier": {"DimensionType": "INCLUSIVE", "Values": ["bronze"]}}}}]},
                {"SourceSegments": [{"SegmentDefinitionName": "eu-customers"}]}
            ]}),
            Box::new(move |p| text(p, "/Attributes/tier") != "bronze" && !eu(p)),
        ),
        (
            "accounts-born-in-the-eighties",
            json!({"Groups": [{"Type": "ALL", "Dimensions": [
                {"ProfileAttributes": {"ProfileType": {"DimensionType": "INCLUSIVE", "Values": ["ACCOUNT_PROFILE"]}}},
                {"ProfileAttributes": {"BirthDate": {"DimensionType": "BETWEEN", "Values": ["1980-01-01", "1989-12-31"]}}}
            ]}]}),
            Box::new(move |p| {
                let b = born(p);
                text(p, "/ProfileType") == "ACCOUNT_PROFILE"
                    && ("1980-01-01"..="1989-12-31").contains(&b.as_str())
            }),
        ),
        (
            "young-or-old-outside-milan-and-rome",
            json!({"Groups": [{"Type": "ALL", "Dimensions": [
                {"ProfileAttributes": {"BirthDate": {"DimensionType": "NOT_BETWEEN", "Values": ["1960-01-01", "1990-12-31"]}}},
                {"ProfileAttributes": {"Address": {"City": {"DimensionType": "EXCLUSIVE", "Values": ["Milan", "rome"]}}}}
            ]}]}),
            Box::new(move |p| {
                let b = born(p);
                !("1960-01-01"..="1990-12-31").contains(&b.as_str())
                    && !["Milan", "Rome"].contains(&text(p, "/Address/City"))
            }),
        ),
        (
            "vip-or-eu-but-not-bronze",
            json!({"Groups": [{"Type": "ALL", "SourceType": "ANY",
                "SourceSegments": [{"SegmentDefinitionName": "vip"}, {"SegmentDefinitionName": "eu-customers"}],
                "Dimensions": [{"ProfileAttributes": {"Attributes": {
                    "tier": {"DimensionType": "EXCLUSIVE", "Values": ["bronze"]}}}}]
            }]}),
            Box::new(move |p| (vip(p) || eu(p)) && text(p, "/Attributes/tier") != "bronze"),
        ),
        (
            "few-points-or-individual-women",
            json!({"Include": "ANY", "Groups": [
                {"Dimensions": [{"ProfileAttributes": {"Attributes": {
                    "loyalty_points": {"DimensionType": "LESS_THAN", "Values": ["1000"]}}}}]},
                {"Dimensions": [
                    {"ProfileAttributes": {"GenderString": {"DimensionType": "INCLUSIVE", "Values": ["female"]}}},
                    {"ProfileAttributes": {"PartyTypeString": {"DimensionType": "CONTAINS", "Values": ["divid"]}}}
                ]}
            ]}),
            Box::new(|p| {
                number(p, "loyalty_points") < 1000.0
                    || (text(p, "/Gender") == "FEMALE" && text(p, "/PartyType") == "INDIVIDUAL")
            }),
        ),
    ];
    let total = env.sandbox.customer_profiles().profile_count();
    for (name, groups, keep) in cases {
        env.define(name, groups).await;
        let expected = env.expected(keep);
        assert!(
            !expected.is_empty() && expected.len() < total,
            "{name}: {} of {total} profiles make a weak test",
            expected.len()
        );
        assert_same(&env.present(name).await, &expected, name);
        let members: BTreeSet<String> = env
            .sandbox
            .customer_profiles()
            .segment_members(name)
            .unwrap()
            .into_iter()
            .collect();
        assert_same(&members, &expected, name);
    }

    // SQL segments are stored, not run: nobody is in them.
    env.client
        .create_segment_definition()
        .domain_name(&env.domain)
        .segment_definition_name("sql")
        .body_map(|b| {
            b.display_name("SQL")
                .segment_sql_query("SELECT * FROM profiles".to_owned())
        })
        .send()
        .await
        .unwrap();
    let sql = env
        .client
        .get_segment_definition()
        .domain_name(&env.domain)
        .segment_definition_name("sql")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sql.segment_type.unwrap().as_str(), "ENHANCED");
    assert_eq!(
        sql.segment_sql_query.as_deref(),
        Some("SELECT * FROM profiles")
    );
    assert!(sql.segment_groups.is_none());
    assert!(env.present("sql").await.is_empty());
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn bounds_are_strict_or_inclusive_as_the_operator_says() {
    let env = Env::start(10).await;
    let id = env.sandbox.customer_profiles().profile_ids().remove(3);
    let profile = env.sandbox.customer_profiles().profile(&id).unwrap();
    let birth = text(&profile, "/BirthDate").to_owned();
    let value = text(&profile, "/Attributes/lifetime_value").to_owned();
    let email = text(&profile, "/EmailAddress").to_owned();
    let cases = [
        ("BirthDate", "BEFORE", vec![birth.clone()], false),
        ("BirthDate", "AFTER", vec![birth.clone()], false),
        ("BirthDate", "ON", vec![birth.clone()], true),
        (
            "BirthDate",
            "BETWEEN",
            vec![birth.clone(), birth.clone()],
            true,
        ),
        (
            "BirthDate",
            "NOT_BETWEEN",
            vec![birth.clone(), birth.clone()],
            false,
        ),
        ("lifetime_value", "GREATER_THAN", vec![value.clone()], false),
        ("lifetime_value", "LESS_THAN", vec![value.clone()], false),
        (
            "lifetime_value",
            "GREATER_THAN_OR_EQUAL",
            vec![value.clone()],
            true,
        ),
        (
            "lifetime_value",
            "LESS_THAN_OR_EQUAL",
            vec![value.clone()],
            true,
        ),
        ("lifetime_value", "EQUAL", vec![value.clone()], true),
        (
            "lifetime_value",
            "BETWEEN",
            vec![value.clone(), value.clone()],
            true,
        ),
        (
            "lifetime_value",
            "NOT_BETWEEN",
            vec![value.clone(), value.clone()],
            false,
        ),
        (
            "EmailAddress",
            "INCLUSIVE",
            vec![email.to_uppercase()],
            true,
        ),
        ("EmailAddress", "EXCLUSIVE", vec![email.clone()], false),
        (
            "EmailAddress",
            "CONTAINS",
            vec![email[1..email.len() - 1].to_owned()],
            true,
        ),
        (
            "EmailAddress",
            "BEGINS_WITH",
            vec![email[..3].to_owned()],
            true,
        ),
        (
            "EmailAddress",
            "ENDS_WITH",
            vec![email[..3].to_owned()],
            false,
        ),
    ];
    for (i, (attribute, operator, values, present)) in cases.into_iter().enumerate() {
        let condition = json!({"DimensionType": operator, "Values": values});
        let attributes = match attribute {
            "lifetime_value" => json!({"Attributes": {attribute: condition}}),
            _ => json!({attribute: condition}),
        };
        let name = format!("bound-{i}");
        env.define(
            &name,
            json!({"Groups": [{"Dimensions": [{"ProfileAttributes": attributes}]}]}),
        )
        .await;
        let answer = env
            .client
            .get_segment_membership()
            .domain_name(&env.domain)
            .segment_definition_name(&name)
            .body_map(|b| b.profile_ids(vec![id.clone()]))
            .send()
            .await
            .unwrap()
            .into_inner();
        let want = if present { "PRESENT" } else { "ABSENT" };
        assert_eq!(
            answer.profiles[0].query_result.as_str(),
            want,
            "{attribute} {operator} {values:?}"
        );
    }
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn list_and_search_pages_yield_every_item_exactly_once() {
    let env = Env::start(130).await;
    let (client, domain) = (&env.client, env.domain.as_str());
    let mut names: BTreeSet<String> = ["vip", "eu-customers", "eu-vip"].map(String::from).into();
    for i in 0..22 {
        let name = format!("segment-{i:02}");
        env.define(&name, json!({"Groups": []})).await;
        names.insert(name);
    }
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = client
            .list_segment_definitions()
            .domain_name(domain)
            .max_results(4);
        if let Some(token) = token.take() {
            request = request.next_token(token);
        }
        let page = request.send().await.unwrap().into_inner();
        assert!(page.items.len() <= 4);
        listed.extend(
            page.items
                .into_iter()
                .map(|i| i.segment_definition_name.unwrap()),
        );
        pages += 1;
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 7);
    assert_eq!(listed.len(), names.len());
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), names);

    // Every profile has a tier, so this finds all of them.
    let tiers: Vec<String> = ["bronze", "silver", "gold", "platinum"]
        .map(String::from)
        .into();
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = client.search_profiles().domain_name(domain).max_results(7);
        if let Some(token) = token.take() {
            request = request.next_token(token);
        }
        let page = request
            .body_map(|b| b.key_name("tier").values(tiers.clone()))
            .send()
            .await
            .unwrap()
            .into_inner();
        assert!(page.items.len() <= 7);
        found.extend(page.items.into_iter().map(|p| p.profile_id.unwrap()));
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(found, env.sandbox.customer_profiles().profile_ids());

    // Twenty by default.
    let first = client
        .search_profiles()
        .domain_name(domain)
        .body_map(|b| b.key_name("tier").values(tiers.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.items.len(), 20);
    assert!(first.next_token.is_some());
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn search_finds_profiles_by_each_predefined_and_custom_key() {
    let env = Env::start(80).await;
    let (client, domain) = (&env.client, env.domain.as_str());
    let state = env.sandbox.customer_profiles();
    let id = state.profile_ids()[5].clone();
    let profile = state.profile(&id).unwrap();
    let search = |key: &str, value: String| {
        client
            .search_profiles()
            .domain_name(domain)
            .max_results(100)
            .body_map(|b| b.key_name(key).values(vec![value]))
            .send()
    };
    let full_name = format!(
        "{} {}",
        text(&profile, "/FirstName"),
        text(&profile, "/LastName")
    );
    let keys = [
        ("_profileId", id.clone()),
        ("_email", text(&profile, "/EmailAddress").to_owned()),
        ("_phone", text(&profile, "/PhoneNumber").to_owned()),
        ("_fullName", full_name.clone()),
        ("_account", text(&profile, "/AccountNumber").to_owned()),
        (
            "signup_date",
            text(&profile, "/Attributes/signup_date").to_owned(),
        ),
    ];
    for (key, value) in keys {
        let items = search(key, value.clone()).await.unwrap().into_inner().items;
        assert!(
            items
                .iter()
                .any(|p| p.profile_id.as_deref() == Some(id.as_str())),
            "{key} = {value}"
        );
        assert!(items.iter().all(|p| p.found_by_items.is_empty()));
        if key == "_fullName" {
            assert!(items.iter().all(|p| {
                format!(
                    "{} {}",
                    p.first_name.as_deref().unwrap_or_default(),
                    p.last_name.as_deref().unwrap_or_default()
                ) == full_name
            }));
        } else if key != "signup_date" {
            assert_eq!(items.len(), 1, "{key} = {value}");
        }
    }
    assert!(
        search("_email", "nobody@example.com".into())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        search("_orderId", "1".into())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // AND: every key must match; OR: any. FoundByItems tells which.
    let tier = text(&profile, "/Attributes/tier").to_owned();
    let key = |name: &str, value: &str| -> SearchKey {
        serde_json::from_value(json!({"KeyName": name, "Values": [value]})).unwrap()
    };
    let both = client
        .search_profiles()
        .domain_name(domain)
        .body_map(|b| {
            b.key_name("_profileId")
                .values(vec![id.clone()])
                .additional_search_keys(vec![key("tier", &tier)])
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(both.items.len(), 1);
    let found_by: Vec<_> = both.items[0]
        .found_by_items
        .iter()
        .map(|f| f.key_name.clone().unwrap())
        .collect();
    assert_eq!(found_by, ["_profileId", "tier"]);
    let contradiction = client
        .search_profiles()
        .domain_name(domain)
        .body_map(|b| {
            b.key_name("_profileId")
                .values(vec![id.clone()])
                .additional_search_keys(vec![key("tier", "no-such-tier")])
                .logical_operator(LogicalOperator::And)
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(contradiction.items.is_empty());
    let other = state.profile_ids()[6].clone();
    let either = client
        .search_profiles()
        .domain_name(domain)
        .body_map(|b| {
            b.key_name("_profileId")
                .values(vec![id.clone()])
                .additional_search_keys(vec![key("_profileId", &other)])
                .logical_operator(LogicalOperator::Or)
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let got: Vec<_> = either
        .items
        .iter()
        .map(|p| p.profile_id.clone().unwrap())
        .collect();
    let mut want = vec![id.clone(), other.clone()];
    want.sort();
    assert_eq!(got, want);
    for item in &either.items {
        assert_eq!(item.found_by_items.len(), 1);
        assert_eq!(
            item.found_by_items[0].values,
            [item.profile_id.clone().unwrap()]
        );
    }
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn estimates_count_what_membership_finds_and_sql_counts_nothing() {
    let env = Env::start(120).await;
    let (client, domain) = (&env.client, env.domain.as_str());
    let estimate = |query: Option<Value>, sql: Option<&'static str>| {
        let query = query.map(|q| serde_json::from_value::<SegmentGroup>(q).unwrap());
        async move {
            let id = client
                .create_segment_estimate()
                .domain_name(domain)
                .body_map(|b| {
                    b.segment_query(query)
                        .segment_sql_query(sql.map(str::to_owned))
                })
                .send()
                .await
                .unwrap()
                .into_inner()
                .estimate_id
                .unwrap();
            client
                .get_segment_estimate()
                .domain_name(domain)
                .estimate_id(id)
                .send()
                .await
                .unwrap()
                .into_inner()
                .estimate
                .unwrap()
        }
    };
    let eu_vip = env
        .sandbox
        .customer_profiles()
        .segment_members("eu-vip")
        .unwrap();
    let query = json!({"Groups": [{"SourceSegments": [{"SegmentDefinitionName": "eu-vip"}]}]});
    assert_eq!(
        estimate(Some(query), None).await,
        format!("{} profiles", eu_vip.len())
    );
    assert_eq!(estimate(None, Some("SELECT 1")).await, "0 profiles");
    assert_eq!(
        estimate(Some(json!({"Groups": []})), None).await,
        format!(
            "{} profiles",
            env.sandbox.customer_profiles().profile_count()
        )
    );
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn the_same_seed_gives_the_same_profiles() {
    let a = Sandbox::start_with(Config::default().seed(3))
        .await
        .unwrap();
    let b = Sandbox::start_with(Config::default().seed(3))
        .await
        .unwrap();
    let c = Sandbox::start_with(Config::default().seed(4))
        .await
        .unwrap();
    let (a, b, c) = (
        a.customer_profiles(),
        b.customer_profiles(),
        c.customer_profiles(),
    );
    assert_eq!(a.profile_count(), Config::default().aws_profiles);
    assert_eq!(a.profile_ids(), b.profile_ids());
    assert_ne!(a.profile_ids(), c.profile_ids());
    let id = a.profile_ids().remove(0);
    assert_eq!(a.profile(&id), b.profile(&id));
    assert_eq!(a.segment_members("vip"), b.segment_members("vip"));
    assert!(a.segment_members("nobody").is_none());
    assert!(a.profile_ids().iter().all(|id| {
        id.len() == 32
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }));
}

#[tokio::test]
async fn odd_requests_get_an_aws_error_and_the_sandbox_keeps_answering() {
    let env = Env::start(10).await;
    let base = format!(
        "{}/domains/{}",
        env.sandbox.urls().customer_profiles,
        env.domain
    );
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cases: Vec<(&str, String)> = vec![
        ("segment-definitions/odd", json!({"DisplayName": 5}).to_string()),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentGroups": {"Groups": [{"Dimensions": [{}]}]}})
                .to_string(),
        ),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentGroups": {"Include": "SOME"}}).to_string(),
        ),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentSqlQuery": ""}).to_string(),
        ),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentGroups": {"Groups": [{"Dimensions": [
                {"ProfileAttributes": {"BirthDate": {"DimensionType": "ON", "Values": ["soon"]}}}
            ]}]}})
            .to_string(),
        ),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentGroups": {"Groups": [{"Dimensions": [
                {"ProfileAttributes": {"ProfileType": {"DimensionType": "INCLUSIVE", "Values": []}}}
            ]}]}})
            .to_string(),
        ),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentSqlQuery": "SELECT 1", "Tags": {}}).to_string(),
        ),
        (
            "segment-definitions/odd",
            json!({"DisplayName": "x", "SegmentSqlQuery": "SELECT 1", "SegmentSort": {"Attributes": []}})
                .to_string(),
        ),
        ("segment-definitions/odd", deep.clone()),
        ("segments/vip/membership", json!({"ProfileIds": [1, 2]}).to_string()),
        ("segments/vip/membership", deep),
        ("profiles/search", json!({"KeyName": "", "Values": []}).to_string()),
        (
            "profiles/search",
            json!({"KeyName": "_email", "Values": ["a"], "LogicalOperator": "XOR"}).to_string(),
        ),
        (
            "profiles/search",
            json!({"KeyName": "_email", "Values": ["a"], "AdditionalSearchKeys": []}).to_string(),
        ),
        (
            "profiles/search?max-results=99999999999999999999999",
            json!({"KeyName": "_email", "Values": ["a"]}).to_string(),
        ),
        (
            "profiles/search?next-token=%FF%FE",
            json!({"KeyName": "_email", "Values": ["a"]}).to_string(),
        ),
        (
            "segments/vip/snapshots",
            json!({"DataFormat": "CSV", "RoleArn": "arn:aws:iam:::role"}).to_string(),
        ),
        (
            "segments/vip/snapshots",
            json!({"DataFormat": "CSV", "EncryptionKey": "k".repeat(256)}).to_string(),
        ),
        (
            "segment-estimates",
            json!({"SegmentQuery": {"Groups": [{"SourceSegments": [{}]}]}}).to_string(),
        ),
        (
            "segment-estimates",
            json!({"SegmentQuery": {"Groups": []}, "SegmentSqlQuery": "SELECT 1"}).to_string(),
        ),
    ];
    let http = reqwest::Client::new();
    for (path, body) in &cases {
        let request = http
            .post(format!("{base}/{path}"))
            .header("content-type", "application/json")
            .body(body.clone());
        let answer = send_signed(&env.sandbox, request).await;
        let status = answer.status().as_u16();
        assert_eq!(status, 400, "{path} {body:.200}");
        assert_eq!(answer.headers()["x-amzn-errortype"], "BadRequestException");
        let answer: Value = answer.json().await.unwrap();
        assert!(answer["Message"].is_string(), "{path}");
    }
    // Still answering, and nothing odd was stored.
    assert!(
        env.sandbox
            .customer_profiles()
            .segment_definition("odd")
            .is_none()
    );
    let listed = env
        .client
        .list_segment_definitions()
        .domain_name(&env.domain)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
    env.conformance.assert_conforms();
}

#[tokio::test]
async fn a_signature_that_does_not_match_the_request_is_refused() {
    let env = Env::start(5).await;
    let c = env.sandbox.credentials().clone();
    let url = format!(
        "{}/domains/{}/segment-definitions",
        env.sandbox.urls().customer_profiles,
        c.aws_domain
    );
    let signer = SigV4::new(
        AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
        &c.aws_region,
        "profile",
    );
    let http = reqwest::Client::new();

    // Signed as it goes: accepted.
    let mut request = http
        .get(&url)
        .query(&[("max-results", "5")])
        .build()
        .unwrap();
    signer
        .sign(&mut request, std::time::SystemTime::now())
        .unwrap();
    assert_eq!(http.execute(request).await.unwrap().status(), 200);

    // The query changed after signing: refused.
    let mut request = http
        .get(&url)
        .query(&[("max-results", "5")])
        .build()
        .unwrap();
    signer
        .sign(&mut request, std::time::SystemTime::now())
        .unwrap();
    request.url_mut().set_query(Some("max-results=6"));
    let refused = http.execute(request).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.headers()["x-amzn-errortype"],
        "InvalidSignatureException"
    );

    // A body changed after signing: refused.
    let create = format!(
        "{}/domains/{}/segment-definitions/tampered",
        env.sandbox.urls().customer_profiles,
        c.aws_domain
    );
    let mut request = http
        .post(&create)
        .body(r#"{"DisplayName":"a","SegmentSqlQuery":"SELECT 1"}"#)
        .build()
        .unwrap();
    signer
        .sign(&mut request, std::time::SystemTime::now())
        .unwrap();
    *request.body_mut() = Some(r#"{"DisplayName":"b","SegmentSqlQuery":"SELECT 1"}"#.into());
    assert_eq!(http.execute(request).await.unwrap().status(), 403);
    assert!(
        env.sandbox
            .customer_profiles()
            .segment_definition("tampered")
            .is_none()
    );

    // Signed twenty minutes ago: expired.
    let mut request = http.get(&url).build().unwrap();
    signer
        .sign(
            &mut request,
            std::time::SystemTime::now() - std::time::Duration::from_secs(20 * 60),
        )
        .unwrap();
    let expired = http.execute(request).await.unwrap();
    assert_eq!(expired.status(), 403);
    let body: Value = expired.json().await.unwrap();
    assert!(
        body["Message"]
            .as_str()
            .unwrap()
            .starts_with("Signature expired"),
        "{body}"
    );
}
