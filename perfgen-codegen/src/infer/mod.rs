//! `perfgen infer`: a draft multiply config guessed from a seed file's records: the
//! patterns the seed values show (identifiers, categories, numbers, times, addresses),
//! written as a strategy per field.
//!
//! Per field, from its non-null seed values, in this order:
//! - every value a UUID: `uuid_v4` (with a commented foreign-key hint when the values look
//!   like another seed's ids, or the seed's `patterns.<field>.reference` names a parent);
//! - few distinct values (at most [`MAX_CATEGORIES`], each seen twice on average):
//!   `categorical_weighted` with the observed shares, rounded to 4 decimals and summing to
//!   exactly 1 (the largest share takes the rounding);
//! - numbers: distinct integers in a run with a constant step (`1, 2, 3`, `10, 20, 30`)
//!   become a unique `sequence` with that start and step; others `normal_distribution` with the fitted mean and standard deviation and the
//!   observed min and max (`type: integer`, or `precision:` the most decimals seen);
//! - points in time (RFC 3339, or dates): `distribute_range`, uniform over [min, max];
//! - distinct email addresses: a unique `template`, `"{first_name}.{last_name}{index}@{domain}"`
//!   when those fields and a `patterns` list of domains exist, else `"user{index}@{domain}"`
//!   over the observed domains (`sources.domain`);
//! - distinct strings `<prefix><number><suffix>` (`SKU-17`): a `template` with `{index}`;
//! - mostly distinct text of five words and 25 characters or more on average: `text` over
//!   the seed's own words (`words_from`), its length uniform over the lengths seen;
//! - mostly distinct codes of one shape (`ABC-1234`): `random_string` with that `pattern`;
//! - other strings: `seed_pool_weighted`, uniform.
//!
//! Every text taken from the seed is written as a YAML double-quoted scalar ([`yaml_quote`]),
//! so `on`, `null`, `007` or `a: b` stay the strings they were; comments never carry line
//! breaks. The draft's columns follow the seed's field order.

mod folder;
mod guess;
mod hints;
mod shapes;
mod text;
mod write;

use crate::config;
use crate::diag::{Diagnostic, Diagnostics, Loc, Severity, Sources};
use crate::seed::{self, SeedDoc};

use crate::values;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use folder::{infer_dir, FolderDraft};
pub use guess::{decimal_places, guess_values, is_email, is_uuid, weights};
use guess::{email_template, EMAIL_MARK};
pub use hints::entity_from_stem;
use hints::{derived_time_hint, foreign_key_hint};
pub use shapes::code_pattern;
use text::comment_text;
pub use text::{yaml_key, yaml_quote};
pub use write::{write_field, FkLaw, ForeignKeyDraft};

/// `target_count` of a draft whose seed has no `target_multiplication`.
pub const DEFAULT_TARGET_COUNT: u64 = 100_000;
/// Most distinct values a field may have to be drafted as `categorical_weighted`.
pub const MAX_CATEGORIES: usize = 20;
/// Categorical weights are written in units of 1/10000 (4 decimals).
const WEIGHT_UNITS: u64 = 10_000;

/// The strategy guessed for one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Guess {
    Uuid,
    /// Values with their weight in 1/10000, most frequent first; the weights sum to 10000.
    Categorical(Vec<(String, u64)>),
    Normal {
        mean: f64,
        stddev: f64,
        /// The smallest and largest seed values, as written in the seed.
        min: String,
        max: String,
        /// `None` for `type: integer`, else `precision`.
        precision: Option<u32>,
    },
    /// `distribute_range` over dates or times: uniform, or `linear` (spread evenly in row
    /// order).
    Range {
        start: String,
        end: String,
        linear: bool,
    },
    /// `number_range`: uniform, or `linear` in row order; `precision` `None` for integers.
    NumberRange {
        min: String,
        max: String,
        precision: Option<u32>,
        linear: bool,
    },
    /// `random_string` with lengths uniform over `[min_length, max_length]` (the default
    /// alphabet).
    RandomString {
        min_length: usize,
        max_length: usize,
    },
    /// `foreign_key_reference`.
    ForeignKey(ForeignKeyDraft),
    /// `position`: 1..n among the children of a `children_of` parent.
    Position,
    Template {
        /// In the template language (`{{` for a literal brace).
        template: String,
        /// `sources.domain`, when not empty.
        domains: Vec<String>,
        unique: bool,
    },
    Pool,
    /// `boolean` with the seed's share of `true`.
    Boolean {
        probability: f64,
    },
    /// A unique `sequence`.
    Sequence {
        start: i64,
        step: i64,
    },
    /// `text` over the field's own seed words (`words_from`).
    Text {
        min_length: usize,
        max_length: usize,
    },
    /// `random_string` with this pattern.
    Code {
        pattern: String,
    },
}

