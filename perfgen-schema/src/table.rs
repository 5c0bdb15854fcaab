//! One entity's [`TableSchema`]: its columns, constraints and rule queries.

use crate::columns::{is_fk_target, is_key, may_be_empty, primary_key, sql_type};
use crate::names::{one_line, quote_ident, table_name};
use crate::rule_sql::{parent_fks, reads_parent, RuleSql};
use perfgen_runtime::catalog::Catalog;
use perfgen_runtime::spec::Strategy;
use perfgen_runtime::time::Timestamp;
use std::fmt::Write as _;
use std::path::Path;

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
    /// Table name, unquoted (see [`table_name`](crate::table_name)).
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
/// The table of entity `index`; `now_arg` is `--now` (see [`crate::tables`]).
pub(crate) fn table(catalog: &Catalog, index: usize, now_arg: Option<Timestamp>) -> TableSchema {
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
