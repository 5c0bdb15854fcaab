//! What compiled field expressions call: checked date and time arithmetic, decimal rounding,
//! random draws from the cell's stream, SQL-style text functions, and writing values into a
//! `String` without a formatter.
//!
//! Representations: a date is an `i32` day count since 1970-01-01, a timestamp a
//! [`Timestamp`], a decimal an `f64` holding a value with a known number of places. Every
//! function that can leave the representable range (years 0001 to 9999, i64) returns an
//! `Option`, and the generated code turns `None` into a row error naming the field and row.

use crate::format::{push_decimal, push_i64, push_timestamp, push_uuid};
use crate::rng::CellRng;
use crate::time::Timestamp;
use uuid::Uuid;

/// 0001-01-01 as days since 1970-01-01: the first date PostgreSQL and `YYYY-MM-DD` both hold.
pub const DATE_MIN: i32 = -719_162;
/// 9999-12-31 as days since 1970-01-01: the last four-digit-year date.
pub const DATE_MAX: i32 = 2_932_896;
const SECS_PER_DAY: i64 = 86_400;
/// 0001-01-01T00:00:00Z in seconds since the epoch.
const TIMESTAMP_MIN: i64 = DATE_MIN as i64 * SECS_PER_DAY;
/// 9999-12-31T23:59:59Z in seconds since the epoch.
const TIMESTAMP_MAX: i64 = (DATE_MAX as i64 + 1) * SECS_PER_DAY - 1;

/// The row index as an expression integer. Row indices stay below 2^63 (no run holds that
/// many rows), so the conversion is exact.
#[inline]
pub fn row_index(index: u64) -> i64 {
    index as i64
}

/// `date + days`, or `None` outside 0001-01-01..=9999-12-31.
#[inline]
pub fn date_add_days(date: i32, days: i64) -> Option<i32> {
    let d = (date as i64).checked_add(days)?;
    (DATE_MIN as i64..=DATE_MAX as i64)
        .contains(&d)
        .then_some(d as i32)
}

/// `timestamp + seconds`, or `None` outside years 0001..=9999.
#[inline]
pub fn timestamp_add_secs(t: Timestamp, secs: i64) -> Option<Timestamp> {
    let s = t.0.checked_add(secs)?;
    (TIMESTAMP_MIN..=TIMESTAMP_MAX)
        .contains(&s)
        .then_some(Timestamp(s))
}

/// The UTC date of a timestamp, or `None` outside years 0001..=9999.
#[inline]
pub fn date_of(t: Timestamp) -> Option<i32> {
    (TIMESTAMP_MIN..=TIMESTAMP_MAX)
        .contains(&t.0)
        .then(|| t.0.div_euclid(SECS_PER_DAY) as i32)
}

/// Midnight UTC of a date.
#[inline]
pub fn timestamp_of(date: i32) -> Timestamp {
    Timestamp(date as i64 * SECS_PER_DAY)
}

/// 10^p as f64 (exact for p <= 22).
#[inline]
fn pow10(places: u32) -> f64 {
    10f64.powi(places as i32)
}

/// `v` rounded half away from zero to `places` decimals: what `write_decimal` prints, so a
/// value and its text agree.
///
/// `v` stands for a decimal (the double nearest it), and a decimal tie such as 8798.505 to
/// 2 places is held as 8798.504999…, or lands there once scaled: a scaled value within a
/// few units in the last place of a half is that half, rounded away from zero as the
/// decimal would be. A value that is not a tie differs from a half by at least 10^-k for a
/// decimal of `places + k` places, far more than that tolerance for any realistic
/// magnitude.
#[inline]
pub fn round_places(v: f64, places: u32) -> f64 {
    round_scaled(v * pow10(places)) / pow10(places)
}

/// `x` (a decimal scaled by a power of ten) rounded to a whole number half away from zero,
/// a hair below a half counting as the half (see [`round_places`]).
#[inline]
fn round_scaled(x: f64) -> f64 {
    let r = crate::float::round(x);
    // Rounded toward zero from a hair below the half.
    let gap = (x - r).abs();
    let below_a_half = r.abs() < x.abs() && 0.5 - gap <= x.abs() * 4.0 * f64::EPSILON;
    if below_a_half {
        r + x.signum()
    } else {
        r
    }
}

