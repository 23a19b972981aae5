//! Segment definitions: what is stored, how it is shown, and the create / get / list / delete routes.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::extract::{JsonBody, Paging, Route};
use super::pagination::Pages;
use super::query::{self, SegmentGroup, SegmentSort};
use super::store::Store;
use super::{Answer, bad_request, not_found, ok};
use crate::server::Shared;

/// The sandbox's AWS account, in ARNs.
pub(super) const ACCOUNT_ID: &str = "123456789012";

const LIST: Pages = Pages {
    list: "segment-definitions",
    default_size: 100,
    max_size: 500,
};

/// What a segment is made of: groups (a `CLASSIC` segment) or SQL (an `ENHANCED` one, not evaluated).
#[derive(Clone, Debug)]
pub(super) enum Query {
    Groups(SegmentGroup),
    Sql(String),
}

#[derive(Clone, Debug)]
pub(super) struct Definition {
    pub(super) name: String,
    pub(super) display_name: String,
    pub(super) description: Option<String>,
    pub(super) query: Query,
    pub(super) sort: Option<SegmentSort>,
    /// Epoch seconds.
    pub(super) created_at: f64,
    pub(super) arn: String,
    pub(super) tags: Option<BTreeMap<String, String>>,
}

impl Definition {
    pub(super) fn arn(region: &str, domain: &str, name: &str) -> String {
        format!("arn:aws:profile:{region}:{ACCOUNT_ID}:domains/{domain}/segment-definitions/{name}")
    }

    fn segment_type(&self) -> &'static str {
        match self.query {
            Query::Groups(_) => "CLASSIC",
            Query::Sql(_) => "ENHANCED",
        }
    }

    /// The members every view shows; `CreateSegmentDefinition` answers these.
    fn summary(&self) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("SegmentDefinitionName".into(), json!(self.name));
        body.insert("DisplayName".into(), json!(self.display_name));
        if let Some(description) = &self.description {
            body.insert("Description".into(), json!(description));
        }
        body.insert("CreatedAt".into(), json!(self.created_at));
        body.insert("SegmentDefinitionArn".into(), json!(self.arn));
        if let Some(tags) = &self.tags {
            body.insert("Tags".into(), json!(tags));
        }
        body
    }

    /// As `ListSegmentDefinitions` shows it.
    fn item(&self) -> Value {
        let mut body = self.summary();
        body.insert("SegmentType".into(), json!(self.segment_type()));
        Value::Object(body)
    }

    /// As `GetSegmentDefinition` shows it.
    pub(super) fn to_json(&self) -> Value {
        let mut body = self.summary();
        body.insert("SegmentType".into(), json!(self.segment_type()));
        match &self.query {
            Query::Groups(groups) => {
                body.insert("SegmentGroups".into(), json!(groups));
            }
            Query::Sql(sql) => {
                body.insert("SegmentSqlQuery".into(), json!(sql));
            }
        }
        if let Some(sort) = &self.sort {
            body.insert("SegmentSort".into(), json!(sort));
        }
        Value::Object(body)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateSegmentDefinitionRequest {
    display_name: Option<String>,
    description: Option<String>,
    segment_groups: Option<SegmentGroup>,
    segment_sql_query: Option<String>,
    segment_sort: Option<SegmentSort>,
    tags: Option<BTreeMap<String, String>>,
}

/// Checks what a query needs beyond its own shape: the source segments it names exist.
pub(super) fn check_sources(store: &Store, groups: &SegmentGroup) -> Result<(), String> {
    match query::source_names(groups).find(|name| !store.definitions.contains_key(*name)) {
        Some(missing) => Err(format!("Source segment {missing} does not exist")),
        None => Ok(()),
    }
}

/// Exactly one of groups and SQL, each within its limits.
pub(super) fn query_of(
    groups: Option<SegmentGroup>,
    sql: Option<String>,
    groups_member: &str,
) -> Result<Query, String> {
    match (groups, sql) {
        (Some(groups), None) => {
            query::check_group(&groups)?;
            Ok(Query::Groups(groups))
        }
        (None, Some(sql)) if (1..=50_000).contains(&sql.chars().count()) => Ok(Query::Sql(sql)),
        (None, Some(_)) => Err("SegmentSqlQuery must be 1 to 50000 characters".into()),
        _ => Err(format!(
            "Exactly one of {groups_member} and SegmentSqlQuery must be provided"
        )),
    }
}

fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), String> {
    if !(1..=50).contains(&tags.len()) {
        return Err("Tags must have 1 to 50 entries".into());
    }
    let bad =
        |k: &String, v: &String| !(1..=128).contains(&k.chars().count()) || v.chars().count() > 256;
    if tags.iter().any(|(k, v)| bad(k, v)) {
        return Err("Tag keys must be 1 to 128 characters and values at most 256".into());
    }
    Ok(())
}

