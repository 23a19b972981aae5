//! Ids that look like the real service's: random UUID v4 strings, drawn from the store's seeded generator
//! so that a seeded sandbox hands out the same ids on every run.

use rand::RngExt;
use rand::rngs::StdRng;

/// A UUID v4-shaped id.
pub(super) fn uuid(rng: &mut StdRng) -> String {
    uuid_from(rng.random())
}

/// A UUID v4-shaped id made of `bits` (written by hand: the seed makes hundreds of thousands of them, and
/// `format!` is slow in debug builds).
pub(super) fn uuid_from(bits: u128) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Set the version (4) and variant (10xx) nibbles, as a real v4 UUID has them.
    let bits = (bits & !(0xF << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let mut id = String::with_capacity(36);
    for nibble in 0..32 {
        if matches!(nibble, 8 | 12 | 16 | 20) {
            id.push('-');
        }
        let digit = (bits >> (124 - 4 * nibble)) & 0xF;
        id.push(char::from(HEX[digit as usize]));
    }
    id
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
