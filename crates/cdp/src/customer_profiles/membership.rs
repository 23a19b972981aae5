//! Segment membership: whether each of any number of profiles is in a segment, one answer per input
//! position.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use customer_profiles_api::types::{
    GetSegmentMembershipResponse, Profile, ProfileQueryFailure, QueryResult,
};
use futures::{StreamExt as _, TryStreamExt as _};

use super::Client;
use super::names::{check_name, check_profile_id};
use crate::{Error, Result};

/// The most profile ids one `GetSegmentMembership` call takes (the service's limit).
pub const MAX_IDS_PER_CALL: usize = 100;

/// How many calls run at once by default when more than [`MAX_IDS_PER_CALL`] ids are asked.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// A membership question being put together; [`send`](MembershipRequest::send) asks it. Made by
/// [`Client::segment_membership`].
///
/// ```no_run
/// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
/// use cdp::customer_profiles::MembershipStatus;
///
/// let membership = client
///     .segment_membership("my-domain", "vip")
///     .profile_ids(["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"])
///     .send()
///     .await?;
/// for entry in &membership.entries {
///     if matches!(entry.status, MembershipStatus::Present { .. }) {
///         println!("{} is a VIP", entry.profile_id);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send` is called"]
pub struct MembershipRequest {
    client: Client,
    domain: String,
    segment: String,
    ids: Vec<String>,
    concurrency: usize,
}

/// The answer for every id asked, in the order asked.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Membership {
    /// The segment, as the service named it.
    pub segment: String,
    /// One entry per id asked, at its position; a repeated id has an entry at each of its positions.
    pub entries: Vec<MembershipEntry>,
    /// When the service last computed the segment; with several calls, the oldest of their times (every
    /// entry is at least this fresh). `None` when no call said.
    pub last_computed_at: Option<DateTime<Utc>>,
}

/// The answer for one id.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MembershipEntry {
    /// The id asked.
    pub profile_id: String,
    /// Whether the profile is in the segment, or why the service could not say.
    pub status: MembershipStatus,
}

/// Whether a profile is in a segment.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MembershipStatus {
    /// In the segment (`PRESENT`); the profile when the service returned it.
    Present {
        /// The profile, when returned.
        profile: Option<Box<Profile>>,
    },
    /// Not in the segment (`ABSENT`); the profile when the service returned it.
    Absent {
        /// The profile, when returned.
        profile: Option<Box<Profile>>,
    },
    /// The service could not answer for this id (a profile that does not exist, say).
    Failed {
        /// What it said.
        message: String,
        /// The status it gave, when it did.
        status: Option<i32>,
    },
    /// A query result this version does not know, as the service sent it.
    Other {
        /// The wire value.
        value: String,
        /// The profile, when returned.
        profile: Option<Box<Profile>>,
    },
    /// The service's answer said nothing about this id.
    Unanswered,
}

impl MembershipStatus {
    /// Whether the profile is in the segment.
    ///
    /// ```
    /// use cdp::customer_profiles::MembershipStatus;
    /// assert!(MembershipStatus::Present { profile: None }.is_present());
    /// assert!(!MembershipStatus::Unanswered.is_present());
    /// ```
    pub fn is_present(&self) -> bool {
        matches!(self, Self::Present { .. })
    }
}

impl Membership {
    /// The entries whose profile is in the segment.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let m = client.segment_membership("d", "vip").profile_ids(["0123456789abcdef0123456789abcdef"]).send().await?;
    /// println!("{} present", m.present().count());
    /// # Ok(()) }
    /// ```
    pub fn present(&self) -> impl Iterator<Item = &MembershipEntry> {
        self.entries.iter().filter(|e| e.status.is_present())
    }
}

