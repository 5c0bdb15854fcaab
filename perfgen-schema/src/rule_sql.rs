//! Rules as SQL boolean expressions, for a CHECK or a query that counts the rows breaking them.

use crate::columns::{number_literal, time_literal};
use crate::Dialect;
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::date::Date;
use perfgen_runtime::spec::{CmpOp, ColumnType, Comparison, Operand, Rule, TimeSpec};
use perfgen_runtime::time::Timestamp;
use std::collections::BTreeSet;

const SECS_PER_DAY: i64 = 86_400;

/// Renders rules as SQL boolean expressions.
pub(crate) struct RuleSql<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) entity: usize,
    /// `now` for this entity.
    pub(crate) now: Option<Timestamp>,
    /// Prefix of this row's columns (`c.` in queries, empty in CHECKs).
    pub(crate) row: &'a str,
    pub(crate) dialect: Dialect,
}

impl RuleSql<'_> {
    fn column(&self, field: usize) -> String {
        format!(
            "{}{}",
            self.row,
            self.dialect
                .ident(self.catalog.entities[self.entity].fields[field].name)
        )
    }

    fn operand(&self, rhs: Operand) -> Option<String> {
        Some(match rhs {
            Operand::Number(x) => number_literal(x),
            Operand::Time(t) => time_literal(t, self.now, self.dialect)?,
            Operand::Text(s) => self.dialect.literal(s),
            Operand::Field(j) => self.column(j),
            Operand::Parent { fk, via, field } => {
                let parent = self.catalog.reached_through(self.entity, fk, via)?;
                let pf = self.catalog.entities.get(parent)?.fields.get(field)?;
                format!("{}.{}", parent_alias(fk, via), self.dialect.ident(pf.name))
            }
        })
    }

    /// The right-hand side of `c` with its shift (`o_orderdate + 121`, `t + interval ...`).
    fn shifted(&self, c: &Comparison) -> Option<String> {
        let v = self.operand(c.rhs)?;
        if c.shift == 0.0 {
            return Some(v);
        }
        Some(match self.operand_type(c.rhs) {
            Some(ColumnType::Date) => self.dialect.add_days(&v, c.shift as i64 / SECS_PER_DAY),
            Some(ColumnType::Timestamp) => self.dialect.add_seconds(&v, c.shift as i64),
            _ => format!("({v} + {})", number_literal(c.shift)),
        })
    }

    /// The column type of an operand; a time literal is a timestamp.
    fn operand_type(&self, rhs: Operand) -> Option<ColumnType> {
        let info = &self.catalog.entities[self.entity];
        match rhs {
            Operand::Time(_) => Some(ColumnType::Timestamp),
            Operand::Field(j) => Some(info.fields.get(j)?.spec.column),
            Operand::Parent { fk, via, field } => {
                let parent = self.catalog.reached_through(self.entity, fk, via)?;
                Some(
                    self.catalog
                        .entities
                        .get(parent)?
                        .fields
                        .get(field)?
                        .spec
                        .column,
                )
            }
            Operand::Number(_) | Operand::Text(_) => None,
        }
    }

    /// A date compared with a time, as the generator and verify compare them (the date
    /// stands for its midnight UTC), whatever the session's `TimeZone`: PostgreSQL's own
    /// `date >= timestamptz` takes the midnight of the session's zone. A time literal at
    /// midnight becomes a date literal; anything else puts the date at midnight UTC.
    fn date_against_time(&self, date: String, time: Operand, time_sql: String) -> (String, String) {
        if let Operand::Time(t) = time {
            let secs = match t {
                TimeSpec::At(s) => Some(s),
                TimeSpec::Now(off) => self.now.map(|n| n.0.saturating_add(off)),
            };
            if let Some(secs) = secs.filter(|s| s % SECS_PER_DAY == 0) {
                let day = Date::of_timestamp(Timestamp(secs));
                if day.is_representable() {
                    return (date, self.dialect.date_literal(&day.to_string()));
                }
            }
        }
        (self.dialect.at_midnight_utc(&date), time_sql)
    }

    fn comparison(&self, field: usize, c: &Comparison) -> Option<String> {
        let column = self.catalog.entities[self.entity].fields[field].spec.column;
        let (mut lhs, mut rhs) = match (column, self.operand_type(c.rhs)) {
            (ColumnType::Date, Some(ColumnType::Timestamp)) => {
                let time_sql = self.shifted(c)?;
                self.date_against_time(self.column(field), c.rhs, time_sql)
            }
            (ColumnType::Timestamp, Some(ColumnType::Date)) => {
                let date = self.shifted(c)?;
                (self.column(field), self.dialect.at_midnight_utc(&date))
            }
            _ => (self.column(field), self.shifted(c)?),
        };
        let ordering = !matches!(c.op, CmpOp::Eq | CmpOp::Ne);
        let text = column == ColumnType::Text;
        if ordering && text {
            // The generator compares bytes; so does the "C" collation.
            lhs = self.dialect.bytewise(&lhs);
            rhs = self.dialect.bytewise(&rhs);
        }
        Some(format!("{lhs} {} {rhs}", c.op.sql_symbol()))
    }

    /// The rule as an expression, `None` when `now` has no value.
    pub(crate) fn rule(&self, field: usize, rule: &Rule) -> Option<String> {
        let many = rule.any_of.len() > 1;
        let mut parts = Vec::with_capacity(rule.any_of.len());
        for all in rule.any_of {
            let conj: Option<Vec<String>> = all.iter().map(|c| self.comparison(field, c)).collect();
            let conj = conj?.join(" AND ");
            parts.push(if many && all.len() > 1 {
                format!("({conj})")
            } else {
                conj
            });
        }
        Some(parts.join(" OR "))
    }
}

pub(crate) fn reads_parent(rule: &Rule) -> bool {
    rule.any_of
        .iter()
        .flat_map(|all| all.iter())
        .any(|c| matches!(c.rhs, Operand::Parent { .. }))
}

/// The parent rows a rule reads, as paths of foreign keys (`[fk]`, `[fk, via...]`), each
/// path's prefixes included (a join needs the row before it).
pub(crate) fn parent_paths(rule: &Rule) -> BTreeSet<Vec<usize>> {
    let mut out = BTreeSet::new();
    for c in rule.any_of.iter().flat_map(|all| all.iter()) {
        if let Operand::Parent { fk, via, .. } = c.rhs {
            for n in 0..=via.len() {
                let mut path = vec![fk];
                path.extend_from_slice(&via[..n]);
                out.insert(path);
            }
        }
    }
    out
}

/// The SQL alias of the parent row a path of foreign keys reaches: `p3`, `p3_1`.
pub(crate) fn parent_alias(fk: usize, via: &[usize]) -> String {
    let mut s = format!("p{fk}");
    for v in via {
        s.push_str(&format!("_{v}"));
    }
    s
}
