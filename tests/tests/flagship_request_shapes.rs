//! Request shapes of the Flagship ergonomic layer: the decision, the activation, the bucketing file (first
//! download and conditional refresh), the context event and a hit, as the Python SDK 2.1.x sends them.

use cdp::flagship::{EventCategory, Flagship, Hit, SDK_CLIENT, SDK_VERSION};
use cdp_tests::{Recorder, Shape};

const DECISION: &str = r#"{"visitorId": "user-42", "campaigns": [{"id": "c1", "variationGroupId": "g1",
    "variation": {"id": "v1", "reference": false, "modifications": {"type": "FLAG", "value": {"btnColor": "red"}}}}]}"#;

const FILE: &str = r#"{"campaigns": [{"id": "c1", "type": "toggle", "variationGroups": [{"id": "g1",
    "targeting": {"targetingGroups": [{"targetings": [{"operator": "EQUALS", "key": "fs_all_users", "value": ""}]}]},
    "variations": [{"id": "v1", "allocation": 100, "modifications": {"type": "FLAG", "value": {"dark": true}}}]}]}]}"#;

/// `x-sdk-client` and `x-sdk-version` name this library and its version (never `python`). The
/// snapshots redact the version, which changes with every release.
fn assert_sdk_headers(shapes: &[Shape]) {
    assert_eq!(SDK_CLIENT, "cdp-rust");
    for shape in shapes {
        assert_eq!(shape.headers["x-sdk-client"], SDK_CLIENT, "{shape:?}");
        assert_eq!(shape.headers["x-sdk-version"], SDK_VERSION, "{shape:?}");
    }
}

async fn started(recorder: &Recorder, bucketing: bool) -> Flagship {
    let builder =
        Flagship::builder("env-1", "secret-api-key").configure(|c| c.transport(recorder.clone()));
    let builder = if bucketing {
        builder.bucketing()
    } else {
        builder
    };
    builder.start().await.unwrap()
}

#[tokio::test]
async fn decision_activation_and_hit_of_an_authenticated_visitor() {
    let recorder = Recorder::default();
    recorder.reply(200, DECISION).reply(204, "").reply(200, "");
    let fs = started(&recorder, false).await;
    let mut visitor = fs
        .visitor("anonymous-1")
        .context([
            ("plan", "pro".into()),
            ("age", 31.into()),
            ("isVIP", true.into()),
            ("score", 0.5.into()),
            ("fs_internal", "not sent".into()),
        ])
        .build()
        .unwrap();
    visitor.authenticate("user-42").unwrap();
    visitor.synchronize().await;
    let color: String = visitor
        .modification("btnColor", "blue".to_string())
        .activate(true)
        .await;
    assert_eq!(color, "red");
    visitor
        .send_hit(
            Hit::event(EventCategory::ActionTracking, "click-buy")
                .label("header")
                .value(3)
                .user_ip("203.0.113.7")
                .screen_resolution(1920, 1080)
                .locale("fr-FR")
                .session_number(2)
                .queue_time_ms(15),
        )
        .await
        .unwrap();
    let shapes = recorder.shapes();
    assert_eq!(shapes.len(), 3, "{shapes:#?}");
    // The decision and the activation name this library, as the SDK names itself; hits do not.
    assert_sdk_headers(&shapes[..2]);
    assert!(!shapes[2].headers.contains_key("x-sdk-client"));
    insta::assert_yaml_snapshot!("flagship_campaigns", shapes[0], {".headers[\"x-sdk-version\"]" => "<the cdp crate's version>"});
    insta::assert_yaml_snapshot!("flagship_activate", shapes[1], {".headers[\"x-sdk-version\"]" => "<the cdp crate's version>"});
    insta::assert_yaml_snapshot!("flagship_event_hit", shapes[2]);
}

#[tokio::test]
async fn bucketing_file_refresh_and_context_event() {
    let recorder = Recorder::default();
    let modified = [("last-modified", "Wed, 21 Oct 2026 07:28:00 GMT")];
    recorder
        .reply_with_headers(200, &modified, FILE)
        .reply(304, "")
        .reply(204, "");
    let fs = started(&recorder, true).await;
    assert!(!fs.refresh_bucketing_file().await.unwrap());
    let mut visitor = fs
        .visitor("visitor-1")
        .context([("plan", "pro".into()), ("fs_internal", true.into())])
        .build()
        .unwrap();
    visitor.synchronize().await;
    assert!(visitor.modification("dark", false).get());
    let shapes = recorder.shapes();
    assert_eq!(shapes.len(), 3, "{shapes:#?}");
    // The context event names this library; the bucketing file's downloads do not, as in the SDK.
    assert_sdk_headers(&shapes[2..]);
    assert!(!shapes[0].headers.contains_key("x-sdk-client"));
    insta::assert_yaml_snapshot!("flagship_bucketing_file", shapes[0]);
    insta::assert_yaml_snapshot!("flagship_bucketing_file_if_modified_since", shapes[1]);
    insta::assert_yaml_snapshot!("flagship_context_event", shapes[2], {".headers[\"x-sdk-version\"]" => "<the cdp crate's version>"});
}

#[tokio::test]
async fn page_screen_transaction_and_item_hits() {
    let recorder = Recorder::default();
    recorder.reply(200, r#"{"campaigns": []}"#);
    let fs = started(&recorder, false).await;
    let mut visitor = fs.visitor("visitor-1").build().unwrap();
    visitor.synchronize().await;
    let hits = [
        Hit::page("https://example.com/checkout"),
        Hit::screen("home"),
        Hit::transaction("tid-1", "checkout")
            .revenue(19.9)
            .shipping(4.5)
            .taxes(3.2)
            .currency("EUR")
            .coupon("SUD10")
            .payment_method("card")
            .shipping_method("post")
            .item_count(2),
        Hit::item("tid-1", "Tea", "SKU-9")
            .price(9.95)
            .quantity(2)
            .category("drinks"),
    ];
    for hit in hits {
        visitor.send_hit(hit).await.unwrap();
    }
    let shapes = recorder.shapes();
    assert_eq!(shapes.len(), 5, "{shapes:#?}");
    insta::assert_yaml_snapshot!("flagship_hits", &shapes[1..]);
}