/// One field of the draft: its guess and the comments written above its strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDraft {
    pub name: String,
    pub guess: Guess,
    pub notes: Vec<String>,
    /// The share of seed records without a value (absent or `null`), drafted as
    /// `null_rate` when above 0.
    pub null_rate: f64,
}

/// What `perfgen infer` found: the draft, or the seed file's errors.
#[derive(Debug)]
pub struct Inference {
    pub sources: Sources,
    /// Problems of the seed file (sorted); warnings do not stop the draft.
    pub diagnostics: Vec<Diagnostic>,
    /// The draft config, when the seed has no errors.
    pub draft: Option<String>,
}

impl Inference {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
    /// Every diagnostic rendered with its snippet.
    pub fn render(&self) -> String {
        crate::diag::render_all(&self.diagnostics, &self.sources)
    }
}

/// Read the seed file `path` (shown as `shown` in messages) and draft its multiply config.
/// Other seed files in the same folder are read, quietly, for foreign-key hints.
pub fn infer_file(path: &Path, shown: &str) -> Inference {
    let mut sources = Sources::default();
    let mut d = Diagnostics::default();
    let note = sources.add(path.to_path_buf(), shown.to_string(), String::new());
    let at = Loc::start_of(note);
    let draft =
        read_seed_file(path, shown.to_string(), &mut sources, &mut d, at).map(|(seed, target)| {
            let file_name = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| shown.to_string());
            let siblings = read_siblings(path);
            draft_config(&seed, &file_name, target, &siblings)
        });
    Inference {
        sources,
        diagnostics: d.into_sorted(),
        draft,
    }
}

/// The seed file `path` (shown as `shown`) with its `target_multiplication` (when a positive
/// count), or None with the reasons in `d`.
pub(crate) fn read_seed_file(
    path: &Path,
    shown: String,
    sources: &mut Sources,
    d: &mut Diagnostics,
    at: Loc,
) -> Option<(SeedDoc, Option<u64>)> {
    let file = config::read_source(path, shown, sources, d, at)?;
    let tree = config::parse_file(file, sources, d)?;
    let seed = seed::read_seed(file, path, &tree, d);
    if d.has_errors() {
        return None;
    }
    let target = tree
        .get("target_multiplication")
        .and_then(|y| y.as_str())
        .and_then(values::count)
        .filter(|&n| n > 0);
    Some((seed, target))
}

/// Another seed file of the same folder, for foreign-key hints.
#[derive(Debug, Clone)]
pub struct Sibling {
    pub file_name: String,
    pub seed: SeedDoc,
}

/// The other seed files (`*.yaml`, `*.yml`) beside `path` that read without errors.
pub fn read_siblings(path: &Path) -> Vec<Sibling> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let me = path.canonicalize().ok();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                    && p.canonicalize().ok() != me
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let mut out = Vec::new();
    for p in files {
        let mut sources = Sources::default();
        let mut d = Diagnostics::default();
        let name = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let at = Loc::start_of(sources.add(p.clone(), name.clone(), String::new()));
        let Some(file) = config::read_source(&p, name.clone(), &mut sources, &mut d, at) else {
            continue;
        };
        let Some(tree) = config::parse_file(file, &sources, &mut d) else {
            continue;
        };
        let seed = seed::read_seed(file, &p, &tree, &mut d);
        if !d.has_errors() {
            out.push(Sibling {
                file_name: name,
                seed,
            });
        }
    }
    out
}

/// The draft config text for `seed`, read from the file `file_name` (in `seeds/`).
pub fn draft_config(
    seed: &SeedDoc,
    file_name: &str,
    target_count: Option<u64>,
    siblings: &[Sibling],
) -> String {
    let fields = guess_fields(seed, siblings);
    render_draft(seed, file_name, target_count, &fields, &[])
}

/// A validation of a draft: the field, its rule, and the parent's entity and field it
/// reads (`reference_entity`, `reference_field`).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRule {
    pub field: String,
    pub rule: String,
    pub reference: Option<(String, String)>,
}

