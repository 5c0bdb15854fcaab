//! Strict parsers for the column types, written independently of the formatters that wrote
//! the values, and the compact keys that uniqueness and foreign-key checks hold in memory.

/// Eight copies of byte `b` (for tests of eight bytes at once, here and in the reader).
pub(crate) const fn bytes8(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each of eight bytes.
const HIGH: u64 = bytes8(0x80);

/// Eight hex digits (ASCII, the first in the lowest byte) as the 32 bits they write, or
/// None if one is not a hex digit. A byte-wise range test and nibble sum on the whole word
/// (SWAR): a quarter of the instructions of a table lookup per digit, on verify's hottest
/// parse, the UUIDs. The sums never carry between bytes once every byte is below 0x80.
#[inline]
fn hex8(x: u64) -> Option<u32> {
    // Bytes 0x30..=0x39, and bytes that are 0x61..=0x66 once their 0x20 bit is set ('A'..'F'
    // too): the high bit of x + (0x80 - lo) set and that of x + (0x7f - hi) clear.
    let digit = x.wrapping_add(bytes8(0x80 - b'0')) & !x.wrapping_add(bytes8(0x7f - b'9'));
    let y = x | bytes8(0x20);
    let letter = y.wrapping_add(bytes8(0x80 - b'a')) & !y.wrapping_add(bytes8(0x7f - b'f'));
    if x & HIGH != 0 || (digit | letter) & HIGH != HIGH {
        return None;
    }
    // Each byte's value: its low nibble, plus 9 for a letter (bit 6 set).
    let n = (x & bytes8(0x0f)) + ((x >> 6) & bytes8(1)) * 9;
    // Pairs of digits into bytes (the first digit high), then the four bytes in order.
    const LOW_NIBBLES: u64 = 0x000f_000f_000f_000f;
    let t = ((n & LOW_NIBBLES) << 4) | ((n >> 8) & LOW_NIBBLES);
    let u = (t & 0xff) | ((t >> 8) & 0xff00) | ((t >> 16) & 0xff_0000) | ((t >> 24) & 0xff00_0000);
    Some((u as u32).swap_bytes())
}

/// Four bytes of `s` at `at`, the first lowest.
#[inline]
fn four(s: &[u8; 36], at: usize) -> u64 {
    u64::from(u32::from_le_bytes([s[at], s[at + 1], s[at + 2], s[at + 3]]))
}

/// A hyphenated UUID (`8-4-4-4-12` hex digits) of version 4 and the RFC 4122 variant, as
/// its 128 bits.
pub(crate) fn parse_uuid_v4(s: &[u8]) -> Result<u128, &'static str> {
    // As an array: the indexes below need no bounds checks.
    let Ok(s) = <&[u8; 36]>::try_from(s) else {
        return Err("not a hyphenated UUID");
    };
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return Err("not a hyphenated UUID");
    }
    // Four words of eight digits each (the 4-digit groups in pairs).
    let words = [
        four(s, 0) | four(s, 4) << 32,
        four(s, 9) | four(s, 14) << 32,
        four(s, 19) | four(s, 24) << 32,
        four(s, 28) | four(s, 32) << 32,
    ];
    let mut v = 0u128;
    for w in words {
        let Some(bits) = hex8(w) else {
            return Err("not a hyphenated UUID");
        };
        v = (v << 32) | u128::from(bits);
    }
    if (v >> 76) & 0xf != 4 {
        return Err("not a version 4 UUID");
    }
    if (v >> 62) & 0b11 != 0b10 {
        return Err("not an RFC 4122 variant UUID");
    }
    Ok(v)
}

/// A decimal integer: optional `-`, then digits, within i64.
pub(crate) fn parse_int(s: &[u8]) -> Option<i64> {
    let negative = s.first() == Some(&b'-');
    let digits = &s[usize::from(negative)..];
    if digits.is_empty() {
        return None;
    }
    // Accumulated towards the sign, so that i64::MIN parses too; None past the range.
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        v = v.checked_mul(10)?;
        v = if negative {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

/// A decimal with exactly `precision` digits after the point (none and no point for 0).
pub(crate) fn parse_decimal(s: &[u8], precision: u32) -> Result<f64, &'static str> {
    let body = s.strip_prefix(b"-").unwrap_or(s);
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], Some(&body[p + 1..])),
        None => (body, None),
    };
    if int.is_empty() || !int.iter().all(u8::is_ascii_digit) {
        return Err("not a decimal number");
    }
    match frac {
        None if precision == 0 => {}
        Some(f) if f.iter().all(u8::is_ascii_digit) && f.len() == precision as usize => {}
        Some(f) if !f.iter().all(u8::is_ascii_digit) || f.is_empty() => {
            return Err("not a decimal number")
        }
        _ => return Err("wrong number of decimals"),
    }
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|x| x.is_finite())
        .ok_or("not a decimal number")
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, &b| a * 10 + (b - b'0') as i64))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A `YYYY-MM-DD` date of years 0001..=9999 as days since 1970-01-01.
pub(crate) fn parse_date(s: &[u8]) -> Option<i64> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if y < 1 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// The last `YYYY-MM-DD` a field's timestamps began with and its day number: rows of a time
/// field often share a day (a `linear` range over two years puts thousands of rows on each),
/// and the day's digits and calendar check are then not done again.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DayCache(Option<([u8; 10], i64)>);

