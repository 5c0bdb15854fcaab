//! `unique`: proven from the strategy (uuids, templates with `{index}` or one unique
//! integer field, evenly spread times, one-to-one foreign keys) or a build error naming why
//! it cannot hold.

use super::EntityDraft;
use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use crate::strategy::{sequence, template, uuid, StrategyConfig};
use crate::values::shown_number;

fn capacity(entities: &[EntityDraft<'_>], e: usize, f: usize, depth: usize) -> Option<f64> {
    if depth > 64 {
        return None;
    }
    let fd = &entities[e].fields[f];
    match fd.strategy.as_ref()? {
        Strategy::Pool { values, .. } => Some(values.len() as f64),
        Strategy::Normal {
            min,
            max,
            integer,
            precision,
            ..
        } => {
            let scale = if *integer {
                1.0
            } else {
                10f64.powi(*precision as i32)
            };
            Some(((max - min) * scale).floor() + 1.0)
        }
        Strategy::ForeignKey { parent, .. } => Some(entities[*parent].target_count as f64),
        Strategy::Template { pieces: parts, .. } => {
            let mut c = 1.0;
            for p in parts {
                c *= match p {
                    TemplatePiece::Literal(_) => 1.0,
                    TemplatePiece::Choice(v) => v.len() as f64,
                    TemplatePiece::Field(j) => capacity(entities, e, *j, depth + 1)?,
                    TemplatePiece::Index => return None,
                    // An offset and padding keep distinct integers distinct.
                    TemplatePiece::Formatted(nf) => match nf.source {
                        NumberSource::Index => return None,
                        NumberSource::Field(j) => capacity(entities, e, j, depth + 1)?,
                    },
                };
            }
            Some(c)
        }
        Strategy::Range { start, end, .. } => {
            let now = entities[e].seed.and_then(|s| s.generated_at);
            Some((end.resolve(now)? - start.resolve(now)?) as f64 + 1.0)
        }
        Strategy::RandomString {
            alphabet,
            min_length,
            max_length,
        } => Some(
            (*min_length..=*max_length)
                .map(|l| (alphabet.len() as f64).powi(l as i32))
                .sum(),
        ),
        Strategy::Pattern { pattern, .. } => Some(pattern.distinct().at_most as f64),
        Strategy::NumberRange { min, max, .. } => Some((*max as f64 - *min as f64) + 1.0),
        Strategy::Boolean { .. } => Some(2.0),
        Strategy::Sequence { step: 0, .. } => Some(1.0),
        _ => None,
    }
}

pub(super) fn check_unique(
    entities: &mut [EntityDraft<'_>],
    e: usize,
    f: usize,
    loc: Loc,
    d: &mut Diagnostics,
) {
    let n = entities[e].target_count;
    let fd = &entities[e].fields[f];
    if fd.strategy.is_none() && d.has_errors() && fd.strategy_name == template::NAME {
        // Its template did not lower (a bad placeholder or width): that error says what to
        // fix, and "draws values at random, add `{index}`" would send the reader after an
        // `{index}` the template may well have. Other strategies keep the error: their
        // uniqueness does not hang on the part that failed.
        return;
    }
    let proven = match &fd.strategy {
        Some(Strategy::UuidV4) => true,
        Some(Strategy::Template { pieces: parts, .. }) => {
            template_index_unique(entities, e, parts)
                || template_field_unique(entities, e, parts).is_ok()
        }
        Some(Strategy::Range {
            distribution: RangeDistribution::Linear,
            ..
        }) => {
            // Evenly spread times are distinct at one second or more per row; a rule that
            // moves some rows to a random time inside its window breaks that.
            fd.enforce.is_empty() && capacity(entities, e, f, 0).is_some_and(|c| c > n as f64)
        }
        Some(Strategy::ForeignKey {
            distribution: dist,
            parent,
            filter,
            ..
        }) => {
            let parent_rows = entities[*parent].target_count;
            if filter.is_some() {
                d.error(loc, format!("`{}` cannot be unique: it has a `filter`", fd.name))
                    .help("a unique foreign key is one-to-one over every parent; drop `unique` or the `filter`");
                return;
            }
            if !matches!(dist, ForeignKeyDistribution::Uniform) || n > parent_rows {
                let why = if n > parent_rows {
                    format!(
                        "`{}` has {} rows but its parent `{}` only {parent_rows}",
                        entities[e].name, n, entities[*parent].name
                    )
                } else {
                    let law = match dist {
                        ForeignKeyDistribution::Sequential => {
                            "a sequential law (rows may outnumber parents at run time)"
                        }
                        ForeignKeyDistribution::SelfReference { .. } => {
                            "a hierarchy (rows share managers; roots are NULL)"
                        }
                        _ => "a zipf distribution",
                    };
                    format!("a unique foreign key is one-to-one and cannot follow {law}")
                };
                d.error(loc, format!("`{}` cannot be unique: {why}", fd.name))
                    .help("use `distribution: uniform` and at most as many rows as the parent, or drop `unique`");
                return;
            }
            entities[e].fields[f].strategy = Some(Strategy::ForeignKey {
                parent: *parent,
                parent_field: match &fd.strategy {
                    Some(Strategy::ForeignKey { parent_field, .. }) => *parent_field,
                    _ => unreachable!(),
                },
                distribution: ForeignKeyDistribution::OneToOne,
                filter: None,
            });
            return;
        }
        Some(Strategy::Expression { expr, .. }) => {
            if !crate::strategy::expression::one_to_one_in_index(expr) {
                d.error(loc, format!("`{}` must be unique but its expression is not proven one-to-one in the row index", fd.name))
                    .help("compute it as a strictly increasing function of `index` alone (e.g. `index * 32 + 1`), or drop `unique`");
            }
            return;
        }
        Some(Strategy::Sequence { step, .. }) => {
            if *step == 0 {
                d.error(
                    loc,
                    format!(
                        "`{}` cannot be unique: its `step` is 0, so every row has the same value",
                        fd.name
                    ),
                )
                .help("use a non-zero `step`, or drop `unique`");
                return;
            }
            // Distinct for every row; a run-time rule that fails a row stops generation.
            true
        }
        Some(Strategy::NumberRange {
            distribution: RangeDistribution::Linear,
            ..
        }) => {
            // Rows spread evenly over at least as many values each take their own.
            fd.enforce.is_empty() && capacity(entities, e, f, 0).is_some_and(|c| c >= n as f64)
        }
        _ => false,
    };
    if proven || reads_a_broken_field(entities, e, f) {
        return;
    }
    let fd = &entities[e].fields[f];
    let help = if matches!(fd.config, Some(StrategyConfig::Template(_))) {
        let why = match &fd.strategy {
            Some(Strategy::Template { pieces: parts, .. }) => {
                template_field_unique(entities, e, parts).err().flatten()
            }
            _ => None,
        };
        let index = "add `{index}` to the template (e.g. `{first_name}.{last_name}{index}@{domain}`), followed by a non-digit";
        match why {
            Some(why) => format!("{why}; {index}, or build it from one such field with the rest constant (e.g. `Customer#{{c_custkey:09}}` over a `{}`)", sequence::NAME),
            None => index.to_string(),
        }
    } else if matches!(
        fd.config,
        Some(StrategyConfig::RandomString(_) | StrategyConfig::Words(_))
    ) {
        // Rows are drawn independently (no row sees another), so repeats cannot be
        // prevented at run time: n rows from D values repeat with probability about
        // n^2 / 2D, which no config can make zero.
        format!(
            "random draws repeat by chance (n rows from D values give about n²/2D repeats), and rows are drawn independently; for a unique value write a `{}` with `{{index}}` and this field, e.g. `\"{{index}}-{{{}}}\"`",
            template::NAME,
            fd.name
        )
    } else if matches!(fd.config, Some(StrategyConfig::NumberRange(_))) {
        format!(
            "use `distribution: linear` over at least as many values as rows, or a `{}`",
            sequence::NAME
        )
    } else {
        format!(
            "use `{}`, or a `{}` that contains `{{index}}`",
            uuid::NAME,
            template::NAME
        )
    };
    if matches!(fd.config, Some(StrategyConfig::Position(_))) {
        d.error(
            loc,
            format!(
                "`{}` cannot be unique: a position starts again at 1 for every parent",
                fd.name
            ),
        )
        .help("the pair (foreign key, position) is unique; drop `unique`, or use a `sequence` for a key of its own");
        return;
    }
    if let Some(Strategy::Template { pieces, .. }) = &fd.strategy {
        if pieces
            .iter()
            .any(|p| one_to_one_number(entities, e, p).is_some())
        {
            d.error(
                loc,
                format!(
                    "`{}` must be unique but its row number cannot be read back from the text: what surrounds it could blur where the number ends",
                    fd.name
                ),
            )
            .help("follow the number with a literal that it cannot hold (not a digit, nor `-` when it can be negative, nor a space when padded with spaces), and put before it only literals, or values that cannot end in a digit nor contain that character");
            return;
        }
    }
    match capacity(entities, e, f, 0) {
        Some(c) if c < n as f64 => {
            d.error(
                loc,
                format!(
                    "`{}` must be unique but its strategy can produce at most {} distinct values for {} rows",
                    fd.name,
                    shown_number(c),
                    n
                ),
            )
            .help(help);
        }
        _ => {
            d.error(
                loc,
                format!(
                    "`{}` must be unique but `{}` draws values at random, so repeats are expected",
                    fd.name, fd.strategy_name
                ),
            )
            .help(help);
        }
    }
}

/// A template with `{index}` is unique when the index can be read back from the text: the
/// character after it is a literal non-digit `c` (or the index ends the text), and either
/// only literals come before it (`SN-{index}-X`: the number starts at a known place), or
/// nothing before it can contain `c` and what comes just before it cannot end in a digit. The same
/// holds for `{index+k:w}`, with the characters its text can hold (digits, `-` when the
/// number can be negative, spaces when padded with them) in place of the digits: an offset
/// and padding never write two indices the same way. A `sequence` field with a non-zero
/// step (`{dept_id}`, `{dept_id:04}`) is one-to-one in the index, so it serves as well.
fn template_index_unique(entities: &[EntityDraft<'_>], e: usize, parts: &[TemplatePiece]) -> bool {
    let Some((k, may_be_negative)) = parts
        .iter()
        .enumerate()
        .find_map(|(k, p)| Some((k, one_to_one_number(entities, e, p)?)))
    else {
        return false;
    };
    let in_number = |c: char| -> bool {
        c.is_ascii_digit()
            || (c == '-' && may_be_negative)
            || match &parts[k] {
                TemplatePiece::Formatted(nf) => c == ' ' && nf.width > 0 && !nf.zero_pad,
                _ => false,
            }
    };
    // The possible texts of a part, when known.
    let texts = |p: &TemplatePiece| -> Option<Vec<String>> {
        match p {
            TemplatePiece::Literal(s) => Some(vec![s.clone()]),
            TemplatePiece::Choice(v) => Some(v.clone()),
            TemplatePiece::Field(j) => match &entities[e].fields[*j].strategy {
                Some(Strategy::Pool { values, .. } | Strategy::SeedGroup { values, .. }) => {
                    Some(values.clone())
                }
                _ => None,
            },
            TemplatePiece::Index | TemplatePiece::Formatted(_) => None,
        }
    };
    // After literals alone the number starts at a known place and ends at the first
    // character it cannot hold, whatever the literals contain.
    let fixed_start = parts[..k]
        .iter()
        .all(|p| matches!(p, TemplatePiece::Literal(_)));
    if k > 0 && !fixed_start {
        match texts(&parts[k - 1]) {
            Some(v) if v.iter().all(|s| !s.ends_with(in_number) && !s.is_empty()) => {}
            _ => return false,
        }
    }
    match parts.get(k + 1) {
        None => true,
        Some(TemplatePiece::Literal(s)) => {
            let Some(c) = s.chars().next().filter(|&c| !in_number(c)) else {
                return false;
            };
            fixed_start
                || parts[..k].iter().all(|p| match texts(p) {
                    Some(v) => v.iter().all(|s| !s.contains(c)),
                    None => false,
                })
        }
        _ => false,
    }
}

/// A template whose pieces are constant but one placeholder of an integer field that is
/// unique and never NULL is unique: an integer written plainly, or with an offset and zero
/// or space padding to a width, is written differently from every other integer, and the
/// constant text around it is the same in every row. `Err` says what keeps it from this
/// proof when it has an integer field placeholder (shown in the help when nothing else
/// proves it).
fn template_field_unique(
    entities: &[EntityDraft<'_>],
    e: usize,
    parts: &[TemplatePiece],
) -> Result<(), Option<String>> {
    let fields: Vec<usize> = parts.iter().filter_map(TemplatePiece::field).collect();
    let integer = |j: &usize| entities[e].fields[*j].ty == Some(Ty::Int);
    let Some(&j) = fields.iter().find(|j| integer(j)) else {
        return Err(None);
    };
    if fields.len() > 1 {
        return Err(Some(format!(
            "`{{{}}}` would make the template unique only with no other field placeholder",
            entities[e].fields[j].name
        )));
    }
    let varying = parts.iter().any(|p| match p {
        TemplatePiece::Choice(v) => v.len() > 1,
        TemplatePiece::Index
        | TemplatePiece::Formatted(NumberFormat {
            source: NumberSource::Index,
            ..
        }) => true,
        _ => false,
    });
    let fd = &entities[e].fields[j];
    Err(Some(if varying {
        format!(
            "the template's other pieces vary, so `{{{}}}` alone cannot make it unique",
            fd.name
        )
    } else if !field_distinct_and_never_null(fd) {
        format!(
            "`{{{}}}` is not proven unique and never NULL (a `{}`, an expression one-to-one in `index`, or `unique: true`, without `null_rate`)",
            fd.name,
            sequence::NAME
        )
    } else {
        return Ok(());
    }))
}

/// Whether a field's values differ in every row and are never NULL: it reads no other
/// field (so no NULL comes in), has no `null_rate`, and is a sequence with a step, an
/// expression one-to-one in `index`, or itself `unique` (proven or refused on its own).
pub(super) fn field_distinct_and_never_null(fd: &super::FieldDraft<'_>) -> bool {
    let Some(strategy) = &fd.strategy else {
        return false;
    };
    if fd.null_rate > 0.0 || !strategy.value_inputs().is_empty() {
        return false;
    }
    match strategy {
        Strategy::Sequence { step, .. } => *step != 0,
        Strategy::Expression { expr, .. } => crate::strategy::expression::one_to_one_in_index(expr),
        _ => fd.unique.is_some(),
    }
}

/// Whether a template piece writes a number that is one-to-one in the row index (`{index}`,
/// `{index+k:w}`, or a `sequence` field with a non-zero step, formatted or not), and if so
/// whether that number can be negative.
fn one_to_one_number(
    entities: &[EntityDraft<'_>],
    e: usize,
    piece: &TemplatePiece,
) -> Option<bool> {
    let (source, offset) = match piece {
        TemplatePiece::Index => (NumberSource::Index, 0),
        TemplatePiece::Field(j) => (NumberSource::Field(*j), 0),
        TemplatePiece::Formatted(nf) => (nf.source, nf.offset),
        _ => return None,
    };
    match source {
        NumberSource::Index => Some(offset < 0),
        NumberSource::Field(j) => match entities[e].fields[j].strategy {
            Some(Strategy::Sequence { start, step }) if step != 0 => {
                Some(step < 0 || start.saturating_add(offset) < 0)
            }
            _ => None,
        },
    }
}

/// Whether field `f` is a template that names a field whose own strategy failed (already
/// reported): its uniqueness cannot be judged, and saying so would only repeat that error.
fn reads_a_broken_field(entities: &[EntityDraft<'_>], e: usize, f: usize) -> bool {
    let Some(Strategy::Template { pieces, .. }) = &entities[e].fields[f].strategy else {
        return false;
    };
    pieces.iter().any(|p| {
        let j = match p {
            TemplatePiece::Field(j) => *j,
            TemplatePiece::Formatted(NumberFormat {
                source: NumberSource::Field(j),
                ..
            }) => *j,
            _ => return false,
        };
        entities[e].fields[j].strategy.is_none()
    })
}

/// An entity's `unique_together` groups as field positions, each proven at build time: a
/// member whose values differ in every row (a `sequence`, an expression one-to-one in
/// `index`, a `unique` field, a uuid), or a fan-out child's key to its parent with its
/// `position`. perfgen draws every row on its own, so no other combination can be kept
/// across rows: it is refused with a help.
pub(super) fn unique_together(ent: &EntityDraft<'_>, d: &mut Diagnostics) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for group in &ent.doc.unique_together {
        let mut members = Vec::new();
        for name in &group.value {
            let Some(j) = ent.fields.iter().position(|f| f.name == name.value) else {
                let names: Vec<&str> = ent.fields.iter().map(|f| f.name.as_str()).collect();
                d.error(
                    name.loc,
                    format!("`unique_together` names unknown field `{}`", name.value),
                )
                .help(crate::diag::suggest(&name.value, &names));
                continue;
            };
            if members.contains(&j) {
                d.error(name.loc, format!("`{}` is listed twice", name.value))
                    .help("list each field of the group once");
                continue;
            }
            members.push(j);
        }
        if members.len() != group.value.len() {
            continue;
        }
        if members.len() < 2 {
            d.error(
                group.loc,
                "a `unique_together` group needs at least two fields",
            )
            .help("for one field write `unique: true` on it");
            continue;
        }
        if !group_proven(ent, &members) {
            let names: Vec<&str> = members
                .iter()
                .map(|&j| ent.fields[j].name.as_str())
                .collect();
            d.error(
                group.loc,
                format!("`unique_together: [{}]` is not proven unique at build time", names.join(", ")),
            )
            .help("perfgen draws each row on its own and cannot keep a combination apart across rows: include a field unique in every row (a `sequence`, `unique: true`, a uuid), or key a `children_of` entity by its foreign key to the parent and its `position`");
            continue;
        }
        out.push(members);
    }
    out
}

/// Whether the combined values of `members` differ in every row (see [`unique_together`]).
fn group_proven(ent: &EntityDraft<'_>, members: &[usize]) -> bool {
    let fields = &ent.fields;
    let distinct = members.iter().any(|&j| {
        field_distinct_and_never_null(&fields[j])
            || matches!(fields[j].strategy, Some(Strategy::UuidV4))
    });
    let fan_out_key = members.iter().any(|&j| {
        matches!(
            fields[j].strategy,
            Some(Strategy::ForeignKey {
                distribution: ForeignKeyDistribution::FanOut,
                ..
            })
        )
    });
    // A position, or a `distinct` key (never the same parent row twice among the children
    // of one fan-out parent), tells the children of one parent apart.
    let apart_within_parent = members.iter().any(|&j| {
        matches!(
            fields[j].strategy,
            Some(Strategy::Position)
                | Some(Strategy::ForeignKey {
                    distribution: ForeignKeyDistribution::Distinct,
                    ..
                })
        )
    });
    distinct || (fan_out_key && apart_within_parent)
}
