//! From a table's catalog and measurements to a plan of its multiply config: one strategy
//! per column (a `Guess` of perfgen-codegen's infer, which writes it), the fan-out, composite
//! keys and validations. No database here: the plan is a function of plain data.

use crate::check_expr::{translate, CheckDraft};
use crate::fit::{key_law, shape, FanOut, KeyLaw, Shape};
use crate::model::{Column, ForeignKey, Kind, Table};
use crate::profile::{Profile, MAX_CATEGORIES};
use crate::sample::Row;
use perfgen_codegen::infer::{code_pattern, guess_values, weights, FkLaw, ForeignKeyDraft, Guess};
use std::collections::BTreeMap;

/// The most digits `{index}` writes (a 64-bit row index).
const INDEX_DIGITS: usize = 20;
/// Most decimals a drafted float keeps.
const FLOAT_DECIMALS: u32 = 4;
/// Most decimals perfgen's numbers take.
const MAX_PRECISION: u32 = 12;
/// Most distinct child counts a fan-out's count law lists value by value.
const MAX_COUNT_VALUES: usize = 64;

/// The measurements of one table, beside its catalog.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Per column, in table order.
    pub profiles: Vec<Profile>,
    /// Per foreign key (by constraint name) to an imported table.
    pub fan_outs: BTreeMap<String, FanOut>,
    /// The foreign key and line-number column that make the table a `children_of` fan-out
    /// (or, with `fan_out_distinct`, the foreign key and the key's other member).
    pub fan_out_parent: Option<(String, String)>,
    /// The other member of the fan-out's key is a foreign key drawn `distinct` among one
    /// parent's children (a join table keyed by two parents), not a line number.
    pub fan_out_distinct: bool,
    /// The seed sample.
    pub sample: Vec<Row>,
}

/// One column's strategy and notes.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    pub name: String,
    pub guess: Guess,
    pub unique: bool,
    pub null_rate: f64,
    pub notes: Vec<String>,
}

/// `children_of` of a fan-out table.
#[derive(Debug, Clone, PartialEq)]
pub struct FanOutPlan {
    pub parent_entity: String,
    /// The `count:` mapping, as YAML flow text.
    pub count: String,
    /// `"lo..hi"` children per parent.
    pub cardinality: String,
    pub note: String,
}

/// A table's multiply config, to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct TablePlan {
    pub entity: String,
    pub fan_out: Option<FanOutPlan>,
    pub unique_together: Vec<Vec<String>>,
    /// (field, rule) in the validations' syntax.
    pub validations: Vec<(String, String)>,
    /// CHECK constraints the rules cannot say: (definition, why).
    pub refused: Vec<(String, String)>,
    pub columns: Vec<ColumnPlan>,
    /// Comments for the config's header.
    pub notes: Vec<String>,
}

/// The plan of `table`, whose entity is `entities[table.name]` (every imported table has
/// one; foreign keys to tables outside it are drafted from their values).
pub fn plan_table(table: &Table, facts: &Facts, entities: &BTreeMap<String, String>) -> TablePlan {
    let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let mut validations = Vec::new();
    let mut refused = Vec::new();
    let mut in_lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for check in &table.checks {
        match translate(&check.definition, &names) {
            CheckDraft::Rules(rules) => validations.extend(rules),
            CheckDraft::In { column, values } => {
                in_lists.insert(column, values);
            }
            CheckDraft::Refused(why) => refused.push((check.definition.clone(), why)),
        }
    }
    let mut notes = Vec::new();
    for (def, why) in &refused {
        notes.push(format!(
            "`{def}` is not drafted as a rule ({why}): constraints.yaml keeps it as `sql:`; make sure the strategies below satisfy it"
        ));
    }
    let fan_out = facts
        .fan_out_parent
        .as_ref()
        .and_then(|(fk_name, _)| fan_out_plan(table, fk_name, facts, entities));
    let columns: Vec<ColumnPlan> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let profile = facts.profiles.get(i).cloned().unwrap_or_default();
            let sample: Vec<String> = facts
                .sample
                .iter()
                .filter_map(|r| r.get(i).cloned().flatten())
                .collect();
            plan_column(
                table,
                c,
                &profile,
                &sample,
                facts,
                entities,
                in_lists.get(&c.name),
            )
        })
        .collect();
    let mut unique_together = Vec::new();
    let mut groups: Vec<&Vec<String>> = table.uniques.iter().collect();
    if table.primary_key.len() > 1 {
        groups.insert(0, &table.primary_key);
    }
    for group in groups.into_iter().filter(|g| g.len() > 1) {
        let proven = group.iter().any(|m| {
            columns.iter().any(|c| {
                &c.name == m
                    && (c.unique
                        || matches!(
                            c.guess,
                            Guess::Sequence { .. } | Guess::Template { unique: true, .. }
                        ))
            })
        }) || facts.fan_out_parent.as_ref().is_some_and(|(fk, pos)| {
            let key = table.foreign_keys.iter().find(|f| &f.name == fk);
            key.is_some_and(|k| {
                group.len() == 2 && group.contains(pos) && group.contains(&k.columns[0])
            })
        });
        if proven {
            unique_together.push(group.clone());
        } else {
            notes.push(format!(
                "the key ({}) is not drafted as `unique_together`: no member is drawn unique, so perfgen cannot prove it; the data may repeat a combination",
                group.join(", ")
            ));
        }
    }
    TablePlan {
        entity: entities[&table.name].clone(),
        fan_out,
        unique_together,
        validations,
        refused,
        columns,
        notes,
    }
}

