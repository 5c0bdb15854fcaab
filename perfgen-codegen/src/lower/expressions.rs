//! The column types of `expression` fields: each follows from the types of the fields it
//! reads, so expressions are typed in dependency order, after the fields with a type of
//! their own; expressions that read each other are a cycle, reported at each one's text.

use super::EntityDraft;
use crate::diag::Diagnostics;
use crate::strategy::{ChildScope, ParentScope, StrategyConfig};

/// Type every expression field whose inputs are typed (problems are reported when it is
/// lowered); with `report_cycles`, report the expressions that read each other. An
/// expression may read a parent's expression field: entities are typed again until nothing
/// changes.
pub(super) fn type_expressions(
    entities: &mut [EntityDraft<'_>],
    report_cycles: bool,
    d: &mut Diagnostics,
) {
    loop {
        let mut changed = false;
        for e in 0..entities.len() {
            let parents = super::parent_scopes(entities, e);
            let children = super::child_scopes(entities, e);
            changed |= type_entity(&mut entities[e], &parents, &children);
        }
        if !changed {
            break;
        }
    }
    if report_cycles {
        for e in 0..entities.len() {
            let parents = super::parent_scopes(entities, e);
            let children = super::child_scopes(entities, e);
            report_cycles_of(&entities[e], &parents, &children, d);
            report_aggregate_cycles(entities, e, &children, d);
        }
    }
}

/// Type the expression fields of one entity whose inputs are typed; whether any was.
fn type_entity(
    ent: &mut EntityDraft<'_>,
    parents: &[ParentScope],
    children: &[ChildScope],
) -> bool {
    let mut any = false;
    loop {
        let mut changed = false;
        for i in 0..ent.fields.len() {
            let Some(StrategyConfig::Expression(c)) = ent.fields[i].config else {
                continue;
            };
            if ent.fields[i].ty.is_some() {
                continue;
            }
            let sib = super::siblings(&ent.fields);
            let mut scratch = Diagnostics::default();
            let ty = c
                .resolve_with(&ent.fields[i].name, &sib, parents, children, &mut scratch)
                .map(|r| r.ty);
            if ty.is_some() {
                ent.fields[i].ty = ty;
                changed = true;
            }
        }
        if !changed {
            return any;
        }
        any = true;
    }
}

/// Each cycle of untyped expressions reading each other, once, at its first field.
fn report_cycles_of(
    ent: &EntityDraft<'_>,
    parents: &[ParentScope],
    children: &[ChildScope],
    d: &mut Diagnostics,
) {
    let sib = super::siblings(&ent.fields);
    // The untyped expression fields each untyped expression waits for.
    let waits: Vec<Vec<usize>> = ent
        .fields
        .iter()
        .map(|f| match f.config {
            Some(StrategyConfig::Expression(c)) if f.ty.is_none() => c
                .pending_on_with(&f.name, &sib, parents, children)
                .iter()
                .filter_map(|n| ent.fields.iter().position(|g| g.name == *n))
                .filter(|&j| matches!(ent.fields[j].config, Some(StrategyConfig::Expression(_))))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut reported = vec![false; ent.fields.len()];
    for start in 0..ent.fields.len() {
        // Follow first waits from `start` until a field repeats: that loop is a cycle.
        let mut path = vec![start];
        let cycle = loop {
            let last = *path.last().expect("path starts non-empty");
            let Some(&next) = waits[last].first() else {
                break None;
            };
            if let Some(k) = path.iter().position(|&x| x == next) {
                break Some(path[k..].to_vec());
            }
            path.push(next);
        };
        let Some(mut cycle) = cycle else { continue };
        if cycle.iter().any(|&x| reported[x]) {
            continue;
        }
        for &x in &cycle {
            reported[x] = true;
        }
        let first = *cycle.iter().min().expect("a cycle has a field");
        let at = cycle
            .iter()
            .position(|&x| x == first)
            .expect("first is on it");
        cycle.rotate_left(at);
        let names: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&first))
            .map(|&x| format!("`{}`", ent.fields[x].name))
            .collect();
        let f = &ent.fields[first];
        let Some(StrategyConfig::Expression(c)) = f.config else {
            continue;
        };
        let loc = match &c.expression {
            crate::strategy::params::Param::Given(t) => c.text_at.loc_of(&t.value, 0),
            _ => f.loc,
        };
        d.error(
            loc,
            format!(
                "the expressions of `{}` read each other: {}",
                ent.name,
                names.join(" -> ")
            ),
        )
        .help("break the cycle: an expression may only read fields that do not read it");
    }
}

/// An aggregate field that stays untyped because a child field it aggregates reads it back
/// (directly or through other child fields): `o_total = sum(lineitem, l_share)` with
/// `l_share = order.o_total / 2`. Reported at the aggregate's text.
fn report_aggregate_cycles(
    entities: &[EntityDraft<'_>],
    e: usize,
    children: &[ChildScope],
    d: &mut Diagnostics,
) {
    let ent = &entities[e];
    let sib = super::siblings(&ent.fields);
    let parents = super::parent_scopes(entities, e);
    for f in &ent.fields {
        let Some(StrategyConfig::Expression(c)) = f.config else {
            continue;
        };
        if f.ty.is_some() {
            continue;
        }
        for pending in c.pending_on_with(&f.name, &sib, &parents, children) {
            let Some((child_name, field)) = pending.split_once('.') else {
                continue;
            };
            let Some(cs) = children.iter().find(|cs| cs.entity_name == child_name) else {
                continue;
            };
            if !child_reads_back(entities, cs.entity, field, e, &f.name) {
                continue;
            }
            let loc = match &c.expression {
                crate::strategy::params::Param::Given(t) => c.text_at.loc_of(&t.value, 0),
                _ => f.loc,
            };
            d.error(
                loc,
                format!(
                    "`{}.{}` aggregates `{child_name}.{field}`, which reads `{}.{}` back",
                    ent.name, f.name, ent.name, f.name
                ),
            )
            .help("a child field an aggregate reads cannot read the aggregate's field (directly or through other fields): compute it from other fields");
            break;
        }
    }
}

/// Whether untyped field `field` of entity `child` reads field `target` of its parent
/// entity `parent`, directly or through other untyped fields of `child`.
fn child_reads_back(
    entities: &[EntityDraft<'_>],
    child: usize,
    field: &str,
    parent: usize,
    target: &str,
) -> bool {
    let ent = &entities[child];
    let sib = super::siblings(&ent.fields);
    let parents = super::parent_scopes(entities, child);
    let through_parent = parents.iter().any(|p| p.entity == parent);
    let mut stack = vec![field.to_string()];
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = stack.pop() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let Some(fd) = ent.fields.iter().find(|g| g.name == name) else {
            continue;
        };
        let Some(StrategyConfig::Expression(c)) = fd.config else {
            continue;
        };
        for p in c.pending_on(&name, &sib, &parents) {
            match p.split_once('.') {
                Some((_, f)) if through_parent && f == target => return true,
                Some(_) => {}
                None => stack.push(p),
            }
        }
    }
    false
}
