//! One field's strategy and parameters in words, as configured: the "Distribution Details"
//! of the dataset README.

use crate::human::{duration, num, percent};
use crate::zipf::generalized_harmonic;
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::NumberSource;
use perfgen_runtime::spec::{
    Case, Enforcement, FieldSpec, FilteredLaw, ForeignKeyDistribution, OnFiltered, Operand,
    PoolDistribution, RangeDistribution, Strategy, TemplatePiece, TimeSpec,
};
use perfgen_runtime::time::Timestamp;
use std::fmt::Write as _;

fn time(t: TimeSpec, now: Option<i64>) -> String {
    match (t, now) {
        (TimeSpec::At(v), _) => Timestamp(v).to_string(),
        (TimeSpec::Now(0), Some(n)) => format!("now ({})", Timestamp(n)),
        (TimeSpec::Now(off), Some(n)) => {
            format!("now - {} ({})", duration(-off), Timestamp(n + off))
        }
        (TimeSpec::Now(0), None) => "now".to_string(),
        (TimeSpec::Now(off), None) => format!("now - {}", duration(-off)),
    }
}

fn quoted_list(values: &[&str], limit: usize) -> String {
    let mut parts: Vec<String> = values
        .iter()
        .take(limit)
        .map(|v| format!("`{v}`"))
        .collect();
    if values.len() > limit {
        parts.push(format!("... ({} in all)", values.len()));
    }
    parts.join(", ")
}

fn operand(op: &Operand, info: &EntityInfo, catalog: &Catalog) -> String {
    match *op {
        Operand::Number(x) => num(x),
        Operand::Time(t) => time(t, None),
        Operand::Text(s) => format!("`{s}`"),
        Operand::Field(j) => info.fields.get(j).map_or("?", |f| f.name).to_string(),
        Operand::Parent { fk, via, field } => match info.fields.get(fk).map(|f| f.spec.strategy) {
            Some(Strategy::ForeignKey { parent, .. }) => {
                // Down the path: each step's foreign key leads to the next entity.
                let end = via.iter().try_fold(parent, |at, &f| {
                    match catalog.entities[at].fields.get(f)?.spec.strategy {
                        Strategy::ForeignKey { parent, .. } => Some(parent),
                        _ => None,
                    }
                });
                match end {
                    Some(end) => {
                        let p = &catalog.entities[end];
                        format!("{}.{}", p.name, p.fields.get(field).map_or("?", |f| f.name))
                    }
                    None => "?".to_string(),
                }
            }
            _ => "?".to_string(),
        },
    }
}

