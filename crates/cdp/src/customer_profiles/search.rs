//! Finding profiles: `SearchProfiles` as a stream, `BatchGetProfile` for any number of ids, and one
//! profile by id.

use std::collections::HashMap;

use customer_profiles_api::types::{
    BatchGetProfileError, BatchGetProfileRequest, BatchGetProfileResponse, LogicalOperator,
    Profile, SearchKey, SearchProfilesRequest, SearchProfilesResponse,
};
use futures::future::BoxFuture;
use futures::{StreamExt as _, TryStreamExt as _};

use super::Client;
use super::errors::SERVICE;
use super::membership::DEFAULT_CONCURRENCY;
use super::names::{check_name, check_profile_id};
use super::next_token::{self, NextTokenListing};
use crate::pagination::{Page, PageRef, PageStream, Pager};
use crate::{Error, Result};

/// The most ids one `BatchGetProfile` call takes (the service's limit).
pub const MAX_IDS_PER_BATCH_GET: usize = 20;

/// A profile search; [`send`](ProfileSearch::send) gets a page, [`stream`](ProfileSearch::stream) every
/// match. Made by [`Client::search_profiles`].
///
/// ```no_run
/// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
/// use futures::TryStreamExt as _;
/// use cdp::customer_profiles::api::types::LogicalOperator;
///
/// let found: Vec<_> = client
///     .search_profiles("my-domain", "_email", ["ada@example.com"])
///     .additional_key("_phone", ["+441234567890"])
///     .logical_operator(LogicalOperator::Or)
///     .stream()
///     .try_collect()
///     .await?;
/// # let _ = found; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a search does nothing until `send` or `stream` is called"]
pub struct ProfileSearch {
    client: Client,
    domain: String,
    body: SearchProfilesRequest,
    page_size: Option<u32>,
    start: Option<String>,
}

impl ProfileSearch {
    /// Another key to search by (1 to 4 in all), combined with the first by the
    /// [`logical_operator`](Self::logical_operator).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.search_profiles("d", "_email", ["a@b.c"]).additional_key("_fullName", ["Ada Lovelace"]);
    /// # let _ = s;
    /// ```
    pub fn additional_key<S: Into<String>>(
        mut self,
        key_name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> Self {
        self.body.additional_search_keys.push(SearchKey {
            key_name: key_name.into(),
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// How the keys combine (`AND` or `OR`; the service's default is `AND`).
    ///
    /// ```
    /// use cdp::customer_profiles::api::types::LogicalOperator;
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.search_profiles("d", "_email", ["a@b.c"]).logical_operator(LogicalOperator::Or);
    /// # let _ = s;
    /// ```
    pub fn logical_operator(mut self, operator: LogicalOperator) -> Self {
        self.body.logical_operator = Some(operator);
        self
    }

    /// Profiles per page (1 to 100).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.search_profiles("d", "_email", ["a@b.c"]).page_size(50);
    /// # let _ = s;
    /// ```
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Starts at the page of this token (from a stopped stream's [`Error::resume_from`]).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let s = client.search_profiles("d", "_email", ["a@b.c"]).starting_at("token");
    /// # let _ = s;
    /// ```
    pub fn starting_at(mut self, token: impl Into<String>) -> Self {
        self.start = Some(token.into());
        self
    }

    /// The first page of matches (or the one [`starting_at`](Self::starting_at) names).
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let page = client.search_profiles("d", "_email", ["a@b.c"]).send().await?;
    /// println!("{}", page.items().len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<Profile>> {
        let start = self.start.clone();
        self.fetch_page(start).await
    }

    /// Every match, following `NextToken`.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// use futures::StreamExt as _;
    /// let mut found = client.search_profiles("d", "_fullName", ["Ada Lovelace"]).stream();
    /// while let Some(profile) = found.next().await { println!("{:?}", profile?.profile_id); }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> PageStream<Profile> {
        let start = self.start.clone();
        next_token::stream(self, start)
    }

    async fn fetch_page(&self, token: Option<String>) -> Result<Page<Profile>> {
        check_name("DomainName", &self.domain)?;
        if self.body.additional_search_keys.len() > 4 {
            return Err(Error::invalid_input(
                "AdditionalSearchKeys",
                "takes at most 4 keys",
            ));
        }
        if let Some(size) = self.page_size
            && !(1..=100).contains(&size)
        {
            return Err(Error::invalid_input("MaxResults", "must be 1 to 100"));
        }
        let api = self.client.current_api().await?;
        let mut call = api
            .search_profiles()
            .domain_name(self.domain.as_str())
            .body(self.body.clone());
        if let Some(size) = self.page_size {
            call = call.max_results(i64::from(size));
        }
        if let Some(token) = token {
            call = call.next_token(token);
        }
        let page = call
            .send()
            .await
            .map_err(Error::from_call::<SearchProfilesResponse, _>)?
            .into_inner();
        Ok(Page::token(page.items, page.next_token))
    }
}

impl NextTokenListing for ProfileSearch {
    type Item = Profile;

    const LISTING: &'static str = "profile searches";

    async fn fetch(&self, token: Option<String>) -> Result<Page<Profile>> {
        self.fetch_page(token).await
    }
}

impl Pager for ProfileSearch {
    type Item = Profile;

    fn service(&self) -> &'static str {
        SERVICE
    }

    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<Profile>>> {
        next_token::page(self, at)
    }
}

/// What `BatchGetProfile` found for a list of ids.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct BatchProfiles {
    /// The profiles found, in the order their ids were first asked.
    pub profiles: Vec<Profile>,
    /// The ids the service could not return, with its code and message.
    pub errors: Vec<BatchGetProfileError>,
}

impl Client {
    /// A search of the profiles of `domain` whose key `key_name` (a search key of the domain, or a
    /// predefined one: `_profileId`, `_email`, `_phone`, `_fullName`, `_account`, …) holds one of `values`.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let search = client.search_profiles("my-domain", "_email", ["ada@example.com"]);
    /// # let _ = search;
    /// ```
    pub fn search_profiles<S: Into<String>>(
        &self,
        domain: impl Into<String>,
        key_name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> ProfileSearch {
        ProfileSearch {
            client: self.clone(),
            domain: domain.into(),
            body: SearchProfilesRequest {
                additional_search_keys: Vec::new(),
                key_name: key_name.into(),
                logical_operator: None,
                values: values.into_iter().map(Into::into).collect(),
            },
            page_size: None,
            start: None,
        }
    }

    /// The profile `profile_id` of `domain`, or `None` when there is none (a search by `_profileId`, as
    /// the service has no call for one profile).
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// if let Some(p) = client.profile("my-domain", "0123456789abcdef0123456789abcdef").await? {
    ///     println!("{:?} {:?}", p.first_name, p.last_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn profile(&self, domain: &str, profile_id: &str) -> Result<Option<Profile>> {
        check_profile_id("ProfileId", profile_id)?;
        let page = self
            .search_profiles(domain, "_profileId", [profile_id])
            .send()
            .await?;
        Ok(page
            .into_items()
            .into_iter()
            .find(|p| p.profile_id.as_deref() == Some(profile_id)))
    }

