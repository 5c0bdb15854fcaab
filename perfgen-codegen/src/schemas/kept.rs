//! Keys and constraints: what the configs prove or enforce. The configs are lowered once
//! more with the schema's `primary_key`/`unique` fields as `unique` rules, its key groups as
//! `unique_together` and its constraints as validations, each positioned at the schema's
//! line. The same code that proves a config's own `unique` and classifies its rules then
//! decides: an error it reports at a schema line is the schema's error; a constraint it can
//! only enforce (not prove), and that no validation of the configs already keeps, is one too.
//! That second lowering is thrown away: the build emits the configs as written.

use super::check::ConfigSide;
use super::*;
use crate::config::{ConfigDoc, ValidationSpec};
use crate::diag::Diagnostics;
use crate::ir::{Enforcement, Program};
use crate::lower::{self, Doc};
use crate::seed::SeedDoc;

/// The configs as read, each with its seed, and where the build shows paths from.
pub struct Configs<'a> {
    pub docs: &'a [ConfigDoc],
    pub seeds: &'a [Option<&'a SeedDoc>],
    pub root: &'a Path,
    pub config_dir: &'a str,
}

/// A rule the schema adds, to find it again in the second lowering.
struct Added {
    entity: String,
    field: String,
    rule: String,
    loc: Loc,
}

/// `rule` with its spaces collapsed, as compared with a config's rules.
fn normalized(rule: &str) -> String {
    rule.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Check the schema's keys and constraints against the configs (see the module's doc).
pub fn kept(
    set: &SchemaSet,
    configs: &Configs<'_>,
    program: &Program,
    side: &ConfigSide<'_>,
    d: &mut Diagnostics,
) {
    let mut docs: Vec<ConfigDoc> = configs.docs.to_vec();
    let mut added: Vec<Added> = Vec::new();
    let mut targets: Vec<(Loc, String, String)> = Vec::new();
    for s in &set.entities {
        let Some(pe) = program.entities.iter().find(|e| e.name == s.entity.value) else {
            continue;
        };
        let Some(doc) = docs
            .iter_mut()
            .find(|c| c.entity.as_ref().is_some_and(|e| e.value == s.entity.value))
        else {
            continue;
        };
        let has = |name: &str| pe.fields.iter().position(|f| f.name == name);
        for fs in &s.fields {
            let Some(loc) = fs.primary_key.or(fs.unique) else {
                continue;
            };
            let Some(j) = has(&fs.name) else { continue };
            if pe.fields[j].unique {
                continue;
            }
            doc.validations.push(ValidationSpec {
                field: Spanned {
                    value: fs.name.clone(),
                    loc,
                },
                rule: Spanned {
                    value: "unique".into(),
                    loc,
                },
                reference_entity: None,
                reference_field: None,
            });
            targets.push((loc, s.entity.value.clone(), fs.name.clone()));
        }
        for g in s.unique.iter().chain(&s.primary_key) {
            let Some(members) = g
                .value
                .iter()
                .map(|n| has(&n.value))
                .collect::<Option<Vec<usize>>>()
            else {
                continue;
            };
            let proven = members.iter().any(|&j| pe.fields[j].unique)
                || pe
                    .unique_together
                    .iter()
                    .any(|u| u.iter().all(|m| members.contains(m)));
            if proven {
                continue;
            }
            targets.push((g.loc, s.entity.value.clone(), g.value[0].value.clone()));
            if g.value.len() == 1 {
                doc.validations.push(ValidationSpec {
                    field: g.value[0].clone(),
                    rule: Spanned {
                        value: "unique".into(),
                        loc: g.loc,
                    },
                    reference_entity: None,
                    reference_field: None,
                });
            } else {
                doc.unique_together.push(g.clone());
            }
        }
    }
    for c in &set.constraints {
        let (Some(field), Some(rule)) = (&c.field, &c.rule) else {
            continue;
        };
        let Some(pe) = program.entities.iter().find(|e| e.name == c.entity.value) else {
            continue;
        };
        let Some(pf) = pe.fields.iter().find(|f| f.name == field.value) else {
            continue;
        };
        let Some(doc) = docs
            .iter_mut()
            .find(|d| d.entity.as_ref().is_some_and(|e| e.value == c.entity.value))
        else {
            continue;
        };
        targets.push((rule.loc, c.entity.value.clone(), field.value.clone()));
        // A validation of the configs with the same rule keeps it already.
        if pf
            .rules
            .iter()
            .any(|r| normalized(&r.text) == normalized(&rule.value))
        {
            continue;
        }
        doc.validations.push(ValidationSpec {
            field: field.clone(),
            rule: rule.clone(),
            reference_entity: c.reference_entity.clone(),
            reference_field: c.reference_field.clone(),
        });
        added.push(Added {
            entity: c.entity.value.clone(),
            field: field.value.clone(),
            rule: rule.value.clone(),
            loc: rule.loc,
        });
    }
    if targets.is_empty() {
        return;
    }
    let lowered: Vec<Doc<'_>> = docs
        .iter()
        .zip(configs.seeds)
        .map(|(config, seed)| Doc {
            config,
            seed: *seed,
        })
        .collect();
    let mut scratch = Diagnostics::default();
    let again = lower::lower(&lowered, configs.root, configs.config_dir, &mut scratch);
    for mut found in scratch.into_sorted() {
        if found.severity != crate::diag::Severity::Error {
            continue;
        }
        if let Some((_, entity, field)) = targets.iter().find(|(loc, ..)| *loc == found.loc) {
            found
                .notes
                .push((side.field_loc(entity, field), "the config's field".into()));
        }
        d.add(found);
    }
    let Some(again) = again else { return };
    for a in &added {
        let Some(f) = again
            .entities
            .iter()
            .find(|e| e.name == a.entity)
            .and_then(|e| e.fields.iter().find(|f| f.name == a.field))
        else {
            continue;
        };
        let Some(r) = f.rules.iter().find(|r| r.text == a.rule) else {
            continue;
        };
        if r.enforcement != Enforcement::Proven {
            d.error(
                a.loc,
                format!(
                    "the configs neither prove nor enforce `{}.{}`'s constraint `{}`",
                    a.entity, a.field, a.rule
                ),
            )
            .note(side.field_loc(&a.entity, &a.field), "the config's field")
            .help(format!(
                "add it to the config's `validations` (`- field: {}` with `rule: \"{}\"`) so perfgen keeps it, or change the strategy so it always holds",
                a.field, a.rule
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalized;

    #[test]
    fn rules_compare_without_their_spacing() {
        assert_eq!(normalized("  >=  created_at "), normalized(">= created_at"));
        assert_ne!(normalized(">= 0"), normalized("> 0"));
    }
}
