//! Foreign keys resolved to their parent entity and field, and column types carried from
//! parent to child.

use super::entities::{display_path, find_entity};
use super::EntityDraft;
use crate::config::join_normalized;
use crate::diag::{suggest, Diagnostics};
use crate::ir::ForeignKeyDistribution;
use crate::strategy::foreign_key::ForeignKeyConfig;
use crate::strategy::StrategyConfig;
use std::path::Path;

/// Resolve each foreign key to (entity, field), by `reference_entity`, else by
/// `reference_file` (another config's `output_file`).
pub(super) fn resolve_foreign_keys(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    for e in 0..entities.len() {
        for f in 0..entities[e].fields.len() {
            let Some(StrategyConfig::ForeignKey(fk)) = entities[e].fields[f].config else {
                continue;
            };
            let Some(parent) = find_parent(entities, e, f, fk, d) else {
                continue;
            };
            let field_name = fk.reference_field(d);
            let Some(pf) = entities[parent]
                .fields
                .iter()
                .position(|x| x.name == field_name.value)
            else {
                let names: Vec<&str> = entities[parent]
                    .fields
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect();
                d.error(
                    field_name.loc,
                    format!(
                        "entity `{}` has no field `{}`",
                        entities[parent].name, field_name.value
                    ),
                )
                .help(suggest(&field_name.value, &names));
                continue;
            };
            let distribution = if entities[e].fan_out.as_ref().map(|x| x.parent) == Some(parent) {
                fan_out_key(fk, &entities[e].name, &entities[parent].name, d)
            } else if parent == e {
                fk.self_reference(&entities[e].name, d)
            } else {
                fk.distribution(d)
            };
            if distribution == ForeignKeyDistribution::Distinct {
                distinct_allowed(&entities[e], f, fk, d);
            }
            let fd = &mut entities[e].fields[f];
            fd.fk = Some((parent, pf));
            fd.fk_distribution = Some(distribution);
        }
        composite_keys(&mut entities[e], d);
    }
}

/// `distribution: distinct` keeps the children of one fan-out parent apart, so it needs a
/// `children_of`, and no filter (a redraw would break the permutation).
fn distinct_allowed(ent: &EntityDraft<'_>, f: usize, fk: &ForeignKeyConfig, d: &mut Diagnostics) {
    let at = fk.distribution.get(d).map_or(fk.loc, |x| x.loc);
    let name = &ent.fields[f].name;
    if ent.fan_out.is_none() {
        d.error(at, format!("`{name}` is `distinct`, but `{}` has no `children_of`", ent.name))
            .help("`distinct` keeps the keys of one parent's children apart (a join table keyed by both parents): declare `children_of: {entity: ..., count: ...}`, or use `uniform`");
    }
    if let Some(flt) = fk.filter.get(d) {
        d.error(flt.loc, format!("`{name}` is `distinct` and takes no `filter`"))
            .help("a distinct key walks a permutation of all parent rows; remove `filter` or use `uniform`");
    }
}

