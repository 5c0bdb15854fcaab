//! Values and operands: a cell parsed by its column type, a rule's right-hand side, and
//! the comparison of the two, as the rules of the configs define it.

use crate::keys::KeyStore;
use crate::value::{
    int_key, parse_date, parse_decimal, parse_int, parse_timestamp_in, parse_uuid_v4, text_key,
    DayCache,
};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{CmpOp, ColumnType, Comparison, Operand, Rule, Strategy, TimeSpec};
use std::collections::HashMap;

/// A parsed cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CellValue {
    /// The column is not in the file.
    Missing,
    /// The text is not of the column's type.
    Bad,
    Int(i64),
    Dec(f64),
    Time(i64),
    Uuid(u128),
    /// Text: the bytes are the field's.
    Text,
    /// NULL: an empty unquoted field of a column that may be NULL.
    Null,
}

/// A cell parsed by its column type (an error names what it is not).
pub(crate) fn parse_val(column: ColumnType, text: &str) -> Result<CellValue, &'static str> {
    parse_val_in(column, text, &mut DayCache::default())
}

/// [`parse_val`] for one field's cells in turn: a timestamp's day is looked up in the
/// field's `days` when it is the last one's ([`DayCache`]).
#[inline]
pub(crate) fn parse_val_in(
    column: ColumnType,
    text: &str,
    days: &mut DayCache,
) -> Result<CellValue, &'static str> {
    let b = text.as_bytes();
    match column {
        ColumnType::Uuid => parse_uuid_v4(b).map(CellValue::Uuid),
        ColumnType::Integer => parse_int(b).map(CellValue::Int).ok_or("not an integer"),
        ColumnType::Decimal(p) => parse_decimal(b, p).map(CellValue::Dec),
        ColumnType::Timestamp => parse_timestamp_in(b, days)
            .map(CellValue::Time)
            .ok_or("not an RFC 3339 time"),
        ColumnType::Text => Ok(CellValue::Text),
        // A boolean as 0 or 1, a date as its midnight (dates compare with times in rules).
        ColumnType::Boolean => match b {
            b"true" => Ok(CellValue::Int(1)),
            b"false" => Ok(CellValue::Int(0)),
            _ => Err("not `true` or `false`"),
        },
        ColumnType::Date => parse_date(b)
            .map(|days| CellValue::Time(days * 86_400))
            .ok_or("not a YYYY-MM-DD date"),
    }
}

/// The 16-byte key of a value (u128::MAX for none).
pub(crate) fn key_of(v: CellValue, text: &str) -> Option<u128> {
    match v {
        CellValue::Int(i) | CellValue::Time(i) => Some(int_key(i)),
        CellValue::Dec(x) => Some(if x == 0.0 { 0 } else { x.to_bits() as u128 }),
        CellValue::Uuid(u) => Some(u),
        CellValue::Text => Some(text_key(text.as_bytes())),
        CellValue::Bad | CellValue::Missing | CellValue::Null => None,
    }
}

/// A rule operand's value for one row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rhs<'a> {
    Num(f64),
    Time(i64),
    Text(&'a str),
    Uuid(u128),
    /// A parent's text field, known by its digest: only `=` and `!=` can be evaluated.
    TextKey(u128),
    Unknown,
    /// NULL: a comparison with it is neither true nor false (SQL's unknown).
    Null,
}

/// A stored 16-byte key back as an operand of its column type.
pub(crate) fn decode_key(column: ColumnType, k: u128) -> Rhs<'static> {
    if k == u128::MAX {
        return Rhs::Unknown;
    }
    match column {
        ColumnType::Integer => Rhs::Num(k as u64 as i64 as f64),
        ColumnType::Decimal(_) => Rhs::Num(f64::from_bits(k as u64)),
        ColumnType::Timestamp => Rhs::Time(k as u64 as i64),
        ColumnType::Uuid => Rhs::Uuid(k),
        ColumnType::Text => Rhs::TextKey(k),
        ColumnType::Boolean => Rhs::Num(k as u64 as i64 as f64),
        ColumnType::Date => Rhs::Time(k as u64 as i64),
    }
}

/// A UUID from its 128 bits, hyphenated.
pub(crate) fn uuid_text(u: u128) -> String {
    perfgen_runtime::Uuid::from_u128(u).hyphenated().to_string()
}