/// `POST …/segment-definitions/{SegmentDefinitionName}`.
pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    route: Route,
    JsonBody(request): JsonBody<CreateSegmentDefinitionRequest>,
) -> Answer {
    let name = route.param("SegmentDefinitionName");
    if !query::is_name(name) {
        return Err(bad_request(
            "SegmentDefinitionName must be 1 to 64 characters of [a-zA-Z0-9_-]",
        ));
    }
    let display_name = match request.display_name {
        Some(d) if (1..=255).contains(&d.chars().count()) => d,
        Some(_) => return Err(bad_request("DisplayName must be 1 to 255 characters")),
        None => {
            return Err(bad_request(
                "1 validation error detected: Value null at 'displayName' failed to satisfy constraint: Member must not be null",
            ));
        }
    };
    if let Some(description) = &request.description
        && !(1..=4000).contains(&description.chars().count())
    {
        return Err(bad_request("Description must be 1 to 4000 characters"));
    }
    let query = query_of(
        request.segment_groups,
        request.segment_sql_query,
        "SegmentGroups",
    )
    .map_err(bad_request)?;
    if let Some(sort) = &request.segment_sort {
        query::check_sort(sort).map_err(bad_request)?;
    }
    if let Some(tags) = &request.tags {
        check_tags(tags).map_err(bad_request)?;
    }
    let credentials = &shared.config.credentials;
    let mut store = shared.customer_profiles.lock();
    if store.definitions.contains_key(name) {
        return Err(bad_request(format!(
            "Segment definition {name} already exists"
        )));
    }
    if let Query::Groups(groups) = &query {
        check_sources(&store, groups).map_err(bad_request)?;
    }
    let definition = Definition {
        name: name.to_owned(),
        display_name,
        description: request.description,
        query,
        sort: request.segment_sort,
        created_at: now(),
        arn: Definition::arn(&credentials.aws_region, route.domain(), name),
        tags: request.tags,
    };
    let body = Value::Object(definition.summary());
    store.definitions.insert(name.to_owned(), definition);
    ok(&body)
}

/// `GET …/segment-definitions/{SegmentDefinitionName}`.
pub(super) async fn get(State(shared): State<Arc<Shared>>, route: Route) -> Answer {
    let name = route.param("SegmentDefinitionName");
    let store = shared.customer_profiles.lock();
    let definition = store.definition(name)?;
    ok(&definition.to_json())
}

/// `DELETE …/segment-definitions/{SegmentDefinitionName}`.
pub(super) async fn delete(State(shared): State<Arc<Shared>>, route: Route) -> Answer {
    let name = route.param("SegmentDefinitionName");
    let mut store = shared.customer_profiles.lock();
    if store.definitions.remove(name).is_none() {
        return Err(not_found(format!("Segment definition {name} not found")));
    }
    ok(&json!({"Message": format!("Segment definition {name} deleted")}))
}

/// `GET /domains/{DomainName}/segment-definitions`: by name, `max-results` 1 to 500 (100 by default).
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    _route: Route,
    paging: Paging,
) -> Answer {
    // Every listing of the domain is the same request; the hash only tells lists apart.
    let mut hasher = DefaultHasher::new();
    "ListSegmentDefinitions".hash(&mut hasher);
    let page = LIST.page(&paging, hasher.finish())?;
    let store = shared.customer_profiles.lock();
    let all: Vec<&Definition> = store.definitions.values().collect();
    let (items, next) = page.take(all, |d| d.name.as_str());
    let mut body = json!({"Items": items.iter().map(|d| d.item()).collect::<Vec<_>>()});
    if let Some(next) = next {
        body["NextToken"] = json!(next);
    }
    ok(&body)
}

/// Now, in epoch seconds with milliseconds, as AWS writes timestamps.
pub(super) fn now() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64 / 1000.0
}