/// An RFC 3339 date-time, `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, as whole seconds since the
/// epoch (a fraction is dropped).
pub(crate) fn parse_timestamp(s: &[u8]) -> Option<i64> {
    parse_timestamp_in(s, &mut DayCache::default())
}

/// The day number of a timestamp's first ten bytes, `YYYY-MM-DD`, a day of the calendar.
fn timestamp_day(s: &[u8]) -> Option<i64> {
    if s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    Some(days_from_civil(y, mo, d))
}

/// [`parse_timestamp`], the day taken from `cache` when it is the cached one (and cached
/// otherwise).
pub(crate) fn parse_timestamp_in(s: &[u8], cache: &mut DayCache) -> Option<i64> {
    if s.len() < 20 {
        return None;
    }
    let date = &s[..10];
    let day = match cache.0 {
        Some((cached, day)) if cached == date => day,
        _ => {
            let day = timestamp_day(date)?;
            let mut key = [0u8; 10];
            key.copy_from_slice(date);
            cache.0 = Some((key, day));
            day
        }
    };
    let sep = |i: usize, c: u8| s[i] == c;
    if !(matches!(s[10], b'T' | b't') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (h, mi, sec) = (
        digits(&s[11..13])?,
        digits(&s[14..16])?,
        digits(&s[17..19])?,
    );
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), a, b, b':', c, e] => {
            let oh = digits(&[*a, *b])?;
            let om = digits(&[*c, *e])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    Some(day * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// A 128-bit digest of a text value (XXH3-128). Two distinct texts among 10^9 share a
/// digest with probability about 10^18 / 2^129: never, in practice (a file made to collide
/// at most makes a repeated value look distinct, or a foreign key look present).
pub(crate) fn text_key(s: &[u8]) -> u128 {
    twox_hash::XxHash3_128::oneshot(s)
}

/// An i64 as a key (zero-extended, so `u128::MAX` is never a key of a number).
pub(crate) fn int_key(v: i64) -> u128 {
    v as u64 as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UUID's 128 bits by a digit at a time, the obvious way.
    fn uuid_digit_by_digit(s: &[u8]) -> Option<u128> {
        if s.len() != 36 || [8, 13, 18, 23].iter().any(|&i| s[i] != b'-') {
            return None;
        }
        let digits: Vec<u8> = (0..36)
            .filter(|i| ![8, 13, 18, 23].contains(i))
            .map(|i| s[i])
            .collect();
        u128::from_str_radix(std::str::from_utf8(&digits).ok()?, 16)
            .ok()
            .filter(|_| digits.iter().all(u8::is_ascii_hexdigit))
    }

    #[test]
    fn uuids_agree_with_a_digit_by_digit_parse() {
        let good = *b"550e8400-e29b-41d4-a716-446655440000";
        // Every byte value at every position of a valid UUID, and mixed-case digits.
        for at in 0..36 {
            for b in 0..=255u8 {
                let mut s = good;
                s[at] = b;
                let want = uuid_digit_by_digit(&s);
                let got = parse_uuid_v4(&s);
                match want {
                    Some(v) if (v >> 76) & 0xf == 4 && (v >> 62) & 0b11 == 0b10 => {
                        assert_eq!(got, Ok(v), "{:?}", String::from_utf8_lossy(&s))
                    }
                    Some(_) => assert!(got.is_err()),
                    None => assert_eq!(got, Err("not a hyphenated UUID"), "{s:?}"),
                }
            }
        }
        for s in [
            &b"ABCDEFab-cdef-4901-8345-6789abcdefAB"[..],
            b"ffffffff-ffff-4fff-bfff-ffffffffffff",
            b"00000000-0000-4000-8000-000000000000",
        ] {
            assert_eq!(parse_uuid_v4(s).ok(), uuid_digit_by_digit(s));
        }
    }

    #[test]
    fn uuids() {
        let v = parse_uuid_v4(b"550e8400-e29b-41d4-a716-446655440000").unwrap();
        assert_eq!(v, 0x550e8400_e29b_41d4_a716_446655440000);
        assert_eq!(
            parse_uuid_v4(b"550E8400-E29B-41D4-A716-446655440000"),
            Ok(v)
        );
        assert_eq!(
            parse_uuid_v4(b"6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            Err("not a version 4 UUID")
        );
        assert_eq!(
            parse_uuid_v4(b"550e8400-e29b-41d4-c716-446655440000"),
            Err("not an RFC 4122 variant UUID")
        );
        assert!(parse_uuid_v4(b"550e8400e29b41d4a716446655440000").is_err());
        assert!(parse_uuid_v4(b"550e8400-e29b-41d4-a716-44665544000g").is_err());
        // A non-digit in every group, a misplaced hyphen, a byte above ASCII.
        for bad in [
            &b"x50e8400-e29b-41d4-a716-446655440000"[..],
            b"550e8400-e2 b-41d4-a716-446655440000",
            b"550e8400-e29b-4!d4-a716-446655440000",
            b"550e8400-e29b-41d4-a71g-446655440000",
            b"550e8400-e29b-41d4-a716-4466554400\xff0",
            b"550e840-0e29b-41d4-a716-446655440000",
            b"550e8400-e29b-41d4-a716-44665544000-",
        ] {
            assert_eq!(parse_uuid_v4(bad), Err("not a hyphenated UUID"), "{bad:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_int(b"-42"), Some(-42));
        assert_eq!(parse_int(b"0"), Some(0));
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b"1.0",
            b" 1",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
        // The range's ends and just past them, leading zeros, signs: as the standard
        // library's parse (after the strict shape) reads them.
        for text in [
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "-0",
            "007",
            "--1",
            "-+1",
            "1-",
            "٣",
        ] {
            let strict = text.strip_prefix('-').unwrap_or(text);
            let want = if strict.is_empty() || !strict.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                text.parse::<i64>().ok()
            };
            assert_eq!(parse_int(text.as_bytes()), want, "{text}");
        }
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_decimal(b"150.50", 2), Ok(150.5));
        assert_eq!(parse_decimal(b"-0.25", 2), Ok(-0.25));
        assert_eq!(parse_decimal(b"12", 0), Ok(12.0));
        assert_eq!(parse_decimal(b"150.5", 2), Err("wrong number of decimals"));
        assert_eq!(parse_decimal(b"150", 2), Err("wrong number of decimals"));
        assert_eq!(parse_decimal(b"12.0", 0), Err("wrong number of decimals"));
        assert_eq!(parse_decimal(b"1e3", 2), Err("not a decimal number"));
        assert_eq!(parse_decimal(b".50", 2), Err("not a decimal number"));
        assert_eq!(parse_decimal(b"1.", 2), Err("not a decimal number"));
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_timestamp(b"2024-01-15T12:00:00Z"),
            Some(1_705_320_000)
        );
        assert_eq!(parse_timestamp(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp(b"1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(
            parse_timestamp(b"2024-01-15T13:00:00.999+01:00"),
            Some(1_705_320_000)
        );
        assert_eq!(
            parse_timestamp(b"2024-02-29T00:00:00Z"),
            Some(1_709_164_800)
        );
        for bad in [
            &b"2023-02-29T00:00:00Z"[..],
            b"2024-01-15",
            b"2024-01-15 12:00:00Z",
            b"2024-01-15T12:00:00",
            b"2024-01-15T24:00:00Z",
            b"2024-13-01T00:00:00Z",
            b"2024-01-15T12:00:00.Z",
            b"2024-01-15T12:00:00+0100",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn a_field_s_cached_day_gives_what_parsing_alone_gives() {
        // In turn through one cache: the same day with other times (valid and not), a day
        // that is no day, ten NUL bytes where a day would be, and back.
        let texts: [&[u8]; 12] = [
            b"2024-01-15T12:00:00Z",
            b"2024-01-15T23:59:59+01:00",
            b"2024-01-15T24:00:00Z",
            b"2024-01-15X12:00:00Z",
            b"2024-02-30T00:00:00Z",
            b"2024-02-30T00:00:00Z",
            b"\0\0\0\0\0\0\0\0\0\0T00:00:00Z",
            b"2024-01-15T00:00:01Z",
            b"2024-01-16T00:00:00Z",
            b"2024-01-15",
            b"2024-01-15T00:00:00.5Z",
            b"\0\0\0\0\0\0\0\0\0\0T00:00:00Z",
        ];
        let mut cache = DayCache::default();
        for text in texts {
            assert_eq!(
                parse_timestamp_in(text, &mut cache),
                parse_timestamp(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let mut cache = DayCache::default();
        assert_eq!(parse_timestamp_in(texts[6], &mut cache), None);
        assert_eq!(
            parse_timestamp_in(texts[0], &mut cache),
            Some(1_705_320_000)
        );
        assert_eq!(
            parse_timestamp_in(b"2024-01-15T12:00:01Z", &mut cache),
            Some(1_705_320_001)
        );
    }

    #[test]
    fn keys() {
        assert_ne!(text_key(b"a"), text_key(b"b"));
        assert_eq!(text_key(b"abc"), text_key(b"abc"));
        assert_ne!(int_key(-1), u128::MAX);
    }
}
