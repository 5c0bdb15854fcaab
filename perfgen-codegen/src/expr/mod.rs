//! Field expressions: a small typed language for a value computed from fields of the same
//! row, the row index, constants and random draws. An expression is parsed ([`parse`]) and
//! type-checked ([`check`]) at build time, every mistake a positioned diagnostic with a help,
//! and compiled to Rust tokens ([`emit`]); nothing is interpreted per row.
//!
//! # Syntax
//!
//! | construct | example |
//! |---|---|
//! | integer, decimal (places as written) | `42`, `1.50` (decimal with 2 places) |
//! | text (single quotes, `''` inside) | `'R'`, `'O''Brien'` |
//! | boolean, null | `true`, `false`, `null` |
//! | date, timestamp | `date '1995-06-17'`, `timestamp '2024-01-15T12:00:00Z'` |
//! | duration (`w d h m s`) | `2w`, `30d`, `12h`, `15m`, `10s` |
//! | same-row field, quoted name | `quantity`, `"user-name"`, `"end"` |
//! | row index (global, 0-based) | `index`, `row_index()` |
//! | parent field (resolved by the caller) | `order.o_orderdate`, `order.customer.c_nationkey` |
//! | arithmetic | `(i / 8) * 32 + i % 8`, `-x` |
//! | comparison | `a = b`, `a == b`, `a != b`, `a <> b`, `<`, `<=`, `>`, `>=` |
//! | logic | `a and not b or c` |
//! | concatenation | `'Customer#' \|\| lpad(c_custkey, 9, '0')` |
//! | conditional | `if receiptdate <= date '1995-06-17' then 'R' else 'N'` |
//! | cases | `case when x < 10 then 'low' when x < 20 then 'mid' else 'high' end` |
//! | date arithmetic | `shipdate + 30d`, `shipdate + uniform(1, 121)`, `returned - due` (days) |
//! | numeric functions | `round(x, 2)`, `round(x)`, `floor(x)`, `ceil(x)`, `abs(x)`, `min(a, b, ...)`, `max(...)` |
//! | text functions | `upper(s)`, `lower(s)`, `length(s)`, `substr(s, 2, 3)`, `lpad(custkey, 9, '0')`, `text(x)` |
//! | time functions | `days_between(a, b)`, `date(ts)`, `timestamp(d)`, `date('1995-06-17')` |
//! | NULL | `coalesce(returned, due)`, `returned is null`, `returned is not null` |
//! | random draws | `uniform(100, 999)`, `uniform(-999.99, 9999.99)`, `bernoulli(0.3)` |
//!
//! Keywords (`and or not if then else case when end true false null`) and function names are
//! case-insensitive; field names are case-sensitive, and a field named like a keyword or with
//! characters outside letters, digits and `_` is written in double quotes.
//!
//! Precedence, loosest first: `or`; `and`; `not`; comparisons (which do not chain: `a < b < c`
//! is an error); `||`; `+ -`; `* / %`; unary `-`. `if` and `case` extend as far right as
//! possible, so `if c then 1 else 2 + 3` has `2 + 3` as its else branch.
//!
//! # Types
//!
//! integer (`i64`), decimal(p) (`f64` holding a value with p places), boolean (`bool`), date
//! (`i32` days since 1970-01-01), timestamp (`perfgen_runtime::Timestamp`), text (`String`,
//! or `&'static str` when every outcome is a literal), uuid (`perfgen_runtime::Uuid`, `=` and
//! `!=` only), and durations (`i64`: days for `d`/`w`, seconds for `h`/`m`/`s`). Each type
//! also says whether it can be NULL; a nullable value is an `Option`.
//!
//! - **Integers.** `/` truncates toward zero and `%` takes the sign of the dividend, as in
//!   SQL and Rust (`-7 / 2 = -3`, `-7 % 2 = -1`). Arithmetic never wraps: where the operands'
//!   ranges (from the scope, literals and draws) prove the result fits an i64 the plain
//!   operator is emitted, otherwise a checked one whose failure is a row error naming the
//!   field, the row and the operation (`integer overflow in ...`, `division by zero in ...`).
//! - **Decimals.** An integer meeting a decimal becomes a decimal. `+` and `-` keep the larger
//!   number of places; `*` adds the places (`quantity * 1.50` has 2; `price * (1 - discount)`
//!   with 2 and 2 has 4), at most 18; `/` with a decimal operand has the larger of the
//!   operands' places and 6. Each result is rounded half away from zero to its places, so
//!   `0.1 + 0.2 = 0.3` exactly as written. `round(x, p)` gives p places, `round(x)`,
//!   `floor(x)` and `ceil(x)` an integer.
//! - **Dates and times.** `date + n` and `date + 30d` (days or weeks) give a date, `date - date`
//!   gives days (an integer, as in PostgreSQL), as does `days_between(a, b)` (`b - a`).
//!   `timestamp + 12h` (any unit) gives a timestamp, `timestamp - timestamp` seconds.
//!   `date(ts)` is a timestamp's UTC date, `timestamp(d)` a date's midnight UTC. Moving a date
//!   by hours is an error. A result outside years 0001 to 9999 is a row error.
//! - **Text.** `||` turns any non-text operand into its CSV text (`(nationkey + 10) || '-'`
//!   needs no conversion; `text(x)` converts explicitly). `substr(s, start, len)` is 1-based;
//!   `lpad(x, width, 'c')` (fill `' '` when omitted; the fill is a one-character literal) pads
//!   an integer without ever cutting its digits (`-0042` with `'0'`) and pads or cuts text as
//!   SQL does; `length`, `upper`, `lower` count and map characters. A concatenation writes
//!   every part, `lpad` and `text` included, straight into one `String`.
//! - **NULL** propagates as in SQL: any operator or function with a null operand gives null
//!   (`null + 1`, `null = null`, `min(1, null)` are null: unlike PostgreSQL's `LEAST`, `min`
//!   and `max` do not skip nulls; wrap the arguments in `coalesce`), except `and`/`or` (three-valued:
//!   `false and null` is false), `x is null` (never null), `coalesce(a, b, ...)` (the first non-null value; not nullable
//!   when its last argument is not) and `if`/`case`, where a null condition is not true and
//!   takes the next branch. A `case` with no `else` is null when no branch is taken.
//! - **Random draws** come only from the cell's stream, in evaluation order (left to right,
//!   operands before the operation, both operands of `and`/`or` always; a branch of `if` or
//!   `case` not taken draws nothing), so a value stays a pure function of (seed, entity,
//!   field, row): `uniform(a, b)` over integers (inclusive),
//!   decimals (the grid of the operands' places), dates or timestamps; `bernoulli(p)` is true
//!   with probability p.
//! - **`index`** is the global 0-based row index, unless the entity has a field named `index`:
//!   then `index` is that field (same-row fields come first, as in templates) and the row
//!   index is still `row_index()`.
//! - **Declared types.** A field that declares its type takes the expression through
//!   [`coerce`]: an integer becomes a decimal, a decimal gains places, `null` takes the type;
//!   anything that would lose information (fewer places: use `round(x, p)`) is refused.
//!
//! # Use from a strategy
//!
//! [`parse`] the scalar with its [`ExprLoc`], list its [`free_names`] to order the fields,
//! [`check`] it against a [`Scope`] of the entity's fields, then [`emit`] it with an
//! [`EmitContext`]; [`rust_type`] is the type of the value it produces.

