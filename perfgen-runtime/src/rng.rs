//! Counter-based randomness: each cell (seed, entity, field, row) gets its own small RNG.

/// splitmix64's finaliser (Stafford's "mix13"): a bijection of u64 with full avalanche.
#[inline(always)]
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// One odd multiplier per coordinate: the same value in different positions (entity 3 vs
// field 3) must not cancel or commute.
const K_SEED: u64 = 0x9e37_79b9_7f4a_7c15;
const K_ENTITY: u64 = 0xc2b2_ae3d_27d4_eb4f;
const K_FIELD: u64 = 0x1656_67b1_9e37_79f9;
const K_ROW: u64 = 0xd6e8_feb8_6659_fd93;
// Keeps the all-zero cell away from mix64's fixed point at 0.
const SALT: u64 = 0x243f_6a88_85a3_08d3;

/// Mix the four coordinates of a cell into a 64-bit key (a strong avalanche mixer, so
/// neighbouring rows and fields give unrelated streams).
#[inline]
pub fn cell_key(seed: u64, entity: u64, field: u64, row: u64) -> u64 {
    // Each step is a bijection both of the running hash (for a fixed input) and of the
    // input (for a fixed hash), so changing any single coordinate always changes the key.
    // Two mixes, not four: this runs once per cell, billions of times. The column part
    // (seed, entity, field) is XOR-combined from per-coordinate bijections before its mix,
    // so it is still a bijection of each single coordinate.
    let column = mix64(
        seed.wrapping_mul(K_SEED)
            ^ entity.wrapping_mul(K_ENTITY)
            ^ field.wrapping_mul(K_FIELD)
            ^ SALT,
    );
    mix64(column ^ row.wrapping_mul(K_ROW))
}

const WY_ADD: u64 = 0xa076_1d64_78bd_642f;
const WY_XOR: u64 = 0xe703_7ed1_a0b4_28db;
const F53: f64 = 1.0 / (1u64 << 53) as f64;
const F52: f64 = 1.0 / (1u64 << 52) as f64;

/// A small, fast RNG for one cell (wyrand). Implements `rand::RngCore`, so rand_distr
/// samplers can draw from it; later draws continue the same cell's stream.
#[derive(Debug, Clone)]
pub struct CellRng {
    state: u64,
}

impl CellRng {
    /// The RNG of one cell.
    #[inline]
    pub fn new(seed: u64, entity: u64, field: u64, row: u64) -> Self {
        Self::from_key(cell_key(seed, entity, field, row))
    }
    /// From a raw 64-bit key.
    #[inline]
    pub fn from_key(key: u64) -> Self {
        // wyrand's output function mixes well on its own; keys from cell_key are already
        // avalanched, so no extra scrambling of the state is needed.
        CellRng { state: key }
    }
    /// Next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(WY_ADD);
        let t = (self.state as u128).wrapping_mul((self.state ^ WY_XOR) as u128);
        ((t >> 64) as u64) ^ (t as u64)
    }
    /// Uniform in [0, 1), 53 bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * F53
    }
    /// Uniform in (0, 1): never 0, for logs and inverse CDFs.
    #[inline]
    pub fn next_f64_open(&mut self) -> f64 {
        // Midpoints of a 2^-52 grid: symmetric, never 0 and never 1, so 1 - u is open too.
        ((self.next_u64() >> 12) as f64 + 0.5) * F52
    }
    /// Uniform integer in [0, n), unbiased (Lemire); `n` must be > 0.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "CellRng::below(0)");
        let mut m = (self.next_u64() as u128) * (n as u128);
        let mut low = m as u64;
        if low < n {
            // The rare slow path: reject the few products that would bias small results.
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = (self.next_u64() as u128) * (n as u128);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }
    /// Uniform integer in [lo, hi] inclusive; `lo <= hi`.
    #[inline]
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi, "CellRng::range_i64({lo}, {hi})");
        // Width - 1 fits u64 even for the full i64 range; width itself may wrap to 0.
        let span = (hi as u64).wrapping_sub(lo as u64).wrapping_add(1);
        if span == 0 {
            return self.next_u64() as i64;
        }
        lo.wrapping_add(self.below(span) as i64)
    }
}

