//! The transport against a hostile server on loopback: redirects are refused whatever the auth, bodies
//! are read within their caps, a body cut short is read again, a stalled attempt is given up in time,
//! the OAuth2 token fetch is shared, bounded and patient as the endpoint asks, and credentials a server
//! echoes never reach an error's text or `Debug`.

mod hostile;

use std::sync::Arc;
use std::time::Duration;

use cdp_transport::{
    Auth, AwsCredentials, ClientConfig, ClientCredentials, Inner, RetryPolicy, SigV4,
};
use hostile::{Hostile, Reply, cut_short, json, reply};

const TOKEN: &str = r#"{"access_token":"acc3ss-t0ken","token_type":"bearer","expires_in":3600}"#;

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
}

fn auths(base: &str) -> Vec<(&'static str, Auth)> {
    vec![
        ("bearer", Auth::bearer("b3arer-t0ken")),
        ("api key", Auth::api_key("x-api-key", "ap1-k3y-value")),
        (
            "oauth2",
            Auth::oauth2(ClientCredentials::new(
                format!("{base}/oauth/token"),
                "client",
                "cl1ent-s3cret",
            )),
        ),
        (
            "sigv4",
            Auth::sigv4(SigV4::new(
                AwsCredentials::new("AKIDEXAMPLE", "aws-s3cret-k3y").with_session_token("s3ss10n"),
                "eu-west-1",
                "profile",
            )),
        ),
    ]
}

fn hub(config: ClientConfig, auth: Auth) -> contacthub_api::Client {
    let (http, inner) = config.build("contacthub", auth).unwrap();
    contacthub_api::Client::new_with_client(config.url(), http, inner)
}

async fn get_customer(client: &contacthub_api::Client) -> cdp::Error {
    client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err()
        .into()
}

#[tokio::test]
async fn a_redirect_is_refused_for_every_auth_and_the_other_origin_receives_nothing() {
    for status in [301u16, 302, 303, 307, 308] {
        let elsewhere = Hostile::recorder().await;
        let location = format!("{}/collect?key=stolen", elsewhere.url);
        let server = Hostile::start(move |seen, _| {
            if seen.path.ends_with("/oauth/token") {
                json(200, TOKEN)
            } else {
                reply(status, &[("Location", &location)], b"")
            }
        })
        .await;
        for (kind, auth) in auths(&server.url) {
            let client = hub(ClientConfig::new(&server.url).retry(quick()), auth);
            let err = get_customer(&client).await;
            let cdp::Error::Redirect {
                status: got,
                origin,
                ..
            } = &err
            else {
                panic!("{kind} {status}: a redirect error expected, got {err:?}")
            };
            assert_eq!(*got, status, "{kind}");
            assert_eq!(origin.as_deref(), Some(elsewhere.url.as_str()), "{kind}");
            let shown = format!("{err} {err:?}");
            assert!(
                !shown.contains("stolen"),
                "only the origin is named: {shown}"
            );

            // A body too (307 and 308 would resend it).
            let err: cdp::Error = client
                .create_customer()
                .workspace_id("w")
                .body_map(|b| b.node_id("n"))
                .send()
                .await
                .unwrap_err()
                .into();
            assert!(
                matches!(err, cdp::Error::Redirect { .. }),
                "{kind}: {err:?}"
            );
        }
        assert!(
            elsewhere.seen().is_empty(),
            "{status}: nothing followed the redirect: {:?}",
            elsewhere.seen()
        );
        let api_calls = server
            .seen()
            .iter()
            .filter(|s| !s.path.ends_with("/oauth/token"))
            .count();
        assert_eq!(api_calls, 8, "{status}: a redirect is not retried");
    }
}

/// A generated client built with its own `Client::new` (not through `ClientConfig`) is protected too: codegen
/// makes it start from `cdp_transport::client_builder()`.
#[tokio::test]
async fn a_generated_client_built_with_new_follows_no_redirect() {
    let elsewhere = Hostile::recorder().await;
    let location = format!("{}/collect", elsewhere.url);
    let server = Hostile::start(move |_, _| reply(307, &[("Location", &location)], b"")).await;
    for (kind, auth) in auths(&server.url)
        .into_iter()
        .filter(|(kind, _)| *kind != "oauth2")
    {
        let inner = Inner::new(auth).with_retry(quick());
        let client = contacthub_api::Client::new(&server.url, inner);
        let err = get_customer(&client).await;
        assert!(
            matches!(err, cdp::Error::Redirect { status: 307, .. }),
            "{kind}: {err:?}"
        );
    }
    assert!(
        elsewhere.seen().is_empty(),
        "nothing followed the redirect: {:?}",
        elsewhere.seen()
    );
}

