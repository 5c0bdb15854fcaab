//! The spreads of `distribute_range`: `linear` by row, `exponential` toward the end.

use super::round::clamp_into;
use crate::rng::CellRng;

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
