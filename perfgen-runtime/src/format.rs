//! Direct field formatting into a byte buffer: no allocation, no generic machinery.

use crate::time::DIGIT_PAIRS;
use uuid::Uuid;

/// Append `s` without a call into the C library's `memcpy` when it is at most 64 bytes:
/// fixed-size copies (16, 8, 4 or 1 bytes, the last one overlapping) that the compiler emits
/// as loads and stores. Fields are short and a row has many: the calls were the largest single cost
/// of formatting TPC-H's ORDERS (14% of its samples in `memmove`).
#[inline(always)]
pub fn push_short(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    if n == 0 || n > 64 {
        out.extend_from_slice(s);
        return;
    }
    out.reserve(64);
    let len = out.len();
    let spare = &mut out.spare_capacity_mut()[..64];
    // Copies s[..k] to spare[..k] and s[n-k..] to spare[n-k..n]: together all of s.
    let mut copy = |at: usize, bytes: &[u8]| {
        for (slot, &b) in spare[at..at + bytes.len()].iter_mut().zip(bytes) {
            slot.write(b);
        }
    };
    if n > 16 {
        // 16-byte blocks, the last one ending at `n`.
        let mut at = 0;
        while at + 16 < n {
            copy(at, &u128_at(s, at).to_le_bytes());
            at += 16;
        }
        copy(n - 16, &u128_at(s, n - 16).to_le_bytes());
    } else if n >= 8 {
        let (a, b) = (u64_at(s, 0), u64_at(s, n - 8));
        copy(0, &a.to_le_bytes());
        copy(n - 8, &b.to_le_bytes());
    } else if n >= 4 {
        let (a, b) = (u32_at(s, 0), u32_at(s, n - 4));
        copy(0, &a.to_le_bytes());
        copy(n - 4, &b.to_le_bytes());
    } else {
        copy(0, &[s[0]]);
        copy(n / 2, &[s[n / 2]]);
        copy(n - 1, &[s[n - 1]]);
    }
    set_len_after_write(out, len + n);
}

#[inline(always)]
fn u128_at(s: &[u8], i: usize) -> u128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(&s[i..i + 16]);
    u128::from_le_bytes(b)
}

#[inline(always)]
fn u64_at(s: &[u8], i: usize) -> u64 {
    u64::from_le_bytes([
        s[i],
        s[i + 1],
        s[i + 2],
        s[i + 3],
        s[i + 4],
        s[i + 5],
        s[i + 6],
        s[i + 7],
    ])
}

#[inline(always)]
fn u32_at(s: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]])
}

/// `out.set_len(new_len)` after [`push_short`] wrote `out[len..new_len]`.
#[allow(unsafe_code)] // the length of bytes written through `spare_capacity_mut`: see SAFETY
#[inline(always)]
fn set_len_after_write(out: &mut Vec<u8>, new_len: usize) {
    debug_assert!(new_len <= out.capacity());
    // SAFETY: the caller reserved the room and initialised every byte from the old length to
    // `new_len` through `spare_capacity_mut` (the two copies cover all `n` bytes of `s`), so
    // the new length covers only initialised bytes within the capacity.
    unsafe { out.set_len(new_len) }
}

/// Append an integer (itoa).
#[inline]
pub fn write_i64(v: i64, out: &mut Vec<u8>) {
    // Ages, quantities, counts: 0..=99 from the digit-pair table, with no call into itoa.
    if (0..100).contains(&v) {
        let i = v as usize * 2;
        if v < 10 {
            out.push(DIGIT_PAIRS[i + 1]);
        } else {
            out.extend_from_slice(&DIGIT_PAIRS[i..i + 2]);
        }
        return;
    }
    push_short(out, itoa::Buffer::new().format(v).as_bytes());
}

