//! Templates: whether a value is what its template can produce, and which choices it
//! took.

use crate::compare::CellValue;
use perfgen_runtime::spec::{Case, NumberFormat, NumberSource, TemplatePiece};
use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` in the template's case, borrowed when it already is.
pub(crate) fn map_case(s: &str, case: Case) -> Cow<'_, str> {
    match case {
        Case::Preserve => Cow::Borrowed(s),
        Case::Lower => {
            if s.is_ascii() {
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(s.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(s)
                }
            } else {
                Cow::Owned(s.chars().flat_map(char::to_lowercase).collect())
            }
        }
        Case::Upper => {
            if s.is_ascii() {
                if s.bytes().any(|b| b.is_ascii_lowercase()) {
                    Cow::Owned(s.to_ascii_uppercase())
                } else {
                    Cow::Borrowed(s)
                }
            } else {
                Cow::Owned(s.chars().flat_map(char::to_uppercase).collect())
            }
        }
    }
}

/// [`map_case`] of `s` appended to `out` (no allocation once `out` has room).
pub(crate) fn push_case(out: &mut String, s: &str, case: Case) {
    let start = out.len();
    match case {
        Case::Preserve => out.push_str(s),
        _ if s.is_ascii() => {
            out.push_str(s);
            let added = &mut out.as_mut_str()[start..];
            if case == Case::Lower {
                added.make_ascii_lowercase();
            } else {
                added.make_ascii_uppercase();
            }
        }
        Case::Lower => out.extend(s.chars().flat_map(char::to_lowercase)),
        Case::Upper => out.extend(s.chars().flat_map(char::to_uppercase)),
    }
}

/// The text `{source+offset:width}` writes for the integer `source`, formatted here with the
/// standard library (zeros after the sign, or spaces, up to the width; never cut); `None`
/// when the sum overflows an i64 (no value can then match).
pub(crate) fn formatted_text(nf: &NumberFormat, source: i64) -> Option<String> {
    let v = source.checked_add(nf.offset)?;
    let mut out = String::new();
    write_formatted(&mut out, nf, v);
    Some(out)
}

/// What [`TemplateMatcher::quick_match`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quick {
    /// A field the template reads is not in the file, or a number it formats is not an
    /// integer: nothing to check (that field's own column reports it).
    Skip,
    /// The value follows the template for its row, in one way.
    One,
    /// Not decided: the general match decides.
    Unsure,
}

/// `rest` after `text` in `case`, if it starts with it: `text` mapped as [`push_case`] maps
/// it (ASCII a byte at a time, the rest a character at a time), without writing it.
#[inline]
fn strip_in_case<'a>(rest: &'a [u8], text: &str, case: Case) -> Option<&'a [u8]> {
    match case {
        Case::Preserve => rest.strip_prefix(text.as_bytes()),
        Case::Lower => strip_mapped::<true>(rest, text),
        Case::Upper => strip_mapped::<false>(rest, text),
    }
}

/// [`strip_in_case`] in lower case (`LOWER`) or upper case: one pass over `text`'s ASCII
/// bytes (the common case: all of them), then its other characters one by one.
#[inline]
fn strip_mapped<'a, const LOWER: bool>(rest: &'a [u8], text: &str) -> Option<&'a [u8]> {
    let bytes = text.as_bytes();
    for (i, &t) in bytes.iter().enumerate() {
        if !t.is_ascii() {
            // `rest` has the i bytes matched so far; byte i of `text` starts a character.
            let case = if LOWER { Case::Lower } else { Case::Upper };
            return strip_mapped_chars(&rest[i..], &text[i..], case);
        }
        let m = if LOWER {
            t.to_ascii_lowercase()
        } else {
            t.to_ascii_uppercase()
        };
        if rest.get(i) != Some(&m) {
            return None;
        }
    }
    rest.get(bytes.len()..)
}

/// [`strip_in_case`] of text that is not all ASCII: each character's mapping in turn.
#[cold]
fn strip_mapped_chars<'a>(mut rest: &'a [u8], text: &str, case: Case) -> Option<&'a [u8]> {
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let mut one = |m: char| -> Option<()> {
            rest = rest.strip_prefix(m.encode_utf8(&mut buf).as_bytes())?;
            Some(())
        };
        match case {
            Case::Lower => c.to_lowercase().try_for_each(&mut one)?,
            _ => c.to_uppercase().try_for_each(&mut one)?,
        }
    }
    Some(rest)
}

/// [`formatted_text`] of `v` (the sum already taken) appended to `out`.
fn write_formatted(out: &mut String, nf: &NumberFormat, v: i64) {
    let w = nf.width as usize;
    let _ = if nf.zero_pad {
        write!(out, "{v:0w$}")
    } else {
        write!(out, "{v:>w$}")
    };
}

/// One piece of a template as values are matched against it (literals case-mapped).
pub(crate) enum MatchPiece {
    /// Literal text.
    Fixed(String),
    /// Another field's value (its position).
    Field(usize),
    /// The row index.
    Index,
    /// An integer (the row index or a field) with an offset and a width.
    Formatted(NumberFormat),
    /// Alternatives after case mapping, each with its group (identical texts merged).
    Choice {
        slot: usize,
        alts: Vec<(String, usize)>,
    },
}

/// A field's template, ready to tell whether a value is one it produces.
/// Pieces and choice slots a row's match keeps on the stack; more allocate.
pub(crate) const SMALL: usize = 16;

pub(crate) struct TemplateMatcher {
    pub(crate) case: Case,
    pub(crate) pieces: Vec<MatchPiece>,
    /// No choice before the last piece: a value can follow the template for a row in one
    /// way at most, so [`TemplateMatcher::quick_match`] can read it left to right.
    pub(crate) straight: bool,
    /// Per choice slot: how many of the configured alternatives fall in each group.
    pub(crate) weights: Vec<Vec<f64>>,
    /// The template as configured, for messages.
    pub(crate) pattern: String,
}

impl TemplateMatcher {
    /// The matcher of `pieces` in `case`; `fields` name the field pieces.
    pub(crate) fn new(
        pieces: &[TemplatePiece],
        case: Case,
        fields: &[perfgen_runtime::catalog::FieldInfo],
    ) -> Self {
        let mut out = Vec::new();
        let mut weights = Vec::new();
        let mut pattern = String::new();
        for p in pieces {
            match *p {
                TemplatePiece::Literal(s) => {
                    out.push(MatchPiece::Fixed(map_case(s, case).into_owned()));
                    pattern.push_str(&s.replace('{', "{{").replace('}', "}}"));
                }
                TemplatePiece::Field(j) => {
                    out.push(MatchPiece::Field(j));
                    let _ = write!(pattern, "{{{}}}", fields.get(j).map_or("?", |f| f.name));
                }
                TemplatePiece::Index => {
                    out.push(MatchPiece::Index);
                    pattern.push_str("{index}");
                }
                TemplatePiece::Formatted(nf) => {
                    out.push(MatchPiece::Formatted(nf));
                    let name = match nf.source {
                        NumberSource::Index => "index",
                        NumberSource::Field(j) => fields.get(j).map_or("?", |f| f.name),
                    };
                    let _ = write!(pattern, "{{{name}{}}}", nf.suffix());
                }
                TemplatePiece::Choice(values) => {
                    let mut alts: Vec<(String, usize)> = Vec::new();
                    let mut w: Vec<f64> = Vec::new();
                    for v in values {
                        let m = map_case(v, case).into_owned();
                        match alts.iter().find(|(a, _)| *a == m) {
                            Some(&(_, g)) => w[g] += 1.0,
                            None => {
                                alts.push((m, w.len()));
                                w.push(1.0);
                            }
                        }
                    }
                    out.push(MatchPiece::Choice {
                        slot: weights.len(),
                        alts,
                    });
                    weights.push(w);
                    if values.len() <= 4 {
                        let _ = write!(pattern, "{{{}}}", values.join("|"));
                    } else {
                        let _ = write!(pattern, "{{one of {} values}}", values.len());
                    }
                }
            }
        }
        let last = out.len().saturating_sub(1);
        let straight = out
            .iter()
            .enumerate()
            .all(|(k, p)| k == last || !matches!(p, MatchPiece::Choice { .. }));
        TemplateMatcher {
            case,
            straight,
            pieces: out,
            weights,
            pattern,
        }
    }

    /// Whether `value` is what the template writes for row `row` (whose cells are `vals`
    /// and `texts`), read left to right without building the row's text: the common case of
    /// a template without a choice before its last piece. Only a match is decided here
    /// ([`Quick::One`], `picks` filled); anything else is [`Quick::Unsure`] and left to
    /// [`TemplateMatcher::parses`], which also words the failure. `scratch` holds a formatted
    /// number.
    pub(crate) fn quick_match(
        &self,
        value: &str,
        row: u64,
        vals: &[CellValue],
        texts: &[&str],
        scratch: &mut String,
        picks: &mut [usize],
    ) -> Quick {
        if !self.straight {
            return Quick::Unsure;
        }
        let mut rest = value.as_bytes();
        for piece in &self.pieces {
            let next = match piece {
                MatchPiece::Fixed(s) => rest.strip_prefix(s.as_bytes()),
                MatchPiece::Field(j) => {
                    if matches!(vals.get(*j), None | Some(CellValue::Missing)) {
                        return Quick::Skip;
                    }
                    strip_in_case(rest, texts[*j], self.case)
                }
                MatchPiece::Index => rest.strip_prefix(itoa::Buffer::new().format(row).as_bytes()),
                MatchPiece::Formatted(nf) => {
                    let source = match nf.source {
                        NumberSource::Index => row as i64,
                        NumberSource::Field(j) => match vals.get(j) {
                            Some(CellValue::Int(v)) => *v,
                            _ => return Quick::Skip,
                        },
                    };
                    let Some(v) = source.checked_add(nf.offset) else {
                        return Quick::Unsure;
                    };
                    scratch.clear();
                    write_formatted(scratch, nf, v);
                    rest.strip_prefix(scratch.as_bytes())
                }
                // The last piece (the template is straight): the rest is one alternative
                // (identical ones were merged), or none.
                MatchPiece::Choice { slot, alts } => {
                    return match alts.iter().find(|(a, _)| a.as_bytes() == rest) {
                        Some(&(_, g)) => {
                            picks[*slot] = g;
                            Quick::One
                        }
                        None => Quick::Unsure,
                    };
                }
            };
            match next {
                Some(r) => rest = r,
                None => return Quick::Unsure,
            }
        }
        if rest.is_empty() {
            Quick::One
        } else {
            Quick::Unsure
        }
    }

    /// Number of ways (0, 1 or 2 meaning "several") `value` is produced by the template for
    /// this row; `picks` receives the choice groups of the first way.
    pub(crate) fn parses(&self, value: &str, fixed: &[&str], picks: &mut [usize]) -> u8 {
        let mut count = 0u8;
        if picks.len() <= SMALL {
            let mut cur = [0usize; SMALL];
            self.match_from(0, value, fixed, &mut cur[..picks.len()], picks, &mut count);
        } else {
            let mut cur = vec![0usize; picks.len()];
            self.match_from(0, value, fixed, &mut cur, picks, &mut count);
        }
        count
    }

    /// Counts the ways pieces `k..` produce `rest` (stopping at 2), `cur` holding the
    /// choice groups taken so far and `first` receiving those of the first way.
    fn match_from(
        &self,
        k: usize,
        rest: &str,
        fixed: &[&str],
        cur: &mut [usize],
        first: &mut [usize],
        count: &mut u8,
    ) {
        if *count >= 2 {
            return;
        }
        let Some(piece) = self.pieces.get(k) else {
            if rest.is_empty() {
                if *count == 0 {
                    first.copy_from_slice(cur);
                }
                *count += 1;
            }
            return;
        };
        match piece {
            MatchPiece::Choice { slot, alts } => {
                for (alt, g) in alts {
                    if let Some(r) = rest.strip_prefix(alt.as_str()) {
                        cur[*slot] = *g;
                        self.match_from(k + 1, r, fixed, cur, first, count);
                    }
                }
            }
            _ => {
                if let Some(r) = rest.strip_prefix(fixed[k]) {
                    self.match_from(k + 1, r, fixed, cur, first, count);
                }
            }
        }
    }
}
