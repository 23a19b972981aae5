//! Bucketing mode without the network: the allocation vectors of the Python SDK, targeting per operator
//! and value type; then the polling of the bucketing file against the sandbox (304, 500s, dropped
//! connections, the interval) and never breaking the caller, on tokio's paused clock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdp::flagship::bucketing::{Bucketing, bucket, murmur3_32};
use cdp::flagship::{ContextValue, Event, Flagship, Level, Mode};
use cdp_sandbox::{Faults, Sandbox, Service};
use serde_json::{Value, json};

const VECTORS: &str = include_str!("../fixtures/flagship/allocation_vectors.json");

#[test]
fn murmur3_reference_values() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let references = vectors["murmur3_reference_vectors"].as_object().unwrap();
    assert_eq!(references.len(), 3);
    for (text, expected) in references {
        let expected =
            u32::from_str_radix(expected.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        assert_eq!(murmur3_32(text.as_bytes(), b""), expected, "{text:?}");
        // Split anywhere, the same hash: the group id and the visitor id are never joined in memory.
        let middle = text.len() / 2;
        assert_eq!(
            murmur3_32(&text.as_bytes()[..middle], &text.as_bytes()[middle..]),
            expected
        );
    }
}

/// The Python SDK's `BUCKETING_RESPONSE_2` groups: four variations of 25 % and two of 50 %.
fn vectors_file() -> Bucketing {
    let variations = |flag: &str, n: usize| {
        (1..=n)
            .map(|i| {
                json!({"id": format!("{flag}-{i}"), "allocation": 100 / n,
                "modifications": {"type": "FLAG", "value": {flag: i}}})
            })
            .collect::<Vec<_>>()
    };
    let everyone = json!({"targetingGroups": [{"targetings": [{"operator": "EQUALS", "key": "fs_all_users", "value": ""}]}]});
    let file = json!({"campaigns": [
        {"id": "c25", "type": "ab", "variationGroups": [{"id": "bs8qvmo4nlr01fl9bbbb", "targeting": everyone,
            "variations": variations("variation", 4)}]},
        {"id": "c50", "type": "ab", "variationGroups": [{"id": "bs8r119sbs4016meiiii", "targeting": everyone,
            "variations": variations("variation50", 2)}]},
    ]});
    Bucketing::from_json(file.to_string().as_bytes()).unwrap()
}

#[test]
fn allocation_reproduces_every_vector_of_the_python_sdk() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    let file = vectors_file();
    for case in cases {
        let visitor = case["visitorId"].as_str().unwrap();
        for (group, flag, expected) in [
            ("vg_25", "variation", "expected_flag_variation"),
            ("vg_50", "variation50", "expected_flag_variation50"),
        ] {
            let group = &case[group];
            let id = group["variationGroupId"].as_str().unwrap();
            assert_eq!(
                u64::from(bucket(id, visitor)),
                group["hash_mod_100"].as_u64().unwrap(),
                "{visitor} in {id}"
            );
            let decision = file.decide(visitor, &BTreeMap::new(), &[]);
            assert_eq!(
                decision.value(flag),
                Some(&group[expected]),
                "{visitor} in {id}"
            );
        }
    }
}

#[test]
fn allocations_under_100_leave_visitors_out_and_zero_shares_are_skipped() {
    let file = json!({"campaigns": [{"id": "c", "variationGroups": [{"id": "g",
        "targeting": {"targetingGroups": [{"targetings": [{"operator": "EQUALS", "key": "fs_all_users", "value": ""}]}]},
        "variations": [{"id": "ref", "reference": true, "modifications": {"value": {"f": "ref"}}},
                       {"id": "zero", "allocation": 0, "modifications": {"value": {"f": "zero"}}},
                       {"id": "half", "allocation": 50, "modifications": {"value": {"f": "half"}}}]}]}]});
    let file = Bucketing::from_json(file.to_string().as_bytes()).unwrap();
    let (mut inside, mut outside) = (0, 0);
    for i in 0..200 {
        let visitor = format!("visitor-{i}");
        let decision = file.decide(&visitor, &BTreeMap::new(), &[]);
        if bucket("g", &visitor) < 50 {
            assert_eq!(decision.value("f"), Some(&json!("half")));
            inside += 1;
        } else {
            assert!(decision.is_empty());
            outside += 1;
        }
    }
    assert!(inside > 50 && outside > 50);
}

