//! No value can change a request's route: every path value, in every client, goes through
//! `cdp_transport::path::segment`, which keeps it one segment or refuses it with a typed error before
//! anything is sent.

use cdp::contacthub::{Node, Workspace};
use cdp_sandbox::{Config, Sandbox};
use cdp_tests::Recorder;
use cdp_transport::path::{PathError, Refusal, segment};
use cdp_transport::{Auth, RetryPolicy};
use proptest::prelude::*;

/// A value that walks, breaks or ends a path in every way a URL parser or server might read it.
const HOSTILE: &str = "..\\..\\x/y?z=1#f%2e%2E%2F;.. ";

/// One round of percent-decoding, written here apart from the encoder it checks: a `%` not followed by
/// two hex digits stays as it is.
fn decode(segment: &str) -> Vec<u8> {
    decode_bytes(segment.as_bytes())
}

fn decode_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let escape = bytes
            .get(at + 1..at + 3)
            .filter(|hex| bytes[at] == b'%' && hex.iter().all(u8::is_ascii_hexdigit));
        match escape {
            Some(hex) => {
                let hex = std::str::from_utf8(hex).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    out
}

/// The segments of a URL's path, as sent (still encoded).
fn segments(url: &reqwest::Url) -> Vec<String> {
    url.path_segments()
        .map(|s| s.map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Whether `value` is one the encoder must refuse: empty, or `.`/`..` after some rounds of decoding.
fn must_be_refused(value: &str) -> bool {
    refusal_of(value).is_some()
}

/// What the encoder must refuse `value` as, written here apart from it: empty, or reading as `.`/`..`
/// (or as nothing) after some rounds of percent-decoding and a normalising server's reading
/// ([`dots_read`]).
fn refusal_of(value: &str) -> Option<Refusal> {
    let mut current = value.as_bytes().to_vec();
    if current.is_empty() {
        return Some(Refusal::Empty);
    }
    loop {
        match dots_read(&current) {
            Some(0) => return Some(Refusal::Empty),
            Some(1) => return Some(Refusal::CurrentSegment),
            Some(2) => return Some(Refusal::ParentSegment),
            _ => {}
        }
        let next = decode_bytes(&current);
        if next == current {
            return None;
        }
        current = next;
    }
}

/// Default-ignorable code points (DerivedCoreProperties, Unicode 14, as Perl's tables list them): a
/// server applying NFKC_Casefold drops them.
const IGNORABLE: [(u32, u32); 17] = [
    (0xAD, 0xAD),
    (0x34F, 0x34F),
    (0x61C, 0x61C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// The dots of a character after NFKC, for every character whose NFKC is only dots (Python's
/// `unicodedata` over all code points), and of the ideographic full stops IDNA maps to `.`.
fn dots_of(c: char) -> Option<usize> {
    match c {
        '.' | '\u{2024}' | '\u{FE52}' | '\u{FF0E}' | '\u{3002}' | '\u{FF61}' => Some(1),
        '\u{2025}' | '\u{FE30}' => Some(2),
        '\u{2026}' | '\u{FE19}' => Some(3),
        c if IGNORABLE
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&u32::from(c))) =>
        {
            Some(0)
        }
        _ => None,
    }
}

/// How many dots `bytes` reads as when it is nothing but dots once normalised, invisible code points
/// dropped, or overlong UTF-8 forms of `.` read as it.
fn dots_read(bytes: &[u8]) -> Option<usize> {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.chars().map(dots_of).sum(),
        Err(_) => {
            let mut rest = bytes;
            let mut count = 0;
            while !rest.is_empty() {
                let form = [&b"."[..], b"\xC0\xAE", b"\xE0\x80\xAE", b"\xF0\x80\x80\xAE"]
                    .into_iter()
                    .find(|form| rest.starts_with(form))?;
                rest = &rest[form.len()..];
                count += 1;
            }
            Some(count)
        }
    }
}

/// Strings made mostly of what attacks a path: dots, slashes, backslashes, escapes of them.
fn pathy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            ".",
            "..",
            "/",
            "\\",
            "%",
            "%2e",
            "%2E",
            "%2f",
            "%5C",
            "%25",
            "2e",
            "?",
            "#",
            ";",
            " ",
            "a",
            "é",
            "\u{0}",
            // Look-alikes of `.`, invisible code points, and their escapes.
            "\u{2024}",
            "\u{2025}",
            "\u{FE30}",
            "\u{FF0E}",
            "\u{3002}",
            "\u{200B}",
            "\u{AD}",
            "\u{E0041}",
            "%E2%80%A4",
            "%EF%BC%8E",
            "%E2%80%8B",
            "%C0%AE",
            "%E0%80%AE",
            "%C0",
        ]),
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A URL built with the encoder has exactly the intended segments, each decoding back to its value;
    /// the values it refuses are exactly those that are empty or read as `.`/`..`.
    #[test]
    fn a_segment_is_one_segment_that_decodes_to_its_value(
        value in prop_oneof![any::<String>(), pathy()],
        other in pathy(),
    ) {
        match (segment("value", &value), segment("other", &other)) {
            (Ok(encoded), Ok(second)) => {
                prop_assert!(!must_be_refused(&value));
                let url = reqwest::Url::parse(&format!("http://h.invalid/base/{encoded}/mid/{second}/end"))
                    .unwrap();
                prop_assert_eq!(
                    segments(&url),
                    vec!["base".to_owned(), encoded.to_string(), "mid".to_owned(), second.to_string(), "end".to_owned()]
                );
                prop_assert_eq!(decode(&encoded), value.as_bytes());
                prop_assert!(url.query().is_none() && url.fragment().is_none());
            }
            (Err(refused), _) => {
                prop_assert_eq!(Some(refused.refusal()), refusal_of(&value), "{:?} refused: {}", value, refused);
                prop_assert_eq!(refused.field(), "value");
            }
            (_, Err(refused)) => {
                prop_assert!(must_be_refused(&other), "{:?} refused: {}", other, refused);
            }
        }
    }

}

