//! JSON Lines: one object per row, keys in column order, values typed by the column's
//! declared type: integers and decimals as JSON numbers (the CSV's digits, so no value is
//! rounded), booleans as `true`/`false`, NULL as `null`, everything else as a string escaped
//! per RFC 8259. Encoded from the chunk of CSV the generated code wrote, so the two formats
//! hold the same values by construction; decoded back to that CSV for `verify` and `load`.

use crate::cells::{Cell, Rows};
use perfgen_runtime::catalog::EntityInfo;
use perfgen_runtime::spec::ColumnType;

/// How one column is written as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonKind {
    Integer,
    Decimal(u32),
    Boolean,
    String,
}

/// The JSON Lines encoder and decoder of one entity.
#[derive(Debug, Clone)]
pub struct JsonLines {
    /// `{"id":`, `,"email":`, ...: each key with what precedes it.
    keys: Vec<Vec<u8>>,
    names: Vec<&'static str>,
    kinds: Vec<JsonKind>,
    header: &'static str,
}

impl JsonLines {
    pub fn new(info: &EntityInfo) -> JsonLines {
        let keys = info
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut k = Vec::new();
                k.push(if i == 0 { b'{' } else { b',' });
                write_json_string(f.name.as_bytes(), &mut k);
                k.push(b':');
                k
            })
            .collect();
        let kinds = info
            .fields
            .iter()
            .map(|f| match f.spec.column {
                ColumnType::Integer => JsonKind::Integer,
                ColumnType::Decimal(places) => JsonKind::Decimal(places),
                ColumnType::Boolean => JsonKind::Boolean,
                ColumnType::Uuid | ColumnType::Timestamp | ColumnType::Text | ColumnType::Date => {
                    JsonKind::String
                }
            })
            .collect();
        JsonLines {
            keys,
            names: info.fields.iter().map(|f| f.name).collect(),
            kinds,
            header: info.header,
        }
    }

    /// Appends the rows of `csv` (a chunk without header) as JSON Lines to `out`.
    pub fn encode(&self, csv: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        out.reserve(csv.len() + csv.len() / 2);
        let mut rows = Rows::new(csv);
        let mut scratch = Vec::new();
        while let Some(row) = rows.next_row() {
            let row = row?;
            if row.len() != self.kinds.len() {
                return Err(format!(
                    "a row has {} fields, the entity {}",
                    row.len(),
                    self.kinds.len()
                ));
            }
            for ((cell, key), kind) in row.iter().zip(&self.keys).zip(&self.kinds) {
                out.extend_from_slice(key);
                let Cell::Value { range, quoted } = cell else {
                    out.extend_from_slice(b"null");
                    continue;
                };
                let text = crate::cells::text(csv, range, *quoted);
                match kind {
                    JsonKind::String => write_json_string(&text, out),
                    JsonKind::Boolean if &text[..] == b"true" || &text[..] == b"false" => {
                        out.extend_from_slice(&text)
                    }
                    JsonKind::Integer | JsonKind::Decimal(_) if is_json_number(&text) => {
                        out.extend_from_slice(&text)
                    }
                    JsonKind::Integer | JsonKind::Decimal(_) => {
                        // Digits JSON does not take as they are (`007`, `+5`, `.5`): the
                        // number they mean, written canonically.
                        scratch.clear();
                        canonical_number(&text, *kind, &mut scratch).ok_or_else(|| {
                            format!(
                                "`{}` in a numeric column is not a number",
                                String::from_utf8_lossy(&text)
                            )
                        })?;
                        out.extend_from_slice(&scratch);
                    }
                    JsonKind::Boolean => {
                        return Err(format!(
                            "`{}` in a boolean column",
                            String::from_utf8_lossy(&text)
                        ))
                    }
                }
            }
            out.extend_from_slice(b"}\n");
        }
        Ok(())
    }

    /// The CSV header line, as the CSV file starts.
    pub fn header(&self) -> &'static str {
        self.header
    }

    /// Appends one JSON Lines row (`line`, without its line break) as the CSV row it was
    /// encoded from. Keys may come in any order; a missing key or one of another entity is
    /// an error naming it.
    pub fn decode_line(&self, line: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        use serde_json::value::RawValue;
        // Raw values keep each number's digits exactly as written.
        let object: std::collections::BTreeMap<String, &RawValue> =
            serde_json::from_slice(line).map_err(|e| e.to_string())?;
        if object.len() != self.names.len() {
            return Err(format!(
                "the object has {} keys, the entity {} ({})",
                object.len(),
                self.names.len(),
                self.names.join(", ")
            ));
        }
        for (i, (name, kind)) in self.names.iter().zip(&self.kinds).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let Some(value) = object.get(*name) else {
                return Err(format!("no key `{name}`"));
            };
            let raw = value.get();
            if raw == "null" {
                continue;
            }
            match kind {
                JsonKind::String => {
                    let s: String = serde_json::from_str(raw)
                        .map_err(|_| format!("`{name}`: expected a string, found `{raw}`"))?;
                    perfgen_runtime::format::write_csv_str(&s, out);
                }
                JsonKind::Boolean if raw == "true" || raw == "false" => {
                    out.extend_from_slice(raw.as_bytes())
                }
                JsonKind::Integer | JsonKind::Decimal(_) if is_json_number(raw.as_bytes()) => {
                    out.extend_from_slice(raw.as_bytes())
                }
                _ => return Err(format!("`{name}`: `{raw}` is not a value of its type")),
            }
        }
        out.push(b'\n');
        Ok(())
    }
}

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ...
/// or `\u00XX` (RFC 8259 section 7); other bytes, UTF-8 included, as they are.
pub(crate) fn write_json_string(s: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&s[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 15) as usize]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
    out.push(b'"');
}

