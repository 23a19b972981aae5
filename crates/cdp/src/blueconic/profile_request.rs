//! One profile by id: which parts to return.

use blueconic_api::types;
use chrono::{DateTime, SecondsFormat, Utc};

use super::{Client, Profile};
use crate::{Error, Result};

/// What the one-profile call can add to a profile (`expand=`): only what that endpoint documents.
///
/// ```
/// use cdp::blueconic::ProfileExpand;
/// assert_eq!(ProfileExpand::SegmentTags.as_str(), "profile.segments.tags");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileExpand {
    /// The exceptions to the profile's permission level.
    PermissionsExceptions,
    /// The profile's timeline events.
    Timeline,
    /// The segments the profile is in.
    Segments,
    /// The segments with their tags.
    SegmentTags,
}

impl ProfileExpand {
    /// The value sent.
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::ProfileExpand::Segments.as_str(), "profile.segments");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PermissionsExceptions => "profile.permissions.exceptions",
            Self::Timeline => "profile.timeline",
            Self::Segments => "profile.segments",
            Self::SegmentTags => "profile.segments.tags",
        }
    }

    fn api(self) -> types::ProfileExpand {
        match self {
            Self::PermissionsExceptions => types::ProfileExpand::ProfilePermissionsExceptions,
            Self::Timeline => types::ProfileExpand::ProfileTimeline,
            Self::Segments => types::ProfileExpand::ProfileSegments,
            Self::SegmentTags => types::ProfileExpand::ProfileSegmentsTags,
        }
    }
}

/// Which timeline events to return with profiles: event types, a date range, how many.
///
/// ```
/// use cdp::blueconic::TimelineFilter;
/// use chrono::{TimeZone, Utc};
///
/// let filter = TimelineFilter::new()
///     .event_types(["order"])
///     .from(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
///     .count(50);
/// # let _ = filter;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimelineFilter {
    pub(crate) event_types: Vec<String>,
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
    pub(crate) count: Option<u32>,
}

impl TimelineFilter {
    /// Every event type, no date range, the service's default count (20).
    ///
    /// ```
    /// let all = cdp::blueconic::TimelineFilter::new();
    /// # let _ = all;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Only events of these types.
    ///
    /// ```
    /// let f = cdp::blueconic::TimelineFilter::new().event_types(["order", "visit"]);
    /// # let _ = f;
    /// ```
    pub fn event_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.event_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Only events from this time on.
    ///
    /// ```
    /// let f = cdp::blueconic::TimelineFilter::new().from(chrono::Utc::now());
    /// # let _ = f;
    /// ```
    pub fn from(mut self, from: DateTime<Utc>) -> Self {
        self.from = Some(from);
        self
    }

    /// Only events up to this time.
    ///
    /// ```
    /// let f = cdp::blueconic::TimelineFilter::new().to(chrono::Utc::now());
    /// # let _ = f;
    /// ```
    pub fn to(mut self, to: DateTime<Utc>) -> Self {
        self.to = Some(to);
        self
    }

    /// At most this many events a profile.
    ///
    /// ```
    /// let f = cdp::blueconic::TimelineFilter::new().count(5);
    /// # let _ = f;
    /// ```
    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    pub(crate) fn date(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub(crate) fn count_i32(&self) -> Result<Option<i32>> {
        self.count
            .map(|c| i32::try_from(c).map_err(|_| Error::invalid_input("count", "is too large")))
            .transpose()
    }
}

/// The request for one profile, ended by [`send`](ProfileRequest::send). A missing profile is an error
/// for which [`Error::is_not_found`] holds.
///
/// ```no_run
/// # async fn run() -> cdp::Result<()> {
/// use cdp::blueconic::{ProfileExpand, TimelineFilter};
///
/// let bc = cdp::blueconic::Client::from_env()?;
/// let profile = bc
///     .profile("p1")
///     .properties(["email", "visits"])
///     .timeline(TimelineFilter::new().event_types(["order"]).count(10))
///     .expand([ProfileExpand::Segments])
///     .send()
///     .await?;
/// # let _ = profile; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until `send` is called"]
pub struct ProfileRequest {
    client: Client,
    id: String,
    properties: Vec<String>,
    group_properties: Vec<String>,
    timeline: Option<TimelineFilter>,
    expand: Vec<ProfileExpand>,
}

impl ProfileRequest {
    pub(crate) fn new(client: Client, id: String) -> Self {
        Self {
            client,
            id,
            properties: Vec::new(),
            group_properties: Vec::new(),
            timeline: None,
            expand: Vec::new(),
        }
    }

    /// Only these profile properties (all when not called).
    ///
    /// ```
    /// let r = cdp::blueconic::Client::new("t.blueconic.net", "id", "secret").profile("p1").properties(["email"]);
    /// # let _ = r;
    /// ```
    pub fn properties<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.properties = ids.into_iter().map(Into::into).collect();
        self
    }

    /// These properties of the profile's groups.
    ///
    /// ```
    /// let r = cdp::blueconic::Client::new("t.blueconic.net", "id", "secret").profile("p1").group_properties(["name"]);
    /// # let _ = r;
    /// ```
    pub fn group_properties<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.group_properties = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Returns timeline events, as `filter` says (this adds [`ProfileExpand::Timeline`]).
    ///
    /// ```
    /// use cdp::blueconic::TimelineFilter;
    /// let r = cdp::blueconic::Client::new("t.blueconic.net", "id", "secret").profile("p1").timeline(TimelineFilter::new());
    /// # let _ = r;
    /// ```
    pub fn timeline(mut self, filter: TimelineFilter) -> Self {
        self.timeline = Some(filter);
        self
    }

    /// Adds these parts to the profile.
    ///
    /// ```
    /// use cdp::blueconic::ProfileExpand;
    /// let r = cdp::blueconic::Client::new("t.blueconic.net", "id", "secret").profile("p1").expand([ProfileExpand::Segments]);
    /// # let _ = r;
    /// ```
    pub fn expand(mut self, parts: impl IntoIterator<Item = ProfileExpand>) -> Self {
        for part in parts {
            if !self.expand.contains(&part) {
                self.expand.push(part);
            }
        }
        self
    }

    /// Fetches the profile.
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let bc = cdp::blueconic::Client::from_env()?;
    /// match bc.profile("p1").send().await {
    ///     Err(e) if e.is_not_found() => println!("no such profile"),
    ///     other => println!("{:?}", other?.value("email")),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Profile> {
        let mut expand = self.expand;
        if self.timeline.is_some() && !expand.contains(&ProfileExpand::Timeline) {
            expand.push(ProfileExpand::Timeline);
        }
        let api = self.client.api()?;
        let mut call = api.get_profile().profile_id(self.id);
        if !self.properties.is_empty() {
            call = call.properties(self.properties.join(","));
        }
        if !self.group_properties.is_empty() {
            call = call.group_property(self.group_properties);
        }
        if !expand.is_empty() {
            call = call.expand(
                expand
                    .into_iter()
                    .map(ProfileExpand::api)
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(filter) = &self.timeline {
            if !filter.event_types.is_empty() {
                call = call.event_type_id(filter.event_types.clone());
            }
            if let Some(from) = &filter.from {
                call = call.from_date(TimelineFilter::date(from));
            }
            if let Some(to) = &filter.to {
                call = call.to_date(TimelineFilter::date(to));
            }
            if let Some(count) = filter.count_i32()? {
                call = call.event_count(count);
            }
        }
        call.send()
            .await
            .map(|r| Profile::from_api(r.into_inner()))
            .map_err(Error::from_call::<types::Profile, _>)
    }
}
