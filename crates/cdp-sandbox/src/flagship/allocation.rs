//! Which variation a visitor gets: Flagship's murmur3 bucketing, the same in the Go decision API and in
//! every SDK, so that a visitor lands in the same variation whichever way the decision is made.

use std::io::Cursor;

use super::configuration::{BucketRange, Variation};

/// MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`, seed 0.
///
/// ```
/// assert_eq!(cdp_sandbox::flagship::murmur3_hash("hello"), 0x248b_fa47);
/// ```
pub fn murmur3_hash(text: &str) -> u32 {
    // Reading from an in-memory cursor cannot fail; 0 keeps the function total all the same.
    murmur3::murmur3_32(&mut Cursor::new(text.as_bytes()), 0).unwrap_or(0)
}

/// The bucket (0–99) of a visitor in a variation group: `murmur3(variationGroupId + visitorId) % 100`.
///
/// ```
/// use cdp_sandbox::flagship::allocation_bucket;
/// assert_eq!(allocation_bucket("bs8r119sbs4016meiiii", "202072017183814142"), 32);
/// ```
pub fn allocation_bucket(variation_group_id: &str, visitor_id: &str) -> u32 {
    murmur3_hash(&format!("{variation_group_id}{visitor_id}")) % 100
}

/// The index of the variation a bucket falls in, given the allocations (0–100) in file order: a running
/// sum over the allocations, skipping zero ones, and the first variation whose sum exceeds the bucket wins.
/// `None` when the allocations add up to less than the bucket (the visitor is not in the group).
///
/// ```
/// use cdp_sandbox::flagship::pick_variation;
/// // A reference that takes no traffic, then four variations of 25 %.
/// let allocations = [0.0, 25.0, 25.0, 25.0, 25.0];
/// assert_eq!(pick_variation(0, &allocations), Some(1));
/// assert_eq!(pick_variation(75, &allocations), Some(4));
/// assert_eq!(pick_variation(60, &[50.0]), None);
/// ```
pub fn pick_variation(bucket: u32, allocations: &[f64]) -> Option<usize> {
    let bucket = f64::from(bucket);
    let mut sum = 0.0;
    for (index, allocation) in allocations.iter().enumerate() {
        if *allocation <= 0.0 || allocation.is_nan() {
            continue;
        }
        sum += allocation;
        if bucket < sum {
            return Some(index);
        }
    }
    None
}

/// The variation of a group that a hashed id gets.
pub(crate) fn allocate<'a>(
    group_id: &str,
    hashed_id: &str,
    variations: &'a [Variation],
) -> Option<&'a Variation> {
    let allocations: Vec<f64> = variations
        .iter()
        .map(|v| v.allocation.unwrap_or(0.0))
        .collect();
    let index = pick_variation(allocation_bucket(group_id, hashed_id), &allocations)?;
    variations.get(index)
}

/// Whether a hashed id is in a campaign's bucket ranges: `murmur3("" + id) % 100` in some `[r0, r1)`.
pub(crate) fn in_bucket_ranges(ranges: &[BucketRange], hashed_id: &str) -> bool {
    let bucket = f64::from(allocation_bucket("", hashed_id));
    ranges.iter().any(|range| match range.r.as_slice() {
        [from, to, ..] => *from <= bucket && bucket < *to,
        _ => false,
    })
}
