//! Writing one field's strategy mapping: the part of a draft `perfgen infer` (from seed
//! values) and `perfgen import` (from a database's measurements) share.

use super::text::{comment_text, fmt_fixed, fmt_units, yaml_key, yaml_quote};
use super::Guess;
use crate::strategy::{
    foreign_key, normal, number, pool, position, random_string, range, sequence, template, uuid,
    words,
};
use std::fmt::Write as _;

/// How a drafted foreign key picks its parent row.
#[derive(Debug, Clone, PartialEq)]
pub enum FkLaw {
    Uniform,
    /// `distribution: zipf` with this `alpha`.
    Zipf {
        alpha: f64,
    },
    /// A later member of a composite key: `same_parent_as` its first member.
    SameParentAs(String),
    /// A key to its own entity (a hierarchy): no `distribution`.
    OwnEntity,
    /// The key to the parent of the entity's `children_of`: no `distribution`.
    FanoutParent,
    /// `distribution: distinct`: never the same row twice among one parent's children (the
    /// second member of a join table's key).
    Distinct,
}

/// A drafted `foreign_key_reference`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyDraft {
    pub entity: String,
    pub field: String,
    pub law: FkLaw,
}

/// One field of a draft under `field_strategies:`: its name, a comment line per note, the
/// strategy of `guess`, `unique: true` when asked and the guess does not already say it,
/// and `null_rate` when above 0.
pub fn write_field(
    s: &mut String,
    name: &str,
    notes: &[String],
    guess: &Guess,
    unique: bool,
    null_rate: f64,
) {
    let _ = writeln!(s, "  {}:", yaml_key(name));
    for note in notes {
        let _ = writeln!(s, "    # {}", comment_text(note));
    }
    write_guess(s, name, guess);
    let says_unique = matches!(
        guess,
        Guess::Sequence { .. } | Guess::Template { unique: true, .. }
    );
    if unique && !says_unique {
        s.push_str("    unique: true\n");
    }
    if null_rate > 0.0 {
        let _ = writeln!(s, "    null_rate: {null_rate}");
    }
}

/// The strategy mapping of guess `g` for field `name`.
pub(super) fn write_guess(s: &mut String, name: &str, g: &Guess) {
    match g {
        Guess::Sequence { start, step } => {
            let _ = writeln!(s, "    strategy: {}", sequence::NAME);
            let _ = writeln!(s, "    start: {start}\n    step: {step}\n    unique: true");
        }
        Guess::Text {
            min_length,
            max_length,
        } => {
            let _ = writeln!(s, "    strategy: {}", words::NAME);
            let _ = writeln!(
                s,
                "    min_length: {min_length}\n    max_length: {max_length}"
            );
            let _ = writeln!(s, "    words_from: {}", yaml_quote(name));
        }
        Guess::Code { pattern } => {
            let _ = writeln!(s, "    strategy: {}", random_string::NAME);
            let _ = writeln!(s, "    pattern: {}", yaml_quote(pattern));
        }
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
        Guess::Boolean { probability } => {
            let _ = writeln!(s, "    strategy: {}", crate::strategy::boolean::NAME);
            let _ = writeln!(s, "    probability: {}", fmt_fixed(*probability, 4));
        }
        Guess::Range { start, end, linear } => {
            let _ = writeln!(s, "    strategy: {}", range::NAME);
            let _ = writeln!(s, "    range_start: {}", yaml_quote(start));
            let _ = writeln!(s, "    range_end: {}", yaml_quote(end));
            let law = if *linear { "linear" } else { "uniform" };
            let _ = writeln!(s, "    distribution: {law}");
        }
        Guess::NumberRange {
            min,
            max,
            precision,
            linear,
        } => {
            let _ = writeln!(s, "    strategy: {}", number::NAME);
            let _ = writeln!(s, "    min: {min}\n    max: {max}");
            if let Some(k) = precision {
                let _ = writeln!(s, "    precision: {k}");
            }
            let law = if *linear { "linear" } else { "uniform" };
            let _ = writeln!(s, "    distribution: {law}");
        }
        Guess::RandomString {
            min_length,
            max_length,
        } => {
            let _ = writeln!(s, "    strategy: {}", random_string::NAME);
            let _ = writeln!(
                s,
                "    min_length: {min_length}\n    max_length: {max_length}"
            );
        }
        Guess::Position => {
            let _ = writeln!(s, "    strategy: {}", position::NAME);
        }
        Guess::ForeignKey(fk) => {
            let _ = writeln!(s, "    strategy: {}", foreign_key::NAME);
            let _ = writeln!(s, "    reference_entity: {}", yaml_quote(&fk.entity));
            let _ = writeln!(s, "    reference_field: {}", yaml_quote(&fk.field));
            match &fk.law {
                FkLaw::Uniform => s.push_str("    distribution: uniform\n"),
                FkLaw::Zipf { alpha } => {
                    s.push_str("    distribution: zipf\n");
                    let _ = writeln!(s, "    alpha: {}", fmt_fixed(*alpha, 3));
                }
                FkLaw::SameParentAs(first) => {
                    let _ = writeln!(s, "    same_parent_as: {}", yaml_quote(first));
                }
                FkLaw::Distinct => s.push_str("    distribution: distinct\n"),
                FkLaw::OwnEntity | FkLaw::FanoutParent => {}
            }
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
