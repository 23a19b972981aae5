//! A small, fast generator for the seed (SplitMix64). Each seeded customer gets its own, seeded from the
//! store's `StdRng`: `StdRng` costs about a microsecond per draw in a debug build, too much for the few
//! dozen draws of each of hundreds of thousands of customers.

use super::ids;

#[derive(Debug, Clone)]
pub(super) struct Dice(u64);

impl Dice {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..high` (`low` when the range is empty).
    pub(super) fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = high.saturating_sub(low);
        if span <= 0 {
            return low;
        }
        low + (self.next() % span as u64) as i64
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let at = self.range(0, items.len() as i64) as usize;
        &items[at.min(items.len().saturating_sub(1))]
    }

    pub(super) fn uuid(&mut self) -> String {
        ids::uuid_from((u128::from(self.next()) << 64) | u128::from(self.next()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_repeat() {
        let mut a = Dice::new(7);
        let mut b = Dice::new(7);
        for _ in 0..1000 {
            let n = a.range(3, 9);
            assert!((3..9).contains(&n));
            assert_eq!(n, b.range(3, 9));
        }
        assert_eq!(a.range(5, 5), 5);
        let hits = (0..10_000).filter(|_| a.chance(0.3)).count();
        assert!((2_500..3_500).contains(&hits), "{hits}");
    }
}
