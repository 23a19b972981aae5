//! Query parameters as BlueConic reads them: arrays as repeated keys, numbers checked.

use chrono::{DateTime, Utc};

use super::{Refusal, dates};

/// The decoded pairs of a query string, repeated keys kept in order.
#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(query: Option<&str>) -> Self {
        Self(
            query
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    /// Every value of a repeated key.
    pub(super) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of a key.
    pub(super) fn first(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// An integer parameter within `min..=max`; 400 naming it when it is not one.
    pub(super) fn int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, Refusal> {
        let Some(text) = self.first(key) else {
            return Ok(None);
        };
        match text.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(Refusal::bad_field(
                key,
                format!("`{key}` must be an integer from {min} to {max}, got `{text}`"),
            )),
        }
    }

    /// An ISO 8601 date-time parameter; 400 naming it when it does not parse.
    pub(super) fn date(&self, key: &str) -> Result<Option<DateTime<Utc>>, Refusal> {
        match self.first(key) {
            None => Ok(None),
            Some(text) => dates::parse(text).map(Some).ok_or_else(|| {
                Refusal::bad_field(
                    key,
                    format!("`{key}` must be an ISO 8601 date-time, got `{text}`"),
                )
            }),
        }
    }

    /// A comma-separated list (and repeated keys), blanks dropped.
    pub(super) fn list(&self, key: &str) -> Vec<String> {
        self.all(key)
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}
