//! Normal laws: the CDF and its inverse, a normal truncated to a window, and its rounding
//! to whole numbers drawn from a table.

use super::alias::AliasTable;
use super::round::clamp_into;
use crate::rng::CellRng;
use rand::Rng;
use rand_distr::StandardNormal;

// 1/sqrt(2) as an unevaluated sum hi + lo, and hi split into 26-bit halves (Veltkamp) for an
// exact product without FMA (mul_add is a slow libcall on targets without hardware FMA).
const FRAC_1_SQRT_2_HI: f64 = std::f64::consts::FRAC_1_SQRT_2;
const FRAC_1_SQRT_2_LO: f64 = -4.833646656726457e-17;
const SPLITTER: f64 = 134_217_729.0; // 2^27 + 1

#[inline(always)]
fn split(a: f64) -> (f64, f64) {
    let c = SPLITTER * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

/// erfc(z / sqrt 2) for any z, keeping full relative accuracy in the upper tail.
#[inline]
fn erfc_over_sqrt2(z: f64) -> f64 {
    let t = z * FRAC_1_SQRT_2_HI;
    if !(z > 1.5 && z < 40.0) {
        // Below 1.5 the result is >= 0.13 and the argument's rounding error is harmless;
        // above 40 it underflows to 0 anyway.
        return libm::erfc(t);
    }
    // d(ln erfc x)/dx ~ -2x, so the 2^-53 rounding of z/sqrt2 alone would cost z^2 * 2^-53
    // relative (1.5e-13 at z = 37). Recover the exact argument t + dt and correct to first
    // order.
    let (zh, zl) = split(z);
    let (ch, cl) = split(FRAC_1_SQRT_2_HI);
    let err = ((zh * ch - t) + zh * cl + zl * ch) + zl * cl;
    let dt = err + z * FRAC_1_SQRT_2_LO;
    libm::erfc(t) * (1.0 - 2.0 * t * dt)
}

/// Standard normal CDF, accurate to ~1e-15 relative in both tails (via erfc).
#[inline]
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc_over_sqrt2(-z)
}

/// Upper tail 1 - Phi(z), accurate far into the upper tail.
#[inline]
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc_over_sqrt2(z)
}

pub(super) const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

// Acklam's rational approximation (relative error < 1.15e-9 before refinement).
const ACK_A: [f64; 6] = [
    -3.969683028665376e+01,
    2.209460984245205e+02,
    -2.759285104469687e+02,
    1.38357751867269e+02,
    -3.066479806614716e+01,
    2.506628277459239e+00,
];
const ACK_B: [f64; 5] = [
    -5.447609879822406e+01,
    1.615858368580409e+02,
    -1.556989798598866e+02,
    6.680131188771972e+01,
    -1.328068155288572e+01,
];
const ACK_C: [f64; 6] = [
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e+00,
    -2.549732539343734e+00,
    4.374664141464968e+00,
    2.938163982698783e+00,
];
const ACK_D: [f64; 4] = [
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e+00,
    3.754408661907416e+00,
];
const ACK_P_LOW: f64 = 0.02425;

/// Acklam's lower-tail branch for q = sqrt(-2 ln p).
#[inline(always)]
fn acklam_tail(q: f64) -> f64 {
    let c = &ACK_C;
    let d = &ACK_D;
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
}