impl rand::RngCore for CellRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        // The high half: wyrand's best-mixed bits.
        (CellRng::next_u64(self) >> 32) as u32
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        CellRng::next_u64(self)
    }
    #[inline]
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        let mut chunks = dst.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&CellRng::next_u64(self).to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let b = CellRng::next_u64(self).to_le_bytes();
            rest.copy_from_slice(&b[..rest.len()]);
        }
    }
}

/// FNV-1a 64 of a name: the stable id of an entity or field in [`cell_key`]. perfgen-codegen
/// computes the same function at build time; renaming a field changes only that column.
pub const fn name_key(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn fnv1a_known_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(name_key(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(name_key("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(name_key("foobar"), 0x8594_4171_f739_67e8);
        const K: u64 = name_key("users");
        assert_eq!(K, name_key("users"));
        assert_ne!(name_key("user_id"), name_key("user_ie"));
    }

    #[test]
    fn cell_key_changes_with_every_coordinate() {
        let base = (7u64, 11u64, 13u64, 17u64);
        let k0 = cell_key(base.0, base.1, base.2, base.3);
        for d in [1u64, 2, 1 << 32, 1 << 63, u64::MAX] {
            assert_ne!(k0, cell_key(base.0 ^ d, base.1, base.2, base.3));
            assert_ne!(k0, cell_key(base.0, base.1 ^ d, base.2, base.3));
            assert_ne!(k0, cell_key(base.0, base.1, base.2 ^ d, base.3));
            assert_ne!(k0, cell_key(base.0, base.1, base.2, base.3 ^ d));
        }
        // Coordinates are not interchangeable.
        assert_ne!(cell_key(1, 2, 3, 4), cell_key(2, 1, 3, 4));
        assert_ne!(cell_key(0, 0, 3, 4), cell_key(0, 0, 4, 3));
        assert_ne!(cell_key(0, 5, 5, 0), cell_key(0, 0, 5, 5));
        assert_ne!(cell_key(0, 0, 0, 0), 0);
    }

    #[test]
    fn cell_key_has_no_collisions_over_a_grid() {
        let mut seen = HashSet::new();
        for e in 0..4 {
            for f in 0..16 {
                for r in 0..2000 {
                    assert!(
                        seen.insert(cell_key(42, e, f, r)),
                        "collision at {e} {f} {r}"
                    );
                }
            }
        }
    }

    #[test]
    fn cell_key_avalanches() {
        // Flipping one input bit should flip about half the output bits.
        let mut total = 0u64;
        let mut n = 0u64;
        for r in 0..256u64 {
            for bit in 0..64 {
                let a = cell_key(1, 2, 3, r);
                let b = cell_key(1, 2, 3, r ^ (1 << bit));
                let flipped = (a ^ b).count_ones() as u64;
                assert!(
                    (8..=56).contains(&flipped),
                    "weak avalanche r={r} bit={bit}: {flipped}"
                );
                total += flipped;
                n += 1;
            }
        }
        let mean = total as f64 / n as f64;
        assert!((mean - 32.0).abs() < 0.5, "mean flipped bits {mean}");
    }

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let mut a = CellRng::new(1, 2, 3, 4);
        let mut b = CellRng::new(1, 2, 3, 4);
        let mut c = CellRng::new(1, 2, 3, 5);
        let xa: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..100).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..100).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
        assert!(xa.iter().zip(&xc).all(|(p, q)| p != q));
        // Cloning forks the stream at the current point.
        let mut d = a.clone();
        assert_eq!(a.next_u64(), d.next_u64());
        assert_eq!(
            CellRng::from_key(cell_key(1, 2, 3, 4)).next_u64(),
            CellRng::new(1, 2, 3, 4).next_u64()
        );
    }

    #[test]
    fn wyrand_reference_output() {
        // wyrand with state 0: first output from the reference algorithm, written out by hand.
        let mut r = CellRng::from_key(0);
        let s = WY_ADD;
        let t = (s as u128) * ((s ^ WY_XOR) as u128);
        assert_eq!(r.next_u64(), ((t >> 64) as u64) ^ (t as u64));
    }

    #[test]
    fn uniform_floats_are_in_range_and_unbiased() {
        let mut r = CellRng::new(9, 9, 9, 9);
        let n = 100_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let x = r.next_f64();
            assert!((0.0..1.0).contains(&x));
            let y = r.next_f64_open();
            assert!(y > 0.0 && y < 1.0);
            s1 += x;
            s2 += y;
        }
        // Mean 1/2, sd of the mean sqrt(1/12/n) ~ 0.00091; allow 5 standard errors.
        let se = (1.0 / 12.0 / n as f64).sqrt();
        assert!((s1 / n as f64 - 0.5).abs() < 5.0 * se);
        assert!((s2 / n as f64 - 0.5).abs() < 5.0 * se);
        // Extremes of the open interval.
        assert!((0.5 * F52) > 0.0 && ((1u64 << 52) as f64 - 0.5) * F52 < 1.0);
    }

    #[test]
    fn below_is_in_range_and_uniform() {
        let mut r = CellRng::new(3, 1, 4, 1);
        assert_eq!(r.below(1), 0);
        let n = 7u64;
        let draws = 70_000;
        let mut counts = [0u64; 7];
        for _ in 0..draws {
            let x = r.below(n);
            assert!(x < n);
            counts[x as usize] += 1;
        }
        let e = draws as f64 / n as f64;
        let chi2: f64 = counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
        // 6 degrees of freedom: P(chi2 > 22.5) ~ 0.001.
        assert!(chi2 < 22.5, "chi2 {chi2}, counts {counts:?}");
        // n = 3 * 2^62: a plain multiply-shift would give multiples of 3 twice the
        // preimages of the others (P = 1/2 instead of 1/3); only rejection fixes that.
        let big = 3u64 << 62;
        let mut div3 = 0u32;
        for _ in 0..20_000 {
            let x = r.below(big);
            assert!(x < big);
            div3 += (x % 3 == 0) as u32;
        }
        assert!((div3 as f64 / 20_000.0 - 1.0 / 3.0).abs() < 0.02, "{div3}");
        for _ in 0..1000 {
            assert!(r.below(u64::MAX) < u64::MAX);
        }
    }

    #[test]
    fn range_i64_bounds() {
        let mut r = CellRng::new(5, 5, 5, 5);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let x = r.range_i64(-2, 2);
            assert!((-2..=2).contains(&x));
            seen[(x + 2) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(r.range_i64(9, 9), 9);
        assert_eq!(r.range_i64(i64::MIN, i64::MIN), i64::MIN);
        assert_eq!(r.range_i64(i64::MAX, i64::MAX), i64::MAX);
        let mut neg = 0;
        for _ in 0..1000 {
            let x = r.range_i64(i64::MIN, i64::MAX);
            neg += (x < 0) as u32;
            let y = r.range_i64(i64::MAX - 1, i64::MAX);
            assert!(y >= i64::MAX - 1);
            let z = r.range_i64(i64::MIN, i64::MIN + 1);
            assert!(z <= i64::MIN + 1);
        }
        assert!((400..600).contains(&neg));
    }

    #[test]
    fn rngcore_matches_inherent_stream() {
        use rand::{Rng, RngCore};
        let mut a = CellRng::from_key(77);
        let mut b = CellRng::from_key(77);
        assert_eq!(RngCore::next_u64(&mut a), b.next_u64());
        assert_eq!(RngCore::next_u32(&mut a), (b.next_u64() >> 32) as u32);
        let mut buf = [0u8; 13];
        a.fill_bytes(&mut buf);
        let w0 = b.next_u64().to_le_bytes();
        let w1 = b.next_u64().to_le_bytes();
        assert_eq!(&buf[..8], &w0);
        assert_eq!(&buf[8..], &w1[..5]);
        // rand's generic API works on it.
        let x: f64 = a.random();
        assert!((0.0..1.0).contains(&x));
        let y = a.random_range(10..20u32);
        assert!((10..20).contains(&y));
    }
}
