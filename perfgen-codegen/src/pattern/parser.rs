//! The recursive-descent parser of a pattern's text into pieces.

use super::{Pattern, PatternError, Piece, MAX_CLASS, MAX_LEN, MAX_REPEAT, OPEN_REPEAT};
use std::collections::BTreeSet;

/// How deeply groups may nest.
const MAX_DEPTH: usize = 32;

/// Parse a pattern into its plan, or the first error in it.
pub(super) fn parse(src: &str) -> Result<Pattern, PatternError> {
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
                        format!(
                            "anchors mean nothing here (every value is a whole match); \
                             escape it as `\\{c}` for a literal"
                        ),
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
                        format!(
                            "put it after a character, class or group, or escape it as `\\{c}`"
                        ),
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
                    "supported escapes: `\\d`, `\\w`, `\\n`, `\\r`, `\\t`, \
                     and `\\` before punctuation",
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
