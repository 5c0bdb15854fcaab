//! Comments above a guess: a foreign key a field's values suggest, a time field that never
//! precedes another (a derived field), and the entity names a seed's file name gives.

use super::guess::{is_uuid, time_of};
use super::text::{yaml_key, yaml_quote};
use super::{FieldDraft, Guess, Sibling};
use crate::seed::SeedDoc;
use crate::strategy::{duration, foreign_key};
use std::collections::HashSet;
use std::path::Path;

/// Comment lines suggesting a foreign key, when `field` looks like a reference to another
/// seed's entity. The draft keeps its own guess: a foreign key only builds once the
/// parent's config is in the same folder.
pub(super) fn foreign_key_hint(
    seed: &SeedDoc,
    field: &str,
    siblings: &[Sibling],
) -> Option<Vec<String>> {
    let distinct: Vec<String> = seed.pool(field).unwrap_or_default();
    // 1. The seed's own metadata: `patterns.<field>.reference: Entity.field`.
    let declared = seed
        .patterns
        .as_ref()
        .and_then(|p| p.get(field))
        .and_then(|p| p.get("reference"))
        .and_then(|r| r.as_str())
        .and_then(|r| r.split_once('.'))
        .map(|(e, f)| (e.trim().to_string(), f.trim().to_string()));
    // 2. Key-like values (UUIDs, or a field named `*_id`) that are the values of another
    // seed's key column (a field whose values are all distinct); most shared values wins.
    let id_like = field.ends_with("_id")
        || field.ends_with("Id")
        || (!distinct.is_empty() && distinct.iter().all(|v| is_uuid(v)));
    let mut by_values: Option<(usize, &Sibling, String)> = None;
    if id_like {
        for s in siblings {
            for f in &s.seed.field_order {
                let all = s.seed.values.get(f).map(Vec::as_slice).unwrap_or(&[]);
                let theirs: HashSet<&str> = all.iter().map(String::as_str).collect();
                if theirs.len() != all.len() {
                    continue;
                }
                let shared = distinct
                    .iter()
                    .filter(|v| theirs.contains(v.as_str()))
                    .count();
                let better = match &by_values {
                    None => true,
                    Some((n, _, _)) => shared > *n,
                };
                if shared > 0 && better {
                    by_values = Some((shared, s, f.clone()));
                }
            }
        }
    }
    let sibling_entity = |s: &Sibling| -> String {
        s.seed
            .entity
            .as_ref()
            .map(|e| e.value.clone())
            .unwrap_or_else(|| {
                let stem = Path::new(&s.file_name)
                    .file_stem()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default();
                entity_from_stem(stem.strip_suffix("_seed").unwrap_or(&stem))
            })
    };
    let (entity, parent_field, why) = if let Some((e, f)) = declared {
        (e, f, "the seed's `patterns` name it".to_string())
    } else if let Some((shared, s, f)) = by_values {
        (
            sibling_entity(s),
            f.clone(),
            format!(
                "{shared} of its {} distinct values are `{f}` values in {}",
                distinct.len(),
                s.file_name
            ),
        )
    } else {
        // 3. By name: `user_id` and a seed of entity `User` (or file users_seed.yaml).
        let base = field
            .strip_suffix("_id")
            .or_else(|| field.strip_suffix("Id"))?;
        let key = normalize(base);
        let s = siblings.iter().find(|s| {
            let stem = normalize(
                Path::new(&s.file_name)
                    .file_stem()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default()
                    .trim_end_matches("_seed"),
            );
            normalize(&sibling_entity(s)) == key
                || stem == key
                || stem == format!("{key}s")
                || stem == format!("{key}es")
        })?;
        (
            sibling_entity(s),
            "id".to_string(),
            format!("its name matches {}", s.file_name),
        )
    };
    Some(vec![
        format!(
            "foreign key? `{field}` looks like a reference to `{entity}.{parent_field}` ({why})."
        ),
        format!("once {entity}'s config is in this folder, replace the strategy below with:"),
        format!("  strategy: {}", foreign_key::NAME),
        format!("  reference_entity: {}", yaml_quote(&entity)),
        format!("  reference_field: {}", yaml_quote(&parent_field)),
    ])
}

/// A comment when the time field `fields[i]` is never before an earlier time field in
/// any record (`updated_at` after `created_at`): a derived field may fit better.
pub(super) fn derived_time_hint(seed: &SeedDoc, fields: &[FieldDraft], i: usize) -> Option<String> {
    let mine = seed.values.get(&fields[i].name)?;
    if mine.len() != seed.record_count {
        return None;
    }
    let mine: Vec<i64> = mine.iter().map(|v| time_of(v)).collect::<Option<_>>()?;
    for base in fields[..i]
        .iter()
        .filter(|f| matches!(f.guess, Guess::Range { .. }))
    {
        let Some(theirs) = seed.values.get(&base.name) else {
            continue;
        };
        if theirs.len() != seed.record_count {
            continue;
        }
        let Some(theirs) = theirs
            .iter()
            .map(|v| time_of(v))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let gaps: Vec<i64> = mine.iter().zip(&theirs).map(|(a, b)| a - b).collect();
        if gaps.iter().all(|&g| g >= 0) {
            let lo = gaps.iter().min().copied().unwrap_or(0) / 86_400;
            let hi = (gaps.iter().max().copied().unwrap_or(0) + 86_399) / 86_400;
            return Some(format!(
                "never before `{}` in the seed: perhaps `strategy: {}`, `base_field: {}`, `operation: {}`, `min_duration: {lo}d`, `max_duration: {hi}d`",
                base.name,
                duration::NAME,
                yaml_key(&base.name),
                duration::ADD_RANDOM_DURATION
            ));
        }
    }
    None
}

/// `users` -> `User`, `order_items` -> `OrderItem`: the entity name of a seed without one.
pub fn entity_from_stem(stem: &str) -> String {
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        let w = if i + 1 == words.len() {
            singular(w)
        } else {
            w.to_string()
        };
        let mut cs = w.chars();
        if let Some(c) = cs.next() {
            out.extend(c.to_uppercase());
            out.push_str(cs.as_str());
        }
    }
    if out.is_empty() {
        "Record".into()
    } else {
        out
    }
}

pub(super) fn singular(w: &str) -> String {
    if let Some(s) = w.strip_suffix("ies").filter(|s| !s.is_empty()) {
        format!("{s}y")
    } else if w.ends_with("ss") || w.len() <= 2 {
        w.to_string()
    } else if let Some(s) = w.strip_suffix('s') {
        s.to_string()
    } else {
        w.to_string()
    }
}

pub(super) fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
