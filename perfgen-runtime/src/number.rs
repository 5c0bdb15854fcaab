//! Integer and fixed-point decimal values: ranges under the `uniform`, `linear` and
//! `exponential` laws, sequences, and a float-free decimal writer.
//!
//! A decimal with `p` places is carried as a whole number of units of 10^-p (cents for p = 2),
//! so a range of decimals is a range of integers and its text is exact: the units are never
//! turned into a float, which could print `0.30000000000000004`.
//!
//! The three laws over an inclusive range [min, max] of W = max - min + 1 values:
//! - `uniform`: each value has probability 1 / W (unbiased: Lemire's method with rejection).
//! - `linear`: row `row` of `n` gets `min + floor(W * row / n)`, no randomness. The rows are
//!   spread evenly over the W values as a time range spreads them over its seconds; n = W
//!   rows give each value exactly once, in order.
//! - `exponential` with `rate`: value `min + j` has probability proportional to
//!   `exp(rate * j / W)`, j in 0..W, so mass grows toward `max` for a positive rate (toward
//!   `min` for a negative one; rate 0 is uniform). It is the law of the whole part of a time
//!   range's exponential over W unit cells: the same shape, made discrete exactly. The law is
//!   an [`Exponential`], a constant built once per field.

use crate::rng::CellRng;

/// An integer uniform in [min, max] (inclusive; any i64 bounds, the full span included).
#[inline]
pub fn uniform_i64(rng: &mut CellRng, min: i64, max: i64) -> i64 {
    rng.range_i64(min, max)
}

/// The `linear` value of row `row` of `n` (`row < n`) over [min, max]: `min + floor(W * row
/// / n)` with W = max - min + 1, exact for any i64 bounds (128-bit product when needed).
#[inline]
pub fn linear_i64(min: i64, max: i64, row: u64, n: u64) -> i64 {
    debug_assert!(
        min <= max && row < n,
        "linear_i64({min}, {max}, {row}, {n})"
    );
    let n = n.max(1);
    // W - 1 always fits u64; W itself is 2^64 only for the full i64 span.
    let width_minus_one = (max as u64).wrapping_sub(min as u64);
    let offset = match width_minus_one.checked_add(1) {
        // The common case: the product fits 64 bits and the division is one instruction.
        Some(width) => match width.checked_mul(row) {
            Some(p) => p / n,
            None => ((width as u128 * row as u128) / n as u128) as u64,
        },
        None => (((row as u128) << 64) / n as u128) as u64,
    };
    // row < n keeps the offset below W; a caller's row >= n stops at max.
    (min as u64).wrapping_add(offset.min(width_minus_one)) as i64
}

/// The `exponential` law of a range with its rate, with `expm1(-|rate|)` computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential {
    rate: f64,
    /// `expm1(-|rate|)`, in (-1, 0]: the inverse CDF's scale.
    expm1_neg: f64,
}

impl Exponential {
    /// The law with this rate (finite; positive puts mass toward `max`, 0 is uniform).
    /// A `const fn`, so generated code builds its laws as constants.
    #[inline]
    pub const fn new(rate: f64) -> Self {
        assert!(rate.is_finite(), "an exponential rate must be finite");
        Exponential {
            rate,
            expm1_neg: expm1_nonpositive(-rate.abs()),
        }
    }

    /// The rate it was built with.
    #[inline]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// A value of [min, max]: `min + j` with probability proportional to `exp(rate * j / W)`.
    #[inline]
    pub fn sample_i64(&self, rng: &mut CellRng, min: i64, max: i64) -> i64 {
        debug_assert!(min <= max, "Exponential::sample_i64({min}, {max})");
        let width_minus_one = (max as u64).wrapping_sub(min as u64);
        if self.expm1_neg == 0.0 || width_minus_one == 0 {
            return rng.range_i64(min, max);
        }
        // Distance from the heavy end: the whole part of a truncated exponential on [0, W),
        // which is the truncated geometric law P(d) ~ exp(-|rate| d / W) exactly.
        let d = geometric_distance(rng, self.expm1_neg, self.rate.abs(), width_minus_one);
        if self.rate > 0.0 {
            (max as u64).wrapping_sub(d) as i64
        } else {
            (min as u64).wrapping_add(d) as i64
        }
    }