/// Whether a visitor with `context` is in the audience of one condition.
fn matches(operator: &str, key: &str, value: Value, context: &[(&str, ContextValue)]) -> bool {
    let file = json!({"campaigns": [{"id": "c", "variationGroups": [{"id": "g",
        "targeting": {"targetingGroups": [{"targetings": [{"operator": operator, "key": key, "value": value}]}]},
        "variations": [{"id": "v", "allocation": 100, "modifications": {"value": {"in": true}}}]}]}]});
    let file = Bucketing::from_json(file.to_string().as_bytes()).unwrap();
    let context: BTreeMap<String, ContextValue> = context
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    !file.decide("Visitor-1", &context, &[]).is_empty()
}

#[test]
fn equals_and_not_equals_per_value_type() {
    let c = [
        ("plan", "Pro".into()),
        ("age", 31.into()),
        ("score", 0.5.into()),
        ("vip", true.into()),
    ];
    assert!(
        matches("EQUALS", "plan", json!("pRO"), &c),
        "text without case"
    );
    assert!(!matches("EQUALS", "plan", json!("pr"), &c));
    assert!(matches("EQUALS", "age", json!(31), &c));
    assert!(
        matches("EQUALS", "age", json!(31.0), &c),
        "an integer equals the same float"
    );
    assert!(matches("EQUALS", "score", json!(0.5), &c));
    assert!(matches("EQUALS", "vip", json!(true), &c));
    assert!(!matches("EQUALS", "vip", json!(false), &c));
    assert!(
        matches("EQUALS", "plan", json!(["free", "PRO"]), &c),
        "a list: any of them"
    );
    assert!(
        !matches("EQUALS", "age", json!("31"), &c),
        "types differ: no match"
    );
    assert!(!matches("EQUALS", "vip", json!("true"), &c));
    assert!(matches("NOT_EQUALS", "plan", json!("free"), &c));
    assert!(!matches("NOT_EQUALS", "plan", json!("PRO"), &c));
    assert!(matches("NOT_EQUALS", "age", json!(30), &c));
    assert!(matches("NOT_EQUALS", "vip", json!(false), &c));
    assert!(
        matches("NOT_EQUALS", "plan", json!(["free", "gold"]), &c),
        "a list: none of them"
    );
    assert!(!matches("NOT_EQUALS", "plan", json!(["free", "pro"]), &c));
    assert!(
        !matches("EQUALS", "missing", json!("x"), &c),
        "an absent key matches nothing"
    );
    assert!(!matches("NOT_EQUALS", "missing", json!("x"), &c));
}

#[test]
fn ordering_operators_per_value_type() {
    let c = [
        ("age", 31.into()),
        ("score", 0.5.into()),
        ("name", "Bob".into()),
        ("vip", true.into()),
    ];
    for (op, value, expected) in [
        ("LOWER_THAN", json!(32), true),
        ("LOWER_THAN", json!(31), false),
        ("GREATER_THAN", json!(30.5), true),
        ("GREATER_THAN", json!(31), false),
        ("LOWER_THAN_OR_EQUALS", json!(31), true),
        ("LOWER_THAN_OR_EQUALS", json!(30), false),
        ("GREATER_THAN_OR_EQUALS", json!(31), true),
        ("GREATER_THAN_OR_EQUALS", json!(32), false),
    ] {
        assert_eq!(
            matches(op, "age", value.clone(), &c),
            expected,
            "age {op} {value}"
        );
    }
    assert!(matches("LOWER_THAN", "score", json!(1), &c));
    assert!(matches("GREATER_THAN", "score", json!(0.25), &c));
    assert!(
        matches("LOWER_THAN", "name", json!("carl"), &c),
        "text compares without case"
    );
    assert!(matches("GREATER_THAN_OR_EQUALS", "name", json!("BOB"), &c));
    assert!(
        !matches("GREATER_THAN", "vip", json!(false), &c),
        "booleans are not ordered"
    );
    assert!(
        matches("GREATER_THAN", "age", json!([40, 30]), &c),
        "a list: any of them"
    );
}