fn fan_out_plan(
    table: &Table,
    fk_name: &str,
    facts: &Facts,
    entities: &BTreeMap<String, String>,
) -> Option<FanOutPlan> {
    let fk = table.foreign_keys.iter().find(|f| f.name == fk_name)?;
    let f = facts.fan_outs.get(fk_name)?;
    let parent_entity = entities.get(&fk.parent)?.clone();
    let mut counts: Vec<(u64, u64)> = f.histogram.clone();
    if f.childless() > 0 {
        counts.insert(0, (0, f.childless()));
    }
    let lo = counts.first().map_or(0, |c| c.0);
    let hi = f.largest();
    let count = if counts.len() <= MAX_COUNT_VALUES {
        let items: Vec<String> = counts.iter().map(|(c, p)| format!("{c}: {p}")).collect();
        format!("{{values: {{{}}}}}", items.join(", "))
    } else {
        format!("{{min: {lo}, max: {hi}}}")
    };
    let note = if counts.len() <= MAX_COUNT_VALUES {
        format!(
            "children per {parent_entity} row as in the source: each count weighted by the number of parent rows that have it ({} parents, {} children)",
            f.parents,
            f.children()
        )
    } else {
        format!(
            "{} different child counts: drafted uniform over {lo}..{hi}, a rough fit",
            counts.len()
        )
    };
    Some(FanOutPlan {
        parent_entity,
        count,
        cardinality: format!("{lo}..{hi}"),
        note,
    })
}