impl Client {
    /// Asks which of some profiles are in the segment `segment` of the domain `domain`: see
    /// [`MembershipRequest`].
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let request = client.segment_membership("my-domain", "vip").concurrency(2);
    /// # let _ = request;
    /// ```
    pub fn segment_membership(
        &self,
        domain: impl Into<String>,
        segment: impl Into<String>,
    ) -> MembershipRequest {
        MembershipRequest {
            client: self.clone(),
            domain: domain.into(),
            segment: segment.into(),
            ids: Vec::new(),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

impl MembershipRequest {
    /// Adds profile ids to ask about (32 lowercase hexadecimal digits each, as the service requires).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let request = client.segment_membership("d", "vip").profile_ids(vec!["0123456789abcdef0123456789abcdef".to_owned()]);
    /// # let _ = request;
    /// ```
    pub fn profile_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// How many calls of at most [`MAX_IDS_PER_CALL`] ids may run at once (at least 1; default
    /// [`DEFAULT_CONCURRENCY`]).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let request = client.segment_membership("d", "vip").concurrency(1);
    /// # let _ = request;
    /// ```
    pub fn concurrency(mut self, calls: usize) -> Self {
        self.concurrency = calls.max(1);
        self
    }

    /// Checks every id and name, then asks the service, each distinct id once, in calls of at most
    /// [`MAX_IDS_PER_CALL`] ids. No id at all is an empty answer and no call. A call that fails fails the
    /// whole request.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let err = client.segment_membership("d", "vip").profile_ids(["not-an-id"]).send().await.unwrap_err();
    /// assert!(matches!(err, cdp::Error::InvalidInput { .. }));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Membership> {
        check_name("DomainName", &self.domain)?;
        check_name("SegmentDefinitionName", &self.segment)?;
        for id in &self.ids {
            check_profile_id("ProfileIds", id)?;
        }
        // Each distinct id once, in the order first asked.
        let mut distinct: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in &self.ids {
            if seen.insert(id.as_str()) {
                distinct.push(id);
            }
        }
        let api = &self.client.current_api().await?;
        let (domain, segment) = (self.domain.as_str(), self.segment.as_str());
        let answers: Vec<GetSegmentMembershipResponse> =
            futures::stream::iter(distinct.chunks(MAX_IDS_PER_CALL).map(|chunk| {
                let ids: Vec<String> = chunk.iter().map(|id| (*id).to_owned()).collect();
                async move {
                    api.get_segment_membership()
                        .domain_name(domain)
                        .segment_definition_name(segment)
                        .body_map(|b| b.profile_ids(ids))
                        .send()
                        .await
                        .map(|r| r.into_inner())
                        .map_err(Error::from_call::<GetSegmentMembershipResponse, _>)
                }
            }))
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        Ok(merge(&self.segment, &self.ids, answers))
    }
}

/// One entry per asked id, in order, from the answers of every call.
fn merge(
    segment: &str,
    asked: &[String],
    answers: Vec<GetSegmentMembershipResponse>,
) -> Membership {
    let mut by_id: HashMap<String, MembershipStatus> = HashMap::new();
    let mut last_computed_at: Option<DateTime<Utc>> = None;
    let mut name = None;
    for answer in answers {
        if let Some(at) = answer.last_computed_at.and_then(epoch_seconds) {
            last_computed_at = Some(last_computed_at.map_or(at, |known| known.min(at)));
        }
        name = name.or(answer.segment_definition_name);
        for result in answer.profiles {
            let profile = result.profile.map(Box::new);
            let status = match result.query_result {
                QueryResult::Present => MembershipStatus::Present { profile },
                QueryResult::Absent => MembershipStatus::Absent { profile },
                other => MembershipStatus::Other {
                    value: other.as_str().to_owned(),
                    profile,
                },
            };
            by_id.insert(result.profile_id, status);
        }
        for ProfileQueryFailure {
            message,
            profile_id,
            status,
        } in answer.failures
        {
            by_id
                .entry(profile_id)
                .or_insert(MembershipStatus::Failed { message, status });
        }
    }
    let entries = asked
        .iter()
        .map(|id| MembershipEntry {
            profile_id: id.clone(),
            status: by_id
                .get(id)
                .cloned()
                .unwrap_or(MembershipStatus::Unanswered),
        })
        .collect();
    Membership {
        segment: name.unwrap_or_else(|| segment.to_owned()),
        entries,
        last_computed_at,
    }
}

/// Epoch seconds (with a fraction) as a date-time; `None` when out of range or not finite.
pub(crate) fn epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    // Out-of-range values fail the conversion below rather than wrapping.
    if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
        return None;
    }
    // An f64 of today's epoch seconds holds about a microsecond; finer digits would be noise.
    let micros = ((seconds - whole) * 1e6).round().clamp(0.0, 999_999.0) as u32;
    let nanos = micros * 1000;
    DateTime::from_timestamp(whole as i64, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_with_fractions_and_nonsense() {
        let at = epoch_seconds(1_700_000_000.25).unwrap();
        assert_eq!(at.to_rfc3339(), "2023-11-14T22:13:20.250+00:00");
        assert_eq!(epoch_seconds(f64::NAN), None);
        assert_eq!(epoch_seconds(f64::INFINITY), None);
        assert_eq!(epoch_seconds(1e300), None);
    }

    #[test]
    fn merged_in_input_order_with_repeats_and_gaps() {
        let answer: GetSegmentMembershipResponse = serde_json::from_value(serde_json::json!({
            "SegmentDefinitionName": "vip",
            "Profiles": [
                {"ProfileId": "b", "QueryResult": "ABSENT"},
                {"ProfileId": "a", "QueryResult": "PRESENT"},
                {"ProfileId": "d", "QueryResult": "MAYBE"}
            ],
            "Failures": [{"ProfileId": "c", "Message": "Profile not found", "Status": 404}],
            "LastComputedAt": 1700000000
        }))
        .unwrap();
        let asked: Vec<String> = ["a", "b", "a", "c", "d", "e"].map(String::from).to_vec();
        let m = merge("vip", &asked, vec![answer]);
        let ids: Vec<&str> = m.entries.iter().map(|e| e.profile_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "a", "c", "d", "e"]);
        assert!(m.entries[0].status.is_present() && m.entries[2].status.is_present());
        assert!(matches!(
            m.entries[1].status,
            MembershipStatus::Absent { .. }
        ));
        assert_eq!(
            m.entries[3].status,
            MembershipStatus::Failed {
                message: "Profile not found".into(),
                status: Some(404)
            }
        );
        assert!(
            matches!(&m.entries[4].status, MembershipStatus::Other { value, .. } if value == "MAYBE")
        );
        assert_eq!(m.entries[5].status, MembershipStatus::Unanswered);
        assert_eq!(
            m.last_computed_at.map(|t| t.timestamp()),
            Some(1_700_000_000)
        );
    }
}
