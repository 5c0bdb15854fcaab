//! COPY's binary format from our CSV: a `Write` that takes the CSV lines the generator
//! writes (no header) and passes on the same rows as `COPY ... FROM STDIN WITH (FORMAT
//! binary)` reads them. PostgreSQL then parses no text: uuid as 16 bytes, integers as
//! big-endian words, numeric as base-10000 digits, timestamptz as microseconds since
//! 2000-01-01.
//!
//! The rows are the ones COPY's CSV format stores from the same bytes: an unquoted empty
//! field is NULL, a quoted one the empty string; numbers keep the scale they were written
//! with (the column's typmod applies on the server, as for text input).

use perfgen_runtime::time::Timestamp;
use std::io::{self, Write};

/// How one column is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Uuid,
    Int4,
    Int8,
    Numeric,
    Timestamptz,
    Text,
    /// One byte, 1 for true.
    Bool,
    /// Days since 2000-01-01 as an i32.
    Date,
}

impl Kind {
    /// The kind for an SQL type written by [`perfgen_schema`].
    pub fn of_sql_type(ty: &str) -> Kind {
        match ty {
            "uuid" => Kind::Uuid,
            "integer" => Kind::Int4,
            "bigint" => Kind::Int8,
            "timestamptz" => Kind::Timestamptz,
            t if t.starts_with("numeric") => Kind::Numeric,
            "boolean" => Kind::Bool,
            "date" => Kind::Date,
            _ => Kind::Text,
        }
    }
}

/// The binary COPY header: signature, flags, header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z).
const PG_EPOCH: i64 = 946_684_800;

/// Re-encodes CSV rows into binary COPY rows and writes them to `out`.
pub struct BinaryCopy<W: Write> {
    out: W,
    kinds: Vec<Kind>,
    /// Bytes of an incomplete CSV line carried to the next write.
    pending: Vec<u8>,
    /// The encoded rows waiting to be written.
    buf: Vec<u8>,
    /// Scratch for an unquoted field.
    field: Vec<u8>,
    /// Rows encoded so far (for messages).
    rows: u64,
    started: bool,
}

impl<W: Write> BinaryCopy<W> {
    pub fn new(out: W, kinds: Vec<Kind>) -> Self {
        BinaryCopy {
            out,
            kinds,
            pending: Vec::new(),
            buf: Vec::with_capacity(1 << 20),
            field: Vec::new(),
            rows: 0,
            started: false,
        }
    }

    /// Writes the trailer and returns the inner writer. Fails on an incomplete last line.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            return Err(bad(format!("row {}: the CSV line does not end", self.rows)));
        }
        self.start();
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(self.out)
    }

    fn start(&mut self) {
        if !self.started {
            self.buf.extend_from_slice(HEADER);
            self.started = true;
        }
    }

    /// Encodes every complete line of `data`; returns how many bytes were used.
    fn encode_lines(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut at = 0;
        while at < data.len() {
            match encode_row(&data[at..], &self.kinds, &mut self.buf, &mut self.field) {
                Ok(Some(used)) => {
                    at += used;
                    self.rows += 1;
                }
                Ok(None) => break,
                Err(m) => return Err(bad(format!("row {}: {m}", self.rows))),
            }
        }
        Ok(at)
    }
}

impl<W: Write> Write for BinaryCopy<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.start();
        if self.pending.is_empty() {
            let used = self.encode_lines(data)?;
            self.pending.extend_from_slice(&data[used..]);
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(data);
            let used = self.encode_lines(&joined)?;
            joined.drain(..used);
            self.pending = joined;
        }
        if self.buf.len() >= 1 << 20 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

