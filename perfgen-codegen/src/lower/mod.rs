//! Check the documents and lower them to the IR. Every problem is recorded with its position;
//! a stage that depends on an earlier one's output only runs when that stage had no errors.
//!
//! The stages, in order: entities and their fields (`entities`); each field's strategy and
//! column type; foreign keys resolved and typed (`types`); each field's strategy lowered
//! ([`crate::strategy`]); rules attached, resolved (`rules`) and classified as proven,
//! refuted or enforced (`classify`); `unique` proven (`unique`); which fields may be NULL,
//! and no reference meeting one where it cannot (`nulls`); then fields and entities put in
//! dependency order (`order`) and assembled into a [`Program`].

mod aggregates;
mod children;
mod classify;
mod entities;
mod expressions;
mod groups;
mod nulls;
mod order;
mod rules;
mod types;
mod unique;

use crate::config::ConfigDoc;
use crate::diag::Spanned;
use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use crate::seed::SeedDoc;
use crate::strategy::{self, FieldCx, ParentScope, Sibling, StrategyConfig};

/// One config with its seed, as read.
pub struct Doc<'a> {
    pub config: &'a ConfigDoc,
    pub seed: Option<&'a SeedDoc>,
}

/// An entity while it is checked and lowered.
struct EntityDraft<'a> {
    doc: &'a ConfigDoc,
    seed: Option<&'a SeedDoc>,
    name: String,
    name_loc: Loc,
    type_name: String,
    output_path: Option<std::path::PathBuf>,
    output_display: String,
    target_count: u64,
    fields: Vec<FieldDraft<'a>>,
    /// Defined elsewhere ([`External`]): referenced, never generated.
    external: bool,
    /// `children_of`, resolved (see [`children`]).
    fan_out: Option<FanOutDraft>,
}

/// A resolved `children_of`: the parent entity's index and the count law.
struct FanOutDraft {
    parent: usize,
    count: crate::children::CountSpec,
}

/// A field while it is checked and lowered.
struct FieldDraft<'a> {
    name: String,
    loc: Loc,
    ident: String,
    /// The strategy mapping as read; `None` for a seed field without strategy and for the
    /// fields of an external entity.
    spec: Option<&'a strategy::FieldStrategy>,
    /// The strategy, once its name is known to be one.
    config: Option<&'a StrategyConfig>,
    strategy_name: String,
    strategy_loc: Loc,
    ty: Option<Ty>,
    strategy: Option<Strategy>,
    /// A foreign key's (parent entity, parent field).
    fk: Option<(usize, usize)>,
    /// A foreign key's distribution, as configured.
    fk_distribution: Option<ForeignKeyDistribution>,
    unique: Option<Loc>,
    rules: Vec<RuleUse>,
    enforce: Enforce,
    records: Vec<Rule>,
    /// `null_rate` (0 when not written).
    null_rate: f64,
    /// Whether a cell may be NULL (see [`nulls`]).
    nullable: bool,
}

impl<'a> FieldDraft<'a> {
    /// A field named `name` at `loc`, drawn by `config`, before any check.
    fn new(name: &str, loc: Loc, config: Option<&'a StrategyConfig>, strategy_name: &str) -> Self {
        FieldDraft {
            name: name.to_string(),
            loc,
            ident: crate::ident::field_ident(name),
            spec: None,
            config,
            strategy_name: strategy_name.to_string(),
            strategy_loc: loc,
            ty: None,
            strategy: None,
            fk: None,
            fk_distribution: None,
            unique: None,
            rules: Vec::new(),
            enforce: Enforce::default(),
            records: Vec::new(),
            null_rate: 0.0,
            nullable: false,
        }
    }

    /// Whether the field is configured as a foreign key.
    fn is_foreign_key(&self) -> bool {
        matches!(self.config, Some(StrategyConfig::ForeignKey(_)))
    }
}

/// A rule on a field, as written.
struct RuleUse {
    text: String,
    loc: Loc,
    reference_entity: Option<Spanned<String>>,
}