#[tokio::test]
async fn a_token_endpoint_that_redirects_is_an_auth_error_and_the_other_origin_receives_nothing() {
    let elsewhere = Hostile::recorder().await;
    let location = format!("{}/oauth/token", elsewhere.url);
    let server = Hostile::start(move |_, _| reply(307, &[("Location", &location)], b"")).await;
    let auth = Auth::oauth2(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        "cl1ent-s3cret",
    ));
    let err = get_customer(&hub(ClientConfig::new(&server.url), auth)).await;
    let cdp::Error::Auth { message, .. } = &err else {
        panic!("an auth error expected, got {err:?}")
    };
    assert!(message.contains("redirected (307)"), "{message}");
    assert!(message.contains(&elsewhere.url), "{message}");
    assert!(elsewhere.seen().is_empty());
    assert_eq!(server.seen().len(), 1, "only the token request was sent");
}

#[tokio::test]
async fn an_endless_success_body_stops_at_the_cap_and_is_not_requested_again() {
    let server = Hostile::start(|_, _| {
        Reply::Endless("HTTP/1.1 200 OK\r\nContent-Type: application/json".into())
    })
    .await;
    let cap = 1 << 20;
    let config = ClientConfig::new(&server.url)
        .retry(quick())
        .max_body_size(cap);
    let err = get_customer(&hub(config, Auth::bearer("t0ken-value"))).await;
    assert!(
        matches!(err, cdp::Error::TooLarge { limit, .. } if limit == cap),
        "{err:?}"
    );
    assert_eq!(server.seen().len(), 1, "too large is not retried");
    assert!(
        server.written() < hostile::ENDLESS_STOP,
        "the client stopped reading: {} bytes written",
        server.written()
    );
}

