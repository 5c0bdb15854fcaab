//! PostgreSQL DDL from the compiled catalog: `perfgen schema`, and the `schema.sql` that
//! `perfgen generate` writes beside the CSV files.
//!
//! One `CREATE TABLE` per entity, parents first. The table is the output file's stem without
//! `_bulk` (`users_bulk.csv` -> `users`); the columns are the CSV header's names, in CSV order,
//! double-quoted where PostgreSQL needs it. Types: `uuid`, `integer`/`bigint`,
//! `numeric(P, S)`, `text`, `timestamptz`. Every column is `NOT NULL`, except a text column
//! that can hold an empty string (COPY's CSV format reads an unquoted empty field as NULL).
//! Constraints: `PRIMARY KEY` on the uuid `id` field (else the first `uuid_v4` field),
//! `UNIQUE` on unique fields, `FOREIGN KEY ... REFERENCES` on foreign keys, and a `CHECK`
//! per rule that reads only its own row. Rules that read the parent row (and a foreign key
//! whose target column is not unique) cannot be constraints: they come as queries that count
//! the rows breaking them ([`RuleQuery`]), written as comments at the end of the file.

use crate::entity::{Catalog, EntityInfo};
use crate::output::{write_file_atomically, OutputError};
use crate::spec::{
    CmpOp, ColumnType, Comparison, Operand, Rule, Strategy, TemplatePiece, TimeSpec,
};
use crate::time::Timestamp;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file `perfgen generate` writes beside the CSV files.
pub const SCHEMA_FILE: &str = "schema.sql";

/// PostgreSQL key words that cannot be a bare column or table name (the "reserved",
/// "reserved (can be function or type)" and "non-reserved (cannot be function or type)"
/// classes of PostgreSQL 17's key word list), sorted.
const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// `name` as a PostgreSQL identifier: bare when it is lower-case ASCII letters, digits and
/// `_` (not starting with a digit) and not a key word; else in double quotes, `"` doubled.
pub fn quote_ident(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
        && KEYWORDS.binary_search(&name).is_err();
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `s` as a PostgreSQL string literal (`'` doubled; standard_conforming_strings, the
/// default since PostgreSQL 9.1, keeps backslashes literal).
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The table of an entity: its output file's stem without a trailing `_bulk`
/// (`users_bulk.csv` -> `users`), unquoted.
pub fn table_name(info: &EntityInfo) -> String {
    let stem = Path::new(info.output_file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| info.name.to_string());
    match stem.strip_suffix("_bulk") {
        Some(short) if !short.is_empty() => short.to_string(),
        _ => stem,
    }
}

/// A query that counts the rows breaking a rule no constraint can hold; 0 when the data is
/// right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleQuery {
    /// The table whose rows are checked (unquoted).
    pub table: String,
    /// What is checked, one line, e.g. `orders.created_at >= user.created_at`.
    pub what: String,
    /// `SELECT count(*) FROM ...`, without a semicolon.
    pub sql: String,
}

/// One entity's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    /// Catalog position of the entity.
    pub entity: usize,
    /// Table name, unquoted (see [`table_name`]).
    pub name: String,
    /// The table name as written in SQL.
    pub sql_name: String,
    /// The CSV file's name (`users_bulk.csv`).
    pub file_name: String,
    /// Column names as written in SQL, in CSV order.
    pub columns: Vec<String>,
    /// Column types (`uuid`, `integer`, `numeric(18, 2)`, ...), in CSV order.
    pub types: Vec<String>,
    /// Comment lines (without `-- `) explaining choices, written before the statement.
    pub notes: Vec<String>,
    /// `CREATE TABLE ...;`, with every constraint.
    pub create: String,
    /// The same without PRIMARY KEY, UNIQUE and FOREIGN KEY (columns, NOT NULL, CHECK):
    /// for a bulk load that adds the keys after the rows, in the same transaction.
    pub create_without_keys: String,
    /// `ALTER TABLE ... ADD PRIMARY KEY ..., ADD UNIQUE ..., ADD FOREIGN KEY ...;`, or
    /// `None` when the table has no keys.
    pub add_keys: Option<String>,
    /// Rules of this table that no constraint holds.
    pub queries: Vec<RuleQuery>,
}

impl TableSchema {
    /// `name (col, col, ...)`: the target of a `COPY`.
    pub fn copy_target(&self) -> String {
        format!("{} ({})", self.sql_name, self.columns.join(", "))
    }
}

