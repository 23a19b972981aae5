//! OAuth2 client credentials against the sandbox's BlueConic: one token for many concurrent calls, and a
//! token the service no longer accepts is replaced once and the call sent again.

use cdp_sandbox::{Config, Sandbox, Service};
use cdp_transport::{Auth, ClientCredentials, Inner};

async fn blueconic() -> (Sandbox, blueconic_api::Client) {
    let sandbox = Sandbox::start_with(Config::default().profiles(50).customers(1))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let url = sandbox.urls().blueconic.clone();
    let credentials = ClientCredentials::new(
        format!("{url}/oauth/token"),
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    )
    .scopes(["read:profiles"]);
    let client = blueconic_api::Client::new(&url, Inner::new(Auth::oauth2(credentials)));
    (sandbox, client)
}

fn token_requests(sandbox: &Sandbox) -> usize {
    sandbox
        .journal()
        .of(Service::BlueConic)
        .iter()
        .filter(|e| e.path.ends_with("/oauth/token"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_token_request() {
    let (sandbox, client) = blueconic().await;
    let ids = sandbox.blueconic().segment_members("allvisitors").unwrap();
    let calls = ids.iter().take(20).map(|id| {
        let client = client.clone();
        let id = id.clone();
        tokio::spawn(async move {
            client
                .get_profile()
                .profile_id(&id)
                .send()
                .await
                .map(|p| p.id.clone())
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        token_requests(&sandbox),
        1,
        "one refresh at a time, shared by all"
    );
    let token = sandbox
        .journal()
        .of(Service::BlueConic)
        .into_iter()
        .find(|e| e.path.ends_with("/oauth/token"))
        .unwrap();
    assert_eq!(token.headers["authorization"], "Basic <redacted>");
    assert_eq!(
        token.body,
        Some(serde_json::json!([
            ["grant_type", "client_credentials"],
            ["scope", "read:profiles"]
        ]))
    );
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_the_call_sent_again() {
    let (sandbox, client) = blueconic().await;
    let id = sandbox.blueconic().segment_members("allvisitors").unwrap()[0].clone();
    client.get_profile().profile_id(&id).send().await.unwrap();
    assert_eq!(token_requests(&sandbox), 1);

    sandbox.blueconic().expire_tokens();
    sandbox.journal().clear();
    let profile = client.get_profile().profile_id(&id).send().await.unwrap();
    assert_eq!(profile.id, id);
    let seen: Vec<(String, Option<u16>)> = sandbox
        .journal()
        .entries()
        .into_iter()
        .map(|e| (e.path.rsplit('/').next().unwrap().to_owned(), e.status))
        .collect();
    assert_eq!(
        seen,
        [
            (id.clone(), Some(401)),
            ("token".to_owned(), Some(200)),
            (id.clone(), Some(200))
        ],
        "refused, one new token, sent again"
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_an_auth_error_naming_the_refusal() {
    let sandbox = Sandbox::start_with(Config::default().profiles(5).customers(1))
        .await
        .unwrap();
    let url = sandbox.urls().blueconic.clone();
    let credentials =
        ClientCredentials::new(format!("{url}/oauth/token"), "intruder", "not-the-s3cret");
    let client = blueconic_api::Client::new(&url, Inner::new(Auth::oauth2(credentials)));
    let err: cdp::Error = client
        .get_profile()
        .profile_id("p")
        .send()
        .await
        .unwrap_err()
        .into();
    let text = err.to_string();
    assert!(
        text.starts_with(
            "BlueConic authentication failed: the OAuth2 token endpoint refused (401)"
        ),
        "{text}"
    );
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("not-the-s3cret"));
    assert_eq!(
        sandbox.journal().entries().len(),
        1,
        "only the token request was sent"
    );
}

#[tokio::test]
async fn a_token_endpoint_that_never_answers_costs_no_more_than_the_timeout() {
    let sandbox = Sandbox::start_with(Config::default().profiles(5).customers(1))
        .await
        .unwrap();
    sandbox.set_faults(
        Service::BlueConic,
        cdp_sandbox::Faults {
            latency_ms: 60_000,
            ..Default::default()
        },
    );
    let c = sandbox.credentials().clone();
    let url = sandbox.urls().blueconic.clone();
    let credentials = ClientCredentials::new(
        format!("{url}/oauth/token"),
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    );
    let inner =
        Inner::new(Auth::oauth2(credentials)).with_timeout(std::time::Duration::from_millis(400));
    let client = blueconic_api::Client::new(&url, inner);
    let started = std::time::Instant::now();
    let err: cdp::Error = client
        .get_profile()
        .profile_id("p")
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(err, cdp::Error::Auth { .. }), "{err:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_token_endpoint_that_fails_for_a_moment_is_asked_again() {
    let (sandbox, client) = blueconic().await;
    let faults = |seed| cdp_sandbox::Faults {
        error_rate: 0.5,
        seed: Some(seed),
        ..Default::default()
    };
    // Setting faults restarts their draws: find a seed whose first draw is a failure.
    let http = reqwest::Client::new();
    let mut seed = 0;
    loop {
        sandbox.set_faults(Service::BlueConic, faults(seed));
        let probe = http
            .post(format!("{}/oauth/token", sandbox.urls().blueconic))
            .send()
            .await
            .unwrap();
        if probe.status().is_server_error() {
            break;
        }
        seed += 1;
        assert!(seed < 64, "no seed draws a failure first");
    }
    sandbox.set_faults(Service::BlueConic, faults(seed));
    sandbox.journal().clear();
    let id = sandbox.blueconic().segment_members("allvisitors").unwrap()[0].clone();
    client.get_profile().profile_id(&id).send().await.unwrap();
    let tokens: Vec<Option<u16>> = sandbox
        .journal()
        .of(Service::BlueConic)
        .into_iter()
        .filter(|e| e.path.ends_with("/oauth/token"))
        .map(|e| e.status)
        .collect();
    assert_eq!(tokens.last(), Some(&Some(200)));
    assert!(
        tokens.len() > 1,
        "a failed token request was sent again: {tokens:?}"
    );
}
