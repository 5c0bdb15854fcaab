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
use std::collections::BTreeSet;

/// Repetitions a quantifier without an upper bound (`*`, `+`, `{n,}`) may add to its minimum.
pub const OPEN_REPEAT: u32 = 8;
/// The largest count a quantifier may name.
pub const MAX_REPEAT: u32 = 1000;
/// The most distinct characters a class may hold (each becomes static data).
pub const MAX_CLASS: usize = 4096;
/// The longest value a pattern may produce, in characters.
pub const MAX_LEN: u64 = 65_536;
/// How deeply groups may nest.
const MAX_DEPTH: usize = 32;

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

/// Parse a pattern into its plan, or the first error in it.
pub fn parse(src: &str) -> Result<Pattern, PatternError> {
    let mut p = Parser {
        chars: src.chars().collect(),
        at: 0,
        depth: 0,
    };
    if p.peek() == Some('^') {
        p.at += 1;
    }
    let pieces = p.alternation()?;
    if let Some(c) = p.peek() {
        // The only way out of a top-level alternation early is a `)` with no `(`.
        debug_assert_eq!(c, ')');
        return Err(p.error(
            p.at,
            "unmatched `)`",
            "remove it, or escape it as `\\)` for a literal parenthesis",
        ));
    }
    let pattern = Pattern { pieces };
    let max = pattern.max_len();
    if max > MAX_LEN {
        return Err(PatternError {
            offset: 0,
            message: format!("values of this pattern reach {max} characters"),
            help: format!("lower its counts: a value may hold at most {MAX_LEN} characters"),
        });
    }
    Ok(pattern)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn error(
        &self,
        offset: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> PatternError {
        PatternError {
            offset,
            message: message.into(),
            help: help.into(),
        }
    }

    /// Branches separated by `|`, up to a `)` or the end; one branch is returned as is.
    fn alternation(&mut self) -> Result<Vec<Piece>, PatternError> {
        let mut branches = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.at += 1;
            branches.push(self.sequence()?);
        }
        if branches.len() == 1 {
            return Ok(branches.pop().unwrap_or_default());
        }
        Ok(vec![Piece::Group {
            branches,
            min: 1,
            max: 1,
        }])
    }

    /// Quantified atoms up to `|`, `)` or the end.
    fn sequence(&mut self) -> Result<Vec<Piece>, PatternError> {
        let mut pieces = Vec::new();
        while let Some(c) = self.peek() {
            let start = self.at;
            let atom = match c {
                '|' | ')' => break,
                '$' if self.at + 1 == self.chars.len() => {
                    self.at += 1;
                    break;
                }
                '^' | '$' => {
                    return Err(self.error(
                        start,
                        format!("`{c}` inside a pattern"),
                        format!("anchors mean nothing here (every value is a whole match); escape it as `\\{c}` for a literal"),
                    ))
                }
                '(' => self.group()?,
                '[' => Atom::Class(self.class()?),
                '.' => {
                    self.at += 1;
                    Atom::Class(printable_ascii().collect())
                }
                '\\' => self.escape(false)?.into_atom(),
                '?' | '*' | '+' | '{' => {
                    return Err(self.error(
                        start,
                        format!("`{c}` with nothing to repeat"),
                        format!("put it after a character, class or group, or escape it as `\\{c}`"),
                    ))
                }
                ']' | '}' => {
                    return Err(self.error(
                        start,
                        format!("unmatched `{c}`"),
                        format!("escape it as `\\{c}` for a literal"),
                    ))
                }
                _ => {
                    self.at += 1;
                    Atom::Char(c)
                }
            };
            let (min, max) = self.quantifier()?.unwrap_or((1, 1));
            push_atom(&mut pieces, atom, min, max);
        }
        Ok(pieces)
    }

    /// `(...)` or `(?:...)`, the `(` under the cursor.
    fn group(&mut self) -> Result<Atom, PatternError> {
        let open = self.at;
        self.at += 1;
        if self.peek() == Some('?') {
            if self.chars.get(self.at + 1) == Some(&':') {
                self.at += 2;
            } else {
                return Err(self.error(
                    open,
                    "group flags, names and look-around are not supported",
                    "use a plain group `(...)` or `(?:...)`",
                ));
            }
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                open,
                format!("groups nested more than {MAX_DEPTH} deep"),
                "flatten the pattern",
            ));
        }
        let inner = self.alternation()?;
        self.depth -= 1;
        if self.peek() != Some(')') {
            return Err(self.error(open, "unclosed `(`", "close the group with `)`"));
        }
        self.at += 1;
        Ok(Atom::Group(inner))
    }

    /// After `\` (under the cursor): a character, or a class for `\d` and `\w`.
    fn escape(&mut self, in_class: bool) -> Result<Escaped, PatternError> {
        let start = self.at;
        self.at += 1;
        let Some(c) = self.peek() else {
            return Err(self.error(
                start,
                "`\\` at the end of the pattern",
                "write `\\\\` for a backslash",
            ));
        };
        self.at += 1;
        Ok(match c {
            'd' => Escaped::Class(('0'..='9').collect()),
            'w' => Escaped::Class(word_chars().collect()),
            'n' => Escaped::Char('\n'),
            'r' => Escaped::Char('\r'),
            't' => Escaped::Char('\t'),
            c if c.is_ascii_punctuation() => Escaped::Char(c),
            's' => {
                return Err(self.error(
                    start,
                    "`\\s` is not supported",
                    "write the whitespace you want: a space ` `, or a class such as `[ \\t]`",
                ))
            }
            'D' | 'W' | 'S' => {
                return Err(self.error(
                    start,
                    format!("`\\{c}` is not supported"),
                    "name the characters you want in a class, such as `[a-z]`",
                ))
            }
            _ => {
                let what = if in_class {
                    "in a class"
                } else {
                    "in a pattern"
                };
                return Err(self.error(
                    start,
                    format!("unknown escape `\\{c}` {what}"),
                    "supported escapes: `\\d`, `\\w`, `\\n`, `\\r`, `\\t` and `\\` before punctuation",
                ));
            }
        })
    }

    /// `[...]`, the `[` under the cursor: the class's distinct characters, sorted.
    fn class(&mut self) -> Result<Vec<char>, PatternError> {
        let open = self.at;
        self.at += 1;
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut set = BTreeSet::new();
        let mut first = true;
        loop {
            let at = self.at;
            let Some(c) = self.peek() else {
                return Err(self.error(open, "unclosed `[`", "close the class with `]`"));
            };
            match c {
                ']' if first => {
                    return Err(self.error(
                        at,
                        "empty class `[]`",
                        "list at least one character; escape a literal `]` as `\\]`",
                    ))
                }
                ']' => {
                    self.at += 1;
                    break;
                }
                '[' if self.chars.get(at + 1) == Some(&':') => {
                    return Err(self.error(
                        at,
                        "POSIX classes such as `[:alpha:]` are not supported",
                        "write the ranges, such as `[a-zA-Z]`",
                    ))
                }
                _ => {}
            }
            first = false;
            let lo = match c {
                '\\' => match self.escape(true)? {
                    Escaped::Class(chars) => {
                        set.extend(chars);
                        continue;
                    }
                    Escaped::Char(c) => c,
                },
                _ => {
                    self.at += 1;
                    c
                }
            };
            // A range `lo-hi`, unless the `-` is last in the class (then it is a literal).
            let is_range = self.peek() == Some('-')
                && !matches!(self.chars.get(self.at + 1), None | Some(']'));
            if !is_range {
                set.insert(lo);
                continue;
            }
            self.at += 1;
            let hi_at = self.at;
            let hi = match self.peek() {
                Some('\\') => match self.escape(true)? {
                    Escaped::Char(c) => c,
                    Escaped::Class(_) => {
                        return Err(self.error(
                            hi_at,
                            "a range cannot end in a class escape",
                            "end the range with a character, such as `a-z`",
                        ))
                    }
                },
                Some(c) => {
                    self.at += 1;
                    c
                }
                None => return Err(self.error(open, "unclosed `[`", "close the class with `]`")),
            };
            if lo > hi {
                return Err(self.error(
                    at,
                    format!("range `{lo}-{hi}` is reversed"),
                    format!("write `{hi}-{lo}`"),
                ));
            }
            if (hi as u32 - lo as u32) as usize >= MAX_CLASS {
                return Err(self.too_big(at));
            }
            // char ranges skip the surrogate gap by themselves.
            set.extend(lo..=hi);
            if set.len() > MAX_CLASS {
                return Err(self.too_big(at));
            }
        }
        let chars: Vec<char> = if negated {
            printable_ascii().filter(|c| !set.contains(c)).collect()
        } else {
            set.into_iter().collect()
        };
        if chars.is_empty() {
            return Err(self.error(
                open,
                "this class excludes every printable ASCII character",
                "a negated class draws from printable ASCII (space to `~`); leave some of it in",
            ));
        }
        Ok(chars)
    }

    fn too_big(&self, at: usize) -> PatternError {
        self.error(
            at,
            "this class holds too many characters",
            format!("use at most {MAX_CLASS} distinct characters in a class"),
        )
    }

    /// A quantifier after an atom, if any: (min, max) repetitions.
    fn quantifier(&mut self) -> Result<Option<(u32, u32)>, PatternError> {
        let q = match self.peek() {
            Some('?') => {
                self.at += 1;
                (0, 1)
            }
            Some('*') => {
                self.at += 1;
                (0, OPEN_REPEAT)
            }
            Some('+') => {
                self.at += 1;
                (1, 1 + OPEN_REPEAT)
            }
            Some('{') => self.braces()?,
            _ => return Ok(None),
        };
        if let Some(c @ ('?' | '*' | '+' | '{')) = self.peek() {
            let help = if c == '{' {
                "group the repeated part first, such as `(a{2}){3}`".to_string()
            } else {
                format!("lazy and possessive forms mean nothing when drawing; remove the `{c}`")
            };
            return Err(self.error(self.at, format!("`{c}` after a quantifier"), help));
        }
        Ok(Some(q))
    }

    /// `{n}`, `{m,n}` or `{n,}`, the `{` under the cursor.
    fn braces(&mut self) -> Result<(u32, u32), PatternError> {
        let open = self.at;
        self.at += 1;
        let bad = |p: &Parser| {
            p.error(
                open,
                "malformed quantifier",
                "write `{n}`, `{m,n}` or `{n,}`; escape a literal brace as `\\{`",
            )
        };
        let min = self.number(open)?.ok_or_else(|| bad(self))?;
        let max = match self.peek() {
            Some('}') => min,
            Some(',') => {
                self.at += 1;
                match self.number(open)? {
                    Some(max) => max,
                    None => min.saturating_add(OPEN_REPEAT).min(MAX_REPEAT.max(min)),
                }
            }
            _ => return Err(bad(self)),
        };
        if self.peek() != Some('}') {
            return Err(bad(self));
        }
        self.at += 1;
        if min > max {
            return Err(self.error(
                open,
                format!("quantifier `{{{min},{max}}}` has its minimum above its maximum"),
                format!("write `{{{max},{min}}}`"),
            ));
        }
        Ok((min, max))
    }

    /// Decimal digits, if any, at most [`MAX_REPEAT`].
    fn number(&mut self, open: usize) -> Result<Option<u32>, PatternError> {
        let start = self.at;
        let mut v: u64 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            v = (v * 10 + d as u64).min(u64::from(u32::MAX));
            self.at += 1;
        }
        if self.at == start {
            return Ok(None);
        }
        if v > MAX_REPEAT as u64 {
            return Err(self.error(
                open,
                format!("repeat count {v} is too large"),
                format!("use counts up to {MAX_REPEAT}"),
            ));
        }
        Ok(Some(v as u32))
    }
}

