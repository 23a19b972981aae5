//! What the `customer_profiles_*` tests share: a recording transport that keeps each request's SigV4
//! signed-header list (not its signature), and clients for it and for the sandbox.

// Each test binary uses a part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use cdp::customer_profiles::Client;
use cdp::transport::{AwsCredentials, BoxFuture, Transport};
use cdp_sandbox::Sandbox;
use cdp_tests::{Recorder, Shape};
use serde::Serialize;

/// Records what the recorder records, plus the `SignedHeaders` list of each request's SigV4
/// `authorization` header (the signature itself is not kept).
#[derive(Clone, Debug, Default)]
pub(crate) struct Signed {
    pub(crate) recorder: Recorder,
    signed_headers: Arc<Mutex<Vec<String>>>,
}

/// A recorded request and the headers its signature covers.
#[derive(Debug, Serialize)]
pub(crate) struct SignedShape {
    #[serde(flatten)]
    pub(crate) shape: Shape,
    pub(crate) signed_headers: String,
}

impl Signed {
    /// Every request so far, with its signed-header list.
    pub(crate) fn shapes(&self) -> Vec<SignedShape> {
        let lists = self.signed_headers.lock().unwrap().clone();
        self.recorder
            .shapes()
            .into_iter()
            .zip(lists)
            .map(|(shape, signed_headers)| SignedShape {
                shape,
                signed_headers,
            })
            .collect()
    }

    /// Queues a reply (see [`Recorder::reply`]).
    pub(crate) fn reply(&self, status: u16, body: &str) -> &Self {
        self.recorder.reply(status, body);
        self
    }

    /// Queues a reply with headers (see [`Recorder::reply_with_headers`]).
    pub(crate) fn reply_with_headers(
        &self,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> &Self {
        self.recorder.reply_with_headers(status, headers, body);
        self
    }

    /// The signed-header lists so far.
    pub(crate) fn signed_headers(&self) -> Vec<String> {
        self.signed_headers.lock().unwrap().clone()
    }
}

impl Transport for Signed {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let list = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("SignedHeaders=").nth(1))
            .and_then(|v| v.split(',').next())
            .unwrap_or_default()
            .to_owned();
        self.signed_headers.lock().unwrap().push(list);
        self.recorder.execute(client, request, operation)
    }
}

/// A client whose requests are recorded (and answered with the recorder's queued replies).
pub(crate) fn recorded() -> (Signed, Client) {
    let signed = Signed::default();
    let client = Client::new(
        "eu-west-1",
        AwsCredentials::new("AKIDEXAMPLE", "aws-secret-key"),
    )
    .configure(|c| c.transport(signed.clone()));
    (signed, client)
}

/// A client of the sandbox, and its domain.
pub(crate) fn sandbox_client(sandbox: &Sandbox) -> (Client, String) {
    let c = sandbox.credentials();
    let client = Client::builder(
        &c.aws_region,
        AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
    )
    .base_url(&sandbox.urls().customer_profiles)
    .build()
    .unwrap();
    (client, c.aws_domain.clone())
}