fn plan_column(
    table: &Table,
    c: &Column,
    p: &Profile,
    sample: &[String],
    facts: &Facts,
    entities: &BTreeMap<String, String>,
    in_list: Option<&Vec<String>>,
) -> ColumnPlan {
    let mut plan = ColumnPlan {
        name: c.name.clone(),
        guess: Guess::Pool,
        unique: false,
        null_rate: p.null_rate(),
        notes: Vec::new(),
    };
    if let Some((fk, at)) = table.foreign_key_of(&c.name) {
        if let Some(parent) = entities.get(&fk.parent) {
            plan_key(table, c, fk, at, parent, p, facts, &mut plan);
            return plan;
        }
        plan.notes.push(format!(
            "references {}, which is not imported: drafted from its values, not as a foreign key",
            if fk.parent.is_empty() {
                "a table of another schema"
            } else {
                &fk.parent
            }
        ));
    }
    if facts
        .fan_out_parent
        .as_ref()
        .is_some_and(|(_, pos)| pos == &c.name)
    {
        plan.guess = Guess::Position;
        plan.notes
            .push("numbers the rows of each parent 1..n in the source: `position`".into());
        return plan;
    }
    if p.rows == 0 {
        plan.guess = placeholder(c, table.is_unique(&c.name), &mut plan);
        plan.notes.insert(
            0,
            "the table is empty: nothing to measure; a placeholder of the column's type".into(),
        );
        return plan;
    }
    if p.non_null() == 0 {
        plan.guess = Guess::Categorical(vec![(String::new(), 10_000)]);
        if c.not_null {
            plan.notes
                .push("the table is empty: nothing to measure; replace this placeholder".into());
        } else {
            plan.null_rate = 1.0;
            plan.notes.push("always NULL in the source".into());
        }
        return plan;
    }
    let unique = table.is_unique(&c.name);
    if c.identity && c.kind == Kind::Int {
        let start = p.min.clone().and_then(|m| m.parse().ok()).unwrap_or(1);
        plan.guess = Guess::Sequence { start, step: 1 };
        plan.notes.push(format!(
            "identity or sequence column ({}): numbered from the source's least value",
            c.default.as_deref().unwrap_or("GENERATED AS IDENTITY")
        ));
        return plan;
    }
    let few =
        p.distinct <= MAX_CATEGORIES && 2 * p.distinct <= p.non_null() && !p.values.is_empty();
    match c.kind {
        Kind::Bool => {
            let share = p.true_share.unwrap_or(0.0);
            plan.guess = Guess::Boolean {
                probability: (share * 10_000.0).round() / 10_000.0,
            };
            plan.notes.push(format!(
                "`true` in {:.2}% of the non-NULL rows",
                share * 100.0
            ));
            return plan;
        }
        Kind::Uuid => {
            plan.guess = Guess::Uuid;
            plan.unique = unique;
            return plan;
        }
        Kind::Enum => {
            plan.guess = categorical(p);
            let unused: Vec<&String> = c
                .enum_labels
                .iter()
                .filter(|l| !p.values.iter().any(|(v, _)| v == *l))
                .collect();
            let mut note = format!(
                "enum `{}`: its labels with their shares in the source",
                c.sql_type
            );
            if !unused.is_empty() {
                let list: Vec<&str> = unused.iter().map(|s| s.as_str()).collect();
                note.push_str(&format!(" (unused labels left out: {})", list.join(", ")));
            }
            plan.notes.push(note);
            return plan;
        }
        _ => {}
    }
    if let Some(list) = in_list {
        if !p.values.is_empty() {
            plan.guess = categorical(p);
            plan.notes.push(format!(
                "CHECK allows only {}: the values the source has, with their shares",
                list.join(", ")
            ));
            return plan;
        }
    }
    if matches!(c.kind, Kind::Json | Kind::Other) && sample.is_empty() && !p.values.is_empty() {
        let shown: i64 = p.values.iter().map(|(_, n)| n).sum();
        let counts: Vec<(String, usize)> = p
            .values
            .iter()
            .map(|(v, n)| (v.clone(), *n as usize))
            .collect();
        plan.guess = Guess::Categorical(weights(&counts, shown as usize));
        plan.notes.push(format!(
            "`{}` has no strategy of its own and the sample holds none of its values: the table's {} most common values, with their shares among them",
            c.sql_type,
            p.values.len()
        ));
        return plan;
    }
    if matches!(c.kind, Kind::Json | Kind::Other) {
        plan.guess = Guess::Pool;
        plan.notes.push(format!(
            "`{}` has no strategy of its own: drawn uniformly from the {} sampled values in the seed file",
            c.sql_type,
            sample.len()
        ));
        if sample.is_empty() {
            plan.notes.push(
                "the sample holds no value of this column: add records with one to the seed".into(),
            );
        }
        return plan;
    }
    if unique {
        plan_unique(c, p, sample, &mut plan);
        return plan;
    }
    if few {
        plan.guess = categorical(p);
        plan.notes.push(format!(
            "{} distinct values in {} rows: each with its share in the source",
            p.distinct,
            p.non_null()
        ));
        return plan;
    }
    match c.kind {
        Kind::Int | Kind::Numeric | Kind::Float => plan_number(c, p, &mut plan),
        Kind::Date | Kind::Timestamp => plan_time(p, &mut plan),
        _ => plan_text(c, p, sample, &mut plan),
    }
    plan
}

