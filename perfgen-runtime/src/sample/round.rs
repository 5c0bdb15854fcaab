//! Rounding to a number of decimals inside a range, and clamping into one.

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

/// `x` forced into [lo, hi] (lo <= hi); NaN maps to lo.
#[inline(always)]
pub(super) fn clamp_into(x: f64, lo: f64, hi: f64) -> f64 {
    if !(x >= lo) {
        lo
    } else if !(x <= hi) {
        hi
    } else {
        x
    }
}