/// The draft text of `fields` (and `rules`) for `seed`, read from `file_name`.
pub fn render_draft(
    seed: &SeedDoc,
    file_name: &str,
    target_count: Option<u64>,
    fields: &[FieldDraft],
    rules: &[DraftRule],
) -> String {
    let stem = Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    let stem = match stem.strip_suffix("_seed") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => stem,
    };
    let entity = seed
        .entity
        .as_ref()
        .map(|e| e.value.clone())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| entity_from_stem(&stem));
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# DRAFT multiply config, inferred by `perfgen infer` from the {} records of {}.",
        seed.record_count,
        comment_text(file_name)
    );
    s.push_str(
        "# Every strategy below is a guess from the seed values alone: review each one and\n",
    );
    let _ = writeln!(
        s,
        "# its notes, then save this file as configs/{}_multiply.yaml (configs/ beside seeds/).",
        comment_text(&stem)
    );
    let _ = writeln!(s, "entity: {}", yaml_quote(&entity));
    let _ = writeln!(
        s,
        "seed_file: {}",
        yaml_quote(&format!("../seeds/{file_name}"))
    );
    let _ = writeln!(
        s,
        "output_file: {}",
        yaml_quote(&format!("../output/{stem}_bulk.csv"))
    );
    let _ = writeln!(
        s,
        "target_count: {}",
        target_count.unwrap_or(DEFAULT_TARGET_COUNT)
    );
    s.push_str("\nfield_strategies:\n");
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        write_field(&mut s, &f.name, &f.notes, &f.guess, false, f.null_rate);
    }
    if !rules.is_empty() {
        s.push_str("\nvalidations:\n");
        for r in rules {
            let _ = writeln!(s, "  - field: {}", yaml_quote(&r.field));
            let _ = writeln!(s, "    rule: {}", yaml_quote(&r.rule));
            if let Some((entity, field)) = &r.reference {
                let _ = writeln!(s, "    reference_entity: {}", yaml_quote(entity));
                let _ = writeln!(s, "    reference_field: {}", yaml_quote(field));
            }
        }
    }
    s
}

