//! The bulk writer: profile changes sent with `PUT /profiles` in batches, retried where that is safe,
//! and one report of what the service did with each.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use blueconic_api::types::{BulkInputEntry, BulkProfileError, BulkResult, BulkState, BulkStrategy};
use reqwest::Method;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::raw::{self, Retries};
use super::{Client, ObjectiveId, ProfileChange};
use crate::{Error, Result};

/// The most entries the service takes in one request.
pub const MAX_BATCH: usize = 1_000;

/// How many times a batch is sent at most when the service is busy (429, 503) or the answer is lost.
const MAX_ATTEMPTS: u32 = 10;

/// One entry the service did not apply, or whose fate is unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FailedEntry {
    /// The profile id, when the entry or the answer named one.
    pub profile_id: Option<String>,
    /// The identifier the entry carried, echoed back.
    pub identifier: Option<String>,
    /// The state the service gave, when it answered.
    pub state: Option<BulkState>,
    /// The service's validation errors by property.
    pub validation_errors: BTreeMap<String, Vec<String>>,
    /// Why the entry failed when the service gave no result for it.
    pub error: Option<String>,
}

/// What a bulk write did: counts per result state, timeline counts, every entry that failed or whose
/// outcome is unknown, and how many requests were sent again.
///
/// ```
/// let report = cdp::blueconic::BulkReport::default();
/// assert_eq!(report.count("MODIFIED"), 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkReport {
    /// Entries per result state (`CREATED`, `MODIFIED`, `UNCHANGED`, `NOTFOUND`, …).
    pub counts: BTreeMap<String, u64>,
    /// Timeline events per result state.
    pub timeline_counts: BTreeMap<String, u64>,
    /// Entries with validation errors, or that the service refused as a whole.
    pub failed: Vec<FailedEntry>,
    /// Entries of a batch whose answer was lost and that could not be sent again safely (it held an
    /// ADD, INCREMENT or REMOVE): they may or may not have been applied.
    pub outcome_unknown: Vec<FailedEntry>,
    /// Batches sent again after a 429 or 503 answer.
    pub retries_busy: u64,
    /// Batches sent again after a lost answer or a 500, 502 or 504 (which may come after the batch was
    /// applied): only batches that are safe to repeat.
    pub retries_lost: u64,
    /// Requests that were answered (a 413 split counts each part).
    pub requests: u64,
}

impl BulkReport {
    /// The entries in `state` (such as `"MODIFIED"`).
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::BulkReport::default().count("CREATED"), 0);
    /// ```
    pub fn count(&self, state: &str) -> u64 {
        self.counts.get(state).copied().unwrap_or(0)
    }

    fn merge(&mut self, other: BulkReport) {
        for (k, v) in other.counts {
            *self.counts.entry(k).or_default() += v;
        }
        for (k, v) in other.timeline_counts {
            *self.timeline_counts.entry(k).or_default() += v;
        }
        self.failed.extend(other.failed);
        self.outcome_unknown.extend(other.outcome_unknown);
        self.retries_busy += other.retries_busy;
        self.retries_lost += other.retries_lost;
        self.requests += other.requests;
    }

    fn results(&mut self, results: Vec<BulkResult>) {
        for result in results {
            let state = result.state.as_ref().map_or("", |s| s.as_str()).to_owned();
            *self.counts.entry(state).or_default() += 1;
            for event in &result.timeline {
                let state = event.state.as_ref().map_or("", |s| s.as_str()).to_owned();
                *self.timeline_counts.entry(state).or_default() += 1;
            }
            if !result.validation_errors.is_empty() {
                self.failed.push(FailedEntry {
                    profile_id: result.profile_id,
                    identifier: result.identifier,
                    state: result.state,
                    validation_errors: result.validation_errors,
                    error: None,
                });
            }
        }
    }

    fn entries(list: &mut Vec<FailedEntry>, entries: &[Entry], error: &Error) {
        list.extend(entries.iter().map(|e| FailedEntry {
            profile_id: e.body.profile_id.clone(),
            identifier: e.body.identifier.clone(),
            error: Some(error.to_string()),
            ..FailedEntry::default()
        }));
    }
}

