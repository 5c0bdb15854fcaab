//! Rules as SQL boolean expressions, for a CHECK or a query that counts the rows breaking them.

use crate::columns::{number_literal, time_literal};
use crate::Dialect;
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::date::Date;
use perfgen_runtime::spec::{CmpOp, ColumnType, Comparison, Operand, Rule, Strategy, TimeSpec};
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
        let info = &self.catalog.entities[self.entity];
        Some(match rhs {
            Operand::Number(x) => number_literal(x),
            Operand::Time(t) => time_literal(t, self.now, self.dialect)?,
            Operand::Text(s) => self.dialect.literal(s),
            Operand::Field(j) => self.column(j),
            Operand::Parent { fk, field } => {
                let Strategy::ForeignKey { parent, .. } = info.fields.get(fk)?.spec.strategy else {
                    return None;
                };
                let pf = self.catalog.entities.get(parent)?.fields.get(field)?;
                format!("p{fk}.{}", self.dialect.ident(pf.name))
            }
        })
    }

    /// The column type of an operand; a time literal is a timestamp.
    fn operand_type(&self, rhs: Operand) -> Option<ColumnType> {
        let info = &self.catalog.entities[self.entity];
        match rhs {
            Operand::Time(_) => Some(ColumnType::Timestamp),
            Operand::Field(j) => Some(info.fields.get(j)?.spec.column),
            Operand::Parent { fk, field } => {
                let Strategy::ForeignKey { parent, .. } = info.fields.get(fk)?.spec.strategy else {
                    return None;
                };
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
                let time_sql = self.operand(c.rhs)?;
                self.date_against_time(self.column(field), c.rhs, time_sql)
            }
            (ColumnType::Timestamp, Some(ColumnType::Date)) => {
                let date = self.operand(c.rhs)?;
                (self.column(field), self.dialect.at_midnight_utc(&date))
            }
            _ => (self.column(field), self.operand(c.rhs)?),
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

pub(crate) fn parent_fks(rule: &Rule) -> BTreeSet<usize> {
    rule.any_of
        .iter()
        .flat_map(|all| all.iter())
        .filter_map(|c| match c.rhs {
            Operand::Parent { fk, .. } => Some(fk),
            _ => None,
        })
        .collect()
}
