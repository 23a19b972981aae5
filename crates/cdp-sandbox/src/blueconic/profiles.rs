//! `GET /profiles/{profileId}` and `GET /profiles` (search by unique properties).

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::params::Params;
use super::store::UNIQUE_PROPERTIES;
use super::view::View;
use super::{error, field_error};
use crate::http::json;
use crate::server::Shared;

/// `GET /profiles/{profileId}`.
pub(super) async fn get_one(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(Path(id)) = path else {
        return error(StatusCode::BAD_REQUEST, "invalid profile id");
    };
    let params = Params::parse(query.as_deref());
    let view = match View::from_params(&params, "profile.", true) {
        Ok(view) => view,
        Err(refusal) => return refusal.into_response(),
    };
    let rendered = {
        let store = shared.blueconic.store();
        store.profiles.get(&id).map(|p| view.render(&store, p))
    };
    match rendered {
        Some(profile) => json(StatusCode::OK, &profile),
        None => error(StatusCode::NOT_FOUND, &format!("profile `{id}` not found")),
    }
}

/// `GET /profiles?property=..&value=..`: pairs that must all hold.
pub(super) async fn search(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.as_deref());
    let properties = params.all("property");
    let values = params.all("value");
    if properties.is_empty() || properties.len() != values.len() {
        return field_error(
            StatusCode::BAD_REQUEST,
            "property",
            "give `property` and `value` in pairs (the same number of each, at least one)",
        );
    }
    if let Some(other) = properties.iter().find(|p| !UNIQUE_PROPERTIES.contains(p)) {
        // BlueConic searches only indexed (unique identifier) properties and says so with 501.
        return field_error(
            StatusCode::NOT_IMPLEMENTED,
            "property",
            &format!("property `{other}` is not classified as indexed (unique)"),
        );
    }
    let (start, count) = match (
        params.int("startIndex", 0, i64::from(i32::MAX)),
        params.int("count", 1, i64::from(i32::MAX)),
    ) {
        (Ok(start), Ok(count)) => (start.unwrap_or(0), count.unwrap_or(100)),
        (Err(refusal), _) | (_, Err(refusal)) => return refusal.into_response(),
    };
    let ids: Vec<String> = {
        let store = shared.blueconic.store();
        let pairs: Vec<(String, String)> = properties
            .iter()
            .zip(&values)
            .map(|(p, v)| ((*p).to_owned(), (*v).to_owned()))
            .collect();
        let (first, rest) = pairs
            .split_first()
            .map_or((None, &[][..]), |(f, r)| (Some(f), r));
        first
            .map(|(p, v)| store.ids_with(p, v))
            .unwrap_or_default()
            .into_iter()
            .filter(|id| {
                store.profiles.get(id).is_some_and(|profile| {
                    rest.iter()
                        .all(|(p, v)| profile.values(p).iter().any(|have| have == v))
                })
            })
            .collect()
    };
    let total = ids.len() as i64;
    let page: Vec<_> = ids
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .map(|id| json!({"id": id}))
        .collect();
    json(
        StatusCode::OK,
        &json!({
            "itemsPerPage": count,
            "startIndex": start,
            "totalPages": (total + count - 1) / count,
            "totalResults": total,
            "profiles": page,
        }),
    )
}
