//! The cells of a chunk of CSV as the runtime writes it (RFC 4180, `\n` after each row, an
//! empty unquoted field is NULL, `""` an empty string). Only this dialect is read: the
//! chunks come from the generated code, so a malformed chunk is a bug, reported as an error.

use std::borrow::Cow;
use std::ops::Range;

/// One cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    /// A value's byte range in the chunk; `quoted` when it was in double quotes (the range
    /// is then inside them, with any `""` still doubled).
    Value {
        range: Range<usize>,
        quoted: bool,
    },
}

/// Walks the rows of a chunk, reusing one cell vector.
pub(crate) struct Rows<'a> {
    csv: &'a [u8],
    at: usize,
    cells: Vec<Cell>,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(csv: &'a [u8]) -> Self {
        Rows {
            csv,
            at: 0,
            cells: Vec::new(),
        }
    }

    /// The next row's cells, or `None` at the end of the chunk.
    pub(crate) fn next_row(&mut self) -> Option<Result<&[Cell], String>> {
        if self.at >= self.csv.len() {
            return None;
        }
        self.cells.clear();
        let csv = self.csv;
        let mut i = self.at;
        loop {
            // One field starting at `i`.
            if csv.get(i) == Some(&b'"') {
                let start = i + 1;
                let mut j = start;
                loop {
                    match memchr_quote(&csv[j..]) {
                        None => return Some(Err(format!("unterminated quoted field at byte {i}"))),
                        Some(k) => {
                            j += k;
                            if csv.get(j + 1) == Some(&b'"') {
                                j += 2;
                            } else {
                                break;
                            }
                        }
                    }
                }
                self.cells.push(Cell::Value {
                    range: start..j,
                    quoted: true,
                });
                i = j + 1;
            } else {
                let start = i;
                while i < csv.len() && csv[i] != b',' && csv[i] != b'\n' {
                    i += 1;
                }
                self.cells.push(if i == start {
                    Cell::Null
                } else {
                    Cell::Value {
                        range: start..i,
                        quoted: false,
                    }
                });
            }
            match csv.get(i) {
                Some(b',') => i += 1,
                Some(b'\n') => {
                    self.at = i + 1;
                    return Some(Ok(&self.cells));
                }
                None => {
                    return Some(Err(
                        "the last row does not end with a line break".to_string()
                    ))
                }
                Some(&b) => {
                    return Some(Err(format!(
                        "byte `{}` after a quoted field at byte {i}",
                        b.escape_ascii()
                    )))
                }
            }
        }
    }
}

/// The text of a value cell of `csv`, with doubled quotes undone.
pub(crate) fn text<'a>(csv: &'a [u8], range: &Range<usize>, quoted: bool) -> Cow<'a, [u8]> {
    {
        let raw = &csv[range.clone()];
        if quoted && raw.contains(&b'"') {
            let mut out = Vec::with_capacity(raw.len());
            let mut k = 0;
            while k < raw.len() {
                out.push(raw[k]);
                k += if raw[k] == b'"' { 2 } else { 1 };
            }
            Cow::Owned(out)
        } else {
            Cow::Borrowed(raw)
        }
    }
}

fn memchr_quote(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &[u8]) -> Vec<Vec<Option<String>>> {
        let mut r = Rows::new(csv);
        let mut all = Vec::new();
        while let Some(row) = r.next_row() {
            let row: Vec<Cell> = row.unwrap().to_vec();
            all.push(
                row.iter()
                    .map(|c| match c {
                        Cell::Null => None,
                        Cell::Value { range, quoted } => {
                            Some(String::from_utf8(text(csv, range, *quoted).into_owned()).unwrap())
                        }
                    })
                    .collect(),
            );
        }
        all
    }

    #[test]
    fn nulls_empty_strings_quotes_and_line_breaks() {
        let got = rows(b"1,,\"\",a\n2,\"x, \"\"y\"\"\nz\",b,\"\"\"\"\n");
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            got,
            vec![
                vec![s("1"), None, s(""), s("a")],
                vec![s("2"), s("x, \"y\"\nz"), s("b"), s("\"")],
            ]
        );
        assert_eq!(rows(b"a,\n"), vec![vec![s("a"), None]]);
    }

    #[test]
    fn malformed_chunks_are_errors_not_panics() {
        for bad in [&b"1,\"open\n"[..], b"1,2", b"\"a\"b\n"] {
            let mut r = Rows::new(bad);
            assert!(r.next_row().unwrap().is_err(), "{:?}", bad.escape_ascii());
        }
    }
}