#[test]
fn text_operators_and_lists() {
    let c = [("email", "Ada@Example.COM".into()), ("age", 31.into())];
    assert!(matches("STARTS_WITH", "email", json!("ada@"), &c));
    assert!(!matches("STARTS_WITH", "email", json!("bob"), &c));
    assert!(matches("ENDS_WITH", "email", json!("@example.com"), &c));
    assert!(matches("ENDS_WITH", "email", json!([".org", ".com"]), &c));
    assert!(matches("CONTAINS", "email", json!("EXAMPLE"), &c));
    assert!(matches("CONTAINS", "email", json!(["zzz", "ple"]), &c));
    assert!(!matches("CONTAINS", "email", json!(["zzz", "yyy"]), &c));
    assert!(matches("NOT_CONTAINS", "email", json!("gmail"), &c));
    assert!(matches(
        "NOT_CONTAINS",
        "email",
        json!(["gmail", "yahoo"]),
        &c
    ));
    assert!(!matches(
        "NOT_CONTAINS",
        "email",
        json!(["gmail", "example"]),
        &c
    ));
    assert!(
        !matches("CONTAINS", "age", json!("3"), &c),
        "numbers are not text"
    );
}

#[test]
fn presence_all_users_and_visitor_id() {
    let c = [("plan", "pro".into())];
    assert!(matches("EXISTS", "plan", Value::Null, &c));
    assert!(!matches("EXISTS", "other", Value::Null, &c));
    assert!(matches("NOT_EXISTS", "other", Value::Null, &c));
    assert!(!matches("NOT_EXISTS", "plan", Value::Null, &c));
    assert!(matches("EQUALS", "fs_all_users", json!(""), &[]));
    assert!(
        matches("EQUALS", "fs_users", json!("visitor-1"), &[]),
        "the visitor id, without case"
    );
    assert!(matches("STARTS_WITH", "fs_users", json!("VISITOR"), &[]));
    assert!(!matches("EQUALS", "fs_users", json!("visitor-2"), &[]));
}

#[test]
fn semver_and_unknown_operators_never_match_and_warn() {
    let c = [("app", "2.1.0".into())];
    for op in [
        "SEMVER_EQUALS",
        "SEMVER_GREATER_THAN",
        "SEMVER_LOWER_THAN_OR_EQUALS",
        "SOMETHING_NEW",
    ] {
        assert!(!matches(op, "app", json!("1.0.0"), &c), "{op}");
    }
    let file = json!({"campaigns": [{"id": "c", "variationGroups": [{"id": "g",
        "targeting": {"targetingGroups": [{"targetings": [{"operator": "SEMVER_EQUALS", "key": "app", "value": "2.1.0"}]}]},
        "variations": []}]}]});
    let file = Bucketing::from_json(file.to_string().as_bytes()).unwrap();
    assert_eq!(file.warnings().len(), 1);
    assert!(
        file.warnings()[0].contains("SEMVER_EQUALS"),
        "{:?}",
        file.warnings()
    );
}

#[test]
fn groups_are_or_ed_and_targetings_and_ed() {
    let file = json!({"campaigns": [{"id": "c", "variationGroups": [{"id": "g",
        "targeting": {"targetingGroups": [
            {"targetings": [{"operator": "EQUALS", "key": "plan", "value": "pro"},
                            {"operator": "GREATER_THAN", "key": "age", "value": 17}]},
            {"targetings": [{"operator": "EQUALS", "key": "vip", "value": true}]},
            {"targetings": []}]},
        "variations": [{"id": "v", "allocation": 100, "modifications": {"value": {"in": true}}}]}]}]});
    let file = Bucketing::from_json(file.to_string().as_bytes()).unwrap();
    let decide = |pairs: &[(&str, ContextValue)]| {
        let context = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        !file.decide("v", &context, &[]).is_empty()
    };
    assert!(decide(&[("plan", "pro".into()), ("age", 18.into())]));
    assert!(
        !decide(&[("plan", "pro".into()), ("age", 17.into())]),
        "AND inside a group"
    );
    assert!(decide(&[("vip", true.into())]), "OR between groups");
    assert!(!decide(&[]), "an empty group matches no one");
}

