//! Samplers. All O(1) per draw; all take a [`CellRng`] so draws are counter-based.

use crate::rng::CellRng;

/// Standard normal CDF, accurate to ~1e-15 relative in both tails (via erfc).
pub fn normal_cdf(z: f64) -> f64 {
    todo!()
}

/// Upper tail 1 - Phi(z), accurate far into the upper tail.
pub fn normal_sf(z: f64) -> f64 {
    todo!()
}

/// Inverse of the standard normal CDF for p in (0, 1) (Acklam + one Halley step).
pub fn normal_quantile(p: f64) -> f64 {
    todo!()
}

/// A normal(mean, stddev) truncated to [min, max] exactly.
#[derive(Debug, Clone)]
pub struct TruncatedNormal {
    pub mean: f64,
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
}

impl TruncatedNormal {
    /// Requires stddev > 0 and min <= max (checked at build time by perfgen-codegen).
    pub fn new(mean: f64, stddev: f64, min: f64, max: f64) -> Self {
        todo!()
    }
    /// Probability mass of the untruncated normal inside [min, max].
    pub fn mass(&self) -> f64 {
        todo!()
    }
    /// One draw in [min, max]. Fast path: bounded rejection from the untruncated normal when
    /// the window holds most of the mass; otherwise (and after the bound) the inverse CDF.
    pub fn sample(&self, rng: &mut CellRng) -> f64 {
        todo!()
    }
    /// One draw from the same normal truncated to [max(min, lo), min(max, hi)] by inverse
    /// CDF; None when that window is empty.
    pub fn sample_within(&self, rng: &mut CellRng, lo: f64, hi: f64) -> Option<f64> {
        todo!()
    }
}

/// Zipf over ranks 0..n (rank 0 the most frequent) with exponent `alpha` >= 0, sampled in
/// O(1) by rejection-inversion (rand_distr's Zipf). alpha = 0 is uniform.
#[derive(Debug, Clone)]
pub struct Zipf {
    // implementation-defined
}

impl Zipf {
    /// n >= 1, alpha >= 0 (checked at build time).
    pub fn new(n: u64, alpha: f64) -> Self {
        todo!()
    }
    /// A rank in [0, n).
    pub fn sample(&self, rng: &mut CellRng) -> u64 {
        todo!()
    }
}

/// Walker/Vose alias table over weights: O(1) categorical draws.
#[derive(Debug, Clone)]
pub struct AliasTable {
    // implementation-defined
}

impl AliasTable {
    /// Weights need not sum to 1; all >= 0, at least one > 0 (checked at build time).
    pub fn new(weights: &[f64]) -> Self {
        todo!()
    }
    /// An index in [0, weights.len()).
    pub fn sample(&self, rng: &mut CellRng) -> usize {
        todo!()
    }
}

/// The `exponential` of `distribute_range`: density proportional to exp(rate * (x - start) /
/// (end - start)) on [start, end], so mass grows toward `end`. Draws by inverse CDF restricted
/// to [lo, hi] (a sub-window of [start, end], for rules); None when the window is empty.
/// Returns a value in [lo, hi] (reals; callers floor to whole seconds and clamp).
pub fn exponential_toward_end(
    rng: &mut CellRng,
    start: f64,
    end: f64,
    rate: f64,
    lo: f64,
    hi: f64,
) -> Option<f64> {
    todo!()
}

/// CDF of [`exponential_toward_end`] on [start, end] (for tests and for `perfgen verify`).
pub fn exponential_toward_end_cdf(x: f64, start: f64, end: f64, rate: f64) -> f64 {
    todo!()
}

/// A fixed pseudo-random bijection of [0, n) keyed by `key`: a Feistel network over the next
/// power of two with cycle walking. Maps zipf ranks to parent rows so hot parents are spread
/// over the table.
#[derive(Debug, Clone)]
pub struct Permutation {
    // implementation-defined
}

impl Permutation {
    pub fn new(n: u64, key: u64) -> Self {
        todo!()
    }
    /// The image of i (i < n).
    pub fn apply(&self, i: u64) -> u64 {
        todo!()
    }
}

/// Round `x` to `precision` decimals, then keep it inside [min, max] (rounding can step just
/// outside a bound that has more decimals than `precision`).
pub fn round_within(x: f64, precision: u32, min: f64, max: f64) -> f64 {
    todo!()
}
