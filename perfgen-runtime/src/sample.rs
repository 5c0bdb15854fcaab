//! Samplers. All O(1) per draw; all take a [`CellRng`] so draws are counter-based.

// `!(x >= lo)` and friends are deliberate throughout: they are true for NaN, which must take
// the safe branch.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

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

const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

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
fn std_mass(a: f64, b: f64) -> f64 {
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

/// `x` forced into [lo, hi] (lo <= hi); NaN maps to lo.
#[inline(always)]
fn clamp_into(x: f64, lo: f64, hi: f64) -> f64 {
    if !(x >= lo) {
        lo
    } else if !(x <= hi) {
        hi
    } else {
        x
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
    table: Option<AliasTable>,
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

/// Zipf over ranks 0..n (rank 0 the most frequent) with exponent `alpha` >= 0, exact and
/// O(1) per draw for any n. alpha = 0 is uniform.
///
/// The first [`ZIPF_HEAD`] ranks, and one extra slot standing for all the others, form an
/// alias table of their exact probabilities (the tail's mass by Euler-Maclaurin, exact to
/// double precision). A draw landing in the tail slot continues by rejection-inversion
/// (Hörmann and Derflinger 1996) restricted to the tail ranks. With alpha = 1.2 over 10^7
/// parents 86% of draws are one table lookup, where rejection-inversion alone costs five
/// transcendental functions per draw (that was 40% of the orders table's time).
///
/// The math is the `libm` crate's, not the platform's: the same seed gives the same ranks on
/// every machine and C library.
#[derive(Debug, Clone)]
pub struct Zipf {
    n: u64,
    kind: ZipfKind,
}

/// Ranks drawn from the alias table: 4096 slots of 16 bytes stay in L2.
pub const ZIPF_HEAD: u64 = 4096;

#[derive(Debug, Clone)]
enum ZipfKind {
    /// n == 1.
    One,
    /// alpha == 0.
    Uniform,
    /// n <= ZIPF_HEAD: every rank in the table.
    Table(AliasTable),
    /// The table's last slot is the tail, ranks ZIPF_HEAD..n.
    HeadAndTail {
        head: AliasTable,
        tail: RejectionInversion,
    },
}

impl Zipf {
    /// n >= 1, alpha >= 0 (checked at build time).
    pub fn new(n: u64, alpha: f64) -> Self {
        assert!(n >= 1, "Zipf over 0 items");
        assert!(
            alpha >= 0.0 && alpha.is_finite(),
            "Zipf alpha {alpha} must be >= 0"
        );
        let head_weights =
            |ranks: u64| -> Vec<f64> { (1..=ranks).map(|k| libm::pow(k as f64, -alpha)).collect() };
        let kind = if n == 1 {
            ZipfKind::One
        } else if alpha == 0.0 {
            ZipfKind::Uniform
        } else if n <= ZIPF_HEAD {
            ZipfKind::Table(AliasTable::new(&head_weights(n)))
        } else {
            let mut weights = head_weights(ZIPF_HEAD);
            weights.push(zipf_mass(ZIPF_HEAD + 1, n, alpha));
            ZipfKind::HeadAndTail {
                head: AliasTable::new(&weights),
                tail: RejectionInversion::new(ZIPF_HEAD + 1, n, alpha),
            }
        };
        Zipf { n, kind }
    }
    /// A rank in [0, n).
    #[inline]
    pub fn sample(&self, rng: &mut CellRng) -> u64 {
        match &self.kind {
            ZipfKind::One => 0,
            ZipfKind::Uniform => rng.below(self.n),
            ZipfKind::Table(table) => table.sample(rng) as u64,
            ZipfKind::HeadAndTail { head, tail } => {
                let slot = head.sample(rng) as u64;
                if slot < ZIPF_HEAD {
                    slot
                } else {
                    tail.sample(rng) - 1
                }
            }
        }
    }
}

/// sum_{k=a}^{b} k^-s for 1 <= a <= b, s > 0: direct for short ranges, else Euler-Maclaurin
/// to the third derivative (for a > 1000 the next term is below 1e-20 of the sum).
pub fn zipf_mass(a: u64, b: u64, s: f64) -> f64 {
    if b - a < 10_000 {
        return (a..=b).map(|k| libm::pow(k as f64, -s)).sum();
    }
    // Exact for the first 1000 terms, so the series starts where it converges fast.
    let direct_to = a + 1000;
    let head: f64 = (a..direct_to).map(|k| libm::pow(k as f64, -s)).sum();
    let (x, y) = (direct_to as f64, b as f64);
    let f = |t: f64| libm::pow(t, -s);
    let d1 = |t: f64| -s * libm::pow(t, -s - 1.0);
    let d3 = |t: f64| -s * (s + 1.0) * (s + 2.0) * libm::pow(t, -s - 3.0);
    // integral_x^y t^-s dt = x^(1-s) (e^((1-s) L) - 1) / (1-s), L = ln(y/x): stable at s = 1.
    let l = libm::log(y / x);
    let integral = libm::pow(x, 1.0 - s) * expm1_over_x((1.0 - s) * l) * l;
    head + integral + (f(x) + f(y)) / 2.0 + (d1(y) - d1(x)) / 12.0 - (d3(y) - d3(x)) / 720.0
}

/// (e^t - 1) / t, 1 at t = 0.
#[inline]
fn expm1_over_x(t: f64) -> f64 {
    if t.abs() > 1e-8 {
        libm::expm1(t) / t
    } else {
        1.0 + t * (0.5 + t / 6.0)
    }
}

/// ln(1 + t) / t, 1 at t = 0.
#[inline]
fn log1p_over_x(t: f64) -> f64 {
    if t.abs() > 1e-8 {
        libm::log1p(t) / t
    } else {
        1.0 - t * (0.5 - t / 3.0)
    }
}

/// Rejection-inversion over the integers [lo, hi] with weights k^-s (s > 0): invert the
/// integral H of the continuous density x^-s, round, and accept k when the uniform lies in
/// the part of k's cell of length exactly k^-s. Acceptance is above 99% away from k = 1.
#[derive(Debug, Clone)]
struct RejectionInversion {
    s: f64,
    lo: u64,
    hi: u64,
    /// H(lo + 1/2) - lo^-s: the bottom of the range the uniform is drawn from.
    h_bottom: f64,
    /// H(hi + 1/2): its top.
    h_top: f64,
}

impl RejectionInversion {
    fn new(lo: u64, hi: u64, s: f64) -> Self {
        let mut r = RejectionInversion {
            s,
            lo,
            hi,
            h_bottom: 0.0,
            h_top: 0.0,
        };
        r.h_bottom = r.h_integral(lo as f64 + 0.5) - r.h(lo as f64);
        r.h_top = r.h_integral(hi as f64 + 0.5);
        r
    }

    /// x^-s.
    #[inline]
    fn h(&self, x: f64) -> f64 {
        libm::exp(-self.s * libm::log(x))
    }

    /// H(x) = (x^(1-s) - 1) / (1-s) (ln x at s = 1): an antiderivative of x^-s.
    #[inline]
    fn h_integral(&self, x: f64) -> f64 {
        let l = libm::log(x);
        expm1_over_x((1.0 - self.s) * l) * l
    }

    /// The inverse of [`Self::h_integral`].
    #[inline]
    fn h_integral_inverse(&self, y: f64) -> f64 {
        // Rounding can push t just below -1, where log1p is undefined.
        let t = (y * (1.0 - self.s)).max(-1.0);
        libm::exp(log1p_over_x(t) * y)
    }

    /// A value in [lo, hi].
    fn sample(&self, rng: &mut CellRng) -> u64 {
        loop {
            // In (h_bottom, h_top]: u = h_top when the fraction is 0.
            let u = self.h_top + rng.next_f64() * (self.h_bottom - self.h_top);
            let x = self.h_integral_inverse(u);
            let k = (crate::float::floor(x + 0.5) as u64).clamp(self.lo, self.hi);
            let kf = k as f64;
            if u >= self.h_integral(kf + 0.5) - self.h(kf) {
                return k;
            }
        }
    }
}

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

/// `start + (end - start) * row / n` (n >= 1), the time a `linear` range gives row `row` of
/// `n`, exact (the product is 128-bit). When it fits 64 bits (spans under 136 years of
/// seconds times 2^32 rows) the division is a machine instruction rather than a call to
/// the 128-bit division routine, which was 2.5% of a users row.
#[inline]
pub fn linear_spread(start: i64, end: i64, row: u64, n: u64) -> i64 {
    if end >= start {
        let span = (end as i128 - start as i128) as u128;
        if let Some(p) = u64::try_from(span).ok().and_then(|s| s.checked_mul(row)) {
            return (start as i128 + (p / n) as i128) as i64;
        }
    }
    (start as i128 + (end as i128 - start as i128) * row as i128 / n as i128) as i64
}

/// The `exponential` of `distribute_range`: density proportional to exp(rate * (x - start) /
/// (end - start)) on [start, end], so mass grows toward `end`. Draws from the law restricted
/// to [lo, hi] (a sub-window of [start, end], for rules); None when the window is empty.
/// Returns a value in [lo, hi] (reals; callers floor to whole seconds and clamp).
#[inline]
pub fn exponential_toward_end(
    rng: &mut CellRng,
    start: f64,
    end: f64,
    rate: f64,
    lo: f64,
    hi: f64,
) -> Option<f64> {
    let lo = if lo > start { lo } else { start };
    let hi = if hi < end { hi } else { end };
    if !(lo <= hi) {
        return None;
    }
    let u = rng.next_f64_open();
    let width = hi - lo;
    let span = end - start;
    // Decay per unit of x, measured away from the heavy end of the window.
    let k = (rate / span).abs();
    if !(k * width > 1e-12) {
        // Flat to within 1e-12 relative (also rate 0 and end == start).
        return Some(clamp_into(lo + u * width, lo, hi));
    }
    // Distance d from the heavy end, density ~ exp(-k d) on [0, width]. The exponential is
    // memoryless, so an untruncated Exp(k) draw taken modulo the width has exactly that
    // density: one log per draw where the truncated inverse CDF needs an expm1 and a log1p
    // (those two were a quarter of the orders table's time). What is lost is rounding of
    // the order of ulp(e) <= 2^-52 * 37 / k, far below a second unless the law is flat to
    // 1e-12, which is drawn uniformly above.
    let e = -libm::log(u) / k;
    // `e % width` is a call to a software fmod; a quotient and a product are enough here:
    // the result is clamped into the window and floored to whole seconds.
    let d = if e < width {
        e
    } else {
        (e - crate::float::floor(e / width) * width).clamp(0.0, width)
    };
    let x = if rate > 0.0 { hi - d } else { lo + d };
    Some(clamp_into(x, lo, hi))
}

/// CDF of [`exponential_toward_end`] on [start, end] (for tests and for `perfgen verify`).
pub fn exponential_toward_end_cdf(x: f64, start: f64, end: f64, rate: f64) -> f64 {
    if !(x < end) {
        return 1.0;
    }
    if !(x > start) {
        return 0.0;
    }
    let t = (x - start) / (end - start);
    if rate.abs() < 1e-12 {
        return t;
    }
    if rate > 0.0 {
        // (e^{rt} - 1) / (e^r - 1) rescaled by e^{-r} to stay finite for steep rates.
        (-rate * (1.0 - t)).exp() * libm::expm1(-rate * t) / libm::expm1(-rate)
    } else {
        libm::expm1(rate * t) / libm::expm1(rate)
    }
}

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

/// Decimal scales exactly representable in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Round `x` to `precision` decimals, then keep it inside [min, max] (rounding can step just
/// outside a bound that has more decimals than `precision`).
#[inline]
pub fn round_within(x: f64, precision: u32, min: f64, max: f64) -> f64 {
    let Some(&s) = POW10.get(precision as usize) else {
        // Finer than f64 can express a decimal step: rounding is the identity.
        return clamp_into(x, min, max);
    };
    let scaled = x * s;
    if !(scaled.abs() < 4_503_599_627_370_496.0) {
        // >= 2^52 (or NaN): already whole at this scale.
        return clamp_into(x, min, max);
    }
    let mut r = crate::float::round(scaled) / s;
    // Step inward to the nearest value with `precision` decimals that is inside the window.
    if r < min {
        r = crate::float::ceil(min * s) / s;
    }
    if r > max {
        r = crate::float::floor(max * s) / s;
    }
    // No `precision`-decimal value in [min, max] at all (or a float hair outside): the
    // window wins over the decimals.
    clamp_into(r, min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(z: f64) -> f64 {
        (-0.5 * z * z).exp() / SQRT_2PI
    }

    fn rng(k: u64) -> CellRng {
        CellRng::new(0xfeed, 1, 2, k)
    }

    fn rel_err(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    /// The chi-square quantile at p = 1e-6 (z = 4.75) for `df` degrees of freedom, by
    /// Wilson-Hilferty: a statistic above it fails a correct sampler once in a million runs.
    fn chi2_limit(df: usize) -> f64 {
        let v = 2.0 / (9.0 * df as f64);
        df as f64 * (1.0 - v + 4.75 * v.sqrt()).powi(3)
    }

    #[test]
    fn normal_cdf_and_sf_against_high_precision_values() {
        // Reference values from mpmath at 50 digits.
        let cases = [
            (-37.0, 5.725571222524577e-300),
            (-30.0, 4.906713927148187e-198),
            (-20.0, 2.7536241186062337e-89),
            (-10.0, 7.619853024160525e-24),
            (-5.0, 2.866515718791939e-07),
            (-1.0, 0.15865525393145705),
            (0.0, 0.5),
            (1.0, 0.8413447460685429),
            (3.0, 0.9986501019683699),
        ];
        for (z, p) in cases {
            assert!(
                rel_err(normal_cdf(z), p) < 2e-15,
                "cdf({z}) = {}",
                normal_cdf(z)
            );
            assert!(rel_err(normal_sf(-z), p) < 2e-15, "sf({})", -z);
        }
        assert!(rel_err(normal_sf(8.0), 6.220960574271784e-16) < 2e-15);
        assert!(rel_err(normal_sf(3.0), 0.0013498980316300946) < 2e-15);
        assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(normal_sf(f64::INFINITY), 0.0);
        assert_eq!(normal_cdf(-40.0), 0.0);
        // Monotone through the corrected range boundary.
        let mut prev = 0.0;
        for i in 0..4000 {
            let z = -40.0 + i as f64 * 0.02;
            let p = normal_cdf(z);
            assert!(p >= prev, "cdf not monotone at {z}");
            prev = p;
        }
    }

    #[test]
    fn normal_quantile_known_values() {
        let cases = [
            (0.975, 1.9599639845400543),
            (1e-10, -6.361340902404057),
            (1e-20, -9.262340089798407),
            (1e-100, -21.273453560965326),
            (1e-300, -37.0470962993612),
            (0.02425, -1.972961051311885),
            (0.3, -0.5244005127080408),
            (0.9999, 3.7190164854556804),
        ];
        for (p, z) in cases {
            let q = normal_quantile(p);
            assert!(
                (q - z).abs() < 1e-14 * z.abs().max(1.0),
                "q({p}) = {q}, want {z}"
            );
        }
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(-0.1).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
        // Subnormal p still gives a finite value in the right place.
        let q = normal_quantile(5e-324);
        assert!(q.is_finite() && (-38.6..-38.3).contains(&q), "{q}");
    }

    #[test]
    fn normal_quantile_inverts_cdf() {
        let mut z = -37.0;
        while z <= 8.0 {
            let p = normal_cdf(z);
            let q = normal_quantile(p);
            // p itself carries ~2 ulp of error (representation + erfc), which the quantile
            // amplifies by 1/pdf(z): near z = 8 that alone is ~0.02.
            let tol = 1e-14 * z.abs().max(1.0) + 2.0 * f64::EPSILON * p / pdf(z);
            assert!(
                (q - z).abs() <= tol,
                "z {z}: quantile(cdf) = {q}, tol {tol}"
            );
            z += 0.0137;
        }
        // Symmetry on exactly representable p.
        for k in 1..1024 {
            let p = k as f64 / 1024.0;
            let (a, b) = (normal_quantile(p), normal_quantile(1.0 - p));
            assert!((a + b).abs() < 1e-14 * a.abs().max(1.0), "p {p}: {a} {b}");
        }
    }

    /// Analytic mean and variance of normal(mu, sd) truncated to [lo, hi].
    fn truncated_moments(mu: f64, sd: f64, lo: f64, hi: f64) -> (f64, f64) {
        let a = (lo - mu) / sd;
        let b = (hi - mu) / sd;
        let z = std_mass(a, b);
        let (pa, pb) = (pdf(a), pdf(b));
        let apa = if a.is_finite() { a * pa } else { 0.0 };
        let bpb = if b.is_finite() { b * pb } else { 0.0 };
        let m = (pa - pb) / z;
        let var = 1.0 + (apa - bpb) / z - m * m;
        (mu + sd * m, sd * sd * var)
    }

    fn check_truncated(t: &TruncatedNormal, draws: usize, seed: u64) {
        let mut r = rng(seed);
        let (em, ev) = truncated_moments(t.mean, t.stddev, t.min, t.max);
        let xs: Vec<f64> = (0..draws).map(|_| t.sample(&mut r)).collect();
        for &x in &xs {
            assert!(x >= t.min && x <= t.max, "{x} outside {t:?}");
        }
        let n = draws as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let (mut m2, mut m4) = (0.0, 0.0);
        for &x in &xs {
            let d2 = (x - mean) * (x - mean);
            m2 += d2;
            m4 += d2 * d2;
        }
        let (var, m4) = (m2 / n, m4 / n);
        // 5 standard errors each; the variance's from the sample fourth moment, since one-
        // sided far-tail truncations are nearly exponential (kurtosis up to 9).
        let se_mean = (ev / n).sqrt();
        let se_var = ((m4 - var * var) / n).sqrt();
        assert!(
            (mean - em).abs() < 5.0 * se_mean,
            "{t:?}: mean {mean}, want {em}, se {se_mean}"
        );
        assert!(
            (var - ev).abs() < 5.0 * se_var,
            "{t:?}: var {var}, want {ev}, se {se_var}"
        );
    }

    #[test]
    fn truncated_normal_moments_match_analytic() {
        let cases = [
            // Rejection path (mass >= 0.3).
            TruncatedNormal::new(100.0, 15.0, 40.0, 160.0),
            TruncatedNormal::new(0.0, 1.0, -0.3, 2.0),
            TruncatedNormal::new(50.0, 20.0, 0.0, f64::INFINITY),
            // Inverse-CDF path, one side, both sides, far tails.
            TruncatedNormal::new(0.0, 1.0, 1.5, 4.0),
            TruncatedNormal::new(0.0, 1.0, -4.0, -1.5),
            TruncatedNormal::new(10.0, 2.0, 26.0, 28.0),
            TruncatedNormal::new(0.0, 1.0, -9.0, -8.0),
            TruncatedNormal::new(0.0, 1.0, 20.0, f64::INFINITY),
            TruncatedNormal::new(5.0, 1.0, 5.0, 5.1),
        ];
        for (i, t) in cases.iter().enumerate() {
            check_truncated(t, 20_000, i as u64);
        }
    }

    #[test]
    fn truncated_normal_stays_in_window() {
        let cases = [
            TruncatedNormal::new(0.0, 1.0, -1.0, 1.0),
            TruncatedNormal::new(0.0, 1.0, 8.0, 9.0),
            TruncatedNormal::new(0.0, 1.0, -9.0, -8.0),
            TruncatedNormal::new(3.0, 0.5, 3.0 + 0.5 * 38.0, 3.0 + 0.5 * 39.0),
            TruncatedNormal::new(0.0, 1.0, -60.0, -50.0),
            TruncatedNormal::new(0.0, 1.0, 1e-12, 2e-12),
            TruncatedNormal::new(1e6, 1.0, 1e6 + 8.0, 1e6 + 8.0 + 1e-9),
            TruncatedNormal::new(0.0, 1.0, 2.0, 2.0),
            TruncatedNormal::new(0.0, 1e-3, -1e9, 1e9),
            TruncatedNormal::new(0.0, 1.0, f64::NEG_INFINITY, -30.0),
        ];
        let mut r = rng(99);
        for t in &cases {
            let (mut lo_seen, mut hi_seen) = (f64::INFINITY, f64::NEG_INFINITY);
            for _ in 0..10_000 {
                let x = t.sample(&mut r);
                assert!(x >= t.min && x <= t.max, "{x} outside {t:?}");
                lo_seen = lo_seen.min(x);
                hi_seen = hi_seen.max(x);
            }
            // Not collapsed onto a bound (except the degenerate and the tiny windows).
            if t.max - t.min > 1e-6 * t.stddev && t.max.is_finite() && t.min.is_finite() {
                assert!(hi_seen > lo_seen, "{t:?} never varied");
            }
        }
        // The far-tail window [8, 9]: mass concentrates near 8 (mean 8 + ~1/8).
        let t = TruncatedNormal::new(0.0, 1.0, 8.0, 9.0);
        let mean: f64 = (0..20_000).map(|_| t.sample(&mut r)).sum::<f64>() / 20_000.0;
        let (em, _) = truncated_moments(0.0, 1.0, 8.0, 9.0);
        assert!((mean - em).abs() < 0.005, "{mean} vs {em}");
        // The exponential far tail is close to the truth too (mean gap ~ 1/38).
        let t = TruncatedNormal::new(0.0, 1.0, 38.0, 39.0);
        let mean: f64 = (0..20_000).map(|_| t.sample(&mut r)).sum::<f64>() / 20_000.0;
        assert!((mean - (38.0 + 1.0 / 38.0)).abs() < 0.002, "{mean}");
    }

    #[test]
    fn degenerate_windows_return_the_bound_exactly() {
        // mean + sd * z rarely reproduces a bound to the last bit; the clamp must.
        let mut r = rng(17);
        for i in 0..2000 {
            let v = 0.1 + i as f64 * 0.0173;
            for (mean, sd) in [(0.1, 0.3), (-7.3, 0.11), (1e6 / 3.0, 3.7)] {
                let t = TruncatedNormal::new(mean, sd, v, v);
                assert_eq!(t.sample(&mut r), v);
                let t = TruncatedNormal::new(mean, sd, v, v + 1e-13);
                let x = t.sample(&mut r);
                assert!(x >= v && x <= v + 1e-13, "{x} outside [{v}, {}]", v + 1e-13);
            }
        }
    }

    #[test]
    fn truncated_normal_many_draws_in_bounds() {
        let t = TruncatedNormal::new(25.0, 10.0, 0.0, 30.0);
        let mut r = rng(5);
        for _ in 0..100_000 {
            let x = t.sample(&mut r);
            assert!((0.0..=30.0).contains(&x));
        }
        let t = TruncatedNormal::new(0.0, 1.0, 6.0, 6.5);
        for _ in 0..100_000 {
            let x = t.sample(&mut r);
            assert!((6.0..=6.5).contains(&x));
        }
    }

    #[test]
    fn truncated_normal_is_deterministic() {
        let t = TruncatedNormal::new(0.0, 1.0, -2.0, 0.5);
        let a: Vec<f64> = (0..200).map(|i| t.sample(&mut rng(i))).collect();
        let b: Vec<f64> = (0..200).map(|i| t.sample(&mut rng(i))).collect();
        assert_eq!(a, b);
        assert!(a.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn truncated_normal_mass() {
        let t = TruncatedNormal::new(0.0, 1.0, -1.0, 1.0);
        assert!((t.mass() - 0.6826894921370859).abs() < 1e-15);
        let t = TruncatedNormal::new(2.0, 3.0, 2.0 + 3.0 * 8.0, f64::INFINITY);
        assert!(rel_err(t.mass(), 6.220960574271784e-16) < 1e-14);
        let t = TruncatedNormal::new(0.0, 1.0, f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(t.mass(), 1.0);
    }

    #[test]
    fn sample_within_intersects_and_respects_bounds() {
        let t = TruncatedNormal::new(100.0, 10.0, 50.0, 150.0);
        let mut r = rng(7);
        assert!(t.sample_within(&mut r, 151.0, 200.0).is_none());
        assert!(t.sample_within(&mut r, 0.0, 49.0).is_none());
        assert!(t.sample_within(&mut r, 120.0, 110.0).is_none());
        assert!(t.sample_within(&mut r, f64::NAN, 110.0).is_some()); // NaN bound ignored
        assert_eq!(t.sample_within(&mut r, 150.0, 300.0), Some(150.0));
        assert_eq!(t.sample_within(&mut r, -5.0, 50.0), Some(50.0));
        for (lo, hi) in [
            (0.0, 1000.0),
            (140.0, 1000.0),
            (149.999, 1000.0),
            (-1e9, 51.0),
            (99.0, 99.0 + 1e-9),
        ] {
            let wlo = f64::max(lo, 50.0);
            let whi = f64::min(hi, 150.0);
            for _ in 0..5000 {
                let x = t.sample_within(&mut r, lo, hi).unwrap();
                assert!(x >= wlo && x <= whi, "{x} outside [{wlo}, {whi}]");
            }
        }
        // Moments of a sub-window match the normal truncated to the intersection.
        let (em, ev) = truncated_moments(100.0, 10.0, 115.0, 150.0);
        let n = 20_000;
        let xs: Vec<f64> = (0..n)
            .map(|_| t.sample_within(&mut r, 115.0, 1e9).unwrap())
            .collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        assert!(
            (mean - em).abs() < 5.0 * (ev / n as f64).sqrt(),
            "{mean} vs {em}"
        );
    }

    /// H(n, s) = sum_{k=1}^n k^-s: exact up to 10^4 terms, Euler-Maclaurin beyond.
    fn harmonic(n: u64, s: f64) -> f64 {
        let m = n.min(10_000);
        let mut h: f64 = (1..=m).map(|k| (k as f64).powf(-s)).sum();
        if n > m {
            let (a, b) = (m as f64, n as f64);
            let integral = if (s - 1.0).abs() < 1e-12 {
                (b / a).ln()
            } else {
                (b.powf(1.0 - s) - a.powf(1.0 - s)) / (1.0 - s)
            };
            // sum_{k=m+1}^{n} f(k) = integral + (f(n) - f(m))/2 + (f'(n) - f'(m))/12
            h += integral + (b.powf(-s) - a.powf(-s)) / 2.0
                - s * (b.powf(-s - 1.0) - a.powf(-s - 1.0)) / 12.0;
        }
        h
    }

    #[test]
    fn harmonic_helper_is_right() {
        // Compare the Euler-Maclaurin tail against direct summation.
        for s in [0.5, 1.0, 1.3] {
            let direct: f64 = (1..=50_000u64).map(|k| (k as f64).powf(-s)).sum();
            assert!(rel_err(harmonic(50_000, s), direct) < 1e-12);
        }
    }

    #[test]
    fn zipf_rank_frequencies() {
        let draws = 40_000usize;
        for &n in &[1u64, 2, 100, 10_000_000] {
            for &alpha in &[0.0, 0.7, 1.0, 1.5] {
                let z = Zipf::new(n, alpha);
                let mut r = rng(n ^ alpha.to_bits());
                let (mut c0, mut c1) = (0usize, 0usize);
                for _ in 0..draws {
                    let k = z.sample(&mut r);
                    assert!(k < n, "rank {k} >= n {n}");
                    c0 += (k == 0) as usize;
                    c1 += (k == 1) as usize;
                }
                let h = harmonic(n, alpha);
                for (rank, count) in [(0u64, c0), (1, c1)] {
                    if rank >= n {
                        continue;
                    }
                    let p = ((rank + 1) as f64).powf(-alpha) / h;
                    let se = (p * (1.0 - p) / draws as f64).sqrt();
                    let f = count as f64 / draws as f64;
                    assert!(
                        (f - p).abs() <= 5.0 * se + 1e-9,
                        "n {n} alpha {alpha} rank {rank}: {f} vs {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn linear_spread_is_the_exact_128_bit_formula() {
        let exact = |s: i64, e: i64, r: u64, n: u64| {
            (s as i128 + (e as i128 - s as i128) * r as i128 / n as i128) as i64
        };
        let cases = [
            (1_640_995_200i64, 1_705_320_000i64, 0u64, 10_000_000u64),
            (1_640_995_200, 1_705_320_000, 9_999_999, 10_000_000),
            (0, i64::MAX, u64::MAX / 2, u64::MAX),
            (-5, 5, 3, 7),
            (5, -5, 3, 7),
            (i64::MIN / 2, i64::MAX / 2, 1 << 40, 1 << 41),
            (10, 10, 5, 9),
        ];
        for (s, e, r, n) in cases {
            assert_eq!(
                linear_spread(s, e, r, n),
                exact(s, e, r, n),
                "{s} {e} {r} {n}"
            );
        }
        let mut g = rng(77);
        for _ in 0..100_000 {
            let s = g.next_u64() as i64 >> (g.next_u64() % 64);
            let e = g.next_u64() as i64 >> (g.next_u64() % 64);
            let n = (g.next_u64() >> (g.next_u64() % 64)).max(1);
            let r = g.below(n);
            assert_eq!(
                linear_spread(s, e, r, n),
                exact(s, e, r, n),
                "{s} {e} {r} {n}"
            );
        }
    }

    #[test]
    fn integer_normal_is_the_rounded_truncated_normal() {
        // Chi-square of the table's draws against the rounded draws of TruncatedNormal, the
        // law it replaces, for a few shapes: centred, cut on one side, off-centre and narrow.
        for (mean, sd, min, max) in [
            (35.0, 12.0, 18.0, 80.0),
            (0.0, 1.0, -3.0, 3.0),
            (100.0, 40.0, 0.0, 120.0),
            (5.0, 0.3, 4.6, 5.4),
            (-20.0, 7.0, -50.0, -1.0),
        ] {
            let table = IntegerNormal::new(mean, sd, min, max);
            assert!(table.table.is_some());
            let plain = TruncatedNormal::new(mean, sd, min, max);
            let n = 200_000;
            let (first, last) = (min.round() as i64, max.round() as i64);
            let width = (last - first + 1) as usize;
            let (mut a, mut b) = (vec![0f64; width], vec![0f64; width]);
            let mut r = rng(mean.to_bits() ^ sd.to_bits());
            for _ in 0..n {
                let k = table.sample(&mut r);
                assert!((first..=last).contains(&k), "{k} outside [{first}, {last}]");
                a[(k - first) as usize] += 1.0;
                b[(plain.sample(&mut r).round() as i64 - first) as usize] += 1.0;
            }
            // Two-sample chi-square over the bins both samplers reach often enough.
            let (mut chi2, mut df) = (0.0, 0);
            for (x, y) in a.iter().zip(&b) {
                if x + y >= 20.0 {
                    chi2 += (x - y) * (x - y) / (x + y);
                    df += 1;
                }
            }
            assert!(
                chi2 < chi2_limit(df),
                "{mean} {sd} [{min}, {max}]: chi2 {chi2} over {df}"
            );
        }
        // Too wide for a table, or all mass underflowing: the plain sampler, rounded.
        assert!(IntegerNormal::new(0.0, 1e6, -1e7, 1e7).table.is_none());
        let far = IntegerNormal::new(0.0, 1.0, 100.0, 110.0);
        let mut r = rng(5);
        for _ in 0..100 {
            assert!((100..=110).contains(&far.sample(&mut r)));
        }
    }

    #[test]
    fn zipf_mass_matches_direct_summation() {
        for s in [0.3, 0.5, 1.0, 1.0 + 1e-10, 1.2, 2.0, 3.5] {
            for (a, b) in [
                (1u64, 1u64),
                (1, 20_000),
                (4097, 300_000),
                (50_000, 2_000_000),
            ] {
                let direct: f64 = (a..=b).rev().map(|k| (k as f64).powf(-s)).sum();
                let got = zipf_mass(a, b, s);
                assert!(
                    rel_err(got, direct) < 1e-12,
                    "s {s} [{a}, {b}]: {got} vs {direct}"
                );
            }
        }
    }

    /// Chi-square of binned zipf draws against the exact pmf: the head table, the seam at
    /// ZIPF_HEAD and the rejection-inversion tail all carry their exact share.
    #[test]
    fn zipf_matches_the_exact_pmf_across_head_and_tail() {
        let draws = 1_000_000u64;
        for &n in &[
            3u64,
            ZIPF_HEAD,
            ZIPF_HEAD + 1,
            5_000,
            10_000_000,
            5_000_000_000,
        ] {
            for &alpha in &[0.4, 1.0, 1.2, 2.0] {
                let z = Zipf::new(n, alpha);
                let mut edges: Vec<u64> = [
                    0,
                    1,
                    2,
                    3,
                    5,
                    10,
                    30,
                    100,
                    1000,
                    4095,
                    4096,
                    4097,
                    4200,
                    10_000,
                    100_000,
                    1_000_000,
                    100_000_000,
                ]
                .into_iter()
                .filter(|&e| e < n)
                .collect();
                edges.push(n);
                let mut counts = vec![0u64; edges.len() - 1];
                let mut r = rng(n ^ alpha.to_bits());
                for _ in 0..draws {
                    let k = z.sample(&mut r);
                    assert!(k < n);
                    counts[edges.partition_point(|&e| e <= k) - 1] += 1;
                }
                let total = zipf_mass(1, n, alpha);
                let mut chi2 = 0.0;
                let mut df = 0;
                for (i, &c) in counts.iter().enumerate() {
                    // Ranks [edges[i], edges[i+1]) are k = edges[i]+1 ..= edges[i+1].
                    let p = zipf_mass(edges[i] + 1, edges[i + 1], alpha) / total;
                    let e = p * draws as f64;
                    if e < 5.0 {
                        assert!(
                            c as f64 <= e + 8.0 * e.sqrt() + 5.0,
                            "n {n} a {alpha} bin {i}"
                        );
                        continue;
                    }
                    chi2 += (c as f64 - e).powi(2) / e;
                    df += 1;
                }
                assert!(
                    chi2 < chi2_limit(df),
                    "n {n} alpha {alpha}: chi2 {chi2} over {df} bins"
                );
            }
        }
    }

    #[test]
    fn zipf_uniform_reaches_the_top_and_large_ranks_occur() {
        let z = Zipf::new(1000, 0.0);
        let mut r = rng(1);
        let mut seen = vec![false; 1000];
        for _ in 0..20_000 {
            seen[z.sample(&mut r) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        // alpha = 0.7 over 10^7: about half the mass lies above rank 10^6.
        let z = Zipf::new(10_000_000, 0.7);
        let above = (0..10_000)
            .filter(|_| z.sample(&mut r) >= 1_000_000)
            .count();
        let h = harmonic(10_000_000, 0.7);
        let p = 1.0 - harmonic(1_000_000, 0.7) / h;
        let se = (p * (1.0 - p) / 10_000.0).sqrt();
        assert!((above as f64 / 1e4 - p).abs() < 5.0 * se, "{above} vs {p}");
    }

    #[test]
    fn alias_table_frequencies() {
        let weights = [5.0, 0.0, 1.0, 3.0, 0.5, 0.0, 10.0, 0.25];
        let t = AliasTable::new(&weights);
        let mut r = rng(3);
        let draws = 100_000;
        let mut counts = [0usize; 8];
        for _ in 0..draws {
            counts[t.sample(&mut r)] += 1;
        }
        assert_eq!(counts[1], 0);
        assert_eq!(counts[5], 0);
        let sum: f64 = weights.iter().sum();
        let mut chi2 = 0.0;
        for (w, c) in weights.iter().zip(counts) {
            if *w > 0.0 {
                let e = draws as f64 * w / sum;
                chi2 += (c as f64 - e).powi(2) / e;
            }
        }
        // 5 degrees of freedom: P(chi2 > 20.5) ~ 0.001.
        assert!(chi2 < 20.5, "chi2 {chi2}, counts {counts:?}");

        let one = AliasTable::new(&[0.3]);
        assert!((0..100).all(|_| one.sample(&mut r) == 0));
        let skew = AliasTable::new(&[0.0, 0.0, 7.0]);
        assert!((0..1000).all(|_| skew.sample(&mut r) == 2));
    }

    #[test]
    fn alias_table_many_weights() {
        // Uneven weights over many columns: every column's frequency within 5 se.
        let weights: Vec<f64> = (0..50).map(|i| 1.0 + (i % 7) as f64 * (i as f64)).collect();
        let sum: f64 = weights.iter().sum();
        let t = AliasTable::new(&weights);
        let mut r = rng(4);
        let draws = 200_000;
        let mut counts = vec![0usize; weights.len()];
        for _ in 0..draws {
            counts[t.sample(&mut r)] += 1;
        }
        for (i, (w, c)) in weights.iter().zip(&counts).enumerate() {
            let p = w / sum;
            let se = (p * (1.0 - p) / draws as f64).sqrt();
            let f = *c as f64 / draws as f64;
            assert!((f - p).abs() < 5.0 * se, "column {i}: {f} vs {p}");
        }
    }

    #[test]
    fn exponential_cdf_shape() {
        let (s, e) = (1000.0, 2000.0);
        assert_eq!(exponential_toward_end_cdf(s, s, e, 3.0), 0.0);
        assert_eq!(exponential_toward_end_cdf(e, s, e, 3.0), 1.0);
        assert_eq!(exponential_toward_end_cdf(500.0, s, e, 3.0), 0.0);
        assert_eq!(exponential_toward_end_cdf(5000.0, s, e, 3.0), 1.0);
        // rate 0 is uniform; rate > 0 puts less than half the mass below the midpoint.
        assert!((exponential_toward_end_cdf(1500.0, s, e, 0.0) - 0.5).abs() < 1e-15);
        let r = 3.0f64;
        let want = (r * 0.5).exp_m1() / r.exp_m1();
        assert!(rel_err(exponential_toward_end_cdf(1500.0, s, e, r), want) < 1e-14);
        let want = (-r * 0.5).exp_m1() / (-r).exp_m1();
        assert!(rel_err(exponential_toward_end_cdf(1500.0, s, e, -r), want) < 1e-14);
        // Steep rates stay finite and monotone.
        let mut prev = 0.0;
        for i in 0..=100 {
            let x = s + i as f64 * 10.0;
            let c = exponential_toward_end_cdf(x, s, e, 2000.0);
            assert!(c.is_finite() && c >= prev);
            prev = c;
        }
        assert_eq!(exponential_toward_end_cdf(1999.0, s, e, 1e-300), 0.999);
        // end == start: a step at start.
        assert_eq!(exponential_toward_end_cdf(5.0, 5.0, 5.0, 1.0), 1.0);
        assert_eq!(exponential_toward_end_cdf(4.0, 5.0, 5.0, 1.0), 0.0);
    }

    /// Kolmogorov-Smirnov distance of samples against a CDF.
    fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = xs.len() as f64;
        xs.iter()
            .enumerate()
            .map(|(i, &x)| {
                let c = cdf(x);
                f64::max((i as f64 + 1.0) / n - c, c - i as f64 / n)
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn exponential_toward_end_matches_cdf() {
        let (s, e) = (1.6e9, 1.7e9);
        let n = 20_000;
        // KS critical value at alpha = 0.001 is 1.95 / sqrt(n).
        let crit = 1.95 / (n as f64).sqrt();
        for &rate in &[0.0f64, 1e-14, 0.5, 3.0, -2.0, 40.0] {
            let mut r = rng(rate.to_bits());
            let xs: Vec<f64> = (0..n)
                .map(|_| exponential_toward_end(&mut r, s, e, rate, s, e).unwrap())
                .collect();
            assert!(xs.iter().all(|&x| (s..=e).contains(&x)));
            let mean = xs.iter().sum::<f64>() / n as f64;
            let mid = (s + e) / 2.0;
            if rate >= 0.5 {
                assert!(mean > mid, "rate {rate}: mean {mean} not above midpoint");
            }
            if rate < 0.0 {
                assert!(mean < mid);
            }
            let d = ks(xs, |x| exponential_toward_end_cdf(x, s, e, rate));
            assert!(d < crit, "rate {rate}: KS {d} >= {crit}");
        }
    }

    #[test]
    fn exponential_toward_end_sub_windows() {
        let (s, e, rate) = (0.0, 100.0, 3.0);
        let n = 20_000;
        let crit = 1.95 / (n as f64).sqrt();
        let mut r = rng(11);
        for (lo, hi) in [
            (10.0, 20.0),
            (90.0, 100.0),
            (-50.0, 5.0),
            (99.999, 1e9),
            (42.0, 42.0),
        ] {
            let (wlo, whi) = (f64::max(lo, s), f64::min(hi, e));
            let xs: Vec<f64> = (0..n)
                .map(|_| exponential_toward_end(&mut r, s, e, rate, lo, hi).unwrap())
                .collect();
            assert!(xs.iter().all(|&x| x >= wlo && x <= whi), "[{lo}, {hi}]");
            if whi > wlo {
                // Conditional CDF of the window.
                let (fa, fb) = (
                    exponential_toward_end_cdf(wlo, s, e, rate),
                    exponential_toward_end_cdf(whi, s, e, rate),
                );
                let d = ks(xs, |x| {
                    (exponential_toward_end_cdf(x, s, e, rate) - fa) / (fb - fa)
                });
                assert!(d < crit, "[{lo}, {hi}]: KS {d}");
            }
        }
        assert!(exponential_toward_end(&mut r, s, e, rate, 101.0, 200.0).is_none());
        assert!(exponential_toward_end(&mut r, s, e, rate, 60.0, 50.0).is_none());
        // Steep rates: all mass at the end, no overflow, still inside.
        for _ in 0..1000 {
            let x = exponential_toward_end(&mut r, s, e, 1e6, 0.0, 100.0).unwrap();
            assert!((99.9..=100.0).contains(&x));
            let y = exponential_toward_end(&mut r, s, e, -1e6, 30.0, 100.0).unwrap();
            assert!((30.0..=30.1).contains(&y));
        }
        // end == start.
        assert_eq!(
            exponential_toward_end(&mut r, 7.0, 7.0, 2.0, 0.0, 10.0),
            Some(7.0)
        );
    }

    #[test]
    fn permutation_is_a_bijection() {
        for &n in &[1u64, 2, 3, 10, 1000, 4097] {
            let p = Permutation::new(n, 12345);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.apply(i);
                assert!(j < n, "n {n}: {i} -> {j}");
                assert!(!seen[j as usize], "n {n}: {j} hit twice");
                seen[j as usize] = true;
            }
        }
        // n = 0 and 1 construct without panicking (no valid input for n = 0).
        let _empty = Permutation::new(0, 1);
        assert_eq!(Permutation::new(1, 1).apply(0), 0);
        // Huge n: in range and injective on a sample.
        let p = Permutation::new(u64::MAX, 9);
        let mut imgs: Vec<u64> = (0..1000).map(|i| p.apply(i)).collect();
        imgs.sort_unstable();
        imgs.dedup();
        assert_eq!(imgs.len(), 1000);
    }

    #[test]
    fn permutation_depends_on_key_and_spreads() {
        let n = 4097;
        let a = Permutation::new(n, 1);
        let b = Permutation::new(n, 2);
        let differ = (0..n).filter(|&i| a.apply(i) != b.apply(i)).count();
        assert!(
            differ > 4000,
            "keys 1 and 2 agree on {} of {n}",
            n as usize - differ
        );
        // Deterministic.
        let a2 = Permutation::new(n, 1);
        assert!((0..n).all(|i| a.apply(i) == a2.apply(i)));
        // The 100 hottest ranks land all over the table, not in its first rows.
        let hot: Vec<u64> = (0..100).map(|i| a.apply(i)).collect();
        let in_top_decile = hot.iter().filter(|&&j| j < n / 10).count();
        assert!(
            in_top_decile < 25,
            "{in_top_decile} of 100 in the first tenth"
        );
        let mean = hot.iter().sum::<u64>() as f64 / 100.0;
        assert!((mean - n as f64 / 2.0).abs() < 0.15 * n as f64, "{mean}");
        // Not the identity for small n either.
        let p = Permutation::new(10, 7);
        assert!((0..10).any(|i| p.apply(i) != i));
    }

    #[test]
    fn round_within_cases() {
        assert_eq!(round_within(1.234, 2, 0.0, 10.0), 1.23);
        assert_eq!(round_within(1.235001, 2, 0.0, 10.0), 1.24);
        assert_eq!(round_within(-2.5, 0, -10.0, 10.0), -3.0);
        assert_eq!(round_within(2.5, 0, -10.0, 10.0), 3.0);
        assert_eq!(round_within(7.6, 0, 0.0, 100.0), 8.0);
        // Rounding below a bound with more decimals steps up to the next grid value inside.
        assert_eq!(round_within(1.004, 2, 1.005, 2.0), 1.01);
        assert_eq!(round_within(1.996, 2, 1.0, 1.995), 1.99);
        assert_eq!(round_within(10.4, 0, 9.5, 10.2), 10.0);
        // No grid value inside: the window wins.
        assert_eq!(round_within(1.0042, 2, 1.001, 1.009), 1.001);
        // Huge precision and huge values pass through.
        assert_eq!(round_within(0.1234567, 30, 0.0, 1.0), 0.1234567);
        assert_eq!(round_within(1e20, 2, 0.0, 1e21), 1e20);
        assert_eq!(round_within(5.0, 2, 0.0, 1.0), 1.0);
    }
}
