//! Entities and their fields from the documents: names, Rust identifiers, output files, and
//! finding an entity by the names a config may use for it.

use super::{Doc, EntityDraft, External, FieldDraft};
use crate::config::{join_normalized, ConfigDoc};
use crate::diag::Diagnostics;
use crate::ident;
use crate::ir::Ty;
use crate::strategy::{StrategyConfig, EXTERNAL_NAME, SEED_FIELD_NAME};
use std::path::Path;

/// The strategy of every seed field without one.
static SEED_FIELD: StrategyConfig = StrategyConfig::SeedField;

/// The entities of `docs`, each with its configured fields then its seed fields without a
/// strategy; names, identifiers and output files that collide are reported.
pub(super) fn entities<'a>(
    docs: &[Doc<'a>],
    root: &Path,
    d: &mut Diagnostics,
) -> Vec<EntityDraft<'a>> {
    let mut out: Vec<EntityDraft<'a>> = Vec::new();
    for doc in docs {
        let cfg = doc.config;
        let Some(name) = &cfg.entity else { continue };
        let type_name = ident::type_ident(&name.value);
        let dir = cfg.path.parent().unwrap_or(Path::new("."));
        let output_path = cfg
            .output_file
            .as_ref()
            .map(|o| join_normalized(dir, &o.value));
        let output_display = output_path
            .as_ref()
            .map(|p| display_path(p, root))
            .unwrap_or_default();
        if let (Some(seed), Some(seed_entity)) =
            (doc.seed, doc.seed.and_then(|s| s.entity.as_ref()))
        {
            if seed_entity.value != name.value {
                d.warning(
                    seed_entity.loc,
                    format!(
                        "seed file is for entity `{}` but its config `{}` names `{}`",
                        seed_entity.value,
                        cfg.path.file_name().unwrap_or_default().to_string_lossy(),
                        name.value
                    ),
                )
                .help("check that `seed_file` points at this entity's seeds");
                let _ = seed;
            }
        }
        let mut fields = Vec::new();
        for spec in &cfg.fields {
            let mut field = FieldDraft::new(&spec.name, spec.loc, None, "");
            field.spec = Some(&spec.strategy);
            field.strategy_loc = spec.strategy.loc;
            fields.push(field);
        }
        if let Some(seed) = doc.seed {
            for name in &seed.field_order {
                if fields.iter().any(|f| &f.name == name) {
                    continue;
                }
                let loc = seed.field_locs[name];
                d.warning(
                    loc,
                    format!("seed field `{name}` has no strategy; it is drawn uniformly from its seed values"),
                )
                .help(format!(
                    "add `{name}:` with a strategy under `field_strategies` in `{}`",
                    cfg.path.file_name().unwrap_or_default().to_string_lossy()
                ));
                let mut field = FieldDraft::new(name, loc, Some(&SEED_FIELD), SEED_FIELD_NAME);
                field.ty = Some(Ty::Str);
                fields.push(field);
            }
        }
        if fields.is_empty() && !cfg.fields.is_empty() {
            continue;
        }
        if fields.is_empty() {
            d.error(cfg.top, format!("entity `{}` has no fields", name.value))
                .help("add at least one entry under `field_strategies`");
        }
        report_same_idents(&fields, d);
        report_sql_names(&fields, d);
        out.push(EntityDraft {
            doc: cfg,
            seed: doc.seed,
            name: name.value.clone(),
            name_loc: name.loc,
            type_name,
            output_path,
            output_display,
            target_count: cfg.target_count.as_ref().map_or(0, |t| t.value),
            fields,
            external: false,
            fan_out: None,
        });
    }
    report_collisions(&out, d);
    report_output_files(&out, docs, root, d);
    out
}

