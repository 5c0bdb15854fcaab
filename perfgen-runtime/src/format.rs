//! Direct field formatting into a byte buffer: no allocation, no generic machinery.

use uuid::Uuid;

/// Append an integer (itoa).
pub fn write_i64(v: i64, out: &mut Vec<u8>) {
    todo!()
}

/// Append `v` with exactly `precision` decimals (`150.50`, `-0.25`, `12` for precision 0);
/// `v` is rounded half away from zero at that precision.
pub fn write_decimal(v: f64, precision: u32, out: &mut Vec<u8>) {
    todo!()
}

/// Append a lower-case hyphenated UUID.
pub fn write_uuid(v: &Uuid, out: &mut Vec<u8>) {
    todo!()
}

/// Whether RFC 4180 requires quoting `s`: it holds `,`, `"`, `\r` or `\n`.
pub fn needs_quotes(s: &[u8]) -> bool {
    todo!()
}

/// Append `s` as one CSV field: verbatim, or in double quotes with `"` doubled when
/// [`needs_quotes`]. No trimming, no other escaping: values round-trip byte-exact.
pub fn write_csv_str(s: &str, out: &mut Vec<u8>) {
    todo!()
}

/// Build a UUID v4 from 128 random bits (sets the version and variant bits).
pub fn uuid_v4_from_bits(bits: u128) -> Uuid {
    todo!()
}