/// An atom before its quantifier.
enum Atom {
    Char(char),
    Class(Vec<char>),
    Group(Vec<Piece>),
}

/// What an escape stands for.
enum Escaped {
    Char(char),
    Class(Vec<char>),
}

impl Escaped {
    fn into_atom(self) -> Atom {
        match self {
            Escaped::Char(c) => Atom::Char(c),
            Escaped::Class(chars) => Atom::Class(chars),
        }
    }
}

/// `.` and the universe of negated classes: space to `~`.
fn printable_ascii() -> impl Iterator<Item = char> {
    ' '..='~'
}

/// `\w`, in code point order.
fn word_chars() -> impl Iterator<Item = char> {
    ('0'..='9').chain('A'..='Z').chain(['_']).chain('a'..='z')
}

/// Add an atom repeated `min..=max` times, merging fixed text into the literal before it.
fn push_atom(pieces: &mut Vec<Piece>, atom: Atom, min: u32, max: u32) {
    let fixed_text = match &atom {
        Atom::Char(c) if min == max => Some(c.to_string().repeat(min as usize)),
        Atom::Class(chars) if chars.len() == 1 && min == max => {
            Some(chars[0].to_string().repeat(min as usize))
        }
        Atom::Group(inner) if min == 1 && max == 1 => {
            // An unquantified group is its content: inline it.
            for piece in inner.iter().cloned() {
                match piece {
                    Piece::Literal(s) => push_literal(pieces, &s),
                    other => pieces.push(other),
                }
            }
            return;
        }
        _ => None,
    };
    if let Some(text) = fixed_text {
        push_literal(pieces, &text);
        return;
    }
    pieces.push(match atom {
        Atom::Char(c) => Piece::Class {
            chars: vec![c],
            min,
            max,
        },
        Atom::Class(chars) => Piece::Class { chars, min, max },
        Atom::Group(inner) => Piece::Group {
            branches: match inner.as_slice() {
                // A quantified alternation keeps its branches; anything else is one branch.
                [Piece::Group {
                    branches,
                    min: 1,
                    max: 1,
                }] => branches.clone(),
                _ => vec![inner],
            },
            min,
            max,
        },
    });
}

