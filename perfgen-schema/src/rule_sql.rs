//! Rules as SQL boolean expressions, for a CHECK or a query that counts the rows breaking them.

use crate::columns::{number_literal, time_literal};
use crate::names::{quote_ident, quote_literal};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::spec::{CmpOp, ColumnType, Comparison, Operand, Rule, Strategy};
use perfgen_runtime::time::Timestamp;
use std::collections::BTreeSet;

/// Renders rules as SQL boolean expressions.
pub(crate) struct RuleSql<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) entity: usize,
    /// `now` for this entity.
    pub(crate) now: Option<Timestamp>,
    /// Prefix of this row's columns (`c.` in queries, empty in CHECKs).
    pub(crate) row: &'a str,
}

impl RuleSql<'_> {
    fn column(&self, field: usize) -> String {
        format!(
            "{}{}",
            self.row,
            quote_ident(self.catalog.entities[self.entity].fields[field].name)
        )
    }

    fn operand(&self, rhs: Operand) -> Option<String> {
        let info = &self.catalog.entities[self.entity];
        Some(match rhs {
            Operand::Number(x) => number_literal(x),
            Operand::Time(t) => time_literal(t, self.now)?,
            Operand::Text(s) => quote_literal(s),
            Operand::Field(j) => self.column(j),
            Operand::Parent { fk, field } => {
                let Strategy::ForeignKey { parent, .. } = info.fields.get(fk)?.spec.strategy else {
                    return None;
                };
                let pf = self.catalog.entities.get(parent)?.fields.get(field)?;
                format!("p{fk}.{}", quote_ident(pf.name))
            }
        })
    }

    fn comparison(&self, field: usize, c: &Comparison) -> Option<String> {
        let mut lhs = self.column(field);
        let mut rhs = self.operand(c.rhs)?;
        let ordering = !matches!(c.op, CmpOp::Eq | CmpOp::Ne);
        let text = self.catalog.entities[self.entity].fields[field].spec.column == ColumnType::Text;
        if ordering && text {
            // The generator compares bytes; so does the "C" collation.
            lhs = format!("({lhs} COLLATE \"C\")");
            rhs = format!("({rhs} COLLATE \"C\")");
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
