//! `round`, `floor` and `ceil` of f64 inline, with exactly std's results.
//!
//! x86-64's baseline instruction set has no SSE4.1 `roundsd`, so `f64::round`, `floor` and
//! `ceil` are calls into the C library unless the binary is built for a newer CPU; on hot
//! paths (an integer normal per row, a decimal per row) those calls were 2 to 4% of the
//! time. Truncation (`as i64`) is one instruction everywhere; these build on it.

// `!(|x| < 2^52)` on floats is deliberate: it is also true for NaN, which passes through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

/// 2^52: from here on every f64 is a whole number.
const WHOLE: f64 = 4_503_599_627_370_496.0;

/// Truncation toward zero, for |x| < 2^52 (callers check).
#[inline(always)]
fn trunc_small(x: f64) -> f64 {
    // Exact: |x| < 2^52 fits i64, and the integer part of such an f64 is representable.
    // Keep the sign of a zero result (-0.3 truncates to -0.0, as std does).
    (x as i64 as f64).copysign(x)
}

/// `x.round()`: half away from zero.
#[inline]
pub fn round(x: f64) -> f64 {
    if !(x.abs() < WHOLE) {
        return x; // whole already, infinite or NaN
    }
    let t = trunc_small(x);
    let d = x - t; // exact
    if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

/// `x.trunc()`: toward zero.
#[inline]
pub fn trunc(x: f64) -> f64 {
    if !(x.abs() < WHOLE) {
        return x;
    }
    trunc_small(x)
}

/// `x.floor()`.
#[inline]
pub fn floor(x: f64) -> f64 {
    if !(x.abs() < WHOLE) {
        return x;
    }
    let t = trunc_small(x);
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// `x.ceil()`.
#[inline]
pub fn ceil(x: f64) -> f64 {
    if !(x.abs() < WHOLE) {
        return x;
    }
    let t = trunc_small(x);
    if t < x {
        t + 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    fn check(x: f64) {
        assert!(
            same(round(x), x.round()),
            "round({x:e}) = {} vs {}",
            round(x),
            x.round()
        );
        assert!(
            same(floor(x), x.floor()),
            "floor({x:e}) = {} vs {}",
            floor(x),
            x.floor()
        );
        assert!(
            same(trunc(x), x.trunc()),
            "trunc({x:e}) = {} vs {}",
            trunc(x),
            x.trunc()
        );
        assert!(
            same(ceil(x), x.ceil()),
            "ceil({x:e}) = {} vs {}",
            ceil(x),
            x.ceil()
        );
    }

    #[test]
    fn bit_identical_to_std_at_the_edges() {
        let edges = [
            0.0,
            0.5,
            0.49999999999999994,
            1.5,
            2.5,
            1.0 - f64::EPSILON / 2.0,
            WHOLE - 0.5,
            WHOLE - 1.0,
            WHOLE,
            WHOLE + 1.0,
            2.0 * WHOLE,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::INFINITY,
            f64::NAN,
            0.3,
            17.5,
            1e15 + 0.5,
        ];
        for &x in &edges {
            check(x);
            check(-x);
            check(x.next_up());
            check(x.next_down());
            check(-x.next_up());
        }
    }

    #[test]
    fn bit_identical_to_std_on_random_values() {
        let mut r = crate::rng::CellRng::from_key(9);
        for _ in 0..200_000 {
            let bits = r.next_u64();
            // Random bit patterns (every exponent), and values near whole and half numbers.
            check(f64::from_bits(bits));
            let k = (bits >> 12) as f64 / 64.0 - 3e4;
            check(k);
            check(k + 0.5);
            check((k + 0.5).next_up());
            check((k + 0.5).next_down());
        }
    }
}
