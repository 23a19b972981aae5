//! Segment definitions: create (from a [`SegmentQuery`] or SQL), get, list as a stream, delete.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use customer_profiles_api::types::{
    CreateSegmentDefinitionRequest, CreateSegmentDefinitionResponse, GetSegmentDefinitionResponse,
    ListSegmentDefinitionsResponse, SegmentDefinitionItem, SegmentSort, SortAttribute, Tags,
};
use futures::future::BoxFuture;

use super::Client;
use super::conditions::SegmentQuery;
use super::errors::{SERVICE, retry_throttled};
use super::membership::epoch_seconds;
use super::names::check_name;
use super::next_token::{self, NextTokenListing};
use crate::pagination::{Page, PageRef, PageStream, Pager};
use crate::{Error, Result};

/// A segment definition as the service describes it.
pub type SegmentDefinition = GetSegmentDefinitionResponse;
/// A segment definition as a listing shows it.
pub type SegmentDefinitionSummary = SegmentDefinitionItem;
/// What creating a segment definition answers.
pub type CreatedSegmentDefinition = CreateSegmentDefinitionResponse;

/// The time a definition was created, as a date-time (the service sends epoch seconds).
///
/// ```
/// use cdp::customer_profiles::{SegmentDefinitionSummary, created_at};
/// let item: SegmentDefinitionSummary = serde_json::from_value(serde_json::json!({"CreatedAt": 1700000000}))?;
/// assert_eq!(created_at(item.created_at).map(|t| t.timestamp()), Some(1_700_000_000));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn created_at(seconds: Option<f64>) -> Option<DateTime<Utc>> {
    seconds.and_then(epoch_seconds)
}

/// A segment definition to create; [`send`](CreateSegmentDefinition::send) creates it. Made by
/// [`Client::create_segment_definition`]. Give it a [`SegmentQuery`] or an SQL query.
///
/// ```no_run
/// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
/// use cdp::customer_profiles::{Condition, GroupQuery, SegmentQuery};
/// use cdp::customer_profiles::api::types::AttributeDimensionType;
///
/// let created = client
///     .create_segment_definition("my-domain", "gold")
///     .display_name("Gold customers")
///     .query(SegmentQuery::all().group(GroupQuery::all().dimension(
///         Condition::attribute("tier", AttributeDimensionType::Inclusive, ["gold"]),
///     )))
///     .send()
///     .await?;
/// println!("{:?}", created.segment_definition_arn);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send` is called"]
pub struct CreateSegmentDefinition {
    client: Client,
    domain: String,
    name: String,
    display_name: Option<String>,
    description: Option<String>,
    query: Option<SegmentQuery>,
    sql: Option<String>,
    sort: Vec<SortAttribute>,
    tags: BTreeMap<String, String>,
}

impl CreateSegmentDefinition {
    /// The name shown (required, 1 to 255 characters).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let c = client.create_segment_definition("d", "gold").display_name("Gold");
    /// # let _ = c;
    /// ```
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// A description.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let c = client.create_segment_definition("d", "gold").description("Tier gold");
    /// # let _ = c;
    /// ```
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The conditions, built with [`SegmentQuery`].
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let c = client.create_segment_definition("d", "gold").query(cdp::customer_profiles::SegmentQuery::all());
    /// # let _ = c;
    /// ```
    pub fn query(mut self, query: SegmentQuery) -> Self {
        self.query = Some(query);
        self
    }

    /// An SQL query instead of conditions (1 to 50,000 characters).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let c = client.create_segment_definition("d", "all").sql("SELECT * FROM profiles");
    /// # let _ = c;
    /// ```
    pub fn sql(mut self, query: impl Into<String>) -> Self {
        self.sql = Some(query.into());
        self
    }

