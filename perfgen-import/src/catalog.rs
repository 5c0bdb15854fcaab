//! Reading the tables of one schema from `pg_catalog`: columns in order with their types,
//! NOT NULL, defaults, identity and sequence defaults, enum labels, primary, unique and
//! foreign keys (composite ones member by member) and CHECK constraints.

use crate::model::{ident, Check, Column, ForeignKey, Kind, Table};
use crate::ImportError;
use postgres::GenericClient;
use std::collections::BTreeMap;

/// The tables of `schema` (ordinary and partitioned), by name, restricted to `only` when it
/// is not empty (every name in it must exist).
pub fn read_tables(
    db: &mut impl GenericClient,
    schema: &str,
    only: &[String],
) -> Result<Vec<Table>, ImportError> {
    let rows = db
        .query(
            "SELECT c.oid, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
             ORDER BY c.relname",
            &[&schema],
        )
        .map_err(|e| ImportError::db("listing the tables", &e))?;
    let found: Vec<(u32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    if found.is_empty() {
        return Err(ImportError::Usage(format!(
            "schema `{schema}` has no tables (or does not exist); name another with --schema"
        )));
    }
    for name in only {
        if !found.iter().any(|(_, n)| n == name) {
            let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
            return Err(ImportError::Usage(format!(
                "--tables: schema `{schema}` has no table `{name}` (it has {})",
                names.join(", ")
            )));
        }
    }
    let oids: BTreeMap<u32, String> = found.iter().cloned().collect();
    let mut out = Vec::new();
    for (oid, name) in &found {
        if !only.is_empty() && !only.contains(name) {
            continue;
        }
        out.push(read_table(db, schema, *oid, name, &oids)?);
    }
    Ok(out)
}

fn read_table(
    db: &mut impl GenericClient,
    schema: &str,
    oid: u32,
    name: &str,
    tables: &BTreeMap<u32, String>,
) -> Result<Table, ImportError> {
    let what = format!("reading the columns of `{name}`");
    let rows = db
        .query(
            "SELECT a.attnum, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                    t.typname::text, t.typtype::text, a.attnotnull, \
                    pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.atttypmod, \
                    a.atttypid \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped \
               AND a.attgenerated = '' \
             ORDER BY a.attnum",
            &[&oid],
        )
        .map_err(|e| ImportError::db(&what, &e))?;
    let mut by_num: BTreeMap<i16, String> = BTreeMap::new();
    let mut columns = Vec::new();
    for r in &rows {
        let num: i16 = r.get(0);
        let col_name: String = r.get(1);
        let type_name: String = r.get(3);
        let typtype: String = r.get(4);
        let default: Option<String> = r.get(6);
        let identity: String = r.get(7);
        let typmod: i32 = r.get(8);
        let type_oid: u32 = r.get(9);
        let kind = Kind::of(&type_name, &typtype);
        let enum_labels = if kind == Kind::Enum {
            db.query(
                "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder",
                &[&type_oid],
            )
            .map_err(|e| ImportError::db(&what, &e))?
            .iter()
            .map(|r| r.get(0))
            .collect()
        } else {
            Vec::new()
        };
        let char_len = (typmod >= 4).then(|| (typmod - 4) as u32);
        let numeric = (type_name == "numeric" && typmod >= 4).then(|| {
            let m = (typmod - 4) as u32;
            ((m >> 16) & 0xFFFF, m & 0xFFFF)
        });
        let sequence_default = default.as_deref().is_some_and(|d| d.contains("nextval("));
        by_num.insert(num, col_name.clone());
        columns.push(Column {
            name: col_name,
            sql_type: r.get(2),
            kind,
            not_null: r.get(5),
            default,
            identity: !identity.is_empty() || sequence_default,
            enum_labels,
            max_length: if type_name == "varchar" {
                char_len
            } else {
                None
            },
            fixed_length: if type_name == "bpchar" {
                char_len
            } else {
                None
            },
            precision_scale: numeric,
            type_name,
        });
    }
    let names = |nums: &[i16]| -> Vec<String> {
        nums.iter().filter_map(|n| by_num.get(n).cloned()).collect()
    };
    let mut table = Table {
        name: name.to_string(),
        columns,
        primary_key: Vec::new(),
        uniques: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        row_count: 0,
    };
    let what = format!("reading the constraints of `{name}`");
    let cons = db
        .query(
            "SELECT conname::text, contype::text, conkey, confrelid, confkey, \
                    pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE conrelid = $1 ORDER BY conname",
            &[&oid],
        )
        .map_err(|e| ImportError::db(&what, &e))?;
    for r in &cons {
        let con_name: String = r.get(0);
        let kind: String = r.get(1);
        let key: Vec<i16> = r.get::<_, Option<Vec<i16>>>(2).unwrap_or_default();
        match kind.as_str() {
            "p" => table.primary_key = names(&key),
            "u" => table.uniques.push(names(&key)),
            "c" => table.checks.push(Check {
                name: con_name,
                definition: r.get(5),
            }),
            "f" => {
                let parent_oid: u32 = r.get(3);
                let parent_key: Vec<i16> = r.get::<_, Option<Vec<i16>>>(4).unwrap_or_default();
                let parent_cols = parent_columns(db, parent_oid, &parent_key)?;
                let Some(parent) = tables.get(&parent_oid) else {
                    // A parent in another schema: kept out of the draft (a note says so).
                    table.foreign_keys.push(ForeignKey {
                        name: con_name,
                        columns: names(&key),
                        parent: String::new(),
                        parent_columns: parent_cols,
                    });
                    continue;
                };
                table.foreign_keys.push(ForeignKey {
                    name: con_name,
                    columns: names(&key),
                    parent: parent.clone(),
                    parent_columns: parent_cols,
                });
            }
            _ => {}
        }
    }
    // Unique indexes that are not constraints (CREATE UNIQUE INDEX), without expressions or
    // predicates.
    let idx = db
        .query(
            "SELECT i.indkey::int2[] FROM pg_index i \
             WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL \
               AND i.indexprs IS NULL \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
             ORDER BY i.indexrelid",
            &[&oid],
        )
        .map_err(|e| ImportError::db(&what, &e))?;
    for r in &idx {
        let key: Vec<i16> = r.get(0);
        table.uniques.push(names(&key));
    }
    let count_sql = format!("SELECT count(*) FROM {}.{}", ident(schema), ident(name));
    table.row_count = db
        .query_one(&count_sql, &[])
        .map_err(|e| ImportError::db(&format!("counting the rows of `{name}`"), &e))?
        .get(0);
    Ok(table)
}

fn parent_columns(
    db: &mut impl GenericClient,
    parent: u32,
    nums: &[i16],
) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    for n in nums {
        let row = db
            .query_one(
                "SELECT attname::text FROM pg_attribute WHERE attrelid = $1 AND attnum = $2",
                &[&parent, n],
            )
            .map_err(|e| ImportError::db("reading a foreign key's parent columns", &e))?;
        out.push(row.get(0));
    }
    Ok(out)
}