/// One entry ready to send, and whether sending it twice is harmless.
#[derive(Clone, Debug)]
struct Entry {
    body: BulkInputEntry,
    idempotent: bool,
}

type Callback = Arc<dyn Fn(&BulkReport) + Send + Sync>;

/// Writes profile changes with `PUT /profiles` in batches of at most 1,000 entries: a batch is sent when
/// it is full, when the interval (if set) has passed at a write, and at [`finish`](BulkWriter::finish),
/// with at most `max_in_flight` batches under way (1 by default: the service answers 429 to concurrent
/// bulk requests).
///
/// A 429 or 503 answer is retried with backoff. A batch whose answer was lost (or answered 500, 502 or
/// 504) is sent again only if every entry in it is safe to repeat (no ADD, INCREMENT or REMOVE);
/// otherwise its entries are reported as [`outcome_unknown`](BulkReport::outcome_unknown). A 413 answer keeps the results of the entries the
/// service processed and sends the rest in smaller batches.
///
/// An unfinished writer logs an error with the count of unsent entries when dropped.
///
/// ```no_run
/// # async fn run() -> cdp::Result<()> {
/// use cdp::blueconic::{ProfileChange, ProfileEdits};
///
/// let bc = cdp::blueconic::Client::from_env()?;
/// let mut bulk = bc.bulk_writer();
/// let mut change = ProfileChange::for_profile("p1");
/// change.set_value("next_best_product", "tea");
/// bulk.write(change).await?;
/// let report = bulk.finish().await?;
/// println!("{} modified", report.count("MODIFIED"));
/// # Ok(()) }
/// ```
#[must_use = "a bulk writer sends its last batch only at `finish`"]
pub struct BulkWriter {
    client: Client,
    pending: Vec<Entry>,
    batch_size: usize,
    interval: Option<Duration>,
    last_flush: Instant,
    strategy: Option<BulkStrategy>,
    matching: Vec<String>,
    objective_ids: Vec<String>,
    callback: Option<Callback>,
    max_in_flight: usize,
    in_flight: JoinSet<(BulkReport, usize)>,
    unsent_in_flight: usize,
    report: BulkReport,
    finished: bool,
}

impl std::fmt::Debug for BulkWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkWriter")
            .field("pending", &self.pending.len())
            .field("in_flight", &self.in_flight.len())
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A bulk writer on this tenant.
    ///
    /// ```
    /// let bc = cdp::blueconic::Client::new("t.blueconic.net", "id", "secret");
    /// let bulk = bc.bulk_writer().batch_size(500);
    /// # drop(bulk);
    /// ```
    pub fn bulk_writer(&self) -> BulkWriter {
        BulkWriter {
            client: self.clone(),
            pending: Vec::new(),
            batch_size: MAX_BATCH,
            interval: None,
            last_flush: Instant::now(),
            strategy: None,
            matching: Vec::new(),
            objective_ids: Vec::new(),
            callback: None,
            max_in_flight: 1,
            in_flight: JoinSet::new(),
            unsent_in_flight: 0,
            report: BulkReport::default(),
            finished: false,
        }
    }
}