/// Every entity's table, in catalog (parent-first) order. `now` resolves `now` in rules of
/// entities whose seed has no `generated_at` (`--now`); without it such a CHECK is left out
/// with a note. Fails when two entities map to the same table name.
pub fn tables(catalog: &Catalog, now: Option<Timestamp>) -> Result<Vec<TableSchema>, String> {
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
        .map(|i| table(catalog, i, now))
        .collect())
}

/// The field that gets the PRIMARY KEY: a uuid field named `id` that is unique (uuid_v4, or
/// declared unique), else the first uuid_v4 field.
pub fn primary_key(info: &EntityInfo) -> Option<usize> {
    info.fields
        .iter()
        .position(|f| {
            f.name == "id"
                && f.spec.column == ColumnType::Uuid
                && (f.spec.unique || f.spec.strategy == Strategy::UuidV4)
        })
        .or_else(|| {
            info.fields
                .iter()
                .position(|f| f.spec.strategy == Strategy::UuidV4)
        })
}

/// Whether field `field` of entity `entity` is the primary key or gets a UNIQUE constraint
/// in [`tables`]: a valid foreign key target.
fn is_key(catalog: &Catalog, entity: usize, field: usize) -> bool {
    let info = &catalog.entities[entity];
    let f = &info.fields[field];
    primary_key(info) == Some(field) || f.spec.unique || is_fk_target(catalog, entity, field)
}

/// A uuid_v4 field that some foreign key references: unique by construction, so it gets a
/// UNIQUE constraint to be referenced.
fn is_fk_target(catalog: &Catalog, entity: usize, field: usize) -> bool {
    catalog.entities[entity].fields[field].spec.strategy == Strategy::UuidV4
        && catalog.entities.iter().any(|e| {
            e.fields.iter().any(|f| {
                matches!(f.spec.strategy, Strategy::ForeignKey { parent, parent_field, .. }
                    if parent == entity && parent_field == field)
            })
        })
}

/// Whether a text value of this field can be the empty string.
fn may_be_empty(catalog: &Catalog, entity: usize, field: usize) -> bool {
    let f = &catalog.entities[entity].fields[field];
    if f.spec.column != ColumnType::Text {
        return false;
    }
    match f.spec.strategy {
        Strategy::Pool { values, .. } => values.contains(&""),
        Strategy::Template { pieces, .. } => pieces.iter().all(|p| match *p {
            TemplatePiece::Literal(s) => s.is_empty(),
            TemplatePiece::Field(j) => j != field && may_be_empty(catalog, entity, j),
            TemplatePiece::Index => false,
            TemplatePiece::Choice(values) => values.contains(&""),
        }),
        Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } => parent != entity && may_be_empty(catalog, parent, parent_field),
        _ => false,
    }
}

/// Number of digits before the point of the largest absolute value.
fn integer_digits(bound: f64) -> u32 {
    let mut n = bound.abs().ceil();
    let mut digits = 1;
    while n >= 10.0 {
        n /= 10.0;
        digits += 1;
    }
    digits
}

/// The column's SQL type.
fn sql_type(catalog: &Catalog, entity: usize, field: usize) -> String {
    let f = &catalog.entities[entity].fields[field];
    if let Strategy::ForeignKey {
        parent,
        parent_field,
        ..
    } = f.spec.strategy
    {
        if parent != entity {
            return sql_type(catalog, parent, parent_field);
        }
    }
    // The largest absolute value the strategy writes, when known.
    let bound = match f.spec.strategy {
        Strategy::Normal { min, max, .. } if min.is_finite() && max.is_finite() => {
            Some(min.abs().max(max.abs()))
        }
        Strategy::Pool { values, .. } => values.iter().try_fold(0f64, |m, v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(|x| m.max(x.abs()))
        }),
        _ => None,
    };
    match f.spec.column {
        ColumnType::Uuid => "uuid".to_string(),
        ColumnType::Timestamp => "timestamptz".to_string(),
        ColumnType::Text => "text".to_string(),
        ColumnType::Integer => match bound {
            Some(b) if b <= i32::MAX as f64 => "integer".to_string(),
            _ => "bigint".to_string(),
        },
        ColumnType::Decimal(scale) => match bound {
            // Room for the integer digits plus one (rounding at the bounds), at least 18.
            Some(b) => {
                let precision = (integer_digits(b) + scale + 1).max(18);
                if precision <= 1000 {
                    format!("numeric({precision}, {scale})")
                } else {
                    "numeric".to_string()
                }
            }
            None => "numeric".to_string(),
        },
    }
}

