//! Walker/Vose alias tables: O(1) categorical draws.

use crate::rng::CellRng;

#[derive(Debug, Clone, Copy)]
struct AliasSlot {
    /// Keep this column when the low 64 bits of the draw are below it.
    threshold: u64,
    alias: u32,
}

/// Walker/Vose alias table over weights: O(1) categorical draws.
#[derive(Debug, Clone)]
pub struct AliasTable {
    // Threshold and alias side by side: one cache line per draw.
    slots: Box<[AliasSlot]>,
}

/// A probability in [0, 1] as a threshold over 2^64.
#[inline]
fn to_threshold(p: f64) -> u64 {
    if p >= 1.0 {
        u64::MAX
    } else if p > 0.0 {
        // `as` saturates, so 2^64 - epsilon rounding up is harmless.
        (p * 18_446_744_073_709_551_616.0) as u64
    } else {
        0
    }
}

impl AliasTable {
    /// Weights need not sum to 1; all >= 0, at least one > 0 (checked at build time).
    pub fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        assert!(n > 0, "AliasTable over no weights");
        assert!(
            n <= u32::MAX as usize,
            "AliasTable over more than 2^32 weights"
        );
        assert!(
            weights.iter().all(|w| *w >= 0.0 && w.is_finite()),
            "AliasTable weights must be finite and >= 0"
        );
        let sum: f64 = weights.iter().sum();
        assert!(
            sum > 0.0 && sum.is_finite(),
            "AliasTable weights sum to {sum}"
        );

        let scale = n as f64 / sum;
        let mut p: Vec<f64> = weights.iter().map(|w| w * scale).collect();
        let mut small = Vec::with_capacity(n);
        let mut large = Vec::with_capacity(n);
        for (i, &pi) in p.iter().enumerate() {
            if pi < 1.0 {
                small.push(i);
            } else {
                large.push(i);
            }
        }
        // Default: a full column that is its own alias.
        let mut slots: Vec<AliasSlot> = (0..n)
            .map(|i| AliasSlot {
                threshold: u64::MAX,
                alias: i as u32,
            })
            .collect();
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            large.pop();
            slots[s] = AliasSlot {
                threshold: to_threshold(p[s]),
                alias: l as u32,
            };
            // Subtract in this order (Vose): (p_l + p_s) - 1 loses less than p_l - (1 - p_s).
            p[l] = (p[l] + p[s]) - 1.0;
            if p[l] < 1.0 {
                small.push(l);
            } else {
                large.push(l);
            }
        }
        // Leftovers in either list should be exactly full columns; rounding can strand a
        // zero-weight item among them, which must still never be drawn.
        let heaviest = weights
            .iter()
            .enumerate()
            .fold(0, |best, (i, &w)| if w > weights[best] { i } else { best });
        for &i in small.iter().chain(large.iter()) {
            slots[i] = if weights[i] > 0.0 {
                AliasSlot {
                    threshold: u64::MAX,
                    alias: i as u32,
                }
            } else {
                AliasSlot {
                    threshold: 0,
                    alias: heaviest as u32,
                }
            };
        }
        AliasTable {
            slots: slots.into_boxed_slice(),
        }
    }
    /// An index in [0, weights.len()).
    #[inline]
    pub fn sample(&self, rng: &mut CellRng) -> usize {
        // One u64 does both jobs: the high half of x * n picks the column uniformly, the low
        // half (uniform to within n / 2^64) is the coin against that column's threshold.
        let m = (rng.next_u64() as u128) * (self.slots.len() as u128);
        let i = (m >> 64) as usize;
        let slot = self.slots[i];
        if (m as u64) < slot.threshold {
            i
        } else {
            slot.alias as usize
        }
    }
}
