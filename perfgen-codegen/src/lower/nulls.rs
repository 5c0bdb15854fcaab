//! NULLs: which fields may be NULL (their own `null_rate`, or a field their value is computed
//! from: NULL in, NULL out, as in SQL), and the references that must never meet a NULL (a
//! foreign key's parent field, a parent's field a rule compares with).

use super::EntityDraft;
use crate::diag::Diagnostics;
use crate::ir::*;

/// Mark every field that may be NULL, then report references to them that cannot be NULL.
pub(super) fn nulls(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    for ent in entities.iter_mut() {
        for f in ent.fields.iter_mut() {
            f.nullable = f.null_rate > 0.0;
        }
        // Inputs come before their users in evaluation order, which is not known yet: repeat
        // until nothing changes (at most one pass per field; cycles are reported elsewhere).
        for _ in 0..ent.fields.len() {
            let mut changed = false;
            for j in 0..ent.fields.len() {
                let Some(s) = &ent.fields[j].strategy else {
                    continue;
                };
                let from_null = s
                    .value_inputs()
                    .iter()
                    .any(|&k| ent.fields.get(k).is_some_and(|g| g.nullable));
                if from_null && !ent.fields[j].nullable {
                    ent.fields[j].nullable = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            let fd = &entities[e].fields[f];
            // An expression over a NULL is NULL (NULL in, NULL out, as a template): one that
            // calls `coalesce` would expect to see the NULL, and a `cases` condition over a
            // NULL would pick the `else` branch in SQL; neither is compiled that way yet.
            let reads: &[usize] = match &fd.strategy {
                Some(Strategy::Expression { expr, reads, .. })
                    if crate::strategy::expression::uses_coalesce(expr) =>
                {
                    reads
                }
                Some(Strategy::Cases { reads, .. }) => reads,
                _ => &[],
            };
            if let Some(g) = reads
                .iter()
                .filter_map(|&k| entities[e].fields.get(k))
                .find(|g| g.nullable)
            {
                d.error(
                    fd.loc,
                    format!("`{}` is computed from `{}`, which may be NULL", fd.name, g.name),
                )
                .help("`coalesce` and `cases` cannot see a NULL input yet (an expression over a NULL is NULL): drop that field's `null_rate`, or read a field that is never NULL");
            }
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
                let Operand::Parent { fk, field } = c.rhs else {
                    continue;
                };
                let Some(Strategy::ForeignKey { parent, .. }) = &entities[e].fields[fk].strategy
                else {
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
