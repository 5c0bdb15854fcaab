//! CHECK constraints, as `pg_get_constraintdef` writes them, turned into perfgen's rule
//! syntax where it can say them: comparisons of a column with a literal or another column,
//! joined by AND (and OR over one column): `CHECK ((price > (0)::numeric))` -> `price: "> 0"`,
//! `CHECK ((end_on >= start_on))` -> `end_on: ">= start_on"`; `x = ANY (ARRAY[...])` (what
//! PostgreSQL makes of `IN (...)`) -> the column's allowed values. Anything else is refused
//! with the reason, and kept as `sql:` in constraints.yaml.

/// What a CHECK constraint becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckDraft {
    /// One rule per column, in the validations' syntax.
    Rules(Vec<(String, String)>),
    /// The column takes only these values (`IN (...)`).
    In { column: String, values: Vec<String> },
    /// Not in the rule syntax: why.
    Refused(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Cast,
    Op(String),
    /// An unquoted word, lower-cased (keywords, identifiers).
    Word(String),
    /// A double-quoted identifier.
    Quoted(String),
    Str(String),
    Num(String),
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => (out.push(Tok::LParen), i += 1).1,
            ')' => (out.push(Tok::RParen), i += 1).1,
            '[' => (out.push(Tok::LBracket), i += 1).1,
            ']' => (out.push(Tok::RBracket), i += 1).1,
            ',' => (out.push(Tok::Comma), i += 1).1,
            ':' if c.get(i + 1) == Some(&':') => (out.push(Tok::Cast), i += 2).1,
            '<' | '>' | '=' | '!' => {
                let two: String = c[i..(i + 2).min(c.len())].iter().collect();
                let op = if matches!(two.as_str(), ">=" | "<=" | "<>" | "!=") {
                    two
                } else {
                    ch.to_string()
                };
                i += op.chars().count();
                out.push(Tok::Op(op));
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match c.get(i) {
                        None => return Err("an unterminated string".into()),
                        Some('\'') if c.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&x) => {
                            v.push(x);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            '"' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match c.get(i) {
                        None => return Err("an unterminated identifier".into()),
                        Some('"') if c.get(i + 1) == Some(&'"') => {
                            v.push('"');
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(&x) => {
                            v.push(x);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Quoted(v));
            }
            '-' | '0'..='9' | '.' => {
                let start = i;
                i += 1;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                    i += 1;
                }
                let n: String = c[start..i].iter().collect();
                if n == "-" {
                    return Err("arithmetic".into());
                }
                out.push(Tok::Num(n));
            }
            c0 if c0.is_alphabetic() || c0 == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '$') {
                    i += 1;
                }
                out.push(Tok::Word(c[start..i].iter().collect::<String>()));
            }
            other => return Err(format!("`{other}`")),
        }
    }
    Ok(out)
}