/// `lhs op rhs`; None when it cannot be evaluated (an operand is missing or of another type).
pub(crate) fn compare(lhs: CellValue, lhs_text: &str, op: CmpOp, rhs: Rhs<'_>) -> Option<bool> {
    let ord = match (lhs, rhs) {
        (CellValue::Int(a), Rhs::Num(b)) => (a as f64).partial_cmp(&b),
        (CellValue::Dec(a), Rhs::Num(b)) => a.partial_cmp(&b),
        (CellValue::Time(a), Rhs::Time(b)) => Some(a.cmp(&b)),
        (CellValue::Uuid(a), Rhs::Uuid(b)) => Some(a.cmp(&b)),
        (CellValue::Uuid(a), Rhs::Text(t)) => Some(uuid_text(a).as_str().cmp(t)),
        (CellValue::Text, Rhs::Text(t)) => Some(lhs_text.cmp(t)),
        (CellValue::Text, Rhs::Num(b)) => match lhs_text.trim().parse::<f64>() {
            Ok(x) => x.partial_cmp(&b),
            // As the build-time pool filter decides: a non-number differs from any number.
            Err(_) => return Some(op == CmpOp::Ne),
        },
        (CellValue::Text, Rhs::TextKey(k)) | (CellValue::Uuid(_), Rhs::TextKey(k)) => {
            let mine = key_of(lhs, lhs_text)?;
            return match op {
                CmpOp::Eq => Some(mine == k),
                CmpOp::Ne => Some(mine != k),
                _ => None,
            };
        }
        _ => None,
    }?;
    Some(op.holds(ord))
}

/// One row, parsed, with what rules and windows need.
pub(crate) struct RowView<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) entity: &'a EntityInfo,
    pub(crate) vals: &'a [CellValue],
    pub(crate) texts: &'a [&'a str],
    /// For each foreign-key field, the parent's position in its key store.
    pub(crate) parents: &'a [Option<usize>],
    /// For each foreign-key field, whether that position names one row although the key
    /// repeats (a composite key's first member); empty where unknown.
    pub(crate) exact_parents: &'a [bool],
    pub(crate) stores: &'a HashMap<(usize, usize), KeyStore>,
    pub(crate) now: i64,
    /// The run's `--scale` (1 without it), which `scale()` in an expression reads.
    pub(crate) scale: f64,
}

impl<'a> RowView<'a> {
    /// An operand's value in this row. Inlined where rules are evaluated (a call per
    /// comparison was a sixth of a rule's cost); a parent's field is looked up out of line.
    #[inline]
    pub(crate) fn operand(&self, op: &Operand) -> Rhs<'a> {
        match *op {
            Operand::Number(x) => Rhs::Num(x),
            Operand::Time(TimeSpec::At(t)) => Rhs::Time(t),
            Operand::Time(TimeSpec::Now(off)) => Rhs::Time(self.now.saturating_add(off)),
            Operand::Text(s) => Rhs::Text(s),
            Operand::Field(j) => match self.vals.get(j) {
                Some(CellValue::Int(i)) => Rhs::Num(*i as f64),
                Some(CellValue::Dec(x)) => Rhs::Num(*x),
                Some(CellValue::Time(t)) => Rhs::Time(*t),
                Some(CellValue::Uuid(u)) => Rhs::Uuid(*u),
                Some(CellValue::Text) => Rhs::Text(self.texts[j]),
                Some(CellValue::Null) => Rhs::Null,
                _ => Rhs::Unknown,
            },
            Operand::Parent { fk, via, field } => self.parent_operand(fk, via, field),
        }
    }

    /// A parent's field (through foreign key `fk`, then the keys in `via`) in this row.
    fn parent_operand(&self, fk: usize, via: &[usize], field: usize) -> Rhs<'a> {
        // No parent: the parent's field is NULL too.
        if matches!(self.vals.get(fk), Some(CellValue::Null)) {
            return Rhs::Null;
        }
        if !via.is_empty() {
            // Through several parents: each store's value is the next one's key.
            let Some(chain) =
                crate::expression::chain_of(self.catalog, self.entity, fk, via, field)
            else {
                return Rhs::Unknown;
            };
            let Some(last) = chain.last() else {
                return Rhs::Unknown;
            };
            let column = self.catalog.entities[last.entity].fields[field].spec.column;
            return crate::expression::further_parent(self, fk, &chain, column);
        }
        let Some(Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        }) = self.entity.fields.get(fk).map(|f| f.spec.strategy)
        else {
            return Rhs::Unknown;
        };
        let (Some(Some(pos)), Some(store)) = (
            self.parents.get(fk),
            self.stores.get(&(parent, parent_field)),
        ) else {
            return Rhs::Unknown;
        };
        // A repeated parent key names several rows: which one the child meant is unknown
        // (unless the composite key it belongs to named it).
        if store.repeated_at(*pos) && !self.exact_parents.get(fk).copied().unwrap_or(false) {
            return Rhs::Unknown;
        }
        let Some(k) = store.value(*pos, field) else {
            return Rhs::Unknown;
        };
        decode_key(self.catalog.entities[parent].fields[field].spec.column, k)
    }

    /// The right-hand side of comparison `c`: its operand plus its shift (seconds for times).
    #[inline]
    pub(crate) fn rhs_of(&self, c: &Comparison) -> Rhs<'a> {
        let v = self.operand(&c.rhs);
        if c.shift == 0.0 {
            return v;
        }
        match v {
            Rhs::Num(x) => Rhs::Num(x + c.shift),
            Rhs::Time(t) => Rhs::Time(t.saturating_add(c.shift as i64)),
            other => other,
        }
    }

    pub(crate) fn time_of(&self, op: &Operand) -> Option<i64> {
        match self.operand(op) {
            Rhs::Time(t) => Some(t),
            Rhs::Num(x) => Some(x as i64),
            _ => None,
        }
    }

    pub(crate) fn num_of(&self, op: &Operand) -> Option<f64> {
        match self.operand(op) {
            Rhs::Num(x) => Some(x),
            Rhs::Time(t) => Some(t as f64),
            _ => None,
        }
    }
}

