//! Deciding: for each campaign, the first variation group whose targeting the visitor matches, then the
//! variation the allocation gives.

use super::allocation::{allocate, in_bucket_ranges};
use super::configuration::{Campaign, Configuration, Variation, VariationGroup};
use super::decision_request::Visitor;
use super::targeting;

/// A campaign the visitor is in, with the group and variation chosen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assignment<'a> {
    pub(crate) campaign: &'a Campaign,
    pub(crate) group: &'a VariationGroup,
    pub(crate) variation: &'a Variation,
}

/// Every campaign the visitor is in, in file order (empty in panic mode).
pub(crate) fn decide<'a>(
    configuration: &'a Configuration,
    visitor: &Visitor,
) -> Vec<Assignment<'a>> {
    if configuration.panic {
        return Vec::new();
    }
    configuration
        .campaigns
        .iter()
        .filter_map(|campaign| decide_campaign(campaign, visitor))
        .collect()
}

/// The visitor's variation in one campaign. Only the first group the visitor matches is tried: a visitor
/// in that group's audience whom its allocation leaves out (allocations under 100 %) is out of the
/// campaign, not passed on to the next group.
pub(crate) fn decide_campaign<'a>(
    campaign: &'a Campaign,
    visitor: &Visitor,
) -> Option<Assignment<'a>> {
    let hashed_id = visitor.hashed_id();
    if !campaign.bucket_ranges.is_empty() && !in_bucket_ranges(&campaign.bucket_ranges, hashed_id) {
        return None;
    }
    let group = campaign
        .variation_groups
        .iter()
        .find(|group| targeting::matches(&group.targeting, &visitor.id, &visitor.context))?;
    let variation = allocate(&group.id, hashed_id, &group.variations)?;
    Some(Assignment {
        campaign,
        group,
        variation,
    })
}