/// Inverse of the standard normal CDF for p in (0, 1) (Acklam + one Halley step).
pub fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0) {
        return if p == 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        };
    }
    if !(p < 1.0) {
        return if p == 1.0 { f64::INFINITY } else { f64::NAN };
    }
    let x = if p < ACK_P_LOW {
        acklam_tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - ACK_P_LOW {
        let (a, b) = (&ACK_A, &ACK_B);
        let q = p - 0.5;
        let r = q * q;
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    } else {
        -acklam_tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    // Residual Phi(x) - p. Above 1/2 it is taken as (1 - p) - sf(x): 1 - p is exact there
    // (Sterbenz) and sf keeps its relative accuracy, where Phi(x) near 1 would not.
    let e = if p <= 0.5 {
        normal_cdf(x) - p
    } else {
        (1.0 - p) - normal_sf(x)
    };
    let u = e * SQRT_2PI * (0.5 * x * x).exp();
    if !u.is_finite() {
        // |x| > ~37.6: exp overflows; p is subnormal and Acklam is as good as the input.
        return x;
    }
    x - u / (1.0 + 0.5 * x * u)
}

/// Probability of a standard normal in [a, b], from whichever tail keeps precision.
#[inline]
pub(super) fn std_mass(a: f64, b: f64) -> f64 {
    if a + b > 0.0 {
        normal_sf(a) - normal_sf(b)
    } else {
        normal_cdf(b) - normal_cdf(a)
    }
}

// Past this many sd Phi nears the subnormal range; the tail is drawn as an exponential.
const FAR_TAIL: f64 = 37.0;

/// Inverse CDF of a standard normal truncated to [a, b] (a <= b, not mostly above 0) at u.
#[inline]
fn lower_window_inv(a: f64, b: f64, u: f64) -> f64 {
    if b < -FAR_TAIL {
        // Density exp(-z^2/2) ~ exp(t (z - b)) * exp(-(z - b)^2 / 2) with t = -b > 37; the
        // dropped quadratic factor is within 1e-3 of 1 over the bulk (z - b ~ 1/t).
        let t = -b;
        let w = b - a;
        let d = -libm::log1p((1.0 - u) * libm::expm1(-t * w)) / t;
        return b - d;
    }
    let pa = normal_cdf(a);
    let pb = normal_cdf(b);
    normal_quantile(pa + u * (pb - pa))
}

/// Inverse CDF of a standard normal truncated to [a, b]; increasing in u.
#[inline]
fn std_truncated_inv(a: f64, b: f64, u: f64) -> f64 {
    if a + b > 0.0 {
        // Mirror a window above the mean into the lower tail, where Phi is accurate: in
        // [8, 9] Phi is 1 - 6e-16 and would leave no room to interpolate.
        -lower_window_inv(-b, -a, 1.0 - u)
    } else {
        lower_window_inv(a, b, u)
    }
}

/// A normal(mean, stddev) truncated to [min, max] exactly.
#[derive(Debug, Clone)]
pub struct TruncatedNormal {
    pub mean: f64,
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
}

// Rejection from the untruncated normal pays only when it is likely to land in the window.
const REJECTION_MIN_MASS: f64 = 0.3;
const REJECTION_TRIES: u32 = 16;

impl TruncatedNormal {
    /// Requires stddev > 0 and min <= max (checked at build time by perfgen-codegen).
    pub fn new(mean: f64, stddev: f64, min: f64, max: f64) -> Self {
        debug_assert!(stddev > 0.0, "TruncatedNormal: stddev {stddev} <= 0");
        debug_assert!(min <= max, "TruncatedNormal: min {min} > max {max}");
        TruncatedNormal {
            mean,
            stddev,
            min,
            max,
        }
    }
    /// Probability mass of the untruncated normal inside [min, max].
    pub fn mass(&self) -> f64 {
        std_mass(
            (self.min - self.mean) / self.stddev,
            (self.max - self.mean) / self.stddev,
        )
    }
    /// One draw in [min, max]. Fast path: bounded rejection from the untruncated normal when
    /// the window holds most of the mass; otherwise (and after the bound) the inverse CDF.
    #[inline]
    pub fn sample(&self, rng: &mut CellRng) -> f64 {
        let a = (self.min - self.mean) / self.stddev;
        let b = (self.max - self.mean) / self.stddev;
        // A window covering [-0.5, 0.5] sd holds >= 38% of the mass: skip the two erfc calls.
        if (a <= -0.5 && b >= 0.5) || std_mass(a, b) >= REJECTION_MIN_MASS {
            for _ in 0..REJECTION_TRIES {
                let z: f64 = rng.sample(StandardNormal);
                let x = self.mean + self.stddev * z;
                if x >= self.min && x <= self.max {
                    return x;
                }
            }
        }
        self.inv_window(a, b, self.min, self.max, rng.next_f64_open())
    }
    /// One draw from the same normal truncated to [max(min, lo), min(max, hi)] by inverse
    /// CDF; None when that window is empty.
    #[inline]
    pub fn sample_within(&self, rng: &mut CellRng, lo: f64, hi: f64) -> Option<f64> {
        let lo = if lo > self.min { lo } else { self.min };
        let hi = if hi < self.max { hi } else { self.max };
        if !(lo <= hi) {
            return None;
        }
        let a = (lo - self.mean) / self.stddev;
        let b = (hi - self.mean) / self.stddev;
        Some(self.inv_window(a, b, lo, hi, rng.next_f64_open()))
    }

    #[inline]
    fn inv_window(&self, a: f64, b: f64, lo: f64, hi: f64, u: f64) -> f64 {
        let x = self.mean + self.stddev * std_truncated_inv(a, b, u);
        // Rounding in mean + sd * z can step a hair outside; the window is a hard promise.
        clamp_into(x, lo, hi)
    }
}

/// `round(x)` for x from [`TruncatedNormal`] (an integer normal field without rule bounds),
/// drawn from an alias table of exactly that law's probabilities when the range holds at
/// most [`INTEGER_TABLE_MAX`] whole numbers: one u64 and one lookup, where the draw and
/// round cost a ziggurat step, a window check and a rounding. The probability of k is the
/// normal's mass on the part of [k - 1/2, k + 1/2] inside [min, max].
#[derive(Debug, Clone)]
pub struct IntegerNormal {
    first: i64,
    pub(super) table: Option<AliasTable>,
    normal: TruncatedNormal,
}

/// Widest integer range [`IntegerNormal`] tabulates (16 bytes a value, 64 KiB at most).
pub const INTEGER_TABLE_MAX: i64 = 4096;

impl IntegerNormal {
    /// Requires stddev > 0 and min <= max (checked at build time by perfgen-codegen).
    pub fn new(mean: f64, stddev: f64, min: f64, max: f64) -> Self {
        let normal = TruncatedNormal::new(mean, stddev, min, max);
        let (first, last) = (crate::float::round(min), crate::float::round(max));
        let table = if last - first < INTEGER_TABLE_MAX as f64 {
            let z = |x: f64| (x - mean) / stddev;
            let weights: Vec<f64> = (first as i64..=last as i64)
                .map(|k| {
                    let a = (k as f64 - 0.5).max(min);
                    let b = (k as f64 + 0.5).min(max);
                    if a < b {
                        std_mass(z(a), z(b)).max(0.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            // A window so far in a tail that every mass underflows keeps the sampler.
            let total: f64 = weights.iter().sum();
            (total > 0.0 && total.is_finite()).then(|| AliasTable::new(&weights))
        } else {
            None
        };
        IntegerNormal {
            first: first as i64,
            table,
            normal,
        }
    }

    /// A whole number in [round(min), round(max)].
    #[inline]
    pub fn sample(&self, rng: &mut CellRng) -> i64 {
        match &self.table {
            Some(t) => self.first + t.sample(rng) as i64,
            None => crate::float::round(self.normal.sample(rng)) as i64,
        }
    }
}