mod emit;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_run;
mod types;

pub use emit::{emit, rust_type, ChildrenEmit, EmitContext};
pub use lexer::Unit;
pub use parser::{parse, BinOp, Expr, ExprKind, KEYWORDS};
pub use types::{
    check, coerce, Agg, ChildInfo, Kind, Lookup, NameInfo, Node, Op, Range, Scope, Ty, TypedExpr,
};

use crate::diag::Loc;

/// How the expression's YAML scalar was written, so a character offset in its text maps back
/// to the file's line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted: the text is the source.
    Plain,
    /// In `'...'`: the quote is one column, and each `'` of the text was written `''`.
    SingleQuoted,
    /// In `"..."`: the quote is one column, and each `"` or `\` of the text was written with
    /// a backslash (other escapes are counted as one column).
    DoubleQuoted,
    /// A block scalar (`|` or `>`) whose lines start at column `indent + 1`; `loc` is then
    /// the position of the text's first character.
    Block { indent: u32 },
}

/// Where an expression's text starts in its file: the position of its YAML scalar's first
/// character (the opening quote of a quoted scalar) and the scalar's style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExprLoc {
    pub loc: Loc,
    pub style: ScalarStyle,
}

impl ExprLoc {
    /// An unquoted scalar at `loc`.
    pub fn plain(loc: Loc) -> Self {
        ExprLoc {
            loc,
            style: ScalarStyle::Plain,
        }
    }
    /// A scalar at `loc` quoted with `quote` (`'` or `"`), or plain for any other character:
    /// callers pass the character found at the scalar's position.
    pub fn quoted(loc: Loc, quote: char) -> Self {
        let style = match quote {
            '\'' => ScalarStyle::SingleQuoted,
            '"' => ScalarStyle::DoubleQuoted,
            _ => ScalarStyle::Plain,
        };
        ExprLoc { loc, style }
    }

