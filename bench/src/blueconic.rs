//! BlueConic: every profile of `allvisitors` through the cursor listing, and a bulk write of one value
//! change to each of many profiles.

use blueconic_api::types::{
    BulkInputEntry, BulkProfileResponse, BulkStrategy, Profile, PropertyChange, ValueStrategy,
};
use cdp::blueconic::ProfileEdits as _;
use futures::TryStreamExt as _;
use serde::Deserialize;

use crate::sample::{self, Args, BoxError, Meter, Sample};

/// The segment every profile is in.
const SEGMENT: &str = "allvisitors";
/// Profiles per page, cdp's default.
const PAGE: usize = 1_000;
/// Entries per bulk request, the most the service takes (cdp's default).
const BATCH: usize = 1_000;
/// The property the bulk write sets.
const PROPERTY: &str = "next_best_product";

fn cdp_client() -> Result<cdp::blueconic::Client, BoxError> {
    let c = sample::credentials();
    Ok(cdp::blueconic::Client::builder(
        "tenant.blueconic.net",
        &c.blueconic_client_id,
        &c.blueconic_client_secret,
    )
    .base_url(sample::url("BLUECONIC")?)
    .build()?)
}

/// `items` profiles (all by default) through `segment_profiles("allvisitors").stream()`.
pub(crate) async fn cdp_stream(args: &Args) -> Result<Sample, BoxError> {
    let bc = cdp_client()?;
    let mut listing = bc.segment_profiles(SEGMENT).page_size(PAGE as u32);
    if args.items > 0 {
        listing = listing.limit(args.items as u64);
    }
    let meter = Meter::start();
    let mut stream = listing.stream();
    let mut count = 0u64;
    while let Some(profile) = stream.try_next().await? {
        std::hint::black_box(&profile);
        count += 1;
    }
    Ok(meter.stop(count, count.div_ceil(PAGE as u64)))
}

/// A page of a segment listing as the floor reads it: the generated `Profile` model, the cursor.
#[derive(Deserialize)]
struct FloorPage {
    #[serde(default)]
    profiles: Vec<Profile>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
}

/// The floor's side of the tenant: a plain client, its bearer token and the base URL.
struct Floor {
    http: reqwest::Client,
    token: String,
    base: String,
}

impl Floor {
    /// A token by OAuth2 client credentials, as cdp gets one.
    async fn connect() -> Result<Self, BoxError> {
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        let c = sample::credentials();
        let http = sample::floor_client()?;
        let base = sample::url("BLUECONIC")?;
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &c.blueconic_client_id)
            .append_pair("client_secret", &c.blueconic_client_secret)
            .finish();
        let request = http
            .post(format!("{base}/oauth/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form);
        let token: Token = serde_json::from_slice(&sample::body(request).await?)?;
        Ok(Self {
            http,
            token: token.access_token,
            base,
        })
    }

    /// One page of the segment listing, from `cursor`.
    async fn page(
        &self,
        count: usize,
        properties: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<FloorPage, BoxError> {
        let mut query = vec![("count", count.to_string())];
        if let Some(properties) = properties {
            query.push(("properties", properties.to_owned()));
        }
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        let request = self
            .http
            .get(format!("{}/segments/{SEGMENT}/profiles", self.base))
            .bearer_auth(&self.token)
            .query(&query);
        Ok(serde_json::from_slice(&sample::body(request).await?)?)
    }

    /// The ids of the first `n` profiles (not measured: the bulk write's input).
    async fn profile_ids(&self, n: usize) -> Result<Vec<String>, BoxError> {
        let mut ids = Vec::with_capacity(n);
        let mut cursor = None;
        while ids.len() < n {
            let page = self
                .page(
                    PAGE.min(n - ids.len()),
                    Some("customer_id"),
                    cursor.as_deref(),
                )
                .await?;
            ids.extend(page.profiles.into_iter().map(|p| p.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        sample::expect("profile ids", ids.len() as u64, n as u64)?;
        Ok(ids)
    }
}

/// The same listing with plain reqwest, each page decoded with `serde_json::from_slice`.
pub(crate) async fn floor_stream(args: &Args) -> Result<Sample, BoxError> {
    let limit = args.items_or(usize::MAX) as u64;
    let floor = Floor::connect().await?;
    let meter = Meter::start();
    let mut count = 0u64;
    let mut requests = 0u64;
    let mut cursor: Option<String> = None;
    loop {
        let asked = (PAGE as u64).min(limit - count) as usize;
        let page = floor.page(asked, None, cursor.as_deref()).await?;
        requests += 1;
        for profile in page.profiles {
            if count < limit {
                std::hint::black_box(&profile);
                count += 1;
            }
        }
        match page.next_cursor {
            Some(next) if count < limit => cursor = Some(next),
            _ => break,
        }
    }
    Ok(meter.stop(count, requests))
}

/// A value no earlier run wrote, so that every entry is a modification.
fn fresh_value() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("bench-{nanos}")
}

/// One SET of one property on each of `items` profiles (100,000 by default) through the bulk writer.
pub(crate) async fn cdp_bulk(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(100_000);
    let ids = Floor::connect().await?.profile_ids(n).await?;
    let bc = cdp_client()?;
    let value = fresh_value();
    let meter = Meter::start();
    let mut bulk = bc.bulk_writer();
    for id in ids {
        let mut profile = cdp::blueconic::Profile::new(id);
        profile.set_value(PROPERTY, value.as_str());
        bulk.write(&mut profile).await?;
    }
    let report = bulk.finish().await?;
    let sample = meter.stop(report.count("MODIFIED"), report.requests);
    sample::expect("modified profiles", sample.items, n as u64)?;
    Ok(sample)
}

/// The same entries, 1,000 to a `PUT /profiles`, one request at a time, answers decoded into
/// `BulkProfileResponse`.
pub(crate) async fn floor_bulk(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(100_000);
    let floor = Floor::connect().await?;
    let ids = floor.profile_ids(n).await?;
    let value = fresh_value();
    let meter = Meter::start();
    let mut modified = 0u64;
    let mut requests = 0u64;
    for chunk in ids.chunks(BATCH) {
        let entries: Vec<BulkInputEntry> = chunk
            .iter()
            .map(|id| BulkInputEntry {
                profile_id: Some(id.clone()),
                strategy: Some(BulkStrategy::Update),
                properties: vec![PropertyChange {
                    id: PROPERTY.to_owned(),
                    restriction: None,
                    strategy: Some(ValueStrategy::Set),
                    values: vec![value.clone()],
                }],
                ..BulkInputEntry::default()
            })
            .collect();
        let request = floor
            .http
            .put(format!("{}/profiles", floor.base))
            .bearer_auth(&floor.token)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&entries)?);
        let answer: BulkProfileResponse = serde_json::from_slice(&sample::body(request).await?)?;
        requests += 1;
        modified += answer
            .0
            .iter()
            .filter(|r| r.state.as_ref().is_some_and(|s| s.as_str() == "MODIFIED"))
            .count() as u64;
    }
    let sample = meter.stop(modified, requests);
    sample::expect("modified profiles", sample.items, n as u64)?;
    Ok(sample)
}