/// One field's strategy and parameters, in words, as configured.
pub fn describe(catalog: &Catalog, e: usize, f: usize) -> String {
    let info = &catalog.entities[e];
    let spec: &FieldSpec = &info.fields[f].spec;
    let mut s = match spec.strategy {
        Strategy::UuidV4 => "UUID v4 (random)".to_string(),
        Strategy::Pool {
            values,
            distribution,
        } => describe_pool(values, distribution),
        Strategy::Normal {
            mean,
            stddev,
            min,
            max,
            integer,
            precision,
        } => format!(
            "normal (mean {}, stddev {}) truncated to [{}, {}], {}",
            num(mean),
            num(stddev),
            num(min),
            num(max),
            if integer {
                "integer".to_string()
            } else {
                format!("{precision} decimals")
            }
        ),
        Strategy::Range {
            start,
            end,
            distribution,
        } => {
            let (a, b) = (time(start, info.generated_at), time(end, info.generated_at));
            // A date column's bounds are midnights: shown as their dates.
            let (a, b) = if spec.column == perfgen_runtime::spec::ColumnType::Date {
                (a.replace("T00:00:00Z", ""), b.replace("T00:00:00Z", ""))
            } else {
                (a, b)
            };
            match distribution {
                RangeDistribution::Linear => {
                    format!("linear by row (steady growth) from {a} to {b}")
                }
                RangeDistribution::Uniform => format!("uniform between {a} and {b}"),
                RangeDistribution::Exponential { rate } if rate < 0.0 => format!(
                    "exponential toward the start (older; density at the end e^{} = {} that at the start) from {a} to {b}",
                    num(rate),
                    density_ratio(rate)
                ),
                RangeDistribution::Exponential { rate } => format!(
                    "exponential toward the end (more recent; density at the end e^{} = {} that at the start) from {a} to {b}",
                    num(rate),
                    density_ratio(rate)
                ),
            }
        }
        Strategy::AddDuration { base, min, max } => format!(
            "{} + a uniform duration in [{}, {}]",
            info.fields.get(base).map_or("?", |b| b.name),
            duration(min),
            duration(max)
        ),
        Strategy::Template { pieces, case } => describe_template(pieces, case, info),
        Strategy::ForeignKey {
            parent,
            parent_field,
            distribution,
        } => describe_foreign_key(catalog, info, parent, parent_field, distribution),
        Strategy::RandomString {
            alphabet,
            min_length,
            max_length,
        } => format!(
            "random string of {min_length} to {max_length} characters (length uniform), each uniform over {} characters `{}`",
            alphabet.chars().count(),
            alphabet.escape_debug()
        ),
        Strategy::Pattern {
            pattern,
            min_length,
            max_length,
            ..
        } => format!(
            "random string shaped by the pattern `{pattern}` ({min_length} to {max_length} characters)"
        ),
        Strategy::Words {
            words,
            min_length,
            max_length,
        } => format!(
            "text of {min_length} to {max_length} characters (length uniform) of {} words separated by single spaces{}",
            words.len(),
            if words.len() <= 4 {
                format!(" ({})", words.join(", "))
            } else {
                String::new()
            }
        ),
        Strategy::Expression {
            text,
            random,
            range,
            ..
        } => {
            let mut s = format!("expression `{text}`");
            if random {
                s.push_str(" (with random draws)");
            }
            if let Some((lo, hi)) = range {
                s.push_str(&format!(" in [{}, {}]", num(lo), num(hi)));
            }
            s
        }
        Strategy::Cases {
            arms, otherwise, ..
        } => {
            let mut s = String::from("cases:");
            for a in arms {
                let _ = write!(s, " when `{}`: {};", a.when, describe_branch(a.then, info));
            }
            let _ = write!(s, " else: {}", describe_branch(*otherwise, info));
            s
        }
        Strategy::SeedGroup {
            group,
            values,
            distribution,
        } => {
            let law = match distribution {
                PoolDistribution::Zipf { alpha } => {
                    format!("zipf (alpha {}) in seed order", num(alpha))
                }
                _ => "uniformly".to_string(),
            };
            format!(
                "seed group `{group}`: the value of a seed record drawn {law} for the whole group ({} records)",
                values.len()
            )
        }
        Strategy::NumberRange {
            min,
            max,
            precision,
            distribution,
        } => describe_number_range(min, max, precision, distribution),
        Strategy::Sequence { start, step } => {
            format!("sequence {start} + {step} x row (the 0-based row index)")
        }
        Strategy::Boolean { probability } => {
            format!("`true` with probability {}, else `false`", num(probability))
        }
        Strategy::Position => match info.fan_out {
            Some(f) => format!(
                "the row's position among the children of its {} row: 1, 2, .. n",
                catalog.entities[f.parent].name
            ),
            None => "the row's position among its parent's children".to_string(),
        },
    };
    if spec.unique {
        s.push_str("; unique");
    }
    describe_nulls(&mut s, spec, info);
    describe_rules(&mut s, spec, info, catalog);
    s
}