    /// [`Exponential::sample_i64`] restricted to [lo, hi] (a window a rule leaves inside [min,
    /// max]); None when the window holds no value of the range.
    pub fn sample_i64_within(
        &self,
        rng: &mut CellRng,
        min: i64,
        max: i64,
        lo: i64,
        hi: i64,
    ) -> Option<i64> {
        let (lo, hi) = (lo.max(min), hi.min(max));
        if lo > hi {
            return None;
        }
        // The law restricted to a window is the same shape over the window's own width,
        // with the rate scaled by the share of the range the window covers.
        let whole = (max as u64).wrapping_sub(min as u64) as f64 + 1.0;
        let part = (hi as u64).wrapping_sub(lo as u64) as f64 + 1.0;
        Some(Exponential::new(self.rate * (part / whole)).sample_i64(rng, lo, hi))
    }
}

/// The whole part of a draw on [0, W) with density proportional to exp(-k x), k = `abs_rate`
/// / W, by the inverse CDF, in [0, W - 1]; `expm1_neg` is `expm1(-abs_rate)`.
#[inline]
fn geometric_distance(
    rng: &mut CellRng,
    expm1_neg: f64,
    abs_rate: f64,
    width_minus_one: u64,
) -> u64 {
    let u = rng.next_f64();
    // Fraction of the width, in [0, 1): log1p and expm1 keep it precise for any rate.
    let t = -libm::log1p(u * expm1_neg) / abs_rate;
    let width = width_minus_one as f64 + 1.0;
    let x = t * width;
    let mut d = x as u64;
    if x >= TWO_POW_53 {
        // Past 2^53 the float's whole part is a multiple of its ulp, 2^(e - 52): the low bits
        // are drawn uniformly (the density changes by a factor 1 + O(2^-52) within an ulp).
        let ulp_bits = ((x.to_bits() >> 52) & 0x7ff) as i32 - 1075;
        if ulp_bits > 0 {
            d = (d & !((1u64 << ulp_bits) - 1)) | (rng.next_u64() >> (64 - ulp_bits));
        }
    }
    d.min(width_minus_one)
}

/// `expm1(x)` for x <= 0 in plain IEEE arithmetic, so it can run in a constant (and gives
/// the same bits on every platform); within a few ulp of libm's.
const fn expm1_nonpositive(x: f64) -> f64 {
    if x < -40.0 {
        // e^x < 2^-57: gone against 1.
        return -1.0;
    }
    // e^x - 1 = 2^k (e^r - 1) + (2^k - 1) with |r| <= ln(2) / 2; ln 2 is split in two so
    // k ln 2 is exact enough, and 2^k - 1 is exact for the k in [-58, 0] reached here.
    // fdlibm's split: the high part has 32 trailing zero bits, so k * LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    let k = (x * std::f64::consts::LOG2_E - 0.5) as i64;
    let kf = k as f64;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    // Taylor series of e^r - 1: at |r| <= 0.35 the 17th term is below 2^-53 of the sum.
    let (mut term, mut sum, mut n) = (r, r, 2.0);
    while n <= 17.0 {
        term = term * r / n;
        sum += term;
        n += 1.0;
    }
    let scale = f64::from_bits(((1023 + k) as u64) << 52);
    scale * sum + (scale - 1.0)
}

const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// `start + step * index`, or None when it leaves i64 (a sequence has overflowed).
#[inline]
pub fn sequence(start: i64, step: i64, index: u64) -> Option<i64> {
    let v = start as i128 + step as i128 * index as i128;
    i64::try_from(v).ok()
}

/// The message a generated field reports when [`sequence`] overflows at a row.
#[cold]
pub fn sequence_overflow_message(start: i64, step: i64, index: u64) -> String {
    format!(
        "the sequence `{start} + {step} * {index}` leaves the 64-bit integer range; \
         help: lower `start` or `step`, or generate fewer rows"
    )
}

