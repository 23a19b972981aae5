//! The command line, the sandbox's coordinates, and what a sample reports.

use std::fmt;
use std::time::{Duration, Instant};

use crate::heap;

/// Any error of a sample: it ends the process with a message.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which implementation does the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// Through `cdp`.
    Cdp,
    /// Plain `reqwest` + `serde_json` into the generated models.
    Floor,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Cdp => "cdp",
            Side::Floor => "floor",
        })
    }
}

/// `SCENARIO SIDE [--items N] [--concurrency N]`.
#[derive(Debug)]
pub(crate) struct Args {
    pub(crate) scenario: String,
    pub(crate) side: Side,
    /// How many items the work handles (customers, profiles, ids, decisions); 0 = the scenario's default.
    pub(crate) items: usize,
    /// Pages or calls in flight at once where the scenario has a choice.
    pub(crate) concurrency: usize,
}

impl Args {
    pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let scenario = args.next().ok_or("no scenario given")?;
        let side = match args.next().as_deref() {
            Some("cdp") => Side::Cdp,
            Some("floor") => Side::Floor,
            Some(other) => return Err(format!("the side is `cdp` or `floor`, not `{other}`")),
            None => return Err("no side given (`cdp` or `floor`)".into()),
        };
        let mut parsed = Self {
            scenario,
            side,
            items: 0,
            concurrency: 4,
        };
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} takes a number"))?;
            let number: usize = value.parse().map_err(|e| format!("{flag} {value}: {e}"))?;
            match flag.as_str() {
                "--items" => parsed.items = number,
                "--concurrency" => parsed.concurrency = number.max(1),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(parsed)
    }

    /// The item count asked for, or `default`.
    pub(crate) fn items_or(&self, default: usize) -> usize {
        if self.items == 0 { default } else { self.items }
    }
}

/// A base URL of the sandbox, from the environment `cargo xtask bench` sets.
pub(crate) fn url(service: &str) -> Result<String, BoxError> {
    let key = format!("CDP_BENCH_{service}");
    std::env::var(&key)
        .map_err(|_| format!("{key} is not set (run through `cargo xtask bench`)").into())
}

/// The credentials the sandbox accepts.
pub(crate) fn credentials() -> cdp_sandbox::Credentials {
    cdp_sandbox::Credentials::default()
}

/// What one sample measured.
#[derive(Debug, Default)]
pub(crate) struct Sample {
    /// Wall-clock time of the measured work.
    pub(crate) seconds: f64,
    /// Items handled.
    pub(crate) items: u64,
    /// HTTP requests sent, where the side counts them.
    pub(crate) requests: u64,
    /// The most bytes live on the heap while the work ran (the runtime and the client included).
    pub(crate) peak_heap: u64,
}

impl Sample {
    pub(crate) fn to_json(&self) -> String {
        serde_json::json!({
            "seconds": self.seconds,
            "items": self.items,
            "requests": self.requests,
            "peak_heap": self.peak_heap,
        })
        .to_string()
    }
}

/// Times the work from here and watches the heap's peak from here.
pub(crate) struct Meter {
    started: Instant,
}

impl Meter {
    pub(crate) fn start() -> Self {
        heap::reset_peak();
        Self {
            started: Instant::now(),
        }
    }

    pub(crate) fn stop(self, items: u64, requests: u64) -> Sample {
        Sample {
            seconds: self.started.elapsed().as_secs_f64(),
            items,
            requests,
            peak_heap: heap::peak() as u64,
        }
    }
}

/// Fails unless `got` is `want`: a sample that did less work than asked must not be reported.
pub(crate) fn expect(what: &str, got: u64, want: u64) -> Result<(), BoxError> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want}, got {got}").into())
    }
}

/// The floor's HTTP client: plain reqwest with the settings `cdp_transport::client_builder` gives
/// (redirects not followed, 10 s to connect) and, through the same reqwest features, the same TLS setup.
pub(crate) fn floor_client() -> Result<reqwest::Client, BoxError> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// Sends a request the floor built and reads the success body whole.
pub(crate) async fn body(request: reqwest::RequestBuilder) -> Result<bytes::Bytes, BoxError> {
    let response = request.send().await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if status.is_success() {
        Ok(bytes)
    } else {
        Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)).into())
    }
}