/// A token as the message shows it: `)`, `IS`, `'x'`, or "the end".
fn shown(t: Option<&Tok>) -> String {
    match t {
        None => "the end".into(),
        Some(Tok::LParen) => "`(`".into(),
        Some(Tok::RParen) => "`)`".into(),
        Some(Tok::LBracket) => "`[`".into(),
        Some(Tok::RBracket) => "`]`".into(),
        Some(Tok::Comma) => "`,`".into(),
        Some(Tok::Cast) => "`::`".into(),
        Some(Tok::Op(o)) => format!("`{o}`"),
        Some(Tok::Word(w)) => format!("`{w}`"),
        Some(Tok::Quoted(w)) => format!("`\"{w}\"`"),
        Some(Tok::Str(v)) => format!("`'{v}'`"),
        Some(Tok::Num(n)) => format!("`{n}`"),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Cmp(String, Box<Node>, Box<Node>),
    AnyOf(Box<Node>, Vec<Node>),
    /// `column IS NULL`.
    IsNull(String),
    Column(String),
    /// A literal: its text, whether it was quoted, and the type it was cast to (if any).
    Lit(String, bool, Option<String>),
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
    columns: &'a [String],
}

const TYPE_WORDS: &[&str] = &["varying", "with", "without", "time", "zone", "precision"];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.t.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn expect(&mut self, t: Tok) -> Result<(), String> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            other => Err(format!(
                "{} where {} was expected",
                shown(other.as_ref()),
                shown(Some(&t))
            )),
        }
    }

    fn or(&mut self) -> Result<Node, String> {
        let mut v = vec![self.and()?];
        while self.word("or") {
            self.i += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Node::Or(v)
        })
    }
    fn and(&mut self) -> Result<Node, String> {
        let mut v = vec![self.cmp()?];
        while self.word("and") {
            self.i += 1;
            v.push(self.cmp()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Node::And(v)
        })
    }
    fn cmp(&mut self) -> Result<Node, String> {
        let left = self.primary()?;
        if self.word("is") {
            self.i += 1;
            let not = self.word("not");
            if not {
                self.i += 1;
            }
            if !self.word("null") {
                return Err("`IS` other than `IS [NOT] NULL`".into());
            }
            self.i += 1;
            return match (left, not) {
                (Node::Column(c), false) => Ok(Node::IsNull(c)),
                (Node::Column(c), true) => Err(format!("`{c} IS NOT NULL` (NOT NULL)")),
                _ => Err("`IS NULL` of an expression".into()),
            };
        }
        let Some(Tok::Op(op)) = self.peek().cloned() else {
            return Ok(left);
        };
        self.i += 1;
        if self.word("any") {
            self.i += 1;
            if op != "=" {
                return Err(format!("`{op} ANY`"));
            }
            self.expect(Tok::LParen)?;
            let list = self.array()?;
            self.expect(Tok::RParen)?;
            self.casts()?;
            return Ok(Node::AnyOf(Box::new(left), list));
        }
        let right = self.primary()?;
        Ok(Node::Cmp(op, Box::new(left), Box::new(right)))
    }
    /// `ARRAY[...]`, possibly in parentheses and cast.
    fn array(&mut self) -> Result<Vec<Node>, String> {
        if self.peek() == Some(&Tok::LParen) {
            self.i += 1;
            let v = self.array()?;
            self.expect(Tok::RParen)?;
            self.casts()?;
            return Ok(v);
        }
        if !self.word("array") {
            return Err("ANY over something other than an ARRAY".into());
        }
        self.i += 1;
        self.expect(Tok::LBracket)?;
        let mut v = vec![self.primary()?];
        while self.peek() == Some(&Tok::Comma) {
            self.i += 1;
            v.push(self.primary()?);
        }
        self.expect(Tok::RBracket)?;
        Ok(v)
    }
    /// `::type` suffixes; the last type name.
    fn casts(&mut self) -> Result<Option<String>, String> {
        let mut last = None;
        while self.peek() == Some(&Tok::Cast) {
            self.i += 1;
            let mut name = match self.next() {
                Some(Tok::Word(w)) | Some(Tok::Quoted(w)) => w.to_lowercase(),
                other => return Err(format!("a cast to {}", shown(other.as_ref()))),
            };
            while let Some(Tok::Word(w)) = self.peek() {
                if !TYPE_WORDS.contains(&w.to_lowercase().as_str()) {
                    break;
                }
                name.push(' ');
                name.push_str(&w.to_lowercase());
                self.i += 1;
            }
            if self.peek() == Some(&Tok::LParen) {
                while !matches!(self.next(), Some(Tok::RParen) | None) {}
            }
            while self.peek() == Some(&Tok::LBracket) {
                self.i += 1;
                self.expect(Tok::RBracket)?;
                name.push_str("[]");
            }
            last = Some(name);
        }
        Ok(last)
    }
    fn primary(&mut self) -> Result<Node, String> {
        let node = match self.next() {
            Some(Tok::LParen) => {
                let inner = self.or()?;
                self.expect(Tok::RParen)?;
                inner
            }
            Some(Tok::Num(n)) => Node::Lit(n, false, None),
            Some(Tok::Str(s)) => Node::Lit(s, true, None),
            Some(Tok::Quoted(name)) => self.column(name)?,
            Some(Tok::Word(w)) => {
                if self.peek() == Some(&Tok::LParen) {
                    return Err(format!("the function `{w}`"));
                }
                self.column(w)?
            }
            other => return Err(shown(other.as_ref())),
        };
        let cast = self.casts()?;
        Ok(match (node, cast) {
            (Node::Lit(v, q, _), Some(t)) => Node::Lit(v, q, Some(t)),
            (n, _) => n,
        })
    }
    fn column(&self, name: String) -> Result<Node, String> {
        if self.columns.contains(&name) {
            Ok(Node::Column(name))
        } else {
            Err(format!("`{name}`, which is not a column"))
        }
    }
}

