//! When a request is sent again, and after how long.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use backon::BackoffBuilder as _;
use reqwest::{Method, StatusCode};

use crate::Operation;

/// How a client retries: only requests that are safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE, and the
/// POST operations named safe), only on connection errors, timeouts (of the call's attempt), bodies cut
/// short and the statuses 408, 429, 500, 502, 503, 504; with exponential backoff and jitter between
/// attempts (each pause between the backoff step and twice it), or the server's `Retry-After`
/// (seconds or an HTTP date) when it gives one. The client's timeout bounds all attempts together.
///
/// Reads (GET, HEAD, OPTIONS) are the most patient: ten attempts by default, so that a long listing
/// survives a flaky network; other requests safe to repeat get four.
///
/// ```
/// use std::time::Duration;
/// use cdp_transport::{Operation, RetryPolicy};
///
/// // Each `*-api` crate has these constants in its `operations` module.
/// const GET_SEGMENT_MEMBERSHIP: Operation = Operation::unchecked("get_segment_membership");
/// const SEARCH_PROFILES: Operation = Operation::unchecked("search_profiles");
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(50))
///     .safe_operations([GET_SEGMENT_MEMBERSHIP, SEARCH_PROFILES]);
/// assert_eq!(policy.attempts(), 6);
/// ```
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    max_attempts: u32,
    read_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    safe: Arc<BTreeSet<String>>,
    never: Arc<BTreeSet<String>>,
}

impl Default for RetryPolicy {
    /// Four attempts in all (ten for reads), backoff from 100 ms up to 5 s, `Retry-After` honoured up
    /// to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            read_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
            safe: Arc::default(),
            never: Arc::default(),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    ///
    /// ```
    /// assert_eq!(cdp_transport::RetryPolicy::none().attempts(), 1);
    /// ```
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            read_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1), for every request, reads included.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self.read_attempts = self.max_attempts;
        self
    }

    /// Attempts in all for reads (GET, HEAD, OPTIONS) only; set it after [`RetryPolicy::max_attempts`].
    ///
    /// ```
    /// let policy = cdp_transport::RetryPolicy::default().max_attempts(3).read_attempts(12);
    /// assert_eq!((policy.attempts(), policy.attempts_of_reads()), (3, 12));
    /// ```
    pub fn read_attempts(mut self, attempts: u32) -> Self {
        self.read_attempts = attempts.max(1);
        self
    }

    /// The pause before the first retry; it doubles from there.
    pub fn initial_backoff(mut self, pause: Duration) -> Self {
        self.initial_backoff = pause;
        self
    }

    /// The longest backoff step; jitter may add as much again to a pause.
    pub fn max_backoff(mut self, pause: Duration) -> Self {
        self.max_backoff = pause;
        self
    }

    /// The longest `Retry-After` honoured; a server asking for more ends the retries.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Operations that are POSTs but safe to repeat, such as reads sent as POST: the constants of a
    /// client's `operations` module (or [`Operation::unchecked`]). A bare string does not compile:
    ///
    /// ```compile_fail
    /// let policy = cdp_transport::RetryPolicy::default().safe_operations(["get_segment_membership"]);
    /// ```
    pub fn safe_operations(mut self, operations: impl IntoIterator<Item = Operation>) -> Self {
        Arc::make_mut(&mut self.safe).extend(operations.into_iter().map(|o| o.id().to_owned()));
        self
    }

    /// Operations never retried whatever their method, such as a PUT whose effect adds up.
    ///
    /// ```
    /// use cdp_transport::{Operation, RetryPolicy};
    ///
    /// const BULK_PROFILES: Operation = Operation::unchecked("bulk_profiles");
    /// let policy = RetryPolicy::default().never_retry([BULK_PROFILES]);
    /// # let _ = policy;
    /// ```
    pub fn never_retry(mut self, operations: impl IntoIterator<Item = Operation>) -> Self {
        Arc::make_mut(&mut self.never).extend(operations.into_iter().map(|o| o.id().to_owned()));
        self
    }

    /// Attempts in all (reads aside).
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Attempts in all for reads.
    pub fn attempts_of_reads(&self) -> u32 {
        self.read_attempts
    }

    /// Attempts in all for a request of this method.
    pub(crate) fn attempts_for(&self, method: &Method, _operation: &str) -> u32 {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            self.read_attempts
        } else {
            self.max_attempts
        }
    }

    /// Whether a request of this method and operation may be sent twice.
    pub(crate) fn may_repeat(&self, method: &Method, operation: &str) -> bool {
        if self.attempts_for(method, operation) < 2 || self.never.contains(operation) {
            return false;
        }
        matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        ) || self.safe.contains(operation)
    }

    /// The pauses between attempts, jittered.
    pub(crate) fn backoff(&self, attempts: u32) -> impl Iterator<Item = Duration> {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_max_times(attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build()
    }

    pub(crate) fn honours(&self, retry_after: Duration) -> bool {
        retry_after <= self.max_retry_after
    }
}

