//! Segment estimates: how many profiles a query would hold, computed by the service in the background.

use std::time::Duration;

use customer_profiles_api::types::{
    CreateSegmentEstimateRequest, CreateSegmentEstimateResponse, EstimateStatus,
    GetSegmentEstimateResponse,
};

use super::Client;
use super::conditions::SegmentQuery;
use super::errors::retry_throttled;
use super::names::check_name;
use crate::{Error, Result};

/// An estimate that was started.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EstimateStarted {
    /// The estimate's id, for [`Client::segment_estimate`].
    pub estimate_id: String,
    /// The HTTP status of the answer (the model binds it to `StatusCode`).
    pub status_code: u16,
}

/// The state of an estimate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Estimate {
    /// The estimate's id.
    pub estimate_id: String,
    /// `RUNNING`, `SUCCEEDED` or `FAILED` (open: another value decodes too).
    pub status: Option<EstimateStatus>,
    /// The estimate, as the service writes it (a number of profiles, as text), once done.
    pub estimate: Option<String>,
    /// What the service says about it.
    pub message: Option<String>,
    /// The HTTP status of the answer (the model binds it to `StatusCode`).
    pub status_code: u16,
}

impl Estimate {
    /// Whether the service has finished with it (succeeded or failed).
    ///
    /// ```
    /// # use cdp::customer_profiles::Estimate;
    /// # fn check(e: &Estimate) { let _ = e.is_done(); }
    /// ```
    pub fn is_done(&self) -> bool {
        matches!(
            self.status,
            Some(EstimateStatus::Succeeded | EstimateStatus::Failed)
        )
    }
}

/// An estimate to start; made by [`Client::create_segment_estimate`].
///
/// ```no_run
/// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
/// use std::time::Duration;
/// use cdp::customer_profiles::{GroupQuery, SegmentQuery};
///
/// let started = client
///     .create_segment_estimate("my-domain")
///     .query(SegmentQuery::all().group(GroupQuery::all().source_segment("vip")))
///     .send()
///     .await?;
/// let done = client.wait_for_segment_estimate("my-domain", &started.estimate_id, Duration::from_secs(60)).await?;
/// println!("{:?}", done.estimate);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send` is called"]
pub struct CreateSegmentEstimate {
    client: Client,
    domain: String,
    query: Option<SegmentQuery>,
    sql: Option<String>,
}

impl CreateSegmentEstimate {
    /// Estimates this query.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let e = client.create_segment_estimate("d").query(cdp::customer_profiles::SegmentQuery::all());
    /// # let _ = e;
    /// ```
    pub fn query(mut self, query: SegmentQuery) -> Self {
        self.query = Some(query);
        self
    }

    /// Estimates this SQL query instead.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let e = client.create_segment_estimate("d").sql("SELECT * FROM profiles");
    /// # let _ = e;
    /// ```
    pub fn sql(mut self, query: impl Into<String>) -> Self {
        self.sql = Some(query.into());
        self
    }

    /// Starts the estimate (exactly one of a query and SQL); a throttled attempt is sent again.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let started = client.create_segment_estimate("d").sql("SELECT * FROM profiles").send().await?;
    /// # let _ = started; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<EstimateStarted> {
        check_name("DomainName", &self.domain)?;
        if self.query.is_some() == self.sql.is_some() {
            return Err(Error::invalid_input(
                "SegmentQuery",
                "give exactly one of a query and an SQL query",
            ));
        }
        let body = CreateSegmentEstimateRequest {
            segment_query: self.query.map(SegmentQuery::into_segment_group),
            segment_sql_query: self.sql,
        };
        let api = self.client.current_api().await?;
        let answer = retry_throttled(|| async {
            api.create_segment_estimate()
                .domain_name(self.domain.as_str())
                .body(body.clone())
                .send()
                .await
                .map_err(Error::from_call::<CreateSegmentEstimateResponse, _>)
        })
        .await?;
        let status_code = answer.status().as_u16();
        let estimate_id = answer
            .into_inner()
            .estimate_id
            .ok_or_else(|| Error::Custom {
                service: super::errors::SERVICE,
                message: "the answer to CreateSegmentEstimate has no EstimateId".to_owned(),
            })?;
        Ok(EstimateStarted {
            estimate_id,
            status_code,
        })
    }
}

impl Client {
    /// An estimate to start in `domain`: see [`CreateSegmentEstimate`].
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let e = client.create_segment_estimate("my-domain");
    /// # let _ = e;
    /// ```
    pub fn create_segment_estimate(&self, domain: impl Into<String>) -> CreateSegmentEstimate {
        CreateSegmentEstimate {
            client: self.clone(),
            domain: domain.into(),
            query: None,
            sql: None,
        }
    }

    /// The state of the estimate `estimate_id`, as it is now.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let e = client.segment_estimate("my-domain", "estimate-id").await?;
    /// println!("{:?} {}", e.status, e.status_code);
    /// # Ok(()) }
    /// ```
    pub async fn segment_estimate(&self, domain: &str, estimate_id: &str) -> Result<Estimate> {
        check_name("DomainName", domain)?;
        let answer = self
            .current_api()
            .await?
            .get_segment_estimate()
            .domain_name(domain)
            .estimate_id(estimate_id)
            .send()
            .await
            .map_err(Error::from_call::<GetSegmentEstimateResponse, _>)?;
        let status_code = answer.status().as_u16();
        let body = answer.into_inner();
        Ok(Estimate {
            estimate_id: body.estimate_id.unwrap_or_else(|| estimate_id.to_owned()),
            status: body.status,
            estimate: body.estimate,
            message: body.message,
            status_code,
        })
    }

    /// Polls the estimate until it is done or `max_wait` has passed, pausing 1 s, then twice as long each
    /// time (at most 15 s). Returns the last state seen: check [`Estimate::is_done`].
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let e = client.wait_for_segment_estimate("my-domain", "estimate-id", std::time::Duration::from_secs(30)).await?;
    /// if !e.is_done() { println!("still running"); }
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_segment_estimate(
        &self,
        domain: &str,
        estimate_id: &str,
        max_wait: Duration,
    ) -> Result<Estimate> {
        let deadline = tokio::time::Instant::now() + max_wait;
        let mut pause = Duration::from_secs(1);
        loop {
            let estimate = self.segment_estimate(domain, estimate_id).await?;
            let now = tokio::time::Instant::now();
            if estimate.is_done() || now >= deadline {
                return Ok(estimate);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(15));
        }
    }
}