/// Whether `s` is a number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
pub(crate) fn is_json_number(s: &[u8]) -> bool {
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if s.first() == Some(&b'-') {
        i += 1;
    }
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == s.len()
}

/// `text` as a canonical JSON number of `kind`, or `None` when it is not a number.
fn canonical_number(text: &[u8], kind: JsonKind, out: &mut Vec<u8>) -> Option<()> {
    let s = std::str::from_utf8(text).ok()?.trim();
    match kind {
        JsonKind::Integer => {
            let v: i64 = s.parse().ok()?;
            out.extend_from_slice(v.to_string().as_bytes());
        }
        JsonKind::Decimal(places) => {
            let v: f64 = s.parse().ok()?;
            if !v.is_finite() {
                return None;
            }
            out.extend_from_slice(format!("{v:.*}", places as usize).as_bytes());
        }
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_what_rfc_8259_requires() {
        let mut out = Vec::new();
        write_json_string("a\"b\\c\nd\u{1}é✓\u{7f}".as_bytes(), &mut out);
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001é✓\u{7f}\"");
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é✓\u{7f}");
        // Every control character, through a real parser.
        let all: String = (0u8..0x20).map(char::from).collect();
        let mut out = Vec::new();
        write_json_string(all.as_bytes(), &mut out);
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, all);
    }

    #[test]
    fn json_number_grammar() {
        for ok in ["0", "-0", "12", "-3.50", "1e5", "1.5E-3", "0.001"] {
            assert!(is_json_number(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-", "007", "+1", ".5", "1.", "1e", "NaN", "1,0", " 1"] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
        let mut out = Vec::new();
        canonical_number(b"007", JsonKind::Integer, &mut out).unwrap();
        assert_eq!(out, b"7");
        out.clear();
        canonical_number(b".5", JsonKind::Decimal(2), &mut out).unwrap();
        assert_eq!(out, b"0.50");
        assert!(canonical_number(b"x", JsonKind::Integer, &mut out).is_none());
    }
}