#[test]
fn a_file_that_looks_at_many_context_keys_decides_the_same() {
    // 60 keys: more than a decision keeps on the stack. Campaign `i` targets `key-i` (and `key-{i+1}`),
    // so each of the visitor's values is looked up where it is sorted among all the file's keys.
    let campaigns: Vec<Value> = (0..60)
        .map(|i| {
            json!({"id": format!("c{i}"), "variationGroups": [{"id": format!("g{i}"),
                "targeting": {"targetingGroups": [{"targetings": [
                    {"operator": "EQUALS", "key": format!("key-{i:02}"), "value": i},
                    {"operator": "NOT_EXISTS", "key": format!("key-{:02}", i + 1), "value": null}]}]},
                "variations": [{"id": format!("v{i}"), "allocation": 100,
                    "modifications": {"value": {format!("flag-{i}"): true}}}]}]})
        })
        .collect();
    let file =
        Bucketing::from_json(json!({"campaigns": campaigns}).to_string().as_bytes()).unwrap();
    for i in [0, 31, 32, 33, 59] {
        let context = BTreeMap::from([(format!("key-{i:02}"), ContextValue::from(i))]);
        let decision = file.decide("visitor-1", &context, &[]);
        let flags: Vec<String> = decision.values().keys().cloned().collect();
        assert_eq!(flags, [format!("flag-{i}")], "key-{i:02}");
    }
    let both = BTreeMap::from([
        ("key-40".to_owned(), ContextValue::from(40)),
        ("key-41".to_owned(), ContextValue::from(41)),
    ]);
    let flags: Vec<String> = file
        .decide("visitor-1", &both, &[])
        .values()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        flags,
        ["flag-41"],
        "key-41 is set, so campaign 40's NOT_EXISTS fails"
    );
}

#[test]
fn garbage_is_not_a_bucketing_file() {
    for garbage in [&b"not json"[..], b"[]", br#"{"campaigns": 3}"#] {
        assert!(matches!(
            Bucketing::from_json(garbage),
            Err(cdp::Error::Decode(_))
        ));
    }
}

#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<Event>>>);

impl Events {
    fn errors(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.level == Level::Error)
            .map(|e| e.message.clone())
            .collect()
    }
}

async fn started(sandbox: &Sandbox, mode: Mode, events: &Events) -> Flagship {
    let (urls, keys) = (sandbox.urls(), sandbox.credentials());
    let events = events.clone();
    Flagship::builder(&keys.flagship_env_id, &keys.flagship_api_key)
        .endpoints(
            &urls.flagship_decision,
            &urls.flagship_cdn,
            &urls.flagship_hits,
        )
        .on_event(move |e| events.0.lock().unwrap().push(e.clone()))
        .mode(mode)
        .start()
        .await
        .unwrap()
}

fn one_flag_file(value: &str) -> Value {
    json!({"campaigns": [{"id": "c", "type": "toggle", "variationGroups": [{"id": "g",
        "targeting": {"targetingGroups": [{"targetings": [{"operator": "EQUALS", "key": "fs_all_users", "value": ""}]}]},
        "variations": [{"id": "v", "allocation": 100, "modifications": {"type": "FLAG", "value": {"color": value}}}]}]}]})
}

async fn color(fs: &Flagship) -> String {
    let mut visitor = fs.visitor("visitor-1").build().unwrap();
    visitor.synchronize().await;
    visitor.modification("color", "default".to_string()).get()
}

#[tokio::test(start_paused = true)]
async fn polling_takes_a_304_keeps_its_file_and_keeps_the_last_good_one_through_500s_and_drops() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .flagship()
        .set_bucketing_file(one_flag_file("red"))
        .unwrap();
    let events = Events::default();
    let fs = started(
        &sandbox,
        Mode::Bucketing {
            polling_interval: Duration::from_secs(60),
        },
        &events,
    )
    .await;
    assert_eq!(color(&fs).await, "red");

    assert!(
        !fs.refresh_bucketing_file().await.unwrap(),
        "unchanged: a 304"
    );
    let conditional = sandbox
        .journal()
        .entries()
        .into_iter()
        .rfind(|e| e.path.ends_with("/bucketing.json"))
        .unwrap();
    assert_eq!(conditional.status, Some(304));
    assert_eq!(color(&fs).await, "red");

    for faults in [
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            drop_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            latency_ms: 30_000,
            ..Faults::default()
        },
    ] {
        sandbox.set_faults(Service::Flagship, faults.clone());
        assert!(fs.refresh_bucketing_file().await.is_err(), "{faults:?}");
        sandbox.set_faults(Service::Flagship, Faults::default());
        assert_eq!(
            color(&fs).await,
            "red",
            "the last good file, after {faults:?}"
        );
    }
    assert!(events.errors().len() >= 3, "{:?}", events.errors());

    // A change is picked up at the next poll, on the interval.
    sandbox
        .flagship()
        .set_bucketing_file(one_flag_file("green"))
        .unwrap();
    assert_eq!(color(&fs).await, "red");
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(color(&fs).await, "green");
}