fn push_literal(pieces: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Literal(last)) = pieces.last_mut() {
        last.push_str(text);
    } else {
        pieces.push(Piece::Literal(text.to_string()));
    }
}

/// Lengths in characters: (min, max) of a sequence of pieces.
fn lengths(pieces: &[Piece]) -> (u64, u64) {
    pieces.iter().fold((0, 0), |(lo, hi), piece| {
        let (a, b) = piece_lengths(piece);
        (lo.saturating_add(a), hi.saturating_add(b))
    })
}

fn piece_lengths(piece: &Piece) -> (u64, u64) {
    match piece {
        Piece::Literal(s) => {
            let n = s.chars().count() as u64;
            (n, n)
        }
        Piece::Class { min, max, .. } => (*min as u64, *max as u64),
        Piece::Group { branches, min, max } => {
            let each = branches.iter().map(|b| lengths(b));
            let lo = each.clone().map(|l| l.0).min().unwrap_or(0);
            let hi = each.map(|l| l.1).max().unwrap_or(0);
            (
                lo.saturating_mul(*min as u64),
                hi.saturating_mul(*max as u64),
            )
        }
    }
}

/// Sum of k^r for r in min..=max, saturating.
fn power_sum(k: u128, min: u32, max: u32) -> u128 {
    let mut total: u128 = 0;
    let mut power = k.checked_pow(min).unwrap_or(u128::MAX);
    for _ in min..=max {
        total = total.saturating_add(power);
        if total == u128::MAX {
            break;
        }
        power = power.saturating_mul(k);
    }
    total
}