/// Calls `f` with every column `n` reads.
fn visit_columns(n: &Node, f: &mut dyn FnMut(&str)) {
    match n {
        Node::Or(v) | Node::And(v) => v.iter().for_each(|m| visit_columns(m, f)),
        Node::Cmp(_, l, r) => {
            visit_columns(l, f);
            visit_columns(r, f);
        }
        Node::AnyOf(l, v) => {
            visit_columns(l, f);
            v.iter().for_each(|m| visit_columns(m, f));
        }
        Node::IsNull(c) | Node::Column(c) => f(c),
        Node::Lit(..) => {}
    }
}

/// The literal as a rule operand: a number, a date or time, or a quoted text.
fn operand(v: &str, quoted: bool, cast: Option<&str>) -> Result<String, String> {
    let numeric = |t: &str| {
        matches!(
            t,
            "numeric" | "integer" | "bigint" | "smallint" | "real" | "double precision"
        )
    };
    let is_number = v.parse::<f64>().is_ok() && !v.ends_with('.');
    match cast {
        Some(t) if t.starts_with("date") || t.starts_with("timestamp") => {
            let ok = v.len() >= 10 && v.as_bytes()[4] == b'-' && !v.contains(' ');
            if ok || v.len() == 10 {
                Ok(v.to_string())
            } else {
                Err(format!("the time literal `{v}`"))
            }
        }
        Some(t) if numeric(t) && is_number => Ok(v.to_string()),
        _ if !quoted && is_number => Ok(v.to_string()),
        _ if quoted && !v.contains('\'') => Ok(format!("'{v}'")),
        _ => Err(format!("the literal `{v}`")),
    }
}

fn flip(op: &str) -> &str {
    match op {
        ">" => "<",
        "<" => ">",
        ">=" => "<=",
        "<=" => ">=",
        o => o,
    }
}

fn rule_op(op: &str) -> Result<&'static str, String> {
    Ok(match op {
        "=" => "==",
        "<>" | "!=" => "!=",
        ">" => ">",
        ">=" => ">=",
        "<" => "<",
        "<=" => "<=",
        o => return Err(format!("the operator `{o}`")),
    })
}

/// One comparison as (subject column, rule text).
fn comparison(op: &str, l: &Node, r: &Node) -> Result<(String, String), String> {
    match (l, r) {
        (Node::Column(a), Node::Column(b)) => Ok((a.clone(), format!("{} {b}", rule_op(op)?))),
        (Node::Column(a), Node::Lit(v, q, t)) => Ok((
            a.clone(),
            format!("{} {}", rule_op(op)?, operand(v, *q, t.as_deref())?),
        )),
        (Node::Lit(v, q, t), Node::Column(a)) => Ok((
            a.clone(),
            format!("{} {}", rule_op(flip(op))?, operand(v, *q, t.as_deref())?),
        )),
        _ => Err("a comparison without a column".into()),
    }
}

