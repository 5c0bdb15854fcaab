//! Dependency order: fields after the fields they read (templates, derived fields, rules),
//! entities after their parents; cycles are build errors. Then the [`Program`] is assembled.

use super::{EntityDraft, FieldDraft};
use crate::diag::Diagnostics;
use crate::ir::*;

fn field_deps(fd: &FieldDraft<'_>) -> Vec<usize> {
    let mut deps = Vec::new();
    match &fd.strategy {
        Some(Strategy::AddDuration { base, .. }) => deps.push(*base),
        Some(Strategy::Template { pieces: parts, .. }) => {
            for p in parts {
                if let Some(j) = p.field() {
                    deps.push(j);
                }
            }
        }
        Some(s) => {
            if let Some((reads, parent_reads)) = s.expression_reads() {
                deps.extend(reads);
                // A parent field is read at the parent row the foreign key drew.
                deps.extend(parent_reads.iter().map(|r| r.fk));
            }
        }
        None => {}
    }
    let cmps = fd
        .enforce
        .bounds
        .iter()
        .chain(fd.enforce.reject.iter().flatten().flatten());
    for c in cmps {
        match c.rhs {
            Operand::Field(j) => deps.push(j),
            Operand::Parent { fk, .. } => deps.push(fk),
            _ => {}
        }
    }
    deps.sort_unstable();
    deps.dedup();
    deps
}

/// Topological order, ties broken by index; Err(a node on a cycle) when there is one.
fn topo(n: usize, deps: &[Vec<usize>]) -> Result<Vec<usize>, usize> {
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while order.len() < n {
        let next = (0..n).find(|&i| !done[i] && deps[i].iter().all(|&j| done[j]));
        match next {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => return Err((0..n).find(|&i| !done[i]).unwrap()),
        }
    }
    Ok(order)
}

/// The program: fields in dependency order, entities parents first.
pub(super) fn build(
    entities: Vec<EntityDraft<'_>>,
    config_dir: &str,
    d: &mut Diagnostics,
) -> Option<Program> {
    // Fields: dependency order within each entity.
    let mut eval_orders = Vec::new();
    for ent in &entities {
        let deps: Vec<Vec<usize>> = ent.fields.iter().map(field_deps).collect();
        match topo(ent.fields.len(), &deps) {
            Ok(o) => eval_orders.push(o),
            Err(i) => {
                let fd = &ent.fields[i];
                d.error(fd.loc, format!("field `{}` depends on itself through other fields of `{}`", fd.name, ent.name))
                    .help("break the cycle: a template, derived field or rule may only use fields that do not use it");
                eval_orders.push(Vec::new());
            }
        }
    }
    // Entities: parents first.
    let parent_lists: Vec<Vec<usize>> = entities
        .iter()
        .map(|ent| {
            let mut ps: Vec<usize> = ent
                .fields
                .iter()
                .filter_map(|f| f.fk.map(|(p, _)| p))
                .chain(ent.fan_out.as_ref().map(|f| f.parent))
                .collect();
            ps.sort_unstable();
            ps.dedup();
            ps
        })
        .collect();
    let order = match topo(entities.len(), &parent_lists) {
        Ok(o) => o,
        Err(i) => {
            d.error(
                entities[i].name_loc,
                format!(
                    "entity `{}` is part of a cycle of foreign keys",
                    entities[i].name
                ),
            )
            .help("foreign keys must form a tree: a parent cannot reference its own descendants");
            return None;
        }
    };
    for (i, p) in parent_lists.iter().enumerate() {
        if p.contains(&i) {
            let f = entities[i]
                .fields
                .iter()
                .find(|f| f.fk.map(|x| x.0) == Some(i))
                .unwrap();
            d.error(
                f.loc,
                format!(
                    "`{}` references its own entity `{}`",
                    f.name, entities[i].name
                ),
            )
            .help("self-references are not supported yet; reference another entity");
        }
    }
    if d.has_errors() {
        return None;
    }
    let mut new_index = vec![0; entities.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut out = Vec::new();
    for &old in &order {
        let ent = &entities[old];
        let fields = ent
            .fields
            .iter()
            .map(|fd| {
                let mut strategy = fd.strategy.clone().unwrap();
                renumber_entities(&mut strategy, &new_index);
                Field {
                    name: fd.name.clone(),
                    ident: fd.ident.clone(),
                    key: perfgen_runtime::rng::name_key(&fd.name),
                    ty: fd.ty.unwrap(),
                    strategy,
                    strategy_name: fd.strategy_name.clone(),
                    enforce: fd.enforce.clone(),
                    rules: fd.records.clone(),
                    unique: fd.unique.is_some(),
                    null_rate: fd.null_rate,
                    nullable: fd.nullable,
                }
            })
            .collect();
        out.push(Entity {
            name: ent.name.clone(),
            type_name: ent.type_name.clone(),
            key: perfgen_runtime::rng::name_key(&ent.name),
            output_file: ent.output_display.clone(),
            target_count: ent.target_count,
            batch_size: ent.doc.batch_size.unwrap_or(0),
            generated_at: ent.seed.and_then(|s| s.generated_at),
            fields,
            eval_order: eval_orders[old].clone(),
            parents: parent_lists[old].iter().map(|&p| new_index[p]).collect(),
            fan_out: ent.fan_out.as_ref().map(|f| FanOut {
                parent: new_index[f.parent],
                count: f.count.clone(),
            }),
        });
    }
    Some(Program {
        entities: out,
        config_dir: config_dir.to_string(),
        default_seed: None,
    })
}

/// Entity positions inside a strategy, renumbered to the parents-first order.
fn renumber_entities(strategy: &mut Strategy, new_index: &[usize]) {
    match strategy {
        Strategy::ForeignKey { parent, .. } => *parent = new_index[*parent],
        Strategy::Expression {
            parent_reads, expr, ..
        } => {
            for r in parent_reads {
                r.entity = new_index[r.entity];
            }
            crate::strategy::aggregate::renumber(expr, new_index);
        }
        Strategy::Cases { parent_reads, .. } => {
            for r in parent_reads {
                r.entity = new_index[r.entity];
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topological_order_breaks_ties_by_index() {
        // 0 needs 2, 1 needs nothing, 2 needs 1.
        let deps = vec![vec![2], vec![], vec![1]];
        assert_eq!(topo(3, &deps), Ok(vec![1, 2, 0]));
        assert_eq!(topo(3, &[vec![], vec![], vec![]]), Ok(vec![0, 1, 2]));
    }

    #[test]
    fn a_cycle_names_a_node_on_it() {
        // 1 -> 2 -> 1; 0 is free.
        let deps = vec![vec![], vec![2], vec![1]];
        assert_eq!(topo(3, &deps), Err(1));
        assert_eq!(topo(1, &[vec![0]]), Err(0));
    }
}
