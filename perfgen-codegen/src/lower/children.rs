//! `children_of` resolved: the parent entity found, no entity the child of itself (directly
//! or through other `children_of`), and each child's build-time row count bounded by its
//! parent's count times the most children a parent can have.

use super::entities::find_entity;
use super::{EntityDraft, FanOutDraft};
use crate::diag::{suggest, Diagnostics};
use crate::strategy::StrategyConfig;

/// Resolve every `children_of`, then bound the children's counts (parents first).
pub(super) fn resolve(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    for e in 0..entities.len() {
        let Some(c) = &entities[e].doc.children_of else {
            continue;
        };
        let (Some(name), Some(count)) = (&c.entity, &c.count) else {
            continue;
        };
        let Some(parent) = find_entity(entities, &name.value) else {
            let names: Vec<&str> = entities.iter().map(|x| x.name.as_str()).collect();
            d.error(
                name.loc,
                format!("`children_of` names an unknown entity `{}`", name.value),
            )
            .help(suggest(&name.value, &names));
            continue;
        };
        if parent == e {
            d.error(
                name.loc,
                format!("entity `{}` cannot be `children_of` itself", entities[e].name),
            )
            .help("the parent must be another entity; hierarchies within one entity are not supported yet");
            continue;
        }
        entities[e].fan_out = Some(FanOutDraft {
            parent,
            count: count.value.clone(),
        });
    }
    report_cycles(entities, d);
    bound_counts(entities);
    report_positions_without_parent(entities, d);
}

/// An entity whose chain of `children_of` comes back to it.
fn report_cycles(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    let n = entities.len();
    let mut on_cycle = vec![false; n];
    for start in 0..n {
        let mut chain = vec![start];
        let mut at = start;
        while let Some(f) = &entities[at].fan_out {
            at = f.parent;
            if at == start {
                for &i in &chain {
                    on_cycle[i] = true;
                }
                let names: Vec<&str> = chain
                    .iter()
                    .chain([&start])
                    .map(|&i| entities[i].name.as_str())
                    .collect();
                let loc = entities[start]
                    .doc
                    .children_of
                    .as_ref()
                    .and_then(|c| c.entity.as_ref())
                    .map_or(entities[start].name_loc, |x| x.loc);
                d.error(
                    loc,
                    format!("`children_of` forms a cycle: {}", names.join(" -> ")),
                )
                .help("a parent's rows must exist before its children's: make one of these entities a root with `target_count`");
                break;
            }
            if chain.contains(&at) || chain.len() > n {
                break;
            }
            chain.push(at);
        }
    }
    for (e, cyc) in entities.iter_mut().zip(on_cycle) {
        if cyc {
            e.fan_out = None;
        }
    }
}

/// Each child's `target_count`: an upper bound (the parent's bound times the most children
/// per parent), so what is proven at build time (`unique`) holds for every run.
fn bound_counts(entities: &mut [EntityDraft<'_>]) {
    for _ in 0..entities.len() {
        for e in 0..entities.len() {
            if let Some(f) = &entities[e].fan_out {
                let bound = entities[f.parent]
                    .target_count
                    .saturating_mul(f.count.max());
                entities[e].target_count = bound;
            }
        }
    }
}

/// `position` in an entity that is not `children_of` another.
fn report_positions_without_parent(entities: &[EntityDraft<'_>], d: &mut Diagnostics) {
    for e in entities {
        if e.fan_out.is_some() || e.doc.children_of.is_some() {
            continue;
        }
        for f in &e.fields {
            if matches!(f.config, Some(StrategyConfig::Position(_))) {
                d.error(
                    f.strategy_loc,
                    format!("`{}` is a `position`, but `{}` has no `children_of`", f.name, e.name),
                )
                .help("add `children_of: {entity: Parent, count: ...}` to the config, or use `sequence` for a row number");
            }
        }
    }
}

/// A `children_of` entity without a foreign key to its parent: its rows cannot be told
/// apart per parent in the file (nor checked by `verify`).
pub(super) fn warn_unkeyed(entities: &[EntityDraft<'_>], d: &mut Diagnostics) {
    for e in entities {
        let Some(f) = &e.fan_out else { continue };
        if e.fields.iter().any(|x| x.fk.map(|k| k.0) == Some(f.parent)) {
            continue;
        }
        let parent = &entities[f.parent].name;
        let loc = e
            .doc
            .children_of
            .as_ref()
            .and_then(|c| c.entity.as_ref())
            .map_or(e.name_loc, |x| x.loc);
        d.warning(
            loc,
            format!("`{}` is `children_of` `{parent}` but has no foreign key to it", e.name),
        )
        .help(format!(
            "add a field with `strategy: foreign_key_reference` and `reference_entity: {parent}`, so each row names its parent"
        ));
    }
}