    /// Adds a sort attribute (1 to 10 in all).
    ///
    /// ```
    /// use cdp::customer_profiles::api::types::{SegmentSortOrder, SortAttribute};
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let c = client.create_segment_definition("d", "gold").sort_by(SortAttribute {
    ///     name: "LastName".into(), order: SegmentSortOrder::Asc, data_type: None, type_: None,
    /// });
    /// # let _ = c;
    /// ```
    pub fn sort_by(mut self, attribute: SortAttribute) -> Self {
        self.sort.push(attribute);
        self
    }

    /// Adds a tag.
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let c = client.create_segment_definition("d", "gold").tag("team", "crm");
    /// # let _ = c;
    /// ```
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Checks the definition (names, a display name, exactly one of a query and SQL, at most 10 sort
    /// attributes) and creates it; a throttled attempt is sent again.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let err = client.create_segment_definition("d", "gold").send().await.unwrap_err();
    /// assert!(matches!(err, cdp::Error::InvalidInput { .. }));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<CreatedSegmentDefinition> {
        check_name("DomainName", &self.domain)?;
        check_name("SegmentDefinitionName", &self.name)?;
        let display_name = self
            .display_name
            .filter(|n| (1..=255).contains(&n.chars().count()))
            .ok_or_else(|| Error::invalid_input("DisplayName", "must hold 1 to 255 characters"))?;
        if self.query.is_some() == self.sql.is_some() {
            return Err(Error::invalid_input(
                "SegmentGroups",
                "give exactly one of a query and an SQL query",
            ));
        }
        if let Some(sql) = &self.sql
            && !(1..=50_000).contains(&sql.chars().count())
        {
            return Err(Error::invalid_input(
                "SegmentSqlQuery",
                "must hold 1 to 50,000 characters",
            ));
        }
        if self.sort.len() > 10 {
            return Err(Error::invalid_input(
                "SegmentSort",
                "takes at most 10 attributes",
            ));
        }
        let body = CreateSegmentDefinitionRequest {
            description: self.description,
            display_name,
            segment_groups: self.query.map(SegmentQuery::into_segment_group),
            segment_sort: (!self.sort.is_empty()).then_some(SegmentSort {
                attributes: self.sort,
            }),
            segment_sql_query: self.sql,
            tags: (!self.tags.is_empty()).then_some(Tags(self.tags)),
        };
        let api = self.client.current_api().await?;
        retry_throttled(|| async {
            api.create_segment_definition()
                .domain_name(self.domain.as_str())
                .segment_definition_name(self.name.as_str())
                .body(body.clone())
                .send()
                .await
                .map(|r| r.into_inner())
                .map_err(Error::from_call::<CreatedSegmentDefinition, _>)
        })
        .await
    }
}

/// The segment definitions of a domain, a page at a time ([`send`](SegmentDefinitionList::send)) or as
/// one stream ([`stream`](SegmentDefinitionList::stream)) that follows `NextToken`.
///
/// ```no_run
/// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
/// use futures::TryStreamExt as _;
/// let all: Vec<_> = client.segment_definitions("my-domain").page_size(50).stream().try_collect().await?;
/// # let _ = all; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until `send` or `stream` is called"]
pub struct SegmentDefinitionList {
    client: Client,
    domain: String,
    page_size: Option<u32>,
    start: Option<String>,
}

impl SegmentDefinitionList {
    /// Items per page (1 to 500; the service's default otherwise).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let list = client.segment_definitions("d").page_size(100);
    /// # let _ = list;
    /// ```
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Starts at the page of this token (from a stopped stream's [`Error::resume_from`]).
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let list = client.segment_definitions("d").starting_at("token-from-before");
    /// # let _ = list;
    /// ```
    pub fn starting_at(mut self, token: impl Into<String>) -> Self {
        self.start = Some(token.into());
        self
    }

    /// The first page (or the one [`starting_at`](Self::starting_at) names).
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let page = client.segment_definitions("my-domain").send().await?;
    /// for item in page.items() { println!("{:?}", item.segment_definition_name); }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<SegmentDefinitionSummary>> {
        let start = self.start.clone();
        self.fetch_page(start).await
    }

    /// Every definition, following `NextToken`; a token handed out twice stops the stream with an error.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// use futures::StreamExt as _;
    /// let mut all = client.segment_definitions("my-domain").stream();
    /// while let Some(item) = all.next().await { println!("{:?}", item?.display_name); }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> PageStream<SegmentDefinitionSummary> {
        let start = self.start.clone();
        next_token::stream(self, start)
    }

    async fn fetch_page(&self, token: Option<String>) -> Result<Page<SegmentDefinitionSummary>> {
        check_name("DomainName", &self.domain)?;
        if let Some(size) = self.page_size
            && !(1..=500).contains(&size)
        {
            return Err(Error::invalid_input("MaxResults", "must be 1 to 500"));
        }
        let api = self.client.current_api().await?;
        let mut call = api
            .list_segment_definitions()
            .domain_name(self.domain.as_str());
        if let Some(size) = self.page_size {
            call = call.max_results(i64::from(size));
        }
        if let Some(token) = token {
            call = call.next_token(token);
        }
        let page: ListSegmentDefinitionsResponse = call
            .send()
            .await
            .map_err(Error::from_call::<ListSegmentDefinitionsResponse, _>)?
            .into_inner();
        Ok(Page::token(page.items, page.next_token))
    }
}

impl NextTokenListing for SegmentDefinitionList {
    type Item = SegmentDefinitionSummary;

