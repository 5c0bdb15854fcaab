//! `perfgen import DATABASE_URL --out DIR`: seeds, multiply configs and the `eval/schemas`
//! folder drafted from a live PostgreSQL database, with DIR in the role of `eval/`.
//!
//! Everything is read in one read-only, repeatable-read transaction (nothing is written to
//! the source): the catalog (`catalog`), measurements of every whole table in SQL
//! (`profile`), a sample of rows per table (`sample`). Drafting turns them into a plan per
//! table (`draft`, over perfgen-codegen's `infer` guesses and laws fitted in `fit`; CHECK
//! constraints translated in `check_expr`) and `write` renders the files. The same database
//! gives the same bytes: every query orders its rows, and parallel plans are off.

pub mod catalog;
pub mod check_expr;
pub mod draft;
pub mod fit;
pub mod model;
pub mod profile;
pub mod sample;
#[cfg(test)]
mod tests;
pub mod write;

use draft::{plan_table, Facts, TablePlan};
use model::Table;
use perfgen_codegen::infer::entity_from_stem;
use perfgen_postgres::{db_text, LoadError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `perfgen import` is asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The source: postgres://USER@HOST:PORT/DB, or libpq key=value pairs.
    pub url: String,
    /// The folder in the role of `eval/`.
    pub out: PathBuf,
    pub schema: String,
    /// Only these tables (all of the schema's when empty).
    pub tables: Vec<String>,
    /// Rows sampled per table into its seed file.
    pub sample: usize,
}

/// Why an import failed. Messages never hold the URL's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// A bad URL, schema or table name (exit code 2).
    Usage(String),
    /// The database refused or a file could not be written (exit code 1).
    Data(String),
}

impl ImportError {
    pub(crate) fn db(what: &str, e: &postgres::Error) -> ImportError {
        ImportError::Data(format!("{what}: {}", db_text(e)))
    }
    pub fn message(&self) -> &str {
        match self {
            ImportError::Usage(m) | ImportError::Data(m) => m,
        }
    }
}

impl From<LoadError> for ImportError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Usage(m) => ImportError::Usage(m),
            LoadError::Data(m) => ImportError::Data(m),
        }
    }
}

/// One imported table.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedTable {
    pub table: String,
    pub entity: String,
    pub rows: i64,
    pub sampled: usize,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub tables: Vec<ImportedTable>,
    /// Every file written, relative to the output folder.
    pub files: Vec<PathBuf>,
}

/// Everything read from the database.
struct Source {
    tables: Vec<Table>,
    facts: BTreeMap<String, Facts>,
}

/// Read the database and write the drafts (see the crate's documentation).
pub fn import(opts: &ImportOptions) -> Result<ImportSummary, ImportError> {
    let mut client = perfgen_postgres::connect(&opts.url)?;
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .start()
        .map_err(|e| ImportError::db("starting a read-only transaction", &e))?;
    tx.batch_execute(
        "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO'; \
         SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL extra_float_digits = 1",
    )
    .map_err(|e| ImportError::db("setting up the session", &e))?;
    let source = read_source(&mut tx, opts)?;
    tx.rollback()
        .map_err(|e| ImportError::db("ending the read-only transaction", &e))?;
    write_all(opts, &source)
}

fn read_source(
    db: &mut postgres::Transaction<'_>,
    opts: &ImportOptions,
) -> Result<Source, ImportError> {
    let schema = &opts.schema;
    let tables = catalog::read_tables(db, schema, &opts.tables)?;
    let mut samples = sample::sample(db, schema, &tables, opts.sample)?;
    let counts: BTreeMap<&str, i64> = tables
        .iter()
        .map(|t| (t.name.as_str(), t.row_count))
        .collect();
    let mut facts = BTreeMap::new();
    for t in &tables {
        let (fan_out_parent, fan_out_distinct) = match fan_out_key(db, schema, t, &counts)? {
            Some((fk, other, distinct)) => (Some((fk, other)), distinct),
            None => (None, false),
        };
        let mut in_list = Vec::new();
        let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
        for check in &t.checks {
            if let check_expr::CheckDraft::In { column, .. } =
                check_expr::translate(&check.definition, &names)
            {
                in_list.push(column);
            }
        }
        let mut profiles = Vec::new();
        for c in &t.columns {
            profiles.push(profile::profile_column(
                db,
                schema,
                t,
                c,
                in_list.contains(&c.name),
            )?);
        }
        let mut fan_outs = BTreeMap::new();
        for fk in &t.foreign_keys {
            if let Some(parents) = counts.get(fk.parent.as_str()) {
                fan_outs.insert(
                    fk.name.clone(),
                    profile::fan_out(db, schema, t, fk, *parents)?,
                );
            }
        }
        facts.insert(
            t.name.clone(),
            Facts {
                profiles,
                fan_outs,
                fan_out_parent,
                fan_out_distinct,
                sample: samples.remove(&t.name).unwrap_or_default(),
            },
        );
    }
    Ok(Source { tables, facts })
}