impl BulkWriter {
    /// Entries a batch (1 to 1,000; 1,000 by default).
    ///
    /// ```
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").bulk_writer().batch_size(100);
    /// # drop(bulk);
    /// ```
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.clamp(1, MAX_BATCH);
        self
    }

    /// Also sends a batch at a write when this long has passed since the last one was sent.
    ///
    /// ```
    /// use std::time::Duration;
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").bulk_writer().interval(Duration::from_secs(5));
    /// # drop(bulk);
    /// ```
    pub fn interval(mut self, every: Duration) -> Self {
        self.interval = Some(every);
        self
    }

    /// At most this many batches under way at once (at least 1).
    ///
    /// ```
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").bulk_writer().max_in_flight(2);
    /// # drop(bulk);
    /// ```
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// The strategy of every entry (UPSERT, UPDATE, DELETE), rather than the one each change implies.
    ///
    /// ```
    /// use cdp::blueconic::api::types::BulkStrategy;
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").bulk_writer().strategy(BulkStrategy::Upsert);
    /// # drop(bulk);
    /// ```
    pub fn strategy(mut self, strategy: BulkStrategy) -> Self {
        self.strategy = Some(strategy);
        self
    }

    /// Matches profiles only on these properties of changes built with
    /// [`ProfileChange::matching`].
    ///
    /// ```
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").bulk_writer().matching_properties(["email"]);
    /// # drop(bulk);
    /// ```
    pub fn matching_properties<S: Into<String>>(
        mut self,
        ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.matching = ids.into_iter().map(Into::into).collect();
        self
    }

    /// The objectives the consent changes refer to (`objectiveIds`).
    ///
    /// ```
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").bulk_writer().objective_ids(["marketing"]);
    /// # drop(bulk);
    /// ```
    pub fn objective_ids<O: Into<ObjectiveId>>(mut self, ids: impl IntoIterator<Item = O>) -> Self {
        self.objective_ids = ids.into_iter().map(|id| id.into().to_string()).collect();
        self
    }

    /// Called with the report of each batch as it completes.
    ///
    /// ```
    /// let bulk = cdp::blueconic::Client::new("t.blueconic.net", "i", "s")
    ///     .bulk_writer()
    ///     .on_batch(|r| println!("{:?}", r.counts));
    /// # drop(bulk);
    /// ```
    pub fn on_batch(mut self, callback: impl Fn(&BulkReport) + Send + Sync + 'static) -> Self {
        self.callback = Some(Arc::new(callback));
        self
    }

    /// Queues a change (a [`Profile`](super::Profile)'s operations, or a [`ProfileChange`]); a change with
    /// no operation is skipped. Sends a batch when one is full or the interval has passed. A value that
    /// cannot be sent is [`Error::InvalidInput`] and nothing of the change is queued.
    ///
    /// ```no_run
    /// # async fn run(bc: cdp::blueconic::Client) -> cdp::Result<()> {
    /// use cdp::blueconic::ProfileEdits;
    /// let mut bulk = bc.bulk_writer();
    /// let mut p = bc.profile("p1").send().await?;
    /// p.increment("visits", 1);
    /// bulk.write(&mut p).await?;
    /// bulk.finish().await?;
    /// # Ok(()) }
    /// ```
    pub async fn write(&mut self, change: impl Into<ProfileChange>) -> Result<()> {
        let change = change.into();
        if change.is_empty() {
            return Ok(());
        }
        let idempotent = change.is_idempotent();
        let body = change.into_entry(self.strategy.as_ref(), &self.matching)?;
        self.pending.push(Entry { body, idempotent });
        let due = self
            .interval
            .is_some_and(|every| self.last_flush.elapsed() >= every);
        if self.pending.len() >= self.batch_size || due {
            self.flush().await?;
        }
        Ok(())
    }

    /// Sends what is queued as one batch (waiting first while `max_in_flight` batches are under way).
    ///
    /// ```no_run
    /// # async fn run(mut bulk: cdp::blueconic::BulkWriter) -> cdp::Result<()> {
    /// bulk.flush().await?;
    /// # let _ = bulk.finish().await?; Ok(()) }
    /// ```
    pub async fn flush(&mut self) -> Result<()> {
        self.last_flush = Instant::now();
        if self.pending.is_empty() {
            return Ok(());
        }
        while self.in_flight.len() >= self.max_in_flight {
            self.collect_one().await;
        }
        let batch = std::mem::take(&mut self.pending);
        self.unsent_in_flight += batch.len();
        let client = self.client.clone();
        let objectives = self.objective_ids.join(",");
        let n = batch.len();
        self.in_flight
            .spawn(async move { (send_batch(client, batch, objectives).await, n) });
        Ok(())
    }

    /// Waits for one batch under way and takes its report.
    async fn collect_one(&mut self) {
        if let Some(done) = self.in_flight.join_next().await {
            match done {
                Ok((report, n)) => {
                    self.unsent_in_flight = self.unsent_in_flight.saturating_sub(n);
                    if let Some(callback) = &self.callback {
                        callback(&report);
                    }
                    self.report.merge(report);
                }
                Err(e) => {
                    // A batch task that panicked or was cancelled: its entries' fate is unknown.
                    self.report.outcome_unknown.push(FailedEntry {
                        error: Some(format!("a batch task ended abnormally: {e}")),
                        ..FailedEntry::default()
                    });
                }
            }
        }
    }

    /// Sends what is left, waits for every batch, and returns the report of the whole write.
    ///
    /// ```no_run
    /// # async fn run(bulk: cdp::blueconic::BulkWriter) -> cdp::Result<()> {
    /// let report = bulk.finish().await?;
    /// println!("{} failed, {} retried", report.failed.len(), report.retries_busy);
    /// # Ok(()) }
    /// ```
    pub async fn finish(mut self) -> Result<BulkReport> {
        self.flush().await?;
        while !self.in_flight.is_empty() {
            self.collect_one().await;
        }
        self.finished = true;
        Ok(std::mem::take(&mut self.report))
    }
}