#[allow(clippy::too_many_arguments)]
fn plan_key(
    table: &Table,
    c: &Column,
    fk: &ForeignKey,
    at: usize,
    parent: &str,
    p: &Profile,
    facts: &Facts,
    plan: &mut ColumnPlan,
) {
    let field = fk.parent_columns.get(at).cloned().unwrap_or_default();
    let draft = |law| ForeignKeyDraft {
        entity: parent.to_string(),
        field: field.clone(),
        law,
    };
    if at > 0 {
        plan.guess = Guess::ForeignKey(draft(FkLaw::SameParentAs(fk.columns[0].clone())));
        plan.null_rate = 0.0;
        plan.notes.push(format!(
            "member {} of the key ({}) -> {} ({}): the parent row of `{}`",
            at + 1,
            fk.columns.join(", "),
            parent,
            fk.parent_columns.join(", "),
            fk.columns[0]
        ));
        return;
    }
    if facts.fan_out_distinct
        && facts
            .fan_out_parent
            .as_ref()
            .is_some_and(|(_, other)| other == &c.name)
    {
        plan.guess = Guess::ForeignKey(draft(FkLaw::Distinct));
        plan.notes.push(format!(
            "the table's key with the key to the parent of `children_of`: never the same {parent} row twice among one parent's children (`distribution: distinct`)"
        ));
        return;
    }
    if facts
        .fan_out_parent
        .as_ref()
        .is_some_and(|(name, _)| name == &fk.name)
    {
        plan.guess = Guess::ForeignKey(draft(FkLaw::FanoutParent));
        plan.notes
            .push(format!("the key to the parent of `children_of` ({parent})"));
        return;
    }
    if fk.parent == table.name {
        plan.guess = Guess::ForeignKey(draft(FkLaw::OwnEntity));
        plan.notes.push(format!(
            "a key to its own table: a hierarchy (each row's parent an earlier row); roots are NULL, {:.2}% in the source",
            p.null_rate() * 100.0
        ));
        return;
    }
    let Some(f) = facts.fan_outs.get(&fk.name) else {
        plan.guess = Guess::ForeignKey(draft(FkLaw::Uniform));
        return;
    };
    plan.notes.push(format!(
        "{} children over {} {parent} rows: {} referenced, at most {} per parent (dispersion {:.2})",
        f.children(),
        f.parents,
        f.referenced(),
        f.largest(),
        f.dispersion()
    ));
    let one_to_one = table.is_unique(&c.name);
    let law = match key_law(f) {
        _ if one_to_one => {
            plan.unique = true;
            plan.notes
                .push("UNIQUE: one child per parent at most".into());
            FkLaw::Uniform
        }
        KeyLaw::Uniform => FkLaw::Uniform,
        KeyLaw::Zipf { alpha } => {
            plan.notes.push(format!(
                "skewed: zipf over the parents, alpha {alpha:.3} by maximum likelihood on the children per parent"
            ));
            FkLaw::Zipf { alpha }
        }
    };
    plan.guess = Guess::ForeignKey(draft(law));
}

/// `categorical_weighted` over every value the profile lists, with its share.
fn categorical(p: &Profile) -> Guess {
    let counts: Vec<(String, usize)> = p
        .values
        .iter()
        .map(|(v, n)| (v.clone(), *n as usize))
        .collect();
    Guess::Categorical(weights(&counts, p.non_null() as usize))
}