/// 10^k for k in 0..=18: every scale whose scaled value can still fit an i64.
const POW10_U64: [u64; 19] = {
    let mut t = [1u64; 19];
    let mut i = 1;
    while i < 19 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// 2^63 as f64: scaled values at or beyond it do not fit an i64.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// `v` times 10^`precision`, rounded half away from zero, when that fits an i64 and
/// `precision` is at most 18: the integer whose digits [`write_decimal`] writes (`150.505` at
/// 2 places is 15051). `None` for NaN, infinities and larger values, which `write_decimal`
/// writes through std's formatter instead. The columnar formats take decimals from here, so
/// they hold exactly the CSV's digits.
#[inline(always)]
pub fn decimal_mantissa(v: f64, precision: u32) -> Option<i64> {
    let p = precision as usize;
    if p < POW10_U64.len() {
        // Powers of ten are exact in f64 up to 10^22, so the only rounding is in v * scale.
        let scaled = crate::float::round(v * POW10_U64[p] as f64);
        if scaled.abs() < I64_LIMIT {
            return Some(scaled as i64);
        }
    }
    None
}

/// Append `v` with exactly `precision` decimals (`150.50`, `-0.25`, `12` for precision 0);
/// `v` is rounded half away from zero at that precision.
// Always inlined: generated code passes `precision` as a literal, which turns the divisions
// by 10^precision into multiplications and unrolls the fraction's digits.
#[inline(always)]
pub fn write_decimal(v: f64, precision: u32, out: &mut Vec<u8>) {
    let p = precision as usize;
    if let Some(q) = decimal_mantissa(v, precision) {
        let scale = POW10_U64[p];
        // Sign from the rounded value: -0.001 at 2 decimals is "0.00", not "-0.00".
        if q < 0 {
            out.push(b'-');
        }
        let mag = q.unsigned_abs();
        push_short(out, itoa::Buffer::new().format(mag / scale).as_bytes());
        if p > 0 {
            let mut frac = mag % scale;
            let mut buf = [b'0'; 19];
            buf[0] = b'.';
            for slot in buf[1..=p].iter_mut().rev() {
                *slot = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            push_short(out, &buf[..=p]);
        }
        return;
    }
    write_decimal_slow(v, p, out);
}

/// NaN, infinities, |v| * 10^p >= 2^63 and p > 18: std's exact decimal expansion (which
/// rounds the binary value itself, ties to even, rather than v * 10^p half away from zero).
#[cold]
fn write_decimal_slow(v: f64, p: usize, out: &mut Vec<u8>) {
    use std::io::Write;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{v:.p$}");
}

/// Append a lower-case hyphenated UUID.
#[inline]
pub fn write_uuid(v: &Uuid, out: &mut Vec<u8>) {
    // One table load per byte (two hex digits) into a fixed 36-byte buffer: a third of the
    // instructions of the uuid crate's nibble loop, and this runs once or more per row.
    let b = v.as_bytes();
    let mut s = [b'-'; 36];
    let mut j = 0;
    for (i, &byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            j += 1;
        }
        let pair = HEX_PAIRS[byte as usize];
        s[j] = pair[0];
        s[j + 1] = pair[1];
        j += 2;
    }
    out.extend_from_slice(&s);
}

/// Lower-case hex digits of every byte value.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [H[i >> 4], H[i & 15]];
        i += 1;
    }
    t
};

const LO_BYTES: u64 = 0x0101_0101_0101_0101;
const HI_BITS: u64 = 0x8080_8080_8080_8080;

/// Nonzero iff some byte of `w` is zero (the classic bit hack; exact for "any").
#[inline(always)]
const fn has_zero_byte(w: u64) -> u64 {
    w.wrapping_sub(LO_BYTES) & !w & HI_BITS
}

#[inline(always)]
const fn has_byte(w: u64, b: u8) -> u64 {
    has_zero_byte(w ^ (LO_BYTES * b as u64))
}

#[inline(always)]
fn is_special(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\r' | b'\n')
}

/// Whether RFC 4180 requires quoting `s`: it holds `,`, `"`, `\r` or `\n`.
#[inline]
pub fn needs_quotes(s: &[u8]) -> bool {
    // Eight bytes per step: fields are short but numerous, and a byte loop with four
    // compares per byte neither vectorises (early exit) nor keeps up.
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        if has_byte(w, b',') | has_byte(w, b'"') | has_byte(w, b'\r') | has_byte(w, b'\n') != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| is_special(b))
}

/// Append `s` as one CSV field: verbatim, or in double quotes with `"` doubled when
/// [`needs_quotes`]; the empty string as `""`, since an empty unquoted field is a NULL; and
/// `\.` quoted, since PostgreSQL's COPY reads an unquoted `\.` alone on a line as the end of
/// the data (a one-column row would stop the load there). No trimming, no other escaping:
/// values round-trip byte-exact.
#[inline]
pub fn write_csv_str(s: &str, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    if !b.is_empty() && !needs_quotes(b) && b != b"\\." {
        push_short(out, b);
        return;
    }
    write_quoted(b, out);
}