/// Any `v` rounded to `places` decimals as a mantissa (as [`round_places`] rounds it), or
/// `None` when that is not below 2^53 in magnitude.
#[inline]
pub fn round_to_mantissa(v: f64, places: u32) -> Option<i64> {
    let x = v * pow10(places);
    (x.abs() < EXACT_F64 as f64).then(|| round_scaled(x) as i64)
}

/// The i64 nearest to an already integral `v`, or `None` when it does not fit.
#[inline]
fn integral_to_i64(v: f64) -> Option<i64> {
    // -2^63 is exact in f64; 2^63 is the first value past i64::MAX.
    (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0)
        .contains(&v)
        .then_some(v as i64)
}

/// `round(v)` half away from zero as an integer, or `None` when it does not fit an i64.
#[inline]
pub fn round_to_i64(v: f64) -> Option<i64> {
    integral_to_i64(crate::float::round(v))
}

/// `floor(v)` as an integer, or `None` when it does not fit an i64.
#[inline]
pub fn floor_to_i64(v: f64) -> Option<i64> {
    integral_to_i64(crate::float::floor(v))
}

/// `v`, a decimal with `from` places, cut toward zero to `to` places (`to < from`): exact
/// on the value's own grid (`123.45` held as `123.4499...` stays `123.45` at 2 places).
#[inline]
pub fn trunc_places(v: f64, from: u32, to: u32) -> f64 {
    let m = crate::float::round(v * pow10(from));
    // The mantissa cut by an integer division: exact, and a multiplication once `from - to`
    // is a constant (generated code passes literals).
    if m.abs() < 9.0e18 {
        let cut = 10i64.pow(from - to);
        return ((m as i64) / cut) as f64 / pow10(to);
    }
    crate::float::trunc(m / pow10(from - to)) / pow10(to)
}

/// `trunc(v)` of a decimal with `from` places as an integer, or `None` when it does not fit.
#[inline]
pub fn trunc_to_i64(v: f64, from: u32) -> Option<i64> {
    integral_to_i64(trunc_places(v, from, 0))
}

/// `ceil(v)` as an integer, or `None` when it does not fit an i64.
#[inline]
pub fn ceil_to_i64(v: f64) -> Option<i64> {
    integral_to_i64(crate::float::ceil(v))
}

/// `a / b` rounded to `places`, or `None` when `b` is zero.
#[inline]
pub fn div_decimal(a: f64, b: f64, places: u32) -> Option<f64> {
    (b != 0.0).then(|| round_places(a / b, places))
}

/// `a * b` rounded to `places`, or `None` when the product is not finite.
#[inline]
pub fn mul_decimal(a: f64, b: f64, places: u32) -> Option<f64> {
    let p = a * b;
    p.is_finite().then(|| round_places(p, places))
}

/// `a + b` (or `a - b` with `b` negated) rounded to `places`, or `None` when not finite.
#[inline]
pub fn add_decimal(a: f64, b: f64, places: u32) -> Option<f64> {
    let s = a + b;
    s.is_finite().then(|| round_places(s, places))
}