    /// The file position of character `offset` of the expression `text`.
    pub fn loc_of(&self, text: &str, offset: usize) -> Loc {
        self.locs_of(text, &[offset])[0]
    }

    /// The file positions of the character `offsets` (ascending) of the expression `text`,
    /// in one pass over it: a parser asking for each token's position from the start was
    /// quadratic in the expression's length (found by fuzzing: 30 kB took seconds).
    pub fn locs_of(&self, text: &str, offsets: &[usize]) -> Vec<Loc> {
        let mut out = Vec::with_capacity(offsets.len());
        let mut line = self.loc.line;
        let mut col_in_line = 0u32;
        let mut escapes = 0u32;
        let mut chars = text.chars();
        let mut at = 0usize;
        for &offset in offsets {
            if offset < at {
                // Not ascending: start over for this one.
                out.push(self.loc_of(text, offset));
                continue;
            }
            while at < offset {
                let Some(c) = chars.next() else { break };
                at += 1;
                if c == '\n' {
                    line += 1;
                    col_in_line = 0;
                    escapes = 0;
                    continue;
                }
                col_in_line += 1;
                escapes += match (self.style, c) {
                    (ScalarStyle::SingleQuoted, '\'') => 1,
                    (ScalarStyle::DoubleQuoted, '"' | '\\') => 1,
                    _ => 0,
                };
            }
            out.push(self.position(line, col_in_line, escapes));
        }
        out
    }

    fn position(&self, line: u32, col_in_line: u32, escapes: u32) -> Loc {
        let first_line = line == self.loc.line;
        let col = match self.style {
            ScalarStyle::Plain if first_line => self.loc.col + col_in_line,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if first_line => {
                self.loc.col + 1 + col_in_line + escapes
            }
            ScalarStyle::Block { .. } if first_line => self.loc.col + col_in_line,
            ScalarStyle::Block { indent } => indent + 1 + col_in_line,
            // A folded flow scalar: its continuation lines' indentation is not known here.
            _ => 1 + col_in_line + escapes,
        };
        Loc {
            file: self.loc.file,
            line,
            col,
        }
    }
}

/// The names an expression reads (fields and dotted parent fields, each once, in order of
/// first use): the fields it must be computed after. `index` is listed too; the caller knows
/// whether its entity has a field of that name.
pub fn free_names(expr: &Expr) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    collect_names(expr, &mut out);
    out
}

fn collect_names(expr: &Expr, out: &mut Vec<Vec<String>>) {
    match &expr.kind {
        ExprKind::Name(path) => {
            if !out.contains(path) {
                out.push(path.clone());
            }
        }
        ExprKind::Neg(e) | ExprKind::Not(e) => collect_names(e, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_names(lhs, out);
            collect_names(rhs, out);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| collect_names(a, out)),
        ExprKind::Case {
            arms, otherwise, ..
        } => {
            for (c, v) in arms {
                collect_names(c, out);
                collect_names(v, out);
            }
            if let Some(o) = otherwise {
                collect_names(o, out);
            }
        }
        ExprKind::Int(_)
        | ExprKind::Dec { .. }
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Date(_)
        | ExprKind::Timestamp(_)
        | ExprKind::Duration(..) => {}
    }
}
