//! Entity names and row counts as the options give them: `--rows`, `--scale`, `--only`, the
//! entities they reference, `--now`, and where each file goes.

use crate::args::DatasetArgs;
use crate::exit::Failure;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::time::Timestamp;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The names `--rows` and `--only` accept for an entity, lower-cased: its name, its output
/// file's stem, and that stem without a trailing `_bulk`.
pub(crate) fn entity_aliases(info: &EntityInfo) -> Vec<String> {
    let mut names = vec![info.name.to_lowercase()];
    if let Some(stem) = Path::new(info.output_file).file_stem() {
        let stem = stem.to_string_lossy().to_lowercase();
        if let Some(short) = stem.strip_suffix("_bulk").filter(|s| !s.is_empty()) {
            let short = short.to_string();
            if !names.contains(&stem) {
                names.push(stem);
            }
            if !names.contains(&short) {
                names.push(short);
            }
        } else if !names.contains(&stem) {
            names.push(stem);
        }
    }
    names
}

/// Catalog position of the entity `name` names (case-insensitive). An entity's own name
/// wins over another's file stem.
pub(crate) fn resolve_entity(
    catalog: &Catalog,
    name: &str,
    option: &str,
) -> Result<usize, Failure> {
    let wanted = name.trim().to_lowercase();
    if let Some(i) = catalog
        .entities
        .iter()
        .position(|e| e.name.to_lowercase() == wanted)
    {
        return Ok(i);
    }
    if let Some(i) = catalog
        .entities
        .iter()
        .position(|e| entity_aliases(e).contains(&wanted))
    {
        return Ok(i);
    }
    let known: Vec<String> = catalog
        .entities
        .iter()
        .map(|e| {
            let aliases = entity_aliases(e);
            let others: Vec<&str> = aliases[1..].iter().map(String::as_str).collect();
            if others.is_empty() {
                e.name.to_string()
            } else {
                format!("{} ({})", e.name, others.join(", "))
            }
        })
        .collect();
    Err(Failure::Usage(format!(
        "unknown entity `{}` in {}; known entities: {}",
        name,
        option,
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )))
}

/// `target_count` scaled by `scale`: rounded, at least 1, except 0 stays 0 and a scale of 0
/// gives 0.
pub(crate) fn scaled_count(target: u64, scale: f64) -> u64 {
    if target == 0 || scale == 0.0 {
        return 0;
    }
    // `as` saturates at u64::MAX.
    ((target as f64) * scale).round().max(1.0) as u64
}

/// Row count of every entity, in catalog order: `--rows`, else `--scale`d target_count.
pub(crate) fn row_counts(catalog: &Catalog, args: &DatasetArgs) -> Result<Vec<u64>, Failure> {
    let mut rows: Vec<u64> = catalog
        .entities
        .iter()
        .map(|e| match args.scale {
            Some(f) => scaled_count(e.target_count, f),
            None => e.target_count,
        })
        .collect();
    for o in &args.rows {
        let i = resolve_entity(catalog, &o.entity, "--rows")?;
        if let Some(f) = catalog.entities[i].fan_out {
            let parent = catalog.entities[f.parent].name;
            return Err(Failure::Usage(format!(
                "--rows {}: `{}` is `children_of` `{parent}`, its rows follow from `{parent}`'s; set --rows {parent}=N instead",
                o.entity, catalog.entities[i].name
            )));
        }
        rows[i] = o.rows;
    }
    check_fan_out_parents(catalog, &rows).map_err(Failure::Usage)?;
    // A row index must stay an i64 (`{index}`, `index` in expressions, PostgreSQL's bigint),
    // and the plan's totals a u64: more rows than that is a mistake, not a run.
    for (e, &n) in catalog.entities.iter().zip(&rows) {
        if n > MAX_ROWS {
            return Err(Failure::Usage(format!(
                "`{}` would have {n} rows; at most {MAX_ROWS} (2^62) rows per entity",
                e.name
            )));
        }
    }
    Ok(rows)
}

/// The most parent rows a `children_of` entity may have: its table keeps 8 bytes per 4096
/// parents (2 GB at this bound), and its children stay below [`MAX_ROWS`].
pub(crate) const MAX_FAN_OUT_PARENTS: u64 = 1 << 40;