/// PostgreSQL keeps the first 63 bytes of an identifier: two names equal there would become
/// one column (`load` then fails with "specified more than once"). Control characters in a
/// name would be written into SQL and CSV headers.
fn report_sql_names(fields: &[FieldDraft<'_>], d: &mut Diagnostics) {
    const PG_NAME_BYTES: usize = 63;
    let cut = |s: &str| -> String {
        let mut end = s.len().min(PG_NAME_BYTES);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_string()
    };
    for (i, f) in fields.iter().enumerate() {
        if f.name.chars().any(char::is_control) {
            d.error(
                f.loc,
                format!("field name {:?} holds a control character", f.name),
            )
            .help("names become CSV headers and SQL identifiers: use letters, digits and `_`");
        }
        for g in &fields[..i] {
            if f.name != g.name && f.name.len() > PG_NAME_BYTES && cut(&f.name) == cut(&g.name) {
                d.error(
                    f.loc,
                    format!(
                        "fields `{}` and `{}` share their first {PG_NAME_BYTES} bytes, all PostgreSQL keeps of a name",
                        f.name, g.name
                    ),
                )
                .help("shorten one of them: PostgreSQL would make both the same column");
            }
        }
    }
}

/// An `output_file` must be a file name of its own: not empty, not a folder, no control
/// characters (it is written into `schema.sql`'s comments), and never a file the build reads
/// (a seed or a config would be overwritten by the run).
fn report_output_files(
    entities: &[EntityDraft<'_>],
    docs: &[Doc<'_>],
    root: &Path,
    d: &mut Diagnostics,
) {
    for ent in entities.iter().filter(|e| !e.external) {
        let Some(o) = ent.doc.output_file.as_ref() else {
            continue;
        };
        let problem = if o.value.trim().is_empty() {
            Some("`output_file` is empty".to_string())
        } else if o.value.ends_with('/') || o.value.ends_with('\\') {
            Some(format!(
                "`output_file: {}` names a folder, not a file",
                o.value
            ))
        } else if o.value.chars().any(char::is_control) {
            Some(format!(
                "`output_file` {:?} holds a control character",
                o.value
            ))
        } else {
            let out = ent.output_path.as_deref();
            docs.iter().find_map(|doc| {
                let inputs = std::iter::once(doc.config.path.as_path())
                    .chain(doc.seed.map(|s| s.path.as_path()));
                inputs
                    .filter(|p| Some(*p) == out)
                    .map(|p| format!("`output_file: {}` is `{}`, an input of the build: the run would overwrite it", o.value, display_path(p, root)))
                    .next()
            })
        };
        if let Some(message) = problem {
            d.error(o.loc, message).help(
                "write e.g. `output_file: ../output/users_bulk.csv`, a file of its own beside the other outputs",
            );
        }
    }
}

/// Two field names that become the same Rust identifier.
fn report_same_idents(fields: &[FieldDraft<'_>], d: &mut Diagnostics) {
    for i in 0..fields.len() {
        for j in 0..i {
            if fields[i].ident == fields[j].ident {
                for (a, b) in [(i, j), (j, i)] {
                    d.error(
                        fields[a].loc,
                        format!(
                            "fields `{}` and `{}` both become the Rust field `{}`",
                            fields[a].name, fields[b].name, fields[a].ident
                        ),
                    )
                    .help("rename one of them; CSV headers keep the names as written");
                }
            }
        }
    }
}

/// Two entities with the same name, Rust type or output file.
fn report_collisions(entities: &[EntityDraft<'_>], d: &mut Diagnostics) {
    for i in 0..entities.len() {
        for j in 0..i {
            if entities[i].name == entities[j].name {
                d.error(
                    entities[i].name_loc,
                    format!("entity `{}` is defined twice", entities[i].name),
                )
                .help(format!(
                    "the other definition is in `{}`",
                    file_name(entities[j].doc)
                ));
            } else if entities[i].type_name == entities[j].type_name {
                d.error(
                    entities[i].name_loc,
                    format!(
                        "entities `{}` and `{}` both become the Rust type `{}`",
                        entities[i].name, entities[j].name, entities[i].type_name
                    ),
                )
                .help("rename one of the entities");
            }
            if entities[i].output_path.is_some()
                && entities[i].output_path == entities[j].output_path
            {
                let loc = entities[i]
                    .doc
                    .output_file
                    .as_ref()
                    .map_or(entities[i].doc.top, |o| o.loc);
                d.error(
                    loc,
                    format!(
                        "entities `{}` and `{}` both write `{}`",
                        entities[j].name, entities[i].name, entities[i].output_display
                    ),
                )
                .help("give each entity its own `output_file`");
            }
        }
    }
}

/// The draft of an entity defined elsewhere: its referenced fields, typed as declared.
pub(super) fn external_draft<'a>(x: &External<'a>) -> EntityDraft<'a> {
    let cfg = x.config;
    let name = cfg
        .entity
        .as_ref()
        .map_or(String::new(), |n| n.value.clone());
    EntityDraft {
        doc: cfg,
        seed: None,
        type_name: ident::type_ident(&name),
        name_loc: cfg.entity.as_ref().map_or(cfg.top, |n| n.loc),
        name,
        output_path: None,
        output_display: String::new(),
        target_count: cfg.target_count.as_ref().map_or(u64::MAX, |t| t.value),
        fields: x
            .fields
            .iter()
            .map(|(name, ty, loc)| {
                let mut field = FieldDraft::new(name, *loc, None, EXTERNAL_NAME);
                field.ty = Some(*ty);
                field
            })
            .collect(),
        external: true,
        fan_out: None,
    }
}

fn file_name(doc: &ConfigDoc) -> String {
    doc.path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// `p` relative to `root` when inside it, else as is; `/` separators.
pub(super) fn display_path(p: &Path, root: &Path) -> String {
    let shown = p.strip_prefix(root).unwrap_or(p);
    shown.to_string_lossy().replace('\\', "/")
}

pub(super) fn find_entity(entities: &[EntityDraft<'_>], name: &str) -> Option<usize> {
    let key = normalize_name(name);
    let exact = entities
        .iter()
        .position(|e| normalize_name(&e.name) == key || normalize_name(&e.type_name) == key);
    exact.or_else(|| {
        entities.iter().position(|e| {
            let stem = e
                .output_path
                .as_ref()
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = normalize_name(&stem);
            let short = stem.strip_suffix("bulk").unwrap_or(&stem).to_string();
            let singular = short.strip_suffix('s').unwrap_or(&short).to_string();
            key == stem || key == short || key == singular || format!("{key}s") == short
        })
    })
}

pub(super) fn normalize_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
