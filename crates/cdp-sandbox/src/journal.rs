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
    /// The body of an accepted request (answered 2xx, or carried out before its answer was dropped): JSON
    /// when it parses, a form as its pairs, else text. `None` when empty or when the request was refused,
    /// so that refused bodies (a flood of oversized ones, say) cost no memory.
    pub body: Option<Value>,
    /// The status answered; `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
    /// The service carried the request out, then its connection was dropped on purpose (the
    /// `applied_lost_rate` fault): the client saw no answer.
    pub answer_lost: bool,
}

/// The requests a sandbox received, the most recent `capacity` of them (10,000 by default), with at most
/// 64 MiB of bodies in all: the oldest entries go first.
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

/// The most body bytes the journal keeps, all entries together.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug)]
struct Entries {
    capacity: usize,
    body_budget: usize,
    /// Each entry with the size of the body it keeps.
    entries: VecDeque<(JournalEntry, usize)>,
    body_bytes: usize,
    next_id: u64,
    first_id: u64,
}

impl Entries {
    fn pop_oldest(&mut self) {
        if let Some((_, size)) = self.entries.pop_front() {
            self.body_bytes -= size;
            self.first_id += 1;
        }
    }
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self::bounded(capacity, MAX_BODY_BYTES)
    }

    fn bounded(capacity: usize, body_budget: usize) -> Self {
        let entries = Entries {
            capacity: capacity.max(1),
            body_budget,
            entries: VecDeque::new(),
            body_bytes: 0,
            next_id: 0,
            first_id: 0,
        };
        Self {
            inner: Arc::new(Mutex::new(entries)),
        }
    }

    /// Every entry kept, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.lock().entries.iter().map(|(e, _)| e.clone()).collect()
    }

    /// The bytes of the bodies kept, all entries together.
    pub fn body_bytes(&self) -> usize {
        self.lock().body_bytes
    }

    /// The entries of one service, oldest first.
    pub fn of(&self, service: Service) -> Vec<JournalEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|(e, _)| e.service == service)
            .map(|(e, _)| e.clone())
            .collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.first_id = inner.next_id;
        inner.entries.clear();
        inner.body_bytes = 0;
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, entry: JournalEntry) -> u64 {
        let mut inner = self.lock();
        if inner.entries.len() >= inner.capacity {
            inner.pop_oldest();
        }
        inner.entries.push_back((entry, 0));
        inner.next_id += 1;
        inner.next_id - 1
    }

    /// Completes entry `id` with what it got, and its body when the request was accepted.
    fn complete(
        &self,
        id: u64,
        status: Option<u16>,
        answer_lost: bool,
        body: Option<(Value, usize)>,
    ) {
        let mut inner = self.lock();
        let Some(index) = id
            .checked_sub(inner.first_id)
            .and_then(|i| usize::try_from(i).ok())
        else {
            return;
        };
        let Some((entry, size)) = inner.entries.get_mut(index) else {
            return;
        };
        entry.status = status;
        entry.answer_lost = answer_lost;
        let added = match body {
            Some((value, bytes)) => {
                entry.body = Some(value);
                *size = bytes;
                bytes
            }
            None => 0,
        };
        inner.body_bytes += added;
        // The oldest go first; the entry just completed stays even when its body alone is over the budget.
        while inner.body_bytes > inner.body_budget && inner.entries.len() > 1 {
            inner.pop_oldest();
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
        body: None,
        status: None,
        answer_lost: false,
    };
    let content_type = content_type.to_owned();
    let id = journal.push(entry);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let dropped = response.extensions().get::<Dropped>().copied();
    let status = dropped.is_none().then(|| response.status().as_u16());
    let answer_lost = dropped.is_some_and(|d| d.applied);
    let accepted = answer_lost || response.status().is_success() && dropped.is_none();
    // Only accepted requests keep their body, parsed now that the answer says so.
    let body =
        (accepted && !bytes.is_empty()).then(|| (body_value(&bytes, &content_type), bytes.len()));
    journal.complete(id, status, answer_lost, body);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> JournalEntry {
        JournalEntry {
            service: Service::ContactHub,
            method: "POST".into(),
            path: format!("/{n}"),
            query: None,
            headers: BTreeMap::new(),
            body: None,
            status: None,
            answer_lost: false,
        }
    }

    #[test]
    fn the_oldest_entries_go_when_the_bodies_pass_the_budget() {
        let journal = Journal::bounded(100, 1000);
        for n in 0..10 {
            let id = journal.push(entry(n));
            journal.complete(id, Some(201), false, Some((Value::from(n), 300)));
        }
        let kept: Vec<String> = journal.entries().into_iter().map(|e| e.path).collect();
        assert_eq!(kept, ["/7", "/8", "/9"], "3 x 300 bytes fit in 1000");
        assert_eq!(journal.body_bytes(), 900);
        journal.clear();
        assert_eq!(journal.body_bytes(), 0);
    }

    #[test]
    fn the_count_is_bounded_too_and_late_completions_of_dropped_entries_are_ignored() {
        let journal = Journal::bounded(3, 1000);
        let first = journal.push(entry(0));
        for n in 1..5 {
            journal.push(entry(n));
        }
        journal.complete(first, Some(200), false, Some((Value::from(0), 999)));
        assert_eq!(journal.entries().len(), 3);
        assert_eq!(journal.body_bytes(), 0, "the entry had gone already");
    }
}