/// 10^k as an i64, for k in 0..=18.
const POW10_I64: [i64; 19] = {
    let mut t = [1i64; 19];
    let mut k = 1;
    while k < 19 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// 2^53: below it every integer is exact in an f64.
const EXACT_F64: i64 = 1 << 53;

// Decimal arithmetic on scaled integers ("mantissas": 12.34 with 2 places is 1234). Compiled
// expressions use these for chains of decimal `+ - *`, `trunc` and `round`: exact, and
// integer operations by constant powers of ten instead of a float rounding (a conversion
// round trip and a division) after every step. A `None` sends the caller back to the f64
// functions above, which agree with these wherever a value fits.

/// The decimal `v` (a value on the grid of `places` decimals, as every decimal value is) as
/// its mantissa, or `None` when it is not below 2^51 in magnitude once scaled.
#[inline]
pub fn to_mantissa(v: f64, places: u32) -> Option<i64> {
    let x = v * pow10(places);
    // A decimal on its grid is a hair from a whole number once scaled, so any rounding
    // gives that number: adding 1.5 x 2^52 leaves it in the low bits of the sum (an add and
    // a subtraction, where a float-to-int round trip is a chain of conversions). Exact for
    // |x| < 2^51; NaN fails the comparison too.
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 x 2^52
    (x.abs() < (EXACT_F64 / 4) as f64)
        .then(|| (x + MAGIC).to_bits() as i64 - MAGIC.to_bits() as i64)
}

/// The decimal of mantissa `m` with `places` places as the f64 nearest it (what
/// [`round_places`] returns for the same decimal), or `None` when `m` is not exact in an f64.
#[inline]
pub fn from_mantissa(m: i64, places: u32) -> Option<f64> {
    (m.unsigned_abs() < EXACT_F64 as u64).then(|| m as f64 / pow10(places))
}

/// The decimal of mantissa `m` with `places` places as the f64 nearest to `m` as an f64 over
/// 10^places: [`from_mantissa`] where that is exact, the nearest double beyond.
#[inline]
pub fn from_mantissa_nearest(m: i64, places: u32) -> f64 {
    m as f64 / pow10(places)
}

/// `m` with `k` more places (`m * 10^k`), or `None` on overflow.
#[inline]
pub fn mantissa_widen(m: i64, k: u32) -> Option<i64> {
    m.checked_mul(POW10_I64[k as usize])
}

/// `m` with `k` fewer places, rounded half away from zero (as [`round_places`]).
#[inline]
pub fn mantissa_round(m: i64, k: u32) -> i64 {
    let d = POW10_I64[k as usize];
    let (q, r) = (m / d, m % d);
    // |r| < d <= 10^18, so 2|r| fits.
    if 2 * r.unsigned_abs() >= d as u64 {
        q + m.signum()
    } else {
        q
    }
}

/// `m` with `k` fewer places, cut toward zero (as [`trunc_places`]).
#[inline]
pub fn mantissa_trunc(m: i64, k: u32) -> i64 {
    m / POW10_I64[k as usize]
}

/// A uniform integer in `[lo, hi]`, or `None` when the range is empty.
#[inline]
pub fn uniform_i64(rng: &mut CellRng, lo: i64, hi: i64) -> Option<i64> {
    (lo <= hi).then(|| rng.range_i64(lo, hi))
}

/// A uniform integer in `[lo, hi]` for bounds known at build time to be ordered.
#[inline]
pub fn uniform_i64_ordered(rng: &mut CellRng, lo: i64, hi: i64) -> i64 {
    rng.range_i64(lo, hi)
}

/// A uniform decimal with `places` decimals in `[lo, hi]` (every value of that grid equally
/// likely), or `None` when the range is empty or too wide for an i64 grid.
#[inline]
pub fn uniform_decimal(rng: &mut CellRng, lo: f64, hi: f64, places: u32) -> Option<f64> {
    let scale = pow10(places);
    let lo = round_to_i64(lo * scale)?;
    let hi = round_to_i64(hi * scale)?;
    (lo <= hi).then(|| rng.range_i64(lo, hi) as f64 / scale)
}

/// A uniform date in `[lo, hi]`, or `None` when the range is empty.
#[inline]
pub fn uniform_date(rng: &mut CellRng, lo: i32, hi: i32) -> Option<i32> {
    (lo <= hi).then(|| rng.range_i64(lo as i64, hi as i64) as i32)
}

/// A uniform timestamp (whole seconds) in `[lo, hi]`, or `None` when the range is empty.
#[inline]
pub fn uniform_timestamp(rng: &mut CellRng, lo: Timestamp, hi: Timestamp) -> Option<Timestamp> {
    (lo <= hi).then(|| Timestamp(rng.range_i64(lo.0, hi.0)))
}

/// `true` with probability `p` (one draw, whatever `p`).
#[inline]
pub fn bernoulli(rng: &mut CellRng, p: f64) -> bool {
    rng.next_f64() < p
}

/// SQL three-valued `a AND b`: false wins over unknown.
#[inline]
pub fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// SQL three-valued `a OR b`: true wins over unknown.
#[inline]
pub fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// The number of characters of `s`, as SQL's `length`.
#[inline]
pub fn char_length(s: &str) -> i64 {
    if s.is_ascii() {
        s.len() as i64
    } else {
        s.chars().count() as i64
    }
}

/// SQL's `substr(s, start, len)`: characters from 1-based `start`, at most `len` of them; a
/// start before 1 eats into the length as in SQL; a negative length is `None`.
pub fn substr(s: &str, start: i64, len: i64) -> Option<&str> {
    if len < 0 {
        return None;
    }
    let end = start.saturating_add(len);
    let first = start.max(1);
    if end <= first {
        return Some("");
    }
    let skip = (first - 1) as usize;
    let take = (end - first) as usize;
    if s.is_ascii() {
        let a = skip.min(s.len());
        let b = a.saturating_add(take).min(s.len());
        return Some(&s[a..b]);
    }
    let mut idx = s.char_indices().map(|(i, _)| i).chain([s.len()]);
    let a = idx.nth(skip).unwrap_or(s.len());
    let b = if take == 0 {
        a
    } else {
        idx.nth(take - 1).unwrap_or(s.len())
    };
    Some(&s[a..b])
}

/// Append `v` left-padded with `fill` to `width` characters; digits are never cut, and with a
/// `'0'` fill a minus sign goes before the zeros (`-0042`), as `format!("{v:05}")` does.
#[inline]
pub fn push_lpad_i64(v: i64, width: i64, fill: char, out: &mut String) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v);
    let pad = (width.max(0) as usize).saturating_sub(digits.len());
    if fill == '0' && v < 0 {
        out.push('-');
        out.extend(std::iter::repeat_n('0', pad));
        out.push_str(&digits[1..]);
    } else {
        out.extend(std::iter::repeat_n(fill, pad));
        out.push_str(digits);
    }
}