    /// The profiles of any number of ids: each distinct id asked once, in calls of at most
    /// [`MAX_IDS_PER_BATCH_GET`], up to four at a time. Ids are checked before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let found = client.batch_get_profiles("my-domain", ["0123456789abcdef0123456789abcdef"]).await?;
    /// println!("{} found, {} not", found.profiles.len(), found.errors.len());
    /// # Ok(()) }
    /// ```
    pub async fn batch_get_profiles<S: Into<String>>(
        &self,
        domain: &str,
        profile_ids: impl IntoIterator<Item = S>,
    ) -> Result<BatchProfiles> {
        check_name("DomainName", domain)?;
        let mut distinct: Vec<String> = Vec::new();
        let mut place: HashMap<String, usize> = HashMap::new();
        for id in profile_ids {
            let id = id.into();
            check_profile_id("ProfileIds", &id)?;
            if !place.contains_key(&id) {
                place.insert(id.clone(), distinct.len());
                distinct.push(id);
            }
        }
        let api = &self.current_api().await?;
        let answers: Vec<BatchGetProfileResponse> =
            futures::stream::iter(distinct.chunks(MAX_IDS_PER_BATCH_GET).map(|chunk| {
                let body = BatchGetProfileRequest {
                    profile_ids: chunk.to_vec(),
                };
                async move {
                    api.batch_get_profile()
                        .domain_name(domain)
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.into_inner())
                        .map_err(Error::from_call::<BatchGetProfileResponse, _>)
                }
            }))
            .buffer_unordered(DEFAULT_CONCURRENCY)
            .try_collect()
            .await?;
        let mut found = BatchProfiles::default();
        for answer in answers {
            found.profiles.extend(answer.profiles);
            found.errors.extend(answer.errors);
        }
        let at = |id: Option<&str>| {
            id.and_then(|id| place.get(id))
                .copied()
                .unwrap_or(usize::MAX)
        };
        found.profiles.sort_by_key(|p| at(p.profile_id.as_deref()));
        found.errors.sort_by_key(|e| at(Some(&e.profile_id)));
        Ok(found)
    }
}