/// Foreign keys with `same_parent_as`: each reads the parent row of the key it names (the
/// first of a composite foreign key), so it has no law, filter or NULLs of its own.
fn composite_keys(ent: &mut EntityDraft<'_>, d: &mut Diagnostics) {
    for f in 0..ent.fields.len() {
        let Some(StrategyConfig::ForeignKey(fk)) = ent.fields[f].config else {
            continue;
        };
        let Some(leader_name) = fk.same_parent_as.get(d) else {
            continue;
        };
        let at = leader_name.loc;
        let name = ent.fields[f].name.clone();
        let Some((parent, _)) = ent.fields[f].fk else {
            continue; // its own reference is reported already
        };
        let Some(leader) = ent.fields.iter().position(|x| x.name == leader_name.value) else {
            let names: Vec<&str> = ent.fields.iter().map(|x| x.name.as_str()).collect();
            d.error(
                at,
                format!(
                    "`same_parent_as: {}`: `{}` has no field `{}`",
                    leader_name.value, ent.name, leader_name.value
                ),
            )
            .help(suggest(&leader_name.value, &names));
            continue;
        };
        let leader_fd = &ent.fields[leader];
        let problem = if leader == f {
            Some(format!("`{name}` names itself in `same_parent_as`"))
        } else if leader_fd.fk.map(|(p, _)| p) != Some(parent) {
            Some(match leader_fd.fk {
                None => format!("`same_parent_as: {}`: `{}` is not a foreign key", leader_fd.name, leader_fd.name),
                Some(_) => format!("`{name}` and `{}` reference different entities: they cannot share a parent row", leader_fd.name),
            })
        } else if matches!(
            leader_fd.fk_distribution,
            Some(ForeignKeyDistribution::SelfReference { .. })
        ) {
            Some(format!(
                "`{}` is a hierarchy's key (to its own entity): it cannot lead a composite key",
                leader_fd.name
            ))
        } else if matches!(
            leader_fd.config,
            Some(StrategyConfig::ForeignKey(l)) if !matches!(l.same_parent_as, crate::strategy::params::Param::Absent)
        ) {
            Some(format!(
                "`{}` has a `same_parent_as` of its own: name the composite key's first member",
                leader_fd.name
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            d.error(at, message).help(
                "`same_parent_as` names another foreign key of this entity to the same parent entity, the first of the composite key: it draws the parent row, the others read their columns of that row",
            );
            continue;
        }
        let written = [
            ("distribution", fk.distribution.get(d).map(|x| x.loc)),
            ("filter", fk.filter.get(d).map(|x| x.loc)),
            ("max_depth", fk.max_depth.get(d).map(|x| x.loc)),
        ];
        for (param, loc) in written {
            if let Some(loc) = loc {
                d.error(loc, format!("`{name}` reads the parent row of `{}` (`same_parent_as`) and takes no `{param}`", leader_fd.name))
                    .help(format!("put `{param}` on `{}`, the composite key's first member: it draws the row for all of them", leader_fd.name));
            }
        }
        if ent.fields[f].null_rate > 0.0 {
            d.error(at, format!("`{name}` reads the parent row of `{}` (`same_parent_as`) and takes no `null_rate`", leader_fd.name))
                .help(format!("put `null_rate` on `{}`: the whole composite key is NULL where it is", leader_fd.name));
        }
        ent.fields[f].fk_distribution =
            Some(ForeignKeyDistribution::SameParentAs { field: leader });
    }
}

/// A foreign key to the parent of its entity's `children_of`: assigned from the row's
/// parent, so a `distribution` is a mistake.
fn fan_out_key(
    fk: &ForeignKeyConfig,
    child: &str,
    parent: &str,
    d: &mut Diagnostics,
) -> ForeignKeyDistribution {
    if let Some(written) = fk.distribution.get(d) {
        d.error(
            written.loc,
            format!("a foreign key of `{child}` to `{parent}` takes no `distribution`"),
        )
        .help(format!(
            "`{child}` is `children_of` `{parent}`: each row references the parent it belongs to; remove `distribution`"
        ));
    }
    ForeignKeyDistribution::FanOut
}

/// The parent entity of foreign key `f` of entity `e`; `None` after reporting why not.
fn find_parent(
    entities: &[EntityDraft<'_>],
    e: usize,
    f: usize,
    fk: &ForeignKeyConfig,
    d: &mut Diagnostics,
) -> Option<usize> {
    // A `reference_entity` that is not a value falls back to `reference_file`.
    if let Some(r) = fk.reference_entity.get(d) {
        let found = find_entity(entities, &r.value);
        if found.is_none() {
            let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
            d.error(r.loc, format!("unknown entity `{}`", r.value))
                .help(suggest(&r.value, &names));
        }
        return found;
    }
    let Some(r) = fk.reference_file.get(d) else {
        d.error(
            fk.loc,
            format!(
                "foreign key `{}` names no parent",
                entities[e].fields[f].name
            ),
        )
        .help("add `reference_entity: Name` or `reference_file: ../output/name_bulk.csv`");
        return None;
    };
    let dir = entities[e].doc.path.parent().unwrap_or(Path::new("."));
    let want = join_normalized(dir, &r.value);
    let by_path = entities
        .iter()
        .position(|x| x.output_path.as_deref() == Some(want.as_path()));
    let by_name = || {
        let want_name = want.file_name()?;
        let hits: Vec<usize> = (0..entities.len())
            .filter(|&i| {
                entities[i].output_path.as_ref().and_then(|p| p.file_name()) == Some(want_name)
            })
            .collect();
        (hits.len() == 1).then(|| hits[0])
    };
    let found = by_path.or_else(by_name);
    if found.is_none() {
        let files: Vec<String> = entities.iter().map(|x| x.output_display.clone()).collect();
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        d.error(r.loc, format!("no entity writes `{}`", r.value))
            .help(format!(
            "`reference_file` must be another config's `output_file` (relative to this config); {}",
            suggest(&display_path(&want, Path::new("")), &refs)
        ));
    }
    found
}

/// Give each foreign key its parent field's type (through chains of foreign keys); a key
/// whose chain never ends at a field with its own strategy is part of a cycle.
pub(super) fn propagate_types(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    // A chain longer than the number of fields is a cycle.
    let total: usize = entities.iter().map(|e| e.fields.len()).sum();
    for _ in 0..=total {
        let mut changed = false;
        for e in 0..entities.len() {
            for f in 0..entities[e].fields.len() {
                if entities[e].fields[f].ty.is_none() {
                    if let Some((pe, pf)) = entities[e].fields[f].fk {
                        if let Some(t) = entities[pe].fields[pf].ty {
                            entities[e].fields[f].ty = Some(t);
                            changed = true;
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    for e in entities.iter() {
        for f in &e.fields {
            if f.ty.is_none() && f.fk.is_some() {
                d.error(
                    f.loc,
                    format!(
                        "foreign key `{}` is part of a cycle of foreign keys",
                        f.name
                    ),
                )
                .help("a foreign key must end at a field with its own strategy");
            }
        }
    }
}

/// A `derive_from_field` on a date field is a date (through chains of derived fields);
/// [`crate::strategy::duration`] checks that its durations are whole days.
pub(super) fn derived_dates(entities: &mut [EntityDraft<'_>]) {
    for ent in entities.iter_mut() {
        for _ in 0..ent.fields.len() {
            let mut changed = false;
            for f in 0..ent.fields.len() {
                let Some(StrategyConfig::DeriveFromField(c)) = ent.fields[f].config else {
                    continue;
                };
                let crate::strategy::params::Param::Given(base) = &c.base_field else {
                    continue;
                };
                let base_is_date = ent
                    .fields
                    .iter()
                    .any(|b| b.name == base.value && b.ty == Some(crate::ir::Ty::Date));
                if base_is_date && ent.fields[f].ty != Some(crate::ir::Ty::Date) {
                    ent.fields[f].ty = Some(crate::ir::Ty::Date);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}
