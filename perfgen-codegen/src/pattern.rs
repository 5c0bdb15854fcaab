//! The `pattern` of a random string: a small regular-expression subset, parsed at build time
//! into a plan of pieces that emission turns into static data for the runtime's
//! `text::push_pattern`.
//!
//! Supported: literal characters; escapes `\d` (`[0-9]`), `\w` (`[A-Za-z0-9_]`), `\n`, `\r`,
//! `\t` and `\` before any ASCII punctuation; `.` (printable ASCII, space to `~`); classes
//! `[A-Z0-9_-]` with ranges, escapes, `\d`, `\w` and negation `[^...]` (within printable
//! ASCII); groups `(...)` and `(?:...)` with alternation `a|b`; quantifiers `?`, `{n}`,
//! `{m,n}`, `{n,}`, `*` and `+`. A quantifier with no upper bound (`*`, `+`, `{n,}`) takes at
//! most [`OPEN_REPEAT`] more repetitions than its minimum. `^` at the start and `$` at the
//! end are accepted and mean nothing (every value is a whole match).
//!
//! Drawing: each quantifier's count is uniform over its range, each class character uniform
//! over the class's distinct characters, each group repetition a uniformly chosen branch.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Repetitions a quantifier without an upper bound (`*`, `+`, `{n,}`) may add to its minimum.
pub const OPEN_REPEAT: u32 = 8;
/// The largest count a quantifier may name.
pub const MAX_REPEAT: u32 = 1000;
/// The most distinct characters a class may hold (each becomes static data).
pub const MAX_CLASS: usize = 4096;
/// The longest value a pattern may produce, in characters.
pub const MAX_LEN: u64 = 65_536;

/// A parsed pattern: the pieces a value is drawn from, left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub pieces: Vec<Piece>,
}

/// One piece of a [`Pattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as it is.
    Literal(String),
    /// `min..=max` characters (count uniform), each uniform over `chars` (sorted, distinct).
    Class {
        chars: Vec<char>,
        min: u32,
        max: u32,
    },
    /// `min..=max` repetitions (count uniform), each a uniformly chosen branch.
    Group {
        branches: Vec<Vec<Piece>>,
        min: u32,
        max: u32,
    },
}

/// A pattern that does not parse: where (a character offset into the pattern), what, and
/// how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Offset in characters from the start of the pattern text.
    pub offset: usize,
    pub message: String,
    pub help: String,
}

/// How many distinct values a pattern can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distinct {
    /// The number of ways to draw a value (saturating at `u128::MAX`): an upper bound on the
    /// distinct values.
    pub at_most: u128,
    /// Whether different draws always give different values, so `at_most` is the exact
    /// count (proven by a simple sufficient test: at most one piece of each sequence varies
    /// in length, and alternatives are distinct literals of one length).
    pub exact: bool,
}

mod measure;
mod parser;
#[cfg(test)]
mod tests;

/// Parse a pattern into its plan, or the first error in it.
pub fn parse(src: &str) -> Result<Pattern, PatternError> {
    parser::parse(src)
}

impl Pattern {
    /// The shortest value, in characters.
    pub fn min_len(&self) -> u64 {
        measure::lengths(&self.pieces).0
    }

    /// The longest value, in characters.
    pub fn max_len(&self) -> u64 {
        measure::lengths(&self.pieces).1
    }

    /// How many distinct values it can produce (for `unique` checks).
    pub fn distinct(&self) -> Distinct {
        measure::sequence_distinct(&self.pieces)
    }

    /// Whether every value is ASCII.
    pub fn is_ascii(&self) -> bool {
        fn ascii(pieces: &[Piece]) -> bool {
            pieces.iter().all(|p| match p {
                Piece::Literal(s) => s.is_ascii(),
                Piece::Class { chars, .. } => chars.iter().all(char::is_ascii),
                Piece::Group { branches, .. } => branches.iter().all(|b| ascii(b)),
            })
        }
        ascii(&self.pieces)
    }

    /// A constant expression of type `&'static [PatternPiece]` (with `runtime` the path of
    /// perfgen-runtime, such as `::perfgen_runtime`), for a `static` in generated code.
    pub fn to_tokens(&self, runtime: &TokenStream) -> TokenStream {
        pieces_tokens(&self.pieces, runtime)
    }
}

fn pieces_tokens(pieces: &[Piece], runtime: &TokenStream) -> TokenStream {
    let items = pieces.iter().map(|piece| match piece {
        Piece::Literal(s) => {
            let s = Literal::string(s);
            quote!(#runtime::text::PatternPiece::Literal(#s))
        }
        Piece::Class { chars, min, max } => {
            let alphabet = if chars.iter().all(char::is_ascii) {
                let bytes: Vec<u8> = chars.iter().map(|&c| c as u8).collect();
                let lit = Literal::byte_string(&bytes);
                quote!(#runtime::text::Alphabet::ascii(#lit))
            } else {
                let lits = chars.iter().map(|&c| Literal::character(c));
                quote!(#runtime::text::Alphabet::chars(&[#(#lits),*]))
            };
            let piece = quote!(#runtime::text::PatternPiece);
            quote!(#piece::Class { alphabet: #alphabet, min: #min, max: #max })
        }
        Piece::Group { branches, min, max } => {
            let branches = branches.iter().map(|b| pieces_tokens(b, runtime));
            let piece = quote!(#runtime::text::PatternPiece);
            quote!(#piece::Group { branches: &[#(#branches),*], min: #min, max: #max })
        }
    });
    quote!(&[#(#items),*])
}
