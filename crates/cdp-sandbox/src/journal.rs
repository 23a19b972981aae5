//! What the sandbox received, in order.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use crate::Service;
use crate::faults::Dropped;
use crate::http::{body_value, buffer_body};

/// One request as received, and the status it got.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JournalEntry {
    /// The service it went to.
    pub service: Service,
    /// HTTP method.
    pub method: String,
    /// Path below the service's base URL.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Headers, with secrets masked.
    pub headers: BTreeMap<String, String>,
    /// The body: JSON when it parses, a form as its pairs, else text; `None` when empty.
    pub body: Option<Value>,
    /// The status answered; `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
}

/// The requests a sandbox received, the most recent `capacity` of them.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let sandbox = cdp_sandbox::Sandbox::start().await?;
/// // ... send requests ...
/// for entry in sandbox.journal().entries() {
///     println!("{} {} {} -> {:?}", entry.service, entry.method, entry.path, entry.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Journal {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Debug)]
struct Entries {
    capacity: usize,
    entries: VecDeque<JournalEntry>,
    next_id: u64,
    first_id: u64,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        let entries = Entries {
            capacity: capacity.max(1),
            entries: VecDeque::new(),
            next_id: 0,
            first_id: 0,
        };
        Self {
            inner: Arc::new(Mutex::new(entries)),
        }
    }

    /// Every entry kept, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.lock().entries.iter().cloned().collect()
    }

    /// The entries of one service, oldest first.
    pub fn of(&self, service: Service) -> Vec<JournalEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.service == service)
            .cloned()
            .collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.first_id = inner.next_id;
        inner.entries.clear();
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, entry: JournalEntry) -> u64 {
        let mut inner = self.lock();
        if inner.entries.len() == inner.capacity {
            inner.entries.pop_front();
            inner.first_id += 1;
        }
        inner.entries.push_back(entry);
        inner.next_id += 1;
        inner.next_id - 1
    }

    fn set_status(&self, id: u64, status: Option<u16>) {
        let mut inner = self.lock();
        if id >= inner.first_id {
            let index = (id - inner.first_id) as usize;
            if let Some(entry) = inner.entries.get_mut(index) {
                entry.status = status;
            }
        }
    }
}

/// Middleware: records the request before anything else sees it, then the status it got.
pub(crate) async fn record(
    State((journal, service)): State<(Journal, Service)>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match buffer_body(body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let entry = JournalEntry {
        service,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    mask(name.as_str(), value.to_str().unwrap_or("<binary>")),
                )
            })
            .collect(),
        body: (!bytes.is_empty()).then(|| body_value(&bytes, content_type)),
        status: None,
    };
    let id = journal.push(entry);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status =
        (response.extensions().get::<Dropped>().is_none()).then(|| response.status().as_u16());
    journal.set_status(id, status);
    response
}

fn mask(name: &str, value: &str) -> String {
    match name {
        "authorization" | "x-api-key" | "x-amz-security-token" => match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} <redacted>"),
            None => "<redacted>".to_owned(),
        },
        _ => value.to_owned(),
    }
}
