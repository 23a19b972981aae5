//! What the attempts of one call came to, for a caller that must know whether an earlier attempt may
//! have taken effect: a create retried under a key that makes a repeat safe, a delete whose first
//! answer was lost. The record is kept for the calls made inside [`observe`], in that task only.

use std::future::Future;
use std::sync::{Mutex, PoisonError};

/// How one attempt of a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The service answered with this status.
    Answered(u16),
    /// No answer came (the connection dropped, the attempt timed out): the request may have been
    /// carried out.
    Lost,
    /// The connection could not be made: nothing was sent.
    NotSent,
}

impl Attempt {
    /// Whether the request may have taken effect without the caller seeing it: no answer, or an answer
    /// (408, 5xx) that does not say it was not carried out.
    ///
    /// ```
    /// use cdp_transport::attempts::Attempt;
    ///
    /// assert!(Attempt::Lost.may_have_applied());
    /// assert!(Attempt::Answered(504).may_have_applied());
    /// assert!(!Attempt::Answered(429).may_have_applied());
    /// ```
    pub fn may_have_applied(self) -> bool {
        match self {
            Self::Lost => true,
            Self::NotSent => false,
            Self::Answered(status) => status == 408 || (500..600).contains(&status),
        }
    }
}

/// The record of the calls made inside [`observe`].
#[derive(Debug, Default)]
struct Record {
    repeatable: bool,
    attempts: Mutex<Vec<Attempt>>,
}

tokio::task_local! {
    static RECORD: Record;
}

/// Runs `call` and returns its output with how each of its attempts ended, in order. With `repeatable`,
/// the caller says the request is safe to send again even though its method is not (it carries a key
/// that makes a repeat harmless, such as a customer's external id), so the transport retries it as it
/// would a GET.
///
/// ```no_run
/// # async fn run(client: reqwest::Client, inner: cdp_transport::Inner) -> reqwest::Result<()> {
/// use cdp_transport::attempts::{Attempt, observe};
///
/// let request = client.delete("http://127.0.0.1:8080/things/1").build()?;
/// let (answer, attempts) = observe(false, inner.execute(&client, request, "delete_thing")).await;
/// let lost_before = attempts.iter().rev().skip(1).any(|a| *a == Attempt::Lost);
/// # let _ = (answer, lost_before); Ok(()) }
/// ```
pub async fn observe<F: Future>(repeatable: bool, call: F) -> (F::Output, Vec<Attempt>) {
    let record = Record {
        repeatable,
        attempts: Mutex::new(Vec::new()),
    };
    RECORD
        .scope(record, async move {
            let output = call.await;
            let attempts = RECORD
                .try_with(|r| {
                    std::mem::take(&mut *r.attempts.lock().unwrap_or_else(PoisonError::into_inner))
                })
                .unwrap_or_default();
            (output, attempts)
        })
        .await
}

/// Whether the call under way was declared safe to repeat.
pub(crate) fn declared_repeatable() -> bool {
    RECORD.try_with(|r| r.repeatable).unwrap_or(false)
}

/// Notes how an attempt ended, when a caller observes.
pub(crate) fn note(result: &reqwest::Result<reqwest::Response>) {
    let attempt = match result {
        Ok(response) => Attempt::Answered(response.status().as_u16()),
        Err(e) if e.is_connect() => Attempt::NotSent,
        Err(_) => Attempt::Lost,
    };
    let _ = RECORD.try_with(|r| {
        r.attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(attempt);
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::{Auth, BoxFuture, Inner, RetryPolicy, Transport};

    /// Answers 503 to the first request, then 201.
    #[derive(Debug, Default)]
    struct FailsOnce(Arc<AtomicUsize>);

    impl Transport for FailsOnce {
        fn execute<'a>(
            &'a self,
            _client: &'a reqwest::Client,
            _request: reqwest::Request,
            _operation: &'static str,
        ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
            let status = if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
                503
            } else {
                201
            };
            Box::pin(async move {
                let mut response = http::Response::new(bytes::Bytes::from_static(b"{}"));
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
                Ok(reqwest::Response::from(response))
            })
        }
    }

    async fn post(declared: Option<bool>) -> (u16, Vec<Attempt>) {
        let inner = Inner::new(Auth::None)
            .with_transport(FailsOnce::default())
            .with_retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)));
        let client = reqwest::Client::new();
        let request = client
            .post("http://127.0.0.1:9/things")
            .body("{}")
            .build()
            .map_err(|e| e.to_string());
        let Ok(request) = request else {
            return (0, Vec::new());
        };
        let call = inner.execute(&client, request, "create_thing");
        let (answer, attempts) = match declared {
            Some(repeatable) => observe(repeatable, call).await,
            None => (call.await, Vec::new()),
        };
        (
            answer.map(|r| r.status().as_u16()).unwrap_or_default(),
            attempts,
        )
    }

    #[tokio::test]
    async fn a_post_declared_repeatable_is_retried_and_its_attempts_recorded() {
        assert_eq!(
            post(Some(true)).await,
            (201, vec![Attempt::Answered(503), Attempt::Answered(201)])
        );
        assert_eq!(
            post(Some(false)).await,
            (503, vec![Attempt::Answered(503)]),
            "not declared: sent once"
        );
        assert_eq!(post(None).await.0, 503, "unobserved: as before");
    }
}