fn sequence_distinct(pieces: &[Piece]) -> Distinct {
    let mut at_most: u128 = 1;
    let mut exact = true;
    let mut variable = 0;
    for piece in pieces {
        let d = piece_distinct(piece);
        at_most = at_most.saturating_mul(d.at_most);
        exact &= d.exact;
        let (lo, hi) = piece_lengths(piece);
        variable += (lo != hi) as u32;
    }
    Distinct {
        at_most,
        exact: exact && variable <= 1,
    }
}

fn piece_distinct(piece: &Piece) -> Distinct {
    match piece {
        Piece::Literal(_) => Distinct {
            at_most: 1,
            exact: true,
        },
        Piece::Class { chars, min, max } => Distinct {
            at_most: power_sum(chars.len() as u128, *min, *max),
            exact: true,
        },
        Piece::Group { branches, min, max } => {
            let each: Vec<Distinct> = branches.iter().map(|b| sequence_distinct(b)).collect();
            let options = each.iter().fold(0u128, |s, d| s.saturating_add(d.at_most));
            let lens: Vec<(u64, u64)> = branches.iter().map(|b| lengths(b)).collect();
            let one_length = lens.iter().all(|&l| l.0 == l.1 && l == lens[0]);
            let exact = match branches.as_slice() {
                // One branch of a fixed, non-zero length: the count is the length over it.
                [_] => each[0].exact && one_length && (lens[0].0 > 0 || min == max),
                // Distinct literals of one length: every repetition decodes block by block.
                _ => {
                    let literals: Option<BTreeSet<&str>> = branches
                        .iter()
                        .map(|b| match b.as_slice() {
                            [Piece::Literal(s)] => Some(s.as_str()),
                            [] => Some(""),
                            _ => None,
                        })
                        .collect();
                    one_length
                        && literals.is_some_and(|set| set.len() == branches.len())
                        && (lens[0].0 > 0 || min == max)
                }
            };
            Distinct {
                at_most: power_sum(options, *min, *max),
                exact,
            }
        }
    }
}

