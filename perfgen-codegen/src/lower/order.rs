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

/// The foreign keys that close a cycle of entities through entity `start`, each reported at
/// its own line with the whole cycle (`Order.user_id -> User`, `User.last_order -> Order`).
fn report_entity_cycle(
    entities: &[EntityDraft<'_>],
    parent_lists: &[Vec<usize>],
    start: usize,
    d: &mut Diagnostics,
) {
    // A path from `start` back to itself (depth first over parents).
    fn walk(
        at: usize,
        start: usize,
        lists: &[Vec<usize>],
        seen: &mut Vec<bool>,
        path: &mut Vec<usize>,
    ) -> bool {
        for &p in &lists[at] {
            if p == start {
                return true;
            }
            if !seen[p] {
                seen[p] = true;
                path.push(p);
                if walk(p, start, lists, seen, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start];
    let mut seen = vec![false; entities.len()];
    if !walk(start, start, parent_lists, &mut seen, &mut path) {
        d.error(
            entities[start].name_loc,
            format!(
                "entity `{}` is part of a cycle of foreign keys",
                entities[start].name
            ),
        )
        .help("foreign keys must form a tree: a parent cannot reference its own descendants");
        return;
    }
    // Each step `a -> b`: the keys (or `children_of`) of `a` that reference `b`.
    let mut steps: Vec<(crate::diag::Loc, String)> = Vec::new();
    for (k, &a) in path.iter().enumerate() {
        let b = path[(k + 1) % path.len()];
        let ent = &entities[a];
        for f in ent
            .fields
            .iter()
            .filter(|f| f.fk.map(|(p, _)| p) == Some(b))
        {
            steps.push((
                f.loc,
                format!("`{}.{}` -> `{}`", ent.name, f.name, entities[b].name),
            ));
        }
        if ent.fan_out.as_ref().is_some_and(|fo| fo.parent == b) {
            let at = ent.doc.children_of.as_ref().map_or(ent.name_loc, |c| c.loc);
            steps.push((
                at,
                format!("`{}` children_of `{}`", ent.name, entities[b].name),
            ));
        }
    }
    let cycle: Vec<&str> = steps.iter().map(|(_, s)| s.as_str()).collect();
    let cycle = cycle.join(", ");
    for (loc, step) in &steps {
        d.error(*loc, format!("foreign key {step} closes a cycle: {cycle}"))
            .help("foreign keys must form a tree: drop one of these keys, or make the reference back a field computed from the row (a key to its own entity is a hierarchy)");
    }
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
        .enumerate()
        .map(|(i, ent)| {
            let mut ps: Vec<usize> = ent
                .fields
                .iter()
                .filter_map(|f| f.fk.map(|(p, _)| p))
                .chain(ent.fan_out.as_ref().map(|f| f.parent))
                // A hierarchy references earlier rows of its own entity: no order between
                // entities (its key field is checked by `check_self_references`).
                .filter(|&p| p != i)
                .collect();
            ps.sort_unstable();
            ps.dedup();
            ps
        })
        .collect();
    let order = match topo(entities.len(), &parent_lists) {
        Ok(o) => o,
        Err(i) => {
            report_entity_cycle(&entities, &parent_lists, i, d);
            return None;
        }
    };
    for (i, ent) in entities.iter().enumerate() {
        check_self_references(ent, i, d);
    }
    let unique_together: Vec<Vec<Vec<usize>>> = entities
        .iter()
        .map(|ent| super::unique::unique_together(ent, d))
        .collect();
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
            unique_together: unique_together[old].clone(),
        });
    }
    Some(Program {
        entities: out,
        config_dir: config_dir.to_string(),
        default_seed: None,
    })
}

/// A foreign key to its own entity (entity `i`) reads the key field at an earlier row through
/// its `*_at` function: the key must be another field that does not itself depend on the
/// foreign key, or computing it would never end.
fn check_self_references(ent: &EntityDraft<'_>, i: usize, d: &mut Diagnostics) {
    let deps: Vec<Vec<usize>> = ent.fields.iter().map(field_deps).collect();
    for (f, fd) in ent.fields.iter().enumerate() {
        let Some((p, key)) = fd.fk else { continue };
        if p != i {
            continue;
        }
        // Every field the key is computed from, the key included.
        let mut seen = vec![false; ent.fields.len()];
        let mut stack = vec![key];
        while let Some(j) = stack.pop() {
            if !std::mem::replace(&mut seen[j], true) {
                stack.extend(deps[j].iter().copied());
            }
        }
        if seen[f] {
            let kf = &ent.fields[key];
            d.error(
                fd.loc,
                format!(
                    "`{}` references `{}.{}`, which is computed from `{}` itself",
                    fd.name, ent.name, kf.name, fd.name
                ),
            )
            .help("a hierarchy references another key field of the entity (e.g. a `sequence` id) that does not read the foreign key");
        }
    }
}

/// Entity positions inside a strategy, renumbered to the parents-first order.
fn renumber_entities(strategy: &mut Strategy, new_index: &[usize]) {
    match strategy {
        Strategy::ForeignKey { parent, .. } => *parent = new_index[*parent],
        Strategy::Expression {
            parent_reads, expr, ..
        } => {
            for r in parent_reads {
                renumber_read(r, new_index);
            }
            crate::strategy::aggregate::renumber(expr, new_index);
        }
        Strategy::Cases { parent_reads, .. } => {
            for r in parent_reads {
                renumber_read(r, new_index);
            }
        }
        _ => {}
    }
}

fn renumber_read(r: &mut crate::ir::ParentRead, new_index: &[usize]) {
    r.entity = new_index[r.entity];
    for h in &mut r.via {
        h.entity = new_index[h.entity];
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
