//! A visitor's decision: the campaigns it is in, with the variation chosen in each and its flags.

use std::sync::Arc;

use serde_json::{Map, Value};

use flagship_api::types::DecisionResponse;

/// A campaign the visitor is in and the variation it sees.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Assignment {
    pub(crate) campaign_id: String,
    pub(crate) variation_group_id: String,
    pub(crate) variation_id: String,
    pub(crate) reference: bool,
    pub(crate) modifications: Map<String, Value>,
}

/// Where a flag comes from: the campaign, the variation group and the variation, and whether that
/// variation is the reference (the control).
///
/// ```
/// let info = cdp::flagship::ModificationInfo {
///     campaign_id: "c1".into(), variation_group_id: "g1".into(), variation_id: "v1".into(), is_reference: false,
/// };
/// assert_eq!(info.variation_group_id, "g1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModificationInfo {
    /// The campaign id.
    pub campaign_id: String,
    /// The variation group id (`caid` of an activation).
    pub variation_group_id: String,
    /// The variation id (`vaid` of an activation).
    pub variation_id: String,
    /// Whether the variation is the campaign's reference.
    pub is_reference: bool,
}

/// The campaigns a visitor is in, in the order the service (or the bucketing file) gives them; a flag
/// set by several takes the first one's value. Empty before synchronisation, and in panic mode.
///
/// ```
/// let decision = cdp::flagship::Decision::default();
/// assert!(decision.is_empty());
/// assert_eq!(decision.value("btnColor"), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// Every assignment the decision picks from: all those of a bucketing file, shared by every decision
    /// made from it (one reference count per decision, no copy of a flag), or those of one answer.
    table: Arc<[Assignment]>,
    /// The picked ones, by index in `table`, in order.
    picked: Vec<usize>,
    panic: bool,
}

/// Two decisions are equal when they pick equal assignments, in the same order, whatever table they
/// pick from.
impl PartialEq for Decision {
    fn eq(&self, other: &Self) -> bool {
        self.panic == other.panic && self.assignments().eq(other.assignments())
    }
}

impl Decision {
    /// The assignments of `table` at `picked`.
    pub(crate) fn new(table: Arc<[Assignment]>, picked: Vec<usize>) -> Self {
        Self {
            table,
            picked,
            panic: false,
        }
    }

    /// The decision of panic mode: no campaign, defaults everywhere, nothing sent.
    pub(crate) fn panic() -> Self {
        Self {
            panic: true,
            ..Self::default()
        }
    }

    fn assignments(&self) -> impl Iterator<Item = &Assignment> {
        // Every index was taken from the table; one that is not there is skipped, never a panic.
        self.picked
            .iter()
            .filter_map(|&index| self.table.get(index))
    }

    /// From the Decision API's answer.
    pub(crate) fn from_response(response: DecisionResponse) -> Self {
        if response.panic == Some(true) {
            return Self::panic();
        }
        let table: Arc<[Assignment]> = response
            .campaigns
            .into_iter()
            .map(|campaign| Assignment {
                campaign_id: campaign.id,
                variation_group_id: campaign.variation_group_id,
                variation_id: campaign.variation.id,
                reference: campaign.variation.reference.unwrap_or(false),
                modifications: campaign
                    .variation
                    .modifications
                    .map(|m| m.value)
                    .unwrap_or_default(),
            })
            .collect();
        let picked = (0..table.len()).collect();
        Self::new(table, picked)
    }

    /// Whether the service is in panic mode: every flag gives its default.
    ///
    /// ```
    /// assert!(!cdp::flagship::Decision::default().is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        self.panic
    }

    /// Whether the visitor is in no campaign.
    pub fn is_empty(&self) -> bool {
        self.picked.is_empty()
    }

    /// How many campaigns the visitor is in.
    ///
    /// ```
    /// assert_eq!(cdp::flagship::Decision::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.picked.len()
    }

    /// The raw value of flag `key` (JSON `null` when a variation names the key without a value).
    ///
    /// ```
    /// assert!(cdp::flagship::Decision::default().value("anything").is_none());
    /// ```
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.find(key).map(|(value, _)| value)
    }

    /// Where flag `key` comes from.
    ///
    /// ```
    /// assert!(cdp::flagship::Decision::default().info("anything").is_none());
    /// ```
    pub fn info(&self, key: &str) -> Option<ModificationInfo> {
        self.find(key).map(|(_, a)| ModificationInfo {
            campaign_id: a.campaign_id.clone(),
            variation_group_id: a.variation_group_id.clone(),
            variation_id: a.variation_id.clone(),
            is_reference: a.reference,
        })
    }

    /// Every flag with its value, the first campaign's where several set it.
    ///
    /// ```
    /// assert!(cdp::flagship::Decision::default().values().is_empty());
    /// ```
    pub fn values(&self) -> Map<String, Value> {
        let mut all = Map::new();
        for assignment in self.assignments() {
            for (key, value) in &assignment.modifications {
                if !all.contains_key(key) {
                    all.insert(key.clone(), value.clone());
                }
            }
        }
        all
    }

    /// The variation groups and variations of this decision, `(variation group id, variation id)`, in
    /// order: what a visitor cache keeps.
    ///
    /// ```
    /// assert_eq!(cdp::flagship::Decision::default().variations().count(), 0);
    /// ```
    pub fn variations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.assignments()
            .map(|a| (a.variation_group_id.as_str(), a.variation_id.as_str()))
    }

    fn find(&self, key: &str) -> Option<(&Value, &Assignment)> {
        self.assignments()
            .find_map(|a| a.modifications.get(key).map(|v| (v, a)))
    }
}