/// Append SQL's `lpad(s, width, fill)`: `s` left-padded with `fill` to `width` characters,
/// or cut to its first `width` characters when longer.
#[inline]
pub fn push_lpad_str(s: &str, width: i64, fill: char, out: &mut String) {
    let width = width.max(0) as usize;
    let n = char_length(s) as usize;
    if n >= width {
        out.push_str(substr(s, 1, width as i64).unwrap_or(""));
    } else {
        out.extend(std::iter::repeat_n(fill, width - n));
        out.push_str(s);
    }
}

/// Append a date as `YYYY-MM-DD`.
#[inline]
pub fn push_date(date: i32, out: &mut String) {
    let start = out.len();
    push_timestamp(timestamp_of(date), out);
    // The timestamp's first ten bytes are its date (years 0001..=9999 have four digits).
    out.truncate(start + 10);
}

/// Append `s` upper-cased, character by character.
#[inline]
pub fn push_upper(s: &str, out: &mut String) {
    crate::format::push_uppercase(s, out);
}

/// Append `s` lower-cased, character by character.
#[inline]
pub fn push_lower(s: &str, out: &mut String) {
    crate::format::push_lowercase(s, out);
}

/// Append `true` or `false`.
#[inline]
pub fn push_bool(v: bool, out: &mut String) {
    out.push_str(if v { "true" } else { "false" });
}

/// Append an integer (re-exported so generated expression code needs one module).
#[inline]
pub fn push_integer(v: i64, out: &mut String) {
    push_i64(v, out);
}

/// Append a decimal with exactly `places` decimals.
#[inline]
pub fn push_decimal_places(v: f64, places: u32, out: &mut String) {
    push_decimal(v, places, out);
}

/// Append a timestamp as RFC 3339 UTC.
#[inline]
pub fn push_time(v: Timestamp, out: &mut String) {
    push_timestamp(v, out);
}

