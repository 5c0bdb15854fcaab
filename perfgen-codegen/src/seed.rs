//! Seed files: example records of one entity (and the `patterns` lists templates draw
//! from), read from a positioned YAML tree into a [`SeedDoc`]. Every problem is recorded;
//! reading carries on past it.

use crate::diag::{Diagnostics, FileId, Loc, Spanned};
use crate::values;
use crate::yaml::{check_keys, scalar, UnknownKeys, Yaml};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One seed file.
#[derive(Debug, Clone)]
pub struct SeedDoc {
    pub file: FileId,
    pub path: PathBuf,
    pub top: Loc,
    pub entity: Option<Spanned<String>>,
    pub generated_at: Option<i64>,
    pub patterns: Option<Yaml>,
    /// Field names in the order they first appear in the records.
    pub field_order: Vec<String>,
    /// Scalar values per field across the records, in record order (nulls skipped).
    pub values: BTreeMap<String, Vec<String>>,
    /// Where each field first appears in the records.
    pub field_locs: BTreeMap<String, Loc>,
    pub record_count: usize,
}

impl SeedDoc {
    /// Distinct values of `field` in order of first appearance: the field's seed pool.
    pub fn pool(&self, field: &str) -> Option<Vec<String>> {
        let all = self.values.get(field)?;
        let mut seen = std::collections::HashSet::new();
        Some(
            all.iter()
                .filter(|v| seen.insert(v.as_str()))
                .cloned()
                .collect(),
        )
    }

    /// A list under `patterns` serving placeholder `name`: a key `name` or its plural
    /// (`domains` serves `{domain}`), at the top of `patterns` or one level down
    /// (`patterns.email.domains`), first in document order.
    pub fn pattern_list(&self, name: &str) -> Option<Vec<String>> {
        let patterns = self.patterns.as_ref()?;
        let wanted = [name.to_string(), format!("{name}s"), format!("{name}es")];
        let as_list = |y: &Yaml| -> Option<Vec<String>> {
            let seq = y.as_seq()?;
            seq.iter().map(|v| v.as_str().map(str::to_string)).collect()
        };
        let map = patterns.as_map()?;
        for (k, v) in map {
            if wanted.contains(&k.text) {
                if let Some(list) = as_list(v) {
                    return Some(list);
                }
            }
        }
        for (_, v) in map {
            for (k2, v2) in v.as_map().unwrap_or(&[]) {
                if wanted.contains(&k2.text) {
                    if let Some(list) = as_list(v2) {
                        return Some(list);
                    }
                }
            }
        }
        None
    }
}

const SEED_KEYS: &[&str] = &[
    "entity",
    "seed_count",
    "target_multiplication",
    "generated_at",
    "patterns",
    "records",
    "description",
];

/// Read a seed file from its parsed tree.
pub fn read_seed(file: FileId, path: &Path, root: &Yaml, diags: &mut Diagnostics) -> SeedDoc {
    let mut doc = SeedDoc {
        file,
        path: path.to_path_buf(),
        top: root.loc,
        entity: None,
        generated_at: None,
        patterns: None,
        field_order: Vec::new(),
        values: BTreeMap::new(),
        field_locs: BTreeMap::new(),
        record_count: 0,
    };
    let Some(map) = root.as_map() else {
        diags
            .error(root.loc, "a seed file must be a mapping")
            .help("start with `entity: Name`");
        return doc;
    };
    check_keys(map, SEED_KEYS, "a seed file", UnknownKeys::Ignore, diags);
    let mut seed_count = None;
    for (k, v) in map {
        match k.text.as_str() {
            "entity" => doc.entity = scalar(v, "entity", diags),
            "generated_at" => {
                if let Some(s) = scalar(v, "generated_at", diags) {
                    match values::absolute_time(&s.value) {
                        Some(t) => doc.generated_at = Some(t),
                        None => {
                            diags
                                .error(
                                    s.loc,
                                    format!(
                                        "`generated_at` must be an RFC 3339 time, got `{}`",
                                        s.value
                                    ),
                                )
                                .help("write e.g. `generated_at: 2024-01-15T12:00:00Z`");
                        }
                    }
                }
            }
            "seed_count" => seed_count = v.as_str().and_then(values::count).map(|n| (n, v.loc)),
            "patterns" => doc.patterns = Some(v.clone()),
            "records" => read_records(v, &mut doc, diags),
            _ => {}
        }
    }
    if map.iter().all(|(k, _)| k.text != "records") {
        diags
            .error(root.loc, "seed file has no `records`")
            .help("add `records:` with a list of example rows");
    } else if doc.record_count == 0 {
        let loc = root.get("records").map(|y| y.loc).unwrap_or(root.loc);
        diags
            .error(loc, "seed file has no records")
            .help("add at least one record under `records:`");
    }
    if let Some((n, loc)) = seed_count {
        if n as usize != doc.record_count && doc.record_count > 0 {
            diags
                .warning(
                    loc,
                    format!(
                        "`seed_count` is {n} but the file has {} records",
                        doc.record_count
                    ),
                )
                .help("update `seed_count` to match the records");
        }
    }
    doc
}

fn read_records(v: &Yaml, doc: &mut SeedDoc, diags: &mut Diagnostics) {
    let Some(seq) = v.as_seq() else {
        if !v.is_null() {
            diags
                .error(
                    v.loc,
                    format!(
                        "`records` must be a list of mappings, found {}",
                        v.kind_name()
                    ),
                )
                .help("write `records:` then `  - id: ...` items");
        }
        return;
    };
    for item in seq {
        let Some(map) = item.as_map() else {
            diags
                .error(
                    item.loc,
                    format!(
                        "a seed record must be a mapping, found {}",
                        item.kind_name()
                    ),
                )
                .help("write each record as `- field: value` lines");
            continue;
        };
        doc.record_count += 1;
        for (k, val) in map {
            if !doc.field_order.contains(&k.text) {
                doc.field_order.push(k.text.clone());
                doc.field_locs.insert(k.text.clone(), k.loc);
            }
            let entry = doc.values.entry(k.text.clone()).or_default();
            if val.is_null() {
                continue;
            }
            match val.as_str() {
                Some(s) => entry.push(s.to_string()),
                None => {
                    diags
                        .error(
                            val.loc,
                            format!(
                                "seed value of `{}` must be a single value, found {}",
                                k.text,
                                val.kind_name()
                            ),
                        )
                        .help("seed records hold one value per field");
                }
            }
        }
    }
}
