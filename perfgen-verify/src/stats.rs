//! Textbook goodness-of-fit statistics for `perfgen verify`, written from the formulas:
//! Pearson's chi-square with its survival function (the regularized upper incomplete gamma
//! function), the Kolmogorov-Smirnov distance with the Kolmogorov distribution's asymptotic
//! p-value, and the normal CDF from `erfc` (the generalized harmonic numbers for zipf are
//! `perfgen_dataset::zipf`, which the README shares). Nothing here calls the generator's samplers, so a sampler bug cannot hide itself.
// `!(a < b)` on floats is deliberate: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::f64::consts::{PI, SQRT_2};

/// Standard normal CDF Φ(z), from `erfc` so the lower tail keeps full relative precision.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / SQRT_2)
}

/// Standard normal survival 1 − Φ(z), precise far into the upper tail.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / SQRT_2)
}

/// P(a ≤ Z ≤ b) for a standard normal Z, from whichever tail avoids cancellation.
pub fn normal_mass(a: f64, b: f64) -> f64 {
    if !(a < b) {
        return 0.0;
    }
    let m = if a >= 0.0 {
        normal_sf(a) - normal_sf(b)
    } else if b <= 0.0 {
        normal_cdf(b) - normal_cdf(a)
    } else {
        1.0 - normal_sf(b) - normal_cdf(a)
    };
    m.max(0.0)
}

/// ln Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Iterations allowed to the incomplete gamma series and continued fraction. Both need
/// O(√a) terms near x ≈ a; a chi-square with 10^7 degrees of freedom needs about 3·10^4.
const GAMMA_MAX_ITER: usize = 10_000_000;
const GAMMA_EPS: f64 = 1e-16;
const GAMMA_TINY: f64 = 1e-300;

/// e^{-x} x^a / Γ(a), the common factor of both incomplete gamma expansions.
fn gamma_prefactor(a: f64, x: f64) -> f64 {
    (-x + a * x.ln() - ln_gamma(a)).exp()
}

/// P(a, x) by its power series (converges quickly for x < a + 1).
fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut ap = a;
    let mut del = 1.0 / a;
    let mut sum = del;
    for _ in 0..GAMMA_MAX_ITER {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if del.abs() < sum.abs() * GAMMA_EPS {
            break;
        }
    }
    (sum * gamma_prefactor(a, x)).min(1.0)
}

/// Q(a, x) by its continued fraction, evaluated with the modified Lentz method (converges
/// quickly for x > a + 1).
fn gamma_q_fraction(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / GAMMA_TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..GAMMA_MAX_ITER {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < GAMMA_TINY {
            d = GAMMA_TINY;
        }
        c = b + an / c;
        if c.abs() < GAMMA_TINY {
            c = GAMMA_TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < GAMMA_EPS {
            break;
        }
    }
    (gamma_prefactor(a, x) * h).min(1.0)
}

/// The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), a > 0.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if !(x > 0.0) {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    if x < a + 1.0 {
        gamma_p_series(a, x)
    } else {
        1.0 - gamma_q_fraction(a, x)
    }
}

/// The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), a > 0; the
/// upper tail keeps its relative precision (no 1 − P cancellation there).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if !(x > 0.0) {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    if x < a + 1.0 {
        1.0 - gamma_p_series(a, x)
    } else {
        gamma_q_fraction(a, x)
    }
}

/// P(X ≥ x) for X ~ chi-square with `df` degrees of freedom: Q(df/2, x/2).
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() {
        return 0.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}

/// The Kolmogorov distribution's survival function Q_KS(λ) = P(K > λ)
/// = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²}; for small λ the equivalent theta-function form
/// 1 − (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)² π² / (8 λ²)}, which converges there.
pub fn kolmogorov_sf(lambda: f64) -> f64 {
    if !(lambda > 0.0) {
        return 1.0;
    }
    if lambda < 1.18 {
        let y = (-PI * PI / (8.0 * lambda * lambda)).exp();
        let mut s = 0.0;
        for j in 1..=8i32 {
            let k = (2 * j - 1) * (2 * j - 1);
            s += y.powi(k);
        }
        (1.0 - (2.0 * PI).sqrt() / lambda * s).clamp(0.0, 1.0)
    } else {
        let x = (-2.0 * lambda * lambda).exp();
        let mut s = 0.0;
        let mut sign = 1.0;
        for j in 1..=20i32 {
            s += sign * x.powi(j * j);
            sign = -sign;
        }
        (2.0 * s).clamp(0.0, 1.0)
    }
}

/// Asymptotic p-value of a one-sample Kolmogorov-Smirnov distance `d` over `n` values,
/// with Stephens' small-sample correction: Q_KS((√n + 0.12 + 0.11/√n) d).
pub fn ks_p_value(d: f64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let s = (n as f64).sqrt();
    kolmogorov_sf((s + 0.12 + 0.11 / s) * d)
}

/// Bins of the probability-integral-transform histogram behind [`KsAccumulator`]: the
/// distance is evaluated at the 2^16 + 1 grid points j / 2^16, which can miss at most 2^-16
/// of the true distance (far below the critical distance at 10^9 rows).
pub const KS_BINS: usize = 1 << 16;