/// Append a lower-case hyphenated UUID.
#[inline]
pub fn push_uuid_text(v: &Uuid, out: &mut String) {
    push_uuid(v, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn days(y: i32, m: u32, d: u32) -> i32 {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        (NaiveDate::from_ymd_opt(y, m, d).unwrap() - epoch).num_days() as i32
    }

    #[test]
    fn mantissas_agree_with_the_f64_decimal_functions() {
        // Decimals on grids of 2 and 4 places, both signs, ties included: every operation on
        // mantissas gives the value the f64 functions give (to the last bit of the double).
        let mut rng = CellRng::new(7, 1, 2, 3);
        for _ in 0..20_000 {
            let a = rng.range_i64(-2_000_000, 2_000_000); // -20000.00 ..= 20000.00
            let b = rng.range_i64(-20_000, 20_000); // -2.0000 ..= 2.0000
            let (fa, fb) = (from_mantissa(a, 2).unwrap(), from_mantissa(b, 4).unwrap());
            assert_eq!(to_mantissa(fa, 2), Some(a));
            assert_eq!(to_mantissa(fb, 4), Some(b));
            let sum = mantissa_widen(a, 2).unwrap() + b;
            assert_eq!(from_mantissa(sum, 4), add_decimal(fa, fb, 4));
            let product = a * b; // 6 places
            assert_eq!(from_mantissa(product, 6), mul_decimal(fa, fb, 6));
            for k in 1..=4 {
                assert_eq!(
                    from_mantissa(mantissa_round(product, k), 6 - k),
                    Some(round_places(from_mantissa(product, 6).unwrap(), 6 - k)),
                    "round {product} by {k}"
                );
                assert_eq!(
                    from_mantissa(mantissa_trunc(product, k), 6 - k),
                    Some(trunc_places(from_mantissa(product, 6).unwrap(), 6, 6 - k)),
                    "trunc {product} by {k}"
                );
            }
        }
        // Half away from zero, both signs; toward zero, both signs.
        assert_eq!(mantissa_round(125, 1), 13);
        assert_eq!(mantissa_round(-125, 1), -13);
        assert_eq!(mantissa_round(-124, 1), -12);
        assert_eq!(mantissa_trunc(-129, 1), -12);
        // Out of the exact range: back to the f64 path.
        assert_eq!(to_mantissa(1e16, 2), None);
        assert_eq!(
            to_mantissa(-22_517_998_136_852.47, 2),
            Some(-2_251_799_813_685_247)
        );
        assert_eq!(to_mantissa(22_517_998_136_852.48, 2), None); // 2^51
        assert_eq!(to_mantissa(f64::NAN, 2), None);
        assert_eq!(from_mantissa(1 << 53, 2), None);
        assert_eq!(mantissa_widen(i64::MAX / 10, 2), None);
    }

    #[test]
    fn trunc_cuts_toward_zero_on_the_values_own_grid() {
        // 0.29 * 100 = 28.999999999999996 in doubles: a plain truncation would give 0.28.
        assert_eq!(trunc_places(0.29, 2, 2 - 1), 0.2);
        assert_eq!(trunc_places(123.4567, 4, 2), 123.45);
        assert_eq!(trunc_places(-123.4567, 4, 2), -123.45);
        assert_eq!(trunc_places(0.285, 3, 2), 0.28);
        // TPC-H's cents: 901.00 * 0.96 = 864.9600, * 1.07 = 925.507200 -> 925.50.
        let net = trunc_places(mul_decimal(901.0, 0.96, 4).unwrap(), 4, 2);
        let gross = trunc_places(mul_decimal(net, 1.07, 4).unwrap(), 4, 2);
        assert_eq!((net, gross), (864.96, 925.5));
        assert_eq!(trunc_to_i64(-7.9, 1), Some(-7));
        // Large mantissas (near 2^53) cut exactly; beyond i64, the float path.
        assert_eq!(
            trunc_to_i64(900_719_925_474_099.1, 1),
            Some(900_719_925_474_099)
        );
        assert_eq!(trunc_places(-12_345_678_901.234_5, 4, 1), -12_345_678_901.2);
        assert_eq!(trunc_places(1e30, 2, 0), 1e30);
        assert_eq!(trunc_to_i64(1e30, 1), None);
        // Every 2-place value survives a cut to 2 places of its 4-place form.
        for cents in -20_000i64..20_000 {
            let v = cents as f64 / 100.0;
            assert_eq!(trunc_places(v, 4, 2), v, "{v}");
        }
    }

    #[test]
    fn decimal_ties_round_away_from_zero_whatever_their_binary_error() {
        // 87985.05 * 0.10 = 8798.505 exactly; the double product is 8798.505000000001,
        // and to 4 places it is the double 8798.505, whose scaled value 879850.4999999999
        // is a hair below the half.
        let product = round_places(87985.05 * 0.1, 4);
        assert_eq!(round_places(product, 2), 8798.51);
        assert_eq!(round_places(-product, 2), -8798.51);
        assert_eq!(round_places(0.125, 2), 0.13);
        assert_eq!(round_places(1.005, 2), 1.01);
        assert_eq!(round_places(2.675, 2), 2.68);
        // Not ties: the nearest value either way.
        assert_eq!(round_places(8798.504, 2), 8798.5);
        assert_eq!(round_places(8798.5049, 2), 8798.5);
        assert_eq!(round_places(0.49999, 0), 0.0);
        assert_eq!(round_places(123.456, 1), 123.5);
        // Every cent amount times 0.10, against integer arithmetic in tenths of a cent.
        for cents in (0..50_000_000i64).step_by(997) {
            let tenth = round_places(cents as f64 / 100.0 * 0.1, 4);
            let want = ((cents + 5) / 10) as f64 / 100.0;
            assert_eq!(round_places(tenth, 2), want, "{cents} cents");
        }
    }

    #[test]
    fn date_bounds_match_chrono() {
        assert_eq!(DATE_MIN, days(1, 1, 1));
        assert_eq!(DATE_MAX, days(9999, 12, 31));
        assert_eq!(date_add_days(DATE_MAX, 1), None);
        assert_eq!(date_add_days(DATE_MIN, -1), None);
        assert_eq!(date_add_days(0, i64::MAX), None);
        assert_eq!(date_add_days(days(2024, 2, 28), 1), Some(days(2024, 2, 29)));
        assert_eq!(date_add_days(days(2023, 2, 28), 1), Some(days(2023, 3, 1)));
    }

    #[test]
    fn push_date_matches_chrono_over_all_four_digit_years() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut d = DATE_MIN;
        while d <= DATE_MAX {
            let mut s = String::new();
            push_date(d, &mut s);
            let want = epoch + chrono::TimeDelta::days(d.into());
            assert_eq!(s, want.format("%Y-%m-%d").to_string(), "day {d}");
            // Steps of 997 days visit every month, leap days and century years over time.
            d = if d == DATE_MAX {
                d + 1
            } else {
                (d + 997).min(DATE_MAX)
            };
        }
    }

    #[test]
    fn timestamps_and_dates_convert() {
        let t = Timestamp::parse_rfc3339("1995-06-17T23:59:59Z").unwrap();
        assert_eq!(date_of(t), Some(days(1995, 6, 17)));
        let before = Timestamp::parse_rfc3339("1969-12-31T23:00:00Z").unwrap();
        assert_eq!(date_of(before), Some(-1));
        assert_eq!(timestamp_of(days(1995, 6, 17)).0, 803_347_200);
        assert_eq!(
            timestamp_add_secs(t, 1),
            Timestamp::parse_rfc3339("1995-06-18T00:00:00Z")
        );
        assert_eq!(timestamp_add_secs(Timestamp(TIMESTAMP_MAX), 1), None);
        assert_eq!(date_of(Timestamp(i64::MIN)), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_places(2.675, 2), 2.68);
        assert_eq!(round_places(-2.5, 0), -3.0);
        assert_eq!(round_places(0.1 + 0.2, 1), 0.3);
        assert_eq!(round_to_i64(2.5), Some(3));
        assert_eq!(round_to_i64(-2.5), Some(-3));
        assert_eq!(floor_to_i64(-0.5), Some(-1));
        assert_eq!(ceil_to_i64(-0.5), Some(0));
        assert_eq!(round_to_i64(1e19), None);
        assert_eq!(floor_to_i64(f64::NAN), None);
        assert_eq!(div_decimal(1.0, 3.0, 4), Some(0.3333));
        assert_eq!(div_decimal(1.0, 0.0, 4), None);
        assert_eq!(mul_decimal(1e300, 1e300, 2), None);
        assert_eq!(add_decimal(0.1, 0.2, 2), Some(0.3));
    }

    #[test]
    fn draws_stay_in_range_and_are_reproducible() {
        let mut a = CellRng::new(1, 2, 3, 4);
        let mut b = CellRng::new(1, 2, 3, 4);
        for _ in 0..1000 {
            let x = uniform_decimal(&mut a, -999.99, 9999.99, 2).unwrap();
            assert_eq!(Some(x), uniform_decimal(&mut b, -999.99, 9999.99, 2));
            assert!((-999.99..=9999.99).contains(&x));
            assert_eq!(round_places(x, 2), x);
            let d = uniform_date(&mut a, 10, 12).unwrap();
            assert_eq!(Some(d), uniform_date(&mut b, 10, 12));
            assert!((10..=12).contains(&d));
        }
        assert_eq!(uniform_i64(&mut a, 2, 1), None);
        assert_eq!(uniform_i64(&mut a, 5, 5), Some(5));
        let mut c = a.clone();
        assert_eq!(uniform_i64_ordered(&mut a, -3, 3), c.range_i64(-3, 3));
        let hits = (0..10_000).filter(|_| bernoulli(&mut a, 0.25)).count();
        assert!((2300..2700).contains(&hits), "{hits}");
        assert!(!bernoulli(&mut a, 0.0));
        assert!(bernoulli(&mut a, 1.0));
    }

    #[test]
    fn three_valued_logic() {
        let v = [Some(true), Some(false), None];
        for a in v {
            for b in v {
                let and = and3(a, b);
                let or = or3(a, b);
                // Against the truth tables written as SQL defines them.
                let want_and = match (a, b) {
                    (Some(x), Some(y)) => Some(x && y),
                    (Some(false), None) | (None, Some(false)) => Some(false),
                    _ => None,
                };
                let want_or = match (a, b) {
                    (Some(x), Some(y)) => Some(x || y),
                    (Some(true), None) | (None, Some(true)) => Some(true),
                    _ => None,
                };
                assert_eq!((and, or), (want_and, want_or), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn substr_is_one_based_like_sql() {
        assert_eq!(substr("hello", 1, 2), Some("he"));
        assert_eq!(substr("hello", 2, 3), Some("ell"));
        assert_eq!(substr("hello", 0, 2), Some("h"));
        assert_eq!(substr("hello", -5, 2), Some(""));
        assert_eq!(substr("hello", 4, 10), Some("lo"));
        assert_eq!(substr("hello", 9, 1), Some(""));
        assert_eq!(substr("hello", 1, -1), None);
        assert_eq!(substr("héllo", 2, 3), Some("éll"));
        assert_eq!(substr("héllo", 5, 1), Some("o"));
        assert_eq!(substr("héllo", 2, 0), Some(""));
        assert_eq!(char_length("héllo"), 5);
        assert_eq!(char_length(""), 0);
    }

    #[test]
    fn pads_integers_and_text() {
        let mut s = String::new();
        push_lpad_i64(1, 9, '0', &mut s);
        assert_eq!(s, "000000001");
        for (v, w, fill, want) in [
            (-42, 5, '0', "-0042"),
            (-42, 5, ' ', "  -42"),
            (123_456, 3, '0', "123456"),
            (7, 0, '0', "7"),
            (i64::MIN, 25, '0', "-000009223372036854775808"),
        ] {
            let mut s = String::new();
            push_lpad_i64(v, w, fill, &mut s);
            assert_eq!(s, want);
            if v >= 0 || fill == '0' {
                assert_eq!(s, format!("{v:0w$}", w = w as usize));
            }
        }
        let mut s = String::new();
        push_lpad_str("ab", 5, '*', &mut s);
        push_lpad_str("héllo", 3, '*', &mut s);
        push_lpad_str("x", -1, '*', &mut s);
        assert_eq!(s, "***abhél");
    }

    #[test]
    fn pushes_values_as_written_in_csv() {
        let mut s = String::new();
        push_date(days(1995, 6, 17), &mut s);
        s.push(' ');
        push_date(DATE_MIN, &mut s);
        s.push(' ');
        push_date(DATE_MAX, &mut s);
        s.push(' ');
        push_date(days(1969, 12, 31), &mut s);
        s.push(' ');
        push_bool(true, &mut s);
        s.push(' ');
        push_integer(-7, &mut s);
        s.push(' ');
        push_decimal_places(1.5, 2, &mut s);
        s.push(' ');
        push_time(Timestamp(0), &mut s);
        s.push(' ');
        push_uuid_text(&Uuid::nil(), &mut s);
        s.push(' ');
        push_upper("émile", &mut s);
        push_lower("ÉMILE", &mut s);
        assert_eq!(
            s,
            "1995-06-17 0001-01-01 9999-12-31 1969-12-31 true -7 1.50 1970-01-01T00:00:00Z 00000000-0000-0000-0000-000000000000 ÉMILEémile"
        );
    }
}