    const LISTING: &'static str = "segment definitions";

    async fn fetch(&self, token: Option<String>) -> Result<Page<SegmentDefinitionSummary>> {
        self.fetch_page(token).await
    }
}

impl Pager for SegmentDefinitionList {
    type Item = SegmentDefinitionSummary;

    fn service(&self) -> &'static str {
        SERVICE
    }

    fn page(
        &self,
        at: Option<PageRef>,
    ) -> BoxFuture<'static, Result<Page<SegmentDefinitionSummary>>> {
        next_token::page(self, at)
    }
}

impl Client {
    /// A segment definition to create in `domain` under `name`: see [`CreateSegmentDefinition`].
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let create = client.create_segment_definition("my-domain", "gold").display_name("Gold");
    /// # let _ = create;
    /// ```
    pub fn create_segment_definition(
        &self,
        domain: impl Into<String>,
        name: impl Into<String>,
    ) -> CreateSegmentDefinition {
        CreateSegmentDefinition {
            client: self.clone(),
            domain: domain.into(),
            name: name.into(),
            display_name: None,
            description: None,
            query: None,
            sql: None,
            sort: Vec::new(),
            tags: BTreeMap::new(),
        }
    }

    /// The segment definition `name` of `domain`; a missing one is an error whose
    /// [`is_not_found`](Error::is_not_found) is true.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// let vip = client.segment_definition("my-domain", "vip").await?;
    /// println!("{:?}", vip.display_name);
    /// # Ok(()) }
    /// ```
    pub async fn segment_definition(&self, domain: &str, name: &str) -> Result<SegmentDefinition> {
        check_name("DomainName", domain)?;
        check_name("SegmentDefinitionName", name)?;
        Ok(self
            .current_api()
            .await?
            .get_segment_definition()
            .domain_name(domain)
            .segment_definition_name(name)
            .send()
            .await
            .map_err(Error::from_call::<SegmentDefinition, _>)?
            .into_inner())
    }

    /// The segment definitions of `domain`: see [`SegmentDefinitionList`].
    ///
    /// ```
    /// # let client = cdp::customer_profiles::Client::new("eu-west-1", cdp::transport::AwsCredentials::new("A", "s"));
    /// let list = client.segment_definitions("my-domain");
    /// # let _ = list;
    /// ```
    pub fn segment_definitions(&self, domain: impl Into<String>) -> SegmentDefinitionList {
        SegmentDefinitionList {
            client: self.clone(),
            domain: domain.into(),
            page_size: None,
            start: None,
        }
    }

    /// Deletes the segment definition `name` of `domain`.
    ///
    /// ```no_run
    /// # async fn run(client: cdp::customer_profiles::Client) -> cdp::Result<()> {
    /// client.delete_segment_definition("my-domain", "gold").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_segment_definition(&self, domain: &str, name: &str) -> Result<()> {
        check_name("DomainName", domain)?;
        check_name("SegmentDefinitionName", name)?;
        self.current_api()
            .await?
            .delete_segment_definition()
            .domain_name(domain)
            .segment_definition_name(name)
            .send()
            .await
            .map_err(Error::from_call::<serde::de::IgnoredAny, _>)?;
        Ok(())
    }
}
