//! Ids that look like the real service's: random UUID v4 strings, drawn from the store's seeded generator
//! so that a seeded sandbox hands out the same ids on every run.

use rand::RngExt;
use rand::rngs::StdRng;

/// A UUID v4-shaped id.
pub(super) fn uuid(rng: &mut StdRng) -> String {
    let bits: u128 = rng.random();
    // Set the version (4) and variant (10xx) nibbles, as a real v4 UUID has them.
    let bits = (bits & !(0xF << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn ids_are_uuid_v4_shaped_and_repeat_with_the_seed() {
        let mut a = StdRng::seed_from_u64(1);
        let mut b = StdRng::seed_from_u64(1);
        let id = uuid(&mut a);
        assert_eq!(id, uuid(&mut b));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
    }
}