impl Pattern {
    /// The shortest value, in characters.
    pub fn min_len(&self) -> u64 {
        lengths(&self.pieces).0
    }

    /// The longest value, in characters.
    pub fn max_len(&self) -> u64 {
        lengths(&self.pieces).1
    }

    /// How many distinct values it can produce (for `unique` checks).
    pub fn distinct(&self) -> Distinct {
        sequence_distinct(&self.pieces)
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
            quote!(#runtime::text::PatternPiece::Class { alphabet: #alphabet, min: #min, max: #max })
        }
        Piece::Group {
            branches,
            min,
            max,
        } => {
            let branches = branches.iter().map(|b| pieces_tokens(b, runtime));
            quote!(#runtime::text::PatternPiece::Group { branches: &[#(#branches),*], min: #min, max: #max })
        }
    });
    quote!(&[#(#items),*])
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfgen_runtime::rng::CellRng;
    use perfgen_runtime::text::{push_pattern, Alphabet, PatternPiece};
    use std::collections::HashSet;

    fn plan(src: &str) -> Pattern {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e:?}"))
    }

    fn lit(s: &str) -> Piece {
        Piece::Literal(s.to_string())
    }

    fn class(chars: &str, min: u32, max: u32) -> Piece {
        Piece::Class {
            chars: chars.chars().collect(),
            min,
            max,
        }
    }

    fn err(src: &str) -> PatternError {
        parse(src).expect_err(src)
    }

    /// The runtime's static plan, leaked: what the emitted `static` holds.
    fn runtime_plan(pieces: &[Piece]) -> &'static [PatternPiece] {
        let v: Vec<PatternPiece> = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(s) => PatternPiece::Literal(Box::leak(s.clone().into_boxed_str())),
                Piece::Class { chars, min, max } => PatternPiece::Class {
                    alphabet: Alphabet::chars(Box::leak(chars.clone().into_boxed_slice())),
                    min: *min,
                    max: *max,
                },
                Piece::Group { branches, min, max } => {
                    let b: Vec<&'static [PatternPiece]> =
                        branches.iter().map(|b| runtime_plan(b)).collect();
                    PatternPiece::Group {
                        branches: Box::leak(b.into_boxed_slice()),
                        min: *min,
                        max: *max,
                    }
                }
            })
            .collect();
        Box::leak(v.into_boxed_slice())
    }

    fn draw_many(p: &Pattern, n: u64) -> Vec<String> {
        let plan = runtime_plan(&p.pieces);
        (0..n)
            .map(|row| {
                let mut s = String::new();
                push_pattern(&mut CellRng::new(1, 2, 3, row), plan, &mut s);
                s
            })
            .collect()
    }

    #[test]
    fn pattern_plans() {
        assert_eq!(
            plan("[A-Z]{3}-[0-9]{4}").pieces,
            [
                class("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3, 3),
                lit("-"),
                class("0123456789", 4, 4)
            ]
        );
        assert_eq!(plan("^abc$").pieces, [lit("abc")]);
        assert_eq!(plan("ab{3}c").pieces, [lit("abbbc")]);
        assert_eq!(plan("a(bc)d").pieces, [lit("abcd")]);
        assert_eq!(
            plan("x\\.\\d?").pieces,
            [lit("x."), class("0123456789", 0, 1)]
        );
        assert_eq!(
            plan("[A-Z0-9_-]").pieces,
            [class("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 1, 1)]
        );
        assert_eq!(plan("[-a]").pieces, [class("-a", 1, 1)]);
        assert_eq!(plan("[ba\\]a]").pieces, [class("]ab", 1, 1)]);
        assert_eq!(plan("[\\w]").pieces, plan("\\w").pieces);
        assert_eq!(plan("a*").pieces, [class("a", 0, OPEN_REPEAT)]);
        assert_eq!(plan("a+").pieces, [class("a", 1, 1 + OPEN_REPEAT)]);
        assert_eq!(plan("a{2,}").pieces, [class("a", 2, 2 + OPEN_REPEAT)]);
        assert_eq!(
            plan("(?:ab)?").pieces,
            [Piece::Group {
                branches: vec![vec![lit("ab")]],
                min: 0,
                max: 1
            }]
        );
        assert_eq!(
            plan("(Mr|Ms)\\. [A-Z]").pieces,
            [
                Piece::Group {
                    branches: vec![vec![lit("Mr")], vec![lit("Ms")]],
                    min: 1,
                    max: 1
                },
                lit(". "),
                class("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 1),
            ]
        );
        assert_eq!(
            plan("(a|b){2}").pieces,
            [Piece::Group {
                branches: vec![vec![lit("a")], vec![lit("b")]],
                min: 2,
                max: 2
            }]
        );
        assert_eq!(
            plan("a|").pieces,
            [Piece::Group {
                branches: vec![vec![lit("a")], vec![]],
                min: 1,
                max: 1
            }]
        );
        let dot = plan(".");
        assert_eq!(
            dot.pieces,
            [Piece::Class {
                chars: (' '..='~').collect(),
                min: 1,
                max: 1
            }]
        );
        let neg = plan("[^ -/:-~]");
        assert_eq!(neg.pieces, [class("0123456789", 1, 1)]);
        assert_eq!(plan("é[à-â]").pieces, [lit("é"), class("àáâ", 1, 1)]);
        assert_eq!(plan("\\t\\n").pieces, [lit("\t\n")]);
        assert_eq!(plan("").pieces, []);
    }

    #[test]
    fn errors_point_at_the_offending_character() {
        let cases: &[(&str, usize, &str)] = &[
            ("abc)", 3, "unmatched `)`"),
            ("(abc", 0, "unclosed `(`"),
            ("ab[cd", 2, "unclosed `[`"),
            ("[]", 1, "empty class"),
            ("x*?", 2, "`?` after a quantifier"),
            ("x{2}{3}", 4, "`{` after a quantifier"),
            ("*a", 0, "nothing to repeat"),
            ("a|?", 2, "nothing to repeat"),
            ("a{2", 1, "malformed quantifier"),
            ("a{x}", 1, "malformed quantifier"),
            ("a{,3}", 1, "malformed quantifier"),
            ("a{5,2}", 1, "minimum above its maximum"),
            ("a{1001}", 1, "too large"),
            ("[z-a]", 1, "reversed"),
            ("ab\\s", 2, "`\\s` is not supported"),
            ("\\D", 0, "`\\D` is not supported"),
            ("\\q", 0, "unknown escape `\\q`"),
            ("[\\q]", 1, "unknown escape `\\q` in a class"),
            ("[a-\\d]", 3, "cannot end in a class escape"),
            ("ab\\", 2, "`\\` at the end"),
            ("é(?i)x", 1, "flags"),
            ("(?<n>x)", 0, "flags"),
            ("a^b", 1, "`^` inside"),
            ("a$b", 1, "`$` inside"),
            ("a]", 1, "unmatched `]`"),
            ("}", 0, "unmatched `}`"),
            ("[[:alpha:]]", 1, "POSIX"),
            ("[^ -~]", 0, "excludes every printable"),
            ("[\u{100}-\u{2000}]", 1, "too many characters"),
        ];
        for &(src, offset, message) in cases {
            let e = parse(src).expect_err(src);
            assert_eq!(e.offset, offset, "{src:?}: {e:?}");
            assert!(e.message.contains(message), "{src:?}: {e:?}");
            assert!(!e.help.is_empty(), "{src:?}");
        }
        let deep = "(".repeat(40) + &")".repeat(40);
        assert!(err(&deep).message.contains("nested"));
        // Offsets count characters, not bytes.
        assert_eq!(err("ééé)").offset, 3);
        // The too-long check is 65536 characters: 66 * 1000 is over it.
        let long = "a{1000}".repeat(66);
        assert!(err(&long).message.contains("66000"));
        assert!(parse(&"a{1000}".repeat(65)).is_ok());
    }

    #[test]
    fn lengths_and_distinct_counts() {
        let p = plan("[A-Z]{3}-[0-9]{4}");
        assert_eq!((p.min_len(), p.max_len()), (8, 8));
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 26u128.pow(3) * 10u128.pow(4),
                exact: true
            }
        );
        let p = plan("[ab]{1,2}x");
        assert_eq!((p.min_len(), p.max_len()), (2, 3));
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 6,
                exact: true
            }
        );
        let p = plan("(Mr|Ms|Dr)\\. [A-Z]");
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 78,
                exact: true
            }
        );
        let p = plan("(a|aa){2}");
        assert_eq!((p.min_len(), p.max_len()), (2, 4));
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 4,
                exact: false
            }
        );
        let p = plan("a?a?");
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 4,
                exact: false
            }
        );
        let p = plan("(ab){0,3}");
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 4,
                exact: true
            }
        );
        let p = plan("\\w{1000}");
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: u128::MAX,
                exact: true
            }
        );
        let p = plan("");
        assert_eq!(
            p.distinct(),
            Distinct {
                at_most: 1,
                exact: true
            }
        );
        assert!(plan("[a-z]").is_ascii() && !plan("(x|é)").is_ascii());
    }

    #[test]
    fn exact_counts_are_what_draws_reach() {
        for src in [
            "[ab]{1,2}x",
            "(Mr|Ms|Dr)\\.[xy]",
            "(ab){0,3}",
            "[0-2]{2}",
            "q(a|b)?",
        ] {
            let p = plan(src);
            let d = p.distinct();
            assert!(d.exact, "{src}");
            let seen: HashSet<String> = draw_many(&p, 20_000).into_iter().collect();
            assert_eq!(seen.len() as u128, d.at_most, "{src}: {seen:?}");
        }
        // Not exact: fewer values than ways to draw them.
        let p = plan("(a|aa){2}");
        let seen: HashSet<String> = draw_many(&p, 5_000).into_iter().collect();
        assert_eq!(seen.len(), 3);
        assert!(!p.distinct().exact);
    }

    #[test]
    fn draws_have_the_shape_and_the_laws() {
        let p = plan("[A-Z]{3}-\\d{2,4}");
        let mut lengths = [0u64; 3];
        let mut letters = [0u64; 26];
        for s in draw_many(&p, 60_000) {
            let b = s.as_bytes();
            assert!(b[..3].iter().all(u8::is_ascii_uppercase), "{s}");
            assert_eq!(b[3], b'-');
            assert!(b[4..].iter().all(u8::is_ascii_digit), "{s}");
            assert!((6..=8).contains(&b.len()));
            lengths[b.len() - 6] += 1;
            letters[(b[0] - b'A') as usize] += 1;
        }
        let chi = |counts: &[u64]| {
            let n: u64 = counts.iter().sum();
            let e = n as f64 / counts.len() as f64;
            counts
                .iter()
                .map(|&c| (c as f64 - e).powi(2) / e)
                .sum::<f64>()
        };
        // 2 and 25 degrees of freedom at P ~ 0.001: 13.8 and 52.6.
        assert!(chi(&lengths) < 13.8, "{lengths:?}");
        assert!(chi(&letters) < 52.6, "{letters:?}");
    }

    #[test]
    fn emitted_tokens_are_a_constant_plan() {
        let runtime: TokenStream = quote!(::perfgen_runtime);
        let p = plan("(Mr|Ms)\\. [A-Z]{2,3}é[é-ë]\"");
        let tokens = p.to_tokens(&runtime);
        let item: syn::ItemStatic = syn::parse2(quote! {
            static PLAN: &[::perfgen_runtime::text::PatternPiece] = #tokens;
        })
        .expect("a static item");
        let text = quote!(#item).to_string();
        assert!(
            text.contains("Alphabet :: ascii (b\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\")"),
            "{text}"
        );
        assert!(
            text.contains("Alphabet :: chars (& ['é' , 'ê' , 'ë'])"),
            "{text}"
        );
        assert!(text.contains("PatternPiece :: Literal (\"Mr\")"), "{text}");
        assert!(text.contains("PatternPiece :: Literal (\"é\")"), "{text}");
        assert!(
            text.contains("PatternPiece :: Literal (\"\\\"\")"),
            "{text}"
        );
        assert!(text.contains("min : 2u32 , max : 3u32"), "{text}");
    }
}
