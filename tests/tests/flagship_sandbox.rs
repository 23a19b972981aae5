//! The Flagship layer end to end against the sandbox, in both decision modes: flags, activation,
//! experience continuity, panic mode, hits, the visitor cache, and never breaking the caller when the
//! services are down, slow or garbled (tokio's paused clock).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdp::flagship::{
    Event, FlagsStatus, Flagship, FlagshipBuilder, Hit, Level, Mode, VisitorCache,
};
use cdp_sandbox::{Faults, Sandbox, Service};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};

/// The events the layer reported.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<Event>>>);

impl Events {
    fn all(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
    fn at(&self, level: Level) -> Vec<String> {
        self.all()
            .into_iter()
            .filter(|e| e.level == level)
            .map(|e| e.message)
            .collect()
    }
}

fn builder(sandbox: &Sandbox, events: &Events) -> FlagshipBuilder {
    let (urls, keys) = (sandbox.urls(), sandbox.credentials());
    let events = events.clone();
    Flagship::builder(&keys.flagship_env_id, &keys.flagship_api_key)
        .endpoints(
            &urls.flagship_decision,
            &urls.flagship_cdn,
            &urls.flagship_hits,
        )
        .on_event(move |e| events.0.lock().unwrap().push(e.clone()))
}

#[derive(Debug, Deserialize, PartialEq)]
struct Discount {
    percent: u32,
    code: String,
}

fn pro_context() -> [(&'static str, cdp::flagship::ContextValue); 5] {
    [
        ("plan", "PRO".into()),
        ("age", 30.into()),
        ("country", "it".into()),
        ("email", "ada@EXAMPLE.com".into()),
        ("score", 0.75.into()),
    ]
}

#[tokio::test]
async fn decision_api_flags_typed_by_default_info_and_activation() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let fs = builder(&sandbox, &events).start().await.unwrap();
    let mut visitor = fs
        .visitor("visitor-1")
        .context(pro_context())
        .build()
        .unwrap();
    assert!(
        !visitor.modification("showBanner", false).get(),
        "defaults before synchronising"
    );
    visitor.synchronize().await;
    assert!(visitor.modification("showBanner", false).get());
    let discount: Option<Discount> = visitor.modification("discount", None).get();
    assert_eq!(
        discount,
        Some(Discount {
            percent: 10,
            code: "SUD10".into()
        })
    );
    let raw: Value = visitor.modification("discount", Value::Null).get();
    assert_eq!(raw["percent"], 10);
    // A flag of another type gives the default and a warning, never a panic.
    assert_eq!(visitor.modification("btnColor", 7_i64).get(), 7);
    assert!(
        events
            .at(Level::Warning)
            .iter()
            .any(|m| m.contains("btnColor")),
        "{:?}",
        events.all()
    );
    assert_eq!(visitor.modification("missing", 1.5).get(), 1.5);

    let color: String = visitor
        .modification("btnColor", "none".to_string())
        .activate(true)
        .await;
    assert!(
        ["blue", "red", "green"].contains(&color.as_str()),
        "{color}"
    );
    let info = visitor.modification_info("btnColor").unwrap();
    let activations = sandbox.flagship().activations();
    assert_eq!(activations.len(), 1, "{activations:?}");
    let activation = &activations[0];
    assert_eq!(activation["vid"], "visitor-1");
    assert_eq!(activation["cid"], sandbox.credentials().flagship_env_id);
    assert_eq!(activation["caid"], info.variation_group_id);
    assert_eq!(activation["vaid"], info.variation_id);
    assert_eq!(info.is_reference, color == "blue");

    // Reading without `.activate(true)` sends nothing; `activate` of a missing flag neither.
    let _: String = visitor.modification("btnColor", String::new()).await;
    visitor.activate("missing").await.unwrap();
    assert_eq!(sandbox.flagship().activations().len(), 1);
    assert!(events.at(Level::Error).is_empty(), "{:?}", events.all());
}

#[tokio::test]
async fn a_visitor_gets_the_same_flags_in_both_modes() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let api = builder(&sandbox, &events).start().await.unwrap();
    let local = builder(&sandbox, &events)
        .bucketing()
        .start()
        .await
        .unwrap();
    assert!(matches!(local.mode(), Mode::Bucketing { .. }));
    for (i, context) in [
        vec![("plan", "pro".into())],
        vec![("isVIP", true.into()), ("age", 17.into())],
        pro_context().to_vec(),
        vec![
            ("age", 40.into()),
            ("country", "DE".into()),
            ("email", "a@example.com".into()),
        ],
    ]
    .into_iter()
    .enumerate()
    {
        for id in [
            format!("visitor-{i}"),
            format!("beta-{i}"),
            format!("Someone {i}"),
        ] {
            let mut a = api.visitor(&id).context(context.clone()).build().unwrap();
            let mut b = local.visitor(&id).context(context.clone()).build().unwrap();
            a.synchronize().await;
            b.synchronize().await;
            // `null` (a key the Decision API exposes without a value) reads as the default, as a
            // missing key does; the sandbox's rollout campaign uses bucketRanges, which SDKs (and this
            // layer) ignore.
            let set = |values: serde_json::Map<String, Value>| {
                values
                    .into_iter()
                    .filter(|(k, v)| !v.is_null() && k != "newSearch")
                    .collect::<serde_json::Map<_, _>>()
            };
            let (remote, local) = (set(a.decision().values()), set(b.decision().values()));
            assert_eq!(remote, local, "visitor {id} with {context:?}");
            assert!(!remote.is_empty());
        }
    }
    // Bucketing mode sends the context event the SDK sends.
    let contexts = sandbox.flagship().context_events();
    assert!(
        contexts
            .iter()
            .any(|e| e["visitorId"] == "visitor-2" && e["data"]["country"] == "it"),
        "{contexts:?}"
    );
    assert!(events.at(Level::Error).is_empty(), "{:?}", events.all());
}