/// A guess for every field of the seed, in the seed's field order.
pub fn guess_fields(seed: &SeedDoc, siblings: &[Sibling]) -> Vec<FieldDraft> {
    let empty = Vec::new();
    let index_is_field = seed.field_order.iter().any(|f| f == "index");
    let mut out: Vec<FieldDraft> = seed
        .field_order
        .iter()
        .map(|name| {
            let vals = seed.values.get(name).unwrap_or(&empty);
            let (guess, mut notes) = guess_values(vals, index_is_field);
            let missing = seed.record_count.saturating_sub(vals.len());
            let mut null_rate = 0.0;
            if !vals.is_empty() && missing > 0 {
                // Four decimals, as categorical shares are drafted.
                null_rate =
                    (missing as f64 / seed.record_count as f64 * 10_000.0).round() / 10_000.0;
                notes.push(format!(
                    "{missing} of {} records have no value here: drafted as `null_rate`",
                    seed.record_count
                ));
            }
            FieldDraft {
                name: name.clone(),
                guess,
                notes,
                null_rate,
            }
        })
        .collect();
    // Emails: the template depends on the other fields' guesses.
    for i in 0..out.len() {
        if !matches!(&out[i].guess, Guess::Template { template, .. } if template == EMAIL_MARK) {
            continue;
        }
        let vals = seed.values.get(&out[i].name).unwrap_or(&empty);
        let (guess, note) = email_template(seed, &out, vals);
        out[i].guess = guess;
        out[i].notes.insert(0, note);
    }
    for i in 0..out.len() {
        if out[i].name != "id" {
            if let Some(hint) = foreign_key_hint(seed, &out[i].name, siblings) {
                out[i].notes.extend(hint);
            }
        }
        if matches!(out[i].guess, Guess::Range { .. }) {
            if let Some(hint) = derived_time_hint(seed, &out, i) {
                out[i].notes.push(hint);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text::fmt_units;
    use super::*;
    use crate::yaml;

    fn seed_of(text: &str) -> SeedDoc {
        let mut d = Diagnostics::default();
        let tree = yaml::parse(0, text, &mut d).unwrap();
        let seed = seed::read_seed(0, Path::new("x_seed.yaml"), &tree, &mut d);
        assert!(!d.has_errors(), "{:?}", d.into_sorted());
        seed
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoting_round_trips_through_the_yaml_loader() {
        let nasty = [
            "",
            "on",
            "yes",
            "null",
            "~",
            "007",
            "1e3",
            "a: b",
            "- x",
            "#hash",
            "quote \" and \\ backslash",
            "tab\there",
            "line\nbreak\r\n",
            "nul\0ctl\u{1}\u{1f}\u{7f}",
            "nel\u{85} ls\u{2028} ps\u{2029} bom\u{feff}",
            "Zoë Björk – 漢字 🚀",
            "  padded  ",
            "{index}",
            "'single'",
            "\u{fffe}\u{ffff}",
        ];
        for s in nasty {
            let text = format!("k: {}\n{}: 1\n", yaml_quote(s), yaml_quote(s));
            let mut d = Diagnostics::default();
            let y = yaml::parse(0, &text, &mut d)
                .unwrap_or_else(|| panic!("{s:?} -> {text}: {:?}", d.into_sorted()));
            assert_eq!(y.get("k").unwrap().as_str(), Some(s), "{text}");
            assert!(!y.get("k").unwrap().is_null());
            assert_eq!(y.as_map().unwrap()[1].0.text, s, "{text}");
        }
    }

    #[test]
    fn keys_are_plain_only_when_safe() {
        assert_eq!(yaml_key("created_at"), "created_at");
        assert_eq!(yaml_key("on"), "\"on\"");
        assert_eq!(yaml_key("2fa"), "\"2fa\"");
        assert_eq!(yaml_key("user-name"), "\"user-name\"");
        assert_eq!(yaml_key("Émail"), "\"Émail\"");
    }

    #[test]
    fn weights_sum_to_exactly_one() {
        for (counts, n) in [
            (vec![1usize, 1, 1], 3usize),
            (vec![70, 15, 10, 4, 1], 100),
            (vec![1; 7], 7),
            (
                vec![2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                21,
            ),
            (vec![9998, 1, 1], 10_000),
            (vec![99_998, 1, 1], 100_000),
        ] {
            let named: Vec<(String, usize)> = counts
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("v{i}"), *c))
                .collect();
            let w = weights(&named, n);
            assert_eq!(
                w.iter().map(|x| x.1).sum::<u64>(),
                WEIGHT_UNITS,
                "{counts:?}"
            );
            assert!(w.iter().all(|x| x.1 >= 1));
            // The decimals as written also add up to 1 exactly.
            let total: u64 = w
                .iter()
                .map(|x| {
                    let s = fmt_units(x.1);
                    let (i, f) = s.split_once('.').unwrap();
                    i.parse::<u64>().unwrap() * 10_000 + format!("{f:0<4}").parse::<u64>().unwrap()
                })
                .sum();
            assert_eq!(total, 10_000);
        }
        let w = weights(&[("b".into(), 1), ("a".into(), 2), ("c".into(), 1)], 4);
        assert_eq!(
            w,
            vec![("a".into(), 5000), ("b".into(), 2500), ("c".into(), 2500)]
        );
        assert_eq!(fmt_units(7000), "0.7");
        assert_eq!(fmt_units(1234), "0.1234");
        assert_eq!(fmt_units(10_000), "1.0");
        assert_eq!(fmt_units(5), "0.0005");
    }

    #[test]
    fn numbers() {
        assert_eq!(decimal_places("12"), Some(0));
        assert_eq!(decimal_places("-3.50"), Some(2));
        assert_eq!(decimal_places("0"), Some(0));
        assert_eq!(decimal_places("0.5"), Some(1));
        for bad in [
            "007", "01.5", "1e3", "1.", ".5", "+1", "", "-", "1_000", "NaN",
        ] {
            assert_eq!(decimal_places(bad), None, "{bad}");
        }
        let ages: Vec<String> = (0..50).map(|i| (18 + (i * 7) % 60).to_string()).collect();
        let (g, _) = guess_values(&ages, false);
        let Guess::Normal {
            mean,
            stddev,
            min,
            max,
            precision,
        } = g
        else {
            panic!("{g:?}")
        };
        assert_eq!((min.as_str(), max.as_str(), precision), ("18", "77", None));
        assert!(mean > 18.0 && mean < 80.0 && stddev > 0.0);
        let prices = strings(&[
            "1.5", "2.25", "3", "4.125", "5.5", "6", "7.75", "8", "9.5", "10", "11", "12", "13",
            "14", "15", "16", "17", "18", "19", "20", "21", "22",
        ]);
        match guess_values(&prices, false).0 {
            Guess::Normal {
                precision: Some(3),
                min,
                max,
                ..
            } => assert_eq!((min.as_str(), max.as_str()), ("1.5", "22")),
            g => panic!("{g:?}"),
        }
    }

    #[test]
    fn booleans_and_dates_draft_their_types() {
        let flags = strings(&["true", "false", "true", "true"]);
        assert_eq!(
            guess_values(&flags, false).0,
            Guess::Boolean { probability: 0.75 }
        );
        let days: Vec<String> = (1..=20).map(|i| format!("1996-01-{i:02}")).collect();
        assert_eq!(
            guess_values(&days, false).0,
            Guess::Range {
                start: "1996-01-01".into(),
                end: "1996-01-20".into(),
                linear: false
            }
        );
        let mut mixed = days.clone();
        mixed.push("1996-02-01T10:00:00Z".into());
        assert_eq!(
            guess_values(&mixed, false).0,
            Guess::Range {
                start: "1996-01-01T00:00:00Z".into(),
                end: "1996-02-01T10:00:00Z".into(),
                linear: false
            }
        );
    }

    #[test]
    fn few_values_are_categorical_and_codes_stay_strings() {
        let vals = strings(&["on", "off", "on", "on", "null", "on"]);
        let (g, _) = guess_values(&vals, false);
        assert_eq!(
            g,
            Guess::Categorical(vec![
                ("on".into(), 6666),
                ("off".into(), 1667),
                ("null".into(), 1667)
            ])
        );
        // Zero-padded codes with many values are strings, not numbers.
        let codes: Vec<String> = (0..40).map(|i| format!("0{}", 1000 + i * 37)).collect();
        assert!(matches!(
            guess_values(&codes, false).0,
            Guess::Template { .. } | Guess::Pool
        ));
        let zips: Vec<String> = (0..40)
            .map(|i| format!("0{:04}", (i * 7919) % 10_000))
            .collect();
        assert!(!matches!(
            guess_values(&zips, false).0,
            Guess::Normal { .. }
        ));
    }

    #[test]
    fn uuids_times_sequences_and_strings() {
        assert!(is_uuid("550e8400-e29b-41d4-a716-446655440000"));
        assert!(!is_uuid("550e8400-e29b-41d4-a716-44665544000g"));
        let ids = strings(&[
            "550e8400-e29b-41d4-a716-446655440000",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        ]);
        assert_eq!(guess_values(&ids, false).0, Guess::Uuid);
        let mut times: Vec<String> = (1..=30)
            .map(|i| format!("2023-01-{i:02}T08:00:00Z"))
            .collect();
        times.swap(0, 17);
        assert_eq!(
            guess_values(&times, false).0,
            Guess::Range {
                start: "2023-01-01T08:00:00Z".into(),
                end: "2023-01-30T08:00:00Z".into(),
                linear: false
            }
        );
        let skus: Vec<String> = (0..30).map(|i| format!("SKU-{i}")).collect();
        assert_eq!(
            guess_values(&skus, false).0,
            Guess::Template {
                template: "SKU-{index}".into(),
                domains: vec![],
                unique: true
            }
        );
        let braces: Vec<String> = (0..30).map(|i| format!("{{a}}-{i}-x")).collect();
        match guess_values(&braces, false).0 {
            Guess::Template {
                template, unique, ..
            } => {
                assert_eq!(template, "{{a}}-{index}-x");
                assert!(!unique, "`-` follows the index and appears before it");
            }
            g => panic!("{g:?}"),
        }
        let rows: Vec<String> = (1..=30).map(|i| i.to_string()).collect();
        let one_by_one = Guess::Sequence { start: 1, step: 1 };
        assert_eq!(guess_values(&rows, false).0, one_by_one);
        assert_eq!(
            guess_values(&rows, true).0,
            one_by_one,
            "a field named `index` too"
        );
        let tens: Vec<String> = (1..=30).rev().map(|i| (i * 10).to_string()).collect();
        let down = Guess::Sequence {
            start: 300,
            step: -10,
        };
        assert_eq!(guess_values(&tens, false).0, down);
        let gaps: Vec<String> = (1..=30).map(|i| (i * i).to_string()).collect();
        assert!(matches!(guess_values(&gaps, false).0, Guess::Normal { .. }));
        let comments: Vec<String> = (0..30)
            .map(|i| {
                format!(
                    "quickly final request {i} sleeps {}",
                    "slyly ".repeat(i % 3)
                )
            })
            .map(|t| t.trim_end().to_string())
            .collect();
        assert_eq!(
            guess_values(&comments, false).0,
            Guess::Text {
                min_length: 30,
                max_length: 43
            }
        );
        let codes: Vec<String> = (0..30)
            .map(|i| format!("{}{}-{:04}", (b'A' + i as u8 % 26) as char, "QZ", i * 311))
            .collect();
        assert_eq!(
            guess_values(&codes, false).0,
            Guess::Code {
                pattern: "[A-Z]{3}\\-[0-9]{4}".into()
            }
        );
        let names: Vec<String> = (0..30)
            .map(|i| format!("Name {}", (b'a' + i as u8) as char))
            .collect();
        assert_eq!(guess_values(&names, false).0, Guess::Pool);
        assert!(matches!(
            guess_values(&[], false).0,
            Guess::Categorical(ref v) if v == &vec![(String::new(), WEIGHT_UNITS)]
        ));
    }

    #[test]
    fn emails_use_names_only_with_domains_in_patterns() {
        let mut records = String::new();
        for i in 0..30 {
            let _ = write!(
                records,
                "  - first_name: F{}x\n    last_name: L{}y\n    email: f{i}@mail{}.org\n",
                i % 7,
                i % 5,
                i % 3
            );
        }
        let with = format!(
            "entity: P\npatterns:\n  email:\n    domains: [a.org, b.org]\nrecords:\n{records}"
        );
        let seed = seed_of(&with);
        let f = guess_fields(&seed, &[]);
        assert_eq!(
            f[2].guess,
            Guess::Template {
                template: "{first_name}.{last_name}{index}@{domain}".into(),
                domains: vec![],
                unique: true
            }
        );
        let without = format!("entity: P\nrecords:\n{records}");
        let f = guess_fields(&seed_of(&without), &[]);
        assert_eq!(
            f[2].guess,
            Guess::Template {
                template: "user{index}@{domain}".into(),
                domains: strings(&["mail0.org", "mail1.org", "mail2.org"]),
                unique: true
            }
        );
        // A last name ending in a digit would make `{index}` unreadable.
        let digits = with.replace("L0y", "L0");
        let f = guess_fields(&seed_of(&digits), &[]);
        assert!(
            matches!(&f[2].guess, Guess::Template { template, .. } if template == "user{index}@{domain}")
        );
    }

    #[test]
    fn draft_header_paths_and_quoting() {
        let seed = seed_of(
            "entity: \"Odd \\\"Name\\\"\"\nrecords:\n  - on: yes\n    \"a b\": 1\n  - on: no\n    \"a b\": 1\n  - on: yes\n  - on: no\n",
        );
        let text = draft_config(&seed, "odd_things_seed.yaml", None, &[]);
        assert!(text.starts_with("# DRAFT"), "{text}");
        assert!(text.contains("entity: \"Odd \\\"Name\\\"\"\n"), "{text}");
        assert!(text.contains("seed_file: \"../seeds/odd_things_seed.yaml\"\n"));
        assert!(text.contains("output_file: \"../output/odd_things_bulk.csv\"\n"));
        assert!(text.contains("target_count: 100000\n"));
        assert!(text.contains("  \"on\":\n"), "{text}");
        assert!(text.contains("      \"yes\": 0.5\n"), "{text}");
        assert!(text.contains("  \"a b\":\n"), "{text}");
        let mut d = Diagnostics::default();
        let y = yaml::parse(0, &text, &mut d).expect("the draft is YAML");
        let fs = y.get("field_strategies").unwrap();
        assert_eq!(
            fs.as_map()
                .unwrap()
                .iter()
                .map(|(k, _)| k.text.as_str())
                .collect::<Vec<_>>(),
            ["on", "a b"]
        );
        assert_eq!(entity_from_stem("order_items"), "OrderItem");
        assert_eq!(entity_from_stem("categories"), "Category");
        assert_eq!(entity_from_stem("users"), "User");
    }

    #[test]
    fn comments_never_break_lines() {
        assert_eq!(comment_text("a\nb\u{2028}c\rd"), "a b c d");
    }
}
