//! `perfgen infer DIR`: a draft for every seed file of a folder, with foreign keys between
//! them. A field whose values are all values of another seed's key (a field whose values
//! are all distinct) is drafted as a `foreign_key_reference` to it instead of its own guess,
//! and a time field that is never before a time field of the parent row in any sampled
//! pair gets the validation `>= parent.field`.

use super::guess::time_of;
use super::{
    entity_from_stem, guess_fields, render_draft, DraftRule, FieldDraft, FkLaw, ForeignKeyDraft,
    Guess, Inference, Sibling,
};
use crate::diag::{Diagnostics, Loc, Sources};
use crate::seed::SeedDoc;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// One seed file's draft in a folder.
#[derive(Debug)]
pub struct FolderDraft {
    /// The seed file's name (`users_seed.yaml`).
    pub file_name: String,
    /// The config's stem (`users` for `users_seed.yaml`): the draft is
    /// `configs/<stem>_multiply.yaml`.
    pub stem: String,
    pub inference: Inference,
}

/// A seed file read without errors, with its `target_multiplication`.
type ReadSeed = (SeedDoc, Option<u64>);

/// The entity a seed stands for: its `entity:`, else its file name's (`order_items_seed.yaml`
/// -> `OrderItem`).
fn entity_of(seed: &SeedDoc, stem: &str) -> String {
    seed.entity
        .as_ref()
        .map(|e| e.value.clone())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| entity_from_stem(stem))
}

fn stem_of(file_name: &str) -> String {
    let stem = Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    match stem.strip_suffix("_seed") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => stem,
    }
}

/// Drafts for every `*.yaml`/`*.yml` seed file of `dir` (shown as `shown` in messages), in
/// file name order.
pub fn infer_dir(dir: &Path, shown: &str) -> Vec<FolderDraft> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    // Read every seed, each with its own diagnostics.
    let mut read: Vec<(String, Inference, Option<ReadSeed>)> = Vec::new();
    for p in &paths {
        let file_name = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut sources = Sources::default();
        let mut d = Diagnostics::default();
        let shown_file = format!("{}/{file_name}", shown.trim_end_matches('/'));
        let at = Loc::start_of(sources.add(p.clone(), shown_file.clone(), String::new()));
        let ok = super::read_seed_file(p, shown_file, &mut sources, &mut d, at);
        read.push((
            file_name,
            Inference {
                sources,
                diagnostics: d.into_sorted(),
                draft: None,
            },
            ok,
        ));
    }
    let siblings: Vec<Sibling> = read
        .iter()
        .filter_map(|(name, _, ok)| {
            ok.as_ref().map(|(seed, _)| Sibling {
                file_name: name.clone(),
                seed: seed.clone(),
            })
        })
        .collect();
    let mut edges: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for (file_name, mut inference, ok) in read {
        let stem = stem_of(&file_name);
        if let Some((seed, target)) = ok {
            let others: Vec<Sibling> = siblings
                .iter()
                .filter(|s| s.file_name != file_name)
                .cloned()
                .collect();
            let mut fields = guess_fields(&seed, &others);
            let me = entity_of(&seed, &stem);
            let rules = link(&seed, &me, &mut fields, &others, &mut edges);
            inference.draft = Some(render_draft(&seed, &file_name, target, &fields, &rules));
        }
        out.push(FolderDraft {
            file_name,
            stem,
            inference,
        });
    }
    out
}

/// The values of `field` record by record (`None` where a record has none), when the seed
/// has them for every record.
fn column<'a>(seed: &'a SeedDoc, field: &str) -> Option<&'a [String]> {
    let v = seed.values.get(field)?;
    (v.len() == seed.record_count).then_some(v.as_slice())
}

/// Foreign keys from `seed`'s fields to the other seeds' keys (`fields` rewritten), and the
/// rules they give.
fn link(
    seed: &SeedDoc,
    me: &str,
    fields: &mut [FieldDraft],
    others: &[Sibling],
    edges: &mut Vec<(String, String)>,
) -> Vec<DraftRule> {
    let mut rules = Vec::new();
    let first = seed.field_order.first().cloned();
    for i in 0..fields.len() {
        let name = fields[i].name.clone();
        if Some(&name) == first.as_ref() || name == "id" {
            continue;
        }
        let Some(mine) = seed.pool(&name).filter(|p| !p.is_empty()) else {
            continue;
        };
        let mut best: Option<(bool, &Sibling, String, String)> = None;
        for s in others {
            let stem = stem_of(&s.file_name);
            let entity = entity_of(&s.seed, &stem);
            if entity == me || edges.contains(&(entity.clone(), me.to_string())) {
                continue; // its own entity, or a cycle
            }
            for key in &s.seed.field_order {
                let all = s.seed.values.get(key).map(Vec::as_slice).unwrap_or(&[]);
                let theirs: HashSet<&str> = all.iter().map(String::as_str).collect();
                if theirs.len() != all.len() || all.is_empty() {
                    continue;
                }
                if !mine.iter().all(|v| theirs.contains(v.as_str())) {
                    continue;
                }
                let base = name
                    .strip_suffix("_id")
                    .unwrap_or(&name)
                    .replace('_', "")
                    .to_lowercase();
                let named =
                    entity.to_lowercase() == base || stem.replace('_', "").starts_with(&base);
                if best.as_ref().is_none_or(|b| named && !b.0) {
                    best = Some((named, s, entity.clone(), key.clone()));
                }
            }
        }
        let Some((_, parent, entity, key)) = best else {
            continue;
        };
        edges.push((me.to_string(), entity.clone()));
        let f = &mut fields[i];
        // The guess's own comments (a foreign-key hint among them) give way to the link.
        f.notes.clear();
        f.notes.push(format!(
            "all {} distinct values are `{key}` values of {}: a foreign key to {entity}.{key}",
            mine.len(),
            parent.file_name
        ));
        f.guess = Guess::ForeignKey(ForeignKeyDraft {
            entity: entity.clone(),
            field: key.clone(),
            law: FkLaw::Uniform,
        });
        rules.extend(time_rules(seed, &name, fields, &parent.seed, &entity, &key));
    }
    rules
}

