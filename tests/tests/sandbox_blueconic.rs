//! The BlueConic emulation over real HTTP, through the generated client, with every response checked
//! against `specs/blueconic.yaml`.

use std::collections::{BTreeMap, BTreeSet};

use blueconic_api::types::{
    BulkInputEntry, BulkProfileError, BulkRestriction, BulkResult, MatchCriterion, PropertyChange,
    TimelineDataChange, TimelineEventChange,
};
use blueconic_api::{Client, Error, ResponseValue};
use cdp_sandbox::{Config, Sandbox};
use cdp_tests::conformance::Conformance;
use cdp_transport::Auth;
use serde_json::{Value, json};

/// Standard base64 with padding (the tests crate has no base64 dependency).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"fooba"), "Zm9vYmE=");
    assert_eq!(base64(b"foob"), "Zm9vYg==");
}

/// A sandbox, a conformance checker, and helpers to build clients on it.
struct Bc {
    sandbox: Sandbox,
    conformance: Conformance,
}

impl Bc {
    async fn start(profiles: usize) -> Self {
        let sandbox = Sandbox::start_with(Config::default().profiles(profiles))
            .await
            .unwrap();
        Self {
            sandbox,
            conformance: Conformance::new("blueconic"),
        }
    }

    fn client(&self, auth: Auth) -> Client {
        Client::new(&self.sandbox.urls().blueconic, self.conformance.inner(auth))
    }

    fn basic(&self, id: &str, secret: &str) -> Client {
        self.client(Auth::api_key(
            "authorization",
            format!("Basic {}", base64(format!("{id}:{secret}").as_bytes())),
        ))
    }

    async fn token(&self) -> String {
        let credentials = self.sandbox.credentials();
        self.basic(
            &credentials.blueconic_client_id,
            &credentials.blueconic_client_secret,
        )
        .create_token()
        .body_map(|b| b.grant_type("client_credentials"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .access_token
        .unwrap()
    }

    async fn authorized(&self) -> Client {
        self.client(Auth::bearer(self.token().await))
    }

    fn state(&self) -> &cdp_sandbox::blueconic::State {
        self.sandbox.blueconic()
    }
}

/// The status and body of an error answer.
fn failure<T: std::fmt::Debug, E: std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<E>>,
) -> (u16, E) {
    match result {
        Err(Error::ErrorResponse(body)) => (body.status().as_u16(), body.into_inner()),
        Err(other) => panic!("expected an error answer, got {other}"),
        Ok(value) => panic!("expected an error answer, got {:?}", value.into_inner()),
    }
}

/// The values of a property in a profile as JSON.
fn values(profile: &Value, property: &str) -> Vec<String> {
    profile["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"] == property)
        .map(|p| serde_json::from_value(p["values"].clone()).unwrap())
        .unwrap_or_default()
}

fn state(result: &BulkResult) -> &str {
    result.state.as_ref().map_or("", |s| s.as_str())
}

fn change(id: &str, values: &[&str], strategy: &str) -> PropertyChange {
    PropertyChange {
        id: id.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        strategy: Some(strategy.into()),
        restriction: None,
    }
}

fn update(profile_id: &str, identifier: &str, properties: Vec<PropertyChange>) -> BulkInputEntry {
    BulkInputEntry {
        profile_id: Some(profile_id.into()),
        identifier: Some(identifier.into()),
        properties,
        ..Default::default()
    }
}

/// Every page of a segment, following `nextCursor`; the ids in order and every page's `totalResults`.
async fn every_page(
    client: &Client,
    segment: &str,
    count: i32,
    refinement: Option<&str>,
) -> (Vec<String>, BTreeSet<i64>) {
    let mut ids = Vec::new();
    let mut totals = BTreeSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let mut request = client
            .get_segment_profiles()
            .segment_id(segment)
            .count(count);
        if let Some(cursor) = &cursor {
            request = request.cursor(cursor.clone());
        }
        if let Some(refinement) = refinement {
            request = request.refinement(refinement);
        }
        let page = request.send().await.unwrap().into_inner();
        assert!(page.profiles.len() <= count as usize);
        totals.insert(page.total_results.unwrap());
        ids.extend(page.profiles.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (ids, totals),
        }
    }
    panic!("pages never ended")
}

