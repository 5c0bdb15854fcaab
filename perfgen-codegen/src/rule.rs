//! The validation rule language: `unique`, or comparisons joined by `AND` / `OR`:
//! `>= 18 AND <= 80`, `>= created_at`, `>= user.created_at`, `!= 'cancelled'`,
//! `<= 2024-01-15T12:00:00Z`, `>= now-30d`. A comparison may repeat the rule's own field
//! first (`updated_at >= created_at`).

use crate::ir::CmpOp;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleAst {
    Unique,
    /// A disjunction of conjunctions.
    Or(Vec<Vec<RawCmp>>),
}

/// One comparison as written, its operand not yet resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct RawCmp {
    pub op: CmpOp,
    pub rhs: RawOperand,
    /// `+ 121d`, `- 2.5` after a field operand: the sign and the amount as written.
    pub shift: Option<(bool, String)>,
}

/// A comparison's right-hand side as written.
#[derive(Debug, Clone, PartialEq)]
pub enum RawOperand {
    /// A number as written.
    Number(String),
    /// A date or RFC 3339 timestamp as written.
    Time(String),
    /// `now`, with an offset as written (`-30d`), or empty.
    Now(String),
    /// A quoted string.
    Text(String),
    /// A field name.
    Name(String),
    /// `entity.field`, or `entity.entity.field` through several parents: the dotted path of
    /// parents, and the field.
    Qualified(String, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Op(CmpOp),
    And,
    Or,
    Word(String),
    Quoted(String),
}

/// Parse a rule; `own_field` is the field the rule is attached to (it may be repeated
/// before an operator). Errors are one line, lower-case, naming the offending text.
pub fn parse(text: &str, own_field: &str) -> Result<RuleAst, String> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("unique") {
        return Ok(RuleAst::Unique);
    }
    let toks = tokenize(trimmed)?;
    if toks.is_empty() {
        return Err("empty rule".into());
    }
    let mut groups = vec![Vec::new()];
    let mut i = 0;
    loop {
        // Optional repetition of the rule's own field: `age >= 18`.
        if let (Some(Tok::Word(w)), Some(Tok::Op(_))) = (toks.get(i), toks.get(i + 1)) {
            if w != own_field {
                return Err(format!(
                    "the rule is attached to `{own_field}` but compares `{w}`; write it as `{}` under `field: {w}`",
                    rest_text(&toks[i + 1..])
                ));
            }
            i += 1;
        }
        let op = match toks.get(i) {
            Some(Tok::Op(op)) => *op,
            Some(other) => {
                return Err(format!(
                    "expected a comparison operator (`>=`, `>`, `<=`, `<`, `==`, `!=`), found `{}`",
                    tok_text(other)
                ))
            }
            None => return Err("expected a comparison operator at the end of the rule".into()),
        };
        let mut shift = None;
        let rhs = match toks.get(i + 1) {
            // `order.o_orderdate+121d` in one word: the name, then its shift.
            Some(Tok::Word(w)) if is_name_start(w) && w.contains(['+', '-']) => {
                let at = w.find(['+', '-']).expect("just checked");
                let (name, rest) = w.split_at(at);
                shift = Some((rest.starts_with('-'), rest[1..].to_string()));
                operand(name)?
            }
            Some(Tok::Word(w)) => operand(w)?,
            Some(Tok::Quoted(q)) => RawOperand::Text(q.clone()),
            Some(other) => {
                return Err(format!(
                    "expected a value or field after `{}`, found `{}`",
                    op.rule_symbol(),
                    tok_text(other)
                ))
            }
            None => {
                return Err(format!(
                    "expected a value or field after `{}`",
                    op.rule_symbol()
                ))
            }
        };
        i += 2;
        // `+ 121d` / `- 3` (or `+121d`) after a field.
        if shift.is_none() {
            match (toks.get(i), toks.get(i + 1)) {
                (Some(Tok::Word(s)), Some(Tok::Word(amount))) if s == "+" || s == "-" => {
                    shift = Some((s == "-", amount.clone()));
                    i += 2;
                }
                (Some(Tok::Word(s)), _)
                    if (s.starts_with('+') || s.starts_with('-')) && s.len() > 1 =>
                {
                    shift = Some((s.starts_with('-'), s[1..].to_string()));
                    i += 1;
                }
                _ => {}
            }
        }
        if shift.is_some() && !matches!(rhs, RawOperand::Name(_) | RawOperand::Qualified(..)) {
            return Err("a `+`/`-` shift follows a field (`>= created_at + 1d`, `<= order.o_orderdate + 121d`), not a value".into());
        }
        if let Some((_, amount)) = &shift {
            if amount.is_empty() {
                return Err("expected an amount after `+`/`-` (`+ 121d`, `- 2.5`)".into());
            }
        }
        groups.last_mut().unwrap().push(RawCmp { op, rhs, shift });
        match toks.get(i) {
            None => break,
            Some(Tok::And) => i += 1,
            Some(Tok::Or) => {
                groups.push(Vec::new());
                i += 1
            }
            Some(other) => {
                return Err(format!(
                    "expected `AND` or `OR` between comparisons, found `{}`",
                    tok_text(other)
                ))
            }
        }
        if i >= toks.len() {
            return Err("the rule ends with `AND`/`OR`".into());
        }
    }
    Ok(RuleAst::Or(groups))
}

