//! Misbehaving on purpose: latency, errors, throttling, dropped connections and slow bodies, drawn from a
//! seeded generator so that a test sees the same faults on every run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt as _;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::Service;
use crate::http::buffer_body;

/// The faults of one service. Rates are probabilities per request, checked in this order: drop, 429,
/// 500/503, applied then dropped; latency and slow bodies apply to every answer.
///
/// ```
/// let faults = cdp_sandbox::Faults { error_rate: 0.1, drop_rate: 0.05, throttle_rate: 0.02, ..Default::default() };
/// assert_eq!(faults.retry_after_secs, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests answered 500 or 503 (alternately drawn), with the service's error body.
    pub error_rate: f64,
    /// Share of requests answered 429 with `Retry-After`.
    pub throttle_rate: f64,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_secs: u64,
    /// Share of requests whose connection is closed without an answer.
    pub drop_rate: f64,
    /// Share of requests carried out (a write is stored) whose connection is then closed without an
    /// answer: the case where a client cannot know that its request took effect. Only successful answers
    /// are lost this way; a request the service refused gets its answer.
    pub applied_lost_rate: f64,
    /// Pause between the chunks of every response body, in milliseconds (the body goes in four chunks).
    pub slow_body_ms: u64,
    /// Seed of the draws; `None` uses the sandbox's seed.
    pub seed: Option<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            throttle_rate: 0.0,
            retry_after_secs: 1,
            drop_rate: 0.0,
            applied_lost_rate: 0.0,
            slow_body_ms: 0,
            seed: None,
        }
    }
}

/// Marks a response whose connection is dropped, for the journal; `applied` when the service carried the
/// request out first.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dropped {
    pub(crate) applied: bool,
}

#[derive(Debug)]
struct Knob {
    faults: Faults,
    rng: StdRng,
}

/// The faults of every service, changeable while the sandbox runs.
#[derive(Clone, Debug)]
pub(crate) struct FaultBoard {
    seed: u64,
    knobs: Arc<Mutex<BTreeMap<Service, Knob>>>,
}

enum Outcome {
    Pass,
    Drop,
    Throttle(u64),
    Error(StatusCode),
    AppliedThenDropped,
}

impl FaultBoard {
    pub(crate) fn new(seed: u64, initial: &BTreeMap<Service, Faults>) -> Self {
        let board = Self {
            seed,
            knobs: Arc::new(Mutex::new(BTreeMap::new())),
        };
        for service in Service::ALL {
            board.set(service, initial.get(&service).cloned().unwrap_or_default());
        }
        board
    }

    /// Replaces a service's faults and restarts its draws from their seed.
    pub(crate) fn set(&self, service: Service, faults: Faults) {
        let seed =
            faults.seed.unwrap_or(self.seed) ^ (service as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let knob = Knob {
            rng: StdRng::seed_from_u64(seed),
            faults,
        };
        self.lock().insert(service, knob);
    }

    pub(crate) fn get(&self, service: Service) -> Faults {
        self.lock()
            .get(&service)
            .map(|k| k.faults.clone())
            .unwrap_or_default()
    }

    fn draw(&self, service: Service) -> (Faults, Outcome) {
        let mut knobs = self.lock();
        let Some(knob) = knobs.get_mut(&service) else {
            return (Faults::default(), Outcome::Pass);
        };
        let f = knob.faults.clone();
        let roll: f64 = knob.rng.random();
        let outcome = if roll < f.drop_rate {
            Outcome::Drop
        } else if roll < f.drop_rate + f.throttle_rate {
            Outcome::Throttle(f.retry_after_secs)
        } else if roll < f.drop_rate + f.throttle_rate + f.error_rate {
            let which: bool = knob.rng.random();
            Outcome::Error(if which {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            })
        } else if roll < f.drop_rate + f.throttle_rate + f.error_rate + f.applied_lost_rate {
            Outcome::AppliedThenDropped
        } else {
            Outcome::Pass
        };
        (f, outcome)
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<Service, Knob>> {
        self.knobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Middleware: applies the service's faults around the real handler.
pub(crate) async fn apply(
    State((board, service)): State<(FaultBoard, Service)>,
    request: Request,
    next: Next,
) -> Response {
    let (faults, outcome) = board.draw(service);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let response = match outcome {
        Outcome::Drop => return dropped(false),
        Outcome::Throttle(secs) => {
            let mut response = service.error(
                StatusCode::TOO_MANY_REQUESTS,
                "sandbox fault: too many requests",
            );
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
            response
        }
        Outcome::Error(status) => service.error(status, "sandbox fault: the service failed"),
        Outcome::Pass => next.run(request).await,
        Outcome::AppliedThenDropped => {
            let response = next.run(request).await;
            if response.status().is_success() {
                return dropped(true);
            }
            response
        }
    };
    if faults.slow_body_ms > 0 {
        slow(response, Duration::from_millis(faults.slow_body_ms)).await
    } else {
        response
    }
}

/// A response whose body fails before its first byte, so the server closes the connection without an
/// answer (the client sees the connection end).
fn dropped(applied: bool) -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: dropped",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    response.extensions_mut().insert(Dropped { applied });
    response
}

/// Re-sends a response body in four chunks with a pause before each.
async fn slow(response: Response, pause: Duration) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match buffer_body(body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    parts.headers.remove("content-length");
    let chunk = bytes.len().div_ceil(4).max(1);
    let chunks: Vec<Bytes> = (0..bytes.len())
        .step_by(chunk)
        .map(|i| bytes.slice(i..(i + chunk).min(bytes.len())))
        .collect();
    let stream = futures::stream::iter(chunks).then(move |c| async move {
        tokio::time::sleep(pause).await;
        Ok::<Bytes, std::io::Error>(c)
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