/// Whether rule `k` of a field repeats an earlier one (the same rule given as `constraint:`
/// and in `validations:`): checked and reported once, as the earlier one.
pub(crate) fn repeats_an_earlier_rule(rules: &[Rule], k: usize) -> bool {
    rules[..k].iter().any(|r| r.any_of == rules[k].any_of)
}

/// A rule of one group of comparisons with numbers, times or the row's own fields: the shape
/// nearly every configured rule has (`>= created_at`, `>= 18 AND <= 80`), evaluated without
/// the general operands. It decides only what [`eval_rule`] would decide the same way, and
/// leaves the rest (NULLs, other types, parents' fields) to it.
#[derive(Debug, Clone)]
pub(crate) struct QuickRule(Vec<QuickCmp>);

#[derive(Debug, Clone, Copy)]
enum QuickCmp {
    /// With a number (its shift added).
    Num(CmpOp, f64),
    /// With a time (its shift added; `now` resolved).
    Time(CmpOp, i64),
    /// With the row's field at this position, then its shift.
    Field(CmpOp, usize, f64),
}

impl QuickRule {
    /// `rule` in this shape, if it has it (`now` resolves `now`-relative times).
    pub(crate) fn of(rule: &Rule, now: i64) -> Option<QuickRule> {
        let [group] = rule.any_of else { return None };
        let cmps = group
            .iter()
            .map(|c| match c.rhs {
                Operand::Number(x) => Some(QuickCmp::Num(c.op, x + c.shift)),
                Operand::Time(spec) => {
                    let t = match spec {
                        TimeSpec::At(t) => t,
                        TimeSpec::Now(off) => now.saturating_add(off),
                    };
                    Some(QuickCmp::Time(c.op, t.saturating_add(c.shift as i64)))
                }
                Operand::Field(j) => Some(QuickCmp::Field(c.op, j, c.shift)),
                Operand::Text(_) | Operand::Parent { .. } => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(QuickRule(cmps))
    }

    /// The rule on a value `lhs` of a row whose cells are `vals`; None where [`eval_rule`]
    /// must decide. One group: a comparison that fails makes the rule fail, whatever the
    /// others are, as in [`eval_rule`].
    #[inline]
    pub(crate) fn eval(&self, lhs: CellValue, vals: &[CellValue]) -> Option<bool> {
        for &c in &self.0 {
            let (op, ord) = match (c, lhs) {
                (QuickCmp::Num(op, b), CellValue::Int(a)) => (op, (a as f64).partial_cmp(&b)?),
                (QuickCmp::Num(op, b), CellValue::Dec(a)) => (op, a.partial_cmp(&b)?),
                (QuickCmp::Time(op, b), CellValue::Time(a)) => (op, a.cmp(&b)),
                (QuickCmp::Field(op, j, shift), _) => {
                    let ord = match (lhs, *vals.get(j)?) {
                        (CellValue::Time(a), CellValue::Time(b)) => {
                            a.cmp(&b.saturating_add(shift as i64))
                        }
                        (CellValue::Int(a), CellValue::Int(b)) => {
                            (a as f64).partial_cmp(&(b as f64 + shift))?
                        }
                        (CellValue::Dec(a), CellValue::Dec(b)) => a.partial_cmp(&(b + shift))?,
                        _ => return None,
                    };
                    (op, ord)
                }
                _ => return None,
            };
            if !op.holds(ord) {
                return Some(false);
            }
        }
        Some(true)
    }
}

/// A rule on a row: OR of ANDs; None when it cannot be decided. A comparison with a NULL
/// is neither true nor false, as in SQL, and a rule that comes out neither holds (as a SQL
/// CHECK does).
pub(crate) fn eval_rule(
    rule: &Rule,
    lhs: CellValue,
    lhs_text: &str,
    row: &RowView<'_>,
) -> Option<bool> {
    let mut unknown = false;
    let mut null = false;
    for group in rule.any_of {
        let mut all = Some(true);
        let mut group_null = false;
        for c in group.iter() {
            let rhs = row.rhs_of(c);
            if matches!(rhs, Rhs::Null) {
                group_null = true;
                continue;
            }
            match compare(lhs, lhs_text, c.op, rhs) {
                Some(true) => {}
                Some(false) => {
                    all = Some(false);
                    break;
                }
                None => all = None,
            }
        }
        match all {
            Some(true) if group_null => null = true,
            Some(true) => return Some(true),
            Some(false) => {}
            None => unknown = true,
        }
    }
    if null {
        Some(true)
    } else if unknown {
        None
    } else {
        Some(false)
    }
}
