//! The body of a PATCH: a JSON merge patch (RFC 7396).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A JSON merge patch of a customer: the fields to set, with `null` for each field to remove. It stands in
/// for the spec's `CustomerPatch` (codegen replaces it), because a generated type cannot send an explicit
/// `null` from an optional field.
///
/// ```
/// use contacthub_api::MergePatch;
/// use serde_json::json;
///
/// let mut patch = MergePatch::new();
/// patch.set("extra", json!("vip"));
/// patch.remove("externalId");
/// assert_eq!(serde_json::to_value(&patch).unwrap(), json!({"extra": "vip", "externalId": null}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MergePatch(Map<String, Value>);

impl MergePatch {
    /// An empty patch, which changes nothing.
    ///
    /// ```
    /// assert!(contacthub_api::MergePatch::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a top-level member to `value` (an object value is merged into the current one).
    ///
    /// ```
    /// let mut patch = contacthub_api::MergePatch::new();
    /// patch.set("tags", serde_json::json!({"manual": ["vip"]}));
    /// ```
    pub fn set(&mut self, member: impl Into<String>, value: Value) -> &mut Self {
        self.0.insert(member.into(), value);
        self
    }

    /// Removes a top-level member (sends it as `null`).
    ///
    /// ```
    /// let mut patch = contacthub_api::MergePatch::new();
    /// patch.remove("extra");
    /// assert_eq!(patch.as_map()["extra"], serde_json::Value::Null);
    /// ```
    pub fn remove(&mut self, member: impl Into<String>) -> &mut Self {
        self.0.insert(member.into(), Value::Null);
        self
    }

    /// Whether the patch changes nothing.
    ///
    /// ```
    /// assert!(contacthub_api::MergePatch::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members of the patch.
    ///
    /// ```
    /// assert!(contacthub_api::MergePatch::new().as_map().is_empty());
    /// ```
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl From<Map<String, Value>> for MergePatch {
    fn from(members: Map<String, Value>) -> Self {
        Self(members)
    }
}

impl From<MergePatch> for Value {
    fn from(patch: MergePatch) -> Self {
        Value::Object(patch.0)
    }
}
