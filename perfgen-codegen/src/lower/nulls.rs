//! NULLs: which fields may be NULL (their own `null_rate`; a template or derived field whose
//! input may be NULL: NULL in, NULL out, as in SQL; an expression whose result may be NULL,
//! typed with the NULLs of the fields it reads, so `coalesce`, `if`/`case` and three-valued
//! logic see them), and the references that must never meet a NULL (a foreign key's parent
//! field, a parent's field a rule compares with).

use super::{EntityDraft, FieldDraft};
use crate::diag::Diagnostics;
use crate::ir::*;
use crate::strategy::{ChildScope, ParentScope, StrategyConfig};

/// Which fields may be NULL; expressions and `cases` conditions are typed again with the
/// NULLs of what they read (a parent's fields included). Nullability only grows from one
/// pass to the next (a NULL input never makes a result less nullable), so repeating until
/// nothing changes ends within one pass per field.
fn settle_nullable(entities: &mut [EntityDraft<'_>]) {
    for f in entities.iter_mut().flat_map(|e| e.fields.iter_mut()) {
        // A hierarchy's roots (row 0 at least) have no parent.
        let roots = matches!(
            f.fk_distribution,
            Some(ForeignKeyDistribution::SelfReference { .. })
        );
        f.nullable = f.null_rate > 0.0 || roots;
    }
    loop {
        let mut changed = false;
        for e in 0..entities.len() {
            let parents = super::parent_scopes(entities, e);
            let children = super::child_scopes(entities, e);
            let fields = &mut entities[e].fields;
            for j in 0..fields.len() {
                if !fields[j].nullable && may_compute_null(fields, &parents, &children, j) {
                    fields[j].nullable = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for e in 0..entities.len() {
        let parents = super::parent_scopes(entities, e);
        let children = super::child_scopes(entities, e);
        for j in 0..entities[e].fields.len() {
            retype_null_aware(&mut entities[e].fields, &parents, &children, j);
        }
    }
}

/// Whether field `j` may be NULL because of what it is computed from.
fn may_compute_null(
    fields: &[FieldDraft<'_>],
    parents: &[ParentScope],
    children: &[ChildScope],
    j: usize,
) -> bool {
    let Some(s) = &fields[j].strategy else {
        return false;
    };
    match (s, fields[j].config) {
        (Strategy::Expression { .. }, Some(StrategyConfig::Expression(c))) => {
            let sib = super::siblings(fields);
            let mut scratch = Diagnostics::default();
            c.resolve_with(&fields[j].name, &sib, parents, children, &mut scratch)
                .is_some_and(|r| r.expr.ty.nullable)
        }
        // A NULL condition does not hold (the next arm is tried); branches draw.
        (Strategy::Cases { .. }, _) => false,
        _ => s
            .value_inputs()
            .iter()
            .any(|&k| fields.get(k).is_some_and(|g| g.nullable)),
    }
}

/// The expression or `cases` conditions of field `j`, typed again with the settled NULLs of
/// the fields they read (the first typing saw none), so the emitted code passes those
/// fields as `Option`s and the result's type says whether it may be NULL.
fn retype_null_aware(
    fields: &mut [FieldDraft<'_>],
    parents: &[ParentScope],
    children: &[ChildScope],
    j: usize,
) {
    let parent_null = |r: &ParentRead| {
        parents
            .iter()
            .find(|p| p.fk == r.fk)
            .and_then(|p| p.end_of(&r.via))
            .is_some_and(|p| p.fields[r.field].2)
    };
    let reads_null = |reads: &[usize], parent_reads: &[ParentRead]| {
        reads.iter().any(|&k| fields[k].nullable) || parent_reads.iter().any(parent_null)
    };
    let sib = super::siblings(fields);
    let mut scratch = Diagnostics::default();
    let retyped = match (&fields[j].strategy, fields[j].config) {
        (
            Some(Strategy::Expression {
                reads,
                parent_reads,
                ..
            }),
            Some(StrategyConfig::Expression(c)),
            // An aggregate reads its children's settled NULLs: typed again when there are any.
        ) if reads_null(reads, parent_reads) || !children.is_empty() => c
            .resolve_with(&fields[j].name, &sib, parents, children, &mut scratch)
            .map(|r| vec![r.expr]),
        (
            Some(Strategy::Cases {
                reads,
                parent_reads,
                ..
            }),
            Some(StrategyConfig::Cases(c)),
        ) if reads_null(reads, parent_reads) => {
            c.conditions(&fields[j].name, &sib, parents, &mut scratch)
        }
        _ => None,
    };
    drop(sib);
    let Some(retyped) = retyped else { return };
    match &mut fields[j].strategy {
        Some(Strategy::Expression { expr, .. }) => {
            *expr = retyped.into_iter().next().expect("one expression");
        }
        Some(Strategy::Cases { arms, .. }) => {
            for ((cond, _), new) in arms.iter_mut().zip(retyped) {
                *cond = new;
            }
        }
        _ => {}
    }
}

/// Mark every field that may be NULL, then report references to them that cannot be NULL.
pub(super) fn nulls(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    settle_nullable(entities);
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            let fd = &entities[e].fields[f];
            if let Some(Strategy::ForeignKey {
                parent,
                parent_field,
                ..
            }) = &fd.strategy
            {
                let pf = &entities[*parent].fields[*parent_field];
                if pf.nullable {
                    d.error(
                        fd.loc,
                        format!(
                            "foreign key `{}` references `{}.{}`, which may be NULL",
                            fd.name, entities[*parent].name, pf.name
                        ),
                        )
                        .help("a referenced field is never NULL: drop its `null_rate` (for an optional parent, put `null_rate` on the foreign key)");
                }
            }
            for c in fd.records.iter().flat_map(|r| r.any_of.iter().flatten()) {
                let Operand::Parent { fk, ref via, field } = c.rhs else {
                    continue;
                };
                let Some(parent) = &super::reached_through(entities, e, fk, via) else {
                    continue;
                };
                let pf = &entities[*parent].fields[field];
                if pf.nullable {
                    d.error(
                        fd.loc,
                        format!(
                            "a rule on `{}` compares with `{}.{}`, which may be NULL",
                            fd.name, entities[*parent].name, pf.name
                        ),
                    )
                    .help("compare with a parent field that is never NULL, or drop that field's `null_rate`");
                }
            }
        }
    }
}
