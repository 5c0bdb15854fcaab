//! The expression text of the catalog read back into a tree, by verify's own small parser
//! (not the generator's): the same syntax, precedence and literals.

use super::value::V;
use crate::value::parse_timestamp;

/// A parsed expression.
#[derive(Debug, Clone)]
pub(crate) enum E {
    Lit(V),
    /// A same-row field by position.
    Field(usize),
    RowIndex,
    Neg(Box<E>),
    Not(Box<E>),
    Bin(Bop, Box<E>, Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
    /// `if`/`case`: the first true condition's value, else the last (null when absent).
    Case(Vec<(E, E)>, Option<Box<E>>),
    /// A function by lower-case name.
    Call(String, Vec<E>),
}

/// An aggregate over a child entity's rows: `sum(lineitem, l_price)`.
#[derive(Debug, Clone)]
pub(crate) struct AggCall {
    /// `count`, `sum`, `min`, `max`, `avg`, `all` or `any`.
    pub(crate) func: String,
    /// The child, by its position in the `children` given to [`parse_with_children`].
    pub(crate) child: usize,
    /// The expression over the child's fields (`None` for `count(child)`).
    pub(crate) arg: Option<E>,
}

/// The aggregate functions' names.
const AGGREGATES: [&str; 7] = ["count", "sum", "min", "max", "avg", "all", "any"];

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bop {
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
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    /// A decimal's value and places.
    Dec(f64, u32),
    Str(String),
    /// A name or keyword (unquoted).
    Word(String),
    /// A double-quoted name.
    Quoted(String),
    /// A duration: amount and unit letter.
    Dur(i64, char),
    Sym(&'static str),
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_ascii_digit() {
            let st = i;
            while i < c.len() && c[i].is_ascii_digit() {
                i += 1;
            }
            let whole: String = c[st..i].iter().collect();
            if i + 1 < c.len() && c[i] == '.' && c[i + 1].is_ascii_digit() {
                i += 1;
                let fs = i;
                while i < c.len() && c[i].is_ascii_digit() {
                    i += 1;
                }
                let frac: String = c[fs..i].iter().collect();
                out.push(Tok::Dec(
                    format!("{whole}.{frac}").parse().ok()?,
                    frac.len() as u32,
                ));
            } else if i < c.len()
                && "wdhms".contains(c[i])
                && !(i + 1 < c.len() && (c[i + 1].is_alphanumeric() || c[i + 1] == '_'))
            {
                out.push(Tok::Dur(whole.parse().ok()?, c[i]));
                i += 1;
            } else {
                out.push(Tok::Int(whole.parse().ok()?));
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let st = i;
            // A parent field (`order.o_orderdate`) is one dotted word.
            while i < c.len()
                && (c[i].is_alphanumeric()
                    || c[i] == '_'
                    || (c[i] == '.'
                        && i + 1 < c.len()
                        && (c[i + 1].is_alphabetic() || c[i + 1] == '_')))
            {
                i += 1;
            }
            out.push(Tok::Word(c[st..i].iter().collect()));
        } else if ch == '\'' || ch == '"' {
            let mut text = String::new();
            i += 1;
            loop {
                if i >= c.len() {
                    return None;
                }
                if c[i] == ch {
                    if i + 1 < c.len() && c[i + 1] == ch {
                        text.push(ch);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                text.push(c[i]);
                i += 1;
            }
            out.push(if ch == '\'' {
                Tok::Str(text)
            } else {
                Tok::Quoted(text)
            });
        } else {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            let sym = ["||", "==", "!=", "<>", "<=", ">="]
                .into_iter()
                .find(|s| *s == two);
            if let Some(s) = sym {
                out.push(Tok::Sym(s));
                i += 2;
            } else {
                let one = ["+", "-", "*", "/", "%", "=", "<", ">", "(", ")", ",", "."]
                    .into_iter()
                    .find(|s| s.starts_with(ch))?;
                out.push(Tok::Sym(one));
                i += 1;
            }
        }
    }
    Some(out)
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "if", "then", "else", "case", "when", "end", "true", "false", "null",
];

struct P<'a> {
    t: Vec<Tok>,
    i: usize,
    fields: &'a [&'a str],
    /// Child entities (name, field names) aggregates may read.
    children: &'a [(&'a str, Vec<&'a str>)],
    aggs: Vec<AggCall>,
}

/// Parse `text` whose names are `fields` (positions in the row); `None` when it does not
/// parse here or reads something other than same-row fields.
pub(crate) fn parse(text: &str, fields: &[&str]) -> Option<E> {
    let mut p = P {
        t: lex(text)?,
        i: 0,
        fields,
        children: &[],
        aggs: Vec::new(),
    };
    let e = p.or()?;
    (p.i == p.t.len()).then_some(e)
}

/// [`parse`], where `agg(child, expression)` over one of `children` (name, its fields) is an
/// aggregate: the expression and its aggregate calls. Aggregate call `k` is read as the
/// field at position `fields.len() + k`: the caller appends the aggregates' values, computed
/// from the child rows, to the row's values.
pub(crate) fn parse_with_children<'a>(
    text: &str,
    fields: &'a [&'a str],
    children: &'a [(&'a str, Vec<&'a str>)],
) -> Option<(E, Vec<AggCall>)> {
    let mut p = P {
        t: lex(text)?,
        i: 0,
        fields,
        children,
        aggs: Vec::new(),
    };
    let e = p.or()?;
    (p.i == p.t.len()).then_some((e, p.aggs))
}

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn kw(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Option<E> {
        let mut l = self.and()?;
        while self.kw("or") {
            l = E::Or(Box::new(l), Box::new(self.and()?));
        }
        Some(l)
    }
    fn and(&mut self) -> Option<E> {
        let mut l = self.not()?;
        while self.kw("and") {
            l = E::And(Box::new(l), Box::new(self.not()?));
        }
        Some(l)
    }
    fn not(&mut self) -> Option<E> {
        if self.kw("not") {
            return Some(E::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Option<E> {
        let l = self.concat()?;
        if self.kw("is") {
            let negated = self.kw("not");
            if !self.kw("null") {
                return None;
            }
            let test = E::Call("is_null".into(), vec![l]);
            return Some(if negated {
                E::Not(Box::new(test))
            } else {
                test
            });
        }
        let ops = [
            ("=", Bop::Eq),
            ("==", Bop::Eq),
            ("!=", Bop::Ne),
            ("<>", Bop::Ne),
            ("<", Bop::Lt),
            ("<=", Bop::Le),
            (">", Bop::Gt),
            (">=", Bop::Ge),
        ];
        for (s, op) in ops {
            if self.sym(s) {
                return Some(E::Bin(op, Box::new(l), Box::new(self.concat()?)));
            }
        }
        Some(l)
    }
    fn concat(&mut self) -> Option<E> {
        let mut l = self.add()?;
        while self.sym("||") {
            l = E::Bin(Bop::Concat, Box::new(l), Box::new(self.add()?));
        }
        Some(l)
    }
    fn add(&mut self) -> Option<E> {
        let mut l = self.mul()?;
        loop {
            let op = if self.sym("+") {
                Bop::Add
            } else if self.sym("-") {
                Bop::Sub
            } else {
                return Some(l);
            };
            l = E::Bin(op, Box::new(l), Box::new(self.mul()?));
        }
    }
    fn mul(&mut self) -> Option<E> {
        let mut l = self.unary()?;
        loop {
            let op = if self.sym("*") {
                Bop::Mul
            } else if self.sym("/") {
                Bop::Div
            } else if self.sym("%") {
                Bop::Rem
            } else {
                return Some(l);
            };
            l = E::Bin(op, Box::new(l), Box::new(self.unary()?));
        }
    }
    fn unary(&mut self) -> Option<E> {
        if self.sym("-") {
            return Some(E::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }
    /// `agg(child, ...)` when `lw` names an aggregate and the next tokens `( child` name a
    /// child entity: `Some` of its parse (`Some(None)` when it does not parse).
    fn aggregate(&mut self, lw: &str) -> Option<Option<E>> {
        if !AGGREGATES.contains(&lw) {
            return None;
        }
        let (Some(Tok::Sym("(")), Some(Tok::Word(w))) =
            (self.t.get(self.i), self.t.get(self.i + 1))
        else {
            return None;
        };
        let child = self
            .children
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(w))?;
        self.i += 2;
        let arg = if self.sym(",") {
            // The child expression reads the child's fields; no aggregate inside it.
            let (fields, children) = (self.fields, self.children);
            self.fields = &children[child].1;
            self.children = &[];
            let arg = self.or();
            (self.fields, self.children) = (fields, children);
            match arg {
                Some(a) => Some(a),
                None => return Some(None),
            }
        } else {
            None
        };
        if !self.sym(")") {
            return Some(None);
        }
        self.aggs.push(AggCall {
            func: lw.to_string(),
            child,
            arg,
        });
        Some(Some(E::Field(self.fields.len() + self.aggs.len() - 1)))
    }

    fn field(&self, name: &str) -> Option<E> {
        self.fields
            .iter()
            .position(|f| *f == name)
            .map(E::Field)
            .or_else(|| (name == "index").then_some(E::RowIndex))
    }
    fn primary(&mut self) -> Option<E> {
        let tok = self.peek()?.clone();
        self.i += 1;
        match tok {
            Tok::Int(v) => Some(E::Lit(V::Int(v))),
            Tok::Dec(v, p) => Some(E::Lit(V::Dec(v, p))),
            Tok::Str(s) => Some(E::Lit(V::Text(s))),
            Tok::Dur(v, u) => Some(E::Lit(match u {
                'w' => V::Days(v * 7),
                'd' => V::Days(v),
                'h' => V::Secs(v * 3600),
                'm' => V::Secs(v * 60),
                _ => V::Secs(v),
            })),
            Tok::Quoted(n) => self.field(&n),
            Tok::Sym("(") => {
                let e = self.or()?;
                self.sym(")").then_some(e)
            }
            Tok::Word(w) => self.word(&w),
            _ => None,
        }
    }
    fn word(&mut self, w: &str) -> Option<E> {
        let lw = w.to_ascii_lowercase();
        match lw.as_str() {
            "true" => return Some(E::Lit(V::Bool(true))),
            "false" => return Some(E::Lit(V::Bool(false))),
            "null" => return Some(E::Lit(V::Null)),
            "if" => {
                let c = self.or()?;
                if !self.kw("then") {
                    return None;
                }
                let v = self.or()?;
                let other = if self.kw("else") {
                    Some(Box::new(self.or()?))
                } else {
                    None
                };
                return Some(E::Case(vec![(c, v)], other));
            }
            "case" => {
                let mut arms = Vec::new();
                while self.kw("when") {
                    let c = self.or()?;
                    if !self.kw("then") {
                        return None;
                    }
                    arms.push((c, self.or()?));
                }
                let other = if self.kw("else") {
                    Some(Box::new(self.or()?))
                } else {
                    None
                };
                return self.kw("end").then_some(E::Case(arms, other));
            }
            "date" | "timestamp" if matches!(self.peek(), Some(Tok::Str(_))) => {
                let Some(Tok::Str(s)) = self.peek().cloned() else {
                    return None;
                };
                self.i += 1;
                return literal_time(&lw, &s).map(E::Lit);
            }
            _ => {}
        }
        if KEYWORDS.contains(&lw.as_str()) {
            return None;
        }
        if let Some(e) = self.aggregate(&lw) {
            return e;
        }
        if self.sym("(") {
            let mut args = Vec::new();
            if !self.sym(")") {
                loop {
                    args.push(self.or()?);
                    if self.sym(")") {
                        break;
                    }
                    if !self.sym(",") {
                        return None;
                    }
                }
            }
            return Some(E::Call(lw, args));
        }
        if matches!(self.peek(), Some(Tok::Sym("."))) {
            return None;
        }
        self.field(w)
    }
}

/// `date '...'` or `timestamp '...'`.
pub(crate) fn literal_time(kind: &str, s: &str) -> Option<V> {
    if kind == "date" {
        let secs = parse_timestamp(format!("{s}T00:00:00Z").as_bytes())?;
        Some(V::Date(secs.div_euclid(86_400)))
    } else {
        parse_timestamp(s.as_bytes()).map(V::Time)
    }
}