/// An entity defined elsewhere that the documents reference (the parent of a
/// `#[derive(perfgen::Entity)]` type, derived in its own macro invocation): its name, count
/// and the fields referenced, with the types the referencing side declares. Its fields get
/// [`Strategy::External`]; rules compared with them are open (nothing is known of their
/// ranges).
pub struct External<'a> {
    /// `entity`, `target_count` (the count, or `u64::MAX` when unknown) and `top`.
    pub config: &'a ConfigDoc,
    /// (name, type, where it is named).
    pub fields: Vec<(String, Ty, Loc)>,
}

/// Lower checked documents to the IR. `root` is the folder output paths are shown relative to.
pub fn lower(
    docs: &[Doc<'_>],
    root: &std::path::Path,
    config_dir: &str,
    d: &mut Diagnostics,
) -> Option<Program> {
    lower_with(docs, &[], root, config_dir, d)
}

/// [`lower`], with entities defined elsewhere that the documents may reference.
pub fn lower_with(
    docs: &[Doc<'_>],
    externals: &[External<'_>],
    root: &std::path::Path,
    config_dir: &str,
    d: &mut Diagnostics,
) -> Option<Program> {
    // Each check runs on every field it can: a field whose strategy failed is skipped by
    // later checks (it has no type or strategy), so one mistake is reported once and the
    // other files' mistakes are still found in the same run.
    let mut entities = entities::entities(docs, root, d);
    entities.extend(externals.iter().map(entities::external_draft));
    field_strategies(&mut entities, d);
    children::resolve(&mut entities, d);
    types::resolve_foreign_keys(&mut entities, d);
    children::warn_unkeyed(&entities, d);
    // Derived dates before each typing of expressions (an expression is typed once, and may
    // read a derived date) and after the last (a derived field may take an expression's date
    // as its base).
    types::derived_dates(&mut entities);
    expressions::type_expressions(&mut entities, false, d);
    types::propagate_types(&mut entities, d);
    types::derived_dates(&mut entities);
    expressions::type_expressions(&mut entities, true, d);
    types::derived_dates(&mut entities);
    lower_strategies(&mut entities, d);
    classify::check_date_ranges(&entities, d);
    classify::check_filters(&entities, d);
    rules::rules(&mut entities, d);
    nulls::nulls(&mut entities, d);
    groups::settle_groups(&mut entities, d);
    aggregates::check_read_back(&entities, d);
    if d.has_errors() {
        return None;
    }
    order::build(entities, config_dir, d)
}

/// Each configured field's strategy, common parameters and column type (foreign keys are
/// typed later, from their parent).
fn field_strategies(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    for e in entities.iter_mut() {
        for f in e.fields.iter_mut() {
            let Some(spec) = f.spec else { continue };
            // An unknown strategy keeps its name for later messages about the field.
            if let Some(name) = &spec.written_name {
                f.strategy_name = name.clone();
                f.strategy_loc = spec.name_loc;
            }
            let Some(config) = spec.check(d) else {
                continue;
            };
            if let Some(u) = spec.unique.get(d) {
                if u.value {
                    f.unique = Some(u.loc);
                }
            }
            if let Some(c) = spec.constraint.get(d) {
                f.rules.push(RuleUse {
                    text: c.value,
                    loc: c.loc,
                    reference_entity: None,
                });
            }
            if let Some(r) = spec.null_rate.get(d) {
                f.null_rate = r.value;
            }
            f.ty = config.column_type(d);
            f.config = Some(config);
        }
    }
}

/// The fields as expressions read them: name, type and whether each may be NULL (`false`
/// until NULLs are settled).
fn siblings<'a>(fields: &'a [FieldDraft<'_>]) -> Vec<Sibling<'a>> {
    fields
        .iter()
        .map(|f| Sibling {
            name: &f.name,
            ty: f.ty,
            nullable: f.nullable,
        })
        .collect()
}

/// The entity that foreign key `fk` of entity `e` leads to, then through the foreign keys
/// `via` of each entity on the way; `None` when a step is not a resolved foreign key.
fn reached_through(
    entities: &[EntityDraft<'_>],
    e: usize,
    fk: usize,
    via: &[usize],
) -> Option<usize> {
    let (first, _) = entities[e].fields[fk].fk?;
    via.iter().try_fold(first, |at, &f| {
        entities[at].fields.get(f)?.fk.map(|(p, _)| p)
    })
}

/// The parents of entity `e` whose fields its expressions may read: one per resolved foreign
/// key, with the parent's fields as typed (and NULL-settled) so far.
fn parent_scopes(entities: &[EntityDraft<'_>], e: usize) -> Vec<ParentScope> {
    parent_scopes_to(entities, e, MAX_PARENT_HOPS)
}

/// How many foreign keys an expression may read through (`a.b.c.field` is three).
pub(crate) const MAX_PARENT_HOPS: usize = 3;

/// [`parent_scopes`] with their own parents to `depth` hops in all.
fn parent_scopes_to(entities: &[EntityDraft<'_>], e: usize, depth: usize) -> Vec<ParentScope> {
    if depth == 0 {
        return Vec::new();
    }
    entities[e]
        .fields
        .iter()
        .enumerate()
        .filter_map(|(fk, fd)| {
            let (pe, _) = fd.fk?;
            let parent = &entities[pe];
            Some(ParentScope {
                fk,
                fk_name: fd.name.clone(),
                entity: pe,
                entity_name: parent.name.clone(),
                // A hierarchy's roots have no parent row.
                optional: fd.null_rate > 0.0 || pe == e,
                fields: parent
                    .fields
                    .iter()
                    .map(|g| (g.name.clone(), g.ty, g.nullable))
                    .collect(),
                same_row_as: match fd.fk_distribution {
                    Some(ForeignKeyDistribution::SameParentAs { field }) => Some(field),
                    _ => None,
                },
                // A hierarchy's parent is the same entity: reading further up is not offered.
                parents: if pe == e {
                    Vec::new()
                } else {
                    parent_scopes_to(entities, pe, depth - 1)
                },
            })
        })
        .collect()
}

/// The fan-out children of entity `e` (entities declared `children_of` it), with their
/// fields as typed (and NULL-settled) so far.
fn child_scopes(entities: &[EntityDraft<'_>], e: usize) -> Vec<strategy::ChildScope> {
    entities
        .iter()
        .enumerate()
        .filter_map(|(c, ent)| {
            let f = ent.fan_out.as_ref().filter(|f| f.parent == e)?;
            Some(strategy::ChildScope {
                entity: c,
                entity_name: ent.name.clone(),
                count: (f.count.min(), f.count.max()),
                fields: ent
                    .fields
                    .iter()
                    .map(|g| (g.name.clone(), g.ty, g.nullable))
                    .collect(),
            })
        })
        .collect()
}

/// Lower each field's strategy; an external entity's fields are [`Strategy::External`].
fn lower_strategies(entities: &mut [EntityDraft<'_>], d: &mut Diagnostics) {
    for e in 0..entities.len() {
        let parents = parent_scopes(entities, e);
        let children = child_scopes(entities, e);
        let ent = &mut entities[e];
        let siblings = siblings(&ent.fields);
        let config_stem = crate::config::config_stem(&ent.doc.path);
        let lowered: Vec<Option<Strategy>> = ent
            .fields
            .iter()
            .map(|fd| {
                if ent.external {
                    return Some(Strategy::External);
                }
                let config = fd.config?;
                let cx = FieldCx {
                    entity: &ent.name,
                    config_stem: &config_stem,
                    field: &fd.name,
                    field_loc: fd.loc,
                    strategy_loc: fd.strategy_loc,
                    ty: fd.ty,
                    fields: &siblings,
                    parents: &parents,
                    children: &children,
                    seed: ent.seed,
                    foreign_key: fd
                        .fk
                        .zip(fd.fk_distribution)
                        .map(|((p, pf), dist)| (p, pf, dist)),
                };
                strategy::lower(config, &cx, d)
            })
            .collect();
        for (fd, s) in ent.fields.iter_mut().zip(lowered) {
            fd.strategy = s;
        }
    }
}