/// A streaming Kolmogorov-Smirnov test of uniformity for probability-integral-transformed
/// values, in O(1) memory. Each value is known only to lie in a cell [u_lo, u_hi] (values are
/// rounded or floored after the continuous draw); the distance is evaluated so that it never
/// exceeds the distance of the unrounded values, so its p-value is conservative.
#[derive(Debug, Clone)]
pub struct KsAccumulator {
    /// Per grid point j: [counts by ceil(u_lo · B), counts by floor(u_hi · B)].
    /// #{u_lo ≤ j/B} is the prefix sum of the first through j; #{u_hi < j/B} that of the
    /// second below j. Side by side because a value's two indices are nearly always equal
    /// or adjacent: one cache line per value instead of two.
    bins: Vec<[u64; 2]>,
    /// Grid indices (u_lo's, u_hi's) of values not yet counted in `bins`. The bins (1 MiB)
    /// outgrow a core's L2 cache, so counting each value as it comes waits on a cache miss
    /// between the row's other work; counted [`PENDING`] at a time, in a loop of nothing
    /// else, the misses overlap (verify spent 14 % of its time in one such increment).
    pending: Vec<(u32, u32)>,
    n: u64,
}

/// Values whose grid indices are held before they are counted in the bins together.
const PENDING: usize = 1024;

/// Adds values held as (u_lo's, u_hi's) grid indices to `bins`.
fn count_cells(bins: &mut [[u64; 2]], cells: &[(u32, u32)]) {
    for &(lo, hi) in cells {
        bins[lo as usize][0] += 1;
        bins[hi as usize][1] += 1;
    }
}

impl Default for KsAccumulator {
    fn default() -> Self {
        Self::new()
    }
}

impl KsAccumulator {
    pub fn new() -> Self {
        KsAccumulator {
            bins: vec![[0; 2]; KS_BINS + 1],
            pending: Vec::with_capacity(PENDING),
            n: 0,
        }
    }

    /// One value whose transform lies in [u_lo, u_hi] (0 ≤ u_lo ≤ u_hi ≤ 1).
    #[inline]
    pub fn add(&mut self, u_lo: f64, u_hi: f64) {
        let b = KS_BINS as f64;
        let lo = ((u_lo.clamp(0.0, 1.0) * b).ceil() as usize).min(KS_BINS);
        let hi = ((u_hi.clamp(0.0, 1.0) * b).floor() as usize).min(KS_BINS);
        self.pending.push((lo as u32, hi as u32));
        if self.pending.len() == PENDING {
            self.count_pending();
        }
        self.n += 1;
    }

    /// Counts the held values in the bins.
    fn count_pending(&mut self) {
        count_cells(&mut self.bins, &self.pending);
        self.pending.clear();
    }

    /// Adds the values another accumulator took (a worker's share of the rows).
    pub fn merge(&mut self, other: &KsAccumulator) {
        self.count_pending();
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            a[0] += b[0];
            a[1] += b[1];
        }
        count_cells(&mut self.bins, &other.pending);
        self.n += other.n;
    }

    /// Values added.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The distance: max over grid points q of (#{certainly ≤ q}/n − q) and
    /// (q − #{possibly ≤ q}/n). Both are lower bounds of the unrounded sample's distance.
    pub fn statistic(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        if !self.pending.is_empty() {
            // Once per test, at the end of a pass that was never merged.
            let mut counted = self.clone();
            counted.count_pending();
            return counted.statistic();
        }
        let n = self.n as f64;
        let b = KS_BINS as f64;
        let (mut certain, mut possible) = (0u64, 0u64);
        let mut d: f64 = 0.0;
        for j in 0..=KS_BINS {
            // certain = #{u_hi < j/B}; possible = #{u_lo <= j/B}.
            if j > 0 {
                certain += self.bins[j - 1][1];
            }
            possible += self.bins[j][0];
            let q = j as f64 / b;
            d = d.max(certain as f64 / n - q).max(q - possible as f64 / n);
        }
        d
    }

    /// (distance, p-value).
    pub fn result(&self) -> (f64, f64) {
        let d = self.statistic();
        (d, ks_p_value(d, self.n))
    }
}

/// Outcome of a chi-square goodness-of-fit test.
#[derive(Debug, Clone, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    /// Degrees of freedom: cells after merging, minus one.
    pub df: u64,
    pub p_value: f64,
    /// Observations tested.
    pub n: u64,
}

/// Pearson's chi-square of `observed` against probabilities `probs` (same order; they are
/// normalized here). Adjacent cells are merged, in the given order, until each expects at
/// least `min_expected` observations (a short last group joins the one before it), which
/// keeps the chi-square approximation good far into the tail the thresholds use. None when
/// fewer than two cells remain.
pub fn chi_square_gof(observed: &[u64], probs: &[f64], min_expected: f64) -> Option<ChiSquare> {
    assert_eq!(observed.len(), probs.len(), "one probability per cell");
    let n: u64 = observed.iter().sum();
    let total_p: f64 = probs.iter().sum();
    if n == 0 || !(total_p > 0.0) {
        return None;
    }
    let nf = n as f64;
    let mut groups: Vec<(f64, u64)> = Vec::new();
    let (mut e, mut o) = (0.0, 0u64);
    for (&p, &c) in probs.iter().zip(observed) {
        e += nf * p / total_p;
        o += c;
        if e >= min_expected {
            groups.push((e, o));
            e = 0.0;
            o = 0;
        }
    }
    if e > 0.0 || o > 0 {
        match groups.last_mut() {
            Some(last) => {
                last.0 += e;
                last.1 += o;
            }
            None => groups.push((e, o)),
        }
    }
    if groups.len() < 2 {
        return None;
    }
    let statistic: f64 = groups
        .iter()
        .map(|&(e, o)| {
            let d = o as f64 - e;
            if e > 0.0 {
                d * d / e
            } else if o > 0 {
                f64::INFINITY
            } else {
                0.0
            }
        })
        .sum();
    let df = groups.len() as u64 - 1;
    Some(ChiSquare {
        statistic,
        df,
        p_value: chi_square_sf(statistic, df as f64),
        n,
    })
}