#[tokio::test]
async fn experience_continuity_in_campaigns_activations_and_hits() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let fs = builder(&sandbox, &events).start().await.unwrap();
    let mut visitor = fs.visitor("anon-1").build().unwrap();
    visitor.authenticate("user-42").unwrap();
    assert_eq!(
        (visitor.id(), visitor.anonymous_id()),
        ("user-42", Some("anon-1"))
    );
    visitor.synchronize().await;
    visitor.activate("btnColor").await.unwrap();
    visitor.send_hit(Hit::screen("home")).await.unwrap();
    let activation = sandbox.flagship().activations().pop().unwrap();
    assert_eq!(
        (&activation["vid"], &activation["aid"]),
        (&json!("user-42"), &json!("anon-1"))
    );
    let hit = sandbox.flagship().hits().pop().unwrap();
    assert_eq!(
        (&hit["vid"], &hit["cuid"]),
        (&json!("anon-1"), &json!("user-42"))
    );

    visitor.unauthenticate();
    assert_eq!((visitor.id(), visitor.anonymous_id()), ("anon-1", None));
    visitor.send_hit(Hit::screen("home")).await.unwrap();
    let hit = sandbox.flagship().hits().pop().unwrap();
    assert_eq!(hit["vid"], "anon-1");
    assert!(hit.get("cuid").is_none_or(Value::is_null), "{hit}");
    assert!(visitor.authenticate("").is_err());

    // An authenticated visitor gets an anonymous id at once; bucketing mode ignores continuity.
    let born = fs.visitor("user-7").authenticated(true).build().unwrap();
    assert!(born.anonymous_id().is_some());
    let local = builder(&sandbox, &events)
        .bucketing()
        .start()
        .await
        .unwrap();
    let mut offline = local.visitor("anon-2").authenticated(true).build().unwrap();
    assert_eq!(offline.anonymous_id(), None);
    offline.authenticate("user-2").unwrap();
    assert_eq!((offline.id(), offline.anonymous_id()), ("anon-2", None));
    assert!(
        events
            .at(Level::Warning)
            .iter()
            .any(|m| m.contains("bucketing mode"))
    );
}