fn bad(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Encodes the first CSV line of `data` into `out`: `Some(bytes used)`, or `None` when the
/// line is not complete yet (nothing written).
fn encode_row(
    data: &[u8],
    kinds: &[Kind],
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> Result<Option<usize>, String> {
    let mark = out.len();
    out.extend_from_slice(&(kinds.len() as i16).to_be_bytes());
    let mut at = 0;
    for (c, &kind) in kinds.iter().enumerate() {
        let last = c + 1 == kinds.len();
        // The field's bytes (unquoted), whether it was quoted, and where the next begins.
        let (quoted, next) = if data.get(at) == Some(&b'"') {
            scratch.clear();
            let mut i = at + 1;
            loop {
                match memchr(b'"', &data[i..]) {
                    None => {
                        out.truncate(mark);
                        return Ok(None);
                    }
                    Some(q) => {
                        scratch.extend_from_slice(&data[i..i + q]);
                        i += q + 1;
                        match data.get(i) {
                            Some(b'"') => {
                                scratch.push(b'"');
                                i += 1;
                            }
                            Some(_) => break,
                            None => {
                                out.truncate(mark);
                                return Ok(None);
                            }
                        }
                    }
                }
            }
            (true, i)
        } else {
            let end = data[at..]
                .iter()
                .position(|&b| b == b',' || b == b'\n')
                .map(|p| at + p);
            let Some(end) = end else {
                out.truncate(mark);
                return Ok(None);
            };
            scratch.clear();
            scratch.extend_from_slice(&data[at..end]);
            (false, end)
        };
        let sep = match data.get(next) {
            None => {
                out.truncate(mark);
                return Ok(None);
            }
            Some(&b) => b,
        };
        let want = if last { b'\n' } else { b',' };
        if sep != want {
            out.truncate(mark);
            return Err(format!(
                "expected {} after column {}, found {:?}",
                if last {
                    "the end of the line"
                } else {
                    "a comma"
                },
                c + 1,
                sep as char
            ));
        }
        if scratch.is_empty() && !quoted {
            out.extend_from_slice(&(-1i32).to_be_bytes());
        } else if let Err(m) = encode_value(kind, scratch, out) {
            out.truncate(mark);
            return Err(format!("column {}: {m}", c + 1));
        }
        at = next + 1;
    }
    Ok(Some(at))
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&x| x == b)
}

/// 2000-01-01, PostgreSQL's epoch, in days since 1970-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as i32).to_be_bytes());
}

fn encode_value(kind: Kind, v: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let text = || String::from_utf8_lossy(v).into_owned();
    match kind {
        Kind::Text => {
            std::str::from_utf8(v).map_err(|_| "not UTF-8".to_string())?;
            put_len(out, v.len());
            out.extend_from_slice(v);
        }
        Kind::Uuid => {
            let u = perfgen_runtime::Uuid::try_parse_ascii(v)
                .map_err(|_| format!("`{}` is not a uuid", text()))?;
            put_len(out, 16);
            out.extend_from_slice(u.as_bytes());
        }
        Kind::Int4 => {
            let n: i32 = std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("`{}` is not an integer", text()))?;
            put_len(out, 4);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Kind::Int8 => {
            let n: i64 = std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("`{}` is not an integer", text()))?;
            put_len(out, 8);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Kind::Timestamptz => {
            let t = std::str::from_utf8(v)
                .ok()
                .and_then(Timestamp::parse_rfc3339)
                .ok_or_else(|| format!("`{}` is not an RFC 3339 time", text()))?;
            let micros = (t.0 - PG_EPOCH)
                .checked_mul(1_000_000)
                .ok_or_else(|| format!("`{}` is out of range", text()))?;
            put_len(out, 8);
            out.extend_from_slice(&micros.to_be_bytes());
        }
        Kind::Numeric => {
            encode_numeric(v, out).ok_or_else(|| format!("`{}` is not a number", text()))?
        }
        Kind::Bool => {
            let b = match v {
                b"true" => 1u8,
                b"false" => 0u8,
                _ => return Err(format!("`{}` is not `true` or `false`", text())),
            };
            put_len(out, 1);
            out.push(b);
        }
        Kind::Date => {
            let d = std::str::from_utf8(v)
                .ok()
                .and_then(perfgen_runtime::Date::parse_iso)
                .ok_or_else(|| format!("`{}` is not a YYYY-MM-DD date", text()))?;
            put_len(out, 4);
            out.extend_from_slice(&(d.0 - PG_EPOCH_DAYS).to_be_bytes());
        }
    }
    Ok(())
}

