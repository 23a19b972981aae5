//! Every profile of a segment, page after page along the service's cursor, as one stream.

use std::hash::{Hash as _, Hasher as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use blueconic_api::types;
use cdp_transport::path::segment;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt as _, StreamExt as _};
use reqwest::Method;
use serde::Deserialize;

use super::client::SERVICE;
use super::raw::{self, Retries};
use super::{Client, Filter, Profile, TimelineFilter};
use crate::pagination::{self, Page, PageRef, Pager};
use crate::{DecodeError, Error, Result};

/// The segment of every profile.
pub const ALL_VISITORS: &str = "allvisitors";

/// How many profiles a page holds unless told otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 1_000;

/// What the segment listing can add to each profile (`expand=`): only what that endpoint documents.
///
/// ```
/// use cdp::blueconic::SegmentProfilesExpand;
/// assert_eq!(SegmentProfilesExpand::MergeInfo.as_str(), "profiles.profile.replace");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SegmentProfilesExpand {
    /// The profile's permission level.
    Permissions,
    /// Merge information: the profiles it replaces or that replaced it.
    MergeInfo,
    /// The segments each profile is in.
    Segments,
    /// Timeline events.
    Timeline,
    /// The profile's groups.
    Groups,
    /// The profile's matching groups.
    MatchingGroups,
}

impl SegmentProfilesExpand {
    /// The value sent.
    ///
    /// ```
    /// assert_eq!(cdp::blueconic::SegmentProfilesExpand::Groups.as_str(), "profiles.profile.groups");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permissions => "profiles.profile.permissions",
            Self::MergeInfo => "profiles.profile.replace",
            Self::Segments => "profiles.profile.segments",
            Self::Timeline => "profiles.profile.timeline",
            Self::Groups => "profiles.profile.groups",
            Self::MatchingGroups => "profiles.profile.matchingGroups",
        }
    }
}

/// The profiles of one segment, ended by [`stream`](SegmentProfiles::stream) (every profile, or
/// [`limit`](SegmentProfiles::limit) of them) or [`send`](SegmentProfiles::send) (one page).
///
/// There is no lifecycle-stage filter: the official OpenAPI (r103, and r102 for this route) documents
/// none on `GET /segments/{segment}/profiles`, neither as a parameter nor in the refinement
/// (`RefinementBean`), so none is offered. Each profile still carries its stages
/// ([`Profile::lifecycle_stages`](super::Profile::lifecycle_stages)) to filter on the client side.
///
/// ```no_run
/// # async fn run() -> cdp::Result<()> {
/// use cdp::blueconic::{Filter, SegmentProfilesExpand};
/// use futures::TryStreamExt;
///
/// let bc = cdp::blueconic::Client::from_env()?;
/// let dutch: Vec<_> = bc
///     .segment_profiles("allvisitors")
///     .properties(["email", "country"])
///     .required_properties(["email"])
///     .filter(Filter::contains_any("country", ["NL"]))
///     .expand([SegmentProfilesExpand::Segments])
///     .limit(500)
///     .stream()
///     .try_collect()
///     .await?;
/// # let _ = dutch; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until `stream` or `send` is called"]
pub struct SegmentProfiles {
    client: Client,
    segment: String,
    limit: Option<u64>,
    page_size: u32,
    properties: Vec<String>,
    group_properties: Vec<String>,
    required: Vec<String>,
    filter: Option<Filter>,
    timeline: Option<TimelineFilter>,
    expand: Vec<SegmentProfilesExpand>,
    #[cfg(feature = "progress")]
    progress: Option<indicatif::ProgressBar>,
}

impl SegmentProfiles {
    pub(crate) fn new(client: Client, segment: String) -> Self {
        Self {
            client,
            segment,
            limit: None,
            page_size: DEFAULT_PAGE_SIZE,
            properties: Vec::new(),
            group_properties: Vec::new(),
            required: Vec::new(),
            filter: None,
            timeline: None,
            expand: Vec::new(),
            #[cfg(feature = "progress")]
            progress: None,
        }
    }