/// 10^k for k in 0..=19 (10^19 is the first power past i64, still inside u64).
const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Append the decimal `units` x 10^-places with exactly `places` decimals, no float involved:
/// (-99999, 2) is `-999.99`, (5, 3) is `0.005`, (7, 0) is `7`.
#[inline]
pub fn write_fixed(units: i64, places: u32, out: &mut Vec<u8>) {
    if units < 0 {
        out.push(b'-');
    }
    let mag = units.unsigned_abs();
    let p = places as usize;
    if p == 0 {
        out.extend_from_slice(itoa::Buffer::new().format(mag).as_bytes());
        return;
    }
    if p < POW10.len() {
        let scale = POW10[p];
        out.extend_from_slice(itoa::Buffer::new().format(mag / scale).as_bytes());
        let mut frac = mag % scale;
        let mut buf = [b'0'; 20];
        buf[0] = b'.';
        for slot in buf[1..=p].iter_mut().rev() {
            *slot = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        out.extend_from_slice(&buf[..=p]);
        return;
    }
    write_fixed_wide(mag, p, out);
}

/// More places than any i64 has digits: `0.` then zeros, then all the digits.
#[cold]
fn write_fixed_wide(mag: u64, places: usize, out: &mut Vec<u8>) {
    let mut digits = itoa::Buffer::new();
    let s = digits.format(mag).as_bytes();
    out.extend_from_slice(b"0.");
    out.resize(out.len() + (places - s.len()), b'0');
    out.extend_from_slice(s);
}

/// Append a fixed-point decimal ([`write_fixed`]) to a template string.
#[inline]
pub fn push_fixed(units: i64, places: u32, out: &mut String) {
    crate::format::push_ascii(out, |bytes| write_fixed(units, places, bytes));
}

/// The units of a decimal text with at most `places` decimals (`-999.99` at 2 is -99999);
/// None for malformed text, more decimals than `places`, or a value outside i64 units.
pub fn parse_fixed(s: &str, places: u32) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) if !f.is_empty() => (w, f),
        Some(_) => return None,
        None => (body, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > places as usize {
        return None;
    }
    let mut mag: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        mag = mag.checked_mul(10)?.checked_add((b - b'0') as i128)?;
    }
    for _ in frac.len()..places as usize {
        mag = mag.checked_mul(10)?;
    }
    i64::try_from(if neg { -mag } else { mag }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_stats::chi_square;

    fn fixed(units: i64, places: u32) -> String {
        let mut out = Vec::new();
        write_fixed(units, places, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fixed_text_cases() {
        assert_eq!(fixed(-99_999, 2), "-999.99");
        assert_eq!(fixed(999_999, 2), "9999.99");
        assert_eq!(fixed(0, 2), "0.00");
        assert_eq!(fixed(-5, 2), "-0.05");
        assert_eq!(fixed(5, 3), "0.005");
        assert_eq!(fixed(7, 0), "7");
        assert_eq!(fixed(-7, 0), "-7");
        assert_eq!(fixed(30, 2), "0.30");
        assert_eq!(fixed(i64::MIN, 2), "-92233720368547758.08");
        assert_eq!(fixed(i64::MAX, 18), "9.223372036854775807");
        assert_eq!(fixed(i64::MIN, 19), "-0.9223372036854775808");
        assert_eq!(fixed(1, 19), "0.0000000000000000001");
        assert_eq!(fixed(12, 25), "0.0000000000000000000000012");
        assert_eq!(fixed(-12, 25), "-0.0000000000000000000000012");
        let mut s = String::from("x=");
        push_fixed(-1, 1, &mut s);
        assert_eq!(s, "x=-0.1");
    }

    #[test]
    fn fixed_text_agrees_with_exact_integer_arithmetic() {
        let mut r = CellRng::from_key(31);
        for i in 0..50_000u64 {
            let units = (r.next_u64() as i64) >> (i % 64);
            let places = (i % 21) as u32;
            let mag = units.unsigned_abs() as u128;
            let scale = 10u128.pow(places);
            let want = if places == 0 {
                format!("{units}")
            } else {
                let sign = if units < 0 { "-" } else { "" };
                let (w, f) = (mag / scale, mag % scale);
                format!("{sign}{w}.{f:0width$}", width = places as usize)
            };
            assert_eq!(fixed(units, places), want);
            assert_eq!(parse_fixed(&want, places), Some(units), "{want}");
        }
    }

    #[test]
    fn parse_fixed_forms() {
        assert_eq!(parse_fixed("-999.99", 2), Some(-99_999));
        assert_eq!(parse_fixed("9999.99", 2), Some(999_999));
        assert_eq!(parse_fixed("12", 2), Some(1200));
        assert_eq!(parse_fixed("+1.5", 2), Some(150));
        assert_eq!(parse_fixed("0.001", 2), None);
        assert_eq!(parse_fixed("1.", 2), None);
        assert_eq!(parse_fixed(".5", 2), None);
        assert_eq!(parse_fixed("1e3", 2), None);
        assert_eq!(parse_fixed("", 2), None);
        assert_eq!(parse_fixed("-", 2), None);
        assert_eq!(parse_fixed("92233720368547758.08", 2), None);
        assert_eq!(parse_fixed("-92233720368547758.08", 2), Some(i64::MIN));
    }

    #[test]
    fn uniform_acctbal_is_uniform_in_cents() {
        // TPC-H's c_acctbal: -999.99..9999.99 in cents. Bucket by whole units of 1000 cents
        // plus the two extreme cents, which must both occur.
        let mut r = CellRng::from_key(7);
        let (lo, hi) = (-99_999i64, 999_999i64);
        let width = (hi - lo + 1) as f64;
        let mut counts = [0u64; 11];
        let (mut saw_lo, mut saw_hi) = (false, false);
        for _ in 0..2_000_000 {
            let v = uniform_i64(&mut r, lo, hi);
            assert!((lo..=hi).contains(&v));
            saw_lo |= v == lo;
            saw_hi |= v == hi;
            counts[((v - lo) / 100_000) as usize] += 1;
        }
        assert!(saw_lo && saw_hi);
        let probs: Vec<f64> = (0..11)
            .map(|b| {
                let start = b as f64 * 100_000.0;
                ((start + 100_000.0).min(width) - start) / width
            })
            .collect();
        // 10 degrees of freedom: P(chi2 > 29.6) ~ 0.001.
        let c = chi_square(&counts, &probs);
        assert!(c < 29.6, "chi2 {c} {counts:?}");
        assert_eq!(fixed(lo, 2), "-999.99");
    }

    #[test]
    fn linear_is_the_exact_formula_and_spreads_each_value_once() {
        let exact = |min: i64, max: i64, row: u64, n: u64| {
            let w = max as i128 - min as i128 + 1;
            (min as i128 + w * row as i128 / n as i128) as i64
        };
        // n = W: each value exactly once, in order.
        let got: Vec<i64> = (0..11).map(|r| linear_i64(-5, 5, r, 11)).collect();
        assert_eq!(got, (-5..=5).collect::<Vec<_>>());
        // n = 2W: each value exactly twice.
        let got: Vec<i64> = (0..6).map(|r| linear_i64(1, 3, r, 6)).collect();
        assert_eq!(got, [1, 1, 2, 2, 3, 3]);
        assert_eq!(linear_i64(i64::MIN, i64::MAX, 0, 4), i64::MIN);
        assert_eq!(linear_i64(i64::MIN, i64::MAX, 2, 4), 0);
        assert_eq!(linear_i64(i64::MIN, i64::MAX, 3, 4), i64::MAX / 2 + 1);
        assert_eq!(linear_i64(7, 7, 0, 1), 7);
        let mut g = CellRng::from_key(99);
        for _ in 0..100_000 {
            let a = g.next_u64() as i64 >> (g.next_u64() % 64);
            let b = g.next_u64() as i64 >> (g.next_u64() % 64);
            let (min, max) = (a.min(b), a.max(b));
            let n = (g.next_u64() >> (g.next_u64() % 64)).max(1);
            let row = g.below(n);
            let v = linear_i64(min, max, row, n);
            assert_eq!(v, exact(min, max, row, n), "{min} {max} {row} {n}");
            assert!((min..=max).contains(&v));
        }
    }

    #[test]
    fn exponential_matches_its_discrete_law() {
        let mut r = CellRng::from_key(12);
        for (min, max, rate) in [
            (0i64, 9i64, 3.0f64),
            (-3, 3, -2.0),
            (1, 20, 0.5),
            (5, 6, 8.0),
        ] {
            let law = Exponential::new(rate);
            let w = (max - min + 1) as usize;
            let mut counts = vec![0u64; w];
            let draws = 400_000;
            for _ in 0..draws {
                let v = law.sample_i64(&mut r, min, max);
                counts[(v - min) as usize] += 1;
            }
            let weights: Vec<f64> = (0..w).map(|j| (rate * j as f64 / w as f64).exp()).collect();
            let total: f64 = weights.iter().sum();
            let probs: Vec<f64> = weights.iter().map(|x| x / total).collect();
            // Up to 19 degrees of freedom: P(chi2 > 43.8) ~ 0.001.
            let c = chi_square(&counts, &probs);
            assert!(c < 43.8, "rate {rate} [{min}, {max}]: chi2 {c} {counts:?}");
        }
        // Rate 0 is uniform; one-value ranges need no draw; extremes stay inside.
        let flat = Exponential::new(0.0);
        let mut counts = [0u64; 4];
        for _ in 0..40_000 {
            counts[flat.sample_i64(&mut r, 0, 3) as usize] += 1;
        }
        assert!(chi_square(&counts, &[0.25; 4]) < 16.3, "{counts:?}");
        assert_eq!(Exponential::new(5.0).sample_i64(&mut r, 4, 4), 4);
        for rate in [1e-300, 1e-9, 40.0, 700.0, -700.0] {
            let law = Exponential::new(rate);
            for _ in 0..2000 {
                let v = law.sample_i64(&mut r, -10, 10);
                assert!((-10..=10).contains(&v));
            }
        }
    }

    #[test]
    fn const_expm1_agrees_with_libm() {
        let mut r = CellRng::from_key(21);
        for i in 0..200_000 {
            let x = -(r.next_f64() * [0.6, 2.0, 45.0, 800.0][i % 4]);
            let (ours, theirs) = (expm1_nonpositive(x), libm::expm1(x));
            assert!(
                (ours - theirs).abs() <= 4.0 * f64::EPSILON * theirs.abs(),
                "{x}: {ours} vs {theirs}"
            );
        }
        for x in [0.0, -0.5, -1e-300, -40.0, -40.5, -1e300] {
            let (ours, theirs) = (expm1_nonpositive(x), libm::expm1(x));
            assert!(
                (ours - theirs).abs() <= 4.0 * f64::EPSILON * theirs.abs(),
                "{x}"
            );
        }
        const LAW: Exponential = Exponential::new(3.0);
        assert_eq!(LAW.rate(), 3.0);
        // Built at compile time or at run time, the same bits.
        assert_eq!(LAW, Exponential::new(std::hint::black_box(3.0)));
    }

    #[test]
    fn exponential_over_the_full_span() {
        let law = Exponential::new(4.0);
        let mut r = CellRng::from_key(3);
        // P(top half) = (1 - e^-2) / (1 - e^-4) ~ 0.8808; the low bits are filled in, so
        // odd values occur about half the time.
        let (mut top, mut odd) = (0u32, 0u32);
        let n = 100_000;
        for _ in 0..n {
            let v = law.sample_i64(&mut r, i64::MIN, i64::MAX);
            top += (v >= 0) as u32;
            odd += (v & 1) as u32;
        }
        let p = (1.0 - (-2.0f64).exp()) / (1.0 - (-4.0f64).exp());
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((top as f64 / n as f64 - p).abs() < 5.0 * se, "{top}");
        assert!((odd as f64 / n as f64 - 0.5).abs() < 0.01, "{odd}");
    }

    #[test]
    fn exponential_within_a_window_is_the_restricted_law() {
        let law = Exponential::new(3.0);
        let mut r = CellRng::from_key(44);
        let (min, max, lo, hi) = (0i64, 19i64, 5i64, 9i64);
        let mut counts = [0u64; 5];
        for _ in 0..200_000 {
            let v = law.sample_i64_within(&mut r, min, max, lo, hi).unwrap();
            counts[(v - lo) as usize] += 1;
        }
        let weights: Vec<f64> = (lo..=hi).map(|j| (3.0 * j as f64 / 20.0).exp()).collect();
        let total: f64 = weights.iter().sum();
        let probs: Vec<f64> = weights.iter().map(|x| x / total).collect();
        let c = chi_square(&counts, &probs);
        assert!(c < 18.5, "chi2 {c} {counts:?}");
        assert_eq!(law.sample_i64_within(&mut r, 0, 9, 10, 20), None);
        assert_eq!(law.sample_i64_within(&mut r, 0, 9, 9, 20), Some(9));
    }

    #[test]
    fn sequences_and_their_overflow() {
        assert_eq!(sequence(1, 1, 0), Some(1));
        assert_eq!(sequence(1, 1, 149_999), Some(150_000));
        assert_eq!(sequence(100, -3, 4), Some(88));
        assert_eq!(sequence(0, 1, i64::MAX as u64), Some(i64::MAX));
        assert_eq!(sequence(1, 1, i64::MAX as u64), None);
        assert_eq!(sequence(i64::MIN, 1, u64::MAX), Some(i64::MAX));
        assert_eq!(sequence(0, -1, 1 << 63), Some(i64::MIN));
        assert_eq!(sequence(0, -1, (1 << 63) + 1), None);
        assert_eq!(sequence(0, i64::MAX, u64::MAX), None);
        assert_eq!(sequence(5, 0, u64::MAX), Some(5));
        let m = sequence_overflow_message(1, 2, 3);
        assert!(m.starts_with("the sequence `1 + 2 * 3` leaves"), "{m}");
    }
}