/// The conjunction `n` as (subject, rule) pairs, comparisons of one subject joined by AND.
fn conjunction(n: &Node, out: &mut Vec<(String, String)>) -> Result<(), String> {
    match n {
        Node::And(v) => v.iter().try_for_each(|m| conjunction(m, out)),
        Node::Cmp(op, l, r) => {
            out.push(comparison(op, l, r)?);
            Ok(())
        }
        Node::Or(v) => {
            let mut subject = None;
            let mut branches = Vec::new();
            // `... OR c IS NULL`: a rule already holds where a column it reads is NULL, as
            // a CHECK does, so the branch adds nothing when the others read `c`.
            let reads = |n: &Node, c: &str| -> bool {
                let mut found = false;
                visit_columns(n, &mut |x| found |= x == c);
                found
            };
            let v: Vec<&Node> = v
                .iter()
                .filter(|m| match m {
                    Node::IsNull(c) => !v
                        .iter()
                        .any(|o| !matches!(o, Node::IsNull(_)) && reads(o, c)),
                    _ => true,
                })
                .collect();
            for m in v {
                let mut inner = Vec::new();
                conjunction(m, &mut inner)?;
                for (s, _) in &inner {
                    if subject.get_or_insert_with(|| s.clone()) != s {
                        return Err("OR over several columns".into());
                    }
                }
                let parts: Vec<String> = inner.into_iter().map(|(_, r)| r).collect();
                branches.push(parts.join(" AND "));
            }
            let subject = subject.ok_or("an empty OR")?;
            out.push((subject, branches.join(" OR ")));
            Ok(())
        }
        Node::AnyOf(..) => Err("IN (...) beside other conditions".into()),
        Node::IsNull(c) => Err(format!(
            "`{c} IS NULL` beside conditions that do not read `{c}`"
        )),
        Node::Column(c) => Err(format!("the column `{c}` alone")),
        Node::Lit(v, ..) => Err(format!("the literal `{v}` alone")),
    }
}

