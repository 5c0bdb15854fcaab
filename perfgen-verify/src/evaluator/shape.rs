//! The text shape an expression with draws can write: a list of pieces (literal text, an
//! integer in an interval, a decimal in an interval with its places, one of a few words, any
//! text), matched against a cell by backtracking over where each piece ends.

use super::value::{text_of, V};

/// One piece of a text shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Lit(String),
    /// An integer in `[lo, hi]`, zero-padded to `width` characters (0: as written).
    Int {
        lo: i64,
        hi: i64,
        width: usize,
    },
    /// A decimal in `[lo, hi]` written with `places` decimals.
    Dec {
        lo: f64,
        hi: f64,
        places: u32,
    },
    /// One of these texts (`true`/`false` of a `bernoulli`).
    OneOf(Vec<String>),
    Any,
}

/// An integer as `lpad(i, width, '0')` writes it: the sign before the zeros.
pub(crate) fn padded_int(i: i64, width: usize) -> String {
    let digits = i.unsigned_abs().to_string();
    let sign = if i < 0 { "-" } else { "" };
    let len = digits.len() + sign.len();
    let zeros = "0".repeat(width.saturating_sub(len));
    format!("{sign}{zeros}{digits}")
}

/// Pieces in a row merged where two literals meet (fewer places to backtrack over).
pub(crate) fn join(a: Vec<Piece>, b: Vec<Piece>) -> Vec<Piece> {
    let mut out = a;
    for p in b {
        match (out.last_mut(), p) {
            (Some(Piece::Lit(x)), Piece::Lit(y)) => x.push_str(&y),
            (Some(Piece::Any), Piece::Any) => {}
            (_, p) => out.push(p),
        }
    }
    out
}

/// The shape of a known value: its CSV text.
pub(crate) fn literal(v: &V) -> Vec<Piece> {
    vec![Piece::Lit(text_of(v))]
}

/// Whether `s` is exactly one text the piece can write.
fn piece_writes(p: &Piece, s: &str) -> bool {
    match p {
        Piece::Lit(l) => l == s,
        Piece::Int { lo, hi, width } => s
            .parse::<i64>()
            .is_ok_and(|i| i >= *lo && i <= *hi && padded_int(i, *width) == s),
        Piece::Dec { lo, hi, places } => s.parse::<f64>().is_ok_and(|x| {
            // One unit of the last place of slack: verify's decimals are f64s.
            let tol = 10f64.powi(-(*places as i32)) + 1e-9;
            x >= lo - tol && x <= hi + tol && text_of(&V::Dec(x, *places)) == s
        }),
        Piece::OneOf(words) => words.iter().any(|w| w == s),
        Piece::Any => true,
    }
}

/// Whether `text` is one the pieces can write together.
pub(crate) fn matches(pieces: &[Piece], text: &str) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return text.is_empty();
    };
    if let Piece::Lit(l) = first {
        return text
            .strip_prefix(l.as_str())
            .is_some_and(|t| matches(rest, t));
    }
    let ends = text
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain([text.len()]);
    // The empty text too, for `Any` and an empty `OneOf` word.
    std::iter::once(0)
        .chain(ends)
        .any(|end| piece_writes(first, &text[..end]) && matches(rest, &text[end..]))
}

/// The shape for a message: `17-<integer in [100, 999]>-...`.
pub(crate) fn describe(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(l) => l.clone(),
            Piece::Int { lo, hi, width: 0 } => format!("<integer in [{lo}, {hi}]>"),
            Piece::Int { lo, hi, width } => {
                format!("<integer in [{lo}, {hi}], {width} wide with zeros>")
            }
            Piece::Dec { lo, hi, places } => {
                let (lo, hi) = (*lo, *hi);
                let p = *places as usize;
                format!("<decimal in [{lo:.p$}, {hi:.p$}], {places} places>")
            }
            Piece::OneOf(w) => format!("<{}>", w.join("|")),
            Piece::Any => "<any text>".to_string(),
        })
        .collect()
}