#[tokio::test]
async fn a_declared_length_past_the_cap_is_refused_before_reading() {
    let server = Hostile::start(|_, _| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{"
                .to_vec(),
        )
    })
    .await;
    let config = ClientConfig::new(&server.url).max_body_size(1024);
    let err = get_customer(&hub(config, Auth::bearer("t0ken-value"))).await;
    assert!(
        matches!(err, cdp::Error::TooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 1024 bytes"), "{err}");
}

#[tokio::test]
async fn a_huge_error_page_keeps_its_status_and_first_4_kib_and_is_requested_once() {
    let server = Hostile::start(|_, _| {
        Reply::Endless("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html".into())
    })
    .await;
    let err = get_customer(&hub(
        ClientConfig::new(&server.url).retry(quick()),
        Auth::bearer("t0ken-value"),
    ))
    .await;
    let api = err
        .api()
        .unwrap_or_else(|| panic!("an API error expected, got {err:?}"));
    assert_eq!(api.status, 503);
    let message = api.message.as_deref().unwrap_or_default();
    assert_eq!(message.len(), cdp_transport::ERROR_TEXT_KEPT);
    assert!(message.bytes().all(|b| b == b'x'));
    assert_eq!(
        server.seen().len(),
        1,
        "an error page past its cap is not downloaded again"
    );
    assert!(server.written() < hostile::ENDLESS_STOP);
}

#[tokio::test]
async fn an_endless_json_error_stops_at_its_cap_and_keeps_its_status() {
    let server = Hostile::start(|_, _| {
        Reply::Endless(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json".into(),
        )
    })
    .await;
    let err = get_customer(&hub(
        ClientConfig::new(&server.url).retry(quick()),
        Auth::bearer("t0ken-value"),
    ))
    .await;
    let api = err
        .api()
        .unwrap_or_else(|| panic!("an API error expected, got {err:?}"));
    assert_eq!(api.status, 500);
    let message = api.message.as_deref().unwrap_or_default();
    assert_eq!(message.len(), cdp_transport::ERROR_TEXT_KEPT);
    assert_eq!(server.seen().len(), 1, "not downloaded again");
    // Reading stopped at the JSON error cap (4 MiB), far below the success body cap (64 MiB); the
    // margin is for what the sockets buffer.
    assert!(server.written() < cdp_transport::DEFAULT_MAX_BODY / 2);
}

#[tokio::test]
async fn a_json_error_document_is_kept_whole_past_the_error_cap_and_scrubbed() {
    // Like BlueConic's 413: the results of the entries processed, here about 140 KB, echoing the token.
    let token = "b3arer-t0ken-echoed";
    let results: Vec<String> = (0..2000)
        .map(|i| format!(r#"{{"state":"CREATED","profileId":"p-{i:040}"}}"#))
        .collect();
    let body = format!(
        r#"[{},{{"state":"SKIPPED","identifier":"Bearer {token}"}}]"#,
        results.join(",")
    );
    assert!(body.len() as u64 > cdp_transport::MAX_ERROR_BODY);
    let server = Hostile::start(move |_, _| json(413, &body)).await;
    let (http, inner) = ClientConfig::new(&server.url)
        .retry(quick())
        .build("test", Auth::bearer(token))
        .unwrap();
    let got = get(&inner, &http, &format!("{}/thing", server.url))
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&got).unwrap();
    let items = value.as_array().unwrap();
    assert_eq!(items.len(), 2001);
    assert_eq!(items[1999]["profileId"], format!("p-{:040}", 1999));
    assert!(!String::from_utf8_lossy(&got).contains(token));
}

#[tokio::test]
async fn a_token_answer_past_its_cap_is_an_auth_error() {
    let server = Hostile::start(|_, _| {
        Reply::Endless("HTTP/1.1 200 OK\r\nContent-Type: application/json".into())
    })
    .await;
    let auth = Auth::oauth2(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        "cl1ent-s3cret",
    ));
    let err = get_customer(&hub(ClientConfig::new(&server.url), auth)).await;
    let cdp::Error::Auth { message, .. } = &err else {
        panic!("an auth error expected, got {err:?}")
    };
    assert!(message.contains("larger than 65536 bytes"), "{message}");
    assert_eq!(server.seen().len(), 1);
}

/// A GET through the transport alone: its body, or its error.
async fn get(inner: &Inner, http: &reqwest::Client, url: &str) -> reqwest::Result<Vec<u8>> {
    let request = http.get(url).build()?;
    let response = inner.execute(http, request, "get_thing").await?;
    Ok(inner.read_body(response).await?.to_vec())
}

#[tokio::test]
async fn a_body_cut_short_is_read_again_when_the_request_is_safe_to_repeat() {
    let server = Hostile::start(|_, n| {
        if n == 0 {
            cut_short(1000, br#"{"partial"#)
        } else {
            json(200, r#"{"whole":true}"#)
        }
    })
    .await;
    let (http, inner) = ClientConfig::new(&server.url)
        .retry(quick())
        .build("test", Auth::None)
        .unwrap();
    let body = get(&inner, &http, &format!("{}/thing", server.url))
        .await
        .unwrap();
    assert_eq!(&body[..], br#"{"whole":true}"#);
    assert_eq!(server.seen().len(), 2);

    // A POST is not safe to repeat: its cut answer is an error, and it was sent once.
    let server = Hostile::start(|_, _| cut_short(1000, br#"{"partial"#)).await;
    let request = http
        .post(format!("{}/thing", server.url))
        .body("{}")
        .build()
        .unwrap();
    assert!(inner.execute(&http, request, "create_thing").await.is_err());
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_attempt_is_given_up_after_its_own_timeout_and_retried() {
    let server = Hostile::start(|_, n| {
        if n == 0 {
            Reply::Silence
        } else {
            json(200, r#"{"ok":true}"#)
        }
    })
    .await;
    let (http, inner) = ClientConfig::new(&server.url)
        .retry(quick())
        .timeout(Duration::from_secs(30))
        .attempt_timeout(Duration::from_secs(2))
        .build("test", Auth::None)
        .unwrap();
    let started = tokio::time::Instant::now();
    let body = get(&inner, &http, &format!("{}/thing", server.url))
        .await
        .unwrap();
    assert_eq!(&body[..], br#"{"ok":true}"#);
    assert_eq!(server.seen().len(), 2);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

fn token_requests(server: &Hostile) -> usize {
    server
        .seen()
        .iter()
        .filter(|s| s.path.ends_with("/oauth/token"))
        .count()
}

#[tokio::test(start_paused = true)]
async fn fifty_callers_share_one_failing_token_fetch_and_each_ends_by_its_own_deadline() {
    let server = Hostile::start(|seen, _| {
        if seen.path.ends_with("/oauth/token") {
            json(500, r#"{"error":"server_error"}"#)
        } else {
            json(200, "{}")
        }
    })
    .await;
    let credentials = Arc::new(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        "cl1ent-s3cret",
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let calls: Vec<_> = (0..50u64)
        .map(|i| {
            let deadline = Duration::from_millis(300 + 20 * i);
            let inner = Inner::new(Auth::OAuth2(credentials.clone())).with_timeout(deadline);
            let client = contacthub_api::Client::new_with_client(&server.url, http.clone(), inner);
            tokio::spawn(async move {
                let started = tokio::time::Instant::now();
                let err = get_customer(&client).await;
                (deadline, started.elapsed(), err)
            })
        })
        .collect();
    for call in calls {
        let (deadline, elapsed, err) = call.await.unwrap();
        assert!(matches!(err, cdp::Error::Auth { .. }), "{err:?}");
        assert!(elapsed <= deadline, "{elapsed:?} > {deadline:?}");
    }
    let fetches = token_requests(&server);
    assert!(
        (1..=RetryPolicy::default().attempts() as usize).contains(&fetches),
        "the attempts of one fetch, shared: {fetches}"
    );
    assert_eq!(
        server.seen().len(),
        fetches,
        "no call went out without a token"
    );
}

#[tokio::test(start_paused = true)]
async fn a_silent_token_endpoint_costs_each_caller_no_more_than_its_deadline() {
    let server = Hostile::start(|_, _| Reply::Silence).await;
    let credentials = Arc::new(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        "cl1ent-s3cret",
    ));
    let calls: Vec<_> = [Duration::from_secs(1), Duration::from_secs(4)]
        .into_iter()
        .map(|deadline| {
            let inner = Inner::new(Auth::OAuth2(credentials.clone())).with_timeout(deadline);
            let client = contacthub_api::Client::new(&server.url, inner);
            tokio::spawn(async move {
                let started = tokio::time::Instant::now();
                let err = get_customer(&client).await;
                (deadline, started.elapsed(), err)
            })
        })
        .collect();
    for call in calls {
        let (deadline, elapsed, err) = call.await.unwrap();
        assert!(matches!(err, cdp::Error::Auth { .. }), "{err:?}");
        assert!(elapsed <= deadline, "{elapsed:?} > {deadline:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_token_endpoint_s_retry_after_is_honoured_and_expires_in_may_be_a_string() {
    let server = Hostile::start(|seen, n| {
        if !seen.path.ends_with("/oauth/token") {
            json(200, "{}")
        } else if n == 0 {
            reply(503, &[("Retry-After", "3")], b"busy")
        } else {
            json(
                200,
                r#"{"access_token":"acc3ss-t0ken","expires_in":"3600"}"#,
            )
        }
    })
    .await;
    let auth = Auth::oauth2(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        "cl1ent-s3cret",
    ));
    let (http, inner) = ClientConfig::new(&server.url).build("test", auth).unwrap();
    let started = tokio::time::Instant::now();
    get(&inner, &http, &format!("{}/thing", server.url))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let seen = server.seen();
    let call = seen.iter().find(|s| s.path == "/thing").unwrap();
    assert_eq!(call.header("authorization"), Some("Bearer acc3ss-t0ken"));
    assert_eq!(token_requests(&server), 2);
}

// ---- Credentials echoed by a server (the rest of the secrets' tests are in `secrets.rs`; these live
// here because a second test binary for them would cost a link, and beside the traces test they would
// race for tracing's callsite registration).

const SECRETS: [&str; 5] = [
    "hub-t0ken-s3cret",
    "bc-cl1ent-s3cret",
    "fs-ap1-k3y-s3cret",
    "aws-s3cret-k3y",
    "aws-s3ss10n-t0ken",
];

fn all_auths(token_url: &str) -> Vec<Auth> {
    vec![
        Auth::bearer(SECRETS[0]),
        Auth::oauth2(ClientCredentials::new(token_url, "client", SECRETS[1])),
        Auth::api_key("x-api-key", SECRETS[2]),
        Auth::sigv4(SigV4::new(
            AwsCredentials::new("AKIDEXAMPLE", SECRETS[3]).with_session_token(SECRETS[4]),
            "eu-west-1",
            "profile",
        )),
    ]
}

/// The token a hostile token endpoint hands out, then sees echoed.
const ACCESS_TOKEN: &str = "bc-acc3ss-t0ken-s3cret";
/// A password in a base URL.
const URL_PASSWORD: &str = "url-pa55w0rd-s3cret";

/// Every secret of this file, in every form a request carries it.
fn every_form() -> Vec<String> {
    use base64::Engine as _;
    let basic = |user: &str, password: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    };
    let mut all: Vec<String> = SECRETS.iter().map(|s| s.to_string()).collect();
    all.push(ACCESS_TOKEN.to_owned());
    all.push(basic("client", SECRETS[1]));
    all.push(URL_PASSWORD.to_owned());
    all.push(basic("user", URL_PASSWORD));
    all
}

fn assert_scrubbed(text: &str) {
    for secret in every_form() {
        assert!(!text.contains(&secret), "`{secret}` leaked into:\n{text}");
    }
}

/// Answers a token request with a token, and anything else with an error that echoes every header the
/// request carried, in its body (JSON or text, as the customer id asks) and in its own headers.
async fn echo_server() -> hostile::Hostile {
    hostile::Hostile::start(|seen, _| {
        if seen.path.ends_with("/oauth/token") {
            let token = format!(r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":3600}}"#);
            return hostile::json(200, &token);
        }
        let echoed: Vec<String> = seen
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        let text = echoed.join("; ");
        let headers: Vec<(String, String)> = seen
            .headers
            .iter()
            .map(|(name, value)| (format!("x-echo-{name}"), value.clone()))
            .collect();
        let mut headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if seen.path.ends_with("/text") {
            headers.push(("Content-Type", "text/plain"));
            hostile::reply(400, &headers, text.as_bytes())
        } else {
            headers.push(("Content-Type", "application/json"));
            let body = serde_json::json!({
                "message": text,
                "logref": text,
                "errors": [{"message": text, "path": text}],
                "data": {"echo": echoed},
            });
            hostile::reply(400, &headers, body.to_string().as_bytes())
        }
    })
    .await
}

#[tokio::test]
async fn credentials_a_server_echoes_are_scrubbed_from_errors() {
    let server = echo_server().await;
    let with_password = server
        .url
        .replace("http://", &format!("http://user:{URL_PASSWORD}@"));
    let mut auths = all_auths(&format!("{}/oauth/token", server.url));
    auths.push(Auth::None);
    for auth in auths {
        for base in [&server.url, &with_password] {
            let config = ClientConfig::new(base.as_str());
            let (http, inner) = config.build("test", auth.clone()).unwrap();
            let client = contacthub_api::Client::new_with_client(config.url(), http, inner);
            for id in ["json", "text"] {
                let raw = client
                    .get_customer()
                    .workspace_id("w")
                    .customer_id(id)
                    .send()
                    .await
                    .unwrap_err();
                assert_eq!(raw.status().map(|s| s.as_u16()), Some(400), "{raw:?}");
                assert_scrubbed(&format!("{raw} {raw:?}"));
                let err = cdp::Error::from(raw);
                assert_scrubbed(&format!("{err} {err:?}"));
                if !matches!(auth, Auth::None) || base != &server.url {
                    assert!(
                        err.to_string().contains("***"),
                        "the echo was masked: {err}"
                    );
                }
            }
        }
    }
    let seen = format!("{:?}", server.seen());
    for secret in [SECRETS[0], SECRETS[2], ACCESS_TOKEN] {
        assert!(seen.contains(secret), "the server did get {secret} to echo");
    }
}

#[tokio::test]
async fn a_token_endpoint_echoing_the_client_credentials_does_not_leak_them() {
    let server = hostile::Hostile::start(|seen, _| {
        let echoed = seen.header("authorization").unwrap_or_default();
        hostile::json(
            401,
            &serde_json::json!({"error": "invalid_client", "error_description": echoed})
                .to_string(),
        )
    })
    .await;
    let auth = Auth::oauth2(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        SECRETS[1],
    ));
    let config = ClientConfig::new(server.url.as_str());
    let (http, inner) = config.build("test", auth).unwrap();
    let client = contacthub_api::Client::new_with_client(config.url(), http, inner);
    let raw = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err();
    assert_scrubbed(&format!("{raw} {raw:?}"));
    let err = cdp::Error::from(raw);
    assert!(matches!(err, cdp::Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert_scrubbed(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn a_password_in_the_base_url_stays_out_of_transport_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = ClientConfig::new(format!("http://user:{URL_PASSWORD}@127.0.0.1:{port}/hub"))
        .retry(cdp_transport::RetryPolicy::none());
    let shown = format!("{config:?}");
    let (http, inner) = config.build("test", Auth::None).unwrap();
    let client = contacthub_api::Client::new_with_client(config.url(), http, inner);
    let raw = client
        .get_customer()
        .workspace_id("w")
        .customer_id("c")
        .send()
        .await
        .unwrap_err();
    let err = cdp::Error::from(raw);
    assert!(matches!(err, cdp::Error::Transport { .. }), "{err:?}");
    assert_scrubbed(&format!("{shown} {err} {err:?}"));
}

#[tokio::test(start_paused = true)]
async fn waiting_for_a_token_counts_inside_the_call_s_deadline() {
    // The token comes after 3 s (a `Retry-After`), the API call itself would stall: with a 5 s deadline
    // the call must end by 5 s, the token's wait included.
    let server = Hostile::start(|seen, n| {
        if !seen.path.ends_with("/oauth/token") {
            Reply::Silence
        } else if n == 0 {
            reply(503, &[("Retry-After", "3")], b"busy")
        } else {
            json(200, TOKEN)
        }
    })
    .await;
    let auth = Auth::oauth2(ClientCredentials::new(
        format!("{}/oauth/token", server.url),
        "client",
        "cl1ent-s3cret",
    ));
    let config = ClientConfig::new(&server.url).timeout(Duration::from_secs(5));
    let started = tokio::time::Instant::now();
    let err = get_customer(&hub(config, auth)).await;
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed <= Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(token_requests(&server), 2);
}

#[test]
fn a_token_fetch_that_died_with_its_runtime_does_not_block_the_next_one() {
    use std::io::{Read as _, Write as _};
    // First connection: silence; second: a token.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/oauth/token", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            if n == 0 {
                held.push(stream);
            } else {
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{TOKEN}",
                    TOKEN.len()
                );
                let _ = stream.write_all(answer.as_bytes());
            }
        }
    });
    let credentials = Arc::new(ClientCredentials::new(url, "client", "cl1ent-s3cret"));
    let call = |credentials: Arc<ClientCredentials>, timeout: Duration| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let (http, inner) = ClientConfig::new("http://127.0.0.1:9")
                .retry(RetryPolicy::none())
                .timeout(timeout)
                .build("test", Auth::OAuth2(credentials))
                .unwrap();
            let mut request = http.get("http://127.0.0.1:9/thing").build().unwrap();
            inner.prepare(&http, &mut request).await.unwrap();
            match inner.execute(&http, request, "get_thing").await {
                Err(e) => cdp::Error::from_transport("test", e).to_string(),
                Ok(_) => "answered".to_owned(),
            }
        })
    };
    // The first call gives up while its fetch is still waiting; the runtime goes, and the fetch with it.
    let first = call(credentials.clone(), Duration::from_millis(200));
    assert!(first.contains("no OAuth2 token"), "{first}");
    // The next call, on another runtime, fetches anew and gets its token (then fails to connect to
    // port 9, which is not what is tested here).
    let second = call(credentials, Duration::from_secs(5));
    assert!(!second.contains("OAuth2"), "{second}");
}

#[tokio::test]
async fn the_client_builder_offered_for_your_own_client_does_not_follow_redirects() {
    let elsewhere = Hostile::recorder().await;
    let location = format!("{}/collect", elsewhere.url);
    let server = Hostile::start(move |_, _| reply(302, &[("Location", &location)], b"")).await;
    let http = cdp_transport::client_builder().build().unwrap();
    let config = ClientConfig::new(&server.url).http_client(http);
    let err = get_customer(&hub(config, Auth::api_key("x-api-key", "ap1-k3y-value"))).await;
    assert!(
        matches!(err, cdp::Error::Redirect { status: 302, .. }),
        "{err:?}"
    );
    assert!(elsewhere.seen().is_empty());
}

/// Answers a token request with a token, and anything else with a success (200) whose body echoes every
/// header the request carried, in a shape no success type of the spec has: text, or a JSON object
/// without the fields a customer has.
async fn success_echo_server() -> hostile::Hostile {
    hostile::Hostile::start(|seen, _| {
        if seen.path.ends_with("/oauth/token") {
            let token = format!(r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":3600}}"#);
            return hostile::json(200, &token);
        }
        let text = seen
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect::<Vec<_>>()
            .join("; ");
        if seen.path.ends_with("/text") {
            hostile::reply(200, &[("Content-Type", "text/plain")], text.as_bytes())
        } else {
            hostile::json(200, &serde_json::json!({ "echo": text }).to_string())
        }
    })
    .await
}

#[tokio::test]
async fn credentials_a_server_echoes_into_an_undecodable_success_body_stay_out_of_the_decode_error()
{
    let server = success_echo_server().await;
    let with_password = server
        .url
        .replace("http://", &format!("http://user:{URL_PASSWORD}@"));
    for auth in all_auths(&format!("{}/oauth/token", server.url)) {
        for base in [&server.url, &with_password] {
            let config = ClientConfig::new(base.as_str());
            let (http, inner) = config.build("test", auth.clone()).unwrap();
            let client = contacthub_api::Client::new_with_client(config.url(), http, inner);
            for id in ["json", "text"] {
                let raw = client
                    .get_customer()
                    .workspace_id("w")
                    .customer_id(id)
                    .send()
                    .await
                    .unwrap_err();
                assert_scrubbed(&format!("{raw} {raw:?}"));
                let err = cdp::Error::from_call::<contacthub_api::types::Customer, _>(raw);
                let cdp::Error::Decode(decode) = &err else {
                    panic!("{auth:?} {id}: expected a decode error, got {err:?}");
                };
                assert_scrubbed(&format!("{err} {err:?} {}", decode.body));
                assert!(
                    decode.body.contains("***"),
                    "the echo was masked: {}",
                    decode.body
                );
            }
        }
    }
    let seen = format!("{:?}", server.seen());
    for secret in [SECRETS[0], SECRETS[2], ACCESS_TOKEN] {
        assert!(seen.contains(secret), "the server did get {secret} to echo");
    }
}

#[tokio::test]
async fn every_request_names_the_crate_and_then_the_application_in_its_user_agent() {
    let server = hostile::Hostile::start(|_, _| hostile::json(200, "{}")).await;
    let crate_agent = cdp_transport::USER_AGENT;
    assert_eq!(
        crate_agent,
        concat!("cdp/", env!("CARGO_PKG_VERSION")),
        "the crate's name and version"
    );
    let http = reqwest::Client::new();
    // An `Inner` made by hand, with no configuration, and a `reqwest::Client` of the caller's own.
    let bare = Inner::new(Auth::None);
    let named = ClientConfig::new(server.url.as_str())
        .user_agent("my-app/2.1")
        .build("test", Auth::None)
        .unwrap()
        .1;
    for inner in [bare, named] {
        let mut request = http.get(format!("{}/x", server.url)).build().unwrap();
        inner.prepare(&http, &mut request).await.unwrap();
        inner.execute(&http, request, "get_x").await.unwrap();
    }
    let agents: Vec<Option<String>> = server
        .seen()
        .iter()
        .map(|seen| seen.header("user-agent").map(str::to_owned))
        .collect();
    assert_eq!(
        agents,
        [
            Some(crate_agent.to_owned()),
            Some(format!("{crate_agent} my-app/2.1"))
        ]
    );
}

#[test]
fn a_user_agent_no_header_can_carry_fails_the_build() {
    for bad in ["my-app\r\nX-Injected: 1", "app\u{7f}", "naïve\n"] {
        let err = ClientConfig::new("http://127.0.0.1:1")
            .user_agent(bad)
            .build("test", Auth::None)
            .unwrap_err();
        assert!(
            matches!(err, cdp_transport::BuildError::InvalidUserAgent),
            "{bad:?}: {err:?}"
        );
    }
    // A name with a comment and a URL, as user agents have, passes.
    assert!(
        ClientConfig::new("http://127.0.0.1:1")
            .user_agent("my-app/1.0 (+https://example.com)")
            .build("test", Auth::None)
            .is_ok()
    );
}
