//! PostgreSQL DDL from the compiled catalog: `perfgen schema`, and the `schema.sql` that
//! `perfgen generate` writes beside the CSV files.
//!
//! One `CREATE TABLE` per entity, parents first. The table is the output file's stem without
//! `_bulk` (`users_bulk.csv` -> `users`); the columns are the CSV header's names, in CSV order,
//! double-quoted where PostgreSQL needs it. Types: `uuid`, `integer`/`bigint`,
//! `numeric(P, S)`, `text`, `timestamptz`. Every column is `NOT NULL`, except those that may be
//! NULL (a `null_rate`, or computed from such a field); an empty string is written `""`,
//! which COPY's CSV format tells from a NULL (an empty unquoted field).
//! Constraints: `PRIMARY KEY` on the uuid `id` field (else the first `uuid_v4` field, else
//! the first non-repeating `sequence`, else a `children_of` entity's (foreign key, position)),
//! `UNIQUE` on unique fields (and on uuid and sequence fields a foreign key references) and on
//! (foreign key, position) beside a key of its own, `FOREIGN KEY ... REFERENCES` on foreign
//! keys, and a `CHECK`
//! per rule that reads only its own row. Rules that read the parent row (and a foreign key
//! whose target column is not unique) cannot be constraints: they come as queries that count
//! the rows breaking them ([`RuleQuery`]), written as comments at the end of the file.
//!
//! This crate has no database client (so `perfgen schema` works in a build without
//! PostgreSQL); it must not depend on the command line, the loader or perfgen-verify.

mod columns;
mod dialect;
mod names;
mod rule_sql;
mod table;
/// The DROP statements (with `drop`), each table's notes and CREATE, then the rule queries
/// as comments: the body both dialects' files share.
fn push_tables(s: &mut String, tables: &[TableSchema], drop: bool) {
    if drop {
        s.push('\n');
        s.push_str(&drop_statements(tables));
    }
    for t in tables {
        s.push('\n');
        for note in &t.notes {
            let _ = writeln!(s, "-- {}", names::one_line(note));
        }
        s.push_str(&t.create);
        s.push('\n');
    }
    let queries: Vec<&RuleQuery> = tables.iter().flat_map(|t| &t.queries).collect();
    if !queries.is_empty() {
        s.push_str(
            "\n-- Rules no constraint can hold (they read another table). Each query counts the rows\n\
             -- that break one: 0 when the data is right.\n",
        );
        for q in queries {
            let _ = writeln!(s, "-- {}\n-- {};", q.what, q.sql);
        }
    }
}

#[cfg(test)]
mod tests;

pub use columns::{decimal_precision, primary_key};
pub use dialect::Dialect;
pub use names::{quote_ident, quote_literal, table_name};
pub use table::{DeferredStep, KeyIndex, RuleQuery, TableSchema, KEYS_STEP};

use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::output::{write_file_atomically, OutputError};
use perfgen_runtime::time::Timestamp;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file `perfgen generate` writes beside the CSV files.
pub const SCHEMA_FILE: &str = "schema.sql";

/// Every entity's table, in catalog (parent-first) order. `now` resolves `now` in rules of
/// entities whose seed has no `generated_at` (`--now`); without it such a CHECK is left out
/// with a note. Fails when two entities map to the same table name.
pub fn tables(catalog: &Catalog, now: Option<Timestamp>) -> Result<Vec<TableSchema>, String> {
    tables_in(catalog, now, Dialect::Postgres)
}

/// [`tables`] in `dialect`.
pub fn tables_in(
    catalog: &Catalog,
    now: Option<Timestamp>,
    dialect: Dialect,
) -> Result<Vec<TableSchema>, String> {
    let names: Vec<String> = catalog.entities.iter().map(table_name).collect();
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|n| n == name) {
            return Err(format!(
                "entities `{}` and `{}` both map to table `{}` (the output file's stem without `_bulk`); give them different output file names",
                catalog.entities[j].name, catalog.entities[i].name, name
            ));
        }
    }
    Ok((0..catalog.entities.len())
        .map(|i| table::table(catalog, i, now, dialect))
        .collect())
}
/// `DROP TABLE IF EXISTS` for every table, children first.
pub fn drop_statements(tables: &[TableSchema]) -> String {
    let mut s = String::new();
    for t in tables.iter().rev() {
        let _ = writeln!(s, "DROP TABLE IF EXISTS {};", t.sql_name);
    }
    s
}