/// `child_time >= parent.time` for every time field of the child never before a time field
/// of its parent row in the sampled pairs (records joined through `fk` = `key`).
fn time_rules(
    seed: &SeedDoc,
    fk: &str,
    fields: &[FieldDraft],
    parent: &SeedDoc,
    entity: &str,
    key: &str,
) -> Vec<DraftRule> {
    let (Some(refs), Some(keys)) = (column(seed, fk), column(parent, key)) else {
        return Vec::new();
    };
    let row_of: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let times = |s: &SeedDoc, f: &str| -> Option<Vec<i64>> {
        column(s, f)?.iter().map(|v| time_of(v)).collect()
    };
    let mut out = Vec::new();
    for f in fields
        .iter()
        .filter(|f| matches!(f.guess, Guess::Range { .. }))
    {
        let Some(mine) = times(seed, &f.name) else {
            continue;
        };
        for pf in &parent.field_order {
            let Some(theirs) = times(parent, pf) else {
                continue;
            };
            let holds = refs
                .iter()
                .zip(&mine)
                .all(|(r, t)| row_of.get(r.as_str()).is_some_and(|&j| *t >= theirs[j]));
            if holds {
                out.push(DraftRule {
                    field: f.name.clone(),
                    rule: format!(">= {}.{pf}", entity.to_lowercase()),
                    reference: Some((entity.to_string(), pf.clone())),
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_other_seeds_become_foreign_keys_with_time_rules() {
        let dir = tempfile::tempdir().unwrap();
        let mut users = String::from("entity: User\nrecords:\n");
        let mut orders = String::from("entity: Order\nrecords:\n");
        for i in 0..12 {
            users.push_str(&format!(
                "  - id: \"u{i:02}\"\n    created_at: \"2024-01-{:02}T00:00:00Z\"\n    plan: \"{}\"\n",
                i + 1,
                ["free", "pro"][i % 2]
            ));
        }
        for i in 0..30 {
            let u = (i * 7) % 12;
            orders.push_str(&format!(
                "  - order_no: {i}\n    buyer: \"u{u:02}\"\n    placed_at: \"2024-02-{:02}T00:00:00Z\"\n    total: {}.5\n",
                1 + i % 28,
                10 + i * 3
            ));
        }
        std::fs::write(dir.path().join("users_seed.yaml"), users).unwrap();
        std::fs::write(dir.path().join("orders_seed.yaml"), orders).unwrap();
        let drafts = infer_dir(dir.path(), "seeds");
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].stem, "orders");
        let text = drafts[0].inference.draft.as_ref().unwrap();
        assert!(
            text.contains("  buyer:\n    # all 12 distinct values are `id` values of users_seed.yaml: a foreign key to User.id\n    strategy: foreign_key_reference\n    reference_entity: \"User\"\n    reference_field: \"id\"\n"),
            "{text}"
        );
        assert!(
            text.contains("validations:\n  - field: \"placed_at\"\n    rule: \">= user.created_at\"\n    reference_entity: \"User\"\n    reference_field: \"created_at\"\n"),
            "{text}"
        );
        // No reverse key: users reference nothing, and the orders' own key is not a reference.
        let users = drafts[1].inference.draft.as_ref().unwrap();
        assert!(!users.contains("foreign_key_reference"), "{users}");
        assert!(!text.contains("order_no:\n    # all"), "{text}");

        // The drafts build together.
        let configs = dir.path().join("configs");
        let seeds = dir.path().join("seeds");
        std::fs::create_dir_all(&configs).unwrap();
        std::fs::create_dir_all(&seeds).unwrap();
        for d in &drafts {
            std::fs::rename(dir.path().join(&d.file_name), seeds.join(&d.file_name)).unwrap();
            std::fs::write(
                configs.join(format!("{}_multiply.yaml", d.stem)),
                d.inference.draft.as_ref().unwrap(),
            )
            .unwrap();
        }
        let outcome = crate::check_dir(&configs);
        assert!(!outcome.has_errors(), "{}", outcome.render());
    }
}