    /// Shows a progress bar on the terminal (stderr) of the profiles done out of the service's
    /// `totalResults` (or the limit, when lower), as the Python SDK does. Needs the `progress` feature.
    ///
    /// ```
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").progress_bar(true);
    /// # let _ = l;
    /// ```
    #[cfg(feature = "progress")]
    pub fn progress_bar(self, show: bool) -> Self {
        self.progress(if show {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        })
    }

    /// Reports progress on this bar (its length set from the service's total, its position moved on
    /// each profile), for a bar of your own style or target. Needs the `progress` feature.
    ///
    /// ```
    /// let bar = indicatif::ProgressBar::hidden();
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").progress(bar);
    /// # let _ = l;
    /// ```
    #[cfg(feature = "progress")]
    pub fn progress(mut self, bar: indicatif::ProgressBar) -> Self {
        self.progress = Some(bar);
        self
    }

    /// Yields at most `n` profiles in all (all of them when not called).
    ///
    /// ```
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").limit(10);
    /// # let _ = l;
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Asks for pages of `n` profiles (the API's `count`; 1,000 by default).
    ///
    /// ```
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").page_size(200);
    /// # let _ = l;
    /// ```
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }

    /// Only these profile properties (all when not called).
    ///
    /// ```
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").properties(["email"]);
    /// # let _ = l;
    /// ```
    pub fn properties<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.properties = ids.into_iter().map(Into::into).collect();
        self
    }

    /// These properties of the profiles' groups.
    ///
    /// ```
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").group_properties(["name"]);
    /// # let _ = l;
    /// ```
    pub fn group_properties<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.group_properties = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Only profiles that hold a value for each of these properties.
    ///
    /// ```
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s").segment_profiles("allvisitors").required_properties(["email"]);
    /// # let _ = l;
    /// ```
    pub fn required_properties<S: Into<String>>(
        mut self,
        ids: impl IntoIterator<Item = S>,
    ) -> Self {
        self.required = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Only profiles `filter` accepts (a second call combines both with AND).
    ///
    /// ```
    /// use cdp::blueconic::Filter;
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s")
    ///     .segment_profiles("allvisitors")
    ///     .filter(Filter::in_last_days("lastvisitdate", 30));
    /// # let _ = l;
    /// ```
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(before) => before & filter,
            None => filter,
        });
        self
    }

    /// Returns timeline events with each profile, as `filter` says (adds
    /// [`SegmentProfilesExpand::Timeline`]).
    ///
    /// ```
    /// use cdp::blueconic::TimelineFilter;
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s")
    ///     .segment_profiles("allvisitors")
    ///     .timeline(TimelineFilter::new().count(5));
    /// # let _ = l;
    /// ```
    pub fn timeline(mut self, filter: TimelineFilter) -> Self {
        self.timeline = Some(filter);
        self
    }

    /// Adds these parts to each profile.
    ///
    /// ```
    /// use cdp::blueconic::SegmentProfilesExpand;
    /// let l = cdp::blueconic::Client::new("t.blueconic.net", "i", "s")
    ///     .segment_profiles("allvisitors")
    ///     .expand([SegmentProfilesExpand::Segments, SegmentProfilesExpand::MergeInfo]);
    /// # let _ = l;
    /// ```
    pub fn expand(mut self, parts: impl IntoIterator<Item = SegmentProfilesExpand>) -> Self {
        for part in parts {
            if !self.expand.contains(&part) {
                self.expand.push(part);
            }
        }
        self
    }

    /// Every profile (or [`limit`](SegmentProfiles::limit) of them), following the cursor; memory holds
    /// one page plus the next, fetched ahead. A profile that does not decode comes as an
    /// [`Error::Decode`] with its id and JSON, and the others still come; a cursor the service hands out
    /// twice stops the stream with [`Error::StreamStopped`].
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let bc = cdp::blueconic::Client::from_env()?;
    /// let mut all = bc.segment_profiles("allvisitors").stream();
    /// while let Some(profile) = all.try_next().await? {
    ///     println!("{}", profile.id());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'static, Result<Profile>> {
        let limit = self.limit;
        #[cfg(feature = "progress")]
        let bar = self.progress.clone();
        let pager = match self.into_pager() {
            Ok(pager) => pager,
            Err(e) => return futures::stream::once(async move { Err(e) }).boxed(),
        };
        let all = pagination::stream(pager, true);
        let all = match limit {
            Some(n) => all.take(usize::try_from(n).unwrap_or(usize::MAX)).boxed(),
            None => all.boxed(),
        };
        #[cfg(feature = "progress")]
        if let Some(bar) = bar {
            return progress::follow(all, bar, limit);
        }
        all
    }

    /// One page: the first, or the one at `cursor` (a [`Page`]'s `next`).
    ///
    /// ```no_run
    /// # async fn run() -> cdp::Result<()> {
    /// let bc = cdp::blueconic::Client::from_env()?;
    /// let page = bc.segment_profiles("allvisitors").page_size(100).send(None).await?;
    /// println!("{:?} in all, next: {:?}", page.total_items(), page.next());
    /// # Ok(()) }
    /// ```
    pub async fn send(self, cursor: Option<PageRef>) -> Result<Page<Profile>> {
        self.into_pager()?.page(cursor).await
    }

    fn into_pager(self) -> Result<ProfilesPager> {
        let path = format!(
            "/segments/{}/profiles",
            segment("segmentId", &self.segment)?
        );
        if self.page_size == 0 {
            return Err(Error::invalid_input("page_size", "must be at least 1"));
        }
        let count = match self.limit {
            Some(n) => u64::from(self.page_size).min(n.max(1)),
            None => u64::from(self.page_size),
        };
        let mut query: Vec<(&'static str, String)> = vec![("count", count.to_string())];
        if !self.properties.is_empty() {
            query.push(("properties", self.properties.join(",")));
        }
        for id in self.group_properties {
            query.push(("groupProperty", id));
        }
        let mut expand = self.expand;
        if self.timeline.is_some() && !expand.contains(&SegmentProfilesExpand::Timeline) {
            expand.push(SegmentProfilesExpand::Timeline);
        }
        for part in expand {
            query.push(("expand", part.as_str().to_owned()));
        }
        if let Some(filter) = &self.timeline {
            for id in &filter.event_types {
                query.push(("eventTypeId", id.clone()));
            }
            if let Some(from) = &filter.from {
                query.push(("fromDate", TimelineFilter::date(from)));
            }
            if let Some(to) = &filter.to {
                query.push(("toDate", TimelineFilter::date(to)));
            }
            if let Some(count) = filter.count_i32()? {
                query.push(("eventCount", count.to_string()));
            }
        }
        let required = self.required.into_iter().map(|id| !Filter::is_empty(id));
        let filters: Vec<Filter> = self.filter.into_iter().chain(required).collect();
        let refinement = match filters.len() {
            0 => None,
            1 => filters.into_iter().next(),
            _ => Some(Filter::all(filters)),
        };
        if let Some(refinement) = refinement {
            query.push(("refinement", refinement.to_json()));
        }
        Ok(ProfilesPager {
            client: self.client,
            path,
            query,
            seen: Arc::default(),
            #[cfg(feature = "progress")]
            progress: self.progress,
        })
    }
}