/// Appends where the field may be NULL: its own `null_rate`, or NULL with a field its value
/// is computed from.
fn describe_nulls(s: &mut String, spec: &FieldSpec, info: &EntityInfo) {
    let nulls = spec.nulls;
    if !nulls.nullable {
        return;
    }
    if nulls.rate > 0.0 {
        let _ = write!(
            s,
            "; NULL in {}% of rows",
            crate::human::num(nulls.rate * 100.0)
        );
    }
    if matches!(spec.strategy, Strategy::Expression { .. }) && nulls.rate <= 0.0 {
        let _ = write!(s, "; NULL where its expression is NULL");
        return;
    }
    let inputs = spec.strategy.null_inputs();
    let from: Vec<String> = inputs
        .iter()
        .filter_map(|&j| info.fields.get(j))
        .filter(|f| f.spec.nulls.nullable)
        .map(|f| format!("`{}`", f.name))
        .collect();
    if !from.is_empty() {
        let _ = write!(s, "; NULL where {} is NULL", from.join(" or "));
    }
}

/// A branch of `cases` in words (branches draw from pools, normals, ranges or uuids).
fn describe_branch(s: Strategy, info: &EntityInfo) -> String {
    match s {
        Strategy::Pool {
            values,
            distribution,
        } => describe_pool(values, distribution),
        Strategy::Normal {
            mean,
            stddev,
            min,
            max,
            ..
        } => format!(
            "normal (mean {}, stddev {}) truncated to [{}, {}]",
            num(mean),
            num(stddev),
            num(min),
            num(max)
        ),
        Strategy::Range { start, end, .. } => format!(
            "between {} and {}",
            time(start, info.generated_at),
            time(end, info.generated_at)
        ),
        Strategy::UuidV4 => "UUID v4 (random)".to_string(),
        _ => "another strategy".to_string(),
    }
}

/// A number range's law over its bounds, with its decimals.
fn describe_number_range(
    min: i64,
    max: i64,
    precision: u32,
    distribution: RangeDistribution,
) -> String {
    let shown = |units: i64| {
        let mut s = String::new();
        perfgen_runtime::number::push_fixed(units, precision, &mut s);
        s
    };
    let (a, b) = (shown(min), shown(max));
    let kind = if precision == 0 {
        "integers".to_string()
    } else {
        format!("{precision} decimals")
    };
    match distribution {
        RangeDistribution::Linear => format!("linear by row from {a} to {b}, {kind}"),
        RangeDistribution::Uniform => format!("uniform in [{a}, {b}], {kind}"),
        RangeDistribution::Exponential { rate } => format!(
            "exponential in [{a}, {b}] (density at {b} e^{} = {} that at {a}), {kind}",
            num(rate),
            density_ratio(rate)
        ),
    }
}

/// `e^rate` as a ratio of densities: `20x` for a positive rate, `1/148` for a negative one
/// (never `0x`).
fn density_ratio(rate: f64) -> String {
    let x = rate.exp();
    if x >= 1.0 {
        format!("{x:.0}x")
    } else {
        format!("1/{:.0} of", 1.0 / x)
    }
}

/// A pool's law: uniform, zipf with the top shares, or the categorical weights.
fn describe_pool(values: &[&str], distribution: PoolDistribution) -> String {
    match distribution {
        PoolDistribution::Uniform => format!(
            "uniform over {} seed values ({})",
            values.len(),
            quoted_list(values, 6)
        ),
        PoolDistribution::Zipf { alpha } => {
            let h = generalized_harmonic(values.len() as u64, alpha);
            let top: Vec<String> = values
                .iter()
                .take(3)
                .enumerate()
                .map(|(k, v)| format!("`{v}` {}", percent(((k + 1) as f64).powf(-alpha) / h)))
                .collect();
            format!(
                "zipf (alpha {}) over {} seed values in seed order: {}{}",
                num(alpha),
                values.len(),
                top.join(", "),
                if values.len() > 3 { ", ..." } else { "" }
            )
        }
        PoolDistribution::Weighted(w) => {
            let total: f64 = w.iter().sum();
            let parts: Vec<String> = values
                .iter()
                .zip(w)
                .map(|(v, x)| format!("{} `{v}`", percent(x / total)))
                .collect();
            format!("categorical: {}", parts.join(", "))
        }
    }
}

