//! The expression syntax tree and its parser (precedence climbing). A syntax error is
//! recorded at its token and parsing resumes at the next argument or closing parenthesis,
//! so one expression can report several mistakes.

use super::lexer::{lex, Tok, Token, Unit};
use super::ExprLoc;
use crate::diag::{Diagnostics, Loc};
use std::fmt;

/// A parsed expression node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub loc: Loc,
}

/// What an expression node is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Int(i64),
    /// A decimal literal as a scaled mantissa: `1.50` is (150, 2).
    Dec {
        mantissa: i64,
        places: u32,
    },
    Text(String),
    Bool(bool),
    Null,
    /// `date '1995-06-17'`: days since 1970-01-01.
    Date(i32),
    /// `timestamp '1995-06-17T12:00:00Z'`: seconds since the epoch.
    Timestamp(i64),
    /// `30d`, `12h`: an amount and its unit.
    Duration(i64, Unit),
    /// A field (`quantity`), `index`, or a dotted parent field (`order.o_orderdate`).
    Name(Vec<String>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary {
        op: BinOp,
        /// Where the operator is written: type errors of the operation point here.
        op_loc: Loc,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `name(args)`; the node's location is the name's.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// `if c then a else b` or `case when c then a ... else z end`; no `else` means null.
    Case {
        arms: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
        /// Written with `if` (for messages and canonical text).
        from_if: bool,
    },
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    /// The operator as written in canonical form.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Concat => "||",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
    /// Whether this is a comparison (`=`, `!=`, `<`, ...).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
    /// Binding power: higher binds tighter.
    fn power(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Concat => 5,
            BinOp::Add | BinOp::Sub => 6,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 7,
        }
    }
}

/// Binding power of the operand of `not` (above `and`, below comparisons).
const NOT_POWER: u8 = 3;
/// Binding power of the operand of unary minus (above `*`).
const NEG_POWER: u8 = 8;

/// Words that cannot name a field unless written in double quotes (`"end"`).
pub const KEYWORDS: [&str; 12] = [
    "and", "or", "not", "if", "then", "else", "case", "when", "end", "true", "false", "null",
];

fn keyword(tok: &Tok) -> Option<&'static str> {
    match tok {
        Tok::Ident(w) => KEYWORDS.iter().find(|k| w.eq_ignore_ascii_case(k)).copied(),
        _ => None,
    }
}

/// Parse `text`; every syntax error goes to `diags`. `None` when there was any.
/// How deep an expression may nest (parentheses, unary operators, operands of operators
/// that bind tighter): far beyond any written by hand, and a bound on the parser's (and the
/// type checker's) recursion, which a line of 30,000 `-` overflowed (found by fuzzing).
pub const MAX_DEPTH: usize = 200;

/// How many operators one expression may have: its tree is at most this deep, so that
/// walking it (type checking, emitting, dropping) cannot overflow a stack; a chain of
/// 20,000 `+` did (found by fuzzing).
pub const MAX_OPERATORS: usize = 1000;

/// The lexical (and, apart, the syntax) errors of one expression reported one by one; the
/// rest are counted.
const MAX_LEX_ERRORS: usize = 20;

pub fn parse(text: &str, at: ExprLoc, diags: &mut Diagnostics) -> Option<Expr> {
    let (toks, lex_errors) = lex(text);
    let starts: Vec<usize> = toks.iter().map(|t| t.start).collect();
    let byte_at: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let tok_locs = at.locs_of(text, &starts);
    let mut p = Parser {
        toks,
        tok_locs,
        byte_at,
        pos: 0,
        depth: 0,
        operators: 0,
        errors: 0,
        text,
        at,
        failed: !lex_errors.is_empty(),
        diags,
    };
    // The first few lexical errors, their positions found in one pass (a line of 30,000
    // stray `&` made as many errors, each counted from the start: found by fuzzing).
    let shown = &lex_errors[..lex_errors.len().min(MAX_LEX_ERRORS)];
    let offsets: Vec<usize> = shown.iter().map(|e| e.at).collect();
    let locs = p.at.locs_of(text, &offsets);
    for (e, loc) in shown.iter().zip(locs) {
        p.diags.error(loc, e.message.clone()).help(e.help.clone());
    }
    if lex_errors.len() > MAX_LEX_ERRORS {
        let loc = p.loc_at(lex_errors[MAX_LEX_ERRORS].at);
        p.diags
            .error(
                loc,
                format!(
                    "and {} more errors like those above in this expression",
                    lex_errors.len() - MAX_LEX_ERRORS
                ),
            )
            .help("fix the ones shown first; the expression is not valid past them");
    }
    let expr = p.expr(0);
    if expr.is_some() && p.peek() != &Tok::End {
        let (what, loc) = (p.describe(), p.loc());
        p.error(
            loc,
            format!("unexpected {what} after the end of the expression"),
            "join values with an operator such as `+`, `||` or `and`",
        );
    }
    if p.failed {
        None
    } else {
        expr
    }
}