/// A number as an SQL literal.
fn number_literal(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A time as an SQL literal, or `None` for `now` without a value for it.
fn time_literal(t: TimeSpec, now: Option<Timestamp>) -> Option<String> {
    let secs = match t {
        TimeSpec::At(s) => s,
        TimeSpec::Now(off) => now?.0.saturating_add(off),
    };
    Some(format!("'{}'::timestamptz", Timestamp(secs)))
}

/// Renders rules as SQL boolean expressions.
struct RuleSql<'a> {
    catalog: &'a Catalog,
    entity: usize,
    /// `now` for this entity.
    now: Option<Timestamp>,
    /// Prefix of this row's columns (`c.` in queries, empty in CHECKs).
    row: &'a str,
}

impl RuleSql<'_> {
    fn column(&self, field: usize) -> String {
        format!(
            "{}{}",
            self.row,
            quote_ident(self.catalog.entities[self.entity].fields[field].name)
        )
    }

    fn operand(&self, rhs: Operand) -> Option<String> {
        let info = &self.catalog.entities[self.entity];
        Some(match rhs {
            Operand::Number(x) => number_literal(x),
            Operand::Time(t) => time_literal(t, self.now)?,
            Operand::Text(s) => quote_literal(s),
            Operand::Field(j) => self.column(j),
            Operand::Parent { fk, field } => {
                let Strategy::ForeignKey { parent, .. } = info.fields.get(fk)?.spec.strategy else {
                    return None;
                };
                let pf = self.catalog.entities.get(parent)?.fields.get(field)?;
                format!("p{fk}.{}", quote_ident(pf.name))
            }
        })
    }

    fn comparison(&self, field: usize, c: &Comparison) -> Option<String> {
        let mut lhs = self.column(field);
        let mut rhs = self.operand(c.rhs)?;
        let ordering = !matches!(c.op, CmpOp::Eq | CmpOp::Ne);
        let text = self.catalog.entities[self.entity].fields[field].spec.column == ColumnType::Text;
        if ordering && text {
            // The generator compares bytes; so does the "C" collation.
            lhs = format!("({lhs} COLLATE \"C\")");
            rhs = format!("({rhs} COLLATE \"C\")");
        }
        Some(format!("{lhs} {} {rhs}", c.op.sql_symbol()))
    }

    /// The rule as an expression, `None` when `now` has no value.
    fn rule(&self, field: usize, rule: &Rule) -> Option<String> {
        let many = rule.any_of.len() > 1;
        let mut parts = Vec::with_capacity(rule.any_of.len());
        for all in rule.any_of {
            let conj: Option<Vec<String>> = all.iter().map(|c| self.comparison(field, c)).collect();
            let conj = conj?.join(" AND ");
            parts.push(if many && all.len() > 1 {
                format!("({conj})")
            } else {
                conj
            });
        }
        Some(parts.join(" OR "))
    }
}

fn reads_parent(rule: &Rule) -> bool {
    rule.any_of
        .iter()
        .flat_map(|all| all.iter())
        .any(|c| matches!(c.rhs, Operand::Parent { .. }))
}

