//! A keyed bijection of [0, n): spreads zipf's hot ranks over the parent table.

/// A fixed pseudo-random bijection of [0, n) keyed by `key`: a Feistel network over the next
/// power of two with cycle walking. Maps zipf ranks to parent rows so hot parents are spread
/// over the table.
#[derive(Debug, Clone)]
pub struct Permutation {
    n: u64,
    /// Bits per Feistel half; the network permutes [0, 2^(2 * half_bits)).
    half_bits: u32,
    round_keys: [u64; FEISTEL_ROUNDS],
}

const FEISTEL_ROUNDS: usize = 4;

impl Permutation {
    pub fn new(n: u64, key: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2);
        let mut round_keys = [0u64; FEISTEL_ROUNDS];
        for (r, k) in round_keys.iter_mut().enumerate() {
            *k = crate::rng::cell_key(key, 0x5045_524d, r as u64, n);
        }
        Permutation {
            n,
            half_bits,
            round_keys,
        }
    }
    /// The image of i (i < n).
    #[inline]
    pub fn apply(&self, i: u64) -> u64 {
        debug_assert!(
            i < self.n,
            "Permutation::apply({i}) outside [0, {})",
            self.n
        );
        if self.n <= 1 {
            return 0;
        }
        // Cycle walking: the network permutes a domain of < 4n values, so from any i < n the
        // walk re-enters [0, n) after fewer than 4 steps on average, and the induced map on
        // [0, n) is itself a bijection.
        let mut x = i;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }

    #[inline(always)]
    fn feistel(&self, x: u64) -> u64 {
        let h = self.half_bits;
        let mask = (1u64 << h) - 1;
        let mut l = x >> h;
        let mut r = x & mask;
        for &k in &self.round_keys {
            // Multiply-xorshift-multiply, keeping the top bits: they depend on every input bit.
            let mut f = (r ^ k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            f ^= f >> 29;
            f = f.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let f = f >> (64 - h);
            (l, r) = (r, l ^ f);
        }
        (l << h) | r
    }
}
