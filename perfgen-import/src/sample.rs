//! The seed sample: up to N rows per table in key order, parents first, each table's rows
//! chosen among those whose foreign keys point at sampled parent rows (then, when those are
//! fewer than N, the next rows in key order).

use crate::model::{ident, literal, Table};
use crate::profile::text_expr;
use crate::ImportError;
use postgres::GenericClient;
use std::collections::BTreeMap;

/// One sampled row: each column's text (as seeds write it), `None` for NULL.
pub type Row = Vec<Option<String>>;

/// Table names with parents before their children (keys to the table itself and cycles
/// aside: what remains of a cycle follows in name order).
pub fn parents_first(tables: &[Table]) -> Vec<String> {
    let mut done: Vec<String> = Vec::new();
    let mut left: Vec<&Table> = tables.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            t.foreign_keys.iter().all(|fk| {
                fk.parent == t.name
                    || done.contains(&fk.parent)
                    || !tables.iter().any(|o| o.name == fk.parent)
            })
        });
        let i = ready.unwrap_or(0);
        done.push(left.remove(i).name.clone());
    }
    done
}

/// Up to `n` rows of every table, by table name.
pub fn sample(
    db: &mut impl GenericClient,
    schema: &str,
    tables: &[Table],
    n: usize,
) -> Result<BTreeMap<String, Vec<Row>>, ImportError> {
    let mut out: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for name in parents_first(tables) {
        let table = tables.iter().find(|t| t.name == name).expect("listed");
        let rows = sample_table(db, schema, table, n, &out, tables)?;
        out.insert(name, rows);
    }
    Ok(out)
}

fn sample_table(
    db: &mut impl GenericClient,
    schema: &str,
    table: &Table,
    n: usize,
    sampled: &BTreeMap<String, Vec<Row>>,
    tables: &[Table],
) -> Result<Vec<Row>, ImportError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let t = format!("{}.{}", ident(schema), ident(&table.name));
    // Aliased, so that ORDER BY a key column sorts by the column, not by its text.
    let select: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} AS __perfgen_{i}", text_expr(c, &ident(&c.name))))
        .collect();
    let order = if table.primary_key.is_empty() {
        (1..=select.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        table
            .primary_key
            .iter()
            .map(|c| ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Each foreign key to a sampled parent: its members among the parent's sampled keys.
    let mut conditions = Vec::new();
    for fk in &table.foreign_keys {
        if fk.parent == table.name {
            continue;
        }
        let (Some(parent_rows), Some(parent)) = (
            sampled.get(&fk.parent),
            tables.iter().find(|p| p.name == fk.parent),
        ) else {
            continue;
        };
        let at: Vec<usize> = fk
            .parent_columns
            .iter()
            .filter_map(|pc| parent.columns.iter().position(|c| &c.name == pc))
            .collect();
        let tuples: Vec<String> = parent_rows
            .iter()
            .filter(|r| at.iter().all(|&i| r[i].is_some()))
            .map(|r| {
                let v: Vec<String> = at
                    .iter()
                    .map(|&i| literal(r[i].as_deref().unwrap_or_default()))
                    .collect();
                format!("({})", v.join(", "))
            })
            .collect();
        let members: Vec<String> = fk
            .columns
            .iter()
            .filter_map(|m| table.column(m))
            .map(|c| text_expr(c, &ident(&c.name)))
            .collect();
        let any_null: Vec<String> = fk
            .columns
            .iter()
            .map(|m| format!("{} IS NULL", ident(m)))
            .collect();
        let inside = if tuples.is_empty() {
            "false".to_string()
        } else {
            format!("({}) IN ({})", members.join(", "), tuples.join(", "))
        };
        conditions.push(format!("({} OR {inside})", any_null.join(" OR ")));
    }
    let condition = if conditions.is_empty() {
        "true".to_string()
    } else {
        conditions.join(" AND ")
    };
    let what = format!("sampling `{}`", table.name);
    let query = |db: &mut dyn FnMut(&str) -> Result<Vec<postgres::Row>, ImportError>,
                 filter: &str,
                 limit: usize| {
        db(&format!(
            "SELECT {} FROM {t} WHERE {filter} ORDER BY {order} LIMIT {limit}",
            select.join(", ")
        ))
    };
    let mut run = |sql: &str| db.query(sql, &[]).map_err(|e| ImportError::db(&what, &e));
    let mut rows = query(&mut run, &condition, n)?;
    if rows.len() < n && !conditions.is_empty() {
        let more = query(
            &mut run,
            &format!("({condition}) IS NOT TRUE"),
            n - rows.len(),
        )?;
        rows.extend(more);
    }
    Ok(rows
        .iter()
        .map(|r| (0..select.len()).map(|i| r.get(i)).collect())
        .collect())
}
