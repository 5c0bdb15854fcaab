//! `perfgen list`: what was compiled in.

use crate::entities::entity_aliases;
use perfgen_runtime::catalog::Catalog;
use std::io::{self, Write};

/// `list`: every entity with its row count and file, and every field with its CSV name,
/// Rust type and strategy, and where it may be NULL.
pub(crate) fn list(catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let mut s = format!("perfgen generator built from `{}`\n", catalog.config_dir);
    // The rows of a `children_of` entity follow from its parent's, drawn with the seed.
    let seed = catalog.default_seed.unwrap_or(42);
    let mut rows: Vec<u64> = catalog.entities.iter().map(|e| e.target_count).collect();
    crate::entities::fan_outs(catalog, seed, &mut rows, 0);
    for (i, e) in catalog.entities.iter().enumerate() {
        s.push('\n');
        let aliases = entity_aliases(e);
        s.push_str(&format!(
            "{}: {} rows -> {}",
            e.name,
            perfgen_dataset::human::thousands(rows[i]),
            e.output_file
        ));
        if let Some(f) = e.fan_out {
            let (lo, hi) = f.count.bounds();
            let per = if lo == hi {
                lo.to_string()
            } else {
                format!("{lo} to {hi}")
            };
            let parent = catalog.entities[f.parent].name;
            s.push_str(&format!("  ({per} per {parent} row, seed {seed})"));
        }
        if aliases.len() > 1 {
            s.push_str(&format!("  (names: {})", aliases[1..].join(", ")));
        }
        s.push('\n');
        if !e.parents.is_empty() {
            let parents: Vec<&str> = e
                .parents
                .iter()
                .filter_map(|&p| catalog.entities.get(p).map(|p| p.name))
                .collect();
            s.push_str(&format!("  references: {}\n", parents.join(", ")));
        }
        let name_w = e
            .fields
            .iter()
            .map(|f| f.name.chars().count())
            .max()
            .unwrap_or(0);
        let type_w = e
            .fields
            .iter()
            .map(|f| f.rust_type.chars().count())
            .max()
            .unwrap_or(0);
        for f in e.fields {
            let line = format!(
                "  {:<nw$}  {:<tw$}  {}",
                f.name,
                f.rust_type,
                f.strategy,
                nw = name_w,
                tw = type_w
            );
            s.push_str(line.trim_end());
            let nulls = f.spec.nulls;
            if nulls.rate > 0.0 {
                s.push_str(&format!("  (nullable: null_rate {})", nulls.rate));
            } else if nulls.nullable
                && matches!(
                    f.spec.strategy,
                    perfgen_runtime::spec::Strategy::Expression { .. }
                )
            {
                s.push_str("  (nullable: NULL where its expression is NULL)");
            } else if nulls.nullable {
                s.push_str("  (nullable: NULL where a field it is computed from is NULL)");
            }
            s.push('\n');
        }
    }
    out.write_all(s.as_bytes())?;
    out.flush()
}
