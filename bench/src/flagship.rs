//! Flagship: decisions in bucketing mode (no network, one core), and synchronisations with the
//! Decision API.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cdp::flagship::{ContextValue, Flagship, Level};
use flagship_api::types::{DecisionRequest, DecisionResponse, VisitorContext};

use crate::sample::{self, Args, BoxError, Meter, Sample};

/// The bucketing file of the criterion benchmark: 10 campaigns, 2 to 4 variations, two AND-ed targetings.
const FILE: &str = include_str!("../../tests/fixtures/flagship/bench_bucketing.json");

/// A visitor's context with nine values.
fn context() -> BTreeMap<String, ContextValue> {
    [
        ("plan", ContextValue::from("pro")),
        ("age", 31.into()),
        ("country", "IT".into()),
        ("email", "ada@example.com".into()),
        ("isVIP", true.into()),
        ("device", "iPhone 15".into()),
        ("score", 0.7.into()),
        ("sessions", 12.into()),
        ("language", "it".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `items` decisions (1,000,000 by default) from a bucketing file parsed once, 1,024 visitors in turn.
pub(crate) fn cdp_bucketing(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(1_000_000);
    let file = cdp::flagship::bucketing::Bucketing::from_json(FILE.as_bytes())?;
    let context = context();
    let visitors: Vec<String> = (0..1024).map(|i| format!("visitor-{i:06}")).collect();
    let meter = Meter::start();
    let mut flags = 0u64;
    for i in 0..n {
        let decision = file.decide(&visitors[i % visitors.len()], &context, &[]);
        flags += std::hint::black_box(decision.len()) as u64;
    }
    if flags == 0 {
        return Err("no visitor got a campaign: the file or context is not the one meant".into());
    }
    Ok(meter.stop(n as u64, 0))
}

/// `items` synchronisations (2,000 by default) of one visitor with the Decision API, one after another.
pub(crate) async fn cdp_decisions(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(2_000);
    let c = sample::credentials();
    let errors = Arc::new(AtomicU64::new(0));
    let seen = errors.clone();
    let fs = Flagship::builder(&c.flagship_env_id, &c.flagship_api_key)
        .endpoints(
            &sample::url("FLAGSHIP_DECISION")?,
            &sample::url("FLAGSHIP_CDN")?,
            &sample::url("FLAGSHIP_HITS")?,
        )
        .on_event(move |event| {
            if event.level == Level::Error {
                seen.fetch_add(1, Ordering::Relaxed);
            }
        })
        .start()
        .await?;
    let mut visitor = fs.visitor("visitor-000042").context(context()).build()?;
    let meter = Meter::start();
    for _ in 0..n {
        visitor.synchronize().await;
    }
    let sample = meter.stop(n as u64, n as u64);
    let failed = errors.load(Ordering::Relaxed);
    if failed > 0 || visitor.decision().is_empty() {
        return Err(format!("{failed} synchronisation(s) failed").into());
    }
    Ok(sample)
}

/// The same decisions with plain reqwest: `POST /v2/{envId}/campaigns`, the body written from and the
/// answer read into the generated models.
pub(crate) async fn floor_decisions(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(2_000);
    let c = sample::credentials();
    let http = sample::floor_client()?;
    let url = format!(
        "{}/v2/{}/campaigns",
        sample::url("FLAGSHIP_DECISION")?,
        c.flagship_env_id
    );
    let context = VisitorContext(
        context()
            .into_iter()
            .map(|(k, v)| (k, v.to_json()))
            .collect(),
    );
    let meter = Meter::start();
    let mut campaigns = 0usize;
    for _ in 0..n {
        let body = DecisionRequest {
            anonymous_id: None,
            context: Some(context.clone()),
            decision_group: None,
            trigger_hit: Some(false),
            visitor_consent: None,
            visitor_id: "visitor-000042".to_owned(),
        };
        let request = http
            .post(&url)
            .header("x-api-key", &c.flagship_api_key)
            .header("content-type", "application/json")
            .query(&[("exposeAllKeys", "true"), ("sendContextEvent", "false")])
            .body(serde_json::to_vec(&body)?);
        let answer: DecisionResponse = serde_json::from_slice(&sample::body(request).await?)?;
        campaigns = answer.campaigns.len();
    }
    let sample = meter.stop(n as u64, n as u64);
    if campaigns == 0 {
        return Err("the visitor is in no campaign".into());
    }
    Ok(sample)
}
