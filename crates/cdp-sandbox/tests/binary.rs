//! The `cdp-sandbox` binary starts, serves all four services with its printed credentials, and refuses
//! bad arguments.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use cdp_sandbox::Credentials;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cdp-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let addr = first.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(
        first.starts_with("cdp sandbox listening on 127.0.0.1:"),
        "{first}"
    );
    (Running(child), format!("http://{addr}"))
}

#[tokio::test]
async fn the_binary_serves_every_service() {
    let (_running, base) = start(&[
        "--port",
        "0",
        "--customers",
        "30",
        "--profiles",
        "30",
        "--seed",
        "3",
    ]);
    let c = Credentials::default();
    let http = reqwest::Client::new();

    let hub = http
        .get(format!(
            "{base}/contacthub/workspaces/{}/customers",
            c.contacthub_workspace
        ))
        .query(&[("nodeId", c.contacthub_node.as_str()), ("size", "5")])
        .bearer_auth(&c.contacthub_token)
        .send()
        .await
        .unwrap();
    assert_eq!(hub.status(), 200);
    let page: serde_json::Value = hub.json().await.unwrap();
    assert_eq!(page["page"]["totalElements"], 30);

    let token = http
        .post(format!("{base}/blueconic/rest/v2/oauth/token"))
        .basic_auth(&c.blueconic_client_id, Some(&c.blueconic_client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);

    let mut aws = http
        .get(format!(
            "{base}/aws/domains/{}/segment-definitions",
            c.aws_domain
        ))
        .build()
        .unwrap();
    let signer = cdp_transport::SigV4::new(
        cdp_transport::AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
        &c.aws_region,
        "profile",
    );
    signer.sign(&mut aws, std::time::SystemTime::now()).unwrap();
    assert_eq!(http.execute(aws).await.unwrap().status(), 200);

    let bucketing = http
        .get(format!(
            "{base}/flagship/cdn/{}/bucketing.json",
            c.flagship_env_id
        ))
        .header("x-api-key", &c.flagship_api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(bucketing.status(), 200);

    let journal: Vec<serde_json::Value> = http
        .get(format!("{base}/_sandbox/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal.len(), 4);
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(env!("CARGO_BIN_EXE_cdp-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: cdp-sandbox"));

    for bad in [
        &["--port", "notanumber"][..],
        &["--faults", "nosuch={}"],
        &["--faults", "contacthub={bad json"],
        &["--what"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_cdp-sandbox"))
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: "),
            "{bad:?}"
        );
    }
}
