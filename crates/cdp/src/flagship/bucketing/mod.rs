//! Bucketing mode: the bucketing file parsed once into a form that decides a visitor without the network
//! and without copying a flag ([`Bucketing::decide`]), its targeting, the allocation
//! ([`bucket`]) and the polling of the file on the CDN.
//!
//! As the Python SDK does, campaigns' `bucketRanges` and the `decision_group` are ignored; in each
//! campaign the first variation group whose audience holds the visitor is the one allocated.

mod allocation;
mod caseless;
pub(crate) mod polling;
mod targeting;

use std::collections::BTreeMap;
use std::sync::Arc;

use flagship_api::types::BucketingFile;

pub use allocation::{bucket, murmur3_32};
use targeting::{Audience, Condition};

use super::context::ContextValue;
use super::decision::{Assignment, Decision};
use crate::{DecodeError, Error, Result};

/// How many context keys a file may look at before a decision's look-up of them needs the heap.
const INLINE_KEYS: usize = 32;

/// A bucketing file, parsed once, ready to decide visitors.
///
/// ```
/// use std::collections::BTreeMap;
/// use cdp::flagship::bucketing::Bucketing;
///
/// let file = br#"{"campaigns": [{"id": "c1", "type": "toggle", "variationGroups": [{"id": "g1",
///     "targeting": {"targetingGroups": [{"targetings": [{"operator": "EQUALS", "key": "plan", "value": "pro"}]}]},
///     "variations": [{"id": "v1", "allocation": 100, "modifications": {"type": "FLAG", "value": {"dark": true}}}]}]}]}"#;
/// let bucketing = Bucketing::from_json(file)?;
/// let context = BTreeMap::from([("plan".to_string(), "Pro".into())]);
/// let decision = bucketing.decide("visitor-1", &context, &[]);
/// assert_eq!(decision.value("dark"), Some(&serde_json::json!(true)));
/// # Ok::<(), cdp::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Bucketing {
    panic: bool,
    campaigns: Vec<Campaign>,
    /// Every variation of the file as an assignment, which decisions share and pick from by index.
    table: Arc<[Assignment]>,
    /// The context keys the conditions look at, sorted.
    keys: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Clone, Debug)]
struct Campaign {
    groups: Vec<Group>,
}

#[derive(Clone, Debug)]
struct Group {
    id: String,
    audience: Audience,
    /// Every variation with its allocation and its index in the table, in file order.
    variations: Vec<(f64, usize)>,
}

impl Bucketing {
    /// Parses a bucketing file (the JSON the CDN serves).
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let file: BucketingFile = serde_json::from_slice(bytes).map_err(|e| {
            Error::Decode(Box::new(DecodeError::new(
                super::builder::SERVICE,
                None,
                None,
                format!("not a bucketing file: {e}"),
                bytes,
            )))
        })?;
        Ok(Self::from_file(&file))
    }

    /// From the generated client's bucketing file.
    pub fn from_file(file: &BucketingFile) -> Self {
        let keys = targeting::context_keys(
            file.campaigns
                .iter()
                .flat_map(|c| &c.variation_groups)
                .flat_map(|g| &g.targeting)
                .flat_map(|t| &t.targeting_groups)
                .flat_map(|g| &g.targetings)
                .map(|c| c.key.as_str()),
        );
        let mut warnings = Vec::new();
        let mut warn = |message: String| {
            if !warnings.contains(&message) {
                warnings.push(message);
            }
        };
        let mut table = Vec::new();
        let campaigns = file
            .campaigns
            .iter()
            .map(|campaign| Campaign {
                groups: campaign
                    .variation_groups
                    .iter()
                    .map(|group| Group {
                        id: group.id.clone(),
                        audience: group
                            .targeting
                            .iter()
                            .flat_map(|t| &t.targeting_groups)
                            .map(|g| {
                                g.targetings
                                    .iter()
                                    .map(|c| Condition::compile(c, &keys, &mut warn))
                                    .collect()
                            })
                            .collect(),
                        variations: group
                            .variations
                            .iter()
                            .map(|variation| {
                                let assignment = Assignment {
                                    campaign_id: campaign.id.clone(),
                                    variation_group_id: group.id.clone(),
                                    variation_id: variation.id.clone(),
                                    reference: variation.reference.unwrap_or(false),
                                    modifications: variation
                                        .modifications
                                        .as_ref()
                                        .map(|m| m.value.clone())
                                        .unwrap_or_default(),
                                };
                                table.push(assignment);
                                (variation.allocation.unwrap_or(0.0), table.len() - 1)
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            panic: file.panic == Some(true),
            campaigns,
            table: table.into(),
            keys,
            warnings,
        }
    }

    /// Whether the file says panic mode: every flag gives its default and nothing is sent.
    pub fn is_panic(&self) -> bool {
        self.panic
    }

    /// What in the file cannot be honoured (operators that never match), once each.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The decision for visitor `visitor_id` with `context`. A variation in `kept` (from a visitor
    /// cache) is kept in its group, whatever the allocation says now, while the visitor is still in the
    /// group's audience.
    pub fn decide(
        &self,
        visitor_id: &str,
        context: &BTreeMap<String, ContextValue>,
        kept: &[String],
    ) -> Decision {
        if self.panic {
            return Decision::panic();
        }
        // The visitor's value of each key the file looks at, on the stack for any usual file.
        let mut inline = [None; INLINE_KEYS];
        let mut spilled = Vec::new();
        let values = match inline.get_mut(..self.keys.len()) {
            Some(values) => values,
            None => {
                spilled.resize(self.keys.len(), None);
                spilled.as_mut_slice()
            }
        };
        targeting::resolve(&self.keys, context, values);
        let context = &*values;
        let mut picked = Vec::with_capacity(self.campaigns.len());
        for campaign in &self.campaigns {
            let Some(group) = campaign
                .groups
                .iter()
                .find(|g| targeting::matches(&g.audience, visitor_id, context))
            else {
                continue;
            };
            let cached = (!kept.is_empty())
                .then(|| {
                    group.variations.iter().find(|(_, index)| {
                        self.table
                            .get(*index)
                            .is_some_and(|a| kept.contains(&a.variation_id))
                    })
                })
                .flatten();
            let chosen = cached.or_else(|| {
                let bucket = bucket(&group.id, visitor_id);
                allocation::pick(bucket, group.variations.iter().map(|(share, _)| *share))
                    .and_then(|index| group.variations.get(index))
            });
            if let Some((_, index)) = chosen {
                picked.push(*index);
            }
        }
        Decision::new(self.table.clone(), picked)
    }
}

#[cfg(test)]
mod tests {
    use super::Bucketing;
    use crate::Error;

    #[test]
    fn a_file_that_is_not_a_bucketing_file_is_a_decode_error_of_flagship() {
        let Err(Error::Decode(e)) = Bucketing::from_json(b"<html>maintenance</html>") else {
            panic!("a decode error expected");
        };
        assert_eq!(e.service, "Flagship");
        assert!(e.message.contains("not a bucketing file"), "{}", e.message);
    }
}