#[tokio::test]
async fn panic_mode_gives_defaults_and_sends_nothing_in_both_modes() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.flagship().set_panic(true);
    let events = Events::default();
    for fs in [
        builder(&sandbox, &events).start().await.unwrap(),
        builder(&sandbox, &events)
            .bucketing()
            .start()
            .await
            .unwrap(),
    ] {
        let mut visitor = fs
            .visitor("visitor-1")
            .context([("plan", "pro".into())])
            .build()
            .unwrap();
        visitor.synchronize().await;
        assert!(visitor.decision().is_panic());
        assert!(
            !visitor
                .modification("showBanner", false)
                .activate(true)
                .await
        );
        visitor.activate("showBanner").await.unwrap();
        visitor.send_hit(Hit::screen("home")).await.unwrap();
    }
    assert!(sandbox.flagship().activations().is_empty());
    assert!(sandbox.flagship().hits().is_empty());
    assert!(sandbox.flagship().context_events().is_empty());
}

#[tokio::test]
async fn invalid_hits_are_refused_before_sending_and_valid_ones_arrive() {
    let sandbox = Sandbox::start().await.unwrap();
    let fs = builder(&sandbox, &Events::default()).start().await.unwrap();
    let visitor = fs.visitor("visitor-1").build().unwrap();
    let invalid = [
        (Hit::page("/relative"), "url"),
        (Hit::page("mailto:a@example.com"), "url"),
        (Hit::screen(" "), "name"),
        (Hit::transaction("", "goal"), "transaction_id"),
        (Hit::transaction("t", ""), "affiliation"),
        (Hit::item("t", "Tea", ""), "code"),
        (
            Hit::event(cdp::flagship::EventCategory::UserEngagement, "a").value(0),
            "value",
        ),
        (
            Hit::event(cdp::flagship::EventCategory::UserEngagement, ""),
            "action",
        ),
        (Hit::transaction("t", "g").revenue(f64::NAN), "revenue"),
        (Hit::item("t", "Tea", "S").price(f64::INFINITY), "price"),
        (Hit::screen("s").value(2), "value"),
    ];
    for (hit, field) in invalid {
        match visitor.send_hit(hit).await {
            Err(cdp::Error::InvalidInput { field: Some(f), .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(sandbox.flagship().hits().is_empty());
    visitor
        .send_hit(Hit::page("https://example.com/a?b=c"))
        .await
        .unwrap();
    visitor
        .send_hit(Hit::event(cdp::flagship::EventCategory::ActionTracking, "buy").value(5))
        .await
        .unwrap();
    let hits = sandbox.flagship().hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        (&hits[0]["t"], &hits[0]["dl"]),
        (&json!("PAGEVIEW"), &json!("https://example.com/a?b=c"))
    );
    assert_eq!(
        (&hits[1]["ec"], &hits[1]["ev"]),
        (&json!("Action Tracking"), &json!(5.0))
    );
}

#[tokio::test]
async fn a_delivery_that_fails_is_an_error_for_the_caller() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let fs = builder(&sandbox, &events).start().await.unwrap();
    let mut visitor = fs.visitor("visitor-1").build().unwrap();
    visitor.synchronize().await;
    sandbox.set_faults(
        Service::Flagship,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    let err = visitor.send_hit(Hit::screen("home")).await.unwrap_err();
    assert!(matches!(err.status(), Some(500 | 503)), "{err:?}");
    let err = visitor.activate("btnColor").await.unwrap_err();
    assert!(matches!(err.status(), Some(500 | 503)), "{err:?}");
    assert!(
        events
            .at(Level::Error)
            .iter()
            .any(|m| m.contains("activation"))
    );
}

#[test]
fn a_non_finite_context_value_is_an_error_at_the_call() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let fs = Flagship::builder("env", "key").start().await.unwrap();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = fs
                .visitor("v")
                .context([("score", bad.into())])
                .build()
                .unwrap_err();
            assert!(
                matches!(err, cdp::Error::InvalidInput { field: Some(ref f), .. } if f == "score"),
                "{err:?}"
            );
        }
        let mut visitor = fs.visitor("").context([("a", 1.into())]).build().unwrap();
        assert_eq!(visitor.id().len(), 36, "a generated id");
        assert!(
            visitor
                .update_context([("b", 2.into()), ("c", f64::NAN.into())])
                .is_err()
        );
        assert!(
            !visitor.context().contains_key("b"),
            "nothing changes on an error"
        );
        visitor.update_context_value("b", 2).unwrap();
        assert_eq!(visitor.context().len(), 2);
    });
}

