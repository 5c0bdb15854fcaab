//! Tokens of an expression, each with its character offset in the expression text.
//! Lexing never stops at a bad character: it records the error and carries on, so every
//! lexical mistake of an expression is reported at once.

/// A duration unit of a literal such as `30d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
}

impl Unit {
    /// The unit's letter, as written.
    pub fn letter(self) -> char {
        match self {
            Unit::Weeks => 'w',
            Unit::Days => 'd',
            Unit::Hours => 'h',
            Unit::Minutes => 'm',
            Unit::Seconds => 's',
        }
    }
    /// Whether a date can move by this unit (whole days).
    pub fn is_days(self) -> bool {
        matches!(self, Unit::Weeks | Unit::Days)
    }
    /// Days per unit for day units, else seconds per unit.
    pub fn factor(self) -> i64 {
        match self {
            Unit::Weeks => 7,
            Unit::Days => 1,
            Unit::Hours => 3600,
            Unit::Minutes => 60,
            Unit::Seconds => 1,
        }
    }
}

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Int(i64),
    /// A decimal literal: its value, scaled mantissa and places (`1.50`: 150, 2).
    Dec {
        mantissa: i64,
        places: u32,
    },
    Str(String),
    Duration(i64, Unit),
    /// A name or keyword (keywords are recognised by the parser, case-insensitively).
    Ident(String),
    /// A `"quoted name"`: never a keyword.
    QuotedIdent(String),
    /// Punctuation and operators: `+ - * / % ( ) , . || = == != <> < <= > >=`.
    Sym(&'static str),
    End,
}

/// A token and the character offsets it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// A lexical error: character offset, message and help.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    pub at: usize,
    pub message: String,
    pub help: String,
}

const SYMBOLS: [&str; 18] = [
    "||", "==", "!=", "<>", "<=", ">=", "+", "-", "*", "/", "%", "(", ")", ",", ".", "=", "<", ">",
];

/// Split `text` into tokens (ending with [`Tok::End`]) and the errors met on the way.
pub fn lex(text: &str) -> (Vec<Token>, Vec<LexError>) {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let (tok, next) = number(&chars, i, &mut errors);
            i = next;
            // A bad number still stands for a value, so the parser reports only later
            // mistakes (the expression fails on the lexical error anyway).
            toks.push(Token {
                tok: tok.unwrap_or(Tok::Int(0)),
                start,
                end: i,
            });
            continue;
        }
        if c == '\'' || c == '"' {
            let (s, next, closed) = quoted(&chars, i);
            i = next;
            if !closed {
                let what = if c == '\'' { "text" } else { "name" };
                errors.push(LexError {
                    at: start,
                    message: format!("unterminated {what} starting here"),
                    help: format!("close it with `{c}`; write `{c}{c}` for a `{c}` inside"),
                });
            }
            let tok = if c == '\'' {
                Tok::Str(s)
            } else {
                Tok::QuotedIdent(s)
            };
            toks.push(Token { tok, start, end: i });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                start,
                end: i,
            });
            continue;
        }
        let sym = SYMBOLS.iter().find(|s| {
            let n = s.chars().count();
            chars
                .get(i..i + n)
                .is_some_and(|w| w.iter().copied().eq(s.chars()))
        });
        match sym {
            Some(s) => {
                i += s.len();
                toks.push(Token {
                    tok: Tok::Sym(s),
                    start,
                    end: i,
                });
            }
            None => {
                // `&&`, `&`, `|` and `!` are read as the keyword they stand for, so parsing
                // carries on and reports what follows.
                let (written, stands_for, help) = match c {
                    '&' if chars.get(i + 1) == Some(&'&') => ("&&", Some("and"), "write `and`"),
                    '&' => ("&", Some("and"), "write `and`"),
                    '|' => ("|", Some("or"), "write `or`, or `||` to concatenate text"),
                    '!' => ("!", Some("not"), "write `not`, or `!=` for inequality"),
                    _ => (
                        "",
                        None,
                        "operators are `+ - * / % || = != < <= > >=`, `and`, `or`, `not`",
                    ),
                };
                let written = if written.is_empty() {
                    c.to_string()
                } else {
                    written.to_string()
                };
                i += written.chars().count();
                errors.push(LexError {
                    at: start,
                    message: format!("unexpected `{written}` in expression"),
                    help: help.to_string(),
                });
                if let Some(word) = stands_for {
                    toks.push(Token {
                        tok: Tok::Ident(word.to_string()),
                        start,
                        end: i,
                    });
                }
            }
        }
    }
    toks.push(Token {
        tok: Tok::End,
        start: chars.len(),
        end: chars.len(),
    });
    (toks, errors)
}

/// A quoted text or name from `chars[i]` (the quote): its content with doubled quotes
/// undone, the offset after it, and whether it was closed.
fn quoted(chars: &[char], i: usize) -> (String, usize, bool) {
    let q = chars[i];
    let mut s = String::new();
    let mut j = i + 1;
    while j < chars.len() {
        if chars[j] == q {
            if chars.get(j + 1) == Some(&q) {
                s.push(q);
                j += 2;
                continue;
            }
            return (s, j + 1, true);
        }
        s.push(chars[j]);
        j += 1;
    }
    (s, j, false)
}

/// An integer, decimal or duration literal starting at `chars[i]` (a digit).
fn number(chars: &[char], i: usize, errors: &mut Vec<LexError>) -> (Option<Tok>, usize) {
    let start = i;
    let mut j = i;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    let int_digits: String = chars[start..j].iter().collect();
    let mut frac = String::new();
    if chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit()) {
        j += 1;
        while j < chars.len() && chars[j].is_ascii_digit() {
            frac.push(chars[j]);
            j += 1;
        }
    }
    let suffix_start = j;
    while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
        j += 1;
    }
    let suffix: String = chars[suffix_start..j].iter().collect();
    let written: String = chars[start..j].iter().collect();
    let too_big = || LexError {
        at: start,
        message: format!("number `{written}` does not fit a 64-bit integer"),
        help: "integers range from -9223372036854775808 to 9223372036854775807".into(),
    };
    if !suffix.is_empty() {
        let unit = match suffix.as_str() {
            "w" => Some(Unit::Weeks),
            "d" => Some(Unit::Days),
            "h" => Some(Unit::Hours),
            "m" => Some(Unit::Minutes),
            "s" => Some(Unit::Seconds),
            _ => None,
        };
        return match (unit, frac.is_empty()) {
            (Some(unit), true) => match int_digits.parse::<i64>() {
                Ok(n) => (Some(Tok::Duration(n, unit)), j),
                Err(_) => {
                    errors.push(too_big());
                    (None, j)
                }
            },
            _ => {
                errors.push(LexError {
                    at: start,
                    message: format!("`{written}` is not a number or a duration"),
                    help: "a duration is a whole number and a unit: `2w`, `30d`, `12h`, `15m`, `10s`; dates are written `date '1995-06-17'`".into(),
                });
                (None, j)
            }
        };
    }
    let places = frac.chars().count() as u32;
    let tok = if frac.is_empty() {
        int_digits.parse::<i64>().ok().map(Tok::Int)
    } else {
        format!("{int_digits}{frac}")
            .parse::<i64>()
            .ok()
            .filter(|_| places <= 18)
            .map(|mantissa| Tok::Dec { mantissa, places })
    };
    if tok.is_none() {
        errors.push(too_big());
    }
    (tok, j)
}