/// Fetches the pages of one segment listing.
struct ProfilesPager {
    client: Client,
    path: String,
    query: Vec<(&'static str, String)>,
    /// Profiles in the pages fetched so far (fetched one after the other), for the index of an item
    /// that does not decode.
    seen: Arc<AtomicU64>,
    /// Told the listing's total when a page states it.
    #[cfg(feature = "progress")]
    progress: Option<indicatif::ProgressBar>,
}

/// A page as received, its profiles decoded in the same pass as the page.
#[derive(Deserialize)]
struct TypedPage {
    #[serde(default)]
    profiles: Vec<types::Profile>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
    #[serde(rename = "totalResults")]
    total_results: Option<i64>,
}

/// A page whose profiles did not all decode, read again with its profiles still JSON so that each is
/// decoded on its own.
#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    profiles: Vec<serde_json::Value>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
    #[serde(rename = "totalResults")]
    total_results: Option<i64>,
}

/// The profiles of a page, those that did not decode (with their place in the page), the digest of
/// their ids, the next cursor and the stated total.
struct Decoded {
    items: Vec<Profile>,
    failed: Vec<(usize, DecodeError)>,
    digest: u64,
    next_cursor: Option<String>,
    total_results: Option<i64>,
}

/// Decodes a page body in one pass, straight into profiles; only when that fails, item by item, so that
/// a bad profile is reported (index from `seen`, id, JSON) and the others still come.
fn decode(bytes: &[u8], seen: &AtomicU64) -> Result<Decoded> {
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    if let Ok(page) = serde_json::from_slice::<TypedPage>(bytes) {
        seen.fetch_add(page.profiles.len() as u64, Ordering::SeqCst);
        let items: Vec<Profile> = page
            .profiles
            .into_iter()
            .map(|profile| {
                // Hashed as the fallback hashes it, so that both give one page the same digest.
                Some(profile.id.as_str()).hash(&mut digest);
                Profile::from_api(profile)
            })
            .collect();
        return Ok(Decoded {
            items,
            failed: Vec::new(),
            digest: digest.finish(),
            next_cursor: page.next_cursor,
            total_results: page.total_results,
        });
    }
    let page: RawPage = serde_json::from_slice(bytes).map_err(|e| {
        Error::Decode(Box::new(DecodeError::for_item(
            SERVICE,
            0,
            None,
            format!("not a page of profiles: {e}"),
            bytes,
        )))
    })?;
    let first = seen.fetch_add(page.profiles.len() as u64, Ordering::SeqCst);
    let mut items = Vec::with_capacity(page.profiles.len());
    let mut failed = Vec::new();
    for (index, json) in page.profiles.into_iter().enumerate() {
        let id = json.get("id").and_then(|v| v.as_str()).map(str::to_owned);
        id.as_deref().hash(&mut digest);
        match types::Profile::deserialize(&json) {
            Ok(profile) => items.push(Profile::from_api(profile)),
            Err(e) => {
                let raw = serde_json::to_vec(&json).unwrap_or_default();
                failed.push((
                    index,
                    DecodeError::for_item(SERVICE, first + index as u64, id, e.to_string(), &raw),
                ));
            }
        }
    }
    Ok(Decoded {
        items,
        failed,
        digest: digest.finish(),
        next_cursor: page.next_cursor,
        total_results: page.total_results,
    })
}

