//! Segment snapshots: the members of a segment exported by the service, in the background.

use std::time::Duration;

use customer_profiles_api::types::{
    CreateSegmentSnapshotRequest, CreateSegmentSnapshotResponse, DataFormat,
    GetSegmentSnapshotResponse, SnapshotStatus,
};

use super::Client;
use super::errors::retry_throttled;
use super::names::check_name;
use crate::{Error, Result};

/// A snapshot and its state, as the service describes it.
pub type Snapshot = GetSegmentSnapshotResponse;

/// Whether the service has finished with a snapshot (completed or failed).
///
/// ```
/// use cdp::customer_profiles::{Snapshot, snapshot_done};
/// let s: Snapshot = serde_json::from_value(serde_json::json!({"SnapshotId": "s", "Status": "IN_PROGRESS", "DataFormat": "CSV"}))?;
/// assert!(!snapshot_done(&s));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn snapshot_done(snapshot: &Snapshot) -> bool {
    matches!(
        snapshot.status,
        SnapshotStatus::Completed | SnapshotStatus::Failed
    )
}

/// A snapshot to take; made by [`Client::create_segment_snapshot`].
///
/// ```no_run
/// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
/// use cdp::customer_profiles::api::types::DataFormat;
/// let id = client
///     .create_segment_snapshot("my-domain", "vip", DataFormat::Jsonl)
///     .destination_uri("s3://bucket/vip/")
///     .send()
///     .await?;
/// let done = client.wait_for_segment_snapshot("my-domain", "vip", &id, std::time::Duration::from_secs(300)).await?;
/// println!("{:?}", done.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send` is called"]
pub struct CreateSegmentSnapshot {
    client: Client,
    domain: String,
    segment: String,
    body: CreateSegmentSnapshotRequest,
}

impl CreateSegmentSnapshot {
    /// Where the service writes the snapshot (an S3 URI).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.create_segment_snapshot("d", "vip", cdp::customer_profiles::api::types::DataFormat::Csv).destination_uri("s3://b/p/");
    /// # let _ = s;
    /// ```
    pub fn destination_uri(mut self, uri: impl Into<String>) -> Self {
        self.body.destination_uri = Some(uri.into());
        self
    }

    /// The KMS key that encrypts it.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.create_segment_snapshot("d", "vip", cdp::customer_profiles::api::types::DataFormat::Csv).encryption_key("arn:aws:kms:…");
    /// # let _ = s;
    /// ```
    pub fn encryption_key(mut self, key: impl Into<String>) -> Self {
        self.body.encryption_key = Some(key.into());
        self
    }

    /// The IAM role the service writes with.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.create_segment_snapshot("d", "vip", cdp::customer_profiles::api::types::DataFormat::Csv).role_arn("arn:aws:iam::1:role/x");
    /// # let _ = s;
    /// ```
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.body.role_arn = Some(arn.into());
        self
    }

    /// Starts the snapshot and returns its id; a throttled attempt is sent again.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let id = client.create_segment_snapshot("d", "vip", cdp::customer_profiles::api::types::DataFormat::Csv).send().await?;
    /// # let _ = id; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<String> {
        check_name("DomainName", &self.domain)?;
        check_name("SegmentDefinitionName", &self.segment)?;
        let api = self.client.current_api().await?;
        let answer = retry_throttled(|| async {
            api.create_segment_snapshot()
                .domain_name(self.domain.as_str())
                .segment_definition_name(self.segment.as_str())
                .body(self.body.clone())
                .send()
                .await
                .map(|r| r.into_inner())
                .map_err(Error::from_call::<CreateSegmentSnapshotResponse, _>)
        })
        .await?;
        Ok(answer.snapshot_id)
    }
}

impl Client {
    /// A snapshot of the segment `segment` of `domain` in `format`: see [`CreateSegmentSnapshot`].
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.create_segment_snapshot("my-domain", "vip", cdp::customer_profiles::api::types::DataFormat::Orc);
    /// # let _ = s;
    /// ```
    pub fn create_segment_snapshot(
        &self,
        domain: impl Into<String>,
        segment: impl Into<String>,
        format: DataFormat,
    ) -> CreateSegmentSnapshot {
        CreateSegmentSnapshot {
            client: self.clone(),
            domain: domain.into(),
            segment: segment.into(),
            body: CreateSegmentSnapshotRequest {
                data_format: format,
                destination_uri: None,
                encryption_key: None,
                role_arn: None,
            },
        }
    }

    /// The snapshot `snapshot_id` of a segment, as it is now.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let s = client.segment_snapshot("my-domain", "vip", "snapshot-id").await?;
    /// println!("{:?}", s.status);
    /// # Ok(()) }
    /// ```
    pub async fn segment_snapshot(
        &self,
        domain: &str,
        segment: &str,
        snapshot_id: &str,
    ) -> Result<Snapshot> {
        check_name("DomainName", domain)?;
        check_name("SegmentDefinitionName", segment)?;
        Ok(self
            .current_api()
            .await?
            .get_segment_snapshot()
            .domain_name(domain)
            .segment_definition_name(segment)
            .snapshot_id(snapshot_id)
            .send()
            .await
            .map_err(Error::from_call::<Snapshot, _>)?
            .into_inner())
    }

    /// Polls the snapshot until it is done or `max_wait` has passed, pausing 1 s, then twice as long each
    /// time (at most 15 s). Returns the last state seen: check [`snapshot_done`].
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let s = client.wait_for_segment_snapshot("d", "vip", "id", std::time::Duration::from_secs(60)).await?;
    /// # let _ = s; Ok(()) }
    /// ```
    pub async fn wait_for_segment_snapshot(
        &self,
        domain: &str,
        segment: &str,
        snapshot_id: &str,
        max_wait: Duration,
    ) -> Result<Snapshot> {
        let deadline = tokio::time::Instant::now() + max_wait;
        let mut pause = Duration::from_secs(1);
        loop {
            let snapshot = self.segment_snapshot(domain, segment, snapshot_id).await?;
            let now = tokio::time::Instant::now();
            if snapshot_done(&snapshot) || now >= deadline {
                return Ok(snapshot);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(15));
        }
    }
}