/// One client (building its HTTP client loads the system certificates) and runtime for every case.
struct Hub {
    runtime: tokio::runtime::Runtime,
    recorder: Recorder,
    client: contacthub_api::Client,
}

static HUB: std::sync::LazyLock<Hub> = std::sync::LazyLock::new(|| {
    let (recorder, inner) = Recorder::new(Auth::None);
    Hub {
        runtime: tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        recorder,
        client: contacthub_api::Client::new("https://hub.invalid/hub/v1", inner),
    }
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The same through a generated client: the request path has its six segments, the customer id one
    /// of them, or nothing is sent and the error names the field.
    #[test]
    fn a_generated_call_keeps_each_value_one_segment(value in prop_oneof![any::<String>(), pathy()]) {
        let hub = &*HUB;
        let sent_before = hub.recorder.shapes().len();
        hub.recorder.reply(200, r#"{"id":"c"}"#);
        let call = hub.client.get_customer().workspace_id("w").customer_id(value.as_str()).send();
        match hub.runtime.block_on(call) {
            Ok(_) => {
                let shapes = hub.recorder.shapes();
                prop_assert_eq!(shapes.len(), sent_before + 1);
                let path = &shapes[sent_before].path;
                let url = reqwest::Url::parse(&format!("https://hub.invalid{path}")).unwrap();
                let parts = segments(&url);
                prop_assert_eq!(parts.len(), 6, "{:?}", parts);
                prop_assert_eq!(&parts[..5], &["hub", "v1", "workspaces", "w", "customers"]);
                prop_assert_eq!(decode(&parts[5]), value.as_bytes());
            }
            Err(error) => {
                prop_assert_eq!(hub.recorder.shapes().len(), sent_before, "nothing sent");
                prop_assert!(must_be_refused(&value));
                // The queued answer was not used: take it back for the next case.
                let _ = hub.runtime.block_on(hub.client.get_customer().workspace_id("w").customer_id("c").send());
                let error = cdp::Error::from(error);
                prop_assert!(
                    matches!(&error, cdp::Error::InvalidInput { field: Some(f), .. } if f == "customerId"),
                    "{:?}", error
                );
            }
        }
    }
}

#[test]
fn the_test_decoder_is_right() {
    assert_eq!(decode("a%2Fb%5C%25"), b"a/b\\%");
    assert!(must_be_refused("%252e%2E"));
    assert!(!must_be_refused("%2e%2e%2e"));
    assert!(!must_be_refused("%2"));
    assert_eq!(
        refusal_of("\u{FF0E}%E2%80%8B%2E"),
        Some(Refusal::ParentSegment)
    );
    assert_eq!(refusal_of("%C0%AE"), Some(Refusal::CurrentSegment));
    assert_eq!(refusal_of("\u{200B}"), Some(Refusal::Empty));
    assert_eq!(refusal_of("\u{2026}"), None);
    assert_eq!(refusal_of("\u{2024}x"), None);
}

/// The path of the one request a recorder saw, as decoded segments.
fn sent_segments(recorder: &Recorder) -> Vec<String> {
    let shape = recorder.single();
    let url = reqwest::Url::parse(&format!("https://h.invalid{}", shape.path)).unwrap();
    segments(&url)
        .iter()
        .map(|s| String::from_utf8(decode(s)).unwrap())
        .collect()
}

/// What the generated call of a refused value returns, as `cdp::Error`.
fn assert_refused(error: cdp::Error, field: &str) {
    assert!(
        matches!(&error, cdp::Error::InvalidInput { field: Some(f), .. } if f == field),
        "{error:?}"
    );
}

#[tokio::test]
async fn contacthub_a_hostile_id_stays_one_segment() {
    let (recorder, inner) = Recorder::new(Auth::bearer("t"));
    let client = contacthub_api::Client::new("https://api.contactlab.it/hub/v1", inner);
    recorder.reply(200, "");
    client
        .delete_customer()
        .workspace_id("w1")
        .customer_id(HOSTILE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent_segments(&recorder),
        ["hub", "v1", "workspaces", "w1", "customers", HOSTILE]
    );
    let refused = client
        .delete_customer()
        .workspace_id("%2e%2e")
        .customer_id("c1")
        .send()
        .await
        .unwrap_err();
    assert_refused(refused.into(), "workspaceId");
    assert_eq!(recorder.shapes().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn blueconic_a_hostile_id_stays_one_segment() {
    let (recorder, inner) = Recorder::new(Auth::bearer("t"));
    let client = blueconic_api::Client::new("https://tenant.blueconic.net/rest/v2", inner);
    recorder.reply(200, r#"{"id":"p"}"#);
    client
        .get_profile()
        .profile_id(HOSTILE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent_segments(&recorder),
        ["rest", "v2", "profiles", HOSTILE]
    );
    let refused = client
        .get_segment_profiles()
        .segment_id("..")
        .send()
        .await
        .unwrap_err();
    assert_refused(refused.into(), "segmentId");
    assert_eq!(recorder.shapes().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn customer_profiles_a_hostile_name_stays_one_segment() {
    let (recorder, inner) = Recorder::new(Auth::None);
    let client =
        customer_profiles_api::Client::new("https://profile.eu-west-1.amazonaws.com", inner);
    recorder.reply(
        200,
        r#"{"SegmentDefinitionName":"s","SegmentDefinitionArn":"arn:s"}"#,
    );
    client
        .get_segment_definition()
        .domain_name(HOSTILE)
        .segment_definition_name("a/b")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent_segments(&recorder),
        ["domains", HOSTILE, "segment-definitions", "a/b"]
    );
    let refused = client
        .get_segment_definition()
        .domain_name("shop")
        .segment_definition_name(".")
        .send()
        .await
        .unwrap_err();
    assert_refused(refused.into(), "SegmentDefinitionName");
    assert_eq!(recorder.shapes().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn flagship_a_hostile_environment_stays_one_segment() {
    let (recorder, inner) = Recorder::new(Auth::api_key("x-api-key", "k"));
    let client = flagship_api::Client::new("https://decision.flagship.io", inner);
    recorder.reply(200, r#"{"visitorId":"v","campaigns":[]}"#);
    client
        .get_campaigns()
        .env_id(HOSTILE)
        .body_map(|b| b.visitor_id("v"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent_segments(&recorder), ["v2", HOSTILE, "campaigns"]);
    let refused = client
        .get_bucketing_file()
        .env_id("")
        .send()
        .await
        .unwrap_err();
    assert_refused(refused.into(), "envId");
    assert_eq!(recorder.shapes().len(), 1, "nothing more was sent");
}

#[test]
fn a_refusal_says_what_and_where() {
    let refused = segment("DomainName", "%2E").unwrap_err();
    assert_eq!(refused.refusal(), Refusal::CurrentSegment);
    let error = cdp::Error::from(refused);
    assert_eq!(
        error.to_string(),
        "invalid input: `DomainName` cannot be a path segment: it reads as `.`"
    );
    let carried: contacthub_api::Error<()> = segment("x", "").unwrap_err().into();
    let contacthub_api::Error::CommunicationError(inner) = carried else {
        panic!("carried as a communication error")
    };
    assert_eq!(
        PathError::find_in(&inner).map(PathError::refusal),
        Some(Refusal::Empty)
    );
}

async fn sandbox_node() -> (Sandbox, Node, Vec<String>) {
    let sandbox = Sandbox::start_with(Config::default().customers(3).profiles(1))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let node = Workspace::new(&c.contacthub_workspace, &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .configure(|config| config.retry(RetryPolicy::none()))
        .node(&c.contacthub_node);
    let ids = sandbox.contacthub().customer_ids();
    assert!(ids.len() >= 2);
    (sandbox, node, ids)
}

/// `..\..\other-workspace\customers\ID` once walked out of the caller's workspace (a URL parser reads
/// `\` as `/` and resolves `..`). Now it is one literal id of the caller's workspace: a 404.
#[tokio::test]
async fn a_backslash_id_cannot_leave_its_workspace_on_the_sandbox() {
    let (sandbox, node, ids) = sandbox_node().await;
    let workspace = sandbox.credentials().contacthub_workspace.clone();
    let victim = &ids[1];
    for hostile in [
        format!("..\\..\\other-workspace\\customers\\{victim}"),
        // Back into the caller's own workspace, at a customer the id does not name.
        format!("..\\..\\{workspace}\\customers\\{victim}"),
        format!("..%2F..%2F{workspace}%2Fcustomers%2F{victim}"),
    ] {
        sandbox.journal().clear();
        let err = node.delete_customer(&hostile).await.unwrap_err();
        assert!(
            err.api().is_some_and(|e| e.is_not_found()),
            "{hostile}: {err}"
        );
        assert!(
            sandbox.contacthub().customer(victim).is_some(),
            "{hostile} deleted {victim}"
        );
        let sent = sandbox.journal().entries();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].method, "DELETE");
        assert!(
            sent[0].path.ends_with(&format!(
                "/workspaces/{workspace}/customers/{}",
                segment("id", &hostile).unwrap()
            )),
            "{}",
            sent[0].path
        );
    }
    assert_eq!(sandbox.contacthub().customer_ids(), ids);
}

/// Ids the caller never typed, such as the workspace, and every encoding of `..`, are refused before
/// anything reaches the sandbox.
#[tokio::test]
async fn dot_segments_in_any_encoding_are_refused_before_sending() {
    let (sandbox, node, ids) = sandbox_node().await;
    sandbox.journal().clear();
    for hostile in ["..", "%2e%2e", ".%2E", "%252E%252E", "."] {
        let err = node.delete_customer(hostile).await.unwrap_err();
        assert!(
            matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "customerId"),
            "{hostile}: {err:?}"
        );
        let err = node.add_customer_session(hostile, "s-1").await.unwrap_err();
        assert!(
            matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "customerId"),
            "{hostile}: {err:?}"
        );
    }
    let c = sandbox.credentials().clone();
    let elsewhere = Workspace::new("%2E%2E", &c.contacthub_token)
        .base_url(&sandbox.urls().contacthub)
        .node(&c.contacthub_node);
    let err = elsewhere.delete_customer(&ids[0]).await.unwrap_err();
    assert!(
        matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "workspaceId"),
        "{err:?}"
    );
    assert!(sandbox.journal().entries().is_empty());
    assert_eq!(sandbox.contacthub().customer_ids(), ids);
}

/// Ids that come back from a server go through the same encoder: a 409 naming a hostile customer id makes
/// the forced update PATCH that literal id, one segment, or refuses it with nothing more sent.
#[tokio::test]
async fn an_id_from_a_hostile_server_stays_one_segment() {
    let recorder = Recorder::default();
    let transport = recorder.clone();
    let node = Workspace::new("w1", "t")
        .configure(|c| c.transport(transport).retry(RetryPolicy::none()))
        .node("n1");
    let conflict = |id: &str| {
        serde_json::json!({"message": "Conflict", "data": {"customer": {"id": id}}}).to_string()
    };
    let walking = "..\\..\\other\\customers\\c-7";
    recorder
        .reply(409, &conflict(walking))
        .reply(200, r#"{"id":"c-7"}"#);
    let data = cdp::contacthub::api::types::CustomerUpdate {
        external_id: Some("crm-42".into()),
        ..Default::default()
    };
    node.add_customer(data.clone())
        .force_update(true)
        .send()
        .await
        .unwrap();
    let shapes = recorder.shapes();
    assert_eq!(shapes.len(), 2, "{shapes:#?}");
    assert_eq!(shapes[1].method, "PATCH");
    assert_eq!(
        shapes[1].path,
        "/hub/v1/workspaces/w1/customers/..%5C..%5Cother%5Ccustomers%5Cc-7"
    );

    recorder.reply(409, &conflict("%2E%2E"));
    let err = node
        .add_customer(data)
        .force_update(true)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, cdp::Error::InvalidInput { field: Some(f), .. } if f == "customerId"),
        "{err:?}"
    );
    assert_eq!(recorder.shapes().len(), 3, "only the create was sent");
}