impl Drop for BulkWriter {
    fn drop(&mut self) {
        let unsent = self.pending.len() + self.unsent_in_flight;
        if !self.finished && unsent > 0 {
            tracing::error!(
                unsent,
                "a BlueConic bulk writer was dropped before `finish`: {unsent} entries were not written"
            );
        }
    }
}

/// Sends one batch to its end: retries of 429 and 503, resends after a lost answer when safe, 413
/// splits.
async fn send_batch(client: Client, batch: Vec<Entry>, objectives: String) -> BulkReport {
    let mut report = BulkReport::default();
    let mut queue: Vec<Vec<Entry>> = vec![batch];
    while let Some(part) = queue.pop() {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let body = serde_json::to_vec(&part.iter().map(|e| &e.body).collect::<Vec<_>>())
                .unwrap_or_default();
            let query: Vec<(&str, String)> = if objectives.is_empty() {
                Vec::new()
            } else {
                vec![("objectiveIds", objectives.clone())]
            };
            let sent = raw::send(
                &client,
                Method::PUT,
                "/profiles",
                &query,
                Some(body),
                blueconic_api::operations::BULK_PROFILES.id(),
                Retries::Never,
            )
            .await;
            let answer = match sent {
                Ok(answer) => answer,
                Err(e @ (Error::Transport { .. } | Error::Timeout { .. })) => {
                    // The answer was lost: the batch may have been applied.
                    if part.iter().all(|e| e.idempotent) && attempt < MAX_ATTEMPTS {
                        report.retries_lost += 1;
                        tokio::time::sleep(backoff(attempt, None)).await;
                        continue;
                    }
                    BulkReport::entries(&mut report.outcome_unknown, &part, &e);
                    break;
                }
                Err(e) => {
                    BulkReport::entries(&mut report.failed, &part, &e);
                    break;
                }
            };
            match answer.status {
                200..=299 => {
                    report.requests += 1;
                    match serde_json::from_slice::<Vec<BulkResult>>(&answer.bytes) {
                        Ok(results) => report.results(results),
                        Err(e) => {
                            let e = Error::invalid_input("bulk answer", e.to_string());
                            BulkReport::entries(&mut report.outcome_unknown, &part, &e);
                        }
                    }
                    break;
                }
                413 => {
                    report.requests += 1;
                    // The service processed the first entries and answered their results; the rest go
                    // again, in parts of the size it took.
                    let Some(done) = processed_results(&answer.bytes) else {
                        // What was applied is not known: only a batch safe to repeat goes again.
                        if part.iter().all(|e| e.idempotent) && part.len() > 1 {
                            report.retries_lost += 1;
                            let half = part.len().div_ceil(2);
                            queue.push(part[half..].to_vec());
                            queue.push(part[..half].to_vec());
                        } else {
                            BulkReport::entries(
                                &mut report.outcome_unknown,
                                &part,
                                &answer.error(),
                            );
                        }
                        break;
                    };
                    let processed = done.len().min(part.len());
                    report.results(done);
                    let rest = &part[processed..];
                    if rest.is_empty() {
                        break;
                    }
                    if processed == 0 {
                        BulkReport::entries(&mut report.failed, rest, &answer.error());
                        break;
                    }
                    let mut chunks: Vec<Vec<Entry>> =
                        rest.chunks(processed).map(<[Entry]>::to_vec).collect();
                    chunks.reverse();
                    queue.extend(chunks);
                    break;
                }
                // A server error may come after the batch was applied: like a lost answer.
                500 | 502 | 504 => {
                    if part.iter().all(|e| e.idempotent) && attempt < MAX_ATTEMPTS {
                        report.retries_lost += 1;
                        tokio::time::sleep(backoff(attempt, None)).await;
                        continue;
                    }
                    report.requests += 1;
                    BulkReport::entries(&mut report.outcome_unknown, &part, &answer.error());
                    break;
                }
                429 | 503 if attempt < MAX_ATTEMPTS => {
                    report.retries_busy += 1;
                    let after = answer
                        .headers
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    tokio::time::sleep(backoff(attempt, after)).await;
                }
                _ => {
                    report.requests += 1;
                    BulkReport::entries(&mut report.failed, &part, &answer.error());
                    break;
                }
            }
        }
    }
    report
}

