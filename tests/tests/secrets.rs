//! Secrets stay secret: no token, client secret, API key or AWS secret key appears in the `Debug` of any
//! client or configuration, in error messages, or in what the clients log at the finest level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cdp_sandbox::Sandbox;
use cdp_transport::{Auth, AwsCredentials, ClientConfig, ClientCredentials, Inner, SigV4};

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

fn assert_clean(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "`{secret}` leaked into:\n{text}");
    }
}

#[test]
fn debug_of_every_client_and_config_hides_secrets() {
    let mut shown = String::new();
    for auth in all_auths("http://127.0.0.1:1/oauth/token") {
        let config = ClientConfig::new("http://127.0.0.1:1");
        let (http, inner) = config.build("test", auth.clone()).unwrap();
        shown += &format!("{auth:?}\n{config:?}\n{inner:?}\n");
        shown += &format!(
            "{:?}\n",
            contacthub_api::Client::new_with_client("http://h", http.clone(), inner.clone())
        );
        shown += &format!(
            "{:?}\n",
            blueconic_api::Client::new_with_client("http://h", http.clone(), inner.clone())
        );
        shown += &format!(
            "{:?}\n",
            customer_profiles_api::Client::new_with_client("http://h", http.clone(), inner.clone())
        );
        shown += &format!(
            "{:?}\n",
            flagship_api::Client::new_with_client("http://h", http, inner)
        );
    }
    assert!(
        shown.contains("Bearer(***)") && shown.contains("SigV4"),
        "{shown}"
    );
    assert_clean(&shown);
}

/// A writer that collects what the subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_at_the_finest_level_hold_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = Sandbox::start().await.unwrap();
    let urls = sandbox.urls().clone();
    let c = sandbox.credentials().clone();
    // Real credentials of the sandbox, then the test's own secrets (which the sandbox refuses).
    let hub = contacthub_api::Client::new(
        &urls.contacthub,
        Inner::new(Auth::bearer(&c.contacthub_token)),
    );
    let _ = hub
        .list_customers()
        .workspace_id(&c.contacthub_workspace)
        .node_id(&c.contacthub_node)
        .size(2)
        .send()
        .await;
    for auth in all_auths(&format!("{}/oauth/token", urls.blueconic)) {
        let hub = contacthub_api::Client::new(&urls.contacthub, Inner::new(auth.clone()));
        let err = hub
            .get_customer()
            .workspace_id("w")
            .customer_id("c")
            .send()
            .await
            .unwrap_err();
        assert_clean(&format!("{err} {err:?}"));
        let bc = blueconic_api::Client::new(&urls.blueconic, Inner::new(auth.clone()));
        let err: cdp::Error = bc
            .get_profile()
            .profile_id("p")
            .send()
            .await
            .unwrap_err()
            .into();
        assert_clean(&format!("{err} {err:?}"));
        let cp =
            customer_profiles_api::Client::new(&urls.customer_profiles, Inner::new(auth.clone()));
        let _ = cp
            .list_segment_definitions()
            .domain_name(&c.aws_domain)
            .send()
            .await;
        let fs = flagship_api::Client::new(&urls.flagship_decision, Inner::new(auth));
        let _ = fs
            .get_flags()
            .env_id(&c.flagship_env_id)
            .body_map(|b| b.visitor_id("v"))
            .send()
            .await;
    }

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("cdp.request"),
        "the requests were traced:\n{text}"
    );
    assert_clean(&text);
    let journal = format!("{:?}", sandbox.journal().entries());
    assert_clean(&journal);
}