fn plan_unique(c: &Column, p: &Profile, sample: &[String], plan: &mut ColumnPlan) {
    match c.kind {
        Kind::Int => {
            let (lo, hi) = (int(&p.min), int(&p.max));
            let n = p.non_null().max(2);
            let step = ((hi - lo) / (n - 1)).max(1);
            plan.guess = Guess::Sequence { start: lo, step };
            plan.notes.push(format!(
                "UNIQUE: a sequence from the least value, in steps of {step} (the source's range over its rows)"
            ));
        }
        Kind::Text => {
            let (mut guess, _) = guess_values(sample, false);
            if matches!(&guess, Guess::Template { template, .. } if template.starts_with('\u{0}')) {
                guess = email_template(sample);
            }
            // The longest value: the template's text, the longest domain, and `{index}` at
            // its widest (20 digits, as the build's schema check counts it).
            let longest = |t: &str, domains: &[String]| {
                let domain = domains.iter().map(|d| d.chars().count()).max().unwrap_or(0);
                let text = t.replace("{index}", "").replace("{domain}", "");
                text.chars().count() + INDEX_DIGITS + domain
            };
            let fits =
                |n: usize| c.max_length.is_none_or(|m| n <= m as usize) && c.fixed_length.is_none();
            match guess {
                Guess::Template {
                    template,
                    domains,
                    unique: true,
                } if fits(longest(&template, &domains)) => {
                    plan.guess = Guess::Template {
                        template,
                        domains,
                        unique: true,
                    };
                    plan.notes.push(
                        "UNIQUE: numbered by the row index, in the shape of the sampled values"
                            .into(),
                    );
                }
                _ if padded_code(c, sample).is_some() => {
                    let (template, width) = padded_code(c, sample).unwrap_or_default();
                    plan.notes.push(format!(
                        "UNIQUE, at most {} characters: the sampled values' common start and the row index padded to {width} digits (unique up to 10^{width} rows)",
                        c.fixed_length.or(c.max_length).unwrap_or_default()
                    ));
                    plan.guess = Guess::Template {
                        template,
                        domains: Vec::new(),
                        unique: true,
                    };
                }
                _ => {
                    let template = format!("{}-{{index}}", c.name.replace(['{', '}'], ""));
                    plan.notes.push("UNIQUE: no numbered shape of the sampled values fits the column: drafted as the column's name and the row index".into());
                    let n = longest(&template, &[]);
                    if !fits(n) {
                        plan.notes.push(format!(
                            "`{}` holds fewer characters than a unique value may need ({n} with a 20-digit index): perfgen cannot draw this column unique within its length; widen the column or shorten the template",
                            c.sql_type
                        ));
                    }
                    plan.guess = Guess::Template {
                        template,
                        domains: Vec::new(),
                        unique: true,
                    };
                }
            }
        }
        _ => {
            plan.unique = false;
            plan.notes.push(
                "UNIQUE in the source, but perfgen cannot draw this type unique: values may repeat"
                    .into(),
            );
            match c.kind {
                Kind::Numeric | Kind::Float => plan_number(c, p, plan),
                Kind::Date | Kind::Timestamp => plan_time(p, plan),
                _ => plan.guess = Guess::Pool,
            }
        }
    }
}

/// Fewest digits a padded row index may have in a unique code: 10^8 rows per table.
const MIN_CODE_DIGITS: usize = 8;
/// Digits of the padded index when the column leaves room for more.
const CODE_DIGITS: usize = 10;

/// A unique code for a text column of bounded length (`char(13)`, `varchar(12)`): the start
/// the sampled values share (cut so that the index keeps at least 10 digits where the column
/// allows) and the row index padded to fill the column (`978{index:010}`), with the width;
/// None when the column leaves fewer than [`MIN_CODE_DIGITS`] for the index.
fn padded_code(c: &Column, sample: &[String]) -> Option<(String, usize)> {
    let length = c.fixed_length.or(c.max_length)? as usize;
    let first = sample.first()?;
    let common = sample.iter().fold(first.chars().count(), |n, v| {
        first
            .chars()
            .zip(v.chars())
            .take(n)
            .take_while(|(a, b)| a == b)
            .count()
    });
    // The letters of the common start stay whole (`CPN-`); its digits only as far as the
    // index keeps CODE_DIGITS digits (`978` of `9780000...`).
    let letters = first
        .chars()
        .take(common)
        .collect::<Vec<_>>()
        .iter()
        .rposition(|ch| !ch.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let prefix_len = letters.max(common.min(length.saturating_sub(CODE_DIGITS)));
    let width = length.saturating_sub(prefix_len);
    if width < MIN_CODE_DIGITS {
        return None;
    }
    let prefix: String = first
        .chars()
        .take(prefix_len)
        .filter(|ch| !matches!(ch, '{' | '}'))
        .collect();
    if prefix.chars().count() != prefix_len {
        return None;
    }
    Some((format!("{prefix}{{index:0{width}}}"), width))
}

fn int(s: &Option<String>) -> i64 {
    s.as_deref()
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as i64)
}

/// `v` with at most `k` decimals: as written when it has no more, else rounded toward the
/// inside of the range (`up` for a lower bound), so the bound stays a value the source has
/// room for.
fn bound(v: &str, k: u32, up: bool) -> String {
    let places = v.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    if places <= k {
        return v.to_string();
    }
    let x: f64 = v.parse().unwrap_or(0.0);
    let m = 10f64.powi(k as i32);
    let r = if up {
        (x * m - 1e-6).ceil()
    } else {
        (x * m + 1e-6).floor()
    } / m;
    format!("{r:.*}", k as usize)
}