#[tokio::test]
async fn start_fails_only_on_an_invalid_configuration() {
    for builder in [
        Flagship::builder("", "key"),
        Flagship::builder("env", ""),
        Flagship::builder("env", "bad\nkey"),
        Flagship::builder("env", "key").decision_url("decision.flagship.io"),
        Flagship::builder("env", "key").cdn_url("ftp://cdn"),
        Flagship::builder("env", "key").timeout(Duration::ZERO),
        Flagship::builder("env", "key").mode(Mode::Bucketing {
            polling_interval: Duration::ZERO,
        }),
    ] {
        let err = builder.start().await.unwrap_err();
        assert!(matches!(err, cdp::Error::Config { .. }), "{err:?}");
        assert!(!err.to_string().contains("bad\nkey"));
    }
    // Nothing listens there: bucketing mode still starts, visitors keep their defaults.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let events = Events::default();
    let recorder = events.clone();
    let fs = Flagship::builder("env", "key")
        .endpoints(&dead, &dead, &dead)
        .on_event(move |e| recorder.0.lock().unwrap().push(e.clone()))
        .bucketing()
        .start()
        .await
        .unwrap();
    assert!(fs.bucketing_file().is_none());
    let mut visitor = fs.visitor("v").build().unwrap();
    visitor.synchronize().await;
    assert_eq!(
        visitor.modification("btnColor", "blue".to_string()).get(),
        "blue"
    );
    assert!(events.at(Level::Error).len() >= 2, "{:?}", events.all());
    assert!(!format!("{fs:?}").contains("key\""));
}

#[tokio::test]
async fn the_api_key_is_never_shown() {
    let sandbox = Sandbox::start().await.unwrap();
    let key = sandbox.credentials().flagship_api_key.clone();
    let events = Events::default();
    let builder = builder(&sandbox, &events).bucketing();
    assert!(!format!("{builder:?}").contains(&key));
    let fs = builder.start().await.unwrap();
    let mut visitor = fs.visitor("v").build().unwrap();
    visitor.synchronize().await;
    assert!(!format!("{fs:?} {visitor:?}").contains(&key));
    sandbox.set_faults(
        Service::Flagship,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    assert!(fs.refresh_bucketing_file().await.is_err());
    let err = visitor.activate("btnColor").await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&key));
    assert!(!events.all().is_empty());
    assert!(events.all().iter().all(|e| !e.message.contains(&key)));
    // Outside a runtime, starting bucketing mode is a typed error, not a panic.
    let outside = std::thread::spawn(|| {
        futures::executor::block_on(Flagship::builder("env", "key").bucketing().start()).err()
    })
    .join()
    .unwrap();
    assert!(
        matches!(outside, Some(cdp::Error::Config { .. })),
        "{outside:?}"
    );
}

#[derive(Default)]
struct Memory(Mutex<HashMap<String, Value>>);

impl VisitorCache for Memory {
    fn save<'a>(&'a self, visitor_id: &'a str, entry: Value) -> BoxFuture<'a, ()> {
        self.0.lock().unwrap().insert(visitor_id.to_owned(), entry);
        Box::pin(async {})
    }
    fn lookup<'a>(&'a self, visitor_id: &'a str) -> BoxFuture<'a, Option<Value>> {
        let entry = self.0.lock().unwrap().get(visitor_id).cloned();
        Box::pin(async move { entry })
    }
}

#[derive(Clone, Default)]
struct Shared(Arc<Memory>);

impl VisitorCache for Shared {
    fn save<'a>(&'a self, visitor_id: &'a str, entry: Value) -> BoxFuture<'a, ()> {
        self.0.save(visitor_id, entry)
    }
    fn lookup<'a>(&'a self, visitor_id: &'a str) -> BoxFuture<'a, Option<Value>> {
        self.0.lookup(visitor_id)
    }
}

