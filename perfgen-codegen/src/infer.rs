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
//! - numbers: distinct consecutive integers become an `{index}` template (a row number);
//!   others `normal_distribution` with the fitted mean and standard deviation and the
//!   observed min and max (`type: integer`, or `precision:` the most decimals seen);
//! - points in time (RFC 3339, or dates): `distribute_range`, uniform over [min, max];
//! - distinct email addresses: a unique `template`, `"{first_name}.{last_name}{index}@{domain}"`
//!   when those fields and a `patterns` list of domains exist, else `"user{index}@{domain}"`
//!   over the observed domains (`sources.domain`);
//! - distinct strings `<prefix><number><suffix>` (`SKU-17`): a `template` with `{index}`;
//! - other strings: `seed_pool_weighted`, uniform.
//!
//! Every text taken from the seed is written as a YAML double-quoted scalar ([`yaml_quote`]),
//! so `on`, `null`, `007` or `a: b` stay the strings they were; comments never carry line
//! breaks. The draft's columns follow the seed's field order.

use crate::config::{self, SeedDoc};
use crate::diag::{Diagnostic, Diagnostics, Loc, Severity, Sources};
use crate::strategy::{duration, foreign_key, normal, pool, range, template, uuid};
use crate::values;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    Range {
        start: String,
        end: String,
    },
    Template {
        /// In the template language (`{{` for a literal brace).
        template: String,
        /// `sources.domain`, when not empty.
        domains: Vec<String>,
        unique: bool,
    },
    Pool,
}

/// One field of the draft: its guess and the comments written above its strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDraft {
    pub name: String,
    pub guess: Guess,
    pub notes: Vec<String>,
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
    let at = Loc {
        file: note,
        line: 1,
        col: 1,
    };
    let mut draft = None;
    if let Some(file) = config::read_source(path, shown.to_string(), &mut sources, &mut d, at) {
        if let Some(tree) = config::parse_file(file, &sources, &mut d) {
            let seed = config::read_seed(file, path, &tree, &mut d);
            if !d.has_errors() {
                let target = tree
                    .get("target_multiplication")
                    .and_then(|y| y.as_str())
                    .and_then(values::count)
                    .filter(|&n| n > 0);
                let file_name = path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| shown.to_string());
                let siblings = read_siblings(path);
                draft = Some(draft_config(&seed, &file_name, target, &siblings));
            }
        }
    }
    Inference {
        sources,
        diagnostics: d.into_sorted(),
        draft,
    }
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
        let at = Loc {
            file: sources.add(p.clone(), name.clone(), String::new()),
            line: 1,
            col: 1,
        };
        let Some(file) = config::read_source(&p, name.clone(), &mut sources, &mut d, at) else {
            continue;
        };
        let Some(tree) = config::parse_file(file, &sources, &mut d) else {
            continue;
        };
        let seed = config::read_seed(file, &p, &tree, &mut d);
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
        let _ = writeln!(s, "  {}:", yaml_key(&f.name));
        for note in &f.notes {
            let _ = writeln!(s, "    # {}", comment_text(note));
        }
        write_guess(&mut s, &f.guess);
    }
    s
}