/// A template as configured, with its case.
fn describe_template(pieces: &[TemplatePiece], case: Case, info: &EntityInfo) -> String {
    let mut t = String::new();
    for p in pieces {
        match *p {
            TemplatePiece::Literal(l) => t.push_str(&l.replace('{', "{{").replace('}', "}}")),
            TemplatePiece::Field(j) => {
                let _ = write!(t, "{{{}}}", info.fields.get(j).map_or("?", |x| x.name));
            }
            TemplatePiece::Index => t.push_str("{index}"),
            TemplatePiece::Choice(vals) if vals.len() <= 4 => {
                let _ = write!(t, "{{{}}}", vals.join("|"));
            }
            TemplatePiece::Choice(vals) => {
                let _ = write!(t, "{{one of {} values}}", vals.len());
            }
            TemplatePiece::Formatted(nf) => {
                let name = match nf.source {
                    NumberSource::Index => "index",
                    NumberSource::Field(j) => info.fields.get(j).map_or("?", |x| x.name),
                };
                let _ = write!(t, "{{{name}{}}}", nf.suffix());
            }
        }
    }
    let case = match case {
        Case::Preserve => "",
        Case::Lower => ", lower-cased",
        Case::Upper => ", upper-cased",
    };
    format!("template `{t}`{case}")
}

/// A foreign key: its target and how references spread over the parent's rows.
fn describe_foreign_key(
    catalog: &Catalog,
    info: &EntityInfo,
    parent: usize,
    parent_field: usize,
    distribution: ForeignKeyDistribution,
) -> String {
    let p = &catalog.entities[parent];
    let target = format!("{}.{}", p.name, p.fields[parent_field].name);
    let (n, kids) = (p.target_count, info.target_count);
    match distribution {
        ForeignKeyDistribution::Uniform if n > 0 => format!(
            "references {target}, uniform over its rows (about {:.1} per {} row)",
            kids as f64 / n as f64,
            p.name
        ),
        ForeignKeyDistribution::Uniform => format!("references {target}, uniform"),
        ForeignKeyDistribution::Zipf { alpha } if n > 4 => {
            let share = generalized_harmonic(n / 5, alpha) / generalized_harmonic(n, alpha);
            format!(
                "references {target}, zipf (alpha {}): the busiest 20% of {} rows get {} of the references",
                num(alpha),
                p.name,
                percent(share)
            )
        }
        ForeignKeyDistribution::Zipf { alpha } => {
            format!("references {target}, zipf (alpha {})", num(alpha))
        }
        ForeignKeyDistribution::OneToOne => {
            format!(
                "references {target}, one to one (each {} row at most once)",
                p.name
            )
        }
        ForeignKeyDistribution::FanOut => describe_fan_out(info, p.name, &target),
        ForeignKeyDistribution::Distinct => format!(
            "references {target}, uniform over its rows, never twice for the children of one parent (a join table)"
        ),
        ForeignKeyDistribution::SameParentAs { field } => format!(
            "{target} of the {} row `{}` references (one composite key with it)",
            p.name, info.fields[field].name
        ),
        ForeignKeyDistribution::Sequential => format!(
            "references {target} in {} order, each row evenly (child row i of n: parent row i * {n} / n)",
            p.name
        ),
        ForeignKeyDistribution::SelfReference { max_depth } => {
            let depth = if max_depth == u32::MAX {
                String::new()
            } else {
                format!(", depth at most {max_depth}")
            };
            format!("references an earlier row's {target} uniformly (a hierarchy; row 1 and the NULL share are roots{depth})")
        }
        ForeignKeyDistribution::Filtered {
            law,
            filter,
            on_filtered,
            ..
        } => {
            let law = match law {
                FilteredLaw::Uniform => "uniform".to_string(),
                FilteredLaw::Zipf { alpha } => format!("zipf (alpha {})", num(alpha)),
                FilteredLaw::Sequential => "sequential".to_string(),
            };
            let then = match on_filtered {
                OnFiltered::Redraw => "drawn again",
                OnFiltered::Next => "moved to the next eligible row (past the last, the previous one)",
            };
            format!("references {target} where `{filter}`, {law}; a parent that fails it is {then}")
        }
    }
}