impl Pager for ProfilesPager {
    type Item = Profile;

    fn service(&self) -> &'static str {
        SERVICE
    }

    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<Profile>>> {
        let client = self.client.clone();
        let path = self.path.clone();
        let mut query = self.query.clone();
        let seen = self.seen.clone();
        #[cfg(feature = "progress")]
        let bar = self.progress.clone();
        async move {
            match at {
                None => {}
                Some(PageRef::Cursor(cursor)) => query.push(("cursor", cursor)),
                Some(other) => {
                    return Err(Error::Pagination {
                        service: SERVICE,
                        message: format!("a segment listing pages by cursor, not by {other}"),
                    });
                }
            }
            let answer = raw::send(
                &client,
                Method::GET,
                &path,
                &query,
                None,
                blueconic_api::operations::GET_SEGMENT_PROFILES.id(),
                Retries::Configured,
            )
            .await?;
            if !(200..300).contains(&answer.status) {
                return Err(answer.error());
            }
            let page = decode(&answer.bytes, &seen)?;
            let total = page.total_results.and_then(|t| u64::try_from(t).ok());
            #[cfg(feature = "progress")]
            if let (Some(bar), Some(total)) = (&bar, total) {
                progress::total(bar, total);
            }
            Ok(Page::cursor(page.items, page.next_cursor, total)
                .with_failed(page.failed)
                .with_digest(page.digest))
        }
        .boxed()
    }
}

/// The progress bar of a segment listing.
#[cfg(feature = "progress")]
mod progress {
    use futures::StreamExt as _;
    use futures::stream::BoxStream;

