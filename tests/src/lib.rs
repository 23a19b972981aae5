//! Test support for the workspace: capture the exact request an operation sends, as a [`Shape`] that insta
//! snapshots, and answer it from memory.
//!
//! The [`Recorder`] is a [`cdp_transport::Transport`], so it sits at the one choke point every generated
//! client goes through, after authentication: what it records is what would go on the wire.
//!
//! ```
//! use cdp_tests::Recorder;
//! use cdp_transport::Auth;
//!
//! let (recorder, inner) = Recorder::new(Auth::bearer("secret"));
//! recorder.reply(200, r#"{"id": "c1"}"#);
//! # let _ = inner;
//! ```

pub mod conformance;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cdp_transport::{Auth, BoxFuture, Inner, Transport};
use serde::Serialize;
use serde_json::Value;

/// Headers worth seeing in a request shape; others (user agent, content length) are noise.
const RELEVANT_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "if-modified-since",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
    "x-api-key",
    "x-sdk-client",
    "x-sdk-version",
];

/// Headers whose value is a secret: a shape shows only that one was sent (and its scheme).
const SECRET_HEADERS: &[&str] = &["authorization", "x-api-key", "x-amz-security-token"];

/// One request as sent: the operation, method, path, sorted query, relevant headers with secrets masked,
/// and the body (JSON pretty, a form as its pairs, anything else as text).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shape {
    /// The spec's operationId.
    pub op: String,
    /// HTTP method.
    pub method: String,
    /// Path, percent-encoded as sent.
    pub path: String,
    /// Query pairs as decoded `key=value` lines, sorted (repeated keys stay repeated).
    pub query: Vec<String>,
    /// Relevant headers by name, secrets masked.
    pub headers: BTreeMap<String, String>,
    /// The body, when there is one.
    pub body: Option<Value>,
}

impl Shape {
    fn of(request: &reqwest::Request, operation: &str) -> Self {
        let url = request.url();
        let mut query: Vec<String> = url.query_pairs().map(|(k, v)| format!("{k}={v}")).collect();
        query.sort();
        let headers = request
            .headers()
            .iter()
            .filter(|(name, _)| RELEVANT_HEADERS.contains(&name.as_str()))
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    mask(name.as_str(), value.to_str().unwrap_or("<binary>")),
                )
            })
            .collect();
        let content_type = request
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(|bytes| body_value(bytes, content_type));
        Self {
            op: operation.to_owned(),
            method: request.method().to_string(),
            path: url.path().to_owned(),
            query,
            headers,
            body,
        }
    }
}

fn mask(name: &str, value: &str) -> String {
    // The signing time changes from run to run; that it is there is what a shape shows.
    if name == "x-amz-date" {
        return "<timestamp>".to_owned();
    }
    if !SECRET_HEADERS.contains(&name) {
        return value.to_owned();
    }
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} <redacted>"),
        None => "<redacted>".to_owned(),
    }
}

fn body_value(bytes: &[u8], content_type: &str) -> Value {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs = url_pairs(bytes);
        return Value::Array(
            pairs
                .into_iter()
                .map(|(k, v)| Value::from(vec![k, v]))
                .collect(),
        );
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

fn url_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let url = reqwest::Url::parse(&format!("http://form.invalid/?{text}"));
    url.map(|u| {
        u.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

/// A canned answer.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Debug, Default)]
struct State {
    shapes: Vec<Shape>,
    replies: VecDeque<Reply>,
}

/// Records every request sent through it and answers each with the next queued reply (`200 {}` when none
/// is queued). Clones share their records.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
}

impl Recorder {
    /// A recorder and the client [`Inner`] that sends through it with `auth`, without retries (each call
    /// is one request, answered by one queued reply).
    ///
    /// ```
    /// let (recorder, inner) = cdp_tests::Recorder::new(cdp_transport::Auth::None);
    /// assert!(recorder.shapes().is_empty());
    /// # let _ = inner;
    /// ```
    pub fn new(auth: Auth) -> (Self, Inner) {
        let recorder = Self::default();
        let inner = Inner::new(auth)
            .with_transport(recorder.clone())
            .with_retry(cdp_transport::RetryPolicy::none());
        (recorder, inner)
    }

    /// Queues a reply with a JSON (or empty) body.
    ///
    /// ```
    /// let (recorder, _) = cdp_tests::Recorder::new(cdp_transport::Auth::None);
    /// recorder.reply(404, r#"{"message": "not found"}"#);
    /// ```
    pub fn reply(&self, status: u16, body: &str) -> &Self {
        self.reply_with_headers(status, &[], body)
    }

    /// Queues a reply with extra headers.
    ///
    /// ```
    /// let (recorder, _) = cdp_tests::Recorder::new(cdp_transport::Auth::None);
    /// recorder.reply_with_headers(200, &[("last-modified", "Wed, 21 Oct 2026 07:28:00 GMT")], "{}");
    /// ```
    pub fn reply_with_headers(&self, status: u16, headers: &[(&str, &str)], body: &str) -> &Self {
        let headers = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.lock().replies.push_back(Reply {
            status,
            headers,
            body: body.to_owned(),
        });
        self
    }

    /// Every request recorded so far, in order.
    ///
    /// ```
    /// let (recorder, _) = cdp_tests::Recorder::new(cdp_transport::Auth::None);
    /// assert_eq!(recorder.shapes().len(), 0);
    /// ```
    pub fn shapes(&self) -> Vec<Shape> {
        self.lock().shapes.clone()
    }

    /// The one request recorded; panics (a test failure) when there is not exactly one.
    ///
    /// ```should_panic
    /// let (recorder, _) = cdp_tests::Recorder::new(cdp_transport::Auth::None);
    /// recorder.single();
    /// ```
    pub fn single(&self) -> Shape {
        let shapes = self.shapes();
        assert_eq!(
            shapes.len(),
            1,
            "expected exactly one request, got {shapes:#?}"
        );
        shapes.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Transport for Recorder {
    fn execute<'a>(
        &'a self,
        _client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let reply = {
            let mut state = self.lock();
            state.shapes.push(Shape::of(&request, operation));
            state.replies.pop_front()
        };
        let reply = reply.unwrap_or(Reply {
            status: 200,
            headers: Vec::new(),
            body: "{}".to_owned(),
        });
        Box::pin(async move { Ok(response(reply)) })
    }
}

fn response(reply: Reply) -> reqwest::Response {
    let mut builder = http::Response::builder()
        .status(reply.status)
        .header("content-type", "application/json");
    for (name, value) in &reply.headers {
        builder = builder.header(name, value);
    }
    let response = builder
        .body(reply.body)
        .unwrap_or_else(|e| panic!("bad canned reply: {e}"));
    reqwest::Response::from(response)
}