/// The foreign key of a `children_of` entity: its parent, and how many children each has.
fn describe_fan_out(info: &EntityInfo, parent: &str, target: &str) -> String {
    let Some(f) = info.fan_out else {
        return format!("references {target}, the row's parent");
    };
    let per = match f.count {
        perfgen_runtime::spec::CountLaw::Fixed(n) => format!("exactly {n}"),
        perfgen_runtime::spec::CountLaw::Uniform { min, max } => {
            format!("{min} to {max}, uniform,")
        }
        perfgen_runtime::spec::CountLaw::Weighted { counts, .. } if counts.len() > 8 => {
            let (lo, hi) = f.count.bounds();
            format!("{lo} to {hi}, by weights,")
        }
        perfgen_runtime::spec::CountLaw::Weighted { .. } => {
            let probs: Vec<String> = f
                .count
                .probabilities()
                .iter()
                .map(|(c, p)| format!("{c}: {}", percent(*p)))
                .collect();
            format!("({})", probs.join(", "))
        }
    };
    format!(
        "references {target}, the {parent} row it belongs to: {per} rows per {parent} row, stored together in {parent} order"
    )
}

/// Appends each distinct rule of `spec` and how it is enforced.
fn describe_rules(s: &mut String, spec: &FieldSpec, info: &EntityInfo, catalog: &Catalog) {
    for (k, rule) in spec.rules.iter().enumerate() {
        if spec.rules[..k].iter().any(|r| r.any_of == rule.any_of) {
            continue;
        }
        let how = match rule.enforcement {
            Enforcement::Proven => "holds by construction",
            Enforcement::Filtered => "values filtered",
            Enforcement::Bounds => "drawn inside its bounds",
            // Without draws a redraw gives the same value: the row only stops generation.
            Enforcement::Redraw
                if matches!(spec.strategy, Strategy::Expression { random: false, .. }) =>
            {
                "checked; generation stops at a row that breaks it"
            }
            Enforcement::Redraw => "redrawn until it holds",
        };
        let text: Vec<String> = rule
            .any_of
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| {
                        let op = c.op.rule_symbol();
                        let mut rhs = operand(&c.rhs, info, catalog);
                        if spec.column == perfgen_runtime::spec::ColumnType::Date {
                            // A date rule's literal at midnight, as the config wrote it.
                            rhs = rhs.replace("T00:00:00Z", "");
                        }
                        if c.shift != 0.0 {
                            let sign = if c.shift < 0.0 { '-' } else { '+' };
                            let amount = c.shift.abs();
                            let times = matches!(
                                spec.column,
                                perfgen_runtime::spec::ColumnType::Date
                                    | perfgen_runtime::spec::ColumnType::Timestamp
                            );
                            rhs = if times && amount % 86_400.0 == 0.0 {
                                format!("{rhs} {sign} {}d", amount / 86_400.0)
                            } else if times {
                                format!("{rhs} {sign} {amount}s")
                            } else {
                                format!("{rhs} {sign} {amount}")
                            };
                        }
                        format!("{op} {rhs}")
                    })
                    .collect::<Vec<_>>()
                    .join(" AND ")
            })
            .collect();
        let _ = write!(s, "; rule `{}` ({how})", text.join(" OR "));
    }
}

#[cfg(test)]
mod tests {
    use super::density_ratio;

    #[test]
    fn density_ratios_are_never_shown_as_zero() {
        assert_eq!(density_ratio(3.0), "20x");
        assert_eq!(density_ratio(0.0), "1x");
        assert_eq!(density_ratio(-5.0), "1/148 of");
        assert_eq!(density_ratio(-8.0), "1/2981 of");
    }
}
