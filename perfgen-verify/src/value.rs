//! Strict parsers for the column types, written independently of the formatters that wrote
//! the values, and the compact keys that uniqueness and foreign-key checks hold in memory.

const NOT_HEX: u8 = 0xff;

/// The value of each byte as a hex digit, [`NOT_HEX`] for the others (one load per byte
/// on verify's hottest parse, the UUIDs).
static HEX: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// A hyphenated UUID (`8-4-4-4-12` hex digits) of version 4 and the RFC 4122 variant, as
/// its 128 bits.
pub(crate) fn parse_uuid_v4(s: &[u8]) -> Result<u128, &'static str> {
    if s.len() != 36 {
        return Err("not a hyphenated UUID");
    }
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return Err("not a hyphenated UUID");
    }
    // The first 16 digits and the last 16 in a u64 each (cheaper shifts than a u128's), and
    // the OR of every digit's table entry: NOT_HEX sets the high bits, digits never do.
    let mut bad = 0u8;
    let mut half = |groups: &[&[u8]]| {
        let mut h = 0u64;
        for group in groups {
            for &b in *group {
                let d = HEX[b as usize];
                bad |= d;
                h = (h << 4) | u64::from(d & 0xf);
            }
        }
        h
    };
    let hi = half(&[&s[0..8], &s[9..13], &s[14..18]]);
    let lo = half(&[&s[19..23], &s[24..36]]);
    let v = (u128::from(hi) << 64) | u128::from(lo);
    if bad & 0xf0 != 0 {
        return Err("not a hyphenated UUID");
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