#[tokio::test]
async fn the_visitor_cache_keeps_variations_across_restarts_and_ignores_bad_entries() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let cache = Shared::default();
    let file = sandbox.flagship().bucketing_file();
    let ab = &file["campaigns"][0]["variationGroups"][0]["variations"];
    let variation_of = |color: &str| {
        ab.as_array()
            .unwrap()
            .iter()
            .find(|v| v["modifications"]["value"]["btnColor"] == color)
            .unwrap()["id"]
            .clone()
    };
    let fs = builder(&sandbox, &events)
        .bucketing()
        .visitor_cache(cache.clone())
        .start()
        .await
        .unwrap();
    let mut visitor = fs.visitor("visitor-1").build().unwrap();
    visitor.synchronize().await;
    let first: String = visitor.modification("btnColor", String::new()).get();
    let saved = cache.0.0.lock().unwrap().get("visitor-1").cloned().unwrap();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["data"]["vId"], "visitor-1");
    assert!(
        saved["data"]["vaIds"]
            .as_array()
            .unwrap()
            .contains(&variation_of(&first))
    );

    // Another colour in the cache wins over the allocation, after a restart.
    let other = if first == "red" { "green" } else { "red" };
    cache.0.0.lock().unwrap().insert(
        "visitor-1".into(),
        json!({"version": 1, "data": {"vId": "visitor-1", "vaIds": [variation_of(other)]}}),
    );
    drop(fs);
    let fs = builder(&sandbox, &events)
        .bucketing()
        .visitor_cache(cache.clone())
        .start()
        .await
        .unwrap();
    let mut visitor = fs.visitor("visitor-1").build().unwrap();
    visitor.synchronize().await;
    assert_eq!(visitor.modification("btnColor", String::new()).get(), other);

    cache.0.0.lock().unwrap().insert(
        "visitor-2".into(),
        json!({"version": 1, "data": {"vaIds": 3}}),
    );
    let mut visitor = fs.visitor("visitor-2").build().unwrap();
    visitor.synchronize().await;
    assert!(
        !visitor
            .modification("btnColor", String::new())
            .get()
            .is_empty()
    );
    assert!(
        events
            .at(Level::Warning)
            .iter()
            .any(|m| m.contains("visitor-2") && m.contains("ignored")),
        "{:?}",
        events.all()
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_synchronisation_keeps_the_last_good_flags_and_says_so() {
    let sandbox = Sandbox::start().await.unwrap();
    let events = Events::default();
    let fs = builder(&sandbox, &events).start().await.unwrap();
    let mut visitor = fs
        .visitor("visitor-1")
        .context(pro_context())
        .build()
        .unwrap();
    assert_eq!(visitor.flags_status(), FlagsStatus::Defaults);
    let down = Faults {
        error_rate: 1.0,
        ..Faults::default()
    };

    // No synchronisation has succeeded yet: defaults, and an error to the hook.
    sandbox.set_faults(Service::Flagship, down.clone());
    assert_eq!(visitor.synchronize().await, FlagsStatus::Defaults);
    assert!(!visitor.modification("showBanner", false).get());
    assert_eq!(events.at(Level::Error).len(), 1, "{:?}", events.all());

    sandbox.set_faults(Service::Flagship, Faults::default());
    assert_eq!(visitor.synchronize().await, FlagsStatus::Fresh);
    assert!(visitor.modification("showBanner", false).get());
    let info = visitor.modification_info("btnColor").unwrap();

    // Down, then slow: the flags of the last good synchronisation stay, and the status says so.
    for faults in [
        down,
        Faults {
            latency_ms: 60_000,
            ..Faults::default()
        },
    ] {
        sandbox.set_faults(Service::Flagship, faults.clone());
        let started = tokio::time::Instant::now();
        assert_eq!(visitor.synchronize().await, FlagsStatus::Kept, "{faults:?}");
        assert!(started.elapsed() <= Duration::from_secs(2), "{faults:?}");
        assert_eq!(visitor.flags_status(), FlagsStatus::Kept);
        assert!(
            visitor.modification("showBanner", false).get(),
            "{faults:?}"
        );
        assert_eq!(visitor.modification_info("btnColor"), Some(info.clone()));
    }
    let errors = events.at(Level::Error);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors.iter().all(|e| e.contains("kept")), "{errors:?}");
    assert!(errors[2].contains("did not answer within 2s"), "{errors:?}");

    sandbox.set_faults(Service::Flagship, Faults::default());
    assert_eq!(visitor.synchronize().await, FlagsStatus::Fresh);
}

