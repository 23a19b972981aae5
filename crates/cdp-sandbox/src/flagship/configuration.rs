//! The campaign configuration, in the shape of the bucketing file: the one source of truth that the
//! decision routes evaluate and the CDN serves as is.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Everything the environment runs: the bucketing file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Configuration {
    #[serde(default)]
    pub(crate) panic: bool,
    #[serde(default)]
    pub(crate) visitor_consolidation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) account_settings: Option<AccountSettings>,
    #[serde(default)]
    pub(crate) campaigns: Vec<Campaign>,
}

/// Settings of the account, sent in the bucketing file and in `extras.accountSettings`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct AccountSettings {
    #[serde(rename = "enabledXPC", default)]
    pub(crate) enabled_xpc: bool,
    #[serde(rename = "enabled1V1T", default)]
    pub(crate) enabled_1v1t: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) troubleshooting: Option<Troubleshooting>,
}

/// A window during which SDKs send diagnostics.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Troubleshooting {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) traffic: Option<f64>,
}

/// A campaign and its variation groups, in the order they are tried.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Campaign {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) slug: Option<String>,
    /// `ab`, `toggle`, `perso`, …; kept as text so that a loaded file with a newer type still loads.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) bucket_ranges: Vec<BucketRange>,
    #[serde(default)]
    pub(crate) variation_groups: Vec<VariationGroup>,
}

/// `[r0, r1)` of the 0–100 visitor hash that is in the campaign.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct BucketRange {
    #[serde(default)]
    pub(crate) r: Vec<f64>,
}

/// Who the group targets and how its visitors split between variations.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct VariationGroup {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) targeting: Targeting,
    #[serde(default)]
    pub(crate) variations: Vec<Variation>,
}

/// Targeting groups, OR-ed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Targeting {
    #[serde(default)]
    pub(crate) targeting_groups: Vec<TargetingGroup>,
}

/// Conditions, AND-ed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct TargetingGroup {
    #[serde(default)]
    pub(crate) targetings: Vec<Condition>,
}

/// One condition on a context key.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct Condition {
    pub(crate) operator: Operator,
    pub(crate) key: String,
    #[serde(default)]
    pub(crate) value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) provider: Option<String>,
}

/// How a condition compares the context value with its own.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Operator {
    Equals,
    NotEquals,
    LowerThan,
    GreaterThan,
    LowerThanOrEquals,
    GreaterThanOrEquals,
    StartsWith,
    EndsWith,
    Contains,
    NotContains,
    Exists,
    NotExists,
    SemverEquals,
    SemverNotEquals,
    SemverLowerThan,
    SemverGreaterThan,
    SemverLowerThanOrEquals,
    SemverGreaterThanOrEquals,
}

/// A variation, its share of the group (0–100) and the flag values it sets.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct Variation {
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) reference: bool,
    /// Absent in real files for a reference that takes no traffic; absent counts as 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) allocation: Option<f64>,
    #[serde(default)]
    pub(crate) modifications: Modifications,
}

/// The flag values a variation sets.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Modifications {
    /// `FLAG`, `JSON`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) value: Map<String, Value>,
}

impl Configuration {
    /// The campaign with this id.
    pub(crate) fn campaign(&self, id: &str) -> Option<&Campaign> {
        self.campaigns.iter().find(|c| c.id == id)
    }
}