/// The (foreign key, line number) pair that makes `t` a fan-out of its parent: a two-column
/// primary key of a one-column foreign key to another imported table and an integer column
/// numbering each parent's rows 1..n. Or, for a join table (a two-column primary key of two
/// one-column foreign keys to other imported tables), the first member's key and the second
/// member, with `true`: the children of each first parent, the second drawn `distinct`
/// among them, which keeps the pair unique.
fn fan_out_key(
    db: &mut postgres::Transaction<'_>,
    schema: &str,
    t: &Table,
    counts: &BTreeMap<&str, i64>,
) -> Result<Option<(String, String, bool)>, ImportError> {
    if t.primary_key.len() != 2 {
        return Ok(None);
    }
    for fk in &t.foreign_keys {
        let ok = fk.columns.len() == 1
            && fk.parent != t.name
            && counts.contains_key(fk.parent.as_str())
            && t.primary_key.contains(&fk.columns[0]);
        if !ok {
            continue;
        }
        let position = t
            .primary_key
            .iter()
            .find(|c| **c != fk.columns[0])
            .cloned()
            .unwrap_or_default();
        let is_int = t
            .column(&position)
            .is_some_and(|c| c.kind == model::Kind::Int);
        if is_int && profile::numbers_within(db, schema, t, &fk.columns[0], &position)? {
            return Ok(Some((fk.name.clone(), position, false)));
        }
    }
    let key_of = |column: &str| {
        t.foreign_keys.iter().find(|fk| {
            fk.columns.len() == 1
                && fk.columns[0] == column
                && fk.parent != t.name
                && counts.contains_key(fk.parent.as_str())
        })
    };
    if let (Some(first), Some(_)) = (key_of(&t.primary_key[0]), key_of(&t.primary_key[1])) {
        return Ok(Some((first.name.clone(), t.primary_key[1].clone(), true)));
    }
    Ok(None)
}

/// The entity of every table: its name singular in CamelCase (`order_lines` -> `OrderLine`),
/// a number added when two tables would share one.
pub fn entity_names(tables: &[Table]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut taken: Vec<String> = Vec::new();
    for t in tables {
        let base = entity_from_stem(&t.name);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.push(name.clone());
        out.insert(t.name.clone(), name);
    }
    out
}

fn write_all(opts: &ImportOptions, src: &Source) -> Result<ImportSummary, ImportError> {
    let entities = entity_names(&src.tables);
    let plans: BTreeMap<String, TablePlan> = src
        .tables
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                plan_table(t, &src.facts[&t.name], &entities),
            )
        })
        .collect();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut summary = Vec::new();
    for t in &src.tables {
        let stem = write::stem(&t.name);
        let entity = &entities[&t.name];
        let sample = &src.facts[&t.name].sample;
        files.push((
            PathBuf::from(format!("schemas/{stem}.yaml")),
            write::schema_file(&opts.schema, t, entity),
        ));
        if !sample.is_empty() {
            files.push((
                PathBuf::from(format!("performance/seeds/{stem}_seed.yaml")),
                write::seed_file(&opts.schema, t, entity, sample),
            ));
        }
        files.push((
            PathBuf::from(format!("performance/configs/{stem}_multiply.yaml")),
            write::config_file(&opts.schema, t, &plans[&t.name], sample.len()),
        ));
        summary.push(ImportedTable {
            table: t.name.clone(),
            entity: entity.clone(),
            rows: t.row_count,
            sampled: sample.len(),
        });
    }
    files.push((
        PathBuf::from("schemas/relationships.yaml"),
        write::relationships_file(&src.tables, &entities, &plans),
    ));
    files.push((
        PathBuf::from("schemas/constraints.yaml"),
        write::constraints_file(&plans),
    ));
    for (rel, text) in &files {
        write_file(&opts.out.join(rel), text)?;
    }
    Ok(ImportSummary {
        tables: summary,
        files: files.into_iter().map(|(p, _)| p).collect(),
    })
}

fn write_file(path: &Path, text: &str) -> Result<(), ImportError> {
    let fail =
        |e: std::io::Error| ImportError::Data(format!("cannot write `{}`: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    std::fs::write(path, text).map_err(fail)
}