#[tokio::test(start_paused = true)]
async fn panic_mode_is_a_status_of_its_own_and_a_failure_keeps_it() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.flagship().set_panic(true);
    let events = Events::default();
    let fs = builder(&sandbox, &events).start().await.unwrap();
    let mut visitor = fs
        .visitor("visitor-1")
        .context(pro_context())
        .build()
        .unwrap();
    assert_eq!(visitor.synchronize().await, FlagsStatus::Panic);
    sandbox.set_faults(
        Service::Flagship,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    assert_eq!(visitor.synchronize().await, FlagsStatus::Panic);
    assert!(!visitor.modification("showBanner", false).get());
    sandbox.set_faults(Service::Flagship, Faults::default());
    sandbox.flagship().set_panic(false);
    assert_eq!(visitor.synchronize().await, FlagsStatus::Fresh);
    assert!(visitor.modification("showBanner", false).get());
}

#[tokio::test(start_paused = true)]
async fn bucketing_mode_without_a_file_gives_defaults_until_one_arrives() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_faults(
        Service::Flagship,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    let events = Events::default();
    let fs = builder(&sandbox, &events)
        .mode(Mode::Bucketing {
            polling_interval: Duration::from_secs(60),
        })
        .start()
        .await
        .unwrap();
    let mut visitor = fs
        .visitor("visitor-1")
        .context(pro_context())
        .build()
        .unwrap();
    assert_eq!(visitor.synchronize().await, FlagsStatus::Defaults);
    sandbox.set_faults(Service::Flagship, Faults::default());
    tokio::time::sleep(Duration::from_secs(61)).await;
    assert_eq!(visitor.synchronize().await, FlagsStatus::Fresh);
    assert!(visitor.modification("showBanner", false).get());
}

/// A transport that never answers, and ignores the request's timeout: only the layer's own deadline
/// ends a call.
#[derive(Debug)]
struct NeverAnswers;

impl cdp::transport::Transport for NeverAnswers {
    fn execute<'a>(
        &'a self,
        _client: &'a reqwest::Client,
        _request: reqwest::Request,
        _operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(futures::future::pending())
    }
}

#[tokio::test(start_paused = true)]
async fn the_layer_s_own_deadline_is_a_typed_timeout() {
    let timeout = Duration::from_millis(1500);
    let fs = Flagship::builder("env", "key")
        .timeout(timeout)
        .configure(|c| c.transport(NeverAnswers))
        .start()
        .await
        .unwrap();
    let visitor = fs.visitor("visitor-1").build().unwrap();
    let started = tokio::time::Instant::now();
    let err = visitor.send_hit(Hit::screen("home")).await.unwrap_err();
    assert_eq!(started.elapsed(), timeout);
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        matches!(
            err,
            cdp::Error::Timeout {
                service: "Flagship",
                after: Some(after)
            } if after == timeout
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "Flagship did not answer within 1.5s");
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_times_out_in_the_transport_is_a_typed_timeout() {
    // The generated client alone, with a per-attempt timeout shorter than the call's: the transport's
    // timeout ends the attempt, and no retry fits in what is left.
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_faults(
        Service::Flagship,
        Faults {
            latency_ms: 60_000,
            ..Faults::default()
        },
    );
    let (urls, keys) = (sandbox.urls(), sandbox.credentials());
    let config = cdp::transport::ClientConfig::new(&urls.flagship_decision)
        .timeout(Duration::from_secs(5))
        .attempt_timeout(Duration::from_millis(700))
        .retry(cdp::transport::RetryPolicy::none());
    let (http, inner) = config
        .build(
            "flagship",
            cdp::transport::Auth::api_key("x-api-key", &keys.flagship_api_key),
        )
        .unwrap();
    let client = cdp::flagship::api::Client::new_with_client(config.url(), http, inner);
    let started = tokio::time::Instant::now();
    let err: cdp::Error = client
        .activate()
        .body_map(|b| b.cid(keys.flagship_env_id.clone()))
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        matches!(
            err,
            cdp::Error::Timeout {
                service: "Flagship",
                after: Some(after)
            } if after == Duration::from_millis(700)
        ),
        "{err:?}"
    );
}
