//! Coins with an exact probability: `boolean` values and the NULL decision of `null_rate`.
//!
//! A coin compares one 64-bit draw with a threshold fixed at build time, so P(true) is the
//! configured probability to within 2^-64, and exactly 0 or 1 at the ends.
//!
//! A field's NULL decision comes from its own cell stream, keyed by [`null_field_key`] of
//! the field's key: the value's stream is untouched, so a field with `null_rate: 0` writes
//! the same bytes as one with no `null_rate`, and a row's non-NULL value is the same at
//! any rate.

use crate::rng::CellRng;

/// P(true) = p as a threshold on a uniform u64: true when the draw is below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bernoulli {
    /// `round(p * 2^64)`, except `u64::MAX`, which stands for p = 1 (always true).
    threshold: u64,
}

impl Bernoulli {
    /// Never true.
    pub const NEVER: Bernoulli = Bernoulli { threshold: 0 };
    /// Always true.
    pub const ALWAYS: Bernoulli = Bernoulli {
        threshold: u64::MAX,
    };

    /// The coin with P(true) = p, for p in [0, 1] (build-time checked; values outside and NaN
    /// are clamped, NaN to 0). Usable in constants.
    pub const fn new(p: f64) -> Bernoulli {
        if p.is_nan() || p <= 0.0 {
            return Self::NEVER;
        }
        if p >= 1.0 {
            return Self::ALWAYS;
        }
        // p * 2^64 is exact (a power-of-two scaling); below 1 it is at most 2^64 - 2^11, so
        // rounding never reaches u64::MAX, which is kept for p = 1.
        let scaled = p * 18_446_744_073_709_551_616.0;
        let whole = scaled as u64;
        let threshold = if scaled - (whole as f64) >= 0.5 {
            whole + 1
        } else {
            whole
        };
        Bernoulli { threshold }
    }

    /// The probability of true, as an f64 (for reports and tests).
    pub fn probability(self) -> f64 {
        if self.threshold == u64::MAX {
            1.0
        } else {
            self.threshold as f64 / 18_446_744_073_709_551_616.0
        }
    }

    /// One toss: a single u64 from the stream, also for p = 0 and p = 1, so what follows in
    /// the stream does not depend on p.
    #[inline]
    pub fn sample(self, rng: &mut CellRng) -> bool {
        let x = rng.next_u64();
        x < self.threshold || self.threshold == u64::MAX
    }
}

/// Append `true` or `false`.
#[inline]
pub fn write_bool(v: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
}

/// Append `true` or `false` to a template string.
#[inline]
pub fn push_bool(v: bool, out: &mut String) {
    out.push_str(if v { "true" } else { "false" });
}

/// Keeps a field's NULL stream apart from every field's value stream.
const NULL_TWEAK: u64 = 0x6e75_6c6c_5f72_6174; // "null_rat"