fn parent_fks(rule: &Rule) -> BTreeSet<usize> {
    rule.any_of
        .iter()
        .flat_map(|all| all.iter())
        .filter_map(|c| match c.rhs {
            Operand::Parent { fk, .. } => Some(fk),
            _ => None,
        })
        .collect()
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn table(catalog: &Catalog, index: usize, now_arg: Option<Timestamp>) -> TableSchema {
    let info = &catalog.entities[index];
    let name = table_name(info);
    let sql_name = quote_ident(&name);
    let now = info.generated_at.map(Timestamp).or(now_arg);
    let pk = primary_key(info);
    let mut notes = Vec::new();
    let mut items = Vec::new();
    let mut types = Vec::new();
    let mut constraints = Vec::new();
    let mut queries = Vec::new();

    for (j, f) in info.fields.iter().enumerate() {
        let col = quote_ident(f.name);
        let ty = sql_type(catalog, index, j);
        types.push(ty.clone());
        if may_be_empty(catalog, index, j) {
            notes.push(format!(
                "{col} can be an empty string, which COPY's CSV format reads as NULL: no NOT NULL."
            ));
            items.push(format!("{col} {ty}"));
        } else {
            items.push(format!("{col} {ty} NOT NULL"));
        }
    }
    match pk {
        Some(j) => constraints.push(format!(
            "PRIMARY KEY ({})",
            quote_ident(info.fields[j].name)
        )),
        None => notes.push(format!(
            "no PRIMARY KEY: `{}` has no uuid_v4 field.",
            info.name
        )),
    }
    for (j, f) in info.fields.iter().enumerate() {
        if Some(j) != pk && (f.spec.unique || is_fk_target(catalog, index, j)) {
            constraints.push(format!("UNIQUE ({})", quote_ident(f.name)));
        }
    }
    for f in info.fields {
        let Strategy::ForeignKey {
            parent,
            parent_field,
            ..
        } = f.spec.strategy
        else {
            continue;
        };
        let Some(p) = catalog.entities.get(parent) else {
            continue;
        };
        let ptable = quote_ident(&table_name(p));
        let pcol = quote_ident(p.fields[parent_field].name);
        let col = quote_ident(f.name);
        if is_key(catalog, parent, parent_field) {
            constraints.push(format!("FOREIGN KEY ({col}) REFERENCES {ptable} ({pcol})"));
        } else {
            notes.push(format!(
                "{col} references {ptable} ({pcol}), which is not unique: no FOREIGN KEY (PostgreSQL needs a unique target); a query at the end checks it."
            ));
            queries.push(RuleQuery {
                table: name.clone(),
                what: format!("every {name}.{} is in {}.{}", f.name, table_name(p), p.fields[parent_field].name),
                sql: format!(
                    "SELECT count(*) FROM {sql_name} AS c WHERE c.{col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {ptable} AS p WHERE p.{pcol} = c.{col})"
                ),
            });
        }
    }
    for (j, f) in info.fields.iter().enumerate() {
        for rule in f.spec.rules {
            if rule.any_of.is_empty() {
                continue;
            }
            let what = format!("{name}.{} {}", f.name, one_line(rule.text));
            if reads_parent(rule) {
                let r = RuleSql {
                    catalog,
                    entity: index,
                    now,
                    row: "c.",
                };
                let Some(expr) = r.rule(j, rule) else {
                    notes.push(format!(
                        "rule `{what}` uses `now`, but `{}` has no generated_at: pass --now to check it.",
                        info.name
                    ));
                    continue;
                };
                let mut from = format!("{sql_name} AS c");
                for fk in parent_fks(rule) {
                    let Strategy::ForeignKey {
                        parent,
                        parent_field,
                        ..
                    } = info.fields[fk].spec.strategy
                    else {
                        continue;
                    };
                    let p = &catalog.entities[parent];
                    let _ = write!(
                        from,
                        " JOIN {} AS p{fk} ON p{fk}.{} = c.{}",
                        quote_ident(&table_name(p)),
                        quote_ident(p.fields[parent_field].name),
                        quote_ident(info.fields[fk].name)
                    );
                }
                let sql = format!("SELECT count(*) FROM {from} WHERE NOT ({expr})");
                if !queries.iter().any(|q: &RuleQuery| q.sql == sql) {
                    queries.push(RuleQuery {
                        table: name.clone(),
                        what,
                        sql,
                    });
                }
            } else {
                let r = RuleSql {
                    catalog,
                    entity: index,
                    now,
                    row: "",
                };
                match r.rule(j, rule) {
                    Some(expr) => {
                        // A rule given twice (`constraint:` and `validations:`) is one CHECK.
                        let check = format!("CHECK ({expr})");
                        if !constraints.contains(&check) {
                            constraints.push(check);
                        }
                    }
                    None => notes.push(format!(
                        "no CHECK for rule `{what}`: it uses `now` and `{}` has no generated_at; pass --now.",
                        info.name
                    )),
                }
            }
        }
    }

    let create_with = |constraints: Vec<&String>| -> String {
        let body: Vec<String> = items
            .iter()
            .chain(constraints)
            .map(|s| format!("    {s}"))
            .collect();
        format!("CREATE TABLE {sql_name} (\n{}\n);", body.join(",\n"))
    };
    let create = create_with(constraints.iter().collect());
    let create_without_keys = create_with(
        constraints
            .iter()
            .filter(|c| c.starts_with("CHECK"))
            .collect(),
    );
    let keys: Vec<String> = constraints
        .iter()
        .filter(|c| !c.starts_with("CHECK"))
        .map(|c| format!("    ADD {c}"))
        .collect();
    let add_keys =
        (!keys.is_empty()).then(|| format!("ALTER TABLE {sql_name}\n{};", keys.join(",\n")));
    TableSchema {
        entity: index,
        name,
        sql_name,
        file_name: Path::new(info.output_file)
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        columns: info.fields.iter().map(|f| quote_ident(f.name)).collect(),
        types,
        notes,
        create,
        create_without_keys,
        add_keys,
        queries,
    }
}

/// `DROP TABLE IF EXISTS` for every table, children first.
pub fn drop_statements(tables: &[TableSchema]) -> String {
    let mut s = String::new();
    for t in tables.iter().rev() {
        let _ = writeln!(s, "DROP TABLE IF EXISTS {};", t.sql_name);
    }
    s
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
        one_line(catalog.config_dir)
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
            quote_literal(&one_line(&t.file_name))
        );
    }
    s.push_str(
        "-- or with `perfgen load postgres://USER@HOST:PORT/DB --create-tables`, or skip the files:\n\
         -- `perfgen generate --sink postgres://USER@HOST:PORT/DB --create-tables`.\n",
    );
    if drop {
        s.push('\n');
        s.push_str(&drop_statements(&tables));
    }
    for t in &tables {
        s.push('\n');
        for note in &t.notes {
            let _ = writeln!(s, "-- {}", one_line(note));
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

/// `perfgen schema`.
#[cfg(feature = "cli")]
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SchemaArgs {
    /// `now` for rules of entities whose seed file has no generated_at (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<Timestamp>,
    /// Start with `DROP TABLE IF EXISTS` for every table (children first).
    #[arg(long)]
    pub drop: bool,
}

#[cfg(feature = "cli")]
pub(crate) fn parse_now(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(s.trim()).ok_or_else(|| {
        "expected an RFC 3339 time such as 2024-01-01T00:00:00Z (or a date, 2024-01-01)".to_string()
    })
}

/// `perfgen schema`: prints the DDL to `out`.
#[cfg(feature = "cli")]
pub fn command(
    catalog: &Catalog,
    args: &SchemaArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    let text = render(catalog, args.now, args.drop)?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the schema: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::{Context, FieldInfo};
    use crate::output::WriteOptions;
    use crate::spec::{
        Enforcement, FieldSpec, ForeignKeyDistribution, PoolDistribution, RangeDistribution,
    };

    fn no_rows(
        _: &Context,
        _: std::ops::Range<u64>,
        _: &WriteOptions,
        _: &mut dyn std::io::Write,
    ) -> Result<u64, OutputError> {
        Ok(0)
    }

    const fn field(name: &'static str, spec: FieldSpec) -> FieldInfo {
        FieldInfo {
            name,
            rust_name: name,
            rust_type: "-",
            strategy: "-",
            spec,
        }
    }

    const fn cmp(op: CmpOp, rhs: Operand) -> Comparison {
        Comparison { op, rhs }
    }

    static USER_FIELDS: [FieldInfo; 5] = [
        field(
            "id",
            FieldSpec {
                column: ColumnType::Uuid,
                strategy: Strategy::UuidV4,
                unique: false,
                rules: &[],
            },
        ),
        field(
            "Name",
            FieldSpec {
                column: ColumnType::Text,
                strategy: Strategy::Pool {
                    values: &["", "b", "z"],
                    distribution: PoolDistribution::Uniform,
                },
                unique: false,
                rules: &[Rule {
                    text: ">= b AND <= c OR == z",
                    any_of: &[
                        &[
                            cmp(CmpOp::Ge, Operand::Text("b")),
                            cmp(CmpOp::Le, Operand::Text("c")),
                        ],
                        &[cmp(CmpOp::Eq, Operand::Text("z"))],
                    ],
                    enforcement: Enforcement::Filtered,
                }],
            },
        ),
        field(
            "balance",
            FieldSpec {
                column: ColumnType::Decimal(4),
                strategy: Strategy::Normal {
                    mean: 0.0,
                    stddev: 1.0,
                    min: f64::NEG_INFINITY,
                    max: f64::INFINITY,
                    integer: false,
                    precision: 4,
                },
                unique: false,
                rules: &[],
            },
        ),
        field(
            "seen_at",
            FieldSpec {
                column: ColumnType::Timestamp,
                strategy: Strategy::Range {
                    start: TimeSpec::At(0),
                    end: TimeSpec::Now(0),
                    distribution: RangeDistribution::Uniform,
                },
                unique: false,
                rules: &[Rule {
                    text: "<= now",
                    any_of: &[&[cmp(CmpOp::Le, Operand::Time(TimeSpec::Now(0)))]],
                    enforcement: Enforcement::Proven,
                }],
            },
        ),
        field(
            "big",
            FieldSpec {
                column: ColumnType::Integer,
                strategy: Strategy::Normal {
                    mean: 0.0,
                    stddev: 1e9,
                    min: -1e12,
                    max: 1e12,
                    integer: true,
                    precision: 0,
                },
                unique: false,
                rules: &[],
            },
        ),
    ];

    static KID_FIELDS: [FieldInfo; 3] = [
        field(
            "user_name",
            FieldSpec {
                column: ColumnType::Text,
                strategy: Strategy::ForeignKey {
                    parent: 0,
                    parent_field: 1,
                    distribution: ForeignKeyDistribution::Uniform,
                },
                unique: false,
                rules: &[],
            },
        ),
        field(
            "user_id",
            FieldSpec {
                column: ColumnType::Uuid,
                strategy: Strategy::ForeignKey {
                    parent: 0,
                    parent_field: 0,
                    distribution: ForeignKeyDistribution::Uniform,
                },
                unique: false,
                rules: &[],
            },
        ),
        field(
            "at",
            FieldSpec {
                column: ColumnType::Timestamp,
                strategy: Strategy::Range {
                    start: TimeSpec::At(0),
                    end: TimeSpec::At(100),
                    distribution: RangeDistribution::Uniform,
                },
                unique: false,
                rules: &[Rule {
                    text: ">= user.seen_at AND < now+1h",
                    any_of: &[&[
                        cmp(CmpOp::Ge, Operand::Parent { fk: 1, field: 3 }),
                        cmp(CmpOp::Lt, Operand::Time(TimeSpec::Now(3600))),
                    ]],
                    enforcement: Enforcement::Bounds,
                }],
            },
        ),
    ];

    static ENTITIES: [EntityInfo; 2] = [
        EntityInfo {
            name: "User",
            output_file: "out/user.csv",
            target_count: 10,
            batch_size: 0,
            parents: &[],
            fields: &USER_FIELDS,
            generated_at: None,
            uses_now: true,
            header: "id,Name,balance,seen_at,big\n",
            write_rows: no_rows,
        },
        EntityInfo {
            name: "Kid",
            output_file: "out/kids_bulk.csv",
            target_count: 10,
            batch_size: 0,
            parents: &[0],
            fields: &KID_FIELDS,
            generated_at: None,
            uses_now: false,
            header: "user_name,user_id,at\n",
            write_rows: no_rows,
        },
    ];

    static CATALOG: Catalog = Catalog {
        config_dir: "tests/edge",
        entities: &ENTITIES,
        default_seed: None,
    };

    #[test]
    fn edge_cases_without_now() {
        let t = tables(&CATALOG, None).unwrap();
        assert_eq!(t[0].name, "user");
        assert_eq!(t[0].sql_name, "\"user\"");
        assert_eq!(
            t[0].create,
            "CREATE TABLE \"user\" (\n\
             \x20   id uuid NOT NULL,\n\
             \x20   \"Name\" text,\n\
             \x20   balance numeric NOT NULL,\n\
             \x20   seen_at timestamptz NOT NULL,\n\
             \x20   big bigint NOT NULL,\n\
             \x20   PRIMARY KEY (id),\n\
             \x20   CHECK (((\"Name\" COLLATE \"C\") >= ('b' COLLATE \"C\") AND (\"Name\" COLLATE \"C\") <= ('c' COLLATE \"C\")) OR \"Name\" = 'z')\n\
             );"
        );
        assert_eq!(
            t[0].notes,
            [
                "\"Name\" can be an empty string, which COPY's CSV format reads as NULL: no NOT NULL.",
                "no CHECK for rule `user.seen_at <= now`: it uses `now` and `User` has no generated_at; pass --now.",
            ]
        );
        assert_eq!(t[1].name, "kids");
        assert_eq!(
            t[1].create,
            "CREATE TABLE kids (\n\
             \x20   user_name text,\n\
             \x20   user_id uuid NOT NULL,\n\
             \x20   at timestamptz NOT NULL,\n\
             \x20   FOREIGN KEY (user_id) REFERENCES \"user\" (id)\n\
             );"
        );
        assert_eq!(t[1].notes.len(), 4, "{:?}", t[1].notes);
        assert!(t[1].notes[2].contains("which is not unique: no FOREIGN KEY"));
        assert!(t[1].notes[3].contains("pass --now to check it"));
        assert_eq!(
            t[1].queries,
            [RuleQuery {
                table: "kids".into(),
                what: "every kids.user_name is in user.Name".into(),
                sql: "SELECT count(*) FROM kids AS c WHERE c.user_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"user\" AS p WHERE p.\"Name\" = c.user_name)".into(),
            }]
        );
    }

    #[test]
    fn edge_cases_with_now() {
        let t = tables(&CATALOG, Some(Timestamp(1_700_000_000))).unwrap();
        assert!(t[0]
            .create
            .contains("    CHECK (seen_at <= '2023-11-14T22:13:20Z'::timestamptz)\n"));
        assert_eq!(t[1].queries.len(), 2);
        assert_eq!(
            t[1].queries[1].sql,
            "SELECT count(*) FROM kids AS c JOIN \"user\" AS p1 ON p1.id = c.user_id WHERE NOT (c.at >= p1.seen_at AND c.at < '2023-11-14T23:13:20Z'::timestamptz)"
        );
        let all = render(&CATALOG, Some(Timestamp(1_700_000_000)), true).unwrap();
        assert!(all.contains("DROP TABLE IF EXISTS kids;\nDROP TABLE IF EXISTS \"user\";\n"));
        assert!(
            all.contains("--   \\copy \"user\" FROM 'user.csv' WITH (FORMAT csv, HEADER true)\n")
        );
    }

    #[test]
    fn two_entities_on_one_table_are_refused() {
        static SAME: [EntityInfo; 2] = [
            EntityInfo {
                output_file: "a/things_bulk.csv",
                ..ENTITIES[0]
            },
            EntityInfo {
                output_file: "b/things.csv",
                ..ENTITIES[0]
            },
        ];
        let catalog = Catalog {
            config_dir: "x",
            entities: &SAME,
            default_seed: None,
        };
        let e = tables(&catalog, None).unwrap_err();
        assert!(e.contains("both map to table `things`"), "{e}");
    }

    #[test]
    fn keywords_are_sorted_and_lower_case() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(KEYWORDS.iter().all(|k| k.bytes().all(|b| b != b'"')));
    }

    #[test]
    fn identifiers_are_quoted_where_needed() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("created_at"), "created_at");
        assert_eq!(quote_ident("_x1"), "_x1");
        assert_eq!(quote_ident("type"), "type");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("user-name"), "\"user-name\"");
        assert_eq!(quote_ident("2fa"), "\"2fa\"");
        assert_eq!(quote_ident("Email"), "\"Email\"");
        assert_eq!(quote_ident("Émail"), "\"Émail\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident(""), "\"\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "'a\\b'");
    }

    #[test]
    fn literals() {
        assert_eq!(number_literal(18.0), "18");
        assert_eq!(number_literal(-50.0), "-50");
        assert_eq!(number_literal(0.5), "0.5");
        assert_eq!(number_literal(1999.99), "1999.99");
        assert_eq!(
            time_literal(TimeSpec::At(1_640_995_200), None).as_deref(),
            Some("'2022-01-01T00:00:00Z'::timestamptz")
        );
        assert_eq!(time_literal(TimeSpec::Now(0), None), None);
        assert_eq!(
            time_literal(TimeSpec::Now(-86_400), Some(Timestamp(1_640_995_200))).as_deref(),
            Some("'2021-12-31T00:00:00Z'::timestamptz")
        );
        assert_eq!(integer_digits(2000.0), 4);
        assert_eq!(integer_digits(9.999), 2);
        assert_eq!(integer_digits(0.5), 1);
        assert_eq!(integer_digits(0.0), 1);
    }
}