#[tokio::test(start_paused = true)]
async fn polling_stops_when_the_last_handle_is_dropped() {
    let sandbox = Sandbox::start().await.unwrap();
    let fs = started(
        &sandbox,
        Mode::Bucketing {
            polling_interval: Duration::from_secs(10),
        },
        &Events::default(),
    )
    .await;
    let clone = fs.clone();
    let downloads = || {
        sandbox
            .journal()
            .entries()
            .into_iter()
            .filter(|e| e.path.ends_with("/bucketing.json"))
            .count()
    };
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(downloads(), 3);
    drop(fs);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(downloads(), 4, "a clone keeps it polling");
    drop(clone);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(downloads(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_slow_or_failing_decision_api_gives_defaults_within_the_timeout() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let fs = started(&sandbox, Mode::DecisionApi, &events).await;
    let mut visitor = fs
        .visitor("visitor-1")
        .context([("plan", "pro".into())])
        .build()
        .unwrap();
    for faults in [
        Faults {
            latency_ms: 60_000,
            ..Faults::default()
        },
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            drop_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            slow_body_ms: 5_000,
            ..Faults::default()
        },
    ] {
        sandbox.set_faults(Service::Flagship, faults.clone());
        let started = tokio::time::Instant::now();
        visitor.synchronize().await;
        assert!(
            started.elapsed() <= Duration::from_secs(2),
            "{faults:?} took {:?}",
            started.elapsed()
        );
        assert!(
            !visitor
                .modification("showBanner", false)
                .activate(true)
                .await,
            "{faults:?}"
        );
    }
    assert!(events.errors().len() >= 4, "{:?}", events.errors());
    // Back to normal: the flags arrive, and stay through a later failure.
    sandbox.set_faults(Service::Flagship, Faults::default());
    visitor.synchronize().await;
    assert!(visitor.modification("showBanner", false).get());
    sandbox.set_faults(
        Service::Flagship,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    visitor.synchronize().await;
    assert!(visitor.modification("showBanner", false).get());
}

/// A loopback server that answers every request with `status` and `body`.
async fn hostile(status: u16, body: &'static str) -> String {
    use axum::http::StatusCode;
    let app = axum::Router::new().fallback(move || async move {
        (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            body,
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(start_paused = true)]
async fn garbage_answers_give_defaults_and_a_logged_error() {
    for (status, body) in [
        (200, "<html>not json</html>"),
        (200, r#"{"campaigns": [{"id": 3}]}"#),
        (200, r#"{"campaigns": "many"}"#),
        (400, r#"{"message": "bad"}"#),
        (302, ""),
    ] {
        let url = hostile(status, body).await;
        for mode in [
            Mode::DecisionApi,
            Mode::Bucketing {
                polling_interval: Duration::from_secs(60),
            },
        ] {
            let events = Events::default();
            let recorder = events.clone();
            let fs = Flagship::builder("env", "key")
                .endpoints(&url, &url, &url)
                .on_event(move |e| recorder.0.lock().unwrap().push(e.clone()))
                .mode(mode)
                .start()
                .await
                .unwrap();
            let mut visitor = fs.visitor("v").build().unwrap();
            visitor.synchronize().await;
            assert_eq!(
                visitor.modification("color", "default".to_string()).get(),
                "default"
            );
            assert!(!events.errors().is_empty(), "{status} {body} in {mode:?}");
            assert!(events.errors().iter().all(|e| !e.contains("key\"")));
        }
    }
}