/// [`render`] in `dialect`; for MySQL the header lists the `LOAD DATA LOCAL INFILE`
/// statements that load the CSV files ([`mysql_load_data`]).
pub fn render_in(
    catalog: &Catalog,
    now: Option<Timestamp>,
    drop: bool,
    dialect: Dialect,
) -> Result<String, String> {
    if dialect == Dialect::Postgres {
        return render(catalog, now, drop);
    }
    let tables = tables_in(catalog, now, dialect)?;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- MariaDB/MySQL schema of the perfgen generator built from `{}`.",
        names::one_line(catalog.config_dir)
    );
    s.push_str(
        "-- Tables are in parent-first order, with every constraint (CHECKs need MariaDB 10.2 or\n\
         -- MySQL 8.0.16). Times are DATETIME in UTC, UUIDs CHAR(36). Load the CSV files with\n\
         -- `mariadb --local-infile=1`, from their folder:\n",
    );
    for (t, info) in tables.iter().zip(catalog.entities) {
        let _ = writeln!(s, "--   {}", mysql_load_data(t, info, &t.file_name));
    }
    push_tables(&mut s, &tables, drop);
    Ok(s)
}

/// The `LOAD DATA LOCAL INFILE` statement (one line) that loads entity `info`'s CSV file
/// `file` into its MySQL table `t`: perfgen's CSV as it is (RFC 4180 quoting, no backslash
/// escapes, a header line), with times read by `STR_TO_DATE`, booleans from `true`/`false`,
/// and an empty unquoted field as NULL in the columns that may be NULL. (LOAD DATA cannot
/// tell an empty quoted field from an empty unquoted one: in a text column that may be NULL,
/// an empty string loads as NULL.)
pub fn mysql_load_data(t: &TableSchema, info: &EntityInfo, file: &str) -> String {
    use perfgen_runtime::spec::ColumnType;
    let d = Dialect::Mysql;
    let vars: Vec<String> = (1..=t.columns.len()).map(|i| format!("@c{i}")).collect();
    let sets: Vec<String> = info
        .fields
        .iter()
        .zip(&t.columns)
        .zip(&vars)
        .map(|((f, col), var)| {
            let value = match f.spec.column {
                ColumnType::Timestamp => format!("STR_TO_DATE({var}, '%Y-%m-%dT%H:%i:%sZ')"),
                ColumnType::Boolean => format!("({var} = 'true')"),
                _ => var.clone(),
            };
            if f.spec.nulls.nullable {
                format!("{col} = IF({var} = '', NULL, {value})")
            } else {
                format!("{col} = {value}")
            }
        })
        .collect();
    format!(
        "LOAD DATA LOCAL INFILE {} INTO TABLE {} CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES TERMINATED BY '\\n' IGNORE 1 LINES ({}) SET {};",
        d.literal(&names::one_line(file)),
        t.sql_name,
        vars.join(", "),
        sets.join(", ")
    )
}

/// The whole `schema.sql`: a header with the `\copy` commands that load the CSV files, one
/// `CREATE TABLE` per entity (parents first), and the rule queries as comments.
/// `drop` puts `DROP TABLE IF EXISTS` statements (children first) before them.
pub fn render(catalog: &Catalog, now: Option<Timestamp>, drop: bool) -> Result<String, String> {
    let tables = tables(catalog, now)?;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- PostgreSQL schema of the perfgen generator built from `{}`.",
        names::one_line(catalog.config_dir)
    );
    s.push_str(
        "-- Tables are in parent-first order, with every constraint. Load the CSV files with psql,\n\
         -- from their folder:\n",
    );
    for t in &tables {
        let _ = writeln!(
            s,
            "--   \\copy {} FROM {} WITH (FORMAT csv, HEADER true)",
            t.sql_name,
            quote_literal(&names::one_line(&t.file_name))
        );
    }
    s.push_str(
        "-- or with `perfgen load postgres://USER@HOST:PORT/DB --create-tables`, or skip the files:\n\
         -- `perfgen generate --sink postgres://USER@HOST:PORT/DB --create-tables`.\n",
    );
    push_tables(&mut s, &tables, drop);
    Ok(s)
}

/// Where `generate` writes `schema.sql`: `--out DIR`, else the folder of the first entity's
/// output file. `None` for an empty catalog.
pub fn schema_path(catalog: &Catalog, out_dir: Option<&Path>) -> Option<PathBuf> {
    let first = catalog.entities.first()?;
    Some(match out_dir {
        Some(dir) => dir.join(SCHEMA_FILE),
        None => Path::new(first.output_file)
            .parent()
            .unwrap_or(Path::new(""))
            .join(SCHEMA_FILE),
    })
}

/// Writes `schema.sql` beside the CSV files (see [`schema_path`]), atomically; returns its
/// path. A catalog whose tables cannot be named writes nothing and fails.
pub fn write_beside(
    catalog: &Catalog,
    out_dir: Option<&Path>,
    now: Option<Timestamp>,
) -> Result<Option<PathBuf>, String> {
    let Some(path) = schema_path(catalog, out_dir) else {
        return Ok(None);
    };
    let text = render(catalog, now, false)?;
    write_file_atomically(&path, |out| {
        out.write_all(text.as_bytes()).map_err(OutputError::io)?;
        Ok(text.len() as u64)
    })
    .map_err(|e| e.to_string())?;
    Ok(Some(path))
}
