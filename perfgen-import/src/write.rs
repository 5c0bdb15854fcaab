//! The files `perfgen import` writes, as text: `schemas/<table>.yaml`,
//! `schemas/relationships.yaml`, `schemas/constraints.yaml` (docs/schemas.md), the seed
//! `performance/seeds/<table>_seed.yaml` and the multiply config
//! `performance/configs/<table>_multiply.yaml`.

use crate::draft::TablePlan;
use crate::model::{Kind, Table};
use crate::sample::Row;
use perfgen_codegen::infer::{write_field, yaml_key, yaml_quote};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Text for a `#` comment: line breaks and other controls become spaces.
pub fn comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The file stem of a table: its name, so that `load` finds the table by the output file's
/// name; only `/`, a backslash and control characters (which a file name cannot hold) become `_`.
pub fn stem(table: &str) -> String {
    table
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn flow_list(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| yaml_key(s)).collect();
    format!("[{}]", v.join(", "))
}

/// `schemas/<table>.yaml`.
pub fn schema_file(schema: &str, t: &Table, entity: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# The schema of table {}.{}, read by `perfgen import` (docs/schemas.md).",
        comment(schema),
        comment(&t.name)
    );
    let _ = writeln!(s, "entity: {}", yaml_quote(entity));
    let _ = writeln!(s, "table: {}", yaml_quote(&t.name));
    s.push_str("fields:\n");
    for c in &t.columns {
        let mut keys: Vec<String> = vec![format!("type: {}", c.kind.schema_type())];
        if !c.not_null {
            keys.push("nullable: true".into());
        }
        if t.primary_key.len() == 1 && t.primary_key[0] == c.name {
            keys.push("primary_key: true".into());
        } else if t.uniques.iter().any(|u| u.len() == 1 && u[0] == c.name) {
            keys.push("unique: true".into());
        }
        if c.kind == Kind::Enum {
            let labels: Vec<String> = c.enum_labels.iter().map(|l| yaml_quote(l)).collect();
            keys.push(format!("values: [{}]", labels.join(", ")));
        }
        if let Some(n) = c.max_length {
            keys.push(format!("max_length: {n}"));
        }
        if let Some(n) = c.fixed_length {
            keys.push(format!("length: {n}"));
        }
        if let Some((p, sc)) = c.precision_scale {
            keys.push(format!("precision: {p}, scale: {sc}"));
        }
        keys.push(format!("sql_type: {}", yaml_quote(&c.sql_type)));
        if let Some(d) = &c.default {
            keys.push(format!("default: {}", yaml_quote(d)));
        }
        let _ = writeln!(s, "  {}: {{{}}}", yaml_key(&c.name), keys.join(", "));
    }
    let groups: Vec<&Vec<String>> = t.uniques.iter().filter(|u| u.len() > 1).collect();
    if !groups.is_empty() {
        s.push_str("unique:\n");
        for g in groups {
            let _ = writeln!(s, "  - {}", flow_list(g));
        }
    }
    if t.primary_key.len() > 1 {
        let _ = writeln!(s, "primary_key: {}", flow_list(&t.primary_key));
    }
    s
}

/// `schemas/relationships.yaml`: every foreign key between imported tables.
pub fn relationships_file(
    tables: &[Table],
    entities: &BTreeMap<String, String>,
    plans: &BTreeMap<String, TablePlan>,
) -> String {
    let mut s = String::from(
        "# Foreign keys between the imported tables, read by `perfgen import` (docs/schemas.md).\nrelationships:",
    );
    let mut any = false;
    for t in tables {
        for fk in &t.foreign_keys {
            let Some(parent) = entities.get(&fk.parent) else {
                continue;
            };
            any = true;
            let me = &entities[&t.name];
            let side = |e: &str, cols: &[String]| -> String {
                let v: Vec<String> = cols
                    .iter()
                    .map(|c| yaml_quote(&format!("{e}.{c}")))
                    .collect();
                if v.len() == 1 {
                    v[0].clone()
                } else {
                    format!("[{}]", v.join(", "))
                }
            };
            let _ = write!(
                s,
                "\n  - from: {}\n    to: {}\n",
                side(me, &fk.columns),
                side(parent, &fk.parent_columns)
            );
            let optional = fk
                .columns
                .iter()
                .any(|c| t.column(c).is_some_and(|c| !c.not_null))
                || fk.parent == t.name;
            if optional {
                s.push_str("    optional: true\n");
            }
            let fan = plans.get(&t.name).and_then(|p| p.fan_out.as_ref());
            let is_fan_key = fan.is_some()
                && plans[&t.name]
                    .columns
                    .iter()
                    .any(|c| fk.columns.first() == Some(&c.name) && matches!(&c.guess, perfgen_codegen::infer::Guess::ForeignKey(k) if k.law == perfgen_codegen::infer::FkLaw::FanoutParent));
            if let (true, Some(f)) = (is_fan_key, fan) {
                let _ = writeln!(s, "    cardinality: {}", yaml_quote(&f.cardinality));
            }
        }
    }
    if !any {
        s.push_str(" []\n");
    }
    s
}