/// `[-]digits[.digits]` as PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then
/// base-10000 digits.
fn encode_numeric(v: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let (negative, body) = match v.first()? {
        b'-' => (true, &v[1..]),
        b'+' => (false, &v[1..]),
        _ => (false, v),
    };
    let (int, frac) = match memchr(b'.', body) {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[body.len()..]),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
        || frac.len() > i16::MAX as usize
    {
        return None;
    }
    let dscale = frac.len();
    // Groups of four digits aligned on the point.
    let int_pad = (4 - int.len() % 4) % 4;
    let frac_pad = (4 - frac.len() % 4) % 4;
    let mut digits: Vec<i16> = Vec::with_capacity((int.len() + frac.len()) / 4 + 2);
    let mut group = 0i16;
    let mut n = 0;
    let zeros = [b'0'; 4];
    for &d in zeros[..int_pad]
        .iter()
        .chain(int)
        .chain(frac)
        .chain(&zeros[..frac_pad])
    {
        group = group * 10 + (d - b'0') as i16;
        n += 1;
        if n == 4 {
            digits.push(group);
            group = 0;
            n = 0;
        }
    }
    let int_groups = (int.len() + int_pad) / 4;
    let mut weight = int_groups as i32 - 1;
    let lead = digits.iter().take_while(|&&d| d == 0).count();
    let digits: &[i16] = if lead == digits.len() {
        &[]
    } else {
        weight -= lead as i32;
        let trail = digits.iter().rev().take_while(|&&d| d == 0).count();
        &digits[lead..digits.len() - trail]
    };
    if digits.is_empty() {
        weight = 0;
    }
    let sign: u16 = if negative && !digits.is_empty() {
        0x4000
    } else {
        0
    };
    put_len(out, 8 + 2 * digits.len());
    out.extend_from_slice(&(digits.len() as i16).to_be_bytes());
    out.extend_from_slice(&(i16::try_from(weight).ok()?).to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&(dscale as i16).to_be_bytes());
    for d in digits {
        out.extend_from_slice(&d.to_be_bytes());
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(s: &str) -> Vec<i16> {
        let mut out = Vec::new();
        encode_numeric(s.as_bytes(), &mut out).unwrap();
        let len = i32::from_be_bytes(out[..4].try_into().unwrap()) as usize;
        assert_eq!(len, out.len() - 4);
        out[4..]
            .chunks(2)
            .map(|c| i16::from_be_bytes([c[0], c[1]]))
            .collect()
    }

    #[test]
    fn numerics() {
        // ndigits, weight, sign, dscale, digits
        assert_eq!(numeric("80.00"), [1, 0, 0, 2, 80]);
        assert_eq!(numeric("1999.99"), [2, 0, 0, 2, 1999, 9900]);
        assert_eq!(numeric("-12345.678"), [3, 1, 0x4000, 3, 1, 2345, 6780]);
        assert_eq!(numeric("0.001"), [1, -1, 0, 3, 10]);
        assert_eq!(numeric("0.00"), [0, 0, 0, 2]);
        assert_eq!(numeric("-0.00"), [0, 0, 0, 2]);
        assert_eq!(numeric("10000"), [1, 1, 0, 0, 1]);
        assert_eq!(numeric("5"), [1, 0, 0, 0, 5]);
        assert_eq!(numeric("0.5"), [1, -1, 0, 1, 5000]);
        assert_eq!(numeric("123456789.5"), [4, 2, 0, 1, 1, 2345, 6789, 5000]);
        let mut out = Vec::new();
        for bad in ["", "-", ".", "1e5", "1.2.3", "x"] {
            assert!(encode_numeric(bad.as_bytes(), &mut out).is_none(), "{bad}");
        }
    }

    fn encode(kinds: &[Kind], chunks: &[&str]) -> io::Result<Vec<u8>> {
        let mut w = BinaryCopy::new(Vec::new(), kinds.to_vec());
        for c in chunks {
            w.write_all(c.as_bytes())?;
        }
        w.finish()
    }

    #[test]
    fn rows_split_anywhere_encode_the_same() {
        let kinds = [Kind::Uuid, Kind::Text, Kind::Int4, Kind::Timestamptz];
        let csv =
            "67e55044-10b1-426f-9247-bb680e5fe0c8,\"a,\"\"b\"\"\nc\",-7,2000-01-01T00:00:01Z\n\
                   67e55044-10b1-426f-9247-bb680e5fe0c9,,2147483647,1999-12-31T23:59:59Z\n";
        let whole = encode(&kinds, &[csv]).unwrap();
        for cut in 0..csv.len() {
            let split = encode(&kinds, &[&csv[..cut], &csv[cut..]]).unwrap();
            assert_eq!(split, whole, "cut at {cut}");
        }
        let mut expected = HEADER.to_vec();
        expected.extend_from_slice(&4i16.to_be_bytes());
        expected.extend_from_slice(&16i32.to_be_bytes());
        expected.extend_from_slice(
            perfgen_runtime::Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8")
                .unwrap()
                .as_bytes(),
        );
        expected.extend_from_slice(&7i32.to_be_bytes());
        expected.extend_from_slice(b"a,\"b\"\nc");
        expected.extend_from_slice(&4i32.to_be_bytes());
        expected.extend_from_slice(&(-7i32).to_be_bytes());
        expected.extend_from_slice(&8i32.to_be_bytes());
        expected.extend_from_slice(&1_000_000i64.to_be_bytes());
        expected.extend_from_slice(&4i16.to_be_bytes());
        expected.extend_from_slice(&16i32.to_be_bytes());
        expected.extend_from_slice(
            perfgen_runtime::Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c9")
                .unwrap()
                .as_bytes(),
        );
        expected.extend_from_slice(&(-1i32).to_be_bytes()); // empty: NULL
        expected.extend_from_slice(&4i32.to_be_bytes());
        expected.extend_from_slice(&i32::MAX.to_be_bytes());
        expected.extend_from_slice(&8i32.to_be_bytes());
        expected.extend_from_slice(&(-1_000_000i64).to_be_bytes());
        expected.extend_from_slice(&(-1i16).to_be_bytes());
        assert_eq!(whole, expected);
    }

    #[test]
    fn quoted_empty_is_an_empty_string_and_bad_input_fails() {
        let out = encode(&[Kind::Text], &["\"\"\n"]).unwrap();
        assert_eq!(
            &out[HEADER.len() + 2..HEADER.len() + 6],
            &0i32.to_be_bytes()
        );
        let e = encode(&[Kind::Int4], &["1\nx\n"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 1: column 1: `x` is not an integer"),
            "{e}"
        );
        let e = encode(&[Kind::Int4, Kind::Int4], &["1\n"]).unwrap_err();
        assert!(e.to_string().contains("expected a comma"), "{e}");
        let e = encode(&[Kind::Int4], &["1"]).unwrap_err();
        assert!(e.to_string().contains("does not end"), "{e}");
        assert!(encode(&[Kind::Int4], &["3000000000\n"]).is_err());
        assert!(encode(&[Kind::Int8], &["3000000000\n"]).is_ok());
    }

    #[test]
    fn booleans_and_dates_encode_as_postgres_reads_them() {
        let mut out = Vec::new();
        encode_value(Kind::Bool, b"true", &mut out).unwrap();
        encode_value(Kind::Bool, b"false", &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 1, 1, 0, 0, 0, 1, 0]);
        assert!(encode_value(Kind::Bool, b"yes", &mut Vec::new()).is_err());
        let mut out = Vec::new();
        encode_value(Kind::Date, b"2000-01-02", &mut out).unwrap();
        encode_value(Kind::Date, b"1999-12-31", &mut out).unwrap();
        assert_eq!(
            out,
            [0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 255, 255, 255, 255]
        );
        assert!(encode_value(Kind::Date, b"1999-02-30", &mut Vec::new()).is_err());
        assert_eq!(Kind::of_sql_type("boolean"), Kind::Bool);
        assert_eq!(Kind::of_sql_type("date"), Kind::Date);
    }
}