#[tokio::test]
async fn every_operation_is_served_as_the_spec_says() {
    let bc = Bc::start(200).await;
    let client = bc.authorized().await;
    let anonymous = bc.client(Auth::None);

    let id = bc.state().segment_members("allvisitors").unwrap()[0].clone();
    let profile = client
        .get_profile()
        .profile_id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(profile.id, id);
    let level = profile.permissions.unwrap().level.unwrap();
    assert!(
        ["PERSONAL", "ANONYMOUS"].contains(&level.as_str()),
        "{level}"
    );

    let page = client
        .get_segment_profiles()
        .segment_id("allvisitors")
        .count(100)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.profiles.len(), 100);
    assert_eq!(page.total_results, Some(200));
    assert_eq!(page.total_pages, Some(2));
    assert!(page.next_cursor.is_some());

    let segments = client.list_segments().send().await.unwrap().into_inner();
    assert_eq!(segments.total_results, Some(5));

    let email = bc
        .state()
        .segment_members("allvisitors")
        .unwrap()
        .into_iter()
        .find_map(|id| values(&bc.state().profile(&id).unwrap(), "email").pop())
        .unwrap();
    let found = client
        .search_profiles()
        .property(vec!["email".to_owned()])
        .value(vec![email])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.total_results, Some(1));

    let results = client
        .bulk_profiles()
        .body(vec![update(
            &id,
            "row-1",
            vec![change("nickname", &["Bo"], "SET")],
        )])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&results[0]), "MODIFIED");

    // A consent change is in the profile's history; the seed's timeline event types are listed.
    let before = client
        .get_profile_events()
        .profile_id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let results = client
        .bulk_profiles()
        .body(vec![update(
            &id,
            "row-2",
            vec![change(
                "consented_objectives",
                &["sandbox_test_objective"],
                "ADD",
            )],
        )])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&results[0]), "MODIFIED");
    let history = client
        .get_profile_events()
        .profile_id(&id)
        .count(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.total_results, before.total_results.map(|n| n + 1));
    let newest = &history.events[0];
    assert_eq!(
        newest.type_.as_ref().map(|t| t.as_str()),
        Some("ConsentChanged")
    );
    let to_consented = newest
        .properties
        .iter()
        .find(|p| p.id.as_deref() == Some("ToConsented"))
        .unwrap();
    assert!(
        to_consented
            .values
            .contains(&"sandbox_test_objective".to_owned())
    );
    let types = client
        .list_timeline_event_types()
        .send()
        .await
        .unwrap()
        .into_inner();
    let type_ids: Vec<&str> = types
        .timeline_event_types
        .iter()
        .filter_map(|t| t.id.as_deref())
        .collect();
    assert_eq!(type_ids, ["email_click", "order"]);
    assert_eq!(types.total_results, Some(2));
    let order = client
        .get_timeline_event_type()
        .timeline_event_type_id("order")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(&order, &types.timeline_event_types[1]);
    let fields: Vec<&str> = order
        .field_types
        .iter()
        .filter_map(|f| f.key.as_deref())
        .collect();
    assert_eq!(fields, ["order_id", "total_revenue"]);

    // Each operation refused: without a token, and with a request it cannot serve.
    assert_eq!(
        failure(anonymous.get_profile().profile_id(&id).send().await).0,
        401
    );
    assert_eq!(failure(anonymous.list_segments().send().await).0, 401);
    assert_eq!(
        failure(anonymous.bulk_profiles().body(vec![]).send().await).0,
        401
    );
    assert_eq!(
        failure(
            anonymous
                .search_profiles()
                .property(vec!["email".to_owned()])
                .value(vec!["x".to_owned()])
                .send()
                .await
        )
        .0,
        401
    );
    let (status, body) = failure(
        anonymous
            .get_segment_profiles()
            .segment_id("allvisitors")
            .send()
            .await,
    );
    assert_eq!((status, body.code), (401, Some(401)));
    assert_eq!(
        failure(client.get_profile().profile_id("nobody").send().await).0,
        404
    );
    assert_eq!(
        failure(
            client
                .get_segment_profiles()
                .segment_id("nope")
                .send()
                .await
        )
        .0,
        404
    );
    assert_eq!(failure(client.list_segments().count(0).send().await).0, 400);
    assert_eq!(
        failure(
            client
                .get_profile_events()
                .profile_id("nobody")
                .send()
                .await
        )
        .0,
        404
    );
    assert_eq!(
        failure(
            client
                .get_timeline_event_type()
                .timeline_event_type_id("nothing")
                .send()
                .await
        )
        .0,
        404
    );
    assert_eq!(
        failure(
            bc.basic("who", "knows")
                .create_token()
                .body_map(|b| b.grant_type("client_credentials"))
                .send()
                .await
        )
        .0,
        401
    );

    bc.conformance.assert_conforms();
    bc.conformance.assert_every_operation_succeeded();
}

