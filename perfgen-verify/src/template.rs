//! Templates: whether a value is what its template can produce, and which choices it
//! took.

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
    let w = nf.width as usize;
    Some(if nf.zero_pad {
        format!("{v:0w$}")
    } else {
        format!("{v:>w$}")
    })
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
        TemplateMatcher {
            case,
            pieces: out,
            weights,
            pattern,
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