fn plan_number(c: &Column, p: &Profile, plan: &mut ColumnPlan) {
    let precision = match c.kind {
        Kind::Int => None,
        Kind::Float => Some(FLOAT_DECIMALS),
        _ => {
            let k = c
                .precision_scale
                .map(|(_, s)| s)
                .or(p.max_scale)
                .unwrap_or(0)
                .min(MAX_PRECISION);
            (k > 0).then_some(k)
        }
    };
    if c.kind == Kind::Float {
        plan.notes.push(format!(
            "`{}`: drafted with {FLOAT_DECIMALS} decimals",
            c.sql_type
        ));
    }
    let k = precision.unwrap_or(0);
    let (min, max) = (
        bound(p.min.as_deref().unwrap_or("0"), k, true),
        bound(p.max.as_deref().unwrap_or("0"), k, false),
    );
    let (mean, sd) = (p.mean.unwrap_or(0.0), p.stddev.unwrap_or(0.0));
    let range = max.parse::<f64>().unwrap_or(0.0) - min.parse::<f64>().unwrap_or(0.0);
    match shape(p.order_correlation, p.within_one_sd, sd, range, true) {
        Shape::Linear => {
            plan.guess = Guess::NumberRange {
                min,
                max,
                precision,
                linear: true,
            };
            plan.notes.push(format!(
                "grows with the key (correlation {:.4}): spread evenly over {} to {} in row order",
                p.order_correlation.unwrap_or(0.0),
                p.min.as_deref().unwrap_or(""),
                p.max.as_deref().unwrap_or("")
            ));
        }
        Shape::Normal => {
            plan.notes.push(format!(
                "{:.1}% within one standard deviation of the mean: a normal ({mean:.4}, {sd:.4}) cut to the source's range",
                p.within_one_sd.unwrap_or(0.0) * 100.0
            ));
            plan.guess = Guess::Normal {
                mean,
                stddev: sd,
                min,
                max,
                precision,
            };
        }
        Shape::Uniform => {
            plan.notes.push(format!(
                "{:.1}% within one standard deviation of the mean: uniform over the source's range",
                p.within_one_sd.unwrap_or(0.0) * 100.0
            ));
            plan.guess = Guess::NumberRange {
                min,
                max,
                precision,
                linear: false,
            };
        }
    }
}

fn plan_time(p: &Profile, plan: &mut ColumnPlan) {
    let linear = p
        .order_correlation
        .is_some_and(|c| c >= crate::fit::LINEAR_CORRELATION);
    let (start, end) = (
        p.min.clone().unwrap_or_default(),
        p.max.clone().unwrap_or_default(),
    );
    plan.notes.push(if linear {
        format!(
            "grows with the key (correlation {:.4}): linear in row order from {start} to {end}",
            p.order_correlation.unwrap_or(0.0)
        )
    } else {
        format!("uniform over the source's range, {start} to {end}")
    });
    plan.guess = Guess::Range { start, end, linear };
}