#[tokio::test]
async fn the_token_exchange_takes_client_credentials_with_http_basic() {
    let bc = Bc::start(5).await;
    let credentials = bc.sandbox.credentials().clone();
    let basic = bc.basic(
        &credentials.blueconic_client_id,
        &credentials.blueconic_client_secret,
    );
    let token = basic
        .create_token()
        .body_map(|b| {
            b.grant_type("client_credentials")
                .scope(Some("read:profiles write:profiles".into()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!token.access_token.as_deref().unwrap_or_default().is_empty());
    assert_eq!(token.token_type.as_deref(), Some("bearer"));
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(token.scope.as_deref(), Some("read:profiles write:profiles"));
    let second = basic
        .create_token()
        .body_map(|b| b.grant_type("client_credentials"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_ne!(second.access_token, token.access_token);

    // The credentials may also come in the form.
    let in_form = bc
        .client(Auth::None)
        .create_token()
        .body_map(|b| {
            b.grant_type("client_credentials")
                .client_id(Some(credentials.blueconic_client_id.clone()))
                .client_secret(Some(credentials.blueconic_client_secret.clone()))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(in_form.status(), 200);

    let (status, body) = failure(
        bc.basic(&credentials.blueconic_client_id, "wrong")
            .create_token()
            .body_map(|b| b.grant_type("client_credentials"))
            .send()
            .await,
    );
    assert_eq!(status, 401);
    assert_eq!(body.error.as_deref(), Some("invalid_client"));
    assert!(body.error_description.is_some());
    let (status, body) = failure(
        bc.client(Auth::None)
            .create_token()
            .body_map(|b| b.grant_type("client_credentials"))
            .send()
            .await,
    );
    assert_eq!(
        (status, body.error.as_deref()),
        (401, Some("invalid_client"))
    );

    let (status, body) = failure(
        basic
            .create_token()
            .body_map(|b| b.grant_type("password"))
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(body.error.as_deref(), Some("unsupported_grant_type"));
    let (status, body) = failure(
        basic
            .create_token()
            .body_map(|b| {
                b.grant_type("refresh_token")
                    .refresh_token(Some("r".into()))
            })
            .send()
            .await,
    );
    assert_eq!(
        (status, body.error.as_deref()),
        (400, Some("unsupported_grant_type"))
    );
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn routes_need_an_issued_unexpired_bearer_token() {
    let bc = Bc::start(5).await;
    let (status, body) = failure(
        bc.client(Auth::bearer("made-up"))
            .list_segments()
            .send()
            .await,
    );
    assert_eq!((status, body.code), (401, Some(401)));
    assert!(body.message.is_some());

    let client = bc.authorized().await;
    assert_eq!(client.list_segments().send().await.unwrap().status(), 200);
    bc.state().expire_tokens();
    let (status, _) = failure(client.list_segments().send().await);
    assert_eq!(status, 401, "an expired token is refused");

    let fresh = bc.authorized().await;
    assert_eq!(fresh.list_segments().send().await.unwrap().status(), 200);
    assert_eq!(failure(client.list_segments().send().await).0, 401);
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn a_profile_comes_with_the_properties_asked_for_and_expands_segments_and_timeline() {
    let bc = Bc::start(300).await;
    let client = bc.authorized().await;
    // A profile with several events, in a segment besides allvisitors.
    let members = bc.state().segment_members("allvisitors").unwrap();
    let (id, seen) = members
        .iter()
        .map(|id| (id.clone(), bc.state().profile(id).unwrap()))
        .find(|(_, p)| {
            p["events"].as_array().unwrap().len() >= 2
                && p["segments"].as_array().unwrap().len() >= 2
        })
        .unwrap();

    let all = client
        .get_profile()
        .profile_id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        all.properties.len(),
        seen["properties"].as_array().unwrap().len()
    );
    assert!(
        all.segments.is_empty() && all.events.is_empty(),
        "not expanded"
    );
    assert!(all.creation_date.is_some());

    let some = client
        .get_profile()
        .profile_id(&id)
        .properties("country,visits,nothing")
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = some
        .properties
        .iter()
        .filter_map(|p| p.id.as_deref())
        .collect();
    assert_eq!(ids, ["country", "visits"]);
    assert_eq!(some.properties[0].values, values(&seen, "country"));

    let expanded = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.segments".into(), "profile.timeline".into()])
        .send()
        .await
        .unwrap()
        .into_inner();
    let segments: Vec<String> = expanded
        .segments
        .iter()
        .filter_map(|s| s.id.clone())
        .collect();
    let expected: Vec<String> = seen["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(segments, expected);
    assert!(segments.contains(&"allvisitors".to_owned()));
    assert!(expanded.segments.iter().all(|s| s.name.is_some()));
    let events = seen["events"].as_array().unwrap();
    assert_eq!(expanded.events.len(), events.len().min(20));

    let one = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.timeline".into()])
        .event_count(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(one.events.len(), 1);
    assert_eq!(
        one.events[0].id.as_deref(),
        events[0]["id"].as_str(),
        "newest first"
    );

    let kind = events[0]["eventTypeId"].as_str().unwrap();
    let of_kind = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.timeline".into()])
        .event_type_id(vec![kind.to_owned()])
        .send()
        .await
        .unwrap()
        .into_inner();
    let expected = events.iter().filter(|e| e["eventTypeId"] == kind).count();
    assert_eq!(of_kind.events.len(), expected);
    assert!(
        of_kind
            .events
            .iter()
            .all(|e| e.event_type_id.as_deref() == Some(kind))
    );

    let newest = events[0]["date"].as_str().unwrap();
    let since = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.timeline".into()])
        .from_date(newest)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(since.events.len(), 1);
    let before = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.timeline".into()])
        .to_date(events[1]["date"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(before.events.len(), events.len() - 1);

    let (status, body) = failure(
        client
            .get_profile()
            .profile_id(&id)
            .expand(vec!["profile.timeline".into()])
            .from_date("last tuesday")
            .send()
            .await,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body.errors.as_ref().unwrap()[0].field.as_deref(),
        Some("fromDate")
    );
    let (status, body) = failure(
        client
            .get_profile()
            .profile_id("no-such-profile")
            .send()
            .await,
    );
    assert_eq!((status, body.code), (404, Some(404)));
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn following_next_cursor_yields_every_member_of_a_segment_exactly_once() {
    let bc = Bc::start(250).await;
    let client = bc.authorized().await;
    for segment in bc.state().segment_ids() {
        let members = bc.state().segment_members(&segment).unwrap();
        assert!(!members.is_empty(), "{segment} has members");
        for count in [7, 100, 1000] {
            let (ids, totals) = every_page(&client, &segment, count, None).await;
            assert_eq!(ids, members, "{segment} in pages of {count}");
            let unique: BTreeSet<&String> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len());
            assert_eq!(totals, BTreeSet::from([members.len() as i64]));
        }
        assert_eq!(bc.state().segment_size(&segment), Some(members.len()));
    }
    assert_eq!(bc.state().segment_size("allvisitors"), Some(250));

    let first = client
        .get_segment_profiles()
        .segment_id("allvisitors")
        .cursor("*")
        .count(10)
        .properties("email")
        .expand(vec![
            "profiles.profile.segments".into(),
            "profiles.profile.timeline".into(),
        ])
        .event_count(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    for profile in &first.profiles {
        let seen = bc.state().profile(&profile.id).unwrap();
        let newest = seen["events"]
            .as_array()
            .unwrap()
            .first()
            .map(|e| e["id"].clone());
        let got = profile.events.first().map(|e| json!(e.id));
        assert_eq!(got, newest, "the newest event of {}", profile.id);
        assert!(profile.events.len() <= 1);
    }
    assert!(first.profiles.iter().any(|p| !p.events.is_empty()));
    assert_eq!(first.items_per_page, Some(10));
    assert_eq!(first.total_pages, Some(25));
    assert!(first.profiles.iter().all(|p| {
        p.properties
            .iter()
            .all(|v| v.id.as_deref() == Some("email"))
    }));
    assert!(first.profiles.iter().all(|p| {
        p.segments
            .iter()
            .any(|s| s.id.as_deref() == Some("allvisitors"))
    }));
    assert!(
        first.profiles.iter().all(|p| p.permissions.is_none()),
        "not expanded"
    );

    // A member deleted between pages does not shift the others.
    let next = first.next_cursor.clone().unwrap();
    let doomed = bc.state().segment_members("allvisitors").unwrap()[10].clone();
    let results = client
        .bulk_profiles()
        .body(vec![BulkInputEntry {
            profile_id: Some(doomed.clone()),
            strategy: Some("DELETE".into()),
            ..Default::default()
        }])
        .send()
        .await
        .unwrap();
    assert_eq!(state(&results[0]), "DELETED");
    let second = client
        .get_segment_profiles()
        .segment_id("allvisitors")
        .cursor(next)
        .count(10)
        .send()
        .await
        .unwrap()
        .into_inner();
    let expected = bc.state().segment_members("allvisitors").unwrap()[10..20].to_vec();
    let got: Vec<String> = second.profiles.into_iter().map(|p| p.id).collect();
    assert_eq!(got, expected);
    assert!(!got.contains(&doomed));

    for bad in [0, -1, 1_000_001] {
        let (status, body) = failure(
            client
                .get_segment_profiles()
                .segment_id("allvisitors")
                .count(bad)
                .send()
                .await,
        );
        assert_eq!(status, 400, "count {bad}");
        assert_eq!(
            body.errors.as_ref().unwrap()[0].field.as_deref(),
            Some("count")
        );
    }
    let (status, _) = failure(
        client
            .get_segment_profiles()
            .segment_id("allvisitors")
            .cursor("not-a-cursor")
            .send()
            .await,
    );
    assert_eq!(status, 400);
    let (status, _) = failure(
        client
            .get_segment_profiles()
            .segment_id("high_value")
            .cursor(first.next_cursor.unwrap())
            .send()
            .await,
    );
    assert_eq!(status, 400, "a cursor of another segment");
    let (status, body) = failure(
        client
            .get_segment_profiles()
            .segment_id("no_such_segment")
            .send()
            .await,
    );
    assert_eq!((status, body.code), (404, Some(404)));
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn refinements_filter_the_profiles_of_a_segment() {
    let bc = Bc::start(300).await;
    let client = bc.authorized().await;
    let profiles: BTreeMap<String, Value> = bc
        .state()
        .segment_members("allvisitors")
        .unwrap()
        .into_iter()
        .map(|id| {
            let profile = bc.state().profile(&id).unwrap();
            (id, profile)
        })
        .collect();
    let has = |p: &Value, property: &str, value: &str| {
        values(p, property)
            .iter()
            .any(|v| v.eq_ignore_ascii_case(value))
    };
    let number = |p: &Value, property: &str| -> Option<f64> {
        values(p, property).first().and_then(|v| v.parse().ok())
    };
    type Check<'a> = Box<dyn Fn(&Value) -> bool + 'a>;
    let cases: Vec<(Value, Check<'_>)> = vec![
        (
            json!({"operator": "IS_EMPTY", "property": "email"}),
            Box::new(|p| values(p, "email").is_empty()),
        ),
        (
            json!({"operator": "NOT_IS_EMPTY", "property": "email"}),
            Box::new(|p| !values(p, "email").is_empty()),
        ),
        (
            json!({"operator": "CONTAINS_ANY", "property": "interests", "values": ["running", "COOKING"]}),
            Box::new(|p| has(p, "interests", "running") || has(p, "interests", "cooking")),
        ),
        (
            json!({"operator": "CONTAINS_ALL", "property": "interests", "values": ["running", "cooking"]}),
            Box::new(|p| has(p, "interests", "running") && has(p, "interests", "cooking")),
        ),
        (
            json!({"operator": "NOT_CONTAINS_ANY", "property": "interests", "values": ["running", "cooking"]}),
            Box::new(|p| !has(p, "interests", "running") && !has(p, "interests", "cooking")),
        ),
        (
            json!({"operator": "NOT_CONTAINS_ALL", "property": "interests", "values": ["running", "cooking"]}),
            Box::new(|p| !(has(p, "interests", "running") && has(p, "interests", "cooking"))),
        ),
        (
            json!({"operator": "IN_RANGE", "property": "visits", "fromValue": "20", "toValue": "60"}),
            Box::new(|p| number(p, "visits").is_some_and(|v| (20.0..=60.0).contains(&v))),
        ),
        (
            json!({"operator": "IN_RANGE", "property": "last_visit_date", "fromDate": "2025-10-01T00:00Z"}),
            Box::new(|p| {
                values(p, "last_visit_date")
                    .first()
                    .is_some_and(|d| d.as_str() >= "2025-10-01T00:00:00.000Z")
            }),
        ),
        (
            json!({"operator": "AND", "filters": [
                {"operator": "NOT_IS_EMPTY", "property": "customer_id"},
                {"operator": "OR", "filters": [
                    {"operator": "CONTAINS_ANY", "property": "country", "values": ["NL"]},
                    {"operator": "IN_RANGE", "property": "visits", "toValue": 10}
                ]}
            ]}),
            Box::new(|p| {
                !values(p, "customer_id").is_empty()
                    && (has(p, "country", "NL") || number(p, "visits").is_some_and(|v| v <= 10.0))
            }),
        ),
    ];
    for (refinement, check) in &cases {
        let expected: Vec<String> = profiles
            .iter()
            .filter(|(_, p)| check(p))
            .map(|(id, _)| id.clone())
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < profiles.len(),
            "{refinement} should select some but not all profiles"
        );
        let (ids, totals) =
            every_page(&client, "allvisitors", 13, Some(&refinement.to_string())).await;
        assert_eq!(ids, expected, "{refinement}");
        assert_eq!(
            totals,
            BTreeSet::from([expected.len() as i64]),
            "{refinement}"
        );
    }

    // Within a segment, a refinement only narrows it.
    let refinement = json!({"operator": "NOT_IS_EMPTY", "property": "email"}).to_string();
    let (ids, _) = every_page(&client, "high_value", 5, Some(&refinement)).await;
    let members = bc.state().segment_members("high_value").unwrap();
    assert!(ids.iter().all(|id| members.contains(id)));

    for (bad, needle) in [
        ("{not json", "JSON"),
        (
            r#"{"operator":"NOT_IN_RANGE","property":"visits","fromValue":1}"#,
            "NOT_IN_RANGE",
        ),
        (
            r#"{"operator":"IN_LAST_DAYS","property":"last_visit_date","daysCount":3}"#,
            "IN_LAST_DAYS",
        ),
        (
            r#"{"operator":"SOUNDS_LIKE","property":"email"}"#,
            "SOUNDS_LIKE",
        ),
        (r#"{"operator":"CONTAINS_ANY","values":["x"]}"#, "property"),
        (r#"{"operator":"IN_RANGE","property":"visits"}"#, "IN_RANGE"),
    ] {
        let (status, body) = failure(
            client
                .get_segment_profiles()
                .segment_id("allvisitors")
                .refinement(bad)
                .send()
                .await,
        );
        assert_eq!(status, 400, "{bad}");
        assert!(
            body.message.as_deref().unwrap().contains(needle),
            "{bad}: {body:?}"
        );
        assert_eq!(
            body.errors.as_ref().unwrap()[0].field.as_deref(),
            Some("refinement")
        );
    }
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn bulk_entries_are_found_created_updated_and_deleted_in_order() {
    let bc = Bc::start(100).await;
    let client = bc.authorized().await;
    let members = bc.state().segment_members("allvisitors").unwrap();
    let (known, email) = members
        .iter()
        .find_map(|id| {
            values(&bc.state().profile(id).unwrap(), "email")
                .pop()
                .map(|e| (id.clone(), e))
        })
        .unwrap();
    let high_value = bc.state().segment_members("high_value").unwrap();
    let outsider = members
        .iter()
        .find(|id| **id != known && !high_value.contains(id))
        .unwrap()
        .clone();
    let doomed = members
        .iter()
        .rev()
        .find(|id| **id != known && **id != outsider)
        .unwrap()
        .clone();
    let count = bc.state().profile_count();

    let entries = vec![
        update(&known, "set", vec![change("nickname", &["Ace"], "SET")]),
        update(&known, "same", vec![change("nickname", &["Ace"], "SET")]),
        update(
            "no-such-profile",
            "missing",
            vec![change("nickname", &["x"], "SET")],
        ),
        BulkInputEntry {
            identifier: Some("by-email".into()),
            matching: vec![
                vec![MatchCriterion {
                    id: "email".into(),
                    value: "nobody@example.org".into(),
                }],
                vec![MatchCriterion {
                    id: "email".into(),
                    value: email.clone(),
                }],
            ],
            properties: vec![change("nickname", &["Matched"], "SET")],
            ..Default::default()
        },
        BulkInputEntry {
            identifier: Some("new".into()),
            strategy: Some("UPSERT".into()),
            matching: vec![vec![MatchCriterion {
                id: "email".into(),
                value: "new.person@example.org".into(),
            }]],
            permission_level: Some("ANONYMOUS".into()),
            properties: vec![change("firstname", &["New"], "SET")],
            ..Default::default()
        },
        BulkInputEntry {
            identifier: Some("again".into()),
            strategy: Some("UPSERT".into()),
            matching: vec![vec![MatchCriterion {
                id: "email".into(),
                value: "new.person@example.org".into(),
            }]],
            properties: vec![change("lastname", &["Person"], "SET")],
            ..Default::default()
        },
        BulkInputEntry {
            identifier: Some("update-only".into()),
            matching: vec![vec![MatchCriterion {
                id: "email".into(),
                value: "ghost@example.org".into(),
            }]],
            properties: vec![change("firstname", &["Ghost"], "SET")],
            ..Default::default()
        },
        BulkInputEntry {
            restriction: Some(BulkRestriction {
                is_member_of_segment: Some("high_value".into()),
            }),
            ..update(
                &outsider,
                "restricted",
                vec![change("nickname", &["No"], "SET")],
            )
        },
        BulkInputEntry {
            strategy: Some("DELETE".into()),
            ..update(&doomed, "delete", vec![])
        },
        BulkInputEntry {
            strategy: Some("DELETE".into()),
            ..update(&doomed, "delete-again", vec![])
        },
    ];
    let results = client
        .bulk_profiles()
        .body(entries)
        .send()
        .await
        .unwrap()
        .into_inner();
    let summary: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r.identifier.as_deref().unwrap(), state(r)))
        .collect();
    assert_eq!(
        summary,
        [
            ("set", "MODIFIED"),
            ("same", "UNCHANGED"),
            ("missing", "NOTFOUND"),
            ("by-email", "MODIFIED"),
            ("new", "CREATED"),
            ("again", "MODIFIED"),
            ("update-only", "NOTFOUND"),
            ("restricted", "RESTRICTION_MISMATCH"),
            ("delete", "DELETED"),
            ("delete-again", "NOTFOUND"),
        ]
    );
    assert_eq!(results[0].profile_id.as_deref(), Some(known.as_str()));
    assert_eq!(results[3].profile_id.as_deref(), Some(known.as_str()));
    let created = results[4].profile_id.clone().unwrap();
    assert_eq!(results[5].profile_id.as_deref(), Some(created.as_str()));
    assert_eq!(results[8].profile_id.as_deref(), Some(doomed.as_str()));

    assert_eq!(
        values(&bc.state().profile(&known).unwrap(), "nickname"),
        ["Matched"]
    );
    let modified = bc.state().profile(&known).unwrap()["lastModifiedDate"].clone();
    assert!(modified.as_str().unwrap() > "2026-01-01", "{modified}");
    let untouched = bc.state().profile(&outsider).unwrap()["lastModifiedDate"].clone();
    assert!(untouched.as_str().unwrap() < "2026-01-01", "{untouched}");
    let new = bc.state().profile(&created).unwrap();
    assert_eq!(values(&new, "email"), ["new.person@example.org"]);
    assert_eq!(values(&new, "firstname"), ["New"]);
    assert_eq!(values(&new, "lastname"), ["Person"]);
    assert_eq!(new["permissions"]["level"], "ANONYMOUS");
    assert_eq!(
        new["segments"],
        json!([{"id": "allvisitors", "name": "All visitors", "tags": []}])
    );
    assert!(values(&bc.state().profile(&outsider).unwrap(), "nickname").is_empty());
    assert!(bc.state().profile(&doomed).is_none());
    assert_eq!(bc.state().profile_count(), count);

    let fetched = client
        .get_profile()
        .profile_id(&created)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.id, created);
    let found = client
        .search_profiles()
        .property(vec!["email".to_owned()])
        .value(vec!["new.person@example.org".to_owned()])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.profiles.len(), 1);
    assert_eq!(found.profiles[0].id.as_ref(), Some(&created));
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn property_strategies_combine_values_and_restrictions_pick_profiles() {
    let bc = Bc::start(20).await;
    let client = bc.authorized().await;
    let id = bc.state().segment_members("allvisitors").unwrap()[0].clone();
    let seed = |property: &str, values: &[&str]| {
        update(&id, "seed", vec![change(property, values, "SET")])
    };
    let setup = client
        .bulk_profiles()
        .body(vec![
            seed("tags", &["a", "b"]),
            seed("score", &["10"]),
            seed("nickname", &["Old"]),
            update(&id, "clear", vec![change("empty_one", &[], "REMOVE")]),
        ])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        setup
            .iter()
            .all(|r| ["MODIFIED", "UNCHANGED"].contains(&state(r)))
    );

    let cases: Vec<(PropertyChange, &str, Vec<&str>)> = vec![
        (
            change("tags", &["c", "a"], "ADD"),
            "MODIFIED",
            vec!["a", "b", "c"],
        ),
        (
            change("tags", &["b"], "ADD"),
            "UNCHANGED",
            vec!["a", "b", "c"],
        ),
        (change("tags", &["a"], "REMOVE"), "MODIFIED", vec!["b", "c"]),
        (
            change("tags", &["zzz"], "REMOVE"),
            "UNCHANGED",
            vec!["b", "c"],
        ),
        (change("tags", &["x"], "SET"), "MODIFIED", vec!["x"]),
        (
            change("nickname", &["New"], "SET_IF_EMPTY"),
            "UNCHANGED",
            vec!["Old"],
        ),
        (
            change("fresh", &["First"], "SET_IF_EMPTY"),
            "MODIFIED",
            vec!["First"],
        ),
        (change("score", &["5"], "INCREMENT"), "MODIFIED", vec!["15"]),
        (
            change("score", &["-20"], "INCREMENT"),
            "MODIFIED",
            vec!["-5"],
        ),
        (
            change("counter", &["2.5"], "INCREMENT"),
            "MODIFIED",
            vec!["2.5"],
        ),
        (change("tags", &[], "REMOVE"), "MODIFIED", vec![]),
    ];
    for (change, expected_state, expected) in cases {
        let property = change.id.clone();
        let label = format!("{} {:?} {:?}", property, change.strategy, change.values);
        let results = client
            .bulk_profiles()
            .body(vec![update(&id, "case", vec![change])])
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(state(&results[0]), expected_state, "{label}");
        assert_eq!(
            values(&bc.state().profile(&id).unwrap(), &property),
            expected,
            "{label}"
        );
    }

    let results = client
        .bulk_profiles()
        .body(vec![update(
            &id,
            "bad",
            vec![change("nickname", &["many"], "INCREMENT")],
        )])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&results[0]), "UNCHANGED");
    assert!(results[0].validation_errors.contains_key("nickname"));

    let restricted = |id: &str, value: &str, restriction: &str| PropertyChange {
        restriction: Some(restriction.into()),
        ..change(id, &[value], "SET")
    };
    let entries = vec![
        update(
            &id,
            "existing",
            vec![
                restricted("only_new", "n", "NEW_PROFILES_ONLY"),
                restricted("only_existing", "e", "EXISTING_PROFILES_ONLY"),
                restricted("everyone", "a", "ALL_PROFILES"),
            ],
        ),
        BulkInputEntry {
            strategy: Some("UPSERT".into()),
            identifier: Some("created".into()),
            properties: vec![
                restricted("only_new", "n", "NEW_PROFILES_ONLY"),
                restricted("only_existing", "e", "EXISTING_PROFILES_ONLY"),
                restricted("everyone", "a", "ALL_PROFILES"),
            ],
            ..Default::default()
        },
    ];
    let results = client
        .bulk_profiles()
        .body(entries)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&results[0]), "MODIFIED");
    assert_eq!(state(&results[1]), "CREATED");
    let existing = bc.state().profile(&id).unwrap();
    assert!(values(&existing, "only_new").is_empty());
    assert_eq!(values(&existing, "only_existing"), ["e"]);
    assert_eq!(values(&existing, "everyone"), ["a"]);
    let created = bc
        .state()
        .profile(results[1].profile_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(values(&created, "only_new"), ["n"]);
    assert!(values(&created, "only_existing").is_empty());
    assert_eq!(values(&created, "everyone"), ["a"]);
    assert_eq!(bc.state().profile_count(), 21);
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn timeline_events_are_stored_with_a_result_each() {
    let bc = Bc::start(20).await;
    let client = bc.authorized().await;
    let id = bc.state().segment_members("allvisitors").unwrap()[3].clone();
    let before = bc.state().profile(&id).unwrap()["events"]
        .as_array()
        .unwrap()
        .len();
    let event = |event_id: &str, strategy: &str, revenue: f64| TimelineEventChange {
        id: Some(event_id.into()),
        identifier: Some(format!("ext-{event_id}-{strategy}")),
        event_type_id: Some("order".into()),
        date: Some("2026-02-01T10:00Z".into()),
        strategy: Some(strategy.into()),
        data: vec![TimelineDataChange {
            id: "total_revenue".into(),
            values: vec![json!(revenue)],
            strategy: None,
        }],
    };
    let entry = |timeline: Vec<TimelineEventChange>| BulkInputEntry {
        profile_id: Some(id.clone()),
        timeline,
        ..Default::default()
    };
    let results = client
        .bulk_profiles()
        .body(vec![entry(vec![
            event("order_1", "SET", 12.5),
            event("order_2", "UPSERT", 3.0),
            event("order_3", "UPDATE", 1.0),
            TimelineEventChange {
                id: Some("typeless".into()),
                ..Default::default()
            },
            TimelineEventChange {
                date: Some("someday".into()),
                ..event("order_4", "SET", 1.0)
            },
        ])])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&results[0]), "MODIFIED");
    let timeline: Vec<(Option<&str>, &str)> = results[0]
        .timeline
        .iter()
        .map(|t| (t.id.as_deref(), t.state.as_ref().unwrap().as_str()))
        .collect();
    assert_eq!(
        timeline,
        [
            (Some("order_1"), "CREATED"),
            (Some("order_2"), "CREATED"),
            (Some("order_3"), "NOTFOUND"),
            (Some("typeless"), "REJECTED"),
            (Some("order_4"), "REJECTED"),
        ]
    );
    assert_eq!(
        results[0].timeline[0].identifier.as_deref(),
        Some("ext-order_1-SET")
    );
    assert!(!results[0].timeline[3].validation_errors.is_empty());

    let results = client
        .bulk_profiles()
        .body(vec![entry(vec![
            TimelineEventChange {
                // Timeline data takes ADD, SET and SET_IF_EMPTY only (the official schema).
                data: vec![TimelineDataChange {
                    id: "total_revenue".into(),
                    values: vec![json!(15.0)],
                    strategy: Some("SET".into()),
                }],
                ..event("order_1", "UPSERT", 0.0)
            },
            event("order_2", "DELETE", 0.0),
            event("order_9", "DELETE", 0.0),
        ])])
        .send()
        .await
        .unwrap()
        .into_inner();
    let states: Vec<&str> = results[0]
        .timeline
        .iter()
        .map(|t| t.state.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(states, ["MODIFIED", "DELETED", "NOTFOUND"]);

    let profile = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.timeline".into()])
        .event_type_id(vec!["order".to_owned()])
        .from_date("2026-02-01T00:00:00Z")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(profile.events.len(), 1);
    let stored = &profile.events[0];
    assert_eq!(stored.id.as_deref(), Some("order_1"));
    assert_eq!(stored.date.as_deref(), Some("2026-02-01T10:00Z"));
    assert_eq!(stored.data[0].values, [json!(15.0)]);
    let only = client
        .get_profile()
        .profile_id(&id)
        .expand(vec!["profile.timeline".into()])
        .event_type_id(vec!["order".to_owned()])
        .event_property(vec!["order_id".to_owned()])
        .from_date("2026-02-01T00:00:00Z")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(only.events[0].data.is_empty(), "order_1 has no order_id");
    let after = bc.state().profile(&id).unwrap()["events"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before + 1);

    // An entry whose events change nothing leaves the profile unchanged.
    let results = client
        .bulk_profiles()
        .body(vec![entry(vec![event("order_9", "UPDATE", 1.0)])])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&results[0]), "UNCHANGED");
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn bulk_writes_are_limited_validated_and_applied_whole() {
    let bc = Bc::start(30).await;
    let client = bc.authorized().await;
    let id = bc.state().segment_members("allvisitors").unwrap()[0].clone();
    let count = bc.state().profile_count();

    let too_many: Vec<BulkInputEntry> = (0..1001)
        .map(|i| BulkInputEntry {
            strategy: Some("UPSERT".into()),
            identifier: Some(format!("row-{i}")),
            properties: vec![change("row", &[&i.to_string()], "SET")],
            ..Default::default()
        })
        .collect();
    // As BlueConic: the first 1000 are processed and their results come with the 413.
    let answer = reqwest::Client::new()
        .put(format!("{}/profiles", bc.sandbox.urls().blueconic))
        .bearer_auth(bc.token().await)
        .json(&too_many)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let processed: Vec<BulkResult> = answer.json().await.unwrap();
    assert_eq!(processed.len(), 1000);
    assert_eq!(processed[999].identifier.as_deref(), Some("row-999"));
    assert_eq!(
        bc.state().profile_count(),
        count + 1000,
        "the first 1000 applied"
    );
    let count = count + 1000;

    let results = client
        .bulk_profiles()
        .body(too_many[..1000].to_vec())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(results.len(), 1000);
    assert!(results.iter().all(|r| state(r) == "CREATED"));
    assert_eq!(results[999].identifier.as_deref(), Some("row-999"));
    assert_eq!(bc.state().profile_count(), count + 1000);

    // One bad entry refuses the whole request.
    let entries = vec![
        update(&id, "fine", vec![change("nickname", &["Kept?"], "SET")]),
        update(&id, "bad", vec![change("nickname", &["x"], "MULTIPLY")]),
    ];
    let (status, body) = failure(client.bulk_profiles().body(entries).send().await);
    assert_eq!(status, 400);
    let BulkProfileError::ErrorBody(body) = body else {
        panic!("the error body expected, got {body:?}")
    };
    assert!(body.message.unwrap().contains("MULTIPLY"));
    assert!(values(&bc.state().profile(&id).unwrap(), "nickname").is_empty());

    let http = reqwest::Client::new();
    let raw = http
        .put(format!("{}/profiles", bc.sandbox.urls().blueconic))
        .bearer_auth(bc.token().await)
        .header("content-type", "application/json")
        .body("[{")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["code"], 400);
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn objective_ids_need_consent_unless_the_legislation_needs_none() {
    let bc = Bc::start(5).await;
    let client = bc.authorized().await;
    let entry = |identifier: &str, legislation: &str, consented: &[&str]| BulkInputEntry {
        identifier: Some(identifier.into()),
        strategy: Some("UPSERT".into()),
        privacy_legislation: Some(legislation.into()),
        properties: vec![change("consented_objectives", consented, "SET")],
        ..Default::default()
    };
    let results = client
        .bulk_profiles()
        .objective_ids("marketing")
        .body(vec![
            entry("consented", "GDPR", &["marketing"]),
            entry("refused", "GDPR", &["analytics"]),
            entry("not-needed", "NONE", &[]),
        ])
        .send()
        .await
        .unwrap()
        .into_inner();
    let states: Vec<&str> = results.iter().map(state).collect();
    assert_eq!(states, ["CREATED", "CONSENT_MISMATCH", "CREATED"]);
    let created = bc
        .state()
        .profile(results[0].profile_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(created["consentedObjectives"], json!(["marketing"]));
    assert_eq!(created["privacyLegislation"], "GDPR");
    assert_eq!(bc.state().profile_count(), 7);
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn segments_are_listed_in_pages_and_filtered_by_tag() {
    let bc = Bc::start(50).await;
    let client = bc.authorized().await;
    let all = client.list_segments().send().await.unwrap().into_inner();
    let ids: Vec<&str> = all
        .segments
        .iter()
        .filter_map(|s| s.id.as_deref())
        .collect();
    assert_eq!(ids, bc.state().segment_ids());
    assert_eq!(ids[0], "allvisitors");
    assert!(
        all.segments
            .iter()
            .all(|s| s.name.is_some() && s.creation_date.is_some())
    );

    let page = client
        .list_segments()
        .start_index(1)
        .count(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = page
        .segments
        .iter()
        .filter_map(|s| s.id.as_deref())
        .collect();
    assert_eq!(ids, bc.state().segment_ids()[1..3]);
    assert_eq!(
        (page.start_index, page.total_pages, page.total_results),
        (Some(1), Some(3), Some(5))
    );

    let sales = client
        .list_segments()
        .filter_tag(vec!["sales".to_owned()])
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = sales
        .segments
        .iter()
        .filter_map(|s| s.id.as_deref())
        .collect();
    assert_eq!(ids, ["high_value", "churn_risk"]);
    assert!(
        sales
            .segments
            .iter()
            .all(|s| s.tags.contains(&"sales".to_owned()))
    );

    assert_eq!(
        failure(client.list_segments().start_index(-1).send().await).0,
        400
    );
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn search_finds_profile_ids_by_unique_property_values() {
    let bc = Bc::start(200).await;
    let client = bc.authorized().await;
    let (id, profile) = bc
        .state()
        .segment_members("allvisitors")
        .unwrap()
        .into_iter()
        .map(|id| {
            let profile = bc.state().profile(&id).unwrap();
            (id, profile)
        })
        .find(|(_, p)| !values(p, "customer_id").is_empty())
        .unwrap();
    let email = values(&profile, "email").pop().unwrap();
    let customer = values(&profile, "customer_id").pop().unwrap();
    let search = |properties: &[&str], values: &[&str]| {
        client
            .search_profiles()
            .property(
                properties
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
            )
            .value(values.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
            .send()
    };
    let found = search(
        &["email", "customer_id"],
        &[email.as_str(), customer.as_str()],
    )
    .await
    .unwrap();
    assert_eq!(found.profiles.len(), 1);
    assert_eq!(found.profiles[0].id.as_ref(), Some(&id));
    assert_eq!(found.total_results, Some(1));
    let none = search(&["email", "customer_id"], &[email.as_str(), "C999999"])
        .await
        .unwrap();
    assert_eq!(none.total_results, Some(0));
    assert!(none.profiles.is_empty());

    let (status, body) = failure(search(&["email", "customer_id"], &[email.as_str()]).await);
    assert_eq!(status, 400);
    assert_eq!(
        body.errors.as_ref().unwrap()[0].field.as_deref(),
        Some("property")
    );
    let (status, _) = failure(search(&["country"], &["NL"]).await);
    assert_eq!(status, 501, "not a unique identifier property");
    bc.conformance.assert_conforms();
}

#[tokio::test]
async fn seeding_is_deterministic_and_scales() {
    let a = Sandbox::start_with(Config::default().profiles(50))
        .await
        .unwrap();
    let b = Sandbox::start_with(Config::default().profiles(50))
        .await
        .unwrap();
    let c = Sandbox::start_with(Config::default().seed(7).profiles(50))
        .await
        .unwrap();
    let ids = |s: &Sandbox| s.blueconic().segment_members("allvisitors").unwrap();
    assert_eq!(ids(&a), ids(&b));
    assert_ne!(ids(&a), ids(&c));
    let first = &ids(&a)[0];
    assert_eq!(a.blueconic().profile(first), b.blueconic().profile(first));
    for segment in a.blueconic().segment_ids() {
        assert_eq!(
            a.blueconic().segment_members(&segment),
            b.blueconic().segment_members(&segment)
        );
    }

    let big = Sandbox::start_with(Config::default().profiles(30_000))
        .await
        .unwrap();
    let state = big.blueconic();
    assert_eq!(state.profile_count(), 30_000);
    assert_eq!(state.segment_size("allvisitors"), Some(30_000));
    for segment in [
        "newsletter_subscribers",
        "high_value",
        "recent_visitors",
        "churn_risk",
    ] {
        let size = state.segment_size(segment).unwrap();
        assert!(size > 100 && size < 30_000, "{segment}: {size}");
    }
    assert_eq!(state.segment_size("nope"), None);
    assert!(state.profile("nope").is_none());
}

#[tokio::test]
async fn odd_requests_get_blueconic_error_bodies() {
    let bc = Bc::start(20).await;
    let token = bc.token().await;
    let base = bc.sandbox.urls().blueconic.clone();
    let http = reqwest::Client::new();
    let deep = format!(
        "{}{{\"operator\":\"IS_EMPTY\",\"property\":\"x\"}}{}",
        "{\"operator\":\"AND\",\"filters\":[".repeat(200),
        "]}".repeat(200)
    );
    let deep_query: String = form_urlencoded_pair("refinement", &deep);
    let gets = [
        ("/segments/allvisitors/profiles?count=abc", 400),
        (
            "/segments/allvisitors/profiles?count=99999999999999999999",
            400,
        ),
        ("/segments/allvisitors/profiles?cursor=%FF%FE", 400),
        ("/segments/allvisitors/profiles?refinement=%5B%5D", 400),
        (
            &format!("/segments/allvisitors/profiles?{deep_query}") as &str,
            400,
        ),
        ("/profiles/x?expand=profile.timeline&eventCount=-1", 400),
        ("/profiles/x?expand=profile.timeline&toDate=soon", 400),
        ("/profiles?property=email", 400),
        ("/segments?startIndex=99999999999", 400),
        ("/no/such/route", 404),
    ];
    for (path, status) in gets {
        let response = http
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], status, "{path}");
        assert!(body["message"].is_string(), "{path}");
    }
    for body in [
        "{}",
        "null",
        "[1]",
        r#"[{"strategy":"MERGE"}]"#,
        r#"[{"matching":[[{"id":"email"}]]}]"#,
    ] {
        let response = http
            .put(format!("{base}/profiles"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["code"], 400, "{body}");
    }
    let response = http
        .delete(format!("{base}/profiles"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["code"], 405);
    let response = http
        .post(format!("{base}/oauth/token"))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "invalid_request");
    let response = http
        .post(format!("{base}/oauth/token"))
        .header("authorization", "Basic !!!not-base64")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    // The sandbox still serves after all of that.
    assert_eq!(bc.state().profile_count(), 20);
    let ok = http
        .get(format!("{base}/segments"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

/// `key=value` with the value percent-encoded.
fn form_urlencoded_pair(key: &str, value: &str) -> String {
    let encoded: String = value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{key}={encoded}")
}