#[cold]
fn write_quoted(b: &[u8], out: &mut Vec<u8>) {
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'"' {
            // Copy through this quote, then double it.
            out.extend_from_slice(&b[start..=i]);
            out.push(b'"');
            start = i + 1;
        }
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

/// Build a UUID v4 from 128 random bits (sets the version and variant bits).
#[inline]
pub fn uuid_v4_from_bits(bits: u128) -> Uuid {
    uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::CellRng;

    fn dec(v: f64, p: u32) -> String {
        let mut out = Vec::new();
        write_decimal(v, p, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn push_short_appends_exactly_the_bytes_of_every_length() {
        let src: Vec<u8> = (0..80u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        for prefix in 0..20 {
            for n in 0..=src.len() {
                let mut want = vec![7u8; prefix];
                want.extend_from_slice(&src[..n]);
                // Tight and roomy capacities alike.
                for extra in [0, 3, 64] {
                    let mut got = Vec::with_capacity(prefix + extra);
                    got.extend(std::iter::repeat_n(7u8, prefix));
                    push_short(&mut got, &src[..n]);
                    assert_eq!(got, want, "prefix {prefix}, {n} bytes, room {extra}");
                }
            }
        }
    }

    #[test]
    fn i64_text() {
        let small = -120i64..=120;
        for v in [0i64, 1, -1, 42, -9_876_543_210, i64::MAX, i64::MIN]
            .into_iter()
            .chain(small)
        {
            let mut out = b"a,".to_vec();
            write_i64(v, &mut out);
            assert_eq!(out, format!("a,{v}").as_bytes());
        }
    }

    #[test]
    fn decimal_cases() {
        assert_eq!(dec(150.5, 2), "150.50");
        assert_eq!(dec(-0.25, 2), "-0.25");
        assert_eq!(dec(0.0, 2), "0.00");
        assert_eq!(dec(-0.0, 2), "0.00");
        assert_eq!(dec(-0.001, 2), "0.00");
        assert_eq!(dec(-0.004999, 2), "0.00");
        assert_eq!(dec(-0.005, 2), "-0.01"); // 0.005 * 100 rounds up to 0.5 exactly
        assert_eq!(dec(12.0, 0), "12");
        assert_eq!(dec(11.6, 0), "12");
        assert_eq!(dec(-0.4, 0), "0");
        assert_eq!(dec(-3.13, 1), "-3.1");
        assert_eq!(dec(-3.06, 1), "-3.1");
        assert_eq!(dec(-3.16, 1), "-3.2");
        assert_eq!(dec(7.0, 3), "7.000");
        assert_eq!(dec(0.05, 1), "0.1");
        assert_eq!(dec(1e-7, 6), "0.000000");
        assert_eq!(dec(1e-6, 6), "0.000001");
        assert_eq!(dec(-1234567.891, 2), "-1234567.89");
        // Exact ties round away from zero.
        assert_eq!(dec(0.125, 2), "0.13");
        assert_eq!(dec(-0.125, 2), "-0.13");
        assert_eq!(dec(2.5, 0), "3");
        assert_eq!(dec(-2.5, 0), "-3");
        assert_eq!(dec(0.5, 0), "1");
        assert_eq!(dec(-0.5, 0), "-1");
        // Full-width scale.
        assert_eq!(dec(1.5, 18), "1.500000000000000000");
        assert_eq!(dec(-9.0, 18), "-9.000000000000000000");
        // Beyond i64 and non-finite: std formatting.
        assert_eq!(dec(1e20, 2), "100000000000000000000.00");
        assert_eq!(dec(-1e300, 0).len(), 302);
        assert_eq!(dec(f64::NAN, 2), "NaN");
        assert_eq!(dec(f64::INFINITY, 1), "inf");
        assert_eq!(dec(0.1, 20), "0.10000000000000000555");
        // Appends.
        let mut out = b"x,".to_vec();
        write_decimal(9.99, 1, &mut out);
        assert_eq!(out, b"x,10.0");
    }

    #[test]
    fn decimal_agrees_with_std_away_from_ties() {
        let mut r = CellRng::from_key(8);
        for i in 0..20_000 {
            let p = (i % 7) as u32;
            let mag = 10f64.powi(i % 9 - 2);
            let v = (r.next_f64() - 0.5) * 2.0 * mag;
            let scaled = v * 10f64.powi(p as i32);
            // Our rounding is of v * 10^p; std's is of v's exact binary value. They can
            // only disagree right at a tie.
            if (scaled.abs().fract() - 0.5).abs() < 1e-6 {
                continue;
            }
            let ours = dec(v, p);
            let std = format!("{v:.*}", p as usize);
            let std =
                if std.starts_with('-') && std.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
                    std[1..].to_string()
                } else {
                    std
                };
            assert_eq!(ours, std, "v {v:e}, p {p}");
        }
    }

    #[test]
    fn uuid_text() {
        let u = Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
        let mut out = Vec::new();
        write_uuid(&u, &mut out);
        assert_eq!(out, b"01234567-89ab-cdef-fedc-ba9876543210");
        let mut out = b"id,".to_vec();
        write_uuid(&Uuid::nil(), &mut out);
        assert_eq!(out, b"id,00000000-0000-0000-0000-000000000000");
    }

    #[test]
    fn uuid_v4_bits() {
        let u = uuid_v4_from_bits(u128::MAX);
        assert_eq!(u.get_version_num(), 4);
        assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(u.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid_v4_from_bits(0);
        assert_eq!(u.to_string(), "00000000-0000-4000-8000-000000000000");
        // All other bits come straight from the input, in big-endian order.
        let bits = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
        let u = uuid_v4_from_bits(bits);
        assert_eq!(u.to_string(), "01234567-89ab-4def-bedc-ba9876543210");
        assert_ne!(uuid_v4_from_bits(1), uuid_v4_from_bits(2));
    }

    #[test]
    fn the_end_of_copy_marker_is_quoted() {
        let csv = |s: &str| {
            let mut out = Vec::new();
            write_csv_str(s, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(csv("\\."), "\"\\.\"");
        // Only the marker itself: other backslashes are plain text in CSV.
        assert_eq!(csv("\\.x"), "\\.x");
        assert_eq!(csv("a\\b"), "a\\b");
    }

    #[test]
    fn needs_quotes_every_byte_at_every_position() {
        for len in 0..20 {
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[pos] = b;
                    assert_eq!(
                        needs_quotes(&s),
                        is_special(b),
                        "byte {b:#x} at {pos}/{len}"
                    );
                }
            }
        }
        // Lookalikes and high bytes sharing the low seven bits never trigger.
        let near: Vec<u8> = (0..=255u8).filter(|&b| !is_special(b)).collect();
        assert!(!needs_quotes(&near));
        assert!(!needs_quotes(b""));
        assert!(!needs_quotes("héllo wörld ümlaut ✓ 数据".as_bytes()));
        assert!(needs_quotes("数据数据,".as_bytes()));
    }

    fn csv(s: &str) -> String {
        let mut out = Vec::new();
        write_csv_str(s, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quoting_cases() {
        assert_eq!(csv("plain"), "plain");
        assert_eq!(csv(""), "\"\"");
        assert_eq!(csv(" padded "), " padded ");
        assert_eq!(csv("=SUM(A1)"), "=SUM(A1)");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("\""), "\"\"\"\"");
        assert_eq!(csv("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv("cr\rlf"), "\"cr\rlf\"");
        assert_eq!(csv("tab\there"), "tab\there");
        assert_eq!(csv("'quote'"), "'quote'");
    }

    #[test]
    fn csv_round_trips_through_a_reader() {
        let fields = [
            "plain",
            "",
            " lead and trail ",
            "a,b,,c",
            "\"",
            "\"\"x\"",
            "multi\nline\r\nvalue",
            "=1+1",
            "ünïcödé, \"quoted\"",
            "ends with quote\"",
        ];
        let mut out = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_csv_str(f, &mut out);
        }
        out.push(b'\n');
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.as_slice());
        let rec = rdr.records().next().unwrap().unwrap();
        assert_eq!(rec.len(), fields.len());
        for (got, want) in rec.iter().zip(fields) {
            assert_eq!(got, want);
        }
    }
}

/// Append ASCII bytes written by `write` (one of the byte writers: digits, signs, `.`, `-`,
/// `:`, `T`, `Z`, hex, or bytes of an ASCII alphabet) to a `String`, without a UTF-8 check.
/// The one place the runtime turns a `String` into bytes.
#[inline]
#[allow(unsafe_code)] // appends ASCII bytes to a String: see SAFETY below
pub(crate) fn push_ascii(out: &mut String, write: impl FnOnce(&mut Vec<u8>)) {
    // SAFETY: every caller's `write` appends only ASCII bytes (checked in debug builds
    // below), so the String stays valid UTF-8.
    let bytes = unsafe { out.as_mut_vec() };
    let before = bytes.len();
    write(bytes);
    debug_assert!(bytes[before..].is_ascii());
}

/// Append an integer to a template string.
#[inline]
pub fn push_i64(v: i64, out: &mut String) {
    push_ascii(out, |b| write_i64(v, b));
}

/// Append an integer padded on the left to `width` characters: with zeros after the sign
/// when `zero_pad` (`-0042` for width 5), else with spaces (`  -42`); a number already
/// `width` characters or longer is written as it is (padding never cuts digits).
#[inline]
pub fn push_i64_padded(v: i64, width: u32, zero_pad: bool, out: &mut String) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v).as_bytes();
    let pad = (width as usize).saturating_sub(digits.len());
    push_ascii(out, |b| {
        if pad == 0 {
            b.extend_from_slice(digits);
        } else if !zero_pad {
            b.resize(b.len() + pad, b' ');
            b.extend_from_slice(digits);
        } else if let Some(magnitude) = digits.strip_prefix(b"-") {
            b.push(b'-');
            b.resize(b.len() + pad, b'0');
            b.extend_from_slice(magnitude);
        } else {
            b.resize(b.len() + pad, b'0');
            b.extend_from_slice(digits);
        }
    });
}

/// Append a fixed-precision decimal to a template string.
#[inline]
pub fn push_decimal(v: f64, precision: u32, out: &mut String) {
    push_ascii(out, |b| write_decimal(v, precision, b));
}

/// Append a UUID to a template string.
#[inline]
pub fn push_uuid(v: &Uuid, out: &mut String) {
    push_ascii(out, |b| write_uuid(v, b));
}

/// Append an RFC 3339 timestamp to a template string.
#[inline]
pub fn push_timestamp(v: crate::time::Timestamp, out: &mut String) {
    push_ascii(out, |b| v.write_rfc3339(b));
}

/// Append `s` lower-cased, char by char (`char::to_lowercase`; the same for any split of a
/// text into parts, so templates can lower-case literals at build time and fields here).
#[inline]
#[allow(unsafe_code)] // appends ASCII bytes to a String: see SAFETY below
pub fn push_lowercase(s: &str, out: &mut String) {
    if s.is_ascii() {
        // One pass over the bytes: `push_str` then `make_ascii_lowercase` cost 130
        // instructions on a short name, `String::extend` of chars 85, this about 25.
        // SAFETY: only ASCII bytes are appended, so `out` stays valid UTF-8.
        unsafe { out.as_mut_vec() }.extend(s.bytes().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
    }
}

/// Append `s` upper-cased, char by char (see [`push_lowercase`]).
#[inline]
#[allow(unsafe_code)] // appends ASCII bytes to a String: see SAFETY below
pub fn push_uppercase(s: &str, out: &mut String) {
    if s.is_ascii() {
        // SAFETY: only ASCII bytes are appended, so `out` stays valid UTF-8.
        unsafe { out.as_mut_vec() }.extend(s.bytes().map(|c| c.to_ascii_uppercase()));
    } else {
        out.extend(s.chars().flat_map(char::to_uppercase));
    }
}

#[cfg(test)]
mod push_tests {
    use super::*;

    #[test]
    fn pushes_into_strings() {
        let mut s = String::from("x");
        push_i64(-42, &mut s);
        push_decimal(1.23456, 2, &mut s);
        push_timestamp(crate::time::Timestamp(1_686_817_331), &mut s);
        assert_eq!(s, "x-421.232023-06-15T08:22:11Z");
        let mut t = String::from("A.");
        push_lowercase("José.O'Brien", &mut t);
        push_lowercase("ÉMILE", &mut t);
        assert_eq!(t, "A.josé.o'brienémile");
        let mut u = String::from("a");
        push_uppercase("abc", &mut u);
        push_uppercase("straße", &mut u);
        assert_eq!(u, "aABCSTRASSE");
    }

    #[test]
    fn padded_integers_match_std_formatting() {
        for v in [
            0i64,
            7,
            -7,
            42,
            -42,
            123_456_789,
            -123_456_789,
            i64::MIN,
            i64::MAX,
        ] {
            for width in [0u32, 1, 3, 9, 25] {
                let w = width as usize;
                let mut zero = String::from("x");
                push_i64_padded(v, width, true, &mut zero);
                assert_eq!(zero, format!("x{v:0w$}"));
                let mut space = String::new();
                push_i64_padded(v, width, false, &mut space);
                assert_eq!(space, format!("{v:>w$}"));
            }
        }
    }

    #[test]
    fn casing_by_parts_equals_casing_the_whole() {
        // What lets templates case literals at build time and fields at run time.
        let parts = ["Ünïcode", ".", "ΣΑΣ", "ß", "İstanbul", "x"];
        let whole: String = parts.concat();
        let (mut lower, mut upper) = (String::new(), String::new());
        for p in parts {
            push_lowercase(p, &mut lower);
            push_uppercase(p, &mut upper);
        }
        let char_wise: String = whole.chars().flat_map(char::to_lowercase).collect();
        assert_eq!(lower, char_wise);
        assert_eq!(upper, whole.to_uppercase());
    }
}