/// The field coordinate of a field's NULL stream, from the field's key (`name_key` of its
/// name): `CellRng::new(seed, entity, null_field_key(field), row)` decides the NULLs.
/// A bijection, computed by codegen at build time; it meets another field's key only by a
/// 64-bit hash collision.
pub const fn null_field_key(field: u64) -> u64 {
    // splitmix64's finaliser of the tweaked key: unrelated to FNV keys of other names.
    let mut z = field ^ NULL_TWEAK;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Whether row `row` of a field is NULL, with probability `rate`, from the field's own NULL
/// stream (see [`null_field_key`]): no draw of the value's stream is consumed.
#[inline]
pub fn is_null(seed: u64, entity: u64, field: u64, row: u64, rate: Bernoulli) -> bool {
    if rate == Bernoulli::NEVER {
        return false;
    }
    rate.sample(&mut CellRng::new(seed, entity, null_field_key(field), row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::name_key;

    #[test]
    fn thresholds_are_exact() {
        assert_eq!(Bernoulli::new(0.0), Bernoulli::NEVER);
        assert_eq!(Bernoulli::new(-1.0), Bernoulli::NEVER);
        assert_eq!(Bernoulli::new(f64::NAN), Bernoulli::NEVER);
        assert_eq!(Bernoulli::new(1.0), Bernoulli::ALWAYS);
        assert_eq!(Bernoulli::new(0.5).threshold, 1 << 63);
        assert_eq!(Bernoulli::new(0.25).threshold, 1 << 62);
        assert_eq!(Bernoulli::new(2f64.powi(-64)).threshold, 1);
        assert_eq!(Bernoulli::new(2f64.powi(-66)).threshold, 0);
        assert_eq!(Bernoulli::new(2f64.powi(-65) * 3.0).threshold, 2);
        let below_one = 1.0 - f64::EPSILON / 2.0;
        assert_eq!(Bernoulli::new(below_one).threshold, u64::MAX - 2047);
        assert_eq!(Bernoulli::new(0.3).probability(), 0.3);
        const C: Bernoulli = Bernoulli::new(0.1);
        assert_eq!(C, Bernoulli::new(0.1));
    }

    #[test]
    fn ends_are_never_and_always_and_consume_one_draw() {
        let mut a = CellRng::from_key(1);
        let mut b = CellRng::from_key(1);
        for _ in 0..10_000 {
            assert!(!Bernoulli::NEVER.sample(&mut a));
            assert!(Bernoulli::ALWAYS.sample(&mut a));
            b.next_u64();
            b.next_u64();
        }
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn the_share_of_true_is_p() {
        let mut r = CellRng::from_key(2);
        for p in [0.001, 0.1, 0.5, 0.9, 0.999] {
            let coin = Bernoulli::new(p);
            let n = 200_000;
            let hits = (0..n).filter(|_| coin.sample(&mut r)).count() as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((hits / n as f64 - p).abs() < 5.0 * se, "p {p}: {hits}");
        }
    }

    #[test]
    fn bool_text() {
        let mut v = b"a,".to_vec();
        write_bool(true, &mut v);
        v.push(b',');
        write_bool(false, &mut v);
        assert_eq!(v, b"a,true,false");
        let mut s = String::new();
        push_bool(false, &mut s);
        push_bool(true, &mut s);
        assert_eq!(s, "falsetrue");
    }

    #[test]
    fn nulls_come_from_their_own_stream() {
        let (seed, entity, field) = (42, name_key("loans"), name_key("returned_at"));
        assert_ne!(null_field_key(field), field);
        assert_ne!(null_field_key(field), name_key("borrowed_on"));
        // The value stream of every row is the same whatever the rate: the NULL decision
        // never reads it.
        let rate = Bernoulli::new(0.3);
        let mut nulls = 0;
        let n = 100_000;
        for row in 0..n {
            let mut value = CellRng::new(seed, entity, field, row);
            nulls += is_null(seed, entity, field, row, rate) as u32;
            assert_eq!(
                value.next_u64(),
                CellRng::new(seed, entity, field, row).next_u64()
            );
            assert!(!is_null(seed, entity, field, row, Bernoulli::NEVER));
            assert!(is_null(seed, entity, field, row, Bernoulli::ALWAYS));
        }
        let se = (0.3 * 0.7 / n as f64).sqrt();
        assert!((nulls as f64 / n as f64 - 0.3).abs() < 5.0 * se, "{nulls}");
        // Independent of the value: NULL share among rows whose first value draw is odd.
        let (mut odd, mut odd_null) = (0u32, 0u32);
        for row in 0..n {
            if CellRng::new(seed, entity, field, row).next_u64() & 1 == 1 {
                odd += 1;
                odd_null += is_null(seed, entity, field, row, rate) as u32;
            }
        }
        let share = odd_null as f64 / odd as f64;
        assert!(
            (share - 0.3).abs() < 5.0 * (0.21 / odd as f64).sqrt(),
            "{share}"
        );
    }
}