/// Refuses parent counts whose fan-out tables would not fit in memory, before any is built:
/// each `children_of` entity's parent count, bounded from above through fan-outs of
/// fan-outs (a child has at most its parent's rows times the most children per parent).
pub(crate) fn check_fan_out_parents(catalog: &Catalog, rows: &[u64]) -> Result<(), String> {
    let mut most: Vec<u64> = rows.to_vec();
    for (i, e) in catalog.entities.iter().enumerate() {
        let Some(f) = e.fan_out else { continue };
        let parents = most[f.parent];
        if parents > MAX_FAN_OUT_PARENTS {
            return Err(format!(
                "`{}` is `children_of` `{}`, which would have up to {parents} rows; at most {MAX_FAN_OUT_PARENTS} (2^40) parents (8 bytes of prefix sums per 4096)",
                e.name, catalog.entities[f.parent].name
            ));
        }
        most[i] = parents.saturating_mul(f.count.bounds().1);
    }
    Ok(())
}

/// The most rows of one entity: 2^62, so row indices fit an i64 and the totals of a plan
/// (entities times rows) a u64.
pub(crate) const MAX_ROWS: u64 = 1 << 62;

/// The fan-out table of each entity declared `children_of` (see
/// [`perfgen_runtime::fanout::plan`]), each such entity's count in `rows` set from its
/// parent's; the block sums are computed on `threads` threads (0: all cores).
pub(crate) fn fan_outs(
    catalog: &Catalog,
    seed: u64,
    rows: &mut [u64],
    threads: usize,
) -> Vec<Option<std::sync::Arc<perfgen_runtime::fanout::FanOutTable>>> {
    let threads = match threads {
        0 => perfgen_runtime::output::WriteOptions::available_threads(),
        n => n,
    };
    perfgen_runtime::fanout::plan(catalog, seed, rows, threads)
}

/// Catalog positions of the entities to write, in catalog order.
pub(crate) fn selected_entities(
    catalog: &Catalog,
    args: &DatasetArgs,
) -> Result<Vec<usize>, Failure> {
    if args.only.is_empty() {
        return Ok((0..catalog.entities.len()).collect());
    }
    let mut set = BTreeSet::new();
    for name in &args.only {
        set.insert(resolve_entity(catalog, name, "--only")?);
    }
    Ok(set.into_iter().collect())
}

/// `selected` and, transitively, the entities they reference (a child computes its
/// parent's fields from the parent's row index).
pub(crate) fn with_ancestors(catalog: &Catalog, selected: &[usize]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = selected.to_vec();
    while let Some(i) = stack.pop() {
        if i < catalog.entities.len() && seen.insert(i) {
            stack.extend(catalog.entities[i].parents.iter().copied());
        }
    }
    seen
}

/// Refuses to run when an entity to be written, or one it references, needs `now` and
/// has neither a seed `generated_at` nor `--now`: the data would silently use 1970.
pub(crate) fn check_now(
    catalog: &Catalog,
    selected: &[usize],
    now: Option<Timestamp>,
) -> Result<(), Failure> {
    if now.is_some() {
        return Ok(());
    }
    let missing: Vec<&str> = with_ancestors(catalog, selected)
        .into_iter()
        .map(|i| &catalog.entities[i])
        .filter(|e| e.uses_now && e.generated_at.is_none())
        .map(|e| e.name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
    Err(Failure::Usage(format!(
        "{} {} `now`, but {} seed file has no `generated_at`; pass --now, e.g. --now 2024-01-01T00:00:00Z",
        if names.len() == 1 { "entity" } else { "entities" },
        names.join(", ") + if names.len() == 1 { " uses" } else { " use" },
        if names.len() == 1 { "its" } else { "their" },
    )))
}

/// A child with rows needs parents with rows to point at.
pub(crate) fn check_parents(
    catalog: &Catalog,
    selected: &[usize],
    rows: &[u64],
) -> Result<(), Failure> {
    for &i in selected {
        let e = &catalog.entities[i];
        if rows[i] == 0 {
            continue;
        }
        for &p in e.parents {
            if rows.get(p) == Some(&0) {
                let parent = catalog.entities[p].name;
                return Err(Failure::Usage(format!(
                    "entity `{}` references `{}`, which has 0 rows; give `{}` at least 1 row (--rows {}=N)",
                    e.name, parent, parent, parent
                )));
            }
        }
    }
    Ok(())
}

/// Where an entity's file goes: its `output_file`, or `DIR/<its file name>` with `--out DIR`.
pub(crate) fn output_path(info: &EntityInfo, out_dir: Option<&Path>) -> PathBuf {
    let configured = Path::new(info.output_file);
    match out_dir {
        None => configured.to_path_buf(),
        Some(dir) => dir.join(configured.file_name().unwrap_or(configured.as_os_str())),
    }
}