fn rest_text(toks: &[Tok]) -> String {
    toks.iter().map(tok_text).collect::<Vec<_>>().join(" ")
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Op(op) => op.rule_symbol().into(),
        Tok::And => "AND".into(),
        Tok::Or => "OR".into(),
        Tok::Word(w) => w.clone(),
        Tok::Quoted(q) => format!("'{q}'"),
    }
}

/// Whether a word starts like a field name (not a number, a date or `now`).
fn is_name_start(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && !w.to_ascii_lowercase().starts_with("now")
}

fn operand(w: &str) -> Result<RawOperand, String> {
    let lower = w.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("now") {
        return Ok(RawOperand::Now(rest.to_string()));
    }
    let first = w.chars().next().unwrap_or(' ');
    if first.is_ascii_digit() || ((first == '-' || first == '+') && w.len() > 1) {
        // `2024-01-15`, `2024-01-15T12:00:00Z` are times; `18`, `-3.5`, `1e3` numbers.
        let looks_like_date = w.len() >= 10 && w.as_bytes().get(4) == Some(&b'-');
        return Ok(if looks_like_date {
            RawOperand::Time(w.to_string())
        } else {
            RawOperand::Number(w.to_string())
        });
    }
    // `order.o_orderdate`, or through more parents: `order.customer.c_since`.
    if let Some((path, field)) = w.rsplit_once('.') {
        if field.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!("`{w}` is not a field or `entity.field`"));
        }
        return Ok(RawOperand::Qualified(path.to_string(), field.to_string()));
    }
    Ok(RawOperand::Name(w.to_string()))
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if two == "=>" || two == "=<" {
            let fix = if two == "=>" { ">=" } else { "<=" };
            return Err(format!("`{two}` is not an operator; did you mean `{fix}`?"));
        }
        let op2 = match two.as_str() {
            ">=" => Some(CmpOp::Ge),
            "<=" => Some(CmpOp::Le),
            "==" => Some(CmpOp::Eq),
            "!=" | "<>" => Some(CmpOp::Ne),
            "&&" => {
                toks.push(Tok::And);
                i += 2;
                continue;
            }
            "||" => {
                toks.push(Tok::Or);
                i += 2;
                continue;
            }
            _ => None,
        };
        if let Some(op) = op2 {
            toks.push(Tok::Op(op));
            i += 2;
            continue;
        }
        match c {
            '>' => {
                toks.push(Tok::Op(CmpOp::Gt));
                i += 1;
            }
            '<' => {
                toks.push(Tok::Op(CmpOp::Lt));
                i += 1;
            }
            '=' => {
                toks.push(Tok::Op(CmpOp::Eq));
                i += 1;
            }
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == c)
                    .ok_or_else(|| format!("unterminated quote {c} in rule"))?;
                toks.push(Tok::Quoted(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '>' | '<' | '=' | '!' | '\'' | '"' | '&' | '|')
                {
                    i += 1;
                }
                if i == start {
                    return Err(format!("unexpected `{c}` in rule"));
                }
                let word: String = chars[start..i].iter().collect();
                match word.to_ascii_uppercase().as_str() {
                    "AND" => toks.push(Tok::And),
                    "OR" => toks.push(Tok::Or),
                    _ => toks.push(Tok::Word(word)),
                }
            }
        }
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(op: CmpOp, rhs: RawOperand) -> RawCmp {
        RawCmp {
            op,
            rhs,
            shift: None,
        }
    }

    #[test]
    fn a_field_operand_takes_a_shift() {
        let q = |e: &str, f: &str| RawOperand::Qualified(e.into(), f.into());
        for text in [
            "<= order.o_orderdate + 121d",
            "<= order.o_orderdate +121d",
            "<= order.o_orderdate+121d",
        ] {
            let RuleAst::Or(g) = parse(text, "l_shipdate").unwrap() else {
                panic!()
            };
            assert_eq!(g[0][0].rhs, q("order", "o_orderdate"), "{text}");
            assert_eq!(g[0][0].shift, Some((false, "121d".into())), "{text}");
        }
        let RuleAst::Or(g) = parse(">= price - 2.5 AND <= 100", "total").unwrap() else {
            panic!()
        };
        assert_eq!(g[0][0].shift, Some((true, "2.5".into())));
        assert_eq!(g[0][1].shift, None);
        assert!(parse(">= 18 + 2", "age")
            .unwrap_err()
            .contains("follows a field"));
        assert!(parse(">= created_at +", "x").is_err());
    }

    #[test]
    fn seed_rules() {
        assert_eq!(parse("unique", "email"), Ok(RuleAst::Unique));
        assert_eq!(
            parse(">= created_at", "updated_at"),
            Ok(RuleAst::Or(vec![vec![cmp(
                CmpOp::Ge,
                RawOperand::Name("created_at".into())
            )]]))
        );
        assert_eq!(
            parse(">= 18 AND <= 80", "age"),
            Ok(RuleAst::Or(vec![vec![
                cmp(CmpOp::Ge, RawOperand::Number("18".into())),
                cmp(CmpOp::Le, RawOperand::Number("80".into()))
            ]]))
        );
        assert_eq!(
            parse(">= user.created_at", "created_at"),
            Ok(RuleAst::Or(vec![vec![cmp(
                CmpOp::Ge,
                RawOperand::Qualified("user".into(), "created_at".into())
            )]]))
        );
    }

    #[test]
    fn other_forms() {
        assert_eq!(
            parse("age>=18 or age<1", "age"),
            Ok(RuleAst::Or(vec![
                vec![cmp(CmpOp::Ge, RawOperand::Number("18".into()))],
                vec![cmp(CmpOp::Lt, RawOperand::Number("1".into()))]
            ]))
        );
        assert_eq!(
            parse("!= 'cancelled'", "status"),
            Ok(RuleAst::Or(vec![vec![cmp(
                CmpOp::Ne,
                RawOperand::Text("cancelled".into())
            )]]))
        );
        assert_eq!(
            parse("<= 2024-01-15T12:00:00Z", "t"),
            Ok(RuleAst::Or(vec![vec![cmp(
                CmpOp::Le,
                RawOperand::Time("2024-01-15T12:00:00Z".into())
            )]]))
        );
        assert_eq!(
            parse("> -3.5", "t"),
            Ok(RuleAst::Or(vec![vec![cmp(
                CmpOp::Gt,
                RawOperand::Number("-3.5".into())
            )]]))
        );
        assert_eq!(
            parse(">= now-30d", "t"),
            Ok(RuleAst::Or(vec![vec![cmp(
                CmpOp::Ge,
                RawOperand::Now("-30d".into())
            )]]))
        );
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            ">=",
            "18",
            ">= 18 AND",
            ">= 18 <= 80",
            "=> 18",
            "other >= 1",
            ">= 'x",
        ] {
            assert!(parse(bad, "age").is_err(), "{bad:?} parsed");
        }
    }
}