/// `schemas/constraints.yaml`: the CHECK constraints, as rules where they translate, else as
/// `sql:`.
pub fn constraints_file(plans: &BTreeMap<String, TablePlan>) -> String {
    let mut s = String::from(
        "# CHECK constraints of the imported tables, read by `perfgen import` (docs/schemas.md).\nconstraints:",
    );
    let mut any = false;
    for plan in plans.values() {
        for (field, rule) in &plan.validations {
            any = true;
            let _ = write!(
                s,
                "\n  - entity: {}\n    field: {}\n    rule: {}\n",
                yaml_quote(&plan.entity),
                yaml_quote(field),
                yaml_quote(rule)
            );
        }
        for (def, _) in &plan.refused {
            any = true;
            let _ = write!(
                s,
                "\n  - entity: {}\n    sql: {}\n",
                yaml_quote(&plan.entity),
                yaml_quote(def)
            );
        }
    }
    if !any {
        s.push_str(" []\n");
    }
    s
}

/// `performance/seeds/<table>_seed.yaml`: the sampled rows.
pub fn seed_file(schema: &str, t: &Table, entity: &str, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} of the {} rows of {}.{}, sampled by `perfgen import` in key order, parents first:",
        rows.len(),
        t.row_count,
        comment(schema),
        comment(&t.name)
    );
    s.push_str("# a row's foreign keys point at sampled parent rows where possible.\n");
    let _ = writeln!(s, "entity: {}", yaml_quote(entity));
    s.push_str("records:\n");
    for r in rows {
        for (i, c) in t.columns.iter().enumerate() {
            let lead = if i == 0 { "  - " } else { "    " };
            let v = match r.get(i).cloned().flatten() {
                Some(v) => yaml_quote(&v),
                None => "null".into(),
            };
            let _ = writeln!(s, "{lead}{}: {v}", yaml_key(&c.name));
        }
    }
    s
}

/// `performance/configs/<table>_multiply.yaml`.
pub fn config_file(schema: &str, t: &Table, plan: &TablePlan, sampled: usize) -> String {
    let name = stem(&t.name);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Drafted by `perfgen import` from table {}.{} ({} rows): each strategy from measurements",
        comment(schema),
        comment(&t.name),
        t.row_count
    );
    s.push_str("# of the whole table (see its notes); review them before relying on the data.\n");
    for n in &plan.notes {
        let _ = writeln!(s, "# {}", comment(n));
    }
    let _ = writeln!(s, "entity: {}", yaml_quote(&plan.entity));
    if sampled > 0 {
        let _ = writeln!(
            s,
            "seed_file: {}",
            yaml_quote(&format!("../seeds/{name}_seed.yaml"))
        );
    }
    let _ = writeln!(
        s,
        "output_file: {}",
        yaml_quote(&format!("../output/{name}_bulk.csv"))
    );
    match &plan.fan_out {
        Some(f) => {
            let _ = writeln!(
                s,
                "# {} rows in the source; the row count follows from the children per parent.",
                t.row_count
            );
            let _ = writeln!(s, "children_of:\n  # {}", comment(&f.note));
            let _ = writeln!(
                s,
                "  entity: {}\n  count: {}",
                yaml_quote(&f.parent_entity),
                f.count
            );
        }
        None => {
            let _ = writeln!(s, "target_count: {}", t.row_count.max(0));
        }
    }
    if !plan.unique_together.is_empty() {
        s.push_str("unique_together:\n");
        for g in &plan.unique_together {
            let _ = writeln!(s, "  - {}", flow_list(g));
        }
    }
    s.push_str("\nfield_strategies:\n");
    for (i, c) in plan.columns.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        write_field(&mut s, &c.name, &c.notes, &c.guess, c.unique, c.null_rate);
    }
    if !plan.validations.is_empty() {
        s.push_str("\nvalidations:\n");
        for (field, rule) in &plan.validations {
            let _ = writeln!(
                s,
                "  - field: {}\n    rule: {}",
                yaml_quote(field),
                yaml_quote(rule)
            );
        }
    }
    s
}