/// The CHECK `definition` (`CHECK (...)`, `NOT VALID` allowed) over a table of `columns`.
pub fn translate(definition: &str, columns: &[String]) -> CheckDraft {
    let body = definition.trim();
    let body = body.strip_suffix("NOT VALID").unwrap_or(body).trim();
    let Some(body) = body.strip_prefix("CHECK") else {
        return CheckDraft::Refused("not a CHECK constraint".into());
    };
    let refuse = |why: String| CheckDraft::Refused(format!("the rule syntax cannot say {why}"));
    let toks = match tokens(body) {
        Ok(t) => t,
        Err(e) => return refuse(e),
    };
    let mut p = Parser {
        t: &toks,
        i: 0,
        columns,
    };
    let node = match p.or() {
        Ok(n) if p.i == toks.len() => n,
        Ok(_) => return refuse("what follows the first condition".into()),
        Err(e) => return refuse(e),
    };
    if let Node::AnyOf(subject, list) = &node {
        let Node::Column(column) = subject.as_ref() else {
            return refuse("IN over an expression".into());
        };
        let mut values = Vec::new();
        for item in list {
            match item {
                Node::Lit(v, ..) => values.push(v.clone()),
                _ => return refuse("IN over something other than literals".into()),
            }
        }
        return CheckDraft::In {
            column: column.clone(),
            values,
        };
    }
    let mut pairs = Vec::new();
    if let Err(e) = conjunction(&node, &mut pairs) {
        return refuse(e);
    }
    // One rule per subject column, its comparisons joined by AND, in order of appearance.
    let mut rules: Vec<(String, String)> = Vec::new();
    for (subject, rule) in pairs {
        let or = rule.contains(" OR ");
        match rules.iter_mut().find(|(s, _)| *s == subject) {
            Some((_, r)) if !or && !r.contains(" OR ") => {
                r.push_str(" AND ");
                r.push_str(&rule);
            }
            Some(_) => return refuse("OR beside other conditions on one column".into()),
            None => rules.push((subject, rule)),
        }
    }
    CheckDraft::Rules(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<String> {
        [
            "price",
            "quantity",
            "placed_at",
            "shipped_at",
            "channel",
            "sku",
            "on",
            "Odd col",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn rules(v: &[(&str, &str)]) -> CheckDraft {
        CheckDraft::Rules(
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn comparisons_become_rules() {
        let c = cols();
        assert_eq!(
            translate("CHECK ((price > (0)::numeric))", &c),
            rules(&[("price", "> 0")])
        );
        assert_eq!(
            translate("CHECK (((quantity >= 1) AND (quantity <= 20)))", &c),
            rules(&[("quantity", ">= 1 AND <= 20")])
        );
        assert_eq!(
            translate("CHECK ((shipped_at >= placed_at))", &c),
            rules(&[("shipped_at", ">= placed_at")])
        );
        assert_eq!(
            translate("CHECK ((0 < quantity))", &c),
            rules(&[("quantity", "> 0")]),
            "a literal on the left flips the operator"
        );
        assert_eq!(
            translate(
                "CHECK ((price > ('-1.5'::numeric)) AND (quantity <> 13))",
                &c
            ),
            rules(&[("price", "> -1.5"), ("quantity", "!= 13")])
        );
        assert_eq!(
            translate("CHECK (((quantity < 5) OR (quantity > 10)))", &c),
            rules(&[("quantity", "< 5 OR > 10")])
        );
        assert_eq!(
            translate("CHECK ((placed_at >= '2020-01-01'::date))", &c),
            rules(&[("placed_at", ">= 2020-01-01")])
        );
        assert_eq!(
            translate("CHECK ((channel <> 'closed'::text))", &c),
            rules(&[("channel", "!= 'closed'")])
        );
        assert_eq!(
            translate("CHECK (((quantity <= price) OR (price IS NULL)))", &c),
            rules(&[("quantity", "<= price")]),
            "a rule holds where a column it reads is NULL, as a CHECK does"
        );
        assert_eq!(
            translate("CHECK (((quantity <= price) OR (placed_at IS NULL)))", &c),
            CheckDraft::Refused("the rule syntax cannot say `placed_at IS NULL` beside conditions that do not read `placed_at`".into())
        );
        assert_eq!(
            translate("CHECK ((\"Odd col\" >= 1)) NOT VALID", &c),
            rules(&[("Odd col", ">= 1")])
        );
    }

    #[test]
    fn in_lists_become_values() {
        let c = cols();
        let want = CheckDraft::In {
            column: "channel".into(),
            values: vec!["web".into(), "app".into(), "store".into()],
        };
        assert_eq!(
            translate(
                "CHECK ((channel = ANY (ARRAY['web'::text, 'app'::text, 'store'::text])))",
                &c
            ),
            want
        );
        assert_eq!(
            translate("CHECK (((channel)::text = ANY ((ARRAY['web'::character varying, 'app'::character varying, 'store'::character varying])::text[])))", &c),
            want
        );
    }

    #[test]
    fn what_the_rules_cannot_say_is_refused() {
        let c = cols();
        for def in [
            "CHECK ((char_length(sku) = 8))",
            "CHECK (((price * (2)::numeric) > (0)::numeric))",
            "CHECK (((price > (0)::numeric) OR (quantity > 0)))",
            "CHECK ((other > 0))",
            "CHECK ((sku IS NOT NULL))",
            "CHECK ((sku ~ '^[A-Z]+$'::text))",
            "UNIQUE (sku)",
        ] {
            assert!(
                matches!(translate(def, &c), CheckDraft::Refused(_)),
                "{def}: {:?}",
                translate(def, &c)
            );
        }
    }
}
