//! Which variation of a group a visitor gets: `murmur3_x86_32(variationGroupId + visitorId, seed 0) % 100`
//! against the running sum of the variations' allocations, as every Flagship SDK computes it.

use std::hash::Hasher as _;

use hash32::{Hasher as _, Murmur3Hasher};

/// The visitor's bucket (0 to 99) in variation group `group_id`.
///
/// ```
/// use cdp::flagship::bucketing::bucket;
/// // From the Flagship Python SDK's tests (see tests/fixtures/flagship/allocation_vectors.json).
/// assert_eq!(bucket("bs8qvmo4nlr01fl9bbbb", "202072017183814142"), 75);
/// ```
pub fn bucket(group_id: &str, visitor_id: &str) -> u32 {
    murmur3_32(group_id.as_bytes(), visitor_id.as_bytes()) % 100
}

/// MurmurHash3 x86 32-bit (seed 0) of `first` followed by `second`, without joining them.
///
/// ```
/// assert_eq!(cdp::flagship::bucketing::murmur3_32(b"hel", b"lo"), 0x248b_fa47);
/// ```
pub fn murmur3_32(first: &[u8], second: &[u8]) -> u32 {
    // hash32's MurmurHash3 takes its input in parts, over slices: the two ids are hashed where they lie,
    // with no copy and no reader (the `murmur3` crate reads through `io::Read`, 4 bytes a call: over a
    // third of a bucketing decision's time). Its seed is 0, as Flagship's.
    let mut hasher = Murmur3Hasher::default();
    hasher.write(first);
    hasher.write(second);
    hasher.finish32()
}

/// The index of the variation whose share of the running sum of `allocations` holds `bucket`; `None`
/// when the allocations add up to no more than `bucket` (the visitor is left out of the group).
/// Allocations of zero are skipped, as a missing allocation is.
pub(crate) fn pick(bucket: u32, allocations: impl IntoIterator<Item = f64>) -> Option<usize> {
    let mut sum = 0.0;
    let bucket = f64::from(bucket);
    for (index, allocation) in allocations.into_iter().enumerate() {
        // NaN and negative shares count as none.
        if allocation.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            continue;
        }
        sum += allocation;
        if bucket < sum {
            return Some(index);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_sum_decides() {
        assert_eq!(pick(0, [50.0, 50.0]), Some(0));
        assert_eq!(pick(49, [50.0, 50.0]), Some(0));
        assert_eq!(pick(50, [50.0, 50.0]), Some(1));
        assert_eq!(pick(99, [0.0, 100.0]), Some(1));
        assert_eq!(pick(60, [30.0, 30.0]), None);
        assert_eq!(pick(10, [f64::NAN, 20.0]), Some(1));
        assert_eq!(pick(10, []), None);
    }

    proptest::proptest! {
        /// The hash of two parts is the `murmur3` crate's (the sandbox's) hash of them joined, wherever
        /// the parts split the 4-byte blocks.
        #[test]
        fn same_hash_as_the_murmur3_crate_over_the_joined_bytes(
            first in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
            second in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
        ) {
            let joined = [first.as_slice(), second.as_slice()].concat();
            let reference = murmur3::murmur3_32(&mut joined.as_slice(), 0).ok();
            proptest::prop_assert_eq!(Some(murmur3_32(&first, &second)), reference);
        }
    }
}