fn plan_text(c: &Column, p: &Profile, sample: &[String], plan: &mut ColumnPlan) {
    let (lo, hi) = p.lengths.unwrap_or((0, 0));
    let cap = c.max_length.or(c.fixed_length).map(|m| m as usize);
    let clamp = |n: usize| cap.map_or(n, |m| n.min(m));
    let (lo, hi) = (clamp(lo.max(0) as usize), clamp(hi.max(0) as usize));
    if let Some(n) = c.fixed_length {
        // Codes of one shape, numbered ones (`SKU01234`) included: infer would read those
        // as a template, which a fixed length cannot hold.
        let distinct = sample
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len();
        let pattern = match guess_values(sample, false).0 {
            Guess::Code { pattern } => Some(pattern),
            _ => code_pattern(sample, distinct),
        };
        if let Some(pattern) = pattern {
            plan.guess = Guess::Code { pattern };
            plan.notes.push(format!(
                "`{}`: codes of the sampled values' shape",
                c.sql_type
            ));
        } else {
            plan.guess = Guess::RandomString {
                min_length: n as usize,
                max_length: n as usize,
            };
            plan.notes
                .push(format!("`{}`: random characters, exactly {n}", c.sql_type));
        }
        return;
    }
    let (guess, _) = guess_values(sample, false);
    let lengths = format!("{lo} to {hi} characters in the source");
    match guess {
        Guess::Text { .. } if hi > 0 => {
            plan.guess = Guess::Text {
                min_length: lo,
                max_length: hi,
            };
            plan.notes
                .push(format!("free text of the sampled words, {lengths}"));
        }
        Guess::Code { pattern } => {
            plan.guess = Guess::Code { pattern };
            plan.notes
                .push(format!("codes of the sampled values' shape ({lengths})"));
        }
        Guess::Template {
            template, domains, ..
        } if !template.starts_with('\u{0}') && hi > 0 => {
            plan.guess = Guess::Template {
                template,
                domains,
                unique: false,
            };
            plan.notes
                .push(format!("numbered like the sampled values ({lengths})"));
        }
        _ if p.distinct as usize <= sample.len() * 2 => {
            plan.guess = Guess::Pool;
            plan.notes.push(format!(
                "{} distinct texts: drawn uniformly from the sampled ones",
                p.distinct
            ));
        }
        _ => {
            plan.guess = Guess::RandomString {
                min_length: lo,
                max_length: hi,
            };
            plan.notes.push(format!(
                "{} distinct texts of no shape perfgen knows: random characters, {lengths}",
                p.distinct
            ));
        }
    }
}

/// Distinct addresses: `user{index}@{domain}` over the sampled domains (unique).
fn email_template(sample: &[String]) -> Guess {
    let mut domains: Vec<String> = Vec::new();
    for v in sample {
        if let Some((_, d)) = v.rsplit_once('@') {
            if !domains.iter().any(|x| x == d) && domains.len() < MAX_CATEGORIES as usize {
                domains.push(d.to_string());
            }
        }
    }
    Guess::Template {
        template: "user{index}@{domain}".into(),
        domains,
        unique: true,
    }
}

/// A strategy for a column of an empty table: its type's, with made-up bounds.
fn placeholder(c: &Column, unique: bool, plan: &mut ColumnPlan) -> Guess {
    let text = |n: usize| Guess::RandomString {
        min_length: n,
        max_length: n,
    };
    match c.kind {
        Kind::Int if unique || c.identity => Guess::Sequence { start: 1, step: 1 },
        Kind::Int => Guess::NumberRange {
            min: "0".into(),
            max: "100".into(),
            precision: None,
            linear: false,
        },
        Kind::Numeric | Kind::Float => {
            let k = c.precision_scale.map_or(2, |(_, s)| s.min(MAX_PRECISION));
            Guess::NumberRange {
                min: "0".into(),
                max: "100".into(),
                precision: (k > 0).then_some(k),
                linear: false,
            }
        }
        Kind::Bool => Guess::Boolean { probability: 0.5 },
        Kind::Uuid => {
            plan.unique = unique;
            Guess::Uuid
        }
        Kind::Date => Guess::Range {
            start: "2024-01-01".into(),
            end: "2024-12-31".into(),
            linear: false,
        },
        Kind::Timestamp => Guess::Range {
            start: "2024-01-01T00:00:00Z".into(),
            end: "2024-12-31T23:59:59Z".into(),
            linear: false,
        },
        Kind::Enum if !c.enum_labels.is_empty() => {
            let counts: Vec<(String, usize)> =
                c.enum_labels.iter().map(|l| (l.clone(), 1)).collect();
            Guess::Categorical(weights(&counts, counts.len()))
        }
        Kind::Text if unique => Guess::Template {
            template: format!("{}-{{index}}", c.name.replace(['{', '}'], "")),
            domains: Vec::new(),
            unique: true,
        },
        Kind::Text => match c.fixed_length {
            Some(n) => text(n as usize),
            None => text(c.max_length.map_or(8, |m| (m as usize).min(8))),
        },
        Kind::Json => Guess::Categorical(vec![("{}".into(), 10_000)]),
        _ => {
            if !c.not_null {
                plan.null_rate = 1.0;
            }
            plan.notes.push(format!(
                "no value of `{}` to sample: replace this placeholder",
                c.sql_type
            ));
            Guess::Categorical(vec![(String::new(), 10_000)])
        }
    }
}