/// The results a 413 answer carries, as the spec declares them (`BulkProfileError`); the transport
/// keeps a JSON error body whole, however many results it holds.
fn processed_results(bytes: &[u8]) -> Option<Vec<BulkResult>> {
    match serde_json::from_slice::<BulkProfileError>(bytes).ok()? {
        BulkProfileError::BulkProfileResponse(results) => Some(results.0),
        BulkProfileError::ErrorBody(_) => None,
    }
}

/// A bulk write's error answer from the generated client (`bulk_profiles`): a 413's processed results
/// become the message's count (read them from the generated error before converting it), any other
/// answer BlueConic's error body.
///
/// ```
/// use cdp::ServiceErrorBody as _;
/// use cdp::blueconic::api::types::{BulkProfileError, BulkProfileResponse, BulkResult};
///
/// let body = BulkProfileError::BulkProfileResponse(BulkProfileResponse(vec![BulkResult::default()]));
/// let err = body.into_api_error(413, &Default::default());
/// assert_eq!(err.status, 413);
/// assert_eq!(err.message.as_deref(), Some("the service processed the first 1 entries only"));
/// ```
impl crate::ServiceErrorBody for BulkProfileError {
    const SERVICE: &'static str = "BlueConic";

    fn into_api_error(self, status: u16, headers: &reqwest::header::HeaderMap) -> crate::ApiError {
        match self {
            Self::ErrorBody(body) => body.into_api_error(status, headers),
            Self::BulkProfileResponse(results) => {
                let message = format!(
                    "the service processed the first {} entries only",
                    results.0.len()
                );
                let body = blueconic_api::types::ErrorBody {
                    message: Some(message),
                    ..Default::default()
                };
                body.into_api_error(status, headers)
            }
        }
    }
}

/// The pause before attempt `attempt + 1`: the service's `Retry-After` (up to a minute), or 100 ms
/// doubling up to 5 s.
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(after) = retry_after {
        return after.min(Duration::from_secs(60));
    }
    let step = Duration::from_millis(100).saturating_mul(1 << attempt.min(6));
    step.min(Duration::from_secs(5))
}