struct Parser<'a> {
    toks: Vec<Token>,
    /// The file position of each token's start.
    tok_locs: Vec<Loc>,
    /// The byte offset of each character of `text` (and its length at the end).
    byte_at: Vec<usize>,
    pos: usize,
    /// Calls of `expr` in progress (see [`MAX_DEPTH`]).
    depth: usize,
    /// Operators read so far (see [`MAX_OPERATORS`]).
    operators: usize,
    /// Syntax errors found so far.
    errors: usize,
    text: &'a str,
    at: ExprLoc,
    failed: bool,
    diags: &'a mut Diagnostics,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }
    fn loc_at(&self, offset: usize) -> Loc {
        self.at.loc_of(self.text, offset)
    }
    fn loc(&self) -> Loc {
        self.tok_locs[self.pos]
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if t.tok != Tok::End {
            self.pos += 1;
        }
        t
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }
    fn is_keyword(&self, k: &str) -> bool {
        keyword(self.peek()) == Some(k)
    }
    /// Reports a syntax error; past [`MAX_LEX_ERRORS`] of them in one expression the rest
    /// only fail it (a line of 28,000 `,` made as many errors).
    fn error(&mut self, loc: Loc, message: String, help: &str) {
        self.failed = true;
        self.errors += 1;
        if self.errors <= MAX_LEX_ERRORS {
            self.diags.error(loc, message).help(help);
        }
    }
    /// The current token, for messages.
    fn describe(&self) -> String {
        let t = &self.toks[self.pos];
        if t.tok == Tok::End {
            return "end of expression".into();
        }
        // Token offsets count characters; `byte_at` turns them into byte offsets without
        // walking the text from its start each time (quadratic over 30,000 tokens).
        let at = |c: usize| self.byte_at.get(c).copied().unwrap_or(self.text.len());
        format!("`{}`", &self.text[at(t.start)..at(t.end)])
    }
    fn expect_keyword(&mut self, k: &str, help: &str) -> Option<()> {
        if self.is_keyword(k) {
            self.bump();
            return Some(());
        }
        let (what, loc) = (self.describe(), self.loc());
        self.error(loc, format!("expected `{k}`, found {what}"), help);
        None
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Sym("+") => BinOp::Add,
            Tok::Sym("-") => BinOp::Sub,
            Tok::Sym("*") => BinOp::Mul,
            Tok::Sym("/") => BinOp::Div,
            Tok::Sym("%") => BinOp::Rem,
            Tok::Sym("||") => BinOp::Concat,
            Tok::Sym("=" | "==") => BinOp::Eq,
            Tok::Sym("!=" | "<>") => BinOp::Ne,
            Tok::Sym("<") => BinOp::Lt,
            Tok::Sym("<=") => BinOp::Le,
            Tok::Sym(">") => BinOp::Gt,
            Tok::Sym(">=") => BinOp::Ge,
            t => match keyword(t) {
                Some("and") => BinOp::And,
                Some("or") => BinOp::Or,
                _ => return None,
            },
        })
    }

    /// `x is null` / `x is not null` after operand `lhs` (at a comparison's binding power):
    /// the call `is_null(x)`, negated for `is not`. `is` is not a keyword: after an operand
    /// a field name could not follow anyway.
    fn is_null_test(&mut self, lhs: Expr) -> Option<Expr> {
        self.bump();
        let negated = self.is_keyword("not");
        if negated {
            self.bump();
        }
        self.expect_keyword("null", "write `x is null` or `x is not null`")?;
        let loc = lhs.loc;
        let test = Expr {
            loc,
            kind: ExprKind::Call {
                name: "is_null".into(),
                args: vec![lhs],
            },
        };
        Some(if negated {
            Expr {
                loc,
                kind: ExprKind::Not(Box::new(test)),
            }
        } else {
            test
        })
    }

    fn at_is(&self) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w.eq_ignore_ascii_case("is"))
    }

    /// An expression whose binary operators all bind tighter than `min_power`.
    fn expr(&mut self, min_power: u8) -> Option<Expr> {
        if self.depth >= MAX_DEPTH {
            let loc = self.loc();
            self.error(
                loc,
                format!("the expression nests deeper than {MAX_DEPTH} levels here"),
                "split it into fields that each compute a part",
            );
            return None;
        }
        self.depth += 1;
        let e = self.expr_within_depth(min_power);
        self.depth -= 1;
        e
    }

    /// Counts the operator at the current token; `None` (after an error) past
    /// [`MAX_OPERATORS`].
    fn count_operator(&mut self) -> Option<()> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            let loc = self.loc();
            self.error(
                loc,
                format!("the expression has more than {MAX_OPERATORS} operators"),
                "split it into fields that each compute a part",
            );
            return None;
        }
        Some(())
    }

    fn expr_within_depth(&mut self, min_power: u8) -> Option<Expr> {
        let mut lhs = self.unary()?;
        loop {
            if self.at_is() && BinOp::Eq.power() > min_power {
                lhs = self.is_null_test(lhs)?;
                continue;
            }
            let Some(op) = self.binop() else { break };
            let power = op.power();
            if power <= min_power {
                break;
            }
            let op_loc = self.loc();
            self.count_operator()?;
            self.bump();
            let rhs = self.expr(power)?;
            if op.is_comparison() {
                if let Some(next) = self.binop().filter(|n| n.is_comparison()) {
                    let loc = self.loc();
                    self.error(
                        loc,
                        format!(
                            "comparisons do not chain: `{}` after `{}`",
                            next.symbol(),
                            op.symbol()
                        ),
                        "join the comparisons with `and`, e.g. `a < b and b < c`",
                    );
                    return None;
                }
            }
            lhs = Expr {
                loc: lhs.loc,
                kind: ExprKind::Binary {
                    op,
                    op_loc,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
            };
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<Expr> {
        let loc = self.loc();
        if self.is_sym("-") {
            self.count_operator()?;
            self.bump();
            let e = self.expr(NEG_POWER)?;
            return Some(Expr {
                kind: ExprKind::Neg(Box::new(e)),
                loc,
            });
        }
        if self.is_keyword("not") {
            self.count_operator()?;
            self.bump();
            let e = self.expr(NOT_POWER)?;
            return Some(Expr {
                kind: ExprKind::Not(Box::new(e)),
                loc,
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Expr> {
        let loc = self.loc();
        let at = |kind| Some(Expr { kind, loc });
        let tok = self.peek().clone();
        match tok {
            Tok::Int(v) => {
                self.bump();
                at(ExprKind::Int(v))
            }
            Tok::Dec { mantissa, places } => {
                self.bump();
                at(ExprKind::Dec { mantissa, places })
            }
            Tok::Str(s) => {
                self.bump();
                at(ExprKind::Text(s))
            }
            Tok::Duration(n, unit) => {
                self.bump();
                at(ExprKind::Duration(n, unit))
            }
            Tok::Sym("(") => {
                self.bump();
                let e = self.expr(0)?;
                if !self.is_sym(")") {
                    let (what, l) = (self.describe(), self.loc());
                    self.error(
                        l,
                        format!("expected `)`, found {what}"),
                        "close the parenthesis",
                    );
                    return None;
                }
                self.bump();
                Some(e)
            }
            Tok::QuotedIdent(_) | Tok::Ident(_) => self.word(loc),
            _ => {
                let what = self.describe();
                self.error(
                    loc,
                    format!("expected a value, found {what}"),
                    "a value is a number, `'text'`, `date '1995-06-17'`, a field name, a function call or `( ... )`",
                );
                None
            }
        }
    }

    /// A keyword-led form, a typed literal, a call or a (dotted) name.
    fn word(&mut self, loc: Loc) -> Option<Expr> {
        let at = |kind| Some(Expr { kind, loc });
        match keyword(self.peek()) {
            Some("true") => {
                self.bump();
                return at(ExprKind::Bool(true));
            }
            Some("false") => {
                self.bump();
                return at(ExprKind::Bool(false));
            }
            Some("null") => {
                self.bump();
                return at(ExprKind::Null);
            }
            Some("if") => return self.if_expr(loc),
            Some("case") => return self.case_expr(loc),
            Some(k) => {
                self.error(
                    loc,
                    format!("expected a value, found keyword `{k}`"),
                    "a field with this name is written in double quotes: `\"end\"`",
                );
                return None;
            }
            None => {}
        }
        let (name, quoted) = match self.bump().tok {
            Tok::Ident(w) => (w, false),
            Tok::QuotedIdent(w) => (w, true),
            _ => unreachable!("word() is called on a name"),
        };
        if !quoted {
            if let Tok::Str(s) = self.peek().clone() {
                let lower = name.to_ascii_lowercase();
                if lower == "date" || lower == "timestamp" {
                    let lit_loc = self.loc();
                    self.bump();
                    return self
                        .typed_literal(&lower, &s, lit_loc)
                        .map(|kind| Expr { kind, loc });
                }
            }
            if self.is_sym("(") {
                return self.call(name, loc);
            }
        }
        let mut path = vec![name];
        while self.is_sym(".") {
            self.bump();
            match self.bump().tok {
                Tok::Ident(w) | Tok::QuotedIdent(w) => path.push(w),
                _ => {
                    let l = self.loc_at(self.toks[self.pos.saturating_sub(1)].start);
                    self.error(
                        l,
                        "expected a field name after `.`".into(),
                        "a parent field is written `parent.field`, e.g. `order.o_orderdate`",
                    );
                    return None;
                }
            }
        }
        at(ExprKind::Name(path))
    }

    /// `date '...'` or `timestamp '...'`, checked now.
    fn typed_literal(&mut self, kind: &str, text: &str, loc: Loc) -> Option<ExprKind> {
        if kind == "date" {
            match parse_date(text) {
                Some(d) => Some(ExprKind::Date(d)),
                None => {
                    self.error(
                        loc,
                        format!("`{text}` is not a date"),
                        "write a date as `date 'YYYY-MM-DD'` with a year from 0001 to 9999",
                    );
                    None
                }
            }
        } else {
            match parse_timestamp(text) {
                Some(t) => Some(ExprKind::Timestamp(t)),
                None => {
                    self.error(
                        loc,
                        format!("`{text}` is not a timestamp"),
                        "write a timestamp as `timestamp '2024-01-15T12:00:00Z'` (RFC 3339) with a year from 0001 to 9999",
                    );
                    None
                }
            }
        }
    }

    /// `name(args)`: a bad argument is reported and skipped, the others still parsed.
    fn call(&mut self, name: String, loc: Loc) -> Option<Expr> {
        self.bump(); // `(`
        let mut args = Vec::new();
        let mut ok = true;
        if self.is_sym(")") {
            self.bump();
            return Some(Expr {
                kind: ExprKind::Call { name, args },
                loc,
            });
        }
        loop {
            match self.expr(0) {
                Some(a) => args.push(a),
                None => {
                    ok = false;
                    self.skip_argument();
                }
            }
            if self.is_sym(",") {
                self.bump();
                continue;
            }
            if self.is_sym(")") {
                self.bump();
                break;
            }
            if ok {
                let (what, l) = (self.describe(), self.loc());
                self.error(
                    l,
                    format!("expected `,` or `)` in the arguments of `{name}`, found {what}"),
                    "separate arguments with `,` and close the call with `)`",
                );
            }
            return None;
        }
        ok.then_some(Expr {
            kind: ExprKind::Call { name, args },
            loc,
        })
    }

    /// Skip to the `,` or `)` that ends the current argument.
    fn skip_argument(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                Tok::End => return,
                Tok::Sym("(") => depth += 1,
                Tok::Sym(")") if depth == 0 => return,
                Tok::Sym(")") => depth -= 1,
                Tok::Sym(",") if depth == 0 => return,
                _ => {}
            }
            self.bump();
        }
    }

    fn if_expr(&mut self, loc: Loc) -> Option<Expr> {
        self.bump(); // `if`
        let cond = self.expr(0)?;
        self.expect_keyword("then", "write `if condition then value else value`")?;
        let then = self.expr(0)?;
        let otherwise = if self.is_keyword("else") {
            self.bump();
            Some(Box::new(self.expr(0)?))
        } else {
            None
        };
        Some(Expr {
            kind: ExprKind::Case {
                arms: vec![(cond, then)],
                otherwise,
                from_if: true,
            },
            loc,
        })
    }

    fn case_expr(&mut self, loc: Loc) -> Option<Expr> {
        self.bump(); // `case`
        let mut arms = Vec::new();
        if !self.is_keyword("when") {
            let (what, l) = (self.describe(), self.loc());
            self.error(
                l,
                format!("expected `when` after `case`, found {what}"),
                "write `case when x = 'a' then 1 when x = 'b' then 2 else 3 end`",
            );
            return None;
        }
        while self.is_keyword("when") {
            self.bump();
            let cond = self.expr(0)?;
            self.expect_keyword("then", "write `when condition then value`")?;
            arms.push((cond, self.expr(0)?));
        }
        let otherwise = if self.is_keyword("else") {
            self.bump();
            Some(Box::new(self.expr(0)?))
        } else {
            None
        };
        self.expect_keyword("end", "close `case` with `end`")?;
        Some(Expr {
            kind: ExprKind::Case {
                arms,
                otherwise,
                from_if: false,
            },
            loc,
        })
    }
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (years 0001 to 9999).
pub fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    (chrono::Datelike::year(&d) >= 1).then(|| (d - epoch).num_days() as i32)
}

/// Seconds since the epoch of an RFC 3339 timestamp (years 0001 to 9999).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let t = perfgen_runtime::time::Timestamp::parse_rfc3339(s)?;
    let days = t.0.div_euclid(86_400);
    (i64::from(perfgen_runtime::expr::DATE_MIN)..=i64::from(perfgen_runtime::expr::DATE_MAX))
        .contains(&days)
        .then_some(t.0)
}

/// Canonical text: every binary operation in parentheses, so tests can see the precedence.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(v) => write!(f, "{v}"),
            ExprKind::Dec { mantissa, places } => {
                let scale = 10i64.pow(*places);
                write!(
                    f,
                    "{}.{:0p$}",
                    mantissa / scale,
                    mantissa % scale,
                    p = *places as usize
                )
            }
            ExprKind::Text(s) => write!(f, "'{}'", s.replace('\'', "''")),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Null => f.write_str("null"),
            ExprKind::Date(d) => {
                let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(i64::from(*d))));
                match date {
                    Some(date) => write!(f, "date '{}'", date.format("%Y-%m-%d")),
                    None => write!(f, "date '{d}'"),
                }
            }
            ExprKind::Timestamp(t) => {
                write!(f, "timestamp '{}'", perfgen_runtime::time::Timestamp(*t))
            }
            ExprKind::Duration(n, u) => write!(f, "{n}{}", u.letter()),
            ExprKind::Name(path) => {
                for (i, part) in path.iter().enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_name(f, part)?;
                }
                Ok(())
            }
            ExprKind::Neg(e) => write!(f, "-{e}"),
            ExprKind::Not(e) => write!(f, "not {e}"),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                write!(f, "({lhs} {} {rhs})", op.symbol())
            }
            ExprKind::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Case {
                arms,
                otherwise,
                from_if: true,
            } if arms.len() == 1 => {
                let (c, v) = &arms[0];
                write!(f, "(if {c} then {v}")?;
                if let Some(o) = otherwise {
                    write!(f, " else {o}")?;
                }
                f.write_str(")")
            }
            ExprKind::Case {
                arms, otherwise, ..
            } => {
                f.write_str("case")?;
                for (c, v) in arms {
                    write!(f, " when {c} then {v}")?;
                }
                if let Some(o) = otherwise {
                    write!(f, " else {o}")?;
                }
                f.write_str(" end")
            }
        }
    }
}

/// A name as it must be written: bare when it is a plain identifier and not a keyword, else
/// in double quotes.
fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORDS.iter().any(|k| name.eq_ignore_ascii_case(k));
    if plain {
        f.write_str(name)
    } else {
        write!(f, "\"{}\"", name.replace('"', "\"\""))
    }
}
