//! Rows as typed column values, for the columnar formats (Parquet): each row's values go
//! to a [`ColumnSink`] as the values the CSV writer would format, never as text.
//!
//! The runtime only defines the contract: the sink that builds Arrow arrays lives in
//! `perfgen-formats`, so the runtime stays free of the Arrow stack. Every value a sink
//! receives is the one the CSV path spells: decimals as the mantissa [`write_decimal`]
//! writes the digits of (the same arithmetic, [`decimal_mantissa`]), or its text where that
//! writer leaves the fast path; timestamps and dates as the counts the CSV writer formats.
//!
//! [`write_decimal`]: crate::format::write_decimal
//! [`decimal_mantissa`]: crate::format::decimal_mantissa

use super::OutputError;
use crate::entity::{Context, Entity};
use crate::fanout::FanOutCursor;
use std::ops::Range;

/// Receives one chunk's values, row by row, each row's columns in field order. `column`
/// is the field's position in its entity; a NULL goes to [`ColumnSink::push_null`].
///
/// The methods cannot fail: a sink that cannot take a value (a type it does not expect, a
/// time beyond its range) remembers the first such problem and reports it when the chunk
/// is finished, so generated code stays a straight list of calls.
pub trait ColumnSink {
    /// NULL in `column`.
    fn push_null(&mut self, column: usize);
    /// An integer column's value.
    fn push_i64(&mut self, column: usize, v: i64);
    /// A decimal column's value as its mantissa: the value times 10^scale, rounded as the
    /// CSV writer rounds it (`12.50` at scale 2 is 1250).
    fn push_decimal(&mut self, column: usize, mantissa: i64);
    /// A decimal column's value as the CSV writer's text, where the mantissa does not fit an
    /// i64 (or the value is not finite): `write_decimal`'s slow path.
    fn push_decimal_text(&mut self, column: usize, text: &[u8]);
    fn push_bool(&mut self, column: usize, v: bool);
    /// A date as days since 1970-01-01.
    fn push_date(&mut self, column: usize, days: i32);
    /// A timestamp as seconds since 1970-01-01T00:00:00Z (UTC).
    fn push_timestamp(&mut self, column: usize, seconds: i64);
    /// A UUID's 16 bytes, big-endian (as written, `8-4-4-4-12` hex digits in this order).
    fn push_uuid(&mut self, column: usize, bytes: &[u8; 16]);
    fn push_str(&mut self, column: usize, v: &str);
}

/// Sends rows `[start, end)` of one entity to `sink`, in order, on the calling thread.
pub type WriteColumnsFn =
    fn(cx: &Context, rows: Range<u64>, sink: &mut dyn ColumnSink) -> Result<(), OutputError>;

/// [`WriteColumnsFn`] of entity `E`: fills each row as `write_rows` does (the same stepping
/// cursor for children of a fan-out, restarted per call as per chunk there) and hands its
/// values to `sink`.
pub fn write_columns<E: Entity>(
    cx: &Context,
    rows: Range<u64>,
    sink: &mut dyn ColumnSink,
) -> Result<(), OutputError> {
    let mut rec = E::default();
    let mut cursor = FanOutCursor::default();
    for row in rows {
        rec.fill_next(cx, row, &mut cursor)?;
        rec.write_columns(sink);
    }
    Ok(())
}

/// Sends decimal `v` with `precision` places to `sink`: the mantissa of the CSV writer's
/// fast path, else (non-finite, beyond an i64, more than 18 places) the text it writes.
#[inline(always)]
pub fn push_decimal(sink: &mut dyn ColumnSink, column: usize, v: f64, precision: u32) {
    match crate::format::decimal_mantissa(v, precision) {
        Some(mantissa) => sink.push_decimal(column, mantissa),
        None => push_decimal_slow(sink, column, v, precision),
    }
}

#[cold]
fn push_decimal_slow(sink: &mut dyn ColumnSink, column: usize, v: f64, precision: u32) {
    let mut text = Vec::new();
    crate::format::write_decimal(v, precision, &mut text);
    sink.push_decimal_text(column, &text);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what it receives, as the CSV text of each value would read.
    #[derive(Default)]
    struct Texts(Vec<(usize, String)>);

    impl ColumnSink for Texts {
        fn push_null(&mut self, column: usize) {
            self.0.push((column, "NULL".into()));
        }
        fn push_i64(&mut self, column: usize, v: i64) {
            self.0.push((column, v.to_string()));
        }
        fn push_decimal(&mut self, column: usize, mantissa: i64) {
            self.0.push((column, format!("m{mantissa}")));
        }
        fn push_decimal_text(&mut self, column: usize, text: &[u8]) {
            self.0
                .push((column, format!("t{}", String::from_utf8_lossy(text))));
        }
        fn push_bool(&mut self, column: usize, v: bool) {
            self.0.push((column, v.to_string()));
        }
        fn push_date(&mut self, column: usize, days: i32) {
            self.0.push((column, format!("d{days}")));
        }
        fn push_timestamp(&mut self, column: usize, seconds: i64) {
            self.0.push((column, format!("s{seconds}")));
        }
        fn push_uuid(&mut self, column: usize, bytes: &[u8; 16]) {
            self.0.push((column, format!("{bytes:?}")));
        }
        fn push_str(&mut self, column: usize, v: &str) {
            self.0.push((column, v.into()));
        }
    }

    #[test]
    fn decimals_reach_the_sink_as_the_csv_writers_digits() {
        // Every value checked against the CSV writer's own text: the mantissa's digits with
        // the point put back are exactly what `write_decimal` writes, ties included.
        let values = [
            0.125, -0.125, 2.675, 1.005, -0.001, 0.0, -0.0, 150.5, 1e12, 123456.785, 0.5, -2.5,
            9.995,
        ];
        for p in [0u32, 1, 2, 3, 6] {
            for v in values {
                let mut sink = Texts::default();
                push_decimal(&mut sink, 7, v, p);
                let (column, got) = sink.0.pop().unwrap();
                assert_eq!(column, 7);
                let mantissa: i64 = got.strip_prefix('m').unwrap().parse().unwrap();
                let mut csv = Vec::new();
                crate::format::write_decimal(v, p, &mut csv);
                let digits = if p == 0 {
                    mantissa.unsigned_abs().to_string()
                } else {
                    let s = format!("{:0>w$}", mantissa.unsigned_abs(), w = p as usize + 1);
                    let (int, frac) = s.split_at(s.len() - p as usize);
                    format!("{int}.{frac}")
                };
                let sign = if mantissa < 0 { "-" } else { "" };
                assert_eq!(
                    format!("{sign}{digits}"),
                    String::from_utf8(csv).unwrap(),
                    "{v} at {p} places"
                );
            }
        }
    }

    #[test]
    fn decimals_beyond_the_fast_path_go_as_the_csv_text() {
        for (v, p) in [(f64::NAN, 2), (1e300, 2), (1.5, 20), (f64::INFINITY, 0)] {
            let mut sink = Texts::default();
            push_decimal(&mut sink, 0, v, p);
            let mut csv = Vec::new();
            crate::format::write_decimal(v, p, &mut csv);
            assert_eq!(
                sink.0,
                vec![(0, format!("t{}", String::from_utf8(csv).unwrap()))]
            );
        }
    }
}