    use super::Profile;
    use crate::Result;

    /// Sets the bar's length from the listing's stated total, unless a limit already set a lower one.
    pub(super) fn total(bar: &indicatif::ProgressBar, total: u64) {
        match bar.length() {
            Some(length) if length > 0 && length < total => {}
            _ => bar.set_length(total),
        }
    }

    /// `items`, moving `bar` on each and finishing it at the end.
    pub(super) fn follow(
        items: BoxStream<'static, Result<Profile>>,
        bar: indicatif::ProgressBar,
        limit: Option<u64>,
    ) -> BoxStream<'static, Result<Profile>> {
        if let Some(limit) = limit {
            bar.set_length(limit);
        }
        let done = bar.clone();
        items
            .inspect(move |_| bar.inc(1))
            .chain(
                futures::stream::once(async move {
                    done.finish();
                    None
                })
                .filter_map(|end: Option<Result<Profile>>| async move { end }),
            )
            .boxed()
    }
}

#[cfg(all(test, feature = "progress"))]
mod tests {
    use futures::TryStreamExt as _;

    use super::*;

    async fn client(sandbox: &cdp_sandbox::Sandbox) -> Client {
        let c = sandbox.credentials();
        Client::new(
            "t.blueconic.net",
            &c.blueconic_client_id,
            &c.blueconic_client_secret,
        )
        .base_url(&sandbox.urls().blueconic)
    }

    #[tokio::test]
    async fn the_bar_counts_profiles_done_of_the_total() {
        let sandbox =
            cdp_sandbox::Sandbox::start_with(cdp_sandbox::Config::default().profiles(250))
                .await
                .unwrap();
        let bc = client(&sandbox).await;
        let bar = indicatif::ProgressBar::hidden();
        let all: Vec<Profile> = bc
            .segment_profiles(ALL_VISITORS)
            .page_size(100)
            .progress(bar.clone())
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 250);
        assert_eq!((bar.position(), bar.length()), (250, Some(250)));
        assert!(bar.is_finished());
        // With a limit, the bar goes to the limit.
        let bar = indicatif::ProgressBar::hidden();
        let some: Vec<Profile> = bc
            .segment_profiles(ALL_VISITORS)
            .limit(30)
            .progress(bar.clone())
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(some.len(), 30);
        assert_eq!((bar.position(), bar.length()), (30, Some(30)));
    }
}

#[cfg(test)]
mod decode_tests {
    use super::*;

    #[test]
    fn one_pass_and_item_by_item_agree_on_the_digest_and_the_index() {
        let seen = AtomicU64::new(0);
        let whole = decode(
            br#"{"profiles":[{"id":"a"},{"id":"b"}],"nextCursor":"n"}"#,
            &seen,
        )
        .unwrap();
        assert_eq!((whole.items.len(), whole.failed.len()), (2, 0));
        assert_eq!(whole.next_cursor.as_deref(), Some("n"));
        // The same ids, one of them bad: read item by item, after the two profiles already seen.
        let split = decode(
            br#"{"profiles":[{"id":"a"},{"id":"b","properties":7}],"totalResults":4}"#,
            &seen,
        )
        .unwrap();
        assert_eq!(split.items.len(), 1);
        assert_eq!(split.failed.len(), 1);
        let (place, error) = &split.failed[0];
        assert_eq!(
            (*place, error.index, error.id.as_deref()),
            (1, Some(3), Some("b"))
        );
        assert_eq!(split.total_results, Some(4));
        assert_eq!(
            whole.digest, split.digest,
            "a page served twice is seen either way"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn a_body_that_is_not_a_page_is_one_decode_error() {
        let seen = AtomicU64::new(0);
        let Err(Error::Decode(e)) = decode(br#"{"profiles":{"id":"a"}}"#, &seen) else {
            panic!("expected a decode error");
        };
        assert!(e.to_string().contains("not a page of profiles"), "{e}");
        assert_eq!(seen.load(Ordering::SeqCst), 0);
    }
}
