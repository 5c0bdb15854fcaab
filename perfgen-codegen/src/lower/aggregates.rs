//! Aggregates that would compute themselves: a parent field aggregating child fields that
//! read it back through a rule, a foreign key or a parent field (`l_ship >= order.o_last`
//! with `o_last = max(lineitem, l_ship)`), directly or through other fields. An expression
//! cycle is found when expressions are typed (`expressions`); this finds the others, once
//! every strategy and rule is resolved, before emission would recurse forever.

use super::EntityDraft;
use crate::diag::Diagnostics;
use crate::ir::{Operand, Strategy};

/// Report each aggregate field that some field it aggregates reads back.
pub(super) fn check_read_back(entities: &[EntityDraft<'_>], d: &mut Diagnostics) {
    for (p, ent) in entities.iter().enumerate() {
        for (f, fd) in ent.fields.iter().enumerate() {
            let Some(Strategy::Expression { expr, .. }) = &fd.strategy else {
                continue;
            };
            let mut reads = Vec::new();
            crate::strategy::aggregate::child_reads(expr, &mut reads);
            let starts: Vec<(usize, usize)> = reads
                .iter()
                .flat_map(|(c, names)| {
                    names.iter().filter_map(move |n| {
                        let j = entities[*c].fields.iter().position(|g| &g.name == n)?;
                        Some((*c, j))
                    })
                })
                .collect();
            if let Some((c, j)) = starts.iter().find(|&&s| reaches(entities, s, (p, f))) {
                let child = &entities[*c];
                d.error(
                    fd.loc,
                    format!(
                        "`{}.{}` aggregates `{}.{}`, which reads `{}.{}` back",
                        ent.name, fd.name, child.name, child.fields[*j].name, ent.name, fd.name
                    ),
                )
                .help("a child field an aggregate reads cannot read the aggregate's field (through a rule, a foreign key or other fields): compute it from other fields");
            }
        }
    }
}

/// Whether field `from` (entity, field) reads field `target`, transitively.
fn reaches(entities: &[EntityDraft<'_>], from: (usize, usize), target: (usize, usize)) -> bool {
    let mut stack = vec![from];
    let mut seen = Vec::new();
    while let Some(node) = stack.pop() {
        if node == target {
            return true;
        }
        if seen.contains(&node) {
            continue;
        }
        seen.push(node);
        stack.extend(reads_of(entities, node));
    }
    false
}

/// The fields field `(e, j)` reads: same-row inputs, rule operands, its foreign key's
/// parent field, parent fields, and the child fields its aggregates read.
fn reads_of(entities: &[EntityDraft<'_>], (e, j): (usize, usize)) -> Vec<(usize, usize)> {
    let fd = &entities[e].fields[j];
    let mut out = Vec::new();
    if let Some((p, pf)) = fd.fk {
        out.push((p, pf));
    }
    if let Some(s) = &fd.strategy {
        out.extend(s.value_inputs().into_iter().map(|k| (e, k)));
        if let Some((reads, parent_reads)) = s.expression_reads() {
            out.extend(reads.iter().map(|&k| (e, k)));
            out.extend(parent_reads.iter().map(|r| (r.entity, r.field)));
            // A read through several parents also reads each foreign key on the way.
            out.extend(
                parent_reads
                    .iter()
                    .flat_map(|r| r.via.iter().map(|h| (h.entity, h.fk))),
            );
        }
        if let Strategy::Expression { expr, .. } = s {
            let mut agg = Vec::new();
            crate::strategy::aggregate::child_reads(expr, &mut agg);
            for (c, names) in agg {
                for n in names {
                    if let Some(k) = entities[c].fields.iter().position(|g| g.name == n) {
                        out.push((c, k));
                    }
                }
            }
        }
    }
    let cmps = fd
        .enforce
        .bounds
        .iter()
        .chain(fd.enforce.reject.iter().flatten().flatten());
    for c in cmps {
        match c.rhs {
            Operand::Field(k) => out.push((e, k)),
            Operand::Parent { fk, ref via, field } => {
                if let Some(p) = super::reached_through(entities, e, fk, via) {
                    out.push((p, field));
                }
                // Each foreign key on the way is read too.
                let mut at = entities[e].fields[fk].fk.map(|(p, _)| p);
                for &f in via {
                    let Some(a) = at else { break };
                    out.push((a, f));
                    at = entities[a].fields[f].fk.map(|(p, _)| p);
                }
            }
            _ => {}
        }
    }
    out
}