/// What an attempt's outcome says about trying again.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum Outcome {
    /// Final: success, or an error that another attempt would not fix.
    Final,
    /// Worth another attempt, after the server's `Retry-After` when it gave one.
    Retry(Option<Duration>),
}

pub(crate) fn status_outcome(
    status: StatusCode,
    retry_after: Option<&str>,
    now: SystemTime,
) -> Outcome {
    match status.as_u16() {
        408 | 429 | 500 | 502 | 503 | 504 => {
            Outcome::Retry(retry_after.and_then(|v| parse_retry_after(v, now)))
        }
        _ => Outcome::Final,
    }
}

pub(crate) fn error_outcome(error: &reqwest::Error) -> Outcome {
    // A connection refused, reset or closed before the answer, or a timed-out attempt: nothing was
    // answered, so an idempotent request can go again. Builder and decode errors would fail again, and
    // so would the transport's own refusals (a redirect, a body too large).
    if let Some(typed) = crate::TransportError::find(error) {
        // A timed-out attempt is typed only to say how long it waited: it goes again like any other.
        match typed {
            crate::TransportError::Timeout { .. } => Outcome::Retry(None),
            _ => Outcome::Final,
        }
    } else if error.is_connect() || error.is_timeout() || error.is_request() || error.is_body() {
        Outcome::Retry(None)
    } else {
        Outcome::Final
    }
}

/// Whether a pause ends before the deadline (`None`: no deadline). A pause too long for the clock never
/// does.
pub(crate) fn ends_before(pause: Duration, deadline: Option<tokio::time::Instant>) -> bool {
    match (tokio::time::Instant::now().checked_add(pause), deadline) {
        (Some(at), Some(deadline)) => at < deadline,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_repeatable_requests_are_retried() {
        let policy = RetryPolicy::default()
            .safe_operations([Operation::unchecked("get_campaigns")])
            .never_retry([Operation::unchecked("bulk_profiles")]);
        assert!(policy.may_repeat(&Method::GET, "list_customers"));
        assert!(policy.may_repeat(&Method::PUT, "update_customer"));
        assert!(policy.may_repeat(&Method::DELETE, "delete_customer"));
        assert!(!policy.may_repeat(&Method::POST, "create_customer"));
        assert!(!policy.may_repeat(&Method::PATCH, "patch_customer"));
        assert!(policy.may_repeat(&Method::POST, "get_campaigns"));
        assert!(!policy.may_repeat(&Method::PUT, "bulk_profiles"));
        assert!(!RetryPolicy::none().may_repeat(&Method::GET, "list_customers"));
        assert_eq!(policy.attempts_for(&Method::GET, "list_customers"), 10);
        assert_eq!(policy.attempts_for(&Method::PUT, "update_customer"), 4);
    }

    #[test]
    fn statuses_that_are_worth_another_attempt() {
        let now = SystemTime::now();
        for status in [408, 429, 500, 502, 503, 504] {
            assert_eq!(
                status_outcome(StatusCode::from_u16(status).unwrap(), None, now),
                Outcome::Retry(None),
                "{status}"
            );
        }
        for status in [200, 201, 204, 304, 400, 401, 403, 404, 409, 413, 422, 501] {
            assert_eq!(
                status_outcome(StatusCode::from_u16(status).unwrap(), None, now),
                Outcome::Final,
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 08:00:00 GMT").unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 08:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 07:59:00 GMT", now),
            Some(Duration::ZERO),
            "a past date means now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            status_outcome(StatusCode::TOO_MANY_REQUESTS, Some("3"), now),
            Outcome::Retry(Some(Duration::from_secs(3)))
        );
    }

    #[test]
    fn backoff_grows_is_jittered_and_bounded() {
        let policy = RetryPolicy::default()
            .max_attempts(6)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(800));
        let pauses: Vec<Duration> = policy.backoff(policy.attempts()).collect();
        assert_eq!(pauses.len(), 5);
        assert!(
            pauses.iter().all(|p| *p <= Duration::from_millis(1600)),
            "{pauses:?}"
        );
        assert!(pauses[0] >= Duration::from_millis(100), "{pauses:?}");
    }
}