fn write_guess(s: &mut String, g: &Guess) {
    match g {
        Guess::Uuid => {
            let _ = writeln!(s, "    strategy: {}", uuid::NAME);
        }
        Guess::Pool => {
            let _ = writeln!(s, "    strategy: {}", pool::SEED_POOL_NAME);
            s.push_str("    distribution: uniform\n");
        }
        Guess::Categorical(values) => {
            let _ = writeln!(s, "    strategy: {}", pool::CATEGORICAL_NAME);
            s.push_str("    values:\n");
            for (v, w) in values {
                let _ = writeln!(s, "      {}: {}", yaml_quote(v), fmt_units(*w));
            }
        }
        Guess::Normal {
            mean,
            stddev,
            min,
            max,
            precision,
        } => {
            let shown = std::cmp::max(2, precision.unwrap_or(0) + 1) as usize;
            let _ = writeln!(s, "    strategy: {}", normal::NAME);
            let _ = writeln!(s, "    mean: {}", fmt_fixed(*mean, shown));
            let _ = writeln!(s, "    stddev: {}", fmt_fixed(*stddev, shown));
            let _ = writeln!(s, "    min: {min}");
            let _ = writeln!(s, "    max: {max}");
            match precision {
                None => s.push_str("    type: integer\n"),
                Some(k) => {
                    let _ = writeln!(s, "    precision: {k}");
                }
            }
        }
        Guess::Range { start, end } => {
            let _ = writeln!(s, "    strategy: {}", range::NAME);
            let _ = writeln!(s, "    range_start: {}", yaml_quote(start));
            let _ = writeln!(s, "    range_end: {}", yaml_quote(end));
            s.push_str("    distribution: uniform\n");
        }
        Guess::Template {
            template,
            domains,
            unique,
        } => {
            let _ = writeln!(s, "    strategy: {}", template::NAME);
            let _ = writeln!(s, "    template: {}", yaml_quote(template));
            if !domains.is_empty() {
                let list: Vec<String> = domains.iter().map(|d| yaml_quote(d)).collect();
                let _ = writeln!(s, "    sources:\n      domain: [{}]", list.join(", "));
            }
            if *unique {
                s.push_str("    unique: true\n");
            }
        }
    }
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
            if !vals.is_empty() && missing > 0 {
                notes.push(format!(
                    "{missing} of {} records have no value here; the draft always writes one",
                    seed.record_count
                ));
            }
            FieldDraft {
                name: name.clone(),
                guess,
                notes,
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

/// Placeholder guess for an email field until [`email_template`] decides.
const EMAIL_MARK: &str = "\u{0}email";

/// The guess for one field from its non-null values (emails are marked for a second pass).
pub fn guess_values(vals: &[String], index_is_field: bool) -> (Guess, Vec<String>) {
    let mut notes = Vec::new();
    let n = vals.len();
    if n == 0 {
        notes.push("every seed value is empty or null: the draft writes an empty cell".into());
        return (
            Guess::Categorical(vec![(String::new(), WEIGHT_UNITS)]),
            notes,
        );
    }
    let counts = distinct_counts(vals);
    let distinct = counts.len();
    if vals.iter().all(|v| is_uuid(v)) {
        return (Guess::Uuid, notes);
    }
    let few = distinct <= MAX_CATEGORIES && (2 * distinct <= n || distinct == 1);
    if few {
        notes.push(format!(
            "{distinct} distinct value(s) in {n} records: weights are their shares in the seed"
        ));
        return (Guess::Categorical(weights(&counts, n)), notes);
    }
    let decimals: Option<Vec<u32>> = vals.iter().map(|v| decimal_places(v)).collect();
    if let Some(decimals) = decimals {
        let xs: Vec<f64> = vals
            .iter()
            .map(|v| v.parse::<f64>().unwrap_or(0.0))
            .collect();
        let k = decimals.iter().copied().max().unwrap_or(0);
        let (lo, hi) = min_max_by(&xs);
        if k == 0 && distinct == n && !index_is_field {
            let (a, b) = (xs[lo], xs[hi]);
            if b - a + 1.0 == n as f64 {
                notes.push(format!(
                    "distinct consecutive integers {} to {}: a row number (`{{index}}` counts from 0)",
                    vals[lo], vals[hi]
                ));
                return (
                    Guess::Template {
                        template: "{index}".into(),
                        domains: Vec::new(),
                        unique: true,
                    },
                    notes,
                );
            }
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        let stddev = var.sqrt();
        let pop_sd = (var * (n as f64 - 1.0) / n as f64).sqrt();
        let skew = xs
            .iter()
            .map(|x| ((x - mean) / pop_sd).powi(3))
            .sum::<f64>()
            / n as f64;
        notes.push(format!(
            "{n} numbers from {} to {}: a normal fitted to them, truncated to that range",
            vals[lo], vals[hi]
        ));
        if skew.abs() > 1.0 {
            notes.push(format!(
                "the seed values are skewed (skewness {skew:.2}): a normal is only a rough fit"
            ));
        }
        return (
            Guess::Normal {
                mean,
                stddev,
                min: vals[lo].clone(),
                max: vals[hi].clone(),
                precision: (k > 0).then_some(k),
            },
            notes,
        );
    }
    let times: Option<Vec<i64>> = vals.iter().map(|v| time_of(v)).collect();
    if let Some(times) = times {
        let (lo, hi) = min_max_by(&times);
        notes.push(format!(
            "points in time from {} to {}: uniform over that range",
            vals[lo], vals[hi]
        ));
        if vals.iter().all(|v| v.len() == 10) {
            notes.push(
                "the seed has dates: they are written as RFC 3339 times (midnight UTC)".into(),
            );
        }
        return (
            Guess::Range {
                start: vals[lo].clone(),
                end: vals[hi].clone(),
            },
            notes,
        );
    }
    if distinct == n && !index_is_field {
        if vals.iter().all(|v| is_email(v)) {
            return (
                Guess::Template {
                    template: EMAIL_MARK.into(),
                    domains: Vec::new(),
                    unique: true,
                },
                notes,
            );
        }
        if let Some((prefix, suffix, padded)) = index_shape(vals) {
            let template = format!(
                "{}{{index}}{}",
                template_lit(&prefix),
                template_lit(&suffix)
            );
            let unique = index_readable(&prefix, &suffix);
            notes.push(format!(
                "{n} distinct values `{prefix}<number>{suffix}`: numbered by the row index"
            ));
            if padded {
                notes.push("the seed's numbers are zero-padded; `{index}` is not".into());
            }
            if !unique {
                notes.push("`unique` cannot be proven for this shape (the suffix's first character also appears before the number)".into());
            }
            return (
                Guess::Template {
                    template,
                    domains: Vec::new(),
                    unique,
                },
                notes,
            );
        }
    }
    notes.push(format!(
        "{distinct} distinct strings in {n} records: drawn uniformly from the seed's values"
    ));
    (Guess::Pool, notes)
}

/// The template of a field of distinct email addresses, and its note.
fn email_template(seed: &SeedDoc, fields: &[FieldDraft], vals: &[String]) -> (Guess, String) {
    // `{first_name}.{last_name}{index}@{domain}` is unique when `{index}` can be read back:
    // last names never end in a digit (nor are empty) and no name contains `@`.
    let pool_ok = |name: &str| -> bool {
        let Some(f) = fields.iter().find(|f| f.name == name) else {
            return false;
        };
        if !matches!(f.guess, Guess::Pool | Guess::Categorical(_)) {
            return false;
        }
        let Some(pool) = seed.pool(name) else {
            return false;
        };
        !pool.is_empty()
            && pool.iter().all(|v| {
                !v.contains('@') && !v.is_empty() && !v.ends_with(|c: char| c.is_ascii_digit())
            })
    };
    let domains = seed.pattern_list("domain").filter(|l| !l.is_empty());
    if pool_ok("first_name") && pool_ok("last_name") && domains.is_some() {
        return (
            Guess::Template {
                template: "{first_name}.{last_name}{index}@{domain}".into(),
                domains: Vec::new(),
                unique: true,
            },
            format!(
                "{} distinct addresses: names from this row, `{{index}}` keeps them unique, domains from the seed's `patterns`",
                vals.len()
            ),
        );
    }
    let mut seen = HashSet::new();
    let observed: Vec<String> = vals
        .iter()
        .filter_map(|v| v.rsplit_once('@').map(|(_, d)| d.to_string()))
        .filter(|d| seen.insert(d.clone()))
        .take(MAX_CATEGORIES)
        .collect();
    (
        Guess::Template {
            template: "user{index}@{domain}".into(),
            domains: observed,
            unique: true,
        },
        format!(
            "{} distinct addresses: `{{index}}` keeps them unique, domains as seen in the seed",
            vals.len()
        ),
    )
}

/// Comment lines suggesting a foreign key, when `field` looks like a reference to another
/// seed's entity. The draft keeps its own guess: a foreign key only builds once the
/// parent's config is in the same folder.
fn foreign_key_hint(seed: &SeedDoc, field: &str, siblings: &[Sibling]) -> Option<Vec<String>> {
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
fn derived_time_hint(seed: &SeedDoc, fields: &[FieldDraft], i: usize) -> Option<String> {
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

/// Distinct values with their counts, in order of first appearance.
fn distinct_counts(vals: &[String]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in vals {
        match at.get(v.as_str()) {
            Some(&i) => out[i].1 += 1,
            None => {
                at.insert(v.as_str(), out.len());
                out.push((v.clone(), 1));
            }
        }
    }
    out
}

/// Shares of `counts` (out of `n`) in units of 1/10000, most frequent first (ties in seed
/// order), each at least one unit, summing to exactly 10000: the largest absorbs the
/// rounding.
pub fn weights(counts: &[(String, usize)], n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64, usize)> = counts
        .iter()
        .map(|(s, c)| {
            let units = ((*c as f64) * WEIGHT_UNITS as f64 / n.max(1) as f64).round() as u64;
            (s.clone(), units.max(1), *c)
        })
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.2));
    let sum: u64 = v.iter().map(|x| x.1).sum();
    if let Some(first) = v.first_mut() {
        first.1 = (first.1 + WEIGHT_UNITS).saturating_sub(sum).max(1);
    }
    v.into_iter().map(|(s, u, _)| (s, u)).collect()
}

/// A weight in units of 1/10000 as a decimal: `0.7`, `0.1234`, `1.0`.
fn fmt_units(u: u64) -> String {
    if u >= WEIGHT_UNITS {
        return "1.0".into();
    }
    let s = format!("0.{u:04}");
    let t = s.trim_end_matches('0');
    if t.ends_with('.') {
        format!("{t}0")
    } else {
        t.to_string()
    }
}

fn fmt_fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Indices of the smallest and largest of `keys` (first occurrence).
fn min_max_by<T: PartialOrd + Copy>(keys: &[T]) -> (usize, usize) {
    let (mut lo, mut hi) = (0, 0);
    for (i, k) in keys.iter().enumerate() {
        if *k < keys[lo] {
            lo = i;
        }
        if *k > keys[hi] {
            hi = i;
        }
    }
    (lo, hi)
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Decimals of a plain number (`-12`, `0.50`); `None` for anything else, including numbers
/// with leading zeros (`007` is a code, not a number).
pub fn decimal_places(s: &str) -> Option<u32> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None => Some(0),
        Some(f) if digits(f) => Some(f.len() as u32),
        Some(_) => None,
    }
}

/// Seconds since the epoch of an RFC 3339 time or a date (`2024-01-15`).
fn time_of(s: &str) -> Option<i64> {
    if s.len() < 10 || !s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    values::absolute_time(s)
}

/// `local@domain.tld`, without spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// `(prefix, suffix, zero_padded)` when every value is `prefix + number + suffix` with the
/// same prefix and suffix, not both empty (the number being the last run of digits).
fn index_shape(vals: &[String]) -> Option<(String, String, bool)> {
    let split = |v: &str| -> Option<(String, String, String)> {
        let chars: Vec<char> = v.chars().collect();
        let end = chars.iter().rposition(|c| c.is_ascii_digit())? + 1;
        let start = chars[..end]
            .iter()
            .rposition(|c| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        Some((
            chars[..start].iter().collect(),
            chars[start..end].iter().collect(),
            chars[end..].iter().collect(),
        ))
    };
    let (prefix, _, suffix) = split(vals.first()?)?;
    if prefix.is_empty() && suffix.is_empty() {
        return None; // digits only: a code such as `00917`, not a numbered name
    }
    let mut padded = false;
    for v in vals {
        let (p, digits, s) = split(v)?;
        if p != prefix || s != suffix {
            return None;
        }
        padded |= digits.len() > 1 && digits.starts_with('0');
    }
    Some((prefix, suffix, padded))
}

/// Whether perfgen can prove `prefix{index}suffix` unique (see `lower::template_index_unique`):
/// the suffix starts with a non-digit the prefix does not contain, or is empty.
fn index_readable(prefix: &str, suffix: &str) -> bool {
    match suffix.chars().next() {
        None => true,
        Some(c) => !c.is_ascii_digit() && !prefix.contains(c),
    }
}

/// Literal text in the template language: braces doubled.
fn template_lit(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
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

fn singular(w: &str) -> String {
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

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `s` as a YAML double-quoted scalar: `\` and `"` escaped, and every character YAML does
/// not allow as-is or reads as a line break (controls, U+0085, U+2028, U+2029, U+FEFF,
/// non-characters) written as an escape. Any text round-trips.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if yaml_printable(c) => out.push(c),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// YAML 1.2 printable characters, minus the ones YAML 1.1 reads as line breaks and the BOM.
fn yaml_printable(c: char) -> bool {
    matches!(c as u32,
        0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD | 0x10000..=0x10FFFF)
}

/// A mapping key: plain when it is a simple name YAML cannot misread, else quoted.
pub fn yaml_key(s: &str) -> String {
    let simple = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let special = matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    );
    if simple && !special {
        s.to_string()
    } else {
        yaml_quote(s)
    }
}

/// Text for a `#` comment: line breaks and other controls become spaces.
fn comment_text(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn seed_of(text: &str) -> SeedDoc {
        let mut d = Diagnostics::default();
        let tree = yaml::parse(0, text, &mut d).unwrap();
        let seed = config::read_seed(0, Path::new("x_seed.yaml"), &tree, &mut d);
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
                end: "2023-01-30T08:00:00Z".into()
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
        assert!(matches!(
            guess_values(&rows, false).0,
            Guess::Template { ref template, unique: true, .. } if template == "{index}"
        ));
        assert!(matches!(guess_values(&rows, true).0, Guess::Normal { .. }));
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
