//! Who may call: the API key and the environment id.

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, StatusCode};

use super::Failure;
use crate::Config;

/// `x-api-key` must be the environment's key (decision API and CDN; the collector takes none).
pub(crate) fn check_key(config: &Config, headers: &HeaderMap) -> Result<(), Failure> {
    match headers.get("x-api-key").map(|v| v.to_str()) {
        None => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "missing x-api-key header",
        )),
        Some(Ok(key)) if key == config.credentials.flagship_api_key => Ok(()),
        Some(_) => Err(Failure::new(StatusCode::UNAUTHORIZED, "invalid api key")),
    }
}

/// The environment in the path (or in `cid`) must be the sandbox's one.
pub(crate) fn check_env(config: &Config, env_id: &str) -> Result<(), Failure> {
    if env_id == config.credentials.flagship_env_id {
        Ok(())
    } else {
        Err(Failure::new(StatusCode::NOT_FOUND, "environment not found"))
    }
}

/// The key, then the environment of the path: what every route with `{envId}` checks first.
pub(crate) fn check<T>(
    config: &Config,
    headers: &HeaderMap,
    path: Result<Path<T>, PathRejection>,
    env_id: impl FnOnce(&T) -> &str,
) -> Result<T, Failure> {
    check_key(config, headers)?;
    let Path(params) = path.map_err(|rejection| Failure::bad_request(rejection.body_text()))?;
    check_env(config, env_id(&params))?;
    Ok(params)
}
