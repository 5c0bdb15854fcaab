//! The YAML front end's documents for one struct, and the shared checks run on them: a
//! [`ConfigDoc`] whose field bodies are the strategy mappings, a [`SeedDoc`] holding the
//! `pool = [...]` values, and one empty [`ConfigDoc`] per parent type. Every diagnostic of
//! the checks is reported at the attribute tokens its [`Loc`](crate::diag::Loc) stands for.

use super::errors::{render, Errors, SpanTable};
use super::parents::Parent;
use super::EntityAttrs;
use crate::config::{ConfigDoc, FieldSpec};
use crate::diag::Spanned;
use crate::diag::{Diagnostics, Severity};
use crate::ir::Program;
use crate::lower::{self, External};
use crate::seed::SeedDoc;
use crate::strategy::seed_group;
use crate::yaml::{Yaml, YamlKind};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Runs every check of the YAML front end on the struct's documents: the program, or (when
/// the checks found errors) nothing, with the errors in `errors` at the attribute tokens.
pub(super) fn lower(
    entity: &EntityAttrs<'_>,
    spans: &SpanTable,
    errors: &mut Errors,
) -> Option<Program> {
    let config = config_doc(entity);
    let mut seed = seed_doc(entity);
    group_records(entity, &mut seed, errors);
    let parent_docs: Vec<ConfigDoc> = entity.parents.iter().map(parent_doc).collect();
    let externals: Vec<External<'_>> = entity
        .parents
        .iter()
        .zip(&parent_docs)
        .map(|(p, config)| External {
            config,
            fields: p.fields.clone(),
        })
        .collect();
    let mut d = Diagnostics::default();
    let docs = [lower::Doc {
        config: &config,
        seed: Some(&seed),
    }];
    let program = lower::lower_with(
        &docs,
        &externals,
        std::path::Path::new(""),
        "derive",
        &mut d,
    );
    let diagnostics = d.into_sorted();
    let covered = std::mem::take(&mut errors.covered);
    for diag in diagnostics
        .iter()
        .filter(|x| x.severity == Severity::Error && !covered.contains(&x.loc))
    {
        let mut text = render(&diag.message, diag.help.as_deref());
        if let Some(pointer) = spans.pointer(diag.loc) {
            text.push('\n');
            text.push_str(&pointer);
        }
        errors.push(spans.span(diag.loc), text);
    }
    program
}

/// The multiply config: the struct's entity, row count, fields and rules.
fn config_doc(entity: &EntityAttrs<'_>) -> ConfigDoc {
    let (name, top) = (&entity.name, entity.top);
    ConfigDoc {
        file: 0,
        path: PathBuf::from(format!("{name}.rs")),
        top,
        entity: Some(Spanned {
            value: name.clone(),
            loc: top,
        }),
        seed_file: None,
        output_file: Some(Spanned {
            value: format!("{name}.csv"),
            loc: top,
        }),
        target_count: entity.container.rows.clone(),
        children_of: None,
        unique_together: Vec::new(),
        batch_size: entity.container.batch_size,
        fields: entity
            .fields
            .iter()
            .map(|f| {
                let body = Yaml {
                    loc: f.strategy_map.loc,
                    kind: YamlKind::Map(f.strategy_map.entries.clone()),
                };
                FieldSpec::read(&f.name, f.loc, &body)
            })
            .collect(),
        validations: entity.rules().cloned().collect(),
    }
}

/// The seed: `now`, and the `pool = [...]` values of each field that has them.
fn seed_doc(entity: &EntityAttrs<'_>) -> SeedDoc {
    let mut seed = SeedDoc {
        file: 0,
        path: PathBuf::from(format!("{}.rs", entity.name)),
        top: entity.top,
        entity: None,
        generated_at: entity.container.now,
        patterns: None,
        field_order: Vec::new(),
        values: BTreeMap::new(),
        field_locs: BTreeMap::new(),
        record_count: 1,
    };
    for f in &entity.fields {
        if let Some((values, _)) = &f.pool {
            seed.field_order.push(f.name.clone());
            seed.values.insert(f.name.clone(), values.clone());
            seed.field_locs.insert(f.name.clone(), f.loc);
        }
    }
    seed
}

/// The seed records of the `seed_group` fields: value i of each member's `pool` is record i,
/// so every member lists as many values as the first. A member that does not is reported
/// here, and its pool padded or cut so the shared check does not report it a second time.
fn group_records(entity: &EntityAttrs<'_>, seed: &mut SeedDoc, errors: &mut Errors) {
    let members: Vec<_> = entity
        .fields
        .iter()
        .filter(|f| matches!(&f.strategy, Some((s, _)) if s == seed_group::NAME))
        .collect();
    let Some((name, records)) = members
        .iter()
        .find_map(|f| Some((&f.name, f.pool.as_ref()?.0.len())))
    else {
        return;
    };
    seed.record_count = records;
    for f in members {
        match &f.pool {
            Some((values, span)) if values.len() != records => errors.help(
                *span,
                &format!(
                    "the pools of `seed_group` fields are the group's records: `{}` lists {}, but `{name}` lists {records}",
                    f.name,
                    values.len()
                ),
                "give every `seed_group` field's `pool` one value per record, in the same order",
            ),
            Some(_) => continue,
            None => {} // reported with the field's attributes
        }
        seed.values
            .entry(f.name.clone())
            .or_default()
            .resize(records, String::new());
    }
}

/// A parent type's config: its name only; its fields are the [`External`]'s.
fn parent_doc(p: &Parent) -> ConfigDoc {
    ConfigDoc {
        file: 0,
        path: PathBuf::from(format!("{}.rs", p.name)),
        top: p.loc,
        entity: Some(Spanned {
            value: p.name.clone(),
            loc: p.loc,
        }),
        seed_file: None,
        output_file: None,
        target_count: None,
        children_of: None,
        unique_together: Vec::new(),
        batch_size: None,
        fields: Vec::new(),
        validations: Vec::new(),
    }
}
